#!/usr/bin/env python3
"""Reports: `rosp report --toutes` against the naive loop, a single report, and the Dask path, in one run.

    .venv/bin/python benchmarks/bench_reports.py                     # 20 pharmacies × 7, the real notebooks
    .venv/bin/python benchmarks/bench_reports.py --pharmacies 4 --naif 1 --notebooks tests/notebooks_fake
    .venv/bin/python benchmarks/bench_reports.py --pharmacies 6 --naif 1 --avant /chemin/de/main   # avant/après

Measured, on the same machine in the same run:

1. naive : for each pharmacy and notebook, one after the other, the `papermill` command then
   `jupyter nbconvert --to html` (two fresh Python processes and a kernel per report); --naif K does
   it for the first K pharmacies only (it is slow; the throughput is counted per report);
2. `rosp report ENTREE --molecules … --toutes --force` (local worker processes, kept kernels):
   wall and CPU per report, the memory of each worker (its process and its kernel, sampled);
3. `rosp report … --pharmacie P --exercice N --themes numerique --force`: one report, wall (3 times);
4. `rosp report … --toutes --force --dask local`: the same batch on a Dask LocalCluster; its files
   are compared with those of (2), byte for byte, then less timestamps and random widget ids;
   the overhead per report of the Dask path;
5. a single report through a kept warm cluster (`rosp grappe`, started once, one warm-up report):
   `rosp report … --pharmacie P --exercice N --themes numerique --force --dask ADRESSE`, each time for
   another pharmacy, alternated with the cold single report of (3) in the same run: wall, CPU of the
   command, CPU of the grappe (its workers and kernels) for that report.

    .venv/bin/python benchmarks/bench_reports.py --seulement-seul --seul 5     # (3) and (5) only

The input is made here from data/pharmacies.csv and data/molecules.csv: their rows, cycled, under
new ids BENCH-01… (benchmarks/_work/, git-ignored). Results: printed, and in
benchmarks/_work/rapports/resultats.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

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


def env(tree: Path = ROOT) -> dict:
    """The same environment for every way, as on a user's machine: Python writes and reuses its
    bytecode (CI and some sandboxes set PYTHONDONTWRITEBYTECODE, which makes every kernel compile
    rosp_lib again, ≈ 0.3 s each), and ipykernel's debugger warning is silenced. `tree`: the source
    tree whose rosp_lib is measured (this one, or the one given by --avant)."""
    e = dict(os.environ)
    inherited = [p for p in (e.get("PYTHONPATH") or "").split(os.pathsep) if p and Path(p).resolve() != ROOT]
    e["PYTHONPATH"] = os.pathsep.join([str(tree), *inherited])  # that tree's rosp_lib
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    e["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return e


def warm_up(tree: Path = ROOT) -> None:
    """Bytecode of rosp_lib written, matplotlib's font cache built: no way pays them."""
    subprocess.run([sys.executable, "-c", "import matplotlib.pyplot, rosp_lib.report.notebook, rosp_lib.batch.reports"],
                   cwd=tree, env=env(tree), check=True)


def children_cpu() -> float:
    r = os.times()
    return r.children_user + r.children_system


class TreeSampler(threading.Thread):
    """Samples the process tree of `pid` every `every` seconds. Two readings:
    - memory: for each worker (a process with a kernel among its children), the largest RSS of the worker plus its
      kernels, and the largest RSS of the whole tree;
    - CPU: what each process used while sampled (`cpu_total`). A command run by the grappe's command server is a
      process of the grappe that ends with the command, gone before a reading made after it: sample it often
      (what ran between two samples is not counted), and without the memory reading, which costs more."""

    def __init__(self, pid: int, every: float = 0.25, memory: bool = True):
        super().__init__(daemon=True)
        self.pid, self.every, self.memory, self.stop = pid, every, memory, threading.Event()
        self.worker_peak: dict[int, float] = {}
        self.tree_peak = 0.0
        self.first: dict[tuple, float] = {}
        self.last: dict[tuple, float] = {}
        self.born: set[tuple] = set()

    def sample(self) -> None:
        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        total = 0.0
        for p in procs:
            try:
                t = p.cpu_times()
                key = (p.pid, p.create_time())
                self.first.setdefault(key, t.user + t.system)
                self.last[key] = t.user + t.system
                if not self.memory:
                    continue
                rss = p.memory_info().rss / 2**20
                total += rss
                kids = p.children()
                if any("ipykernel" in " ".join(k.cmdline()) for k in kids):
                    mem = rss + sum(k.memory_info().rss for k in kids) / 2**20
                    self.worker_peak[p.pid] = max(self.worker_peak.get(p.pid, 0.0), mem)
            except psutil.Error:
                pass
        self.tree_peak = max(self.tree_peak, total)

    def run(self) -> None:
        self.sample()
        self.born = set(self.first)
        while not self.stop.wait(self.every):
            self.sample()
        self.sample()

    def cpu_total(self) -> float:
        """What each process used while sampled: from its first reading, or from 0 if born meanwhile."""
        return sum(v - (self.first[k] if k in self.born else 0.0) for k, v in self.last.items())


