"""What the report notebooks call: load one pharmacy, show its lines, explain, chart, record, explore.

Nothing here computes a rule: amounts come from `engine.compute`; what a line depends on is read
from its structured columns (`entrees`, `hypotheses`, `scenario`, `socles_non_atteints`,
`donnee_manquante`); the rule texts come from the registry through `rulebook`; the range across
readings from `report.readings`. This module only selects, formats (in French) and draws.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from rosp_lib.engine import compute, parameters_for
from rosp_lib.inputs import (EXACT_SUFFIX, MAX_COUNT, PHARMACIE_ID_RE, PHARMACY_COLUMNS, empty_molecules,
                             no_molecules_warning, pharmacy_warnings, read_inputs, set_rate)
from rosp_lib.inputs.columns import AT_MOST, COLUMN_WORDS
from rosp_lib.inputs.parsing import number_typed
from rosp_lib.inputs.errors import near_hint
from rosp_lib.report.calculation import calculation, entries
from rosp_lib.lines.assemble import input_text
from rosp_lib.lines.formatting import counted, eur, eur_signed, french_list, french_ticks, num, num_exact
from rosp_lib.lines.text import NEUTRALISE, list_items, shown_value
from rosp_lib.parameters import ExerciseParameters, Scenario, Seuil, iter_leaves, load_parameters
from rosp_lib.registry import INDICATORS, SYNTHESIS, SYNTHESIS_NOTEBOOK, THEME_CODES, indicator, indicators_of, theme as theme_of
from rosp_lib.report import narrative
from rosp_lib.report.escape import escape_html, escape_html_text, escape_markdown, escape_markdown_text
from rosp_lib.report.html import DOCUMENT_MIME
from rosp_lib.report.memo import ContentMemo
from rosp_lib.rules.base import COMPARISONS
from rosp_lib.rulebook import (HYPOTHESIS_MARK, STATUTS_TEXTE, find_leaf, leaf_text, rule_is_defined, rule_text, state,
                              theme_exists, title as indicator_title)

RECORD_MIME = "application/vnd.rosp.resultats+json"
# How the reader of a report gives the molecule table: the notebook's parameter, or the option of the command that
# made the report (the same text is read in both)
MOLECULES_GIVEN_BY = "paramètre molecules du notebook, option --molecules de rosp report"
THEMES = THEME_CODES
THEME_TITLES = {t: theme_of(t).titre for t in THEMES}
SYNTHESE = SYNTHESIS_NOTEBOOK
ABSENT = narrative.ABSENT


def esc(text) -> str:
    """An input-derived string (pharmacy name, molecule) for the content of an HTML element of an output: shown as
    written, never markup nor math (not for an attribute: `escape_html`)."""
    return escape_html_text(text)


def md(text) -> str:
    """An input-derived string for a Markdown output: shown as written, never Markdown nor HTML."""
    return escape_markdown(text)


class ReportError(Exception):
    """A report that cannot be made (unknown pharmacy, exercise not in the file); message in French."""


@dataclass
class Report:
    """One pharmacy × exercise: its input row, its parameters and its result lines (all themes)."""

    pharmacie_id: str
    exercice: int
    row: pd.Series
    params: ExerciseParameters
    lines: pd.DataFrame
    pharmacy_rows: pd.DataFrame  # every exercise of this pharmacy in the file
    molecules: pd.DataFrame
    scenario: Scenario | None = None
    all_lines: pd.DataFrame = field(default_factory=pd.DataFrame)  # every exercise of this pharmacy
    warnings: list[str] = field(default_factory=list)  # what its data hold but it probably did not mean
    molecules_given: bool = True  # a targeted-molecules table was given (else a warning says so)

    @property
    def nom(self) -> str:
        return str(self.row.get("nom") or self.pharmacie_id)

    @property
    def exercices(self) -> list[int]:
        return sorted(int(y) for y in self.pharmacy_rows["exercice"].unique())

    def theme_lines(self, theme: str) -> pd.DataFrame:
        return self.lines[self.lines["theme"] == theme].reset_index(drop=True)

    def theme_total_cents(self, theme: str) -> int:
        return int(self.theme_lines(theme)["montant_cents"].sum())

    def total_cents(self) -> int:
        return int(self.lines["montant_cents"].sum())

    def etat(self, code: str) -> str:
        """The state of an indicator this exercise (actif, neutralise, non_exige, absent)."""
        return state(self.params, indicator(code))

    def applies(self, theme: str) -> bool:
        """Whether the theme exists this exercise (at least one indicator not absent)."""
        return theme_exists(self.params, theme)

    @cached_property
    def readings(self):
        from rosp_lib.report.readings import readings

        return readings(self.pharmacy_rows, self.molecules, self.exercice, self.scenario)

    @cached_property
    def leaves(self) -> dict:
        return dict(iter_leaves(self.params))


# Reports loaded in this process, keyed by what they are made from, by content: the input files, the
# scenario, the parameter files, the pharmacy and the exercise. A kept kernel of `rosp report` runs
# the seven reports of a pharmacy-year one after the other: read, validate and compute once
# (≈ 0,3 s per report, measured 2026-12-01). Each call gets its own copy.
_LOADED: ContentMemo[Report] = ContentMemo(size=16)


def _load_key(pharmacie_id: str, exercice: int, entree: str, molecules: str, parametres: str) -> bytes | None:
    import hashlib

    from rosp_lib.parameters import PARAMETERS_DIR

    try:
        h = hashlib.blake2b(digest_size=20)
        h.update(repr((str(pharmacie_id), int(exercice), str(entree), str(molecules), str(parametres))).encode())
        for path in [p for p in (entree, molecules, parametres) if p] + sorted(PARAMETERS_DIR.glob("*.yaml")):
            h.update(b"\0" + Path(path).read_bytes())
        return h.digest()
    except (OSError, ValueError, TypeError):  # read by load(), which says what is wrong
        return None


def exercise_of(exercice) -> int:
    """The notebook's `exercice` parameter as a year (papermill passes « 2024b » as text): a French refusal otherwise."""
    text = str(exercice).strip()
    if isinstance(exercice, bool) or not re.fullmatch(r"\d{4}", text, re.ASCII):
        raise ReportError(f"exercice invalide : « {exercice} » ; attendu : une année en quatre chiffres, par exemple 2024")
    return int(text)


def user_errors() -> None:
    """Called first by every report notebook: an error of the user (a parameter, an input file, a scenario) is shown
    as one French sentence, « Erreur : … », not as a Python traceback through the library.

    An IPython handler for the library's user errors (InputError, ParameterError, ReportError). It hands IPython
    the short traceback itself (`_showtraceback`): the kernel then sends the error as usual (its class and French
    message, what papermill reports and `rosp report` writes in rapports.csv), the cell fails and the run stops.
    A handler returning the short traceback only would send no error at all (IPython ≥ 9): papermill would
    still stop, but with no message. Outside IPython, nothing."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - the notebooks run in IPython
        return
    shell = get_ipython()
    if shell is None:
        return
    from rosp_lib.inputs import InputError
    from rosp_lib.parameters import ParameterError

    def french(shell, etype, value, tb, tb_offset=None):
        shell._showtraceback(etype, value, [f"Erreur : {value}"])  # noqa: SLF001 - IPython's display of an error

    shell.set_custom_exc((InputError, ParameterError, ReportError), french)


def load(pharmacie_id: str, exercice: int, entree: str, molecules: str = "", parametres: str = "") -> Report:
    """Read and validate the input file, then compute every exercise of the pharmacy."""
    return _LOADED.get_or_make(_load_key(pharmacie_id, exercice, entree, molecules, parametres),
                               lambda: _load(pharmacie_id, exercice, entree, molecules, parametres))


def _load(pharmacie_id: str, exercice: int, entree: str, molecules: str = "", parametres: str = "") -> Report:
    if not re.fullmatch(PHARMACIE_ID_RE, str(pharmacie_id)):
        raise ReportError(f"identifiant de pharmacie invalide : « {pharmacie_id} »")
    exercice = exercise_of(exercice)
    pharmacies, mols = read_inputs(entree, molecules or None, parametres or None)
    mine = pharmacies[pharmacies["pharmacie_id"] == pharmacie_id]
    if mine.empty:
        ids = sorted(pharmacies["pharmacie_id"].unique())
        raise ReportError(f"pharmacie « {pharmacie_id} » absente de {Path(entree).name}{near_hint(pharmacie_id, ids)} "
                          f"(exemples : {', '.join(ids[:8])})")
    if int(exercice) not in set(mine["exercice"].astype(int)):
        years = ", ".join(map(str, sorted(mine["exercice"].astype(int))))
        raise ReportError(f"la pharmacie « {pharmacie_id} » n'a pas d'exercice {exercice} dans {Path(entree).name} "
                          f"(exercices : {years})")
    mols = mols if mols is not None else empty_molecules()
    mols = mols[mols["pharmacie_id"] == pharmacie_id]
    scenario = Scenario.read(parametres) if parametres else None
    mine = mine.reset_index(drop=True)
    params = parameters_for(mine["exercice"].unique(), scenario)
    all_lines = compute(mine, mols, params)
    lines = all_lines[all_lines["exercice"] == int(exercice)].reset_index(drop=True)
    row = mine[mine["exercice"] == int(exercice)].iloc[0]
    return Report(pharmacie_id, int(exercice), row, params[int(exercice)], lines, mine, mols, scenario, all_lines,
                  pharmacy_warnings(mine, mols[mols["exercice"] == int(exercice)], scenario)
                  + ([] if molecules else no_molecules_warning([exercice], scenario, given_by=MOLECULES_GIVEN_BY)),
                  molecules_given=bool(molecules))


# --------------------------------------------------------------------------------------------
# Small HTML pieces (the documents are HTML; tables are built here, escaped, without pandas' index)
# --------------------------------------------------------------------------------------------
class Html(str):
    """A fragment of HTML that the notebook displays as such."""

    def _repr_html_(self) -> str:
        return str(self)


def table(headers: list[str], rows: list[list], right: tuple[int, ...] = (), raw: tuple[int, ...] = ()) -> Html:
    """An HTML table; cells are escaped except the columns in `raw` (already HTML)."""
    def cell(tag, j, v):
        cls = ' class="montant"' if j in right else ""
        text = str(v) if j in raw else esc(v)
        return f"<{tag}{cls}>{text}</{tag}>"

    head = "".join(cell("th", j, h) for j, h in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", j, v) for j, v in enumerate(r)) + "</tr>" for r in rows)
    return Html(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def _link(href: str, text: str) -> str:
    return f'<a href="{escape_html(href)}">{esc(text)}</a>'


# --------------------------------------------------------------------------------------------
# Document header: title, navigation, scenario banner
# --------------------------------------------------------------------------------------------
def stem_of(theme: str | None) -> str:
    return SYNTHESE if theme is None else theme_of(theme).notebook


def document_title(rep: Report, theme: str | None = None) -> str:
    what = "synthèse" if theme is None else theme_of(theme).titre_court
    scen = f" — scénario {Path(rep.scenario.path).stem}" if rep.scenario else ""
    return f"ROSP {rep.exercice} — {rep.nom} — {what}{scen}"


def navigation(rep: Report, theme: str | None = None) -> Html:
    """Links to the synthesis and the six theme reports of the same pharmacy-year, the other exercises of
    the pharmacy and the index pages (layout of `rosp report`: <sortie>/<exercice>/<pharmacie_id>/)."""
    here = stem_of(theme)
    items = []
    for t in (None, *THEMES):
        label = "Synthèse" if t is None else theme_of(t).titre_court
        stem = stem_of(t)
        if stem == here:
            items.append(f"<strong>{esc(label)}</strong>")
        elif t is not None and theme_of(t).payment_leaf(rep.params) is None:  # no such theme this exercise: its page
            # only says so (review: a link to an empty page)
            items.append(f'<span title="{esc(f"thème sans objet pour l’exercice {rep.exercice}")}">{esc(label)} '
                         "(sans objet)</span>")
        else:
            items.append(_link(f"{stem}.html", label))
    years = []
    for y in rep.exercices:
        years.append(f"<strong>{y}</strong>" if y == rep.exercice
                     else _link(f"../../{y}/{rep.pharmacie_id}/{here}.html", str(y)))
    index = (_link("../../index.html", "Toutes les pharmacies") + " "
             + _link(f"../../pharmacies/{rep.pharmacie_id}.html", "Cette pharmacie"))
    return Html(f'<nav class="rosp-nav" aria-label="Rapports">{" ".join(items)}<br>'
                f'Exercices : {" ".join(years)} · {index}</nav>')


def scenario_changes(rep: Report) -> list[tuple[str, str, str, str]]:
    """The leaves the user's scenario changed this exercise: (key, label, reference value, scenario value)."""
    if rep.scenario is None:
        return []
    return leaf_changes(rep.params, rep.exercice)


