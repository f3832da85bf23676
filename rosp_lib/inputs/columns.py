"""The public columns of the input tables (the input contract), from which the schema, the typed
conversion and the documentation (`rosp colonnes`, docs/colonnes.md) are all generated."""

from __future__ import annotations

from dataclasses import dataclass

from rosp_lib.parameters import available_exercises

# An identifier becomes a folder name: letters, digits, _ and -, and not a name Windows reserves for a
# device (CON, NUL, COM0…, in any case).
PHARMACIE_ID_RE = r"(?!(?i:con|prn|aux|nul|com[0-9]|lpt[0-9])(?![A-Za-z0-9_-]))[A-Za-z0-9][A-Za-z0-9_-]{0,63}"
MAX_COUNT = 999_999_999
# Between the parts of a key made by adding text arrays (pharmacy, exercise, molecule): a character no pharmacy id
# holds. Not "\x00": numpy reads a str added to an object array as a fixed-width string and drops its trailing
# NULs, so the parts were joined with nothing between them (« PH-A2 » 2024 and « PH-A » 22024 made one key).
KEY_SEP = "\x1f"


@dataclass(frozen=True)
class Col:
    name: str
    kind: str  # id, text, exercice, bool, int, rate, date
    description: str
    group: str
    required: bool = False
    maximum: int | None = None
    # a rate whose values are naturally small (rejects, double payments): no warning when all are ≤ 1
    small: bool = False


def _cols(group: str, *specs: tuple) -> list[Col]:
    return [Col(name, kind, desc, group, *rest) for name, kind, desc, *rest in specs]


# Column names other tools and spreadsheets give the same data, close in meaning but not in spelling (difflib finds
# « nb_fses », not « date_debut »): named in the refusal of an unknown column, never read in its place.
OTHER_NAMES: dict[str, str] = {
    "date_debut": "debut_activite", "date_installation": "debut_activite", "date_ouverture": "debut_activite",
    "debut": "debut_activite", "date_fin": "fin_activite", "date_cession": "fin_activite",
    "date_fermeture": "fin_activite", "fin": "fin_activite", "id": "pharmacie_id", "identifiant": "pharmacie_id",
    "finess": "pharmacie_id", "annee": "exercice", "année": "exercice", "raison_sociale": "nom", "officine": "nom",
    "nom_officine": "nom", "pharmacie": "nom",
}


