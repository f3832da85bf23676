"""Audit of 2026-12-03, afternoon: what a reader could not tell from the reports."""

from __future__ import annotations

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
