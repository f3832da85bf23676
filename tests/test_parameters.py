"""The parameter files and their loader: strict YAML, sourced leaves, scenarios, diff."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from rosp_lib.cli import main
from rosp_lib.parameters import (PARAMETERS_DIR, ParameterError, Scenario, iter_leaves, load_parameters,
                                 load_references)

YEARS = range(2022, 2027)


@pytest.fixture
def param_dir(tmp_path: Path) -> Path:
    """A copy of the parameter folder that a test may spoil."""
    d = tmp_path / "parameters"
    shutil.copytree(PARAMETERS_DIR, d)
    return d


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


@pytest.mark.parametrize("year", YEARS)
def test_every_leaf_has_source_status_and_alternative(year):
    p = load_parameters(year)
    leaves = list(iter_leaves(p))
    assert len(leaves) > 50
    for path, leaf in leaves:
        assert leaf.source.strip(), path
        assert leaf.verifie_le, path
        assert leaf.statut in ("texte", "source", "hypothese"), path
        assert leaf.libelle.strip() and leaf.unite.strip(), path
        if leaf.statut == "hypothese":
            assert leaf.alternative, path


def test_amounts_are_exact_decimals_not_floats():
    p = load_parameters(2024)
    assert p.numerique.fse.prix_unitaire_haut.valeur == Decimal("0.070")
    assert isinstance(p.numerique.fse.prix_unitaire_bas.valeur, Decimal)
    assert p.bups.molecules_ciblees.prime_par_boite.valeur == Decimal("0.22565")
    assert p.bups.molecules_ciblees.prime_par_boite_gagnee.valeur == Decimal("2.6232")


def test_year_specific_values_follow_rules_md():
    scor = {y: load_parameters(y).numerique.scor.montant.valeur for y in YEARS}
    assert scor == {2022: Decimal("418.60"), 2023: 200, 2024: 100, 2025: 100, 2026: 100}
    seuil_vacc = {y: load_parameters(y).vaccination.bonus_prescription.seuil_part_pct.valeur for y in (2024, 2025, 2026)}
    assert seuil_vacc == {2024: 5, 2025: 15, 2026: 25}
    cible = {y: load_parameters(y).numerique.malus_qualite_facturation.fse_securisees_cible_pct.valeur for y in (2023, 2024, 2025, 2026)}
    assert cible == {2023: 67, 2024: 69, 2025: 71, 2026: 73}
    assert load_parameters(2024).dispositif_2024.trod_angine.actif
    assert not load_parameters(2025).dispositif_2024.trod_angine.actif


def test_duplicate_key_is_refused(param_dir):
    _edit(param_dir / "2024.yaml", "exercice: 2024\n", "exercice: 2024\nexercice: 2024\n")
    with pytest.raises(ParameterError, match="clé en double « exercice »"):
        load_parameters(2024, directory=param_dir)


def test_unknown_key_is_refused(param_dir):
    _edit(param_dir / "2024.yaml", "  scor:\n", "  scorr:\n    etat: 1\n  scor:\n")
    with pytest.raises(ParameterError, match=r"numerique\.scorr : clé inconnue"):
        load_parameters(2024, directory=param_dir)


def test_unknown_unit_is_refused_naming_the_file_the_key_and_the_known_units(param_dir):
    _edit(param_dir / "2024.yaml", "      valeur: 820\n      unite: EUR\n",
          "      valeur: 820\n      unite: EUR/officine\n")
    with pytest.raises(ParameterError) as info:
        load_parameters(2024, directory=param_dir)
    assert str(info.value) == (
        f"{param_dir / '2024.yaml'} : paramètres invalides\n"
        "  - numerique.exercice_coordonne.montant.unite : unité « EUR/officine » inconnue ; attendu : l'une des "
        "unités connues (EUR, EUR/lecteur, EUR/patient, EUR/tranche, EUR/FSE, EUR/RVA, EUR/boite, EUR/dispensation, "
        "EUR/kit, %, points de %, euros (enveloppe nationale), TROD, accompagnements, entretiens, factures, items, kits, lecteurs, patients, "
        "points, semaines, teleconsultations par tranche, rapport, booleen, etat, comparaison, lecture, mode, periode, date, "
        "liste, paliers) — une nouvelle unité se déclare dans rosp_lib/parameters/units.py")


def test_yaml_auto_date_is_refused(param_dir):
    _edit(param_dir / "2024.yaml", "verifie_le: '2026-12-01'", "verifie_le: 2026-12-01")
    with pytest.raises(ParameterError, match="date 2026-12-01 n'est pas entre guillemets"):
        load_parameters(2024, directory=param_dir)


@pytest.mark.parametrize("written,shown", [("~", "valeur vide"), ("null", "valeur vide"), ("yes", "valeur « yes »"),
                                           ("true", "valeur « true »")])
def test_null_and_booleans_in_a_parameter_file_are_shown_as_written(param_dir, written, shown):
    _edit(param_dir / "2024.yaml", "  fin_declaration:\n    valeur: '2025-02-27'\n",
          f"  fin_declaration:\n    valeur: {written}\n")
    with pytest.raises(ParameterError) as info:
        load_parameters(2024, directory=param_dir)
    assert f"  - calendrier.fin_declaration : {shown} : date AAAA-MM-JJ attendue" in str(info.value)


@pytest.mark.parametrize("written", ["0777", "1:30"])
def test_integers_in_another_base_are_refused_in_parameter_files(param_dir, written):
    _edit(param_dir / "2024.yaml", "      valeur: 820\n", f"      valeur: {written}\n")
    with pytest.raises(ParameterError, match=f"nombre « {written} » écrit avec un zéro en tête, un préfixe"):
        load_parameters(2024, directory=param_dir)


def test_unsourced_leaf_is_refused(param_dir):
    path = param_dir / "2024.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    prix_unitaire_haut:")
    src = text.index("      source:", start)
    end = text.index("\n", src)
    # the source may wrap onto a continuation line
    while text[end + 1:].startswith("        "):
        end = text.index("\n", end + 1)
    path.write_text(text[:src] + text[end + 1:], encoding="utf-8")
    with pytest.raises(ParameterError, match=r"numerique\.fse\.prix_unitaire_haut\.source : clé manquante"):
        load_parameters(2024, directory=param_dir)


@pytest.mark.parametrize("year", YEARS)
def test_every_leaf_cites_a_known_public_reference(year):
    refs = load_references()
    for path, leaf in iter_leaves(load_parameters(year)):
        assert leaf.reference.reference in refs, path
        assert all(r in refs for r in leaf.reference.voir_aussi), path
        # the citation users read is the reference's title, publisher and date, then the article
        doc = refs[leaf.reference.reference]
        assert leaf.source.startswith(f"{doc.titre} ({doc.editeur}, {doc.date})"), path


def test_no_source_points_to_project_files():
    """Users never read a path of the project's working files: only public titles."""
    for f in sorted(PARAMETERS_DIR.rglob("*.yaml")):
        text = f.read_text(encoding="utf-8")
        for word in ("seeds/", "spec/", "../shared", ".txt"):
            assert word not in text, (f.name, word)
    for year in YEARS:
        for path, leaf in iter_leaves(load_parameters(year)):
            for word in ("seeds/", "spec/", "../shared"):
                assert word not in leaf.source, path


