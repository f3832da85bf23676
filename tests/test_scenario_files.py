"""Scenario files a user (or an attacker) writes: each refusal is French, names the key or the line,
and never shows a traceback or pydantic's English."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from rosp_lib.cli import main
from rosp_lib.parameters import ParameterError, Scenario, load_parameters

DATA = Path(__file__).resolve().parent.parent / "data"

ALIAS_BOMB = """a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def refusal(tmp_path, content: str | bytes, year: int = 2024) -> str:
    f = tmp_path / "scenario.yaml"
    if isinstance(content, str):
        f.write_text(content, encoding="utf-8")
    else:
        f.write_bytes(content)
    with pytest.raises(ParameterError) as info:
        load_parameters(year, Scenario.read(f))
    return str(info.value).replace(str(f), "S")


def test_alias_bomb_is_refused_before_expansion(tmp_path):
    assert refusal(tmp_path, ALIAS_BOMB) == (
        "S : ligne 1 : ancre ou alias YAML (« & » ou « * ») ; attendu : chaque valeur écrite en toutes lettres")


def test_a_single_alias_is_refused(tmp_path):
    text = "general:\n  arrondi: &r demi_superieur\nnumerique:\n  teleconsultation:\n    tranches: *r\n"
    assert "ancre ou alias YAML" in refusal(tmp_path, text)


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", ".NaN", ".Inf"])
def test_nan_and_infinity_are_refused(tmp_path, value):
    text = f"numerique:\n  scor:\n    montant: {value}\n"
    assert refusal(tmp_path, text) == (
        f"S : ligne 3, numerique.scor.montant : valeur « {value} » ; attendu : un nombre fini (.nan et .inf sont "
        "refusés)")  # the key named too (audit: only the line was)


@pytest.mark.parametrize("key", ["? [a, b]", "? {a: 1}", "true", "3.5", "null"])
def test_keys_that_are_not_names_are_refused(tmp_path, key):
    text = f"numerique:\n  {key}: 1\n" if not key.startswith("?") else f"numerique:\n  {key}\n  : 1\n"
    msg = refusal(tmp_path, text)
    assert msg.startswith("S : ligne 2 : clé ") and "qui n'est pas un nom" in msg


def test_a_long_key_is_shown_shortened(tmp_path):
    """A year key of 200 digits was shown whole in its message (review)."""
    msg = refusal(tmp_path, "9" * 200 + ":\n  numerique:\n    scor:\n      montant: 5\n")
    assert msg == (f"S : ligne 1 : clé « {'9' * 39}… (200 caractères) » qui n'est pas un nom ; attendu : un nom de "
                   "paramètre ou une année (mettez-la entre guillemets si c'est un nom)")


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_files_not_in_utf8_are_refused(tmp_path, encoding):
    text = "# scénario élaboré\nnumerique:\n  scor:\n    montant: 50\n"
    msg = refusal(tmp_path, text.encode(encoding))
    assert msg.startswith("S : le fichier n'est pas en UTF-8 (premier caractère illisible ligne ")
    assert msg.endswith("attendu : un fichier YAML enregistré en UTF-8")


def test_utf8_with_bom_is_read(tmp_path):
    f = tmp_path / "scenario.yaml"
    f.write_bytes("numerique:\n  scor:\n    montant: 50\n".encode("utf-8-sig"))
    assert load_parameters(2024, Scenario.read(f)).numerique.scor.montant.valeur == 50


def test_year_without_parameters_is_refused(tmp_path):
    assert refusal(tmp_path, "2052:\n  numerique:\n    scor:\n      montant: 50\n") == (
        "S : scénario invalide\n  - 2052 : aucun paramètre pour cet exercice "
        "(exercices disponibles : 2022, 2023, 2024, 2025, 2026)")
    assert refusal(tmp_path, "2025:\n") == (
        "S : scénario invalide\n  - 2025 : aucune valeur à remplacer sous cette année ; attendu : des paramètres "
        "à remplacer, ou supprimez la clé")


@pytest.mark.parametrize("field", ["statut", "source"])
def test_fields_beside_valeur_are_refused(tmp_path, field):
    text = f"numerique:\n  scor:\n    montant:\n      valeur: 50\n      {field}: texte\n"
    assert refusal(tmp_path, text) == (
        f"S : scénario invalide\n  - numerique.scor.montant.{field} : champ à côté de « valeur » ; un scénario ne "
        "remplace que la valeur (la source et le statut officiels restent) — supprimez ce champ")


@pytest.mark.parametrize("path,value,why", [
    ("numerique:\n  scor:\n    montant", "-820", "valeur -820 ; attendu : un nombre positif ou nul"),
    ("vaccination:\n  bonus_prescription:\n    seuil_part_pct", "150", "valeur 150 ; attendu : un pourcentage de 0 à 100"),
    ("numerique:\n  scor:\n    montant", "1.0e+30", "valeur 1.0E+30 ; attendu : un montant plausible (au plus 1 000 000 €)"),
    # a long number is shown shortened, with its number of digits (a message line of 3 000 digits, review); one of over
    # 4 300 digits was a Python traceback (review)
    ("numerique:\n  scor:\n    montant", "9" * 3000,
     "valeur 99999999999999999999… (3\u202f000 chiffres) ; attendu : un montant plausible (au plus 1 000 000 €)"),
    ("numerique:\n  malus_qualite_facturation:\n    nb_factures_min", "9" * 5000,
     "valeur 99999999999999999999… (5\u202f000 chiffres) ; attendu : un nombre plausible (au plus 999 999 999)"),
    ("numerique:\n  scor:\n    montant", "-" + "9" * 299 + ".5",
     "valeur -9999999999999999999… (300 chiffres) ; attendu : un nombre positif ou nul"),
    ("numerique:\n  scor:\n    montant", "1." + "5" * 19, "valeur 1.5555555555555555555 ; attendu : un montant en euros "
     "au centime près, p. ex. 820 ou 820.50"),  # 21 characters: shown whole
])
def test_values_out_of_their_range_are_refused(tmp_path, path, value, why):
    dotted = ".".join(part.strip().rstrip(":") for part in path.split("\n"))
    assert refusal(tmp_path, f"{path}: {value}\n") == f"S : scénario invalide\n  - {dotted} : {why}"


@pytest.mark.parametrize("content,said", [
    ("bups:\n  stabilite_75:\n    seuil_haut_pct: 80\n", "bups.stabilite_75 : seuil_haut_pct (80 %) est sous seuil_bas_pct (90 %)"),
    ("numerique:\n  malus_qualite_facturation:\n    rejets_iris_seuil_bas_pct: 3.5\n",
     "numerique.malus_qualite_facturation : rejets_iris_seuil_haut_pct (3 %) est sous rejets_iris_seuil_bas_pct (3,5 %)"),
])
def test_a_scale_whose_upper_step_is_below_the_lower_one_is_refused(tmp_path, content, said):
    """`seuil_haut_pct: 80` under a lower step of 90 % was accepted: « au moins 80 % → 400 € ; au moins 90 % → 200 € »
    (audit). parameters/2024.yaml: stability steps 90 and 95 %, IRIS rejects 2 and 3 %."""
    assert refusal(tmp_path, content) == (f"S (scénario, exercice 2024) : paramètres invalides\n  - {said} ; attendu : un "
                                          "seuil haut au moins égal au seuil bas")


