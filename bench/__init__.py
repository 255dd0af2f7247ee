"""Benchmark for the report pages and exports at scale: `make bench` (see README.md here)."""
