"""Reconciliation (`rosp rapprocher`): expected against paid, verdicts, explanations found by the library, claim
drafts; the `versements` reader; the two commands end to end on the example data.

Expected amounts are worked out by hand from the rules (amounts of the 2024–2025 parameters)."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from helpers_rules import write_csv
from rosp_lib.cli import main
from rosp_lib.counterfactual.gains import GAINS_COLUMNS
from rosp_lib.counterfactual.reconcile import RAPPROCHEMENT_COLUMNS, reconcile
from rosp_lib.counterfactual.versements import read_versements
from rosp_lib.inputs import InputError, read_inputs, read_molecules, read_pharmacies
from rosp_lib.parameters import PARAMETERS_DIR, Scenario

ROOT = Path(__file__).resolve().parent.parent


def E(text: str) -> str:
    """French amounts as the library writes them: a no-break space before €, a narrow one between thousands."""
    return re.sub(r"(?<=\d) (?=\d{3}(?!\d))", "\u202f", text).replace(" €", "\u00a0€")

BUPS_OK = {"dqo_autoevaluation": "oui", "dqo_newsletter": "oui", "dqo_programme_amelioration": "oui",
           "taux_generiques_repertoire_pct": 90}
NUM_OK = {"exercice_coordonne": "oui", "logiciel_segur": "oui", "taux_mss_pct": 6}

PHARMACIES = [
    # BUPS 100 + stabilité au palier bas 200 = 300 € ; numérique 820 + 240 = 1 060 €
    {"pharmacie_id": "P1", "exercice": 2025, **BUPS_OK, "taux_stabilite_75_pct": 92, **NUM_OK},
    {"pharmacie_id": "P2", "exercice": 2025, **NUM_OK},
    # 2024 : 2 € par kit réalisé → 40 € ; 1 € par dispensation → 10 €
    {"pharmacie_id": "P3", "exercice": 2024, "nb_kits_remis": 30, "nb_kits_realises": 20, "nb_dispensations_unite": 10},
]

# Before the payment date of every theme of the exercise 2025 (the BUPS's, the first, ends on 31/03/2026): a partial
# payment's complement is still to come
BEFORE_PAYMENT = dt.date(2026, 3, 1)

VERSEMENTS = [
    {"pharmacie_id": "P1", "exercice": 2025, "theme": "numerique", "indicateur": "", "montant_verse_eur": "1060,00"},
    {"pharmacie_id": "P1", "exercice": 2025, "theme": "Bon usage des produits de santé (bups)", "indicateur": "",
     "montant_verse_eur": "100,00"},
    {"pharmacie_id": "P1", "exercice": 2025, "theme": "vaccination", "indicateur": "", "montant_verse_eur": "50"},
    {"pharmacie_id": "P2", "exercice": 2025, "theme": "numerique", "indicateur": "", "montant_verse_eur": "240,00"},
    {"pharmacie_id": "P2", "exercice": 2025, "theme": "numerique", "indicateur": "exercice_coordonne",
     "montant_verse_eur": "0"},
    {"pharmacie_id": "P3", "exercice": 2024, "theme": "colorectal", "indicateur": "", "montant_verse_eur": "35.00"},
]


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rapprochement")
    pharmacies = read_pharmacies(write_csv(tmp / "pharmacies.csv", PHARMACIES))
    paid = read_versements(write_csv(tmp / "versements.csv", VERSEMENTS, sep=";"), pharmacies)
    table, claims = reconcile(pharmacies, None, paid, date_reference=BEFORE_PAYMENT)
    return table, claims


def _row(table, pid, theme, indicateur=""):
    sel = (table["pharmacie_id"] == pid) & (table["theme"] == theme) & (table["indicateur"] == indicateur)
    assert sel.sum() == 1, table.to_string()
    return table[sel].iloc[0]


def test_exact_match_is_conforme(result):
    table, _ = result
    r = _row(table, "P1", "numerique")
    assert (r["attendu_eur"], r["verse_eur"], r["ecart_eur"], r["verdict"]) == ("1060.00", "1060.00", "0.00", "conforme")
    assert r["explication"] == "" and r["lecture_qui_explique"] == ""


def test_bups_paid_at_the_alternative_reading_of_the_stabilite_step(result):
    table, _ = result
    r = _row(table, "P1", "bups")
    assert (r["attendu_eur"], r["verse_eur"], r["ecart_eur"], r["verdict"]) == ("300.00", "100.00", "-200.00", "ecart")
    assert r["lecture_qui_explique"] == "bups.stabilite_75.montant_bas"
    assert r["explication"] == E(
        "écart de 200,00 € : le montant versé correspond à l'autre lecture de « Montant au palier bas » (paramètre "
        "bups.stabilite_75.montant_bas) : 0,00 € au lieu de 200,00 €, la valeur retenue par l'outil — seul le palier "
        "de 95 % paie")


def test_theme_paid_but_not_expected(result):
    table, _ = result
    r = _row(table, "P1", "vaccination")
    assert (r["attendu_eur"], r["verse_eur"], r["verdict"]) == ("0.00", "50.00", "non_attendu")
    assert r["explication"].startswith(E("écart inexpliqué de 50,00 €"))


def test_820_short_of_a_partial_payment_is_said_as_its_theme_says_it(result):
    """The exercice coordonné is a socle of the numérique in 2025: refused, the whole theme would be 0 €, not the
    240 € paid. The indicator row said « la déclaration … n'a pas été retenue » beside its theme row's « versement
    partiel » (audit): it now says it is part of the theme's missing complement."""
    table, _ = result
    r = _row(table, "P2", "numerique", "exercice_coordonne")
    assert (r["attendu_eur"], r["verse_eur"], r["ecart_eur"], r["verdict"]) == ("820.00", "0.00", "-820.00", "non_verse")
    assert r["lecture_qui_explique"] == ""
    assert r["explication"] == E("le relevé porte cette ligne à 0,00 € alors que le reste du thème est versé : son montant de "
                                 "820,00 € manque ; « Participer à un exercice coordonné (ESP, MSP, CPTS) » est un indicateur "
                                 "socle de l'exercice 2025 : s'il n'était pas atteint, tout le thème serait à 0,00 €, et non à "
                                 "240,00 € versés — un versement complémentaire est peut-être à venir : ce thème de l'exercice 2025 "
                                 "est versé au plus tard le 30/04/2026 (code acte PQS) ; passé ce délai, réclamez-le")


def test_a_socle_refused_explains_its_indicator_row_when_its_theme_received_nothing(tmp_path):
    """Numérique 2025 due 820 + 240 = 1 060 €, paid 0 € with « exercice coordonné : 0 € » detailed: the theme row is
    said as it is (nothing paid), and the socle refused reproduces both rows (the whole theme at 0 €)."""
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [
        {"pharmacie_id": "P5", "exercice": 2025, **NUM_OK}]))
    paid = read_versements(write_csv(tmp_path / "versements.csv", [
        {"pharmacie_id": "P5", "exercice": 2025, "theme": "numerique", "indicateur": "", "montant_verse_eur": "0"},
        {"pharmacie_id": "P5", "exercice": 2025, "theme": "numerique", "indicateur": "exercice_coordonne",
         "montant_verse_eur": "0"},
    ], sep=";"), pharmacies)
    table, _ = reconcile(pharmacies, None, paid)
    assert _row(table, "P5", "numerique")["explication"].startswith("aucun versement")
    r = _row(table, "P5", "numerique", "exercice_coordonne")
    assert (r["attendu_eur"], r["verse_eur"], r["lecture_qui_explique"]) == ("820.00", "0.00", "exercice_coordonne")
    assert r["explication"].startswith(E("écart de 820,00 € : la déclaration « exercice coordonné"))


def test_partial_payment_names_the_missing_complement(result):
    table, _ = result
    # numérique attendu 1 060 € (exercice coordonné 820 + MSS 240), versé 240 € : la ligne MSS seule
    r = _row(table, "P2", "numerique")
    assert (r["attendu_eur"], r["verse_eur"], r["verdict"]) == ("1060.00", "240.00", "ecart")
    assert r["explication"].startswith(E("versement partiel : les 240,00 € versés correspondent aux lignes "
                                            "« Utilisation d'une messagerie sécurisée de santé (MSS) » (mss) ;"))
    assert E("complément de 820,00 € (lignes « Participer à un exercice coordonné (ESP, MSP, CPTS) » "
             "(exercice_coordonne))") in r["explication"]


def test_unexplained_gap_and_nothing_paid_with_their_claim_draft(result):
    table, claims = result
    r = _row(table, "P3", "colorectal")
    assert (r["attendu_eur"], r["verse_eur"], r["ecart_eur"], r["verdict"]) == ("40.00", "35.00", "-5.00", "ecart")
    assert r["explication"].startswith(E("écart inexpliqué de 5,00 €")) and E("« Kits remis dont le test a été réalisé » (kits_realises) : 40,00 €") in r["explication"]
    d = _row(table, "P3", "dispensation_unite")
    assert (d["attendu_eur"], d["verse_eur"], d["verdict"]) == ("10.00", "0.00", "non_verse")
    text = claims[("P3", 2024)]
    assert E("| Dépistage organisé du cancer colorectal | tout le thème | 40,00 € | 35,00 € | −5,00 € |") in text
    assert E("2,00 € par kit remis dont le test a été réalisé") in text  # the rule, rendered from the parameters
    assert "Source :" in text and "relevé « Mes ROSP »" in text
    for private in ("spec/", "seeds/", "../shared"):
        assert private not in text
    # a conforming pharmacy-year gets no claim; an unfavourable gap explained by a reading still does
    assert ("P1", 2025) in claims and ("P2", 2025) in claims
    assert set(table.columns[: len(RAPPROCHEMENT_COLUMNS)]) == set(RAPPROCHEMENT_COLUMNS)


def test_versements_every_problem_at_once(tmp_path):
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", PHARMACIES))
    bad = [
        {"pharmacie_id": "P1", "exercice": 2025, "theme": "numérique", "indicateur": "", "montant_verse_eur": "12,5"},
        {"pharmacie_id": "P9", "exercice": 2025, "theme": "bups", "indicateur": "", "montant_verse_eur": "10"},
        {"pharmacie_id": "P1", "exercice": 2025, "theme": "ROSP", "indicateur": "", "montant_verse_eur": "dix"},
        {"pharmacie_id": "P1", "exercice": 2025, "theme": "bups", "indicateur": "mss", "montant_verse_eur": "1",
         "date_versement": "15.04.2026"},
    ]
    with pytest.raises(InputError) as err:
        read_versements(write_csv(tmp_path / "v.csv", bad), pharmacies)
    problems = err.value.problems
    assert len(problems) == 5, problems
    assert any(p.startswith("ligne 3, pharmacie « P9 », colonne pharmacie_id : valeur « P9 »") for p in problems)
    assert any("ligne 4" in p and "colonne theme : valeur « ROSP »" in p for p in problems)
    assert any("ligne 4" in p and "colonne montant_verse_eur : valeur « dix »" in p for p in problems)
    assert any("ligne 5" in p and "colonne indicateur : valeur « mss »" in p and "thème bups" in p for p in problems)
    assert any("ligne 5" in p and "date_versement" in p and "AAAA-MM-JJ" in p for p in problems)


def test_versements_header_problems_and_xlsx(tmp_path):
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", PHARMACIES))
    with pytest.raises(InputError) as err:
        read_versements(write_csv(tmp_path / "v.csv", [{"pharmacie_id": "P1", "exercice": 2025, "montant": 3}]),
                        pharmacies)
    text = str(err.value)
    assert "colonne « montant » : colonne inconnue" in text and "colonne obligatoire « theme » absente" in text
    wb = openpyxl.Workbook()
    wb.active.title = "notes"
    ws = wb.create_sheet("Versements")
    ws.append(["pharmacie_id", "exercice", "theme", "montant_verse_eur"])
    ws.append(["P1", 2025, "Bon usage des produits de santé (BUPS)", 300])
    ws.append(["P1", 2025, "bups", 0.5])
    wb.save(tmp_path / "v.xlsx")
    paid = read_versements(tmp_path / "v.xlsx", pharmacies)
    assert list(paid["theme"]) == ["bups", "bups"] and list(paid["montant_cents"]) == [30000, 50]


