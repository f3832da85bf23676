"""`rosp grappe`: a kept local Dask cluster whose workers hold warm Jupyter kernels.

A single report made by `rosp report` alone pays a new kernel and its imports (≈ 2,5 s on two cores);
in a kernel already warm it costs ≈ 0,5 to 1,2 s (benchmarks/README.md). `rosp grappe` starts a Dask
scheduler and one-thread workers on this machine, warms each worker's kernel at once (the worker plugin
of rosp_lib.batch.distributed, which warms a worker restarted by its nanny too), prints the address to
give to `rosp report --dask`, and runs until Ctrl+C or SIGTERM, then shuts kernels and workers down.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import sys
import threading
import time
import warnings

import click

from rosp_lib.cli.french import FrenchCommand
from rosp_lib.lines.formatting import seconds

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
EXIT_INVALID = 2
DEFAULT_PORT = 8786
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
WARM_TIMEOUT_S = 300  # kernels started and prepared on a busy machine; beyond, the grappe is ready without them
READY = "Grappe prête"  # the first words of the line printed once every kernel is warm
STOPPED = "Grappe arrêtée"


# A kept cluster mostly waits. With Dask's defaults its processes wake up every 10 to 20 ms (event loop health
# ticks, statistical profiling of the task thread, system and memory monitors): ≈ 0,17 s of CPU per second for
# a scheduler and two idle workers on the reference machine (measured 2026-12-01), taken from the reports on
# two cores. Slower ticks and monitors, and no profiling (its samples feed only the dashboard, off here):
QUIET = {
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.tick.cycle": "5s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.worker.profile.enabled": False,
    "distributed.worker.memory.monitor-interval": "1s",
}


def _fail(message: str) -> None:
    click.echo(f"Erreur : {message}", err=True)
    sys.exit(EXIT_INVALID)


def _port_taken(host: str, port: int) -> bool:
    """True if something already listens on host:port (what the scheduler would bind, with SO_REUSEADDR as it
    does: a port left in TIME_WAIT by a grappe just stopped is free)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return False  # an unknown host: the scheduler says so
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(address)
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def _host_problem(host: str) -> str | None:
    try:
        socket.getaddrinfo(host, None)
    except socket.gaierror:
        return f"--hote : « {host} » n'est pas une adresse ni un nom de ce poste (exemple : 127.0.0.1, 0.0.0.0)."
    return None


@click.command("grappe", cls=FrenchCommand, context_settings=CONTEXT)
@click.option("-n", "--processus", type=int, metavar="N",
              help="Nombre de processus de travail, d'un fil et d'un noyau Jupyter chacun (défaut : nombre de cœurs).")
@click.option("--port", type=int, default=DEFAULT_PORT, show_default=True, metavar="PORT",
              help="Port du planificateur.")
@click.option("--hote", default="127.0.0.1", show_default=True, metavar="ADRESSE",
              help="Adresse d'écoute ; autre que 127.0.0.1 (0.0.0.0, l'adresse du poste…), la grappe est "
                   "joignable depuis le réseau, sans chiffrement ni authentification.")
