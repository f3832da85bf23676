"""The `versements` table in XLSX is read as the pharmacies and molecules tables are (one reader,
`rosp_lib.inputs.xlsxread`): as the user sees each cell, or refused with the sheet and cell named.
Workbooks are built in the test with openpyxl."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers_rules import workbook, write_csv
from rosp_lib.counterfactual.versements import read_versements
from rosp_lib.inputs import InputError, read_pharmacies

HEADER = ["pharmacie_id", "exercice", "theme", "montant_verse_eur"]


@pytest.fixture()
def pharmacies(tmp_path):
    return read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [
        {"pharmacie_id": "P1", "exercice": 2025}, {"pharmacie_id": "P2", "exercice": 2025}]))


def problems(path: Path, pharmacies) -> list[str]:
    with pytest.raises(InputError) as info:
        read_versements(path, pharmacies)
    return info.value.problems


def test_merged_cells_are_refused_with_sheet_and_cells(tmp_path, pharmacies):
    """Merged over two lines, the pharmacy of line 3 would read empty."""
    wb = workbook({"versements": [HEADER, ["P1", 2025, "numerique", 820], [None, 2025, "bups", 100]]})
    wb["versements"].merge_cells("A2:A3")
    wb.save(tmp_path / "v.xlsx")
    assert problems(tmp_path / "v.xlsx", pharmacies) == [
        "feuille « versements », cellules A2:A3 : cellules fusionnées (seule la première porte la valeur) ; "
        "attendu : une valeur dans chaque cellule (défusionnez et recopiez la valeur sur chaque ligne)"
    ]


def test_formula_without_saved_value_is_refused_with_its_cell(tmp_path, pharmacies):
    """A workbook written by a program holds the formula, not its result: it would read as an empty amount."""
    wb = workbook({"versements": [HEADER, ["P1", 2025, "numerique", "=800+20"]]})
    wb.save(tmp_path / "v.xlsx")
    assert problems(tmp_path / "v.xlsx", pharmacies) == [
        "feuille « versements », cellule D2 : formule « =800+20 » sans valeur enregistrée (elle se lirait vide) ; "
        "attendu : une valeur (ouvrez le classeur dans un tableur et enregistrez-le, ou collez les valeurs)"
    ]


def test_several_data_sheets_without_one_named_versements_are_refused(tmp_path, pharmacies):
    """Before, the first sheet was read, whichever it was."""
    wb = workbook({"2024": [HEADER, ["P1", 2025, "numerique", 500]], "2025": [HEADER, ["P1", 2025, "numerique", 820]]})
    wb.save(tmp_path / "v.xlsx")
    assert problems(tmp_path / "v.xlsx", pharmacies) == [
        "le classeur a 2 feuilles qui contiennent des données (« 2024 », « 2025 ») et aucune ne s'appelle "
        "« versements » ; attendu : la feuille à lire nommée « versements », ou une seule feuille de données"
    ]


def test_hidden_first_sheet_with_data_is_not_read_silently(tmp_path, pharmacies):
    """A hidden first sheet of old figures beside the visible one: which one is meant cannot be guessed."""
    wb = workbook({"ancien": [HEADER, ["P1", 2025, "numerique", 500]], "releve": [HEADER, ["P1", 2025, "numerique", 820]]})
    wb["ancien"].sheet_state = "hidden"
    wb.save(tmp_path / "v.xlsx")
    assert problems(tmp_path / "v.xlsx", pharmacies) == [
        "le classeur a 2 feuilles qui contiennent des données (« ancien » (masquée), « releve ») et aucune ne "
        "s'appelle « versements » ; attendu : la feuille à lire nommée « versements », ou une seule feuille de données"
    ]


def test_hidden_versements_sheet_is_refused(tmp_path, pharmacies):
    wb = workbook({"notes": [["à voir"]], "versements": [HEADER, ["P1", 2025, "numerique", 820]]})
    wb["versements"].sheet_state = "hidden"
    wb.save(tmp_path / "v.xlsx")
    assert problems(tmp_path / "v.xlsx", pharmacies) == [
        "feuille « versements » : feuille masquée ; attendu : une feuille visible (affichez-la si ce sont bien "
        "les données à lire, sinon supprimez-la)"
    ]


def test_cells_are_read_as_shown_percent_format_included(tmp_path, pharmacies):
    """8,2 shown as « 820,00 % » is not an amount (8,20 € or 820 € ?): refused, with what to change; a date cell
    reads as AAAA-MM-JJ; the sheet is found whatever its case and accents, after an empty first sheet."""
    import datetime as dt

    rows = [[*HEADER, "date_versement"], ["P1", 2025, "numerique", 8.2, dt.datetime(2026, 4, 15)],
            ["P2", 2025, "bups", 100.5, dt.date(2026, 4, 30)]]
    wb = workbook({"vide": [], "Versements": rows})
    wb["Versements"]["D2"].number_format = "0.00%"
    wb.save(tmp_path / "v.xlsx")
    assert problems(tmp_path / "v.xlsx", pharmacies) == [
        "ligne 2, pharmacie « P1 », colonne montant_verse_eur : valeur « 820 % » ; attendu : un montant en euros, "
        "au plus deux décimales (820 ; 820,00 ; 820.00) — un montant, pas un pourcentage (dans un tableur : format de "
        "cellule « Monétaire »)"
    ]
    wb["Versements"]["D2"].number_format = "#,##0.00 [$€-40C]"  # shown « 8,20 € »: read 8,20 €
    wb.save(tmp_path / "v.xlsx")
    paid = read_versements(tmp_path / "v.xlsx", pharmacies)
    assert list(paid["montant_cents"]) == [820, 10050]
    assert list(paid["date_versement"]) == ["2026-04-15", "2026-04-30"]
    assert list(paid["ligne"]) == [2, 3]


def test_line_numbers_are_those_of_the_sheet_below_empty_rows(tmp_path, pharmacies):
    """The header on row 3: a wrong amount on row 5 is said « ligne 5 », as the spreadsheet numbers it."""
    wb = workbook({"versements": [[], [], HEADER, ["P1", 2025, "numerique", 820], ["P2", 2025, "bups", "dix"]]})
    wb.save(tmp_path / "v.xlsx")
    assert problems(tmp_path / "v.xlsx", pharmacies) == [
        "ligne 5, pharmacie « P2 », colonne montant_verse_eur : valeur « dix » ; attendu : un montant en euros, "
        "au plus deux décimales (820 ; 820,00 ; 820.00)"
    ]


def test_a_theme_total_and_its_detail_in_a_workbook_are_refused_by_sheet_lines(tmp_path, pharmacies):
    """The statement's total and a « dont » line under it, copied below an empty row: named by the sheet's rows;
    a 0 € indicator row beside a theme row (P2) is accepted."""
    wb = workbook({"versements": [[], [*HEADER, "indicateur"],
                                  ["P1", 2025, "numerique", 1060, None],
                                  ["P2", 2025, "numerique", 240, None],
                                  ["P2", 2025, "numerique", 0, "exercice_coordonne"],
                                  ["P1", 2025, "numerique", 240, "mss"]]})
    wb.save(tmp_path / "v.xlsx")
    assert problems(tmp_path / "v.xlsx", pharmacies) == [
        "lignes 3 et 6, pharmacie « P1 », exercice 2025, thème numerique : une ligne pour tout le thème (ligne 3 : "
        "1\u202f060,00\u00a0€) et des lignes par indicateur (ligne 6, mss : 240,00\u00a0€) ; ambigu : les lignes par "
        "indicateur peuvent détailler le total (« dont », comme un relevé les imprime : 1\u202f060,00\u00a0€ versés en "
        "tout) ou être des versements en plus (1\u202f300,00\u00a0€ en tout) ; attendu : pour un détail (« dont ») du "
        "total, gardez la seule ligne du thème ; pour un versement en plus, écrivez-le sur une ligne du thème"
    ]
