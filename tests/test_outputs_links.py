"""Outputs of every command never written through a planted symlink, all files of one command written
together (all or none), names too long and full disks said in French without traceback."""

from __future__ import annotations

import errno
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from rosp_lib.cli import EXIT_OUTPUT, main  # the command group (`rosp report` is imported on demand)
from rosp_lib.batch import folders  # noqa: I001
from rosp_lib.batch.reports import EXIT_OUTPUT as REPORT_EXIT_OUTPUT
from rosp_lib.batch.reports import ReportJob, _Batch
from rosp_lib.batch.worker import Outcome
from rosp_lib.lines import atomic
from rosp_lib.lines.atomic import OutputError, write_together
from rosp_lib.report.index import write_indexes
from rosp_lib.report.versements import CLAIM_MIME

DATA = Path(__file__).resolve().parent.parent / "data"
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
LONG = "a" * 300
TOO_LONG = "nom de fichier ou de dossier trop long"


@pytest.fixture
def one_pharmacy(tmp_path):
    """The first row of the example file alone: `rosp gains` in a second."""
    path = tmp_path / "une_pharmacie.csv"
    path.write_bytes(b"".join((DATA / "pharmacies.csv").read_bytes().splitlines(keepends=True)[:2]))
    return path


@pytest.fixture
def victim(tmp_path):
    path = tmp_path / "victime.txt"
    path.write_text("à garder\n", encoding="utf-8")
    return path


def plant(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)


def replaced(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


# --------------------------------------------------------------------------------------------
# 1. Symlinks planted in a report folder
# --------------------------------------------------------------------------------------------
def test_index_pages_replace_a_planted_symlink_never_write_through_it(tmp_path, victim):
    out = tmp_path / "sortie"
    plant(out / "index.html", victim)
    plant(out / "pharmacies" / "PH-A.html", victim)
    manifest = pd.DataFrame([{"pharmacie_id": "PH-A", "exercice": 2024, "theme": "synthese", "statut": "ok",
                              "chemin": "2024/PH-A/00_synthese.html"}])
    lines = pd.DataFrame({"pharmacie_id": ["PH-A"], "exercice": [2024], "theme": ["bups"], "montant_cents": [100]})
    written = write_indexes(out, manifest, lines, {"PH-A": "Pharmacie A"})
    assert victim.read_text(encoding="utf-8") == "à garder\n"
    assert written == [out / "index.html", out / "pharmacies" / "PH-A.html"]
    for page in written:
        assert replaced(page)
        assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in out.rglob("*")) == ["PH-A.html", "index.html", "pharmacies"]


def test_a_planted_symlink_to_a_folder_is_refused_and_nothing_is_written_where_it_points(tmp_path):
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    (elsewhere / "PH-A.html").write_text("à garder\n", encoding="utf-8")
    out = tmp_path / "sortie"
    plant(out / "pharmacies", elsewhere)
    manifest = pd.DataFrame([{"pharmacie_id": "PH-A", "exercice": 2024, "theme": "synthese", "statut": "ok",
                              "chemin": "2024/PH-A/00_synthese.html"}])
    lines = pd.DataFrame({"pharmacie_id": ["PH-A"], "exercice": [2024], "theme": ["bups"], "montant_cents": [100]})
    with pytest.raises(OutputError) as info:
        write_indexes(out, manifest, lines, {"PH-A": "Pharmacie A"})
    assert str(info.value) == (f"impossible de créer le dossier {out / 'pharmacies'} : lien symbolique refusé ; "
                               "aucune page d'index n'a été remplacée (les anciennes sont intactes)")
    for link in ("2024", "2024/PH-A"):  # a report folder, or the year above it
        folder = tmp_path / link.replace("/", "_") / "2024" / "PH-A"
        plant(folder.parent if link == "2024" else folder, elsewhere)
        with pytest.raises(folders.FolderError) as info:
            folders.FolderLock(folder)
        planted = folder.parent if link == "2024" else folder
        assert str(info.value) == f"impossible de créer le dossier {planted} : lien symbolique refusé"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["PH-A.html"]  # nothing created there
    assert (elsewhere / "PH-A.html").read_text(encoding="utf-8") == "à garder\n"


