"""The registry is the one list of themes and indicators; rule texts are rendered from the parameters;
the status of each line is traced from the leaves its amount read; the rules book is current."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from rosp_lib.engine import compute_file
from rosp_lib.lines.formatting import num
from rosp_lib.parameters import (PARAMETERS_DIR, Kind, Leaf, Scenario, available_exercises, iter_leaves, load_parameters,
                                 unit)
from rosp_lib.registry import INDICATORS, THEME_CODES, THEMES, indicators_of
from rosp_lib.rulebook import book_markdown, find_leaf, leaf_text, placeholders, render, rule_text, title

ROOT = PARAMETERS_DIR.parent
DATA = ROOT / "data"
ALTERNATIVES = PARAMETERS_DIR / "scenarios" / "lectures-alternatives.yaml"


@pytest.fixture(scope="module")
def example():
    return compute_file(DATA / "pharmacies.csv", DATA / "molecules.csv")


@pytest.fixture(scope="module")
def alternative():
    return compute_file(DATA / "pharmacies.csv", DATA / "molecules.csv", ALTERNATIVES)


def test_registry_codes_are_unique_and_themes_ordered():
    assert len({i.code for i in INDICATORS}) == len(INDICATORS)
    assert [t.ordre for t in THEMES] == sorted(t.ordre for t in THEMES)
    assert THEME_CODES == ("numerique", "bups", "vaccination", "colorectal", "dispensation_unite", "dispositif_2024")
    assert {i.theme for i in INDICATORS} == set(THEME_CODES)


def test_every_line_is_a_registry_indicator_in_registry_order(example):
    _, lines, _ = example
    codes = {(i.theme, i.code) for i in INDICATORS}
    assert set(zip(lines["theme"], lines["indicateur"])) <= codes
    order = {i.code: n for n, i in enumerate(INDICATORS)}
    for _, group in lines.groupby(["pharmacie_id", "exercice"], sort=False):
        ranks = [order[c] for c in group["indicateur"]]
        assert ranks == sorted(ranks)


def test_traced_input_columns_are_the_registry_columns(example):
    """The tracer records the input columns each rule read; the registry declares them: they agree."""
    _, lines, _ = example
    by_code = {i.code: set(i.colonnes) for i in INDICATORS}
    for row in lines.itertuples():
        if not row.entrees or row.indicateur == "molecules_ciblees":
            continue
        used = {part.split("=", 1)[0] for part in row.entrees.split(" ; ")}
        assert used <= by_code[row.indicateur], (row.indicateur, used - by_code[row.indicateur])


def test_line_shows_the_inputs_it_used(example):
    """A reviewer redoes the FSE line by hand from its own cells: the number of FSE is on the line."""
    pharmacies, lines, _ = example
    fse = lines[(lines["pharmacie_id"] == "PH-TILLEULS") & (lines["exercice"] == 2024) & (lines["indicateur"] == "fse")]
    row = pharmacies[(pharmacies["pharmacie_id"] == "PH-TILLEULS") & (pharmacies["exercice"] == 2024)].iloc[0]
    assert f"nb_fse={num(int(row['nb_fse']))}" in fse["entrees"].iloc[0].split(" ; ")
    assert f"taux_fse_sesam_vitale_pct={num(row['taux_fse_sesam_vitale_pct'])}" in fse["entrees"].iloc[0].split(" ; ")


@pytest.mark.parametrize("year", available_exercises())
def test_every_template_renders_for_every_exercise(year):
    params = load_parameters(year)
    for ind in INDICATORS:
        for template in (ind.titre, ind.regle):
            for name in placeholders(template):
                find_leaf(params, ind.noeud, name.split(":")[0])  # KeyError: a template names a leaf that does not exist
        assert title(ind, params)
        assert rule_text(ind, params)


# Official wordings that contain a number but are no amount, threshold, percentage or date of a rule.
OFFICIAL_WORDINGS = re.compile(r"75 ans et plus|[Dd]ispositif exceptionnel 2024|avenant (n° )?1|art\. \d+|\d(er|e) (trimestre|semestre)|N[+-]1|\b(1|2|3)\b(?= ou 3|, 3| et 3)|niveaux? [123]")


def test_registry_prose_types_no_number():
    """No amount, threshold, percentage or date is typed in the registry's texts: they come from parameters."""
    for theme in THEMES:
        for text in (theme.titre, theme.rewards(), theme.measured(), theme.code_acte, *theme.justificatifs,
                     theme.automatique):
            bare = OFFICIAL_WORDINGS.sub("", text)
            assert not re.search(r"\d", bare), (theme.code, text)
    for ind in INDICATORS:
        for text in (ind.titre, ind.regle, ind.declaration):
            bare = OFFICIAL_WORDINGS.sub("", re.sub(r"\{[^}]*\}", "", text))
            assert not re.search(r"\d", bare), (ind.code, text)


