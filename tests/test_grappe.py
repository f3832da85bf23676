"""`rosp grappe`: a kept local Dask cluster with warm kernels, used by `rosp report --dask`.

One real grappe (one worker, to keep the test light) is started as a user would, on a free port; two single
reports of the real notebook `01_numerique` are made through it for two pharmacies, then the same report
by the local path, and the grappe is stopped by SIGTERM.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("papermill")
distributed = pytest.importorskip("distributed")

from click.testing import CliRunner  # noqa: E402

from rosp_lib import launcher  # noqa: E402
from rosp_lib.cli import main  # noqa: E402
from rosp_lib.report.notebook import read_recorded  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ENTREE, MOLECULES = ROOT / "data" / "pharmacies.csv", ROOT / "data" / "molecules.csv"
DATE = "2025-01-15"  # the same reference date for every run: the reports do not depend on the day

# Worked out from the rules of 2024 (docs/regles.md) and the example rows of data/pharmacies.csv:
# PH-TILLEULS: exercice coordonné 820 € + FSE 40 000 × 0,070 € (taux 97 % ≥ 95 %) + SCOR 100 € + DMP 100 €
#   + MSS 240 € + BAL 50 € + ApCV 50 € + mise à jour de la carte Vitale (borne et 2 lecteurs) 1 189 € = 5 349 €.
# PH-GARE: the same 820 + 2 800 + 100 + 100 + 240 + 50 + 50, lecteurs sans borne 1 000 €, équipement de
#   téléconsultation 1 225 €, téléconsultations 750 € (plafond), pharmacien correspondant 500 € (plafond)
#   = 7 635 €, less the malus of billing quality at 20 % (10 points) 1 527 € = 6 108 €.
EXPECTED = {"PH-TILLEULS": (534_900, "5\u202f349,00\xa0€"), "PH-GARE": (610_800, "6\u202f108,00\xa0€")}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _reader(stream, lines: queue.Queue, kept: list) -> None:
    for line in stream:
        kept.append(line)
        lines.put(line)


def _report(out: Path, pharmacie: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "rosp"), "report", str(ENTREE), "--molecules", str(MOLECULES), "--pharmacie",
                           pharmacie, "--exercice", "2024", "--themes", "numerique", "--date", DATE, "--force",
                           "-o", str(out), *extra], capture_output=True, text=True, timeout=600)


_LAUNCH = """
import json, os, sys
from rosp_lib import launcher
if sys.argv[2]:
    launcher.fingerprint = lambda: sys.argv[2]
if sys.argv[3]:
    os.umask(int(sys.argv[3], 8))
code = launcher.delegate(json.loads(sys.argv[1]))
print("\\nRESULTAT " + json.dumps({"code": code, "importes": sorted(m for m in ("pandas", "pandera", "distributed",
                                   "rosp_lib.cli", "click") if m in sys.modules)}))
"""


# `rosp` by its front door, which cannot run the command itself: a command not taken by the grappe's server fails
SERVER_ONLY = [sys.executable, "-c", "import sys; sys.modules['rosp_lib.cli'] = None; "
                                     "from rosp_lib import launcher; launcher.run()"]


def _through_launcher(out: Path, address: str, fingerprint: str = "", umask: str = "") -> dict:
    """`rosp report … --dask` handed by the front door (rosp_lib.launcher) to the grappe's command server, from a
    process that records what it imported itself; the command's own output comes on the same streams."""
    argv = ["report", str(ENTREE), "--molecules", str(MOLECULES), "--pharmacie", "PH-NOUVELLE", "--exercice", "2024",
            "--themes", "numerique", "--date", DATE, "--force", "-o", str(out), "--dask", address]
    run = subprocess.run([sys.executable, "-c", _LAUNCH, json.dumps(argv), fingerprint, umask],
                         capture_output=True, text=True, timeout=600)
    result = json.loads(run.stdout.rsplit("RESULTAT ", 1)[1])
    return {**result, "out": out, "stdout": run.stdout, "stderr": run.stderr}


