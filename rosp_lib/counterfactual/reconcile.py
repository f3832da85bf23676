"""Expected against paid: the reconciliation of a pharmacy's ROSP with what the Assurance Maladie paid.

For each pharmacy × exercise of the `versements` table, one row per theme (and per indicator when the
statement details it): the amount the rules give, the amount paid, the gap and a verdict — `conforme`
(|écart| ≤ 0,01 €), `ecart`, `non_verse` (an amount due, nothing paid; a malus not deducted is an `ecart`),
`non_attendu` (paid, nothing expected; a deduction where nothing is due is an `ecart`).

Three gaps are said as they are, without a search: a payment for a theme (or an indicator) that does not exist that
exercise (every indicator `absent` in its parameters), an indicator row of 0 € beside a row for its whole theme paid as
due (they contradict each other; never claimed), and a theme due but with nothing paid (no row of the
statement, or rows of 0 €) — the statement says nothing of why, and any socle lost would give 0 €: no cause is
guessed. Any other gap is explained only when the library reproduces the paid amount to the cent, searched in this
order:

1. one hypothesis switched to its alternative reading (the switchable ones are those of the scenario
   `parameters/scenarios/lectures-alternatives.yaml`, one at a time, on top of the user's scenario);
2. one declared indicator not validated, or one socle not recognised (its inputs set to « non »); for an indicator
   row, a change that moves other lines of its theme (a socle: the whole theme at 0 €) must reproduce the theme
   row too, as a reading must;
3. a partial payment: the amount paid is the sum of some of the theme's lines, the others missing (an
   initial payment without its complement); the indicator rows the statement details are kept as they are (a row
   paid is that line paid, a row at 0 € that line unpaid), only the rest of the theme's amount is searched among its
   other lines, and a row paid otherwise than its line rules this cause out for its theme;
   an indicator row with nothing paid among the missing lines of its theme's partial payment says so;
4. a malus not deducted: the amount paid is the expected one plus exactly its malus lines (an overpayment, said and
   not claimed);
5. otherwise « écart inexpliqué », with the lines to check.

Every amount compared comes from `engine.compute` on the pharmacy's own row, under other parameters or
other inputs: there is no second rule path.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..engine import parameters_for
from ..inputs.columns import COLUMN_WORDS
from ..lines import money
from ..lines.formatting import agreed, eur, eur_signed, french_list
from ..lines.text import OUI, SANS_OBJET, list_items
from ..parameters import PARAMETERS_DIR, Kind, Scenario, iter_leaves, load_parameters, unit
from ..registry import INDICATORS, LEVIERS, THEME_CODES, indicator, indicators_of, theme
from ..report.calculation import calculation, entries
from ..report.escape import escape_markdown_text
from ..report.readings import alternatives_for, scenario_with
from ..rulebook import hypothesis_label, hypothesis_named, in_force, leaf_text, reading_note, rule_text, state, theme_exists, title
from .runner import Runner
from .versements import dated_after

CENT_TOLERANCE = 1  # « conforme » : |écart| ≤ 0,01 €
# The verdicts of rapprochement.csv (`verdict` column, these codes) and how a reader is told them
VERDICTS = {"conforme": "conforme", "ecart": "écart", "non_verse": "non versé", "non_attendu": "non attendu"}
ALTERNATIVES = PARAMETERS_DIR / "scenarios" / "lectures-alternatives.yaml"
MAX_SUBSETS = 200_000  # partial payments: subsets of a theme's lines tried at most

RAPPROCHEMENT_COLUMNS = ["pharmacie_id", "exercice", "theme", "indicateur", "attendu_eur", "verse_eur", "ecart_eur",
                         "verdict", "explication", "lecture_qui_explique"]
RAPPROCHEMENT_AMOUNTS = ("attendu_eur", "verse_eur", "ecart_eur")  # texts « -12.50 » (csvfile.write_csv numbers)
INEXPLIQUE = "écart inexpliqué"
# The gaps a claim draft never claims, named above its letter (`_left_out_caution`): a statement row whose sign looks
# inverted, two rows swapped, a gap reproduced by the other reading of a value the file leaves empty
NOT_CLAIMED = ("signe", "echange", "donnee_manquante")
# The causes searched, in their order (`_Reconcile.run`): as the texts that explain the search say them (the
# synthesis section, `rosp rapprocher --help`), and as an unexplained gap says that none reproduces it.
CAUSES = (("une hypothèse de lecture remplacée par son alternative", "aucune lecture alternative"),
          ("une reprise du montant dû (ligne négative du relevé)", "aucune reprise du montant dû"),
          ("une déclaration non retenue ou un socle non reconnu", "aucune déclaration non retenue"),
          ("un versement partiel", "aucun versement partiel"),
          ("un malus non déduit", "aucun malus non déduit"))


def causes_text() -> str:
    """The causes searched, in French: « a, b, c ou d »."""
    return french_list([cause for cause, _ in CAUSES], style="or")


def _none_of_the_causes() -> str:
    """« aucune a, aucune b, aucun c ni aucun d »."""
    nones = [none for _, none in CAUSES]
    return ", ".join(nones[:-1]) + " ni " + nones[-1]


def _malus_cents(lines: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The malus lines that take something off (negative), and their sum in cents."""
    malus = lines[(lines["type_ligne"] == "malus") & (lines["montant_cents"] < 0)]
    return malus, int(malus["montant_cents"].sum())


@dataclass
class Item:
    """One row of the reconciliation."""

    row: int  # the pharmacy-year in the runner
    pharmacie_id: str
    exercice: int
    theme: str
    indicateur: str  # "" = the whole theme
    attendu: int  # cents
    verse: int
    paid_rows: int  # rows of the statement adding up to `verse`
    repris: int = 0  # the negative rows among them (cents, ≤ 0): a payment taken back by a regularisation
    malus: int = 0  # the malus rows among them (cents, ≤ 0): negative by nature, no take-back
    explication: str = ""
    lecture: str = ""
    kind: str = ""  # "inexistant", "rien_verse", "repris", "detail_contredit", "signe", "echange", "hypothese",
    # "donnee_manquante", "declaration", "partiel", "malus", "inexplique"
    focus: tuple[str, ...] = ()  # the indicators the explanation points to (for the claim draft)
    constat: str = ""  # the claim draft's words when they differ from the explanation (the titulaire writing)

    @property
    def ecart(self) -> int:
        return self.verse - self.attendu

    @property
    def verdict(self) -> str:
        if abs(self.ecart) <= CENT_TOLERANCE:
            return "conforme"
        if self.attendu > 0 and self.verse == 0:  # a malus (due < 0) not deducted is an « ecart », not « non versé »
            return "non_verse"
        if self.attendu == 0 and self.verse > 0:  # a deduction where nothing is due is a gap, not « non attendu »
            return "non_attendu"                   # (« paid, nothing expected »: review)
        return "ecart"

    def amount_in(self, lines: pd.DataFrame) -> int:
        """This item's amount (theme or indicator) in the lines of one variant."""
        sel = lines["indicateur"] == self.indicateur if self.indicateur else lines["theme"] == self.theme
        return int(lines.loc[sel, "montant_cents"].sum())


def switchable_hypotheses(exercice: int, base: Scenario | None = None) -> list[tuple[str, object]]:
    """(dotted key, alternative value) of every hypothesis of the exercise whose alternative is one value: those of
    the scenario of alternative readings, for this exercise, that are still `hypothese` leaves, or the leaf that a
    hypothesis names as the one that switches its alternative (`alternative_cle`: the « progression » reading of
    the molecules, alternative of the prime par boîte substituée)."""
    leaves = dict(iter_leaves(load_parameters(exercice, base)))
    switches = _switches(leaves)
    out = []
    for path, value in alternatives_for(exercice, ALTERNATIVES, base):  # those that make sense on top of `base`
        key = ".".join(path)
        leaf = leaves.get(key)
        if leaf is not None and (leaf.statut == "hypothese" or key in switches) and leaf.valeur != value:
            out.append((key, value))
    return out


def _switches(leaves: dict) -> set[str]:
    """The leaves a hypothesis names as the one that switches its alternative (`alternative_cle`)."""
    return {leaf.alternative_cle for leaf in leaves.values() if leaf.statut == "hypothese" and leaf.alternative_cle}


def one_reading(exercice: int, key: str, value, base: Scenario | None = None) -> Scenario:
    """The user's scenario (if any) with one more leaf switched to its alternative reading."""
    label = f"lecture alternative de {key}" if base is None else f"{base.path} + lecture alternative de {key}"
    return scenario_with(base, exercice, [(tuple(key.split(".")), value)], label)


def _failing(ind, row: pd.Series) -> dict:
    """The inputs that make an indicator not met: its declarations at « non », its measured rates at 0."""
    out = {}
    for col in ind.colonnes:
        kind = LEVIERS.get(col)
        value = row[col]
        if kind == "oui":
            out[col] = False
        elif kind == "hausse" and ind.declaratif and not col.endswith("_pct"):
            out[col] = 0
        elif kind == "hausse" and ind.type_ligne == "socle":
            out[col] = 0.0 if col.endswith("_pct") else 0
        elif kind is None and isinstance(value, (bool, np.bool_)) and ind.type_ligne == "socle":
            out[col] = not bool(value)  # a socle that is a fact (no conviction for fraud)
    return out


