"""What a pharmacy can still gain: every action that raises its ROSP, ranked in euros.

Each action is a change of the input row (a rate to the next threshold, a count to the next step, a
declaration to « oui »), and its gain is the difference of two runs of the rules (`engine.compute`)
before and after the change — socle, prorata and malus included. Nothing here knows a threshold: the
changes are searched by bisection on the inputs, and the rules say when the amount moves.

- A rate moves by hundredths of a point (the precision of the inputs), so a strict threshold
  (« plus de 5 % ») is reached at 5,01 and an inclusive one (« au moins 90 % ») at 90. Every further
  level that pays more is its own action (stabilité 89,9 → 90, then 89,9 → 95). The hundredths are
  counted from the exact value the user typed: the first one above 84,995 (or 84,99999999999999999,
  whose float is 85) is 85, the first one above 85 is 85,01.
- A count moves to the next step that pays more (the next tranche of téléconsultations, one more
  reader, one more kit).
- When one change alone pays nothing because the indicator needs another (the BAL needs the MSS; a
  socle among several lost socles), the changes are combined and the interaction is said.
- In a theme whose socle is lost nothing pays until the socle is met: its actions are searched again on the row
  with the socle regained (by the action that regains it and pays most) and given with the socle's changes, the
  gain of both (what they add once the socle is met is said in the remark).
- A targeted molecule (BUPS) gains by its arrival rate (`LEVIERS_MOLECULES`): when nothing pays below a
  level and everything from it (a floor), the smallest arrival rate that pays is its own action; the arrival
  rate at its maximum (100 %) is always one, with what each point more is worth when the amount grows with
  the rate. Whether there is a floor is read from the runs of the rules, not from the parameters: the gain
  of the smallest paying move is compared to its share of the gain at 100 %.
- An indicator neutralised, absent or already at its cap offers nothing.

Which columns a pharmacy can change, and how, is the registry's `LEVIERS`; whether a change is
declared or measured comes from the registry's indicators; the deadlines from the parameters'
`calendrier`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from ..engine import part_bounds, parameters_for
from ..lines import money
from ..inputs import EXACT_SUFFIX
from ..lines.formatting import agreed, eur, num, num_exact
from ..lines.text import NEUTRALISE, OUI, exact_of, list_items, shown_value
from ..lines.workers import can_fork, cores, forked_map
from ..registry import (INDICATORS, INTERACTIONS, LEVIERS, LEVIERS_MOLECULES, PLAFONDS_COLONNES, THEME_CODES,
                        indicator)
from ..rulebook import title
from ..rules.base import calendar_weeks
from ..rules.bups import ASAFO_WEEKS
from .runner import Runner, set_cell, molecule_key, parse_molecule_key

RATE_UNITS = 100  # a rate moves by hundredths of a point
RATE_MAX = 100 * RATE_UNITS
COUNT_LIMIT = 1 << 20  # a count is searched up to about a million more
POINTS_PER_ROUND = 6  # distances tried per search and per run of the rules
CHUNK_ROWS = 50  # pharmacy-years searched together (each brings up to ~150 variants per run of the rules)
STATUT_ORDER = {"texte": 0, "source": 1, "hypothese": 2}

MOLECULES_INDICATOR = "molecules_ciblees"
GAINS_COLUMNS = ["pharmacie_id", "exercice", "rang", "theme", "indicateur", "action", "colonne", "valeur_actuelle",
                 "valeur_cible", "gain_eur", "nature", "echeance", "encore_possible", "statut_regle"]
GAINS_AMOUNTS = ("gain_eur",)  # written as a text « 12.50 » (csvfile.write_csv numbers)


def is_rate(col: str) -> bool:
    return col.endswith("_pct")


def declared_columns() -> set[str]:
    """Input columns declared on amelipro: the yes/no and counts of a declared indicator (its rates are measured)."""
    return {c for ind in INDICATORS if ind.declaratif for c in ind.colonnes if not is_rate(c)}


@dataclass
class _Search:
    """The smallest move of one column from its current value that pays more than `floor` (bisection)."""

    row: int
    col: str
    start: int  # in units (hundredths for a rate)
    sign: int  # +1 up, -1 down
    maxdist: int
    floor: int  # gain (cents) to exceed
    base: dict = field(default_factory=dict)  # other changes held
    lo: int = 0  # a distance known not to pay more
    hi: int | None = None  # a distance known to pay more
    gain_hi: int = 0
    lines_hi: pd.DataFrame | None = None
    done: bool = False
    top: tuple[int, pd.DataFrame] | None = None  # (gain, lines) at the farthest move, once tried
    # (column, its value): the column `col` cannot exceed (`PLAFONDS_COLONNES`), raised with it beyond that value
    # (one more kit réalisé beyond the kits remis is one more kit remis too: it was never searched, audit)
    cap: tuple[str, int] | None = None

    def value(self, d: int):
        u = self.start + self.sign * d
        return u / RATE_UNITS if is_rate(self.col) else int(u)

    def changes(self, d: int) -> dict:
        """The cells the move of `d` sets: the column, and its cap column when the move goes beyond it."""
        value = self.value(d)
        if self.cap is not None and value > self.cap[1]:
            return {self.col: value, self.cap[0]: value}
        return {self.col: value}

    def propose(self) -> list[int]:
        """The distances to try this round: first the farthest (nothing pays there → nothing to find) and a few
        doubling steps; then points spread between the last distance that did not pay and the first that did."""
        if self.hi is None:
            pts = {self.maxdist, *(self.lo + (1 << k) for k in range(POINTS_PER_ROUND))}
        else:
            span = self.hi - self.lo
            pts = {self.lo + span * j // (POINTS_PER_ROUND + 1) for j in range(1, POINTS_PER_ROUND + 1)}
        return sorted(d for d in pts if self.lo < d <= self.maxdist and (self.hi is None or d < self.hi))

    def update(self, results: dict[int, tuple[int, pd.DataFrame]]) -> None:
        if self.maxdist in results:
            self.top = results[self.maxdist]
        paying = [d for d, (gain, _) in results.items() if gain > self.floor]
        if self.hi is None and not paying:
            self.done = True  # even the farthest move pays nothing more
            return
        if paying:
            d = min(paying)
            self.hi, (self.gain_hi, self.lines_hi) = d, results[d]
        below = [d for d in results if d < self.hi]
        if below:
            self.lo = max(self.lo, max(below))
        if self.hi - self.lo <= 1:
            self.done = True

    @property
    def found(self) -> bool:
        return self.done and self.hi is not None


@dataclass
class Action:
    row: int
    indicateurs: tuple[str, ...]  # the indicators the action is about (first: the one shown)
    changes: dict  # column → new value
    gain: int  # cents
    lines: pd.DataFrame  # the lines after the change
    combined: bool = False
    kind: str = ""  # "socles": a theme's socles together; "plancher", "lineaire": a molecule's floor, its rise
    since: tuple | None = None  # "lineaire" after a floor: (the floor's value, its gain)
    socle: tuple[tuple[str, ...], int] | None = None  # with a lost socle regained: (its indicators, the gain of the
    # action once the socle is met, socle not counted); the changes and the gain include the socle's


class _Gains:
    def __init__(self, pharmacies, molecules, parameters, themes: tuple[str, ...] | None = None, base_lines=None,
                 themes_gain: bool = False):
        self.themes = tuple(themes) if themes else None  # search only these themes' indicators
        # `themes_gain`: a gain is what the action adds to these themes (a theme report: « ce qui augmente la ROSP
        # de ce thème »), not to the total — a column read by two themes (the kits remis: an information line of
        # the colorectal theme, the progression of the dispositif 2024) moves the other theme's amount only
        self.themes_gain = bool(themes_gain and self.themes)
        self.runner = Runner(pharmacies, molecules, parameters, base_lines)
        self.base_totals = (self.totals(self.runner.base_lines, len(self.runner.rows)) if self.themes_gain
                            else self.runner.base_totals)
        self.rows = self.runner.rows
        self.params = parameters
        base = self.runner.base_lines
        self.base_amount = {(int(v), i): int(c) for v, i, c in zip(base["_variant"], base["indicateur"],
                                                                     base["montant_cents"])}
        self.base_atteint = {(int(v), i): a for v, i, a in zip(base["_variant"], base["indicateur"], base["atteint"])}
        # each line's type this exercise: a socle not required (`non_exige`, the exercice coordonné in 2022) is an
        # indicator paid when met, not a socle that gates its theme (the registry's type is the socle's)
        self.base_type = {(int(v), i): t for v, i, t in zip(base["_variant"], base["indicateur"], base["type_ligne"])}
        self.base_statuts: dict[tuple[int, str], list[str]] = {}  # every line's: an indicator of one line per molecule
        self.base_hypotheses: dict[tuple[int, str], list[str]] = {}  # the keys of the hypotheses those lines rest on
        for v, i, s, h in zip(base["_variant"], base["indicateur"], base["statut_regle"], base["hypotheses"]):
            self.base_statuts.setdefault((int(v), i), []).append(s)
            self.base_hypotheses.setdefault((int(v), i), []).extend(list_items(h))

    # --- running variants ------------------------------------------------------------------------
    def evaluate(self, variants: list[tuple[int, dict]]) -> list[tuple[int, pd.DataFrame]]:
        """(gain in cents, lines) of each variant."""
        if not variants:
            return []
        lines = self.runner.lines(variants)
        totals = self.totals(lines, len(variants))
        groups = dict(tuple(lines.groupby("_variant", sort=False)))
        empty = lines.iloc[:0]
        return [(int(totals[j] - self.base_totals[i]), groups.get(j, empty))
                for j, (i, _) in enumerate(variants)]

    def totals(self, lines: pd.DataFrame, n: int):
        """Each variant's amount, in cents: its total, or with `themes_gain` the total of the searched themes."""
        if self.themes_gain:
            lines = lines[lines["theme"].isin(self.themes)]
        return Runner.totals_of(lines, n)

    def run_searches(self, searches: list[_Search], extra: list[tuple[int, dict]] | None = None) -> list:
        """Run the searches to their end; `extra` variants ride along in the first run of the rules (one run less:
        each run costs about the same whatever its number of variants — measured, benchmarks/README.md). Returns
        the (gain, lines) of the `extra` variants."""
        extra = list(extra or [])
        out: list = []
        active = [s for s in searches if not s.done]
        while active or extra:
            proposals = [s.propose() for s in active]
            variants = [(s.row, {**s.base, **s.changes(d)}) for s, ds in zip(active, proposals) for d in ds]
            results = self.evaluate(extra + variants)
            if extra:
                out, results, extra = results[:len(extra)], results[len(extra):], []
            results = iter(results)
            for s, ds in zip(active, proposals):
                s.update({d: next(results) for d in ds})
            active = [s for s in active if not s.done]
        return out

    # --- candidates ----------------------------------------------------------------------------------
    def _at(self, row: int, col: str) -> tuple[pd.DataFrame, int, str]:
        """(table, position, column) of a cell: of the row's own table, or of a molecule (`molecule_key`)."""
        mol = parse_molecule_key(col)
        return (self.rows, row, col) if mol is None else (self.runner.molecules, mol[0], mol[1])

    def current(self, row: int, col: str):
        """The cell's value as shown: a rate's float, or its exact value where the float misstates it."""
        frame, i, name = self._at(row, col)
        value = frame[name].iat[i]
        if name + EXACT_SUFFIX in frame.columns:
            return shown_value(value, frame[name + EXACT_SUFFIX].iat[i])
        return value

    def start(self, row: int, col: str, sign: int) -> int:
        """The hundredths a rate's search starts from, on the exact value: the largest at or below it for a
        rise (84,995 → 84,99: the first step is 85, the first hundredth above), the smallest at or above it
        for a fall (1,005 → 1,01: the first step is 1). A value on the grid starts from itself."""
        frame, i, name = self._at(row, col)
        # the exact value (`exact_of`: the float's shortest decimal in a table without exact values, or changed since)
        exact = exact_of(frame[name].iat[i], frame[name + EXACT_SUFFIX].iat[i] if name + EXACT_SUFFIX in frame.columns
                         else None)
        units = Fraction(exact) * RATE_UNITS
        return math.floor(units) if sign > 0 else math.ceil(units)

    def molecule_name(self, col: str) -> str:
        return str(self.runner.molecules.iloc[parse_molecule_key(col)[0]]["molecule"])

    def search_for(self, row: int, col: str, floor: int = 0, base: dict | None = None) -> _Search | None:
        kind = LEVIERS[col]
        value = self.current(row, col)
        missing = pd.isna(value)
        sign = -1 if kind == "baisse" else 1
        if is_rate(col):
            start = (RATE_MAX if sign < 0 else 0) if missing else self.start(row, col, sign)
            maxdist = start if sign < 0 else RATE_MAX - start
        else:
            start = 0 if missing else int(value)
            maxdist = COUNT_LIMIT
            cap_col = PLAFONDS_COLONNES.get(col)
            if cap_col is not None:
                cap = self.current(row, cap_col)
                if pd.isna(cap):
                    return None
                return _Search(row, col, start, sign, maxdist, floor, dict(base or {}), cap=(cap_col, int(cap)))
        if maxdist <= 0:
            return None
        return _Search(row, col, start, sign, maxdist, floor, dict(base or {}))

    def active_indicators(self, row: int) -> list:
        """The registry's indicators that have a line for this row, not neutralised."""
        return [ind for ind in INDICATORS
                if (row, ind.code) in self.base_atteint and self.base_atteint[(row, ind.code)] != NEUTRALISE
                and (self.themes is None or ind.theme in self.themes)]

    def owner(self, row: int, col: str, lines: pd.DataFrame, candidates: list) -> tuple[str, ...]:
        """The indicators of `candidates` reading `col`: the one whose amount rose most first, a malus last (the
        sub-indicator whose points fell is the one shown)."""
        mine = [ind for ind in candidates if col in ind.colonnes]
        rise = self.rises(row, lines)
        return tuple(ind.code for ind in sorted(mine, key=lambda i: (i.type_ligne == "malus", -rise.get(i.code, 0))))

    def rises(self, row: int, lines: pd.DataFrame) -> dict[str, int]:
        """How much each indicator's amount rose in `lines` (cents), against the row's own lines."""
        return {i: int(c) - self.base_amount.get((row, i), 0) for i, c in zip(lines["indicateur"], lines["montant_cents"])}

    def collect(self) -> list[Action]:
        actions: list[Action] = []
        flag_variants: list[tuple[int, dict, tuple]] = []
        searches: list[_Search] = []
        per_row_inds = {}
        for row in range(len(self.rows)):
            inds = self.active_indicators(row)
            per_row_inds[row] = inds
            cols = dict.fromkeys(c for ind in inds for c in ind.colonnes if c in LEVIERS)
            for col in cols:
                if LEVIERS[col] == "oui":
                    if not bool(self.current(row, col)):
                        flag_variants.append((row, {col: True}, ()))
                elif LEVIERS[col] == "niveau":
                    now = self.current(row, col)
                    if not pd.isna(now):
                        flag_variants.extend((row, {col: level}, ()) for level in range(int(now) - 1, 0, -1))
                else:
                    s = self.search_for(row, col)
                    if s is not None:
                        searches.append(s)
        # flags, in the first run of the searches of rates and counts (whose levels are said below); the molecules'
        # arrival rates are searched in the same runs of the rules, their levels said by `molecule_actions`
        molecules = self.molecule_searches(per_row_inds)
        level = searches + molecules
        flag_results = self.run_searches(level, [(r, c) for r, c, _ in flag_variants])
        best: dict[tuple[int, str], object] = {}  # (row, col) → the value that pays most alone
        levels: dict[tuple[int, str], Action] = {}
        for (row, ch, _), (gain, lines) in zip(flag_variants, flag_results):
            col, value = next(iter(ch.items()))
            if LEVIERS[col] == "oui":
                best[(row, col)] = True
                if gain > 0:
                    actions.append(Action(row, self.owner(row, col, lines, per_row_inds[row]), ch, gain, lines))
            elif gain > 0 and ((row, col) not in levels or gain > levels[(row, col)].gain):
                # the highest lower level that pays most (levels are tried from the highest down)
                levels[(row, col)] = Action(row, self.owner(row, col, lines, per_row_inds[row]), ch, gain, lines)
        for (row, col), a in levels.items():
            best[(row, col)] = a.changes[col]
            actions.append(a)
        # rates and counts: each level that pays more (counts: the next step only)
        while level:
            self.run_searches(level)  # the first level is already done
            nxt = []
            for s in level:
                if not s.found or parse_molecule_key(s.col) is not None:
                    continue
                value = s.value(s.hi)
                best[(s.row, s.col)] = value
                actions.append(Action(s.row, self.owner(s.row, s.col, s.lines_hi, per_row_inds[s.row]),
                                      s.changes(s.hi), s.gain_hi, s.lines_hi))
                if is_rate(s.col) and s.hi < s.maxdist:
                    nxt.append(_Search(s.row, s.col, s.start, s.sign, s.maxdist, s.gain_hi, lo=s.hi))
            level = nxt
        actions.extend(self.combinations(per_row_inds, best, actions))
        actions.extend(self.molecule_actions(molecules))
        actions.extend(self.with_socle(per_row_inds, actions))
        return actions

    def with_socle(self, per_row_inds, actions: list[Action]) -> list[Action]:
        """The actions of a theme whose socle is lost: nothing pays there until the socle is met, so they are searched
        again on the row with the socle regained (by the action that regains it and pays most), and given with it:
        the socle's changes and the action's together, the gain of both (a run of the rules against the row)."""
        wanted: dict[str, list[tuple[int, Action]]] = {}  # theme → (row, the action regaining its lost socles)
        for row, inds in per_row_inds.items():
            for theme in self.themes or THEME_CODES:
                lost = {ind.code for ind in inds if ind.theme == theme and self.base_type.get((row, ind.code)) == "socle"
                        and self.base_atteint.get((row, ind.code)) not in (OUI, NEUTRALISE)}
                if not lost or not any(i.theme == theme and self.base_type.get((row, i.code)) != "socle" for i in inds):
                    continue
                cols = {c for ind in inds if ind.code in lost for c in ind.colonnes}
                regain = [a for a in actions if a.row == row and a.gain > 0 and a.socle is None
                          and set(a.changes) <= cols and self._meets(a.lines, lost)]
                if regain:
                    wanted.setdefault(theme, []).append((row, max(regain, key=lambda a: a.gain)))
        out: list[Action] = []
        for theme, pairs in wanted.items():
            rows = self.rows.iloc[[row for row, _ in pairs]].reset_index(drop=True)
            for col in dict.fromkeys(c for _, a in pairs for c in a.changes):
                where = [j for j, (_, a) in enumerate(pairs) if col in a.changes]
                set_cell(rows, where, col, [pairs[j][1].changes[col] for j in where])
            met = _Gains(rows, self.runner.molecules, self.params, (theme,), themes_gain=self.themes_gain)
            found = [(pairs[b.row], b) for b in met.collect()
                     if any(indicator(c).type_ligne != "socle" for c in b.indicateurs)]
            variants = [(row, {**b.changes, **{c: v for c, v in socle.changes.items() if c not in b.changes}})
                        for (row, socle), b in found]
            for ((row, socle), b), (_, ch), (gain, lines) in zip(found, variants, self.evaluate(variants)):
                if gain > socle.gain:
                    out.append(Action(row, b.indicateurs, ch, gain, lines, combined=b.combined, kind=b.kind,
                                      since=b.since, socle=(socle.indicateurs, b.gain)))
        return out

    @staticmethod
    def _meets(lines: pd.DataFrame, codes: set[str]) -> bool:
        """Whether every indicator of `codes` is met in `lines`."""
        return set(lines.loc[lines["atteint"] == OUI, "indicateur"]) >= codes

    def molecule_searches(self, per_row_inds) -> list[_Search]:
        """The targeted molecules' arrival rates that can rise: the smallest move that pays (the first round also
        tries the maximum, 100 %)."""
        searches: list[_Search] = []
        for row, inds in per_row_inds.items():
            if not any(ind.code == MOLECULES_INDICATOR for ind in inds):
                continue
            for position in self.runner._mol_rows.get(row, ()):
                for col, kind in LEVIERS_MOLECULES.items():
                    key = molecule_key(position, col)
                    value = self.current(row, key)
                    if kind != "hausse" or pd.isna(value):
                        continue
                    start = self.start(row, key, 1)
                    if RATE_MAX - start > 0:
                        searches.append(_Search(row, key, start, 1, RATE_MAX - start, 0))
        return searches

    def molecule_actions(self, searches: list[_Search]) -> list[Action]:
        """One action per paying level of a molecule's arrival rate: the floor, if any, and 100 %."""
        out = []
        for s in searches:
            if not s.found or s.top is None:
                continue
            top_gain, top_lines = s.top
            # a floor: the smallest paying move pays more than its share of the gain at the maximum (± 1 cent)
            floor = s.hi < s.maxdist and s.gain_hi * s.maxdist > top_gain * s.hi + s.maxdist
            if floor:
                out.append(Action(s.row, (MOLECULES_INDICATOR,), {s.col: s.value(s.hi)}, s.gain_hi, s.lines_hi,
                                  kind="plancher"))
            if top_gain > (s.gain_hi if floor else 0):
                out.append(Action(s.row, (MOLECULES_INDICATOR,), {s.col: s.value(s.maxdist)}, top_gain, top_lines,
                                  kind="lineaire", since=(s.value(s.hi), s.gain_hi) if floor else None))
        return out

    def combinations(self, per_row_inds, best, singles: list[Action]) -> list[Action]:
        """Changes that pay only together: an indicator's columns together (the BAL and the MSS, the three
        items of the démarche qualité, the malus sub-indicators), then a theme's lost socles together."""
        single_gain: dict[tuple[int, str], int] = {}
        for a in singles:
            for col in a.changes:
                single_gain[(a.row, col)] = max(single_gain.get((a.row, col), 0), a.gain)
        combos: list[tuple[int, tuple[str, ...], dict, int, str]] = []  # row, indicators, changes, floor, kind
        counted: list[tuple[int, _Search]] = []  # (combination, the search of a count it needs)
        for row, inds in per_row_inds.items():
            for ind in inds:
                cols = [c for c in ind.colonnes if c in LEVIERS and ((row, c) in best or self._extreme(row, c)
                                                                      is not None or self._first_level(row, c))]
                # A count that pays nothing alone, searched with the indicator's other changes held: the
                # téléconsultations without the equipment declared were never proposed, nor the items of an
                # écoresponsable level left empty (review)
                counts = [c for c in ind.colonnes if LEVIERS.get(c) == "hausse" and not is_rate(c) and c not in cols]
                if not cols or len(cols) + len(counts) < 2:
                    continue
                changes = {c: self._extreme(row, c) if is_rate(c) else best.get((row, c), self._first_level(row, c))
                           for c in cols}
                changes = {c: v for c, v in changes.items() if v is not None}
                floor = max([single_gain.get((row, c), 0) for c in cols] + [0])
                counted += [(len(combos), s) for c in counts if (s := self.search_for(row, c, floor, changes))]
                combos.append((row, (ind.code,), changes, floor, ""))
            for theme in self.themes or THEME_CODES:
                lost = [ind for ind in inds if ind.theme == theme and self.base_type.get((row, ind.code)) == "socle"
                        and self.base_atteint.get((row, ind.code)) not in (OUI, NEUTRALISE)]
                if len(lost) < 2:
                    continue
                changes = {}
                for ind in lost:
                    for c in ind.colonnes:
                        if c in LEVIERS:
                            v = self._extreme(row, c) if is_rate(c) else best.get((row, c))
                            if v is not None:
                                changes[c] = v
                combos.append((row, tuple(i.code for i in lost), changes, 0, "socles"))
        self.run_searches([search for _, search in counted])
        for j, search in counted:
            if search.found:
                combos[j][2].update(search.changes(search.hi))
        combos = [c for c in combos if len(c[2]) > 1 or c[4] == "socles" and c[2]]
        results = self.evaluate([(row, ch) for row, _, ch, _, _ in combos])
        out: list[Action] = []
        refine: list[tuple[Action, list[_Search]]] = []
        kept = [(c, gain, lines) for c, (gain, lines) in zip(combos, results) if gain > c[3]]
        # a column set to its extreme that the gain does not need is left as it is
        drops = [(j, c) for j, ((row, _, ch, _, _), _, _) in enumerate(kept)
                 for c in ch if is_rate(c)]
        dropped = self.evaluate([(kept[j][0][0], {k: v for k, v in kept[j][0][2].items() if k != c}) for j, c in drops])
        needless = {(j, c) for (j, c), (gain, _) in zip(drops, dropped) if gain >= kept[j][1]}
        for j, ((row, codes, ch, floor, kind), gain, lines) in enumerate(kept):
            ch = {k: v for k, v in ch.items() if (j, k) not in needless}
            a = Action(row, codes, dict(ch), gain, lines, combined=len(ch) > 1, kind=kind)
            # a column set to its extreme is brought back to the smallest move that keeps the gain
            extremes = [c for c in ch if is_rate(c)]
            refine.append((a, [s for c in extremes
                               if (s := self.search_for(row, c, gain - 1, {k: v for k, v in ch.items() if k != c}))]))
            out.append(a)
        self.run_searches([s for _, ss in refine for s in ss])
        redo = []
        for a, ss in refine:
            for s in ss:
                if s.found:
                    a.changes[s.col] = s.value(s.hi)
            if ss:
                redo.append(a)
        for a, (gain, lines) in zip(redo, self.evaluate([(a.row, a.changes) for a in redo])):
            a.gain, a.lines = gain, lines
        return [a for a in out if a.gain > 0]

    def _first_level(self, row: int, col: str):
        """A level left empty, in a combination: the first one (it needs no level validated before); else None."""
        return 1 if LEVIERS.get(col) == "niveau" and pd.isna(self.current(row, col)) else None

    def _extreme(self, row: int, col: str):
        """The farthest value a column can take in the direction that helps (for combinations)."""
        kind = LEVIERS.get(col)
        if kind == "oui":
            return None if bool(self.current(row, col)) else True
        if kind not in ("hausse", "baisse") or not is_rate(col):
            return None
        return 0.0 if kind == "baisse" else float(RATE_MAX) / RATE_UNITS


