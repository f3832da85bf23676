"""Bon usage des produits de santé (livre des règles : docs/regles.md)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from ..lines import money
from ..lines.formatting import agreed, eur, eur_value, num, num_exact
from ..inputs import normalise_molecule
from ..lines.text import (MANQUANT, NEUTRALISE, NEUTRALISE_NOTE, SANS_OBJET, VIDE, current_exact, filled, per_distinct,
                          pick)
from .base import Block, Context, Rate, compare, compare_columns, finish_theme, seuil_text, shown, socle_state

THEME = "bups"


def demarche_qualite(ctx: Context) -> Block:
    """Adhésion à la démarche qualité HCQO (socle payé) : auto-évaluation, newsletter, et programme d'amélioration."""
    ind = ctx.p.bups.demarche_qualite
    if not ind.en_vigueur:
        return ctx.neutralised("demarche_qualite", socle=True)
    auto, news, prog = ctx.flag("dqo_autoevaluation"), ctx.flag("dqo_newsletter"), ctx.flag("dqo_programme_amelioration")
    required = ind.programme_requis.valeur
    ok = auto & news & (prog if required else True)
    valeur = per_distinct(lambda a, b, c: f"auto-évaluation : {'oui' if a else 'non'}, newsletter : {'oui' if b else 'non'}, "
                                          f"programme : {'oui' if c else 'non'}", auto, news, prog)
    seuil = "auto-évaluation, newsletter" + (" et programme d'amélioration" if required else "") + " déclarés"
    return socle_state(ind, Block("demarche_qualite", valeur, seuil, ctx.labels(ok), ctx.cents_if(ok, ind.montant.valeur)))


def generiques_repertoire(ctx: Context) -> Block:
    """Pénétration des génériques sur l'ensemble du répertoire au seuil de l'exercice (socle, sans rémunération)."""
    ind = ctx.p.bups.generiques_repertoire
    if not ind.en_vigueur:
        return ctx.neutralised("generiques_repertoire", socle=True)
    v, missing = ctx.rate("taux_generiques_repertoire_pct")
    ok = compare(v, ind.seuil_pct)
    return socle_state(ind, Block("generiques_repertoire", v, seuil_text(ind.seuil_pct), ctx.labels(ok, missing),
                                  ctx.zeros(), manquant=missing))


def _boxes_and_rates(boxes: str, start: str, arrival: str) -> str:
    """« 486 boîtes, 85 % → 93 % », naming what is unknown (« départ vide → 93 % »)."""
    rates = (f"{start} %" if start else f"départ {VIDE}") + " → " + (f"{arrival} %" if arrival else f"arrivée {VIDE}")
    return (f"{boxes} boîtes" if boxes else f"boîtes {VIDE}") + ", " + rates


