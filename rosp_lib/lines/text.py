"""Texts of many lines, shared: a national file has 600 000 lines.

Their texts are built so that lines with the same text share one string object (memory), and a
number is formatted once per distinct value (time). Also the words a line's `atteint` cell takes.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

OUI, NON, NEUTRALISE, MANQUANT, SANS_OBJET = "oui", "non", "neutralisé", "donnée manquante", "sans objet"
NEUTRALISE_NOTE = "neutralisé pour cet exercice"


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
