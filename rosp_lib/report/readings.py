"""How sure is an amount: the total under the reference readings and under the alternative ones.

A `hypothese` leaf is a reading chosen where the texts are silent or disagree; its alternative is
written, as a value, in `parameters/scenarios/lectures-alternatives.yaml`. This module recomputes one
pharmacy-exercise through the library (`engine.compute`) with a scenario that switches one hypothesis
— the euros at stake on that reading — and with the whole file — the range across readings. Nothing
here applies a rule.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from rosp_lib.parameters import PARAMETERS_DIR, ParameterError, Scenario, iter_leaves, load_parameters
from rosp_lib.report.memo import ContentMemo
from rosp_lib.lines.text import list_items
from rosp_lib.rulebook import leaf_text, reading_note

ALTERNATIVES_FILE = PARAMETERS_DIR / "scenarios" / "lectures-alternatives.yaml"


@dataclass(frozen=True)
class Stake:
    """One hypothesis switched alone: what it changes for this pharmacy-exercise."""

    cle: str  # dotted key of the leaf (`numerique.ordonnance_numerique_socle.etat`)
    libelle: str
    reference: str  # the reference reading, written for a reader
    alternative: str  # the alternative reading, written for a reader
    ecart_cents: int  # total under the alternative − total under the reference
    themes: tuple[str, ...]  # themes whose amount changes
    # The hypothesis leaves read only under the alternative (the prime par boîte gagnée of the « progression »
    # reading), with their value written for a reader: what a reviewer needs to redo the écart by hand.
    lues: tuple[tuple[str, str, str], ...] = ()  # (clé, libellé, valeur)
    # The indicators whose line has missing data under the alternative only (the socle « ordonnance numérique »,
    # neutralised by the tool, made active without its rate given): the écart rests on data the report does not have
    # — « Aucune donnée manquante » beside the loss of a whole theme that came from one (review).
    manquantes: tuple[str, ...] = ()

    @property
    def noeud(self) -> str:
        """The parameter node of the leaf (`bups.molecules_ciblees`): the indicator whose reading it switches."""
        return self.cle.rsplit(".", 1)[0]


@dataclass
class Readings:
    exercice: int
    reference_cents: int
    alternative_cents: int
    reference_themes: dict[str, int]
    alternative_themes: dict[str, int]
    stakes: list[Stake] = field(default_factory=list)  # ranked, largest |écart| first
    sans_alternative: list[tuple[str, str, str]] = field(default_factory=list)  # (clé, libellé, alternative)
    # with a scenario: the total under the tool's own readings (no scenario), which the range above need not hold
    outil_cents: int | None = None

    @property
    def moving(self) -> list[Stake]:
        return [s for s in self.stakes if s.ecart_cents]


def _merge(a: dict, b: dict) -> dict:
    out = copy.deepcopy(a)
    for k, v in b.items():
        if isinstance(v, dict) and "valeur" not in v and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _nest(path: tuple[str, ...], value) -> dict:
    tree: dict = {path[-1]: value}
    for k in reversed(path[:-1]):
        tree = {k: tree}
    return tree


def scenario_with(base: Scenario | None, exercice: int, overrides: list[tuple[tuple[str, ...], object]],
                  name: str) -> Scenario:
    """The user's scenario (or none) with more overrides for one exercise."""
    extra: dict = {}
    for path, value in overrides:
        extra = _merge(extra, _nest(path, value))
    tous = copy.deepcopy(base.tous) if base else {}
    per_year = copy.deepcopy(base.par_exercice) if base else {}
    per_year[int(exercice)] = _merge(per_year.get(int(exercice), {}), extra)
    return Scenario(name, tous, per_year)


