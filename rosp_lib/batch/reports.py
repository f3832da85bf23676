"""Batch reports: papermill runs the theme notebooks per pharmacy × exercise (`rosp report`).

One report = one notebook of `notebooks/` executed for one pharmacy and one exercise, written as
`<out>/<exercice>/<pharmacie_id>/<NN_theme>.ipynb` with its HTML rendering beside it.

How a batch runs (reliability and security) :

- the input files are validated once; each pharmacy-year folder then receives its own input slice
  (`entree.csv`, `molecules.csv`, the scenario: rosp_lib.batch.folders), and the notebooks get these
  names as papermill parameters and run in that folder. A parameter the notebook does not declare
  in its `parameters` cell is an error (papermill itself only warns), checked before any kernel
  starts; `pharmacie_id` is checked against `PHARMACIE_ID_RE` before it becomes a path;
- the reports are executed by workers — local processes (`ProcessPoolExecutor`) or the workers of
  a Dask cluster (`dask=`, rosp_lib.batch.distributed) — each keeping one Jupyter kernel for many
  reports (rosp_lib.batch.worker); a worker returns the executed notebook and its HTML as bytes;
- this process writes every file under a temporary name and renames it (`os.replace`) once
  complete: a report is never half-written under its final name. A failed report keeps its partial
  executed notebook as `<NN_theme>.echec.ipynb` and loses any older final files; the other reports
  go on. A worker process that dies costs a retry of its reports;
- a report is up to date, and skipped unless `force`, when its content key — a hash of its input
  slice, scenario, notebook, parameters and install — is the key recorded beside it; the synthesis's key
  holds its slice of the statement of payments (`--versements`), and every report's key the deadlines
  already passed at the reference date (`date_reference`: « encore possible » in « Ce que l'officine peut
  encore gagner »), not the date itself: a report made on another day is rerun only if a deadline lies
  between;
- the synthesis of a pharmacy-year with an unfavourable or unexplained gap carries its claim draft as an
  output (rosp_lib.report.versements); this process writes it beside the report,
  `reclamation_<pharmacie_id>_<exercice>.md` (with Dask too: it comes back in the notebook's bytes);
- a `rosp report` holds the lock of each folder it writes in; another one that finds it held says
  so, makes the other folders first, then waits for it.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import difflib
import importlib.util
import json
import logging
import multiprocessing
import os
import re
import sys
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import click

if importlib.util.find_spec("papermill") is None or importlib.util.find_spec("nbconvert") is None:
    # `rosp report` needs the « reports » extra; without it, rosp_lib.cli says « commande inconnue ».
    raise ImportError("papermill et nbconvert sont nécessaires : pip install 'rosp-lib[reports]'")

from rosp_lib.batch import folders
from rosp_lib.batch.worker import (  # noqa: F401 - ReportError, UnknownParameterError, LogFileError are public here
    EXECUTION_TIMEOUT_S,
    KERNEL_NAME,
    KERNEL_REPORTS,
    START_TIMEOUT_S,
    LogFileError,
    Outcome,
    ReportError,
    Settings,
    Task,
    UnknownParameterError,
    execute_task,
    install_fingerprint,
    one_line,
    open_log,
    release_kernel,
    warm_up,
)
from rosp_lib.cli.french import INTERRUPTED, Folder, FrenchCommand, input_warnings
from rosp_lib.inputs import PHARMACIE_ID_RE
from rosp_lib.inputs.errors import near_hint, same_but_case, shown
from rosp_lib.lines.formatting import agreed, counted, seconds

from rosp_lib.registry import REPORT_NOTEBOOKS, SYNTHESIS  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = ROOT / "notebooks"

# theme name (--themes) → notebook file stem, in report order: the synthesis, then the registry's themes
THEMES: dict[str, str] = REPORT_NOTEBOOKS
PARAMETER_NAMES = ("pharmacie_id", "exercice", "entree", "molecules", "parametres")
# given only to the notebooks whose `parameters` cell declares them (the project's notebooks do)
OPTIONAL_PARAMETERS = ("date_reference", "versements")

STATUTS = ("ok", "echec", "deja_fait")
MANIFEST_NAME = "rapports.csv"
NETWORK_FILES = ("90_reseau.ipynb", "90_reseau.html")  # the network view, at the root of the output folder
LOG_NAME = "rapports.log"  # what the workers and kernels print, for diagnosis
# nom: the pharmacy's name that exercise, for the index to name a row the next run's input does not have (review)
MANIFEST_COLUMNS = ["pharmacie_id", "exercice", "theme", "statut", "duree_s", "erreur", "chemin", "montant_eur", "nom"]
# the columns a summary of an earlier version has (without montant_eur): its rows are kept when merging
_MANIFEST_REQUIRED = MANIFEST_COLUMNS[:7]

EXIT_INVALID = 2
EXIT_FAILED = 1
EXIT_OUTPUT = 3  # the output folder, the summary or the index pages could not be written


# --------------------------------------------------------------------------------------------
# Jobs and results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportJob:
    """One report to make: a theme notebook for one pharmacy and one exercise, from these files."""

    pharmacie_id: str
    exercice: int
    theme: str
    entree: Path
    molecules: Path | None = None
    parametres: Path | None = None

    @property
    def stem(self) -> str:
        return THEMES[self.theme]

    def folder(self, out_dir: Path) -> Path:
        return Path(out_dir) / str(int(self.exercice)) / self.pharmacie_id

    def paths(self, out_dir: Path) -> "ReportPaths":
        d = self.folder(out_dir)
        return ReportPaths(notebook=d / f"{self.stem}.ipynb", html=d / f"{self.stem}.html",
                           echec=d / f"{self.stem}.echec.ipynb", key=folders.key_path(d, self.stem))

    def sources(self) -> tuple:
        return tuple(Path(p).resolve() if p else None for p in (self.entree, self.molecules, self.parametres))


@dataclass(frozen=True)
class ReportPaths:
    notebook: Path
    html: Path
    echec: Path
    key: Path


@dataclass
class ReportResult:
    """What became of one report; one row of rapports.csv."""

    pharmacie_id: str
    exercice: int
    theme: str
    statut: str  # ok / echec / deja_fait
    duree_s: float = 0.0
    erreur: str = ""
    chemin: str = ""  # the HTML (ok, deja_fait) or the partial notebook (echec), relative to out_dir
    cpu_s: float = 0.0  # not in rapports.csv: for the benchmark
    worker: str = ""
    # the amount the report computed (the theme's total, the exercise's for the synthesis), as its notebook recorded
    # it (« 1234.56 »; '' when unknown): the index tells a report made from other data than the input's (review)
    montant_eur: str = ""

    def row(self) -> dict:
        d = asdict(self)
        d["duree_s"] = f"{self.duree_s:.2f}"
        return d


def notebook_document(notebook: bytes | None) -> dict | None:
    """An executed notebook's JSON document, read once for what the batch takes from it (None when there is none or
    it is not a JSON object: a write cut short)."""
    try:
        document = json.loads(notebook.decode("utf-8")) if notebook else None
    except (ValueError, UnicodeDecodeError):
        return None
    return document if isinstance(document, dict) else None


def recorded_amount(document: dict) -> str:
    """The amount an executed report notebook (`notebook_document`) recorded (`report.notebook.record`), « 1234.56 »,
    or ''."""
    from rosp_lib.lines import money
    from rosp_lib.report.notebook import RECORD_MIME

    for cell in document.get("cells", []):
        for output in cell.get("outputs", []):
            values = output.get("data", {}).get(RECORD_MIME)
            if isinstance(values, dict) and isinstance(values.get("total_cents"), int):
                return str(money.cents_to_str([values["total_cents"]])[0])
    return ""


def jobs_for(
    rows: Iterable[tuple[str, int]],
    entree: Path,
    themes: Iterable[str] | None = None,
    molecules: Path | None = None,
    parametres: Path | None = None,
) -> list[ReportJob]:
    """Every (pharmacy, exercise) × theme, in a stable order."""
    themes = list(themes) if themes else list(THEMES)
    return [
        ReportJob(str(p), int(e), t, Path(entree), molecules, parametres)
        for p, e in rows
        for t in themes
    ]


def check_pharmacie_id(pharmacie_id: str) -> None:
    if not isinstance(pharmacie_id, str) or not re.fullmatch(PHARMACIE_ID_RE, pharmacie_id):
        raise ReportError(
            f"identifiant de pharmacie invalide : {pharmacie_id!r} "
            "(attendu : lettres, chiffres, « - » ou « _ », 1 à 64 caractères, commençant par une lettre ou un chiffre)"
        )


def _escape_format(path: Path) -> str:
    """papermill formats paths with the parameters (str.format): protect any brace of the path."""
    return str(path).replace("{", "{{").replace("}", "}}")


_DECLARED: dict[tuple[str, int], set[str]] = {}


def declared_parameters(notebook: Path) -> set[str]:
    """The names the notebook's `parameters` cell defines: the targets of its assignments, read from the
    cell's Python syntax tree.

    papermill.inspect_notebook reads the cell line by line and misses some valid lines (a comment holding
    « = », a value over several lines): for a cell that is valid Python, the syntax tree finds every name
    it finds, and more. It is asked only for a cell the syntax tree cannot read (another language, a
    syntax error): importing papermill costs ≈ 0,5 s of CPU (measured 2026-12-01), which a single report
    sent to a kept cluster (`rosp grappe`, `--dask`) would pay for nothing.
    """
    import ast

    key = (str(notebook), os.stat(notebook).st_mtime_ns)
    if key in _DECLARED:
        return set(_DECLARED[key])
    with open(notebook, encoding="utf-8") as f:
        cells = json.load(f).get("cells", [])
    declared: set[str] = set()
    for cell in cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            try:
                tree = ast.parse("".join(source) if isinstance(source, list) else source)
            except SyntaxError:
                declared = _declared_by_papermill(notebook)
                break
            for node in tree.body:
                targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
                for t in targets:
                    for name in ast.walk(t) if t is not None else ():
                        if isinstance(name, ast.Name):
                            declared.add(name.id)
            break
    _DECLARED[key] = set(declared)
    return declared


def _declared_by_papermill(notebook: Path) -> set[str]:
    import papermill

    log = logging.getLogger("papermill")
    level = log.level
    log.setLevel(logging.ERROR)  # « Unable to parse line … »: what it cannot read is not declared
    try:
        return set(papermill.inspect_notebook(_escape_format(Path(notebook))))
    finally:
        log.setLevel(level)


def check_parameters(notebook: Path, parameters: Iterable[str]) -> None:
    """Raise UnknownParameterError for any parameter the notebook's `parameters` cell lacks
    (papermill would only warn and inject it anyway)."""
    declared = declared_parameters(notebook)
    unknown = [p for p in parameters if p not in declared]
    if unknown:
        have = ", ".join(sorted(declared)) or "aucun (pas de cellule marquée « parameters »)"
        raise UnknownParameterError(
            f"{notebook} : {agreed(len(unknown), 'paramètre non déclaré', 'paramètres non déclarés')} dans la "
            "cellule « parameters » : "
            f"{', '.join(unknown)} (déclarés : {have})"
        )


def is_up_to_date(folder: Path, stem: str, key: str) -> bool:
    """The report exists under its final names and was made from what `key` sums up."""
    return ((folder / f"{stem}.ipynb").is_file() and (folder / f"{stem}.html").is_file()
            and folders.recorded_key(folder, stem) == key)


# --------------------------------------------------------------------------------------------
# Executors: local worker processes, or a Dask cluster (rosp_lib.batch.distributed)
# --------------------------------------------------------------------------------------------
class WorkerLost(Exception):
    """The worker running a task died; the task may be run again."""


class LocalPool:
    """Worker processes of this machine (spawned: each starts clean and keeps its own kernel).

    Each worker process is a pool of its own. With enough folders to keep every worker busy, the
    reports of one folder go to one worker: its kernel reads the pharmacy-year and computes its
    alternative readings once for the seven reports (memos keyed by content in
    rosp_lib.report.notebook and rosp_lib.report.readings; ≈ 0,25 s of CPU per report, measured
    2026-12-01); a new folder goes to the worker with the fewest reports waiting. With few folders,
    each report goes to the least busy worker.

    A worker process that dies (killed for memory, a signal…) breaks its pool: the tasks in flight
    are then lost (WorkerLost) and the batch runs them again one at a time in new pools, so that
    only the report that kills its worker fails.
    """

    retries_alone = True
    QUEUED = 8  # reports waiting per worker with folder affinity: a folder (7) and the next one's first

    def __init__(self, workers: int, log_file: str | None, settings: Settings, n_folders: int = 0):
        self.workers = workers
        self.log_file = log_file
        self.settings = settings
        self.affinity = n_folders >= 2 * workers
        self.pools = [self._new() for _ in range(workers)]
        self.where: dict = {}  # future → index of its pool
        self.folder_pool: dict = {}  # (exercice, pharmacie_id) → index of its pool

    def _new(self) -> ProcessPoolExecutor:
        # each worker starts its kernel as soon as it is spawned (warm_up), before its first report
        return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=warm_up, initargs=(self.settings, self.log_file))

    def capacity(self) -> int:
        return (self.QUEUED if self.affinity else 2) * self.workers

    def submit(self, task: Task):
        waiting = [0] * len(self.pools)
        for future, i in self.where.items():
            waiting[i] += not future.done()
        folder = (task.exercice, task.pharmacie_id)
        i = self.folder_pool.get(folder) if self.affinity else None
        if i is None:
            i = min(range(len(self.pools)), key=waiting.__getitem__)
            if self.affinity:
                self.folder_pool[folder] = i
        future = self.pools[i].submit(execute_task, task)
        self.where[future] = i
        return future

    def wait(self, futures) -> set:
        done, _ = wait(list(futures), return_when=FIRST_COMPLETED)
        return done

    def outcome(self, future) -> Outcome:
        from concurrent.futures.process import BrokenProcessPool

        self.where.pop(future, None)
        try:
            return future.result()
        except BrokenProcessPool as exc:
            raise WorkerLost(str(exc)) from exc

    def restart(self) -> None:
        for pool in self.pools:
            pool.shutdown(wait=True, cancel_futures=True)
        self.pools = [self._new() for _ in range(self.workers)]
        self.where.clear()
        self.folder_pool.clear()

    def close(self, cancel: bool = False) -> None:
        """Shut the pools down; `cancel` (Ctrl+C, SIGTERM, an error): drop what has not started and stop the worker
        processes now, their kernels with them (`worker._stop_on_sigterm`) — the report they were making is given
        up. Waiting for it, the command outlived a second Ctrl+C, hung and left its workers running (audit)."""
        processes = []
        for pool in self.pools:
            if cancel:  # CPython's own attribute: no public call stops a worker in the middle of a task
                processes += list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=not cancel, cancel_futures=cancel)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join(1)


class InlinePool(LocalPool):
    """One worker thread of this process (`-j 1`, a single report): no worker process to spawn and
    import; the notebooks still run in their own kernel process. Its kernel starts at once."""

    retries_alone = False

    def __init__(self, log_file: str | None, settings: Settings):
        self.workers = 1
        self.affinity = False
        self.settings = settings
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rosp-rapports")
        self.futures = [self.pool.submit(warm_up, settings, log_file, True)]

    def submit(self, task: Task):
        future = self.pool.submit(execute_task, task)
        self.futures = [f for f in self.futures if not f.done()] + [future]  # to cancel; not the finished
        return future

    def outcome(self, future) -> Outcome:
        return future.result()

    def close(self, cancel: bool = False) -> None:
        if cancel:  # what has not started is dropped; the kernel is still shut down by its own thread
            for future in self.futures:
                future.cancel()
        self.pool.submit(release_kernel)
        self.pool.shutdown(wait=True)


_PRESTARTED: dict = {}


def prestart(kernel_name: str = KERNEL_NAME, log_file: Path | str | None = None) -> None:
    """Start the kernel of a one-worker batch now, while the caller reads and validates its inputs
    (`rosp report` for a single report); `run_reports` takes it, or shuts it down if it needs more."""
    settings = Settings(kernel_name=kernel_name)
    _PRESTARTED["pool"] = (InlinePool(str(log_file) if log_file else None, settings), kernel_name)


def _take_prestarted(kernel_name: str, settings: Settings, wanted: bool) -> InlinePool | None:
    entry = _PRESTARTED.pop("pool", None)
    if entry is None:
        return None
    pool, name = entry
    if wanted and name == kernel_name:
        pool.settings = settings
        return pool
    pool.close(cancel=True)
    return None


# --------------------------------------------------------------------------------------------
# The batch
# --------------------------------------------------------------------------------------------
def _notice_stderr(message: str) -> None:
    click.echo(message, err=True)


class _Folder:
    """A report folder being made by this run: its lock, its files, the reports still in flight."""

    def __init__(self, path: Path, indices: list[int]):
        self.path = path
        self.indices = indices
        self.lock: folders.FolderLock | None = None
        self.remaining = 0


def _stop_like_ctrl_c_on_sigterm() -> list[int]:
    """SIGTERM (a `timeout`, a job scheduler) stops a batch as Ctrl+C does — finished reports listed, a French
    message, workers and kernels stopped — instead of killing the command mute, with no summary nor index (audit).
    Returns the list that receives the signal's number, for the exit code (143)."""
    import signal
    import threading

    got: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        return got

    def stop(signum, frame):
        if got:  # `timeout` signals the command, then its whole process group: the second one finds it stopping
            return
        got.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    return got


