"""From text cells to a validated, typed table, or every problem of the file at once.

1. each column is parsed once (`parsing.parse`): typed values and where the text is not of the kind;
2. pandera checks the typed values with its built-in checks (ranges, lists, patterns);
3. the checks across columns (duplicates, kits, dates) run on the typed values, in linear time;
4. the problems are bounded per kind and sorted by line, then column; only a valid table is returned.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Callable

import sys

import numpy as np
import pandas as pd


def _import_pandera():
    """`pandera.pandas`, with its built-in checks loaded, without importing hypothesis.

    pandera's built-in checks import its data-synthesis strategies, which import hypothesis when it
    is installed (a test dependency of this project): about 0.6 s, half of pandera's import time,
    for a feature rosp never uses. hypothesis is hidden while pandera loads, then visible again: a
    later `import hypothesis` (the tests) works as usual; only pandera's `.example()` stays off in
    this process. Nothing is hidden when hypothesis is already imported."""
    hide = "hypothesis" not in sys.modules
    if hide:
        sys.modules["hypothesis"] = None  # type: ignore[assignment] - an ImportError for pandera
    try:
        import pandera.pandas as pandera_pandas
        import pandera.backends.pandas.builtin_checks  # noqa: F401 - loaded now, while hypothesis is hidden
    finally:
        if hide and sys.modules.get("hypothesis", 0) is None:
            del sys.modules["hypothesis"]
    return pandera_pandas


pa = _import_pandera()

from .columns import MAX_COUNT, MOLECULE_COLUMNS, OTHER_NAMES, PHARMACIE_ID_RE, PHARMACY_COLUMNS, Col, expected
from .errors import InputError, Problem, Problems, accounting_zero_hint, digits_hint, shown, thousands, with_decimal_comma
from .parsing import DATE_SHAPE, Parsed, ambiguous_fix, iso_date, parse
from .raw import RawTable
from ..lines.formatting import french_list

PLAUSIBLE = f"entier ≥ 0 d'au plus {thousands(MAX_COUNT).replace(chr(0x202f), ' ')} (nombre plausible)"


@dataclass
class Checked:
    """A table being validated: its raw cells, the parse of each column present, the problems."""

    table: RawTable
    columns: list[Col]
    parsed: dict[str, Parsed]
    problems: Problems

    @property
    def raw(self) -> pd.DataFrame:
        return self.table.frame

    @property
    def lines(self) -> np.ndarray:
        return self.raw.index.to_numpy()

    def position(self, name: str) -> int:
        return self.table.positions.get(name, len(self.table.positions))

    def who(self, i: int) -> str:
        if "pharmacie_id" not in self.raw:
            return ""
        pid = self.raw["pharmacie_id"].iat[i]
        return f", pharmacie {shown(pid)}" if pid else ""

    def cell(self, i: int, column: str, value: str, expect: str, note: str = "", kind: str = "") -> Problem:
        first = column.replace(" et ", ", ").split(", ")[0]
        plural = "s" if " et " in column else ""
        line = int(self.lines[i])
        typed = self.table.typed_numbers.get(column)
        if typed is not None and typed[i]:
            value = with_decimal_comma(value)
        text = (f"ligne {line}{self.who(i)}, colonne{plural} {column} : valeur{plural} {shown(value)}"
                f"{' ' + note if note else ''} ; attendu : {expect}")
        return Problem(line, self.position(first), text, kind)

    def report(self, name: str, rows: np.ndarray, expect: str, label: str | None = None,
               expect_of: Callable[[int], str] | None = None) -> None:
        """Rows (positions) where column `name` is wrong: one kind of problem, bounded together."""
        cells = self.raw[name].to_numpy()
        kind = f"{name}\x00{expect}"
        self.problems.add_rows(kind, label or f"valeurs refusées dans la colonne {name}", rows,
                               lambda i: self.cell(i, name, cells[i], expect_of(i) if expect_of else expect, kind=kind))


def _column_checks(c: Col, exercises: list[int]) -> list[pa.Check]:
    expect = expected(c, exercises)
    if c.kind == "id":
        return [pa.Check.str_matches(f"(?:{PHARMACIE_ID_RE})\\Z", error=expect)]
    if c.kind == "text" and c.required:
        return [pa.Check.str_length(min_value=1, error=expect)]
    if c.kind == "exercice":
        return [pa.Check.isin([float(y) for y in exercises], error=expect)]
    if c.kind == "int":
        return [pa.Check.ge(0, error=expect),
                pa.Check.le(c.maximum, error=expect) if c.maximum is not None else pa.Check.le(MAX_COUNT, error=PLAUSIBLE)]
    if c.kind == "rate":
        return [pa.Check.in_range(0, 100, error=expect)]
    return []


def check_columns(table: RawTable, columns: list[Col], exercises: list[int]) -> Checked:
    """Known and required columns, then each cell of each column (parse, then pandera)."""
    raw = table.frame
    problems = table.problems
    known = [c.name for c in columns]
    head = table.header_line
    for name in raw.columns:
        if name not in known:
            problems.add(Problem(head, table.positions.get(name, 0),
                                 f"ligne {head} (en-tête), colonne {shown(table.written.get(name, name))} : "
                                 f"{_unknown_column(name, known, raw.columns)}",
                                 "colonne_inconnue", "colonnes inconnues"))
    for c in columns:
        if c.required and c.name not in raw:
            problems.add(Problem(head, len(table.positions),
                                 f"ligne {head} (en-tête) : colonne obligatoire « {c.name} » absente ; "
                                 f"attendu : une colonne « {c.name} » (liste : rosp colonnes)"))
    present = [c for c in columns if c.name in raw]
    checked = Checked(table, columns, {}, problems)
    typed: dict[str, np.ndarray] = {}
    for c in present:
        cells = raw[c.name].to_numpy(dtype=object)
        p = parse(c, cells)
        checked.parsed[c.name] = p
        expect = expected(c, exercises)
        bad = p.bad.copy()
        if c.kind == "exercice":
            bad |= cells == ""
        numbers = table.typed_numbers.get(c.name)
        if p.ambiguous is not None and numbers is not None and (p.ambiguous & numbers).any():
            # a number of a workbook (140.004) has no thousands separator: a count with decimals, refused as such
            bad |= p.ambiguous & numbers
            p.ambiguous &= ~numbers
        if p.ambiguous is not None and p.ambiguous.any():
            rows = np.flatnonzero(p.ambiguous)
            checked.report(c.name, rows, f"{expect} — séparateur de milliers ambigu",
                           f"nombres au séparateur de milliers ambigu dans la colonne {c.name}",
                           lambda i, expect=expect: f"{expect} — {ambiguous_fix(cells[i])}")
        if bad.any():
            checked.report(c.name, np.flatnonzero(bad), expect, expect_of=(
                lambda i, expect=expect, kind=c.kind: expect + (
                    " — cette date n'existe pas" if kind == "date" and DATE_SHAPE.fullmatch(iso_date(cells[i])) else "") + (
                    " — un nombre, pas un pourcentage (dans un tableur : format de cellule « Standard »)"
                    if kind == "int" and cells[i].endswith("%") else "")
                + (accounting_zero_hint(cells[i]) if kind in ("int", "rate") else "") + digits_hint(cells[i])))
        values = p.values
        if c.kind in ("id", "text"):
            typed[c.name] = values
        elif c.kind in ("exercice", "int", "rate"):
            typed[c.name] = np.where(bad, np.nan, values) if bad.any() else values
    if typed:
        schema = pa.DataFrameSchema(
            {name: pa.Column(None, checks=_column_checks(next(c for c in present if c.name == name), exercises),
                             nullable=True) for name in typed},
        )
        # copy=False: the parsed columns as they are, not consolidated into one block (a copy of them all: ≈ 100 Mo
        # for 200 000 lines by 60 columns); pandera only reads them
        frame = pd.DataFrame(typed, index=pd.RangeIndex(len(raw)), copy=False)
        try:
            schema.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            failures = exc.failure_cases
            failures = failures[failures["index"].notna()]
            for (name, check), group in failures.groupby(["column", "check"], sort=False):
                rows = np.unique(group["index"].to_numpy(dtype=np.int64))
                cells = raw[str(name)].to_numpy(dtype=object)
                checked.report(str(name), rows, str(check),
                               expect_of=lambda i, e=str(check), cells=cells: e + digits_hint(cells[i]))
    return checked


def _unknown_column(name: str, known: list[str], present=()) -> str:
    other = {c.name for c in PHARMACY_COLUMNS} ^ {c.name for c in MOLECULE_COLUMNS}
    if name in other and name not in known:
        table = "molécules (rosp compute --molecules)" if name in {c.name for c in MOLECULE_COLUMNS} else "pharmacies"
        return f"colonne inconnue dans cette table — elle appartient à la table des {table}"
    guess = difflib.get_close_matches(name, known, n=1, cutoff=0.6) or [  # (a column the file has: no guess)
        OTHER_NAMES[n] for n in (name.strip().lower(),) if OTHER_NAMES.get(n) in set(known) - set(present)]
    if guess:
        return f"colonne inconnue — vouliez-vous dire « {guess[0]} » ? (liste : rosp colonnes)"
    return "colonne inconnue ; attendu : une colonne de la liste (rosp colonnes)"


def check_duplicates(checked: Checked, keys: list[str], key: np.ndarray, expect: str, shown_others: int = 5) -> None:
    """One line per key: each line of a repeated key is reported with (a few of) the others, in
    linear time (the lines of a key are found once, by sorting the keys)."""
    codes, _ = pd.factorize(key)
    counts = np.bincount(codes) if len(codes) else np.zeros(0, dtype=np.int64)
    repeated = np.flatnonzero(counts[codes] > 1)
    if not len(repeated):
        return
    order = np.argsort(codes, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)])
    lines = checked.lines
    raw = checked.raw
    column = french_list(keys)

    def message(i: int) -> Problem:
        c = codes[i]
        group = order[starts[c]: starts[c] + min(counts[c], shown_others + 1)]
        others = [int(lines[j]) for j in group if j != i][:shown_others]
        rest = counts[c] - 1 - len(others)
        where = ("les lignes " if counts[c] > 2 else "la ligne ") + ", ".join(map(str, others))
        if rest > 0:
            where += f" et {thousands(rest)} autre{'s' if rest > 1 else ''}"
        value = " / ".join(str(raw[k].iat[i]) for k in keys)
        return checked.cell(i, column, value, expect, f"en double avec {where}", kind="doublon")

    checked.problems.add_rows("doublon", f"lignes en double (colonnes {column})", repeated, message)


def raise_if_problems(checked: Checked, path: str) -> None:
    if checked.problems:
        raise InputError(path, checked.problems.texts(), len(checked.problems))
