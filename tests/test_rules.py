"""The seeds' worked examples as plain tests, the money rounding rules, and the case evaluator.

Amounts are checked in integer cents; every expected figure is the arithmetic of docs/regles.md, written out.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from pathlib import Path

import numpy as np
import pytest

from helpers_rules import (
    ExpressionError,
    amount,
    cents,
    evaluate,
    molecules_frame,
    pharmacies_frame,
    to_cents,
    write_csv,
)
from rosp_lib.lines import money
from rosp_lib.engine import compute, totals
from rosp_lib.inputs import read_molecules, read_pharmacies
from rosp_lib.registry import THEME_CODES as THEMES

SOCLES_NUMERIQUE = {"exercice_coordonne": "oui", "logiciel_segur": "oui"}


def run(tmp_path, rows, molecules=None):
    """Write the rows as the user's CSV, read them with the project's reader, compute."""
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", rows, sep=";"))
    mol = read_molecules(write_csv(tmp_path / "molecules.csv", molecules), pharmacies) if molecules else None
    lines = compute(pharmacies, mol)
    return lines, totals(lines, pharmacies)


# ----------------------------------------------------------------------------------------------
# The seeds' worked examples
# ----------------------------------------------------------------------------------------------
def test_seed_vaccination_200_rva_dont_52_prescrits_2024(tmp_path):
    # 52 / 200 = 26 % > 5 % → 3 € × 52 = 156 €
    lines, tot = run(tmp_path, [{"pharmacie_id": "V", "exercice": 2024, "nb_rva_960": 52, "nb_rva_750": 148}])
    assert amount(lines, "vaccination", "bonus_prescription") == 156_00
    assert int(tot.loc[0, "vaccination"]) == 156_00


def test_seed_borne_et_deux_lecteurs(tmp_path):
    # 689 € + 250 € × 2 = 1 189 €
    row = {"pharmacie_id": "B", "exercice": 2025, **SOCLES_NUMERIQUE,
           "borne_maj_carte_vitale": "oui", "nb_lecteurs_maj_carte_vitale": 2}
    lines, _ = run(tmp_path, [row])
    assert amount(lines, "numerique", "maj_carte_vitale") == 1189_00


def test_seed_sans_borne_cinq_lecteurs(tmp_path):
    # 250 € × min(5, 4) = 1 000 €
    row = {"pharmacie_id": "L", "exercice": 2025, **SOCLES_NUMERIQUE,
           "borne_maj_carte_vitale": "non", "nb_lecteurs_maj_carte_vitale": 5}
    lines, _ = run(tmp_path, [row])
    assert amount(lines, "numerique", "maj_carte_vitale") == 1000_00


def test_seed_sitagliptine_486_boites_85_93_en_2024(tmp_path):
    # 0,22565 × 486 × 93 / 100 = 101,9893… → 101,99 € (boîtes substituées, règles révisées 2026-12)
    row = {"pharmacie_id": "S", "exercice": 2024, "dqo_autoevaluation": "oui", "dqo_newsletter": "oui",
           "dqo_programme_amelioration": "oui", "taux_generiques_repertoire_pct": "88"}
    mol = [{"pharmacie_id": "S", "exercice": 2024, "molecule": "sitagliptine", "nb_boites": 486,
            "taux_depart_pct": 85, "taux_arrivee_pct": "93,0"}]
    lines, tot = run(tmp_path, [row], mol)
    assert amount(lines, "bups", "molecules_ciblees") == 101_99
    assert int(tot.loc[0, "bups"]) == 100_00 + 101_99


@pytest.mark.parametrize("year,molecule,boxes,arrival,expected", [
    (2024, "sitagliptine", 486, 93, 101_99),  # 0,22565 € × 486 × 93 % = 0,22565 € × 451,98 = 101,9893… → 101,99 €
    (2025, "dabigatran", 400, 80, 72_21),     # 0,22565 € × 320 = 72,208 → 72,21 €
    (2023, "vildagliptine/metformine", 50, 80, 92_00),  # 80 % > 72 % : 2,30 € × 50 × 80 % = 2,30 € × 40 = 92,00 €
])
def test_molecule_without_its_starting_rate_is_paid_on_the_substituted_boxes(tmp_path, year, molecule, boxes, arrival,
                                                                              expected):
    """The starting rate is read by the « progression » reading only; a molecule line without it was « donnée
    manquante », 0 €, under the reading of reference, which pays on the substituted boxes (boxes × arrival rate)."""
    row = {"pharmacie_id": "S", "exercice": year, "dqo_autoevaluation": "oui", "dqo_newsletter": "oui",
           "dqo_programme_amelioration": "oui", "taux_generiques_repertoire_pct": 90}  # the socles met
    mol = [{"pharmacie_id": "S", "exercice": year, "molecule": molecule, "nb_boites": boxes, "taux_depart_pct": "",
            "taux_arrivee_pct": arrival}]
    lines, _ = run(tmp_path, [row], mol)
    line = lines[lines["indicateur"] == "molecules_ciblees"].iloc[0]
    assert (int(line["montant_cents"]), line["atteint"], bool(line["donnee_manquante"])) == (expected, "oui", False)
    assert line["valeur"] == f"{molecule} : {boxes} boîtes, départ vide → {arrival} %"
    assert line["entrees"] == f"molecule={molecule} ; nb_boites={boxes} ; taux_depart_pct=vide ; taux_arrivee_pct={arrival}"


@pytest.mark.parametrize("year,molecule,boxes,arrival,cents_expected,rests_on_premium", [
    (2024, "sitagliptine", 486, 93, 101_99, True),  # paid: 0,22565 € × 451,98 boxes substituted (hypothesis)
    (2024, "sitagliptine", 486, 0, 0, False),       # nothing substituted: 0 € under any premium
    (2024, "sitagliptin", 486, 93, 0, False),       # out of the 2024 list: 0 € whatever the premium
    (2025, "sitagliptine", 200, 90, 0, False),      # not in the 2025 list (tériflunomide, dabigatran…)
    (2023, "sitagliptine", 100, 72, 0, False),      # 72 % is not above the 2023 floor: 0 € at 2,30 or 2,80 €
    (2023, "sitagliptine", 100, 80, 184_00, True),  # 2,30 € × 80 boxes (hypothesis; alternative 2,80 €)
])
def test_a_molecule_line_rests_on_the_premium_only_when_the_premium_pays_it(tmp_path, year, molecule, boxes, arrival,
                                                                            cents_expected, rests_on_premium):
    """A molecule out of the list, without substituted boxes or under the floor named the premium's hypothesis
    (bups.molecules_ciblees.prime_par_boite), although it pays 0 € under either reading (audit)."""
    row = {"pharmacie_id": "S", "exercice": year, "dqo_autoevaluation": "oui", "dqo_newsletter": "oui",
           "dqo_programme_amelioration": "oui", "taux_generiques_repertoire_pct": 90}
    mol = [{"pharmacie_id": "S", "exercice": year, "molecule": molecule, "nb_boites": boxes, "taux_depart_pct": 50,
            "taux_arrivee_pct": arrival}]
    lines, _ = run(tmp_path, [row], mol)
    line = lines[lines["indicateur"] == "molecules_ciblees"].iloc[0]
    assert int(line["montant_cents"]) == cents_expected
    assert ("bups.molecules_ciblees.prime_par_boite" in line["hypotheses"]) is rests_on_premium
    assert (line["statut_regle"] == "hypothese") is rests_on_premium


@pytest.mark.parametrize("rate,points,rests_on_gap", [
    ("69", 0, False),    # at the 2024 target (≥ 69 %): 0 point whatever the gap that gives 12 points
    ("", 0, False),      # missing: 0 point, said so, whatever that gap
    ("66", 4, True),     # 3 points under the target: 4 points (a gap, read with its size)
    ("60", 12, True),    # 9 points under: 12 points
])
def test_the_secured_fse_line_rests_on_the_size_of_the_strong_gap_only_with_a_gap(tmp_path, rate, points,
                                                                                   rests_on_gap):
    """The secured-FSE sub-line named numerique.malus_qualite_facturation.fse_securisees_ecart_fort_points (5 points,
    a hypothesis; alternative 6) at the target or without a rate, where it has 0 point under either reading (audit)."""
    row = {"pharmacie_id": "F", "exercice": 2024, **SOCLES_NUMERIQUE, "nb_factures_periode_malus": 500,
           "taux_fse_securisees_pct": rate}
    lines, _ = run(tmp_path, [row])
    line = lines[lines["indicateur"] == "facturation_fse_securisees"].iloc[0]
    assert line["note"].startswith("taux manquant : 0 point" if not rate else f"{points} point")
    assert ("fse_securisees_ecart_fort_points" in line["hypotheses"]) is rests_on_gap


@pytest.mark.parametrize("secured,double,malus,on_gap,on_double", [
    # 2025 (rules.md §1.3): target 71 %; 65,5 % is 5,5 points under it, « more than 5 » → 12 points → 20 % of the
    # theme (820 € socle-met exercice coordonné + 15 FSE × 0,070 € = 821,05 €): −164,21 €; under the alternative
    # (« more than 6 ») 4 points → 10 %: the malus rests on the size of the strong gap
    ("65,5", "0", "-164.21", True, False),
    # at the target: 0 point whatever the gap; a double paiement rate of 0 has 0 point whatever the low threshold
    # (0,06 %, alternative 0,01 %), and 0,05 % has its points under 0,01 % only: it rests on the low threshold
    ("71", "0", "0.00", False, False),
    ("71", "0,05", "0.00", False, True),
    # 0,1 % (the high threshold is « more than 0,1 % »): 3 points → 10 % of 821,05 € = 82,105 €, −82,11 € (half-cent
    # up); a rate not above the high threshold is named: a reading of the low one between 0 and 0,1 % decides it
    ("71", "0,1", "-82.11", False, True),
    # above the high threshold (« more than 0,1 % »): 9 points → 10 %, whatever the low threshold
    ("71", "0,2", "-82.11", False, False),
])
def test_the_billing_malus_line_names_the_readings_its_points_rest_on(tmp_path, secured, double, malus, on_gap,
                                                                      on_double):
    """The malus line named the double paiement's low threshold always, and never the size of the FSE sécurisées gap
    its sub-line named (audit): its `hypotheses` are what its score rests on, for this pharmacy."""
    row = {"pharmacie_id": "F", "exercice": 2025, **SOCLES_NUMERIQUE, "nb_fse": 15, "taux_fse_sesam_vitale_pct": "96",
           "nb_factures_periode_malus": 500, "taux_fse_securisees_pct": secured, "taux_rejets_iris_pct": "0",
           "taux_double_paiement_pct": double}
    lines, _ = run(tmp_path, [row])
    line = lines[lines["indicateur"] == "malus_qualite_facturation"].iloc[0]
    assert line["montant_cents"] == cents(malus)
    keys = line["hypotheses"].split(" ; ")
    assert ("numerique.malus_qualite_facturation.fse_securisees_ecart_fort_points" in keys) is on_gap
    assert ("numerique.malus_qualite_facturation.double_paiement_seuil_bas_pct" in keys) is on_double
    assert (line["statut_regle"] == "hypothese") is bool(line["hypotheses"])


def test_a_scenario_low_threshold_of_double_paiement_is_named_on_the_malus_it_makes(tmp_path):
    """A scenario reading the double paiement's low threshold as 0,01 % (the other reading): a rate of 0,03 % has 3
    points under it (0 under the tool's 0,06 %) → 10 % of 821,05 € = −82,11 €; its malus line named neither the key
    nor the scenario (review), the mask assuming the other reading lower than the one in force."""
    scenario = tmp_path / "seuil.yaml"
    scenario.write_text("2025:\n  numerique:\n    malus_qualite_facturation:\n      double_paiement_seuil_bas_pct: 0.01\n",
                        encoding="utf-8")
    row = {"pharmacie_id": "F", "exercice": 2025, **SOCLES_NUMERIQUE, "nb_fse": 15, "taux_fse_sesam_vitale_pct": "96",
           "nb_factures_periode_malus": 500, "taux_fse_securisees_pct": "71", "taux_rejets_iris_pct": "0",
           "taux_double_paiement_pct": "0,03"}
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [row], sep=";"))
    lines = compute(pharmacies, scenario=scenario)
    line = lines[lines["indicateur"] == "malus_qualite_facturation"].iloc[0]
    key = "numerique.malus_qualite_facturation.double_paiement_seuil_bas_pct"
    assert line["montant_cents"] == cents("-82.11")
    assert key in line["scenario"].split(" ; ")


def test_molecule_without_its_starting_rate_is_missing_in_the_progression_reading(tmp_path):
    """The boxes gained (boxes × (arrival − start) / 100) need the starting rate: without it, « donnée manquante »."""
    from rosp_lib.engine import parameters_for
    from rosp_lib.parameters import Scenario

    path = tmp_path / "progression.yaml"
    path.write_text("2024:\n  bups:\n    molecules_ciblees:\n      lecture: progression\n", encoding="utf-8")
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [{"pharmacie_id": "S", "exercice": 2024}]))
    mol = read_molecules(write_csv(tmp_path / "molecules.csv", [
        {"pharmacie_id": "S", "exercice": 2024, "molecule": "sitagliptine", "nb_boites": 486, "taux_depart_pct": "",
         "taux_arrivee_pct": 93}]), pharmacies)
    lines = compute(pharmacies, mol, parameters_for([2024], Scenario.read(path)))
    line = lines[lines["indicateur"] == "molecules_ciblees"].iloc[0]
    assert (int(line["montant_cents"]), line["atteint"], bool(line["donnee_manquante"])) == (0, "donnée manquante", True)


def test_seeds_together_in_one_table(tmp_path):
    """The four examples in one table: one vectorised pass gives each pharmacy its own amounts."""
    rows = [
        {"pharmacie_id": "V", "exercice": 2024, "nb_rva_960": 52, "nb_rva_750": 148},
        {"pharmacie_id": "B", "exercice": 2024, **SOCLES_NUMERIQUE, "borne_maj_carte_vitale": "oui",
         "nb_lecteurs_maj_carte_vitale": 2},
        {"pharmacie_id": "L", "exercice": 2024, **SOCLES_NUMERIQUE, "nb_lecteurs_maj_carte_vitale": 5},
        {"pharmacie_id": "S", "exercice": 2024, "dqo_autoevaluation": "oui", "dqo_newsletter": "oui",
         "dqo_programme_amelioration": "oui", "taux_generiques_repertoire_pct": 88},
    ]
    mol = [{"pharmacie_id": "S", "exercice": 2024, "molecule": "Sitagliptine", "nb_boites": 486,
            "taux_depart_pct": 85, "taux_arrivee_pct": 93}]
    lines, tot = run(tmp_path, rows, mol)
    assert amount(lines, "vaccination", "bonus_prescription", "V") == 156_00
    assert amount(lines, "numerique", "maj_carte_vitale", "B") == 1189_00
    assert amount(lines, "numerique", "maj_carte_vitale", "L") == 1000_00
    assert amount(lines, "bups", "molecules_ciblees", "S") == 101_99
    assert list(tot["pharmacie_id"]) == ["V", "B", "L", "S"]
    assert tot.set_index("pharmacie_id").loc["B", "numerique"] == 820_00 + 1189_00


def test_typed_helper_matches_the_reader(tmp_path):
    """`pharmacies_frame` (used by the property tests) gives the same lines as `read_pharmacies`."""
    rows = [
        {"pharmacie_id": "A", "exercice": 2024, **SOCLES_NUMERIQUE, "nb_fse": 40000,
         "taux_fse_sesam_vitale_pct": "95,5", "debut_activite": "2024-03-01", "drom": "oui",
         "nb_kits_remis": 12, "nb_kits_realises": 7, "taux_urgence_pct": "", "nb_rva_960": 3, "nb_rva_750": 20},
        {"pharmacie_id": "B", "exercice": 2022, "dqo_autoevaluation": "x", "dqo_newsletter": "vrai",
         "taux_generiques_repertoire_pct": "85", "taux_stabilite_75_pct": "90.5", "nb_kits_remis": 3},
    ]
    mol = [{"pharmacie_id": "A", "exercice": 2024, "molecule": "palipéridone", "nb_boites": 10,
            "taux_depart_pct": "1", "taux_arrivee_pct": "2,5"}]
    via_reader, _ = run(tmp_path, rows, mol)
    via_helper = compute(pharmacies_frame(rows), molecules_frame(mol))
    cols = ["pharmacie_id", "exercice", "theme", "indicateur", "montant_cents", "atteint", "donnee_manquante"]
    assert via_helper[cols].astype(str).values.tolist() == via_reader[cols].astype(str).values.tolist()


# ----------------------------------------------------------------------------------------------
# Line shape and theme totals
# ----------------------------------------------------------------------------------------------
def test_totals_are_sums_of_lines_on_the_example_data(data_dir):
    pharmacies = read_pharmacies(data_dir / "pharmacies.csv")
    mol = read_molecules(data_dir / "molecules.csv", pharmacies)
    lines = compute(pharmacies, mol)
    tot = totals(lines, pharmacies)
    sums = lines.groupby(["pharmacie_id", "exercice", "theme"])["montant_cents"].sum()
    for row in tot.itertuples(index=False):
        for theme in THEMES:
            expected = int(sums.get((row.pharmacie_id, row.exercice, theme), 0))
            assert getattr(row, theme) == expected, (row.pharmacie_id, theme)
        assert row.total == sum(getattr(row, t) for t in THEMES)


def test_neutralised_and_hypothesis_lines_say_so(tmp_path):
    lines, _ = run(tmp_path, [{"pharmacie_id": "N", "exercice": 2024, **SOCLES_NUMERIQUE,
                               "taux_eprescription_pct": 90}])
    epres = lines[lines["indicateur"] == "eprescription"].iloc[0]
    assert epres["atteint"] == "neutralisé"
    assert "neutralisé pour cet exercice" in epres["note"]
    assert epres["montant_cents"] == 0
    # "started tranche" and first-year cumulation are sources since the revision of 2026-12
    tele = lines[lines["indicateur"] == "teleconsultation"].iloc[0]
    assert tele["statut_regle"] == "source"


def test_lower_amount_for_missing_rate_is_a_hypothesis_on_that_line_only(tmp_path):
    """nb_fse known, rate empty: the low unit price is paid, flagged, under the hypothesis (docs/regles.md)."""
    lines, _ = run(tmp_path, [
        {"pharmacie_id": "VIDE", "exercice": 2024, **SOCLES_NUMERIQUE, "nb_fse": 1000},
        {"pharmacie_id": "CONNU", "exercice": 2024, **SOCLES_NUMERIQUE, "nb_fse": 1000, "taux_fse_sesam_vitale_pct": 96},
    ])
    fse = lines[lines["indicateur"] == "fse"].set_index("pharmacie_id")
    assert fse.loc["VIDE", "montant_cents"] == 6400  # 0,064 € × 1 000
    assert bool(fse.loc["VIDE", "donnee_manquante"])
    assert fse.loc["VIDE", "statut_regle"] == "hypothese"
    assert "general.donnee_manquante_montant_bas" in fse.loc["VIDE", "hypotheses"].split(" ; ")
    assert fse.loc["CONNU", "montant_cents"] == 7000  # 0,070 € × 1 000
    assert "general.donnee_manquante_montant_bas" not in fse.loc["CONNU", "hypotheses"].split(" ; ")


def test_prorata_status_and_note_only_on_the_prorated_pharmacy(tmp_path):
    """A full-year pharmacy computed beside a buyer (cession) keeps its own status and notes."""
    rows = [
        {"pharmacie_id": "PLEIN", "exercice": 2024, **SOCLES_NUMERIQUE, "taux_dmp_pct": 95},
        {"pharmacie_id": "REPRISE", "exercice": 2024, **SOCLES_NUMERIQUE, "taux_dmp_pct": 95,
         "debut_activite": "2024-07-01"},
    ]
    lines, _ = run(tmp_path, rows)
    dmp = lines[lines["indicateur"] == "dmp"].set_index("pharmacie_id")
    assert dmp.loc["PLEIN", "montant_cents"] == 100_00
    assert "general.prorata_forfaits" not in dmp.loc["PLEIN", "hypotheses"]
    assert "prorat" not in dmp.loc["PLEIN", "note"].lower()
    assert dmp.loc["REPRISE", "montant_cents"] == cents("100 * 184 / 366")
    assert dmp.loc["REPRISE", "statut_regle"] == "hypothese"
    assert "general.prorata_forfaits" in dmp.loc["REPRISE", "hypotheses"].split(" ; ")
    assert "proratisé au temps d'activité" in dmp.loc["REPRISE", "note"]


def test_the_carte_vitale_equipment_and_the_2024_device_have_their_own_prorata_reading(tmp_path):
    """Rules §0: the carte Vitale equipment amounts and the 2024 device's fixed amounts are forfaits, prorated
    (`hypothese`; alternative: not prorated) — a reading of their own, switched without the other forfaits'.
    A buyer from 01/07/2024: 184 days of 366."""
    from rosp_lib.parameters import Scenario

    row = {"pharmacie_id": "REPRISE", "exercice": 2024, **SOCLES_NUMERIQUE, "taux_dmp_pct": 95,
           "borne_maj_carte_vitale": "oui", "nb_lecteurs_maj_carte_vitale": 2, "nb_trod_angine": 3,
           "debut_activite": "2024-07-01"}
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [row], sep=";"))

    def amounts(lines):
        by = lines.set_index("indicateur")
        return [int(by.loc[c, "montant_cents"]) for c in ("dmp", "maj_carte_vitale", "trod_angine")]

    # 100 € × 184/366 = 50,27 € ; (689 € + 2 × 250 €) × 184/366 = 597,75 € ; 50 € × 184/366 = 25,14 €
    reference = compute(pharmacies)
    assert amounts(reference) == [cents("100 * 184 / 366"), cents("1189 * 184 / 366"), cents("50 * 184 / 366")]
    assert amounts(reference) == [50_27, 597_75, 25_14]
    key = "general.prorata_carte_vitale_dispositif_2024"
    hyp = reference.set_index("indicateur")["hypotheses"]
    assert key in hyp["maj_carte_vitale"].split(" ; ") and key in hyp["trod_angine"].split(" ; ")
    assert key not in hyp["dmp"].split(" ; ")
    # its other reading: the carte Vitale and the device paid in full, the DMP forfait still prorated
    scenario = tmp_path / "s.yaml"
    scenario.write_text("general:\n  prorata_carte_vitale_dispositif_2024: false\n", encoding="utf-8")
    assert amounts(compute(pharmacies, scenario=Scenario.read(scenario))) == [50_27, 1189_00, 50_00]
    # a full year reads neither
    full = read_pharmacies(write_csv(tmp_path / "plein.csv", [{**row, "debut_activite": ""}], sep=";"))
    assert key not in " ".join(compute(full)["hypotheses"])
    # a reading the other has made moot is not one the line depends on (review): with no forfait prorated, the
    # carte Vitale line depends on that reading only; with its own reading « not prorated », on its own only
    for text, kept, moot in (("general:\n  prorata_forfaits: false\n", "general.prorata_forfaits", key),
                             (f"general:\n  {key.split('.')[1]}: false\n", key, "general.prorata_forfaits")):
        scenario.write_text(text, encoding="utf-8")
        read = compute(pharmacies, scenario=Scenario.read(scenario)).set_index("indicateur")
        said = read.loc["maj_carte_vitale", "scenario"].split(" ; ") + read.loc["maj_carte_vitale", "hypotheses"].split(" ; ")
        assert kept in said and moot not in said, (text, said)


def test_kits_reference_of_zero_reads_the_hypothesis_on_its_own_line_only(tmp_path):
    """With 0 kits in 2023, 0 ≥ 1,10 × 0 pays 250 € (reading `tout_nombre`); that line alone is a
    hypothesis naming the alternative, a pharmacy with a real reference keeps the text's status."""
    rows = [
        {"pharmacie_id": "ZERO", "exercice": 2024, "nb_kits_remis": 0, "nb_kits_remis_n_1": 0},
        {"pharmacie_id": "CENT", "exercice": 2024, "nb_kits_remis": 110, "nb_kits_remis_n_1": 100},
    ]
    lines, _ = run(tmp_path, rows)
    kits = lines[lines["indicateur"] == "kits_colorectal_progression"].set_index("pharmacie_id")
    assert kits.loc["ZERO", "montant_cents"] == 250_00
    assert kits.loc["ZERO", "statut_regle"] == "hypothese"
    assert "alternative : au_moins_un_kit" in kits.loc["ZERO", "note"]
    assert kits.loc["CENT", "montant_cents"] == 250_00
    assert kits.loc["CENT", "statut_regle"] == "texte"
    assert "hypothèse" not in kits.loc["CENT", "note"]
    # « 0 kit » as French agrees it (it read « 0 kits », review)
    assert (kits.loc["ZERO", "valeur"], kits.loc["CENT", "valeur"]) == ("0 kit (référence 0)", "110 kits (référence 100)")


def test_socle_failure_explains_the_lost_amounts(tmp_path):
    lines, tot = run(tmp_path, [{"pharmacie_id": "F", "exercice": 2024, "exercice_coordonne": "oui",
                                 "logiciel_segur": "non", "taux_dmp_pct": 95}])
    dmp = lines[lines["indicateur"] == "dmp"].iloc[0]
    assert dmp["montant_cents"] == 0
    assert "socle non atteint (logiciel_segur)" in dmp["note"]
    assert int(tot.loc[0, "numerique"]) == 0


def test_malus_lines_are_negative_and_typed(tmp_path):
    row = {"pharmacie_id": "M", "exercice": 2024, **SOCLES_NUMERIQUE, "nb_factures_periode_malus": 500,
           "taux_fse_securisees_pct": 50, "dqo_autoevaluation": "oui", "dqo_newsletter": "oui",
           "dqo_programme_amelioration": "oui", "taux_generiques_repertoire_pct": 90,
           "taux_stabilite_75_pct": 99, "taux_urgence_pct": 4, "taux_urgence_reference_pct": 3}
    lines, _ = run(tmp_path, [row])
    malus = lines[lines["type_ligne"] == "malus"].set_index("indicateur")["montant_cents"]
    assert malus["malus_qualite_facturation"] == -cents("0.20 * 820")   # 12 points → 20 %
    assert malus["malus_urgence"] == -cents("0.20 * (100 + 400)")


@pytest.mark.parametrize("rate,reference,malus,hypothesis", [
    ("0", "0", True, False),       # not strictly below: malus; both rates known, the reading « sans référence » not read
    ("2,9999999999999999999", "3", False, False),  # exactly below 3 (their floats are equal: it was a malus)
    ("4", "", False, True),        # no reference: « pas de malus » by the reading of reference, a hypothesis
])
def test_urgence_malus_compares_exactly_and_rests_on_a_reading_only_without_reference(tmp_path, rate, reference, malus,
                                                                                       hypothesis):
    """The urgence malus line was marked « hypothèse » (bups.malus_urgence.sans_reference) with both rates known."""
    row = {"pharmacie_id": "U", "exercice": 2025, "dqo_autoevaluation": "oui", "dqo_newsletter": "oui",
           "dqo_programme_amelioration": "oui", "taux_generiques_repertoire_pct": 90, "taux_stabilite_75_pct": 99,
           "taux_urgence_pct": rate, "taux_urgence_reference_pct": reference}
    lines, _ = run(tmp_path, [row])
    line = lines[lines["indicateur"] == "malus_urgence"].iloc[0]
    # BUPS 2025 : démarche qualité 100 € + stabilité ≥ 95 % 400 € = 500 € ; malus 20 % = −100,00 €
    assert int(line["montant_cents"]) == (-cents("0.20 * (100 + 400)") if malus else 0)
    assert ("bups.malus_urgence.sans_reference" in line["hypotheses"]) is hypothesis
    assert line["valeur"] == f"{rate or 'vide'}{' %' if rate else ''} (référence {reference + ' %' if reference else 'vide'})"


@pytest.mark.parametrize("reading,malus", [(None, False), ("malus", True)])
@pytest.mark.parametrize("rate", ["", "4"])
def test_urgence_malus_without_reference_follows_its_reading_whether_the_years_rate_is_known_or_not(
        tmp_path, reading, malus, rate):
    """docs/regles.md, malus « motif urgence »: no reference rate given → no malus, a hypothesis (alternative: malus).
    With the year's rate missing too, the line paid 0 € under both readings and did not name the hypothesis (audit):
    it now rests on bups.malus_urgence.sans_reference as when the year's rate is known."""
    from rosp_lib.engine import parameters_for

    params = None
    if reading is not None:
        scenario = tmp_path / "lecture.yaml"
        scenario.write_text(f"bups:\n  malus_urgence:\n    sans_reference: {reading}\n", encoding="utf-8")
        params = parameters_for([2025], scenario)
    row = {"pharmacie_id": "U", "exercice": 2025, "dqo_autoevaluation": "oui", "dqo_newsletter": "oui",
           "dqo_programme_amelioration": "oui", "taux_generiques_repertoire_pct": 85, "taux_stabilite_75_pct": 95,
           "taux_urgence_pct": rate, "taux_urgence_reference_pct": ""}
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [row], sep=";"))
    lines = compute(pharmacies, None, params)
    line = lines[lines["indicateur"] == "malus_urgence"].iloc[0]
    # BUPS 2025 : démarche qualité 100 € + stabilité ≥ 95 % 400 € = 500 € ; malus 20 % = −100,00 €
    assert int(line["montant_cents"]) == (-100_00 if malus else 0)
    assert int(lines.loc[lines["theme"] == "bups", "montant_cents"].sum()) == (400_00 if malus else 500_00)
    assert "bups.malus_urgence.sans_reference" in line["hypotheses"]
    assert line["statut_regle"] == "hypothese"
    assert "bups.malus_urgence.taux_annee_manquant" not in line["hypotheses"]  # the reading of a known reference
    assert line["donnee_manquante"]
    assert ("malus 20 % × 500,00\u00a0€ = 100,00\u00a0€ (baisse non démontrée)" in line["note"]) is malus


