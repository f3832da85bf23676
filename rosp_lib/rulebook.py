"""Rule texts rendered from the parameters of an exercise.

The registry (`rosp_lib.registry`) writes each indicator's title and rule once, as a template; this
module fills the placeholders with the exercise's parameter values, written the French way. A
template never holds a number of a rule: change a parameter (or a scenario) and the text follows.

Placeholders: `{name}` is the leaf `name` of the indicator's parameter node, `{a.b.c}` a leaf by its
full dotted path. Format specs: none (the value with its unit), `texte` (a threshold in words:
« au moins 70 % », « plus de 72 % »), `signe` (« ≥ 70 % »).

A scenario is the user's file: the text values it can set (a molecule's name in a list, a key of a
mapping) are data, not text of the project. `rule_text` and the rules book are Markdown: there these
values are escaped (`escape_markdown_text`), the template's own words and numbers kept as written;
`leaf_text` and `title` give plain text (a title has only numbers in it), for HTML (escaped where it is
placed) and for the CSV and XLSX outputs.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel

from .lines.formatting import eur_value, num
from .parameters import ExerciseParameters, Kind, Leaf, Seuil, Unit, iter_leaves, unit
from .registry import Indicator, indicator, indicators_of
from .report.escape import escape_markdown_text

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
    "plancher": "boîtes substituées, toutes payées dès que le taux d'arrivée passe le plancher",
    "substituees": "boîtes substituées",
    "pas_de_malus": "pas de malus",
    "malus": "malus",
    "tout_nombre": "tout nombre de kits",
    "au_moins_un_kit": "au moins un kit",
    "demi_haut": "au demi supérieur",
    "demi_pair": "au pair",
    "zero": "0 €",
    "montant_bas": "le plus bas des deux montants possibles",
    "annee": "de l'année civile",
    "decembre": "de décembre",
}

_WORDS = {">=": "au moins", ">": "plus de", "<": "moins de", "<=": "au plus"}
# A threshold as the verb of a sentence whose subject is the value compared (« la part … dépasse 15 % »).
_VERBS = {">=": "atteint au moins", ">": "dépasse", "<": "reste sous", "<=": "ne dépasse pas"}
_SIGNS = {">=": "≥", ">": ">", "<": "<", "<=": "≤"}


def _number(value, unite: Unit) -> str:
    """A number of this unit: euros written as euros, a percentage with its sign (the unit's suffix)."""
    if unite.euros:
        return eur_value(value)
    return num(value) + unite.suffix


def _plain(text: str) -> str:
    return text


def leaf_text(leaf: Leaf | None, spec: str = "", escape: Callable[[str], str] = _plain) -> str:
    """A parameter's value written for a reader; `escape` is applied to each text the value holds (a name in a
    list, a key of a mapping, a word that is not one of ours), not to the words and numbers written here."""
    if leaf is None:
        return "(sans objet cet exercice)"
    if spec == "libelle":  # the parameter's own words (« Référence 2023 d'une officine installée après le … »)
        return escape(leaf.libelle[:1].lower() + leaf.libelle[1:])
    value = leaf.valeur
    unite = unit(leaf.unite)
    if isinstance(leaf, Seuil):
        text = _number(value, unite)
        if spec == "texte":
            return f"{_WORDS[leaf.comparaison]} {text}"
        if spec == "verbe":
            return f"{_VERBS[leaf.comparaison]} {text}"
        if spec == "signe":
            return f"{_SIGNS[leaf.comparaison]} {text}"
        return text
    if unite.kind is Kind.COMPARISON or (isinstance(value, str) and value in ("<", "<=")):
        if spec == "texte":
            return {"<": "strictement inférieur au", "<=": "inférieur ou égal au"}[value]
        return _SIGNS.get(value, value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if unite.kind is Kind.STATE:
        return ETATS[value] if value in ETATS else escape(str(value))
    if unite.kind is Kind.SCALE:
        return bareme_text(value)
    if isinstance(value, (list, dict)) and not value:
        return "aucune"  # an empty list or mapping (no molecule with its own premium): « 2024–2026 : » read as a gap
    if isinstance(value, list):
        return ", ".join(escape(str(v)) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{escape(str(k))} : {_number(v, unite) if isinstance(v, Decimal) else escape(str(v))}"
                         for k, v in value.items())
    if isinstance(value, str):
        return VALEURS[value] if value in VALEURS else escape(value)
    return _number(value, unite)


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
    return leaf_at(params, node, name)[1]


def leaf_at(params: ExerciseParameters, node: str, name: str) -> tuple[str, Leaf | None]:
    """(its full key, the leaf) of `find_leaf`."""
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
            return path, obj
    raise KeyError(f"le paramètre « {name} » n'existe pas (nœud {node})")


# Written after a value of a rule's text that is a hypothesis of the tool (`rule_text(…, hypotheses=…)`), as the
# reports mark the lines and gains that rest on one.
HYPOTHESIS_MARK = "\u00a0⚠"


class _Formatter(string.Formatter):
    def __init__(self, params: ExerciseParameters, node: str, escape: Callable[[str], str],
                 mark: Callable[[str, Leaf], bool] | None = None):
        self.params, self.node, self.escape, self.mark = params, node, escape, mark

    def get_field(self, field_name, args, kwargs):
        return leaf_at(self.params, self.node, field_name), field_name

    def format_field(self, value, format_spec):
        key, leaf = value
        if format_spec.startswith("accord="):  # « {nb_min:accord=TROD réalisé|TROD réalisés} »: the words, agreed
            from rosp_lib.lines.formatting import agreed

            singular, _, plural = format_spec.removeprefix("accord=").partition("|")
            return agreed(leaf.valeur if leaf is not None else None, singular, plural)
        text = leaf_text(leaf, format_spec, self.escape)
        if self.mark is not None and leaf is not None and format_spec != "libelle" and self.mark(key, leaf):
            return text + HYPOTHESIS_MARK  # (a label is not a value)
        return text


_OPTIONAL = re.compile(r"\[\[(.*?)\]\]")


def render(template: str, params: ExerciseParameters, node: str = "", markdown: bool = False,
           hypotheses: Callable[[str, Leaf], bool] | None = None) -> str:
    """A template of the registry, its placeholders filled from one exercise's parameters; `markdown`: the
    text values of the parameters (a scenario's molecule names) escaped for Markdown. A part written `[[…]]` is
    said only in the exercises that define its parameters with a value (the floor of the 2023 molecules, the
    premiums of a molecule of its own): elsewhere it is left out, not written « (sans objet cet exercice) ».
    `hypotheses(key, leaf)`: whether a value is a hypothesis of the tool, followed by HYPOTHESIS_MARK."""

    def optional(m: re.Match) -> str:
        leaves = [find_leaf(params, node, f.split(":")[0]) for f in placeholders(m.group(1))]
        return "" if any(leaf is None or leaf.valeur in (None, "", [], {}) for leaf in leaves) else m.group(1)

    return _Formatter(params, node, escape_markdown_text if markdown else _plain, hypotheses).format(
        _OPTIONAL.sub(optional, template))


def value_text(leaf: Leaf, value) -> str:
    """Another value of this parameter, written as its own value is (« 2,80 € », « 6 points »)."""
    return leaf_text(leaf.model_copy(update={"valeur": value}))


def reading_note(leaf: Leaf, value) -> str:
    """« 0,00 € : seul le palier de 95 % paie » for the value 0 → « seul le palier de 95 % paie »; "" when the note of
    `leaf`'s alternative does not start with the value it describes (written as `alternative_text` wrote it
    when the parameters were loaded: « oui » / « non », « 31/01/2025 », « 2,80 € »)."""
    head, sep, tail = (leaf.alternative or "").partition(" : ")
    if not sep or not tail.strip():
        return ""
    head = head.strip()
    if isinstance(value, str) and isinstance(leaf.valeur, date):  # a date of the readings file, written as text
        try:
            value = date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, bool):
        same = head.lower() in (("true", "oui") if value else ("false", "non"))
    elif isinstance(value, (int, float, Decimal)):
        same = head == value_text(leaf, Decimal(str(value)))
    elif isinstance(value, date):
        same = head in (value.isoformat(), value.strftime("%d/%m/%Y"))
    else:
        same = head == str(value)
    return tail.strip() if same else ""


def alternative_text(params: ExerciseParameters, path: str, leaf: Leaf) -> str:
    """A hypothesis's alternative reading as a reader reads it, from its text in the parameter file: « oui » / « non »
    for a true / false before « : », a date as dates are written (« 31/01/2025 »), a number as its parameter's value
    is written (« 2,80 € », « 6 points »), and its placeholders (`{montant}`: a parameter of the same node, or a full key)
    filled from the exercise's parameters — an amount a scenario replaces is replaced in this text too (it was typed
    there: « 820 € versés » under a scenario of 900 €). Done once, when the parameters are loaded."""
    text = leaf.alternative or ""
    head, sep, tail = text.partition(" : ")
    if sep and head.strip() in ("true", "false"):
        text = ("oui" if head.strip() == "true" else "non") + sep + tail
    elif sep and isinstance(leaf.valeur, date) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", head.strip()):
        text = date.fromisoformat(head.strip()).strftime("%d/%m/%Y") + sep + tail  # as the date it replaces is written
    elif (sep and isinstance(leaf.valeur, (int, float, Decimal)) and not isinstance(leaf.valeur, bool)
          and re.fullmatch(r"-?\d+(?:\.\d+)?", head.strip())):  # « 2.80 » → « 2,80 € », as the value it replaces
        text = value_text(leaf, Decimal(head.strip())) + sep + tail
    return render(text, params, path.rsplit(".", 1)[0]) if "{" in text else text


# The date an alternative reading of a calendar date starts with: as the parameter file writes it (AAAA-MM-JJ), or as
# the loaded parameters render it (JJ/MM/AAAA, `alternative_text`).
_ALTERNATIVE_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\b|(\d{2})/(\d{2})/(\d{4})\b")


def alternative_date(text: str) -> date | None:
    """The date a hypothesis's other reading of a date starts with (« 31/01/2025 : … »); None when it has none."""
    m = _ALTERNATIVE_DATE.match(text or "")
    if m is None:
        return None
    y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(6), m.group(5), m.group(4))
    return date(int(y), int(mo), int(d))


