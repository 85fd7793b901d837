"""Benchmarks for cfncompiler (issue 7): ``make bench`` runs :mod:`bench.run` and writes bench/RESULTS.md."""
