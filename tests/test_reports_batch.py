"""The batch report runner (`rosp report`, rosp_lib.batch) on tiny fake notebooks.

tests/notebooks_fake/ holds seven notebooks with the real parameter cell; their only work is to
print their parameters as JSON with what they find in their folder, and to fail on purpose for some
pharmacies (fabriquer.py). Each worker still starts a real Jupyter kernel, so the tests keep to two
themes and a few pharmacies.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import re
import signal
import threading
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("papermill")
pytest.importorskip("nbconvert")

from click.testing import CliRunner  # noqa: E402

from rosp_lib.cli import main  # noqa: E402  (the command group; `report` is imported on demand)
from rosp_lib.batch import folders  # noqa: E402
from rosp_lib.batch.reports import (  # noqa: E402
    ReportError,
    ReportJob,
    UnknownParameterError,
    run_reports,
)
from rosp_lib.inputs import read_inputs  # noqa: E402
from rosp_lib.report.html import french_quotes  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FAKE = ROOT / "tests" / "notebooks_fake"
THEMES = "synthese,bups"


def _pharmacies_csv(path: Path, ids_years: list[tuple[str, int]]) -> Path:
    """A valid pharmacies table: the first example row, under other ids and exercises."""
    lines = (ROOT / "data" / "pharmacies.csv").read_text(encoding="utf-8").splitlines()
    header, row = lines[0], lines[1].split(";")
    out = [header]
    for pid, year in ids_years:
        out.append(";".join([pid, row[1], str(year), *row[3:]]))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def _manifest(out: Path) -> dict[tuple[str, str, str], dict]:
    with open(out / "rapports.csv", encoding="utf-8", newline="") as f:
        return {(r["pharmacie_id"], r["exercice"], r["theme"]): r for r in csv.DictReader(f)}


def _files(out: Path) -> list[str]:
    """The files a user sees (not the hidden keys and locks), relative to out."""
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                  if p.is_file() and not p.name.startswith(".") and p.name not in ("rapports.csv", "rapports.log"))


def _printed(notebook: Path) -> dict:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    return json.loads("".join(t for c in nb["cells"] for o in c.get("outputs", []) for t in o.get("text", [])))


def _report(args: list[str]):
    return CliRunner().invoke(main, ["report", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One --toutes batch with a failing pharmacy (shared by several tests: kernels are slow)."""
    tmp = tmp_path_factory.mktemp("lot")
    entree = _pharmacies_csv(tmp / "pharmacies.csv", [("PH-A", 2024), ("PH-ECHEC", 2024), ("PH-B", 2025),
                                                      ("PH-B", 2024)])
    out = tmp / "sortie"
    # stale final files of the failing report, from an older run: they must disappear
    stale = out / "2024" / "PH-ECHEC"
    stale.mkdir(parents=True)
    (stale / "00_synthese.ipynb").write_text("{}", encoding="utf-8")
    (stale / "00_synthese.html").write_text("<html></html>", encoding="utf-8")
    result = _report([str(entree), "--toutes", "--themes", THEMES, "--notebooks", str(FAKE), "-o", str(out),
                      "--jobs", "2"])
    return entree, out, result


