"""Counts in the lines' texts agreed as French agrees them (audit of 2026-12-03): « 1 tranche », « 2 tranches »,
« 0 point », « ≥ 1 entretien » — not « tranche(s) », which the reports showed on every line."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers_rules import write_csv
from rosp_lib.engine import compute, parameters_for
from rosp_lib.inputs import read_pharmacies
from rosp_lib.lines.formatting import agreed, counted


def lines_of(tmp_path: Path, *rows: dict, exercice: int = 2024, scenario=None):
    rows = [{"pharmacie_id": f"PH-{i}", "exercice": exercice, **r} for i, r in enumerate(rows)]
    ph = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", rows, sep=";"))
    return compute(ph, None, parameters_for([exercice], scenario))


@pytest.mark.parametrize("n,word", [(0, "kit"), (1, "kit"), (1.5, "kit"), (2, "kits"), (-1, "kit"), (-3, "kits"),
                                    (float("nan"), "kits"), (None, "kits")])
def test_agreed_takes_the_singular_below_two(n, word):
    assert agreed(n, "kit", "kits") == word


def test_counted_writes_the_number_in_french():
    assert counted(12000, "ligne", "lignes").replace("\u202f", " ").replace("\u00a0", " ") == "12 000 lignes"
    assert counted(1, "ligne payée", "lignes payées") == "1 ligne payée"


def test_teleconsultation_tranches_are_agreed(tmp_path):
    # 2024: tranches of 5 teleconsultations, 25 € each (parameters/2024.yaml)
    lines = lines_of(tmp_path, *({"teleconsultation_equipee": "oui", "nb_teleconsultations": str(n)}
                                 for n in (5, 10, 0, 4, 6)))
    notes = lines[lines["indicateur"] == "teleconsultation"].set_index("pharmacie_id")["note"]
    # with the count of tranches worked out from the téléconsultations (started tranches: rounded up)
    assert notes["PH-0"].startswith("⌈5 / 5⌉ = 1 tranche × 25,00\u00a0€")
    assert notes["PH-1"].startswith("⌈10 / 5⌉ = 2 tranches × 25,00\u00a0€")
    assert notes["PH-2"].startswith("⌈0 / 5⌉ = 0 tranche × 25,00\u00a0€")
    # just below and just above a tranche's size: one started tranche, then two
    assert notes["PH-3"].startswith("⌈4 / 5⌉ = 1 tranche × 25,00\u00a0€")
    assert notes["PH-4"].startswith("⌈6 / 5⌉ = 2 tranches × 25,00\u00a0€")


def test_a_first_year_paid_the_forfait_only_says_so_whatever_its_count(tmp_path):
    """Under the « forfait seul » reading of the first year, a first-year pharmacy with 0 téléconsultations read
    « ⌈0 / 5⌉ = 0 tranche » (review): the line says why it pays no tranche, with 0 as with 12 téléconsultations; a
    pharmacy in a later year keeps its tranches."""
    scenario = tmp_path / "forfait-seul.yaml"
    scenario.write_text("2024:\n  numerique:\n    teleconsultation:\n      premiere_annee: forfait_seul\n",
                        encoding="utf-8")
    socles = {"exercice_coordonne": "oui", "logiciel_segur": "oui"}
    first = {**socles, "teleconsultation_equipee": "oui", "teleconsultation_premiere_annee": "oui"}
    lines = lines_of(tmp_path, {**first, "nb_teleconsultations": "0"}, {**first, "nb_teleconsultations": "12"},
                     {**socles, "teleconsultation_equipee": "oui", "nb_teleconsultations": "12"}, scenario=scenario)
    tele = lines[lines["indicateur"] == "teleconsultation"].set_index("pharmacie_id")
    for pid in ("PH-0", "PH-1"):
        assert tele.loc[pid, "note"].startswith("première année : forfait d'équipement seul, pas de tranche")
        assert tele.loc[pid, "montant_cents"] == 0
    assert tele.loc["PH-2", "note"].startswith("⌈12 / 5⌉ = 3 tranches × 25,00\u00a0€")
    assert tele.loc["PH-2", "montant_cents"] == 3 * 2500


def test_billing_points_are_agreed(tmp_path):
    # 2025: 0 point when the rate is at the objective (no malus), 12 points for a secured-FSE rate far below it
    common = {"exercice_coordonne": "oui", "logiciel_segur": "oui", "nb_factures_periode_malus": "30000",
              "taux_rejets_iris_pct": "0", "taux_double_paiement_pct": "0"}
    lines = lines_of(tmp_path, {**common, "taux_fse_securisees_pct": "100"}, {**common, "taux_fse_securisees_pct": "10"},
                     exercice=2025)
    notes = lines[lines["indicateur"] == "facturation_fse_securisees"].set_index("pharmacie_id")["note"]
    assert notes["PH-0"].split(" ; ")[0] == "0 point"
    assert notes["PH-1"].split(" ; ")[0] == "12 points"


def test_a_minimum_number_of_acts_is_agreed_with_its_parameter(tmp_path):
    lines = lines_of(tmp_path, {"nb_entretiens_chroniques": "1"})
    seuil = lines.set_index("indicateur")["seuil"]
    assert seuil["entretien_chronique"] == "≥ 1 entretien"  # nb_min 1 in parameters/2024.yaml
    assert seuil["accompagnement_grossesse"] == "≥ 1 accompagnement"
    scenario = tmp_path / "s.yaml"
    scenario.write_text("2024:\n  dispositif_2024:\n    entretien_chronique:\n      nb_min: 3\n", encoding="utf-8")
    lines = lines_of(tmp_path, {"nb_entretiens_chroniques": "1"}, scenario=scenario)
    assert lines.set_index("indicateur")["seuil"]["entretien_chronique"] == "≥ 3 entretiens"


def test_the_carte_vitale_amount_names_the_readers_it_counts(tmp_path):
    """« 689,00 € (borne) + 250,00 € × lecteurs (max 2) » gave neither the readers counted nor the cap reached: the
    reader could not redo 939 € (2024: 689 € with a borne, 250 € per reader, at most 2 with a borne, 4 without)."""
    from rosp_lib.report.calculation import calculation

    params = parameters_for([2024])
    lines = lines_of(tmp_path, *({"exercice_coordonne": "oui", "logiciel_segur": "oui", "borne_maj_carte_vitale": b,
                                  "nb_lecteurs_maj_carte_vitale": str(n)} for b, n in (("oui", 1), ("non", 5), ("oui", 0))))
    rows = lines[lines["indicateur"] == "maj_carte_vitale"].set_index("pharmacie_id")
    rows["note"] = rows["note"].str.split(" ; ").str[0]  # (the hypotheses of the theme follow)
    assert rows.loc["PH-0", "note"] == "689,00\u00a0€ (borne) + 250,00\u00a0€ × 1 lecteur"
    assert int(rows.loc["PH-0", "montant_cents"]) == (689 + 250) * 100
    assert rows.loc["PH-1", "note"] == "250,00\u00a0€ × 4 lecteurs (plafond sans borne atteint : 4 sur 5 déclarés)"
    assert int(rows.loc["PH-1", "montant_cents"]) == 4 * 250 * 100
    assert rows.loc["PH-2", "note"] == "689,00\u00a0€ (borne) + 250,00\u00a0€ × 0 lecteur"
    # the report's « Calcul » column ends with the amount: the sum can be redone by hand
    assert calculation(rows.loc["PH-0"], {}, params[2024]).endswith("× 1 lecteur = 939,00\u00a0€")
    # with a borne and no reader, the borne's 689,00 € is the first term of the sum, not its result (review: the cell
    # stopped at « × 0 lecteur »)
    assert calculation(rows.loc["PH-2"], {}, params[2024]).endswith("× 0 lecteur = 689,00\u00a0€")


def test_a_missing_input_is_named_in_words_too():
    """« nb_lecteurs_maj_carte_vitale = vide » alone sent the titulaire to a column name: its words are said."""
    from html import unescape

    from rosp_lib.report import notebook as nb

    root = Path(__file__).resolve().parent.parent / "data"
    rep = nb.load("PH-HALLES", 2022, str(root / "pharmacies.csv"), str(root / "molecules.csv"))
    text = unescape(nb.missing_text(rep, rep.lines, "cet exercice"))
    assert ("nb_lecteurs_maj_carte_vitale = vide (déclaré : lecteurs de carte pouvant mettre à jour la carte Vitale)"
            in text)
    assert "borne_maj_carte_vitale = oui ;" in text  # a value given is not explained again


# ---------------------------------------------------------------------------------------------------------------
# Reader's pass of 2026-12-03: the claim drafts, the cession sentence, the vaccination rule
# ---------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def example_claims():
    from rosp_lib.counterfactual.reconcile import reconcile
    from rosp_lib.counterfactual.versements import read_versements
    from rosp_lib.inputs import read_inputs

    root = Path(__file__).resolve().parent.parent / "data"
    ph, mo = read_inputs(root / "pharmacies.csv", root / "molecules.csv")
    return reconcile(ph, mo, read_versements(root / "versements.csv", ph))[1]


def test_a_claim_names_the_inputs_in_words_and_states_an_unexplained_gap_as_a_fact(example_claims):
    """PH-GARE 2024, colorectal paid 42,50 € for 52,50 € due (25 kits réalisés × 2,10 € in a DROM): the letter to the
    caisse said « × 25 (nb_kits_realises) » and « écart inexpliqué … aucune lecture alternative … ; à vérifier : »."""
    from html import unescape

    claim = unescape(example_claims[("PH-GARE", 2024)]).replace("\\", "")
    assert ("Constat : le montant versé (42,50\u00a0€) est inférieur de 10,00\u00a0€ au montant dû selon les règles "
            "citées dans ce projet (52,50\u00a0€), sans qu'un motif de cette différence m'ait été indiqué.") in claim
    assert "× 25 (kits remis dont le test a été réalisé) = 52,50\u00a0€" in claim
    assert "nb_kits_realises" not in claim and "inexpliqué" not in claim and "à vérifier" not in claim


def test_a_claim_on_a_threshold_gives_the_value_compared(example_claims):
    """PH-TILLEULS 2025: « Atteint : oui ; montant dû : 200,00 € » without the pharmacy's rate (92 %, at least 90 %
    pays 200 €): the caisse could not check « oui »."""
    from html import unescape

    claim = unescape(example_claims[("PH-TILLEULS", 2025)]).replace("\\", "")
    assert ("Atteint : oui (données de l'officine : stabilité de la délivrance des génériques aux 75 ans et plus : "
            "92 %) ; montant dû : 200,00\u00a0€") in claim


def test_the_cession_sentence_says_which_amounts_are_prorated():
    """« chacun perçoit la ROSP au prorata de son temps d'activité » had a reader prorate 60 dispensations × 1,00 €
    of PH-VENDEUR 2025 (181 days): only the forfaits are (hypothesis general.prorata_forfaits)."""
    from rosp_lib.report import narrative

    said = narrative.cession(True)
    assert "les forfaits au prorata de ses jours d'activité ⚠" in said
    assert "les montants à l'unité sur ses propres actes, sans prorata" in said
    assert "plafonds entiers" in said
    assert "les forfaits en entier, sans prorata (lecture du scénario)" in narrative.cession(False)
    assert "sauf l'équipement de mise à jour de la carte Vitale et le dispositif exceptionnel 2024, versés en entier" \
        in narrative.cession(True, False)
    assert "sauf" not in said


def test_the_cession_sentence_names_the_exercise_amounts_per_act_from_the_registry():
    """The per-act amounts were typed as examples (« FSE, kit, vaccination, dispensation, patient ») in the sentence;
    they are the exercise's amounts per act in force. 2025 (rules.md): per FSE, per tranche of téléconsultations,
    per patient of the pharmacien correspondant, per box of the targeted molecules, per RVA, per kit done, per
    dispensation (from 2024 a kit is paid when its test is done); 2022 has neither the targeted molecules
    (none listed that year) nor the vaccination theme, and pays per kit given."""
    from rosp_lib.report import notebook as nb

    root = Path(__file__).resolve().parents[1]
    rep = nb.load("PH-VENDEUR", 2025, str(root / "data/pharmacies.csv"), str(root / "data/molecules.csv"))
    said = nb.cession_text(rep)
    assert ("les montants à l'unité (FSE transmises en SESAM-Vitale (montant par FSE) ; Aide à la téléconsultation : "
            "tranches de téléconsultations ; Pharmacien correspondant en zone ZIP ou ZAC ; Génériques, hybrides, "
            "biosimilaires : molécules ciblées ; Part des vaccinations prescrites et réalisées (RVA de prescription) ; "
            "Kits remis dont le test a été réalisé ; Dispensation à l'unité et délivrance "
            "fractionnée) sur ses propres actes, sans prorata") in said
    said = nb.cession_text(nb.load("PH-PORT", 2022, str(root / "data/pharmacies.csv")))
    assert ("les montants à l'unité (FSE transmises en SESAM-Vitale (montant par FSE) ; Aide à la téléconsultation : "
            "tranches de téléconsultations ; Pharmacien correspondant en zone ZIP ou ZAC ; Kits de dépistage remis ; "
            "Dispensation à l'unité et délivrance fractionnée) sur ses propres actes") in said


def test_the_vaccination_rule_says_what_the_two_kinds_of_rva_are():
    from rosp_lib.registry import indicator
    from rosp_lib.rulebook import rule_text

    text = rule_text(indicator("bonus_prescription"), parameters_for([2025])[2025])
    assert "(ses RVA de prescription)" in text and "RVA de réalisation seule" in text
    from rosp_lib.inputs.columns import PHARMACY_COLUMNS

    words = {c.name: c.description for c in PHARMACY_COLUMNS}
    assert words["nb_rva_960"].startswith("RVA de prescription") and words["nb_rva_750"].startswith("RVA de réalisation")


def test_a_theme_without_malus_does_not_speak_of_one():
    """The colorectal theme has no malus, yet its header said « 1 ligne de malus ou pour information »."""
    from rosp_lib.report import notebook as nb

    root = Path(__file__).resolve().parent.parent / "data"
    rep = nb.load("PH-GARE", 2024, str(root / "pharmacies.csv"), str(root / "molecules.csv"))
    assert nb.theme_reason(rep, "colorectal") == ("1 ligne d'indicateur payée sur 1 ; le tableau des lignes compte aussi "
                                                  "1 ligne pour information.")
    assert "aussi 1 ligne de malus ;" in nb.theme_reason(rep, "bups")


def test_a_missing_input_without_calculation_says_what_its_rule_did():
    """PH-GARE 2024, accompagnement de grossesse left empty: the list read « … = vide (…) — 0,00 € », without the
    « donnée manquante » its line says."""
    from html import unescape

    from rosp_lib.report import notebook as nb

    root = Path(__file__).resolve().parent.parent / "data"
    rep = nb.load("PH-GARE", 2024, str(root / "pharmacies.csv"), str(root / "molecules.csv"))
    text = unescape(nb.missing_text(rep, rep.lines, "cet exercice")).replace("\\", "")
    assert "nb_accompagnements_grossesse = vide (" in text
    assert ") — donnée manquante → 0,00\u00a0€" in text


# ---------------------------------------------------------------------------------------------------------------
# A socle not required this exercise (the exercice coordonné in 2022: `etat: non_exige`, paid 820 € when met)
# ---------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def halles_2022():
    from rosp_lib.report import notebook as nb

    root = Path(__file__).resolve().parent.parent / "data"
    return nb.load("PH-HALLES", 2022, str(root / "pharmacies.csv"), str(root / "molecules.csv"))


def test_a_socle_not_required_is_to_be_declared_not_listed_as_neutralised(halles_2022):
    """PH-HALLES 2022 was told « Ne pas déclarer (neutralisé…) : Participer à un exercice coordonné » — 820 € lost to
    a reader who obeys — and to keep the Ségur invoice of a socle that does not exist in 2022."""
    from rosp_lib.report import notebook as nb

    text = nb.declaration_text(halles_2022, "numerique")
    todo = text.split("**À déclarer sur amelipro**", 1)[1].split("\n\n", 2)[1]
    assert "- exercice coordonné (ESP, MSP, CPTS ; un PRADO ne compte pas)" in todo
    assert "Ne pas déclarer (" in text and "exercice coordonné" not in text.split("Ne pas déclarer (", 1)[1].split("\n")[0]
    keep = text.split("**Justificatifs à conserver**", 1)[1].split("**Automatique**")[0]
    assert "Ségur" not in keep and "preuve de la participation à l'exercice coordonné" in keep


def test_a_socle_not_required_counts_as_an_indicator(halles_2022):
    """« 7 lignes d'indicateur payées sur 10 (hors 1 socle … et 3 indicateurs neutralisés) »: the exercice coordonné
    is not neutralised in 2022, it can pay (LAD and e-prescription are the two neutralised)."""
    from rosp_lib.report import notebook as nb

    assert nb.theme_reason(halles_2022, "numerique").startswith(
        "7 lignes d'indicateur payées sur 11 (hors 1 socle atteint sans montant propre et 2 indicateurs neutralisés "
        "cet exercice)")
    line = halles_2022.lines.set_index("indicateur").loc["exercice_coordonne"]
    assert line["type_ligne"] == "indicateur"  # lignes.csv: not a socle this exercice


def test_the_gain_of_a_socle_not_required_is_its_own_amount():
    """Gains of PH-HALLES 2022 combined the exercice coordonné with other actions « ne paie qu'avec le socle du thème
    retrouvé » (1 070 € = 820 + 250) and called it « indicateur socle, tout le thème est en jeu »."""
    import datetime as dt

    from rosp_lib.counterfactual.gains import report_gains
    from rosp_lib.inputs import read_inputs

    root = Path(__file__).resolve().parent.parent / "data"
    ph, mo = read_inputs(root / "pharmacies.csv", root / "molecules.csv")
    table = report_gains(ph, mo, "PH-HALLES", 2022, date=dt.date(2022, 6, 1)).table
    first = table.iloc[0]
    assert (first["indicateur"], int(first["gain_cents"])) == ("exercice_coordonne", 82000)  # 820 € (2022)
    assert not table["remarque"].str.contains("socle").any()


def test_each_missing_input_says_what_its_line_pays():
    """PH-NOUVELLE 2024: « Utilisation du DMP : taux_dmp_pct = vide … — 100,00 € si atteint » (the rule) under a
    heading that promises « ce qu'elle paie »: the line pays 0,00 €."""
    from html import unescape

    from rosp_lib.report import notebook as nb

    root = Path(__file__).resolve().parent.parent / "data"
    rep = nb.load("PH-NOUVELLE", 2024, str(root / "pharmacies.csv"), str(root / "molecules.csv"))
    text = unescape(nb.missing_text(rep, rep.lines, "cet exercice")).replace("\\", "")
    assert "— 100,00\u00a0€ si atteint ; ici : donnée manquante → 0,00\u00a0€" in text
    rep = nb.load("PH-HALLES", 2022, str(root / "pharmacies.csv"), str(root / "molecules.csv"))
    text = unescape(nb.missing_text(rep, rep.lines, "cet exercice")).replace("\\", "")
    assert "montant de la borne seul versé (689,00\u00a0€)\n" in text  # the calculation says it: not twice
    assert "= 1\u202f920,00\u00a0€\n" in text


def test_no_reference_says_its_date_twice():
    """« approuvé par arrêté du 5 juillet 2024, JORF n° 0160 du 7 juillet 2024, 7 juillet 2024 » in every source list
    that cites the avenant: the publisher's text repeated the reference's date."""
    from rosp_lib.parameters import load_references

    for key, ref in load_references().items():
        assert ref.date not in ref.editeur, (key, ref.citation)
    assert load_references()["avenant_1"].citation.endswith("(approuvé par arrêté du 5 juillet 2024, JORF n° 0160, "
                                                             "7 juillet 2024)")


def test_the_fraud_socle_is_not_said_declared(tmp_path):
    """« Ne pas avoir été condamné pour fraude | condamnation_fraude = non | déclaré non » while its rule says
    « vérifié par l'Assurance Maladie » and nothing of it is declared on amelipro."""
    lines = lines_of(tmp_path, {"exercice_coordonne": "oui", "logiciel_segur": "oui"}).set_index("indicateur")
    assert lines.loc["absence_fraude", "seuil"] == "non (vérifié par l'Assurance Maladie)"
    assert lines.loc["logiciel_segur", "seuil"] == "déclaré oui"
