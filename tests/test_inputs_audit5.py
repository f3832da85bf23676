"""Fifth adversarial pass over the inputs (2026-12-02): each case below was accepted and read otherwise than its
author meant, or refused with English or with a fix that does not fix, or ended in a traceback. Files built in the
test (XLSX with openpyxl, raw XML where Excel writes what openpyxl does not)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers_rules import workbook
from rosp_lib.cli import main
from rosp_lib.counterfactual.versements import read_versements
from rosp_lib.inputs import InputError, read_pharmacies

DATA = Path(__file__).resolve().parent.parent / "data"
HEADER = ["pharmacie_id", "exercice", "exercice_coordonne", "logiciel_segur", "taux_fse_sesam_vitale_pct", "nb_fse"]
ROW = ["PH-A", 2024, "oui", "oui", 97, 40000]


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        read_pharmacies(path)
    return info.value.problems


def saved(tmp_path: Path, fmt: dict[str, str] | None = None, values: dict[str, object] | None = None,
          name: str = "pharmacies.xlsx") -> Path:
    wb = workbook({"pharmacies": [HEADER, ROW]})
    ws = wb["pharmacies"]
    for cell, value in (values or {}).items():
        ws[cell] = value
    for cell, number_format in (fmt or {}).items():
        ws[cell].number_format = number_format
    wb.save(tmp_path / name)
    return tmp_path / name


def statement_of(tmp_path: Path, text: str):
    """(the statement file written from `text`, the pharmacies table of P1 2025 it is read against)."""
    ph = tmp_path / "p.csv"
    ph.write_text("pharmacie_id;exercice\nP1;2025\n", encoding="utf-8")
    statement = tmp_path / "v.csv"
    statement.write_text(text, encoding="utf-8")
    return statement, read_pharmacies(ph)


def total(tmp_path: Path, path: Path) -> str:
    """The « total » of totaux.csv for the file's only row, computed by the command."""
    out = tmp_path / ("out_" + path.stem)
    result = CliRunner().invoke(main, ["compute", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return (out / "totaux.csv").read_text(encoding="utf-8").splitlines()[1].rsplit(",", 1)[1]


# ---------------------------------------------------------------------------------------------------------------
# XLSX: what Excel shows
# ---------------------------------------------------------------------------------------------------------------
def test_a_count_shown_as_a_percentage_is_refused_not_multiplied(tmp_path):
    """40 000 FSE formatted « 0% » showed « 4000000% » and were read 4 000 000 (280 820 € instead of 3 620 €)."""
    path = saved(tmp_path, {"F2": "0%"})
    assert problems_of(path) == [
        "ligne 2, pharmacie « PH-A », colonne nb_fse : valeur « 4000000 % » ; attendu : entier ≥ 0 — un nombre, pas "
        "un pourcentage (dans un tableur : format de cellule « Standard »)"
    ]
    rate = saved(tmp_path, {"E2": "0.0%"}, {"E2": 0.97}, name="taux.xlsx")  # a rate so shown is read as shown
    assert read_pharmacies(rate).at[0, "taux_fse_sesam_vitale_pct"] == 97.0
    # 820 € (exercice coordonné) + 40 000 FSE × 0,070 € (rate 97 % ≥ 95 %): the same as the rate typed 97
    assert total(tmp_path, rate) == total(tmp_path, saved(tmp_path, name="plain.xlsx")) == "3620.00"


@pytest.mark.parametrize("fmt", [";;;@", '"";"";""', ";;", "[Red];;;"])
def test_a_value_hidden_by_any_empty_section_of_its_format_is_refused(tmp_path, fmt):
    """Only « ;;; » was refused: « ;;;@ » or « "";"";"" » also show 40 000 as an empty cell, and it was read."""
    path = saved(tmp_path, {"F2": fmt})
    assert problems_of(path) == [
        f"feuille « pharmacies », cellule F2 : valeur « 40000 » masquée par le format de nombre « {fmt} » (la cellule "
        "paraît vide) ; attendu : une valeur visible (format « Standard » si elle est à lire, sinon videz la cellule)"
    ]


def test_a_format_that_hides_only_zeros_reads_the_zero_typed(tmp_path):
    """« # ##0;-# ##0;;@ » (an accountant's table without its zeros): 40 000 is shown, 0 is typed and read 0."""
    shown = saved(tmp_path, {"F2": "# ##0;-# ##0;;@"}, name="shown.xlsx")
    assert read_pharmacies(shown).at[0, "nb_fse"] == 40000
    zero = saved(tmp_path, {"F2": "# ##0;-# ##0;;@"}, {"F2": 0}, name="zero.xlsx")
    assert read_pharmacies(zero).at[0, "nb_fse"] == 0
    assert total(tmp_path, zero) == "820.00"  # the exercice coordonné only: no FSE
    text = saved(tmp_path, {"A2": "0;0;0;"}, name="texte.xlsx")  # a fourth, empty, section hides a text
    assert problems_of(text)[0].startswith("feuille « pharmacies », cellule A2 : valeur « PH-A » masquée par le format")


def _with_saved_empty_text(path: Path, cell: str) -> None:
    """Rewrite `cell`'s formula as Excel saves `=SI(…;"";…)` evaluated to "": `<c t="str"><f>…</f><v></v></c>`."""
    with zipfile.ZipFile(path) as archive:
        data = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml = data[sheet].decode()
    new = re.sub(rf'<c r="{cell}"[^>]*><f>(.*?)</f>(?:<v\s*/>|<v>[^<]*</v>)?</c>',
                 rf'<c r="{cell}" t="str"><f>\1</f><v></v></c>', xml)
    assert new != xml
    data[sheet] = new.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in data.items():
            archive.writestr(name, content)


def test_a_formula_whose_saved_result_is_an_empty_text_reads_empty(tmp_path):
    """`=SI(C2>0;"";0)` saved by Excel as "" was refused as a formula « sans valeur enregistrée », with the advice to
    save the workbook again — which changes nothing."""
    wb = workbook({"pharmacies": [[*HEADER, "nb_teleconsultations"], [*ROW, '=IF(F2>0,"",0)']]})
    path = tmp_path / "pharmacies.xlsx"
    wb.save(path)
    assert len(problems_of(path)) == 1  # as openpyxl writes it: no saved result at all, still refused
    _with_saved_empty_text(path, "G2")
    ph = read_pharmacies(path)
    assert ph.at[0, "nb_teleconsultations"] != ph.at[0, "nb_teleconsultations"]  # NaN: empty, « inconnu »
    assert total(tmp_path, path) == "3620.00"


def test_another_format_named_xlsx_or_a_damaged_workbook_is_said_in_french(tmp_path):
    ods = tmp_path / "classeur.xlsx"
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    assert problems_of(ods) == [
        "classeur XLSX illisible : c'est un classeur OpenDocument (LibreOffice, .ods) nommé en .xlsx ; attendu : un "
        "classeur enregistré au format Excel .xlsx (Fichier > Enregistrer sous > Excel 2007-365)"
    ]
    damaged = saved(tmp_path, name="abime.xlsx")
    with zipfile.ZipFile(damaged) as archive:
        data = {name: archive.read(name) for name in archive.namelist()}
    data["xl/worksheets/sheet1.xml"] = data["xl/worksheets/sheet1.xml"][:-40]  # cut short: the XML does not end
    with zipfile.ZipFile(damaged, "w") as archive:
        for name, content in data.items():
            archive.writestr(name, content)
    (problem,) = problems_of(damaged)
    assert problem.startswith("classeur XLSX illisible : ce n'est pas un classeur Excel .xlsx valide")
    assert "Error" not in problem and "element" not in problem  # no English from the XML parser


def test_an_empty_sheet_named_pharmacies_beside_the_data_is_named(tmp_path):
    """It said « fichier vide ; attendu : une ligne d'en-tête », while the data were on another sheet."""
    wb = workbook({"Feuil1": [HEADER, ROW], "pharmacies": []})
    wb.save(tmp_path / "p.xlsx")
    assert problems_of(tmp_path / "p.xlsx") == [
        "feuille « pharmacies » : feuille vide, alors que la feuille « Feuil1 » contient des données ; attendu : les "
        "données dans la feuille « pharmacies » (ou supprimez cette feuille vide)"
    ]


# ---------------------------------------------------------------------------------------------------------------
# Digits and spaces
# ---------------------------------------------------------------------------------------------------------------
def test_full_width_digits_are_refused_with_the_character_named(tmp_path):
    """« ２０２４ » passed as a year, then the duplicate check compared the text: a traceback."""
    path = tmp_path / "p.csv"
    path.write_text("pharmacie_id;exercice;nb_fse\nPH-A;2024;40000\nPH-A;２０２４;４０\n", encoding="utf-8")
    assert problems_of(path) == [
        "ligne 3, pharmacie « PH-A », colonne exercice : valeur « ２０２４ » ; attendu : un exercice pour lequel des "
        "paramètres existent (2022, 2023, 2024, 2025, 2026) — écrivez les chiffres 0 à 9 (« ２ » est un autre caractère)",
        "ligne 3, pharmacie « PH-A », colonne nb_fse : valeur « ４０ » ; attendu : entier ≥ 0 — écrivez les chiffres 0 à "
        "9 (« ４ » est un autre caractère)",
    ]
    result = CliRunner().invoke(main, ["compute", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    path.write_text("pharmacie_id;exercice\nPH-１;2024\n", encoding="utf-8")  # an identifier, checked by pandera
    assert problems_of(path)[0].endswith(" — écrivez les chiffres 0 à 9 (« １ » est un autre caractère)")


@pytest.mark.parametrize("space", ["\u2009", "\u2007"])  # thin space, figure space
def test_thousands_grouped_by_a_thin_or_figure_space_are_read(tmp_path, space):
    """« 40 000 » with a thin space looked exactly like the accepted « 40 000 », yet was refused."""
    path = tmp_path / "p.csv"
    path.write_text(";".join(HEADER) + f"\nPH-A;2024;oui;oui;97;40{space}000\n", encoding="utf-8")
    assert read_pharmacies(path).at[0, "nb_fse"] == 40000
    assert total(tmp_path, path) == "3620.00"


def test_the_statement_reads_the_same_digits_and_spaces(tmp_path):
    statement, pharmacies = statement_of(tmp_path, "pharmacie_id;exercice;theme;montant_verse_eur\nP1;2025;numerique;5\u2009349,00\n"
                         "P1;２０２５;bups;１０\n")
    with pytest.raises(InputError) as info:
        read_versements(statement, pharmacies)
    assert info.value.problems == [
        "ligne 3, pharmacie « P1 », colonne exercice : valeur « ２０２５ » ; attendu : une année sur quatre chiffres "
        "(l'exercice payé, pas l'année du versement) — écrivez les chiffres 0 à 9 (« ２ » est un autre caractère)",
        "ligne 3, pharmacie « P1 », colonne montant_verse_eur : valeur « １０ » ; attendu : un montant en euros, au "
        "plus deux décimales (820 ; 820,00 ; 820.00) — écrivez les chiffres 0 à 9 (« １ » est un autre caractère)",
    ]
    statement.write_text("pharmacie_id;exercice;theme;montant_verse_eur\nP1;2025;numerique;5\u2009349,00\n",
                         encoding="utf-8")
    assert list(read_versements(statement, pharmacies)["montant_cents"]) == [534900]


def test_the_statement_reads_french_dates_day_first(tmp_path):
    statement, pharmacies = statement_of(tmp_path, "pharmacie_id;exercice;theme;montant_verse_eur;date_versement\n"
                         "P1;2025;numerique;820;15/04/2026\nP1;2025;bups;10;2026-06-30\n")
    assert list(read_versements(statement, pharmacies)["date_versement"]) == ["2026-04-15", "2026-06-30"]


def test_values_between_quotes_in_a_comma_file_are_not_said_cut_by_a_decimal_comma(tmp_path):
    """« "3","50" » was warned « si vous vouliez « 3,50 »… mettez la valeur entre guillemets » — it already was. The
    same values without quotes still are warned about (a quoted name holding a comma before them included)."""
    from rosp_lib.inputs import warnings_of

    path = tmp_path / "p.csv"
    path.write_text('"pharmacie_id","nom","exercice","taux_urgence_reference_pct","nb_semaines_asafo","taux_dmp_pct"\n'
                    '"PH-A","Pharmacie, de la gare","2024","3","50",""\n'
                    'PH-B,"Pharmacie, du centre",2024,3,50,\n', encoding="utf-8")
    warned = warnings_of(read_pharmacies(path))
    assert len(warned) == 1 and "ligne 3, pharmacie « PH-B »" in warned[0] and "« 3,50 »" in warned[0]


def test_typed_cells_are_named_in_messages_as_excel_shows_them(tmp_path):
    """A real TRUE was named « oui » (the user sees VRAI), a duration « 1 day, 2:00:00 » (Excel shows 26:00:00);
    a TRUE in a yes/no column still reads yes."""
    import datetime as dt

    path = saved(tmp_path, values={"F2": True, "D2": True, "A3": "PH-B", "B3": 2024, "F3": dt.timedelta(hours=26)})
    assert problems_of(path) == [
        "ligne 2, pharmacie « PH-A », colonne nb_fse : valeur « VRAI » ; attendu : entier ≥ 0",
        "ligne 3, pharmacie « PH-B », colonne nb_fse : valeur « 26:00:00 » ; attendu : entier ≥ 0",
    ]
    path = saved(tmp_path, values={"D2": True, "C2": False}, name="vrai.xlsx")
    ph = read_pharmacies(path)
    assert (bool(ph.at[0, "logiciel_segur"]), bool(ph.at[0, "exercice_coordonne"])) == (True, False)


def test_an_amount_with_a_thousands_space_or_a_euro_sign_cut_by_its_decimal_comma_is_refused(tmp_path):
    """In a comma-separated statement « 1 234,56 » read 1 234 € and « 140,50 € » read 140 €, with no word (the plain
    « 140,50 » was already said); both are now refused, as any amount possibly cut in two in a statement."""
    statement, pharmacies = statement_of(tmp_path, "pharmacie_id,exercice,theme,montant_verse_eur,libelle_releve\n"
                         "P1,2025,colorectal,1 234,56\nP1,2025,vaccination,140,50 €\n")
    with pytest.raises(InputError) as info:
        read_versements(statement, pharmacies)
    said = info.value.problems
    assert len(said) == 2
    assert "valeurs « 1 234 » et « 56 » ; attendu : « 1 234,56 » entre guillemets" in said[0]
    assert "valeurs « 140 » et « 50 € » ; attendu : « 140,50 € » entre guillemets" in said[1]


def test_statement_rows_alike_in_every_column_are_added_up_and_said(tmp_path):
    """The same line twice was added up (280 € paid for 140 €) without a word: likely a copy."""
    row = "P1;2025;colorectal;140,00;2026-06-20;Dépistage colorectal\n"
    statement, pharmacies = statement_of(
        tmp_path, "pharmacie_id;exercice;theme;montant_verse_eur;date_versement;libelle_releve\n" + row + row
        + "P1;2025;colorectal;140,00;2026-09-20;Dépistage colorectal\n")
    paid = read_versements(statement, pharmacies)
    assert int(paid["montant_cents"].sum()) == 42000  # still added up: an initial payment and its complement are
    assert paid.attrs["avertissements"] == [
        f"{statement} : lignes 2 et 3, pharmacie « P1 », exercice 2025, thème colorectal : lignes identiques "
        "(140,00\u00a0€ chacune, même date et même libellé), additionnées comme autant de versements — une ligne "
        "copiée deux fois ? Supprimez la copie s'il n'y a eu qu'un versement"
    ]
    statement.write_text("pharmacie_id;exercice;theme;montant_verse_eur\nP1;2025;bups;10\nP1;2025;bups;10\n",
                         encoding="utf-8")  # no date nor label: none is said « the same »
    (said,) = read_versements(statement, pharmacies).attrs["avertissements"]
    assert "lignes identiques (10,00\u00a0€ chacune), additionnées" in said


def test_statement_themes_by_their_short_titles_indicators_whatever_their_case_and_minus_signs(tmp_path):
    """« Dépistage colorectal » (the short title the reports show, and the label of the example statement), « Bon
    usage des produits de santé » (the title without « (BUPS) ») and « Bonus_Prescription » were refused; the refusal of a
    theme did not list the titles; a minus sign of a word processor (« −140,00 », « (140,00) ») got the generic
    message."""
    statement, pharmacies = statement_of(tmp_path, "pharmacie_id;exercice;theme;indicateur;montant_verse_eur\n"
                         "P1;2025;Dépistage colorectal;;140\nP1;2025;bon usage des produits de sante;;975,91\n"
                         "P1;2025;Numérique;;10\nP1;2025;vaccination;Bonus_Prescription;0\n")
    paid = read_versements(statement, pharmacies)
    assert list(paid["theme"]) == ["colorectal", "bups", "numerique", "vaccination"]
    assert list(paid["indicateur"]) == ["", "", "", "bonus_prescription"]
    # the minus sign the reports write (U+2212, « −107,22 € ») reads as the keyboard's
    statement.write_text("pharmacie_id;exercice;theme;montant_verse_eur\nP1;2025;bups;−107,22 €\nP1;2025;numerique;−5\n",
                         encoding="utf-8")
    assert list(read_versements(statement, pharmacies)["montant_cents"]) == [-10722, -500]
    statement.write_text("pharmacie_id;exercice;theme;montant_verse_eur\nP1;2025;Santé;1\nP1;2025;bups;–140,00\n"
                         "P1;2025;bups;(140,00)\nP1;2025;bups;(140,00 €)\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_versements(statement, pharmacies)
    generic = "un montant en euros, au plus deux décimales (820 ; 820,00 ; 820.00)"
    assert info.value.problems == [
        "ligne 2, pharmacie « P1 », colonne theme : valeur « Santé » ; attendu : un thème, par son code ou son titre : "
        "numerique (Numérique (REMU NUM)) ; bups (Bon usage (BUPS)) ; vaccination (Vaccination) ; colorectal "
        "(Dépistage colorectal) ; dispensation_unite (Dispensation à l'unité) ; dispositif_2024 (Dispositif 2024)",
        f"ligne 3, pharmacie « P1 », colonne montant_verse_eur : valeur « –140,00 » ; attendu : {generic} — un "
        "montant négatif s'écrit avec le signe « - » du clavier : -140,00",
        f"ligne 4, pharmacie « P1 », colonne montant_verse_eur : valeur « (140,00) » ; attendu : {generic} — un "
        "montant négatif s'écrit avec le signe « - » du clavier : -140,00",
        f"ligne 5, pharmacie « P1 », colonne montant_verse_eur : valeur « (140,00 €) » ; attendu : {generic} — un "
        "montant négatif s'écrit avec le signe « - » du clavier : -140,00 €",  # an accounting format's display
    ]


def test_a_number_typed_in_a_workbook_is_never_read_as_thousands(tmp_path):
    """140.004 typed in a workbook (shown « 140,00 € ») was refused with « séparateur de milliers ambigu (140,004 ou
    140 004 ?) : écrivez 140004 ou 140 004 » — a fix that makes it 140 004 €. A number cell has no thousands
    separator: a count with decimals, an amount with three decimals, refused as such. The same text typed as text
    (« 40.125 ») is still ambiguous."""
    path = saved(tmp_path, values={"F2": 40.125})
    # shown as a French Excel shows the number (« 40,125 » there is a decimal number, not a thousand)
    assert problems_of(path) == ["ligne 2, pharmacie « PH-A », colonne nb_fse : valeur « 40,125 » ; attendu : entier ≥ 0"]
    text = saved(tmp_path, values={"F2": "40.125"}, name="texte.xlsx")
    assert "séparateur de milliers ambigu" in problems_of(text)[0]
    _, pharmacies = statement_of(tmp_path, "")
    wb = workbook({"versements": [["pharmacie_id", "exercice", "theme", "montant_verse_eur"], ["P1", 2025, "bups", 140.004]]})
    wb["versements"]["D2"].number_format = '#,##0.00 "€"'
    wb.save(tmp_path / "v.xlsx")
    with pytest.raises(InputError) as info:
        read_versements(tmp_path / "v.xlsx", pharmacies)
    assert info.value.problems == [
        "ligne 2, pharmacie « P1 », colonne montant_verse_eur : valeur « 140,004 » ; attendu : un montant en euros, au "
        "plus deux décimales (820 ; 820,00 ; 820.00) — 140,004 € a trois décimales"
    ]


# ---------------------------------------------------------------------------------------------------------------
# Empty declarations (the contract reads an empty yes/no cell « non »): said when a socle's declaration is concerned
# ---------------------------------------------------------------------------------------------------------------
def _compute(tmp_path, text: str):
    path = tmp_path / "p.csv"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["compute", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    totals = (tmp_path / "out" / "totaux.csv").read_text(encoding="utf-8").splitlines()[1:]
    return [w for w in result.stderr.splitlines() if "socle" in w], totals, path


def test_an_empty_declaration_of_a_socle_is_said_with_what_it_may_cost(tmp_path):
    """`logiciel_segur` left empty read « non »: numérique 0 € (3 620 € with « oui »), and nothing was said."""
    said, totals, path = _compute(tmp_path, ";".join(HEADER) + "\nPH-A;2024;oui;;97;40000\nPH-B;2024;oui;oui;97;40000\n")
    assert [t.split(",")[-1] for t in totals] == ["0.00", "3620.00"]  # read « non »: the Ségur socle is lost
    assert said == [
        f"Avertissement : {path} : colonne logiciel_segur : case vide, lue « non » (ligne 2 : PH-A, 2024) — une "
        "déclaration du socle du thème « Numérique (REMU NUM) » : non déclarée, le thème peut valoir 0,00\u00a0€ ; écrivez "
        "« oui » si l'officine a fait cette déclaration, « non » sinon"
    ]


def test_a_declaration_column_left_out_is_said_only_for_a_theme_the_file_gives(tmp_path):
    said, _, path = _compute(tmp_path, "pharmacie_id;exercice;exercice_coordonne;taux_fse_sesam_vitale_pct;nb_fse\n"
                                       "PH-A;2024;oui;97;40000\n")
    assert said == [
        f"Avertissement : {path} : colonne logiciel_segur : absente du fichier, lue « non » (ligne 2 : PH-A, 2024) — "
        "une déclaration du socle du thème « Numérique (REMU NUM) » : non déclarée, le thème peut valoir 0,00\u00a0€ ; ajoutez "
        "la colonne : « oui » si l'officine a fait cette déclaration, « non » sinon"
    ]  # nothing of BUPS: the file gives none of its data


def test_the_checkbox_convention_and_a_socle_not_in_force_are_not_said(tmp_path):
    """« x » or empty is the contract's checkbox: an empty cell there is a « non » meant. The LAD certifié HAS is
    neutralised from 2024 (parameters): its empty cells cost nothing."""
    said, totals, _ = _compute(tmp_path, ";".join(HEADER) + ";lad_certifie_has\nPH-A;2024;x;;97;40000;\n"
                                         "PH-B;2024;x;x;97;40000;\n")
    assert said == [] and [t.split(",")[-1] for t in totals] == ["0.00", "3620.00"]


def test_a_column_mixing_x_with_yes_no_words_is_not_the_checkbox_convention(tmp_path):
    """Review: one « x » among oui/non silenced the warning for the whole column (PH-A 2024 lost numérique)."""
    said, totals, path = _compute(tmp_path, ";".join(HEADER) + "\nPH-A;2024;oui;;97;40000\nPH-B;2024;oui;x;97;40000\n"
                                                                "PH-C;2024;oui;oui;97;40000\n")
    assert [t.split(",")[-1] for t in totals] == ["0.00", "3620.00", "3620.00"]
    assert len(said) == 1 and "colonne logiciel_segur : case vide, lue « non » (ligne 2 : PH-A, 2024)" in said[0]


def test_an_empty_declaration_of_a_socle_not_required_says_what_it_costs(tmp_path):
    """Review: in 2022 the exercice coordonné is a socle not required (parameters: non_exige): left empty it costs its
    own amount, not the theme; the warning said « le thème peut valoir 0,00 € »."""
    said, _, path = _compute(tmp_path, ";".join(HEADER) + "\nPH-A;2022;;oui;97;40000\n")
    assert said == [
        f"Avertissement : {path} : colonne exercice_coordonne : case vide, lue « non » (ligne 2 : PH-A, 2022) — une "
        "déclaration d'un socle non exigé cet exercice : non déclarée, elle n'est pas payée ; écrivez « oui » si "
        "l'officine a fait cette déclaration, « non » sinon"
    ]


def test_the_empty_declarations_are_said_once_for_the_file_and_not_kept_in_the_table(tmp_path):
    """Review: the rows of every empty cell were kept in the table's attrs, which pandas copies on most operations
    (a 200 000-row file took 30 to 65 % longer). They are said by read_inputs, then dropped; read_pharmacies keeps a
    packed bit mask only (one bit per row)."""
    from rosp_lib.inputs import read_inputs

    path = tmp_path / "p.csv"
    path.write_text(";".join(HEADER) + "\n" + "".join(f"PH-{i};2024;oui;;97;40000\n" for i in range(2000)),
                    encoding="utf-8")
    ph, _ = read_inputs(path)
    assert "declarations_vides" not in ph.attrs
    said = [w for w in ph.attrs["avertissements"] if "logiciel_segur" in w]
    assert len(said) == 1 and "ligne 21 : PH-19, 2024 et 1\u202f980 autres)" in said[0]
    kept = read_pharmacies(path).attrs["declarations_vides"]
    assert kept["logiciel_segur"] == (bytes([0xFF]) * 250, False)


def test_rosp_report_says_an_empty_declaration_on_the_console(tmp_path):
    """As `rosp report` runs (a first version kept numpy arrays in the table's attrs, which pandas compares when it
    concatenates: the command ended in a traceback). Said once, for the file; the reports' slices do not judge it
    (a pharmacy's slice may lack the « x » of the whole column)."""
    path = tmp_path / "p.csv"
    path.write_text(";".join(HEADER) + "\nPH-A;2024;oui;;97;40000\n", encoding="utf-8")
    out = tmp_path / "rapports"
    result = CliRunner().invoke(main, ["report", str(path), "--pharmacie", "PH-A", "--exercice", "2024",
                                       "--themes", "synthese", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("colonne logiciel_segur : case vide, lue « non » (ligne 2 : PH-A, 2024)") == 1
    assert (out / "2024" / "PH-A" / "00_synthese.html").exists()


def test_a_molecules_table_with_its_header_alone_is_said_as_no_table(tmp_path):
    """`--molecules` naming a file with its header only: PH-TILLEULS 2024 lost its molecule premium (7 890,91 € →
    7 785,00 €) without a word, while no table at all is said."""
    mols = tmp_path / "molecules.csv"
    mols.write_text("pharmacie_id,exercice,molecule,nb_boites,taux_depart_pct,taux_arrivee_pct\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["compute", str(DATA / "pharmacies.csv"), "--molecules", str(mols),
                                       "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (f"Avertissement : {mols} : la table des molécules ciblées n'a aucune ligne : leur prime (BUPS) des "
            "exercices 2023, 2024, 2025, 2026 compte 0 € ; remplissez-la si l'officine en a délivré") in result.stderr


def test_an_identifier_written_with_other_capitals_on_another_exercise_is_refused(tmp_path):
    """« PH-CASE » 2024 and « ph-case » 2025 were two pharmacies whose pages (pharmacies/<id>.html) are one file on
    Windows and macOS: one overwrote the other. Within an exercise they were already refused as duplicates."""
    path = tmp_path / "p.csv"
    path.write_text("pharmacie_id;exercice\nPH-CASE;2024\nPH-B;2024\nph-case;2025\nPh-Case;2026\nPH-CASE;2023\n",
                    encoding="utf-8")
    expected = ("attendu : « PH-CASE », comme à la ligne 2 : majuscules et minuscules confondues, c'est la même "
                "pharmacie (l'identifiant devient un nom de fichier)")
    assert problems_of(path) == [
        f"ligne 4, pharmacie « ph-case », colonne pharmacie_id : valeur « ph-case » ; {expected}",
        f"ligne 5, pharmacie « Ph-Case », colonne pharmacie_id : valeur « Ph-Case » ; {expected}",
    ]


def test_an_unknown_column_close_in_meaning_gets_a_suggestion(tmp_path):
    """`date_debut` (for `debut_activite`) was refused without a suggestion: difflib matches spelling only. The names
    other tools give the same data are suggested — unless the file already has that column."""
    from rosp_lib.inputs import InputError, read_pharmacies

    path = tmp_path / "p.csv"
    path.write_text("pharmacie_id;exercice;date_debut;finess;raison_sociale\nPH-A;2024;2024-03-01;123;X\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_pharmacies(path)
    text = str(err.value)
    assert "colonne « date_debut » : colonne inconnue — vouliez-vous dire « debut_activite » ?" in text
    assert "colonne « raison_sociale » : colonne inconnue — vouliez-vous dire « nom » ?" in text
    # the file has pharmacie_id already: « finess » is not said to be it
    assert "colonne « finess » : colonne inconnue ; attendu : une colonne de la liste (rosp colonnes)" in text