def reference_leaves(exercice: int) -> dict:
    """The leaves of the tool's own parameters of an exercise (no scenario), by key."""
    return dict(iter_leaves(load_parameters(exercice)))


def leaf_changes(params: ExerciseParameters, exercice: int) -> list[tuple[str, str, str, str]]:
    """The leaves of `params` a scenario replaced: (key, label, reference value, scenario value)."""
    reference = reference_leaves(exercice)
    out = []
    for key, leaf in iter_leaves(params):
        if leaf is not None and leaf.surcharge:
            old = reference.get(key)
            out.append((key, leaf.libelle, leaf_text(old), leaf_text(leaf)))
    return out


def reference_value(rep: Report, key: str) -> str:
    """The value the tool's own parameters give a leaf a scenario replaced, as values are written, for Markdown."""
    return leaf_text(reference_leaves(rep.exercice).get(key), escape=escape_markdown_text)


def replaced(rep: Report, key: str) -> bool:
    """Whether the report's scenario gives the leaf another value than the tool's (one that writes the reference
    value again replaces nothing: the report speaks of it as without a scenario)."""
    leaf = rep.leaves.get(key)
    if leaf is None or not leaf.surcharge:
        return False
    reference = reference_leaves(rep.exercice).get(key)
    return reference is None or reference.valeur != leaf.valeur


def scenario_banner(rep: Report) -> str:
    if rep.scenario is None:
        return ""
    return scenario_banner_of(rep.scenario, {rep.exercice: scenario_changes(rep)})


def scenario_banner_of(scenario: Scenario, changes: dict[int, list], document: str = "ce rapport") -> str:
    """The banner of a document computed under a scenario: its file, its description and each value it replaced
    (`changes`: exercise → `leaf_changes`; grouped by exercise when there are several, as on the network view)."""
    def items(found):
        return "".join(f"<li>{esc(lib)} (<code>{esc(k)}</code>) : {esc(old)} → <strong>{esc(new)}</strong></li>"
                       for k, lib, old, new in found) or "<li>aucune valeur de cet exercice</li>"

    if len(changes) == 1:
        listed = f"<ul>{items(next(iter(changes.values())))}</ul>"
    else:
        listed = "<ul>" + "".join(f"<li>exercice {int(y)} :<ul>{items(found)}</ul></li>"
                                  for y, found in sorted(changes.items())) + "</ul>"
    described = f" ({esc(scenario.description)})" if scenario.description else ""
    return (f'<div class="rosp-banniere" role="note"><strong>Scénario « {esc(Path(scenario.path).name)} »</strong>'
            f"{described} : {document} n'est pas le calcul de référence. Valeurs remplacées :{listed}</div>")


def warnings_banner(rep: Report) -> str:
    """The input warnings of the pharmacy (`inputs.pharmacy_warnings`), as the console says them for a file."""
    if not rep.warnings:
        return ""
    items = "".join(f"<li>{esc(w)}</li>" for w in rep.warnings)
    return f'<div class="rosp-banniere" role="note"><strong>Avertissement sur les données lues</strong> :<ul>{items}</ul></div>'


def partial_year(rep: Report) -> tuple[str, str, int] | None:
    """The activity period when the titulaire was not active all year: (from, to, days)."""
    start, end = rep.row.get("debut_activite"), rep.row.get("fin_activite")
    if not (pd.notna(start) or pd.notna(end)):
        return None
    s = start if pd.notna(start) else pd.Timestamp(rep.exercice, 1, 1)
    e = end if pd.notna(end) else pd.Timestamp(rep.exercice, 12, 31)
    return s.strftime("%d/%m/%Y"), e.strftime("%d/%m/%Y"), int((e - s).days) + 1


def document_header(rep: Report, theme: str | None = None):
    """Displayed first by every report: the record the HTML exporter reads (title), the navigation, the
    scenario banner and the title."""
    from IPython.display import display

    title = document_title(rep, theme)
    heading = "Synthèse" if theme is None else theme_of(theme).titre
    body = (str(navigation(rep, theme)) + scenario_banner(rep) + warnings_banner(rep)
            + f"<h1>{esc(heading)}</h1><p><strong>{esc(rep.nom)}</strong> (<code>{esc(rep.pharmacie_id)}</code>), "
              f"exercice <strong>{rep.exercice}</strong>.</p>")
    record = {"titre": title, "pharmacie_id": rep.pharmacie_id, "exercice": rep.exercice,
              "theme": theme or SYNTHESIS, "nom": rep.nom,
              "scenario": Path(rep.scenario.path).name if rep.scenario else ""}
    display({DOCUMENT_MIME: record, "text/html": body, "text/plain": title}, raw=True)
    return record


# --------------------------------------------------------------------------------------------
# Lines: their inputs and their arithmetic
# --------------------------------------------------------------------------------------------
STATUT_LABELS = {"texte": "texte", "source": "source", "hypothese": "⚠ hypothèse"}
COLUMN_LABELS = COLUMN_WORDS  # (its name in the notebooks and report.gains)


def calcul_text(rep: Report, line: pd.Series) -> str:
    """The arithmetic of a line, its input values written in (`calculation.calculation`)."""
    return calculation(line, rep.leaves, rep.params)


def entries_text(line: pd.Series) -> str:
    return " ; ".join(f"{n} = {v}" for n, v in entries(line["entrees"]))


def missing_entries_text(line: pd.Series) -> str:
    """`entries_text`, each empty column also said in words (« nb_lecteurs_maj_carte_vitale = vide (déclaré :
    lecteurs de carte pouvant mettre à jour la carte Vitale) »): the cell to fill, for a reader who does not know
    the file's column names."""
    return " ; ".join(f"{n} = {v}" + (f" ({COLUMN_LABELS[n]})" if v == "vide" and n in COLUMN_LABELS else "")
                      for n, v in entries(line["entrees"]))


def unread_entries_text(rep: Report, line: pd.Series) -> str:
    """The input values of a line that its rule did not read this exercise (a neutralised indicator): those its
    alternative reading would read (the e-prescription rate, the ordonnance numérique rate), so that the euros at
    stake on it can be redone from the page. Empty when the line read its inputs or the indicator has none."""
    if line["atteint"] != NEUTRALISE:
        return ""
    if entries(line["entrees"]):  # a neutralised molecule keeps its row's values, which it did not read either
        return f"non lu cet exercice : {entries_text(line)}"
    shown = [f"{name} = {input_text(shown_value(rep.row.get(name), rep.row.get(name + EXACT_SUFFIX)))}"
             for name in indicator(line["indicateur"]).colonnes]  # as the lines' « entrees » write a value
    return f"non lu cet exercice : {' ; '.join(shown)}" if shown else ""


def line_label(line: pd.Series) -> str:
    """The line's title; a targeted molecule is named."""
    mol = dict(entries(line["entrees"])).get("molecule")
    return f"{line['libelle']} — {mol}" if mol else str(line["libelle"])


def indicator_table(rep: Report, lines: pd.DataFrame) -> Html:
    """The lines of a theme: each with the inputs it used and its arithmetic, so that each euro can be
    redone with a desk calculator."""
    rows = []
    for _, l in lines.iterrows():
        mark = " ⚠" if l["statut_regle"] == "hypothese" else ""
        rows.append([line_label(l) + mark, unread_entries_text(rep, l) or entries_text(l) or "—", l["seuil"] or "—",
                     l["atteint"],
                     eur(int(l["montant_cents"])), calcul_text(rep, l) or ""])
    return table(["Indicateur", "Entrées (données de l'officine)", "Seuil / barème", "Atteint", "Montant", "Calcul"],
                 rows, right=(4,))