def _no_second_interrupt() -> None:
    """After a first Ctrl+C or SIGTERM, the next ones are ignored while the batch stops its workers and lists what it
    finished (bounded: `LocalPool.close` gives a worker 5 s): a second Ctrl+C broke the cleanup with an English
    traceback and left the command hanging (audit); a second SIGTERM (`timeout` sends one to the command, then one to
    its process group) lost the list of finished reports (review)."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl+C during a batch: `results`, the reports finished before it (in place, with their fingerprints)."""

    def __init__(self, results: list) -> None:
        super().__init__()
        self.results = results


def run_reports(
    jobs: Iterable[ReportJob],
    notebooks_dir: Path | str = NOTEBOOKS_DIR,
    out_dir: Path | str = "outputs",
    workers: int | None = None,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
    kernel_name: str = KERNEL_NAME,
    start_timeout: int = START_TIMEOUT_S,
    execution_timeout: int = EXECUTION_TIMEOUT_S,
    kernel_reports: int = KERNEL_REPORTS,
    log_file: Path | str | None = None,
    dask: str | None = None,
    inputs_checked: bool = False,
    notice: Callable[[str], None] | None = None,
    started: Callable[[], None] | None = None,
    versements=None,
    date_reference: dt.date | None = None,
    made_folders: int = 0,
) -> list[ReportResult]:
    """Make the reports of `jobs` (one result per job, same order).

    Raises ReportError before anything runs or is written if an id is invalid, a theme unknown, a
    notebook missing, a parameter undeclared or an input file invalid. After that, failures are per
    report (statut echec).

    workers: local worker processes (default: the number of cores), or with `dask="local"` the
    workers of the LocalCluster started for the run. dask: the address of a Dask scheduler
    (tcp://host:8786), or "local". kernel_reports: a kept kernel is replaced after this many reports.
    log_file: where the workers' and kernels' own stdout/stderr go (local workers; default: the
    terminal). With one worker (workers=1, or a single report), the reports are run by a thread of
    this process (their kernel is still a process of its own). inputs_checked: the caller has validated the input files (rosp report): not again.
    notice: receives the French messages of the run (a folder busy in another run); default stderr.
    started: called once every check is made and the workers' pool is there (a Dask scheduler reached), before the
    first report: where `rosp report` opens its progress bar, so that a refused run shows none.
    versements: the statement of payments, validated (`read_versements`): each synthesis gets its pharmacy-year's
    rows. date_reference: the date « encore possible » is judged at (default today).
    made_folders: how many of out_dir's last folders the command makes inside the output folder the user named
    (2 for `scenarios/<nom>`): made by `lines.atomic.subfolder` after every check, never through a symlink planted
    at their names (OutputError « lien symbolique refusé »), and not resolved before that.
    """
    jobs = list(jobs)
    notice = notice or _notice_stderr
    notebooks_dir = Path(notebooks_dir).resolve()
    out_dir = Path(out_dir)
    user_dir = out_dir.parents[made_folders - 1] if made_folders else out_dir
    out_dir = user_dir.resolve() / out_dir.relative_to(user_dir)  # a link at a made folder is not followed
    user_dir = user_dir.resolve()
    for job in jobs:
        check_pharmacie_id(job.pharmacie_id)
        if job.theme not in THEMES:
            raise ReportError(f"thème inconnu : {job.theme!r} (thèmes : {', '.join(THEMES)})")
    themes = list(dict.fromkeys(job.theme for job in jobs))
    notebooks = {t: notebooks_dir / f"{THEMES[t]}.ipynb" for t in themes}
    try:
        missing = [str(n) for n in notebooks.values() if not n.is_file()]
    except OSError as exc:  # a --notebooks path too long for the system…
        from rosp_lib.lines.atomic import reason

        raise ReportError(f"dossier des notebooks {notebooks_dir} illisible : {reason(exc)}") from None
    if missing:
        raise ReportError(f"{agreed(len(missing), 'notebook introuvable', 'notebooks introuvables')} : " + ", ".join(missing))
    for nb_path in notebooks.values():
        check_parameters(nb_path, PARAMETER_NAMES)
    if versements is not None and SYNTHESIS in notebooks:
        check_parameters(notebooks[SYNTHESIS], ("versements",))
    sources = list(dict.fromkeys(job.sources() for job in jobs))
    for entree, molecules, scenario in sources:
        for path, what in ((entree, "fichier d'entrée"), (molecules, "table des molécules"), (scenario, "scénario")):
            if path is not None and not path.is_file():
                raise ReportError(f"{what} introuvable : {path}")
    if not inputs_checked:
        from rosp_lib.inputs import InputError, read_inputs
        from rosp_lib.parameters import ParameterError, Scenario

        for entree, molecules, scenario in sources:
            try:
                read_inputs(entree, molecules, scenario)
                if scenario is not None:
                    Scenario.read(scenario)
            except (InputError, ParameterError) as exc:
                raise ReportError(exc.message() if hasattr(exc, "message") else str(exc)) from None
    slices = {src: folders.Slices(*src, versements=versements) for src in sources}
    notebook_bytes = {t: p.read_bytes() for t, p in notebooks.items()}
    settings = Settings(kernel_name, start_timeout, execution_timeout, kernel_reports, install_fingerprint())

    results: list[ReportResult | None] = [None] * len(jobs)
    first: dict[tuple, int] = {}  # a report asked twice is made once
    by_folder: dict[tuple, list[int]] = {}
    for i, job in enumerate(jobs):
        key = (job.pharmacie_id, int(job.exercice), job.theme)
        if key in first:
            continue
        first[key] = i
        by_folder.setdefault((int(job.exercice), job.pharmacie_id), []).append(i)
    if first:
        from rosp_lib.lines.atomic import OutputError, ensure_folder, reason, subfolder

        ensure_folder(user_dir)  # after every check: a refused batch leaves no folder (OutputError in French)
        if made_folders:
            try:
                subfolder(out_dir, made_folders)  # scenarios/<nom>: a link planted since rosp report looked is refused
            except OSError as exc:
                where = exc.filename or out_dir
                raise OutputError(f"impossible de créer le dossier {where} : {reason(exc)}") from None
        if log_file and not dask:
            with os.fdopen(open_log(log_file), "a", encoding="utf-8") as fh:  # never through a symlink
                fh.write(f"=== rosp report, processus {os.getpid()}, {time.strftime('%Y-%m-%d %H:%M:%S')} ===\n")
        from rosp_lib.lines.workers import cores as usable_cores

        n_workers = max(1, min(workers or usable_cores(), len(first)))
        log = str(log_file) if log_file else None
        executor = _take_prestarted(kernel_name, settings, wanted=not dask and n_workers == 1)
        if executor is not None:
            pass
        elif dask:
            from rosp_lib.batch.distributed import DaskPool

            executor = DaskPool(dask, workers)
        elif n_workers == 1:
            executor = InlinePool(log, settings)
        else:
            executor = LocalPool(n_workers, log, settings, n_folders=len(by_folder))
        batch = _Batch(jobs, results, out_dir, slices, notebooks, notebook_bytes, settings, force, progress, notice,
                       executor, date_reference or dt.date.today())
        try:
            if started is not None:
                started()
            batch.run([_Folder(out_dir / str(y) / p, idx) for (y, p), idx in by_folder.items()])
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                _no_second_interrupt()
            executor.close(cancel=True)
            batch.release_all()
            if isinstance(exc, KeyboardInterrupt):  # with the reports finished before it
                raise BatchInterrupted([r for r in results if r is not None]) from None
            raise
        executor.close()
        batch.release_all()

    for i, job in enumerate(jobs):  # duplicates share the result of the first
        if results[i] is None:
            results[i] = results[first[(job.pharmacie_id, int(job.exercice), job.theme)]]
    return results  # type: ignore[return-value]


