"""Reading the user's tables: the public columns, their schema (pandera) and French errors.

The columns below are the public interface of the project (spec/input-contract.md). The pandera
schemas, the typed conversion and the documentation (`rosp colonnes`, docs/colonnes.md) are all
generated from this one list.

Reading is in three steps:

1. the file is read as text cells (CSV `,` or `;`, UTF-8 with or without BOM; XLSX first sheet or
   the sheet named `pharmacies` / `molecules`, typed cells brought back to the text a CSV would
   hold); every row keeps its line number as the user sees it in a spreadsheet (header = line 1);
2. the text is validated against the schema (pandera, lazy), so that every problem of the file is
   reported at once, sorted by line then column, one French sentence each:
   ``ligne 3, pharmacie « PH-X », colonne taux_mss_pct : valeur « 120 » ; attendu : …``;
3. only a valid file is converted to typed columns. The checks and the conversion share the same
   number parser, so they can never disagree on what a cell means.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import datetime as dt
import difflib
import functools
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np
import pandas as pd
import pandera.pandas as pa

from rosp_lib.parameters import available_exercises

# An identifier becomes a folder name: letters, digits, _ and -, and not a name Windows reserves for a
# device (CON, NUL, COM0…, in any case). The lookahead is written so that it also works on the cells
# of a column joined by line breaks (`_all_match`).
PHARMACIE_ID_RE = r"(?!(?i:con|prn|aux|nul|com[0-9]|lpt[0-9])(?![A-Za-z0-9_-]))[A-Za-z0-9][A-Za-z0-9_-]{0,63}"
TRUE_WORDS = {"oui", "vrai", "true", "1", "x"}
FALSE_WORDS = {"non", "faux", "false", "0", ""}
# A number as a French or English spreadsheet writes it: decimal comma or point, optional sign.
_NUMBER_RE = r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)"
# Thousands grouped by a space, a no-break space or a narrow no-break space: « 40 000 », « 1 234,5 ».
_GROUPED_RE = r"[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d*)?"
_DATE_RE = r"\d{4}-\d{2}-\d{2}"
_HEADER_LINE = 1
MAX_COUNT = 999_999_999
_MAX_SHOWN = 80

@dataclass(frozen=True)
class Col:
    name: str
    kind: str  # id, text, exercice, bool, int, rate, date
    description: str
    group: str
    required: bool = False
    maximum: int | None = None


def _cols(group: str, *specs: tuple) -> list[Col]:
    return [Col(name, kind, desc, group, *rest) for name, kind, desc, *rest in specs]


PHARMACY_COLUMNS: list[Col] = [
    *_cols(
        "identification",
        ("pharmacie_id", "id", "identifiant (code interne, n° AM ou FINESS) ; devient un nom de dossier", True),
        ("nom", "text", "nom affiché"),
        ("exercice", "exercice", "exercice (année civile), 2022 à 2026", True),
        ("drom", "bool", "officine située dans un DROM (montants colorectal DROM)"),
        ("debut_activite", "date", "premier jour d'activité du titulaire dans l'exercice (défaut : 1er janvier)"),
        ("fin_activite", "date", "dernier jour d'activité (défaut : 31 décembre)"),
    ),
    *_cols(
        "numérique — socles",
        ("exercice_coordonne", "bool", "déclaré : membre d'une ESP, MSP ou CPTS"),
        ("logiciel_segur", "bool", "déclaré : logiciel référencé Ségur"),
        ("lad_certifie_has", "bool", "déclaré : LAD certifié HAS"),
        ("condamnation_fraude", "bool", "condamnation pour fraude (défaut : non)"),
        ("taux_ordonnance_numerique_pct", "rate", "part des délivrances sur ordonnance numérique (socle 70 %)"),
    ),
    *_cols(
        "numérique — indicateurs complémentaires",
        ("nb_fse", "int", "FSE transmises en SESAM-Vitale dans l'année"),
        ("taux_fse_sesam_vitale_pct", "rate", "taux de transmission des FSE en SESAM-Vitale"),
        ("taux_qualite_scor_pct", "rate", "qualité des pièces justificatives transmises (SCOR)"),
        ("taux_dmp_pct", "rate", "accompagnements et bilans finalisés alimentés dans le DMP"),
        ("taux_mss_pct", "rate", "délivrances avec échanges MSSanté"),
        ("bal_organisationnelle", "bool", "déclaré : BAL organisationnelle couplée à la MSS"),
        ("taux_eprescription_pct", "rate", "prescriptions exécutées en e-prescription"),
        ("taux_apcv_pct", "rate", "FSE faites avec l'appli carte Vitale"),
        ("borne_maj_carte_vitale", "bool", "déclaré : au moins une borne de mise à jour de la carte Vitale"),
        ("nb_lecteurs_maj_carte_vitale", "int", "déclaré : lecteurs de carte pouvant mettre à jour la carte Vitale"),
        ("teleconsultation_equipee", "bool", "déclaré : équipement et local de téléconsultation"),
        ("teleconsultation_premiere_annee", "bool", "cet exercice est la première année de l'activité"),
        ("nb_teleconsultations", "int", "téléconsultations assistées (code TLM)"),
        ("zone_zip_zac", "bool", "officine en zone ZIP ou ZAC"),
        ("nb_patients_correspondant", "int", "patients pour lesquels l'officine est pharmacien correspondant"),
    ),
    *_cols(
        "numérique — malus qualité de la facturation (T4 N-1 à T3 N)",
        ("nb_factures_periode_malus", "int", "factures de la période (le malus exige au moins 100 factures)"),
        ("taux_fse_securisees_pct", "rate", "FSE sécurisées"),
        ("taux_rejets_iris_pct", "rate", "rejets IRIS"),
        ("taux_double_paiement_pct", "rate", "doubles paiements (ex. 0,05 pour 0,05 %)"),
    ),
    *_cols(
        "bon usage des produits de santé (BUPS)",
        ("dqo_autoevaluation", "bool", "déclaré : auto-évaluation HCQO réalisée dans l'année"),
        ("dqo_newsletter", "bool", "déclaré : inscription à la newsletter"),
        ("dqo_programme_amelioration", "bool", "déclaré : programme d'amélioration de la qualité"),
        ("taux_generiques_repertoire_pct", "rate", "pénétration des génériques sur l'ensemble du répertoire"),
        ("taux_stabilite_75_pct", "rate", "stabilité de la délivrance des génériques aux 75 ans et plus"),
        ("taux_urgence_pct", "rate", "recours au motif « urgence » de non-substitution cette année"),
        ("taux_urgence_reference_pct", "rate", "taux de référence de l'officine (2019)"),
        ("nb_semaines_asafo", "int", "semaines avec au moins une connexion à ASAFO-Pharma (0 à 53)", False, 53),
        ("nb_semaines_asafo_decembre", "int", "semaines de décembre avec au moins une connexion à ASAFO-Pharma (0 à 5)",
         False, 5),
        ("eco_programme", "bool", "déclaré : programme annuel de développement durable"),
        ("eco_niveau_vise", "int", "niveau déclaré cette année (0 à 3)", False, 3),
        ("eco_items_valides", "int", "items (A, B, C) de ce niveau atteints (0 à 3)", False, 3),
        ("eco_niveau_valide_precedent", "int", "plus haut niveau validé une année antérieure (0 à 3)", False, 3),
    ),
    *_cols(
        "vaccination",
        ("nb_rva_960", "int", "RVA facturés à 9,60 € (prescrits et réalisés)"),
        ("nb_rva_750", "int", "RVA facturés à 7,50 € (réalisés seulement)"),
    ),
    *_cols(
        "dépistage du cancer colorectal",
        ("nb_kits_remis", "int", "kits remis (RKD) dans l'année"),
        ("nb_kits_realises", "int", "dont kits dont le test a été réalisé"),
        ("nb_kits_remis_n_1", "int", "kits remis l'année précédente (dispositif 2024)"),
        ("installation_apres_2023", "bool", "installée ou reprise après le 1er janvier 2023 (référence 2024 = 50 kits)"),
    ),
    *_cols(
        "dispensation à l'unité",
        ("nb_dispensations_unite", "int", "dispensations à l'unité"),
    ),
    *_cols(
        "dispositif exceptionnel 2024",
        ("nb_trod_angine", "int", "TROD angine réalisés"),
        ("locaux_trod_cystite", "bool", "déclaré : locaux adaptés au dépistage de l'infection urinaire"),
        ("nb_entretiens_chroniques", "int", "entretiens patients chroniques et bilans de médication"),
        ("nb_accompagnements_grossesse", "int", "accompagnements de femmes enceintes"),
        ("substitution_hybride", "bool", "au moins un hybride substitué"),
        ("substitution_biosimilaire", "bool", "au moins un biosimilaire substitué"),
    ),
]

MOLECULE_COLUMNS: list[Col] = _cols(
    "molécules ciblées",
    ("pharmacie_id", "id", "doit exister dans la table des pharmacies pour cet exercice", True),
    ("exercice", "exercice", "exercice", True),
    ("molecule", "text", "molécule, comme dans la liste de l'exercice (casse et accents indifférents)", True),
    ("nb_boites", "int", "boîtes délivrées, princeps et génériques", True),
    ("taux_depart_pct", "rate", "taux de substitution de départ", True),
    ("taux_arrivee_pct", "rate", "taux de substitution d'arrivée", True),
)


KIND_LABELS = {
    "id": "identifiant de 1 à 64 caractères parmi A-Z a-z 0-9 _ -, commençant par une lettre ou un chiffre, autre que CON, PRN, AUX, NUL, COM0 à COM9, LPT0 à LPT9 (noms réservés de Windows)",
    "text": "texte",
    "exercice": "entier (année)",
    "bool": "oui/non, vrai/faux, true/false, 1/0, x/vide",
    "int": "entier ≥ 0",
    "rate": "pourcentage 0 à 100 (95, 95,5 ou 95.5)",
    "date": "date AAAA-MM-JJ",
}


class InputError(Exception):
    """An invalid input file: every problem, in French, one per line (sorted by line, then column)."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(self.message())

    def message(self) -> str:
        n = len(self.problems)
        head = f"{self.path} : {n} problème{'s' if n > 1 else ''} — rien n'a été calculé ni écrit."
        return head + "\n" + "\n".join(f"  - {p}" for p in self.problems)


