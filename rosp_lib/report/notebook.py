"""What the report notebooks call: load one pharmacy, show its lines, explain, chart, record, explore.

Nothing here computes a rule: amounts come from `engine.compute`, whose result lines carry the
arithmetic in their notes. This module only selects, formats (in French) and draws.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from rosp_lib.batch import validated
from rosp_lib.engine import compute, parameters_for
from rosp_lib.lines.formatting import eur, num
from rosp_lib.inputs import PHARMACIE_ID_RE, PHARMACY_COLUMNS, empty_molecules, read_inputs
from rosp_lib.report.narrative import CESSION, DECLARATION_PATH, THEMES_INFO, declaration_window
from rosp_lib.parameters import ExerciseParameters, Scenario
from rosp_lib.registry import THEME_CODES as THEMES

RECORD_MIME = "application/vnd.rosp.resultats+json"
THEME_TITLES = {t: THEMES_INFO[t].titre for t in THEMES}


class ReportError(Exception):
    """A report that cannot be made (unknown pharmacy, exercise not in the file); message in French."""


@dataclass
class Report:
    """One pharmacy × exercise: its input row, its parameters and its result lines (all themes)."""

    pharmacie_id: str
    exercice: int
    row: pd.Series
    params: ExerciseParameters
    lines: pd.DataFrame
    pharmacy_rows: pd.DataFrame  # every exercise of this pharmacy in the file
    molecules: pd.DataFrame
    scenario: Scenario | None = None
    all_lines: pd.DataFrame = field(default_factory=pd.DataFrame)  # every exercise of this pharmacy

    @property
    def nom(self) -> str:
        return str(self.row.get("nom") or self.pharmacie_id)

    def theme_lines(self, theme: str) -> pd.DataFrame:
        return self.lines[self.lines["theme"] == theme].reset_index(drop=True)

    def theme_total_cents(self, theme: str) -> int:
        return int(self.theme_lines(theme)["montant_cents"].sum())

    def total_cents(self) -> int:
        return int(self.lines["montant_cents"].sum())


def load(pharmacie_id: str, exercice: int, entree: str, molecules: str = "", parametres: str = "") -> Report:
    """Read and validate the input file, then compute every exercise of the pharmacy."""
    import re

    if not re.fullmatch(PHARMACIE_ID_RE, str(pharmacie_id)):
        raise ReportError(f"identifiant de pharmacie invalide : « {pharmacie_id} »")
    # the tables rosp report validated for these very files, else read and validate them
    pharmacies, mols = validated.load(entree, molecules or None) or read_inputs(entree, molecules or None)
    mine = pharmacies[pharmacies["pharmacie_id"] == pharmacie_id]
    if mine.empty:
        known = ", ".join(sorted(pharmacies["pharmacie_id"].unique())[:8])
        raise ReportError(f"pharmacie « {pharmacie_id} » absente de {entree} (exemples : {known})")
    if int(exercice) not in set(mine["exercice"].astype(int)):
        years = ", ".join(map(str, sorted(mine["exercice"].astype(int))))
        raise ReportError(f"la pharmacie « {pharmacie_id} » n'a pas d'exercice {exercice} dans {entree} (exercices : {years})")
    mols = mols if mols is not None else empty_molecules()
    mols = mols[mols["pharmacie_id"] == pharmacie_id]
    scenario = Scenario.read(parametres) if parametres else None
    mine = mine.reset_index(drop=True)
    params = parameters_for(mine["exercice"].unique(), scenario)
    all_lines = compute(mine, mols, params)
    lines = all_lines[all_lines["exercice"] == int(exercice)].reset_index(drop=True)
    row = mine[mine["exercice"] == int(exercice)].iloc[0]
    return Report(pharmacie_id, int(exercice), row, params[int(exercice)], lines, mine, mols, scenario, all_lines)


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------
STATUT_LABELS = {"texte": "texte", "source": "source", "hypothese": "⚠ hypothèse"}


def _fmt_value(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if isinstance(v, (float, int, np.integer, np.floating)) and not isinstance(v, bool):
        return num(float(v))
    return str(v)


def indicator_table(lines: pd.DataFrame) -> pd.DataFrame:
    """The lines of a theme as a French table a reviewer can read line by line."""
    out = pd.DataFrame({
        "Indicateur": lines["libelle"],
        "Code": lines["indicateur"],
        "Valeur de l'officine": lines["valeur"].map(_fmt_value),
        "Seuil / règle": lines["seuil"].map(lambda s: s if s else "—"),
        "Atteint": lines["atteint"],
        "Montant": lines["montant_cents"].map(eur),
        "Statut": lines["statut_regle"].map(STATUT_LABELS),
        "Calcul et remarques": lines["note"].map(lambda s: s if s else ""),
    })
    out.index = range(1, len(out) + 1)
    return out


def show_table(frame: pd.DataFrame):
    """A left-aligned, wrapped table for the rendered report."""
    return (frame.style.set_uuid("rosp")
            .set_properties(**{"text-align": "left", "white-space": "pre-wrap", "vertical-align": "top"})
            .set_table_styles([{"selector": "th", "props": [("text-align", "left")]}]))


def sum_text(lines: pd.DataFrame) -> str:
    """The theme total as the addition a reviewer redoes by hand (non-zero lines only)."""
    cents = [int(c) for c in lines["montant_cents"] if int(c) != 0]
    total = sum(cents)
    if not cents:
        return f"Total du thème : {eur(0)} (aucune ligne ne paie)."
    parts = " ".join(("− " if c < 0 else "+ ") + eur(abs(c)) for c in cents).lstrip("+ ")
    return f"Total du thème : {parts} = **{eur(total)}**"


def gate_and_malus_text(lines: pd.DataFrame) -> str:
    """The socle gate and the malus, explained with their arithmetic (from the lines' notes)."""
    out = []
    socles = lines[lines["type_ligne"] == "socle"]
    if len(socles):
        failed = socles[~socles["atteint"].isin(["oui", "neutralisé"])]
        if len(failed):
            names = ", ".join(f"« {l} » ({a})" for l, a in zip(failed["libelle"], failed["atteint"]))
            lost = lines.loc[lines["note"].str.contains("socle non atteint", na=False)]
            out.append(f"**Socle non atteint** : {names}. Tout le thème est ramené à 0 € "
                       f"({len(lost)} ligne(s) qui auraient payé ; le détail est dans la colonne « Calcul »).")
        else:
            neut = socles[socles["atteint"] == "neutralisé"]
            txt = "**Socle atteint** : tous les indicateurs socles actifs sont remplis"
            if len(neut):
                txt += " (neutralisés pour cet exercice : " + ", ".join(neut["indicateur"]) + ")"
            out.append(txt + ".")
    for _, m in lines[lines["type_ligne"] == "malus"].iterrows():
        out.append(f"**{m['libelle']}** : {m['note'] or m['atteint']} → ligne de {eur(int(m['montant_cents']))}.")
    info = lines[(lines["type_ligne"] == "information") & lines["indicateur"].str.startswith("facturation_")]
    if len(info):
        parts = [f"{l} : {_fmt_value(v)} % → {n}" for l, v, n in zip(info["libelle"], info["valeur"], info["note"])]
        out.append("Points du malus : " + " ; ".join(parts) + ".")
    return "\n\n".join(out)


def hypotheses_text(lines: pd.DataFrame) -> str:
    hyp = lines[lines["statut_regle"] == "hypothese"]
    if hyp.empty:
        return "Aucune ligne de ce thème ne repose sur une hypothèse de lecture."
    items = []
    for _, l in hyp.iterrows():
        notes = [n.strip() for n in str(l["note"]).split(" ; ") if n.strip().startswith(("hypothèse", "valeur du scénario"))]
        items.append(f"- ⚠ **{l['libelle']}** ({eur(int(l['montant_cents']))}) : " + ("; ".join(notes) or "hypothèse"))
    return ("Lignes fondées sur une **hypothèse** (lecture choisie où les sources se taisent ou divergent ; "
            "l'alternative se choisit par un scénario `--parametres`) :\n\n" + "\n".join(items))


def missing_text(lines: pd.DataFrame, portee: str = "ce thème") -> str:
    miss = lines[lines["donnee_manquante"].astype(bool)]
    if miss.empty:
        return f"Aucune donnée manquante pour {portee}."
    items = "\n".join(f"- **{l}** : non atteint — donnée manquante (0 €)" for l in miss["libelle"])
    return "Données manquantes (l'indicateur compte comme non atteint, ce n'est pas une erreur) :\n\n" + items


def header_text(rep: Report, theme: str) -> str:
    info = THEMES_INFO[theme]
    row = rep.row
    start, end = row.get("debut_activite"), row.get("fin_activite")
    period = ""
    if pd.notna(start) or pd.notna(end):
        s = start.strftime("%d/%m/%Y") if pd.notna(start) else f"01/01/{rep.exercice}"
        e = end.strftime("%d/%m/%Y") if pd.notna(end) else f"31/12/{rep.exercice}"
        period = f"\n\nActivité du titulaire sur l'exercice : du {s} au {e} (exercice partiel). {CESSION}"
    scen = f"\n\nScénario appliqué : `{rep.scenario.path}`." if rep.scenario else ""
    return (f"**{rep.nom}** (`{rep.pharmacie_id}`), exercice **{rep.exercice}** — {info.titre}.\n\n"
            f"**Ce que le thème récompense** : {info.recompense}\n\n"
            f"**Comment c'est connu** : {info.mesure}\n\n**Versement** : {info.versement}{period}{scen}")


def declaration_text(rep: Report, theme: str) -> str:
    info = THEMES_INFO[theme]
    if not info.declaration:
        return f"**À déclarer sur amelipro** : rien — {info.automatique}"
    items = "\n".join(f"- {d}" for d in info.declaration)
    just = "\n".join(f"- {j}" for j in info.justificatifs) or "- aucun"
    return (f"**À déclarer sur amelipro** ({DECLARATION_PATH}) :\n\n{items}\n\n"
            f"**Fenêtre de déclaration** : {declaration_window(rep.exercice)}.\n\n"
            f"**Justificatifs à conserver** (contrôle a posteriori) :\n\n{just}\n\n"
            f"**Automatique** : {info.automatique}\n\n{CESSION}")


# --------------------------------------------------------------------------------------------
# Distances to thresholds: which input column each threshold compares (presentation only).
# --------------------------------------------------------------------------------------------
THRESHOLD_INPUTS = {
    "numerique": {
        "ordonnance_numerique_socle": ("taux_ordonnance_numerique_pct", "seuil_pct"),
        "fse": ("taux_fse_sesam_vitale_pct", "seuil_pct"),
        "scor": ("taux_qualite_scor_pct", "seuil_pct"),
        "dmp": ("taux_dmp_pct", "seuil_pct"),
        "mss": ("taux_mss_pct", "seuil_pct"),
        "eprescription": ("taux_eprescription_pct", "seuil_pct"),
        "apcv": ("taux_apcv_pct", "seuil_pct"),
    },
    "bups": {
        "generiques_repertoire": ("taux_generiques_repertoire_pct", "seuil_pct"),
        "stabilite_75": ("taux_stabilite_75_pct", "seuil_bas_pct"),
        "asafo": ("nb_semaines_asafo", "nb_semaines_min"),
    },
    "dispositif_2024": {
        "trod_angine": ("nb_trod_angine", "nb_min"),
        "entretien_chronique": ("nb_entretiens_chroniques", "nb_min"),
        "accompagnement_grossesse": ("nb_accompagnements_grossesse", "nb_min"),
    },
}


def distances(rep: Report, theme: str) -> pd.DataFrame:
    """Value, threshold and gap (value − threshold) of each active indicator with a numeric threshold."""
    rows = []
    tree = getattr(rep.params, theme)
    for code, (column, attr) in THRESHOLD_INPUTS.get(theme, {}).items():
        ind = getattr(tree, code)
        if not ind.actif:
            continue
        seuil = getattr(ind, attr)
        value = rep.row.get(column)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        rows.append({"indicateur": code, "valeur": float(value), "seuil": float(seuil.valeur),
                     "comparaison": seuil.symbole, "ecart": float(value) - float(seuil.valeur)})
    if theme == "vaccination":
        ind = rep.params.vaccination.bonus_prescription
        a, b = rep.row.get("nb_rva_960"), rep.row.get("nb_rva_750")
        if ind.actif and pd.notna(a) and pd.notna(b) and a + b > 0:
            share = 100 * a / (a + b)
            rows.append({"indicateur": "bonus_prescription", "valeur": share, "seuil": float(ind.seuil_part_pct.valeur),
                         "comparaison": ind.seuil_part_pct.symbole, "ecart": share - float(ind.seuil_part_pct.valeur)})
    return pd.DataFrame(rows, columns=["indicateur", "valeur", "seuil", "comparaison", "ecart"])


# --------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------
def chart_amounts(lines: pd.DataFrame, title: str = "Montant par indicateur"):
    import matplotlib.pyplot as plt

    shown = lines[lines["type_ligne"] != "information"]
    labels = shown["indicateur"].tolist()
    values = (shown["montant_cents"] / 100).tolist()
    fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(labels), 2) + 1))
    colors = ["#c0392b" if v < 0 else "#2e86c1" for v in values]
    ax.barh(labels[::-1], values[::-1], color=colors[::-1])
    for y, v in enumerate(values[::-1]):
        ax.text(v, y, " " + eur(round(v * 100)), va="center", ha="left" if v >= 0 else "right", fontsize=8)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("euros")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def chart_distances(dist: pd.DataFrame, title: str = "Distance au seuil (valeur − seuil)"):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(dist), 2) + 1))
    if dist.empty:
        ax.text(0.5, 0.5, "Aucun seuil chiffré actif pour ce thème et cet exercice", ha="center", va="center")
        ax.set_axis_off()
    else:
        colors = ["#27ae60" if e >= 0 else "#e67e22" for e in dist["ecart"]]
        ax.barh(dist["indicateur"][::-1], dist["ecart"][::-1], color=colors[::-1])
        ax.axvline(0, color="black", linewidth=0.8)
        for y, (_, r) in enumerate(dist[::-1].iterrows()):
            ax.text(r["ecart"], y, f" {num(round(r['valeur'], 2))} vs {r['comparaison']} {num(r['seuil'])}",
                    va="center", ha="left" if r["ecart"] >= 0 else "right", fontsize=8)
        ax.set_xlabel("points (ou unités) au-dessus (+) ou au-dessous (−) du seuil")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def chart_themes(totals: dict[str, int], title: str = "Montant par thème"):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.5))
    names = list(totals)[::-1]
    vals = [totals[t] / 100 for t in names]
    ax.barh(names, vals, color="#2e86c1")
    for y, v in enumerate(vals):
        ax.text(v, y, " " + eur(round(v * 100)), va="center", fontsize=8)
    ax.set_xlabel("euros")
    ax.set_title(title)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# Synthesis
