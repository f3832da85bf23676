"""A CSV file as text cells: pandas' C reader, the `csv` module only for a malformed file.

`,` or `;` (French spreadsheets) or a tab (a table pasted from a spreadsheet), detected on the first
filled line, or declared by Excel's « sep=; » first line; UTF-8 with or without BOM, or UTF-16 with its BOM
(Excel's « Texte Unicode »). Every cell is kept as the text the file holds (`dtype=str`,
`keep_default_na=False`: « NA » or « null » are never turned into an unknown value).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, shown


def _first_filled_line(text: str) -> str:
    """The first line of `text` that is not blank, without cutting the whole file into lines."""
    size = 1 << 16
    while size < len(text):
        lines = text[:size].splitlines()[:-1]  # the last one may be cut short by the slice
        found = next((ln for ln in lines if ln.strip()), None)
        if found is not None:
            return found
        size *= 4
    return next((ln for ln in text.splitlines() if ln.strip()), "")


# Excel writes (and reads) a first line « sep=; » that names the separator: it is not a row of the table
_DECLARED_SEPARATOR = re.compile(r'\s*"?sep=([^"\r\n])"?\s*', re.IGNORECASE)
# Workbooks saved under a .csv name (some portals export so): not text at all, told apart by their first bytes
_WORKBOOKS = {b"PK\x03\x04": "un classeur XLSX (ou un autre fichier compressé)",
              b"\xd0\xcf\x11\xe0": "un classeur Excel ancien format (.xls)"}


def _decoded(path: Path) -> str:
    raw = path.read_bytes()
    for magic, what in _WORKBOOKS.items():
        if raw.startswith(magic):
            raise InputError(str(path), [
                f"ce fichier n'est pas un CSV mais {what} ; attendu : un CSV enregistré en « CSV UTF-8 », "
                "ou le classeur enregistré en .xlsx et nommé en .xlsx"
            ])
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):  # UTF-32's mark (its first bytes are UTF-16's)
        raise InputError(str(path), [
            "le fichier est en UTF-32 (marque d'ordre des octets au début) ; attendu : un CSV enregistré en « CSV UTF-8 » "
            "(Excel : Fichier > Enregistrer sous > « CSV UTF-8 (délimité par des virgules) »), ou en « Texte Unicode »"
        ])
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 told by its mark: Excel's « Texte Unicode » (tabs)
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass  # a damaged file: said below as any other
    head = raw[:4096]
    marked = raw.startswith((b"\xff\xfe", b"\xfe\xff"))  # a damaged UTF-16 file (undecodable above): not this
    nuls = head.count(b"\x00")
    if not marked and nuls * 4 > len(head):  # a NUL byte beside most letters: UTF-16 with no mark, or UTF-32 (three)
        raise InputError(str(path), [
            f"le fichier est en {'UTF-32' if nuls * 8 > len(head) * 5 else 'UTF-16'} sans marque d'ordre des octets "
            "(BOM) : son texte ne peut pas être lu sans "
            "deviner ; attendu : un CSV enregistré en « CSV UTF-8 » (Excel : Fichier > Enregistrer sous > « CSV UTF-8 "
            "(délimité par des virgules) »), ou en « Texte Unicode »"
        ])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        byte = raw[exc.start]
        # Not read as Windows-1252 (French Excel's « CSV (séparateur : point-virgule) »): the same bytes are other
        # letters in Mac Roman or ISO-8859-15, and a name read wrong would silently not match the other tables
        guess = bytes([byte]).decode("cp1252", errors="replace")
        likely = f" : « {guess} » en Windows-1252 ?" if guess.isprintable() and guess != "\ufffd" else ""
        raise InputError(str(path), [
            f"le fichier n'est pas en UTF-8 (ligne {line}, octet 0x{byte:02X}{likely}) ; attendu : un CSV enregistré en "
            "« CSV UTF-8 » (Excel : Fichier > Enregistrer sous > « CSV UTF-8 (délimité par des virgules) » ; « ; » "
            "ou « , » sont lus l'un comme l'autre)"
        ]) from None


_SEPARATORS = (",", ";", "\t")


def _first_line_with(text: str, chars: tuple[str, ...], lines: int = 20) -> str | None:
    """The first of the first `lines` filled lines of `text` holding one of `chars`, if any."""
    filled = (ln for ln in text[: 1 << 16].splitlines() if ln.strip())
    return next((ln for _, ln in zip(range(lines), filled) if any(c in ln for c in chars)), None)


# The end-of-file mark of DOS (Ctrl+Z, U+001A) that some old exports still write after the last line: the end of the
# file, not a line whose pharmacy is « \x1a » (review); anywhere else it is a control character, refused (raw.py).
_DOS_END = re.compile("\x1a[\r\n]*\\Z")


def read_csv_cells(path: Path) -> pd.DataFrame:
    """The records of the file as text cells ('' when empty), columns 0…n-1, index = the record's
    line as a spreadsheet numbers it (first record = line 1; a cell holding a line break is one
    record, as a spreadsheet shows it). Rows may be wider than the header: the caller explains the
    extra values. `attrs["separateur"]`: the separator read; `attrs["largeurs"]` (comma-separated
    files only): the number of values of each record, as written — a short row's missing cells
    read '' like empty ones, yet with a decimal comma they are not the same row; `attrs["valeurs"]`, the
    same for every separator (a short row of a « ; » file is said, raw.py)."""
    text = _DOS_END.sub("", _decoded(path))
    if not text.strip():
        return pd.DataFrame()
    first = _first_filled_line(text)
    declared = _DECLARED_SEPARATOR.fullmatch(first)
    if declared:  # blanked, not removed: the lines keep their numbers
        sep = declared.group(1)
        text = text.replace(first, "", 1)
    else:
        # on the first filled line that holds one: a title line above the header (« Relevé Mes ROSP ») has none, and
        # a « ; » file was cut at its commas (its header was then said to be the title, and its rows cut in two)
        shape = _first_line_with(text, _SEPARATORS) or first
        sep = max(_SEPARATORS, key=shape.count)
    widths = _check_quotes(path, text, sep) if '"' in text else None
    if sep == ",":  # the width of each record is needed: the csv module keeps it
        return _csv_module_cells(path, text, sep)
    try:
        # UTF-8 bytes, not io.StringIO(text): a StringIO being read holds its text as 4 bytes per character (measured:
        # a 40 Mo file of 200 000 lines peaked at 505 Mo, 385 Mo this way)
        frame = pd.read_csv(
            io.BytesIO(text.encode("utf-8")), encoding="utf-8", sep=sep, header=None, dtype=str, keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False, engine="c", quotechar='"', doublequote=True, index_col=False,
        )
        frame = frame.fillna("")  # the cells of a short row
    except (pd.errors.ParserError, ValueError):
        # Rows of different widths (a blank first line, a row wider than the first one): the csv
        # module reads each record as it is, for the caller to say which row is wrong.
        return _csv_module_cells(path, text, sep)
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    frame.columns = range(frame.shape[1])
    frame.attrs["separateur"] = sep
    if widths is None:  # no quote: a record is a line (pandas gives a short row's missing cells as empty ones)
        lines = _lines(text)
        if lines and lines[-1] == "":
            lines.pop()  # the file's last line end
        widths = [line.count(sep) + 1 if line else 0 for line in lines]
    if len(widths) == len(frame):  # (else a reading this count does not follow: no width is said)
        frame.attrs["valeurs"] = np.asarray(widths, dtype=np.int64)
    return frame


def _lines(text: str) -> list[str]:
    """`LINE_BREAK.split(text)`, by `str.split` when the file has one kind of line end (the usual file: the regular
    expression took 0,22 s of a 200 000-line file, review)."""
    if "\r" not in text:
        return text.split("\n")
    if "\n" not in text:
        return text.split("\r")
    if text.count("\r") == text.count("\r\n"):
        return text.split("\r\n")
    return LINE_BREAK.split(text)


def _check_quotes(path: Path, text: str, sep: str) -> list[int] | None:
    """Refuse a value that starts with a quoted text and goes on after its closing quote (« "c"d ; … »): pandas and
    the csv module read it « cd », which is not what was typed. Found by the csv module's strict reading (only run
    on a file holding a quote); spaces between a closing quote and the separator are left to the reading (« "c" ; »
    is « c »)."""
    spaced = re.compile(r'"[ \t]+(?=' + re.escape(sep) + r"|\r|\n|$)")
    reader = csv.reader(io.StringIO(spaced.sub('"', text), newline=""), delimiter=sep, strict=True)
    records, start = 0, 1  # records read; the line of the text where the next one starts
    widths: list[int] = []  # the number of values of each record, for `read_csv_cells`
    try:
        for record in reader:
            records, start = records + 1, reader.line_num + 1
            widths.append(len(record))
        return widths
    except csv.Error as exc:
        # A record over several lines: a quote never closed, ended by the next quote of the file (the opening one of
        # a correct value further down): said with the cells it swallowed (raw.py), as a quote never closed at all
        if "expected after" not in str(exc) or reader.line_num != start:
            return None
        line = LINE_BREAK.split(text)[reader.line_num - 1]  # the line as the csv module counts them
        where = f"ligne {records + 1}" + (f" (ligne {reader.line_num} dans un éditeur de texte)"
                                          if reader.line_num != records + 1 else "")
        raise InputError(str(path), [
            f"{where} : {shown(line)} : une valeur entre guillemets suivie d'autre chose que le séparateur « {sep} » "
            "(« \"c\"d » se lirait « cd ») ; attendu : toute la valeur entre guillemets (« \"c d\" », un guillemet "
            "dans la valeur doublé : « \"\" »), ou la valeur sans guillemets"
        ]) from None


def _csv_module_cells(path: Path, text: str, sep: str) -> pd.DataFrame:
    """`read_csv_cells` by the csv module: each record as it is, with its number of values."""
    ends: list[int] = []  # the last line of the text of each record (a quoted value may hold line breaks)
    # No cell limit but the file's size: a quote never closed takes the lines after it into one cell, which the
    # caller explains (« guillemet ouvert et jamais fermé ? »); the csv module's limit (128 Kio) said it in English.
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False)
    rows = []
    try:
        for row in reader:
            rows.append(row)
            ends.append(reader.line_num)
    except csv.Error:  # nothing else is known to stop it with strict=False; its text is English
        raise InputError(str(path), [f"CSV illisible à la ligne {reader.line_num + 1} ; attendu : un fichier CSV "
                                     "(réenregistrez-le depuis le tableur en « CSV UTF-8 »)"]) from None
    finally:
        csv.field_size_limit(limit)
    widths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    width = int(widths.max()) if len(rows) else 0
    frame = pd.DataFrame([row + [""] * (width - len(row)) for row in rows], dtype=object)
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    frame.columns = range(frame.shape[1])
    frame.attrs["separateur"] = sep
    frame.attrs["valeurs"] = widths
    if sep == ",":
        frame.attrs["largeurs"] = widths
        frame.attrs["quoted"] = _quoted_values(text, ends)
    return frame


LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as the csv module ends a line (also raw.py's)
_FIELD = re.compile(r'"(?:[^"]|"")*"|[^,]*')


def _quoted_values(text: str, ends: list[int]):
    """`quoted(record, j)`: whether value `j` of `record` (0-based) was written between quotes in a comma-separated
    file — the csv module does not say. Asked only for the few values a warning is about: the text is cut into
    lines once, at the first question."""
    lines: list[str] = []

    def quoted(record: int, j: int) -> bool:
        if not lines:
            lines.extend(LINE_BREAK.split(text))
        written = "\n".join(lines[ends[record - 1] if record else 0:ends[record]])
        pos = 0
        for _ in range(j):  # to value j, field by field (a quoted field may hold commas)
            pos = _FIELD.match(written, pos).end()
            if pos >= len(written) or written[pos] != ",":
                return False
            pos += 1
        return written.startswith('"', pos)

    return quoted