def test_urgence_malus_value_says_an_empty_rate_of_the_year(tmp_path):
    """An empty rate of the year read « % (référence 3 %) » in lignes.csv: a bare sign (review)."""
    row = {"pharmacie_id": "U", "exercice": 2025, "taux_urgence_pct": "", "taux_urgence_reference_pct": "3"}
    lines, _ = run(tmp_path, [row])
    assert lines[lines["indicateur"] == "malus_urgence"].iloc[0]["valeur"] == "vide (référence 3 %)"


@pytest.mark.parametrize("rate,cents_expected,on_lower_step", [("96", 400_00, False), ("92", 200_00, True),
                                                               ("89", 0, False)])
def test_stabilite_rests_on_the_lower_step_hypothesis_only_on_that_step(tmp_path, rate, cents_expected, on_lower_step):
    """A line at the upper step (≥ 95 % → 400 €) was marked « hypothèse » bups.stabilite_75.montant_bas, whose
    alternative (0 €) changes nothing for it (audit)."""
    row = {"pharmacie_id": "S", "exercice": 2025, "dqo_autoevaluation": "oui", "dqo_newsletter": "oui",
           "dqo_programme_amelioration": "oui", "taux_generiques_repertoire_pct": 90, "taux_stabilite_75_pct": rate}
    lines, _ = run(tmp_path, [row])
    line = lines[lines["indicateur"] == "stabilite_75"].iloc[0]
    assert int(line["montant_cents"]) == cents_expected
    assert ("bups.stabilite_75.montant_bas" in line["hypotheses"]) is on_lower_step
    assert (line["statut_regle"] == "hypothese") is on_lower_step


