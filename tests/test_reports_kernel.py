"""The kept kernel of a report worker (rosp_lib.batch.worker): clean state per report, replaced after
a failure and every N reports. The tasks run in this process's thread, on the fake notebooks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("papermill")

from rosp_lib.batch import worker  # noqa: E402
from rosp_lib.batch.worker import Settings, Task, execute_task  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FAKE = ROOT / "tests" / "notebooks_fake"
ENTREE = (ROOT / "data" / "pharmacies.csv").read_bytes()


def _task(pid: str, stem: str = "00_synthese", kernel_reports: int = 50) -> Task:
    return Task(pid, 2024, stem, (FAKE / f"{stem}.ipynb").read_bytes(), f"/notebooks/{stem}.ipynb",
                f"/sortie/2024/{pid}/{stem}.ipynb", (("entree.csv", ENTREE),),
                {"pharmacie_id": pid, "exercice": 2024, "entree": "entree.csv", "molecules": "", "parametres": ""},
                Settings(kernel_reports=kernel_reports))


def _without_times(data: bytes) -> dict:
    """The notebook less its timestamps: papermill's (start, end, duration of the run and of each
    cell) and nbclient's (`execution`: when each cell was sent, started, replied)."""
    nb = json.loads(data)
    for c in nb["cells"]:
        c["metadata"].pop("execution", None)
    for meta in [nb["metadata"]["papermill"]] + [c["metadata"].get("papermill", {}) for c in nb["cells"]]:
        for k in ("start_time", "end_time", "duration"):
            meta.pop(k, None)
    return nb


@pytest.fixture
def kernel():
    yield
    warm = getattr(worker._LOCAL, "kernel", None)  # noqa: SLF001 - the test's own kept kernel
    if warm is not None:
        warm.discard()


def test_each_report_starts_from_a_clean_namespace(kernel):
    first = execute_task(_task("PH-A"))
    other = execute_task(_task("PH-B", "02_bups"))
    again = execute_task(_task("PH-A"))
    assert [o.statut for o in (first, other, again)] == ["ok", "ok", "ok"]
    assert again.kernel_starts == first.kernel_starts  # the same kept kernel ran all three
    assert _without_times(again.notebook) == _without_times(first.notebook)
    assert again.html == first.html
    nb = json.loads(again.notebook)
    out = json.loads("".join(t for c in nb["cells"] for o in c.get("outputs", []) for t in o.get("text", [])))
    assert out["deja_la"] == []  # nothing left by PH-B's notebook (it leaves « fuite »)
    assert out["dossier"] == ["entree.csv"]
    assert [c["execution_count"] for c in nb["cells"] if c["cell_type"] == "code"] == [1, 2, 3]


def test_the_kernel_is_replaced_after_a_failure_and_every_n_reports(kernel):
    outcomes = [execute_task(_task(pid, kernel_reports=2)) for pid in ("PH-A", "PH-B", "PH-C", "PH-ECHEC", "PH-D")]
    assert [o.statut for o in outcomes] == ["ok", "ok", "ok", "echec", "ok"]
    starts = [o.kernel_starts for o in outcomes]
    # PH-A, PH-B in the first kernel; PH-C, PH-ECHEC in the second; PH-D in a third (after the failure)
    assert [s - starts[0] for s in starts] == [0, 0, 1, 1, 2]
    partial = json.loads(outcomes[3].notebook)
    assert any(o.get("ename") == "ValueError" for c in partial["cells"] for o in c.get("outputs", []))
    assert outcomes[3].html is None


def test_a_worker_with_another_install_refuses(kernel):
    task = _task("PH-A")
    other = Task(**{**task.__dict__, "settings": Settings(install="0" * 64)})
    outcome = execute_task(other)
    assert outcome.statut == "echec" and outcome.notebook is None
    assert "n'a pas la même installation" in outcome.erreur