def alternatives_for(exercice: int, path: Path = ALTERNATIVES_FILE, base: Scenario | None = None
                     ) -> list[tuple[tuple[str, ...], object]]:
    """The alternative readings of one exercise, as (path, value) overrides; with the user's scenario `base`, those
    that make sense on top of it only: an alternative its values make invalid (a threshold the scenario put under
    the alternative's other threshold) is no reading of that scenario, and would stop the report or the command.
    A hypothesis the scenario already reads as the alternative (the file of alternative readings given as the
    scenario) has the tool's reference reading as its other reading: that one is returned (its value), so that the
    reports, the explorer and the reconciliation price it instead of switching to what is already read."""
    overrides = Scenario.read(path).overrides_for(int(exercice))
    if base is None:  # the reference parameters take every alternative (tests/test_parameters.py)
        return overrides
    exercice = int(exercice)
    read = dict(iter_leaves(load_parameters(exercice, base)))
    reference = None
    out = []
    for p, v in overrides:
        key = ".".join(p)
        under = _parameters(scenario_with(base, exercice, [(p, v)], str(path)), exercice)
        if under is not None and key in read and dict(iter_leaves(under))[key].valeur == read[key].valeur:
            reference = reference or dict(iter_leaves(load_parameters(exercice)))  # the scenario reads it so already
            if key not in reference or reference[key].valeur == read[key].valeur:
                continue
            v = reference[key].valeur
            under = _parameters(scenario_with(base, exercice, [(p, v)], str(path)), exercice)
        if under is not None:
            out.append((p, v))
    return out


def alternative_parameters(scenario: Scenario | None = None):
    """A function of (hypothesis key, exercise) giving {exercise: its parameters under that key's alternative reading}
    (the file of alternative readings, on top of `scenario`), or None when the key has none: what a gain is priced
    under, loaded when a gain names it."""
    overrides: dict[int, dict] = {}
    leaves: dict[int, dict] = {}

    def parameters(key: str, exercice: int) -> dict | None:
        exercice = int(exercice)
        if exercice not in overrides:
            overrides[exercice] = {".".join(p): (p, v) for p, v in alternatives_for(exercice, base=scenario)}
            leaves[exercice] = dict(iter_leaves(load_parameters(exercice, scenario)))
        # a leaf whose alternative is another leaf's (`alternative_cle`: the prime par boîte substituée, replaced by
        # the « progression » reading of `lecture`) is priced under that one, as the reports' readings price it
        key = key if key in overrides[exercice] else getattr(leaves[exercice].get(key), "alternative_cle", None)
        if key not in overrides[exercice]:
            return None
        other = scenario_with(scenario, exercice, [overrides[exercice][key]], str(ALTERNATIVES_FILE))
        return {exercice: load_parameters(exercice, other)}

    return parameters


def _parameters(scenario: Scenario, exercice: int):
    """The exercise's parameters under `scenario`, or None when its values are invalid together."""
    try:
        return load_parameters(int(exercice), scenario)
    except ParameterError:
        return None


def _theme_totals(lines: pd.DataFrame) -> dict[str, int]:
    return {str(t): int(c) for t, c in lines.groupby("theme", sort=False)["montant_cents"].sum().items()}


# The readings of one pharmacy-exercise, keyed by everything they are computed from (its rows, its
# molecules, the scenario, the parameter and alternative files, by content): the synthesis and the
# theme reports of one pharmacy-year ask for the same readings, a dozen computations (≈ 1 s, measured
# 2026-12-01), and a kept kernel of `rosp report` runs several of them. A copy is returned.
_MEMO: ContentMemo[Readings] = ContentMemo(size=32)


def _memo_key(rows: pd.DataFrame, molecules: pd.DataFrame | None, exercice: int, scenario: Scenario | None,
              alternatives: Path) -> bytes | None:
    import hashlib
    import pickle

    try:
        h = hashlib.blake2b(digest_size=20)
        for frame in (rows, molecules):  # content and types, not the frame's internal layout
            if frame is None:
                h.update(b"-")
                continue
            h.update(pickle.dumps((list(frame.columns), [str(t) for t in frame.dtypes],
                                   frame.to_csv(index=False)), protocol=5))
        h.update(str(int(exercice)).encode())
        h.update(pickle.dumps(None if scenario is None else (scenario.path, scenario.tous, scenario.par_exercice),
                              protocol=5))
        for path in (PARAMETERS_DIR / f"{int(exercice)}.yaml", PARAMETERS_DIR / "references.yaml", Path(alternatives)):
            h.update(str(path).encode() + b"\0" + Path(path).read_bytes() + b"\0")
        return h.digest()
    except Exception:  # noqa: BLE001 - not hashable or unreadable: computed, not remembered
        return None


