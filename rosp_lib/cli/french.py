"""click in French: usage line, section titles, help option and usage errors.

click ships no French catalogue; the few words it prints itself are replaced here, once, for every
`rosp` command (`cls=FrenchCommand` / `FrenchGroup`), and `run` turns click's usage errors into
French messages with exit code 2.
"""

from __future__ import annotations

import sys

import click

HELP_TEXT = "Affiche cette aide et quitte."
SECTIONS = {"Options": "Options", "Commands": "Commandes", "Arguments": "Arguments"}


class FrenchFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="Utilisation : " if prefix is None else prefix)

    def section(self, name: str):
        return super().section(SECTIONS.get(name, name))


class FrenchContext(click.Context):
    formatter_class = FrenchFormatter


class _FrenchHelp:
    context_class = FrenchContext

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option


class FrenchCommand(_FrenchHelp, click.Command):
    pass


class FrenchGroup(_FrenchHelp, click.Group):
    command_class = FrenchCommand
    group_class = type  # sub-groups are FrenchGroup too

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", "COMMANDE [ARGUMENTS]...")
        super().__init__(*args, **kwargs)


def _french(exc: click.UsageError) -> str:
    if isinstance(exc, click.NoSuchOption):
        hint = f" — vouliez-vous dire {' ou '.join(exc.possibilities)} ?" if exc.possibilities else ""
        return f"option inconnue : {exc.option_name}{hint}"
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        if isinstance(exc.param, click.Argument):
            return f"argument manquant : {exc.param.human_readable_name}"
        return f"option manquante : {'/'.join(exc.param.opts)}"
    if isinstance(exc, click.BadParameter):
        param = exc.param
        where = param.human_readable_name if isinstance(param, click.Argument) else (
            "/".join(param.opts) if param is not None else str(exc.param_hint or ""))
        message = exc.message
        if "is not a valid integer" in message:
            message = f"{message.split(' is not')[0]} n'est pas un nombre entier"
        elif "is not in the range" in message or "is not a valid" in message:
            message = f"valeur refusée ({message})"
        return f"valeur invalide pour {where} : {message}"
    text = exc.format_message()
    if text.startswith("No such command"):
        name = text.split("'")[1] if "'" in text else text
        return f"commande inconnue : {name} (voir rosp --help)"
    if text.startswith("Got unexpected extra argument"):
        return "argument en trop : " + text.split("(", 1)[-1].rstrip(")")
    return text


def run(group: click.Group, argv: list[str] | None = None) -> None:
    """Run a click group with French usage errors (exit 2) instead of click's English ones."""
    try:
        code = group.main(args=argv, standalone_mode=False)
    except click.UsageError as exc:
        if exc.ctx is not None:
            click.echo(exc.ctx.get_usage(), err=True)
            click.echo(f"Aide : {exc.ctx.command_path} --help", err=True)
        click.echo(f"Erreur : {_french(exc)}", err=True)
        sys.exit(2)
    except click.Abort:
        click.echo("Interrompu.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        click.echo(f"Erreur : {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
