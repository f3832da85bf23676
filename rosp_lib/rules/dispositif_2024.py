"""Dispositif exceptionnel 2024 (livre des règles : docs/regles.md ; avenant 1 art. 1)."""

from __future__ import annotations

import numpy as np

from ..lines.formatting import agreed, num
from ..lines.text import MANQUANT, per_distinct
from ..inputs.columns import PHARMACY_COLUMNS
from .base import Block, Context, compare, compare_fraction, finish_theme, seuil_text

THEME = "dispositif_2024"


def at_least(ctx: Context, code: str, column: str, unit: tuple[str, str]) -> Block | None:
    """Forfait si au moins N actes (TROD angine, entretien chronique, accompagnement de grossesse)."""
    ind = getattr(ctx.p.dispositif_2024, code)
    if ind.etat.valeur == "absent":
        return None
    if not ind.actif:
        return ctx.neutralised(code)
    v, missing = ctx.rate(column)
    ok = compare(v, ind.nb_min)
    return Block(code, v, seuil_text(ind.nb_min, " " + agreed(ind.nb_min.valeur, *unit)), ctx.labels(ok, missing),
        ctx.cents_if(ok, ind.montant.valeur), manquant=missing)


def declared(ctx: Context, code: str, columns: list[str]) -> Block | None:
    """Forfait sur déclaration (locaux TROD cystite ; substitution d'un hybride et d'un biosimilaire)."""
    ind = getattr(ctx.p.dispositif_2024, code)
    if ind.etat.valeur == "absent":
        return None
    if not ind.actif:
        return ctx.neutralised(code)
    flags = [ctx.flag(c) for c in columns]
    ok = np.logical_and.reduce(flags)
    valeur = per_distinct(lambda *row: ", ".join(f"{c} : {'oui' if f else 'non'}" for c, f in zip(columns, row)), *flags)
    said = {c.name: c.description for c in PHARMACY_COLUMNS}  # the words of `rosp colonnes`, not the column names
    return Block(code, valeur, " et ".join(said[c] for c in columns) + " : oui", ctx.labels(ok),
                 ctx.cents_if(ok, ind.montant.valeur))


def kits_colorectal_progression(ctx: Context) -> Block | None:
    """Kits remis dans l'année ≥ coefficient × kits de l'année précédente (référence fixe si installation récente)."""
    ind = ctx.p.dispositif_2024.kits_colorectal_progression
    if ind.etat.valeur == "absent":
        return None
    if not ind.actif:
        return ctx.neutralised("kits_colorectal_progression")
    n, n_missing = ctx.count("nb_kits_remis")
    prev, prev_missing = ctx.count("nb_kits_remis_n_1")
    recent = ctx.flag("installation_apres_2023")
    ref = np.where(recent, ind.reference_installation_recente.valeur, prev)
    missing = n_missing | (~recent & prev_missing)
    # n >= 1,10 × ref  ⇔  n / ref >= 1,10 (exact). A reference of 0 reads `reference_nulle`: any count
    # (0 ≥ 1,10 × 0) or, as an increase, at least one kit.
    zero = (ref == 0) & ~missing
    with ctx.for_rows(zero):  # only the pharmacies whose reference is 0 read this reading
        least = 1 if ind.reference_nulle.valeur == "au_moins_un_kit" else 0
    ok = np.where(ref > 0, compare_fraction(n, ref, ind.coefficient), n >= least) & ~missing
    valeur = per_distinct(lambda a, r, rc, m: None if m else (  # « 0 kit », « 1 kit », « 2 kits »
        f"{a} {agreed(a, 'kit', 'kits')} (référence {r}{' : installation récente' if rc else ''})"), n, ref, recent, missing)
    coef = ind.coefficient.valeur

    def explained(a: int, r: int, o: bool) -> str:
        if r == 0 and least:
            return f"référence 2023 de 0 kit : {a} {agreed(a, 'kit', 'kits')} en 2024, au moins 1 demandé"
        return f"{a} {'≥' if o else '<'} {num(coef)} × {r} = {num(coef * r)}"

    note = per_distinct(explained, n, ref, ok)
    note[missing] = "kits 2024 ou référence 2023 manquants"
    atteint = ctx.labels(ok, missing)
    atteint[missing] = MANQUANT
    block = Block("kits_colorectal_progression", valeur, f"{seuil_text(ind.coefficient, '')} × kits de 2023", atteint,
        ctx.cents_if(ok, ind.montant.valeur), note, missing)
    return block


def compute(ctx: Context) -> list[Block]:
    blocks = [
        *ctx.rule(at_least, "trod_angine", "nb_trod_angine", ("TROD", "TROD")),
        *ctx.rule(declared, "locaux_trod_cystite", ["locaux_trod_cystite"]),
        *ctx.rule(at_least, "entretien_chronique", "nb_entretiens_chroniques", ("entretien", "entretiens")),
        *ctx.rule(at_least, "accompagnement_grossesse", "nb_accompagnements_grossesse", ("accompagnement", "accompagnements")),
        *ctx.rule(kits_colorectal_progression),
        *ctx.rule(declared, "hybride_biosimilaire", ["substitution_hybride", "substitution_biosimilaire"]),
    ]
    return finish_theme(ctx, THEME, blocks)
