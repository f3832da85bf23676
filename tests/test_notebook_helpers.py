"""The notebook helpers: loading one pharmacy, explanations, recorded values and the headless explorer."""

from __future__ import annotations

import pytest

from rosp_lib.report import notebook as nb
from rosp_lib.engine import compute_file


@pytest.fixture(scope="module")
def gare(request):
    root = request.config.rootpath
    return nb.load("PH-GARE", 2024, str(root / "data/pharmacies.csv"), str(root / "data/molecules.csv"))


def test_load_refuses_unknown_pharmacy_and_exercise(data_dir):
    with pytest.raises(nb.ReportError, match="pharmacie « PH-INCONNUE » absente"):
        nb.load("PH-INCONNUE", 2024, str(data_dir / "pharmacies.csv"))
    with pytest.raises(nb.ReportError, match="n'a pas d'exercice 2022 .*exercices : 2024"):
        nb.load("PH-GARE", 2022, str(data_dir / "pharmacies.csv"))
    with pytest.raises(nb.ReportError, match="identifiant de pharmacie invalide"):
        nb.load("../etc", 2024, str(data_dir / "pharmacies.csv"))


def test_report_lines_are_those_of_rosp_compute(gare, data_dir):
    _, lines, totals = compute_file(data_dir / "pharmacies.csv", data_dir / "molecules.csv")
    mine = lines[(lines["pharmacie_id"] == "PH-GARE") & (lines["exercice"] == 2024)]
    assert gare.lines["montant_cents"].tolist() == mine["montant_cents"].tolist()
    row = totals[(totals["pharmacie_id"] == "PH-GARE") & (totals["exercice"] == 2024)].iloc[0]
    assert gare.total_cents() == row["total"]


def test_malus_is_explained_with_its_arithmetic(gare):
    # PH-GARE 2024: FSE sécurisées 66 % vs cible 69 % (gap 3 → 4 pts), IRIS 2,5 % (3 pts), double paiement
    # 0,08 % (3 pts): score 10 → 20 % of the theme before malus.
    lines = gare.theme_lines("numerique")
    before = int(lines.loc[lines["type_ligne"] != "malus", "montant_cents"].sum())
    malus = -round(before * 20 / 100)
    text = nb.gate_and_malus_text(lines)
    assert f"score 10 pts → malus 20 % × {nb.eur(before)} = {nb.eur(-malus)}" in text
    assert f"= **{nb.eur(before + malus)}**" in nb.sum_text(lines)


def test_recorded_values_match_lines(gare):
    values = nb.recorded_values(gare, "vaccination")
    # 10 RVA at 9,60 € of 200: 5 % is not strictly above the 2024 threshold of 5 % → 0 €.
    assert values == {"pharmacie_id": "PH-GARE", "exercice": 2024, "theme": "vaccination",
                      "lignes": {"vaccination.bonus_prescription": 0}, "totaux_cents": {"vaccination": 0},
                      "total_cents": 0}


def test_explorer_recomputes_when_a_control_changes(gare):
    ex = nb.Explorer(gare, "vaccination")
    assert set(ex.controls) == {"nb_rva_960", "nb_rva_750"}
    assert ex.total_cents == 0
    ex.controls["nb_rva_960"].value = 11  # 11 / 201 = 5,47 % > 5 % → 3 € × 11
    assert ex.total_cents == 3300
    assert "33,00\xa0€" in ex.total_label.value  # babel: espace insécable avant €


def test_explorer_on_a_rate_and_a_flag(gare):
    ex = nb.Explorer(gare, "dispensation_unite")
    ex.controls["nb_dispensations_unite"].value = 600  # capped at 500 €
    assert ex.total_cents == 50000
    ex = nb.Explorer(gare, "bups")
    base = ex.total_cents
    ex.controls["taux_generiques_repertoire_pct"].value = 84.99  # socle lost → theme at 0 €
    assert base > 0 and ex.total_cents == 0


def test_distances_show_gap_to_threshold(gare):
    d = nb.distances(gare, "numerique").set_index("indicateur")
    assert d.loc["fse", "ecart"] == pytest.approx(2.0)  # 97 % vs ≥ 95 %
    assert "eprescription" not in d.index  # neutralised in 2024