def rules_list(rep: Report, theme: str) -> str:
    """The rules of the theme for this exercise, rendered from its parameters (Markdown), each value that is a
    hypothesis of the tool marked ⚠: not one the report's scenario replaced, nor one its scenario set aside by
    switching to its alternative reading (`alternative_cle`: the prime par boîte substituée under the « progression »
    reading, which pays the prime par boîte gagnée instead)."""

    read = {k for text in rep.theme_lines(theme)["hypotheses"] for k in list_items(text)}

    def marked(key: str, leaf) -> bool:
        # set aside: its switch replaced by the scenario, and no line of the pharmacy reads it (the prime par boîte
        # substituée under « progression »; the prime par boîte gagnée, which names the same switch, is read then)
        return (leaf.statut == "hypothese" and not replaced(rep, key)
                and not (leaf.alternative_cle and replaced(rep, leaf.alternative_cle) and key not in read))

    items = []
    for ind in indicators_of(theme):
        state = rep.etat(ind.code)
        if state == "absent":
            continue
        suffix = {"neutralise": " *(neutralisé cet exercice)*", "non_exige": " *(non exigé cet exercice)*"}.get(state, "")
        if state != "actif" and not rule_is_defined(ind, rep.params):  # nothing to pay this exercise, no rule to say
            items.append(f"- **{indicator_title(ind, rep.params)}**{suffix}")
            continue
        items.append(f"- **{indicator_title(ind, rep.params)}**{suffix} — {rule_text(ind, rep.params, marked)}")
    text = "\n".join(items)
    if HYPOTHESIS_MARK in text:
        where = ("voir « Hypothèses et données manquantes »" if theme_hypotheses(rep, theme) else
                 "aucune ligne de ce thème n'en dépend pour cette officine")
        text += ("\n\n⚠ : valeur retenue par l'outil là où les sources se taisent ou divergent (une hypothèse de "
                 f"lecture ; {where}).")
    return text


def sum_text(lines: pd.DataFrame) -> str:
    """The theme total as the addition a reviewer redoes by hand (non-zero lines only)."""
    cents = [int(c) for c in lines["montant_cents"] if int(c) != 0]
    total = sum(cents)
    if not cents:
        return f"Total du thème : {eur(0)} (aucune ligne ne paie)."
    if len(cents) == 1:  # one line: nothing to add up
        return f"Total du thème : **{eur(total)}** (une seule ligne paie)."
    parts = " ".join(("− " if c < 0 else "+ ") + eur(abs(c)) for c in cents).lstrip("+ ")
    return f"Total du thème : {parts} = **{eur(total)}**"


def _lost_socles(lines: pd.DataFrame) -> list[str]:
    codes: list[str] = []
    for text in lines["socles_non_atteints"]:
        for c in list_items(text):
            if c not in codes:
                codes.append(c)
    return codes


def gate_and_malus_text(rep: Report, lines: pd.DataFrame) -> str:
    """The socle gate and the malus, from the lines' structured columns."""
    out = []
    socles = lines[lines["type_ligne"] == "socle"]
    lost = _lost_socles(lines)
    if lost:
        names = ", ".join(f"« {indicator_title(indicator(c), rep.params)} »" for c in lost)
        # the lines whose amount the gate voided (their note says it), not every line of the theme: a neutralised
        # or unmet one lost nothing (PH-SEGUR 2026 read « 19 lignes concernées » for 8 amounts voided)
        would = lines[(lines["socles_non_atteints"] != "")
                      & lines["note"].astype(str).str.contains("socle non atteint (", regex=False)]
        out.append(f"**Socle non atteint** : {names}. Tout le thème est ramené à {eur(0)} "
                   f"({counted(len(would), 'ligne perd son montant', 'lignes perdent leur montant')} ; le détail est "
                   "dans la colonne « Calcul »).")
    elif len(socles):
        # every socle of the theme not required this exercise, from the registry: the exercice coordonné, not
        # required in 2022, is paid as an indicator there (its line is no « socle » line) and was left out (review)
        theme = str(lines["theme"].iloc[0])
        neut = [md(indicator_title(i, rep.params)) for i in indicators_of(theme)
                if i.type_ligne == "socle" and rep.etat(i.code) in ("neutralise", "non_exige")]
        txt = "**Socle atteint** : tous les indicateurs socles exigés sont remplis"
        if neut:
            txt += " (neutralisés ou non exigés cet exercice : " + ", ".join(neut) + ")"
        out.append(txt + ".")
    for _, m in lines[lines["type_ligne"] == "malus"].iterrows():
        out.append(f"**{m['libelle']}** : {calcul_text(rep, m) or m['atteint']} → ligne de {eur(int(m['montant_cents']))}.")
    return "\n\n".join(out)


def hypothesis_label(key: str, rep: Report) -> str:
    """A hypothesis leaf named for a reader: the indicator it belongs to, then the leaf's label
    (`rosp_lib.rulebook.hypothesis_label`, shared with the claim drafts and the network view)."""
    from rosp_lib.rulebook import hypothesis_label as label

    return label(key, rep.params)


def stake_for(rep: Report, key: str):
    """The alternative reading, switched alone, that replaces the hypothesis `key`: its own, or the one switched on
    the leaf its parameters name (`alternative_cle`: the prime par boîte substituée is replaced by the « progression »
    value of the reading's leaf); None if the tool has none."""
    stakes = rep.readings.stakes
    own = next((s for s in stakes if s.cle == key), None)
    if own is not None:
        return own
    other = getattr(rep.leaves.get(key), "alternative_cle", None)
    return next((s for s in stakes if s.cle == other), None) if other else None


def alternative_text(s, quoted: bool = True, alternative: str | None = None, also: str = "", params=None) -> str:
    """The alternative reading of a stake (in quotes; `alternative`: as the hypothesis it replaces words it), with the
    values it reads that the retained one does not (the prime par boîte gagnée of the « progression » reading):
    each euro of the écart can be redone; and the lines it leaves with missing data (`Stake.manquantes`, named from
    the exercise's `params`): the écart rests on them."""
    text = s.alternative if alternative is None else alternative
    parts = [", ".join(f"{lib} : {value}" for _, lib, value in s.lues)] if s.lues else []
    values = " ; ".join(parts + ([also] if also else []))
    out = (f"« {text} »" if quoted else text) + (f" ({values})" if values else "")
    return out + (f" — {missing_under(s, params)}" if params is not None and missing_under(s, params) else "")


def missing_under(s, params) -> str:
    """What a reading's écart rests on that the file does not give (`Stake.manquantes`), or ""."""
    if not getattr(s, "manquantes", ()):
        return ""
    names = ", ".join(f"« {indicator_title(indicator(c), params)} »" for c in s.manquantes)
    return f"sous cette lecture, donnée manquante : {names} ; l'écart en dépend (renseignée, la donnée pourrait le changer)"


def absent_by_hypothesis(rep: Report, theme: str | None = None) -> list[str]:
    """The state keys of the indicators (of `theme`, or of the exercise) that are absent this exercise by a
    hypothesis (the malus « qualité de la facturation » in 2022): no line reads them, yet the amount rests on them."""
    keys = []
    for ind in INDICATORS if theme is None else indicators_of(theme):
        key = f"{ind.noeud}.etat"
        leaf = rep.leaves.get(key)
        if leaf is not None and leaf.valeur == "absent" and leaf.statut == "hypothese" and key not in keys:
            keys.append(key)
    return keys


def theme_hypotheses(rep: Report, theme: str) -> list[str]:
    """The keys of the hypotheses the theme's amount rests on: those its lines name, and the indicators absent by a
    hypothesis."""
    keys: list[str] = []
    for text in rep.theme_lines(theme)["hypotheses"]:
        keys += [k for k in list_items(text) if k not in keys]
    return keys + [k for k in absent_by_hypothesis(rep, theme) if k not in keys]


def hypotheses_text(rep: Report, theme: str) -> str:
    """The hypotheses this theme's amount rests on, with the euros at stake on each (library recomputation)."""
    keys = theme_hypotheses(rep, theme)
    if not keys:
        return "Aucune ligne de ce thème ne repose sur une hypothèse de lecture."
    items = []
    for k in keys:
        leaf = rep.leaves.get(k)
        value = leaf_text(leaf, escape=escape_markdown_text)  # a scenario's list may hold names taken from the input
        s = stake_for(rep, k)
        if replaced(rep, k):  # the scenario chose another reading: the other one is then the reference
            items.append(f"- ⚠ **{hypothesis_label(k, rep)}** — lecture du scénario : {value} ; lecture "
                         f"retenue par l'outil : {reference_value(rep, k)} (le rapport sans scénario la chiffre).")
            continue
        if s is not None:
            # (a reading switched by another leaf: the synthesis names it by this hypothesis too, `stake_label`)
            what = escape_markdown_text(alternative_text(s, alternative=None if s.cle == k else leaf.alternative))
            # the missing data under that reading after the écart it makes: the sentence read « l'écart en dépend »
            # before saying any écart (review)
            missing = missing_under(s, rep.params)
            at_stake = (f"si elle seule est remplacée par {what}, le total de l'exercice change de "
                        f"**{eur_signed(s.ecart_cents)}**" + (f" ; {missing}" if missing else "") if s.ecart_cents
                        else f"remplacée par {what}, elle ne change rien pour cette officine")
        else:
            at_stake = f"alternative : {leaf.alternative if leaf is not None else '—'} (non chiffrée par l'outil)"
        items.append(f"- ⚠ **{hypothesis_label(k, rep)}** — lecture retenue : {value} ; {at_stake}.")
    return ("Ce thème repose sur ces **hypothèses** de lecture (les sources se taisent ou divergent) :\n\n"
            + "\n".join(items))




