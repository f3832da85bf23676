"""The targeted-molecule table: names compared case- and accent-insensitively, its checks across
columns, and the names not in the exercise's list (read, worth 0 €, and said on the console)."""

from __future__ import annotations

import difflib
import re

import numpy as np
import pandas as pd

from rosp_lib.parameters import ParameterError, available_exercises, load_parameters

from .columns import KEY_SEP, PHARMACIE_ID_RE
from .errors import MAX_PER_KIND, shown, thousands
from .validate import Checked, check_duplicates
from .xlsxread import fold


# Between the molecules of an association: « / » as the lists write it, or « + », « - » (or a typographic dash: « – »,
# « — »), spaces around them
# (« sitagliptine / metformine », « SITAGLIPTINE-METFORMINE » paid 0 € with a warning: review)
_ASSOCIATION = re.compile(r"(?<=\S)\s*[/+\-\u2010-\u2015]\s*(?=\S)")  # between two names only: « +cmd », « -cmd » stay as written
_SPACES = re.compile(r"\s+")


def normalise_molecule(name: str) -> str:
    """A molecule name compared case-, accent- and spacing-insensitively, an association whatever the sign between its
    molecules and their order: « Palipéridone » → « paliperidone », « Sitagliptine + Metformine » and « metformine /
    sitagliptine » → « metformine/sitagliptine » (the same association: review, written in the other order it paid
    0 €)."""
    # the signs replaced before folding, which drops the typographic dashes
    folded = fold(_ASSOCIATION.sub("/", _SPACES.sub(" ", str(name).strip())))
    return "/".join(sorted(folded.split("/"))) if "/" in folded else folded


def check_molecule_rows(checked: Checked, pharmacies: pd.DataFrame | None) -> None:
    raw = checked.raw
    if all(k in raw for k in ("pharmacie_id", "exercice", "molecule")):
        names = raw["molecule"].to_numpy(dtype=object)
        codes, distinct = pd.factorize(names)
        norm = np.array([normalise_molecule(v) for v in distinct] + [""], dtype=object)[codes]
        key = raw["pharmacie_id"].to_numpy(dtype=object) + KEY_SEP + raw["exercice"].to_numpy(dtype=object) + KEY_SEP + norm
        check_duplicates(checked, ["pharmacie_id", "exercice", "molecule"], key,
                         "une seule ligne par pharmacie, exercice et molécule (casse, accents, espaces, signe « / », « + » "
                         "ou « - » d'une association et ordre de ses molécules indifférents)")
    if pharmacies is None or "pharmacie_id" not in raw or "exercice" not in raw:
        return
    known = pd.Index(pharmacies["pharmacie_id"].astype(str).to_numpy(dtype=object) + KEY_SEP
                     + pharmacies["exercice"].astype(int).astype(str).to_numpy(dtype=object))
    exercises = {str(y) for y in available_exercises()}
    pids, years = raw["pharmacie_id"].to_numpy(dtype=object), raw["exercice"].to_numpy(dtype=object)
    # Each distinct id and year tested once, the pairs by pandas' hash table (a national file has 500 000 molecule
    # lines: a test per line in Python took 1 s of the 2,6 s of these checks — measured, benchmarks/README.md).
    id_re = re.compile(PHARMACIE_ID_RE)
    pid_codes, pid_distinct = pd.factorize(pids)
    id_ok = np.array([id_re.fullmatch(p) is not None for p in pid_distinct] + [False], dtype=bool)[pid_codes]
    year_codes, year_distinct = pd.factorize(years)
    year_ok = np.array([y in exercises for y in year_distinct] + [False], dtype=bool)[year_codes]
    unknown = ~pd.Index(pids + KEY_SEP + years).isin(known) & year_ok & id_ok
    years_of: dict[str, list[str]] = {}  # made for the messages only, when a line is refused

    def pharmacy_years() -> dict[str, list[str]]:
        if not years_of:
            for key in sorted(known):
                pid, year = key.split(KEY_SEP)
                years_of.setdefault(pid, []).append(year)
        return years_of

    def expect(i: int) -> str:
        return (f"une pharmacie de la table des pharmacies pour l'exercice {years[i]}"
                + pharmacy_hint(str(pids[i]), pharmacy_years()))

    checked.report("pharmacie_id", np.flatnonzero(unknown), "une pharmacie de la table des pharmacies",
                   "lignes dont la pharmacie n'est pas dans la table des pharmacies", expect)


def pharmacy_hint(pid: str, years_of: dict) -> str:
    """What an unknown pharmacy-year may have meant (`years_of`: each known pharmacy → its exercises): the same id
    for other exercises, the same id in other case, or a close id; "" when nothing is close. The molecules table and
    the statement of payments say it alike."""
    if pid in years_of:
        return f" (« {pid} » n'y figure que pour {', '.join(map(str, years_of[pid]))})"
    same_case = [p for p in years_of if p.lower() == pid.lower()]
    if same_case:
        return f" — vouliez-vous dire « {same_case[0]} » ? (majuscules et minuscules comptent)"
    guess = difflib.get_close_matches(pid, list(years_of), n=1, cutoff=0.8)
    return f" — vouliez-vous dire « {guess[0]} » ?" if guess else ""


