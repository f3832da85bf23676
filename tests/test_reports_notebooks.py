"""The real report notebooks, run by papermill for two example pharmacies: the amounts they record are
exactly `rosp compute`'s lines, and the HTML is rendered beside each notebook."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from rosp_lib.engine import compute_file
from rosp_lib.lines.formatting import eur
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


def test_report_shows_french_amounts_and_hypotheses(documents):
    out = documents
    html = (out / "2024" / "PH-GARE" / "01_numerique.html").read_text(encoding="utf-8")
    assert "1\u202f000,00\u00a0€" in html  # no borne, 5 readers → 4 × 250 € (cap); babel: espaces fines insécables
    assert "⚠ hypothèse" in html
    assert "score 10 points → malus 20\u00a0%" in html  # no line break before « % »
    assert "À déclarer sur amelipro" in html


@pytest.mark.parametrize("stem", [s for s in THEMES.values() if s != "00_synthese"])
def test_every_theme_report_cites_its_public_sources(documents, stem):
    # Every theme report of PH-GARE 2024 names the public documents of its rules, and the status of its lines
    # (a reviewer checks a rule against its text). Each line's `source` in lignes.csv is one of those documents.
    from rosp_lib.parameters import load_parameters, iter_leaves

    html = (documents / "2024" / "PH-GARE" / f"{stem}.html").read_text(encoding="utf-8")
    _, lines, _ = compute_file(Path(__file__).resolve().parents[1] / "data/pharmacies.csv")
    theme = next(t for t, s in THEMES.items() if s == stem)
    mine = lines[(lines["pharmacie_id"] == "PH-GARE") & (lines["exercice"] == 2024) & (lines["theme"] == theme)]
    if mine.empty:  # a theme absent in 2024: no rule, nothing to cite
        return
    assert '<h2 id="Sources">' in html
    documents_2024 = {leaf.reference.document.citation: leaf.reference.document.titre
                      for _, leaf in iter_leaves(load_parameters(2024))}
    text = unescape(re.sub(r"<[^>]+>", "", html))  # the page as read (« x » with no-break spaces: as the titles)
    text = re.sub("\u00a0(?=[%:;?!»])", " ", text).replace("«\u00a0", "« ")  # as written (French spaces: page's)
    for source in set(mine["source"]):  # each line's citation: its document is listed on the page
        titre = next(t for c, t in documents_2024.items() if source.startswith(c))
        assert titre in text, titre
    assert "Statut de chaque ligne" in text


# --------------------------------------------------------------------------------------------
# The documents readers open. The runner renders its HTML with rosp_lib.report.html.to_html once the
# lead wires it in; until then these tests render the executed notebooks themselves.
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def documents(batch):
    import nbformat

    from rosp_lib.report.html import to_html
    from rosp_lib.report.index import write_indexes

    out, results, lines, _ = batch
    for pid, year in PHARMACIES:
        for stem in THEMES.values():
            nb = nbformat.read(out / str(year) / pid / f"{stem}.ipynb", as_version=4)
            (out / str(year) / pid / f"{stem}.html").write_text(to_html(nb), encoding="utf-8")
    write_indexes(out, [r.row() for r in results], lines, {"PH-GARE": "Pharmacie de la Gare"})
    return out


def test_documents_show_no_code_and_have_a_french_title(documents):
    from test_report_html import parsed

    for pid, year in PHARMACIES:
        for theme, stem in THEMES.items():
            html = (documents / str(year) / pid / f"{stem}.html").read_text(encoding="utf-8")
            p = parsed(html)
            assert p.lang == "fr"
            assert p.title.startswith(f"ROSP {year} — ") and "Notebook" not in p.title
            assert "nb.load(" not in html and "pharmacie_id: str" not in html and "import " not in html
            assert "montants enregistrés" not in html.lower()
            assert "/work/" not in html and str(documents) not in html  # no absolute local path


def test_every_link_of_the_documents_resolves(documents):
    from test_report_html import broken_links

    pages = list(documents.glob("*/*/*.html")) + [documents / "index.html"] + list(documents.glob("pharmacies/*.html"))
    assert len(pages) == len(PHARMACIES) * len(THEMES) + 1 + len(PHARMACIES)
    for page in pages:
        assert broken_links(page) == [], page


def test_a_pharmacy_year_weighs_less_than_one_megabyte(documents):
    for pid, year in PHARMACIES:
        size = sum(p.stat().st_size for p in (documents / str(year) / pid).glob("*.html"))
        assert size <= 1_000_000, (pid, year, size)


def test_synthesis_shows_the_range_across_readings(documents):
    html = (documents / "2024" / "PH-GARE" / "00_synthese.html").read_text(encoding="utf-8")
    # PH-GARE 2024: 7 069,38 € with the reference readings; under all alternative readings the ordonnance
    # numérique socle (required, not met) takes the whole REMU NUM (6 108,00 €) and BUPS goes from 428,88 to
    # 281,97 € (stabilité low tier at 0 €, molecules read as boxes gained, urgence malus on the new base):
    # 7 069,38 − 6 108,00 − 146,91 = 814,47 €.
    assert "7\u202f069,38\u00a0€" in html and "814,47\u00a0€" in html
    assert "socle" in html and "Lecture alternative" in html


@pytest.mark.parametrize("pid, year", PHARMACIES)
def test_largest_line_shows_its_inputs(documents, batch, pid, year):
    from html import unescape

    from rosp_lib.report.notebook import entries

    _, _, lines, _ = batch
    mine = lines[(lines["pharmacie_id"] == pid) & (lines["exercice"] == year)]
    big = mine.loc[mine["montant_cents"].idxmax()]
    html = unescape((documents / str(year) / pid / f"{THEMES[big['theme']]}.html").read_text(encoding="utf-8"))
    pairs = entries(big["entrees"])
    assert pairs
    for name, value in pairs:
        assert f"{name} = {value}" in html, (name, value)
    assert eur(int(big["montant_cents"])) in html


def test_gare_teleconsultation_arithmetic_is_visible(documents):
    # PH-GARE 2024: 180 teleconsultations in tranches of 5 → 36 tranches × 25 € = 900 €, capped at 750 €.
    html = (documents / "2024" / "PH-GARE" / "01_numerique.html").read_text(encoding="utf-8")
    assert "36 tranches × 25,00\u00a0€ = 900,00\u00a0€, plafonné à 750,00\u00a0€" in html


def test_the_notebooks_name_their_kernel_as_the_installed_one_does():
    """Opening 00_synthese.ipynb in JupyterLab marked it modified: the kernel named « Python 3 » in the file is
    « Python 3 (ipykernel) » once installed, and the autosave rewrote the tracked notebook (review)."""
    import json

    from jupyter_client.kernelspec import KernelSpecManager

    installed = KernelSpecManager().get_kernel_spec("python3").display_name
    folder = Path(__file__).resolve().parent.parent / "notebooks"
    for path in sorted(folder.glob("*.ipynb")):
        spec = json.loads(path.read_text(encoding="utf-8"))["metadata"]["kernelspec"]
        assert (spec["name"], spec["display_name"]) == ("python3", installed), path.name