# --- the table ---------------------------------------------------------------------------------------
def _deadline(col: str, exercice: int, params, activity_end: dt.date | None = None,
              other: dict[str, dt.date] | None = None) -> dt.date:
    """The last day an action on `col` counts for the exercise. What is measured (over the civil year, or the
    billing malus's period) ends with the titulaire's activity (`fin_activite`): after a cession nothing more
    is dispensed or billed by the cédant; what is declared is still declared (the cédant declares on paper).
    `other`: calendar dates read instead of the parameters' (a hypothesis's other reading: `_deadline_readings`)."""
    cal = params.calendrier

    def day(name: str) -> dt.date:
        return (other or {}).get(name) or getattr(cal, name).valeur

    if col == "dqo_autoevaluation":
        return day("fin_autoevaluation_dqo")
    if col in ("dqo_newsletter", "dqo_programme_amelioration"):  # done in the year, as the auto-évaluation (review:
        # they were given the declaration's window), and declared before the window closes
        return min(day("fin_actions_dqo"), day("fin_declaration"))
    if col in declared_columns():
        return day("fin_declaration")
    if col in indicator("malus_qualite_facturation").colonnes:
        measured = day("fin_periode_malus_facturation")
    else:
        measured = dt.date(exercice, 12, 31)  # measured over the civil year of the exercise (molecules too)
    return min(measured, activity_end) if activity_end is not None else measured


