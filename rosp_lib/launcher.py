"""The `rosp` console script: a light front door, standard library only.

`rosp report … --dask ADRESSE` sent to a `rosp grappe` of this machine is handed to the grappe's command
server (rosp_lib.batch.forkserver): a process that has already imported pandas, pandera, distributed and
rosp_lib forks a child that runs the very same command, in this command's folder, with its environment and
its standard input, output and error (passed over a Unix socket). Only the import time changes — ≈ 2 s of CPU
for those libraries, more than half of what a single report through a warm grappe cost (benchmarks/README.md,
« Rapports ») — and the exit code is this command's. Ctrl+C and SIGTERM are passed on to the child.

Everything else, and a report command when no command server answers for that port or when its install
differs from this one (a file of rosp_lib or parameters/ changed since the grappe started), runs here as
before (rosp_lib.cli). The server is found by the port of the --dask address, in a folder only this user can
open, and must run as this user (checked on the socket).

Hand-written on purpose: no maintained library hands a command with its terminal to a pre-imported Python
process (a « fork server »); multiprocessing's own forkserver passes pickled functions, not a terminal.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import stat
import struct
import sys
from pathlib import Path

DEFAULT_PORT = 8786
_ROOT = Path(__file__).resolve().parent  # rosp_lib/
_PARAMETERS = _ROOT.parent / "parameters"  # as rosp_lib.parameters.PARAMETERS_DIR
HEADER = struct.Struct("!I")


def run() -> None:
    try:
        code = delegate(sys.argv[1:])
        if code is None:
            from rosp_lib.cli import run as run_here  # ≈ 1 s of imports: Ctrl+C may come during them

            run_here()  # which says « Interrompu. » itself once it runs
            return
    except KeyboardInterrupt:  # before the command's own handling: the same words, not Python's traceback
        print("Interrompu.", file=sys.stderr)
        code = 130  # as a shell says an interrupted command, and as every command says it (cli.french.INTERRUPTED)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)  # nothing was imported here that needs finalising (or the imports were cut short)


def dask_port(argv: list[str]) -> int | None:
    """The scheduler port of `rosp report … --dask ADRESSE` (8786 when the address has none); None for any
    other command, for --dask local, or when the options cannot be read without click."""
    if not argv or argv[0] != "report" or "--" in argv:
        return None
    address = None
    for i, arg in enumerate(argv):
        if arg == "--dask" and i + 1 < len(argv):
            address = argv[i + 1]
        elif arg.startswith("--dask="):
            address = arg.split("=", 1)[1]
    if not address or address == "local":
        return None
    m = re.search(r":(\d{1,5})/?$", address)
    port = int(m.group(1)) if m else DEFAULT_PORT
    return port if 0 < port < 65536 else None


def socket_path(port: int) -> Path:
    """The command server's socket of the grappe on `port`, in this user's private folder."""
    import tempfile

    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    return Path(base) / f"rosp-{os.getuid()}" / f"grappe-{port}.sock"


def private_folder(folder: Path, create: bool = False) -> bool:
    """True if `folder` is a real folder of this user that nobody else can open (created so if asked)."""
    if create:
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
        except OSError:
            return False
    try:
        st = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077


def fingerprint() -> str:
    """The install as files: path, size and time of every source of rosp_lib and every parameter file. A
    server started before one of them changed would run the old code: the command then runs here."""
    import sysconfig

    parts = [os.path.realpath(sys.prefix), str(_ROOT)]  # the environment (a venv), whichever of its pythons runs
    for root, suffixes in ((_ROOT, (".py", ".mo")), (_PARAMETERS, (".yaml",))):
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(suffixes):
                    st = os.stat(os.path.join(folder, name))
                    parts.append(f"{os.path.relpath(os.path.join(folder, name), root)}:{st.st_size}:{st.st_mtime_ns}")
    site = sysconfig.get_paths()["purelib"]  # the installed distributions: their folder names carry their versions
    parts += sorted(n for n in os.listdir(site) if n.endswith((".dist-info", ".egg-info"))) if os.path.isdir(site) else []
    return "\n".join(parts)


# What a command's process takes from its parent rather than from its environment, and the variables read
# once at import (by Python, numpy's BLAS, pandas, matplotlib, Dask): the server runs a command only if they
# are the caller's; otherwise it runs here, exactly as the user set it.
IMPORT_TIME_ENV = ("PYTHON", "OMP_", "OPENBLAS_", "MKL_", "LANG", "LC_", "DASK_", "MPL", "MATPLOTLIB", "JUPYTER",
                   "TMPDIR", "TEMP", "TMP", "XDG_RUNTIME_DIR", "HOME")


def identity() -> dict:
    """The caller's process identity that a forked command would otherwise take from the server."""
    import resource

    mask = os.umask(0o077)
    os.umask(mask)
    limits = {name: list(resource.getrlimit(getattr(resource, name)))
              for name in ("RLIMIT_FSIZE", "RLIMIT_AS", "RLIMIT_DATA", "RLIMIT_NOFILE", "RLIMIT_CPU", "RLIMIT_CORE")
              if hasattr(resource, name)}
    env = {k: v for k, v in os.environ.items() if k.startswith(IMPORT_TIME_ENV)}
    return {"umask": mask, "gid": os.getgid(), "groups": sorted(os.getgroups()), "limits": limits, "env": env}


