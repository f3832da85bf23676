"""Regenerates the fake notebooks of tests/test_reports_batch.py (python tests/notebooks_fake/fabriquer.py).

Each has the real `parameters` cell of the notebook contract and does almost nothing: it prints its
parameters as JSON (and whether rosp report handed it the validated tables of its files), raises ValueError for the pharmacy « PH-ECHEC », kills the worker process
that runs it (its kernel's parent) for « PH-TUE » and its own kernel for « PH-NOYAU ».
parametre_manquant/ holds one whose parameters cell lacks `parametres`.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
STEMS = ["00_synthese", "01_numerique", "02_bups", "03_vaccination", "04_colorectal", "05_dispensation_unite",
         "06_dispositif_2024"]
PARAMS = '''pharmacie_id: str = "PH-TILLEULS"  # identifiant de la pharmacie
exercice: int = 2024  # exercice
entree: str = "../data/pharmacies.csv"  # table des pharmacies
molecules: str = ""  # table des molécules ("" = aucune)
parametres: str = ""  # scénario ("" = aucun)'''


def notebook(stem: str, params: str = PARAMS):
    cells = [new_markdown_cell(f"# Faux notebook {stem} (tests du lanceur de rapports)")]
    cell = new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    cells.append(cell)
    cells.append(new_code_cell(
        "import json, os, signal\n"
        'if pharmacie_id == "PH-ECHEC":\n'
        '    raise ValueError(f"pharmacie refusée : {pharmacie_id}")\n'
        'if pharmacie_id == "PH-TUE":\n'
        "    os.kill(os.getppid(), signal.SIGKILL)  # the worker process dies\n"
        'if pharmacie_id == "PH-NOYAU":\n'
        '    print("avant la mort du noyau", flush=True)\n'
        "    os._exit(3)  # the kernel dies\n"
        "from rosp_lib.batch import validated\n"
        f'print(json.dumps({{"notebook": "{stem}", "pharmacie_id": pharmacie_id, "exercice": exercice, '
        '"entree": entree, "molecules": molecules, "parametres": parametres, "cwd": os.getcwd(), '
        '"tables_validees": validated.load(entree, molecules or None) is not None}))'))
    for i, c in enumerate(cells):
        c["id"] = f"{stem}-{i}".replace("_", "-")
    return new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})


if __name__ == "__main__":
    for stem in STEMS:
        nbformat.write(notebook(stem), HERE / f"{stem}.ipynb")
    (HERE / "parametre_manquant").mkdir(exist_ok=True)
    nbformat.write(notebook("00_synthese", PARAMS.rsplit("\n", 1)[0]), HERE / "parametre_manquant" / "00_synthese.ipynb")
