"""French formatting of amounts, rates and counts, with the symbols of babel's fr_FR locale data.

`1 189,00 €` (thin no-break space U+202F between thousands, no-break space U+00A0 before €).
babel's own formatters cost about 30 µs a call, and a 20 000-pharmacy run formats hundreds of
thousands of notes; so the symbols and the currency layout come from babel's locale data once, and
the formatting itself is Python's exact Decimal formatting. tests/test_formatting.py checks that
every function gives exactly what babel's `format_currency` / `format_decimal` give.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
from babel import Locale
from babel.lists import format_list

LOCALE = "fr_FR"
_LOC = Locale.parse(LOCALE)
_SYMBOLS = _LOC.number_symbols["latn"]
GROUP, DECIMAL = _SYMBOLS["group"], _SYMBOLS["decimal"]
# babel's fr_FR minus sign is the keyboard's hyphen-minus (« -107,22 € »); the reports write the typographic minus
# sign U+2212, the one of their signed differences (`eur_signed`: « −160,00 € ») and of matplotlib's axes, so that
# a malus line and the difference it makes carry the same sign.
MINUS = "\u2212"
# fr_FR currency pattern is "#,##0.00 ¤": the symbol after the number, separated by U+00A0.
_CURRENCY_SUFFIX = _LOC.currency_formats["standard"].pattern.split("0")[-1].replace("¤", _LOC.currency_symbols["EUR"])
_TRANSLATE = str.maketrans({",": GROUP, ".": DECIMAL, "-": MINUS})


def _fr(text: str) -> str:
    return text.translate(_TRANSLATE)


def french_list(items, style: str = "standard") -> str:
    """Items joined as French writes them: « a, b et c » (`style="or"`: « a, b ou c »)."""
    return format_list([str(x) for x in items], style=style, locale=LOCALE)


def eur(cents: int) -> str:
    """Integer cents → `1 189,00 €`."""
    c = int(cents)
    a = abs(c)
    return _fr(f"{'-' if c < 0 else ''}{a // 100:,}.{a % 100:02d}") + _CURRENCY_SUFFIX


def eur_signed(cents: int) -> str:
    """A difference of integer cents → `+260,00 €`, `−400,00 €` (typographic minus sign), `0,00 €`."""
    c = int(cents)
    return ("+" if c > 0 else MINUS) + eur(abs(c)) if c else eur(0)


def eur_value(amount: Decimal | int) -> str:
    """A parameter amount in euros → `0,064 €` (keeps its own decimals, at least two)."""
    amount = Decimal(amount)
    exponent = amount.as_tuple().exponent
    places = max(2, -exponent if isinstance(exponent, int) and exponent < 0 else 0)
    return _fr(f"{amount:,.{places}f}") + _CURRENCY_SUFFIX


# num's texts of positive numbers already formatted, by (type, value): a national file formats the same
# rates and counts on many lines, of several exercises and parts (measured: 113 000 calls for 20 000
# pharmacies, 4 µs each; a hit costs 0.1 µs). Positive only: -0.0 == 0.0, yet they print differently.
_NUM_TEXTS: dict[tuple, str] = {}
_NUM_TEXTS_MAX = 200_000


def num(value, max_decimals: int = 4) -> str:
    """A number in French: `95`, `95,5`, `12 345`; empty for an unknown value; oui/non for a flag."""
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "oui" if value else "non"
    if max_decimals == 4 and type(value) in (float, int, np.float64, np.int64) and value > 0:
        key = (type(value), value)
        text = _NUM_TEXTS.get(key)
        if text is None:
            if len(_NUM_TEXTS) >= _NUM_TEXTS_MAX:
                _NUM_TEXTS.clear()
            text = _NUM_TEXTS[key] = _num(value, 4)
        return text
    return _num(value, max_decimals)


def num_exact(value) -> str:
    """A number in French with every digit it has, never rounded: an input value as the user typed it
    (`84,99999999999999999`, `1 234,5`), where `num` would round to 4 decimals (`85`). The decimals'
    trailing zeros are dropped (`70,50` → `70,5`, as `num`); a float is written by the shortest decimal
    that reads back as it. Empty for an unknown value; oui/non for a flag."""
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "oui" if value else "non"
    return _num(value, None)


def decimal_text(value: Decimal) -> str:
    """An exact number as the CSV files write a number: every digit, decimal point, no thousands separator,
    never an exponent (`84.99999999999999999`; str() would write 0,0000001 as « 1E-7 »)."""
    return _digits(f"{value:f}")


def _digits(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _num(value, max_decimals: int | None) -> str:
    """`num`'s text; `max_decimals` None: not rounded (`num_exact`)."""
    if isinstance(value, (int, np.integer)):
        return _fr(f"{int(value):,}")  # the Decimal path below gives the same text, 10× slower
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        if value > 0 and value < 1e15:  # fast path, same text as the Decimal path below (tests/test_formatting.py)
            text = repr(float(value))  # the shortest decimal that reads back as this float
            whole, _, frac = text.partition(".")
            if "e" not in text and (max_decimals is None or len(frac) <= max_decimals):
                frac = frac.rstrip("0")
                return _fr(f"{int(whole):,}" + ("." + frac if frac else ""))
        d = Decimal(repr(float(value)))  # the shortest decimal that reads back as this float
    elif isinstance(value, Decimal):
        if value.is_nan():
            return ""
        d = value
    else:
        d = Decimal(int(value))
    if max_decimals is not None:
        d = d.quantize(Decimal(1).scaleb(-max_decimals), rounding=ROUND_HALF_EVEN)
    return _fr(_digits(f"{d:,f}"))


def agreed(n, singular: str, plural: str) -> str:
    """The words of a count n as French agrees them: the singular below 2 (« 0 kit », « 1,5 point »), the plural
    from 2 (« 2 kits »), and for a value that is no number."""
    try:
        return singular if abs(n) < 2 else plural
    except TypeError:
        return plural


def counted(n: int, singular: str, plural: str) -> str:
    """A count and its words, agreed as French agrees them: « 0 ligne payée », « 1 ligne payée », « 2 lignes
    payées » (the singular below 2)."""
    return f"{num(int(n))} {agreed(int(n), singular, plural)}"


def seconds(value: float) -> str:
    """A duration as the commands say it: « 53,9 s »."""
    return f"{value:.1f} s".replace(".", ",")


def pct(value) -> str:
    text = num(value)
    return f"{text} %" if text else ""


def french_ticks(axis) -> None:
    """A chart's value axis (a matplotlib Axis) in French: « 0,5 », « 2 000 », as the amounts beside the bars
    (matplotlib writes 0.5, 2000)."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _: num(round(float(v), 4) + 0.0)))  # + 0.0: never « −0 »