def test_missing_declaration_columns_mean_non_and_missing_counts_are_flagged(tmp_path):
    lines, tot = run(tmp_path, [{"pharmacie_id": "E", "exercice": 2025}])
    assert int(tot.loc[0, "total"]) == 0
    flagged = set(lines.loc[lines["donnee_manquante"].astype(bool), "indicateur"])
    assert {"fse", "dmp", "bonus_prescription", "kits_realises", "dispensation", "maj_carte_vitale"} <= flagged
    assert "exercice_coordonne" not in flagged  # a declaration left out is "non", not unknown


# ----------------------------------------------------------------------------------------------
# Money (rosp_lib/lines/money.py)
# ----------------------------------------------------------------------------------------------
def test_round_ratio_half_up_versus_half_even_on_exact_halves():
    num = np.array([5, 15, 25, 35, 7, 3, 0])
    den = np.full(len(num), 10)
    #            0,5  1,5  2,5  3,5  0,7  0,3  0
    assert money.round_ratio(num, den, "demi_haut").tolist() == [1, 2, 3, 4, 1, 0, 0]
    assert money.round_ratio(num, den, "demi_pair").tolist() == [0, 2, 2, 4, 1, 0, 0]


def test_round_ratio_refuses_negative_and_unknown_mode():
    with pytest.raises(ValueError):
        money.round_ratio(np.array([-1]), np.array([2]))
    with pytest.raises(ValueError):
        money.round_ratio(np.array([1]), np.array([0]))
    with pytest.raises(ValueError):
        money.round_ratio(np.array([1]), np.array([2]), "banquier")


