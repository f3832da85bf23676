"""Input-derived text made harmless for display in the reports (Markdown cells, HTML tables).

A pharmacy's `nom`, a molecule name or any cell of the user's file may hold `<script>`, an
`<img onerror=…>`, a Markdown link to `javascript:` or a stray `**`. Each function below returns
a text that displays exactly the characters of the input and can never become markup:

- `escape_markdown(text)`: for text placed in a Markdown cell (`display(Markdown(...))`): every
  character Markdown or HTML could read as syntax becomes a numeric character reference (`*` →
  `&#42;`), which Markdown and HTML renderers show as the character itself;
- `escape_markdown_text(text)`: for text placed in Markdown that a person may also read as it is written
  (a claim draft `reclamation_*.md`, a rule text rendered from a user's scenario): the few characters
  that would make markup are escaped, the others kept, so that « Pharmacie du Centre » stays as written
  and `**gras` reads `\\*\\*gras`; safe in CommonMark, GFM, Python-Markdown and Jupyter (mistune);
  `unescape_markdown_text` undoes it (the draft shown in a report's <pre>, then HTML-escaped once);
- `escape_html(text)`: for text placed in HTML, an attribute's value included (a link, a page's <title>);
- `escape_html_text(text)`: for text placed in an element of a notebook's output (a pandas Styler table, an
  ipywidgets.HTML, a heading): `escape_html`, kept from the math typesetting (below);
- `escape_frame(frame)`: `escape_html_text` on every text cell of a table, before `frame.style`.

Line breaks and control characters become spaces (a name never starts a new Markdown block).

JupyterLab typesets the math of a rendered output after it is drawn, when `&#36;` is `$` again: « $x^2$ » in a
name read x². A text holding a `$` or a backslash (`\\(`, `\\[`: its other delimiters) is therefore wrapped in
a `<span>` of the class MathJax skips (`mathjax_ignore`; `tex2jax_ignore` for MathJax 2); the HTML exports,
which load no MathJax, show it as any span.
"""

from __future__ import annotations

import html
import re

import pandas as pd

# The ASCII characters Markdown (CommonMark, GFM) or HTML can read as syntax, by where they make markup: the one
# table of both escapers. `escape_markdown` writes every one of them as a numeric character reference, wherever
# it stands; `escape_markdown_text` escapes each only where its row says, as its row says, and keeps it elsewhere.
# Wherever it stands (emphasis, code, links, raw HTML, tables, strikethrough, math): a backslash, which every
# Markdown reads (CommonMark, Python-Markdown, mistune), or a character reference where a backslash is not read
# everywhere, or not at all (HTML);
_ANYWHERE = {**{c: "\\" + c for c in "`*_[]{}"},
             "<": "&lt;", "|": "&#124;", "~": "&#126;", "$": "&#36;",
             # a backslash by its reference: escaped by another backslash, « \\( » is Jupyter's math delimiter
             "\\": "&#92;"}
# where it would make markup, a character reference: an `&` that would start one, the colon of a scheme
# (`javascript:`, `http://`: no link, not even an autolink), the dot of `www.` (GFM's extended autolink);
_IN_CONTEXT = {"&": "&amp;", ":": "&#58;", ".": "&#46;"}
# where the text starts a line, a backslash: a heading, a list, a quotation (`>` makes no markup elsewhere: with `<`
# escaped it closes no tag; « 26 % &gt; 5 % » in a claim draft opened raw read worse than « 26 % > 5 % »: review) ...
_LINE_START = "#+->"
# ... an ordered list, after the line's number (`1.`, `1)`);
_AFTER_NUMBER = ".)"
# kept: markup only beside one of the characters above (`![`, `](`, `[^`, `="` in a tag, `://`), save a line of
# `=` under a line of text (a setext heading) and GFM's e-mail autolink (`nom@domaine.fr`), left as they are.
_BESIDE_OTHERS = "(!\"'=;/@%^"
_MARKDOWN_SPECIAL = frozenset([*_ANYWHERE, *_IN_CONTEXT, *_LINE_START, *_AFTER_NUMBER, *_BESIDE_OTHERS])
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _flat(text) -> str:
    return _CONTROL.sub(" ", "" if text is None else str(text))


