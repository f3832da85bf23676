"""Dated rule parameters: `parameters/<exercice>.yaml`, one file per exercise.

Every leaf is a mapping with its value (`valeur`), unit, French label, source and status
(`texte` / `source` / `hypothese`); a `hypothese` names its alternative reading. Thresholds also
say how they compare (`comparaison`: `>=`, `>`, `<`, `<=`). A leaf's unit is one of the registry
`units.UNITS`, which says what its values are (an amount paid in whole cents, a price per item, a
percentage…). The tree is described by the pydantic models below, which refuse unknown and missing keys
and unknown units; the YAML reader refuses duplicate keys and YAML auto-dates, and reads every number as
an exact Decimal.

A user scenario (`--parametres scenario.yaml`) overrides a few values, for every exercise or for
one (`2025: {...}`), without copying whole leaves.
"""


from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import numpy as np

from pydantic import TypeAdapter, ValidationError

from .errors import ParameterError, bounded
from .model import (STATUTS, Citation, Comparaison, Etat, ExerciseParameters, Indicateur, Leaf, Reference,
                    Seuil, Statut, diff_exercises, iter_leaves, with_alternatives)
from .scenario import Scenario, _apply_overrides
from .units import UNITS, Kind, Unit, unit
from .yamlfile import read_yaml

PARAMETERS_DIR = Path(__file__).resolve().parents[2] / "parameters"

__all__ = [
    "PARAMETERS_DIR", "STATUTS", "UNITS", "Citation", "Comparaison", "Etat", "ExerciseParameters", "Indicateur",
    "Kind", "Leaf", "ParameterError", "Reference", "Scenario", "Seuil", "Statut", "Unit", "available_exercises",
    "check_scenario_argument", "default_references", "scenario_warnings", "diff_exercises", "iter_leaves", "load_parameters", "load_references", "read_yaml", "unit",
]

REFERENCES_FILE = "references.yaml"


def load_references(directory: Path = PARAMETERS_DIR) -> dict[str, Reference]:
    """The catalogue of public references cited by the parameters: id → Reference."""
    path = directory / REFERENCES_FILE
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ParameterError(f"{path} : le catalogue des références doit être un dictionnaire identifiant → référence")
    try:
        return TypeAdapter(dict[str, Reference]).validate_python(raw)
    except ValidationError as exc:
        raise _french_validation_error(path, exc) from None


_DEFAULT_REFERENCES: dict[str, Reference] | None = None


def default_references() -> dict[str, Reference]:
    """The catalogue beside the project's parameter files (read once)."""
    global _DEFAULT_REFERENCES
    if _DEFAULT_REFERENCES is None:
        _DEFAULT_REFERENCES = load_references()
    return _DEFAULT_REFERENCES


# pydantic's error types, in French (its own messages are English: they never reach the user)
_PYDANTIC_FRENCH = {
    "extra_forbidden": "clé inconnue",
    "missing": "clé manquante",
    "decimal_parsing": "nombre attendu",
    "decimal_type": "nombre attendu",
    "decimal_max_digits": "nombre trop long",
    "decimal_max_places": "trop de décimales",
    "decimal_whole_digits": "nombre trop grand",
    "finite_number": "nombre fini attendu",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "float_parsing": "nombre attendu",
    "float_type": "nombre attendu",
    "bool_parsing": "true ou false attendu",
    "bool_type": "true ou false attendu",
    "string_type": "texte attendu",
    "list_type": "liste attendue",
    "dict_type": "dictionnaire attendu",
    "model_type": "dictionnaire attendu",
    "model_attributes_type": "dictionnaire attendu",
    "date_type": "date AAAA-MM-JJ attendue",
    "date_parsing": "date AAAA-MM-JJ attendue",
    "date_from_datetime_parsing": "date AAAA-MM-JJ attendue",
    "date_from_datetime_inexact": "date AAAA-MM-JJ attendue, entre guillemets",
    "greater_than": "valeur trop petite",
    "greater_than_equal": "valeur trop petite",
    "less_than": "valeur trop grande",
    "less_than_equal": "valeur trop grande",
    "too_short": "trop peu d'éléments",
    "too_long": "trop d'éléments",
    "union_tag_invalid": "type de valeur inconnu",
}


