"""Dispensation à l'unité (livre des règles : docs/regles.md)."""

from __future__ import annotations

import numpy as np

from ..lines import money
from ..lines.formatting import eur, eur_value
from ..lines.text import pick
from .base import Block, Context, finish_theme

THEME = "dispensation_unite"


def dispensation(ctx: Context) -> Block | None:
    """Un montant par dispensation à l'unité ou délivrance fractionnée, plafonné par an."""
    ind = ctx.p.dispensation_unite.dispensation
    if ind.etat.valeur == "absent":
        return None
    if not ind.actif:
        return ctx.neutralised("dispensation")
    n, missing = ctx.count("nb_dispensations_unite")
    unit_price = ind.montant_par_dispensation.valeur
    raw = money.times_cents(n, unit_price, ctx.mode)
    cap = money.euros_to_cents(ind.plafond.valeur)
    cents = ctx.cents(lambda mode: np.minimum(money.times_cents(n, unit_price, mode), cap))
    note = pick(raw > cap, f"{eur_value(ind.montant_par_dispensation.valeur)} × nb_dispensations_unite, plafonné à {eur(cap)}",
                f"{eur_value(ind.montant_par_dispensation.valeur)} × nb_dispensations_unite")
    return Block("dispensation", np.where(missing, None, n).astype(object),
        f"{eur_value(ind.montant_par_dispensation.valeur)}/dispensation, plafond {eur(cap)}",
        ctx.labels(cents > 0, missing), cents, note, missing)


def compute(ctx: Context) -> list[Block]:
    return finish_theme(ctx, THEME, ctx.rule(dispensation))
