"""Result lines: the single currency between the calculations, the files and the reports.

A theme builds one `Block` per indicator: the same indicator for every pharmacy of the exercise, as
arrays. `finish_theme` then applies, in the order of rules.md, the prorata of forfaits, the socle
gate and the theme's malus; `assemble` turns the blocks of every theme into lines (one per pharmacy ×
indicator) and `lines_frame` puts the lines of every exercise into the long-format table described
in spec/input-contract.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from . import money
from .formatting import eur, num
from .parameters import ExerciseParameters, Leaf, Seuil

LINE_COLUMNS = [
    "pharmacie_id", "exercice", "theme", "indicateur", "libelle", "valeur", "seuil", "atteint",
    "montant_eur", "statut_regle", "source", "note", "donnee_manquante", "type_ligne",
]

OUI, NON, NEUTRALISE, MANQUANT, SANS_OBJET = "oui", "non", "neutralisé", "donnée manquante", "sans objet"
NEUTRALISE_NOTE = "neutralisé pour cet exercice"
_STATUS_ORDER = {"texte": 0, "source": 1, "hypothese": 2}


def rule_status(*leaves: Leaf) -> tuple[str, str, str]:
    """(status, source, hypothesis note) of a line from the leaves its rule reads.

    The line takes the weakest status (`hypothese` > `source` > `texte`), the source of its first
    leaf, and for every `hypothese` leaf the reading chosen and its alternative.
    """
    leaves = [leaf for leaf in leaves if leaf is not None]
    statut = max((leaf.statut for leaf in leaves), key=_STATUS_ORDER.__getitem__)
    hyp = [f"hypothèse : {leaf.libelle} — alternative : {leaf.alternative}" for leaf in leaves if leaf.statut == "hypothese"]
    over = [f"valeur du scénario {leaf.surcharge}" for leaf in leaves if leaf.surcharge]
    return statut, leaves[0].source, " ; ".join(hyp + over)


def compare(values: np.ndarray, seuil: Seuil, threshold=None) -> np.ndarray:
    """values <comparaison> threshold, False where the value is unknown (NaN)."""
    t = float(seuil.valeur if threshold is None else threshold)
    with np.errstate(invalid="ignore"):
        return {
            ">=": values >= t, ">": values > t, "<": values < t, "<=": values <= t,
        }[seuil.comparaison] & ~np.isnan(values)


def compare_fraction(num: np.ndarray, den: np.ndarray, seuil: Seuil, scale: int = 1) -> np.ndarray:
    """Exact test of (num / den) × scale <comparaison> threshold, in integers; False where den is 0."""
    f = money.fraction(seuil.valeur)
    num = np.asarray(num, dtype=np.int64)
    den = np.asarray(den, dtype=np.int64)
    lhs = num * scale * f.denominator
    rhs = den * f.numerator
    out = {">=": lhs >= rhs, ">": lhs > rhs, "<": lhs < rhs, "<=": lhs <= rhs}[seuil.comparaison]
    return out & (den > 0)


def seuil_text(seuil: Seuil, unit: str = " %") -> str:
    return f"{seuil.symbole} {num(seuil.valeur)}{unit}"


@dataclass
class Block:
    """One indicator for every pharmacy of the exercise (arrays of length n)."""

    indicateur: str
    libelle: str
    valeur: object  # array or scalar
    seuil: object
    atteint: np.ndarray
    cents: np.ndarray
    leaves: Sequence[Leaf]
    note: object = ""
    manquant: np.ndarray | None = None
    forfait: bool = False  # a fixed amount, prorated to the days of activity
    socle: bool = False  # a prerequisite of the theme
    type_ligne: str = "indicateur"  # indicateur, socle, malus, information
    rows: np.ndarray | None = None  # positions of the pharmacies, when not one line per pharmacy
    extra_notes: list = field(default_factory=list)  # (mask, notes of the rows of mask) added to those rows
    row_leaves: list = field(default_factory=list)  # (mask, leaf): a leaf the rule read for these rows only


@dataclass
class Context:
    """One exercise's pharmacies and parameters, with the helpers themes read inputs through."""

    df: pd.DataFrame
    p: ExerciseParameters

    def __post_init__(self):
        self.n = len(self.df)
        self.mode = self.p.general.arrondi.valeur
        year = self.p.exercice
        start = pd.Timestamp(year, 1, 1)
        end = pd.Timestamp(year, 12, 31)
        debut = self.df["debut_activite"].fillna(start)
        fin = self.df["fin_activite"].fillna(end)
        self.days_in_year = int((end - start).days + 1)
        self.days_active = ((fin - debut).dt.days + 1).to_numpy(dtype=np.int64)

    def rate(self, col: str) -> tuple[np.ndarray, np.ndarray]:
        v = self.df[col].to_numpy(dtype=float)
        return v, np.isnan(v)

    def count(self, col: str) -> tuple[np.ndarray, np.ndarray]:
        v = self.df[col].to_numpy(dtype=float)
        missing = np.isnan(v)
        return np.where(missing, 0, v).astype(np.int64), missing

    def flag(self, col: str) -> np.ndarray:
        return self.df[col].to_numpy(dtype=bool)

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

    def neutralised(self, code: str, libelle: str, ind, socle: bool = False) -> Block:
        return Block(code, libelle, None, "", self.const(NEUTRALISE), self.zeros(), [ind.etat],
                     NEUTRALISE_NOTE, socle=socle, type_ligne="socle" if socle else "indicateur")

    def yes_no(self, values: np.ndarray) -> np.ndarray:
        return pick(values, "oui", "non")


