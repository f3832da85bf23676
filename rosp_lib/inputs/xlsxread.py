"""An XLSX workbook as text cells (openpyxl), read as the user sees it or refused.

The sheet read is the one named like the table (`pharmacies`, `molecules`; case and accents
indifferent), else the only sheet holding data. Refused, with the sheet and cell named: several
data sheets and none named like the table, a hidden sheet that would be read, merged cells (only
the first cell of a merge holds the value: the others would read empty or « non »), a formula
without a saved value (it would read empty), hidden rows or columns that hold data (read, yet not
seen), a value hidden by its number format (« ;;; »). Typed cells are brought back to the text a CSV
export would hold, a number at the 15 significant digits Excel shows (94.99999999999999 is 95); a cell is
multiplied by 100 only where Excel shows it as a percentage; an integer formatted with zeros only (« 00000 ») is
read padded as shown (00123), other number formats are not applied.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, MAX_PER_KIND, letter, shown, thousands


def fold(text: str) -> str:
    """Case-, accent- and space-insensitive form of a name."""
    import unicodedata

    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", text).strip().lower()


def decimal_text(value: Decimal) -> str:
    """A Decimal as plain text, without exponent or useless trailing zeros: 95.50 → 95.5, 1E+2 → 100."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


_ZEROS = re.compile(r"0+")
_INVISIBLE = re.compile(r";{2,3}")  # « ;;; »: every section empty, the value is not shown
_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def percent_signs(number_format: str | None) -> int:
    """How many times Excel multiplies the number by 100 to show it: once per `%` outside quoted text
    (`0.00" %"`), escapes (`\\%`), brackets (`[Red]`) and padding (`_)`, `*-`) — `0.0%%` shows 0,02 as
    « 200,0%% ». Only the first section (positive numbers) counts."""
    if not number_format or "%" not in number_format:
        return 0
    return _LITERALS.sub("", number_format).split(";")[0].count("%")


def cell_text(value, number_format: str | None = None) -> str:
    """A typed cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float, np.integer, np.floating)):
        if isinstance(value, (float, np.floating)) and not np.isfinite(value):
            return "" if np.isnan(value) else str(value)
        if isinstance(value, (float, np.floating)):
            # as Excel shows it, at 15 significant digits: 94.99999999999999 (stored for 95, or =0.57*100) is 95
            number = Decimal(format(float(value), ".15g"))
        else:
            number = Decimal(int(value))
        if number_format and _ZEROS.fullmatch(number_format) and number == number.to_integral_value() and number >= 0:
            return str(int(number)).zfill(len(number_format))  # « 00000 » shows 123 as 00123: an identifier
        number *= 100 ** percent_signs(number_format)
        return decimal_text(number)
    return str(value).strip()


def _has_data(ws) -> bool:
    return any(v not in (None, "") for row in ws.iter_rows(values_only=True) for v in row)


def _pick_sheet(path: Path, wb, sheet: str):
    """The worksheet to read, or InputError saying why none can be chosen without guessing."""
    sheets = list(wb.worksheets)  # not the chart sheets
    if not sheets:
        raise InputError(str(path), ["le classeur ne contient aucune feuille de calcul"])
    named = [ws for ws in sheets if fold(ws.title) == fold(sheet)]
    if named:
        ws = named[0]
    else:
        with_data = [ws for ws in sheets if _has_data(ws)]
        if len(with_data) > 1:
            names = ", ".join(f"« {ws.title} »" + (" (masquée)" if ws.sheet_state != "visible" else "")
                              for ws in with_data)
            raise InputError(str(path), [
                f"le classeur a {len(with_data)} feuilles qui contiennent des données ({names}) et aucune "
                f"ne s'appelle « {sheet} » ; attendu : la feuille à lire nommée « {sheet} », "
                "ou une seule feuille de données"
            ])
        ws = with_data[0] if with_data else sheets[0]
    if ws.sheet_state != "visible":
        raise InputError(str(path), [
            f"feuille « {ws.title} » : feuille masquée ; attendu : une feuille visible "
            "(affichez-la si ce sont bien les données à lire, sinon supprimez-la)"
        ])
    return ws


def read_xlsx_cells(path: Path, sheet: str) -> tuple[pd.DataFrame, str]:
    """(cells, sheet title): the chosen sheet as text cells, index = the spreadsheet row number."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except zipfile.BadZipFile:  # not a workbook at all: openpyxl's own text is English
        raise InputError(str(path), ["classeur XLSX illisible : ce n'est pas un classeur Excel .xlsx (fichier abîmé, "
                                     "tronqué ou d'un autre format) ; attendu : un classeur enregistré en .xlsx"]) from None
    except Exception as exc:  # noqa: BLE001 - any other unreadable workbook: its reason as the library says it
        raise InputError(str(path), [f"classeur XLSX illisible ({type(exc).__name__} : {shown(exc)})"]) from None
    try:
        ws = _pick_sheet(path, wb, sheet)
        where = f"feuille « {ws.title} »"
        problems: list[str] = []
        merged = sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col))
        for rng in merged[:MAX_PER_KIND]:
            problems.append(
                f"{where}, cellules {rng.coord} : cellules fusionnées (seule la première porte la valeur) ; "
                "attendu : une valeur dans chaque cellule (défusionnez et recopiez la valeur sur chaque ligne)"
            )
        if len(merged) > MAX_PER_KIND:
            problems.append(f"… et {thousands(len(merged) - MAX_PER_KIND)} autres plages de cellules fusionnées")
        rows = []
        invisible = []
        for row in ws.iter_rows(min_row=1, min_col=1):
            rows.append([cell_text(c.value, c.number_format) for c in row])
            invisible += [c for c in row if c.value not in (None, "") and _INVISIBLE.fullmatch(c.number_format or "")]
        for c in invisible[:MAX_PER_KIND]:
            problems.append(
                f"{where}, cellule {c.coordinate} : valeur {shown(cell_text(c.value))} masquée par le format de nombre "
                f"{shown(c.number_format)} (la cellule paraît vide) ; attendu : une valeur visible (format « Standard » "
                "si elle est à lire, sinon videz la cellule)"
            )
        if len(invisible) > MAX_PER_KIND:
            problems.append(f"… et {thousands(len(invisible) - MAX_PER_KIND)} autres cellules masquées par leur format")
        first_row = 1
        title = ws.title
        problems += _hidden_with_data(ws, rows, where)
    finally:
        wb.close()
    problems += _formulas_without_value(path, title, rows, first_row)
    if problems:
        raise InputError(str(path), problems)
    width = max(map(len, rows), default=0)
    frame = pd.DataFrame([row + [""] * (width - len(row)) for row in rows], dtype=object)
    frame.index = pd.RangeIndex(first_row, first_row + len(frame))
    frame.columns = range(frame.shape[1])
    return frame, title


