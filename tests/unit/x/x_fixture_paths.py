"""Where the recorded X responses are: shared with the tests of every X engine module."""

from __future__ import annotations

from pathlib import Path

from xget.fixtures import fixtures_dir as _fixtures_dir


def fixtures_dir() -> Path:
    """See :func:`xget.fixtures.fixtures_dir`."""
    return _fixtures_dir()
