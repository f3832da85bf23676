"""Sixth adversarial pass over the inputs (2026-12-03): each case below was accepted and read otherwise than its
author meant, or passed the reading and broke a later step, or was refused with an unclear message. Files built in
the test (XLSX with openpyxl)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers_rules import workbook
from rosp_lib.cli import main
from rosp_lib.counterfactual.versements import read_versements
from rosp_lib.inputs import InputError, read_pharmacies

HEADER = ["pharmacie_id", "nom", "exercice", "exercice_coordonne", "logiciel_segur"]


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        read_pharmacies(path)
    return info.value.problems


# ---------------------------------------------------------------------------------------------------------------
# A text on several lines in a workbook cell (Alt+Entrée)
# ---------------------------------------------------------------------------------------------------------------
def test_a_workbook_cell_on_two_lines_is_refused_naming_the_cell(tmp_path):
    """It was accepted by `rosp compute`, then every report of that pharmacy failed: the report folder's copy of
    the input (entree.csv) was refused as « sur 2 lignes du fichier — guillemet ouvert et jamais fermé ? »."""
    path = tmp_path / "pharmacies.xlsx"
    workbook({"pharmacies": [HEADER, ["P1", "Pharmacie\ndu Centre", 2024, "oui", "oui"],
                             ["P2", "Pharmacie de la Gare", 2024, "oui", "oui"]]}).save(path)
    assert problems_of(path) == [
        "feuille « pharmacies », cellule B2 : valeur « Pharmacie\\ndu Centre » sur 2 lignes (retour à la ligne dans "
        "la cellule) ; attendu : une valeur sur une seule ligne (retirez le retour à la ligne : Alt+Entrée dans Excel)"]
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["compute", str(path), "-o", str(out)])
    assert result.exit_code == 2 and "cellule B2" in result.output and not out.exists()


def test_a_statement_label_on_two_lines_is_refused_naming_the_cell(tmp_path):
    ph = tmp_path / "p.csv"
    ph.write_text("pharmacie_id;exercice\nP1;2025\n", encoding="utf-8")
    statement = tmp_path / "versements.xlsx"
    workbook({"versements": [["pharmacie_id", "exercice", "theme", "montant_verse_eur", "libelle_releve"],
                             ["P1", 2025, "numerique", 820, "ROSP\r\nnumérique"]]}).save(statement)
    with pytest.raises(InputError) as info:
        read_versements(statement, read_pharmacies(ph))
    assert info.value.problems == [  # the workbook's XML keeps the line feed only
        "feuille « versements », cellule E2 : valeur « ROSP\\nnumérique » sur 2 lignes (retour à la ligne dans la "
        "cellule) ; attendu : une valeur sur une seule ligne (retirez le retour à la ligne : Alt+Entrée dans Excel)"]


def test_cells_on_several_lines_are_listed_twenty_at_most(tmp_path):
    path = tmp_path / "pharmacies.xlsx"
    workbook({"pharmacies": [HEADER] + [[f"P{i}", "a\nb", 2024, "oui", "oui"] for i in range(25)]}).save(path)
    found = problems_of(path)
    assert len(found) == 21 and found[-1] == "… et 5 autres cellules sur plusieurs lignes"
    assert found[19].startswith("feuille « pharmacies », cellule B21 : ")


# ---------------------------------------------------------------------------------------------------------------
# Sheets and formulas
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("other", ["pharmacies ", "Pharmacíes"])
def test_two_sheets_named_as_the_table_are_refused(tmp_path, other):
    """Both names read as « pharmacies » (case, accents and spaces aside): the first was read without a word."""
    path = tmp_path / "pharmacies.xlsx"
    workbook({"Pharmacies": [HEADER, ["P1", "A", 2024, "oui", "oui"]],
              other: [HEADER, ["P1", "A", 2024, "non", "non"]]}).save(path)
    assert problems_of(path) == [
        f"le classeur a 2 feuilles nommées comme « pharmacies » (« Pharmacies », « {other} ») ; attendu : une seule "
        "feuille « pharmacies » (renommez ou supprimez les autres)"]


def test_an_array_formula_without_value_is_named_by_its_formula(tmp_path):
    from openpyxl.worksheet.formula import ArrayFormula

    path = tmp_path / "pharmacies.xlsx"
    wb = workbook({"pharmacies": [HEADER + ["nb_fse"], ["P1", "A", 2024, "oui", "oui", None]]})
    wb["pharmacies"]["F2"] = ArrayFormula("F2", "=SUM(1*1)")
    wb.save(path)
    assert problems_of(path) == [
        "feuille « pharmacies », cellule F2 : formule « =SUM(1*1) » sans valeur enregistrée (elle se lirait vide) ; "
        "attendu : une valeur (ouvrez le classeur dans un tableur et enregistrez-le, ou collez les valeurs)"]


# ---------------------------------------------------------------------------------------------------------------
# The payments statement: at most 20 messages per kind of problem
# ---------------------------------------------------------------------------------------------------------------
def pharmacies_of(tmp_path: Path, n: int):
    ph = tmp_path / "p.csv"
    ph.write_text("pharmacie_id;exercice\n" + "".join(f"P{i};2024\n" for i in range(n)), encoding="utf-8")
    return read_pharmacies(ph)


def test_a_statement_with_many_unknown_columns_names_twenty(tmp_path):
    """The pharmacies file given as the statement: 25 unknown columns were each named, with no end."""
    statement = tmp_path / "v.csv"
    extra = [f"colonne_{k:02d}" for k in range(25)]
    statement.write_text(";".join(["pharmacie_id", "exercice", "theme", "montant_verse_eur", *extra]) + "\n"
                         + ";".join(["P0", "2024", "numerique", "820", *["x"] * 25]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_versements(statement, pharmacies_of(tmp_path, 1))
    found = info.value.problems
    assert len(found) == 21 and found[-1] == "… et 5 autres colonnes inconnues"
    assert found[0].startswith("ligne 1 (en-tête), colonne « colonne_00 » : colonne inconnue ; attendu : ")
    assert found[19].startswith("ligne 1 (en-tête), colonne « colonne_19 » : colonne inconnue ; ")


def test_many_themes_paid_both_whole_and_by_indicator_are_named_twenty(tmp_path):
    statement = tmp_path / "v.csv"
    rows = "".join(f"P{i};2024;numerique;;1000\nP{i};2024;numerique;mss;240\n" for i in range(25))
    statement.write_text("pharmacie_id;exercice;theme;indicateur;montant_verse_eur\n" + rows, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_versements(statement, pharmacies_of(tmp_path, 25))
    found = info.value.problems
    assert len(found) == 21 and found[-1] == "… et 5 autres thèmes payés à la fois en entier et par indicateur"
    assert found[0].startswith("lignes 2 et 3, pharmacie « P0 », exercice 2024, thème numerique : une ligne pour tout le "
                               "thème (ligne 2 : 1\u202f000,00\u00a0€) et des lignes par indicateur (ligne 3, mss : 240,00\u00a0€) ; ")
    assert "25 problèmes" in str(info.value)


# ---------------------------------------------------------------------------------------------------------------
# CSV text
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_or_32_without_its_mark_is_said_so(tmp_path, encoding):
    """It was refused column by column as « colonne « p\\x00h\\x00a… » : colonne inconnue »; UTF-32 was named UTF-16."""
    path = tmp_path / "pharmacies.csv"
    path.write_bytes("pharmacie_id;exercice;nb_fse\nP1;2024;40000\n".encode(encoding))
    assert problems_of(path) == [
        f"le fichier est en {encoding[:6].upper()} sans marque d'ordre des octets (BOM) : son texte ne peut pas être lu sans deviner ; "
        "attendu : un CSV enregistré en « CSV UTF-8 » (Excel : Fichier > Enregistrer sous > « CSV UTF-8 (délimité par "
        "des virgules) »), ou en « Texte Unicode »"]


def test_a_quote_never_closed_over_a_long_file_is_explained_in_french(tmp_path):
    """In a comma-separated file, the lines after the quote (over 128 Kio) made one cell beyond the csv module's
    limit: « CSV illisible : field larger than field limit (131072) »."""
    path = tmp_path / "pharmacies.csv"
    path.write_text("pharmacie_id,exercice,nom\nP1,2024,\"abc\n" + "".join(f"P{i},2024,x\n" for i in range(2, 20_002)),
                    encoding="utf-8")
    found = problems_of(path)
    assert len(found) == 1 and found[0].startswith("ligne 2, pharmacie « P1 », colonne nom : valeur « abc\\nP2,2024,x")
    assert found[0].endswith(" sur 20002 lignes du fichier ; attendu : une valeur sur une seule ligne — guillemet « \" » "
                             "ouvert et jamais fermé ? Fermez-le ou retirez-le (les lignes suivantes sont lues dans "
                             "cette valeur), ou retirez le retour à la ligne de la valeur")
    import csv

    assert csv.field_size_limit() == 131072  # the module's limit is left as it was


@pytest.mark.parametrize("sep", [";", ","])
def test_text_after_a_closing_quote_is_refused(tmp_path, sep):
    """« "c"d » was read « cd » without a word (pandas and the csv module both drop the quotes)."""
    path = tmp_path / "pharmacies.csv"
    path.write_text(sep.join(["pharmacie_id", "exercice", "nb_fse", "nom"]) + "\n"
                    + sep.join(["P1", "2024", "1", '"a"']) + "\n" + sep.join(["P2", "2024", "1", '"c"d']) + "\n",
                    encoding="utf-8")
    assert problems_of(path) == [
        f"ligne 3 : « P2{sep}2024{sep}1{sep}\"c\"d » : une valeur entre guillemets suivie d'autre chose que le "
        f"séparateur « {sep} » (« \"c\"d » se lirait « cd ») ; attendu : toute la valeur entre guillemets (« \"c d\" », "
        "un guillemet dans la valeur doublé : « \"\" »), ou la valeur sans guillemets"]


def test_spaces_after_a_closing_quote_and_doubled_quotes_are_read_as_typed(tmp_path):
    path = tmp_path / "pharmacies.csv"
    path.write_text('pharmacie_id;exercice;nb_fse;nom\nP1;2024;1;"Pharmacie ""du"" Centre" \nP2;2024;1;"a;b"  ;\n'
                    'P3;2024;1;c"d\n', encoding="utf-8")
    assert list(read_pharmacies(path)["nom"]) == ['Pharmacie "du" Centre', "a;b", 'c"d']


def test_a_quote_never_closed_before_a_correct_quoted_value_is_said_where_it_opens(tmp_path):
    """The quote check took the opening quote of a correct value three lines down for the closing one, and blamed
    that correct line (« ligne 2 (ligne 5 dans un éditeur de texte) : « P4;"Pharmacie; Mairie"… » »)."""
    path = tmp_path / "pharmacies.csv"
    path.write_text('pharmacie_id;nom;exercice\nP1;"Pharmacie du Centre;2024\nP2;B;2024\nP3;C;2024\n'
                    'P4;"Pharmacie; Mairie";2024\n', encoding="utf-8")
    found = problems_of(path)
    assert len(found) == 1
    assert found[0].startswith("ligne 2, pharmacie « P1 », colonne nom : valeur « Pharmacie du Centre;2024\\nP2;B;2024")
    assert "guillemet « \" » ouvert et jamais fermé ?" in found[0]


def test_the_line_quoted_for_a_misplaced_quote_is_the_one_counted(tmp_path):
    """A line separator U+2028 inside a value is no line end for the csv module: the line quoted was « B », a piece
    of the line above, instead of the faulty line."""
    path = tmp_path / "pharmacies.csv"
    path.write_text('pharmacie_id;exercice;nb_fse;nom\nP1;2024;1;A\u2028B\nP2;2024;1;"c"d\n', encoding="utf-8")
    found = problems_of(path)
    assert len(found) == 1 and found[0].startswith("ligne 3 : « P2;2024;1;\"c\"d » : une valeur entre guillemets")


def test_a_damaged_utf16_file_with_its_mark_is_not_said_without_it(tmp_path):
    path = tmp_path / "pharmacies.csv"
    path.write_bytes(("pharmacie_id;exercice\nP1;2024\n".encode("utf-16"))[:-1])
    assert "sans marque d'ordre des octets" not in problems_of(path)[0]


def test_a_line_break_the_reading_strips_is_no_value_on_two_lines(tmp_path):
    """A header « nom⏎ » (Alt+Entrée at its end) and a cell holding a line break only, beyond the table: stripped
    as the spaces are, they were read as meant before the refusal of values on several lines, and still are."""
    path = tmp_path / "pharmacies.xlsx"
    wb = workbook({"pharmacies": [["pharmacie_id", "nom\n", "exercice", "exercice_coordonne", "logiciel_segur"],
                                  ["P1", "Pharmacie du Centre", 2024, "oui", "oui"]]})
    wb["pharmacies"]["H2"] = " \n "
    wb.save(path)
    table = read_pharmacies(path)
    assert list(table["nom"]) == ["Pharmacie du Centre"]
