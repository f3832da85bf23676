"""User scenarios: a small YAML that overrides a few parameter values, for all exercises or one.

A scenario only replaces values: a leaf is written either as its value or as `{valeur: …}` (any
other field beside `valeur` — `statut`, `source` — is refused: the official metadata stay); a year
key must be an exercise that has parameters, with something under it. A value must keep its
parameter's kind and range: a number where the official value is a number (a number written in quotes,
`"820"`, is refused, never read as a number: the user writes it without quotes), amounts and counts
not negative, percentages from 0 to 100, amounts the rules pay as such to the cent, counts whole. What a
value is (an amount, a price per item, a percentage…) is its leaf's unit, read in the registry `units.UNITS`.
"""

from __future__ import annotations

import copy
import difflib
import re
import typing
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..lines.formatting import french_list
from .errors import ParameterError, bounded
from .units import UNITS, Kind, Unit, unit
from .yamlfile import key_text, read_yaml

# Plausibility ceilings of an overridden value (a mistyped exponent, « 1.0e+30 », is refused rather
# than overflowing the exact cents): no ROSP amount nor count comes near them.
MAX_AMOUNT = Decimal(1_000_000)  # also the ceiling of an amount of the statement of payments (counterfactual.versements)
_MAX_NUMBER = Decimal(999_999_999)
_NO_UNIT = Unit("", Kind.COUNT)  # a leaf without a known unit: only the checks of every number
_COMMA_DECIMAL = re.compile(r"[-+]?[0-9]+,[0-9]+")


@dataclass(frozen=True)
class Scenario:
    """Value overrides read from a user's YAML: for all exercises and per exercise."""

    path: str
    tous: dict
    par_exercice: dict[int, dict]
    description: str = ""  # the YAML's `description:`, shown beside the scenario's name
    _checked: bool = field(default=False, compare=False, repr=False)  # its other exercises checked (load_parameters)

    @classmethod
    def read(cls, path: Path | str) -> "Scenario":
        from . import available_exercises

        raw = read_yaml(Path(path))
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise ParameterError(f"{path} : un scénario est un dictionnaire de valeurs à remplacer")
        raw = dict(raw)
        description = raw.pop("description", None)
        description = "" if description is None else str(description).strip()
        errors: list[str] = []
        years = available_exercises()
        per_year = {k: raw.pop(k) for k in list(raw) if isinstance(k, int)}
        for key in [k for k in raw if isinstance(k, str) and re.fullmatch(r"\s*[0-9]+\s*", k)]:
            raw.pop(key)
            errors.append(f"  - {key_text(key)} : année entre guillemets ; attendu : l'année sans guillemets "
                          f"({key_text(key.strip())}:), "
                          "pour ne remplacer que les valeurs de cet exercice")
        for year, tree in per_year.items():
            if year not in years:
                errors.append(f"  - {key_text(year)} : aucun paramètre pour cet exercice (exercices disponibles : "
                              f"{', '.join(map(str, years))})")
            elif not isinstance(tree, dict) or not tree:
                errors.append(f"  - {year} : aucune valeur à remplacer sous cette année ; attendu : des paramètres "
                              "à remplacer, ou supprimez la clé")
        for where, tree in [("au premier niveau", raw), *((f"sous {y}", t) for y, t in per_year.items())]:
            if isinstance(tree, dict) and "valeur" in tree:  # no parameter named: it read as the key « »
                errors.append(f"  - valeur : « valeur » {where}, sans le paramètre qu'elle remplace ; attendu : le "
                              "chemin du paramètre au-dessus, p. ex. « numerique: » puis « exercice_coordonne: » puis "
                              "« montant: » puis « valeur: 900 »")
                tree.pop("valeur")
        # « numerique.fse.seuil_pct: 120 », the key as `rosp regles` prints it: the same as the nested form (and so
        # checked as it is: it skipped the checks of its parameter's kind and range when read as one odd key)
        raw = _unfolded(raw, (), errors)
        per_year = {y: _unfolded(t, (str(y),), errors) for y, t in per_year.items()}
        for prefix, tree in [((), raw), *(((str(y),), t) for y, t in per_year.items())]:
            _check_fields(tree, prefix, errors)
        if not raw and not per_year and not errors:  # empty, or a description alone: the reference calculation
            errors.append("  - le scénario ne remplace aucune valeur ; attendu : au moins un paramètre à remplacer, "
                          "p. ex. « numerique: » puis « exercice_coordonne: » puis « montant: 900 », chacun sous le "
                          "précédent et décalé de deux espaces (sans scénario : le calcul de référence)")
        if errors:
            raise ParameterError(f"{path} : scénario invalide\n" + "\n".join(bounded(errors)))
        return cls(str(path), raw, per_year, description)

    def check_other_exercises(self, done: int) -> None:
        """Refuse what would be refused for the other exercises this scenario names (`2022:` …), not only for the
        one computed (`done`, already checked): a typo under `2022:` was silently ignored by a command on 2025.
        Once per scenario."""
        from . import load_parameters

        if self._checked:
            return
        for year, tree in sorted(self.par_exercice.items()):
            if year != done:  # with the values for all exercises, which apply to that year too
                load_parameters(year, Scenario(self.path, self.tous, {year: tree}, _checked=True))
        object.__setattr__(self, "_checked", True)  # only once they all load: a refused scenario stays refused

    def overrides_for(self, exercice: int) -> list[tuple[tuple[str, ...], Any]]:
        out: list[tuple[tuple[str, ...], Any]] = []
        for tree in (self.tous, self.par_exercice.get(exercice, {})):
            _flatten(tree, (), out)
        return out


