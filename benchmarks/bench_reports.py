#!/usr/bin/env python3
"""Reports of 20 pharmacies: `rosp report --toutes` against the naive way, in one run.

    .venv/bin/python benchmarks/bench_reports.py                    # 20 pharmacies, the real notebooks
    .venv/bin/python benchmarks/bench_reports.py --pharmacies 4 --naif 2 --notebooks tests/notebooks_fake

Both ways make the same reports: the seven theme notebooks executed by papermill for each
pharmacy, then rendered to HTML.

- naive : for each pharmacy and each notebook, one after the other, the `papermill` command then
  `jupyter nbconvert --to html` (two fresh Python processes per notebook, plus the kernel);
- rosp report : `rosp report ENTREE --toutes --force` (worker processes, papermill's Python API, the
  HTML made in the same worker).

The input is made here from data/pharmacies.csv and data/molecules.csv: their rows, cycled, under
new ids BENCH-01… (benchmarks/_work/, git-ignored). Printed: the time per pharmacy for each way,
the throughput of each (reports per minute) and their ratio. Results are also written as JSON in
benchmarks/_work/rapports/resultats.json. The naive way is slow (about 10 s per notebook): --naif K
runs it on the first K pharmacies only (throughput is per report, so the ratio stays comparable).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "_work" / "rapports"
BIN = Path(sys.executable).parent
STEMS = ["00_synthese", "01_numerique", "02_bups", "03_vaccination", "04_colorectal",
         "05_dispensation_unite", "06_dispositif_2024"]


def make_inputs(n: int) -> tuple[Path, Path, list[tuple[str, int]]]:
    """n pharmacies (one exercise each) cycled from the example rows, with their molecule lines."""
    WORK.mkdir(parents=True, exist_ok=True)
    with open(ROOT / "data" / "pharmacies.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    header, body = rows[0], rows[1:]
    with open(ROOT / "data" / "molecules.csv", encoding="utf-8-sig", newline="") as f:
        mol = list(csv.reader(f))
    mol_header, mol_body = mol[0], mol[1:]
    out, out_mol, keys = [], [], []
    for i in range(n):
        src = body[i % len(body)]
        pid = f"BENCH-{i + 1:02d}"
        out.append([pid, *src[1:]])
        keys.append((pid, int(src[2])))
        out_mol += [[pid, *m[1:]] for m in mol_body if (m[0], m[1]) == (src[0], src[2])]
    pharmacies, molecules = WORK / f"pharmacies_{n}.csv", WORK / f"molecules_{n}.csv"
    with open(pharmacies, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=";", lineterminator="\n").writerows([header, *out])
    with open(molecules, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([mol_header, *out_mol])
    return pharmacies, molecules, keys


def env() -> dict:
    """The same environment for both ways, as on a user's machine: Python writes and reuses its
    bytecode (CI and some sandboxes set PYTHONDONTWRITEBYTECODE, which makes every kernel compile
    rosp_lib again, ≈ 0.3 s each), and ipykernel's debugger warning is silenced."""
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), e.get("PYTHONPATH")]))  # this tree's rosp_lib
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    e["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return e


def warm_up() -> None:
    """Bytecode of rosp_lib written, matplotlib's font cache built: neither way pays them."""
    subprocess.run([sys.executable, "-c", "import matplotlib.pyplot, rosp_lib.report.notebook, rosp_lib.batch.reports"],
                   cwd=ROOT, env=env(), check=True)


def children_cpu() -> float:
    r = os.times()
    return r.children_user + r.children_system


def run_rosp(pharmacies: Path, molecules: Path, notebooks: Path, jobs: int | None, lot: str) -> dict:
    out = WORK / f"lot_{lot}_{jobs or 'auto'}"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [str(BIN / "rosp"), "report", str(pharmacies), "--molecules", str(molecules), "--toutes", "--force",
           "--notebooks", str(notebooks), "-o", str(out), "--lot", lot]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    cpu0, t0 = children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall, cpu = time.perf_counter() - t0, children_cpu() - cpu0
    if proc.returncode != 0:
        sys.exit(f"rosp report a échoué (code {proc.returncode}) :\n{proc.stdout}\n{proc.stderr[-3000:]}")
    per_pharmacy: dict[str, float] = {}
    with open(out / "rapports.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        per_pharmacy[r["pharmacie_id"]] = per_pharmacy.get(r["pharmacie_id"], 0.0) + float(r["duree_s"])
    return {"wall_s": wall, "cpu_s": cpu, "reports": len(rows), "per_pharmacy_worker_s": per_pharmacy,
            "jobs": jobs or os.cpu_count(), "lot": lot}


def run_naive(keys, pharmacies: Path, molecules: Path, notebooks: Path) -> dict:
    out = WORK / "naif"
    shutil.rmtree(out, ignore_errors=True)
    per_pharmacy: dict[str, float] = {}
    cpu0, t0 = children_cpu(), time.perf_counter()
    for pid, year in keys:
        start = time.perf_counter()
        folder = out / str(year) / pid
        folder.mkdir(parents=True, exist_ok=True)
        for stem in STEMS:
            target = folder / f"{stem}.ipynb"
            subprocess.run(
                [str(BIN / "papermill"), str(notebooks / f"{stem}.ipynb"), str(target),
                 "-p", "pharmacie_id", pid, "-p", "exercice", str(year), "-p", "entree", str(pharmacies),
                 "-p", "molecules", str(molecules), "-p", "parametres", "",
                 "--cwd", str(notebooks), "-k", "python3", "--no-progress-bar"],
                cwd=ROOT, env=env(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(target)],
                           cwd=ROOT, env=env(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        per_pharmacy[pid] = time.perf_counter() - start
        print(f"  naïf {pid} : {per_pharmacy[pid]:.1f} s", flush=True)
    wall, cpu = time.perf_counter() - t0, children_cpu() - cpu0
    n_html = len(list(out.rglob("*.html")))
    return {"wall_s": wall, "cpu_s": cpu, "reports": n_html, "per_pharmacy_s": per_pharmacy}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pharmacies", type=int, default=20, help="pharmacies du lot (défaut 20)")
    ap.add_argument("--naif", type=int, default=None, help="pharmacies faites à la manière naïve (défaut : toutes)")
    ap.add_argument("--notebooks", type=Path, default=ROOT / "notebooks", help="dossier des notebooks")
    ap.add_argument("--jobs", type=int, nargs="*", default=[None],
                    help="valeurs de --jobs à mesurer (défaut : celle de rosp report, le nombre de cœurs)")
    ap.add_argument("--lot", nargs="*", default=["rapport"], choices=["rapport", "pharmacie"],
                    help="unité de travail d'un processus à mesurer (pharmacie, rapport, ou les deux)")
    ap.add_argument("--repetitions", type=int, default=1, help="mesures de chaque configuration (entrelacées)")
    ap.add_argument("--encadrer", action="store_true",
                    help="mesure aussi rosp report après la manière naïve (la charge de la machine varie)")
    ap.add_argument("--sans-naif", action="store_true", help="ne mesure pas la manière naïve")
    args = ap.parse_args()
    notebooks = args.notebooks.resolve()
    missing = [s for s in STEMS if not (notebooks / f"{s}.ipynb").exists()]
    if missing:
        sys.exit(f"notebooks absents de {notebooks} : {', '.join(missing)}")

    pharmacies, molecules, keys = make_inputs(args.pharmacies)
    warm_up()
    print(f"Machine : {platform.node()} — {os.cpu_count()} cœur(s), {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()} ; {len(keys)} pharmacies × {len(STEMS)} notebooks ; {notebooks}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    results: dict = {"date": dt.date.today().isoformat(), "commit": commit or None, "cpu_count": os.cpu_count(), "machine": platform.machine(),
                     "python": platform.python_version(), "pharmacies": len(keys), "notebooks": str(notebooks),
                     "rosp": []}
    configs = [(lot, jobs) for lot in args.lot for jobs in args.jobs]

    def measure_rosp(when: str) -> None:
        for lot, jobs in configs:
            r = run_rosp(pharmacies, molecules, notebooks, jobs, lot)
            r["load_avg_1min"] = os.getloadavg()[0]
            r["quand"] = when
            results["rosp"].append(r)
            rate = r["reports"] / r["wall_s"] * 60
            print(f"rosp report --toutes (--jobs {r['jobs']}, lot par {lot}, {when}) : {r['reports']} rapports en "
                  f"{r['wall_s']:.1f} s, {rate:.1f} rapports/min, CPU {r['cpu_s']:.0f} s "
                  f"(charge {r['load_avg_1min']:.1f})", flush=True)

    for rep in range(args.repetitions):  # interleaved, so that a change of load hits every configuration
        measure_rosp("avant" if not args.sans_naif else f"mesure {rep + 1}")
    if len(configs) > 1 or args.repetitions > 1:
        print("Médianes :")
        for lot, jobs in configs:
            walls = sorted(r["wall_s"] for r in results["rosp"] if r["lot"] == lot and r["jobs"] == (jobs or os.cpu_count()))
            print(f"  --jobs {jobs or os.cpu_count()}, lot par {lot} : {walls[len(walls) // 2]:.1f} s "
                  f"(min {walls[0]:.1f}, max {walls[-1]:.1f})")
    if not args.sans_naif:
        n = args.naif or len(keys)
        print(f"Manière naïve (papermill puis jupyter nbconvert, l'un après l'autre) sur {n} pharmacies :", flush=True)
        results["naif"] = run_naive(keys[:n], pharmacies, molecules, notebooks)
        results["naif"]["load_avg_1min"] = os.getloadavg()[0]
        if args.encadrer:  # rosp report again after the naive way: a change of load shows
            measure_rosp("après")
    default = [r for r in results["rosp"] if r["jobs"] == os.cpu_count() and r["lot"] == "rapport"]
    shown = default[0] if default else results["rosp"][0]
    print(f"\nTemps par pharmacie (7 rapports, notebook + HTML), rosp report avec --jobs {shown['jobs']}, "
          f"lot par {shown['lot']} :")
    print(f"  {'pharmacie':<10} {'naïf (s)':>9} {'rosp, cumul worker (s)':>23}")
    for pid, _ in keys:
        naive = results.get("naif", {}).get("per_pharmacy_s", {}).get(pid)
        print(f"  {pid:<10} {naive if naive is not None else float('nan'):>9.1f} "
              f"{shown['per_pharmacy_worker_s'].get(pid, float('nan')):>23.1f}")
    print(f"  rosp report, temps écoulé moyen par pharmacie : {shown['wall_s'] / len(keys):.1f} s")
    if "naif" in results:
        nv = results["naif"]
        naive_rate = nv["reports"] / nv["wall_s"]
        print(f"\nDébit naïf : {naive_rate * 60:.1f} rapports/min ({nv['wall_s'] / len(nv['per_pharmacy_s']):.1f} s "
              f"par pharmacie, CPU {nv['cpu_s'] / nv['reports']:.2f} s par rapport)")
        for r in results["rosp"]:
            rate = r["reports"] / r["wall_s"]
            r["ratio"] = rate / naive_rate
            r["ratio_cpu"] = (nv["cpu_s"] / nv["reports"]) / (r["cpu_s"] / r["reports"])
            mark = "  ← réglage par défaut" if r in default else ""
            print(f"rosp report --jobs {r['jobs']}, lot par {r['lot']} ({r.get('quand', '')}) : {rate * 60:.1f} rapports/min "
                  f"({r['wall_s'] / len(keys):.1f} s par pharmacie, CPU {r['cpu_s'] / r['reports']:.2f} s par rapport) : "
                  f"débit × {r['ratio']:.2f}, CPU ÷ {r['ratio_cpu']:.2f}{mark}")
        results["ratio_defaut"] = [r["ratio"] for r in default]
    (WORK / "resultats.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"Résultats : {WORK / 'resultats.json'}")


if __name__ == "__main__":
    main()
