"""Pharmacy rates are exact decimals end to end: what the user sees is the value typed, not its float.

« 84,99999999999999999 » reads as the float 85.0. The rules compare the exact value (below the socle of 85 %),
but the lines, the result files, the gains and the reports showed the float: « 85 » beside « non atteint », and
a gain « de 85 % à 85,01 % ». Each input is written here as a user writes it; the expected figures are
worked out by hand from the parameters of the exercise (parameters/<exercice>.yaml).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import matplotlib
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

matplotlib.use("Agg")

from helpers_rules import cents, write_csv  # noqa: E402
from rosp_lib.cli import main  # noqa: E402
from rosp_lib.counterfactual.gains import gains_table  # noqa: E402
from rosp_lib.engine import compute, parameters_for  # noqa: E402
from rosp_lib.inputs import read_molecules, read_pharmacies  # noqa: E402
from rosp_lib.lines.spreadsheet import PERCENT_FORMAT  # noqa: E402

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
    assert gen["valeur"] == "84.99999999999999999"  # was « 85.0 », then « 85 »
    assert gen["entrees"] == "taux_generiques_repertoire_pct=84,99999999999999999"  # was « =85 »
    assert gen["atteint"] == "non" and gen["montant_eur"] == "0.00"
    # the socle lost, the whole theme is at 0 € (démarche qualité 100 € and stabilité 400 € not paid)
    assert sum(Decimal(r["montant_eur"]) for r in rows if r["pharmacie_id"] == "PH-0" and r["theme"] == "bups") == 0
    # the rates written as usual show as before
    assert (mine["dmp"]["valeur"], mine["dmp"]["entrees"]) == ("92", "taux_dmp_pct=92")
    assert (mine["scor"]["valeur"], mine["scor"]["entrees"]) == ("99.5", "taux_qualite_scor_pct=99,5")
    assert (mine["stabilite_75"]["valeur"], mine["stabilite_75"]["entrees"]) == ("96", "taux_stabilite_75_pct=96")
    exact85 = by_indicator(rows, "PH-1")["generiques_repertoire"]
    assert (exact85["valeur"], exact85["entrees"], exact85["atteint"]) == ("85", "taux_generiques_repertoire_pct=85",
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
    # whole rates (80, 81 … 89) are integers, as typed; the others floats; the misstated one exact
    assert [type(v) for v in values] == [int if i % 10 == 0 else Decimal if i == 37 else float for i in range(100)]
    assert values[37] == Decimal("84.99999999999999999") and gen.at["PH-37", "atteint"] == "non"
    assert gen.at["PH-37", "entrees"] == "taux_generiques_repertoire_pct=84,99999999999999999"
    assert values[61] == 84.995 and gen.at["PH-61", "entrees"] == "taux_generiques_repertoire_pct=84,995"
    assert values[50] == 85 and gen.at["PH-50", "entrees"] == "taux_generiques_repertoire_pct=85"
    assert (gen["atteint"] == "oui").sum() == 49  # 85,0 to 89,9 but 86,1 (row 61)


# --------------------------------------------------------------------------------------------
# gains
# --------------------------------------------------------------------------------------------
def test_gains_start_from_the_exact_rate(lossy_file, tmp_path):
    invoke("gains", lossy_file, "--date", "2024-06-01", "-o", tmp_path)
    rows = [r for r in csv.DictReader((tmp_path / "gains.csv").open(encoding="utf-8", newline=""))
            if r["colonne"] == "taux_generiques_repertoire_pct"]
    assert len(rows) == 1
    g = rows[0]
    # was « de 85 % à 85,01 % », 85 → 85,01: 85 itself, the first hundredth above the value, meets the socle
    assert g["action"].startswith("porter « pénétration des génériques sur l'ensemble du répertoire » (taux_generiques_repertoire_pct) de "
                                   "84,99999999999999999 % à 85 % : ")
    assert (g["pharmacie_id"], g["valeur_actuelle"], g["valeur_cible"]) == ("PH-0", "84,99999999999999999", "85")
    assert g["gain_eur"] == "500.00"  # the socle met, the theme pays: démarche qualité 100 € + stabilité 400 €


def test_gains_of_a_rate_between_hundredths_target_the_first_one_above(tmp_path):
    """84,996 was rounded to 85,00 before the search: the first step was 85,01."""
    ph = read_pharmacies(pharmacies_file(tmp_path, {**BUPS, "taux_generiques_repertoire_pct": "84,996"}))
    table = gains_table(ph, None, parameters_for([2024]), dt.date(2024, 6, 1))
    g = table[table["colonne"] == "taux_generiques_repertoire_pct"].iloc[0]
    assert (g["valeur_actuelle"], g["valeur_cible"], g["gain_cents"]) == ("84,996", "85", cents("100 + 400"))
    assert g["action"].startswith("porter « pénétration des génériques sur l'ensemble du répertoire » (taux_generiques_repertoire_pct) de "
                                   "84,996 % à 85 % : ")


def test_gains_of_a_decrease_start_from_the_exact_rate(tmp_path):
    """2025, malus « qualité de la facturation »: the theme pays 820 € (exercice coordonné) + 240 € (MSS) = 1 060 €.
    FSE sécurisées 66 % for a target of 71 % (gap 5, not more than 5 → 4 points), rejets IRIS 3,00000000000000001 %
    (> 3 % → 9 points; its float is 3.0), double paiement 0,02 % (0 point): 13 points → malus 20 % (212 €).
    IRIS at 3 % exactly (≥ 2 %, not > 3 % → 3 points): 7 points → 10 % (106 €), +106 €; the float would have
    said 3 % already, and the search started one hundredth below it (2,99 %)."""
    row = {"exercice_coordonne": "oui", "logiciel_segur": "oui", "taux_mss_pct": "6", "nb_factures_periode_malus": "30000",
           "taux_fse_securisees_pct": "66", "taux_rejets_iris_pct": "3,00000000000000001",
           "taux_double_paiement_pct": "0,02"}
    ph = read_pharmacies(pharmacies_file(tmp_path, row, exercice=2025))
    params = parameters_for([2025])
    lines = compute(ph, None, params)
    iris = lines.set_index("indicateur").loc["facturation_rejets_iris"]
    assert iris["valeur"] == Decimal("3.00000000000000001") and iris["note"] == "9 points"
    assert iris["entrees"] == "taux_rejets_iris_pct=3,00000000000000001"
    assert int(lines["montant_cents"].sum()) == cents("1060 - 1060 * 20 / 100")
    table = gains_table(ph, None, params, dt.date(2025, 6, 1)).set_index("colonne")
    g = table.loc["taux_rejets_iris_pct"]
    assert g["action"].startswith("baisser « rejets IRIS » (taux_rejets_iris_pct) de 3,00000000000000001 % à 3 % : ")
    assert (g["valeur_actuelle"], g["valeur_cible"]) == ("3,00000000000000001", "3")
    assert g["gain_cents"] == cents("1060 * 20 / 100 - 1060 * 10 / 100")
    fse = table.loc["taux_fse_securisees_pct"]  # a rate written as usual: as before
    assert (fse["valeur_actuelle"], fse["valeur_cible"]) == ("66", "71")
    assert fse["action"].startswith("porter « FSE sécurisées » (taux_fse_securisees_pct) de 66 % à 71 % : ")


def test_gains_of_a_molecule_start_from_its_exact_arrival_rate(tmp_path):
    """2023, reading « plancher »: sitagliptine paid 2,30 € a box substituted when its arrival rate is above
    72 %. 300 boxes at 71,99999999999999999 % (float 72.0): below the floor, 0 €. At 72,01 %:
    2,30 × 300 × 72,01 / 100 = 496,869 → 496,87 €; at 100 %: 2,30 × 300 = 690 €."""
    ph = read_pharmacies(pharmacies_file(tmp_path, {**BUPS, "taux_generiques_repertoire_pct": "90"}, exercice=2023))
    mols = read_molecules(write_csv(tmp_path / "molecules.csv", [
        {"pharmacie_id": "PH-0", "exercice": 2023, "molecule": "sitagliptine", "nb_boites": 300,
         "taux_depart_pct": "50", "taux_arrivee_pct": "71,99999999999999999"}], sep=";"), ph)
    params = parameters_for([2023])
    line = compute(ph, mols, params).set_index("indicateur").loc["molecules_ciblees"]
    assert line["montant_cents"] == 0 and line["atteint"] == "non"
    assert line["valeur"] == "sitagliptine : 300 boîtes, 50 % → 71,99999999999999999 %"  # was « → 72 % »
    assert line["entrees"].endswith("taux_arrivee_pct=71,99999999999999999")
    table = gains_table(ph, mols, params, dt.date(2023, 6, 1))
    table = table[table["colonne"] == "taux_arrivee_pct (sitagliptine)"].set_index("valeur_cible")
    assert sorted(table.index) == ["100", "72,01"]
    floor, top = table.loc["72,01"], table.loc["100"]
    assert floor["action"].startswith("porter « taux de substitution d'arrivée » (taux_arrivee_pct) de sitagliptine de "
                                       "71,99999999999999999 % à 72,01 %")
    assert floor["valeur_actuelle"] == top["valeur_actuelle"] == "71,99999999999999999"  # was « 72 »
    assert floor["gain_cents"] == cents("2.3 * 300 * 72.01 / 100") and top["gain_cents"] == cents("2.3 * 300")


# --------------------------------------------------------------------------------------------
# reports
# --------------------------------------------------------------------------------------------
@pytest.fixture
def lossy_report(lossy_file):
    from rosp_lib.report import notebook as nb

    return nb.load("PH-0", 2024, str(lossy_file))


def test_report_distances_keep_the_exact_rate(lossy_report):
    from rosp_lib.report import notebook as nb

    d = nb.distances(lossy_report, "bups").set_index("indicateur")
    assert d.at["generiques_repertoire", "valeur"] == Decimal("84.99999999999999999")
    assert d.at["generiques_repertoire", "ecart"] == pytest.approx(-1e-17, rel=1e-9)  # below, not at, 85
    assert d.at["stabilite_75", "valeur"] == 96.0  # a float, as before
    labels = dict(nb.bar_labels(nb.chart_distances(d.reset_index())))
    assert labels["Pénétration des génériques sur le répertoire (socle)"] == "84,99999999999999999 pour ≥ 85"


def test_report_explorer_shows_and_keeps_the_exact_rate(lossy_report):
    from rosp_lib.report import notebook as nb

    ex = nb.Explorer(lossy_report, "bups")
    ctl = ex.controls["taux_generiques_repertoire_pct"]
    assert ctl.value == "84,99999999999999999"  # was « 85 »
    assert ex.controls["taux_stabilite_75_pct"].value == "96"
    assert ex.total_cents == 0
    ctl.value = "85"
    assert ex.total_cents == cents("100 + 400")
    ctl.value = "84,99999999999999999"  # typed: read exactly, as the reader does (its float was 85: 500 €)
    assert ex.total_cents == 0
    assert nb.parse_number("84,99999999999999999", "rate", None) == (Decimal("84.99999999999999999"), "")


def test_report_reason_of_a_theme_shows_the_exact_rate(tmp_path):
    from rosp_lib.report import notebook as nb

    # 2022 (no socle gates the theme), DMP at 89,99999999999999999 % for « ≥ 90 % » (its float is 90.0): no line pays
    path = pharmacies_file(tmp_path, {"taux_dmp_pct": "89,99999999999999999"}, exercice=2022)
    rep = nb.load("PH-0", 2022, str(path))
    dmp = rep.theme_lines("numerique").set_index("indicateur").loc["dmp"]
    assert dmp["atteint"] == "non" and dmp["seuil"] == "≥ 90 %"
    reason = nb.theme_reason(rep, "numerique")
    assert reason.startswith("0 ligne d'indicateur payée")
    assert "(89,99999999999999999 ; seuil : ≥ 90 %)" in reason  # was « (89.99999999999999999 … » or « (90 … »


def test_long_bar_labels_stay_inside_the_chart():
    """A rate typed with many digits made a bar label that ran over the tick labels (seen on a rendered report):
    the x range now holds every label, on both sides of the threshold."""
    import pandas as pd

    from rosp_lib.report import notebook as nb

    dist = pd.DataFrame({"indicateur": ["a", "b", "c"], "libelle": ["Stabilité aux 75 ans et plus", "Socle", "ASAFO"],
                         "valeur": [Decimal("84.99999999999999999"), Decimal("84.99999999999999999"), 60.0],
                         "seuil": [90, 85, 4], "comparaison": ["≥", "≥", "≥"], "ecart": [-5.0, -1e-17, 56.0]})
    fig = nb.chart_distances(dist)
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    for text in ax.texts:
        box = text.get_window_extent(renderer)
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1, text.get_text()


# --------------------------------------------------------------------------------------------
# A what-if written straight into the table (a notebook user's `df.loc[...] = …`, not `set_rate`)
# --------------------------------------------------------------------------------------------
def _generiques(frame) -> tuple:
    line = compute(frame).set_index(["pharmacie_id", "indicateur"]).loc[("PH-0", "generiques_repertoire")]
    return line["valeur"], line["atteint"]


def test_a_rate_changed_in_the_table_is_compared_as_changed(tmp_path):
    """2024 socle « génériques du répertoire ≥ 85 % ». The reader keeps each rate's exact value beside its float;
    a float changed in the DataFrame used to be shown changed and compared unchanged (85 edited to 84: « 84 »,
    atteint « oui »)."""
    frame = read_pharmacies(pharmacies_file(tmp_path, {**BUPS, "taux_generiques_repertoire_pct": "85"}))
    assert _generiques(frame) == (85, "oui")
    frame.loc[0, "taux_generiques_repertoire_pct"] = 84.0
    assert _generiques(frame) == (84, "non")


def test_a_lossy_rate_changed_in_the_table_is_compared_as_changed(tmp_path):
    """84,99999999999999999 (float 85.0, below 85) edited to 90: met (it stayed « 84,99999999999999999 », non);
    left as read, it keeps its exact value."""
    frame = read_pharmacies(pharmacies_file(tmp_path, {**BUPS, "taux_generiques_repertoire_pct": LOSSY}))
    assert _generiques(frame) == (Decimal(LOSSY.replace(",", ".")), "non")
    frame.loc[0, "taux_generiques_repertoire_pct"] = 90.0
    assert _generiques(frame) == (90, "oui")
    frame.loc[0, "taux_generiques_repertoire_pct"] = float("nan")  # emptied: unknown, the socle not met
    assert _generiques(frame)[1] == "donnée manquante"


def test_a_molecule_rate_changed_in_the_table_is_paid_as_changed(tmp_path):
    """2023, reading « plancher » (see above): 300 boxes of sitagliptine arriving at 71,99999999999999999 % are
    below the 72 % floor (0 €); the arrival rate edited to 80 in the DataFrame pays 2,30 × 300 × 80 / 100 = 552 €
    (it paid 0 €: the rule read only the exact twin)."""
    ph = read_pharmacies(pharmacies_file(tmp_path, {**BUPS, "taux_generiques_repertoire_pct": "90"}, exercice=2023))
    mols = read_molecules(write_csv(tmp_path / "molecules.csv", [
        {"pharmacie_id": "PH-0", "exercice": 2023, "molecule": "sitagliptine", "nb_boites": 300,
         "taux_depart_pct": "50", "taux_arrivee_pct": "71,99999999999999999"}], sep=";"), ph)
    mols.loc[0, "taux_arrivee_pct"] = 80.0
    line = compute(ph, mols, parameters_for([2023])).set_index("indicateur").loc["molecules_ciblees"]
    assert line["valeur"] == "sitagliptine : 300 boîtes, 50 % → 80 %"
    assert line["montant_cents"] == cents("2.3 * 300 * 80 / 100")


def test_many_rows_changed_in_the_table_are_each_compared_as_changed(tmp_path):
    """The same rule on a table past the few-rows path (coded per distinct exact value): the 70 rows read
    85 % then edited on the odd rows to 84 % are met on the even rows only."""
    frame = read_pharmacies(pharmacies_file(tmp_path, *[{**BUPS, "taux_generiques_repertoire_pct": "85"}] * 70))
    frame.loc[frame.index[1::2], "taux_generiques_repertoire_pct"] = 84.0
    lines = compute(frame)
    met = lines[lines["indicateur"] == "generiques_repertoire"].set_index("pharmacie_id")["atteint"]
    assert [met[f"PH-{i}"] for i in range(70)] == ["oui", "non"] * 35


def test_a_rate_column_cast_to_float32_changes_no_amount():
    """A float32 column (to save memory) is no edit: each value is still its exact value's float, in float32.
    2024 malus « qualité de la facturation »: 0,06 % of double payments is at the threshold « ≥ 0,06 »; its
    float32 is 0,0599999986 — read as an edit, the malus point was lost (+1 298,40 € on the example file, review)."""
    from pathlib import Path

    data = Path(__file__).resolve().parent.parent / "data" / "pharmacies.csv"
    frame = read_pharmacies(data)
    frame["taux_double_paiement_pct"] = 0.06
    frame["taux_double_paiement_pct_exact"] = Decimal("0.06")
    as_float64 = compute(frame)
    as_float32 = compute(frame.astype({c: "float32" for c in frame.columns
                                       if c.endswith("_pct") and frame[c].dtype == "float64"}))
    malus = as_float64[as_float64["indicateur"] == "malus_qualite_facturation"]
    assert (malus["montant_cents"] < 0).any()  # the threshold point counts somewhere: the test can fail
    assert as_float32["montant_cents"].tolist() == as_float64["montant_cents"].tolist()


def test_the_exact_rule_of_a_cell_and_of_a_column_agree():
    """`exact_of` (one cell) and `current_exact` (a column) are one rule: unknown exact values (None, NaN, a Decimal
    NaN after a concat or a reindex) give None beside an unknown float; an edited -0.0 is 0; an infinite float is
    unknown (it crashed the molecule premium)."""
    import numpy as np

    from rosp_lib.lines.text import current_exact, exact_of

    exact = np.array([None, float("nan"), Decimal("NaN"), Decimal("85"), Decimal("85"), Decimal("84.99999999999999999"),
                      None, Decimal("70"), Decimal("70")] + [Decimal("1")] * 70, dtype=object)
    floats = np.array([np.nan, np.nan, np.nan, 85.0, 84.0, 85.0, 12.5, -0.0, np.inf] + [1.0] * 70)
    expected = [None, None, None, Decimal("85"), Decimal("84"), Decimal("84.99999999999999999"), Decimal("12.5"),
                Decimal("0"), None] + [Decimal("1")] * 70
    assert [exact_of(f, e) for f, e in zip(floats.tolist(), exact)] == expected
    for rows in (slice(0, 9), slice(None)):  # the few-rows path and the coded one
        assert current_exact(exact[rows], floats[rows]).tolist() == expected[rows]
    assert str(exact_of(-0.0, None)) == "0"


def test_the_strong_gap_of_the_secured_fse_rate_is_tested_exactly(tmp_path):
    """2024 malus « qualité de la facturation »: target ≥ 69 % of secured FSE; a gap of more than 5 points gives
    12 points, a smaller one 4 (parameters/2024.yaml). 63,99999999999999999 % is 5,00000000000000001 points under
    the target — more than 5 — even though its float is 64.0, which is exactly 5 points under it."""
    common = {"exercice_coordonne": "oui", "logiciel_segur": "oui", "taux_mss_pct": "6",
              "nb_factures_periode_malus": "30000", "taux_rejets_iris_pct": "0", "taux_double_paiement_pct": "0"}
    rates = ["63,99999999999999999", "64", "64,00000000000000001", "63,9999"]
    src = pharmacies_file(tmp_path, *({**common, "taux_fse_securisees_pct": r} for r in rates))
    invoke("compute", src, "-o", tmp_path / "out")
    rows = list(csv.DictReader((tmp_path / "out" / "lignes.csv").open(encoding="utf-8", newline="")))
    points = {r["pharmacie_id"]: r["note"].split(" ; ")[0] for r in rows
              if r["indicateur"] == "facturation_fse_securisees"}
    assert points == {"PH-0": "12 points", "PH-1": "4 points", "PH-2": "4 points", "PH-3": "12 points"}
    malus = {r["pharmacie_id"]: r["valeur"] for r in rows if r["indicateur"] == "malus_qualite_facturation"}
    assert malus == {"PH-0": "12", "PH-1": "4", "PH-2": "4", "PH-3": "12"}
