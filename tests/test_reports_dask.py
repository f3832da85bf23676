"""`rosp report … --dask`: a real Dask scheduler and two workers on 127.0.0.1, one killed mid-run.

The workers run in their own folders and the client writes every report (no shared filesystem is
used by the code: the tasks carry their inputs, the outcomes their bytes). The fake notebooks of
tests/notebooks_fake sleep a second for the pharmacies « PH-LENT-… », so that the batch is still
running when a worker is killed.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("papermill")
distributed = pytest.importorskip("distributed")

from rosp_lib.cli import main  # noqa: E402,F401  (the command group; `report` is imported on demand)
from rosp_lib.batch.reports import ReportJob, run_reports  # noqa: E402
from rosp_lib.registry import THEMES as REGISTRY_THEMES  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FAKE = ROOT / "tests" / "notebooks_fake"
BIN = Path(sys.executable).parent
PHARMACIES = [f"PH-LENT-{i}" for i in range(1, 7)]
THEMES = ("synthese", "bups")


def _pharmacies_csv(path: Path, ids: list[str], year: int = 2024) -> Path:
    lines = (ROOT / "data" / "pharmacies.csv").read_text(encoding="utf-8").splitlines()
    header, row = lines[0], lines[1].split(";")
    path.write_text("\n".join([header] + [";".join([p, row[1], str(year), *row[3:]]) for p in ids]) + "\n",
                    encoding="utf-8")
    return path


def _wait_for(condition, what: str, timeout: float = 180):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"délai dépassé : {what}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two single-thread workers (no nanny: killing one kills it), on 127.0.0.1."""
    tmp = tmp_path_factory.mktemp("grappe")
    info = tmp / "planificateur.json"
    procs = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(info)], cwd=tmp,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        address = _wait_for(lambda: info.exists() and json.loads(info.read_text() or "{}").get("address"),
                            "démarrage du planificateur")
        workers = {}
        for name in ("w0", "w1"):
            folder = tmp / name
            folder.mkdir()
            workers[name] = subprocess.Popen(
                [str(BIN / "dask"), "worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny",
                 "--no-dashboard", "--name", name, "--local-directory", str(folder)],
                cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(workers[name])
        with distributed.Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=180)
        yield address, workers
    finally:
        for p in procs:
            p.kill()
            p.wait()


