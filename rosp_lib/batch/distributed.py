"""Running a batch on a Dask cluster (`rosp report … --dask ADRESSE`, or `--dask local`).

Each report is one Dask task: `rosp_lib.batch.worker.execute_task`, given the notebook's bytes and
the report folder's input files, returning the executed notebook and its HTML as bytes. The client
(`rosp report`) writes them, exactly as with local worker processes: no filesystem is shared with
the workers, which need only the same install (checked: a worker whose rosp_lib, parameter files or
report stack differ refuses the report with a French message). Each worker thread keeps its own
Jupyter kernel, as a local worker process does: run the workers with one thread each
(`--nthreads 1`) and as many workers as cores.

A worker lost mid-run (its machine stops, its process is killed) costs only a retry: the scheduler
gives its reports to the other workers. A report that has killed several workers in turn
(`distributed.scheduler.allowed-failures`, 3 by default) is failed, the others go on.
"""

from __future__ import annotations

import logging
import os
import time
import uuid

from rosp_lib.batch.worker import Outcome, ReportError, Task, execute_task, stop_kernels, warm_worker


def warm_kernels_plugin():
    """A Dask worker plugin (`rosp grappe`): each worker warms its kernel as soon as it joins — one its nanny
    starts again after a loss too — in its one task thread, where its reports run; its kernels are shut down
    when it closes."""
    from distributed import WorkerPlugin

    class WarmKernels(WorkerPlugin):
        name = "rosp-noyaux-chauds"

        def setup(self, worker):
            import signal
            import threading

            if threading.current_thread() is threading.main_thread():  # a worker started again by its nanny
                for s in (signal.SIGINT, signal.SIGTERM):  # Ctrl+C, SIGTERM to the group: `rosp grappe` stops it
                    signal.signal(s, signal.SIG_IGN)
            worker.executors["default"].submit(warm_worker)

        def teardown(self, worker):
            stop_kernels()

    return WarmKernels()


CONNECT_SECONDS = 30  # how long a scheduler address is tried before the batch gives up


class DaskPool:
    """The executor of rosp_lib.batch.reports over a Dask cluster."""

    retries_alone = False  # the scheduler already retries the reports of a lost worker

    def __init__(self, address: str, workers: int | None = None):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ReportError("--dask demande le paquet dask[distributed] : pip install 'rosp-lib[distribue]'") from None
        self.cluster = None
        try:
            if address == "local":
                self.cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                            processes=True, host="127.0.0.1", dashboard_address=":0",
                                            silence_logs=logging.ERROR)
                self.client = Client(self.cluster)
            else:
                self.client = Client(address, timeout=f"{CONNECT_SECONDS}s")
        except (OSError, TimeoutError, ValueError) as exc:
            if self.cluster is not None:
                self.cluster.close()
            # distributed's own text is English: said here in French (a ValueError: not an address at all)
            why = ("ce n'est pas une adresse de planificateur" if isinstance(exc, ValueError) else
                   f"pas de réponse en {CONNECT_SECONDS} s : planificateur arrêté, adresse ou port faux, ou réseau "
                   "fermé")
            raise ReportError(f"impossible de joindre le planificateur Dask « {address} » ({why}) ; attendu : "
                              "l'adresse affichée par « dask scheduler » ou « rosp grappe », par exemple "
                              "tcp://10.0.0.5:8786, ou « local »") from None
        self._threads = (0, 0.0)
        self._run = uuid.uuid4().hex[:8]

    def capacity(self) -> int:
        count, when = self._threads
        if time.monotonic() - when > 2:
            count = sum(self.client.nthreads().values())
            self._threads = (count, time.monotonic())
        return max(2, 2 * count)

    def submit(self, task: Task):
        key = f"rapport-{task.exercice}-{task.pharmacie_id}-{task.theme}-{self._run}"
        return self.client.submit(execute_task, task, key=key, pure=False)

    def wait(self, futures) -> set:
        from distributed import wait

        done, _ = wait(list(futures), return_when="FIRST_COMPLETED")
        return set(done)

    def outcome(self, future) -> Outcome:
        from distributed import KilledWorker

        try:
            return future.result()
        except KilledWorker:
            return Outcome("echec", 0.0, "les processus de travail Dask qui ont exécuté ce rapport se sont arrêtés "
                                         "pendant son exécution, plusieurs fois (mémoire épuisée ? signal ?)")
        finally:
            future.release()

    def restart(self) -> None:  # never called: retries_alone is False
        pass

    def close(self, cancel: bool = False) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()
