"""Écrit le notebook de vue réseau `90_reseau.ipynb` puis l'exécute sur les données d'exemple, pour qu'il soit
versionné avec ses sorties (tests nbval).

    .venv/bin/python notebooks/build_reseau.py            # écrit et exécute
    .venv/bin/python notebooks/build_reseau.py --sans-executer

Le notebook n'implémente aucune règle : il appelle rosp_lib.report.network sur les lignes de résultat du moteur.
Modifier le notebook à la main est possible, mais ce script le réécrit : reportez la modification ici.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from build_notebooks import TECHNIQUE, _strip_volatile, _tagged  # noqa: E402

INJECTED_NOTE = ("# Valeur de l'exemple versionné (build_reseau.py) : elle remplace celle de la cellule précédente ;\n"
                 "# supprimez cette cellule pour juger à la date du jour.\n")

NAME = "90_reseau.ipynb"
GAINS_DATE = "2026-12-01"  # the day the committed notebook judges « encore possible » (only with rosp gains)

PARAMETERS = '''\
# Paramètres de la vue réseau : papermill les remplace (cellule étiquetée « parameters »).
entree: str = "../data/pharmacies.csv"  # table des pharmacies (.csv ou .xlsx), tout le fichier
molecules: str = "../data/molecules.csv"  # table des molécules ciblées ; "" si aucune
parametres: str = ""  # scénario YAML qui remplace des paramètres ; "" pour les paramètres de référence
sortie: str = ""  # dossier des rapports par pharmacie, relatif à ce notebook ("" : ce notebook est à sa racine)
index: str = ""  # page de la liste de tous les rapports, liée en tête ("" : aucun lien ; rosp report : index.html)
seuil_atypique: float = 3.5  # |score z robuste| au-delà duquel un total est signalé comme atypique
min_atypique: int = 5  # nombre minimal d'officines d'un exercice pour y chercher des totaux atypiques
nb_gains: int = 20  # nombre de gains à portée montrés pour tout le réseau
nb_atypiques_max: int = 50  # nombre maximal de totaux atypiques montrés par exercice (les plus éloignés d'abord)
nb_liens_max: int = 1000  # nombre maximal de lignes de liens (les atypiques d'abord) ; 0 pour toutes
gains_max_lignes: int = 500  # au-delà de ce nombre de lignes officine × exercice, les gains ne sont pas cherchés ici
date_gains: str = ""  # date (AAAA-MM-JJ ou JJ/MM/AAAA) où juger si une action est encore possible ; "" pour aujourd'hui'''

INTRO = """\
# Vue réseau de la ROSP

Cette page résume le calcul de la ROSP pour **toutes les officines et tous les exercices** du fichier d'entrée :
la répartition des totaux et de chaque thème, la part des officines qui atteignent chaque indicateur et chaque
socle, les euros qui reposent sur une hypothèse de lecture, les totaux atypiques et un lien vers les rapports de
chaque officine.

Les montants viennent du moteur de calcul (les mêmes lignes que `rosp compute`) ; cette page n'applique aucune
règle elle-même. Les statistiques sont données **par exercice**, car les règles changent d'un exercice à l'autre."""

SETUP = """\
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Markdown, display

from rosp_lib.lines.formatting import agreed, eur, num
from rosp_lib.report import network as rn
from rosp_lib.report.notebook import png, user_errors

user_errors()  # une erreur de paramètre ou de fichier : un seul message, en français
rn.check_parameters(seuil_atypique=seuil_atypique, min_atypique=min_atypique, nb_gains=nb_gains,
                    nb_atypiques_max=nb_atypiques_max, nb_liens_max=nb_liens_max, gains_max_lignes=gains_max_lignes)
jour = rn.gains_date(date_gains)  # vérifiée ici, avant tout affichage
reseau = rn.load_network(entree, molecules, parametres)
lignes, totaux, noms = reseau.lines, reseau.totals, reseau.names()
exercices = sorted(int(e) for e in totaux["exercice"].unique())
base = (sortie.rstrip("/") + "/") if sortie else ""
if index:
    display(HTML(rn.navigation(index)))  # la liste de tous les rapports (rosp report l'écrit à côté de cette page)
if reseau.scenario is not None:
    display(HTML(rn.scenario_banner(reseau)))  # le bandeau des rapports : chaque valeur remplacée
display(Markdown(f"**{num(len(totaux))}** {agreed(len(totaux), 'ligne', 'lignes')} officine × exercice, "
                 f"**{num(len(noms))}** {agreed(len(noms), 'officine', 'officines')}, "
                 f"{agreed(len(exercices), 'exercice', 'exercices')} : {', '.join(map(str, exercices))}."))"""

DIST_MD = """\
## Répartition des totaux et de chaque thème

