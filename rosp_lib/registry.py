"""The registry: the one list of the ROSP's themes and of their indicators.

Every layer reads it — the rules (labels), the lines, the CLI, the notebooks and their Explorer, the
generated docs and the tests. Nothing else in the code lists the themes or the indicators.

Each indicator carries its French title and its rule text as *templates*: a `{name}` placeholder is
filled from the exercise's parameters (`rosp_lib.rulebook.render`), so that no amount, threshold,
percentage or date of a rule is typed here. `{seuil_pct}` reads the leaf `seuil_pct` of the
indicator's parameter node; `{numerique.mss.seuil_pct}` reads any leaf by its full path; a format
spec chooses how a leaf is written (`{seuil_pct:texte}` → « au moins 70 % », `{seuil_pct:verbe}` → « atteint
au moins 70 % » / « dépasse 70 % », the verb of a sentence whose subject is the value compared,
`{seuil_pct:signe}` → « ≥ 70 % »; see `rulebook`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

TypeLigne = Literal["socle", "indicateur", "malus", "information"]


@dataclass(frozen=True)
class Justificatif:
    """A document a pharmacy keeps for a control and attaches to a claim, and the indicators it proves: a claim
    draft lists it only when one of them is in force that exercise (`rulebook.in_force`)."""

    texte: str
    indicateurs: tuple[str, ...]


@dataclass(frozen=True)
class Mesure:
    """What the Assurance Maladie measures itself for a theme (« FSE », « e-prescription »), and the indicators it is
    measured for: a report lists it only when one of them is in force that exercise (`rulebook.in_force`)."""

    texte: str
    indicateurs: tuple[str, ...]


@dataclass(frozen=True)
class Theme:
    code: str
    ordre: int
    titre: str
    notebook: str  # the report notebook, without .ipynb
    recompense: str  # what the theme rewards (no number: those are in the rule texts)
    mesure: str  # how the values are known
    pieces: tuple[Justificatif, ...] = ()  # the documents to keep, each with the indicators it proves
    automatique: str = ""  # what is measured automatically, when it is the same every exercise (else `mesures`)
    titre_court: str = ""  # for navigation links and chart labels
    # The code acte the payment is made under, when published (« PQS »): how to find it on a statement. When it is
    # paid is a parameter of each exercise (`calendrier.versement.<code>`), with its source and status.
    code_acte: str = ""
    # what is measured automatically, item by item: the e-prescription, neutralised some exercises, or ASAFO-Pharma,
    # absent before 2024, were listed every exercise (review)
    mesures: tuple[Mesure, ...] = ()
    # The theme's malus: (its indicator, what it takes, said after `recompense`; how it is measured, after `mesure`) —
    # said only for an exercise that has it (the 2022 numérique page described a billing malus that 2022 does not
    # have: review)
    malus: tuple[str, str, str] | None = None
    # The theme's headings on the CNAM statement (« Explication de ma rémunération ROSP », reproduced by the Isipharm
    # guide), where they differ from its title: a statement row copied with its heading is read as the theme
    releve: tuple[str, ...] = ()

    def rewards(self, has_malus: bool = True) -> str:
        """What the theme rewards, with its malus when the exercise has one (`has_malus`)."""
        return self.recompense + (f" {self.malus[1]}" if self.malus and self.malus[1] and has_malus else "")

    def measured(self, has_malus: bool = True, exercice: int | None = None) -> str:
        """How the values are known, with its malus's period when the exercise has one (`has_malus`); N and N-1 said
        as the years of `exercice` when given (« du 4e trimestre 2024 au 3e trimestre 2025 »: review)."""
        text = self.mesure + (f" {self.malus[2]}" if self.malus and self.malus[2] and has_malus else "")
        if exercice is not None:
            text = re.sub(r"\bN-1\b", str(int(exercice) - 1), text)
            text = re.sub(r"\bN\b", str(int(exercice)), text)
        return text

    @property
    def justificatifs(self) -> tuple[str, ...]:
        """The texts of the theme's documents to keep, in order."""
        return tuple(p.texte for p in self.pieces)

    def payment_leaf(self, params):
        """The parameter of the last day the theme of this exercise (`params`) is paid by; None when the theme does not
        exist that exercise."""
        return getattr(params.calendrier.versement, self.code)

    def versement_deadline(self, params) -> dt.date:
        """The last day the theme of this exercise (`params`) is paid by (`calendrier.versement.<code>`)."""
        leaf = self.payment_leaf(params)
        if leaf is None:
            raise ValueError(f"le thème {self.code} n'existe pas pour l'exercice {params.exercice} : aucune date de "
                             "versement")
        return leaf.valeur

    def other_payment_date(self, params) -> tuple[dt.date, str] | None:
        """The other date the theme of this exercise (`params`) may be paid by, and what it is: the tool's own when the
        user's scenario replaced it (« celle de l'outil »), the other reading of a date that is a hypothesis of the
        tool (« l'autre lecture »); None when there is none, or it is the same date. Read by the reconciliation (what
        it says at its reference date) and by the batch (when a report's texts change)."""
        from .parameters import load_parameters
        from .rulebook import alternative_date

        leaf = self.payment_leaf(params)
        if leaf is None:
            return None
        if leaf.surcharge:
            tool = self.payment_leaf(load_parameters(params.exercice))
            return (tool.valeur, "celle de l'outil") if tool is not None and tool.valeur != leaf.valeur else None
        other = alternative_date(leaf.alternative) if leaf.statut == "hypothese" else None
        return (other, "l'autre lecture") if other is not None and other != leaf.valeur else None

    def versement_of(self, params) -> str:
        """When the theme of this exercise (`params`) is paid, in words (« au plus tard le 30/04/2026 (code acte
        PQS) »), without a final full stop and without the parameter's status (the reports add it)."""
        when = f"au plus tard le {self.versement_deadline(params):%d/%m/%Y}"
        return f"{when} (code acte {self.code_acte})" if self.code_acte else when