def molecules_ciblees(ctx: Context, molecules: pd.DataFrame) -> Block | None:
    """Molécules ciblées, par molécule : prime par boîte × boîtes substituées (boîtes × arrivée / 100) ; en lecture
    « progression », × boîtes gagnées (boîtes × (arrivée − départ) / 100) ; en lecture « plancher » (2023), seulement
    au-delà du taux plancher."""
    ind = ctx.p.bups.molecules_ciblees
    if ind.etat.valeur == "absent" or molecules is None or molecules.empty:
        return None
    mine = molecules[molecules["exercice"] == ctx.p.exercice]
    # A molecule line of a pharmacy absent from this table (a library caller's subset) has no line to join.
    mine = mine[mine["pharmacie_id"].isin(ctx.df["pharmacie_id"])]
    if mine.empty:
        return None
    position = pd.Series(np.arange(ctx.n), index=ctx.df["pharmacie_id"].to_numpy())
    rows = position.loc[mine["pharmacie_id"].to_numpy()].to_numpy()
    names = mine["molecule"].to_numpy(dtype=object)
    boxes = mine["nb_boites"].to_numpy(dtype=float)
    dep = current_exact(mine["taux_depart_pct_exact"].to_numpy(dtype=object), mine["taux_depart_pct"].to_numpy())
    arr = current_exact(mine["taux_arrivee_pct_exact"].to_numpy(dtype=object), mine["taux_arrivee_pct"].to_numpy())
    dep_text, arr_text, box_text = per_distinct(num_exact, dep), per_distinct(num_exact, arr), per_distinct(num_exact, boxes)  # as typed
    valeur = np.array([f"{m} : {_boxes_and_rates(b, d, a)}" for m, b, d, a in zip(names, box_text, dep_text, arr_text)],
                      dtype=object)
    entrees = np.array([f"molecule={m} ; nb_boites={b or VIDE} ; taux_depart_pct={d or VIDE} ; taux_arrivee_pct={a or VIDE}"
                        for m, b, d, a in zip(names, box_text, dep_text, arr_text)], dtype=object)
    m = len(mine)
    if not ind.actif:
        return Block("molecules_ciblees", valeur, "", filled(m, NEUTRALISE), np.zeros(m, np.int64), NEUTRALISE_NOTE,
            rows=rows, entrees=entrees)
    reading = ind.lecture.valeur
    listed = {normalise_molecule(x) for x in ind.molecules.valeur}
    codes, keys = pd.factorize(mine["molecule_norm"].to_numpy(dtype=object), use_na_sentinel=False)
    in_list = np.array([k in listed for k in keys], dtype=bool)[codes]
    primes = {normalise_molecule(k): v for k, v in ctx.params.bups.molecules_ciblees.primes_par_molecule.valeur.items()}
    own_prime = np.array([k in primes for k in keys], dtype=bool)[codes]
    # Missing only what the reading reads: the starting rate counts for the boxes gained (« progression ») alone.
    missing = in_list & (np.isnan(boxes) | pd.isna(arr) | (pd.isna(dep) if reading == "progression" else False))
    known = in_list & ~missing
    # Exact integers: a rate is an integer over 10**places (70,5 % → 705 with places = 1), so the boxes
    # gained (or substituted) are `boxes_x` / (100 × 10**places). Python integers: they never overflow.
    (arrival, departure), places = money.decimal_integers(arr, dep)
    count = np.where(np.isnan(boxes), 0, boxes).astype(np.int64)
    floor_missed = np.zeros(m, dtype=bool)
    if reading == "progression":
        # Boxes gained (boîtes × max(0, arrivée − départ) / 100), paid whatever their number.
        boxes_x = count.astype(object) * np.maximum(arrival - departure, 0)
        paid = known
    else:
        # Boxes substituted (boîtes × arrivée / 100); in the « plancher » reading, paid only when the
        # arrival rate passes the floor, except for the molecules paid without floor.
        boxes_x = count.astype(object) * arrival
        paid = known
        if reading == "plancher":
            no_floor = {normalise_molecule(x) for x in ind.sans_plancher.valeur}
            exempt = np.array([k in no_floor for k in keys], dtype=bool)[codes]
            arrival_rate = per_distinct(lambda x: np.nan if x is None else float(x), arr).astype(float).view(Rate)
            arrival_rate.exact = arr  # the exact arrival rates: the floor is tested exactly
            above = compare(arrival_rate, ind.taux_plancher_pct)
            floor_missed = known & ~exempt & ~above
            paid = known & ~floor_missed
    ok = paid & (boxes_x > 0)
    # Each molecule line reads its own premium: the molecule's own (primes_par_molecule) or the default one — read for
    # the lines it pays only: a molecule out of the list, without boxes or under the floor pays 0 € whatever the premium
    # (they named the premium's hypothesis: audit).
    with ctx.for_rows(own_prime & ok):
        if (own_prime & ok).any():
            ind.primes_par_molecule  # noqa: B018 - recorded by the tracer for these lines
    with ctx.for_rows(~own_prime & ok):
        default = (ind.prime_par_boite_gagnee if reading == "progression" else ind.prime_par_boite).valeur
    prime = np.array([primes.get(k, default) for k in keys], dtype=object)[codes]

    def premiums(mode: str) -> np.ndarray:
        cents = np.zeros(m, dtype=np.int64)
        for p in set(prime[paid]):
            sel = paid & (prime == p)
            cents[sel] = money.times_cents(boxes_x[sel], p, mode, per=100 * 10 ** places)
        return cents

    cents = ctx.cents(premiums)
    atteint = pick(ok, "oui", "non")
    atteint[missing] = MANQUANT
    atteint[~in_list] = SANS_OBJET
    note = filled(m, "boîtes ou taux manquant")
    note[~in_list] = f"molécule hors de la liste de l'exercice {ctx.p.exercice} : {eur(0)}"
    if reading == "plancher":
        # « sous le plancher » was said of a rate equal to it (72 % for « > 72 % »): not above it, as the rule reads
        note[floor_missed] = f"taux d'arrivée pas au-delà du plancher ({seuil_text(ind.taux_plancher_pct)} requis)"
    # The calculation, with each distinct number formatted once.
    x_codes, distinct_x = pd.factorize(boxes_x[paid])
    boxes_text = np.array([num(Decimal(x).scaleb(-2 - places)) for x in distinct_x], dtype=object)[x_codes]
    prime_text, count_text = per_distinct(eur_value, prime[paid]), per_distinct(num, count[paid])
    if reading == "progression":
        note[paid] = [f"{p} × {c} × ({a} − {d}) / 100 = {p} × {g} boîtes gagnées"
                      for p, c, a, d, g in zip(prime_text, count_text, arr_text[paid], dep_text[paid], boxes_text)]
    else:
        note[paid] = [f"{p} × {c} × {a} % = {p} × {g} boîtes substituées"
                      for p, c, a, g in zip(prime_text, count_text, arr_text[paid], boxes_text)]
    seuil = "prime par boîte gagnée" if reading == "progression" else "prime par boîte substituée" + (
        f", taux d'arrivée {seuil_text(ind.taux_plancher_pct)}" if reading == "plancher" else "")
    if reading == "plancher":  # a molecule paid without floor says so, not the floor it is exempt from
        seuil = pick(exempt, "prime par boîte substituée, sans plancher", seuil)
    return Block("molecules_ciblees", valeur, seuil, atteint, cents, note, missing, rows=rows, entrees=entrees)


