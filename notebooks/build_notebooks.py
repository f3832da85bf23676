"""Écrit les sept notebooks de rapport (00_synthese, 01_numerique … 06_dispositif_2024) puis les exécute
sur la pharmacie d'exemple, pour qu'ils soient versionnés avec leurs sorties (tests nbval).

    .venv/bin/python notebooks/build_notebooks.py            # écrit et exécute
    .venv/bin/python notebooks/build_notebooks.py --sans-executer

Les notebooks n'implémentent aucune règle : ils appellent rosp_lib.report.notebook. Modifier un notebook à la
main est possible, mais ce script le réécrit : reportez la modification ici.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

PARAMETERS = '''\
# Paramètres du rapport : papermill les remplace (cellule étiquetée « parameters »).
pharmacie_id: str = "PH-TILLEULS"  # identifiant de la pharmacie (colonne pharmacie_id de la table)
exercice: int = 2024  # exercice (année civile), de 2022 à 2026
entree: str = "../data/pharmacies.csv"  # table des pharmacies (.csv ou .xlsx)
molecules: str = "../data/molecules.csv"  # table des molécules ciblées ; "" si aucune
parametres: str = ""  # scénario YAML qui remplace des paramètres ; "" pour les paramètres de référence'''

RULES = {
    "numerique": """\
**Règles (spec/rules.md §1)** — *indicateurs socles* : participer à un exercice coordonné (payé), disposer d'un
logiciel référencé Ségur, d'un LAD certifié HAS (neutralisé tant qu'aucun LAD n'est certifié), ne pas avoir été
condamné pour fraude, et à partir de 2024 l'ordonnance numérique pour au moins 70 % des délivrances (neutralisée
jusqu'ici). Si un socle actif manque, **tout le thème vaut 0 €**.
*Indicateurs complémentaires* : montant par FSE selon le taux de transmission SESAM-Vitale, SCOR, DMP, MSS
(+ BAL organisationnelle si la MSS est atteinte), e-prescription, appli carte Vitale, équipement de mise à jour
de la carte Vitale, téléconsultation (forfait équipement la première année, tranches de téléconsultations
plafonnées), pharmacien correspondant en zone ZIP/ZAC (plafonné).
*Malus « qualité de la facturation »* (depuis 2023, si au moins 100 factures du T4 N-1 au T3 N) : points sur les FSE
sécurisées, les rejets IRIS et les doubles paiements ; 3 à 9 points → 10 %, 10 à 18 → 20 %, plus de 18 → 30 % de
tout le thème. Ordre : socle → somme des lignes → prorata des forfaits → malus → total.""",
    "bups": """\
