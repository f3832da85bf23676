"""The HTML documents and the index pages, without a kernel: what a reader receives."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from rosp_lib.engine import compute_file
from rosp_lib.report.html import DOCUMENT_MIME, to_html
from rosp_lib.report.index import write_indexes

ROOT = Path(__file__).resolve().parents[1]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.lang, self.title, self._in_title = [], None, "", False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag == "html":
            self.lang = a.get("lang")
        self._in_title = tag == "title"

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag):
        self._in_title = False


def parsed(text: str) -> Links:
    p = Links()
    p.feed(text)
    return p


def broken_links(html_file: Path) -> list[str]:
    """Relative links of a page that do not lead to a file."""
    out = []
    for href in parsed(html_file.read_text(encoding="utf-8")).hrefs:
        if re.match(r"^[a-z]+:", href) or href.startswith("#"):
            continue
        if not (html_file.parent / href).resolve().is_file():
            out.append(href)
    return out


def _notebook():
    params = new_code_cell('pharmacie_id = "PH-TILLEULS"\nSECRET_PARAM = 1')
    params.metadata["tags"] = ["parameters"]
    header = new_code_cell("nb.document_header(rapport)", outputs=[new_output(
        "display_data", data={DOCUMENT_MIME: {"titre": "ROSP 2024 — Pharmacie <Test> — synthèse"},
                              "text/html": "<h1>Synthèse</h1>", "text/plain": "x"})])
    body = new_code_cell("print_visible_code()", outputs=[new_output(
        "display_data", data={"text/markdown": "**Total : 12,00 €**", "text/plain": "x"})])
    tech_md = new_markdown_cell("## Montants enregistrés")
    tech_md.metadata["tags"] = ["rosp-technique"]
    tech = new_code_cell("valeurs = nb.record(rapport)", outputs=[new_output(
        "display_data", data={"application/vnd.rosp.resultats+json": {"total_cents": 1200},
                              "text/plain": "montants enregistrés"})])
    tech.metadata["tags"] = ["rosp-technique"]
    return new_notebook(cells=[params, header, body, tech_md, tech])


def test_document_has_no_code_no_parameters_no_technical_section():
    html = to_html(_notebook())
    assert "print_visible_code" not in html and "SECRET_PARAM" not in html and "document_header" not in html
    assert "Montants enregistrés" not in html and "montants enregistrés" not in html
    assert "<strong>Total\u00a0: 12,00\u00a0€</strong>" in html
    p = parsed(html)
    assert p.lang == "fr"
    assert p.title == "ROSP 2024 — Pharmacie <Test> — synthèse"
    assert "<title>ROSP 2024 — Pharmacie &lt;Test&gt; — synthèse</title>" in html
    assert "jp-InputArea" not in html and "@media print" in html and "size: A4" in html
    assert len(html.encode()) < 20_000  # our stylesheet, not Jupyter's


def test_guillemets_keep_their_words_on_the_same_line():
    """« Malus « » ended a line in a report: the texts are written with plain spaces inside the guillemets; the page
    has French typography's no-break spaces there (not in the notebook: only in the document a reader opens)."""
    book = _notebook()
    book.cells[2].outputs[0]["data"]["text/markdown"] = "**Malus « qualité de la facturation »** : « oui »"
    html = to_html(book)
    assert "«\u00a0qualité de la facturation\u00a0»" in html and "«\u00a0oui\u00a0»" in html
    assert "« " not in html and " »" not in html


