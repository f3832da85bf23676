"""What each theme rewards, how it is known, when it is paid and how it is declared (rules.md §7).

Text only: no amount or threshold lives here (those are in parameters/). Read by the reports.
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCE_DECLARATION = "Guide de déclaration amelipro, exercice 2025 (seeds/guide-declaration-amelipro-2025.txt)"
DECLARATION_PATH = "amelipro › téléservice « Ma Convention » › « Convention – Rosp » › « Déclarer mes indicateurs »"


@dataclass(frozen=True)
class ThemeInfo:
    code: str
    notebook: str
    titre: str
    recompense: str
    mesure: str
    versement: str
    declaration: tuple[str, ...]  # items declared on amelipro (empty: all automated)
    justificatifs: tuple[str, ...]
    automatique: str


THEMES_INFO: dict[str, ThemeInfo] = {
    "numerique": ThemeInfo(
        "numerique", "01_numerique",
        "Développement du numérique en santé et amélioration de l'accès aux soins (« REMU NUM »)",
        "l'équipement et les usages numériques de l'officine (FSE SESAM-Vitale, SCOR, DMP, MSSanté, appli carte "
        "Vitale, mise à jour de la carte Vitale) et l'accès aux soins (exercice coordonné, téléconsultation, "
        "pharmacien correspondant en zone ZIP/ZAC). Les indicateurs socles conditionnent tout le thème ; "
        "un malus « qualité de la facturation » peut réduire l'ensemble.",
        "indicateurs déclarés sur amelipro par le titulaire, les autres calculés par l'Assurance Maladie à partir "
        "des données de facturation ; malus mesuré du 4e trimestre N-1 au 3e trimestre N.",
        "au plus tard en avril N+1 (code acte PQS).",
        ("exercice coordonné (ESP, MSP, CPTS ; un PRADO ne compte pas)", "logiciel référencé Ségur",
         "LAD certifié HAS (neutralisé : ne pas déclarer)", "équipement de mise à jour de la carte Vitale "
         "(bornes, lecteurs)", "équipement de téléconsultation", "BAL organisationnelle couplée à la MSS",
         "attestation sur l'honneur"),
        ("facture ou bon de commande du logiciel Ségur : éditeur, nom, version, date d'acquisition, mention "
         "du référencement Ségur", "preuve de la participation à l'exercice coordonné (MSP, CPTS, ESP…)",
         "factures des équipements (lecteurs, borne, téléconsultation)"),
        "FSE, SCOR, DMP, MSS, appli carte Vitale, e-prescription, téléconsultations, patients du pharmacien "
        "correspondant et sous-indicateurs du malus : mesurés automatiquement.",
    ),
    "bups": ThemeInfo(
        "bups", "02_bups", "Bon usage des produits de santé (BUPS)",
        "la démarche qualité de l'officine, la pénétration des génériques (socles), la substitution des molécules "
        "ciblées (génériques, hybrides, biosimilaires), la stabilité de délivrance aux 75 ans et plus, la connexion "
        "à ASAFO-Pharma et la démarche écoresponsable. Un malus de 20 % s'applique si le recours au motif "
        "« urgence » ne baisse pas.",
        "démarche qualité et écoresponsabilité déclarées ; taux calculés par l'Assurance Maladie.",
        "avant la fin du 1er trimestre N+1.",
        ("auto-évaluation HCQO de l'année", "inscription à la newsletter", "programme d'amélioration de la qualité",
         "démarche écoresponsable (programme annuel, niveau visé, items A, B, C)", "attestation sur l'honneur"),
        ("attestation HCQO datée de l'année", "programme annuel de développement durable et preuves des items"),
        "génériques du répertoire, molécules ciblées, stabilité 75 ans et plus, ASAFO-Pharma, motif urgence : "
        "mesurés automatiquement.",
    ),
    "vaccination": ThemeInfo(
        "vaccination", "03_vaccination", "Prescription des vaccinations recommandées",
        "la part des vaccinations que le pharmacien a prescrites et réalisées (RVA à 9,60 €) parmi toutes celles "
        "qu'il a réalisées (RVA à 9,60 € et à 7,50 €) ; les injections annuelles grippe et COVID ne comptent pas.",
        "calculé par l'Assurance Maladie à partir des actes facturés (codes RVA).",
        "au 1er semestre N+1 ; le bonus prend fin le 1er avril 2027 (remplacé par un honoraire de prescription).",
        (), (), "entièrement automatique : rien à déclarer.",
    ),
    "colorectal": ThemeInfo(
        "colorectal", "04_colorectal", "Dépistage organisé du cancer colorectal",
        "la remise de kits de dépistage (code RKD) aux personnes de 50 à 74 ans : par kit remis en 2022–2023, "
        "par kit dont le test a été réalisé depuis 2024 (la remise elle-même est alors facturée à l'acte, hors ROSP).",
        "calculé par l'Assurance Maladie à partir des actes facturés.",
        "au 2e trimestre N+1 (depuis 2024).",
        (), (), "entièrement automatique : rien à déclarer.",
    ),
    "dispensation_unite": ThemeInfo(
        "dispensation_unite", "05_dispensation_unite", "Dispensation à l'unité",
        "la dispensation à l'unité des antibiotiques (quand le conditionnement le permet) et la délivrance "
        "fractionnée des stupéfiants et assimilés, par dispensation, dans la limite d'un plafond annuel.",
        "calculé par l'Assurance Maladie à partir des actes facturés.",
        "avec la ROSP de l'exercice, en N+1.",
        (), (), "entièrement automatique : rien à déclarer.",
    ),
    "dispositif_2024": ThemeInfo(
        "dispositif_2024", "06_dispositif_2024", "Dispositif exceptionnel 2024 (avenant 1, art. 1)",
        "pour l'exercice 2024 seulement : TROD angine, locaux adaptés au dépistage de la cystite, entretiens "
        "patients chroniques ou bilans de médication, accompagnement de la femme enceinte, progression des kits "
        "de dépistage colorectal, substitution d'un hybride et d'un biosimilaire.",
        "locaux TROD cystite déclarés par téléservice ; le reste calculé à partir des actes facturés.",
        "au 1er semestre 2025.",
        ("locaux adaptés au dépistage de l'infection urinaire (téléservice)",), ("description des locaux",),
        "TROD, entretiens, accompagnements, kits et substitutions : mesurés automatiquement.",
    ),
}

DECLARATION_WINDOWS = {
    2025: "du 1er décembre 2025 au 27 février 2026 inclus",
}

CESSION = ("En cas de cession en cours d'année, le cédant déclare sur formulaire papier adressé à la CPAM, "
           "l'acquéreur en ligne ; chacun perçoit la ROSP au prorata de son temps d'activité.")


def declaration_window(exercice: int) -> str:
    known = DECLARATION_WINDOWS.get(exercice)
    if known:
        return f"{known} ({SOURCE_DECLARATION})"
    return ("non publiée dans nos sources pour cet exercice ; pour l'exercice 2025 elle allait du 1er décembre 2025 "
            "au 27 février 2026 : vérifiez la date sur amelipro")
