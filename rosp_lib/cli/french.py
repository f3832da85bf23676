"""click in French, through a gettext catalogue: rosp_lib/locale/fr/LC_MESSAGES/click.po (.mo).

click marks every message it prints with gettext (`_()`, `ngettext()`); the French catalogue is
installed into click's modules once, when this module is imported, whatever the user's locale: usage
lines, section titles, help options and every usage error (missing or unknown option, bad value,
file that is a folder, value not among the choices…) come out in French. `run` prints a usage error
as « Erreur : … » with exit code 2.
"""

from __future__ import annotations

import atexit
import errno
import gettext
import importlib
import io
import os
import re
import stat
import sys
import threading
from pathlib import Path

import click

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
CATALOGUE = gettext.translation("click", localedir=LOCALE_DIR, languages=["fr"])
INTERRUPTED = 130  # the exit code of an interrupted command (Ctrl+C), as a shell gives it
_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils",
                  "shell_completion", "_termui_impl")


def install() -> None:
    """Give click's modules the French catalogue in place of their `gettext` and `ngettext`."""
    for name in _CLICK_MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # pragma: no cover - a module of another click version
            continue
        if hasattr(module, "_"):
            module._ = CATALOGUE.gettext
        if hasattr(module, "ngettext"):
            module.ngettext = CATALOGUE.ngettext


install()


def _bound(text: str) -> str:
    """French guillemets held to their words by a no-break space, as French typography has them: the help's lines
    are cut at spaces, and « Mes ROSP » was cut into « « Mes ROSP » and « » » on the next line (review)."""
    return text.replace("« ", "«\u00a0").replace(" »", "\u00a0»")


class Folder(click.Path):
    """An output folder (`-o`), existing or to be made. click's `Path(file_okay=False)` refuses a regular file only:
    a device, a pipe or a socket (`-o /dev/null`) went through, the input was read, then the command failed on
    its outputs with another exit code (3, review). Refused here as a file is: exit 2, nothing read."""

    def __init__(self) -> None:
        super().__init__(file_okay=False, path_type=Path)

    def convert(self, value, param, ctx):
        path = super().convert(value, param, ctx)
        if os.path.exists(path) and not os.path.isdir(path):
            self.fail(f"Dossier {click.format_filename(path)!r} : ce n'est pas un dossier (un périphérique, un tube "
                      "ou une socket) ; attendu : un dossier, existant ou à créer", param, ctx)
        return path


class FrenchHelpFormatter(click.HelpFormatter):
    def write_heading(self, heading: str) -> None:
        """« Options : », « Commandes : » — French typography puts a space before the colon."""
        self.write(f"{'':>{self.current_indent}}{heading} :\n")

    def write_text(self, text: str) -> None:
        super().write_text(_bound(text))

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term, _bound(definition)) for term, definition in rows], col_max, col_spacing)


class FrenchContext(click.Context):
    formatter_class = FrenchHelpFormatter


class FrenchCommand(click.Command):
    context_class = FrenchContext

    def __init__(self, *args, empty_checked: tuple[str, ...] = (), **kwargs):
        """`empty_checked`: the names of the options whose empty value the command refuses itself, with a message of
        its own (`--themes ""` names the themes)."""
        super().__init__(*args, **kwargs)
        self.empty_checked = set(empty_checked)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """click gives an option that takes a value the next word, even another option's name: `--molecules -o out`
        read « -o » as the molecules file, then said « argument en trop : out ». Refused here by its cause. So are
        an option given twice (click keeps the last: `--versements a.csv --versements b.csv` read b.csv alone, a.csv
        silently dropped) and an empty value (`-o ""` wrote into the current folder, `--versements ""` was said
        « . : c'est un dossier »)."""
        if ctx.resilient_parsing:  # shell completion: parsed as far as it goes, never refused
            return super().parse_args(ctx, args)
        options = {name: p for p in self.get_params(ctx) if isinstance(p, click.Option)
                   for name in p.opts + p.secondary_opts}

        def option_named(word: str) -> str | None:
            """The option a word starts with: « -o », « --format=xlsx », « -j2 »."""
            if word.startswith("--"):
                name = word.split("=", 1)[0]
            elif word.startswith("-") and len(word) > 1:
                name = word[:2]
            else:
                return None
            return name if name in options else None

        def empty_path(option, values) -> None:
            """An empty value, refused for every option (`--dask ""` ran on this machine, code 0: review)."""
            if option.name not in self.empty_checked and any(v == "" for v in values):
                expected = (f"un nom de {'dossier' if not option.type.file_okay else 'fichier'}"
                            if isinstance(option.type, click.Path) else "une valeur (voir --help)")
                raise click.UsageError(f"l'option {'/'.join(option.opts)} a une valeur vide ; attendu : {expected}",
                                       ctx=ctx)

        seen: dict[str, str] = {}  # an option given once (its parameter's name → the name the user wrote)
        i = 0
        while i < len(args) and args[i] != "--":
            word = args[i]
            named = option_named(word)
            if named is not None:
                option = options[named]
                if not (option.multiple or option.count or option.is_flag):
                    if option.name in seen:
                        also = f" (aussi écrite {seen[option.name]})" if seen[option.name] != named else ""
                        raise click.UsageError(f"l'option {named} est donnée deux fois{also} ; attendu : une seule "
                                               "valeur", ctx=ctx)
                    seen[option.name] = named
                if word.startswith("--") and "=" in word:
                    empty_path(option, [word.split("=", 1)[1]])
            elif word == "":
                paths = all(isinstance(p.type, click.Path) for p in self.get_params(ctx) if isinstance(p, click.Argument))
                raise click.UsageError(f'argument vide ("") ; attendu : {"un nom de fichier" if paths else "une valeur"}',
                                       ctx=ctx)
            option = options.get(word)
            if option is None or option.is_flag or option.count:
                i += 1
                continue
            following = args[i + 1:i + 1 + option.nargs]
            other = next((name for name in map(option_named, following) if name), None)
            if other is not None:
                raise click.UsageError(f"l'option {word} attend une valeur, pas l'option {other} : écrivez la "
                                       f"valeur juste après {word}", ctx=ctx)
            empty_path(option, following)
            i += 1 + option.nargs
        return super().parse_args(ctx, args)