def _subset_sum(amounts: list[tuple[str, int]], target: int, others_paid: bool = False,
                others_unpaid: bool = False) -> tuple[list[str], int] | None:
    """Names of a subset of `amounts` adding up to `target`, and how many subsets do; or None. The lines paid are a
    non-empty proper subset of the theme's lines: `amounts` may be only some of them, the others fixed by rows of the
    statement; the empty subset is allowed when some of those are paid (`others_paid`), the whole of `amounts` when
    some are unpaid (`others_unpaid`)."""
    # For each total, the subset of the most lines is kept: the lines said missing are then the fewest (100 € missing
    # were said « BAL + ApCV », 2 × 50 €, where the SCOR line alone is 100 €: review)
    reach: dict[int, tuple[tuple[str, ...], int]] = {0: ((), 1)}
    for name, cents in amounts:
        for total, (names, ways) in list(reach.items()):
            t = total + cents
            if t in reach:
                kept = reach[t][0]
                reach[t] = ((*names, name) if len(names) + 1 > len(kept) else kept, reach[t][1] + ways)
            else:
                reach[t] = ((*names, name), ways)
        if len(reach) > MAX_SUBSETS:
            return None
    found = reach.get(target)
    if not found or (not found[0] and not others_paid) or (len(found[0]) == len(amounts) and not others_unpaid):
        return None
    ways = found[1]
    if target == 0 and not others_paid:
        ways -= 1  # the empty subset
    if target == sum(c for _, c in amounts) and not others_unpaid:
        ways -= 1  # the whole
    return list(found[0]), ways


def _declared_words(ind) -> str:
    return ind.declaration or ind.code


# An explanation is written once for two readers: the table (rapprochement.csv, the console, the report) keeps the
# codes and keys that find a line in lignes.csv or a parameter in docs/regles.md; the claim draft, read at the CPAM,
# says only French labels. `_both` holds the two wordings of a part of the text, `table_words` and `letter_words`
# pick one; the report (`report_words`) says the labels of the letter in the tool's voice of the table: its own
# wording when it is neither (the letter's « la lecture que je retiens » was shown in the synthesis: review).
_BOTH = re.compile("\ue000(.*?)\ue002(.*?)(?:\ue003(.*?))?\ue001", re.S)


def _both(table: str, letter: str, report: str | None = None) -> str:
    return f"\ue000{table}\ue002{letter}" + (f"\ue003{report}" if report is not None else "") + "\ue001"


def table_words(text: str) -> str:
    """An explanation as the reconciliation table says it: with the indicator codes and parameter keys."""
    return _BOTH.sub(lambda m: m.group(1), text)


def letter_words(text: str) -> str:
    """An explanation as the claim draft says it: French labels only, no code nor key."""
    return _BOTH.sub(lambda m: m.group(2), text)


def report_words(text: str) -> str:
    """An explanation as the reports say it: French labels only, in the tool's voice."""
    return _BOTH.sub(lambda m: m.group(3) if m.group(3) is not None else m.group(2), text)


def _named(codes, params) -> str:
    """« title » (code) for each indicator code: the reader sees the title, and the table the code to find the line
    in lignes.csv (the claim draft: the title alone). An indicator of several lines (one per targeted molecule) is
    named once, with its number of lines (it was named once per molecule: review)."""
    count: dict[str, int] = {}
    for c in codes:
        count[c] = count.get(c, 0) + 1
    return ", ".join(f"« {title(indicator(c), params)} »" + (f" ({n} lignes)" if n > 1 else "") + _both(f" ({c})", "")
                     for c, n in count.items())


def _neutralised_from_a_source(params, code: str) -> bool:
    """The indicator is neutralised this exercise, and that is the texts' (not a reading of the tool's)."""
    from ..rulebook import _node

    from ..lines.assemble import leaf_status

    node = _node(params, indicator(code).noeud)
    etat = getattr(node, "etat", None)
    # a scenario's neutralisation is the user's what-if, not the texts' (`leaf_status`: review)
    return etat is not None and etat.valeur == "neutralise" and leaf_status(etat) != "hypothese"


