"""Result lines: the single currency between the calculations, the files and the reports.

`assemble` turns the blocks of every theme (rosp_lib.rules) into lines, one per pharmacy ×
indicator, and `lines_frame` puts the lines of every exercise into the long-format table of the
input contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from ..parameters import Kind, Leaf, unit
from ..registry import indicator
from ..rulebook import title
from ..rules.base import Block, Context, ExactColumn, with_exact
from .formatting import num_exact
from .text import _SMALL, SEP, VIDE, _append, _keys, filled, per_distinct

LINE_COLUMNS = [
    "pharmacie_id", "exercice", "theme", "indicateur", "libelle", "valeur", "seuil", "atteint",
    "montant_eur", "statut_regle", "source", "note", "donnee_manquante", "type_ligne",
    "entrees", "hypotheses", "scenario",
]
LINE_AMOUNTS = ("montant_eur",)  # the amounts of lignes.csv, written as texts « -12.50 » (csvfile.write_csv numbers)

_STATUS_ORDER = {"texte": 0, "source": 1, "hypothese": 2}


def hypothesis_note(key: str, leaf: Leaf) -> str:
    return f"hypothèse {key} ({leaf.libelle}) — alternative : {leaf.alternative}"


def leaf_status(leaf: Leaf) -> str:
    """A leaf's status as a line counts it: a value a user's scenario replaced is the user's hypothesis, whatever the
    status of the value it replaces (a what-if amount of 900 € was `source`, citing the guide that says 820 €: review)."""
    return "hypothese" if leaf.surcharge else leaf.statut


def _source(reads: dict) -> str:
    """The source a line cites: its first leaf that is not the indicator's state (its amount or threshold); the
    scenario, when a user's scenario replaced that value (as `rosp regles` says it)."""
    from ..rulebook import scenario_source

    leaves = list(reads.values())
    values = [leaf for leaf in leaves if unit(leaf.unite).kind is not Kind.STATE]
    # a scenario's value among them first: the line's amount or threshold is then the scenario's, not the public
    # source's (the ASAFO amount of a scenario was cited as the ameli table's, read first for the weeks: review)
    chosen = next((leaf for leaf in values if leaf.surcharge), values[0] if values else leaves[0] if leaves else None)
    if chosen is None:
        return ""
    return scenario_source(chosen.surcharge) if chosen.surcharge else chosen.source


def dependencies(b: Block, n: int):
    """Per line of a block: the weakest status, the `hypothese` keys and the scenario keys it depends on, and
    the hypothesis notes — from the leaves its rule read for every line and those read for some lines."""
    leaves: dict[str, Leaf] = {}
    masks: list[tuple[np.ndarray, list[str]]] = [(np.ones(n, dtype=bool), list(b.reads))]
    for mask, reads in b.row_reads:
        masks.append((np.asarray(mask, dtype=bool), list(reads)))
        leaves.update(reads)
    leaves.update(b.reads)
    level = np.zeros(n, dtype=np.int64)
    marked = [k for k, leaf in leaves.items() if leaf.statut == "hypothese" or leaf.surcharge]
    bit = {k: j for j, k in enumerate(marked)}
    if len(marked) > 62:  # one bit per marked leaf in an int64
        raise ValueError(f"{b.indicateur} : trop de paramètres marqués ({len(marked)})")
    bits = np.zeros(n, dtype=np.int64)
    for mask, keys in masks:
        if not keys:
            continue
        worst = max(_STATUS_ORDER[leaf_status(leaves[k])] for k in keys)
        level = np.where(mask, np.maximum(level, worst), level)
        flags = sum(1 << bit[k] for k in keys if k in bit)
        if flags:
            bits = np.where(mask, bits | flags, bits)

    def keys_of(x: int) -> list[str]:
        return [k for k in marked if x >> bit[k] & 1]

    if n <= _SMALL:  # a few lines: the three texts in one pass (measured: a third of `dependencies` on one row)
        texts: dict[int, tuple[str, str, str]] = {}
        for x in bits.tolist():
            if x not in texts:
                keys = keys_of(x)
                hyps = [k for k in keys if leaves[k].statut == "hypothese"]
                scens = [k for k in keys if leaves[k].surcharge]
                texts[x] = (SEP.join(hyps), SEP.join(scens), SEP.join(
                    [hypothesis_note(k, leaves[k]) for k in hyps]
                    + [f"{k} : valeur du scénario {leaves[k].surcharge}" for k in scens]))
        rows = [texts[x] for x in bits.tolist()]
        out = []
        for j in range(3):
            column = np.empty(n, dtype=object)
            column[:] = [r[j] for r in rows]
            out.append(column)
        return (level, *out)
    hyp = per_distinct(lambda x: SEP.join(k for k in keys_of(x) if leaves[k].statut == "hypothese"), bits)
    scen = per_distinct(lambda x: SEP.join(k for k in keys_of(x) if leaves[k].surcharge), bits)
    notes = per_distinct(lambda x: SEP.join(
        [hypothesis_note(k, leaves[k]) for k in keys_of(x) if leaves[k].statut == "hypothese"]
        + [f"{k} : valeur du scénario {leaves[k].surcharge}" for k in keys_of(x) if leaves[k].surcharge]), bits)
    return level, hyp, scen, notes


