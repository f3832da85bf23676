"""Helpers of the rule tests: exact expected amounts, and pharmacy tables built as a user writes them.

- `evaluate` turns an expected amount written as arithmetic (`"2.6232 * 486 * (93 - 85) / 100"`) into an
  exact fraction of euros; only numbers, + - * /, unary signs and parentheses are accepted (parsed with
  `ast`, never `eval`). Literals are read from their source text as decimals, never as binary floats.
- `to_cents` rounds an exact amount to the cent: half away from zero (`demi_haut`, the default
  reading of docs/regles.md) or half to even (`demi_pair`).
- `workbook` builds an XLSX workbook (openpyxl) from sheets of rows, in order, as a user lays them out.
- `pharmacies_frame` / `molecules_frame` build the typed tables the engine reads, from rows of cells
  written as in the CSV (`"oui"`, `"95,5"`, `""` for unknown), through the project's own conversion.
"""

from __future__ import annotations

import ast
import csv
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd


class ExpressionError(ValueError):
    """An expected amount that is not plain arithmetic."""


def _literal(node: ast.Constant, source: str) -> Fraction:
    if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
        raise ExpressionError(f"constante non numérique : {node.value!r}")
    text = ast.get_source_segment(source, node) or repr(node.value)
    return Fraction(Decimal(text.replace("_", "")))


def _eval(node: ast.AST, source: str) -> Fraction:
    if isinstance(node, ast.Expression):
        return _eval(node.body, source)
    if isinstance(node, ast.Constant):
        return _literal(node, source)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        v = _eval(node.operand, source)
        return v if isinstance(node.op, ast.UAdd) else -v
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        a, b = _eval(node.left, source), _eval(node.right, source)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if b == 0:
            raise ExpressionError("division par zéro")
        return a / b
    raise ExpressionError(f"élément non autorisé dans un montant attendu : {type(node).__name__}")


def evaluate(value) -> Fraction:
    """An expected amount (int, float or arithmetic string) as an exact fraction of euros."""
    if isinstance(value, bool):
        raise ExpressionError(f"montant attendu invalide : {value!r}")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    if not isinstance(value, str):
        raise ExpressionError(f"montant attendu invalide : {value!r}")
    source = value.strip()
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"expression illisible {value!r} : {exc.msg}") from None
    return _eval(tree, source)


def to_cents(amount: Fraction, mode: str = "demi_haut") -> int:
    """Exact euros to integer cents: halves away from zero (demi_haut) or to the even cent (demi_pair)."""
    if mode not in ("demi_haut", "demi_pair"):
        raise ValueError(f"mode d'arrondi inconnu : {mode!r}")
    x = abs(Fraction(amount)) * 100
    q, r = divmod(x.numerator, x.denominator)
    twice = 2 * r
    if twice > x.denominator or (twice == x.denominator and (mode == "demi_haut" or q % 2 == 1)):
        q += 1
    return -q if amount < 0 else q


def cents(value, mode: str = "demi_haut") -> int:
    """Shortcut: an expected amount (as in the YAML cases) in cents."""
    return to_cents(evaluate(value), mode)


def cents_text(c: int) -> str:
    sign = "-" if c < 0 else ""
    return f"{sign}{abs(c) // 100}.{abs(c) % 100:02d}"


# ----------------------------------------------------------------------------------------------
# Tables
# ----------------------------------------------------------------------------------------------
def cell(value) -> str:
    """A Python value as the text of a CSV cell (True → "oui", None → "")."""
    if value is None:
        return ""
    if value is True:
        return "oui"
    if value is False:
        return "non"
    return str(value)


def write_csv(path: Path, rows: list[dict], sep: str = ",") -> Path:
    columns: list[str] = []
    for row in rows:
        for k in row:
            if k not in columns:
                columns.append(k)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=sep)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(row.get(c)) for c in columns])
    return path


def workbook(sheets: dict[str, list[list]]):
    """An openpyxl workbook: title → rows (first row = header), sheets in this order, nothing else in it."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    return wb


def _raw(rows: list[dict]) -> pd.DataFrame:
    columns: list[str] = []
    for row in rows:
        for k in row:
            if k not in columns:
                columns.append(k)
    return pd.DataFrame([[cell(r.get(c)).strip() for c in columns] for r in rows], columns=columns, dtype=object)


def pharmacies_frame(rows: list[dict]) -> pd.DataFrame:
    """The typed pharmacies table of `read_pharmacies`, without the file and without validation.

    Rows must be valid (the tests that use it generate valid rows); cells are written as in the CSV.
    """
    from rosp_lib.inputs import PHARMACY_COLUMNS, _typed

    raw = _raw(rows)
    frame = _typed(raw, PHARMACY_COLUMNS)
    frame.index = pd.RangeIndex(len(frame))
    return frame


def molecules_frame(rows: list[dict]) -> pd.DataFrame:
    """The typed molecules table of `read_molecules` (same extra columns), without validation."""
    from rosp_lib.inputs import MOLECULE_COLUMNS, _typed, empty_molecules, normalise_molecule

    if not rows:
        return empty_molecules()
    raw = _raw(rows)
    frame = _typed(raw, MOLECULE_COLUMNS)
    frame["molecule_norm"] = raw["molecule"].map(normalise_molecule)
    for name in ("taux_depart_pct", "taux_arrivee_pct"):
        frame[name + "_exact"] = raw[name].str.replace(",", ".", regex=False).map(lambda v: Decimal(v) if v else None)
    frame.index = pd.RangeIndex(len(frame))
    return frame


def amount(lines: pd.DataFrame, theme: str, indicateur: str, pharmacie_id: str | None = None) -> int:
    """The cents of one indicator (summed over its lines, e.g. one per molecule)."""
    sel = (lines["theme"] == theme) & (lines["indicateur"] == indicateur)
    if pharmacie_id is not None:
        sel &= lines["pharmacie_id"] == pharmacie_id
    if not sel.any():
        raise AssertionError(f"aucune ligne {theme}.{indicateur}")
    return int(np.asarray(lines.loc[sel, "montant_cents"], dtype=np.int64).sum())