def test_lock_info_replaces_a_planted_symlink(tmp_path, victim):
    folder = tmp_path / "2024" / "PH-A"
    plant(folder / folders.LOCK_INFO, victim)
    lock = folders.FolderLock(folder)
    lock.acquire()
    try:
        assert victim.read_text(encoding="utf-8") == "à garder\n"
        assert replaced(folder / folders.LOCK_INFO)
        assert (folder / folders.LOCK_INFO).read_text(encoding="utf-8").startswith(f"processus {os.getpid()} sur ")
    finally:
        lock.release()


def test_who_holds_the_lock_is_never_read_through_a_symlink(tmp_path, victim):
    folder = tmp_path / "2024" / "PH-A"
    plant(folder / folders.LOCK_INFO, victim)
    assert folders.FolderLock(folder).holder() == "un autre processus"


def test_a_symlink_at_the_lock_is_a_french_error_naming_it(tmp_path, victim):
    folder = tmp_path / "2024" / "PH-A"
    plant(folder / folders.LOCK, victim)
    with pytest.raises(folders.FolderError) as info:
        folders.FolderLock(folder).acquire()
    assert str(info.value) == f"verrou {folder / folders.LOCK} impossible à ouvrir : lien symbolique refusé"
    assert victim.read_text(encoding="utf-8") == "à garder\n"


def test_input_slices_replace_a_planted_symlink_even_to_identical_bytes(tmp_path):
    folder = tmp_path / "2024" / "PH-A"
    same = tmp_path / "meme_contenu.csv"
    same.write_bytes(b"pharmacie_id\nPH-A\n")
    plant(folder / folders.ENTREE, same)
    folders.put_inputs(folder, {folders.ENTREE: b"pharmacie_id\nPH-A\n"})
    assert replaced(folder / folders.ENTREE)
    assert (folder / folders.ENTREE).read_bytes() == b"pharmacie_id\nPH-A\n"


def test_report_with_a_symlink_at_a_folder_lock_fails_its_reports_in_french(tmp_path, victim):
    """End to end, without any kernel: the folder's reports fail, named in rapports.csv, no traceback."""
    out = tmp_path / "sortie"
    plant(out / "2024" / "PH-TILLEULS" / folders.LOCK, victim)
    result = CliRunner().invoke(main, ["report", str(DATA / "pharmacies.csv"), "--pharmacie", "PH-TILLEULS",
                                       "--exercice", "2024", "--themes", "synthese,bups", "-o", str(out)])
    lock = out.resolve() / "2024" / "PH-TILLEULS" / folders.LOCK
    message = f"verrou {lock} impossible à ouvrir : lien symbolique refusé"
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"Erreur : {message} ; ses rapports ne sont pas faits." in result.stderr
    assert f"échec PH-TILLEULS 2024 synthese : {message}" in result.stderr
    assert "Traceback" not in result.output
    assert victim.read_text(encoding="utf-8") == "à garder\n"
    assert (out / "2024" / "PH-TILLEULS" / folders.LOCK).is_symlink()
    rows = pd.read_csv(out / "rapports.csv", dtype=str, keep_default_na=False)
    assert rows[["theme", "statut", "erreur"]].values.tolist() == [["synthese", "echec", message],
                                                                    ["bups", "echec", message]]


def test_report_with_a_symlink_at_the_summary_lock_is_a_french_error(tmp_path, victim):
    out = tmp_path / "sortie"
    plant(out / ".rapports.csv.verrou", victim)
    plant(out / "2024" / "PH-TILLEULS" / folders.LOCK, tmp_path / "absent")  # no kernel needed: the folder fails
    result = CliRunner().invoke(main, ["report", str(DATA / "pharmacies.csv"), "--pharmacie", "PH-TILLEULS",
                                       "--exercice", "2024", "--themes", "synthese,bups", "-o", str(out)])
    assert result.exit_code == REPORT_EXIT_OUTPUT == 3
    assert result.stderr.endswith(f"Erreur : récapitulatif des rapports : impossible d'écrire "
                                  f"{out / '.rapports.csv.verrou'} : lien symbolique refusé\n")
    assert "Traceback" not in result.output
    assert victim.read_text(encoding="utf-8") == "à garder\n"