class _Reconcile:
    def __init__(self, pharmacies, molecules, versements, scenario=None, date_reference: dt.date | None = None):
        self.date = date_reference or dt.date.today()  # is a complement still to come (`_complement_to_come`)?
        keys = versements[["pharmacie_id", "exercice"]].drop_duplicates()
        sel = pharmacies.set_index(["pharmacie_id", "exercice"]).index.isin(pd.MultiIndex.from_frame(keys))
        self.scenario = Scenario.read(scenario) if scenario is not None and not isinstance(scenario, Scenario) \
            else scenario
        rows = pharmacies[sel]
        self.params = parameters_for(rows["exercice"].unique(), self.scenario)
        self.runner = Runner(rows, molecules, self.params)
        self.rows = self.runner.rows
        base = self.runner.base_lines
        self.lines = {int(v): g for v, g in base.groupby("_variant")} if len(base) else {}  # nothing paid: none
        self.versements = versements
        self.items = self._items()

    def _items(self) -> list[Item]:
        pos = {(p, int(e)): i for i, (p, e) in enumerate(zip(self.rows["pharmacie_id"], self.rows["exercice"]))}
        items = []
        for (pid, year), paid in self.versements.groupby(["pharmacie_id", "exercice"], sort=False):
            row = pos[(pid, int(year))]
            lines = self.lines.get(row, self.runner.base_lines.iloc[:0])
            for code in THEME_CODES:
                mine = paid[paid["theme"] == code]
                expected = int(lines.loc[lines["theme"] == code, "montant_cents"].sum())
                if expected == 0 and mine.empty:
                    continue
                cents = mine["montant_cents"]
                # a take-back is a negative row that is no malus (a malus row is negative by nature): a malus
                # indicator's row, or a theme row the statement says « malus » (review) — not one of the malus's
                # amount only: a take-back of that amount after a payment net of the malus is one (review)
                malus = (cents < 0) & (mine["indicateur"].isin(MALUS_CODES) | (mine["indicateur"].eq("") & mine[
                    "libelle_releve"].astype(str).str.contains("malus", case=False)))
                items.append(Item(row, pid, int(year), code, "", expected, int(cents.sum()), len(mine),
                                  int(cents[(cents < 0) & ~malus].sum()), int(cents[malus].sum())))
                detail = mine[mine["indicateur"] != ""]
                for ind in [i.code for i in indicators_of(code) if i.code in set(detail["indicateur"])]:
                    rows_ind = detail[detail["indicateur"] == ind]
                    exp_ind = int(lines.loc[lines["indicateur"] == ind, "montant_cents"].sum())
                    cents = rows_ind["montant_cents"]
                    items.append(Item(row, pid, int(year), code, ind, exp_ind, int(cents.sum()), len(rows_ind),
                                      0 if ind in MALUS_CODES else int(cents[cents < 0].sum())))
        return items

    def _empty_inputs(self, g: Item) -> list[str]:
        """The input columns left empty that the lines `g.focus` points to read (their `donnee_manquante` lines):
        what a gap explained by a reading of a missing value rests on (a letter claimed 100 € of a malus « urgence »
        whose rate the file left empty: review)."""
        lines = self._lines_of(g)
        moved = lines[lines["indicateur"].isin(g.focus) & lines["donnee_manquante"].astype(bool)]
        return list(dict.fromkeys(name for text in moved["entrees"] for name, value in entries(text)
                                  if value == "vide"))

    def _lines_of(self, g: Item) -> pd.DataFrame:
        lines = self.lines[g.row]
        return lines[lines["indicateur"] == g.indicateur] if g.indicateur else lines[lines["theme"] == g.theme]

    def _has_theme_row(self, g: Item) -> bool:
        """Whether the statement has a row for the whole theme of `g` (not only indicator rows)."""
        v = self.versements
        return bool(((v["pharmacie_id"] == g.pharmacie_id) & (v["exercice"] == g.exercice) & (v["theme"] == g.theme)
                     & (v["indicateur"] == "")).any())

    def _theme_item(self, g: Item) -> Item | None:
        """The theme row of an indicator row (None for a theme row)."""
        if not g.indicateur:
            return None
        return next((x for x in self.items if x.row == g.row and x.theme == g.theme and not x.indicateur), None)

    # --- 0. said as they are: paid for what does not exist, nothing paid for a theme due --------------------
    def as_stated(self, gaps: list[Item]) -> None:
        for g in gaps:
            params = self.params[g.exercice]
            if g.indicateur:
                exists = state(params, indicator(g.indicateur)) != "absent"
                what = f"l'indicateur {_named([g.indicateur], params)}"
            else:
                exists = theme_exists(params, g.theme)
                what = f"le thème « {theme(g.theme).titre} »"
            if not exists and g.verse != 0:
                g.kind = "inexistant"
                g.explication = (f"versement sans objet de {eur(g.verse)} : {what} n'existe pas pour l'exercice "
                                 f"{g.exercice} (aucune règle de cet exercice ne le paie) ; vérifiez l'exercice de "
                                 "cette ligne du relevé (l'exercice payé, pas l'année du versement)")
            elif g.indicateur and g.verse > 0 and g.attendu == 0 and _neutralised_from_a_source(params, g.indicateur):
                # paid for an indicator the texts neutralise that exercise (the e-prescription in 2025): said as such,
                # not « écart inexpliqué … aucune ligne payée attendue » (review). A neutralisation that is a reading
                # (a hypothesis) is left to its alternative (`by_reading`).
                g.kind = "inexistant"
                g.explication = (f"versement sans objet de {eur(g.verse)} : {what} est neutralisé pour l'exercice "
                                 f"{g.exercice} (rien n'est dû à ce titre cet exercice) ; vérifiez l'exercice de cette "
                                 "ligne du relevé (l'exercice payé, pas l'année du versement) — un trop-versé peut être "
                                 "repris par l'Assurance Maladie")
                # the letter is the titulaire's to the caisse: the facts, not the advice to the titulaire (review)
                g.constat = (f"versement de {eur(g.verse)} pour {what}, neutralisé pour l'exercice {g.exercice} : ce "
                             "versement ne me semble pas dû à ce titre")
            elif g.indicateur and (whole := self._theme_item(g)) is not None and whole.verdict == "conforme" \
                    and self._has_theme_row(g):
                # a row of 0 € (the only ones accepted beside a theme row) under a theme paid as due: the statement
                # contradicts itself (or credits the amount to other rows); nothing to claim, no rule to explain it.
                # (Without a theme row, the indicator rows are the theme's total, shared otherwise than expected.)
                g.kind = "detail_contredit"
                g.explication = (f"le relevé porte {eur(g.verse)} pour {what}, mais le thème est versé comme dû "
                                 f"({eur(whole.verse)} pour {eur(whole.attendu)}) : ce détail contredit le total du "
                                 "thème (le relevé attribue le montant à d'autres lignes ?) ; rien à réclamer à ce "
                                 "titre — vérifiez le relevé")
            elif g.repris < 0 and g.verse <= 0 < g.attendu and g.verse - g.repris > 0:
                # paid, then wholly taken back (« Régularisation – indu »), or more: said as the statement shows it,
                # never « aucun versement » alone — a letter must not contradict the caisse's statement — and not as
                # a payment still to come: it was paid (review)
                self._taken_back(g)
            elif not g.indicateur and g.verse == 0 and g.attendu > 0:
                g.kind = "rien_verse"
                said = ("le relevé n'a aucune ligne pour ce thème" if g.paid_rows == 0 else
                        f"le relevé porte {eur(0)} pour ce thème")
                g.constat = f"aucun versement : {said}, alors que {eur(g.attendu)} sont dus selon les règles"
                # before the theme's payment date, it may still come (a statement read in April holds no colorectal
                # yet, paid in Q2: it was claimed at once, review)
                # after it, to claim (review: nothing was said, where a partial payment said « réclamez-le »)
                what = (_to_come(g, self.params, self.date) if self.date <= _deadline(g, self.params)
                        else _passed(g, self.params, self.date))
                g.explication = f"{g.constat} — {what}"

    def _taken_back(self, g: Item) -> None:
        """A row (theme or indicator) paid then taken back, in whole or in part: said with the statement's rows, and
        whether the amount paid first was the one due; to claim, asking the reason (review)."""
        one = "cet indicateur" if g.indicateur else "ce thème"
        whole = g.verse <= 0
        g.kind, g.focus = "repris", (g.indicateur,) if g.indicateur else ()
        first = (" — le montant versé d'abord était celui qui est dû, la reprise n'est pas expliquée"
                 if abs(g.verse - g.repris - g.attendu) <= CENT_TOLERANCE else "")
        g.constat = (f"versement repris{'' if whole else ' en partie'} : {_taken_back(g)} pour {one}, alors que "
                     f"{eur(g.attendu)} sont dus selon les règles{first}")
        g.explication = (f"{g.constat} : demandez à l'Assurance Maladie le motif de cette reprise ; sans motif qui "
                         "tienne, réclamez-la")

    # --- 1b. paid as due, then taken back in part (after the readings: a reading may give the net) --------------
    def by_take_back(self, gaps: list[Item]) -> None:
        for g in gaps:
            if not g.kind and g.repris < 0 and g.verse > 0 and abs(g.verse - g.repris - g.attendu) <= CENT_TOLERANCE:
                self._taken_back(g)

    def _hypotheses_read(self, items: list[Item], leaves: dict) -> dict[str, int]:
        """The hypotheses the lines of `items` read (the tracer's `hypotheses` column), each with the number of lines
        reading it, and the leaf that switches the alternative of one of them (`alternative_cle`), counted as it."""
        used: dict[str, int] = {}
        for g in items:
            for keys in self._lines_of(g)["hypotheses"]:
                for k in list_items(keys):
                    used[k] = used.get(k, 0) + 1
        for k, n in list(used.items()):
            if k in leaves and leaves[k].alternative_cle:
                used[leaves[k].alternative_cle] = used.get(leaves[k].alternative_cle, 0) + n
        return used

    # --- 1. one hypothesis, its alternative reading ------------------------------------------------------
    def by_reading(self, gaps: list[Item]) -> None:
        for year in sorted({g.exercice for g in gaps}):
            mine = [g for g in gaps if g.exercice == year and not g.kind]
            if not mine:
                continue
            # only a hypothesis some gap's lines depend on can move it (the tracer's `hypotheses` column); the
            # narrowest first (read by the fewest of these lines): of two readings that both give the amount paid
            # (the 2024 device paid in full: its own prorata reading, or no prorata of any forfait), the one that
            # changes the least is named (review: the two themes of one pharmacy were given different readings)
            leaves = dict(iter_leaves(self.params[year]))
            used = self._hypotheses_read(mine, leaves)
            # under the user's scenario, the value kept may be the scenario's, and the other reading the tool's
            tool = dict(iter_leaves(load_parameters(year))) if self.scenario is not None else leaves
            for key, value in sorted(switchable_hypotheses(year, self.scenario), key=lambda kv: used.get(kv[0], 0)):
                if key not in used:
                    continue
                rows = sorted({g.row for g in mine if not g.kind})
                if not rows:
                    break
                scenario = one_reading(year, key, value, self.scenario)
                params = {**self.params, year: load_parameters(year, scenario)}
                lines = self.runner.lines([(r, {}) for r in rows], params)
                per_row = {rows[int(v)]: g for v, g in lines.groupby("_variant")}
                leaf = leaves[key]
                other = dict(iter_leaves(params[year]))[key]
                kept = ("la valeur retenue par l'outil" if tool[key].valeur == leaf.valeur else
                        f"la valeur du scénario « {Path(self.scenario.path).name} »"
                        + (", l'autre étant celle de l'outil" if tool[key].valeur == other.valeur else ""))
                for g in mine:
                    if g.kind or g.row not in per_row:
                        continue
                    if abs(g.amount_in(per_row[g.row]) - g.verse) > CENT_TOLERANCE:
                        continue
                    whole = self._theme_item(g)
                    if whole is not None and abs(whole.amount_in(per_row[g.row]) - whole.verse) > CENT_TOLERANCE:
                        continue  # a reading is global: it explains an indicator only if it reproduces its theme too
                    g.kind, g.lecture = "hypothese", key
                    after = per_row[g.row]
                    after = after[after["indicateur"] == g.indicateur] if g.indicateur else \
                        after[after["theme"] == g.theme]
                    before = self._lines_of(g).groupby("indicateur", sort=False)["montant_cents"].sum()
                    moved = before.subtract(after.groupby("indicateur", sort=False)["montant_cents"].sum(),
                                            fill_value=0)
                    g.focus = tuple(i for i in before.index if moved.get(i, 0) != 0)
                    # a net after a take-back: the statement's rows said first (review: the reading was named
                    # without the 200 € taken back that made the amount)
                    rows = f" ({_taken_back(g)})" if g.repris < 0 else ""
                    empty = self._empty_inputs(g)
                    if empty:  # the reading is that of a value the file leaves empty: the file to fill, not a claim
                        g.kind = "donnee_manquante"
                        n = len(empty)
                        said = _both(f"{agreed(n, 'colonne', 'colonnes')} {', '.join(empty)}",
                                     french_list([f"« {COLUMN_WORDS.get(c, c)} »" for c in empty]))
                        g.explication = (
                            f"écart de {eur(abs(g.ecart))}{rows} : le montant versé est celui d'une autre lecture "
                            f"d'une donnée que le fichier ne donne pas ({said} : {agreed(n, 'vide', 'vides')}) ; "
                            "renseignez la valeur réelle "
                            "de l'exercice et refaites le rapprochement : rien n'est à réclamer sur une donnée "
                            "inconnue")
                        continue
                    g.explication = (f"écart de {eur(abs(g.ecart))}{rows} : "
                                     + _both(reading_words(key, leaf, other, value, params[year], kept=kept),
                                             reading_words(key, leaf, other, value, params[year], letter=True),
                                             reading_words(key, leaf, other, value, params[year], kept=kept,
                                                           report=True)))
            if self.scenario is not None:
                self._by_the_tools_readings(year, [g for g in mine if not g.kind])

    def _by_the_tools_readings(self, year: int, mine: list[Item]) -> None:
        """Under the user's scenario, the gaps no single reading explains that the tool's own readings, all
        together, reproduce (the file of alternative readings as the scenario: the statement paid the tool's)."""
        rows = sorted({g.row for g in mine})
        if not rows:
            return
        tool = load_parameters(year)
        leaves = dict(iter_leaves(tool))
        switches = _switches(leaves)
        # only a scenario of readings: one that changes a value the texts fix (an amount, a threshold) is a simulation,
        # and the tool's values are then no « other reading » of the texts (review)
        if not all(k in leaves and (leaves[k].statut == "hypothese" or k in switches)
                   for k in (".".join(p) for p, _ in self.scenario.overrides_for(year))):
            return
        params = {**self.params, year: tool}
        lines = self.runner.lines([(r, {}) for r in rows], params)
        per_row = {rows[int(v)]: x for v, x in lines.groupby("_variant")}
        name = Path(self.scenario.path).name
        for g in mine:
            after = per_row.get(g.row)
            if after is None or abs(g.amount_in(after) - g.verse) > CENT_TOLERANCE:
                continue
            whole = self._theme_item(g)
            if whole is not None and abs(whole.amount_in(after) - whole.verse) > CENT_TOLERANCE:
                continue
            g.kind = "hypothese"
            g.explication = f"écart de {eur(abs(g.ecart))} : " + _both(
                f"le montant versé est celui des lectures retenues par l'outil, sans le scénario « {name} » : les "
                "valeurs que ce scénario remplace ne sont pas celles du versement",
                "le montant versé correspond à une autre lecture des textes que celle que je retiens",
                f"le montant versé est celui des lectures retenues par l'outil, sans le scénario « {name} » : les "
                "valeurs que ce scénario remplace ne sont pas celles du versement")

    # --- 2. one declared indicator not validated, one socle not recognised ---------------------------------
    def by_declaration(self, gaps: list[Item]) -> None:
        candidates: list[tuple[Item, object, dict]] = []
        for g in gaps:
            if g.kind or g.ecart >= 0:
                continue
            lines = self.lines[g.row]
            met = dict(zip(lines["indicateur"], lines["atteint"]))
            row = self.rows.loc[g.row]
            for ind in indicators_of(g.theme):
                if met.get(ind.code) != OUI or not (ind.declaratif or ind.type_ligne == "socle"):
                    continue
                changes = _failing(ind, row)
                if changes:
                    candidates.append((g, ind, changes))
        if not candidates:
            return
        lines = self.runner.lines([(g.row, ch) for g, _, ch in candidates])
        per_variant = {int(v): x for v, x in lines.groupby("_variant")}
        for j, (g, ind, _) in enumerate(candidates):
            if g.kind:
                continue
            after = per_variant.get(j)
            if after is None or abs(g.amount_in(after) - g.verse) > CENT_TOLERANCE:
                continue
            whole = self._theme_item(g)
            if whole is not None:
                # a declaration refused is a fact of the pharmacy-year: when it moves other lines of the theme (a
                # socle: the whole theme at 0 €), it explains the indicator only if it reproduces its theme too
                theme_after = whole.amount_in(after)
                rest_moved = theme_after - g.amount_in(after) != whole.attendu - g.attendu
                if rest_moved and abs(theme_after - whole.verse) > CENT_TOLERANCE:
                    continue
            g.kind, g.lecture, g.focus = "declaration", ind.code, (ind.code,)
            params = self.params[g.exercice]
            # `explication` is said to the titulaire (« vérifiez … »), `constat` by the titulaire in the claim draft
            # (the letter told the caisse « vérifiez votre déclaration »: review)
            if ind.declaratif:
                g.explication = (f"écart de {eur(abs(g.ecart))} : la déclaration « {_declared_words(ind)} » n'a pas "
                                 f"été retenue — vérifiez votre déclaration et ses justificatifs")
                g.constat = (f"écart de {eur(abs(g.ecart))} : ma déclaration « {_declared_words(ind)} » ne semble pas "
                             "avoir été retenue ; je l'ai faite pour cet exercice et en joins les justificatifs")
            else:
                g.explication = (f"écart de {eur(abs(g.ecart))} : l'indicateur socle « {title(ind, params)} » n'a pas "
                                 f"été reconnu — vérifiez la valeur mesurée par l'Assurance Maladie")
                g.constat = (f"écart de {eur(abs(g.ecart))} : l'indicateur socle « {title(ind, params)} » ne semble "
                             "pas avoir été reconnu, alors que les données ci-dessous le montrent atteint")

    # --- 3. a partial payment --------------------------------------------------------------------------------
    def by_partial(self, gaps: list[Item]) -> None:
        for g in gaps:
            whole = self._theme_item(g)
            if not g.kind and g.verse == 0 < g.attendu and whole is not None and whole.kind == "partiel" \
                    and g.indicateur in whole.focus:
                # an indicator of the theme's missing complement: said as the theme row says it
                # (an indicator item is the statement's own rows, here at 0 €: a fact, said as such — review)
                g.kind, g.focus = "partiel", (g.indicateur,)
                g.constat, g.explication = self._zero_row_words(g, whole)
                continue
            if g.kind or not (0 < g.verse < g.attendu) or g.repris < 0:  # a net after a take-back: no partial payment
                continue
            lines = self.lines[g.row]
            sel = lines["indicateur"] == g.indicateur if g.indicateur else lines["theme"] == g.theme
            paid_lines = [(i, int(c)) for i, c in zip(lines.loc[sel, "indicateur"], lines.loc[sel, "montant_cents"])
                          if int(c) != 0]
            # The indicator rows the statement details are facts, kept as they are: a row paid is paid for exactly
            # its amount, a row at 0 € is unpaid; only the rest of the theme's amount is matched against its other
            # lines. A row paid otherwise than its line (more, less, or for nothing due) is no line paid in full:
            # the theme's payment is then no partial payment of its lines (its explanation would contradict the row).
            detail = [] if g.indicateur else [x for x in self.items if x.row == g.row and x.theme == g.theme
                                                and x.indicateur]
            if any(x.verse != 0 and x.verdict != "conforme" for x in detail):
                continue
            fixed_paid = [x.indicateur for x in detail if x.verse != 0]
            fixed = {x.indicateur for x in detail}
            fixed_unpaid = any(i in fixed and i not in fixed_paid for i, _ in paid_lines)
            found = _subset_sum([(i, c) for i, c in paid_lines if i not in fixed],
                                g.verse - sum(x.verse for x in detail), others_paid=bool(fixed_paid),
                                others_unpaid=fixed_unpaid)
            if found is None:
                continue
            subset, ways = found
            subset = [*fixed_paid, *subset]
            rest = [i for i, _ in paid_lines if i not in subset]
            several = f" (une des {ways} combinaisons de lignes possibles)" if ways > 1 else ""
            g.kind, g.focus = "partiel", tuple(rest)
            params = self.params[g.exercice]
            # name the shorter of the two lists: the paid lines, or all of them but the unpaid ones
            if len(subset) <= len(rest):
                paid = (f"aux lignes {_named(subset, params)}{several} ; le complément de {eur(-g.ecart)} "
                        f"(lignes {_named(rest, params)})")
            else:
                paid = (f"à toutes les lignes attendues sauf {_named(rest, params)}{several} ; ce complément de "
                        f"{eur(-g.ecart)}")
            g.constat = f"versement partiel : les {eur(g.verse)} versés correspondent {paid} ne m'a pas été versé"
            if ways > 1:  # the lines named are one pick among several: the letter states the amounts, not the pick
                g.constat = (f"versement partiel : {eur(g.verse)} versés pour {eur(g.attendu)} dus ; le complément de "
                             f"{eur(-g.ecart)} ne m'a pas été versé (il correspond au montant "
                             f"{'de la ligne' if len(rest) == 1 else 'des lignes'} {_named(rest, params)}, ou d'autres "
                             "lignes du même montant)")
            g.explication = f"versement partiel : les {eur(g.verse)} versés correspondent {paid} n'a pas été versé — " \
                            + _complement_to_come(g, self.date, self.params)

    def _zero_row_words(self, g: Item, whole: Item) -> tuple[str, str]:
        """(constat, explication) of an indicator that the statement lists at 0 € while the rest of its theme is paid:
        the row is the caisse's own; a socle that gates the theme this exercise cannot have been judged not met, since
        the theme would then be paid 0 € — the argument of the claim."""
        from ..rulebook import _node

        params = self.params[g.exercice]
        ind = indicator(g.indicateur)
        from ..lines.assemble import leaf_status

        rows = "cette ligne" if g.paid_rows == 1 else f"cette ligne ({g.paid_rows} lignes du relevé)"
        # « the rest of the theme paid » only when this row is all its theme lacks (review: 920 € missing, 820 € here)
        rest = abs(whole.ecart + g.attendu) <= CENT_TOLERANCE
        said = (f"le relevé porte {rows} à {eur(0)}" + (" alors que le reste du thème est versé" if rest else "")
                + f" : son montant de {eur(g.attendu)} manque")
        # a socle that gates the theme by the texts (not by a reading of the tool's: the caisse may hold the other
        # one, under which « not met » costs only its own amount — review)
        etat = _node(params, ind.noeud).etat
        socle = (ind.type_ligne == "socle" and _node(params, ind.noeud).exige and whole.verse > 0
                 and leaf_status(etat) != "hypothese")
        why = (f" ; « {title(ind, params)} » est un indicateur socle de l'exercice {g.exercice} : s'il n'était pas "
               f"atteint, tout le thème serait à {eur(0)}, et non à {eur(whole.verse)} versés") if socle else ""
        constat = (f"le relevé porte {rows} à {eur(0)}" + (" alors que le reste du thème m'a été versé" if rest else "")
                   + f" : les {eur(g.attendu)} dus au titre de cette ligne ne m'ont pas été versés{why}")
        return constat, f"{said}{why} — {_complement_to_come(g, self.date, self.params)}"

    # --- 4. a malus not deducted ---------------------------------------------------------------------------
    def by_malus(self, gaps: list[Item]) -> None:
        """Paid more than due by exactly the row's malus lines: the amount paid is the one before the malus. Said,
        not claimed (the pharmacy received more): the Assurance Maladie may recover it."""
        for g in gaps:
            if g.kind or g.ecart <= 0:
                continue
            malus, deducted = _malus_cents(self._lines_of(g))
            if malus.empty or abs(g.attendu - deducted - g.verse) > CENT_TOLERANCE:
                continue
            codes = list(dict.fromkeys(malus["indicateur"]))
            whole = self._theme_item(g)
            if whole is not None:
                # the malus's own row of the statement: its theme must be paid the amount before the malus too
                # (otherwise the malus was taken elsewhere, and nothing was overpaid)
                _, theme_malus = _malus_cents(self._lines_of(whole))
                if abs(whole.attendu - theme_malus - whole.verse) > CENT_TOLERANCE:
                    continue
            elif any(x.row == g.row and x.theme == g.theme and x.indicateur in codes and x.verse != 0
                     for x in self.items):
                continue  # a theme row whose statement shows the malus deducted: the gap is elsewhere
            g.kind, g.focus = "malus", tuple(codes)
            # what to do about it is the titulaire's, not the caisse's: the letter says the fact only (review: « vérifiez
            # les données de ce malus » was written to the caisse)
            g.explication = (f"trop-versé de {eur(g.ecart)} : le montant versé est celui d'avant la déduction de "
                             f"{eur(-deducted)} par {_named(codes, self.params[g.exercice])}, qui n'a pas été faite"
                             + _both(" — l'Assurance Maladie peut reprendre ce trop-versé ; vérifiez les données de ce "
                                     "malus", " ; je vous le signale, sans le déduire du montant demandé",
                                     " — l'Assurance Maladie peut reprendre ce trop-versé ; vérifiez les données de ce "
                                     "malus"))

    def sign_reversed(self, gaps: list[Item]) -> None:
        """A malus row of the statement written with the due amount's opposite sign (« 534,90 » for a malus of
        −534,90 €: copied without its minus?) is said so, not « écart inexpliqué » of twice the malus (review): no
        cause of the tool gives a positive malus. Not claimed (the row says more was paid)."""
        for g in gaps:
            if g.kind:
                continue
            if g.verse < 0 < g.attendu and abs(g.verse + g.attendu) <= CENT_TOLERANCE and g.verse == g.repris + g.malus:
                # a payment written with a minus sign (−80,00 € for 80,00 € due): a sign inverted, not « écart
                # inexpliqué » of twice the amount (review)
                what = "cet indicateur" if g.indicateur else "ce thème"
                g.kind, g.focus = "signe", (g.indicateur,) if g.indicateur else ()
                g.constat = (f"le relevé porte {eur(g.verse)} pour {what}, dû {eur(g.attendu)} : le même montant, de "
                             "signe opposé")
                g.explication = (f"{g.constat} — un versement s'écrit en positif ; la ligne du relevé a-t-elle pris "
                                 "un signe moins (une reprise ?) ? Vérifiez-la")
                continue
            if not g.indicateur or indicator(g.indicateur).type_ligne != "malus":
                continue
            if g.attendu < 0 < g.verse and abs(g.verse + g.attendu) <= CENT_TOLERANCE:
                g.kind, g.focus = "signe", (g.indicateur,)
                g.explication = (f"le relevé porte {eur(g.verse)} pour ce malus, dû {eur(g.attendu)} : le même "
                                 "montant, de signe opposé — un malus est une retenue, écrite en négatif ; la ligne "
                                 "du relevé a-t-elle perdu son signe moins ? Vérifiez-la")
        # its theme row, when the rest is paid as due: its gap is twice these rows' amounts, not an overpayment to
        # tell the caisse (the letter said « supérieur de 1 069,80 € … sans qu'un motif » : review)
        malus_signs = [g for g in gaps if g.kind == "signe" and g.indicateur
                       and indicator(g.indicateur).type_ligne == "malus"]  # (not a payment row's sign: review)
        for whole in {id(t): t for t in (self._theme_item(g) for g in malus_signs) if t}.values():
            rows = [g for g in malus_signs if self._theme_item(g) is whole]
            if whole.kind or abs(whole.ecart - 2 * sum(g.verse for g in rows)) > CENT_TOLERANCE:
                continue
            whole.kind, whole.focus = "signe", tuple(g.indicateur for g in rows)
            whole.explication = (f"l'écart de {eur(whole.ecart)} est celui de {_named(whole.focus, self.params[whole.exercice])}"
                                 " : une ligne de malus écrite sans son signe moins compte deux fois son montant ; le "
                                 "reste du thème est versé comme dû — vérifiez le relevé")

    # --- 5. otherwise --------------------------------------------------------------------------------------
    def unexplained(self, gaps: list[Item]) -> None:
        for g in gaps:
            if g.kind:
                continue
            mine = self._lines_of(g)
            params = self.params[g.exercice]
            # a theme whose statement details indicators: its rows in gap first, its conforming rows left out
            detail = [] if g.indicateur else [x for x in self.items if x.row == g.row and x.theme == g.theme
                                                and x.indicateur]
            shown = [f"{_named([x.indicateur], params)} : versé {eur(x.verse)}, attendu {eur(x.attendu)}"
                     for x in detail if x.verdict != "conforme"]
            repeated = set(mine["indicateur"][mine["indicateur"].duplicated()])  # a line per molecule: told apart
            shown += [f"{_named([i], params)}{f', {v}' if i in repeated else ''} : {eur(int(c))}"
                      f"{', hypothèse' if s == 'hypothese' else ''}"
                      for i, v, c, s in zip(mine["indicateur"], mine["valeur"], mine["montant_cents"],
                                            mine["statut_regle"])
                      if int(c) != 0 and i not in {x.indicateur for x in detail}]
            lost = sorted({x for v in mine["socles_non_atteints"] for x in list_items(v)})
            if lost:
                shown.append(f"socles non atteints : {_named(lost, params)} (tout le thème à 0 €)")
            missing = sorted(set(mine.loc[mine["donnee_manquante"].astype(bool), "indicateur"]))
            if missing:
                shown.append(f"données manquantes : {_named(missing, params)}")
            if g.repris < 0:  # a take-back on the statement: said first, the facts it rests on (review)
                shown.insert(0, _taken_back(g))
            g.kind = "inexplique"
            g.explication = (f"{INEXPLIQUE} de {eur(abs(g.ecart))} : {_none_of_the_causes()} ne reproduit le montant "
                             "versé ; à vérifier : "
                             + (" ; ".join(shown) if shown else "aucune ligne payée attendue"))
            if g.ecart < 0 < g.attendu and not g.indicateur and self.date <= _deadline(g, self.params):
                # less than due before the theme's payment date: the rest may still come (review: a down payment
                # of April for an exercise not over was claimed at once)
                g.explication += f" — un versement complémentaire est {_to_come(g, self.params, self.date)}"
            elif g.ecart < 0 < g.attendu and not g.indicateur:
                # after it: to claim, as a partial payment says it — with the other reading when it says otherwise
                g.explication += f" — {_passed(g, self.params, self.date)}"

    # --- 1 bis. two rows of the statement swapped: each theme paid what the other is due ---------------------------
    def by_swap(self, gaps: list[Item]) -> None:
        """Two theme rows of the statement whose amounts are crossed — each paid exactly what the other is due, in
        the same exercise (themes swapped) or for the same theme in two exercises (exercises swapped): a statement
        read with its rows mixed up, not two gaps to claim (review: 285,08 € claimed for a BUPS of 2024 paid the
        2025 amount, and the 2025 one paid the 2024 amount)."""
        themes = [g for g in gaps if not g.kind and not g.indicateur and g.verse > 0]
        for i, g in enumerate(themes):
            for h in themes[i + 1:]:
                if g.kind or h.kind or g.pharmacie_id != h.pharmacie_id:
                    continue
                same_year, same_theme = g.exercice == h.exercice, g.theme == h.theme
                if same_year == same_theme:  # a swap of themes within an exercise, or of exercises for a theme
                    continue
                if abs(g.verse - h.attendu) > CENT_TOLERANCE or abs(h.verse - g.attendu) > CENT_TOLERANCE:
                    continue
                for a, b in ((g, h), (h, g)):
                    other = (f"« {theme(b.theme).titre_court} »" if same_year
                             else f"l'exercice {b.exercice}")
                    a.kind = "echange"
                    a.explication = (f"le relevé porte {eur(a.verse)} pour ce thème, le montant dû pour {other} "
                                     f"({eur(b.attendu)}), qui porte lui-même {eur(b.verse)}, le montant dû ici : les "
                                     "deux lignes du relevé semblent échangées — vérifiez le relevé (thème, exercice) "
                                     "avant de réclamer")

    def run(self) -> list[Item]:
        gaps = [g for g in self.items if g.verdict != "conforme"]
        self.as_stated(gaps)
        self.sign_reversed(gaps)
        self.by_swap(gaps)
        self.by_reading(gaps)
        self.by_take_back(gaps)
        self.by_declaration(gaps)
        self.by_partial(gaps)
        self.by_malus(gaps)
        self.unexplained(gaps)
        self.conforme_under_a_reading()
        return self.items

    def conforme_under_a_reading(self) -> None:
        """A theme paid as due whose amount rests on a hypothesis that, read the other way, would owe more: said beside
        « conforme » — not a claim, the tool keeping its reading (review: PH-MAIRIE 2023 paid 0 € for 0 € due, when the
        other reading of the exercice coordonné's state owes 4 391,10 €, was « conforme » without a word)."""
        same = [g for g in self.items if g.verdict == "conforme" and not g.indicateur and not g.explication]
        for year in sorted({g.exercice for g in same}):
            mine = [g for g in same if g.exercice == year]
            leaves = dict(iter_leaves(self.params[year]))
            used = self._hypotheses_read(mine, leaves)
            more: dict[int, list[tuple[str, int, object]]] = {}
            for key, value in switchable_hypotheses(year, self.scenario):
                if key not in used:
                    continue
                params = {**self.params, year: load_parameters(year, one_reading(year, key, value, self.scenario))}
                rows = sorted({g.row for g in mine})
                per_row = {rows[int(v)]: x for v, x in self.runner.lines([(r, {}) for r in rows], params).groupby(
                    "_variant")}
                other = dict(iter_leaves(params[year]))[key]
                for g in mine:
                    after = per_row.get(g.row)
                    if after is not None and g.amount_in(after) - g.attendu > CENT_TOLERANCE:
                        more.setdefault(id(g), []).append((key, g.amount_in(after), other))
            for g in mine:
                found = sorted(more.get(id(g), []), key=lambda x: -x[1])
                if not found:
                    continue

                def said(labels: bool) -> str:
                    return " ; ".join(
                        f"sous l'autre lecture de {_reading_named(k, leaves[k], self.params[year], labels)}"
                        + ("" if labels else f" (paramètre {k})")
                        + f" ({_value_words(o)} au lieu de {_value_words(leaves[k])}), {eur(a)} seraient dus "
                          f"({eur_signed(a - g.attendu)})" for k, a, o in found)

                g.explication = ("conforme à la lecture retenue par l'outil ; "
                                 + _both(said(False), said(True), said(True))
                                 + " : à réclamer seulement si l'Assurance Maladie retient cette lecture")


