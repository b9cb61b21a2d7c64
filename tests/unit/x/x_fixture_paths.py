"""Where the recorded X responses are: shared with the tests of every X engine module."""

from __future__ import annotations

import os
from pathlib import Path


def fixtures_dir() -> Path:
    """``$XGET_FIXTURES_DIR``, else ``../shared/x-fixtures`` next to the repository."""
    override = os.environ.get("XGET_FIXTURES_DIR")
    if override:
        return Path(override).resolve()
    return (Path(__file__).parents[3] / ".." / "shared" / "x-fixtures").resolve()
