"""Fixtures for the X engine tests: the recorded X responses shared beside the repository."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from x_fixture_paths import fixtures_dir


@pytest.fixture(scope="session")
def fixtures() -> Path:
    path = fixtures_dir()
    assert path.is_dir(), f"recorded X responses not found at {path} (set XGET_FIXTURES_DIR)"
    return path


@pytest.fixture(scope="session")
def raw(fixtures: Path) -> Callable[[str], bytes]:
    """Read a recorded response's bytes by its path under the fixtures directory."""
    return lambda name: (fixtures / name).read_bytes()


@pytest.fixture
def doc(fixtures: Path) -> Callable[[str], Any]:
    """A recorded response decoded to fresh Python objects (safe to mutate in a test)."""
    return lambda name: json.loads((fixtures / name).read_text(encoding="utf-8-sig"))