def _moved(leaf: Leaf):
    """Another valid value for a numeric leaf, kept in its range (rates stay within 0–100)."""
    v = leaf.valeur
    if isinstance(v, bool) or not isinstance(v, (int, Decimal)):
        return None
    if isinstance(v, int) or unit(leaf.unite).kind is Kind.COUNT:  # a count stays whole (a threshold of TROD, weeks…)
        return v + 1
    return (v / 2 + Decimal("0.07")).quantize(Decimal("0.0001"))


def test_every_rendered_text_follows_a_change_of_every_numeric_leaf(tmp_path):
    """Override every numeric leaf of one exercise through a scenario: every text that shows it follows."""
    year = 2024
    base = load_parameters(year)
    overrides: dict = {}
    for path, leaf in iter_leaves(base):
        new = _moved(leaf)
        if new is None:
            continue
        node = overrides.setdefault(year, {})
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = float(new) if isinstance(new, Decimal) else new
    scenario_path = tmp_path / "tout.yaml"
    scenario_path.write_text(yaml.safe_dump(overrides), encoding="utf-8")
    moved = load_parameters(year, Scenario.read(scenario_path))
    checked = 0
    for ind in INDICATORS:
        for template in (ind.titre, ind.regle):
            for field in placeholders(template):
                name, _, spec = field.partition(":")
                old_leaf, new_leaf = find_leaf(base, ind.noeud, name), find_leaf(moved, ind.noeud, name)
                if old_leaf is None or _moved(old_leaf) is None:
                    continue
                text = render(template, moved, ind.noeud)
                assert leaf_text(new_leaf, spec) in text, (ind.code, field, text)
                assert leaf_text(new_leaf, spec) != leaf_text(old_leaf, spec)
                checked += 1
    assert checked > 60


def test_alternative_readings_mark_every_line_they_move(example, alternative):
    """With lectures-alternatives.yaml, every line whose amount differs from the reference reading names
    the overridden keys it depends on (scenario) and is a hypothesis; the 2022 e-prescription line too."""
    _, ref, _ = example
    _, alt, _ = alternative
    keys = ["pharmacie_id", "exercice", "indicateur", "valeur"]
    ref = ref.drop_duplicates(keys).set_index(keys)
    alt = alt.drop_duplicates(keys).set_index(keys)
    common = ref.index.intersection(alt.index)
    moved = common[(ref.loc[common, "montant_cents"] != alt.loc[common, "montant_cents"]).to_numpy()]
    assert len(moved) > 10
    for key in moved:
        line = alt.loc[key]
        assert line["scenario"], key
        assert line["statut_regle"] == "hypothese", key
        # The targeted molecules' reading (2024–2026) is a `texte` leaf (the avenant's « au prorata du volume
        # substitué »); the scenario switches it to the previous reading, whose premium is a hypothesis.
        switches = {"bups.molecules_ciblees.lecture"}
        assert set(line["scenario"].split(" ; ")) - switches <= set(line["hypotheses"].split(" ; ")), key
    eprescription = alt.reset_index()
    e2022 = eprescription[(eprescription["exercice"] == 2022) & (eprescription["indicateur"] == "eprescription")]
    assert not e2022.empty
    assert (e2022["statut_regle"] == "hypothese").all()
    assert e2022["scenario"].str.contains("numerique.eprescription.etat", regex=False).all()


def test_rules_book_is_current():
    params = {y: load_parameters(y) for y in available_exercises()}
    doc = (ROOT / "docs" / "regles.md").read_text(encoding="utf-8")
    assert doc == book_markdown(params), "docs/regles.md est périmé : rosp regles > docs/regles.md"


def test_rules_book_gives_the_scenario_key_that_switches_a_reading_carried_by_another_leaf():
    # The prime par boîte substituée's alternative is the « progression » reading: a scenario switches it by
    # bups.molecules_ciblees.lecture, not by the prime (which only changes its amount) — and no key in the prose.
    book = book_markdown({y: load_parameters(y) for y in available_exercises()})
    note = next(line for line in book.splitlines() if line.startswith("- Hypothèse `bups.molecules_ciblees.prime_par_boite` (2024–2026)"))
    alternative, _, key = note.partition(". Clé de scénario : ")
    assert "clé " not in alternative and "prime_par_boite_gagnee" not in alternative
    assert key.startswith("`bups.molecules_ciblees.lecture` (sa lecture alternative")