class _ReportKeys:
    """What a report is made with and what its content key sums up, for a run at `date` (the reference date) with
    these input slices (`slices`: sources → folders.Slices) and notebooks: what `_Batch` runs, and what `outdated`
    judges the reports of an earlier run by."""

    def __init__(self, slices, notebooks, date_reference: dt.date):
        self.slices = slices
        self.date = date_reference
        self.declared = {t: declared_parameters(p) for t, p in notebooks.items()}
        self._passed: dict = {}

    def deadlines_passed(self, job: ReportJob) -> list[str]:
        """The deadlines of the exercise's actions already passed at the reference date (what « encore possible »
        depends on; the exercise's parameters, with the scenario, and the end of the pharmacy's activity)."""
        end = self.slices[job.sources()].activity_ends.get((job.pharmacie_id, int(job.exercice)))
        key = (int(job.exercice), job.parametres, end)
        if key not in self._passed:
            from rosp_lib.counterfactual.gains import deadlines
            from rosp_lib.parameters import load_parameters

            days = deadlines(int(job.exercice), load_parameters(int(job.exercice), job.parametres),
                             dt.date.fromisoformat(end) if end else None)
            self._passed[key] = [d.isoformat() for d in days if d < self.date]
        return self._passed[key]

    def payments_passed(self, job: ReportJob) -> list[str]:
        """The themes whose payment date for the exercise (`Theme.versement_deadline`, with the scenario) is passed at
        the reference date: what the reconciliation of a synthesis report says of a partial payment depends on it."""
        from rosp_lib.parameters import load_parameters
        from rosp_lib.registry import THEMES

        params = load_parameters(int(job.exercice), job.parametres)
        passed = []
        for t in THEMES:
            leaf = t.payment_leaf(params)
            if leaf is None:
                continue
            # the other date the texts compare the reference date to (the tool's under a scenario, a hypothesis's
            # other reading): the claim draft's cautions change when it passes too (review: a letter asking to wait
            # for 01/06 was kept as « déjà à jour » on 05/06)
            other = t.other_payment_date(params)
            passed += [t.code] if leaf.valeur < self.date else []
            passed += [f"{t.code} (autre date)"] if other is not None and other[0] < self.date else []
        return passed

    def job_parameters(self, job: ReportJob, parameters: dict, files: dict[str, bytes]) -> tuple[dict, dict, dict]:
        """The papermill parameters of one report, and what its content key sums up: its parameters (the date by
        the deadlines it has passed) and its files (the statement of payments only for a notebook reading it)."""
        declared = self.declared[job.theme]
        mine = {k: v for k, v in parameters.items()
                if k in PARAMETER_NAMES or (k in OPTIONAL_PARAMETERS and k in declared)}
        if "date_reference" in declared:
            mine["date_reference"] = self.date.isoformat()
        key_params = dict(mine)
        if "date_reference" in key_params:
            key_params["date_reference"] = {"echeances_passees": self.deadlines_passed(job)}
            if mine.get("versements"):  # a partial payment's complement: still to come, or its payment date passed
                key_params["date_reference"]["versements_echus"] = self.payments_passed(job)
        key_files = files if mine.get("versements") else {k: v for k, v in files.items() if k != folders.VERSEMENTS}
        return mine, key_params, key_files


