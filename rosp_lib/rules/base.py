"""What every theme's rules share: the context they read inputs through, the block of one indicator,
threshold comparisons, and the order of docs/regles.md applied to a theme's blocks (socle gate, prorata of
forfaits, malus on the sum)."""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np
import pandas as pd
from pydantic import BaseModel

from ..lines import money
from ..lines.formatting import eur, num
from ..lines.text import (_SMALL, MANQUANT, NEUTRALISE, NEUTRALISE_NOTE, NON, OUI, SEP, coded,
                          current_exact, filled, misstated_rows, per_distinct, pick)
from ..parameters import ExerciseParameters, Leaf, Seuil, unit
from ..registry import indicator


@dataclass
class ExactColumn:
    """A rate column's exact values, coded once per exercise (`Context.exact_column`): `compare` tests each
    distinct value once, and the lines show the exact value on the rows whose float misstates it."""

    values: np.ndarray  # Decimal or None, per row
    coding: tuple[np.ndarray, np.ndarray] | None  # text.coded(values); None for a few rows (tested one by one)
    misstated: np.ndarray  # the rows whose float misstates the value (text.float_misstates): none normally


class Rate(np.ndarray):
    """A rate column as floats (for display and arithmetic) that keeps the exact decimals the user typed, so
    that a threshold test is exact: `84,99999999999999999` is below 85 even though its float is 85.0, and
    the line shows 84,99999999999999999 (`with_exact`). Only the column itself compares exactly and shows
    its exact values; an array derived from it is a plain float array."""

    exact: np.ndarray | None = None
    column: ExactColumn | None = None

    def __array_finalize__(self, obj):
        self.exact = None
        self.column = None