def stabilite_75(ctx: Context) -> Block:
    """Stabilité de la délivrance des génériques aux 75 ans et plus : un montant par palier (haut, bas)."""
    ind = ctx.p.bups.stabilite_75
    if not ind.actif:
        return ctx.neutralised("stabilite_75")
    v, missing = ctx.rate("taux_stabilite_75_pct")
    high, low = compare(v, ind.seuil_haut_pct), compare(v, ind.seuil_bas_pct)
    cents = np.where(high, money.euros_to_cents(ind.montant_haut.valeur), 0).astype(np.int64)
    lower_step = low & ~high
    with ctx.for_rows(lower_step):  # the lower step's amount (a hypothesis) pays these rows only
        if lower_step.any():
            cents[lower_step] = money.euros_to_cents(ind.montant_bas.valeur)
    shown = ctx.params.bups.stabilite_75  # the scale, as the line shows it to every row (not a reading of the rule)
    return Block("stabilite_75", v,
        f"{seuil_text(shown.seuil_haut_pct)} → {eur_value(shown.montant_haut.valeur)} ; "
                 f"{seuil_text(shown.seuil_bas_pct)} → {eur_value(shown.montant_bas.valeur)}",
        ctx.labels(low, missing), cents, manquant=missing)


# What each reading of `bups.asafo.periode` counts: its input column, the first day (month, day) of the weeks it
# counts in the exercise, and the words after « semaines » (the one place the gains read it from too).
ASAFO_WEEKS = {
    "annee": ("nb_semaines_asafo", (1, 1), ""),
    "decembre": ("nb_semaines_asafo_decembre", (12, 1), " de décembre"),
}


def asafo(ctx: Context) -> Block | None:
    """Connexion à ASAFO-Pharma : au moins une connexion par semaine pendant un nombre de semaines de l'année civile
    (ou, période « decembre », de semaines différentes de décembre) ; montant forfaitaire."""
    ind = ctx.p.bups.asafo
    if ind.etat.valeur == "absent":
        return None
    if not ind.actif:
        return ctx.neutralised("asafo")
    column, _, of = ASAFO_WEEKS[ind.periode.valeur if ind.periode is not None else "annee"]
    v, missing = ctx.rate(column)
    ok = compare(v, ind.nb_semaines_min)
    return Block("asafo", v, seuil_text(ind.nb_semaines_min, " semaines" + of),
                 ctx.labels(ok, missing), ctx.cents_if(ok, ind.montant.valeur), manquant=missing)


def ecoresponsable(ctx: Context) -> Block | None:
    """Démarche écoresponsable : programme déclaré, assez d'items du niveau, niveau précédent validé au-delà du premier."""
    ind = ctx.p.bups.ecoresponsable
    if ind.etat.valeur == "absent":
        return None
    if not ind.actif:
        return ctx.neutralised("ecoresponsable")
    prog = ctx.flag("eco_programme")
    level, lvl_missing = ctx.count("eco_niveau_vise")
    items, items_missing = ctx.count("eco_items_valides")
    before, before_missing = ctx.count("eco_niveau_valide_precedent")
    items_ok = compare(np.where(items_missing, np.nan, items).astype(float), ind.nb_items_min)
    chain_ok = (level == 1) | (before >= level - 1)
    ok = prog & (level >= 1) & items_ok & chain_ok
    # Levels 2 and 3 need the level validated earlier: left empty, it is "donnée manquante" (docs/regles.md).
    missing = prog & (lvl_missing | items_missing | ((level >= 2) & before_missing))
    ok &= ~missing
    note = filled(ctx.n, "")
    note[prog & (level >= 2) & ~chain_ok] = "niveau précédent non validé une année antérieure"
    note[prog & (level >= 2) & before_missing] = "niveau validé une année antérieure manquant"
    note[~prog] = "programme annuel de développement durable non déclaré"
    # an empty count is unknown, never « niveau 0 » (review: the line said « niveau 0 » beside « donnée manquante »)
    valeur = per_distinct(lambda p, lv, lm, it, im, bf, bm: (
        f"programme : {'oui' if p else 'non'}, niveau {'inconnu' if lm else lv}, "
        + ("items validés : inconnu" if im else f"{it} {agreed(it, 'item', 'items')}")
        + f", niveau antérieur {'inconnu' if bm else bf}"),
        prog, level, lvl_missing, items, items_missing, before, before_missing)
    return Block("ecoresponsable", valeur,
        f"programme déclaré, {seuil_text(ind.nb_items_min, ' items')} du niveau visé",
        ctx.labels(ok, missing), ctx.cents_if(ok, ind.montant.valeur), note, missing)