def _interrupted(out: Path, address: str) -> dict:
    """A long batch through the command server, and Ctrl+C (SIGINT) to the front door once reports have started."""
    proc = subprocess.Popen([*SERVER_ONLY, "report", str(ENTREE), "--molecules", str(MOLECULES), "--toutes",
                             "--themes", "numerique,bups", "--date", DATE, "--force", "-o", str(out), "--dask", address],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    err: list[str] = []
    reader = threading.Thread(target=_reader, args=(proc.stderr, queue.Queue(), err), daemon=True)
    reader.start()
    end = time.monotonic() + 300
    # once a first report is written (the progress bar, written into a pipe, says its state every 30 s only)
    while not any(out.glob("20*/*/*.html")) and time.monotonic() < end:
        time.sleep(0.1)
    time.sleep(1)
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=300)
    reader.join(timeout=10)
    return {"code": code, "stderr": "".join(err), "stdout": proc.stdout.read()}


def _kernel_starts(address: str) -> list[int]:
    """How many kernels each worker's task thread has started (its reports run in that thread)."""
    def starts():
        from rosp_lib.batch import worker

        warm = getattr(worker._LOCAL, "kernel", None)
        return warm.starts if warm is not None else 0

    with distributed.Client(address, timeout="30s") as client:
        return [client.submit(starts, workers=[w], allow_other_workers=False, pure=False).result(timeout=60)
                for w in client.scheduler_info(n_workers=-1)["workers"]]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grappe")
    port = _free_port()
    # the port of the scheduler's HTTP server (8787) in use, as by a notebook's Dask dashboard: distributed then said
    # « UserWarning: Port 8787 is already in use… » on the console (held here if nothing else holds it)
    dashboard = socket.socket()
    try:
        dashboard.bind(("127.0.0.1", 8787))
        dashboard.listen()
    except OSError:
        pass  # already in use
    proc = subprocess.Popen([str(BIN / "rosp"), "grappe", "--port", str(port), "--processus", "1"], cwd=tmp,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines: queue.Queue = queue.Queue()
    out_lines: list[str] = []
    err_lines: list[str] = []
    readers = [threading.Thread(target=_reader, args=(proc.stdout, lines, out_lines), daemon=True),
               threading.Thread(target=_reader, args=(proc.stderr, queue.Queue(), err_lines), daemon=True)]
    for t in readers:
        t.start()
    try:
        end = time.monotonic() + 300
        ready = None
        while ready is None:
            try:
                line = lines.get(timeout=max(0.1, end - time.monotonic()))
            except queue.Empty:
                raise AssertionError("la grappe n'a pas dit qu'elle était prête : " + "".join(err_lines)) from None
            if line.startswith("Grappe prête"):
                ready = line
        address = re.search(r"tcp://[0-9.]+:\d+", ready).group(0)
        dashboard.close()
        grappe_out = tmp / "grappe"
        runs = {p: _report(grappe_out, p, "--dask", address) for p in ("PH-TILLEULS", "PH-GARE")}
        starts = _kernel_starts(address)
        served = _through_launcher(tmp / "servi", address)
        refused = _through_launcher(tmp / "refuse", address, fingerprint="une autre installation")
        current = os.umask(0o022)
        os.umask(current)
        other_umask = _through_launcher(tmp / "umask", address, umask="077" if current != 0o077 else "022")
        bad = tmp / "mal.csv"
        bad.write_text(ENTREE.read_text(encoding="utf-8").replace(";40000;", ";40.000;", 1), encoding="utf-8")
        invalid = subprocess.run([*SERVER_ONLY, "report", str(bad), "--pharmacie", "PH-TILLEULS", "--exercice",
                                  "2024", "--dask", address, "-o", str(tmp / "invalide")],
                                 capture_output=True, text=True, timeout=300)
        interrupted = _interrupted(tmp / "interrompu", address)
        socket_during = launcher.socket_path(port).exists()
        local = _report(tmp / "local", "PH-GARE")
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=120)
        for t in readers:
            t.join(timeout=10)
        time.sleep(0.5)
        yield {"address": address, "port": port, "ready": ready, "runs": runs, "starts": starts, "local": local,
               "served": served, "refused": refused, "other_umask": other_umask, "invalid": invalid, "interrupted": interrupted,
               "socket_during": socket_during, "invalid_out": tmp / "invalide",
               "grappe_out": grappe_out, "local_out": tmp / "local", "code": code, "stdout": "".join(out_lines),
               "stderr": "".join(err_lines)}
    finally:
        dashboard.close()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_the_grappe_says_where_it_listens_and_the_command_to_use(scenario):
    assert "already in use" not in scenario["stderr"] and "Warning" not in scenario["stderr"], scenario["stderr"]
    port = scenario["port"]
    assert scenario["address"] == f"tcp://127.0.0.1:{port}"
    assert "1 processus de travail, noyaux chauds" in scenario["ready"]
    assert f"rosp report ENTREE --molecules MOLECULES --pharmacie ID --exercice AAAA --themes numerique " \
           f"--dask tcp://127.0.0.1:{port}" in scenario["stdout"]


