"""User scenarios: a small YAML that overrides a few parameter values, for all exercises or one.

A scenario only replaces values: a leaf is written either as its value or as `{valeur: …}` (any
other field beside `valeur` — `statut`, `source` — is refused: the official metadata stay); a year
key must be an exercise that has parameters, with something under it. A value must keep its
parameter's range: amounts and counts not negative, percentages from 0 to 100.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import ParameterError
from .yamlfile import read_yaml

# Plausibility ceilings of an overridden value (a mistyped exponent, « 1.0e+30 », is refused rather
# than overflowing the exact cents): no ROSP amount nor count comes near them.
_MAX_AMOUNT = Decimal(1_000_000)
_MAX_NUMBER = Decimal(999_999_999)


@dataclass(frozen=True)
class Scenario:
    """Value overrides read from a user's YAML: for all exercises and per exercise."""

    path: str
    tous: dict
    par_exercice: dict[int, dict]

    @classmethod
    def read(cls, path: Path | str) -> "Scenario":
        from . import available_exercises

        raw = read_yaml(Path(path))
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise ParameterError(f"{path} : un scénario est un dictionnaire de valeurs à remplacer")
        raw = dict(raw)
        raw.pop("description", None)
        errors: list[str] = []
        years = available_exercises()
        per_year = {k: raw.pop(k) for k in list(raw) if isinstance(k, int)}
        for year, tree in per_year.items():
            if year not in years:
                errors.append(f"  - {year} : aucun paramètre pour cet exercice (exercices disponibles : "
                              f"{', '.join(map(str, years))})")
            elif not isinstance(tree, dict) or not tree:
                errors.append(f"  - {year} : aucune valeur à remplacer sous cette année ; attendu : des paramètres "
                              "à remplacer, ou supprimez la clé")
        for prefix, tree in [((), raw), *(((str(y),), t) for y, t in per_year.items())]:
            _check_fields(tree, prefix, errors)
        if errors:
            raise ParameterError(f"{path} : scénario invalide\n" + "\n".join(errors))
        return cls(str(path), raw, per_year)

    def overrides_for(self, exercice: int) -> list[tuple[tuple[str, ...], Any]]:
        out: list[tuple[tuple[str, ...], Any]] = []
        for tree in (self.tous, self.par_exercice.get(exercice, {})):
            _flatten(tree, (), out)
        return out


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


def _numbers(value: Any):
    if isinstance(value, bool):
        return
    if isinstance(value, (int, Decimal)):
        yield Decimal(value)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v)


def _out_of_range(value: Any, unite: str) -> str | None:
    """Why an overriding value leaves its parameter's range, None when it does not."""
    unite = str(unite or "")
    for number in _numbers(value):
        if number < 0:
            return f"valeur {number} ; attendu : un nombre positif ou nul"
        if unite == "%" and number > 100:
            return f"valeur {number} ; attendu : un pourcentage de 0 à 100"
        if unite.startswith("EUR") and number > _MAX_AMOUNT:
            return f"valeur {number} ; attendu : un montant plausible (au plus {_MAX_AMOUNT:,} €)".replace(",", " ")
        if number > _MAX_NUMBER:
            return f"valeur {number} ; attendu : un nombre plausible (au plus {_MAX_NUMBER:,})".replace(",", " ")
    return None


def _apply_overrides(raw: dict, scenario: Scenario, exercice: int, in_place: bool = False) -> dict:
    """`raw` with the scenario's values for this exercise (a copy of it, or `raw` itself when in_place)."""
    if not in_place:
        raw = copy.deepcopy(raw)
    known = {".".join(p) for p in _leaf_paths(raw)}
    errors = []
    for path, value in scenario.overrides_for(exercice):
        dotted = ".".join(path)
        if dotted not in known:
            guess = difflib.get_close_matches(dotted, sorted(known), n=1, cutoff=0.6)
            hint = f" — vouliez-vous dire « {guess[0]} » ?" if guess else ""
            errors.append(f"  - {dotted} : ce paramètre n'existe pas pour l'exercice {exercice}{hint}")
            continue
        node = raw
        for k in path:
            node = node[k]
        why = _out_of_range(value, node.get("unite"))
        if why:
            errors.append(f"  - {dotted} : {why}")
            continue
        node["valeur"] = value
        node["surcharge"] = scenario.path
    if errors:
        raise ParameterError(f"{scenario.path} : scénario invalide\n" + "\n".join(errors))
    return raw
