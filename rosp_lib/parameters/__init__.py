"""Dated rule parameters: `parameters/<exercice>.yaml`, one file per exercise.

Every leaf is a mapping with its value (`valeur`), unit, French label, source and status
(`texte` / `source` / `hypothese`); a `hypothese` names its alternative reading. Thresholds also
say how they compare (`comparaison`: `>=`, `>`, `<`, `<=`). The tree is described by the pydantic
models below, which refuse unknown and missing keys; the YAML reader refuses duplicate keys and
YAML auto-dates, and reads every number as an exact Decimal.

A user scenario (`--parametres scenario.yaml`) overrides a few values, for every exercise or for
one (`2025: {...}`), without copying whole leaves.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

PARAMETERS_DIR = Path(__file__).resolve().parents[2] / "parameters"
STATUTS = ("texte", "source", "hypothese")
Statut = Literal["texte", "source", "hypothese"]
Comparaison = Literal[">=", ">", "<", "<="]
Etat = Literal["actif", "neutralise", "absent"]

T = TypeVar("T")


class ParameterError(Exception):
    """A parameter or scenario file that cannot be used; the message is in French."""


# --------------------------------------------------------------------------------------------
# Strict YAML: Decimal numbers, no auto-dates, no duplicate keys.
# --------------------------------------------------------------------------------------------
class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser when PyYAML has it: 10× faster
    pass


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise ParameterError(
                f"clé en double « {key} » (lignes {seen[key] + 1} et {key_node.start_mark.line + 1})"
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


def _construct_float(loader: _StrictLoader, node: yaml.ScalarNode) -> Decimal:
    text = loader.construct_scalar(node).replace("_", "")
    return Decimal(text)


def _refuse_timestamp(loader: _StrictLoader, node: yaml.ScalarNode):
    raise ParameterError(
        f"ligne {node.start_mark.line + 1} : la date {node.value} n'est pas entre guillemets ; "
        "écrivez-la \"AAAA-MM-JJ\" (les dates automatiques YAML sont refusées)"
    )


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _refuse_timestamp)


def read_yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_StrictLoader)  # noqa: S506 - strict safe loader
    except ParameterError as exc:
        raise ParameterError(f"{path} : {exc}") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path} : YAML illisible : {exc}") from None
    except FileNotFoundError:
        raise ParameterError(f"fichier de paramètres introuvable : {path}") from None


# --------------------------------------------------------------------------------------------
# The tree
# --------------------------------------------------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Leaf(_Strict, Generic[T]):
    """One parameter: its value and where it comes from."""

    valeur: T
    unite: str
    libelle: str
    source: str
    statut: Statut
    alternative: str | None = None
    verifie_le: str | None = None
    surcharge: str | None = None  # set when a user scenario replaced the value

    @model_validator(mode="after")
    def _hypothesis_names_its_alternative(self):
        if self.statut == "hypothese" and not self.alternative:
            raise ValueError("un paramètre « hypothese » doit nommer sa lecture alternative (alternative)")
        if not self.source.strip():
            raise ValueError("source vide")
        return self


class Seuil(Leaf[Decimal]):
    """A threshold: its value and how the pharmacy's value is compared to it."""

    comparaison: Comparaison

    @property
    def symbole(self) -> str:
        return {">=": "≥", ">": ">", "<": "<", "<=": "≤"}[self.comparaison]


class Palier(_Strict):
    score_min: int
    taux_pct: Decimal


class Indicateur(_Strict):
    """An indicator of a theme for one exercise: its state and its numbers.

    `etat` is `actif`, `neutralise` (not required as a socle, pays nothing) or `absent` (the rule
    does not exist that year). The other fields may be left out unless the indicator is active.
    """

    etat: Leaf[Etat]

    @model_validator(mode="after")
    def _complete_when_active(self):
        if self.etat.valeur == "actif":
            missing = [n for n in type(self).model_fields if getattr(self, n) is None]
            if missing:
                raise ValueError(f"indicateur actif : paramètres manquants {', '.join(missing)}")
        return self

    @property
    def actif(self) -> bool:
        return self.etat.valeur == "actif"


class General(_Strict):
    arrondi: Leaf[Literal["demi_haut", "demi_pair"]]
    prorata_forfaits: Leaf[bool]


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
    nb_factures_min: Leaf[int] | None = None
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
    molecules: Leaf[list[str]] | None = None
    prime_par_boite: Leaf[Decimal] | None = None
    primes_par_molecule: Leaf[dict[str, Decimal]] | None = None
    lecture: Leaf[Literal["progression", "plancher"]] | None = None
    taux_plancher_pct: Seuil | None = None


class Stabilite75(Indicateur):
    seuil_haut_pct: Seuil | None = None
    montant_haut: Leaf[Decimal] | None = None
    seuil_bas_pct: Seuil | None = None
    montant_bas: Leaf[Decimal] | None = None


class Asafo(Indicateur):
    nb_semaines_min: Seuil | None = None
    montant: Leaf[Decimal] | None = None


class Ecoresponsable(Indicateur):
    nb_items_min: Seuil | None = None
    montant: Leaf[Decimal] | None = None


class MalusUrgence(Indicateur):
    comparaison_reference: Leaf[Literal["<", "<="]] | None = None
    taux_pct: Leaf[Decimal] | None = None
    sans_reference: Leaf[Literal["pas_de_malus", "malus"]] | None = None


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


