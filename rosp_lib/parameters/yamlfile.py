"""Strict YAML for parameter and scenario files: Decimal numbers, no auto-dates, no duplicate keys,
no anchors or aliases (a few hundred bytes of aliases expand to billions of nodes), no `.nan` or
`.inf`, only text keys (and years, as integers, at the top level only), UTF-8 only. Every refusal is
a French sentence naming the line.

Numbers are read as written: an exponent without a dot or a sign (`1e3`, `-8.2e2`) is a number, as in
YAML 1.2, not a text; an integer YAML 1.1 would read in another base (`0777` octal, `0x1F`, `0b101`,
`1:30` in base 60) or with a leading zero (`0820`) is refused rather than silently changed; so is a `_`
that does not group the digits of the integer part by three (`8_20`: 820 for YAML, maybe 8,20 for its
author), while `40_000` is read 40000."""

from __future__ import annotations

import copy
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from .errors import ParameterError


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser when PyYAML has it: 10× faster
    pass


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _key_path(root: yaml.Node | None, node: yaml.Node) -> str:
    """The dotted key of `node` in the document (`2024.numerique.exercice_coordonne.montant`, a list item by its
    position from 1), found by walking from the root: only when a value is refused. Empty when not found."""
    stack: list[tuple[yaml.Node, list[str]]] = [(root, [])] if root is not None else []
    while stack:
        current, path = stack.pop()
        if current is node:
            return ".".join(path)
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                name = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
                if key_node is node:
                    return ".".join(path + [name])
                stack.append((value_node, path + [name]))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, path + [str(i)]) for i, item in enumerate(current.value, start=1))
    return ""


def _at(loader: _StrictLoader, node: yaml.Node) -> str:
    """Where a refused value is: « ligne 3, numerique.exercice_coordonne.montant » (its line, and its key)."""
    key = _key_path(getattr(loader, "root_node", None), node)
    return f"ligne {_line(node)}, {key}" if key else f"ligne {_line(node)}"


def _construct_document(loader: _StrictLoader, node: yaml.Node):
    loader.root_node = node  # a year key is allowed only in this mapping
    return yaml.constructor.BaseConstructor.construct_document(loader, node)


_KEY_SHOWN = 40  # characters of a key shown in a message (review: a key of 200 digits was shown whole)


def key_text(key) -> str:
    """A key as a message shows it: shortened past _KEY_SHOWN characters, with its length."""
    text = str(key)
    return text if len(text) <= _KEY_SHOWN else f"{text[:_KEY_SHOWN - 1]}… ({len(text):,} caractères)".replace(",", "\u202f")


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    top = node is getattr(loader, "root_node", None)
    expected = "un nom de paramètre ou une année" if top else "un nom de paramètre"
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise ParameterError(f"ligne {_line(key_node)} : clé qui n'est pas un nom ; attendu : {expected}")
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, bool) or not isinstance(key, (str, int)) or (isinstance(key, int) and not top):
            raise ParameterError(f"ligne {_line(key_node)} : clé « {key_text(key_node.value)} » qui n'est pas un nom ; "
                                 f"attendu : {expected} (mettez-la entre guillemets si c'est un nom)")
        if key in seen:
            raise ParameterError(
                f"clé en double « {key_text(key)} » (lignes {seen[key] + 1} et {key_node.start_mark.line + 1})"
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


# Digits of the integer part grouped by three with `_` (`40_000`, `1_234.5`): the only `_` a number may hold.
_GROUPED = re.compile(r"[-+]?[0-9]{1,3}(?:_[0-9]{3})*(?:[.eE][^_]*)?")


def _refuse_odd_underscores(loader: _StrictLoader, node: yaml.ScalarNode, text: str) -> None:
    if "_" in text and not _GROUPED.fullmatch(text):
        raise ParameterError(f"{_at(loader, node)} : nombre « {node.value} » dont le « _ » ne sépare pas les chiffres "
                             "par groupes de trois ; attendu : un nombre sans « _ » (p. ex. 820 ou 8.20), ou des "
                             "milliers séparés par « _ » (p. ex. 40_000)")


_MAX_DECIMALS = 12
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _construct_float(loader: _StrictLoader, node: yaml.ScalarNode) -> Decimal:
    text = loader.construct_scalar(node)
    _refuse_odd_underscores(loader, node, text)
    text = text.replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise ParameterError(f"{_at(loader, node)} : valeur « {node.value} » ; attendu : un nombre fini "
                             "(.nan et .inf sont refusés)")
    if value and value.adjusted() < -_MAX_DECIMALS:  # (too large a number is refused with its key, by its range)
        # 1e-999999999 is not a cent, yet its exact arithmetic underflows to 0 or runs for minutes
        raise ParameterError(f"{_at(loader, node)} : nombre « {node.value} » trop petit ; attendu : 0, ou un nombre "
                             f"d'au moins 10⁻{str(_MAX_DECIMALS).translate(_SUPERSCRIPTS)} (0,{'0' * (_MAX_DECIMALS - 1)}1)")
    return value


_DECIMAL_INTEGER = re.compile(r"[-+]?(?:0|[1-9][0-9_]*)")


def _construct_int(loader: _StrictLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if not _DECIMAL_INTEGER.fullmatch(text):
        raise ParameterError(f"{_at(loader, node)} : nombre « {node.value} » écrit avec un zéro en tête, un préfixe "
                             "(0x, 0o, 0b) ou « : », que YAML ne lirait pas en base 10 ; attendu : un nombre décimal "
                             "sans zéro en tête (p. ex. 820), ou un texte entre guillemets")
    _refuse_odd_underscores(loader, node, text)
    digits = text.replace("_", "")
    if len(digits) > _LONG_INTEGER:  # Python refuses to read an int of over 4 300 digits (a traceback, review): as a
        return Decimal(digits)  # Decimal, refused with its key by its range (« valeur 9999… (5 000 chiffres) »)
    return int(digits)


_LONG_INTEGER = 100  # digits: far beyond any parameter, far below Python's limit


def _construct_bool(loader: _StrictLoader, node: yaml.ScalarNode) -> bool | str:
    """`true` and `false` (any case) are booleans; YAML 1.1's other ones (`yes`, `no`, `on`, `off`) are kept as the
    text written, as YAML 1.2 reads them: a scenario's yes-or-no value takes « yes » and « no » as it takes « oui »
    and « non » (`scenario._flag`), and any other value is refused showing what the user wrote (« valeur « on »
    refusée »), not « true »."""
    text = loader.construct_scalar(node)
    return {"true": True, "false": False}.get(text.lower(), text)


def _refuse_timestamp(loader: _StrictLoader, node: yaml.ScalarNode):
    raise ParameterError(
        f"{_at(loader, node)} : la date {node.value} n'est pas entre guillemets ; "
        "écrivez-la \"AAAA-MM-JJ\" (les dates automatiques YAML sont refusées)"
    )


def _refuse_tag(loader: _StrictLoader, node: yaml.Node):
    raise ParameterError(f"{_at(loader, node)} : étiquette YAML « !!{node.tag.rsplit(':', 1)[-1]} » "
                         "non prise en charge ; attendu : une valeur écrite simplement (nombre, texte, liste)")


for _tag in ("binary", "set", "omap", "pairs"):  # they would reach the messages as Python objects (« b'hello' »)
    _StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag)
_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.construct_document = _construct_document
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
# YAML 1.1 reads `1e3` and `-8.2e2` as texts (its floats need a dot and a signed exponent): here they are numbers.
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+\Z"),
    list("-+0123456789."))