def _deadline(g: Item, params: dict) -> dt.date:
    """The last day the theme of `g` is paid by (`calendrier.versement.<thème>` of its exercise in `params`)."""
    return theme(g.theme).versement_deadline(params[g.exercice])


def _other_payment_date(g: Item, params: dict) -> tuple[dt.date, str] | None:
    """The other date the theme of `g` may be paid by, and what it is (`Theme.other_payment_date`)."""
    return theme(g.theme).other_payment_date(params[g.exercice])


def _payment_source(g: Item, params: dict, day: dt.date | None = None) -> str:
    """What the theme's payment date is, when it is not a published one: the scenario's (with the tool's, said passed
    at `day` when it is), or the tool's reading."""
    leaf = theme(g.theme).payment_leaf(params[g.exercice])
    if leaf.surcharge:
        other = _other_payment_date(g, params)
        if other is None:
            return "date du scénario"
        passed = ", déjà passée" if day is not None and other[0] < day else ""
        return f"date du scénario ; celle de l'outil : le {other[0]:%d/%m/%Y}{passed}"
    return "date incertaine, retenue par l'outil" if leaf.statut == "hypothese" else ""


def _when(g: Item, params: dict, day: dt.date, code: bool = True) -> str:
    """When the theme of `g` is paid, in words. A date of the user's scenario says so (and the tool's). A date that is
    a hypothesis of the tool (no published date) says so, with its other reading, when that reading says the other
    thing at the reference date `day` (passed under one, still to come under the other): a claim may then be early,
    or late (review). `code`: with the code acte the payment is made under (how to find it on a statement)."""
    info, exercise = theme(g.theme), params[g.exercice]
    deadline = info.versement_deadline(exercise)
    when = info.versement_of(exercise) if code else f"au plus tard le {deadline:%d/%m/%Y}"
    leaf = info.payment_leaf(exercise)
    if leaf.surcharge:  # the scenario's date: always said so (the user moved it), with the tool's
        return when + f" ({_payment_source(g, params, day)})" if _other_payment_date(g, params) else when
    other = _other_payment_date(g, params)
    if other is not None and (day <= deadline) != (day <= other[0]):
        when += f" (date incertaine, retenue par l'outil : hypothèse ; autre lecture : « {leaf.alternative} »)"
    return when


