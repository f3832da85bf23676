"""The environment `python3 dev.py` makes: what a user opens afterwards is in French."""

from __future__ import annotations

import importlib.metadata
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import dev  # noqa: E402


def test_jupyterlab_of_the_environment_is_in_french(tmp_path, monkeypatch):
    """JupyterLab's menus were in English, with an English pop-up asking to fetch news from the Internet (review):
    its French language pack is a dependency, and dev.py sets the locale and turns the news off."""
    assert importlib.metadata.version("jupyterlab-language-pack-fr-FR")
    target = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    monkeypatch.setattr(dev, "LAB_OVERRIDES", target)
    dev.lab_in_french()
    settings = json.loads(target.read_text(encoding="utf-8"))
    assert settings["@jupyterlab/translation-extension:plugin"] == {"locale": "fr_FR"}
    assert settings["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    target.write_text("{}", encoding="utf-8")  # changed by hand: set again at the next dev.py command
    dev.lab_in_french()
    assert json.loads(target.read_text(encoding="utf-8")) == settings


@pytest.mark.skipif(Path(sys.prefix).resolve() != dev.VENV.resolve(), reason="hors de l'environnement de dev.py")
def test_the_environment_of_dev_py_has_its_settings():
    assert json.loads(dev.LAB_OVERRIDES.read_text(encoding="utf-8")) == dev.LAB_SETTINGS
