"""La commande `rosp` : calcul, paramètres, colonnes d'entrée et rapports."""

from __future__ import annotations

import datetime as dt
import sys
from concurrent.futures.process import BrokenProcessPool
from decimal import Decimal
from pathlib import Path

import click

from rosp_lib.cli.french import Folder, FrenchGroup, input_warnings, scenario_notice, warn
from rosp_lib.cli.french import run as _run
from rosp_lib.lines.atomic import OutputError, cleaned_up_on_sigterm, ensure_folder, overwritten_input, write_together
from rosp_lib.engine import compute, parameters_for, totals
from rosp_lib.lines.formatting import counted, eur, eur_value, num, num_exact
from rosp_lib.lines.workers import WORKER_PART_ROWS
from rosp_lib.inputs import InputError, columns_markdown, read_inputs
from rosp_lib.parameters import Kind, ParameterError, diff_exercises, load_parameters, unit
from rosp_lib.registry import THEME_CODES as THEMES
from rosp_lib.registry import theme as theme_of
from rosp_lib.rulebook import statut_word

EXIT_INVALID = 2
EXIT_OUTPUT = 3  # the outputs could not be written (the old ones are intact)
EXIT_WORKER = 4  # a worker process of rosp compute died (killed, out of memory): nothing written

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _fail(message: str, code: int = EXIT_INVALID) -> None:
    click.echo(f"Erreur : {message}", err=True)
    sys.exit(code)


class _Rosp(FrenchGroup):
    """The `rosp` group. The commands written in other modules are imported when they are called (or listed by
    `rosp --help`): `rosp compute` does not import the reports' machinery nor the gains' (measured: ≈ 0,1 s of
    its start, when a national file takes a few seconds)."""

    group_class = FrenchGroup  # `rosp parametres` lists its own commands, not these

    LAZY = {
        "report": ("rosp_lib.batch.reports", "report_cmd"),
        "gains": ("rosp_lib.cli.counterfactual", "gains_cmd"),
        "rapprocher": ("rosp_lib.cli.counterfactual", "rapprocher_cmd"),
        "grappe": ("rosp_lib.cli.grappe", "grappe_cmd"),
    }
    OPTIONAL = {"report"}  # needs the reports extra (papermill, nbconvert): without it, « commande inconnue »

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.LAZY})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in self.LAZY:
            module, attribute = self.LAZY[name]
            try:
                command = getattr(__import__(module, fromlist=[attribute]), attribute)
            except ImportError:
                if name not in self.OPTIONAL:  # a broken install is said as it is, not as an unknown command
                    raise
                return None
            self.commands.setdefault(name, command)  # `rosp_lib.batch.reports` may have added it while importing
        return self.commands.get(name)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        """As click's, with the commands not imported yet among the suggestions (« vouliez-vous dire … ? »): click
        takes them from `self.commands`."""
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            raise click.exceptions.NoSuchCommand(exc.command_name, possibilities=self.list_commands(ctx),
                                                 ctx=ctx) from None


def _main_help() -> str:
    """The root help, its exercises those of the parameter files (not a list typed here: audit)."""
    from rosp_lib.parameters import available_exercises

    years = available_exercises()
    span = f"exercices {years[0]} à {years[-1]}" if len(years) > 1 else f"exercice {years[0]}" if years else "exercices"
    diff = f"\n      rosp parametres diff {years[-2]} {years[-1]}" if len(years) > 1 else ""
    return f"""ROSP des officines ({span}) : ce que chaque pharmacie doit recevoir, et pourquoi.

    \b
    Exemples :
      rosp compute data/pharmacies.csv --molecules data/molecules.csv -o outputs/
      rosp report data/pharmacies.csv --molecules data/molecules.csv --toutes -o outputs/{diff}

    Chaque commande a son aide : rosp compute --help, rosp report --help…
    """


@click.group(cls=_Rosp, context_settings=CONTEXT, help=_main_help())
@click.version_option(package_name="rosp-lib", message="rosp %(version)s", help="Affiche la version et quitte.")
def main() -> None:
    pass