# `rosp` without its front door (rosp_lib.launcher): the command always runs in its own process, imports included,
# as before the grappe's command server — the « sans serveur » measure of a single report through the grappe, and
# the command of an --avant tree (which may have no front door: an older rosp_lib)
HERE_ONLY = [sys.executable, "-c", "from rosp_lib.cli import run; run()"]


def run_rosp(args: list[str], label: str, tree: Path = ROOT, command: list[str] | None = None) -> dict:
    cpu0, t0 = children_cpu(), time.perf_counter()
    proc = subprocess.Popen([*(command or [str(BIN / "rosp")]), "report", *args], cwd=tree, env=env(tree),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall, cpu = time.perf_counter() - t0, children_cpu() - cpu0
    sampler.stop.set()
    sampler.join()
    if proc.returncode != 0:
        sys.exit(f"rosp report ({label}) a échoué (code {proc.returncode}) :\n{stdout}\n{stderr[-3000:]}")
    return {"wall_s": wall, "cpu_s": cpu, "memoire_par_processus_mo": sorted(sampler.worker_peak.values()),
            "memoire_totale_mo": sampler.tree_peak, "load_avg_1min": os.getloadavg()[0]}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_grappe(workers: int | None, tree: Path = ROOT) -> tuple[subprocess.Popen, str, float]:
    """`rosp grappe` on a free port, until it says it is ready (its kernels warm): process, address, seconds."""
    t0 = time.perf_counter()
    log = open(WORK / "grappe.log", "w", encoding="utf-8")  # noqa: SIM115 - kept open for the process
    proc = subprocess.Popen([str(BIN / "rosp"), "grappe", "--port", str(free_port()),
                             *(["--processus", str(workers)] if workers else [])], cwd=tree, env=env(tree),
                            stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True)
    for line in proc.stdout:
        if line.startswith("Grappe prête"):
            return proc, re.search(r"tcp://\S+:\d+", line).group(0), time.perf_counter() - t0
    sys.exit(f"rosp grappe n'a pas démarré (code {proc.wait()}) : voir {WORK / 'grappe.log'}")


def stop_grappe(proc: subprocess.Popen) -> int:
    import signal

    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=120)


def run_naive(keys, pharmacies: Path, molecules: Path, notebooks: Path) -> dict:
    out = WORK / "naif"
    shutil.rmtree(out, ignore_errors=True)
    cpu0, t0 = children_cpu(), time.perf_counter()
    for pid, year in keys:
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
        print(f"  naïf {pid} : {time.perf_counter() - t0:.1f} s depuis le début", flush=True)
    wall, cpu = time.perf_counter() - t0, children_cpu() - cpu0
    return {"wall_s": wall, "cpu_s": cpu, "reports": len(list(out.rglob("*.html"))),
            "load_avg_1min": os.getloadavg()[0]}


_RANDOM = re.compile(rb"[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|0x[0-9a-f]{6,16}")


