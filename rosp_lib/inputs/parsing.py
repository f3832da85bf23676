"""Each column's text cells parsed once, by kind: the typed values and where the text is not of the kind.

A cell is parsed once per distinct text of its column (a column of 20 000 rows holds a few hundred
distinct rates, a handful of oui/non). Numbers are read as a French or English spreadsheet writes
them: decimal comma or point, thousands grouped by a space, a no-break space, a narrow no-break space, a
thin space or a figure space (« 40 000 »); digits are the ASCII ones (a full-width « ２０２４ » is refused,
not read as 2024 by one check and as another text by the next). In a count column, a `.` or `,` followed by exactly three digits (« 40.000 »,
« 1,000 », « 1 234,000 ») is ambiguous — 40 or 40 000? — and refused. Rates are exact decimals. Dates are AAAA-MM-JJ, or JJ/MM/AAAA as French Excel writes them in a CSV.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from .columns import Col
from .errors import digits_hint

TRUE_WORDS = {"oui", "vrai", "true", "1", "x"}
FALSE_WORDS = {"non", "faux", "false", "0", ""}
# The spaces that group thousands (« 40 000 »): space, no-break, narrow no-break (French typography), thin, figure
GROUP_SPACES = " \u00a0\u202f\u2009\u2007"
_S = f"[{GROUP_SPACES}]"
# re.ASCII: `\d` is 0-9 only (Python's `\d` also takes full-width and Arabic-Indic digits)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)", re.ASCII)
_GROUPED = re.compile(rf"[+-]?\d{{1,3}}(?:{_S}\d{{3}})+(?:[.,]\d*)?", re.ASCII)
_AMBIGUOUS = re.compile(r"[+-]?[1-9]\d{0,2}(?:[.,]\d{3})+", re.ASCII)
# « 1 234,000 », « 40 000.000 »: grouped by spaces, then a `.` or `,` before three digits — decimals, or thousands
# again?
_GROUPED_AMBIGUOUS = re.compile(rf"[+-]?\d{{1,3}}(?:{_S}\d{{3}})+[.,]\d{{3}}", re.ASCII)
_SPACES = re.compile(_S)
_PERCENT = re.compile(r"\s*%$")
DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# A date as French Excel writes it in a CSV (« 01/07/2025 »: day first, as a French user means it)
_FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)


def iso_date(text: str) -> str:
    """« 01/07/2025 » (JJ/MM/AAAA) → « 2025-07-01 »; any other text unchanged."""
    m = _FRENCH_DATE.fullmatch(text)
    return f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}" if m else text


DATE_EXPECTED = "une date AAAA-MM-JJ ou JJ/MM/AAAA (exemple : 2025-01-15)"


def date_of(text) -> dt.date | None:
    """The date a user typed (an option such as --date): AAAA-MM-JJ or JJ/MM/AAAA; None if it is neither or does
    not exist (Python's own `fromisoformat` would also take « 20250115 »)."""
    iso = iso_date(str(text).strip())
    if not DATE_SHAPE.fullmatch(iso):
        return None
    try:
        return dt.date.fromisoformat(iso)
    except ValueError:
        return None


# The years a date option (--date: the day « encore possible » is judged at) may fall in, around the exercises and
# their payments: a year 1 or 9999 is a slip of the keyboard (« 01/01/1 » was printed back, every action « encore
# possible »). A bound of the input, not of a rule.
OPTION_DATE_YEARS = (2000, 2099)


def option_date_problem(text) -> tuple[dt.date | None, str | None]:
    """(the date of an option, None) or (None, why it is refused), in French."""
    day = date_of(text)
    if day is None:
        if DATE_SHAPE.fullmatch(iso_date(str(text).strip())):  # the right shape, a day the calendar has not (29/02/2025)
            return None, f"« {text} » : cette date n'existe pas ; attendu : {DATE_EXPECTED}"
        return None, f"« {text} » n'est pas {DATE_EXPECTED}"
    low, high = OPTION_DATE_YEARS
    if not low <= day.year <= high:
        return None, f"« {text} » : année {day.year} hors des années possibles ({low} à {high})"
    return day, None
_YEAR = re.compile(r"\d{4}", re.ASCII)


@dataclass
class Parsed:
    """One column, parsed: `values` (typed; NaN/None/NaT where empty or bad), `bad` (the text is not
    of the kind), and for numbers `exact` (Decimal or None) and `ambiguous` (thousands separator)."""

    values: np.ndarray
    bad: np.ndarray
    exact: np.ndarray | None = None
    ambiguous: np.ndarray | None = None


def decimal_of(text: str, percent_sign: bool = False) -> Decimal | None:
    """The exact number a cell writes, None if it is not one (an empty cell included)."""
    if percent_sign:
        text = _PERCENT.sub("", text)
    if _GROUPED.fullmatch(text):
        text = _SPACES.sub("", text)
    if not _NUMBER.fullmatch(text):
        return None
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        return None
    return number.copy_abs() if number.is_zero() else number  # « -0 » is 0: not shown « -0.0 » in the lines


def ambiguous_fix(text: str) -> str:
    """« 40.000 » → « séparateur de milliers ambigu (40 ou 40 000 ?) : écrivez 40000 ou 40 000 »: the two
    readings of the cell (one separator only: with several, only the thousands reading is possible), and how to
    write the count without ambiguity."""
    plain = _SPACES.sub("", text)
    digits = re.sub(r"[.,]", "", plain)
    sign = digits[0] if digits[0] in "+-" else ""
    digits = digits.lstrip("+-")
    grouped = f"{int(digits):,}".replace(",", " ")
    readings = ""
    if len(re.findall(r"[.,]", text)) == 1:
        decimal = Decimal(plain.replace(",", ".")).normalize()
        shown = f"{decimal:,f}".replace(",", " ").replace(".", ",") if decimal == decimal.to_integral_value() \
            else format(decimal, "f").replace(".", ",")
        readings = f" ({shown} ou {sign}{grouped} ?)"
    if sign == "-":  # both readings are refused: no fix to a negative count
        return f"séparateur de milliers ambigu{readings}, et négatif : un nombre ≥ 0 est attendu"
    if _SPACES.search(text):
        return f"séparateur de milliers ambigu{readings} : écrivez l'entier voulu sans « , » ni « . »"
    return f"séparateur de milliers ambigu{readings} : écrivez {sign}{digits} ou {sign}{grouped}"


def parse(col: Col, cells: np.ndarray) -> Parsed:
    """The column's cells (stripped text, '' when empty) parsed for its kind."""
    return parse_kind(col.kind, cells)


def number_typed(text: str, kind: str) -> tuple[object, str]:
    """One number typed by hand (the explorer of a report) read as a cell of a column of this kind (« int » or
    « rate ») is read in a file: (value, why it is refused); the value is None for an empty text, a rate's the
    exact Decimal typed. « 40.000 » in a count is ambiguous and refused, as in a file."""
    typed = str(text).strip()
    if typed == "":
        return None, ""
    parsed = parse_kind(kind, np.array([typed], dtype=object))
    if parsed.ambiguous is not None and parsed.ambiguous[0]:
        return None, f"« {text} » : {ambiguous_fix(typed)}"
    if parsed.bad[0]:
        number = decimal_of(typed, percent_sign=kind == "rate")
        if number is None:
            return None, f"« {text} » n'est pas un nombre" + digits_hint(typed)
        if kind == "int":
            return None, f"« {text} » : un nombre entier est attendu"
        return None, f"« {text} » hors limites (attendu : de 0 à 100)"
    return (parsed.exact[0] if kind == "rate" else int(parsed.values[0])), ""


def parse_kind(k: str, cells: np.ndarray) -> Parsed:
    """Cells (stripped text, '' when empty) parsed for a column kind (`Col.kind`)."""
    codes, distinct = pd.factorize(cells)
    distinct = [str(v) for v in distinct]
    if k in ("id", "text"):
        return Parsed(np.asarray(cells, dtype=object), np.zeros(len(cells), dtype=bool))
    if k == "bool":
        words = [v.lower() for v in distinct]
        value = np.array([w in TRUE_WORDS for w in words], dtype=bool)
        bad = np.array([w not in TRUE_WORDS and w not in FALSE_WORDS for w in words], dtype=bool)
        return Parsed(value[codes], bad[codes])
    if k == "exercice":
        years = np.array([float(v) if _YEAR.fullmatch(v) else np.nan for v in distinct], dtype=float)
        return Parsed(years[codes], np.isnan(years)[codes])
    if k == "date":
        iso = [iso_date(v) for v in distinct]
        shaped = pd.Series([v if DATE_SHAPE.fullmatch(v) else None for v in iso], dtype=object)
        dates = pd.to_datetime(shaped, format="%Y-%m-%d", errors="coerce").to_numpy()
        empty = np.array([v == "" for v in distinct], dtype=bool)
        bad = np.isnat(dates) & ~empty
        return Parsed(dates[codes], bad[codes])
    # numbers: counts and rates
    rate = k == "rate"
    exact = np.empty(len(distinct), dtype=object)
    ambiguous = np.zeros(len(distinct), dtype=bool)
    bad = np.zeros(len(distinct), dtype=bool)
    for i, text in enumerate(distinct):
        if text == "":
            exact[i] = None
            continue
        if not rate and (_AMBIGUOUS.fullmatch(text) or _GROUPED_AMBIGUOUS.fullmatch(text)):
            ambiguous[i] = True
            exact[i] = None
            continue
        number = decimal_of(text, percent_sign=rate)
        if number is None or (not rate and number != number.to_integral_value()):
            bad[i] = True
            number = None
        elif rate and not (0 <= number <= 100):
            bad[i] = True  # exact bound: 100,000000000000000001 is above 100
            number = None
        exact[i] = number
    floats = np.array([np.nan if v is None else float(v) for v in exact], dtype=float)
    return Parsed(floats[codes], bad[codes], exact[codes] if rate else None, ambiguous[codes])