def missing_text(rep: Report, lines: pd.DataFrame, portee: str = "ce thème") -> str:
    """The lines with a missing input, each with what its rule did of it, from the line's own calculation: a
    missing rate may pay the lower of two amounts (hypothesis general.donnee_manquante_montant_bas), or nothing."""
    miss = lines[lines["donnee_manquante"].astype(bool)]
    absent = no_molecule_lines_text(rep, lines)
    if miss.empty:  # the molecules missing from their table are missing data too (« Aucune donnée manquante » then
        # told them, audit)
        return f"Données manquantes :\n\n- {absent}" if absent else f"Aucune donnée manquante pour {portee}."
    def outcome(line) -> str:
        """The line's calculation, ended by what it pays here when the calculation does not say it (« … si atteint »
        is the rule, not the amount of a line whose rate is missing): « donnée manquante → » and the amount."""
        calc, paid = calcul_text(rep, line), eur(int(line["montant_cents"]))
        verdict = f"{line['atteint']} → {paid}"
        if not calc:
            return md(verdict)
        return md(calc) if calc.rstrip(").").endswith(paid) else f"{md(calc)} ; ici : {md(verdict)}"

    items = "\n".join(f"- **{md(line_label(l))}** : {md(missing_entries_text(l)) or 'donnée absente'} — {outcome(l)}"
                      for _, l in miss.iterrows())
    return ("Données manquantes (ce n'est pas une erreur ; chaque ligne dit ce que sa règle fait de la donnée "
            "absente, et ce qu'elle paie) :\n\n" + items + (f"\n- {absent}" if absent else ""))


def no_molecule_lines_text(rep: Report, lines: pd.DataFrame) -> str:
    """The targeted-molecule premium is in force this exercise, a molecules table was given, and it holds no line of
    this pharmacy for the exercise: the premium has no line in the report (one line per molecule), so the page says
    it and what it pays, which nothing else would (a table with its header alone included). Empty otherwise."""
    ind = rep.params.bups.molecules_ciblees
    bups = lines[lines["theme"] == "bups"]
    if not rep.molecules_given or bups.empty or not ind.actif or (bups["indicateur"] == "molecules_ciblees").any():
        return ""
    name = md(indicator_title(indicator("molecules_ciblees"), rep.params))
    return (f"**{name}** : la table des molécules ciblées n'a aucune ligne de cette officine pour l'exercice "
            f"{rep.exercice} ; leur prime compte {eur(0)} (ajoutez ses lignes — molécule, boîtes, taux de départ et "
            "d'arrivée — si l'officine en a délivré).")


def _documents(rep: Report, code: str) -> list:
    """The public documents the parameters of an indicator cite (its own references, then those it cites beside)."""
    node = indicator(code).noeud + "."
    docs: list = []
    for key, leaf in rep.leaves.items():
        if key.startswith(node):
            for doc in (leaf.reference.document, *leaf.reference._others):  # noqa: SLF001 - the resolved « voir aussi »
                if doc not in docs:
                    docs.append(doc)
    return docs


def sources_text(rep: Report, lines: pd.DataFrame) -> str:
    """Where each line's rule comes from: the public documents its parameters cite (title, publisher, date, address
    when it is online), each with the lines that rest on it, and the status of each line (Markdown)."""
    if lines.empty:
        return ""
    cited: list = []
    users: dict[int, list[str]] = {}
    statuses: dict[str, list[str]] = {}
    for _, l in lines.iterrows():
        label = md(line_label(l))
        statuses.setdefault(str(l["statut_regle"]), [])
        if label not in statuses[str(l["statut_regle"])]:
            statuses[str(l["statut_regle"])].append(label)
        for doc in _documents(rep, l["indicateur"]):
            if doc not in cited:
                cited.append(doc)
            names = users.setdefault(cited.index(doc), [])
            title = md(str(l["libelle"]))
            if title not in names:
                names.append(title)
    items, own = [], []
    for i, doc in enumerate(cited):
        where = f" — <{doc.url}>" if doc.url else ""
        if doc.nature == "projet":  # the tool's own rule book, where the texts are silent: not a public document
            own.append(f"{md(doc.citation)} ; pour : {', '.join(users[i])}.")
        else:
            items.append(f"{len(items) + 1}. {md(doc.citation)}{where} ; pour : {', '.join(users[i])}.")
    status = "\n".join(f"- **{STATUTS_TEXTE[k]}** : {', '.join(v)}" for k, v in statuses.items() if k in STATUTS_TEXTE)
    public = ("Les documents publics d'où viennent les montants, seuils et dates de ce thème pour cet exercice (cités par "
              "les paramètres de ses indicateurs, y compris ceux d'une lecture qu'une ligne n'a pas eu à faire) :\n\n"
              + "\n".join(items)) if items else "Aucun document public n'est cité par les paramètres de ce thème."
    choices = ("\n\nChoix propres à l'outil, là où ces documents se taisent (ce ne sont pas des sources publiques) : "
               + " ".join(own)) if own else ""
    return public + choices + "\n\nStatut de chaque ligne (le plus faible des paramètres qu'elle a lus) :\n\n" + status


def header_text(rep: Report, theme: str) -> str:
    info = theme_of(theme)
    if not rep.applies(theme):
        return narrative.not_applicable(info.titre, rep.exercice)
    period = ""
    p = partial_year(rep)
    if p:
        period = f"\n\nActivité du titulaire sur l'exercice : du {p[0]} au {p[1]} ({narrative.days(p[2])}, exercice partiel). {cession_text(rep)}"
    has_malus = info.malus is not None and state(rep.params, indicator(info.malus[0])) == "actif"
    no_malus = ""
    if info.malus is not None and not has_malus:
        # no malus this exercise: said when that is a reading of the tool's (2022's billing malus, no published
        # target), which no line shows otherwise (audit)
        etat = find_leaf(rep.params, indicator(info.malus[0]).noeud, "etat")
        if etat is not None and etat.statut == "hypothese":
            name = indicator_title(indicator(info.malus[0]), rep.params)
            no_malus = (f" Pas de {md(name[:1].lower() + name[1:])} cet exercice "
                        f"(lecture de l'outil,{HYPOTHESIS_MARK} hypothèse ; alternative : « {md(etat.alternative)} »).")
    return (f"**Total du thème : {eur(rep.theme_total_cents(theme))}** — {theme_reason(rep, theme)}\n\n"
            f"**Ce que le thème récompense** : {info.rewards(has_malus)}{no_malus}\n\n"
            f"**Comment c'est connu** : {info.measured(has_malus, rep.exercice)}\n\n**Versement** : "
            f"{payment_text(rep, theme)}.{period}")


def payment_text(rep: Report, theme: str, short: bool = False) -> str:
    """When the theme of the report's exercise is paid (`calendrier.versement.<thème>`), marked when the date is a
    hypothesis of the tool (no published date), with its other reading (`short`: only marked, for a table's cell), or
    a scenario's."""
    info = theme_of(theme)
    text = info.versement_of(rep.params)
    key = f"calendrier.versement.{theme}"
    leaf = info.payment_leaf(rep.params)
    if replaced(rep, key):
        return text + f" (date du scénario ; celle de l'outil : {reference_value(rep, key)})"
    if leaf.statut == "hypothese":
        if short:
            return text + f"{HYPOTHESIS_MARK} (date incertaine : hypothèse de l'outil)"
        return text + f" (date retenue par l'outil,{HYPOTHESIS_MARK} hypothèse ; autre lecture : « {md(leaf.alternative)} »)"
    return text


def declarations(rep: Report, theme: str) -> list[str]:
    """What is declared on amelipro for this theme this exercise (active declarative indicators), ended by the
    attestation sur l'honneur that closes any declaration; nothing when none is declared. The synthesis's calendar
    left the attestation out where the theme report listed it (audit)."""
    items = [i.declaration for i in indicators_of(theme) if i.declaratif and rep.etat(i.code) in ("actif", "non_exige")]
    return [*items, narrative.ATTESTATION] if items else []


def declaration_window(rep: Report) -> str:
    """The declaration deadline of the exercise, from its parameters (calendrier.fin_declaration)."""
    try:
        leaf = find_leaf(rep.params, "calendrier", "fin_declaration")
    except KeyError:
        leaf = None
    if leaf is None:
        return narrative.declaration_window(rep.exercice)
    start = rep.params.calendrier.debut_declaration
    text = (f"du {leaf_text(start)} au {leaf_text(leaf)} inclus" if start is not None and not replaced(
        rep, "calendrier.fin_declaration") else f"jusqu'au {leaf_text(leaf)} inclus")
    if replaced(rep, "calendrier.fin_declaration"):  # the scenario's date: the other one is the reference
        text += f" (date du scénario ; celle de l'outil : {reference_value(rep, 'calendrier.fin_declaration')})"
    elif leaf.statut == "hypothese":
        text += (f" (⚠ hypothèse : date non publiée pour cet exercice ; autre lecture : {leaf.alternative}) — "
                 "vérifiez-la sur amelipro avant de déclarer")
    return text


def declaration_text(rep: Report, theme: str) -> str:
    info = theme_of(theme)
    if not rep.applies(theme):
        return narrative.not_applicable(info.titre, rep.exercice)
    items = declarations(rep, theme)
    if not items:
        return f"**À déclarer sur amelipro** : rien — {automatic_text(rep, theme)}"
    neut = [indicator_title(i, rep.params) for i in indicators_of(theme)
            if i.declaratif and rep.etat(i.code) == "neutralise"]  # (a socle not required is declared: paid if met)
    lines = "\n".join(f"- {d}" for d in items)
    neut_text = ("\n\nNe pas déclarer (" + narrative.NEUTRALISE + ") : " + ", ".join(neut) + ".") if neut else ""
    # the documents proving an indicator in force this exercise (no Ségur invoice in 2022, when the socle is absent)
    just = "\n".join(f"- {p.texte}" for p in info.pieces
                     if any(rep.etat(c) in ("actif", "non_exige") for c in p.indicateurs)) or "- aucun"
    return (f"**À déclarer sur amelipro** ({narrative.DECLARATION_PATH}) :\n\n{lines}{neut_text}\n\n"
            f"**Fenêtre de déclaration** : {declaration_window(rep)}.\n\n"
            f"**Justificatifs à conserver** (contrôle a posteriori) :\n\n{just}\n\n"
            f"**Automatique** : {automatic_text(rep, theme)}\n\n{cession_text(rep)}")


def automatic_text(rep: Report, theme: str) -> str:
    """What the Assurance Maladie measures itself for the theme this exercise: the items of `Theme.mesures` with an
    indicator in force (the e-prescription was listed in the exercises it is neutralised, ASAFO-Pharma before it
    existed: review), or the theme's own sentence."""
    info = theme_of(theme)
    if not info.mesures:
        return info.automatique
    items = [m.texte for m in info.mesures if any(rep.etat(c) in ("actif", "non_exige") for c in m.indicateurs)]
    return f"{french_list(items)} : mesurés automatiquement." if items else "rien n'est mesuré automatiquement."


