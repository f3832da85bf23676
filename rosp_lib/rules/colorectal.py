"""Dépistage organisé du cancer colorectal (livre des règles : docs/regles.md)."""

from __future__ import annotations

import numpy as np

from ..lines import money
from ..lines.formatting import agreed, eur, eur_value
from ..lines.text import per_distinct, pick
from .base import Block, Context, finish_theme

THEME = "colorectal"


def per_kit(ctx: Context, code: str, column: str, information: bool = False) -> Block | None:
    """Montant par kit (métropole ou DROM) : kits remis (2022–2023), kits réalisés (2024–) ; l'acte par kit remis
    (2024–) est montré pour information, hors total ROSP."""
    ind = getattr(ctx.p.colorectal, code)
    if ind.etat.valeur == "absent":
        return None
    if not ind.actif:
        return ctx.neutralised(code)
    n, missing = ctx.count(column)
    drom = ctx.flag("drom")
    metro, outre = ind.montant_par_kit.valeur, ind.montant_par_kit_drom.valeur

    def amounts(mode: str) -> np.ndarray:
        return np.where(missing, 0, np.where(drom, money.times_cents(n, outre, mode), money.times_cents(n, metro, mode)))

    cents = amounts(ctx.mode) if information else ctx.cents(amounts)  # information: not paid, not shown
    metro_text, outre_text = eur_value(metro), f"{eur_value(outre)} (DROM)"
    unit = pick(drom, outre_text, metro_text)
    if information:
        # with its result (« … × 120 kits = 360,00 € »: a product left unfinished, review), not added to the total
        note = per_distinct(lambda u, k, c: f"facturé à l'acte, hors ROSP : {u} × {k} {agreed(k, 'kit', 'kits')} = "
                                            f"{eur(int(c))}", unit, n, cents)
        atteint = ctx.const("information")
        shown = np.zeros(ctx.n, np.int64)
    else:
        note = pick(drom, f"{outre_text} × {column}", f"{metro_text} × {column}")
        atteint = ctx.labels(cents > 0, missing)
        shown = cents
    return Block(code, np.where(missing, None, n).astype(object),
        f"{eur_value(metro)}/kit ({eur_value(outre)} en DROM)", atteint, shown, note, missing,
        type_ligne="information" if information else "indicateur")


def compute(ctx: Context) -> list[Block]:
    blocks = [
        *ctx.rule(per_kit, "kits_remis", "nb_kits_remis"),
        *ctx.rule(per_kit, "kits_realises", "nb_kits_realises"),
        *ctx.rule(per_kit, "acte_remise_kit", "nb_kits_remis", True),
    ]
    return finish_theme(ctx, THEME, blocks)