@dataclass(frozen=True, order=True)
class _Problem:
    line: int
    position: int
    text: str


def _shown(value: str) -> str:
    value = str(value)
    if value == "":
        return "vide"
    if len(value) > _MAX_SHOWN:
        value = value[: _MAX_SHOWN - 1] + "…"
    return f"« {value} »"


def _letter(position: int) -> str:
    """Spreadsheet column letter of a 0-based position: 0 → A, 26 → AA."""
    out = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        out = chr(65 + rest) + out
    return out


def _fold(text: str) -> str:
    """Case-, accent- and space-insensitive form of a name."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", text).strip().lower()


# --------------------------------------------------------------------------------------------
# Reading the raw text
# --------------------------------------------------------------------------------------------
def _decimal_text(value: Decimal) -> str:
    """A Decimal as plain text, without exponent or useless trailing zeros: 95.50 → 95.5, 1E+2 → 100."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _cell_to_text(value, number_format: str | None = None) -> str:
    """XLSX cells come typed; bring them back to the text a CSV export would hold.

    A cell formatted as a percentage shows « 95 % » but holds 0.95: it is read as 95, what the
    user sees (a `_pct` column is a percentage 0–100).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        if isinstance(value, (float, np.floating)) and not np.isfinite(value):
            return "" if np.isnan(value) else str(value)
        number = Decimal(repr(float(value))) if isinstance(value, (float, np.floating)) else Decimal(int(value))
        if number_format and "%" in number_format:
            number *= 100
        return _decimal_text(number)
    return str(value).strip()


def _first_filled_line(text: str) -> str:
    """The first line of `text` that is not blank, as `text.splitlines()` cuts it, without cutting
    the whole file into lines."""
    size = 1 << 16
    while size < len(text):
        lines = text[:size].splitlines()[:-1]  # the last one may be cut short by the slice
        found = next((ln for ln in lines if ln.strip()), None)
        if found is not None:
            return found
        size *= 4
    return next((ln for ln in text.splitlines() if ln.strip()), "")


_SPACE_NOT_PLAIN = re.compile(r"[^\S\r\n ]")  # whitespace other than a plain space or a line break


def _drain(items: list) -> Iterator:
    """The items of a list, each let go by the list as soon as it is given (lower peak memory)."""
    items.reverse()
    while items:
        yield items.pop()


def _split_plain_csv(text: str, sep: str) -> tuple[Iterator[list[str]], bool] | None:
    """The rows csv.reader gives for a text without any quote (nor NUL, nor field longer than the
    csv limit), cut with str.split, and whether no cell has surrounding whitespace to strip.
    None for any other text (read by csv.reader).

    Without quotes, a csv record is a line (ended by CR, LF or CR LF) cut at each separator;
    a blank line gives [''] here and [] there: both are a blank row for read_raw."""
    if '"' in text or "\x00" in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if lines and max(map(len, lines)) > csv.field_size_limit():
        return None
    # a cell starts or ends with whitespace only next to a separator, a line break or an end of the text
    stripped = not _SPACE_NOT_PLAIN.search(text) and not (
        text.startswith(" ") or text.endswith(" ") or f"{sep} " in text or f" {sep}" in text
        or "\n " in text or " \n" in text
    )
    return (line.split(sep) for line in _drain(lines)), stripped


def _read_csv_rows(path: Path) -> tuple[Iterable[list[str]], bool]:
    """The rows of the file and whether its cells are known to be stripped already."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(str(path), [
            f"le fichier n'est pas en UTF-8 (premier caractère illisible ligne {line}) ; "
            "attendu : un CSV enregistré en « CSV UTF-8 »"
        ]) from None
    del raw
    first = _first_filled_line(text)
    # `;` (French spreadsheets) or `,`; a tab too, for a table pasted from a spreadsheet
    sep = max((",", ";", "\t"), key=first.count)
    plain = _split_plain_csv(text, sep)
    if plain is not None:
        return plain
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False)), False
    except csv.Error as exc:
        raise InputError(str(path), [f"CSV illisible : {exc}"]) from None


