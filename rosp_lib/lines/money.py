"""Exact money: integer cents, rounded in this module and nowhere else.

Every amount the project pays is built as an exact ratio of integers (count × unit price, forfait ×
days / days in the year, sum × percentage) and turned into cents here, with the rounding mode of the
exercise's parameters (`general.arrondi`: `demi_haut` by default, `demi_pair` as the alternative).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

ROUNDING_MODES = ("demi_haut", "demi_pair")
# The other reading of `general.arrondi`: an amount depends on the rounding reading where the two give other cents
OTHER_MODE = {"demi_haut": "demi_pair", "demi_pair": "demi_haut"}
_DECIMAL_MODES = {"demi_haut": ROUND_HALF_UP, "demi_pair": ROUND_HALF_EVEN}
CENT = Decimal("0.01")


def _integers(values) -> np.ndarray:
    """int64, or Python integers kept as they are (an object array: products that could pass int64)."""
    values = np.asarray(values)
    return values if values.dtype == object else values.astype(np.int64)


def round_ratio(num, den, mode: str = "demi_haut") -> np.ndarray:
    """Round num / den to the nearest integer, exactly, for non-negative integer arrays.

    `demi_haut` rounds halves up (2,5 → 3), `demi_pair` rounds halves to even (2,5 → 2). The arrays
    are int64, or Python integers (object arrays) where a product could pass int64; the result is int64.
    """
    num = _integers(num)
    den = _integers(den)
    if np.any(num < 0) or np.any(den <= 0):
        raise ValueError("round_ratio attend un numérateur ≥ 0 et un dénominateur > 0")
    if mode == "demi_haut":
        return ((2 * num + den) // (2 * den)).astype(np.int64)
    if mode == "demi_pair":
        q = num // den
        r = num - q * den
        twice = 2 * r
        up = (twice > den) | ((twice == den) & (q % 2 == 1))
        return (q + up.astype(np.int64)).astype(np.int64)
    raise ValueError(f"mode d'arrondi inconnu : {mode!r} (attendu : {', '.join(ROUNDING_MODES)})")


def fraction(value: Decimal | int) -> Fraction:
    """The exact fraction of a parameter value (Decimal from the YAML files, never a float)."""
    if isinstance(value, float):
        raise TypeError("un montant ne doit jamais être un float binaire")
    return Fraction(value)


# Beyond this, int64 arithmetic (numpy wraps around without a word) is not safe for round_ratio's 2 × num + den.
_INT64_SAFE = 2 ** 61


def exact_product(values, factor: int) -> np.ndarray:
    """values × factor, exact: int64 while that is safe, else Python integers (an object array). A parameter
    with many decimals (a scenario's 0,070000000000000001 €/FSE) has a numerator or denominator that makes the
    products pass int64, where numpy would wrap around without a word."""
    values = _integers(values)
    if values.dtype != object and int(np.abs(values).max(initial=0)) * abs(factor) >= _INT64_SAFE:
        values = values.astype(object)
    return values * factor


def times_cents(counts, unit_price: Decimal, mode: str, per: int = 1) -> np.ndarray:
    """counts × unit_price / per (euros), in cents, rounded once (exact whatever the price's decimals)."""
    f = fraction(unit_price) * 100 / per
    num = exact_product(counts, f.numerator)
    den = exact_product(np.ones(len(num), dtype=np.int64), f.denominator)
    return round_ratio(num, den, mode)


def decimal_integers(*columns) -> tuple[list[np.ndarray], int]:
    """Exact Decimal columns (object arrays, None where unknown) as Python integers over one power of ten.

    Returns the integer columns (0 where unknown) and the number of decimal places k: every value is
    exactly integer / 10**k. `[Decimal("95.5"), Decimal("70"), None]` → `[955, 700, 0]`, k = 1.
    """
    coded = [pd.factorize(np.asarray(c, dtype=object)) for c in columns]
    exact = [[Fraction(d) for d in distinct] for _, distinct in coded]
    places = 0
    for f in (f for fs in exact for f in fs):
        while (10 ** places) % f.denominator:
            places += 1
    out = []
    for (codes, _), fs in zip(coded, exact):
        ints = np.empty(len(fs) + 1, dtype=object)
        ints[:] = [int(f * 10 ** places) for f in fs] + [0]
        out.append(ints[codes])  # code -1 (unknown) takes the last one, 0
    return out, places


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
    num = exact_product(np.asarray(cents, dtype=np.int64), f.numerator)  # exact, whatever the rate's decimals
    return round_ratio(num, exact_product(np.ones(len(num), dtype=np.int64), f.denominator), mode)


def cents_to_str(cents) -> np.ndarray:
    """Integer cents to the contract's text: decimal point, two decimals (`-12.50`)."""
    codes, distinct = pd.factorize(np.asarray(cents, dtype=np.int64))  # amounts repeat: each written once
    text = np.empty(len(distinct), dtype=object)  # lines with the same amount share one string
    text[:] = [f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}" for c in distinct.tolist()]
    return text[codes]


def str_to_cents(text: str) -> int:
    """The contract's text of an amount (`-12.50`, as `cents_to_str` writes it) back to integer cents. Anything else
    (a third decimal, a comma) raises ValueError: these texts are the tool's own, never read approximately."""
    m = re.fullmatch(r"(-?)(\d+)\.(\d\d)", str(text))
    if m is None:
        raise ValueError(f"montant attendu sous la forme « -12.50 », lu : « {text} »")
    return (-1 if m.group(1) else 1) * (int(m.group(2)) * 100 + int(m.group(3)))


def cents_to_decimal(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT)