@dataclass(frozen=True)
class Indicator:
    code: str  # the line code (`indicateur` column of lignes.csv)
    theme: str
    titre: str  # template
    regle: str  # template: the rule, in French, as the texts say it
    noeud: str  # the parameter node, dotted (`numerique.fse`)
    type_ligne: TypeLigne = "indicateur"
    colonnes: tuple[str, ...] = ()  # the input columns the rule reads
    declaration: str = ""  # the item declared on amelipro, empty when measured automatically
    # A fixed amount (forfait), prorated to the days of activity in a partial year (`general.prorata_forfaits`); the
    # other amounts (per act, per box, per patient…) count the titulaire's own acts, and their caps stay whole.
    forfait: bool = False
    # the second reading the prorata of this forfait also rests on (the carte Vitale equipment and the 2024 device
    # are prorated only when both say so, docs/regles.md « Règles communes »)
    prorata_cle: str = ""

    @property
    def declaratif(self) -> bool:
        return bool(self.declaration)

    @property
    def par_acte(self) -> bool:
        """An amount per act, box or patient (not a forfait): counted on the titulaire's own acts, never prorated."""
        return not self.forfait and self.type_ligne == "indicateur"


THEMES: tuple[Theme, ...] = (
    Theme(
        "numerique", 1,
        "Développement du numérique en santé et amélioration de l'accès aux soins (« REMU NUM »)",
        "01_numerique",
        "l'équipement et les usages numériques de l'officine (FSE SESAM-Vitale, SCOR, DMP, MSSanté, appli carte "
        "Vitale, mise à jour de la carte Vitale) et l'accès aux soins (exercice coordonné, téléconsultation, "
        "pharmacien correspondant en zone ZIP/ZAC). Les indicateurs socles conditionnent tout le thème.",
        "indicateurs déclarés sur amelipro par le titulaire, les autres calculés par l'Assurance Maladie à partir "
        "des données de facturation.",
        (Justificatif("facture ou bon de commande du logiciel Ségur : éditeur, nom, version, date d'acquisition, "
                      "mention du référencement Ségur", ("logiciel_segur",)),
         Justificatif("preuve de la participation à l'exercice coordonné (MSP, CPTS, ESP…)", ("exercice_coordonne",)),
         Justificatif("factures des équipements (lecteurs, borne, téléconsultation)",
                      ("maj_carte_vitale", "teleconsultation_equipement", "teleconsultation"))),
        "",
        titre_court="Numérique (REMU NUM)", code_acte="PQS", releve=("Développement du numérique en santé",),
        mesures=(Mesure("FSE", ("fse",)), Mesure("SCOR", ("scor",)), Mesure("DMP", ("dmp",)), Mesure("MSS", ("mss",)),
                 Mesure("appli carte Vitale", ("apcv",)), Mesure("e-prescription", ("eprescription",)),
                 Mesure("téléconsultations", ("teleconsultation",)),
                 Mesure("patients du pharmacien correspondant", ("pharmacien_correspondant",)),
                 Mesure("sous-indicateurs du malus", ("malus_qualite_facturation",))),
        malus=("malus_qualite_facturation", "Un malus « qualité de la facturation » peut réduire l'ensemble.",
               "Malus mesuré du 4e trimestre N-1 au 3e trimestre N."),
    ),
    Theme(
        "bups", 2, "Bon usage des produits de santé (BUPS)", "02_bups",
        "la démarche qualité de l'officine, la pénétration des génériques (socles), la substitution des molécules "
        "ciblées (génériques, hybrides, biosimilaires), la stabilité de délivrance aux 75 ans et plus, la connexion "
        "à ASAFO-Pharma et la démarche écoresponsable.",
        "démarche qualité et écoresponsabilité déclarées ; taux calculés par l'Assurance Maladie.",
        (Justificatif("attestation HCQO datée de l'année", ("demarche_qualite",)),
         Justificatif("programme annuel de développement durable et preuves des items", ("ecoresponsable",))),
        "",
        titre_court="Bon usage (BUPS)", releve=("Bon usage des produits de santé (ROSP BUPS)",),
        mesures=(Mesure("génériques du répertoire", ("generiques_repertoire",)),
                 Mesure("molécules ciblées", ("molecules_ciblees",)),
                 Mesure("stabilité 75 ans et plus", ("stabilite_75",)), Mesure("ASAFO-Pharma", ("asafo",)),
                 Mesure("motif urgence", ("malus_urgence",))),
        malus=("malus_urgence", "Un malus s'applique à tout le thème si le recours au motif « urgence » ne baisse pas.",
               ""),
    ),
    Theme(
        "vaccination", 3, "Prescription des vaccinations recommandées", "03_vaccination",
        "la part des vaccinations que le pharmacien a prescrites et réalisées (RVA prescription et réalisation) "
        "parmi toutes celles qu'il a réalisées ; les injections annuelles grippe et COVID ne comptent pas.",
        "calculé par l'Assurance Maladie à partir des actes facturés (codes RVA).",
        (), "le thème est entièrement automatique.",
        titre_court="Vaccination",
    ),
    Theme(
        "colorectal", 4, "Dépistage organisé du cancer colorectal", "04_colorectal",
        "la remise de kits de dépistage (code RKD) aux personnes de la tranche d'âge du dépistage organisé : par kit "
        "remis, ou, selon l'exercice, par kit dont le test a été réalisé (la remise elle-même étant alors facturée à "
        "l'acte, hors ROSP).",
        "calculé par l'Assurance Maladie à partir des actes facturés.",
        (), "le thème est entièrement automatique.",
        titre_court="Dépistage colorectal", releve=("Dépistage cancer colorectal (code RKD)",),
    ),
    Theme(
        "dispensation_unite", 5, "Dispensation à l'unité", "05_dispensation_unite",
        "la dispensation à l'unité des antibiotiques (quand le conditionnement le permet) et la délivrance "
        "fractionnée des stupéfiants et assimilés, par dispensation, dans la limite d'un plafond annuel.",
        "calculé par l'Assurance Maladie à partir des actes facturés.",
        (), "le thème est entièrement automatique.",
        titre_court="Dispensation à l'unité",
    ),
    Theme(
        "dispositif_2024", 6, "Dispositif exceptionnel 2024 (avenant 1, art. 1)", "06_dispositif_2024",
        "pour le seul exercice de ce dispositif : TROD angine, locaux adaptés au dépistage de la cystite, entretiens "
        "patients chroniques ou bilans de médication, accompagnement de la femme enceinte, progression des kits "
        "de dépistage colorectal, substitution d'un hybride et d'un biosimilaire.",
        "locaux TROD cystite déclarés par téléservice ; le reste calculé à partir des actes facturés.",
        (Justificatif("description des locaux", ("locaux_trod_cystite",)),),
        "TROD, entretiens, accompagnements, kits et substitutions : mesurés automatiquement.",
        titre_court="Dispositif 2024",
    ),
)