def test_one_failure_does_not_stop_the_others(batch):
    entree, out, result = batch
    assert result.exit_code == 1, result.output
    files = _files(out)
    for pid, year in (("PH-A", 2024), ("PH-B", 2025), ("PH-B", 2024)):
        for stem in ("00_synthese", "02_bups"):
            assert f"{year}/{pid}/{stem}.ipynb" in files
            assert f"{year}/{pid}/{stem}.html" in files
    # the failed reports: partial notebook kept for diagnosis, no final-named file, nothing temporary
    assert [f for f in files if f.startswith("2024/PH-ECHEC/")] == [
        "2024/PH-ECHEC/00_synthese.echec.ipynb", "2024/PH-ECHEC/02_bups.echec.ipynb", "2024/PH-ECHEC/entree.csv"]
    assert not [p for p in out.rglob("*") if "partiel" in p.name]
    echec = json.loads((out / "2024/PH-ECHEC/00_synthese.echec.ipynb").read_text(encoding="utf-8"))
    errors = [o for c in echec["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors and errors[0]["ename"] == "ValueError"
    html = (out / "2024/PH-A/00_synthese.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "PH-A" in html


def test_manifest_and_summary(batch):
    entree, out, result = batch
    rows = _manifest(out)
    assert len(rows) == 8
    assert {k: r["statut"] for k, r in rows.items()} == {
        ("PH-A", "2024", "synthese"): "ok", ("PH-A", "2024", "bups"): "ok",
        ("PH-B", "2025", "synthese"): "ok", ("PH-B", "2025", "bups"): "ok",
        ("PH-B", "2024", "synthese"): "ok", ("PH-B", "2024", "bups"): "ok",
        ("PH-ECHEC", "2024", "synthese"): "echec", ("PH-ECHEC", "2024", "bups"): "echec",
    }
    failed = rows[("PH-ECHEC", "2024", "synthese")]
    assert "ValueError" in failed["erreur"] and "cellule" in failed["erreur"]
    assert failed["chemin"] == "2024/PH-ECHEC/00_synthese.echec.ipynb"
    assert rows[("PH-A", "2024", "bups")]["chemin"] == "2024/PH-A/02_bups.html"
    assert float(rows[("PH-A", "2024", "bups")]["duree_s"]) > 0
    assert "6 produits" in result.output and "2 en échec" in result.output
    assert "rapports.csv" in result.output


def test_each_report_reads_its_own_slice_by_relative_names(batch):
    entree, out, result = batch
    got = _printed(out / "2025/PH-B/02_bups.ipynb")
    # the notebook ran in its report folder, on the two rows of PH-B (2024 and 2025), the header and Excel's sep=,
    assert got == {"notebook": "02_bups", "pharmacie_id": "PH-B", "exercice": 2025, "entree": "entree.csv",
                   "molecules": "", "parametres": "", "dossier": ["entree.csv"], "lignes_entree": 4,
                   "deja_la": []}
    nb = json.loads((out / "2025/PH-B/02_bups.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["parameters"]["entree"] == "entree.csv"
    assert nb["metadata"]["papermill"]["input_path"] == str(FAKE / "02_bups.ipynb")
    assert nb["metadata"]["papermill"]["output_path"] == str(out / "2025/PH-B/02_bups.ipynb")


def test_the_slice_reads_back_as_the_rows_of_the_whole_file(batch):
    entree, out, _ = batch
    whole, _ = read_inputs(entree)
    for folder, pid in ((out / "2025/PH-B", "PH-B"), (out / "2024/PH-A", "PH-A")):
        part, _ = read_inputs(folder / "entree.csv")
        expected = whole[whole["pharmacie_id"] == pid].reset_index(drop=True)
        assert list(part["exercice"]) == list(expected["exercice"])
        assert part.equals(expected)


def test_a_slice_leaves_in_doubt_only_the_values_the_users_file_left_in_doubt(tmp_path):
    """The comma-separated copy of a « ; » file read « 3 » then « 50 » (taux_urgence_reference_pct, nb_semaines_asafo)
    as maybe « 3,50 »: `rosp compute` on any report folder's entree.csv warned of a doubt the user's file did not hold
    (review), and the reports would have said it. The rows a comma file does leave in doubt keep it."""
    from rosp_lib.batch.folders import Slices
    from rosp_lib.inputs import pharmacy_warnings

    example = Slices(ROOT / "data" / "pharmacies.csv")
    whole, _ = read_inputs(ROOT / "data" / "pharmacies.csv")
    for pid in sorted(set(whole["pharmacie_id"])):
        (tmp_path / "entree.csv").write_bytes(example.files(pid)["entree.csv"])
        part, _ = read_inputs(tmp_path / "entree.csv")
        # the same values (an empty date column's unit may differ: NaT all the same)
        pd.testing.assert_frame_equal(part, whole[whole["pharmacie_id"] == pid].reset_index(drop=True),
                                      check_dtype=False)
        assert not [w for w in part.attrs["avertissements"] if "virgule" in w], pid
    comma = tmp_path / "virgules.csv"
    comma.write_text("pharmacie_id,exercice,taux_mss_pct,nom\nPH-A,2024,96,2\nPH-B,2024,50,Pharmacie B\n",
                     encoding="utf-8")
    said = {}
    for pid in ("PH-A", "PH-B"):
        (tmp_path / f"{pid}.csv").write_bytes(Slices(comma).files(pid)["entree.csv"])
        said[pid] = pharmacy_warnings(read_inputs(tmp_path / f"{pid}.csv")[0])
    assert said == {"PH-B": [], "PH-A": [
        "exercice 2024, colonnes taux_mss_pct et nom : lues « 96 » et « 2 » ; si vous vouliez « 96,2 » (virgule "
        "décimale), mettez la valeur entre guillemets ou utilisez « ; » comme séparateur — les montants sont calculés "
        "sur les valeurs telles que lues"]}


def test_a_slice_says_the_doubt_of_the_users_file_and_no_other_when_a_column_is_left_out(tmp_path):
    """A comma file with an empty unnamed column before nb_fse: the copy leaves it out, and « 80 » (a rate) then
    « 40000 » became neighbours; the doubtful row was written all unquoted, and the report said « 80,40000 ? »
    instead of the file's own doubt (review). Only the two cells in doubt are left unquoted."""
    import csv

    from rosp_lib.batch.folders import Slices
    from rosp_lib.inputs import pharmacy_warnings

    rows = list(csv.reader((ROOT / "data" / "pharmacies.csv").open(encoding="utf-8"), delimiter=";"))
    k = rows[0].index("nb_fse")
    table = [r[:k] + [""] + r[k:] for r in [rows[0]] + [r for r in rows[1:] if r[0] == "PH-TILLEULS"]]
    for r in table[1:]:
        r[table[0].index("taux_ordonnance_numerique_pct")] = "80"
        r[table[0].index("taux_urgence_reference_pct")], r[table[0].index("nb_semaines_asafo")] = "3", "50"
        r[-1] = ""  # the row ends with an empty value: « 3 » then « 50 » may be 3,50 %
    path = tmp_path / "virgules.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(table)
    original, _ = read_inputs(path)
    said = pharmacy_warnings(original)
    assert [w[:78] for w in said] == ["exercice 2024, colonnes taux_urgence_reference_pct et nb_semaines_asafo : lues",
                                      "exercice 2025, colonnes taux_urgence_reference_pct et nb_semaines_asafo : lues"]
    (tmp_path / "entree.csv").write_bytes(Slices(path).files("PH-TILLEULS")["entree.csv"])
    assert pharmacy_warnings(read_inputs(tmp_path / "entree.csv")[0]) == said


def test_an_end_of_activity_written_the_french_way_is_read_as_a_date_by_the_batch(tmp_path):
    """« 30/06/2024 » is a date the README accepts: `rosp report` kept it as written and stopped with a traceback on
    `fromisoformat` (review), where « 2024-06-30 » made the reports. Both give the same date, and a report."""
    from rosp_lib.batch.folders import Slices

    ends = {}
    for written in ("30/06/2024", "2024-06-30", " 30/06/2024 "):
        path = tmp_path / "fin.csv"
        path.write_text(f"pharmacie_id;exercice;fin_activite\nE1;2024;{written}\nE2;2024;\n", encoding="utf-8")
        ends[written] = Slices(path).activity_ends
    assert set(map(str, ends.values())) == {str({("E1", 2024): "2024-06-30"})}
    result = _report([str(tmp_path / "fin.csv"), "--pharmacie", "E1", "--exercice", "2024", "--themes", "synthese",
                      "--notebooks", str(FAKE), "-o", str(tmp_path / "sortie")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sortie" / "2024" / "E1" / "00_synthese.html").is_file()


def test_rerun_skips_reports_whose_content_key_is_unchanged_and_force_redoes_them(batch):
    entree, out, _ = batch
    done = out / "2024/PH-A/00_synthese.ipynb"
    before = done.stat().st_mtime_ns
    result = _report([str(entree), "--pharmacie", "PH-A", "--themes", THEMES, "--notebooks", str(FAKE),
                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = _manifest(out)
    assert rows[("PH-A", "2024", "synthese")]["statut"] == "deja_fait"
    assert rows[("PH-A", "2024", "bups")]["statut"] == "deja_fait"
    # single-pharmacy mode updates its rows and keeps the others of the tree
    assert rows[("PH-ECHEC", "2024", "bups")]["statut"] == "echec"
    assert done.stat().st_mtime_ns == before

    result = _report([str(entree), "--pharmacie", "PH-A", "--exercice", "2024", "--themes", "synthese",
                      "--notebooks", str(FAKE), "-o", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert _manifest(out)[("PH-A", "2024", "synthese")]["statut"] == "ok"
    assert done.stat().st_mtime_ns > before


def test_a_changed_input_with_its_old_time_is_redone_and_only_its_reports(tmp_path):
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024), ("PH-B", 2024)])
    out = tmp_path / "sortie"
    args = [str(entree), "--toutes", "--themes", "synthese", "--notebooks", str(FAKE), "-o", str(out), "-j", "1"]
    assert _report(args).exit_code == 0
    # PH-B's name changes, the file keeps its old time (cp -p, rsync -a, unzip)
    st = entree.stat()
    text = entree.read_text(encoding="utf-8").splitlines()
    text[2] = text[2].replace("PH-B;Pharmacie des Tilleuls", "PH-B;Pharmacie du Port")
    entree.write_text("\n".join(text) + "\n", encoding="utf-8")
    os.utime(entree, ns=(st.st_atime_ns, st.st_mtime_ns))
    result = _report(args)
    assert result.exit_code == 0, result.output
    statuts = {k[0]: r["statut"] for k, r in _manifest(out).items()}
    assert statuts == {"PH-A": "deja_fait", "PH-B": "ok"}
    assert "Pharmacie du Port" in (out / "2024/PH-B/entree.csv").read_text(encoding="utf-8")


def test_a_changed_notebook_redoes_its_theme_only(tmp_path):
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024)])
    notebooks = tmp_path / "nb"
    shutil.copytree(FAKE, notebooks)
    out = tmp_path / "sortie"
    args = [str(entree), "--toutes", "--themes", THEMES, "--notebooks", str(notebooks), "-o", str(out), "-j", "1"]
    assert _report(args).exit_code == 0
    nb = json.loads((notebooks / "02_bups.ipynb").read_text(encoding="utf-8"))
    nb["cells"][0]["source"] = "# Faux notebook 02_bups, corrigé"
    (notebooks / "02_bups.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    assert _report(args).exit_code == 0
    assert {k[2]: r["statut"] for k, r in _manifest(out).items()} == {"synthese": "deja_fait", "bups": "ok"}


def test_a_report_folder_can_be_run_again_alone(batch, tmp_path):
    """The executed notebook, copied with its folder anywhere, runs again with its recorded parameters."""
    import papermill

    entree, out, _ = batch
    copy = tmp_path / "copie"
    shutil.copytree(out / "2025/PH-B", copy)
    recorded = json.loads((copy / "02_bups.ipynb").read_text(encoding="utf-8"))["metadata"]["papermill"]
    papermill.execute_notebook(str(FAKE / "02_bups.ipynb"), str(copy / "encore.ipynb"),
                               parameters=recorded["parameters"], cwd=str(copy), progress_bar=False)
    assert _printed(copy / "encore.ipynb")["lignes_entree"] == 4  # sep=, the header, PH-B's 2 rows


def test_unknown_parameter_is_an_error_before_anything_runs(tmp_path):
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024)])
    out = tmp_path / "sortie"
    jobs = [ReportJob("PH-A", 2024, "synthese", entree)]
    with pytest.raises(UnknownParameterError, match="parametres"):
        run_reports(jobs, notebooks_dir=FAKE / "parametre_manquant", out_dir=out)
    assert not out.exists()
    result = _report([str(entree), "--pharmacie", "PH-A", "--themes", "synthese",
                      "--notebooks", str(FAKE / "parametre_manquant"), "-o", str(out)])
    assert result.exit_code == 2
    assert "non déclaré" in result.output and "parametres" in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--pharmacie", "../../etc"], "identifiant de pharmacie invalide"),
        (["--pharmacie", "PH-INCONNUE"], "Identifiants connus : PH-A"),
        (["--pharmacie", "PH-A1"], "pharmacie « PH-A1 » absente de"),
        (["--pharmacie", "PH-A1"], " ; vouliez-vous dire « PH-A » ? Identifiants connus : PH-A."),
        (["--pharmacie", "ph-a1"], " ; vouliez-vous dire « PH-A » ? Identifiants connus : PH-A."),
        (["--pharmacie", "PH-A", "--exercice", "2022"], "exercices présents : 2024"),
        (["--pharmacie", "PH-A", "--themes", "synthese,meteo"], "thème inconnu : meteo ;"),
        (["--pharmacie", "PH-A", "--themes", "bupps"], "thème inconnu : bupps (vouliez-vous dire « bups » ?)"),
        (["--pharmacie", "PH-A", "--themes", "numérik"], "thème inconnu : numérik (vouliez-vous dire « numerique » ?)"),
        (["--pharmacie", "ph-a"], "pharmacie « ph-a » absente de"),
        (["--pharmacie", "ph-a"], "vouliez-vous dire « PH-A » ? (un identifiant s'écrit avec ses majuscules)"),
        (["--pharmacie", "PH-A", "--themes", ""], "--themes vide ne nomme aucun thème ; attendu : des thèmes"),  # ran all (audit)
        (["--pharmacie", "PH-A", "--themes", ",,"], "--themes « ,, » ne nomme aucun thème ; attendu : des thèmes"),
        (["--pharmacie", "PH-A", "--toutes"], "soit --pharmacie ID, soit --toutes"),
        ([], "soit --pharmacie ID, soit --toutes"),
        (["--toutes", "--molecules", "absent.csv"], "table des molécules introuvable"),
    ],
)
def test_bad_requests_exit_2_and_write_nothing(tmp_path, args, message):
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024)])
    out = tmp_path / "sortie"
    result = _report([str(entree), *args, "--notebooks", str(FAKE), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Erreur" in result.output
    assert not out.exists()


def test_invalid_input_file_exits_2_and_writes_nothing(tmp_path):
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024)])
    text = entree.read_text(encoding="utf-8").replace(";2024;", ";1999;")
    entree.write_text(text, encoding="utf-8")
    out = tmp_path / "sortie"
    result = _report([str(entree), "--toutes", "--notebooks", str(FAKE), "-o", str(out)])
    assert result.exit_code == 2
    assert "problème" in result.output and "exercice" in result.output
    assert not out.exists()
    # the library validates too, before writing anything
    with pytest.raises(ReportError, match="exercice"):
        run_reports([ReportJob("PH-A", 1999, "synthese", entree)], notebooks_dir=FAKE, out_dir=out)
    assert not out.exists()


def test_library_rejects_a_bad_id_before_it_becomes_a_path(tmp_path):
    out = tmp_path / "sortie"
    with pytest.raises(ReportError, match="invalide"):
        run_reports([ReportJob("../x", 2024, "synthese", tmp_path / "p.csv")], notebooks_dir=FAKE, out_dir=out)
    assert not out.exists()


def test_a_dead_worker_fails_only_its_own_report(tmp_path):
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024), ("PH-TUE", 2024), ("PH-B", 2024)])
    out = tmp_path / "sortie"
    jobs = [ReportJob(p, 2024, "synthese", entree) for p in ("PH-A", "PH-TUE", "PH-B")]
    results = run_reports(jobs, notebooks_dir=FAKE, out_dir=out, workers=2)
    assert [r.statut for r in results] == ["ok", "echec", "ok"]
    assert "processus de travail s'est arrêté" in results[1].erreur
    assert (out / "2024/PH-A/00_synthese.html").exists() and (out / "2024/PH-B/00_synthese.html").exists()
    assert not (out / "2024/PH-TUE/00_synthese.ipynb").exists()
    assert not (out / "2024/PH-TUE/00_synthese.html").exists()


def test_a_report_asked_twice_is_made_once(tmp_path):
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024)])
    job = ReportJob("PH-A", 2024, "bups", entree)
    results = run_reports([job, job], notebooks_dir=FAKE, out_dir=tmp_path / "sortie")
    assert [r.statut for r in results] == ["ok", "ok"] and results[0] is results[1]


