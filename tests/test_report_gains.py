"""« Ce que l'officine peut encore gagner » (synthesis and theme reports) and « Ce qui a été versé » (synthesis,
`rosp report --versements`): the sections' euros worked out from the rules on the example data, the real
notebooks run by the batch, the statement's slice and the content keys, a bad statement, and Dask.

PH-TILLEULS 2024 (data/pharmacies.csv, data/molecules.csv), reference date 01/10/2024 — every action is measured,
its deadline the 31/12/2024, so all are still possible:

- molécules ciblées, 0,22565 € par boîte substituée (boîtes × taux d'arrivée / 100, arrondi par molécule) :
  Vildagliptine 300 boîtes 79 % → 100 % : 67,695 → 67,70 € moins 53,47905 → 53,48 € = 14,22 € ;
  sitagliptine 486 boîtes 93 % → 100 % : 109,6659 → 109,67 € moins 101,98929 → 101,99 € = 7,68 € ;
  palipéridone 120 boîtes 75,5 % → 100 % : 27,078 → 27,08 € moins 20,44389 → 20,44 € = 6,64 € ;
- vaccination : 52 RVA de prescription sur 200 (26 %, plus de 5 %) : un de plus, 3,00 € ;
- dépistage colorectal : 70 kits dont le test a été réalisé, un de plus : 2,00 € ;
- dispensation à l'unité : 320 dispensations à 1,00 €, une de plus : 1,00 €.

The actions are independent: the total within reach is their sum, 34,54 €, on a total of 7 890,91 €.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from rosp_lib.cli import main  # the command group (`report` is imported on demand)
from rosp_lib.batch import folders
from rosp_lib.batch.reports import jobs_for, run_reports
from rosp_lib.counterfactual.reconcile import reconcile
from rosp_lib.counterfactual.versements import read_versements
from rosp_lib.inputs import read_inputs
from rosp_lib.report import gains as report_gains
from rosp_lib.report import notebook as nb
from rosp_lib.report import versements as report_versements

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FAKE = ROOT / "tests" / "notebooks_fake"
DAY = dt.date(2024, 10, 1)

# (colonne, valeur_cible, gain en centimes), classées en euros
TILLEULS_2024 = [
    # the equipment declared and one téléconsultation: one tranche (each pays nothing alone)
    ("teleconsultation_equipee + nb_teleconsultations", "oui ; 1", 2500),
    ("taux_arrivee_pct (Vildagliptine)", "100", 6770 - 5348),
    ("taux_arrivee_pct (sitagliptine)", "100", 10967 - 10199),
    ("taux_arrivee_pct (palipéridone)", "100", 2708 - 2044),
    ("nb_rva_960", "53", 300),
    ("nb_kits_realises", "71", 200),
    ("nb_dispensations_unite", "321", 100),
]
TOTAL_TILLEULS_2024 = 789091


@pytest.fixture(scope="module")
def tilleuls():
    return nb.load("PH-TILLEULS", 2024, str(DATA / "pharmacies.csv"), str(DATA / "molecules.csv"))


def _actions(g) -> list[tuple[str, str, int]]:
    return [(c, v, int(x)) for c, v, x in zip(g.table["colonne"], g.table["valeur_cible"], g.table["gain_cents"])]


# --------------------------------------------------------------------------------------------
# The sections, rendered by the library (what the notebook cells call)
# --------------------------------------------------------------------------------------------
def test_synthesis_section_lists_every_action_ranked_with_its_euros(tilleuls):
    g = report_gains.compute(tilleuls, None, "2024-10-01")
    assert _actions(g) == TILLEULS_2024
    assert list(g.table["rang"]) == [1, 2, 3, 4, 5, 6, 7]
    assert set(g.table["encore_possible"]) == {"oui"} and set(g.table["echeance"]) == {"2024-12-31"}
    assert g.actuel_cents == TOTAL_TILLEULS_2024
    assert g.a_portee_cents == sum(c for _, _, c in TILLEULS_2024) == 5954
    html = str(report_gains.actions_table(tilleuls, g))
    assert "Vildagliptine : taux d&#x27;arrivée (substitution de l&#x27;exercice) : 79 % → 100 %" in html
    assert "14,22\u00a0€" in html and "Encore possible au 01/10/2024" in html
    assert "RVA de prescription (vaccinations facturées comme prescrites et réalisées) : 52 → 53" in html
    assert "environ 0,68\u00a0€ par point" in html  # 14,22 € over 21 points
    reach = report_gains.reach_text(tilleuls, g)
    assert "**Total encore à portée au 01/10/2024 : 59,54\u00a0€**" in reach
    assert "7\u202f890,91\u00a0€ → 7\u202f950,45\u00a0€" in reach
    intro = report_gains.intro_text(tilleuls, g)
    assert "## Ce que l'officine peut encore gagner" in intro
    assert "27/02/2025" in intro  # the end of the declaration window, from the parameters (calendrier)


def test_theme_section_searches_its_theme_only(tilleuls):
    g = report_gains.compute(tilleuls, "bups", DAY)
    assert _actions(g) == TILLEULS_2024[1:4]
    assert g.actuel_cents == tilleuls.theme_total_cents("bups") == 97591
    assert g.a_portee_cents == 1422 + 768 + 664
    assert "Thème" not in str(report_gains.actions_table(tilleuls, g, "bups"))  # one theme: no theme column


def test_after_the_deadline_nothing_is_within_reach(tilleuls):
    g = report_gains.compute(tilleuls, "vaccination", "2025-01-15")
    assert _actions(g) == [TILLEULS_2024[4]]
    assert list(g.table["encore_possible"]) == ["non"] and g.a_portee_cents == 0
    assert "non (échéance passée)" in str(report_gains.actions_table(tilleuls, g, "vaccination"))
    text = report_gains.reach_text(tilleuls, g, "vaccination")
    assert "aucune action n'est encore possible" in text
    assert "L'action dont l'échéance est passée est listée pour mémoire : elle ne compte pas." in text
    later = report_gains.compute(tilleuls, "bups", "2026-06-01")  # the three BUPS actions, all past
    assert list(later.table["encore_possible"]) == ["non"] * 3
    assert ("Les 3 actions dont l'échéance est passée sont listées pour mémoire : elles ne comptent pas."
            in report_gains.reach_text(tilleuls, later, "bups"))


def test_the_total_within_reach_names_the_actions_another_one_outdoes():
    """PH-CENTRE 2025: raising the stabilité rate to 95 % (rank 1, 400 €) and to 90 % (rank 3, 200 €) change the same
    input; applied together, 95 % is kept, so rank 3 adds nothing: the total is the sum of the seven other gains
    (400 + 250 + 93 + 25 + 2 + 2 + 1 = 773 €), and the text says which action does not count."""
    rep = nb.load("PH-CENTRE", 2025, str(DATA / "pharmacies.csv"), str(DATA / "molecules.csv"))
    g = report_gains.compute(rep, None, "2025-10-01")
    possible = g.table[g.table["encore_possible"] == "oui"]
    assert len(possible) == 8
    assert list(possible.loc[possible["rang"].isin([1, 3]), "valeur_cible"]) == ["95", "90"]
    assert g.sans_effet == (3,)
    assert g.a_portee_cents == int(possible.loc[possible["rang"] != 3, "gain_cents"].sum()) == 77300
    text = report_gains.reach_text(rep, g)
    assert "**Total encore à portée au 01/10/2025 : 773,00\u00a0€**" in text
    assert ("les 8 actions encore possibles appliquées ensemble ; quand plusieurs changent la même donnée, c'est la "
            "valeur de la mieux classée (celle qui rapporte le plus) qui compte : l'action de rang 3 n'y ajoute "
            "rien.") in text
    bups = report_gains.compute(rep, "bups", "2025-10-01")
    assert bups.sans_effet == (2,) and bups.a_portee_cents == 40000
    assert "les 2 actions encore possibles" in report_gains.reach_text(rep, bups, "bups")
    assert "l'action de rang 2 n'y ajoute rien." in report_gains.reach_text(rep, bups, "bups")


def test_one_action_within_reach_is_its_own_gain(tilleuls):
    g = report_gains.compute(tilleuls, "vaccination", DAY)
    assert _actions(g) == [TILLEULS_2024[4]] and g.a_portee_cents == 300 and g.sans_effet == ()
    text = report_gains.reach_text(tilleuls, g, "vaccination")
    assert text.endswith(": le gain de la seule action encore possible.")
    assert "action(s)" not in text and "n'y ajoute" not in text


def test_a_theme_with_nothing_to_gain_says_so(tilleuls):
    g = report_gains.compute(tilleuls, "dispositif_2024", DAY)
    assert g.table.empty and g.a_portee_cents == 0
    text = str(report_gains.actions_table(tilleuls, g, "dispositif_2024"))
    assert "Aucune action trouvée ne ferait gagner davantage sur ce thème" in text
    assert text.endswith("(indicateurs atteints à leur plafond, neutralisés, ou faits de l'exercice que l'officine ne "
                         "change pas).</p>")  # its device lines have no missing data


def test_a_missing_rate_of_a_malus_is_not_said_to_be_worth_more():
    """PH-HALLES 2022, BUPS: no action; its only missing data is the « urgence » rate of the year, which decides a
    malus only (20 % of the theme, docs/regles.md): filled in, the theme stays at 500 € or loses 100 €. The report
    said « renseignée, elle pourrait rapporter davantage » (review)."""
    rep = nb.load("PH-HALLES", 2022, str(ROOT / "data" / "pharmacies.csv"), str(ROOT / "data" / "molecules.csv"))
    bups = rep.theme_lines("bups")
    assert list(bups.loc[bups["donnee_manquante"].astype(bool), "indicateur"]) == ["malus_urgence"]
    g = report_gains.compute(rep, "bups", "2022-06-01")
    assert g.table.empty
    text = report_gains.nothing_to_gain_text(rep, "bups")
    assert "pourrait rapporter davantage" not in text
    assert text.endswith("; 1 malus a une donnée manquante (section « Hypothèses et données manquantes ») : "
                         "renseignée, elle ne pourrait que réduire le montant.")


def test_the_synthesis_points_to_the_theme_report_for_missing_data():
    """The synthesis' « Pourquoi » sent the reader to a section « Hypothèses et données manquantes » that only the
    theme reports have (review): it names the theme report. PH-HALLES 2022, numérique: FSE and borne with missing
    data (2 lines)."""
    rep = nb.load("PH-HALLES", 2022, str(ROOT / "data" / "pharmacies.csv"), str(ROOT / "data" / "molecules.csv"))
    said = "2 lignes avec une donnée manquante (ce que chacune en fait : section « Hypothèses et données manquantes »"
    assert said + " du rapport du thème)" in str(nb.themes_table(rep))
    assert said + ")" in nb.theme_reason(rep, "numerique")  # in the theme report itself, its own section


def test_input_strings_are_escaped(tilleuls):
    """A molecule's name (from the user's file) is shown as written, never read as HTML."""
    import copy

    g = report_gains.compute(tilleuls, "bups", DAY)
    rep = copy.copy(tilleuls)
    rep.molecules = tilleuls.molecules.copy()
    rep.molecules["molecule"] = '<img src=x onerror="alert(1)">'
    html = str(report_gains.actions_table(rep, g, "bups"))
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; : taux d" in html


def test_a_bad_reference_date_is_a_french_error(tilleuls):
    with pytest.raises(nb.ReportError, match="date de référence invalide : « 2024-13-01 »"):
        report_gains.compute(tilleuls, None, "2024-13-01")


def test_reconciliation_section_of_a_partial_payment():
    # PH-CENTRE 2025: numérique expected 5 334 €, paid 4 514 € (exercice coordonné, 820 €, not paid)
    rep = nb.load("PH-CENTRE", 2025, str(DATA / "pharmacies.csv"), str(DATA / "molecules.csv"))
    r = report_versements.compute(rep, str(DATA / "versements.csv"))  # the whole statement: its rows only
    assert r.rows == 5
    assert "Le relevé fourni (5 lignes pour l'exercice 2025) est rapproché" in report_versements.section_text(rep, r)
    got = {(x.theme, x.indicateur): (x.attendu_eur, x.verse_eur, x.verdict, x.lecture_qui_explique)
           for x in r.table.itertuples()}
    assert got[("numerique", "")] == ("5334.00", "4514.00", "ecart", "")
    # the exercice coordonné is a socle: refused, the theme would be 0 € — it is the missing complement (audit)
    assert got[("numerique", "exercice_coordonne")] == ("820.00", "0.00", "non_verse", "")
    assert got[("dispensation_unite", "")][2] == "conforme"
    assert r.claim and "# Projet de réclamation — ROSP de l'exercice 2025" in r.claim
    html = str(report_versements.table_html(rep, r))
    assert "5\u202f334,00\u00a0€" in html and "non versé" in html
    assert ">−820,00\u00a0€<" in html and ">-820" not in html  # the gap with the minus sign of the other tables
    assert '<a href="reclamation_PH-CENTRE_2025.md">' in html
    # the file is `rosp report`'s; a notebook run by itself has the text below (review: a dead link « à côté »)
    assert ('son texte est <a href="#projet-de-reclamation">ci-dessous</a> ; <code>rosp report</code> l\'écrit aussi '
            "à côté de ce rapport") in html and '<details id="projet-de-reclamation">' in html
    assert "Participer à un exercice coordonné" in html  # the unpaid line of the partial payment, by its title
    assert "n'a pas été retenue" not in html
    # the « dont » row of the numérique theme is a part of its gap, not one more: counted apart (reader's pass)
    assert ("par thème, 3 conformes, 1 écart ; par indicateur, 1 non versé." in
            report_versements.section_text(rep, r))
    # the tolerance the verdicts use (reconcile.CENT_TOLERANCE, 1 cent), not « au centime »
    assert "retrouve le montant versé à 0,01\u00a0€ près" in report_versements.section_text(rep, r)
    # the causes searched, all of them, in their order (the « malus non déduit » included), as rosp rapprocher --help
    causes = ("une hypothèse de lecture remplacée par son alternative, une reprise du montant dû (ligne négative du "
              "relevé), une déclaration non retenue ou un socle non reconnu, un versement partiel ou un malus non déduit")
    assert f"près ({causes})." in report_versements.section_text(rep, r)
    help_text = " ".join(CliRunner().invoke(main, ["rapprocher", "--help"]).output.split())
    assert f"les causes cherchées dans cet ordre : {causes} ; sinon il est dit « écart inexpliqué »" in help_text
    assert "Aucun relevé des versements n'a été fourni" in report_versements.section_text(rep, None)


def test_the_reading_that_explains_a_gap_is_named_by_its_title_not_its_key():
    """The synthesis' « Lecture qui explique » column wrote « bups.stabilite_75.montant_bas (« Montant au palier
    bas ») »: a key the reader does not know, that stays in rapprochement.csv (audit)."""
    rep = nb.load("PH-TILLEULS", 2025, str(DATA / "pharmacies.csv"), str(DATA / "molecules.csv"))
    r = report_versements.compute(rep, str(DATA / "versements.csv"))
    # data/versements.csv: BUPS 2025 paid 200,00 € less, as the lower stability step read as 0 € (tests/test_reconcile)
    assert "bups.stabilite_75.montant_bas" in set(r.table["lecture_qui_explique"])
    html = str(report_versements.table_html(rep, r))
    assert ("« Stabilité de la délivrance des génériques aux 75 ans et plus : Montant au palier bas » (autre lecture)"
            in html)
    assert "bups.stabilite_75" not in html


# --------------------------------------------------------------------------------------------
# The real notebooks, run by the batch
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("rapports_gains")
    pharmacies, _ = read_inputs(DATA / "pharmacies.csv", DATA / "molecules.csv")
    paid = read_versements(DATA / "versements.csv", pharmacies)
    jobs = jobs_for([("PH-TILLEULS", 2024)], DATA / "pharmacies.csv", ["synthese", "bups", "vaccination"],
                    molecules=DATA / "molecules.csv")
    jobs += jobs_for([("PH-CENTRE", 2025)], DATA / "pharmacies.csv", ["synthese"], molecules=DATA / "molecules.csv")
    results = run_reports(jobs, out_dir=out, workers=1, versements=paid, date_reference=DAY)
    return out, results, pharmacies, paid


def test_the_reports_show_the_gains_with_their_euros(real_batch):
    out, results, _, _ = real_batch
    assert [r.statut for r in results] == ["ok"] * 4, [r.erreur for r in results]
    folder = out / "2024" / "PH-TILLEULS"
    synthese = report_gains.read_recorded(folder / "00_synthese.ipynb")
    assert len(synthese) == 1 and synthese[0]["date_reference"] == "2024-10-01"
    assert [(a["colonne"], a["valeur_cible"], a["gain_cents"]) for a in synthese[0]["actions"]] == TILLEULS_2024
    assert synthese[0]["a_portee_cents"] == 5954
    bups = report_gains.read_recorded(folder / "02_bups.ipynb")[0]
    assert [(a["colonne"], a["valeur_cible"], a["gain_cents"]) for a in bups["actions"]] == TILLEULS_2024[1:4]
    vacc = report_gains.read_recorded(folder / "03_vaccination.ipynb")[0]
    assert [(a["colonne"], a["valeur_cible"], a["gain_cents"]) for a in vacc["actions"]] == [TILLEULS_2024[4]]
    html = (folder / "00_synthese.html").read_text(encoding="utf-8")
    assert "Ce que l&#39;officine peut encore gagner" in html or "Ce que l'officine peut encore gagner" in html
    assert "59,54\u00a0€" in html and "14,22\u00a0€" in html
    assert "Ce qui a été versé" in html
    assert "application/vnd.rosp" not in html  # the recorded values are not in the document
    theme_html = (folder / "02_bups.html").read_text(encoding="utf-8")
    assert "28,54\u00a0€" in theme_html  # 14,22 + 7,68 + 6,64


def test_the_synthesis_reconciles_its_slice_of_the_statement(real_batch):
    out, _, pharmacies, paid = real_batch
    molecules = read_inputs(DATA / "pharmacies.csv", DATA / "molecules.csv")[1]
    tilleuls = out / "2024" / "PH-TILLEULS"
    with open(tilleuls / folders.VERSEMENTS, encoding="utf-8", newline="") as f:
        assert f.readline() == "sep=,\n"  # Excel then cuts at « , » only
        rows = list(csv.DictReader(f))
    assert len(rows) == 12 and {(r["pharmacie_id"], r["exercice"]) for r in rows} == {("PH-TILLEULS", "2024")}
    assert rows[0]["montant_verse_eur"] == "4000.00" and rows[2]["theme"] == "bups"
    recorded = report_versements.read_recorded(tilleuls / "00_synthese.ipynb")[0]
    assert recorded["fourni"] and {x["verdict"] for x in recorded["lignes"]} == {"conforme"}
    assert len(recorded["lignes"]) == 12  # 6 themes + 6 detailed indicators of the dispositif 2024
    assert not (tilleuls / "reclamation_PH-TILLEULS_2024.md").exists()
    # PH-CENTRE 2025: the claim draft written beside the report is the library's (rosp rapprocher's)
    centre = out / "2025" / "PH-CENTRE"
    mine = paid[(paid["pharmacie_id"] == "PH-CENTRE") & (paid["exercice"] == 2025)]
    _, claims = reconcile(pharmacies[pharmacies["pharmacie_id"] == "PH-CENTRE"], molecules, mine, date_reference=DAY)
    assert (centre / "reclamation_PH-CENTRE_2025.md").read_text(encoding="utf-8") == claims[("PH-CENTRE", 2025)]
    html = (centre / "00_synthese.html").read_text(encoding="utf-8")
    assert 'href="reclamation_PH-CENTRE_2025.md"' in html


def test_a_claim_deleted_by_hand_comes_back_when_its_report_is_up_to_date(real_batch):
    out, _, _, paid = real_batch
    claim = out / "2025" / "PH-CENTRE" / "reclamation_PH-CENTRE_2025.md"
    text = claim.read_text(encoding="utf-8")
    claim.unlink()
    jobs = jobs_for([("PH-CENTRE", 2025)], DATA / "pharmacies.csv", ["synthese"], molecules=DATA / "molecules.csv")
    again = run_reports(jobs, out_dir=out, workers=1, versements=paid, date_reference=DAY)
    assert [r.statut for r in again] == ["deja_fait"]  # not run again: its draft is taken from its notebook
    assert claim.read_text(encoding="utf-8") == text


# --------------------------------------------------------------------------------------------
# The statement's slice, the content keys, the date (fake notebooks: fast)
# --------------------------------------------------------------------------------------------
def _fake_notebooks(folder: Path) -> Path:
    """The fake notebooks of the batch tests, declaring `date_reference` (all) and `versements` (the synthesis),
    with a last cell printing what they received."""
    spec = importlib.util.spec_from_file_location("fabriquer", FAKE / "fabriquer.py")
    fabriquer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fabriquer)
    folder.mkdir()
    for stem in ("00_synthese", "02_bups"):
        extra = '\ndate_reference: str = ""  # date\n' + ('versements: str = ""  # relevé' if stem == "00_synthese"
                                                          else "")
        book = fabriquer.notebook(stem, fabriquer.PARAMS + extra)
        book.cells.append(nbformat.v4.new_code_cell(
            'print(json.dumps({"recu": {k: globals().get(k) for k in ("date_reference", "versements")}, '
            '"lignes_versements": open(versements, encoding="utf-8").read().count("\\n") '
            'if globals().get("versements") else None}))'))
        book.cells[-1]["id"] = f"{stem}-recu".replace("_", "-")
        nbformat.write(book, folder / f"{stem}.ipynb")
    return folder


def _received(path: Path) -> dict:
    book = json.loads(path.read_text(encoding="utf-8"))
    texts = ["".join(o.get("text", [])) for o in book["cells"][-1].get("outputs", [])]
    return json.loads(texts[0])


def _statement(path: Path, centre_bups: str = "400,00", gare_bups: str = "428,88") -> Path:
    text = (DATA / "versements.csv").read_text(encoding="utf-8")
    text = text.replace("PH-CENTRE;2025;bups;;400,00", f"PH-CENTRE;2025;bups;;{centre_bups}")
    text = text.replace("PH-GARE;2024;bups;;428,88", f"PH-GARE;2024;bups;;{gare_bups}")
    path.write_text(text, encoding="utf-8")
    return path


def _cli(args: list[str]):
    return CliRunner().invoke(main, ["report", str(DATA / "pharmacies.csv"), *args], catch_exceptions=False)


def _statuts(out: Path) -> dict:
    with open(out / "rapports.csv", encoding="utf-8", newline="") as f:
        return {r["theme"]: r["statut"] for r in csv.DictReader(f)}


def test_versements_slice_and_content_keys(tmp_path):
    books = _fake_notebooks(tmp_path / "notebooks")
    out = tmp_path / "sortie"
    statement = _statement(tmp_path / "versements.csv")
    base = ["--pharmacie", "PH-CENTRE", "--exercice", "2025", "--themes", "synthese,bups", "--notebooks", str(books),
            "-o", str(out), "-j", "1"]
    result = _cli([*base, "--versements", str(statement), "--date", "2025-06-01"])
    assert result.exit_code == 0, result.output
    folder = out / "2025" / "PH-CENTRE"
    synthese, bups = _received(folder / "00_synthese.ipynb"), _received(folder / "02_bups.ipynb")
    assert synthese == {"recu": {"date_reference": "2025-06-01", "versements": "versements.csv"},
                        "lignes_versements": 2 + 5}  # sep=, the header and PH-CENTRE's 5 rows of 2025
    assert bups["recu"] == {"date_reference": "2025-06-01", "versements": None}  # a theme report does not read it
    assert _statuts(out) == {"synthese": "ok", "bups": "ok"}
    # the same run again: up to date; another pharmacy's rows changed: still up to date
    _statement(statement, gare_bups="428,00")
    assert _cli([*base, "--versements", str(statement), "--date", "2025-06-01"]).exit_code == 0
    assert _statuts(out) == {"synthese": "deja_fait", "bups": "deja_fait"}
    # its own rows changed: the synthesis is made again, the theme report is not
    _statement(statement, centre_bups="399,00")
    assert _cli([*base, "--versements", str(statement), "--date", "2025-06-01"]).exit_code == 0
    assert _statuts(out) == {"synthese": "ok", "bups": "deja_fait"}
    assert "399.00" in (folder / folders.VERSEMENTS).read_text(encoding="utf-8")
    # another day with no deadline between (31/12/2025 is the next): up to date; past a deadline: made again
    assert _cli([*base, "--versements", str(statement), "--date", "2025-09-15"]).exit_code == 0
    assert _statuts(out) == {"synthese": "deja_fait", "bups": "deja_fait"}
    assert _cli([*base, "--versements", str(statement), "--date", "2026-01-05"]).exit_code == 0
    assert _statuts(out) == {"synthese": "ok", "bups": "ok"}
    assert _received(folder / "02_bups.ipynb")["recu"]["date_reference"] == "2026-01-05"
    # without --versements: the slice goes, the synthesis says no statement was given
    assert _cli([*base, "--date", "2026-01-05"]).exit_code == 0
    assert _statuts(out) == {"synthese": "ok", "bups": "deja_fait"}
    assert not (folder / folders.VERSEMENTS).exists()
    assert _received(folder / "00_synthese.ipynb")["recu"]["versements"] == ""


def test_a_bad_statement_writes_nothing(tmp_path):
    bad = tmp_path / "versements.csv"
    bad.write_text("pharmacie_id;exercice;theme;montant_verse_eur\n"
                   "PH-TILLEULS;2024;numerique;5349,00\n"
                   "PH-TILLEULS;24;bups;975,91\n"
                   "PH-INCONNUE;2024;vaccination;12,5 EUR\n", encoding="utf-8")
    out = tmp_path / "sortie"
    result = _cli(["--toutes", "--molecules", str(DATA / "molecules.csv"), "--versements", str(bad), "-o", str(out)])
    assert result.exit_code == 2
    message = result.output
    assert "ligne 3, pharmacie « PH-TILLEULS », colonne exercice : valeur « 24 » ; attendu : une année sur quatre " \
           "chiffres" in message
    assert "ligne 4, pharmacie « PH-INCONNUE », colonne pharmacie_id : valeur « PH-INCONNUE »" in message
    assert "ligne 4, pharmacie « PH-INCONNUE », colonne montant_verse_eur : valeur « 12,5 EUR » ; attendu : un montant " \
           "en euros" in message
    assert not out.exists()  # nothing written, no kernel output folder either
    missing = _cli(["--toutes", "--versements", str(tmp_path / "absent.csv"), "-o", str(out)])
    assert missing.exit_code == 2 and "relevé des versements introuvable" in missing.output
    assert not out.exists()


def test_help_is_french():
    result = CliRunner().invoke(main, ["report", "--help"])
    assert result.exit_code == 0
    assert "--versements FICHIER" in result.output and "projet de réclamation" in result.output
    assert "--date AAAA-MM-JJ" in result.output and "encore possible" in result.output


def test_with_dask_the_claim_comes_back_in_the_notebook(tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "sortie"
    result = _cli(["--pharmacie", "PH-CENTRE", "--exercice", "2025", "--themes", "synthese", "--molecules",
                   str(DATA / "molecules.csv"), "--versements", str(DATA / "versements.csv"), "--date", "2025-06-01",
                   "-o", str(out), "--dask", "local", "-j", "1"])
    assert result.exit_code == 0, result.output
    folder = out / "2025" / "PH-CENTRE"
    pharmacies, molecules = read_inputs(DATA / "pharmacies.csv", DATA / "molecules.csv")
    paid = read_versements(DATA / "versements.csv", pharmacies)
    _, claims = reconcile(pharmacies[pharmacies["pharmacie_id"] == "PH-CENTRE"], molecules,
                          paid[(paid["pharmacie_id"] == "PH-CENTRE") & (paid["exercice"] == 2025)],
                          date_reference=dt.date(2025, 6, 1))  # the report's --date: the draft's date
    assert (folder / "reclamation_PH-CENTRE_2025.md").read_text(encoding="utf-8") == claims[("PH-CENTRE", 2025)]
    assert (folder / folders.VERSEMENTS).is_file()
    shutil.rmtree(out)


def test_an_action_is_worded_for_the_reader_without_the_input_hint():
    """PH-GARE 2024 (data/): the double payments at 0,08 % against 0,05 % cost the 763,50 € malus step (rank 4).
    The action read « doubles paiements (ex. 0,05 pour 0,05 %) : 0,08 % → 0,05 % » — the column's typing hint."""
    rep = nb.load("PH-GARE", 2024, str(DATA / "pharmacies.csv"), str(DATA / "molecules.csv"))
    g = report_gains.compute(rep, None, "2024-06-01")
    row = g.table[g.table["indicateur"] == "facturation_double_paiement"].iloc[0]
    assert int(row["gain_cents"]) == 76350
    assert report_gains.change_text(rep, row["changements"], row["valeur_actuelle"], row["valeur_cible"]) == \
        "doubles paiements : 0,08 % → 0,05 %"


