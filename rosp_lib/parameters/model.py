"""The parameter tree of one exercise, as pydantic models that refuse unknown and missing keys.

Every leaf is a mapping with its value (`valeur`), unit, French label, source and status
(`texte` / `source` / `hypothese`); a `hypothese` names its alternative reading. Thresholds also
say how they compare (`comparaison`: `>=`, `>`, `<`, `<=`).

A leaf's `source` is structured: `{reference: <id>, article: ..., extrait: ...}`, where the id names
a public document of the catalogue `parameters/references.yaml` (title, publisher, date, URL). The
catalogue is passed to validation as the pydantic context `{"references": {...}}`; an unknown id is
refused. `Leaf.source` stays a plain French citation string for the output layer.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar, Generic, Literal, TypeVar

from pydantic import (BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, create_model, field_validator,
                      model_validator)

from .units import UNITS, Kind, unknown_unit

STATUTS = ("texte", "source", "hypothese")
Statut = Literal["texte", "source", "hypothese"]
Comparaison = Literal[">=", ">", "<", "<="]
Etat = Literal["actif", "neutralise", "non_exige", "absent"]

T = TypeVar("T")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(_Strict):
    """A public document cited by parameters (one entry of `parameters/references.yaml`)."""

    titre: str
    editeur: str
    date: str
    url: str | None = None
    nature: Literal["texte", "assurance_maladie", "profession", "presse", "projet"]

    @property
    def citation(self) -> str:
        return f"{self.titre} ({self.editeur}, {self.date})"


class Citation(_Strict):
    """Where one parameter comes from: a reference id, optionally an article and a quoted extract."""

    reference: str = Field(min_length=1)
    article: str | None = None
    extrait: str | None = None
    voir_aussi: list[str] = []
    _document: Reference | None = PrivateAttr(default=None)
    _others: tuple[Reference, ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _known_reference(self, info: ValidationInfo):
        catalogue = (info.context or {}).get("references") if info is not None else None
        if catalogue is None:
            from . import default_references  # the catalogue beside the parameter files

            catalogue = default_references()
        unknown = [r for r in (self.reference, *self.voir_aussi) if r not in catalogue]
        if unknown:
            raise ValueError(
                f"référence inconnue « {unknown[0]} » (attendu : un identifiant de parameters/references.yaml, "
                f"par exemple {', '.join(sorted(catalogue)[:3])})"
            )
        self._document = catalogue[self.reference]
        self._others = tuple(catalogue[r] for r in self.voir_aussi)
        return self

    @property
    def document(self) -> Reference:
        assert self._document is not None
        return self._document

    @property
    def texte(self) -> str:
        """« Titre (éditeur, date), article » — the citation users read."""
        out = self.document.citation
        if self.article:
            out += f", {self.article}"
        return out


class Leaf(_Strict, Generic[T]):
    """One parameter: its value and where it comes from."""

    valeur: T
    unite: str
    libelle: str
    reference: Citation = Field(alias="source")
    statut: Statut
    alternative: str | None = None
    # The key of another leaf of the same indicator whose own alternative value is this hypothesis's alternative
    # reading (the prime par boîte substituée is replaced by the « progression » value of the reading's leaf): the
    # reports then price and name that reading for it (`report.notebook.stake_for`).
    alternative_cle: str | None = None
    verifie_le: str | None = None
    surcharge: str | None = None  # set when a user scenario replaced the value

    @field_validator("unite")
    @classmethod
    def _known_unit(cls, unite: str) -> str:
        if unite not in UNITS:
            raise ValueError(unknown_unit(unite))
        return unite

    @model_validator(mode="after")
    def _hypothesis_names_its_alternative(self):
        if self.statut == "hypothese" and not self.alternative:
            raise ValueError("un paramètre « hypothese » doit nommer sa lecture alternative (alternative)")
        return self

    @property
    def source(self) -> str:
        """The public source as one French citation string (title, publisher, date, article)."""
        return self.reference.texte


class Seuil(Leaf[Decimal]):
    """A threshold: its value and how the pharmacy's value is compared to it."""

    comparaison: Comparaison

    @model_validator(mode="after")
    def _a_count_is_whole(self):
        if UNITS[self.unite].kind is Kind.COUNT and self.valeur % 1:  # « 2.5 factures »
            raise ValueError(f"valeur {self.valeur} ; attendu : un nombre entier ({self.unite})")
        return self

    @property
    def symbole(self) -> str:
        return {">=": "≥", ">": ">", "<": "<", "<=": "≤"}[self.comparaison]


