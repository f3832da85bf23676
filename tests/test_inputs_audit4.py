"""Audit 4: inputs that were read otherwise than their French author meant are now read as meant or
refused with the line (or sheet and cell), the column, the value and the fix (files built in the test,
XLSX with openpyxl)."""

from __future__ import annotations

import pytest

from rosp_lib.inputs import read_pharmacies

from test_inputs_misreading import csv_file, problems_of

DECIMAL_COMMA = ("une virgule décimale dans un fichier séparé par des virgules ? "
                 "Utilisez « ; » comme séparateur ou mettez la valeur entre guillemets")


# --------------------------------------------------------------------------------------------
# comma-separated files: a decimal comma in a row one value short
# --------------------------------------------------------------------------------------------
def test_comma_file_row_shorter_than_the_header_is_refused(tmp_path):
    path = csv_file(tmp_path, "pharmacie_id,exercice,taux_fse_sesam_vitale_pct,nb_fse\nPH-A,2024,96\n")
    assert problems_of(path) == [
        f"ligne 2, pharmacie « PH-A » : 3 valeurs pour 4 colonnes d'en-tête ; attendu : une valeur par colonne — "
        f"{DECIMAL_COMMA}"
    ]


def test_comma_file_row_wider_with_empty_values_is_refused(tmp_path):
    """« 96,2 » then an empty value: one value too many, though empty."""
    path = csv_file(tmp_path, "pharmacie_id,exercice,taux_fse_sesam_vitale_pct,nb_fse\nPH-A,2024,96,2,\n")
    assert problems_of(path) == [
        "ligne 2, pharmacie « PH-A » : 5 valeurs (les dernières vides) pour 4 colonnes d'en-tête ; attendu : "
        f"une valeur par colonne — {DECIMAL_COMMA}"
    ]


