"""Where the recorded X responses live (tests, benchmarks and ``xget parse`` examples read them;
they are never copied into the repository)."""

from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]


WORKSPACE_FIXTURES = Path("/work/shared/x-fixtures")
"""Where the team's workspace keeps them, for clones made elsewhere (CI clones into a temp dir)."""


def fixtures_dir() -> Path:
    """``$XGET_FIXTURES_DIR``; else ``shared/x-fixtures`` beside the repository or beside one of
    its parent folders; else the workspace's copy."""
    override = os.environ.get("XGET_FIXTURES_DIR")
    if override:
        return Path(override).resolve()
    for folder in (_REPO, *_REPO.parents):
        candidate = folder.parent / "shared" / "x-fixtures"
        if candidate.is_dir():
            return candidate.resolve()
    if WORKSPACE_FIXTURES.is_dir():
        return WORKSPACE_FIXTURES
    return (_REPO.parent / "shared" / "x-fixtures").resolve()