def test_a_dead_kernel_fails_its_report_and_keeps_the_partial_notebook(tmp_path):
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-NOYAU", 2024)])
    out = tmp_path / "sortie"
    [result] = run_reports([ReportJob("PH-NOYAU", 2024, "synthese", entree)], notebooks_dir=FAKE, out_dir=out)
    assert result.statut == "echec"
    assert "noyau" in result.erreur and "DeadKernelError" in result.erreur
    assert result.chemin == "2024/PH-NOYAU/00_synthese.echec.ipynb"
    assert _files(out) == ["2024/PH-NOYAU/00_synthese.echec.ipynb", "2024/PH-NOYAU/entree.csv"]
    partial = json.loads((out / result.chemin).read_text(encoding="utf-8"))
    assert partial["metadata"]["papermill"]["parameters"]["pharmacie_id"] == "PH-NOYAU"
    # the state up to the kernel's death is kept (the last output of the dying cell may be lost with it)
    injected = [c for c in partial["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert injected and injected[0]["metadata"]["papermill"]["status"] == "completed"


def test_a_folder_held_by_another_run_is_made_last_after_waiting(tmp_path):
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024), ("PH-B", 2024)])
    out = tmp_path / "sortie"
    other = folders.FolderLock(out / "2024" / "PH-A")  # another rosp report writes PH-A
    other.acquire()
    messages: list[str] = []
    done = threading.Event()

    def notice(message: str) -> None:
        messages.append(message)
        if message.startswith("Attente"):
            # by now every free folder is made: PH-B only
            assert _files(out) == ["2024/PH-B/00_synthese.html", "2024/PH-B/00_synthese.ipynb",
                                   "2024/PH-B/entree.csv"]
            done.set()
            other.release()

    jobs = [ReportJob(p, 2024, "synthese", entree) for p in ("PH-A", "PH-B")]
    results = run_reports(jobs, notebooks_dir=FAKE, out_dir=out, workers=1, notice=notice)
    assert done.is_set()
    assert [r.statut for r in results] == ["ok", "ok"]
    assert "en cours d'écriture par un autre « rosp report »" in messages[0]
    assert f"processus {os.getpid()}" in messages[0]
    assert (out / "2024/PH-A/00_synthese.html").exists()


def test_two_concurrent_runs_into_one_folder_lose_nothing(tmp_path):
    import subprocess
    import sys

    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024), ("PH-B", 2024), ("PH-C", 2024)])
    out = tmp_path / "sortie"
    cmd = [str(Path(sys.executable).parent / "rosp"), "report", str(entree), "--toutes", "--themes", THEMES,
           "--notebooks", str(FAKE), "-o", str(out), "-j", "1"]
    runs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [r.communicate(timeout=600)[0] for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    for pid in ("PH-A", "PH-B", "PH-C"):
        for stem in ("00_synthese", "02_bups"):
            nb = out / "2024" / pid / f"{stem}.ipynb"
            assert _printed(nb)["pharmacie_id"] == pid  # complete, valid JSON
            assert folders.recorded_key(nb.parent, stem)
    assert not [p for p in out.rglob("*") if "partiel" in p.name]
    statuts = {k: r["statut"] for k, r in _manifest(out).items()}
    assert len(statuts) == 6 and set(statuts.values()) <= {"ok", "deja_fait"}


def test_the_run_writes_an_index_with_a_link_to_every_report_made(batch):
    """index.html at the root and one page per pharmacy; every link of the index leads to a file."""
    import re as _re

    _, out, _ = batch
    index = (out / "index.html").read_text(encoding="utf-8")
    links = _re.findall(r'href="([^"]+)"', index)
    assert "2024/PH-A/00_synthese.ipynb".replace(".ipynb", ".html") in links
    for link in links:
        assert (out / link).exists(), link
    assert (out / "pharmacies" / "PH-B.html").exists()
    assert "PH-ECHEC" in index and "échec" in index


def test_a_scenario_run_is_written_apart_from_the_reference_reports(tmp_path):
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024)])
    scenario = tmp_path / "mon-scenario.yaml"
    scenario.write_text("bups:\n  stabilite_75:\n    montant_bas: 0\n", encoding="utf-8")
    out = tmp_path / "sortie"
    result = _report([str(entree), "--pharmacie", "PH-A", "--themes", "synthese", "--notebooks", str(FAKE),
                      "--parametres", str(scenario), "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert (out / "scenarios" / "mon-scenario" / "2024" / "PH-A" / "00_synthese.html").exists()
    assert not (out / "2024").exists()
    assert "scénario mon-scenario" in (out / "scenarios" / "mon-scenario" / "index.html").read_text(encoding="utf-8")


def test_a_scenario_copy_keeps_the_scenario_name_and_a_stale_copy_goes(tmp_path):
    """The folder's copy of the scenario is named after the user's file (the reports name the scenario after
    their `parametres`): « parametres.yaml » was the name of every scenario. A copy left by an older run goes."""
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024)])
    scenario = tmp_path / "montants.yml"
    scenario.write_text("bups:\n  stabilite_75:\n    montant_bas: 0\n", encoding="utf-8")
    out = tmp_path / "sortie"
    folder = out / "scenarios" / "montants" / "2024" / "PH-A"
    folder.mkdir(parents=True)
    (folder / "parametres.yaml").write_text("ancien: 1\n", encoding="utf-8")
    result = _report([str(entree), "--pharmacie", "PH-A", "--themes", "synthese", "--notebooks", str(FAKE),
                      "--parametres", str(scenario), "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    printed = _printed(folder / "00_synthese.ipynb")
    assert printed["parametres"] == "montants.yaml"
    assert printed["dossier"] == ["entree.csv", "montants.yaml"]
    assert (folder / "montants.yaml").read_bytes() == scenario.read_bytes()


def test_a_real_scenario_report_names_the_users_scenario(tmp_path):
    """A report of the project's notebooks made with --parametres montants.yaml says « montants » in its title
    and banner, with the scenario's description (escaped), and never the name of the folder's copy of old."""
    scenario = tmp_path / "montants.yaml"
    scenario.write_text("description: Exercice coordonné à 900 € <essai>\n"
                        "numerique:\n  exercice_coordonne:\n    montant: 900\n", encoding="utf-8")
    out = tmp_path / "sortie"
    result = _report([str(ROOT / "data" / "pharmacies.csv"), "--molecules", str(ROOT / "data" / "molecules.csv"),
                      "--pharmacie", "PH-TILLEULS", "--exercice", "2024", "--themes", "numerique",
                      "--parametres", str(scenario), "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    html = (out / "scenarios" / "montants" / "2024" / "PH-TILLEULS" / "01_numerique.html").read_text(encoding="utf-8")
    assert "scénario montants</title>" in html
    assert french_quotes("<strong>Scénario « montants.yaml »</strong> (Exercice coordonné à 900 € &lt;essai&gt;) : "
                         "ce rapport n'est pas le calcul de référence.") in html
    assert "parametres.yaml" not in html and "scénario parametres" not in html


@pytest.mark.parametrize("args", [["--toutes"], ["--pharmacie", "PH-A", "--exercice", "2024"]])
def test_a_planted_symlink_at_the_log_is_refused_and_its_target_left_intact(tmp_path, args):
    """rapports.log is appended to by the run (and by its kernels): never through a symlink planted there."""
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024)])
    out = tmp_path / "sortie"
    out.mkdir()
    victim = tmp_path / "precieux.txt"
    victim.write_bytes(b"ne pas toucher\n")
    (out / "rapports.log").symlink_to(victim)
    result = _report([str(entree), *args, "--themes", "synthese", "--notebooks", str(FAKE), "-o", str(out)])
    assert result.exit_code == 3, result.output  # an output that cannot be written, as the other outputs
    assert "Erreur" in result.output and "rapports.log est un lien symbolique" in result.output
    assert victim.read_bytes() == b"ne pas toucher\n"
    assert (out / "rapports.log").is_symlink()
    assert _files(out) == []  # no report made


def test_a_log_that_is_not_a_regular_file_is_refused_without_blocking(tmp_path):
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024)])
    out = tmp_path / "sortie"
    out.mkdir()
    os.mkfifo(out / "rapports.log")  # no reader: opening it for writing would block
    result = _report([str(entree), "--toutes", "--themes", "synthese", "--notebooks", str(FAKE), "-o", str(out)])
    assert result.exit_code == 3, result.output  # an output that cannot be written
    assert "n'est pas un fichier ordinaire" in result.output
    assert _files(out) == []


def test_with_enough_folders_the_reports_of_a_folder_share_a_worker(tmp_path):
    """Folder affinity: the kernel reads a pharmacy-year and computes its readings once for its reports."""
    ids = ["PH-A", "PH-B", "PH-C", "PH-D"]
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [(p, 2024) for p in ids])
    jobs = [ReportJob(p, 2024, t, entree) for p in ids for t in ("synthese", "bups")]
    results = run_reports(jobs, notebooks_dir=FAKE, out_dir=tmp_path / "sortie", workers=2)
    assert [r.statut for r in results] == ["ok"] * 8
    workers = {p: {r.worker for r in results if r.pharmacie_id == p} for p in ids}
    assert all(len(w) == 1 for w in workers.values()), workers
    assert len(set().union(*workers.values())) == 2, workers  # both workers used


def test_with_folder_affinity_a_dead_worker_fails_only_the_reports_that_kill_it(tmp_path):
    ids = ["PH-A", "PH-TUE", "PH-B", "PH-C"]
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [(p, 2024) for p in ids])
    jobs = [ReportJob(p, 2024, t, entree) for p in ids for t in ("synthese", "bups")]
    results = run_reports(jobs, notebooks_dir=FAKE, out_dir=tmp_path / "sortie", workers=2)
    assert [(r.pharmacie_id, r.statut) for r in results] == [
        (p, "echec" if p == "PH-TUE" else "ok") for p in ids for _ in range(2)]
    assert all("processus de travail s'est arrêté" in r.erreur for r in results if r.pharmacie_id == "PH-TUE")


