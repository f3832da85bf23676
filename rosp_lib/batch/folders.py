"""Report folders: each pharmacy-year's input slice, the content key of each report, the folder lock.

`<out>/<exercice>/<pharmacie_id>/` holds, beside its reports:

- `entree.csv`: the rows of this pharmacy in the pharmacies file (every exercise of it: the synthesis
  compares them), exactly as the user's file holds them — the cells as `rosp_lib.inputs.raw.read_raw`
  reads them (`rosp_lib.inputs.raw`: text, an XLSX cell brought back to the text a CSV would hold), written by the
  project's CSV writer (rosp_lib.lines.csvfile), so the input reader reads them back to the same
  values; `molecules.csv`: its rows of the molecules table, when one is given; `<nom>.yaml`: the
  bytes of the scenario, when one is given, under the scenario's own name (`scenario_copy_name`: the reports
  name the scenario after their `parametres` file, as a notebook run by hand on the user's file does); `versements.csv`: the rows of this pharmacy-year in the
  statement of payments (`rosp report --versements`), validated once, for the synthesis. The notebooks receive these names as their `entree`,
  `molecules` and `parametres` parameters and run in the folder: any report folder can be run again
  alone, here or on another machine.
- `.<NN_theme>.cle`: the content key of the report (`report_key`), written last, after the report.
  A report is up to date only if its key is the key of what it would be made from now.
- `.verrou`: the folder's lock, held by the `rosp report` that writes in it (`FolderLock`).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rosp_lib.lines.atomic import reason, replace_files, subfolder

if TYPE_CHECKING:
    import pandas as pd

ENTREE = "entree.csv"
MOLECULES = "molecules.csv"
SCENARIO_SUFFIX = ".yaml"  # the scenario's copy: `scenario_copy_name`; the folder's only YAML file
VERSEMENTS = "versements.csv"
INPUT_NAMES = (ENTREE, MOLECULES, VERSEMENTS)
LOCK = ".verrou"
LOCK_INFO = ".verrou.qui"
KEY_VERSION = "rosp-rapport-1"


# --------------------------------------------------------------------------------------------
# Input slices
# --------------------------------------------------------------------------------------------
def scenario_copy_name(scenario: Path | str) -> str:
    """The name of a scenario's copy in a report folder: the user's file name, `.yaml` whatever its suffix
    (`montants.yml` → `montants.yaml`), so it never takes the name of another input file. The reports name
    the scenario after it; `rosp report` checked the stem (it is also the folder `scenarios/<nom>`)."""
    return Path(scenario).stem + SCENARIO_SUFFIX


# The first line of every input slice: Excel then cuts the cells at « , » only, whatever the computer's list
# separator (a French Excel cuts at « ; »: « Officine;=cmd » would become a cell « =cmd »). The slices are read
# back by this project (rosp_lib.inputs reads the line as Excel does), so their texts are neutralised only at
# their start (csvfile.neutralised, inner=False): a `'` inside a text the reader could not tell from the user's.
SEPARATOR_LINE = b"sep=,\n"


def _lines_by_pharmacy(path: Path, sheet: str) -> tuple[bytes, dict[str, list[bytes]], pd.DataFrame]:
    """The CSV header and, per pharmacie_id, the CSV lines of its rows (cells as read_raw reads them); and the
    cells themselves.

    The values of the rates and amounts are quoted (`decimal_columns`): in a comma-separated copy, « 3 » then « 50 »
    unquoted would read as a value maybe cut by a decimal comma (« 3,50 ? »), a doubt the user's file (« ; ») did not
    hold. The two cells the user's file does leave in doubt (`raw.Split`) are written unquoted: the copy says it again,
    in the reports — and only them (review: a column of the user's file left out of the copy, unnamed and empty, made
    two other cells neighbours, which the copy then said instead)."""
    from rosp_lib.inputs.raw import decimal_columns, read_raw
    from rosp_lib.lines.csvfile import always_quoted, cells, write_csv

    table = read_raw(path, sheet)
    frame = table.frame
    decimal = decimal_columns(list(frame.columns))
    buffer = io.BytesIO()
    write_csv(frame, buffer, inner=False, quoted=decimal)
    data = buffer.getvalue()
    header, _, body = data.partition(b"\n")
    values = frame.to_numpy(dtype=object)
    alone = frame.shape[1] == 1
    names = list(frame.columns)

    def row_line(row, doubt=None) -> bytes:
        written = cells(list(row), alone, inner=False)
        kept = always_quoted(written)
        left = set(doubt[:2]) if doubt else ()
        return b",".join(k if name in decimal and name not in left else w
                         for w, k, name in zip(written, kept, names)) + b"\n"

    doubts = [table.split.get(int(line)) for line in frame.index] if table.split else [None] * len(frame)
    if not any(("\n" in v or "\r" in v) for v in values.ravel() if v):
        lines = [line + b"\n" for line in body.split(b"\n")[: len(frame)]]
        for i in [i for i, d in enumerate(doubts) if d]:  # the cells the user's file left in doubt: unquoted
            lines[i] = row_line(values[i], doubts[i])
    else:  # a cell with a line break: one line per row is no longer one text line
        lines = [row_line(row, d) for row, d in zip(values, doubts)]
    out: dict[str, list[bytes]] = {}
    for pid, line in zip(frame["pharmacie_id"].tolist(), lines):
        out.setdefault(pid, []).append(line)
    return SEPARATOR_LINE + header + b"\n", out, frame


def versements_by_pharmacy_year(table) -> dict[tuple[str, int], bytes]:
    """The CSV of each pharmacy-year's rows of a validated statement of payments (`read_versements`), in the
    statement's own columns, read back by `read_versements` to the same values; a pharmacy-year without rows
    gets the header alone (`VERSEMENTS_HEADER`)."""
    from rosp_lib.lines import money
    from rosp_lib.lines.csvfile import cells

    amounts = money.cents_to_str(table["montant_cents"].to_numpy()) if len(table) else []
    out: dict[tuple[str, int], list[list[str]]] = {}
    for (pid, year, theme, ind, date, label), amount in zip(
            zip(table["pharmacie_id"], table["exercice"], table["theme"], table["indicateur"],
                table["date_versement"], table["libelle_releve"]), amounts):
        out.setdefault((str(pid), int(year)), []).append([pid, str(int(year)), theme, ind, amount, date, label])
    # Written as the other slices are (csvfile.cells): a label that starts like a formula is neutralised, and read
    # back without its prefix (csvfile.prefix_removed); a plain csv.writer left « =HYPERLINK(…) » as it was (audit).
    result = {}
    for key, rows in out.items():
        result[key] = versements_header() + b"".join(
            b",".join(cells(row[:4], inner=False) + cells(row[4:5], number=True, inner=False)  # the amount: a number
                      + cells(row[5:], inner=False)) + b"\n" for row in rows)
    return result


def versements_header() -> bytes:
    from rosp_lib.counterfactual.versements import COLUMNS
    from rosp_lib.lines.csvfile import cells

    return SEPARATOR_LINE + b",".join(cells(list(COLUMNS))) + b"\n"


class Slices:
    """The input slices of one pharmacies file (and molecules file), for each of its pharmacies; and, given a
    validated statement of payments, its rows for each pharmacy-year."""

    def __init__(self, entree: Path, molecules: Path | None = None, scenario: Path | None = None, versements=None):
        self.header, self.rows, cells = _lines_by_pharmacy(Path(entree), "pharmacies")
        # (pharmacie_id, exercice) → the end of the titulaire's activity, an ISO date (the cell of a validated file:
        # AAAA-MM-JJ or JJ/MM/AAAA — « 30/06/2024 », kept as written, stopped `rosp report` with a traceback: review)
        self.activity_ends: dict[tuple[str, int], str] = {}
        if "fin_activite" in cells:
            from rosp_lib.inputs.parsing import date_of

            for pid, year, end in zip(cells["pharmacie_id"], cells["exercice"], cells["fin_activite"]):
                day = date_of(end) if end else None
                if day is not None:
                    self.activity_ends[(pid, int(year))] = day.isoformat()
        self.mol_header = self.mol_rows = None
        if molecules:
            self.mol_header, self.mol_rows, _ = _lines_by_pharmacy(Path(molecules), "molecules")
        self.scenario = Path(scenario).read_bytes() if scenario else None
        self.scenario_name = scenario_copy_name(scenario) if scenario else None
        self.versements = None if versements is None else versements_by_pharmacy_year(versements)

    def files(self, pharmacie_id: str, exercice: int | None = None) -> dict[str, bytes]:
        """The input files of a report folder of this pharmacy (and exercise): name → bytes."""
        out = {ENTREE: self.header + b"".join(self.rows.get(pharmacie_id, []))}
        if self.mol_header is not None:
            out[MOLECULES] = self.mol_header + b"".join(self.mol_rows.get(pharmacie_id, []))
        if self.scenario is not None:
            out[self.scenario_name] = self.scenario
        if self.versements is not None and exercice is not None:
            out[VERSEMENTS] = self.versements.get((pharmacie_id, int(exercice)), versements_header())
        return out

    @staticmethod
    def parameters(pharmacie_id: str, exercice: int, files: dict[str, bytes]) -> dict:
        """The papermill parameters of a report of this folder (names relative to the folder). `versements` is
        given to the notebooks that declare it (the synthesis), `date_reference` by the batch."""
        return {
            "pharmacie_id": str(pharmacie_id),
            "exercice": int(exercice),
            "entree": ENTREE,
            "molecules": MOLECULES if MOLECULES in files else "",
            "parametres": next((name for name in sorted(files) if name.endswith(SCENARIO_SUFFIX)), ""),
            "versements": VERSEMENTS if VERSEMENTS in files else "",
        }


def write_atomic(path: Path, data: bytes) -> None:
    """Write under a temporary name in the same folder, then rename: never half-written, never through a
    symlink (`lines.atomic.replace_files`, not forced to the disk); OSError as it comes, the temporary removed."""
    replace_files({path: lambda fh: fh.write(data)}, sync=False)


def read_nofollow(path: Path) -> bytes:
    """The bytes of the file `path` itself: a symlink planted at its name is refused (OSError ELOOP), never
    followed to the file it points to."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as fh:
        return fh.read()


def unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def put_inputs(folder: Path, files: dict[str, bytes], keep: tuple[str, ...] = ()) -> None:
    """The folder's input files as `files` says (unchanged files are not rewritten; stale ones go — a YAML
    file is a scenario's copy, another scenario's or the former `parametres.yaml`; a symlink at one of their
    names is replaced by the file), but for those named in `keep`, left as they are (the statement of a synthesis this
    run does not redo, which it was made from). FolderError, in French, when they cannot be written."""
    path = folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stale_copies = sorted(p.name for p in folder.glob("*" + SCENARIO_SUFFIX))
        for name in dict.fromkeys([*INPUT_NAMES, *stale_copies, *sorted(files)]):
            path = folder / name
            if name in keep:  # left as it is, whatever this run has (review: a run with another statement rewrote it)
                continue
            if name not in files:
                unlink(path)
                continue
            try:
                if read_nofollow(path) == files[name]:
                    continue
            except OSError:
                pass
            write_atomic(path, files[name])
    except OSError as exc:
        raise FolderError(f"impossible d'écrire {path} : {reason(exc)}") from None


# --------------------------------------------------------------------------------------------
# Content keys
# --------------------------------------------------------------------------------------------
def report_key(parameters: dict, files: dict[str, bytes], notebook: bytes, install: str, kernel_name: str) -> str:
    """SHA-256 of everything a report depends on: its parameters, its folder's input files (slice,
    molecules, scenario), the notebook's bytes, and the install (rosp_lib's source, the parameter
    files, the versions of the report stack: worker.install_fingerprint)."""
    h = hashlib.sha256()
    head = {"version": KEY_VERSION, "parametres": parameters, "noyau": kernel_name, "installation": install,
            "notebook": hashlib.sha256(notebook).hexdigest(),
            "fichiers": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}}
    h.update(json.dumps(head, sort_keys=True, ensure_ascii=True).encode())
    return h.hexdigest()


