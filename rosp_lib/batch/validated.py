"""Input tables validated once by `rosp report`, handed to the notebooks it runs.

Each report's notebook reads and validates its input files (`notebook.load`): for a national file of
20 000 pharmacies that is 0,7 s per report, 7 reports per pharmacy. `rosp report` has validated the
same files before launching anything, so it stores the validated tables in a temporary file for the
run and names that file in the environment variable `ROSP_ENTREES_VALIDEES`, which its workers and
their kernels inherit. `load` hands the tables back (≈ 0,02 s) only if the files given have the
same bytes as the files validated (SHA-256) and the same reading code; in any other case — a
notebook run by hand, a file changed since — it returns None and the notebook reads its files itself.
The file is deleted at the end of the run.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import pandas as pd

ENV = "ROSP_ENTREES_VALIDEES"


def _fingerprint(path: str | Path | None) -> tuple[str, str] | None:
    if not path:
        return None
    path = Path(path).resolve()
    return str(path), hashlib.sha256(path.read_bytes()).hexdigest()


def _code_version() -> str:
    """The reading code and pandas: a table validated by other code is not the same table."""
    from rosp_lib import __version__
    from rosp_lib import inputs

    source = Path(inputs.__file__).read_bytes()
    return f"{__version__}:{pd.__version__}:{hashlib.sha256(source).hexdigest()}"


def store(folder: str | Path, pharmacies_path, molecules_path, pharmacies: pd.DataFrame,
          molecules: pd.DataFrame | None) -> Path:
    """Write the validated tables of these files into `folder`; the path to put in `ENV`."""
    target = Path(folder) / "entrees-validees.pickle"
    record = {
        "code": _code_version(),
        "files": (_fingerprint(pharmacies_path), _fingerprint(molecules_path)),
        "tables": (pharmacies, molecules),
    }
    tmp = target.with_name(target.name + ".partiel")
    with open(tmp, "wb") as fh:
        pickle.dump(record, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(target)
    return target


def load(pharmacies_path, molecules_path) -> tuple[pd.DataFrame, pd.DataFrame | None] | None:
    """The tables `rosp report` validated for exactly these files, or None (then read them)."""
    stored = os.environ.get(ENV)
    if not stored:
        return None
    try:
        with open(stored, "rb") as fh:
            record = pickle.load(fh)  # noqa: S301 - written by this user's own rosp report, for this run
        if record["code"] != _code_version():
            return None
        if record["files"] != (_fingerprint(pharmacies_path), _fingerprint(molecules_path)):
            return None
        pharmacies, molecules = record["tables"]
    except Exception:  # noqa: BLE001 - any problem: the notebook reads its files itself
        return None
    return pharmacies, molecules
