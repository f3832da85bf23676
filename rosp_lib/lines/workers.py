"""`rosp compute --format csv` on every core: the parts of the input rows computed and formatted by
worker processes, written in order by the command.

A part (a few thousand input rows) is computed (`engine.compute_part`) and written as the CSV of its
`lignes.csv` lines (`spreadsheet.write_part_csv`, the function the one-process path uses too: the same
bytes) by a worker process, into a file of a private temporary folder beside the outputs; the command
appends each part's file to `lignes.csv` in part order (copied by the kernel, then removed) while the
workers compute the next parts. Only a part's bounds go to a worker, and its counts and totals come back.

The workers are forked (`fork` start method) once the tables are read and validated and the
parameters built: they inherit them with the imported modules, nothing is pickled. They are forked
before any thread of the command is started (the background `fdatasync` of `atomic.write_together`
starts once bytes are written, inside the `with`): in CPython a fork-context `ProcessPoolExecutor`
starts all its processes at the first `submit`, before its own manager thread. At most `workers + 1`
parts are in flight, so that memory and temporary files are bounded whatever the size of the file.

An exception raised in a worker is raised again in the command as it was: same class, same message,
same attributes (the French errors `InputError` and `ParameterError` cannot go through pickle as they
are: their `__init__` does not take their message).
"""

from __future__ import annotations

import ctypes
import gc
import io
import multiprocessing
import os
import pickle
import shutil
import signal
import sys
import tempfile
import traceback
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable

import pandas as pd

# Input rows per part when the parts go to worker processes: two parts per worker, so that the cores
# stay busy to the end, between these bounds. Each part costs ≈ 0,3 s of CPU fixed (the rules run once
# per exercise and part), and each worker holds a part's lines while it formats them (≈ 20 Mo per
# 1 000 input rows). Measured on 20 000 pharmacies, 2 workers: parts of 5 000 rows, the processes
# together ≈ 410–440 Mo at most (sum of PSS). A file of at most WORKER_PART_ROWS[0] rows stays in the command's
# process (measured on 3 000 rows: two workers cost ≈ 0,7 s more CPU for at best ≈ 0,5 s of wall time).
WORKER_PART_ROWS = (5_000, 10_000)

COPY_BYTES = 8 << 20  # a part file is copied into lignes.csv this many bytes at a time

# Set in the command's process just before the workers are forked; the workers read it (inherited).
_JOB: tuple | None = None


