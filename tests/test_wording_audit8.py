"""Audit of 2026-12-03, afternoon: what a reader could not tell from the reports."""

from __future__ import annotations

import re
from pathlib import Path

from rosp_lib.engine import compute_file
from rosp_lib.parameters import iter_leaves, load_parameters
from rosp_lib.report.readings import readings

ROOT = Path(__file__).resolve().parent.parent


def test_an_alternative_reading_says_what_it_means_not_only_its_value():
    """The synthesis's table of hypotheses said « oui » → « non » for the missing-data reading (−2 609,00 € for
    PH-HALLES 2022), the theme report « si elle seule est remplacée par « non » » : the value alone told a reader
    nothing. The alternative is now followed by what it means, in the parameter file's own words."""
    pharmacies, _, _ = compute_file(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    stakes = {s.cle: s for s in readings(pharmacies[pharmacies["pharmacie_id"] == "PH-HALLES"], None, 2022).stakes}
    missing = stakes["general.donnee_manquante_montant_bas"]
    assert (missing.reference, missing.alternative) == ("oui", "non : 0 € (non atteint — donnée manquante)")
    assert missing.ecart_cents == -260900
    # a state: the alternative state and what it pays, its template filled from the parameters (2022: 250,00 € at 35 %)
    leaves = dict(iter_leaves(load_parameters(2022)))
    assert leaves["numerique.eprescription.montant"].valeur == 250
    assert stakes["numerique.eprescription.etat"].alternative == (
        "actif : 250,00\u00a0€ si ≥ 35 % des prescriptions exécutées en e-prescription")
    # a note that does not start with the value it describes is not glued to it
    assert stakes["general.arrondi"].alternative == "au pair : arrondi au pair (arrondi bancaire)"


def test_a_theme_that_does_not_exist_that_exercise_is_a_dash_in_the_synthesis():
    """PH-HALLES 2022: the vaccination (from 2024, avenant 1 art. 6) and the dispositif 2024 (2024 only, art. 1) were
    « 0,00 € » in the themes table, the calendar, the comparison with 2023 and a bar of the chart (audit); the index
    says « — ». The comparison of PH-TILLEULS 2024 with 2025 keeps the fall of the dispositif 2024 (950,00 € → —)."""
    import rosp_lib.report.notebook as nb
    from test_notebook_helpers import _load

    halles = _load("PH-HALLES", 2022)
    for html in (str(nb.themes_table(halles)), str(nb.calendar_table(halles))):
        for title in ("Vaccination", "Dispositif 2024"):
            row = next(r for r in html.split("<tr>") if re.sub("<[^>]+>", "", r.split("</td>")[0]) == title)
            assert row.split("</td>")[1].endswith(">—"), row
    comparison = str(nb.comparison_table(halles))
    vaccination = next(r for r in comparison.split("<tr>") if r.startswith("<td>Vaccination"))
    assert vaccination.count(">—</td>") == 3  # 2022, 2023 and their evolution
    assert "« — » : thème sans objet cet exercice-là" in comparison
    tilleuls = str(nb.comparison_table(_load("PH-TILLEULS", 2024)))
    device = next(r for r in tilleuls.split("<tr>") if r.startswith("<td>Dispositif 2024"))
    assert '<td class="montant">950,00\u00a0€</td><td class="montant">—</td>' in device
    assert device.endswith('<td class="montant">−950,00\u00a0€</td></tr>')


def test_no_molecule_line_is_listed_as_missing_data_not_after_none_missing():
    """PH-SEGUR 2026's BUPS report said « Aucune donnée manquante pour ce thème. » and, right after, that the
    molecules table has no line of the pharmacy (audit): it is now one item of « Données manquantes »."""
    import rosp_lib.report.notebook as nb
    from test_notebook_helpers import _load

    segur = _load("PH-SEGUR", 2026)
    bups = segur.theme_lines("bups")
    assert not bups["donnee_manquante"].astype(bool).any()  # nothing else is missing in its BUPS lines
    text = nb.missing_text(segur, bups)
    assert "Aucune donnée manquante" not in text
    assert text.startswith("Données manquantes :\n\n- **")
    assert "la table des molécules ciblées n'a aucune ligne de cette officine pour l'exercice 2026" in text


def test_a_missed_threshold_is_not_written_as_if_the_value_met_it():
    """PH-SEGUR 2026: 50 RVA de prescription out of 200 is 25 %, and the 2026 bonus needs strictly more than 25 %
    (avenant 1 art. 6); the synthesis said « (50 / (50 + 150) = 25 % pour > 25 %) », read as « 25 % counts »."""
    import rosp_lib.report.notebook as nb
    from test_notebook_helpers import _load

    reason = nb.theme_reason(_load("PH-SEGUR", 2026), "vaccination")
    assert "(50 / (50 + 150) = 25 % ; seuil : > 25 %)" in reason
    assert " pour >" not in reason


def test_the_2023_molecule_floor_is_a_verb_in_its_rule():
    """« versée si le taux d'arrivée est plus de 72 % » is not French (audit): 2023's floor is « above 72 % » (rules
    book: the press of March 2023), written with the verb of its comparison."""
    from rosp_lib.registry import indicator
    from rosp_lib.rulebook import rule_text

    params = load_parameters(2023)
    assert params.bups.molecules_ciblees.taux_plancher_pct.comparaison == ">"
    text = rule_text(indicator("molecules_ciblees"), params)
    assert "versée si le taux d'arrivée dépasse 72 %" in text
    assert "est plus de" not in text


def test_the_calendar_of_the_synthesis_lists_the_attestation_as_the_theme_report_does():
    """The BUPS and numérique reports list « l'attestation sur l'honneur, à la fin de la déclaration » among what is
    declared (rules book, §7); the synthesis's calendar left it out (audit). A theme declared by nobody (colorectal,
    automatic) has none."""
    import rosp_lib.report.notebook as nb
    from rosp_lib.report import narrative
    from test_notebook_helpers import _load

    segur = _load("PH-SEGUR", 2026)
    calendar = str(nb.calendar_table(segur))
    for title in ("Numérique (REMU NUM)", "Bon usage (BUPS)"):
        row = next(r for r in calendar.split("<tr>") if r.startswith(f"<td>{title}</td>"))
        assert row.endswith("; l&#x27;attestation sur l&#x27;honneur, à la fin de la déclaration</td></tr>"), row
        assert f"- {narrative.ATTESTATION}" in nb.declaration_text(segur, "numerique" if "REMU" in title else "bups")
    colorectal = next(r for r in calendar.split("<tr>") if r.startswith("<td>Dépistage colorectal</td>"))
    assert "attestation" not in colorectal and "rien (automatique)" in colorectal


def test_a_malus_taken_on_a_voided_theme_is_still_said_to_apply():
    """PH-MAIRIE 2023: 2,5 % of IRIS rejections score 3 points, the bottom of the 10 % step (barème 3–9 points), but its
    numérique theme is voided by its socle, so the malus takes 10 % of 0,00 €. The line said « pas de malus » beside
    « score 3 pts → malus 10 % × 0,00 € » (audit): it says « malus », for 0,00 €."""
    _, lines, _ = compute_file(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    line = lines[(lines["pharmacie_id"] == "PH-MAIRIE") & (lines["indicateur"] == "malus_qualite_facturation")].iloc[0]
    assert line["note"].startswith("score 3 points → malus 10 % × 0,00\u00a0€")
    assert (line["atteint"], int(line["montant_cents"])) == ("malus", 0)
    # a score under the first step is no malus (PH-CENTRE 2025: score 0)
    centre = lines[(lines["pharmacie_id"] == "PH-CENTRE") & (lines["exercice"] == 2025)
                   & (lines["indicateur"] == "malus_qualite_facturation")].iloc[0]
    assert centre["atteint"] in ("pas de malus", "donnée manquante") and int(centre["montant_cents"]) == 0


def test_a_bal_declared_with_an_unknown_mss_rate_is_missing_data_not_a_miss(tmp_path):
    """PH-NOUVELLE 2024 declares its BAL organisationnelle, whose majoration needs the MSS indicator met (rules book),
    and its MSS rate is empty: the MSS line says « donnée manquante », the BAL line said « BAL déclarée mais
    indicateur MSS non atteint » (audit). It is unknown too: « donnée manquante », 0 €, counted among missing data."""
    pharmacies, lines, _ = compute_file(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    row = pharmacies[pharmacies["pharmacie_id"] == "PH-NOUVELLE"].iloc[0]
    assert bool(row["bal_organisationnelle"]) and row["taux_mss_pct"] != row["taux_mss_pct"]  # oui, and NaN
    mine = lines[lines["pharmacie_id"] == "PH-NOUVELLE"].set_index("indicateur")
    assert mine.loc["mss", "atteint"] == "donnée manquante"
    bal = mine.loc["bal_organisationnelle"]
    assert (bal["atteint"], int(bal["montant_cents"]), bool(bal["donnee_manquante"])) == ("donnée manquante", 0, True)
    assert bal["note"] == "BAL déclarée, indicateur MSS inconnu (taux MSS manquant)"
    # a BAL declared with an MSS rate known and under its threshold is still « non atteint » (2024: MSS at 2 %)
    from helpers_rules import write_csv
    from rosp_lib.engine import compute, parameters_for
    from rosp_lib.inputs import read_pharmacies

    assert load_parameters(2024).numerique.mss.seuil_pct.valeur > 2
    ph = read_pharmacies(write_csv(tmp_path / "p.csv",
                                   [{"pharmacie_id": "PH-1", "exercice": 2024, "bal_organisationnelle": "oui",
                                     "taux_mss_pct": "2"}], sep=";"))
    bal = compute(ph, None, parameters_for([2024])).set_index("indicateur").loc["bal_organisationnelle"]
    assert (bal["atteint"], bal["note"], bool(bal["donnee_manquante"])) == (
        "non", "BAL déclarée mais indicateur MSS non atteint", False)


def test_a_count_at_its_cap_gains_with_the_count_that_caps_it():
    """PH-SEGUR 2026 had as many kits réalisés as kits remis (50): one more réalisé was never tried (it cannot exceed
    the remis), and its colorectal report said nothing could be gained, « chaque indicateur est atteint à son
    plafond » — while the rule pays 2,00 € per kit réalisé, uncapped, and the year is still open on 03/12/2026
    (audit). One more kit remis and réalisé is the action: +2,00 €, until 31/12/2026."""
    import datetime as dt

    from rosp_lib.counterfactual.gains import gains_table

    pharmacies, _, _ = compute_file(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    segur = pharmacies[pharmacies["pharmacie_id"] == "PH-SEGUR"].reset_index(drop=True)
    assert (segur.loc[0, "nb_kits_remis"], segur.loc[0, "nb_kits_realises"]) == (50, 50)
    assert load_parameters(2026).colorectal.kits_realises.montant_par_kit.valeur == 2
    table = gains_table(segur, None, date=dt.date(2026, 12, 3))
    kits = table[table["indicateur"] == "kits_realises"].iloc[0]
    assert (kits["colonne"], kits["valeur_actuelle"], kits["valeur_cible"]) == (
        "nb_kits_realises + nb_kits_remis", "50 ; 50", "51 ; 51")
    assert (kits["gain_cents"], kits["encore_possible"], str(kits["echeance"])) == (200, "oui", "2026-12-31")


def test_no_action_found_is_not_said_to_be_a_cap_when_data_are_missing():
    """PH-NOUVELLE 2024's vaccination line has both RVA counts empty: its report said every indicator was at its cap
    (audit). It now says no action was found and that a line waits for its missing data."""
    import datetime as dt

    from rosp_lib.report import gains as report_gains
    from test_notebook_helpers import _load

    nouvelle = _load("PH-NOUVELLE", 2024)
    assert nouvelle.theme_lines("vaccination")["donnee_manquante"].astype(bool).all()
    g = report_gains.compute(nouvelle, "vaccination", dt.date(2024, 10, 1))
    assert g.table.empty
    text = str(report_gains.actions_table(nouvelle, g, "vaccination"))
    assert "plafond" not in text
    assert "; 1 ligne a une donnée manquante (section « Hypothèses et données manquantes ») : renseignée" in text


def test_a_gain_names_every_hypothesis_its_amount_rests_on():
    """The ⚠ of a gain looked only at the changed indicator's own lines (audit):
    - PH-SEGUR 2026, Ségur software declared: the whole numérique theme is regained, and whether it is paid at all
      depends on the 2026 ordonnance-numérique socle being neutralised (a hypothesis, rules book §1);
    - PH-MAIRIE 2023, programme d'amélioration: the BUPS theme regained pays its molecules' premium of 2,30 € a box,
      a hypothesis (alternative 2,80 €);
    - PH-NOUVELLE 2024, écoresponsable level: the BUPS malus « urgence » without reference rate is read « pas de
      malus » (a hypothesis); its other reading takes its share of any BUPS gain."""
    import datetime as dt

    from rosp_lib.counterfactual.gains import gains_table
    from rosp_lib.inputs.tables import read_inputs

    pharmacies, molecules = read_inputs(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    mine = pharmacies[pharmacies["pharmacie_id"].isin(["PH-SEGUR", "PH-MAIRIE", "PH-NOUVELLE"])].reset_index(drop=True)
    table = gains_table(mine, molecules, date=dt.date(2026, 12, 3)).set_index(["pharmacie_id", "indicateur"])
    expected = {("PH-SEGUR", "logiciel_segur"): "numerique.ordonnance_numerique_socle.etat",
                ("PH-MAIRIE", "demarche_qualite"): "bups.molecules_ciblees.prime_par_boite",
                ("PH-NOUVELLE", "ecoresponsable"): "bups.malus_urgence.sans_reference"}
    for key, hypothesis in expected.items():
        gain = table.loc[key]
        assert dict(iter_leaves(load_parameters(int(gain["exercice"]))))[hypothesis].statut == "hypothese"
        assert gain["statut_regle"] == "hypothese" and hypothesis in gain["hypotheses"], key
    # a gain resting on no hypothesis keeps no ⚠: one more kit réalisé (colorectal, sources only)
    assert table.loc[("PH-SEGUR", "kits_realises"), "statut_regle"] == "source"


def test_days_are_agreed_by_the_shared_rule():
    from rosp_lib.report.narrative import days

    assert (days(1), days(184), days(366)) == ("1 jour", "184 jours", "366 jours")


def test_a_claim_letter_states_a_partial_payment_without_the_advice_given_to_the_titulaire():
    """PH-CENTRE 2026's claim letter, addressed to the caisse, said « un versement complémentaire est peut-être à
    venir … ; passé ce délai, réclamez-le » (audit): advice for the titulaire, in the report, not in the letter. The
    letter states the fact; the reconciliation table keeps the advice."""
    from rosp_lib.counterfactual.reconcile import reconcile
    from rosp_lib.counterfactual.versements import read_versements
    from rosp_lib.inputs import read_pharmacies

    import datetime as dt

    pharmacies = read_pharmacies(ROOT / "data/pharmacies.csv")
    table, claims = reconcile(pharmacies, None, read_versements(ROOT / "data/versements.csv", pharmacies),
                              date_reference=dt.date(2026, 12, 3))  # before the payment date (April 2027)
    letter = claims[("PH-CENTRE", 2026)]
    assert "réclamez-le" not in letter and "peut-être à venir" not in letter
    assert "; ce complément de 2\u202f800,00\u00a0€ ne m'a pas été versé." in letter
    row = table[(table["pharmacie_id"] == "PH-CENTRE") & (table["exercice"] == 2026) & (table["theme"] == "numerique")
                & (table["indicateur"] == "")].iloc[0]
    assert row["explication"].endswith("n'a pas été versé — un versement complémentaire est peut-être à venir : ce "
                                       "thème de l'exercice 2026 est versé au plus tard le 30/04/2027 (code acte PQS) ; "
                                       "passé ce délai, réclamez-le")


def test_a_claim_resting_on_a_reading_says_it_is_the_titulaires_reading():
    """PH-TILLEULS 2025's letter said the 200,00 € of the lower stability step « diffèrent de ce qui est dû », while the
    amount rests on a reading of a silent text (bups.stabilite_75.montant_bas, a hypothesis) and the caisse paid by
    the other one (audit): the letter says it is the titulaire's reading."""
    from rosp_lib.counterfactual.reconcile import reconcile
    from rosp_lib.counterfactual.versements import read_versements
    from rosp_lib.inputs.tables import read_inputs

    pharmacies, molecules = read_inputs(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    _, claims = reconcile(pharmacies, molecules, read_versements(ROOT / "data/versements.csv", pharmacies))
    assert dict(iter_leaves(load_parameters(2025)))["bups.stabilite_75.montant_bas"].statut == "hypothese"
    assert ("les montants suivants diffèrent de ce qui est dû selon ma lecture des textes, là où ils ne fixent pas le "
            "montant :") in claims[("PH-TILLEULS", 2025)]
    # a gap with no reading at stake keeps the plain words (PH-CENTRE 2026: a partial payment)
    assert "les montants suivants diffèrent de ce qui est dû :" in claims[("PH-CENTRE", 2026)]


def test_the_helps_give_the_exit_code_of_an_interruption_and_grappe_gives_its_codes():
    """An interrupted `rosp report` exited 130 late in a batch and 1 (« un rapport a échoué ») early; neither was in
    the help, nor were `rosp grappe`'s codes (audit). Interrupted is 130 everywhere, and said."""
    from click.testing import CliRunner

    from rosp_lib.cli import main

    def helped(*args) -> str:
        return " ".join(CliRunner().invoke(main, [*args, "--help"]).output.split())

    assert "130 interrompue par Ctrl+C, 143 arrêtée par SIGTERM" in helped("report")
    assert "avec le code 130 si la commande est interrompue par Ctrl+C" in helped("compute")
    for command in ("gains", "rapprocher"):
        assert "130 interrompue (Ctrl+C)" in helped(command)
    assert ("Codes de sortie : 0 arrêtée par Ctrl+C ou SIGTERM après avoir tourné ; 2 option invalide"
            in helped("grappe"))


def test_more_weeks_than_the_activity_of_the_exercise_is_said(tmp_path):
    """PH-VENDEUR (active 181 days of 2025) and PH-CESSION (184 days) each declared 50 weeks of ASAFO connections,
    100 weeks in one year, accepted without a word (audit): the counts are the titulaire's own, over his own period.
    Said on the console and in the reports; the amounts stay computed on the values as written."""
    from helpers_rules import write_csv
    from rosp_lib.inputs import read_pharmacies
    from rosp_lib.inputs.tables import pharmacy_warnings

    rows = [{"pharmacie_id": "PH-VEND", "exercice": 2025, "fin_activite": "2025-06-30", "nb_semaines_asafo": "50"},
            {"pharmacie_id": "PH-PLEIN", "exercice": 2025, "nb_semaines_asafo": "52"},
            {"pharmacie_id": "PH-ACHAT", "exercice": 2025, "debut_activite": "2025-07-01", "nb_semaines_asafo": "26"}]
    ph = read_pharmacies(write_csv(tmp_path / "p.csv", rows, sep=";"))
    said = [w for w in ph.attrs["avertissements"] if "nb_semaines_asafo" in w]
    # 1 January (a Wednesday) to 30 June 2025 (a Monday): 181 days over 27 calendar weeks, the first and the last
    # begun (26 by 181 / 7, which said a titulaire connected in each of them had too many); 1 July to 31 December: 27
    assert len(said) == 1 and ("(ligne 2 : PH-VEND, 50 semaines pour 181 jours d'activité, soit 27 semaines au plus)"
                               in said[0])
    assert "PH-PLEIN" not in said[0] and "PH-ACHAT" not in said[0]
    report = pharmacy_warnings(ph[ph["pharmacie_id"] == "PH-VEND"])
    assert any("(exercice 2025 : PH-VEND, 50 semaines pour 181 jours d'activité" in w for w in report)


def test_the_lad_reading_of_2026_is_priced_not_called_unquantifiable():
    """PH-CENTRE 2026's synthesis listed the LAD's state among the hypotheses « non chiffrables (aucune valeur publiée
    pour l'alternative) », while its alternative is one value — « actif », the LAD required and paid 200,00 € — and the
    network view counted the euros resting on it (audit). Under it, no LAD being declared, the socle is lost and the
    whole numérique theme of PH-CENTRE 2026 (5 074,00 €) with it."""
    import rosp_lib.report.notebook as nb
    from test_notebook_helpers import _load

    assert load_parameters(2026).numerique.lad_certifie_has.montant.valeur == 200
    centre = _load("PH-CENTRE", 2026)
    assert centre.theme_total_cents("numerique") == 507400
    stake = next(s for s in centre.readings.stakes if s.cle == "numerique.lad_certifie_has.etat")
    assert stake.ecart_cents == -507400 and stake.themes == ("numerique",)
    assert "LAD" not in nb.unquantified_text(centre)


def test_the_weeks_warning_starts_just_above_the_weeks_of_activity(tmp_path):
    """1 July to 31 December 2025: 184 days, 27 weeks begun. 26 and 27 weeks are possible; 28 is said."""
    from helpers_rules import write_csv
    from rosp_lib.inputs import read_pharmacies

    rows = [{"pharmacie_id": f"PH-{n}", "exercice": 2025, "debut_activite": "2025-07-01", "nb_semaines_asafo": str(n)}
            for n in (26, 27, 28)]
    said = " ".join(w for w in read_pharmacies(write_csv(tmp_path / "p.csv", rows, sep=";")).attrs["avertissements"]
                    if "nb_semaines_asafo" in w)
    assert "PH-28, 28 semaines pour 184 jours d'activité, soit 27 semaines au plus" in said
    assert "PH-27" not in said and "PH-26" not in said


def test_a_score_of_zero_points_is_said_in_the_singular():
    """PH-HALLES 2023 and PH-TILLEULS 2024: « score 0 pts → pas de malus » beside sub-lines « 0 point » (review):
    the score agrees as they do."""
    _, lines, _ = compute_file(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    malus = lines[lines["indicateur"] == "malus_qualite_facturation"].set_index(["pharmacie_id", "exercice"])
    for key in (("PH-HALLES", 2023), ("PH-TILLEULS", 2024)):
        assert malus.loc[key, "note"].split(" ; ")[0] == "score 0 point → pas de malus"  # then its hypotheses


def test_a_reading_whose_ecart_comes_from_missing_data_says_so():
    """PH-TILLEULS 2024: the socle « ordonnance numérique », neutralised by the tool in 2024, read as active (its
    alternative) with no rate given, is « donnée manquante »: the socle fails and the numérique theme (5 349,00 €)
    is lost. The synthesis gave −5 349,00 € beside « Aucune donnée manquante pour cet exercice » (review): the reading
    now says that its écart rests on a value the file does not give. The malus reading (−534,90 €) reads no missing
    value."""
    from rosp_lib.report import notebook as nb
    from test_notebook_helpers import _load

    rep = _load("PH-TILLEULS", 2024)
    stakes = {s.cle: s for s in rep.readings.moving}
    socle = stakes["numerique.ordonnance_numerique_socle.etat"]
    assert (socle.ecart_cents, socle.manquantes) == (-5_349_00, ("ordonnance_numerique_socle",))
    assert stakes["numerique.malus_qualite_facturation.double_paiement_seuil_bas_pct"].manquantes == ()
    rows = str(nb.stakes_table(rep)).split("<tr>")
    row = next(r for r in rows if "−5\u202f349,00\u00a0€" in r)
    assert ("— sous cette lecture, donnée manquante : « Ordonnance numérique pour au moins 70 % des délivrances "
            "(socle) » ; l&#x27;écart en dépend") in row
    assert "donnée manquante" not in next(r for r in rows if "−534,90\u00a0€" in r)
    # in the theme report, said after the écart it makes (« l'écart en dépend » came before any écart: review)
    item = next(x for x in nb.hypotheses_text(rep, "numerique").split("\n") if "Ordonnance numérique" in x)
    assert item.endswith("le total de l'exercice change de **−5\u202f349,00\u00a0€** ; sous cette lecture, donnée "
                         "manquante : « Ordonnance numérique pour au moins 70 % des délivrances (socle) » ; l'écart en "
                         "dépend (renseignée, la donnée pourrait le changer).")
    # PH-SEGUR 2026: the numérique theme is already voided by its Ségur socle; the same reading moves nothing, and
    # the missing rate under it is nothing its (absent) écart depends on
    segur = _load("PH-SEGUR", 2026)
    assert next(s for s in segur.readings.stakes if s.cle == "numerique.ordonnance_numerique_socle.etat").manquantes == ()


def test_the_reports_give_the_payment_date_of_their_own_exercise():
    """The colorectal report of 2022 and 2023 said « Versement : au 2e trimestre N+1 », a date the spec gives from the
    2024 exercise only (§4: before, with the ROSP statement of the exercise; review). The reports now say the date
    of their exercise, its year written."""
    from rosp_lib.report import notebook as nb
    from test_notebook_helpers import _load

    halles = _load("PH-HALLES", 2023)
    # the date is the tool's (no published date): said, with the other reading (escaped as any parameter's text)
    header = nb.header_text(halles, "colorectal")
    assert ("**Versement** : au plus tard le 31/12/2024 (date retenue par l'outil,\u00a0⚠ hypothèse ; autre lecture : "
            "« 30&#47;04&#47;2024 &#58; versé en même temps que la ROSP numérique") in header
    row = next(r for r in str(nb.calendar_table(halles)).split("<tr>") if r.startswith("<td>Dépistage colorectal"))
    assert "<td>au plus tard le 31/12/2024\u00a0⚠ (date incertaine : hypothèse de l&#x27;outil)</td>" in row
    tilleuls = _load("PH-TILLEULS", 2024)
    assert "**Versement** : au plus tard le 30/06/2025." in nb.header_text(tilleuls, "colorectal")  # the 2024 statement
    assert "**Versement** : au plus tard le 30/04/2025 (code acte PQS)." in nb.header_text(tilleuls, "numerique")


def test_what_is_measured_automatically_is_what_is_in_force_that_exercise():
    """« Automatique : … » listed ASAFO-Pharma in 2022 and 2023 (absent before 2024), the molecules in 2022
    (neutralised) and the e-prescription in 2022 (neutralised) (review)."""
    from rosp_lib.registry import INDICATOR_BY_CODE, THEMES
    from rosp_lib.report import notebook as nb
    from test_notebook_helpers import _load

    for t in THEMES:  # each measured item names indicators of its theme
        assert all(INDICATOR_BY_CODE[c].theme == t.code for m in t.mesures for c in m.indicateurs), t.code
    halles_2022, halles_2023 = _load("PH-HALLES", 2022), _load("PH-HALLES", 2023)
    assert nb.automatic_text(halles_2022, "bups") == ("génériques du répertoire, stabilité 75 ans et plus et motif "
                                                      "urgence : mesurés automatiquement.")
    assert "ASAFO" not in nb.automatic_text(halles_2023, "bups")
    assert "molécules ciblées" in nb.automatic_text(halles_2023, "bups")
    assert "e-prescription" not in nb.automatic_text(halles_2022, "numerique")
    assert "e-prescription" in nb.automatic_text(halles_2023, "numerique")
    assert "**Automatique** : FSE, SCOR" in nb.declaration_text(halles_2023, "numerique")


def test_the_socles_not_required_are_all_named():
    """PH-HALLES 2022: the exercice coordonné, not required in 2022 (paid as an indicator), was left out of « Socle
    atteint : … (neutralisés ou non exigés cet exercice : Disposer d'un LAD certifié HAS) » (review)."""
    from rosp_lib.report import notebook as nb
    from test_notebook_helpers import _load

    rep = _load("PH-HALLES", 2022)
    text = nb.gate_and_malus_text(rep, rep.theme_lines("numerique"))
    assert text.startswith("**Socle atteint** : tous les indicateurs socles exigés sont remplis (neutralisés ou non "
                           "exigés cet exercice : Participer à un exercice coordonné &#40;ESP, MSP, CPTS&#41;, "
                           "Disposer d&#39;un LAD certifié HAS).")


def test_an_empty_input_is_written_vide_in_a_calculation():
    """PH-NOUVELLE 2024, dispensations à l'unité left empty: the « Calcul » read « 1,00 € × nb_dispensations_unite »,
    a formula left unfilled, where a filled one reads « 1,00 € × 30 (nb_dispensations_unite) » (review)."""
    from rosp_lib.report import notebook as nb
    from test_notebook_helpers import _load

    rep = _load("PH-NOUVELLE", 2024)
    line = rep.lines[rep.lines["indicateur"] == "dispensation"].iloc[0]
    assert nb.calcul_text(rep, line) == "1,00\u00a0€ × vide (dispensations à l'unité)"  # in words (review)


def test_the_weeks_warning_agrees_its_words_with_one(tmp_path):
    """« 46 semaines pour 1 jours d'activité, soit 1 semaines au plus » (review): the 31 December alone is one day,
    one week begun."""
    from helpers_rules import write_csv
    from rosp_lib.inputs import read_pharmacies

    # (2025: an exercise that counts the weeks of the year; 2024 counts December's)
    rows = [{"pharmacie_id": "PH-A", "exercice": 2025, "debut_activite": "2025-12-31", "nb_semaines_asafo": "46"}]
    ph = read_pharmacies(write_csv(tmp_path / "p.csv", rows, sep=";"))
    said = [w for w in ph.attrs["avertissements"] if "nb_semaines_asafo" in w]
    assert len(said) == 1 and "(ligne 2 : PH-A, 46 semaines pour 1 jour d'activité, soit 1 semaine au plus)" in said[0]


def test_more_weeks_of_december_than_the_activity_of_december_is_said(tmp_path):
    """2024: ASAFO pays 4 different weeks of December (`nb_semaines_asafo_decembre`). A titulaire who left on
    10 December 2024 declared 4: not said (audit: only the weeks of the year were checked). 1 December 2024 is a
    Sunday: 1 to 10 December touch the weeks of 25 November, 2 December and 9 December — 3 at most. Active all
    December, 5 is possible (a count of December weeks is not checked against a whole month)."""
    from helpers_rules import write_csv
    from rosp_lib.inputs import read_pharmacies

    rows = [{"pharmacie_id": "PH-PARTI", "exercice": 2024, "fin_activite": "2024-12-10", "nb_semaines_asafo_decembre": "4"},
            {"pharmacie_id": "PH-TROIS", "exercice": 2024, "fin_activite": "2024-12-10", "nb_semaines_asafo_decembre": "3"},
            {"pharmacie_id": "PH-PLEIN", "exercice": 2024, "nb_semaines_asafo_decembre": "5"},
            {"pharmacie_id": "PH-AVANT", "exercice": 2024, "fin_activite": "2024-11-15", "nb_semaines_asafo_decembre": "1"}]
    said = [w for w in read_pharmacies(write_csv(tmp_path / "p.csv", rows, sep=";")).attrs["avertissements"]
            if "nb_semaines_asafo_decembre" in w]
    assert len(said) == 1
    assert ("colonne nb_semaines_asafo_decembre : plus de semaines de décembre que l'activité de décembre n'en compte "
            "(ligne 2 : PH-PARTI, 4 semaines de décembre pour 10 jours d'activité en décembre, soit 3 semaines au plus ; "
            "ligne 5 : PH-AVANT, 1 semaine de décembre pour 0 jour d'activité en décembre, soit 0 semaine au plus)"
            ) in said[0]
    assert "PH-TROIS" not in said[0] and "PH-PLEIN" not in said[0]


def test_the_act_billed_outside_the_rosp_gives_its_product():
    """« facturé à l'acte, hors ROSP : 3,15 € (DROM) × 40 kits » left the product unfinished (review): PH-GARE 2024,
    40 kits in a DROM at 3,15 € = 126,00 €, said, and still not in the theme's total (the line pays 0 €)."""
    _, lines, totals = compute_file(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    line = lines[(lines["pharmacie_id"] == "PH-GARE") & (lines["exercice"] == 2024)
                 & (lines["indicateur"] == "acte_remise_kit")].iloc[0]
    assert " ".join(line["note"].replace("\u00a0", " ").split()) == (
        "facturé à l'acte, hors ROSP : 3,15 € (DROM) × 40 kits = 126,00 €")
    assert int(line["montant_cents"]) == 0


def test_a_count_of_weeks_is_checked_only_where_its_exercise_reads_it(tmp_path):
    """2025 counts the weeks of the year (`bups.asafo.periode`), not those of December: « 4 semaines de décembre pour
    0 jour d'activité » was said of a 2025 row whose December count no rule reads (review). 2024 reads it: said."""
    from helpers_rules import write_csv
    from rosp_lib.inputs import read_pharmacies

    assert load_parameters(2025).bups.asafo.periode.valeur == "annee"
    assert load_parameters(2024).bups.asafo.periode.valeur == "decembre"
    rows = [{"pharmacie_id": "PH-2025", "exercice": 2025, "fin_activite": "2025-06-30", "nb_semaines_asafo_decembre": "4"},
            {"pharmacie_id": "PH-2024", "exercice": 2024, "fin_activite": "2024-06-30", "nb_semaines_asafo_decembre": "4"}]
    said = " ".join(w for w in read_pharmacies(write_csv(tmp_path / "p.csv", rows, sep=";")).attrs["avertissements"]
                    if "nb_semaines_asafo_decembre" in w)
    assert "PH-2024, 4 semaines de décembre pour 0 jour d'activité en décembre" in said
    assert "PH-2025" not in said