@pytest.mark.parametrize("value,french", [
    ("beaucoup", "valeur « beaucoup » : nombre attendu"),
    ("[1, 2]", "nombre attendu"),
])
def test_wrong_type_is_said_in_french(tmp_path, value, french):
    msg = refusal(tmp_path, f"numerique:\n  scor:\n    montant: {value}\n")
    assert "numerique.scor.montant : " in msg and french in msg
    for english in ("Input should", "valid decimal", "should be", "Value error"):
        assert english not in msg


def test_cli_refuses_a_bad_scenario_in_french_without_traceback(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text(ALIAS_BOMB, encoding="utf-8")
    result = CliRunner().invoke(main, ["compute", "data/pharmacies.csv", "--parametres", str(f), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "ancre ou alias YAML" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def cli_refusal(tmp_path, content: str) -> tuple[int, str]:
    """`rosp compute` with this scenario: its exit code and output (the scenario's path shown S)."""
    f = tmp_path / "scenario.yaml"
    f.write_text(content, encoding="utf-8")
    out = tmp_path / "o"
    result = CliRunner().invoke(main, ["compute", "data/pharmacies.csv", "--parametres", str(f), "-o", str(out)])
    assert "Traceback" not in result.output
    assert not out.exists()
    return result.exit_code, result.output.replace(str(f), "S")


@pytest.mark.parametrize("value", ["0777", "-0777", "0820", "1:30", "0x10", "0b11"])
def test_integers_yaml_would_read_in_another_base_are_refused(tmp_path, value):
    code, output = cli_refusal(tmp_path, f"numerique:\n  exercice_coordonne:\n    montant: {value}\n")
    assert (code, output) == (2, (
        f"Erreur : S : ligne 3, numerique.exercice_coordonne.montant : nombre « {value} » écrit avec un zéro en "
        "tête, un préfixe (0x, 0o, 0b) ou « : », "
        "que YAML ne lirait pas en base 10 ; attendu : un nombre décimal sans zéro en tête (p. ex. 820), "
        "ou un texte entre guillemets\n"))


@pytest.mark.parametrize("value", ["8_20", "8_20.5", "100_", "1__000", "1_00", "1.000_5", "8_2e2"])
def test_underscores_that_do_not_group_thousands_are_refused(tmp_path, value):
    # YAML reads `8_20` as 820; its author may have meant 8,20: never read in their stead.
    code, output = cli_refusal(tmp_path, f"numerique:\n  exercice_coordonne:\n    montant: {value}\n")
    assert (code, output) == (2, (
        f"Erreur : S : ligne 3, numerique.exercice_coordonne.montant : nombre « {value} » dont le « _ » ne sépare "
        "pas les chiffres par groupes de trois ; "
        "attendu : un nombre sans « _ » (p. ex. 820 ou 8.20), ou des milliers séparés par « _ » (p. ex. 40_000)\n"))


def test_thousands_grouped_by_underscores_are_read(tmp_path):
    f = tmp_path / "scenario.yaml"
    f.write_text("2024:\n  numerique:\n    malus_qualite_facturation:\n      nb_factures_min: 1_000\n"
                 "    exercice_coordonne:\n      montant: 1_234.5\n", encoding="utf-8")
    p = load_parameters(2024, Scenario.read(f))
    assert p.numerique.malus_qualite_facturation.nb_factures_min.valeur == 1000
    assert p.numerique.exercice_coordonne.montant.valeur == Decimal("1234.5")


@pytest.mark.parametrize("key", ["1", "2024", "0"])
def test_nested_keys_that_are_not_names_are_refused(tmp_path, key):
    assert cli_refusal(tmp_path, f"numerique:\n  {key}: 2\n") == (2, (
        f"Erreur : S : ligne 2 : clé « {key} » qui n'est pas un nom ; attendu : un nom de paramètre "
        "(mettez-la entre guillemets si c'est un nom)\n"))


@pytest.mark.parametrize("value,bound", [
    ("1e400", "1E+400"), ("1e308", "1E+308"), ("{valeur: 1e400}", "1E+400"), ("-1e400", "-1E+400"),
])
def test_huge_amounts_are_refused_without_traceback(tmp_path, value, bound):
    why = ("un montant plausible (au plus 1 000 000 €)" if not bound.startswith("-") else "un nombre positif ou nul")
    assert cli_refusal(tmp_path, f"numerique:\n  exercice_coordonne:\n    montant: {value}\n") == (2, (
        "Erreur : S : scénario invalide\n"
        f"  - numerique.exercice_coordonne.montant : valeur {bound} ; attendu : {why}\n"))


def invalid(*lines: str) -> tuple[int, str]:
    return 2, "Erreur : S : scénario invalide\n" + "".join(f"  - {line}\n" for line in lines)


MONTANT = "numerique.exercice_coordonne.montant"
SEUIL = "vaccination.bonus_prescription.seuil_part_pct"
QUOTED = "nombre entre guillemets « {0} » ; attendu : le nombre écrit sans guillemets, {0}"


# A number in quotes is refused, whatever its value: it is never read as a number in the user's stead.
@pytest.mark.parametrize("leaf,value,line", [
    ("montant", '"-820"', f"{MONTANT} : " + QUOTED.format("-820")),
    ("montant", "'-820'", f"{MONTANT} : " + QUOTED.format("-820")),
    ("montant", '{valeur: "-820"}', f"{MONTANT} : " + QUOTED.format("-820")),
    ("montant", '"820"', f"{MONTANT} : " + QUOTED.format("820")),
    ("montant", '"820,50"', f"{MONTANT} : nombre « 820,50 » à virgule ; attendu : un point décimal, sans guillemets : 820.50"),
    ("montant", "820,50", f"{MONTANT} : nombre « 820,50 » à virgule ; attendu : un point décimal, sans guillemets : 820.50"),
    ("montant", "-8.2e2", f"{MONTANT} : valeur -820 ; attendu : un nombre positif ou nul"),
    ("montant", "-8.2E2", f"{MONTANT} : valeur -820 ; attendu : un nombre positif ou nul"),
    ("montant", "{valeur: -8.2e2}", f"{MONTANT} : valeur -820 ; attendu : un nombre positif ou nul"),
    ("seuil", '"150"', f"{SEUIL} : " + QUOTED.format("150")),
    ("seuil", "1.5e2", f"{SEUIL} : valeur 150 ; attendu : un pourcentage de 0 à 100"),
    ("seuil", "15e1", f"{SEUIL} : valeur 150 ; attendu : un pourcentage de 0 à 100"),
    ("seuil", '"-5"', f"{SEUIL} : " + QUOTED.format("-5")),
    ("seuil", '"5"', f"{SEUIL} : " + QUOTED.format("5")),
])
def test_every_spelling_of_a_number_gets_the_same_checks(tmp_path, leaf, value, line):
    text = (f"numerique:\n  exercice_coordonne:\n    montant: {value}\n" if leaf == "montant" else
            f"2024:\n  vaccination:\n    bonus_prescription:\n      seuil_part_pct: {value}\n")
    assert cli_refusal(tmp_path, text) == invalid(line)


@pytest.mark.parametrize("where,value,line", [
    ("2024:\n  numerique:\n    malus_qualite_facturation:\n      nb_factures_min", '"100"',
     "numerique.malus_qualite_facturation.nb_factures_min : " + QUOTED.format("100")),
    ("2024:\n  dispositif_2024:\n    kits_colorectal_progression:\n      coefficient", '"1.10"',
     "dispositif_2024.kits_colorectal_progression.coefficient : " + QUOTED.format("1.10")),
    ("2024:\n  numerique:\n    fse:\n      prix_unitaire_haut", '"-0.07"',
     "numerique.fse.prix_unitaire_haut : " + QUOTED.format("-0.07")),
    ("2024:\n  numerique:\n    malus_qualite_facturation:\n      bareme", '[{score_min: 0, taux_pct: "150"}]',
     "numerique.malus_qualite_facturation.bareme : " + QUOTED.format("150")),
    ("2024:\n  numerique:\n    malus_qualite_facturation:\n      bareme", "[{score_min: 0, taux_pct: 1.5e2}]",
     "numerique.malus_qualite_facturation.bareme : valeur 150 ; attendu : un pourcentage de 0 à 100"),
    ("2024:\n  bups:\n    molecules_ciblees:\n      primes_par_molecule", '{valeur: {ATORVASTATINE: "-2"}}',
     "bups.molecules_ciblees.primes_par_molecule : " + QUOTED.format("-2")),
])
def test_quoted_numbers_are_refused_for_counts_coefficients_prices_and_lists(tmp_path, where, value, line):
    assert cli_refusal(tmp_path, f"{where}: {value}\n") == invalid(line)


@pytest.mark.parametrize("value,line", [
    ("820.123", f"{MONTANT} : valeur 820.123 ; attendu : un montant en euros au centime près, p. ex. 820 ou 820.50"),
    ("{valeur: 820.001}", f"{MONTANT} : valeur 820.001 ; attendu : un montant en euros au centime près, p. ex. 820 ou 820.50"),
    ('"820.123"', f"{MONTANT} : " + QUOTED.format("820.123")),
])
def test_sub_cent_amounts_are_refused_without_traceback(tmp_path, value, line):
    assert cli_refusal(tmp_path, f"numerique:\n  exercice_coordonne:\n    montant: {value}\n") == invalid(line)


def test_a_count_with_decimals_is_refused_naming_the_key(tmp_path):
    text = "2024:\n  numerique:\n    malus_qualite_facturation:\n      nb_factures_min: 2.5\n"
    assert cli_refusal(tmp_path, text) == invalid(
        "numerique.malus_qualite_facturation.nb_factures_min : valeur 2.5 ; attendu : un nombre entier")


def test_sub_cent_prices_per_unit_stay_accepted(tmp_path):
    f = tmp_path / "scenario.yaml"
    f.write_text("2024:\n  numerique:\n    fse:\n      prix_unitaire_haut: 0.0725\n    exercice_coordonne:\n"
                 "      montant: 8.205e2\n", encoding="utf-8")
    p = load_parameters(2024, Scenario.read(f))
    assert p.numerique.fse.prix_unitaire_haut.valeur == Decimal("0.0725")
    assert p.numerique.exercice_coordonne.montant.valeur == Decimal("820.5")


@pytest.mark.parametrize("value,line", [
    ("null", f"{MONTANT} : valeur vide ; attendu : un nombre"),
    ("~", f"{MONTANT} : valeur vide ; attendu : un nombre"),
    ("", f"{MONTANT} : valeur vide ; attendu : un nombre"),
    ("true", f"{MONTANT} : valeur true (un booléen) ; attendu : un nombre"),
    ("false", f"{MONTANT} : valeur false (un booléen) ; attendu : un nombre"),
])
def test_null_and_booleans_are_shown_as_written_not_as_python(tmp_path, value, line):
    assert cli_refusal(tmp_path, f"numerique:\n  exercice_coordonne:\n    montant: {value}\n") == invalid(line)


@pytest.mark.parametrize("leaf,value,french", [  # the yes-or-no parameters: test_a_yes_or_no_parameter_…
    ("calendrier:\n  fin_declaration", "true",
     "calendrier.fin_declaration : valeur « true » : date AAAA-MM-JJ attendue"),
])
def test_other_leaves_show_null_and_booleans_as_written(tmp_path, leaf, value, french):
    msg = refusal(tmp_path, f"{leaf}: {value}\n")
    assert msg.endswith(f"paramètres invalides\n  - {french}")
    assert "None" not in msg and "True" not in msg


@pytest.mark.parametrize("key", ["'2024'", '"2024"'])
def test_a_quoted_year_is_refused_as_such(tmp_path, key):
    assert cli_refusal(tmp_path, f"{key}:\n  general:\n    arrondi: demi_pair\n") == invalid(
        "2024 : année entre guillemets ; attendu : l'année sans guillemets (2024:), "
        "pour ne remplacer que les valeurs de cet exercice")


@pytest.mark.parametrize("text,line", [
    ("general: 5\n", "general : groupe de paramètres, pas une valeur ; attendu : les paramètres à remplacer sous lui, "
     "parmi general.arrondi, general.prorata_forfaits, general.prorata_carte_vitale_dispositif_2024… (4 paramètres, "
     "listés par rosp parametres show 2022)"),
    ("numerique:\n  exercice_coordonne:\n    valeur: 5\n",
     "numerique.exercice_coordonne : groupe de paramètres, pas une valeur ; attendu : les paramètres à remplacer "
     "sous lui, parmi numerique.exercice_coordonne.etat, numerique.exercice_coordonne.montant"),
    ("numerique: 5\n", "numerique : groupe de paramètres, pas une valeur ; attendu : les paramètres à remplacer sous "
     "lui, parmi numerique.exercice_coordonne.etat, numerique.exercice_coordonne.montant, "
     "numerique.logiciel_segur.etat… (46 paramètres, listés par rosp parametres show 2022)"),
])
def test_a_group_given_a_value_is_called_a_group(tmp_path, text, line):
    assert cli_refusal(tmp_path, text) == invalid(line)


def test_a_table_parameter_written_as_a_group_says_how_to_write_it(tmp_path):
    # `primes_par_molecule: {sitagliptine: 3}` read as a parameter « primes_par_molecule.sitagliptine »: « n'existe
    # pas — vouliez-vous dire « bups.molecules_ciblees.primes_par_molecule » ? », the very key just written
    text = "bups:\n  molecules_ciblees:\n    primes_par_molecule: {sitagliptine: 3, vildagliptine: 2}\n"
    assert refusal(tmp_path, text) == (
        "S : scénario invalide\n  - bups.molecules_ciblees.primes_par_molecule : une table (clé → valeur) se remplace "
        "entière, sous « valeur » ; attendu : primes_par_molecule: {valeur: {sitagliptine: …}}")
    good = tmp_path / "table.yaml"
    good.write_text("bups:\n  molecules_ciblees:\n    primes_par_molecule: {valeur: {sitagliptine: 3}}\n",
                    encoding="utf-8")
    table = load_parameters(2024, Scenario.read(good)).bups.molecules_ciblees.primes_par_molecule.valeur
    assert {k: Decimal(str(v)) for k, v in table.items()} == {"sitagliptine": Decimal(3)}


@pytest.mark.parametrize("price,cents", [
    # PH-TILLEULS 2024 (data/pharmacies.csv): 40 000 FSE × the price, by hand: 40 000 × 0,070000000000000001 €
    # = 2 800,00000000000004 € → 280 000 cents
    ("0.070000000000000001", 280000),  # numpy wrapped around: a wrong amount without a word
    ("0.07000000000000000000000000000001", 280000),  # a traceback (OverflowError)
    ("1e-12", 0),  # 40 000 × 10⁻¹² € = 4 × 10⁻⁸ €: 0 cent
])
def test_prices_with_many_decimals_are_paid_exactly(tmp_path, price, cents):
    """Unit prices keep any precision (units.Kind.UNIT_PRICE): the count × price product is exact, never int64's."""
    from rosp_lib.engine import compute_file

    f = tmp_path / "scenario.yaml"
    f.write_text(f"2024:\n  numerique:\n    fse:\n      prix_unitaire_haut: {price}\n", encoding="utf-8")
    _, lines, _ = compute_file(DATA / "pharmacies.csv", None, f)
    fse = lines[(lines["indicateur"] == "fse") & (lines["pharmacie_id"] == "PH-TILLEULS") & (lines["exercice"] == 2024)]
    assert fse["montant_cents"].tolist() == [cents]


def test_a_threshold_with_many_decimals_is_compared_exactly(tmp_path):
    """Vaccination bonus (share of prescription RVA > threshold): PH-A 37 / (37 + 124) = 22,98 %, PH-B 5 / (5 + 95)
    = 5 % exactly. The int64 products wrapped around (PH-A lost its bonus at 5,00000000000000001 %) or overflowed."""
    from rosp_lib.engine import compute_file

    ph = tmp_path / "p.csv"
    ph.write_text("pharmacie_id;exercice;nb_rva_960;nb_rva_750\nPH-A;2024;37;124\nPH-B;2024;5;95\n", encoding="utf-8")
    met = {}
    for seuil in ("5.00000000000000001", "4.9999999999999999999", "5", "5.0000000000000000001"):
        f = tmp_path / "scenario.yaml"
        f.write_text(f"2024:\n  vaccination:\n    bonus_prescription:\n      seuil_part_pct: {seuil}\n", encoding="utf-8")
        _, lines, _ = compute_file(ph, None, f)
        met[seuil] = lines.loc[lines["indicateur"] == "bonus_prescription", "atteint"].tolist()
    # PH-B at exactly the threshold: « dépasse » (>) is not met; just below it, met; just above it, not
    assert met == {"5.00000000000000001": ["oui", "non"], "4.9999999999999999999": ["oui", "oui"], "5": ["oui", "non"],
                   "5.0000000000000000001": ["oui", "non"]}


@pytest.mark.parametrize("pct", ["10.000000000000000001", "10.0000000000000000000000001"])
def test_a_malus_rate_with_many_decimals_is_applied_exactly(pct):
    """10,000000000000000001 % of 2 800,00 € = 280,00 € (280,0000000000000000280 €): exact, not int64's wrap-around."""
    import numpy as np

    from rosp_lib.lines import money

    assert money.percentage_of_cents(np.array([280000, 0]), Decimal(pct), "demi_haut").tolist() == [28000, 0]


@pytest.mark.parametrize("content", ["", "description: essai\n", "# rien\n"])
def test_a_scenario_that_replaces_nothing_is_refused(tmp_path, content):
    """It ran and said « les montants ne sont pas ceux des paramètres de référence » though they were (audit)."""
    assert cli_refusal(tmp_path, content) == invalid(
        "le scénario ne remplace aucune valeur ; attendu : au moins un paramètre à remplacer, p. ex. « numerique: » "
        "puis « exercice_coordonne: » puis « montant: 900 », chacun sous le précédent et décalé de deux espaces "
        "(sans scénario : le calcul de référence)")


@pytest.mark.parametrize("content,where", [("valeur: 3\n", "au premier niveau"), ("2024:\n  valeur: 3\n", "sous 2024")])
def test_valeur_without_its_parameter_is_named(tmp_path, content, where):
    """It was said « -  : ce paramètre n'existe pas », a key with no name (audit)."""
    code, output = cli_refusal(tmp_path, content)
    assert code == 2
    assert (f"  - valeur : « valeur » {where}, sans le paramètre qu'elle remplace ; attendu : le chemin du paramètre "
            "au-dessus") in output and "  -  :" not in output


@pytest.mark.parametrize("tag,value", [("binary", "aGVsbG8="), ("set", "{a, b}"), ("omap", "[a: 1]"),
                                       ("pairs", "[a: 1]")])
def test_yaml_tags_that_make_python_objects_are_refused(tmp_path, tag, value):
    """« b'hello' » and « {'a', 'b'} », Python's writing, reached the message (audit)."""
    assert cli_refusal(tmp_path, f"2024:\n  numerique:\n    fse:\n      seuil_pct: !!{tag} {value}\n") == (2, (
        f"Erreur : S : ligne 4, 2024.numerique.fse.seuil_pct : étiquette YAML « !!{tag} » non prise en charge ; attendu : une valeur écrite "
        "simplement (nombre, texte, liste)\n"))


# ---------------------------------------------------------------------------------------------------------------
# Fifth adversarial pass (2026-12-02)
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,why", [
    # a rate above 100 written with the key as `rosp regles` prints it: it skipped every check (and changed verdicts)
    ("2025:\n  numerique.fse.seuil_pct: 120\n", "numerique.fse.seuil_pct : valeur 120 ; attendu : un pourcentage de 0 à 100"),
    ("numerique.exercice_coordonne.montant: -900\n",
     "numerique.exercice_coordonne.montant : valeur -900 ; attendu : un nombre positif ou nul"),
    ('numerique:\n  exercice_coordonne.montant: "900"\n',
     "numerique.exercice_coordonne.montant : nombre entre guillemets « 900 » ; attendu : le nombre écrit sans "
     "guillemets, 900"),
    ("numerique.exercice_coordonne.montant: 820.005\n",
     "numerique.exercice_coordonne.montant : valeur 820.005 ; attendu : un montant en euros au centime près, p. ex. "
     "820 ou 820.50"),
])
def test_dotted_keys_are_the_nested_keys_and_checked_as_such(tmp_path, text, why):
    year = 2025 if text.startswith("2025") else 2024
    assert refusal(tmp_path, text, year) == f"S : scénario invalide\n  - {why}"


def test_a_dotted_key_is_applied_like_the_nested_one(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("numerique.exercice_coordonne.montant: 900\nnumerique:\n  scor:\n    montant: 50\n", encoding="utf-8")
    p = load_parameters(2024, Scenario.read(f))
    assert (p.numerique.exercice_coordonne.montant.valeur, p.numerique.scor.montant.valeur) == (900, 50)
    f.write_text("numerique.scor.montant: 40\nnumerique:\n  scor:\n    montant: 50\n", encoding="utf-8")
    with pytest.raises(ParameterError) as info:
        Scenario.read(f)
    assert "numerique.scor.montant : paramètre écrit deux fois ; attendu : une seule valeur" in str(info.value)


@pytest.mark.parametrize("tiny", ["1e-999999999", "1e-2000000", "1e-13"])
def test_a_vanishingly_small_number_is_refused_not_underflowed(tmp_path, tiny):
    """1e-999999999 € passed the « au centime près » check (its exact product underflowed to 0) and ran for minutes."""
    assert refusal(tmp_path, f"numerique:\n  exercice_coordonne:\n    montant: {tiny}\n") == (
        f"S : ligne 3, numerique.exercice_coordonne.montant : nombre « {tiny} » trop petit ; attendu : 0, ou un nombre d'au moins 10⁻¹² (0,000000000001)")


def test_the_values_of_an_exercise_not_computed_are_checked_too(tmp_path):
    """A typo under `2022:` was ignored by a command on 2025 (rosp compute on 2022 refused the same file)."""
    f = tmp_path / "s.yaml"
    f.write_text("2022:\n  numerique:\n    exercice_coordonne:\n      montnat: 900\n"
                 "2025:\n  numerique:\n    exercice_coordonne:\n      montant: 900\n", encoding="utf-8")
    with pytest.raises(ParameterError) as info:
        load_parameters(2025, Scenario.read(f))
    assert "numerique.exercice_coordonne.montnat : ce paramètre n'existe pas pour l'exercice 2022" in str(info.value)
    statement = tmp_path / "v.csv"
    statement.write_text("pharmacie_id;exercice;theme;montant_verse_eur\nPH-TILLEULS;2025;numerique;10\n",
                         encoding="utf-8")
    result = CliRunner().invoke(main, ["rapprocher", str(DATA / "pharmacies.csv"), "--versements", str(statement),
                                       "--parametres", str(f), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "montnat" in result.output, result.output


def test_a_value_for_all_exercises_whose_parameter_exists_in_some_says_where_to_write_it(tmp_path):
    msg = refusal(tmp_path, "bups:\n  asafo:\n    montant: 300\n", 2023)
    assert msg == ("S : scénario invalide\n  - bups.asafo.montant : ce paramètre n'existe pas pour l'exercice 2023, "
                   "seulement pour les exercices 2024, 2025 et 2026 ; attendu : la valeur sous « 2024: », « 2025: » ou "
                   "« 2026: » (au premier niveau, elle vaut pour tous les exercices)")


def test_a_premium_for_a_molecule_not_in_the_list_is_refused_with_the_closest_name(tmp_path):
    """`dabigatrant: 5` was accepted and did nothing (BUPS unchanged), while `rosp regles` printed it."""
    msg = refusal(tmp_path, "2025:\n  bups:\n    molecules_ciblees:\n      primes_par_molecule: {valeur: {dabigatrant: 5}}\n",
                  2025)
    assert msg == ("S (scénario, exercice 2025) : paramètres invalides\n  - bups.molecules_ciblees : primes_par_molecule "
                   "nomme « dabigatrant » (vouliez-vous dire « dabigatran » ?), absente de la liste des molécules ciblées "
                   "(molecules) ; attendu : des molécules de la liste (un scénario qui retire une molécule de la liste la "
                   "retire aussi de ces tables, en les remplaçant)")
    f = tmp_path / "ok.yaml"  # the name as listed, whatever its case: read, and paid
    f.write_text("2025:\n  bups:\n    molecules_ciblees:\n      primes_par_molecule: {valeur: {Dabigatran: 5}}\n",
                 encoding="utf-8")
    table = load_parameters(2025, Scenario.read(f)).bups.molecules_ciblees.primes_par_molecule.valeur
    assert {k: Decimal(str(v)) for k, v in table.items()} == {"Dabigatran": Decimal(5)}
    from rosp_lib.engine import compute_file

    _, lines, _ = compute_file(DATA / "pharmacies.csv", DATA / "molecules.csv", f)
    line = lines[(lines["pharmacie_id"] == "PH-TILLEULS") & (lines["exercice"] == 2025)
                 & lines["valeur"].astype(str).str.contains("dabigatran", case=False)]
    # PH-TILLEULS 2025 (data/molecules.csv): 400 boxes at an arrival rate of 80 % → 320 substituted × 5 € = 1 600 €
    assert line["montant_cents"].tolist() == [160000]


def test_a_tab_and_a_date_written_as_a_number_are_named(tmp_path):
    """A tab gave « YAML illisible … vérifiez l'indentation » without naming it; 20260227 « valeur refusée » without
    what is expected."""
    assert refusal(tmp_path, "numerique:\n\texercice_coordonne:\n\t\tmontant: 900\n") == (
        "S : ligne 2 : YAML illisible ; attendu : un YAML valide (une tabulation décale cette ligne : YAML n'accepte "
        "que des espaces, deux par niveau)")
    assert refusal(tmp_path, "calendrier:\n  fin_declaration: 20260227\n").endswith(
        "  - calendrier.fin_declaration : valeur « 20260227 » : date AAAA-MM-JJ attendue, entre guillemets")


def test_the_other_exercises_are_checked_with_the_values_for_all_and_stay_refused(tmp_path):
    """Review: the other years were checked without the top-level values (a valid scenario refused), and a second
    load of a refused scenario was accepted (the « checked » mark was set before the check)."""
    f = tmp_path / "a.yaml"
    f.write_text("bups:\n  molecules_ciblees:\n    molecules: [sitagliptine, vildagliptine, dabigatran]\n"
                 "    primes_par_molecule: {valeur: {}}\n"
                 "2024:\n  bups:\n    molecules_ciblees:\n      primes_par_molecule: {valeur: {dabigatran: 5}}\n",
                 encoding="utf-8")
    assert load_parameters(2025, Scenario.read(f)).bups.molecules_ciblees.molecules.valeur == [
        "sitagliptine", "vildagliptine", "dabigatran"]
    f.write_text("2024:\n  numerique:\n    exercice_coordonne:\n      montant: 900\n"
                 "2022:\n  numerique:\n    exercice_coordonne:\n      montnt: 900\n", encoding="utf-8")
    s = Scenario.read(f)
    for _ in range(2):
        with pytest.raises(ParameterError, match="montnt : ce paramètre n'existe pas pour l'exercice 2022"):
            load_parameters(2024, s)


def test_a_shortened_molecule_list_names_the_tables_that_still_name_the_molecule_left_out(tmp_path):
    """2023 pays palipéridone its own premium and no floor: a scenario that leaves it out of the list must replace
    those tables too — said table by table, the molecule named once per table."""
    msg = refusal(tmp_path, "2023:\n  bups:\n    molecules_ciblees:\n      molecules: [sitagliptine, vildagliptine]\n",
                  2023)
    assert msg == ("S (scénario, exercice 2023) : paramètres invalides\n  - bups.molecules_ciblees : primes_par_molecule "
                   "nomme « palipéridone », absente de la liste des molécules ciblées (molecules) ; sans_plancher nomme "
                   "« palipéridone », absente de la liste des molécules ciblées (molecules) ; attendu : des molécules de "
                   "la liste (un scénario qui retire une molécule de la liste la retire aussi de ces tables, en les "
                   "remplaçant)")


def test_a_duration_is_said_with_a_decimal_comma():
    from rosp_lib.lines.formatting import seconds

    assert (seconds(53.94), seconds(6.56), seconds(0.04)) == ("53,9 s", "6,6 s", "0,0 s")


def test_an_alternative_reading_is_written_from_the_parameters(tmp_path):
    """The alternative readings typed amounts (« non_exige : socle non exigé, 820 € versés s'il est atteint ») that a
    scenario did not change (900 € in the rule, 820 € in its alternative), and showed « false » in French text."""
    from rosp_lib.parameters import load_parameters, iter_leaves

    scenario = tmp_path / "ec900.yaml"
    scenario.write_text("numerique.exercice_coordonne.montant: 900\n", encoding="utf-8")
    ref, alt = (dict(iter_leaves(load_parameters(2023, s))) for s in (None, scenario))
    key = "numerique.exercice_coordonne.etat"
    assert ref[key].alternative == "non_exige : socle non exigé, 820,00\u00a0€ versés s'il est atteint (comme en 2022)"
    assert alt[key].alternative == "non_exige : socle non exigé, 900,00\u00a0€ versés s'il est atteint (comme en 2022)"
    assert ref["general.donnee_manquante_montant_bas"].alternative.startswith("non : 0 €")
    assert ref["numerique.malus_qualite_facturation.fse_securisees_ecart_fort_points"].alternative == (
        "6 points : 12 points au-delà de 6 points d'écart, 4 points jusqu'à 6")  # the value as its parameter is written
    two = dict(iter_leaves(load_parameters(2022)))
    assert two["numerique.eprescription.etat"].alternative == (
        "actif : 250,00\u00a0€ si ≥ 35 % des prescriptions exécutées en e-prescription")
    # no parameter file types a figure of a sibling parameter in an alternative any more: each is rendered
    for year in range(2022, 2027):
        for path, leaf in iter_leaves(load_parameters(year)):
            assert "{" not in (leaf.alternative or ""), path


@pytest.mark.parametrize("text,why", [
    ("0 : seul le palier {haut} paie", "le paramètre « haut » n'existe pas (nœud bups.stabilite_75)"),
    ("0 : seul le palier (voir {note) paie", "expected '}' before end of string"),
])
def test_an_alternative_that_names_no_parameter_is_refused_in_french(tmp_path, text, why):
    """A placeholder of a parameter file's `alternative` that names nothing (or a brace left open) gave an English
    traceback in every command (KeyError, ValueError): a French refusal naming the file and the key."""
    import shutil

    from rosp_lib.parameters import PARAMETERS_DIR, ParameterError, load_parameters

    folder = tmp_path / "parameters"
    shutil.copytree(PARAMETERS_DIR, folder)
    path = folder / "2023.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("'0 : seul le palier de {seuil_haut_pct} paie'",
                                                             repr(text)), encoding="utf-8")
    with pytest.raises(ParameterError) as err:
        load_parameters(2023, directory=folder)
    assert str(err.value) == (f"{path} : bups.stabilite_75.montant_bas.alternative « {text} » : {why} ; attendu : un "
                              "texte dont chaque {…} nomme un paramètre du même nœud (ex. {montant}), sans autre accolade")


# ---------------------------------------------------------------------------------------------------------------
# Yes-or-no parameters (2026-12-02, audit): `rosp parametres show` prints them « oui » / « non »
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("written,read", [("oui", True), ("non", False), ("Non", False), ("OUI", True),
                                          ("true", True), ("false", False), ('"true"', True), ("'False'", False),
                                          ("yes", True), ("no", False), ("No", False), ('"yes"', True)])
def test_a_yes_or_no_parameter_reads_oui_and_non(tmp_path, written, read):
    """« non » was refused (« true ou false attendu ») though `rosp parametres show` prints the value « non »."""
    f = tmp_path / "scenario.yaml"
    f.write_text(f"general:\n  prorata_forfaits: {written}\n", encoding="utf-8")
    assert load_parameters(2024, Scenario.read(f)).general.prorata_forfaits.valeur is read


@pytest.mark.parametrize("written,shown", [("1", "1"), ("0", "0"), ("peut-être", "« peut-être »"), ('""', "vide"),
                                           ("", "vide"), ("~", "vide"), ("null", "vide"),
                                           ("[oui]", "qui est une liste"), ("off", "« off »"), ("On", "« On »")])
def test_a_yes_or_no_parameter_refuses_anything_else(tmp_path, written, shown):
    """1 and 0 were read true and false without a word (pydantic's lax reading); a text said in pydantic's terms."""
    assert refusal(tmp_path, f"general:\n  prorata_forfaits: {written}\n") == (
        f"S : scénario invalide\n  - general.prorata_forfaits : valeur {shown} ; attendu : true ou false (ou oui, non, yes, no)")


def test_an_unknown_key_for_all_exercises_is_said_unknown_for_every_one(tmp_path):
    """At the top level a value is for every exercise: « n'existe pas pour l'exercice 2022 » read as if it were
    written for 2022 only."""
    f = tmp_path / "s.yaml"
    f.write_text("numerique:\n  fse:\n    prix_unitaire_hautt: 1\n", encoding="utf-8")
    with pytest.raises(ParameterError) as info:
        load_parameters(2024, Scenario.read(f))
    assert str(info.value) == (f"{f} : scénario invalide\n  - numerique.fse.prix_unitaire_hautt : ce paramètre n'existe "
                               "pour aucun exercice — vouliez-vous dire « numerique.fse.prix_unitaire_haut » ?")
    f.write_text("2024:\n  numerique:\n    fse:\n      prix_unitaire_hautt: 1\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="prix_unitaire_hautt : ce paramètre n'existe pas pour l'exercice 2024 —"):
        load_parameters(2024, Scenario.read(f))


# ---------------------------------------------------------------------------------------------------------------
# YAML 1.1's other booleans (2026-12-03): `yes`, `no`, `on`, `off` were read True and False, then shown « true »
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["yes", "Yes", "on", "OFF", "no"])
def test_yaml_1_1_booleans_are_shown_as_written_where_a_number_is_expected(tmp_path, value):
    """`montant: yes` said « valeur true (un booléen) » about a value the user wrote « yes »."""
    msg = refusal(tmp_path, f"numerique:\n  exercice_coordonne:\n    montant: {value}\n")
    assert msg.endswith(f"numerique.exercice_coordonne.montant : valeur « {value} » : nombre attendu")
    assert "true" not in msg and "false" not in msg


def test_a_value_out_of_a_list_of_choices_is_shown_as_written(tmp_path):
    """`arrondi: on` said « valeur refusée » without the value (read True by YAML 1.1, then refused); the choices were
    pydantic's « 'demi_haut' or 'demi_pair' »: each is now in French quotes, with what it means (review)."""
    choices = "attendu : « demi_haut » (au demi supérieur) ou « demi_pair » (au pair)"
    msg = refusal(tmp_path, "general:\n  arrondi: on\n")
    assert msg.endswith(f"general.arrondi : valeur « on » refusée ; {choices}")
    msg = refusal(tmp_path, "general:\n  arrondi: demi-haut\n")
    assert msg.endswith(f"general.arrondi : valeur « demi-haut » refusée ; {choices}")
    msg = refusal(tmp_path, "2024:\n  bups:\n    molecules_ciblees:\n      lecture: autre\n")
    assert msg.endswith("bups.molecules_ciblees.lecture : valeur « autre » refusée ; attendu : « substituees » (boîtes "
                        "substituées), « plancher » (boîtes substituées, toutes payées dès que le taux d'arrivée passe le "
                        "plancher) ou « progression » (boîtes "
                        "gagnées sur le taux de départ)")


def test_many_unknown_keys_give_twenty_messages_then_a_count(tmp_path):
    """100 unknown keys printed 100 messages (review): at most 20, then how many more."""
    said = refusal(tmp_path, "\n".join(f"numerique.k{i}: 1" for i in range(100)))
    lines = said.split("\n")
    assert lines[0] == "S : scénario invalide" and len(lines) == 22
    assert lines[1].startswith("  - numerique.k0 : ce paramètre n'existe pour aucun exercice")
    assert lines[20].startswith("  - numerique.k19 : ")
    assert lines[21] == "  - … et 80 autres problèmes"


def test_a_scenario_s_control_and_bidirectional_characters_are_shown_escaped(tmp_path):
    """A value with a terminal's escape sequence and a bell, or a key with U+202E (which turns the text after it
    around), reached the console as written (review): shown escaped, as the input files' messages do."""
    said = refusal(tmp_path, 'numerique:\n  teleconsultation:\n    tranches: "a\\e[31mROUGE\\a"\n')
    assert "tranches : valeur « a\\x1b[31mROUGE\\x07 » refusée" in said
    said = refusal(tmp_path, "numerique.exercice\u202ecoordonne.montant: 5\n")
    assert said.startswith("S : scénario invalide\n  - numerique.exercice\\u202ecoordonne.montant : ce paramètre "
                           "n'existe pour aucun exercice")
    assert not [c for c in said if c != "\n" and (ord(c) < 32 or c in "\x7f\u202e")]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_a_file_in_utf16_without_its_mark_is_named_so(tmp_path, encoding):
    """Plain letters in UTF-16 without a mark are valid UTF-8 (each beside a NUL byte): the file read « YAML
    illisible », which says nothing of the cause (review)."""
    msg = refusal(tmp_path, "numerique:\n  scor:\n    montant: 50\n".encode(encoding))
    assert msg == ("S : le fichier contient des octets nuls (ligne 1) : UTF-16 ou UTF-32 sans marque d'ordre des octets ? ; "
                   "attendu : un fichier YAML enregistré en UTF-8")


def test_a_line_break_in_a_scenario_value_cannot_add_a_line_to_the_list_of_problems(tmp_path):
    """A value « a⏎  - ligne 2 : faux problème » printed a problem line of its own making (review): escaped."""
    said = refusal(tmp_path, 'numerique:\n  teleconsultation:\n    tranches: "a\\n  - ligne 2 : faux problème"\n')
    assert "tranches : valeur « a\\n  - ligne 2 : faux problème » refusée" in said
    assert len(said.split("\n")) == 2


def test_a_percentage_written_as_a_fraction_is_said_with_the_value_to_write(tmp_path):
    """`numerique.fse.seuil_pct: 0.95` was read 0,95 % without a word: an FSE rate of 50 % got the high price (review).
    Said as the input tables say a rate column of fractions, with the value to write; a percentage whose reference is
    itself at most 1 % (the doubles paiements' 0,06 %) says nothing."""
    from click.testing import CliRunner

    from rosp_lib.cli import main
    from rosp_lib.parameters import scenario_warnings

    data = Path(__file__).resolve().parents[1] / "data"
    scenario = tmp_path / "fractions.yaml"
    scenario.write_text("numerique.fse.seuil_pct: 0.95\n2025:\n  numerique:\n    malus_qualite_facturation:\n"
                        "      double_paiement_seuil_bas_pct: 0.05\n", encoding="utf-8")
    said = ("scénario fractions.yaml : numerique.fse.seuil_pct = 0,95, lu 0,95 % (la valeur de référence des exercices "
            "2024 et 2025 est 95 %) : un pourcentage s'écrit sur 100 ; si vous vouliez 95 %, écrivez 95")
    assert scenario_warnings(scenario, [2025, 2024, 2025]) == [said]
    result = CliRunner().invoke(main, ["compute", str(data / "pharmacies.csv"), "--molecules", str(data / "molecules.csv"),
                                       "--parametres", str(scenario), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Avertissement : scénario fractions.yaml : numerique.fse.seuil_pct = 0,95, lu 0,95 %" in result.stderr
    assert "double_paiement" not in result.stderr
    scenario.write_text("numerique.fse.seuil_pct: 95\n", encoding="utf-8")
    assert scenario_warnings(scenario, [2024]) == []
    # a percentage of its own at most 1 % where the reference is small (rejects IRIS: 2 %) is plausible (review: « si
    # vous vouliez 100 %, écrivez 100 » of a rejects threshold)
    scenario.write_text("numerique.malus_qualite_facturation.rejets_iris_seuil_bas_pct: 1\n", encoding="utf-8")
    assert scenario_warnings(scenario, [2025]) == []


@pytest.mark.parametrize("value, said", [("1", True), ("1.01", False), ("0.01", True), ("0", False)])
def test_the_fraction_warning_at_the_bounds_of_its_value(tmp_path, value, said):
    """A value is said when 0 < value ≤ 1 (the FSE threshold's reference is 95 %): 1 and 0,01 are, 1,01 and 0 are not."""
    from rosp_lib.parameters import scenario_warnings

    scenario = tmp_path / "bornes.yaml"
    scenario.write_text(f"numerique.fse.seuil_pct: {value}\n", encoding="utf-8")
    assert bool(scenario_warnings(scenario, [2025])) is said


@pytest.mark.parametrize("delta, said", [("0", True), ("0.01", False)])
def test_the_fraction_warning_at_the_bound_of_the_reference(tmp_path, monkeypatch, delta, said):
    """Said only where the reference is at least FRACTION_REFERENCE_MIN: at exactly the reference of the FSE threshold
    (95 %) it is said, a hundredth above it is not."""
    import rosp_lib.parameters as parameters

    reference = load_parameters(2025).numerique.fse.seuil_pct.valeur
    monkeypatch.setattr(parameters, "FRACTION_REFERENCE_MIN", reference + Decimal(delta))
    scenario = tmp_path / "borne.yaml"
    scenario.write_text("numerique.fse.seuil_pct: 0.95\n", encoding="utf-8")
    assert bool(parameters.scenario_warnings(scenario, [2025])) is said


DEADLINES = ["fin_declaration", "fin_autoevaluation_dqo", "fin_actions_dqo", "fin_periode_malus_facturation"]


@pytest.mark.parametrize("name", DEADLINES)
@pytest.mark.parametrize("day", ["2019-01-31", "2023-12-31", "2026-01-01", "2999-01-31"])
def test_a_deadline_outside_the_exercise_and_the_next_year_is_refused(tmp_path, name, day):
    """A scenario's « fin_declaration: 2019-01-31 » for 2024 closed every declaration of the gains (1 039 € still
    within reach, then 0 €) without a word (review): a deadline of the exercise N falls in N or N+1."""
    said = refusal(tmp_path, f"2024:\n  calendrier:\n    {name}: '{day}'\n")
    y, m, d = day.split("-")
    assert f"calendrier.{name} vaut {d}/{m}/{y} pour l'exercice 2024 ; attendu : une date de 2024 ou de 2025 (" in said
    # the key of the exercise the date may concern, one that would take it (review: « (2024:) » for a date of 2019)
    assert said.endswith(f"écrivez-la sous la clé de l'exercice qu'elle concerne ({int(y) - 1}: ou {int(y)}:)")


@pytest.mark.parametrize("name", DEADLINES)
@pytest.mark.parametrize("day", ["2024-01-01", "2025-12-31"])
def test_a_deadline_in_the_exercise_or_the_next_year_is_read(tmp_path, name, day):
    f = tmp_path / "scenario.yaml"
    f.write_text(f"2024:\n  calendrier:\n    {name}: '{day}'\n", encoding="utf-8")
    assert str(getattr(load_parameters(2024, Scenario.read(f)).calendrier, name).valeur) == day


@pytest.mark.parametrize("content, said", [
    ("primes_par_molecule: {valeur: {sitagliptine/metformine: 3, metformine/sitagliptine: 5}}",
     "primes_par_molecule nomme deux fois la même molécule : « sitagliptine/metformine » et « metformine/sitagliptine »"),
    ("molecules: [sitagliptine, Metformine + Sitagliptine, sitagliptine/metformine]",
     "molecules nomme deux fois la même molécule : « Metformine + Sitagliptine » et « sitagliptine/metformine »"),
    ("molecules: [Sitagliptine, sitagliptine]", "molecules nomme deux fois la même molécule : « Sitagliptine » et "
                                                "« sitagliptine »"),
])
def test_one_molecule_named_twice_in_a_table_is_refused(tmp_path, content, said):
    """An association in both orders is one molecule (the reading matches it so): two premiums for it were accepted
    and the last one paid, silently (review)."""
    refused = refusal(tmp_path, f"2024:\n  bups:\n    molecules_ciblees:\n      {content}\n")
    assert f"bups.molecules_ciblees : {said} ; attendu : chaque molécule une fois (casse, accents, espaces, signe et " \
           "ordre des molécules d'une association indifférents)" in refused


def test_a_payment_date_of_another_year_names_the_exercise_it_pays(tmp_path):
    """A payment date given for every exercise was refused naming the key of the first exercise it fails for (« sous
    la clé de son année (2022:) »), where it would be refused too (review): it names the exercise the date pays."""
    said = refusal(tmp_path, "calendrier:\n  versement:\n    bups: '2025-06-30'\n", year=2022)
    assert said.endswith("écrivez-la sous la clé de l'exercice qu'elle paie (2024:)")
    f = tmp_path / "ok.yaml"
    f.write_text("2024:\n  calendrier:\n    versement:\n      bups: '2025-06-30'\n", encoding="utf-8")
    assert str(load_parameters(2024, Scenario.read(f)).calendrier.versement.bups.valeur) == "2025-06-30"


@pytest.mark.parametrize("digits, shortened", [(22, False), (23, True)])
def test_a_number_is_shortened_just_above_its_bound(tmp_path, digits, shortened):
    """The bound of the shortening (20 characters shown, a text of up to 22 whole): at it and just above."""
    value = "9" * digits
    msg = refusal(tmp_path, f"numerique:\n  scor:\n    montant: {value}\n")
    shown = f"{'9' * 20}… ({digits} chiffres)" if shortened else value
    assert msg == f"S : scénario invalide\n  - numerique.scor.montant : valeur {shown} ; attendu : un montant plausible " \
                  "(au plus 1 000 000 €)"


@pytest.mark.parametrize("length, shortened", [(40, False), (41, True)])
def test_a_key_is_shortened_just_above_its_bound(tmp_path, length, shortened):
    key = "9" * length
    shown = f"{'9' * 39}… ({length} caractères)" if shortened else key
    msg = refusal(tmp_path, f"numerique:\n  {key}: 5\n")  # a number where a name is expected
    assert msg.startswith(f"S : ligne 2 : clé « {shown} » qui n'est pas un nom")
    msg = refusal(tmp_path, f"{key}:\n  numerique:\n    scor:\n      montant: 5\n")  # a year without parameters
    assert f"  - {shown} : aucun paramètre pour cet exercice" in msg