def peer_uid(conn: socket.socket) -> int | None:
    try:
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except (OSError, AttributeError):
        return None
    return struct.unpack("3i", creds)[1]


def read_message(conn: socket.socket) -> dict | None:
    """One JSON message of the protocol (its length first); None if the other side has gone."""
    return _body(conn, _exactly(conn, HEADER.size))


def receive_request(conn: socket.socket, max_fds: int = 3) -> tuple[dict | None, list[int]]:
    """A message sent with file descriptors (`send_message(conn, message, fds)`), and those descriptors
    (theirs to close); None for the message if the other side has gone."""
    head, fds, _flags, _addr = socket.recv_fds(conn, HEADER.size, max_fds)
    rest = _exactly(conn, HEADER.size - len(head)) if head else None
    return _body(conn, None if rest is None else head + rest), fds


def _body(conn: socket.socket, head: bytes | None) -> dict | None:
    if head is None:
        return None
    body = _exactly(conn, HEADER.unpack(head)[0])
    return None if body is None else json.loads(body.decode("utf-8"))


def send_message(conn: socket.socket, message: dict, fds: list[int] | None = None) -> None:
    body = json.dumps(message).encode("utf-8")
    if fds:
        socket.send_fds(conn, [HEADER.pack(len(body))], fds)
    else:
        conn.sendall(HEADER.pack(len(body)))
    conn.sendall(body)


def _exactly(conn: socket.socket, n: int) -> bytes | None:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _open_std() -> list[int]:
    """The standard descriptors this command has (one may be closed: it is then /dev/null over there)."""
    present = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            continue
        present.append(fd)
    return present


def delegate(argv: list[str]) -> int | None:
    """Run `rosp ARGV` in the command server of the grappe named by its --dask port; its exit code, or None
    when there is no such server (or it refused before starting the command): run it here then."""
    port = dask_port(argv)
    if port is None or not hasattr(socket, "send_fds") or not hasattr(socket, "AF_UNIX"):
        return None
    path = socket_path(port)
    if not private_folder(path.parent):
        return None
    pending: list[int] = []  # signals received before the command's pid is known: passed on once it is
    child: list[int] = []

    def forward(signum, _frame):
        if child:
            try:
                os.kill(child[0], signum)
            except OSError:
                pass
        else:
            pending.append(signum)

    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {s: signal.signal(s, forward) for s in handled}
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        try:
            conn.connect(str(path))
            if peer_uid(conn) != os.getuid():
                return None
            std = _open_std()
            send_message(conn, {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "std": std,
                                "encoding": getattr(sys.stdout, "encoding", None) or "utf-8",
                                "identity": identity(), "fingerprint": fingerprint()}, fds=std)
            reply = read_message(conn)
        except (OSError, ValueError):  # no grappe on that port, a stale socket, a folder gone: run here
            reply = None
        if reply is None or "pid" not in reply:
            if pending:  # Ctrl+C (or SIGTERM) before anything ran: nothing to run
                sys.stderr.write("Interrompu.\n")
                return 130 if pending[0] == signal.SIGINT else 128 + pending[0]
            return None  # refused (another install, another identity) before anything ran: run here
        child.append(int(reply["pid"]))
        for signum in pending:
            forward(signum, None)
        try:
            end = read_message(conn)
        except (OSError, ValueError):
            end = None
        if end is None or "code" not in end:
            forward(signal.SIGTERM, None)  # its helper has gone: the command must not go on alone
            sys.stderr.write("Erreur : la grappe s'est arrêtée pendant la commande ; relancez-la, ou lancez la "
                             "commande sans --dask.\n")
            return 1
        if end.get("signal"):  # killed by a signal: this process ends the same way, as its caller expects
            sys.stdout.flush()
            sys.stderr.flush()
            signal.signal(int(end["signal"]), signal.SIG_DFL)
            os.kill(os.getpid(), int(end["signal"]))
        return int(end["code"])
    finally:
        conn.close()
        for s, handler in previous.items():
            try:
                signal.signal(s, handler)
            except (OSError, ValueError):
                pass
