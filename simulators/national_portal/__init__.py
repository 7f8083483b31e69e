"""A simulator of the national platforms (DVCQG sync and intake, payments, data store, population, VNeID).

It runs as its own process with its own store; see docs/simulator.md.
"""
