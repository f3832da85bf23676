"""The real report notebooks, run by papermill for two example pharmacies: the amounts they record are
exactly `rosp compute`'s lines, and the HTML is rendered beside each notebook."""

from __future__ import annotations

from pathlib import Path

import pytest

from rosp_lib.engine import compute_file
from rosp_lib.report.notebook import read_recorded
from rosp_lib.registry import THEME_CODES as RULE_THEMES
from rosp_lib.batch.reports import THEMES, jobs_for, run_reports

# PH-GARE 2024: DROM, caps, malus 20 %, BUPS urgence malus ; PH-CESSION 2025: prorata of forfaits, malus 30 %.
PHARMACIES = [("PH-GARE", 2024), ("PH-CESSION", 2025)]


@pytest.fixture(scope="module")
def batch(tmp_path_factory, request):
    root = request.config.rootpath
    out = tmp_path_factory.mktemp("rapports")
    entree, molecules = root / "data/pharmacies.csv", root / "data/molecules.csv"
    jobs = jobs_for(PHARMACIES, entree, molecules=molecules)
    results = run_reports(jobs, out_dir=out, workers=2)
    _, lines, totals = compute_file(entree, molecules)
    return out, results, lines, totals


def test_every_report_ran(batch):
    out, results, _, _ = batch
    assert len(results) == len(PHARMACIES) * len(THEMES)
    failed = [(r.pharmacie_id, r.theme, r.erreur) for r in results if r.statut != "ok"]
    assert not failed
    for pid, year in PHARMACIES:
        for stem in THEMES.values():
            nb = out / str(year) / pid / f"{stem}.ipynb"
            html = out / str(year) / pid / f"{stem}.html"
            assert nb.is_file() and html.is_file()
            assert "<html" in html.read_text(encoding="utf-8")[:2000].lower()


@pytest.mark.parametrize("pid, year", PHARMACIES)
@pytest.mark.parametrize("theme", RULE_THEMES)
def test_recorded_amounts_equal_rosp_compute(batch, pid, year, theme):
    out, _, lines, _ = batch
    recorded = read_recorded(out / str(year) / pid / f"{THEMES[theme]}.ipynb")
    assert len(recorded) == 1
    values = recorded[0]
    mine = lines[(lines["pharmacie_id"] == pid) & (lines["exercice"] == year) & (lines["theme"] == theme)]
    expected = {f"{t}.{i}": int(c) for t, i, c in zip(mine["theme"], mine["indicateur"], mine["montant_cents"])}
    assert values["pharmacie_id"] == pid and values["exercice"] == year
    assert values["lignes"] == expected
    assert values["total_cents"] == int(mine["montant_cents"].sum())


@pytest.mark.parametrize("pid, year", PHARMACIES)
def test_synthesis_records_every_theme_and_the_total(batch, pid, year):
    out, _, _, totals = batch
    values = read_recorded(out / str(year) / pid / "00_synthese.ipynb")[0]
    row = totals[(totals["pharmacie_id"] == pid) & (totals["exercice"] == year)].iloc[0]
    assert values["total_cents"] == int(row["total"])
    for theme in RULE_THEMES:
        assert values["totaux_cents"].get(theme, 0) == int(row[theme])


def test_report_shows_french_amounts_and_hypotheses(batch):
    out, _, _, _ = batch
    html = (out / "2024" / "PH-GARE" / "01_numerique.html").read_text(encoding="utf-8")
    assert "1\u202f000,00\u00a0€" in html  # no borne, 5 readers → 4 × 250 € (cap); babel: espaces fines insécables
    assert "⚠ hypothèse" in html
    assert "score 10 pts → malus 20 %" in html
    assert "À déclarer sur amelipro" in html
