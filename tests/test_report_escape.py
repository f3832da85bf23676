"""Input-derived text shown in the reports can never run or become markup (rosp_lib.report.escape)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import mistune
import pandas as pd
import pytest

from helpers_rules import write_csv
from rosp_lib.report.escape import (escape_frame, escape_html, escape_html_text, escape_markdown,
                                    escape_markdown_text, unescape_markdown_text)

ATTACKS = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[cliquez](javascript:alert(1))",
    "Pharmacie **du centre",
    "Pharmacie **grasse** & fils",
    "<a href=\"javascript:alert(1)\">lien</a>",
    "# Titre\n- liste\n> citation",
    "`code` ![img](x) <https://exemple.fr> _souligné_ ~~barré~~ | a | b |",
    "&lt;script&gt; déjà échappé",
]


def render(markdown_text: str) -> str:
    return mistune.html(markdown_text)


@pytest.mark.parametrize("text", ATTACKS)
def test_markdown_shows_the_text_and_no_markup(text):
    out = render(f"**Nom :** {escape_markdown(text)} (exercice 2024)")
    assert "<script" not in out and "<img" not in out and "<a " not in out and 'href="javascript' not in out
    assert out.count("<strong>") == 1  # only the report's own bold
    for tag in ("<em>", "<code>", "<h1>", "<li>", "<blockquote>", "<del>", "<table>"):
        assert tag not in out
    shown = html.unescape(out.replace("<p>", "").replace("</p>", "").replace("<strong>", "").replace("</strong>", ""))
    assert " ".join(text.split("\n")) in shown  # every character displayed, as written


@pytest.mark.parametrize("text", ATTACKS)
def test_html_shows_the_text_and_no_markup(text):
    out = escape_html(text)
    assert "<" not in out and ">" not in out and '"' not in out
    assert html.unescape(out) == " ".join(text.split("\n"))


def test_styler_table_with_molecule_names_has_no_markup():
    frame = pd.DataFrame({"Valeur de l'officine": ["<img src=x onerror=alert(1)>", "sitagliptine"],
                          "Montant": [1.5, 2.0]})
    rendered = escape_frame(frame).style.to_html()
    assert "<img" not in rendered and "onerror=alert(1)&gt;" in rendered
    assert "sitagliptine" in rendered
    assert frame.iat[0, 0] == "<img src=x onerror=alert(1)>"  # the table given is not changed


# --------------------------------------------------------------------------------------------
# Text values of a user's scenario (molecule names) and the claim drafts (reclamation_<id>_<exercice>.md)
# --------------------------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parent.parent
HOSTILE_MOLECULES = ["<script>alert(9)</script>", "[z](javascript:alert(6))", "**gras", "<img src=x onerror=alert(2)>",
                     "ligne\n- cassée", "sitagliptine"]
# the rule text of a scenario with these molecules, as Markdown: each name escaped, the rest as written
HOSTILE_RULE = ("Pour chaque molécule ciblée de l'exercice (&lt;script>alert(9)&lt;/script>, "
                "\\[z\\](javascript&#58;alert(6)), \\*\\*gras, &lt;img src=x onerror=alert(2)>, ligne - cassée, "
                "sitagliptine) : prime de 0,22565\u00a0€ par boîte substituée, ou de 2,6232\u00a0€ par boîte gagnée en "
                "lecture « boîtes gagnées sur le taux de départ » (lecture retenue : boîtes substituées).")
HOSTILE_NOM = "<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3)) **gras"
NORMAL_NAMES = ["Pharmacie du Centre", "Pharmacie Saint-Roch (gare)", "Dupont & Fils", "vildagliptine/metformine",
                "palipéridone", "L'Officine 2000", "Pharmacie n° 3, 10:30"]


def jupyter_html(markdown_text: str) -> str:
    """Markdown as nbconvert renders it in the reports (raw HTML kept, every link protocol allowed)."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(markdown_text)


