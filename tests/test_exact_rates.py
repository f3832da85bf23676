"""Pharmacy rates are exact decimals end to end: what the user sees is the value typed, not its float.

« 84,99999999999999999 » reads as the float 85.0. The rules compare the exact value (below the socle of 85 %),
but the lines, the result files, the gains and the reports showed the float: « 85 » beside « non atteint », and
a gain « de 85 % à 85,01 % ». Each input is written here as a user writes it; the expected figures are
worked out by hand from the parameters of the exercise (parameters/<exercice>.yaml).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from helpers_rules import cents, write_csv
from rosp_lib.cli import main
from rosp_lib.engine import compute
from rosp_lib.inputs import read_pharmacies
from rosp_lib.lines.spreadsheet import PERCENT_FORMAT

LOSSY = "84,99999999999999999"  # its float is 85.0; the 2024 socle is « ≥ 85 % »
# BUPS 2024 with every other item met: démarche qualité (socle, 100 €), stabilité 96 % ≥ 95 % (400 €)
BUPS = {"dqo_autoevaluation": "oui", "dqo_newsletter": "oui", "dqo_programme_amelioration": "oui",
        "taux_stabilite_75_pct": "96"}
# two rates written as usual, that must show as before
NORMAL = {"taux_dmp_pct": "92", "taux_qualite_scor_pct": "99,5"}


def invoke(*args) -> None:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output


def pharmacies_file(tmp_path: Path, *rows: dict, exercice: int = 2024) -> Path:
    rows = [{"pharmacie_id": f"PH-{i}", "exercice": exercice, **r} for i, r in enumerate(rows)]
    return write_csv(tmp_path / "pharmacies.csv", rows, sep=";")


def by_indicator(rows: list[dict], pid: str = "PH-0") -> dict[str, dict]:
    return {r["indicateur"]: r for r in rows if r["pharmacie_id"] == pid}


@pytest.fixture(scope="module")
def lossy_file(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("exact")
    return pharmacies_file(tmp, {**BUPS, **NORMAL, "taux_generiques_repertoire_pct": LOSSY},
                           {**BUPS, **NORMAL, "taux_generiques_repertoire_pct": "85"})


# --------------------------------------------------------------------------------------------
# lignes.csv, csv-fr, xlsx
# --------------------------------------------------------------------------------------------
def test_lines_show_the_rate_typed_where_its_float_misstates_it(lossy_file, tmp_path):
    invoke("compute", lossy_file, "-o", tmp_path)
    rows = list(csv.DictReader((tmp_path / "lignes.csv").open(encoding="utf-8", newline="")))
    mine = by_indicator(rows)
    gen = mine["generiques_repertoire"]
    assert gen["valeur"] == "84.99999999999999999"  # was « 85.0 »
    assert gen["entrees"] == "taux_generiques_repertoire_pct=84,99999999999999999"  # was « =85 »
    assert gen["atteint"] == "non" and gen["montant_eur"] == "0.00"
    # the socle lost, the whole theme is at 0 € (démarche qualité 100 € and stabilité 400 € not paid)
    assert sum(Decimal(r["montant_eur"]) for r in rows if r["pharmacie_id"] == "PH-0" and r["theme"] == "bups") == 0
    # the rates written as usual show as before
    assert (mine["dmp"]["valeur"], mine["dmp"]["entrees"]) == ("92.0", "taux_dmp_pct=92")
    assert (mine["scor"]["valeur"], mine["scor"]["entrees"]) == ("99.5", "taux_qualite_scor_pct=99,5")
    assert (mine["stabilite_75"]["valeur"], mine["stabilite_75"]["entrees"]) == ("96.0", "taux_stabilite_75_pct=96")
    exact85 = by_indicator(rows, "PH-1")["generiques_repertoire"]
    assert (exact85["valeur"], exact85["entrees"], exact85["atteint"]) == ("85.0", "taux_generiques_repertoire_pct=85",
                                                                            "oui")
    total = {r["pharmacie_id"]: r["bups"] for r in csv.DictReader((tmp_path / "totaux.csv").open(encoding="utf-8"))}
    assert total == {"PH-0": "0.00", "PH-1": "500.00"}  # 100 + 400


def test_lines_never_write_a_tiny_exact_rate_with_an_exponent(tmp_path):
    """str(Decimal) writes 0,00000010000000000000000001 as « 1.0000000000000000000001E-7 »."""
    invoke("compute", pharmacies_file(tmp_path, {"taux_dmp_pct": "0,00000010000000000000000001"}), "-o", tmp_path)
    dmp = by_indicator(list(csv.DictReader((tmp_path / "lignes.csv").open(encoding="utf-8", newline=""))))["dmp"]
    assert dmp["valeur"] == "0.00000010000000000000000001"  # its float is 1e-07
    assert dmp["entrees"] == "taux_dmp_pct=0,00000010000000000000000001"


def test_malus_urgence_shows_the_rates_typed(tmp_path):
    """2024: the « urgence » rate not below the pharmacy's reference → malus 20 % of the BUPS (100 € + 400 €)."""
    row = {**BUPS, "taux_generiques_repertoire_pct": "90", "taux_urgence_pct": "2,00000000000000001",
           "taux_urgence_reference_pct": "1,5"}
    line = compute(read_pharmacies(pharmacies_file(tmp_path, row))).set_index("indicateur").loc["malus_urgence"]
    assert line["valeur"] == "2,00000000000000001 % (référence 1,5 %)"  # was « 2 % (référence 1,5 %) »
    assert line["entrees"] == "taux_urgence_pct=2,00000000000000001 ; taux_urgence_reference_pct=1,5"
    assert line["atteint"] == "malus" and line["montant_cents"] == -cents("(100 + 400) * 20 / 100")


