"""Result lines: the single currency between the calculations, the files and the reports.

A theme builds one `Block` per indicator: the same indicator for every pharmacy of the exercise, as
arrays. `finish_theme` then applies, in the order of rules.md, the prorata of forfaits, the socle
gate and the theme's malus; `assemble` turns the blocks of every theme into the long-format table
(one row per pharmacy × indicator) described in spec/input-contract.md.
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
    extra_notes: list = field(default_factory=list)  # (mask, array of notes) added per row
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

    def const(self, value, dtype=object) -> np.ndarray:
        return np.full(self.n, value, dtype=dtype)

    def cents_if(self, mask: np.ndarray, amount) -> np.ndarray:
        return np.where(mask, money.euros_to_cents(amount), 0).astype(np.int64)

    def labels(self, ok: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
        out = np.where(ok, OUI, NON).astype(object)
        if missing is not None:
            out[missing] = MANQUANT
        return out

    def neutralised(self, code: str, libelle: str, ind, socle: bool = False) -> Block:
        return Block(code, libelle, None, "", self.const(NEUTRALISE), self.zeros(), [ind.etat],
                     NEUTRALISE_NOTE, socle=socle, type_ligne="socle" if socle else "indicateur")

    def yes_no(self, values: np.ndarray) -> np.ndarray:
        return np.where(values, "oui", "non").astype(object)


def _row_notes(mask: np.ndarray, make: Callable[[int], str]) -> tuple[np.ndarray, np.ndarray]:
    notes = np.full(len(mask), "", dtype=object)
    for i in np.flatnonzero(mask):
        notes[i] = make(i)
    return mask, notes


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
                b.extra_notes.append(_row_notes(
                    partial & (full > 0),
                    lambda i: f"proratisé au temps d'activité : {eur(full[i])} × {ctx.days_active[i]}/{ctx.days_in_year} j = {eur(b.cents[i])}",
                ))
                # Only the prorated pharmacies read the prorata reading: their line alone takes its
                # status and note, so a line never depends on the other pharmacies of the table.
                b.row_leaves.append((partial & (full > 0), prorata))
    socles = [b for b in blocks if b.socle]
    if socles:
        ok = np.ones(ctx.n, dtype=bool)
        failed_names = np.full(ctx.n, "", dtype=object)
        for b in socles:
            met = np.isin(b.atteint, [OUI, NEUTRALISE])
            failed_names = np.where(met, failed_names, failed_names + np.where(failed_names == "", "", ", ") + b.indicateur)
            ok &= met
        if not ok.all():
            for b in blocks:
                okb = ok if b.rows is None else ok[b.rows]
                names = failed_names if b.rows is None else failed_names[b.rows]
                lost = ~okb & (b.cents > 0)
                before = b.cents.copy()
                b.cents = np.where(okb, b.cents, 0)
                b.extra_notes.append(_row_notes(
                    lost, lambda i: f"socle non atteint ({names[i]}) : {eur(before[i])} non versés, thème à 0 €"))
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
        return values.astype(object) if values.dtype != object else values
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype=object)
    out = np.empty(n, dtype=object)
    out[:] = [values] * n if not isinstance(values, (list, tuple)) else values
    return out


def assemble(ctx: Context, theme_blocks: list[tuple[str, list[Block]]]) -> pd.DataFrame:
    """Long-format lines for one exercise, ordered pharmacy by pharmacy, then theme, then indicator."""
    cols: dict[str, list] = {k: [] for k in LINE_COLUMNS if k != "montant_eur"}
    cols["montant_cents"], cols["_row"], cols["_order"] = [], [], []
    pid = ctx.df["pharmacie_id"].to_numpy(dtype=object)
    rows = np.arange(ctx.n)
    order = 0
    for theme, blocks in theme_blocks:
        for b in blocks:
            statut, source, hyp = rule_status(*b.leaves)
            sel = rows if b.rows is None else np.asarray(b.rows, dtype=np.int64)
            n = len(sel)
            note = _column(b.note, n)
            if hyp:
                note = np.where(note == "", hyp, note + " ; " + hyp) if isinstance(note, np.ndarray) else note
            statut_col = np.full(n, statut, dtype=object)
            for mask, leaf in b.row_leaves:
                mask = np.asarray(mask, dtype=bool)
                weaker = np.array([_STATUS_ORDER[s] < _STATUS_ORDER[leaf.statut] for s in statut_col], dtype=bool)
                statut_col = np.where(mask & weaker, leaf.statut, statut_col)
                _, _, leaf_hyp = rule_status(leaf)
                if leaf_hyp:
                    note = np.where(mask, np.where(note == "", leaf_hyp, note + " ; " + leaf_hyp), note)
            for mask, extra in b.extra_notes:
                note = np.where(mask, np.where(note == "", extra, note + " ; " + extra), note)
            cols["pharmacie_id"].append(pid[sel])
            cols["exercice"].append(np.full(n, ctx.p.exercice, dtype=np.int64))
            cols["theme"].append(np.full(n, theme, dtype=object))
            cols["indicateur"].append(np.full(n, b.indicateur, dtype=object))
            cols["libelle"].append(np.full(n, b.libelle, dtype=object))
            cols["valeur"].append(_column(b.valeur, n))
            cols["seuil"].append(_column(b.seuil, n))
            cols["atteint"].append(_column(b.atteint, n))
            cols["montant_cents"].append(np.asarray(b.cents, dtype=np.int64))
            cols["statut_regle"].append(statut_col)
            cols["source"].append(np.full(n, source, dtype=object))
            cols["note"].append(_column(note, n))
            cols["donnee_manquante"].append(np.zeros(n, bool) if b.manquant is None else np.asarray(b.manquant, bool))
            cols["type_ligne"].append(np.full(n, b.type_ligne, dtype=object))
            cols["_row"].append(sel)
            cols["_order"].append(np.full(n, order))
            order += 1
    if order == 0:
        return empty_lines()
    data = {k: np.concatenate(v) for k, v in cols.items()}
    idx = np.lexsort((data.pop("_order"), data["_row"]))
    # Object columns stay object: pandas ≥ 3 would otherwise infer a string dtype for a column that
    # happens to hold only text and None (turning None into NaN), so a line's cells would depend on
    # the other pharmacies of the table.
    frame = pd.DataFrame({k: pd.Series(v[idx], dtype=object) if v.dtype == object else v[idx]
                          for k, v in data.items()})
    return frame


def empty_lines() -> pd.DataFrame:
    cols = [c for c in LINE_COLUMNS if c != "montant_eur"] + ["montant_cents"]
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    frame["montant_cents"] = frame["montant_cents"].astype(np.int64)
    return frame