class Palier(_Strict):
    score_min: int
    taux_pct: Decimal
    # The unit of each field (units.UNITS), as a leaf's `unite:` says it for its value.
    unites: ClassVar[dict[str, str]] = {"score_min": "points", "taux_pct": "%"}


def _number(value) -> str:
    from ..lines.formatting import num_exact  # here: formatting imports babel, not needed to read parameters

    return num_exact(value)


class Indicateur(_Strict):
    """An indicator of a theme for one exercise: its state and its numbers.

    `etat` is `actif`, `neutralise` (not required as a socle, pays nothing), `non_exige` (a socle
    whose requirement is lifted this year: its own payment still applies when met, failing it costs
    only its own amount) or `absent` (the rule does not exist that year). The other fields may be left out unless the indicator is active.
    """

    etat: Leaf[Etat]

    @model_validator(mode="after")
    def _complete_when_active(self):
        if self.en_vigueur:
            missing = [n for n in self._required_fields() if getattr(self, n) is None]
            if missing:
                raise ValueError(f"indicateur actif : paramètres manquants {', '.join(missing)}")
        return self

    @model_validator(mode="after")
    def _steps_in_order(self):
        """A scale of two steps (`…seuil_bas_pct`, `…seuil_haut_pct`) whose upper step a scenario put below the lower
        one would pay the upper amount on rates under the lower threshold, without a word: refused."""
        for low_name in type(self).model_fields:
            if low_name.endswith("seuil_bas_pct"):
                high_name = low_name.replace("seuil_bas_pct", "seuil_haut_pct")
                low, high = getattr(self, low_name), getattr(self, high_name, None)
                if low is not None and high is not None and high.valeur < low.valeur:
                    raise ValueError(f"{high_name} ({_number(high.valeur)} %) est sous {low_name} ({_number(low.valeur)} %) ; "
                                     "attendu : un seuil haut au moins égal au seuil bas")
        return self

    def _required_fields(self) -> list[str]:
        """The fields an indicator in force must fill (all, unless a subclass reads some only in one reading)."""
        return list(type(self).model_fields)

    @property
    def actif(self) -> bool:
        """Active: required if a socle, paid if it pays."""
        return self.etat.valeur == "actif"

    @property
    def en_vigueur(self) -> bool:
        """The rule applies this year: `actif`, or `non_exige` (a socle not required but still paid when met)."""
        return self.etat.valeur in ("actif", "non_exige")

    @property
    def exige(self) -> bool:
        """A socle that gates its theme this year (only `actif`; a `non_exige` socle costs only its own amount)."""
        return self.etat.valeur == "actif"


class General(_Strict):
    arrondi: Leaf[Literal["demi_haut", "demi_pair"]]
    prorata_forfaits: Leaf[bool]
    # The carte Vitale equipment and the 2024 device's fixed amounts are forfaits, prorated as the others (spec §0)
    prorata_carte_vitale_dispositif_2024: Leaf[bool]
    # Missing data that only chooses between two positive amounts: pay the lower one (flagged) or 0 €.
    donnee_manquante_montant_bas: Leaf[bool]


# --- numérique ---------------------------------------------------------------------------------
class Forfait(Indicateur):
    montant: Leaf[Decimal] | None = None


class SeuilForfait(Indicateur):
    seuil_pct: Seuil | None = None
    montant: Leaf[Decimal] | None = None


class SocleTaux(Indicateur):
    seuil_pct: Seuil | None = None


class Fse(Indicateur):
    seuil_pct: Seuil | None = None
    prix_unitaire_haut: Leaf[Decimal] | None = None
    prix_unitaire_bas: Leaf[Decimal] | None = None