PHARMACY_COLUMNS: list[Col] = [
    *_cols(
        "identification",
        ("pharmacie_id", "id", "identifiant (code interne, n° AM ou FINESS) ; devient un nom de dossier", True),
        ("nom", "text", "nom affiché"),
        ("exercice", "exercice", "exercice (année civile)", True),
        ("drom", "bool", "officine située dans un DROM (montants colorectal DROM)"),
        ("debut_activite", "date", "premier jour d'activité du titulaire dans l'exercice (défaut : 1er janvier)"),
        ("fin_activite", "date", "dernier jour d'activité (défaut : 31 décembre)"),
    ),
    *_cols(
        "numérique — socles",
        ("exercice_coordonne", "bool", "déclaré : membre d'une ESP, MSP ou CPTS"),
        ("logiciel_segur", "bool", "déclaré : logiciel référencé Ségur"),
        ("lad_certifie_has", "bool", "déclaré : LAD certifié HAS"),
        ("condamnation_fraude", "bool", "condamnation pour fraude (défaut : non)"),
        ("taux_ordonnance_numerique_pct", "rate", "part des délivrances sur ordonnance numérique (socle du thème)"),
    ),
    *_cols(
        "numérique — indicateurs complémentaires",
        ("nb_fse", "int", "FSE transmises en SESAM-Vitale dans l'année"),
        ("taux_fse_sesam_vitale_pct", "rate", "taux de transmission des FSE en SESAM-Vitale"),
        ("taux_qualite_scor_pct", "rate", "qualité des pièces justificatives transmises (SCOR)"),
        ("taux_dmp_pct", "rate", "accompagnements et bilans finalisés alimentés dans le DMP"),
        ("taux_mss_pct", "rate", "délivrances avec échanges MSSanté"),
        ("bal_organisationnelle", "bool", "déclaré : BAL organisationnelle couplée à la MSS"),
        ("taux_eprescription_pct", "rate", "prescriptions exécutées en e-prescription"),
        ("taux_apcv_pct", "rate", "FSE faites avec l'appli carte Vitale"),
        ("borne_maj_carte_vitale", "bool", "déclaré : au moins une borne de mise à jour de la carte Vitale"),
        ("nb_lecteurs_maj_carte_vitale", "int", "déclaré : lecteurs de carte pouvant mettre à jour la carte Vitale"),
        ("teleconsultation_equipee", "bool", "déclaré : équipement et local de téléconsultation"),
        ("teleconsultation_premiere_annee", "bool", "cet exercice est la première année de l'activité"),
        ("nb_teleconsultations", "int", "téléconsultations assistées (code TLM)"),
        ("zone_zip_zac", "bool", "officine en zone ZIP ou ZAC"),
        ("nb_patients_correspondant", "int", "patients pour lesquels l'officine est pharmacien correspondant"),
    ),
    *_cols(
        "numérique — malus qualité de la facturation (T4 N-1 à T3 N)",
        ("nb_factures_periode_malus", "int", "factures de la période (le malus exige un nombre minimal de factures)"),
        ("taux_fse_securisees_pct", "rate", "FSE sécurisées"),
        ("taux_rejets_iris_pct", "rate", "rejets IRIS", False, None, True),
        ("taux_double_paiement_pct", "rate", "doubles paiements", False, None, True),
    ),
    *_cols(
        "bon usage des produits de santé (BUPS)",
        ("dqo_autoevaluation", "bool", "déclaré : auto-évaluation HCQO réalisée dans l'année"),
        ("dqo_newsletter", "bool", "déclaré : inscription à la newsletter"),
        ("dqo_programme_amelioration", "bool", "déclaré : programme d'amélioration de la qualité"),
        ("taux_generiques_repertoire_pct", "rate", "pénétration des génériques sur l'ensemble du répertoire"),
        ("taux_stabilite_75_pct", "rate", "stabilité de la délivrance des génériques aux 75 ans et plus"),
        ("taux_urgence_pct", "rate", "recours au motif « urgence » de substitution cette année", False, None, True),
        ("taux_urgence_reference_pct", "rate", "taux de référence de l'officine (2019)", False, None, True),
        ("nb_semaines_asafo", "int", "semaines avec au moins une connexion à ASAFO-Pharma (0 à 53)", False, 53),
        ("nb_semaines_asafo_decembre", "int", "semaines de décembre avec au moins une connexion à ASAFO-Pharma (0 à 5)",
         False, 5),
        ("eco_programme", "bool", "déclaré : programme annuel de développement durable"),
        ("eco_niveau_vise", "int", "niveau déclaré cette année (0 à 3)", False, 3),
        ("eco_items_valides", "int", "items (A, B, C) de ce niveau atteints (0 à 3)", False, 3),
        ("eco_niveau_valide_precedent", "int", "plus haut niveau validé une année antérieure (0 à 3)", False, 3),
    ),
    *_cols(
        "vaccination",
        ("nb_rva_960", "int", "RVA de prescription (vaccinations facturées comme prescrites et réalisées)"),
        ("nb_rva_750", "int", "RVA de réalisation seule (vaccinations facturées comme réalisées seulement)"),
    ),
    *_cols(
        "dépistage du cancer colorectal",
        ("nb_kits_remis", "int", "kits remis (RKD) dans l'année"),
        ("nb_kits_realises", "int", "kits remis dont le test a été réalisé"),
        ("nb_kits_remis_n_1", "int", "kits remis l'année précédente (dispositif 2024)"),
        ("installation_apres_2023", "bool", "installée ou reprise après le 1er janvier 2023 (référence propre du dispositif 2024)"),
    ),
    *_cols(
        "dispensation à l'unité",
        ("nb_dispensations_unite", "int", "dispensations à l'unité"),
    ),
    *_cols(
        "dispositif exceptionnel 2024",
        ("nb_trod_angine", "int", "TROD angine réalisés"),
        ("locaux_trod_cystite", "bool", "déclaré : locaux adaptés au dépistage de l'infection urinaire"),
        ("nb_entretiens_chroniques", "int", "entretiens patients chroniques et bilans de médication"),
        ("nb_accompagnements_grossesse", "int", "accompagnements de femmes enceintes"),
        ("substitution_hybride", "bool", "au moins un hybride substitué"),
        ("substitution_biosimilaire", "bool", "au moins un biosimilaire substitué"),
    ),
]

MOLECULE_COLUMNS: list[Col] = _cols(
    "molécules ciblées",
    ("pharmacie_id", "id", "doit exister dans la table des pharmacies pour cet exercice", True),
    ("exercice", "exercice", "exercice", True),
    ("molecule", "text", "molécule, comme dans la liste de l'exercice (casse, accents et espaces indifférents ; une association avec « / », « + » ou « - », ses molécules dans un ordre quelconque)", True),
    ("nb_boites", "int", "boîtes délivrées, princeps et génériques", True),
    ("taux_depart_pct", "rate", "taux de substitution de départ", True),
    ("taux_arrivee_pct", "rate", "taux de substitution d'arrivée", True),
)


