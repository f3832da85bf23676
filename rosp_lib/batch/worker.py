"""The worker side of a batch: one report executed by papermill in a kept kernel, returned as bytes.

A worker (a process of `rosp report`, or a Dask worker on another machine) keeps one Jupyter kernel
and runs report after report in it: the kernel's start and its imports (pandas, matplotlib,
rosp_lib) are paid once, not once per report. papermill stays the executor: its parameterisation
(the injected `parameters` cell), its metadata and its error handling are unchanged; the engine
registered here (`rosp-chaud`) only hands papermill's notebook client the kept kernel instead of
starting one. Before each report the kernel is put back in a clean state (rosp_lib.batch.espace).
The kernel is replaced after a failed report and every `kernel_reports` reports.

A task carries everything the report needs — the notebook's bytes, the files of its report folder
(its input slice, its scenario), its parameters — and the outcome carries the executed notebook and
its HTML as bytes: the worker writes nothing but a private scratch folder, so no filesystem is
shared with the client that writes the reports (rosp_lib.batch.reports).
"""

from __future__ import annotations

import atexit
import errno
import hashlib
import logging
import os
import re
import shutil
import signal
import socket
import stat
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

KERNEL_NAME = "python3"
START_TIMEOUT_S = 120  # several kernels start at once on a busy machine
EXECUTION_TIMEOUT_S = 900  # per cell: a hung notebook must not stall a whole batch
KERNEL_REPORTS = 50  # a kept kernel is replaced after this many reports
WARM_MODULES = ["pandas", "matplotlib", "matplotlib.pyplot", "IPython.display", "rosp_lib.report.notebook",
                "rosp_lib.report.gains", "rosp_lib.report.versements"]
ENGINE_NAME = "rosp-chaud"


class ReportError(Exception):
    """A batch that cannot start (bad id, missing notebook, undeclared parameter): nothing was run."""


class UnknownParameterError(ReportError):
    """The notebook does not declare a parameter that the runner passes."""


class LogFileError(ReportError):
    """The run's log file cannot be opened safely (a symlink, not a regular file…): nothing was run."""


_NOT_REGULAR = ("{path} n'est pas un fichier ordinaire : le journal des rapports ne peut pas y être écrit "
                "(supprimez-le ou choisissez un autre dossier de sortie)")


def open_log(path: str | os.PathLike) -> int:
    """A descriptor appending to the run's log file (created if missing), never through a symlink.

    O_NOFOLLOW: a symlink planted at that name is refused, its target is never opened nor written;
    O_NONBLOCK then a check that it is a regular file: a planted FIFO or device neither blocks nor
    receives the log. Raises LogFileError, in French."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP or os.path.islink(path):
            raise LogFileError(f"{path} est un lien symbolique : le journal des rapports n'est jamais écrit à travers "
                               "un lien (supprimez ce lien ou choisissez un autre dossier de sortie)") from None
        if exc.errno in (errno.ENXIO, errno.ENODEV, errno.EISDIR):  # a FIFO without reader, a device, a folder
            raise LogFileError(_NOT_REGULAR.format(path=path)) from None
        from rosp_lib.lines.atomic import reason

        raise LogFileError(f"journal des rapports {path} impossible à ouvrir : {reason(exc)}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise LogFileError(_NOT_REGULAR.format(path=path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


@dataclass(frozen=True)
class Settings:
    kernel_name: str = KERNEL_NAME
    start_timeout: int = START_TIMEOUT_S
    execution_timeout: int = EXECUTION_TIMEOUT_S
    kernel_reports: int = KERNEL_REPORTS
    install: str = ""  # install_fingerprint() of the client: a worker with another install refuses


@dataclass(frozen=True)
class Task:
    """One report, self-contained: what a worker needs, and nothing of the client's filesystem."""

    pharmacie_id: str
    exercice: int
    theme: str
    notebook: bytes  # the notebook's source
    notebook_path: str  # recorded as papermill's input_path
    output_path: str  # recorded as papermill's output_path (the report's final path)
    files: tuple  # ((name, bytes), …): the report folder's inputs, the notebook's working directory
    parameters: dict = field(hash=False)
    settings: Settings = Settings()


