"""The arithmetic of a result line, as a reader redoes it: its note with the input values written in.

Shared by the reports (the « Calcul » column) and the claim letter of the reconciliation (`counterfactual.reconcile`),
which says how each amount due is made.
"""

from __future__ import annotations

import re

from rosp_lib.inputs.columns import COLUMN_WORDS
from rosp_lib.lines.assemble import hypothesis_note
from rosp_lib.lines.formatting import eur
from rosp_lib.lines.text import NON, OUI, SEP, list_items
from rosp_lib.registry import INDICATORS, indicator
from rosp_lib.rulebook import title as indicator_title

INDICATOR_CODE_SET = frozenset(i.code for i in INDICATORS)


def entries(text: str) -> list[tuple[str, str]]:
    """The `entrees` column (« nb_fse=40 000 ; taux_fse_sesam_vitale_pct=97 ») as (column, value) pairs."""
    out = []
    for part in list_items(text):
        if "=" in part:
            name, value = part.split("=", 1)
            out.append((name.strip(), value.strip()))
    return out


_OPERAND = re.compile(r"\s*(?:\([^()]*\)\s*)?[+×−-]")  # after an amount: an operation goes on (« 689,00 € (borne) + … »)


def _gives_result(text: str, size: str) -> bool:
    """Whether `text` gives the amount `size` otherwise than as an operand: « 100,00 € si atteint », « … = 820,00 € »;
    not « 689,00 € (borne) + 250,00 € × 0 lecteur », where the borne's 689,00 € is the first term of a sum that was
    written without its result (review)."""
    start = text.find(size)
    while start >= 0:
        if not _OPERAND.match(text, start + len(size)):
            return True
        start = text.find(size, start + 1)
    return False


def calculation(line, leaves: dict, params, words: bool = True) -> str:
    """The arithmetic of a line of `lignes.csv` (a row with its note, entrees, hypotheses, scenario, amount), its input
    values written in: the input value beside each input the note cites, named in words (« 2,10 € × 25 (kits remis dont
    le test a été réalisé) », `COLUMN_WORDS`: the reports and the claim draft are read by people who know no column
    name — review), or by its column with `words=False` (« 25 (nb_kits_realises) »); without the hypothesis texts
    (shown from the `hypotheses` column). `leaves`: the exercise's parameters by dotted path; `params`: the
    exercise's."""
    note = str(line["note"] or "")
    for key in list_items(line["hypotheses"]):
        leaf = leaves.get(key)
        if leaf is not None:
            note = note.replace(hypothesis_note(key, leaf), "")
    for key in list_items(line.get("scenario", "")):
        leaf = leaves.get(key)
        if leaf is not None and leaf.surcharge:
            note = note.replace(f"{key} : valeur du scénario {leaf.surcharge}", "")
    parts = [p.strip() for p in note.split(SEP.strip()) if p.strip()]
    text = " ; ".join(parts)
    # the socles a line lost, by their titles (lignes.csv's note names them by their codes)
    text = re.sub(r"socle non atteint \(([a-z0-9_, ]+)\)", lambda m: "socle non atteint (" + ", ".join(
        f"« {indicator_title(indicator(c.strip()), params)} »" if c.strip() in INDICATOR_CODE_SET else c
        for c in m.group(1).split(",")) + ")", text)
    # each input cited by the note: its value beside its column (« 30 (nb_dispensations_unite) »), « vide » for an
    # empty one (the column alone read as a formula left unfilled: « 1,00 € × nb_dispensations_unite », review)
    for name, value in entries(line["entrees"]):
        said = COLUMN_WORDS.get(name, name) if words else name
        text = re.sub(rf"\b{re.escape(name)}\b", lambda _m: f"{value} ({said})", text)
    amount = eur(int(line["montant_cents"]))
    size = eur(abs(int(line["montant_cents"])))
    # The amount is written at the end unless the text already gives it as its result (« … = montant », « (montant) »);
    # a unit amount times one (« 1 tranche × montant ») is not a result.
    if not text and int(line["montant_cents"]) == 0:  # a line with nothing to compute: what its 0 € means (review:
        return _nothing_to_compute(line, amount)  # the cell was empty on a socle met, a declaration « non », no malus
    if int(line["montant_cents"]) != 0 and (not _gives_result(text, size) or text.endswith("× " + size)):
        # after a comparison (« 55 ≥ 1,1 × 50 = 55 »), the amount is what the comparison gives, not equal to it
        compared = re.search("[≥≤<>]", re.sub(r"\([^()]*\)", "", text))  # not in a remark « (taux ≥ seuil) »
        text = (f"{text} {'→' if compared else '='} {amount}" if text
                else f"{line['atteint']} → {amount}")
    return text


def _nothing_to_compute(line, amount: str) -> str:
    """The « Calcul » of a line at 0 € whose rule wrote no arithmetic: a socle met (it has no amount of its own, it lets
    the theme be paid), a socle missed, no malus, an indicator not reached."""
    kind, reached = line.get("type_ligne", ""), str(line["atteint"])
    if kind == "socle" and reached == OUI:
        return "socle atteint : sans montant propre, il conditionne le versement du thème"
    if kind == "socle" and reached == NON:
        return "socle non atteint : aucun montant du thème n'est versé"
    if kind == "malus":
        return "pas de malus" if reached != "malus" else amount  # (the theme's page says « → ligne de 0,00 € » after it)
    return f"{reached} → {amount}" if reached else amount
