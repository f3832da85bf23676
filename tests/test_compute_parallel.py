"""`rosp compute` on several processes (`rosp_lib/lines/workers.py`): the same files and the same summary
as in one process, worker errors raised in the command as they are, nothing written when a worker fails."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from click.testing import CliRunner

from rosp_lib import engine
from rosp_lib.cli import main
from rosp_lib.inputs import InputError
from rosp_lib.inputs.errors import InputErrors
from rosp_lib.lines import workers
from rosp_lib.parameters import ParameterError

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SCENARIO = ROOT / "parameters" / "scenarios" / "lectures-alternatives.yaml"


def run(*args) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def tiny_parts(monkeypatch, tmp_path):
    """Parts of 2 to 3 input rows (the example file has 13 rows: 5 parts), and each part's process id
    written to a file, to see which processes computed the parts."""
    monkeypatch.setattr(workers, "WORKER_PART_ROWS", (2, 3))
    seen = tmp_path / "processus.txt"
    compute_part = engine.compute_part

    def traced(pharmacies, molecules, owner, parameters, start, stop):
        with open(seen, "a") as fh:
            fh.write(f"{os.getpid()} {start} {stop}\n")
        return compute_part(pharmacies, molecules, owner, parameters, start, stop)

    monkeypatch.setattr(engine, "compute_part", traced)
    return seen


def _parts(seen: Path) -> list[tuple[int, int, int]]:
    return sorted((tuple(map(int, line.split())) for line in seen.read_text().splitlines()), key=lambda p: p[1])


@pytest.mark.parametrize("scenario", [None, SCENARIO], ids=["parametres", "lectures-alternatives"])
def test_files_and_summary_of_worker_processes_are_those_of_one_process(tmp_path, tiny_parts, scenario):
    extra = ["--parametres", scenario] if scenario else []
    one = run("compute", DATA / "pharmacies.csv", "--molecules", DATA / "molecules.csv", *extra,
              "-o", tmp_path / "un", "--jobs", "1")
    assert one.exit_code == 0, one.output
    assert _parts(tiny_parts) == [(os.getpid(), 0, 13)]  # one part of the 13 rows, in this process
    tiny_parts.unlink()

    several = run("compute", DATA / "pharmacies.csv", "--molecules", DATA / "molecules.csv", *extra,
                  "-o", tmp_path / "plusieurs", "--jobs", "2")
    assert several.exit_code == 0, several.output
    parts = _parts(tiny_parts)
    # 13 rows in consecutive parts of 3 rows (the last one 1), each computed once, by a worker
    assert [(start, stop) for _, start, stop in parts] == [(0, 3), (3, 6), (6, 9), (9, 12), (12, 13)]
    assert os.getpid() not in {pid for pid, _, _ in parts}
    for name in ("lignes.csv", "totaux.csv"):
        assert (tmp_path / "plusieurs" / name).read_bytes() == (tmp_path / "un" / name).read_bytes(), name
    assert sorted(p.name for p in (tmp_path / "plusieurs").iterdir()) == ["lignes.csv", "totaux.csv"]
    # the same summary, apart from the folder named on the last line
    assert one.stdout.replace(str(tmp_path / "un"), "X") == several.stdout.replace(str(tmp_path / "plusieurs"), "X")
    assert "391 lignes de résultat" in several.stdout


def test_one_part_is_computed_in_the_command_process(tmp_path, monkeypatch):
    """A small file (one part) does not pay for worker processes, whatever --jobs says."""
    seen = []
    compute_part = engine.compute_part
    monkeypatch.setattr(engine, "compute_part", lambda *a: seen.append(os.getpid()) or compute_part(*a))
    result = run("compute", DATA / "pharmacies.csv", "--molecules", DATA / "molecules.csv", "-o", tmp_path, "-j", "2")
    assert result.exit_code == 0, result.output
    assert seen == [os.getpid()]
    low, high = workers.WORKER_PART_ROWS
    assert workers.worker_count(13, 2) == 1
    assert workers.worker_count(low, 2) == 1  # one part at most: in this process
    assert workers.worker_count(low + 1, 2) == 2 and workers.worker_part_rows(low + 1, 2) == -(-(low + 1) // 2)
    # two parts per worker while they are not too large, equal parts
    assert workers.worker_count(4 * high - 1, 2) == 2 and workers.worker_part_rows(4 * high - 1, 2) == high
    assert workers.worker_part_rows(4 * high - 4, 2) == high - 1
    assert workers.worker_part_rows(40 * high, 2) == high
    assert workers.worker_count(20_000, 1) == 1
    monkeypatch.setattr(workers.multiprocessing, "get_all_start_methods", lambda: ["spawn"])  # Windows
    assert workers.worker_count(20_000, 2) == 1


def _old_outputs(folder: Path) -> dict[str, bytes]:
    folder.mkdir()
    old = {"lignes.csv": b"anciennes lignes\n", "totaux.csv": b"anciens totaux\n"}
    for name, data in old.items():
        (folder / name).write_bytes(data)
    return old


def _compute_with_failing_parts(tmp_path, monkeypatch, first_row: int, error) -> tuple:
    """(result, output folder, its old files): `rosp compute -j 2` on the example over old outputs, the parts
    that start at `first_row` or later raising `error(start)` in their worker."""
    traced = engine.compute_part

    def failing(pharmacies, molecules, owner, parameters, start, stop):
        if start >= first_row:
            raise error(start)
        return traced(pharmacies, molecules, owner, parameters, start, stop)

    monkeypatch.setattr(engine, "compute_part", failing)
    out = tmp_path / "sortie"
    old = _old_outputs(out)
    result = run("compute", DATA / "pharmacies.csv", "--molecules", DATA / "molecules.csv", "-o", out, "-j", "2")
    return result, out, old


def test_an_input_error_in_a_worker_is_the_french_error_and_nothing_is_written(tmp_path, tiny_parts, monkeypatch):
    result, out, old = _compute_with_failing_parts(
        tmp_path, monkeypatch, 6, lambda start: InputError("pharmacies.csv", [
            f"ligne {start + 2}, colonne « nb_fse » : valeur « -3 » ; attendu : un nombre entier positif ou nul"]))
    assert result.exit_code == 2, result.output
    assert result.stderr.split("\nErreur : ")[1] == (
        "pharmacies.csv : 1 problème — rien n'a été calculé ni écrit.\n"
        "  - ligne 8, colonne « nb_fse » : valeur « -3 » ; attendu : un nombre entier positif ou nul\n")
    assert "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == old  # no temporary file or folder left
    assert os.getpid() not in {pid for pid, _, _ in _parts(tiny_parts)}


def test_a_dead_worker_is_a_french_error_and_nothing_is_written(tmp_path, tiny_parts, monkeypatch):
    traced = engine.compute_part

    def dying(pharmacies, molecules, owner, parameters, start, stop):
        if start >= 3:
            os._exit(9)  # as if killed (out of memory)
        return traced(pharmacies, molecules, owner, parameters, start, stop)

    monkeypatch.setattr(engine, "compute_part", dying)
    out = tmp_path / "sortie"
    old = _old_outputs(out)
    result = run("compute", DATA / "pharmacies.csv", "--molecules", DATA / "molecules.csv", "-o", out, "-j", "2")
    assert result.exit_code == 4, result.output
    assert result.stderr.split("\nErreur : ")[1].startswith("un processus de calcul s'est arrêté brutalement")
    assert "les anciens sont intacts" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == old


def test_jobs_below_one_is_refused_in_french(tmp_path):
    result = run("compute", DATA / "pharmacies.csv", "-o", tmp_path, "--jobs", "0")
    assert result.exit_code == 2
    assert "--jobs : au moins 1 processus (reçu : 0)." in result.stderr
    assert not any(tmp_path.iterdir())


def test_worker_exceptions_come_back_as_they_were():
    """What a worker raises crosses the pipe with its class, message and attributes, even the French
    errors whose __init__ does not take their message (plain pickle cannot rebuild them, unless a library
    such as tblib, loaded by other tests, changes how exceptions are pickled)."""
    first = InputError("pharmacies.csv", ["ligne 2, colonne « exercice » : valeur « 2031 »"])
    second = InputError("molecules.csv", ["ligne 4, colonne « molecule » : valeur vide"], total=3)
    for exc in (first, InputErrors([first, second]), ParameterError("scénario : clé « numeriqe » inconnue"),
                FileNotFoundError(2, "introuvable", "x.csv")):
        back = pickle.loads(pickle.dumps(workers._Raised.of(exc))).rebuilt()
        assert type(back) is type(exc)
        assert str(back) == str(exc)
        assert back.args == exc.args
    back = pickle.loads(pickle.dumps(workers._Raised.of(InputErrors([first, second])))).rebuilt()
    assert [e.path for e in back.errors] == ["pharmacies.csv", "molecules.csv"]
    assert back.total == 4 and back.problems == first.problems + second.problems
    assert str(back).startswith("pharmacies.csv : 1 problème — rien n'a été calculé ni écrit.\n")
    assert "molecules.csv : 3 problèmes" in str(back)


def test_a_full_disk_in_a_worker_is_the_output_error_and_nothing_is_written(tmp_path, tiny_parts, monkeypatch):
    import errno

    result, out, old = _compute_with_failing_parts(tmp_path, monkeypatch, 3,
                                                   lambda _start: OSError(errno.ENOSPC, "No space left on device"))
    assert result.exit_code == 3, result.output
    assert result.stderr.split("\nErreur : ")[1] == (
        f"impossible d'écrire lignes.csv dans {out} : disque plein ; aucun fichier de sortie n'a été remplacé "
        "(les anciens sont intacts)\n")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == old


_FORK_PROBE = """
import os, sys, threading
fork = os.fork
def probe():
    print("fork with threads:", ",".join(t.name for t in threading.enumerate()), file=sys.stderr)
    return fork()