def test_the_network_kernel_chatter_goes_to_the_log_not_to_the_console(tmp_path):
    """The kernel of 90_reseau inherits the command's stderr: what it prints there (jupyter's English warnings,
    its shutdown messages) belongs in rapports.log, not on the user's console."""
    import subprocess
    import sys

    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    notebooks = tmp_path / "nb"
    shutil.copytree(FAKE, notebooks)
    reseau = new_notebook(cells=[
        new_code_cell('entree = ""\nmolecules = ""\nparametres = ""\nsortie = ""', metadata={"tags": ["parameters"]}),
        new_code_cell('import os\nos.write(2, b"bavardage du noyau sur stderr\\n")\nprint("vue faite")')])
    reseau.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(reseau, notebooks / "90_reseau.ipynb")
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024)])
    out = tmp_path / "sortie"
    cmd = [str(Path(sys.executable).parent / "rosp"), "report", str(entree), "--toutes", "--themes", "synthese",
           "--notebooks", str(notebooks), "-o", str(out), "-j", "1"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "Vue réseau :" in run.stderr  # the command's own messages stay on the console
    assert "bavardage" not in run.stderr + run.stdout
    assert "bavardage du noyau sur stderr" in (out / "rapports.log").read_text(encoding="utf-8")
    assert "vue faite" in (out / "90_reseau.ipynb").read_text(encoding="utf-8")


def test_a_read_only_home_gives_no_english_warning(tmp_path):
    """With a HOME that cannot be written (a service account), IPython printed twice on the console « UserWarning:
    IPython parent '…' is not a writable location, using a temp directory. »: a private IPYTHONDIR is given first."""
    import subprocess
    import sys

    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024)])
    env = {k: v for k, v in os.environ.items() if k != "IPYTHONDIR"} | {"HOME": "/proc/rosp-sans-dossier"}
    cmd = [str(Path(sys.executable).parent / "rosp"), "report", str(entree), "--toutes", "--themes", "synthese",
           "--notebooks", str(FAKE), "-o", str(tmp_path / "sortie"), "-j", "1"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stderr
    assert "Warning" not in run.stderr + run.stdout and "writable" not in run.stderr + run.stdout
    assert _manifest(tmp_path / "sortie")[("PH-A", "2024", "synthese")]["statut"] == "ok"


def test_the_private_ipython_dir_is_where_ipython_looks_and_only_when_home_is_read_only(tmp_path, monkeypatch):
    import tempfile
    import warnings

    from IPython.paths import get_ipython_dir

    from rosp_lib.batch.worker import private_ipython_dir

    monkeypatch.delenv("IPYTHONDIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    private_ipython_dir()
    assert "IPYTHONDIR" not in os.environ  # a writable HOME: IPython's own folder
    monkeypatch.setenv("HOME", "/proc/rosp-sans-dossier")
    private_ipython_dir()
    given = os.environ["IPYTHONDIR"]
    assert Path(given).is_dir() and given.startswith(tempfile.gettempdir())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert get_ipython_dir() == given
    monkeypatch.delenv("IPYTHONDIR")
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: (_ for _ in ()).throw(RuntimeError("no home"))))
    private_ipython_dir()  # no home at all (a container's user without an account): a private folder too
    assert Path(os.environ["IPYTHONDIR"]).is_dir()


def test_network_view_judges_its_gains_at_the_reports_date(tmp_path, monkeypatch):
    """`rosp report --toutes --date 2025-06-01` judged the network view's « gains à portée » at today's date
    (audit: its list did not match the pharmacies' reports made at 01/06/2025)."""
    import datetime as dt

    import papermill

    from rosp_lib.batch import reports

    seen = {}

    def execute(source, output, parameters=None, **kwargs):
        seen.update(parameters)
        raise RuntimeError("arrêt du test")

    monkeypatch.setattr(papermill, "execute_notebook", execute)
    (tmp_path / "out").mkdir()
    assert reports._network(tmp_path / "out", ROOT / "notebooks", ROOT / "data" / "pharmacies.csv", None, None,
                            dt.date(2025, 6, 1)) is False
    assert seen["date_gains"] == "2025-06-01"


def test_a_narrower_toutes_run_adds_its_rows_to_the_manifest_and_the_index(tmp_path):
    """`--toutes --exercice 2025` after `--toutes --exercice 2024` (or `--themes bups` after `--themes synthese`)
    rewrote rapports.csv and index.html with its own rows only: the 2024 reports, still on disk, left the index. Only
    a run over every pharmacy, exercise and theme rewrites them whole (a pharmacy gone from the input leaves them)."""
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024), ("PH-A", 2025), ("PH-B", 2024)])
    out = tmp_path / "sortie"
    common = ["--toutes", "--notebooks", str(FAKE), "-o", str(out), "-j", "1"]
    assert _report([str(entree), *common, "--exercice", "2024", "--themes", "synthese"]).exit_code == 0
    assert _report([str(entree), *common, "--exercice", "2025", "--themes", "synthese"]).exit_code == 0
    assert _report([str(entree), *common, "--exercice", "2024", "--themes", "bups"]).exit_code == 0
    assert sorted(_manifest(out)) == [("PH-A", "2024", "bups"), ("PH-A", "2024", "synthese"),
                                      ("PH-A", "2025", "synthese"), ("PH-B", "2024", "bups"),
                                      ("PH-B", "2024", "synthese")]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "2024/PH-B/00_synthese.html" in index and "2025/PH-A/00_synthese.html" in index
    # 3 pharmacy × exercise rows over 2 exercises (it said « 3 exercice(s) »)
    assert "2 pharmacies, 3 lignes pharmacie × exercice (exercices 2024 et 2025)." in index


def test_a_long_identifier_may_wrap_in_the_index(tmp_path):
    """A 64-character identifier (the longest accepted) did not wrap: the amounts and the links went past the right
    edge of the window. Beyond LONG_ID characters its cell may be cut anywhere; a short one stays on one line."""
    from rosp_lib.report.index import INDEX_CSS, LONG_ID

    long_id = "PH-" + "A" * 61
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [(long_id, 2024), ("PH-B", 2024)])
    out = tmp_path / "sortie"
    assert _report([str(entree), "--toutes", "--themes", "synthese", "--notebooks", str(FAKE), "-o", str(out),
                    "-j", "1"]).exit_code == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert len(long_id) > LONG_ID >= len("PH-B")
    assert f'<td class=long><a href="pharmacies/{long_id}.html">' in index and '<td><a href="pharmacies/PH-B.html">' in index
    assert "tbody td.long { white-space: normal; overflow-wrap: anywhere;" in INDEX_CSS


def test_more_jobs_than_cores_are_brought_back_to_the_cores_and_said(tmp_path, monkeypatch):
    """`--jobs 64` started one Jupyter kernel per report on 2 cores (45 s instead of 7 s for 21 reports)."""
    import rosp_lib.batch.reports as reports

    seen = {}
    real = reports.run_reports
    monkeypatch.setattr("rosp_lib.lines.workers.cores", lambda: 2)  # the cores this process may run on
    monkeypatch.setattr(reports, "run_reports", lambda *a, **k: (seen.update(workers=k["workers"]), real(*a, **k))[1])
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024)])
    result = _report([str(entree), "--toutes", "--themes", "synthese", "--notebooks", str(FAKE),
                      "-o", str(tmp_path / "out"), "--jobs", "64"])
    assert result.exit_code == 0, result.output
    assert seen == {"workers": 2}
    assert ("--jobs 64 ramené à 2, le nombre de cœurs de cette machine (des processus en plus ne feraient "
            "qu'attendre, et ralentiraient le lot).") in result.stderr


def test_a_whole_run_says_the_reports_of_rows_gone_from_the_input(tmp_path):
    """A run over the whole file rewrites the index: the reports of a pharmacy × exercise gone from the input left it
    without a word, their files still in the output folder (a titulaire could open them). They are named on the
    console, and left in place (never deleted: the folder may hold another file's reports)."""
    out = tmp_path / "sortie"
    common = ["--toutes", "--notebooks", str(FAKE), "-o", str(out), "-j", "1"]
    before = _pharmacies_csv(tmp_path / "avant.csv", [("PH-A", 2024), ("PH-B", 2024), ("PH-B", 2025)])
    assert _report([str(before), *common]).exit_code == 0
    assert "Attention" not in _report([str(before), *common]).stderr  # the same file again: nothing gone
    after = _pharmacies_csv(tmp_path / "apres.csv", [("PH-A", 2024), ("PH-B", 2025)])
    narrower = _report([str(after), *common, "--themes", "synthese"])  # merges: nothing leaves the index
    assert narrower.exit_code == 0 and "Attention" not in narrower.stderr
    result = _report([str(after), *common])
    assert result.exit_code == 0, result.output
    assert ("Attention : 1 ligne pharmacie × exercice d'un passage précédent n'est plus dans le fichier "
            "d'entrée (PH-B 2024) : ses rapports sortent de l'index, mais ses fichiers restent dans le dossier "
            "de sortie (2024/PH-B/, pharmacies/PH-B.html…) ; supprimez-les s'ils ne servent plus.") in result.stderr
    assert (out / "2024" / "PH-B" / "00_synthese.html").is_file()  # left in place
    assert {k[:2] for k in _manifest(out)} == {("PH-A", "2024"), ("PH-B", "2025")}
    assert "2024/PH-B/" not in (out / "index.html").read_text(encoding="utf-8")


def test_the_rows_gone_from_the_input_are_listed_within_bounds(tmp_path):
    from rosp_lib.batch.reports import _gone_from_input, _gone_notice

    manifest = tmp_path / "rapports.csv"
    manifest.write_text("pharmacie_id,exercice,theme,statut\n"
                        + "".join(f"PH-{i:02d},2024,synthese,ok\nPH-{i:02d},2024,bups,echec\n" for i in range(25))
                        + "PH-KEEP,2025,synthese,ok\n,,,\n", encoding="utf-8")
    import pandas as pd

    gone = _gone_from_input(manifest, pd.DataFrame({"pharmacie_id": ["PH-KEEP", "PH-03"], "exercice": [2025, 2024]}))
    assert gone == [(f"PH-{i:02d}", 2024) for i in range(25) if i != 3]
    notice = _gone_notice(gone)
    assert notice.startswith("Attention : 24 lignes pharmacie × exercice d'un passage précédent ne sont plus")
    assert "PH-20 2024 et 4 autres)" in notice and "PH-21" not in notice  # 20 named (PH-03 is still there)
    assert _gone_from_input(tmp_path / "absent.csv", pd.DataFrame({"pharmacie_id": [], "exercice": []})) == []


