"""The input contract (docs/colonnes.md): every accepted format and spelling, every rejection.

Files are generated in tmp_path (CSV as bytes, XLSX with openpyxl) so each test shows exactly what
the user hands over. Error messages are asserted word for word: they are the interface a
titulaire reads when a file is refused.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers_rules import workbook
from rosp_lib.inputs import (
    MOLECULE_COLUMNS,
    PHARMACY_COLUMNS,
    InputError,
    read_molecules,
    read_pharmacies,
)

RATE = "pourcentage 0 à 100 (95, 95,5 ou 95.5)"
COUNT = "entier ≥ 0"
BOOL = "oui/non, vrai/faux, true/false, 1/0, x/vide"
DATE = "date AAAA-MM-JJ ou JJ/MM/AAAA"
ID = ("identifiant de 1 à 64 caractères parmi A-Z a-z 0-9 _ -, commençant par une lettre ou un chiffre, "
      "autre que CON, PRN, AUX, NUL, COM0 à COM9, LPT0 à LPT9 (noms réservés de Windows)")
EXERCICE = "un exercice pour lequel des paramètres existent (2022, 2023, 2024, 2025, 2026)"


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def write_csv(tmp_path: Path, text: str, name: str = "pharmacies.csv", bom: bool = False,
              encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def write_xlsx(tmp_path: Path, sheets: dict[str, list[list]], name: str = "pharmacies.xlsx",
               formats: dict[tuple[str, str], str] | None = None) -> Path:
    """sheets: title → rows (first row = header), in workbook order; formats: (sheet, cell) → number format."""
    wb = workbook(sheets)
    for (title, ref), fmt in (formats or {}).items():
        wb[title][ref].number_format = fmt
    path = tmp_path / name
    wb.save(path)
    return path


def problems_of(path: Path, reader=read_pharmacies, *args) -> list[str]:
    with pytest.raises(InputError) as info:
        reader(path, *args)
    return info.value.problems


def one_problem(path: Path, reader=read_pharmacies, *args) -> str:
    problems = problems_of(path, reader, *args)
    assert len(problems) == 1, problems
    return problems[0]


def pharmacies_csv(tmp_path: Path, header: str, *rows: str, sep: str = ";", **kw) -> Path:
    return write_csv(tmp_path, "\n".join([header, *rows]) + "\n", **kw)


def cell_error(line: int, pid: str, column: str, value: str, expected: str) -> str:
    shown = f"« {value} »" if value != "" else "vide"
    who = f", pharmacie « {pid} »" if pid else ""
    return f"ligne {line}{who}, colonne {column} : valeur {shown} ; attendu : {expected}"


# --------------------------------------------------------------------------------------------
# the example data
# --------------------------------------------------------------------------------------------
def test_example_data_is_read_and_typed(data_dir):
    ph = read_pharmacies(data_dir / "pharmacies.csv")
    assert len(ph) == 13
    assert list(ph.columns)[:len(PHARMACY_COLUMNS)] == [c.name for c in PHARMACY_COLUMNS]
    assert list(ph.index) == list(range(13))
    first = ph.iloc[0]
    assert (first["pharmacie_id"], first["exercice"]) == ("PH-TILLEULS", 2024)
    assert first["taux_qualite_scor_pct"] == 99.5            # « 99,5 »
    assert first["taux_double_paiement_pct"] == 0.02         # « 0,02 »
    assert first["nb_fse"] == 40000.0
    assert np.isnan(first["taux_ordonnance_numerique_pct"])  # empty cell = unknown
    assert bool(first["exercice_coordonne"]) is True and bool(first["lad_certifie_has"]) is False
    cession = ph.set_index("pharmacie_id").loc["PH-CESSION"]
    assert cession["debut_activite"] == pd.Timestamp("2025-07-01")
    assert pd.isna(cession["fin_activite"])

    mol = read_molecules(data_dir / "molecules.csv", ph)
    assert len(mol) == 13
    assert mol.loc[2, "molecule"] == "palipéridone"
    assert mol.loc[2, "molecule_norm"] == "paliperidone"
    assert mol.loc[2, "taux_arrivee_pct_exact"] == Decimal("75.5")
    assert mol.loc[1, "molecule_norm"] == "vildagliptine"


def test_typed_frame_dtypes_under_pandas_string_inference(tmp_path):
    """pandas 3 infers a string dtype for text: the typed frame must still be plain and numeric."""
    path = pharmacies_csv(tmp_path, "pharmacie_id;nom;exercice;taux_mss_pct;nb_fse;drom;debut_activite",
                          "PH-A;Pharmacie A;2024;95,5;12;oui;2024-02-01")
    ph = read_pharmacies(path)
    assert ph["exercice"].dtype == np.int64
    assert ph["taux_mss_pct"].dtype == np.float64 and ph["nb_fse"].dtype == np.float64
    assert ph["drom"].dtype == bool and ph["exercice_coordonne"].dtype == bool
    assert pd.api.types.is_datetime64_any_dtype(ph["debut_activite"])
    assert pd.api.types.is_datetime64_any_dtype(ph["fin_activite"])
    assert isinstance(ph.at[0, "pharmacie_id"], str) and isinstance(ph.at[0, "nom"], str)
    assert ph["pharmacie_id"].dtype == object and ph["nom"].dtype == object
    # the typed frame works with ordinary comparisons, whatever the string dtype of the run
    assert ph.loc[ph["pharmacie_id"] == "PH-A", "taux_mss_pct"].item() == 95.5


# --------------------------------------------------------------------------------------------
# formats: separators, decimals, encodings, line endings
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sep", [";", ","])
@pytest.mark.parametrize("text", ["95", "95,0", "95.0", " 95 ", "95.", "95,00", "95 %", "95%", "95,0 %"])
def test_rate_spellings_all_mean_95(tmp_path, sep, text):
    cell = f'"{text}"' if sep == "," and "," in text else text
    path = write_csv(tmp_path, f"pharmacie_id{sep}exercice{sep}taux_mss_pct\nPH-A{sep}2024{sep}{cell}\n")
    assert read_pharmacies(path).at[0, "taux_mss_pct"] == 95.0


@pytest.mark.parametrize("sep", [";", ","])
def test_separator_is_detected_and_decimals_read(tmp_path, sep):
    rate = '"99,5"' if sep == "," else "99,5"
    path = write_csv(tmp_path, f"pharmacie_id{sep}nom{sep}exercice{sep}taux_qualite_scor_pct{sep}taux_double_paiement_pct{sep}nb_fse\n"
                               f"PH-A{sep}Pharmacie A{sep}2024{sep}{rate}{sep}0.05{sep}40000\n"
                               f"PH-B{sep}Pharmacie B{sep}2025{sep}100{sep}0{sep}\n")
    ph = read_pharmacies(path)
    assert ph["pharmacie_id"].tolist() == ["PH-A", "PH-B"]
    assert ph["nom"].tolist() == ["Pharmacie A", "Pharmacie B"]
    assert ph["exercice"].tolist() == [2024, 2025]
    assert ph["taux_qualite_scor_pct"].tolist() == [99.5, 100.0]
    assert ph["taux_double_paiement_pct"].tolist() == [0.05, 0.0]
    assert ph.at[0, "nb_fse"] == 40000.0 and np.isnan(ph.at[1, "nb_fse"])


def test_tab_separated_table_pasted_from_a_spreadsheet(tmp_path):
    path = write_csv(tmp_path, "pharmacie_id\texercice\ttaux_mss_pct\nPH-A\t2024\t95,5\n", name="colle.txt")
    assert read_pharmacies(path).at[0, "taux_mss_pct"] == 95.5


def test_semicolon_file_with_commas_in_names(tmp_path):
    path = pharmacies_csv(tmp_path, "pharmacie_id;nom;exercice", "PH-A;Pharmacie de la Gare, Lyon;2024")
    assert read_pharmacies(path).at[0, "nom"] == "Pharmacie de la Gare, Lyon"


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_utf8_with_and_without_bom_and_any_line_ending(tmp_path, bom, newline):
    text = newline.join(["Pharmacie_ID;nom;exercice", "PH-E;Pharmacie Générale;2024", ""])
    ph = read_pharmacies(write_csv(tmp_path, text, bom=bom))
    assert list(ph["pharmacie_id"]) == ["PH-E"]  # the BOM is not glued to the first column name
    assert ph.at[0, "nom"] == "Pharmacie Générale"


def test_header_names_are_case_and_space_insensitive(tmp_path):
    path = pharmacies_csv(tmp_path, " PHARMACIE_ID ; Exercice ;Taux_MSS_Pct", "PH-A;2024;6")
    assert read_pharmacies(path).at[0, "taux_mss_pct"] == 6.0


def test_not_utf8_is_refused_with_the_line(tmp_path):
    path = write_csv(tmp_path, "pharmacie_id;nom;exercice\nPH-A;Pharmacie Générale;2024\n", encoding="cp1252")
    assert one_problem(path) == (
        "le fichier n'est pas en UTF-8 (ligne 2, octet 0xE9 : « é » en Windows-1252 ?) ; attendu : un CSV enregistré "
        "en « CSV UTF-8 » (Excel : Fichier > Enregistrer sous > « CSV UTF-8 (délimité par des virgules) » ; « ; » ou "
        "« , » sont lus l'un comme l'autre)"
    )


def test_excel_unicode_text_utf16_with_its_mark_and_tsv_files_are_read(tmp_path):
    """Excel's « Texte Unicode » is UTF-16 with a byte-order mark, separated by tabs: it was refused as not UTF-8;
    and a .tsv file was refused for its name while the same content named .csv was read."""
    text = "pharmacie_id\tnom\texercice\tnb_fse\r\nPH-A\tPharmacie Générale\t2024\t40 000\r\n"
    for encoding, name in (("utf-16", "unicode.txt"), ("utf-8", "tableau.tsv")):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        ph = read_pharmacies(path)
        assert (ph.at[0, "nom"], ph.at[0, "nb_fse"]) == ("Pharmacie Générale", 40000)


def test_counts_accept_spreadsheet_spellings(tmp_path):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;nb_fse;nb_rva_960;nb_rva_750;nb_kits_remis",
                          "PH-A;2024; 12 ;40 000;40\u00a0000;12,0")
    ph = read_pharmacies(path)
    assert ph.loc[0, ["nb_fse", "nb_rva_960", "nb_rva_750", "nb_kits_remis"]].tolist() == [12, 40000, 40000, 12]


@pytest.mark.parametrize("text", ["1e3", "12,5", "1 2", "12 000 0", "douze", "0x10", "1.000,5"])
def test_counts_refuse_what_is_not_a_plain_integer(tmp_path, text):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;nb_fse", f"PH-A;2024;{text}")
    assert one_problem(path) == cell_error(2, "PH-A", "nb_fse", text.strip(), COUNT)


@pytest.mark.parametrize("text", ["1e2", "9.5e1", "beaucoup", "95 %%", "%95"])
def test_rates_refuse_what_is_not_a_plain_number(tmp_path, text):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;taux_mss_pct", f"PH-A;2024;{text}")
    assert one_problem(path) == cell_error(2, "PH-A", "taux_mss_pct", text, RATE)


def test_absurdly_large_count_is_refused(tmp_path):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;nb_fse", "PH-A;2024;1000000000", "PH-B;2024;999999999")
    assert one_problem(path) == cell_error(2, "PH-A", "nb_fse", "1000000000",
                                           "entier ≥ 0 d'au plus 999 999 999 (nombre plausible)")


# --------------------------------------------------------------------------------------------
# booleans, empty cells, missing columns, dates
# --------------------------------------------------------------------------------------------
TRUE_SPELLINGS = ["oui", "OUI", "Oui", "vrai", "VRAI", "Vrai", "true", "TRUE", "True", "1", "x", "X", " x "]
FALSE_SPELLINGS = ["non", "NON", "Non", "faux", "FAUX", "Faux", "false", "FALSE", "False", "0", ""]


@pytest.mark.parametrize("text,expected", [(t, True) for t in TRUE_SPELLINGS] + [(t, False) for t in FALSE_SPELLINGS])
def test_every_boolean_spelling(tmp_path, text, expected):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;drom;logiciel_segur", f"PH-A;2024;{text};oui")
    ph = read_pharmacies(path)
    assert bool(ph.at[0, "drom"]) is expected


@pytest.mark.parametrize("text", ["peut-être", "o", "n", "yes", "no", "2", "oui non", "-"])
def test_other_boolean_spellings_are_refused(tmp_path, text):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;drom", f"PH-A;2024;{text}")
    assert one_problem(path) == cell_error(2, "PH-A", "drom", text, BOOL)


def test_empty_cell_means_unknown_not_zero(tmp_path):
    path = pharmacies_csv(tmp_path, "pharmacie_id;nom;exercice;taux_mss_pct;nb_fse;drom;debut_activite;nb_semaines_asafo",
                          "PH-A;;2024;;;;;")
    ph = read_pharmacies(path)
    assert np.isnan(ph.at[0, "taux_mss_pct"]) and np.isnan(ph.at[0, "nb_fse"]) and np.isnan(ph.at[0, "nb_semaines_asafo"])
    assert bool(ph.at[0, "drom"]) is False
    assert pd.isna(ph.at[0, "debut_activite"])
    assert ph.at[0, "nom"] == ""


def test_missing_optional_columns_mean_unknown(tmp_path):
    ph = read_pharmacies(pharmacies_csv(tmp_path, "pharmacie_id;exercice", "PH-A;2024"))
    assert list(ph.columns)[:len(PHARMACY_COLUMNS)] == [c.name for c in PHARMACY_COLUMNS]
    for c in PHARMACY_COLUMNS:
        value = ph.at[0, c.name]
        if c.kind in ("int", "rate"):
            assert np.isnan(value), c.name
        elif c.kind == "bool":
            assert bool(value) is False, c.name
        elif c.kind == "date":
            assert pd.isna(value), c.name
        elif c.kind == "text":
            assert value == "", c.name


def test_iso_dates(tmp_path):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;debut_activite;fin_activite",
                          "PH-A;2024;2024-02-29;2024-12-31", "PH-B;2025;2025-01-01;2025-01-01")
    ph = read_pharmacies(path)
    assert ph["debut_activite"].tolist() == [pd.Timestamp("2024-02-29"), pd.Timestamp("2025-01-01")]
    assert ph["fin_activite"].tolist() == [pd.Timestamp("2024-12-31"), pd.Timestamp("2025-01-01")]


def test_french_dates_as_excel_writes_them_in_a_csv_are_read_day_first(tmp_path):
    """French Excel writes a date « 01/07/2024 » in a CSV: 1 July, as a French user means it (it was refused)."""
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;debut_activite;fin_activite",
                          "PH-A;2024;01/07/2024;31/12/2024", "PH-B;2024;1/7/2024;")
    ph = read_pharmacies(path)
    assert ph["debut_activite"].tolist() == [pd.Timestamp("2024-07-01")] * 2
    assert ph.at[0, "fin_activite"] == pd.Timestamp("2024-12-31")


@pytest.mark.parametrize("text", ["2024/03/01", "01-03-2024", "2024-3-1", "2024-02-30", "2025-02-29", "30/02/2024",
                                  "13/13/2024", "20240301", "2024-03-01T10:00", "mars"])
def test_non_iso_or_impossible_dates_are_refused(tmp_path, text):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;debut_activite", f"PH-A;2024;{text}")
    impossible = " — cette date n'existe pas" if text in ("2024-02-30", "2025-02-29", "30/02/2024", "13/13/2024") \
        else ""  # right shape, no such day
    assert one_problem(path) == cell_error(2, "PH-A", "debut_activite", text, DATE + impossible)


# --------------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------------
HEADER = ["pharmacie_id", "nom", "exercice", "taux_mss_pct", "taux_dmp_pct", "nb_fse", "drom",
          "logiciel_segur", "debut_activite", "fin_activite"]


def test_xlsx_first_sheet_with_typed_cells(tmp_path):
    path = write_xlsx(tmp_path, {"Feuil1": [
        HEADER,
        ["PH-A", "Pharmacie A", 2024, 95.0, "95,5", 40000, True, "oui", dt.date(2024, 3, 1), dt.datetime(2024, 9, 30)],
        ["PH-B", None, 2024.0, 95, 0.1 + 0.2, 12.0, False, 1, "2024-01-15", None],
        ["PH-C", "Pharmacie C", "2025", 1e-5, None, None, None, "X", None, None],
    ]})
    ph = read_pharmacies(path)
    assert ph["pharmacie_id"].tolist() == ["PH-A", "PH-B", "PH-C"]
    assert ph["exercice"].tolist() == [2024, 2024, 2025]
    assert ph["taux_mss_pct"].tolist() == [95.0, 95.0, 0.00001]
    assert ph.at[0, "taux_dmp_pct"] == 95.5
    assert ph.at[1, "taux_dmp_pct"] == pytest.approx(0.3)
    assert np.isnan(ph.at[2, "taux_dmp_pct"])
    assert ph.at[0, "nb_fse"] == 40000 and ph.at[1, "nb_fse"] == 12 and np.isnan(ph.at[2, "nb_fse"])
    assert ph["drom"].tolist() == [True, False, False]
    assert ph["logiciel_segur"].tolist() == [True, True, True]
    assert ph["debut_activite"].tolist()[:2] == [pd.Timestamp("2024-03-01"), pd.Timestamp("2024-01-15")]
    assert ph.at[0, "fin_activite"] == pd.Timestamp("2024-09-30")
    assert ph.at[1, "nom"] == ""


def test_xlsx_percentage_formatted_cell_reads_what_the_user_sees(tmp_path):
    """A cell shown « 92,5 % » holds 0.925: the user means 92.5 %, not 0.925 %."""
    path = write_xlsx(tmp_path, {"pharmacies": [["pharmacie_id", "exercice", "taux_mss_pct", "taux_dmp_pct"],
                                                ["PH-A", 2024, 0.925, 0.925]]},
                      formats={("pharmacies", "C2"): "0.0%"})
    ph = read_pharmacies(path)
    assert ph.at[0, "taux_mss_pct"] == 92.5
    assert ph.at[0, "taux_dmp_pct"] == 0.925


def test_xlsx_sheet_named_pharmacies_among_others(tmp_path):
    path = write_xlsx(tmp_path, {
        "Lisez-moi": [["Ce classeur contient les données ROSP"]],
        "Molécules": [[c.name for c in MOLECULE_COLUMNS], ["PH-A", 2024, "sitagliptine", 100, 50, "60,5"]],
        "Pharmacies": [["pharmacie_id", "exercice", "taux_mss_pct"], ["PH-A", 2024, 6]],
    })
    ph = read_pharmacies(path)
    assert ph["pharmacie_id"].tolist() == ["PH-A"] and ph.at[0, "taux_mss_pct"] == 6.0
    mol = read_molecules(path, ph)  # the same workbook: the sheet « Molécules » (case and accent-insensitive)
    assert mol["molecule"].tolist() == ["sitagliptine"]
    assert mol.at[0, "taux_arrivee_pct_exact"] == Decimal("60.5")
    assert mol.at[0, "nb_boites"] == 100


def test_xlsx_sheet_named_molecules_exactly(tmp_path):
    ph = read_pharmacies(pharmacies_csv(tmp_path, "pharmacie_id;exercice", "PH-A;2024"))
    path = write_xlsx(tmp_path, {
        "autre": [["rien"]],
        "molecules": [[c.name for c in MOLECULE_COLUMNS], ["PH-A", 2024, "Vildagliptine", 10, 80, 79]],
    }, name="molecules.xlsx")
    assert read_molecules(path, ph)["molecule_norm"].tolist() == ["vildagliptine"]


def test_xlsx_errors_name_spreadsheet_lines_and_skip_empty_rows(tmp_path):
    path = write_xlsx(tmp_path, {"pharmacies": [
        ["pharmacie_id", "exercice", "taux_mss_pct"],
        ["PH-A", 2024, 6],
        [None, None, None],
        ["PH-B", 2024, 120],
    ]})
    assert one_problem(path) == cell_error(4, "PH-B", "taux_mss_pct", "120", RATE)


def test_xlsx_error_cell_and_non_integer_count(tmp_path):
    path = write_xlsx(tmp_path, {"pharmacies": [
        ["pharmacie_id", "exercice", "taux_mss_pct", "nb_fse"],
        ["PH-A", 2024, "#DIV/0!", 12.5],
    ]})
    assert problems_of(path) == [
        cell_error(2, "PH-A", "taux_mss_pct", "#DIV/0!", RATE),
        cell_error(2, "PH-A", "nb_fse", "12,5", COUNT),  # the number typed, as a French Excel shows it
    ]


def test_xlsx_numbers_in_messages_are_shown_as_a_french_excel_shows_them(tmp_path):
    """A rate typed 975,91 in a workbook was shown « 975.91 » in the refusal, a number the user never wrote; a text
    cell keeps what was typed (« 96.2 » written as text is shown so)."""
    path = write_xlsx(tmp_path, {"pharmacies": [
        ["pharmacie_id", "exercice", "taux_mss_pct", "taux_dmp_pct"],
        ["PH-A", 2024, 975.91, "196.2"],
    ]})
    assert problems_of(path) == [
        cell_error(2, "PH-A", "taux_mss_pct", "975,91", RATE),
        cell_error(2, "PH-A", "taux_dmp_pct", "196.2", RATE),
    ]


def test_unreadable_workbook_and_unsupported_format(tmp_path):
    bad = tmp_path / "pharmacies.xlsx"
    bad.write_bytes(b"ceci n'est pas un classeur")
    assert one_problem(bad) == ("classeur XLSX illisible : ce n'est pas un classeur Excel .xlsx valide (fichier abîmé, "
                                "tronqué ou d'un autre format) ; attendu : un classeur enregistré en .xlsx (ouvrez-le "
                                "dans un tableur et enregistrez-le en .xlsx)")
    xls = tmp_path / "pharmacies.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0")
    assert one_problem(xls) == (
        "format « .xls » non pris en charge ; attendu : .csv ou .xlsx (réenregistrez le classeur en .xlsx)"
    )
    assert one_problem(tmp_path / "absent.csv") == "fichier introuvable ; attendu : le chemin d'un fichier .csv ou .xlsx"


# --------------------------------------------------------------------------------------------
# rejections, one by one, with the exact message
# --------------------------------------------------------------------------------------------
def test_unknown_column_suggests_the_right_name(tmp_path):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;taux_mss_pc", "PH-A;2024;6")
    assert one_problem(path) == (
        "ligne 1 (en-tête), colonne « taux_mss_pc » : colonne inconnue — vouliez-vous dire « taux_mss_pct » ? "
        "(liste : rosp colonnes)"
    )


def test_unknown_column_without_close_name(tmp_path):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;chiffre_affaires", "PH-A;2024;1")
    assert one_problem(path) == (
        "ligne 1 (en-tête), colonne « chiffre_affaires » : colonne inconnue ; "
        "attendu : une colonne de la liste (rosp colonnes)"
    )


def test_molecule_column_in_the_pharmacies_table_says_where_it_belongs(tmp_path):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;molecule", "PH-A;2024;sitagliptine")
    assert one_problem(path) == (
        "ligne 1 (en-tête), colonne « molecule » : colonne inconnue dans cette table — "
        "elle appartient à la table des molécules (rosp compute --molecules)"
    )


def test_missing_required_columns(tmp_path):
    path = pharmacies_csv(tmp_path, "nom;taux_mss_pct", "Pharmacie A;6")
    assert sorted(problems_of(path)) == [
        "ligne 1 (en-tête) : colonne obligatoire « exercice » absente ; attendu : une colonne « exercice » (liste : rosp colonnes)",
        "ligne 1 (en-tête) : colonne obligatoire « pharmacie_id » absente ; attendu : une colonne « pharmacie_id » (liste : rosp colonnes)",
    ]


@pytest.mark.parametrize("column,text,expected", [
    ("nb_fse", "abc", COUNT),
    ("nb_fse", "-3", COUNT),              # negative count
    ("nb_kits_remis", "-1", COUNT),
    ("taux_mss_pct", "beaucoup", RATE),
    ("taux_mss_pct", "120", RATE),        # rate outside 0–100
    ("taux_mss_pct", "-1", RATE),
    ("taux_mss_pct", "100,01", RATE),
    ("taux_double_paiement_pct", "-0,05", "pourcentage 0 à 100 (0,05 pour 0,05 %)"),  # a small rate: its example
    ("nb_semaines_asafo", "54", "entier de 0 à 53"),
    ("eco_niveau_vise", "4", "entier de 0 à 3"),
    ("eco_items_valides", "1,5", "entier de 0 à 3"),
    ("drom", "peut-être", BOOL),
    ("debut_activite", "2024/03/01", DATE),
])
def test_wrong_value_names_line_pharmacy_column_value_and_expectation(tmp_path, column, text, expected):
    path = pharmacies_csv(tmp_path, f"pharmacie_id;exercice;{column}", "PH-OK;2024;", f"PH-X;2024;{text}")
    assert one_problem(path) == f"ligne 3, pharmacie « PH-X », colonne {column} : valeur « {text} » ; attendu : {expected}"


@pytest.mark.parametrize("column,text", [
    ("taux_mss_pct", "0"), ("taux_mss_pct", "100"), ("taux_mss_pct", "100,0"), ("taux_double_paiement_pct", "0,05"),
    ("nb_semaines_asafo", "53"), ("nb_semaines_asafo", "0"), ("eco_niveau_vise", "3"), ("nb_fse", "0"),
])
def test_boundaries_are_accepted(tmp_path, column, text):
    read_pharmacies(pharmacies_csv(tmp_path, f"pharmacie_id;exercice;{column}", f"PH-X;2024;{text}"))


def test_the_contract_example_message(tmp_path):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;taux_mss_pct", "PH-A;2024;6", "PH-X;2024;120")
    with pytest.raises(InputError) as info:
        read_pharmacies(path)
    assert str(info.value) == (
        f"{path} : 1 problème — rien n'a été calculé ni écrit.\n"
        "  - ligne 3, pharmacie « PH-X », colonne taux_mss_pct : valeur « 120 » ; "
        "attendu : pourcentage 0 à 100 (95, 95,5 ou 95.5)"
    )


def test_duplicate_pharmacy_and_exercise(tmp_path):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;nom", "PH-A;2024;A", "PH-A;2025;A", "PH-A;2024;A bis")
    expected = ("attendu : une seule ligne par pharmacie_id et exercice (majuscules et minuscules confondues : "
                "l'identifiant devient un nom de dossier)")
    assert problems_of(path) == [
        f"ligne 2, pharmacie « PH-A », colonnes pharmacie_id et exercice : valeurs « PH-A / 2024 » en double avec la ligne 4 ; {expected}",
        f"ligne 4, pharmacie « PH-A », colonnes pharmacie_id et exercice : valeurs « PH-A / 2024 » en double avec la ligne 2 ; {expected}",
    ]


def test_duplicate_ignores_case_since_the_id_becomes_a_folder(tmp_path):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice", "PH-A;2024", "ph-a;2024", "Ph-A;2024")
    problems = problems_of(path)
    assert [p.split(",")[0] for p in problems] == ["ligne 2", "ligne 3", "ligne 4"]
    assert "valeurs « ph-a / 2024 » en double avec les lignes 2, 4" in problems[1]


@pytest.mark.parametrize("year", ["2021", "2027", "1999", "24", "2024.0", "deux mille"])
def test_exercise_without_parameters(tmp_path, year):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice", f"PH-A;{year}")
    assert one_problem(path) == cell_error(2, "PH-A", "exercice", year, EXERCICE)


def test_empty_required_cells(tmp_path):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;nom", ";2024;sans identifiant", "PH-B;;B")
    assert problems_of(path) == [
        "ligne 2, colonne pharmacie_id : valeur vide ; attendu : " + ID,
        "ligne 3, pharmacie « PH-B », colonne exercice : valeur vide ; attendu : " + EXERCICE,
    ]


@pytest.mark.parametrize("pid", ["../x", "a b", "A" * 65, "-abc", "_abc", "PH/1", "PH.1", "PHÉ", "PH:1", "..", "a\\b",
                                 "CON", "nul", "Com1", "lpt9", "aux", "PRN", "LPT0"])
def test_bad_pharmacy_id(tmp_path, pid):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice", f"{pid};2024")
    assert one_problem(path) == cell_error(2, pid, "pharmacie_id", pid, ID)


@pytest.mark.parametrize("pid", ["A" * 64, "0", "1234567890123", "PH_a-1", "750012345", "CONS", "COM10", "NUL-1", "LPT10"])
def test_good_pharmacy_ids(tmp_path, pid):
    assert read_pharmacies(pharmacies_csv(tmp_path, "pharmacie_id;exercice", f"{pid};2024")).at[0, "pharmacie_id"] == pid


def test_kits_realised_greater_than_kits_remis(tmp_path):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;nb_kits_remis;nb_kits_realises",
                          "PH-A;2024;40;40", "PH-B;2024;;5", "PH-C;2024;40;41")
    assert one_problem(path) == cell_error(
        4, "PH-C", "nb_kits_realises", "41",
        "au plus nb_kits_remis (« 40 ») : les kits réalisés font partie des kits remis")


def test_end_of_activity_before_its_start(tmp_path):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;debut_activite;fin_activite",
                          "PH-A;2025;2025-07-01;2025-07-01", "PH-B;2025;2025-07-01;2025-06-30")
    assert one_problem(path) == cell_error(
        3, "PH-B", "fin_activite", "2025-06-30", "une date égale ou postérieure à debut_activite (« 2025-07-01 »)")


def test_dates_outside_the_exercise(tmp_path):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;debut_activite;fin_activite",
                          "PH-A;2025;2024-12-31;", "PH-B;2025;;2026-01-01", "PH-C;2024;2023-06-01;2025-06-01")
    in_2025 = "une date de l'exercice 2025 (du 2025-01-01 au 2025-12-31)"
    in_2024 = "une date de l'exercice 2024 (du 2024-01-01 au 2024-12-31)"
    assert problems_of(path) == [
        cell_error(2, "PH-A", "debut_activite", "2024-12-31", in_2025),
        cell_error(3, "PH-B", "fin_activite", "2026-01-01", in_2025),
        cell_error(4, "PH-C", "debut_activite", "2023-06-01", in_2024),
        cell_error(4, "PH-C", "fin_activite", "2025-06-01", in_2024),
    ]


def test_all_problems_of_a_file_at_once_sorted_by_line_then_column(tmp_path):
    path = pharmacies_csv(
        tmp_path,
        "pharmacie_id;exercice;taux_mss_pc;nb_fse;taux_dmp_pct",
        "PH-A;2024;6;12;50",
        "PH-B;2024;6;-3;50",
        "PH-C;2024;6;12;101",
    )
    assert problems_of(path) == [
        "ligne 1 (en-tête), colonne « taux_mss_pc » : colonne inconnue — vouliez-vous dire « taux_mss_pct » ? (liste : rosp colonnes)",
        cell_error(3, "PH-B", "nb_fse", "-3", COUNT),
        cell_error(4, "PH-C", "taux_dmp_pct", "101", RATE),
    ]


def test_many_problems_on_many_lines_are_all_listed_in_order(tmp_path):
    path = pharmacies_csv(
        tmp_path,
        "pharmacie_id;exercice;drom;nb_fse;taux_mss_pct;debut_activite;nb_kits_remis;nb_kits_realises",
        "PH-X;2024;peut-être;-3;120;2024-13-01;;",
        "../x;2021;oui;1e3;95;;3;5",
        "PH-X;2024;non;;;2023-01-01;;",
    )
    problems = problems_of(path)
    assert problems == [
        "ligne 2, pharmacie « PH-X », colonnes pharmacie_id et exercice : valeurs « PH-X / 2024 » en double avec "
        "la ligne 4 ; attendu : une seule ligne par pharmacie_id et exercice (majuscules et minuscules confondues : "
        "l'identifiant devient un nom de dossier)",
        cell_error(2, "PH-X", "drom", "peut-être", BOOL),
        cell_error(2, "PH-X", "nb_fse", "-3", COUNT),
        cell_error(2, "PH-X", "taux_mss_pct", "120", RATE),
        cell_error(2, "PH-X", "debut_activite", "2024-13-01", DATE + " — cette date n'existe pas"),
        cell_error(3, "../x", "pharmacie_id", "../x", ID),
        cell_error(3, "../x", "exercice", "2021", EXERCICE),
        cell_error(3, "../x", "nb_fse", "1e3", COUNT),
        cell_error(3, "../x", "nb_kits_realises", "5", "au plus nb_kits_remis (« 3 ») : les kits réalisés font partie des kits remis"),
        problems[9],
        cell_error(4, "PH-X", "debut_activite", "2023-01-01", "une date de l'exercice 2024 (du 2024-01-01 au 2024-12-31)"),
    ]
    assert problems[9].startswith("ligne 4, pharmacie « PH-X », colonnes pharmacie_id et exercice : valeurs « PH-X / 2024 » en double avec la ligne 2")


def test_message_lists_each_problem_on_its_own_line(tmp_path):
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;nb_fse", "PH-A;2024;-1", "PH-B;2024;-2")
    with pytest.raises(InputError) as info:
        read_pharmacies(path)
    lines = str(info.value).splitlines()
    assert lines[0] == f"{path} : 2 problèmes — rien n'a été calculé ni écrit."
    assert lines[1:] == [
        "  - " + cell_error(2, "PH-A", "nb_fse", "-1", COUNT),
        "  - " + cell_error(3, "PH-B", "nb_fse", "-2", COUNT),
    ]


# --------------------------------------------------------------------------------------------
# the shape of the table
# --------------------------------------------------------------------------------------------
def test_blank_lines_do_not_shift_line_numbers(tmp_path):
    path = write_csv(tmp_path, "pharmacie_id;exercice;taux_mss_pct\nPH-A;2024;6\n\n;;\nPH-B;2024;150\n")
    assert one_problem(path) == cell_error(5, "PH-B", "taux_mss_pct", "150", RATE)
    path = write_csv(tmp_path, "pharmacie_id;exercice;taux_mss_pct\nPH-A;2024;6\n\n;;\nPH-B;2024;50\n", name="ok.csv")
    assert read_pharmacies(path)["pharmacie_id"].tolist() == ["PH-A", "PH-B"]


def test_lines_count_from_a_header_below_blank_lines(tmp_path):
    path = write_csv(tmp_path, "\n;;\npharmacie_id;exercice;taux_mss_pc\nPH-A;2024;101\n")
    assert problems_of(path) == [
        "ligne 3 (en-tête), colonne « taux_mss_pc » : colonne inconnue — vouliez-vous dire « taux_mss_pct » ? (liste : rosp colonnes)",
    ]


def test_trailing_separators_and_empty_unnamed_columns_are_ignored(tmp_path):
    path = write_csv(tmp_path, "pharmacie_id;exercice;taux_mss_pct;;\nPH-A;2024;6;;\nPH-B;2024;7;\n")
    assert read_pharmacies(path)["taux_mss_pct"].tolist() == [6.0, 7.0]


def test_unnamed_column_with_values_is_refused(tmp_path):
    path = write_csv(tmp_path, "pharmacie_id;exercice;;taux_mss_pct\nPH-A;2024;;6\nPH-B;2024;oui;7\n")
    assert one_problem(path) == (
        "ligne 1 (en-tête), colonne C : colonne sans nom qui contient des valeurs (ligne 3 : « oui ») ; "
        "attendu : un nom de colonne (liste : rosp colonnes)"
    )


def test_duplicated_column_is_refused(tmp_path):
    path = write_csv(tmp_path, "pharmacie_id;exercice;taux_mss_pct;TAUX_MSS_PCT\nPH-A;2024;6;7\n")
    assert one_problem(path) == (
        "ligne 1 (en-tête), colonne D : colonne « TAUX_MSS_PCT » en double (déjà en colonne C) ; "
        "attendu : une seule colonne de ce nom"
    )


def test_an_unknown_column_is_quoted_as_the_file_writes_it(tmp_path):
    """« Taux MSS (%) » was quoted « taux mss (%) » (review): the header compared in lower case, said as written."""
    path = write_csv(tmp_path, "pharmacie_id;exercice;Taux MSS (%)\nPH-A;2024;6\n")
    assert one_problem(path).startswith("ligne 1 (en-tête), colonne « Taux MSS (%) » : colonne inconnue")


def test_decimal_comma_in_a_comma_separated_file_is_explained(tmp_path):
    path = write_csv(tmp_path, "pharmacie_id,exercice,taux_mss_pct\nPH-A,2024,95\nPH-B,2024,95,5\n")
    assert one_problem(path) == (
        "ligne 3, pharmacie « PH-B » : 4 valeurs pour 3 colonnes d'en-tête (« 5 » en trop) ; attendu : une valeur "
        "par colonne — une virgule décimale dans un fichier séparé par des virgules ? Utilisez « ; » comme séparateur "
        "ou mettez la valeur entre guillemets"
    )


def test_short_rows_are_padded_with_unknown(tmp_path):
    ph = read_pharmacies(write_csv(tmp_path, "pharmacie_id;exercice;taux_mss_pct;drom\nPH-A;2024\n"))
    assert np.isnan(ph.at[0, "taux_mss_pct"]) and bool(ph.at[0, "drom"]) is False


def test_empty_file_and_header_only(tmp_path):
    assert one_problem(write_csv(tmp_path, "")) == "fichier vide ; attendu : une ligne d'en-tête avec les noms de colonnes"
    assert one_problem(write_csv(tmp_path, "pharmacie_id;exercice\n", name="entete.csv")) == (
        "aucune pharmacie dans le fichier ; attendu : une ligne par pharmacie et exercice sous l'en-tête"
    )


# --------------------------------------------------------------------------------------------
# the molecules table
# --------------------------------------------------------------------------------------------
MOL_HEADER = "pharmacie_id;exercice;molecule;nb_boites;taux_depart_pct;taux_arrivee_pct"


@pytest.fixture
def two_pharmacies(tmp_path):
    return read_pharmacies(pharmacies_csv(tmp_path, "pharmacie_id;exercice", "PH-A;2024", "PH-A;2025", "PH-B;2024"))


def molecules_csv(tmp_path: Path, *rows: str, header: str = MOL_HEADER) -> Path:
    return write_csv(tmp_path, "\n".join([header, *rows]) + "\n", name="molecules.csv")


def test_molecules_are_read_with_exact_rates(tmp_path, two_pharmacies):
    path = molecules_csv(tmp_path, "PH-A;2024;Palipéridone;120;60;75,5", "PH-B;2024;sitagliptine;486;85,0;93.0",
                         "PH-A;2025;dabigatran;;;")
    mol = read_molecules(path, two_pharmacies)
    assert mol["molecule_norm"].tolist() == ["paliperidone", "sitagliptine", "dabigatran"]
    assert mol["taux_arrivee_pct"].tolist()[:2] == [75.5, 93.0]
    assert mol["taux_arrivee_pct_exact"].tolist() == [Decimal("75.5"), Decimal("93.0"), None]
    assert mol["taux_depart_pct_exact"].tolist() == [Decimal("60"), Decimal("85.0"), None]
    assert mol.at[0, "nb_boites"] == 120 and np.isnan(mol.at[2, "nb_boites"])
    assert mol["exercice"].tolist() == [2024, 2024, 2025]


def test_molecule_keys_keep_their_parts_apart(tmp_path):
    """The parts of the duplicate key were joined with "\\x00", which numpy drops: (« PH-A202 », 2022, « x ») and
    (« PH-A », 2022, « 022x ») both made « PH-A2022022x » and were refused as duplicates of each other."""
    pharmacies = read_pharmacies(pharmacies_csv(tmp_path, "pharmacie_id;exercice", "PH-A202;2022", "PH-A;2022"))
    path = molecules_csv(tmp_path, "PH-A202;2022;x;10;50;60", "PH-A;2022;022x;10;50;60")
    assert read_molecules(path, pharmacies)["molecule"].tolist() == ["x", "022x"]


def test_molecules_pharmacy_or_exercise_not_in_pharmacies(tmp_path, two_pharmacies):
    path = molecules_csv(tmp_path, "PH-B;2025;sitagliptine;10;50;60", "FINESS-750000001;2024;sitagliptine;10;50;60",
                         "ph-a;2024;sitagliptine;10;50;60", "PH-AA;2024;sitagliptine;10;50;60")
    assert problems_of(path, read_molecules, two_pharmacies) == [
        cell_error(2, "PH-B", "pharmacie_id", "PH-B",
                   "une pharmacie de la table des pharmacies pour l'exercice 2025 (« PH-B » n'y figure que pour 2024)"),
        cell_error(3, "FINESS-750000001", "pharmacie_id", "FINESS-750000001", "une pharmacie de la table des pharmacies pour l'exercice 2024"),
        cell_error(4, "ph-a", "pharmacie_id", "ph-a", "une pharmacie de la table des pharmacies pour l'exercice 2024 — "
                   "vouliez-vous dire « PH-A » ? (majuscules et minuscules comptent)"),
        cell_error(5, "PH-AA", "pharmacie_id", "PH-AA", "une pharmacie de la table des pharmacies pour l'exercice 2024 — "
                   "vouliez-vous dire « PH-A » ?"),
    ]


def test_molecules_exercise_without_parameters_is_reported_once(tmp_path, two_pharmacies):
    path = molecules_csv(tmp_path, "PH-A;2021;sitagliptine;10;50;60")
    assert one_problem(path, read_molecules, two_pharmacies) == cell_error(2, "PH-A", "exercice", "2021", EXERCICE)


def test_molecules_duplicate_is_case_and_accent_insensitive(tmp_path, two_pharmacies):
    path = molecules_csv(tmp_path, "PH-A;2024;Palipéridone;10;50;60", "PH-A;2025;paliperidone;10;50;60",
                         "PH-A;2024;PALIPERIDONE ;10;50;60", "PH-A;2024;sitagliptine/metformine;10;50;60",
                         "PH-A;2024;Metformine + Sitagliptine;10;50;60")  # one association, in either order
    expected = ("attendu : une seule ligne par pharmacie, exercice et molécule (casse, accents, espaces, signe « / », "
                "« + » ou « - » d'une association et ordre de ses molécules indifférents)")
    assert problems_of(path, read_molecules, two_pharmacies) == [
        "ligne 2, pharmacie « PH-A », colonnes pharmacie_id, exercice et molecule : valeurs « PH-A / 2024 / Palipéridone » "
        f"en double avec la ligne 4 ; {expected}",
        "ligne 4, pharmacie « PH-A », colonnes pharmacie_id, exercice et molecule : valeurs « PH-A / 2024 / PALIPERIDONE » "
        f"en double avec la ligne 2 ; {expected}",
        "ligne 5, pharmacie « PH-A », colonnes pharmacie_id, exercice et molecule : valeurs « PH-A / 2024 / "
        f"sitagliptine/metformine » en double avec la ligne 6 ; {expected}",
        "ligne 6, pharmacie « PH-A », colonnes pharmacie_id, exercice et molecule : valeurs « PH-A / 2024 / Metformine + "
        f"Sitagliptine » en double avec la ligne 5 ; {expected}",
    ]


def test_molecules_bad_rates_and_counts(tmp_path, two_pharmacies):
    path = molecules_csv(tmp_path, "PH-A;2024;sitagliptine;10;50;120", "PH-A;2025;sitagliptine;-10;-1;beaucoup",
                         "PH-B;2024;;10;50;60")
    assert problems_of(path, read_molecules, two_pharmacies) == [
        cell_error(2, "PH-A", "taux_arrivee_pct", "120", RATE),
        cell_error(3, "PH-A", "nb_boites", "-10", COUNT),
        cell_error(3, "PH-A", "taux_depart_pct", "-1", RATE),
        cell_error(3, "PH-A", "taux_arrivee_pct", "beaucoup", RATE),
        cell_error(4, "PH-B", "molecule", "", "texte non vide"),
    ]


def test_molecules_missing_and_unknown_columns(tmp_path, two_pharmacies):
    path = molecules_csv(tmp_path, "PH-A;2024;sitagliptine;10;50",
                         header="pharmacie_id;exercice;molecule;nb_boite;taux_depart_pct")
    assert problems_of(path, read_molecules, two_pharmacies) == [
        "ligne 1 (en-tête), colonne « nb_boite » : colonne inconnue — vouliez-vous dire « nb_boites » ? (liste : rosp colonnes)",
        "ligne 1 (en-tête) : colonne obligatoire « nb_boites » absente ; attendu : une colonne « nb_boites » (liste : rosp colonnes)",
        "ligne 1 (en-tête) : colonne obligatoire « taux_arrivee_pct » absente ; attendu : une colonne « taux_arrivee_pct » (liste : rosp colonnes)",
    ]


def test_molecules_header_only_is_an_empty_table(tmp_path, two_pharmacies):
    mol = read_molecules(molecules_csv(tmp_path), two_pharmacies)
    assert len(mol) == 0 and "molecule_norm" in mol


# --------------------------------------------------------------------------------------------
# each column is parsed for its own kind
# --------------------------------------------------------------------------------------------
def test_columns_with_the_same_cells_are_parsed_each_for_its_own_kind(tmp_path):
    """The parse of a column is shared by its checks and its conversion, never with another column."""
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;nb_fse;taux_mss_pct;drom;nb_semaines_asafo",
                          "PH-A;2024;1;1;1;1", "PH-B;2024;60;60;0;60")
    assert one_problem(path) == cell_error(3, "PH-B", "nb_semaines_asafo", "60", "entier de 0 à 53")
    path = pharmacies_csv(tmp_path, "pharmacie_id;exercice;nb_fse;taux_mss_pct;drom;nb_semaines_asafo",
                          "PH-A;2024;1;1;1;1", "PH-B;2024;60;60;0;50", name="ok.csv")
    ph = read_pharmacies(path)
    assert ph["nb_fse"].tolist() == [1.0, 60.0] and ph["taux_mss_pct"].tolist() == [1.0, 60.0]
    assert ph["drom"].tolist() == [True, False] and ph["nb_semaines_asafo"].tolist() == [1.0, 50.0]


def test_xlsx_day_zero_in_a_date_cell_is_shown_as_excel_shows_it(tmp_path):
    """Excel's day zero (the number 0 in a date cell, shown « 00/01/1900 ») was shown « 00:00:00 » in the refusal, the
    time openpyxl reads it as; a time cell without a date format keeps its time."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "pharmacies"
    ws.append(["pharmacie_id", "exercice", "debut_activite", "fin_activite"])
    ws.append(["PH-A", 2024, 0, dt.time(12, 0)])
    ws["C2"].number_format = "dd/mm/yyyy"
    ws["D2"].number_format = "hh:mm:ss"
    wb.save(tmp_path / "p.xlsx")
    problems = problems_of(tmp_path / "p.xlsx")
    assert problems[0].startswith("ligne 2, pharmacie « PH-A », colonne debut_activite : valeur « 00/01/1900 » ;")
    assert problems[1].startswith("ligne 2, pharmacie « PH-A », colonne fin_activite : valeur « 12:00:00 » ;")


