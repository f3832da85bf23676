"""The command server of `rosp grappe`: `rosp report … --dask` commands run here, already imported.

Started by `rosp grappe` (`python -m rosp_lib.batch.forkserver PORT`), it imports once what a report command
uses (pandas, pandera, distributed, rosp_lib…), then listens on a Unix socket of this user's private folder
(rosp_lib.launcher.socket_path). For each command the `rosp` front door (rosp_lib.launcher) hands over, it
forks a helper, which forks the command itself — in a new session, in the caller's folder, with the caller's
environment, arguments and standard descriptors — reports its process id, waits for it and sends back its
exit code. The server itself never runs a command and stays single-threaded, so that every fork is sound.

It refuses (and the front door runs the command itself) a caller of another user, or an install that is not
the one it started with (`launcher.fingerprint`). It stops on SIGTERM, or when `rosp grappe` has gone, and
removes its socket.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import sys
import threading

from rosp_lib import launcher

READY = "serveur de commandes prêt"


def _warm() -> None:
    """What `rosp report … --dask` imports and reads, done once here rather than in every command."""
    import rosp_lib.cli  # noqa: F401, I001 - the command group; `rosp report` comes from rosp_lib.batch.reports, below

    import distributed  # noqa: F401
    import tqdm  # noqa: F401

    import rosp_lib.batch.distributed  # noqa: F401
    import rosp_lib.batch.reports  # noqa: F401
    import rosp_lib.counterfactual.versements  # noqa: F401
    import rosp_lib.report.index  # noqa: F401
    from rosp_lib.parameters import available_exercises, load_parameters

    for year in available_exercises():
        load_parameters(year)


def serve(port: int) -> int:
    stopping: list[int] = []
    signal.signal(signal.SIGTERM, lambda s, _f: stopping.append(s))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in the grappe's terminal: the grappe stops this
    path = launcher.socket_path(port)
    if not launcher.private_folder(path.parent, create=True):
        print(f"Erreur : le dossier {path.parent} n'est pas un dossier privé de cet utilisateur.", file=sys.stderr)
        return 2
    started_with = launcher.fingerprint()
    mine = launcher.identity()
    _warm()
    if stopping:
        return 0
    if threading.active_count() != 1:  # a fork must not copy a process with other threads
        print("Erreur : le serveur de commandes a des fils d'exécution ; il ne démarre pas.", file=sys.stderr)
        return 2
    if _answers(path):
        print(f"Erreur : un autre serveur de commandes répond déjà sur {path}.", file=sys.stderr)
        return 2
    try:
        os.unlink(path)  # a socket left by a grappe that was killed
    except FileNotFoundError:
        pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    previous = os.umask(0o177)
    try:
        server.bind(str(path))
    finally:
        os.umask(previous)
    inode = os.stat(path).st_ino
    server.listen(16)
    parent = os.getppid()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the helpers are reaped by the system
    print(READY, flush=True)
    try:
        while not stopping and os.getppid() == parent:
            ready, _, _ = select.select([server], [], [], 1.0)
            if not ready:
                continue
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            if launcher.peer_uid(conn) != os.getuid():
                conn.close()
                continue
            if os.fork() == 0:
                server.close()
                _helper(conn, started_with, mine)  # never returns
            conn.close()
    finally:
        server.close()
        try:
            if os.stat(path).st_ino == inode:  # ours, not one another server has bound since
                os.unlink(path)
        except OSError:
            pass
    return 0


def _answers(path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def _helper(conn: socket.socket, started_with: str, mine: dict) -> None:
    """One command: receive it, fork it, give its pid, wait for it, give its exit code. The command never outlives
    its helper: stopped when the caller goes, when the helper is stopped (the grappe stops), or on any error."""
    code = 0
    pid = None

    def stop_command(_signum=None, _frame=None):
        if pid:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except OSError:
                pass
        os._exit(1)

    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, stop_command)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # the grappe's terminal closing: the grappe stops it
        request, fds = launcher.receive_request(conn)
        if request is None:  # the caller has gone before asking
            return
        if request.get("fingerprint") != started_with:
            launcher.send_message(conn, {"refus": "installation différente"})
            return
        if not _same_process(request.get("identity") or {}, mine):
            launcher.send_message(conn, {"refus": "processus différent"})
            return
        pid = os.fork()
        if pid == 0:
            _command(request, fds, conn)  # never returns
        for fd in fds:
            os.close(fd)
        launcher.send_message(conn, {"pid": pid})
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                pid = None
                break
            readable, _, _ = select.select([conn], [], [], 0.2)
            if readable and not conn.recv(1, socket.MSG_PEEK):  # the caller has gone: its command stops too
                stop_command()
        if os.WIFSIGNALED(status):
            launcher.send_message(conn, {"code": 128 + os.WTERMSIG(status), "signal": os.WTERMSIG(status)})
        else:
            launcher.send_message(conn, {"code": os.waitstatus_to_exitcode(status)})
    except Exception:  # noqa: BLE001 - the caller sees a closed socket and says so in French
        code = 1
        stop_command()
    finally:
        os._exit(code)


def _same_process(caller: dict, mine: dict) -> bool:
    """The caller's umask, groups and variables read at import are this server's, and its resource limits can be
    given to the command (a limit may be lowered, not raised above this process's hard limit). The limits
    themselves differ often: distributed, imported by the grappe, raises the soft limit of open files."""
    import resource

    if {k: v for k, v in caller.items() if k != "limits"} != {k: v for k, v in mine.items() if k != "limits"}:
        return False
    for name, (soft, hard) in (caller.get("limits") or {}).items():
        _soft, my_hard = resource.getrlimit(getattr(resource, name))
        if my_hard != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or hard > my_hard):
            return False
    return set(caller.get("limits") or {}) == set(mine.get("limits") or {})


def _command(request: dict, fds: list[int], conn: socket.socket) -> None:
    """The command itself, as `rosp ARGV` started in the caller's terminal would run it."""
    code = 1
    try:
        conn.close()
        os.setsid()  # out of the grappe's terminal: its Ctrl+C is not this command's
        std = request["std"]
        for fd in (0, 1, 2):
            if fd in std:
                os.dup2(fds[std.index(fd)], fd)
            else:
                null = os.open(os.devnull, os.O_RDWR)
                os.dup2(null, fd)
                os.close(null)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        encoding = request.get("encoding") or "utf-8"
        sys.stdin = open(0, encoding=encoding, closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding=encoding, closefd=False, buffering=1 if os.isatty(1) else -1)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding=encoding, errors="backslashreplace", closefd=False, buffering=1)  # noqa: SIM115
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        import tempfile
        import time

        import resource

        for name, (soft, hard) in request["identity"]["limits"].items():  # the caller's (checked by _same_process)
            resource.setrlimit(getattr(resource, name), (soft, hard))
        time.tzset()  # TZ: today's date (the default --date) is the caller's
        tempfile.tempdir = None  # found again from the caller's TMPDIR
        for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
            signal.signal(s, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.argv = ["rosp", *request["argv"]]
        from rosp_lib.cli import run

        run()  # ends the process (rosp_lib.cli.french.leave)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - said on the caller's error stream
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


if __name__ == "__main__":
    sys.exit(serve(int(sys.argv[1])))
