"""Benchmark scripts. What they share with the tests (synthetic intakes, the CLIPS port, the
stock-experta comparison) lives in tests/: a benchmark imports from tests, never a test from here."""
