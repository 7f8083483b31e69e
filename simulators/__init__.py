"""Simulators of external systems, each its own process and store."""