@dataclass
class Outcome:
    """What became of one task: the executed (or partial) notebook and the HTML, as bytes."""

    statut: str  # ok / echec
    duree_s: float = 0.0
    erreur: str = ""
    notebook: bytes | None = None  # final (ok) or partial (echec), None if nothing ran
    html: bytes | None = None
    cpu_s: float = 0.0  # worker + kernel CPU spent on this report
    worker: str = ""  # host:pid
    kernel_starts: int = 0  # kernels this worker has started so far
    environment: bool = False  # echec for want of room or rights on the worker (full temporary folder…), not the report's


# --------------------------------------------------------------------------------------------
# The install: a worker must run the same library, parameters and notebook machinery
# --------------------------------------------------------------------------------------------
_INSTALL: str | None = None


def install_fingerprint() -> str:
    """SHA-256 of rosp_lib's source, the parameter files (with those of parameters/scenarios/: the reports' readings
    run the alternative readings of lectures-alternatives.yaml, and a report made before it changed was kept as up to
    date) and the versions of the report stack."""
    global _INSTALL
    if _INSTALL is None:
        from importlib.metadata import PackageNotFoundError, version

        import rosp_lib
        from rosp_lib.parameters import PARAMETERS_DIR

        h = hashlib.sha256()
        lib = Path(rosp_lib.__file__).resolve().parent
        for root, files in ((lib, sorted(lib.rglob("*.py"))), (PARAMETERS_DIR, sorted(PARAMETERS_DIR.rglob("*.yaml")))):
            for path in files:
                h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
        for dist in ("rosp-lib", "papermill", "nbclient", "nbconvert", "nbformat", "ipykernel", "pandas", "numpy",
                     "matplotlib", "babel", "pydantic"):
            try:
                h.update(f"{dist}={version(dist)}\0".encode())
            except PackageNotFoundError:
                h.update(f"{dist}=absent\0".encode())
        _INSTALL = h.hexdigest()
    return _INSTALL


# --------------------------------------------------------------------------------------------
# Errors, in French
# --------------------------------------------------------------------------------------------
def one_line(text, limit: int = 160) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(text))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Errors of the worker's machine, not of the report: its disk or temporary folder full, a file-size limit, a
# read-only folder. The report is not at fault: its earlier version is kept (`_Runner.store`).
ENVIRONMENT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}


