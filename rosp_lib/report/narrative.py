"""Sentences the reports share that are not lists nor numbers of a rule.

The themes, their titles, what they reward, when they are paid and what is declared are in the
registry (`rosp_lib.registry`); amounts, thresholds and dates are in the parameters. What is left here
is prose that holds for every theme and every exercise.
"""

from __future__ import annotations

DECLARATION_PATH = "amelipro › téléservice « Ma Convention » › « Convention – Rosp » › « Déclarer mes indicateurs »"

ATTESTATION = "l'attestation sur l'honneur, à la fin de la déclaration"

# The amount of a theme that does not exist an exercise (no line, nothing to pay), in the index, the synthesis and
# the network view; its legend, below any table that shows it.
ABSENT = "—"
ABSENT_LEGEND = "« — » : thème sans objet cet exercice-là (il n'existe pas cette année-là : aucune ligne, rien à verser)."

def cession(prorata_forfaits: bool, carte_vitale_dispositif_2024: bool = True, per_act: tuple[str, ...] = ()) -> str:
    """Who declares and who is paid when the pharmacy changes hands during the year. Only the forfaits are prorated
    (hypothesis `general.prorata_forfaits`, its value given): an amount per act is computed on the titulaire's own
    acts, and a cap is not prorated — « au prorata de son temps d'activité » alone had a reader prorate the
    dispensations à l'unité of a partial year too. The carte Vitale equipment and the 2024 device are forfaits under
    their own hypothesis (`general.prorata_carte_vitale_dispositif_2024`): said when a scenario pays them in full.
    `per_act`: the titles of the exercise's amounts per act (`Indicator.par_acte`, in force), named in brackets."""
    forfaits = ("les forfaits au prorata de ses jours d'activité ⚠" if prorata_forfaits
                else "les forfaits en entier, sans prorata (lecture du scénario)")
    if prorata_forfaits and not carte_vitale_dispositif_2024:
        forfaits += (" (sauf l'équipement de mise à jour de la carte Vitale et le dispositif exceptionnel 2024, "
                     "versés en entier : lecture du scénario)")
    named = f" ({' ; '.join(per_act)})" if per_act else ""
    return ("En cas de cession en cours d'année, le cédant déclare sur formulaire papier adressé à la CPAM, "
            "l'acquéreur en ligne ; chacun perçoit la ROSP de son temps d'activité sur l'exercice : "
            f"{forfaits}, les montants à l'unité{named} sur ses propres actes, sans prorata, et les plafonds "
            "entiers.")

FENETRE = ("la fenêtre de déclaration de l'exercice n'est pas dans les paramètres de l'outil : vérifiez ses dates "
           "sur amelipro avant de déclarer")

NEUTRALISE = "neutralisé pour cet exercice : ne pas le déclarer, il ne compte ni comme socle ni comme indicateur"


def declaration_window(exercice: int) -> str:
    """The declaration window of an exercise: no date is typed here (none is a parameter yet)."""
    return FENETRE


def not_applicable(theme_title: str, exercice: int) -> str:
    """One sentence for a theme that does not exist in an exercise."""
    return (f"Le thème « {theme_title} » n'existe pas pour l'exercice {exercice} : il ne paie rien cette année-là "
            "et il n'y a rien à déclarer.")


def days(n: int) -> str:
    """« 1 jour », « 184 jours »."""
    from rosp_lib.lines.formatting import counted

    return counted(n, "jour", "jours")
