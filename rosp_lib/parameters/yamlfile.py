"""Strict YAML for parameter and scenario files: Decimal numbers, no auto-dates, no duplicate keys."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .errors import ParameterError


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser when PyYAML has it: 10× faster
    pass


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise ParameterError(
                f"clé en double « {key} » (lignes {seen[key] + 1} et {key_node.start_mark.line + 1})"
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


def _construct_float(loader: _StrictLoader, node: yaml.ScalarNode) -> Decimal:
    text = loader.construct_scalar(node).replace("_", "")
    return Decimal(text)


def _refuse_timestamp(loader: _StrictLoader, node: yaml.ScalarNode):
    raise ParameterError(
        f"ligne {node.start_mark.line + 1} : la date {node.value} n'est pas entre guillemets ; "
        "écrivez-la \"AAAA-MM-JJ\" (les dates automatiques YAML sont refusées)"
    )


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _refuse_timestamp)


def read_yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_StrictLoader)  # noqa: S506 - strict safe loader
    except ParameterError as exc:
        raise ParameterError(f"{path} : {exc}") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path} : YAML illisible : {exc}") from None
    except FileNotFoundError:
        raise ParameterError(f"fichier de paramètres introuvable : {path}") from None
