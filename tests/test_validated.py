"""rosp_lib.batch.validated: the tables rosp report validated, handed to its notebooks for the same files only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from rosp_lib.batch import validated
from rosp_lib.inputs import read_inputs
from rosp_lib.report.notebook import load

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def files(tmp_path):
    entree = shutil.copy(DATA / "pharmacies.csv", tmp_path / "pharmacies.csv")
    molecules = shutil.copy(DATA / "molecules.csv", tmp_path / "molecules.csv")
    return Path(entree), Path(molecules)


def test_without_the_variable_nothing_is_handed(files, monkeypatch):
    monkeypatch.delenv(validated.ENV, raising=False)
    assert validated.load(*files) is None


def test_the_stored_tables_come_back_equal_for_the_same_files(files, tmp_path, monkeypatch):
    pharmacies, molecules = read_inputs(*files)
    monkeypatch.setenv(validated.ENV, str(validated.store(tmp_path, *files, pharmacies, molecules)))
    got_pharmacies, got_molecules = validated.load(*files)
    pd.testing.assert_frame_equal(got_pharmacies, pharmacies)
    pd.testing.assert_frame_equal(got_molecules, molecules)
    assert validated.load(files[0], None) is None  # asked without the molecules: not the same files


def test_a_file_changed_since_validation_is_read_again(files, tmp_path, monkeypatch):
    pharmacies, molecules = read_inputs(*files)
    monkeypatch.setenv(validated.ENV, str(validated.store(tmp_path, *files, pharmacies, molecules)))
    entree = files[0]
    text = entree.read_text(encoding="utf-8")
    assert "Pharmacie de la Gare;" in text
    entree.write_text(text.replace("Pharmacie de la Gare;", "Pharmacie de la Gare (modifiée);"), encoding="utf-8")
    assert validated.load(*files) is None
    report = load("PH-GARE", 2024, str(entree), str(files[1]))  # read from the file itself
    assert report.row["nom"] == "Pharmacie de la Gare (modifiée)"


def test_a_damaged_or_missing_store_is_read_again(files, tmp_path, monkeypatch):
    monkeypatch.setenv(validated.ENV, str(tmp_path / "absent.pickle"))
    assert validated.load(*files) is None
    damaged = tmp_path / "abime.pickle"
    damaged.write_bytes(b"pas un pickle")
    monkeypatch.setenv(validated.ENV, str(damaged))
    assert validated.load(*files) is None


def test_the_notebooks_take_the_stored_tables(files, tmp_path, monkeypatch):
    """notebook.load computes from the handed tables: one altered here shows in the report."""
    pharmacies, molecules = read_inputs(*files)
    normal = load("PH-GARE", 2024, str(files[0]), str(files[1]))
    altered = pharmacies.copy()
    altered.loc[altered["pharmacie_id"] == "PH-GARE", "nom"] = "Nom venu des tables validées"
    monkeypatch.setenv(validated.ENV, str(validated.store(tmp_path, *files, altered, molecules)))
    handed = load("PH-GARE", 2024, str(files[0]), str(files[1]))
    assert handed.row["nom"] == "Nom venu des tables validées" != normal.row["nom"]