# --------------------------------------------------------------------------------------------
def themes_table(rep: Report) -> pd.DataFrame:
    rows = [{"Thème": THEME_TITLES[t], "Code": t, "Montant": eur(rep.theme_total_cents(t)),
             "Versement": THEMES_INFO[t].versement} for t in THEMES]
    rows.append({"Thème": "Total", "Code": "total", "Montant": eur(rep.total_cents()), "Versement": ""})
    return pd.DataFrame(rows)


def total_text(rep: Report) -> str:
    """The pharmacy's total as the addition of its theme totals."""
    cents = [rep.theme_total_cents(t) for t in THEMES]
    parts = " + ".join(f"{eur(c)} ({t})" for t, c in zip(THEMES, cents) if c)
    return f"Total de l'exercice : {parts or eur(0)} = **{eur(sum(cents))}**"


def calendar_table(rep: Report) -> pd.DataFrame:
    """When each theme is paid and what must be declared, for this exercise."""
    rows = []
    for t in THEMES:
        info = THEMES_INFO[t]
        declared = "; ".join(info.declaration) if info.declaration else "rien (automatique)"
        rows.append({"Thème": THEME_TITLES[t], "Montant": eur(rep.theme_total_cents(t)),
                     "Versement (N+1 = " + str(rep.exercice + 1) + ")": info.versement, "À déclarer": declared})
    return pd.DataFrame(rows)


