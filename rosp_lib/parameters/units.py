"""The units of the parameter files: every `unite:` a leaf may declare, and what it means.

A leaf's unit says how its value is checked (a scenario's overriding value: whole cents, 0 to 100…) and how
it is written in rule texts. The parameter model refuses a unit that is not listed here: a new unit is
declared here first, with its kind, or its values would escape the checks.

Whole cents (`Kind.AMOUNT`) is what the rules do with the leaf, not a guess from the unit's name: the rules
turn these amounts into cents as they are (`money.euros_to_cents`, `Context.cents_if`), which refuses a
sub-cent amount — `EUR` (forfaits, caps: `montant`, `montant_borne`, `forfait_equipement`, `plafond`,
`plafond_tranches`, `montant_haut`, `montant_bas`), `EUR/lecteur` (`maj_carte_vitale.montant_par_lecteur`),
`EUR/patient` (`pharmacien_correspondant.montant_par_patient_palier_*`), `EUR/tranche`
(`teleconsultation.montant_par_tranche`). The prices per item (`Kind.UNIT_PRICE`: `EUR/FSE`, `EUR/RVA`,
`EUR/boite`, `EUR/dispensation`, `EUR/kit`) are multiplied by a count before the single rounding
(`money.times_cents`): any precision. A rule that starts rounding another leaf to whole cents moves its
unit to `Kind.AMOUNT` (tests/test_units.py checks the rules against this list).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """What a unit's values are."""

    AMOUNT = "montant"  # euros paid as such: whole cents
    UNIT_PRICE = "prix unitaire"  # euros per item, multiplied before rounding: any precision
    PERCENT = "pourcentage"  # 0 to 100
    COUNT = "nombre"  # a number of things, not negative
    RATIO = "rapport"  # a coefficient, not negative
    FLAG = "booléen"
    STATE = "état"  # actif, neutralise, non_exige, absent
    COMPARISON = "comparaison"  # <, <=
    READING = "lecture"  # one of the named readings of a rule
    DATE = "date"
    LIST = "liste"  # names (molecules)
    SCALE = "barème"  # steps whose fields have their own units (Palier.unites)


@dataclass(frozen=True)
class Unit:
    name: str  # as written in the parameter files (`unite:`)
    kind: Kind
    suffix: str = ""  # written after a number in rule texts (« 70 % », « 10 points »)
    minimum: int = 0  # the smallest value a scenario may give (a size the rules divide by: 1)

    @property
    def euros(self) -> bool:
        """An amount or a price in euros (written as euros, bounded by the plausible amount)."""
        return self.kind in (Kind.AMOUNT, Kind.UNIT_PRICE)

    @property
    def whole_cents(self) -> bool:
        """An amount the rules turn into cents as it is: a sub-cent value cannot be paid."""
        return self.kind is Kind.AMOUNT

    @property
    def percentage(self) -> bool:
        """A percentage or a gap in percentage points: 0 to 100."""
        return self.kind is Kind.PERCENT

    @property
    def numeric(self) -> bool:
        return self.kind in (Kind.AMOUNT, Kind.UNIT_PRICE, Kind.PERCENT, Kind.COUNT, Kind.RATIO)


def _units(*units: Unit) -> dict[str, Unit]:
    return {u.name: u for u in units}


UNITS: dict[str, Unit] = _units(
    # euros paid as such (money.euros_to_cents): whole cents
    Unit("EUR", Kind.AMOUNT),
    Unit("EUR/lecteur", Kind.AMOUNT),
    Unit("EUR/patient", Kind.AMOUNT),
    Unit("EUR/tranche", Kind.AMOUNT),
    # euros per item, multiplied by a count before rounding (money.times_cents): any precision
    Unit("EUR/FSE", Kind.UNIT_PRICE),
    Unit("EUR/RVA", Kind.UNIT_PRICE),
    Unit("EUR/boite", Kind.UNIT_PRICE),
    Unit("EUR/dispensation", Kind.UNIT_PRICE),
    Unit("EUR/kit", Kind.UNIT_PRICE),
    # percentages
    Unit("%", Kind.PERCENT, " %"),
    Unit("points de %", Kind.PERCENT, " points"),
    # euros no rule pays (information: the national envelope of the targeted molecules), checked and written as a
    # number of euros — not an amount, whose plausible bound is that of one pharmacy's payment
    Unit("euros (enveloppe nationale)", Kind.COUNT, " €"),
    # counts
    Unit("TROD", Kind.COUNT),
    Unit("accompagnements", Kind.COUNT),
    Unit("entretiens", Kind.COUNT),
    Unit("factures", Kind.COUNT),
    Unit("items", Kind.COUNT),
    Unit("kits", Kind.COUNT),
    Unit("lecteurs", Kind.COUNT),
    Unit("patients", Kind.COUNT),
    Unit("points", Kind.COUNT),
    Unit("semaines", Kind.COUNT),
    Unit("teleconsultations par tranche", Kind.COUNT, minimum=1),  # the rule divides by it
    Unit("rapport", Kind.RATIO),
    # values that are not numbers
    Unit("booleen", Kind.FLAG),
    Unit("etat", Kind.STATE),
    Unit("comparaison", Kind.COMPARISON),
    Unit("lecture", Kind.READING),
    Unit("mode", Kind.READING),
    Unit("periode", Kind.READING),
    Unit("date", Kind.DATE),
    Unit("liste", Kind.LIST),
    Unit("paliers", Kind.SCALE),
)


def unknown_unit(name: object) -> str:
    """Why a unit is refused, in French, with the known units."""
    return (f"unité « {name} » inconnue ; attendu : l'une des unités connues ({', '.join(UNITS)}) — une "
            "nouvelle unité se déclare dans rosp_lib/parameters/units.py")


def unit(name: str) -> Unit:
    """The unit of this name; a name that is not in the registry is a bug (the model refuses it): KeyError."""
    return UNITS[name]
