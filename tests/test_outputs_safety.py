"""Outputs that cannot hurt: temporary files never through a symlink, all-or-nothing writes, and a
French error with an exit code (no traceback, old outputs intact) when the folder cannot be written."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rosp_lib.cli import EXIT_OUTPUT, main
from rosp_lib.lines.atomic import OutputError, write_together

DATA = Path(__file__).resolve().parent.parent / "data"


def _errors(stderr: str) -> str:
    """The command's errors, its warnings about the input aside (the example run without its molecules table)."""
    return "".join(line for line in stderr.splitlines(keepends=True) if not line.startswith("Avertissement : "))
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def compute(out: Path):
    return CliRunner().invoke(main, ["compute", str(DATA / "pharmacies.csv"), "--molecules",
                                     str(DATA / "molecules.csv"), "-o", str(out)])


@pytest.fixture
def old_outputs(tmp_path):
    out = tmp_path / "sortie"
    out.mkdir()
    (out / "lignes.csv").write_text("anciennes lignes\n", encoding="utf-8")
    (out / "totaux.csv").write_text("anciens totaux\n", encoding="utf-8")
    return out


def test_planted_temporary_symlinks_are_never_followed(tmp_path, old_outputs):
    victim = tmp_path / "victime.txt"
    victim.write_text("à garder\n", encoding="utf-8")
    for name in ("lignes.csv.partiel", ".lignes.csv.partiel", "totaux.csv.partiel", ".totaux.csv.partiel"):
        (old_outputs / name).symlink_to(victim)
    result = compute(old_outputs)
    assert result.exit_code == 0, result.output
    assert victim.read_text(encoding="utf-8") == "à garder\n"
    assert (old_outputs / "lignes.csv").read_text(encoding="utf-8").startswith("pharmacie_id,")


def test_an_output_that_is_a_symlink_is_replaced_not_written_through(tmp_path, old_outputs):
    victim = tmp_path / "victime.txt"
    victim.write_text("à garder\n", encoding="utf-8")
    (old_outputs / "lignes.csv").unlink()
    (old_outputs / "lignes.csv").symlink_to(victim)
    assert compute(old_outputs).exit_code == 0
    assert victim.read_text(encoding="utf-8") == "à garder\n"
    assert not (old_outputs / "lignes.csv").is_symlink()
    assert (old_outputs / "lignes.csv").read_text(encoding="utf-8").startswith("pharmacie_id,")