# --------------------------------------------------------------------------------------------
# 2. All the files of one command together
# --------------------------------------------------------------------------------------------
def fail_at(monkeypatch, which) -> None:
    """The temporary file of the outputs for which `which(path)` is true cannot be made: a full disk."""
    real = atomic.exclusive_temporary

    def temporary(path):
        if which(Path(path)):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path)

    monkeypatch.setattr(atomic, "exclusive_temporary", temporary)  # batch.folders.write_atomic's too


# the drafts of the example without the molecules (PH-SEGUR 2026 and PH-TILLEULS 2024, only overpaid, have none)
CLAIMS = ["reclamation_PH-CENTRE_2025.md", "reclamation_PH-CENTRE_2026.md", "reclamation_PH-GARE_2024.md",
          "reclamation_PH-MAIRIE_2023.md", "reclamation_PH-TILLEULS_2025.md"]


@pytest.fixture
def old_reconciliation(tmp_path):
    out = tmp_path / "sortie"
    out.mkdir()
    for name in ["rapprochement.csv", *CLAIMS]:
        (out / name).write_bytes(f"ancien {name}\n".encode())
    return out


def rapprocher(out: Path):
    return CliRunner().invoke(main, ["rapprocher", str(DATA / "pharmacies.csv"), "--versements",
                                     str(DATA / "versements.csv"), "-o", str(out)])


def test_rapprocher_on_a_full_disk_replaces_nothing(monkeypatch, old_reconciliation):
    """The disk fills while the third file is written: before, rapprochement.csv and the first draft were
    already replaced while the command said none was."""
    out = old_reconciliation
    fail_at(monkeypatch, lambda p: p.name == "reclamation_PH-GARE_2024.md")
    result = rapprocher(out)
    assert result.exit_code == EXIT_OUTPUT
    errors = [line for line in result.stderr.splitlines() if not line.startswith("Avertissement : ")]
    assert errors == [  # after the warnings (no --molecules; the example's weeks of ASAFO of a cession)
        f"Erreur : impossible d'écrire reclamation_PH-GARE_2024.md dans {out} : disque plein ; "
        "aucun fichier de sortie n'a été remplacé (les anciens sont intacts)"]
    for name in ["rapprochement.csv", *CLAIMS]:
        assert (out / name).read_bytes() == f"ancien {name}\n".encode(), name
    assert sorted(p.name for p in out.iterdir()) == sorted(["rapprochement.csv", *CLAIMS])


def test_rapprocher_keeps_the_draft_of_a_pharmacy_year_its_statement_does_not_cover(old_reconciliation):
    """PH-PORT 2022 is not in this statement: its draft of an earlier run is left as it is."""
    out = old_reconciliation
    (out / "reclamation_PH-PORT_2022.md").write_bytes(b"ancien brouillon\n")
    assert rapprocher(out).exit_code == 0
    assert (out / "reclamation_PH-PORT_2022.md").read_bytes() == b"ancien brouillon\n"
    assert (out / "rapprochement.csv").read_text(encoding="utf-8").startswith("pharmacie_id,exercice,theme,")
    assert all((out / name).read_text(encoding="utf-8").startswith("# Projet de réclamation") for name in CLAIMS)


