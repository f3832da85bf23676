"""A file as a table of text cells, with the problems of its shape.

Every row keeps its line number as the user sees it in a spreadsheet (the header is the first
filled line); entirely empty rows are dropped; header names are stripped and lower-cased.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..lines.csvfile import prefix_removed
from .columns import MOLECULE_COLUMNS, PHARMACY_COLUMNS
from .csvread import LINE_BREAK, read_csv_cells
from .errors import MAX_PER_KIND, InputError, Problem, Problems, letter, shown, thousands
from .parsing import GROUP_SPACES
from .xlsxread import read_xlsx_cells


@dataclass
class RawTable:
    """A table as read, before validation: text cells (object arrays, '' when empty, stripped), the
    problems of its shape, and where its columns sit in the file."""

    frame: pd.DataFrame
    problems: Problems = field(default_factory=Problems)
    header_line: int = 1
    positions: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # what the file holds but its author may not have meant
    # column → the cells a workbook typed as numbers (« 140.004 » there is a number, never a thousands separator)
    typed_numbers: dict[str, np.ndarray] = field(default_factory=dict)
    # line → the two cells a decimal comma may have cut a value into (column, next column, their values: `Split`),
    # read as written: said on the console (`warnings`, the first ones) and in the reports of the row's pharmacy
    # (`tables.SPLIT_COLUMN`)
    split: dict[int, "Split"] = field(default_factory=dict)
    # column (as compared: lower case) → its name as the file writes it, for the messages (« Taux MSS (%) » was quoted
    # « taux mss (%) »: review)
    written: dict[str, str] = field(default_factory=dict)


class Split(tuple):
    """(column, next column, value, next value): two cells of a row that a decimal comma may have cut one value into
    (« 96 » and « 2 »: 96,2 ?); `str` says it (the cells' texts are those of the table: nothing more is held)."""

    __slots__ = ()

    def __str__(self) -> str:
        name, after, a, b = self
        return (f"colonnes {name} et {after} : lues « {a} » et « {b} » ; si vous vouliez « {a},{b} » (virgule "
                "décimale), mettez la valeur entre guillemets ou utilisez « ; » comme séparateur — les montants sont "
                "calculés sur les valeurs telles que lues")


# The invisible characters that set the direction of the text (marks, embeddings, overrides, isolates): never meant
# in a French table, they turn a name shown in a report or a claim around (« Pharmacie\u202e … » is read backwards)
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# The control characters (C0 but tab, line feed and carriage return; DEL; C1): invisible in a spreadsheet, they reach
# a report's title and the index's CSV as they are (review: a BEL and an ESC in a name); a line break is said apart
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _stripped(values: np.ndarray, text_prefix: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each cell stripped of surrounding spaces, whether it holds a line break, whether it holds a character of
    text direction (`_BIDI`) and whether it holds a control character (`_CONTROL`); each distinct text once. `text_prefix` (a CSV): the spreadsheet's text prefix `'` before
    a formula start removed (`csvfile.prefix_removed`)."""
    codes, distinct = pd.factorize(values)
    written = [str(v) for v in distinct]
    texts = [t.strip() for t in written]
    if text_prefix:
        texts = [prefix_removed(t) if t.startswith("'") else t for t in texts]
    clean = np.array(texts + [""], dtype=object)
    broken, turned, controlled = _found(LINE_BREAK, written), _found(_BIDI, texts), _found(_CONTROL, texts)
    return clean[codes], broken[codes], turned[codes], controlled[codes]  # code -1 (a missing value) → the last entry


def _found(pattern: re.Pattern, texts: list[str]) -> np.ndarray:
    """Whether each text holds `pattern` (one character or a line end), and a last False for the missing values: the
    texts are searched together first, each one only when that finds something (few columns do; the search per text
    took 40 % of `_stripped` on 20 000 pharmacies, measured)."""
    found = np.zeros(len(texts) + 1, dtype=bool)
    if pattern.search(" ".join(texts)) is not None:  # a space: no pattern here matches it, nor a match across it
        found[:-1] = [pattern.search(t) is not None for t in texts]
    return found


# Columns whose values may hold a decimal part (rates, amounts): with a decimal comma in a comma-separated file,
# « 96,2 » is two values
_DECIMAL_COLUMN = re.compile(r".*_(?:pct|eur)")
# The two halves of an amount or a rate cut by its decimal comma: « 1 234 » | « 56 », « 140 » | « 50 € »
# (signed with « - », « + » or the typographic minus « − » the readers accept: « −534,90 » cut is « −534 » | « 90 »)
_INTEGER = re.compile(rf"[+\-\u2212]?(?:\d{{1,3}}(?:[{GROUP_SPACES}]\d{{3}})+|\d+)", re.ASCII)
_DIGITS = re.compile(rf"\d+(?:[{GROUP_SPACES}]?€)?", re.ASCII)
_DECIMALS = re.compile(rf"\d{{1,2}}(?:[{GROUP_SPACES}]?€)?", re.ASCII)  # the cents of an amount, the tenths of a rate
# The columns where one or two digits are an ordinary value (a count, a yes/no written 1 or 0): a whole rate followed
# by one of them is an ordinary comma-separated row, said only when the row shows another sign of a cut. Anywhere
# else (a label, a date, an indicator of the statement of payments…), one or two digits after a whole amount or rate
# are the cents cut off by a decimal comma.
# A header as the readers match it (« Montant versé eur », « Taux DMP pct »: case, accents, spaces or underscores):
# the signature of a cut value is looked for in the columns the readers will read as such (review: a header written
# with spaces let « 975 » | « 91 » through)
def _canonical(name: str) -> str:
    from .xlsxread import fold

    return re.sub(r"[ _]+", "_", fold(name))


def decimal_columns(header: list[str]) -> list[str]:
    """The columns of `header` whose whole values `_comma_rows` may read as cut by a decimal comma (a rate or an
    amount): the report folders' copies of a file quote their values (`batch.folders`), but for the rows the user's
    file left in doubt."""
    return [name for name in header if _DECIMAL_COLUMN.fullmatch(_canonical(name))]


_ORDINARY_DIGITS = frozenset(c.name for c in (*PHARMACY_COLUMNS, *MOLECULE_COLUMNS) if c.kind in ("int", "bool"))


_SHOWN_EXTRA = 5  # values in excess listed in the message of a row; then « et N autres »


def _why_too_wide(header: list[str], header_line: int, separator: str | None) -> str:
    """The likely cause of rows wider than the header, told from the file's shape."""
    if "pharmacie_id" not in header:  # every table of the contract has it: the row read is not the row of names
        return (f"la ligne {header_line}, lue comme en-tête, n'a pas de colonne pharmacie_id : la ligne des noms de "
                "colonnes doit être la première ligne remplie (un titre ou une ligne au-dessus ?)")
    if separator == ",":
        return ("une virgule décimale dans un fichier séparé par des virgules ? "
                "Utilisez « ; » comme séparateur ou mettez la valeur entre guillemets")
    return "des valeurs sans nom de colonne : ajoutez leur nom dans l'en-tête ou supprimez-les"


def _who(pid: str) -> str:
    return f", pharmacie {shown(pid)}" if pid else ""


def _multiline_cells(cells: pd.DataFrame, header: list[str], broken: np.ndarray, problems: Problems) -> None:
    """Refuse each record holding a cell cut over several lines of the file: a quote opened and never closed
    swallows the lines after it into one cell (those rows would go unread), and a value is one line anyway."""
    lines = cells.index.to_numpy()
    pids = cells[header.index("pharmacie_id")].to_numpy(dtype=object) if "pharmacie_id" in header else None
    # the line of the text file where each record starts: the record's number plus the breaks inside the cells above
    breaks = np.zeros(len(cells), dtype=np.int64)
    for j in cells.columns:
        column = cells[j].to_numpy(dtype=object)
        breaks += np.fromiter((len(LINE_BREAK.findall(str(v))) if v else 0 for v in column), dtype=np.int64,
                              count=len(column))
    starts = lines + np.concatenate([[0], np.cumsum(breaks)[:-1]])

    def message(i: int) -> Problem:
        j = next(j for j in cells.columns if LINE_BREAK.search(str(cells.iat[i, j])))
        value = str(cells.iat[i, j])
        name = header[j] if j < len(header) and header[j] else letter(j)
        where = f"ligne {lines[i]}" + (f" (ligne {starts[i]} dans un éditeur de texte)" if starts[i] != lines[i] else "")
        who = _who(str(pids[i]).strip()) if pids is not None and not LINE_BREAK.search(str(pids[i])) else ""
        n = len(LINE_BREAK.findall(value)) + 1
        return Problem(int(lines[i]), j, (
            f"{where}{who}, colonne {name} : valeur {shown(value)} sur {n} lignes du fichier ; attendu : une valeur "
            "sur une seule ligne — guillemet « \" » ouvert et jamais fermé ? Fermez-le ou retirez-le (les lignes "
            "suivantes sont lues dans cette valeur), ou retirez le retour à la ligne de la valeur"
        ))

    problems.add_rows("valeur_sur_plusieurs_lignes", "valeurs sur plusieurs lignes", np.flatnonzero(broken), message)


def _invisible_cells(pattern: re.Pattern, rows: np.ndarray, columns: list[np.ndarray], header: list[str],
                     lines: np.ndarray, problems: Problems) -> None:
    """Refuse each row holding a character of text direction (`_BIDI`) or a control character (`_CONTROL`), in any
    cell (a CSV or a workbook), each cell named with the code point and position of its first one: it cannot be seen,
    so it is said rather than removed. The row is checked further as any other (its other problems are listed too:
    review)."""
    pids = columns[header.index("pharmacie_id")] if "pharmacie_id" in header else None
    direction = pattern is _BIDI

    def message(i: int) -> Problem:
        cells = [j for j, col in enumerate(columns) if pattern.search(col[i])]
        said = []
        for j in cells:
            value = columns[j][i]
            k = pattern.search(value).start()
            name = header[j] if j < len(header) and header[j] else letter(j)
            said.append(f"colonne {name} : valeur {shown(value)} (U+{ord(value[k]):04X} au caractère {k + 1})")
        who = _who(pids[i]) if pids is not None and not pattern.search(pids[i]) else ""
        expected = ("un texte sans caractère invisible de direction du texte, qui fait lire le texte à l'envers ou dans "
                    "le désordre dans les rapports : supprimez-le (copié d'une page web ou d'un document ?)") if direction \
            else ("un texte sans caractère de contrôle, invisible dans un tableur, qui passerait tel quel dans les "
                  "rapports et les fichiers écrits : supprimez-le (copié d'un terminal ou d'un ancien logiciel ?)")
        return Problem(int(lines[i]), cells[0], f"ligne {lines[i]}{who}, {' ; '.join(said)} ; attendu : {expected}")

    if direction:
        problems.add_rows("direction_du_texte", "valeurs qui contiennent un caractère de direction du texte", rows,
                          message)
    else:
        problems.add_rows("caractere_de_controle", "valeurs qui contiennent un caractère de contrôle", rows, message)


def _short_rows(widths: np.ndarray, columns: list[np.ndarray], header: list[str], h: int, keep_rows: np.ndarray,
                lines: np.ndarray, warnings: list[str]) -> None:
    """In a « ; » or tab-separated file, a row with fewer values than the header has names: its last columns are read
    empty, which a value cut off (a line copied in part, a file cut short) is not — said with the columns read so
    (review: a row of 10 values under 16 names was read as 6 empty cells, its BUPS lost, without a word). Read as
    written (empty), since nothing tells what was cut, but said — only of the columns another row fills: trailing
    columns no row fills (optional ones left out of every row, a program that writes no trailing separator) are not
    a sign of a cut row (review)."""
    width = len(header)
    rows = np.flatnonzero(keep_rows & (widths < width))
    rows = rows[rows > h]
    if not len(rows):
        return
    below = keep_rows.copy()
    below[: h + 1] = False
    filled = [bool((col[below] != "").any()) for col in columns[:width]]  # the columns some row of the table fills
    pids = columns[header.index("pharmacie_id")] if "pharmacie_id" in header else np.full(len(lines), "", dtype=object)
    said = 0
    for i in rows:
        n = int(widths[i])
        missing = [name for j, name in enumerate(header[n:width], start=n) if filled[j]]
        if not missing:
            continue
        said += 1
        if said > MAX_PER_KIND:
            continue
        more = len(missing) - _SHOWN_EXTRA
        named = ", ".join(missing[:_SHOWN_EXTRA]) + (f" et {more} autre{'s' if more > 1 else ''}" if more > 0 else "")
        read = "colonne lue vide" if len(missing) == 1 else "colonnes lues vides"
        warnings.append(f"ligne {lines[i]}{_who(pids[i])} : {n} valeur{'s' if n > 1 else ''} pour {width} colonnes "
                        f"d'en-tête : {read} ({named}) alors que d'autres lignes les remplissent — la ligne est-elle "
                        "coupée ? Vérifiez-la (le montant est calculé sur les valeurs telles qu'écrites)")
    if said > MAX_PER_KIND:
        warnings.append(f"… et {thousands(said - MAX_PER_KIND)} autres lignes plus courtes que l'en-tête")


def _comma_rows(cells: pd.DataFrame, columns: list[np.ndarray], header: list[str], h: int, keep_rows: np.ndarray,
                widths: np.ndarray, problems: Problems, warnings: list[str], doubts: dict[int, Split],
                refuse_split: bool = False) -> None:
    """In a comma-separated file, a row whose values do not fit the header one for one is refused (and taken out
    of `keep_rows`): a decimal comma cuts a value in two, so a row short of a value, or ending with an empty value
    after a rate or an amount written as « 96 » then « 2 », is not read without guessing. `refuse_split`: a row
    that fits the header yet holds an amount possibly cut in two is refused too (the statement of payments, where no
    ordinary row looks so and an amount read wrong becomes a claim), instead of read as written and said."""
    lines = cells.index.to_numpy()
    width = len(header)
    names = [_canonical(name) for name in header]
    written = int(widths[h])  # the header as written, its trailing separators included
    pids = columns[header.index("pharmacie_id")] if "pharmacie_id" in header else np.full(len(cells), "", dtype=object)
    rows = np.flatnonzero(keep_rows)
    rows = rows[rows > h]
    wrong = rows[(widths[rows] < width) | (widths[rows] > written)]
    # wider rows with a value beyond the header are told by the check of values in excess
    wrong = np.array([i for i in wrong if not any(col[i] != "" for col in columns[width:])], dtype=np.int64)
    cause = _why_too_wide(header, int(lines[h]), ",")

    def uneven(i: int) -> Problem:
        n = int(widths[i])
        empty = " (les dernières vides)" if n > written else ""
        return Problem(int(lines[i]), -1, (
            f"ligne {lines[i]}{_who(pids[i])} : {n} valeur{'s' if n > 1 else ''}{empty} pour {width} colonne"
            f"{'s' if width > 1 else ''} d'en-tête ; attendu : une valeur par colonne — {cause}"
        ))

    if len(wrong):
        problems.add_rows("largeur_de_ligne", "lignes au nombre de valeurs différent de l'en-tête", wrong, uneven)
        keep_rows[wrong] = False
    # As many values as names, yet a rate or an amount written as an integer followed by digits: « 96,2 » in a row
    # one value short reads so too. Read as written (a comma file with a whole rate and then a count is common),
    # but said — when the row ends with an empty value (96, then 2, then empty — or 96,2 then empty?) or with
    # these digits in a column that is not a rate (96 %, then 2 FSE — or 96,2 % and no count?), or with one or two
    # digits in a column where they are no ordinary value (« 975 » then « 91 » as a label: 975,91 € and the label
    # left out); two rates side by side (« 85,93 » in a molecule row) are read as two rates.
    full = rows[widths[rows] == width] if width else rows[:0]
    pairs = [j for j in range(width - 1)  # the rule of `decimal_columns`, on the names already folded
             if _DECIMAL_COLUMN.fullmatch(names[j]) and not _DECIMAL_COLUMN.fullmatch(names[j + 1])]
    split: list[tuple[int, int]] = []
    quoted = cells.attrs.get("quoted") or (lambda record, j: False)
    for i in full:
        ends_empty = columns[width - 1][i] == ""
        for j in pairs:
            after = columns[j + 1][i]
            if _INTEGER.fullmatch(columns[j][i]) and (
                    (ends_empty or j + 1 == width - 1) and _DIGITS.fullmatch(after)
                    or names[j + 1] not in _ORDINARY_DIGITS and _DECIMALS.fullmatch(after)):
                if not (quoted(int(i), j) or quoted(int(i), j + 1)):  # quotes say where each value ends: not
                    split.append((int(i), j))  # this pair, but maybe another of the row (the copies quote the rates)
                    break
    if refuse_split and split:
        def cut(pair: tuple[int, int]) -> Problem:
            i, j = pair
            a, b = columns[j][i], columns[j + 1][i]
            return Problem(int(lines[i]), j, (
                f"ligne {lines[i]}{_who(pids[i])}, colonnes {header[j]} et {header[j + 1]} : valeurs « {a} » et « {b} » "
                f"; attendu : « {a},{b} » entre guillemets ou « ; » comme séparateur — une virgule décimale coupe la "
                f"valeur en deux dans un fichier séparé par des virgules ; si « {b} » est bien la colonne "
                f"{header[j + 1]}, mettez-le entre guillemets"))

        problems.add_rows("virgule_decimale", "lignes où une virgule décimale coupe peut-être une valeur", split, cut)
        keep_rows[[i for i, _ in split]] = False
        return
    for i, j in split:
        doubts[int(lines[i])] = Split((header[j], header[j + 1], columns[j][i], columns[j + 1][i]))
    for i, _ in split[:MAX_PER_KIND]:
        warnings.append(f"ligne {lines[i]}{_who(pids[i])}, {doubts[int(lines[i])]}")
    if len(split) > MAX_PER_KIND:
        warnings.append(f"… et {thousands(len(split) - MAX_PER_KIND)} autres lignes où une virgule décimale est possible")


def input_file(path: str | Path) -> Path:
    """`path`, a file that can be read, or InputError saying in French why not (missing, a folder, a name too
    long for the system…)."""
    from rosp_lib.lines.atomic import reason  # errno → French, as for the outputs

    path = Path(path)
    try:
        if path.is_dir():
            raise InputError(str(path), ["c'est un dossier ; attendu : un fichier .csv ou .xlsx"])
        if not path.exists():
            raise InputError(str(path), ["fichier introuvable ; attendu : le chemin d'un fichier .csv ou .xlsx"])
    except OSError as exc:  # ENAMETOOLONG, EACCES on a parent folder…
        raise InputError(shown(str(path))[2:-2], [f"fichier illisible : {reason(exc)}"]) from None
    return path


def read_raw(path: str | Path, sheet: str, refuse_split: bool = False) -> RawTable:
    """`refuse_split`: a value possibly cut in two by a decimal comma is refused, not read and said (`_comma_rows`)."""
    path = input_file(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        cells, _ = read_xlsx_cells(path, sheet)
        separator = None
    elif suffix in (".csv", ".txt", ".tsv", ""):
        cells = read_csv_cells(path)
        separator = cells.attrs.get("separateur")
    else:
        raise InputError(str(path), [
            f"format « {suffix} » non pris en charge ; attendu : .csv ou .xlsx (réenregistrez le classeur en .xlsx)"
        ])
    read = [_stripped(cells[j].to_numpy(dtype=object), text_prefix=separator is not None) for j in cells.columns]
    columns = [clean for clean, *_ in read]
    if not columns:
        raise InputError(str(path), ["fichier vide ; attendu : une ligne d'en-tête avec les noms de colonnes"])
    filled = np.zeros(len(cells), dtype=bool)
    for col in columns:
        filled |= col != ""
    lines = cells.index.to_numpy()
    if not filled.any():
        raise InputError(str(path), ["fichier vide ; attendu : une ligne d'en-tête avec les noms de colonnes"])
    h = int(np.argmax(filled))
    header_line = int(lines[h])
    as_written = [col[h] for col in columns]
    header = [name.lower() for name in as_written]
    while header and header[-1] == "":
        header.pop()  # trailing separators: the values below, if any, are values in excess
    problems = Problems()
    warnings: list[str] = []
    doubts: dict[int, Split] = {}
    width = len(header)
    keep_rows = filled.copy()
    keep_rows[:h] = False
    if separator is not None:  # CSV: a cell holding a line break, from its first line on
        broken = np.zeros(len(cells), dtype=bool)
        for _, cut, *_ in read:
            broken |= cut
        broken &= keep_rows
        if broken.any():
            _multiline_cells(cells, header, broken, problems)
            keep_rows &= ~broken
    for k, pattern in ((2, _BIDI), (3, _CONTROL)):
        marked = np.zeros(len(cells), dtype=bool)
        for found in read:
            marked |= found[k]
        marked &= keep_rows
        marked[: h + 1] = False  # in the header, a name so written is an unknown column, shown escaped
        if marked.any():
            _invisible_cells(pattern, np.flatnonzero(marked), columns, header, lines, problems)
    widths = cells.attrs.get("largeurs")
    if widths is not None and keep_rows[h + 1:].any():
        _comma_rows(cells, columns, header, h, keep_rows, widths, problems, warnings, doubts, refuse_split)
    elif cells.attrs.get("valeurs") is not None:
        _short_rows(cells.attrs["valeurs"], columns, header, h, keep_rows, lines, warnings)
    keep_rows[: h + 1] = False
    lines = lines[keep_rows]
    # the rows under the header, as views when every one is kept (the usual file): no second copy of the table
    rows_kept = slice(h + 1, None) if keep_rows[h + 1:].all() else keep_rows
    data = [col[rows_kept] for col in columns]
    typed = cells.attrs.get("nombres")
    numbers = [typed[rows_kept, j] for j in range(len(columns))] if typed is not None else None
    # the cells as read are not needed any more: freed before the table is built (a file of 200 000 lines by
    # 63 columns holds 100 Mo of pointers per copy; measured peak 505 Mo, then ≈ 385 Mo)
    del cells, read, columns

    # values beyond the header's columns: a row cut in more cells than there are names
    if len(data) > width:
        extra = np.zeros(len(lines), dtype=bool)
        for col in data[width:]:
            extra |= col != ""
        rows = np.flatnonzero(extra)
        if len(rows):
            pids = data[header.index("pharmacie_id")] if "pharmacie_id" in header else np.full(len(lines), "", dtype=object)

            def too_wide(i: int) -> Problem:
                n = max(j for j, col in enumerate(data) if col[i] != "") + 1
                more = [col[i] for col in data[width:] if col[i] != ""]
                listed = ", ".join(shown(v) for v in more[:_SHOWN_EXTRA])
                if len(more) > _SHOWN_EXTRA:
                    listed += f" et {len(more) - _SHOWN_EXTRA} autres"
                who = _who(pids[i])
                return Problem(int(lines[i]), -1, (
                    f"ligne {lines[i]}{who} : {n} valeurs pour {width} colonne{'s' if width > 1 else ''} d'en-tête ({listed} en trop) ; "
                    f"attendu : une valeur par colonne — {_why_too_wide(header, header_line, separator)}"
                ))

            problems.add_rows("trop_de_valeurs", "lignes avec trop de valeurs", rows, too_wide)
            keep = ~extra
            lines = lines[keep]
            data = [col[keep] for col in data]
            numbers = [col[keep] for col in numbers] if numbers is not None else None
        data = data[:width]

    named: dict[str, np.ndarray] = {}
    typed_numbers: dict[str, np.ndarray] = {}
    positions: dict[str, int] = {}
    for j, name in enumerate(header):
        where = f"ligne {header_line} (en-tête), colonne {letter(j)}"
        if name == "":
            full = np.flatnonzero(data[j] != "")
            if len(full):
                problems.add(Problem(header_line, j, (
                    f"{where} : colonne sans nom qui contient des valeurs (ligne {lines[full[0]]} : "
                    f"{shown(data[j][full[0]])}) ; attendu : un nom de colonne (liste : rosp colonnes)"
                ), "colonne_sans_nom", "colonnes sans nom qui contiennent des valeurs"))
            continue
        if name in positions:
            problems.add(Problem(header_line, j, (
                f"{where} : colonne {shown(as_written[j])} en double (déjà en colonne {letter(positions[name])}) ; "
                "attendu : une seule colonne de ce nom"
            ), "colonne_en_double", "colonnes en double"))
            continue
        positions[name] = j
        named[name] = data[j]
        if numbers is not None and numbers[j].any():
            typed_numbers[name] = numbers[j]
    frame = pd.DataFrame(named, index=pd.Index(lines, dtype="int64"), dtype=object) if named else \
        pd.DataFrame(index=pd.Index(lines, dtype="int64"))
    written = {name: as_written[j] for name, j in positions.items()}
    return RawTable(frame, problems, header_line, positions, warnings, typed_numbers, doubts, written)
