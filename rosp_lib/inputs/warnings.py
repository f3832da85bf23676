"""What a valid file holds but a user probably did not mean: said on the console and in the reports,
never silently (the amounts are computed on the values as written)."""

from __future__ import annotations

import numpy as np

from .columns import Col
from .errors import shown
from .validate import Checked


FRACTIONS_HINT = ("des fractions au lieu de pourcentages ? Un taux s'écrit de 0 à 100 (92 pour 92 %) ; les montants "
                  "sont calculés sur les valeurs telles qu'écrites")


def fraction_row(values: np.ndarray) -> int | None:
    """The first row holding a value above 0 when every known value of a rate column is ≤ 1 (and not all 0):
    the column was probably written as fractions (0,92 for 92 %). None when it was not."""
    known = ~np.isnan(values)
    if known.any() and (values[known] <= 1).all() and (values[known] > 0).any():
        return int(np.flatnonzero(known & (values > 0))[0])
    return None


def rate_warnings(checked: Checked, columns: list[Col]) -> list[str]:
    """A rate column whose every value is ≤ 1 (and not all 0) was probably written as fractions
    (0,92 for 92 %). Rates that are naturally small (rejects, double payments) are not concerned."""
    out: list[str] = []
    for c in columns:
        p = checked.parsed.get(c.name)
        if c.kind != "rate" or c.small or p is None:
            continue
        i = fraction_row(p.values)
        if i is not None:
            example = checked.raw[c.name].iat[i]
            out.append(f"colonne {c.name} : toutes les valeurs sont inférieures ou égales à 1 (ligne {checked.lines[i]} : "
                       f"{shown(example)}) — {FRACTIONS_HINT}")
    return out
