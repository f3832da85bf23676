"""`rosp gains` et `rosp rapprocher` : ce que l'officine peut encore gagner, et si elle a été bien payée."""

from __future__ import annotations

import datetime as dt
import sys
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import click

from rosp_lib.cli.french import Folder, FrenchCommand, input_warnings, scenario_notice, warn
from rosp_lib.cli.progress import progress_bar
from rosp_lib.counterfactual import gains as gains_module
from rosp_lib.counterfactual.gains import CHUNK_ROWS, GAINS_AMOUNTS, gains_for_output, gains_table, within_reach
from rosp_lib.counterfactual.reconcile import (CENT_TOLERANCE, RAPPROCHEMENT_AMOUNTS, RAPPROCHEMENT_COLUMNS, VERDICTS,
                                                causes_text, overpaid_notices, reconcile)
from rosp_lib.counterfactual.versements import future_payments, read_versements
from rosp_lib.engine import parameters_for
from rosp_lib.inputs import InputError, no_molecules_warning, read_inputs, warnings_of
from rosp_lib.inputs.errors import MAX_PER_KIND
from rosp_lib.lines.atomic import OutputError, ensure_folder, overwritten_input, write_together
from rosp_lib.lines.csvfile import write_csv
from rosp_lib.lines.formatting import agreed, counted, eur
from rosp_lib.lines.money import str_to_cents
from rosp_lib.parameters import ParameterError, Scenario, scenario_warnings
from rosp_lib.registry import indicator
from rosp_lib.registry import theme as theme_of
from rosp_lib.rulebook import indicator_words

EXIT_INVALID = 2
EXIT_OUTPUT = 3  # the outputs could not be written (the old ones are intact)
EXIT_WORKER = 4  # a worker process of rosp gains died (killed, out of memory): nothing written
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
TOP_ACTIONS = 3  # actions shown per pharmacy-year in the summary

_entree = click.argument("entree", metavar="ENTREE", type=click.Path(dir_okay=False, path_type=Path))
_molecules = click.option("--molecules", "molecules", metavar="FICHIER",
                          type=click.Path(dir_okay=False, path_type=Path),
                          help="Table des molécules ciblées (CSV ou XLSX), facultative.")
_parametres = click.option("--parametres", "scenario", metavar="FICHIER",
                           type=click.Path(dir_okay=False, path_type=Path),
                           help="Scénario YAML qui remplace quelques paramètres (lecture alternative, simulation).")


def _fail(message: str) -> None:
    click.echo(f"Erreur : {message}", err=True)
    sys.exit(EXIT_INVALID)


def _write(writers: dict) -> None:
    """All the files of one command written together through rosp_lib.lines.atomic (path → writer): each to an
    exclusive temporary file in the folder, never through a symlink, then all renamed, only once all are
    written; an unwritable folder or a full disk is a French error (exit code 3), every old file intact."""
    try:
        write_together(writers)
    except OutputError as exc:
        click.echo(f"Erreur : {exc}", err=True)
        sys.exit(EXIT_OUTPUT)


def _folder(out_dir: Path) -> None:
    try:
        ensure_folder(out_dir)
    except OutputError as exc:
        click.echo(f"Erreur : {exc}", err=True)
        sys.exit(EXIT_OUTPUT)


def _date(ctx, param, value: str | None) -> dt.date:
    from rosp_lib.inputs.parsing import option_date_problem

    if value is None:
        return dt.date.today()
    day, why = option_date_problem(value)
    if why is not None:
        raise click.BadParameter(why)
    return day


@click.command("gains", cls=FrenchCommand, context_settings=CONTEXT)
@_entree
@_molecules
@_parametres
@click.option("--date", "date", metavar="AAAA-MM-JJ", callback=_date,
              help="Date à laquelle juger ce qui est encore possible (ou JJ/MM/AAAA ; défaut : aujourd'hui).")