@main.command("compute", context_settings=CONTEXT)
@click.argument("entree", metavar="ENTREE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--molecules", "molecules", metavar="FICHIER", type=click.Path(dir_okay=False, path_type=Path),
              help="Table des molécules ciblées (CSV ou XLSX), facultative.")
@click.option("--parametres", "scenario", metavar="FICHIER", type=click.Path(dir_okay=False, path_type=Path),
              help="Scénario YAML qui remplace quelques paramètres (lecture alternative d'une hypothèse, simulation).")
@click.option("-o", "--sortie", "out_dir", metavar="DOSSIER", type=Folder(),
              default=Path("outputs"), help="Dossier où écrire lignes.csv et totaux.csv (défaut : outputs).")
@click.option("--format", "fmt", type=click.Choice(["csv", "csv-fr", "xlsx"]), default="csv",
              help="csv (défaut) : les fichiers du contrat (virgule, point décimal) ; csv-fr : les mêmes pour un tableur "
                   "français (« ; », virgule décimale, UTF-8 avec BOM) ; xlsx : resultats.xlsx, feuilles totaux et "
                   "lignes (montants en euros, taux en %, en-tête figé, filtres).")
@click.option("-j", "--jobs", type=int, metavar="N",
              help="Nombre de processus de calcul en parallèle pour le format csv (défaut : un par cœur sous Linux ; "
                   f"1 : tout dans ce processus ; un fichier de {num(WORKER_PART_ROWS[0])} lignes ou moins, ou sous "
                   "Windows et macOS, est toujours calculé dans ce processus). "
                   "Les fichiers écrits sont les mêmes.")
def compute_cmd(entree: Path, molecules: Path | None, scenario: Path | None, out_dir: Path, fmt: str,
                jobs: int | None) -> None:
    """Calcule la ROSP de chaque pharmacie et exercice du fichier ENTREE.

    ENTREE est un tableau .csv (séparateur « , », « ; » ou tabulation, virgule ou point décimal,
    UTF-8 avec ou sans BOM, ou UTF-16 marqué) ou .xlsx (feuille « pharmacies » ou première feuille), une ligne par pharmacie et
    exercice ; les colonnes sont décrites par « rosp colonnes ».

    \b
    Écrit dans le dossier de sortie :
      lignes.csv  une ligne par pharmacie × exercice × indicateur (les malus sont négatifs)
      totaux.csv  une ligne par pharmacie × exercice : un montant par thème et le total

    Montants en euros, point décimal, deux décimales. Si le fichier est invalide, tous ses
    problèmes sont listés (ligne, pharmacie, colonne, valeur, attendu), rien n'est calculé ni écrit,
    et la commande sort avec le code 2 (de même pour une option invalide, un -o qui nomme un fichier
    par exemple) ; si le dossier de sortie ne peut pas être écrit (absent et
    impossible à créer, en lecture seule, disque plein), elle sort avec le code 3 et les anciens
    fichiers restent intacts (de même, avec le code 4, si un processus de calcul s'arrête brutalement,
    avec le code 130 si la commande est interrompue par Ctrl+C, 143 si elle est arrêtée par SIGTERM).

    \b
    Exemple :
      rosp compute data/pharmacies.csv --molecules data/molecules.csv -o outputs/
    """
    from rosp_lib.lines.spreadsheet import (LineCounts, converted_ids_warning, csv_writers_by_part, files_for,
                                            parts_in_process, writers)
    from rosp_lib.lines.workers import parts_in_workers, worker_count

    if jobs is not None and jobs < 1:
        _fail(f"--jobs : au moins 1 processus (reçu : {jobs}).")
    clash = overwritten_input(out_dir, files_for(fmt), (entree, molecules, scenario))
    if clash:
        _fail(clash)
    try:
        pharmacies, molecules_table = read_inputs(entree, molecules, scenario)
        params = parameters_for(pharmacies["exercice"].unique(), scenario)
        if fmt != "csv":
            lines = compute(pharmacies, molecules_table, params)
            counts = LineCounts()
            counts.add(lines, totals(lines, pharmacies))
    except (InputError, ParameterError) as exc:
        _fail(str(exc))
    warn(input_warnings(pharmacies, bool(molecules), scenario)
         + converted_ids_warning(pharmacies["pharmacie_id"].unique(), fmt))
    try:
        ensure_folder(out_dir)
        with cleaned_up_on_sigterm():
            if fmt == "csv":  # computed and written a part of the rows at a time: memory bounded
                counts = LineCounts()
                workers = worker_count(len(pharmacies), jobs)
                if workers > 1:  # forked here, before write_together starts its background sync thread
                    with parts_in_workers(pharmacies, molecules_table, params, workers, out_dir) as parts:
                        write_together(csv_writers_by_part(out_dir, parts, counts))
                else:  # one part, or --jobs 1: no worker process to pay for
                    write_together(csv_writers_by_part(out_dir, parts_in_process(pharmacies, molecules_table, params),
                                                       counts))
            else:
                write_together(writers(fmt, out_dir, lines, counts.all_totals()))
    except OutputError as exc:
        _fail(str(exc), EXIT_OUTPUT)
    except (InputError, ParameterError) as exc:
        _fail(str(exc))
    except BrokenProcessPool:
        _fail("un processus de calcul s'est arrêté brutalement (mémoire insuffisante ?) ; aucun fichier de sortie "
              "n'a été remplacé (les anciens sont intacts). Relancez, au besoin avec --jobs 1.", EXIT_WORKER)
    _summary(pharmacies, counts, out_dir, files_for(fmt), scenario)


