"""Reading the user's tables: the public columns, their schema (pandera) and French errors.

The columns below are the public interface of the project (spec/input-contract.md). The pandera
schemas, the typed conversion and the documentation (`rosp colonnes`, docs/colonnes.md) are all
generated from this one list.

Reading is in three steps: the file is read as text (CSV `,` or `;`, decimal comma or point, BOM
or not; XLSX); the text is validated against the schema, lazily, so that every problem of the file
is reported at once; only a valid file is converted to typed columns.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from .parameters import available_exercises

PHARMACIE_ID_RE = r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"
TRUE_WORDS = {"oui", "vrai", "true", "1", "x"}
FALSE_WORDS = {"non", "faux", "false", "0", ""}
_NUMBER_RE = r"[+-]?(\d+([.,]\d*)?|[.,]\d+)"
_INT_RE = r"\d+"


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
    "id": "texte [A-Za-z0-9_-], 1 à 64 caractères",
    "text": "texte",
    "exercice": "entier (année)",
    "bool": "oui/non, vrai/faux, true/false, 1/0, x/vide",
    "int": "entier ≥ 0",
    "rate": "pourcentage 0 à 100 (95, 95,5 ou 95.5)",
    "date": "date AAAA-MM-JJ",
}


class InputError(Exception):
    """An invalid input file: every problem, in French, one per line."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(self.message())

    def message(self) -> str:
        n = len(self.problems)
        head = f"{self.path} : {n} problème{'s' if n > 1 else ''} — rien n'a été calculé ni écrit."
        return head + "\n" + "\n".join(f"  - {p}" for p in self.problems)