def hypotheses_summary(rep: Report) -> str:
    hyp = rep.lines[rep.lines["statut_regle"] == "hypothese"]
    if hyp.empty:
        return "Aucune ligne ne repose sur une hypothèse de lecture."
    items = []
    for t, g in hyp.groupby("theme", sort=False):
        items.append(f"- **{THEME_TITLES[t]}** : {len(g)} ligne(s) ⚠ pour {eur(int(g['montant_cents'].sum()))} — "
                     + ", ".join(g["indicateur"]))
    return ("Lignes fondées sur une hypothèse de lecture (le détail et l'alternative sont dans le rapport du thème) :"
            "\n\n" + "\n".join(items) + f"\n\nFenêtre de déclaration : {declaration_window(rep.exercice)}.")


def comparison_table(rep: Report) -> pd.DataFrame | None:
    """Theme totals of every exercise of the pharmacy in the file, beside this one, with the difference."""
    years = sorted(int(y) for y in rep.all_lines["exercice"].unique())
    if len(years) < 2:
        return None
    wide = rep.all_lines.pivot_table(index="theme", columns="exercice", values="montant_cents", aggfunc="sum",
                                     fill_value=0).reindex(list(THEMES), fill_value=0)
    wide.loc["total"] = wide.sum()
    out = pd.DataFrame({str(y): wide[y].map(eur) for y in years})
    for y in years:
        if y != rep.exercice:
            out[f"écart {rep.exercice} − {y}"] = (wide[rep.exercice] - wide[y]).map(eur)
    out.index.name = "thème"
    return out