MALUS_CODES = frozenset(i.code for i in INDICATORS if i.type_ligne == "malus")


def _taken_back(g: Item) -> str:
    """What the statement shows of a payment taken back: the rows paid (net of its malus rows), then the negative
    rows that are no malus — as amounts, without the statement's words (its rows may say « Régularisation », « Rappel »
    or nothing: review)."""
    return (f"le relevé porte {eur(g.verse - g.repris)} versés{' (malus déduit)' if g.malus else ''} puis "
            f"{eur(-g.repris)} repris, soit {eur(g.verse)}")


def _to_come(g: Item, params: dict, day: dt.date) -> str:
    """A theme not paid yet, before its payment date: what to do."""
    return (f"peut-être à venir : ce thème de l'exercice {g.exercice} est versé {_when(g, params, day)}"
            " ; passé ce délai, réclamez-le")


def _complement_to_come(g: Item, day: dt.date, params: dict) -> str:
    """What to do of a partial payment at the reference date `day`: wait for the rest until the theme's payment date
    (its last day included), then claim it; once that date is passed, claim it."""
    if day > _deadline(g, params):
        return _passed(g, params, day)
    return "un versement complémentaire est " + _to_come(g, params, day)


def _passed(g: Item, params: dict, day: dt.date) -> str:
    """A theme's payment date passed: to claim."""
    return (f"ce thème de l'exercice {g.exercice} est versé {_when(g, params, day, code=False)} : ce délai est passé, "
            "réclamez-le")


