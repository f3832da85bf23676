"""Développement du numérique en santé et amélioration de l'accès aux soins (livre des règles : docs/regles.md)."""

from __future__ import annotations

import numpy as np

from ..lines import money
from ..lines.formatting import agreed, eur, eur_value, num
from ..lines.text import MANQUANT, OUI, SANS_OBJET, filled, per_distinct, pick
from ..registry import indicator
from ..rulebook import bareme_text
from .base import Block, Context, compare, compare_to, finish_theme, seuil_text, socle_state

THEME = "numerique"


# --- 1.1 socles -------------------------------------------------------------------------------

def _lower_amount_paid(ctx: Context, rows: np.ndarray) -> np.ndarray:
    """The rows, among `rows` (a missing input that only chooses between two positive amounts), where the lower
    amount is paid under the reading `general.donnee_manquante_montant_bas` (docs/regles.md); read for those rows
    only, so that only their lines depend on it."""
    if not rows.any():
        return np.zeros(ctx.n, dtype=bool)
    with ctx.for_rows(rows):
        return rows if ctx.p.general.donnee_manquante_montant_bas.valeur else np.zeros(ctx.n, dtype=bool)

def exercice_coordonne(ctx: Context) -> Block | None:
    """Participer à un exercice coordonné (ESP, MSP, CPTS) — socle payé ; une année « non exigé », payé sans
    bloquer le thème."""
    ind = ctx.p.numerique.exercice_coordonne
    if ind.etat.valeur == "absent":
        return None
    if not ind.en_vigueur:
        return ctx.neutralised("exercice_coordonne", socle=True)
    ok = ctx.flag("exercice_coordonne")
    return socle_state(ind, Block("exercice_coordonne", ctx.yes_no(ok), "déclaré oui", ctx.labels(ok),
                                  ctx.cents_if(ok, ind.montant.valeur)))


def declared_socle(ctx: Context, code: str, column: str, expect: bool = True) -> Block | None:
    """A declared socle that pays nothing: met when the declaration is `expect`."""
    ind = getattr(ctx.p.numerique, code)
    if ind.etat.valeur == "absent":
        return None
    if not ind.en_vigueur:
        return ctx.neutralised(code, socle=True)
    value = ctx.flag(column)
    ok = value == expect
    word = "oui" if expect else "non"
    # a socle the titulaire does not declare (no fraud conviction: checked by the Assurance Maladie) is not « déclaré »
    seuil = f"déclaré {word}" if indicator(code).declaratif else f"{word} (vérifié par l'Assurance Maladie)"
    return socle_state(ind, Block(code, ctx.yes_no(value), seuil, ctx.labels(ok), ctx.zeros()))


def lad_certifie_has(ctx: Context) -> Block | None:
    """Disposer d'un LAD certifié HAS — payé les deux premières années (neutralisé jusqu'ici)."""
    ind = ctx.p.numerique.lad_certifie_has
    if ind.etat.valeur == "absent":
        return None
    if not ind.en_vigueur:
        return ctx.neutralised("lad_certifie_has", socle=True)
    ok = ctx.flag("lad_certifie_has")
    return socle_state(ind, Block("lad_certifie_has", ctx.yes_no(ok), "déclaré oui", ctx.labels(ok),
                                  ctx.cents_if(ok, ind.montant.valeur)))


def ordonnance_numerique_socle(ctx: Context) -> Block | None:
    """Ordonnance numérique pour une part minimale des délivrances sur prescription de ville (socle)."""
    ind = ctx.p.numerique.ordonnance_numerique_socle
    if ind.etat.valeur == "absent":
        return None
    if not ind.en_vigueur:
        return ctx.neutralised("ordonnance_numerique_socle", socle=True)
    v, missing = ctx.rate("taux_ordonnance_numerique_pct")
    ok = compare(v, ind.seuil_pct)
    return socle_state(ind, Block("ordonnance_numerique_socle", v, seuil_text(ind.seuil_pct), ctx.labels(ok, missing),
                                  ctx.zeros(), manquant=missing))