_NO_MATH = ('<span class="tex2jax_ignore mathjax_ignore">', "</span>")
_NO_MATH_WRAPPED = re.compile(re.escape(_NO_MATH[0]) + "(.*?)" + re.escape(_NO_MATH[1]), re.DOTALL)


def _no_math(escaped: str, flat: str) -> str:
    """`escaped` (the text `flat`, escaped) out of reach of the notebook's math typesetting, if it could be math."""
    return f"{_NO_MATH[0]}{escaped}{_NO_MATH[1]}" if "$" in flat or "\\" in flat else escaped


def escape_markdown(text) -> str:
    """`text` for a Markdown cell: shown as written, never read as Markdown, HTML or math."""
    flat = _flat(text)
    return _no_math("".join(f"&#{ord(c)};" if c in _MARKDOWN_SPECIAL else c for c in flat), flat)


_AMPERSAND_REFERENCE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_SCHEME_COLON = re.compile(r"(?<=[A-Za-z]):(?=\S)")
_WWW_DOT = re.compile(r"(?i)(?<![0-9A-Za-z])(www)\.")
_BLOCK_START = re.compile(rf"^(\s*)(?:([{re.escape(_LINE_START)}])|(\d+)([{re.escape(_AFTER_NUMBER)}]))")


def escape_markdown_text(text) -> str:
    """`text` for Markdown read both rendered and raw (a claim draft): shown as written once rendered, never
    read as Markdown, HTML or math, and still legible raw (`\\*`, `&lt;` only where markup could start)."""
    given = _flat(text)
    flat = _AMPERSAND_REFERENCE.sub(_IN_CONTEXT["&"], given)
    flat = _SCHEME_COLON.sub(_IN_CONTEXT[":"], flat)
    flat = _WWW_DOT.sub(lambda m: m.group(1) + _IN_CONTEXT["."], flat)
    out = "".join(_ANYWHERE.get(c, c) for c in flat)
    return _no_math(_BLOCK_START.sub(_escaped_block_start, out, count=1), given)


def _escaped_block_start(m: re.Match) -> str:
    return m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\" + m.group(4))


# What escape_markdown_text writes, and the character it stands for: read from the table above.
_UNESCAPED = {**{written: c for c, written in (*_ANYWHERE.items(), *_IN_CONTEXT.items())},
              **{"\\" + c: c for c in _LINE_START + _AFTER_NUMBER}}
_ESCAPED_BY_TEXT = re.compile("|".join(map(re.escape, _UNESCAPED)))


def unescape_markdown_text(text) -> str:
    """The text `escape_markdown_text` was given, from what it returned (a Markdown draft shown as its reader reads
    it, in a <pre> of a report, where it is then escaped with `escape_html`)."""
    unwrapped = _NO_MATH_WRAPPED.sub(r"\1", str(text))
    return _ESCAPED_BY_TEXT.sub(lambda m: _UNESCAPED[m.group()], unwrapped)


def escape_html(text) -> str:
    """`text` for HTML, in an attribute as in an element (a link, a page's <title>): shown as written, never read
    as HTML."""
    return html.escape(_flat(text), quote=True)


def escape_html_text(text) -> str:
    """`text` for the content of an element of a notebook's output (a table cell, a heading, a widget): shown as
    written, never read as HTML or math. Not for an attribute, whose value cannot hold the span."""
    flat = _flat(text)
    return _no_math(html.escape(flat, quote=True), flat)


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells (and text index and column names) are `escape_html_text`-ed."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c].dtype):
            out[c] = out[c].map(lambda v: escape_html_text(v) if isinstance(v, str) else v)
    out.columns = [escape_html_text(c) if isinstance(c, str) else c for c in out.columns]
    if out.index.dtype == object:
        out.index = [escape_html_text(i) if isinstance(i, str) else i for i in out.index]
    return out