def title(ind: Indicator, params: ExerciseParameters) -> str:
    """The indicator's title, plain text (its placeholders are numbers only: tests/test_report_escape.py)."""
    return render(ind.titre, params, ind.noeud)


def indicator_words(params: ExerciseParameters, code: str) -> str:
    """The indicator(s) of an action by their titles in the exercise's parameters (« A + B » for a combination of
    the gains search: `malus_qualite_facturation + stabilite_75`)."""
    return " + ".join(title(indicator(c), params) for c in code.split(" + "))


def rule_text(ind: Indicator, params: ExerciseParameters,
              hypotheses: Callable[[str, Leaf], bool] | None = None) -> str:
    """The indicator's rule for the exercise, in Markdown: a scenario's names in it are escaped; `hypotheses(key,
    leaf)`: whether a value is a hypothesis of the tool, marked ⚠ (HYPOTHESIS_MARK)."""
    return render(ind.regle, params, ind.noeud, markdown=True, hypotheses=hypotheses)


def rule_is_defined(ind: Indicator, params: ExerciseParameters) -> bool:
    """Whether the exercise defines every parameter the rule's text names (a neutralised indicator may define none:
    its text would read « prime de (sans objet cet exercice) par boîte »)."""
    return all(find_leaf(params, ind.noeud, f.split(":")[0]) is not None for f in placeholders(ind.regle))