Pour chaque exercice : moyenne, déciles, quartiles et médiane des montants par officine. Les quantiles sont des
montants observés (la médiane d'un nombre pair d'officines est la plus basse des deux du milieu)."""

DIST = """\
themes = rn.themes_by_year(lignes)  # les thèmes de chaque exercice : ceux qui ont des lignes
repartition = rn.distributions(totaux, themes)
for exercice in exercices:  # un titre propre à la section : une ancre par titre (deux « Exercice 2022 » en avaient une)
    display(Markdown(f"### Exercice {exercice} : répartition des montants"))
    if sans_objet := rn.absent_themes_text(themes, exercice):
        display(Markdown(sans_objet))
    display(rn.show(rn.distribution_table(repartition, exercice)))
    fig = rn.chart_themes(totaux, exercice, themes)
    display(png(fig))  # rendu une fois, texte de remplacement en français"""

DIST_CHART = """\
fig = rn.chart_totals(totaux)
display(png(fig))"""

SHARES_MD = """\
## Part des officines qui atteignent chaque indicateur et chaque socle

Une officine atteint un indicateur quand sa ligne le dit (`atteint = oui`). La part est prise parmi les officines
pour lesquelles l'indicateur compte (atteint, non atteint ou donnée manquante) ; un indicateur neutralisé ou sans
objet pour l'exercice est compté à part. Les *socles* conditionnent tout leur thème : le second tableau donne la
part des officines dont aucun socle ne manque."""

SHARES = """\
parts = rn.indicator_shares(lignes)
socles = rn.socle_shares(lignes)
for exercice in exercices:
    display(Markdown(f"### Exercice {exercice} : indicateurs et socles atteints"))
    display(rn.show(rn.shares_table(parts, exercice)))
    s = socles[socles["exercice"] == exercice]
    display(rn.show(pd.DataFrame({"Thème": s["titre"], "Officines": s["nb_pharmacies"].map(num),
                                  "Tous les socles atteints": s["nb_socles_atteints"].map(num),
                                  "Part": s["part"].map(rn.pct_text)})))
    fig = rn.chart_shares(parts, exercice)
    display(png(fig))  # rendu une fois, texte de remplacement en français"""

HYP_MD = """\
## Euros qui reposent sur une hypothèse

Certaines lignes appliquent une **hypothèse de lecture** (là où les textes se taisent ou divergent) ; leur montant
changerait avec l'autre lecture, qu'un scénario permet de choisir (paramètre `parametres` de ce notebook, option `--parametres` de `rosp report`). Les primes (lignes positives) et
les malus (lignes négatives) qui reposent sur une hypothèse sont comptés **à part** : un malus n'est jamais déduit
des primes dans les colonnes « Primes » et « Malus » ; le « Solde » est primes moins malus.

Le premier tableau donne, par exercice : le total de toutes les lignes (malus déduits), les primes versées par des
lignes qui reposent sur une hypothèse et leur part dans toutes les primes versées, les malus qui reposent sur une
hypothèse, puis le solde. Le second donne les mêmes montants pour chaque hypothèse, d'après les lignes qui en
dépendent : une ligne qui dépend de deux hypothèses compte pour chacune, ces lignes ne s'additionnent donc pas
d'une hypothèse à l'autre."""

HYP = """\
hyp = rn.hypothesis_summary(lignes)
display(rn.show(pd.DataFrame({
    "Exercice": hyp["exercice"].astype(str), "Total des lignes (malus déduits)": hyp["montant_total_cents"].map(eur),
    "Primes sur une hypothèse": hyp["primes_hypothese_cents"].map(eur),
    "Part des primes versées": hyp["part_primes"].map(rn.pct_text),
    "Malus sur une hypothèse": hyp["malus_hypothese_cents"].map(eur),
    "Solde sur une hypothèse": hyp["montant_hypothese_cents"].map(eur),
    "Officines concernées": hyp["nb_pharmacies_hypothese"].map(num),
    "Lignes non nulles": hyp["nb_lignes_hypothese_payantes"].map(num),
    "dont malus": hyp["nb_lignes_malus_hypothese"].map(num)})))
cles = rn.hypothesis_keys(lignes)
display(rn.show(pd.DataFrame({
    "Exercice": cles["exercice"].astype(str), "Hypothèse": rn.hypothesis_labels(cles, reseau.scenario),
    "Primes": cles["primes_cents"].map(eur), "Malus": cles["malus_cents"].map(eur),
    "Solde": cles["montant_cents"].map(eur), "Lignes": cles["nb_lignes"].map(num),
    "Officines payées ou pénalisées": cles["nb_pharmacies"].map(num)})))"""

GAINS_MD = """\
## Les plus gros gains à portée

Les actions encore possibles à la date de référence (dite ci-dessous) qui augmenteraient le plus la ROSP, toutes
officines confondues, calculées comme le fait `rosp gains` et dites comme dans la synthèse de chaque officine (la
donnée à changer, de → à) : chaque gain est la différence de deux calculs complets, avant et après l'action."""

