"""Banc de `rosp compute --format xlsx` : le temps doit croître comme le nombre de lignes (pas comme son carré).

Usage (depuis la racine du dépôt) :

    .venv/bin/python benchmarks/bench_xlsx.py [--n 300] [--fois 4]

Mesure, côte à côte dans la même exécution, la commande sur N pharmacies puis sur fois × N (données du banc
principal, `bench_compute.write_inputs`) et affiche le rapport des temps : ≈ fois pour un coût linéaire, ≈ fois² pour
un coût quadratique. Code de sortie 1 si le rapport dépasse 2 × fois (objectif : linéaire, au bruit près).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))


def _run(ph: Path, mol: Path, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sys; sys.argv = ['rosp'] + sys.argv[1:]; "
                    "from rosp_lib.launcher import run; run()", "compute", str(ph), "--molecules", str(mol),
                    "--format", "xlsx", "-o", str(out)], check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    import bench_compute

    parser = argparse.ArgumentParser(description="Banc de rosp compute --format xlsx.")
    parser.add_argument("--n", type=int, default=300, help="pharmacies du petit fichier (défaut : 300)")
    parser.add_argument("--fois", type=int, default=4, help="taille du grand fichier, en multiples du petit (défaut : 4)")
    args = parser.parse_args()
    small = bench_compute.write_inputs(args.n, 1, False)[:2]
    large = bench_compute.write_inputs(args.n * args.fois, 1, False)[:2]
    with tempfile.TemporaryDirectory() as tmp:
        t_small = _run(*small, Path(tmp) / "petit")
        t_large = _run(*large, Path(tmp) / "grand")
    ratio = t_large / t_small
    print(f"{args.n} pharmacies : {t_small:.2f} s ; {args.n * args.fois} pharmacies : {t_large:.2f} s ; rapport "
          f"{ratio:.1f} (linéaire : ≈ {args.fois}, quadratique : ≈ {args.fois ** 2})")
    if ratio > 2 * args.fois:
        print(f"OBJECTIF MANQUÉ : le temps croît plus vite que le nombre de lignes ({ratio:.1f} > {2 * args.fois})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