def cession_text(rep: Report) -> str:
    general = rep.params.general
    per_act = tuple(indicator_title(i, rep.params) for i in INDICATORS
                    if i.par_acte and rep.etat(i.code) in ("actif", "non_exige"))
    return narrative.cession(bool(general.prorata_forfaits.valeur),
                             bool(general.prorata_carte_vitale_dispositif_2024.valeur), per_act)


def _value_for(line: pd.Series) -> str:
    """« 88 ; seuil : » before a line's threshold, a number with every digit typed; « seuil : » alone when the line
    shows no value (a count of tranches). « X pour > X » read as if X met « > X » (audit)."""
    v = line["valeur"]
    if v is None or (isinstance(v, float) and v != v) or v == "":
        return "seuil : "
    number = isinstance(v, (int, float, Decimal, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
    return f"{num_exact(v) if number else v} ; seuil : "


def theme_reason(rep: Report, theme: str, synthesis: bool = False) -> str:
    """One sentence: why the theme pays what it pays (`synthesis`: said in the synthesis, whose sections are not the
    theme report's)."""
    if not rep.applies(theme):
        return f"n'existe pas pour l'exercice {rep.exercice}."
    lines = rep.theme_lines(theme)
    lost = _lost_socles(lines)
    if lost:
        names = ", ".join(f"« {indicator_title(indicator(c), rep.params)} »" for c in lost)
        return f"socle non atteint ({names}) : tout le thème est ramené à {eur(0)}."
    paying = lines[lines["type_ligne"].isin(["indicateur", "socle"])]
    if len(paying) and all(rep.etat(c) == "neutralise" for c in paying["indicateur"]):
        return "tous les indicateurs sont neutralisés cet exercice."
    parts = []
    n_paid = int((paying["montant_cents"] > 0).sum())
    # out of the lines that could pay: a socle met that pays nothing of its own (Ségur, fraude) and an indicator
    # neutralised this exercise never pay (« 11 sur 16 » read as 5 payments missed)
    neutralised = paying["indicateur"].map(lambda c: rep.etat(c) == "neutralise").to_numpy(dtype=bool)
    free_socle = ((paying["type_ligne"] == "socle") & (paying["montant_cents"] == 0)).to_numpy(dtype=bool) & ~neutralised
    n_free, n_neutralised = int(free_socle.sum()), int(neutralised.sum())
    outside = [counted(n_free, "socle atteint sans montant propre", "socles atteints sans montant propre")] \
        if n_free else []
    outside += [counted(n_neutralised, "indicateur neutralisé cet exercice", "indicateurs neutralisés cet exercice")] \
        if n_neutralised else []
    # the malus and information lines of the same table, each kind by its name (« de malus ou pour information »
    # read as if the colorectal theme had a malus)
    n_malus = int((lines["type_ligne"] == "malus").sum())
    others = [counted(n_malus, "ligne de malus", "lignes de malus")] if n_malus else []
    if len(lines) - len(paying) - n_malus:
        others.append(counted(len(lines) - len(paying) - n_malus, "ligne pour information", "lignes pour information"))
    parts.append(counted(n_paid, "ligne d'indicateur payée", "lignes d'indicateur payées")
                 + f" sur {num(len(paying) - n_free - n_neutralised)}"
                 + (f" (hors {french_list(outside)})" if outside else ""))
    if others:
        parts.append(f"le tableau des lignes compte aussi {french_list(others)}")
    if n_paid == 0:
        missed = paying[(paying["atteint"] == "non") & ~paying["donnee_manquante"].astype(bool)]
        parts += [f"non atteint : {md(line_label(l))} ({_value_for(l)}{l['seuil']})" for _, l in missed.iterrows()]
    for _, m in lines[(lines["type_ligne"] == "malus") & (lines["montant_cents"] != 0)].iterrows():
        parts.append(f"{m['libelle']} : {calcul_text(rep, m).split(' ; ')[0]}")
    p = partial_year(rep)
    if p and lines["note"].str.contains("prorat", na=False).any():
        parts.append(f"forfaits au prorata de l'activité ({narrative.days(p[2])}, du {p[0]} au {p[1]})")
    miss = int(lines["donnee_manquante"].astype(bool).sum())
    if miss:
        # the synthesis has no such section: it is the theme report's (review)
        where = " du rapport du thème" if synthesis else ""
        parts.append(f"{counted(miss, 'ligne avec une donnée manquante', 'lignes avec une donnée manquante')} (ce "
                     f"que chacune en fait : section « Hypothèses et données manquantes »{where})")
    return " ; ".join(parts) + "."


# --------------------------------------------------------------------------------------------
# Distances to thresholds: the line's value (from the library) against the threshold leaf of its node
# --------------------------------------------------------------------------------------------
def _threshold(rep: Report, code: str, value=None) -> Seuil | None:
    """The threshold a line's value is measured against: with tiers (the two of stabilité), the most demanding one
    the value meets — the tier that pays —, else the least demanding one (the first to reach)."""
    node = indicator(code).noeud
    prefix = node + "."
    seuils = [leaf for k, leaf in rep.leaves.items()
              if k.startswith(prefix) and "." not in k[len(prefix):] and isinstance(leaf, Seuil)]
    if not seuils:
        return None
    upward = seuils[0].comparaison in (">=", ">")  # a higher value is better
    exact = value if value is None or isinstance(value, Decimal) else Decimal(str(value))
    met = [] if exact is None else [s for s in seuils if COMPARISONS[s.comparaison](exact, s.valeur)]
    if met:
        return max(met, key=lambda s: s.valeur) if upward else min(met, key=lambda s: s.valeur)
    return min(seuils, key=lambda s: s.valeur) if upward else max(seuils, key=lambda s: s.valeur)


def distances(rep: Report, theme: str) -> pd.DataFrame:
    """Value, threshold and gap (value − threshold) of each active line whose value is a number and whose
    parameter node has a threshold (with tiers, the one that pays, see `_threshold`)."""
    rows = []
    for _, l in rep.theme_lines(theme).iterrows():
        v = l["valeur"]
        if l["type_ligne"] not in ("indicateur", "socle") or rep.etat(l["indicateur"]) != "actif":
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float, Decimal, np.integer, np.floating)) or pd.isna(v):
            continue
        seuil = _threshold(rep, l["indicateur"], v)
        if seuil is None:
            continue
        # an exact rate (a Decimal: its float misstates it) stays exact: 84,99999999999999999 is below 85
        gap = float(v - seuil.valeur) if isinstance(v, Decimal) else float(v) - float(seuil.valeur)
        rows.append({"indicateur": l["indicateur"], "libelle": line_label(l),
                     "valeur": v if isinstance(v, Decimal) else float(v),
                     "seuil": float(seuil.valeur), "comparaison": seuil.symbole, "ecart": gap})
    return pd.DataFrame(rows, columns=["indicateur", "libelle", "valeur", "seuil", "comparaison", "ecart"])


# --------------------------------------------------------------------------------------------
# Charts: one bar per line, each label drawn by its own bar (bar_label), French titles
# --------------------------------------------------------------------------------------------
def _wrap(text: str, width: int = 42) -> str:
    """A chart label: wrapped, and each `$` escaped — matplotlib reads `$…$` as mathematics, and a molecule
    named « $$x$$ » made the BUPS report fail (audit)."""
    import textwrap

    text = str(text).replace("$", r"\$")
    return "\n".join(textwrap.wrap(text, width)) or text


def _height(labels: list[str]) -> float:
    """Figure height in inches: 0,3 per bar, more for each wrapped line of a label (two-line labels of
    neighbouring bars touched at 0,3 per bar), and room for the title and the axis."""
    extra = sum(label.count("\n") for label in labels)
    return 0.3 * max(len(labels), 2) + 0.12 * extra + 0.9


# Pixels per inch of the report charts: matplotlib's default, that of the network view's charts. At 72 (one pixel per
# point) the 7,5-inch charts were 540 pixels wide in a 1 000-pixel page, their 8-point labels 8 pixels high.
CHART_DPI = 100


def _fit(fig) -> None:
    """Margins that just hold the tick labels, the axis label and the title of a one-axes bar chart.

    What `fig.tight_layout()` finds for these charts, measured on the labels outside the axes only: tight_layout
    measures every artist of the figure (each bar label, each tick) and cost 0,10 s of CPU per chart, a third of
    the chart's cost in a report (measured 2026-12-01 with matplotlib 3.10; benchmarks/README.md). The metrics
    measured here are the ones `savefig` uses next (matplotlib's text cache)."""
    import matplotlib

    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    width, height = fig.get_size_inches() * fig.dpi
    pt = fig.dpi / 72
    pad = 1.08 * 10 * pt  # tight_layout's default pad: 1,08 × the font size
    tick = ax.yaxis.get_major_ticks()[0] if ax.get_yticks().size else None
    tick_room = (tick.get_tick_padding() + tick.get_pad()) * pt if tick is not None else 0.0  # points → pixels

    def size(texts) -> tuple[float, float]:
        boxes = [t.get_window_extent(renderer) for t in texts if t.get_visible() and t.get_text()]
        return max((b.width for b in boxes), default=0.0), max((b.height for b in boxes), default=0.0)

    # A title stands on the baseline of its last line, `titlepad` above the axes: only its height above that baseline
    # needs room (its whole box, less the descent of its last line).
    def above_baseline(t) -> float:
        box = t.get_window_extent(renderer)
        try:  # the descent matplotlib's own layout puts under that baseline (lines, « $x$ », minimum line height)
            descent = t._get_layout(renderer)[2]  # noqa: SLF001 - no public accessor
        except (AttributeError, IndexError, TypeError):  # another matplotlib: the descent of the last line
            last = t.get_text().split("\n")[-1]
            descent = renderer.get_text_width_height_descent(last, t.get_fontproperties(), ismath=False)[2]
        return box.height - descent

    titles = [t for t in (ax.title, getattr(ax, "_left_title", None), getattr(ax, "_right_title", None))
              if t is not None and t.get_visible() and t.get_text()]
    title = max(map(above_baseline, titles), default=0.0)
    top = pad + (title + matplotlib.rcParams["axes.titlepad"] * pt if title else 0.0)
    if not ax.axison:  # the « nothing to show » chart: a sentence in the middle, under its title
        fig.subplots_adjust(left=pad / width, right=1 - pad / width, top=1 - top / height)
        return
    y_labels, _ = size(ax.get_yticklabels())
    x_label_w, x_labels = size(ax.get_xticklabels())
    _, x_title = size([ax.xaxis.label])
    left = pad + max(y_labels + tick_room, x_label_w / 2)  # the first x tick label is centred on the axis start
    bottom = pad + x_labels + tick_room + (x_title + ax.xaxis.labelpad * pt if x_title else 0.0)
    right = pad + x_label_w / 2  # the last x tick label is centred on the axis end
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height)