def test_no_temporary_file_is_left(old_outputs):
    assert compute(old_outputs).exit_code == 0
    assert sorted(p.name for p in old_outputs.iterdir()) == ["lignes.csv", "totaux.csv"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
@pytest.mark.parametrize("fmt, names", [("csv", ["lignes.csv", "totaux.csv"]), ("xlsx", ["resultats.xlsx"])])
@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_written_files_get_the_permissions_of_any_new_file(tmp_path, umask, fmt, names):
    # A temporary file is created 0600; once renamed, the output must be readable as open() would make it
    # (0644 under umask 022, 0640 under 027): a groupement's colleagues read lignes.csv on a shared server.
    out = tmp_path / "sortie"
    done = subprocess.run([sys.executable, "-c", "from rosp_lib.cli import run; run()", "compute",
                           str(DATA / "pharmacies.csv"), "-o", str(out), "--format", fmt],
                          capture_output=True, text=True, umask=umask)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == names
    for name in names:
        assert (out / name).stat().st_mode & 0o777 == 0o666 & ~umask, name


@pytest.mark.skipif(ROOT, reason="root writes in a read-only folder")
def test_read_only_output_folder_is_a_french_error_and_old_outputs_stay(old_outputs):
    old_outputs.chmod(0o555)
    try:
        result = compute(old_outputs)
    finally:
        old_outputs.chmod(0o755)
    assert result.exit_code == EXIT_OUTPUT
    assert result.stderr.startswith(f"Erreur : impossible d'écrire lignes.csv dans {old_outputs} : permission refusée ; "
                                    "aucun fichier de sortie n'a été remplacé (les anciens sont intacts)")
    assert "Traceback" not in result.output
    assert (old_outputs / "lignes.csv").read_text(encoding="utf-8") == "anciennes lignes\n"
    assert (old_outputs / "totaux.csv").read_text(encoding="utf-8") == "anciens totaux\n"


def test_read_only_output_folder_as_another_user(tmp_path):
    """Run as root, the suite checks the read-only folder with the command run as « nobody »."""
    if not ROOT:
        pytest.skip("covered by the test above")
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="rosp-lecture-seule-"))
    base.chmod(0o755)
    old_outputs = base / "sortie"
    old_outputs.mkdir()
    (old_outputs / "lignes.csv").write_text("anciennes lignes\n", encoding="utf-8")
    old_outputs.chmod(0o555)
    nobody = 65534
    rosp = Path(sys.executable).with_name("rosp")
    try:
        result = subprocess.run([str(rosp), "compute", str(DATA / "pharmacies.csv"), "-o", str(old_outputs)],
                                capture_output=True, text=True, preexec_fn=lambda: os.setuid(nobody), timeout=300,
                                env={**os.environ, "HOME": str(tmp_path)})
    except PermissionError:  # the command itself cannot be run by « nobody » (a clone in a 0700 folder: mktemp -d)
        pytest.skip("the project's files cannot be read by « nobody » here")
    if "PermissionError" in result.stderr and "Erreur" not in result.stderr or result.returncode == 126:
        pytest.skip("the project's files cannot be read by « nobody » here")
    assert result.returncode == EXIT_OUTPUT, result.stderr
    assert _errors(result.stderr).startswith(f"Erreur : impossible d'écrire lignes.csv dans {old_outputs} : permission "
                                             "refusée ; ")
    assert "Traceback" not in result.stderr
    assert (old_outputs / "lignes.csv").read_text(encoding="utf-8") == "anciennes lignes\n"
    shutil.rmtree(base)


def test_output_folder_that_cannot_be_created_is_a_french_error(tmp_path):
    blocker = tmp_path / "fichier"
    blocker.write_text("x", encoding="utf-8")
    result = compute(blocker / "sortie")
    assert result.exit_code == EXIT_OUTPUT
    assert result.stderr.endswith(f"Erreur : impossible de créer le dossier de sortie {blocker / 'sortie'} : "
                                  f"{blocker} est un fichier, pas un dossier\n")


def test_output_folder_through_a_broken_symlink_names_the_link(tmp_path):
    """mkdir -p fails with « exists » (the link) or « not found » (below it): said as the broken link it is,
    not « un fichier porte ce nom » nor « dossier introuvable »."""
    link = tmp_path / "lien"
    link.symlink_to(tmp_path / "absent")
    for out in (link, link / "sortie"):
        result = compute(out)
        assert result.exit_code == EXIT_OUTPUT
        assert result.stderr.endswith(f"Erreur : impossible de créer le dossier de sortie {out} : {link} est un "
                                      "lien symbolique vers un dossier qui n'existe pas\n")
    assert not (tmp_path / "absent").exists()


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="pas de /proc (Linux seulement)")
def test_output_folder_in_a_folder_that_refuses_new_folders_names_it():
    """/proc exists, yet mkdir in it says « not found »: « dossier introuvable » would send the user looking
    for a folder that is there."""
    result = compute(Path("/proc/rosp-sortie"))
    assert result.exit_code == EXIT_OUTPUT
    assert result.stderr.endswith("Erreur : impossible de créer le dossier de sortie /proc/rosp-sortie : le dossier "
                                  "/proc n'accepte pas qu'on y crée un dossier\n")


