"""Benchmarks: each module is runnable as ``python -m bench.<name>`` and writes bench/results/."""