class _Batch:
    def __init__(self, jobs, results, out_dir, slices, notebooks, notebook_bytes, settings, force, progress, notice,
                 executor, date_reference: dt.date):
        self.jobs, self.results, self.out_dir = jobs, results, out_dir
        self.slices, self.notebooks, self.notebook_bytes = slices, notebooks, notebook_bytes
        self.settings, self.force, self.progress, self.notice = settings, force, progress, notice
        self.executor = executor
        self.open: list[_Folder] = []
        self.keys = _ReportKeys(slices, notebooks, date_reference)

    def _done(self, i: int, result: ReportResult) -> None:
        self.results[i] = result
        if self.progress:
            self.progress(1)

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.out_dir).as_posix()

    def open_folder(self, folder: _Folder, wait: bool = False) -> list[tuple[int, Task, str]]:
        """Lock the folder, put its input files, and list the tasks of its reports not up to date.
        Raises folders.FolderBusy if another run holds it (and `wait` is false), folders.FolderError (French)
        if it cannot be created, locked (a symlink planted at its lock file) or given its input files."""
        lock = folders.FolderLock(folder.path)
        lock.acquire(wait=wait)
        folder.lock = lock
        self.open.append(folder)
        job0 = self.jobs[folder.indices[0]]
        files = self.slices[job0.sources()].files(job0.pharmacie_id, job0.exercice)
        # the statement is read by the synthesis only: a run that does not redo it keeps its copy (review: a theme
        # redone from the folder's own files deleted it, and the folder could no longer redo its synthesis)
        redone = {self.jobs[i].theme for i in folder.indices}
        try:
            folders.put_inputs(folder.path, files, keep=() if SYNTHESIS in redone else (folders.VERSEMENTS,))
        except folders.FolderError:
            self.close_folder(folder)
            raise
        parameters = folders.Slices.parameters(job0.pharmacie_id, job0.exercice, files)
        tasks = []
        for i in folder.indices:
            job = self.jobs[i]
            job_params, key_params, key_files = self.keys.job_parameters(job, parameters, files)
            key = folders.report_key(key_params, key_files, self.notebook_bytes[job.theme], self.settings.install,
                                     self.settings.kernel_name)
            p = job.paths(self.out_dir)
            if not self.force and is_up_to_date(folder.path, job.stem, key):
                if job.theme == SYNTHESIS:  # its claim draft, written again if it was deleted by hand
                    self.restore_claim(job)
                self._done(i, ReportResult(job.pharmacie_id, job.exercice, job.theme, "deja_fait", 0.0, "",
                                           self._rel(p.html)))
                continue
            task = Task(job.pharmacie_id, int(job.exercice), job.theme, self.notebook_bytes[job.theme],
                        str(self.notebooks[job.theme]), str(p.notebook), tuple(sorted(files.items())),
                        job_params, self.settings)
            tasks.append((i, task, key))
        folder.remaining = len(tasks)
        if not tasks:
            self.close_folder(folder)
        return tasks

    def fail_folder(self, folder: _Folder, message: str) -> None:
        """Every report of a folder that cannot be used fails with `message` (French); the others go on."""
        self.notice(f"Erreur : {message} ; ses rapports ne sont pas faits.")
        for i in folder.indices:
            job = self.jobs[i]
            self._done(i, ReportResult(job.pharmacie_id, job.exercice, job.theme, "echec", 0.0, message, ""))

    def close_folder(self, folder: _Folder) -> None:
        if folder.lock is not None:
            folder.lock.release()
            folder.lock = None
        if folder in self.open:
            self.open.remove(folder)

    def release_all(self) -> None:
        for folder in list(self.open):
            self.close_folder(folder)

    def store(self, i: int, outcome: Outcome, key: str) -> ReportResult:
        """Write the outcome of a report under its final names, or its partial notebook. The notebook, its HTML
        and, for the synthesis, its claim draft are written together (`write_together`: all or none, the old
        ones intact when the disk is full): never a new synthesis beside an old draft."""
        from rosp_lib.lines.atomic import OutputError, write_together

        job = self.jobs[i]
        p = job.paths(self.out_dir)
        document = notebook_document(outcome.notebook) if outcome.statut == "ok" else None
        if outcome.statut == "ok" and document is None:  # never recorded « ok » without its amount and draft
            outcome = replace(outcome, statut="echec", erreur="le notebook exécuté est vide ou illisible (pas un "
                                                              "document JSON complet) ; relancez ce rapport")
        try:
            folders.unlink(p.key)  # the recorded key goes first: a report half-replaced is never up to date
            if outcome.statut == "ok":
                files = {p.notebook: outcome.notebook, p.html: outcome.html}
                claim = None
                if job.theme == SYNTHESIS:
                    claim, text = self.claim_of(job, document)
                    if text is not None:
                        files[claim] = text
                write_together({path: (lambda fh, data=data: fh.write(data)) for path, data in files.items()},
                               sync=False)
                if claim is not None and claim not in files:
                    folders.unlink(claim)  # no draft for this synthesis: an older one goes
                folders.unlink(p.echec)
                folders.write_atomic(p.key, key.encode("ascii"))
                return ReportResult(job.pharmacie_id, job.exercice, job.theme, "ok", outcome.duree_s, "",
                                    self._rel(p.html), outcome.cpu_s, outcome.worker, recorded_amount(document))
            if outcome.environment:  # the machine's fault, not the report's: the earlier report stays (redone next time)
                return ReportResult(job.pharmacie_id, job.exercice, job.theme, "echec", outcome.duree_s,
                                    outcome.erreur, "", outcome.cpu_s, outcome.worker)
            folders.unlink(p.notebook)
            folders.unlink(p.html)
            if job.theme == SYNTHESIS:  # its claim draft goes with it
                from rosp_lib.report.versements import claim_file_name

                folders.unlink(job.folder(self.out_dir) / claim_file_name(job.pharmacie_id, job.exercice))
            chemin = ""
            if outcome.notebook:
                folders.write_atomic(p.echec, outcome.notebook)
                chemin = self._rel(p.echec)
            else:
                folders.unlink(p.echec)
            return ReportResult(job.pharmacie_id, job.exercice, job.theme, "echec", outcome.duree_s, outcome.erreur,
                                chemin, outcome.cpu_s, outcome.worker)
        except OutputError as exc:
            chemin = ""
            if outcome.notebook:  # the executed notebook kept for the diagnosis, as a failed report's (review)
                try:
                    folders.write_atomic(p.echec, outcome.notebook)
                    chemin = self._rel(p.echec)
                except OSError:
                    pass
            return ReportResult(job.pharmacie_id, job.exercice, job.theme, "echec", outcome.duree_s,
                                f"écriture du rapport impossible ({exc})", chemin, outcome.cpu_s, outcome.worker)
        except OSError as exc:
            return ReportResult(job.pharmacie_id, job.exercice, job.theme, "echec", outcome.duree_s,
                                f"écriture du rapport impossible ({one_line(exc, 120)})", "", outcome.cpu_s,
                                outcome.worker)

    def claim_of(self, job: ReportJob, document: dict) -> tuple[Path, bytes | None]:
        """(path, bytes) of the claim draft the synthesis (`notebook_document`) carries (bytes None: no draft). Only
        the pharmacy-year's own file name is written, whatever the notebook says."""
        from rosp_lib.report.versements import claim_file_name, claims_in

        name = claim_file_name(job.pharmacie_id, job.exercice)
        text = claims_in(document).get(name)
        return job.folder(self.out_dir) / name, None if text is None else text.encode("utf-8")

    def store_claim(self, job: ReportJob, notebook: bytes) -> None:
        """The claim draft the synthesis carries, written beside it (atomically); an older one goes."""
        path, data = self.claim_of(job, notebook_document(notebook) or {})
        if data is None:
            folders.unlink(path)
        else:
            folders.write_atomic(path, data)

    def restore_claim(self, job: ReportJob) -> None:
        """An up-to-date synthesis whose claim draft is missing: the draft is taken again from its notebook."""
        from rosp_lib.report.versements import claim_file_name

        if (job.folder(self.out_dir) / claim_file_name(job.pharmacie_id, job.exercice)).exists():
            return
        try:
            self.store_claim(job, job.paths(self.out_dir).notebook.read_bytes())
        except (OSError, ValueError):
            pass  # the report stays up to date; its draft is written again by the next --force

    def run(self, todo_folders: list[_Folder]) -> None:
        executor = self.executor
        queue: deque = deque(todo_folders)
        busy: deque = deque()  # folders held by another run: made last, after waiting for it
        ready: deque = deque()  # tasks not yet submitted: (folder, i, task, key)
        alone: deque = deque()  # tasks whose worker died, to run again one at a time
        in_flight: dict = {}  # future → (folder, i, task, key, ran_alone)

        def fill() -> None:
            while queue and len(ready) < executor.capacity():
                folder = queue.popleft()
                try:
                    tasks = self.open_folder(folder)
                except folders.FolderBusy as exc:
                    self.notice(f"Le dossier {folder.path} est en cours d'écriture par un autre « rosp report » "
                                f"({exc}) : ses rapports seront faits après les autres, à la fin de celui-ci.")
                    busy.append(folder)
                    continue
                except folders.FolderError as exc:
                    self.fail_folder(folder, str(exc))
                    continue
                ready.extend((folder, i, task, key) for i, task, key in tasks)

        while queue or busy or ready or alone or in_flight:
            if alone:
                if not in_flight:
                    folder, i, task, key = alone.popleft()
                    in_flight[executor.submit(task)] = (folder, i, task, key, True)
            else:
                fill()
                while ready and len(in_flight) < executor.capacity():
                    folder, i, task, key = ready.popleft()
                    in_flight[executor.submit(task)] = (folder, i, task, key, False)
                if not in_flight and not ready and not queue and busy:
                    folder = busy.popleft()
                    self.notice(f"Attente de la fin de l'autre « rosp report » qui écrit dans {folder.path} "
                                "(Ctrl+C pour abandonner : les rapports déjà faits restent en place)…")
                    try:
                        tasks = self.open_folder(folder, wait=True)
                    except folders.FolderError as exc:
                        self.fail_folder(folder, str(exc))
                        continue
                    ready.extend((folder, i, task, key) for i, task, key in tasks)
                    continue
            if not in_flight:
                continue
            lost = False
            for future in executor.wait(in_flight):
                folder, i, task, key, ran_alone = in_flight.pop(future)
                try:
                    outcome = executor.outcome(future)
                except WorkerLost:
                    lost = True
                    if ran_alone or not executor.retries_alone:
                        outcome = Outcome("echec", 0.0, "le processus de travail s'est arrêté pendant ce rapport "
                                          "(mémoire épuisée ? signal ?)")
                    else:
                        alone.append((folder, i, task, key))
                        continue
                except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be sent back
                    outcome = Outcome("echec", 0.0, f"erreur du processus de travail ({type(exc).__name__} : "
                                      f"{one_line(exc)})")
                self._done(i, self.store(i, outcome, key))
                folder.remaining -= 1
                if folder.remaining == 0:
                    self.close_folder(folder)
            if lost and executor.retries_alone:
                # the other tasks in flight die with the pool: run them again, one at a time
                for future, (folder, i, task, key, _ran_alone) in list(in_flight.items()):
                    try:
                        outcome = executor.outcome(future)
                    except Exception:  # noqa: BLE001
                        alone.append((folder, i, task, key))
                        continue
                    self._done(i, self.store(i, outcome, key))
                    folder.remaining -= 1
                    if folder.remaining == 0:
                        self.close_folder(folder)
                in_flight.clear()
                executor.restart()