def test_output_option_naming_a_file_is_refused_at_once_with_the_code_the_help_gives(tmp_path):
    """Refused by the option's check before any reading: exit 2, which `--help` gives for an invalid option."""
    blocker = tmp_path / "fichier"
    blocker.write_text("x", encoding="utf-8")
    result = compute(blocker)
    assert result.exit_code == 2
    assert f"'{blocker}' : c'est un fichier, pas un dossier." in result.stderr
    assert blocker.read_text(encoding="utf-8") == "x"
    for command in ("compute", "report"):
        help_text = " ".join(CliRunner().invoke(main, [command, "--help"]).output.split())
        assert "un -o qui nomme un fichier" in help_text
        assert "code 2" in help_text or "2 entrée ou option invalide" in help_text


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="pas de tubes nommés (Windows)")
@pytest.mark.parametrize("command", ["compute", "report", "gains", "rapprocher"])
def test_output_option_naming_a_device_or_a_pipe_is_refused_as_a_file_is(tmp_path, command):
    """click's own check refuses a regular file only: `-o /dev/null` was read, computed, then refused as an output
    folder with code 3 (review). Now the option's check: code 2, the same words for each command, nothing read."""
    pipe = tmp_path / "tube"
    os.mkfifo(pipe)
    missing = tmp_path / "absente.csv"  # never read: the option is checked first
    for target in (pipe, Path(os.devnull)):
        result = CliRunner().invoke(main, [command, str(missing), "-o", str(target)])
        assert result.exit_code == 2, result.output
        assert result.stderr.splitlines()[-1] == (
            f"Erreur : valeur invalide pour '-o' / '--sortie' : Dossier '{target}' : ce n'est pas un dossier (un "
            "périphérique, un tube ou une socket) ; attendu : un dossier, existant ou à créer")
        assert "introuvable" not in result.stderr


def test_file_size_limit_is_a_french_error_and_old_outputs_stay(old_outputs):
    """As a full disk: the write fails midway (ulimit -f), nothing is replaced, no traceback."""
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    rosp = Path(sys.executable).with_name("rosp")
    result = subprocess.run([str(rosp), "compute", str(DATA / "pharmacies.csv"), "-o", str(old_outputs)],
                            capture_output=True, text=True, preexec_fn=limit, timeout=300)
    assert result.returncode == EXIT_OUTPUT, result.stderr
    assert _errors(result.stderr).startswith("Erreur : impossible d'écrire lignes.csv dans ")
    assert "fichier trop grand pour la limite de taille de fichier (ulimit -f)" in result.stderr
    assert "Traceback" not in result.stderr
    assert (old_outputs / "lignes.csv").read_text(encoding="utf-8") == "anciennes lignes\n"
    assert sorted(p.name for p in old_outputs.iterdir()) == ["lignes.csv", "totaux.csv"]


def test_a_failing_writer_leaves_nothing(tmp_path):
    def boom(fh):
        fh.write(b"debut")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="disque plein ; aucun fichier de sortie n'a été remplacé"):
        write_together({tmp_path / "a.csv": lambda fh: fh.write(b"a"), tmp_path / "b.csv": boom})
    assert list(tmp_path.iterdir()) == []


def test_gains_into_an_unwritable_folder_is_a_french_error_and_exit_3(tmp_path):
    """rosp gains and rosp rapprocher write through the same atomic writer as rosp compute."""
    from rosp_lib.cli import main as rosp_main

    target = tmp_path / "pas_un_dossier"
    target.write_text("un fichier, pas un dossier", encoding="utf-8")
    data = Path(__file__).resolve().parent.parent / "data"
    with pytest.raises(SystemExit) as exit_info:
        rosp_main(["gains", str(data / "pharmacies.csv"), "--molecules", str(data / "molecules.csv"),
                   "-o", str(target / "sous")], standalone_mode=True)
    assert exit_info.value.code == 3
    assert target.read_text(encoding="utf-8") == "un fichier, pas un dossier"