def test_a_titulaire_starting_during_2024_without_installation_apres_2023_is_warned(tmp_path):
    """The 2024 kits progression measures a titulaire installed or taken over after 1 January 2023 on a fixed reference
    of 50 kits (rules.md §6, avenant n° 1): a buyer from 1 July 2024 with 0 kit « the year before » and the column empty
    was paid 125,68 € (250 € × 184/366) as for a reference of 0, without a word (audit). Said, the amount unchanged."""
    path = write_csv(tmp_path, "pharmacie_id;exercice;debut_activite;nb_kits_remis;nb_kits_remis_n_1;"
                               "installation_apres_2023\n"
                               "REPRISE;2024;01/07/2024;30;0;\n"      # warned
                               "DITE;2024;01/07/2024;30;0;oui\n"      # the column says it
                               "ANNEE;2024;01/01/2024;30;20;\n"       # a whole year
                               "APRES;2025;01/03/2025;3;0;\n")        # 2025: no progression of kits
    said = [w for w in read_pharmacies(path).attrs["avertissements"] if "installation_apres_2023" in w]
    assert len(said) == 1
    assert ("colonne installation_apres_2023 : activité commencée en cours d'exercice, mais la colonne ne dit pas « oui » "
            "(ligne 2 : REPRISE, activité commencée le 01/07/2024, référence 50 kits si elle est récente)") in said[0]
    assert "DITE" not in said[0] and "ANNEE" not in said[0] and "APRES" not in said[0]
    assert said[0].endswith("écrivez « oui » si c'est le cas (le montant est calculé sur la valeur telle qu'écrite)")