class MajCarteVitale(Indicateur):
    montant_par_lecteur: Leaf[Decimal] | None = None
    nb_lecteurs_max_sans_borne: Leaf[int] | None = None
    montant_borne: Leaf[Decimal] | None = None
    nb_lecteurs_max_avec_borne: Leaf[int] | None = None


class Teleconsultation(Indicateur):
    forfait_equipement: Leaf[Decimal] | None = None
    montant_par_tranche: Leaf[Decimal] | None = None
    taille_tranche: Leaf[int] | None = None
    plafond_tranches: Leaf[Decimal] | None = None
    tranches: Leaf[Literal["entamee", "complete"]] | None = None
    premiere_annee: Leaf[Literal["forfait_et_tranches", "forfait_seul"]] | None = None


class PharmacienCorrespondant(Indicateur):
    montant_par_patient_palier_1: Leaf[Decimal] | None = None
    nb_patients_palier_1: Leaf[int] | None = None
    montant_par_patient_palier_2: Leaf[Decimal] | None = None
    plafond: Leaf[Decimal] | None = None


class MalusFacturation(Indicateur):
    nb_factures_min: Seuil | None = None  # « un seuil minimal d'activité équivalent à 100 factures » (au moins)
    fse_securisees_cible_pct: Seuil | None = None
    fse_securisees_ecart_fort_points: Seuil | None = None
    fse_securisees_points_ecart_faible: Leaf[int] | None = None
    fse_securisees_points_ecart_fort: Leaf[int] | None = None
    rejets_iris_seuil_bas_pct: Seuil | None = None
    rejets_iris_seuil_haut_pct: Seuil | None = None
    rejets_iris_points_bas: Leaf[int] | None = None
    rejets_iris_points_haut: Leaf[int] | None = None
    double_paiement_seuil_bas_pct: Seuil | None = None
    double_paiement_seuil_haut_pct: Seuil | None = None
    double_paiement_points_bas: Leaf[int] | None = None
    double_paiement_points_haut: Leaf[int] | None = None
    bareme: Leaf[list[Palier]] | None = None


class Numerique(_Strict):
    exercice_coordonne: Forfait
    logiciel_segur: Indicateur
    lad_certifie_has: Forfait
    absence_fraude: Indicateur
    ordonnance_numerique_socle: SocleTaux
    fse: Fse
    scor: SeuilForfait
    dmp: SeuilForfait
    mss: SeuilForfait
    bal_organisationnelle: Forfait
    eprescription: SeuilForfait
    apcv: SeuilForfait
    maj_carte_vitale: MajCarteVitale
    teleconsultation: Teleconsultation
    pharmacien_correspondant: PharmacienCorrespondant
    malus_qualite_facturation: MalusFacturation


# --- BUPS --------------------------------------------------------------------------------------
class DemarcheQualite(Indicateur):
    montant: Leaf[Decimal] | None = None
    programme_requis: Leaf[bool] | None = None


