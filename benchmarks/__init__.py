"""Benchmarks and their synthetic data (importable from tests as `benchmarks.*`)."""
