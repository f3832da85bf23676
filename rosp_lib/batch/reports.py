"""Batch reports: papermill runs the theme notebooks per pharmacy × exercise (`rosp report`).

One report = one notebook of `notebooks/` executed for one pharmacy and one exercise, written as
`<out>/<exercice>/<pharmacie_id>/<NN_theme>.ipynb` with its HTML rendering beside it.

How a batch runs (DESIGN.md, « Reliability and security stance ») :

- parameters reach the notebooks only as papermill parameters; a parameter the notebook does not
  declare in its `parameters` cell is an error (papermill itself only warns), checked before any
  kernel starts; `pharmacie_id` is checked against `PHARMACIE_ID_RE` before it becomes a path;
- work is spread over worker processes (`ProcessPoolExecutor`); each worker executes its notebooks
  one after the other (one Jupyter kernel per notebook) and renders the HTML in the same process;
- every file is written under a temporary name and renamed (`os.replace`) on success only: a report
  is never half-written under its final name. A failed report keeps its partial executed notebook
  as `<NN_theme>.echec.ipynb` and loses any older final files; the other reports go on;
- a report already done and valid (final .ipynb and .html present, newer than every input, and run
  with the same parameters) is skipped unless `force`.

Heavy imports (papermill, nbconvert) are done lazily, in the workers.
"""

from __future__ import annotations

import csv
import difflib
import importlib.util
import json
import logging
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path

import click

if importlib.util.find_spec("papermill") is None or importlib.util.find_spec("nbconvert") is None:
    # `rosp report` needs the « reports » extra; rosp_lib.cli skips the command without it.
    raise ImportError("papermill et nbconvert sont nécessaires : pip install 'rosp-lib[reports]'")

from rosp_lib.batch import validated
from rosp_lib.cli.french import FrenchCommand
from rosp_lib.inputs import PHARMACIE_ID_RE

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = ROOT / "notebooks"
PARAMETERS_DIR = ROOT / "parameters"

# theme name (--themes) → notebook file stem, in report order
THEMES: dict[str, str] = {
    "synthese": "00_synthese",
    "numerique": "01_numerique",
    "bups": "02_bups",
    "vaccination": "03_vaccination",
    "colorectal": "04_colorectal",
    "dispensation_unite": "05_dispensation_unite",
    "dispositif_2024": "06_dispositif_2024",
}

KERNEL_NAME = "python3"
START_TIMEOUT_S = 120  # several kernels start at once on a busy machine
EXECUTION_TIMEOUT_S = 900  # per cell: a hung notebook must not stall a whole batch

STATUTS = ("ok", "echec", "deja_fait")
MANIFEST_NAME = "rapports.csv"
LOG_NAME = "rapports.log"  # what the workers and kernels print, for diagnosis
MANIFEST_COLUMNS = ["pharmacie_id", "exercice", "theme", "statut", "duree_s", "erreur", "chemin"]

EXIT_INVALID = 2
EXIT_FAILED = 1


class ReportError(Exception):
    """A batch that cannot start (bad id, missing notebook, undeclared parameter): nothing was run."""


class UnknownParameterError(ReportError):
    """The notebook does not declare a parameter that the runner passes."""


# --------------------------------------------------------------------------------------------
# Jobs and results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportJob:
    """One report to make: a theme notebook for one pharmacy and one exercise."""

    pharmacie_id: str
    exercice: int
    theme: str
    entree: Path
    molecules: Path | None = None
    parametres: Path | None = None

    def parameters(self) -> dict:
        """The papermill parameters, exactly as the notebook contract says (absolute paths)."""
        return {
            "pharmacie_id": str(self.pharmacie_id),
            "exercice": int(self.exercice),
            "entree": str(Path(self.entree).resolve()),
            "molecules": str(Path(self.molecules).resolve()) if self.molecules else "",
            "parametres": str(Path(self.parametres).resolve()) if self.parametres else "",
        }

    @property
    def stem(self) -> str:
        return THEMES[self.theme]

    def folder(self, out_dir: Path) -> Path:
        return Path(out_dir) / str(int(self.exercice)) / self.pharmacie_id

    def paths(self, out_dir: Path) -> "ReportPaths":
        d = self.folder(out_dir)
        return ReportPaths(
            notebook=d / f"{self.stem}.ipynb",
            html=d / f"{self.stem}.html",
            echec=d / f"{self.stem}.echec.ipynb",
            tmp_notebook=d / f".{self.stem}.partiel.ipynb",
            tmp_html=d / f".{self.stem}.partiel.html",
        )