# --- 1.2 complementary indicators ----------------------------------------------------------------
def fse(ctx: Context) -> Block:
    """Taux de FSE en SESAM-Vitale : prix haut par FSE au seuil, sinon prix bas."""
    ind = ctx.p.numerique.fse
    if not ind.actif:
        return ctx.neutralised("fse")
    rate, rate_missing = ctx.rate("taux_fse_sesam_vitale_pct")
    n, n_missing = ctx.count("nb_fse")
    high = compare(rate, ind.seuil_pct)
    high_price, low_price = ind.prix_unitaire_haut.valeur, ind.prix_unitaire_bas.valeur
    missing = rate_missing | n_missing
    # The count known, the rate empty: the rate only chooses between two positive unit prices, so the
    # lower one is paid, still flagged « donnée manquante » (docs/regles.md; reading `donnee_manquante_montant_bas`).
    pays_lower = _lower_amount_paid(ctx, rate_missing & ~n_missing)
    cents = ctx.cents(lambda mode: np.where(missing & ~pays_lower, 0, np.where(
        high, money.times_cents(n, high_price, mode), money.times_cents(n, low_price, mode))))
    hi, lo = eur_value(ind.prix_unitaire_haut.valeur), eur_value(ind.prix_unitaire_bas.valeur)
    note = pick(high, f"{hi} × nb_fse (taux ≥ seuil)", f"{lo} × nb_fse (taux sous le seuil)")
    note[missing] = "taux ou nombre de FSE manquant"
    note[pays_lower] = f"taux manquant : tarif bas versé, {lo} × nb_fse"
    atteint = ctx.labels(high, missing)
    return Block("fse", rate, seuil_text(ind.seuil_pct) + f" → {hi}/FSE, sinon {lo}/FSE", atteint, cents, note,
        missing)


def rate_forfait(ctx: Context, code: str, column: str) -> Block:
    """A fixed amount paid when a rate reaches its threshold (SCOR, DMP, MSS, e-prescription, ApCV)."""
    ind = getattr(ctx.p.numerique, code)
    if not ind.actif:
        return ctx.neutralised(code)
    v, missing = ctx.rate(column)
    ok = compare(v, ind.seuil_pct)
    return Block(code, v, seuil_text(ind.seuil_pct), ctx.labels(ok, missing), ctx.cents_if(ok, ind.montant.valeur),
        f"{eur_value(ind.montant.valeur)} si atteint", missing)


def bal_organisationnelle(ctx: Context, mss_met: np.ndarray, mss_missing: np.ndarray) -> Block:
    """Majoration si une BAL organisationnelle est déclarée et que l'indicateur MSS est atteint. Déclarée avec un taux
    MSS manquant : l'indicateur MSS est inconnu, la ligne aussi (« donnée manquante », 0 €), pas « non atteint »."""
    ind = ctx.p.numerique.bal_organisationnelle
    if not ind.actif:
        return ctx.neutralised("bal_organisationnelle")
    declared = ctx.flag("bal_organisationnelle")
    ok = declared & mss_met
    unknown = declared & mss_missing
    note = pick(declared & ~mss_met, "BAL déclarée mais indicateur MSS non atteint", "")
    note[unknown] = "BAL déclarée, indicateur MSS inconnu (taux MSS manquant)"
    return Block("bal_organisationnelle", ctx.yes_no(declared), "déclaré oui et MSS atteint", ctx.labels(ok, unknown),
        ctx.cents_if(ok, ind.montant.valeur), note, unknown)