@pytest.mark.skipif(not ROOT or not shutil.which("mount"), reason="a tmpfs needs root")
def test_rapprocher_on_a_real_full_tmpfs_replaces_nothing(tmp_path):
    disk = tmp_path / "petit"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("mount -t tmpfs refused here")
    try:
        out = disk / "o2"
        out.mkdir()
        for name in ["rapprochement.csv", *CLAIMS]:
            (out / name).write_bytes(f"ancien {name}\n".encode())
        (disk / "remplissage").write_bytes(b"\0" * (64 * 1024 - 11 * 4096))  # 3 pages of 4 KB left
        result = rapprocher(out)
        assert result.exit_code == EXIT_OUTPUT, result.output
        assert "disque plein ; aucun fichier de sortie n'a été remplacé (les anciens sont intacts)" in result.stderr
        for name in ["rapprochement.csv", *CLAIMS]:
            assert (out / name).read_bytes() == f"ancien {name}\n".encode(), name
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_gains_writes_its_one_file_through_the_same_writer(monkeypatch, tmp_path, one_pharmacy):
    out = tmp_path / "sortie"
    out.mkdir()
    (out / "gains.csv").write_bytes(b"anciens gains\n")
    fail_at(monkeypatch, lambda p: p.name == "gains.csv")
    result = CliRunner().invoke(main, ["gains", str(one_pharmacy), "--date", "2025-01-15", "-o", str(out)])
    assert result.exit_code == EXIT_OUTPUT
    assert result.stderr.endswith("disque plein ; aucun fichier de sortie n'a été remplacé (les anciens sont intacts)\n")
    assert (out / "gains.csv").read_bytes() == b"anciens gains\n"


def test_a_synthesis_and_its_claim_draft_are_replaced_together(monkeypatch, tmp_path):
    """rosp report --versements: the disk fills while the claim draft is written: the new synthesis must not
    stand beside the old draft (before: notebook and HTML replaced, old draft kept)."""
    job = ReportJob("PH-A", 2024, "synthese", tmp_path / "entree.csv")
    folder = job.folder(tmp_path)
    folder.mkdir(parents=True)
    p = job.paths(tmp_path)
    claim = folder / "reclamation_PH-A_2024.md"
    old = {p.notebook: b"ancien notebook", p.html: b"ancienne page", claim: b"ancien projet"}
    for path, data in old.items():
        path.write_bytes(data)
    notebook = json.dumps({"cells": [{"cell_type": "code", "outputs": [{"output_type": "display_data", "data": {
        CLAIM_MIME: {"fichier": claim.name, "texte": "nouveau projet"}}}]}]}).encode()
    batch = object.__new__(_Batch)
    batch.jobs, batch.out_dir = [job], tmp_path
    fail_at(monkeypatch, lambda path: path.name == claim.name)
    result = batch.store(0, Outcome("ok", 1.0, "", notebook, b"nouvelle page"), "cle")
    for path, data in old.items():
        assert path.read_bytes() == data, path.name
    assert result.statut == "echec"
    assert result.erreur == (f"écriture du rapport impossible (impossible d'écrire {claim.name} dans {folder} : "
                             "disque plein ; aucun fichier de sortie n'a été remplacé (les anciens sont intacts))")
    assert not p.key.exists()  # not up to date: made again by the next run
    monkeypatch.undo()
    assert batch.store(0, Outcome("ok", 1.0, "", notebook, b"nouvelle page"), "cle").statut == "ok"
    assert [p.notebook.read_bytes(), p.html.read_bytes(), claim.read_bytes()] == [notebook, b"nouvelle page",
                                                                                 b"nouveau projet"]


@pytest.mark.parametrize("notebook", [b'{"cells": [', b"", None])
def test_a_synthesis_whose_notebook_is_not_json_is_a_failure_not_ok(tmp_path, notebook):
    """A report said « ok » whose notebook cannot be read carried no amount and no claim draft, and was recorded « ok »
    (and up to date) all the same: it is a failure, its earlier report and draft go, the bytes kept for reading."""
    job = ReportJob("PH-A", 2024, "synthese", tmp_path / "entree.csv")
    folder = job.folder(tmp_path)
    folder.mkdir(parents=True)
    p = job.paths(tmp_path)
    claim = folder / "reclamation_PH-A_2024.md"
    for path in (p.notebook, p.html, claim):
        path.write_bytes(b"ancien")
    batch = object.__new__(_Batch)
    batch.jobs, batch.out_dir = [job], tmp_path
    result = batch.store(0, Outcome("ok", 1.0, "", notebook, b"nouvelle page"), "cle")
    assert (result.statut, result.erreur, result.montant_eur) == (
        "echec", "le notebook exécuté est vide ou illisible (pas un document JSON complet) ; relancez ce rapport", "")
    assert not p.key.exists() and not p.notebook.exists() and not p.html.exists() and not claim.exists()
    assert p.echec.exists() is bool(notebook) and (not notebook or p.echec.read_bytes() == notebook)


