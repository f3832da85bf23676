"""The two tables: `read_pharmacies`, `read_molecules`, `read_inputs`, and the typed frame they give."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from rosp_lib.parameters import available_exercises

from .columns import AT_MOST, KEY_SEP, MOLECULE_COLUMNS, PHARMACIE_ID_RE, PHARMACY_COLUMNS, Col
from .errors import InputError, InputErrors, Problem
from .molecules import check_molecule_rows, molecule_warnings, no_molecules_warning, normalise_molecule
from .parsing import Parsed, parse
from .raw import read_raw
from .validate import Checked, check_columns, check_duplicates, raise_if_problems
from rosp_lib.lines.formatting import num_exact

from .errors import shown
from .warnings import (FRACTIONS_HINT, activity_week_warnings, empty_declaration_warnings, empty_declarations,
                       fraction_row, rate_warnings, recent_installation_warnings)

EXACT_SUFFIX = "_exact"
# A column of the typed table, present only when a row's values may have been cut by a decimal comma (`RawTable.split`):
# its `raw.Split` for such a row, None for the others; it goes with the row, so that the reports of its pharmacy say it
SPLIT_COLUMN = "_virgule_decimale"


def _typed(raw: pd.DataFrame, columns: list[Col], parsed: dict[str, Parsed] | None = None) -> pd.DataFrame:
    """The typed table of valid text cells: counts and rates float (NaN = unknown), rates also as
    exact Decimal in `<name>_exact` (None = unknown), declarations bool, dates datetime64, text object."""
    n = len(raw)
    out: dict[str, object] = {}
    exact: dict[str, object] = {}
    for c in columns:
        p = None
        if c.name in raw:
            p = parsed[c.name] if parsed and c.name in parsed else parse(c, raw[c.name].to_numpy(dtype=object))
        if c.kind in ("id", "text"):
            # object, not pandas 3's inferred string dtype: the rules and reports handle plain str
            out[c.name] = pd.Series(p.values if p is not None else np.full(n, "", dtype=object), dtype=object)
        elif c.kind == "exercice":
            out[c.name] = p.values.astype("int64")
        elif c.kind == "bool":
            out[c.name] = p.values if p is not None else np.zeros(n, bool)
        elif c.kind in ("int", "rate"):
            out[c.name] = p.values if p is not None else np.full(n, np.nan)
            if c.kind == "rate":
                exact[c.name + EXACT_SUFFIX] = pd.Series(p.exact if p is not None else np.full(n, None, dtype=object),
                                                         dtype=object)
        elif c.kind == "date":
            out[c.name] = p.values if p is not None else np.full(n, np.datetime64("NaT", "ns"))
    frame = pd.DataFrame({**out, **exact}, index=pd.RangeIndex(n))
    for name in exact:
        frame[name] = frame[name].astype(object)
    return frame


# --------------------------------------------------------------------------------------------
# checks across columns of the pharmacies table
# --------------------------------------------------------------------------------------------
def _values(checked: Checked, name: str) -> np.ndarray | None:
    p = checked.parsed.get(name)
    if p is None:
        return None
    return np.where(p.bad, np.nan, p.values) if p.values.dtype.kind == "f" else p.values


def _one_spelling_per_id(checked: Checked) -> None:
    """An identifier written with other capitals on another line (« PH-CASE » 2024, « ph-case » 2025) names the same
    file of the reports on Windows and macOS (pharmacies/<id>.html): one would overwrite the other. Refused on the
    lines that differ from the first spelling."""
    ids = checked.raw["pharmacie_id"].astype(str)
    first = ids.groupby(ids.str.lower().to_numpy(), sort=False).transform("first")
    # within one exercise, the other spellings are duplicates already (check_duplicates): not said twice
    same_year = pd.Series(ids.str.lower().to_numpy() + KEY_SEP + checked.raw["exercice"].astype(str).to_numpy())
    rows = np.flatnonzero((ids != first).to_numpy() & (ids != "").to_numpy() & ~same_year.duplicated(keep=False).to_numpy())
    if len(rows):
        first_line: dict[str, int] = {}
        for spelling, line in zip(ids.tolist(), np.asarray(checked.lines).tolist()):
            first_line.setdefault(spelling, line)  # the line where each spelling is first written
        firsts = first.to_numpy(dtype=object)
        checked.report("pharmacie_id", rows, "le même identifiant écrit de la même façon",
                       "identifiants écrits avec d'autres majuscules qu'ailleurs",
                       lambda i: f"« {firsts[i]} », comme à la ligne {first_line[firsts[i]]} : majuscules et minuscules "
                                 "confondues, c'est la même pharmacie (l'identifiant devient un nom de fichier)")


# A totals row of a spreadsheet (« Total », « TOTAL GÉNÉRAL », « Sous-total ») under the pharmacies: read as a pharmacy
# named Total, it added a row of amounts to totaux.csv (review)
_ID = re.compile(PHARMACIE_ID_RE)
_TOTALS_ROW = re.compile(r"(?:sous[- _]?)?tota(?:l|ux)(?:[ _-]+g[ée]n[ée]ral)?", re.IGNORECASE)


def _pharmacy_rows(checked: Checked) -> None:
    raw = checked.raw
    if "pharmacie_id" in raw:
        ids = raw["pharmacie_id"].to_numpy(dtype=object)
        # (an identifier refused for its characters — « TOTAL GÉNÉRAL » — is said once, by its column's check)
        totals_rows = np.flatnonzero([bool(_TOTALS_ROW.fullmatch(str(v)) and _ID.fullmatch(str(v))) for v in ids])
        checked.report("pharmacie_id", totals_rows, "un identifiant de pharmacie", "lignes de totaux d'un tableur",
                       lambda i: "un identifiant de pharmacie — une ligne de totaux du tableur ? Supprimez-la : "
                                 "rosp compute calcule les totaux (totaux.csv)")
    if "pharmacie_id" in raw and "exercice" in raw:
        key = raw["pharmacie_id"].str.lower().to_numpy(dtype=object) + KEY_SEP + raw["exercice"].to_numpy(dtype=object)
        check_duplicates(checked, ["pharmacie_id", "exercice"], key,
                         "une seule ligne par pharmacie_id et exercice (majuscules et minuscules confondues : "
                         "l'identifiant devient un nom de dossier)")
        _one_spelling_per_id(checked)
    for name, bound, why in AT_MOST:
        value, top = _values(checked, name), _values(checked, bound)
        if value is None or top is None:
            continue
        with np.errstate(invalid="ignore"):
            rows = np.flatnonzero(value > top)
        cells = raw[bound].to_numpy()
        checked.report(name, rows, f"au plus {bound}", f"lignes où {name} dépasse {bound}",
                       lambda i, cells=cells, bound=bound, why=why: f"au plus {bound} (« {cells[i]} ») : {why}")
    debut, fin = _values(checked, "debut_activite"), _values(checked, "fin_activite")
    if debut is not None and fin is not None:
        cells = raw["debut_activite"].to_numpy()
        rows = np.flatnonzero(~np.isnat(debut) & ~np.isnat(fin) & (fin < debut))
        checked.report("fin_activite", rows, "après debut_activite", "lignes où fin_activite précède debut_activite",
                       lambda i: f"une date égale ou postérieure à debut_activite (« {cells[i]} »)")
    year = _values(checked, "exercice")
    if year is not None:
        years = raw["exercice"].to_numpy()
        for name in ("debut_activite", "fin_activite"):
            d = _values(checked, name)
            if d is None:
                continue
            dyear = pd.DatetimeIndex(d).year.to_numpy(dtype=float)
            rows = np.flatnonzero(~np.isnat(d) & ~np.isnan(year) & (dyear != year))
            checked.report(name, rows, "dans l'exercice", f"dates hors de l'exercice dans la colonne {name}",
                           lambda i: f"une date de l'exercice {years[i]} (du {years[i]}-01-01 au {years[i]}-12-31)")


def _mark_split(frame: pd.DataFrame, table, lines) -> None:
    """`SPLIT_COLUMN` for the rows a decimal comma may have cut (`RawTable.split`, by line of the file)."""
    if table.split:
        frame[SPLIT_COLUMN] = pd.Series([table.split.get(int(line)) for line in lines], dtype=object)


def read_pharmacies(path: str | Path) -> pd.DataFrame:
    """The pharmacies table, validated and typed: counts and rates as float (NaN = unknown), rates
    also exact (`<taux>_exact`, Decimal), declarations as bool (empty = non), dates as datetime
    (NaT = default), text as object. `attrs["avertissements"]`: what was read but looks wrong."""
    table = read_raw(path, "pharmacies")
    if table.frame.empty and not table.problems:
        table.problems.add(Problem(table.header_line + 1, 0, "aucune pharmacie dans le fichier ; "
                                   "attendu : une ligne par pharmacie et exercice sous l'en-tête"))
    checked = check_columns(table, PHARMACY_COLUMNS, available_exercises())
    _pharmacy_rows(checked)
    raise_if_problems(checked, str(path))
    frame = _typed(checked.raw, PHARMACY_COLUMNS, checked.parsed)
    _mark_split(frame, table, checked.lines)
    frame.attrs["source"] = str(path)
    frame.attrs["avertissements"] = [f"{path} : {w}" for w in table.warnings + rate_warnings(checked, PHARMACY_COLUMNS)
                                     + activity_week_warnings(frame, list(checked.lines))
                                     + recent_installation_warnings(frame, list(checked.lines))]
    frame.attrs["declarations_vides"] = empty_declarations(checked, frame)  # said by read_inputs, which knows the
    # parameters of the run (a scenario may change a socle's state)
    return frame


def read_molecules(path: str | Path, pharmacies: pd.DataFrame | None, scenario=None) -> pd.DataFrame:
    """The targeted-molecule lines, validated against the pharmacies table (without it, when the
    pharmacies file is itself invalid, every check but « the pharmacy exists »)."""
    table = read_raw(path, "molecules")
    checked = check_columns(table, MOLECULE_COLUMNS, available_exercises())
    check_molecule_rows(checked, pharmacies)
    raise_if_problems(checked, str(path))
    frame = _typed(checked.raw, MOLECULE_COLUMNS, checked.parsed)
    _mark_split(frame, table, checked.lines)
    codes, names = pd.factorize(frame["molecule"].to_numpy(dtype=object), use_na_sentinel=False)
    norm = np.array([normalise_molecule(v) for v in names], dtype=object)  # each distinct name once
    frame["molecule_norm"] = pd.Series(norm[codes], dtype=object)
    frame.attrs["source"] = str(path)
    frame.attrs["avertissements"] = [f"{path} : {w}" for w in table.warnings + rate_warnings(checked, MOLECULE_COLUMNS)
                                     + molecule_warnings(frame, checked, scenario)]
    return frame


def read_inputs(pharmacies_path: str | Path, molecules_path: str | Path | None = None, scenario=None
                ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The pharmacies and (if given) molecules tables; the problems of both files at once when
    either is invalid (InputError, or InputErrors for both). `scenario` (a path or a Scenario): the molecules
    are checked against its lists, those the run will pay."""
    errors: list[InputError] = []
    pharmacies = molecules = None
    try:
        pharmacies = read_pharmacies(pharmacies_path)
    except InputError as exc:
        errors.append(exc)
    if molecules_path:
        try:
            molecules = read_molecules(molecules_path, pharmacies, scenario)
        except InputError as exc:
            errors.append(exc)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)
    if molecules is not None:  # every warning of the run in one place, for the console and the reports
        pharmacies.attrs["avertissements"] = warnings_of(pharmacies, molecules)
        if molecules.empty:  # a header alone: as no table at all
            pharmacies.attrs["avertissements"] += no_molecules_warning(pharmacies["exercice"], scenario,
                                                                       empty_file=str(molecules_path))
    if pharmacies.attrs.get("declarations_vides"):  # said for the whole file, then dropped: pandas copies the attrs
        pharmacies.attrs["avertissements"] += [f"{pharmacies_path} : {w}" for w in
                                               empty_declaration_warnings(pharmacies, _parameters(pharmacies, scenario))]
    pharmacies.attrs.pop("declarations_vides", None)
    return pharmacies, molecules


