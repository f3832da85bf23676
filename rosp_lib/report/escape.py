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
- `escape_html(text)`: for text placed in HTML (a pandas Styler table, an ipywidgets.HTML);
- `escape_frame(frame)`: `escape_html` on every text cell of a table, before `frame.style`.

Line breaks and control characters become spaces (a name never starts a new Markdown block).
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
_ANYWHERE = {**{c: "\\" + c for c in "\\`*_[]{}"},
             "<": "&lt;", ">": "&gt;", "|": "&#124;", "~": "&#126;", "$": "&#36;"}
# where it would make markup, a character reference: an `&` that would start one, the colon of a scheme
# (`javascript:`, `http://`: no link, not even an autolink), the dot of `www.` (GFM's extended autolink);
_IN_CONTEXT = {"&": "&amp;", ":": "&#58;", ".": "&#46;"}
# where the text starts a line, a backslash: a heading, a list (`>`, a quotation, is escaped anywhere) ...
_LINE_START = "#+-"
# ... an ordered list, after the line's number (`1.`, `1)`);
_AFTER_NUMBER = ".)"
# kept: markup only beside one of the characters above (`![`, `](`, `[^`, `="` in a tag, `://`), save a line of
# `=` under a line of text (a setext heading) and GFM's e-mail autolink (`nom@domaine.fr`), left as they are.
_BESIDE_OTHERS = "(!\"'=;/@%^"
_MARKDOWN_SPECIAL = frozenset([*_ANYWHERE, *_IN_CONTEXT, *_LINE_START, *_AFTER_NUMBER, *_BESIDE_OTHERS])
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _flat(text) -> str:
    return _CONTROL.sub(" ", "" if text is None else str(text))


def escape_markdown(text) -> str:
    """`text` for a Markdown cell: shown as written, never read as Markdown or HTML."""
    return "".join(f"&#{ord(c)};" if c in _MARKDOWN_SPECIAL else c for c in _flat(text))


_AMPERSAND_REFERENCE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_SCHEME_COLON = re.compile(r"(?<=[A-Za-z]):(?=\S)")
_WWW_DOT = re.compile(r"(?i)(?<![0-9A-Za-z])(www)\.")
_BLOCK_START = re.compile(rf"^(\s*)(?:([{re.escape(_LINE_START)}])|(\d+)([{re.escape(_AFTER_NUMBER)}]))")


def escape_markdown_text(text) -> str:
    """`text` for Markdown read both rendered and raw (a claim draft): shown as written once rendered, never
    read as Markdown or HTML, and still legible raw (`\\*`, `&lt;` only where markup could start)."""
    flat = _AMPERSAND_REFERENCE.sub(_IN_CONTEXT["&"], _flat(text))
    flat = _SCHEME_COLON.sub(_IN_CONTEXT[":"], flat)
    flat = _WWW_DOT.sub(lambda m: m.group(1) + _IN_CONTEXT["."], flat)
    out = "".join(_ANYWHERE.get(c, c) for c in flat)
    return _BLOCK_START.sub(_escaped_block_start, out, count=1)


def _escaped_block_start(m: re.Match) -> str:
    return m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\" + m.group(4))


# What escape_markdown_text writes, and the character it stands for: read from the table above.
_UNESCAPED = {**{written: c for c, written in (*_ANYWHERE.items(), *_IN_CONTEXT.items())},
              **{"\\" + c: c for c in _LINE_START + _AFTER_NUMBER}}
_ESCAPED_BY_TEXT = re.compile("|".join(map(re.escape, _UNESCAPED)))


def unescape_markdown_text(text) -> str:
    """The text `escape_markdown_text` was given, from what it returned (a Markdown draft shown as its reader reads
    it, in a <pre> of a report, where it is then escaped with `escape_html`)."""
    return _ESCAPED_BY_TEXT.sub(lambda m: _UNESCAPED[m.group()], str(text))


def escape_html(text) -> str:
    """`text` for HTML (a Styler table cell, a widget): shown as written, never read as HTML."""
    return html.escape(_flat(text), quote=True)


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells (and text index and column names) are `escape_html`-ed."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c].dtype):
            out[c] = out[c].map(lambda v: escape_html(v) if isinstance(v, str) else v)
    out.columns = [escape_html(c) if isinstance(c, str) else c for c in out.columns]
    if out.index.dtype == object:
        out.index = [escape_html(i) if isinstance(i, str) else i for i in out.index]
    return out
