"""Document producers beyond the PDF generator (yujuesuan.generator)."""
