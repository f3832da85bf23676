"""Result files for a French spreadsheet: `rosp compute --format csv | csv-fr | xlsx`.

- `csv` (default): the input contract's `lignes.csv` and `totaux.csv` (comma, decimal point, UTF-8);
- `csv-fr`: the same two tables for a French spreadsheet: `;` separator, decimal comma, UTF-8 with BOM
  (Excel then reads the accents and the columns without an import wizard);
- `xlsx`: one workbook `resultats.xlsx`, sheets `totaux` and `lignes`, amounts as numbers in euros
  (format « 1 234,56 € » in a French Excel), rates as percentages, frozen header row, filters.

`writers` returns, for each file, a function that writes it to a binary handle: the CLI writes them
all under temporary names and renames them together.

All three follow the one rule of `csvfile.neutralised` (OWASP, « CSV injection »): a text cell that
starts with =, +, -, @, a tab or a carriage return gets a leading `'`, unless it is a plain number;
the amounts and rates written as numbers are unchanged. In the workbook, the text cells are string
cells: Excel and LibreOffice show the same text as the CSV cell (the `'` included), never a formula.
"""

from __future__ import annotations

import io
import math
import re
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from ..inputs import PHARMACY_COLUMNS
from ..registry import INDICATOR_BY_CODE
from . import money
from .formatting import decimal_text, num_exact

FORMATS = ("csv", "csv-fr", "xlsx")
EURO_FORMAT = '#,##0.00\\ "€"'
PERCENT_FORMAT = "0.00\\ %"
_RATE_COLUMNS = {c.name for c in PHARMACY_COLUMNS if c.kind == "rate"}


# Identifiers a spreadsheet opening a CSV turns into something else, shown otherwise than written: a number with a
# leading zero (a FINESS number, 060012345 → 60012345), 12 digits or more (a SIRET: « 1,23457E+13 » in the General
# format, its last digits lost when saved), an exponent (1E5 → 1,00E+05), a date: day-month (12-05 → 12-mai), month-year
# (12-2024 → déc-24), year-month(-day) (2024-01-15), a French month's name (mai-24). A CSV cannot say « this is text »
# to Excel without a formula (which the neutralisation forbids) or a visible apostrophe: said, the workbook format
# keeping them. (« 99-99 » or « 2024-99 » are no date: kept as text by Excel, not said.)
_DAY, _MONTH = r"(?:0?[1-9]|[12]\d|3[01])", r"(?:0?[1-9]|1[0-2])"
_CONVERTED_ID = re.compile(
    rf"0\d+|\d{{12,}}|\d+(?:[.,]\d+)?[eE][+-]?\d+|{_DAY}[-/]{_MONTH}(?:[-/]\d{{1,4}})?|{_MONTH}[-/]\d{{4}}"
    rf"|\d{{4}}[-/]{_MONTH}(?:[-/]{_DAY})?|(?i:janv|mars|avr|mai|juin|juil|sept|oct|nov)[a-z]*[-/]\d{{1,4}}")


def converted_ids_warning(ids, fmt: str) -> list[str]:
    """A warning when a CSV format is asked for and identifiers would not read in a spreadsheet as written
    (`_CONVERTED_ID`): the first ones named, and the workbook format suggested."""
    if fmt == "xlsx":
        return []
    found = sorted({str(i) for i in ids if _CONVERTED_ID.fullmatch(str(i))})
    if not found:
        return []
    shown = ", ".join(f"« {i} »" for i in found[:5]) + (f" et {len(found) - 5} autres" if len(found) > 5 else "")
    return [f"{len(found)} identifiant{'s' if len(found) > 1 else ''} de pharmacie ({shown}) "
            f"{'ressemblent' if len(found) > 1 else 'ressemble'} à un nombre ou à une date : un tableur qui ouvre "
            "lignes.csv ou totaux.csv les convertit (zéro de tête perdu, date, notation scientifique) ; pour les "
            "garder tels quels, utilisez --format xlsx (cellules de texte), ou importez la colonne pharmacie_id comme "
            "texte"]


def files_for(fmt: str) -> tuple[str, ...]:
    return ("resultats.xlsx",) if fmt == "xlsx" else ("lignes.csv", "totaux.csv")


