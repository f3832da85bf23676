"""OWASP « CSV injection » in every result format of `rosp compute` (csv, csv-fr, xlsx).

A molecule name comes from the input (the scenario's list, the molecules file) and ends up in the
`valeur` cell of its line: « =HYPERLINK("http://evil") : 10 boîtes, 10 % → 20 % ». Each format must
write it with a leading `'` (the rule of `csvfile.neutralised`), and the workbook must hold no formula;
the amounts stay numbers (xlsx) or plain numbers (« -107,22 » in csv-fr).
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from rosp_lib.cli import main

DATA = Path(__file__).resolve().parent.parent / "data"
NAMES = ['=HYPERLINK("http://evil")', "+cmd", "-cmd", "@SUM(A1)"]
WRITTEN = {f"'{name} : 10 boîtes, 10 % → 20 %" for name in NAMES}
RISKY = ("=", "+", "-", "@", "\t", "\r")
PLAIN = {"csv": re.compile(r"[+-]?\d+(\.\d+)?"), "csv-fr": re.compile(r"[+-]?\d+(,\d+)?")}


def _yaml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """The three formats computed on data/pharmacies.csv, PH-TILLEULS 2024 given the four molecules."""
    root = tmp_path_factory.mktemp("injection")
    scenario = root / "molinj.yaml"
    scenario.write_text("2024:\n  bups:\n    molecules_ciblees:\n      molecules: ["
                        + ", ".join(map(_yaml, NAMES)) + "]\n", encoding="utf-8")
    molecules = root / "inj.csv"
    header = (DATA / "molecules.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "pharmacie_id,exercice,molecule,nb_boites,taux_depart_pct,taux_arrivee_pct"
    rows = "".join(f'PH-TILLEULS,2024,"{name.replace(chr(34), chr(34) * 2)}",10,10,20\n' for name in NAMES)
    molecules.write_text(header + "\n" + rows, encoding="utf-8")
    for fmt in ("csv", "csv-fr", "xlsx"):
        result = CliRunner().invoke(main, ["compute", str(DATA / "pharmacies.csv"), "--molecules", str(molecules),
                                           "--parametres", str(scenario), "-o", str(root / fmt), "--format", fmt])
        assert result.exit_code == 0, result.output
    return root


def _csv_rows(path: Path, fmt: str) -> list[dict]:
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""), delimiter=";"))


def _xlsx_rows(path: Path, sheet: str) -> list[dict]:
    ws = load_workbook(path)[sheet]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row)) for row in ws.iter_rows(min_row=2)]


def _molecule_lines(rows: list[dict], value=lambda v: v) -> set:
    return {value(r["valeur"]) for r in rows if value(r["pharmacie_id"]) == "PH-TILLEULS"
            and str(value(r["exercice"])) == "2024" and value(r["indicateur"]) == "molecules_ciblees"}


@pytest.mark.parametrize("fmt", ["csv", "csv-fr"])
def test_csv_files_write_formula_like_molecules_with_a_quote(outputs, fmt):
    lines = _csv_rows(outputs / fmt / "lignes.csv", fmt)
    assert _molecule_lines(lines) == WRITTEN
    for name in ("lignes.csv", "totaux.csv"):
        for row in _csv_rows(outputs / fmt / name, fmt):
            for column, cell in row.items():
                assert not cell.startswith(RISKY) or PLAIN[fmt].fullmatch(cell), (name, column, cell)


def test_xlsx_writes_them_as_text_cells_with_a_quote_and_holds_no_formula(outputs):
    path = outputs / "xlsx" / "resultats.xlsx"
    for ws in load_workbook(path):
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type in ("s", "inlineStr") and not cell.value.startswith(RISKY), cell.coordinate
    assert _molecule_lines(_xlsx_rows(path, "lignes"), lambda c: c.value) == WRITTEN
    # The text a spreadsheet shows is the one of the contract's lignes.csv, apostrophe included.
    assert _molecule_lines(_xlsx_rows(path, "lignes"), lambda c: c.value) == \
        _molecule_lines(_csv_rows(outputs / "csv" / "lignes.csv", "csv"))


def _malus(rows: list[dict], value=lambda v: v) -> dict:
    return next(r for r in rows if value(r["pharmacie_id"]) == "PH-GARE" and str(value(r["exercice"])) == "2024"
                and value(r["indicateur"]) == "malus_urgence")


def test_negative_amounts_stay_numbers(outputs):
    # PH-GARE 2024: a BUPS malus (urgence), a negative amount in each format.
    amount = _malus(_csv_rows(outputs / "csv" / "lignes.csv", "csv"))["montant_eur"]
    assert re.fullmatch(r"-\d+\.\d\d", amount)
    assert _malus(_csv_rows(outputs / "csv-fr" / "lignes.csv", "csv-fr"))["montant_eur"] == amount.replace(".", ",")
    cell = _malus(_xlsx_rows(outputs / "xlsx" / "resultats.xlsx", "lignes"), lambda c: c.value)["montant_eur"]
    assert cell.data_type == "n" and Decimal(str(cell.value)) == Decimal(amount) and "€" in cell.number_format


def test_only_formula_like_texts_are_neutralised():
    import numpy as np
    import pandas as pd

    from rosp_lib.lines.csvfile import neutralised_frame

    frame = pd.DataFrame({
        "texte": pd.Series(["=1+2", "-12.50", "+3", "-cmd", "a=b", None, -4, 2.5], dtype=object),
        "chaine": pd.Series(["@x", "-1.5", None, "\tx", "\rx", "ok", "-", "+"], dtype="str"),
        "entier": np.array([-1, -2, 0, 3, 4, 5, 6, 7], dtype=np.int64),
        "reel": np.array([-1.5] * 8),
    })
    out = neutralised_frame(frame)
    # a text that is a number is neutralised too (a name « -12.50 » would become a number): neutralised_frame
    # serves the csv-fr and xlsx files, whose amounts are numbers (or written after it)
    assert out["texte"].tolist() == ["'=1+2", "'-12.50", "'+3", "'-cmd", "a=b", None, -4, 2.5]
    assert out["chaine"].tolist()[:2] == ["'@x", "'-1.5"] and out["chaine"].tolist()[3:] == \
        ["'\tx", "'\rx", "ok", "'-", "'+"]
    inner = neutralised_frame(pd.DataFrame({"nom": ["Pharmacie;=cmd", "a ; b", "x,-1"]}))["nom"].tolist()
    assert inner == ["Pharmacie;'=cmd", "a ; b", "x,'-1"]
    assert out["chaine"].dtype == frame["chaine"].dtype
    assert out["entier"].tolist() == [-1, -2, 0, 3, 4, 5, 6, 7] and out["reel"].tolist() == [-1.5] * 8
    assert frame["texte"].tolist()[0] == "=1+2"  # the frame given is not changed


def test_a_control_character_in_a_molecule_name_is_written_visibly_in_the_workbook(tmp_path):
    # XLSX forbids most control characters: openpyxl raised IllegalCharacterError, a traceback after the computation.
    # A file holding one is now refused (tests/test_inputs_audit9.py); a table built by a library caller may still.
    from rosp_lib.engine import compute, totals
    from rosp_lib.inputs import read_molecules, read_pharmacies
    from rosp_lib.lines.spreadsheet import write_xlsx

    molecules = tmp_path / "m.csv"
    header = (DATA / "molecules.csv").read_text(encoding="utf-8").splitlines()[0]
    molecules.write_text(header + "\nPH-TILLEULS,2024,sita\x01gliptine,486,85,93\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["compute", str(DATA / "pharmacies.csv"), "--molecules", str(molecules),
                                       "-o", str(tmp_path / "o"), "--format", "xlsx"])
    assert result.exit_code == 2 and "(U+0001 au caractère 5)" in result.output and not (tmp_path / "o").exists()
    pharmacies = read_pharmacies(DATA / "pharmacies.csv")
    table = read_molecules(DATA / "molecules.csv", pharmacies)
    first = table.index[(table["exercice"] == 2024) & (table["molecule"] == "sitagliptine")][0]
    table.loc[first, "molecule"] = "sita\x01gliptine"
    lines = compute(pharmacies, table, None)
    with open(tmp_path / "resultats.xlsx", "wb") as fh:
        write_xlsx(lines, totals(lines, pharmacies), fh)
    valeurs = {row["valeur"].value for row in _xlsx_rows(tmp_path / "resultats.xlsx", "lignes")}
    assert any(str(v).startswith("sita\\x01gliptine : ") for v in valeurs)


# --------------------------------------------------------------------------------------------
# the input slices of a report folder: neutralised, and read back to the values they were made of
# --------------------------------------------------------------------------------------------
SLICE_NAMES = ['=HYPERLINK("http://e")', "-2+3", "@SUM(1+1)", "'=préfixe de texte", "''=apostrophe gardée", "'apostrophe",
         "+33 1 23", "-534.90", "Officine;=cmd|' /C calc'!A0", "Officine, -2+3", "a;'=b", "a ; b"]
# As a spreadsheet reads them: « ' » before a formula start is the text prefix (Excel's « '=x » is the text =x)
SLICE_MEANT = ['=HYPERLINK("http://e")', "-2+3", "@SUM(1+1)", "=préfixe de texte", "'=apostrophe gardée", "'apostrophe",
         "+33 1 23", "-534.90", "Officine;=cmd|' /C calc'!A0", "Officine, -2+3", "a;'=b", "a ; b"]


def test_report_folder_slices_are_neutralised_and_read_back_as_the_input(tmp_path):
    """The slices were neutralised, then read back apostrophe and all: report titles and claim drafts showed
    « '=HYPERLINK(…) » where the index showed the name (audit)."""
    from rosp_lib.batch.folders import Slices
    from rosp_lib.inputs import read_inputs

    ph = tmp_path / "p.csv"
    ph.write_text("pharmacie_id;exercice;nom\n" + "".join(f'PH-{i};2024;"{n.replace(chr(34), 2 * chr(34))}"\n'
                                                            for i, n in enumerate(SLICE_NAMES)), encoding="utf-8")
    mol = tmp_path / "m.csv"
    mol.write_text("pharmacie_id;exercice;molecule;nb_boites;taux_depart_pct;taux_arrivee_pct\n"
                   + "".join(f'PH-{i};2024;"{n.replace(chr(34), 2 * chr(34))}";10;70;80\n' for i, n in enumerate(SLICE_NAMES)),
                   encoding="utf-8")
    original, original_mol = read_inputs(ph, mol)
    assert original["nom"].tolist() == SLICE_MEANT and original_mol["molecule"].tolist() == SLICE_MEANT
    slices = Slices(ph, mol)
    for i, name in enumerate(SLICE_MEANT):
        folder = tmp_path / f"PH-{i}"
        folder.mkdir()
        for file, data in slices.files(f"PH-{i}", 2024).items():
            (folder / file).write_bytes(data)
        written = list(csv.reader(io.StringIO((folder / "entree.csv").read_text(encoding="utf-8"))))[1:]  # sep=,
        cell = written[1][written[0].index("nom")]
        # a spreadsheet opening the slice runs nothing: no cell starts like a formula, and the first line tells Excel
        # to cut at « , » only (a French Excel cuts at « ; »: « Officine;=cmd » would make a cell « =cmd »)
        assert not cell.startswith(("=", "+", "-", "@"))
        assert (folder / "entree.csv").read_bytes().startswith(b"sep=,\n")
        assert (folder / "molecules.csv").read_bytes().startswith(b"sep=,\n")
        back, back_mol = read_inputs(folder / "entree.csv", folder / "molecules.csv")
        assert (back.at[0, "nom"], back_mol.at[0, "molecule"]) == (name, name)