def test_times_cents_rounds_once_per_line():
    # 0,064 × 1 234 = 78,976 → 78,98 € ; 0,064 × 1 = 0,064 → 0,06 € ; 0,064 × 40 000 = 2 560 €
    assert money.times_cents(np.array([1234, 1, 40000]), Decimal("0.064"), "demi_haut").tolist() == [7898, 6, 256000]
    assert money.times_cents(np.array([40000]), Decimal("0.070"), "demi_haut").tolist() == [280000]
    # 5,25 € × 37 = 194,25 € exactly, whatever the mode
    assert money.times_cents(np.array([37]), Decimal("5.25"), "demi_pair").tolist() == [19425]


def test_quantize_cents_half_up_versus_half_even():
    values = [Decimal("0.125"), Decimal("0.135"), Decimal("16.395"), Decimal("101.990016"), Decimal("0.005")]
    assert money.quantize_cents(values, "demi_haut").tolist() == [13, 14, 1640, 10199, 1]
    assert money.quantize_cents(values, "demi_pair").tolist() == [12, 14, 1640, 10199, 0]


def test_percentage_malus_half_up_versus_half_even():
    # 10 % of 821,05 € = 82,105 € : 82,11 € half up, 82,10 € half even
    assert money.percentage_of_cents(np.array([82105]), Decimal(10), "demi_haut").tolist() == [8211]
    assert money.percentage_of_cents(np.array([82105]), Decimal(10), "demi_pair").tolist() == [8210]
    # 20 % of 601,99 € = 120,398 € → 120,40 € ; 30 % of 1 610,21 € = 483,063 € → 483,06 €
    assert money.percentage_of_cents(np.array([60199, 161021]), Decimal(20), "demi_haut").tolist()[0] == 12040
    assert money.percentage_of_cents(np.array([161021]), Decimal(30), "demi_haut").tolist() == [48306]