def _french_message(err: dict) -> str:
    kind = err["type"]
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        value = err.get("input")
        refused = (f"valeur « {str(value)[:60]} » refusée" if isinstance(value, (str, int, Decimal)) and not
                   isinstance(value, bool) else "valeur refusée")
        if not expected:
            return refused
        from rosp_lib.lines.formatting import french_list
        from rosp_lib.rulebook import VALEURS  # the words of each code, as the reports say them

        # pydantic's « 'demi_haut' or 'demi_pair' »: each code as the file must spell it, with what it means
        codes = re.findall(r"'([^']*)'", expected)
        words = [f"« {c} »" + (f" ({VALEURS[c]})" if c in VALEURS else "") for c in codes]
        return f"{refused} ; attendu : " + (french_list(words, "or") if words else expected.replace(" or ", " ou "))
    if kind in ("value_error", "assertion_error"):
        return str(err.get("ctx", {}).get("error", "valeur refusée"))  # our validators write French
    msg = _PYDANTIC_FRENCH.get(kind, "valeur refusée")
    if "input" in err and kind not in ("missing", "extra_forbidden") and not isinstance(err["input"], (dict, list)):
        value = err["input"]
        if value is None:  # the user wrote `null`, `~` or nothing: never Python's « None »
            return f"valeur vide : {msg}"
        shown = ("true" if value else "false") if isinstance(value, bool) else str(value)
        msg = f"valeur « {shown[:60]} » : {msg}"
    return msg


def _french_validation_error(path: Path | str, exc: ValidationError) -> ParameterError:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith(("Leaf", "function")))
        loc = loc.removesuffix(".valeur")  # the key as a scenario writes it
        line = f"  - {loc} : {_french_message(err)}" if loc else f"  - {_french_message(err)}"  # (whole file: its message names the key)
        if line not in lines:
            lines.append(line)
    return ParameterError(f"{path} : paramètres invalides\n" + "\n".join(bounded(lines)))


def available_exercises(directory: Path = PARAMETERS_DIR) -> list[int]:
    return sorted(int(p.stem) for p in directory.glob("[0-9][0-9][0-9][0-9].yaml"))


FRACTION_REFERENCE_MIN = 10


def scenario_warnings(scenario: Scenario | Path | str | None, exercises) -> list[str]:
    """What a valid scenario holds that was likely not meant: a percentage written as a fraction (« seuil_pct: 0.95 »
    read 0,95 %, where the reference is 95 %: review), as the input tables say of a rate column of fractions. Said on
    the console, with the value to write; the amounts are computed on the value as written."""
    if scenario is None:
        return []
    from ..lines.formatting import french_list, num_exact

    found: dict[tuple, list[int]] = {}
    for year in sorted({int(y) for y in exercises}):
        try:
            reference, mine = dict(iter_leaves(load_parameters(year))), iter_leaves(load_parameters(year, scenario))
        except (ParameterError, OSError):  # an invalid scenario: refused by the command, in French, not here
            return []
        for key, leaf in mine:
            ref = reference.get(key)
            if not leaf.surcharge or ref is None or unit(leaf.unite).kind is not Kind.PERCENT:
                continue
            value, was = leaf.valeur, ref.valeur
            numbers = all(isinstance(v, (int, Decimal)) and not isinstance(v, bool) for v in (value, was))
            # a percentage of its own at most 1 % (a rejects threshold of 2 % set to 1) is plausible: only where the
            # reference is at least FRACTION_REFERENCE_MIN % (95, 85, 70…) is a value ≤ 1 likely a fraction (review)
            if numbers and 0 < value <= 1 and was >= FRACTION_REFERENCE_MIN:
                found.setdefault((key, value, was), []).append(year)
    name = Path(scenario.path if isinstance(scenario, Scenario) else scenario).name
    def of(years: list[int]) -> str:
        return f"de l'exercice {years[0]}" if len(years) == 1 else f"des exercices {french_list([str(y) for y in years])}"

    return [f"scénario {name} : {key} = {num_exact(value)}, lu {num_exact(value)} % (la valeur de référence {of(years)} "
            f"est {num_exact(was)} %) : un pourcentage s'écrit sur 100 ; si vous vouliez {num_exact(value * 100)} %, "
            f"écrivez {num_exact(value * 100)}" for (key, value, was), years in found.items()]


