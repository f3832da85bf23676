"""Input-derived text made harmless for display in the reports (Markdown cells, HTML tables).

A pharmacy's `nom`, a molecule name or any cell of the user's file may hold `<script>`, an
`<img onerror=…>`, a Markdown link to `javascript:` or a stray `**`. Each function below returns
a text that displays exactly the characters of the input and can never become markup:

- `escape_markdown(text)`: for text placed in a Markdown cell (`display(Markdown(...))`): every
  character Markdown or HTML could read as syntax becomes a numeric character reference (`*` →
  `&#42;`), which Markdown and HTML renderers show as the character itself;
- `escape_html(text)`: for text placed in HTML (a pandas Styler table, an ipywidgets.HTML);
- `escape_frame(frame)`: `escape_html` on every text cell of a table, before `frame.style`.

Line breaks and control characters become spaces (a name never starts a new Markdown block).
"""

from __future__ import annotations

import html
import re

import pandas as pd

# ASCII punctuation that Markdown (CommonMark, GFM) or HTML can read as syntax, and the line breaks.
_MARKDOWN_SPECIAL = set("\\`*_{}[]()<>#+-.!|~&\"':=;/@$%^")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _flat(text) -> str:
    return _CONTROL.sub(" ", "" if text is None else str(text))


def escape_markdown(text) -> str:
    """`text` for a Markdown cell: shown as written, never read as Markdown or HTML."""
    return "".join(f"&#{ord(c)};" if c in _MARKDOWN_SPECIAL else c for c in _flat(text))


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