def _pick_sheet(names: list[str], sheet: str) -> str:
    wanted = [n for n in names if _fold(n) == _fold(sheet)]
    return wanted[0] if wanted else names[0]


def _read_xlsx_rows(path: Path, sheet: str) -> list[list[str]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook
        raise InputError(str(path), [f"classeur XLSX illisible ({type(exc).__name__} : {exc})"]) from None
    try:
        if not wb.worksheets:
            raise InputError(str(path), ["le classeur ne contient aucune feuille de calcul"])
        ws = wb[_pick_sheet(wb.sheetnames, sheet)] if sheet else wb.worksheets[0]
        if not hasattr(ws, "iter_rows"):  # a chart sheet was named like the table
            ws = wb.worksheets[0]
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # some writers record a wrong size; read every cell there is
        return [
            [_cell_to_text(c.value, getattr(c, "number_format", None)) for c in row]
            for row in ws.iter_rows()
        ]
    finally:
        wb.close()


@dataclass
class RawTable:
    """A table as read, before validation: text cells, the problems of its shape, and where its
    columns sit in the file (to sort and locate errors as the user sees them)."""

    frame: pd.DataFrame
    problems: list[_Problem]
    header_line: int = _HEADER_LINE
    positions: dict[str, int] | None = None


def read_raw(path: str | Path, sheet: str) -> RawTable:
    """The table as text cells and the problems of its shape.

    The frame has the header names stripped and lower-cased, '' for an empty cell, object dtype,
    and the spreadsheet line number of each row as index (header = line 1). Entirely empty rows are
    dropped; an unnamed column is dropped when it is empty.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(str(path), ["fichier introuvable"])
    suffix = path.suffix.lower()
    stripped = False
    if suffix in (".xlsx", ".xlsm"):
        rows = _read_xlsx_rows(path, sheet)
    elif suffix in (".csv", ".txt", ""):
        rows, stripped = _read_csv_rows(path)
    else:
        raise InputError(str(path), [
            f"format « {suffix} » non pris en charge ; attendu : .csv ou .xlsx (réenregistrez le classeur en .xlsx)"
        ])
    rows = _drain(rows) if isinstance(rows, list) else iter(rows)
    strip = str.strip  # every cell is a str (csv, or _cell_to_text)
    head, header = 0, None
    for row in rows:
        if any(map(strip, row)):
            header = row
            break
        head += 1  # a blank line above the header
    if header is None:
        raise InputError(str(path), ["fichier vide ; attendu : une ligne d'en-tête avec les noms de colonnes"])
    header_line = head + 1  # as the spreadsheet numbers it
    header = [h.strip().lower() for h in header]
    width = len(header)
    problems: list[_Problem] = []
    data: list[list[str]] = []
    lines: list[int] = []
    # Equal cells share one str object: most cells repeat (oui/non, rates, empty), and a table of
    # 20 000 × 55 cells holds about 80 000 distinct texts for 1 100 000 cells.
    share = {"": ""}.setdefault
    for offset, row in enumerate(rows):
        line = header_line + 1 + offset
        if not stripped:
            row = list(map(strip, row))
        row = list(map(share, row, row))
        if not any(row):
            continue
        if len(row) > width:
            extra = [v for v in row[width:] if v]
            if extra:
                pid = row[header.index("pharmacie_id")] if "pharmacie_id" in header else ""
                who = f", pharmacie « {pid} »" if pid else ""
                problems.append(_Problem(line, -1, (
                    f"ligne {line}{who} : {len(row)} valeurs pour {width} colonnes d'en-tête "
                    f"({', '.join(_shown(v) for v in extra)} en trop) ; attendu : une valeur par colonne — "
                    "une virgule décimale dans un fichier séparé par des virgules ? "
                    "Utilisez « ; » comme séparateur ou mettez la valeur entre guillemets"
                )))
                continue
            row = row[:width]
        elif len(row) < width:
            row += [""] * (width - len(row))
        data.append(row)
        lines.append(line)
    del rows
    frame = pd.DataFrame(data, columns=range(width), dtype=object)
    if not data:
        frame = pd.DataFrame({j: pd.Series(dtype=object) for j in range(width)})
    del data
    frame.index = pd.Index(lines, dtype="int64")

    keep: list[int] = []
    first_at: dict[str, int] = {}
    for j, name in enumerate(header):
        where = f"ligne {header_line} (en-tête), colonne {_letter(j)}"
        if name == "":
            filled = frame[j][frame[j] != ""]
            if len(filled):
                problems.append(_Problem(header_line, j, (
                    f"{where} : colonne sans nom qui contient des valeurs (ligne {filled.index[0]} : "
                    f"{_shown(filled.iloc[0])}) ; attendu : un nom de colonne (liste : rosp colonnes)"
                )))
            continue
        if name in first_at:
            problems.append(_Problem(header_line, j, (
                f"{where} : colonne « {name} » en double (déjà en colonne {_letter(first_at[name])}) ; "
                "attendu : une seule colonne de ce nom"
            )))
            continue
        first_at[name] = j
        keep.append(j)
    if keep != list(range(width)):
        frame = frame[keep]
    frame.columns = [header[j] for j in keep]
    # not in frame.attrs: pandas deep-copies attrs on every operation
    return RawTable(frame, problems, header_line, {header[j]: j for j in keep})


# --------------------------------------------------------------------------------------------
# Parsing cells (shared by the checks and the typed conversion)
# --------------------------------------------------------------------------------------------
# Each column is parsed once per reading: the pandera checks, the checks across columns and the
# typed conversion ask `_cached` for the same parse of the same column. Within a column, the work is
# done once per distinct cell text (`_distinct`): a count or a rate column of 20 000 rows holds a few
# hundred distinct texts, a oui/non column a handful.
class _ParseCache:
    """The parses of the columns of one raw table, keyed by (column name, what was parsed).

    Active (see `_parsing`) while that table is validated and typed. pandera hands the checks a copy
    of the frame: a column is recognised by its name and an index equal to the table's (a view of
    the same index, so the comparison is immediate)."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.index = frame.index
        self.memo: dict[tuple, object] = {}