def test_the_report_batch_writer_is_the_same_writer_and_keeps_its_oserror(tmp_path):
    """batch.folders.write_atomic: write_together's steps (never through a symlink, the mode of any new file),
    its failures left as OSError for the batch's own French messages, no temporary file left."""
    from rosp_lib.batch.folders import write_atomic
    from rosp_lib.lines.atomic import NEW_FILE_MODE

    victim = tmp_path / "victime.txt"
    victim.write_text("à garder\n", encoding="utf-8")
    (tmp_path / ".cle").symlink_to(victim)
    write_atomic(tmp_path / ".cle", b"abc")
    assert victim.read_text(encoding="utf-8") == "à garder\n"
    assert not (tmp_path / ".cle").is_symlink() and (tmp_path / ".cle").read_bytes() == b"abc"
    if os.name != "nt":
        assert (tmp_path / ".cle").stat().st_mode & 0o777 == NEW_FILE_MODE
    with pytest.raises(OSError) as failed:
        write_atomic(tmp_path / "dossier" / "absent.csv", b"x")
    assert not isinstance(failed.value, OutputError) and failed.value.errno == 2
    (tmp_path / "dossier").mkdir()
    with pytest.raises(OSError) as failed:  # the rename fails, after the temporary file was written
        write_atomic(tmp_path / "dossier", b"x")
    assert not isinstance(failed.value, OutputError)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cle", "dossier", "victime.txt"]


def test_a_report_failing_for_want_of_room_on_the_worker_keeps_the_earlier_report(tmp_path):
    """A full temporary folder (here a file-size limit, ulimit -f) made the report fail and deleted the earlier
    one, with an English errno message (audit): the machine's fault is said in French and the report is kept."""
    rosp = Path(sys.executable).with_name("rosp")
    out = tmp_path / "rapports"
    cmd = [str(rosp), "report", str(DATA / "pharmacies.csv"), "--pharmacie", "PH-GARE", "--exercice", "2024",
           "--themes", "synthese", "-o", str(out)]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    report = out / "2024" / "PH-GARE" / "00_synthese.html"
    before = report.read_bytes()

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))

    again = subprocess.run(cmd + ["--force"], capture_output=True, text=True, preexec_fn=limit, timeout=300)
    assert again.returncode == 1, again.stderr
    assert ("échec PH-GARE 2024 synthese : le poste de travail n'a pas pu écrire ses fichiers temporaires : fichier "
            "trop grand pour la limite de taille de fichier (ulimit -f)") in again.stderr
    assert "l'ancien rapport est gardé" in again.stderr and "Errno" not in again.stderr
    # a size limit, not a lack of room: its own fix (review: « libérez de la place »)
    assert "relevez la limite de taille des fichiers de la session (ulimit -f)" in again.stderr
    assert "libérez de la place" not in again.stderr
    assert report.read_bytes() == before and report.with_suffix(".ipynb").is_file()


@pytest.mark.parametrize("command,name,extra", [
    ("compute", "totaux.csv", []),
    ("compute", "lignes.csv", []),
    ("gains", "gains.csv", []),
    ("rapprocher", "rapprochement.csv", ["--versements", str(DATA / "versements.csv")]),
    ("report", "rapports.csv", ["--pharmacie", "PH-GARE", "--themes", "synthese"]),
    ("report", "index.html", ["--pharmacie", "PH-GARE", "--themes", "synthese"]),
])
def test_an_input_that_an_output_would_replace_is_refused_untouched(tmp_path, command, name, extra):
    """The pharmacies table saved as « rapports.csv » (or totaux.csv, gains.csv…) in the output folder was silently
    replaced by the command's own file."""
    entree = tmp_path / name
    text = (DATA / "pharmacies.csv").read_bytes()
    entree.write_bytes(text)
    result = CliRunner().invoke(main, [command, str(entree), *extra, "-o", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert (f"Erreur : {entree} : ce fichier d'entrée serait remplacé par le fichier {name} que la commande écrit dans "
            f"{tmp_path} ; attendu : un autre dossier de sortie (-o) ou un autre nom pour le fichier d'entrée — rien n'a "
            "été lu ni écrit") in result.stderr
    assert entree.read_bytes() == text and sorted(p.name for p in tmp_path.iterdir()) == [name]


def _rosp(args, **kwargs) -> subprocess.CompletedProcess:
    rosp = Path(sys.executable).with_name("rosp")
    return subprocess.run([str(rosp), *args], capture_output=kwargs.pop("capture_output", True), timeout=300, **kwargs)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="pas de /dev/full (Linux seulement)")
@pytest.mark.parametrize("args", [["colonnes"], ["regles", "2025"], ["--help"]])
def test_a_standard_output_that_cannot_be_written_is_a_french_error(args):
    """`rosp regles > /dev/full` ended in an English traceback (review): a French error, the code of outputs not
    written."""
    with open("/dev/full", "wb") as full:
        result = _rosp(args, stdout=full, stderr=subprocess.PIPE, capture_output=False)
    errors = result.stderr.decode("utf-8")
    assert result.returncode == EXIT_OUTPUT, errors
    assert errors.endswith("Erreur : impossible d'écrire la sortie standard : disque plein ; ce qu'elle devait "
                           "recevoir est incomplet\n")
    assert "Traceback" not in errors


def test_a_standard_output_cut_by_the_file_size_limit_is_not_a_success(tmp_path):
    """`ulimit -f 20 ; rosp regles > regles.md` wrote 20 480 bytes of the rules book with code 0 and not a word
    (review): Python writes the first part of a text the limit cuts, and loses the rest."""
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_480, 20_480))

    with open(tmp_path / "regles.md", "wb") as out:
        result = _rosp(["regles"], stdout=out, stderr=subprocess.PIPE, capture_output=False, preexec_fn=limit)
    assert result.returncode == EXIT_OUTPUT
    assert result.stderr.decode("utf-8").endswith(
        "Erreur : impossible d'écrire la sortie standard : fichier trop grand pour la limite de taille de fichier "
        "(ulimit -f) ; ce qu'elle devait recevoir est incomplet\n")
    with open(tmp_path / "colonnes.md", "wb") as out:  # under the limit: written whole, code 0
        result = _rosp(["colonnes"], stdout=out, stderr=subprocess.PIPE, capture_output=False, preexec_fn=limit)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "colonnes.md").read_text(encoding="utf-8") == _rosp(["colonnes"]).stdout.decode("utf-8")