GAINS = """\
if not rn.gains_available():
    display(Markdown("Le calcul des gains à portée (`rosp gains`) n'est pas disponible dans cette version."))
elif nb_gains <= 0 or len(totaux) > gains_max_lignes:
    display(Markdown(f"Gains à portée non cherchés ici ({num(len(totaux))} lignes officine × exercice, au-delà du "
                     f"paramètre `gains_max_lignes` = {num(gains_max_lignes)}, ou `nb_gains` nul) : la recherche "
                     "relance les règles pour chaque action possible. Lancez `rosp gains` sur le fichier, par paquets "
                     "si besoin."))
else:
    gains = rn.largest_gains(reseau.pharmacies, reseau.molecules, top=nb_gains, scenario=reseau.scenario, date=jour)
    display(Markdown(rn.gains_date_text(jour)))
    if gains.empty:
        display(Markdown("Aucune action encore possible n'augmenterait la ROSP."))
    else:
        display(rn.show(rn.gains_frame(gains, reseau.molecules, noms, reseau.scenario)))"""

OUT_MD = """\
## Totaux atypiques

Un total est signalé quand son **score z robuste** (écart à la médiane de l'exercice rapporté à l'écart absolu
médian) dépasse un seuil en valeur absolue ; un exercice qui compte trop peu d'officines n'est pas examiné (le seuil
et l'effectif minimal, ci-dessous, sont les paramètres `seuil_atypique` et `min_atypique` de ce notebook). Atypique ne veut pas dire faux : c'est une officine à regarder
d'abord (données d'entrée, cession, DROM…)."""

OUT = """\
atypiques = rn.outliers(totaux, threshold=seuil_atypique, min_group=min_atypique)
effectifs = totaux["exercice"].value_counts()
trop_petits = [str(e) for e in exercices if effectifs[e] < min_atypique]
display(Markdown(f"Seuil utilisé : score z robuste au-delà de {num(seuil_atypique)} en valeur absolue ; exercices "
                 f"examinés : ceux d'au moins {num(min_atypique)} officines."))
if trop_petits:
    display(Markdown(f"{agreed(len(trop_petits), 'Exercice non examiné', 'Exercices non examinés')}, moins de "
                     f"{num(min_atypique)} officines : {', '.join(trop_petits)}."))
if atypiques.empty and len(trop_petits) < len(exercices):
    display(Markdown("Aucun total atypique au seuil choisi parmi les exercices examinés."))
elif not atypiques.empty:
    montres = atypiques.groupby("exercice", sort=True).head(nb_atypiques_max)
    if len(montres) < len(atypiques):
        display(Markdown(f"{num(len(atypiques))} totaux atypiques ; les {num(nb_atypiques_max)} plus éloignés de "
                         "chaque exercice :"))
    display(rn.show(rn.outliers_table(montres, noms)))"""

LINKS_MD = """\
## Rapports de chaque officine

Un lien vers la synthèse (le nom de l'officine) et vers chaque rapport de thème (numérotés dans l'ordre des
thèmes) de chaque officine, tels que `rosp report --toutes` les écrit à côté de cette page ; les officines aux
totaux atypiques d'abord. Au-delà du paramètre `nb_liens_max`, la liste de tous les rapports les donne. Un rapport
absent du dossier (pas encore produit, ou en échec) est montré sans lien."""

LINKS = """\
display(HTML(rn.links_html(totaux, noms, base, first=atypiques["pharmacie_id"].tolist(), limit=nb_liens_max,
                           root=".")))  # un rapport absent du dossier de cette page : sans lien"""

RECORD = """\
document = rn.document(exercices, reseau.scenario)  # le titre de la page HTML
chiffres = rn.record(rn.key_figures(lignes, totaux, seuil_atypique, min_atypique))"""


def build() -> nbformat.NotebookNode:
    params = new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    cells = [
        new_markdown_cell(INTRO), params, new_code_cell(SETUP),
        new_markdown_cell(DIST_MD), new_code_cell(DIST_CHART), new_code_cell(DIST),
        new_markdown_cell(SHARES_MD), new_code_cell(SHARES),
        new_markdown_cell(HYP_MD), new_code_cell(HYP),
        new_markdown_cell(GAINS_MD), new_code_cell(GAINS),
        new_markdown_cell(OUT_MD), new_code_cell(OUT),
        new_markdown_cell(LINKS_MD), new_code_cell(LINKS),
        _tagged(new_markdown_cell("## Chiffres clés enregistrés\n\nPour les tests ; absent du rendu HTML."), TECHNIQUE),
        _tagged(new_code_cell(RECORD), TECHNIQUE),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def main(argv: list[str]) -> int:
    path = HERE / NAME
    nbformat.write(build(), path)
    if "--sans-executer" not in argv:
        import papermill

        # with rosp gains, « encore possible » depends on the day: the committed notebook is run at a fixed date
        # (papermill's injected cell, kept, so that nbval re-runs it the same way)
        sys.path.insert(0, str(HERE.parent))
        from rosp_lib.report.network import gains_available

        params = {"date_gains": GAINS_DATE} if gains_available() else {}
        papermill.execute_notebook(str(path), str(path), cwd=str(HERE), kernel_name="python3", progress_bar=False,
                                   parameters=params)
        _strip_volatile(path, INJECTED_NOTE)
    print(f"écrit : {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