def test_cli_rapprocher_and_gains_on_the_example(tmp_path):
    runner = CliRunner()
    out = tmp_path / "sortie"
    res = runner.invoke(main, ["rapprocher", str(ROOT / "data" / "pharmacies.csv"), "--versements",
                               str(ROOT / "data" / "versements.csv"), "--molecules", str(ROOT / "data" / "molecules.csv"),
                               "-o", str(out)])
    assert res.exit_code == 0, res.output
    with open(out / "rapprochement.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == RAPPROCHEMENT_COLUMNS
    assert {r["verdict"] for r in rows} == {"conforme", "ecart", "non_verse", "non_attendu"}
    keys = {r["lecture_qui_explique"] for r in rows}
    assert "bups.stabilite_75.montant_bas" in keys
    # PH-CENTRE 2025: the exercice coordonné (a socle) is the missing complement of a partial payment, not a refusal
    assert "exercice_coordonne" not in keys
    assert (out / "reclamation_PH-GARE_2024.md").exists()
    assert "Rapprochement de" in res.output
    # the console says the verdicts and the themes in words, as the synthesis does (review: « bups … (ecart) »)
    counts = {v: sum(r["verdict"] == v for r in rows) for v in ("conforme", "ecart", "non_verse", "non_attendu")}
    assert (f"lignes : conforme {counts['conforme']}, écart {counts['ecart']}, non versé {counts['non_verse']}, "
            f"non attendu {counts['non_attendu']}") in res.output
    gare = next(r for r in rows if (r["pharmacie_id"], r["exercice"], r["theme"]) == ("PH-GARE", "2024", "colorectal"))
    assert (f"  PH-GARE 2024 Dépistage colorectal : attendu {gare['attendu_eur'].replace('.', ',')}\u00a0€, versé "
            f"{gare['verse_eur'].replace('.', ',')}\u00a0€ (écart) — ") in res.output
    res = runner.invoke(main, ["gains", str(ROOT / "data" / "pharmacies.csv"), "--molecules",
                               str(ROOT / "data" / "molecules.csv"), "--date", "2025-06-01", "-o", str(out)])
    assert res.exit_code == 0, res.output
    with open(out / "gains.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == GAINS_COLUMNS
    assert all(r["nature"] in ("declaratif", "mesure") and r["encore_possible"] in ("oui", "non") for r in rows)
    assert "encore à portée" in res.output
    # each action names its indicator by its title, its code beside (it was the code alone: « stabilite_75 : porter … »)
    assert ("+200,00\u00a0€ — Stabilité de la délivrance des génériques aux 75 ans et plus (stabilite_75) : porter "
            "« stabilité de la délivrance des génériques aux 75 ans et plus » (taux_stabilite_75_pct) de 92 % à 95 % "
            "(jusqu'au 31/12/2025 inclus)") in res.output.replace("\u202f", " ")


def test_cli_rapprocher_invalid_versements_writes_nothing(tmp_path):
    bad = write_csv(tmp_path / "v.csv", [{"pharmacie_id": "PH-INCONNUE", "exercice": 2025, "theme": "bups",
                                          "montant_verse_eur": "x"}])
    out = tmp_path / "sortie"
    res = CliRunner().invoke(main, ["rapprocher", str(ROOT / "data" / "pharmacies.csv"), "--versements", str(bad),
                                    "-o", str(out)])
    assert res.exit_code == 2
    assert "2 problèmes — rien n'a été calculé ni écrit" in res.output
    assert not (out / "rapprochement.csv").exists()
    res = CliRunner().invoke(main, ["gains", str(ROOT / "data" / "pharmacies.csv"), "--date", "15.01.2025"])
    assert res.exit_code == 2 and "AAAA-MM-JJ" in res.output


def test_every_explained_gap_of_the_example_is_reproduced_to_the_cent():
    """Each gap explained by a reading or an indicator: one more run of the rules, with that reading or with that
    indicator's declaration at « non », gives the amount paid."""
    import pandas as pd

    from rosp_lib.counterfactual.reconcile import one_reading
    from rosp_lib.engine import compute, parameters_for
    from rosp_lib.inputs import read_inputs
    from rosp_lib.parameters import load_parameters
    from rosp_lib.registry import LEVIERS, indicator

    pharmacies, molecules = read_inputs(ROOT / "data" / "pharmacies.csv", ROOT / "data" / "molecules.csv")
    paid = read_versements(ROOT / "data" / "versements.csv", pharmacies)
    table, _ = reconcile(pharmacies, molecules, paid)
    explained = table[table["lecture_qui_explique"] != ""]
    assert len(explained) >= 1  # PH-CENTRE 2025's exercice coordonné is a partial payment, not a refusal (audit)
    for _, r in explained.iterrows():
        sel = (pharmacies["pharmacie_id"] == r["pharmacie_id"]) & (pharmacies["exercice"] == r["exercice"])
        one = pharmacies[sel].copy()
        mols = molecules[(molecules["pharmacie_id"] == r["pharmacie_id"]) & (molecules["exercice"] == r["exercice"])]
        key = r["lecture_qui_explique"]
        params = parameters_for([r["exercice"]])
        if "." in key:  # a parameter: its alternative reading
            from rosp_lib.counterfactual.reconcile import switchable_hypotheses
            value = dict(switchable_hypotheses(r["exercice"]))[key]
            params = {r["exercice"]: load_parameters(r["exercice"], one_reading(r["exercice"], key, value))}
        else:  # an indicator: its declaration not retained
            for col in indicator(key).colonnes:
                if LEVIERS.get(col) == "oui":
                    one[col] = pd.Series([False] * len(one), index=one.index).astype(one[col].dtype)
        lines = compute(one, mols, params)
        mine = lines[lines["indicateur"] == r["indicateur"]] if r["indicateur"] else lines[lines["theme"] == r["theme"]]
        assert int(mine["montant_cents"].sum()) == round(float(r["verse_eur"]) * 100), (key, r.to_dict())


def test_reconciliation_under_the_user_scenario(tmp_path):
    """With the scenario of alternative readings, the BUPS paid at the 95 % step only, and the urgence malus taken
    without a reference rate (bups.malus_urgence.sans_reference: malus; P1 gives no urgence rate at all, which that
    reading now decides too): démarche qualité 100 € − 20 % = 80,00 € due, 100,00 € paid."""
    from rosp_lib.parameters import PARAMETERS_DIR

    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", PHARMACIES))
    paid = read_versements(write_csv(tmp_path / "versements.csv", VERSEMENTS), pharmacies)
    table, _ = reconcile(pharmacies, None, paid, PARAMETERS_DIR / "scenarios" / "lectures-alternatives.yaml")
    r = _row(table, "P1", "bups")
    assert (r["attendu_eur"], r["verse_eur"], r["verdict"]) == ("80.00", "100.00", "ecart")


def test_partial_payment_of_most_lines_names_only_the_unpaid_one():
    # exemple livré : PH-CENTRE 2025, numérique payé sauf l'exercice coordonné (820 € en 2025) ; l'explication
    # nomme la ligne non versée plutôt que les neuf lignes versées
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    paid = read_versements(ROOT / "data" / "versements.csv", pharmacies)
    table, _ = reconcile(pharmacies, None, paid)
    sel = (table["pharmacie_id"] == "PH-CENTRE") & (table["exercice"] == 2025) & (table["theme"] == "numerique") \
        & (table["indicateur"] == "")
    r = table[sel].iloc[0]
    assert r["verdict"] == "ecart" and r["ecart_eur"] == "-820.00"
    assert E("correspondent à toutes les lignes attendues sauf « Participer à un exercice coordonné (ESP, MSP, CPTS) » "
             "(exercice_coordonne) ; ce complément de 820,00 € n'a pas été versé") in r["explication"]
    assert r["explication"].count("exercice_coordonne") == 1
    assert "(fse)" not in r["explication"]


def test_a_statement_with_only_its_header_is_a_french_error_and_nothing_is_written(tmp_path):
    # was a KeyError traceback: a statement exported before any payment holds its header alone
    header = (ROOT / "data" / "versements.csv").read_text(encoding="utf-8").splitlines()[0]
    paid = tmp_path / "versements.csv"
    paid.write_text(header + "\n\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["rapprocher", str(ROOT / "data" / "pharmacies.csv"), "--versements", str(paid),
                                    "-o", str(tmp_path / "sortie")])
    assert res.exit_code == 2, res.output
    assert res.stderr.endswith(
        f"Erreur : {paid} : 1 problème — rien n'a été calculé ni écrit.\n"
        "  - aucun versement dans le relevé ; attendu : une ligne par versement du relevé « Mes ROSP » sous l'en-tête "
        "(sans versement, il n'y a rien à rapprocher)\n")
    assert not (tmp_path / "sortie").exists()


def test_a_synthesis_of_a_pharmacy_year_the_statement_does_not_cover_is_made(tmp_path):
    # each report gets its slice of the statement: the header alone for PH-PORT 2022, which is not refused there
    # (it was, for a while, and every such synthesis of a batch failed)
    res = CliRunner().invoke(main, ["report", str(ROOT / "data" / "pharmacies.csv"), "--versements",
                                    str(ROOT / "data" / "versements.csv"), "--pharmacie", "PH-PORT", "--exercice",
                                    "2022", "--themes", "synthese", "--jobs", "1", "-o", str(tmp_path / "sortie")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "sortie" / "2022" / "PH-PORT" / "00_synthese.html").is_file()
    assert (tmp_path / "sortie" / "2022" / "PH-PORT" / "versements.csv").read_text(encoding="utf-8").splitlines() == [
        "sep=,", "pharmacie_id,exercice,theme,indicateur,montant_verse_eur,date_versement,libelle_releve"]  # no row


def test_unexplained_gap_names_every_socle_lost(tmp_path):
    """Two BUPS socles lost (démarche qualité not declared, génériques at 80 % < 85 %): the theme is due 0 €, so the
    123,45 € paid is unexplained, and the explanation names both socles — one list cell of the lines, read the way
    the reports read it."""
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [
        {"pharmacie_id": "P9", "exercice": 2024, "dqo_autoevaluation": "non", "taux_generiques_repertoire_pct": 80,
         "taux_stabilite_75_pct": 96}]))
    paid = read_versements(write_csv(tmp_path / "versements.csv", [
        {"pharmacie_id": "P9", "exercice": 2024, "theme": "bups", "indicateur": "", "montant_verse_eur": "123,45"}],
        sep=";"), pharmacies)
    table, _ = reconcile(pharmacies, None, paid)
    r = _row(table, "P9", "bups")
    assert (r["attendu_eur"], r["verse_eur"], r["verdict"]) == ("0.00", "123.45", "non_attendu")
    assert ("socles non atteints : « Adhésion à la démarche qualité (HCQO) » (demarche_qualite), « Pénétration des "
            "génériques sur le répertoire (socle) » (generiques_repertoire) (tout le thème à 0 €)") in r["explication"]


# --- a theme row and its indicator rows: ambiguous, refused (audit: a total and its « dont » rows were added up) ------

# PH-ANNEES 2025 of the audit: the statement's theme total and two of its « dont » lines, copied as three rows
ANNEES = {"pharmacie_id": "PH-ANNEES", "exercice": 2025, "exercice_coordonne": "oui", "logiciel_segur": "oui",
          "condamnation_fraude": "non", "nb_fse": 40000, "taux_fse_sesam_vitale_pct": 97,
          "borne_maj_carte_vitale": "oui", "nb_lecteurs_maj_carte_vitale": 2}
TOTAL_AND_DETAIL = [
    {"pharmacie_id": "PH-ANNEES", "exercice": 2025, "theme": "numerique", "indicateur": "",
     "montant_verse_eur": "5674,00", "libelle_releve": "total"},
    {"pharmacie_id": "PH-ANNEES", "exercice": 2025, "theme": "numerique", "indicateur": "maj_carte_vitale",
     "montant_verse_eur": "1189,00", "libelle_releve": "dont carte vitale"},
    {"pharmacie_id": "PH-ANNEES", "exercice": 2025, "theme": "numerique", "indicateur": "fse",
     "montant_verse_eur": "2800,00", "libelle_releve": "dont FSE"},
    {"pharmacie_id": "PH-ANNEES", "exercice": 2025, "theme": "bups", "indicateur": "stabilite_75",
     "montant_verse_eur": "400,00"},
]
AMBIGUOUS = E(
    "lignes 2, 3 et 4, pharmacie « PH-ANNEES », exercice 2025, thème numerique : une ligne pour tout le thème "
    "(ligne 2 : 5 674,00 €) et des lignes par indicateur (ligne 3, maj_carte_vitale : 1 189,00 € ; ligne 4, fse : "
    "2 800,00 €) ; ambigu : les lignes par indicateur peuvent détailler le total (« dont », comme un relevé les "
    "imprime : 5 674,00 € versés en tout) ou être des versements en plus (9 663,00 € en tout) ; attendu : pour un "
    "détail (« dont ») du total, gardez la seule ligne du thème ; pour un versement en plus, écrivez-le sur une "
    "ligne du thème")


def test_a_theme_row_with_non_zero_indicator_rows_is_refused_naming_lines_and_readings(tmp_path):
    """Before: the three rows were added up, 9 663 € « versés » against 5 674 € due, a 3 989 € unexplained gap and a
    claim draft. Indicator rows only (BUPS here) are not ambiguous and are not named."""
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [ANNEES]))
    with pytest.raises(InputError) as err:
        read_versements(write_csv(tmp_path / "v.csv", TOTAL_AND_DETAIL, sep=";"), pharmacies)
    assert err.value.problems == [AMBIGUOUS]


def test_the_ambiguity_is_listed_with_the_other_problems_and_nothing_is_written(tmp_path):
    pharmacies = write_csv(tmp_path / "pharmacies.csv", [ANNEES])
    rows = [*TOTAL_AND_DETAIL, {"pharmacie_id": "PH-ANNEES", "exercice": 2025, "theme": "bups", "indicateur": "",
                                "montant_verse_eur": "dix"}]
    out = tmp_path / "sortie"
    res = CliRunner().invoke(main, ["rapprocher", str(pharmacies), "--versements",
                                    str(write_csv(tmp_path / "v.csv", rows, sep=";")), "-o", str(out)])
    assert res.exit_code == 2, res.output
    assert res.stderr.endswith(
        f"Erreur : {tmp_path / 'v.csv'} : 2 problèmes — rien n'a été calculé ni écrit.\n"
        "  - ligne 6, pharmacie « PH-ANNEES », colonne montant_verse_eur : valeur « dix » ; attendu : un montant en "
        "euros, au plus deux décimales (820 ; 820,00 ; 820.00)\n"
        f"  - {AMBIGUOUS}\n")
    assert not out.exists()


def test_a_theme_row_with_the_detail_removed_or_written_on_theme_rows_is_read(tmp_path):
    """Both fixes the message gives are read: the theme row alone (5 674 €, conforme), or the extra payments written
    on theme rows (they add up as an initial payment and its complements)."""
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [ANNEES]))
    alone = read_versements(write_csv(tmp_path / "v1.csv", [TOTAL_AND_DETAIL[0]], sep=";"), pharmacies)
    assert list(alone["montant_cents"]) == [567400]
    extra = [{**r, "indicateur": ""} for r in TOTAL_AND_DETAIL[:3]]
    paid = read_versements(write_csv(tmp_path / "v2.csv", extra, sep=";"), pharmacies)
    table, _ = reconcile(pharmacies, None, paid)
    assert _row(table, "PH-ANNEES", "numerique")["verse_eur"] == "9663.00"


def test_a_zero_indicator_row_beside_its_theme_row_is_accepted_and_explained():
    """data/versements.csv, PH-CENTRE 2025: the theme row (4 514 €) and « exercice coordonné : 0,00 € » beside it —
    both readings say the same thing, the row is read. The exercice coordonné is a socle of the numérique: refused,
    the theme would be 0 €, not 4 514 €. The indicator row said « la déclaration … n'a pas été retenue » beside the
    theme row's « versement partiel », and the claim draft printed both (audit); both now say the partial payment."""
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    paid = read_versements(ROOT / "data" / "versements.csv", pharmacies)
    mine = paid[(paid["pharmacie_id"] == "PH-CENTRE") & (paid["exercice"] == 2025) & (paid["theme"] == "numerique")]
    assert list(zip(mine["indicateur"], mine["montant_cents"])) == [("", 451400), ("exercice_coordonne", 0)]
    table, claims = reconcile(pharmacies, None, paid, date_reference=BEFORE_PAYMENT)
    sel = (table["pharmacie_id"] == "PH-CENTRE") & (table["exercice"] == 2025)
    t = _row(table[sel], "PH-CENTRE", "numerique")
    assert (t["attendu_eur"], t["verse_eur"]) == ("5334.00", "4514.00")
    assert t["explication"].startswith(E("versement partiel : les 4 514,00 € versés correspondent à toutes les lignes "
                                         "attendues sauf « Participer à un exercice coordonné (ESP, MSP, CPTS) » "
                                         "(exercice_coordonne) ; ce complément de 820,00 €"))
    r = _row(table[sel], "PH-CENTRE", "numerique", "exercice_coordonne")
    assert (r["attendu_eur"], r["verse_eur"], r["verdict"], r["lecture_qui_explique"]) == (
        "820.00", "0.00", "non_verse", "")
    assert r["explication"] == E("le relevé porte cette ligne à 0,00 € alors que le reste du thème est versé : son montant de "
                                 "820,00 € manque ; « Participer à un exercice coordonné (ESP, MSP, CPTS) » est un indicateur "
                                 "socle de l'exercice 2025 : s'il n'était pas atteint, tout le thème serait à 0,00 €, et non à "
                                 "4 514,00 € versés — un versement complémentaire est peut-être à venir : ce thème de l'exercice 2025 "
                                 "est versé au plus tard le 30/04/2026 (code acte PQS) ; passé ce délai, réclamez-le")
    assert "n'a pas été retenue" not in claims[("PH-CENTRE", 2025)]


