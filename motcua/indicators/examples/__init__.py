"""Input files typed from the specification (indicators.md), used by the tests and the docs."""