def test_a_closed_standard_output_does_not_fail_the_command(tmp_path):
    """`rosp compute … >&-` (a service, cron): the files were written, then a traceback and code 1 (review)."""
    result = _rosp(["compute", str(DATA / "pharmacies.csv"), "--molecules", str(DATA / "molecules.csv"), "-o",
                    str(tmp_path / "sortie")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                   capture_output=False, preexec_fn=lambda: os.close(1))
    assert result.returncode == 0, result.stderr.decode("utf-8")
    assert "Traceback" not in result.stderr.decode("utf-8")
    assert (tmp_path / "sortie" / "lignes.csv").is_file() and (tmp_path / "sortie" / "totaux.csv").is_file()


def test_an_output_in_an_encoding_without_the_french_signs_is_written_in_utf8(tmp_path):
    """Redirected on Windows, Python writes cp1252, which has no narrow no-break space (« 1 189,00 € »): a
    UnicodeEncodeError traceback after the files were written (review, simulated by PYTHONIOENCODING)."""
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    result = _rosp(["compute", str(DATA / "pharmacies.csv"), "--molecules", str(DATA / "molecules.csv"), "-o",
                    str(tmp_path / "sortie")], env=env)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    said = result.stdout.decode("utf-8")
    assert "\u202f" in said and "€" in said and "Écrit : " in said
    result = _rosp(["compute", str(tmp_path / "absente.csv"), "-o", str(tmp_path / "sortie")], env=env)
    assert result.returncode == 2 and "fichier introuvable" in result.stderr.decode("utf-8")


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="pas de /proc (Linux seulement)")
def test_a_closed_standard_output_is_a_valid_one_for_the_processes_a_command_starts():
    """`rosp report … >&-`: its kernels inherited the closed descriptor 1 (ipykernel's English traceback, « échec »,
    code 1: review). The command gives descriptor 1 to /dev/null first, inheritable: a process it starts has it."""
    code = ("import subprocess, sys\n"
            "from rosp_lib.cli.french import _standard_output_open\n"
            "assert sys.stdout is None\n"
            "_standard_output_open()\n"
            "print('ignoré')\n"
            "child = subprocess.run(['readlink', '/proc/self/fd/1'], stdout=None, stderr=subprocess.PIPE, text=True)\n"
            "sys.stderr.write(f'{child.returncode} {child.stderr}')\n")
    result = subprocess.run([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=lambda: os.close(1), text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == "0 ", result.stderr