def reading_words(key: str, leaf, other, value, params, letter: bool = False,
                  kept: str = "la valeur retenue par l'outil", report: bool = False) -> str:
    """What a paid amount reproduced by a hypothesis's other reading says: the parameter (its label and key), the
    value the statement corresponds to and the one the tool keeps, and the note of the parameter file saying what
    that reading means when it is written « value : what it means » (« 0 : seul le palier de 95 % paie »); a note
    written otherwise (a justification of the value kept) is left out. `other`: the leaf under that reading,
    `params`: the exercise's parameters under it. `letter`: for the claim draft, the parameter named by its
    indicator and label (`hypothesis_label`), without its key. `kept`: whose the value of `leaf` is (the tool's, or
    the user's scenario's). `report`: for the reports, named as in the letter, said as in the table."""
    note = reading_note(leaf, value)
    what = _reading_named(key, leaf, params, letter or report)
    if letter:  # the titulaire writes to the caisse: the reading he holds, not « the tool's »
        return (f"le montant versé correspond à la lecture de {what} qui donne {_value_words(other)}"
                + (f" ({note})" if note else "") + f" ; la lecture que je retiens donne {_value_words(leaf)}")
    return (f"le montant versé correspond à l'autre lecture de {what}" + ("" if report else f" (paramètre {key})")
            + f" : {_value_words(other)} au lieu de {_value_words(leaf)}, {kept}" + (f" — {note}" if note else ""))


def _reading_named(key: str, leaf, params, labels: bool) -> str:
    """The parameter a reading is of, in words: an indicator's state by its indicator, else by its label (`labels`: as
    the letter and the reports name it, `hypothesis_label`; else as the parameter file does)."""
    owner = next((i for i in INDICATORS if key == f"{i.noeud}.etat"), None) if unit(leaf.unite).kind is Kind.STATE \
        else None
    return (f"l'état de l'indicateur « {title(owner, params)} » cet exercice" if owner is not None  # its label is generic
            else f"« {hypothesis_label(key, params)} »" if labels else f"« {leaf.libelle} »")


_NUMBER_KINDS = (Kind.AMOUNT, Kind.UNIT_PRICE, Kind.PERCENT, Kind.COUNT, Kind.RATIO, Kind.DATE)


def _value_words(leaf) -> str:
    """A parameter's value in a sentence: a number or a date as written (« 0,01 % », « 31/01/2025 »), words
    between quotes (« « au pair » au lieu de « au demi supérieur » »)."""
    text = leaf_text(leaf)
    return text if unit(leaf.unite).kind in _NUMBER_KINDS else f"« {text} »"


def reconcile(pharmacies: pd.DataFrame, molecules: pd.DataFrame | None, versements: pd.DataFrame,
              scenario=None, date_reference: dt.date | None = None) -> tuple[pd.DataFrame, dict[tuple[str, int], str]]:
    """The reconciliation table (`rapprochement.csv`'s columns, plus `ecart_cents`) and the claim drafts, one
    Markdown text per pharmacy × exercise with something to claim (a theme paid less than due: `claimed_themes`).
    A pharmacy-year whose only gaps are overpayments gets none: `overpaid_notices` says them. `date_reference`
    (default today): the date a partial payment's complement is said still to come or its payment date passed."""
    rec = _Reconcile(pharmacies, molecules, versements, scenario, date_reference)
    items = rec.run()
    records = [{
        "pharmacie_id": g.pharmacie_id, "exercice": g.exercice, "theme": g.theme, "indicateur": g.indicateur,
        "attendu_eur": g.attendu, "verse_eur": g.verse, "ecart_eur": g.ecart, "verdict": g.verdict,
        "explication": table_words(g.explication), "lecture_qui_explique": g.lecture, "ecart_cents": g.ecart,
        "explication_lecteur": report_words(g.explication),  # the report's words: titles, no code nor key
    } for g in items]
    table = pd.DataFrame.from_records(records, columns=[*RAPPROCHEMENT_COLUMNS, "ecart_cents", "explication_lecteur"])
    for c in RAPPROCHEMENT_AMOUNTS:
        table[c] = money.cents_to_str(table[c].to_numpy(dtype=np.int64)) if len(table) else table[c]
    claims = {}
    for (pid, year), group in _by_pharmacy_year(items).items():
        if not claimed_themes(group):  # nothing asked for (overpayments only): no letter to send
            continue
        # what is asked for, and the overpayments told for verification (never netted): unexplained, paid for
        # nothing, or a malus not deducted
        told = {g.theme for g in group if g.kind == "malus" and not g.indicateur}
        # a theme not claimed (a sign to check, rows swapped, a value the file does not give: named above the letter)
        # is not claimed by its indicator rows either (review: a row « dispensation : 0 » put its theme back in the
        # table, at twice its amount)
        left_out = {g.theme for g in group if not g.indicateur and g.kind in NOT_CLAIMED}
        flagged = [g for g in group if g.verdict != "conforme" and (g.ecart < 0 or g.kind in ("inexplique",
                                                                                             "inexistant", "malus"))
                   and not (g.kind == "malus" and g.indicateur and g.theme in told)  # said once, by its theme
                   and g.kind not in ("detail_contredit", *NOT_CLAIMED)  # paid as due: no claim
                   and g.theme not in left_out]
        claims[(pid, year)] = claim_text(rec, pid, year, flagged)
    return table, claims


def claimed_themes(items: list[Item]) -> dict[str, int]:
    """What a claim asks for: theme → cents, the themes paid less than due (the theme rows, an indicator's gap is
    part of its theme's); empty when nothing is to be claimed."""
    return {g.theme: -g.ecart for g in items if not g.indicateur and g.verdict != "conforme" and g.ecart < 0
            and g.kind not in NOT_CLAIMED}  # a sign the tool suspects inverted is to check, not to
    # claim at twice (review); a gap resting on a value the file leaves empty is the file's to fill, not a claim


def overpaid_notices(table: pd.DataFrame) -> dict[tuple[str, int], str]:
    """For each pharmacy × exercise of a reconciliation table (`reconcile`'s) whose only gaps are overpayments (no
    theme paid less than due: no claim draft), what to say instead: the themes paid beyond what the tool computes,
    that the Assurance Maladie may recover it, to check it, and that there is no letter to send."""
    out = {}
    if table.empty:
        return out
    themes = table[(table["indicateur"] == "") & (table["verdict"] != "conforme")]
    for (pid, year), mine in themes.groupby(["pharmacie_id", "exercice"], sort=False):
        over = mine[mine["ecart_cents"] > 0]
        if over.empty or (mine["ecart_cents"] < 0).any():
            continue
        which = " ; ".join(f"{theme(c).titre_court} : {eur(int(e))} de plus" for c, e in
                           zip(over["theme"], over["ecart_cents"]))
        these = "ce thème" if len(over) == 1 else "ces thèmes"
        # a gap the other reading of a text reproduces: the caisse seems to read the text that way, not to overpay
        # (review: « ce trop-versé peut être repris » of an amount the statement explains by a reading)
        read = over["lecture_qui_explique"].astype(str).str.len() > 0
        why = ("Le relevé suit une autre lecture des textes que celle de l'outil (voir l'explication de chaque ligne) "
               "; si c'est celle de l'Assurance Maladie, ce montant est le sien. " if read.all() else
               "Ce trop-versé peut être repris par l'Assurance Maladie : vérifiez-le (les données déclarées, le relevé, "
               "l'explication de chaque ligne). ")
        out[(pid, int(year))] = (
            f"Rien à réclamer pour l'exercice {int(year)} : le relevé porte plus que ce que l'outil calcule "
            f"pour {these} ({which}). {why}Aucun projet de réclamation n'est préparé, il n'y a pas de courrier à "
            "envoyer.")
    return out