def calendar_hypotheses(params) -> list[tuple[str, str, dt.date]]:
    """(key, label, other date) of each date of the exercise's calendar that is a hypothesis with a date as its other
    reading: what « encore possible » may rest on (`_deadline_readings`); read once per exercise."""
    from ..parameters import iter_leaves
    from ..rulebook import alternative_date, hypothesis_label

    out = []
    for key, leaf in iter_leaves(params):
        # the payment dates (`calendrier.versement.*`) are no deadline of an action: the reconciliation reads them
        if (key.startswith("calendrier.") and not key.startswith("calendrier.versement.")
                and leaf.statut == "hypothese" and leaf.alternative):
            alt = alternative_date(leaf.alternative)
            if alt is not None:
                out.append((key, hypothesis_label(key, params), alt))
    return out


def _deadline_readings(cols, year: int, params, end: dt.date | None, today: dt.date, deadline: dt.date,
                       hypotheses: list[tuple[str, str, dt.date]]) -> tuple[str, bool]:
    """(what to say, whether the deadline rests on a hypothesis). The deadline rests on a date of the calendar that is
    a hypothesis (its alternative written « AAAA-MM-JJ : … ») when its other reading gives another deadline. Said when
    that reading would say the other thing at `today` (the programme d'amélioration « non (échéance passée) » on 15/01
    under the reading « in the year », possible until the end of the declaration under the other: review), or when it
    gives an earlier deadline still to come (28/02 under the tool's reading, 31/01 under the other: a titulaire who
    waits for February may lose the gain — review); '' otherwise."""
    said, uncertain = [], False
    for key, label, alt in hypotheses:
        other = min(_deadline(c, year, params, end, {key.split(".", 1)[1]: alt}) for c in cols)
        if other == deadline or today > max(deadline, other):  # the same, or passed under both: nothing rests on it
            continue
        uncertain = True
        if (today <= deadline) == (today <= other):
            if today <= other < deadline:
                said.append(f"échéance du {deadline:%d/%m/%Y} selon la lecture retenue par l'outil (hypothèse "
                            f"« {label} ») ; sous l'autre lecture, le {other:%d/%m/%Y} — avant cette date, l'action compte "
                            "sous les deux lectures")
            continue
        if today <= deadline:
            said.append(f"encore possible selon la lecture retenue par l'outil (hypothèse « {label} ») ; sous l'autre "
                        f"lecture, l'échéance était le {other:%d/%m/%Y}")
        else:
            said.append(f"échéance du {deadline:%d/%m/%Y} selon la lecture retenue par l'outil (hypothèse « {label} ») "
                        f"; sous l'autre lecture, encore possible jusqu'au {other:%d/%m/%Y}")
    return " ; ".join(said), uncertain