# An integer with a leading zero that is not octal (`0820`) would be a text: refused with the other integers.
_StrictLoader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"[-+]?0[0-9_]+\Z"), list("-+0"))
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _refuse_timestamp)
_StrictLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)


def _refuse_aliases(text: str) -> None:
    """Anchors (&) and aliases (*) are refused before anything is built: the events are read, not expanded."""
    for event in yaml.parse(text, Loader=_StrictLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            mark = event.start_mark
            raise ParameterError(f"ligne {mark.line + 1} : ancre ou alias YAML (« & » ou « * ») ; "
                                 "attendu : chaque valeur écrite en toutes lettres")


# Parsed files by their bytes: a run reads an exercise's file several times (computation, molecule
# warnings, reports), and parsing is ~30× slower than copying the parsed values (measured: 55 ms
# against 5 ms for one exercise). Keyed by content, a file changed on disk is parsed again.
_PARSED: dict[bytes, Any] = {}
_ATOMS = (str, int, bool, Decimal, float, type(None))


def copy_tree(value: Any) -> Any:
    """`copy.deepcopy` of a parsed YAML tree: new dicts and lists, the same immutable scalars.

    About 2,5× faster than deepcopy on a parameter file (its memo is useless here: aliases are refused,
    so no node is shared); `load_parameters` copies each file once per call, and a report loads the
    parameters about 15 times (measured on 2024.yaml, loaded machine: deepcopy 1,7 ms, copy_tree 0,6 ms)."""
    kind = type(value)
    if kind is dict:
        return {k: copy_tree(v) for k, v in value.items()}
    if kind is list:
        return [copy_tree(v) for v in value]
    if kind in _ATOMS:
        return value
    return copy.deepcopy(value)


def read_yaml(path: Path) -> Any:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ParameterError(f"fichier de paramètres introuvable : {path}") from None
    except IsADirectoryError:
        raise ParameterError(f"{path} : c'est un dossier ; attendu : un fichier YAML") from None
    except OSError as exc:
        from rosp_lib.lines.atomic import reason  # errno → French, as for every file

        raise ParameterError(f"{path} : lecture impossible ({reason(exc)})") from None
    cached = _PARSED.get(data)
    if cached is not None:  # the same bytes parse to the same values: a copy, the caller may change it
        return copy_tree(cached)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParameterError(f"{path} : le fichier n'est pas en UTF-8 (premier caractère illisible ligne {line}) ; "
                             "attendu : un fichier YAML enregistré en UTF-8") from None
    if "\x00" in text:  # valid UTF-8, yet no text holds it: UTF-16 (or 32) without its mark, each letter beside a NUL
        line = text[: text.index("\x00")].count("\n") + 1
        raise ParameterError(f"{path} : le fichier contient des octets nuls (ligne {line}) : UTF-16 ou UTF-32 sans "
                             "marque d'ordre des octets ? ; attendu : un fichier YAML enregistré en UTF-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        _refuse_aliases(text)
        parsed = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - strict safe loader
    except ParameterError as exc:
        raise ParameterError(f"{path} : {exc}") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f"ligne {where.line + 1} : " if where is not None else ""
        tab = where is not None and "\t" in (text.splitlines()[where.line:where.line + 1] or [""])[0]
        raise ParameterError(f"{path} : {line}YAML illisible ; attendu : un YAML valide "
                             + ("(une tabulation décale cette ligne : YAML n'accepte que des espaces, deux par niveau)"
                                if tab else "(vérifiez l'indentation, les « : » et les guillemets)")) from None
    if len(_PARSED) >= 64:
        _PARSED.clear()
    _PARSED[data] = parsed
    return copy_tree(parsed)