def test_the_claim_table_shows_an_indicator_in_question_as_dont_under_its_theme(tmp_path):
    """Audit, PH-TLC 2025: indicator rows only, the carte Vitale line short by 311 € inside the theme's gap. The draft
    listed « tout le thème » and the carte Vitale line side by side: a reader adding them asked 311 € too much. Now
    the indicator is a « dont » row under its theme, and only the theme rows make the total.
    Due: numérique 820 + 240 + 4 lecteurs × 250 = 2 060 € ; dispensation 10 €. Paid: 689 + 240 = 929 €."""
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [
        {"pharmacie_id": "P4", "exercice": 2025, **NUM_OK, "borne_maj_carte_vitale": "non",
         "nb_lecteurs_maj_carte_vitale": 7, "nb_dispensations_unite": 10}]))
    paid = read_versements(write_csv(tmp_path / "versements.csv", [
        {"pharmacie_id": "P4", "exercice": 2025, "theme": "numerique", "indicateur": "maj_carte_vitale",
         "montant_verse_eur": "689"},
        {"pharmacie_id": "P4", "exercice": 2025, "theme": "numerique", "indicateur": "mss", "montant_verse_eur": "240"},
    ]), pharmacies)
    _, claims = reconcile(pharmacies, None, paid)
    num = "Développement du numérique en santé et amélioration de l'accès aux soins (« REMU NUM »)"
    assert E(
        "| thème | indicateur | attendu | versé | écart |\n"
        "|---|---|---:|---:|---:|\n"
        f"| {num} | tout le thème | 2 060,00 € | 929,00 € | −1 131,00 € |\n"
        f"| {num} | dont : Équipement de mise à jour de la carte Vitale | 1 000,00 € | 689,00 € | −311,00 € |\n"
        "| Dispensation à l'unité | tout le thème | 10,00 € | 0,00 € | −10,00 € |\n"
        "| **Total** | les thèmes, sans les lignes « dont » | 2 070,00 € | 929,00 € | −1 141,00 € |\n"
        "\n"
        "Une ligne « dont » est une partie de l'écart du thème au-dessus d'elle : elle est déjà comptée dans cet écart "
        "et dans le total.\n") in claims[("P4", 2025)]
    assert f"### {num} — dont : Équipement de mise à jour de la carte Vitale\n" in claims[("P4", 2025)]


def test_the_documents_to_attach_are_those_of_indicators_in_force_that_exercise(tmp_path):
    """Audit, PH-ANNEES 2022: the draft asked for the Ségur software invoice and the sustainable-development programme,
    two indicators that do not exist in 2022 (parameters/2022.yaml: `etat: absent`); the list was the same whatever
    the year. Now: the documents of the themes in question proving an indicator in force that exercise."""
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [
        {"pharmacie_id": "P5", "exercice": 2022, **NUM_OK, **BUPS_OK},
        {"pharmacie_id": "P5", "exercice": 2025, **NUM_OK, **BUPS_OK}]))
    paid = read_versements(write_csv(tmp_path / "versements.csv", [
        {"pharmacie_id": "P5", "exercice": 2022, "theme": "numerique", "montant_verse_eur": "100"},
        {"pharmacie_id": "P5", "exercice": 2022, "theme": "bups", "montant_verse_eur": "0"},
        {"pharmacie_id": "P5", "exercice": 2025, "theme": "numerique", "montant_verse_eur": "100"},
        {"pharmacie_id": "P5", "exercice": 2025, "theme": "bups", "montant_verse_eur": "100"},
    ]), pharmacies)
    _, claims = reconcile(pharmacies, None, paid)
    assert ("## Pièces jointes\n\n"
            "- le relevé « Mes ROSP » de l'exercice 2022 (amelipro)\n"
            "- preuve de la participation à l'exercice coordonné (MSP, CPTS, ESP…)\n"
            "- factures des équipements (lecteurs, borne, téléconsultation)\n"
            "- attestation HCQO datée de l'année\n\n") in claims[("P5", 2022)]
    # 2025: the numérique alone is in question (the BUPS is paid what it is due), the Ségur socle exists
    assert ("## Pièces jointes\n\n"
            "- le relevé « Mes ROSP » de l'exercice 2025 (amelipro)\n"
            "- facture ou bon de commande du logiciel Ségur : éditeur, nom, version, date d'acquisition, mention du "
            "référencement Ségur\n"
            "- preuve de la participation à l'exercice coordonné (MSP, CPTS, ESP…)\n"
            "- factures des équipements (lecteurs, borne, téléconsultation)\n\n") in claims[("P5", 2025)]


def test_each_document_proves_indicators_of_its_theme():
    from rosp_lib.registry import THEMES, indicators_of

    for t in THEMES:
        codes = {i.code for i in indicators_of(t.code)}
        for piece in t.pieces:
            assert piece.indicateurs and set(piece.indicateurs) <= codes, (t.code, piece)


def test_a_theme_due_with_nothing_paid_is_said_plainly_without_a_guessed_cause(tmp_path):
    """Audit, PH-ANNEES 2022: a numérique theme simply absent from the statement was explained « l'indicateur socle
    « Ne pas avoir été condamné pour fraude » n'a pas été reconnu » (any socle lost gives 0 €: a guess, and an
    alarming one in a letter to the CPAM). Now: what the statement says, and what is due — no row, or 0 € written."""
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [
        {"pharmacie_id": "P6", "exercice": 2022, **NUM_OK, **BUPS_OK}]))
    paid = read_versements(write_csv(tmp_path / "versements.csv", [
        {"pharmacie_id": "P6", "exercice": 2022, "theme": "bups", "indicateur": "", "montant_verse_eur": "0"}]),
        pharmacies)
    table, claims = reconcile(pharmacies, None, paid)
    num, bups = _row(table, "P6", "numerique"), _row(table, "P6", "bups")
    assert (num["attendu_eur"], num["verse_eur"], num["verdict"], num["lecture_qui_explique"]) == (
        "1060.00", "0.00", "non_verse", "")
    # (the payment dates passed: to claim, as a partial payment says it — review)
    assert num["explication"] == E("aucun versement : le relevé n'a aucune ligne pour ce thème, alors que 1 060,00 € "
                                   "sont dus selon les règles — ce thème de l'exercice 2022 est versé au plus tard le "
                                   "30/04/2023 : ce délai est passé, réclamez-le")
    assert (bups["verdict"], bups["lecture_qui_explique"]) == ("non_verse", "")
    assert bups["explication"] == E("aucun versement : le relevé porte 0,00 € pour ce thème, alors que 100,00 € sont "
                                    "dus selon les règles — ce thème de l'exercice 2022 est versé au plus tard le "
                                    "31/03/2023 : ce délai est passé, réclamez-le")
    text = claims[("P6", 2022)]
    assert E("Constat : aucun versement : le relevé n'a aucune ligne pour ce thème, alors que 1 060,00 € sont dus "
             "selon les règles.\n") in text
    assert "n'a pas été reconnu" not in text and "n'a pas été retenue" not in text


def test_a_payment_for_a_theme_or_an_indicator_that_does_not_exist_that_exercise_says_so(tmp_path):
    """Audit, PH-ANNEES 2022: 50 € of vaccination (a theme of the avenant 1, absent in 2022) was only « écart
    inexpliqué … aucune ligne payée attendue ». Now it says the theme does not exist that exercise (every indicator
    `absent` in parameters/2022.yaml); likewise for an indicator (the Ségur socle, absent in 2022)."""
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [
        {"pharmacie_id": "P6", "exercice": 2022, **NUM_OK, **BUPS_OK}]))
    paid = read_versements(write_csv(tmp_path / "versements.csv", [
        {"pharmacie_id": "P6", "exercice": 2022, "theme": "vaccination", "indicateur": "", "montant_verse_eur": "50"},
        {"pharmacie_id": "P6", "exercice": 2022, "theme": "numerique", "indicateur": "logiciel_segur",
         "montant_verse_eur": "10"}]), pharmacies)
    table, claims = reconcile(pharmacies, None, paid)
    vac = _row(table, "P6", "vaccination")
    assert (vac["attendu_eur"], vac["verse_eur"], vac["verdict"]) == ("0.00", "50.00", "non_attendu")
    assert vac["explication"] == E(
        "versement sans objet de 50,00 € : le thème « Prescription des vaccinations recommandées » n'existe pas pour "
        "l'exercice 2022 (aucune règle de cet exercice ne le paie) ; vérifiez l'exercice de cette ligne du relevé "
        "(l'exercice payé, pas l'année du versement)")
    segur = _row(table, "P6", "numerique", "logiciel_segur")
    assert segur["explication"] == E(
        "versement sans objet de 10,00 € : l'indicateur « Disposer d'un logiciel référencé Ségur » (logiciel_segur) "
        "n'existe pas pour l'exercice 2022 (aucune règle de cet exercice ne le paie) ; vérifiez l'exercice de cette "
        "ligne du relevé (l'exercice payé, pas l'année du versement)")
    # in the draft: said, with no rule of the exercise quoted under it
    assert E("### Prescription des vaccinations recommandées\n\nConstat : " + vac["explication"] + ".\n\n## Pièces "
             "jointes\n") in claims[("P6", 2022)]


# the numérique inputs of PH-ANNEES 2025 (audit): 5 674 € due; a double-payment rate of 0,02 % earns no malus point
# under the threshold kept (0,06 %) and 3 under the other reading (0,01 %), 10 % off the theme: 5 106,60 €
NUMERIQUE_ANNEES = {
    "exercice_coordonne": "oui", "logiciel_segur": "oui", "condamnation_fraude": "non", "nb_fse": 40000,
    "taux_fse_sesam_vitale_pct": 97, "taux_qualite_scor_pct": 99.5, "taux_dmp_pct": 92, "taux_mss_pct": 6,
    "bal_organisationnelle": "oui", "taux_eprescription_pct": 40, "taux_apcv_pct": 6, "borne_maj_carte_vitale": "oui",
    "nb_lecteurs_maj_carte_vitale": 2, "teleconsultation_equipee": "oui", "teleconsultation_premiere_annee": "non",
    "nb_teleconsultations": 12, "zone_zip_zac": "oui", "nb_patients_correspondant": 150,
    "nb_factures_periode_malus": 30000, "taux_fse_securisees_pct": 80, "taux_rejets_iris_pct": 1,
    "taux_double_paiement_pct": 0.02}


def test_a_reading_says_which_parameter_and_which_value_the_statement_corresponds_to(tmp_path):
    """Audit, PH-ANNEES 2025: the explanation pasted the parameter file's note as if it were the reading (« correspond à
    la lecture alternative : lecture du texte imprimé impossible (0,01 < 0,06) ; autre lecture : 0,01 % comme seuil
    bas »). Now: the parameter by its label and key, the value the statement corresponds to and the one kept; that
    note, a justification of the value kept rather than a description of the other reading, is left out."""
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [
        {"pharmacie_id": "PH-ANNEES", "exercice": 2025, **NUMERIQUE_ANNEES}]))
    paid = read_versements(write_csv(tmp_path / "versements.csv", [
        {"pharmacie_id": "PH-ANNEES", "exercice": 2025, "theme": "numerique", "montant_verse_eur": "5106,60"}]),
        pharmacies)
    table, _ = reconcile(pharmacies, None, paid)
    r = _row(table, "PH-ANNEES", "numerique")
    assert (r["attendu_eur"], r["verse_eur"], r["verdict"]) == ("5674.00", "5106.60", "ecart")
    assert r["lecture_qui_explique"] == "numerique.malus_qualite_facturation.double_paiement_seuil_bas_pct"
    assert r["explication"] == E(
        "écart de 567,40 € : le montant versé correspond à l'autre lecture de « Taux de double paiement à partir duquel "
        "le palier bas s'applique » (paramètre numerique.malus_qualite_facturation.double_paiement_seuil_bas_pct) : 0,01 % au lieu de "
        "0,06 %, la valeur retenue par l'outil")


def test_the_words_of_every_other_reading_name_the_values_and_a_state_its_indicator():
    """Each hypothesis the reconciliation can switch, worded for each exercise: the two values, words between quotes,
    the state of an indicator named by the indicator (its parameter's label is the same for all)."""
    from rosp_lib.counterfactual.reconcile import one_reading, reading_words, switchable_hypotheses
    from rosp_lib.parameters import iter_leaves, load_parameters

    words = {}
    for year in (2022, 2023, 2024, 2025, 2026):
        base = dict(iter_leaves(load_parameters(year)))
        for key, value in switchable_hypotheses(year):
            params = load_parameters(year, one_reading(year, key, value))
            words[(year, key)] = reading_words(key, base[key], dict(iter_leaves(params))[key], value, params)
    assert words[(2022, "general.prorata_forfaits")] == (
        "le montant versé correspond à l'autre lecture de « Forfaits proratisés au temps d'activité (jours d'activité / "
        "jours de l'année) en cas de cession, installation ou fermeture » (paramètre general.prorata_forfaits) : « non » "
        "au lieu de « oui », la valeur retenue par l'outil — forfaits versés en entier, sans prorata")
    assert words[(2023, "numerique.exercice_coordonne.etat")] == (
        "le montant versé correspond à l'autre lecture de l'état de l'indicateur « Participer à un exercice coordonné "
        "(ESP, MSP, CPTS) » cet exercice (paramètre numerique.exercice_coordonne.etat) : « non exigé » au lieu de "
        "« actif », la valeur retenue par l'outil — socle non exigé, 820,00\u00a0€ versés s'il est atteint (comme en 2022)")
    assert words[(2023, "bups.molecules_ciblees.prime_par_boite")] == E(
        "le montant versé correspond à l'autre lecture de « Prime par boîte substituée (toute molécule sans prime "
        "propre) » (paramètre bups.molecules_ciblees.prime_par_boite) : 2,80 € au lieu de 2,30 €, la valeur retenue "
        "par l'outil — haut de la fourchette citée par la presse")
    # a date of the readings file (text « 2025-01-31 ») gets the note its parameter writes after « 31/01/2025 : »
    assert words[(2024, "calendrier.fin_declaration")].endswith(
        ": 31/01/2025 au lieu de 27/02/2025, la valeur retenue par l'outil — fenêtre plus courte, close fin janvier 2025 "
        "(lecture prudente)")
    for text in words.values():
        assert "lecture alternative :" not in text and "au lieu de au " not in text and "))" not in text, text