def test_an_alternative_value_is_written_as_its_parameter_is():
    # The parameter files write the value an alternative reading takes as YAML does (« 2.80 : haut de la fourchette »,
    # « 0 : seul le palier de 95 % paie »); a reader (rules book, reports, the lines' notes) reads it in French, with
    # its unit, as the value it replaces is written.
    p23, p24 = load_parameters(2023), load_parameters(2024)
    assert p23.bups.molecules_ciblees.prime_par_boite.alternative == "2,80\u00a0€ : haut de la fourchette citée par la presse"
    assert p24.bups.stabilite_75.montant_bas.alternative == "0,00\u00a0€ : seul le palier de 95 % paie"
    fort = p24.numerique.malus_qualite_facturation.fse_securisees_ecart_fort_points.alternative
    assert fort.startswith("6 points : ")


def test_rules_book_names_every_indicator_and_hypothesis():
    params = {y: load_parameters(y) for y in available_exercises()}
    book = book_markdown(params)
    for theme in THEMES:
        for ind in indicators_of(theme.code):
            assert f"(`{ind.code}`)" in book
    for y, p in params.items():
        for path, leaf in iter_leaves(p):
            if leaf.statut == "hypothese":
                assert f"Hypothèse `{path}`" in book


def test_seuil_texts():
    seuil = load_parameters(2024).numerique.fse.seuil_pct.model_copy(update={"valeur": Decimal("70"), "comparaison": ">="})
    assert leaf_text(seuil, "texte") == "au moins 70 %"
    assert leaf_text(seuil, "signe") == "≥ 70 %"
    strict = seuil.model_copy(update={"comparaison": ">"})
    assert leaf_text(strict, "texte") == "plus de 70 %"


def test_rules_book_cli(capsys):
    from rosp_lib.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["regles", "2025"], standalone_mode=True)
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "Exercice 2025." in out
    assert "2024" not in out.split("\n", 3)[2]


def test_rules_book_cli_marks_the_values_a_scenario_replaced(capsys, tmp_path):
    """A value replaced by `--parametres` is the scenario's, not a sourced fact: status « scénario », no public
    source, and the header names the scenario. The other values keep their status and source."""
    from rosp_lib.cli import main

    scenario = tmp_path / "montants.yaml"
    scenario.write_text("description: Exercice coordonné à 900 €\n"
                        "numerique:\n  exercice_coordonne:\n    montant: 900\n", encoding="utf-8")
    reference = book_markdown({2025: load_parameters(2025)})
    with pytest.raises(SystemExit) as exit_info:
        main(["regles", "2025", "--parametres", str(scenario)], standalone_mode=True)
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert ("| Participation à un exercice coordonné (ESP, MSP, CPTS) (`numerique.exercice_coordonne.montant`) | "
            "2025 : 900,00\xa0€ | scénario | scénario « montants.yaml » (aucune source publique) |") in lines
    assert ("**Scénario « montants.yaml »** : ce livre n'est pas celui des paramètres de référence. Les valeurs que "
            "le scénario remplace ont pour statut « scénario » : elles ne viennent d'aucune source publique, et leur "
            "règle est écrite avec elles.") in lines
    assert "Scénario" not in reference and "| scénario |" not in reference
    changed = [line for line in lines if line not in reference.splitlines()]
    assert all("montants" in line or "900" in line for line in changed), changed


def test_docs_are_in_the_project():
    assert Path(ROOT / "docs" / "regles.md").exists()


def test_a_payment_date_exists_exactly_for_the_themes_of_the_exercise():
    """`calendrier.versement.<thème>`: one date per theme of the registry that exists that exercise, none for a theme
    that does not (vaccination before 2024, the 2024 device outside 2024), each in N+1."""
    from rosp_lib.rulebook import theme_exists

    for year in range(2022, 2027):
        params = load_parameters(year)
        assert set(type(params.calendrier.versement).model_fields) == {t.code for t in THEMES}
        for t in THEMES:
            leaf = t.payment_leaf(params)
            assert (leaf is not None) == theme_exists(params, t.code), (year, t.code)
            if leaf is not None:
                assert leaf.valeur.year == year + 1, (year, t.code, leaf.valeur)


