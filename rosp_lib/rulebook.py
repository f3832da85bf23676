"""Rule texts rendered from the parameters of an exercise.

The registry (`rosp_lib.registry`) writes each indicator's title and rule once, as a template; this
module fills the placeholders with the exercise's parameter values, written the French way. A
template never holds a number of a rule: change a parameter (or a scenario) and the text follows.

Placeholders: `{name}` is the leaf `name` of the indicator's parameter node, `{a.b.c}` a leaf by its
full dotted path. Format specs: none (the value with its unit), `texte` (a threshold in words:
« au moins 70 % », « plus de 72 % »), `signe` (« ≥ 70 % »).
"""

from __future__ import annotations

import string
from decimal import Decimal

from pydantic import BaseModel

from .lines.formatting import eur_value, num
from .parameters import ExerciseParameters, Leaf, Seuil
from .registry import Indicator

ETATS = {
    "actif": "actif",
    "neutralise": "neutralisé",
    "non_exige": "non exigé",
    "absent": "absent",
}

# The French words of the parameters whose value is a named reading.
VALEURS = {
    "entamee": "toute tranche entamée compte",
    "complete": "seules les tranches complètes comptent",
    "forfait_et_tranches": "forfait et tranches la première année",
    "forfait_seul": "forfait seul la première année",
    "progression": "boîtes gagnées sur le taux de départ",
    "plancher": "boîtes substituées au-delà du taux plancher",
    "substituees": "boîtes substituées",
    "pas_de_malus": "pas de malus",
    "malus": "malus",
    "tout_nombre": "tout nombre de kits",
    "au_moins_un_kit": "au moins un kit",
    "demi_haut": "au demi supérieur",
    "demi_pair": "au pair",
    "zero": "0 €",
    "montant_bas": "le plus bas des deux montants possibles",
}

_WORDS = {">=": "au moins", ">": "plus de", "<": "moins de", "<=": "au plus"}
_SIGNS = {">=": "≥", ">": ">", "<": "<", "<=": "≤"}
_UNITS_WITH_SPACE = {"%": " %", "points de %": " points"}


def _number(leaf: Leaf) -> str:
    value = leaf.valeur
    unit = leaf.unite
    if unit.startswith("EUR"):
        return eur_value(value)
    if unit in _UNITS_WITH_SPACE:
        return num(value) + _UNITS_WITH_SPACE[unit]
    return num(value)


def leaf_text(leaf: Leaf | None, spec: str = "") -> str:
    """A parameter's value written for a reader."""
    if leaf is None:
        return "(sans objet cet exercice)"
    value = leaf.valeur
    if isinstance(leaf, Seuil):
        text = _number(leaf)
        if spec == "texte":
            return f"{_WORDS[leaf.comparaison]} {text}"
        if spec == "signe":
            return f"{_SIGNS[leaf.comparaison]} {text}"
        return text
    if leaf.unite == "comparaison" or (isinstance(value, str) and value in ("<", "<=")):
        if spec == "texte":
            return {"<": "strictement inférieur au", "<=": "inférieur ou égal au"}[value]
        return _SIGNS.get(value, value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if leaf.unite == "etat":
        return ETATS.get(value, value)
    if leaf.unite == "paliers":
        return bareme_text(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} : {eur_value(v) if isinstance(v, Decimal) else v}" for k, v in value.items())
    if isinstance(value, str):
        return VALEURS.get(value, value)
    return _number(leaf)


def bareme_text(paliers) -> str:
    """The malus scale, from its steps: « moins de 3 points : 0 % ; de 3 à 9 points : 10 % ; … »."""
    steps = sorted(paliers, key=lambda p: p.score_min)
    parts = []
    if steps and steps[0].score_min > 0:
        parts.append(f"moins de {steps[0].score_min} points : 0 %")
    for i, step in enumerate(steps):
        if i + 1 < len(steps):
            parts.append(f"de {step.score_min} à {steps[i + 1].score_min - 1} points : {num(step.taux_pct)} %")
        else:
            parts.append(f"{step.score_min} points et plus : {num(step.taux_pct)} %")
    return " ; ".join(parts)


def find_leaf(params: ExerciseParameters, node: str, name: str) -> Leaf | None:
    """The leaf `name` of `node`, or the leaf at the full path `name`; None when the node does not define it
    this exercise. An unknown name is a bug of the template: KeyError."""
    for path in (f"{node}.{name}" if node else name, name):
        obj = params
        try:
            for part in path.split("."):
                if not isinstance(obj, BaseModel) or part not in type(obj).model_fields:
                    raise KeyError(path)
                obj = getattr(obj, part)
        except KeyError:
            continue
        if obj is None or isinstance(obj, Leaf):
            return obj
    raise KeyError(f"le paramètre « {name} » n'existe pas (nœud {node})")


class _Formatter(string.Formatter):
    def __init__(self, params: ExerciseParameters, node: str):
        self.params, self.node = params, node

    def get_field(self, field_name, args, kwargs):
        return find_leaf(self.params, self.node, field_name), field_name

    def format_field(self, value, format_spec):
        return leaf_text(value, format_spec)


def render(template: str, params: ExerciseParameters, node: str = "") -> str:
    """A template of the registry, its placeholders filled from one exercise's parameters."""
    return _Formatter(params, node).format(template)


def title(ind: Indicator, params: ExerciseParameters) -> str:
    return render(ind.titre, params, ind.noeud)


def rule_text(ind: Indicator, params: ExerciseParameters) -> str:
    return render(ind.regle, params, ind.noeud)


def placeholders(template: str) -> list[str]:
    return [f for _, f, _, _ in string.Formatter().parse(template) if f]