_N, _B, _V, _C, _D, _X = "numerique", "bups", "vaccination", "colorectal", "dispensation_unite", "dispositif_2024"

# The reading the carte Vitale equipment and the 2024 device are prorated under too (`Indicator.prorata_cle`)
_PRORATA_OWN = "general.prorata_carte_vitale_dispositif_2024"

INDICATORS: tuple[Indicator, ...] = (
    # --- numérique : socles -----------------------------------------------------------------------
    Indicator("exercice_coordonne", _N, "Participer à un exercice coordonné (ESP, MSP, CPTS)",
              "Être membre d'une équipe de soins primaires, d'une maison de santé pluriprofessionnelle ou d'une "
              "CPTS (un PRADO ne compte pas) : {montant} par an.",
              "numerique.exercice_coordonne", "socle", ("exercice_coordonne",),
              "exercice coordonné (ESP, MSP, CPTS ; un PRADO ne compte pas)", forfait=True),
    Indicator("logiciel_segur", _N, "Disposer d'un logiciel référencé Ségur",
              "Disposer d'un logiciel d'officine référencé Ségur (indicateur socle, sans rémunération propre).",
              "numerique.logiciel_segur", "socle", ("logiciel_segur",), "logiciel référencé Ségur"),
    Indicator("lad_certifie_has", _N, "Disposer d'un LAD certifié HAS",
              "Disposer d'un logiciel d'aide à la dispensation certifié HAS : {montant} par an les deux premières "
              "années civiles.",
              "numerique.lad_certifie_has", "socle", ("lad_certifie_has",), "LAD certifié HAS", forfait=True),
    Indicator("absence_fraude", _N, "Ne pas avoir été condamné pour fraude",
              "Ne pas avoir été condamné pour fraude (indicateur socle, vérifié par l'Assurance Maladie).",
              "numerique.absence_fraude", "socle", ("condamnation_fraude",)),
    Indicator("ordonnance_numerique_socle", _N, "Ordonnance numérique pour {seuil_pct:texte} des délivrances (socle)",
              "Délivrer {seuil_pct:texte} des prescriptions de ville sur ordonnance numérique (indicateur socle).",
              "numerique.ordonnance_numerique_socle", "socle", ("taux_ordonnance_numerique_pct",)),
    # --- numérique : indicateurs complémentaires ----------------------------------------------------
    Indicator("fse", _N, "FSE transmises en SESAM-Vitale (montant par FSE)",
              "Taux de FSE transmises en SESAM-Vitale {seuil_pct:texte} : {prix_unitaire_haut} par FSE ; "
              "sinon {prix_unitaire_bas} par FSE.",
              "numerique.fse", "indicateur", ("nb_fse", "taux_fse_sesam_vitale_pct")),
    Indicator("scor", _N, "Dématérialisation des pièces justificatives (SCOR)",
              "Taux de qualité des pièces justificatives dématérialisées (SCOR) {seuil_pct:texte} : {montant}.",
              "numerique.scor", "indicateur", ("taux_qualite_scor_pct",), forfait=True),
    Indicator("dmp", _N, "Utilisation du DMP",
              "Part des accompagnements et bilans finalisés alimentant le DMP {seuil_pct:texte} : {montant}.",
              "numerique.dmp", "indicateur", ("taux_dmp_pct",), forfait=True),
    Indicator("mss", _N, "Utilisation d'une messagerie sécurisée de santé (MSS)",
              "Part des délivrances donnant lieu à un échange par MSSanté {seuil_pct:texte} : {montant}.",
              "numerique.mss", "indicateur", ("taux_mss_pct",), forfait=True),
    Indicator("bal_organisationnelle", _N, "BAL organisationnelle couplée à la MSS (majoration)",
              "Boîte aux lettres organisationnelle déclarée, couplée à la MSS, et indicateur MSS atteint : "
              "majoration de {montant}.",
              "numerique.bal_organisationnelle", "indicateur", ("bal_organisationnelle", "taux_mss_pct"),
              "BAL organisationnelle couplée à la MSS", forfait=True),
    Indicator("eprescription", _N, "Utilisation de la e-prescription",
              "Part des prescriptions exécutées sous forme d'ordonnance numérique {seuil_pct:texte} : {montant}.",
              "numerique.eprescription", "indicateur", ("taux_eprescription_pct",), forfait=True),
    Indicator("apcv", _N, "Utilisation de l'appli carte Vitale (ApCV)",
              "Part des FSE réalisées avec l'appli carte Vitale {seuil_pct:texte} : {montant}.",
              "numerique.apcv", "indicateur", ("taux_apcv_pct",), forfait=True),
    Indicator("maj_carte_vitale", _N, "Équipement de mise à jour de la carte Vitale",
              "Sans borne : {montant_par_lecteur} par lecteur apte à la mise à jour, au plus "
              "{nb_lecteurs_max_sans_borne} lecteurs ; avec au moins une borne : {montant_borne} plus "
              "{montant_par_lecteur} par lecteur, au plus {nb_lecteurs_max_avec_borne} lecteurs.",
              "numerique.maj_carte_vitale", "indicateur", ("borne_maj_carte_vitale", "nb_lecteurs_maj_carte_vitale"),
              "équipement de mise à jour de la carte Vitale (bornes, lecteurs)", forfait=True, prorata_cle=_PRORATA_OWN),
    Indicator("teleconsultation_equipement", _N, "Aide à la téléconsultation : forfait équipement (première année)",
              "Équipement de téléconsultation déclaré (local fermé, solution vidéo, stéthoscope, otoscope, "
              "oxymètre, tensiomètre), la première année de l'activité : forfait de {forfait_equipement}.",
              "numerique.teleconsultation", "indicateur", ("teleconsultation_equipee", "teleconsultation_premiere_annee"),
              "équipement de téléconsultation", forfait=True),
    Indicator("teleconsultation", _N, "Aide à la téléconsultation : tranches de téléconsultations",
              "Équipement déclaré : {montant_par_tranche} par tranche de {taille_tranche} téléconsultations "
              "assistées ({tranches}), plafonné à {plafond_tranches} par an.",
              "numerique.teleconsultation", "indicateur",
              ("teleconsultation_equipee", "teleconsultation_premiere_annee", "nb_teleconsultations")),
    Indicator("pharmacien_correspondant", _N, "Pharmacien correspondant en zone ZIP ou ZAC",
              "Officine en zone ZIP ou ZAC : {montant_par_patient_palier_1} par patient jusqu'au "
              "{nb_patients_palier_1}e, {montant_par_patient_palier_2} par patient au-delà, plafonné à {plafond}.",
              "numerique.pharmacien_correspondant", "indicateur", ("zone_zip_zac", "nb_patients_correspondant")),
    Indicator("facturation_fse_securisees", _N, "Qualité de la facturation : taux de FSE sécurisées",
              "Taux de FSE sécurisées par rapport à la cible minimale ({fse_securisees_cible_pct:signe}) : "
              "écart d'au plus {fse_securisees_ecart_fort_points} → {fse_securisees_points_ecart_faible} "
              "points ; écart plus grand → {fse_securisees_points_ecart_fort} points.",
              "numerique.malus_qualite_facturation", "information", ("taux_fse_securisees_pct",)),
    Indicator("facturation_rejets_iris", _N, "Qualité de la facturation : taux de rejets IRIS",
              "Taux de rejets IRIS {rejets_iris_seuil_bas_pct:signe} → {rejets_iris_points_bas} points ; "
              "{rejets_iris_seuil_haut_pct:signe} → {rejets_iris_points_haut} points.",
              "numerique.malus_qualite_facturation", "information", ("taux_rejets_iris_pct",)),
    Indicator("facturation_double_paiement", _N, "Qualité de la facturation : taux de double paiement",
              "Taux de double paiement {double_paiement_seuil_bas_pct:signe} → {double_paiement_points_bas} points ; "
              "{double_paiement_seuil_haut_pct:signe} → {double_paiement_points_haut} points.",
              "numerique.malus_qualite_facturation", "information", ("taux_double_paiement_pct",)),
    Indicator("malus_qualite_facturation", _N, "Malus « qualité de la facturation »",
              "Avec {nb_factures_min:texte} factures sur la période, la somme des points des trois "
              "sous-indicateurs donne un malus sur toute la rémunération du thème : {bareme}.",
              "numerique.malus_qualite_facturation", "malus",
              ("nb_factures_periode_malus", "taux_fse_securisees_pct", "taux_rejets_iris_pct", "taux_double_paiement_pct")),
    # --- BUPS -----------------------------------------------------------------------------------------
    Indicator("demarche_qualite", _B, "Adhésion à la démarche qualité (HCQO)",
              "Auto-évaluation de l'année, inscription à la newsletter et programme d'amélioration de la qualité "
              "(exigé : {programme_requis}) déclarés : {montant} (indicateur socle).",
              "bups.demarche_qualite", "socle", ("dqo_autoevaluation", "dqo_newsletter", "dqo_programme_amelioration"),
              "auto-évaluation HCQO de l'année, inscription à la newsletter, programme d'amélioration de la qualité", forfait=True),
    Indicator("generiques_repertoire", _B, "Pénétration des génériques sur le répertoire (socle)",
              "Taux de pénétration des génériques sur l'ensemble du répertoire {seuil_pct:texte} (indicateur socle).",
              "bups.generiques_repertoire", "socle", ("taux_generiques_repertoire_pct",)),
    Indicator("molecules_ciblees", _B, "Génériques, hybrides, biosimilaires : molécules ciblées",
              "Pour chaque molécule ciblée de l'exercice ({molecules}) : prime de {prime_par_boite} par boîte "
              "substituée[[, ou de {prime_par_boite_gagnee} par boîte gagnée en lecture « boîtes gagnées sur le taux "
              "de départ »]] (lecture retenue : {lecture})[[, versée si le taux d'arrivée "
              "{taux_plancher_pct:verbe}]][[ ; "
              "{primes_par_molecule:libelle} : {primes_par_molecule}]][[ ; {sans_plancher:libelle} : {sans_plancher}]].",
              "bups.molecules_ciblees", "indicateur", ()),
    Indicator("stabilite_75", _B, "Stabilité de la délivrance des génériques aux 75 ans et plus",
              "Stabilité de la délivrance des génériques aux patients de 75 ans et plus : "
              "{seuil_haut_pct:texte} → {montant_haut} ; {seuil_bas_pct:texte} → {montant_bas}.",
              "bups.stabilite_75", "indicateur", ("taux_stabilite_75_pct",), forfait=True),
    Indicator("asafo", _B, "Connexion hebdomadaire à ASAFO-Pharma",
              "Au moins une connexion à ASAFO-Pharma par semaine pendant {nb_semaines_min:texte} semaines "
              "différentes {periode} : {montant}.",
              "bups.asafo", "indicateur", ("nb_semaines_asafo", "nb_semaines_asafo_decembre"), forfait=True),
    Indicator("ecoresponsable", _B, "Démarche écoresponsable",
              "Programme annuel de développement durable déclaré et niveau atteint ({nb_items_min:texte} items du "
              "niveau ; au-delà du premier niveau, le niveau précédent validé une année antérieure) : {montant}.",
              "bups.ecoresponsable", "indicateur",
              ("eco_programme", "eco_niveau_vise", "eco_items_valides", "eco_niveau_valide_precedent"),
              "démarche écoresponsable (programme annuel, niveau visé, items A, B, C)", forfait=True),
    Indicator("malus_urgence", _B, "Malus « motif urgence »",
              "Le taux de recours au motif « urgence » de l'année doit être {comparaison_reference:texte} taux de "
              "référence de l'officine ; sinon malus de {taux_pct} sur toute la rémunération du thème.",
              "bups.malus_urgence", "malus", ("taux_urgence_pct", "taux_urgence_reference_pct")),
    # --- vaccination, colorectal, dispensation ------------------------------------------------------------
    Indicator("bonus_prescription", _V, "Part des vaccinations prescrites et réalisées (RVA de prescription)",
              "Si la part des vaccinations prescrites et réalisées par le pharmacien (ses RVA de prescription) parmi "
              "toutes les vaccinations qu'il a réalisées (RVA de prescription et RVA de réalisation seule) "
              "{seuil_part_pct:verbe} : {montant_par_rva} par vaccination prescrite et réalisée.",
              "vaccination.bonus_prescription", "indicateur", ("nb_rva_960", "nb_rva_750")),
    Indicator("kits_remis", _C, "Kits de dépistage remis",
              "{montant_par_kit} par kit remis ({montant_par_kit_drom} dans les DROM).",
              "colorectal.kits_remis", "indicateur", ("nb_kits_remis", "drom")),
    Indicator("kits_realises", _C, "Kits remis dont le test a été réalisé",
              "{montant_par_kit} par kit remis dont le test a été réalisé ({montant_par_kit_drom} dans les DROM).",
              "colorectal.kits_realises", "indicateur", ("nb_kits_realises", "drom")),
    Indicator("acte_remise_kit", _C, "Remise de kit facturée à l'acte (information)",
              "Remise du kit facturée à l'acte, hors ROSP : {montant_par_kit} par kit remis "
              "({montant_par_kit_drom} dans les DROM).",
              "colorectal.acte_remise_kit", "information", ("nb_kits_remis", "drom")),
    Indicator("dispensation", _D, "Dispensation à l'unité et délivrance fractionnée",
              "{montant_par_dispensation} par dispensation à l'unité ou délivrance fractionnée, plafonné à "
              "{plafond} par an.",
              "dispensation_unite.dispensation", "indicateur", ("nb_dispensations_unite",)),
    # --- dispositif exceptionnel 2024 ---------------------------------------------------------------------
    Indicator("trod_angine", _X, "Au moins un TROD angine",
              "{nb_min:texte} {nb_min:accord=TROD angine réalisé|TROD angine réalisés} : {montant}.",
              "dispositif_2024.trod_angine", "indicateur", ("nb_trod_angine",), forfait=True, prorata_cle=_PRORATA_OWN),
    Indicator("locaux_trod_cystite", _X, "Locaux adaptés au dépistage de l'infection urinaire",
              "Locaux adaptés au dépistage de l'infection urinaire, déclarés : {montant}.",
              "dispositif_2024.locaux_trod_cystite", "indicateur", ("locaux_trod_cystite",),
              "locaux adaptés au dépistage de l'infection urinaire (téléservice)", forfait=True, prorata_cle=_PRORATA_OWN),
    Indicator("entretien_chronique", _X, "Au moins un entretien patient chronique ou bilan de médication",
              "{nb_min:texte} {nb_min:accord=entretien|entretiens} avec un patient chronique (antiasthmatique, "
              "anticancéreux, AVK, AOD) ou {nb_min:accord=bilan|bilans} de médication : {montant}.",
              "dispositif_2024.entretien_chronique", "indicateur", ("nb_entretiens_chroniques",), forfait=True, prorata_cle=_PRORATA_OWN),
    Indicator("accompagnement_grossesse", _X, "Au moins un accompagnement de femme enceinte",
              "{nb_min:texte} {nb_min:accord=accompagnement|accompagnements} de femme enceinte : {montant}.",
              "dispositif_2024.accompagnement_grossesse", "indicateur", ("nb_accompagnements_grossesse",), forfait=True, prorata_cle=_PRORATA_OWN),
    Indicator("kits_colorectal_progression", _X, "Progression des kits de dépistage colorectal remis",
              "Kits remis dans l'année {coefficient:texte} fois ceux de l'année précédente "
              "({reference_installation_recente:libelle} : {reference_installation_recente} kits) : {montant}.",
              "dispositif_2024.kits_colorectal_progression", "indicateur",
              ("nb_kits_remis", "nb_kits_remis_n_1", "installation_apres_2023"), forfait=True, prorata_cle=_PRORATA_OWN),
    Indicator("hybride_biosimilaire", _X, "Substitution d'un hybride et d'un biosimilaire",
              "Au moins une substitution d'un hybride et au moins une d'un biosimilaire : {montant}.",
              "dispositif_2024.hybride_biosimilaire", "indicateur", ("substitution_hybride", "substitution_biosimilaire"), forfait=True, prorata_cle=_PRORATA_OWN),
)