def placeholders(template: str) -> list[str]:
    return [f for _, f, _, _ in string.Formatter().parse(template) if f]


# --------------------------------------------------------------------------------------------
# The rules book: every theme and indicator, its rule by exercise, its parameters, status and source.
# --------------------------------------------------------------------------------------------
STATUTS_TEXTE = {
    "texte": "texte (convention ou avenant)",
    "source": "source (document public de l'Assurance Maladie ou de la profession, non vérifié sur le texte)",
    "hypothese": "hypothèse (lecture choisie ici ; l'alternative se choisit par un scénario)",
}
_ORDER = {"texte": 0, "source": 1, "hypothese": 2}


def statut_word(code: str) -> str:
    """A status as a reader reads it (« hypothèse »); its code (« hypothese ») stays that of the files (`statut_regle`,
    the parameter files) and of the scenarios."""
    return STATUTS_TEXTE[code].split(" (", 1)[0] if code in STATUTS_TEXTE else code


def value_word(value: str) -> str:
    """A state or a named reading as a reader reads it (« neutralisé », « de l'année civile »), not its code."""
    return ETATS.get(value) or VALEURS.get(value) or value


def _node(params: ExerciseParameters, path: str):
    obj = params
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _node_leaves(params: ExerciseParameters, path: str) -> list[tuple[str, Leaf]]:
    from .parameters import iter_leaves

    return list(iter_leaves(_node(params, path), path + "."))


