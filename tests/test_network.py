"""The network overview (rosp_lib.report.network, notebooks/90_reseau.ipynb).

The functions are checked on a small table of result lines built here, whose shares, euros on hypotheses,
quantiles and outliers are worked out by hand in the comments; then the notebook is run once by papermill on
the example data and its recorded key figures are read back.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from rosp_lib.engine import compute_file, totals
from rosp_lib.parameters import load_parameters
from rosp_lib.report import network as rn

ROOT = Path(__file__).resolve().parent.parent


def _line(pid, year, theme, ind, type_ligne, atteint, cents, statut="texte", hyp="", socles=""):
    return {"pharmacie_id": pid, "exercice": year, "theme": theme, "indicateur": ind, "libelle": ind,
            "type_ligne": type_ligne, "atteint": atteint, "montant_cents": cents, "statut_regle": statut,
            "hypotheses": hyp, "socles_non_atteints": socles, "donnee_manquante": atteint == "donnée manquante"}


@pytest.fixture
def lines() -> pd.DataFrame:
    n, b = "numerique", "bups"
    rows = [
        # numérique, exercise 2023. Socle exercice_coordonne: A oui, B non, C oui, D donnée manquante → B and D
        # lose the theme (socles_non_atteints on each of their numérique lines).
        _line("A", 2023, n, "exercice_coordonne", "socle", "oui", 10000),
        _line("B", 2023, n, "exercice_coordonne", "socle", "non", 0, socles="exercice_coordonne"),
        _line("C", 2023, n, "exercice_coordonne", "socle", "oui", 10000),
        _line("D", 2023, n, "exercice_coordonne", "socle", "donnée manquante", 0, socles="exercice_coordonne"),
        # SCOR on hypothesis h1 for A (paid), B and D (met but voided by the socle); C not met.
        _line("A", 2023, n, "scor", "indicateur", "oui", 42000, "hypothese", "h1"),
        _line("B", 2023, n, "scor", "indicateur", "oui", 0, "hypothese", "h1", "exercice_coordonne"),
        _line("C", 2023, n, "scor", "indicateur", "non", 0),
        _line("D", 2023, n, "scor", "indicateur", "oui", 0, "hypothese", "h1", "exercice_coordonne"),
        # malus: A −42,00 € resting on h1 and h2; a malus line is neither a socle nor an indicator.
        _line("A", 2023, n, "malus_qualite_facturation", "malus", "malus", -4200, "hypothese", "h1 ; h2"),
        _line("B", 2023, n, "malus_qualite_facturation", "malus", "pas de malus", 0, socles="exercice_coordonne"),
        _line("C", 2023, n, "malus_qualite_facturation", "malus", "pas de malus", 0),
        _line("D", 2023, n, "malus_qualite_facturation", "malus", "pas de malus", 0, socles="exercice_coordonne"),
        # BUPS: socle demarche_qualite met by A, B, C; ASAFO counts for nobody (neutralised or sans objet).
        _line("A", 2023, b, "demarche_qualite", "socle", "oui", 5000),
        _line("B", 2023, b, "demarche_qualite", "socle", "oui", 5000),
        _line("C", 2023, b, "demarche_qualite", "socle", "oui", 5000),
        _line("D", 2023, b, "demarche_qualite", "socle", "non", 0, socles="demarche_qualite"),
        _line("A", 2023, b, "asafo", "indicateur", "neutralisé", 0),
        _line("B", 2023, b, "asafo", "indicateur", "neutralisé", 0),
        _line("C", 2023, b, "asafo", "indicateur", "sans objet", 0),
        _line("D", 2023, b, "asafo", "indicateur", "neutralisé", 0, socles="demarche_qualite"),
        # exercise 2024: one pharmacy, nothing on a hypothesis.
        _line("A", 2024, b, "demarche_qualite", "socle", "oui", 5000),
    ]
    return pd.DataFrame(rows)


def test_indicator_shares_by_hand(lines):
    s = rn.indicator_shares(lines)
    y = s[s["exercice"] == 2023].set_index("indicateur")
    # registry order: numérique socle, SCOR, then BUPS socle, ASAFO; the malus is not counted
    assert list(y.index) == ["exercice_coordonne", "scor", "demarche_qualite", "asafo"]
    # exercice_coordonne: 4 pharmacies count (oui, non, oui, manquante), 2 meet it → 50 %
    assert y.loc["exercice_coordonne", ["nb_pharmacies", "nb_comptes", "nb_atteint", "nb_manquant", "nb_hors"]].tolist() \
        == [4, 4, 2, 1, 0]
    assert y.loc["exercice_coordonne", "part_atteint"] == 0.5
    # SCOR: met by A, B, D (an amount voided by the socle is still a met indicator) → 3/4
    assert y.loc["scor", "part_atteint"] == 0.75
    assert y.loc["demarche_qualite", "part_atteint"] == 0.75
    # ASAFO: neutralised or sans objet for all 4 → counted apart, no share
    assert y.loc["asafo", ["nb_comptes", "nb_hors", "nb_atteint"]].tolist() == [0, 4, 0]
    assert math.isnan(y.loc["asafo", "part_atteint"])
    z = s[s["exercice"] == 2024]
    assert z[["indicateur", "nb_atteint", "part_atteint"]].values.tolist() == [["demarche_qualite", 1, 1.0]]


def test_socle_shares_by_hand(lines):
    s = rn.socle_shares(lines)
    got = {(int(e), t): (n, k) for e, t, n, k in s[["exercice", "theme", "nb_pharmacies", "nb_socles_atteints"]].values}
    # numérique 2023: A and C have every socle; BUPS 2023: A, B, C; BUPS 2024: A
    assert got == {(2023, "numerique"): (4, 2), (2023, "bups"): (4, 3), (2024, "bups"): (1, 1)}
    assert s.loc[(s["exercice"] == 2023) & (s["theme"] == "bups"), "part"].item() == 0.75


def test_euros_on_hypotheses_by_hand(lines):
    h = rn.hypothesis_summary(lines).set_index("exercice")
    # all lines 2023: 100 + 420 − 42 + 100 + 3 × 50 = 728,00 € ; on a hypothesis: 420 − 42 = 378,00 € net
    assert h.loc[2023, "montant_total_cents"] == 72800
    assert h.loc[2023, "montant_hypothese_cents"] == 37800
    # apart: the primes on a hypothesis (A's SCOR 420,00 €) and the malus on one (A's −42,00 €)
    assert (h.loc[2023, "primes_hypothese_cents"], h.loc[2023, "malus_hypothese_cents"]) == (42000, -4200)
    # every prime paid 2023: 100 + 420 + 100 + 3 × 50 = 770,00 € → 420 / 770 on a hypothesis
    assert h.loc[2023, "primes_total_cents"] == 77000
    assert h.loc[2023, "part_primes"] == pytest.approx(420 / 770)
    assert h.loc[2023, "nb_lignes_hypothese"] == 4  # A scor, B scor, D scor, A malus
    assert h.loc[2023, "nb_lignes_hypothese_payantes"] == 2
    assert h.loc[2023, "nb_lignes_malus_hypothese"] == 1
    assert h.loc[2023, "nb_pharmacies_hypothese"] == 1  # only A is paid (or docked) on a hypothesis
    assert h.loc[2023, "part"] == pytest.approx(378 / 728)
    assert h.loc[2024, "montant_hypothese_cents"] == 0 and h.loc[2024, "part"] == 0
    assert (h.loc[2024, "primes_hypothese_cents"], h.loc[2024, "malus_hypothese_cents"]) == (0, 0)
    k = rn.hypothesis_keys(lines)
    got = {(int(e), key): tuple(int(v) for v in rest) for e, key, *rest in
           k[["exercice", "hypothese", "primes_cents", "malus_cents", "montant_cents", "nb_lignes",
              "nb_pharmacies"]].values}
    # h1: the three SCOR lines (420,00 € paid) and the malus (−42,00 €) → 378,00 € net ; h2: the malus alone
    assert got == {(2023, "h1"): (42000, -4200, 37800, 4, 1), (2023, "h2"): (0, -4200, -4200, 1, 1)}


def test_a_malus_on_a_hypothesis_is_not_hidden_in_the_primes():
    # the audit's case (example data, 2024, bups.molecules_ciblees.prime_par_boite): molecule lines 101,99 +
    # 53,48 + 20,44 + 36,10 = 212,01 € paid, and an urgence malus of −107,22 € resting on the same key
    key = "bups.molecules_ciblees.prime_par_boite"
    rows = [_line("T", 2024, "bups", "molecules_ciblees", "indicateur", "oui", c, "hypothese", key)
            for c in (10199, 5348, 2044)]
    rows += [_line("G", 2024, "bups", "molecules_ciblees", "indicateur", "oui", 3610, "hypothese", key),
             _line("G", 2024, "bups", "malus_urgence", "malus", "malus", -10722, "hypothese",
                   f"{key} ; bups.stabilite_75.montant_bas")]
    k = rn.hypothesis_keys(pd.DataFrame(rows)).set_index("hypothese")
    assert k.loc[key, ["primes_cents", "malus_cents", "montant_cents"]].tolist() == [21201, -10722, 10479]
    assert k.loc["bups.stabilite_75.montant_bas", ["primes_cents", "malus_cents"]].tolist() == [0, -10722]
    assert list(k.index) == [key, "bups.stabilite_75.montant_bas"]  # largest primes first
    h = rn.hypothesis_summary(pd.DataFrame(rows)).iloc[0]
    assert (h["primes_hypothese_cents"], h["malus_hypothese_cents"], h["montant_hypothese_cents"]) == \
        (21201, -10722, 10479)


def test_distributions_by_hand(lines):
    d = rn.distributions(totals(lines)).set_index(["exercice", "mesure"])
    # totals 2023: A 528,00 (478 + 50), B 50,00, C 150,00, D 0 → sorted 0, 50, 150, 528
    t = d.loc[(2023, "total")]
    assert (t["nb"], t["somme_cents"], t["moyenne_cents"]) == (4, 72800, 18200)
    assert (t["min_cents"], t["p10_cents"], t["p25_cents"], t["mediane_cents"], t["p75_cents"], t["p90_cents"],
            t["max_cents"]) == (0, 0, 0, 5000, 15000, 52800, 52800)
    # BUPS 2023: 50 + 50 + 50 + 0 = 150,00 € over 4 → 37,50 €
    assert d.loc[(2023, "bups"), "moyenne_cents"] == 3750
    assert d.loc[(2023, "vaccination"), "max_cents"] == 0
    assert d.loc[(2023, "total"), "titre"] == "Total ROSP"
    assert d.loc[(2023, "bups"), "titre"] == "Bon usage des produits de santé (BUPS)"


def test_mean_rounded_to_the_cent():
    tot = pd.DataFrame({"pharmacie_id": ["A", "B", "C"], "exercice": 2023, "total": [100, 100, 101]})
    for t in rn.THEME_CODES:
        tot[t] = 0
    # 301 / 3 = 100,33… cents → 100 ; with 3 × 101 + 2 = 305 / 3 = 101,67 → 102 (demi_haut)
    assert rn.distributions(tot).set_index("mesure").loc["total", "moyenne_cents"] == 100
    tot["total"] = [101, 101, 103]
    assert rn.distributions(tot).set_index("mesure").loc["total", "moyenne_cents"] == 102
    # a negative sum (malus lines): magnitude rounded, then the sign
    assert rn.mean_cents(-305, 3) == -102 and rn.mean_cents(-301, 3) == -100


def test_robust_z_by_hand():
    # median 100,5 ; |deviations| 0,5 1,5 2,5 0,5 1,5 399,5 → MAD 1,5 ; z(500) = 0,6745 × 399,5 / 1,5
    z = rn.robust_z([100, 102, 98, 101, 99, 500])
    assert z[5] == pytest.approx(0.6745 * 399.5 / 1.5)
    assert z[2] == pytest.approx(-0.6745 * 2.5 / 1.5)
    # MAD 0 (most values equal): mean absolute deviation 200 × √(π/2) stands for the spread
    z = rn.robust_z([0, 0, 0, 0, 1000])
    assert z[4] == pytest.approx(1000 / (200 * math.sqrt(math.pi / 2)))
    assert z[0] == 0
    assert rn.robust_z([7, 7, 7]).tolist() == [0, 0, 0]


def test_outliers_per_exercise():
    tot = pd.DataFrame({
        "pharmacie_id": ["P1", "P2", "P3", "P4", "P5", "P6", "Q1", "Q2", "Q3"],
        "exercice": [2023] * 6 + [2024] * 3,
        "total": [100, 102, 98, 101, 99, 500, 100, 5000, 9000],
    })
    out = rn.outliers(tot)
    # 2023: only P6 (z ≈ 179,6); 2024: median 5000, MAD 4000 → |z| ≤ 0,68, none
    assert out[["exercice", "pharmacie_id", "montant_cents"]].values.tolist() == [[2023, "P6", 500]]
    assert out["z"].item() == pytest.approx(0.6745 * 399.5 / 1.5)
    assert out["mediane_cents"].item() == 100.5
    # a lower threshold takes the next ones, largest |z| first
    assert rn.outliers(tot, threshold=1.0)["pharmacie_id"].tolist() == ["P6", "P3"]
    table = rn.outliers_table(out, {"P6": "Pharmacie Six"})
    assert table.iloc[0]["Officine"] == "Pharmacie Six"
    assert table.iloc[0]["Montant"] == "5,00\u00a0€"


def test_links_are_relative_and_escaped():
    assert rn.report_path(2024, "PH-A") == "2024/PH-A/00_synthese.html"
    assert rn.report_path(2024, "PH-A", "01_numerique") == "2024/PH-A/01_numerique.html"
    with pytest.raises(ValueError):
        rn.report_path(2024, "../etc")
    tot = pd.DataFrame({"pharmacie_id": ["PH-A", "PH-B"], "exercice": [2024, 2024], "total": [123456, 0]})
    page = rn.links_html(tot, {"PH-A": "<b>Tom & Co</b>"})
    assert "&lt;b&gt;Tom &amp; Co&lt;/b&gt;" in page and "<b>" not in page
    assert '<a href="2024/PH-A/00_synthese.html">&lt;b&gt;Tom' in page
    for t in rn.THEMES:
        assert f'href="2024/PH-A/{t.notebook}.html"' in page
    assert "1\u202f234,56\u00a0€" in page
    assert 'href="rapports/2024/PH-A/00_synthese.html"' in rn.links_html(tot, base="rapports/")
    # the outliers first; a limit keeps that many rows and points to the index for the others
    page = rn.links_html(tot, first=["PH-B"], limit=1)
    assert "PH-B/00_synthese" in page and "PH-A/" not in page
    assert '1 autre ligne officine × exercice' in page and 'href="index.html"' in page


def test_links_to_a_report_absent_from_the_folder_are_not_links(tmp_path):
    """A report not made in the page's folder (a narrower run, a failure) was linked all the same: a broken link.
    With `root`, it is shown without a link and said once; without `root`, every report is linked as before."""
    tot = pd.DataFrame({"pharmacie_id": ["PH-A", "PH-B"], "exercice": [2024, 2025], "total": [100, 0]})
    made = tmp_path / "rapports" / "2024" / "PH-A"
    made.mkdir(parents=True)
    (made / "00_synthese.html").write_text("x", encoding="utf-8")
    (made / "02_bups.html").write_text("x", encoding="utf-8")
    page = rn.links_html(tot, base="rapports/", root=tmp_path)
    assert re.findall(r'href="([^"]+)"', page) == ["rapports/2024/PH-A/00_synthese.html", "rapports/2024/PH-A/02_bups.html"]
    # the others: 5 theme reports of PH-A, its 6 and the synthesis of PH-B
    absent = (len(rn.THEMES) - 1) + len(rn.THEMES) + 1
    assert page.count('class="rosp-absent"') == absent
    assert page.count(rn.ABSENT_REPORT) == absent + 1  # each one's title, and said once
    assert f"{absent} dans ce tableau" in page
    everything = rn.links_html(tot, base="rapports/", root=tmp_path / "rapports" / "..")
    assert everything == page  # the folder given as a path with ".." is the same folder
    linked = rn.links_html(tot, base="rapports/")
    assert len(re.findall(r"<a href=", linked)) == 2 * (len(rn.THEMES) + 1) and rn.ABSENT_REPORT not in linked


def test_gains_hook_says_whether_gains_exist():
    available = rn.gains_available()
    assert available == (Path(ROOT / "rosp_lib/counterfactual/gains.py").is_file())
    if not available:
        assert rn.largest_gains(pd.DataFrame(), None) is None


def test_largest_gains_keeps_the_possible_ones_largest_first(monkeypatch):
    gains = pytest.importorskip("rosp_lib.counterfactual.gains")
    table = pd.DataFrame({"pharmacie_id": ["A", "B", "C", "D"], "exercice": [2025, 2025, 2025, 2024],
                          "action": ["a", "b", "c", "d"], "gain_cents": [300, 900, 500, 5000],
                          "encore_possible": ["oui", "oui", "oui", "non"], "hypotheses": [()] * 4})
    monkeypatch.setattr(gains, "gains_table", lambda *a, **k: table)
    # D pays most but its deadline has passed; then B 9,00 €, C 5,00 €
    assert rn.largest_gains(pd.DataFrame(), None, top=2)["pharmacie_id"].tolist() == ["B", "C"]


# --------------------------------------------------------------------------------------------
# The notebook, run once by papermill on the example data
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    pm = pytest.importorskip("papermill")
    folder = tmp_path_factory.mktemp("reseau")  # a reports folder where one report was made
    (folder / "2024" / "PH-TILLEULS").mkdir(parents=True)
    (folder / "2024" / "PH-TILLEULS" / "00_synthese.html").write_text("synthèse", encoding="utf-8")
    out = folder / "90_reseau.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks/90_reseau.ipynb"), str(out), cwd=str(folder),
                        parameters={"entree": str(ROOT / "data/pharmacies.csv"),
                                    "molecules": str(ROOT / "data/molecules.csv"), "sortie": "",
                                    "date_gains": "2026-12-01", "index": "index.html"},
                        kernel_name="python3", progress_bar=False)
    return out


def test_notebook_records_the_key_figures(executed):
    recorded = rn.read_recorded(executed)
    assert len(recorded) == 1
    values = recorded[0]
    # rows of the example file, counted by hand per exercise
    with open(ROOT / "data/pharmacies.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    per_year: dict[str, int] = {}
    for r in rows:
        per_year[r["exercice"]] = per_year.get(r["exercice"], 0) + 1
    assert values["nb_lignes_entree"] == len(rows)
    assert {y: v["nb_officines"] for y, v in values["exercices"].items()} == per_year
    # the network's euros are exactly rosp compute's totals
    _, _, tot = compute_file(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    for year, v in values["exercices"].items():
        mine = tot[tot["exercice"] == int(year)]
        assert v["total_cents"] == int(mine["total"].sum())
        assert v["themes_cents"] == {t: int(mine[t].sum()) for t in rn.THEME_CODES}
    text = executed.read_text(encoding="utf-8")
    assert 'href=\\"2024/PH-TILLEULS/00_synthese.html\\"' in text
    # the reports not made in the page's folder are not linked (they were: broken links)
    assert 'href=\\"2024/PH-TILLEULS/01_numerique.html\\"' not in text and "rosp-absent" in text
    nav = rn.navigation("index.html").replace('"', '\\"')  # the way back to the index (test below)
    assert "<a href=" not in text.replace('href=\\"2024/PH-TILLEULS/00_synthese.html\\"', "").replace(nav, "")


def test_the_page_reads_as_a_document_for_the_network(executed):
    """Audit of 90_reseau.html: the title was « Rapport ROSP », the hypotheses were keys
    (« general.donnee_manquante_montant_bas »), the actions column names (« déclarer logiciel_segur (oui) »), the
    gains did not say the day they were judged at, and « Chiffres clés enregistrés : 20 officine(s) × exercice » (for
    the tests) was shown. The example's 20 rows run from 2022 to 2026; PH-SEGUR 2026 has no Ségur software: declaring
    it regains the numérique socle, the whole theme (5 349,00 €, the first gain at 01/12/2026)."""
    import nbformat

    from rosp_lib.report.html import to_html

    page = to_html(nbformat.read(executed, as_version=4))
    assert "<title>Vue réseau de la ROSP — exercices 2022 à 2026</title>" in page
    assert "Chiffres clés enregistrés" not in page and "officine(s) × exercice</pre>" not in page
    assert "Actions encore possibles au <strong>01/12/2026</strong>, la date de référence" in page
    assert ">Disposer d'un logiciel référencé Ségur</td>" in page
    assert ">déclaré\u00a0: logiciel référencé Ségur\u00a0: non → oui</td>" in page
    assert ">5\u202f349,00\u00a0€</td>" in page
    assert ">Stabilité de la délivrance des génériques aux 75 ans et plus\u00a0: Montant au palier bas</td>" in page
    # the outliers' threshold is said with its value (the notebook's parameters: 3.5 and 5), not by a parameter name
    assert ("Seuil utilisé\u00a0: score z robuste au-delà de 3,5 en valeur absolue\u00a0; exercices examinés\u00a0: ceux "
            "d'au moins 5 officines.") in page
    for raw in ("general.donnee_manquante_montant_bas", "numerique.ordonnance_numerique_socle.etat",
                "bups.stabilite_75.montant_bas", "logiciel_segur", "taux_stabilite_75_pct"):
        assert raw not in page, raw


def test_hypotheses_are_named_by_their_indicator_and_label():
    keys = pd.DataFrame({"exercice": [2025, 2025, 2026],
                         "hypothese": ["bups.stabilite_75.montant_bas", "general.prorata_forfaits",
                                       "numerique.lad_certifie_has.etat"]})
    assert rn.hypothesis_labels(keys) == [
        "Stabilité de la délivrance des génériques aux 75 ans et plus : Montant au palier bas",
        "Forfaits proratisés au temps d'activité (jours d'activité / jours de l'année) en cas de cession, installation "
        "ou fermeture",
        "Disposer d'un LAD certifié HAS : État de l'indicateur pour l'exercice"]
    assert rn.hypothesis_labels(keys.iloc[:0]) == []


def test_gains_are_worded_as_in_the_synthesis():
    """The data to change, from → to, as `report.gains.change_text` says it in each synthesis (the column's
    description; a molecule by its name), the indicator by its title, the remark apart."""
    gains = pd.DataFrame({
        "pharmacie_id": ["PH-SEGUR", "PH-B"], "exercice": [2026, 2025], "indicateur": ["logiciel_segur", "molecules_ciblees"],
        "changements": [{"logiciel_segur": True}, {"molecules[1].taux_arrivee_pct": 80.0}],
        "valeur_actuelle": ["non", "50"], "valeur_cible": ["oui", "80"], "gain_cents": [534900, 1250],
        "remarque": ["indicateur socle, tout le thème est en jeu", ""], "statut_regle": ["texte", "hypothese"],
        "hypotheses": [(), ("bups.molecules_ciblees.prime_par_boite",)]})
    molecules = pd.DataFrame({"pharmacie_id": ["PH-B", "PH-B"], "exercice": [2025, 2025],
                              "molecule": ["ézétimibe", "rosuvastatine"]})
    got = rn.gains_frame(gains, molecules, {"PH-SEGUR": "Pharmacie Saint-Roch"})
    assert got.to_dict("records") == [
        {"Officine": "Pharmacie Saint-Roch", "Exercice": "2026", "Indicateur": "Disposer d'un logiciel référencé Ségur",
         "Ce qu'il faut changer": "déclaré : logiciel référencé Ségur : non → oui", "Gain": "5\u202f349,00\u00a0€",
         "Ce qu'il faut savoir": "indicateur socle, tout le thème est en jeu"},
        {"Officine": "PH-B", "Exercice": "2025", "Indicateur": "Génériques, hybrides, biosimilaires : molécules ciblées",
         "Ce qu'il faut changer": "rosuvastatine : taux d'arrivée (substitution de l'exercice) : 50 % → 80 %",
         "Gain": "12,50\u00a0€ ⚠", "Ce qu'il faut savoir": (  # a gain resting on a hypothesis says so, as in the reports
             "⚠ le montant actuel ou celui d'après repose sur une hypothèse de lecture : le gain en dépend "
             "(« Génériques, hybrides, biosimilaires : molécules ciblées : Prime par boîte substituée (toute molécule "
             "sans prime propre) »)")}]


def test_the_page_title_names_the_network_view_and_its_exercises():
    assert rn.document_title([2025, 2025]) == "Vue réseau de la ROSP — exercice 2025"
    assert rn.document_title([2026, 2022, 2023, 2024, 2025]) == "Vue réseau de la ROSP — exercices 2022 à 2026"
    assert rn.document_title([2022, 2024, 2026]) == "Vue réseau de la ROSP — exercices 2022, 2024 et 2026"


# --------------------------------------------------------------------------------------------
# Charts: the boxes are the table's quantiles; whole numbers of pharmacies; a single amount
# --------------------------------------------------------------------------------------------
def _totals(year, cents):
    tot = pd.DataFrame({"pharmacie_id": [f"P{k}" for k in range(len(cents))], "exercice": year})
    for t in rn.THEME_CODES:
        tot[t] = 0
    tot["numerique"] = cents
    tot["total"] = cents
    return tot


def _by_gid(fig):
    return {a.get_gid(): a for a in fig.axes[0].get_children() if a.get_gid()}


def test_box_plot_draws_the_table_quantiles():
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # numérique, sorted: 0 ; 100,00 ; 179,55 ; 266,40 ; 533,40 ; 1 000,00 € (6 pharmacies)
    # inverted_cdf: p10 = 1st (0,6 → 1) = 0 ; p25 = 2nd (1,5 → 2) = 100,00 ; median = 3rd (3) = 179,55 (the lower
    # middle one; matplotlib's interpolated median would be 222,975) ; p75 = 5th (4,5 → 5) = 533,40 ;
    # p90 = 6th (5,4 → 6) = 1 000,00 ; min 0, max 1 000,00 (neither beyond the whiskers → no point)
    tot = _totals(2025, [26640, 0, 53340, 17955, 100000, 10000])
    table = rn.distribution_table(rn.distributions(tot), 2025).set_index("Thème").loc[rn.measure_title("numerique")]
    fig = rn.chart_themes(tot, 2025)
    a = _by_gid(fig)
    med = a["numerique:mediane"].get_xdata()
    assert list(med) == [179.55, 179.55]
    box = a["numerique:boite"].get_xdata()
    assert min(box) == 100.00 and max(box) == 533.40
    assert list(a["numerique:moustache_basse"].get_xdata()) == [100.00, 0.0]
    assert list(a["numerique:moustache_haute"].get_xdata()) == [533.40, 1000.00]
    assert len(a["numerique:points"].get_xdata()) == 0
    # the same figures as the table shown above the chart
    d = rn.distributions(tot).set_index(["exercice", "mesure"]).loc[(2025, "numerique")]
    assert (d["p25_cents"], d["mediane_cents"], d["p75_cents"]) == (10000, 17955, 53340)
    assert (table["1er quartile"], table["Médiane"], table["3e quartile"]) == ("100,00\u00a0€", "179,55\u00a0€",
                                                                              "533,40\u00a0€")
    caption = " ".join(fig.axes[0].get_xlabel().split())
    assert rn.BOX_CAPTION in caption
    # no point drawn here: the caption must not promise one for every box
    assert "points : minimum et maximum, quand ils sont au-delà des moustaches" in caption
    plt.close(fig)
    # 10 pharmacies: the min and max lie beyond the deciles → drawn as points
    tot = _totals(2024, [0, 100, 200, 300, 400, 500, 600, 700, 800, 5000])
    a = _by_gid(fig := rn.chart_themes(tot, 2024))
    # p10 = 1st = 0,00 (1,0 → 1) ; p90 = 9th = 8,00 € ; max 50,00 € beyond → one point
    assert list(a["numerique:moustache_haute"].get_xdata()) == [7.00, 8.00]
    assert list(a["numerique:points"].get_xdata()) == [50.00]
    plt.close(fig)


def test_histogram_whole_counts_and_single_amount():
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # one pharmacy at 6 693,98 €: the bins span ± 669,40 € (10 %), not numpy's ± 0,50 €
    h = rn.histogram(_totals(2026, [669398]), 2026)
    assert h["de_eur"].iloc[0] == pytest.approx(6693.98 - 669.398)
    assert h["a_eur"].iloc[-1] == pytest.approx(6693.98 + 669.398)
    assert h["nb"].sum() == 1
    # an amount of 0: at least ± 10 €
    h = rn.histogram(_totals(2026, [0, 0]), 2026)
    assert (h["de_eur"].iloc[0], h["a_eur"].iloc[-1], h["nb"].sum()) == (-10.0, 10.0, 2)
    fig = rn.chart_totals(pd.concat([_totals(2026, [669398]), _totals(2025, [100, 250000, 300000])]))
    for ax in fig.axes:
        ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks)
    # every exercise on the same scale (audit: each histogram had its own axis, 2025 and 2026 did not compare):
    # from the smallest total of all exercises (1,00 €) to the largest (6 693,98 €), the same bins for both
    assert fig.axes[0].get_xlim() == fig.axes[1].get_xlim() == pytest.approx((1.00, 6693.98))
    plt.close(fig)
    assert rn.histogram(_totals(2026, [669398]), 2026, span=(1.0, 6693.98))["nb"].tolist() == [0] * 19 + [1]


def test_network_tables_escape_what_comes_from_the_input():
    # A pharmacy's name is the input file's: the Styler writes a cell as it is unless told to escape it (audit).
    from rosp_lib.report import network as rn

    page = rn.show(pd.DataFrame({"Officine": ["<img src=x onerror=alert(1)>", "Pharmacie **du** Port"],
                                 "Montant": ["1 000,00 €", "0,00 €"]})).to_html()
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_network_charts_speak_french_to_the_eye_and_to_a_screen_reader():
    # The rendered network view: every chart image has a French text for screen readers (nbconvert wrote « No
    # description has been provided for this image »), and the euro axes are written in French (« 2 000 »).
    import json

    from rosp_lib.engine import compute_file
    from rosp_lib.report import network as rn

    book = json.loads((ROOT / "notebooks/90_reseau.ipynb").read_text(encoding="utf-8"))
    images = [o for c in book["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert images and all(o["metadata"]["image/png"]["alt"].startswith("Graphique : ") for o in images)
    import nbformat

    from rosp_lib.report.html import to_html

    assert "No description" not in to_html(nbformat.read(ROOT / "notebooks/90_reseau.ipynb", as_version=4))
    _, _, totals = compute_file(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    fig = rn.chart_totals(totals)
    assert fig.axes[-1].xaxis.get_major_formatter()(2000.0, 0) == "2\u202f000"


def test_math_like_names_are_kept_from_the_typesetting_in_the_network_page():
    """The network notebook escaped its names for HTML only: « $x^2$ » was typeset x² by JupyterLab's MathJax. Its
    links and its tables (Styler) now hold such a name in a span MathJax skips, as the other reports do."""
    tot = pd.DataFrame({"pharmacie_id": ["PH-A"], "exercice": [2024], "total": [100]})
    page = rn.links_html(tot, {"PH-A": "Pharmacie $x^2$ & fils"})
    assert ('<a href="2024/PH-A/00_synthese.html"><span class="tex2jax_ignore mathjax_ignore">Pharmacie $x^2$ &amp; '
            'fils</span></a> <code>PH-A</code>') in page
    table = rn.show(pd.DataFrame({"Officine": ["Pharmacie $x^2$", "Dispensation à l'unité"], "Total": [1.5, 2]})).to_html()
    assert '<span class="tex2jax_ignore mathjax_ignore">Pharmacie $x^2$</span></td>' in table
    assert "Dispensation à l&#x27;unité</td>" in table  # escaped for HTML, no span: nothing of math in it


def test_a_theme_that_does_not_exist_that_exercise_has_no_row_of_zeros():
    """The network view gave the dispositif 2024 in 2025 and the vaccination in 2022 a row of 0,00 € (minimum,
    median, maximum…) and an empty box, read as « nobody got anything » (audit). By the rules book, the vaccination
    theme exists from 2024 (avenant 1 art. 6) and the dispositif 2024 in 2024 only (avenant 1 art. 1): they have no
    line, no row and no box in the other exercises, and a sentence names them."""
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, lines, tot = compute_file(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    themes = rn.themes_by_year(lines)
    every = ("numerique", "bups", "vaccination", "colorectal", "dispensation_unite", "dispositif_2024")
    assert themes[2022] == themes[2023] == ("numerique", "bups", "colorectal", "dispensation_unite")
    assert themes[2024] == every
    assert themes[2025] == themes[2026] == every[:-1]
    dist = rn.distributions(tot, themes)
    assert set(dist.loc[dist["exercice"] == 2025, "mesure"]) == set(every[:-1]) | {"total"}
    table = rn.distribution_table(dist, 2022)
    assert rn.measure_title("vaccination") not in set(table["Thème"])
    assert len(table) == 5  # four themes and the total
    assert rn.absent_themes_text(themes, 2025) == (
        f"Thème sans objet pour l'exercice 2025 (il n'existe pas cette année-là) : {rn.measure_title('dispositif_2024')}.")
    assert rn.absent_themes_text(themes, 2022).startswith("Thèmes sans objet pour l'exercice 2022 (ils n'existent ")
    assert rn.absent_themes_text(themes, 2024) == ""
    fig = rn.chart_themes(tot, 2025, themes)
    gids = {a.get_gid().split(":")[0] for a in fig.axes[0].get_children() if a.get_gid()}
    assert gids == set(every[:-1])
    plt.close(fig)


def test_the_largest_gains_name_only_the_readings_that_change_them():
    """As in the reports: PH-HALLES 2022's 820 € (exercice coordonné non → oui, « non exigé » in 2022, paid under
    every reading) named two readings that do not change it, with a ⚠ (review); PH-GARE 2024's stability 91 → 95 %
    (160,00 € = (400 − 200) × 0,8) rests on the lower step's amount, 320,00 € under its alternative (0 €)."""
    import datetime as dt

    from rosp_lib.inputs import read_inputs
    from rosp_lib.report import network as rn

    ph, mol = read_inputs(ROOT / "data" / "pharmacies.csv", ROOT / "data" / "molecules.csv")
    mine = ph[((ph["pharmacie_id"] == "PH-HALLES") & (ph["exercice"] == 2022))
              | ((ph["pharmacie_id"] == "PH-GARE") & (ph["exercice"] == 2024))]
    gains = rn.largest_gains(mine, mol, top=50, date=dt.date(2022, 6, 1))
    halles = gains[(gains["pharmacie_id"] == "PH-HALLES") & (gains["indicateur"] == "exercice_coordonne")].iloc[0]
    assert (int(halles["gain_cents"]), halles["statut_regle"], halles["hypotheses"]) == (820_00, "source", ())
    frame = rn.gains_frame(gains, mol)
    row = frame.iloc[int(halles.name)]
    # no reading of the gain is named, nor of its deadline (the 2022 declaration window, 26/02/2023, is FSPF 13's: a
    # source; a deadline that is an hypothesis is said, tests/test_gains.py)
    assert load_parameters(2022).calendrier.fin_declaration.statut == "source"
    assert "⚠" not in row["Gain"] and row["Ce qu'il faut savoir"] == "—"
    gare = gains[(gains["pharmacie_id"] == "PH-GARE") & (gains["indicateur"] == "stabilite_75")].iloc[0]
    assert int(gare["gain_cents"]) == 160_00 and gare["autres_lectures"] == (("bups.stabilite_75.montant_bas", 320_00),)
    assert "Montant au palier bas » : 320,00\u00a0€ sous l'autre lecture)" in frame.iloc[int(gare.name)]["Ce qu'il faut savoir"]