def _normalised(path: Path, root: Path) -> bytes:
    """A report less what differs from one execution to the next, whatever runs it: timestamps
    (papermill's, nbclient's `execution`), its own path, the random id papermill gives its parameters
    cell (the reports keep a fixed one; 90_reseau does not), the random ids of widget models (32 hex
    digits) and of their HTML elements (uuid4, drawn by nbconvert), and the memory addresses in the
    text form of objects (« <Styler at 0x7f…> »)."""
    data = path.read_bytes()
    if path.suffix == ".ipynb":
        nb = json.loads(data)
        nb["metadata"].get("papermill", {}).pop("output_path", None)
        for meta in [nb["metadata"].get("papermill", {})] + [c["metadata"].get("papermill", {}) for c in nb["cells"]]:
            for k in ("start_time", "end_time", "duration"):
                meta.pop(k, None)
        for c in nb["cells"]:
            c["metadata"].pop("execution", None)
            if "injected-parameters" in c["metadata"].get("tags", []):  # papermill draws its id (90_reseau)
                c["id"] = "<id>"
        widgets = nb["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json")
        if widgets:  # keyed by the random ids: in the order of their contents
            widgets["state"] = sorted(_RANDOM.sub(b"<id>", json.dumps(v, sort_keys=True).encode()).decode()
                                      for v in widgets["state"].values())
        data = json.dumps(nb, sort_keys=True).encode()
    return _RANDOM.sub(b"<id>", data)