def _summary(pharmacies, counts, out_dir: Path, files=("lignes.csv", "totaux.csv"), scenario: Path | None = None) -> None:
    n_ph = pharmacies["pharmacie_id"].nunique()
    n_rows = len(pharmacies)
    tot = counts.all_totals()
    hyp, missing = counts.hypotheses, counts.missing
    if scenario is not None:  # the totals below are not the reference ones: said first
        click.echo(scenario_notice(scenario, where="colonne scenario des lignes : les valeurs remplacées dont dépend "
                                                  "chaque ligne"))
    click.echo(f"{counted(n_ph, 'pharmacie', 'pharmacies')}, {counted(n_rows, 'ligne', 'lignes')} pharmacie × exercice, "
               f"{counted(counts.lines, 'ligne', 'lignes')} de résultat.")
    for year, group in tot.groupby("exercice"):
        parts = " ; ".join(f"{theme_of(t).titre_court} : {eur(int(group[t].sum()))}" for t in THEMES
                           if int(group[t].sum()))  # the themes with an amount, by their titles
        click.echo(f"  exercice {year} : total {eur(int(group['total'].sum()))} — {parts or 'aucun montant'}")
    click.echo(f"  total général : {eur(int(tot['total'].sum()))}")
    click.echo(f"  lignes fondées sur une hypothèse : {num(hyp)} ; lignes avec donnée manquante : {num(missing)}")
    click.echo("Écrit : " + " et ".join(str(out_dir / f) for f in files))


@main.group("parametres", context_settings=CONTEXT)
def parametres() -> None:
    """Les paramètres datés des règles (parameters/<exercice>.yaml)."""


@parametres.command("diff", context_settings=CONTEXT)
@click.argument("avant", type=int, metavar="EXERCICE_AVANT")
@click.argument("apres", type=int, metavar="EXERCICE_APRES")
@click.option("--parametres", "scenario", metavar="FICHIER", type=click.Path(dir_okay=False, path_type=Path),
              help="Scénario YAML appliqué aux deux exercices avant la comparaison.")