@click.option("-o", "--sortie", "out_dir", metavar="DOSSIER", type=Folder(),
              default=Path("outputs"), help="Dossier où écrire gains.csv (défaut : outputs).")
@click.option("-j", "--jobs", type=int, metavar="N",
              help=f"Nombre de processus de recherche en parallèle (défaut : un par cœur sous Linux ; 1 : tout dans ce "
                   f"processus ; un fichier de {CHUNK_ROWS} lignes ou moins, ou sous Windows et macOS, est toujours "
                   "traité dans ce processus). Le fichier écrit est le même.")
def gains_cmd(entree: Path, molecules: Path | None, scenario: Path | None, date: dt.date, out_dir: Path,
              jobs: int | None) -> None:
    """Ce que chaque pharmacie peut encore gagner, action par action, classé en euros.

    Pour chaque pharmacie et exercice du fichier ENTREE, chaque action qui augmente la ROSP : un taux
    porté au seuil suivant, un nombre porté à la tranche ou au palier suivant, une déclaration à faire,
    un socle à retrouver (tout le thème est alors en jeu), un sous-indicateur du malus à améliorer, le
    taux d'arrivée d'une molécule ciblée (au plancher s'il y en a un, et à 100 %). Le
    gain de chaque action est la différence de deux calculs de la ROSP, avant et après le changement
    (socles, prorata et malus compris). Un indicateur neutralisé ou déjà à son plafond n'offre rien.

    \b
    Écrit DOSSIER/gains.csv, une ligne par action :
      pharmacie_id, exercice, rang, theme, indicateur, action, colonne, valeur_actuelle,
      valeur_cible, gain_eur, nature (declaratif ou mesure), echeance, encore_possible (oui/non),
      statut_regle
    gain_eur est un nombre à point décimal (comme les montants de lignes.csv) ; valeur_actuelle et
    valeur_cible sont écrites à la française comme dans la phrase de l'action (p. ex. 95,5 ou 40 000), une
    valeur par colonne séparée par « ; » quand l'action en change plusieurs.
    Une déclaration est possible jusqu'à la fin de la fenêtre de déclaration de l'exercice ; un
    indicateur mesuré, jusqu'à la fin de sa période de mesure (l'année civile de l'exercice, ou la
    période du malus de facturation) et, pour un titulaire qui a cessé son activité, jusqu'à sa
    fin_activite (les dates viennent des paramètres et de la table).

    Codes de sortie : 0 fait ; 2 entrée ou option invalide (rien n'est écrit) ; 3 dossier de sortie
    impossible à écrire ; 4 un processus de recherche s'est arrêté brutalement ; 130 interrompue (Ctrl+C) ;
    143 arrêtée (SIGTERM).

    \b
    Exemple :
      rosp gains data/pharmacies.csv --molecules data/molecules.csv --date 2025-01-15 -o outputs/
    """
    if jobs is not None and jobs < 1:
        _fail(f"--jobs : au moins 1 processus (reçu : {jobs}).")
    clash = overwritten_input(out_dir, ["gains.csv"], (entree, molecules, scenario))
    if clash:
        _fail(clash)
    try:
        pharmacies, mols = read_inputs(entree, molecules, scenario)
        params = parameters_for(pharmacies["exercice"].unique(), Scenario.read(scenario) if scenario else None)
    except (InputError, ParameterError) as exc:
        _fail(str(exc))
    warn(input_warnings(pharmacies, bool(molecules), scenario))
    bar = progress_bar(len(pharmacies), "Gains", "ligne") if len(pharmacies) > gains_module.CHUNK_ROWS else None
    try:
        table = gains_table(pharmacies, mols, params, date, jobs=jobs, progress=bar.update if bar else None)
    except BrokenProcessPool:
        if bar:
            bar.close()
        click.echo("Erreur : un processus de recherche s'est arrêté brutalement (mémoire insuffisante ?) ; gains.csv "
                   "n'a pas été écrit (l'ancien est intact). Relancez, au besoin avec --jobs 1.", err=True)
        sys.exit(EXIT_WORKER)
    if bar:
        bar.close()
    reach = within_reach(pharmacies, mols, table, params)
    _folder(out_dir)
    _write({out_dir / "gains.csv": lambda fh: write_csv(gains_for_output(table), fh, numbers=GAINS_AMOUNTS)})
    if scenario is not None:
        click.echo(scenario_notice(scenario, "les montants et les gains"))
    click.echo(f"Ce que les officines peuvent encore gagner (au {date.strftime('%d/%m/%Y')}) :")
    for pid, year, now, extra in zip(reach["pharmacie_id"], reach["exercice"], reach["actuel_cents"],
                                     reach["a_portee_cents"]):
        mine = table[(table["pharmacie_id"] == pid) & (table["exercice"] == year)]
        possible = mine[mine["encore_possible"] == "oui"]
        click.echo(f"  {pid} {year} : {eur(int(now))} calculés ; encore à portée : {eur(int(extra))} "
                   f"({counted(len(possible), 'action encore possible', 'actions encore possibles')} sur {len(mine)})")
        for _, r in possible.head(TOP_ACTIONS).iterrows():
            click.echo(f"    {r['rang']}. +{eur(int(r['gain_cents']))} — {indicator_words(params[int(year)], r['indicateur'])} "
                       f"({r['indicateur']}) : {r['action']} "
                       f"(jusqu'au {dt.date.fromisoformat(r['echeance']).strftime('%d/%m/%Y')} inclus)")
    click.echo(f"Écrit : {out_dir / 'gains.csv'}")