_PARSE_CACHE: contextvars.ContextVar[_ParseCache | None] = contextvars.ContextVar("rosp_inputs_parse_cache", default=None)


@contextlib.contextmanager
def _parsing(frame: pd.DataFrame):
    """Parse each column of `frame` once while the block runs (reuses the active cache of the same frame)."""
    active = _PARSE_CACHE.get()
    if active is not None and active.frame is frame:
        yield active
        return
    token = _PARSE_CACHE.set(_ParseCache(frame))
    try:
        yield _PARSE_CACHE.get()
    finally:
        _PARSE_CACHE.reset(token)


def _cached(s: pd.Series, what: tuple, compute: Callable[[pd.Series], object]):
    """compute(s), computed once per column of the table being read (results are shared: never modify them)."""
    cache = _PARSE_CACHE.get()
    if cache is None or not isinstance(s.name, str) or len(s) != len(cache.index) or not s.index.equals(cache.index):
        return compute(s)
    key = (s.name, *what)
    if key not in cache.memo:
        cache.memo[key] = compute(s)
    return cache.memo[key]


def _distinct(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct): the cells are distinct[codes]. Factorised only when every cell is text
    (text compares by value alone); otherwise every cell is its own entry."""

    def compute(s: pd.Series):
        values = s.to_numpy(dtype=object)
        codes, distinct = pd.factorize(values)
        distinct = np.asarray(distinct, dtype=object)
        if not (len(codes) and codes.min() < 0) and all(isinstance(v, str) for v in distinct):  # no null, only text
            return codes.astype(np.int32), distinct
        return np.arange(len(values)), values

    return _cached(s, ("distinct",), compute)


@functools.lru_cache(maxsize=None)
def _column_re(pattern: str, allow_empty: bool) -> re.Pattern:
    """`pattern` for a whole column joined by line breaks (each cell optional when `allow_empty`).
    None of the patterns used matches a line break or an empty text."""
    one = f"(?:{pattern})" + ("?" if allow_empty else "")
    return re.compile(f"{one}(?:\n{one})*")


def _all_match(values: np.ndarray, pattern: str, allow_empty: bool) -> str | None:
    """The cells joined by line breaks when each one fully matches `pattern` (or is empty, when
    `allow_empty`): one regular expression call for the whole column. None otherwise (or when a
    cell is not text or holds a line break)."""
    n = len(values)
    if not n:
        return None
    try:
        joined = "\n".join(values)
    except TypeError:  # a cell that is not text
        return None
    if joined.count("\n") != n - 1 or not _column_re(pattern, allow_empty).fullmatch(joined):
        return None
    return joined


def _fullmatch_mask(values: np.ndarray, pattern: str) -> np.ndarray:
    """Where each cell fully matches `pattern`, as `Series.str.fullmatch(pattern).fillna(False)`
    (a cell that is not text: False). The whole column is tried at once first (`_all_match`)."""
    if _all_match(values, pattern, allow_empty=True) is not None:
        return values != ""
    match = re.compile(pattern).fullmatch
    return np.fromiter((isinstance(v, str) and match(v) is not None for v in values), dtype=bool, count=len(values))


def _canonical_number_cellwise(s: pd.Series, percent_sign: bool = False) -> pd.Series:
    """The full rules, one regular expression pass at a time (cells outside the fast path only)."""
    s = s.astype(object)
    if percent_sign:
        s = s.str.replace(r"\s*%$", "", regex=True)
    grouped = s.str.fullmatch(_GROUPED_RE).fillna(False).astype(bool)
    s = s.where(~grouped, s.str.replace(r"[ \u00a0\u202f]", "", regex=True))
    ok = s.str.fullmatch(_NUMBER_RE).fillna(False).astype(bool)
    return s.str.replace(",", ".", regex=False).where(ok, np.nan)


def _canonical_texts(values: np.ndarray, percent_sign: bool) -> np.ndarray:
    """`_canonical_number_cellwise` of an array of cells, as an object array.

    A cell that is empty or already a plain number (« 95,5 », « 40000 ») needs none of the `%` and
    thousands-space rules: « , » → « . » is all there is to do, for the whole column at once when
    every cell is like that. The other cells go through the full rules."""
    joined = _all_match(values, _NUMBER_RE, allow_empty=True)
    if joined is not None:
        out = np.array(joined.replace(",", ".").split("\n"), dtype=object)
        out[out == ""] = np.nan
        return out
    out = np.empty(len(values), dtype=object)
    slow: list[int] = []
    match = re.compile(_NUMBER_RE).fullmatch
    for i, v in enumerate(values):
        if not isinstance(v, str):
            out[i] = np.nan  # what every `.str` step gives a cell that is not text
        elif v == "" or match(v):
            out[i] = v.replace(",", ".") if v else np.nan
        else:
            slow.append(i)
    if slow:
        rest = _canonical_number_cellwise(pd.Series(values[slow], dtype=object), percent_sign)
        out[slow] = rest.to_numpy(dtype=object)
    return out


def _parsed_numbers(s: pd.Series, percent_sign: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(codes, canonical text, float) of a column: the canonical text and the float of each distinct cell."""

    def compute(s: pd.Series):
        codes, distinct = _distinct(s)
        canonical = _canonical_texts(distinct, percent_sign)
        floats = pd.to_numeric(pd.Series(canonical, dtype=object), errors="coerce").astype("float64").to_numpy()
        return codes, canonical, floats

    return _cached(s, ("number", percent_sign), compute)