def test_the_project_s_own_readings_cite_its_rules_book():
    p = load_parameters(2024)
    assert p.general.arrondi.reference.reference == "regles_projet"
    assert p.general.arrondi.source.startswith("Règles de calcul du projet ROSP, livre des règles livré avec l'outil")
    # a source a user reads is a public reference, never a file of the repository
    assert "docs/" not in p.general.arrondi.source and ".md" not in p.general.arrondi.source
    assert p.vaccination.bonus_prescription.seuil_part_pct.source.startswith("Avenant n° 1")
    assert p.vaccination.bonus_prescription.seuil_part_pct.reference.article == "article 6"


def test_unknown_reference_is_refused(param_dir):
    _edit(param_dir / "2024.yaml", 'source: {reference: "regles_projet", article: "arrondi"}',
          'source: {reference: "spec_du_projet", article: "arrondi"}')
    with pytest.raises(ParameterError, match=r"general\.arrondi\.source : référence inconnue « spec_du_projet »"):
        load_parameters(2024, directory=param_dir)


def test_reference_catalogue_is_strict(param_dir):
    _edit(param_dir / "references.yaml", "  nature: presse\n", "  nature: presse\n  auteur: X\n")
    with pytest.raises(ParameterError, match=r"references\.yaml : paramètres invalides\n.*auteur : clé inconnue"):
        load_parameters(2024, directory=param_dir)