def test_the_network_page_leads_back_to_the_list_of_every_report(executed, monkeypatch, tmp_path):
    """The network page had no way back to index.html (review): `rosp report --toutes` gives its notebook the index it
    writes beside it (parameter `index`), and the page links it first; without it (a notebook run alone), no link."""
    import papermill

    from rosp_lib.batch import reports

    assert rn.navigation("index.html") == ('<nav class="rosp-nav" aria-label="Rapports"><a href="index.html">Toutes '
                                           'les pharmacies</a></nav>')
    assert rn.navigation("index.html").replace('"', '\\"') in executed.read_text(encoding="utf-8")
    committed = (ROOT / "notebooks" / "90_reseau.ipynb").read_text(encoding="utf-8")
    assert "Toutes les pharmacies" not in committed  # run without `index`
    given = {}

    def execute(source, output, parameters, **kwargs):
        given.update(parameters)
        raise RuntimeError("arrêt du test")

    monkeypatch.setattr(papermill, "execute_notebook", execute)
    assert reports._network(tmp_path, ROOT / "notebooks", ROOT / "data/pharmacies.csv", None, None) is False
    assert given["index"] == "index.html" and given["sortie"] == ""


@pytest.mark.parametrize("share, text", [
    (2609 / 4925.10, "53,0 %"),   # 52,97 % rounded: its decimal kept, as beside « 77,9 % »
    (5117 / 6572, "77,9 %"),
    (1 / 2, "50 %"),               # whole: exact
    (2 / 3, "66,7 %"),
    (1.0, "100 %"),
    (0.9996, "100,0 %"),           # rounded up to 100: not a whole 100 %
    (0.0, "0 %"),
    (float("nan"), "—"),
])
def test_a_share_shows_one_decimal_unless_it_is_a_whole_percentage(share, text):
    assert rn.pct_text(share) == text