def environment_error(exc: BaseException) -> OSError | None:
    """The OSError of the machine (ENVIRONMENT_ERRNOS) that caused `exc`, if any (itself, or its cause or context)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in ENVIRONMENT_ERRNOS:
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


# The tool's own errors, whose message is French and meant for the user (the others are Python's).
FRENCH_ERRORS = frozenset({"ReportError", "ParameterError", "InputError", "InputErrors", "OutputError",
                           "UnknownParameterError", "LogFileError", "FolderError"})


def describe_error(exc: BaseException) -> str:
    """A short French message naming the error (the failing cell's error name for a notebook error)."""
    from papermill.exceptions import PapermillExecutionError

    machine = environment_error(exc)
    if machine is not None:
        from rosp_lib.lines.atomic import reason

        where = f" ({one_line(machine.filename, 80)})" if machine.filename else ""
        # what to do depends on the cause: a size limit is not a lack of space (review: « libérez de la place » under
        # `ulimit -f`), nor is a read-only folder
        fix = {errno.EFBIG: "relevez la limite de taille des fichiers de la session (ulimit -f) puis relancez",
               errno.EROFS: "donnez un dossier temporaire où l'on peut écrire (TMPDIR) puis relancez"}.get(
            machine.errno, "libérez de la place (dossier temporaire, TMPDIR) puis relancez")
        return (f"le poste de travail n'a pas pu écrire ses fichiers temporaires : {reason(machine)}{where} ; "
                f"{fix} ; l'ancien rapport est gardé")

    if isinstance(exc, PapermillExecutionError):
        cell = f"cellule [{exc.exec_count}]" if exc.exec_count else f"cellule n° {exc.cell_index}"
        detail = f" : {one_line(exc.evalue)}" if exc.evalue else ""
        if exc.ename in FRENCH_ERRORS:  # the tool's own refusal, said in French by its message
            return f"erreur dans le notebook, {cell} : {exc.ename}{detail}"
        # Python's own error (« KeyError : 'x' »): not a message for the user — said as what it is, and where to look
        return (f"erreur dans le notebook, {cell} : erreur Python {exc.ename}{detail} — une erreur du code du notebook "
                "ou de l'outil, pas un refus de vos données ; le notebook partiel (.echec.ipynb) montre la cellule, "
                "à joindre à un signalement")
    if isinstance(exc, ReportError):
        return one_line(str(exc), 300)
    name = type(exc).__name__
    if name == "CellTimeoutError":
        return f"délai d'exécution d'une cellule dépassé ({name})"
    if name == "DeadKernelError":
        return f"le noyau Python s'est arrêté pendant l'exécution ({name})"
    if isinstance(exc, (TimeoutError, RuntimeError)) and "kernel" in str(exc).lower():
        return f"le noyau Python n'a pas démarré ({name} : {one_line(exc)})"
    return f"erreur du lanceur de rapports ({name} : {one_line(exc)})"


# --------------------------------------------------------------------------------------------
# The kept kernel
# --------------------------------------------------------------------------------------------
_PROCESS_READY = False
_KERNEL_LOG: str | None = None  # where the kernels' stdout/stderr go (None: this process's own)
_SCRATCH: str | None = None  # this process's private folder: kernels' sockets, reports' working folders
_KERNELS: list["WarmKernel"] = []
_LOCAL = threading.local()


def private_ipython_dir() -> None:
    """IPython keeps its profile in ~/.ipython (or $IPYTHONDIR). Where that cannot be made or written (a service account
    whose HOME is read-only), IPython falls back to a temporary folder with an English warning, once per process, on
    the console of `rosp report`: given that temporary folder first (inherited by the workers and kernels), it says
    nothing. The folder goes when this process ends."""
    if os.environ.get("IPYTHONDIR"):
        return
    try:
        folder = Path.home() / ".ipython"
    except RuntimeError:  # no HOME and no account entry (a container's arbitrary user): no home to write in
        folder = None
    if folder is not None and os.access(folder if folder.exists() else folder.parent, os.W_OK):
        return
    ipython_dir = tempfile.mkdtemp(prefix="rosp-ipython-")  # mode 0700
    atexit.register(shutil.rmtree, ipython_dir, ignore_errors=True)
    os.environ["IPYTHONDIR"] = ipython_dir


def setup_process(log_path: str | None = None, kernels_only: bool = False) -> None:
    """Once per worker process: quiet loggers, a private scratch folder, kernels shut down at exit.

    log_path: where this process's and its kernels' stdout/stderr go (kernels_only: only the kernels',
    for a worker thread inside `rosp report` itself)."""
    global _PROCESS_READY, _SCRATCH, _KERNEL_LOG
    if log_path and kernels_only:
        _KERNEL_LOG = log_path
    elif log_path:
        # kernels inherit the worker's stdout/stderr: their chatter goes to the run's log file,
        # not over the progress bar (errors of a report are in rapports.csv and its .echec.ipynb)
        try:
            fd = open_log(log_path)
        except LogFileError:
            fd = None  # refused (a symlink…): this process keeps its own stdout/stderr
        if fd is not None:
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.close(fd)
    if _PROCESS_READY:
        return
    # ipykernel's debugger warns about frozen modules on every kernel start (Python ≥ 3.11)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    private_ipython_dir()  # a Dask worker on a machine whose HOME is read-only
    for name in ("papermill", "traitlets", "nbclient"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    _SCRATCH = tempfile.mkdtemp(prefix="rosp-travail-")  # mode 0700
    atexit.register(_shutdown_all)
    if not kernels_only and threading.current_thread() is threading.main_thread():
        # a worker process stopped by `rosp report` (Ctrl+C, SIGTERM: `LocalPool.close`) shuts its kernels down
        # first: SIGTERM's default would leave them running, orphaned (audit)
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
    _PROCESS_READY = True


def _stop_on_sigterm(signum, frame) -> None:
    _shutdown_all()
    os._exit(128 + signum)  # not SystemExit: the pool's worker loop would catch it and wait for the next task


def _shutdown_all() -> None:
    for warm in list(_KERNELS):
        warm.kill()
    if _SCRATCH:
        shutil.rmtree(_SCRATCH, ignore_errors=True)


def _kernel_manager_class():
    """AsyncKernelManager over IPC (Unix sockets) on POSIX: no TCP port to race for when several
    kernels start at once, nothing listening on the network; each kernel has its own socket prefix
    in the process's private folder."""
    import uuid

    from jupyter_client.manager import AsyncKernelManager

    if os.name == "nt":
        return AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("ip", os.path.join(_SCRATCH, "noyau-" + uuid.uuid4().hex[:12]))
            super().__init__(**kwargs)

    return IPCKernelManager


class WarmKernel:
    """One kept kernel (per worker thread) and its client."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.client = None  # an nbclient NotebookClient holding km and kc, for its sync helpers
        self.reports = 0
        self.starts = 0

    @property
    def km(self):
        return self.client.km if self.client else None

    @property
    def kc(self):
        return self.client.kc if self.client else None

    def pid(self) -> int | None:
        try:
            return self.km.provisioner.process.pid
        except AttributeError:
            return None

    def start(self) -> None:
        self.launch()
        self.connect()

    def launch(self) -> None:
        """Start the kernel process (it boots meanwhile: `connect` waits for it)."""
        import nbformat
        from nbclient import NotebookClient

        s = self.settings
        km = _kernel_manager_class()(kernel_name=s.kernel_name)
        self.client = NotebookClient(nbformat.v4.new_notebook(), km=km, kernel_name=s.kernel_name,
                                     startup_timeout=s.start_timeout, timeout=s.start_timeout)
        _KERNELS.append(self)
        try:
            log = os.fdopen(open_log(_KERNEL_LOG), "ab") if _KERNEL_LOG else None  # noqa: SIM115
        except LogFileError:
            log = None
        if log is not None:
            with log:  # the kernel keeps its own copy of the descriptor
                self.client.start_new_kernel(cwd=_SCRATCH, stdout=log, stderr=log)
        else:
            self.client.start_new_kernel(cwd=_SCRATCH)
        self.starts += 1
        self.reports = 0

    def connect(self) -> None:
        """Wait for the kernel, then import what every report uses and record its clean state."""
        self.client.start_new_kernel_client()
        self.run(f"__import__('rosp_lib.batch.espace', fromlist=['_']).prepare({WARM_MODULES!r})")

    def run(self, code: str) -> None:
        """Run `code` silently (no execution count, no history); raise RuntimeError if it fails."""
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        reply = self.client.wait_for_reply(msg_id)
        content = (reply or {}).get("content", {})
        if content.get("status") != "ok":
            raise RuntimeError(f"kernel: {content.get('ename', '')} {content.get('evalue', 'sans réponse')}")

    def ready(self, cwd: str) -> None:
        """A kernel in its clean state, working in `cwd`: the kept one, or a new one."""
        if self.client is not None and (self.reports >= self.settings.kernel_reports or not self._alive()):
            self.discard()
        if self.client is None:
            self.start()
        try:
            self.run(f"__import__('rosp_lib.batch.espace', fromlist=['_']).reset({cwd!r})")
        except Exception:  # noqa: BLE001 - a kernel that cannot be reset is replaced once
            self.discard()
            self.start()
            self.run(f"__import__('rosp_lib.batch.espace', fromlist=['_']).reset({cwd!r})")
        self.reports += 1

    def _alive(self) -> bool:
        from jupyter_core.utils import run_sync

        try:
            return bool(run_sync(self.km.is_alive)())
        except Exception:  # noqa: BLE001
            return False

    def discard(self) -> None:
        """Shut the kernel down now (after a failure, or when it has run its share of reports)."""
        from jupyter_core.utils import run_sync

        client, self.client = self.client, None
        if client is None:
            return
        try:
            if client.kc is not None:
                client.kc.stop_channels()
            run_sync(client.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - a dead kernel: kill what is left
            self._kill(client)
        if self in _KERNELS and self.client is None:
            _KERNELS.remove(self)

    def kill(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            self._kill(client)

    @staticmethod
    def _kill(client) -> None:
        try:
            process = client.km.provisioner.process
            process.kill()
            process.wait(timeout=10)  # reaped: its CPU time is counted to this process's children
        except Exception:  # noqa: BLE001
            pass


def warm_up(settings: Settings, log_path: str | None = None, kernels_only: bool = False) -> int:
    """Start this thread's kernel now, while the client prepares the batch (a pool's initializer)."""
    setup_process(log_path, kernels_only)
    warm = _warm(settings)
    if warm.client is None:
        try:
            warm.launch()
            warm.connect()
        except Exception:  # noqa: BLE001 - the first report will try again and say why
            warm.discard()
    if not kernels_only:  # a worker process: what is loaded now stays, out of the collector's sight
        import gc

        gc.collect()
        gc.freeze()
    return warm.starts


def warm_worker(settings: Settings | None = None) -> int:
    """A worker thread of a kept cluster (`rosp grappe`): its kernel started and prepared, papermill's engine
    registered and the HTML stack loaded now, so that its first report is as fast as the next ones."""
    starts = warm_up(settings or Settings(), None, kernels_only=True)
    _register_engine()
    _preload_html()
    _HTML_PRELOAD.join()
    return starts


def stop_kernels() -> int:
    """Shut down every kernel of this process (a worker of `rosp grappe` that stops); how many there were."""
    kernels = list(_KERNELS)
    for warm in kernels:
        warm.kill()
    _KERNELS.clear()
    return len(kernels)


def release_kernel() -> None:
    """Shut this thread's kernel down (a worker thread of `rosp report` itself, at the end of a batch)."""
    warm = getattr(_LOCAL, "kernel", None)
    if warm is not None:
        warm.discard()
        _LOCAL.kernel = None


def _warm(settings: Settings) -> WarmKernel:
    warm = getattr(_LOCAL, "kernel", None)
    if warm is None or warm.settings.kernel_name != settings.kernel_name:
        if warm is not None:
            warm.discard()
        warm = _LOCAL.kernel = WarmKernel(settings)
    warm.settings = settings
    return warm


_ENGINE_REGISTERED = False


def _register_engine() -> str:
    """papermill's nbclient engine, run in the thread's kept kernel (started by `WarmKernel.ready`)."""
    global _ENGINE_REGISTERED
    if not _ENGINE_REGISTERED:
        from papermill.clientwrap import PapermillNotebookClient
        from papermill.engines import NBClientEngine, papermill_engines
        from papermill.utils import merge_kwargs, remove_args

        class WarmEngine(NBClientEngine):
            @classmethod
            def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                         stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
                warm = _LOCAL.kernel
                _LOCAL.notebook = nb_man.nb  # the partial notebook, if the execution fails
                safe_kwargs = remove_args(["timeout", "startup_timeout", "input_path"], **kwargs)
                final_kwargs = merge_kwargs(safe_kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
                                            kernel_name=kernel_name, log=logging.getLogger("papermill"),
                                            log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
                client = PapermillNotebookClient(nb_man, km=warm.km, **final_kwargs)
                client.kc = warm.kc  # kept: the client does not own the kernel and leaves it running
                return client.execute()

        papermill_engines.register(ENGINE_NAME, WarmEngine)
        _ENGINE_REGISTERED = True
    return ENGINE_NAME


_HTML_PRELOAD: threading.Thread | None = None


def _preload_html() -> None:
    """Load nbconvert, its templates and its HTML post-processing (≈ 1,5 s of CPU, once per process) in
    a background thread while the first notebook runs in its kernel: this process only waits then.
    Loaded earlier, with the kernel's start, it competed for the cores with the kernel's boot and the
    reading of the inputs (measured 2026-12-01: a single report waited for it)."""
    global _HTML_PRELOAD
    if _HTML_PRELOAD is None:
        import nbformat

        from rosp_lib.report.html import to_html

        _HTML_PRELOAD = threading.Thread(target=to_html, args=(nbformat.v4.new_notebook(),), daemon=True,
                                         name="rosp-html")
        _HTML_PRELOAD.start()


def _html(nb) -> bytes:
    """The document a reader opens (rosp_lib.report.html): no code, French title, light stylesheet."""
    from rosp_lib.report.html import to_html

    if _HTML_PRELOAD is not None:
        _HTML_PRELOAD.join()
    return to_html(nb).encode("utf-8")


def _notebook_bytes(nb, task: Task) -> bytes:
    import nbformat

    meta = nb.metadata.setdefault("papermill", {})
    meta["input_path"] = task.notebook_path
    meta["output_path"] = task.output_path
    for cell in nb.cells:  # papermill gives its cell a random id: the same report, the same notebook
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
    return (nbformat.writes(nb) + "\n").encode("utf-8")


def _kernel_cpu(pid: int | None) -> float:
    if pid:
        try:
            import psutil

            t = psutil.Process(pid).cpu_times()
            return t.user + t.system
        except Exception:  # noqa: BLE001
            pass
    return 0.0


class _CpuMeter:
    """CPU of this process and of its kernel for one report (a kernel started meanwhile counts whole)."""

    def __init__(self, warm: WarmKernel):
        self.warm = warm
        self.pid = warm.pid()
        self.process0 = time.process_time()
        self.kernel0 = _kernel_cpu(self.pid)

    def spent(self) -> float:
        pid = self.warm.pid()
        kernel = _kernel_cpu(pid) - (self.kernel0 if pid == self.pid else 0.0)
        return max(time.process_time() - self.process0 + kernel, 0.0)


_SOURCES: dict[bytes, object] = {}  # notebook content → the notebook as papermill loads it


def _source(notebook: bytes):
    """The notebook as papermill's `load_notebook_node` reads it (upgraded, papermill metadata, tags),
    parsed and validated once per content in this process; a copy for each report."""
    import copy

    from papermill.iorw import load_notebook_node

    key = hashlib.blake2b(notebook, digest_size=20).digest()
    if key not in _SOURCES:
        path = Path(_SCRATCH, f"notebook-{key.hex()}.ipynb")
        path.write_bytes(notebook)
        try:
            loaded = load_notebook_node(str(path))
        finally:
            path.unlink()
        if len(_SOURCES) >= 16:
            _SOURCES.clear()
        _SOURCES[key] = loaded
    return copy.deepcopy(_SOURCES[key])


def _execute(nb, task: Task):
    """papermill.execute_notebook's own steps — parameterize, metadata, error markers, the engine, the
    errors raised — without its input and output round trips: given a notebook object and no output
    path, it would serialize the notebook, parse it again, and serialize the executed notebook
    (images included) to throw it away, each time validated by nbformat: ≈ 0,1 s per report
    (measured 2026-12-01). The executed notebook is serialized once, by _notebook_bytes."""
    from papermill.engines import papermill_engines
    from papermill.execute import prepare_notebook_metadata, raise_for_execution_errors, remove_error_markers
    from papermill.parameterize import parameterize_notebook

    s = task.settings
    engine = _register_engine()
    nb = parameterize_notebook(nb, dict(task.parameters), False, kernel_name=s.kernel_name, engine_name=engine)
    nb = prepare_notebook_metadata(nb, task.notebook_path, task.output_path, False)
    nb = remove_error_markers(nb)
    kernel_name = papermill_engines.nb_kernel_name(engine_name=engine, nb=nb, name=s.kernel_name)
    nb = papermill_engines.execute_notebook_with_engine(
        engine, nb, input_path=task.notebook_path, output_path=None, kernel_name=kernel_name, progress_bar=False,
        log_output=False, start_timeout=s.start_timeout, stdout_file=None, stderr_file=None,
        execution_timeout=s.execution_timeout)
    raise_for_execution_errors(nb, None)
    return nb


def execute_task(task: Task) -> Outcome:
    """Execute one report (notebook + HTML) in this thread's kept kernel; never raises for a failing report."""
    setup_process()
    start = time.perf_counter()
    who = f"{socket.gethostname()}:{os.getpid()}"
    warm = _warm(task.settings)
    meter = _CpuMeter(warm)
    workdir = tempfile.mkdtemp(prefix="rapport-", dir=_SCRATCH)
    _LOCAL.notebook = None
    nb_bytes = html = None
    try:
        if task.settings.install and task.settings.install != install_fingerprint():
            raise ReportError(
                f"le poste de travail {socket.gethostname()} n'a pas la même installation que le poste qui lance "
                "les rapports (rosp_lib, parameters/ ou versions de papermill, pandas…) : installez la même "
                "version partout (une « rosp grappe » démarrée avant une mise à jour : arrêtez-la et relancez-la)")
        for name, data in task.files:
            Path(workdir, name).write_bytes(data)
        source = _source(task.notebook)
        _preload_html()
        try:
            warm.ready(workdir)
        except Exception as exc:  # noqa: BLE001
            warm.discard()
            raise RuntimeError(f"kernel: {exc}") from exc
        nb = _execute(source, task)
        nb_bytes = _notebook_bytes(nb, task)
        html = _html(nb)
        cpu = meter.spent()
        return Outcome("ok", time.perf_counter() - start, "", nb_bytes, html, cpu, who, warm.starts)
    except Exception as exc:  # noqa: BLE001 - one report's failure must never stop the others
        message = describe_error(exc)
        cpu = meter.spent()
        warm.discard()  # a kernel that failed a report is not trusted with the next one
        partial = getattr(_LOCAL, "notebook", None)
        if partial is not None:
            try:
                nb_bytes = _notebook_bytes(partial, task)
            except Exception:  # noqa: BLE001
                nb_bytes = None
        return Outcome("echec", time.perf_counter() - start, message, nb_bytes, None, max(cpu, 0.0), who,
                       warm.starts, environment=environment_error(exc) is not None)
    finally:
        _LOCAL.notebook = None
        shutil.rmtree(workdir, ignore_errors=True)