class _Markup(HTMLParser):
    """The tags and attributes of an HTML text."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_no_input_markup(html_text: str, own_em: int = 0) -> None:
    """No tag made of input text: the only links are nbconvert's anchors of headings, `own_em` the italics of the
    text around it."""
    tags = _Markup(html_text).tags
    assert not [t for t, _ in tags if t in ("script", "img", "code")], tags
    assert not [a for t, a in tags if t == "a" and not a.get("href", "").startswith("#")], tags
    assert [t for t, _ in tags].count("em") == own_em, tags
    assert not [a for _, attrs in tags for a in attrs if a.startswith("on")], tags
    assert "javascript:" not in " ".join(str(v) for _, attrs in tags for v in attrs.values())


def _scenario(tmp_path: Path, molecules: list[str]) -> Path:
    import yaml

    path = tmp_path / "molinj.yaml"
    path.write_text(yaml.safe_dump({2024: {"bups": {"molecules_ciblees": {"molecules": molecules}}}},
                                   allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("text", ATTACKS + ["ligne\n- cassée", "1. liste", "+ liste", "http://evil www.evil.fr"])
def test_markdown_text_shows_the_text_and_no_markup(text):
    out = escape_markdown_text(text)
    for rendered in (render(f"**Nom :** {out} (exercice 2024)"), jupyter_html(f"- **Nom :** {out}")):
        assert_no_input_markup(rendered)
        assert rendered.count("<strong>") == 1 and "<li>" not in rendered.replace("<li><strong>", "")
        for tag in ("<h1>", "<blockquote>", "<del>", "<table>", "<ol>", 'href="http'):
            assert tag not in rendered
        shown = html.unescape(rendered.replace("<strong>", "").replace("</strong>", ""))
        assert " ".join(text.split("\n")) in shown  # every character displayed, as written
    assert unescape_markdown_text(out) == " ".join(text.split("\n"))  # what the <pre> of a report shows


def test_markdown_text_of_a_normal_name_is_the_name():
    for name in NORMAL_NAMES:
        assert escape_markdown_text(name) == name
        assert html.unescape(render(name)) == f"<p>{name}</p>\n"


def test_markdown_text_of_the_hostile_name_is_legible_raw():
    assert escape_markdown_text(HOSTILE_NOM) == ("&lt;script>alert(1)&lt;/script>&lt;img src=x onerror=alert(2)> "
                                                 "\\[x\\](javascript&#58;alert(3)) \\*\\*gras")


def test_rule_text_escapes_the_molecules_of_a_scenario(tmp_path):
    """Bug: a scenario's molecule names went raw into the rule « Pour chaque molécule ciblée… » of the BUPS report."""
    from rosp_lib.parameters import load_parameters
    from rosp_lib.registry import indicator
    from rosp_lib.rulebook import rule_text

    params = load_parameters(2024, _scenario(tmp_path, HOSTILE_MOLECULES))
    text = rule_text(indicator("molecules_ciblees"), params)
    assert text == HOSTILE_RULE
    out = jupyter_html(f"- **Molécules ciblées** — {text}")
    assert_no_input_markup(out)
    assert out.count("<strong>") == 1 and out.count("<li>") == 1
    assert ("(&lt;script&gt;alert(9)&lt;/script&gt;, [z](javascript:alert(6)), **gras, "
            "&lt;img src=x onerror=alert(2)&gt;, ligne - cassée, sitagliptine)") in out


