"""Input-derived text shown in the reports can never run or become markup (rosp_lib.report.escape)."""

from __future__ import annotations

import html

import mistune
import pandas as pd
import pytest

from rosp_lib.report.escape import escape_frame, escape_html, escape_markdown

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