def test_percentage_malus_is_taken_on_the_rounded_sum():
    # Lines 820 € and 0,064 × 7 = 0,448 → 0,45 €: the rounded sum is 820,45 €, its 10 % is 82,045 → 82,05 €.
    # Taken on the exact sum (820,448 €) it would be 82,0448 → 82,04 €: the rule takes the rounded sum.
    line_fse = money.times_cents(np.array([7]), Decimal("0.064"), "demi_haut")
    assert line_fse.tolist() == [45]
    total = np.array([82000]) + line_fse
    assert money.percentage_of_cents(total, Decimal(10), "demi_haut").tolist() == [8205]
    exact = Fraction(82000) + Fraction(448, 10)
    assert to_cents(exact * Fraction(10, 100) / 100) == 8204  # the other reading, for contrast


def test_prorata_rounding_uses_days_of_the_year():
    # 820 € × 306 / 366 = 685,5738 → 685,57 € (2024 is leap) ; × 90 / 365 = 202,1918 → 202,19 €
    got = money.round_ratio(np.array([82000 * 306, 82000 * 90]), np.array([366, 365]), "demi_haut")
    assert got.tolist() == [68557, 20219]


def test_euros_to_cents_and_fraction_refuse_inexact_money():
    assert money.euros_to_cents(Decimal("418.60")) == 41860
    with pytest.raises(ValueError):
        money.euros_to_cents(Decimal("2.6232"))
    with pytest.raises(TypeError):
        money.fraction(0.1)