def input_text(value) -> str:
    """An input value as typed, every digit (a rate of 84,99995 is not shown « 85 »)."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return VIDE
    return num_exact(value)


_INPUT_TEXTS: dict[tuple, str] = {}  # (column, dtype, value key) → « colonne=valeur », for the whole run


class InputTexts:
    """« colonne=valeur » for each pharmacy of an exercise, formatted once per column and distinct value and
    shared by every line that shows that column (a national file has 600 000 lines). A rate is shown by its exact
    value on the rows whose float misstates it (`exact`: the context's `Context.exact_column`)."""

    def __init__(self, df: pd.DataFrame, array: Callable[[str], np.ndarray] | None = None,
                 exact: Callable[[str], ExactColumn | None] | None = None):
        self.df = df
        self.array = array or (lambda name: df[name].to_numpy())  # the context's shared columns (Context.array)
        self.exact = exact
        self.cache: dict[str, np.ndarray] = {}

    def column(self, name: str) -> np.ndarray:
        if name not in self.cache:
            values = self.array(name)
            if values.dtype.kind not in "biuf":
                self.cache[name] = per_distinct(lambda v: f"{name}={input_text(v)}", values)
            else:  # numbers and flags: each text made once per run, whatever the exercise or part
                codes, distinct = _factorize(_keys(values))
                first = np.empty(len(distinct), dtype=np.intp)
                first[codes] = np.arange(len(values))
                if len(_INPUT_TEXTS) > _NUMBERS_MAX:
                    _INPUT_TEXTS.clear()
                kind = values.dtype.str
                texts = np.empty(len(distinct), dtype=object)
                texts[:] = [_INPUT_TEXTS.get((name, kind, k)) or _INPUT_TEXTS.setdefault((name, kind, k), f"{name}={input_text(v)}")
                            for k, v in zip(distinct.tolist(), values[first].tolist())]
                self.cache[name] = texts[codes]
            column = self.exact(name) if self.exact is not None else None
            if column is not None and len(column.misstated):
                rows = column.misstated
                self.cache[name][rows] = per_distinct(lambda d: f"{name}={input_text(d)}", column.values[rows])
        return self.cache[name]

    def lines(self, columns: tuple, rows: np.ndarray) -> np.ndarray:
        if not columns:
            return filled(len(rows), "")
        texts = [self.column(c)[rows] for c in columns]
        if len(texts) == 1:
            return texts[0]
        return per_distinct(lambda *parts: SEP.join(parts), *texts)


# The number objects of the lines, one per type and distinct value (floats by their bits) for the whole
# run: the lines of every block, exercise and part share them, and the writer formats each once
# (measured, 20 000 pharmacies: 92 000 distinct objects in `valeur` per block, 9 000 shared).
_NUMBERS: dict[tuple, object] = {}
_NUMBERS_MAX = 500_000


def _factorize(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`pd.factorize(keys)` for integer keys; with a dict for a few rows (pandas' fixed cost, see text._SMALL)."""
    if len(keys) > _SMALL:
        return pd.factorize(keys)
    seen: dict = {}
    codes = np.array([seen.setdefault(k, len(seen)) for k in keys.tolist()], dtype=np.intp)
    return codes, np.array(list(seen), dtype=keys.dtype)


def _shared_number(key: tuple, v):
    if key not in _NUMBERS:
        _NUMBERS[key] = int(v) if type(v) is float and v.is_integer() else v
    return _NUMBERS[key]


def _column(values, n: int) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.shape == (n,):
        if values.dtype == object:
            return values
        # Numbers as Python objects, one per distinct value (as per_distinct tells them apart); a whole
        # float as an integer, as the user typed it and as csv-fr and xlsx show it (« 92 », not « 92.0 »).
        keys = _keys(values)
        codes, distinct = _factorize(keys)
        first = np.empty(len(distinct), dtype=np.intp)
        first[codes] = np.arange(n)
        if len(_NUMBERS) > _NUMBERS_MAX:
            _NUMBERS.clear()
        kind = values.dtype.str
        shared = np.empty(len(distinct), dtype=object)
        shared[:] = [_shared_number((kind, k), v) for k, v in zip(distinct.tolist(), values[first].tolist())]
        return with_exact(shared[codes], values)  # a rate: its exact value where the float misstates it
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype=object)
    if not isinstance(values, (list, tuple)):
        return filled(n, values)
    out = np.empty(n, dtype=object)
    out[:] = values
    return out


_STATUTS = np.array(sorted(_STATUS_ORDER, key=_STATUS_ORDER.__getitem__), dtype=object)
# The columns every line of a block shares; the others are arrays, one value per line.
BLOCK_COLUMNS = ("exercice", "theme", "indicateur", "libelle", "source", "type_ligne")


@dataclass
class Assembled:
    """One exercise's lines, not yet ordered: one array per column, and what a block's lines share."""

    lines: dict[str, list[np.ndarray]]  # per line, one array per block; `_block` indexes `blocks`, `_order` is the input row
    blocks: dict[str, list]  # per block: BLOCK_COLUMNS


def assemble(ctx: Context, theme_blocks: list[tuple[str, list[Block]]], positions: np.ndarray) -> Assembled | None:
    """The lines of one exercise, one per pharmacy × indicator; `positions` are the pharmacies' rows in
    the input table, by which `lines_frame` orders the lines of every exercise at once."""
    per_line: dict[str, list] = {k: [] for k in (
        "_order", "_block", "pharmacie_id", "valeur", "seuil", "atteint", "montant_cents", "_statut", "note",
        "donnee_manquante", "entrees", "hypotheses", "scenario", "socles_non_atteints")}
    per_block: dict[str, list] = {k: [] for k in BLOCK_COLUMNS}
    pid = ctx.df["pharmacie_id"].to_numpy(dtype=object)
    rows = np.arange(ctx.n)
    inputs = InputTexts(ctx.df, ctx.array, ctx.exact_column)
    for theme, blocks in theme_blocks:
        for b in blocks:
            sel = rows if b.rows is None else np.asarray(b.rows, dtype=np.int64)
            n = len(sel)
            level, hyp, scen, hyp_notes = dependencies(b, n)
            note = _column(b.note, n)
            note = _append_each(note, hyp_notes)
            for mask, extra in b.extra_notes:
                note = _append(note, extra, mask)
            per_line["_order"].append(positions[sel])
            per_line["_block"].append(np.full(n, len(per_block["theme"]), dtype=np.int64))
            per_line["pharmacie_id"].append(pid[sel])
            per_line["valeur"].append(_column(b.valeur, n))
            per_line["seuil"].append(_column(b.seuil, n))
            per_line["atteint"].append(_column(b.atteint, n))
            per_line["montant_cents"].append(np.asarray(b.cents, dtype=np.int64))
            per_line["_statut"].append(level)
            per_line["note"].append(note)
            per_line["donnee_manquante"].append(np.zeros(n, bool) if b.manquant is None else np.asarray(b.manquant, bool))
            per_line["entrees"].append(_column(b.entrees, n) if b.entrees is not None else inputs.lines(b.columns, sel))
            per_line["hypotheses"].append(hyp)
            per_line["scenario"].append(scen)
            per_line["socles_non_atteints"].append(_column(b.socles_perdus, n))
            titre = title(indicator(b.indicateur), ctx.params)
            for k, v in zip(BLOCK_COLUMNS, (ctx.params.exercice, theme, b.indicateur, titre, _source(b.reads), b.type_ligne)):
                per_block[k].append(v)
    if not per_block["theme"]:
        return None
    return Assembled(per_line, per_block)


def _append_each(notes: np.ndarray, texts: np.ndarray) -> np.ndarray:
    """`note ; text` line by line (text alone where the note is empty; the note alone where text is empty)."""
    if not any(texts):
        return notes
    return per_distinct(lambda d, t: t if d == "" else (d if t == "" else d + SEP + t), notes, texts)


def lines_frame(parts: list[Assembled]) -> pd.DataFrame:
    """The long-format table of every exercise, ordered as the input rows, then theme, then indicator.

    One sort for the whole table; a block's shared texts are the same objects on all its lines. Each
    block's arrays are written straight to their rows of the table (and released): no concatenated
    copy of the whole table beside the result.
    """
    if not parts:
        return empty_lines()
    offsets = np.cumsum([0] + [len(p.blocks["theme"]) for p in parts[:-1]])
    block = np.concatenate([b + off for p, off in zip(parts, offsets) for b in p.lines.pop("_block")])
    idx = np.lexsort((block, np.concatenate([a for p in parts for a in p.lines.pop("_order")])))
    block = block[idx]
    row = np.empty_like(idx)
    row[idx] = np.arange(len(idx))  # the row of the table of each line, in the order of the blocks

    def per_line(k: str) -> np.ndarray:
        arrays = [a for p in parts for a in p.lines.pop(k)]
        out = np.empty(len(idx), dtype=arrays[0].dtype)
        start = 0
        for a in arrays:
            out[row[start:start + len(a)]] = a
            start += len(a)
        return out

    shared = {k: np.array([v for p in parts for v in p.blocks[k]], dtype=np.int64 if k == "exercice" else object)
              for k in BLOCK_COLUMNS}
    columns = {
        "pharmacie_id": per_line("pharmacie_id"),
        "exercice": shared["exercice"][block],
        **{k: shared[k][block] for k in ("theme", "indicateur", "libelle")},
        **{k: per_line(k) for k in ("valeur", "seuil", "atteint")},
        "statut_regle": _STATUTS[per_line("_statut")],
        "source": shared["source"][block],
        "note": per_line("note"),
        "donnee_manquante": per_line("donnee_manquante"),
        "type_ligne": shared["type_ligne"][block],
        "entrees": per_line("entrees"),
        "hypotheses": per_line("hypotheses"),
        "scenario": per_line("scenario"),
        "socles_non_atteints": per_line("socles_non_atteints"),
        "montant_cents": per_line("montant_cents"),
    }
    # Object columns stay object: pandas ≥ 3 would otherwise infer a string dtype for a column that
    # happens to hold only text and None (turning None into NaN), so a line's cells would depend on
    # the other pharmacies of the table.
    return pd.DataFrame({k: pd.Series(v, dtype=object, copy=False) if v.dtype == object else v
                         for k, v in columns.items()}, copy=False)


def empty_lines() -> pd.DataFrame:
    cols = [c for c in LINE_COLUMNS if c != "montant_eur"] + ["socles_non_atteints", "montant_cents"]
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    frame["montant_cents"] = frame["montant_cents"].astype(np.int64)
    return frame
