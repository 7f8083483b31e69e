"""Views of the simulator, one module per national service (see urls.py)."""