def test_the_reference_date_is_read_as_a_french_user_writes_it_everywhere(tmp_path):
    """`rosp gains --date` and `rosp report --date` each parsed the date their own way (examples 2026-01-15 and
    2025-01-15; « 20250115 » accepted by Python's fromisoformat); « 15/01/2025 », as the inputs accept it, was
    refused. One reading now: AAAA-MM-JJ or JJ/MM/AAAA."""
    import datetime as dt

    assert report_gains.reference_date("15/01/2025") == report_gains.reference_date("2025-01-15") == dt.date(2025, 1, 15)
    gains = CliRunner().invoke(main, ["gains", str(DATA / "pharmacies.csv"), "--date", "15/01/2025",
                                      "-o", str(tmp_path / "g")])
    assert gains.exit_code == 0, gains.output
    expected = "n'est pas une date AAAA-MM-JJ ou JJ/MM/AAAA (exemple : 2025-01-15)"
    bad = CliRunner().invoke(main, ["gains", str(DATA / "pharmacies.csv"), "--date", "20250115"])
    assert bad.exit_code == 2 and f"« 20250115 » {expected}" in bad.stderr
    report = CliRunner().invoke(main, ["report", str(DATA / "pharmacies.csv"), "--pharmacie", "PH-GARE", "--date",
                                       "20250115", "-o", str(tmp_path / "r")])
    assert report.exit_code == 2 and f"--date : « 20250115 » {expected}." in report.stderr
    with pytest.raises(nb.ReportError, match=re.escape(f"attendu : {expected[10:]}, ou vide pour aujourd'hui")):
        report_gains.reference_date("2024-13-01")
    # a date of the right shape that the calendar has not is said so (review: « 2025-02-29 » n'est pas une date…)
    for day in ("2025-02-29", "31/04/2025"):
        leap = CliRunner().invoke(main, ["gains", str(DATA / "pharmacies.csv"), "--date", day])
        assert leap.exit_code == 2 and (f"« {day} » : cette date n'existe pas ; attendu : une date AAAA-MM-JJ ou "
                                        "JJ/MM/AAAA (exemple : 2025-01-15)") in leap.stderr