def compare(a: Path, b: Path) -> dict:
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file() and p.suffix in (".ipynb", ".html", ".csv", ".cle")
                     and p.name != "rapports.csv")
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file() and p.suffix in (".ipynb", ".html", ".csv", ".cle")
                     and p.name != "rapports.csv")
    same_raw = sum((a / f).read_bytes() == (b / f).read_bytes() for f in files_a if (b / f).exists())
    same_norm = sum(_normalised(a / f, a) == _normalised(b / f, b) for f in files_a if (b / f).exists())
    differ = [str(f) for f in files_a if (b / f).exists() and _normalised(a / f, a) != _normalised(b / f, b)]
    return {"fichiers": len(files_a), "memes_fichiers": files_a == files_b, "identiques_octet_pour_octet": same_raw,
            "identiques_hors_horodatages_et_ids": same_norm, "differents": differ[:10]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pharmacies", type=int, default=20, help="pharmacies du lot (défaut 20)")
    ap.add_argument("--naif", type=int, default=4, help="pharmacies faites à la manière naïve (défaut 4 ; 0 : sans)")
    ap.add_argument("--notebooks", type=Path, default=None, help="dossier des notebooks (défaut : notebooks/ de l'arbre)")
    ap.add_argument("--jobs", type=int, default=None, help="--jobs de rosp report (défaut : le sien)")
    ap.add_argument("--avant", type=Path, default=None,
                    help="un autre arbre du projet (p. ex. une copie de main) mesuré dans la même exécution, en "
                         "alternance : le lot et le rapport seul, avant et après")
    ap.add_argument("--sans-dask", action="store_true", help="sans la mesure --dask local")
    ap.add_argument("--seul", type=int, default=3, help="nombre de mesures du rapport seul (défaut 3)")
    ap.add_argument("--seulement-seul", action="store_true",
                    help="seulement le rapport seul, à froid et par une grappe chaude (ni lot, ni --dask local, ni naïf)")
    ap.add_argument("--sans-grappe", action="store_true", help="sans la mesure du rapport seul par « rosp grappe »")
    ap.add_argument("--grappe-processus", type=int, default=None,
                    help="--processus de rosp grappe (défaut : le sien, le nombre de cœurs)")
    args = ap.parse_args()
    pharmacies, molecules, keys = make_inputs(args.pharmacies)
    trees = {"apres": ROOT}
    if args.avant:
        trees = {"avant": args.avant.resolve(), "apres": ROOT}
    notebooks = {k: (args.notebooks or t / "notebooks").resolve() for k, t in trees.items()}
    for t in trees.values():
        warm_up(t)
    commits = {k: subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=t, capture_output=True,
                                 text=True).stdout.strip() for k, t in trees.items()}
    print(f"Machine : {platform.node()} — {os.cpu_count()} cœur(s), {platform.machine()}, Python "
          f"{platform.python_version()}, {psutil.virtual_memory().total / 2**30:.0f} Go ; "
          f"{', '.join(f'{k} = {t} ({commits[k]})' for k, t in trees.items())} ; "
          f"{len(keys)} pharmacies × {len(STEMS)} notebooks", flush=True)
    n_reports = len(keys) * len(STEMS)
    results: dict = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="minutes"), "commits": commits,
                     "arbres": {k: str(t) for k, t in trees.items()}, "cpu_count": os.cpu_count(),
                     "python": platform.python_version(), "pharmacies": len(keys), "rapports": n_reports,
                     "notebooks": {k: str(n) for k, n in notebooks.items()}}

    def common(which: str) -> list[str]:
        c = [str(pharmacies), "--molecules", str(molecules), "--toutes", "--force", "--notebooks", str(notebooks[which])]
        return c + (["--jobs", str(args.jobs)] if args.jobs else [])

    for which, tree in ({} if args.seulement_seul else trees).items():
        out = WORK / f"lot_local_{which}"
        shutil.rmtree(out, ignore_errors=True)
        r = results[f"rosp_{which}"] = run_rosp([*common(which), "-o", str(out)], f"local {which}", tree,
                                                command=None if which == "apres" else HERE_ONLY)
        print(f"[{which}] rosp report --toutes : {n_reports} rapports en {r['wall_s']:.1f} s — "
              f"{r['wall_s'] / n_reports:.2f} s par rapport (mur), CPU {r['cpu_s'] / n_reports:.2f} s par rapport ; "
              f"mémoire par processus de travail (processus + noyau, max) : "
              f"{', '.join(f'{m:.0f}' for m in r['memoire_par_processus_mo'])} Mo (charge {r['load_avg_1min']:.1f})",
              flush=True)
    r = results["rosp"] = results.get("rosp_apres")
    local_out = WORK / "lot_local_apres"

    pid, year = keys[0]

    def single_args(which: str, p: str, y: int, out: Path) -> list[str]:
        return [str(pharmacies), "--molecules", str(molecules), "--pharmacie", p, "--exercice", str(y),
                "--themes", "numerique", "--force", "--notebooks", str(notebooks[which]), "-o", str(out)]

    grappe = None
    if not args.sans_grappe:
        shutil.rmtree(WORK / "seul_grappe", ignore_errors=True)
        grappe, address, ready_s = start_grappe(args.grappe_processus)
        results["grappe_demarrage_s"] = ready_s
        print(f"rosp grappe prête (noyaux chauds) en {ready_s:.1f} s à {address}", flush=True)
        wp, wy = keys[-1]
        warm = run_rosp([*single_args("apres", wp, wy, WORK / "seul_grappe"), "--dask", address], "chauffe grappe")
        print(f"  rapport de chauffe par la grappe ({wp}) : {warm['wall_s']:.1f} s", flush=True)
    singles: dict[str, list] = {k: [] for k in trees}
    warm_singles: list[dict] = []  # through the grappe, by `rosp` and its front door (the command server)
    plain_singles: list[dict] = []  # through the grappe, the command in its own process (HERE_ONLY)
    for i in range(args.seul):
        for which, tree in trees.items():
            singles[which].append(run_rosp(single_args(which, pid, year, WORK / f"seul_{which}"),
                                           f"un rapport {which}", tree, command=None if which == "apres" else HERE_ONLY))
        if grappe is not None:  # another pharmacy each time: nothing of it is already in the kernel
            gp, gy = keys[i % len(keys)]
            for variant, command in (("serveur", None), ("sans_serveur", HERE_ONLY)):
                sampler = TreeSampler(grappe.pid, every=0.05, memory=False)
                sampler.start()
                w = run_rosp([*single_args("apres", gp, gy, WORK / "seul_grappe"), "--dask", address], "grappe",
                             command=command)
                sampler.stop.set()
                sampler.join()
                w["cpu_grappe_s"] = sampler.cpu_total()
                w["pharmacie"] = gp
                (warm_singles if variant == "serveur" else plain_singles).append(w)
    if grappe is not None:
        results["grappe_arret_code"] = stop_grappe(grappe)
        results["un_rapport_grappe"] = warm_singles
        results["un_rapport_grappe_sans_serveur"] = plain_singles
        for label, runs in (("grappe chaude, rosp", warm_singles),
                            ("grappe chaude, commande dans son propre processus", plain_singles)):
            def listed(name: str, runs=runs) -> str:
                return ", ".join(f"{one[name]:.1f}" for one in runs)

            walls = sorted(one["wall_s"] for one in runs)
            median = walls[len(walls) // 2]
            print(f"[{label}] Un rapport (--themes numerique --dask, une autre pharmacie à chaque fois) : "
                  f"{listed('wall_s')} s (médiane {median:.1f} s) ; CPU de la commande {listed('cpu_s')} s ; "
                  f"CPU de la grappe {listed('cpu_grappe_s')} s (charge {runs[-1]['load_avg_1min']:.1f}) ; "
                  f"objectif ≤ 3 s : {'tenu' if median <= 3 else 'manqué'} (médiane)", flush=True)
    for which, single in singles.items():
        walls = sorted(s["wall_s"] for s in single)
        cpus = sorted(s["cpu_s"] for s in single)
        results[f"un_rapport_{which}"] = single
        print(f"[{which}] Un rapport (--pharmacie {pid} --exercice {year} --themes numerique) : "
              f"{', '.join(f'{w:.1f}' for w in walls)} s (médiane {walls[len(walls) // 2]:.1f} s), CPU "
              f"{', '.join(f'{c:.1f}' for c in cpus)} s (charge {single[-1]['load_avg_1min']:.1f})", flush=True)
    results["un_rapport"] = results["un_rapport_apres"]
    if args.seulement_seul:
        (WORK / "resultats.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"Résultats : {WORK / 'resultats.json'}")
        return

    if not args.sans_dask:
        dask_out = WORK / "lot_dask"
        shutil.rmtree(dask_out, ignore_errors=True)
        d = results["dask_local"] = run_rosp([*common("apres"), "-o", str(dask_out), "--dask", "local"], "dask local")
        d["comparaison"] = compare(local_out, dask_out)
        d["surcout_par_rapport_s"] = (d["wall_s"] - r["wall_s"]) / n_reports
        d["surcout_cpu_par_rapport_s"] = (d["cpu_s"] - r["cpu_s"]) / n_reports
        c = d["comparaison"]
        print(f"rosp report --toutes --dask local : {d['wall_s']:.1f} s, CPU {d['cpu_s'] / n_reports:.2f} s par rapport ; "
              f"surcoût {d['surcout_par_rapport_s']:+.2f} s (mur) et {d['surcout_cpu_par_rapport_s']:+.2f} s (CPU) par "
              f"rapport ; fichiers : {c['fichiers']}, mêmes noms : {c['memes_fichiers']}, identiques octet pour octet : "
              f"{c['identiques_octet_pour_octet']}, identiques hors horodatages et ids de widgets : "
              f"{c['identiques_hors_horodatages_et_ids']} (charge {d['load_avg_1min']:.1f})", flush=True)

    rosp_per_report = r["wall_s"] / n_reports
    results["estimation_1000_pharmacies_s"] = 7000 * rosp_per_report
    results["estimation_1000_pharmacies_cpu_2_coeurs_s"] = 7000 * (r["cpu_s"] / n_reports) / 2
    n = min(args.naif, len(keys))
    if n:
        print(f"Manière naïve (papermill puis jupyter nbconvert, l'un après l'autre) sur {n} pharmacies :", flush=True)
        nv = results["naif"] = run_naive(keys[:n], pharmacies, molecules, notebooks["apres"])
        naive_per_report = nv["wall_s"] / nv["reports"]
        results["ratio_debit"] = naive_per_report / rosp_per_report
        results["ratio_cpu"] = (nv["cpu_s"] / nv["reports"]) / (r["cpu_s"] / n_reports)
        print(f"Naïf : {nv['reports']} rapports en {nv['wall_s']:.1f} s — {naive_per_report:.2f} s par rapport (mur), "
              f"CPU {nv['cpu_s'] / nv['reports']:.2f} s par rapport (charge {nv['load_avg_1min']:.1f})")
        print(f"Débit rosp report / naïf : × {results['ratio_debit']:.1f} ; CPU naïf / rosp : × {results['ratio_cpu']:.1f}")
    print(f"Estimation pour 1 000 pharmacies × 7 rapports : {results['estimation_1000_pharmacies_s'] / 60:.0f} min au "
          f"débit mesuré ici ; {results['estimation_1000_pharmacies_cpu_2_coeurs_s'] / 60:.0f} min sur 2 cœurs libres "
          f"au CPU mesuré ({r['cpu_s'] / n_reports:.2f} s par rapport ; objectif < 60 min : ≤ 1,03 s)")
    (WORK / "resultats.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"Résultats : {WORK / 'resultats.json'}")


if __name__ == "__main__":
    main()