# Counts of weeks of the exercise: an action that raises one cannot add more weeks than the calendar still has (ASAFO:
# weeks of the year, or of December, `bups.asafo.periode`). Each such column → (first day of its weeks, words after
# « semaines »), from the rule's own registry.
WEEK_COUNTS = {column: (first, of) for column, first, of in ASAFO_WEEKS.values()}


def weeks_left(year: int, first: tuple[int, int], today: dt.date, deadline: dt.date,
               activity_start: dt.date | None = None) -> int:
    """The calendar weeks (Monday to Sunday) that still have a day from `today` to `deadline`, within the exercise's
    weeks counted from `first` (month, day) and the titulaire's activity: the most a count of weeks can still grow
    (the week of `today` included)."""
    start = max(today, dt.date(year, *first), activity_start or dt.date(year, 1, 1))
    return int(calendar_weeks(start, deadline))


def _weeks_short(g: "_Gains", a: Action, row, year: int, today: dt.date, deadline: dt.date) -> str:
    """Why an action on a count of weeks cannot be done any more though its deadline is not passed: its target is
    above the count now plus the weeks left (« 36 de plus (10 → 46) » on 1 August for an officine installed on
    1 July: review); '' when it can (or is not about weeks)."""
    for col, target in a.changes.items():
        if col not in WEEK_COUNTS:
            continue
        now = g.current(a.row, col)
        if now is None or pd.isna(now):  # unknown today: the weeks already counted may be enough (review: read as 0)
            continue
        now = int(now)
        first, of = WEEK_COUNTS[col]
        left = weeks_left(year, first, today, deadline, _day(row.get("debut_activite")))
        if now + left < int(target):  # (the week of `today` counted as still possible: the file may not have it yet)
            return (f"hors de portée : {int(target)} {agreed(int(target), 'semaine', 'semaines')}{of} demandées, "
                    f"{now} à ce jour et {left} {agreed(left, 'semaine', 'semaines')} encore au calendrier "
                    f"jusqu'au {deadline:%d/%m/%Y}")
    return ""