def state(params: ExerciseParameters, ind: Indicator) -> str:
    """The indicator's state this exercise (`actif`, `neutralise`, `non_exige`, `absent`; `actif` when its node
    has no state)."""
    node = _node(params, ind.noeud)
    return node.etat.valeur if hasattr(node, "etat") else "actif"


def in_force(params: ExerciseParameters, ind: Indicator) -> bool:
    """The indicator's rule applies this exercise: `actif`, or `non_exige` (a socle not required, still paid when
    met); not `neutralise` (neither required nor paid) nor `absent`."""
    return state(params, ind) in ("actif", "non_exige")


def theme_exists(params: ExerciseParameters, theme_code: str) -> bool:
    """The theme exists this exercise: at least one of its indicators is not `absent`."""
    return any(state(params, i) != "absent" for i in indicators_of(theme_code))


def hypothesis_label(key: str, params: ExerciseParameters) -> str:
    """A parameter leaf (a hypothesis) named for a reader: the title of the indicator it belongs to, then the leaf's
    label (« Stabilité de la délivrance … : Montant au palier bas »); the key itself only for a leaf the exercise
    does not define. Shared by the reports, the claim drafts and the network view."""
    from .parameters import iter_leaves

    leaf = dict(iter_leaves(params)).get(key)
    where = _owner_title(key, params)
    lib = leaf.libelle if leaf is not None else key
    return f"{where} : {lib}" if where else lib


def _owner_title(key: str, params: ExerciseParameters) -> str:
    """The title of the indicator a parameter leaf belongs to (the one named like its node first); "" for none."""
    from .registry import INDICATORS

    node = key.rsplit(".", 1)[0]
    owners = sorted((i for i in INDICATORS if i.noeud == node), key=lambda i: i.code != node.rsplit(".", 1)[-1])
    return title(owners[0], params) if owners else ""


def hypothesis_named(key: str, params: ExerciseParameters) -> str:
    """`hypothesis_label`, with the state read when the hypothesis is an indicator's state: where the value is not
    said beside it (a gain's remark, a claim draft), « … : État de l'indicateur pour l'exercice » did not say what was
    assumed (a letter to the caisse named « LAD certifié HAS : État de l'indicateur pour l'exercice »: review)."""
    from .parameters import iter_leaves

    label = hypothesis_label(key, params)
    leaf = dict(iter_leaves(params)).get(key) if key.endswith(".etat") else None
    if leaf is not None and unit(leaf.unite).kind is Kind.STATE and leaf.valeur in ETATS:
        # « Disposer d'un LAD certifié HAS : neutralisé cet exercice », not « … : État de l'indicateur pour l'exercice
        # (neutralisé) » (review: obscure in a letter to the caisse)
        return f"{_owner_title(key, params) or label} : {ETATS[leaf.valeur]} cet exercice"
    return label