def test_index_pages_link_every_report_and_show_totals(tmp_path):
    pharmacies, lines, totals = compute_file(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    stems = {"synthese": "00_synthese", "numerique": "01_numerique", "bups": "02_bups",
             "vaccination": "03_vaccination", "colorectal": "04_colorectal",
             "dispensation_unite": "05_dispensation_unite", "dispositif_2024": "06_dispositif_2024"}
    manifest = []
    for pid, year in pharmacies[["pharmacie_id", "exercice"]].itertuples(index=False):
        for theme, stem in stems.items():
            path = Path(str(year)) / pid / f"{stem}.html"
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / path).write_text("<html></html>", encoding="utf-8")
            failed = pid == "PH-GARE" and theme == "bups"
            manifest.append({"pharmacie_id": pid, "exercice": int(year), "theme": theme,
                             "statut": "echec" if failed else "ok", "chemin": "" if failed else str(path)})
    # a claim draft beside PH-TILLEULS 2024's synthesis (written by rosp report --versements), none elsewhere
    (tmp_path / "2024/PH-TILLEULS/reclamation_PH-TILLEULS_2024.md").write_text("# Réclamation", encoding="utf-8")
    names = dict(zip(pharmacies["pharmacie_id"], pharmacies["nom"]))
    written = write_indexes(tmp_path, manifest, lines, names)
    index = tmp_path / "index.html"
    assert index in written and (tmp_path / "pharmacies" / "PH-TILLEULS.html") in written
    for page in written:
        assert broken_links(page) == [], page
    text = index.read_text(encoding="utf-8")
    assert parsed(text).lang == "fr"
    # one row per pharmacy × exercise, with its total (PH-TILLEULS 2024: 7 890,91 €, worked out in
    # test_notebook_helpers.test_range_across_readings_and_stakes)
    assert text.count("<tr>") == 1 + len(pharmacies)
    assert "7\u202f890,91\u00a0€" in text
    assert "1 rapport en échec" in text
    assert text.count("<td>complet</td>") == len(pharmacies) - 1  # PH-GARE 2024: its BUPS report failed
    hrefs = parsed(text).hrefs
    assert "2024/PH-TILLEULS/00_synthese.html" in hrefs and "pharmacies/PH-TILLEULS.html" in hrefs
    page = (tmp_path / "pharmacies" / "PH-TILLEULS.html").read_text(encoding="utf-8")
    assert "../2024/PH-TILLEULS/06_dispositif_2024.html" in parsed(page).hrefs
    # the dispositif 2024 does not exist in 2025: no link to its page, which only says so (review)
    assert "../2025/PH-TILLEULS/06_dispositif_2024.html" not in parsed(page).hrefs
    assert "../2025/PH-TILLEULS/05_dispensation_unite.html" in parsed(page).hrefs
    # the claim draft is linked from the index and the pharmacy's page, and only that one
    assert [h for h in hrefs if "reclamation" in h] == ["2024/PH-TILLEULS/reclamation_PH-TILLEULS_2024.md"]
    assert "../2024/PH-TILLEULS/reclamation_PH-TILLEULS_2024.md" in parsed(page).hrefs
    # its legend says when a claim is drafted: a theme paid below what is due, not any gap (audit: « s'écarte »)
    assert "projet de réclamation écrit quand un thème a été versé en dessous de l'attendu" in text
    assert "’" not in text  # the reports' straight apostrophe, not a mix of both (review)
    # a theme that does not exist that exercise is « — », not 0,00 € (audit): PH-HALLES 2022 has no vaccination nor
    # dispositif 2024 (from 2024 and in 2024 only, avenant 1 art. 6 and 1), PH-GARE 2024 has both
    row = next(r for r in text.split("<tr>") if "PH-HALLES.html" in r and "<td>2022</td>" in r)
    cells = re.findall(r'<td class="montant"[^>]*>(.*?)</td>', row)
    assert cells[0] == "<strong>4\u202f267,60\u00a0€</strong>"  # the total of its four themes
    assert [cells[1 + k] for k in (2, 5)] == ["—", "—"] and "—" not in cells[1:3] + cells[4:6]
    assert 'title="thème sans objet pour l&#x27;exercice 2022">—</td>' in row
    gare = next(r for r in text.split("<tr>") if "PH-GARE.html" in r)
    assert "—" not in "".join(re.findall(r'<td class="montant"[^>]*>(.*?)</td>', gare))
    assert "—\u00a0»\u00a0: thème sans objet cet exercice-là (il n'existe pas cette année-là" in text


