"""Benchmark support: deterministic synthetic data (`flask bench seed`) and benchmark fixtures."""