def with_exact(out: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`out` (an object array, row for row the column `values`) with the exact Decimal on the rows of a rate
    column whose float misstates the value; unchanged otherwise (the normal case)."""
    column = getattr(values, "column", None)
    if column is not None and len(column.misstated):
        out[column.misstated] = column.values[column.misstated]
    return out


def shown(values: np.ndarray) -> np.ndarray:
    """A rate column as the lines show it: the floats, or an object array with the exact Decimal on the rows
    whose float misstates the value."""
    column = getattr(values, "column", None)
    if column is None or not len(column.misstated):
        return values
    return with_exact(np.asarray(values, dtype=object), values)


COMPARISONS = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}


def compare(values: np.ndarray, seuil: Seuil, threshold=None) -> np.ndarray:
    """values <comparaison> threshold, False where the value is unknown (NaN); exact on a `Rate` column."""
    return compare_to(values, seuil.comparaison, seuil.valeur if threshold is None else threshold)


def compare_to(values: np.ndarray, comparaison: str, threshold) -> np.ndarray:
    """values <comparaison> threshold (a number: a parameter's value or one computed from parameters), False where
    the value is unknown (NaN); exact on a `Rate` column."""
    op = COMPARISONS[comparaison]
    exact = getattr(values, "exact", None)
    if exact is not None:
        t = threshold if isinstance(threshold, Decimal) else Decimal(str(threshold))
        column = getattr(values, "column", None)
        if column is not None and column.coding is not None:
            codes, distinct = column.coding  # coded once per exercise (`Context.exact_column`)
        elif len(exact) <= _SMALL:  # a few rows: each tested, without pandas' fixed cost (see lines.text._SMALL)
            return np.array([d is not None and d == d and bool(op(d, t)) for d in exact], dtype=bool)
        else:
            codes, distinct = pd.factorize(exact, use_na_sentinel=False)
        met = np.array([d is not None and d == d and bool(op(d, t)) for d in distinct], dtype=bool)
        return met[codes] if len(codes) else np.zeros(0, dtype=bool)
    t = float(threshold)
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return op(values, t) & ~np.isnan(values)


def compare_columns(a: np.ndarray, b: np.ndarray, comparaison: str) -> np.ndarray:
    """a <comparaison> b row by row, False where either is unknown; exact on two `Rate` columns (2,9999999999999999999
    is below 3 even though their floats are equal)."""
    op = COMPARISONS[comparaison]
    ea, eb = getattr(a, "exact", None), getattr(b, "exact", None)
    if ea is not None and eb is not None:
        return np.fromiter((x is not None and y is not None and bool(op(x, y)) for x, y in zip(ea, eb)), bool, len(ea))
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(invalid="ignore"):
        return op(a, b) & ~np.isnan(a) & ~np.isnan(b)


def compare_fraction(num: np.ndarray, den: np.ndarray, seuil: Seuil, scale: int = 1) -> np.ndarray:
    """Exact test of (num / den) × scale <comparaison> threshold, in integers; False where den is 0."""
    f = money.fraction(seuil.valeur)
    num = np.asarray(num, dtype=np.int64)
    den = np.asarray(den, dtype=np.int64)
    lhs = money.exact_product(num, scale * f.denominator)  # exact, whatever the threshold's decimals
    rhs = money.exact_product(den, f.numerator)
    out = {">=": lhs >= rhs, ">": lhs > rhs, "<": lhs < rhs, "<=": lhs <= rhs}[seuil.comparaison]
    return out.astype(bool) & (den > 0)


def seuil_text(seuil: Seuil, unit: str = " %") -> str:
    return f"{seuil.symbole} {num(seuil.valeur)}{unit}"


def activity_days(debut, fin, exercice) -> np.ndarray:
    """Days of activity of each row in its exercise: from `debut_activite` (empty: 1 January) to `fin_activite`
    (empty: 31 December), both included. `exercice`: one year, or one per row. The validated table's dates are
    datetime64 and are read in numpy (a pandas version cost ≈ 1,5 ms a call, measured)."""
    debut, fin = (np.asarray(pd.to_datetime(pd.Series(d)) if np.asarray(d).dtype.kind != "M" else d,
                             dtype="datetime64[D]") for d in (debut, fin))
    year = np.asarray(exercice, dtype=np.int64) - 1970
    start = year.astype("datetime64[Y]").astype("datetime64[D]")
    end = (year + 1).astype("datetime64[Y]").astype("datetime64[D]") - np.timedelta64(1, "D")
    debut = np.where(np.isnat(debut), start, debut)
    fin = np.where(np.isnat(fin), end, fin)
    return ((fin - debut) // np.timedelta64(1, "D") + 1).astype(np.int64)


def activity_window(debut, fin, exercice, first: tuple[int, int] = (1, 1)) -> tuple[np.ndarray, np.ndarray]:
    """(first, last day) of activity of each row within the part of its exercise from `first` (month, day) to 31
    December: `activity_days`'s period, cut to that window (last < first: no day of activity in it)."""
    debut, fin = (np.asarray(pd.to_datetime(pd.Series(d)) if np.asarray(d).dtype.kind != "M" else d,
                             dtype="datetime64[D]") for d in (debut, fin))
    year = np.asarray(exercice, dtype=np.int64)
    # the window's first day, in numpy: a date written per row cost 15 ms per 20 000 rows (measured)
    month = ((year - 1970) * 12 + first[0] - 1).astype("datetime64[M]")
    window = month.astype("datetime64[D]") + np.timedelta64(first[1] - 1, "D")
    end = (year - 1970 + 1).astype("datetime64[Y]").astype("datetime64[D]") - np.timedelta64(1, "D")
    start = np.where(np.isnat(debut) | (debut < window), window, debut)
    return start, np.where(np.isnat(fin) | (fin > end), end, fin)


def calendar_weeks(start, end) -> np.ndarray:
    """The calendar weeks (Monday to Sunday) that have a day from `start` to `end`, both included (dates, or arrays of
    them); 0 where `end` is before `start`. What a count of « semaines » of connection can reach in that period."""
    start, end = np.asarray(start, dtype="datetime64[D]"), np.asarray(end, dtype="datetime64[D]")
    monday = start - ((start.astype(np.int64) + 3) % 7).astype("timedelta64[D]")  # 1 January 1970: a Thursday
    return np.where(end >= start, (end - monday) // np.timedelta64(7, "D") + 1, 0).astype(np.int64)


@dataclass
class Block:
    """One indicator for every pharmacy of the exercise (arrays of length n).

    Its French title comes from the registry; the parameter leaves its rule read (`reads`, dotted path →
    leaf) and the input columns (`columns`) are recorded by the tracer of `Context.rule`, never listed by
    hand. `row_reads` are leaves that only some rows depend on (prorata, socle gate, malus, a reading
    that applies to a few pharmacies).
    """

    indicateur: str
    valeur: object  # array or scalar
    seuil: object
    atteint: np.ndarray
    cents: np.ndarray
    note: object = ""
    manquant: np.ndarray | None = None
    socle: bool = False  # a prerequisite of the theme
    decides: bool = False  # a socle of the registry, required or not this exercise: its state decides the gate
    type_ligne: str = "indicateur"  # indicateur, socle, malus, information
    rows: np.ndarray | None = None  # positions of the pharmacies, when not one line per pharmacy
    extra_notes: list = field(default_factory=list)  # (mask, notes of the rows of mask) added to those rows
    reads: dict = field(default_factory=dict)  # dotted path → Leaf: the leaves the rule read, for every row
    columns: tuple = ()  # the input columns the rule read
    row_reads: list = field(default_factory=list)  # (mask, {path: Leaf}): leaves read for these rows only
    entrees: object = None  # the inputs shown on each line, when the rule says them itself (molecule lines)
    socles_perdus: object = ""  # per row: the theme's socles not met (codes), "" when none
    points: np.ndarray | None = None  # a sub-indicator's points, for the malus that sums them

    def depends(self, mask: np.ndarray, reads: dict) -> None:
        """These rows' amounts also depend on `reads`."""
        mask = np.asarray(mask, dtype=bool)
        if reads and mask.any():
            self.row_reads.append((mask, dict(reads)))

    def reads_by_pharmacy(self, n: int, lines: np.ndarray | None = None, first_row_reads: int | None = None
                          ) -> Iterator[tuple[np.ndarray, dict]]:
        """What this block's `lines` (all by default) read, as (pharmacies, leaves): the leaves read for every line,
        and those read for some lines only (`row_reads`, the first `first_row_reads` of them when given: those of
        the rule itself); a block of one line per molecule (`rows`) gives its lines' pharmacies."""
        lines = np.ones(len(self.cents), dtype=bool) if lines is None else lines

        def pharmacies(mask: np.ndarray) -> np.ndarray:
            if self.rows is None:
                return mask
            out = np.zeros(n, dtype=bool)
            out[self.rows[mask]] = True
            return out

        if self.reads:
            yield pharmacies(lines), self.reads
        for mask, reads in self.row_reads[:first_row_reads]:
            yield pharmacies(lines & mask), reads


class Trace:
    """What a rule read: parameter leaves (by dotted path) and input columns."""

    def __init__(self):
        self.reads: dict[str, Leaf] = {}
        self.columns: dict[str, None] = {}
        self.row_reads: list[tuple[np.ndarray, dict]] = []
        self.mask: np.ndarray | None = None

    def leaf(self, path: str, leaf: Leaf) -> None:
        if self.mask is None:
            self.reads[path] = leaf
        else:
            self.row_reads.append((self.mask, {path: leaf}))


class Traced:
    """A parameter node seen through the tracer: reading a leaf records its path (OpenFisca's tracer).

    Properties of the node (`Indicateur.actif`) run on the traced view, so what they read is recorded too.
    """

    __slots__ = ("_node", "_path", "_ctx")

    def __init__(self, node, path: str, ctx: "Context"):
        self._node, self._path, self._ctx = node, path, ctx

    def __getattr__(self, name: str):
        node = self._node
        attr = getattr(type(node), name, None)
        if isinstance(attr, property):
            return attr.fget(self)
        value = getattr(node, name)
        path = f"{self._path}.{name}" if self._path else name
        if isinstance(value, Leaf):
            if self._ctx.trace is not None:
                self._ctx.trace.leaf(path, value)
            return value
        if isinstance(value, BaseModel):
            return Traced(value, path, self._ctx)
        return value


NON_EXIGE_NOTE = "socle non exigé pour cet exercice : versé s'il est atteint, sans effet sur le reste du thème"


def socle_state(ind, block: Block) -> Block:
    """A socle's block as its state makes it: `actif` gates the theme; `non_exige` (docs/regles.md) does
    not — its own amount is still paid when met, and failing it costs only that amount."""
    block.socle = ind.exige
    block.decides = True
    block.type_ligne = "socle" if ind.exige else "indicateur"  # not required: an indicator paid when met, this year
    if not ind.exige:
        block.extra_notes.append((np.ones(len(block.atteint), dtype=bool), filled(len(block.atteint), NON_EXIGE_NOTE)))
    return block


@dataclass
class Context:
    """One exercise's pharmacies and parameters, with the helpers themes read inputs through."""

    df: pd.DataFrame
    params: ExerciseParameters

    def __post_init__(self):
        self.n = len(self.df)
        self._arrays: dict[str, np.ndarray] = {}
        self._exact: dict[str, ExactColumn | None] = {}
        self.trace: Trace | None = None
        self.p = Traced(self.params, "", self)  # what the rules read the parameters through
        # The rounding mode, read untraced here: `cents` records it on the lines it changes (an exact half cent).
        self.mode = self.params.general.arrondi.valeur
        year = self.params.exercice
        start = pd.Timestamp(year, 1, 1)
        end = pd.Timestamp(year, 12, 31)
        self.days_in_year = int((end - start).days + 1)
        self.days_active = activity_days(self.array("debut_activite"), self.array("fin_activite"), year)

    # --- the tracer ------------------------------------------------------------------------------
    def rule(self, fn: Callable, *args) -> list[Block]:
        """Run one rule (a function returning a block, a list of blocks or None) under a fresh trace: every
        block it returns gets the leaves and columns it read."""
        outer, self.trace = self.trace, Trace()
        try:
            out = fn(self, *args)
        finally:
            trace, self.trace = self.trace, outer
        blocks = [] if out is None else list(out) if isinstance(out, (list, tuple)) else [out]
        for b in blocks:
            b.reads = {**trace.reads, **b.reads}
            b.columns = tuple(dict.fromkeys((*trace.columns, *b.columns)))
            b.row_reads = [*trace.row_reads, *b.row_reads]
        return blocks

    @contextmanager
    def for_rows(self, mask: np.ndarray) -> Iterator[None]:
        """Leaves read inside this block are read for the rows of `mask` only."""
        trace = self.trace
        if trace is None:
            yield
            return
        before, trace.mask = trace.mask, np.asarray(mask, dtype=bool)
        try:
            yield
        finally:
            trace.mask = before

    def cents(self, amounts: Callable[[str], np.ndarray]) -> np.ndarray:
        """`amounts(mode)`, the cents of a block's lines rounded in a mode of `money`, in this exercise's mode. The
        lines whose cents the other reading of `general.arrondi` would change (an exact half cent) read it: recorded
        for them by the tracer, so that their `hypotheses` name it (the same arithmetic twice: whole-array integer
        operations, a small cost beside the rule's texts)."""
        cents = amounts(self.mode)
        changed, _ = self.rounding_changes(cents, amounts)
        if changed.any():
            with self.for_rows(changed):
                self.p.general.arrondi  # noqa: B018 - recorded by the tracer for these lines
        return cents

    def rounding_changes(self, cents: np.ndarray, amounts: Callable[[str], np.ndarray]) -> tuple[np.ndarray, dict]:
        """The rows whose `cents` the other rounding reading changes, and the leaf they then depend on: for `cents`,
        and for a step outside a rule's trace (`finish_theme`, through `Block.depends`)."""
        return np.asarray(cents != amounts(money.OTHER_MODE[self.mode])), self.reads_of("general.arrondi")

    def reads_of(self, path: str) -> dict:
        """{path: leaf} for one leaf, read outside any rule (the order of the theme reads it)."""
        node = self.params
        for part in path.split("."):
            node = getattr(node, part)
        return {path: node}

    def array(self, col: str) -> np.ndarray:
        """The column's values (`df[col].to_numpy()`), taken from the frame once per exercise and shared by
        the rules and the lines' « entrees » (not traced). Taking a column from a DataFrame costs ≈ 60 µs
        whatever its length: twice ≈ 45 columns was ≈ 10 % of a one-row `compute` (measured)."""
        values = self._arrays.get(col)
        if values is None:
            values = self._arrays[col] = self.df[col].to_numpy()
        return values

    def _column(self, col: str) -> np.ndarray:
        if self.trace is not None:
            self.trace.columns[col] = None
        return self.array(col)

    def exact_column(self, col: str) -> ExactColumn | None:
        """The exact values of a rate column (the reader keeps every rate as an exact Decimal too), coded once per
        exercise for every rule and line that reads them; None for a column without (not traced)."""
        if col not in self._exact:
            name = col + "_exact"
            column = None
            if name in self.df.columns:
                values = np.asarray(self.array(name), dtype=object)
                coding = coded(values) if len(values) > _SMALL else None
                fresh = current_exact(values, self.array(col), coding)  # a float changed since the reading
                if fresh is not values:
                    values, coding = fresh, coded(fresh) if coding is not None else None
                column = ExactColumn(values, coding, misstated_rows(values, coding))
            self._exact[col] = column
        return self._exact[col]

    def rate(self, col: str) -> tuple[np.ndarray, np.ndarray]:
        v = np.asarray(self._column(col), dtype=float).view(Rate)
        column = self.exact_column(col)
        if column is not None:
            v.exact, v.column = column.values, column
        return v, np.isnan(np.asarray(v))

    def count(self, col: str) -> tuple[np.ndarray, np.ndarray]:
        v = np.asarray(self._column(col), dtype=float)
        missing = np.isnan(v)
        return np.where(missing, 0, v).astype(np.int64), missing

    def flag(self, col: str) -> np.ndarray:
        return np.asarray(self._column(col), dtype=bool)

    def zeros(self) -> np.ndarray:
        return np.zeros(self.n, dtype=np.int64)

    def const(self, value) -> np.ndarray:
        return filled(self.n, value)

    def cents_if(self, mask: np.ndarray, amount) -> np.ndarray:
        return np.where(mask, money.euros_to_cents(amount), 0).astype(np.int64)

    def labels(self, ok: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
        out = pick(ok, OUI, NON)
        if missing is not None:
            out[missing] = MANQUANT
        return out

    def neutralised(self, code: str, socle: bool = False) -> Block:
        return Block(code, None, "", self.const(NEUTRALISE), self.zeros(), NEUTRALISE_NOTE, socle=socle,
                     type_ligne="socle" if socle else "indicateur")

    def yes_no(self, values: np.ndarray) -> np.ndarray:
        return pick(values, "oui", "non")



def _deciding(reads: dict) -> dict:
    """What decides whether a socle is met among the leaves its rule read: not its amount in euros (a scenario that
    changes the exercice coordonné's 820 € does not change whether the theme's other lines are paid)."""
    return {k: leaf for k, leaf in reads.items() if not unit(leaf.unite).euros}


def finish_theme(
    ctx: Context,
    theme: str,
    blocks: list[Block],
    malus: Callable[[Context, np.ndarray], Block | None] | None = None,
) -> list[Block]:
    """Prorata of forfaits → socle gate → malus on the theme's sum (the rule book's order).

    Each step records, on the rows it changes or could change, the leaves it read: a prorated line
    depends on the prorata reading, a line the socle gate could void on every socle's leaves, the
    malus on the leaves of every line of the sum.
    """
    if not blocks:
        return []
    # What each rule read for some rows, before the steps below add theirs: whether a socle is met depends on these.
    rule_row_reads = {id(b): len(b.row_reads) for b in blocks}
    prorata = ctx.params.general.prorata_forfaits
    partial = ctx.days_active < ctx.days_in_year
    if partial.any():
        for b in blocks:
            forfait = indicator(b.indicateur)  # which amounts are forfaits: the registry's (docs/regles.md)
            if forfait.forfait and b.rows is None and (b.cents[partial] > 0).any():
                full = b.cents.copy()
                concerned = partial & (full > 0)
                # Only the partial-year pharmacies read the prorata reading: their lines alone depend on it. A line
                # under a second reading (`prorata_cle`) is prorated when both say so: it depends on the one that
                # switching would change (both when both say yes; only the other when one says no; both when both
                # say no, each being needed) — not on a reading the other has already made moot (review).
                own = ctx.reads_of(forfait.prorata_cle) if forfait.prorata_cle else {}
                own_yes = all(leaf.valeur for leaf in own.values())
                if own_yes or not prorata.valeur:
                    b.depends(concerned, ctx.reads_of("general.prorata_forfaits"))
                if own and (prorata.valeur or not own_yes):
                    b.depends(concerned, own)
                if not prorata.valeur or not own_yes:
                    continue
                def prorated(mode: str, full=full) -> np.ndarray:
                    scaled = money.round_ratio(full * ctx.days_active, np.full(ctx.n, ctx.days_in_year), mode)
                    return np.where(partial, scaled, full)

                b.cents = prorated(ctx.mode)
                b.depends(*ctx.rounding_changes(b.cents, prorated))
                b.extra_notes.append((concerned, per_distinct(
                    lambda f, d, c: f"proratisé au temps d'activité : {eur(f)} × {d}/{ctx.days_in_year} j = {eur(c)}",
                    full[concerned], ctx.days_active[concerned], b.cents[concerned])))
    socles = [b for b in blocks if b.socle]
    # A socle « non exigé » does not gate, but its state decides that: the lines depend on it as well.
    deciders = [b for b in blocks if b.socle or b.decides]
    if deciders:
        failed = np.zeros(ctx.n, dtype=np.int64)  # bit j set: the pharmacy misses socles[j]
        for j, b in enumerate(socles):
            failed |= (~np.isin(b.atteint, [OUI, NEUTRALISE])).astype(np.int64) << j

        def names(bits, sep: str = ", ") -> str:
            return sep.join(s.indicateur for j, s in enumerate(socles) if bits >> j & 1)

        for b in blocks:
            bits = failed if b.rows is None else failed[b.rows]
            positive = b.cents > 0
            for s in deciders:  # an amount the gate could void depends on what decides every socle
                if s is not b:
                    for where, reads in s.reads_by_pharmacy(ctx.n, first_row_reads=rule_row_reads[id(s)]):
                        b.depends(positive & (where if b.rows is None else where[b.rows]), _deciding(reads))
            lost = (bits != 0) & positive
            b.socles_perdus = per_distinct(lambda x: names(x, SEP) if x else "", bits)  # a list cell, as the report reads it
            if lost.any():
                before = b.cents
                b.cents = np.where(bits == 0, b.cents, 0)
                b.extra_notes.append((lost, per_distinct(  # once per distinct (socles, amount): forfaits repeat
                    lambda x, c: f"socle non atteint ({names(x)}) : {eur(c)} non versés, thème à 0 €",
                    bits[lost], before[lost])))
    if malus is not None:
        total = np.zeros(ctx.n, dtype=np.int64)
        for b in blocks:
            if b.rows is None:
                total += b.cents
            else:
                np.add.at(total, b.rows, b.cents)
        for line in ctx.rule(malus, total):
            applied = line.cents != 0
            for b in blocks:  # the malus is a share of the sum: it depends on what each line of the sum read
                for paid, reads in b.reads_by_pharmacy(ctx.n, b.cents != 0):
                    line.depends(applied & paid, reads)
            blocks = [*blocks, line]
    return blocks
