"""An XLSX workbook as text cells (openpyxl), read as the user sees it or refused.

The sheet read is the one named like the table (`pharmacies`, `molecules`; case and accents
indifferent), else the only sheet holding data. Refused, with the sheet and cell named: several
data sheets and none named like the table, a hidden sheet that would be read, merged cells (only
the first cell of a merge holds the value: the others would read empty or « non »), a formula
without a saved value (it would read empty), hidden rows or columns that hold data (read, yet not
seen), a value hidden by its number format (« ;;; », « ;;;@ », « "";"";"" »: the section of the format that applies
to the value shows nothing). A formula whose saved result is an empty text (`=SI(C2>0;"";0)`) reads empty. Typed cells are brought back to the text a CSV
export would hold, a number at the 15 significant digits Excel shows (94.99999999999999 is 95); a cell is
multiplied by 100 only where Excel shows it as a percentage, and read with its « % » as shown (a rate reads so, a
count shown « 4000000 % » is refused); an integer formatted with zeros only (« 00000 ») is
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

from .csvread import LINE_BREAK
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
_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_TOKENS = re.compile(r'"[^"]*"|\\.|;|[^;"\\]+|["\\]')  # quoted text, an escaped character, `;`, the rest
# What a section may hold and still show nothing: brackets (colour, condition), empty quoted text, padding, spaces
_SHOWS_NOTHING = re.compile(r'(?:\[[^\]]*\]|""|_.|\*\s|\s)*')


def hidden_by_format(value, number_format: str | None) -> bool:
    """True if Excel shows nothing for `value` in this format: the section that applies to it (positive; negative;
    zero; text) is empty — « ;;; », « ;;;@ » for a number, « "";"";"" »… A text is hidden only by a fourth section;
    a zero is not said hidden by a format that shows the positive numbers (it hides the zeros of a table, and the 0
    typed is read)."""
    if not number_format or ";" not in number_format and not _SHOWS_NOTHING.fullmatch(number_format):
        return False
    sections = _sections(number_format)
    if isinstance(value, str):
        return len(sections) >= 4 and bool(_SHOWS_NOTHING.fullmatch(sections[3]))
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating, dt.date, dt.datetime)):
        return False
    number = 1 if isinstance(value, (dt.date, dt.datetime)) else value
    if len(sections) >= 3 and number == 0:
        # a format that hides only the zeros (the accountants' « # ##0;-# ##0;; »): the 0 typed is what is meant
        section = sections[2] if _SHOWS_NOTHING.fullmatch(sections[0]) else "0"
    elif len(sections) >= 2 and number < 0:
        section = sections[1]
    else:
        section = sections[0]
    return bool(_SHOWS_NOTHING.fullmatch(section))


def _sections(number_format: str) -> list[str]:
    """A number format's sections, split at each `;` outside quotes and escapes."""
    sections = [""]
    for token in _TOKENS.findall(number_format):
        if token == ";":
            sections.append("")
        else:
            sections[-1] += token
    return sections


_CONDITION = re.compile(r"\[(<=|>=|<>|<|>|=)\s*(-?\d+(?:[.,]\d+)?)\]")
_HOLDS = {"<": Decimal.__lt__, "<=": Decimal.__le__, ">": Decimal.__gt__, ">=": Decimal.__ge__, "=": Decimal.__eq__,
          "<>": Decimal.__ne__}


def _holds(section: str, number: Decimal) -> bool | None:
    """Whether the condition of a section (« [>=1] ») holds for `number`; None when it has none."""
    found = _CONDITION.search(section)
    if found is None:
        return None
    return _HOLDS[found.group(1)](number, Decimal(found.group(2).replace(",", ".")))


def _section_for(sections: list[str], number: Decimal) -> str:
    """The section Excel shows `number` with: with conditions (« [>=1]0"%";0% »), the first whose condition holds, a
    section without one taking the numbers the conditions before it left; else positive (and the rest); negative;
    zero."""
    if _holds(sections[0], number) is not None:
        for section in sections[:3]:
            if _holds(section, number) in (True, None):
                return section
        return sections[-1]
    if number < 0 and len(sections) >= 2:
        return sections[1]
    if number == 0 and len(sections) >= 3:
        return sections[2]
    return sections[0]