def _parameters(rows: pd.DataFrame, scenario) -> dict:
    """The parameters of the rows' exercises, to judge a warning; none when the scenario is refused (the command
    says why when it loads them)."""
    from rosp_lib.engine import parameters_for  # here: the engine imports this module
    from rosp_lib.parameters import ParameterError

    try:
        return parameters_for(rows["exercice"].astype(int).unique(), scenario)
    except ParameterError:
        return {}


def empty_molecules() -> pd.DataFrame:
    frame = pd.DataFrame({c.name: pd.Series(dtype=object) for c in MOLECULE_COLUMNS})
    for c in MOLECULE_COLUMNS:
        if c.kind == "rate":
            frame[c.name + EXACT_SUFFIX] = pd.Series(dtype=object)
    frame["molecule_norm"] = pd.Series(dtype=object)
    return frame


def set_rate(frame: pd.DataFrame, row, column: str, value) -> None:
    """Change a rate of a typed table (what-if): its float and its exact value together."""
    exact = None if value is None or (isinstance(value, float) and np.isnan(value)) else Decimal(str(value))
    frame.at[row, column] = np.nan if exact is None else float(exact)
    frame.at[row, column + EXACT_SUFFIX] = exact


def warnings_of(*frames: pd.DataFrame | None) -> list[str]:
    """The warnings of the tables read (`attrs["avertissements"]`), for the console and the reports
    (each once: after `read_inputs`, the pharmacies table holds those of both files)."""
    out: list[str] = []
    for f in frames:
        if f is not None:
            out += [w for w in f.attrs.get("avertissements", []) if w not in out]
    return out