def writers(fmt: str, out_dir: Path, lines: pd.DataFrame, totals: pd.DataFrame) -> dict[Path, Callable[[BinaryIO], None]]:
    """The files of the chosen format and how to write each (`lines`, `totals`: engine frames, in cents)."""
    from ..engine import TOTAL_AMOUNTS, lines_for_output, totals_for_output
    from .assemble import LINE_AMOUNTS
    from .csvfile import write_csv

    out_dir = Path(out_dir)
    if fmt == "csv":
        return {
            out_dir / "lignes.csv": lambda fh: write_csv(lines_for_output(lines), fh, numbers=LINE_AMOUNTS),
            out_dir / "totaux.csv": lambda fh: write_csv(totals_for_output(totals), fh, numbers=TOTAL_AMOUNTS),
        }
    if fmt == "csv-fr":
        return {
            out_dir / "lignes.csv": lambda fh: write_csv_fr(french_lines(lines), fh),
            out_dir / "totaux.csv": lambda fh: write_csv_fr(french_totals(totals), fh),
        }
    if fmt == "xlsx":
        return {out_dir / "resultats.xlsx": lambda fh: write_xlsx(lines, totals, fh, scratch=out_dir)}
    raise ValueError(f"format inconnu : {fmt} (attendu : {', '.join(FORMATS)})")


class LineCounts:
    """What the command's summary says of the lines, counted part by part (a part's counts are small:
    the worker processes of `rosp compute` send them back with the part's CSV bytes)."""

    def __init__(self) -> None:
        self.lines = self.hypotheses = self.missing = 0
        self.totals: list[pd.DataFrame] = []
        # The `totaux.csv` rows of each part, formatted where the part was computed (`write_part_csv`): the
        # command then writes them as they are (measured on 20 000 pharmacies: ≈ 0,2 s less after the last part)
        self.totals_csv: list[bytes] = []

    def add(self, lines: pd.DataFrame, totals: pd.DataFrame) -> None:
        self.lines += len(lines)
        self.hypotheses += int((lines["statut_regle"] == "hypothese").sum())
        self.missing += int(lines["donnee_manquante"].sum())
        self.totals.append(totals)

    def merge(self, other: "LineCounts") -> None:
        """Add the counts of a later part (`other`)."""
        self.lines += other.lines
        self.hypotheses += other.hypotheses
        self.missing += other.missing
        self.totals.extend(other.totals)
        self.totals_csv.extend(other.totals_csv)

    def all_totals(self) -> pd.DataFrame:
        return pd.concat(self.totals, ignore_index=True) if len(self.totals) > 1 else self.totals[0]


def write_part_csv(part: pd.DataFrame, lines: pd.DataFrame, fh: BinaryIO, header: bool) -> LineCounts:
    """Write a part's lines to `lignes.csv` (`header` for the first part) and count them, with the
    totals of the part's rows and their `totaux.csv` rows (`header` likewise): what one part adds to the
    `csv` files, in this process or in a worker."""
    from ..engine import TOTAL_AMOUNTS, lines_for_output, totals, totals_for_output
    from .assemble import LINE_AMOUNTS
    from .csvfile import write_csv

    write_csv(lines_for_output(lines), fh, header=header, numbers=LINE_AMOUNTS)
    counts = LineCounts()
    part_totals = totals(lines, part)
    counts.add(lines, part_totals)
    rows = io.BytesIO()
    write_csv(totals_for_output(part_totals), rows, header=header, numbers=TOTAL_AMOUNTS)
    counts.totals_csv.append(rows.getvalue())
    return counts


def parts_in_process(pharmacies: pd.DataFrame, molecules: pd.DataFrame | None, parameters):
    """The parts of `engine.compute_parts`, computed in this process, for `csv_writers_by_part`."""
    from ..engine import compute_parts

    for i, (part, lines) in enumerate(compute_parts(pharmacies, molecules, parameters)):
        yield lambda fh, part=part, lines=lines, header=(i == 0): write_part_csv(part, lines, fh, header)
        del part, lines