def test_the_progress_bar_and_the_duration_are_written_in_french(tmp_path):
    """« Rapports: » (tqdm's colon, no space), « 91 rapport(s) en 53.9 s » (a decimal point), and an error found by
    run_reports (here --notebooks) printed on the bar's line: « …0/2 [00:00<?]Erreur : notebook(s) introuvable(s) »."""
    import re

    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024), ("PH-B", 2024)])
    result = _report([str(entree), "--toutes", "--themes", "synthese", "--notebooks", str(FAKE),
                      "-o", str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "Rapports : 100 %|" in result.stderr and "Rapports:" not in result.stderr
    assert re.search(r"^2 rapports en \d+,\d s : 2 produits", result.stdout, re.M), result.stdout
    missing = _report([str(entree), "--toutes", "--themes", "synthese", "--notebooks", str(tmp_path / "aucun"),
                       "-o", str(tmp_path / "out2"), "-j", "1"])
    assert missing.exit_code == 2
    error = [line for line in missing.stderr.replace("\r", "\n").splitlines() if "Erreur" in line]
    assert error and all(line.startswith("Erreur : ") for line in error), missing.stderr
    # a run refused by those checks opens no progress bar (it showed « Rapports :   0 % » twice before its error)
    assert "Rapports" not in missing.stderr, missing.stderr


def test_a_failed_network_view_says_why(tmp_path, capsys):
    """« Erreur : la vue réseau n'a pas pu être produite : » ended there: papermill's message starts with an empty
    line. The notebook's own French message is said (here: its input file is not there)."""
    import datetime as dt

    import rosp_lib.batch.reports as reports

    (tmp_path / "out").mkdir()
    capsys.readouterr()
    assert reports._network(tmp_path / "out", ROOT / "notebooks", tmp_path / "absent.csv", None, None,
                            dt.date(2025, 6, 1)) is False
    err = capsys.readouterr().err
    line = next(l for l in err.splitlines() if l.startswith("Erreur : la vue réseau"))
    assert "absent.csv" in line and line != "Erreur : la vue réseau n'a pas pu être produite : ", err


def test_a_name_with_a_very_long_word_may_wrap_in_the_index_and_the_reports(tmp_path):
    """A 3 000-character name without a space (accepted: a name is free text) pushed the amounts and links past the
    right edge of the index, and ran off the synthesis heading. Its cell may be cut anywhere, as a long
    identifier's; the reports' text wraps a word longer than the page."""
    from rosp_lib.report.html import CSS

    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024), ("PH-B", 2024)])
    text = entree.read_text(encoding="utf-8").replace("PH-A;Pharmacie des Tilleuls;", "PH-A;Pharmacie" + "X" * 3000 + ";")
    entree.write_text(text, encoding="utf-8")
    out = tmp_path / "sortie"
    assert _report([str(entree), "--toutes", "--themes", "synthese", "--notebooks", str(FAKE), "-o", str(out),
                    "-j", "1"]).exit_code == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<td class=long>Pharmacie" + "X" * 3000 + "</td>" in index
    assert "<td>Pharmacie des Tilleuls</td>" in index  # PH-B: its words are short
    body = next(rule for rule in CSS.split("}") if rule.strip().startswith("body {"))
    assert "overflow-wrap: break-word" in body


def _terminated():
    """What `timeout` sends: SIGTERM to this process; the handler raises at the next bytecode (delivered now, in this
    main thread)."""
    os.kill(os.getpid(), signal.SIGTERM)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def _after_the_first_report(monkeypatch, then) -> object:
    """The batch patched so that `then()` runs right after its first report is done (a Ctrl+C, a SIGTERM); returns
    the batch's own `_done`, to put back before a next run in the same test."""
    from rosp_lib.batch import reports as batch_reports

    done = batch_reports._Batch._done

    def done_then(self, i, result):
        done(self, i, result)
        then()

    monkeypatch.setattr(batch_reports._Batch, "_done", done_then)
    return done


def _ctrl_c():
    raise KeyboardInterrupt


def test_a_batch_stopped_by_ctrl_c_lists_the_reports_it_finished(tmp_path, monkeypatch):
    """Ctrl+C halfway through a long batch left its finished reports on disk but wrote neither rapports.csv nor
    index.html: they could not be reached until a whole new run. Now they are listed; the next run makes the rest."""
    from rosp_lib.batch import reports as batch_reports

    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024), ("PH-B", 2024)])
    out = tmp_path / "sortie"
    done = _after_the_first_report(monkeypatch, _ctrl_c)
    result = CliRunner().invoke(main, ["report", str(entree), "--toutes", "--themes", "synthese,bups", "--notebooks",
                                       str(FAKE), "-o", str(out), "-j", "1"])
    assert result.exit_code == 130, result.output
    assert result.stderr.endswith("Interrompu : les rapports terminés sont en place et dans le récapitulatif et "
                                  "l'index (rapports.csv, index.html), les autres seront faits à la prochaine "
                                  "exécution.\n")
    listed = _manifest(out)
    assert len(listed) == 1 and next(iter(listed.values()))["statut"] == "ok"
    (pid, year, theme), = listed
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'href="pharmacies/{pid}.html"' in index and "1 rapport sur 7" in index
    monkeypatch.setattr(batch_reports._Batch, "_done", done)
    again = _report([str(entree), "--toutes", "--themes", "synthese,bups", "--notebooks", str(FAKE), "-o", str(out),
                     "-j", "1"])
    assert again.exit_code == 0, again.output
    assert "3 produits, 1 déjà à jour" in again.output
    assert len(_manifest(out)) == 4


def test_a_forced_batch_stopped_by_ctrl_c_says_to_run_it_again_with_force(tmp_path, monkeypatch):
    """Stopping a `--force` run said « les autres seront faits à la prochaine exécution », yet the next run without
    --force finds the others up to date and redoes none of them (review)."""
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024), ("PH-B", 2024)])
    out = tmp_path / "sortie"
    args = [str(entree), "--toutes", "--themes", "synthese,bups", "--notebooks", str(FAKE), "-o", str(out), "-j", "1"]
    assert _report(args).exit_code == 0
    _after_the_first_report(monkeypatch, _ctrl_c)
    result = CliRunner().invoke(main, ["report", *args, "--force"])
    assert result.exit_code == 130, result.output
    assert result.stderr.endswith("les autres ne seront refaits qu'en relançant avec --force (sans lui, ceux qui sont à "
                                  "jour sont gardés tels quels).\n")


def test_a_batch_stopped_by_ctrl_c_says_the_network_view_in_place_is_an_older_one(tmp_path, monkeypatch):
    """A run over the whole file stopped before its network view left the previous run's 90_reseau.html in place,
    linked by the index as if it were this run's (audit). The command and the index give its date."""
    import datetime as dt

    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024), ("PH-B", 2024)])
    out = tmp_path / "sortie"
    out.mkdir()
    old = out / "90_reseau.html"
    old.write_text("<html>passage précédent</html>", encoding="utf-8")
    stamp = dt.datetime(2026, 12, 1, 10, 0).timestamp()
    os.utime(old, (stamp, stamp))
    _after_the_first_report(monkeypatch, _ctrl_c)
    result = CliRunner().invoke(main, ["report", str(entree), "--toutes", "--themes", "synthese,bups", "--notebooks",
                                       str(FAKE), "-o", str(out), "-j", "1"])
    assert result.exit_code == 130, result.output
    assert result.stderr.endswith("les autres seront faits à la prochaine exécution. La vue réseau (90_reseau.html) "
                                  "n'a pas été refaite : celle en place est celle d'un passage précédent (produite le "
                                  "01/12/2026 à 10\u00a0h\u00a000).\n")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "gains à portée\u00a0; produite le 01/12/2026 à 10\u00a0h\u00a000, sur tout le fichier d'entrée de ce passage-là)" in index
    assert old.read_text(encoding="utf-8") == "<html>passage précédent</html>"  # kept, never half-written


def test_sigterm_stops_a_batch_as_ctrl_c_does_and_a_second_ctrl_c_is_ignored(tmp_path, monkeypatch):
    """SIGTERM (a `timeout`, a job scheduler) killed `rosp report` mute, with no rapports.csv nor index.html though
    reports were finished; and a second Ctrl+C during the cleanup after a first one left the command hanging with an
    English traceback (audit). SIGTERM now stops the batch as Ctrl+C does (exit 128 + 15), and once stopping, further
    Ctrl+C are ignored until the command exits."""
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024), ("PH-B", 2024)])
    out = tmp_path / "sortie"

    _after_the_first_report(monkeypatch, _terminated)
    result = CliRunner().invoke(main, ["report", str(entree), "--toutes", "--themes", "synthese,bups", "--notebooks",
                                       str(FAKE), "-o", str(out), "-j", "1"])
    assert result.exit_code == 128 + signal.SIGTERM, result.output
    assert "Interrompu : les rapports terminés sont en place et dans le récapitulatif et l'index" in result.stderr
    assert len(_manifest(out)) == 1 and (out / "index.html").exists()
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # until the command exits (conftest gives it back)


def test_a_second_sigterm_during_the_stop_keeps_the_list_of_finished_reports(tmp_path, monkeypatch):
    """`timeout` sends SIGTERM to the command, then to its whole process group: the second one, arriving while the
    batch stopped, raised again during the cleanup and the finished reports were listed neither in rapports.csv nor in
    index.html (review, 3 runs of 8). It is ignored: exit 143, the finished report listed."""
    from rosp_lib.batch import reports as batch_reports

    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024), ("PH-B", 2024)])
    out = tmp_path / "sortie"

    close = batch_reports.InlinePool.close

    def close_while_terminated_again(self, cancel=False):
        if cancel:  # the process group's SIGTERM, while the batch stops
            _terminated()
        close(self, cancel)

    monkeypatch.setattr(batch_reports.InlinePool, "close", close_while_terminated_again)
    _after_the_first_report(monkeypatch, _terminated)
    result = CliRunner().invoke(main, ["report", str(entree), "--toutes", "--themes", "synthese,bups", "--notebooks",
                                       str(FAKE), "-o", str(out), "-j", "1"])
    assert result.exit_code == 128 + signal.SIGTERM, result.output
    assert "Interrompu : les rapports terminés sont en place et dans le récapitulatif et l'index" in result.stderr
    assert len(_manifest(out)) == 1 and (out / "index.html").exists()