def worker_count(n_rows: int, jobs: int | None = None) -> int:
    """Worker processes for a table of n_rows: `jobs` (default: the number of cores), at most one per
    part; 1 means no worker (the parts are computed in the command's process)."""
    jobs = jobs or cores()
    if jobs <= 1 or not can_fork():
        return 1
    rows = worker_part_rows(n_rows, jobs)
    return max(1, min(jobs, -(-n_rows // rows)))


def can_fork() -> bool:
    """Workers are forked: not on Windows (no fork), nor on macOS (fork is unsafe with its system
    libraries, Python's default there is spawn, which would pickle the tables to every worker)."""
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"


def cores() -> int:
    """The cores this process may run on (those of its CPU affinity, e.g. under `taskset` or a container's
    cpuset, else all of the machine's)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def worker_part_rows(n_rows: int, workers: int) -> int:
    """Rows per part for `workers` workers: two parts per worker, within WORKER_PART_ROWS, equal parts."""
    low, high = WORKER_PART_ROWS
    size = min(high, max(low, -(-n_rows // (2 * workers))))
    parts = max(1, -(-n_rows // size))
    return max(1, -(-n_rows // parts))


def _rebuilt(cls, args, attributes):
    exc = cls.__new__(cls, *args)
    exc.args = args
    exc.__dict__.update(attributes)
    return exc


class _ExceptionPickler(pickle.Pickler):
    """Pickles an exception (and those in its attributes) as its class, args and attributes, rebuilt
    without calling `__init__`: the same message and attributes, whatever `__init__` takes."""

    def reducer_override(self, obj):
        if isinstance(obj, BaseException):
            return _rebuilt, (type(obj), obj.args, dict(getattr(obj, "__dict__", {})))
        return NotImplemented


class _Raised(Exception):
    """An exception of a worker, pickled (see `of`) to be raised again in the command, with the worker's traceback."""

    @classmethod
    def of(cls, exc: BaseException) -> "_Raised":
        """Pickled as pickle does it when that gives it back (OSError and its file name…), else by
        `_ExceptionPickler`; else (an attribute that cannot be pickled) its class name and message."""
        text = "".join(traceback.format_exception(exc))
        for pickler in (pickle.Pickler, _ExceptionPickler):
            try:
                buf = io.BytesIO()
                pickler(buf).dump(exc)
                back = pickle.loads(buf.getvalue())
                if type(back) is type(exc) and back.args == exc.args and str(back) == str(exc):
                    return cls(buf.getvalue(), text)
            except Exception:
                continue
        return cls(pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}")), text)

    def rebuilt(self) -> BaseException:
        payload, text = self.args
        exc = pickle.loads(payload)
        exc.__cause__ = _WorkerTraceback(text)
        return exc


class _WorkerTraceback(Exception):
    def __str__(self) -> str:
        return "\n(dans un processus de calcul)\n" + self.args[0]


def _part(start: int, stop: int, header: bool, path: str):
    """In a worker: the lines of rows start:stop written as CSV to the new file `path`; their LineCounts."""
    from ..engine import compute_part
    from .spreadsheet import write_part_csv

    try:
        pharmacies, molecules, owner, parameters = _JOB
        part, lines = compute_part(pharmacies, molecules, owner, parameters, start, stop)
        with open(path, "xb") as fh:
            return write_part_csv(part, lines, fh, header)
    except Exception as exc:
        raise _Raised.of(exc) from None


@contextmanager
def parts_in_workers(pharmacies: pd.DataFrame, molecules: pd.DataFrame | None, parameters, workers: int,
                     folder: Path):
    """The parts of the table computed and formatted by `workers` forked processes, for
    `spreadsheet.csv_writers_by_part`: yields an iterator of functions, one per part in order, that
    write the part's bytes and return its LineCounts. The processes are forked on entering, and
    stopped on leaving (the parts not yet computed are cancelled).

    A worker writes its part's bytes to a file of a private temporary folder in `folder` (the output
    folder: the same disk), which the command copies into `lignes.csv` and removes: neither the
    worker nor the command holds a part's bytes in memory (measured on 20 000 pharmacies: sent
    through a pipe instead, the processes together peaked at ≈ 800 Mo).
    The temporary folder is removed on leaving, whatever happens."""
    global _JOB
    from ..engine import molecule_owners, part_bounds
    from ..inputs import empty_molecules
    from .atomic import OutputError, ignore_file_size_signal, reason

    if molecules is None:
        molecules = empty_molecules()
    bounds = part_bounds(len(pharmacies), worker_part_rows(len(pharmacies), workers))
    try:
        tmp = Path(tempfile.mkdtemp(prefix=".lignes.csv.", suffix=".parts", dir=folder))
    except OSError as exc:
        raise OutputError(f"impossible d'écrire lignes.csv dans {folder} : {reason(exc)} ; aucun fichier de sortie "
                          "n'a été remplacé (les anciens sont intacts)") from None
    ignore_file_size_signal()  # inherited by the workers
    pool = None
    failed = True
    try:
        _JOB = (pharmacies, molecules, molecule_owners(pharmacies, molecules), parameters)
        # The objects alive now are left alone by the collector in the workers too (gc.freeze): otherwise
        # each worker's collections would write to the pages it shares with the command, and copy them.
        gc.collect()
        _trim()
        gc.freeze()
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_end_with_the_command)
        in_flight: deque = deque()
        todo = iter(enumerate(bounds))

        def submit_next() -> None:
            for i, (start, stop) in todo:
                path = tmp / f"{i:06d}.csv"
                in_flight.append((pool.submit(_part, start, stop, i == 0, str(path)), path))
                return

        for _ in range(workers + 1):  # the first submit forks every worker, before any thread
            submit_next()
        _JOB = None  # the workers have it
        gc.unfreeze()

        def results():
            while in_flight:
                future, path = in_flight.popleft()
                try:
                    counts = future.result()
                except _Raised as raised:
                    raise raised.rebuilt() from None
                submit_next()
                yield lambda fh, path=path, counts=counts: _copy(path, fh, counts)

        yield results()
        failed = False
    finally:
        _JOB = None
        gc.unfreeze()
        if pool is not None:
            if failed:  # an error, SIGTERM, Ctrl-C: the parts being computed are not waited for
                _stop(pool)
            pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(tmp, ignore_errors=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    stop = getattr(pool, "terminate_workers", None)  # Python 3.14
    if stop is not None:
        stop()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):  # the same, before 3.14
        process.terminate()


def _end_with_the_command() -> None:
    """In a worker: SIGTERM kills it (not the command's handler, inherited), and so does the death of the
    command (Linux `prctl(PR_SET_PDEATHSIG)`), instead of waiting for parts forever."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _trim() -> None:
    """Give the memory freed by reading and validating back to the system before the fork (glibc's
    `malloc_trim`), so that the workers do not inherit it (measured: ≈ 30 Mo less per process)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _copy(path: Path, fh: BinaryIO, counts):
    """Write the part file `path` to `fh`, then remove it; the part's LineCounts."""
    with open(path, "rb") as src:
        if hasattr(fh, "copy_from"):  # atomic.write_together's file: copied by the kernel
            fh.copy_from(src)
        else:
            shutil.copyfileobj(src, fh, COPY_BYTES)
    os.unlink(path)
    return counts


# Set in the command's process just before `forked_map` forks its workers; the workers read it (inherited).
_MAP: Callable[[int], object] | None = None


def _call_mapped(i: int):
    try:
        return _MAP(i)
    except Exception as exc:
        raise _Raised.of(exc) from None


def forked_map(function, count: int, workers: int):
    """`function(0)`, `function(1)` … `function(count - 1)` computed by `workers` forked processes, yielded in order.
    `function` (any callable: a closure too) and what it reads are inherited by the workers, not pickled; its results
    come back pickled (small tables: the gains of a part of pharmacies). At most `workers + 1` calls are in flight.
    An exception of a worker is raised again here as it was (see `_Raised`); the workers are stopped on leaving early
    (an error, Ctrl+C, SIGTERM) and their calls not yet made are cancelled."""
    global _MAP
    pool = None
    failed = True
    try:
        _MAP = function
        gc.collect()
        gc.freeze()  # see parts_in_workers: the workers do not copy the pages they share with the command
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_end_with_the_command)
        todo = iter(range(count))
        in_flight: deque = deque()

        def submit_next() -> None:
            for i in todo:
                in_flight.append(pool.submit(_call_mapped, i))
                return

        for _ in range(workers + 1):  # the first submit forks every worker, before any thread
            submit_next()
        _MAP = None  # the workers have it
        gc.unfreeze()
        while in_flight:
            try:
                result = in_flight.popleft().result()
            except _Raised as raised:
                raise raised.rebuilt() from None
            submit_next()
            yield result
        failed = False
    finally:
        _MAP = None
        gc.unfreeze()
        if pool is not None:
            if failed:
                _stop(pool)
            pool.shutdown(wait=True, cancel_futures=True)