def test_a_theme_report_counts_only_what_an_action_adds_to_its_theme():
    """PH-GARE 2024: 4 more kits remis pay 250 € — the dispositif 2024's progression of kits (44 ≥ 1,1 × 40) —, yet
    the colorectal report listed them first (« Remise de kit facturée à l'acte (information) … 250,00 € », a line
    that pays nothing) and said « 52,50 € → 304,60 € pour le montant du thème » (reader's pass, 2026-12-03). The
    colorectal theme can gain 2,10 €: one more kit réalisé at 2,10 € (DROM)."""
    import datetime as dt

    from rosp_lib.counterfactual.gains import report_gains
    from rosp_lib.inputs import read_inputs

    ph, mo = read_inputs(DATA / "pharmacies.csv", DATA / "molecules.csv")
    g = report_gains(ph, mo, "PH-GARE", 2024, date=dt.date(2024, 12, 1), theme="colorectal")
    assert list(zip(g.table["indicateur"], g.table["gain_cents"])) == [("kits_realises", 210)]
    assert (g.actuel_cents, g.a_portee_cents) == (5250, 210)  # 25 kits réalisés × 2,10 € = 52,50 €
    other = report_gains(ph, mo, "PH-GARE", 2024, date=dt.date(2024, 12, 1), theme="dispositif_2024")
    first = other.table.iloc[0]
    assert (first["indicateur"], int(first["gain_cents"])) == ("kits_colorectal_progression", 25000)


def test_a_gain_resting_on_an_indicators_state_names_the_state_the_tool_reads():
    """« Disposer d'un LAD certifié HAS : État de l'indicateur pour l'exercice » did not say what was assumed (review):
    the state read, neutralised in 2026 (parameters/2026.yaml)."""
    from rosp_lib.parameters import load_parameters
    from rosp_lib.report.gains import remark_text

    said = remark_text("", "hypothese", ("numerique.lad_certifie_has.etat",), load_parameters(2026))
    assert said.endswith("(« Disposer d'un LAD certifié HAS : neutralisé cet exercice »)")
