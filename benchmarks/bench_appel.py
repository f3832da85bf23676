"""Coût fixe d'un appel de `engine.compute` sur une petite entrée (une pharmacie × exercice).

Usage (depuis la racine du dépôt) :

    .venv/bin/python benchmarks/bench_appel.py [--n 50] [--avant /chemin/vers/une/autre/copie] [--profil]

Charge une fois data/pharmacies.csv et data/molecules.csv, puis mesure (temps processeur,
`time.process_time`, médiane de N appels) :
  - `compute` sur la seule ligne PH-TILLEULS 2024, paramètres déjà chargés (cas des rapports et des gains) ;
  - la même chose avec le chargement des paramètres (`load_parameters`) dans chaque appel, sans puis avec
    le scénario parameters/scenarios/lectures-alternatives.yaml (cas des lectures alternatives) ;
  - `compute` sur tout le fichier (13 lignes).
Avec --avant CHEMIN, les mêmes mesures sont faites dans un sous-processus qui importe `rosp_lib` depuis
CHEMIN (par exemple une copie de la branche principale), tour à tour avec celles de ce dépôt, et le
tableau donne le rapport avant / après. C'est un banc de mesure, pas un test : pytest ne le lance pas.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "parameters" / "scenarios" / "lectures-alternatives.yaml"


def mesurer(n: int, profil: bool = False) -> dict[str, float]:
    """Médianes (ms de temps processeur) des cas mesurés, avec le `rosp_lib` importable dans ce processus."""
    from rosp_lib.engine import compute
    from rosp_lib.inputs import read_inputs
    from rosp_lib.parameters import Scenario, load_parameters

    pharmacies, molecules = read_inputs(ROOT / "data" / "pharmacies.csv", ROOT / "data" / "molecules.csv")
    une = pharmacies[(pharmacies["pharmacie_id"] == "PH-TILLEULS") & (pharmacies["exercice"] == 2024)]
    une = une.reset_index(drop=True)
    params = {2024: load_parameters(2024)}
    tous = {int(y): load_parameters(int(y)) for y in pharmacies["exercice"].unique()}
    scenario = Scenario.read(SCENARIO)

    cas = {
        "1 ligne, paramètres chargés": lambda: compute(une, molecules, params),
        "1 ligne + load_parameters": lambda: compute(une, molecules, {2024: load_parameters(2024)}),
        "1 ligne + load_parameters(scénario)": lambda: compute(une, molecules, {2024: load_parameters(2024, scenario)}),
        "13 lignes, paramètres chargés": lambda: compute(pharmacies, molecules, tous),
    }
    out = {}
    for nom, f in cas.items():
        f()  # premier appel (imports, caches) hors mesure
        temps = []
        for _ in range(n):
            t = time.process_time()
            f()
            temps.append(time.process_time() - t)
        out[nom] = statistics.median(temps) * 1000
    if profil:
        import cProfile
        import pstats
        f = cas["1 ligne, paramètres chargés"]
        pr = cProfile.Profile()
        pr.enable()
        for _ in range(n):
            f()
        pr.disable()
        pstats.Stats(pr, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
        pstats.Stats(pr, stream=sys.stderr).sort_stats("tottime").print_stats(30)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=50, help="appels mesurés par cas (médiane)")
    p.add_argument("--avant", type=Path, help="copie du dépôt à comparer (importée dans un sous-processus)")
    p.add_argument("--profil", action="store_true", help="profil cProfile du cas « 1 ligne » (sortie d'erreur)")
    p.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.json:
        print(json.dumps(mesurer(args.n)))
        return 0

    def sous_processus(racine: Path) -> dict[str, float]:
        env = dict(os.environ, PYTHONPATH=str(racine))
        res = subprocess.run([sys.executable, __file__, "--json", "--n", str(args.n)], env=env, cwd=ROOT,
                             capture_output=True, text=True, check=True)
        return json.loads(res.stdout.strip().splitlines()[-1])

    if args.profil:
        sys.path.insert(0, str(ROOT))
        apres = mesurer(args.n, profil=True)
        avant = None
    else:
        # Tour à tour (avant, après, avant, après) : la charge de la machine touche les deux côtés.
        mesures = {"avant": [], "après": []}
        for _ in range(2):
            if args.avant:
                mesures["avant"].append(sous_processus(args.avant))
            mesures["après"].append(sous_processus(ROOT))
        apres = {k: min(m[k] for m in mesures["après"]) for k in mesures["après"][0]}
        avant = {k: min(m[k] for m in mesures["avant"]) for k in mesures["avant"][0]} if args.avant else None

    print(f"Temps processeur par appel, médiane de {args.n} appels (ms)")
    for nom, ms in apres.items():
        ligne = f"  {nom:<40} {ms:8.1f}"
        if avant:
            ligne += f"   avant {avant[nom]:8.1f}   rapport {avant[nom] / ms:5.2f}"
        print(ligne)
    return 0


if __name__ == "__main__":
    sys.exit(main())
