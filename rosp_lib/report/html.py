"""An executed report notebook rendered as a document for its readers, not as a notebook.

The `.ipynb` keeps everything (code, parameters, recorded values); the HTML keeps only what a
pharmacist or a reviewer reads: no code cell, no parameter cell, no technical section (cells tagged
`rosp-technique`), no Explorer (it needs a running kernel: cells tagged `rosp-explorateur`), a
French `<title>` and `lang="fr"`, and a small stylesheet of our own (no Jupyter stylesheet) that
prints on A4.

    body = to_html(executed_notebook)          # what `rosp report` writes beside the notebook

The title comes from the document record the notebook displays (`DOCUMENT_MIME`, see
`notebook.document_header`).
"""

from __future__ import annotations

import html as _html
import re
import threading

DOCUMENT_MIME = "application/vnd.rosp.document+json"
HIDDEN_TAGS = ("parameters", "injected-parameters", "rosp-technique", "rosp-explorateur")

CSS = """
:root { color-scheme: light; }
html { font-size: 15px; }
body { font-family: "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif; line-height: 1.45;
       color: #1d232a; background: #fff; max-width: 62rem; margin: 0 auto; padding: 1rem 1.5rem 3rem;
       overflow-wrap: break-word; }
h1 { font-size: 1.55rem; margin: .6rem 0 .4rem; color: #12355b; }
h2 { font-size: 1.2rem; margin: 1.4rem 0 .4rem; color: #12355b; border-bottom: 1px solid #c9d3de; padding-bottom: .15rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .3rem; }
p, ul, ol { margin: .35rem 0; }
a { color: #0b5cad; }
a.anchor-link { display: none; }
code { font-size: .92em; background: #f2f4f7; padding: 0 .2em; border-radius: 3px; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .86rem; width: 100%; }
th, td { border-bottom: 1px solid #dde3ea; padding: .25rem .45rem; text-align: left; vertical-align: top; }
thead th { background: #eef2f6; border-bottom: 2px solid #b8c4d0; }
td.montant, th.montant { text-align: right; white-space: nowrap; }
img { max-width: 100%; height: auto; display: block; margin: .4rem 0; }
.jp-OutputArea-output pre, pre { white-space: pre-wrap; font-size: .85rem; }
nav.rosp-nav { font-size: .85rem; background: #f5f7fa; border: 1px solid #dde3ea; border-radius: 4px;
               padding: .35rem .6rem; margin: .2rem 0 .6rem; }
nav.rosp-nav a, nav.rosp-nav strong { margin-right: .7rem; white-space: nowrap; }
.rosp-lettre { border: 1px solid #dde3ea; border-radius: 4px; padding: .4rem .9rem; margin: .4rem 0; }
.rosp-lettre h4 { font-size: 1.1rem; margin: .5rem 0 .4rem; }
.rosp-lettre h5 { font-size: 1rem; margin: .9rem 0 .3rem; }
.rosp-lettre h6 { font-size: .95rem; margin: .7rem 0 .25rem; }
.rosp-lettre blockquote { border-left: 4px solid #b03a2e; background: #fbeeee; padding: .3rem .7rem; margin: .5rem 0; }
.rosp-banniere { background: #fff4d6; border: 2px solid #d39e00; border-radius: 4px; padding: .45rem .7rem;
                 margin: .4rem 0 .8rem; }
.rosp-total { font-size: 1.25rem; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  html { font-size: 9.5pt; }
  h1 { font-size: 14pt; } h2 { font-size: 11.5pt; margin: .8rem 0 .3rem; }
  img { max-width: 62%; }
  body { max-width: none; padding: 0; }
  nav.rosp-nav { display: none; }
  h2, h3 { break-after: avoid; }
  tr, img, .rosp-banniere { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  table { font-size: 8pt; }
  th, td { padding: .15rem .3rem; }
}
"""

