"""Document producers beyond the PDF generator (yujuesuan.generator): Office files, scans."""
