"""Writing output files so that they cannot hurt: all or nothing, never through a symlink.

Each file is first written under a temporary name created exclusively in the target folder
(`tempfile.mkstemp`: O_CREAT | O_EXCL, and O_NOFOLLOW — a name planted there, a symlink to another
file included, is never opened), then every file is renamed over its target (`os.replace` replaces
a symlink itself, never the file it points to). When anything fails — missing or read-only folder,
full disk, file size limit — the temporary files are removed, the old outputs are left intact and
`OutputError` says why in French (`write_together`; `replace_files`, the same steps, lets the OSError go
on, for the report batch, which says it in its own words).
"""

from __future__ import annotations

import errno
import os
import signal
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable

_REASONS = {
    errno.ENOSPC: "disque plein",
    errno.EDQUOT: "quota disque dépassé",
    errno.EFBIG: "fichier trop grand pour la limite de taille de fichier (ulimit -f)",
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENOENT: "dossier introuvable",
    errno.ENOTDIR: "ce n'est pas un dossier",
    errno.EEXIST: "un fichier du même nom existe déjà",
    errno.EISDIR: "c'est un dossier",
    errno.ELOOP: "lien symbolique refusé",
    errno.ENAMETOOLONG: "nom de fichier ou de dossier trop long",
}


def _umask() -> int:
    mask = os.umask(0o22)
    os.umask(mask)
    return mask


NEW_FILE_MODE = 0o666 & ~_umask()  # what open() gives a new file; mkstemp gives 0600, unreadable by the group