def _canonical_number(s: pd.Series, percent_sign: bool = False) -> pd.Series:
    """Each cell as a canonical decimal text (« 95,5 » → « 95.5 », « 40 000 » → « 40000 »), NaN if not a number."""
    codes, canonical, _ = _parsed_numbers(s, percent_sign)
    return pd.Series(canonical[codes], index=s.index, dtype=object)


def _number(s: pd.Series, percent_sign: bool = False) -> pd.Series:
    codes, _, floats = _parsed_numbers(s, percent_sign)
    return pd.Series(floats[codes], index=s.index, dtype="float64")


def _is_int(s: pd.Series, maximum: int | None) -> pd.Series:
    v = _number(s)
    ok = v.notna() & (v >= 0) & (v == np.floor(v))
    if maximum is not None:
        ok &= v <= maximum
    return ok


def _date_parse(s: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(valid, parsed): where the cell is a real date AAAA-MM-JJ, and the dates (NaT elsewhere)."""

    def compute(s: pd.Series):
        codes, distinct = _distinct(s)
        d = pd.Series(distinct, dtype=object)
        shaped = _fullmatch_mask(distinct, _DATE_RE)
        first = pd.to_datetime(d.where(shaped), format="%Y-%m-%d", errors="coerce")
        valid = shaped & first.notna().to_numpy()
        parsed = pd.to_datetime(d.where(valid), format="%Y-%m-%d", errors="coerce")
        return valid[codes], pd.Series(parsed.to_numpy()[codes], dtype=parsed.dtype)

    return _cached(s, ("date",), compute)


def _is_date(s: pd.Series) -> pd.Series:
    return pd.Series(_date_parse(s)[0], index=s.index)


def _empty(s: pd.Series) -> pd.Series:
    codes, distinct = _distinct(s)
    return pd.Series((distinct == "")[codes], index=s.index)


def _id_mask(s: pd.Series) -> np.ndarray:
    def compute(s: pd.Series):
        codes, distinct = _distinct(s)
        return _fullmatch_mask(distinct, PHARMACIE_ID_RE)[codes]

    return _cached(s, ("id",), compute)


def _bool_words(s: pd.Series) -> np.ndarray:
    """Per cell: 1 for a « oui » word, 0 for a « non » word (or empty), -1 for anything else."""

    def compute(s: pd.Series):
        codes, distinct = _distinct(s)
        lower = [v.lower() if isinstance(v, str) else None for v in distinct]
        word = np.array([1 if w in TRUE_WORDS else 0 if w in FALSE_WORDS else -1 for w in lower], dtype=np.int8)
        return word[codes]

    return _cached(s, ("bool",), compute)


def _valid_mask(col: Col, s: pd.Series, exercises: list[int]) -> pd.Series:
    """True where the text cell is acceptable for the column (an empty cell is « unknown »)."""
    k = col.kind
    s = s.astype(object)
    if k == "id":
        return pd.Series(_id_mask(s), index=s.index)
    if k == "exercice":
        return s.isin([str(y) for y in exercises])
    if k == "bool":
        return pd.Series(_bool_words(s) >= 0, index=s.index)
    if k == "int":
        return _empty(s) | _is_int(s, col.maximum)
    if k == "rate":
        return _empty(s) | _number(s, percent_sign=True).between(0, 100)
    if k == "date":
        return _empty(s) | _is_date(s)
    if k == "text" and col.required:
        return ~_empty(s)
    return pd.Series(True, index=s.index)


def _expected(col: Col, exercises: list[int]) -> str:
    if col.kind == "exercice":
        return f"un exercice pour lequel des paramètres existent ({', '.join(map(str, exercises))})"
    if col.kind == "int" and col.maximum is not None:
        return f"entier de 0 à {col.maximum}"
    if col.kind == "text" and col.required:
        return "texte non vide"
    return KIND_LABELS[col.kind]


def _as_int(frame: pd.DataFrame, name: str) -> pd.Series:
    """A count column as float (NaN where empty, missing or not a valid count)."""
    if name not in frame:
        return pd.Series(np.nan, index=frame.index)
    v = _number(frame[name])
    return v.where(_is_int(frame[name], None))


def _as_exercice(frame: pd.DataFrame) -> pd.Series:
    if "exercice" not in frame:
        return pd.Series(np.nan, index=frame.index)

    def compute(s: pd.Series):
        codes, distinct = _distinct(s)
        d = pd.Series(distinct, dtype=object)
        years = pd.to_numeric(d.where(_fullmatch_mask(distinct, r"\d{4}")), errors="coerce")
        return pd.Series(years.to_numpy()[codes], dtype=years.dtype)

    s = frame["exercice"]
    return pd.Series(_cached(s, ("exercice",), compute).to_numpy(), index=frame.index)


def _as_date(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    parsed = _date_parse(frame[name])[1]
    return pd.Series(parsed.to_numpy(), index=frame.index, dtype=parsed.dtype)


# --------------------------------------------------------------------------------------------
# Checks across columns
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowCheck:
    """A rule across columns: `valid(frame)` is True where the row is fine; `explain(frame, line, memo)`
    gives, for a failing row, the (column, value, expected[, note on the value]) to report. `memo` is
    a dict shared by the calls of one validation, to compute whole-table helpers once (a file with
    thousands of duplicated lines must not take quadratic time)."""

    name: str
    columns: tuple[str, ...]
    valid: Callable[[pd.DataFrame], pd.Series]
    explain: Callable[[pd.DataFrame, int, dict], list[tuple]]


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]


def _kits_valid(f: pd.DataFrame) -> pd.Series:
    remis, realises = _as_int(f, "nb_kits_remis"), _as_int(f, "nb_kits_realises")
    return ~(realises > remis)


def _kits_explain(f: pd.DataFrame, line: int, memo: dict) -> list[tuple[str, str, str]]:
    remis = f.at[line, "nb_kits_remis"]
    return [("nb_kits_realises", f.at[line, "nb_kits_realises"],
             f"au plus nb_kits_remis (« {remis} ») : les kits réalisés font partie des kits remis")]


def _dates_ordered_valid(f: pd.DataFrame) -> pd.Series:
    return ~(_as_date(f, "fin_activite") < _as_date(f, "debut_activite"))


def _dates_ordered_explain(f: pd.DataFrame, line: int, memo: dict) -> list[tuple[str, str, str]]:
    debut = f.at[line, "debut_activite"]
    return [("fin_activite", f.at[line, "fin_activite"],
             f"une date égale ou postérieure à debut_activite (« {debut} »)")]


def _out_of_exercise(f: pd.DataFrame, name: str) -> pd.Series:
    year, d = _as_exercice(f), _as_date(f, name)
    return d.notna() & year.notna() & (d.dt.year != year)


def _dates_in_exercise_valid(f: pd.DataFrame) -> pd.Series:
    return ~(_out_of_exercise(f, "debut_activite") | _out_of_exercise(f, "fin_activite"))


def _dates_in_exercise_explain(f: pd.DataFrame, line: int, memo: dict) -> list[tuple[str, str, str]]:
    if "dates_exercice" not in memo:
        memo["dates_exercice"] = {name: _out_of_exercise(f, name) for name in ("debut_activite", "fin_activite")}
    year = f.at[line, "exercice"]
    out = []
    for name, outside in memo["dates_exercice"].items():
        if bool(outside.at[line]):
            out.append((name, f.at[line, name],
                        f"une date de l'exercice {year} (du {year}-01-01 au {year}-12-31)"))
    return out


def _duplicate_check(keys: list[str], key_of: Callable[[pd.DataFrame], pd.Series], expected: str) -> RowCheck:
    """One line per key: every line of a duplicated key is reported, naming the others."""

    def valid(f: pd.DataFrame) -> pd.Series:
        if any(k not in f for k in keys):
            return pd.Series(True, index=f.index)
        return ~key_of(f).duplicated(keep=False)

    def explain(f: pd.DataFrame, line: int, memo: dict) -> list[tuple[str, str, str]]:
        if "doublon" not in memo:
            key = key_of(f)
            groups: dict[str, list[int]] = {}
            for at, k in zip(key.index, key):
                groups.setdefault(k, []).append(int(at))
            memo["doublon"] = (key, groups)
        key, groups = memo["doublon"]
        others = [i for i in groups[key.at[line]] if i != line]
        value = " / ".join(str(f.at[line, k]) for k in keys)
        where = ("les lignes " if len(others) > 1 else "la ligne ") + ", ".join(map(str, others))
        return [(_and(keys), value, expected, f"en double avec {where}")]

    return RowCheck("doublon", tuple(keys), valid, explain)


def _pharmacy_key(f: pd.DataFrame) -> pd.Series:
    return f["pharmacie_id"].astype(object).str.lower() + "\x00" + f["exercice"].astype(object)


PHARMACY_ROW_CHECKS: list[RowCheck] = [
    _duplicate_check(
        ["pharmacie_id", "exercice"], _pharmacy_key,
        "une seule ligne par pharmacie_id et exercice (majuscules et minuscules confondues : "
        "l'identifiant devient un nom de dossier)",
    ),
    RowCheck("kits", ("nb_kits_realises", "nb_kits_remis"), _kits_valid, _kits_explain),
    RowCheck("dates_ordre", ("debut_activite", "fin_activite"), _dates_ordered_valid, _dates_ordered_explain),
    RowCheck("dates_exercice", ("debut_activite", "fin_activite"), _dates_in_exercise_valid, _dates_in_exercise_explain),
]


# --------------------------------------------------------------------------------------------
# Schema and validation
# --------------------------------------------------------------------------------------------
def build_schema(columns: list[Col], row_checks: list[RowCheck]) -> pa.DataFrameSchema:
    exercises = available_exercises()

    def column_check(c: Col) -> list[pa.Check]:
        checks = [pa.Check(lambda s, c=c: _valid_mask(c, s, exercises), error=_expected(c, exercises), ignore_na=False)]
        if c.kind == "int" and c.maximum is None:
            # A count so large it can only be a mistake (and would overflow exact cents later on).
            checks.append(pa.Check(lambda s: ~(_number(s) > MAX_COUNT), ignore_na=False,
                                   error=f"entier ≥ 0 d'au plus {MAX_COUNT:_} (nombre plausible)".replace("_", " ")))
        return checks

    # read_raw gives text cells, '' when empty, never a null: pandera's null handling (a null scan
    # of every column for each check, `nullable`, `ignore_na`) would only cost time.
    return pa.DataFrameSchema(
        columns={c.name: pa.Column(None, checks=column_check(c), required=c.required, nullable=True) for c in columns},
        checks=[pa.Check(rc.valid, error=rc.name, name=rc.name, ignore_na=False) for rc in row_checks],
        strict=True,
    )


def _unknown_column(name: str, known: list[str]) -> str:
    other = {c.name for c in PHARMACY_COLUMNS} ^ {c.name for c in MOLECULE_COLUMNS}
    if name in other and name not in known:
        table = "molécules (rosp compute --molecules)" if name in {c.name for c in MOLECULE_COLUMNS} else "pharmacies"
        return f"colonne inconnue dans cette table — elle appartient à la table des {table}"
    guess = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if guess:
        return f"colonne inconnue — vouliez-vous dire « {guess[0]} » ? (liste : rosp colonnes)"
    return "colonne inconnue ; attendu : une colonne de la liste (rosp colonnes)"


def _describe_failures(table: RawTable, columns: list[Col], row_checks: list[RowCheck],
                       failures: pd.DataFrame) -> list[_Problem]:
    raw = table.frame
    known = [c.name for c in columns]
    positions = table.positions if table.positions is not None else {c: j for j, c in enumerate(raw.columns)}
    by_name = {rc.name: rc for rc in row_checks}
    head = table.header_line
    problems: list[_Problem] = []
    seen: set = set()
    memo: dict = {}

    def who(line: int) -> str:
        pid = raw.at[line, "pharmacie_id"] if "pharmacie_id" in raw else ""
        return f", pharmacie « {pid} »" if pid else ""

    def cell(line: int, column: str, value: str, expected: str, note: str = "") -> _Problem:
        first = re.split(r", | et ", column)[0]
        plural = "s" if " et " in column else ""
        shown = _shown(value) + (f" {note}" if note else "")
        return _Problem(line, positions.get(first, len(positions)),
                        f"ligne {line}{who(line)}, colonne{plural} {column} : valeur{plural} {shown} ; attendu : {expected}")

    for row in failures.itertuples(index=False):
        check, column, value, idx = row.check, row.column, row.failure_case, row.index
        if check == "column_in_schema":
            problems.append(_Problem(head, positions.get(value, 0),
                                     f"ligne {head} (en-tête), colonne « {value} » : {_unknown_column(str(value), known)}"))
        elif check == "column_in_dataframe":
            problems.append(_Problem(head, len(positions),
                                     f"ligne {head} (en-tête) : colonne obligatoire « {value} » absente ; "
                                     f"attendu : une colonne « {value} » (liste : rosp colonnes)"))
        elif idx is None or (isinstance(idx, float) and np.isnan(idx)):
            # A check that could not run at all: say so rather than hide it.
            problems.append(_Problem(head, len(positions), f"colonne {column} : vérification impossible ({value})"))
        elif check in by_name:
            key = (check, int(idx))
            if key in seen:
                continue
            seen.add(key)
            for explained in by_name[check].explain(raw, int(idx), memo):
                problems.append(cell(int(idx), *explained))
        else:
            problems.append(cell(int(idx), str(column), value, str(check)))
    return problems


def validate_raw(table: RawTable, columns: list[Col], row_checks: list[RowCheck], path: str) -> None:
    """Raise InputError listing every problem of the table (with the shape problems found by read_raw)."""
    problems = list(table.problems)
    schema = build_schema(columns, row_checks)
    with _parsing(table.frame):
        try:
            # inplace: nothing is coerced or added, the copy pandera would make is not needed
            schema.validate(table.frame, lazy=True, inplace=True)
        except pa.errors.SchemaErrors as exc:
            problems += _describe_failures(table, columns, row_checks, exc.failure_cases)
    if problems:
        unique = sorted(set(problems))
        raise InputError(path, [p.text for p in unique])


# --------------------------------------------------------------------------------------------
# Typed tables
# --------------------------------------------------------------------------------------------
def _typed(raw: pd.DataFrame, columns: list[Col]) -> pd.DataFrame:
    n = len(raw)
    out = {}
    for c in columns:
        s = raw[c.name].astype(object) if c.name in raw else None
        if c.kind in ("id", "text"):
            # object, not pandas 3's inferred string dtype: the themes and reports handle plain str
            text = s.to_numpy(dtype=object) if s is not None else np.full(n, "", dtype=object)
            out[c.name] = pd.Series(text, index=pd.RangeIndex(n), dtype=object)
        elif c.kind == "exercice":
            out[c.name] = s.astype("int64").to_numpy()
        elif c.kind == "bool":
            out[c.name] = (_bool_words(s) == 1) if s is not None else np.zeros(n, bool)
        elif c.kind in ("int", "rate"):
            out[c.name] = _number(s, c.kind == "rate").to_numpy() if s is not None else np.full(n, np.nan)
        elif c.kind == "date":
            out[c.name] = _as_date(raw, c.name).to_numpy() if s is not None else np.full(n, np.datetime64("NaT", "ns"))
    frame = pd.DataFrame(out, index=pd.RangeIndex(n))
    return frame


def read_pharmacies(path: str | Path) -> pd.DataFrame:
    """The pharmacies table, validated and typed: counts and rates as float (NaN = unknown),
    declarations as bool (empty = non), dates as datetime (NaT = default), text as object."""
    table = read_raw(path, "pharmacies")
    raw = table.frame
    if raw.empty and not table.problems:
        table.problems.append(_Problem(table.header_line + 1, 0, "aucune pharmacie dans le fichier ; "
                                       "attendu : une ligne par pharmacie et exercice sous l'en-tête"))
    with _parsing(raw):  # the checks and the conversion share one parse of each column
        validate_raw(table, PHARMACY_COLUMNS, PHARMACY_ROW_CHECKS, str(path))
        frame = _typed(raw, PHARMACY_COLUMNS)
    frame.attrs["source"] = str(path)
    return frame


def normalise_molecule(name: str) -> str:
    """A molecule name compared case- and accent-insensitively: « Palipéridone » → « paliperidone »."""
    return _fold(name)


def _normalised_molecules(s: pd.Series) -> np.ndarray:
    """normalise_molecule of each cell (object array), computed once per distinct name."""

    def compute(s: pd.Series):
        codes, distinct = _distinct(s)
        return np.array([normalise_molecule(v) for v in distinct], dtype=object)[codes]

    return _cached(s, ("molecule",), compute)


def _molecule_checks(pharmacies: pd.DataFrame | None) -> list[RowCheck]:
    duplicate = _duplicate_check(["pharmacie_id", "exercice", "molecule"], _molecule_key,
                                 "une seule ligne par pharmacie, exercice et molécule (casse et accents indifférents)")
    if pharmacies is None:
        return [duplicate]
    keys = set(zip(pharmacies["pharmacie_id"].astype(str).tolist(), pharmacies["exercice"].astype(int).astype(str).tolist()))
    years_of: dict[str, list[str]] = {}
    for pid, year in sorted(keys):
        years_of.setdefault(pid, []).append(year)
    exercises = {str(y) for y in available_exercises()}

    def checkable(f: pd.DataFrame) -> pd.Series:
        return pd.Series(_id_mask(f["pharmacie_id"].astype(object)), index=f.index) & f["exercice"].isin(exercises)

    def valid(f: pd.DataFrame) -> pd.Series:
        if "pharmacie_id" not in f or "exercice" not in f:
            return pd.Series(True, index=f.index)
        known = pd.Series([(p, e) in keys for p, e in zip(f["pharmacie_id"], f["exercice"])], index=f.index)
        return known | ~checkable(f)

    def explain(f: pd.DataFrame, line: int, memo: dict) -> list[tuple[str, str, str]]:
        pid, year = f.at[line, "pharmacie_id"], f.at[line, "exercice"]
        expected = f"une pharmacie de la table des pharmacies pour l'exercice {year}"
        same_case = [p for p in years_of if p.lower() == str(pid).lower() and p != pid]
        if pid in years_of:
            expected += f" (« {pid} » n'y figure que pour {', '.join(years_of[pid])})"
        elif same_case:
            expected += f" — vouliez-vous dire « {same_case[0]} » ? (majuscules et minuscules comptent)"
        else:
            guess = difflib.get_close_matches(pid, list(years_of), n=1, cutoff=0.8)
            if guess:
                expected += f" — vouliez-vous dire « {guess[0]} » ?"
        return [("pharmacie_id", pid, expected)]

    return [RowCheck("pharmacie_absente", ("pharmacie_id", "exercice"), valid, explain), duplicate]


def _molecule_key(f: pd.DataFrame) -> pd.Series:
    return (f["pharmacie_id"].astype(object) + "\x00" + f["exercice"].astype(object) + "\x00"
            + pd.Series(_normalised_molecules(f["molecule"]), index=f.index, dtype=object))


class InputErrors(InputError):
    """Several invalid input files: the problems of each, one file after the other."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        InputError.__init__(self, ", ".join(e.path for e in errors), [p for e in errors for p in e.problems])

    def message(self) -> str:
        return "\n".join(e.message() for e in self.errors)


def read_inputs(pharmacies_path: str | Path, molecules_path: str | Path | None = None
                ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The pharmacies and (if given) molecules tables; the problems of both files at once when
    either is invalid (InputError, or InputErrors for both)."""
    errors: list[InputError] = []
    pharmacies = molecules = None
    try:
        pharmacies = read_pharmacies(pharmacies_path)
    except InputError as exc:
        errors.append(exc)
    if molecules_path:
        try:
            molecules = read_molecules(molecules_path, pharmacies)
        except InputError as exc:
            errors.append(exc)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)
    return pharmacies, molecules


def read_molecules(path: str | Path, pharmacies: pd.DataFrame | None) -> pd.DataFrame:
    """The targeted-molecule lines, validated against the pharmacies table (without it, when the
    pharmacies file is itself invalid, every check but « the pharmacy exists »)."""
    table = read_raw(path, "molecules")
    raw = table.frame
    with _parsing(raw):  # the checks and the conversion share one parse of each column
        validate_raw(table, MOLECULE_COLUMNS, _molecule_checks(pharmacies), str(path))
        frame = _typed(raw, MOLECULE_COLUMNS)
        frame["molecule_norm"] = pd.Series(_normalised_molecules(raw["molecule"]), dtype=object)
        for name in ("taux_depart_pct", "taux_arrivee_pct"):
            # one Decimal per distinct rate (Decimal is immutable: rows may share it)
            codes, canonical, _ = _parsed_numbers(raw[name], percent_sign=True)
            exact = np.array([None if pd.isna(v) else Decimal(v) for v in canonical], dtype=object)
            frame[name + "_exact"] = list(exact[codes])
    return frame


def empty_molecules() -> pd.DataFrame:
    frame = pd.DataFrame({c.name: pd.Series(dtype=object) for c in MOLECULE_COLUMNS})
    frame["molecule_norm"] = pd.Series(dtype=object)
    return frame


def columns_markdown() -> str:
    """The documentation of the input columns, generated from the schema."""
    out = ["# Colonnes d'entrée", "", "Généré depuis `rosp_lib/inputs` (`rosp colonnes`). Ne pas modifier à la main.", ""]
    for title, columns in (("Table `pharmacies`", PHARMACY_COLUMNS), ("Table `molecules` (facultative)", MOLECULE_COLUMNS)):
        out += [f"## {title}", ""]
        group = None
        for c in columns:
            if c.group != group:
                group = c.group
                out += ["", f"### {group}", "", "| colonne | type | obligatoire | signification |", "|---|---|---|---|"]
            out.append(f"| `{c.name}` | {_expected(c, available_exercises())} | {'oui' if c.required else 'non'} | {c.description} |")
        out.append("")
    return "\n".join(out) + "\n"