def check_scenario_argument(scenario) -> None:
    """A scenario is given as its YAML file (a path) or as read by `Scenario.read`: a dict was a Python TypeError
    (review)."""
    if scenario is not None and not isinstance(scenario, (Scenario, str, Path)):
        raise ParameterError(f"scénario invalide : {_kind(scenario)} ; attendu : le chemin d'un fichier YAML de scénario "
                             "(p. ex. « parameters/scenarios/lectures-alternatives.yaml »), ou Scenario.read(chemin)")


def _kind(value) -> str:
    return {str: "texte", float: "nombre à virgule", bool: "oui/non", dict: "un dictionnaire"}.get(
        type(value), type(value).__name__)


def _raw_exercise(exercice: int, directory: Path) -> dict:
    path = directory / f"{exercice}.yaml"
    if not path.exists():
        years = ", ".join(map(str, available_exercises(directory)))
        raise ParameterError(f"aucun paramètre pour l'exercice {exercice} (exercices disponibles : {years})")
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ParameterError(f"{path} : le fichier doit être un dictionnaire")
    if raw.get("exercice") != exercice:
        raise ParameterError(f"{path} : la clé « exercice » vaut {raw.get('exercice')!r}, attendu {exercice}")
    return raw


def _validate(raw: dict, origin: Path | str, references: dict[str, Reference]) -> ExerciseParameters:
    try:
        return ExerciseParameters.model_validate(raw, context={"references": references})
    except ValidationError as exc:
        raise _french_validation_error(origin, exc) from None



def load_parameters(
    exercice: int,
    scenario: Scenario | Path | str | None = None,
    directory: Path = PARAMETERS_DIR,
) -> ExerciseParameters:
    """The validated parameters of one exercise, with a user scenario's overrides applied."""
    if isinstance(exercice, bool) or not isinstance(exercice, (int, np.integer)):
        # « 2024 » (a text) read the right file and blamed it (« la clé « exercice » vaut 2024, attendu 2024 »), 2024.0
        # was « aucun paramètre pour l'exercice 2024.0 » (review)
        raise ParameterError(f"exercice invalide : « {exercice} » ({_kind(exercice)}) ; attendu : une année en nombre "
                             "entier, par exemple load_parameters(2024)")
    exercice = int(exercice)
    check_scenario_argument(scenario)
    raw = _raw_exercise(exercice, directory)
    origin: Path | str = directory / f"{exercice}.yaml"
    if scenario is not None:
        if not isinstance(scenario, Scenario):
            scenario = Scenario.read(scenario)
        raw = _apply_overrides(raw, scenario, exercice, in_place=True)  # raw is this call's own copy
        origin = f"{scenario.path} (scénario, exercice {exercice})"  # the reference files are checked by the tests
    references = default_references() if directory == PARAMETERS_DIR else load_references(directory)
    validated = _validate(raw, origin, references)
    from ..rulebook import alternative_text  # (the rule book reads these parameters: imported here, once they are)

    def alternative(path: str, leaf: Leaf) -> str:
        try:
            return alternative_text(validated, path, leaf)
        except (KeyError, ValueError, IndexError) as exc:  # a placeholder that names nothing, a brace left open
            why = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            raise ParameterError(f"{origin} : {path}.alternative « {leaf.alternative} » : {why} ; attendu : un texte "
                                 "dont chaque {…} nomme un paramètre du même nœud (ex. {montant}), sans autre "
                                 "accolade") from None

    validated = with_alternatives(validated, alternative)
    if scenario is not None and directory == PARAMETERS_DIR:
        scenario.check_other_exercises(exercice)  # its values for the other exercises it names, once
    return validated