class MoleculesCiblees(Indicateur):
    """Targeted molecules. `lecture`: `substituees` (premium × substituted boxes), `plancher` (the same,
    paid only above a floor on the arrival rate, except the molecules `sans_plancher`) or
    `progression` (premium `prime_par_boite_gagnee` × boxes gained)."""

    molecules: Leaf[list[str]] | None = None
    # the national envelope the texts share out: said by the rules book, not read by the rule (a premium per box)
    enveloppe_nationale: Leaf[int] | None = None
    lecture: Leaf[Literal["substituees", "plancher", "progression"]] | None = None
    prime_par_boite: Leaf[Decimal] | None = None
    primes_par_molecule: Leaf[dict[str, Decimal]] | None = None
    taux_plancher_pct: Seuil | None = None
    sans_plancher: Leaf[list[str]] | None = None
    prime_par_boite_gagnee: Leaf[Decimal] | None = None

    @model_validator(mode="after")
    def _named_molecules_are_listed(self):
        """A premium or a « sans plancher » for a molecule not in the list would silently do nothing (a scenario's
        `dabigatrant: 5` left the premium unchanged): refused, table by table, with the closest listed name — also
        when a scenario shortens the list and leaves a molecule of the reference tables out of it."""
        import difflib

        from ..inputs.molecules import normalise_molecule as fold  # as the rule and the input match a molecule

        listed = {fold(m): m for m in (self.molecules.valeur if self.molecules is not None else None) or []}
        tables = {"primes_par_molecule": list((self.primes_par_molecule.valeur or {}) if self.primes_par_molecule
                                              is not None else {}),
                  "sans_plancher": list((self.sans_plancher.valeur or []) if self.sans_plancher is not None else [])}
        # two names of one molecule (an association in both orders, another case): the second premium silently won
        # (review), a list named one twice
        twice = []
        given = list((self.molecules.valeur or []) if self.molecules is not None else [])
        for key, names in (("molecules", given), *tables.items()):
            seen: dict[str, str] = {}
            for m in names:
                if fold(m) in seen:
                    twice.append(f"{key} nomme deux fois la même molécule : « {seen[fold(m)]} » et « {m} »")
                seen.setdefault(fold(m), m)
        if twice:
            raise ValueError(" ; ".join(twice) + " ; attendu : chaque molécule une fois (casse, accents, espaces, signe "
                             "et ordre des molécules d'une association indifférents)")
        said = []
        for key, names in tables.items():
            unknown = list(dict.fromkeys(m for m in names if fold(m) not in listed))
            if not unknown:
                continue
            shown = []
            for m in unknown:
                guess = difflib.get_close_matches(fold(m), list(listed), n=1, cutoff=0.6)
                shown.append(f"« {m} »" + (f" (vouliez-vous dire « {listed[guess[0]]} » ?)" if guess else ""))
            said.append(f"{key} nomme {', '.join(shown)}, absente{'s' if len(unknown) > 1 else ''} de la liste des "
                        "molécules ciblées (molecules)")
        if said:
            raise ValueError(" ; ".join(said) + " ; attendu : des molécules de la liste (un scénario qui retire une "
                             "molécule de la liste la retire aussi de ces tables, en les remplaçant)")
        return self

    def _required_fields(self) -> list[str]:
        always = ["etat", "molecules", "lecture", "prime_par_boite", "primes_par_molecule"]
        reading = self.lecture.valeur if self.lecture is not None else None
        return always + {"plancher": ["taux_plancher_pct", "sans_plancher"],
                         "progression": ["prime_par_boite_gagnee"]}.get(reading, [])


class Stabilite75(Indicateur):
    seuil_haut_pct: Seuil | None = None
    montant_haut: Leaf[Decimal] | None = None
    seuil_bas_pct: Seuil | None = None
    montant_bas: Leaf[Decimal] | None = None


class Asafo(Indicateur):
    periode: Leaf[Literal["annee", "decembre"]] | None = None  # weeks counted over the civil year or in December
    nb_semaines_min: Seuil | None = None
    montant: Leaf[Decimal] | None = None


class Ecoresponsable(Indicateur):
    nb_items_min: Seuil | None = None
    montant: Leaf[Decimal] | None = None


class MalusUrgence(Indicateur):
    comparaison_reference: Leaf[Literal["<", "<="]] | None = None
    taux_pct: Leaf[Decimal] | None = None
    sans_reference: Leaf[Literal["pas_de_malus", "malus"]] | None = None
    taux_annee_manquant: Leaf[Literal["pas_de_malus", "malus"]] | None = None


class Bups(_Strict):
    demarche_qualite: DemarcheQualite
    generiques_repertoire: SocleTaux
    molecules_ciblees: MoleculesCiblees
    stabilite_75: Stabilite75
    asafo: Asafo
    ecoresponsable: Ecoresponsable
    malus_urgence: MalusUrgence


# --- vaccination, colorectal, dispensation, dispositif 2024 -------------------------------------
class BonusPrescription(Indicateur):
    seuil_part_pct: Seuil | None = None
    montant_par_rva: Leaf[Decimal] | None = None


class Vaccination(_Strict):
    bonus_prescription: BonusPrescription


class ParKit(Indicateur):
    montant_par_kit: Leaf[Decimal] | None = None
    montant_par_kit_drom: Leaf[Decimal] | None = None