class FrenchGroup(click.Group):
    context_class = FrenchContext
    command_class = FrenchCommand
    group_class = type  # sub-groups are FrenchGroup too

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", "COMMANDE [ARGUMENTS]...")
        super().__init__(*args, **kwargs)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Each command with the whole first sentence of its help, wrapped: click cut it to the terminal's width with
        « ... » (« Compare ce que chaque pharmacie devait recevoir à ce qui... », review)."""
        rows = [(name, cmd.get_short_help_str(limit=1000)) for name in self.list_commands(ctx)
                if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden]
        if rows:
            with formatter.section("Commandes"):
                formatter.write_dl(rows)


def run(group: click.Group, argv: list[str] | None = None, fast_exit: bool = False, prog_name: str | None = None) -> None:
    """Run a click group: usage errors « Erreur : … » (exit 2), in French by the catalogue.

    `fast_exit` (the `rosp` console script only): leave without the interpreter's finalisation, see `leave`.
    Standard output that cannot be written (a full disk, `ulimit -f`) is an error in French with the code of outputs
    not written (3): it was a traceback, or a truncated file with code 0 (review)."""
    def end(code: int) -> None:
        code = _flushed(code)
        if fast_exit:
            leave(code)
        sys.exit(code)

    _standard_output_open()
    _writable_in_french()
    try:
        code = group.main(args=argv, prog_name=prog_name, standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:  # `rosp` alone, `rosp parametres` alone: the help, as click
        exc.show()
        end(exc.exit_code)
    except click.UsageError as exc:
        if exc.ctx is not None:
            click.echo(exc.ctx.get_usage(), err=True)
            click.echo(f"Aide : {exc.ctx.command_path} --help", err=True)
        click.echo(f"Erreur : {_shown_message(exc.format_message())}", err=True)
        end(2)
    except click.Abort:
        click.echo("Interrompu.", err=True)
        end(INTERRUPTED)
    except click.ClickException as exc:
        click.echo(f"Erreur : {_shown_message(exc.format_message())}", err=True)
        end(exc.exit_code)
    except OSError as exc:
        if not _written_to_stdout(exc):  # not the standard output: a defect, shown as it is
            raise
        end(_say_stdout_failed(exc))
    except SystemExit as exc:
        # `rosp compute … | head -1`: the reader closed the pipe once it had what it wanted (the files are written);
        # click answers EPIPE by exit 1 with its streams wrapped — a closed pipe is not a failure of the command
        if exc.code == 1 and type(sys.stdout).__name__ == "_PacifyFlushWrapper":
            _quiet_stdout()
            end(0)
        raise
    end(code if isinstance(code, int) else 0)


# What the commands print beyond ASCII: an encoding that has not them (cp1252, a Windows `> journal.txt`) made a
# UnicodeEncodeError traceback, after the files were written (review)
_FRENCH_SAMPLE = "éèàçô«»€\u202f\u00a0\u2212…—≥"
EXIT_STDOUT = 3  # as the outputs of a command that could not be written (README, « codes de sortie »)


def _writable_in_french() -> None:
    """The standard streams in UTF-8 when their encoding cannot write French as the commands print it."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None or not hasattr(stream, "reconfigure"):
            continue
        try:
            _FRENCH_SAMPLE.encode(stream.encoding or "ascii")
        except (UnicodeEncodeError, LookupError):
            stream.reconfigure(encoding="utf-8")


def _standard_output_open() -> None:
    """A closed standard output (`>&-`, a service) sent to /dev/null: the kernels and workers the command starts
    inherit a valid descriptor (`rosp report >&-` failed, ipykernel's English traceback then « échec », review), and
    no file the command opens next can take descriptor 1. Nothing is lost: nobody reads it."""
    if sys.stdout is not None:
        return
    try:
        os.fstat(1)
    except OSError:
        fd = os.open(os.devnull, os.O_WRONLY)  # the lowest free descriptor: 1, unless 0 is closed too
        if fd != 1:
            os.dup2(fd, 1)
            os.close(fd)
        os.set_inheritable(1, True)  # (Python opens its descriptors non-inheritable: a child would find it closed)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)