@dataclass(frozen=True)
class ReportPaths:
    notebook: Path
    html: Path
    echec: Path
    tmp_notebook: Path
    tmp_html: Path


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

    def row(self) -> dict:
        d = asdict(self)
        d["duree_s"] = f"{self.duree_s:.2f}"
        return d


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
    """The names the notebook's `parameters` cell defines.

    papermill.inspect_notebook reads the cell line by line and misses some valid lines (a comment
    holding « = », a value over several lines); the Python syntax tree of the cell completes it.
    """
    import ast

    import papermill

    key = (str(notebook), os.stat(notebook).st_mtime_ns)
    if key in _DECLARED:
        return set(_DECLARED[key])
    log = logging.getLogger("papermill")
    level = log.level
    log.setLevel(logging.ERROR)  # « Unable to parse line … » : handled below
    try:
        declared = set(papermill.inspect_notebook(_escape_format(Path(notebook))))
    finally:
        log.setLevel(level)
    with open(notebook, encoding="utf-8") as f:
        cells = json.load(f).get("cells", [])
    for cell in cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            try:
                tree = ast.parse("".join(source) if isinstance(source, list) else source)
            except SyntaxError:
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


def check_parameters(notebook: Path, parameters: Iterable[str]) -> None:
    """Raise UnknownParameterError for any parameter the notebook's `parameters` cell lacks
    (papermill would only warn and inject it anyway)."""
    declared = declared_parameters(notebook)
    unknown = [p for p in parameters if p not in declared]
    if unknown:
        have = ", ".join(sorted(declared)) or "aucun (pas de cellule marquée « parameters »)"
        raise UnknownParameterError(
            f"{notebook} : paramètre(s) non déclaré(s) dans la cellule « parameters » : "
            f"{', '.join(unknown)} (déclarés : {have})"
        )


def _dependencies(job: ReportJob, notebook: Path) -> list[Path]:
    deps = [notebook, Path(job.entree)]
    deps += [Path(p) for p in (job.molecules, job.parametres) if p]
    yearly = PARAMETERS_DIR / f"{int(job.exercice)}.yaml"
    if yearly.exists():
        deps.append(yearly)
    return deps


def is_done(job: ReportJob, notebook: Path, out_dir: Path) -> bool:
    """The report exists under its final names, is newer than every input and was made with the
    same parameters (recorded by papermill in the notebook's metadata)."""
    p = job.paths(out_dir)
    try:
        built = min(p.notebook.stat().st_mtime_ns, p.html.stat().st_mtime_ns)
        newest_input = max(d.stat().st_mtime_ns for d in _dependencies(job, notebook))
    except OSError:
        return False
    if built < newest_input:
        return False
    try:
        with open(p.notebook, encoding="utf-8") as f:
            recorded = json.load(f)["metadata"]["papermill"]["parameters"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return recorded == job.parameters()


# --------------------------------------------------------------------------------------------
# The worker side: one report
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Config:
    notebooks: dict  # theme → absolute notebook path (str)
    out_dir: str
    kernel_name: str = KERNEL_NAME
    start_timeout: int = START_TIMEOUT_S
    execution_timeout: int = EXECUTION_TIMEOUT_S
    engine_kwargs: dict = field(default_factory=dict)
    transport: str = "tcp"


_EXPORTER = None


def _html_exporter():
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter

        _EXPORTER = HTMLExporter()
    return _EXPORTER


def _init_worker(log_path: str | None = None, ipc_dir: str | None = None, validated_file: str | None = None) -> None:
    global _IPC_DIR
    _IPC_DIR = ipc_dir
    if validated_file:  # the kernels inherit it: rosp_lib.batch.validated
        os.environ[validated.ENV] = validated_file
    # ipykernel's debugger warns about frozen modules on every kernel start (Python ≥ 3.11)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    if log_path:
        # kernels inherit the worker's stdout/stderr: their chatter goes to the run's log file,
        # not over the progress bar (errors of a report are in rapports.csv and its .echec.ipynb)
        fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)