def test_cents_to_str_contract_format():
    assert money.cents_to_str(np.array([0, 5, 10199, -12050, 118900])).tolist() == [
        "0.00", "0.05", "101.99", "-120.50", "1189.00"]
    assert money.cents_to_decimal(-8205) == Decimal("-82.05")


@pytest.mark.parametrize("text, cents", [("0.00", 0), ("0.05", 5), ("101.99", 10199), ("-120.50", -12050),
                                         ("-0.05", -5), ("1189.00", 118900)])
def test_the_contracts_amount_text_reads_back_to_its_cents(text, cents):
    assert money.str_to_cents(text) == cents


@pytest.mark.parametrize("text", ["12.505", "12,50", "12.5", "12", "abc", "NaN", "- 1.00", ""])
def test_an_amount_text_not_the_tools_is_refused_not_cut(text):
    # « 12.505 » was read as 12,50 € (the third decimal cut): audit
    with pytest.raises(ValueError):
        money.str_to_cents(text)


# ----------------------------------------------------------------------------------------------
# The evaluator of the YAML cases (tests/helpers_rules.py)
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, want", [
    ("0.070 * 40000", 280000),
    ("2.6232 * 486 * (93 - 85) / 100", 10199),
    ("820 * 306 / 366", 68557),
    ("-0.10 * (820 + 0.45)", -8205),
    ("1_000", 100000),
    (156, 15600),
    (418.60, 41860),
    ("0.1 + 0.2", 30),
])
def test_evaluator_is_exact(text, want):
    assert cents(text) == want


def test_evaluator_half_modes():
    assert to_cents(evaluate("-0.10 * 821.05")) == -8211
    assert to_cents(evaluate("-0.10 * 821.05"), "demi_pair") == -8210
    assert to_cents(evaluate("0.125")) == 13 and to_cents(evaluate("0.125"), "demi_pair") == 12


@pytest.mark.parametrize("text", ["__import__('os')", "abs(-1)", "x * 2", "2 ** 10", "1 // 2", "'a'", "True", "1 / 0", "[1]"])
def test_evaluator_refuses_anything_but_arithmetic(text):
    with pytest.raises(ExpressionError):
        evaluate(text)


def test_molecules_of_pharmacies_outside_the_table_are_ignored(tmp_path):
    """A library caller computing a subset of pharmacies with the whole molecules table gets that subset."""
    from rosp_lib.engine import compute_file
    from rosp_lib.engine import compute as compute_lines

    data = Path(__file__).resolve().parent.parent / "data"
    pharmacies, lines, _ = compute_file(data / "pharmacies.csv", data / "molecules.csv")
    molecules = read_molecules(data / "molecules.csv", pharmacies)
    one = pharmacies[(pharmacies["pharmacie_id"] == "PH-TILLEULS") & (pharmacies["exercice"] == 2024)]
    alone = compute_lines(one.reset_index(drop=True), molecules)
    expected = lines[(lines["pharmacie_id"] == "PH-TILLEULS") & (lines["exercice"] == 2024)]
    assert int(alone["montant_cents"].sum()) == int(expected["montant_cents"].sum())


def test_a_socles_amount_is_not_a_dependency_of_the_lines_it_gates(tmp_path):
    """A scenario changing the exercice coordonné's amount was named in the `scenario` column of every paying
    numérique line (the socle gate passed on everything the socle read, its amount too); only the line itself
    and the malus, a share of the sum, depend on it (audit)."""
    from rosp_lib.engine import parameters_for
    from rosp_lib.parameters import Scenario

    path = tmp_path / "montants.yaml"
    path.write_text("numerique:\n  exercice_coordonne:\n    montant: 900\n", encoding="utf-8")
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [
        {"pharmacie_id": "N", "exercice": 2025, **SOCLES_NUMERIQUE, "taux_mss_pct": 6,
         "nb_factures_periode_malus": 30000, "taux_fse_securisees_pct": 60}], sep=";"))
    lines = compute(pharmacies, None, parameters_for([2025], Scenario.read(path))).set_index("indicateur")
    assert int(lines.at["exercice_coordonne", "montant_cents"]) == 900_00
    assert int(lines.at["mss", "montant_cents"]) == 240_00
    named = set(lines.index[lines["scenario"].str.contains("numerique.exercice_coordonne.montant", regex=False)])
    assert named == {"exercice_coordonne", "malus_qualite_facturation"}


def test_a_value_of_a_scenario_is_a_hypothesis_with_no_public_source_on_the_lines_that_read_it(tmp_path):
    """A scenario's 900 € for the exercice coordonné was written `source`, citing the guide that says 820 € (review):
    a user's value is the user's hypothesis (`statut_regle` hypothese) and its line cites the scenario, as
    `rosp regles` does; the lines that do not read it keep their status and source."""
    from rosp_lib.engine import parameters_for
    from rosp_lib.parameters import Scenario

    path = tmp_path / "essai.yaml"
    path.write_text("numerique:\n  exercice_coordonne:\n    montant: 900\n", encoding="utf-8")
    rows = [{"pharmacie_id": "N", "exercice": 2025, **SOCLES_NUMERIQUE, "taux_mss_pct": 6}]
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", rows, sep=";"))
    reference = compute(pharmacies, None, parameters_for([2025])).set_index("indicateur")
    lines = compute(pharmacies, None, parameters_for([2025], Scenario.read(path))).set_index("indicateur")
    line = lines.loc["exercice_coordonne"]
    assert int(line["montant_cents"]) == 900_00
    assert line["statut_regle"] == "hypothese" and reference.at["exercice_coordonne", "statut_regle"] != "hypothese"
    assert line["source"] == "scénario « essai.yaml » (aucune source publique)"
    assert line["scenario"] == "numerique.exercice_coordonne.montant"
    # the MSS line (240 €) reads nothing of the scenario: as without it
    assert lines.at["mss", "statut_regle"] == reference.at["mss", "statut_regle"] == "source"
    assert lines.at["mss", "source"] == reference.at["mss", "source"] and "scénario" not in lines.at["mss", "source"]