def csv_writers_by_part(out_dir: Path, parts, counts: LineCounts) -> dict[Path, Callable[[BinaryIO], None]]:
    """The `csv` files written part by part: each part's lines are written to `lignes.csv` and
    released, its totals kept for `totaux.csv` (written next). The same bytes as `writers("csv", …)`
    on the whole table; the memory is that of a part (or of the parts in flight).

    `parts` yields, in order, one function per part that writes the part's lines to a binary file and
    returns their LineCounts: `parts_in_process`, or `workers.parts_in_workers` (formatted by worker
    processes). `totaux.csv` is the parts' `totaux.csv` rows, end to end (each cell is written alone:
    the rows of the parts are those of the whole table)."""
    out_dir = Path(out_dir)

    def write_lines(fh: BinaryIO) -> None:
        for write_part in parts:
            counts.merge(write_part(fh))
            del write_part

    def write_totals(fh: BinaryIO) -> None:
        for rows in counts.totals_csv:
            fh.write(rows)

    return {
        out_dir / "lignes.csv": write_lines,
        out_dir / "totaux.csv": write_totals,
    }


# --------------------------------------------------------------------------------------------
# csv-fr
# --------------------------------------------------------------------------------------------
def _fr_cents(cents) -> np.ndarray:
    return np.array([s.replace(".", ",") for s in money.cents_to_str(np.asarray(cents, dtype=np.int64))], dtype=object)


def _fr_number(v):
    """A number with a decimal comma and no thousands separator; other values unchanged."""
    if isinstance(v, (bool, np.bool_)) or v is None:
        return v
    if isinstance(v, (float, np.floating)):
        if math.isnan(v):
            return ""
        return str(int(v)) if float(v).is_integer() else repr(float(v)).replace(".", ",")
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, Decimal):  # an exact rate, where its float misstates it: every digit
        return decimal_text(v).replace(".", ",")
    return v


def french_lines(lines: pd.DataFrame) -> pd.DataFrame:
    from ..engine import lines_for_output
    from .csvfile import neutralised_frame

    out = neutralised_frame(lines_for_output(lines))  # before the amounts become texts « -12,50 »
    out["montant_eur"] = _fr_cents(lines["montant_cents"].to_numpy())
    out["valeur"] = out["valeur"].map(_fr_number)
    return out


def french_totals(totals: pd.DataFrame) -> pd.DataFrame:
    from ..engine import totals_for_output
    from .csvfile import neutralised_frame

    out = neutralised_frame(totals_for_output(totals))  # before the amounts become texts « -12,50 »
    for c in out.columns[2:]:
        out[c] = _fr_cents(totals[c].to_numpy())
    return out


def write_csv_fr(frame: pd.DataFrame, fh: BinaryIO) -> None:
    fh.write(frame.to_csv(sep=";", index=False, lineterminator="\r\n").encode("utf-8-sig"))


# --------------------------------------------------------------------------------------------
# xlsx
# --------------------------------------------------------------------------------------------
def _is_rate(code: str, type_ligne: str, value) -> bool:
    ind = INDICATOR_BY_CODE.get(code)
    if ind is None or type_ligne == "malus" or isinstance(value, (bool, np.bool_)):
        return False
    if not isinstance(value, (int, float, np.integer, np.floating)) or pd.isna(value):
        return False
    return any(c in _RATE_COLUMNS for c in ind.colonnes)