@click.command("rapprocher", cls=FrenchCommand, context_settings=CONTEXT)
@_entree
@click.option("--versements", "versements", metavar="FICHIER", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Ce que l'Assurance Maladie a versé (relevé « Mes ROSP ») : CSV ou XLSX, feuille « versements ».")
@_molecules
@_parametres
@click.option("--date", "date", metavar="AAAA-MM-JJ", callback=_date,
              help="Date à laquelle juger si un versement peut encore venir (complément d'un versement partiel, thème "
                   "pas encore versé) ou si le délai de versement du thème est passé, et quelles lignes du relevé sont "
                   "datées après elle (ou JJ/MM/AAAA ; défaut : aujourd'hui).")
@click.option("-o", "--sortie", "out_dir", metavar="DOSSIER", type=Folder(),
              default=Path("outputs"), help="Dossier où écrire rapprochement.csv et les réclamations (défaut : outputs).")
def rapprocher_cmd(entree: Path, versements: Path, molecules: Path | None, scenario: Path | None, date: dt.date,
                   out_dir: Path) -> None:
    """Compare ce que chaque pharmacie devait recevoir à ce qui lui a été versé.

    Le tableau des versements a une ligne par pharmacie, exercice et thème (ou par indicateur quand le
    relevé le détaille) : pharmacie_id, exercice, theme, indicateur (facultatif),
    montant_verse_eur, date_versement (facultatif), libelle_releve (facultatif). Plusieurs lignes
    d'une même clé (versement initial et complément) s'additionnent. Pour une même pharmacie, un même
    exercice et un même thème, une ligne du thème et des lignes d'indicateurs non nulles sont refusées :
    détail (« dont ») du total ou versements en plus, l'outil ne choisit pas (gardez la seule ligne du
    thème pour un détail, écrivez un versement en plus sur une ligne du thème) ; une ligne d'indicateur
    à 0 € à côté de la ligne du thème est acceptée (l'indicateur n'a rien reçu).

    \b
    Écrit dans le dossier de sortie :
      rapprochement.csv  une ligne par thème (et par indicateur détaillé) : attendu_eur, verse_eur,
                         ecart_eur, verdict (conforme : écart d'au plus {tolerance} en valeur
                         absolue ; ecart, non_verse, non_attendu), explication, lecture_qui_explique
      reclamation_<pharmacie_id>_<exercice>.md  un projet de réclamation pour chaque pharmacie et
                         exercice avec un montant à réclamer (un thème versé en dessous de l'attendu) ;
                         un trop-versé seul n'en a pas : il est signalé ici, à vérifier

    Un écart n'est expliqué que si la bibliothèque retrouve le montant versé à {tolerance} près, les causes
    cherchées dans cet ordre : {causes} ; sinon il est dit « écart inexpliqué ». Un versement pour un
    thème ou un indicateur qui n'existe pas cet exercice, une ligne d'indicateur à 0 € à côté de la ligne
    de son thème versé comme dû, un thème dû dont rien n'a été versé, et un versement repris en entier,
    sont dits tels quels, sans cause devinée. Le complément d'un versement partiel, ou un thème pas encore versé, est dit « peut-être à
    venir » si la date --date ne dépasse pas le dernier jour où le thème est versé (paramètre
    calendrier.versement.<thème> de l'exercice, en N+1 ; une hypothèse quand aucune date n'est publiée),
    sinon à réclamer ; les lignes du relevé datées après --date sont signalées.

    Codes de sortie : 0 fait ; 2 entrée ou option invalide (rien n'est écrit) ; 3 dossier de sortie
    impossible à écrire ; 130 interrompue (Ctrl+C).

    \b
    Exemple :
      rosp rapprocher data/pharmacies.csv --versements data/versements.csv --molecules data/molecules.csv -o outputs/
    """
    clash = overwritten_input(out_dir, ["rapprochement.csv"], (entree, versements, molecules, scenario))
    if clash:
        _fail(clash)
    try:
        pharmacies, mols = read_inputs(entree, molecules, scenario)
        paid = read_versements(versements, pharmacies)
        if paid.empty:  # a statement exported before any payment (a report's slice of it may be empty: not here)
            raise InputError(str(versements), ["aucun versement dans le relevé ; attendu : une ligne par versement du "
                                               "relevé « Mes ROSP » sous l'en-tête (sans versement, il n'y a rien à "
                                               "rapprocher)"])
        table, claims = reconcile(pharmacies, mols, paid, Scenario.read(scenario) if scenario else None, date)
    except (InputError, ParameterError) as exc:
        _fail(str(exc))
    # What a statement without the molecules cannot explain: a BUPS payment of an exercise paying their premium.
    premium_years = paid.loc[paid["theme"] == indicator("molecules_ciblees").theme, "exercice"]
    warn(warnings_of(pharmacies, paid) + ([] if molecules else [
        f"{w} (sans elle, un versement BUPS qui la comprend paraît trop élevé)"
        for w in no_molecules_warning(premium_years, scenario)]) + future_payments(paid, date)
         + scenario_warnings(scenario, pharmacies["exercice"].unique()))
    _folder(out_dir)
    # rapprochement.csv and the claim drafts in one all-or-nothing write: never a new table beside old drafts.
    # Then the draft of an earlier run whose pharmacy-year this statement covers and that has no gap any more
    # goes, as `rosp report` removes it (a draft of a pharmacy-year the statement does not cover stays).
    writers = {out_dir / "rapprochement.csv": lambda fh: write_csv(table[RAPPROCHEMENT_COLUMNS], fh,
                                                                         numbers=RAPPROCHEMENT_AMOUNTS)}
    written = []
    for (pid, year), text in claims.items():
        path = out_dir / f"reclamation_{pid}_{year}.md"
        writers[path] = lambda fh, t=text: fh.write(t.encode("utf-8"))
        written.append(path)
    _write(writers)
    covered = sorted(set(zip(table["pharmacie_id"], table["exercice"].astype(int))))
    removed = [path for path in (out_dir / f"reclamation_{pid}_{year}.md" for pid, year in covered
                                 if (pid, year) not in claims) if _removed(path)]
    counts = table["verdict"].value_counts()
    if scenario is not None:  # the expected amounts and the claims are the scenario's: said first (and in each claim)
        click.echo(scenario_notice(scenario, "les montants attendus et les réclamations"))
    pairs = table[['pharmacie_id', 'exercice']].drop_duplicates().shape[0]
    click.echo(f"Rapprochement de {counted(pairs, 'pharmacie × exercice', 'pharmacies × exercice')}, "
               f"{counted(len(table), 'ligne', 'lignes')} : "
               + ", ".join(f"{label} {int(counts.get(v, 0))}" for v, label in VERDICTS.items()))
    # The pharmacy-years of the file the statement has no line for: not reconciled, said (they were left out silently).
    covered = set(zip(table["pharmacie_id"], table["exercice"].astype(int)))
    missing = sorted({(p, int(y)) for p, y in zip(pharmacies["pharmacie_id"], pharmacies["exercice"])} - covered)
    if missing:
        shown = ", ".join(f"{p} {y}" for p, y in missing[:MAX_PER_KIND])
        more = f" et {counted(len(missing) - MAX_PER_KIND, 'autre', 'autres')}" if len(missing) > MAX_PER_KIND else ""
        click.echo(f"{agreed(len(missing), 'Non rapprochée', 'Non rapprochées')}, aucune ligne dans le relevé : "
                   f"{counted(len(missing), 'pharmacie × exercice', 'pharmacies × exercice')} du fichier ({shown}{more})")
    # the gaps, and the rows paid as due that another reading would pay more (their explanation says it)
    for _, r in table[(table["verdict"] != "conforme") | (table["explication"] != "")].iterrows():
        what = theme_of(r["theme"]).titre_court + (f" / {r['indicateur']}" if r["indicateur"] else "")
        click.echo(f"  {r['pharmacie_id']} {r['exercice']} {what} : attendu {eur(str_to_cents(r['attendu_eur']))}, versé "
                   f"{eur(str_to_cents(r['verse_eur']))} ({VERDICTS[r['verdict']]}) — {r['explication']}")
    for (pid, year), text in overpaid_notices(table).items():
        click.echo(f"  {pid} {year} : {text}")
    click.echo(f"Écrit : {out_dir / 'rapprochement.csv'}"
               + (f" et {counted(len(written), 'projet', 'projets')} de réclamation (reclamation_*.md)" if written else ""))
    if removed:
        click.echo(f"Retiré{'s' if len(removed) > 1 else ''} (plus rien à réclamer pour cette pharmacie et cet exercice) : "
                   + ", ".join(p.name for p in removed))
    # the drafts of an earlier run for pharmacy-years this statement does not cover stay (another statement's), but
    # beside a rapprochement.csv that no longer holds their rows: said, so that none is taken for this run's (review)
    older = sorted(p.name for p in out_dir.glob("reclamation_*.md") if p not in written)
    if older:
        shown = ", ".join(older[:MAX_PER_KIND]) + (f" et {len(older) - MAX_PER_KIND} autres"
                                                   if len(older) > MAX_PER_KIND else "")
        click.echo(f"Laissé{'s' if len(older) > 1 else ''} en place, d'un passage précédent (pharmacies × exercice "
                   f"absentes de ce relevé, hors de rapprochement.csv) : {shown}")


# the « conforme » tolerance, from the constant the reconciliation compares with
rapprocher_cmd.help = rapprocher_cmd.help.replace("{tolerance}", eur(CENT_TOLERANCE)).replace("{causes}", causes_text())


def _removed(path: Path) -> bool:
    """Remove a file of an earlier run (a symlink there: the link, never its target); whether there was one."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        from rosp_lib.lines.atomic import reason

        click.echo(f"Avertissement : {path} n'a pas pu être retiré ({reason(exc)}) : il date d'une exécution "
                   "précédente", err=True)
        return False
    return True