def test_hypothesis_without_alternative_is_refused(param_dir):
    _edit(param_dir / "2024.yaml", "    alternative: 'demi_pair : arrondi au pair (arrondi bancaire)'\n", "")
    with pytest.raises(ParameterError, match="doit nommer sa lecture alternative"):
        load_parameters(2024, directory=param_dir)


@pytest.mark.parametrize("key", ["bups.molecules_ciblees.lectur", "bups.stabilite_75.montant_bas",
                                 "bups.molecules_ciblees.prime_par_boite", "bups.molecules_ciblees.molecules"])
def test_alternative_key_must_name_a_leaf_of_the_same_indicator(param_dir, key):
    # The prime par boîte substituée's alternative is the reading chosen by bups.molecules_ciblees.lecture: a key that
    # names nothing, a leaf of another indicator (even one with an alternative), the leaf itself, or one without an
    # alternative would leave the reports pricing no alternative, silently.
    _edit(param_dir / "2024.yaml", "      alternative_cle: bups.molecules_ciblees.lecture\n",
          f"      alternative_cle: {key}\n")
    with pytest.raises(ParameterError, match=rf"invalides\n  - bups\.molecules_ciblees\.prime_par_boite\.alternative_cle « {key} » : "
                                             "attendu la clé d'un autre paramètre du même indicateur"):
        load_parameters(2024, directory=param_dir)
    assert load_parameters(2024).bups.molecules_ciblees.prime_par_boite.alternative_cle == \
        "bups.molecules_ciblees.lecture"


def test_missing_exercise_names_the_available_ones():
    with pytest.raises(ParameterError, match=r"aucun paramètre pour l'exercice 2027 \(exercices disponibles : 2022, 2023, 2024, 2025, 2026\)"):
        load_parameters(2027)


def test_scenario_overrides_value_for_all_years_and_one_year(tmp_path):
    f = tmp_path / "scenario.yaml"
    f.write_text("numerique:\n  teleconsultation:\n    tranches: complete\n2025:\n  vaccination:\n"
                 "    bonus_prescription:\n      seuil_part_pct: 10\n", encoding="utf-8")
    p24, p25 = load_parameters(2024, f), load_parameters(2025, f)
    assert p24.numerique.teleconsultation.tranches.valeur == "complete"
    assert p24.numerique.teleconsultation.tranches.surcharge == str(f)
    assert p24.vaccination.bonus_prescription.seuil_part_pct.valeur == 5  # not overridden for 2024
    assert p25.vaccination.bonus_prescription.seuil_part_pct.valeur == 10
    # the untouched metadata stays: source and status of the official leaf
    assert p25.vaccination.bonus_prescription.seuil_part_pct.statut == "texte"