@pytest.mark.parametrize("header,row", [
    # read as 96 % and 2 FSE: it may be 96,2 % and the count left out
    ("pharmacie_id,exercice,taux_fse_sesam_vitale_pct,nb_fse", "PH-A,2024,96,2"),
    # read as 96 %, 2 FSE and no name: it may be 96,2 %, no count, and the name left out
    ("pharmacie_id,exercice,taux_fse_sesam_vitale_pct,nb_fse,nom", "PH-A,2024,96,2,"),
])
def test_comma_file_rate_maybe_cut_by_a_decimal_comma_is_read_as_written_and_said(tmp_path, header, row):
    """« 96,2 » unquoted in a comma file, in a row one value short, reads as 96 and 2: not refused (a whole rate
    then a count is an ordinary comma file), but said on the console with the fix."""
    from click.testing import CliRunner

    from rosp_lib.cli import main

    path = csv_file(tmp_path, f"{header}\n{row}\n")
    frame = read_pharmacies(path)
    assert (frame.at[0, "taux_fse_sesam_vitale_pct"], frame.at[0, "nb_fse"]) == (96, 2)
    warning = (f"{path} : ligne 2, pharmacie « PH-A », colonnes taux_fse_sesam_vitale_pct et nb_fse : lues « 96 » "
               "et « 2 » ; si vous vouliez « 96,2 » (virgule décimale), mettez la valeur entre guillemets ou utilisez "
               "« ; » comme séparateur — les montants sont calculés sur les valeurs telles que lues")
    assert frame.attrs["avertissements"] == [warning]
    result = CliRunner().invoke(main, ["compute", str(path), "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert f"Avertissement : {warning}" in result.stderr


def test_comma_file_warnings_are_bounded(tmp_path):
    rows = "".join(f"PH-{i},2024,96,2\n" for i in range(25))
    frame = read_pharmacies(csv_file(tmp_path, f"pharmacie_id,exercice,taux_fse_sesam_vitale_pct,nb_fse\n{rows}"))
    said = frame.attrs["avertissements"]
    assert len(said) == 21 and said[-1].endswith("… et 5 autres lignes où une virgule décimale est possible")


def test_a_value_maybe_cut_by_a_decimal_comma_is_said_in_the_reports_of_its_pharmacy_only(tmp_path):
    """Said on the console only: a report (made from the pharmacy's own slice, or from the whole file) did not say that
    its 96 % and 2 FSE may have been 96,2 %. Every such row is said in its pharmacy's reports, not only the first 20."""
    from rosp_lib.inputs import pharmacy_warnings

    rows = "".join(f"PH-{i},2024,96,2\n" for i in range(25)) + "PH-Z,2023,50.5,3000\nPH-Z,2024,96,3\n"
    frame = read_pharmacies(csv_file(tmp_path, f"pharmacie_id,exercice,taux_fse_sesam_vitale_pct,nb_fse\n{rows}"))
    said = ("exercice 2024, colonnes taux_fse_sesam_vitale_pct et nb_fse : lues « 96 » et « {} » ; si vous vouliez "
            "« 96,{} » (virgule décimale), mettez la valeur entre guillemets ou utilisez « ; » comme séparateur — les "
            "montants sont calculés sur les valeurs telles que lues")
    assert pharmacy_warnings(frame[frame["pharmacie_id"] == "PH-24"].reset_index(drop=True)) == [said.format(2, 2)]
    assert pharmacy_warnings(frame[frame["pharmacie_id"] == "PH-Z"]) == [said.format(3, 3)]  # not its 2023 row
    plain = read_pharmacies(csv_file(tmp_path, "pharmacie_id,exercice,taux_fse_sesam_vitale_pct,nb_fse\nPH-A,2024,96.2,2\n",
                                     "autre.csv"))
    assert pharmacy_warnings(plain) == []


@pytest.mark.parametrize("text", [
    "pharmacie_id,exercice,taux_fse_sesam_vitale_pct,nb_fse\nPH-A,2024,96.2,2\n",  # decimal point
    'pharmacie_id,exercice,taux_fse_sesam_vitale_pct,nb_fse\nPH-A,2024,"96,2",2\n',  # quoted decimal comma
    "pharmacie_id,exercice,taux_fse_sesam_vitale_pct,nb_fse,nom\nPH-A,2024,96,2,Centre\n",  # a name ends the row
    "pharmacie_id,exercice,taux_mss_pct,taux_dmp_pct,nom\nPH-A,2024,96,2,\n",  # two rates side by side
])
def test_comma_file_rows_that_fit_the_header_are_read(tmp_path, text):
    assert read_pharmacies(csv_file(tmp_path, text)).at[0, "pharmacie_id"] == "PH-A"


def test_semicolon_file_short_row_is_still_read(tmp_path):
    """No decimal comma can cut a value in a « ; » file: the missing cells are empty."""
    path = csv_file(tmp_path, "pharmacie_id;exercice;taux_fse_sesam_vitale_pct;nb_fse\nPH-A;2024;96,2\n")
    frame = read_pharmacies(path)
    assert frame.at[0, "taux_fse_sesam_vitale_pct"] == 96.2
    assert frame["nb_fse"].isna().all()


# --------------------------------------------------------------------------------------------
# a quote opened and never closed
# --------------------------------------------------------------------------------------------
QUOTE = ("attendu : une valeur sur une seule ligne — guillemet « \" » ouvert et jamais fermé ? Fermez-le ou "
         "retirez-le (les lignes suivantes sont lues dans cette valeur), ou retirez le retour à la ligne de la valeur")


def test_unclosed_quote_swallowing_the_next_rows_is_refused(tmp_path):
    """PH-C vanished into the name of PH-A."""
    path = csv_file(tmp_path, 'pharmacie_id;exercice;nom;nb_fse\nPH-A;2024;"Pharmacie du Centre;40000\nPH-C;2024;x;1\n')
    assert problems_of(path) == [
        "ligne 2, pharmacie « PH-A », colonne nom : valeur « Pharmacie du Centre;40000\\nPH-C;2024;x;1\\n » "
        f"sur 3 lignes du fichier ; {QUOTE}"
    ]


def test_a_second_cell_on_several_lines_names_its_line_in_a_text_editor_too(tmp_path):
    """The rows are numbered as a spreadsheet shows them (one row per record); a text editor shows the
    second cut cell one line further down."""
    path = csv_file(tmp_path, 'pharmacie_id;exercice;nom;nb_fse\nPH-A;2024;"Centre\nville";1\nPH-B;2024;x;abc\n'
                              'PH-C;2024;"Gare\nsud";2\n')
    assert problems_of(path) == [
        f"ligne 2, pharmacie « PH-A », colonne nom : valeur « Centre\\nville » sur 2 lignes du fichier ; {QUOTE}",
        "ligne 3, pharmacie « PH-B », colonne nb_fse : valeur « abc » ; attendu : entier ≥ 0",
        "ligne 4 (ligne 5 dans un éditeur de texte), pharmacie « PH-C », colonne nom : valeur « Gare\\nsud » sur 2 "
        f"lignes du fichier ; {QUOTE}",
    ]


def test_unclosed_quote_in_a_comma_file_is_refused_too(tmp_path):
    path = csv_file(tmp_path, 'pharmacie_id,exercice,nom,nb_fse\nPH-A,2024,"Centre,1\nPH-C,2024,x,1\n')
    assert problems_of(path) == [
        f"ligne 2, pharmacie « PH-A », colonne nom : valeur « Centre,1\\nPH-C,2024,x,1\\n » sur 3 lignes du fichier ; "
        f"{QUOTE}"
    ]


# --------------------------------------------------------------------------------------------
# counts: thousands grouped by spaces, then « ,000 »; a negative count
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,readings", [
    ("1 234,000", "(1 234 ou 1 234 000 ?)"),
    ("40 000.000", "(40 000 ou 40 000 000 ?)"),
    ("40\u00a0000,000", "(40 000 ou 40 000 000 ?)"),
])
def test_count_grouped_by_spaces_then_three_decimals_is_ambiguous(tmp_path, text, readings):
    """« 1 234,000 » was read 1234: the rule refuses a `.` or `,` before three digits in a count."""
    path = csv_file(tmp_path, f"pharmacie_id;exercice;nb_fse\nPH-A;2024;{text}\n")
    assert problems_of(path) == [
        f"ligne 2, pharmacie « PH-A », colonne nb_fse : valeur « {text} » ; attendu : entier ≥ 0 — séparateur de "
        f"milliers ambigu {readings} : écrivez l'entier voulu sans « , » ni « . »"
    ]