**Règles (spec/rules.md §2)** — *socles* : adhésion à la démarche qualité HCQO (auto-évaluation de l'année,
newsletter, programme d'amélioration ; payée) et pénétration des génériques sur le répertoire d'au moins 85 %.
Si un socle manque, **tout le thème vaut 0 €**.
*Autres indicateurs* : molécules ciblées (prime par boîte gagnée = boîtes × (taux d'arrivée − taux de départ) / 100),
stabilité de la délivrance aux 75 ans et plus (paliers), connexion à ASAFO-Pharma au moins une semaine sur deux
(46 semaines, depuis 2024), démarche écoresponsable (depuis 2024).
*Malus « motif urgence »* : si le taux de l'année n'est pas strictement inférieur au taux de référence (2019),
20 % de tout le thème.""",
    "vaccination": """\
**Règle (avenant 1 art. 6, spec/rules.md §3)** — part = RVA à 9,60 € / (RVA à 9,60 € + RVA à 7,50 €). Si la part est
**strictement supérieure** au seuil de l'année (5 % en 2024, 15 % en 2025, 25 % en 2026), le bonus vaut
3 € × RVA à 9,60 €. Rien avant 2024 ; fin le 1er avril 2027.""",
    "colorectal": """\
**Règle (spec/rules.md §4)** — 2022–2023 : 5 € par kit remis (5,25 € en DROM). Depuis 2024 : 2 € par kit dont le test
a été réalisé (2,10 € en DROM) ; la remise du kit est facturée à l'acte (3 €, 3,15 € en DROM), montrée pour
information, hors total ROSP.""",
    "dispensation_unite": """\
**Règle (spec/rules.md §5)** — 1 € TTC par dispensation à l'unité (antibiotiques) ou délivrance fractionnée
(stupéfiants et assimilés), plafonné à 500 € TTC par an.""",
    "dispositif_2024": """\
**Règles (avenant 1 art. 1, spec/rules.md §6)** — exercice 2024 seulement, 950 € au plus : au moins un TROD angine
(50 €), locaux adaptés au dépistage de l'infection urinaire (100 €), au moins un entretien patient chronique ou
bilan de médication (400 €), au moins un accompagnement de femme enceinte (50 €), kits colorectaux remis en 2024
≥ 1,10 × ceux de 2023 (référence 50 kits pour une officine installée après le 1er janvier 2023 ; 250 €),
substitution d'au moins un hybride et d'un biosimilaire (100 €).""",
}

NOTEBOOKS = {
    "numerique": "01_numerique", "bups": "02_bups", "vaccination": "03_vaccination", "colorectal": "04_colorectal",
    "dispensation_unite": "05_dispensation_unite", "dispositif_2024": "06_dispositif_2024",
}


def _params_cell():
    cell = new_code_cell(PARAMETERS)
    cell.metadata["tags"] = ["parameters"]
    return cell


def theme_notebook(theme: str):
    from rosp_lib.report.narrative import THEMES_INFO

    titre = THEMES_INFO[theme].titre
    cells = [
        new_markdown_cell(f"# ROSP — {titre}\n\nRapport pour une pharmacie et un exercice. Chaque montant vient de la "
                          "bibliothèque `rosp_lib` (aucune règle n'est recalculée ici) ; la colonne « Calcul et "
                          "remarques » donne l'opération à refaire à la main. Les lignes marquées ⚠ reposent sur une "
                          "**hypothèse** de lecture, dont l'alternative est nommée."),
        _params_cell(),
        new_code_cell(f'''\
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from rosp_lib.report import notebook as nb

THEME = "{theme}"
rapport = nb.load(pharmacie_id, exercice, entree, molecules, parametres)
lignes = rapport.theme_lines(THEME)
display(Markdown(nb.header_text(rapport, THEME)))'''),
        new_markdown_cell("## Les indicateurs\n\n" + RULES[theme]),
        new_code_cell("display(nb.show_table(nb.indicator_table(lignes)))"),
        new_markdown_cell("## Socle, malus et total\n\nLe socle, le malus et l'addition des lignes, tels qu'un "
                          "relecteur peut les refaire à la calculatrice."),
        new_code_cell("display(Markdown(nb.gate_and_malus_text(lignes)))\ndisplay(Markdown(nb.sum_text(lignes)))"),
        new_markdown_cell("## Hypothèses et données manquantes"),
        new_code_cell("display(Markdown(nb.hypotheses_text(lignes)))\ndisplay(Markdown(nb.missing_text(lignes)))"),
        new_markdown_cell("## Graphiques\n\nMontant de chaque indicateur (les malus en rouge), puis la distance de "
                          "chaque valeur à son seuil (en vert : seuil atteint ou dépassé)."),
        new_code_cell("fig = nb.chart_amounts(lignes)\nplt.show()"),
        new_code_cell("fig = nb.chart_distances(nb.distances(rapport, THEME))\nplt.show()"),
        new_markdown_cell("## La déclaration sur amelipro"),
        new_code_cell("display(Markdown(nb.declaration_text(rapport, THEME)))"),
        new_markdown_cell("## Montants enregistrés\n\nLes montants clés, enregistrés dans le notebook sous une forme "
                          "lisible par machine (type `application/vnd.rosp.resultats+json`), en centimes."),
        new_code_cell("valeurs = nb.record(rapport, THEME)"),
        new_markdown_cell("## Explorer (JupyterLab)\n\nModifiez une valeur de l'officine : le thème est recalculé par "
                          "la bibliothèque et le total mis à jour. Exécuté sans interface (papermill, HTML), ce "
                          "notebook montre le scénario par défaut : les données de l'officine, ci-dessous."),
        new_code_cell("explorateur = nb.Explorer(rapport, THEME)\ndisplay(explorateur.widget())"),
        new_code_cell('display(Markdown(f"Scénario par défaut : total du thème **{nb.eur(explorateur.total_cents)}**."))'),
    ]
    return _notebook(cells)


def synthese_notebook():
    cells = [
        new_markdown_cell("# ROSP — synthèse de la pharmacie\n\nLes six thèmes de la ROSP pour une pharmacie et un "
                          "exercice, le total, le calendrier des versements et la comparaison avec les autres "
                          "exercices de la même pharmacie présents dans la table. Le détail de chaque thème est "
                          "dans son rapport (01 à 06)."),
        _params_cell(),
        new_code_cell('''\
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from rosp_lib.report import notebook as nb

rapport = nb.load(pharmacie_id, exercice, entree, molecules, parametres)
display(Markdown(f"**{rapport.nom}** (`{rapport.pharmacie_id}`), exercice **{rapport.exercice}**."))'''),
        new_markdown_cell("## Montant par thème"),
        new_code_cell("display(nb.show_table(nb.themes_table(rapport)))\n"
                      "display(Markdown(nb.total_text(rapport)))"),
        new_code_cell("fig = nb.chart_themes({t: rapport.theme_total_cents(t) for t in nb.THEME_TITLES})\nplt.show()"),
        new_markdown_cell("## Calendrier des versements et des déclarations"),
        new_code_cell("display(nb.show_table(nb.calendar_table(rapport)))"),
        new_markdown_cell("## Comparaison avec les autres exercices de la pharmacie"),
        new_code_cell('''\
comparaison = nb.comparison_table(rapport)
if comparaison is None:
    display(Markdown("La table ne contient pas d'autre exercice pour cette pharmacie."))
else:
    display(nb.show_table(comparaison))'''),
        new_markdown_cell("## Hypothèses et données manquantes (tous thèmes)"),
        new_code_cell("display(Markdown(nb.hypotheses_summary(rapport)))\n"
                      "display(Markdown(nb.missing_text(rapport.lines, \"cet exercice\")))"),
        new_markdown_cell("## Montants enregistrés"),
        new_code_cell("valeurs = nb.record(rapport)"),
    ]
    return _notebook(cells)


def _notebook(cells):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(HERE.parent))
    books = {"00_synthese": synthese_notebook()}
    books.update({name: theme_notebook(theme) for theme, name in NOTEBOOKS.items()})
    for name, book in books.items():
        path = HERE / f"{name}.ipynb"
        nbformat.write(book, path)
        print(f"écrit {path.relative_to(HERE.parent)}")
    if "--sans-executer" in argv:
        return
    import papermill as pm

    for name in books:
        path = HERE / f"{name}.ipynb"
        pm.execute_notebook(str(path), str(path), cwd=str(HERE), kernel_name="python3", progress_bar=False)
        _strip_volatile(path)
        print(f"exécuté {path.relative_to(HERE.parent)}")


def _strip_volatile(path: Path) -> None:
    """Drop papermill's timings and paths so that a re-run leaves the committed notebook unchanged."""
    book = nbformat.read(path, as_version=4)
    book.metadata.pop("papermill", None)
    for cell in book.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.metadata.pop("tags", None) if cell.metadata.get("tags") == ["injected-parameters"] else None
    nbformat.write(book, path)


if __name__ == "__main__":
    main(sys.argv[1:])
