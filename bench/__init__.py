"""Benchmarks: build cost, page and search weight, intake throughput (see bench/README.md)."""
