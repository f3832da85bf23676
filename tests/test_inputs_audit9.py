"""Input texts that would not read as written (audit 9): invisible characters of text direction (U+202A–U+202E,
U+2066–U+2069, U+200E, U+200F) in a name, a molecule or a statement's label, CSV or XLSX, refused with the row,
the column and the character's code point and position — a claim letter's line displayed backwards
(« Pharmacie\\u202e € 00,000 01 : édnamed tnatnoM »)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers_rules import workbook
from rosp_lib.cli import main
from rosp_lib.counterfactual.versements import read_versements
from rosp_lib.inputs import InputError, read_inputs, read_pharmacies

DATA = Path(__file__).resolve().parent.parent / "data"
EXPECTED = ("(U+{code} au caractère {k}) ; attendu : un texte sans caractère invisible de direction du texte, qui fait "
            "lire le texte à l'envers ou dans le désordre dans les rapports : supprimez-le (copié d'une page web ou "
            "d'un document ?)")


def _problems(read, *args) -> list[str]:
    with pytest.raises(InputError) as err:
        read(*args)
    return err.value.problems


@pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f"])
def test_a_direction_character_in_a_pharmacy_name_is_refused(tmp_path, char):
    path = tmp_path / "pharmacies.csv"
    path.write_text(f"pharmacie_id;nom;exercice\nPH-A;Pharmacie{char} des Tilleuls;2024\n", encoding="utf-8")
    escaped = f"\\u{ord(char):04x}"
    assert _problems(read_pharmacies, path) == [
        f"ligne 2, pharmacie « PH-A », colonne nom : valeur « Pharmacie{escaped} des Tilleuls » "
        + EXPECTED.format(code=f"{ord(char):04X}", k=10)]


def test_a_direction_character_in_a_workbook_name_is_refused(tmp_path):
    path = tmp_path / "pharmacies.xlsx"
    workbook({"pharmacies": [["pharmacie_id", "nom", "exercice"], ["PH-A", "Centre", 2024],
                             ["PH-B", "\u2067Officine", 2024]]}).save(path)
    assert _problems(read_pharmacies, path) == [
        "ligne 3, pharmacie « PH-B », colonne nom : valeur « \\u2067Officine » " + EXPECTED.format(code="2067", k=1)]


def _molecule_problems(tmp_path, name: str) -> list[str]:
    """The problems of a molecules table whose one line (PH-TILLEULS, 2024) names the molecule `name`."""
    molecules = tmp_path / "molecules.csv"
    molecules.write_text("pharmacie_id;exercice;molecule;nb_boites;taux_depart_pct;taux_arrivee_pct\n"
                         f"PH-TILLEULS;2024;{name};486;85;93,0\n", encoding="utf-8")
    return _problems(read_inputs, DATA / "pharmacies.csv", molecules)


def test_a_direction_character_in_a_molecule_name_is_refused(tmp_path):
    assert _molecule_problems(tmp_path, "sita\u202eglitpine") == [
        "ligne 2, pharmacie « PH-TILLEULS », colonne molecule : valeur « sita\\u202eglitpine » "
        + EXPECTED.format(code="202E", k=5)]


def test_a_direction_character_in_a_statement_label_is_refused_and_no_claim_is_written(tmp_path):
    statement = tmp_path / "versements.csv"
    statement.write_text("pharmacie_id;exercice;theme;montant_verse_eur;libelle_releve\n"
                         "PH-TILLEULS;2024;bups;800,00;ROSP BUPS\u202e 00,000 01 : édnamed\n", encoding="utf-8")
    out = tmp_path / "sortie"
    result = CliRunner().invoke(main, ["rapprocher", str(DATA / "pharmacies.csv"), "--molecules",
                                       str(DATA / "molecules.csv"), "--versements", str(statement), "-o", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert ("  - ligne 2, pharmacie « PH-TILLEULS », colonne libelle_releve : valeur « ROSP BUPS\\u202e 00,000 01 : "
            "édnamed » " + EXPECTED.format(code="202E", k=10)) in result.output
    assert "\u202e" not in result.output and not out.exists()
    pharmacies = read_pharmacies(DATA / "pharmacies.csv")
    assert len(_problems(read_versements, statement, pharmacies)) == 1


def test_a_row_with_direction_characters_names_each_cell_and_its_other_problems(tmp_path):
    """Only the first such cell of a row was named, and the row's other problems were hidden (« tous ses problèmes
    sont listés »: review)."""
    path = tmp_path / "pharmacies.csv"
    path.write_text("pharmacie_id;nom;exercice;taux_dmp_pct;eco_niveau_vise\n"
                    "PH-A;Centre\u202e;2024;abc;\u200f1\n", encoding="utf-8")
    problems = _problems(read_pharmacies, path)
    assert problems[0] == ("ligne 2, pharmacie « PH-A », colonne nom : valeur « Centre\\u202e » (U+202E au caractère 7) ; "
                           "colonne eco_niveau_vise : valeur « \\u200f1 » " + EXPECTED.format(code="200F", k=1))
    assert any("taux_dmp_pct" in p and "« abc »" in p for p in problems[1:]), problems


CONTROL = ("(U+{code} au caractère {k}) ; attendu : un texte sans caractère de contrôle, invisible dans un tableur, qui "
           "passerait tel quel dans les rapports et les fichiers écrits : supprimez-le (copié d'un terminal ou d'un "
           "ancien logiciel ?)")


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x0c", "\x7f", "\x85"])
def test_a_control_character_in_a_name_is_refused(tmp_path, char):
    """A BEL, an ESC or a NUL in `nom` reached the title of the reports and the index's CSV as it was (review)."""
    path = tmp_path / "pharmacies.csv"
    path.write_text(f"pharmacie_id;nom;exercice\nPH-A;Officine;2024\nPH-B;Pharma{char}cie;2024\n", encoding="utf-8")
    assert _problems(read_pharmacies, path) == [
        f"ligne 3, pharmacie « PH-B », colonne nom : valeur « Pharma\\x{ord(char):02x}cie » "
        + CONTROL.format(code=f"{ord(char):04X}", k=7)]


def test_a_control_character_in_a_molecule_name_is_refused_and_a_tab_is_not_one(tmp_path):
    assert _molecule_problems(tmp_path, "sitagliptine\x1b[31m") == [
        "ligne 2, pharmacie « PH-TILLEULS », colonne molecule : valeur « sitagliptine\\x1b[31m » "
        + CONTROL.format(code="001B", k=13)]
    path = tmp_path / "pharmacies.csv"
    path.write_text("pharmacie_id;nom;exercice\nPH-A;Pharmacie\tdu Port;2024\n", encoding="utf-8")
    assert read_pharmacies(path).at[0, "nom"] == "Pharmacie\tdu Port"


def test_the_dos_end_of_file_mark_after_the_last_line_is_the_end_of_the_file(tmp_path):
    """Ctrl+Z after the last line of an old DOS export was refused as a pharmacy « \\x1a » (review); elsewhere it is
    a control character."""
    path = tmp_path / "pharmacies.csv"
    path.write_bytes(b"pharmacie_id;exercice;nb_fse\r\nPH-A;2024;5\r\n\x1a")
    assert list(read_pharmacies(path)["pharmacie_id"]) == ["PH-A"]
    path.write_bytes(b"pharmacie_id;exercice;nb_fse\r\nPH-A;2024;5\r\n\x1a\r\nPH-B;2024;5\r\n")
    assert _problems(read_pharmacies, path)[0] == "ligne 3, colonne pharmacie_id : valeur « \\x1a » " + CONTROL.format(
        code="001A", k=1)