def test_a_scenarios_amount_is_the_source_of_a_line_that_reads_a_threshold_too(tmp_path):
    """A scenario's ASAFO amount (bups.asafo.montant) was cited as the ameli table's: the line's source was its first
    value read, the weeks it needs (review). The scenario's value is the line's source."""
    from rosp_lib.engine import parameters_for

    path = tmp_path / "asafo.yaml"
    path.write_text("2025:\n  bups:\n    asafo:\n      montant: 150\n", encoding="utf-8")
    row = {"pharmacie_id": "A", "exercice": 2025, "dqo_autoevaluation": "oui", "dqo_newsletter": "oui",
           "dqo_programme_amelioration": "oui", "taux_generiques_repertoire_pct": 90, "nb_semaines_asafo": 47}
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [row], sep=";"))
    line = compute(pharmacies, None, parameters_for([2025], path)).set_index("indicateur").loc["asafo"]
    assert int(line["montant_cents"]) == 150_00  # 47 ≥ 46 weeks: the scenario's 150 €
    assert line["source"] == "scénario « asafo.yaml » (aucune source publique)"
    assert line["statut_regle"] == "hypothese" and line["scenario"] == "bups.asafo.montant"


def test_pharmacien_correspondant_shows_its_two_tiers_and_its_cap(tmp_path):
    # docs/regles.md: 2 € a patient up to the 100th, 1 € beyond, capped at 500 €. 450 patients: 100 × 2 + 350 × 1 = 550 € →
    # 500 € ; 80 patients: 80 × 2 = 160 €. The line says the arithmetic, not only « plafonné ».
    rows = [{"pharmacie_id": pid, "exercice": 2024, **SOCLES_NUMERIQUE, "zone_zip_zac": "oui",
             "nb_patients_correspondant": n} for pid, n in (("Z450", 450), ("Z80", 80))]
    lines, _ = run(tmp_path, rows)
    line = lines[lines["indicateur"] == "pharmacien_correspondant"].set_index("pharmacie_id")
    assert line.loc["Z450", "montant_cents"] == 500_00 and line.loc["Z80", "montant_cents"] == 160_00
    assert line.loc["Z450", "note"].startswith("100 × 2,00\u00a0€ + 350 × 1,00\u00a0€ = 550,00\u00a0€, plafonné à 500,00\u00a0€")
    assert line.loc["Z80", "note"].startswith("80 × 2,00\u00a0€ = 160,00\u00a0€")


def test_a_molecule_paid_without_floor_does_not_show_the_floor():
    # docs/regles.md, 2023: palipéridone 20 €/box, no floor. PH-HALLES 2023 (data/): 50 boxes at 30 % → 15 boxes
    # substituted × 20 € = 300 €, though 30 % is below the gliptins' 72 % floor; its threshold cell says so.
    from rosp_lib.engine import compute_file

    root = Path(__file__).resolve().parents[1]
    _, lines, _ = compute_file(root / "data/pharmacies.csv", root / "data/molecules.csv")
    mol = lines[(lines["pharmacie_id"] == "PH-HALLES") & (lines["exercice"] == 2023)
                & (lines["indicateur"] == "molecules_ciblees")]
    pali = mol[mol["entrees"].str.contains("palipéridone")].iloc[0]
    assert (pali["montant_cents"], pali["seuil"]) == (300_00, "prime par boîte substituée, sans plancher")
    vilda = mol[mol["entrees"].str.contains("vildagliptine")].iloc[0]
    assert vilda["seuil"] == "prime par boîte substituée, taux d'arrivée > 72 %"
    # sitagliptine at 72 %, equal to the floor: not paid (« au-delà »), and not said « sous le plancher » (review)
    sita = mol[mol["entrees"].str.contains("molecule=sitagliptine ;")].iloc[0]
    assert "taux_arrivee_pct=72 " in sita["entrees"] + " " and sita["montant_cents"] == 0
    assert sita["note"].startswith("taux d'arrivée pas au-delà du plancher (> 72 % requis)")


def test_a_declared_forfait_says_what_is_declared_in_words(tmp_path):
    # Dispositif 2024: the threshold cell of a declared forfait says what is declared, not the column names.
    row = {"pharmacie_id": "D", "exercice": 2024, "locaux_trod_cystite": "oui", "substitution_hybride": "oui",
           "substitution_biosimilaire": "non"}
    lines, _ = run(tmp_path, [row])
    seuil = lines.set_index("indicateur")["seuil"]
    assert seuil["locaux_trod_cystite"] == "déclaré : locaux adaptés au dépistage de l'infection urinaire : oui"
    assert seuil["hybride_biosimilaire"] == "au moins un hybride substitué et au moins un biosimilaire substitué : oui"


@pytest.mark.parametrize("patients, cents, note", [
    (99, 198_00, "99 × 2,00\u00a0€ = 198,00\u00a0€"),
    (100, 200_00, "100 × 2,00\u00a0€ = 200,00\u00a0€"),  # the 100th patient: still the first tier
    (101, 201_00, "100 × 2,00\u00a0€ + 1 × 1,00\u00a0€ = 201,00\u00a0€"),
    (399, 499_00, "100 × 2,00\u00a0€ + 299 × 1,00\u00a0€ = 499,00\u00a0€"),
    (400, 500_00, "100 × 2,00\u00a0€ + 300 × 1,00\u00a0€ = 500,00\u00a0€"),  # exactly the cap: not « plafonné »
    (401, 500_00, "100 × 2,00\u00a0€ + 301 × 1,00\u00a0€ = 501,00\u00a0€, plafonné à 500,00\u00a0€"),
])
def test_pharmacien_correspondant_at_and_around_its_tier_and_its_cap(tmp_path, patients, cents, note):
    # docs/regles.md: 2 € a patient up to the 100th, 1 € beyond, capped at 500 € (reached at 400 patients).
    row = {"pharmacie_id": "Z", "exercice": 2025, **SOCLES_NUMERIQUE, "zone_zip_zac": "oui",
           "nb_patients_correspondant": patients}
    lines, _ = run(tmp_path, [row])
    line = lines[lines["indicateur"] == "pharmacien_correspondant"].iloc[0]
    assert line["montant_cents"] == cents
    assert line["note"].split(" ; ")[0] == note


def test_a_line_at_an_exact_half_cent_rests_on_the_rounding_reading_and_says_so(tmp_path):
    """`general.arrondi` (au demi supérieur, a hypothesis; alternative : au pair) changes a line only at an exact half
    cent: there, and only there, the line's `hypotheses` name it (audit: a 22,565 € premium paid 22,57 € did not)."""
    row = {"pharmacie_id": "D", "exercice": 2024, "dqo_autoevaluation": "oui", "dqo_newsletter": "oui",
           "dqo_programme_amelioration": "oui", "taux_generiques_repertoire_pct": 90}
    mol = [{"pharmacie_id": "D", "exercice": 2024, "molecule": "sitagliptine", "nb_boites": 100, "taux_depart_pct": 50,
            "taux_arrivee_pct": 100},
           {"pharmacie_id": "D", "exercice": 2024, "molecule": "vildagliptine", "nb_boites": 101, "taux_depart_pct": 50,
            "taux_arrivee_pct": 100}]
    lines, _ = run(tmp_path, [row], mol)
    premiums = lines[lines["indicateur"] == "molecules_ciblees"]
    # 0,22565 € × 100 = 22,565 € : au demi supérieur 22,57 € (au pair : 22,56 €) ; × 101 = 22,79065 € → 22,79 € either way
    assert premiums["montant_cents"].tolist() == [cents("0.22565 * 100"), cents("0.22565 * 101")] == [22_57, 22_79]
    assert ["general.arrondi" in h.split(" ; ") for h in premiums["hypotheses"]] == [True, False]

    # The malus « qualité de la facturation », 10 % of the theme: 820 € + 0,070 € × 75 FSE = 825,25 € → 82,525 €
    row = {"pharmacie_id": "M", "exercice": 2024, **SOCLES_NUMERIQUE, "nb_fse": 75, "taux_fse_sesam_vitale_pct": 96,
           "nb_factures_periode_malus": 500, "taux_fse_securisees_pct": 66}  # écart de 3 points : 4 pts → 10 %
    for fse, tie in ((75, True), (74, False)):  # 74 : 10 % × 825,18 € = 82,518 € → 82,52 €, no half cent
        lines, _ = run(tmp_path, [{**row, "nb_fse": fse}])
        malus = lines[lines["indicateur"] == "malus_qualite_facturation"].iloc[0]
        assert int(malus["montant_cents"]) == -cents(f"0.10 * (820 + 0.070 * {fse})")
        assert ("general.arrondi" in malus["hypotheses"].split(" ; ")) is tie
        assert malus["statut_regle"] == "hypothese"


