"""« Ce que l'officine peut encore gagner » in the reports: the synthesis (every theme) and each theme report.

Nothing here finds or prices an action: `rosp_lib.counterfactual.gains.report_gains` does, by runs of the
rules (each gain is the difference of two `compute` runs, the total within reach one more run with every
action still possible applied together). This module only words the actions in French, from the input
contract's column descriptions, the registry's indicator titles and the parameters' calendar.

    g = gains.compute(rapport, THEME, date_reference)   # once per report
    display(Markdown(gains.intro_text(rapport, g, THEME)))
    display(gains.actions_table(rapport, g, THEME))
    display(Markdown(gains.reach_text(rapport, g, THEME)))
    gains.record(g, THEME)                               # recorded for the tests, hidden from the HTML

The reference date (« encore possible ») is the report's `date_reference` parameter (AAAA-MM-JJ), today
when empty: a committed or tested report gives it, so that its text never changes with the calendar.
"""

from __future__ import annotations

import datetime as dt

from rosp_lib.counterfactual.gains import ReportGains, report_gains
from rosp_lib.counterfactual.runner import parse_molecule_key
from rosp_lib.lines.formatting import counted, eur, french_list
from rosp_lib.registry import SYNTHESIS, theme as theme_of
from rosp_lib.report.notebook import COLUMN_LABELS, Html, Report, ReportError, table
from rosp_lib.rulebook import hypothesis_named, indicator_words

GAINS_MIME = "application/vnd.rosp.gains+json"
NATURES = {"declaratif": "déclaratif", "mesure": "mesuré"}
MOLECULE_COLUMNS = {"taux_arrivee_pct": "taux d'arrivée (substitution de l'exercice)"}


def reference_date(text: str | dt.date | None, parameter: str = "") -> dt.date:
    """The report's reference date: AAAA-MM-JJ or JJ/MM/AAAA, or today when empty (`parameter`: the notebook
    parameter it comes from, named in the refusal when it is not `date_reference`)."""
    from rosp_lib.inputs.parsing import DATE_EXPECTED, date_of, option_date_problem

    if isinstance(text, dt.date):
        return text
    if not text:
        return dt.date.today()
    named = f" (paramètre {parameter})" if parameter else ""
    if date_of(text) is None:
        raise ReportError(f"date de référence invalide{named} : « {text} » ; attendu : {DATE_EXPECTED}, ou vide pour "
                          "aujourd'hui")
    day, why = option_date_problem(text)
    if why is not None:  # a year out of bounds
        raise ReportError(f"date de référence invalide{named} : {why}")
    return day


def compute(rep: Report, theme: str | None = None, date_reference: str | dt.date | None = "") -> ReportGains:
    """The actions of the pharmacy-year (only the theme's for a theme report), and the total within reach, at the
    reference date. Reuses the report's lines: only the changed variants are computed."""
    return report_gains(rep.pharmacy_rows, rep.molecules, rep.pharmacie_id, rep.exercice, {rep.exercice: rep.params},
                        reference_date(date_reference), theme, lines=rep.lines, readings=alternative_parameters(rep))


def alternative_parameters(rep: Report):
    """A function of a hypothesis key giving the exercise's parameters under its alternative reading (on top of the
    report's scenario), or None when it has none: what each gain is priced under (`readings.alternative_parameters`)."""
    from rosp_lib.report.readings import alternative_parameters as of_scenario

    parameters = of_scenario(rep.scenario)
    return lambda key: parameters(key, rep.exercice)


def _fr_date(day: dt.date | str) -> str:
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return day.strftime("%d/%m/%Y")


def _value(raw: str, col: str) -> str:
    if raw == "":
        return "inconnu"
    return f"{raw} %" if col.endswith("_pct") else raw


def change_text(rep: Report, changes: dict, actuel: str, cible: str) -> str:
    """« description : from → to » for each changed column (a molecule by its name), plain text (escaped by the
    table)."""
    return change_words(rep.molecules, changes, actuel, cible)


def change_words(molecules, changes: dict, actuel: str, cible: str) -> str:
    """`change_text` from the molecules table the gains were searched with (a molecule's change key is a position
    in it): the network view words its actions the same way, without a report."""
    nows, targets = actuel.split(" ; "), cible.split(" ; ")
    parts = []
    for j, col in enumerate(changes):
        mol = parse_molecule_key(col)
        if mol is not None:
            name = molecules.iloc[mol[0]]["molecule"]
            label, column = f"{name} : {MOLECULE_COLUMNS.get(mol[1], mol[1])}", mol[1]
        else:
            label, column = COLUMN_LABELS.get(col, col), col
        now = nows[j] if j < len(nows) else ""
        target = targets[j] if j < len(targets) else ""
        parts.append(f"{label} : {_value(now, column)} → {_value(target, column)}")
    return " ; ".join(parts)


