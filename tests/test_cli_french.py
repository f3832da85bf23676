"""click speaks French through the gettext catalogue rosp_lib/locale/fr/LC_MESSAGES/click.po:
every message click marks for translation has a French text, and every kind of click error reaches
the user in French."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from rosp_lib.cli import main
from rosp_lib.cli.french import CATALOGUE, LOCALE_DIR, FrenchGroup, run

SAME_IN_FRENCH = {"Options", "%(prog)s, version %(version)s"}
ENGLISH = re.compile(r"\b(is not|does not|requires|Missing|No such|Invalid|Got unexpected|Try|Usage|"
                     r"Error|Did you mean|Show this|valid|exist|directory|one of|Aborted)\b")


def _marked_messages() -> list[tuple]:
    """Every literal click passes to gettext `_()` or `ngettext()`, from its installed sources."""
    found = []
    for source in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if args:
                    found.append(tuple(args[:2]) if node.func.id == "ngettext" else (args[0],))
    return found


def test_the_catalogue_is_compiled_from_its_source():
    po = LOCALE_DIR / "fr" / "LC_MESSAGES" / "click.po"
    mo = po.with_suffix(".mo")
    assert mo.exists() and po.exists()
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (GNU gettext) absent : le .mo versionné est utilisé tel quel")
    out = subprocess.run(["msgfmt", "--check", "-o", "-", str(po)], capture_output=True, check=True).stdout
    assert out == mo.read_bytes(), "click.mo n'est pas à jour : msgfmt -o click.mo click.po"


@pytest.mark.parametrize("message", _marked_messages(), ids=lambda m: m[0][:40])
def test_every_click_message_has_a_french_text(message):
    if len(message) == 2:
        one, many = CATALOGUE.ngettext(message[0], message[1], 1), CATALOGUE.ngettext(message[0], message[1], 2)
        assert one != message[0] and many != message[1]
    elif message[0] not in SAME_IN_FRENCH:
        assert CATALOGUE.gettext(message[0]) != message[0]


@click.group(cls=FrenchGroup)
def tool():
    """Un outil d'essai."""


