"""The registry of units (rosp_lib/parameters/units.py): every unit of the parameter files is declared, its kind
matches what the rules do with the leaves, and the scenario checks read it."""

from __future__ import annotations

import re
import shutil
import typing
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import rosp_lib.rules
from rosp_lib.parameters import (PARAMETERS_DIR, UNITS, Kind, ParameterError, Scenario, Unit, iter_leaves,
                                 load_parameters, read_yaml, unit)
from rosp_lib.parameters.model import Palier

YEARS = range(2022, 2027)


def _units_written(tree, path=()) -> list[tuple[str, str]]:
    """(dotted key, unit) of every `unite:` of a parameter file, read as written (not through the model)."""
    if not isinstance(tree, dict):
        return []
    out = [(".".join(path), tree["unite"])] if "unite" in tree else []
    for k, v in tree.items():
        out += _units_written(v, path + (str(k),))
    return out


def test_every_unit_of_the_parameter_files_is_in_the_registry():
    written = [(f.name, key, u) for f in sorted(PARAMETERS_DIR.glob("*.yaml"))
               for key, u in _units_written(read_yaml(f))]
    assert len(written) > 500
    assert [w for w in written if w[2] not in UNITS] == []
    # and the registry holds no unit that no file uses
    assert set(UNITS) == {u for _, _, u in written} | set(Palier.unites.values())


def test_the_registry_s_kinds():
    kinds = {name: u.kind for name, u in UNITS.items()}
    assert {n for n, k in kinds.items() if k is Kind.AMOUNT} == {"EUR", "EUR/lecteur", "EUR/patient", "EUR/tranche"}
    assert {n for n, k in kinds.items() if k is Kind.UNIT_PRICE} == {
        "EUR/FSE", "EUR/RVA", "EUR/boite", "EUR/dispensation", "EUR/kit"}
    assert {n for n, k in kinds.items() if k is Kind.PERCENT} == {"%", "points de %"}
    assert unit("%").suffix == " %" and unit("points de %").suffix == " points"
    assert [n for n, u in UNITS.items() if u.euros] == [n for n in UNITS if n.startswith("EUR")]


# Calls of the rules that turn a parameter into whole cents, refusing a sub-cent amount.
_CENTS_CALL = re.compile(r"\b(?:euros_to_cents|cents_if)\(([^()]*)\)")
_LEAF_VALUE = re.compile(r"\bind\.(\w+)\.valeur$")


def _leaves_rounded_to_cents() -> set[str]:
    names = set()
    for f in sorted(Path(rosp_lib.rules.__file__).parent.glob("*.py")):
        for args in _CENTS_CALL.findall(f.read_text(encoding="utf-8")):
            last = args.split(",")[-1].strip()
            match = _LEAF_VALUE.search(last)
            if match:
                names.add(match.group(1))
            else:  # the helper itself (Context.cents_if), which receives its amount
                assert (f.name, last) in {("base.py", "amount")}, (f.name, args)
    return names


def test_whole_cent_units_are_those_of_the_leaves_the_rules_round_to_cents():
    rounded = _leaves_rounded_to_cents()
    assert {"montant", "plafond", "montant_par_lecteur", "montant_par_tranche",
            "montant_par_patient_palier_1"} <= rounded
    seen = set()
    for year in YEARS:
        for path, leaf in iter_leaves(load_parameters(year)):
            name = path.rsplit(".", 1)[-1]
            assert (name in rounded) == unit(leaf.unite).whole_cents, (year, path, leaf.unite)
            seen.add(name)
    assert rounded <= seen


def _declared(leaf) -> typing.Any:
    return type(leaf).model_fields["valeur"].annotation


@pytest.mark.parametrize("year", YEARS)
def test_each_unit_s_kind_fits_the_type_of_its_leaves(year):
    for path, leaf in iter_leaves(load_parameters(year)):
        kind, declared = unit(leaf.unite).kind, _declared(leaf)
        origin = typing.get_origin(declared)
        if unit(leaf.unite).numeric:
            assert declared in (int, Decimal) or declared == dict[str, Decimal], (path, leaf.unite)
        elif kind is Kind.FLAG:
            assert declared is bool, path
        elif kind is Kind.DATE:
            assert declared is date, path
        elif kind in (Kind.STATE, Kind.READING, Kind.COMPARISON):
            assert origin is typing.Literal, path
        elif kind is Kind.LIST:
            assert declared == list[str], path
        else:
            assert kind is Kind.SCALE and declared == list[Palier], path