def test_the_rule_of_a_claim_says_a_share_dépasse_its_threshold_read_from_the_parameters(tmp_path):
    """Audit: « si la part … est plus de 15 % » in a claim text. The vaccination rule now reads « dépasse 15 % »; the
    number is the exercise's parameter (a scenario moving it to 20 % moves the text)."""
    from rosp_lib.parameters import Seuil, load_parameters
    from rosp_lib.rulebook import leaf_text

    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [
        {"pharmacie_id": "P8", "exercice": 2025, "nb_rva_960": 52, "nb_rva_750": 148}]))
    paid = read_versements(write_csv(tmp_path / "versements.csv", [
        {"pharmacie_id": "P8", "exercice": 2025, "theme": "vaccination", "montant_verse_eur": "100"}]), pharmacies)
    rule = ("Si la part des vaccinations prescrites et réalisées par le pharmacien (ses RVA de prescription) parmi "
            "toutes les vaccinations qu'il a réalisées (RVA de prescription et RVA de réalisation seule) dépasse {} : "
            "3,00 € par vaccination prescrite et réalisée.")
    _, claims = reconcile(pharmacies, None, paid)
    assert E(rule.format("15 %")) in claims[("P8", 2025)] and "est plus de" not in claims[("P8", 2025)]
    scenario = tmp_path / "seuil.yaml"
    scenario.write_text("2025:\n  vaccination:\n    bonus_prescription:\n      seuil_part_pct: 20\n", encoding="utf-8")
    _, claims = reconcile(pharmacies, None, paid, scenario)
    assert E(rule.format("20 %")) in claims[("P8", 2025)]
    seuil = load_parameters(2025).vaccination.bonus_prescription.seuil_part_pct
    assert isinstance(seuil, Seuil)
    assert [leaf_text(seuil.model_copy(update={"comparaison": c}), "verbe") for c in (">=", ">", "<", "<=")] == [
        "atteint au moins 15 %", "dépasse 15 %", "reste sous 15 %", "ne dépasse pas 15 %"]


def test_an_unexplained_theme_gap_points_at_its_detailed_row_in_gap_not_at_a_conforming_one(tmp_path):
    """Audit, PH-GARE 2024: the statement details the dispositif 2024, entretien chronique 400 € (due: one entretien,
    400 €) and TROD angine 50 € (due: none done, 0 €). The theme row (due 400 €, paid 450 €) sent the reader to the
    entretien chronique, which is conforme; it now names the TROD angine row, paid 50 € for 0 € due."""
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [
        {"pharmacie_id": "P6", "exercice": 2024, "nb_entretiens_chroniques": 1, "nb_trod_angine": 0,
         "nb_accompagnements_grossesse": 0}]))
    paid = read_versements(write_csv(tmp_path / "versements.csv", [
        {"pharmacie_id": "P6", "exercice": 2024, "theme": "dispositif_2024", "indicateur": "entretien_chronique",
         "montant_verse_eur": "400"},
        {"pharmacie_id": "P6", "exercice": 2024, "theme": "dispositif_2024", "indicateur": "trod_angine",
         "montant_verse_eur": "50"},
    ], sep=";"), pharmacies)
    table, _ = reconcile(pharmacies, None, paid)
    assert _row(table, "P6", "dispositif_2024", "entretien_chronique")["verdict"] == "conforme"
    r = _row(table, "P6", "dispositif_2024")
    assert (r["attendu_eur"], r["verse_eur"], r["ecart_eur"]) == ("400.00", "450.00", "50.00")
    assert E("reproduit le montant versé ; à vérifier : « Au moins un TROD angine » (trod_angine) : versé 50,00 €, "
             "attendu 0,00 € ; données manquantes") in r["explication"]  # the kits progression: no 2023 count
    assert "entretien_chronique" not in r["explication"]


def test_the_one_cent_tolerance_is_said_in_the_help_and_the_readme():
    """« conforme » and an explanation both allow a gap of CENT_TOLERANCE (audit: undocumented, the README said « au
    centime »). The help renders it from the constant; the README names the constant and says « un centime »."""
    from rosp_lib.counterfactual.reconcile import CENT_TOLERANCE
    from rosp_lib.lines.formatting import eur

    def flat(text):
        return " ".join(text.split())

    res = CliRunner().invoke(main, ["rapprocher", "--help"])
    assert res.exit_code == 0, res.output
    assert flat(f"verdict (conforme : écart d'au plus {eur(CENT_TOLERANCE)} en valeur absolue ;") in flat(res.output)
    assert flat(f"retrouve le montant versé à {eur(CENT_TOLERANCE)} près") in flat(res.output)
    assert "{tolerance}" not in res.output
    readme = flat((ROOT / "README.md").read_text(encoding="utf-8"))
    assert CENT_TOLERANCE == 1  # the README's « un centime »
    assert ("`conforme` admet un écart d'au plus un centime en valeur absolue (constante `CENT_TOLERANCE` de "
            "`rosp_lib/counterfactual/reconcile.py`, rappelée par `rosp rapprocher --help`)") in readme


def test_a_claim_never_nets_an_overpaid_theme_against_what_it_asks_for(tmp_path):
    """Audit: PH-TILLEULS 2025 paid 5 349,00 € for numérique (its 10 % billing malus not applied: 4 814,10 € due)
    and nothing for BUPS (600 € due), vaccination (120 €) and dispensation (500 €): the draft's total netted the
    534,90 € overpaid against the 1 220 € asked. What is asked is 600 + 120 + 500 = 1 220,00 €; the overpaid theme
    is told apart, not asked for nor deducted. That overpayment is the malus not deducted: the draft tells it with
    that explanation, in French words only."""
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    paid = read_versements(write_csv(tmp_path / "versements.csv", [
        {"pharmacie_id": "PH-TILLEULS", "exercice": 2025, "theme": "numerique", "montant_verse_eur": "5349,00"},
        {"pharmacie_id": "PH-TILLEULS", "exercice": 2025, "theme": "colorectal", "montant_verse_eur": "160,00"},
    ]), pharmacies)
    _, claims = reconcile(pharmacies, None, paid)
    num = "Développement du numérique en santé et amélioration de l'accès aux soins (« REMU NUM »)"
    claim = claims[("PH-TILLEULS", 2025)]
    assert E(f"**Montant demandé** : 1 220,00 €, la somme des écarts négatifs des thèmes. Les thèmes versés au-delà de "
             f"l'attendu ({num} : 534,90 €) ne sont ni réclamés ni déduits : je vous les signale pour vérification.") \
        in claim
    # the total of the table is that of the themes claimed (600 + 120 + 500 due, nothing paid), not the net −685,10 €
    # beside « Montant demandé : 1 220,00 € » (review)
    assert E("| **Total** | les thèmes versés en deçà de l'attendu | 1 220,00 € | 0,00 € | −1 220,00 € |") in claim
    # the letter says the fact to the caisse; what to check is said to the titulaire, not in the letter (review)
    assert E("Constat : trop-versé de 534,90 € : le montant versé est celui d'avant la déduction de 534,90 € par "
             "« Malus « qualité de la facturation » », qui n'a pas été faite ; je vous le signale, sans le déduire du "
             "montant demandé.") in claim
    assert "vérifiez les données de ce malus" not in claim and "peut reprendre" not in claim
    assert "malus_qualite_facturation" not in claim