def test_a_stopped_pool_stops_its_worker_processes_and_their_kernels(tmp_path):
    """LocalPool.close(cancel=True) waited for the report in progress: the command outlived a second Ctrl+C and its
    workers and their Jupyter kernels were left running (audit). They are now stopped, kernels first."""
    import time

    from rosp_lib.batch.reports import LocalPool
    from rosp_lib.batch.worker import Settings

    def children(pid: int) -> set[int]:
        found = set()
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.add(int(entry))
        return found

    pool = LocalPool(1, str(tmp_path / "journal.log"), Settings())
    future = pool.pools[0].submit(time.sleep, 600)  # a report that would run for ten minutes
    deadline = time.monotonic() + 60
    while not future.running() and time.monotonic() < deadline:
        time.sleep(0.1)
    worker, = pool.pools[0]._processes
    while not children(worker) and time.monotonic() < deadline:  # its kernel, started by warm_up
        time.sleep(0.2)
    kernels = children(worker)
    assert kernels, "the worker started no kernel"
    started = time.monotonic()
    pool.close(cancel=True)
    assert time.monotonic() - started < 10
    time.sleep(0.5)
    alive = [p for p in [worker, *kernels] if Path(f"/proc/{p}").exists()
             and Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
    assert alive == []


def test_a_change_of_the_alternative_readings_makes_the_reports_again(tmp_path, monkeypatch):
    """The reports' readings run the alternatives of parameters/scenarios/lectures-alternatives.yaml, but the install
    fingerprint read parameters/*.yaml only: after that file changed, every report was kept as « déjà à jour » and
    still showed the old readings (seen this session)."""
    import rosp_lib.parameters as parameters
    from rosp_lib.batch import worker

    copy = tmp_path / "parameters"
    shutil.copytree(parameters.PARAMETERS_DIR, copy)
    monkeypatch.setattr(parameters, "PARAMETERS_DIR", copy)
    monkeypatch.setattr(worker, "_INSTALL", None)
    before = worker.install_fingerprint()
    alternatives = copy / "scenarios" / "lectures-alternatives.yaml"
    alternatives.write_text(alternatives.read_text(encoding="utf-8") + "\n# changé\n", encoding="utf-8")
    monkeypatch.setattr(worker, "_INSTALL", None)
    assert worker.install_fingerprint() != before


def test_a_report_made_from_other_data_is_said_to_be_redone_in_the_index(tmp_path):
    """A run limited by --themes after the input changed left the synthesis made from the old data: the index showed
    the new total (the input's) beside it, « complet », while the synthesis said another (review). Each report made
    records its amount in rapports.csv (montant_eur); the index says which reports were made from other data. PH-GARE
    2024: 7 069,38 € (a reader's check by hand); its DMP rate at 85 % instead of 92 %, under the 90 % threshold: the
    numérique loses the DMP's 100 € less the theme's 20 % malus of facturation (spec §1.3), 80 €."""
    data = (ROOT / "data" / "pharmacies.csv").read_text(encoding="utf-8")
    entree = tmp_path / "pharmacies.csv"
    entree.write_text(data, encoding="utf-8")
    out = tmp_path / "sortie"
    args = [str(entree), "--molecules", str(ROOT / "data" / "molecules.csv"), "--pharmacie", "PH-GARE", "--exercice",
            "2024", "-o", str(out), "-j", "1"]
    assert _report([*args, "--themes", "synthese,numerique"]).exit_code == 0
    listed = _manifest(out)
    assert listed[("PH-GARE", "2024", "synthese")]["montant_eur"] == "7069.38"
    before = listed[("PH-GARE", "2024", "numerique")]["montant_eur"]
    line = next(x for x in data.splitlines() if x.startswith("PH-GARE;Pharmacie de la Gare;2024;"))
    cells = line.split(";")
    assert cells[14] == "92"  # taux_dmp_pct
    entree.write_text(data.replace(line, ";".join(cells[:14] + ["85"] + cells[15:])), encoding="utf-8")
    assert _report([*args, "--themes", "numerique"]).exit_code == 0
    listed = _manifest(out)
    after = listed[("PH-GARE", "2024", "numerique")]["montant_eur"]
    assert Decimal(before) - Decimal(after) == Decimal("80.00")
    assert listed[("PH-GARE", "2024", "synthese")]["montant_eur"] == "7069.38"  # made before, kept
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<td>1 rapport à refaire (Synthèse)</td>" in index and "(à refaire)" in index and "complet" not in index
    assert ("«\u00a0à refaire\u00a0»\u00a0: rapport fait sur d&#x27;autres données ou d&#x27;autres réglages que le "
            "dernier lancement (le fichier d&#x27;entrée") in index
    # an unchanged run keeps the amounts of the reports up to date
    assert _report([*args, "--themes", "numerique"]).exit_code == 0
    assert _manifest(out)[("PH-GARE", "2024", "numerique")]["montant_eur"] == after


@pytest.mark.parametrize("written", ["NaN", "abc", "", "12,5"])
def test_an_amount_of_the_summary_that_is_no_amount_is_not_judged(written):
    """A summary edited by hand (« NaN ») stopped the index with an English traceback (review)."""
    from rosp_lib.report.index import _stale

    assert _stale({"montant_eur": written}, 1250) is False
    assert _stale({"montant_eur": "12.50"}, 1250) is False and _stale({"montant_eur": "12.51"}, 1250) is True


def test_the_amount_and_claim_a_notebook_carries_are_read_from_one_parse_and_a_broken_notebook_gives_none():
    """`rapports.csv`'s montant_eur is the total the notebook recorded, in euros with a decimal point (123 456 cents:
    1234.56); a notebook that is not a JSON object (a write cut short) has no document (`_Batch.store` records the
    report « echec »)."""
    from rosp_lib.batch.reports import notebook_document, recorded_amount
    from rosp_lib.report.notebook import RECORD_MIME

    recorded = {"cells": [{"outputs": [{"data": {RECORD_MIME: {"total_cents": 123456}}}]}]}
    assert recorded_amount(notebook_document(json.dumps(recorded).encode("utf-8"))) == "1234.56"
    assert recorded_amount(notebook_document(json.dumps({"cells": [{"outputs": [{"data": {RECORD_MIME: {
        "total_cents": "123456"}}}]}]}).encode("utf-8"))) == ""  # not a count of cents
    for broken in (b'{"cells": [', b"\xff\xfe", b"[1, 2]", b"", None):
        assert notebook_document(broken) is None
    assert recorded_amount(notebook_document(b"{}")) == ""


def test_report_says_on_its_console_the_payments_dated_after_its_date(tmp_path):
    """`rosp report --versements --date` said the statement's lines dated after --date in the synthesis only, while the
    README says « console et synthèse » and `rosp rapprocher` says them on its console (review): those of the
    pharmacy-years whose synthesis is made. The real synthesis (the fake one declares no `versements`)."""
    result = _report([str(ROOT / "data" / "pharmacies.csv"), "--pharmacie", "PH-SEGUR", "--exercice", "2026",
                      "--themes", "synthese", "--versements", str(ROOT / "data" / "versements.csv"),
                      "--date", "2026-12-03", "-o", str(tmp_path / "sortie")])
    assert result.exit_code == 0, result.output
    # its own lines only (the statement's 7 lines of 2026 are those of two pharmacies)
    assert ("Avertissement : 2 lignes du relevé datées après le 03/12/2026 (date de référence) : PH-SEGUR 2026 numerique "
            "(15/04/2027), PH-SEGUR 2026 colorectal (18/06/2027) — comptées comme versées") in result.stderr
    # no synthesis made, no reconciliation: nothing to say (review: 17 lines of other pharmacies were listed)
    theme = _report([str(ROOT / "data" / "pharmacies.csv"), "--pharmacie", "PH-GARE", "--exercice", "2024",
                     "--themes", "numerique", "--notebooks", str(FAKE), "--versements",
                     str(ROOT / "data" / "versements.csv"), "--date", "2025-09-15", "-o", str(tmp_path / "autre")])
    assert theme.exit_code == 0, theme.output
    assert "datée" not in theme.stderr


def test_themes_are_read_without_case_nor_accents_and_checked_before_the_file():
    """« --themes numérique » was refused (« vouliez-vous dire « numerique » ? »), and only after the whole input file
    was read and its warnings printed (review)."""
    from rosp_lib.batch.reports import _parse_themes

    assert _parse_themes("Numérique, synthèse,BUPS") == ["numerique", "synthese", "bups"]
    result = _report([str(ROOT / "data" / "pharmacies.csv"), "--pharmacie", "PH-GARE", "--themes", "météo"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Erreur : thème inconnu : météo ;")  # before the file is read and its warnings


def test_a_statement_with_its_header_only_gives_no_traceback(tmp_path):
    """The lines dated after --date, looked for among the pharmacy-years made, selected them with a list: an empty one
    selected no column, and a statement with its header only ended in KeyError (found before landing)."""
    statement = tmp_path / "versements.csv"
    statement.write_text("pharmacie_id;exercice;theme;indicateur;montant_verse_eur;date_versement;libelle_releve\n",
                         encoding="utf-8")
    result = _report([str(ROOT / "data" / "pharmacies.csv"), "--pharmacie", "PH-SEGUR", "--exercice", "2026",
                      "--themes", "synthese", "--versements", str(statement), "--date", "2026-12-03",
                      "-o", str(tmp_path / "sortie")])
    assert result.exit_code == 0, result.output
    assert "datée" not in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("stop, code", [("ctrl_c", 130), ("sigterm", 143)])
def test_a_batch_stopped_during_the_network_view_still_writes_its_index(tmp_path, monkeypatch, stop, code):
    """Ctrl+C or SIGTERM during the network view (≈ 25 s after the reports, with no progress bar) ended the command
    with « Interrompu. » alone: index.html and the pharmacy pages kept the amounts of the previous run, and SIGTERM gave
    130 instead of 143 (review)."""
    from rosp_lib.batch import reports as batch_reports

    def network(*args, **kwargs):
        if stop == "ctrl_c":
            raise KeyboardInterrupt
        os.kill(os.getpid(), signal.SIGTERM)  # the command's own handler makes it a stop

    monkeypatch.setattr(batch_reports, "_network", network)
    entree = _pharmacies_csv(tmp_path / "pharmacies.csv", [("PH-A", 2024), ("PH-B", 2024)])
    out = tmp_path / "sortie"
    result = CliRunner().invoke(main, ["report", str(entree), "--toutes", "--themes", "synthese", "--notebooks",
                                       str(FAKE), "-o", str(out), "-j", "1"])
    assert result.exit_code == code, result.output
    assert result.stderr.endswith("Interrompu pendant la vue réseau : les rapports sont en place, dans le "
                                  "récapitulatif et l'index (rapports.csv, index.html).\n")
    assert "2 rapports en" in result.output and len(_manifest(out)) == 2
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="pharmacies/PH-A.html"' in index and 'href="pharmacies/PH-B.html"' in index


def test_a_report_is_redone_when_the_other_payment_date_its_letter_speaks_of_passes(tmp_path):
    """PH-GARE 2024, a statement holding only the numérique: on 15/05/2025 the BUPS's date of the tool (31/03/2025) is
    passed, its other reading (31/05/2025) not — the letter says « attendez le 01/06/2025 et refaites ce projet ».
    Made again on 05/06/2025, the report was « déjà à jour » and kept that letter (review): its content key now
    records that other date too."""
    statement = tmp_path / "v.csv"
    statement.write_text("pharmacie_id;exercice;theme;indicateur;montant_verse_eur;date_versement;libelle_releve\n"
                         "PH-GARE;2024;numerique;;6108;2025-04-15;ROSP\n", encoding="utf-8")
    out = tmp_path / "sortie"

    def run(day: str):
        result = _report([str(ROOT / "data" / "pharmacies.csv"), "--molecules", str(ROOT / "data" / "molecules.csv"),
                          "--pharmacie", "PH-GARE", "--exercice", "2024", "--themes", "synthese", "--versements",
                          str(statement), "--date", day, "-o", str(out), "-j", "1"])
        assert result.exit_code == 0, result.output
        return result.output, (out / "2024" / "PH-GARE" / "reclamation_PH-GARE_2024.md").read_text(encoding="utf-8")

    _, letter = run("2025-05-15")
    assert "date de versement incertaine" in letter and "attendez le 01/06/2025" in letter
    output, letter = run("2025-06-05")
    assert "1 produit, 0 déjà à jour" in output
    assert "date de versement incertaine" not in letter and "05/06/2025" in letter


def test_a_report_redone_from_its_folder_keeps_the_index_and_the_statement_of_the_others(tmp_path):
    """docs/cluster.md's « Relancer un seul rapport » — the folder's own entree.csv, one theme, --force — wrote an index
    whose other rows read 0,00 €, named by their identifier, « à refaire », and deleted the folder's versements.csv, so
    that the next documented step (--versements 2024/PH-TILLEULS/versements.csv) failed (review). Then the README's
    one-pharmacy command without --versements redid a synthesis made with a statement without a word."""
    out = tmp_path / "sortie"
    notebooks = tmp_path / "notebooks"  # the real synthesis (it reads the statement), the fake theme reports
    shutil.copytree(FAKE, notebooks)
    shutil.copy(ROOT / "notebooks" / "00_synthese.ipynb", notebooks / "00_synthese.ipynb")
    first = _report([str(ROOT / "data" / "pharmacies.csv"), "--molecules", str(ROOT / "data" / "molecules.csv"),
                     "--versements", str(ROOT / "data" / "versements.csv"), "--toutes", "--exercice", "2024",
                     "--themes", "synthese,numerique", "--notebooks", str(notebooks), "-o", str(out), "-j", "1"])
    assert first.exit_code == 0, first.output
    folder = out / "2024" / "PH-TILLEULS"
    assert (folder / "versements.csv").is_file()
    assert _manifest(out)[("PH-GARE", "2024", "synthese")]["nom"] == "Pharmacie de la Gare"
    again = _report([str(folder / "entree.csv"), "--molecules", str(folder / "molecules.csv"), "--pharmacie",
                     "PH-TILLEULS", "--exercice", "2024", "--themes", "numerique", "--force", "--notebooks",
                     str(notebooks), "-o", str(out), "-j", "1"])
    assert again.exit_code == 0, again.output
    assert (folder / "versements.csv").is_file()  # the synthesis made with it can still be redone from the folder
    assert "relevé" not in again.stderr  # its synthesis is not redone: nothing lost, nothing to say
    index = (out / "index.html").read_text(encoding="utf-8")
    gare = next(r for r in index.split("<tr>") if ">PH-GARE</a>" in r).split("</tr>")[0]
    assert "<td>Pharmacie de la Gare</td>" in gare and "hors du fichier d&#x27;entrée" in gare
    # its synthesis recorded the exercise's total, its fake numérique report none: « ? », never 0,00 €
    assert "à refaire" not in gare and re.findall(r'<td class="montant"[^>]*>(.*?)</td>', gare)[:2] == ["?", "?"]
    tilleuls = next(r for r in index.split("<tr>") if ">PH-TILLEULS</a>" in r).split("</tr>")[0]
    assert "hors du fichier" not in tilleuls and "Pharmacie des Tilleuls" in tilleuls
    # its synthesis, made with the statement, is not « à refaire » for a run without one (review: the legend then had
    # it redone without its reconciliation)
    assert "à refaire" not in tilleuls
    # a run with another statement that does not redo the synthesis leaves the folder's copy, which it was made from
    copy = (folder / "versements.csv").read_bytes()
    other = tmp_path / "autre.csv"
    other.write_text("pharmacie_id;exercice;theme;montant_verse_eur\nPH-TILLEULS;2024;bups;1,00\n", encoding="utf-8")
    themed = _report([str(ROOT / "data" / "pharmacies.csv"), "--molecules", str(ROOT / "data" / "molecules.csv"),
                      "--versements", str(other), "--pharmacie", "PH-TILLEULS", "--exercice", "2024", "--themes",
                      "numerique", "--force", "--notebooks", str(notebooks), "-o", str(out), "-j", "1"])
    assert themed.exit_code == 0, themed.output
    assert (folder / "versements.csv").read_bytes() == copy
    # the README's command for one pharmacy, without --versements: its synthesis made with a statement is redone
    # without it, and said first
    plain = _report([str(ROOT / "data" / "pharmacies.csv"), "--molecules", str(ROOT / "data" / "molecules.csv"),
                     "--pharmacie", "PH-GARE", "--exercice", "2024", "--themes", "synthese", "--notebooks",
                     str(notebooks), "-o", str(out), "-j", "1"])
    assert plain.exit_code == 0, plain.output
    assert ("Avertissement : la synthèse de PH-GARE 2024 avait été faite avec un relevé des versements (versements.csv "
            "de son dossier) ; sans --versements, elle est refaite sans rapprochement ni projet de réclamation. Pour les "
            "garder, relancez avec --versements et le relevé.") in plain.stderr
    assert not (out / "2024" / "PH-GARE" / "versements.csv").exists()  # redone without it, as said


def test_the_summary_neutralises_the_texts_a_spreadsheet_would_run(tmp_path):
    """rapports.csv is opened in a spreadsheet: its error messages may quote an input value, and its names are the
    input's; written with the text prefix (OWASP), the name read back without it by the index."""
    from rosp_lib.batch.reports import ReportResult, write_manifest

    from rosp_lib.lines.csvfile import prefix_removed
    from rosp_lib.report.index import _rows

    names = {("PH-A", 2024): "+Pharmacie;=cmd", ("PH-B", 2024): "Officine\t@SUM(A1)"}
    path = write_manifest([ReportResult(p, y, "synthese", "echec", 0.0, "=HYPERLINK(\"x\")", "") for p, y in names],
                          tmp_path / "rapports.csv", names=names)
    rows = _manifest(tmp_path)
    assert rows[("PH-A", "2024", "synthese")]["erreur"] == "'=HYPERLINK(\"x\")"
    # after a « ; » or a tab too: the file declares no separator, and French Excel cuts a line at « ; » (review:
    # « Officine;=1+1 » ran =1+1)
    assert rows[("PH-A", "2024", "synthese")]["nom"] == "'+Pharmacie;'=cmd"
    assert rows[("PH-B", "2024", "synthese")]["nom"] == "Officine\t'@SUM(A1)"
    # read back by the index as the input wrote them
    manifest = pd.read_csv(path, dtype=str, keep_default_na=False)
    lines = pd.DataFrame({"pharmacie_id": ["x"], "exercice": [2023], "theme": ["bups"], "montant_cents": [0]})
    assert {(pid, year): nom for pid, year, nom, *_ in _rows(manifest, lines, {})} == names
    assert prefix_removed("x;''=y", inner=True) == "x;'=y"


def test_progress_written_into_a_file_is_not_one_state_per_report(tmp_path):
    """`rosp report … 2>journal` (cron, nohup) wrote the bar once per report: 1 619 states, 114 kB for one run (review).
    Into a file, one state every PROGRESS_TO_FILE_S seconds: here the first and the last."""
    entree = _pharmacies_csv(tmp_path / "p.csv", [(f"PH-{i}", 2024) for i in range(5)])
    result = _report([str(entree), "--toutes", "--themes", THEMES, "--notebooks", str(FAKE), "-o", str(tmp_path / "out"),
                      "-j", "1"])
    assert result.exit_code == 0, result.output
    states = re.findall(r"Rapports : +(\d+) %\|", result.stderr)
    assert states[0] == "0" and states[-1] == "100" and len(states) <= 3, states
    # each state on a line of its own, without the carriage returns that made the journal one line (review)
    assert "\r" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("Rapports")]
    assert len(lines) == len(states) and all(line.endswith("]") for line in lines), lines
    assert len(set(lines)) == len(lines), lines  # the last state once, though tqdm draws it again at close
    assert "\n\n" not in result.stderr, result.stderr


def _fake_network(folder: Path) -> None:
    """A network notebook with the real one's parameters, that only prints what it was given."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    params = new_code_cell('entree = ""\nmolecules = ""\nparametres = ""\nsortie = ""\ndate_gains = ""\nindex = ""')
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[params, new_code_cell("import time\nprint(entree, date_gains, time.time_ns())")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "90_reseau.ipynb")


def test_the_network_view_is_not_made_again_when_nothing_it_reads_changed(tmp_path):
    """A run with every report up to date still made the network view again (83 s of CPU for 300 pharmacies, review).
    It is kept when its content key is unchanged; made again under --force, another date or another input."""
    notebooks = tmp_path / "notebooks"
    shutil.copytree(FAKE, notebooks)
    _fake_network(notebooks)
    entree = _pharmacies_csv(tmp_path / "p.csv", [("PH-A", 2024), ("PH-B", 2024)])
    out = tmp_path / "out"
    args = [str(entree), "--toutes", "--themes", "synthese", "--notebooks", str(notebooks), "-o", str(out), "-j", "1",
            "--date", "2025-01-15"]
    first = _report(args)
    assert first.exit_code == 0, first.output
    page = (out / "90_reseau.ipynb").read_bytes()
    again = _report(args)
    assert again.exit_code == 0, again.output
    assert f"Vue réseau déjà à jour : {out / '90_reseau.html'}" in again.stderr
    assert (out / "90_reseau.ipynb").read_bytes() == page  # not made again: the same printed time
    for other in (["--force"], ["--date", "2025-01-16"]):
        redone = _report([*args[:-2], *other] if "--date" in other else [*args, *other])
        assert redone.exit_code == 0, redone.output
        assert "déjà à jour" not in redone.stderr.split("Vue réseau")[-1]
        assert (out / "90_reseau.ipynb").read_bytes() != page
        page = (out / "90_reseau.ipynb").read_bytes()
    # another report made: the view's links change (review: kept « à jour », the new reports unlinked)
    more = _report([*[a if a != "synthese" else "synthese,bups" for a in args]])
    assert more.exit_code == 0 and "déjà à jour" not in more.stderr.split("Vue réseau")[-1]
    assert (out / "90_reseau.ipynb").read_bytes() != page
    page = (out / "90_reseau.ipynb").read_bytes()
    entree.write_text(entree.read_text(encoding="utf-8").replace("PH-B", "PH-C"), encoding="utf-8")
    changed = _report(args)
    assert changed.exit_code == 0 and (out / "90_reseau.ipynb").read_bytes() != page


def test_the_index_says_which_reports_an_identical_run_would_redo(tmp_path):
    """The index said « à refaire » only of a report whose amount changed: PH-B renamed, then a run limited to PH-A,
    kept PH-B « complet » while the next run redid both its reports (review). It now compares content keys."""
    entree = _pharmacies_csv(tmp_path / "p.csv", [("PH-A", 2024), ("PH-B", 2024)])
    out = tmp_path / "out"
    args = ["--themes", THEMES, "--notebooks", str(FAKE), "-o", str(out), "-j", "1"]
    assert _report([str(entree), "--toutes", *args]).exit_code == 0

    def row(pid: str) -> str:
        index = (out / "index.html").read_text(encoding="utf-8")
        return next(r for r in index.split("<tr>") if f">{pid}</a>" in r).split("</tr>")[0]

    assert "2 rapports sur 7" in row("PH-B")  # the two themes asked, none to redo
    text = entree.read_text(encoding="utf-8").splitlines()
    name = text[2].split(";")[1]
    text[2] = text[2].replace(f";{name};", ";Pharmacie B renommée;", 1)  # PH-B's name only: no amount changes
    entree.write_text("\n".join(text) + "\n", encoding="utf-8")
    narrow = _report([str(entree), "--pharmacie", "PH-A", *args])
    assert narrow.exit_code == 0, narrow.output
    assert "2 rapports à refaire (Synthèse, Bon usage" in row("PH-B")
    assert "2 rapports sur 7" in row("PH-A") and "refaire" not in row("PH-A")
    redo = _report([str(entree), "--toutes", *args])
    assert redo.exit_code == 0 and "2 produits, 2 déjà à jour" in redo.output  # as the index said
    assert "2 rapports sur 7" in row("PH-B") and "refaire" not in row("PH-B")
    # PH-A 2025 made, then a file holding PH-A 2024 only: its 2025 row is outside the input, never « à refaire »
    # (review: both said on one row, the legend telling to run again from an input without it)
    both = _pharmacies_csv(tmp_path / "deux.csv", [("PH-A", 2024), ("PH-A", 2025)])
    assert _report([str(both), "--toutes", *args]).exit_code == 0
    assert _report([str(entree), "--pharmacie", "PH-A", "--force", *args]).exit_code == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    later = next(r for r in index.split("<tr>") if ">PH-A</a>" in r and "<td>2025</td>" in r).split("</tr>")[0]
    assert "hors du fichier d&#x27;entrée" in later and "refaire" not in later


def test_a_folder_at_a_reports_name_replaces_nothing_and_keeps_the_executed_notebook(tmp_path):
    """A folder standing at a report's HTML name: the new notebook replaced the old one under its final name, beside
    the old page, and no .echec.ipynb was kept (review). Now nothing is replaced, and the executed notebook is kept."""
    entree = _pharmacies_csv(tmp_path / "p.csv", [("PH-A", 2024)])
    out = tmp_path / "out"
    args = [str(entree), "--toutes", "--themes", "bups", "--notebooks", str(FAKE), "-o", str(out), "-j", "1"]
    assert _report(args).exit_code == 0
    folder = out / "2024" / "PH-A"
    before = (folder / "02_bups.ipynb").read_bytes()
    (folder / "02_bups.html").unlink()
    (folder / "02_bups.html").mkdir()
    (folder / "02_bups.html" / "x").write_text("x", encoding="utf-8")
    again = _report([*args, "--force"])
    assert again.exit_code == 1
    row = _manifest(out)[("PH-A", "2024", "bups")]
    assert row["statut"] == "echec" and "aucun fichier de sortie n'a été remplacé" in row["erreur"]
    assert (folder / "02_bups.ipynb").read_bytes() == before
    assert (folder / "02_bups.echec.ipynb").is_file() and row["chemin"] == "2024/PH-A/02_bups.echec.ipynb"


def _index_row(out: Path, pid: str) -> str:
    index = (out / "index.html").read_text(encoding="utf-8")
    return next(r for r in index.split("<tr>") if f">{pid}</a>" in r).split("</tr>")[0]


def test_an_interrupted_run_says_which_reports_it_did_not_reach_would_be_redone(tmp_path, monkeypatch):
    """After an input changed, a run stopped by Ctrl+C left the reports it did not reach « complet » in the index when
    their amount had not changed — a synthesis ranking a gain of the old input (review, 66 of 130 rows) — though the
    README says a row is « à refaire » when the last run, limited or interrupted, did not redo it."""
    from rosp_lib.batch import reports as batch_reports

    entree = _pharmacies_csv(tmp_path / "p.csv", [("PH-A", 2024), ("PH-B", 2024)])
    out = tmp_path / "out"
    args = [str(entree), "--toutes", "--themes", "synthese,bups", "--notebooks", str(FAKE), "-o", str(out), "-j", "1"]
    assert _report(args).exit_code == 0
    text = entree.read_text(encoding="utf-8").splitlines()
    for k in (1, 2):  # both names changed: every report's content key changes, no amount does
        name = text[k].split(";")[1]
        text[k] = text[k].replace(f";{name};", f";{name} (nouveau nom);", 1)
    entree.write_text("\n".join(text) + "\n", encoding="utf-8")
    _after_the_first_report(monkeypatch, _ctrl_c)
    result = CliRunner().invoke(main, ["report", *args])
    assert result.exit_code == 130, result.output
    rows = {pid: _index_row(out, pid) for pid in ("PH-A", "PH-B")}
    assert sum("rapport à refaire" in r or "rapports à refaire" in r for r in rows.values()) == 2, rows
    assert "2 rapports à refaire (Synthèse, Bon usage" in rows["PH-B"]  # the first report made is PH-A's
    assert "1 rapport à refaire" in rows["PH-A"]


def test_the_index_of_an_interrupted_first_run_says_the_rows_it_has_no_report_for(tmp_path, monkeypatch):
    """A first run stopped by Ctrl+C wrote an index of « 14 pharmacies » and a « Total 2022 » of 14 rows out of 27, as
    if the whole file (review): the index says how many rows of the input have no report yet."""
    from rosp_lib.batch import reports as batch_reports

    entree = _pharmacies_csv(tmp_path / "p.csv", [("PH-A", 2024), ("PH-B", 2024), ("PH-C", 2024)])
    out = tmp_path / "out"
    own = _after_the_first_report(monkeypatch, _ctrl_c)
    result = CliRunner().invoke(main, ["report", str(entree), "--toutes", "--themes", "synthese", "--notebooks",
                                       str(FAKE), "-o", str(out), "-j", "1"])
    assert result.exit_code == 130, result.output
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<p><strong>2 lignes pharmacie × exercice du fichier d'entrée n'ont encore aucun rapport</strong>" in index
    assert "Relancez <code>rosp report … --toutes</code> pour les faire." in index
    monkeypatch.setattr(batch_reports._Batch, "_done", own)
    done = _report([str(entree), "--toutes", "--themes", "synthese", "--notebooks", str(FAKE), "-o", str(out), "-j", "1"])
    assert done.exit_code == 0, done.output
    assert "encore aucun rapport" not in (out / "index.html").read_text(encoding="utf-8")


def test_the_progress_states_written_into_a_file_are_each_written_once():
    """tqdm draws its last state again when it closes, its time a moment later: into a file, « 3/3 » came twice
    (review)."""
    import io
    import time

    from tqdm import tqdm

    from rosp_lib.cli.progress import StatesByLine as _StatesByLine

    buf = io.StringIO()
    bar = tqdm(total=3, file=_StatesByLine(buf), ncols=80, mininterval=0,
               bar_format="Rapports : {percentage:3.0f} %|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}]")
    for _ in range(3):
        bar.update(1)
    time.sleep(1.1)  # the close's drawing a second later: another elapsed time
    bar.close()
    lines = buf.getvalue().splitlines()
    assert [re.search(r"\| (\d/3) \[", line).group(1) for line in lines] == ["0/3", "1/3", "2/3", "3/3"], lines
    assert "\r" not in buf.getvalue() and buf.getvalue().endswith("]\n")