@pytest.fixture(scope="module")
def dask_batch(cluster, tmp_path_factory):
    """A --toutes batch of 12 reports on the cluster; worker w0 is killed while it runs one."""
    address, workers = cluster
    tmp = tmp_path_factory.mktemp("lot_dask")
    entree = _pharmacies_csv(tmp / "pharmacies.csv", PHARMACIES)
    out = tmp / "sortie"
    run = subprocess.Popen([str(BIN / "rosp"), "report", str(entree), "--toutes", "--themes", ",".join(THEMES),
                            "--notebooks", str(FAKE), "-o", str(out), "--dask", address],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with distributed.Client(address, timeout="60s") as client:
        def w0_busy():
            info = client.scheduler_info()["workers"]
            w0 = [a for a, w in info.items() if w.get("name") == "w0"]
            return w0 and client.processing().get(w0[0])

        _wait_for(w0_busy, "un rapport en cours sur w0")
        workers["w0"].kill()
        workers["w0"].wait()
    output = run.communicate(timeout=900)[0]
    return entree, out, run.returncode, output


def test_every_report_exists_once_and_complete_after_a_worker_is_lost(dask_batch):
    entree, out, code, output = dask_batch
    assert code == 0, output
    with open(out / "rapports.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    keys = [(r["pharmacie_id"], r["exercice"], r["theme"]) for r in rows]
    assert sorted(keys) == sorted((p, "2024", t) for p in PHARMACIES for t in THEMES)  # each exactly once
    assert {r["statut"] for r in rows} == {"ok"}
    seen = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    expected = sorted([f"2024/{p}/{n}" for p in PHARMACIES
                       for n in ("entree.csv", ".00_synthese.cle", ".02_bups.cle", ".verrou",
                                 "00_synthese.ipynb", "00_synthese.html", "02_bups.ipynb", "02_bups.html")]
                      + ["rapports.csv", ".rapports.csv.verrou", "index.html"]
                      + [f"pharmacies/{p}.html" for p in PHARMACIES]
                      # the « rapport non produit » pages of the themes not asked for, linked from the navigation
                      + [f"2024/{p}/{t.notebook}.html" for p in PHARMACIES for t in REGISTRY_THEMES if t.code != "bups"])
    assert seen == expected
    for p in PHARMACIES:
        for stem in ("00_synthese", "02_bups"):
            nb = json.loads((out / "2024" / p / f"{stem}.ipynb").read_text(encoding="utf-8"))
            printed = "".join(t for c in nb["cells"] for o in c.get("outputs", []) for t in o.get("text", []))
            assert json.loads(printed)["pharmacie_id"] == p
            assert not nb["metadata"]["papermill"]["exception"]


def _without_times(path: Path) -> dict:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for c in nb["cells"]:
        c["metadata"].pop("execution", None)
    for meta in [nb["metadata"]["papermill"]] + [c["metadata"].get("papermill", {}) for c in nb["cells"]]:
        for k in ("start_time", "end_time", "duration"):
            meta.pop(k, None)
    return nb


def test_the_cluster_writes_what_local_workers_write(dask_batch, tmp_path):
    entree, out, _, _ = dask_batch
    # the same reports by a local worker process
    jobs = [ReportJob(p, 2024, t, entree) for p in PHARMACIES[:2] for t in THEMES]
    same = out.parent / "sortie_locale"
    results = run_reports(jobs, notebooks_dir=FAKE, out_dir=same, workers=1)
    assert {r.statut for r in results} == {"ok"}
    for p in PHARMACIES[:2]:
        for stem in ("00_synthese", "02_bups"):
            a, b = out / "2024" / p, same / "2024" / p
            assert (a / f"{stem}.html").read_bytes() == (b / f"{stem}.html").read_bytes()
            left, right = _without_times(a / f"{stem}.ipynb"), _without_times(b / f"{stem}.ipynb")
            right["metadata"]["papermill"]["output_path"] = left["metadata"]["papermill"]["output_path"]
            assert left == right
            assert (a / "entree.csv").read_bytes() == (b / "entree.csv").read_bytes()


def test_dask_local_starts_its_own_cluster(tmp_path):
    from click.testing import CliRunner

    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", ["PH-A"])
    out = tmp_path / "sortie"
    result = CliRunner().invoke(main, ["report", str(entree), "--pharmacie", "PH-A", "--themes", "bups",
                                       "--notebooks", str(FAKE), "-o", str(out), "--dask", "local", "-j", "1"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (out / "2024/PH-A/02_bups.html").is_file()


@pytest.mark.parametrize("address, why", [
    ("tcp://127.0.0.1:9", "pas de réponse en 30 s : planificateur arrêté, adresse ou port faux, ou réseau fermé"),
    ("nimportequoi", "ce n'est pas une adresse de planificateur"),  # was distributed's ValueError, a traceback
])
def test_an_unreachable_scheduler_is_a_clear_error(tmp_path, address, why):
    from click.testing import CliRunner

    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", ["PH-A"])
    result = CliRunner().invoke(main, ["report", str(entree), "--pharmacie", "PH-A", "--notebooks", str(FAKE),
                                       "-o", str(tmp_path / "sortie"), "--dask", address],
                                catch_exceptions=False)
    assert result.exit_code == 2
    assert f"impossible de joindre le planificateur Dask « {address} » ({why}) ; attendu : l'adresse affichée par " \
           "« dask scheduler » ou « rosp grappe », par exemple tcp://10.0.0.5:8786, ou « local »" in result.output
    assert "Timed out" not in result.output and "Traceback" not in result.output