@tool.command()
@click.argument("entree", type=click.Path(exists=True, dir_okay=False))
@click.argument("dossier", type=click.Path(file_okay=False), required=False)
@click.option("-o", "--sortie", type=str)
@click.option("--n", type=int)
@click.option("--x", type=float)
@click.option("--plage", type=click.IntRange(0, 10))
@click.option("--theme", type=click.Choice(["numerique", "bups"]))
@click.option("--seul", type=click.Choice(["bups"]))
@click.option("--oui", type=bool)
@click.option("--date", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--uuid", type=click.UUID)
@click.option("--paire", nargs=2, type=int)
@click.option("--drapeau", is_flag=True)
@click.option("--requis", required=False)
def essai(**kwargs):
    """Une commande d'essai."""
    if kwargs["requis"] == "abandon":
        raise click.Abort()
    if kwargs["requis"] == "fichier":
        raise click.FileError("x.csv", "permission refusée")
    if kwargs["requis"] == "usage":
        raise click.BadOptionUsage("--requis", "mauvais usage")
    if kwargs["requis"] == "arg":
        raise click.BadArgumentUsage("mauvais argument")


@tool.command()
@click.option("--obligatoire", required=True)
def autre(obligatoire):
    """Une autre commande."""


def errors_of(tmp_path, *args) -> tuple[int, str]:
    import io
    import contextlib

    (tmp_path / "f.csv").write_text("x", encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as info:
        run(tool, [a.replace("F", str(tmp_path / "f.csv")).replace("D", str(tmp_path)) for a in args])
    return info.value.code, err.getvalue()


@pytest.mark.parametrize("args,french", [
    (["essai", "F", "-o"], "Erreur : l'option '-o' attend une valeur."),
    (["essai", "F", "--paire", "1"], "Erreur : l'option '--paire' attend 2 valeurs."),
    (["essai", "F", "--drapeau=oui"], "Erreur : l'option '--drapeau' ne prend pas de valeur."),
    (["essai", "F", "--sortiee", "x"], "Erreur : option inconnue : '--sortiee'. (Vouliez-vous dire l'une de : '--sortie', '--theme' ?)"),
    (["essai", "F", "--zzz"], "Erreur : option inconnue : '--zzz'."),
    (["essi"], "Erreur : commande inconnue : 'essi' (voir --help). Vouliez-vous dire 'essai' ?"),
    (["essai"], "Erreur : argument manquant 'ENTREE'."),
    (["autre"], "Erreur : option manquante '--obligatoire'."),
    (["essai", "F", "D", "en-trop"], "Erreur : argument en trop : en-trop"),
    (["essai", "D"], "Erreur : valeur invalide pour 'ENTREE' : Fichier '{D}' : c'est un dossier, pas un fichier."),
    (["essai", "F", "F"], "Erreur : valeur invalide pour '[DOSSIER]' : Dossier '{F}' : c'est un fichier, pas un dossier."),
    (["essai", "absent.csv"], "Erreur : valeur invalide pour 'ENTREE' : Fichier 'absent.csv' introuvable."),
    (["essai", "F", "--n", "zzz"], "Erreur : valeur invalide pour '--n' : 'zzz' n'est pas un nombre valide."),
    (["essai", "F", "--x", "zzz"], "Erreur : valeur invalide pour '--x' : 'zzz' n'est pas un nombre valide."),
    (["essai", "F", "--plage", "11"], "Erreur : valeur invalide pour '--plage' : 11 n'est pas dans l'intervalle 0<=x<=10."),
    (["essai", "F", "--theme", "zzz"], "Erreur : valeur invalide pour '--theme' : 'zzz' n'est pas l'une des valeurs 'numerique', 'bups'."),
    (["essai", "F", "--seul", "zzz"], "Erreur : valeur invalide pour '--seul' : 'zzz' n'est pas 'bups'."),
    (["essai", "F", "--oui", "peut-etre"], "Erreur : valeur invalide pour '--oui' : 'peut-etre' n'est pas une valeur oui/non reconnue"),
    (["essai", "F", "--date", "01/02/2024"], "Erreur : valeur invalide pour '--date' : '01/02/2024' ne suit pas le format '%Y-%m-%d'."),
    (["essai", "F", "--uuid", "zzz"], "Erreur : valeur invalide pour '--uuid' : 'zzz' n'est pas un UUID valide."),
    (["essai", "F", "--requis", "usage"], "Erreur : mauvais usage"),
    (["essai", "F", "--requis", "arg"], "Erreur : mauvais argument"),
    (["essai", "F", "--requis", "fichier"], "Erreur : impossible d'ouvrir le fichier 'x.csv' : permission refusée"),
    (["essai", "F", "--requis", "abandon"], "Interrompu."),
])
def test_every_kind_of_click_error_is_in_french(tmp_path, args, french):
    code, err = errors_of(tmp_path, *args)
    french = french.replace("{D}", str(tmp_path)).replace("{F}", str(tmp_path / "f.csv"))
    assert french in err
    # interrupted: 130, as a shell says it and as `rosp report` exits after Ctrl+C (it gave 1, « un rapport a échoué »)
    assert code == (130 if french == "Interrompu." else 1 if "ouvrir le fichier" in french else 2)
    for line in err.splitlines():
        if not line.startswith(("Utilisation", "Aide")):
            assert not ENGLISH.search(line.replace(str(tmp_path), "")), line


def test_help_and_usage_are_in_french():
    out = CliRunner().invoke(main, ["compute", "--help"], prog_name="rosp").output
    assert out.startswith("Utilisation : rosp compute [OPTIONS] ENTREE")
    assert "Affiche cette aide et quitte." in out and "Show this" not in out
    top = CliRunner().invoke(main, ["--help"], prog_name="rosp").output
    assert "\nCommandes :\n" in top and "\nOptions :\n" in top and "\nOptions :\n" in out  # typographie française
    for name in main.list_commands(click.Context(main)):  # every command's sections, « Options : », not « Options: »
        sub = CliRunner().invoke(main, [name, "--help"], prog_name="rosp").output
        assert "Options :" in sub and not re.search(r"^\S+:$", sub, re.M), name
    assert "Affiche la version et quitte." in top


def _command_paths(group: click.Group, path: tuple = ()):
    """Every command path, through click's API: `rosp` imports some commands only when asked (`list_commands`,
    `get_command`), so `group.commands` alone would miss them."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from _command_paths(command, (*path, name))


@pytest.mark.parametrize("path", list(_command_paths(main)), ids=" ".join)
def test_every_help_page_says_its_option_notes_in_french(path):
    out = CliRunner().invoke(main, [*path, "--help"], prog_name="rosp").output
    notes = re.findall(r"\[([^\]]*)\]", out)  # « [défaut : …] », « [obligatoire] », and [OPTIONS]
    assert not [n for n in notes if re.search(r"\b(required|default|env var|dynamic)\b", n)], notes


@pytest.mark.parametrize("args", [[], ["parametres"]])
def test_a_command_alone_prints_its_help_not_an_error(args):
    rosp = Path(sys.executable).with_name("rosp")
    result = subprocess.run([str(rosp), *args], capture_output=True, text=True)
    assert result.returncode == 2  # as click: nothing was done
    assert result.stderr.startswith(f"Utilisation : {' '.join(['rosp', *args])} [OPTIONS] COMMANDE [ARGUMENTS]...\n")
    assert "Erreur" not in result.stderr and "Commandes :" in result.stderr


def test_the_rosp_command_prints_french_usage_errors():
    rosp = Path(sys.executable).with_name("rosp")
    result = subprocess.run([str(rosp), "compute", "-o"], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().endswith("Erreur : l'option '-o' attend une valeur.")
    result = subprocess.run([str(rosp), "compute", "data"], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parent.parent)
    assert "c'est un dossier, pas un fichier" in result.stderr and "is a directory" not in result.stderr


def test_fast_exit_keeps_what_the_interpreter_does_before_freeing_modules(tmp_path):
    # `rosp` leaves by os._exit after its command: the exit code, a non-daemon thread still running, a pending
    # executor task, the atexit functions and buffered output must all behave as with a normal exit
    script = f"""
import atexit, sys, threading, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import click
from rosp_lib.cli.french import FrenchGroup, run

out = Path({str(tmp_path)!r})
@click.group(cls=FrenchGroup)
def tool():
    pass

@tool.command()
def go():
    atexit.register(lambda: (out / "atexit").write_text("ok"))
    def late():
        time.sleep(0.3)
        (out / "thread").write_text("ok")
    threading.Thread(target=late).start()
    ThreadPoolExecutor(1).submit(lambda: (time.sleep(0.3), (out / "executor").write_text("ok")))
    sys.stdout.write("fin sans retour à la ligne")
    return 3

run(tool, ["go"], fast_exit=True)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 3, result.stderr
    assert result.stdout == "fin sans retour à la ligne"
    assert {p.name for p in tmp_path.iterdir()} == {"atexit", "thread", "executor"}


def test_rosp_report_exists_whichever_module_is_imported_first():
    # rosp_lib.batch.reports imports rosp_lib.cli (its French command class) half-way: imported first (a notebook,
    # a test module), it used to leave `rosp report` out of the command group without a word.
    import subprocess
    import sys

    code = ("import click\nimport rosp_lib.batch.reports\nfrom rosp_lib.cli import main\n"
            "ctx = click.Context(main)\n"
            "print(sorted(n for n in main.list_commands(ctx) if main.get_command(ctx, n) is not None))\n"
            "print(main.get_command(ctx, 'report') is rosp_lib.batch.reports.report_cmd)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "'report'" in out and "'compute'" in out and out.splitlines()[-1] == "True"


@pytest.mark.parametrize("args,said", [
    (["compute", "data/pharmacies.csv", "--molecules", "-o", "sortie"],
     "Erreur : l'option --molecules attend une valeur, pas l'option -o : écrivez la valeur juste après --molecules"),
    (["report", "data/pharmacies.csv", "--pharmacie", "--exercice", "2024"],
     "Erreur : l'option --pharmacie attend une valeur, pas l'option --exercice : écrivez la valeur juste après "
     "--pharmacie"),
    # the option written with its value: a folder « --format=xlsx » was written, in CSV (review)
    (["compute", "data/pharmacies.csv", "-o", "--format=xlsx"],
     "Erreur : l'option -o attend une valeur, pas l'option --format : écrivez la valeur juste après -o"),
    (["compute", "data/pharmacies.csv", "--molecules", "-j2", "-o", "sortie"],
     "Erreur : l'option --molecules attend une valeur, pas l'option -j : écrivez la valeur juste après --molecules"),
])
def test_an_option_given_another_option_as_its_value_is_refused_by_its_cause(tmp_path, args, said):
    """click read « -o » as the molecules file, then said « argument en trop : sortie » (audit)."""
    from rosp_lib.cli import main

    root = Path(__file__).resolve().parent.parent
    result = CliRunner().invoke(main, [str(root / a) if a.startswith("data/") else str(tmp_path / a) if a == "sortie"
                                       else a for a in args])
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(said), result.stderr
    assert not (tmp_path / "sortie").exists() and not Path("--format=xlsx").exists()


def test_an_option_value_after_a_flag_is_still_read():
    """Only an option's own name is refused as a value: a flag before an option is no value of it."""
    from rosp_lib.cli import main

    root = Path(__file__).resolve().parent.parent
    result = CliRunner().invoke(main, ["report", str(root / "data/pharmacies.csv"), "--toutes", "--force", "--help"])
    assert result.exit_code == 0 and "Utilisation : " in result.output


def test_ctrl_c_during_the_imports_says_interrompu_without_a_traceback():
    """Ctrl+C in the first second of any command (the imports of pandas and the rules, before the command's own
    handling) printed Python's « Traceback … KeyboardInterrupt ». The interruption is made to come during the import
    of the command line, as it does there."""
    script = (
        "import sys\n"
        "class Stop:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'rosp_lib.cli':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Stop())\n"
        "sys.argv = ['rosp', 'compute', 'pharmacies.csv']\n"
        "from rosp_lib.launcher import run\n"
        "run()\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr, done.stdout) == (130, "Interrompu.\n", "")


def test_the_root_help_names_the_exercises_of_the_parameter_files(monkeypatch):
    """« exercices 2022 à 2026 » was typed in the help (audit): a year's file added, the help said it not."""
    import rosp_lib.parameters
    from rosp_lib.cli import _main_help
    from rosp_lib.parameters import available_exercises

    years = available_exercises()
    assert f"(exercices {years[0]} à {years[-1]})" in " ".join(CliRunner().invoke(main, ["--help"]).output.split())
    monkeypatch.setattr(rosp_lib.parameters, "available_exercises", lambda: [2022, 2023, 2024, 2025, 2026, 2027])
    text = _main_help()
    assert "ROSP des officines (exercices 2022 à 2027)" in text and "rosp parametres diff 2026 2027" in text


def test_the_command_list_gives_each_whole_first_sentence_and_guillemets_stay_with_their_words():
    """`rosp --help` cut the commands' descriptions with « ... »; `rosp rapprocher --help` put « » » alone at the start
    of a line (review)."""
    from click.testing import CliRunner

    from rosp_lib.cli import main

    top = CliRunner().invoke(main, ["--help"], terminal_width=80).output
    assert "..." not in top.split("Commandes :")[1]
    assert "rapprocher  Compare ce que chaque pharmacie devait recevoir à ce qui lui a été\n              versé." in top
    for command in ("rapprocher", "report", "compute", "gains"):
        text = CliRunner().invoke(main, [command, "--help"], terminal_width=80).output
        lines = text.splitlines()
        assert not [line for line in lines if line.strip().startswith("»") or line.rstrip().endswith("«")], command


def test_a_value_quoted_by_a_usage_error_cannot_drive_the_terminal_nor_fill_the_screen(tmp_path):
    """`--date $'X\\x1b]0;TITRE\\x07Z'` changed the terminal's title through the message that quoted it, and a 3 000-
    character value was printed whole (review): escaped and shortened as the values of the files are."""
    code, err = errors_of(tmp_path, "essai", "F", "--n", "X\x1b]0;TITRE\x07Z\u202e")
    assert code == 2
    assert err.splitlines()[-1] == ("Erreur : valeur invalide pour '--n' : 'X\\x1b]0;TITRE\\x07Z\\u202e' n'est pas un "
                                    "nombre valide.")
    code, err = errors_of(tmp_path, "essai", "F", "--theme", "z" * 3000)
    assert err.splitlines()[-1] == ("Erreur : valeur invalide pour '--theme' : '" + "z" * 80 + "… (3\u202f000 caractères)' "
                                    "n'est pas l'une des valeurs 'numerique', 'bups'.")
    code, err = errors_of(tmp_path, "essai", "F", "--theme", "z" * 200)  # 200 characters: shown whole
    assert "z" * 200 + "'" in err
    code, err = errors_of(tmp_path, "y" * 201)
    assert err.splitlines()[-1] == "Erreur : commande inconnue : '" + "y" * 80 + "… (201 caractères)' (voir --help)."
