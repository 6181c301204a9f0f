"""Development tools, installed with the `samples` extra (reportlab): the synthetic document
generator (PDF, and Office files through LibreOffice), scans, the demo portal's builder, the
mutation harness, the fuzzer, and the benchmark over documents with ground truth."""
