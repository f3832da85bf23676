"""Command-line checks of the adversarial pass of 2026-12-03: an option given twice, an empty file or folder name, a
date option out of any plausible year, and the exit codes each command's help gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from rosp_lib.cli import main

DATA = Path(__file__).resolve().parent.parent / "data"
PH, VERS = str(DATA / "pharmacies.csv"), str(DATA / "versements.csv")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("args,said", [
    # click kept the last value: the first statement was dropped without a word, its payments claimed again
    (["rapprocher", PH, "--versements", VERS, "--versements", VERS], "l'option --versements est donnée deux fois ;"),
    (["gains", PH, "--date", "2025-01-01", "--date=2026-01-01"], "l'option --date est donnée deux fois ;"),
    (["compute", PH, "-o", "a", "--sortie", "b"], "l'option --sortie est donnée deux fois (aussi écrite -o) ;"),
    (["compute", PH, "--molecules", str(DATA / "molecules.csv"), "--molecules", str(DATA / "molecules.csv")],
     "l'option --molecules est donnée deux fois ;"),
])
def test_an_option_given_twice_is_refused(tmp_path, args, said):
    result = run(*args, *(["-o", tmp_path / "o"] if "-o" not in args and "--sortie" not in args else []))
    assert result.exit_code == 2
    assert f"Erreur : {said} attendu : une seule valeur" in result.stderr
    assert not (tmp_path / "o").exists() and not Path("a").exists()


@pytest.mark.parametrize("args,said", [
    (["gains", PH, "-o", ""], "l'option -o/--sortie a une valeur vide ; attendu : un nom de dossier"),
    (["gains", PH, "--sortie="], "l'option -o/--sortie a une valeur vide ; attendu : un nom de dossier"),
    (["rapprocher", PH, "--versements", ""], "l'option --versements a une valeur vide ; attendu : un nom de fichier"),
    (["compute", ""], 'argument vide ("") ; attendu : un nom de fichier'),
    # any option: `--dask ""` ran the reports on this machine with code 0 (review)
    (["report", PH, "--pharmacie", "PH-GARE", "--dask", ""], "l'option --dask a une valeur vide ; attendu : une valeur"),
    (["report", PH, "--pharmacie="], "l'option --pharmacie a une valeur vide ; attendu : une valeur"),
    (["compute", PH, "--format", ""], "l'option --format a une valeur vide ; attendu : une valeur"),
])
def test_an_empty_name_is_refused_not_read_as_the_current_folder(tmp_path, monkeypatch, args, said):
    """`-o ""` wrote gains.csv into the current folder; `--versements ""` was said « . : c'est un dossier »."""
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2
    assert f"Erreur : {said}" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["gains", "report"])
@pytest.mark.parametrize("date,year", [("0001-01-01", 1), ("9999-12-31", 9999), ("31/12/1999", 1999)])
def test_a_date_in_no_plausible_year_is_refused(tmp_path, command, date, year):
    """`--date 0001-01-01` was taken: « encore possible au 01/01/1 », every action possible."""
    extra = ["--pharmacie", "PH-GARE"] if command == "report" else []
    result = run(command, PH, *extra, "--date", date, "-o", tmp_path / "o")
    assert result.exit_code == 2
    assert f"« {date} » : année {year} hors des années possibles (2000 à 2099)" in result.stderr
    assert not (tmp_path / "o").exists()


def test_the_reference_date_of_a_notebook_is_bounded_too():
    from rosp_lib.report import gains as report_gains
    from rosp_lib.report.notebook import ReportError

    with pytest.raises(ReportError, match="année 1 hors des années possibles"):
        report_gains.reference_date("0001-01-01")