def grappe_cmd(processus: int | None, port: int, hote: str) -> None:
    """Garde une grappe de noyaux Jupyter chauds sur ce poste, pour des rapports en quelques secondes.

    Un rapport seul lancé par « rosp report » démarre d'ordinaire un noyau Jupyter et y charge
    pandas, matplotlib et rosp_lib, ce qui coûte plusieurs secondes à chaque commande. « rosp
    grappe » démarre une fois pour toutes un planificateur Dask et des processus de travail (un
    fil chacun) dont les noyaux sont chauffés dès le départ et gardés d'un rapport à l'autre,
    puis affiche l'adresse à donner à « rosp report --dask ». Elle tourne jusqu'à Ctrl+C (ou
    SIGTERM), puis arrête proprement noyaux et processus.

    \b
    À quoi elle sert :
      - un rapport seul en quelques secondes, autant de fois qu'il le faut ;
      - des essais à la suite (simulations avec --parametres, une autre date, une autre pharmacie)
        depuis un terminal ou JupyterLab, sans attendre un noyau neuf à chaque fois ;
      - plusieurs lots l'un après l'autre, sans redémarrer de processus ni de noyaux.

    \b
    Les rapports sont les mêmes qu'en local, écrits par « rosp report » dans son dossier de
    sortie ; la grappe n'écrit que dans des dossiers temporaires. Chaque processus de travail et
    son noyau occupent environ 300 à 400 Mo de mémoire.

    Codes de sortie : 0 arrêtée par Ctrl+C ou SIGTERM après avoir tourné ; 2 option invalide (port pris, hôte
    inconnu, nombre de processus) ou dask[distributed] absent.

    \b
    Exemples :
      rosp grappe
      rosp report data/pharmacies.csv --molecules data/molecules.csv --pharmacie PH-TILLEULS \\
          --exercice 2024 --themes numerique --dask tcp://127.0.0.1:8786
      rosp grappe --processus 4 --port 8787
    """
    if processus is not None and processus < 1:
        _fail(f"--processus : au moins 1 processus de travail (reçu : {processus}).")
    if not 0 < port < 65536:
        _fail(f"--port : un port entre 1 et 65535 (reçu : {port}).")
    problem = _host_problem(hote)
    if problem:
        _fail(problem)
    if _port_taken(hote, port):
        _fail(f"le port {port} est déjà pris sur {hote} (une autre « rosp grappe » ou un planificateur Dask y "
              f"tourne-t-il déjà ? Son adresse est alors tcp://{hote}:{port}) ; choisissez-en un autre : "
              f"--port {port + 1}.")
    try:
        import distributed  # noqa: F401
    except ImportError:
        _fail("rosp grappe demande le paquet dask[distributed] : pip install 'rosp-lib[distribue]'")
    if hote not in LOCAL_HOSTS:
        click.echo(f"Avertissement : la grappe écoute sur {hote} : tout poste qui joint ce port peut lui faire "
                   "exécuter du code, et Dask ne chiffre ni n'authentifie les échanges. Réservez-la à un réseau "
                   "privé de confiance.", err=True)
    n = processus or os.cpu_count() or 1
    stop = threading.Event()
    received: list[int] = []

    def on_signal(signum, _frame):
        received.append(signum)
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        _serve(n, hote, port, stop)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _serve(n: int, host: str, port: int, stop: threading.Event) -> None:
    import logging

    import dask
    from distributed import Client, LocalCluster

    from rosp_lib.batch.distributed import warm_kernels_plugin
    from rosp_lib.batch.worker import stop_kernels, warm_worker

    environ = dict(os.environ)  # the command server's: the user's, before the nannies add theirs (OMP_NUM_THREADS…)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # inherited by the workers' kernels
    dask.config.set(QUIET)  # given by the nannies to the worker processes they start
    started = time.perf_counter()
    click.echo(f"Démarrage de la grappe : planificateur sur {host}:{port}, {n} processus de travail…", err=True)
    cluster = client = commands = None
    try:
        # Ctrl+C reaches the whole process group, SIGTERM may too (a service manager): the worker processes
        # and their kernels inherit these signals ignored, this process alone stops them, in order
        handlers = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            with warnings.catch_warnings():
                # No dashboard, yet the scheduler's HTTP server (health, metrics) takes 8787 or, when it is in use,
                # another port after an English « Port 8787 is already in use… » (distributed/node.py): said nowhere
                warnings.filterwarnings("ignore", message=r"Port \d+ is already in use", category=UserWarning)
                cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host=host,
                                       scheduler_port=port, dashboard_address=None, silence_logs=logging.CRITICAL)
        except (OSError, RuntimeError, TimeoutError) as exc:
            _fail(f"la grappe n'a pas pu démarrer sur {host}:{port} ({exc}) ; essayez un autre port (--port).")
        finally:
            for s, handler in handlers.items():
                signal.signal(s, handler)
        commands = _start_command_server(int(cluster.scheduler_address.rsplit(":", 1)[1]), environ)  # imports meanwhile
        client = Client(cluster)
        client.register_plugin(warm_kernels_plugin())  # every worker, and those started again later
        workers = list(client.scheduler_info(n_workers=-1)["workers"])
        # one task per worker, behind the plugin's warm-up in its single thread: done when its kernel is warm
        futures = [client.submit(warm_worker, key=f"chauffe-{i}", workers=[w], allow_other_workers=False, pure=False)
                   for i, w in enumerate(workers)]
        deadline = time.monotonic() + WARM_TIMEOUT_S
        while not all(f.done() for f in futures) and time.monotonic() < deadline:
            if stop.wait(0.2):
                raise _Stopped
        failed = [f for f in futures if f.status != "finished"]  # an error, or a worker lost meanwhile
        client.cancel([f for f in failed if not f.done()])
        if failed:
            click.echo(f"Avertissement : {len(failed)} noyau(x) n'ont pas pu être chauffés ; le premier rapport de "
                       "leur processus de travail démarrera le sien.", err=True)
        address = cluster.scheduler_address
        commands = _command_server_ready(commands)
        click.echo(f"{READY} en {seconds(time.perf_counter() - started)} : {len(workers)} processus de travail, noyaux "
                   f"chauds, à l'adresse {address}")
        click.echo("Pour un rapport (ou un lot) exécuté par ses noyaux chauds, ajoutez --dask à rosp report :")
        click.echo(f"  rosp report ENTREE --molecules MOLECULES --pharmacie ID --exercice AAAA --themes numerique "
                   f"--dask {address}")
        click.echo("Ctrl+C pour arrêter la grappe.", nl=True)
        sys.stdout.flush()
        while not stop.wait(1):
            pass
        raise _Stopped
    except _Stopped:
        click.echo("Arrêt de la grappe : noyaux et processus de travail…", err=True)
    finally:
        if commands is not None:
            commands.terminate()
            try:
                commands.wait(timeout=10)
            except Exception:  # noqa: BLE001 - stopping: it dies with its parent's check
                commands.kill()
        if client is not None:
            try:  # each worker process shuts its kernels down before the workers close
                client.run(stop_kernels, wait=True)
            except Exception:  # noqa: BLE001 - a worker already gone: its kernels saw their parent leave
                pass
        for closing in (client, cluster):
            if closing is not None:
                try:
                    closing.close()
                except Exception:  # noqa: BLE001 - stopping: what is left dies with this process
                    pass
    click.echo(f"{STOPPED} : noyaux Jupyter et processus de travail fermés.", err=True)