class ExerciseParameters(_Strict):
    exercice: int
    general: General
    numerique: Numerique
    bups: Bups
    vaccination: Vaccination
    colorectal: Colorectal
    dispensation_unite: DispensationUnite
    dispositif_2024: Dispositif2024


THEMES = ("numerique", "bups", "vaccination", "colorectal", "dispensation_unite", "dispositif_2024")


# --------------------------------------------------------------------------------------------
# Loading and scenarios
# --------------------------------------------------------------------------------------------
def _french_validation_error(path: Path | str, exc: ValidationError) -> ParameterError:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith(("Leaf", "function")))
        kind = err["type"]
        if kind == "extra_forbidden":
            msg = "clé inconnue"
        elif kind == "missing":
            msg = "clé manquante"
        else:
            msg = err["msg"].replace("Value error, ", "")
        lines.append(f"  - {loc} : {msg}")
    return ParameterError(f"{path} : paramètres invalides\n" + "\n".join(lines))


def available_exercises(directory: Path = PARAMETERS_DIR) -> list[int]:
    return sorted(int(p.stem) for p in directory.glob("[0-9][0-9][0-9][0-9].yaml"))


def _raw_exercise(exercice: int, directory: Path) -> dict:
    path = directory / f"{exercice}.yaml"
    if not path.exists():
        years = ", ".join(map(str, available_exercises(directory)))
        raise ParameterError(f"aucun paramètre pour l'exercice {exercice} (exercices disponibles : {years})")
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ParameterError(f"{path} : le fichier doit être un dictionnaire")
    if raw.get("exercice") != exercice:
        raise ParameterError(f"{path} : la clé « exercice » vaut {raw.get('exercice')!r}, attendu {exercice}")
    return raw


def _validate(raw: dict, origin: Path | str) -> ExerciseParameters:
    try:
        return ExerciseParameters.model_validate(raw)
    except ValidationError as exc:
        raise _french_validation_error(origin, exc) from None


@dataclass(frozen=True)
class Scenario:
    """Value overrides read from a user's YAML: for all exercises and per exercise."""

    path: str
    tous: dict
    par_exercice: dict[int, dict]

    @classmethod
    def read(cls, path: Path | str) -> "Scenario":
        raw = read_yaml(Path(path))
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise ParameterError(f"{path} : un scénario est un dictionnaire de valeurs à remplacer")
        raw = dict(raw)
        raw.pop("description", None)
        per_year = {k: raw.pop(k) for k in list(raw) if isinstance(k, int)}
        return cls(str(path), raw, per_year)

    def overrides_for(self, exercice: int) -> list[tuple[tuple[str, ...], Any]]:
        out: list[tuple[tuple[str, ...], Any]] = []
        for tree in (self.tous, self.par_exercice.get(exercice, {})):
            _flatten(tree, (), out)
        return out


def _flatten(tree: Any, prefix: tuple[str, ...], out: list) -> None:
    if isinstance(tree, dict) and "valeur" not in tree:
        for k, v in tree.items():
            _flatten(v, prefix + (str(k),), out)
    else:
        out.append((prefix, tree["valeur"] if isinstance(tree, dict) else tree))


def _leaf_paths(raw: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(raw, dict) and "valeur" in raw:
        return [prefix]
    if isinstance(raw, dict):
        return [p for k, v in raw.items() for p in _leaf_paths(v, prefix + (str(k),))]
    return []


def _apply_overrides(raw: dict, scenario: Scenario, exercice: int) -> dict:
    raw = copy.deepcopy(raw)
    known = {".".join(p) for p in _leaf_paths(raw)}
    errors = []
    for path, value in scenario.overrides_for(exercice):
        dotted = ".".join(path)
        if dotted not in known:
            guess = difflib.get_close_matches(dotted, sorted(known), n=1, cutoff=0.6)
            hint = f" — vouliez-vous dire « {guess[0]} » ?" if guess else ""
            errors.append(f"  - {dotted} : ce paramètre n'existe pas pour l'exercice {exercice}{hint}")
            continue
        node = raw
        for k in path:
            node = node[k]
        node["valeur"] = value
        node["surcharge"] = scenario.path
    if errors:
        raise ParameterError(f"{scenario.path} : scénario invalide\n" + "\n".join(errors))
    return raw


def load_parameters(
    exercice: int,
    scenario: Scenario | Path | str | None = None,
    directory: Path = PARAMETERS_DIR,
) -> ExerciseParameters:
    """The validated parameters of one exercise, with a user scenario's overrides applied."""
    raw = _raw_exercise(exercice, directory)
    origin: Path | str = directory / f"{exercice}.yaml"
    if scenario is not None:
        if not isinstance(scenario, Scenario):
            scenario = Scenario.read(scenario)
        raw = _apply_overrides(raw, scenario, exercice)
        origin = f"{origin} + {scenario.path}"
    return _validate(raw, origin)


def iter_leaves(node: BaseModel, prefix: str = ""):
    """(dotted path, leaf) for every leaf of a parameter tree."""
    for name in type(node).model_fields:
        value = getattr(node, name)
        path = f"{prefix}{name}"
        if isinstance(value, Leaf):
            yield path, value
        elif isinstance(value, BaseModel):
            yield from iter_leaves(value, path + ".")


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
