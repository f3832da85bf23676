"""User scenarios: a small YAML that overrides a few parameter values, for all exercises or one."""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ParameterError
from .yamlfile import read_yaml


@dataclass(frozen=True)
class Scenario:
    """Value overrides read from a user's YAML: for all exercises and per exercise."""

    path: str
    tous: dict
    par_exercice: dict[int, dict]

    @classmethod
    def read(cls, path: Path | str) -> "Scenario":
        raw = read_yaml(Path(path))
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise ParameterError(f"{path} : un scénario est un dictionnaire de valeurs à remplacer")
        raw = dict(raw)
        raw.pop("description", None)
        per_year = {k: raw.pop(k) for k in list(raw) if isinstance(k, int)}
        return cls(str(path), raw, per_year)

    def overrides_for(self, exercice: int) -> list[tuple[tuple[str, ...], Any]]:
        out: list[tuple[tuple[str, ...], Any]] = []
        for tree in (self.tous, self.par_exercice.get(exercice, {})):
            _flatten(tree, (), out)
        return out


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


def _apply_overrides(raw: dict, scenario: Scenario, exercice: int) -> dict:
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
        node["valeur"] = value
        node["surcharge"] = scenario.path
    if errors:
        raise ParameterError(f"{scenario.path} : scénario invalide\n" + "\n".join(errors))
    return raw