THEME_CODES: tuple[str, ...] = tuple(t.code for t in sorted(THEMES, key=lambda t: t.ordre))
SYNTHESIS_NOTEBOOK = "00_synthese"  # the synthesis report notebook, without .ipynb (the themes': Theme.notebook)
SYNTHESIS = "synthese"  # the synthesis report's name beside the theme codes (--themes, rapports.csv)
# Every report of a pharmacy-year: its name (--themes, rapports.csv) → its notebook, without .ipynb
REPORT_NOTEBOOKS: dict[str, str] = {SYNTHESIS: SYNTHESIS_NOTEBOOK, **{t.code: t.notebook for t in THEMES}}
THEME_BY_CODE: dict[str, Theme] = {t.code: t for t in THEMES}
INDICATOR_BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}


def theme(code: str) -> Theme:
    return THEME_BY_CODE[code]


def indicator(code: str) -> Indicator:
    return INDICATOR_BY_CODE[code]


def indicators_of(theme_code: str) -> tuple[Indicator, ...]:
    """A theme's indicators, in the order of the registry (which is the order of the lines)."""
    return tuple(i for i in INDICATORS if i.theme == theme_code)


# --- what a pharmacy can change (gains) --------------------------------------------------------------
# For each input column a pharmacy can still move within the exercise, how it moves to raise its ROSP:
#   "hausse"   a rate or a count raised (to the next threshold, tranche or step),
#   "baisse"   a rate lowered (malus sub-indicators, motif « urgence »),
#   "oui"      a yes/no set to oui (declared on amelipro, or done during the year),
#   "niveau"   a level declared, lowered to one the pharmacy can validate (écoresponsable).
# A column absent from this map is a fact of the exercise the pharmacy cannot change (zone, DROM,
# first year, previous year's counts, reference rates, activity volume). Whether a change is declared or
# measured comes from the indicators (`Indicator.declaratif`), never from here.
LEVIERS: dict[str, str] = {
    "exercice_coordonne": "oui", "logiciel_segur": "oui", "lad_certifie_has": "oui",
    "taux_ordonnance_numerique_pct": "hausse", "taux_fse_sesam_vitale_pct": "hausse",
    "taux_qualite_scor_pct": "hausse", "taux_dmp_pct": "hausse", "taux_mss_pct": "hausse",
    "bal_organisationnelle": "oui", "taux_eprescription_pct": "hausse", "taux_apcv_pct": "hausse",
    "borne_maj_carte_vitale": "oui", "nb_lecteurs_maj_carte_vitale": "hausse",
    "teleconsultation_equipee": "oui", "nb_teleconsultations": "hausse", "nb_patients_correspondant": "hausse",
    "taux_fse_securisees_pct": "hausse", "taux_rejets_iris_pct": "baisse", "taux_double_paiement_pct": "baisse",
    "dqo_autoevaluation": "oui", "dqo_newsletter": "oui", "dqo_programme_amelioration": "oui",
    "taux_generiques_repertoire_pct": "hausse", "taux_stabilite_75_pct": "hausse", "taux_urgence_pct": "baisse",
    "nb_semaines_asafo": "hausse", "nb_semaines_asafo_decembre": "hausse", "eco_programme": "oui",
    "eco_niveau_vise": "niveau", "eco_items_valides": "hausse",
    "nb_rva_960": "hausse", "nb_kits_remis": "hausse", "nb_kits_realises": "hausse",
    "nb_dispensations_unite": "hausse", "nb_trod_angine": "hausse", "locaux_trod_cystite": "oui",
    "nb_entretiens_chroniques": "hausse", "nb_accompagnements_grossesse": "hausse",
    "substitution_hybride": "oui", "substitution_biosimilaire": "oui",
}

# The columns of the targeted molecules' table (BUPS) a pharmacy can move within the exercise, same words: the
# arrival rate of a molecule (its substitution this year); the boxes and the departure rate are facts.
LEVIERS_MOLECULES: dict[str, str] = {"taux_arrivee_pct": "hausse"}

# A column that cannot exceed another one (a change beyond it would be an invalid input).
PLAFONDS_COLONNES: dict[str, str] = {"nb_kits_realises": "nb_kits_remis"}

# Interactions said plainly beside a gain: what else the indicator needs (no number: those are in the rules).
INTERACTIONS: dict[str, str] = {
    "bal_organisationnelle": "la majoration de la BAL organisationnelle n'est versée que si l'indicateur MSS est "
                             "atteint la même année",
    "ecoresponsable": "un niveau 2 ou 3 n'est validé que si le niveau précédent l'a été une année antérieure : "
                      "un niveau ne se rattrape pas dans l'exercice",
    "teleconsultation": "les tranches de téléconsultations ne sont versées que si l'équipement est déclaré ; si "
                        "c'est sa première année d'équipement, l'officine perçoit aussi le forfait d'équipement — "
                        "colonne teleconsultation_premiere_annee, que l'outil ne change pas",
}
