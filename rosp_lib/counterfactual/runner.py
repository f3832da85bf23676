"""Counterfactual runs: many variants of the input rows computed at once through `engine.compute`.

A variant is one input row (a pharmacy × exercise) with a few cells changed — of its own row, or of one of
its targeted molecules (`molecule_key`) —, or the same rows under other parameters. Each variant is computed as its own pharmacy (a synthetic identifier, with the
row's targeted molecules copied), in one vectorised pass per exercise: the rules run exactly as for
`rosp compute`.
"""

from __future__ import annotations

import re
from decimal import Decimal

import numpy as np
import pandas as pd

from ..engine import compute
from ..inputs import EXACT_SUFFIX

KEYS = ["pharmacie_id", "exercice"]
_MOLECULE_KEY = re.compile(r"^molecules\[(\d+)\]\.(\w+)$")


def molecule_key(position: int, column: str) -> str:
    """The change key of a cell of the molecules table: its row (position in the table given to the Runner)
    and column, e.g. « molecules[3].taux_arrivee_pct »."""
    return f"molecules[{int(position)}].{column}"


def parse_molecule_key(key: str) -> tuple[int, str] | None:
    """(position, column) of a molecule change key; None for a column of the pharmacies table."""
    m = _MOLECULE_KEY.match(key)
    return (int(m.group(1)), m.group(2)) if m else None


def set_cell(frame: pd.DataFrame, where, col: str, values: list) -> None:
    """Set `col` of the rows `where` (positions) to `values`, and its exact twin (`<taux>_exact`) with it."""
    series = frame[col].copy()
    series.iloc[where] = pd.array(values, dtype=series.dtype) if series.dtype != object else values
    frame[col] = series
    exact = col + EXACT_SUFFIX
    if exact in frame.columns:  # a rate is compared by its exact value: change both together
        column = frame[exact].to_numpy(dtype=object).copy()
        column[where] = [None if v is None or v != v else Decimal(str(v)) for v in values]
        frame[exact] = pd.Series(column, dtype=object, index=frame.index)


class Runner:
    """The rows of one input table, and the runs of their variants."""

    def __init__(self, pharmacies: pd.DataFrame, molecules: pd.DataFrame | None, parameters: dict,
                 base_lines: pd.DataFrame | None = None):
        """base_lines: the lines of `pharmacies` as `compute` gave them (same parameters), when the caller has them
        already (a report): not computed again."""
        self.rows = pharmacies.reset_index(drop=True)
        self.molecules = molecules
        self.parameters = parameters
        self._mol_rows: dict[int, np.ndarray] = {}
        if molecules is not None and not molecules.empty:
            pos = {k: i for i, k in enumerate(zip(self.rows["pharmacie_id"], self.rows["exercice"].astype(int)))}
            keys = list(zip(molecules["pharmacie_id"], molecules["exercice"].astype(int)))
            owners = np.array([pos.get(k, -1) for k in keys], dtype=np.int64)
            for i in np.unique(owners[owners >= 0]):
                self._mol_rows[int(i)] = np.flatnonzero(owners == i)
        if base_lines is not None:
            pos = {k: i for i, k in enumerate(zip(self.rows["pharmacie_id"], self.rows["exercice"].astype(int)))}
            variant = [pos[k] for k in zip(base_lines["pharmacie_id"], base_lines["exercice"].astype(int))]
            self.base_lines = base_lines.assign(_variant=np.array(variant, dtype=np.int64))
        else:
            self.base_lines = self.lines([(i, {}) for i in range(len(self.rows))])
        self.base_totals = self.totals_of(self.base_lines, len(self.rows))

    def lines(self, variants: list[tuple[int, dict]], parameters: dict | None = None) -> pd.DataFrame:
        """The lines of each variant (row index, {column: new value}), with the variant's number in `_variant`
        and the original pharmacy in `pharmacie_id`."""
        if not variants:
            return pd.DataFrame()
        idx = np.array([i for i, _ in variants], dtype=np.int64)
        frame = self.rows.iloc[idx].copy().reset_index(drop=True)
        ids = np.array([f"v{j}" for j in range(len(variants))], dtype=object)
        changes: dict[str, tuple[list[int], list]] = {}
        mol_changes: dict[int, list[tuple[int, str, object]]] = {}  # variant → (position, column, value)
        for j, (_, ch) in enumerate(variants):
            for col, value in ch.items():
                mol = parse_molecule_key(col)
                if mol is not None:
                    mol_changes.setdefault(j, []).append((*mol, value))
                    continue
                where, values = changes.setdefault(col, ([], []))
                where.append(j)
                values.append(value)
        for col, (where, values) in changes.items():
            set_cell(frame, where, col, values)
        frame["pharmacie_id"] = ids
        molecules = None
        if self._mol_rows:
            # All variants' molecule rows taken at once (one `take`, not one copy per variant: measured, 20 pharmacies
            # of the bench, 6 of the 12 s of `rosp gains` went to per-variant copies and concatenation).
            sels = [self._mol_rows.get(int(i)) for i in idx]
            sizes = np.array([0 if sel is None else len(sel) for sel in sels], dtype=np.int64)
            if sizes.sum():
                taken = np.concatenate([sel for sel in sels if sel is not None])
                molecules = self.molecules.iloc[taken].reset_index(drop=True)
                owner = np.repeat(np.arange(len(variants)), sizes)
                molecules["pharmacie_id"] = ids[owner]
                start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
                by_column: dict[str, tuple[list[int], list]] = {}
                for j, changed in mol_changes.items():
                    sel = sels[j]
                    if sel is None:
                        continue
                    for position, col, value in changed:
                        for k in np.flatnonzero(sel == position):
                            where, values = by_column.setdefault(col, ([], []))
                            where.append(int(start[j] + k))
                            values.append(value)
                for col, (where, values) in by_column.items():
                    set_cell(molecules, where, col, values)
        out = compute(frame, molecules, self.parameters if parameters is None else parameters)
        variant = out["pharmacie_id"].str.slice(1).astype(np.int64).to_numpy()
        out = out.assign(_variant=variant, pharmacie_id=self.rows["pharmacie_id"].to_numpy()[idx[variant]])
        return out

    @staticmethod
    def totals_of(lines: pd.DataFrame, n: int) -> np.ndarray:
        """Each variant's total, in cents."""
        out = np.zeros(n, dtype=np.int64)
        if len(lines):
            np.add.at(out, lines["_variant"].to_numpy(), lines["montant_cents"].to_numpy(dtype=np.int64))
        return out