def pharmacy_warnings(rows: pd.DataFrame, molecules: pd.DataFrame | None = None, scenario=None) -> list[str]:
    """The warnings of `warnings_of`, for one pharmacy's report: judged on its own rows — `rows` its exercises (a rate
    column filled with fractions), `molecules` those of the report's exercise —, each named by its exercise: a report
    does not see the lines of the user's file (`rosp report` gives each report its own slice of it), and is about
    this pharmacy alone."""
    out: list[str] = []
    for table, columns in ((rows, PHARMACY_COLUMNS), (molecules, MOLECULE_COLUMNS)):
        if table is None or table.empty:
            continue
        for c in columns:
            if c.kind != "rate" or c.small or c.name not in table.columns:
                continue
            i = fraction_row(table[c.name].to_numpy(dtype=float))
            if i is not None:
                example = num_exact(table[c.name + EXACT_SUFFIX].iat[i])
                out.append(f"colonne {c.name} : toutes les valeurs de la pharmacie sont inférieures ou égales à 1 "
                           f"(exercice {int(table['exercice'].iat[i])} : {shown(example)}) — {FRACTIONS_HINT}")
    for table in (rows, molecules):  # a value cut in two by a decimal comma, read as written (`_mark_split`)
        if table is not None and SPLIT_COLUMN in table.columns:
            for i in np.flatnonzero(table[SPLIT_COLUMN].notna().to_numpy()):
                what = f", molécule {shown(table['molecule'].iat[i])}" if table is molecules else ""
                out.append(f"exercice {int(table['exercice'].iat[i])}{what}, {table[SPLIT_COLUMN].iat[i]}")
    out += activity_week_warnings(rows.reset_index(drop=True))
    out += recent_installation_warnings(rows.reset_index(drop=True))
    if molecules is not None and not molecules.empty:
        out += molecule_warnings(molecules.reset_index(drop=True), None, scenario, located=False)
    return out