def _years_text(years: list[int]) -> str:
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years))


def _grouped(values: dict[int, str]) -> list[tuple[str, str]]:
    """{exercice: text} → [(years, text)], consecutive equal texts grouped."""
    out: list[tuple[list[int], str]] = []
    for year in sorted(values):
        if out and out[-1][1] == values[year] and out[-1][0][-1] == year - 1:
            out[-1][0].append(year)
        else:
            out.append(([year], values[year]))
    return [(_years_text(y), t) for y, t in out]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _partial_year(exercises: dict[int, ExerciseParameters]) -> list[str]:
    """Which amounts a partial year prorates, from the registry (`Indicator.forfait`, `prorata_cle`): the rule is
    applied by `rules.base.finish_theme`; the book named no indicator (review: a socle prorated, a per-act amount not,
    could be redone from a report's « Calcul » only)."""
    from .registry import INDICATORS

    latest = exercises[max(exercises)]

    def named(inds) -> str:  # each by its title in the most recent exercise that has it, and its code
        def params_of(ind):
            return next((exercises[y] for y in sorted(exercises, reverse=True) if state(exercises[y], ind) != "absent"),
                        latest)
        return " ; ".join(f"{title(i, params_of(i))} (`{i.code}`)" for i in inds)

    present = [i for i in INDICATORS if any(state(exercises[y], i) != "absent" for y in exercises)]
    alone = [i for i in present if i.forfait and not i.prorata_cle]
    keyed = [i for i in present if i.forfait and i.prorata_cle]
    per_act = [i for i in present if i.par_acte]
    keys = sorted({i.prorata_cle for i in keyed})
    out = ["**Exercice partiel** (installation, cession ou fermeture en cours d'année) : chaque titulaire reçoit la "
           "ROSP de son temps d'activité.", "",
           "- Forfaits, proratisés sous la lecture `general.prorata_forfaits` (montant × jours d'activité / jours de "
           "l'année, arrondi au centime) : " + named(alone) + "."]
    if keyed:
        out += ["- Forfaits proratisés seulement si " + " et ".join(f"`{k}`" for k in keys) + " le dit aussi : "
                + named(keyed) + "."]
    if per_act:
        out += ["- Montants sur les actes, boîtes ou patients du titulaire lui-même, sans prorata ; leurs plafonds "
                "restent entiers et leurs seuils s'appliquent tels quels à ses comptes : " + named(per_act) + "."]
    return out


