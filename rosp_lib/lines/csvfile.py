"""The contract's CSV files, written fast: each distinct cell is quoted and encoded once.

A national `lignes.csv` has about 616 000 lines of 14 cells but few distinct cells (a source, a
libellé, a threshold repeat on every pharmacy's line). `DataFrame.to_csv` passes every cell through
the `csv` module, which takes about 3.5 s for 20 000 pharmacies; here each column is factorised,
its distinct values are written once as UTF-8 bytes, and the lines are joined in bytes.

The output is the one of `DataFrame.to_csv(index=False, lineterminator="\\n")`: comma separator,
minimal quoting (a cell is quoted when it holds `,`, `"`, a carriage return or a line feed, and its
quotes are doubled), empty cell for a missing value. `tests/test_csvfile.py` checks it byte for byte
against pandas on random tables.

One difference, on purpose: a text cell that a spreadsheet would run as a formula — one starting
with `=`, `+`, `-`, `@`, a tab or a carriage return — is written with a leading `'` (OWASP, « CSV
injection »): a molecule name taken from the input must not become a formula in `lignes.csv`. So is a
formula start after a `,`, `;` or tab inside a text (`x;=cmd` → `x;'=cmd`): French Excel opens a `.csv`
with `;` as its separator, and would make a cell of what follows. Only the contract's amount columns,
named by the caller (`numbers`: « -12.50 » in `montant_eur`), keep a plain number as it is; a text column
does not (a `nom` « -534.90 » would become a number). Numeric columns (numbers, not texts) are unchanged.
The other result files (`--format csv-fr`, `xlsx`) apply the same rule through `neutralised_frame`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from operator import methodcaller
from typing import BinaryIO

import numpy as np
import pandas as pd

from .formatting import decimal_text
from .text import identities

_NEEDS_QUOTES = re.compile(rb'[,"\r\n]')
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What `neutralised` may change: a formula start, or apostrophes before one (see `prefix_removed`)
_RISKY_START = _FORMULA_START + ("'",)
_STARTS = "[" + re.escape("".join(_FORMULA_START)) + "]"
_NEUTRALISED = re.compile("'*" + _STARTS)
_PREFIXED = re.compile("'+" + _STARTS)
# Inside a text: a separator a spreadsheet may cut the cell at (« , », « ; », tab), spaces, then a formula start.
# Searched apart from the start (`startswith`): one regex with both ran 3× slower on the 250 000 distinct texts of
# a national lignes.csv (measured: 0,55 s against 0,16 s).
_INNER = re.compile(r"([,;\t] *)('*[=+\-@])")
_INNER_PREFIXED = re.compile(r"([,;\t] *)'('*[=+\-@])")  # what `_INNER`'s substitution writes
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def neutralised(text: str, number: bool = False, inner: bool = True) -> str:
    """A text cell a spreadsheet cannot run as a formula (OWASP): `'` before a leading =, +, -, @, tab or
    carriage return, and (`inner`) before a =, +, -, @ that follows a `,`, `;` or tab inside the text. `number`:
    the cell of an amount column of the contract, whose plain numbers (« -12.50 ») are kept. A text that already
    starts with `'` before such a character gets one more, so that `prefix_removed` gives it back as it was
    (`'=x` → `''=x` → `'=x`); so does one after a separator (`x;'=y` → `x;''=y`), which `prefix_removed(…,
    inner=True)` gives back (`rapports.csv`'s names). The input slices of a report folder, read back as the user's
    cells (`inputs.raw`), are written without `inner` and declare their separator to the spreadsheet instead
    (`batch.folders.SEPARATOR_LINE`)."""
    if number and _PLAIN_NUMBER.fullmatch(text):
        return text
    out = _INNER.sub(r"\1'\2", text) if inner else text
    return "'" + out if _NEUTRALISED.match(text) else out


def needs_neutralising(text: str, inner: bool = True) -> bool:
    """Whether `neutralised` may change `text` (a quick test, for the distinct texts of a column)."""
    return text.startswith(_RISKY_START) or (inner and _INNER.search(text) is not None)


def prefix_removed(text: str, inner: bool = False) -> str:
    """A CSV cell as its author meant it: the `'` before a formula start is the spreadsheet's text prefix (Excel's
    « '=… » is the text =…) — the one `neutralised` adds to the files this project writes, such as the input
    slices of a report folder, read back to the values they were made of. `inner`: a cell written with `inner` (the
    names of `rapports.csv`), whose `'` after a separator is taken away too: `neutralised` put exactly one there."""
    out = text[1:] if _PREFIXED.match(text) else text
    return _INNER_PREFIXED.sub(r"\1\2", out) if inner else out


def _formula_like_rows(column: pd.Series, inner: bool = True) -> np.ndarray:
    """The rows of `column` whose cell is a text `neutralised` may change, looked at once per distinct object:
    the lines table shares its texts, and a test per row (pandas' `str.startswith`) took 0.3 s a column on
    560 000 lines."""
    values = column.to_numpy(dtype=object)
    if not len(values):
        return np.empty(0, dtype=np.intp)
    codes, distinct = pd.factorize(identities(values))
    first = np.empty(len(distinct), dtype=np.intp)
    first[codes] = np.arange(len(values))  # a row of each distinct object
    starts = np.fromiter((isinstance(v, str) and needs_neutralising(v, inner) for v in values[first].tolist()),
                         dtype=bool, count=len(first))
    return np.flatnonzero(starts[codes]) if starts.any() else np.empty(0, dtype=np.intp)


def neutralised_frame(frame: pd.DataFrame, inner: bool = True) -> pd.DataFrame:
    """A new frame whose text cells follow the rule of `neutralised`: for the result files that
    `write_csv` does not write (`--format csv-fr`, `xlsx`), which must apply the same rule (`inner`: not in a
    workbook, whose cells no separator can cut).

    Numbers, flags and missing values are unchanged (the amounts of those files are numbers, or written after
    it); a text that is a plain number is neutralised as any text; the columns with nothing to neutralise are
    not copied.
    """
    out = frame.copy(deep=False)
    for j, (_, column) in enumerate(frame.items()):
        if column.dtype.kind in "iufcbmM":  # numbers, flags, dates: never text
            continue
        rows = _formula_like_rows(column, inner)
        if not len(rows):
            continue
        values = column.to_numpy(dtype=object).copy()
        values[rows] = [neutralised(text, inner=inner) for text in values[rows].tolist()]
        keep = column.dtype if isinstance(column.dtype, pd.StringDtype) else object
        out.isetitem(j, pd.Series(values, index=frame.index, dtype=keep))
    return out


def cells(values: list, alone: bool = False, texts_only: bool = False, number: bool = False,
          inner: bool = True) -> list[bytes]:
    """Values as CSV cells in UTF-8; `alone` when each is the only cell of its line (an empty one is then `""`);
    `texts_only` when every value is known to be a `str` (nothing to convert, no missing value); `number` for the
    cells of an amount column of the contract, `inner` for the separators inside a text (see `neutralised`)."""
    texts = list(values) if texts_only else list(map(str, values))
    if not texts_only:  # an exact rate (a Decimal, where its float misstates it): every digit, never « 1E-7 »
        for i in [i for i, v in enumerate(values) if type(v) is Decimal]:
            texts[i] = decimal_text(values[i])
    risky = np.fromiter(map(methodcaller("startswith", _RISKY_START), texts), dtype=bool, count=len(texts))
    if inner:
        risky |= np.fromiter((_INNER.search(t) is not None for t in texts), dtype=bool, count=len(texts))
    for i in np.flatnonzero(risky):  # few (negative numbers, formulas): the text ones are neutralised
        if isinstance(values[i], str):
            texts[i] = neutralised(texts[i], number, inner)
    if not texts_only:
        for i in np.flatnonzero(pd.isna(np.array(values + [0], dtype=object))[:-1]):  # None, NaN, NA: empty cell
            texts[i] = ""
    data = list(map(str.encode, texts))
    del texts
    for i, found in enumerate(map(_NEEDS_QUOTES.search, data)):
        if found or (alone and not data[i]):
            data[i] = b'"' + data[i].replace(b'"', b'""') + b'"'
    return data


def always_quoted(data: list[bytes]) -> list[bytes]:
    """CSV cells (`cells`) quoted, but for the empty ones: a cell not yet quoted holds no quote to double."""
    return [c if not c or c[:1] == b'"' else b'"' + c + b'"' for c in data]


def _coded(values: pd.Series, alone: bool, number: bool = False, inner: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(codes, cells): the column is `cells[codes]`, each distinct value formatted once as CSV bytes.

    Values are told apart without comparing them: integers and booleans by value, floats by their
    bits (-0.0 and 0.0 print differently), other objects by identity (1, 1.0 and True are equal yet
    print differently; the lines table shares one object per distinct text, so that is cheap); then
    the distinct objects of a column of texts are told apart by value.
    """
    array = values.to_numpy()
    if array.dtype.kind in "iub":
        keys = array
    elif array.dtype.kind == "f":
        keys = array.astype(np.float64).view(np.int64)
    elif array.dtype.kind == "O":  # texts, mixed objects, and pandas' string and categorical columns
        keys = identities(array)
    else:  # dates and durations print as pandas formats them: not needed by the contract's files
        raise TypeError(f"write_csv : colonne « {values.name} » de type {values.dtype} non prise en charge")
    codes, distinct = pd.factorize(keys)
    first = np.empty(len(distinct), dtype=np.intp)
    first[codes] = np.arange(len(array))  # a row of each distinct key (any: they print the same)
    sample = array[first]
    texts_only = sample.dtype == object and pd.api.types.infer_dtype(sample, skipna=False) == "string"
    if texts_only:
        # Equal texts held by different objects, formatted once. (A dict, not pd.factorize, which would
        # copy every text to UTF-8: 50 MB for the notes of a national file.)
        texts = sample.tolist()
        distinct_texts = list(dict.fromkeys(texts))  # in order of first appearance, at C speed
        index = {t: i for i, t in enumerate(distinct_texts)}
        same_text = np.fromiter(map(index.__getitem__, texts), np.intp, len(texts))
        codes, sample = same_text[codes], np.array(distinct_texts, dtype=object)
    table = np.empty(len(sample), dtype=object)
    table[:] = cells(sample.tolist(), alone, texts_only, number, inner)
    return codes.astype(np.int32), table


# Lines joined and written at a time by `write_csv`: a chunk's bytes (≈ 1 Mo for lignes.csv) stay in the processor's
# cache and in memory the allocator reuses (measured, the 153 000 lines of a part of 5 000 pharmacies, medians of 10
# side by side: 0,41 s with chunks of 25 000 lines, 0,35 s with 2 000; 1 000 or 500 no better).
CHUNK_ROWS = 2_000


def write_csv(frame: pd.DataFrame, fh: BinaryIO, chunk_rows: int = CHUNK_ROWS, header: bool = True,
              numbers=(), inner: bool = True, quoted=()) -> None:
    """Write `frame` (no index) to the binary file `fh`, as `to_csv(index=False, lineterminator="\\n")` would,
    its texts neutralised (`neutralised`; `numbers`: the names of its amount columns, written as texts; `inner`);
    the non-empty cells of the columns named in `quoted` are always quoted (`always_quoted`).

    Each column is coded once for the whole table; neighbouring columns with few combinations
    (exercice, theme, indicateur, libelle on the lines table) are joined once per combination, so
    that a line is made of fewer pieces. Lines are then joined and written `chunk_rows` at a time:
    the text of a whole national file is never in memory.
    """
    alone = frame.shape[1] == 1
    if header:  # without: the lines that follow those of a previous call
        fh.write(b",".join(cells(list(frame.columns), alone)) + b"\n")
    pieces: list[tuple[np.ndarray, np.ndarray]] = []
    for i in range(frame.shape[1]):
        codes, table = _coded(frame.iloc[:, i], alone, frame.columns[i] in numbers, inner)
        if frame.columns[i] in quoted:
            table[:] = always_quoted(table.tolist())
        if pieces:
            before, before_table = pieces[-1]
            both, distinct = pd.factorize(before.astype(np.int64) * len(table) + codes)
            if len(distinct) <= len(frame) // 16:
                both = both.astype(np.int32)
                a, b = np.divmod(distinct, len(table))
                joined = np.empty(len(distinct), dtype=object)
                joined[:] = list(map(b",".join, zip(before_table[a], table[b])))
                pieces[-1] = (both, joined)
                continue
        pieces.append((codes, table))
    # Each piece's cells end with their separator (`,`, or the line feed for the last piece), and the
    # cells of a chunk of lines are laid side by side in one flat list joined once: no tuple nor join
    # per line (measured: 1,3 s → 0,5 s for the 616 000 lines of a national file).
    width = len(pieces)
    if not width:
        for _ in range(0, len(frame), chunk_rows):
            fh.write(b"\n")
        return
    for j, (_, table) in enumerate(pieces):  # in place: one table's cells at a time are held twice
        end = b"\n" if j == width - 1 else b","
        table[:] = [cell + end for cell in table.tolist()]
    for start in range(0, len(frame), chunk_rows):
        rows = slice(start, start + chunk_rows)
        flat: list = [None] * (width * len(range(*rows.indices(len(frame)))))
        for j, (codes, table) in enumerate(pieces):
            flat[j::width] = table[codes[rows]].tolist()
        fh.write(b"".join(flat))
