"""What a valid file holds but a user probably did not mean: said on the console and in the reports,
never silently (the amounts are computed on the values as written)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..lines.formatting import agreed
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
        cells = checked.raw[c.name].to_numpy(dtype=object)
        if i is not None and all(str(v).rstrip().endswith("%") for v in pd.unique(cells[cells != ""])):
            i = None  # every value written with its « % » (« 0,5 % »): percentages meant (review)
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


def empty_declarations(checked: Checked, frame) -> dict:
    """For each declared socle's column whose empty cells read « non » without the user saying so: the rows (a packed
    bit mask: `frame.attrs` is copied by pandas on most operations, and compared when frames are concatenated, so it
    holds small immutable bytes only) — its empty cells, or every row when a file giving the theme's data has no such
    column —, and whether the column is absent. A column whose filled cells are all « x » follows the contract's
    checkbox convention: its empty cells are a « non » meant. `lines`: the file lines of the rows, packed too."""
    from ..registry import indicators_of

    out: dict = {}
    for col, ind in declared_socle_columns().items():
        if col in checked.raw:
            cells = checked.raw[col].to_numpy(dtype=object)
            filled = {str(v).lower() for v in pd.unique(cells)} - {""}
            if filled and filled <= {"x"}:  # the checkbox convention: empty is « non »
                continue
            rows = cells == ""
        elif any(c in checked.raw for i in indicators_of(ind.theme) for c in i.colonnes):
            rows = np.ones(len(frame), dtype=bool)  # left out of a file that gives the theme's data
        else:  # a file without this theme's data: no declaration of it was expected
            continue
        if rows.any():
            out[col] = (np.packbits(rows).tobytes(), col not in checked.raw)
    if out:
        out["lines"] = np.asarray(checked.lines, dtype=np.int64).tobytes()
    return out


def empty_declaration_warnings(frame, parameters: dict) -> list[str]:
    """What an empty declaration may cost (`frame.attrs["declarations_vides"]`, `empty_declarations`, on the file as
    read: rows in file order), for the exercises whose socle is in force: read « non », a required socle may cost
    the whole theme (whether it does is the rule's to say: the lines show it), a socle not required this exercise its
    own amount. Said once per column and case, the rows named (at most MAX_PER_KIND)."""
    from ..lines.formatting import eur
    from ..registry import theme
    from ..rulebook import state

    found = frame.attrs.get("declarations_vides") or {}
    if not found:
        return []
    n = len(frame)
    lines = np.frombuffer(found["lines"], dtype=np.int64)
    years = frame["exercice"].to_numpy().astype(int)
    pids = frame["pharmacie_id"].to_numpy(dtype=object)
    out = []
    for col, ind in declared_socle_columns().items():
        if col not in found:
            continue
        packed, absent = found[col]
        rows = np.unpackbits(np.frombuffer(packed, dtype=np.uint8), count=n).astype(bool)
        states = {int(y): state(parameters[int(y)], ind) for y in np.unique(years) if int(y) in parameters}
        for wanted, cost in (("actif", f"une déclaration du socle du thème « {theme(ind.theme).titre_court} » : non "
                                       f"déclarée, le thème peut valoir {eur(0)}"),
                             ("non_exige", "une déclaration d'un socle non exigé cet exercice : non déclarée, elle n'est "
                                           "pas payée")):
            keep = np.flatnonzero(rows & np.isin(years, [y for y, st in states.items() if st == wanted]))
            if not len(keep):
                continue
            where = [f"ligne {lines[i]} : {pids[i]}, {years[i]}" for i in keep[:MAX_PER_KIND]]
            more = f" et {thousands(len(keep) - MAX_PER_KIND)} autres" if len(keep) > MAX_PER_KIND else ""
            what = "absente du fichier, lue « non »" if absent else "case vide, lue « non »"
            fix = "ajoutez la colonne : « oui »" if absent else "écrivez « oui »"
            out.append(f"colonne {col} : {what} ({' ; '.join(where)}{more}) — {cost} ; {fix} si l'officine a fait "
                       "cette déclaration, « non » sinon")
    return out


def _weeks_read(years: list[int]) -> dict[int, str]:
    """The ASAFO period (`bups.asafo.periode`) each exercise reads: a count of another period is not read that
    exercise, and is not checked (review: December weeks of 2025 were said, though 2025 counts the year's)."""
    from ..parameters import ParameterError, load_parameters

    out = {}
    for year in years:
        try:
            asafo = load_parameters(int(year)).bups.asafo
        except ParameterError:  # an exercise without parameters: refused by the validation, not said here
            continue
        if asafo is not None and asafo.actif:
            out[int(year)] = asafo.periode.valeur if asafo.periode is not None else "annee"
    return out


def activity_week_warnings(frame: pd.DataFrame, lines=None) -> list[str]:
    """A count of weeks above the calendar weeks of activity of its row in the weeks it counts (« 50 semaines » for a
    titulaire active 181 days: the seller and the buyer both declared the whole year, audit; 4 weeks of December for
    a titulaire who left on 10 December): said, never corrected (the amounts are computed on the values as written).
    The counts are the titulaire's own, over his own period (rules book, « Exercice partiel »); the columns and the
    weeks each counts are the rule's (`rules.bups.ASAFO_WEEKS`). `lines`: the file's line of each row (None: each
    named by its exercise, in a report)."""
    from ..rules.base import activity_window, calendar_weeks
    from ..rules.bups import ASAFO_WEEKS

    out: list[str] = []
    if frame.empty or "exercice" not in frame:
        return out
    empty = np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[ns]")
    years = frame["exercice"].to_numpy(dtype=np.int64)
    read: dict[int, str] | None = None
    for period, (col, first, of) in ASAFO_WEEKS.items():
        if col not in frame:
            continue
        start, end = activity_window(frame["debut_activite"].to_numpy() if "debut_activite" in frame else empty,
                                     frame["fin_activite"].to_numpy() if "fin_activite" in frame else empty,
                                     years, first)
        whole_start, whole_end = activity_window(empty, empty, years, first)
        days = np.maximum((end - start) // np.timedelta64(1, "D") + 1, 0)
        weeks = calendar_weeks(start, end)
        values = frame[col].to_numpy(dtype=float)
        partial = (start > whole_start) | (end < whole_end)
        over = ~np.isnan(values) & (values > weeks) & partial
        if over.any():  # the parameters read only then (≈ 15 ms an exercise, measured): most files have no such row
            read = read if read is not None else {}
            read.update(_weeks_read(sorted(set(years[over].tolist()) - set(read))))
            over &= np.isin(years, [y for y, p in read.items() if p == period])  # the exercises that read this column
        over = np.flatnonzero(over)
        items = []
        for i in over[:MAX_PER_KIND]:
            where = (f"ligne {lines[i]}" if lines is not None else f"exercice {int(frame['exercice'].iat[i])}")
            n, d, w = int(values[i]), int(days[i]), int(weeks[i])
            items.append(f"{where} : {frame['pharmacie_id'].iat[i]}, {thousands(n)} {agreed(n, 'semaine', 'semaines')}"
                         f"{of} pour {thousands(d)} {agreed(d, 'jour', 'jours')} d'activité{of.replace(' de ', ' en ')}, "
                         f"soit {thousands(w)} {agreed(w, 'semaine', 'semaines')} au plus")
        if len(over) > MAX_PER_KIND:
            items.append(f"et {thousands(len(over) - MAX_PER_KIND)} autres")
        if items:
            period = of or " de l'exercice"
            out.append(f"colonne {col} : plus de semaines{of} que l'activité{period} n'en compte ({' ; '.join(items)})"
                       " — un compte ne porte que sur la période du titulaire (cession ou installation en cours "
                       "d'année) ; vérifiez-le (le montant est calculé sur la valeur telle qu'écrite)")
    return out


def recent_installation_warnings(frame: pd.DataFrame, lines=None) -> list[str]:
    """A titulaire whose activity starts during an exercise that pays the progression of kits (dispositif 2024), with
    `installation_apres_2023` not « oui »: his reference is the fixed one of a recent installation, not his kits of the
    year before (a 2024 buyer from 1 July with 0 kit « the year before » was paid as for any count: audit). Said, never
    corrected: the column is the user's statement. `lines`: the file's line of each row (None: named by exercise)."""
    from ..parameters import ParameterError, load_parameters

    if frame.empty or "debut_activite" not in frame or "exercice" not in frame:
        return []
    years = frame["exercice"].to_numpy(dtype=np.int64)
    starts = pd.to_datetime(frame["debut_activite"]).to_numpy()
    first_day = pd.to_datetime([f"{y}-01-01" for y in years]).to_numpy() if len(years) else starts
    recent = (frame["installation_apres_2023"].to_numpy(dtype=bool) if "installation_apres_2023" in frame
              else np.zeros(len(frame), dtype=bool))
    late = ~pd.isna(starts) & (starts > first_day) & ~recent
    if not late.any():
        return []
    references = {}
    for year in sorted(set(years[late].tolist())):  # the parameters read only then: most files have no such row
        try:
            kits = load_parameters(int(year)).dispositif_2024
        except ParameterError:
            continue
        ind = None if kits is None else kits.kits_colorectal_progression
        if ind is not None and ind.actif:
            references[int(year)] = int(ind.reference_installation_recente.valeur)
    rows = np.flatnonzero(late & np.isin(years, list(references)))
    items = []
    for i in rows[:MAX_PER_KIND]:
        where = f"ligne {lines[i]}" if lines is not None else f"exercice {int(years[i])}"
        items.append(f"{where} : {frame['pharmacie_id'].iat[i]}, activité commencée le "
                     f"{pd.Timestamp(starts[i]):%d/%m/%Y}, référence {thousands(references[int(years[i])])} kits "
                     "si elle est récente")
    if len(rows) > MAX_PER_KIND:
        items.append(f"et {thousands(len(rows) - MAX_PER_KIND)} autres")
    if not items:
        return []
    return [f"colonne installation_apres_2023 : activité commencée en cours d'exercice, mais la colonne ne dit pas « oui » "
            f"({' ; '.join(items)}) — la progression des kits (dispositif exceptionnel 2024) se mesure alors sur la "
            f"référence fixe d'une officine installée ou reprise après le 1er janvier {min(references) - 1} (l'année "
            "de référence), non sur nb_kits_remis_n_1 ; "
            "écrivez « oui » si c'est le cas (le montant est calculé sur la valeur telle qu'écrite)"]
