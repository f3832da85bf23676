"""« Ce qui a été versé » in the synthesis report: the payment statement reconciled with what the rules give.

`rosp report … --versements FICHIER` validates the statement once and gives each synthesis report its
pharmacy-year's rows (`versements.csv` in the report folder, the notebook's `versements` parameter). The
reconciliation is `rosp_lib.counterfactual.reconcile.reconcile` (`rosp rapprocher`): expected against paid
per theme (and per indicator when the statement details it), a verdict, an explanation found by runs of the
rules, and a claim draft when something is to be claimed (a theme paid less than due; overpayments alone are
said, to check, with no letter). This module words it for the report and
hands the claim draft to `rosp report`, which writes it beside the report (`reclamation_<id>_<exercice>.md`).

    r = versements.compute(rapport, versements)     # None when no statement was given
    display(Markdown(versements.section_text(rapport, r)))
    display(versements.table_html(rapport, r))
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rosp_lib.counterfactual.reconcile import (BEFORE_SENDING, CENT_TOLERANCE, VERDICTS, causes_text, claim_cautions,
                                              overpaid_notices, reconcile)
from rosp_lib.counterfactual.versements import dated_after, read_versements, statement_doubts
from rosp_lib.inputs import InputError
from rosp_lib.lines.formatting import counted, eur, eur_signed
from rosp_lib.lines.money import str_to_cents
from rosp_lib.registry import INDICATORS, indicator, theme as theme_of
from rosp_lib.report.escape import escape_html, escape_markdown_text
from rosp_lib.report.gains import reference_date
from rosp_lib.report.notebook import Html, Report, ReportError, table
from rosp_lib.rulebook import hypothesis_label, title as indicator_title

CLAIM_MIME = "application/vnd.rosp.reclamation+json"
RECORD_MIME = "application/vnd.rosp.rapprochement+json"
INDICATOR_CODES = {i.code for i in INDICATORS}


@dataclass
class Reconciliation:
    table: pd.DataFrame  # reconcile()'s table for this pharmacy-year
    claim: str | None  # the claim draft (Markdown), if any
    rows: int  # rows of the statement for this pharmacy-year
    # its rows dated after the report's date (`future_payments`), and what the console says of its rows (lines copied
    # twice, payments dated within the exercise they pay: `statement_doubts`): said above the table
    futurs: tuple[str, ...] = ()

    def claim_name(self, rep: Report) -> str:
        return claim_file_name(rep.pharmacie_id, rep.exercice)


def claim_file_name(pharmacie_id: str, exercice: int) -> str:
    return f"reclamation_{pharmacie_id}_{int(exercice)}.md"


def compute(rep: Report, versements: str = "", date_reference: str | dt.date | None = "") -> Reconciliation | None:
    """The reconciliation of the pharmacy-year with the statement `versements` (a path; "" : none given), at the
    report's reference date (a partial payment's complement still to come, or its payment date passed; "": today)."""
    if not versements:
        return None
    day = reference_date(date_reference)
    try:
        paid = read_versements(Path(versements), rep.pharmacy_rows, rep.pharmacie_id)
    except InputError as exc:
        raise ReportError(str(exc)) from None
    mine = paid[(paid["pharmacie_id"] == rep.pharmacie_id) & (paid["exercice"] == rep.exercice)] if len(paid) else paid
    if mine.empty:
        return Reconciliation(pd.DataFrame(), None, 0)
    table_, claims = reconcile(rep.pharmacy_rows, rep.molecules, mine, rep.scenario, day)
    return Reconciliation(table_, claims.get((rep.pharmacie_id, rep.exercice)), len(mine),
                          _later_text(mine, day) + tuple(statement_doubts(mine)))


def _later_text(mine: pd.DataFrame, day) -> tuple[str, ...]:
    """The rows of the pharmacy-year dated after the report's date, in a sentence without codes (the console lists
    them, `future_payments`)."""
    later = dated_after(mine, day)
    if later.empty:
        return ()
    first, last = (dt.date.fromisoformat(d) for d in (later["date_versement"].min(), later["date_versement"].max()))
    when = f"le {first:%d/%m/%Y}" if first == last else f"du {first:%d/%m/%Y} au {last:%d/%m/%Y}"
    return (f"{counted(len(later), 'ligne du relevé est datée', 'lignes du relevé sont datées')} après le "
            f"{day:%d/%m/%Y}, date de référence de ce rapport ({when}) : "
            + ("comptée comme versée" if len(later) == 1 else "comptées comme versées")
            + " ici, une date annoncée n'est pas un versement reçu — refaites ce rapprochement une fois le relevé à "
            "jour",)


def section_text(rep: Report, r: Reconciliation | None) -> str:
    """The heading and the verdict in words (Markdown)."""
    head = "## Ce qui a été versé\n\n"
    if r is None:
        return (head + "Aucun relevé des versements n'a été fourni pour ce rapport : pour rapprocher ce qui a été "
                "versé de ce qui est dû, donnez le relevé « Mes ROSP » d'amelipro (une ligne par "
                "thème ou par indicateur) : paramètre `versements` de ce notebook, ou option `--versements FICHIER` "
                "de `rosp report`.")
    if r.rows == 0:
        return head + (f"Le relevé des versements fourni n'a aucune ligne pour l'exercice {rep.exercice} de cette "
                       "pharmacie : rien à rapprocher.")
    t = r.table

    def verdicts(rows: pd.DataFrame) -> str:
        counts = rows["verdict"].value_counts()
        return ", ".join(f"{int(counts[v])} {VERDICTS[v]}{'' if int(counts[v]) == 1 else 's'}"
                         for v in VERDICTS if counts.get(v, 0))

    by_indicator = t["indicateur"].astype(str) != ""
    if by_indicator.any() and not by_indicator.all():
        # a row per indicator is a part of its theme's row (a « dont »): counted apart, not as one more gap
        said = f"par thème, {verdicts(t[~by_indicator])} ; par indicateur, {verdicts(t[by_indicator])}"
    else:
        said = verdicts(t)
    text = (head + f"Le relevé fourni ({counted(r.rows, 'ligne', 'lignes')} pour l'exercice {rep.exercice}) est "
            "rapproché de ce que "
            f"donnent les règles, thème par thème (et par indicateur quand le relevé le détaille) : {said}. Un écart "
            f"n'est expliqué que si l'outil retrouve le montant versé à {eur(CENT_TOLERANCE)} près ({causes_text()}).")
    return text + "".join(f"\n\n⚠ {escape_markdown_text(w)}." for w in r.futurs)


def _what(rep: Report, theme: str, code: str) -> tuple[str, str]:
    return theme_of(theme).titre_court, (indicator_title(indicator(code), rep.params) if code else "tout le thème")


def table_html(rep: Report, r: Reconciliation | None) -> Html:
    """Expected against paid, verdict, explanation and the reading that explains it (a parameter), per row."""
    if r is None or r.table.empty:
        return Html("")
    rows = []
    for x in r.table.itertuples(index=False):
        theme_name, what = _what(rep, x.theme, x.indicateur)
        reading = x.lecture_qui_explique
        # named by titles, as the rest of the page: the keys stay in rapprochement.csv (README)
        if reading and reading in rep.leaves:  # a hypothesis switched to its alternative reading
            reading = f"« {hypothesis_label(reading, rep.params)} » (autre lecture)"
        elif reading in INDICATOR_CODES:  # a declaration not validated, a socle not recognised
            reading = f"« {indicator_title(indicator(reading), rep.params)} » non retenu"
        rows.append([theme_name, what, eur(str_to_cents(x.attendu_eur)), eur(str_to_cents(x.verse_eur)),
                     eur_signed(int(x.ecart_cents)), VERDICTS.get(x.verdict, x.verdict), x.explication_lecteur or "—",
                     reading or "—"])
    out = str(table(["Thème", "Indicateur", "Attendu", "Versé", "Écart", "Verdict", "Explication",
                     "Lecture qui explique"], rows, right=(2, 3, 4)))
    notice = overpaid_notices(r.table).get((rep.pharmacie_id, rep.exercice))
    if notice:  # overpayments only: nothing to claim, no letter; said plainly
        out += f"<p><strong>{escape_html(notice)}</strong></p>"
    if r.claim:
        name = escape_html(r.claim_name(rep))
        cautions = claim_cautions(r.claim)
        # the file is written by `rosp report` only: a notebook run by itself has the text below, not the file (review:
        # « à côté de ce rapport », a dead link)
        out += ('<p><strong>Un projet de réclamation a été préparé</strong> : son texte est <a '
                f'href="#projet-de-reclamation">ci-dessous</a> ; <code>rosp report</code> l\'écrit aussi à côté de ce '
                f'rapport, dans <a href="{name}">{name}</a>. '
                + (f"<strong>{escape_html(BEFORE_SENDING)}</strong>, en tête du projet : "
                   + escape_html(" ; ".join(f"« {c} »" for c in cautions))
                   + ". Ne l'envoyez qu'après en avoir tenu compte, et vérifiez chaque montant.</p>" if cautions else
                   "Vérifiez chaque montant avant de l'envoyer.</p>"))
        out += (f'<details id="projet-de-reclamation"><summary>Projet de réclamation ({escape_html(r.claim_name(rep))}'
                f')</summary><div class="rosp-lettre">{claim_html(r.claim)}</div></details>')
    return Html(out)


_HEADING = re.compile(r"<(/?)h([1-3])>")


def claim_html(claim: str) -> str:
    """The claim draft laid out as the letter it is (headings, the table of amounts, bold), not its Markdown source in a
    <pre> (review). Its texts taken from the input were escaped for Markdown when the draft was written
    (`escape_markdown_text`: no tag, link or emphasis of theirs is read as such), as in every other Markdown of the
    reports; its headings sit under the page's (h1–h3 → h4–h6)."""
    import mistune

    html = mistune.create_markdown(escape=False, plugins=["table"])(claim)
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) + 3}>", html)