def chart_amounts(lines: pd.DataFrame, title: str = "Montant de chaque ligne"):
    """One horizontal bar per line (each molecule its own bar), its amount written at its end."""
    import matplotlib.pyplot as plt

    shown = lines[lines["type_ligne"] != "information"]
    labels = [_wrap(line_label(l)) for _, l in shown.iterrows()]
    cents = [int(c) for c in shown["montant_cents"]]
    if not any(cents):  # bars of zero length say nothing: said in words (as `chart_distances` does)
        fig, ax = plt.subplots(figsize=(7.5, 1.2), dpi=CHART_DPI)
        _said_instead(ax, f"Toutes les lignes de ce thème valent {eur(0)} : aucune barre à tracer" if cents else
                      "Aucune ligne de montant pour ce thème et cet exercice")
        ax.set_title(title, fontsize=10, loc="left")
        _fit(fig)
        return fig
    fig, ax = plt.subplots(figsize=(7.5, _height(labels)), dpi=CHART_DPI)
    y = np.arange(len(labels))[::-1]
    colors = ["#b03a2e" if c < 0 else "#2e6fa8" for c in cents]
    bars = ax.barh(y, [c / 100 for c in cents], color=colors, height=0.6)
    texts = ax.bar_label(bars, labels=[eur(c) for c in cents], padding=3, fontsize=8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.axvline(0, color="black", linewidth=0.8)
    lo = min([0] + [c / 100 for c in cents])
    hi = max([0] + [c / 100 for c in cents])
    span = (hi - lo) or 1
    ax.set_xlim(lo - (0.25 * span if lo < 0 else 0), hi + 0.3 * span)
    ax.set_xlabel("euros")
    ax.set_title(title, fontsize=10, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    french_ticks(ax.xaxis)
    _fit(fig)
    # a malus's label, written left of its bar, ran over the axis and its tick labels (its minus read as a cross)
    _room_for_labels(ax, texts, np.array([c / 100 for c in cents], dtype=float))
    return fig


def _said_instead(ax, text: str) -> None:
    """A chart with nothing to draw: its axes replaced by the sentence that says why."""
    ax.text(0.5, 0.5, text, ha="center", va="center")
    ax.set_axis_off()


def _chart_value(value) -> str:
    """A value by its bar: to the hundredth; an exact rate whose float misstates it (a Decimal) with every digit,
    « 84,99999999999999999 » and not « 85 » beside a bar below the threshold."""
    return num_exact(value) if isinstance(value, Decimal) else num(round(value, 2))


def chart_distances(dist: pd.DataFrame, title: str = "Distance au seuil (valeur − seuil)"):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, _height([_wrap(t) for t in dist["libelle"]])), dpi=CHART_DPI)
    if dist.empty:
        _said_instead(ax, "Aucun seuil chiffré actif pour ce thème et cet exercice")
    else:
        y = np.arange(len(dist))[::-1]
        colors = ["#2e8b57" if e >= 0 else "#d35400" for e in dist["ecart"]]
        bars = ax.barh(y, dist["ecart"], color=colors, height=0.6)
        texts = ax.bar_label(bars, labels=[f"{_chart_value(r.valeur)} pour {r.comparaison} {num(r.seuil)}"
                                           for r in dist.itertuples()], padding=3, fontsize=8)
        ax.set_yticks(y, [_wrap(t) for t in dist["libelle"]], fontsize=8)
        ax.axvline(0, color="black", linewidth=0.8)
        lo, hi = min(0, dist["ecart"].min()), max(0, dist["ecart"].max())
        span = (hi - lo) or 1
        ax.set_xlim(lo - 0.6 * span if lo < 0 else lo - 0.05 * span, hi + 0.6 * span)
        ax.set_xlabel("au-dessus (+) ou au-dessous (−) du seuil, dans l'unité du seuil")
        ax.spines[["top", "right"]].set_visible(False)
        french_ticks(ax.xaxis)
    ax.set_title(title, fontsize=10, loc="left")
    _fit(fig)
    if not dist.empty:
        _room_for_labels(ax, texts, dist["ecart"].to_numpy(dtype=float))
    return fig


def _room_for_labels(ax, texts, ends: np.ndarray, pad_points: float = 3.0) -> None:
    """Widen the x range so that each bar's label, written beyond its end, stays inside the axes: a long label
    (a rate typed with many digits) went over the tick labels. The labels' widths in pixels do not depend on the
    range, the data per pixel does: a few rounds settle it."""
    renderer = ax.figure.canvas.get_renderer()
    widths = np.array([t.get_window_extent(renderer).width for t in texts])
    room = widths + pad_points * ax.figure.dpi / 72 + 6.0  # the label, its padding and a few pixels
    axis = ax.get_window_extent(renderer).width
    lo, hi = ax.get_xlim()
    for _ in range(4):
        per_pixel = (hi - lo) / axis
        new_lo = min(lo, float(np.min(np.where(ends < 0, ends - room * per_pixel, lo))))
        new_hi = max(hi, float(np.max(np.where(ends >= 0, ends + room * per_pixel, hi))))
        if (new_lo, new_hi) == (lo, hi):
            break
        lo, hi = new_lo, new_hi
    ax.set_xlim(lo, hi)