def test_the_payment_dates_are_those_the_sources_give():
    """The ameli tables: numérique « au plus tard au mois d'avril de l'année N+1 » (statut source), BUPS « avant la fin
    du 1er trimestre de l'année N+1 » ; avenant 1, art. 1: the 2024 device « au 1er semestre 2025 » (texte) ;
    vaccination in S1 and the colorectal kits in Q2 of N+1 from 2024 (the 2024 statements), with the ROSP of the
    exercise before (spec §4: read as the end of N+1), the dispensation à l'unité with the ROSP: hypotheses of the
    tool, each with its other reading."""
    import datetime as dt

    from rosp_lib.registry import theme

    def deadline(code, year):
        return theme(code).versement_deadline(load_parameters(year))

    assert deadline("numerique", 2025) == dt.date(2026, 4, 30)
    assert deadline("bups", 2023) == dt.date(2024, 3, 31)
    assert deadline("colorectal", 2024) == dt.date(2025, 6, 30)
    assert deadline("colorectal", 2023) == dt.date(2024, 12, 31)
    assert deadline("vaccination", 2025) == dt.date(2026, 6, 30)
    assert deadline("dispensation_unite", 2026) == dt.date(2027, 12, 31)
    assert deadline("dispositif_2024", 2024) == dt.date(2025, 6, 30)
    statuses = {code: theme(code).payment_leaf(load_parameters(2024)).statut for code in
                ("numerique", "bups", "vaccination", "colorectal", "dispensation_unite", "dispositif_2024")}
    # the BUPS: « prévue avant la fin du 1er trimestre » (ameli), but the 2024 statement shows payments on 13/04 and
    # 09/05/2025 (Isipharm): a reading with its other one; vaccination and colorectal 2024: the statement's dates
    assert statuses == {"numerique": "source", "bups": "hypothese", "vaccination": "source",
                        "colorectal": "source", "dispensation_unite": "hypothese", "dispositif_2024": "texte"}
    assert theme("bups").payment_leaf(load_parameters(2024)).alternative.startswith("31/05/2025 : ")
    assert theme("vaccination").payment_leaf(load_parameters(2025)).statut == "hypothese"  # no date for 2025
    assert theme("numerique").versement_of(load_parameters(2025)) == "au plus tard le 30/04/2026 (code acte PQS)"
    assert theme("colorectal").versement_of(load_parameters(2023)) == "au plus tard le 31/12/2024"
    with pytest.raises(ValueError, match="n'existe pas pour l'exercice 2022"):
        deadline("vaccination", 2022)


def test_a_scenario_moves_a_payment_date(tmp_path):
    """The date is read from the parameters: a scenario replacing it moves it (the reconciliation and the reports read
    it through `Theme.versement_deadline`)."""
    import datetime as dt

    from rosp_lib.registry import theme

    path = tmp_path / "s.yaml"
    path.write_text("calendrier:\n  versement:\n    dispensation_unite: '2026-04-30'\n", encoding="utf-8")
    params = load_parameters(2025, Scenario.read(path))
    assert theme("dispensation_unite").versement_deadline(params) == dt.date(2026, 4, 30)


def test_the_rules_book_of_one_exercise_says_no_payment_date_for_a_theme_it_does_not_have():
    """`rosp regles 2023` printed « Versement (`calendrier.versement.vaccination`, …) : . » (review)."""
    book = book_markdown({2023: load_parameters(2023)})
    assert "calendrier.versement.vaccination`, statut" not in book
    assert "calendrier.versement.dispositif_2024`, statut" not in book
    assert ("Versement (`calendrier.versement.colorectal`, statut et source au calendrier) : 2023 : au plus tard le "
            "31/12/2024.") in book


def _cited_ids(node) -> set[str]:
    """The reference ids a parameter file cites (each leaf's `source`, and its « voir aussi »), read from the YAML
    itself, not through the parameters' model."""
    out: set[str] = set()
    if isinstance(node, dict):
        source = node.get("source")
        if isinstance(source, dict) and "reference" in source:
            out |= {source["reference"], *source.get("voir_aussi", [])}
        for value in node.values():
            out |= _cited_ids(value)
    elif isinstance(node, list):
        for value in node:
            out |= _cited_ids(value)
    return out


