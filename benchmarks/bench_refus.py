"""Banc du refus borné : un grand fichier dont chaque ligne répète le même identifiant est refusé vite et
sans mémoire démesurée (objectif de l'issue : 200 000 lignes refusées en moins de 10 s et 500 Mo).

Usage (depuis la racine du dépôt) :

    .venv/bin/python benchmarks/bench_refus.py [--lignes 200000] [--repetitions 3]

Le fichier est fait des lignes du banc principal (`bench_compute.generate` : toutes les colonnes d'entrée
remplies comme dans un export réel, ce qui pèse sur la lecture), répétées jusqu'au nombre voulu, chacune avec
le même `pharmacie_id` (et son exercice, tiré de 2022 à 2026) : chaque ligne est un doublon. La commande `rosp compute` est lancée
par le lanceur du banc principal (temps mur, temps CPU, mémoire de l'arbre des processus relevée toutes les
50 ms) ; elle doit sortir avec le code 2, dire 20 doublons puis « … et N autres », et ne rien écrire. Pour
information, la commande pandas seule qui lit le même fichier est lancée à chaque tour.

Code de sortie : 1 si un objectif est manqué, 2 si la commande ne refuse pas le fichier comme attendu.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_compute import _LAUNCHER, _PANDAS_COMMAND, WORK, _mo, _rosp_command, _s, generate  # noqa: E402

OBJECTIF_S = 10.0
OBJECTIF_MO = 500.0


def write_duplicates(n: int, seed: int = 1) -> Path:
    """n lignes d'un même identifiant (cinq exercices : chaque ligne en double de milliers d'autres), les autres
    colonnes variées."""
    path = WORK / f"doublons_{n}_{seed}.csv"  # (generated once)
    if path.exists():
        return path
    WORK.mkdir(parents=True, exist_ok=True)
    base, _ = generate(min(n, 20_000), seed, False)
    rows = base.sample(n=n, replace=n > len(base), random_state=seed).reset_index(drop=True)
    rows["pharmacie_id"] = "PH-DOUBLON"  # each row keeps its exercise (its dates are of that year)
    rows.to_csv(path, sep=";", index=False, encoding="utf-8", lineterminator="\n")
    return path


def _launch(cmd: list[str]) -> tuple[dict, subprocess.CompletedProcess]:
    result = WORK / "mesure_refus.json"
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", _LAUNCHER, str(result), *cmd], cwd=ROOT,
                          capture_output=True, text=True)
    m = json.loads(result.read_text()) if proc.returncode == 0 and result.exists() else {"code": proc.returncode}
    result.unlink(missing_ok=True)
    return m, proc


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Banc du refus borné (fichier de doublons).")
    parser.add_argument("--lignes", type=int, default=200_000, help="lignes du fichier (défaut : 200000)")
    parser.add_argument("--repetitions", type=int, default=3, help="répétitions (médiane ; défaut : 3)")
    args = parser.parse_args(argv)

    path = write_duplicates(args.lignes)
    out = WORK / "sortie_refus"
    shutil.rmtree(out, ignore_errors=True)
    walls, cpus, pss, rss, pandas = [], [], [], [], []
    said = ""
    empty = WORK / "entete_seule.csv"  # the pandas command reads two files (pharmacies, molecules): a header alone
    empty.write_text("pharmacie_id;exercice\n", encoding="utf-8")
    for _ in range(args.repetitions):
        p, _ = _launch([sys.executable, "-c", _PANDAS_COMMAND, str(path), str(empty)])
        pandas.append(p["wall"])
        m, proc = _launch([*_rosp_command(), "compute", str(path), "-o", str(out)])
        if m.get("code") != 2 or out.exists():
            print(f"Erreur : la commande n'a pas refusé le fichier (code {m.get('code')}) :\n{proc.stderr[-2000:]}",
                  file=sys.stderr)
            return 2
        said = proc.stderr
        walls.append(m["wall"])
        cpus.append(m["cpu"])
        pss.append(m["arbre_pss_kb"] / 1024)
        rss.append(m["arbre_rss_kb"] / 1024)
    listed = [line for line in said.splitlines() if line.startswith("  - ")]
    others = [line for line in said.splitlines() if "autres lignes en double" in line]
    if len(listed) != 21 or len(others) != 1:
        print(f"Erreur : messages inattendus ({len(listed)} lignes « - ») :\n{said[-2000:]}", file=sys.stderr)
        return 2
    wall, mem = statistics.median(walls), max(max(pss), max(rss))
    lignes = f"{args.lignes:,}".replace(",", " ")
    print(f"Refus borné — {lignes} lignes d'un même identifiant, {_mo(path.stat().st_size / 2**20)} ; "
          f"médiane de {args.repetitions} répétitions")
    print(f"  commande rosp compute : {_s(wall)} (CPU {_s(statistics.median(cpus))}), objectif < {OBJECTIF_S:.0f} s")
    print(f"  mémoire maximale de l'arbre des processus : RSS {_mo(max(rss))}, PSS {_mo(max(pss))}, "
          f"objectif < {OBJECTIF_MO:.0f} Mo")
    print(f"  pour information, lecture du fichier par une commande pandas : {_s(statistics.median(pandas))}")
    print(f"  messages : {len(listed) - 1} doublons nommés, puis : {others[0].strip()}")
    missed = [f"{_s(wall)} ≥ {OBJECTIF_S:.0f} s"] if wall >= OBJECTIF_S else []
    missed += [f"{_mo(mem)} ≥ {OBJECTIF_MO:.0f} Mo"] if mem >= OBJECTIF_MO else []
    for m in missed:
        print(f"OBJECTIF MANQUÉ : {m}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