@pytest.mark.parametrize("pharmacie", sorted(EXPECTED))
def test_two_single_reports_through_the_grappe_carry_the_total_of_the_rules(scenario, pharmacie):
    run = scenario["runs"][pharmacie]
    assert run.returncode == 0, run.stdout + run.stderr
    folder = scenario["grappe_out"] / "2024" / pharmacie
    cents, shown = EXPECTED[pharmacie]
    recorded = read_recorded(folder / "01_numerique.ipynb")
    assert [(r["pharmacie_id"], r["exercice"], r["total_cents"]) for r in recorded] == [(pharmacie, 2024, cents)]
    html = (folder / "01_numerique.html").read_text(encoding="utf-8")
    assert f"Total du thème\u00a0: {shown}" in html  # French no-break space before « : »
    assert (scenario["grappe_out"] / "index.html").is_file()
    assert (scenario["grappe_out"] / "pharmacies" / f"{pharmacie}.html").is_file()


def test_both_reports_ran_in_the_kernel_warmed_at_the_start(scenario):
    assert scenario["starts"] == [1]  # one worker, one kernel: started before the first report, kept


_RANDOM = re.compile(r"[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|0x[0-9a-f]{6,16}")


def _without_times_and_ids(path: Path) -> str:
    """The report less what differs between two executions whatever runs them: timestamps, the output path,
    the random ids of the explorer's widgets."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        nb = json.loads(text)
        nb["metadata"]["papermill"].pop("output_path")
        for meta in [nb["metadata"]["papermill"]] + [c["metadata"].get("papermill", {}) for c in nb["cells"]]:
            for k in ("start_time", "end_time", "duration"):
                meta.pop(k, None)
        for c in nb["cells"]:
            c["metadata"].pop("execution", None)
        widgets = nb["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json")
        if widgets:
            widgets["state"] = sorted(_RANDOM.sub("<id>", json.dumps(v, sort_keys=True))
                                      for v in widgets["state"].values())
        text = json.dumps(nb, sort_keys=True)
    return _RANDOM.sub("<id>", text)


def test_the_grappe_writes_what_the_local_path_writes(scenario):
    assert scenario["local"].returncode == 0, scenario["local"].stderr
    a, b = scenario["grappe_out"] / "2024" / "PH-GARE", scenario["local_out"] / "2024" / "PH-GARE"
    for name in ("entree.csv", "molecules.csv", ".01_numerique.cle"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    for name in ("01_numerique.ipynb", "01_numerique.html"):
        assert _without_times_and_ids(a / name) == _without_times_and_ids(b / name)


def test_sigterm_stops_the_grappe_cleanly(scenario):
    assert scenario["code"] == 0, scenario["stderr"]
    assert "Grappe arrêtée : noyaux Jupyter et processus de travail fermés." in scenario["stderr"]
    assert "Traceback" not in scenario["stderr"] + scenario["stdout"]
    assert "WARNING" not in scenario["stderr"]  # no kernel left behind to say its parent has gone
    with socket.socket() as s:  # the scheduler's port is free again
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", scenario["port"]))


def test_a_report_command_is_run_by_the_command_server_without_importing_pandas_here(scenario):
    served = scenario["served"]
    assert served["code"] == 0, served["stdout"] + served["stderr"]
    assert served["importes"] == []  # the front door imported neither pandas, pandera, distributed, nor click
    assert "1 rapport en " in served["stdout"]  # the command's own output, on the front door's streams
    recorded = read_recorded(served["out"] / "2024" / "PH-NOUVELLE" / "01_numerique.ipynb")
    assert [(r["pharmacie_id"], r["exercice"]) for r in recorded] == [("PH-NOUVELLE", 2024)]
    assert scenario["socket_during"]


def test_another_install_is_refused_and_the_command_runs_here(scenario):
    refused = scenario["refused"]
    assert refused["code"] is None  # the front door runs the command itself (rosp_lib.cli)
    assert not refused["out"].exists()  # nothing was run by the server


def test_another_umask_is_refused_and_the_command_runs_here(scenario):
    assert scenario["other_umask"]["code"] is None  # its files would get the grappe's permissions otherwise
    assert not scenario["other_umask"]["out"].exists()


def test_an_invalid_input_through_the_command_server_is_a_french_error_and_writes_nothing(scenario):
    run = scenario["invalid"]
    assert run.returncode == 2, run.stdout + run.stderr
    assert "40.000" in run.stderr and "40000 ou 40 000" in run.stderr
    assert "Traceback" not in run.stderr
    assert not scenario["invalid_out"].exists()


def test_ctrl_c_reaches_the_command_run_by_the_server(scenario):
    run = scenario["interrupted"]
    assert run["code"] == 130, run["stderr"]
    assert "Interrompu : les rapports terminés sont en place" in run["stderr"]
    assert "Traceback" not in run["stderr"]


def test_the_command_server_removes_its_socket_when_the_grappe_stops(scenario):
    assert not launcher.socket_path(scenario["port"]).exists()


@pytest.mark.parametrize("argv, port", [
    (["report", "e.csv", "--dask", "tcp://127.0.0.1:8799"], 8799),
    (["report", "e.csv", "--dask=tcp://10.0.0.5:1234", "--toutes"], 1234),
    (["report", "e.csv", "--dask", "tcp://10.0.0.5"], 8786),
    (["report", "e.csv", "--dask", "local"], None),
    (["report", "e.csv", "--toutes"], None),
    (["compute", "e.csv", "--dask", "tcp://127.0.0.1:8799"], None),
    (["report", "--", "--dask", "tcp://127.0.0.1:8799"], None),
])
def test_the_front_door_reads_the_port_of_the_dask_address(argv, port):
    assert launcher.dask_port(argv) == port


def test_a_port_already_taken_is_a_french_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["grappe", "--port", str(port)])
    assert result.exit_code == 2
    assert f"Erreur : le port {port} est déjà pris sur 127.0.0.1" in result.output
    assert f"--port {port + 1}" in result.output


def test_declared_parameters_need_no_papermill_for_a_python_cell(tmp_path):
    """A cell that is valid Python is read by its syntax tree: a value over several lines and a comment holding
    « = » are read; a cell that is not valid Python is still read by papermill, line by line."""
    from rosp_lib.batch.reports import declared_parameters

    def notebook(name: str, source: str) -> Path:
        path = tmp_path / name
        cell = {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": source, "outputs": [],
                "execution_count": None, "id": "p"}
        path.write_text(json.dumps({"cells": [cell], "metadata": {"kernelspec": {"name": "python3",
                                    "language": "python", "display_name": "Python 3"}, "language_info":
                                    {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
        return path

    python = notebook("a.ipynb", 'pharmacie_id = "X"  # a = b\nexercice: int = 2024\nseuils = [\n    1,\n    2,\n]\n')
    assert declared_parameters(python) == {"pharmacie_id", "exercice", "seuils"}
    broken = notebook("b.ipynb", 'pharmacie_id = "X"\nexercice = 2024\nnot python at all (\n')
    assert declared_parameters(broken) == {"pharmacie_id", "exercice"}
