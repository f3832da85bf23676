"""Gains (`rosp gains`): the YAML cases of tests/gains/, and the property that every gain is the difference of
two runs of the rules, before and after the action's change of input.

A case (tests/gains/*.yaml) is a mapping:

    name, exercice, date ('AAAA-MM-JJ': when « encore possible » is judged), input (pharmacies columns),
    molecules (optional: the targeted molecules' rows, columns of the molecules table),
    parametres (optional scenario, as in tests/cases), description (how the figures were worked out)
    actions: each expected action, found by `colonne` (and `valeur_cible` when given); every other key is
             checked: gain (euros, a number or an arithmetic string), valeur_actuelle, valeur_cible, nature,
             echeance, encore_possible, indicateur, texte (a piece of the `action` text)
    seules_sur: columns whose only actions are the listed ones
    aucune_sur: columns that offer no action at all (capped, neutralised, or useless alone)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers_rules import cents, write_csv
from rosp_lib.counterfactual.gains import GAINS_COLUMNS, gains_table, within_reach
from rosp_lib.engine import compute, parameters_for
from rosp_lib.inputs import read_inputs, read_pharmacies
from rosp_lib.parameters import Scenario

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = Path(__file__).resolve().parent / "gains"


def _cases() -> list:
    return [pytest.param(case, id=f"{path.stem}: {case['name']}")
            for path in sorted(CASES_DIR.glob("*.yaml"))
            for case in yaml.safe_load(path.read_text(encoding="utf-8"))]


def _run(case: dict, tmp_path: Path):
    row = {"pharmacie_id": "CAS", "exercice": case["exercice"], **case.get("input", {})}
    pharmacies = read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [row]))
    molecules = None
    if case.get("molecules"):
        from rosp_lib.inputs import read_molecules

        rows = [{"pharmacie_id": "CAS", "exercice": case["exercice"], **m} for m in case["molecules"]]
        molecules = read_molecules(write_csv(tmp_path / "molecules.csv", rows), pharmacies)
    scenario = None
    if case.get("parametres"):
        path = tmp_path / "scenario.yaml"
        path.write_text(yaml.safe_dump(case["parametres"], allow_unicode=True), encoding="utf-8")
        scenario = Scenario.read(path)
    params = parameters_for([case["exercice"]], scenario)
    table = gains_table(pharmacies, molecules, params, dt.date.fromisoformat(case["date"]))
    return pharmacies, molecules, params, table


def _apply(pharmacies: pd.DataFrame, changes: dict, molecules: pd.DataFrame | None = None):
    """The tables with the action's changes: (pharmacies, molecules) when `molecules` is given, else pharmacies."""
    from rosp_lib.counterfactual.runner import parse_molecule_key
    from rosp_lib.inputs import EXACT_SUFFIX, set_rate

    out = pharmacies.copy()
    mols = None if molecules is None else molecules.copy()
    for col, value in changes.items():
        mol = parse_molecule_key(col)
        if mol is not None:  # a cell of the molecules table, by its position
            set_rate(mols, mols.index[mol[0]], mol[1], value)
            continue
        if col + EXACT_SUFFIX in out.columns:  # a rate: its float and its exact value together
            for row in out.index:
                set_rate(out, row, col, value)
        else:
            out[col] = pd.Series([value] * len(out), index=out.index).astype(out[col].dtype)
    return out if molecules is None else (out, mols)


def _total(pharmacies, molecules, params) -> int:
    return int(compute(pharmacies, molecules, params)["montant_cents"].sum())


@pytest.mark.parametrize("case", _cases())
def test_gains_case(case, tmp_path):
    pharmacies, molecules, params, table = _run(case, tmp_path)
    assert list(table.columns[: len(GAINS_COLUMNS)]) == GAINS_COLUMNS
    shown = table[GAINS_COLUMNS].to_string()
    for want in case.get("actions", []):
        sel = table["colonne"] == want["colonne"]
        if "valeur_cible" in want:
            sel &= table["valeur_cible"] == str(want["valeur_cible"])
        assert sel.sum() == 1, f"action attendue absente ou en double : {want}\n{shown}"
        got = table[sel].iloc[0]
        for key, value in want.items():
            if key == "gain":
                assert int(got["gain_cents"]) == cents(value), f"{want} : gain {got['gain_eur']}\n{shown}"
            elif key == "texte":
                assert value in got["action"], f"{want} : action « {got['action']} »"
            elif key != "colonne":
                assert str(got[key]) == str(value), f"{want} : {key} = {got[key]!r}\n{shown}"
    listed = {(a["colonne"], str(a.get("valeur_cible"))) for a in case.get("actions", [])}
    for col in case.get("seules_sur", []):
        mine = table[table["colonne"] == col]
        expected = {x for x in listed if x[0] == col}
        assert len(mine) == len(expected), f"{col} : actions {list(mine['valeur_cible'])}\n{shown}"
    for col in case.get("aucune_sur", []):
        assert not (table["colonne"] == col).any(), f"{col} ne devrait offrir aucune action\n{shown}"
    # every gain is the difference of two runs of the rules, before and after the change
    before = _total(pharmacies, molecules, params)
    for changes, gain in zip(table["changements"], table["gain_cents"]):
        after = _apply(pharmacies, changes, molecules) if molecules is not None else (_apply(pharmacies, changes), None)
        assert _total(*after, params) - before == gain, changes