def key_path(folder: Path, stem: str) -> Path:
    return folder / f".{stem}.cle"


def recorded_key(folder: Path, stem: str) -> str | None:
    try:
        return key_path(folder, stem).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


# --------------------------------------------------------------------------------------------
# The folder lock
# --------------------------------------------------------------------------------------------
class FolderBusy(Exception):
    """Another process holds the folder's lock."""


class FolderError(Exception):
    """A report folder that cannot be created, locked or given its input files (the message is in French)."""


class FolderLock:
    """The lock of one report folder (filelock: released by the system if its process dies).

    Whoever holds it writes `.verrou.qui` (process, machine, time) so that the one that finds the
    folder busy can say who is writing in it. Neither is ever opened through a symlink: the lock file is
    opened with O_NOFOLLOW by filelock (a symlink there is a FolderError, in French), `.verrou.qui` is
    written under a temporary name and renamed over whatever has its name.
    """

    def __init__(self, folder: Path):
        from filelock import FileLock

        self.folder = Path(folder)
        try:
            subfolder(self.folder, 2)  # <exercice>/<pharmacie_id>: never a planted link to elsewhere
        except OSError as exc:
            where = exc.filename or self.folder
            raise FolderError(f"impossible de créer le dossier {where} : {reason(exc)}") from None
        self._lock = FileLock(str(self.folder / LOCK))

    def acquire(self, wait: bool = False) -> None:
        from filelock import Timeout

        try:
            self._lock.acquire(timeout=-1 if wait else 0, poll_interval=0.2)
        except Timeout:
            raise FolderBusy(self.holder()) from None
        except OSError as exc:
            raise FolderError(f"verrou {self.folder / LOCK} impossible à ouvrir : {reason(exc)}") from None
        info = f"processus {os.getpid()} sur {socket.gethostname()}, depuis {time.strftime('%H:%M:%S')}"
        try:
            write_atomic(self.folder / LOCK_INFO, info.encode("utf-8"))
        except OSError:
            pass

    def holder(self) -> str:
        try:
            return read_nofollow(self.folder / LOCK_INFO).decode("utf-8").strip() or "un autre processus"
        except (OSError, UnicodeDecodeError):
            return "un autre processus"

    def release(self) -> None:
        if self._lock.is_locked:
            unlink(self.folder / LOCK_INFO)
            self._lock.release()