def test_rules_book_lists_every_public_document_it_cites_with_its_address():
    """A reviewer finds each source from the book alone: its « Références » list every public document the parameter
    files cite — each once, numbered, with its address where references.yaml gives one — and names the tool's own book
    apart (no public document); a document no parameter cites is not listed."""
    catalogue = yaml.safe_load((ROOT / "parameters" / "references.yaml").read_text(encoding="utf-8"))
    cited: set[str] = set()
    for y in available_exercises():
        cited |= _cited_ids(yaml.safe_load((ROOT / "parameters" / f"{y}.yaml").read_text(encoding="utf-8")))
    book = book_markdown({y: load_parameters(y) for y in available_exercises()})
    section = book.split("\n## Références\n", 1)[1]
    numbered = re.findall(r"^(\d+)\. (.*)$", section, flags=re.M)
    assert [int(n) for n, _ in numbered] == list(range(1, len(numbered) + 1))
    public = {k for k in cited if catalogue[k]["nature"] != "projet"}
    assert len(numbered) == len(public)
    for key in public:
        ref = catalogue[key]
        item = next(text for _, text in numbered if text.startswith(ref["titre"]) and f"{ref['date']})" in text)
        assert item.endswith(f" — <{ref['url']}>") if ref.get("url") else "<" not in item, item
    assert numbered[0][1].startswith(catalogue["convention_2022"]["titre"])  # the legal texts first
    for key in set(catalogue) - cited:
        assert catalogue[key]["titre"] not in section, key
    own = section.split("\n\n")[-1]
    assert catalogue["regles_projet"]["titre"] in own and "n'est pas une source publique" in own
    assert "pharmaprat.fr/faq" in section  # (an address added in December 2026)


def test_the_rules_book_names_the_amounts_a_partial_year_prorates_as_the_rules_apply_them(tmp_path):
    """The book said « forfaits proratisés » and named none: a socle (démarche qualité) prorated, a per-act amount
    (dispensation) not, could be redone from a report only (review). The lists are the registry's, which the rules
    apply (rules.base.finish_theme); the spec's per-unit lines (per FSE, kit, RVA, dispensation, patient) are not
    prorated, the carte Vitale equipment and the 2024 device are, under their own reading too."""
    book = book_markdown({y: load_parameters(y) for y in available_exercises()})
    part = book.split("**Exercice partiel**", 1)[1].split("\n## ", 1)[0]
    forfaits, keyed, per_act = (line for line in part.splitlines() if line.startswith("- "))
    assert forfaits.startswith("- Forfaits, proratisés sous la lecture `general.prorata_forfaits`")
    assert keyed.startswith("- Forfaits proratisés seulement si `general.prorata_carte_vitale_dispositif_2024`")
    assert per_act.startswith("- Montants sur les actes, boîtes ou patients du titulaire lui-même, sans prorata")
    listed = {name: set(re.findall(r"\(`([a-z0-9_]+)`\)", line))
              for name, line in (("forfaits", forfaits), ("keyed", keyed), ("per_act", per_act))}
    assert {"demarche_qualite", "exercice_coordonne", "dmp", "asafo", "stabilite_75"} <= listed["forfaits"]
    assert {"maj_carte_vitale", "trod_angine", "hybride_biosimilaire"} <= listed["keyed"]
    assert {"fse", "kits_remis", "bonus_prescription", "dispensation", "pharmacien_correspondant",
            "molecules_ciblees", "teleconsultation"} <= listed["per_act"]
    assert not (listed["forfaits"] & listed["per_act"]) and not (listed["keyed"] & listed["per_act"])
    # what the rules do: a buyer from 01/07/2024 (184 days of 366) has its démarche qualité prorated, not its
    # dispensations à l'unité
    from rosp_lib.engine import compute
    from rosp_lib.inputs import read_pharmacies
    from tests.helpers_rules import write_csv

    lines = compute(read_pharmacies(write_csv(tmp_path / "pharmacies.csv", [{
        "pharmacie_id": "REPRISE", "exercice": 2024, "exercice_coordonne": "oui", "logiciel_segur": "oui",
        "debut_activite": "2024-07-01", "dqo_autoevaluation": "oui", "dqo_newsletter": "oui",
        "dqo_programme_amelioration": "oui", "taux_generiques_repertoire_pct": 99, "nb_dispensations_unite": 100}],
        sep=";")))
    by = lines.set_index("indicateur")["montant_cents"]
    p = load_parameters(2024)
    assert by["demarche_qualite"] == round(int(p.bups.demarche_qualite.montant.valeur * 100) * 184 / 366)
    assert "proratisé" not in lines.set_index("indicateur").loc["dispensation", "note"]