def book_markdown(exercises: dict[int, ExerciseParameters], scenario: str | None = None) -> str:
    """The rules book in Markdown, for the given exercises (all the parameter files by default). `scenario`:
    the name of the user's scenario the parameters were loaded with: the header says so, and each value it
    replaced is marked « scénario », without the official status and source of the value it replaced."""
    from .registry import THEMES

    years = sorted(exercises)
    first = exercises[years[0]]
    replaced = [] if scenario is None else [
        "",
        f"**Scénario « {escape_markdown_text(scenario)} »** : ce livre n'est pas celui des paramètres de référence. "
        "Les valeurs que le scénario remplace ont pour statut « scénario » : elles ne viennent d'aucune source "
        "publique, et leur règle est écrite avec elles.",
    ]
    out = [
        "# Règles de la ROSP des officines",
        "",
        f"{'Exercices' if len(years) > 1 else 'Exercice'} {_years_text(years)}. Généré depuis les paramètres datés (`parameters/<exercice>.yaml`) et le "
        "registre des indicateurs par `rosp regles` : ne pas modifier à la main. Chaque montant, seuil et date "
        "vient d'un paramètre ; chaque paramètre porte sa source publique et son statut :",
        "",
        *(f"- **{statut_word(k)}** : {v.split(' (', 1)[1][:-1] if ' (' in v else v}" for k, v in STATUTS_TEXTE.items()),
        *replaced,
        "",
        "États d'un indicateur : **actif** (exigé s'il est socle, payé s'il paie), **neutralisé** (ni exigé ni "
        "payé), **non exigé** (socle dont l'exigence est levée cet exercice : son montant reste payé s'il est "
        "atteint), **absent** (n'existe pas cet exercice).",
        "",
        "Une hypothèse se remplace par un scénario (`rosp compute --parametres scenario.yaml`) dont la clé est le "
        "chemin du paramètre, par exemple :",
        "",
        "```yaml",
        "numerique:",
        "  teleconsultation:",
        "    tranches: complete",
        "```",
        "",
        "## Règles communes",
        "",
    ]
    out += _params_table(exercises, "general")
    out += ["", *_partial_year(exercises)]
    for theme in THEMES:
        paid = _grouped({y: theme.versement_of(exercises[y]) for y in years
                         if theme.payment_leaf(exercises[y]) is not None})
        out += ["", f"## {theme.ordre}. {theme.titre}", "", f"Ce que le thème récompense : {theme.rewards()}", ""]
        if paid:  # (a theme absent from every exercise of the book has no date: review, « Versement : . »)
            out += ["Versement (`calendrier.versement." + theme.code + "`, statut et source au calendrier) : "
                    + " ; ".join(f"{ys} : {t}" for ys, t in paid) + ".", ""]
        seen_nodes: set[str] = set()
        for ind in indicators_of(theme.code):
            out += ["", f"### {title(ind, exercises[years[-1]])} (`{ind.code}`)", ""]
            kind = {"socle": "indicateur socle", "indicateur": "indicateur rémunéré", "malus": "malus",
                    "information": "information (hors total)"}[ind.type_ligne]
            how = f"déclaré sur amelipro ({ind.declaration})" if ind.declaratif else "mesuré par l'Assurance Maladie"
            cols = ", ".join(f"`{c}`" for c in ind.colonnes) or "table `molecules`"
            out += [f"Type : {kind} ; {how} ; colonnes d'entrée : {cols}.", ""]
            rules: dict[int, str] = {}
            for y in years:
                etat = state(exercises[y], ind)
                if etat in ("absent", "neutralise"):
                    rules[y] = f"*{ETATS[etat]} cet exercice*"
                else:
                    text = rule_text(ind, exercises[y])
                    rules[y] = text if etat == "actif" else f"*{ETATS[etat]} cet exercice* — {text}"
            out += ["| Exercices | Règle |", "|---|---|"]
            out += [f"| {y} | {_cell(t)} |" for y, t in _grouped(rules)]
            if ind.noeud not in seen_nodes:
                seen_nodes.add(ind.noeud)
                out += ["", *_params_table(exercises, ind.noeud)]
            else:
                out += ["", "Paramètres : voir l'indicateur précédent (même nœud de paramètres)."]
    out += ["", "## Calendrier", "", "Ce qui reste possible pour un exercice, et jusqu'à quand (`rosp gains`) : une "
            "déclaration jusqu'à la fin de la fenêtre de déclaration, un indicateur mesuré jusqu'à la fin de sa période "
            "de mesure. Puis le dernier jour où chaque thème est versé (`rosp rapprocher`) : avant, ce qui manque peut "
            "encore venir ; après, il est à réclamer.", ""]
    out += _params_table(exercises, "calendrier")
    out += _references(exercises)
    del first
    return "\n".join(out).rstrip() + "\n"


