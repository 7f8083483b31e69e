"""Fixtures shared by every package's tests."""

import pytest


@pytest.fixture
def world(db):
    """A province with its centre, Sở Tư pháp, staff (alice … olga) and one published procedure."""
    from motcua.dossiers.testing import build_world

    return build_world()
