"""Shared fixtures of the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture(autouse=True)
def _signal_handlers_back():
    """A `rosp report` run in this process and interrupted ignores further Ctrl+C and turns SIGTERM into an
    interruption until it exits, as a command does: the next tests get the handlers they had."""
    import signal

    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield
    for s, handler in saved.items():
        if signal.getsignal(s) is not handler:
            signal.signal(s, handler)

# Fake notebooks of the batch tests are run by those tests, not compared by nbval.
collect_ignore_glob = ["notebooks_fake/*"]