def diff_cmd(avant: int, apres: int, scenario: Path | None) -> None:
    """Affiche ce qui change entre deux exercices (valeur ou statut de chaque paramètre).

    Exemple : rosp parametres diff 2024 2025
    """
    try:
        a, b = load_parameters(avant, scenario), load_parameters(apres, scenario)
    except ParameterError as exc:
        _fail(str(exc))
    from rosp_lib.parameters import iter_leaves

    rows = diff_exercises(a, b)
    units = {path: leaf.unite for p in (a, b) for path, leaf in iter_leaves(p)}

    def shown(value, path: str) -> str:
        return _shown(value, units[path])

    def follows(r) -> bool:
        """A date that only follows the exercise: the same day, as many years later, with the same status (the end of
        the declaration, the payment dates: they move with N every year, and said so once below)."""
        x, y = r["avant"], r["apres"]
        if not (isinstance(x, dt.date) and isinstance(y, dt.date)) or r["statut_avant"] != r["statut_apres"]:
            return False
        try:
            return x.replace(year=x.year + apres - avant) == y
        except ValueError:  # 29 February
            return False

    moved = [r["parametre"] for r in rows if follows(r)]
    rows = [r for r in rows if not follows(r)]
    if not rows and not moved:
        click.echo(f"Aucune différence entre {avant} et {apres}.")
        return
    click.echo(f"{counted(len(rows), 'paramètre change', 'paramètres changent')} entre {avant} et {apres} :")
    for r in rows:
        statut = ""
        if r["statut_avant"] != r["statut_apres"]:
            statut = (f" [statut : {statut_word(r['statut_avant']) if r['statut_avant'] else '—'} → "
                      f"{statut_word(r['statut_apres']) if r['statut_apres'] else '—'}]")
        click.echo(f"  {r['parametre']} ({r['libelle']}) : {shown(r['avant'], r['parametre'])} → "
                   f"{shown(r['apres'], r['parametre'])}{statut}")
    if moved:
        years = counted(abs(apres - avant), "an", "ans")
        click.echo(f"Et {counted(len(moved), 'date', 'dates')} du calendrier qui {'suit' if len(moved) == 1 else 'suivent'} "
                   f"l'exercice (même jour, {years} {'plus tard' if apres > avant else 'plus tôt'}, même statut) : "
                   f"{', '.join(moved)}.")