def exclusive_temporary(path: Path) -> tuple[int, str]:
    """(fd, name): a new file beside `path`, created exclusively (never through a symlink) with the
    permissions `open()` would give it, so that the renamed output is readable as any other file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partiel", dir=path.parent)
    if os.name != "nt":
        try:
            os.fchmod(fd, NEW_FILE_MODE)
        except OSError:  # a file system without permissions (some network shares): the file stays private
            pass
    return fd, tmp


class OutputError(Exception):
    """Output files could not be written; nothing was replaced."""


def reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno, exc.strerror or type(exc).__name__)


def subfolder(folder: Path, levels: int) -> None:
    """Create `folder` and check that it and its `levels - 1` parents — the folders the command makes inside
    the output folder the user named (`2024/PH-A`, `pharmacies`) — are real folders, not symlinks planted there:
    the files written in them would land wherever the link points. OSError ELOOP (« lien symbolique refusé »)
    otherwise; the output folder itself may be a link the user made. Each folder is looked at once it exists
    (made here, or found by mkdir): a link planted after an earlier check is refused all the same."""
    parts = [Path(folder), *Path(folder).parents][:levels]
    parts[-1].parent.mkdir(parents=True, exist_ok=True)
    for part in reversed(parts):  # the outermost first: nothing is created through a link
        try:
            part.mkdir()  # a new folder, or FileExistsError for whatever has the name, a link included
        except FileExistsError:
            if part.is_symlink():
                raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(part)) from None
            if not part.is_dir():
                raise


def overwritten_input(out_dir: Path, names, inputs) -> str | None:
    """The French refusal when a file the command writes (`names`, in `out_dir`) is one of its input files — it
    would be replaced by the output (an input saved as « rapports.csv » in the output folder…) —, else None."""
    for path in inputs:
        if path is None:
            continue
        try:
            source = Path(path).resolve()
            hit = next((n for n in names if (Path(out_dir) / n).resolve() == source), None)
        except (OSError, RuntimeError):  # an unreadable path: the reading says why
            continue
        if hit is not None:
            return (f"{path} : ce fichier d'entrée serait remplacé par le fichier {hit} que la commande écrit dans "
                    f"{out_dir} ; attendu : un autre dossier de sortie (-o) ou un autre nom pour le fichier d'entrée "
                    "— rien n'a été lu ni écrit")
    return None


def _missing_reason(folder: Path) -> str | None:
    """Why mkdir -p failed with « not found » (ENOENT), « not a folder » (ENOTDIR) or « exists » although it creates the missing folders:
    the nearest name of the path that exists (the folder itself included) is a broken symlink, a file, or a
    folder where nothing may be created (`/proc`); None if none of these (a folder removed meanwhile)."""
    folder = Path(folder).absolute()
    for above in (folder, *folder.parents):
        if not os.path.lexists(above):
            continue
        if above.is_symlink() and not above.exists():
            return f"{above} est un lien symbolique vers un dossier qui n'existe pas"
        if not above.is_dir():
            return "un fichier porte ce nom" if above == folder else f"{above} est un fichier, pas un dossier"
        return None if above == folder else f"le dossier {above} n'accepte pas qu'on y crée un dossier"
    return None


def ensure_folder(folder: Path) -> None:
    """The output folder, created if missing (OutputError in French when it cannot be)."""
    folder = Path(folder)
    try:
        if folder.is_dir():
            return
    except OSError:  # a name too long, a loop of symlinks: mkdir below says which, in French
        pass
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        why = _missing_reason(folder) or "un fichier porte ce nom"
        raise OutputError(f"impossible de créer le dossier de sortie {folder} : {why}") from None
    except OSError as exc:
        why = _missing_reason(folder) if exc.errno in (errno.ENOENT, errno.ENOTDIR) else None
        raise OutputError(f"impossible de créer le dossier de sortie {folder} : {why or reason(exc)}") from None
    if not folder.is_dir():
        raise OutputError(f"le dossier de sortie {folder} n'est pas un dossier")


def ignore_file_size_signal() -> None:
    """Past `ulimit -f`, the kernel sends SIGXFSZ, which kills the process: ignored, the write fails
    with EFBIG instead, and is reported like any other failure."""
    if hasattr(signal, "SIGXFSZ") and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


@contextmanager
def cleaned_up_on_sigterm():
    """While inside, SIGTERM (`kill`, a stopped service) ends the command by SystemExit (code 143)
    instead of killing it on the spot: the temporary files are removed as after any failure, the old
    outputs are intact. The previous handler is put back on leaving."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Syncing:
    """A binary file whose data goes to the disk in the background while the writer goes on.

    The files are forced to the disk (fsync) before they are renamed, so that after a crash a name
    holds the old file or the complete new one. A national `lignes.csv` is 300 MB: forced at the
    end only, the disk writes it while the command waits (≈ 0.5 s measured). Every `SYNC_BYTES`
    written, `fdatasync` runs in a thread (the system call releases the GIL) while the next lines are
    formatted; the final fsync then has only the last part left. Anything else is the file's own.
    """

    SYNC_BYTES = 32 << 20

    def __init__(self, fh: BinaryIO):
        self._fh = fh
        self._pending = 0
        self._thread: threading.Thread | None = None
        self._error: OSError | None = None

    def write(self, data) -> int:
        n = self._fh.write(data)
        if isinstance(self._fh, _Nowhere):
            return n
        self._pending += len(data)
        if self._pending >= self.SYNC_BYTES and (self._thread is None or not self._thread.is_alive()):
            self.check()
            self._fh.flush()
            self._pending = 0
            self._thread = threading.Thread(target=self._sync, args=(self._fh.fileno(),), daemon=True)
            self._thread.start()
        return n

    def copy_from(self, src: BinaryIO) -> None:
        """Append the file `src` (from its start), copied by the kernel where it can (`os.copy_file_range`:
        measured 0,1 s against 0,13 to 0,35 s of CPU through Python for 150 MB), counted for the sync."""
        self._fh.flush()
        copy = getattr(os, "copy_file_range", None)
        done, size = 0, os.fstat(src.fileno()).st_size
        while copy is not None and done < size:
            try:
                n = copy(src.fileno(), self._fh.fileno(), min(size - done, self.SYNC_BYTES), done)
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL):
                    raise
                break  # not between these two files: through Python below
            if n == 0:
                break
            done += n
            self._pending += n
            self.write(b"")  # nothing more, but the background sync may start
        src.seek(done)
        while chunk := src.read(8 << 20):
            self.write(chunk)

    def _sync(self, fd: int) -> None:
        try:
            getattr(os, "fdatasync", os.fsync)(fd)  # no fdatasync on macOS
        except OSError as exc:
            self._error = exc

    def check(self) -> None:
        """The background sync's error, if any, is the write's."""
        if self._error is not None:
            raise self._error

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def discard(self) -> None:
        """After a failed write: whatever the writer left behind that still holds this file (openpyxl's
        unclosed ZipFile, whose `__del__` writes its directory and seeks) writes nowhere, instead of
        failing on the closed file with an « Exception ignored » traceback after the French error."""
        try:
            position = self._fh.tell()
        except (OSError, ValueError):
            position = 0
        self._fh = _Nowhere(position)

    def __getattr__(self, name: str):
        return getattr(self._fh, name)


