"""Regenerates the fake notebooks of tests/test_reports_batch.py (python tests/notebooks_fake/fabriquer.py).

Each has the real `parameters` cell of the notebook contract and does almost nothing: it prints its
parameters as JSON, with what it finds in its working directory (the report folder's input files)
and the names a previous notebook of the same kernel could have left (« fuite », the execution
counter); it leaves a name « fuite » behind, raises ValueError for the pharmacy « PH-ECHEC », kills
the worker process that runs it (its kernel's parent) for « PH-TUE », its own kernel for
« PH-NOYAU », and sleeps a second for the pharmacies whose id starts with « PH-LENT ».
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
        "import json, os, signal, time\n"
        'deja_la = sorted(n for n in ("fuite", "plt", "valeur") if n in globals())\n'
        'fuite = pharmacie_id\n'
        'if pharmacie_id.startswith("PH-LENT"):\n'
        "    time.sleep(1)\n"
        'if pharmacie_id == "PH-ECHEC":\n'
        '    raise ValueError(f"pharmacie refusée : {pharmacie_id}")\n'
        'if pharmacie_id == "PH-TUE":\n'
        "    os.kill(os.getppid(), signal.SIGKILL)  # the worker process dies\n"
        'if pharmacie_id == "PH-NOYAU":\n'
        '    print("avant la mort du noyau", flush=True)\n'
        "    os._exit(3)  # the kernel dies\n"
        f'print(json.dumps({{"notebook": "{stem}", "pharmacie_id": pharmacie_id, "exercice": exercice, '
        '"entree": entree, "molecules": molecules, "parametres": parametres, '
        '"dossier": sorted(n for n in os.listdir() if not n.startswith(".")), '
        '"lignes_entree": open(entree, encoding="utf-8").read().count("\\n"), "deja_la": deja_la}))'))
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
