"""A user's mistake in the parameters of a report notebook (unknown pharmacy, exercise not in the file, a date, a
missing file, a misspelt scenario key): one French message, « Erreur : … », shown by the loading cell before
anything else — not a Python traceback through the library, nor a failure after the report is shown. papermill
still stops and reports the failure, and `rosp report`'s worker still records the French message."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import nbformat
import pytest

pm = pytest.importorskip("papermill")
from papermill.exceptions import PapermillExecutionError  # noqa: E402

from rosp_lib.report import network as rn  # noqa: E402
from rosp_lib.report import notebook as nb  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
ABSENT = "data/absent.csv : 1 problème — rien n'a été calculé ni écrit.\n  - fichier introuvable"


def _fails(tmp_path: Path, name: str, **parameters):
    """Run the notebook with papermill (from notebooks/, as a user does): its error, and its executed cells."""
    out = tmp_path / f"sortie-{name}"
    with pytest.raises(PapermillExecutionError) as caught:
        pm.execute_notebook(str(NOTEBOOKS / name), str(out), cwd=str(NOTEBOOKS), parameters=parameters,
                            kernel_name="python3", progress_bar=False)
    return caught.value, nbformat.read(out, as_version=4)


def _check_one_french_message(error, book, expected: str, loading: str) -> None:
    assert expected in error.evalue
    failing = [c for c in book.cells if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert len(failing) == 1
    cell = failing[0]
    assert loading in cell.source  # the first code cell, the one that loads
    (out,) = [o for o in cell.outputs if o.get("output_type") == "error"]
    assert out.traceback == [f"Erreur : {error.evalue}"]  # one French message, no Python frame
    before = book.cells[:book.cells.index(cell)]
    assert not [o for c in before for o in c.get("outputs", [])]  # nothing was shown before it


@pytest.mark.parametrize("parameters, expected", [
    ({"pharmacie_id": "PH-INCONNUE"}, "pharmacie « PH-INCONNUE » absente de pharmacies.csv"),
    ({"exercice": 2030}, "la pharmacie « PH-TILLEULS » n'a pas d'exercice 2030 dans pharmacies.csv"),
    ({"exercice": "2024b"}, "exercice invalide : « 2024b » ; attendu : une année en quatre chiffres, par exemple 2024"),
    ({"date_reference": "2024-13-01"}, "date de référence invalide : « 2024-13-01 » ; attendu : une date AAAA-MM-JJ"),
    ({"molecules": "../data/absent.csv"}, "../" + ABSENT),
])
def test_a_theme_report_says_a_wrong_parameter_in_one_french_message(tmp_path, parameters, expected):
    error, book = _fails(tmp_path, "01_numerique.ipynb", **parameters)
    _check_one_french_message(error, book, expected, "nb.user_errors()")


def test_a_misspelt_scenario_key_is_one_french_message(tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("generale:\n  arrondi: demi_pair\n", encoding="utf-8")
    error, book = _fails(tmp_path, "01_numerique.ipynb", parametres=str(scenario))
    assert error.ename == "ParameterError" and "generale" in error.evalue
    _check_one_french_message(error, book, "generale", "nb.user_errors()")


def test_the_synthesis_checks_its_statement_before_showing_anything(tmp_path):
    """A missing statement of payments failed at the 8th cell, below a report whose message said « rien n'a été
    calculé ni écrit »: it is now refused by the loading cell, before anything is shown."""
    error, book = _fails(tmp_path, "00_synthese.ipynb", versements="../data/absent.csv")
    _check_one_french_message(error, book, "../" + ABSENT, "nb.user_errors()")


def test_the_network_view_checks_its_date_first_and_reads_it_as_the_reports_do(tmp_path):
    assert rn.gains_date("01/10/2024") == rn.gains_date("2024-10-01") == dt.date(2024, 10, 1)
    error, book = _fails(tmp_path, "90_reseau.ipynb", date_gains="2024-13-01")
    _check_one_french_message(error, book, "date de référence invalide (paramètre date_gains) : « 2024-13-01 »",
                              "user_errors()")


def test_the_exercise_parameter_is_a_year():
    assert nb.exercise_of(2024) == nb.exercise_of("2024") == nb.exercise_of(" 2024 ") == 2024
    for bad in ("2024b", "24", 2024.5, True, "２０２４"):
        with pytest.raises(nb.ReportError, match="exercice invalide"):
            nb.exercise_of(bad)


def test_rosp_report_still_records_the_french_message_of_a_failed_report():
    """The worker of `rosp report` reads the error papermill reports (its class and message): the short display
    keeps both, and the partial notebook (kept as .echec.ipynb) shows the one French message."""
    from rosp_lib.batch import worker
    from rosp_lib.batch.worker import Settings, Task, execute_task

    stem = "01_numerique"
    task = Task("PH-TILLEULS", 2024, stem, (NOTEBOOKS / f"{stem}.ipynb").read_bytes(), f"/notebooks/{stem}.ipynb",
                f"/sortie/2024/PH-TILLEULS/{stem}.ipynb", (("entree.csv", (ROOT / "data/pharmacies.csv").read_bytes()),),
                {"pharmacie_id": "PH-TILLEULS", "exercice": 2024, "entree": "entree.csv", "molecules": "",
                 "parametres": "", "date_reference": "2024-13-01"}, Settings())
    try:
        outcome = execute_task(task)
    finally:
        warm = getattr(worker._LOCAL, "kernel", None)  # noqa: SLF001 - the test's own kept kernel
        if warm is not None:
            warm.discard()
    assert outcome.statut == "echec"
    assert outcome.erreur.startswith("erreur dans le notebook, cellule [")
    assert outcome.erreur.endswith("] : ReportError : date de référence invalide : « 2024-13-01 » ; attendu : une "
                                   "date AAAA-MM-JJ ou JJ/MM/AAAA (exemple : 2025-01-15), ou vide pour aujourd'hui")
    partial = json.loads(outcome.notebook)
    errors = [o for c in partial["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert [o["traceback"] for o in errors] == [["Erreur : date de référence invalide : « 2024-13-01 » ; attendu : "
                                                 "une date AAAA-MM-JJ ou JJ/MM/AAAA (exemple : 2025-01-15), ou vide "
                                                 "pour aujourd'hui"]]


def test_a_python_error_in_a_notebook_is_said_as_one_not_as_a_refusal_of_the_data():
    """« erreur dans le notebook, cellule [3] : KeyError : 'x' » read as a refusal of the user's file: Python's own
    errors are said as such, with where to look; the tool's French refusals keep their message."""
    from papermill.exceptions import PapermillExecutionError

    from rosp_lib.batch.worker import describe_error

    python = PapermillExecutionError(2, 3, "d['x']", "KeyError", "'x'", [])
    assert describe_error(python) == (
        "erreur dans le notebook, cellule [3] : erreur Python KeyError : 'x' — une erreur du code du notebook ou de "
        "l'outil, pas un refus de vos données ; le notebook partiel (.echec.ipynb) montre la cellule, à joindre à un "
        "signalement")
    ours = PapermillExecutionError(0, 1, "", "ParameterError", "bups.inconnu : ce paramètre n'existe pas", [])
    assert describe_error(ours) == ("erreur dans le notebook, cellule [1] : ParameterError : bups.inconnu : ce "
                                    "paramètre n'existe pas")
