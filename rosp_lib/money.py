"""Exact money: integer cents, rounded in this module and nowhere else.

Every amount the project pays is built as an exact ratio of integers (count × unit price, forfait ×
days / days in the year, sum × percentage) and turned into cents here, with the rounding mode of the
exercise's parameters (`general.arrondi`: `demi_haut` by default, `demi_pair` as the alternative).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np

ROUNDING_MODES = ("demi_haut", "demi_pair")
_DECIMAL_MODES = {"demi_haut": ROUND_HALF_UP, "demi_pair": ROUND_HALF_EVEN}
CENT = Decimal("0.01")


def round_ratio(num, den, mode: str = "demi_haut") -> np.ndarray:
    """Round num / den to the nearest integer, exactly, for non-negative integer arrays.

    `demi_haut` rounds halves up (2,5 → 3), `demi_pair` rounds halves to even (2,5 → 2).
    """
    num = np.asarray(num, dtype=np.int64)
    den = np.asarray(den, dtype=np.int64)
    if np.any(num < 0) or np.any(den <= 0):
        raise ValueError("round_ratio attend un numérateur ≥ 0 et un dénominateur > 0")
    if mode == "demi_haut":
        return (2 * num + den) // (2 * den)
    if mode == "demi_pair":
        q, r = np.divmod(num, den)
        twice = 2 * r
        up = (twice > den) | ((twice == den) & (q % 2 == 1))
        return q + up.astype(np.int64)
    raise ValueError(f"mode d'arrondi inconnu : {mode!r} (attendu : {', '.join(ROUNDING_MODES)})")


def fraction(value: Decimal | int) -> Fraction:
    """The exact fraction of a parameter value (Decimal from the YAML files, never a float)."""
    if isinstance(value, float):
        raise TypeError("un montant ne doit jamais être un float binaire")
    return Fraction(value)


def times_cents(counts, unit_price: Decimal, mode: str) -> np.ndarray:
    """counts × unit_price (euros), in cents, rounded once."""
    f = fraction(unit_price) * 100
    counts = np.asarray(counts, dtype=np.int64)
    return round_ratio(counts * f.numerator, np.full_like(counts, f.denominator), mode)


def euros_to_cents(amount: Decimal | int) -> int:
    """A parameter amount in euros to whole cents; refuses a sub-cent amount."""
    f = fraction(amount) * 100
    if f.denominator != 1:
        raise ValueError(f"{amount} € n'est pas un montant au centime près")
    return int(f)


def quantize_cents(values, mode: str) -> np.ndarray:
    """Exact Decimal euro amounts (object array) to integer cents, rounded once."""
    rounding = _DECIMAL_MODES[mode]
    return np.array(
        [int((Decimal(v) * 100).quantize(Decimal(1), rounding=rounding)) for v in values],
        dtype=np.int64,
    )


def percentage_of_cents(cents, pct: Decimal | int, mode: str) -> np.ndarray:
    """pct % of an amount in cents, rounded to the cent (the malus rule)."""
    f = fraction(pct) / 100
    cents = np.asarray(cents, dtype=np.int64)
    return round_ratio(cents * f.numerator, np.full_like(cents, f.denominator), mode)


def cents_to_str(cents) -> np.ndarray:
    """Integer cents to the contract's text: decimal point, two decimals (`-12.50`)."""
    cents = np.asarray(cents, dtype=np.int64)
    sign = np.where(cents < 0, "-", "")
    a = np.abs(cents)
    euros = (a // 100).astype(str)
    rest = np.char.zfill((a % 100).astype(str), 2)
    return np.char.add(np.char.add(np.char.add(sign, euros), "."), rest)


def cents_to_decimal(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT)