def test_index_says_how_many_reports_a_limited_run_made(tmp_path):
    """A run limited by --themes (2 of the 7 reports) was said « complet » in the index (audit)."""
    pharmacies, lines, _ = compute_file(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    manifest = []
    for theme, stem in (("synthese", "00_synthese"), ("numerique", "01_numerique")):
        path = Path("2024") / "PH-TILLEULS" / f"{stem}.html"
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("<html></html>", encoding="utf-8")
        manifest.append({"pharmacie_id": "PH-TILLEULS", "exercice": 2024, "theme": theme, "statut": "ok",
                         "chemin": str(path)})
    write_indexes(tmp_path, manifest, lines, dict(zip(pharmacies["pharmacie_id"], pharmacies["nom"])))
    text = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<td>2 rapports sur 7</td>" in text and "complet" not in text


def test_reports_a_limited_run_did_not_make_get_a_page_instead_of_a_broken_link(tmp_path):
    """A run limited by --themes or --exercice made reports whose navigation linked to missing files (audit):
    the other reports of the pharmacy-year and the same report of its other exercises now have a page that
    says so and how to make them; an existing report is never replaced by such a page."""
    pharmacies, lines, _ = compute_file(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    made = Path("2025") / "PH-CENTRE" / "02_bups.html"
    (tmp_path / made).parent.mkdir(parents=True)
    (tmp_path / made).write_text("<html>BUPS 2025</html>", encoding="utf-8")
    other = tmp_path / "2025" / "PH-CENTRE" / "01_numerique.html"  # made by an earlier run, not in this manifest
    other.write_text("<html>numérique 2025</html>", encoding="utf-8")
    manifest = [{"pharmacie_id": "PH-CENTRE", "exercice": 2025, "theme": "bups", "statut": "ok", "chemin": str(made)}]
    written = write_indexes(tmp_path, manifest, lines, {}, years={"PH-CENTRE": [2025, 2026]})
    placeholders = sorted(p.relative_to(tmp_path).as_posix() for p in written
                          if p.name != "index.html" and p.parent.name != "pharmacies")
    assert placeholders == [  # the five other reports of 2025 and the BUPS report of 2026
        "2025/PH-CENTRE/00_synthese.html", "2025/PH-CENTRE/03_vaccination.html", "2025/PH-CENTRE/04_colorectal.html",
        "2025/PH-CENTRE/05_dispensation_unite.html", "2025/PH-CENTRE/06_dispositif_2024.html",
        "2026/PH-CENTRE/02_bups.html"]
    assert other.read_text(encoding="utf-8") == "<html>numérique 2025</html>"
    page = (tmp_path / "2026/PH-CENTRE/02_bups.html").read_text(encoding="utf-8")
    assert "Bon usage (BUPS) — exercice 2026\u00a0: rapport non produit" in page
    assert "rosp report ENTREE --pharmacie PH-CENTRE --exercice 2026 --themes bups -o SORTIE</code>, avec les mêmes " \
           "options <code>--molecules</code>, <code>--versements</code> et <code>--parametres</code>" in page
    for page in written:
        assert broken_links(page) == [], page


def test_a_report_run_limited_by_themes_leaves_no_broken_link(tmp_path):
    """End to end: every link of every page of a `rosp report --exercice 2025 --themes bups` folder leads to a file."""
    from click.testing import CliRunner

    from rosp_lib.cli import main

    out = tmp_path / "sortie"
    result = CliRunner().invoke(main, ["report", str(ROOT / "data/pharmacies.csv"), "--pharmacie", "PH-CENTRE",
                                       "--exercice", "2025", "--themes", "bups", "-o", str(out)])
    assert result.exit_code == 0, result.output
    pages = sorted(out.rglob("*.html"))
    assert out / "2025/PH-CENTRE/02_bups.html" in pages and out / "2026/PH-CENTRE/02_bups.html" in pages
    assert {p: broken_links(p) for p in pages} == {p: [] for p in pages}
    assert "rapport non produit" not in (out / "2025/PH-CENTRE/02_bups.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("chemin", ["javascript:alert(document.domain)", "https://exemple.invalid/x.html",
                                    "../../etc/passwd", "/tmp/x.html", "2024/PH-TILLEULS/00_synthese.html?x=<b>"])
def test_the_index_links_only_to_report_paths_the_command_writes(tmp_path, chemin):
    """rapports.csv may have been edited: its `chemin` became a link as it was (audit)."""
    pharmacies, lines, _ = compute_file(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    manifest = [{"pharmacie_id": "PH-TILLEULS", "exercice": 2024, "theme": "synthese", "statut": "ok", "chemin": chemin},
                {"pharmacie_id": "PH-TILLEULS", "exercice": 2024, "theme": "numerique", "statut": "ok",
                 "chemin": "2024/PH-TILLEULS/01_numerique.html"}]
    (tmp_path / "2024/PH-TILLEULS").mkdir(parents=True)
    (tmp_path / "2024/PH-TILLEULS/01_numerique.html").write_text("<html></html>", encoding="utf-8")
    write_indexes(tmp_path, manifest, lines, {})
    for page in (tmp_path / "index.html", tmp_path / "pharmacies" / "PH-TILLEULS.html"):
        hrefs = parsed(page.read_text(encoding="utf-8")).hrefs
        assert not [h for h in hrefs if "javascript" in h or "exemple" in h or "passwd" in h or h.startswith("/")
                    or "?" in h]
        assert any(h.endswith("2024/PH-TILLEULS/01_numerique.html") for h in hrefs)


def test_each_row_of_the_index_shows_that_exercises_name(tmp_path):
    """A pharmacy named differently from one exercise to the next (sold, renamed): the index showed its last name on
    every row, while each report showed its own (audit)."""
    pharmacies, lines, _ = compute_file(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    manifest = [{"pharmacie_id": "PH-HALLES", "exercice": y, "theme": "synthese", "statut": "ok",
                 "chemin": f"{y}/PH-HALLES/00_synthese.html"} for y in (2022, 2023)]
    for y in (2022, 2023):
        (tmp_path / str(y) / "PH-HALLES").mkdir(parents=True)
        (tmp_path / str(y) / "PH-HALLES" / "00_synthese.html").write_text("<html></html>", encoding="utf-8")
    names = {("PH-HALLES", 2022): "Pharmacie des Halles", ("PH-HALLES", 2023): "Pharmacie du Marché couvert"}
    write_indexes(tmp_path, manifest, lines, names)
    text = (tmp_path / "index.html").read_text(encoding="utf-8")
    rows = {y: next(r for r in text.split("<tr>") if f"<td>{y}</td>" in r) for y in (2022, 2023)}
    assert "<td>Pharmacie des Halles</td>" in rows[2022] and "Marché couvert" not in rows[2022]
    assert "<td>Pharmacie du Marché couvert</td>" in rows[2023]
    page = (tmp_path / "pharmacies" / "PH-HALLES.html").read_text(encoding="utf-8")
    assert "<h1>Pharmacie du Marché couvert</h1>" in page  # its latest name


def test_the_index_sums_each_exercise_under_its_rows(tmp_path):
    """A groupement reads its network's ROSP for each exercise at the foot of the index: the sums of the rows of that
    exercise, theme by theme; an exercise of one row has no foot (its row is its sum), a theme no row has is « — »."""
    import pandas as pd

    lines = pd.DataFrame([  # cents: PH-A 2024 100,00 € + 50,50 € ; PH-B 2024 20,00 € and a malus of −0,75 € ; PH-C 2023
        ("PH-A", 2024, "numerique", 10_000), ("PH-A", 2024, "bups", 5_050),
        ("PH-B", 2024, "numerique", 2_000), ("PH-B", 2024, "numerique", -75),
        ("PH-C", 2023, "numerique", 999)], columns=["pharmacie_id", "exercice", "theme", "montant_cents"])
    manifest = [{"pharmacie_id": p, "exercice": y, "theme": "synthese", "statut": "ok",
                 "chemin": f"{y}/{p}/00_synthese.html"} for p, y in (("PH-A", 2024), ("PH-B", 2024), ("PH-C", 2023))]
    write_indexes(tmp_path, manifest, lines, {})
    text = (tmp_path / "index.html").read_text(encoding="utf-8")
    foot = text.split("<tfoot>")[1].split("</tfoot>")[0]
    assert foot.count("<tr") == 1 and "<th>Total 2024</th>" in foot and "2023" not in foot
    amounts = re.findall(r'<td class="montant"[^>]*>(.*?)</td>', foot)
    # total 100 + 50,50 + 20 − 0,75 = 169,75 € ; numérique 119,25 € ; BUPS 50,50 € ; the four other themes: none
    assert amounts[:3] == ["<strong>169,75\u00a0€</strong>", "119,25\u00a0€", "50,50\u00a0€"]
    assert amounts[3:] == ["—"] * 4
    assert "<td>2 lignes</td>" in foot
    # the promise says which exercises have a sum (review: « de chaque exercice », and only 2024 had one)
    assert "en pied de tableau, les sommes de chaque exercice qui a plusieurs lignes." in text
    # a page « rapport non produit » has French typography in its title too (review: « … Numérique (REMU NUM) : »)
    write_indexes(tmp_path, manifest, lines, {}, years={"PH-A": [2024]})
    missing = (tmp_path / "2024" / "PH-A" / "01_numerique.html").read_text(encoding="utf-8")
    assert "(REMU NUM)\u00a0: rapport non produit</title>" in missing
    page = (tmp_path / "pharmacies" / "PH-A.html").read_text(encoding="utf-8")
    assert "<tfoot>" not in page  # a pharmacy's page: its rows are its exercises


def test_french_no_break_spaces_before_percent_colon_and_inside_guillemets_in_text_only():
    """« 25 % » and « Total : » were written with plain spaces: a browser could start a line with « % » or « : »
    (review). The text of a page gets the no-break spaces of French typography; tags, styles and scripts do not
    (a class « a ;b », a style « a :hover » are not prose)."""
    from rosp_lib.report.html import french_quotes

    page = ('<p class="a ;b">Taux : 25 % ; seuil « x » ? oui ! thème à 0 €</p><style>a :hover { x: 1 ; }</style>'
            '<script>f( a ; b )</script><td title="t : u">— »</td>')
    assert french_quotes(page) == ('<p class="a ;b">Taux\u00a0: 25\u00a0%\u00a0; seuil «\u00a0x\u00a0»\u00a0? '
                                   'oui\u00a0! thème à 0\u00a0€</p><style>a :hover { x: 1 ; }</style><script>f( a ; b )'
                                   '</script><td title="t : u">—\u00a0»</td>')


def test_a_row_outside_the_input_keeps_the_amounts_and_name_its_reports_recorded(tmp_path):
    """A report redone from its folder's own entree.csv (docs/cluster.md) wrote an index whose other rows read 0,00 €,
    named by their identifier and « à refaire » (review). A row the input does not have now shows what its reports
    recorded in rapports.csv (montant_eur, nom), « ? » for a theme no report recorded, « — » for a theme absent that
    exercise, and says it is outside the input; a row of the input keeps its computed amounts."""
    import pandas as pd

    lines = pd.DataFrame([("PH-A", 2024, "numerique", 10_000), ("PH-A", 2024, "bups", 5_050)],
                         columns=["pharmacie_id", "exercice", "theme", "montant_cents"])
    recorded = {"synthese": "6353.00", "numerique": "5334.00", "bups": "400.00", "vaccination": "0.00",
                "colorectal": "120.00", "dispensation_unite": "499.00", "dispositif_2024": "0.00"}
    manifest = [{"pharmacie_id": "PH-A", "exercice": 2024, "theme": "synthese", "statut": "ok",
                 "chemin": "2024/PH-A/00_synthese.html", "montant_eur": "999.99", "nom": "Ancien nom"}]
    manifest += [{"pharmacie_id": "PH-B", "exercice": 2025, "theme": t, "statut": "ok", "chemin": "",
                  "montant_eur": a, "nom": "'=Pharmacie B"} for t, a in recorded.items()]
    # PH-C 2025: only its numérique report was made (a run limited by --themes)
    manifest += [{"pharmacie_id": "PH-C", "exercice": 2025, "theme": "numerique", "statut": "ok", "chemin": "",
                  "montant_eur": "10.00", "nom": ""}]
    write_indexes(tmp_path, manifest, lines, {("PH-A", 2024): "Pharmacie A"})
    text = (tmp_path / "index.html").read_text(encoding="utf-8")
    rows = {p: next(r for r in text.split("<tr>") if f">{p}</a>" in r).split("</tr>")[0] for p in ("PH-A", "PH-B", "PH-C")}
    amounts = {p: re.findall(r'<td class="montant"[^>]*>(.*?)</td>', r) for p, r in rows.items()}
    # PH-B 2025: 5 334 + 400 + 0 + 120 + 499 = 6 353,00 €, the dispositif 2024 absent in 2025
    assert amounts["PH-B"] == ["<strong>6\u202f353,00\u00a0€</strong>", "5\u202f334,00\u00a0€", "400,00\u00a0€",
                               "0,00\u00a0€", "120,00\u00a0€", "499,00\u00a0€", "—"]
    # the name its report recorded, the spreadsheet's text prefix taken off
    assert "<td>=Pharmacie B</td>" in rows["PH-B"] and "hors du fichier d&#x27;entrée" in rows["PH-B"]
    assert "à refaire" not in rows["PH-B"]
    # PH-C: the numérique only; the others unknown, so is the total (never counted as zero)
    assert amounts["PH-C"] == ['?', "10,00\u00a0€"] + ["?"] * 4 + ["—"]
    assert "<td>PH-C</td>" in rows["PH-C"]
    # PH-A of the input: its computed amounts (150,50 €), its reports compared with them, its input name
    assert amounts["PH-A"][0] == "<strong>150,50\u00a0€</strong>" and "à refaire" in rows["PH-A"]
    assert "<td>Pharmacie A</td>" in rows["PH-A"] and "hors du fichier" not in rows["PH-A"]
    assert "ses montants sont ceux que ses rapports ont enregistrés dans rapports.csv" in text
    # the sums of 2025 (two rows): unknown where PH-C's is
    foot = re.findall(r'<td class="montant"[^>]*>(.*?)</td>', text.split("<tfoot>")[1])
    assert foot == ["?", "5 344,00 €"] + ["?"] * 4 + ["—"]