def malus_urgence(ctx: Context, total: np.ndarray) -> Block | None:
    """Malus sur toute la ROSP BUPS si le taux « urgence » n'est pas inférieur au taux de référence de l'officine."""
    ind = ctx.p.bups.malus_urgence
    if not ind.actif:
        return None
    rate, r_missing = ctx.rate("taux_urgence_pct")
    ref, ref_missing = ctx.rate("taux_urgence_reference_pct")
    below = compare_columns(rate, ref, ind.comparaison_reference.valeur)
    applies = ~r_missing & ~ref_missing & ~below
    # The reference missing (« no reference rate given → no malus », docs/regles.md), whether the year's rate is
    # known or not: its own reading, read for these rows only (the others' amount does not depend on it: they are not
    # marked as resting on it). Both rates missing, it is this reading that decides (it was « pas de malus » whatever
    # the reading, and not marked as resting on it: audit).
    if ref_missing.any():
        with ctx.for_rows(ref_missing):
            if ind.sans_reference.valeur == "malus":
                applies |= ref_missing
    # The year's rate missing, the reference known: « strictly below » cannot be shown (docs/regles.md); its
    # own reading, read for these rows only.
    rate_only_missing = r_missing & ~ref_missing
    if rate_only_missing.any():
        with ctx.for_rows(rate_only_missing):
            if ind.taux_annee_manquant.valeur == "malus":
                applies |= rate_only_missing
    malus_pct = ind.taux_pct.valeur
    cents = ctx.cents(lambda mode: np.where(applies, -money.percentage_of_cents(total, malus_pct, mode), 0))
    pct = num(ind.taux_pct.valeur)
    note = filled(ctx.n, "")
    note[applies] = [f"taux non inférieur à la référence : malus {pct} % × {t} = {c}"
                     for t, c in zip(per_distinct(eur, total[applies]), per_distinct(eur, -cents[applies]))]
    note[~applies & ref_missing] = "pas de taux de référence (2019) : pas de malus"
    note[applies & ref_missing] = [
        f"pas de taux de référence (2019) : malus {pct} % × {t} = {c} (baisse non démontrée)"
        for t, c in zip(per_distinct(eur, total[applies & ref_missing]), per_distinct(eur, -cents[applies & ref_missing]))]
    note[rate_only_missing & ~applies] = "taux de l'année manquant : pas de malus (donnée manquante)"
    note[rate_only_missing & applies] = [
        f"taux de l'année manquant : malus {pct} % × {t} = {c} (baisse non démontrée)"
        for t, c in zip(per_distinct(eur, total[rate_only_missing & applies]),
                        per_distinct(eur, -cents[rate_only_missing & applies]))]
    note[r_missing & ref_missing & ~applies] = "taux de l'année et taux de référence manquants : pas de malus"
    note[r_missing & ref_missing & applies] = [
        f"taux de l'année et taux de référence manquants : malus {pct} % × {t} = {c} (baisse non démontrée)"
        for t, c in zip(per_distinct(eur, total[r_missing & ref_missing & applies]),
                        per_distinct(eur, -cents[r_missing & ref_missing & applies]))]
    atteint = pick(applies, "malus", "pas de malus")
    atteint[(r_missing | ref_missing) & ~applies] = MANQUANT
    # an empty rate is said « vide », as in the molecules' values: « % (référence 3 %) » showed a bare sign (audit)
    valeur = np.array([f"{a + ' %' if a else VIDE} (référence {b + ' %' if b else VIDE})"
                       for a, b in zip(per_distinct(num_exact, shown(rate)), per_distinct(num_exact, shown(ref)))],
                      dtype=object)
    valeur[np.isnan(rate) & np.isnan(ref)] = None
    return Block("malus_urgence", valeur,
        f"taux {ind.comparaison_reference.valeur.replace('<=', '≤')} taux de référence", atteint, cents,
        note, r_missing | ref_missing, type_ligne="malus")


def compute(ctx: Context, molecules: pd.DataFrame | None = None) -> list[Block]:
    blocks = [*ctx.rule(demarche_qualite), *ctx.rule(generiques_repertoire), *ctx.rule(molecules_ciblees, molecules),
              *ctx.rule(stabilite_75), *ctx.rule(asafo), *ctx.rule(ecoresponsable)]
    return finish_theme(ctx, THEME, blocks, malus_urgence)