def _day(value) -> dt.date | None:
    """A date cell of a row as a date; None when empty."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def activity_end(value) -> dt.date | None:
    """A row's `fin_activite` as a date; None when the titulaire was active to the end of the year (empty)."""
    return _day(value)


def deadlines(exercice: int, params, end: dt.date | None = None) -> list[dt.date]:
    """Every deadline an action of this exercise can have (the calendar's, the end of the civil year, and the end
    of the titulaire's activity `end` if any), sorted: what « encore possible » depends on (a report made at another
    date is the same report if no deadline lies between the two dates)."""
    cols = [*LEVIERS, *LEVIERS_MOLECULES]
    return sorted({_deadline(c, exercice, params, end) for c in cols})


def _shown(value) -> str:
    """A value as `gains.csv` writes it: an input with every digit typed (num_exact), a target on the grid."""
    if value is None or (not isinstance(value, (bool, np.bool_)) and pd.isna(value)):
        return ""
    return num_exact(value)


def column_label(g: "_Gains", col: str) -> str:
    """The column as `gains.csv` names it: an input column, or « taux_arrivee_pct (molécule) »."""
    mol = parse_molecule_key(col)
    return col if mol is None else f"{mol[1]} ({g.molecule_name(col)})"


def _named(col: str) -> str:
    """An input column as an action names it: its words, then the column to fill in (« « FSE sécurisées »
    (taux_fse_securisees_pct) »: review, the actions named the column only)."""
    from rosp_lib.inputs.columns import COLUMN_WORDS, MOLECULE_COLUMNS

    words = COLUMN_WORDS.get(col) or next((c.description for c in MOLECULE_COLUMNS if c.name == col), "")
    words = words.removeprefix("déclaré : ")
    return f"« {words} » ({col})" if words else col


def _change_text(g: "_Gains", a: Action) -> str:
    parts = []
    for col, target in a.changes.items():
        now = g.current(a.row, col)
        mol = parse_molecule_key(col)
        if mol is not None:
            parts.append(f"porter {_named(mol[1])} de {g.molecule_name(col)} de {_shown(now)} % à {num(target)} %")
        elif LEVIERS[col] == "oui":
            parts.append(f"passer {_named(col)} à oui" if col not in declared_columns()
                         else f"déclarer {_named(col)[:-1]} : oui)" if _named(col).endswith(")")
                         else f"déclarer {col} (oui)")
        elif is_rate(col) or LEVIERS[col] == "baisse":
            verb = "baisser" if LEVIERS[col] == "baisse" else "porter"
            if pd.isna(now):
                parts.append(f"{verb} {_named(col)} à {num(target)} % (valeur inconnue aujourd'hui)")
            else:
                parts.append(f"{verb} {_named(col)} de {_shown(now)} % à {num(target)} %")
        elif LEVIERS[col] == "niveau":
            parts.append(f"déclarer {_named(col)} = {num(target)} au lieu de {num(now)}")
        else:
            if pd.isna(now):
                parts.append(f"{_named(col)} : {num(target)} (valeur inconnue aujourd'hui)")
            else:
                parts.append(f"{_named(col)} : {int(target) - int(now)} de plus, de {num(now)} à {num(target)}")
    return " et ".join(parts)