# What the documentation of a column adds to its words (`columns_markdown`, `rosp colonnes`): how to fill it where the
# rules book asks the column docs to say so.
COLUMN_NOTES = {
    "teleconsultation_premiere_annee": (
        "la première année de l'aide à la téléconsultation de la convention de 2022 ; une officine déjà équipée sous "
        "le dispositif précédent (avenant 15) n'est pas en première année en 2022 : écrivez « non »"),
}
# Said once above the columns of the pharmacies: the counts of a partial exercise (rules book, « Exercice partiel »).
PARTIAL_EXERCISE_NOTE = (
    "Exercice partiel (cession, installation ou fermeture en cours d'année) : chaque compte et chaque taux est celui "
    "du titulaire, sur sa seule période d'activité (`debut_activite` à `fin_activite`) — le cédant et le repreneur "
    "remplissent chacun leur ligne avec leurs propres FSE, kits, vaccinations, dispensations, patients, "
    "téléconsultations et semaines de connexion. L'outil proratise lui-même les forfaits (lecture retenue, paramètre `general.prorata_forfaits`) ; les montants à l'unité ne "
    "le sont pas, leurs comptes couvrant déjà la seule période du titulaire.")


# Each pharmacy column in words (its `rosp colonnes` description): how a page or a letter names an input for a reader
# who knows no column name (the claim draft's caisse, a titulaire).
COLUMN_WORDS = {c.name: c.description for c in PHARMACY_COLUMNS}


# Counts bounded by another column of the same row: (column, its bound, why). Checked in a file (`tables`) and in
# the explorer of a report (`report.notebook.Explorer`), which must refuse what a file would.
AT_MOST = (
    ("nb_kits_realises", "nb_kits_remis", "les kits réalisés font partie des kits remis"),
)


KIND_LABELS = {
    "id": "identifiant de 1 à 64 caractères parmi A-Z a-z 0-9 _ -, commençant par une lettre ou un chiffre, autre que CON, PRN, AUX, NUL, COM0 à COM9, LPT0 à LPT9 (noms réservés de Windows)",
    "text": "texte",
    "exercice": "entier (année)",
    "bool": "oui/non, vrai/faux, true/false, 1/0, x/vide",
    "int": "entier ≥ 0",
    "rate": "pourcentage 0 à 100 (95, 95,5 ou 95.5)",
    "date": "date AAAA-MM-JJ ou JJ/MM/AAAA",
}


def expected(col: Col, exercises: list[int] | None = None) -> str:
    """What a cell of the column must hold, as the messages and the documentation say it."""
    if col.kind == "exercice":
        exercises = available_exercises() if exercises is None else exercises
        return f"un exercice pour lequel des paramètres existent ({', '.join(map(str, exercises))})"
    if col.kind == "int" and col.maximum is not None:
        return f"entier de 0 à {col.maximum}"
    if col.kind == "text" and col.required:
        return "texte non vide"
    if col.kind == "rate" and col.small:  # a rate of a few hundredths of a percent: 0,05 % is written 0,05
        return "pourcentage 0 à 100 (0,05 pour 0,05 %)"
    return KIND_LABELS[col.kind]


def columns_markdown() -> str:
    """The documentation of the input columns, generated from the schema."""
    out = ["# Colonnes d'entrée", "", "Généré depuis `rosp_lib/inputs` (`rosp colonnes`). Ne pas modifier à la main.", ""]
    exercises = available_exercises()
    for title, columns in (("Table `pharmacies`", PHARMACY_COLUMNS), ("Table `molecules` (facultative)", MOLECULE_COLUMNS)):
        out += [f"## {title}", ""]
        if columns is PHARMACY_COLUMNS:
            out += [PARTIAL_EXERCISE_NOTE, ""]
        group = None
        for c in columns:
            if c.group != group:
                group = c.group
                out += ["", f"### {group}", "", "| colonne | type | obligatoire | signification |", "|---|---|---|---|"]
            said = c.description + (f" — {COLUMN_NOTES[c.name]}" if c.name in COLUMN_NOTES else "")
            out.append(f"| `{c.name}` | {expected(c, exercises)} | {'oui' if c.required else 'non'} | {said} |")
        out.append("")
    return "\n".join(out) + "\n"
