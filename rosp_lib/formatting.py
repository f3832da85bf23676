"""French formatting of amounts, rates and counts (babel, locale fr_FR)."""

from __future__ import annotations

import math
from decimal import Decimal

from babel.numbers import format_currency, format_decimal

LOCALE = "fr_FR"


def eur(cents: int) -> str:
    """Integer cents → `1 189,00 €`."""
    return format_currency(Decimal(int(cents)) / 100, "EUR", locale=LOCALE)


def eur_value(amount: Decimal | int) -> str:
    """A parameter amount in euros → `0,064 €` (keeps its own decimals, at least two)."""
    amount = Decimal(amount)
    exp = -amount.as_tuple().exponent if amount.as_tuple().exponent < 0 else 0
    return format_currency(amount, "EUR", locale=LOCALE, format="#,##0." + "0" * max(2, exp) + "\xa0¤",
                           currency_digits=False)


def num(value, max_decimals: int = 4) -> str:
    """A number in French: `95`, `95,5`, `12 345`; empty for an unknown value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return format_decimal(value, locale=LOCALE, format="#,##0." + "#" * max_decimals)


def pct(value) -> str:
    text = num(value)
    return f"{text} %" if text else ""
