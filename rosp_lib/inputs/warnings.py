"""What a valid file holds but a user probably did not mean: said on the console and in the reports,
never silently (the amounts are computed on the values as written)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import Col
from .errors import MAX_PER_KIND, shown, thousands
from .validate import Checked


FRACTIONS_HINT = ("des fractions au lieu de pourcentages ? Un taux s'écrit de 0 à 100 (92 pour 92 %) ; les montants "
                  "sont calculés sur les valeurs telles qu'écrites")


def fraction_row(values: np.ndarray) -> int | None:
    """The first row holding a value above 0 when every known value of a rate column is ≤ 1 (and not all 0):
    the column was probably written as fractions (0,92 for 92 %). None when it was not."""
    known = ~np.isnan(values)
    if known.any() and (values[known] <= 1).all() and (values[known] > 0).any():
        return int(np.flatnonzero(known & (values > 0))[0])
    return None


def rate_warnings(checked: Checked, columns: list[Col]) -> list[str]:
    """A rate column whose every value is ≤ 1 (and not all 0) was probably written as fractions
    (0,92 for 92 %). Rates that are naturally small (rejects, double payments) are not concerned."""
    out: list[str] = []
    for c in columns:
        p = checked.parsed.get(c.name)
        if c.kind != "rate" or c.small or p is None:
            continue
        i = fraction_row(p.values)
        if i is not None:
            example = checked.raw[c.name].iat[i]
            out.append(f"colonne {c.name} : toutes les valeurs sont inférieures ou égales à 1 (ligne {checked.lines[i]} : "
                       f"{shown(example)}) — {FRACTIONS_HINT}")
    return out


def declared_socle_columns() -> dict[str, object]:
    """The yes/no columns of the declarations a theme requires (registry: a socle with an amelipro declaration)
    → its indicator. Empty, such a cell reads « non » (the contract's « x » or empty) and the socle is lost."""
    from ..registry import INDICATORS

    return {col: ind for ind in INDICATORS if ind.type_ligne == "socle" and ind.declaration for col in ind.colonnes}


def empty_declarations(checked: Checked, frame) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """For each declared socle's column: (lines, pharmacie_id, exercice) of its empty cells — every row when the file
    has no such column —, and whether the column is absent."""
    from ..registry import indicators_of

    out = {}
    for col, ind in declared_socle_columns().items():
        if col in checked.raw:
            cells = checked.raw[col].to_numpy(dtype=object)
            if any(str(v).lower() == "x" for v in pd.unique(cells)):  # the checkbox convention: empty is « non »
                continue
            rows = np.flatnonzero(cells == "")
        elif any(c in checked.raw for i in indicators_of(ind.theme) for c in i.colonnes):
            rows = np.arange(len(frame))  # left out of a file that gives the theme's data: every cell reads « non »
        else:  # a file without this theme's data: no declaration of it was expected
            continue
        if len(rows):  # plain tuples: pandas compares the attrs of frames it concatenates with ==
            out[col] = (tuple(np.asarray(checked.lines)[rows].tolist()),
                        tuple(frame["pharmacie_id"].to_numpy(dtype=object)[rows].tolist()),
                        tuple(frame["exercice"].to_numpy()[rows].astype(int).tolist()), col not in checked.raw)
    return out


def empty_declaration_warnings(frame, parameters: dict, located: bool = True) -> list[str]:
    """What an empty declaration may cost (`frame.attrs["declarations_vides"]`, `empty_declarations`), for the
    exercises whose socle is in force: read « non », a declaration of a socle may cost the whole theme (whether it
    does is the rule's to say: the lines show it). Said once per column, the rows named (at most MAX_PER_KIND);
    `located`: by file line, else (a pharmacy's report) by exercise."""
    from ..lines.formatting import eur
    from ..registry import theme
    from ..rulebook import in_force

    out = []
    pairs = None
    for col, ind in declared_socle_columns().items():
        found = frame.attrs.get("declarations_vides", {}).get(col)
        if found is None:
            continue
        lines, pids, years, absent = found
        if pairs is None:
            pairs = set(zip(frame["pharmacie_id"].tolist(), frame["exercice"].astype(int).tolist()))
        keep = [i for i, (pid, year) in enumerate(zip(pids, years))
                if (pid, year) in pairs and year in parameters and in_force(parameters[year], ind)]
        if not keep:
            continue
        where = [f"ligne {lines[i]} : {pids[i]}, {years[i]}" if located else f"exercice {years[i]}"
                 for i in keep[:MAX_PER_KIND]]
        more = f" et {thousands(len(keep) - MAX_PER_KIND)} autres" if len(keep) > MAX_PER_KIND else ""
        what = "absente du fichier, lue « non »" if absent else "case vide, lue « non »"
        fix = "ajoutez la colonne : « oui »" if absent else "écrivez « oui »"
        out.append(f"colonne {col} : {what} ({' ; '.join(where)}{more}) — une déclaration du socle du thème "
                   f"« {theme(ind.theme).titre_court} » : non déclarée, le thème peut valoir {eur(0)} ; {fix} si l'officine "
                   "a fait cette déclaration, « non » sinon")
    return out
