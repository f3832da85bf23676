"""Écrit les sept notebooks de rapport (00_synthese, puis un par thème du registre) puis les exécute
sur la pharmacie d'exemple, pour qu'ils soient versionnés avec leurs sorties (tests nbval).

    .venv/bin/python notebooks/build_notebooks.py            # écrit et exécute
    .venv/bin/python notebooks/build_notebooks.py --sans-executer

Les notebooks n'implémentent aucune règle et ne contiennent aucun texte de règle : ils appellent
rosp_lib.report.notebook, qui rend les règles depuis le registre et les paramètres de l'exercice.
Le rendu HTML (rosp_lib.report.html) ne montre ni le code, ni la cellule de paramètres, ni les cellules
étiquetées « rosp-technique » (montants enregistrés pour les tests) ou « rosp-explorateur » (JupyterLab).
Modifier un notebook à la main est possible, mais ce script le réécrit : reportez la modification ici.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

PARAMETERS = '''\
# Paramètres du rapport : papermill les remplace (cellule étiquetée « parameters »).
pharmacie_id: str = "PH-TILLEULS"  # identifiant de la pharmacie (colonne pharmacie_id de la table)
exercice: int = 2024  # exercice (année civile)
entree: str = "../data/pharmacies.csv"  # table des pharmacies (.csv ou .xlsx)
molecules: str = "../data/molecules.csv"  # table des molécules ciblées ; "" si aucune
parametres: str = ""  # scénario YAML qui remplace des paramètres ; "" pour les paramètres de référence
date_reference: str = ""  # date (AAAA-MM-JJ ou JJ/MM/AAAA) à laquelle juger ce qui est encore possible ; "" : aujourd'hui'''
VERSEMENTS = '''
versements: str = ""  # relevé des versements (tranche de rosp report --versements) ; "" : aucun relevé fourni'''

# The example run of the committed notebooks (PH-TILLEULS 2024): a fixed reference date, so that « encore
# possible » never changes with the calendar (nbval), and the example statement of payments.
EXEMPLE = {"date_reference": "2024-10-01"}
EXEMPLE_SYNTHESE = {**EXEMPLE, "versements": "../data/versements.csv"}
INJECTED_NOTE = ("# Valeurs de l'exemple versionné (build_notebooks.py) : elles remplacent celles de la cellule\n"
                 "# précédente ; supprimez cette cellule pour juger à la date du jour.\n")
INJECTED_NOTE_SYNTHESE = ("# Valeurs de l'exemple versionné (build_notebooks.py) : elles remplacent celles de la cellule\n"
                          "# précédente ; supprimez cette cellule pour juger à la date du jour et sans relevé.\n")
INJECTED_NOTES = (INJECTED_NOTE, INJECTED_NOTE_SYNTHESE)

TECHNIQUE = "rosp-technique"
EXPLORATEUR = "rosp-explorateur"


def _tagged(cell, *tags):
    cell.metadata["tags"] = list(tags)
    return cell


def _params_cell(synthese: bool = False):
    return _tagged(new_code_cell(PARAMETERS + (VERSEMENTS if synthese else "")), "parameters")


def theme_notebook(theme: str):
    cells = [
        _params_cell(),
        new_code_cell(f'''\
from IPython.display import Markdown, display

from rosp_lib.report import gains as nb_gains
from rosp_lib.report import notebook as nb

nb.user_errors()  # une erreur de paramètre ou de fichier : un seul message, en français
THEME = "{theme}"
jour = nb_gains.reference_date(date_reference)  # chaque paramètre vérifié ici, avant tout affichage
rapport = nb.load(pharmacie_id, exercice, entree, molecules, parametres)
lignes = rapport.theme_lines(THEME)
applicable = rapport.applies(THEME)
document = nb.document_header(rapport, THEME)
display(Markdown(nb.header_text(rapport, THEME)))'''),
        new_code_cell('''\
if applicable:
    display(Markdown("## Les règles de l'exercice\\n\\nRendues depuis les paramètres de l'exercice.\\n\\n"
                     + nb.rules_list(rapport, THEME)))'''),
        new_code_cell('''\
if applicable:
    display(Markdown("## Les lignes\\n\\nChaque ligne montre les données de l'officine qu'elle a lues et son "
                     "calcul : chaque euro se refait à la calculatrice. ⚠ hypothèse : la ligne repose sur une lecture "
                     "choisie où les textes se taisent ou divergent (détail plus bas)."))
    display(nb.indicator_table(rapport, lignes))
    display(Markdown(nb.gate_and_malus_text(rapport, lignes) + "\\n\\n" + nb.sum_text(lignes)))'''),
        new_code_cell('''\
if applicable:
    display(Markdown("## Hypothèses et données manquantes\\n\\n" + nb.hypotheses_text(rapport, THEME)
                     + "\\n\\n" + nb.missing_text(rapport, lignes)))'''),
        new_code_cell('''\
if applicable:
    display(Markdown("## Sources\\n\\n" + nb.sources_text(rapport, lignes)))'''),
        new_code_cell('''\
if applicable:
    display(Markdown("## Graphiques"))
    display(nb.png(nb.chart_amounts(lignes)))
    distances = nb.distances(rapport, THEME)
    if not distances.empty:
        display(nb.png(nb.chart_distances(distances)))'''),
        new_code_cell('''\
if applicable:
    display(Markdown("## La déclaration sur amelipro\\n\\n" + nb.declaration_text(rapport, THEME)))'''),
        new_code_cell('''\
if applicable:
    gains = nb_gains.compute(rapport, THEME, jour)  # les actions de ce thème seulement, une fois
    display(Markdown(nb_gains.intro_text(rapport, gains, THEME)))
    display(nb_gains.actions_table(rapport, gains, THEME))
    display(Markdown(nb_gains.reach_text(rapport, gains, THEME)))'''),
        _tagged(new_markdown_cell("## Montants enregistrés\n\nPour les tests : les montants clés, en centimes, sous "
                                  "une forme lisible par machine (`application/vnd.rosp.resultats+json`, "
                                  "`application/vnd.rosp.gains+json`). Absent du rendu HTML."), TECHNIQUE),
        _tagged(new_code_cell("valeurs = nb.record(rapport, THEME)\n"
                              "valeurs_gains = nb_gains.record(gains, THEME) if applicable else None"), TECHNIQUE),
        _tagged(new_markdown_cell("## Explorer (JupyterLab)\n\nCliquez sur « Ouvrir l'explorateur », puis modifiez une "
                                  "valeur de l'officine : le thème est recalculé par la bibliothèque. Absent du rendu "
                                  "HTML (il faut un noyau Python)."),
                EXPLORATEUR),
        _tagged(new_code_cell("if applicable:\n    explorateur = nb.ExplorerButton(rapport, THEME)  # contrôles construits "
                              "au clic\n    display(explorateur)"), EXPLORATEUR),
    ]
    return _notebook(cells)


def synthese_notebook():
    cells = [
        _params_cell(synthese=True),
        new_code_cell('''\
from IPython.display import Markdown, display

from rosp_lib.report import gains as nb_gains
from rosp_lib.report import notebook as nb
from rosp_lib.report import versements as nb_versements

nb.user_errors()  # une erreur de paramètre ou de fichier : un seul message, en français
jour = nb_gains.reference_date(date_reference)  # chaque paramètre vérifié ici, avant tout affichage
rapport = nb.load(pharmacie_id, exercice, entree, molecules, parametres)
rapprochement = nb_versements.compute(rapport, versements, jour)  # None : aucun relevé fourni
document = nb.document_header(rapport)'''),
        new_code_cell('''\
display(Markdown(f"## Combien, et pourquoi\\n\\n<p class=\\"rosp-total\\">Total de l'exercice : "
                 f"<strong>{nb.eur(rapport.total_cents())}</strong></p>"))
display(nb.themes_table(rapport))'''),
        new_code_cell('''\
display(Markdown("## Dans quelle mesure c'est sûr\\n\\n" + nb.readings_text(rapport)))
display(nb.stakes_table(rapport))
display(Markdown(nb.unquantified_text(rapport) + "\\n\\n" + nb.missing_text(rapport, rapport.lines, "cet exercice")))'''),
        new_code_cell('''\
gains = nb_gains.compute(rapport, None, jour)  # toutes les actions de l'exercice, une fois
display(Markdown(nb_gains.intro_text(rapport, gains)))
display(nb_gains.actions_table(rapport, gains))
display(Markdown(nb_gains.reach_text(rapport, gains)))'''),
        new_code_cell('''\
display(Markdown(nb_versements.section_text(rapport, rapprochement)))
if rapprochement is not None and not rapprochement.table.empty:
    display(nb_versements.table_html(rapport, rapprochement))'''),
        new_code_cell('''\
display(Markdown("## Calendrier des versements et des déclarations"))
display(nb.calendar_table(rapport))
display(Markdown(f"Fenêtre de déclaration : {nb.declaration_window(rapport)}."))'''),
        new_code_cell('''\
comparaison = nb.comparison_table(rapport)
if comparaison is not None:
    display(Markdown("## Les autres exercices de la pharmacie"))
    display(comparaison)'''),
        new_code_cell('''\
display(Markdown("## Montant par thème"))
# les thèmes de l'exercice (un thème qui n'existe pas cette année-là n'a pas de barre)
display(nb.png(nb.chart_themes({t: rapport.theme_total_cents(t) for t in nb.THEMES if rapport.applies(t)})))'''),
        _tagged(new_markdown_cell("## Montants enregistrés\n\nPour les tests ; absent du rendu HTML."), TECHNIQUE),
        _tagged(new_code_cell("valeurs = nb.record(rapport)\nvaleurs_gains = nb_gains.record(gains)\n"
                              "valeurs_versements = nb_versements.record(rapport, rapprochement)"), TECHNIQUE),
    ]
    return _notebook(cells)


def _notebook(cells):
    nb = new_notebook(cells=cells)
    # ipykernel's own name: JupyterLab rewrote « Python 3 » on opening, marking the notebook modified (review)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def books() -> dict:
    from rosp_lib.registry import THEMES

    out = {"00_synthese": synthese_notebook()}
    out.update({t.notebook: theme_notebook(t.code) for t in sorted(THEMES, key=lambda t: t.ordre)})
    return out


def main(argv: list[str]) -> None:
    written = books()
    for name, book in written.items():
        path = HERE / f"{name}.ipynb"
        nbformat.write(book, path)
        print(f"écrit {path.relative_to(HERE.parent)}")
    if "--sans-executer" in argv:
        return
    import papermill as pm

    for name in written:
        path = HERE / f"{name}.ipynb"
        pm.execute_notebook(str(path), str(path), cwd=str(HERE), kernel_name="python3", progress_bar=False,
                            parameters=EXEMPLE_SYNTHESE if name == "00_synthese" else EXEMPLE)
        _strip_volatile(path, INJECTED_NOTE_SYNTHESE if name == "00_synthese" else INJECTED_NOTE)
        print(f"exécuté {path.relative_to(HERE.parent)}")


def _strip_volatile(path: Path, note: str = INJECTED_NOTE) -> None:
    """Drop papermill's timings and paths so that a re-run leaves the committed notebook unchanged.

    Papermill's injected cell keeps its tag, so that a later run with parameters replaces that cell rather than
    running it after its own."""
    book = nbformat.read(path, as_version=4)
    book.metadata.pop("papermill", None)
    for cell in book.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill's random id: the same build, the same notebook
            for old in INJECTED_NOTES + (note,):
                if cell.source.startswith(old):
                    cell.source = cell.source[len(old):]
            cell.source = note + cell.source
    nbformat.write(book, path)


if __name__ == "__main__":
    main(sys.argv[1:])