def _references(exercises: dict[int, ExerciseParameters]) -> list[str]:
    """The documents the book's parameters cite (their own source or « voir aussi »), each once, with its address where
    it is public online: a reviewer finds each one from the book alone. The tool's own rules book (nature « projet »)
    is named apart: it is no public document."""
    cited: list = []
    for params in exercises.values():
        for _, leaf in iter_leaves(params):
            if leaf.surcharge:  # a scenario's value: no public document behind it
                continue
            for doc in (leaf.reference.document, *leaf.reference._others):
                if doc not in cited:
                    cited.append(doc)
    from .parameters import default_references

    listed = list(default_references().values())  # within a nature, in the order of parameters/references.yaml
    order = {"texte": 0, "assurance_maladie": 1, "profession": 2, "presse": 3}
    public = sorted((d for d in cited if d.nature != "projet"),  # the legal texts first, then the Assurance Maladie's
                    key=lambda d: (order.get(d.nature, len(order)), listed.index(d) if d in listed else len(listed)))
    out = ["", "## Références", "", "Les documents publics cités par les paramètres de ce livre (textes officiels, puis "
           "documents de l'Assurance Maladie, de la profession et de la presse), avec leur adresse quand ils sont en "
           "ligne :", ""]
    out += [f"{i}. {escape_markdown_text(d.citation)}" + (f" — <{d.url}>" if d.url else "")
            for i, d in enumerate(public, 1)]
    own = [d for d in cited if d.nature == "projet"]
    if own:
        out += ["", "Là où ces documents se taisent ou divergent, la lecture retenue est celle de l'outil (ce n'est pas "
                "une source publique) : " + " ; ".join(escape_markdown_text(d.citation) for d in own) + "."]
    return out


def scenario_source(path: str) -> str:
    """The source of a value a user's scenario replaced: the scenario, never a public source (plain text: `lignes.csv`;
    the rules book escapes it for its Markdown tables)."""
    return f"scénario « {Path(path).name} » (aucune source publique)"


def _scenario_source(path: str) -> str:
    return escape_markdown_text(scenario_source(path))


def _params_table(exercises: dict[int, ExerciseParameters], node: str) -> list[str]:
    years = sorted(exercises)
    paths: dict[str, dict[int, Leaf]] = {}
    for y in years:
        for path, leaf in _node_leaves(exercises[y], node):
            paths.setdefault(path, {})[y] = leaf
    # in the order of the exercise that has the most of them (a leaf of 2024 only is not put after the others)
    fullest = max((_node_leaves(exercises[y], node) for y in years), key=len)
    order = {path: i for i, (path, _) in enumerate(fullest)}
    paths = dict(sorted(paths.items(), key=lambda item: order.get(item[0], len(order))))
    out = ["| Paramètre | Valeur par exercice | Statut | Source |", "|---|---|---|---|"]
    notes: list[str] = []
    for path, by_year in paths.items():
        values = _grouped({y: leaf_text(leaf, escape=escape_markdown_text) for y, leaf in by_year.items()})
        value_text = " ; ".join(f"{ys} : {t}" for ys, t in values)
        statuts = _grouped({y: "scénario" if leaf.surcharge else statut_word(leaf.statut) for y, leaf in by_year.items()})
        statut_text = " ; ".join(f"{ys} : {t}" if len(statuts) > 1 else t for ys, t in statuts)
        sources = _grouped({y: _scenario_source(leaf.surcharge) if leaf.surcharge else leaf.source
                            for y, leaf in by_year.items()})
        source_text = " ; ".join(f"{ys} : {t}" if len(sources) > 1 else t for ys, t in sources)
        label = next(iter(by_year.values())).libelle
        out.append(f"| {_cell(label)} (`{path}`) | {_cell(value_text)} | {_cell(statut_text)} | {_cell(source_text)} |")
        hyps = _grouped({y: (leaf.alternative, leaf.alternative_cle) for y, leaf in by_year.items()
                         if leaf.statut == "hypothese"})
        for ys, (alt, other) in hyps:
            key = (f"`{other}` (sa lecture alternative ; `{path}` n'en change que la valeur)" if other else f"`{path}`")
            notes.append(f"- Hypothèse `{path}` ({ys}) — alternative : {alt}. Clé de scénario : {key}.")
    return out + ([""] + notes if notes else [])