class Colorectal(_Strict):
    kits_remis: ParKit
    kits_realises: ParKit
    acte_remise_kit: ParKit


class Dispensation(Indicateur):
    montant_par_dispensation: Leaf[Decimal] | None = None
    plafond: Leaf[Decimal] | None = None


class DispensationUnite(_Strict):
    dispensation: Dispensation


class ForfaitSeuilNombre(Indicateur):
    nb_min: Seuil | None = None
    montant: Leaf[Decimal] | None = None


class ProgressionKits(Indicateur):
    coefficient: Seuil | None = None
    reference_installation_recente: Leaf[int] | None = None
    reference_nulle: Leaf[Literal["tout_nombre", "au_moins_un_kit"]] | None = None
    montant: Leaf[Decimal] | None = None


class Dispositif2024(_Strict):
    trod_angine: ForfaitSeuilNombre
    locaux_trod_cystite: Forfait
    entretien_chronique: ForfaitSeuilNombre
    accompagnement_grossesse: ForfaitSeuilNombre
    kits_colorectal_progression: ProgressionKits
    hybride_biosimilaire: Forfait


# --- calendrier ---------------------------------------------------------------------------------
def _theme_dates():
    """The fields of `Versements`: one optional date per theme of the registry (the one list of the themes), each
    present exactly when its theme exists that exercise (`ExerciseParameters._paid_the_year_after`)."""
    from ..registry import THEME_CODES  # the registry imports nothing of the parameters

    return {code: (Leaf[date] | None, None) for code in THEME_CODES}


# The last day each theme of the exercise is paid by, in N+1, under its code. The reconciliation compares it to its
# reference date (a payment still to come, or to claim); the reports say it.
Versements = create_model("Versements", __base__=_Strict, **_theme_dates())


class Calendrier(_Strict):
    """The exercise's deadlines: what a pharmacy can still do, and until when."""

    # first day of the declaration on amelipro, where a document gives it (the reports say the window « du … au … »)
    debut_declaration: Leaf[date] | None = None
    fin_declaration: Leaf[date]  # last day to declare the exercise's indicators on amelipro
    fin_autoevaluation_dqo: Leaf[date]  # last day of the HCQO auto-évaluation of the exercise
    fin_actions_dqo: Leaf[date]  # last day of the démarche qualité's newsletter subscription and programme
    fin_periode_malus_facturation: Leaf[date]  # last day of the billing-quality malus period
    versement: Versements  # when each theme is paid


