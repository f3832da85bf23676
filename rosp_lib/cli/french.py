"""click in French, through a gettext catalogue: rosp_lib/locale/fr/LC_MESSAGES/click.po (.mo).

click marks every message it prints with gettext (`_()`, `ngettext()`); the French catalogue is
installed into click's modules once, when this module is imported, whatever the user's locale: usage
lines, section titles, help options and every usage error (missing or unknown option, bad value,
file that is a folder, value not among the choices…) come out in French. `run` prints a usage error
as « Erreur : … » with exit code 2.
"""

from __future__ import annotations

import gettext
import importlib
import sys
from pathlib import Path

import click

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
CATALOGUE = gettext.translation("click", localedir=LOCALE_DIR, languages=["fr"])
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


class FrenchCommand(click.Command):
    pass


class FrenchGroup(click.Group):
    command_class = FrenchCommand
    group_class = type  # sub-groups are FrenchGroup too

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", "COMMANDE [ARGUMENTS]...")
        super().__init__(*args, **kwargs)


def run(group: click.Group, argv: list[str] | None = None) -> None:
    """Run a click group: usage errors « Erreur : … » (exit 2), in French by the catalogue."""
    try:
        code = group.main(args=argv, standalone_mode=False)
    except click.UsageError as exc:
        if exc.ctx is not None:
            click.echo(exc.ctx.get_usage(), err=True)
            click.echo(f"Aide : {exc.ctx.command_path} --help", err=True)
        click.echo(f"Erreur : {exc.format_message()}", err=True)
        sys.exit(2)
    except click.Abort:
        click.echo("Interrompu.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        click.echo(f"Erreur : {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