def test_the_prescription_share_is_shown_with_the_digits_its_comparison_needs_and_its_calculation(tmp_path):
    """155 / (155 + 878) = 15,00484… % was written « 15 % » beside « > 15 % » and « atteint oui »; a share not above the
    threshold had no calculation at all, so the report's « Calcul » column was empty (audit)."""
    rows = [{"pharmacie_id": "V1", "exercice": 2025, "nb_rva_960": 155, "nb_rva_750": 878},
            {"pharmacie_id": "V2", "exercice": 2025, "nb_rva_960": 30, "nb_rva_750": 170}]
    lines, _ = run(tmp_path, rows)
    got = lines[lines["indicateur"] == "bonus_prescription"].set_index("pharmacie_id")
    # 2025 : plus de 15 % des RVA de prescription → 3,00 € par RVA de prescription (parameters/2025.yaml)
    assert got.loc["V1", ["valeur", "seuil", "atteint"]].tolist() == ["155 / (155 + 878) = 15,005 %", "> 15 %", "oui"]
    assert int(got.loc["V1", "montant_cents"]) == cents("3.00 * 155")
    assert got.loc["V1", "note"] == "part des RVA de prescription : 155 / (155 + 878) = 15,005 % > 15 % → 3,00\u00a0€ × nb_rva_960"
    assert got.loc["V2", ["valeur", "atteint"]].tolist() == ["30 / (30 + 170) = 15 %", "non"]  # exactly 15 %: not above
    assert got.loc["V2", "note"] == "part des RVA de prescription : 30 / (30 + 170) = 15 %, pas > 15 % : 0,00\u00a0€"


def test_the_prescription_share_shows_its_side_of_a_threshold_with_more_decimals(tmp_path):
    """With a threshold of 15,004 % (a scenario), 3 001 / 20 000 = 15,005 % was written « 15 % » beside « > 15,004 % »
    and « oui »: the share gets the decimals that show its side of the threshold, computed exactly (review)."""
    from rosp_lib.engine import parameters_for
    from rosp_lib.parameters import Scenario

    path = tmp_path / "seuil.yaml"
    path.write_text("2025:\n  vaccination:\n    bonus_prescription:\n      seuil_part_pct: 15.004\n", encoding="utf-8")
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [
        {"pharmacie_id": "V1", "exercice": 2025, "nb_rva_960": 3001, "nb_rva_750": 16999},
        {"pharmacie_id": "V2", "exercice": 2025, "nb_rva_960": 30009, "nb_rva_750": 169991}]))
    lines = compute(pharmacies, None, parameters_for([2025], Scenario.read(path)))
    got = lines[lines["indicateur"] == "bonus_prescription"].set_index("pharmacie_id")
    # 3 001 / 20 000 = 15,005 % → 15,01 % to two decimals, above 15,004 % as the share is; 30 009 / 200 000 = 15,0045 %
    # → 15 % to two decimals, under the threshold the share is above: 15,005 % to three (au demi supérieur)
    assert got.loc["V1", ["valeur", "atteint"]].tolist() == ["3001 / (3001 + 16999) = 15,01 %", "oui"]
    assert got.loc["V2", ["valeur", "atteint"]].tolist() == ["30009 / (30009 + 169991) = 15,005 %", "oui"]


@pytest.mark.parametrize("rate,cents_expected", [("93", 400_00), ("92", 400_00), ("91.99", 0)])
def test_a_scale_with_equal_steps_pays_its_upper_amount_from_that_step(tmp_path, rate, cents_expected):
    """A scenario may put both steps of the stability scale at the same rate (only an upper step below the lower one is
    refused): at 92 % and above, the upper step pays 400 € (not the lower one's 200 €); below, nothing."""
    from rosp_lib.engine import parameters_for

    scenario = tmp_path / "paliers.yaml"
    scenario.write_text("bups:\n  stabilite_75:\n    seuil_bas_pct: 92\n    seuil_haut_pct: 92\n", encoding="utf-8")
    row = {"pharmacie_id": "S", "exercice": 2025, "dqo_autoevaluation": "oui", "dqo_newsletter": "oui",
           "dqo_programme_amelioration": "oui", "taux_generiques_repertoire_pct": 90, "taux_stabilite_75_pct": rate}
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [row], sep=";"))
    params = parameters_for([2025], scenario)
    assert params[2025].bups.stabilite_75.montant_haut.valeur == 400
    lines = compute(pharmacies, None, params)
    line = lines[lines["indicateur"] == "stabilite_75"].iloc[0]
    assert int(line["montant_cents"]) == cents_expected


def test_an_empty_count_of_the_ecoresponsible_approach_is_unknown_never_level_zero(tmp_path):
    """`lignes.csv` said « programme : oui, niveau 0, 2 items, niveau antérieur 0 » beside « donnée manquante » for
    levels left empty (review): an empty cell is unknown, never zero (README)."""
    rows = [
        {"pharmacie_id": "VIDE", "exercice": 2024, "eco_programme": "oui", "eco_items_valides": 2},
        {"pharmacie_id": "ITEMS", "exercice": 2024, "eco_programme": "oui", "eco_niveau_vise": 2,
         "eco_niveau_valide_precedent": 1},
        {"pharmacie_id": "PLEIN", "exercice": 2024, "eco_programme": "oui", "eco_niveau_vise": 1, "eco_items_valides": 0,
         "eco_niveau_valide_precedent": 0},
    ]
    lines, _ = run(tmp_path, rows)
    eco = lines[lines["indicateur"] == "ecoresponsable"].set_index("pharmacie_id")
    assert eco.loc["VIDE", "valeur"] == "programme : oui, niveau inconnu, 2 items, niveau antérieur inconnu"
    assert eco.loc["ITEMS", "valeur"] == "programme : oui, niveau 2, items validés : inconnu, niveau antérieur 1"
    assert eco.loc["PLEIN", "valeur"] == "programme : oui, niveau 1, 0 item, niveau antérieur 0"  # a zero written: 0
    assert eco.loc["VIDE", "atteint"] == eco.loc["ITEMS", "atteint"] == "donnée manquante"