def test_every_gain_of_the_example_is_the_difference_of_two_runs(monkeypatch):
    from rosp_lib.counterfactual import gains as gains_module

    pharmacies, molecules = read_inputs(ROOT / "data" / "pharmacies.csv", ROOT / "data" / "molecules.csv")
    params = parameters_for(pharmacies["exercice"].unique())
    table = gains_table(pharmacies, molecules, params, dt.date(2025, 6, 1))
    # a large file is searched in chunks of rows: the same table
    monkeypatch.setattr(gains_module, "CHUNK_ROWS", 4)
    chunked = gains_table(pharmacies, molecules, params, dt.date(2025, 6, 1))
    pd.testing.assert_frame_equal(chunked[GAINS_COLUMNS], table[GAINS_COLUMNS])
    assert len(table) > 20
    # the near misses of the example data are found
    near = {(p, c, v) for p, c, v in zip(table["pharmacie_id"], table["colonne"], table["valeur_cible"])}
    assert ("PH-CENTRE", "taux_stabilite_75_pct", "90") in near
    assert ("PH-CENTRE", "taux_stabilite_75_pct", "95") in near
    assert ("PH-PORT", "taux_generiques_repertoire_pct", "85") in near
    for (pid, year), group in table.groupby(["pharmacie_id", "exercice"]):
        sel = (pharmacies["pharmacie_id"] == pid) & (pharmacies["exercice"] == year)
        one = pharmacies[sel]
        mols = molecules[(molecules["pharmacie_id"] == pid) & (molecules["exercice"] == year)]
        before = _total(one, mols, params)
        assert list(group["rang"]) == list(range(1, len(group) + 1))
        assert list(group["gain_cents"]) == sorted(group["gain_cents"], reverse=True)
        for changes, gain in zip(group["changements"], group["gain_cents"]):
            assert gain > 0
            changed, changed_mols = _apply(one, changes, molecules)
            changed_mols = changed_mols[(changed_mols["pharmacie_id"] == pid) & (changed_mols["exercice"] == year)]
            assert _total(changed, changed_mols, params) - before == gain, (pid, year, changes)
    # the total within reach is one more run with every action still possible applied together
    reach = within_reach(pharmacies, molecules, table, params)
    centre = reach[(reach["pharmacie_id"] == "PH-CENTRE") & (reach["exercice"] == 2025)].iloc[0]
    assert centre["a_portee_cents"] > 0