def chart_themes(totals: dict[str, int], title: str = "Montant par thème"):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 2.8), dpi=CHART_DPI)
    names = list(totals)
    y = np.arange(len(names))[::-1]
    vals = [totals[t] / 100 for t in names]
    bars = ax.barh(y, vals, color="#2e6fa8", height=0.6)
    ax.bar_label(bars, labels=[eur(totals[t]) for t in names], padding=3, fontsize=8)
    ax.set_yticks(y, [theme_of(t).titre_court for t in names], fontsize=8)
    ax.set_xlim(min(0, min(vals)), max(vals + [1]) * 1.3)
    ax.set_xlabel("euros")
    ax.set_title(title, fontsize=10, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    french_ticks(ax.xaxis)
    _fit(fig)
    return fig


def png(fig):
    """The chart as a PNG image to display, rendered once and closed.

    The charts are already laid out (`_fit`); `plt.show()` in a notebook would render each twice more
    (the inline backend crops the image with `bbox_inches="tight"`): measured in a kept kernel, about 0,1 to
    0,2 s of CPU per report with charts, out of 0,5 to 0,7 s for the notebook's own code."""
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image

    titles = [t for t in [fig.get_suptitle()] + [t for ax in fig.axes for t in (ax.get_title(loc="left"), ax.get_title())]
              if t]
    alt = "Graphique : " + " ; ".join(titles) if titles else "Graphique"  # the page's text for the image (accessibility)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs={"compress_level": 3})  # zlib level 3: faster and smaller than the default here
    plt.close(fig)
    return Image(data=buf.getvalue(), format="png", metadata={"alt": alt})


def bar_labels(fig) -> list[tuple[str, str]]:
    """(tick label, value label) of each bar of a chart, top to bottom, read back from the figure.

    A value label counts only if it is anchored at its own bar: same height, at the bar's end."""
    ax = fig.axes[0]
    ticks = {round(float(y), 6): t.get_text().replace("\n", " ").replace(r"\$", "$")  # as shown (see _wrap)
             for y, t in zip(ax.get_yticks(), ax.get_yticklabels())}
    notes = {round(float(t.xy[1]), 6): t for t in ax.texts if getattr(t, "xy", None) is not None}
    out = []
    for patch in ax.patches:
        yc = round(patch.get_y() + patch.get_height() / 2, 6)
        note = notes.get(yc)
        end = patch.get_x() + patch.get_width()
        text = note.get_text() if note is not None and abs(float(note.xy[0]) - end) < 1e-9 else ""
        out.append((ticks.get(yc, ""), text, yc))
    out.sort(key=lambda r: -r[2])
    return [(a, b) for a, b, _ in out]


# --------------------------------------------------------------------------------------------
# Synthesis
# --------------------------------------------------------------------------------------------
def themes_table(rep: Report) -> Html:
    """Each theme: its amount and one sentence why, linked to its report."""
    rows = [[_link(f"{theme_of(t).notebook}.html", theme_of(t).titre_court),
             eur(rep.theme_total_cents(t)) if rep.applies(t) else ABSENT, theme_reason(rep, t, synthesis=True)]
            for t in THEMES]
    rows.append(["<strong>Total</strong>", f"<strong>{eur(rep.total_cents())}</strong>", ""])
    return table(["Thème", "Montant", "Pourquoi"], rows, right=(1,), raw=(0, 1, 2))


def total_text(rep: Report) -> str:
    """The pharmacy's total as the addition of its theme totals."""
    cents = [rep.theme_total_cents(t) for t in THEMES]
    parts = " + ".join(f"{eur(c)} ({theme_of(t).titre_court})" for t, c in zip(THEMES, cents) if c)
    return f"Total de l'exercice : {parts or eur(0)} = **{eur(sum(cents))}**"


def readings_text(rep: Report) -> str:
    """How sure: the total under the reference readings and under all alternative readings."""
    r = rep.readings
    # the totals of the readings computed: the retained ones, all the alternatives together, and each one alone
    # (one alone may go further than all together: PH-GARE 2024's molecules read as boxes gained, beside a lost socle)
    totals = [r.reference_cents, r.alternative_cents] + [r.reference_cents + s.ecart_cents for s in r.stakes]
    lo, hi = min(totals), max(totals)
    text = (f"**Total avec les lectures retenues : {eur(r.reference_cents)}** ; avec toutes les lectures "
            f"alternatives : **{eur(r.alternative_cents)}** (écart {eur_signed(r.alternative_cents - r.reference_cents)}). "
            + (f"Selon la lecture des textes retenue, le montant va de {eur(lo)} à {eur(hi)} parmi les lectures chiffrées "
               "ici (chaque lecture alternative seule, ou toutes ensemble) ; d'autres combinaisons de lectures peuvent "
               "sortir de cet intervalle." if lo != hi
               else "Seules ou toutes ensemble, les lectures alternatives ne changent donc pas le montant."))
    if rep.scenario:
        text += f" Les lectures « retenues » ici sont celles du scénario {Path(rep.scenario.path).name}"
        if r.outil_cents is not None:
            text += (f" ; sans ce scénario, avec les lectures retenues par l'outil, le total est de {eur(r.outil_cents)}"
                     + (" (hors de cet intervalle)" if lo != hi and not lo <= r.outil_cents <= hi else ""))
        text += "."
    return text


def stakes_table(rep: Report) -> Html:
    """Each hypothesis that moves this pharmacy's amount, alone, ranked by the euros at stake (a sentence, shown
    as text rather than as a quoted string, when none does)."""
    moving = rep.readings.moving
    if not moving:
        return Html("<p>Aucune hypothèse, remplacée seule par son alternative, ne change le montant de cette "
                    "officine.</p>")
    rows = [[stake_label(rep, s), stake_reference(rep, s), alternative_text(s, quoted=False, params=rep.params),
             ", ".join(theme_of(t).titre_court for t in s.themes), eur_signed(s.ecart_cents)] for s in moving]
    # its lead-in here, said only above a table (it announced « Aucune hypothèse… » with a colon)
    return Html("<p>Chaque hypothèse qui change le montant quand elle seule est remplacée par sa lecture alternative, "
                "de la plus lourde à la plus légère :</p>"
                + str(table(["Hypothèse", "Lecture retenue", "Lecture alternative", "Thème(s)", "Écart sur le total"],
                            rows, right=(4,))))


def _stands_for(rep: Report, s) -> str | None:
    """The hypothesis leaf whose alternative the reading at stake `s` is (`alternative_cle`), if it is another's —
    not when the scenario already reads `s` as its alternative: the retained reading is then the scenario's, which
    reads another leaf (the prime par boîte gagnée under « progression »), and the stake is the reading itself
    (review: the prime par boîte substituée was said retained under a scenario reading boxes gained)."""
    if replaced(rep, s.cle):
        return None
    return next((k for k, leaf in rep.leaves.items()
                 if getattr(leaf, "alternative_cle", None) == s.cle and leaf.statut == "hypothese"), None)


def stake_reference(rep: Report, s) -> str:
    """The value retained of the hypothesis a reading at stake stands for, as the theme report says it (the premium per
    box there, « boîtes substituées » in the synthesis: two values for one hypothesis, review)."""
    k = _stands_for(rep, s)
    return leaf_text(rep.leaves[k]) if k is not None else s.reference


def stake_label(rep: Report, s) -> str:
    """A reading at stake named as the hypothesis it stands for: the leaf whose alternative it is (`alternative_cle`:
    the prime par boîte substituée, a hypothesis whose alternative is the « progression » reading), else its own leaf.
    The synthesis named it « Lecture du calcul par molécule » and its gains « Prime par boîte substituée »: one
    hypothesis, two names on one page (review)."""
    return hypothesis_label(_stands_for(rep, s) or s.cle, rep)


def unquantified_text(rep: Report) -> str:
    """Hypotheses the lines rest on whose alternative is not a value the tool can compute."""
    used: list[str] = []
    for text in rep.lines["hypotheses"]:
        used += [k for k in list_items(text) if k not in used]
    used += [k for k in absent_by_hypothesis(rep) if k not in used]
    sans = [(k, lib, alt) for k, lib, alt in rep.readings.sans_alternative
            if k in used and stake_for(rep, k) is None]  # the prime par boîte: priced by the « progression » reading
    if not sans:
        return ""
    items = "\n".join(f"- {hypothesis_label(k, rep)} — alternative : {alt}" for k, _, alt in sans)
    return ("Hypothèses dont l'alternative n'est pas chiffrable par l'outil (aucune valeur publiée pour l'alternative) ; "
            "les lignes concernées sont marquées ⚠ dans les rapports des thèmes :\n\n" + items)


def calendar_table(rep: Report) -> Html:
    """When each theme is paid and what must be declared, for this exercise."""
    rows = []
    for t in THEMES:
        info = theme_of(t)
        if not rep.applies(t):
            rows.append([info.titre_court, ABSENT, "—", f"n'existe pas pour l'exercice {rep.exercice}"])
            continue
        decl = declarations(rep, t)
        rows.append([info.titre_court, eur(rep.theme_total_cents(t)), payment_text(rep, t, short=True),
                     " ; ".join(decl) if decl else "rien (automatique)"])
    return table(["Thème", "Montant", "Versement", "À déclarer"], rows, right=(1,))


def comparison_table(rep: Report) -> Html | None:
    """Theme totals of every exercise of the pharmacy in the file, beside this one, with the change from the earlier
    exercise to the later one."""
    years = rep.exercices
    if len(years) < 2:
        return None
    wide = rep.all_lines.pivot_table(index="theme", columns="exercice", values="montant_cents", aggfunc="sum",
                                     fill_value=0).reindex(list(THEMES), fill_value=0)
    # a theme that does not exist an exercise has no line that exercise: its amount is « — », counted as nothing in
    # an evolution (the dispositif 2024 paid in 2024 → « — » in 2025: its whole amount as a fall, as the total drops)
    exists = set(zip(rep.all_lines["theme"], rep.all_lines["exercice"].astype(int)))
    # from the earlier exercise to the later one, whichever this report is: « évolution 2025 → 2026 » (2026 − 2025);
    # « écart 2025 − 2026 » showed a rise as a negative amount
    spans = [tuple(sorted((y, rep.exercice))) for y in years if y != rep.exercice]
    headers = ["Thème"] + [str(y) for y in years] + [f"évolution {a} → {b}" for a, b in spans]
    rows = []
    for t in [*THEMES, "total"]:
        vals = {y: int(wide[y].sum()) if t == "total" else int(wide.loc[t, y]) for y in years}
        name = "Total" if t == "total" else theme_of(t).titre_court
        there = {y: t == "total" or (t, int(y)) in exists for y in years}
        rows.append([esc(name)] + [eur(vals[y]) if there[y] else ABSENT for y in years]
                    + [eur_signed(vals[b] - vals[a]) if there[a] or there[b] else ABSENT for a, b in spans])
    links = " · ".join(_link(f"../../{y}/{rep.pharmacie_id}/{SYNTHESE}.html", f"synthèse {y}")
                       for y in years if y != rep.exercice)
    legend = f"<p>{narrative.ABSENT_LEGEND}</p>" if any(ABSENT in row[1:] for row in rows) else ""
    return Html(str(table(headers, rows, right=tuple(range(1, len(headers))), raw=(0,))) + legend + f"<p>{links}</p>")


# --------------------------------------------------------------------------------------------
# Recorded values (read back by tests instead of parsing HTML; hidden from the HTML)
# --------------------------------------------------------------------------------------------
def recorded_values(rep: Report, theme: str | None = None) -> dict:
    lines = rep.lines if theme is None else rep.theme_lines(theme)
    by_indicator: dict[str, int] = {}  # an indicator of one line per molecule: the sum of its lines
    for t, i, c in zip(lines["theme"], lines["indicateur"], lines["montant_cents"]):
        by_indicator[f"{t}.{i}"] = by_indicator.get(f"{t}.{i}", 0) + int(c)
    values = {
        "pharmacie_id": rep.pharmacie_id,
        "exercice": rep.exercice,
        "theme": theme or SYNTHESIS,
        "lignes": by_indicator,
        "totaux_cents": {t: int(lines.loc[lines["theme"] == t, "montant_cents"].sum()) for t in lines["theme"].unique()},
        "total_cents": int(lines["montant_cents"].sum()),
    }
    return values


def record(rep: Report, theme: str | None = None) -> dict:
    """Display the key amounts as a machine-readable output of the notebook."""
    from IPython.display import display

    values = recorded_values(rep, theme)
    display({RECORD_MIME: values, "text/plain": f"montants enregistrés : {values['theme']}, total {eur(values['total_cents'])}"},
            raw=True)
    return values


def read_recorded(notebook_path: str | Path) -> list[dict]:
    """Every recorded-values output of an executed notebook."""
    nb = json.loads(Path(notebook_path).read_text(encoding="utf-8"))
    out = []
    for cell in nb.get("cells", []):
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if RECORD_MIME in data:
                out.append(data[RECORD_MIME])
    return out


# --------------------------------------------------------------------------------------------
# Exploration (ipywidgets, JupyterLab only: hidden from the HTML)
# --------------------------------------------------------------------------------------------
def theme_columns(theme: str):
    """The input columns the theme's indicators read (registry), in the order of the input contract."""
    names = {c for i in indicators_of(theme) for c in i.colonnes}
    return [c for c in PHARMACY_COLUMNS if c.name in names and c.kind in ("bool", "int", "rate")]


def parse_number(text: str, kind: str, maximum: float | None):
    """A number typed in the explorer, read as the same cell of an input file is read (`inputs.parsing`: decimal
    comma or point, spaces between thousands, « 40.000 » in a count refused as ambiguous — it was read 40 here), then
    bounded as the column is (`maximum`; a count without one: MAX_COUNT, as the file's validation — 5 000 000 000
    FSE showed 320 M€, and a larger count stopped the explorer without a word: review).

    Returns (value, error): value None for an empty field (missing value, kept missing); a rate as the exact
    Decimal typed."""
    value, error = number_typed(text, kind)
    if error or value is None:
        return None, error
    top = 100 if kind == "rate" else maximum if maximum is not None else MAX_COUNT
    if value < 0 or (top is not None and value > top):
        return None, f"« {text} » hors limites (attendu : de 0 à {num(top) if top is not None else '…'})"
    return value, ""


class Explorer:
    """Controls for a theme's inputs and hypotheses; every change recomputes the theme through the library.

    Labels are the contract's column descriptions; an empty field is a missing value (kept missing, as
    in the input file); a number is read with a decimal comma or point whatever the browser's locale; a
    value out of range is refused with a visible message; each hypothesis of the theme can be switched
    to its alternative reading."""

    def __init__(self, rep: Report, theme: str):
        import ipywidgets as w

        from rosp_lib.report.readings import alternatives_for

        self.rep, self.theme = rep, theme
        self.controls: dict[str, object] = {}
        self.columns = {c.name: c for c in theme_columns(theme)}
        self.values: dict[str, object] = {}
        self.refused: dict[str, str] = {}  # field → why its text is refused (the calculation keeps the previous value)
        # one field per line, its label wide enough for the contract's descriptions, and the whole of it in the
        # field's tooltip (review: 10 of 13 BUPS labels were cut « … » in a two-column grid, no way to read them)
        style = {"description_width": "600px"}  # the longest description, 84 characters, fits (≈ 7 px each)
        layout = w.Layout(width="840px")
        for c in self.columns.values():
            value = rep.row.get(c.name)
            known = not (value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA)
            if c.kind == "bool":
                ctl = w.Dropdown(options=[("vide (lu « non »)", None), ("oui", True), ("non", False)],
                                 value=bool(value) if known else None, description=c.description,
                                 style=style, layout=layout)
            else:
                if known and c.kind == "rate":  # its exact value where the float misstates it
                    value = shown_value(value, rep.row.get(c.name + EXACT_SUFFIX))
                # computed when the field is left or Entrée pressed, not at each key: typing « 40 000 » computed
                # « 4 », « 40 », then refused « 40 0 » and « 40 00 » on the way
                ctl = w.Text(value=num_exact(value) if known else "", placeholder="vide = donnée manquante",
                             description=c.description, style=style, layout=layout, continuous_update=False)
            ctl.tooltip = f"{c.description} ({c.name})"
            ctl.observe(lambda change, name=c.name: self._changed(name, change), names="value")
            self.controls[c.name] = ctl
        nodes = {i.noeud for i in indicators_of(theme)}
        # a general reading (rounding, prorata…) only where this theme's amount depends on it, for this pharmacy (review:
        # the carte Vitale's prorata was offered on the BUPS, which never reads it, and changed nothing)
        general = set(theme_hypotheses(rep, theme)) | {s.cle for s in rep.readings.stakes if theme in s.themes}
        self.alternatives = [(p, v) for p, v in alternatives_for(rep.exercice, base=rep.scenario)
                             if ".".join(p[:-1]) in nodes or (p[0] == "general" and ".".join(p) in general)]
        self.switches: dict[str, object] = {}
        tool = dict(iter_leaves(load_parameters(rep.exercice))) if rep.scenario is not None else {}
        for path, value in self.alternatives:
            key = ".".join(path)
            leaf = rep.leaves.get(key)
            if leaf is None:
                continue
            # under a scenario that reads a hypothesis as its alternative already, the other reading is the tool's
            which = "lecture de l'outil" if key in tool and tool[key].valeur == value else "lecture alternative"
            sw = w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto"),
                            description=f"{which} — {hypothesis_label(key, rep)}")
            sw.tooltip = sw.description  # a long label is cut on screen: whole here
            sw.observe(lambda change: self._refresh(), names="value")
            self.switches[key] = sw
        self.message = w.HTML()
        self.table = w.HTML()  # the line table, as HTML (an Output widget needs a frontend to capture)
        self.total_label = w.HTML()
        self.lines = rep.theme_lines(theme)
        self._refresh_label()
        self.table.value = str(indicator_table(rep, self.lines))

    def frame(self) -> pd.DataFrame:
        """The pharmacy's row with the values the user changed (None: missing)."""
        df = self.rep.pharmacy_rows[self.rep.pharmacy_rows["exercice"] == self.rep.exercice].reset_index(drop=True).copy()
        for name, value in self.values.items():
            if name + EXACT_SUFFIX in df.columns:  # a rate: its float and the exact value typed, together
                df[name + EXACT_SUFFIX] = df[name + EXACT_SUFFIX].astype(object)
                set_rate(df, 0, name, value)
                continue
            if value is None:
                df[name] = df[name].astype(object) if self.columns[name].kind == "bool" else df[name]
                df.loc[0, name] = None if self.columns[name].kind == "bool" else np.nan
            else:
                df.loc[0, name] = value
        return df

    def params(self) -> ExerciseParameters:
        chosen = [(tuple(k.split(".")), v) for (p, v) in self.alternatives
                  for k in [".".join(p)] if k in self.switches and self.switches[k].value]
        if not chosen:
            return self.rep.params
        from rosp_lib.report.readings import scenario_with

        return load_parameters(self.rep.exercice, scenario_with(self.rep.scenario, self.rep.exercice, chosen,
                                                                "Explorer : lectures alternatives"))

    def recompute(self) -> pd.DataFrame:
        lines = compute(self.frame(), self.rep.molecules, {self.rep.exercice: self.params()})
        self.lines = lines[lines["theme"] == self.theme].reset_index(drop=True)
        return self.lines

    @property
    def total_cents(self) -> int:
        return int(self.lines["montant_cents"].sum())

    def _refresh_label(self) -> None:
        base = self.rep.theme_total_cents(self.theme)
        delta = self.total_cents - base
        self.total_label.value = (f"<b>Total du thème : {eur(self.total_cents)}</b> "
                                  f"(données de l'officine : {eur(base)} ; écart {eur_signed(delta)})")

    def _changed(self, name: str, change) -> None:
        col = self.columns[name]
        if col.kind == "bool":
            self.values[name] = change["new"]
        else:
            value, error = parse_number(change["new"], col.kind, col.maximum)
            error = error or self._out_of_bounds(name, value, change["new"])
            if error:
                self.refused[name] = error
                self._refresh_message()
                return
            self.values[name] = value
        self.refused.pop(name, None)
        for other in [n for n in self.refused if n != name]:  # a field refused for this one's value may fit now
            value, error = parse_number(self.controls[other].value, self.columns[other].kind, self.columns[other].maximum)
            if not error and not self._out_of_bounds(other, value, self.controls[other].value):
                self.values[other] = value
                del self.refused[other]
        self._refresh_message()
        self._refresh()

    def _current(self, name: str):
        """The field's value in the calculation: the one typed, else the pharmacy's (None when missing)."""
        value = self.values[name] if name in self.values else self.rep.row.get(name)
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else value

    def _out_of_bounds(self, name: str, value, text: str) -> str:
        """Why `value` typed in `name` breaks a bound between two columns (`inputs.columns.AT_MOST`), as a file would
        be refused for it; '' when it does not."""
        if value is None:
            return ""
        words = COLUMN_WORDS  # the other column may be no field of this theme
        for small, big, why in AT_MOST:
            if name == small and self._current(big) is not None and value > self._current(big):
                return f"« {text} » : au plus {words[big]} (« {num(self._current(big))} ») : {why}"
            if name == big and self._current(small) is not None and value < self._current(small):
                return f"« {text} » : au moins {words[small]} (« {num(self._current(small))} ») : {why}"
        return ""

    def _refresh_message(self) -> None:
        """Every field whose text is refused, said for as long as it shows that text: the calculation keeps the
        field's last accepted value meanwhile."""
        self.message.value = "".join(
            f'<div style="color:#b03a2e">{esc(self.columns[name].description)} : {esc(error)} — valeur refusée, le '
            "calcul garde la précédente.</div>" for name, error in self.refused.items())

    def _refresh(self) -> None:
        self.recompute()
        self._refresh_label()
        self.table.value = str(indicator_table(self.rep, self.lines))

    def widget(self):
        import ipywidgets as w

        parts = [w.HTML(f"<b>Explorer : {esc(THEME_TITLES[self.theme])}</b> — modifiez une valeur (vide = donnée "
                        "manquante ; virgule ou point décimal) : le thème est recalculé par la bibliothèque."),
                 w.VBox(list(self.controls.values()))]
        if self.switches:
            parts += [w.HTML("<b>Hypothèses de lecture du thème</b>"), *self.switches.values()]
        return w.VBox(parts + [self.message, self.total_label, self.table])


