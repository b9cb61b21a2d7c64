"""Where the recorded X responses live (tests, benchmarks and ``xget parse`` examples read them;
they are never copied into the repository)."""

from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]


def fixtures_dir() -> Path:
    """``$XGET_FIXTURES_DIR``; else ``shared/x-fixtures`` beside the repository or beside one of
    its parent folders (a clone in a subfolder of the workspace finds it too)."""
    override = os.environ.get("XGET_FIXTURES_DIR")
    if override:
        return Path(override).resolve()
    for folder in (_REPO, *_REPO.parents):
        candidate = folder.parent / "shared" / "x-fixtures"
        if candidate.is_dir():
            return candidate.resolve()
    return (_REPO.parent / "shared" / "x-fixtures").resolve()