def _shown(value, unite: str) -> str:
    """A parameter's value with its unit, as `rosp parametres show` and `diff` write it: « 820,00 € », « 0,064 €/FSE »,
    « 95 % », « 100 factures », « palipéridone : 20,00 €/boîte », « aucune » for an empty list or mapping (review:
    « {} €/boîte », « 418,6 € »), a scale as the rules book writes it; « — » for none."""
    if value is None:
        return "—"
    u = unit(unite)
    if isinstance(value, (list, dict)) and not value:
        return "aucune"  # as the rules book says it (`rulebook.leaf_text`)
    if u.kind is Kind.SCALE:
        from rosp_lib.rulebook import bareme_text

        return bareme_text(value)
    if isinstance(value, dict):
        return ", ".join(f"{k} : {_shown(v, unite)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value)
    if u.euros and (isinstance(value, int) or hasattr(value, "as_tuple")) and not isinstance(value, bool):
        per = unite.split("EUR", 1)[1].replace("boite", "boîte")  # « EUR/boite » → « /boîte »
        return eur_value(value) + per  # every decimal, at least two (« 0,22565 € », « 418,60 € »)
    return _show(value) + _unit_shown(unite, value)


def _show(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (int,)) or hasattr(value, "as_tuple"):
        return num_exact(value)  # every digit: « 0,22565 », never rounded to 4 decimals (« 0,2256 »)
    if isinstance(value, dt.date):  # as the reports and the alternatives write a date (« 2025-02-28 » beside
        return f"{value:%d/%m/%Y}"  # « alternative : 31/01/2025 » on one line: review)
    if isinstance(value, str):  # a state or a reading in words, as the rules book says it (« neutralise »: review)
        from rosp_lib.rulebook import value_word

        return value_word(value)
    return str(value)


def _code(value) -> str:
    """After a state or a reading said in words, the code a scenario writes (review: « demi_haut », « substituees »
    appeared nowhere in `show` once the values were in words)."""
    return f" [« {value} » dans un scénario]" if isinstance(value, str) and _show(value) != value else ""


@parametres.command("show", context_settings=CONTEXT)
@click.argument("exercice", type=int, metavar="EXERCICE")
@click.option("--parametres", "scenario", metavar="FICHIER", type=click.Path(dir_okay=False, path_type=Path),
              help="Scénario YAML à appliquer.")
def show_cmd(exercice: int, scenario: Path | None) -> None:
    """Liste tous les paramètres d'un exercice avec leur statut (hypothèses signalées)."""
    from rosp_lib.parameters import iter_leaves

    try:
        p = load_parameters(exercice, scenario)
    except ParameterError as exc:
        _fail(str(exc))
    reference = dict(iter_leaves(load_parameters(exercice))) if scenario is not None else {}
    for path, leaf in iter_leaves(p):
        if leaf.surcharge:  # the scenario's value: neither the status nor the alternative of the value it replaces
            was = reference.get(path)
            before = (f" ; valeur de référence : {_shown(was.valeur, was.unite)} "
                      f"({statut_word(was.statut)})"
                      if was else "")
            click.echo(f"{path} = {_shown(leaf.valeur, leaf.unite)}{_code(leaf.valeur)} (scénario "
                       f"{Path(leaf.surcharge).name}{before})")
            continue
        # the status once, with the other reading of a hypothesis beside it (it was « (hypothese) — HYPOTHÈSE (…) »)
        mark = f" ; alternative : {leaf.alternative}" if leaf.statut == "hypothese" else ""
        click.echo(f"{path} = {_shown(leaf.valeur, leaf.unite)}{_code(leaf.valeur)} "
                   f"({statut_word(leaf.statut)}{mark})")


# Units whose values say what they are (a state, yes/no, a reading, a date, a list, a scale, a coefficient):
# written without
_SELF_EVIDENT = {Kind.STATE, Kind.FLAG, Kind.COMPARISON, Kind.READING, Kind.DATE, Kind.LIST, Kind.SCALE, Kind.RATIO}
_UNIT_WORDS = {"teleconsultations par tranche": "téléconsultations par tranche"}  # unit codes written without accents


def _unit_shown(name: str, value=None) -> str:
    """A parameter's unit after its value, as `rosp parametres show` writes it: « 820 € », « 0,07 €/FSE », « 95 % »,
    « 100 factures »; nothing after a state, yes/no, a reading or a date (their code, « etat », read as English)."""
    u = unit(name)
    if u.kind in _SELF_EVIDENT:
        return ""
    if u.euros:
        return " " + name.replace("EUR", "€").replace("boite", "boîte")
    words = _UNIT_WORDS.get(name, name)
    if not u.suffix and isinstance(value, (int, Decimal)) and not isinstance(value, bool) and abs(value) < 2:
        first, _, rest = words.partition(" ")  # « 1 accompagnement », « 1 téléconsultation par tranche » (review)
        words = " ".join(w for w in (first[:-1] if first.endswith("s") else first, rest) if w)
    return u.suffix or f" {words}"


@main.command("regles", context_settings=CONTEXT)
@click.argument("exercice", type=int, metavar="[EXERCICE]", required=False)
@click.option("--parametres", "scenario", metavar="FICHIER", type=click.Path(dir_okay=False, path_type=Path),
              help="Scénario YAML à appliquer : le livre est alors écrit avec ses valeurs.")
def regles_cmd(exercice: int | None, scenario: Path | None) -> None:
    """Affiche (en Markdown) le livre des règles : pour chaque thème et indicateur, la règle de chaque
    exercice, ses paramètres, leur statut et leur source, et pour chaque hypothèse son alternative et la
    clé de scénario qui la remplace. Sans EXERCICE : tous les exercices (c'est docs/regles.md).

    Exemple : rosp regles 2025
    """
    from rosp_lib.parameters import available_exercises
    from rosp_lib.rulebook import book_markdown

    years = [exercice] if exercice is not None else available_exercises()
    try:
        params = {y: load_parameters(y, scenario) for y in years}
    except ParameterError as exc:
        _fail(str(exc))
    click.echo(book_markdown(params, scenario.name if scenario is not None else None), nl=False)


@main.command("colonnes", context_settings=CONTEXT)
def colonnes_cmd() -> None:
    """Affiche (en Markdown) les colonnes d'entrée acceptées, générées depuis le schéma."""
    click.echo(columns_markdown(), nl=False)


def run() -> None:
    """The `rosp` console script: click with French usage errors, and no slow finalisation at exit."""
    _run(main, fast_exit=True, prog_name="rosp")  # « rosp » in usage lines, also when run by the grappe's server