def _written_to_stdout(exc: OSError) -> bool:
    """Whether `exc` was raised writing the standard output: by `click.echo` (how the commands print) to it."""
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_name == "echo" and frame.f_globals.get("__name__") == "click.utils" \
                and frame.f_locals.get("file") is sys.stdout:
            return True
        tb = tb.tb_next
    return False


def _say_stdout_failed(exc: OSError) -> int:
    from rosp_lib.lines.atomic import reason

    _quiet_stdout()
    click.echo(f"Erreur : impossible d'écrire la sortie standard : {reason(exc)} ; ce qu'elle devait recevoir est "
               "incomplet", err=True)
    return EXIT_STDOUT


def _flushed(code: int) -> int:
    """`code`, or EXIT_STDOUT when what is left of the standard output cannot be written (said in French). A closed
    pipe (`| head -1`: its reader has what it wanted) is no failure (nor a closed output: `_standard_output_open`)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
    except ValueError:  # closed
        pass
    except OSError as exc:
        return _say_stdout_failed(exc)
    if _cut_by_size_limit():
        return _say_stdout_failed(OSError(errno.EFBIG, os.strerror(errno.EFBIG)))
    return code


def _cut_by_size_limit() -> bool:
    """Whether the standard output, a file, reached the size limit (`ulimit -f`). Python writes a large text that the
    limit cuts in two without a word: the first part is written, the rest lost (measured: 20 480 bytes of 84 000,
    code 0). A text ending exactly at the limit is said cut too."""
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
        if limit == resource.RLIM_INFINITY:
            return False
        status = os.fstat(sys.stdout.fileno())
    except (ImportError, OSError, ValueError, AttributeError, io.UnsupportedOperation):  # no limits (Windows), no file
        return False
    return stat.S_ISREG(status.st_mode) and status.st_size >= limit


_LONG_WORD = re.compile(r"[^\s'«»]{201,}")


def _shown_message(message: str) -> str:
    """A usage error as it is printed: the value it quotes (an option's, a command name) with its control characters
    escaped — an escape sequence given to `--date` changed the terminal's title (review) — and shortened past 200
    characters, as the messages about the files show their values (a 3 000-character `--pharmacie` filled the
    screen)."""
    from rosp_lib.inputs.errors import MAX_SHOWN, thousands
    from rosp_lib.parameters.errors import visible

    return _LONG_WORD.sub(lambda m: f"{m.group()[:MAX_SHOWN]}… ({thousands(len(m.group()))} caractères)",
                          visible(message))


def _quiet_stdout() -> None:
    """Standard output sent to /dev/null: its reader has gone (a closed pipe), and flushing it again at exit
    would fail once more (Python's documented way, « Note on SIGPIPE »)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def leave(code: int) -> None:
    """End the process as the interpreter would, minus freeing every module one by one.

    That last step costs 0,6 to 0,8 s of CPU (≈ 1 s of wall time) after every `rosp` command, for the
    modules of pandas, pandera and distributed (measured 2026-12-01, benchmarks/README.md « Rapports »).
    What the interpreter does before it is kept, in its order: wait for the non-daemon threads and shut
    the executors down (`threading._shutdown`, as `Py_FinalizeEx` does), run the `atexit` functions
    (temporary folders, logging, Dask's client), flush the standard streams."""
    threading._shutdown()  # noqa: SLF001 - what the interpreter itself calls first at exit
    atexit._run_exitfuncs()  # noqa: SLF001
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # None: closed by the caller (`>&-`)
                stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said (`run` said any other failure)
            pass
    os._exit(code)


def scenario_notice(scenario, what: str = "les montants", where: str = "") -> str:
    """What a command computed with a scenario says first: its results are not the reference ones (`where`: where
    its files say which replaced values each result depends on)."""
    from pathlib import Path

    return (f"Scénario « {Path(scenario).name} » : {what} ne sont pas ceux des paramètres de référence"
            + (f" ({where})." if where else "."))


def input_warnings(pharmacies, molecules_given: bool, scenario) -> list[str]:
    """What the commands that compute from the pharmacies (compute, gains, report) say of what they read: the table's
    warnings, the molecules table missing where an exercise pays their premium, a scenario's percentages written as
    fractions."""
    from rosp_lib.inputs import no_molecules_warning, warnings_of
    from rosp_lib.parameters import scenario_warnings

    return (warnings_of(pharmacies) + ([] if molecules_given else no_molecules_warning(pharmacies["exercice"], scenario))
            + scenario_warnings(scenario, pharmacies["exercice"].unique()))


def warn(warnings) -> None:
    """What was read but looks wrong (`inputs.warnings_of`), or what the command cannot know: on the console,
    « Avertissement : … », the same way for every command."""
    for warning in warnings:
        click.echo(f"Avertissement : {warning}", err=True)
