"""No silent misreading: each case where a file used to be read otherwise than its author meant is
now read as meant or refused with the sheet, line and cell named (files built in the test, XLSX
with openpyxl); refusals stay bounded whatever the size of the file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner

from helpers_rules import workbook as new_workbook
from rosp_lib.cli import main
from rosp_lib.inputs import InputError, read_inputs, read_pharmacies, warnings_of

COUNT = "entier ≥ 0"


def csv_file(tmp_path: Path, text: str, name: str = "pharmacies.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path, reader=read_pharmacies, *args) -> list[str]:
    with pytest.raises(InputError) as info:
        reader(path, *args)
    return info.value.problems


def workbook(tmp_path: Path, sheets: dict[str, list[list]], name: str = "pharmacies.xlsx") -> tuple[openpyxl.Workbook, Path]:
    return new_workbook(sheets), tmp_path / name


# --------------------------------------------------------------------------------------------
# counts: thousands
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,fix", [
    ("40.000", "(40 ou 40 000 ?) : écrivez 40000 ou 40 000"),
    ("1,000", "(1 ou 1 000 ?) : écrivez 1000 ou 1 000"),
    ("2.500", "(2,5 ou 2 500 ?) : écrivez 2500 ou 2 500"),
    ("1.000.000", ": écrivez 1000000 ou 1 000 000"),  # two dots: only the thousands reading
])
def test_count_with_a_dot_or_comma_before_three_digits_is_ambiguous(tmp_path, text, fix):
    """30.000 invoices read as 30 cancelled the billing malus; 1,000 dispensations paid 1 €."""
    path = csv_file(tmp_path, f"pharmacie_id;exercice;nb_factures_periode_malus\nPH-A;2024;{text}\n")
    assert problems_of(path) == [
        f"ligne 2, pharmacie « PH-A », colonne nb_factures_periode_malus : valeur « {text} » ; attendu : "
        f"{COUNT} — séparateur de milliers ambigu {fix}"
    ]


@pytest.mark.parametrize("text", ["40 000", "40\u00a0000", "40\u202f000", "40000", "40000,0", "40.00"])
def test_count_grouped_by_spaces_or_plain_is_read(tmp_path, text):
    path = csv_file(tmp_path, f"pharmacie_id;exercice;nb_fse\nPH-A;2024;{text}\n")
    expected = 40.0 if text == "40.00" else 40000.0
    assert read_pharmacies(path).at[0, "nb_fse"] == expected


def test_count_in_a_rate_column_keeps_three_decimals(tmp_path):
    """In a rate, « 95,000 » can only be 95: there is no thousand per cent."""
    path = csv_file(tmp_path, "pharmacie_id;exercice;taux_mss_pct\nPH-A;2024;95,000\n")
    assert read_pharmacies(path).at[0, "taux_mss_pct"] == 95.0


# --------------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------------
def test_xlsx_merged_cells_are_refused_with_sheet_and_cells(tmp_path):
    """An « oui » merged over two rows read « non » on the second."""
    wb, path = workbook(tmp_path, {"pharmacies": [
        ["pharmacie_id", "exercice", "logiciel_segur"], ["PH-A", 2024, "oui"], ["PH-B", 2024, None]]})
    wb["pharmacies"].merge_cells("C2:C3")
    wb.save(path)
    assert problems_of(path) == [
        "feuille « pharmacies », cellules C2:C3 : cellules fusionnées (seule la première porte la valeur) ; "
        "attendu : une valeur dans chaque cellule (défusionnez et recopiez la valeur sur chaque ligne)"
    ]


def test_xlsx_formula_without_saved_value_is_refused(tmp_path):
    """A formula written by a program has no saved result: it read as empty."""
    wb, path = workbook(tmp_path, {"pharmacies": [
        ["pharmacie_id", "exercice", "nb_fse", "nb_rva_960"], ["PH-A", 2024, 40000, "=C2/4"]]})
    wb.save(path)
    assert problems_of(path) == [
        "feuille « pharmacies », cellule D2 : formule « =C2/4 » sans valeur enregistrée (elle se lirait vide) ; "
        "attendu : une valeur (ouvrez le classeur dans un tableur et enregistrez-le, ou collez les valeurs)"
    ]


def test_xlsx_a_cell_far_from_the_table_is_read_from_the_stored_cells_not_the_whole_grid(tmp_path):
    """One value typed in XFD1048576 (the sheet's last cell) made the reading walk 1 048 576 rows × 16 384 columns: a
    5 kB workbook ran out of memory in a traceback (review). Only the stored cells are read: the value is refused as
    a value in excess on its own row, and a formatted empty cell far below the table changes nothing."""
    wb, path = workbook(tmp_path, {"pharmacies": [["pharmacie_id", "exercice", "nb_fse"], ["PH-A", 2024, 40000]]})
    wb["pharmacies"]["XFD1048576"] = "x"
    wb.save(path)
    assert problems_of(path) == [
        "ligne 1048576 : 16384 valeurs pour 3 colonnes d'en-tête (« x » en trop) ; attendu : une valeur par colonne — "
        "des valeurs sans nom de colonne : ajoutez leur nom dans l'en-tête ou supprimez-les"]
    wb, path = workbook(tmp_path, {"pharmacies": [["pharmacie_id", "exercice", "nb_fse"], ["PH-A", 2024, 40000]]})
    wb["pharmacies"]["C200000"].font = openpyxl.styles.Font(bold=True)
    wb["pharmacies"]["A1048576"].number_format = "0.00%"
    wb.save(path)
    table = read_pharmacies(path)
    assert table["pharmacie_id"].tolist() == ["PH-A"] and table["nb_fse"].tolist() == [40000]
    # the same far value in a sheet not named « pharmacies », beside an empty one: found as data without the grid
    wb, path = workbook(tmp_path, {"Feuil1": [["pharmacie_id", "exercice", "nb_fse"], ["PH-A", 2024, 40000]],
                                   "Feuil2": [[]]})
    wb["Feuil2"]["XFD1048576"] = "x"
    wb.save(path)
    assert problems_of(path)[0].startswith("le classeur a 2 feuilles qui contiennent des données (« Feuil1 », « Feuil2 »)")


def test_xlsx_rows_keep_their_sheet_numbers_across_empty_rows_and_a_late_formula(tmp_path):
    """Rows without a value are left out, the others keep their number in the sheet (messages name them); a formula
    without a saved value alone on its row is still refused."""
    wb, path = workbook(tmp_path, {"pharmacies": [["pharmacie_id", "exercice", "nb_fse"], ["PH-A", 2024, 40000]]})
    ws = wb["pharmacies"]
    ws["A9"], ws["B9"], ws["C9"] = "PH-B", 2024, "quarante"
    ws["D12"] = "=C2/4"
    wb.save(path)
    problems = problems_of(path)
    assert any(p.startswith("feuille « pharmacies », cellule D12 : formule « =C2/4 » sans valeur enregistrée")
               for p in problems), problems
    wb, path = workbook(tmp_path, {"pharmacies": [["pharmacie_id", "exercice", "nb_fse"], ["PH-A", 2024, 40000]]})
    ws = wb["pharmacies"]
    ws["A9"], ws["B9"], ws["C9"] = "PH-B", 2024, "quarante"
    wb.save(path)
    assert [p for p in problems_of(path) if "quarante" in p][0].startswith("ligne 9, pharmacie « PH-B », colonne nb_fse")


@pytest.mark.parametrize("fmt,expected", [
    ('0.00" %"', 0.02),    # the % sign is text: Excel shows 0,02 %
    ("0.00\\%", 0.02),     # an escaped % sign: text too
    ("0.00%", 2.0),        # a percentage: Excel shows 2,00 %
    ("[Red]0.0%", 2.0),
    ('"taux "0.0', 0.02),
    # the section that shows the value counts (review): 0,02 is below 1, shown by the second section, « 2% »
    ('[>=1]0"%";0%', 2.0),
    ('[>=1]0%;0.00', 0.02),   # … and there without a sign
    ("0.00;0.00%;0", 0.02),   # a positive number: the first section, no sign
])
def test_xlsx_percentage_only_where_excel_shows_one(tmp_path, fmt, expected):
    """A custom format `0.00" %"` was multiplied by 100 (0,02 % read as 2 %)."""
    wb, path = workbook(tmp_path, {"pharmacies": [["pharmacie_id", "exercice", "taux_double_paiement_pct"],
                                                  ["PH-A", 2024, 0.02]]})
    wb["pharmacies"]["C2"].number_format = fmt
    wb.save(path)
    assert read_pharmacies(path).at[0, "taux_double_paiement_pct"] == pytest.approx(expected)


def test_xlsx_several_data_sheets_without_one_named_pharmacies_are_refused(tmp_path):
    """Only the first of several sheets was read: 8 of 11 rows silently ignored."""
    header = ["pharmacie_id", "exercice"]
    wb, path = workbook(tmp_path, {"Janvier": [header, ["PH-A", 2024]], "Février": [header, ["PH-B", 2024]],
                                   "Vide": []})
    wb.save(path)
    assert problems_of(path) == [
        "le classeur a 2 feuilles qui contiennent des données (« Janvier », « Février ») et aucune ne s'appelle "
        "« pharmacies » ; attendu : la feuille à lire nommée « pharmacies », ou une seule feuille de données"
    ]


def test_xlsx_hidden_first_sheet_is_refused(tmp_path):
    """A hidden sheet of old data was read instead of the visible one."""
    header = ["pharmacie_id", "exercice"]
    wb, path = workbook(tmp_path, {"ancien": [header, ["PH-OLD", 2022]], "Feuil2": [header, ["PH-A", 2024]]})
    wb["ancien"].sheet_state = "hidden"
    wb.save(path)
    assert problems_of(path) == [
        "le classeur a 2 feuilles qui contiennent des données (« ancien » (masquée), « Feuil2 ») et aucune ne "
        "s'appelle « pharmacies » ; attendu : la feuille à lire nommée « pharmacies », ou une seule feuille de données"
    ]
    wb, path = workbook(tmp_path, {"ancien": [header, ["PH-OLD", 2022]], "Feuil2": []}, name="seule.xlsx")
    wb["ancien"].sheet_state = "hidden"
    wb.save(path)
    assert problems_of(path) == [
        "feuille « ancien » : feuille masquée ; attendu : une feuille visible "
        "(affichez-la si ce sont bien les données à lire, sinon supprimez-la)"
    ]


def test_xlsx_sheet_named_pharmacies_is_read_beside_other_data(tmp_path):
    header = ["pharmacie_id", "exercice"]
    wb, path = workbook(tmp_path, {"ancien": [header, ["PH-OLD", 2022]], "Pharmacies": [header, ["PH-A", 2024]]})
    wb.save(path)
    assert read_pharmacies(path)["pharmacie_id"].tolist() == ["PH-A"]


# --------------------------------------------------------------------------------------------
# rates: fractions, exactness
# --------------------------------------------------------------------------------------------
def test_rates_all_at_most_one_are_warned_about(tmp_path):
    """Rates given as fractions (0,92 for 92 %) were accepted without a word."""
    path = csv_file(tmp_path, "pharmacie_id;exercice;taux_mss_pct;taux_double_paiement_pct\n"
                              "PH-A;2024;0,92;0,05\nPH-B;2024;1;0\n")
    ph = read_pharmacies(path)
    assert ph.at[0, "taux_mss_pct"] == 0.92  # read as written, but said
    assert warnings_of(ph) == [
        f"{path} : colonne taux_mss_pct : toutes les valeurs sont inférieures ou égales à 1 (ligne 2 : « 0,92 ») — "
        "des fractions au lieu de pourcentages ? Un taux s'écrit de 0 à 100 (92 pour 92 %) ; les montants sont "
        "calculés sur les valeurs telles qu'écrites"
    ]
    result = CliRunner().invoke(main, ["compute", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Avertissement : " + warnings_of(ph)[0] in result.stderr


def test_small_rates_written_with_their_percent_sign_are_not_warned_about(tmp_path):
    """« 0,5 % » says it is a percentage: the fractions warning was printed all the same (review). A column with one
    value without its sign is still said."""
    path = csv_file(tmp_path, "pharmacie_id;exercice;taux_mss_pct\nPH-A;2024;0,5 %\nPH-B;2024;1%\n")
    ph = read_pharmacies(path)
    assert ph["taux_mss_pct"].tolist() == [0.5, 1.0] and warnings_of(ph) == []
    path = csv_file(tmp_path, "pharmacie_id;exercice;taux_mss_pct\nPH-A;2024;0,5 %\nPH-B;2024;0,9\n", name="b.csv")
    assert [w for w in warnings_of(read_pharmacies(path)) if "fractions" in w]


def test_rates_above_one_are_not_warned_about(tmp_path):
    path = csv_file(tmp_path, "pharmacie_id;exercice;taux_mss_pct\nPH-A;2024;0,5\nPH-B;2024;92\n")
    assert warnings_of(read_pharmacies(path)) == []


def test_xlsx_percentage_format_with_two_signs_multiplies_twice(tmp_path):
    """Excel multiplies by 100 once per `%` of the format: `0.0%%` shows 0,0002 as « 2,0%% »; it was read 0,02."""
    wb, path = workbook(tmp_path, {"pharmacies": [["pharmacie_id", "exercice", "taux_double_paiement_pct"],
                                                  ["PH-A", 2024, 0.0002]]})
    wb["pharmacies"]["C2"].number_format = "0.0%%"
    wb.save(path)
    ph = read_pharmacies(path)
    assert ph.at[0, "taux_double_paiement_pct_exact"] == Decimal(2)


def test_negative_zero_is_read_as_zero(tmp_path):
    """« -0 » was kept negative: lignes.csv showed `-0.0` and « taux_dmp_pct=-0 »."""
    path = csv_file(tmp_path, "pharmacie_id;exercice;taux_dmp_pct;nb_fse\nPH-A;2024;-0;-0,0\n")
    result = CliRunner().invoke(main, ["compute", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "out" / "lignes.csv").read_text(encoding="utf-8")
    dmp = next(line for line in lines.splitlines() if ",dmp," in line)
    assert ",0," in dmp and "taux_dmp_pct=0," in dmp
    assert "-0" not in lines


def test_pharmacy_rates_are_exact_decimals(tmp_path):
    """« 84,99999999999999999 » became 85 as a float (the BUPS socle met: +500 €)."""
    path = csv_file(tmp_path, "pharmacie_id;exercice;taux_generiques_repertoire_pct;taux_mss_pct\n"
                              "PH-A;2024;84,99999999999999999;\n")
    ph = read_pharmacies(path)
    assert ph.at[0, "taux_generiques_repertoire_pct_exact"] == Decimal("84.99999999999999999")
    assert ph.at[0, "taux_generiques_repertoire_pct_exact"] < Decimal(85)
    assert ph.at[0, "taux_mss_pct_exact"] is None


def test_rate_just_above_100_is_refused_exactly(tmp_path):
    path = csv_file(tmp_path, "pharmacie_id;exercice;taux_mss_pct\nPH-A;2024;100,000000000000000001\n")
    assert len(problems_of(path)) == 1


# --------------------------------------------------------------------------------------------
# molecules not in the exercise's list
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,closest", [("sitagliptin", "sitagliptine"),
                                          ("sitagliptine / metformin", "sitagliptine/metformine")])
def test_misspelt_molecule_is_said_with_the_closest_listed_name(tmp_path, name, closest):
    """A misspelt molecule paid 0 € with nothing on the console."""
    ph = csv_file(tmp_path, "pharmacie_id;exercice\nPH-A;2024\n")
    mol = csv_file(tmp_path, "pharmacie_id;exercice;molecule;nb_boites;taux_depart_pct;taux_arrivee_pct\n"
                             f"PH-A;2024;{name};100;50;60\n", name="molecules.csv")
    pharmacies, molecules = read_inputs(ph, mol)
    warnings = warnings_of(pharmacies)
    assert warnings == [f"{mol} : ligne 2, pharmacie « PH-A », molécule « {name} » : absente de la liste des "
                        "molécules ciblées de l'exercice 2024 (elle ne rapporte rien) — vouliez-vous dire "
                        f"« {closest} » ?"]
    result = CliRunner().invoke(main, ["compute", str(ph), "--molecules", str(mol), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "vouliez-vous dire" in result.stderr and name in result.stderr


@pytest.mark.parametrize("name", ["sitagliptine / metformine", "SITAGLIPTINE-METFORMINE", "sitagliptine+metformine",
                                  "Sitagliptine  /Metformine ", "Sitagliptine – Metformine", "sitagliptine—metformine",
                                  # the same association in the other order (review: « metformine/sitagliptine » paid 0 €)
                                  "metformine/sitagliptine", "Metformine + Sitagliptine"])
def test_an_association_is_read_whatever_the_sign_and_spaces_between_its_molecules(tmp_path, name):
    """« sitagliptine / metformine », « SITAGLIPTINE-METFORMINE »: the association of the list, written as pharmacists
    write it, paid 0 € with a warning (review). Read as the listed « sitagliptine/metformine »: paid as it is, 2024,
    100 boxes at 60 %: 60 substituted boxes × 0,22565 € = 13,54 € (half cent up)."""
    from rosp_lib.engine import compute_file
    from rosp_lib.parameters import load_parameters

    assert "sitagliptine/metformine" in load_parameters(2024).bups.molecules_ciblees.molecules.valeur
    rows = (Path(__file__).resolve().parents[1] / "data" / "pharmacies.csv").read_text(encoding="utf-8").splitlines()
    ph = csv_file(tmp_path, "\n".join([rows[0], *(r for r in rows if r.startswith("PH-TILLEULS;") and ";2024;" in r)])
                  + "\n")  # PH-TILLEULS 2024: the BUPS socles met
    mol = csv_file(tmp_path, "pharmacie_id;exercice;molecule;nb_boites;taux_depart_pct;taux_arrivee_pct\n"
                             f"PH-TILLEULS;2024;{name};100;50;60\n", name="molecules.csv")
    pharmacies, _ = read_inputs(ph, mol)
    assert warnings_of(pharmacies) == []
    _, lines, _ = compute_file(ph, mol)
    line = lines[lines["indicateur"] == "molecules_ciblees"]
    assert line["montant_cents"].tolist() == [1354]


def test_a_molecule_a_scenario_adds_to_the_list_is_not_said_absent(tmp_path):
    # the warning read the reference list while the scenario's list paid the molecule
    ph = csv_file(tmp_path, "pharmacie_id;exercice\nPH-A;2024\n")
    mol = csv_file(tmp_path, "pharmacie_id;exercice;molecule;nb_boites;taux_depart_pct;taux_arrivee_pct\n"
                             "PH-A;2024;metformine;100;50;60\nPH-A;2024;zzzz;100;50;60\n", name="molecules.csv")
    scenario = csv_file(tmp_path, "2024:\n  bups:\n    molecules_ciblees:\n      molecules: [sitagliptine, metformine]\n",
                        name="ajout.yaml")
    assert [w.split(" : ", 1)[1] for w in warnings_of(read_inputs(ph, mol)[0])][:1] == [
        "ligne 2, pharmacie « PH-A », molécule « metformine » : absente de la liste des molécules ciblées de "
        "l'exercice 2024 (elle ne rapporte rien) — vouliez-vous dire « sitagliptine/metformine » ?"]
    assert [w.split(" : ", 1)[1] for w in warnings_of(read_inputs(ph, mol, scenario)[0])] == [
        "ligne 3, pharmacie « PH-A », molécule « zzzz » : absente de la liste des molécules ciblées de "
        "l'exercice 2024 (elle ne rapporte rien) — la liste de l'exercice 2024 : sitagliptine, metformine"]
    result = CliRunner().invoke(main, ["compute", str(ph), "--molecules", str(mol), "--parametres", str(scenario),
                                       "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "« zzzz »" in result.stderr and "« metformine »" not in result.stderr


def test_gains_and_rapprocher_say_the_warnings_too(tmp_path):
    ph = csv_file(tmp_path, "pharmacie_id;exercice;taux_dmp_pct\nPH-TILLEULS;2024;0,92\n")  # a fraction, not 92 %
    paid = csv_file(tmp_path, "pharmacie_id;exercice;theme;montant_verse_eur\nPH-TILLEULS;2024;bups;975,91\n",
                    name="versements.csv")
    gains = CliRunner().invoke(main, ["gains", str(ph), "-o", str(tmp_path / "g")])
    assert gains.exit_code == 0, gains.output
    rapprocher = CliRunner().invoke(main, ["rapprocher", str(ph), "--versements", str(paid), "-o", str(tmp_path / "r")])
    assert rapprocher.exit_code == 0, rapprocher.output
    for result in (gains, rapprocher):
        assert "Avertissement : " in result.stderr and "taux_dmp_pct" in result.stderr
    assert ("Avertissement : aucune table des molécules ciblées n'est donnée : leur prime (BUPS) de l'exercice 2024 "
            "compte 0 € ; donnez-la (--molecules) si l'officine en a délivré (sans elle, un versement BUPS qui la "
            "comprend paraît trop élevé)") in rapprocher.stderr
    # 2022 pays no premium for the molecules: a BUPS payment of 2022 needs no table, nothing to say
    ph22 = csv_file(tmp_path, "pharmacie_id;exercice\nPH-A;2022\n", name="p22.csv")
    paid22 = csv_file(tmp_path, "pharmacie_id;exercice;theme;montant_verse_eur\nPH-A;2022;bups;0\n", name="v22.csv")
    r22 = CliRunner().invoke(main, ["rapprocher", str(ph22), "--versements", str(paid22), "-o", str(tmp_path / "r22")])
    assert r22.exit_code == 0, r22.output
    assert "molécules" not in r22.stderr
    mol = csv_file(tmp_path, "pharmacie_id;exercice;molecule;nb_boites;taux_depart_pct;taux_arrivee_pct\n"
                             "PH-TILLEULS;2024;sitagliptine;486;85;93\n", name="molecules.csv")
    with_molecules = CliRunner().invoke(main, ["rapprocher", str(ph), "--versements", str(paid), "--molecules",
                                               str(mol), "-o", str(tmp_path / "r2")])
    assert with_molecules.exit_code == 0, with_molecules.output
    assert "molécules ciblées" not in with_molecules.stderr


# --------------------------------------------------------------------------------------------
# bounded refusals
# --------------------------------------------------------------------------------------------
def test_many_bad_cells_give_twenty_messages_then_a_count(tmp_path):
    rows = "".join(f"PH-{i};2024;-{i + 1}\n" for i in range(50))
    path = csv_file(tmp_path, "pharmacie_id;exercice;nb_fse\n" + rows)
    with pytest.raises(InputError) as info:
        read_pharmacies(path)
    problems = info.value.problems
    assert len(problems) == 21
    assert problems[19].startswith("ligne 21, pharmacie « PH-19 », colonne nb_fse : valeur « -20 »")
    assert problems[20] == "… et 30 autres valeurs refusées dans la colonne nb_fse"
    assert str(info.value).splitlines()[0] == f"{path} : 50 problèmes — rien n'a été calculé ni écrit."


def test_two_hundred_thousand_lines_with_one_id_are_refused_in_bounded_messages(tmp_path):
    """A 10 000-line file with one id printed 153 MB; 200 000 lines were killed at 24 GB."""
    n = 200_000
    path = csv_file(tmp_path, "pharmacie_id;exercice;nb_fse\n" + "PH-A;2024;12\n" * n)
    with pytest.raises(InputError) as info:
        read_pharmacies(path)
    problems = info.value.problems
    assert len(problems) == 21
    assert problems[0] == (
        "ligne 2, pharmacie « PH-A », colonnes pharmacie_id et exercice : valeurs « PH-A / 2024 » en double avec "
        "les lignes 3, 4, 5, 6, 7 et 199\u202f994 autres ; attendu : une seule ligne par pharmacie_id et exercice "
        "(majuscules et minuscules confondues : l'identifiant devient un nom de dossier)"
    )
    assert problems[-1] == "… et 199\u202f980 autres lignes en double (colonnes pharmacie_id et exercice)"
    assert info.value.total == n


def test_values_in_messages_are_shortened_and_control_characters_escaped(tmp_path):
    path = csv_file(tmp_path, "pharmacie_id;exercice;drom\nPH-A;2024;\"a\x1b[31mb\tc\"\nPH-B;2024;" + "o" * 200 + "\n")
    problems = problems_of(path)
    # the control character is refused for itself (review), and the value for its column, both escaped
    assert problems[0].startswith("ligne 2, pharmacie « PH-A », colonne drom : valeur « a\\x1b[31mb\\tc » (U+001B au "
                                  "caractère 2) ;")
    assert problems[1].startswith("ligne 2, pharmacie « PH-A », colonne drom : valeur « a\\x1b[31mb\\tc » ;")
    assert "« " + "o" * 79 + "… »" in problems[2]


def test_characters_beyond_the_basic_plane_are_escaped_as_python_writes_them(tmp_path):
    """A tag character (U+E0001, invisible) was shown « \\ue0001 », which reads as U+E000 then « 1 »."""
    path = csv_file(tmp_path, "pharmacie_id;exercice;drom\nPH-A;2024;a\U000e0001b\u202ec\n")
    assert problems_of(path)[0].startswith("ligne 2, pharmacie « PH-A », colonne drom : valeur « a\\U000e0001b\\u202ec » (")


def test_many_unknown_columns_are_bounded_too(tmp_path):
    header = ";".join(["pharmacie_id", "exercice"] + [f"inconnue_{i}" for i in range(30)])
    path = csv_file(tmp_path, header + "\nPH-A;2024" + ";" * 30 + "\n")
    problems = problems_of(path)
    assert len(problems) == 21 and problems[-1] == "… et 10 autres colonnes inconnues"


def test_set_rate_changes_the_float_and_the_exact_value(tmp_path):
    from rosp_lib.inputs import set_rate

    ph = read_pharmacies(csv_file(tmp_path, "pharmacie_id;exercice;taux_mss_pct\nPH-A;2024;50\n"))
    set_rate(ph, 0, "taux_mss_pct", "84.99999999999999999")
    assert ph.at[0, "taux_mss_pct_exact"] == Decimal("84.99999999999999999")
    set_rate(ph, 0, "taux_mss_pct", None)
    assert np.isnan(ph.at[0, "taux_mss_pct"]) and ph.at[0, "taux_mss_pct_exact"] is None


# --------------------------------------------------------------------------------------------
# the file's shape: Excel's « sep= » line, a workbook under a .csv name, rows wider than the header
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("declaration", ["sep=;", "SEP=;", '"sep=;"'])
def test_excel_separator_line_is_read_as_the_separator_not_as_a_row(tmp_path, declaration):
    plain = "pharmacie_id;exercice;nb_fse;taux_mss_pct\nPH-A;2024;40000;6,5\nPH-B;2024;20 000;7\n"
    declared = read_pharmacies(csv_file(tmp_path, f"{declaration}\n{plain}", "declare.csv"))
    assert list(declared["pharmacie_id"]) == ["PH-A", "PH-B"]
    assert list(declared["nb_fse"]) == [40000.0, 20000.0] and list(declared["taux_mss_pct"]) == [6.5, 7.0]
    # the lines keep their numbers: the first pharmacy is on line 3 of the file
    bad = f"{declaration}\npharmacie_id;exercice;nb_fse\nPH-A;2024;-3\n"
    assert problems_of(csv_file(tmp_path, bad, "faux.csv"))[0].startswith("ligne 3, pharmacie « PH-A », colonne nb_fse")


@pytest.mark.parametrize("magic, what", [(b"PK\x03\x04", "un classeur XLSX (ou un autre fichier compressé)"),
                                         (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "un classeur Excel ancien format (.xls)")])
def test_a_workbook_saved_under_a_csv_name_is_named_as_such(tmp_path, magic, what):
    if magic.startswith(b"PK"):
        wb, path = workbook(tmp_path, {"pharmacies": [["pharmacie_id", "exercice"], ["PH-A", 2024]]}, "export.csv")
        wb.save(path)
    else:
        path = tmp_path / "export.csv"
        path.write_bytes(magic + bytes(504))
    assert problems_of(path) == [f"ce fichier n'est pas un CSV mais {what} ; attendu : un CSV enregistré en "
                                 "« CSV UTF-8 », ou le classeur enregistré en .xlsx et nommé en .xlsx"]


def test_values_in_excess_are_listed_five_at_most(tmp_path):
    path = csv_file(tmp_path, "pharmacie_id;exercice;nb_fse\nPH-A;2024;1" + ";ab" * 3000 + "\n")
    assert problems_of(path) == [
        "ligne 2, pharmacie « PH-A » : 3003 valeurs pour 3 colonnes d'en-tête (« ab », « ab », « ab », « ab », « ab » "
        "et 2995 autres en trop) ; attendu : une valeur par colonne — des valeurs sans nom de colonne : ajoutez leur "
        "nom dans l'en-tête ou supprimez-les"]


def test_a_title_row_above_the_header_is_named_as_the_cause(tmp_path):
    wb, path = workbook(tmp_path, {"pharmacies": [["Export du 01/01/2025"], ["pharmacie_id", "exercice", "nb_fse"],
                                                  ["PH-A", 2024, 40000]]})
    wb.save(path)
    found = problems_of(path)
    assert ("ligne 2 : 3 valeurs pour 1 colonne d'en-tête (« exercice », « nb_fse » en trop) ; attendu : une valeur par "
            "colonne — la ligne 1, lue comme en-tête, n'a pas de colonne pharmacie_id : la ligne des noms de colonnes "
            "doit être la première ligne remplie (un titre ou une ligne au-dessus ?)") in found


def test_hidden_rows_and_columns_holding_data_are_refused(tmp_path):
    # read, they would count pharmacies the user had hidden or filtered out; skipped, lose what they meant to give
    header = ["pharmacie_id", "exercice", "nb_fse", "ancien_nb_fse"]
    wb, path = workbook(tmp_path, {"pharmacies": [header, ["PH-A", 2024, 40000, 1], ["PH-B", 2024, 1, 2],
                                                  ["PH-C", 2024, 30000, 3], ["PH-D", 2024, 2, 4]]})
    ws = wb["pharmacies"]
    ws.row_dimensions[3].hidden = True
    ws.row_dimensions[5].hidden = True
    ws.row_dimensions[9].hidden = True  # empty: nothing is read from it, nothing to say
    ws.column_dimensions["D"].hidden = True
    wb.save(path)
    assert problems_of(path)[:2] == [
        "feuille « pharmacies », lignes 3, 5 : lignes masquées (ou filtrées) qui contiennent des données ; attendu : "
        "des lignes visibles (affichez-les si elles sont à lire, sinon supprimez-les)",
        "feuille « pharmacies », colonne D : colonnes masquées qui contiennent des données ; attendu : des colonnes "
        "visibles (affichez-les si elles sont à lire, sinon supprimez-les)",
    ]
    ws.row_dimensions[3].hidden = ws.row_dimensions[5].hidden = ws.column_dimensions["D"].hidden = False
    for row in range(1, 6):  # the unknown column emptied: the visible table is read as it is
        ws.cell(row, 4).value = None
    wb.save(path)
    assert list(read_pharmacies(path)["pharmacie_id"]) == ["PH-A", "PH-B", "PH-C", "PH-D"]


def _sheet_xml_patched(path: Path, old: str, new: str) -> None:
    """The workbook at `path` with one text of its first sheet's XML replaced (what another program writes)."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    assert old.encode() in parts[sheet]
    parts[sheet] = parts[sheet].replace(old.encode(), new.encode(), 1)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_a_row_of_height_zero_or_a_column_of_width_zero_holding_data_is_refused(tmp_path):
    """A row written `ht="0"` or a column `width="0"`, without `hidden` (another program than Excel), is hidden to the
    eye, yet was read (review)."""
    wb, path = workbook(tmp_path, {"pharmacies": [["pharmacie_id", "exercice", "nb_fse"], ["PH-A", 2024, 40000],
                                                  ["PH-B", 2024, 1]]})
    wb.save(path)
    _sheet_xml_patched(path, '<row r="3">', '<row r="3" ht="0" customHeight="1">')
    assert problems_of(path) == [
        "feuille « pharmacies », ligne 3 : lignes masquées (ou filtrées) qui contiennent des données ; attendu : des "
        "lignes visibles (affichez-les si elles sont à lire, sinon supprimez-les)"]
    wb.save(path)
    _sheet_xml_patched(path, "<sheetData>", '<cols><col min="3" max="3" width="0" customWidth="1"/></cols><sheetData>')
    assert problems_of(path) == [
        "feuille « pharmacies », colonne C : colonnes masquées qui contiennent des données ; attendu : des colonnes "
        "visibles (affichez-les si elles sont à lire, sinon supprimez-les)"]
    wb.save(path)
    _sheet_xml_patched(path, "<sheetData>", '<cols><col min="3" max="3" width="20" customWidth="1"/></cols><sheetData>')
    assert list(read_pharmacies(path)["nb_fse"]) == [40000.0, 1.0]  # a width of its own: seen, read


def test_a_date_of_the_right_shape_that_does_not_exist_is_said_so(tmp_path):
    path = csv_file(tmp_path, "pharmacie_id;exercice;debut_activite\nPH-A;2024;2024-02-30\nPH-B;2024;30-01-2024\n"
                              "PH-C;2024;30/02/2024\n")
    assert problems_of(path) == [
        "ligne 2, pharmacie « PH-A », colonne debut_activite : valeur « 2024-02-30 » ; attendu : date AAAA-MM-JJ ou "
        "JJ/MM/AAAA — cette date n'existe pas",
        "ligne 3, pharmacie « PH-B », colonne debut_activite : valeur « 30-01-2024 » ; attendu : date AAAA-MM-JJ ou "
        "JJ/MM/AAAA",
        "ligne 4, pharmacie « PH-C », colonne debut_activite : valeur « 30/02/2024 » ; attendu : date AAAA-MM-JJ ou "
        "JJ/MM/AAAA — cette date n'existe pas",
    ]


# --------------------------------------------------------------------------------------------
# the warnings in the reports
# --------------------------------------------------------------------------------------------
FRACTIONS_SAID = ("des fractions au lieu de pourcentages ? Un taux s'écrit de 0 à 100 (92 pour 92 %) ; les montants "
                  "sont calculés sur les valeurs telles qu'écrites")


def _warned_files(tmp_path: Path) -> tuple[Path, Path]:
    # (the numérique socles declared: a file giving this theme's rates without them is warned about too)
    ph = csv_file(tmp_path, "pharmacie_id;nom;exercice;taux_mss_pct;taux_dmp_pct;exercice_coordonne;logiciel_segur\n"
                            "PH-A;Pharmacie A;2024;0,92;40;oui;oui\nPH-A;Pharmacie A;2025;;50;oui;oui\n"
                            "PH-B;Pharmacie B;2024;92;40;oui;oui\n")
    mols = csv_file(tmp_path, "pharmacie_id;exercice;molecule;nb_boites;taux_depart_pct;taux_arrivee_pct\n"
                              "PH-A;2024;sitagliptin;100;80;90\nPH-A;2024;<img src=x onerror=alert(1)>;10;80;90\n"
                              "PH-A;2025;zzz;10;80;90\nPH-B;2024;sitagliptine;100;80;90\n", "molecules.csv")
    return ph, mols


def _listed(year: int) -> str:
    from rosp_lib.parameters import load_parameters

    return ", ".join(load_parameters(year).bups.molecules_ciblees.molecules.valeur)  # as parameters/<year>.yaml lists it




def test_reports_say_the_warnings_of_the_pharmacy(tmp_path):
    """The console said « des fractions au lieu de pourcentages ? » and the misspelt molecules; the reports said
    nothing. Each report now says those of its pharmacy, named by exercise (a report of `rosp report` reads its
    own slice of the file, whose line numbers are not the user's)."""
    from rosp_lib.report import notebook as nb

    ph, mols = _warned_files(tmp_path)
    rep = nb.load("PH-A", 2024, str(ph), str(mols))
    assert rep.warnings == [
        f"colonne taux_mss_pct : toutes les valeurs de la pharmacie sont inférieures ou égales à 1 (exercice 2024 : "
        f"« 0,92 ») — {FRACTIONS_SAID}",
        "molécule « sitagliptin » : absente de la liste des molécules ciblées de l'exercice 2024 (elle ne rapporte "
        "rien) — vouliez-vous dire « sitagliptine » ?",
        "molécule « <img src=x onerror=alert(1)> » : absente de la liste des molécules ciblées de l'exercice 2024 "
        "(elle ne rapporte rien) — la liste de l'exercice 2024 : " + _listed(2024),
    ]
    assert nb.load("PH-B", 2024, str(ph), str(mols)).warnings == []  # 92 %, a listed molecule
    # the report of 2025: the rate column (judged on every exercise of the pharmacy) and the molecule of 2025 only
    assert nb.load("PH-A", 2025, str(ph), str(mols)).warnings == [
        rep.warnings[0],
        "molécule « zzz » : absente de la liste des molécules ciblées de l'exercice 2025 (elle ne rapporte rien) — la "
        "liste de l'exercice 2025 : " + _listed(2025),
    ]


def test_report_html_shows_the_warnings_as_text(tmp_path):
    """The banner of every report (document_header) through nbconvert, as `rosp report` writes it."""
    import nbformat

    from rosp_lib.report import notebook as nb
    from rosp_lib.report.html import to_html
    from test_report_escape import assert_no_input_markup

    ph, mols = _warned_files(tmp_path)
    rep = nb.load("PH-A", 2024, str(ph), str(mols))
    cell = nbformat.v4.new_code_cell("entete", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": nb.warnings_banner(rep)})])
    body = to_html(nbformat.v4.new_notebook(cells=[cell])).split("<main>", 1)[1]
    assert_no_input_markup(body)
    assert "<strong>Avertissement sur les données lues</strong>" in body
    assert body.count("<li>") == 3
    assert "molécule «\u00a0&lt;img src=x onerror=alert(1)&gt;\u00a0»\u00a0: absente" in body  # French guillemets
    assert "«\u00a00,92\u00a0»" in body
    assert nb.warnings_banner(nb.load("PH-B", 2024, str(ph), str(mols))) == ""


def test_without_the_molecules_table_the_premium_at_zero_is_said(tmp_path):
    """Without --molecules the targeted-molecule lines vanished silently: BUPS 800 € instead of 975,91 € for the
    example pharmacy, with no warning (audit). The console and the report now say it; 2022 pays no such premium."""
    from rosp_lib.report import notebook as nb

    said = ("aucune table des molécules ciblées n'est donnée : leur prime (BUPS) de l'exercice 2024 compte 0 € ; "
            "donnez-la (--molecules) si l'officine en a délivré")
    path = csv_file(tmp_path, "pharmacie_id;exercice;taux_mss_pct;exercice_coordonne;logiciel_segur\n"
                              "PH-A;2024;6;oui;oui\nPH-B;2022;6;oui;oui\n")
    result = CliRunner().invoke(main, ["compute", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("Avertissement : ") == 1
    assert "Avertissement : aucune table des molécules ciblées n'est donnée : leur prime (BUPS) de l'exercice 2024 " \
           "compte 0 €" in result.stderr  # 2022: neutralised, not said
    assert said in result.stderr
    # a report names the notebook's parameter, and the option of rosp report (its reader may have used either)
    assert nb.load("PH-A", 2024, str(path)).warnings == [said.replace(
        "(--molecules)", "(paramètre molecules du notebook, option --molecules de rosp report)")]
    assert nb.load("PH-B", 2022, str(path)).warnings == []
    mols = csv_file(tmp_path, "pharmacie_id;exercice;molecule;nb_boites;taux_depart_pct;taux_arrivee_pct\n"
                              "PH-A;2024;sitagliptine;10;50;60\n", "molecules.csv")
    assert nb.load("PH-A", 2024, str(path), str(mols)).warnings == []


def test_the_pharmacy_of_a_row_with_too_many_values_is_shown_escaped(tmp_path):
    """A row cut by a `;` inside a terminal's title sequence named its pharmacy raw (ESC, BEL reached the console, a
    colour sequence vanished): shown escaped as every other value."""
    path = csv_file(tmp_path, "pharmacie_id;exercice\nP\x1b]0;T\x07X;2024;extra\n")
    assert problems_of(path)[0].startswith("ligne 2, pharmacie « P\\x1b]0 » : 4 valeurs pour 2 colonnes d'en-tête")


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-be"])
def test_a_csv_in_utf32_is_named_as_such(tmp_path, encoding):
    """A UTF-32 file with its mark was read as UTF-16 (its mark begins so): each column named with NUL bytes."""
    path = tmp_path / "pharmacies.csv"
    text = "pharmacie_id;exercice\nPH-A;2024\n"
    path.write_bytes(("\ufeff" + text).encode(encoding) if encoding.endswith("be") else text.encode(encoding))
    assert problems_of(path) == [
        "le fichier est en UTF-32 (marque d'ordre des octets au début) ; attendu : un CSV enregistré en « CSV UTF-8 » "
        "(Excel : Fichier > Enregistrer sous > « CSV UTF-8 (délimité par des virgules) »), ou en « Texte Unicode »"]


def test_xlsx_a_formula_without_value_is_refused_whatever_the_order_its_cells_are_stored_in(tmp_path):
    """A row whose cells are stored out of column order (A2 after C2, as some programs write them): read without its
    dimensions, the formula check cut the row at its last cell in file order and let C2 read empty (review)."""
    import re
    import zipfile

    wb, path = workbook(tmp_path, {"pharmacies": [["pharmacie_id", "exercice", "nb_fse"], ["PH-A", 2024, "=40000*1"]]})
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    sheet = next(n for n in files if n.startswith("xl/worksheets/sheet"))
    xml = files[sheet].decode()
    moved = re.sub(r'(<row r="2"[^>]*>)(<c r="A2".*?</c>)(.*?)(</row>)', r"\1\3\2\4", xml)
    assert moved != xml
    files[sheet] = moved.encode()
    with zipfile.ZipFile(path, "w") as z:
        for n, d in files.items():
            z.writestr(n, d)
    assert problems_of(path) == [
        "feuille « pharmacies », cellule C2 : formule « =40000*1 » sans valeur enregistrée (elle se lirait vide) ; "
        "attendu : une valeur (ouvrez le classeur dans un tableur et enregistrez-le, ou collez les valeurs)"]


# --------------------------------------------------------------------------------------------
# a row shorter than the header, in a « ; » or tab file
# --------------------------------------------------------------------------------------------
SHORT_HEADER = ["pharmacie_id", "exercice", "logiciel_segur", "nb_fse", "taux_fse_sesam_vitale_pct", "taux_dmp_pct",
                "bal_organisationnelle", "nb_rva_960"]


@pytest.mark.parametrize("sep", [";", "\t"])
@pytest.mark.parametrize("quoted", [False, True])
def test_a_row_shorter_than_the_header_is_said_with_the_columns_read_empty(tmp_path, sep, quoted):
    """A row of 10 values under 16 names was read as 6 empty cells (its BUPS lost, 190 €) with no word but « case
    vide » (review): the values of a cut row are not empty cells. Read as written, and said."""
    name = '"Pharmacie ; Deux"' if quoted else "Pharmacie Deux"
    header = ["pharmacie_id", "nom", *SHORT_HEADER[1:]]
    text = (sep.join(header) + "\n" + sep.join(["PH-A", "Un", "2024", "oui", "40000", "97", "92", "oui", "52"]) + "\n"
            + sep.join(["PH-B", name, "2024", "oui", "40000"]) + "\n")
    table = read_pharmacies(csv_file(tmp_path, text, "pharmacies.tsv" if sep == "\t" else "pharmacies.csv"))
    said = [w for w in table.attrs["avertissements"] if "coupée" in w]
    assert len(said) == 1
    assert said[0].endswith(": ligne 3, pharmacie « PH-B » : 5 valeurs pour 9 colonnes d'en-tête : colonnes lues "
                            "vides (taux_fse_sesam_vitale_pct, taux_dmp_pct, bal_organisationnelle, nb_rva_960) alors "
                            "que d'autres lignes les remplissent — la ligne est-elle coupée ? Vérifiez-la (le montant "
                            "est calculé sur les valeurs telles qu'écrites)")
    assert np.isnan(table.at[1, "taux_dmp_pct"]) and not table.at[1, "bal_organisationnelle"]  # read as written


def test_a_row_with_every_separator_and_empty_last_cells_is_not_said(tmp_path):
    text = ";".join(SHORT_HEADER) + "\nPH-A;2024;oui;40000;;;;\nPH-B;2024;oui;40000;97;92;oui;52\n"
    table = read_pharmacies(csv_file(tmp_path, text))
    assert not [w for w in table.attrs["avertissements"] if "coupée" in w or "plus courtes" in w]


def test_trailing_columns_no_row_fills_are_not_a_cut_row(tmp_path):
    """Optional columns left out of every row (a statement without its dates and labels) gave one warning per row
    (review): only the columns another row fills are said."""
    rows = "".join(f"PH-{i:02d};2024;oui\n" for i in range(3))
    table = read_pharmacies(csv_file(tmp_path, ";".join(SHORT_HEADER) + "\n" + rows))
    assert not [w for w in table.attrs["avertissements"] if "coupée" in w or "plus courtes" in w]
    table = read_pharmacies(csv_file(tmp_path, ";".join(SHORT_HEADER) + "\n" + rows + "PH-X;2024;oui;;;;;52\n"))
    said = [w for w in table.attrs["avertissements"] if "coupée" in w]
    assert len(said) == 3 and ": 3 valeurs pour 8 colonnes d'en-tête : colonne lue vide (nb_rva_960) alors que " in said[0]


def test_short_rows_are_said_twenty_at_most(tmp_path):
    rows = "".join(f"PH-{i:02d};2024;oui\n" for i in range(25)) + "PH-X;2024;oui;1;2;3;oui;4\n"
    table = read_pharmacies(csv_file(tmp_path, ";".join(SHORT_HEADER) + "\n" + rows))
    said = [w for w in table.attrs["avertissements"] if "coupée" in w]
    assert len(said) == 20 and ": ligne 21, pharmacie « PH-19 » : 3 valeurs pour 8 colonnes" in said[-1]
    assert "colonnes lues vides (nb_fse, taux_fse_sesam_vitale_pct, taux_dmp_pct, bal_organisationnelle, nb_rva_960)" in said[0]
    assert table.attrs["avertissements"][20].endswith("… et 5 autres lignes plus courtes que l'en-tête")


def test_a_short_molecule_row_is_said(tmp_path):
    pharmacies = csv_file(tmp_path, "pharmacie_id;exercice\nPH-A;2024\n")
    molecules = csv_file(tmp_path, "pharmacie_id;exercice;molecule;nb_boites;taux_depart_pct;taux_arrivee_pct\n"
                                   "PH-A;2024;vildagliptine;1000\nPH-A;2024;sitagliptine;10;50;60\n", "molecules.csv")
    _, table = read_inputs(pharmacies, molecules)
    said = [w for w in table.attrs["avertissements"] if "coupée" in w]
    assert len(said) == 1 and "ligne 2, pharmacie « PH-A » : 4 valeurs pour 6 colonnes d'en-tête : colonnes lues " \
                              "vides (taux_depart_pct, taux_arrivee_pct) alors que" in said[0]


def test_a_totals_row_of_a_spreadsheet_is_refused_as_such(tmp_path):
    """An Excel « ligne des totaux » (pharmacie_id « Total », the exercise filled) was read as a pharmacy named Total:
    a row of amounts more in totaux.csv, with warnings only about its empty declarations (review)."""
    wb, path = workbook(tmp_path, {"pharmacies": [["pharmacie_id", "exercice", "nb_fse"], ["PH-A", 2024, 40000],
                                                  ["Total", 2024, 40000], ["sous-total", 2024, 1], ["TOTAUX", 2024, 2],
                                                  ["PH-TOTAL", 2024, 3], ["Totalement", 2024, 4]]})
    wb.save(path)
    why = ("; attendu : un identifiant de pharmacie — une ligne de totaux du tableur ? Supprimez-la : rosp compute "
           "calcule les totaux (totaux.csv)")
    assert problems_of(path) == [
        f"ligne 3, pharmacie « Total », colonne pharmacie_id : valeur « Total » {why}",
        f"ligne 4, pharmacie « sous-total », colonne pharmacie_id : valeur « sous-total » {why}",
        f"ligne 5, pharmacie « TOTAUX », colonne pharmacie_id : valeur « TOTAUX » {why}",
    ]


def test_a_molecule_listed_another_exercise_or_a_brand_name_is_said_with_what_would_help(tmp_path):
    """« paliperidone » in 2025 (listed in 2023 and 2024: a wrong exercise?) and « Januvia » (a brand, no listed name
    near it) paid 0 € with no hint (review)."""
    from rosp_lib.parameters import load_parameters

    listed = load_parameters(2024).bups.molecules_ciblees.molecules.valeur
    assert "palipéridone" in listed and "palipéridone" not in load_parameters(2025).bups.molecules_ciblees.molecules.valeur
    ph = csv_file(tmp_path, "pharmacie_id;exercice\nPH-A;2024\nPH-A;2025\n")
    mol = csv_file(tmp_path, "pharmacie_id;exercice;molecule;nb_boites;taux_depart_pct;taux_arrivee_pct\n"
                             "PH-A;2025;paliperidone;100;50;60\nPH-A;2024;Januvia;100;50;60\n", name="molecules.csv")
    said = [w.split(" : ", 1)[1] for w in warnings_of(read_inputs(ph, mol)[0])]
    assert ("ligne 3, pharmacie « PH-A », molécule « Januvia » : absente de la liste des molécules ciblées de l'exercice "
            f"2024 (elle ne rapporte rien) — la liste de l'exercice 2024 : {', '.join(listed)}") in said
    assert ("ligne 2, pharmacie « PH-A », molécule « paliperidone » : absente de la liste des molécules ciblées de "
            "l'exercice 2025 (elle ne rapporte rien) — elle est sur la liste des exercices 2023, 2024 : l'exercice de la "
            "ligne est-il le bon ?") in said


@pytest.mark.parametrize("dash", ["-", "–", " - "])
def test_a_dash_in_a_count_or_a_rate_is_refused_with_the_accounting_zero_named(tmp_path, dash):
    """« - » is the zero of a spreadsheet's accounting format: the statement of payments said so, the pharmacies did not
    (review)."""
    path = csv_file(tmp_path, f"pharmacie_id;exercice;nb_fse;taux_dmp_pct\nPH-A;2024;{dash};{dash}\n")
    shown_dash = dash.strip()
    hint = (f" — « {shown_dash} » est le zéro du format comptable d'un tableur : écrivez 0, ou laissez la case vide si la "
            "valeur est inconnue")
    assert problems_of(path) == [
        f"ligne 2, pharmacie « PH-A », colonne nb_fse : valeur « {shown_dash} » ; attendu : {COUNT}{hint}",
        f"ligne 2, pharmacie « PH-A », colonne taux_dmp_pct : valeur « {shown_dash} » ; attendu : pourcentage 0 à 100 "
        f"(95, 95,5 ou 95.5){hint}",
    ]