_EXPORTER = None
_EXPORTER_LOCK = threading.RLock()  # loaded once and used by one thread at a time (a background thread preloads it)


def _exporter():
    global _EXPORTER
    with _EXPORTER_LOCK:
        if _EXPORTER is None:
            _EXPORTER = _new_exporter()
    return _EXPORTER


def _new_exporter():
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    cfg = Config()
    cfg.TagRemovePreprocessor.remove_cell_tags = set(HIDDEN_TAGS)
    cfg.TagRemovePreprocessor.enabled = True
    cfg.HTMLExporter.exclude_input = True
    cfg.HTMLExporter.exclude_input_prompt = True
    cfg.HTMLExporter.exclude_output_prompt = True
    cfg.HTMLExporter.anchor_link_text = ""
    # none of nbconvert's default preprocessors changes these documents (no input shown, our own stylesheet),
    # and the exporter validates the whole notebook after each one: 14 validations per report down to 2
    cfg.HTMLExporter.default_preprocessors = []
    exporter = HTMLExporter(config=cfg, template_name="basic")
    exporter.register_preprocessor(TagRemovePreprocessor(config=cfg), enabled=True)
    exporter.register_preprocessor(_strip_widgets_preprocessor(), enabled=True)
    exporter.environment  # noqa: B018 - the templates are found and loaded now
    return exporter


def document_record(nb) -> dict:
    """The document record the notebook displayed (title, pharmacy, exercise, theme), or {}."""
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            data = out.get("data", {}) or {}
            if DOCUMENT_MIME in data:
                return dict(data[DOCUMENT_MIME])
    return {}


def _strip_widgets(nb):
    """Widget state is for a running JupyterLab, not for a document."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for out in cell.get("outputs", []) or []:
            data = out.get("data", {})
            data.pop("application/vnd.jupyter.widget-view+json", None)
    return nb


def _strip_widgets_preprocessor():
    """_strip_widgets as a step of the exporter, on the copy it makes of the notebook anyway (a copy of
    our own beforehand cost ≈ 30 ms per report, measured 2026-12-01)."""
    from nbconvert.preprocessors import Preprocessor

    class StripWidgets(Preprocessor):
        def preprocess(self, nb, resources):
            return _strip_widgets(nb), resources

    return StripWidgets()


# A plain space before « % : ; ? ! € » or inside « », in the text of a page (not in its tags, styles or scripts): « 0 € »
# typed in a text (« thème à 0 € », an alternative reading « 0 € (non atteint…) ») as `eur` writes an amount (review).
_FRENCH_SPACE = re.compile(r" (?=[%:;?!»€])|(?<=«) ")
_TEXT = re.compile(r"<(style|script)\b.*?</\1>|<[^>]*>|([^<]+)", re.S | re.I)


def french_quotes(text: str) -> str:
    """A page's text with the no-break spaces of French typography: inside guillemets and before « % », « : »,
    « ; », « ? », « ! », « € », so that a line never ends on « nor begins with », « % » or « : » (the texts are written with
    plain spaces; a browser broke « Malus « » at the end of a line, and « 25 » / « % » over two). Tags, styles and
    scripts are left as they are."""
    return _TEXT.sub(lambda m: _FRENCH_SPACE.sub("\u00a0", m.group(2)) if m.group(2) else m.group(0), text)


def to_html(nb) -> str:
    """The document a reader opens: one HTML page, French title, no code, our stylesheet."""
    import nbformat

    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.from_dict(nb)
    record = document_record(nb)  # nb is not changed: the exporter works on its own copy
    title = record.get("titre") or "Rapport ROSP"
    with _EXPORTER_LOCK:  # the exporter registers its filters on each call: not shared between threads
        body, _ = _exporter().from_notebook_node(nb)
    body = french_quotes(body)
    return ("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{french_quotes(_html.escape(title))}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            f"{body}\n</main>\n</body>\n</html>\n")