# --------------------------------------------------------------------------------------------
# Reading the raw text
# --------------------------------------------------------------------------------------------
def _cell_to_text(value) -> str:
    """XLSX cells come typed; bring them back to the text a CSV would hold."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def read_raw(path: str | Path, sheet: str) -> pd.DataFrame:
    """The table as text cells, header names stripped and lower-cased; empty cell = ''."""
    path = Path(path)
    if not path.exists():
        raise InputError(str(path), ["fichier introuvable"])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            sheets = pd.read_excel(path, sheet_name=None, dtype=object, engine="openpyxl")
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook
            raise InputError(str(path), [f"classeur XLSX illisible : {exc}"]) from None
        frame = sheets.get(sheet, next(iter(sheets.values())))
        frame = frame.map(_cell_to_text) if len(frame) else frame.astype(str)
        frame.columns = [str(c) for c in frame.columns]
    elif suffix in (".csv", ".txt", ""):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(str(path), ["le fichier n'est pas en UTF-8 (enregistrez-le en « CSV UTF-8 »)"]) from None
        header = text.split("\n", 1)[0]
        sep = ";" if header.count(";") > header.count(",") else ","
        try:
            frame = pd.read_csv(
                io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skipinitialspace=True,
                quoting=csv.QUOTE_MINIMAL,
            )
        except pd.errors.ParserError as exc:
            raise InputError(str(path), [f"CSV illisible : {exc}"]) from None
    else:
        raise InputError(str(path), [f"format « {suffix} » non pris en charge (attendu : .csv ou .xlsx)"])
    frame.columns = [c.strip().lower() for c in frame.columns]
    frame = frame.astype(object).map(lambda v: v.strip() if isinstance(v, str) else _cell_to_text(v))
    frame.index = pd.RangeIndex(len(frame))
    return frame


# --------------------------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------------------------
def _number(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.str.replace(",", ".", regex=False).where(s != ""), errors="coerce")


def _is_number(s: pd.Series) -> pd.Series:
    return s.str.fullmatch(_NUMBER_RE)


def _check_for(col: Col, exercises: list[int]) -> list[pa.Check]:
    k = col.kind
    if k == "id":
        return [pa.Check(lambda s: s.str.fullmatch(PHARMACIE_ID_RE), error=KIND_LABELS["id"])]
    if k == "exercice":
        label = f"exercice pour lequel des paramètres existent ({', '.join(map(str, exercises))})"
        return [pa.Check(lambda s: s.isin([str(y) for y in exercises]), error=label)]
    if k == "bool":
        words = TRUE_WORDS | FALSE_WORDS
        return [pa.Check(lambda s: s.str.lower().isin(words), error=KIND_LABELS["bool"])]
    if k == "int":
        if col.maximum is not None:
            label = f"entier de 0 à {col.maximum}"
            return [pa.Check(lambda s: (s == "") | (s.str.fullmatch(_INT_RE) & (_number(s) <= col.maximum)), error=label)]
        return [pa.Check(lambda s: (s == "") | s.str.fullmatch(_INT_RE), error=KIND_LABELS["int"])]
    if k == "rate":
        return [pa.Check(lambda s: (s == "") | (_is_number(s) & _number(s).between(0, 100)), error=KIND_LABELS["rate"])]
    if k == "date":
        return [pa.Check(lambda s: (s == "") | pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").notna(), error=KIND_LABELS["date"])]
    return []


def _as_int(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame:
        return pd.Series(np.nan, index=frame.index)
    return pd.to_numeric(frame[name].where(frame[name].str.fullmatch(_INT_RE)), errors="coerce")


def _as_date(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame:
        return pd.Series(pd.NaT, index=frame.index)
    return pd.to_datetime(frame[name], format="%Y-%m-%d", errors="coerce")


# Checks across columns: (message, columns it names, function returning True where the row is valid).
def _kits_ok(f: pd.DataFrame) -> pd.Series:
    remis, realises = _as_int(f, "nb_kits_remis"), _as_int(f, "nb_kits_realises")
    return ~(realises > remis)


def _dates_ordered(f: pd.DataFrame) -> pd.Series:
    debut, fin = _as_date(f, "debut_activite"), _as_date(f, "fin_activite")
    return ~(fin < debut)


def _dates_in_exercise(f: pd.DataFrame) -> pd.Series:
    year = _as_int(f, "exercice")
    ok = pd.Series(True, index=f.index)
    for name in ("debut_activite", "fin_activite"):
        d = _as_date(f, name)
        ok &= ~(d.notna() & year.notna() & (d.dt.year != year))
    return ok


PHARMACY_ROW_CHECKS = [
    ("nb_kits_realises ne peut pas dépasser nb_kits_remis", ["nb_kits_realises", "nb_kits_remis"], _kits_ok),
    ("fin_activite est antérieure à debut_activite", ["debut_activite", "fin_activite"], _dates_ordered),
    ("date hors de l'exercice (attendu : une date de l'année de l'exercice)", ["debut_activite", "fin_activite"], _dates_in_exercise),
]


def build_schema(columns: list[Col], row_checks, unique: list[str]) -> pa.DataFrameSchema:
    exercises = available_exercises()
    return pa.DataFrameSchema(
        columns={
            c.name: pa.Column(None, checks=_check_for(c, exercises), required=c.required, nullable=False)
            for c in columns
        },
        checks=[pa.Check(fn, error=msg) for msg, _, fn in row_checks],
        strict=True,
        unique=unique,
        report_duplicates="all",
    )


# --------------------------------------------------------------------------------------------
# Validation errors in French
# --------------------------------------------------------------------------------------------
def _describe_failures(
    raw: pd.DataFrame, columns: list[Col], row_checks, failures: pd.DataFrame, unique: list[str]
) -> list[str]:
    known = [c.name for c in columns]
    by_check = {msg: cols for msg, cols, _ in row_checks}
    problems: list[tuple[int, str]] = []
    seen: set = set()

    def where(idx) -> tuple[int, str]:
        i = int(idx)
        pid = raw.at[i, "pharmacie_id"] if "pharmacie_id" in raw else ""
        return i + 2, (f", pharmacie « {pid} »" if pid else "")

    for row in failures.itertuples(index=False):
        check, column, value, idx = row.check, row.column, row.failure_case, row.index
        if check == "column_in_schema":
            guess = difflib.get_close_matches(str(value), known, n=1, cutoff=0.6)
            hint = f" — vouliez-vous dire « {guess[0]} » ?" if guess else " (voir `rosp colonnes`)"
            problems.append((0, f"colonne inconnue « {value} »{hint}"))
        elif check == "column_in_dataframe":
            problems.append((0, f"colonne obligatoire absente « {value} »"))
        elif check == "multiple_fields_uniqueness":
            key = ("dup", idx)
            if key in seen:
                continue
            seen.add(key)
            line, pid = where(idx)
            vals = ", ".join(f"{c} = {raw.at[int(idx), c]}" for c in unique)
            problems.append((line, f"ligne {line}{pid} : doublon ({vals}) ; attendu : une seule ligne par {' et '.join(unique)}"))
        elif check in by_check:
            key = (check, idx)
            if key in seen or idx is None:
                continue
            seen.add(key)
            line, pid = where(idx)
            vals = ", ".join(f"{c} = « {raw.at[int(idx), c]} »" for c in by_check[check] if c in raw)
            problems.append((line, f"ligne {line}{pid} : {check} ({vals})"))
        else:
            if idx is None:
                problems.append((0, f"colonne {column} : {check}"))
                continue
            line, pid = where(idx)
            shown = value if value != "" else "(vide)"
            problems.append((line, f"ligne {line}{pid}, colonne {column} : valeur « {shown} » ; attendu : {check}"))
    problems.sort(key=lambda p: p[0])
    return [p for _, p in problems]


def validate_raw(raw: pd.DataFrame, columns: list[Col], row_checks, unique: list[str], path: str) -> None:
    schema = build_schema(columns, row_checks, unique)
    try:
        schema.validate(raw, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise InputError(path, _describe_failures(raw, columns, row_checks, exc.failure_cases, unique)) from None


# --------------------------------------------------------------------------------------------
# Typed tables
# --------------------------------------------------------------------------------------------
def _typed(raw: pd.DataFrame, columns: list[Col]) -> pd.DataFrame:
    out = {}
    for c in columns:
        s = raw[c.name] if c.name in raw else None
        if c.kind in ("id", "text"):
            out[c.name] = s.astype(object) if s is not None else pd.Series("", index=raw.index, dtype=object)
        elif c.kind == "exercice":
            out[c.name] = s.astype("int64")
        elif c.kind == "bool":
            out[c.name] = s.str.lower().isin(TRUE_WORDS).to_numpy() if s is not None else np.zeros(len(raw), bool)
        elif c.kind == "int":
            out[c.name] = _number(s).astype("float64") if s is not None else np.full(len(raw), np.nan)
        elif c.kind == "rate":
            out[c.name] = _number(s).astype("float64") if s is not None else np.full(len(raw), np.nan)
        elif c.kind == "date":
            out[c.name] = _as_date(raw, c.name) if s is not None else pd.Series(pd.NaT, index=raw.index)
    return pd.DataFrame(out, index=raw.index)


def read_pharmacies(path: str | Path) -> pd.DataFrame:
    """The pharmacies table, validated and typed: counts and rates as float (NaN = unknown)."""
    raw = read_raw(path, "pharmacies")
    validate_raw(raw, PHARMACY_COLUMNS, PHARMACY_ROW_CHECKS, ["pharmacie_id", "exercice"], str(path))
    frame = _typed(raw, PHARMACY_COLUMNS)
    frame.attrs["source"] = str(path)
    return frame


def normalise_molecule(name: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", text).strip().lower()


def read_molecules(path: str | Path, pharmacies: pd.DataFrame) -> pd.DataFrame:
    """The targeted-molecule lines, validated against the pharmacies table."""
    raw = read_raw(path, "molecules")
    keys = set(zip(pharmacies["pharmacie_id"], pharmacies["exercice"].astype(str)))

    def _known_pharmacy(f: pd.DataFrame) -> pd.Series:
        if "pharmacie_id" not in f or "exercice" not in f:
            return pd.Series(True, index=f.index)
        return pd.Series([(p, e) in keys for p, e in zip(f["pharmacie_id"], f["exercice"])], index=f.index)

    row_checks = [
        ("pharmacie absente de la table des pharmacies pour cet exercice", ["pharmacie_id", "exercice"], _known_pharmacy),
    ]
    if "molecule" in raw:
        raw = raw.assign(_molecule_norm=raw["molecule"].map(normalise_molecule))
    cols = MOLECULE_COLUMNS + [Col("_molecule_norm", "text", "", "")]
    validate_raw(raw, cols, row_checks, ["pharmacie_id", "exercice", "_molecule_norm"], str(path))
    frame = _typed(raw, MOLECULE_COLUMNS)
    frame["molecule_norm"] = raw["_molecule_norm"]
    for name in ("taux_depart_pct", "taux_arrivee_pct"):
        frame[name + "_exact"] = raw[name].str.replace(",", ".", regex=False).map(lambda v: Decimal(v) if v else None)
    return frame


def empty_molecules() -> pd.DataFrame:
    frame = pd.DataFrame({c.name: pd.Series(dtype=object) for c in MOLECULE_COLUMNS})
    frame["molecule_norm"] = pd.Series(dtype=object)
    return frame


def columns_markdown() -> str:
    """The documentation of the input columns, generated from the schema."""
    out = ["# Colonnes d'entrée", "", "Généré depuis `rosp_lib/inputs.py` (`rosp colonnes`). Ne pas modifier à la main.", ""]
    for title, columns in (("Table `pharmacies`", PHARMACY_COLUMNS), ("Table `molecules` (facultative)", MOLECULE_COLUMNS)):
        out += [f"## {title}", ""]
        group = None
        for c in columns:
            if c.group != group:
                group = c.group
                out += ["", f"### {group}", "", "| colonne | type | obligatoire | signification |", "|---|---|---|---|"]
            out.append(f"| `{c.name}` | {KIND_LABELS[c.kind]} | {'oui' if c.required else 'non'} | {c.description} |")
        out.append("")
    return "\n".join(out) + "\n"