def _flattened(tree: Any) -> list[tuple[tuple[str, ...], Any]]:
    out: list = []
    _flatten(tree, (), out)
    return out


def _exercises_with(dotted: str) -> list[int]:
    """The exercises whose parameters have this leaf (read only to explain a refusal)."""
    from . import PARAMETERS_DIR, _raw_exercise, available_exercises

    return [y for y in available_exercises()
            if dotted in {".".join(p) for p in _leaf_paths(_raw_exercise(y, PARAMETERS_DIR))}]


def _unfolded(tree: Any, prefix: tuple[str, ...], errors: list[str]) -> Any:
    """`tree` with each dotted key « a.b.c: v » written as the nested « a: b: c: v », merged with the keys already
    nested; the same parameter written twice is refused."""
    if not isinstance(tree, dict) or "valeur" in tree:
        return tree
    out: dict = {}
    for key, value in tree.items():
        parts = [p.strip() for p in key.split(".")] if isinstance(key, str) and "." in key else [key]
        value = _unfolded(value, prefix + tuple(map(str, parts)), errors)
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            last = parts[-1]
            if last in node and not (isinstance(node[last], dict) and isinstance(value, dict)):
                errors.append(f"  - {'.'.join(prefix + tuple(map(str, parts)))} : paramètre écrit deux fois ; "
                              "attendu : une seule valeur")
            elif last in node:
                node[last] = _merged(node[last], value, prefix + tuple(map(str, parts)), errors)
            else:
                node[last] = value
            continue
        errors.append(f"  - {'.'.join(prefix + tuple(map(str, parts)))} : paramètre écrit deux fois ; attendu : une "
                      "seule valeur")
    return out


def _merged(a: dict, b: dict, prefix: tuple[str, ...], errors: list[str]) -> dict:
    for key, value in b.items():
        if key in a and isinstance(a[key], dict) and isinstance(value, dict) and "valeur" not in value:
            a[key] = _merged(a[key], value, prefix + (str(key),), errors)
        elif key in a:
            errors.append(f"  - {'.'.join(prefix + (str(key),))} : paramètre écrit deux fois ; attendu : une seule "
                          "valeur")
        else:
            a[key] = value
    return a


def _check_fields(tree: Any, prefix: tuple[str, ...], errors: list[str]) -> None:
    if not isinstance(tree, dict):
        return
    if "valeur" in tree:
        for k in tree:
            if k != "valeur":
                errors.append(f"  - {'.'.join(prefix + (str(k),))} : champ à côté de « valeur » ; un scénario ne "
                              "remplace que la valeur (la source et le statut officiels restent) — supprimez ce champ")
        return
    if not tree and prefix:
        errors.append(f"  - {'.'.join(prefix)} : aucune valeur ; attendu : une valeur ou des paramètres à remplacer")
    for k, v in tree.items():
        _check_fields(v, prefix + (str(k),), errors)


def _flatten(tree: Any, prefix: tuple[str, ...], out: list) -> None:
    if isinstance(tree, dict) and "valeur" not in tree:
        for k, v in tree.items():
            _flatten(v, prefix + (str(k),), out)
    else:
        out.append((prefix, tree["valeur"] if isinstance(tree, dict) else tree))