def _listed(numbers: list, kind: str) -> str:
    shown_numbers = ", ".join(map(str, numbers[:MAX_PER_KIND]))
    more = len(numbers) - MAX_PER_KIND
    return shown_numbers + (f" et {thousands(more)} autres {kind}" if more > 0 else "")


def _hidden_with_data(ws, rows: list[list[str]], where: str) -> list[str]:
    """Rows and columns the user does not see (hidden, or filtered out) but that hold data: refused, as a hidden
    sheet is — reading them would compute what the user did not mean to give, skipping them what they did."""
    from openpyxl.utils import column_index_from_string

    found = []
    hidden_rows = sorted(r for r, d in ws.row_dimensions.items()
                         if d.hidden and 0 < r <= len(rows) and any(v != "" for v in rows[r - 1]))
    if hidden_rows:
        found.append(f"{where}, ligne{'s' if len(hidden_rows) > 1 else ''} {_listed(hidden_rows, 'lignes')} : "
                     "lignes masquées (ou filtrées) qui contiennent des données ; attendu : des lignes visibles "
                     "(affichez-les si elles sont à lire, sinon supprimez-les)")
    hidden_columns: set[int] = set()
    for key, d in ws.column_dimensions.items():
        if d.hidden:
            low = d.min or column_index_from_string(key)
            hidden_columns.update(range(low, (d.max or low) + 1))
    with_data = [j for j in sorted(hidden_columns) if any(j <= len(row) and row[j - 1] != "" for row in rows)]
    if with_data:
        found.append(f"{where}, colonne{'s' if len(with_data) > 1 else ''} "
                     f"{_listed([letter(j - 1) for j in with_data], 'colonnes')} : colonnes masquées qui contiennent "
                     "des données ; attendu : des colonnes visibles (affichez-les si elles sont à lire, sinon "
                     "supprimez-les)")
    return found


def _formulas_without_value(path: Path, title: str, rows: list[list[str]], first_row: int) -> list[str]:
    """A formula whose result was never saved (a workbook written by a program) reads empty."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        found: list[str] = []
        count = 0
        for row in wb[title].iter_rows():
            for c in row:
                if getattr(c, "data_type", None) != "f":
                    continue
                r, j = c.row - first_row, c.column - 1
                if 0 <= r < len(rows) and j < len(rows[r]) and rows[r][j] != "":
                    continue
                count += 1
                if count <= MAX_PER_KIND:
                    found.append(
                        f"feuille « {title} », cellule {letter(j)}{c.row} : formule {shown(c.value)} sans valeur "
                        "enregistrée (elle se lirait vide) ; attendu : une valeur (ouvrez le classeur dans un tableur "
                        "et enregistrez-le, ou collez les valeurs)"
                    )
        if count > MAX_PER_KIND:
            found.append(f"… et {thousands(count - MAX_PER_KIND)} autres formules sans valeur enregistrée")
        return found
    finally:
        wb.close()