# --------------------------------------------------------------------------------------------
# Recorded values (read back by tests instead of parsing HTML)
# --------------------------------------------------------------------------------------------
def recorded_values(rep: Report, theme: str | None = None) -> dict:
    lines = rep.lines if theme is None else rep.theme_lines(theme)
    return {
        "pharmacie_id": rep.pharmacie_id,
        "exercice": rep.exercice,
        "theme": theme or "synthese",
        "lignes": {f"{t}.{i}": int(c) for t, i, c in zip(lines["theme"], lines["indicateur"], lines["montant_cents"])},
        "totaux_cents": {t: int(lines.loc[lines["theme"] == t, "montant_cents"].sum()) for t in lines["theme"].unique()},
        "total_cents": int(lines["montant_cents"].sum()),
    }


def record(rep: Report, theme: str | None = None) -> dict:
    """Display the key amounts as a machine-readable output of the notebook."""
    from IPython.display import display

    values = recorded_values(rep, theme)
    display({RECORD_MIME: values, "text/plain": f"montants enregistrés : {values['theme']}, total {eur(values['total_cents'])}"},
            raw=True)
    return values


def read_recorded(notebook_path: str | Path) -> list[dict]:
    """Every recorded-values output of an executed notebook."""
    nb = json.loads(Path(notebook_path).read_text(encoding="utf-8"))
    out = []
    for cell in nb.get("cells", []):
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if RECORD_MIME in data:
                out.append(data[RECORD_MIME])
    return out