os.fork = probe
from rosp_lib.lines import workers
workers.WORKER_PART_ROWS = (2, 3)
from rosp_lib.cli import main
main(sys.argv[1:])
"""


def test_the_workers_are_forked_before_any_thread_of_the_command(tmp_path):
    """In a command of its own (a test process may have threads of its own), every fork happens while
    the command has no other thread than its main one (the background sync thread starts later)."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", _FORK_PROBE, "compute", DATA / "pharmacies.csv", "--molecules", DATA / "molecules.csv",
         "-o", tmp_path, "--jobs", "2"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    forks = [line for line in proc.stderr.splitlines() if line.startswith("fork")]
    assert forks == ["fork with threads: MainThread"] * 2
    assert "391 lignes de résultat" in proc.stdout


_SLOW_COMMAND = """
import os, sys, time
from rosp_lib import engine
from rosp_lib.lines import workers
workers.WORKER_PART_ROWS = (2, 3)
compute_part = engine.compute_part
def slow(pharmacies, molecules, owner, parameters, start, stop):
    with open(sys.argv[1], "a") as fh:
        fh.write(f"{os.getpid()}\\n")
    if start >= 3:
        time.sleep(60)
    return compute_part(pharmacies, molecules, owner, parameters, start, stop)
engine.compute_part = slow
from rosp_lib.cli import main
main(sys.argv[2:])
"""


def test_sigterm_stops_the_command_and_its_workers_and_removes_the_temporary_files(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "sortie"
    old = _old_outputs(out)
    pids = tmp_path / "pids.txt"
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_COMMAND, pids, "compute", DATA / "pharmacies.csv", "--molecules",
         DATA / "molecules.csv", "-o", out, "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not (pids.exists() and len(pids.read_text().split()) >= 3):  # parts started in both workers
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() else ""
            time.sleep(0.1)
        assert any(p.name.endswith(".parts") for p in out.iterdir())  # the workers' temporary folder
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 128 + signal.SIGTERM  # without waiting for the parts being computed
    finally:
        proc.kill()
        proc.communicate()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == old
    time.sleep(0.5)
    for pid in {int(p) for p in pids.read_text().split()}:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # no worker left behind