def _titles(g: "_Gains", a: Action, codes) -> str:
    """Indicators by their titles for the action's exercise (« Adhésion à la démarche qualité (HCQO) »), as a
    pharmacist reads them; the `indicateur` column keeps the codes."""
    params = g.params[int(g.rows.loc[a.row]["exercice"])]
    return ", ".join(f"« {title(indicator(c), params)} »" for c in codes)


def _remark(g: "_Gains", a: Action, risen: list[str]) -> tuple[str, list[str]]:
    """What the action's gain depends on, said plainly: a socle (the whole theme at stake), the malus, a floor
    (head), and the interactions of the registry (`INTERACTIONS`) of the indicators the change moves (notes)."""
    ind = indicator(a.indicateurs[0])
    head = ""
    if a.kind == "socles":
        head = f"les socles du thème ({_titles(g, a, a.indicateurs)}) ne paient qu'ensemble, tout le thème est en jeu"
    elif a.kind == "plancher":
        head = "rien n'est versé pour cette molécule sous ce taux d'arrivée"
    elif a.kind == "lineaire":
        col = next(iter(a.changes))
        value, gain = a.since or (g.current(a.row, col), 0)
        points = float(a.changes[col]) - float(value)
        alone = a.socle[1] if a.socle else a.gain  # a socle regained is not paid by the points
        head = (f"le montant croît avec le taux d'arrivée{f' à partir de {num(value)} %' if a.since else ''}, "
                f"environ {eur(round((alone - gain) / points))} par point")
    elif g.base_type.get((a.row, ind.code)) == "socle":
        head = "indicateur socle, tout le thème est en jeu"
    elif ind.type_ligne == "malus" or ind.theme == "numerique" and ind.type_ligne == "information":
        head = "réduit le malus"
    if a.socle:
        socle = (f"ne paie qu'avec le socle du thème retrouvé ({_titles(g, a, a.socle[0])}), compté dans le gain ; "
                 f"{eur(a.socle[1])} de plus une fois le socle retrouvé")
        head = f"{socle} ; {head}" if head else socle
    # the interaction of the indicator acted on, and of any other whose amount rose because it reads a changed column
    moved = [c for c in risen if c != ind.code and set(a.changes) & set(indicator(c).colonnes)]
    first = next(iter(a.changes))
    notes = [INTERACTIONS[c] for c in dict.fromkeys([ind.code, *moved]) if c in INTERACTIONS
             and (c != ind.code or a.combined or LEVIERS.get(first) == "niveau")]
    return head, notes


def _action_text(g: "_Gains", a: Action, risen: list[str]) -> tuple[str, str]:
    """(the action as `gains.csv` says it, the remark alone: what the gain depends on)."""
    head, notes = _remark(g, a, risen)
    text = _change_text(g, a) + (f" : {head}" if head else "") + (f" ({' ; '.join(notes)})" if notes else "")
    return text, " ; ".join(x for x in (head, *notes) if x)


def _rests_on(g: _Gains, a: Action) -> tuple[str, tuple[str, ...]]:
    """(statut, hypothesis keys) of a gain: the weakest status of what it rests on, and its hypotheses."""
    # a gain is a difference: it rests on what the amount after the change and the current one rest on (from the
    # lower stability step, an hypothesis, to the upper one, not one: the gain depends on the lower step's reading)
    # — of every line whose amount moves, not only the changed indicator's (a programme d'amélioration regained
    # pays the molecules' premium, an hypothesis), and of every line of a theme whose socle is at stake (the
    # readings of the other socles decide whether the theme pays at all): the ⚠ left those out (audit)
    moved = {i for i, r in g.rises(a.row, a.lines).items() if r} | set(a.indicateurs)
    socle_themes = {indicator(i).theme for i in a.indicateurs if indicator(i).type_ligne == "socle"}
    moved |= {i.code for i in INDICATORS if i.theme in socle_themes}
    # a malus is taken on its theme's amount: its readings weigh on any gain of the theme, even where it is 0
    # (the BUPS malus « urgence » without reference rate: its other reading takes a share of every BUPS gain)
    # — its own readings only: the rest of what it rests on is the theme's, taken by the gain in the same share
    moved_themes = {indicator(i).theme for i in moved}
    malus = {i.code: i.noeud + "." for i in INDICATORS
             if i.theme in moved_themes and i.type_ligne == "malus" and i.code not in a.indicateurs}
    whole = moved - set(malus)
    mine = a.lines[a.lines["indicateur"].isin(whole)]
    statuts = [*mine["statut_regle"], *(s for i in whole for s in g.base_statuts.get((a.row, i), []))] or ["texte"]
    keys = [*(k for h in mine["hypotheses"] for k in list_items(h)),
            *(k for i in whole for k in g.base_hypotheses.get((a.row, i), []))]
    own = a.lines[a.lines["indicateur"].isin(list(malus))]
    for code, h in zip(own["indicateur"], own["hypotheses"]):
        keys += [k for k in list_items(h) if k.startswith(malus[code])]
    keys += [k for code, node in malus.items() for k in g.base_hypotheses.get((a.row, code), []) if k.startswith(node)]
    if any(k.startswith(tuple(malus.values())) for k in keys):
        statuts.append("hypothese")
    return max(statuts, key=lambda s: STATUT_ORDER.get(s, 0)), tuple(dict.fromkeys(keys))


def gains_table(pharmacies: pd.DataFrame, molecules: pd.DataFrame | None = None, parameters: dict | None = None,
                date: dt.date | None = None, scenario=None, themes: tuple[str, ...] | None = None,
                jobs: int | None = 1, progress=None) -> pd.DataFrame:
    """Every action that raises the amount of each pharmacy × exercise of the table, ranked by gain.

    One row per action, the columns of `gains.csv` (`GAINS_COLUMNS`) plus `gain_cents` (int), `changements`
    (column → new value; a molecule's cell by `runner.molecule_key`, a position in `molecules`) and `remarque`
    (what the gain depends on, said plainly). `themes`: search only these themes' indicators (a theme report).
    `gain_cents` is the difference of two `compute` runs, before and after the change: of their totals, or with
    `themes` of the amounts of those themes (what the action adds to the theme a report is about).

    A table of more than CHUNK_ROWS rows is searched CHUNK_ROWS rows at a time, by `jobs` forked processes (None: one
    per core; 1: in this process; always in this process where processes cannot be forked): the same table.
    `progress(n)` is called as each part of n rows is done.
    """
    return _gains_table(pharmacies, molecules, parameters, date, scenario, themes, jobs=jobs, progress=progress)[0]


