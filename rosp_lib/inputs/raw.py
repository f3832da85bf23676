"""A file as a table of text cells, with the problems of its shape.

Every row keeps its line number as the user sees it in a spreadsheet (the header is the first
filled line); entirely empty rows are dropped; header names are stripped and lower-cased.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .csvread import read_csv_cells
from .errors import InputError, Problem, Problems, letter, shown
from .xlsxread import read_xlsx_cells


@dataclass
class RawTable:
    """A table as read, before validation: text cells (object arrays, '' when empty, stripped), the
    problems of its shape, and where its columns sit in the file."""

    frame: pd.DataFrame
    problems: Problems = field(default_factory=Problems)
    header_line: int = 1
    positions: dict[str, int] = field(default_factory=dict)


def _stripped(values: np.ndarray) -> np.ndarray:
    """Each cell stripped of surrounding spaces, each distinct text once."""
    codes, distinct = pd.factorize(values)
    clean = np.array([str(v).strip() for v in distinct] + [""], dtype=object)
    return clean[codes]  # code -1 (a missing value) → the last entry, ''


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


def read_raw(path: str | Path, sheet: str) -> RawTable:
    path = input_file(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        cells, _ = read_xlsx_cells(path, sheet)
        separator = None
    elif suffix in (".csv", ".txt", ""):
        cells = read_csv_cells(path)
        separator = cells.attrs.get("separateur")
    else:
        raise InputError(str(path), [
            f"format « {suffix} » non pris en charge ; attendu : .csv ou .xlsx (réenregistrez le classeur en .xlsx)"
        ])
    columns = [_stripped(cells[j].to_numpy(dtype=object)) for j in cells.columns]
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
    header = [col[h].lower() for col in columns]
    while header and header[-1] == "":
        header.pop()  # trailing separators: the values below, if any, are values in excess
    keep_rows = filled.copy()
    keep_rows[: h + 1] = False
    lines = lines[keep_rows]
    data = [col[keep_rows] for col in columns]
    problems = Problems()
    width = len(header)


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
                who = f", pharmacie « {pids[i]} »" if pids[i] else ""
                return Problem(int(lines[i]), -1, (
                    f"ligne {lines[i]}{who} : {n} valeurs pour {width} colonne{'s' if width > 1 else ''} d'en-tête ({listed} en trop) ; "
                    f"attendu : une valeur par colonne — {_why_too_wide(header, header_line, separator)}"
                ))

            problems.add_rows("trop_de_valeurs", "lignes avec trop de valeurs", rows, too_wide)
            keep = ~extra
            lines = lines[keep]
            data = [col[keep] for col in data]
        data = data[:width]

    named: dict[str, np.ndarray] = {}
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
                f"{where} : colonne {shown(name)} en double (déjà en colonne {letter(positions[name])}) ; "
                "attendu : une seule colonne de ce nom"
            ), "colonne_en_double", "colonnes en double"))
            continue
        positions[name] = j
        named[name] = data[j]
    frame = pd.DataFrame(named, index=pd.Index(lines, dtype="int64"), dtype=object) if named else \
        pd.DataFrame(index=pd.Index(lines, dtype="int64"))
    return RawTable(frame, problems, header_line, positions)