def _premium(year: int, scenario=None):
    """The targeted-molecule indicator's parameters of the exercise (the scenario's when there is one); None when
    the exercise has no parameters or no such indicator."""
    try:
        return load_parameters(year, scenario).bups.molecules_ciblees
    except (ParameterError, AttributeError):
        return None


def molecule_warnings(frame: pd.DataFrame, checked: Checked | None = None, scenario=None, located: bool = True
                      ) -> list[str]:
    """A molecule not in its exercise's list — the scenario's when there is one — pays 0 €: say so, with the
    closest listed name; `located`: each named by its line and pharmacy (a report, on one pharmacy's own
    rows, names the molecule only)."""
    out: list[str] = []
    lines = checked.lines if checked is not None else np.arange(len(frame)) + 2
    norm = frame["molecule_norm"].to_numpy(dtype=object)
    names = frame["molecule"].to_numpy(dtype=object)
    pids = frame["pharmacie_id"].to_numpy(dtype=object)
    years = frame["exercice"].to_numpy()
    count = 0
    # Each exercise's parameters loaded once (≈ 4 ms each, measured; they were loaded twice, per list and per year)
    premiums = {int(y): _premium(int(y), scenario) for y in available_exercises()}
    lists = {}  # each exercise's list, to say where a molecule absent from its own exercise's is listed
    for y, other in premiums.items():
        if other is not None and other.molecules is not None and getattr(other.etat, "valeur", "") != "absent":
            lists[y] = {normalise_molecule(x): x for x in other.molecules.valeur}
    for year in np.unique(years):
        ind = premiums.get(int(year))
        if ind is None or ind.molecules is None or getattr(ind.etat, "valeur", "") == "absent":
            continue
        listed = {normalise_molecule(x): x for x in ind.molecules.valeur}
        rows = np.flatnonzero((years == year) & ~pd.Series(norm).isin(list(listed)).to_numpy())
        for i in rows[: max(MAX_PER_KIND - count, 0)]:
            guess = difflib.get_close_matches(norm[i], list(listed), n=1, cutoff=0.6)
            elsewhere = [str(y) for y, names in lists.items() if y != int(year) and norm[i] in names]
            if elsewhere:  # listed another exercise: the row's exercise may be wrong (review: no word of it)
                hint = (f" — elle est sur la liste de l'exercice {elsewhere[0]}" if len(elsewhere) == 1 else
                        f" — elle est sur la liste des exercices {', '.join(elsewhere)}") + " : l'exercice de la ligne est-il le bon ?"
            elif guess:
                hint = f" — vouliez-vous dire « {listed[guess[0]]} » ?"
            else:  # a brand name (« Januvia »): no name near it (review: nothing was said)
                hint = f" — la liste de l'exercice {int(year)} : {', '.join(listed.values())}"
            where = f"ligne {lines[i]}, pharmacie {shown(pids[i])}, " if located else ""
            out.append(f"{where}molécule {shown(names[i])} : absente de la liste des molécules ciblées de l'exercice "
                       f"{int(year)} (elle ne rapporte rien){hint}")
        count += len(rows)
    if count > MAX_PER_KIND:
        out.append(f"… et {thousands(count - MAX_PER_KIND)} autres molécules absentes de la liste de leur exercice")
    return out


def no_molecules_warning(exercises, scenario=None, empty_file: str | None = None,
                         given_by: str = "--molecules") -> list[str]:
    """Without the targeted-molecule table — or with one that has no row (`empty_file`: its name) —, their premium
    counts 0 €: said when an exercise of the file pays it (the lines of the molecules are then absent, not « donnée
    manquante »: nothing else would say it). `given_by`: how the reader gives the table (the option of a command,
    or a report notebook's parameter and the option of `rosp report`)."""
    paying = [str(year) for year in sorted({int(y) for y in exercises})
              if getattr(getattr(_premium(year, scenario), "etat", None), "valeur", "") == "actif"]
    if not paying:
        return []
    years = f"de l'exercice {paying[0]}" if len(paying) == 1 else f"des exercices {', '.join(paying)}"
    if empty_file is not None:
        return [f"{empty_file} : la table des molécules ciblées n'a aucune ligne : leur prime (BUPS) {years} compte "
                "0 € ; remplissez-la si l'officine en a délivré"]
    return [f"aucune table des molécules ciblées n'est donnée : leur prime (BUPS) {years} compte 0 € ; donnez-la "
            f"({given_by}) si l'officine en a délivré"]
