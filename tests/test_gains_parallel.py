"""`rosp gains` on every core: the parts of a large file searched by forked processes give the table of one process."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from rosp_lib.cli import main
from rosp_lib.counterfactual import gains as gains_module
from rosp_lib.counterfactual.gains import GAINS_COLUMNS
from rosp_lib.engine import parameters_for
from rosp_lib.inputs import InputError, read_inputs
from rosp_lib.lines.workers import forked_map

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
DAY = "2025-06-01"


@pytest.fixture
def small_parts(monkeypatch, tmp_path):
    """Parts of 4 rows (the example file has 13 rows: 4 parts), each part's process id written to a file."""
    monkeypatch.setattr(gains_module, "CHUNK_ROWS", 4)
    seen = tmp_path / "processus.txt"
    original = gains_module.gains_table

    def traced(pharmacies, *args, **kwargs):
        if len(pharmacies) <= 4:  # a part (the whole table is the first call)
            with open(seen, "a") as fh:
                fh.write(f"{os.getpid()} {pharmacies['pharmacie_id'].iloc[0]}\n")
        return original(pharmacies, *args, **kwargs)

    monkeypatch.setattr(gains_module, "gains_table", traced)
    return seen, original


def test_the_parts_searched_by_forked_processes_give_the_table_of_one_process(small_parts):
    seen, gains_table = small_parts
    pharmacies, molecules = read_inputs(DATA / "pharmacies.csv", DATA / "molecules.csv")
    params = parameters_for(pharmacies["exercice"].unique())
    alone = gains_table(pharmacies, molecules, params, dt.date.fromisoformat(DAY), jobs=1)
    in_process = {int(line.split()[0]) for line in seen.read_text().splitlines()}
    seen.unlink()
    done = []
    forked = gains_table(pharmacies, molecules, params, dt.date.fromisoformat(DAY), jobs=2, progress=done.append)
    pd.testing.assert_frame_equal(forked[GAINS_COLUMNS], alone[GAINS_COLUMNS])
    assert in_process == {os.getpid()}
    workers = {int(line.split()[0]) for line in seen.read_text().splitlines()}
    assert len(workers) == 2 and os.getpid() not in workers  # two processes, neither this one
    assert done == [4, 4, 4, 1]  # each part's rows, in order: 13 rows
    # PH-CENTRE 2025 (stabilité 75 ans 88 %): 90 % pays 200 € (rules.md, BUPS), found by the workers too
    centre = forked[(forked["pharmacie_id"] == "PH-CENTRE") & (forked["colonne"] == "taux_stabilite_75_pct")]
    assert "90" in set(centre["valeur_cible"])


def _gains(*args):
    return CliRunner().invoke(main, ["gains", str(DATA / "pharmacies.csv"), "--molecules", str(DATA / "molecules.csv"),
                                     "--date", DAY, *map(str, args)])


def test_rosp_gains_on_two_processes_writes_the_same_file_and_shows_its_progress(small_parts, tmp_path):
    one, two = tmp_path / "un", tmp_path / "deux"
    result = _gains("-o", one, "-j", "1")
    assert result.exit_code == 0, result.output
    result = _gains("-o", two, "-j", "2")
    assert result.exit_code == 0, result.output
    assert (two / "gains.csv").read_bytes() == (one / "gains.csv").read_bytes()
    # the progress on the standard error, in French, to the last of the 13 rows (into a file: a state per line)
    assert "Gains : 100 %" in result.stderr and "13/13" in result.stderr, result.stderr
    assert "\r" not in result.stderr


def test_rosp_gains_refuses_jobs_below_one_in_french(tmp_path):
    result = _gains("-o", tmp_path / "sortie", "--jobs", "0")
    assert result.exit_code == 2
    assert "--jobs : au moins 1 processus (reçu : 0)." in result.stderr
    assert not (tmp_path / "sortie").exists()


def test_a_dead_search_process_is_a_french_error_and_gains_csv_is_left_as_it_was(small_parts, tmp_path, monkeypatch):
    seen, original = small_parts

    def dying(pharmacies, *args, **kwargs):
        if len(pharmacies) <= 4 and os.getpid() != parent:
            os._exit(9)  # as if killed (out of memory)
        return original(pharmacies, *args, **kwargs)

    parent = os.getpid()
    monkeypatch.setattr(gains_module, "gains_table", dying)
    out = tmp_path / "sortie"
    out.mkdir()
    (out / "gains.csv").write_text("ancien\n", encoding="utf-8")
    result = _gains("-o", out, "-j", "2")
    assert result.exit_code == 4, result.output
    assert result.stderr.split("Erreur : ")[1].startswith("un processus de recherche s'est arrêté brutalement")
    assert "Traceback" not in result.output
    assert [p.name for p in out.iterdir()] == ["gains.csv"]
    assert (out / "gains.csv").read_text(encoding="utf-8") == "ancien\n"


def test_forked_map_gives_the_results_in_order_and_raises_an_error_as_it_was():
    assert list(forked_map(lambda k: (k, os.getpid()), 5, 2))[0][0] == 0
    results = list(forked_map(lambda k: (k * k, os.getpid()), 5, 2))
    assert [r for r, _ in results] == [0, 1, 4, 9, 16]
    assert os.getpid() not in {pid for _, pid in results}

    def failing(k):
        if k == 2:
            raise InputError("pharmacies.csv", ["ligne 4, colonne « nb_fse » : valeur « -3 » ; attendu : un nombre "
                                                "entier positif ou nul"])
        return k

    got = []
    with pytest.raises(InputError) as raised:
        for value in forked_map(failing, 5, 2):
            got.append(value)
    assert got == [0, 1]
    assert "ligne 4, colonne « nb_fse » : valeur « -3 »" in str(raised.value)


@pytest.mark.parametrize("n,workers,sizes", [
    (60, 2, [30, 30]),             # not 50 + 10: the second worker idle most of the time
    (120, 2, [30, 30, 30, 30]),    # 3 parts of 40 would leave one worker alone at the end
    (101, 1, [34, 34, 33]),        # at most 50 rows a part, equal sizes
    (1000, 2, [50] * 20),
    (51, 8, [7, 7, 7, 7, 7, 7, 7, 2]),
])
def test_a_large_file_is_searched_in_equal_parts_of_at_most_50_rows(n, workers, sizes):
    from rosp_lib.counterfactual.gains import CHUNK_ROWS, search_parts

    assert CHUNK_ROWS == 50
    bounds = search_parts(n, workers)
    assert [stop - start for start, stop in bounds] == sizes
    assert bounds[0][0] == 0 and bounds[-1][1] == n and all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