def percent_signs(number_format: str | None, number: Decimal = Decimal(1)) -> int:
    """How many times Excel multiplies `number` by 100 to show it: once per `%` of the format's section that shows it
    (`_section_for`: `[>=1]0"%";0%` shows 0,06 as « 6% »), outside quoted text (`0.00" %"`), escapes (`\\%`),
    brackets (`[Red]`) and padding (`_)`, `*-`) — `0.0%%` shows 0,02 as « 200,0%% »."""
    if not number_format or "%" not in number_format:
        return 0
    return _LITERALS.sub("", _section_for(_sections(number_format), number)).count("%")


def cell_text(value, number_format: str | None = None) -> str:
    """A typed cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"  # as a French Excel shows it (a yes/no column reads vrai/faux)
    if isinstance(value, dt.timedelta):  # a duration (« [h]:mm »), as Excel shows it: 26:00:00, not « 1 day, 2:00:00 »
        seconds = int(value.total_seconds())
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if isinstance(value, dt.time):
        from openpyxl.styles.numbers import is_datetime  # here: openpyxl is imported for a workbook only

        # a number below 1 (Excel's day zero, 0) in a date cell
        if number_format and is_datetime(number_format) in ("date", "datetime"):
            return "00/01/1900"  # as Excel shows it: a day 0, not the « 00:00:00 » openpyxl turns it into
        return value.isoformat()
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
        signs = percent_signs(number_format, number)
        if signs:  # as Excel shows it, with its sign: a rate reads « 96.2 % », a count so formatted is refused
            return decimal_text(number * 100 ** signs) + " %"
        return decimal_text(number)
    return str(value).strip()


def _unreadable(path: Path) -> str:
    """Why a file named .xlsx cannot be read, in French: another format under that name, or a damaged workbook."""
    try:
        with zipfile.ZipFile(path) as archive:
            kind = archive.read("mimetype").decode("ascii", "replace") if "mimetype" in archive.namelist() else ""
    except (zipfile.BadZipFile, OSError, KeyError):
        kind = ""
    if "opendocument" in kind:
        return ("classeur XLSX illisible : c'est un classeur OpenDocument (LibreOffice, .ods) nommé en .xlsx ; "
                "attendu : un classeur enregistré au format Excel .xlsx (Fichier > Enregistrer sous > Excel 2007-365)")
    return ("classeur XLSX illisible : ce n'est pas un classeur Excel .xlsx valide (fichier abîmé, tronqué ou d'un autre "
            "format) ; attendu : un classeur enregistré en .xlsx (ouvrez-le dans un tableur et enregistrez-le en .xlsx)")


def _has_data(ws) -> bool:
    """Whether a sheet holds a value, looked for in its stored cells (see `_rows_with_values`: not the whole grid)."""
    return any(c.value not in (None, "") for c in ws._cells.values())  # noqa: SLF001


def _pick_sheet(path: Path, wb, sheet: str):
    """The worksheet to read, or InputError saying why none can be chosen without guessing."""
    sheets = list(wb.worksheets)  # not the chart sheets
    if not sheets:
        raise InputError(str(path), ["le classeur ne contient aucune feuille de calcul"])
    named = [ws for ws in sheets if fold(ws.title) == fold(sheet)]
    if len(named) > 1:  # « Pharmacies » and « pharmacies  »: the one meant cannot be told
        names = ", ".join(f"« {ws.title} »" for ws in named)
        raise InputError(str(path), [
            f"le classeur a {len(named)} feuilles nommées comme « {sheet} » ({names}) ; attendu : une seule feuille "
            f"« {sheet} » (renommez ou supprimez les autres)"
        ])
    if named:
        ws = named[0]
        others = [other for other in sheets if other is not ws and _has_data(other)]
        if others and not _has_data(ws):
            names = ", ".join(f"« {other.title} »" for other in others)
            raise InputError(str(path), [
                f"feuille « {ws.title} » : feuille vide, alors que {'la feuille' if len(others) == 1 else 'les feuilles'} "
                f"{names} contien{'t' if len(others) == 1 else 'nent'} des données ; attendu : les données dans la "
                f"feuille « {sheet} » (ou supprimez cette feuille vide)"
            ])
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
    except Exception:  # noqa: BLE001 - not a workbook, or a damaged one: openpyxl's own text is English
        raise InputError(str(path), [_unreadable(path)]) from None
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
        rows: dict[int, list[str]] = {}  # spreadsheet row number → its cells' texts, for the rows holding a value
        numbers: list[list[bool]] = []  # the cells typed as numbers: their text has no thousands separator
        invisible = []
        broken = []  # a text on several lines (Alt+Entrée): a value is one line, as in a CSV file
        for r, row in _rows_with_values(ws):
            rows[r] = [cell_text(c.value, c.number_format) for c in row]
            numbers.append([isinstance(c.value, (int, float)) and not isinstance(c.value, bool) for c in row])
            invisible += [c for c in row if c.value not in (None, "") and hidden_by_format(c.value, c.number_format)]
            # (a break at either end is stripped by the reading, as the spaces: « nom⏎ » is the column nom)
            broken += [c for c in row if isinstance(c.value, str) and LINE_BREAK.search(c.value.strip())]
        for c in invisible[:MAX_PER_KIND]:
            problems.append(
                f"{where}, cellule {c.coordinate} : valeur {shown(cell_text(c.value))} masquée par le format de nombre "
                f"{shown(c.number_format)} (la cellule paraît vide) ; attendu : une valeur visible (format « Standard » "
                "si elle est à lire, sinon videz la cellule)"
            )
        if len(invisible) > MAX_PER_KIND:
            problems.append(f"… et {thousands(len(invisible) - MAX_PER_KIND)} autres cellules masquées par leur format")
        for c in broken[:MAX_PER_KIND]:
            problems.append(
                f"{where}, cellule {c.coordinate} : valeur {shown(c.value)} sur {len(LINE_BREAK.findall(c.value)) + 1} "
                "lignes (retour à la ligne dans la cellule) ; attendu : une valeur sur une seule ligne (retirez le "
                "retour à la ligne : Alt+Entrée dans Excel)"
            )
        if len(broken) > MAX_PER_KIND:
            problems.append(f"… et {thousands(len(broken) - MAX_PER_KIND)} autres cellules sur plusieurs lignes")
        title = ws.title
        problems += _hidden_with_data(ws, rows, where)
    finally:
        wb.close()
    problems += _formulas_without_value(path, title, rows)
    if problems:
        raise InputError(str(path), problems)
    width = max(map(len, rows.values()), default=0)
    frame = pd.DataFrame([row + [""] * (width - len(row)) for row in rows.values()], dtype=object)
    typed = np.zeros(frame.shape, dtype=bool)
    for i, row in enumerate(numbers):
        typed[i, :len(row)] = row
    # the rows without any value are left out (as the empty lines of a CSV file): each row keeps its number
    frame.index = pd.Index(list(rows), dtype="int64")
    frame.columns = range(frame.shape[1])
    frame.attrs["nombres"] = typed
    return frame, title


def _rows_with_values(ws):
    """(row number, cells from column A to the row's last cell) of each row holding a value, in order, from the cells
    the sheet stores (openpyxl's `_cells`: (row, column) → cell). Not `iter_rows`, which walks the whole grid up to
    the last stored cell, creating the missing ones: one value typed in XFD1048576 made it 17 billion cells, and a
    5 kB workbook ran the reading out of memory (review); an empty cell with a format, far below the table, 200 000
    empty rows."""
    by_row: dict[int, dict[int, object]] = {}
    for (r, j), c in ws._cells.items():  # noqa: SLF001 - the sheet's stored cells, see above
        if c.value is not None:
            by_row.setdefault(r, {})[j] = c
    for r in sorted(by_row):
        cells = by_row[r]
        # a missing cell is an empty one, not created in the sheet (a value in column XFD on each of 300 rows created
        # 5 million cells: 43 s and 2 GB, review)
        yield r, [cells.get(j, _NO_CELL) for j in range(1, max(cells) + 1)]


class _EmptyCell:
    """A cell the sheet does not store: no value, no format."""

    value = None
    number_format = None


_NO_CELL = _EmptyCell()


def _listed(numbers: list, kind: str) -> str:
    shown_numbers = ", ".join(map(str, numbers[:MAX_PER_KIND]))
    more = len(numbers) - MAX_PER_KIND
    return shown_numbers + (f" et {thousands(more)} autres {kind}" if more > 0 else "")


def _hidden_with_data(ws, rows: dict[int, list[str]], where: str) -> list[str]:
    """Rows and columns the user does not see (hidden, or filtered out) but that hold data: refused, as a hidden
    sheet is — reading them would compute what the user did not mean to give, skipping them what they did."""
    from openpyxl.utils import column_index_from_string

    found = []
    # a row of height 0 or a column of width 0 is hidden as well, to the eye (another program may write it so, without
    # « hidden »: review)
    hidden_rows = sorted(r for r, d in ws.row_dimensions.items()
                         if (d.hidden or d.height == 0) and any(v != "" for v in rows.get(r, ())))
    if hidden_rows:
        found.append(f"{where}, ligne{'s' if len(hidden_rows) > 1 else ''} {_listed(hidden_rows, 'lignes')} : "
                     "lignes masquées (ou filtrées) qui contiennent des données ; attendu : des lignes visibles "
                     "(affichez-les si elles sont à lire, sinon supprimez-les)")
    hidden_columns: set[int] = set()
    for key, d in ws.column_dimensions.items():
        if d.hidden or d.width == 0:
            low = d.min or column_index_from_string(key)
            hidden_columns.update(range(low, (d.max or low) + 1))
    with_data = [j for j in sorted(hidden_columns) if any(j <= len(row) and row[j - 1] != "" for row in rows.values())]
    if with_data:
        found.append(f"{where}, colonne{'s' if len(with_data) > 1 else ''} "
                     f"{_listed([letter(j - 1) for j in with_data], 'colonnes')} : colonnes masquées qui contiennent "
                     "des données ; attendu : des colonnes visibles (affichez-les si elles sont à lire, sinon "
                     "supprimez-les)")
    return found


def _formulas_without_value(path: Path, title: str, rows: dict[int, list[str]]) -> list[str]:
    """A formula whose result was never saved (a workbook written by a program) reads empty. (`rows`: the texts read,
    by row number.)"""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        ws = wb[title]
        # The formulas as the sheet's XML stores them, by openpyxl's own parser (shared formulas translated): not
        # `iter_rows`, which walks the grid of the stated dimensions (one value in XFD1048576, see
        # `_rows_with_values`), skips a row stored after a later one, and, without dimensions, cuts a row at its
        # last cell in file order (review: a formula left of it went unseen).
        from openpyxl.utils import coordinate_to_tuple, get_column_letter
        from openpyxl.worksheet._reader import WorkSheetParser

        empty = []  # (coordinate, formula) of those that read empty: no saved result, or an empty text saved
        with ws._get_source() as source:  # noqa: SLF001 - as `_saved_empty_texts`
            for _, row in WorkSheetParser(source, ws._shared_strings, data_only=False).parse():  # noqa: SLF001
                for c in row:
                    if c.get("data_type") != "f":
                        continue
                    texts, j = rows.get(c["row"], ()), c["column"] - 1
                    if j < len(texts) and texts[j] != "":
                        continue
                    empty.append((f"{get_column_letter(c['column'])}{c['row']}", c["value"]))
        saved = _saved_empty_texts(ws) if empty else set()
        without = sorted((c for c in empty if c[0] not in saved), key=lambda c: coordinate_to_tuple(c[0]))
        found = [f"feuille « {title} », cellule {where} : formule {shown(_formula_text(value))} sans valeur enregistrée "
                 "(elle se lirait vide) ; attendu : une valeur (ouvrez le classeur dans un tableur et enregistrez-le, ou "
                 "collez les valeurs)" for where, value in without[:MAX_PER_KIND]]
        if len(without) > MAX_PER_KIND:
            found.append(f"… et {thousands(len(without) - MAX_PER_KIND)} autres formules sans valeur enregistrée")
        return found
    finally:
        wb.close()


def _formula_text(value) -> str:
    """A formula as the spreadsheet shows it: an array formula ({=…}) is an object whose `text` is its formula."""
    text = getattr(value, "text", value)
    return text if isinstance(text, str) else str(text)


def _saved_empty_texts(ws) -> set[str]:
    """The cells (« D2 ») of a read-only sheet whose formula has an empty text as its saved result — Excel writes
    `=SI(C2>0;"";0)` so: `<c t="str"><f>…</f><v></v></c>`. openpyxl reads that `<v>` and a missing one alike (None),
    hence this look at the sheet's XML, only when a formula reads empty."""
    from xml.etree.ElementTree import iterparse

    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    found = set()
    with ws._get_source() as source:  # noqa: SLF001 - openpyxl's own way to the sheet's XML in read-only mode
        for _, element in iterparse(source):
            if element.tag == ns + "c":
                if (element.get("t") == "str" and element.find(ns + "f") is not None
                        and element.find(ns + "v") is not None and element.get("r")):
                    found.add(element.get("r"))
                element.clear()
    return found
