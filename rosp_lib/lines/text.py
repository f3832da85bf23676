"""Texts of many lines, shared: a national file has 600 000 lines.

Their texts are built so that lines with the same text share one string object (memory), and a
number is formatted once per distinct value (time). Also the words a line's `atteint` cell takes.
"""

from __future__ import annotations

import ctypes
import platform
from decimal import Decimal
from typing import Callable

import numpy as np
import pandas as pd

OUI, NON, NEUTRALISE, MANQUANT, SANS_OBJET = "oui", "non", "neutralisé", "donnée manquante", "sans objet"
VIDE = "vide"  # an unknown input value, as the lines' « entrees » say it
SEP = " ; "  # between the items of a list cell of the lines (entrees, hypotheses, scenario, socles_non_atteints)


def list_items(cell) -> list[str]:
    """The items of a list cell of the lines (`SEP` between them; empty or missing: none)."""
    return [k.strip() for k in str(cell or "").split(SEP) if k.strip()]
NEUTRALISE_NOTE = "neutralisé pour cet exercice"


def filled(n: int, value) -> np.ndarray:
    """n times the same object (np.full would store one copy of a text per row)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def pick(condition, if_true, if_false) -> np.ndarray:
    """np.where for two texts, as an object array whose rows share the two objects."""
    return np.array([if_false, if_true], dtype=object)[np.asarray(condition, dtype=bool).astype(np.intp)]


_POINTERS = platform.python_implementation() == "CPython" and ctypes.sizeof(ctypes.c_void_p) == 8


def identities(values: np.ndarray) -> np.ndarray:
    """`[id(v) for v in values]` as int64: equal exactly where the objects are the same.

    In CPython an object array holds the objects' addresses, which are their `id`: they are read as
    integers straight from the array's memory (one copy), about 10× faster than calling `id` per
    element (measured: 616 000 cells, 8 ms against 80 ms; the writer and the line texts do it on
    every column of the lines table). Valid while `values` holds the objects, as `id` itself."""
    values = np.ascontiguousarray(values, dtype=object)
    if not _POINTERS or not len(values):
        return np.fromiter(map(id, values), dtype=np.int64, count=len(values))
    raw = (ctypes.c_int64 * len(values)).from_address(values.ctypes.data)
    return np.ctypeslib.as_array(raw).copy()


def _keys(values: np.ndarray) -> np.ndarray:
    """Integers equal exactly where fn(value) is sure to be equal (see per_distinct)."""
    values = np.asarray(values)
    if values.dtype.kind == "f":
        return values.astype(np.float64).view(np.int64)  # the bits: -0.0 prints « −0 », 0.0 prints « 0 »
    if values.dtype == object:
        return identities(values)
    return values


def per_distinct(fn: Callable[..., object], *columns) -> np.ndarray:
    """[fn(*values) for values in zip(*columns)] as an object array, calling fn once per distinct row.

    Numbers are told apart as the formatting tells them apart: integers and booleans by value,
    floats by their bits, other objects by identity (the reading shares one Decimal per distinct
    cell text; Decimal("-0") == Decimal("0"), yet they print differently). Rows with the same
    values share the result object.
    """
    if len(columns[0]) <= _SMALL:
        return _per_distinct_small(fn, columns)
    key, _ = pd.factorize(_keys(columns[0]))
    for col in columns[1:]:
        codes, distinct = pd.factorize(_keys(col))
        key, _ = pd.factorize(key * len(distinct) + codes)
    first = np.empty(key.max() + 1 if len(key) else 0, dtype=np.intp)
    first[key] = np.arange(len(key))  # a row of each distinct key (any: they give the same result)
    out = np.empty(len(first), dtype=object)
    out[:] = [fn(*values) for values in zip(*(np.asarray(col)[first] for col in columns))]
    return out[key]


# Up to this many rows, `per_distinct` groups the rows with a dict rather than pd.factorize: a report,
# the readings and the gains search compute one pharmacy many times, and pandas' fixed cost per
# factorize (≈ 70 µs) was ≈ 30 % of a one-row `compute` (measured: 5 760 calls per 30 computes).
_SMALL = 64


def _small_keys(values: np.ndarray) -> list:
    """`_keys(values)` as a list of Python keys, for a few rows."""
    if values.dtype.kind == "f":
        return values.astype(np.float64).view(np.int64).tolist()
    if values.dtype == object:
        return [id(v) for v in values]
    return values.tolist()


def _per_distinct_small(fn: Callable[..., object], columns) -> np.ndarray:
    """`per_distinct` for a few rows: the same keys, results and sharing, without pandas."""
    arrays = [np.asarray(col) for col in columns]
    n = len(arrays[0])
    out = np.empty(n, dtype=object)
    if n == 1:  # one pharmacy, one line: the most frequent case of a report
        out[0] = fn(*(a[0] for a in arrays))
        return out
    if len(arrays) == 1:
        keys = _small_keys(arrays[0])
    else:
        keys = list(zip(*(_small_keys(a) for a in arrays)))
    last: dict = {}
    for i, k in enumerate(keys):
        last[k] = i  # a row of each distinct key (any: they give the same result)
    done = {k: fn(*(a[i] for a in arrays)) for k, i in last.items()}
    out[:] = [done[k] for k in keys]
    return out


def _append(notes: np.ndarray, text, mask: np.ndarray | None = None) -> np.ndarray:
    """`note ; text` (text alone where the note is empty) on the rows of mask, the other rows unchanged.

    `text` is either one text, joined once per distinct note, or one text per row of the mask.
    """
    out = notes.copy()
    rows = slice(None) if mask is None else np.flatnonzero(mask)
    if isinstance(text, str):
        out[rows] = per_distinct(lambda d: text if d == "" else d + " ; " + text, notes[rows])
    else:  # rows that share their note and their text objects share the joined text
        texts = np.empty(len(notes[rows]), dtype=object)
        texts[:] = list(text) if not isinstance(text, np.ndarray) else text
        out[rows] = per_distinct(lambda d, t: t if d == "" else d + " ; " + t, notes[rows], texts)
    return out


# --------------------------------------------------------------------------------------------
# A rate as shown: its float, or its exact value where the float misstates it
# --------------------------------------------------------------------------------------------
def float_misstates(exact) -> bool:
    """True when the float of a rate's exact value does not give the value back (« 84,99999999999999999 »
    reads as 85.0): the lines, the gains and the reports then show the exact Decimal instead of the float.
    The one rule of that choice. A number of at most 15 digits always comes back (DBL_DIG): tested on its
    text, without a float (a normal file has no other)."""
    if exact is None:
        return False
    text = str(exact)
    if len(text) <= 15 and "E" not in text:
        return False
    return Decimal(repr(float(exact))) != exact


def _known(exact) -> bool:
    """An exact value the reader kept (not None, NaN or pd.NA)."""
    return exact is not None and exact is not pd.NA and exact == exact


def _cell_float(value) -> np.floating:
    """A rate cell as a float of its own type (a float32 column stays float32), NaN when unknown."""
    if value is None or value is pd.NA:
        return np.float64(np.nan)
    return value if isinstance(value, np.floating) else np.float64(value)


def _float_column(floats) -> np.ndarray:
    """A rate column as a float array of its own type (float32 kept), NaN where unknown (pd.NA, None)."""
    if isinstance(floats, np.ndarray) and floats.dtype.kind == "f":
        return floats
    return pd.array(floats, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)


def _from_float(f: np.floating):
    """A float written into the table, as an exact value: its shortest decimal in its own type (a float32 84.1 is
    84.1), -0.0 as 0; None when unknown or infinite."""
    if not np.isfinite(f):
        return None
    return Decimal(np.format_float_positional(f + f.dtype.type(0), unique=True, trim="-"))


def exact_of(value, exact):
    """The exact value of one rate cell of a table: `exact` (the Decimal the reader kept beside the float `value`,
    `<taux>_exact`) while the table still holds its float, in the column's own float type; a float changed in the
    table since (a what-if written straight into the DataFrame, not through `set_rate`) is read as itself, its
    shortest decimal (84.0 → 84), so that the line never compares one value and shows another; None when the cell
    is unknown. `current_exact` applies the same rule to a column. (A float changed to the very float of the old
    exact value cannot be told from it: set a rate with `inputs.set_rate` to give its exact value.)"""
    f = _cell_float(value)
    if _known(exact) and f.dtype.type(float(exact)) == f:
        return exact
    return _from_float(f)


def current_exact(exact: np.ndarray, floats, coding: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """`[exact_of(f, e) for f, e in zip(floats, exact)]` as an object array, by the same tests: `exact` itself (the
    same array) when every float is still that of its exact value, the normal case; each distinct exact value is
    tested once (`coding`: `coded(exact)`, when the caller has it)."""
    exact = np.asarray(exact, dtype=object)
    floats = _float_column(floats)
    if coding is None and len(exact) <= _SMALL:
        codes, distinct = np.arange(len(exact)), exact
    else:
        codes, distinct = coding or coded(exact)
    values = distinct.tolist()
    known = np.array([_known(e) for e in values], dtype=bool)
    none = np.array([e is None for e in values], dtype=bool)
    theirs = np.array([float(e) if k else np.nan for e, k in zip(values, known)], dtype=float).astype(floats.dtype)
    same = (known[codes] & (theirs[codes] == floats)) | (none[codes] & np.isnan(floats))  # None: unknown, as NaN
    if same.all():
        return exact
    out = exact.copy()
    rows = np.flatnonzero(~same)
    out[rows] = [_from_float(f) for f in floats[rows]]
    return out


def shown_value(value, exact):
    """One rate as shown: its exact value (Decimal, `exact_of`) where the float misstates it, else `value` (the
    float). Without an exact value, the value itself (a float's shortest decimal never misstates it)."""
    if exact is None:
        return value
    exact = exact_of(value, exact)
    return exact if float_misstates(exact) else value


def coded(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct) with `values == distinct[codes]`, objects told apart by identity (the reader shares
    one Decimal per distinct cell text): integers are factorised ≈ 7× faster than Decimals (measured)."""
    values = np.asarray(values, dtype=object)
    codes, keys = pd.factorize(identities(values))
    first = np.empty(len(keys), dtype=np.intp)
    first[codes] = np.arange(len(values))
    return codes, values[first]


_NO_ROWS = np.empty(0, dtype=np.intp)


def misstated_rows(exact: np.ndarray, coding: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """The rows of a rate's exact values (Decimal, None) whose float misstates them (`float_misstates`), each
    distinct object tested once (`coding`: `coded(exact)`, when the caller has it). None in a normal file."""
    if coding is None and len(exact) <= _SMALL:
        rows = [i for i, d in enumerate(np.asarray(exact, dtype=object).tolist()) if float_misstates(d)]
        return np.array(rows, dtype=np.intp) if rows else _NO_ROWS
    codes, distinct = coding or coded(exact)
    bad = np.fromiter(map(float_misstates, distinct.tolist()), dtype=bool, count=len(distinct))
    return np.flatnonzero(bad[codes]) if bad.any() else _NO_ROWS