# --------------------------------------------------------------------------------------------
# 3. Names too long
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", [
    ["compute", str(DATA / "pharmacies.csv")],
    ["compute", str(DATA / "pharmacies.csv"), "--format", "xlsx"],
    ["gains", "une_pharmacie.csv"],
    ["rapprocher", str(DATA / "pharmacies.csv"), "--versements", str(DATA / "versements.csv")],
    ["report", str(DATA / "pharmacies.csv"), "--pharmacie", "PH-TILLEULS", "--exercice", "2024",
     "--themes", "synthese,bups"],
], ids=["compute", "compute-xlsx", "gains", "rapprocher", "report"])
def test_an_output_folder_name_too_long_is_a_french_error_exit_3(tmp_path, monkeypatch, one_pharmacy, command):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [*command, "-o", LONG])
    assert result.exit_code == 3, result.output
    message = result.stderr.split("Erreur : ", 1)[1]  # rosp report names the folder by its absolute path
    assert message in (f"impossible de créer le dossier de sortie {LONG} : {TOO_LONG}\n",
                       f"impossible de créer le dossier de sortie {tmp_path / LONG} : {TOO_LONG}\n")
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == [one_pharmacy]


@pytest.mark.parametrize("command, said", [
    (["compute", "{long}"], f"illisible : {TOO_LONG}"),
    (["compute", str(DATA / "pharmacies.csv"), "--molecules", "{long}"], f"illisible : {TOO_LONG}"),
    (["rapprocher", str(DATA / "pharmacies.csv"), "--versements", "{long}"], f"illisible : {TOO_LONG}"),
    (["report", "{long}", "--pharmacie", "PH-TILLEULS"], f"illisible : {TOO_LONG}"),
    (["compute", str(DATA / "pharmacies.csv"), "--parametres", "{long}"], f"lecture impossible ({TOO_LONG})"),
    (["report", str(DATA / "pharmacies.csv"), "--pharmacie", "PH-TILLEULS", "--exercice", "2024", "--themes",
      "synthese", "--notebooks", "{long}"], f"illisible : {TOO_LONG}"),
], ids=["compute", "molecules", "versements", "report", "parametres", "notebooks"])
def test_an_input_file_name_too_long_is_a_french_error_exit_2(tmp_path, monkeypatch, command, said):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [c.replace("{long}", LONG + ".csv") for c in command] + ["-o", "sortie"])
    assert result.exit_code == 2, result.output
    assert said in result.stderr and "Traceback" not in result.output and "File name" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_output_file_name_too_long_is_a_french_error(tmp_path):
    with pytest.raises(OutputError) as info:
        write_together({tmp_path / f"{LONG}.csv": lambda fh: fh.write(b"x")})
    assert str(info.value).endswith(f"{TOO_LONG} ; aucun fichier de sortie n'a été remplacé (les anciens sont intacts)")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------------
# 4. A writer's leftovers after a failure
# --------------------------------------------------------------------------------------------
def test_an_unclosed_zip_left_by_a_failed_writer_writes_nowhere(tmp_path, monkeypatch):
    """openpyxl's save leaves its ZipFile unclosed when a write fails: its __del__ then wrote to the closed file
    (« Exception ignored … ValueError: seek of closed file » after the French error)."""
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)

    def writer(fh):
        archive = zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED)
        archive.writestr("feuille.xml", b"<x/>" * 1000)
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputError, match="disque plein"):
        write_together({tmp_path / "resultats.xlsx": writer})
    gc.collect()
    assert [u.exc_value for u in unraisable] == []
    assert list(tmp_path.iterdir()) == []