def test_every_heading_of_the_page_is_its_own_anchor(executed):
    """Two « Exercice 2022 » headings (the distribution of the amounts, then the indicators reached) gave the HTML page
    two elements of one id: the second's link led to the first (review). Each heading of the page is distinct."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    headings = []
    for cell in nb.cells:
        texts = [cell.source] if cell.cell_type == "markdown" else [
            "".join(out.get("data", {}).get("text/markdown", "")) for out in cell.get("outputs", [])]
        for text in texts:
            headings += [line.lstrip("#").strip() for line in text.splitlines() if re.match(r"#{1,6} ", line)]
    assert len([h for h in headings if h.startswith("Exercice ")]) >= 2 * 5  # two sections, five exercises
    assert len(headings) == len(set(headings)), sorted(h for h in headings if headings.count(h) > 1)


@pytest.mark.parametrize("name, value, said", [
    ("nb_gains", "abc", "paramètre nb_gains : « abc » ; attendu : un nombre entier d'au moins 0"),
    ("seuil_atypique", -1, "paramètre seuil_atypique : « -1 » ; attendu : un nombre supérieur à 0"),
    ("seuil_atypique", 0, "paramètre seuil_atypique : « 0 » ; attendu : un nombre supérieur à 0"),
    ("min_atypique", 0, "paramètre min_atypique : « 0 » ; attendu : un nombre entier d'au moins 2"),
    ("nb_liens_max", 2.5, "paramètre nb_liens_max : « 2.5 » ; attendu : un nombre entier d'au moins 0"),
    ("nb_atypiques_max", True, "paramètre nb_atypiques_max : « True » ; attendu : un nombre entier d'au moins 1"),
    # « les 0 plus éloignés » above an empty table; a float 20.0 passed, then head(20.0) failed (review)
    ("nb_atypiques_max", 0, "paramètre nb_atypiques_max : « 0 » ; attendu : un nombre entier d'au moins 1"),
    ("nb_gains", 20.0, "paramètre nb_gains : « 20.0 » ; attendu : un nombre entier d'au moins 0"),
    ("min_atypique", 1, "paramètre min_atypique : « 1 » ; attendu : un nombre entier d'au moins 2"),  # just below
    ("nb_gains", -1, "paramètre nb_gains : « -1 » ; attendu : un nombre entier d'au moins 0"),
])
def test_a_numeric_parameter_of_the_network_notebook_is_checked(name, value, said):
    """`papermill 90_reseau.ipynb … -p nb_gains abc` stopped on a TypeError traceback; `-p seuil_atypique -1` and
    `-p min_atypique 0` ran and printed « au-delà de −1 », « ceux d'au moins 0 officines » (review)."""
    from rosp_lib.report.notebook import ReportError

    with pytest.raises(ReportError) as info:
        rn.check_parameters(**{name: value})
    assert str(info.value) == said + " (voir la cellule des paramètres)"
    rn.check_parameters(seuil_atypique=3.5, min_atypique=5, nb_gains=0, nb_atypiques_max=50, nb_liens_max=0,
                        gains_max_lignes=500)  # the notebook's own values (0: « toutes », « aucun »)


def test_the_network_parameters_at_their_bounds_are_taken():
    """At each bound (and just above the outlier threshold's): accepted."""
    rn.check_parameters(seuil_atypique=0.01, min_atypique=2, nb_gains=0, nb_atypiques_max=1, nb_liens_max=0,
                        gains_max_lignes=0)
