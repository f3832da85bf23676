"""What every theme's rules share: the context they read inputs through, the block of one indicator,
threshold comparisons, and the order of rules.md applied to a theme's blocks (socle gate, prorata of
forfaits, malus on the sum)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from ..lines import money
from ..lines.formatting import eur, num
from ..lines.text import MANQUANT, NEUTRALISE, NEUTRALISE_NOTE, NON, OUI, SANS_OBJET, filled, per_distinct, pick
from ..parameters import ExerciseParameters, Leaf, Seuil

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