# 1 byte: everything fails from the start (a disk full to the last byte: the ZipFile was let go, and said its
# « Exception ignored in … », before the streams were silenced); 5 000 bytes: the workbook fails, openpyxl's temporary
# sheet files do not; 20 000: those fail first, and Python printed their streams' traceback after the French error
@pytest.mark.parametrize("size", [1, 5000, 20_000])
def test_xlsx_on_a_full_disk_says_only_the_french_error(tmp_path, size):
    out = tmp_path / "sortie"
    out.mkdir()
    (out / "resultats.xlsx").write_bytes(b"ancien classeur")
    scratch = tmp_path / "tmp"  # the system's temporary folder: openpyxl's files went there, outside the output folder
    scratch.mkdir()

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    rosp = Path(sys.executable).with_name("rosp")
    done = subprocess.run([str(rosp), "compute", str(DATA / "pharmacies.csv"), "--format", "xlsx", "-o", str(out)],
                          capture_output=True, text=True, preexec_fn=limit, timeout=300,
                          env={**os.environ, "TMPDIR": str(scratch)})
    assert done.returncode == EXIT_OUTPUT
    errors = "".join(line for line in done.stderr.splitlines(keepends=True)  # the input's warnings aside (no molecules)
                     if not line.startswith("Avertissement : "))
    assert errors == (f"Erreur : impossible d'écrire resultats.xlsx dans {out} : fichier trop grand pour la "
                           "limite de taille de fichier (ulimit -f) ; aucun fichier de sortie n'a été remplacé "
                           "(les anciens sont intacts)\n")
    assert (out / "resultats.xlsx").read_bytes() == b"ancien classeur"
    assert sorted(p.name for p in out.iterdir()) == ["resultats.xlsx"] and not list(scratch.iterdir())