# --- Texts of many lines -------------------------------------------------------------------------
# A national file has 600 000 lines. Their texts are built so that lines with the same text share
# one string object (memory), and a number is formatted once per distinct value (time).
def filled(n: int, value) -> np.ndarray:
    """n times the same object (np.full would store one copy of a text per row)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def pick(condition, if_true, if_false) -> np.ndarray:
    """np.where for two texts, as an object array whose rows share the two objects."""
    return np.array([if_false, if_true], dtype=object)[np.asarray(condition, dtype=bool).astype(np.intp)]


def _keys(values: np.ndarray) -> np.ndarray:
    """Integers equal exactly where fn(value) is sure to be equal (see per_distinct)."""
    values = np.asarray(values)
    if values.dtype.kind == "f":
        return values.astype(np.float64).view(np.int64)  # the bits: -0.0 prints « −0 », 0.0 prints « 0 »
    if values.dtype == object:
        return np.fromiter(map(id, values), dtype=np.int64, count=len(values))
    return values


def per_distinct(fn: Callable[..., object], *columns) -> np.ndarray:
    """[fn(*values) for values in zip(*columns)] as an object array, calling fn once per distinct row.

    Numbers are told apart as the formatting tells them apart: integers and booleans by value,
    floats by their bits, other objects by identity (the reading shares one Decimal per distinct
    cell text; Decimal("-0") == Decimal("0"), yet they print differently). Rows with the same
    values share the result object.
    """
    key, _ = pd.factorize(_keys(columns[0]))
    for col in columns[1:]:
        codes, distinct = pd.factorize(_keys(col))
        key, _ = pd.factorize(key * len(distinct) + codes)
    _, first = np.unique(key, return_index=True)  # codes count from 0 in order of first appearance
    out = np.empty(len(first), dtype=object)
    out[:] = [fn(*values) for values in zip(*(np.asarray(col)[first] for col in columns))]
    return out[key]


def _append(notes: np.ndarray, text, mask: np.ndarray | None = None) -> np.ndarray:
    """`note ; text` (text alone where the note is empty) on the rows of mask, the other rows unchanged.

    `text` is either one text, joined once per distinct note, or one text per row of the mask.
    """
    out = notes.copy()
    rows = slice(None) if mask is None else np.flatnonzero(mask)
    if isinstance(text, str):
        codes, distinct = pd.factorize(notes[rows], use_na_sentinel=False)
        joined = np.empty(len(distinct), dtype=object)
        joined[:] = [text if d == "" else d + " ; " + text for d in distinct]
        out[rows] = joined[codes]
    else:
        out[rows] = [t if d == "" else d + " ; " + t for d, t in zip(notes[rows], text)]
    return out


def finish_theme(
    ctx: Context,
    theme: str,
    blocks: list[Block],
    malus: Callable[[np.ndarray], Block | None] | None = None,
) -> list[Block]:
    """Prorata of forfaits → socle gate → malus on the theme's sum (rules.md order)."""
    if not blocks:
        return []
    prorata = ctx.p.general.prorata_forfaits
    partial = ctx.days_active < ctx.days_in_year
    if prorata.valeur and partial.any():
        for b in blocks:
            if b.forfait and b.rows is None and (b.cents[partial] > 0).any():
                full = b.cents.copy()
                scaled = money.round_ratio(full * ctx.days_active, np.full(ctx.n, ctx.days_in_year), ctx.mode)
                b.cents = np.where(partial, scaled, full)
                prorated = partial & (full > 0)
                b.extra_notes.append((prorated, per_distinct(
                    lambda f, d, c: f"proratisé au temps d'activité : {eur(f)} × {d}/{ctx.days_in_year} j = {eur(c)}",
                    full[prorated], ctx.days_active[prorated], b.cents[prorated])))
                # Only the prorated pharmacies read the prorata reading: their line alone takes its
                # status and note, so a line never depends on the other pharmacies of the table.
                b.row_leaves.append((prorated, prorata))
    socles = [b for b in blocks if b.socle]
    if socles:
        failed = np.zeros(ctx.n, dtype=np.int64)  # bit j set: the pharmacy misses socles[j]
        for j, b in enumerate(socles):
            failed |= (~np.isin(b.atteint, [OUI, NEUTRALISE])).astype(np.int64) << j

        def names(bits) -> str:
            return ", ".join(s.indicateur for j, s in enumerate(socles) if bits >> j & 1)

        if failed.any():
            for b in blocks:
                bits = failed if b.rows is None else failed[b.rows]
                lost = (bits != 0) & (b.cents > 0)
                before = b.cents
                b.cents = np.where(bits == 0, b.cents, 0)
                b.extra_notes.append((lost, [
                    f"socle non atteint ({f}) : {c} non versés, thème à 0 €"
                    for f, c in zip(per_distinct(names, bits[lost]), per_distinct(eur, before[lost]))]))
    if malus is not None:
        total = np.zeros(ctx.n, dtype=np.int64)
        for b in blocks:
            if b.rows is None:
                total += b.cents
            else:
                np.add.at(total, b.rows, b.cents)
        line = malus(total)
        if line is not None:
            blocks = [*blocks, line]
    return blocks