def test_a_molecule_gain_is_the_difference_of_two_rosp_compute_runs(tmp_path):
    """The molecule case of the example (PH-TILLEULS 2024, Vildagliptine 79 % → 100 %), checked against the command
    itself: `rosp compute` on the molecules file as it is, then with the arrival rate the action names."""
    from click.testing import CliRunner

    from rosp_lib.cli import main

    pharmacies, molecules = read_inputs(ROOT / "data" / "pharmacies.csv", ROOT / "data" / "molecules.csv")
    table = gains_table(pharmacies[(pharmacies["pharmacie_id"] == "PH-TILLEULS") & (pharmacies["exercice"] == 2024)],
                        molecules, None, dt.date(2024, 10, 1))
    action = table[table["colonne"] == "taux_arrivee_pct (Vildagliptine)"].iloc[0]
    assert action["valeur_actuelle"] == "79" and action["valeur_cible"] == "100"
    # 0,22565 € par boîte substituée × 300 boîtes : 237 → 300 boîtes ; 53,47905 → 53,48 € et 67,695 → 67,70 €
    assert int(action["gain_cents"]) == 6770 - 5348
    source = (ROOT / "data" / "molecules.csv").read_text(encoding="utf-8")
    changed = tmp_path / "molecules.csv"
    changed.write_text(source.replace("PH-TILLEULS,2024,Vildagliptine,300,80,79.0",
                                      "PH-TILLEULS,2024,Vildagliptine,300,80,100"), encoding="utf-8")
    assert changed.read_text(encoding="utf-8") != source

    def total(mols: Path, out: Path) -> int:
        result = CliRunner().invoke(main, ["compute", str(ROOT / "data" / "pharmacies.csv"), "--molecules", str(mols),
                                           "-o", str(out)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        totals = pd.read_csv(out / "totaux.csv", dtype=str)
        row = totals[(totals["pharmacie_id"] == "PH-TILLEULS") & (totals["exercice"] == "2024")].iloc[0]
        return cents(row["total"])

    assert total(changed, tmp_path / "apres") - total(ROOT / "data" / "molecules.csv", tmp_path / "avant") \
        == int(action["gain_cents"])


def test_a_reports_key_knows_the_end_of_the_activity(tmp_path):
    """`rosp report` makes a report again when a deadline passes between two runs: the end of a cédant's activity
    is one of them (before, a report made on 01/03 said its measured actions possible on 01/06 too)."""
    from rosp_lib.batch.folders import Slices
    from rosp_lib.counterfactual.gains import deadlines
    from rosp_lib.parameters import load_parameters

    path = write_csv(tmp_path / "pharmacies.csv", [
        {"pharmacie_id": "PH-A", "exercice": 2025, "fin_activite": "2025-03-31"},
        {"pharmacie_id": "PH-A", "exercice": 2024, "fin_activite": ""},
        {"pharmacie_id": "PH-B", "exercice": 2025, "fin_activite": ""}])
    assert Slices(path).activity_ends == {("PH-A", 2025): "2025-03-31"}
    params = load_parameters(2025)
    end = dt.date(2025, 3, 31)
    assert set(deadlines(2025, params, end)) - set(deadlines(2025, params)) == {end}


def _tilleuls(tmp_path: Path, year: int, **changes) -> pd.DataFrame:
    """PH-TILLEULS's row of `year` in the example data, with `changes`, read as the user's file."""
    import csv

    with open(ROOT / "data" / "pharmacies.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    row = next(r for r in rows if r["pharmacie_id"] == "PH-TILLEULS" and r["exercice"] == str(year))
    return read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [{**row, **changes}]))


def _tilleuls_2025(tmp_path: Path, **changes) -> pd.DataFrame:
    return _tilleuls(tmp_path, 2025, **changes)


@pytest.mark.parametrize("changes, gains_eur, reach_cents", [
    # BUPS socle lost (génériques 84 % < 85 %) and the urgence malus (3 % not below the reference): the theme pays
    # 0 €. Socle met: 100 (démarche qualité) + 200 (stabilité 92 % ≥ 90 %) + 100 (ASAFO) + 200 (écoresponsable)
    # = 600 €, less 20 % → 480 €; urgence 2,99 % → 600 € (+120 with the socle: 600 €); stabilité 95 % → 400 €,
    # 800 × 0,8 = 640 € (+160 with the socle: 640 €). All: BUPS 800 € + billing malus (7 points, 10 % of the
    # numérique theme's 5 349 €) 534,90 € + 3 € (one RVA) + 2 € (one kit) + 25 € (the téléconsultation equipment
    # declared and one téléconsultation: one tranche) = 1 364,90 €.
    ({"taux_generiques_repertoire_pct": "84", "taux_urgence_pct": "3"},
     {"stabilite_75": "640.00", "malus_urgence": "600.00", "generiques_repertoire": "480.00",
      "malus_qualite_facturation": "534.90"}, 136490),
    # Numérique socle lost (logiciel Ségur « non »): the theme pays 0 €. Ségur declared: 5 349 € less the billing
    # malus's 10 % = 4 814,10 €; with the malus removed too: 5 349 € (+534,90 with the socle). All: 5 349 € + 200 €
    # (stabilité 92 % → 95 %: 400 € instead of 200 €) + 3 € + 2 € + 25 € (one téléconsultation tranche) = 5 579 €.
    ({"logiciel_segur": "non"},
     {"malus_qualite_facturation": "5349.00", "logiciel_segur": "4814.10", "stabilite_75": "200.00"}, 557900),
], ids=["bups-socle-perdu", "numerique-socle-perdu"])
def test_the_actions_of_a_theme_whose_socle_is_lost_are_given_with_the_socle(tmp_path, changes, gains_eur,
                                                                             reach_cents):
    """A theme whose socle is lost pays nothing, so an action of that theme pays nothing alone: it is given with
    the socle regained (both changes, the gain of both), and counted in what is within reach (audit: the urgence
    malus, the stabilité and the billing malus were missing, « encore à portée » was 1 019,90 € and 5 019,10 €)."""
    pharmacies = _tilleuls_2025(tmp_path, **changes)
    params = parameters_for([2025])
    table = gains_table(pharmacies, None, params, dt.date(2025, 7, 15))
    shown = dict(zip(table["indicateur"], table["gain_eur"]))
    assert {k: shown.get(k) for k in gains_eur} == gains_eur
    reach = within_reach(pharmacies, None, table, params)
    assert int(reach["a_portee_cents"].iloc[0]) == reach_cents


@pytest.mark.parametrize("column", ["dqo_newsletter", "dqo_programme_amelioration"])
@pytest.mark.parametrize("today, possible", [("2025-12-31", "oui"), ("2026-01-15", "non")])
def test_the_demarche_qualite_actions_are_done_within_the_year(tmp_path, column, today, possible):
    """The newsletter and the quality programme were given the declaration's window (« jusqu'au 27/02/2026 »): the
    démarche qualité's three actions are « à effectuer d'ici le 31 décembre » (Ordre national des pharmaciens,
    17 novembre 2022; calendrier.fin_actions_dqo, a reading for the later exercises), as the auto-évaluation.
    PH-TILLEULS 2025 without it: the BUPS socle is lost; regained, 100 (démarche qualité) + 200 (stabilité 92 %)
    + 100 (ASAFO) + 200 (écoresponsable) = 600 €."""
    pharmacies = _tilleuls_2025(tmp_path, **{column: "non"})
    params = parameters_for([2025])
    assert params[2025].calendrier.fin_actions_dqo.valeur == dt.date(2025, 12, 31)
    table = gains_table(pharmacies, None, params, dt.date.fromisoformat(today))
    row = table[table["colonne"] == column].iloc[0]
    assert (row["indicateur"], row["gain_eur"], row["echeance"]) == ("demarche_qualite", "600.00", "2025-12-31")
    assert row["encore_possible"] == possible


@pytest.mark.parametrize("year, changes, today, possible, left", [
    # installed on 1 July 2025, 10 weeks on Friday 1 August: the weeks from Monday 28 July to 31 December are 23,
    # 10 + 23 < 46 (bups.asafo, 46 weeks of the year)
    (2025, {"nb_semaines_asafo": "10", "debut_activite": "2025-07-01"}, "2025-08-01", "non", 23),
    # 30 weeks on Monday 1 December 2025: 5 weeks left (1–7, 8–14, 15–21, 22–28 December, 29–31)
    (2025, {"nb_semaines_asafo": "30"}, "2025-12-01", "non", 5),
    (2025, {"nb_semaines_asafo": "30"}, "2025-08-01", "oui", None),  # 22 weeks left: 30 + 22 ≥ 46
    # 2024: 4 different weeks of December; none yet on Friday 20 December: the weeks of 16 and 23 December and the
    # 30th–31st, 3 < 4
    (2024, {"nb_semaines_asafo_decembre": "0"}, "2024-12-20", "non", 3),
    (2024, {"nb_semaines_asafo_decembre": "1"}, "2024-12-20", "oui", None),
])
def test_a_count_of_weeks_is_within_reach_only_if_the_calendar_still_has_the_weeks(tmp_path, year, changes, today,
                                                                                    possible, left):
    """ASAFO's weeks were offered (« 36 de plus (10 → 46) ») and counted in what is within reach when the year had
    not that many weeks left (review): the action is listed, « encore_possible » non, and says why."""
    pharmacies = _tilleuls(tmp_path, year, **changes)
    table = gains_table(pharmacies, None, parameters_for([year]), dt.date.fromisoformat(today))
    action = table[table["indicateur"] == "asafo"].iloc[0]
    assert action["encore_possible"] == possible
    if left is not None:
        target = "4 semaines de décembre" if year == 2024 else "46 semaines"
        now = int(next(iter(changes.values())))
        assert (f"hors de portée : {target} demandées, {now} à ce jour et {left} semaines encore au "
                f"calendrier jusqu'au 31/12/{year}") in action["action"]
    else:
        assert "hors de portée" not in action["action"]


@pytest.mark.parametrize("year, changes, today, possible", [
    # the December weeks unknown on 20 December 2024: the weeks already made may be enough (it was read as 0 and
    # « hors de portée », review)
    (2024, {"nb_semaines_asafo_decembre": ""}, "2024-12-20", "oui"),
    # the exercise is over: not possible, because its deadline passed — not « hors de portée » on « 0 semaine »
    (2024, {"nb_semaines_asafo_decembre": "3"}, "2026-12-04", "non"),
    (2025, {"nb_semaines_asafo": "30"}, "2026-03-01", "non"),
])
def test_the_weeks_left_are_said_only_for_a_known_count_before_the_deadline(tmp_path, year, changes, today, possible):
    pharmacies = _tilleuls(tmp_path, year, **changes)
    table = gains_table(pharmacies, None, parameters_for([year]), dt.date.fromisoformat(today))
    action = table[table["indicateur"] == "asafo"].iloc[0]
    assert action["encore_possible"] == possible
    assert "hors de portée" not in action["action"]


def test_the_quality_programme_is_declared_before_the_declaration_closes_whatever_the_reading(tmp_path):
    """Under the alternative readings, the declaration of 2024 closes on 31/01/2025 (calendrier.fin_declaration) while
    fin_actions_dqo reads « until the end of the declaration » (27/02/2025): the programme counted until 27/02, after
    the window had closed (review). Its deadline is the earlier of the two."""
    pharmacies = _tilleuls(tmp_path, 2024, dqo_programme_amelioration="non")
    params = parameters_for([2024], ROOT / "parameters" / "scenarios" / "lectures-alternatives.yaml")
    cal = params[2024].calendrier
    assert (cal.fin_declaration.valeur, cal.fin_actions_dqo.valeur) == (dt.date(2025, 1, 31), dt.date(2025, 2, 27))
    table = gains_table(pharmacies, None, params, dt.date(2025, 2, 15))
    row = table[table["colonne"] == "dqo_programme_amelioration"].iloc[0]
    assert (row["echeance"], row["encore_possible"]) == ("2025-01-31", "non")


def test_an_action_behind_a_lost_socle_names_the_socle_by_its_title():
    # PH-MAIRIE 2023 (data/): the démarche qualité is not declared, so the BUPS socle is lost; the actions of the
    # theme are given with the socle regained, and say which one by its title, as the report shows it.
    from rosp_lib.report import gains as report_gains
    from rosp_lib.report import notebook as nb

    root = Path(__file__).resolve().parents[1]
    rep = nb.load("PH-MAIRIE", 2023, str(root / "data/pharmacies.csv"), str(root / "data/molecules.csv"))
    page = str(report_gains.actions_table(rep, report_gains.compute(rep, None, "2025-10-01"), None))
    assert "socle du thème retrouvé (« Adhésion à la démarche qualité (HCQO) »)" in page.replace("&#x27;", "'")
    assert "retrouvé (demarche_qualite)" not in page


def test_a_gain_from_an_amount_resting_on_a_hypothesis_says_so(tmp_path):
    """PH-GARE 2024, stability 91 → 95 %: 200 € at the lower step now (bups.stabilite_75.montant_bas, a hypothesis;
    alternative 0 €), 400 € at the upper one (a source), less the 20 % urgence malus: (400 − 200) × 0,8 = 160 €. The
    gain was « source » and its table row said nothing, though under the alternative it would be 400 × 0,8 = 320 €
    (audit). A gain is a difference: it rests on what both amounts rest on."""
    from rosp_lib.report import gains as report_gains

    pharmacies, molecules = read_inputs(ROOT / "data" / "pharmacies.csv", ROOT / "data" / "molecules.csv")
    gare = pharmacies[(pharmacies["pharmacie_id"] == "PH-GARE") & (pharmacies["exercice"] == 2024)]
    table = gains_table(gare, molecules, parameters_for([2024]), dt.date(2024, 6, 1))
    row = table[table["colonne"] == "taux_stabilite_75_pct"].iloc[0]
    assert (row["valeur_actuelle"], row["valeur_cible"], int(row["gain_cents"])) == ("91", "95", cents("(400 - 200) * 0.8"))
    assert row["statut_regle"] == "hypothese"
    # the report's table marks it as the theme reports mark a line
    from rosp_lib.report import notebook as nb

    rep = nb.load("PH-GARE", 2024, str(ROOT / "data" / "pharmacies.csv"), str(ROOT / "data" / "molecules.csv"))
    html = str(report_gains.actions_table(rep, report_gains.compute(rep, "bups", "2024-06-01"), "bups"))
    stability = next(r for r in html.split("<tr>") if "91 % → 95 %" in r)
    assert "160,00\u00a0€ ⚠" in stability and "repose sur une hypothèse de lecture : le gain en dépend" in stability
    # named: the theme report's « Hypothèses » lists those of the current amounts only (PH-CENTRE 2025 at 89,9 %:
    # its line pays 0 €, and the 200 € of the lower step after the change rest on that step's reading)
    # with the gain under the alternative reading (0 € at the lower step): 400 × 0,8 = 320 €
    assert ("le gain en dépend (« Stabilité de la délivrance des génériques aux 75 ans et plus : Montant au palier "
            "bas » : 320,00\u00a0€ sous l&#x27;autre lecture)") in stability
    centre = nb.load("PH-CENTRE", 2025, str(ROOT / "data" / "pharmacies.csv"), str(ROOT / "data" / "molecules.csv"))
    html = str(report_gains.actions_table(centre, report_gains.compute(centre, "bups", "2025-06-01"), "bups"))
    lower = next(r for r in html.split("<tr>") if "89,9 % → 90 %" in r)
    # 89,9 → 90 %: 200 € at the lower step, 0 € under its alternative reading (the lower step pays 0 €)
    assert "200,00\u00a0€ ⚠" in lower and "(« Stabilité de la délivrance des génériques aux 75 ans et plus : " \
        "Montant au palier bas » : 0,00\u00a0€ sous l&#x27;autre lecture)" in lower and "détail dans" not in lower


@pytest.mark.parametrize("pid,year,column,gain", [
    # PH-HALLES 2022: exercice coordonné non → oui, « non exigé » in 2022: +820 € under every reading (docs/regles.md)
    ("PH-HALLES", 2022, "exercice_coordonne", cents("820")),
    # PH-HALLES 2023: palipéridone 30 % → 100 %, its own premium of 20 €/box (no floor): 20 × 50 × (100 − 30) % = 700 €,
    # under the gliptins' premium 2,30 € as under its alternative 2,80 €
    ("PH-HALLES", 2023, "taux_arrivee_pct", cents("20 * 50 * 0.70")),
])
def test_a_gain_names_only_the_readings_that_change_it(pid, year, column, gain):
    """The ⚠ of a gain named the readings of every line it moves, though under their alternative the gain was the
    same (PH-HALLES 2022: 820 € naming « Donnée manquante… le plus bas est versé » and the e-prescription's state;
    review). Each named reading is now priced: one that leaves the gain as it is is not named, and a gain left with
    none has no ⚠."""
    from rosp_lib.report import gains as report_gains
    from rosp_lib.report import notebook as nb

    rep = nb.load(pid, year, str(ROOT / "data" / "pharmacies.csv"), str(ROOT / "data" / "molecules.csv"))
    g = report_gains.compute(rep, None, "2026-12-03")
    row = next(r for r in g.table.itertuples() if column in r.colonne and int(r.gain_cents) == gain)
    assert (row.statut_regle, row.hypotheses, row.autres_lectures) == ("source", (), ())
    # the search alone names them: what the report's pricing removed
    plain = report_gains.report_gains(rep.pharmacy_rows, rep.molecules, pid, year, {year: rep.params},
                                      dt.date(2026, 12, 3), lines=rep.lines).table
    before = next(r for r in plain.itertuples() if column in r.colonne and int(r.gain_cents) == gain)
    assert before.statut_regle == "hypothese" and before.hypotheses
    html = str(report_gains.actions_table(rep, g))
    cell = next(r for r in html.split("<tr>") if report_gains.eur(gain) in r)
    assert "⚠" not in cell and "hypothèse" not in cell


def test_a_gain_resting_on_the_molecule_premium_is_priced_under_the_boxes_gained_reading():
    """2024–2026: the prime par boîte substituée has no alternative value of its own; its alternative is the « boîtes
    gagnées » reading of `bups.molecules_ciblees.lecture` (its `alternative_cle`). The gains resting on it named it
    without the gain under that reading (review). PH-TILLEULS 2024, the first three molecule gains (arrival rates
    raised): 14,22 €, 7,68 € and 6,64 €, and 157,39 €, 89,24 € and 77,12 € under the other reading (checked apart by
    two `rosp compute` runs of the changed row, with and without `lecture: progression`)."""
    from rosp_lib.report import gains as report_gains
    from rosp_lib.report import notebook as nb

    rep = nb.load("PH-TILLEULS", 2024, str(ROOT / "data" / "pharmacies.csv"), str(ROOT / "data" / "molecules.csv"))
    t = report_gains.compute(rep, None, "2024-10-01").table
    t = t[t["indicateur"] == "molecules_ciblees"]
    key = "bups.molecules_ciblees.prime_par_boite"
    assert [(int(g), o) for g, o in zip(t["gain_cents"][:3], t["autres_lectures"][:3])] == [
        (1422, ((key, 15739),)), (768, ((key, 8924),)), (664, ((key, 7712),))]


@pytest.mark.parametrize("today, possible, said", [
    # after 31/12/2025 (calendrier.fin_actions_dqo, a hypothesis for 2025), before the end of the declaration
    # (27/02/2026, its other reading): not possible as the tool reads it, possible under the other reading — said
    ("2026-01-15", "non", "échéance du 31/12/2025 selon la lecture retenue par l'outil (hypothèse « Dernier jour pour "
                          "s'abonner à la lettre d'information et réaliser le programme d'amélioration de la qualité "
                          "(démarche qualité) de l'exercice ») ; sous l'autre lecture, encore possible jusqu'au "
                          "27/02/2026"),
    ("2025-12-15", "oui", None),  # possible under both readings: nothing to say
    ("2026-03-15", "non", None),  # passed under both
])
def test_a_deadline_that_is_a_hypothesis_says_its_other_reading_when_it_changes_what_is_possible(tmp_path, today,
                                                                                                 possible, said):
    """« non (échéance passée) » on 15/01/2026 for the quality programme, with no word of the hypothesis that decides
    it, while the declaration window runs to 27/02/2026 (review)."""
    pharmacies = _tilleuls_2025(tmp_path, dqo_programme_amelioration="non")
    table = gains_table(pharmacies, None, parameters_for([2025]), dt.date.fromisoformat(today))
    row = table[table["colonne"] == "dqo_programme_amelioration"].iloc[0]
    assert row["encore_possible"] == possible
    if said:
        assert row["action"].endswith(" — " + said) and said in row["remarque"]
    else:
        assert "lecture retenue par l'outil (hypothèse" not in row["action"]


@pytest.mark.parametrize("now, possible", [("41", "oui"), ("40", "non"), ("42", "oui")])
def test_a_count_of_weeks_at_exactly_the_weeks_left_is_within_reach(tmp_path, now, possible):
    """On Monday 1 December 2025, 5 weeks are left to 31/12 (1–7, 8–14, 15–21, 22–28, 29–31): 41 + 5 = 46 weeks, the
    ASAFO target (bups.asafo, 46 weeks), is just within reach; 40 + 5 = 45 is one short."""
    pharmacies = _tilleuls(tmp_path, 2025, nb_semaines_asafo=now)
    table = gains_table(pharmacies, None, parameters_for([2025]), dt.date(2025, 12, 1))
    assert table[table["indicateur"] == "asafo"].iloc[0]["encore_possible"] == possible


def test_a_deadline_whose_other_reading_is_earlier_is_said_and_marked(tmp_path):
    """PH-SEGUR-like 2026 on 04/12/2026: the Ségur declaration is due by the end of the declaration window, a
    hypothesis (no window published for 2026) whose prudent reading is earlier, 31/01/2027. Possible under both, so
    nothing was said, and the table showed the later date without ⚠: a titulaire waiting for February could lose the
    whole numérique theme (review). Said, and the deadline marked; an action whose deadline is no hypothesis (a count
    of the year, 31/12/2026) is not."""
    from rosp_lib.report.gains import actions_table

    params = parameters_for([2026])
    leaf = params[2026].calendrier.fin_declaration
    assert leaf.statut == "hypothese" and leaf.alternative.startswith("31/01/2027 :")  # (as shown to users)
    pharmacies = _tilleuls(tmp_path, 2025, exercice="2026", logiciel_segur="non", nb_rva_960="50")
    table = gains_table(pharmacies, None, params, dt.date(2026, 12, 4))
    segur = table[table["colonne"] == "logiciel_segur"].iloc[0]
    assert segur["echeance"] == leaf.valeur.isoformat() and segur["encore_possible"] == "oui"
    said = (f"échéance du {leaf.valeur:%d/%m/%Y} selon la lecture retenue par l'outil (hypothèse « Dernier jour de la "
            "déclaration des indicateurs de l'exercice sur amelipro ») ; sous l'autre lecture, le 31/01/2027 — avant "
            "cette date, l'action compte sous les deux lectures")
    assert segur["action"].endswith(" — " + said) and said in segur["remarque"] and segur["echeance_hypothese"]
    rva = table[table["colonne"] == "nb_rva_960"].iloc[0]
    assert rva["echeance"] == "2026-12-31" and not rva["echeance_hypothese"]
    assert "lecture retenue par l'outil" not in rva["action"]

    from rosp_lib.report import gains as report_gains
    from rosp_lib.report import notebook as nb

    rep = nb.load("PH-TILLEULS", 2026, str(tmp_path / "pharmacies.csv"))
    html = str(actions_table(rep, report_gains.compute(rep, None, "2026-12-04"), "numerique"))
    assert f"<td>{leaf.valeur:%d/%m/%Y} ⚠</td>" in html and "31/12/2026 ⚠" not in html
    assert "Une échéance marquée ⚠ repose sur une hypothèse de lecture du calendrier" in report_gains.intro_text(
        rep, report_gains.compute(rep, None, "2026-12-04"))


def test_an_unknown_value_says_that_the_action_is_to_give_it(tmp_path):
    """« dispensations à l'unité : inconnu → 1 | 1,00 € » read as an action worth 1 € (review): the count is missing,
    the gain is that of its smallest value that pays (1 dispensation × 1,00 €), and the action is to give the real
    count. A known count says nothing of the kind."""
    pharmacies = _tilleuls(tmp_path, 2025, nb_dispensations_unite="")
    table = gains_table(pharmacies, None, parameters_for([2025]), dt.date(2025, 6, 1))
    row = table[table["colonne"] == "nb_dispensations_unite"].iloc[0]
    assert int(row["gain_cents"]) == 100 and row["valeur_actuelle"] == ""
    said = ("donnée manquante : le fichier ne donne pas cette valeur ; le gain est calculé depuis une valeur inconnue "
            "— renseignez la valeur réelle de l'exercice : le montant dû en dépend")
    assert said in row["remarque"] and row["action"].endswith(" — " + said)
    known = [all(v.split(" ; ")) for v in table["valeur_actuelle"]]  # (a combination's values: « non ; 5 »)
    assert all("donnée manquante" not in r for r in table[known]["remarque"])


def _total_cents(frame: pd.DataFrame, year: int) -> int:
    from rosp_lib.engine import totals

    lines = compute(frame, None, parameters_for([year]))
    return int(totals(lines, frame)["total"].iloc[0])


def test_changes_that_pay_only_together_include_a_count_that_pays_nothing_alone(tmp_path):
    """The téléconsultation: the equipment declared alone pays nothing (not the first year), nor a téléconsultation
    without it; together, one tranche. Never proposed, on 10 of the 13 rows of the example data (review: a count
    that pays nothing alone was left out of every combination). Likewise the écoresponsable level left empty: the
    programme, the first level and its items together. Each gain is checked by computing the changed row."""
    pharmacies = _tilleuls(tmp_path, 2024)
    assert (pharmacies["teleconsultation_equipee"].iloc[0], pd.isna(pharmacies["nb_teleconsultations"].iloc[0])) \
        == (False, True)
    table = gains_table(pharmacies, None, parameters_for([2024]), dt.date(2024, 6, 1))
    tele = table[table["indicateur"] == "teleconsultation"].iloc[0]
    assert (tele["colonne"], tele["valeur_cible"]) == ("teleconsultation_equipee + nb_teleconsultations", "oui ; 1")
    changed = _tilleuls(tmp_path, 2024, teleconsultation_equipee="oui", nb_teleconsultations="1")
    gain = _total_cents(changed, 2024) - _total_cents(pharmacies, 2024)
    p = parameters_for([2024])[2024].numerique.teleconsultation
    assert int(tele["gain_cents"]) == gain == int(p.montant_par_tranche.valeur * 100)
    # equipped for the first time this exercise, the equipment forfait comes too: a fact the tool does not change
    assert "si c'est sa première année d'équipement, l'officine perçoit aussi le forfait d'équipement — colonne " \
        in tele["remarque"]

    empty = {"eco_programme": "non", "eco_niveau_vise": "", "eco_items_valides": "", "eco_niveau_valide_precedent": ""}
    pharmacies = _tilleuls(tmp_path, 2025, **empty)
    table = gains_table(pharmacies, None, parameters_for([2025]), dt.date(2025, 6, 1))
    eco = table[table["indicateur"] == "ecoresponsable"].iloc[0]
    items = int(parameters_for([2025])[2025].bups.ecoresponsable.nb_items_min.valeur)
    assert (eco["colonne"], eco["valeur_cible"]) == ("eco_programme + eco_niveau_vise + eco_items_valides",
                                                      f"oui ; 1 ; {items}")
    changed = _tilleuls(tmp_path, 2025, **{**empty, "eco_programme": "oui", "eco_niveau_vise": "1",
                                           "eco_items_valides": str(items)})
    assert int(eco["gain_cents"]) == _total_cents(changed, 2025) - _total_cents(pharmacies, 2025) > 0