def test_report_folder_statement_slices_are_neutralised_and_read_back_as_the_statement(tmp_path):
    """The statement's slice (versements.csv of a report folder) was written by a plain csv.writer: a label
    « =HYPERLINK(…) » stayed a formula there (audit)."""
    from rosp_lib.batch.folders import versements_by_pharmacy_year
    from rosp_lib.counterfactual.versements import read_versements
    from rosp_lib.inputs import read_pharmacies

    pharmacies = read_pharmacies(DATA / "pharmacies.csv")
    labels = ['=HYPERLINK("http://e")', "@SUM(1+1)", "-ROSP", "'=préfixe"]
    statement = tmp_path / "versements.csv"
    statement.write_text("pharmacie_id;exercice;theme;montant_verse_eur;libelle_releve\n" + "".join(
        f'PH-TILLEULS;2024;{theme};100,00;"{label.replace(chr(34), 2 * chr(34))}"\n'
        for theme, label in zip(("numerique", "bups", "vaccination", "colorectal"), labels)), encoding="utf-8")
    table = read_versements(statement, pharmacies)
    meant = table["libelle_releve"].tolist()
    assert meant == ['=HYPERLINK("http://e")', "@SUM(1+1)", "-ROSP", "=préfixe"]
    data = versements_by_pharmacy_year(table)[("PH-TILLEULS", 2024)]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert not [r for r in rows[1:] if r[-1].startswith(("=", "+", "-", "@"))]
    copy = tmp_path / "copie.csv"
    copy.write_bytes(data)
    assert read_versements(copy, pharmacies)["libelle_releve"].tolist() == meant