def readings(pharmacy_row: pd.DataFrame, molecules: pd.DataFrame | None, exercice: int,
             scenario: Scenario | None = None, alternatives: Path = ALTERNATIVES_FILE) -> Readings:
    """The range across readings and the euros at stake per hypothesis, for one pharmacy-exercise.

    `pharmacy_row` holds the pharmacy's row(s) for this exercise (validated table); `scenario` is the
    user's scenario the report is made with (its values are the reference here)."""
    exercice = int(exercice)
    rows = pharmacy_row[pharmacy_row["exercice"].astype(int) == exercice].reset_index(drop=True)
    return _MEMO.get_or_make(_memo_key(rows, molecules, exercice, scenario, alternatives),
                             lambda: _readings(rows, molecules, exercice, scenario, alternatives))


def _readings(rows: pd.DataFrame, molecules: pd.DataFrame | None, exercice: int, scenario: Scenario | None,
              alternatives: Path) -> Readings:
    from rosp_lib.engine import compute

    def run(scen: Scenario | None) -> tuple[int, dict[str, int], object, set[str], set[str]]:
        params = load_parameters(exercice, scen)
        lines = compute(rows, molecules, {exercice: params})
        read = {k for text in lines["hypotheses"] for k in list_items(text)}
        missing = set(lines.loc[lines["donnee_manquante"].astype(bool), "indicateur"])
        return int(lines["montant_cents"].sum()), _theme_totals(lines), params, read, missing

    ref_total, ref_themes, ref_params, ref_read, ref_missing = run(scenario)
    overrides = alternatives_for(exercice, alternatives, scenario)
    alt_total, alt_themes, *_ = run(scenario_with(scenario, exercice, overrides, str(alternatives)))
    leaves = dict(iter_leaves(ref_params))

    stakes = []
    for path, value in overrides:
        key = ".".join(path)
        leaf = leaves.get(key)
        if leaf is None:
            continue
        total, themes, alt_params, read, missing = run(scenario_with(scenario, exercice, [(path, value)],
                                                                     str(alternatives)))
        changed = tuple(t for t in ref_themes if themes.get(t, 0) != ref_themes[t])
        alt_leaves = dict(iter_leaves(alt_params))
        lues = tuple((k, alt_leaves[k].libelle, leaf_text(alt_leaves[k])) for k in sorted(read - ref_read - {key})
                     if k in alt_leaves)
        # the alternative with what it means when the parameter file says so (« non : » then the meaning of the
        # missing-data reading): « non » alone told a reader nothing (audit)
        note = reading_note(leaf, value)
        alternative = leaf_text(alt_leaves.get(key)) + (f" : {note}" if note else "")
        # missing data under the reading only matters when it moves the total (the socle of a theme already voided by
        # another: no écart, nothing it depends on — review)
        stakes.append(Stake(key, leaf.libelle, leaf_text(leaf), alternative, total - ref_total, changed, lues,
                            tuple(sorted(missing - ref_missing)) if total != ref_total else ()))
    stakes.sort(key=lambda s: (-abs(s.ecart_cents), s.cle))
    switched = {".".join(p) for p, _ in overrides}
    without = [(k, leaf.libelle, leaf.alternative or "") for k, leaf in leaves.items()
               if leaf.statut == "hypothese" and k not in switched]
    tool_total = run(None)[0] if scenario is not None else None
    return Readings(exercice, ref_total, alt_total, ref_themes, alt_themes, stakes, without, tool_total)