def _indicator_text(rep: Report, code: str) -> str:
    return indicator_words(rep.params, code)




def intro_text(rep: Report, g: ReportGains, theme: str | None = None) -> str:
    """The section's heading and how to read it (Markdown)."""
    where = f"de l'exercice {rep.exercice}" if theme is None else f"de ce thème pour l'exercice {rep.exercice}"
    text = (f"## Ce que l'officine peut encore gagner\n\n"
            f"Chaque action ci-dessous augmente la ROSP {where} ; son gain est la différence de deux "
            "calculs complets, avant et après le changement (socles, prorata et malus compris), classé en euros. "
            f"« Encore possible » est jugé au **{_fr_date(g.date)}** : une action **déclarative** (sur amelipro) se "
            f"fait jusqu'à la fin de la fenêtre de déclaration (le "
            f"{_fr_date(rep.params.calendrier.fin_declaration.valeur)}, sauf échéance propre de la ligne) ; une "
            "action **mesurée** (constatée par l'Assurance Maladie) compte jusqu'à la fin de sa période de mesure "
            "(l'échéance de la ligne).")
    if "echeance_hypothese" in g.table and g.table["echeance_hypothese"].any():
        text += (" Une échéance marquée ⚠ repose sur une hypothèse de lecture du calendrier (une date non publiée) : "
                 "« Ce qu'il faut savoir » donne l'autre date quand elle est plus proche.")
    if theme is None:
        text += " Le détail de chaque thème est dans son rapport."
    return text


# What a gain resting on a hypothesis says (its ⚠, as the lines' ⚠ in the theme reports), naming the hypotheses: the
# theme report's « Hypothèses » lists those of the current amount only, not those of the amount after the change
HYPOTHESIS_REMARK = "⚠ le montant actuel ou celui d'après repose sur une hypothèse de lecture : le gain en dépend"


def gain_text(cents: int, statut: str) -> str:
    """A gain in euros, ⚠ when it rests on a hypothesis (here and in the network view)."""
    return eur(int(cents)) + (" ⚠" if statut == "hypothese" else "")


def remark_text(remarque: str, statut: str, hypotheses=(), params=None, others=()) -> str:
    """What a gain depends on, with HYPOTHESIS_REMARK when it rests on a hypothesis, and the hypotheses by their
    names (`hypotheses`: their keys, named from the exercise's `params`); `others`: (key, gain under its alternative
    reading) of those priced, said after their name; « — » for nothing."""
    said = HYPOTHESIS_REMARK if statut == "hypothese" else ""
    if said and len(hypotheses) and params is not None:
        under = dict(others)
        said += " (" + " ; ".join(f"« {hypothesis_named(k, params)} »"
                                  + (f" : {eur(under[k])} sous l'autre lecture" if k in under else "")
                                  for k in hypotheses) + ")"
    return " ; ".join(x for x in (remarque, said) if x) or "—"


def nothing_to_gain_text(rep: Report, theme: str | None = None) -> str:
    """Why no action is listed, without claiming more than the search did: it tries each input the pharmacy can still
    change, one at a time (and with what it needs); a line whose data is missing is not priced. « chaque indicateur
    est atteint à son plafond » was said of a vaccination line whose counts were both empty (audit)."""
    from rosp_lib.lines.formatting import counted

    where = "ce thème" if theme is not None else "cet exercice"
    lines = rep.theme_lines(theme) if theme is not None else rep.lines
    # a malus line's missing data, filled in, can only lower the amount: not « pourrait rapporter davantage » (review)
    missing = lines["donnee_manquante"].astype(bool).to_numpy()
    malus = (lines["type_ligne"] == "malus").to_numpy()
    up, down = int((missing & ~malus).sum()), int((missing & malus).sum())
    text = (f"Aucune action trouvée ne ferait gagner davantage sur {where} : l'outil essaie chaque donnée que "
            "l'officine peut encore changer (un taux jusqu'au seuil suivant, un nombre jusqu'au palier suivant, une "
            "déclaration à « oui ») et aucune ne change le montant")
    section = "section « Hypothèses et données manquantes »" + (" des rapports des thèmes" if theme is None else "")
    if up:
        return (text + f" ; {counted(up, 'ligne a', 'lignes ont')} une donnée manquante ({section}) : renseignée, "
                "elle pourrait rapporter davantage, ce que l'outil chiffrera.")
    if down:
        return (text + f" ; {counted(down, 'malus a', 'malus ont')} une donnée manquante ({section}) : renseignée, "
                "elle ne pourrait que réduire le montant.")
    return text + " (indicateurs atteints à leur plafond, neutralisés, ou faits de l'exercice que l'officine ne change pas)."