def search_parts(n: int, workers: int) -> list[tuple[int, int]]:
    """(start, stop) of the parts a table of n rows is searched in: at most CHUNK_ROWS rows each, of equal sizes, as
    many as a multiple of `workers` (60 rows were a part of 50 and one of 10, the second worker idle most of the time:
    measured 1,08 × instead of ≈ 1,6 ×)."""
    parts = -(-n // CHUNK_ROWS)
    parts = min(-(-parts // workers) * workers, n)
    return part_bounds(n, -(-n // max(parts, 1)))


def _gains_table(pharmacies, molecules, parameters, date, scenario, themes,
                 base_lines=None, jobs: int | None = 1, progress=None) -> tuple[pd.DataFrame, "_Gains | None"]:
    if parameters is None:
        parameters = parameters_for(pharmacies["exercice"].unique(), scenario)
    date = date or dt.date.today()
    if len(pharmacies) > CHUNK_ROWS:  # a national file: a few hundred pharmacy-years per pass, memory stays flat
        workers = (jobs or cores()) if can_fork() else 1
        bounds = search_parts(len(pharmacies), workers)

        def part(k: int) -> pd.DataFrame:
            start, stop = bounds[k]
            return gains_table(pharmacies.iloc[start:stop], molecules, parameters, date, themes=themes)

        workers = min(len(bounds), workers)
        found = forked_map(part, len(bounds), workers) if workers > 1 else map(part, range(len(bounds)))
        parts = []
        for (start, stop), table in zip(bounds, found):
            parts.append(table)
            if progress is not None:
                progress(stop - start)
        return pd.concat(parts, ignore_index=True), None
    g = _Gains(pharmacies, molecules, parameters, themes, base_lines, themes_gain=True)
    actions = g.collect()
    declared = declared_columns()
    records = []
    cal_hyps: dict[int, list] = {}
    for a in actions:
        row = g.rows.loc[a.row]
        year = int(row["exercice"])
        params = parameters[year]
        ind = indicator(a.indicateurs[0])
        cols = list(a.changes)
        end = activity_end(row.get("fin_activite"))
        names = [parse_molecule_key(c)[1] if parse_molecule_key(c) else c for c in cols]  # a molecule's: its column
        deadline = min(_deadline(c, year, params, end) for c in names)
        short = _weeks_short(g, a, row, year, date, deadline) if date <= deadline else ""  # passed: said by the date
        if year not in cal_hyps:
            cal_hyps[year] = calendar_hypotheses(params)
        reading, uncertain = _deadline_readings(names, year, params, end, date, deadline, cal_hyps[year])
        nature = "declaratif" if all(c in declared for c in cols) else "mesure"
        statut, keys = _rests_on(g, a)
        action, remark = _action_text(g, a, [i for i, r in g.rises(a.row, a.lines).items() if r > 0])
        # a value the file leaves empty: the search starts from nothing (« inconnu → 1 », 1,00 € for a count of
        # dispensations paid up to a cap: review) — the action is to give the real value
        unknown = [c for c in cols if parse_molecule_key(c) is None and pd.isna(g.current(a.row, c))]
        missing = ("donnée manquante : le fichier ne donne pas cette valeur ; le gain est calculé depuis une valeur "
                   "inconnue — renseignez la valeur réelle de l'exercice : le montant dû en dépend") if unknown else ""
        for said in (missing, short, reading):  # said in the action too: gains.csv has no remark column
            if said:
                remark = f"{remark} ; {said}" if remark else said
                action = f"{action} — {said}"
        records.append({
            "pharmacie_id": row["pharmacie_id"], "exercice": year, "_row": a.row,
            "_ordre": THEME_CODES.index(ind.theme) * 1000 + [i.code for i in INDICATORS].index(ind.code),
            "theme": ind.theme, "indicateur": " + ".join(a.indicateurs) if a.kind == "socles" else ind.code,
            "action": action,
            "colonne": " + ".join(column_label(g, c) for c in cols),
            "valeur_actuelle": " ; ".join(_shown(g.current(a.row, c)) for c in cols),
            "valeur_cible": " ; ".join(_shown(a.changes[c]) for c in cols),
            "gain_cents": int(a.gain), "nature": nature, "echeance": deadline.isoformat(),
            "encore_possible": "oui" if date <= deadline and not short else "non",
            "statut_regle": statut, "changements": dict(a.changes), "remarque": remark, "hypotheses": keys,
            "echeance_hypothese": uncertain,
        })
    columns = [*GAINS_COLUMNS, "gain_cents", "changements", "remarque", "hypotheses", "echeance_hypothese"]
    if not records:
        return pd.DataFrame(columns=columns), g
    out = pd.DataFrame.from_records(records)
    out = out.sort_values(["_row", "gain_cents", "_ordre", "colonne"], ascending=[True, False, True, True],
                          kind="stable")
    out["rang"] = out.groupby("_row").cumcount() + 1
    out["gain_eur"] = money.cents_to_str(out["gain_cents"].to_numpy())
    return out[columns].reset_index(drop=True), g


def _one(pharmacies: pd.DataFrame, pharmacie_id: str, exercice: int) -> pd.DataFrame:
    return pharmacies[(pharmacies["pharmacie_id"] == pharmacie_id) & (pharmacies["exercice"] == exercice)]


def gains_for(pharmacies: pd.DataFrame, molecules: pd.DataFrame | None, pharmacie_id: str, exercice: int,
              parameters: dict | None = None, date: dt.date | None = None, theme: str | None = None) -> pd.DataFrame:
    """The gains table of one pharmacy × exercise, or of one of its themes (only that theme's indicators are
    searched). Columns: those of `gains_table`."""
    return gains_table(_one(pharmacies, pharmacie_id, exercice), molecules, parameters, date,
                       themes=(theme,) if theme else None)


@dataclass
class ReportGains:
    """What a report says the pharmacy can still gain: the actions, and the total within reach."""

    table: pd.DataFrame  # gains_table's columns
    date: dt.date
    actuel_cents: int  # the amount now (the theme's, or the total)
    a_portee_cents: int  # what every action still possible adds, applied together (one more run)
    sans_effet: tuple[int, ...] = ()  # ranks of the actions still possible whose every change is another's, better


def gains_under(runner: Runner, rows, changes: list[dict], parameters: dict, theme: str | None = None) -> np.ndarray:
    """Each action's gain (cents) with other parameters: the changes `changes[i]` to the runner's row `rows[i]`, two
    runs' difference as `gains_table`'s (each row's own run once)."""
    rows = [int(r) for r in rows]
    bases = sorted(set(rows))
    variants = [(r, {}) for r in bases] + [(r, dict(ch)) for r, ch in zip(rows, changes)]
    lines = runner.lines(variants, parameters)
    if theme is not None:
        lines = lines[lines["theme"] == theme]
    totals = Runner.totals_of(lines, len(variants))
    before = dict(zip(bases, totals[:len(bases)].tolist()))
    return totals[len(bases):] - np.array([before[r] for r in rows], dtype=np.int64)


def priced_readings(pharmacies: pd.DataFrame, molecules: pd.DataFrame | None, gains: pd.DataFrame, readings,
                    parameters: dict) -> pd.DataFrame:
    """`gains` (rows of `gains_table`, of any pharmacy-years of `pharmacies`, searched with `molecules`) with their
    hypotheses kept to those that change them (`_readings_that_move`): each priced under the alternative reading of
    every hypothesis it names. `readings(key, exercice)`: the parameters (by exercise) of that reading, or None."""
    named = sorted({k for ks in gains["hypotheses"] for k in ks})
    if not named:  # nothing to price: no run
        return gains.assign(autres_lectures=[() for _ in range(len(gains))])
    keys = pd.MultiIndex.from_arrays([gains["pharmacie_id"], gains["exercice"].astype(int)]).unique()
    wanted = pd.MultiIndex.from_arrays([pharmacies["pharmacie_id"], pharmacies["exercice"].astype(int)]).isin(keys)
    runner = Runner(pharmacies[wanted], molecules, parameters)
    pos = {k: i for i, k in enumerate(zip(runner.rows["pharmacie_id"], runner.rows["exercice"].astype(int)))}
    rows = np.array([pos[(p, int(y))] for p, y in zip(gains["pharmacie_id"], gains["exercice"])], dtype=np.int64)
    years = gains["exercice"].astype(int).to_numpy()
    under: dict[str, np.ndarray] = {}
    for key in named:
        priced = np.full(len(gains), None, dtype=object)
        for year in sorted(set(years.tolist())):
            sel = (years == year) & np.array([key in ks for ks in gains["hypotheses"]], dtype=bool)
            other = readings(key, year) if sel.any() else None
            if other is not None:
                priced[sel] = gains_under(runner, rows[sel], list(gains["changements"][sel]), other).tolist()
        under[key] = priced
    return _readings_that_move(gains, under)


def _readings_that_move(table: pd.DataFrame, under: dict[str, np.ndarray]) -> pd.DataFrame:
    """The gains' hypotheses kept to those their amount depends on: a hypothesis whose alternative reading
    (`under`: key → each action's gain under it, None where not priced) gives the same gain is left out — the ⚠ of a gain of 820 € named
    readings under which it is 820 € too (review); one without a priced alternative stays, its effect unknown.
    `autres_lectures`: (key, gain under its alternative) of those that move it. A gain left with no hypothesis
    is no longer « hypothese »: « source », the weakest status a gain can have short of one (its other readings are
    of texts or sources, which the report does not tell apart for a gain)."""
    kept, others, statuts = [], [], []
    for i, (keys, gain, statut) in enumerate(zip(table["hypotheses"], table["gain_cents"], table["statut_regle"])):
        priced = {k: under[k][i] for k in keys if k in under and under[k][i] is not None}
        mine = tuple(k for k in keys if k not in priced or int(priced[k]) != int(gain))
        kept.append(mine)
        others.append(tuple((k, int(priced[k])) for k in mine if k in priced))
        statuts.append("source" if statut == "hypothese" and keys and not mine else statut)
    return table.assign(hypotheses=kept, autres_lectures=others, statut_regle=statuts)


def report_gains(pharmacies: pd.DataFrame, molecules: pd.DataFrame | None, pharmacie_id: str, exercice: int,
                 parameters: dict | None = None, date: dt.date | None = None, theme: str | None = None,
                 lines: pd.DataFrame | None = None, readings=None) -> ReportGains:
    """`gains_for` and the total within reach of its actions, sharing one runner (for the reports: computed
    once per report; a theme report searches only its theme). `lines`: the pharmacy-year's lines as `compute`
    gave them with the same parameters, when the caller has them (not computed again). `readings`: a function of a
    hypothesis key giving the parameters (by exercise) of its alternative reading, or None without one: each gain is
    priced under those its hypotheses name, and keeps only the hypotheses that change it (`_readings_that_move`;
    column `autres_lectures`)."""
    date = date or dt.date.today()
    rows = _one(pharmacies, pharmacie_id, exercice).reset_index(drop=True)
    table, g = _gains_table(rows, molecules, parameters, date, None, (theme,) if theme else None, lines)
    runner = g.runner if g is not None else Runner(rows, molecules, parameters or parameters_for([exercice]))
    if readings is not None and len(table):
        under = {}
        for key in sorted({k for keys in table["hypotheses"] for k in keys}):
            other = readings(key)
            if other is not None:
                under[key] = gains_under(runner, [0] * len(table), list(table["changements"]), other, theme)
        table = _readings_that_move(table, under)
    possible = table[table["encore_possible"] == "oui"].sort_values("gain_cents", ascending=False, kind="stable")
    changes: dict = {}
    superseded = []  # for a column moved by several actions, the value of the one that pays most alone
    for rank, ch in zip(possible["rang"], possible["changements"]):
        if ch and all(col in changes for col in ch):
            superseded.append(int(rank))
        for col, value in ch.items():
            changes.setdefault(col, value)
    superseded = tuple(sorted(superseded))
    base = runner.base_lines
    now = base if theme is None else base[base["theme"] == theme]
    actuel = int(now["montant_cents"].sum())
    if not changes:
        return ReportGains(table, date, actuel, 0)
    if len(possible) and changes == possible["changements"].iloc[0]:  # one action: its own run already says it
        return ReportGains(table, date, actuel, int(possible["gain_cents"].iloc[0]), superseded)
    after = runner.lines([(0, changes)])
    if theme is not None:  # what the actions add to the theme, as each one's gain
        after = after[after["theme"] == theme]
    return ReportGains(table, date, actuel, int(Runner.totals_of(after, 1)[0] - actuel), superseded)


def within_reach(pharmacies: pd.DataFrame, molecules: pd.DataFrame | None, gains: pd.DataFrame,
                 parameters: dict | None = None) -> pd.DataFrame:
    """The total within reach of each pharmacy × exercise: one more run of the rules with every action still
    possible applied together (for a column moved by several actions, the one that pays most alone).
    `molecules` must be the table the gains were searched with (a molecule's change names its position).

    One row per pharmacy × exercise of `pharmacies`: pharmacie_id, exercice, actuel_cents, a_portee_cents (what
    the actions still possible add, socles and malus included)."""
    if parameters is None:
        parameters = parameters_for(pharmacies["exercice"].unique())
    runner = Runner(pharmacies, molecules, parameters)
    pos = {(p, int(e)): i for i, (p, e) in enumerate(zip(runner.rows["pharmacie_id"], runner.rows["exercice"]))}
    changes: dict[int, dict] = {i: {} for i in range(len(runner.rows))}
    possible = gains[gains["encore_possible"] == "oui"].sort_values("gain_cents", ascending=False, kind="stable")
    for pid, year, ch in zip(possible["pharmacie_id"], possible["exercice"], possible["changements"]):
        mine = changes[pos[(pid, int(year))]]
        for col, value in ch.items():
            mine.setdefault(col, value)
    variants = [(i, ch) for i, ch in changes.items()]
    after = Runner.totals_of(runner.lines(variants), len(variants))
    return pd.DataFrame({
        "pharmacie_id": runner.rows["pharmacie_id"].to_numpy(),
        "exercice": runner.rows["exercice"].to_numpy(dtype=np.int64),
        "actuel_cents": runner.base_totals,
        "a_portee_cents": after - runner.base_totals,
    })


def gains_for_output(gains: pd.DataFrame) -> pd.DataFrame:
    return gains[GAINS_COLUMNS]