def _by_pharmacy_year(items: list[Item]) -> dict:
    out: dict = {}
    for g in items:
        out.setdefault((g.pharmacie_id, g.exercice), []).append(g)
    return out


_PRIVATE_SOURCE = re.compile(r"\s*\((?:seeds|spec)/[^)]*\)")


NO_PUBLIC_SOURCE = "aucun texte public ne fixe ce point"


def public_source(text: str) -> str:
    """A line's source as the caisse can look it up: never a file of the project, nor the project's own rules book (a
    reference of nature « projet »: a letter to the Assurance Maladie cited the tool as its source, review) — then
    that no public text fixes the point, the reading being named by the letter's hypothesis."""
    from ..parameters import load_references

    text = _PRIVATE_SOURCE.sub("", str(text or "")).strip()
    own = tuple(r.titre for r in load_references().values() if r.nature == "projet")
    if not text or text.startswith(("Spécification du projet", *own)):
        return NO_PUBLIC_SOURCE
    return text


def claim_documents(params, items: list[Item]) -> list[str]:
    """The documents to attach: those of the themes claimed (paid less than due: an overpaid theme, told for
    verification, claims nothing) that prove an indicator in force this exercise (the Ségur software invoice only
    where the Ségur socle exists, none for a theme that does not)."""
    claimed = claimed_themes(items)
    out = []
    for code in dict.fromkeys(g.theme for g in items if g.theme in claimed):
        pieces = [p for p in theme(code).pieces if any(in_force(params, indicator(c)) for c in p.indicateurs)]
        gaps = [g for g in items if g.theme == code and g.verdict != "conforme"]
        if gaps and all(g.focus for g in gaps):  # the gap is explained by these indicators: only their proofs (an
            # automatic indicator, the stabilité, has none — not the attestation HCQO of the same theme)
            named = {c for g in gaps for c in g.focus}
            pieces = [p for p in pieces if named & set(p.indicateurs)]
        out += [p.texte for p in pieces]
    return out


def claim_table(rec: _Reconcile, items: list[Item], params) -> list[str]:
    """Expected against paid, one row per theme in question, its indicators in question under it as « dont » rows:
    an indicator's gap is part of its theme's (the theme row adds up every row of the statement for the theme), so
    only the theme rows are added up in the total."""
    out = ["| thème | indicateur | attendu | versé | écart |", "|---|---|---:|---:|---:|"]
    wholes, details = [], 0
    for code in dict.fromkeys(g.theme for g in items):
        whole = next(x for x in rec.items if x.row == items[0].row and x.theme == code and not x.indicateur)
        wholes.append(whole)
        out.append(f"| {theme(code).titre} | tout le thème | {eur(whole.attendu)} | {eur(whole.verse)} "
                   f"| {eur(whole.ecart)} |")
        for g in (g for g in items if g.theme == code and g.indicateur):
            details += 1
            out.append(f"| {theme(code).titre} | dont : {title(indicator(g.indicateur), params)} | {eur(g.attendu)} "
                       f"| {eur(g.verse)} | {eur(g.ecart)} |")
    # The total adds up the themes claimed (paid less than due): a theme paid beyond, told for verification below, is
    # not netted (review: a total of −245,10 € above « Montant demandé : 780,00 € »)
    claimed = [g for g in wholes if g.ecart < 0]
    if len(wholes) + details > 1:
        which = ("les thèmes versés en deçà de l'attendu" if len(claimed) < len(wholes)
                 else "les thèmes, sans les lignes « dont »" if details else "")
        out.append(f"| **Total** | {which} | {eur(sum(g.attendu for g in claimed))} "
                   f"| {eur(sum(g.verse for g in claimed))} | {eur(sum(g.ecart for g in claimed))} |")
    if details:
        out += ["", "Une ligne « dont » est une partie de l'écart du thème au-dessus d'elle : elle est déjà comptée "
                "dans cet écart et dans le total."]
    over = [g for g in wholes if g.ecart > 0]
    if over:  # a theme paid beyond what is due is told, never netted against what is asked for
        asked = -sum(g.ecart for g in wholes if g.ecart < 0)
        out += ["", f"**Montant demandé** : {eur(asked)}, la somme des écarts négatifs des thèmes. Les thèmes versés "
                "au-delà de l'attendu (" + " ; ".join(f"{theme(g.theme).titre} : {eur(g.ecart)}" for g in over)
                + ") ne sont ni réclamés ni déduits : je vous les signale pour vérification."]
    return out


# The head of each caution written above a claim draft (`_scenario_caution`, `_too_early_caution`, `_dated_after_caution`,
# `_left_out_caution`):
# the synthesis names them beside its link to the draft (`claim_cautions`).
BEFORE_SENDING = "À lire avant tout envoi"
_CAUTION = re.compile(rf"^> \*\*{BEFORE_SENDING} — (.+?)\*\* :", re.MULTILINE)


def claim_cautions(claim: str) -> list[str]:
    """What a claim draft says to read before sending it, by the heads of its cautions (« versement peut-être
    incomplet »…): a report linking to the draft names them (review: the synthesis said « Vérifiez chaque montant
    avant de l'envoyer » of a draft not to be sent before the exercise's payment date)."""
    from ..report.escape import unescape_markdown_text

    # as written, not as the Markdown of the draft holds them (« mon\_scenario.yaml »: review)
    return [unescape_markdown_text(c) for c in _CAUTION.findall(claim)]


def _scenario_caution(rec: _Reconcile, lines: pd.DataFrame, items: list[Item], params) -> list[str]:
    """A claim computed with a scenario whose values its amounts depend on says so above the letter, naming them:
    what is « due » there is the scenario's. A scenario that touches none of the themes claimed leaves the letter
    as the reference one."""
    if rec.scenario is None:
        return []
    claimed = {g.theme for g in items}
    keys = sorted({k for v in lines.loc[lines["theme"].isin(claimed), "scenario"] for k in list_items(v)})
    if not keys:
        return []
    name = escape_markdown_text(Path(rec.scenario.path).name)
    which = " ; ".join(f"« {escape_markdown_text(hypothesis_label(k, params))} »" for k in keys)
    return [f"> **{BEFORE_SENDING} — scénario « {name} »** : ce projet est calculé avec ce scénario ; les "
            f"montants dus ne sont pas ceux des paramètres de référence de l'outil (valeurs remplacées dont ils "
            f"dépendent : {which}). Ne l'envoyez que si vous pouvez défendre ces valeurs.", ""]


def _claimed_short(g: Item) -> bool:
    """A theme whose shortfall the letter claims, and that a later payment could still fill."""
    return g.kind in ("partiel", "rien_verse") or (g.kind == "inexplique" and g.ecart < 0 < g.attendu
                                                   and not g.indicateur)


def _too_early_caution(rec: _Reconcile, items: list[Item]) -> list[str]:
    """A theme claimed before its payment date (a partial payment's complement, or a theme not paid at all, may still
    come) says so above the letter, with the day from which to send it, dated again: the draft was written at any
    date, and read as one to send (review). A date that is not a published one says what it is, and its other
    reading when that one is already passed. A theme claimed after its date, whose other reading (not published,
    or the tool's under a scenario) says the rest may still come, says that too (review: the letter was ready to
    send on 01/07 for a date of the tool's only)."""
    early = {g.theme: g for g in items if _claimed_short(g) and rec.date <= _deadline(g, rec.params)}
    late = {g.theme: (g, other) for g in items if _claimed_short(g) and rec.date > _deadline(g, rec.params)
            and (other := _other_payment_date(g, rec.params)) is not None and rec.date <= other[0]}
    out = []
    if early:
        def said(g: Item) -> str:
            what, other = _payment_source(g, rec.params, rec.date), _other_payment_date(g, rec.params)
            if other is not None and other[0] < rec.date and not theme(g.theme).payment_leaf(
                    rec.params[g.exercice]).surcharge:
                what += f" ; sous l'autre lecture, le {other[0]:%d/%m/%Y}, déjà passé"
            return f" ({what})" if what else ""

        which = " ; ".join(f"« {theme(t).titre} » : versé au plus tard le {_deadline(g, rec.params):%d/%m/%Y}{said(g)}"
                           for t, g in early.items())
        after = max(_deadline(g, rec.params) for g in early.values()) + dt.timedelta(days=1)
        out += [f"> **{BEFORE_SENDING} — versement peut-être incomplet** : au {rec.date:%d/%m/%Y}, ce qui manque "
                f"peut encore être versé ({which}). N'envoyez ce projet qu'à partir du {after:%d/%m/%Y}, si rien "
                "n'est arrivé d'ici là, et refaites-le ce jour-là (rosp rapprocher --date, ou le rapport) : il sera "
                "daté du jour de l'envoi et tiendra compte de ce qui aura été versé.", ""]
    if late:
        def source(g: Item) -> str:  # the scenario's: its other date is said right after
            return ("date du scénario" if theme(g.theme).payment_leaf(rec.params[g.exercice]).surcharge
                    else _payment_source(g, rec.params))

        which = " ; ".join(f"« {theme(t).titre} » : versé au plus tard le {_deadline(g, rec.params):%d/%m/%Y} "
                           f"({source(g)}), mais jusqu'au {other[0]:%d/%m/%Y} selon {other[1]}"
                           for t, (g, other) in late.items())
        until = max(other[0] for _, other in late.values()) + dt.timedelta(days=1)
        out += [f"> **{BEFORE_SENDING} — date de versement incertaine** : au {rec.date:%d/%m/%Y}, ce qui manque "
                f"peut encore être versé selon une autre date ({which}). Si vous ne tenez pas la première date pour "
                f"sûre, attendez le {until:%d/%m/%Y} et refaites ce projet ce jour-là.", ""]
    return out


