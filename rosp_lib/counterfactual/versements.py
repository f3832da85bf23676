"""The `versements` table: what the Assurance Maladie actually paid, as read on amelipro « Mes ROSP ».

One row per pharmacy × exercise × theme, or per indicator when the statement details it; several rows
for one key (an initial payment and its complement) add up. A theme row beside non-zero indicator rows of the
same pharmacy × exercise × theme is refused: the indicator rows may detail the theme's total (« dont », as a
statement prints them) or be payments on top of it, and the tool does not choose (indicator rows of 0 € read
the same both ways and are accepted). CSV (`,` or `;`, decimal comma or point,
UTF-8 with or without BOM) or XLSX (sheet `versements`, else the only sheet with data; read and checked
by `rosp_lib.inputs.xlsxread` as the other tables are). Every problem is listed at once, in French, with
its line, column, value and what was expected; nothing is computed from an invalid table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from ..inputs import InputError
from ..inputs.raw import input_file
from ..inputs.xlsxread import read_xlsx_cells
from ..lines.formatting import eur
from ..registry import INDICATORS, THEMES

COLUMNS = ["pharmacie_id", "exercice", "theme", "indicateur", "montant_verse_eur", "date_versement", "libelle_releve"]
REQUIRED = ["pharmacie_id", "exercice", "theme", "montant_verse_eur"]
SHEET = "versements"

_AMOUNT_RE = re.compile(r"[+-]?(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,]\d{1,2})?")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def fold(text: str) -> str:
    """Lower case, without accents, spaces collapsed: how a theme's name is matched."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().replace("’", "'").split())


def theme_names() -> dict[str, str]:
    """Every accepted spelling of a theme (its code, its French title) → its code."""
    names = {}
    for t in THEMES:
        names[fold(t.code)] = t.code
        names[fold(t.titre)] = t.code
    return names


