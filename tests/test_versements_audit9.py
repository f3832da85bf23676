"""The statement of payments and the pharmacies file read without silently changing what the user wrote (audit 9):
an amount cut in two by a decimal comma wherever it sits in the row.

Every statement is written by the test; the pharmacies are the example's (`data/pharmacies.csv`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from rosp_lib.cli import main
from rosp_lib.counterfactual.versements import read_versements
from rosp_lib.inputs import read_pharmacies
from test_versements_audit4 import _problems, _write, pharmacies  # noqa: F401 - the statement helpers, the fixture

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


# --- 1. an amount cut in two by a decimal comma, the next column whatever it is ----------------------------------------

def test_an_amount_cut_by_its_decimal_comma_before_the_label_and_the_date_is_refused(tmp_path):
    """« 975,91 » and no label in a comma-separated statement: read 975 € and the label « 91 », exit 0, no word, and a
    claim drafted for the 0,91 € missing (audit). Refused: nothing written."""
    path = _write(tmp_path, "pharmacie_id,exercice,theme,montant_verse_eur,libelle_releve,date_versement\n"
                            "PH-TILLEULS,2024,bups,975,91,2025-03-28\n")
    out = tmp_path / "sortie"
    result = CliRunner().invoke(main, ["rapprocher", str(DATA / "pharmacies.csv"), "--molecules",
                                       str(DATA / "molecules.csv"), "--versements", str(path), "-o", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert (f"{path} : 1 problème — rien n'a été calculé ni écrit.\n"
            "  - ligne 2, pharmacie « PH-TILLEULS », colonnes montant_verse_eur et libelle_releve : valeurs « 975 » et "
            "« 91 » ; attendu : « 975,91 » entre guillemets ou « ; » comme séparateur — une virgule décimale coupe la "
            "valeur en deux dans un fichier séparé par des virgules ; si « 91 » est bien la colonne libelle_releve, "
            "mettez-le entre guillemets") in result.output
    assert not out.exists()


def test_an_amount_cut_before_the_date_is_refused_with_the_decimal_comma_named(tmp_path, pharmacies):
    """« 140,5 » and no date: « 5 » was refused as a date, the decimal comma unsaid."""
    path = _write(tmp_path, "pharmacie_id,exercice,theme,montant_verse_eur,date_versement,libelle_releve\n"
                            "PH-TILLEULS,2024,colorectal,140,5,Dépistage\n")
    assert _problems(path, pharmacies) == [
        "ligne 2, pharmacie « PH-TILLEULS », colonnes montant_verse_eur et date_versement : valeurs « 140 » et « 5 » ; "
        "attendu : « 140,5 » entre guillemets ou « ; » comme séparateur — une virgule décimale coupe la valeur en deux "
        "dans un fichier séparé par des virgules ; si « 5 » est bien la colonne date_versement, mettez-le entre "
        "guillemets"]


def test_a_quoted_label_of_two_digits_after_a_whole_amount_is_read(tmp_path, pharmacies):
    """Quotes say where each value ends: « 975 » then the label « "91" » is what the user meant."""
    path = _write(tmp_path, 'pharmacie_id,exercice,theme,montant_verse_eur,libelle_releve,date_versement\n'
                            'PH-TILLEULS,2024,bups,975,"91",2025-03-28\n'
                            'PH-TILLEULS,2024,vaccination,"156,50",,2025-06-20\n')
    paid = read_versements(path, pharmacies)
    assert list(paid["montant_cents"]) == [97500, 15650]
    assert list(paid["libelle_releve"]) == ["91", ""]
    assert paid.attrs["avertissements"] == []


def test_pharmacies_rate_cut_before_a_text_column_is_said(tmp_path):
    """In the pharmacies file, « 96,2 » then the name left out: « 2 » read as the name, unsaid. A count or a yes/no
    after a whole rate stays an ordinary row (said only at the end of a row, as before)."""
    path = _write(tmp_path, "pharmacie_id,exercice,taux_mss_pct,nom,nb_fse\nPH-A,2024,96,2,40000\n"
                            "PH-B,2024,96,Centre,40000\n", "pharmacies.csv")
    frame = read_pharmacies(path)
    assert list(frame["nom"]) == ["2", "Centre"]
    assert frame.attrs["avertissements"] == [
        f"{path} : ligne 2, pharmacie « PH-A », colonnes taux_mss_pct et nom : lues « 96 » et « 2 » ; si vous vouliez "
        "« 96,2 » (virgule décimale), mettez la valeur entre guillemets ou utilisez « ; » comme séparateur — les "
        "montants sont calculés sur les valeurs telles que lues"]
    ordinary = _write(tmp_path, "pharmacie_id,exercice,taux_mss_pct,bal_organisationnelle,nom\n"
                                "PH-A,2024,96,1,Centre\n", "ordinaire.csv")
    assert read_pharmacies(ordinary).attrs["avertissements"] == []


# --- 2. a payment date that cannot be one, or before the end of the exercise it pays -----------------------------------

def test_a_payment_dated_within_the_exercise_it_pays_is_read_and_said(tmp_path, pharmacies):
    """Exercise 2025 paid on 15/04/2025: the payment year likely written as the exercise; read, and said."""
    path = _write(tmp_path, "pharmacie_id;exercice;theme;montant_verse_eur;date_versement\n"
                            "PH-TILLEULS;2025;bups;975,91;2025-04-15\n"
                            "PH-TILLEULS;2024;bups;975,91;02/01/2025\n")
    paid = read_versements(path, pharmacies)
    assert list(paid["montant_cents"]) == [97591, 97591]
    assert paid.attrs["avertissements"] == [
        f"{path} : ligne 2, pharmacie « PH-TILLEULS » : versement daté du 15/04/2025, avant la fin de l'exercice 2025 "
        "qu'il paierait : la ROSP d'un exercice est versée l'année suivante ; vérifiez la colonne exercice (l'exercice "
        "payé, non l'année du versement)"]


@pytest.mark.parametrize("date", ["1899-12-30", "31/12/2022", "2029-01-01", "2099-01-01"])
def test_a_date_that_cannot_be_a_payment_is_refused(tmp_path, pharmacies, date):
    """Excel's day zero, a date before the first payment (2023, for the 2022 exercise) or after the last year a known
    exercise may be paid in (2026 paid in 2027, a regularisation in 2028) was read silently."""
    path = _write(tmp_path, f"pharmacie_id;exercice;theme;montant_verse_eur;date_versement\nPH-TILLEULS;2024;bups;10;{date}\n")
    assert _problems(path, pharmacies) == [
        f"ligne 2, pharmacie « PH-TILLEULS », colonne date_versement : valeur « {date} » ; attendu : vide ou une date "
        "de versement, du 01/01/2023 (premier versement, de l'exercice 2022) au 31/12/2028 (le dernier exercice connu, "
        "2026, est versé en 2027)"]


@pytest.mark.parametrize("date, reason", [("31/02/2025", " — cette date n'existe pas"),
                                          ("2025-02-30", " — cette date n'existe pas"), ("fin mars", "")])
def test_a_payment_date_that_does_not_exist_is_said_so(tmp_path, pharmacies, date, reason):
    """« 31/02/2025 » was refused with « attendu : une date AAAA-MM-JJ ou JJ/MM/AAAA », a shape it has (review): said
    as in the pharmacies table."""
    path = _write(tmp_path, f"pharmacie_id;exercice;theme;montant_verse_eur;date_versement\nPH-TILLEULS;2024;bups;10;{date}\n")
    assert _problems(path, pharmacies) == [
        f"ligne 2, pharmacie « PH-TILLEULS », colonne date_versement : valeur « {date} » ; attendu : vide ou une date "
        f"AAAA-MM-JJ ou JJ/MM/AAAA (exemple : 2025-01-15){reason}"]


@pytest.mark.parametrize("date", ["2023-01-01", "2028-12-31"])
def test_the_bounds_of_a_payment_date_are_accepted(tmp_path, pharmacies, date):
    path = _write(tmp_path, f"pharmacie_id;exercice;theme;montant_verse_eur;date_versement\nPH-TILLEULS;2024;bups;10;{date}\n")
    assert list(read_versements(path, pharmacies)["date_versement"]) == [date]


@pytest.mark.parametrize("header, amount, cut", [
    # a header written with spaces, as the reader accepts it (« Montant verse eur »): the check missed it (review)
    ("pharmacie_id,exercice,theme,indicateur,Montant verse eur,libelle releve", "975,91", ("975", "91")),
    # the typographic minus the reader accepts (« −534,90 »): read −534 € and the label « 90 » (review)
    ("pharmacie_id,exercice,theme,indicateur,montant_verse_eur,libelle_releve", "\u2212534,90", ("\u2212534", "90")),
])
def test_an_amount_cut_is_refused_whatever_its_header_spelling_or_minus_sign(tmp_path, pharmacies, header, amount, cut):
    path = _write(tmp_path, f"{header}\nPH-TILLEULS,2024,bups,,{amount}\n")
    problems = _problems(path, pharmacies)
    assert len(problems) == 1 and f"valeurs « {cut[0]} » et « {cut[1]} »" in problems[0]
    assert f"attendu : « {cut[0]},{cut[1]} » entre guillemets" in problems[0]


HEAD = "pharmacie_id;exercice;theme;indicateur;montant_verse_eur;date_versement;libelle_releve\n"


def test_a_theme_line_beside_thousands_of_indicator_lines_is_refused_in_a_bounded_message(tmp_path, pharmacies):
    """A theme line and 30 000 indicator lines made one message naming every line (3,8 million characters for
    100 000 lines: review): the first 20 lines of each list, then how many more."""
    path = _write(tmp_path, HEAD + "".join(f"PH-TILLEULS;2024;numerique;fse;1,00;2025-04-15;x\n" for _ in range(30_000))
                  + "PH-TILLEULS;2024;numerique;;10,00;2025-04-15;x\n")
    (problem,) = _problems(path, pharmacies)
    assert problem.startswith("lignes 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21 et 29\u202f981 "
                              "autres, pharmacie « PH-TILLEULS », exercice 2024, thème numerique : une ligne pour tout "
                              "le thème (ligne 30002 : 10,00\u00a0€) et des lignes par indicateur (ligne 2, fse : "
                              "1,00\u00a0€ ; ligne 3, fse : 1,00\u00a0€ ;")
    assert "ligne 21, fse : 1,00\u00a0€ et 29\u202f980 autres) ; ambigu" in problem
    assert len(problem) < 2_000


def test_thousands_of_identical_payment_lines_are_said_in_a_bounded_warning(tmp_path, pharmacies):
    path = _write(tmp_path, HEAD + "PH-TILLEULS;2024;numerique;;10,00;2025-04-15;x\n" * 30_000)
    (warning,) = [w for w in read_versements(path, pharmacies).attrs["avertissements"] if "lignes identiques" in w]
    assert ": lignes 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21 et 29\u202f980 autres, " \
           "pharmacie « PH-TILLEULS », exercice 2024, thème numerique : lignes identiques (10,00\u00a0€ chacune" in warning
    assert len(warning) < 1_000


def test_a_few_lines_are_still_listed_in_full_in_french():
    from rosp_lib.counterfactual.versements import _first_ones

    assert _first_ones([2, 3, 4]) == "2, 3 et 4"
    assert _first_ones(["ligne 2 : 1,00 €", "ligne 3 : 2,00 €"], " ; ") == "ligne 2 : 1,00 € ; ligne 3 : 2,00 €"


def test_an_indicator_quoted_in_the_theme_and_detail_message_is_shown_escaped(tmp_path, pharmacies):
    path = _write(tmp_path, HEAD + "PH-TILLEULS;2024;numerique;;10,00;2025-04-15;x\n"
                                   "PH-TILLEULS;2024;numerique;\x1b[2J\u202eEVIL;100,00;2025-04-15;x\n")
    problems = _problems(path, pharmacies)
    assert any("(ligne 3, \\x1b[2J\\u202eEVIL : 100,00\u00a0€)" in p for p in problems), problems
    assert not [c for p in problems for c in p if c in "\x1b\u202e"]


@pytest.mark.parametrize("label", ["REMU NUM", "remu num", "« REMU NUM »", "Numérique (REMU NUM)"])
def test_the_statements_own_name_of_the_numerique_theme_is_read(tmp_path, pharmacies, label):
    """« REMU NUM », the name the statement gives the numérique theme (docs/regles.md, numérique), was refused
    (review)."""
    path = _write(tmp_path, "pharmacie_id;exercice;theme;montant_verse_eur\n"
                            f"PH-TILLEULS;2025;{label};4814,10\n")
    paid = read_versements(path, pharmacies)
    assert list(paid["theme"]) == ["numerique"] and list(paid["montant_cents"]) == [481410]


@pytest.mark.parametrize("cell", ["- €", "-", "-\u00a0€", "–"])
def test_the_zero_of_an_accounting_format_is_refused_with_its_fix(tmp_path, pharmacies, cell):
    """« - € » (how a spreadsheet's accounting format shows 0) was refused with « le signe € après le montant … », which
    does not help (review): it is named, and the fix given. Never read as 0 silently: the dash may be a missing value."""
    path = _write(tmp_path, "pharmacie_id;exercice;theme;montant_verse_eur\n"
                            f"PH-TILLEULS;2025;bups;{cell}\n")
    problems = _problems(path, pharmacies)
    assert len(problems) == 1
    assert problems[0].endswith(f"« {cell} » est le zéro du format comptable d'un tableur : écrivez 0")


NUMERIQUE_PAID = ("absence_fraude, apcv, bal_organisationnelle, dmp, eprescription, exercice_coordonne, fse, "
                  "lad_certifie_has, logiciel_segur, maj_carte_vitale, malus_qualite_facturation, mss, "
                  "ordonnance_numerique_socle, pharmacien_correspondant, scor, teleconsultation, "
                  "teleconsultation_equipement")


def test_a_row_for_a_line_that_no_rule_pays_is_refused_with_why(tmp_path, pharmacies):
    """The 3 €/kit act billed outside the ROSP (120 kits × 3 € = 360 €, put on the colorectal row by an accountant)
    and a sub-indicator of the billing malus (points, no euros) were accepted, then called « écart inexpliqué … ce
    trop-versé peut être repris » (review). Refused, each with why; a misspelt code or an indicator written by its
    title gets the closest code."""
    path = _write(tmp_path, "pharmacie_id;exercice;theme;indicateur;montant_verse_eur\n"
                            "PH-TILLEULS;2024;colorectal;acte_remise_kit;360\n"
                            "PH-TILLEULS;2024;numerique;facturation_rejets_iris;100\n"
                            "PH-TILLEULS;2024;numerique;exercice_cordonne;0\n"
                            "PH-TILLEULS;2024;numerique;Exercice coordonné;0\n")
    numerique = f"vide (tout le thème) ou un indicateur payé du thème numerique : {NUMERIQUE_PAID}"
    assert _problems(path, pharmacies) == [
        "ligne 2, pharmacie « PH-TILLEULS », colonne indicateur : valeur « acte_remise_kit » ; attendu : vide (tout le "
        "thème) ou un indicateur payé du thème colorectal : kits_realises, kits_remis — « acte_remise_kit » est "
        "facturé à l'acte, hors ROSP (montré pour information) : retirez cette ligne du relevé de la ROSP",
        f"ligne 3, pharmacie « PH-TILLEULS », colonne indicateur : valeur « facturation_rejets_iris » ; attendu : "
        f"{numerique} — « facturation_rejets_iris » est un sous-indicateur du malus, qui compte des points sans "
        "montant : écrivez la déduction du malus sur l'indicateur malus_qualite_facturation",
        f"ligne 4, pharmacie « PH-TILLEULS », colonne indicateur : valeur « exercice_cordonne » ; attendu : {numerique} "
        "; vouliez-vous dire « exercice_coordonne » ?",
        f"ligne 5, pharmacie « PH-TILLEULS », colonne indicateur : valeur « Exercice coordonné » ; attendu : "
        f"{numerique} ; vouliez-vous dire « exercice_coordonne » ?",
    ]


def test_a_synthesis_says_what_the_console_says_of_the_statements_rows(tmp_path):
    """A line copied twice (4 814,10 € twice, same date and label) and a payment dated before the end of the exercise
    it pays were said on the console only; the synthesis called the double payment an unexplained overpayment
    (review). The report's reconciliation says both, above its table."""
    from rosp_lib.report import notebook as nb
    from rosp_lib.report import versements as report_versements

    path = _write(tmp_path, "pharmacie_id;exercice;theme;indicateur;montant_verse_eur;date_versement;libelle_releve\n"
                            "PH-TILLEULS;2025;numerique;;4814,10;2026-04-15;ROSP numérique\n"
                            "PH-TILLEULS;2025;numerique;;4814,10;2026-04-15;ROSP numérique\n"
                            "PH-TILLEULS;2025;bups;;690,83;2025-03-27;année\n")
    rep = nb.load("PH-TILLEULS", 2025, str(ROOT / "data" / "pharmacies.csv"), str(ROOT / "data" / "molecules.csv"))
    r = report_versements.compute(rep, str(path), "2026-11-15")
    said = " ".join(" ".join(w.replace("\u00a0", " ").replace("\u202f", " ").split()) for w in r.futurs)
    # without line numbers: a report reads its folder's copy of the statement, whose lines are not the file's
    assert ("pharmacie « PH-TILLEULS », exercice 2025, thème numerique : 2 lignes identiques (4 814,10 € "
            "chacune, même date et même libellé), additionnées comme autant de versements — une ligne copiée deux "
            "fois ? Supprimez la copie s'il n'y a eu qu'un versement") in said
    assert ("pharmacie « PH-TILLEULS » : versement daté du 27/03/2025, avant la fin de l'exercice 2025 qu'il "
            "paierait") in said
    assert "ligne" not in said.replace("lignes identiques", "").replace("ligne copiée", "")
    assert "⚠ pharmacie « PH-TILLEULS », exercice 2025" in report_versements.section_text(rep, r).replace("\u00a0", " ")


# --- 3. a row whose label names another exercise (« Rappel exercice 2024 » copied under 2025) --------------------------

def test_a_label_naming_another_exercise_is_read_as_written_and_said(tmp_path, pharmacies):
    """The 2025 statement's « Rappel exercice 2024 » row copied under 2025 was reconciled with 2025 (an overpayment there,
    a claim in 2024) without a word: read as written, and said with the fix. A label naming the row's exercise, or
    none, says nothing."""
    path = _write(tmp_path, "pharmacie_id;exercice;theme;montant_verse_eur;date_versement;libelle_releve\n"
                            "PH-TILLEULS;2025;bups;120,00;2026-04-15;Rappel exercice 2024\n"
                            "PH-TILLEULS;2025;numerique;4814,10;2026-04-15;ROSP 2025 - solde\n"
                            "PH-TILLEULS;2024;bups;975,91;2025-04-15;ROSP Exercice : 2024\n"
                            "PH-TILLEULS;2024;numerique;100,00;2025-04-15;Paiement 2025\n")
    paid = read_versements(path, pharmacies)
    assert list(zip(paid["exercice"], paid["montant_cents"])) == [(2025, 12000), (2025, 481410), (2024, 97591),
                                                                  (2024, 10000)]
    assert paid.attrs["avertissements"] == [
        f"{path} : ligne 2, pharmacie « PH-TILLEULS » : le libellé « Rappel exercice 2024 » nomme l'exercice 2024, la "
        "colonne exercice dit 2025 ; la colonne exercice est l'exercice payé, pas celui du relevé où figure la ligne : si "
        "ce versement paie 2024 (un rappel), écrivez 2024, sinon il est rapproché de ce qui est dû pour 2025"]


def test_a_synthesis_says_a_label_naming_another_exercise(tmp_path):
    from rosp_lib.report import notebook as nb
    from rosp_lib.report import versements as report_versements

    path = _write(tmp_path, "pharmacie_id;exercice;theme;montant_verse_eur;date_versement;libelle_releve\n"
                            "PH-TILLEULS;2025;bups;120,00;2026-04-15;Rappel exercice 2024\n")
    rep = nb.load("PH-TILLEULS", 2025, str(ROOT / "data" / "pharmacies.csv"), str(ROOT / "data" / "molecules.csv"))
    r = report_versements.compute(rep, str(path), "2026-11-15")
    said = " ".join(" ".join(w.replace("\u00a0", " ").replace("\u202f", " ").split()) for w in r.futurs)
    assert ("pharmacie « PH-TILLEULS » : le libellé « Rappel exercice 2024 » nomme l'exercice 2024, la colonne exercice "
            "dit 2025") in said


def test_the_synthesis_names_the_cautions_of_its_claim_draft_beside_its_link(tmp_path):
    """A draft not to be sent before the theme's payment date was linked with « Vérifiez chaque montant avant de
    l'envoyer » only (review: a 2026 claim on 04/12/2026). The link now names the cautions written at the draft's head."""
    from rosp_lib.report import notebook as nb
    from rosp_lib.report import versements as report_versements

    # PH-TILLEULS 2025, numérique due 4 814,10 €: 4 000 € paid on 15/04/2026, the rest may come until 30/04/2026
    path = _write(tmp_path, "pharmacie_id;exercice;theme;montant_verse_eur;date_versement\n"
                            "PH-TILLEULS;2025;numerique;4000,00;2026-04-15\n")
    rep = nb.load("PH-TILLEULS", 2025, str(ROOT / "data" / "pharmacies.csv"), str(ROOT / "data" / "molecules.csv"))
    early = report_versements.table_html(rep, report_versements.compute(rep, str(path), "2026-04-20"))
    early = " ".join(early.replace("\u00a0", " ").replace("\u202f", " ").split())
    # and the themes not paid at all: the BUPS's date (31/03) passed, not its other reading (31/05)
    assert ("<strong>À lire avant tout envoi</strong>, en tête du projet : « versement peut-être incomplet » ; « date "
            "de versement incertaine ». Ne l'envoyez qu'après en avoir tenu compte, et vérifiez chaque montant.") in early
    late = report_versements.table_html(rep, report_versements.compute(rep, str(path), "2027-01-15"))
    assert "Vérifiez chaque montant avant de l'envoyer." in late and "en tête du projet" not in late


def test_the_cautions_named_beside_the_link_are_said_as_written_not_as_markdown():
    """« scénario « mon\\_scenario.yaml » » in the synthesis: the draft's Markdown escape shown in the page (review)."""
    from rosp_lib.counterfactual.reconcile import claim_cautions

    draft = "# Projet\n\n> **À lire avant tout envoi — scénario « mon\\_scenario.yaml »** : ce projet est calculé…\n"
    assert claim_cautions(draft) == ["scénario « mon_scenario.yaml »"]