def test_count_grouped_by_spaces_with_other_decimals_is_still_read(tmp_path):
    path = csv_file(tmp_path, "pharmacie_id;exercice;nb_fse\nPH-A;2024;40 000,0\n")
    assert read_pharmacies(path).at[0, "nb_fse"] == 40000.0


def test_negative_ambiguous_count_is_not_told_to_be_written_negative(tmp_path):
    """« écrivez -1000 ou -1 000 » led to a value refused in turn."""
    path = csv_file(tmp_path, "pharmacie_id;exercice;nb_fse\nPH-A;2024;-1.000\n")
    assert problems_of(path) == [
        "ligne 2, pharmacie « PH-A », colonne nb_fse : valeur « -1.000 » ; attendu : entier ≥ 0 — séparateur de "
        "milliers ambigu (-1 ou -1 000 ?), et négatif : un nombre ≥ 0 est attendu"
    ]


# --------------------------------------------------------------------------------------------
# XLSX: read as Excel shows it
# --------------------------------------------------------------------------------------------
def _xlsx(tmp_path, rows, formats=None):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "pharmacies"
    for row in rows:
        ws.append(row)
    for coordinate, number_format in (formats or {}).items():
        ws[coordinate].number_format = number_format
    path = tmp_path / "pharmacies.xlsx"
    wb.save(path)
    return path


def test_xlsx_identifier_padded_with_zeros_by_its_format_is_read_as_shown(tmp_path):
    """Excel shows 123 formatted « 00000 » as 00123: it was read 123, another pharmacy."""
    path = _xlsx(tmp_path, [["pharmacie_id", "exercice"], [123, 2024]], {"A2": "00000"})
    assert read_pharmacies(path).at[0, "pharmacie_id"] == "00123"


@pytest.mark.parametrize("value,fmt,expected", [
    (94.99999999999999, "General", "95"),  # Excel shows 95: not under the 95 % threshold
    (0.57 * 100, "General", "57"),  # =0.57*100 stores 56.99999999999999
    (0.9499, "0%", "94.99"),  # shown « 95 % », every decimal saved counts
])
def test_xlsx_float_read_at_the_fifteen_digits_excel_shows(tmp_path, value, fmt, expected):
    path = _xlsx(tmp_path, [["pharmacie_id", "exercice", "taux_fse_sesam_vitale_pct"], ["PH-A", 2024, value]],
                 {"C2": fmt})
    assert str(read_pharmacies(path).at[0, "taux_fse_sesam_vitale_pct_exact"]) == expected


def test_xlsx_value_hidden_by_its_number_format_is_refused(tmp_path):
    path = _xlsx(tmp_path, [["pharmacie_id", "exercice", "nb_fse"], ["PH-A", 2024, 40000]], {"C2": ";;;"})
    assert problems_of(path) == [
        "feuille « pharmacies », cellule C2 : valeur « 40000 » masquée par le format de nombre « ;;; » (la cellule "
        "paraît vide) ; attendu : une valeur visible (format « Standard » si elle est à lire, sinon videz la cellule)"
    ]


def test_a_title_line_without_separator_does_not_choose_the_separator(tmp_path):
    """« Export » above the header: the separator was guessed on it (none: « , »), the « ; » rows were not cut,
    and nothing said a title was there (audit, statement and pharmacies alike)."""
    path = csv_file(tmp_path, "Export du logiciel\npharmacie_id;exercice;taux_dmp_pct\nPH-A;2024;92\n")
    problems = problems_of(path)
    assert ("ligne 2 : 3 valeurs pour 1 colonne d'en-tête (« exercice », « taux_dmp_pct » en trop) ; attendu : une "
            "valeur par colonne — la ligne 1, lue comme en-tête, n'a pas de colonne pharmacie_id : la ligne des noms "
            "de colonnes doit être la première ligne remplie (un titre ou une ligne au-dessus ?)") in problems
