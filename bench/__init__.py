"""Benchmarks: the gateway against a direct backend, nginx and a bare proxy, in one run."""