def _rows(path: Path) -> list[list[str]]:
    """The file's rows as text cells, row i of the list being line i + 1 of the file."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        # The same reading and checks as the pharmacies and molecules tables: the sheet named `versements`
        # (else the only sheet with data), refused with the sheet and cell named when it holds merged cells,
        # formulas without a saved value, or is hidden; each cell as the user sees it (percent formats too).
        cells, _ = read_xlsx_cells(path, SHEET)
        first = int(cells.index[0]) if len(cells) else 1
        return [[] for _ in range(first - 1)] + cells.to_numpy(dtype=object).tolist()
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(str(path), [f"le fichier n'est pas en UTF-8 (premier caractère illisible ligne {line}) ; "
                                     "attendu : un CSV enregistré en « CSV UTF-8 »"]) from None
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    sep = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=sep)]


def _numbers(lines: list[int]) -> str:
    """« 2 », « 2 et 3 », « 2, 3 et 4 »."""
    text = [str(n) for n in lines]
    return text[0] if len(text) == 1 else ", ".join(text[:-1]) + " et " + text[-1]


def _theme_and_detail(records: list[dict]) -> list[str]:
    """The pharmacy × exercise × theme keys with a whole-theme row and non-zero indicator rows: ambiguous (the
    indicator rows may be the detail of the theme's total, or payments on top of it), one problem per key with
    both readings and the fix. Rows already refused for another reason are left out."""
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        if r["pharmacie_id"] and r["exercice"] is not None and r["theme"] is not None and r["montant_cents"] is not None:
            groups.setdefault((r["pharmacie_id"], r["exercice"], r["theme"]), []).append(r)
    problems = []
    for (pid, year, theme), rows in groups.items():
        whole = [r for r in rows if not r["indicateur"]]
        detail = [r for r in rows if r["indicateur"] and r["montant_cents"] != 0]
        if not whole or not detail:
            continue
        total = sum(r["montant_cents"] for r in whole)
        extra = sum(r["montant_cents"] for r in detail)
        lines = sorted(r["ligne"] for r in whole + detail)
        whole_text = " ; ".join(f"ligne {r['ligne']} : {eur(r['montant_cents'])}" for r in whole)
        detail_text = " ; ".join(f"ligne {r['ligne']}, {r['indicateur']} : {eur(r['montant_cents'])}" for r in detail)
        problems.append(
            f"lignes {_numbers(lines)}, pharmacie « {pid} », exercice {year}, thème {theme} : une ligne pour tout le "
            f"thème ({whole_text}) et des lignes par indicateur ({detail_text}) ; ambigu : les lignes par indicateur "
            f"peuvent détailler le total (« dont », comme un relevé les imprime : {eur(total)} versés en tout) ou être "
            f"des versements en plus ({eur(total + extra)} en tout) ; attendu : pour un détail (« dont ») du total, "
            "gardez la seule ligne du thème ; pour un versement en plus, écrivez-le sur une ligne du thème")
    return problems


def read_versements(path: str | Path, pharmacies: pd.DataFrame, pharmacie_id: str | None = None) -> pd.DataFrame:
    """The validated payments: pharmacie_id, exercice (int), theme (code), indicateur ("" = the whole theme),
    montant_cents (int), date_versement (text, may be empty), libelle_releve, ligne (line in the file).
    Raises InputError listing every problem. pharmacie_id: read only this pharmacy's rows (a report given the
    whole statement, `pharmacies` holding only that pharmacy); the other rows are skipped."""
    path = input_file(path)
    rows = [r for r in _rows(path)]
    # header: the first non-empty row
    start = next((i for i, r in enumerate(rows) if any(c for c in r)), None)
    if start is None:
        raise InputError(str(path), ["le fichier est vide ; attendu : une ligne d'en-tête puis une ligne par versement"])
    header = [fold(c).replace(" ", "_") for c in rows[start]]
    head_line = start + 1
    problems: list[str] = []
    for j, name in enumerate(header):
        if name and name not in COLUMNS:
            problems.append(f"ligne {head_line} (en-tête), colonne « {rows[start][j]} » : colonne inconnue ; "
                            f"attendu : une des colonnes {', '.join(COLUMNS)}")
    for name in REQUIRED:
        if name not in header:
            problems.append(f"ligne {head_line} (en-tête) : colonne obligatoire « {name} » absente ; "
                            f"attendu : une colonne « {name} »")
    if problems:
        raise InputError(str(path), problems)
    pos = {name: header.index(name) for name in COLUMNS if name in header}
    themes = theme_names()
    by_theme = {t.code: {i.code for i in INDICATORS if i.theme == t.code} for t in THEMES}
    known = set(zip(pharmacies["pharmacie_id"].astype(str), pharmacies["exercice"].astype(int)))
    records = []
    for i, row in enumerate(rows[start + 1:], start=head_line + 1):
        if not any(c for c in row):
            continue
        get = {name: (row[j] if j < len(row) else "") for name, j in pos.items()}
        pid = get.get("pharmacie_id", "")
        if pharmacie_id is not None and pid != pharmacie_id:
            continue
        who = f", pharmacie « {pid} »" if pid else ""

        def bad(column: str, value: str, expected: str) -> None:
            shown = f"« {value} »" if value != "" else "(vide)"
            problems.append(f"ligne {i}{who}, colonne {column} : valeur {shown} ; attendu : {expected}")

        if not pid:
            bad("pharmacie_id", pid, "l'identifiant d'une pharmacie du fichier des pharmacies")
        year_text = get.get("exercice", "")
        year = int(year_text) if re.fullmatch(r"\d{4}", year_text) else None
        if year is None:
            bad("exercice", year_text, "une année sur quatre chiffres (l'exercice payé, pas l'année du versement)")
        elif pid and (pid, year) not in known:
            bad("pharmacie_id", pid, f"une pharmacie présente dans le fichier des pharmacies pour l'exercice {year}")
        theme_text = get.get("theme", "")
        theme = themes.get(fold(theme_text))
        if theme is None:
            bad("theme", theme_text, "un thème : " + ", ".join(t.code for t in THEMES) + " (ou son titre en français)")
        ind = get.get("indicateur", "")
        if ind and theme is not None and ind not in by_theme[theme]:
            bad("indicateur", ind, f"vide (tout le thème) ou un indicateur du thème {theme} : "
                                   + ", ".join(sorted(by_theme[theme])))
        amount_text = get.get("montant_verse_eur", "")
        cents = None
        if _AMOUNT_RE.fullmatch(amount_text):
            try:
                cents = int(Decimal(re.sub(r"[ \u00a0\u202f]", "", amount_text).replace(",", ".")) * 100)
            except InvalidOperation:  # pragma: no cover - the pattern is a number
                cents = None
        if cents is None:
            bad("montant_verse_eur", amount_text, "un montant en euros, au plus deux décimales (820 ; 820,00 ; 820.00)")
        date_text = get.get("date_versement", "")
        if date_text:
            ok = bool(_DATE_RE.fullmatch(date_text))
            if ok:
                try:
                    dt.date.fromisoformat(date_text)
                except ValueError:
                    ok = False
            if not ok:
                bad("date_versement", date_text, "vide ou une date AAAA-MM-JJ")
        records.append({"pharmacie_id": pid, "exercice": year, "theme": theme, "indicateur": ind,
                        "montant_cents": cents, "date_versement": date_text,
                        "libelle_releve": get.get("libelle_releve", ""), "ligne": i})
    problems += _theme_and_detail(records)
    if problems:
        raise InputError(str(path), problems)
    out = pd.DataFrame.from_records(records, columns=["pharmacie_id", "exercice", "theme", "indicateur",
                                                      "montant_cents", "date_versement", "libelle_releve", "ligne"])
    return out.astype({"exercice": "int64", "montant_cents": "int64"}) if len(out) else out