def actions_table(rep: Report, g: ReportGains, theme: str | None = None) -> Html:
    """One row per action, ranked by euros: indicator, what to change (from → to), gain, nature, deadline,
    still possible at the reference date, what the gain depends on."""
    t = g.table
    if t.empty:
        return Html(f"<p>{nothing_to_gain_text(rep, theme)}</p>")
    when = _fr_date(g.date)
    headers = ["Rang", *([] if theme is not None else ["Thème"]), "Indicateur", "Ce qu'il faut changer", "Gain",
               "Nature", "Échéance", f"Encore possible au {when}", "Ce qu'il faut savoir"]
    rows = []
    for r in t.itertuples(index=False):
        possible = "oui" if r.encore_possible == "oui" else "non (échéance passée)"
        rows.append([r.rang, *([] if theme is not None else [theme_of(r.theme).titre_court]),
                     _indicator_text(rep, r.indicateur), change_text(rep, r.changements, r.valeur_actuelle,
                                                                     r.valeur_cible),
                     gain_text(r.gain_cents, r.statut_regle), NATURES.get(r.nature, r.nature),
                     _fr_date(r.echeance) + (" ⚠" if getattr(r, "echeance_hypothese", False) else ""),
                     possible, remark_text(r.remarque, r.statut_regle, r.hypotheses, rep.params,
                                                   getattr(r, "autres_lectures", ()))])
    gain_col = headers.index("Gain")
    return table(headers, rows, right=(gain_col,))


def reach_text(rep: Report, g: ReportGains, theme: str | None = None) -> str:
    """The total within reach (Markdown), and why it is not the sum of the gains."""
    what = "du thème" if theme is not None else "de l'exercice"
    possible = g.table[g.table["encore_possible"] == "oui"]
    passed = len(g.table) - len(possible)
    if possible.empty:
        text = (f"**Total encore à portée au {_fr_date(g.date)} : {eur(0)}** — aucune action n'est encore possible "
                f"à cette date (montant {what} : {eur(g.actuel_cents)}).")
    else:
        text = (f"**Total encore à portée au {_fr_date(g.date)} : {eur(g.a_portee_cents)}**, soit "
                f"{eur(g.actuel_cents)} → {eur(g.actuel_cents + g.a_portee_cents)} pour le montant {what} : ")
        if len(possible) == 1:
            text += "le gain de la seule action encore possible."
        else:
            text += (f"un calcul de plus, les {len(possible)} actions encore possibles appliquées ensemble ; quand "
                     "plusieurs changent la même donnée, c'est la valeur de la mieux classée (celle qui rapporte le plus) qui "
                     "compte")
            if g.sans_effet:
                listed = french_list(g.sans_effet)
                text += (f" : l'action de rang {listed} n'y ajoute rien" if len(g.sans_effet) == 1 else
                         f" : les actions de rangs {listed} n'y ajoutent rien")
            text += (". Ce total n'est pas toujours la somme des gains : deux paliers d'un même indicateur ne se "
                     "cumulent pas, un socle ou un malus change le reste du thème.")
    if passed:
        text += (" L'action dont l'échéance est passée est listée pour mémoire : elle ne compte pas." if passed == 1 else
                 f" Les {passed} actions dont l'échéance est passée sont listées pour mémoire : elles ne comptent pas.")
    return text


def recorded(g: ReportGains, theme: str | None = None) -> dict:
    return {
        "theme": theme or SYNTHESIS,
        "date_reference": g.date.isoformat(),
        "actuel_cents": int(g.actuel_cents),
        "a_portee_cents": int(g.a_portee_cents),
        "actions": [{"rang": int(r.rang), "theme": r.theme, "indicateur": r.indicateur, "colonne": r.colonne,
                     "valeur_actuelle": r.valeur_actuelle, "valeur_cible": r.valeur_cible,
                     "gain_cents": int(r.gain_cents), "nature": r.nature, "echeance": r.echeance,
                     "encore_possible": r.encore_possible} for r in g.table.itertuples(index=False)],
    }


def record(g: ReportGains, theme: str | None = None) -> dict:
    """Display the actions and the total within reach as a machine-readable output (for the tests)."""
    from IPython.display import display

    values = recorded(g, theme)
    display({GAINS_MIME: values, "text/plain": f"gains enregistrés : {values['theme']}, "
                                              f"{counted(len(values['actions']), 'action', 'actions')}, à portée {eur(g.a_portee_cents)}"},
            raw=True)
    return values


def read_recorded(notebook_path) -> list[dict]:
    """Every recorded gains output of an executed notebook."""
    import json
    from pathlib import Path

    nb = json.loads(Path(notebook_path).read_text(encoding="utf-8"))
    return [o["data"][GAINS_MIME] for cell in nb.get("cells", []) for o in cell.get("outputs", [])
            if GAINS_MIME in o.get("data", {})]


__all__ = ["compute", "reference_date", "intro_text", "actions_table", "reach_text", "record", "recorded",
           "read_recorded", "change_text", "change_words",
           "indicator_words"]
