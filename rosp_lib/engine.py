"""From validated tables and parameters to result lines and totals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from rosp_lib.lines import money
from rosp_lib.inputs import empty_molecules, read_inputs
from rosp_lib.lines.assemble import LINE_COLUMNS, assemble, lines_frame
from rosp_lib.lines.text import pick
from rosp_lib.rules.base import Context
from rosp_lib.parameters import ExerciseParameters, ParameterError, Scenario, check_scenario_argument, load_parameters
from rosp_lib.registry import THEME_CODES as THEMES
from rosp_lib.rules import MODULES

TOTAL_COLUMNS = ["pharmacie_id", "exercice", *THEMES, "total"]
TOTAL_AMOUNTS = TOTAL_COLUMNS[2:]  # written as texts « -12.50 » in totaux.csv (csvfile.write_csv numbers)


def parameters_for(exercises, scenario: Scenario | str | Path | None = None) -> dict[int, ExerciseParameters]:
    check_scenario_argument(scenario)
    if scenario is not None and not isinstance(scenario, Scenario):
        scenario = Scenario.read(scenario)
    return {int(y): load_parameters(int(y), scenario) for y in sorted(set(exercises))}


def compute(
    pharmacies: pd.DataFrame,
    molecules: pd.DataFrame | None = None,
    parameters: dict[int, ExerciseParameters] | None = None,
    scenario: Scenario | str | Path | None = None,
) -> pd.DataFrame:
    """Result lines for every pharmacy × exercise of the table: one vectorised pass per exercise."""
    if parameters is None:
        parameters = parameters_for(pharmacies["exercice"].unique(), scenario)
    else:
        missing = sorted({int(y) for y in pharmacies["exercice"].unique()} - {int(y) for y in parameters})
        if missing:  # a KeyError: 2022 (review)
            which = "les exercices" if len(missing) > 1 else "l'exercice"
            raise ParameterError(f"paramètres absents pour {which} "
                                 f"{', '.join(map(str, missing))} du tableau ; attendu : ceux de chaque exercice du "
                                 "tableau, p. ex. parameters_for(pharmacies[\"exercice\"].unique())")
    if molecules is None:
        molecules = empty_molecules()
    parts = []
    order = pd.Series(np.arange(len(pharmacies)), index=pharmacies.index)
    # Without the tables' `attrs` (source, warnings): pandas copies them deeply into every column and
    # slice taken from a frame, thousands of times per exercise (measured: ≈ 15 % of a small part's time).
    pharmacies = pharmacies.copy(deep=False)
    pharmacies.attrs = {}
    molecules = molecules.copy(deep=False)
    molecules.attrs = {}
    years = pharmacies["exercice"].to_numpy()
    if len(years) and (years == years[0]).all():
        # One exercise (a report's pharmacy, a gains search): no groupby, whose fixed cost is ≈ 0.8 ms
        # on one row (measured).
        groups = [(years[0], pharmacies)]
    else:
        groups = pharmacies.groupby("exercice", sort=True)
    for year, group in groups:
        ctx = Context(group.reset_index(drop=True), parameters[int(year)])
        blocks = []
        for theme, module in MODULES.items():
            if theme == "bups":
                blocks.append((theme, module.compute(ctx, molecules)))
            else:
                blocks.append((theme, module.compute(ctx)))
        part = assemble(ctx, blocks, order.loc[group.index].to_numpy())
        if part is not None:
            parts.append(part)
    return lines_frame(parts)


# Input rows computed together by `compute_parts`: the lines of a national file (600 000 for 20 000
# pharmacies, 30 per row) are computed, written and released a part at a time, so that the memory of a
# command does not grow with the file (measured: 200 000 pharmacies in one piece, 3,8 Go). Each part
# costs a fixed time (≈ 0,5 s: the rules run once per exercise and part), hence parts of 10 000 rows
# at least, and up to 25 000 rows for a large file (at most 8 parts until then).
PART_ROWS = (10_000, 25_000)


def part_size(n: int, rows: tuple[int, int] = PART_ROWS) -> int:
    """Rows per part for a table of n rows: parts of equal size, between rows[0] and rows[1] when n allows."""
    low, high = rows
    size = min(high, max(low, -(-n // 8)))
    parts = max(1, -(-n // size))
    return max(1, -(-n // parts))


def molecule_owners(pharmacies: pd.DataFrame, molecules: pd.DataFrame) -> np.ndarray:
    """For each molecule line, the position of its pharmacy × exercise row in `pharmacies` (-1: none)."""
    keys = pd.MultiIndex.from_arrays([pharmacies["pharmacie_id"].to_numpy(dtype=object),
                                      pharmacies["exercice"].to_numpy()])
    return keys.get_indexer(pd.MultiIndex.from_arrays([molecules["pharmacie_id"].to_numpy(dtype=object),
                                                       molecules["exercice"].to_numpy()]))


def part_bounds(n: int, rows: int) -> list[tuple[int, int]]:
    """(start, stop) of consecutive parts of `rows` input rows (one empty part for an empty table)."""
    return [(start, min(start + rows, n)) for start in range(0, max(n, 1), rows)]


def compute_part(pharmacies: pd.DataFrame, molecules: pd.DataFrame, owner: np.ndarray,
                 parameters: dict[int, ExerciseParameters], start: int, stop: int):
    """(rows start:stop of `pharmacies`, their lines); `owner`: `molecule_owners(pharmacies, molecules)`."""
    part = pharmacies.iloc[start:stop]
    mine = molecules[(owner >= start) & (owner < stop)]
    return part, compute(part, mine, parameters)


def compute_parts(
    pharmacies: pd.DataFrame,
    molecules: pd.DataFrame | None,
    parameters: dict[int, ExerciseParameters],
    rows: int | None = None,
):
    """`compute` on consecutive parts of the input rows: yields (part of `pharmacies`, its lines).

    Put end to end, the parts' lines are `compute(pharmacies, …)`'s lines, in the same order (the
    lines of a pharmacy × exercise depend on its own row and molecule lines only)."""
    if molecules is None:
        molecules = empty_molecules()
    owner = molecule_owners(pharmacies, molecules)
    for start, stop in part_bounds(len(pharmacies), rows or part_size(len(pharmacies))):
        yield compute_part(pharmacies, molecules, owner, parameters, start, stop)


def totals(lines: pd.DataFrame, pharmacies: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per pharmacy × exercise: each theme's sum of lines, and the total, in cents."""
    keys = ["pharmacie_id", "exercice"]
    wide = lines.pivot_table(index=keys, columns="theme", values="montant_cents", aggfunc="sum", fill_value=0, sort=False)
    wide = wide.reindex(columns=list(THEMES), fill_value=0).astype(np.int64)
    if pharmacies is not None:
        index = pd.MultiIndex.from_frame(pharmacies[keys])
        wide = wide.reindex(index, fill_value=0)
    wide["total"] = wide[list(THEMES)].sum(axis=1)
    return wide.reset_index()


def lines_for_output(lines: pd.DataFrame) -> pd.DataFrame:
    """The contract's `lignes.csv` columns, with `montant_eur` as text (decimal point, two decimals)."""
    out = lines.assign(
        montant_eur=money.cents_to_str(lines["montant_cents"].to_numpy()),
        donnee_manquante=pick(lines["donnee_manquante"].to_numpy(dtype=bool), "oui", "non"),
    )
    return out[LINE_COLUMNS]


def totals_for_output(tot: pd.DataFrame) -> pd.DataFrame:
    out = tot.copy()
    for c in TOTAL_AMOUNTS:
        out[c] = money.cents_to_str(out[c].to_numpy())
    return out[TOTAL_COLUMNS]


def compute_file(pharmacies_path, molecules_path=None, scenario=None):
    """Read, validate and compute a file: (pharmacies, lines, totals). Raises InputError / ParameterError."""
    pharmacies, molecules = read_inputs(pharmacies_path, molecules_path)
    params = parameters_for(pharmacies["exercice"].unique(), scenario)
    lines = compute(pharmacies, molecules, params)
    return pharmacies, lines, totals(lines, pharmacies)