def test_a_scale_step_declares_the_unit_of_each_field():
    assert set(Palier.unites) == set(Palier.model_fields)
    assert unit(Palier.unites["taux_pct"]).kind is Kind.PERCENT
    assert unit(Palier.unites["score_min"]).kind is Kind.COUNT


@pytest.fixture
def param_dir(tmp_path: Path) -> Path:
    d = tmp_path / "parameters"
    shutil.copytree(PARAMETERS_DIR, d)
    return d


def _set_unit(param_dir: Path, after: str, old: str, new: str) -> None:
    """Change the first `unite: old` of 2024.yaml that follows the text `after`."""
    path = param_dir / "2024.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index(f"unite: {old}\n", text.index(after))
    path.write_text(text[:at] + f"unite: {new}\n" + text[at + len(f"unite: {old}\n"):], encoding="utf-8")


def test_a_new_unit_declared_in_the_registry_gets_its_kind_s_checks(param_dir, tmp_path, monkeypatch):
    # A unit added to the files and to the registry: a scenario's sub-cent amount is refused as for « EUR ».
    monkeypatch.setitem(UNITS, "EUR/officine", Unit("EUR/officine", Kind.AMOUNT))
    _set_unit(param_dir, "  exercice_coordonne:\n", "EUR", "EUR/officine")
    assert load_parameters(2024, directory=param_dir).numerique.exercice_coordonne.montant.unite == "EUR/officine"
    f = tmp_path / "s.yaml"
    f.write_text("numerique:\n  exercice_coordonne:\n    montant: 820.123\n", encoding="utf-8")
    with pytest.raises(ParameterError) as info:
        load_parameters(2024, Scenario.read(f), directory=param_dir)
    assert str(info.value) == (f"{f} : scénario invalide\n  - numerique.exercice_coordonne.montant : valeur 820.123 ; "
                               "attendu : un montant en euros au centime près, p. ex. 820 ou 820.50")


def test_a_percentage_is_known_by_its_unit_not_its_key(tmp_path):
    # A premium per molecule is a price per box, whatever the molecule's name: 150 € is no percentage. (The molecule
    # is added to the list: a premium for a molecule not listed is refused.)
    f = tmp_path / "s.yaml"
    f.write_text("2024:\n  bups:\n    molecules_ciblees:\n      molecules: [remise_pct]\n"
                 "      primes_par_molecule: {valeur: {remise_pct: 150}}\n", encoding="utf-8")
    table = load_parameters(2024, Scenario.read(f)).bups.molecules_ciblees.primes_par_molecule.valeur
    assert table == {"remise_pct": Decimal(150)}


@pytest.mark.parametrize("value", [0, -1])
def test_a_size_the_rules_divide_by_is_at_least_one(tmp_path, value):
    # Téléconsultations are paid by tranche of `taille_tranche`: 0 divided by zero (a numpy warning in English on
    # the console, and 0 € paid); the scenario is refused, naming the key.
    f = tmp_path / "s.yaml"
    f.write_text(f"numerique:\n  teleconsultation:\n    taille_tranche: {value}\n", encoding="utf-8")
    with pytest.raises(ParameterError) as info:
        load_parameters(2024, Scenario.read(f))
    assert str(info.value) == (f"{f} : scénario invalide\n  - numerique.teleconsultation.taille_tranche : valeur "
                               f"{value} ; attendu : un nombre d'au moins 1")
    f.write_text("numerique:\n  teleconsultation:\n    taille_tranche: 1\n", encoding="utf-8")
    assert load_parameters(2024, Scenario.read(f)).numerique.teleconsultation.taille_tranche.valeur == 1


@pytest.mark.parametrize("year", YEARS)
def test_the_reference_values_respect_their_unit_s_minimum(year):
    low = [(k, leaf.valeur) for k, leaf in iter_leaves(load_parameters(year))
           if leaf.unite in UNITS and isinstance(leaf.valeur, (int, Decimal)) and leaf.valeur < unit(leaf.unite).minimum]
    assert low == []
    assert unit(load_parameters(year).numerique.teleconsultation.taille_tranche.unite).minimum == 1