@pytest.mark.parametrize("command", ["gains", "rapprocher"])
def test_the_help_of_gains_and_rapprocher_gives_their_exit_codes(tmp_path, command):
    """Only compute and report said them; both use 2 (invalid input or option) and 3 (output folder)."""
    text = " ".join(run(command, "--help").output.split())
    worker = " 4 un processus de recherche s'est arrêté brutalement ;" if command == "gains" else ""  # its -j processes
    term = " ; 143 arrêtée (SIGTERM)" if command == "gains" else ""  # (review: said by compute, not by gains)
    assert ("Codes de sortie : 0 fait ; 2 entrée ou option invalide (rien n'est écrit) ; 3 dossier de sortie "
            f"impossible à écrire ;{worker} 130 interrompue (Ctrl+C){term}.") in text
    blocker = tmp_path / "fichier"
    blocker.write_text("x", encoding="utf-8")
    args = [PH, "--versements", VERS] if command == "rapprocher" else [PH]
    assert run(command, *args, "-o", blocker / "sous").exit_code == 3
    assert run(command, *args, "--molecules", tmp_path / "absent.csv", "-o", tmp_path / "o").exit_code == 2


def test_a_payments_column_misspelt_gets_the_closest_name_and_shows_invisible_characters(tmp_path):
    """`rosp compute` suggested the column meant, the payments statement did not; a zero-width space in a header
    was printed as is: « colonne « montant_verse_eur » : colonne inconnue » beside « colonne obligatoire
    « montant_verse_eur » absente »."""
    from rosp_lib.counterfactual.versements import read_versements
    from rosp_lib.inputs import InputError, read_pharmacies

    ph = read_pharmacies(DATA / "pharmacies.csv")
    path = tmp_path / "v.csv"
    path.write_text("pharmacie_id;exercice;theme;montant_verse_eur\u200b;date_versment\nPH-GARE;2024;bups;10;2025-01-01\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_versements(path, ph)
    text = str(info.value)
    listed = "pharmacie_id, exercice, theme, indicateur, montant_verse_eur, date_versement, libelle_releve"
    assert ("colonne « montant_verse_eur\\u200b » : colonne inconnue — vouliez-vous dire « montant_verse_eur » ? "
            f"(colonnes possibles : {listed})") in text
    assert "colonne « date_versment » : colonne inconnue — vouliez-vous dire « date_versement » ? (colonnes" in text
    assert "\u200b" not in text


@pytest.mark.parametrize("written,fix", [("- 300 €", "-300"), ("- 300", "-300"), ("\u2212\u00a0300,50 €", "-300,50")])
def test_a_space_after_the_minus_sign_is_the_fix_said(written, fix):
    """« - 300 € » was told to put the € after the amount, where it already was."""
    from rosp_lib.counterfactual.versements import _amount

    cents, why = _amount(written)
    assert cents is None and why.endswith(f"— sans espace après le signe moins : {fix}")
    assert _amount("-300 €") == (-30000, "")


def test_the_closest_payments_column_is_never_one_the_file_already_has(tmp_path):
    """« indicateurs » beside « indicateur » was asked « vouliez-vous dire « indicateur » ? » (review of the diff)."""
    from rosp_lib.counterfactual.versements import read_versements
    from rosp_lib.inputs import InputError, read_pharmacies

    path = tmp_path / "v.csv"
    path.write_text("pharmacie_id;exercice;theme;indicateurs;indicateur;montant_verse_eur\nPH-GARE;2024;bups;;;10\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_versements(path, read_pharmacies(DATA / "pharmacies.csv"))
    assert "colonne « indicateurs » : colonne inconnue ; attendu : une des colonnes" in str(info.value)


@pytest.mark.parametrize("date,accepted", [("1999-12-31", False), ("2000-01-01", True), ("2099-12-31", True),
                                           ("2100-01-01", False)])
def test_the_years_of_a_date_option_are_bounded_inclusively(date, accepted):
    import datetime as dt

    from rosp_lib.inputs.parsing import option_date_problem

    day, why = option_date_problem(date)
    assert (day == dt.date.fromisoformat(date)) if accepted else (day is None and "hors des années possibles" in why)