def write_manifest(results: list[ReportResult], path: Path, merge: bool = False, names: dict | None = None) -> Path:
    """Write rapports.csv (atomically, under its lock: two runs never lose each other's rows).
    merge=True keeps the rows of other reports already listed; `names`: (pharmacie_id, exercice) → the pharmacy's name
    that exercise, for this run's rows."""
    from filelock import FileLock

    from rosp_lib.lines.atomic import OutputError, reason

    path = Path(path)
    lock = path.with_name(f".{path.name}.verrou")
    where = path.parent
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        where = lock
        with FileLock(str(lock)):  # opened with O_NOFOLLOW: a symlink there is refused, never followed
            where = path
            return _write_manifest(results, path, merge, names or {})
    except OSError as exc:
        raise OutputError(f"impossible d'écrire {where} : {reason(exc)}") from None


def _write_manifest(results: list[ReportResult], path: Path, merge: bool, names: dict) -> Path:
    from rosp_lib.lines.csvfile import neutralised

    # texts a spreadsheet must not run as formulas (OWASP): the error (it may quote an input value) and the name, read
    # back by the index (csvfile.prefix_removed, inner). Both after a separator too: this file declares none, and
    # French Excel cuts its lines at « ; » (review: a name « Officine;=1+1 » ran =1+1)
    rows = [{**r.row(), "erreur": neutralised(r.erreur),
             "nom": neutralised(names.get((r.pharmacie_id, int(r.exercice)), ""))} for r in results]
    if path.exists():
        new_keys = {(r["pharmacie_id"], str(r["exercice"]), r["theme"]) for r in rows}
        try:
            with open(path, encoding="utf-8", newline="") as f:
                listed = list(csv.DictReader(f))
            ours = bool(listed) and set(_MANIFEST_REQUIRED) <= set(listed[0])  # a summary this command wrote
            if ours:
                # a report up to date keeps the amount its run recorded (made from the same data, it still says it)
                amounts = {(r.get("pharmacie_id"), r.get("exercice"), r.get("theme")): r.get("montant_eur") or ""
                           for r in listed}
                for r in rows:
                    if r["statut"] == "deja_fait" and not r["montant_eur"]:
                        r["montant_eur"] = amounts.get((r["pharmacie_id"], str(r["exercice"]), r["theme"]), "")
            if merge and ours:
                rows = [r for r in listed if (r.get("pharmacie_id"), r.get("exercice"), r.get("theme")) not in new_keys] \
                    + rows
        except (OSError, csv.Error, UnicodeDecodeError):
            pass
    import io

    text = io.StringIO()
    w = csv.DictWriter(text, fieldnames=MANIFEST_COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    folders.write_atomic(path, text.getvalue().encode("utf-8"))
    return path



# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _fail(message: str, code: int = EXIT_INVALID) -> None:
    click.echo(f"Erreur : {message}", err=True)
    sys.exit(code)


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name too long: said in French when run_reports creates it
        return False


def _parse_themes(text: str | None) -> list[str]:
    if text is None:  # not given: every theme (given empty, « --themes "" », is refused below, as « ,, » is)
        return list(THEMES)
    # read without case nor accents (« Numérique », « synthèse »): the codes are the themes' names without them
    typed = [t.strip() for t in text.split(",") if t.strip()]
    names = ["".join(c for c in unicodedata.normalize("NFD", t.lower()) if unicodedata.category(c) != "Mn") for t in typed]
    unknown = [(t, name) for t, name in zip(typed, names) if name not in THEMES]
    if not names:
        _fail(f"--themes {f'« {text} »' if text.strip() else 'vide'} ne nomme aucun thème ; attendu : des thèmes séparés par des virgules, parmi "
              f"{', '.join(THEMES)} (sans --themes : tous)")
    if unknown:
        said = []
        for t, name in unknown:
            close = difflib.get_close_matches(name, list(THEMES), n=1, cutoff=0.6)
            said.append(f"{shown(t)[2:-2]} (vouliez-vous dire « {close[0]} » ?)" if close else shown(t)[2:-2])
        _fail(f"{agreed(len(said), 'thème inconnu', 'thèmes inconnus')} : {', '.join(said)} ; thèmes possibles : {', '.join(THEMES)}")
    return list(dict.fromkeys(names))


def _known_ids_hint(wanted: str, known: list[str]) -> str:
    """Some identifiers of the file, the closest first: the same written with other capitals (« ph-gare »), then
    those spelled alike."""
    close = same_but_case(wanted, known) + difflib.get_close_matches(wanted, known, n=5, cutoff=0.5)
    listed = list(dict.fromkeys(close + known))[:5]
    more = len(known) - len(listed)
    return ", ".join(listed) + (f" (et {more} autre{'s' if more > 1 else ''})" if more > 0 else "")


def _check_file(path: Path | None, what: str) -> None:
    if path is None:
        return
    try:
        found = path.is_file()
    except OSError as exc:  # a name too long for the system…
        from rosp_lib.lines.atomic import reason

        _fail(f"{what} illisible : {reason(exc)}")
    if not found:
        _fail(f"{what} introuvable : {path}")


@click.command("report", cls=FrenchCommand, context_settings=CONTEXT, empty_checked=("themes",))
@click.argument("entree", metavar="ENTREE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--pharmacie", "pharmacie_id", metavar="ID",
              help="Identifiant de la pharmacie dont on veut les rapports.")
@click.option("--toutes", is_flag=True, help="Tous les rapports de toutes les pharmacies et exercices du fichier.")
@click.option("--exercice", type=int, metavar="N",
              help="Seulement cet exercice (défaut : tous les exercices présents dans le fichier).")
@click.option("--themes", metavar="T1,T2…",
              help="Thèmes à produire, séparés par des virgules, majuscules et accents indifférents (défaut : tous) : "
                   + ", ".join(THEMES) + ".")
@click.option("--molecules", metavar="FICHIER", type=click.Path(dir_okay=False, path_type=Path),
              help="Table des molécules ciblées (CSV ou XLSX), facultative.")
@click.option("--parametres", "scenario", metavar="FICHIER", type=click.Path(dir_okay=False, path_type=Path),
              help="Scénario YAML qui remplace quelques paramètres.")
@click.option("-o", "--sortie", "out_dir", metavar="DOSSIER", type=Folder(),
              default=Path("outputs"), help="Dossier des rapports (défaut : outputs).")
@click.option("--force", is_flag=True, help="Refaire aussi les rapports déjà faits et à jour.")
@click.option("-j", "--jobs", type=int, metavar="N",
              help="Nombre de processus de travail en parallèle (défaut et maximum : le nombre de cœurs).")
@click.option("--notebooks", "notebooks_dir", metavar="DOSSIER", type=click.Path(file_okay=False, path_type=Path),
              default=NOTEBOOKS_DIR, help="Dossier des notebooks à exécuter (défaut : notebooks/ du projet).")
@click.option("--versements", "versements", metavar="FICHIER", type=click.Path(dir_okay=False, path_type=Path),
              help="Relevé de ce qui a été versé (« Mes ROSP », CSV ou XLSX, comme pour « rosp rapprocher ») : "
                   "la synthèse y ajoute le rapprochement et, s'il y a lieu, un projet de réclamation.")
@click.option("--date", "date_reference", metavar="AAAA-MM-JJ",
              help="Date à laquelle juger ce qui est encore possible dans « Ce que l'officine peut encore gagner », "
                   "et si ce qui manque d'un versement (un complément, ou un thème dont rien n'est versé) peut "
                   "encore venir (ou JJ/MM/AAAA ; défaut : aujourd'hui).")
@click.option("--dask", "dask_address", metavar="ADRESSE",
              help="Exécuter sur une grappe Dask : adresse de son planificateur (tcp://hote:8786), ou « local » "
                   "pour une grappe sur ce poste (voir docs/cluster.md).")
def report_cmd(entree: Path, pharmacie_id: str | None, toutes: bool, exercice: int | None, themes: str | None,
               molecules: Path | None, scenario: Path | None, out_dir: Path, force: bool, jobs: int | None,
               notebooks_dir: Path, versements: Path | None, date_reference: str | None,
               dask_address: str | None) -> None:
    """Produit les rapports (notebook exécuté et page HTML) d'une pharmacie ou de toutes.

    Chaque rapport est un notebook de notebooks/ exécuté par papermill pour une pharmacie et un
    exercice, puis rendu en HTML : SORTIE/<exercice>/<pharmacie_id>/<NN_theme>.ipynb et .html.

    \b
    Le fichier ENTREE est d'abord vérifié en entier (comme pour « rosp compute ») : s'il est
    invalide, rien n'est exécuté ni écrit et la commande sort avec le code 2.
    Chaque dossier SORTIE/<exercice>/<pharmacie_id>/ reçoit ses propres lignes d'entrée
    (entree.csv, molecules.csv, la copie du scénario, <nom>.yaml, et avec --versements les lignes du
    relevé de la pharmacie et de l'exercice, versements.csv) : le notebook y est exécuté
    avec ces noms pour paramètres, et peut y être relancé seul.
    Un rapport qui échoue n'arrête pas les autres : son notebook partiel est gardé sous
    <NN_theme>.echec.ipynb pour le diagnostic. Un rapport n'apparaît sous son nom définitif
    qu'une fois entièrement écrit.
    Un rapport déjà fait n'est refait que si ce dont il dépend a changé : ses lignes d'entrée,
    le scénario, le notebook, les paramètres des exercices ou la version de rosp_lib (une
    empreinte de leur contenu est gardée avec lui) ; --force les refait tous.
    Deux « rosp report » dans le même dossier de sortie ne se gênent pas : un dossier de
    pharmacie en cours d'écriture par l'un est fait par l'autre après, quand il est libre.
    SORTIE/rapports.csv récapitule chaque rapport : statut (ok, echec, deja_fait : celui du dernier lancement
    qui l'a traité), durée, erreur, chemin, montant calculé (l'index dit « à refaire » un rapport fait sur
    d'autres données que l'entrée) ;
    SORTIE/rapports.log garde ce qu'ont affiché les processus et noyaux Jupyter.

    \b
    Chaque rapport dit ce que l'officine peut encore gagner (la synthèse : tous les thèmes ; un
    rapport de thème : ce thème), action par action, encore possible ou non à la date --date.
    Avec --versements FICHIER (le relevé « Mes ROSP », vérifié en entier d'abord : un relevé
    invalide n'écrit rien, code 2), la synthèse rapproche ce qui a été versé de ce qui est dû
    (versements.csv du dossier : les lignes de la pharmacie et de l'exercice) et,
    quand un montant est à réclamer (un thème versé en dessous de l'attendu), écrit le
    projet de réclamation reclamation_<id>_<exercice>.md à côté d'elle (un trop-versé seul n'en a
    pas : il est signalé dans la synthèse) ; sans --versements, la synthèse dit qu'aucun relevé n'a été fourni.

    \b
    Codes de sortie : 0 tout est fait ; 1 au moins un rapport a échoué ; 2 entrée ou option invalide
    (un -o qui nomme un fichier compris) ; 3 dossier de sortie, journal, récapitulatif ou pages d'index impossibles à écrire ;
    130 interrompue par Ctrl+C, 143 arrêtée par SIGTERM (les rapports terminés restent en place et sont listés).

    \b
    Exemples :
      rosp report data/pharmacies.csv --molecules data/molecules.csv --pharmacie PH-TILLEULS --exercice 2024
      rosp report data/pharmacies.csv --molecules data/molecules.csv --toutes -o outputs/
      rosp report national.csv --molecules molecules.csv --toutes --dask tcp://10.0.0.5:8786 -o outputs/
      rosp report data/pharmacies.csv --molecules data/molecules.csv --toutes --versements data/versements.csv --date 2025-01-15
    """
    from rosp_lib.batch.worker import private_ipython_dir
    from rosp_lib.inputs import InputError, read_inputs
    from rosp_lib.parameters import ParameterError, load_parameters

    private_ipython_dir()  # before IPython is imported here or in a worker: no English warning where HOME is read-only
    if bool(pharmacie_id) == bool(toutes):
        _fail("indiquez soit --pharmacie ID, soit --toutes (l'un des deux).")
    if jobs is not None and jobs < 1:
        _fail(f"--jobs : au moins 1 processus (reçu : {jobs}).")
    from rosp_lib.lines.workers import cores as usable_cores

    cores = usable_cores()  # those this process may run on (taskset, containers), as rosp compute counts them
    if jobs is not None and jobs > cores and dask_address in (None, "local"):
        # each process runs a Jupyter kernel that computes: beyond the cores they only wait, and slow the batch down
        click.echo(f"--jobs {jobs} ramené à {cores}, le nombre de cœurs de cette machine (des processus en plus ne "
                   "feraient qu'attendre, et ralentiraient le lot).", err=True)
        jobs = cores
    _check_file(entree, "fichier d'entrée")
    _check_file(molecules, "table des molécules")
    if scenario is not None:  # a scenario's reports never overwrite the reference reports
        if not re.fullmatch(PHARMACIE_ID_RE, scenario.stem):  # its name becomes a folder: « ... » would be the parent
            _fail(f"nom de scénario « {scenario.stem} » : il devient le dossier {out_dir / 'scenarios'}/<nom> ; attendu : "
                  "1 à 64 caractères parmi A-Z a-z 0-9 _ -, commençant par une lettre ou un chiffre, autre que CON, "
                  "PRN, AUX, NUL, COM0 à COM9, LPT0 à LPT9 (noms réservés de Windows) ; renommez le fichier, p. ex. "
                  "mon-scenario.yaml")
        for planted in (out_dir / "scenarios", out_dir / "scenarios" / scenario.stem):
            if planted.is_symlink():  # made by the command: a link there would send the reports elsewhere
                _fail(f"impossible de créer le dossier {planted} : lien symbolique refusé", EXIT_OUTPUT)
        out_dir = out_dir / "scenarios" / scenario.stem  # made by run_reports, where a link planted since is refused
    from rosp_lib.lines.atomic import overwritten_input
    from rosp_lib.report.network import INDEX_PAGE

    clash = overwritten_input(out_dir, [MANIFEST_NAME, LOG_NAME, INDEX_PAGE, *NETWORK_FILES],
                              (entree, molecules, scenario, versements))
    if clash:
        _fail(clash)
    theme_list = _parse_themes(themes)  # before the file is read: an option mistyped is said at once
    click.echo(f"Préparation : lecture et vérification de {entree}…", err=True)
    one_theme = len(theme_list) == 1
    if not dask_address and (jobs == 1 or (pharmacie_id and exercice is not None and one_theme)):
        # one worker: its kernel starts while the inputs are read and validated
        prestart(log_file=out_dir / LOG_NAME if _is_dir(out_dir) else None)
        click.get_current_context().call_on_close(lambda: _take_prestarted("", None, wanted=False))
    day = None
    if date_reference is not None:
        from rosp_lib.inputs.parsing import option_date_problem

        day, why = option_date_problem(date_reference)
        if why is not None:
            _fail(f"--date : {why}.")
    _check_file(versements, "relevé des versements")
    try:
        pharmacies, molecule_table = read_inputs(entree, molecules, scenario)  # the problems of both files at once
    except InputError as exc:
        _fail(str(exc))
    from rosp_lib.cli.french import warn
    from rosp_lib.inputs import warnings_of

    warn(input_warnings(pharmacies, bool(molecules), scenario))
    paid = None
    if versements is not None:
        from rosp_lib.counterfactual.versements import read_versements

        try:
            paid = read_versements(versements, pharmacies)  # every problem at once, nothing written
        except InputError as exc:
            _fail(str(exc))
        warn(warnings_of(paid))

    rows = pharmacies[["pharmacie_id", "exercice"]].astype({"exercice": int})
    if pharmacie_id is not None:
        try:
            check_pharmacie_id(pharmacie_id)
        except ReportError as exc:
            _fail(str(exc))
        known = list(dict.fromkeys(rows["pharmacie_id"]))
        if pharmacie_id not in known:
            hint = near_hint(pharmacie_id, known)
            _fail(f"pharmacie « {pharmacie_id} » absente de {entree}{hint}{' ' if hint.endswith('?') else '. '}"
                  f"Identifiants connus : {_known_ids_hint(pharmacie_id, known)}.")
        rows = rows[rows["pharmacie_id"] == pharmacie_id]
    if exercice is not None:
        present = sorted(set(rows["exercice"]))
        rows = rows[rows["exercice"] == exercice]
        if rows.empty:
            qui = f"la pharmacie « {pharmacie_id} »" if pharmacie_id else entree
            _fail(f"aucune ligne de l'exercice {exercice} pour {qui} ; exercices présents : "
                  f"{', '.join(map(str, present))}.")
    rows = rows.sort_values(["exercice", "pharmacie_id"], kind="stable")
    if paid is not None and SYNTHESIS in theme_list:  # the lines the syntheses made here count though dated later, as
        from rosp_lib.counterfactual.versements import future_payments  # « rosp rapprocher » says them (review)

        made = set(zip(rows["pharmacie_id"], rows["exercice"]))
        mine = [i for i, (pid, year) in enumerate(zip(paid["pharmacie_id"], paid["exercice"])) if (pid, int(year)) in made]
        warn(future_payments(paid.iloc[mine], day or dt.date.today()))  # positions: an empty list selects no row

    if paid is None and SYNTHESIS in theme_list:
        warn(_statement_dropped(out_dir, rows))
    _check_file(scenario, "scénario")
    try:
        for year in sorted(set(rows["exercice"])):
            load_parameters(int(year), scenario)
    except ParameterError as exc:
        _fail(str(exc))

    job_list = jobs_for(zip(rows["pharmacie_id"], rows["exercice"]), entree.resolve(), theme_list,
                        molecules.resolve() if molecules else None, scenario.resolve() if scenario else None)
    bar = None

    def open_bar() -> None:
        """Progress from the first report on, for one pharmacy too; opened once run_reports has made its checks
        (--notebooks, --dask…): a refused run showed « Rapports : 0 % » twice before its error."""
        nonlocal bar
        if len(job_list) > 1:
            from rosp_lib.cli.progress import progress_bar

            bar = progress_bar(len(job_list), "Rapports", "rapport")

    from rosp_lib.lines.atomic import OutputError

    started = time.perf_counter()
    stopped = _stop_like_ctrl_c_on_sigterm()
    try:
        results = run_reports(job_list, notebooks_dir=notebooks_dir, out_dir=out_dir, workers=jobs, force=force,
                              progress=lambda n: bar.update(n) if bar else None, log_file=out_dir / LOG_NAME,
                              dask=dask_address, inputs_checked=True, versements=paid, date_reference=day,
                              notice=(lambda m: (bar.write(m, file=sys.stderr) if bar else click.echo(m, err=True))),
                              made_folders=2 if scenario is not None else 0, started=open_bar)
    except LogFileError as exc:  # the run's log cannot be written safely (a symlink…): an output problem
        _fail(str(exc), EXIT_OUTPUT)
    except ReportError as exc:  # a check made by run_reports (--notebooks, --dask…): on its own line, not after the bar
        if bar:
            bar.close()
        _fail(str(exc))
    except OutputError as exc:  # the output folder cannot be created: made by run_reports once all is checked
        if bar:
            bar.close()  # before the message, not after it
        _fail(str(exc), EXIT_OUTPUT)
    except KeyboardInterrupt as exc:
        if bar:
            bar.close()
        done = getattr(exc, "results", [])
        listed = _index_of_finished(done, out_dir, pharmacies, molecule_table, scenario,
                                    _run_inputs(entree, molecules, scenario, notebooks_dir, paid, day, done)) if done else False
        click.echo("\nInterrompu : les rapports terminés sont en place"
                   + (f" et dans le récapitulatif et l'index ({MANIFEST_NAME}, index.html)" if listed else "")
                   # with --force, the reports not redone are « déjà à jour » to a run without it: they stay as they were
                   + (", les autres ne seront refaits qu'en relançant avec --force (sans lui, ceux qui sont à jour sont "
                      "gardés tels quels)." if force else ", les autres seront faits à la prochaine exécution.")
                   + _old_network_notice(out_dir, toutes),
                   err=True)
        # the interruptions stay ignored to the end: one more during the interpreter's exit killed the command by
        # SIGINT (code −2) after its message
        sys.exit(128 + stopped[0] if stopped else INTERRUPTED)
    finally:
        if bar:
            bar.close()
    elapsed = time.perf_counter() - started
    try:
        # rewritten whole only by a run over every pharmacy, exercise and theme of the file (a pharmacy gone from the
        # input leaves the index); any narrower run — one pharmacy, --exercice, --themes — adds its rows to the others
        whole = toutes and exercice is None and set(theme_list) == set(THEMES)
        gone = _gone_from_input(out_dir / MANIFEST_NAME, pharmacies) if whole else []
        manifest = write_manifest(results, out_dir / MANIFEST_NAME, merge=not whole, names=_names_of(pharmacies))
        if gone:
            click.echo(_gone_notice(gone), err=True)
    except OutputError as exc:
        _summary(results, out_dir, None, elapsed)
        _fail(f"récapitulatif des rapports : {exc}", EXIT_OUTPUT)
    interrupted = False
    try:
        network_ok = _network(out_dir, notebooks_dir, entree, molecules, scenario, day, force) if toutes else True
    except KeyboardInterrupt:  # Ctrl+C or SIGTERM during the network view, the longest step after the reports: the
        interrupted, network_ok = True, True  # index is still written, or it would show the amounts of the last run
    _no_second_interrupt()  # the index and the summary list what is in place, whatever comes now (a short step)
    try:
        _write_indexes(out_dir, manifest, pharmacies, molecule_table, scenario,
                       _run_inputs(entree, molecules, scenario, notebooks_dir, paid, day, results))
    except OutputError as exc:
        _summary(results, out_dir, manifest, elapsed)
        _fail(f"pages d'index (index.html, pharmacies/) : {exc}", EXIT_OUTPUT)
    _summary(results, out_dir, manifest, elapsed)
    if interrupted:
        click.echo("Interrompu pendant la vue réseau : les rapports sont en place, dans le récapitulatif et l'index "
                   f"({MANIFEST_NAME}, index.html).{_old_network_notice(out_dir)}", err=True)
        sys.exit(128 + stopped[0] if stopped else INTERRUPTED)
    if not network_ok:
        sys.exit(EXIT_FAILED)
    if any(r.statut == "echec" for r in results):
        sys.exit(EXIT_FAILED)


def _run_inputs(entree: Path, molecules: Path | None, scenario: Path | None, notebooks_dir: Path, paid, day,
                results: list) -> "RunInputs":
    """What this run's reports are made from, and those it made or found up to date (`results`)."""
    return RunInputs(entree, molecules, scenario, notebooks_dir, paid, day or dt.date.today(),
                     frozenset((r.pharmacie_id, int(r.exercice), r.theme) for r in results
                               if r.statut in ("ok", "deja_fait")))


def _index_of_finished(done: list, out_dir: Path, pharmacies, molecules, scenario: Path | None,
                       run: "RunInputs") -> bool:
    """After Ctrl+C: the reports finished added to the summary and the index (as a narrower run adds its own), so
    that those of a long run stopped halfway can be reached, and the others the run did not reach judged by their
    content key as after a narrower run (review: after an input changed, those whose amount did not change stayed
    « complet » with a gain of the old input); False when they cannot be written, or on a second Ctrl+C (the reports
    stay in place, and the next run lists them)."""
    from rosp_lib.lines.atomic import OutputError

    try:
        manifest = write_manifest(done, out_dir / MANIFEST_NAME, merge=True, names=_names_of(pharmacies))
        _write_indexes(out_dir, manifest, pharmacies, molecules, scenario, run)
    except (OutputError, KeyboardInterrupt):
        return False
    return True


def _statement_dropped(out_dir: Path, rows) -> list[str]:
    """What a run without --versements says of the syntheses it will redo that an earlier run made with a statement (a
    `versements.csv` in their folder): made again without it, they lose their reconciliation and claim drafts (review:
    the README's one-pharmacy command, run after the example, did so without a word)."""
    from rosp_lib.inputs.errors import MAX_PER_KIND
    from rosp_lib.lines.formatting import french_list, num

    def has_statement(pid, year) -> bool:
        try:
            return (Path(out_dir) / str(int(year)) / str(pid) / folders.VERSEMENTS).is_file()
        except OSError:  # an output folder that cannot be (a name too long): said by the run itself
            return False

    had = [f"{p} {y}" for p, y in zip(rows["pharmacie_id"], rows["exercice"]) if has_statement(p, y)]
    if not had:
        return []
    shown = had[:MAX_PER_KIND] + ([f"{num(len(had) - MAX_PER_KIND)} autres"] if len(had) > MAX_PER_KIND else [])
    which = agreed(len(had), "la synthèse", "les synthèses")
    return [f"{which} de {french_list(shown)} {agreed(len(had), 'avait', 'avaient')} été "
            f"{agreed(len(had), 'faite', 'faites')} avec un relevé des versements (versements.csv de "
            f"{agreed(len(had), 'son', 'leur')} dossier) ; sans --versements, {agreed(len(had), 'elle est refaite', 'elles sont refaites')} "
            "sans rapprochement ni projet de réclamation. Pour les garder, relancez avec --versements et le relevé."]


def _names_of(pharmacies) -> dict[tuple[str, int], str]:
    """(pharmacie_id, exercice) → the name the input gives that pharmacy that exercise (none without a `nom` column)."""
    if "nom" not in pharmacies:
        return {}
    return {(str(p), int(y)): str(n) for p, y, n in zip(pharmacies["pharmacie_id"], pharmacies["exercice"],
                                                         pharmacies["nom"]) if isinstance(n, str) and n.strip()}


def _gone_from_input(manifest: Path, rows) -> list[tuple[str, int]]:
    """The (pharmacie_id, exercice) of the reports an earlier run listed in `manifest` that `rows` (the input's
    pharmacy × exercise rows) no longer has: a run over the whole file drops them from the index."""
    listed = {(r.get("pharmacie_id") or "", (r.get("exercice") or "").strip()) for r in _listed(manifest)}
    present = {(str(p), str(int(y))) for p, y in zip(rows["pharmacie_id"], rows["exercice"])}
    return sorted((p, int(y)) for p, y in listed - present if p and y.isdigit())


def _gone_notice(gone: list[tuple[str, int]]) -> str:
    """What a run over the whole file says of the reports of pharmacy × exercise rows gone from the input: out of
    the index, their files left in place (never deleted: the folder may hold another file's reports)."""
    from rosp_lib.inputs.errors import MAX_PER_KIND
    from rosp_lib.lines.formatting import french_list, num

    shown = [f"{p} {y}" for p, y in gone[:MAX_PER_KIND]]
    if len(gone) > MAX_PER_KIND:
        shown.append(f"{num(len(gone) - MAX_PER_KIND)} autres")
    p, y = gone[0]
    which = agreed(len(gone), "ligne pharmacie × exercice d'un passage précédent n'est plus",
                   "lignes pharmacie × exercice d'un passage précédent ne sont plus")
    their = agreed(len(gone), "ses", "leurs")
    return (f"Attention : {num(len(gone))} {which} dans le "
            f"fichier d'entrée ({french_list(shown)}) : {their} rapports sortent de "
            f"l'index, mais {their} fichiers restent "
            f"dans le dossier de sortie ({y}/{p}/, pharmacies/{p}.html…) ; supprimez-les s'ils ne servent plus.")


@dataclass(frozen=True)
class RunInputs:
    """What a run's reports are made from, for the index to tell the reports an identical run would redo (`outdated`):
    the files (resolved), the notebooks' folder, the validated statement, the reference date."""

    entree: Path
    molecules: Path | None
    scenario: Path | None
    notebooks_dir: Path
    versements: object
    date_reference: dt.date
    made: frozenset = frozenset()  # (pharmacie_id, exercice, theme) of the reports this run made or found up to date


def outdated(out_dir: Path, table, run: RunInputs, rows=None) -> set[tuple[str, int, str]]:
    """The (pharmacie_id, exercice, theme) of the reports made (`table`: rapports.csv's rows) of pharmacy-years of the
    run's input whose recorded content key is not the one the run would give them now: an identical run would redo
    them. Their amount may be the same (review: a changed name, a new statement row, another date, a new version kept
    « complet » in the index, while the next run redid every report of the pharmacy)."""
    done = table[table["statut"].isin(("ok", "deja_fait")) & table["theme"].isin(list(THEMES))]
    # those of this run are up to date: not judged again (a whole run has none left to judge)
    done = done[[(str(p), int(y), str(t)) not in run.made
                 for p, y, t in zip(done["pharmacie_id"], done["exercice"], done["theme"])]]
    if done.empty:
        return set()
    src = (run.entree.resolve(), run.molecules.resolve() if run.molecules else None,
           run.scenario.resolve() if run.scenario else None)
    slices = folders.Slices(*src, versements=run.versements)
    # the pharmacy-years of the input (`rows`: its (pharmacie_id, exercice)); another year of a pharmacy of the input is
    # outside it, as the index says (review: « à refaire » and « hors du fichier d'entrée » on one row)
    present = ({(str(p), int(y)) for p, y in rows} if rows is not None
               else {(p, int(y)) for p, y in zip(done["pharmacie_id"], done["exercice"]) if p in slices.rows})
    jobs = [ReportJob(str(p), int(y), str(t), *src) for p, y, t in zip(done["pharmacie_id"], done["exercice"],
                                                                        done["theme"]) if (str(p), int(y)) in present]
    if run.versements is None:  # a synthesis made with a statement: what a run without one would make of it is not a
        # reason to redo it (review: the legend then had it redone without its reconciliation); judged by its amount
        jobs = [job for job in jobs if not (job.theme == SYNTHESIS
                                            and (job.folder(out_dir) / folders.VERSEMENTS).is_file())]
    notebooks = {t: Path(run.notebooks_dir) / f"{THEMES[t]}.ipynb" for t in {job.theme for job in jobs}}
    notebook_bytes = {}
    for t, path in notebooks.items():
        try:
            notebook_bytes[t] = path.read_bytes()
        except OSError:  # a notebook gone since the run: its reports cannot be judged
            pass
    jobs = [job for job in jobs if job.theme in notebook_bytes]
    install = install_fingerprint()
    keys = _ReportKeys({src: slices}, {t: notebooks[t] for t in notebook_bytes}, run.date_reference)
    out = set()
    for job in jobs:
        files = slices.files(job.pharmacie_id, job.exercice)
        parameters = folders.Slices.parameters(job.pharmacie_id, job.exercice, files)
        _, key_params, key_files = keys.job_parameters(job, parameters, files)
        key = folders.report_key(key_params, key_files, notebook_bytes[job.theme], install, KERNEL_NAME)
        if folders.recorded_key(job.folder(out_dir), job.stem) != key:
            out.add((job.pharmacie_id, int(job.exercice), job.theme))
    return out


def _write_indexes(out_dir: Path, manifest: Path, pharmacies, molecules, scenario: Path | None,
                   run: RunInputs | None = None) -> None:
    """index.html of the output folder and one page per pharmacy, from the manifest (every report of the
    folder, this run's and earlier runs') and the lines of those pharmacy-years, computed by the library; `run`:
    what the run's reports are made from, to tell those an identical run would redo (`outdated`)."""
    import pandas as pd

    from rosp_lib.engine import compute, parameters_for
    from rosp_lib.report.index import write_indexes

    table = pd.read_csv(manifest, dtype=str, keep_default_na=False)
    table = table[table["pharmacie_id"] != ""].astype({"exercice": int})
    redo = (outdated(out_dir, table, run, zip(pharmacies["pharmacie_id"], pharmacies["exercice"]))
            if run is not None else set())
    keys = set(zip(table["pharmacie_id"], table["exercice"]))
    mine = pharmacies[[k in keys for k in zip(pharmacies["pharmacie_id"], pharmacies["exercice"].astype(int))]]
    lines = compute(mine.reset_index(drop=True), molecules, parameters_for(mine["exercice"].unique(), scenario))
    names = ({(p, int(y)): n for p, y, n in zip(mine["pharmacie_id"], mine["exercice"], mine["nom"].fillna(""))}
             if "nom" in mine else {})
    titre = "Rapports ROSP" + (f" — scénario {scenario.stem}" if scenario is not None else "")
    years = {str(pid): sorted(int(y) for y in group.unique())
             for pid, group in pharmacies["exercice"].groupby(pharmacies["pharmacie_id"].astype(str))}
    # the pharmacy-years of the input no report of the folder is made for yet (a first run interrupted, or limited):
    # the index says it, its sums being those of its rows only (review: « Total 2022 » of 14 rows out of 27)
    unlisted = set(zip(pharmacies["pharmacie_id"].astype(str), pharmacies["exercice"].astype(int))) - {
        (str(p), int(y)) for p, y in zip(table["pharmacie_id"], table["exercice"])}
    write_indexes(out_dir, table, lines, names, titre=titre, years=years, outdated=redo, unlisted=len(unlisted))


@contextlib.contextmanager
def _kernel_chatter_to_log(log_path: Path):
    """While it is open, this process's stderr and stdout — which a kernel started now inherits — go to the
    run's log (jupyter's English warnings, a kernel's shutdown messages), not to the user's console. A log
    that cannot be opened safely (a symlink…) leaves the console as it is."""
    from rosp_lib.batch.worker import LogFileError, open_log

    try:
        fd = open_log(log_path)
    except LogFileError:
        yield
        return
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    try:
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for f in (*saved, fd):
            os.close(f)


def _network(out_dir: Path, notebooks_dir: Path, entree: Path, molecules: Path | None, scenario: Path | None,
             date_reference: dt.date | None = None, force: bool = False) -> bool:
    """The network overview (90_reseau) on the whole file, once per run, at the root of the output folder;
    its links lead to each pharmacy's reports; its gains judged at the reports' date (`--date`, today by default).
    Not made again when its content key — the input files, the notebook, its parameters (the date included: the page
    says it) and the install, as a report's — is the one recorded beside it, unless `force` (review: a run with
    nothing to redo spent 83 s of CPU on it for 300 pharmacies). False when it failed (the reports are in place)."""
    source = notebooks_dir / "90_reseau.ipynb"
    if not source.exists():
        return True
    import nbformat
    import papermill as pm

    from rosp_lib.lines.atomic import OutputError, write_together
    from rosp_lib.report.html import to_html
    from rosp_lib.report.network import INDEX_PAGE  # written after this page, by this run (_write_indexes)

    parameters = {"entree": str(entree.resolve()), "molecules": str(molecules.resolve()) if molecules else "",
                  "parametres": str(scenario.resolve()) if scenario else "", "sortie": "",
                  "date_gains": (date_reference or dt.date.today()).isoformat(), "index": INDEX_PAGE}
    stem = Path(NETWORK_FILES[0]).stem
    try:
        files = {name: path.read_bytes() for name, path in (("entree", entree), ("molecules", molecules),
                                                             ("parametres", scenario)) if path is not None}
        # its links lead to the reports present (an absent one is not linked): they are part of what it shows
        # (review: reports made since were left unlinked by a view kept as up to date)
        files["rapports"] = "\n".join(_reports_made(out_dir / MANIFEST_NAME)).encode("utf-8")
        key = folders.report_key(parameters, files, source.read_bytes(), install_fingerprint(), "python3")
    except OSError:  # an input gone since it was read: made again, as without a key
        key = None
    made = all((out_dir / name).is_file() for name in NETWORK_FILES)
    if not force and made and key is not None and folders.recorded_key(out_dir, stem) == key:
        click.echo(f"Vue réseau déjà à jour : {out_dir / NETWORK_FILES[1]}", err=True)
        return True
    click.echo("Vue réseau (90_reseau) sur tout le fichier…", err=True)
    try:
        with _kernel_chatter_to_log(out_dir / LOG_NAME):
            nb = pm.execute_notebook(str(source), None, parameters=parameters, cwd=str(out_dir),
                                     kernel_name="python3", progress_bar=False, log_output=False)
        write_together({out_dir / NETWORK_FILES[0]: lambda fh: fh.write(nbformat.writes(nb).encode("utf-8")),
                        out_dir / NETWORK_FILES[1]: lambda fh: fh.write(to_html(nb).encode("utf-8"))})
        if key is not None:  # written last, after the pages: a page never has the key of another
            folders.write_atomic(folders.key_path(out_dir, stem), key.encode("ascii"))
    except (OutputError, Exception) as exc:  # noqa: BLE001 - reported in French, the reports stay in place
        # papermill's message starts with an empty line, then « ---- » and the cell: its error is the notebook's
        # own one-line French message (nb.user_errors) when it has one
        said = getattr(exc, "evalue", "") or next((line for line in str(exc).splitlines() if line.strip()), "") \
            or repr(exc)
        click.echo(f"Erreur : la vue réseau n'a pas pu être produite : {said.rstrip('.')}.{_old_network_notice(out_dir)}",
                   err=True)
        return False
    click.echo(f"Vue réseau : {out_dir / '90_reseau.html'}", err=True)
    return True


def _reports_made(manifest: Path) -> list[str]:
    """The paths of the reports rapports.csv lists as made (not the index's « rapport non produit » pages): the network
    view links those."""
    return sorted(r.get("chemin") or "" for r in _listed(manifest) if r.get("statut") in ("ok", "deja_fait"))


def _listed(manifest: Path) -> list[dict]:
    """The rows of rapports.csv as written; none when there is none or it cannot be read (not ours: nothing to say)."""
    try:
        with open(manifest, encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    except (OSError, csv.Error, UnicodeDecodeError):
        return []


def _old_network_notice(out_dir: Path, toutes: bool = True) -> str:
    """What a run that did not make its network view says of the one in place, from an earlier run (the index still
    links it): its date, so that nobody reads it as this run's. Empty without one, or for a run that makes none."""
    from rosp_lib.report.index import network_made

    made = network_made(out_dir) if toutes else None
    return (f" La vue réseau (90_reseau.html) n'a pas été refaite : celle en place est celle d'un passage précédent "
            f"(produite le {made})." if made else "")


def _summary(results: list[ReportResult], out_dir: Path, manifest: Path | None, elapsed: float) -> None:
    n = {s: sum(r.statut == s for r in results) for s in STATUTS}
    click.echo(f"{counted(len(results), 'rapport', 'rapports')} en {seconds(elapsed)} : "
               f"{counted(n['ok'], 'produit', 'produits')}, "
               f"{n['deja_fait']} déjà à jour, {n['echec']} en échec.")
    failed = [r for r in results if r.statut == "echec"]
    for r in failed[:10]:
        where = f" — voir {out_dir / r.chemin}" if r.chemin else ""
        click.echo(f"  échec {r.pharmacie_id} {r.exercice} {r.theme} : {r.erreur}{where}", err=True)
    if len(failed) > 10:
        click.echo(f"  … et {counted(len(failed) - 10, 'autre échec', 'autres échecs')}", err=True)
    folders = sorted({str(Path(out_dir) / str(r.exercice) / r.pharmacie_id) for r in results})
    if len(folders) <= 3:
        click.echo("Rapports : " + ", ".join(folders))
    else:
        click.echo(f"Rapports : {out_dir}/<exercice>/<pharmacie_id>/ ({len(folders)} dossiers)")
    if manifest is not None:
        click.echo(f"Récapitulatif : {manifest}")