def maj_carte_vitale(ctx: Context) -> Block:
    """Mise à jour de la carte Vitale : un montant par lecteur (plafonné) sans borne ; montant de la borne + lecteurs avec borne."""
    ind = ctx.p.numerique.maj_carte_vitale
    if not ind.actif:
        return ctx.neutralised("maj_carte_vitale")
    borne = ctx.flag("borne_maj_carte_vitale")
    # The amount depends on the number of readers, with or without a borne: an empty count is
    # "donnée manquante" (docs/regles.md), never read as 0 readers (689 € with a borne, silently).
    readers, missing = ctx.count("nb_lecteurs_maj_carte_vitale")
    per_reader = money.euros_to_cents(ind.montant_par_lecteur.valeur)
    max_without = ind.nb_lecteurs_max_sans_borne.valeur
    max_with = ind.nb_lecteurs_max_avec_borne.valeur
    counted = np.where(borne, np.minimum(readers, max_with), np.minimum(readers, max_without))
    cents = np.where(borne, money.euros_to_cents(ind.montant_borne.valeur), 0) + counted * per_reader
    # With a borne, the reader count only chooses between positive amounts: the borne's amount alone
    # (0 reader) is paid, still flagged « donnée manquante » (docs/regles.md; `donnee_manquante_montant_bas`).
    pays_lower = _lower_amount_paid(ctx, borne & missing)
    cents = np.where(missing & ~pays_lower, 0, cents)
    valeur = per_distinct(lambda b, r, m: f"borne : {'oui' if b else 'non'}, lecteurs : {'inconnu' if m else r}",
                          borne, readers, missing)

    def explained(b: bool, paid: int, declared: int) -> str:
        """The readers counted, so that the amount can be redone: « 689,00 € (borne) + 250,00 € × 1 lecteur »."""
        text = (f"{eur_value(ind.montant_borne.valeur)} (borne) + " if b else "") + (
            f"{eur_value(ind.montant_par_lecteur.valeur)} × {paid} {agreed(paid, 'lecteur', 'lecteurs')}")
        if declared > paid:
            text += f" (plafond {'avec' if b else 'sans'} borne atteint : {paid} sur {declared} déclarés)"
        return text

    note = per_distinct(explained, borne, counted, readers)
    note[missing] = "nombre de lecteurs manquant"
    note[pays_lower] = f"nombre de lecteurs manquant : montant de la borne seul versé ({eur_value(ind.montant_borne.valeur)})"
    return Block("maj_carte_vitale", valeur,
        f"sans borne : max {max_without} lecteurs ; avec borne : max {max_with}",
        ctx.labels(cents > 0, missing), cents, note, missing)


def teleconsultation_equipement(ctx: Context) -> Block:
    """Aide à la téléconsultation : forfait d'équipement, la première année de l'activité."""
    ind = ctx.p.numerique.teleconsultation
    if not ind.actif:
        return ctx.neutralised("teleconsultation_equipement")
    eq_ok = ctx.flag("teleconsultation_equipee") & ctx.flag("teleconsultation_premiere_annee")
    return Block("teleconsultation_equipement", ctx.yes_no(eq_ok), "équipement déclaré et première année",
                 ctx.labels(eq_ok), ctx.cents_if(eq_ok, ind.forfait_equipement.valeur))