@pytest.mark.parametrize("name", ["...yaml", "..yaml", "mon scénario<1>.yaml", ".cache.yaml", "CON.yaml"])
def test_a_scenario_name_that_cannot_be_a_folder_name_is_refused(tmp_path, name):
    # its stem becomes SORTIE/scenarios/<stem>: « ... » made it SORTIE/scenarios/.., the reference reports
    scenario = tmp_path / name
    scenario.write_text("2024:\n  numerique:\n    exercice_coordonne:\n      montant: 1\n", encoding="utf-8")
    out = tmp_path / "sortie"
    result = CliRunner().invoke(main, ["report", str(DATA / "pharmacies.csv"), "--pharmacie", "PH-TILLEULS",
                                       "--exercice", "2024", "--themes", "synthese", "--parametres", str(scenario),
                                       "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert result.stderr.endswith(
        f"Erreur : nom de scénario « {scenario.stem} » : il devient le dossier {out / 'scenarios'}/<nom> ; attendu : "
        "1 à 64 caractères parmi A-Z a-z 0-9 _ -, commençant par une lettre ou un chiffre, autre que CON, PRN, AUX, "
        "NUL, COM0 à COM9, LPT0 à LPT9 (noms réservés de Windows) ; renommez le fichier, p. ex. mon-scenario.yaml\n")
    assert not out.exists()


def report_with_scenario(tmp_path: Path, out: Path, themes: str = "synthese"):
    scenario = tmp_path / "mon-scenario.yaml"
    scenario.write_text("2024:\n  numerique:\n    exercice_coordonne:\n      montant: 1\n", encoding="utf-8")
    return CliRunner().invoke(main, ["report", str(DATA / "pharmacies.csv"), "--pharmacie", "PH-TILLEULS",
                                     "--exercice", "2024", "--themes", themes, "--parametres", str(scenario),
                                     "-o", str(out)])


@pytest.mark.parametrize("made", ["scenarios", "scenarios/mon-scenario"])
def test_a_planted_symlink_at_a_scenario_folder_is_refused(tmp_path, made):
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    out = tmp_path / "sortie"
    plant(out / made, elsewhere)
    result = report_with_scenario(tmp_path, out)
    assert result.exit_code == 3, result.output
    assert result.stderr.endswith(f"Erreur : impossible de créer le dossier {out / made} : lien symbolique refusé\n")
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("made", ["scenarios", "scenarios/mon-scenario"])
def test_a_symlink_planted_at_a_scenario_folder_after_the_check_is_refused(tmp_path, monkeypatch, made):
    """rosp report looks at scenarios/ and scenarios/<nom> first, reads the inputs, then makes the folders: a link
    planted in between (here, while the inputs are read) is refused when they are made, never followed."""
    import rosp_lib.inputs

    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    out = tmp_path / "sortie"
    read_inputs = rosp_lib.inputs.read_inputs

    def planting(*args, **kwargs):
        plant(out / made, elsewhere)
        return read_inputs(*args, **kwargs)

    monkeypatch.setattr(rosp_lib.inputs, "read_inputs", planting)
    result = report_with_scenario(tmp_path, out, themes="synthese,bups")  # two themes: no kernel started early
    assert result.exit_code == 3, result.output
    assert result.stderr.endswith(f"Erreur : impossible de créer le dossier {tmp_path.resolve() / 'sortie' / made} : "
                                  "lien symbolique refusé\n")
    assert "Traceback" not in result.output
    assert list(elsewhere.iterdir()) == []
    assert [p.relative_to(out).as_posix() for p in out.rglob("*")] == sorted({"scenarios", made})


def _rapprocher_example(out: Path):
    """`rosp rapprocher` on the example data and statement, into `out`."""
    return CliRunner().invoke(main, ["rapprocher", str(DATA / "pharmacies.csv"), "--versements",
                                     str(DATA / "versements.csv"), "--molecules", str(DATA / "molecules.csv"),
                                     "-o", str(out)])


def test_rapprocher_removes_the_draft_of_a_covered_pharmacy_year_with_nothing_to_claim_any_more(tmp_path):
    # a draft of an earlier run must not stay beside a rapprochement.csv that claims nothing for its pharmacy-year:
    # PH-TILLEULS 2024 is conforme with the molecules; PH-SEGUR 2026 is only overpaid (no letter any more: audit)
    out = tmp_path / "sortie"
    out.mkdir()
    for name in ("reclamation_PH-SEGUR_2026.md", "reclamation_PH-TILLEULS_2024.md"):
        (out / name).write_bytes(b"ancien brouillon\n")
    again = _rapprocher_example(out)
    assert again.exit_code == 0, again.output
    assert again.stdout.endswith("Retirés (plus rien à réclamer pour cette pharmacie et cet exercice) : "
                                 "reclamation_PH-SEGUR_2026.md, reclamation_PH-TILLEULS_2024.md\n")
    assert sorted(p.name for p in out.iterdir()) == sorted(["rapprochement.csv", *CLAIMS])



def test_rapprocher_names_the_drafts_of_an_earlier_run_it_leaves_in_place(tmp_path):
    """A draft of a pharmacy-year the new statement does not cover stays (another statement's), beside a
    rapprochement.csv without its rows, and nothing said it (review): the command names it."""
    out = tmp_path / "sortie"
    out.mkdir()
    (out / "reclamation_PH-AUTRE_2024.md").write_bytes(b"brouillon d'un autre releve\n")
    result = _rapprocher_example(out)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("Laissé en place, d'un passage précédent (pharmacies × exercice absentes de ce "
                                  "relevé, hors de rapprochement.csv) : reclamation_PH-AUTRE_2024.md\n")
    assert (out / "reclamation_PH-AUTRE_2024.md").read_bytes() == b"brouillon d'un autre releve\n"


def test_the_cleanup_of_a_failed_workbook_silences_only_its_streams_os_errors():
    """During the cleanup of a failed XLSX write, a stream's OSError is dropped, and any other unraisable exception
    still reaches the hook that was in place."""
    from types import SimpleNamespace

    from rosp_lib.lines.spreadsheet import _passing_os_errors_to

    seen = []
    quiet = _passing_os_errors_to(seen.append)
    quiet(SimpleNamespace(exc_value=OSError(errno.ENOSPC, "No space left on device")))
    other = SimpleNamespace(exc_value=ValueError("seek of closed file"))
    quiet(other)
    assert seen == [other]
