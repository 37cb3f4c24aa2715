"""Benchmarks, each printing its ratio to a reference measured in the same run."""