def teleconsultation(ctx: Context) -> Block:
    """Aide à la téléconsultation : un montant par tranche de téléconsultations assistées, plafonné."""
    ind = ctx.p.numerique.teleconsultation
    if not ind.actif:
        return ctx.neutralised("teleconsultation")
    equipped = ctx.flag("teleconsultation_equipee")
    n, missing = ctx.count("nb_teleconsultations")
    size = ind.taille_tranche.valeur
    started = ind.tranches.valeur == "entamee"
    tranches = -(-n // size) if started else n // size
    # the first year pays the equipment forfait only, under this reading: said whatever the count (review: with 0
    # téléconsultations the line read « ⌈0 / 5⌉ = 0 tranche »)
    forfait_only = (ctx.flag("teleconsultation_premiere_annee") if ind.premiere_annee.valeur == "forfait_seul"
                    else np.zeros(ctx.n, dtype=bool))
    tranches = np.where(forfait_only, 0, tranches)
    cap = money.euros_to_cents(ind.plafond_tranches.valeur)
    raw = tranches * money.euros_to_cents(ind.montant_par_tranche.valeur)
    per_tranche = np.where(equipped, np.minimum(raw, cap), 0)
    miss = equipped & missing
    # the count of tranches shown from the téléconsultations (review: « 36 tranches » without ⌈180 / 5⌉ = 36)
    brackets = ("⌈", "⌉") if started else ("⌊", "⌋")

    def explained(count: int, first: bool, t: int, r: int, e: bool) -> str:
        if not e:
            return "équipement non déclaré"
        if first:
            return "première année : forfait d'équipement seul, pas de tranche"
        return (f"{brackets[0]}{num(count)} / {size}{brackets[1]} = {t} {agreed(t, 'tranche', 'tranches')} × "
                f"{eur_value(ind.montant_par_tranche.valeur)}" + (f" = {eur(r)}, plafonné à {eur(cap)}" if r > cap else ""))

    note = per_distinct(explained, n, forfait_only, tranches, raw, equipped)
    note[miss] = "nombre de téléconsultations manquant"
    atteint = ctx.labels(per_tranche > 0, miss)
    return Block("teleconsultation", np.where(missing, None, n).astype(object),
                 f"tranche de {size} ({'entamée' if ind.tranches.valeur == 'entamee' else 'complète'}), plafond {eur(cap)}",
                 atteint, per_tranche, note, miss)


def pharmacien_correspondant(ctx: Context) -> Block:
    """Pharmacien correspondant en zone ZIP/ZAC : montant par patient à deux paliers, plafonné."""
    ind = ctx.p.numerique.pharmacien_correspondant
    if not ind.actif:
        return ctx.neutralised("pharmacien_correspondant")
    zone = ctx.flag("zone_zip_zac")
    n, missing = ctx.count("nb_patients_correspondant")
    step = ind.nb_patients_palier_1.valeur
    raw = (np.minimum(n, step) * money.euros_to_cents(ind.montant_par_patient_palier_1.valeur)
           + np.maximum(n - step, 0) * money.euros_to_cents(ind.montant_par_patient_palier_2.valeur))
    cap = money.euros_to_cents(ind.plafond.valeur)
    cents = np.where(zone, np.minimum(raw, cap), 0)
    miss = zone & missing
    atteint = ctx.labels(cents > 0, miss)
    atteint[~zone] = SANS_OBJET
    p1, p2 = eur_value(ind.montant_par_patient_palier_1.valeur), eur_value(ind.montant_par_patient_palier_2.valeur)

    def arithmetic(k: int, total: int) -> str:  # « 100 × 2,00 € + 350 × 1,00 € = 550,00 €, plafonné à 500,00 € »
        text = f"{num(min(k, step))} × {p1}" + (f" + {num(k - step)} × {p2}" if k > step else "") + f" = {eur(total)}"
        return text + (f", plafonné à {eur(cap)}" if total > cap else "")

    note = per_distinct(lambda k, total, z, m: arithmetic(int(k), int(total)) if z and not m and k > 0 else "",
                        n, raw, zone, missing)
    note[~zone] = "officine hors zone ZIP/ZAC"
    return Block("pharmacien_correspondant", np.where(missing, None, n).astype(object),
        f"{eur_value(ind.montant_par_patient_palier_1.valeur)}/patient jusqu'à {step}, "
                 f"{eur_value(ind.montant_par_patient_palier_2.valeur)} au-delà, plafond {eur(cap)}",
        atteint, cents, note, miss)


# --- 1.3 malus qualité de la facturation -----------------------------------------------------------
def facturation_fse_securisees(ctx: Context) -> Block:
    """Points du taux de FSE sécurisées : écart à la cible minimale de l'exercice."""
    m = ctx.p.numerique.malus_qualite_facturation
    v, missing = ctx.rate("taux_fse_securisees_pct")
    target = m.fse_securisees_cible_pct
    met = compare(v, target)
    # The size of the gap that gives the strong points is read for the rows with a gap only: a rate at the target, or
    # missing, has 0 point whatever it is (they named its hypothesis: audit).
    with ctx.for_rows(~met & ~missing):
        gap = m.fse_securisees_ecart_fort_points
        gap_limit = target.valeur - gap.valeur
        # « écart de plus de N points » (>) : the rate under target − N; « au moins N points » (>=) : at or under it
        below = {">": "<", ">=": "<="}[gap.comparaison]
    strong = ~met & ~missing & compare_to(v, below, gap_limit)
    pts = np.where(met | missing, 0, np.where(strong, m.fse_securisees_points_ecart_fort.valeur, m.fse_securisees_points_ecart_faible.valeur))
    return _points_block(ctx, "facturation_fse_securisees", v, missing,
                         f"cible {seuil_text(target)} ; écart de plus de {num(gap.valeur)} points → "
                         f"{m.fse_securisees_points_ecart_fort.valeur} pts, sinon {m.fse_securisees_points_ecart_faible.valeur} pts", pts)


def facturation_taux(ctx: Context, code: str, column: str, prefix: str) -> Block:
    """Points d'un taux à deux seuils (rejets IRIS, double paiement) : bas et haut."""
    m = ctx.p.numerique.malus_qualite_facturation
    high = getattr(m, f"{prefix}_seuil_haut_pct")
    v, missing = ctx.rate(column)
    # A low threshold decides the points of a rate above 0 and not above the high threshold only: a rate of 0 has no
    # point and one above the high threshold its high points, whatever the low one is (its reading, the double
    # paiement's, was named on every malus line: audit). Any rate between may move with the reading — the retained
    # one, the other one, or a scenario's either way (review: a scenario's 0,01 % against the tool's 0,06 %) — and is
    # named, though the two published readings give the same points to some of them.
    with ctx.for_rows(~missing & (np.asarray(v) > 0) & ~compare(v, high)):
        low = getattr(m, f"{prefix}_seuil_bas_pct")
    plow, phigh = getattr(m, f"{prefix}_points_bas"), getattr(m, f"{prefix}_points_haut")
    pts = np.where(compare(v, high), phigh.valeur, np.where(compare(v, low), plow.valeur, 0))
    return _points_block(ctx, code, v, missing, f"{seuil_text(low)} → {plow.valeur} pts ; {seuil_text(high)} → {phigh.valeur} pts", pts)


def _points_block(ctx, code, v, missing, seuil, pts) -> Block:
    atteint = ctx.labels(pts == 0, missing)
    note = per_distinct(lambda p: f"{p} {agreed(p, 'point', 'points')}", pts)
    note[missing] = "taux manquant : 0 point"
    block = Block(code, v, seuil, atteint, ctx.zeros(), note, missing, type_ligne="information")
    block.points = pts
    return block


def malus_line(ctx: Context, sub: list[Block], total: np.ndarray) -> Block:
    """Malus « qualité de la facturation » : la somme des points donne un taux (barème) appliqué à tout le thème."""
    m = ctx.p.numerique.malus_qualite_facturation
    score = sum(b.points for b in sub)
    factures, f_missing = ctx.count("nb_factures_periode_malus")
    applies = ~f_missing & compare(factures, m.nb_factures_min)  # the threshold says how it compares (audit)
    rate = np.zeros(ctx.n, dtype=object)
    rate[:] = 0
    for palier in sorted(m.bareme.valeur, key=lambda p: p.score_min):
        rate = np.where(score >= palier.score_min, palier.taux_pct, rate)
    rate = np.where(applies, rate, 0)

    def maluses(mode: str) -> np.ndarray:
        cents = np.zeros(ctx.n, dtype=np.int64)
        for r in {x for x in rate if x}:
            sel = rate == r
            cents[sel] = -money.percentage_of_cents(total[sel], r, mode)
        return cents

    cents = ctx.cents(maluses)
    note = filled(ctx.n, "")
    # « score 0 point » as its sub-lines say their points (« score 0 pts » beside « 0 point »: review)
    note[applies] = [f"score {s} {agreed(s, 'point', 'points')} → malus {r_text} % × {t} = {c}" if r
                     else f"score {s} {agreed(s, 'point', 'points')} → pas de malus"
                     for s, r, r_text, t, c in zip(score[applies], rate[applies], per_distinct(num, rate[applies]),
                                                   per_distinct(eur, total[applies]), per_distinct(eur, -cents[applies]))]
    note[f_missing] = "nombre de factures manquant : malus non calculé"
    short = {">=": "moins de", ">": "au plus"}[m.nb_factures_min.comparaison]  # the threshold not met, in words
    note[~f_missing & ~applies] = f"{short} {num(m.nb_factures_min.valeur)} factures sur la période : pas de malus"
    # the malus applies by its score, whatever the theme it is taken on: « pas de malus » beside « score 3 pts →
    # malus 10 % × 0,00 € » (a theme voided by its socle) contradicted the line's own calculation (audit)
    atteint = pick(applies & (rate != 0), "malus", "pas de malus")
    atteint[f_missing] = MANQUANT
    line = Block("malus_qualite_facturation", score, bareme_text(m.bareme.valeur), atteint, cents, note, f_missing,
                 type_ligne="malus")
    for b in sub:  # the score is the sub-indicators' points, and what each read for some rows only (the size of the
        line.depends(applies, b.reads)  # FSE sécurisées gap under a target: it was missing from the malus line, audit)
        for mask, reads in b.row_reads:
            line.depends(applies & mask, reads)
    return line


def compute(ctx: Context) -> list[Block]:
    blocks: list[Block] = [
        *ctx.rule(exercice_coordonne),
        *ctx.rule(declared_socle, "logiciel_segur", "logiciel_segur"),
        *ctx.rule(lad_certifie_has),
        *ctx.rule(declared_socle, "absence_fraude", "condamnation_fraude", False),
        *ctx.rule(ordonnance_numerique_socle),
        *ctx.rule(fse),
        *ctx.rule(rate_forfait, "scor", "taux_qualite_scor_pct"),
        *ctx.rule(rate_forfait, "dmp", "taux_dmp_pct"),
    ]
    mss, = ctx.rule(rate_forfait, "mss", "taux_mss_pct")
    bal, = ctx.rule(bal_organisationnelle, mss.atteint == OUI, mss.atteint == MANQUANT)
    bal.depends(bal.valeur == "oui", mss.reads)  # the BAL's majoration needs the MSS indicator met
    blocks += [mss, bal]
    blocks += ctx.rule(rate_forfait, "eprescription", "taux_eprescription_pct")
    blocks += ctx.rule(rate_forfait, "apcv", "taux_apcv_pct")
    blocks += ctx.rule(maj_carte_vitale)
    blocks += ctx.rule(teleconsultation_equipement)
    blocks += ctx.rule(teleconsultation)
    blocks += ctx.rule(pharmacien_correspondant)
    malus = None
    if ctx.params.numerique.malus_qualite_facturation.actif:
        sub = [*ctx.rule(facturation_fse_securisees),
               *ctx.rule(facturation_taux, "facturation_rejets_iris", "taux_rejets_iris_pct", "rejets_iris"),
               *ctx.rule(facturation_taux, "facturation_double_paiement", "taux_double_paiement_pct", "double_paiement")]
        blocks += sub
        malus = lambda c, total: malus_line(c, sub, total)  # noqa: E731
    return finish_theme(ctx, THEME, blocks, malus)