def _leaf_paths(raw: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(raw, dict) and "valeur" in raw:
        return [prefix]
    if isinstance(raw, dict):
        return [p for k, v in raw.items() for p in _leaf_paths(v, prefix + (str(k),))]
    return []


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


_SHOWN_DIGITS = 20  # a longer number is shown by its start and its number of digits


def _shown(number: int | Decimal) -> str:
    """A number as the user reads it: `-8.2e2` shown -820, a huge or tiny one kept in exponent notation, a long one
    shortened (« 99999999999999999999… (3 000 chiffres) »: a message line of 3 000 digits, review)."""
    text = format(number, "f") if isinstance(number, Decimal) and -7 < number.adjusted() < 16 else str(number)
    digits = sum(c.isdigit() for c in text)
    if len(text) > _SHOWN_DIGITS + 2:
        return f"{text[:_SHOWN_DIGITS]}… ({digits:,} chiffres)".replace(",", "\u202f")
    return text


def _not_a_number(value: Any) -> str | None:
    """Why a value written where a number is expected is not one, None when it is a number or not our case
    (a text that is no number, a list…: the leaf's validation refuses it)."""
    if value is None:
        return "valeur vide ; attendu : un nombre"
    if isinstance(value, bool):
        return f"valeur {'true' if value else 'false'} (un booléen) ; attendu : un nombre"
    if isinstance(value, str):
        text = value.strip()
        if _COMMA_DECIMAL.fullmatch(text):
            return f"nombre « {value} » à virgule ; attendu : un point décimal, sans guillemets : {text.replace(',', '.')}"
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
        if number.is_finite():
            return (f"nombre entre guillemets « {_shown(number)} » ; attendu : le nombre écrit sans guillemets, "
                    f"{_shown(number)}")
    return None


def _out_of_range(number: int | Decimal, kind: type, unite: Unit) -> str | None:
    """Why a number leaves the range of its parameter's unit (units.UNITS), None when it does not."""
    shown = _shown(number)
    if unite.minimum > 0 and number < unite.minimum:
        return f"valeur {shown} ; attendu : un nombre d'au moins {unite.minimum}"
    if number < 0:
        return f"valeur {shown} ; attendu : un nombre positif ou nul"
    if unite.percentage and number > 100:
        return f"valeur {shown} ; attendu : un pourcentage de 0 à 100"
    if unite.euros and number > MAX_AMOUNT:
        return f"valeur {shown} ; attendu : un montant plausible (au plus {MAX_AMOUNT:,} €)".replace(",", " ")
    if number > _MAX_NUMBER:
        return f"valeur {shown} ; attendu : un nombre plausible (au plus {_MAX_NUMBER:,})".replace(",", " ")
    if unite.whole_cents and (number * 100) % 1:
        return f"valeur {shown} ; attendu : un montant en euros au centime près, p. ex. 820 ou 820.50"
    if (kind is int or unite.kind is Kind.COUNT) and number % 1:  # a threshold of invoices is a count too
        return f"valeur {shown} ; attendu : un nombre entier"
    return None


def _declared_type(path: tuple[str, ...]) -> Any:
    """The type the parameter model declares for this leaf's value (Decimal, int, list[Palier]…), None if unknown."""
    from .model import ExerciseParameters, Leaf

    node: Any = ExerciseParameters
    for key in path:
        field = node.model_fields.get(key) if isinstance(node, type) and issubclass(node, BaseModel) else None
        if field is None:
            return None
        node = next((a for a in typing.get_args(field.annotation) if a is not type(None)), field.annotation)
    return node.model_fields["valeur"].annotation if isinstance(node, type) and issubclass(node, Leaf) else None


# A yes-or-no parameter as `rosp parametres show` prints it and the input files write it: « oui », « non » (and
# « true », « false » between quotes, as YAML writes them without; « yes », « no », which the strict YAML reading
# keeps as texts)
_FLAG_WORDS = {"oui": True, "non": False, "true": True, "false": False, "yes": True, "no": False}


def _flag(value: Any) -> Any:
    """A yes-or-no value written « oui » or « non » (any case) as the boolean it says; any other value as it is."""
    return _FLAG_WORDS.get(value.strip().lower(), value) if isinstance(value, str) else value


def _value_problem(value: Any, kind: Any, unite: Unit) -> str | None:
    """Why an overriding value does not fit the declared type of its parameter and the range of its unit, None
    when it does (or when pydantic's validation of the leaf is the one to say it). Lists and mappings (a scale,
    premiums per molecule) are checked element by element; the fields of a scale's step by their own units
    (`Palier.unites`)."""
    if kind is bool:
        if isinstance(_flag(value), bool):
            return None
        if value is None or (isinstance(value, str) and not value.strip()):
            shown = "vide"
        elif isinstance(value, str):
            shown = f"« {value} »"
        elif _is_number(value):
            shown = _shown(value)
        else:
            shown = "qui est une liste" if isinstance(value, list) else "qui est une table"
        return f"valeur {shown} ; attendu : true ou false (ou oui, non, yes, no)"
    if kind in (int, Decimal):
        why = _not_a_number(value)
        if why is None and _is_number(value):
            why = _out_of_range(value, kind, unite)
        return why
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is list and isinstance(value, list):
        return next(filter(None, (_value_problem(v, args[0], unite) for v in value)), None)
    if origin is dict and isinstance(value, dict):
        return next(filter(None, (_value_problem(v, args[1], unite) for v in value.values())), None)
    if isinstance(kind, type) and issubclass(kind, BaseModel) and isinstance(value, dict):
        fields = kind.model_fields
        return next(filter(None, (_value_problem(v, fields[k].annotation, unit(kind.unites[k]))
                                  for k, v in value.items() if k in fields)), None)
    return None


def _leaf_unit(node: dict) -> Unit:
    """The unit of a leaf of the reference files; one they do not declare or the registry does not know is
    refused by the model when the parameters are validated (then no range applies here)."""
    name = node.get("unite")
    return UNITS.get(name, _NO_UNIT) if isinstance(name, str) else _NO_UNIT


def _node(raw: dict, dotted: str) -> dict:
    for k in dotted.split("."):
        raw = raw[k]
    return raw


def _apply_overrides(raw: dict, scenario: Scenario, exercice: int, in_place: bool = False) -> dict:
    """`raw` with the scenario's values for this exercise (a copy of it, or `raw` itself when in_place)."""
    if not in_place:
        raw = copy.deepcopy(raw)
    leaves = [".".join(p) for p in _leaf_paths(raw)]
    known = set(leaves)
    errors = []
    tables: set[str] = set()  # mapping leaves written as groups, said once each
    top_level = {p for p, _ in _flattened(scenario.tous)}
    for path, value in scenario.overrides_for(exercice):
        dotted = ".".join(path)
        members = [leaf for leaf in leaves if leaf.startswith(dotted + ".")] if dotted not in known else []
        if members:
            listed = ", ".join(members[:3])
            if len(members) > 3:
                listed += f"… ({len(members)} paramètres, listés par rosp parametres show {exercice})"
            errors.append(f"  - {dotted} : groupe de paramètres, pas une valeur ; attendu : les paramètres à "
                          f"remplacer sous lui, parmi {listed}")
            continue
        table = next((leaf for leaf in leaves if dotted.startswith(leaf + ".")), None)
        if table is not None and isinstance(_node(raw, table)["valeur"], dict):
            # `primes_par_molecule: {sitagliptine: 3}` read as a parameter « primes_par_molecule.sitagliptine »
            if table not in tables:
                tables.add(table)
                errors.append(f"  - {table} : une table (clé → valeur) se remplace entière, sous « valeur » ; attendu : "
                              f"{table.rsplit('.', 1)[-1]}: {{valeur: {{{path[len(table.split('.'))]}: …}}}}")
            continue
        if dotted not in known:
            elsewhere = _exercises_with(dotted) if path in top_level else []
            if elsewhere:  # written for all exercises, yet it exists for some only
                years = french_list([str(y) for y in elsewhere])
                errors.append(f"  - {dotted} : ce paramètre n'existe pas pour l'exercice {exercice}, seulement pour "
                              + (f"l'exercice {years}" if len(elsewhere) == 1 else f"les exercices {years}")
                              + " ; attendu : la valeur sous " + french_list([f"« {y}: »" for y in elsewhere],
                                                                             style="or")
                              + " (au premier niveau, elle vaut pour tous les exercices)")
                continue
            guess = difflib.get_close_matches(dotted, sorted(known), n=1, cutoff=0.6)
            hint = f" — vouliez-vous dire « {guess[0]} » ?" if guess else ""
            where = "pour aucun exercice" if path in top_level else f"pas pour l'exercice {exercice}"  # top: all of them
            errors.append(f"  - {dotted} : ce paramètre n'existe {where}{hint}")
            continue
        node = _node(raw, dotted)
        kind = _declared_type(path)
        why = _value_problem(value, kind, _leaf_unit(node))
        if why:
            errors.append(f"  - {dotted} : {why}")
            continue
        node["valeur"] = _flag(value) if kind is bool else value
        node["surcharge"] = scenario.path
    if errors:
        raise ParameterError(f"{scenario.path} : scénario invalide\n" + "\n".join(bounded(errors)))
    return raw