def test_bups_report_html_shows_the_molecules_of_a_scenario_as_text(tmp_path):
    """The rules of the BUPS report (notebook.rules_list) through nbconvert, as `rosp report` writes them."""
    import nbformat

    from rosp_lib.report import notebook as nb
    from rosp_lib.report.html import to_html

    rep = nb.load("PH-TILLEULS", 2024, str(ROOT / "data" / "pharmacies.csv"), "",
                  str(_scenario(tmp_path, HOSTILE_MOLECULES)))
    cell = nbformat.v4.new_code_cell("rules", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/markdown": nb.rules_list(rep, "bups")})])
    page = to_html(nbformat.v4.new_notebook(cells=[cell]))
    body = page.split("<main>", 1)[1]
    assert_no_input_markup(body)
    assert "Pour chaque molécule ciblée de l'exercice (&lt;script&gt;alert(9)&lt;/script&gt;, [z](javascript:alert(6))" in body


def test_rule_text_of_the_reference_parameters_is_unchanged():
    from rosp_lib.parameters import load_parameters
    from rosp_lib.registry import indicator
    from rosp_lib.rulebook import rule_text

    text = rule_text(indicator("molecules_ciblees"), load_parameters(2024))
    assert text == ("Pour chaque molécule ciblée de l'exercice (sitagliptine, vildagliptine, vildagliptine/metformine, "
                    "sitagliptine/metformine, palipéridone) : prime de 0,22565\u00a0€ par boîte substituée, ou de "
                    "2,6232\u00a0€ par boîte gagnée en lecture « boîtes gagnées sur le taux de départ » (lecture "
                    "retenue : boîtes substituées).")
    assert "\\" not in jupyter_html(text)


def test_titles_hold_numbers_only():
    """`title` is plain text (CSV, XLSX, HTML escaped where it is placed, Markdown of the reports): no text value of a
    scenario may reach it."""
    from rosp_lib.parameters import available_exercises, load_parameters
    from rosp_lib.parameters.model import Seuil
    from rosp_lib.registry import INDICATORS
    from rosp_lib.rulebook import find_leaf, placeholders

    for year in available_exercises():
        params = load_parameters(year)
        for ind in INDICATORS:
            for name in placeholders(ind.titre):
                leaf = find_leaf(params, ind.noeud, name.split(":")[0])
                assert leaf is None or isinstance(leaf, Seuil) or not isinstance(leaf.valeur, (str, list, dict)), \
                    (ind.code, name)


PHARMACY_2024 = {"pharmacie_id": "PH-X", "exercice": 2024, "dqo_autoevaluation": "oui", "dqo_newsletter": "oui",
                 "dqo_programme_amelioration": "oui", "taux_generiques_repertoire_pct": 90}
# The molecules table holds the hostile names but the one with a line break: a CSV cell on several lines is refused
# (an unclosed quote swallowed the next rows); the scenario's list, in YAML, still holds it.
MOLECULES_2024 = [{"pharmacie_id": "PH-X", "exercice": 2024, "molecule": m, "nb_boites": 100, "taux_depart_pct": 50,
                   "taux_arrivee_pct": 80} for m in HOSTILE_MOLECULES if "\n" not in m]


def _claim(tmp_path: Path, nom: str, molecules: list[str] | None):
    from rosp_lib.counterfactual.reconcile import reconcile
    from rosp_lib.counterfactual.versements import read_versements
    from rosp_lib.inputs import read_inputs

    entree = write_csv(tmp_path / "pharmacies.csv", [{**PHARMACY_2024, "nom": nom}])
    mols = write_csv(tmp_path / "molecules.csv", MOLECULES_2024)
    pharmacies, mol_table = read_inputs(str(entree), str(mols))
    paid = read_versements(write_csv(tmp_path / "versements.csv", [
        {"pharmacie_id": "PH-X", "exercice": 2024, "theme": "bups", "montant_verse_eur": "1,00"}], sep=";"), pharmacies)
    scenario = _scenario(tmp_path, molecules) if molecules else None
    _, claims = reconcile(pharmacies, mol_table, paid, scenario)
    return claims[("PH-X", 2024)], (entree, mols, tmp_path / "versements.csv", scenario)


def test_claim_draft_escapes_the_molecules_of_a_scenario(tmp_path):
    """Bug: a scenario's molecule names went raw into the claim draft, a name with a line break broke its list."""
    claim, _ = _claim(tmp_path, "Pharmacie du Centre", HOSTILE_MOLECULES)
    rule = next(line for line in claim.split("\n") if "Pour chaque molécule" in line)
    assert rule.startswith("- **Génériques, hybrides, biosimilaires : molécules ciblées** : " + HOSTILE_RULE)
    assert "<script" not in claim and "<img" not in claim and "](javascript:" not in claim
    out = jupyter_html(claim)
    assert_no_input_markup(out, own_em=1)  # the draft's closing note
    section = claim.split("### Bon usage des produits de santé (BUPS)\n", 1)[1].split("\n## ", 1)[0]
    bullets = [line for line in section.split("\n") if line.startswith("- ")]
    assert len(bullets) == 3  # démarche qualité, génériques (socle), molécules ciblées: the broken name adds none
    assert jupyter_html(section).count("<li>") == len(bullets)


def test_claim_draft_escapes_the_pharmacy_name(tmp_path):
    claim, _ = _claim(tmp_path, HOSTILE_NOM, None)
    assert claim.split("\n")[2] == (
        "**Officine** : &lt;script>alert(1)&lt;/script>&lt;img src=x onerror=alert(2)> \\[x\\](javascript&#58;"
        "alert(3)) \\*\\*gras (identifiant PH-X)  ")
    assert_no_input_markup(jupyter_html(claim), own_em=1)


def test_claim_draft_in_the_synthesis_report_is_escaped_once(tmp_path):
    """The draft shown in the <details> of the synthesis report: the names as written, escaped for HTML once."""
    from rosp_lib.report import notebook as nb
    from rosp_lib.report import versements

    _, (entree, mols, paid, scenario) = _claim(tmp_path, "Pharmacie du Centre", HOSTILE_MOLECULES)
    rep = nb.load("PH-X", 2024, str(entree), str(mols), str(scenario))
    out = str(versements.table_html(rep, versements.compute(rep, str(paid))))
    details = out.split('<details id="projet-de-reclamation">', 1)[1]
    # laid out as a letter (review): its own markup only — the italic line that closes the draft
    assert_no_input_markup(details, own_em=1)
    assert "<table>" in details and "<pre>" not in details and "# Projet" not in details
    assert ("(&lt;script&gt;alert(9)&lt;/script&gt;, [z](javascript:alert(6)), **gras, "
            "&lt;img src=x onerror=alert(2)&gt;, ligne - cassée, sitagliptine)") in details
    assert "&amp;lt;" not in details and "&amp;#" not in details and "\\" not in details


def test_claim_draft_of_normal_names_is_unchanged(tmp_path):
    claim, _ = _claim(tmp_path, "Pharmacie Dupont & Fils (gare)", None)
    assert claim.split("\n")[2] == "**Officine** : Pharmacie Dupont & Fils (identifiant PH-X)  ".replace(
        "Fils (", "Fils (gare) (")
    assert "(sitagliptine, vildagliptine, vildagliptine/metformine, sitagliptine/metformine, palipéridone)" in claim
    assert "\\" not in claim and unescape_markdown_text(claim) == claim


# JupyterLab typesets the math of a rendered output (MathJax), after `&#36;` is `$` again: « $x^2$ » read x², and
# « $\style{color:red;font-size:40px}{ROUGE}$ » drew a big red word in a pharmacy's name. MathJax skips an element
# of the class `mathjax_ignore` (JupyterLab's MathJax 3; `tex2jax_ignore` for MathJax 2).
MATH = ["Pharmacie $x^2$ et $\\style{color:red;font-size:40px}{ROUGE}$", "a \\(y^2\\) b", "\\[z\\]", "5 $ de plus"]
NO_MATH = re.compile(r'<span class="tex2jax_ignore mathjax_ignore">(.*?)</span>', re.DOTALL)


@pytest.mark.parametrize("text", MATH)
@pytest.mark.parametrize("escaper, renderer", [(escape_markdown, render), (escape_markdown, jupyter_html),
                                               (escape_markdown_text, render), (escape_markdown_text, jupyter_html),
                                               (escape_html_text, lambda x: x)])
def test_text_that_could_be_math_is_kept_from_the_typesetting(text, escaper, renderer):
    rendered = renderer(f"**Nom :** {escaper(text)} (exercice 2024)")
    inside = NO_MATH.findall(rendered)
    assert len(inside) == 1 and html.unescape(inside[0]) == text  # every character, as written, in the span
    outside = NO_MATH.sub("", rendered)
    assert "$" not in html.unescape(outside) and "\\" not in html.unescape(outside)
    assert_no_input_markup(rendered)


@pytest.mark.parametrize("text", MATH)
def test_the_claim_draft_in_its_pre_shows_math_like_text_as_written(text):
    assert unescape_markdown_text(escape_markdown_text(text)) == text


@pytest.mark.parametrize("text", ["Pharmacie du Centre", "Pharmacie **grasse** & fils"])
def test_text_that_cannot_be_math_is_not_wrapped(text):
    assert "<span" not in escape_markdown(text) + escape_markdown_text(text) + escape_html_text(text)


@pytest.mark.parametrize("text", MATH)
def test_text_for_an_attribute_is_never_wrapped(text):
    """A link's href, a page's <title>, a `title=""` attribute: the span would end the attribute's value."""
    assert escape_html(text) == html.escape(text, quote=True)


def test_a_math_like_name_in_a_report_table_and_heading_is_kept_from_the_typesetting():
    from rosp_lib.report.notebook import _link, table

    rendered = str(table(["Nom"], [["Pharmacie $x^2$"]]))
    assert rendered == ('<table><thead><tr><th>Nom</th></tr></thead><tbody><tr><td><span class="tex2jax_ignore '
                        'mathjax_ignore">Pharmacie $x^2$</span></td></tr></tbody></table>')
    assert _link("a$b.html", "$x$") == ('<a href="a$b.html"><span class="tex2jax_ignore mathjax_ignore">$x$</span></a>')
    styled = escape_frame(pd.DataFrame({"Molécule": ["$y$"]})).style.to_html()
    assert '<span class="tex2jax_ignore mathjax_ignore">$y$</span>' in styled


def test_claim_draft_names_each_molecule_line_escaped(tmp_path):
    """The draft lists the molecule lines one by one, each with its molecule (they read three times « molécules
    ciblées » with no name); the names, input text, are escaped in the draft. (The unexplained gap's « à vérifier »
    list is the report's, not the letter's, since 2026-12-03: the letter states the gap as a fact.)"""
    claim, _ = _claim(tmp_path, "Pharmacie du Centre", HOSTILE_MOLECULES)
    finding = next(line for line in claim.split("\n") if line.startswith("Constat : "))
    assert finding.startswith("Constat : le montant versé (1,00\u00a0€) est inférieur de 189,25\u00a0€ au montant dû")
    calc = next(line for line in claim.split("\n") if "molécules ciblées**" in line)
    # 0,22565 € × 100 boîtes × 80 % = 18,052 € → 18,05 € per molecule (2024, « boîtes substituées »)
    assert ("(calcul : &lt;script>alert(9)&lt;/script> : 0,22565\u00a0€ × 100 × 80 % = 0,22565\u00a0€ × 80 boîtes "
            "substituées = 18,05\u00a0€ ; ") in calc
    assert "; \\*\\*gras : 0,22565" in calc and "; sitagliptine : 0,22565" in calc
    assert_no_input_markup(jupyter_html(calc))


def test_a_greater_than_sign_reads_as_written_in_a_raw_draft():
    """A claim draft opened raw read « 26 % &gt; 5 % » in its calculation (review): `>` makes markup only where a
    line starts (a quotation), and `<` is escaped, so it closes no tag; it is kept elsewhere."""
    import mistune

    assert escape_markdown_text("26 % > 5 %") == "26 % > 5 %"
    assert escape_markdown_text("> citation") == "\\> citation"
    assert unescape_markdown_text(escape_markdown_text("> citation")) == "> citation"
    rendered = mistune.html(escape_markdown_text("> x <img src=x onerror=alert(1)> 3 > 2"))
    assert "<blockquote>" not in rendered and "<img" not in rendered


def test_hypotheses_of_the_bups_report_show_the_molecules_of_a_scenario_as_text(tmp_path):
    """Bug (review): a scenario giving primes to molecules named from the input put the names raw into the list of the
    hypotheses of the BUPS report (« lecture du scénario : <img … onerror=…> : 0,50 € »), a live tag once rendered."""
    import yaml

    from rosp_lib.report import notebook as nb

    hostile = ["<img src=x onerror=alert(2)>", "[z](javascript:alert(6))", "<script>alert(9)</script>"]
    path = tmp_path / "primes.yaml"
    path.write_text(yaml.safe_dump({2024: {"bups": {"molecules_ciblees": {
        "molecules": {"valeur": ["sitagliptine", *hostile]},
        "primes_par_molecule": {"valeur": {name: 0.5 for name in hostile}}}}}}, allow_unicode=True), encoding="utf-8")
    molecules = tmp_path / "molecules.csv"
    molecules.write_text("pharmacie_id,exercice,molecule,nb_boites,taux_depart_pct,taux_arrivee_pct\n"
                         "PH-TILLEULS,2024,<img src=x onerror=alert(2)>,100,50,60\n", encoding="utf-8")
    rep = nb.load("PH-TILLEULS", 2024, str(ROOT / "data" / "pharmacies.csv"), str(molecules), str(path))
    text = nb.hypotheses_text(rep, "bups")
    assert "lecture du scénario : &lt;img src=x onerror=alert(2)> : 0,50\u00a0€, &lt;script>alert(9)&lt;/script> : " \
           "0,50\u00a0€, \\[z\\](javascript&#58;alert(6)) : 0,50\u00a0€ ; lecture retenue par l'outil : aucune" in text
    rendered = jupyter_html(text)
    assert_no_input_markup(rendered)
    assert "&lt;script&gt;alert(9)&lt;/script&gt; : 0,50\u00a0€, [z](javascript:alert(6)) : 0,50\u00a0€" in rendered