def _column(values, n: int) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.shape == (n,):
        if values.dtype == object:
            return values
        # Numbers as Python objects, one per distinct value (as per_distinct tells them apart).
        codes, distinct = pd.factorize(_keys(values))
        first = np.empty(len(distinct), dtype=np.intp)
        first[codes] = np.arange(n)
        shared = np.empty(len(distinct), dtype=object)
        shared[:] = values[first].tolist()
        return shared[codes]
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
        "donnee_manquante")}
    per_block: dict[str, list] = {k: [] for k in BLOCK_COLUMNS}
    pid = ctx.df["pharmacie_id"].to_numpy(dtype=object)
    rows = np.arange(ctx.n)
    for theme, blocks in theme_blocks:
        for b in blocks:
            statut, source, hyp = rule_status(*b.leaves)
            sel = rows if b.rows is None else np.asarray(b.rows, dtype=np.int64)
            n = len(sel)
            note = _column(b.note, n)
            if hyp:
                note = _append(note, hyp)
            level = np.full(n, _STATUS_ORDER[statut], dtype=np.int64)
            for mask, leaf in b.row_leaves:
                mask = np.asarray(mask, dtype=bool)
                level = np.where(mask, np.maximum(level, _STATUS_ORDER[leaf.statut]), level)  # the weakest status
                _, _, leaf_hyp = rule_status(leaf)
                if leaf_hyp:
                    note = _append(note, leaf_hyp, mask)
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
            for k, v in zip(BLOCK_COLUMNS, (ctx.p.exercice, theme, b.indicateur, b.libelle, source, b.type_ligne)):
                per_block[k].append(v)
    if not per_block["theme"]:
        return None
    return Assembled(per_line, per_block)


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
        "montant_cents": per_line("montant_cents"),
    }
    # Object columns stay object: pandas ≥ 3 would otherwise infer a string dtype for a column that
    # happens to hold only text and None (turning None into NaN), so a line's cells would depend on
    # the other pharmacies of the table.
    return pd.DataFrame({k: pd.Series(v, dtype=object, copy=False) if v.dtype == object else v
                         for k, v in columns.items()}, copy=False)


def empty_lines() -> pd.DataFrame:
    cols = [c for c in LINE_COLUMNS if c != "montant_eur"] + ["montant_cents"]
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    frame["montant_cents"] = frame["montant_cents"].astype(np.int64)
    return frame