class ExplorerButton:
    """The explorer of a report, behind a button « Ouvrir l'explorateur »: its controls are built when the reader
    opens it, in a live kernel (JupyterLab). A report made by papermill carries only the button: building the
    controls and sending their state cost 0,05 to 0,16 s of a kept kernel's time per theme report (measured
    2026-12-01 on the batch of 10 pharmacies, papermill's cell durations), for a document that cannot use them
    (the HTML page shows no widget, a saved notebook has no kernel behind its controls)."""

    def __init__(self, rep: Report, theme: str):
        import ipywidgets as w

        self.rep, self.theme = rep, theme
        self.explorer: Explorer | None = None
        self.button = w.Button(description="Ouvrir l'explorateur", button_style="info", layout=w.Layout(width="220px"),
                               tooltip="Construit les contrôles de ce thème (il faut un noyau Python actif)")
        self.button.on_click(lambda _button: self.open())
        self.box = w.VBox([w.HTML(f"<b>Explorer : {esc(THEME_TITLES[theme])}</b> — modifiez les données de "
                                  "l'officine et voyez le thème recalculé par la bibliothèque."), self.button])

    def open(self) -> Explorer:
        """Build the explorer in place of the button (once)."""
        if self.explorer is None:
            self.explorer = Explorer(self.rep, self.theme)
            self.box.children = [self.explorer.widget()]
        return self.explorer

    def widget(self):
        return self.box

    def _repr_mimebundle_(self, **kwargs):
        """The button's widget; where no live kernel draws it (a saved notebook just opened), a French sentence in place
        of the widget's Python repr (« VBox(children=(HTML(value=… », review)."""
        data = self.box._repr_mimebundle_(**kwargs)
        data["text/plain"] = (f"Explorer : {THEME_TITLES[self.theme]} — exécutez le notebook (Exécuter › Exécuter "
                              "toutes les cellules), puis cliquez sur « Ouvrir l'explorateur ».")
        return data


__all__ = [
    "Report", "ReportError", "exercise_of", "user_errors", "load", "document_header", "navigation", "indicator_table", "rules_list", "sum_text",
    "gate_and_malus_text", "hypotheses_text", "missing_text", "sources_text", "header_text", "declaration_text", "theme_reason",
    "distances", "chart_amounts", "chart_distances", "chart_themes", "bar_labels", "themes_table", "total_text",
    "readings_text", "stakes_table", "unquantified_text", "calendar_table", "comparison_table", "eur", "record",
    "recorded_values", "read_recorded", "Explorer", "ExplorerButton", "parse_number",
]
