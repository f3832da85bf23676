"""Banc de `rosp gains` : un processus (`-j 1`) contre un processus par cœur (défaut), et un autre dépôt, côte à côte.

Usage (depuis la racine du dépôt) :

    .venv/bin/python benchmarks/bench_gains.py [--n 100] [--tours 3] [--comparer ../autre-depot]

Données : les N premières pharmacies du banc principal (`bench_compute.write_inputs`, graine 1) et leurs molécules.
À chaque tour, en alternance : la commande de ce dépôt avec `-j 1`, la même sans `-j` (un processus par cœur), et
avec `--comparer` la commande de l'autre dépôt (lancée depuis son dossier, son `rosp_lib`). Affiche le temps mur et
le temps CPU (processus de travail compris) de chacune, leurs médianes et les rapports des médianes ; vérifie que
`gains.csv` est le même avec et sans `-j 1` (code de sortie 2 sinon). Pas d'objectif chiffré : une mesure, à
consigner dans benchmarks/README.md avec la machine et la date.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
DAY = "2026-12-05"


def _first_rows(n: int, folder: Path) -> tuple[Path, Path]:
    """The first n pharmacies of the main bench's file, and their molecule lines."""
    from bench_compute import write_inputs

    ph, mol, _, _ = write_inputs(max(n, 1000), 1, False)
    lines = ph.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = lines[: n + 1]
    ids = {line.split(";", 1)[0] for line in kept[1:]}
    mols = mol.read_text(encoding="utf-8").splitlines(keepends=True)
    out_ph, out_mol = folder / "pharmacies.csv", folder / "molecules.csv"
    out_ph.write_text("".join(kept), encoding="utf-8")
    out_mol.write_text("".join([mols[0]] + [m for m in mols[1:] if m.split(";", 1)[0] in ids]), encoding="utf-8")
    return out_ph, out_mol


def _run(root: Path, ph: Path, mol: Path, out: Path, extra: list[str]) -> tuple[float, float]:
    """(wall, CPU of the command and its waited-for children) of one `rosp gains`, run from `root` with its rosp_lib."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    before = os.times()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sys; sys.argv = ['rosp'] + sys.argv[1:]; "
                    "from rosp_lib.launcher import run; run()", "gains", str(ph), "--molecules", str(mol),
                    "--date", DAY, "-o", str(out), *extra], check=True, cwd=root, env=env, capture_output=True)
    wall = time.perf_counter() - start
    after = os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="pharmacies (défaut : 100)")
    parser.add_argument("--tours", type=int, default=3, help="tours alternés (défaut : 3)")
    parser.add_argument("--comparer", type=Path, help="un autre dépôt, mesuré de même (son rosp_lib)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ph, mol = _first_rows(args.n, folder)
        variants = [("ce dépôt, -j 1", ROOT, ["-j", "1"]), ("ce dépôt, un processus par cœur", ROOT, [])]
        if args.comparer:
            variants.append((f"{args.comparer}", args.comparer.resolve(), []))
        times: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in variants}
        for _ in range(args.tours):
            for name, root, extra in variants:
                times[name].append(_run(root, ph, mol, folder / name.replace("/", "_"), extra))
        same = ((folder / variants[0][0]) / "gains.csv").read_bytes() == ((folder / variants[1][0]) / "gains.csv").read_bytes()
    print(f"rosp gains — {args.n} pharmacies, {args.tours} tours alternés, {os.cpu_count()} cœur(s), "
          f"load average {os.getloadavg()[0]:.2f}")
    medians = {}
    for name, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        medians[name] = wall
        print(f"  {name} : mur {wall:.2f} s (" + " ; ".join(f"{w:.2f}" for w, _ in runs)
              + f"), CPU {statistics.median(c for _, c in runs):.2f} s")
    one, every = medians[variants[0][0]], medians[variants[1][0]]
    print(f"  -j 1 / un processus par cœur : {one / every:.2f} ×")
    if args.comparer:
        other = medians[variants[2][0]]
        print(f"  autre dépôt / ce dépôt -j 1 : {other / one:.2f} × ; autre dépôt / ce dépôt par cœur : "
              f"{other / every:.2f} ×")
    print("  gains.csv identique avec et sans -j 1 : " + ("oui" if same else "NON"))
    return 0 if same else 2


if __name__ == "__main__":
    sys.exit(main())