class ExerciseParameters(_Strict):
    exercice: int
    general: General
    numerique: Numerique
    bups: Bups
    vaccination: Vaccination
    colorectal: Colorectal
    dispensation_unite: DispensationUnite
    dispositif_2024: Dispositif2024
    calendrier: Calendrier

    @model_validator(mode="after")
    def _paid_the_year_after(self):
        """A theme is paid in N+1 (docs/regles.md, calendrier): a date of another year (a scenario's « 2025-06-30 »
        for the exercise 2025, or one date given for every exercise) would say a payment due or to come wrongly. A
        theme that exists that exercise (one of its indicators is not `absent`) has its date, and only such a theme."""
        from ..registry import indicators_of

        def node(path: str):
            out = self
            for part in path.split("."):
                out = getattr(out, part)
            return out

        for name in type(self.calendrier.versement).model_fields:
            leaf = getattr(self.calendrier.versement, name)
            exists = any(getattr(node(i.noeud), "etat", None) is None or node(i.noeud).etat.valeur != "absent"
                         for i in indicators_of(name))
            if exists and leaf is None:
                raise ValueError(f"calendrier.versement.{name} manque pour l'exercice {self.exercice} ; attendu : le "
                                 "dernier jour où ce thème, qui existe cet exercice, est versé (une date de "
                                 f"{self.exercice + 1})")
            if not exists and leaf is not None:
                raise ValueError(f"calendrier.versement.{name} est donné pour l'exercice {self.exercice}, où ce thème "
                                 "n'existe pas ; attendu : pas de date de versement pour lui")
            if leaf is not None and leaf.valeur.year != self.exercice + 1:
                raise ValueError(f"calendrier.versement.{name} vaut {leaf.valeur:%d/%m/%Y} pour l'exercice "
                                 f"{self.exercice} ; attendu : une date de {self.exercice + 1}, l'année qui suit "
                                 "l'exercice (le thème est versé en N+1) — une date ne vaut que pour un exercice : "
                                 f"écrivez-la sous la clé de l'exercice qu'elle paie ({leaf.valeur.year - 1}:)")
        return self

    @model_validator(mode="after")
    def _deadlines_of_the_exercise(self):
        """The deadlines of an exercise (declaration, démarche qualité, the malus period) fall in N or N+1: a scenario's
        « 2019-01-31 » for 2024 closed every declaration of the gains without a word (review), as a payment date of
        another year would say a payment due wrongly (`_paid_the_year_after`)."""
        for name in type(self.calendrier).model_fields:
            leaf = getattr(self.calendrier, name)
            if isinstance(leaf, Leaf) and leaf.valeur.year not in (self.exercice, self.exercice + 1):
                raise ValueError(f"calendrier.{name} vaut {leaf.valeur:%d/%m/%Y} pour l'exercice {self.exercice} ; "
                                 f"attendu : une date de {self.exercice} ou de {self.exercice + 1} ({leaf.libelle[0].lower()}"
                                 f"{leaf.libelle[1:]}) — une date ne vaut que pour un exercice : écrivez-la sous la clé "
                                 f"de l'exercice qu'elle concerne ({leaf.valeur.year - 1}: ou {leaf.valeur.year}:)")
        return self

    @model_validator(mode="after")
    def _alternative_keys_exist(self):
        leaves = dict(iter_leaves(self))
        for path, leaf in leaves.items():
            key = leaf.alternative_cle
            if key is None:
                continue
            other = leaves.get(key)
            if (other is None or key == path or key.rsplit(".", 1)[0] != path.rsplit(".", 1)[0]
                    or not other.alternative):
                raise ValueError(f"{path}.alternative_cle « {key} » : attendu la clé d'un autre paramètre du même "
                                 "indicateur qui a une lecture alternative")
        return self



def iter_leaves(node: BaseModel, prefix: str = ""):
    """(dotted path, leaf) for every leaf of a parameter tree."""
    for name in type(node).model_fields:
        value = getattr(node, name)
        path = f"{prefix}{name}"
        if isinstance(value, Leaf):
            yield path, value
        elif isinstance(value, BaseModel):
            yield from iter_leaves(value, path + ".")


def with_alternatives(node: BaseModel, alternative, prefix: str = "") -> BaseModel:
    """The tree with each hypothesis's `alternative` text as `alternative(path, leaf)` writes it (the nodes and
    leaves it does not change are kept as they are)."""
    changed = {}
    for name in type(node).model_fields:
        value = getattr(node, name)
        path = f"{prefix}{name}"
        if isinstance(value, Leaf):
            if value.alternative and (text := alternative(path, value)) != value.alternative:
                changed[name] = value.model_copy(update={"alternative": text})
        elif isinstance(value, BaseModel):
            new = with_alternatives(value, alternative, path + ".")
            if new is not value:
                changed[name] = new
    return node.model_copy(update=changed) if changed else node


def diff_exercises(a: ExerciseParameters, b: ExerciseParameters) -> list[dict]:
    """What changed between two exercises: one row per leaf whose value or status differs."""
    la, lb = dict(iter_leaves(a)), dict(iter_leaves(b))
    rows = []
    for path in sorted(set(la) | set(lb), key=lambda p: (p.split(".")[0], p)):
        x, y = la.get(path), lb.get(path)
        vx = None if x is None else x.valeur
        vy = None if y is None else y.valeur
        if vx != vy or (x and y and x.statut != y.statut):
            rows.append(
                {
                    "parametre": path,
                    "libelle": (y or x).libelle,
                    "avant": vx,
                    "apres": vy,
                    "statut_avant": x.statut if x else None,
                    "statut_apres": y.statut if y else None,
                }
            )
    return rows