def _dated_after_caution(rec: _Reconcile, pid: str, year: int) -> list[str]:
    """Payments of this pharmacy-year dated after the draft's date are counted as received, as the console and the
    synthesis say (`versements.future_payments`): the letter, the document that gets sent, says it above itself too
    (review: a draft of 01/07/2026 disputed a payment dated 27/09/2026 without a word)."""
    v = rec.versements
    later = dated_after(v[(v["pharmacie_id"] == pid) & (v["exercice"].astype(int) == int(year))], rec.date)
    if later.empty:
        return []
    params = rec.params[year]
    which = " ; ".join(f"« {theme(t).titre} »{f' — {title(indicator(i), params)}' if i else ''} : {eur(int(c))} "
                       f"daté du {dt.date.fromisoformat(d):%d/%m/%Y}"
                       for t, i, c, d in zip(later["theme"], later["indicateur"], later["montant_cents"],
                                             later["date_versement"]))
    return [f"> **{BEFORE_SENDING} — versements datés après ce projet** : le relevé porte des versements datés "
            f"après le {rec.date:%d/%m/%Y}, comptés ici comme reçus ({which}). Vérifiez qu'ils l'ont été, et refaites "
            "ce projet une fois le relevé à jour (rosp rapprocher --date, ou le rapport).", ""]


def _left_out_caution(rec: _Reconcile, pid: str, year: int) -> list[str]:
    """The themes of this pharmacy-year paid differently from what is due that the letter does not claim — a statement
    row whose sign looks inverted, a gap resting on a value the file leaves empty — named above the letter, so that
    the titulaire knows them before sending it (review: a row of −320,00 € left the letter without a word)."""
    left = [g for g in rec.items if g.pharmacie_id == pid and g.exercice == year and not g.indicateur
            and g.verdict != "conforme" and g.kind in NOT_CLAIMED]
    if not left:
        return []
    why = {"signe": "une ligne du relevé de signe peut-être inversé : vérifiez le relevé",
           "donnee_manquante": "une donnée que le fichier ne donne pas : renseignez-la et refaites ce projet",
           "echange": "le montant dû d'un autre thème ou d'un autre exercice, lignes du relevé peut-être échangées : "
                      "vérifiez le relevé"}
    which = " ; ".join(f"« {theme(g.theme).titre} » : {eur(g.verse)} versés pour {eur(g.attendu)} dus, "
                       f"{why[g.kind]}" for g in left)
    return [f"> **{BEFORE_SENDING} — écarts non réclamés** : ce projet ne réclame pas ces écarts ({which}).", ""]


def _letter_data(line: pd.Series) -> str:
    """The pharmacy's data a line's verdict rests on, in words, for the caisse to check « Atteint » (« taux de
    stabilité … : 92 % »); empty when the line read none."""
    said = [f"{COLUMN_WORDS.get(name, name)} : {value}" + (" %" if name.endswith("_pct") and value != "vide" else "")
            for name, value in entries(line["entrees"]) if name != "molecule"]
    return " ; ".join(said)


def _letter_finding(g: Item) -> str:
    """The « Constat » of a claim draft: the tool's explanation, or for a gap it could not explain the facts as the
    caisse reads them (the tool's search — « aucune lecture alternative … ; à vérifier : … » — is for the titulaire,
    in the report)."""
    if g.kind == "inexplique":
        way = "inférieur" if g.ecart < 0 else "supérieur"
        paid = f"{eur(g.verse)} : {_taken_back(g)}" if g.repris < 0 else eur(g.verse)
        return (f"le montant versé ({paid}) est {way} de {eur(abs(g.ecart))} au montant dû selon les règles "
                f"citées dans ce projet ({eur(g.attendu)}), sans qu'un motif de cette différence m'ait été indiqué")
    return letter_words(g.constat or g.explication)  # « réclamez-le » is said to the titulaire, not in the letter


def claim_text(rec: _Reconcile, pid: str, year: int, items: list[Item]) -> str:
    """A French claim draft for one pharmacy × exercise: the indicators in question, expected against paid, the
    rule and its source, and the justificatifs to attach."""
    params = rec.params[year]
    row = rec.rows.loc[items[0].row]
    lines = rec.lines[items[0].row]
    name = row.get("nom") if isinstance(row.get("nom"), str) and row.get("nom") else pid
    out = [f"# Projet de réclamation — ROSP de l'exercice {year}", "",
           f"**Officine** : {escape_markdown_text(name)} (identifiant {escape_markdown_text(pid)})  ",
           f"**Objet** : demande de révision de la ROSP versée au titre de l'exercice {year}  ",
           f"**Date** : {rec.date:%d/%m/%Y}", "",
           *_scenario_caution(rec, lines, items, params),
           *_too_early_caution(rec, items),
           *_dated_after_caution(rec, pid, year),
           *_left_out_caution(rec, pid, year),
           "Madame, Monsieur,", "",
           # the rules of that exercise, as the sources cited below give them: « et de son avenant 1 » was said of
           # 2022 and 2023 too, before it was approved, and of rules whose source is no text of it (review)
           # « (convention nationale pharmaceutique, textes et sources cités ci-dessous) » where the only source cited
           # was a software vendor's guide (review): the sources, as cited below
           f"Après rapprochement du relevé « Mes ROSP » de l'exercice {year} avec les règles de la ROSP de cet "
           "exercice (selon les sources citées ci-dessous), les montants suivants diffèrent de ce qui est dû"
           # a gap the statement explains by another reading of a text that is silent: what the titulaire holds due,
           # not a fact (« diffèrent de ce qui est dû » claimed 200 € resting on the tool's own reading, audit)
           + (" selon ma lecture des textes, là où ils ne fixent pas le montant" if any(g.kind == "hypothese"
                                                                                        for g in items) else "")
           + " :", "",
           *claim_table(rec, items, params)]
    out += ["", "## Ce que disent les règles", ""]
    quoted: set[str] = set()  # the indicators whose rule is already written above (an indicator of a theme quoted)
    for g in items:
        out.append(f"### {theme(g.theme).titre}"
                   + (f" — dont : {title(indicator(g.indicateur), params)}" if g.indicateur else ""))
        out.append("")
        if g.explication:
            out += [f"Constat : {escape_markdown_text(_letter_finding(g))}.", ""]  # a molecule's name in it
        if g.focus:
            inds = [indicator(c) for c in dict.fromkeys(g.focus)]  # a molecule indicator once, whatever its lines
        elif g.indicateur:
            inds = [indicator(g.indicateur)]
        else:
            inds = [i for i in indicators_of(g.theme)
                    if i.code in set(lines["indicateur"]) and (i.type_ligne == "socle" or int(
                        lines.loc[lines["indicateur"] == i.code, "montant_cents"].sum()) != 0)]
        if g.kind == "inexistant":
            inds = []  # no rule of the exercise to quote
        leaves = dict(iter_leaves(params))
        if g.indicateur and [i.code for i in inds] == [g.indicateur] and g.indicateur in quoted:
            out += ["La règle de cette ligne, ses données et sa source sont citées ci-dessus, avec son thème.", ""]
            continue
        quoted |= {i.code for i in inds}
        for ind in inds:
            mine = lines[lines["indicateur"] == ind.code]
            amount = int(mine["montant_cents"].sum())
            # how the amount due is made, line by line, as the reports' « Calcul » column writes it (2,10 € × 25 kits);
            # not a forfait's « oui → 820,00 € », which the rule above says
            calcs = [f"{m} : {c}" if m else c for m, c in ((dict(entries(line["entrees"])).get("molecule"),
                                                            calculation(line, leaves, params))
                                                           for _, line in mine.iterrows())
                     if "×" in c or "/" in c]  # a molecule's line by its name (an input text: escaped below)
            how = f" (calcul : {escape_markdown_text(' ; '.join(calcs))})" if calcs else ""
            # each molecule its own verdict (« Atteint : oui, sans objet »: review), but those out of the exercise's
            # list, which the rule does not pay (« sans objet »): not the caisse's business
            named = [(dict(entries(e)).get("molecule"), a) for e, a in zip(mine["entrees"], mine["atteint"])
                     if a != SANS_OBJET]
            if len(mine) > 1 and named and all(n for n, _ in named):
                met = " ; ".join(f"{escape_markdown_text(n)} : {a}" for n, a in named)
            else:
                met = ", ".join(dict.fromkeys(str(a) for a in mine["atteint"]))
            # the data the verdict compared, beside a calculation too (« 0,070 € × 40 000 FSE (taux ≥ seuil) » did not
            # say the pharmacy's rate: review)
            data = _letter_data(mine.iloc[0]) if len(mine) == 1 else ""
            if data:  # a threshold's verdict (« oui → 200,00 € »): the value it compared, for the caisse to check it
                met += f" (données de l'officine : {escape_markdown_text(data)})"
            src = public_source(mine["source"].iloc[0]) if len(mine) else ""
            hyps = sorted({k for v in mine["hypotheses"] for k in str(v).split(" ; ") if k})
            caution = (f" — ce montant dépend d'une lecture retenue faute de texte explicite (hypothèse : "
                       f"{' ; '.join(hypothesis_named(k, params) for k in hyps)})") if hyps else ""
            out.append(f"- **{title(ind, params)}** : {rule_text(ind, params)} Atteint : {met} ; montant dû : "
                       f"{eur(amount)}{how}. Source : {src}{caution}.")
        if inds:
            out.append("")
    out += ["## Pièces jointes", "", f"- le relevé « Mes ROSP » de l'exercice {year} (amelipro)"]
    out += [f"- {j}" for j in claim_documents(params, [x for x in rec.items if x.row == items[0].row])]
    out += ["", "Je vous remercie de bien vouloir procéder à la régularisation de ces montants ou de m'indiquer les "
            "éléments qui justifient leur calcul.", "", "Veuillez agréer, Madame, Monsieur, mes salutations distinguées.",
            "", "_Projet établi par l'outil de référence ROSP : vérifiez chaque montant avant envoi ; une ligne marquée "
            "« hypothèse » repose sur une lecture des textes que l'Assurance Maladie peut ne pas partager._", ""]
    return "\n".join(out)