def test_rapprocher_says_the_pharmacy_years_its_statement_has_no_line_for(tmp_path):
    """Audit: 6 of the example's 13 pharmacy-years have no line in data/versements.csv and were left out without a
    word (the console counted the 7 reconciled)."""
    from click.testing import CliRunner

    from rosp_lib.cli import main

    result = CliRunner().invoke(main, ["rapprocher", str(ROOT / "data/pharmacies.csv"), "--versements",
                                       str(ROOT / "data/versements.csv"), "--molecules", str(ROOT / "data/molecules.csv"),
                                       "-o", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert ("Non rapprochées, aucune ligne dans le relevé : 6 pharmacies × exercice du fichier (PH-CESSION 2025, "
            "PH-HALLES 2022, PH-HALLES 2023, PH-NOUVELLE 2024, PH-PORT 2022, PH-VENDEUR 2025)") in result.stdout


def test_an_overpayment_by_exactly_the_malus_is_said_as_a_malus_not_deducted(tmp_path):
    """PH-TILLEULS 2025, numérique: 4 814,10 € due after the « qualité de la facturation » malus of 534,90 € (7 points:
    10 % of 5 349,00 €). A statement of 5 349,00 € is the amount before the malus: said so, not « inexpliqué »; it is
    an overpayment, so there is no claim, and the synthesis says there is nothing to claim."""
    from rosp_lib.counterfactual.reconcile import overpaid_notices

    from rosp_lib.inputs import read_inputs

    pharmacies, molecules = read_inputs(ROOT / "data" / "pharmacies.csv", ROOT / "data" / "molecules.csv")
    due = {"numerique": "5349,00", "bups": "690,83", "vaccination": "120,00", "colorectal": "160,00",
           "dispensation_unite": "500,00"}  # the other themes paid as due (outputs of the example: totaux.csv)
    rows = [{"pharmacie_id": "PH-TILLEULS", "exercice": 2025, "theme": t, "indicateur": "", "montant_verse_eur": v}
            for t, v in due.items()]
    paid = read_versements(write_csv(tmp_path / "versements.csv", rows, sep=";"), pharmacies)
    table, claims = reconcile(pharmacies, molecules, paid)
    r = _row(table, "PH-TILLEULS", "numerique")
    assert (r["attendu_eur"], r["verse_eur"], r["ecart_eur"], r["verdict"]) == ("4814.10", "5349.00", "534.90", "ecart")
    assert r["explication"] == E(
        "trop-versé de 534,90 € : le montant versé est celui d'avant la déduction de 534,90 € par « Malus « qualité de "
        "la facturation » » (malus_qualite_facturation), qui n'a pas été faite — l'Assurance Maladie peut reprendre ce "
        "trop-versé ; vérifiez les données de ce malus")
    assert "(malus_qualite_facturation)" not in r["explication_lecteur"]
    assert claims == {}
    assert "Rien à réclamer pour l'exercice 2025" in overpaid_notices(table)[("PH-TILLEULS", 2025)]
    assert set(table.loc[table["theme"] != "numerique", "verdict"]) == {"conforme"}
    # one cent more: within the tolerance (CENT_TOLERANCE), still the malus; two cents more: said as unexplained
    rows[0]["montant_verse_eur"] = "5349,01"
    paid = read_versements(write_csv(tmp_path / "versements1.csv", rows, sep=";"), pharmacies)
    r = _row(reconcile(pharmacies, molecules, paid)[0], "PH-TILLEULS", "numerique")
    assert r["explication"].startswith(E("trop-versé de 534,91 € : le montant versé est celui d'avant la déduction de "
                                         "534,90 €"))
    rows[0]["montant_verse_eur"] = "5349,02"
    paid = read_versements(write_csv(tmp_path / "versements2.csv", rows, sep=";"), pharmacies)
    r = _row(reconcile(pharmacies, molecules, paid)[0], "PH-TILLEULS", "numerique")
    assert r["explication"].startswith(E("écart inexpliqué de 534,92 €"))
    assert "aucun malus non déduit" in r["explication"]



# PH-GARE 2024, numérique line by line as the rules give it (its lines in the example's lignes.csv): 6 108,00 € with
# the « qualité de la facturation » malus of 1 527,00 € deducted; the other themes as due.
GARE_2024_NUMERIQUE = {"exercice_coordonne": "820,00", "fse": "2800,00", "scor": "100,00", "dmp": "100,00",
                       "mss": "240,00", "bal_organisationnelle": "50,00", "apcv": "50,00", "maj_carte_vitale": "1000,00",
                       "teleconsultation_equipement": "1225,00", "teleconsultation": "750,00",
                       "pharmacien_correspondant": "500,00", "malus_qualite_facturation": "-1527,00"}
GARE_2024_OTHERS = {"bups": "428,88", "colorectal": "52,50", "dispensation_unite": "80,00", "dispositif_2024": "400,00"}


def _gare_2024(tmp_path, name, numerique, others=GARE_2024_OTHERS):
    from rosp_lib.inputs import read_inputs

    pharmacies, molecules = read_inputs(ROOT / "data" / "pharmacies.csv", ROOT / "data" / "molecules.csv")
    rows = [{"pharmacie_id": "PH-GARE", "exercice": 2024, "theme": "numerique", "indicateur": i, "montant_verse_eur": v}
            for i, v in numerique.items()]
    rows += [{"pharmacie_id": "PH-GARE", "exercice": 2024, "theme": t, "indicateur": "", "montant_verse_eur": v}
             for t, v in others.items()]
    paid = read_versements(write_csv(tmp_path / name, rows, sep=";"), pharmacies)
    return reconcile(pharmacies, molecules, paid)


def test_a_malus_not_deducted_is_said_only_where_the_statement_agrees(tmp_path):
    """Review of the « malus non déduit » cause, on a statement detailed line by line."""
    # the malus line at 0 € and everything else as due: the theme is paid 6 108 + 1 527 = 7 635 €, the amount before
    # the malus; both the theme row and the malus row say so; the malus row is an « ecart » (a deduction not made),
    # not « non versé »
    table, claims = _gare_2024(tmp_path, "a.csv", {**GARE_2024_NUMERIQUE, "malus_qualite_facturation": "0"})
    theme_row = _row(table, "PH-GARE", "numerique")
    malus_row = _row(table, "PH-GARE", "numerique", "malus_qualite_facturation")
    assert (theme_row["verse_eur"], theme_row["ecart_eur"]) == ("7635.00", "1527.00")
    assert (malus_row["attendu_eur"], malus_row["verse_eur"], malus_row["verdict"]) == ("-1527.00", "0.00", "ecart")
    for r in (theme_row, malus_row):
        assert r["explication"].startswith(E("trop-versé de 1 527,00 € : le montant versé est celui d'avant la "
                                             "déduction de 1 527,00 €"))
    assert claims == {}
    # the same with BUPS paid 28,88 € short: the claim draft tells the malus once, under its theme
    _, claims = _gare_2024(tmp_path, "d.csv", {**GARE_2024_NUMERIQUE, "malus_qualite_facturation": "0"},
                           {**GARE_2024_OTHERS, "bups": "400,00"})
    assert claims[("PH-GARE", 2024)].count("avant la déduction") == 1
    # the malus deducted (its row conforme) and the FSE line overpaid by 1 527 €: the theme is 1 527 € over, but the
    # statement shows the malus taken: not « malus non déduit »
    table, _ = _gare_2024(tmp_path, "b.csv", {**GARE_2024_NUMERIQUE, "fse": "4327,00"})
    assert _row(table, "PH-GARE", "numerique")["explication"].startswith(E("écart inexpliqué de 1 527,00 €"))
    # the malus row at 0 € but the FSE line 1 527 € short: the theme is paid as due, nothing was overpaid
    table, _ = _gare_2024(tmp_path, "c.csv", {**GARE_2024_NUMERIQUE, "fse": "1273,00", "malus_qualite_facturation": "0"})
    assert _row(table, "PH-GARE", "numerique")["verdict"] == "conforme"
    malus_row = _row(table, "PH-GARE", "numerique", "malus_qualite_facturation")
    assert "trop-versé" not in malus_row["explication"]
    assert malus_row["explication"].startswith(E("écart inexpliqué de 1 527,00 €"))



def test_a_payment_at_the_progression_reading_of_the_molecules_is_explained_by_it(tmp_path):
    # PH-TILLEULS 2024: BUPS due 975,91 €; under the « progression » reading of the molecules (boxes gained on the
    # starting rate, 2,6232 € each) the theme is 975,91 − 175,91 + 150,78 = 950,78 €. A statement paying 950,78 € is
    # that reading — switched by bups.molecules_ciblees.lecture (the alternative of the prime par boîte substituée,
    # the hypothesis the lines name); it was left « inexpliqué ».
    from rosp_lib.inputs import read_molecules

    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    molecules = read_molecules(ROOT / "data" / "molecules.csv", pharmacies)
    paid = read_versements(write_csv(tmp_path / "versements.csv", [
        {"pharmacie_id": "PH-TILLEULS", "exercice": 2024, "theme": "bups", "indicateur": "",
         "montant_verse_eur": "950,78"}], sep=";"), pharmacies)
    table, _ = reconcile(pharmacies, molecules, paid)
    r = _row(table, "PH-TILLEULS", "bups")
    assert (r["attendu_eur"], r["verse_eur"]) == ("975.91", "950.78")
    assert r["lecture_qui_explique"] == "bups.molecules_ciblees.lecture"
    assert E(": « boîtes gagnées sur le taux de départ » au lieu de « boîtes substituées », la valeur retenue par "
             "l'outil") in r["explication"]


def test_one_reading_keeps_the_users_scenario_and_leaves_it_unchanged():
    """A reading tried by the reconciliation is added to the user's scenario (its values for all exercises and for
    this one stay), and the user's scenario itself is not modified for the next reading."""
    from rosp_lib.counterfactual.reconcile import one_reading
    from decimal import Decimal

    from rosp_lib.parameters import Scenario, load_parameters

    base = Scenario("mon-scenario.yaml", {"numerique": {"exercice_coordonne": {"montant": 900}}},
                    {2024: {"numerique": {"fse": {"seuil_pct": 96}}}})
    both = one_reading(2024, "numerique.fse.prix_unitaire_bas", Decimal("0.060"), base)
    p = load_parameters(2024, both)
    assert p.numerique.exercice_coordonne.montant.valeur == 900
    assert p.numerique.fse.seuil_pct.valeur == 96
    assert p.numerique.fse.prix_unitaire_bas.valeur == Decimal("0.060")
    assert both.path == "mon-scenario.yaml + lecture alternative de numerique.fse.prix_unitaire_bas"
    assert base.par_exercice == {2024: {"numerique": {"fse": {"seuil_pct": 96}}}}
    assert base.tous == {"numerique": {"exercice_coordonne": {"montant": 900}}}
    alone = one_reading(2024, "general.arrondi", "demi_pair")
    assert load_parameters(2024, alone).general.arrondi.valeur == "demi_pair"
    assert alone.path == "lecture alternative de general.arrondi"


def test_an_unexplained_gap_names_each_molecule_line(tmp_path):
    """PH-TILLEULS 2024 paid 900 € for BUPS: the lines to check name each molecule beside its amount
    (0,22565 € × 486 × 93 % = 101,99 € ; × 300 × 79 % = 53,48 € ; × 120 × 75,5 % = 20,44 €), not three times
    « molécules ciblées »."""
    statement = tmp_path / "v.csv"
    statement.write_text("pharmacie_id;exercice;theme;montant_verse_eur\nPH-TILLEULS;2024;bups;900\n", encoding="utf-8")
    pharmacies, molecules = read_inputs(ROOT / "data" / "pharmacies.csv", ROOT / "data" / "molecules.csv")
    table, _ = reconcile(pharmacies, molecules, read_versements(statement, pharmacies))
    why = table.loc[(table["pharmacie_id"] == "PH-TILLEULS") & (table["theme"] == "bups"), "explication"].item()
    named = "« Génériques, hybrides, biosimilaires : molécules ciblées » (molecules_ciblees), "
    assert (f"{named}sitagliptine : 486 boîtes, 85 % → 93 % : 101,99\u00a0€, hypothèse ; "
            f"{named}Vildagliptine : 300 boîtes, 80 % → 79 % : 53,48\u00a0€, hypothèse ; "
            f"{named}palipéridone : 120 boîtes, 60 % → 75,5 % : 20,44\u00a0€, hypothèse ; ") in why
    assert "« Adhésion à la démarche qualité (HCQO) » (demarche_qualite) : 100,00\u00a0€ ; " in why  # one line: no value


# PH-TILLEULS 2025, numérique (docs/regles.md, 2025) : exercice coordonné 820 € + FSE 2 800 € + SCOR 100 € + DMP 100 €
# + MSS 240 € + BAL organisationnelle 50 € + ApCV 50 € + mise à jour de la carte Vitale 1 189 € − malus 534,90 €
# = 4 814,10 € ; LAD certifié HAS neutralisé en 2025 : 0 €.
TILLEULS_OTHERS = ("« Participer à un exercice coordonné (ESP, MSP, CPTS) » (exercice_coordonne), « FSE transmises en "
                   "SESAM-Vitale (montant par FSE) » (fse), « Dématérialisation des pièces justificatives (SCOR) » (scor), "
                   "« Utilisation d'une messagerie sécurisée de santé (MSS) » (mss), « BAL organisationnelle couplée "
                   "à la MSS (majoration) » (bal_organisationnelle), « Utilisation de l'appli carte Vitale (ApCV) » "
                   "(apcv), « Équipement de mise à jour de la carte Vitale » (maj_carte_vitale), « Malus « qualité de "
                   "la facturation » » (malus_qualite_facturation)")


def _tilleuls_numerique(tmp_path, indicateur: str, montant: str):
    """The reconciliation of PH-TILLEULS 2025 for a statement of one numérique indicator row: the theme row, the
    indicator row and the claim draft."""
    statement = tmp_path / "v.csv"
    statement.write_text("pharmacie_id;exercice;theme;indicateur;montant_verse_eur;date_versement;libelle_releve\n"
                         f"PH-TILLEULS;2025;numerique;{indicateur};{montant};;\n", encoding="utf-8")
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    table, claims = reconcile(pharmacies, None, read_versements(statement, pharmacies))
    return _row(table, "PH-TILLEULS", "numerique"), _row(table, "PH-TILLEULS", "numerique", indicateur), \
        claims[("PH-TILLEULS", 2025)]


def test_a_partial_payment_keeps_the_indicator_row_the_statement_details(tmp_path):
    """« dmp : 100 € » alone: the DMP row is conforme, and the theme row said the 100 € were those of the SCOR (same
    amount) and that the DMP was not paid, in the table and in the letter's « Constat » (audit). The row is a fact:
    the 100 € are the DMP's, every other line (4 714,10 €) is the missing complement."""
    t, r, letter = _tilleuls_numerique(tmp_path, "dmp", "100")
    assert (r["attendu_eur"], r["verse_eur"], r["verdict"]) == ("100.00", "100.00", "conforme")
    assert (t["attendu_eur"], t["verse_eur"], t["ecart_eur"]) == ("4814.10", "100.00", "-4714.10")
    assert t["explication"].startswith(E(
        "versement partiel : les 100,00 € versés correspondent aux lignes « Utilisation du DMP » (dmp) ; le complément "
        f"de 4 714,10 € (lignes {TILLEULS_OTHERS}) n'a pas été versé — "))
    assert "combinaisons" not in t["explication"]
    finding = next(line for line in letter.splitlines() if line.startswith("Constat : versement partiel"))
    assert finding.startswith(E("Constat : versement partiel : les 100,00 € versés correspondent aux lignes "
                                "« Utilisation du DMP » ; le complément de 4 714,10 € (lignes « Participer"))
    assert finding.endswith("« Malus « qualité de la facturation » ») ne m'a pas été versé.")
    assert "Utilisation du DMP" not in finding.partition("le complément")[2]
    assert "(SCOR)" in finding.partition("le complément")[2]


@pytest.mark.parametrize("indicateur, montant, line, ecart", [
    # MSS paid 50 € of its 240 €: the theme's 50 € were said to be the BAL organisationnelle's (50 €), beside the MSS
    # row in gap (audit)
    ("mss", "50", "« Utilisation d'une messagerie sécurisée de santé (MSS) » (mss) : versé 50,00 €, attendu 240,00 €",
     "4 764,10 €"),
    # LAD 200 €, nothing due (neutralised in 2025): the theme's 200 € were said to be SCOR + DMP (audit)
    ("lad_certifie_has", "200", "« Disposer d'un LAD certifié HAS » (lad_certifie_has) : versé 200,00 €, attendu 0,00 €",
     "4 614,10 €"),
])
def test_an_indicator_row_paid_otherwise_than_due_is_no_partial_payment_of_other_lines(tmp_path, indicateur, montant,
                                                                                        line, ecart):
    """An indicator row paid otherwise than its line is no line paid in full: the theme's amount is not attributed to
    other lines of the same amount; the theme's gap is unexplained, that row to check first, and the letter states
    the amounts."""
    t, r, letter = _tilleuls_numerique(tmp_path, indicateur, montant)
    # the LAD, neutralised in 2025 by the texts, is said to be paid for nothing that exercise (review), not unexplained
    assert r["verdict"] in ("ecart", "non_attendu") and r["explication"].startswith(
        "versement sans objet" if indicateur == "lad_certifie_has" else "écart inexpliqué")
    assert t["explication"].startswith(E(f"écart inexpliqué de {ecart} : "))
    assert E(f"à vérifier : {line} ; « Participer à un exercice coordonné") in t["explication"]
    assert "versement partiel :" not in t["explication"] and "versement partiel :" not in letter
    paid = E(f"{montant},00 €")
    assert E(f"Constat : le montant versé ({paid}) est inférieur de {ecart} au montant dû selon les règles "
             "citées dans ce projet (4 814,10 €), sans qu'un motif de cette différence m'ait été indiqué.") in letter


@pytest.mark.parametrize("day, advice", [
    # the numérique of 2025 is paid « au plus tard le 30/04/2026 »: its last day counts as not yet passed
    (dt.date(2026, 4, 30), "un versement complémentaire est peut-être à venir : ce thème de l'exercice 2025 est versé "
                           "au plus tard le 30/04/2026 (code acte PQS) ; passé ce délai, réclamez-le"),
    (dt.date(2026, 5, 1), "ce thème de l'exercice 2025 est versé au plus tard le 30/04/2026 : ce délai est passé, "
                          "réclamez-le"),
    (dt.date(2026, 12, 3), "ce thème de l'exercice 2025 est versé au plus tard le 30/04/2026 : ce délai est passé, "
                           "réclamez-le"),
])
def test_a_partial_payments_complement_is_to_come_until_the_themes_payment_date_then_to_claim(day, advice):
    """PH-CENTRE 2025, numérique due 5 334 €, paid 4 514 €, the exercice coordonné (820 €) at 0 €: the complement
    was said « peut-être à venir » whatever the date of the reconciliation (audit: on 03/12/2026, seven months after
    the payment date). At the reference date, the theme row and the indicator row say it to come or to claim; the
    letter states the fact only."""
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    paid = read_versements(ROOT / "data" / "versements.csv", pharmacies)
    table, claims = reconcile(pharmacies, None, paid, date_reference=day)
    sel = (table["pharmacie_id"] == "PH-CENTRE") & (table["exercice"] == 2025)
    t = _row(table[sel], "PH-CENTRE", "numerique")
    assert t["explication"].endswith(E("; ce complément de 820,00 € n'a pas été versé — ") + advice)
    r = _row(table[sel], "PH-CENTRE", "numerique", "exercice_coordonne")
    assert r["explication"] == E("le relevé porte cette ligne à 0,00 € alors que le reste du thème est versé : son montant de "
                                 "820,00 € manque ; « Participer à un exercice coordonné (ESP, MSP, CPTS) » est un indicateur "
                                 "socle de l'exercice 2025 : s'il n'était pas atteint, tout le thème serait à 0,00 €, et non à "
                                 "4 514,00 € versés — ") + advice
    letter = claims[("PH-CENTRE", 2025)]
    assert E("ce complément de 820,00 € ne m'a pas été versé.") in letter
    assert "réclamez-le" not in letter and "délai" not in letter
    # dated, and, before the payment date, not to be sent yet: the draft read as one to send at any date (review)
    assert f"**Date** : {day:%d/%m/%Y}" in letter
    early = day <= dt.date(2026, 4, 30)
    assert ("N'envoyez ce projet qu'à partir du 01/05/2026, si rien n'est arrivé d'ici là, et refaites-le ce jour-là"
            in letter) is early
    assert ("« Développement du numérique en santé et amélioration de l'accès aux soins (« REMU NUM ») » : versé au "
            "plus tard le 30/04/2026" in letter) is early


@pytest.mark.parametrize("day, advice", [
    ("2026-04-30", "un versement complémentaire est peut-être à venir : ce thème de l'exercice 2025 est versé au plus "
                   "tard le 30/04/2026 (code acte PQS) ; passé ce délai, réclamez-le"),
    ("03/12/2026", "ce thème de l'exercice 2025 est versé au plus tard le 30/04/2026 : ce délai est passé, réclamez-le"),
])
def test_rapprocher_judges_the_complement_at_its_date_option(tmp_path, day, advice):
    """`rosp rapprocher --date`: « dmp : 100 € » alone for PH-TILLEULS 2025, the rest of the numérique (4 714,10 €)
    missing — still to come on 30/04/2026, to claim on 03/12/2026."""
    statement = tmp_path / "v.csv"
    statement.write_text("pharmacie_id;exercice;theme;indicateur;montant_verse_eur;date_versement;libelle_releve\n"
                         "PH-TILLEULS;2025;numerique;dmp;100;;\n", encoding="utf-8")
    out = tmp_path / "sortie"
    res = CliRunner().invoke(main, ["rapprocher", str(ROOT / "data" / "pharmacies.csv"), "--versements", str(statement),
                                    "--date", day, "-o", str(out)])
    assert res.exit_code == 0, res.output
    with (out / "rapprochement.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    theme_row = next(r for r in rows if r["theme"] == "numerique" and r["indicateur"] == "")
    assert theme_row["explication"].endswith(E("le complément de 4 714,10 € (lignes ") + TILLEULS_OTHERS
                                             + ") n'a pas été versé — " + advice)
    assert advice in res.output


def test_rapprocher_refuses_an_invalid_date(tmp_path):
    res = CliRunner().invoke(main, ["rapprocher", str(ROOT / "data" / "pharmacies.csv"), "--versements",
                                    str(ROOT / "data" / "versements.csv"), "--date", "2026-13-01", "-o",
                                    str(tmp_path / "sortie")])
    assert res.exit_code == 2
    assert "« 2026-13-01 » : cette date n'existe pas ; attendu : une date AAAA-MM-JJ ou JJ/MM/AAAA" in res.output
    assert not (tmp_path / "sortie" / "rapprochement.csv").exists()


@pytest.mark.parametrize("day, passed", [("2026-04-30", False), ("01/05/2026", True), ("", None)])
def test_the_synthesis_judges_the_complement_at_its_reference_date(day, passed):
    """The synthesis's « Ce qui a été versé » at the report's `date_reference` (empty: today)."""
    from rosp_lib.report import notebook as nb
    from rosp_lib.report import versements as report_versements

    rep = nb.load("PH-CENTRE", 2025, str(ROOT / "data" / "pharmacies.csv"))
    r = report_versements.compute(rep, str(ROOT / "data" / "versements.csv"), day)
    why = _row(r.table, "PH-CENTRE", "numerique")["explication_lecteur"]
    if passed is None:
        passed = dt.date.today() > dt.date(2026, 4, 30)
    assert why.endswith("30/04/2026 : ce délai est passé, réclamez-le" if passed else
                        "30/04/2026 (code acte PQS) ; passé ce délai, réclamez-le")


@pytest.mark.parametrize("montant, reversed_", [("534,90", True), ("-534,90", False), ("500", False)])
def test_a_malus_row_written_without_its_minus_sign_is_said_so(tmp_path, montant, reversed_):
    """PH-TILLEULS 2025: malus « qualité de la facturation » of −534,90 € (7 points → 10 % of 5 349,00 €). A statement
    row « 534,90 » (the minus lost in a copy) read « écart inexpliqué de 1 069,80 € » with no hint (review): the same
    amount with the opposite sign is said so. « −534,90 » is conforme; « 500 » is no mirror of it."""
    _, r, _ = _tilleuls_numerique(tmp_path, "malus_qualite_facturation", montant)
    if reversed_:
        assert r["ecart_eur"] == "1069.80"
        assert r["explication"] == E("le relevé porte 534,90 € pour ce malus, dû −534,90 € : le même montant, de signe "
                                     "opposé — un malus est une retenue, écrite en négatif ; la ligne du relevé a-t-elle "
                                     "perdu son signe moins ? Vérifiez-la")
    else:
        assert "signe opposé" not in r["explication"]


def test_a_theme_not_paid_yet_before_its_payment_date_may_still_come(tmp_path):
    """PH-CENTRE 2025 read on 20/04/2026 from a statement that holds only the numérique and the BUPS: the colorectal
    (paid in Q2 of 2026) and the dispensation (with the ROSP of the exercise, in 2026) were claimed at once, with no
    caution (review). Before their payment dates they may still come: said, and the letter waits until 01/01/2027."""
    statement = tmp_path / "v.csv"
    statement.write_text("pharmacie_id;exercice;theme;montant_verse_eur\nPH-CENTRE;2025;numerique;5334\n"
                         "PH-CENTRE;2025;bups;400\n", encoding="utf-8")
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    paid = read_versements(statement, pharmacies)
    table, claims = reconcile(pharmacies, None, paid, date_reference=dt.date(2026, 4, 20))
    colorectal = _row(table, "PH-CENTRE", "colorectal")
    assert colorectal["explication"] == E("aucun versement : le relevé n'a aucune ligne pour ce thème, alors que "
                                          "120,00 € sont dus selon les règles — peut-être à venir : ce thème de "
                                          "l'exercice 2025 est versé au plus tard le 30/06/2026 ; passé ce délai, "
                                          "réclamez-le")
    letter = claims[("PH-CENTRE", 2025)]
    # both dates are the tool's (no published date): the letter says so
    assert ("« Dépistage organisé du cancer colorectal » : versé au plus tard le 30/06/2026 (date incertaine, retenue "
            "par l'outil) ; « Dispensation à l'unité » : versé au plus tard le 31/12/2026 (date incertaine, retenue par "
            "l'outil)). N'envoyez ce projet qu'à partir du 01/01/2027") in letter
    assert "peut-être à venir" not in letter  # the letter states the fact only
    # on the dispensation's last payment day (31/12/2026, its last day included) it may still come; the day after, not
    # 499 dispensations at 1 € each, under the yearly cap of 500 €: 499,00 €
    dispensation = ("aucun versement : le relevé n'a aucune ligne pour ce thème, alors que 499,00 € sont dus selon les "
                    "règles")
    table, claims = reconcile(pharmacies, None, paid, date_reference=dt.date(2026, 12, 31))
    assert _row(table, "PH-CENTRE", "dispensation_unite")["explication"] == E(
        dispensation + " — peut-être à venir : ce thème de l'exercice 2025 est versé au plus tard le 31/12/2026 (date "
        "incertaine, retenue par l'outil : hypothèse ; autre lecture : « 30/04/2026 : versé en même temps que la ROSP "
        "numérique, au plus tard au mois d'avril de l'année N+1 ») ; passé ce délai, réclamez-le")
    assert "N'envoyez ce projet qu'à partir du 01/01/2027" in claims[("PH-CENTRE", 2025)]
    passed = E("sont dus selon les règles — ce thème de l'exercice 2025 est versé au plus tard le 30/06/2026 : ce "
               "délai est passé, réclamez-le")
    # 30/06 passed; under the other reading of this unpublished date (31/12/2026) still to come: said
    assert _row(table, "PH-CENTRE", "colorectal")["explication"].endswith(E(
        "sont dus selon les règles — ce thème de l'exercice 2025 est versé au plus tard le 30/06/2026 (date "
        "incertaine, retenue par l'outil : hypothèse ; autre lecture : « 31/12/2026 : aucune date publiée, le thème peut "
        "être versé jusqu'à la fin de l'année qui suit l'exercice ») : ce délai est passé, réclamez-le"))
    # after the payment dates: claimed as before, without the caution
    table, claims = reconcile(pharmacies, None, paid, date_reference=dt.date(2027, 1, 1))
    assert _row(table, "PH-CENTRE", "colorectal")["explication"].endswith(passed)
    assert "À lire avant tout envoi" not in claims[("PH-CENTRE", 2025)]


def test_a_theme_whose_only_gap_is_a_malus_without_its_minus_sign_says_so(tmp_path):
    """PH-TILLEULS 2025, numérique detailed line by line as due, but the malus written « 534,90 »: the theme row read
    « écart inexpliqué de 1 069,80 € », an overpayment told to the caisse (review). Its gap is twice the malus row's
    amount: said so."""
    rows = [("exercice_coordonne", "820"), ("fse", "2800"), ("scor", "100"), ("dmp", "100"), ("mss", "240"),
            ("bal_organisationnelle", "50"), ("apcv", "50"), ("maj_carte_vitale", "1189"),
            ("malus_qualite_facturation", "534,90")]
    statement = tmp_path / "v.csv"
    statement.write_text("pharmacie_id;exercice;theme;indicateur;montant_verse_eur\n"
                         + "".join(f"PH-TILLEULS;2025;numerique;{i};{m}\n" for i, m in rows), encoding="utf-8")
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    table, claims = reconcile(pharmacies, None, read_versements(statement, pharmacies))
    t = _row(table, "PH-TILLEULS", "numerique")
    # due 4 814,10 € (5 349,00 − 534,90); paid 5 349,00 + 534,90 = 5 883,90 €: 1 069,80 € = 2 × 534,90 €
    assert (t["attendu_eur"], t["verse_eur"], t["ecart_eur"]) == ("4814.10", "5883.90", "1069.80")
    assert t["explication"] == E("l'écart de 1 069,80 € est celui de « Malus « qualité de la facturation » » "
                                 "(malus_qualite_facturation) : une ligne de malus écrite sans son signe moins compte "
                                 "deux fois son montant ; le reste du thème est versé comme dû — vérifiez le relevé")
    letter = claims[("PH-TILLEULS", 2025)]  # the themes the statement has no line for are claimed, not this one
    body = letter.split("Madame, Monsieur,")[1]  # (named above it, to the titulaire, as a gap not claimed)
    assert E("1 069,80 €") not in body and "REMU NUM" not in body
    assert E("ce projet ne réclame pas ces écarts (« Développement du numérique") in letter


def test_payments_dated_after_the_reference_date_are_said(tmp_path):
    """The example statement holds the 2026 exercise's announced payments (2027 dates): a report judged on 03/12/2026
    read them « conforme » as if received (review). They are counted as written, and said — on the console of
    `rosp rapprocher` and in the synthesis' « Ce qui a été versé »."""
    import datetime as dt

    from rosp_lib.counterfactual.versements import future_payments
    from rosp_lib.report import notebook as nb
    from rosp_lib.report import versements as report_versements

    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    paid = read_versements(ROOT / "data" / "versements.csv", pharmacies)
    said, = future_payments(paid, dt.date(2026, 12, 3))
    assert said.startswith("7 lignes du relevé datées après le 03/12/2026 (date de référence) : PH-SEGUR 2026 "
                           "numerique (15/04/2027), PH-SEGUR 2026 colorectal (18/06/2027), PH-CENTRE 2026 numerique")
    assert future_payments(paid, dt.date(2027, 6, 18)) == []  # on the last payment's day: received
    result = CliRunner().invoke(main, ["rapprocher", str(ROOT / "data" / "pharmacies.csv"), "--versements",
                                       str(ROOT / "data" / "versements.csv"), "--date", "2026-12-03", "-o",
                                       str(tmp_path / "sortie")])
    assert result.exit_code == 0 and f"Avertissement : {said}\n" in result.stderr
    rep = nb.load("PH-CENTRE", 2026, str(ROOT / "data" / "pharmacies.csv"), str(ROOT / "data" / "molecules.csv"))
    text = report_versements.section_text(rep, report_versements.compute(rep, str(ROOT / "data" / "versements.csv"),
                                                                        "2026-12-03"))
    assert text.endswith("\n\n⚠ 5 lignes du relevé sont datées après le 03/12/2026, date de référence de ce rapport "
                         "(du 26/03/2027 au 18/06/2027) : comptées comme versées ici, une date annoncée n'est pas un "
                         "versement reçu — refaites ce rapprochement une fois le relevé à jour.")


def test_a_claim_letter_names_the_rules_of_its_exercise_not_a_text_of_a_later_one():
    """« … avec les règles de la convention nationale pharmaceutique et de son avenant 1 » was written for 2023 too,
    the avenant being approved in July 2024 (review)."""
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    _, claims = reconcile(pharmacies, None, read_versements(ROOT / "data" / "versements.csv", pharmacies))
    letter = claims[("PH-MAIRIE", 2023)]
    assert "avenant 1" not in letter.split("## Ce que disent les règles")[0]
    # the sources as cited below (« convention nationale pharmaceutique » where a vendor's guide was the only source
    # cited: review)
    assert "avec les règles de la ROSP de cet exercice (selon les sources citées ci-dessous)" in letter


def test_under_the_alternative_readings_the_tools_own_reading_explains_what_was_paid(tmp_path):
    """With the file of alternative readings as the scenario, PH-TILLEULS 2024 paid as the tool reads the texts
    (BUPS 975,91 €, numérique 5 349,00 €: conforme without a scenario) read « écart inexpliqué : aucune lecture
    alternative … ne reproduit le montant versé » (review): the hypotheses the scenario had switched were not tried
    back. The BUPS gap (25,13 €) is the molecule reading alone, the tool's « boîtes substituées » against the
    scenario's « progression »; the numérique needs two of the tool's readings at once (the socle « ordonnance
    numérique » neutralised, and the malus thresholds), said as the tool's readings without the scenario."""
    statement = tmp_path / "v.csv"
    statement.write_text("pharmacie_id;exercice;theme;montant_verse_eur\nPH-TILLEULS;2024;numerique;5349,00\n"
                         "PH-TILLEULS;2024;bups;975,91\n", encoding="utf-8")
    pharmacies, molecules = read_inputs(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    paid = read_versements(statement, pharmacies)
    table, _ = reconcile(pharmacies, molecules, paid, date_reference=dt.date(2025, 12, 31))
    assert _row(table, "PH-TILLEULS", "bups")["verdict"] == _row(table, "PH-TILLEULS", "numerique")["verdict"] \
        == "conforme"
    table, _ = reconcile(pharmacies, molecules, paid, scenario=ROOT / "parameters/scenarios/lectures-alternatives.yaml",
                         date_reference=dt.date(2025, 12, 31))
    bups = _row(table, "PH-TILLEULS", "bups")
    assert (bups["verse_eur"], bups["ecart_eur"]) == ("975.91", "25.13")
    assert bups["lecture_qui_explique"] == "bups.molecules_ciblees.lecture"
    assert bups["explication"].endswith("(paramètre bups.molecules_ciblees.lecture) : « boîtes substituées » au lieu "
                                        "de « boîtes gagnées sur le taux de départ », la valeur du scénario "
                                        "« lectures-alternatives.yaml », l'autre étant celle de l'outil")
    numerique = _row(table, "PH-TILLEULS", "numerique")
    assert (numerique["attendu_eur"], numerique["verse_eur"]) == ("0.00", "5349.00")  # the socle, its rate missing
    assert numerique["explication"] == E(
        "écart de 5 349,00 € : le montant versé est celui des lectures retenues par l'outil, sans le scénario "
        "« lectures-alternatives.yaml » : les valeurs que ce scénario remplace ne sont pas celles du versement")


def test_a_claim_draft_says_the_payments_dated_after_it(tmp_path):
    """A draft dated 01/07/2026 disputed a BUPS payment the statement dates 27/09/2026, without a word, while the
    console and the synthesis said it (review): the letter, the document sent, says it above itself."""
    text = (ROOT / "data" / "versements.csv").read_text(encoding="utf-8")
    assert "PH-TILLEULS;2025;bups;;490,83;2026-03-27" in text
    statement = tmp_path / "v.csv"
    statement.write_text(text.replace("PH-TILLEULS;2025;bups;;490,83;2026-03-27", "PH-TILLEULS;2025;bups;;490,83;2026-09-27"),
                         encoding="utf-8")
    pharmacies, molecules = read_inputs(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    paid = read_versements(statement, pharmacies)
    _, claims = reconcile(pharmacies, molecules, paid, date_reference=dt.date(2026, 7, 1))
    assert E("> **À lire avant tout envoi — versements datés après ce projet** : le relevé porte des versements datés "
             "après le 01/07/2026, comptés ici comme reçus (« Bon usage des produits de santé (BUPS) » : 490,83 € daté "
             "du 27/09/2026). Vérifiez qu'ils l'ont été, et refaites ce projet une fois le relevé à jour (rosp "
             "rapprocher --date, ou le rapport).") in claims[("PH-TILLEULS", 2025)]
    _, claims = reconcile(pharmacies, molecules, paid, date_reference=dt.date(2026, 9, 27))  # on its day: received
    assert "versements datés après ce projet" not in claims[("PH-TILLEULS", 2025)]


def test_a_claim_draft_quotes_a_rule_once(tmp_path):
    """PH-CENTRE 2025: the numérique paid but the exercice coordonné. The draft's « dont : Participer à un exercice
    coordonné » section repeated the rule, data and source its theme's section had just written (review)."""
    pharmacies, molecules = read_inputs(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    paid = read_versements(ROOT / "data/versements.csv", pharmacies)
    _, claims = reconcile(pharmacies, molecules, paid, date_reference=dt.date(2026, 7, 1))
    letter = claims[("PH-CENTRE", 2025)]
    assert letter.count("- **Participer à un exercice coordonné (ESP, MSP, CPTS)** : ") == 1
    section = letter.split("— dont : Participer à un exercice coordonné (ESP, MSP, CPTS)\n", 1)[1].split("\n## ", 1)[0]
    assert section.strip().endswith("La règle de cette ligne, ses données et sa source sont citées ci-dessus, avec son "
                                    "thème.")


def test_the_tools_readings_explain_nothing_under_a_scenario_that_changes_a_text(tmp_path):
    """A scenario paying the exercice coordonné 1 000 € (a value the texts fix at 820 €) is a simulation: the gap it
    makes was « le montant versé est celui des lectures retenues par l'outil » and the letter « une autre lecture des
    textes » (review). Only a scenario of readings (hypotheses, and the switches of their alternatives) has the tool's
    readings as its other ones."""
    scenario = tmp_path / "montant.yaml"
    scenario.write_text("2025:\n  numerique:\n    exercice_coordonne:\n      montant: 1000\n", encoding="utf-8")
    pharmacies, molecules = read_inputs(ROOT / "data/pharmacies.csv", ROOT / "data/molecules.csv")
    paid = read_versements(ROOT / "data/versements.csv", pharmacies)
    table, claims = reconcile(pharmacies, molecules, paid, scenario=scenario, date_reference=dt.date(2027, 7, 1))
    row = table[
        (table["pharmacie_id"] == "PH-TILLEULS") & (table["exercice"] == 2025) & (table["theme"] == "numerique")
        & (table["indicateur"] == "")].iloc[0]
    assert row["explication"].startswith("écart inexpliqué")
    assert "lectures retenues par l'outil" not in row["explication"]


def test_a_payment_for_an_indicator_neutralised_that_exercise_is_said_to_be_for_nothing(tmp_path):
    """The e-prescription is neutralised in 2025 (numerique.eprescription, status source): 250 € paid for it were
    « écart inexpliqué … à vérifier : aucune ligne payée attendue » (review). Nothing is due for it: said as such."""
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    paid = read_versements(write_csv(tmp_path / "versements.csv", [
        {"pharmacie_id": "PH-TILLEULS", "exercice": 2025, "theme": "numerique", "indicateur": "eprescription",
         "montant_verse_eur": "250"}]), pharmacies)
    table, _ = reconcile(pharmacies, None, paid, date_reference=dt.date(2026, 9, 1))
    r = _row(table, "PH-TILLEULS", "numerique", "eprescription")
    assert (r["attendu_eur"], r["verse_eur"], r["verdict"]) == ("0.00", "250.00", "non_attendu")
    assert r["explication"].startswith("versement sans objet de 250,00\u00a0€ : l'indicateur « Utilisation de la "
                                       "e-prescription » (eprescription) est neutralisé pour l'exercice 2025 (rien "
                                       "n'est dû à ce titre cet exercice)")


def test_a_deduction_where_nothing_is_due_is_a_gap_not_a_payment_not_expected(tmp_path):
    """PH-MAIRIE 2023 (example data): its BUPS socle is lost (no quality programme), 0,00 € due; a statement line of
    −50 € for the theme was « non attendu » (« paid, nothing expected »), the wrong word for money taken back (review):
    it is an « écart » of −50,00 €, claimed like any amount paid below what is due."""
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    paid = read_versements(write_csv(tmp_path / "versements.csv", [
        {"pharmacie_id": "PH-MAIRIE", "exercice": 2023, "theme": "bups", "indicateur": "", "montant_verse_eur": "-50"},
        {"pharmacie_id": "PH-MAIRIE", "exercice": 2023, "theme": "colorectal", "indicateur": "",
         "montant_verse_eur": "300"}]), pharmacies)
    table, claims = reconcile(pharmacies, None, paid, date_reference=dt.date(2026, 9, 1))
    r = _row(table, "PH-MAIRIE", "bups")
    assert (r["attendu_eur"], r["verse_eur"], r["ecart_eur"], r["verdict"]) == ("0.00", "-50.00", "-50.00", "ecart")
    assert ("PH-MAIRIE", 2023) in claims


def test_a_neutralisation_of_the_users_scenario_is_not_said_to_be_the_texts(tmp_path):
    """A scenario that neutralises the DMP in 2025: 100 € paid for it were « versement sans objet … neutralisé pour
    l'exercice 2025 », as if the texts said so (review): a scenario's value is the user's hypothesis, left to the
    search like any other gap."""
    scenario = tmp_path / "dmp.yaml"
    scenario.write_text("2025:\n  numerique:\n    dmp:\n      etat: neutralise\n", encoding="utf-8")
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    paid = read_versements(write_csv(tmp_path / "versements.csv", [
        {"pharmacie_id": "PH-TILLEULS", "exercice": 2025, "theme": "numerique", "indicateur": "dmp",
         "montant_verse_eur": "100"}]), pharmacies)
    table, _ = reconcile(pharmacies, None, paid, scenario, date_reference=dt.date(2026, 9, 1))
    r = _row(table, "PH-TILLEULS", "numerique", "dmp")
    assert (r["attendu_eur"], r["verse_eur"]) == ("0.00", "100.00")
    assert "neutralisé pour l'exercice" not in r["explication"]


def test_the_letter_states_a_payment_for_a_neutralised_indicator_as_the_titulaire(tmp_path):
    """The letter quoted the advice to the titulaire (« vérifiez l'exercice de cette ligne du relevé … un trop-versé
    peut être repris ») to the caisse (review): it states the fact."""
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    paid = read_versements(write_csv(tmp_path / "versements.csv", [
        {"pharmacie_id": "PH-TILLEULS", "exercice": 2025, "theme": "numerique", "indicateur": "eprescription",
         "montant_verse_eur": "250"},
        {"pharmacie_id": "PH-TILLEULS", "exercice": 2025, "theme": "bups", "indicateur": "", "montant_verse_eur": "10"}
    ]), pharmacies)
    _, claims = reconcile(pharmacies, None, paid, date_reference=dt.date(2026, 9, 1))
    letter = claims[("PH-TILLEULS", 2025)]
    assert ("Constat : versement de 250,00\u00a0€ pour l'indicateur « Utilisation de la e-prescription », neutralisé "
            "pour l'exercice 2025 : ce versement ne me semble pas dû à ce titre.") in letter
    assert "vérifiez l'exercice de cette ligne" not in letter and "peut être repris" not in letter


def test_less_than_due_before_the_payment_date_may_still_come(tmp_path):
    """PH-CENTRE 2026, numérique due 5 074,00 €, a down payment of 2 000,00 € on 15/05/2026, reconciled on 01/06/2026:
    « écart inexpliqué de 3 074,00 € », claimed at once, though the numérique of 2026 is paid by April 2027 (review).
    Before that date the rest may still come, said with the gap and above the letter; after it, not."""
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    paid = read_versements(write_csv(tmp_path / "v.csv", [
        {"pharmacie_id": "PH-CENTRE", "exercice": 2026, "theme": "numerique", "indicateur": "",
         "montant_verse_eur": "2000", "date_versement": "2026-05-15"}]), pharmacies)
    table, claims = reconcile(pharmacies, None, paid, date_reference=dt.date(2026, 6, 1))
    num = _row(table, "PH-CENTRE", "numerique")
    assert (num["attendu_eur"], num["verse_eur"]) == ("5074.00", "2000.00")
    assert num["explication"].startswith(E("écart inexpliqué de 3 074,00 €"))
    assert num["explication"].endswith(E(" — un versement complémentaire est peut-être à venir : ce thème de "
                                         "l'exercice 2026 est versé au plus tard le 30/04/2027 (code acte PQS) ; passé "
                                         "ce délai, réclamez-le"))
    assert E("« Développement du numérique en santé et amélioration de l'accès aux soins (« REMU NUM ») » : versé au "
             "plus tard le 30/04/2027") in claims[("PH-CENTRE", 2026)]
    table, claims = reconcile(pharmacies, None, paid, date_reference=dt.date(2027, 5, 1))
    assert "peut-être à venir" not in _row(table, "PH-CENTRE", "numerique")["explication"]


def test_a_payment_taken_back_and_a_payment_with_a_minus_sign_are_said_as_the_statement_shows_them(tmp_path):
    """PH-GARE 2024: numérique paid 6 108,00 € then taken back (« Régularisation – indu », −6 108,00 €) was said
    « aucun versement : le relevé porte 0,00 € », in the letter too — a letter contradicting the caisse's own
    statement; dispensation à l'unité written −80,00 € for 80,00 € due was « écart inexpliqué de 160,00 € » (review)."""
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    paid = read_versements(write_csv(tmp_path / "v.csv", [
        {"pharmacie_id": "PH-GARE", "exercice": 2024, "theme": "numerique", "indicateur": "",
         "montant_verse_eur": "6108", "date_versement": "2025-04-15"},
        {"pharmacie_id": "PH-GARE", "exercice": 2024, "theme": "numerique", "indicateur": "",
         "montant_verse_eur": "-6108", "date_versement": "2025-10-15"},
        {"pharmacie_id": "PH-GARE", "exercice": 2024, "theme": "dispensation_unite", "indicateur": "",
         "montant_verse_eur": "-80", "date_versement": "2025-04-15"}]), pharmacies)
    table, claims = reconcile(pharmacies, None, paid, date_reference=dt.date(2026, 11, 15))
    num = _row(table, "PH-GARE", "numerique")
    assert (num["verse_eur"], num["verdict"]) == ("0.00", "non_verse")
    assert num["explication"].startswith(E(
        "versement repris : le relevé porte 6 108,00 € versés puis 6 108,00 € repris, soit 0,00 € "
        "pour ce thème, alors que "))
    disp = _row(table, "PH-GARE", "dispensation_unite")
    assert (disp["attendu_eur"], disp["verse_eur"]) == ("80.00", "-80.00")
    assert disp["explication"] == E(
        "le relevé porte −80,00 € pour ce thème, dû 80,00 € : le même montant, de signe opposé — un versement "
        "s'écrit en positif ; la ligne du relevé a-t-elle pris un signe moins (une reprise ?) ? Vérifiez-la")
    letter = claims[("PH-GARE", 2024)]
    assert E("Constat : versement repris : le relevé porte 6 108,00 € versés puis 6 108,00 € repris") in letter
    # a sign the tool suspects inverted is to check, not claimed at twice its amount (review)
    body = letter.split("Madame, Monsieur,")[1]  # named above it only, to the titulaire, as a gap not claimed
    assert "Dispensation à l'unité" not in body and "160,00" not in body
    assert E("(« Dispensation à l'unité » : −80,00 € versés pour 80,00 € dus, une ligne du relevé de signe "
             "peut-être inversé : vérifiez le relevé)") in letter
    assert "aucun versement : le relevé porte 0,00" not in letter


def test_a_payment_taken_back_in_part_is_said_with_its_rows_not_as_a_gap_without_cause(tmp_path):
    """PH-GARE 2024: numérique paid 6 108,00 € (as due) then −2 000,00 € « Régularisation »: it was « écart
    inexpliqué » (or a partial payment whose complement may come) without the take-back named. The statement says
    why the net is short: said so, claimed with its facts. A take-back that leaves another gap names its rows in the
    tool's search and in the letter."""
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")

    def run(first: str):
        paid = read_versements(write_csv(tmp_path / "v.csv", [
            {"pharmacie_id": "PH-GARE", "exercice": 2024, "theme": "numerique", "indicateur": "",
             "montant_verse_eur": first, "date_versement": "2025-04-15"},
            {"pharmacie_id": "PH-GARE", "exercice": 2024, "theme": "numerique", "indicateur": "",
             "montant_verse_eur": "-2000", "date_versement": "2025-10-15"}]), pharmacies)
        table, claims = reconcile(pharmacies, None, paid, date_reference=dt.date(2026, 11, 15))
        return _row(table, "PH-GARE", "numerique"), claims[("PH-GARE", 2024)]

    num, letter = run("6108")
    # 6 108,00 − 2 000,00 = 4 108,00 € for 6 108,00 € due
    assert (num["attendu_eur"], num["verse_eur"], num["ecart_eur"]) == ("6108.00", "4108.00", "-2000.00")
    assert num["explication"] == E(
        "versement repris en partie : le relevé porte 6 108,00 € versés puis 2 000,00 € repris, soit "
        "4 108,00 € pour ce thème, alors que 6 108,00 € sont dus selon les règles — le montant versé d'abord était "
        "celui qui est dû, la reprise n'est pas expliquée : demandez à l'Assurance Maladie le motif de cette reprise ; "
        "sans motif qui tienne, réclamez-la")
    assert E("Constat : versement repris en partie : le relevé porte 6 108,00 € versés puis 2 000,00 € repris") in letter
    assert "peut-être à venir" not in num["explication"] and "inexpliqué" not in num["explication"]
    # paid 5 000,00 € then 2 000,00 € taken back: 3 000,00 € for 6 108,00 €, no cause found — the rows are named
    num, letter = run("5000")
    assert num["explication"].startswith(E("écart inexpliqué de 3 108,00 €"))
    assert E("à vérifier : le relevé porte 5 000,00 € versés puis 2 000,00 € repris, soit 3 000,00 €"
             ) in num["explication"]
    assert E("le montant versé (3 000,00 € : le relevé porte 5 000,00 € versés puis 2 000,00 € repris, soit "
             "3 000,00 €) est inférieur de 3 108,00 €") in letter


def test_a_payment_date_that_is_not_published_or_a_scenarios_is_said_where_a_claim_rests_on_it(tmp_path):
    """PH-CENTRE 2025 on 01/07/2026, colorectal (120 €) and dispensation (499 €) not paid. The colorectal date of 2025
    is the tool's (30/06/2026, copied from 2024; other reading 31/12/2026): « réclamez-le » rests on it — said, and
    the letter, ready to send, says the rest may still come under the other date (review: nothing said). Under a
    scenario the dates are the scenario's, said so with the tool's (review: called « retenue par l'outil »)."""
    statement = tmp_path / "v.csv"
    statement.write_text("pharmacie_id;exercice;theme;montant_verse_eur\nPH-CENTRE;2025;numerique;5334\n"
                         "PH-CENTRE;2025;bups;400\n", encoding="utf-8")
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    paid = read_versements(statement, pharmacies)
    due = "aucun versement : le relevé n'a aucune ligne pour ce thème, alors que 120,00 € sont dus selon les règles — "
    table, claims = reconcile(pharmacies, None, paid, date_reference=dt.date(2026, 7, 1))
    assert _row(table, "PH-CENTRE", "colorectal")["explication"] == E(
        due + "ce thème de l'exercice 2025 est versé au plus tard le 30/06/2026 (date incertaine, retenue par "
        "l'outil : hypothèse ; autre lecture : « 31/12/2026 : aucune date publiée, le thème peut être versé jusqu'à la "
        "fin de l'année qui suit l'exercice ») : ce délai est passé, réclamez-le")
    letter = claims[("PH-CENTRE", 2025)]
    assert E("> **À lire avant tout envoi — date de versement incertaine** : au 01/07/2026, ce qui manque peut encore "
             "être versé selon une autre date (« Dépistage organisé du cancer colorectal » : versé au plus tard le "
             "30/06/2026 (date incertaine, retenue par l'outil), mais jusqu'au 31/12/2026 selon l'autre lecture)."
             ) in letter
    # the dispensation, to come under the tool's date (31/12/2026), passed under the other (30/04/2026): said too
    assert E("« Dispensation à l'unité » : versé au plus tard le 31/12/2026 (date incertaine, retenue par l'outil ; "
             "sous l'autre lecture, le 30/04/2026, déjà passé)") in letter
    # under the scenario of alternative readings: the scenario's dates, the tool's beside them
    scenario = Scenario.read(PARAMETERS_DIR / "scenarios" / "lectures-alternatives.yaml")
    table, claims = reconcile(pharmacies, None, paid, scenario, date_reference=dt.date(2026, 7, 1))
    assert _row(table, "PH-CENTRE", "colorectal")["explication"] == E(
        due + "peut-être à venir : ce thème de l'exercice 2025 est versé au plus tard le 31/12/2026 (date du scénario ; "
        "celle de l'outil : le 30/06/2026, déjà passée) ; passé ce délai, réclamez-le")
    letter = claims[("PH-CENTRE", 2025)]
    assert E("« Dépistage organisé du cancer colorectal » : versé au plus tard le 31/12/2026 (date du scénario ; celle "
             "de l'outil : le 30/06/2026, déjà passée)") in letter
    assert E("« Dispensation à l'unité » : versé au plus tard le 30/04/2026 (date du scénario), mais jusqu'au "
             "31/12/2026 selon celle de l'outil") in letter
    assert "retenue par l'outil" not in letter
    # after every date, nothing rests on a reading: none said
    table, claims = reconcile(pharmacies, None, paid, date_reference=dt.date(2027, 1, 1))
    assert "autre lecture" not in _row(table, "PH-CENTRE", "colorectal")["explication"]
    assert "À lire avant tout envoi" not in claims[("PH-CENTRE", 2025)]


def test_an_unexplained_shortfall_after_the_payment_date_says_it(tmp_path):
    """An « écart inexpliqué » below the due amount said « peut-être à venir » before the payment date, and nothing
    after it (review): after it, to claim — with the other reading of an unpublished date when it says otherwise."""
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    paid = read_versements(write_csv(tmp_path / "v.csv", [
        {"pharmacie_id": "PH-CENTRE", "exercice": 2025, "theme": "colorectal", "indicateur": "",
         "montant_verse_eur": "7.77", "date_versement": "2026-05-02"}]), pharmacies)
    table, _ = reconcile(pharmacies, None, paid, date_reference=dt.date(2026, 7, 1))
    said = _row(table, "PH-CENTRE", "colorectal")["explication"]
    assert said.startswith(E("écart inexpliqué de 112,23 €"))
    assert said.endswith(E(" — ce thème de l'exercice 2025 est versé au plus tard le 30/06/2026 (date incertaine, "
                           "retenue par l'outil : hypothèse ; autre lecture : « 31/12/2026 : aucune date publiée, le "
                           "thème peut être versé jusqu'à la fin de l'année qui suit l'exercice ») : ce délai est passé, "
                           "réclamez-le"))


def test_of_two_readings_that_give_the_amount_paid_the_narrowest_is_named(tmp_path):
    """A buyer from 01/07/2024 paid the carte Vitale equipment and the 2024 device in full, the DMP prorated: its
    numérique is given by the device's own prorata reading only, its 2024 device by that one and by « no forfait
    prorated » too. The device was explained by the broader one, the numérique by the narrower (review): the
    narrowest (read by the fewest lines) is tried first."""
    from rosp_lib.engine import compute

    row = {"pharmacie_id": "P-BUYER", "exercice": 2024, "exercice_coordonne": "oui", "logiciel_segur": "oui",
           "taux_dmp_pct": 95, "borne_maj_carte_vitale": "oui", "nb_lecteurs_maj_carte_vitale": 2,
           "nb_trod_angine": 3, "debut_activite": "2024-07-01"}
    pharmacies = read_pharmacies(write_csv(tmp_path / "p.csv", [row], sep=";"))
    key = "general.prorata_carte_vitale_dispositif_2024"
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"general:\n  {key.split('.')[1]}: false\n", encoding="utf-8")
    paid_as = compute(pharmacies, scenario=Scenario.read(scenario)).groupby("theme")["montant_cents"].sum()
    paid = read_versements(write_csv(tmp_path / "v.csv", [
        {"pharmacie_id": "P-BUYER", "exercice": 2024, "theme": t, "montant_verse_eur": f"{paid_as[t] / 100:.2f}"}
        for t in ("numerique", "dispositif_2024")]), pharmacies)
    table, _ = reconcile(pharmacies, None, paid, date_reference=dt.date(2025, 12, 1))
    assert _row(table, "P-BUYER", "numerique")["lecture_qui_explique"] == key
    assert _row(table, "P-BUYER", "dispositif_2024")["lecture_qui_explique"] == key


def test_take_backs_beyond_the_payment_on_indicator_rows_and_beside_a_malus_row_are_said_as_take_backs(tmp_path):
    """Review of an accountant's statements, PH-GARE 2024 (due: numérique 6 108 € = 7 635 € − 1 527 € of malus,
    colorectal 52,50 €, dispositif 2024 400 €): a payment taken back twice was « a sign inverted » and left out of
    the letter; an indicator row paid then taken back was « écart inexpliqué »; a theme row « Malus … » was counted
    as a take-back; a payment wholly taken back was « peut-être à venir » before its payment date."""
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")

    def row(theme, amount, indicateur="", libelle=""):
        return {"pharmacie_id": "PH-GARE", "exercice": 2024, "theme": theme, "indicateur": indicateur,
                "montant_verse_eur": amount, "date_versement": "2025-04-15", "libelle_releve": libelle}

    paid = read_versements(write_csv(tmp_path / "v.csv", [
        row("colorectal", "52.50"), row("colorectal", "-52.50", libelle="Régularisation"),
        row("colorectal", "-52.50", libelle="Régularisation"),
        row("numerique", "7635", libelle="ROSP numérique brut"),
        row("numerique", "-1527", libelle="Malus qualité de la facturation"),
        row("numerique", "-500", libelle="Régularisation"),
        row("dispositif_2024", "400", "entretien_chronique"), row("dispositif_2024", "-400", "entretien_chronique"),
    ]), pharmacies)
    table, claims = reconcile(pharmacies, None, paid, date_reference=dt.date(2025, 6, 15))  # before 30/06/2025
    colorectal = _row(table, "PH-GARE", "colorectal")
    assert (colorectal["verse_eur"], colorectal["ecart_eur"]) == ("-52.50", "-105.00")
    assert colorectal["explication"] == E(
        "versement repris : le relevé porte 52,50 € versés puis 105,00 € repris, soit −52,50 € pour ce thème, alors "
        "que 52,50 € sont dus selon les règles — le montant versé d'abord était celui qui est dû, la reprise n'est pas "
        "expliquée : demandez à l'Assurance Maladie le motif de cette reprise ; sans motif qui tienne, réclamez-la")
    # 7 635 € − 1 527 € of malus = 6 108 €, the due amount, then 500 € taken back
    assert _row(table, "PH-GARE", "numerique")["explication"].startswith(E(
        "versement repris en partie : le relevé porte 6 108,00 € versés (malus déduit) puis 500,00 € repris, soit "
        "5 608,00 € pour ce thème, alors que 6 108,00 € sont dus selon les règles — le montant versé d'abord"))
    for ind in ("", "entretien_chronique"):
        said = _row(table, "PH-GARE", "dispositif_2024", ind)["explication"]
        one = "cet indicateur" if ind else "ce thème"
        assert said.startswith(E(f"versement repris : le relevé porte 400,00 € versés puis 400,00 € repris, soit "
                                 f"0,00 € pour {one}, alors que 400,00 € sont dus")), said
    for theme in ("colorectal", "dispositif_2024"):  # paid, then taken back: not « to come » before 30/06/2025
        assert "peut-être à venir" not in _row(table, "PH-GARE", theme)["explication"]
    letter = claims[("PH-GARE", 2024)]
    assert E("| Dépistage organisé du cancer colorectal | tout le thème | 52,50 € | −52,50 € | −105,00 € |") in letter
    caution = next(line for line in letter.splitlines() if "versement peut-être incomplet" in line)
    assert "colorectal" not in caution and "Dispositif" not in caution  # only the dispensation, not paid at all
    assert "2 027" not in letter  # the malus row is not a take-back


def test_a_net_after_a_take_back_that_a_reading_gives_names_the_reading_and_the_rows(tmp_path):
    """PH-TILLEULS 2025: BUPS paid 690,83 € (the due amount), then 200 € taken back: 490,83 € is the amount of the
    other reading of the stabilité's lower step (0 € instead of 200 €). The reading is named (review: « la reprise
    n'est pas expliquée »), with the statement's rows."""
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    molecules = read_molecules(ROOT / "data" / "molecules.csv", pharmacies)
    paid = read_versements(write_csv(tmp_path / "v.csv", [
        {"pharmacie_id": "PH-TILLEULS", "exercice": 2025, "theme": "bups", "montant_verse_eur": amount,
         "date_versement": day} for amount, day in (("690.83", "2026-03-20"), ("-200", "2026-06-20"))]), pharmacies)
    table, _ = reconcile(pharmacies, molecules, paid, date_reference=dt.date(2026, 7, 15))
    bups = _row(table, "PH-TILLEULS", "bups")
    assert (bups["attendu_eur"], bups["verse_eur"]) == ("690.83", "490.83")
    assert bups["lecture_qui_explique"] == "bups.stabilite_75.montant_bas"
    assert bups["explication"].startswith(E(
        "écart de 200,00 € (le relevé porte 690,83 € versés puis 200,00 € repris, soit 490,83 €) : "))


def test_a_take_back_of_the_malus_amount_and_a_deduction_where_nothing_is_due(tmp_path):
    """Review: PH-GARE 2024 numérique paid 6 108 € (net of its 1 527 € malus) then −1 527 € « Régularisation indu »:
    the take-back, of the malus's amount, was read as a malus row and never said. PH-MAIRIE 2023, BUPS due 0 € (a
    socle not met), −20 € on the « urgence » malus: a deduction where nothing is due was told to wait for, or claim,
    a payment of the theme."""
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    paid = read_versements(write_csv(tmp_path / "v.csv", [
        {"pharmacie_id": "PH-GARE", "exercice": 2024, "theme": "numerique", "indicateur": "",
         "montant_verse_eur": "6108", "date_versement": "2025-04-15", "libelle_releve": "ROSP"},
        {"pharmacie_id": "PH-GARE", "exercice": 2024, "theme": "numerique", "indicateur": "",
         "montant_verse_eur": "-1527", "date_versement": "2025-09-15", "libelle_releve": "Régularisation indu"},
        {"pharmacie_id": "PH-MAIRIE", "exercice": 2023, "theme": "bups", "indicateur": "malus_urgence",
         "montant_verse_eur": "-20", "date_versement": "2024-09-15", "libelle_releve": "x"}]), pharmacies)
    table, claims = reconcile(pharmacies, None, paid, date_reference=dt.date(2024, 5, 15))
    assert _row(table, "PH-GARE", "numerique")["explication"].startswith(E(
        "versement repris en partie : le relevé porte 6 108,00 € versés puis 1 527,00 € repris, soit 4 581,00 € pour "
        "ce thème, alors que 6 108,00 € sont dus selon les règles"))
    bups = _row(table, "PH-MAIRIE", "bups")
    assert (bups["attendu_eur"], bups["verse_eur"]) == ("0.00", "-20.00")
    assert "versé au plus tard" not in bups["explication"] and "réclamez-le" not in bups["explication"]
    assert "date de versement incertaine" not in claims.get(("PH-MAIRIE", 2023), "")


@pytest.mark.parametrize("first, partly_taken_back", [("6107.98", False), ("6107.99", True), ("6108.00", True),
                                                      ("6108.01", True), ("6108.02", False)])
def test_a_payment_taken_back_is_said_so_when_the_first_payment_is_the_due_one_to_the_cent(tmp_path, first,
                                                                                          partly_taken_back):
    """PH-GARE 2024 numérique, due 6 108,00 €, paid `first` then −2 000 €: « versement repris en partie » when the
    first payment is the due amount within the verdicts' tolerance (0,01 €), not beyond."""
    pharmacies = read_pharmacies(ROOT / "data" / "pharmacies.csv")
    paid = read_versements(write_csv(tmp_path / "v.csv", [
        {"pharmacie_id": "PH-GARE", "exercice": 2024, "theme": "numerique", "montant_verse_eur": amount,
         "date_versement": "2025-04-15"} for amount in (first, "-2000")]), pharmacies)
    table, _ = reconcile(pharmacies, None, paid, date_reference=dt.date(2026, 11, 15))
    said = _row(table, "PH-GARE", "numerique")["explication"]
    assert said.startswith("versement repris en partie") == partly_taken_back, said
