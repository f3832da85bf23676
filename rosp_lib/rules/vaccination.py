"""Prescription des vaccinations recommandées (livre des règles : docs/regles.md ; avenant 1 art. 6)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np

from ..lines import money
from ..lines.formatting import eur, eur_value, num_exact
from ..lines.text import MANQUANT, per_distinct
from .base import Block, Context, compare_fraction, finish_theme, seuil_text

THEME = "vaccination"


def bonus_prescription(ctx: Context) -> Block | None:
    """Si la part des RVA de prescription parmi toutes les RVA dépasse le seuil de l'année : un montant par RVA de prescription."""
    ind = ctx.p.vaccination.bonus_prescription
    if ind.etat.valeur == "absent":
        return None
    if not ind.actif:
        return ctx.neutralised("bonus_prescription")
    n960, m1 = ctx.count("nb_rva_960")
    n750, m2 = ctx.count("nb_rva_750")
    total = n960 + n750
    missing = m1 | m2
    ok = compare_fraction(n960, total, ind.seuil_part_pct, scale=100) & ~missing
    unit_price = ind.montant_par_rva.valeur
    cents = ctx.cents(lambda mode: np.where(ok, money.times_cents(n960, unit_price, mode), 0))
    threshold = Fraction(ind.seuil_part_pct.valeur)

    def share_text(a, t) -> str:
        """The share to two decimals, or to more where two would not show its side of the threshold (155 / 1 033 =
        15,00484… % is 15,005 %, above « > 15 % », not « 15 % »): exact, as the comparison is."""
        exact = Fraction(100 * int(a), int(t))
        side = (exact > threshold) - (exact < threshold)
        for places in range(2, 13):
            shown = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal(1).scaleb(-places),
                                                                                    rounding=ROUND_HALF_UP)
            if (Fraction(shown) > threshold) - (Fraction(shown) < threshold) == side:
                break
        return num_exact(shown)

    valeur = per_distinct(lambda a, b, t, mi: None if mi else f"{a} / ({a} + {b}) = {share_text(a, t)} %" if t
                          else f"{a} / ({a} + {b}) : aucun RVA", n960, n750, total, missing)
    # The share and its comparison in the calculation, paid or not: the report's « Calcul » column shows it (it showed
    # nothing for a share not above the threshold, and nb_rva_750 could be taken for all the RVA)
    seuil = seuil_text(ind.seuil_part_pct)
    unit = eur_value(ind.montant_par_rva.valeur)

    def calculation(v, t, o, mi) -> str:
        if mi:
            return ""
        if not t:
            return f"aucun RVA : {eur(0)}"
        if o:
            return f"part des RVA de prescription : {v} {seuil} → {unit} × nb_rva_960"
        return f"part des RVA de prescription : {v}, pas {seuil} : {eur(0)}"  # as every amount (review)

    note = per_distinct(calculation, valeur, total, ok, missing)
    atteint = ctx.labels(ok)
    atteint[missing] = MANQUANT
    return Block("bonus_prescription", valeur, seuil_text(ind.seuil_part_pct), atteint, cents, note, missing)


def compute(ctx: Context) -> list[Block]:
    return finish_theme(ctx, THEME, ctx.rule(bonus_prescription))
