"""Fixtures shared by every package's tests."""