_KM_CLASS = None
_IPC_DIR: str | None = None  # private directory of the kernels' sockets (made by run_reports)


def _kernel_manager_class():
    """AsyncKernelManager over IPC (Unix sockets): no TCP port to race for when several kernels
    start at once, and nothing listening on the network. Each kernel gets its own socket prefix in
    a private directory of the batch (jupyter_client's default prefix, « kernel-ipc » in the
    working directory, would be shared by the kernels of all workers)."""
    global _KM_CLASS, _IPC_DIR
    if _IPC_DIR is None:
        _IPC_DIR = tempfile.mkdtemp(prefix="rosp-noyaux-")  # run_one called outside run_reports
    if _KM_CLASS is None:
        import uuid

        from jupyter_client.manager import AsyncKernelManager

        class IPCKernelManager(AsyncKernelManager):
            def __init__(self, **kwargs):
                kwargs.setdefault("transport", "ipc")
                kwargs.setdefault("ip", os.path.join(_IPC_DIR, uuid.uuid4().hex[:12]))
                super().__init__(**kwargs)

        _KM_CLASS = IPCKernelManager
    return _KM_CLASS


ENGINE_NAME = "rosp"
_ENGINE_REGISTERED = False


def _register_engine() -> str:
    """papermill's nbclient engine, saving the output notebook less often.

    papermill rewrites the whole output notebook before and after every cell (two JSON dumps of up to
    a few hundred kB per cell, ≈ 0.4–0.7 s of CPU per report with the real notebooks, a quarter of the
    cost of a report). Here it is written when execution starts, by papermill's autosave during a
    long cell (every 30 s), and at the end, whether the run succeeded or failed (papermill's own
    `finally`): the partial notebook of a failed report is still there, up to the failing cell.
    """
    global _ENGINE_REGISTERED
    if not _ENGINE_REGISTERED:
        from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

        class _Manager(NotebookExecutionManager):
            _between_cells = False

            def save(self, **kwargs):
                if not self._between_cells:
                    return super().save(**kwargs)
                return None

            def cell_start(self, cell, cell_index=None, **kwargs):
                self._between_cells = True
                try:
                    return super().cell_start(cell, cell_index, **kwargs)
                finally:
                    self._between_cells = False

            def cell_complete(self, cell, cell_index=None, **kwargs):
                self._between_cells = True
                try:
                    return super().cell_complete(cell, cell_index, **kwargs)
                finally:
                    self._between_cells = False

        class _Engine(NBClientEngine):
            @classmethod
            def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                                 autosave_cell_every=30, **kwargs):
                nb_man = _Manager(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                                  autosave_cell_every=autosave_cell_every)
                nb_man.notebook_start()
                try:
                    cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
                finally:
                    nb_man.cleanup_pbar()
                    nb_man.notebook_complete()
                return nb_man.nb

        papermill_engines.register(ENGINE_NAME, _Engine)
        _ENGINE_REGISTERED = True
    return ENGINE_NAME


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _one_line(text: str, limit: int = 160) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(text))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_error(exc: BaseException) -> str:
    """A short French message naming the error (the failing cell's error name for a notebook error)."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        cell = f"cellule [{exc.exec_count}]" if exc.exec_count else f"cellule n° {exc.cell_index}"
        detail = f" : {_one_line(exc.evalue)}" if exc.evalue else ""
        return f"erreur dans le notebook, {cell} : {exc.ename}{detail}"
    if isinstance(exc, ReportError):
        return _one_line(str(exc), 300)
    name = type(exc).__name__
    if name == "CellTimeoutError":
        return f"délai d'exécution d'une cellule dépassé ({name})"
    if name == "DeadKernelError":
        return f"le noyau Python s'est arrêté pendant l'exécution ({name})"
    if isinstance(exc, (TimeoutError, RuntimeError)) and "kernel" in str(exc).lower():
        return f"le noyau Python n'a pas démarré ({name} : {_one_line(exc)})"
    return f"erreur du lanceur de rapports ({name} : {_one_line(exc)})"


def run_one(job: ReportJob, cfg: _Config) -> ReportResult:
    """Execute one report (notebook + HTML); never raises for a failing report."""
    import papermill

    start = time.perf_counter()
    out_dir = Path(cfg.out_dir)
    p = job.paths(out_dir)
    notebook = Path(cfg.notebooks[job.theme])
    try:
        check_pharmacie_id(job.pharmacie_id)
        params = job.parameters()
        p.tmp_notebook.parent.mkdir(parents=True, exist_ok=True)
        check_parameters(notebook, params)
        engine_kwargs = dict(cfg.engine_kwargs)
        if cfg.transport == "ipc":
            engine_kwargs.setdefault("kernel_manager_class", _kernel_manager_class())
        engine_kwargs.setdefault("engine_name", _register_engine())
        nb = papermill.execute_notebook(
            _escape_format(notebook),
            _escape_format(p.tmp_notebook),
            parameters=params,
            kernel_name=cfg.kernel_name,
            progress_bar=False,
            log_output=False,
            start_timeout=cfg.start_timeout,
            execution_timeout=cfg.execution_timeout,
            cwd=str(notebook.parent),
            **engine_kwargs,
        )
        body, _ = _html_exporter().from_notebook_node(nb)
        with open(p.tmp_html, "w", encoding="utf-8") as f:
            f.write(body)
        os.replace(p.tmp_notebook, p.notebook)
        os.replace(p.tmp_html, p.html)
        _unlink(p.echec)
        return ReportResult(job.pharmacie_id, job.exercice, job.theme, "ok",
                            time.perf_counter() - start, "", str(p.html.relative_to(out_dir)))
    except Exception as exc:  # noqa: BLE001 - one report's failure must never stop the others
        message = describe_error(exc)
        chemin = ""
        try:
            for stale in (p.notebook, p.html, p.tmp_html):
                _unlink(stale)
            if p.tmp_notebook.exists():
                os.replace(p.tmp_notebook, p.echec)
                chemin = str(p.echec.relative_to(out_dir))
            else:
                _unlink(p.echec)
        except OSError as cleanup:
            message += f" ; nettoyage incomplet ({_one_line(cleanup, 80)})"
        return ReportResult(job.pharmacie_id, job.exercice, job.theme, "echec",
                            time.perf_counter() - start, message, chemin)


def _run_task(jobs: list[ReportJob], cfg: _Config) -> list[ReportResult]:
    """One unit of work for a worker process: its reports, one after the other."""
    return [run_one(job, cfg) for job in jobs]


# --------------------------------------------------------------------------------------------
# The batch
# --------------------------------------------------------------------------------------------
def run_reports(
    jobs: Iterable[ReportJob],
    notebooks_dir: Path | str = NOTEBOOKS_DIR,
    out_dir: Path | str = "outputs",
    workers: int | None = None,
    force: bool = False,
    batching: str = "rapport",
    progress: Callable[[int], None] | None = None,
    kernel_name: str = KERNEL_NAME,
    start_timeout: int = START_TIMEOUT_S,
    execution_timeout: int = EXECUTION_TIMEOUT_S,
    engine_kwargs: dict | None = None,
    log_file: Path | str | None = None,
    validated_tables: Path | str | None = None,
) -> list[ReportResult]:
    """Make the reports of `jobs` (one result per job, same order).

    Raises ReportError before anything runs or is written if an id is invalid, a theme unknown, a
    notebook missing or a parameter undeclared. After that, failures are per report (statut echec).

    batching: "rapport" = one task per report (default), "pharmacie" = one task per pharmacy ×
    exercise (its notebooks run in a row in one worker). Measured on 2 cores with the real notebooks
    (benchmarks/README.md, « Rapports »): batching per pharmacy gains nothing measurable, and it
    serialises a single pharmacy's reports and unbalances the end of a batch.
    log_file: where the workers' and kernels' own stdout/stderr go (default: the terminal).
    validated_tables: the file of `validated.store` for the jobs' input files, given to the kernels.
    """
    jobs = list(jobs)
    notebooks_dir = Path(notebooks_dir).resolve()
    out_dir = Path(out_dir).resolve()
    if batching not in ("pharmacie", "rapport"):
        raise ValueError(f"batching inconnu : {batching!r}")
    for job in jobs:
        check_pharmacie_id(job.pharmacie_id)
        if job.theme not in THEMES:
            raise ReportError(f"thème inconnu : {job.theme!r} (thèmes : {', '.join(THEMES)})")
    themes = list(dict.fromkeys(job.theme for job in jobs))
    notebooks = {t: notebooks_dir / f"{THEMES[t]}.ipynb" for t in themes}
    missing = [str(n) for n in notebooks.values() if not n.is_file()]
    if missing:
        raise ReportError("notebook(s) introuvable(s) : " + ", ".join(missing))
    param_names = list(ReportJob("x", 2024, "synthese", Path(".")).parameters())
    for nb_path in notebooks.values():
        check_parameters(nb_path, param_names)

    results: list[ReportResult | None] = [None] * len(jobs)
    first: dict[tuple, int] = {}  # a report asked twice is made once
    pending: list[int] = []
    for i, job in enumerate(jobs):
        key = (job.pharmacie_id, int(job.exercice), job.theme)
        if key in first:
            continue
        first[key] = i
        if not force and is_done(job, notebooks[job.theme], out_dir):
            results[i] = ReportResult(job.pharmacie_id, job.exercice, job.theme, "deja_fait", 0.0, "",
                                      str(job.paths(out_dir).html.relative_to(out_dir)))
        else:
            pending.append(i)
    if progress and len(pending) < len(first):
        progress(len(first) - len(pending))

    if pending:
        groups: dict[tuple, list[int]] = {}
        for i in pending:
            key = (jobs[i].pharmacie_id, jobs[i].exercice) if batching == "pharmacie" else (i,)
            groups.setdefault(key, []).append(i)
        cfg = _Config({t: str(n) for t, n in notebooks.items()}, str(out_dir), kernel_name, start_timeout,
                      execution_timeout, dict(engine_kwargs or {}), "tcp" if os.name == "nt" else "ipc")
        n_workers = max(1, min(workers or os.cpu_count() or 1, len(groups)))
        out_dir.mkdir(parents=True, exist_ok=True)
        if log_file:
            Path(log_file).write_text("", encoding="utf-8")
        ipc_dir = tempfile.mkdtemp(prefix="rosp-noyaux-")  # mode 0700
        try:
            _run_pool(jobs, list(groups.values()), cfg, n_workers, results, progress,
                      (str(log_file) if log_file else None, ipc_dir,
                       str(validated_tables) if validated_tables else None))
        finally:
            shutil.rmtree(ipc_dir, ignore_errors=True)

    for i, job in enumerate(jobs):  # duplicates share the result of the first
        if results[i] is None:
            results[i] = results[first[(job.pharmacie_id, int(job.exercice), job.theme)]]
    return results  # type: ignore[return-value]


def _run_pool(jobs: list[ReportJob], tasks: list[list[int]], cfg: _Config, n_workers: int,
              results: list, progress: Callable[[int], None] | None, initargs: tuple) -> None:
    """Run the tasks over worker processes, at most n_workers tasks in flight.

    A worker process that dies (killed for memory, a signal…) breaks the whole pool: the tasks that
    were in flight are then run again one report at a time, alone, in a new pool, so that only the
    report that kills its worker fails; the others go on.
    """
    from concurrent.futures.process import BrokenProcessPool

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=n_workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init_worker, initargs=initargs)

    def record(task: list[int], task_results: list[ReportResult]) -> None:
        for i, r in zip(task, task_results):
            results[i] = r
        if progress:
            progress(len(task))

    queue = deque(tasks)
    suspects: deque[list[int]] = deque()  # single reports whose worker died, to run alone
    in_flight: dict = {}
    pool = new_pool()
    try:
        while queue or suspects or in_flight:
            if suspects:
                if not in_flight:
                    task = suspects.popleft()
                    in_flight[pool.submit(_run_task, [jobs[i] for i in task], cfg)] = (task, True)
            else:
                while queue and len(in_flight) < n_workers:
                    task = queue.popleft()
                    in_flight[pool.submit(_run_task, [jobs[i] for i in task], cfg)] = (task, False)
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                task, alone = in_flight.pop(fut)
                try:
                    record(task, fut.result())
                except BrokenProcessPool:
                    broken = True
                    if alone:
                        message = ("le processus de travail s'est arrêté pendant ce rapport "
                                   "(mémoire épuisée ? signal ?)")
                        record(task, [ReportResult(jobs[i].pharmacie_id, jobs[i].exercice, jobs[i].theme,
                                                   "echec", 0.0, message, "") for i in task])
                    else:
                        suspects.extend([i] for i in task)
                except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be sent back
                    message = f"erreur du processus de travail ({type(exc).__name__} : {_one_line(exc)})"
                    record(task, [ReportResult(jobs[i].pharmacie_id, jobs[i].exercice, jobs[i].theme,
                                               "echec", 0.0, message, "") for i in task])
            if broken:
                # the other tasks in flight die with the pool: their reports are run again, alone
                for fut, (task, _alone) in list(in_flight.items()):
                    try:
                        record(task, fut.result())
                    except Exception:  # noqa: BLE001
                        suspects.extend([i] for i in task)
                in_flight.clear()
                pool.shutdown(wait=True)
                pool = new_pool()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def write_manifest(results: list[ReportResult], path: Path, merge: bool = False) -> Path:
    """Write rapports.csv (atomically). merge=True keeps the rows of other reports already listed."""
    path = Path(path)
    rows = [r.row() for r in results]
    if merge and path.exists():
        new_keys = {(r["pharmacie_id"], str(r["exercice"]), r["theme"]) for r in rows}
        try:
            with open(path, encoding="utf-8", newline="") as f:
                old = [r for r in csv.DictReader(f)
                       if (r.get("pharmacie_id"), r.get("exercice"), r.get("theme")) not in new_keys]
            if old and set(MANIFEST_COLUMNS) <= set(old[0]):
                rows = old + rows
        except (OSError, csv.Error, UnicodeDecodeError):
            pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partiel")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=MANIFEST_COLUMNS, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, path)
    return path


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _fail(message: str) -> None:
    click.echo(f"Erreur : {message}", err=True)
    sys.exit(EXIT_INVALID)


def _parse_themes(text: str | None) -> list[str]:
    if not text:
        return list(THEMES)
    names = [t.strip().lower() for t in text.split(",") if t.strip()]
    unknown = [t for t in names if t not in THEMES]
    if unknown or not names:
        _fail(f"thème(s) inconnu(s) : {', '.join(unknown) or '(aucun)'} ; thèmes possibles : {', '.join(THEMES)}")
    return list(dict.fromkeys(names))


def _known_ids_hint(wanted: str, known: list[str]) -> str:
    close = difflib.get_close_matches(wanted, known, n=5, cutoff=0.5)
    shown = list(dict.fromkeys(close + known))[:5]
    more = len(known) - len(shown)
    return ", ".join(shown) + (f" (et {more} autre{'s' if more > 1 else ''})" if more > 0 else "")


def _check_file(path: Path | None, what: str) -> None:
    if path is not None and not path.is_file():
        _fail(f"{what} introuvable : {path}")


@click.command("report", cls=FrenchCommand, context_settings=CONTEXT)
@click.argument("entree", metavar="ENTREE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--pharmacie", "pharmacie_id", metavar="ID",
              help="Identifiant de la pharmacie dont on veut les rapports.")
@click.option("--toutes", is_flag=True, help="Tous les rapports de toutes les pharmacies et exercices du fichier.")
@click.option("--exercice", type=int, metavar="N",
              help="Seulement cet exercice (défaut : tous les exercices présents dans le fichier).")
@click.option("--themes", metavar="T1,T2…",
              help="Thèmes à produire, séparés par des virgules (défaut : tous) : " + ", ".join(THEMES) + ".")
@click.option("--molecules", metavar="FICHIER", type=click.Path(dir_okay=False, path_type=Path),
              help="Table des molécules ciblées (CSV ou XLSX), facultative.")
@click.option("--parametres", "scenario", metavar="FICHIER", type=click.Path(dir_okay=False, path_type=Path),
              help="Scénario YAML qui remplace quelques paramètres.")
@click.option("-o", "--sortie", "out_dir", metavar="DOSSIER", type=click.Path(file_okay=False, path_type=Path),
              default=Path("outputs"), help="Dossier des rapports (défaut : outputs).")
@click.option("--force", is_flag=True, help="Refaire aussi les rapports déjà faits et à jour.")
@click.option("-j", "--jobs", type=int, metavar="N",
              help="Nombre de processus de travail en parallèle (défaut : nombre de cœurs).")
@click.option("--notebooks", "notebooks_dir", metavar="DOSSIER", type=click.Path(file_okay=False, path_type=Path),
              default=NOTEBOOKS_DIR, help="Dossier des notebooks à exécuter (défaut : notebooks/ du projet).")
@click.option("--lot", "batching", type=click.Choice(["rapport", "pharmacie"]), default="rapport",
              hidden=True, help="Unité de travail d'un processus : un rapport ou une pharmacie × exercice.")
def report_cmd(entree: Path, pharmacie_id: str | None, toutes: bool, exercice: int | None, themes: str | None,
               molecules: Path | None, scenario: Path | None, out_dir: Path, force: bool, jobs: int | None,
               notebooks_dir: Path, batching: str) -> None:
    """Produit les rapports (notebook exécuté et page HTML) d'une pharmacie ou de toutes.

    Chaque rapport est un notebook de notebooks/ exécuté par papermill pour une pharmacie et un
    exercice, puis rendu en HTML : SORTIE/<exercice>/<pharmacie_id>/<NN_theme>.ipynb et .html.

    \b
    Le fichier ENTREE est d'abord vérifié en entier (comme pour « rosp compute ») : s'il est
    invalide, rien n'est exécuté ni écrit et la commande sort avec le code 2.
    Un rapport qui échoue n'arrête pas les autres : son notebook partiel est gardé sous
    <NN_theme>.echec.ipynb pour le diagnostic. Un rapport n'apparaît sous son nom définitif
    qu'une fois entièrement écrit.
    Les rapports déjà faits, plus récents que leurs entrées (fichiers, notebook, paramètres de
    l'exercice, scénario) et faits avec les mêmes paramètres, ne sont pas refaits ; --force les
    refait tous (à utiliser après une mise à jour de rosp_lib).
    SORTIE/rapports.csv récapitule chaque rapport : statut (ok, echec, deja_fait), durée, erreur, chemin ;
    SORTIE/rapports.log garde ce qu'ont affiché les processus et noyaux Jupyter.

    \b
    Codes de sortie : 0 tout est fait ; 1 au moins un rapport a échoué ; 2 entrée invalide.

    \b
    Exemples :
      rosp report data/pharmacies.csv --pharmacie PH-TILLEULS --exercice 2024
      rosp report data/pharmacies.csv --molecules data/molecules.csv --toutes -o outputs/
    """
    from rosp_lib.inputs import InputError, read_inputs
    from rosp_lib.parameters import ParameterError, load_parameters

    if bool(pharmacie_id) == bool(toutes):
        _fail("indiquez soit --pharmacie ID, soit --toutes (l'un des deux).")
    if jobs is not None and jobs < 1:
        _fail(f"--jobs : au moins 1 processus (reçu : {jobs}).")
    _check_file(entree, "fichier d'entrée")
    _check_file(molecules, "table des molécules")
    try:
        pharmacies, molecule_table = read_inputs(entree, molecules)  # the problems of both files at once
    except InputError as exc:
        _fail(str(exc))
    theme_list = _parse_themes(themes)

    rows = pharmacies[["pharmacie_id", "exercice"]].astype({"exercice": int})
    if pharmacie_id is not None:
        try:
            check_pharmacie_id(pharmacie_id)
        except ReportError as exc:
            _fail(str(exc))
        known = list(dict.fromkeys(rows["pharmacie_id"]))
        if pharmacie_id not in known:
            _fail(f"pharmacie « {pharmacie_id} » absente de {entree}. "
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

    _check_file(scenario, "scénario")
    try:
        for year in sorted(set(rows["exercice"])):
            load_parameters(int(year), scenario)
    except ParameterError as exc:
        _fail(str(exc))

    job_list = jobs_for(zip(rows["pharmacie_id"], rows["exercice"]), entree.resolve(), theme_list,
                        molecules.resolve() if molecules else None, scenario.resolve() if scenario else None)
    bar = None
    if toutes:
        from tqdm import tqdm

        bar = tqdm(total=len(job_list), unit="rapport", desc="Rapports", file=sys.stderr, dynamic_ncols=True)
    started = time.perf_counter()
    # The tables just validated, for the notebooks (rosp_lib.batch.validated): not read again by each report.
    tables_dir = tempfile.mkdtemp(prefix="rosp-entrees-")
    try:
        tables = validated.store(tables_dir, entree, molecules, pharmacies, molecule_table)
        results = run_reports(job_list, notebooks_dir=notebooks_dir, out_dir=out_dir, workers=jobs, force=force,
                              batching=batching, progress=bar.update if bar else None,
                              log_file=out_dir / LOG_NAME, validated_tables=tables)
    except ReportError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        click.echo("\nInterrompu : les rapports terminés sont en place, les autres seront faits à la "
                   "prochaine exécution.", err=True)
        sys.exit(130)
    finally:
        shutil.rmtree(tables_dir, ignore_errors=True)
        if bar:
            bar.close()
    elapsed = time.perf_counter() - started
    manifest = write_manifest(results, out_dir / MANIFEST_NAME, merge=not toutes)
    _summary(results, out_dir, manifest, elapsed)
    if any(r.statut == "echec" for r in results):
        sys.exit(EXIT_FAILED)


def _summary(results: list[ReportResult], out_dir: Path, manifest: Path, elapsed: float) -> None:
    n = {s: sum(r.statut == s for r in results) for s in STATUTS}
    click.echo(f"{len(results)} rapport(s) en {elapsed:.1f} s : {n['ok']} produit(s), "
               f"{n['deja_fait']} déjà à jour, {n['echec']} en échec.")
    failed = [r for r in results if r.statut == "echec"]
    for r in failed[:10]:
        where = f" — voir {out_dir / r.chemin}" if r.chemin else ""
        click.echo(f"  échec {r.pharmacie_id} {r.exercice} {r.theme} : {r.erreur}{where}", err=True)
    if len(failed) > 10:
        click.echo(f"  … et {len(failed) - 10} autre(s) échec(s)", err=True)
    folders = sorted({str(Path(out_dir) / str(r.exercice) / r.pharmacie_id) for r in results})
    if len(folders) <= 3:
        click.echo("Rapports : " + ", ".join(folders))
    else:
        click.echo(f"Rapports : {out_dir}/<exercice>/<pharmacie_id>/ ({len(folders)} dossiers)")
    click.echo(f"Récapitulatif : {manifest}")