def test_an_apostrophe_the_user_typed_inside_a_text_is_read_as_typed(tmp_path):
    """Reading removed a `'` typed after a comma before a minus (« Régularisation, '-120 €' retenus » read
    « Régularisation, -120 €' retenus »), taken for a prefix this project writes: only a leading one is its own."""
    from rosp_lib.counterfactual.versements import read_versements
    from rosp_lib.inputs import read_pharmacies

    pharmacies = read_pharmacies(DATA / "pharmacies.csv")
    statement = tmp_path / "versements.csv"
    label = "Régularisation, '-120 €' retenus, '=x"
    statement.write_text("pharmacie_id;exercice;theme;montant_verse_eur;libelle_releve\n"
                         f"PH-TILLEULS;2024;numerique;100,00;{label}\n", encoding="utf-8")
    assert read_versements(statement, pharmacies)["libelle_releve"].tolist() == [label]


def test_the_workbook_has_no_apostrophe_inside_a_text(tmp_path):
    """A workbook cell is never cut by a separator: only a leading formula start gets its `'` there."""
    from rosp_lib.lines.csvfile import neutralised_frame
    import pandas as pd

    frame = pd.DataFrame({"valeur": ["x;=cmd", "=y", "a, -b"]})
    assert neutralised_frame(frame, inner=False)["valeur"].tolist() == ["x;=cmd", "'=y", "a, -b"]
    assert neutralised_frame(frame)["valeur"].tolist() == ["x;'=cmd", "'=y", "a, '-b"]
