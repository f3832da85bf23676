"""`rosp compute --format csv-fr | xlsx`: results that open well in a French spreadsheet."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from rosp_lib.cli import main

DATA = Path(__file__).resolve().parent.parent / "data"


def run(fmt: str, out: Path):
    result = CliRunner().invoke(main, ["compute", str(DATA / "pharmacies.csv"), "--molecules",
                                       str(DATA / "molecules.csv"), "-o", str(out), "--format", fmt])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    root = tmp_path_factory.mktemp("tableur")
    run("csv-fr", root / "fr")
    run("xlsx", root / "xlsx")
    return root


def test_csv_fr_has_bom_semicolons_and_decimal_commas(out):
    raw = (out / "fr" / "totaux.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfpharmacie_id;exercice;numerique;")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    tilleuls = next(r for r in rows if r["pharmacie_id"] == "PH-TILLEULS" and r["exercice"] == "2024")
    # PH-TILLEULS 2024: 7 890,91 € in total, of which BUPS 975,91 € (100 + 101,99 + 53,48 + 20,44 + 400 + 100
    # + 200; worked out in test_notebook_helpers.test_range_across_readings_and_stakes).
    assert tilleuls["total"] == "7890,91" and tilleuls["bups"] == "975,91"
    lines = list(csv.DictReader(io.StringIO((out / "fr" / "lignes.csv").read_text(encoding="utf-8-sig")), delimiter=";"))
    scor = next(r for r in lines if r["pharmacie_id"] == "PH-TILLEULS" and r["exercice"] == "2024"
                and r["indicateur"] == "scor")
    assert scor["valeur"] == "99,5" and scor["montant_eur"] == "100,00"
    assert not (out / "fr" / "resultats.xlsx").exists()


def test_xlsx_has_two_sheets_with_euros_percents_frozen_header_and_filters(out):
    path = out / "xlsx" / "resultats.xlsx"
    assert sorted(p.name for p in path.parent.iterdir()) == ["resultats.xlsx"]
    wb = load_workbook(path)
    assert wb.sheetnames == ["totaux", "lignes"]
    tot, lines = wb["totaux"], wb["lignes"]
    for ws in (tot, lines):
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == ws.dimensions
    header = [c.value for c in tot[1]]
    row = next(r for r in tot.iter_rows(min_row=2) if r[0].value == "PH-TILLEULS" and r[1].value == 2024)
    total = row[header.index("total")]
    assert Decimal(str(total.value)) == Decimal("7890.91") and "€" in total.number_format
    lh = [c.value for c in lines[1]]
    fse = next(r for r in lines.iter_rows(min_row=2) if r[0].value == "PH-TILLEULS" and r[1].value == 2024
               and r[lh.index("indicateur")].value == "fse")
    valeur, montant = fse[lh.index("valeur")], fse[lh.index("montant_eur")]
    assert valeur.value == pytest.approx(0.97) and "%" in valeur.number_format  # 97 % of FSE in SESAM-Vitale
    assert Decimal(str(montant.value)) == Decimal("2800.00") and "€" in montant.number_format
    assert lh[-3:] == ["entrees", "hypotheses", "scenario"]