def write_xlsx(lines: pd.DataFrame, totals: pd.DataFrame, fh: BinaryIO, scratch: Path | None = None) -> None:
    """The workbook of `--format xlsx`; `scratch`: the folder for openpyxl's temporary files (the output folder)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from ..engine import TOTAL_COLUMNS
    from .assemble import LINE_COLUMNS
    from .csvfile import neutralised_frame

    wb = Workbook()
    ws_t = wb.active
    ws_t.title = "totaux"
    amount_cols = TOTAL_COLUMNS[2:]
    ws_t.append(TOTAL_COLUMNS)
    for row in neutralised_frame(totals[TOTAL_COLUMNS], inner=False).itertuples(index=False):  # amounts: cents
        values = list(row)
        ws_t.append([_storable(values[0]), int(values[1])] + [money.cents_to_decimal(int(c)) for c in values[2:]])
    _format(ws_t, {TOTAL_COLUMNS.index(c) + 1: EURO_FORMAT for c in amount_cols}, Font, Alignment, get_column_letter)

    ws_l = wb.create_sheet("lignes")
    ws_l.append(LINE_COLUMNS)
    i_valeur = LINE_COLUMNS.index("valeur")
    i_montant = LINE_COLUMNS.index("montant_eur")
    frame = neutralised_frame(lines[[c for c in LINE_COLUMNS if c != "montant_eur"] + ["montant_cents"]], inner=False)
    frame["montant_eur"] = [money.cents_to_decimal(int(c)) for c in frame["montant_cents"]]
    frame["donnee_manquante"] = np.where(frame["donnee_manquante"].astype(bool), "oui", "non")
    # the sheet's row counted here: `ws_l.max_row` looks at every cell, and read once per line it made the workbook of
    # 600 lines take 64 s (review: 3 000 lines did not end in 5 minutes)
    for row_number, rec in enumerate(frame[LINE_COLUMNS].itertuples(index=False), start=2):
        values = [None if (isinstance(v, float) and math.isnan(v)) else _storable(v) for v in rec]
        ws_l.append(values)
        if _is_rate(rec.indicateur, rec.type_ligne, rec.valeur):
            cell = ws_l.cell(row=row_number, column=i_valeur + 1)
            cell.value = float(rec.valeur) / 100
            cell.number_format = PERCENT_FORMAT
        elif isinstance(rec.valeur, Decimal):
            # An exact rate whose float misstates it (84,99999999999999999 would be the number 85 %, and show
            # « 85,00 % » beside « non »): a spreadsheet number is a float, so the cell is the text of the value
            # as typed, « 84,99999999999999999 % » — not summable, but what the threshold was compared with.
            ws_l.cell(row=row_number, column=i_valeur + 1).value = f"{num_exact(rec.valeur)} %"
    _format(ws_l, {i_montant + 1: EURO_FORMAT}, Font, Alignment, get_column_letter)
    _save(wb, fh, scratch)


def _save(wb, fh: BinaryIO, scratch: Path | None) -> None:
    """`wb.save(fh)`, openpyxl's temporary file of each sheet made in `scratch` (the output folder, not the system's
    temporary folder: a full /tmp failed the write, and the files lay outside the folder the user named). When the
    write fails (disk full, ulimit -f), the sheets' half-written streams are closed here, not reported by Python as
    « Exception ignored in … » with a traceback when they are collected."""
    import gc
    import tempfile

    folder = str(scratch) if scratch is not None else None
    before = tempfile.tempdir
    tempfile.tempdir = folder or before  # openpyxl's create_temporary_file: NamedTemporaryFile(dir=None)
    hook = sys.unraisablehook
    failure = None
    try:
        wb.save(fh)
    except OSError as exc:
        failure = OSError(exc.errno, exc.strerror, exc.filename)
        # The streams' own OSError when they are closed is the one raised here: silenced from now on, as the
        # exception's frames, which hold the streams (the ZipFile), are let go when this block ends (a disk
        # full to the last byte: ZipFile.__del__ failed there, before the collection below). Only an OSError is
        # silenced, and only until the collection below: anything else still reaches the hook as before.
        sys.unraisablehook = _passing_os_errors_to(hook)
    finally:
        tempfile.tempdir = before
    if failure is not None:
        try:
            gc.collect()
        finally:
            sys.unraisablehook = hook
        raise failure


def _passing_os_errors_to(hook):
    """An unraisable-exception hook that drops an OSError (a half-written stream failing again when it is closed)
    and hands anything else to `hook`."""
    def quiet(unraisable) -> None:
        if not isinstance(unraisable.exc_value, OSError):
            hook(unraisable)
    return quiet


def _storable(value):
    """A value a worksheet can hold: the control characters XLSX forbids (a molecule name may carry one) written
    as visible escapes, « \\x01 », instead of openpyxl's IllegalCharacterError."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return value


def _format(ws, number_formats: dict[int, str], Font, Alignment, get_column_letter) -> None:
    """Bold frozen header with filters, number formats per column, readable widths."""
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="top")
    for col, fmt in number_formats.items():
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = fmt
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for j, column in enumerate(ws.iter_cols(min_row=1, max_row=min(ws.max_row, 200)), start=1):
        width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
        ws.column_dimensions[get_column_letter(j)].width = min(max(10, width + 2), 60)
