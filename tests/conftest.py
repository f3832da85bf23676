"""Shared fixtures of the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture
def data_dir() -> Path:
    return DATA

# Fake notebooks of the batch tests are run by those tests, not compared by nbval.
collect_ignore_glob = ["notebooks_fake/*"]