def test_csv_fr_writes_the_rate_typed(lossy_file, tmp_path):
    invoke("compute", lossy_file, "-o", tmp_path, "--format", "csv-fr")
    text = (tmp_path / "lignes.csv").read_text(encoding="utf-8-sig")
    mine = by_indicator(list(csv.DictReader(io.StringIO(text), delimiter=";")))
    assert mine["generiques_repertoire"]["valeur"] == "84,99999999999999999"  # was « 84.99999999999999999 » or « 85 »
    assert mine["dmp"]["valeur"] == "92" and mine["scor"]["valeur"] == "99,5"


def test_xlsx_writes_the_rate_typed_as_text_where_a_number_would_misstate_it(lossy_file, tmp_path):
    invoke("compute", lossy_file, "-o", tmp_path, "--format", "xlsx")
    ws = load_workbook(tmp_path / "resultats.xlsx")["lignes"]
    header = [c.value for c in ws[1]]
    cells = {(r[0].value, r[header.index("indicateur")].value): r[header.index("valeur")] for r in ws.iter_rows(min_row=2)}
    gen = cells[("PH-0", "generiques_repertoire")]
    assert gen.value == "84,99999999999999999 %"  # a float cannot hold it: the number would be 85 %
    dmp, scor = cells[("PH-0", "dmp")], cells[("PH-0", "scor")]
    assert (dmp.value, dmp.number_format) == (pytest.approx(0.92), PERCENT_FORMAT)
    assert (scor.value, scor.number_format) == (pytest.approx(0.995), PERCENT_FORMAT)
    assert cells[("PH-1", "generiques_repertoire")].value == pytest.approx(0.85)


def test_many_rows_show_the_exact_value_only_where_the_float_misstates_it(tmp_path):
    """Above a few rows the exact values are coded once per exercise (pd.factorize): the same lines."""
    rates = [f"{80 + i / 10:.1f}".replace(".", ",") for i in range(100)]
    rates[37] = LOSSY
    rates[61] = "84,995"  # its float gives it back: a float, every digit in « entrees »
    path = pharmacies_file(tmp_path, *({**BUPS, "taux_generiques_repertoire_pct": r} for r in rates))
    lines = compute(read_pharmacies(path))
    gen = lines[lines["indicateur"] == "generiques_repertoire"].set_index("pharmacie_id")
    values = gen["valeur"].tolist()
    assert [type(v) for v in values] == [float] * 37 + [Decimal] + [float] * 62
    assert values[37] == Decimal("84.99999999999999999") and gen.at["PH-37", "atteint"] == "non"
    assert gen.at["PH-37", "entrees"] == "taux_generiques_repertoire_pct=84,99999999999999999"
    assert values[61] == 84.995 and gen.at["PH-61", "entrees"] == "taux_generiques_repertoire_pct=84,995"
    assert values[50] == 85.0 and gen.at["PH-50", "entrees"] == "taux_generiques_repertoire_pct=85"
    assert (gen["atteint"] == "oui").sum() == 49  # 85,0 to 89,9 but 86,1 (row 61)