# --------------------------------------------------------------------------------------------
# Exploration (ipywidgets)
# --------------------------------------------------------------------------------------------
THEME_GROUPS = {
    "numerique": ("numérique",),
    "bups": ("bon usage",),
    "vaccination": ("vaccination",),
    "colorectal": ("dépistage du cancer colorectal",),
    "dispensation_unite": ("dispensation à l'unité",),
    "dispositif_2024": ("dispositif exceptionnel 2024", "dépistage du cancer colorectal"),
}


def theme_columns(theme: str):
    prefixes = THEME_GROUPS[theme]
    cols = [c for c in PHARMACY_COLUMNS if c.group.startswith(prefixes) and c.kind in ("bool", "int", "rate")]
    if theme == "colorectal":
        cols = [c for c in cols if c.name in ("nb_kits_remis", "nb_kits_realises")] + \
               [c for c in PHARMACY_COLUMNS if c.name == "drom"]
    return cols


class Explorer:
    """Controls for a theme's inputs; every change recomputes the theme through the library."""

    def __init__(self, rep: Report, theme: str):
        import ipywidgets as w

        self.rep, self.theme = rep, theme
        self.controls: dict[str, object] = {}
        for c in theme_columns(theme):
            value = rep.row.get(c.name)
            known = not (value is None or (isinstance(value, float) and math.isnan(value)))
            desc = c.name
            style = {"description_width": "260px"}
            layout = w.Layout(width="420px")
            if c.kind == "bool":
                ctl = w.Checkbox(value=bool(value), description=desc, style=style, layout=layout, indent=False)
            elif c.kind == "int":
                ctl = w.BoundedIntText(value=int(value) if known else 0, min=0, max=c.maximum or 10**9,
                                       description=desc, style=style, layout=layout)
            else:
                ctl = w.BoundedFloatText(value=float(value) if known else 0.0, min=0, max=100, step=0.1,
                                         description=desc, style=style, layout=layout)
            ctl.tooltip = c.description
            ctl.observe(self._changed, names="value")
            self.controls[c.name] = ctl
        self.changed: set[str] = set()
        self.output = w.Output()
        self.total_label = w.HTML()
        self.lines = rep.theme_lines(theme)
        self._refresh_label()

    def frame(self) -> pd.DataFrame:
        """The pharmacy's row with the values the user changed."""
        df = self.rep.pharmacy_rows[self.rep.pharmacy_rows["exercice"] == self.rep.exercice].reset_index(drop=True).copy()
        for name in self.changed:
            ctl = self.controls[name]
            df.loc[0, name] = bool(ctl.value) if isinstance(ctl.value, bool) else float(ctl.value)
        return df

    def recompute(self) -> pd.DataFrame:
        lines = compute(self.frame(), self.rep.molecules, {self.rep.exercice: self.rep.params})
        self.lines = lines[lines["theme"] == self.theme].reset_index(drop=True)
        return self.lines

    @property
    def total_cents(self) -> int:
        return int(self.lines["montant_cents"].sum())

    def _refresh_label(self) -> None:
        base = self.rep.theme_total_cents(self.theme)
        delta = self.total_cents - base
        sign = "+" if delta >= 0 else "−"
        self.total_label.value = (f"<b>Total du thème : {eur(self.total_cents)}</b> "
                                  f"(données de l'officine : {eur(base)} ; écart {sign}{eur(abs(delta))})")

    def _changed(self, change) -> None:
        self.changed.add(change["owner"].description)
        self.recompute()
        self._refresh_label()
        from IPython.display import display

        self.output.clear_output(wait=True)
        with self.output:
            display(show_table(indicator_table(self.lines)[["Indicateur", "Valeur de l'officine", "Atteint", "Montant"]]))

    def widget(self):
        import ipywidgets as w

        return w.VBox([w.HTML(f"<b>Explorer : {THEME_TITLES[self.theme]}</b> — modifiez une valeur, le thème est "
                              "recalculé par la bibliothèque."),
                       w.GridBox(list(self.controls.values()), layout=w.Layout(grid_template_columns="repeat(2, 430px)")),
                       self.total_label, self.output])


__all__ = [
    "Report", "ReportError", "load", "indicator_table", "show_table", "sum_text", "gate_and_malus_text",
    "hypotheses_text", "missing_text", "header_text", "declaration_text", "distances", "chart_amounts",
    "chart_distances", "chart_themes", "themes_table", "comparison_table", "total_text", "calendar_table", "hypotheses_summary", "eur", "record", "recorded_values",
    "read_recorded", "Explorer",
]