def _start_command_server(port: int, environ: dict):
    """The command server (rosp_lib.batch.forkserver): `rosp report … --dask` on this machine runs in a process
    that has already imported pandas, pandera, distributed and rosp_lib (≈ 2 s of CPU less per command). None,
    with a warning, if it could not start (`_command_server_ready`): the commands then run as before, in their own
    process."""
    import subprocess

    if not hasattr(socket, "send_fds") or os.name != "posix":
        return None
    # -P: the grappe's folder is not put on sys.path (a tqdm.py there would be imported by every command)
    return subprocess.Popen([sys.executable, "-P", "-m", "rosp_lib.batch.forkserver", str(port)], env=environ,
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, text=True, encoding="utf-8")


def _command_server_ready(proc):
    from rosp_lib.batch.forkserver import READY as SERVER_READY

    if proc is None:
        return None
    line = proc.stdout.readline()  # its first line once it listens; nothing if it stopped
    if line.strip() != SERVER_READY:
        proc.kill()
        proc.wait()
        click.echo("Avertissement : le serveur de commandes de la grappe n'a pas démarré ; chaque « rosp report "
                   "--dask » importera lui-même ses bibliothèques (quelques secondes de plus).", err=True)
        return None
    proc.stdout.close()
    return proc


class _Stopped(Exception):
    """Ctrl+C or SIGTERM."""