def test_scenario_with_unknown_key_says_which_and_suggests(tmp_path):
    f = tmp_path / "scenario.yaml"
    f.write_text("numerique:\n  teleconsultation:\n    tranche: complete\n", encoding="utf-8")
    with pytest.raises(ParameterError) as exc:
        load_parameters(2024, Scenario.read(f))
    msg = str(exc.value)
    assert "numerique.teleconsultation.tranche : ce paramètre n'existe pour aucun exercice" in msg
    assert "vouliez-vous dire « numerique.teleconsultation.tranches »" in msg


def test_scenario_with_invalid_value_is_refused(tmp_path):
    f = tmp_path / "scenario.yaml"
    f.write_text("general:\n  arrondi: au_hasard\n", encoding="utf-8")
    with pytest.raises(ParameterError) as info:
        load_parameters(2024, f)
    # the scenario named as the culprit (not the reference file), the key as the scenario writes it
    assert str(info.value) == (f"{f} (scénario, exercice 2024) : paramètres invalides\n  - general.arrondi : valeur "
                               "« au_hasard » refusée ; attendu : « demi_haut » (au demi supérieur) ou « demi_pair » "
                               "(au pair)")


def test_cli_diff_2024_2025_lists_what_changed():
    result = CliRunner().invoke(main, ["parametres", "diff", "2024", "2025"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "changent entre 2024 et 2025" in out
    assert "vaccination.bonus_prescription.seuil_part_pct" in out and ": 5 % → 15 %" in out
    assert "numerique.malus_qualite_facturation.fse_securisees_cible_pct" in out and ": 69 % → 71 %" in out
    assert "dispositif_2024.trod_angine.etat" in out and "actif → absent" in out
    assert "numerique.scor.montant" not in out  # 100 € both years
    # the dates that only follow the exercise (same day, one year later, same status) are said once, at the end, not
    # as 6 changes among the rules' (review: every payment date was listed as changed); a date whose status changes
    # stays a change
    assert out.rstrip().endswith(
        "Et 6 dates du calendrier qui suivent l'exercice (même jour, 1 an plus tard, même statut) : "
        "calendrier.fin_actions_dqo, calendrier.fin_autoevaluation_dqo, calendrier.fin_periode_malus_facturation, "
        "calendrier.versement.bups, calendrier.versement.dispensation_unite, calendrier.versement.numerique.")
    assert "  calendrier.versement.numerique (" not in out
    assert ("  calendrier.versement.colorectal (Dernier jour où le thème « dépistage colorectal » de l'exercice est "
            "versé) : 30/06/2025 → 30/06/2026 [statut : source → hypothèse]") in out
    # the envelope of the targeted molecules (10 M€ → 12 M€) and the first day of declaration, given for 2025 only
    assert ": 10\u202f000\u202f000 € → 12\u202f000\u202f000 € [statut : texte → source]" in out
    assert "calendrier.debut_declaration (Premier jour de la déclaration des indicateurs de l'exercice sur amelipro) " \
           ": — → 01/12/2025 [statut : — → source]" in out
    assert out.startswith("30 paramètres changent entre 2024 et 2025 :")


def test_cli_diff_unknown_year_exits_2_in_french():
    result = CliRunner().invoke(main, ["parametres", "diff", "2024", "2031"])
    assert result.exit_code == 2
    assert "aucun paramètre pour l'exercice 2031" in result.output


def test_cli_scenario_error_exits_2(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("bups:\n  inconnu: 3\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["compute", "data/pharmacies.csv", "--parametres", str(f), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "bups.inconnu : ce paramètre n'existe pour aucun exercice" in result.output
    assert not (tmp_path / "o").exists()


def test_scenario_of_alternative_readings_is_valid_every_year():
    f = PARAMETERS_DIR / "scenarios" / "lectures-alternatives.yaml"
    for year in YEARS:
        p = load_parameters(year, f)
        assert p.general.arrondi.valeur == "demi_pair"
        assert p.general.donnee_manquante_montant_bas.valeur is False
        assert p.bups.malus_urgence.taux_annee_manquant.valeur == "malus"
    assert load_parameters(2024, f).numerique.ordonnance_numerique_socle.etat.valeur == "actif"
    assert load_parameters(2023, f).numerique.exercice_coordonne.etat.valeur == "non_exige"
    assert load_parameters(2023, f).bups.molecules_ciblees.prime_par_boite.valeur == Decimal("2.80")
    # 2025: the socle's neutralisation is a source, not a hypothesis: the scenario leaves it
    assert load_parameters(2025, f).numerique.ordonnance_numerique_socle.etat.valeur == "neutralise"


# Hypotheses whose alternative is not one known value (see the head of lectures-alternatives.yaml).
# From 2024 the premium per substituted box is replaced by the reading « progression » (switched by
# `lecture`), which reads its own premium per gained box.
MOLECULES = {"bups.molecules_ciblees.primes_par_molecule", "bups.molecules_ciblees.prime_par_boite",
             "bups.molecules_ciblees.prime_par_boite_gagnee"}
# The LAD's state in 2023 and 2026 is one: « actif », paid at the exercise's amount (audit: the reports called it
# « non chiffrable », while the network view counted the euros resting on it).
NOT_A_VALUE = {
    2022: {"numerique.malus_qualite_facturation.etat"},
    2023: set(),
    2024: MOLECULES,
    2025: MOLECULES,
    2026: MOLECULES,
}


@pytest.mark.parametrize("year", YEARS)
def test_scenario_of_alternative_readings_replaces_every_switchable_hypothesis(year):
    f = PARAMETERS_DIR / "scenarios" / "lectures-alternatives.yaml"
    replaced = dict(iter_leaves(load_parameters(year, f)))
    left = {path for path, leaf in iter_leaves(load_parameters(year))
            if leaf.statut == "hypothese" and not replaced[path].surcharge}
    assert left == NOT_A_VALUE[year]


@pytest.mark.parametrize("year", YEARS)
def test_scenario_of_alternative_readings_replaces_hypotheses_only(year):
    """The 2022 declaration deadline became a source (26/02/2023), and the scenario still moved it to 31/01/2023:
    `rosp gains` under it closed the 2022 actions against the source (review). It replaces hypotheses only — and the
    reading of the molecules, whose hypothesis is the premium it names (`alternative_cle`)."""
    f = PARAMETERS_DIR / "scenarios" / "lectures-alternatives.yaml"
    reference = dict(iter_leaves(load_parameters(year)))
    others = {path for path, leaf in iter_leaves(load_parameters(year, f))
              if leaf.surcharge and reference[path].statut != "hypothese"}
    carried = {path for path in others
               if any(leaf.alternative_cle == path for leaf in reference.values())}
    assert others == carried, sorted(others - carried)


@pytest.mark.parametrize("year", YEARS)
def test_scenario_of_alternative_readings_gives_the_value_each_hypothesis_names(year):
    """An alternative reading is typed twice: in the leaf's `alternative:` text (what the reports and the rules book
    say) and as a value in lectures-alternatives.yaml (what is computed). They must agree: the text starts with the
    value (« 30/04/2026 : versé en même temps que… »), or names it (« … autre lecture : 0,01 % comme … »)."""
    from rosp_lib.rulebook import reading_note, value_text

    f = PARAMETERS_DIR / "scenarios" / "lectures-alternatives.yaml"
    replaced = dict(iter_leaves(load_parameters(year, f)))
    checked = 0
    for path, leaf in iter_leaves(load_parameters(year)):
        if leaf.statut != "hypothese" or not replaced[path].surcharge:
            continue
        value = replaced[path].valeur
        named = isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) \
            and value_text(leaf, value) in leaf.alternative
        assert reading_note(leaf, value) or named, (year, path, value, leaf.alternative)
        checked += 1
    assert checked >= 5  # the dates of payment and of declaration, the readings of the rules


def test_columns_doc_is_generated_from_the_schema():
    from rosp_lib.inputs import columns_markdown

    doc = (PARAMETERS_DIR.parent / "docs" / "colonnes.md").read_text(encoding="utf-8")
    assert doc == columns_markdown(), "docs/colonnes.md est périmé : rosp colonnes > docs/colonnes.md"


@pytest.mark.parametrize("exercice, kind", [("2024", "texte"), (2024.0, "nombre à virgule"), (True, "oui/non")])
def test_an_exercise_that_is_not_an_integer_is_refused_in_french(exercice, kind):
    """load_parameters("2024") blamed the right file (« la clé « exercice » vaut 2024, attendu 2024 ») and 2024.0 was
    « aucun paramètre pour l'exercice 2024.0 » (review)."""
    from rosp_lib.parameters import ParameterError, load_parameters

    with pytest.raises(ParameterError) as info:
        load_parameters(exercice)
    assert str(info.value) == (f"exercice invalide : « {exercice} » ({kind}) ; attendu : une année en nombre entier, "
                               "par exemple load_parameters(2024)")
    import numpy as np

    assert load_parameters(np.int64(2024)).exercice == 2024  # a year read from a table


def test_the_library_says_in_french_a_scenario_given_as_a_dict_and_parameters_missing_an_exercise(tmp_path):
    """compute(…, scenario={…}) was « TypeError: expected str, bytes or os.PathLike object, not dict », and
    compute(…, parameters={2024: …}) on a table of other exercises « KeyError: 2022 » (review)."""
    from helpers_rules import write_csv
    from rosp_lib.engine import compute, parameters_for
    from rosp_lib.inputs import read_pharmacies
    from rosp_lib.parameters import ParameterError, load_parameters

    pharmacies = read_pharmacies(write_csv(tmp_path / "p.csv", [{"pharmacie_id": "A", "exercice": 2022},
                                                                {"pharmacie_id": "B", "exercice": 2025}]))
    with pytest.raises(ParameterError, match=r"^scénario invalide : un dictionnaire ; attendu : le chemin d'un fichier YAML"):
        compute(pharmacies, scenario={"numerique": {"exercice_coordonne": {"montant": 900}}})
    with pytest.raises(ParameterError, match=r"^scénario invalide : un dictionnaire"):
        parameters_for([2024], {"general": {}})
    with pytest.raises(ParameterError) as info:
        compute(pharmacies, parameters={2024: load_parameters(2024)})
    assert str(info.value).startswith("paramètres absents pour les exercices 2022, 2025 du tableau ; attendu : ")


def test_the_column_docs_say_what_the_rules_book_asks_them_to():
    """rules.md asks the column docs to say that the counts of a partial exercise are the titulaire's own, and that an
    officine equipped under the previous téléconsultation scheme is not in its first year in 2022 (audit: neither
    was said)."""
    from rosp_lib.inputs import columns_markdown

    doc = columns_markdown()
    assert "chaque compte et chaque taux est celui du titulaire, sur sa seule période d'activité" in doc
    row = next(line for line in doc.splitlines() if line.startswith("| `teleconsultation_premiere_annee`"))
    assert "déjà équipée sous le dispositif précédent (avenant 15) n'est pas en première année en 2022" in row
    # the words of the column stay short where pages and letters name it
    from rosp_lib.inputs.columns import COLUMN_WORDS
    assert "avenant" not in COLUMN_WORDS["teleconsultation_premiere_annee"]


@pytest.mark.parametrize("comparison, said", [
    (">=", None),  # « au moins 100 factures »: 100 → the malus is computed
    (">", "au plus 100 factures sur la période : pas de malus"),
])
def test_the_minimum_of_invoices_is_computed_and_said_as_its_comparison(param_dir, comparison, said):
    """`nb_factures_min` is a threshold with its comparison, read by the rule; its words followed it not (review: set to
    « > », 100 invoices were computed right and said « moins de 100 factures »)."""
    from helpers_rules import write_csv
    from rosp_lib.engine import compute
    from rosp_lib.inputs import read_pharmacies
    from rosp_lib.registry import indicator
    from rosp_lib.rulebook import rule_text

    _edit(param_dir / "2024.yaml", "      comparaison: '>='\n      verifie_le: '2026-12-01'\n    fse_securisees_cible_pct:",
          f"      comparaison: '{comparison}'\n      verifie_le: '2026-12-01'\n    fse_securisees_cible_pct:")
    params = load_parameters(2024, directory=param_dir)
    text = rule_text(indicator("malus_qualite_facturation"), params)
    assert ("Avec au moins 100 factures" if comparison == ">=" else "Avec plus de 100 factures") in text
    pharmacies = read_pharmacies(write_csv(param_dir.parent / "p.csv", [
        {"pharmacie_id": "P", "exercice": 2024, "nb_factures_periode_malus": "100", "taux_fse_securisees_pct": "50"}]))
    lines = compute(pharmacies, None, {2024: params})
    note = lines[lines["indicateur"] == "malus_qualite_facturation"].iloc[0]["note"]
    if said:
        assert note == said
    else:
        assert "factures sur la période" not in note  # the malus is computed on its points


def test_a_count_threshold_with_decimals_is_refused_in_a_parameter_file(param_dir):
    """`nb_factures_min` became a threshold (a Decimal with its comparison): « 2.5 factures » was accepted (CI)."""
    _edit(param_dir / "2024.yaml", "    nb_factures_min:\n      valeur: 100\n", "    nb_factures_min:\n      valeur: 2.5\n")
    with pytest.raises(ParameterError) as info:
        load_parameters(2024, directory=param_dir)
    assert "numerique.malus_qualite_facturation.nb_factures_min" in str(info.value)
    assert "attendu : un nombre entier (factures)" in str(info.value)


@pytest.mark.parametrize("text, year, said", [
    ("2025:\n  calendrier:\n    versement:\n      colorectal: '2025-06-30'\n", 2025,
     "calendrier.versement.colorectal vaut 30/06/2025 pour l'exercice 2025 ; attendu : une date de 2026"),
    ("calendrier:\n  versement:\n    colorectal: '2026-09-30'\n", 2023,  # one date for every exercise
     "calendrier.versement.colorectal vaut 30/09/2026 pour l'exercice 2023 ; attendu : une date de 2024"),
])
def test_a_payment_date_outside_the_year_after_the_exercise_is_refused(tmp_path, text, year, said):
    """A theme is paid in N+1: a scenario's date of another year was accepted, and a shortfall claimed at once, or
    « peut-être à venir » until 2028 (review)."""
    from rosp_lib.parameters import ParameterError

    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError) as info:
        load_parameters(year, Scenario.read(path))
    assert said in str(info.value)


@pytest.mark.parametrize("day, ok", [("2025-12-31", False), ("2026-01-01", True), ("2026-12-31", True),
                                     ("2027-01-01", False)])
def test_a_payment_date_is_a_day_of_the_year_after_the_exercise_at_its_bounds(tmp_path, day, ok):
    """Exercise 2025: its themes are paid in 2026, from 01/01 to 31/12 included; the last day of 2025 and the first of
    2027 are refused."""
    from rosp_lib.parameters import ParameterError

    path = tmp_path / "s.yaml"
    path.write_text(f"2025:\n  calendrier:\n    versement:\n      numerique: '{day}'\n", encoding="utf-8")
    if ok:
        assert str(load_parameters(2025, Scenario.read(path)).calendrier.versement.numerique.valeur) == day
    else:
        with pytest.raises(ParameterError, match="attendu : une date de 2026"):
            load_parameters(2025, Scenario.read(path))


def test_a_parameter_file_gives_a_payment_date_exactly_for_the_themes_of_its_exercise(param_dir):
    """The themes are listed once, in the registry: a file without the date of a theme that exists that exercise, or
    with one for a theme that does not, is refused in French."""
    from rosp_lib.parameters import ParameterError

    f = param_dir / "2025.yaml"
    text = f.read_text(encoding="utf-8")
    start = text.index("    numerique:\n      valeur: '2026-04-30'")
    end = text.index("    bups:\n", start)
    f.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(ParameterError, match="calendrier.versement.numerique manque pour l'exercice 2025"):
        load_parameters(2025, directory=param_dir)
    g = param_dir / "2022.yaml"
    extra = ("    vaccination:\n      valeur: '2023-06-30'\n      unite: date\n      libelle: x\n"
             "      source: {reference: \"regles_projet\"}\n      statut: source\n")
    g.write_text(g.read_text(encoding="utf-8") + extra, encoding="utf-8")
    with pytest.raises(ParameterError, match="calendrier.versement.vaccination est donné pour l'exercice 2022, où ce "
                                             "thème n'existe pas"):
        load_parameters(2022, directory=param_dir)


def test_the_2022_declaration_closed_on_26_february_2023_as_fspf_13_says():
    """The FSPF 13 article the 2022 parameters cite is « Rappel : déclaration des indicateurs ROSP jusqu'au 26 février
    2023 » (its address says so): the deadline was an hypothesis (« date non publiée ») set at 27/02/2023, beside that
    source (review). The 2022 actions are « plus possible » from 27/02/2023."""
    import datetime as dt

    from rosp_lib.counterfactual.gains import deadlines
    from rosp_lib.parameters import default_references

    p = load_parameters(2022)
    leaf = p.calendrier.fin_declaration
    assert (leaf.valeur, leaf.statut) == (dt.date(2023, 2, 26), "source")
    assert leaf.reference.reference == "fspf13_rosp_2022"
    assert "26-fevrier-2023" in default_references()["fspf13_rosp_2022"].url
    assert dt.date(2023, 2, 26) in deadlines(2022, p)


@pytest.mark.parametrize("year", [2022, 2023])
def test_the_e_prescription_socle_absent_before_2024_cites_the_convention(year):
    """rules.md §1.1: the ordonnance numérique socle applies « from exercise 2024 by the convention (FSPF fiche n°14) »;
    its absence in 2022 and 2023 cited avenant n° 1 (2024), which does not say it (audit)."""
    leaf = load_parameters(year).numerique.ordonnance_numerique_socle.etat
    assert (leaf.valeur, leaf.statut, leaf.reference.reference) == ("absent", "texte", "convention_2022")
    assert "article IX" in leaf.reference.article and "fiche pratique n° 14" in leaf.reference.article
    assert leaf.reference.voir_aussi == ["fspf_ebook_convention"]
    assert leaf.source.startswith("Convention nationale organisant les rapports entre les pharmaciens titulaires")


def test_the_numbers_of_the_spec_without_a_rule_are_parameters_too():
    """rules.md: « Every number below must end up in parameters/ » — the national envelope of the targeted molecules
    (« 10 M€, 12 M€ from 2025 with hybrids/biosimilars ») and the 2025 declaration window (« 1 December 2025 to
    27 February 2026 ») were only quoted in texts (audit)."""
    from datetime import date

    for year, amount, statut in ((2023, 10_000_000, "texte"), (2024, 10_000_000, "texte"),
                                 (2025, 12_000_000, "source"), (2026, 12_000_000, "source")):
        leaf = load_parameters(year).bups.molecules_ciblees.enveloppe_nationale
        assert (leaf.valeur, leaf.unite, leaf.statut) == (amount, "euros (enveloppe nationale)", statut), year
    calendar = load_parameters(2025).calendrier
    assert (calendar.debut_declaration.valeur, calendar.fin_declaration.valeur) == (date(2025, 12, 1), date(2026, 2, 27))
    assert calendar.debut_declaration.statut == "source"
    assert load_parameters(2024).calendrier.debut_declaration is None  # no document gives it