class _Nowhere:
    """A file that accepts everything and keeps nothing, but counts its position as a file would (a ZipFile
    writes the offsets it reads by `tell` in its directory) (see `_Syncing.discard`)."""

    def __init__(self, position: int = 0):
        self._position = position

    def write(self, data) -> int:
        self._position += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        self._position = max(0, offset + (self._position if whence == os.SEEK_CUR else 0))
        return self._position

    def tell(self) -> int:
        return self._position

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: None


class _Progress:
    """How far `replace_files` went: the file it was writing or renaming, the files already renamed."""

    def __init__(self) -> None:
        self.current: Path | None = None
        self.replaced: list[Path] = []


def replace_files(writers: dict[Path, Callable[[BinaryIO], None]], sync: bool = True,
                  progress: _Progress | None = None) -> None:
    """The temporary-then-rename of every output: each file written by its function under a temporary
    name created exclusively beside it (`exclusive_temporary`: never through a symlink), forced to the disk
    unless sync=False, then all renamed over their targets (`os.replace` replaces a symlink itself).
    On any failure the temporary files not yet renamed are removed and the exception goes on as it is
    (OSError for the disk's refusals: `write_together` says it in French, `progress` says where)."""
    progress = progress if progress is not None else _Progress()
    tmps: dict[Path, str] = {}
    try:
        for path, write in writers.items():
            progress.current = Path(path)
            fd, tmp = exclusive_temporary(progress.current)
            tmps[progress.current] = tmp
            with os.fdopen(fd, "wb") as fh:
                write(fh)
                fh.flush()
                if sync:
                    os.fsync(fh.fileno())
        for path in tmps:  # a folder at a target's name: refused before any rename, not after the first ones (review:
            # the notebook of a report replaced, its page not, a folder standing at its name)
            if path.is_dir() and not path.is_symlink():
                progress.current = path
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        for path, tmp in tmps.items():
            progress.current = path
            os.replace(tmp, path)
            progress.replaced.append(path)
    except BaseException:
        _remove(tmps[p] for p in tmps if p not in progress.replaced)
        raise


def write_together(writers: dict[Path, Callable[[BinaryIO], None]], sync: bool = True) -> None:
    """Write every file under a temporary name in its own folder, then rename them all: never a
    new file beside an old one, never a half-written file, never a write through a symlink.
    sync=False: the files are not forced to the disk before the renames (the report files, written as
    `batch.folders.write_atomic` writes them: thousands of small files, an fsync each would cost)."""
    ignore_file_size_signal()
    progress = _Progress()
    try:
        replace_files({path: _syncing(write) for path, write in writers.items()}, sync, progress)
    except OSError as exc:
        current, replaced = progress.current, progress.replaced
        where = current.parent if current is not None else "?"
        if replaced:  # a rename failed after others (rare: a rename needs no data block): said as it is
            from .formatting import counted

            outcome = (f"{counted(len(replaced), 'fichier déjà remplacé', 'fichiers déjà remplacés')} : "
                       f"{', '.join(p.name for p in replaced)} ; "
                       "les autres sont intacts")
        else:
            outcome = "aucun fichier de sortie n'a été remplacé (les anciens sont intacts)"
        raise OutputError(
            f"impossible d'écrire {current.name if current else ''} dans {where} : {reason(exc)} ; {outcome}"
        ) from None


def _syncing(write: Callable[[BinaryIO], None]) -> Callable[[BinaryIO], None]:
    """`write`, given the file as a `_Syncing`: its data goes to the disk in the background as it is written."""

    def write_syncing(fh: BinaryIO) -> None:
        syncing = _Syncing(fh)
        try:
            write(syncing)
        except BaseException:
            syncing.join()
            syncing.discard()
            raise
        syncing.join()
        syncing.check()

    return write_syncing


def _remove(paths) -> None:
    for tmp in paths:
        try:
            os.unlink(tmp)
        except OSError:
            pass