def record(rep: Report, r: Reconciliation | None) -> dict:
    """Display the reconciliation (for the tests) and the claim draft (for `rosp report`, which writes it beside
    the report) as machine-readable outputs; both hidden from the HTML."""
    from IPython.display import display

    values = {"pharmacie_id": rep.pharmacie_id, "exercice": rep.exercice, "fourni": r is not None,
              "lignes": [] if r is None or r.table.empty else [
                  {"theme": x.theme, "indicateur": x.indicateur, "attendu_eur": x.attendu_eur,
                   "verse_eur": x.verse_eur, "ecart_eur": x.ecart_eur, "verdict": x.verdict,
                   "lecture_qui_explique": x.lecture_qui_explique} for x in r.table.itertuples(index=False)]}
    display({RECORD_MIME: values, "text/plain": f"rapprochement enregistré : {counted(len(values['lignes']), 'ligne', 'lignes')}"},
            raw=True)
    if r is not None and r.claim:
        display({CLAIM_MIME: {"fichier": r.claim_name(rep), "texte": r.claim},
                 "text/plain": f"projet de réclamation : {r.claim_name(rep)}"}, raw=True)
    return values


def claims_in(nb: dict) -> dict[str, str]:
    """The claim drafts an executed notebook carries: file name → text (read by `rosp report`)."""
    out = {}
    for cell in nb.get("cells", []):
        for o in cell.get("outputs", []) or []:
            data = o.get("data", {}) or {}
            if CLAIM_MIME in data:
                out[str(data[CLAIM_MIME]["fichier"])] = str(data[CLAIM_MIME]["texte"])
    return out


def read_recorded(notebook_path) -> list[dict]:
    import json

    nb = json.loads(Path(notebook_path).read_text(encoding="utf-8"))
    return [o["data"][RECORD_MIME] for cell in nb.get("cells", []) for o in cell.get("outputs", [])
            if RECORD_MIME in o.get("data", {})]
