"""Makers of sample inputs for tests and benchmarks (scans of generated documents)."""
