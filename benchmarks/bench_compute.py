"""Banc de performance du calcul ROSP : N pharmacies synthétiques, exercices 2022 à 2026.

Usage (depuis la racine du dépôt) :

    .venv/bin/python benchmarks/bench_compute.py [--n 20000] [--seed 1] [--repetitions 3]
                                                 [--toutes-annees] [--profil] [--grand 200000]
                                                 [--un-processus] [--comparer DOSSIER]

Le script
  1. génère N pharmacies plausibles (une ligne pharmacie × exercice chacune, exercice tiré de 2022
     à 2026 ; avec --toutes-annees, les cinq exercices pour chaque pharmacie, soit 5 N lignes) et
     environ trois lignes de molécules ciblées par pharmacie pour les exercices qui en ont, au
     format d'un export de tableur français (séparateur « ; », virgule décimale), dans
     benchmarks/_work/ (ignoré par git) ;
  2. mesure, dans ce processus, la lecture + validation (read_pharmacies, read_molecules) puis le
     calcul (paramètres + compute + totals), et la mémoire maximale (tracemalloc, passe séparée) ;
  3. mesure la commande complète `rosp compute` dans un sous-processus (temps mur, temps CPU
     processus de travail compris, mémoire maximale de l'arbre de ses processus : sommes des RSS et
     des PSS relevées toutes les 50 ms) ; avec --un-processus et --comparer DOSSIER, d'autres
     variantes de la commande (--jobs 1, le rosp_lib d'un autre dépôt) lancées en alternance, et
     leurs fichiers comparés octet pour octet ;
  4. mesure, à chaque tour de ces répétitions, une commande qui ne fait que lire les mêmes fichiers
     avec pandas (`pandas.read_csv(..., dtype=str, keep_default_na=False)`, interpréteur et import de
     pandas compris, lancée comme `rosp compute`) : la commande doit prendre au plus 5 fois ce temps
     (médiane des rapports de chaque tour) ; et, pour information, la même lecture dans ce processus ;
  5. refait la mesure de la commande et de pandas sur un grand fichier (--grand, 200 000
     pharmacies par défaut, 0 pour l'omettre) : au plus 10 fois la commande pandas et 2 Go ;
  6. affiche un tableau en français et le compare aux objectifs : calcul < 2 s, commande < 5 s
     et ≤ 5 × pandas, mémoire < 500 Mo ; grand fichier ≤ 10 × pandas et < 2 Go. Code de sortie 1
     si un objectif est manqué, 2 si la commande échoue ou si la validation refuse les données
     générées.

Chaque partie chronométrée est répétée (3 fois par défaut) ; on retient la médiane.
C'est un banc de mesure, pas un test unitaire : il n'est pas lancé par pytest.
"""

from __future__ import annotations

import argparse
import compileall
import cProfile
import gc
import io
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "_work"
sys.path.insert(0, str(ROOT))

from rosp_lib.engine import compute, parameters_for, totals  # noqa: E402
from rosp_lib.inputs import InputError, PHARMACY_COLUMNS, read_molecules, read_pharmacies  # noqa: E402
from rosp_lib.parameters import load_parameters  # noqa: E402

EXERCICES = list(range(2022, 2027))

# Objectifs (secondes, mégaoctets).
OBJECTIF_CALCUL_S = 2.0
OBJECTIF_COMMANDE_S = 5.0
OBJECTIF_MEMOIRE_MO = 500.0
# Commande / commande pandas seule (interpréteur, import de pandas, lecture des mêmes fichiers), lancées tour à tour :
# la mesure de l'issue (« rosp compute … 4,6 s against 0,44 s for pandas reading the same file: 10,4× », quand
# pandas lisait ces cellules en 0,15 s dans un processus déjà lancé) ; voir benchmarks/README.md.
OBJECTIF_RAPPORT_PANDAS = 5.0
OBJECTIF_GRAND_RAPPORT_PANDAS = 10.0
OBJECTIF_GRAND_MEMOIRE_MO = 2048.0


# --------------------------------------------------------------------------------------------
# Génération des données synthétiques
# --------------------------------------------------------------------------------------------
# Réglages calibrés sur les chiffres publiés (benchmarks/reseau.py, benchmarks/README.md « Vue réseau et chiffres
# publiés ») : part des officines qui déclarent participer à un exercice coordonné, part de cases vides dans une
# déclaration socle (une case vide y vaut « non » et fait perdre tout le thème).
P_EXERCICE_COORDONNE = 0.5
MANQUE_SOCLE = 0.005


def _rate_text(values: np.ndarray, decimals: int = 1) -> np.ndarray:
    """Pourcentages en texte à virgule décimale (« 95,3 »), bornés à 0–100."""
    v = np.round(np.clip(values, 0, 100), decimals)
    return np.array([f"{x:.{decimals}f}".replace(".", ",") for x in v], dtype=object)


def _int_text(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).astype(str).astype(object)


def _with_missing(rng: np.random.Generator, text: np.ndarray, share: float) -> np.ndarray:
    out = text.copy()
    out[rng.random(len(out)) < share] = ""
    return out


_BOOL_STYLES = [("oui", "non"), ("Oui", "Non"), ("x", ""), ("1", "0"), ("vrai", "faux"), ("TRUE", "FALSE")]
_BOOL_STYLE_WEIGHTS = [0.6, 0.1, 0.1, 0.1, 0.05, 0.05]


def _bool_text(rng: np.random.Generator, p_true: float, n: int, style: np.ndarray, missing: float = 0.03) -> np.ndarray:
    """Booléens dans la graphie du fichier d'origine de chaque ligne ; une case vide = « non »."""
    truth = rng.random(n) < p_true
    yes = np.array([s[0] for s in _BOOL_STYLES], dtype=object)[style]
    no = np.array([s[1] for s in _BOOL_STYLES], dtype=object)[style]
    return _with_missing(rng, np.where(truth, yes, no).astype(object), missing)


def _near_threshold(rng: np.random.Generator, n: int, threshold, spread: float, ceiling: float = 100) -> np.ndarray:
    """Taux concentrés autour d'un seuil (la plupart à ± spread points) ; threshold : un nombre ou un tableau (un
    seuil par ligne, celui de son exercice)."""
    return np.clip(rng.normal(np.asarray(threshold, dtype=float) + spread / 4, spread, n), 0, ceiling)


def _per_row(year: np.ndarray, params: dict, leaf) -> np.ndarray:
    """Valeur d'une feuille de paramètres pour l'exercice de chaque ligne (les seuils ne sont pas recopiés ici).

    params : exercice → paramètres ; leaf(paramètres de l'exercice) rend la feuille, ou None si l'indicateur ne
    l'a pas cet exercice : la ligne prend alors la valeur de l'exercice le plus proche qui l'a (des données
    plausibles même quand la règle ne s'applique pas)."""
    values: dict[int, float] = {}
    for y in EXERCICES:
        node = leaf(params[y])
        if node is not None and getattr(node, "valeur", None) is not None:
            values[y] = float(node.valeur)
    if not values:
        raise SystemExit("Erreur : paramètre absent de tous les exercices du banc")
    table = np.array([values[min(values, key=lambda k: (abs(k - y), k))] for y in EXERCICES])
    return table[np.asarray(year, dtype=np.int64) - EXERCICES[0]]


def _leaf(*path: str):
    """Accès tolérant à une feuille de paramètres : None si un maillon manque cet exercice."""
    def get(params):
        node = params
        for name in path:
            node = getattr(node, name, None)
            if node is None:
                return None
        return node
    return get


def _asafo_annual_weeks(params):
    """Le seuil ASAFO en semaines de l'année, ou None quand l'exercice compte autrement (décembre) ou ne l'a pas."""
    periode = _leaf("bups", "asafo", "periode")(params)
    if periode is None or periode.valeur != "annee":
        return None
    return _leaf("bups", "asafo", "nb_semaines_min")(params)


# Médiane synthétique des boîtes délivrées par an et par officine (volumes non publiés ; ordre de grandeur).
BOITES_MEDIANE_DEFAUT = 100
_BOITES_MEDIANE = {"palipéridone": 6, "tériflunomide": 12}


def molecule_list(year: int) -> list[str]:
    """Molécules ciblées de l'exercice (liste vide si l'exercice n'en a pas)."""
    mc = load_parameters(year).bups.molecules_ciblees
    leaf = getattr(mc, "molecules", None) if mc is not None else None
    return list(leaf.valeur) if leaf is not None and leaf.valeur else []


def generate(n: int, seed: int, toutes_annees: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(pharmacies, molécules) en texte, telles qu'un utilisateur les exporterait."""
    rng = np.random.default_rng(seed)
    params = {y: load_parameters(y) for y in EXERCICES}  # seuils lus dans les paramètres de chaque exercice
    ids = np.array([f"PH{i:05d}" for i in range(n)], dtype=object)
    if toutes_annees:
        pid = np.repeat(ids, len(EXERCICES))
        year = np.tile(EXERCICES, n)
    else:
        pid = ids
        year = rng.choice(EXERCICES, size=n)
    m = len(pid)
    style = rng.choice(len(_BOOL_STYLES), size=m, p=_BOOL_STYLE_WEIGHTS)
    villes = np.array(["du Centre", "de la Gare", "de la Mairie", "des Tilleuls", "du Marché", "de l'Église",
                       "du Port", "des Halles", "Saint-Jean", "de la Poste"], dtype=object)
    d: dict[str, np.ndarray] = {}
    d["pharmacie_id"] = pid
    d["nom"] = np.array([f"Pharmacie {v} {p[2:]}" for v, p in zip(villes[rng.integers(0, len(villes), m)], pid)],
                        dtype=object)
    d["exercice"] = _int_text(year)
    d["drom"] = _bool_text(rng, 0.03, m, style, missing=0.5)

    # Activité partielle : ~2 % d'installations en cours d'année, ~2 % de cessions.
    debut = np.full(m, "", dtype=object)
    fin = np.full(m, "", dtype=object)
    start_day = rng.integers(1, 180, m)
    end_day = rng.integers(185, 364, m)
    install = rng.random(m) < 0.02
    cession = rng.random(m) < 0.02
    for i in np.flatnonzero(install):
        debut[i] = (np.datetime64(f"{year[i]}-01-01") + int(start_day[i])).astype(str)
    for i in np.flatnonzero(cession):
        fin[i] = (np.datetime64(f"{year[i]}-01-01") + int(end_day[i])).astype(str)
    d["debut_activite"], d["fin_activite"] = debut, fin

    # Numérique — socles. Calibrage (benchmarks/README.md, « Vue réseau et chiffres publiés ») : une déclaration
    # socle est rarement laissée vide (une case vide vaut « non » et fait perdre tout le thème) ; l'exercice
    # coordonné concerne une officine sur deux (P_EXERCICE_COORDONNE), le logiciel Ségur quasi général.
    d["exercice_coordonne"] = _bool_text(rng, P_EXERCICE_COORDONNE, m, style, missing=MANQUE_SOCLE)
    d["logiciel_segur"] = _bool_text(rng, 0.97, m, style, missing=MANQUE_SOCLE)
    d["lad_certifie_has"] = _bool_text(rng, 0.1, m, style, missing=0.4)
    d["condamnation_fraude"] = _bool_text(rng, 0.002, m, style, missing=0.6)
    seuil_ordonnance = _per_row(year, params, _leaf("numerique", "ordonnance_numerique_socle", "seuil_pct"))
    d["taux_ordonnance_numerique_pct"] = _with_missing(rng, _rate_text(_near_threshold(rng, m, seuil_ordonnance, 12)),
                                                       0.2)

    # Numérique — indicateurs complémentaires. Nombre de FSE : médiane 30 000 par an (≈ 120 par jour ouvré) ;
    # taux SESAM-Vitale surtout entre 90 et 100 %, un peu plus d'une officine sur deux au-dessus du seuil haut.
    nb_fse = np.round(rng.lognormal(np.log(30000), 0.45, m)).astype(np.int64)
    d["nb_fse"] = _with_missing(rng, _int_text(nb_fse), 0.02)
    d["taux_fse_sesam_vitale_pct"] = _with_missing(rng, _rate_text(100 - rng.gamma(2.0, 2.4, m), 2), 0.03)
    d["taux_qualite_scor_pct"] = _with_missing(rng, _rate_text(100 - rng.exponential(1.0, m), 2), 0.03)
    seuil_dmp = _per_row(year, params, _leaf("numerique", "dmp", "seuil_pct"))
    d["taux_dmp_pct"] = _with_missing(rng, _rate_text(_near_threshold(rng, m, seuil_dmp, 8)), 0.08)
    d["taux_mss_pct"] = _with_missing(rng, _rate_text(rng.gamma(2.0, 3.0, m)), 0.05)
    d["bal_organisationnelle"] = _bool_text(rng, 0.5, m, style)
    seuil_epres = _per_row(year, params, _leaf("numerique", "eprescription", "seuil_pct"))
    d["taux_eprescription_pct"] = _with_missing(rng, _rate_text(_near_threshold(rng, m, seuil_epres, 15)), 0.1)
    d["taux_apcv_pct"] = _with_missing(rng, _rate_text(rng.gamma(1.5, 3.0, m)), 0.05)
    d["borne_maj_carte_vitale"] = _bool_text(rng, 0.3, m, style)
    d["nb_lecteurs_maj_carte_vitale"] = _with_missing(rng, _int_text(rng.integers(0, 6, m)), 0.1)
    tlc = rng.random(m) < 0.15
    d["teleconsultation_equipee"] = np.where(tlc, "oui", "non").astype(object)
    d["teleconsultation_premiere_annee"] = _bool_text(rng, 0.05, m, style, missing=0.5)
    d["nb_teleconsultations"] = np.where(tlc, _int_text(rng.poisson(60, m)), "").astype(object)
    d["zone_zip_zac"] = _bool_text(rng, 0.2, m, style)
    d["nb_patients_correspondant"] = _with_missing(rng, _int_text(rng.poisson(3, m) * (rng.random(m) < 0.3)), 0.3)

    # Numérique — malus qualité de la facturation.
    factures = np.round(nb_fse * rng.uniform(0.7, 1.1, m)).astype(np.int64)
    factures[rng.random(m) < 0.01] = rng.integers(10, 99)  # quelques très petites périodes (< 100 factures)
    d["nb_factures_periode_malus"] = _with_missing(rng, _int_text(factures), 0.05)
    seuil_securisees = _per_row(year, params, _leaf("numerique", "malus_qualite_facturation",
                                                    "fse_securisees_cible_pct"))
    d["taux_fse_securisees_pct"] = _with_missing(rng, _rate_text(_near_threshold(rng, m, seuil_securisees + 4, 10)),
                                                 0.05)
    d["taux_rejets_iris_pct"] = _with_missing(rng, _rate_text(rng.gamma(2.0, 0.8, m), 2), 0.05)
    d["taux_double_paiement_pct"] = _with_missing(rng, _rate_text(rng.gamma(1.5, 0.03, m), 3), 0.05)

    # BUPS. Les trois déclarations de la démarche qualité (socle) sont faites par la plupart des officines ; le taux
    # de génériques du répertoire (socle) est centré quelques points au-dessus du seuil de l'exercice (≈ 8 %
    # dessous), rarement vide.
    d["dqo_autoevaluation"] = _bool_text(rng, 0.96, m, style, missing=MANQUE_SOCLE)
    d["dqo_newsletter"] = _bool_text(rng, 0.96, m, style, missing=MANQUE_SOCLE)
    d["dqo_programme_amelioration"] = _bool_text(rng, 0.94, m, style, missing=MANQUE_SOCLE)
    seuil_generiques = _per_row(year, params, _leaf("bups", "generiques_repertoire", "seuil_pct"))
    d["taux_generiques_repertoire_pct"] = _with_missing(
        rng, _rate_text(np.clip(rng.normal(seuil_generiques + 3.5, 2.5, m), 0, 100)), MANQUE_SOCLE)
    d["taux_stabilite_75_pct"] = _with_missing(rng, _rate_text(100 - rng.gamma(2.0, 2.0, m)), 0.05)
    ref = rng.gamma(2.0, 1.5, m)
    d["taux_urgence_pct"] = _with_missing(rng, _rate_text(ref * rng.uniform(0.3, 1.3, m), 2), 0.05)
    d["taux_urgence_reference_pct"] = _with_missing(rng, _rate_text(ref, 2), 0.1)
    # Semaines de l'année avec une connexion à ASAFO-Pharma : autour du seuil annuel (celui de 2025–).
    seuil_asafo = _per_row(year, params, _asafo_annual_weeks)
    semaines = np.clip(np.round(rng.normal(seuil_asafo + 1, 6, m)), 0, 52).astype(np.int64)
    d["nb_semaines_asafo"] = _with_missing(rng, _int_text(semaines), 0.1)
    # Décembre (5 semaines entamées) : chaque semaine connectée avec la fréquence de l'année de l'officine.
    d["nb_semaines_asafo_decembre"] = _with_missing(rng, _int_text(rng.binomial(5, semaines / 52)), 0.1)
    d["eco_programme"] = _bool_text(rng, 0.4, m, style)
    d["eco_niveau_vise"] = _with_missing(rng, _int_text(rng.integers(0, 4, m)), 0.2)
    d["eco_items_valides"] = _with_missing(rng, _int_text(rng.integers(0, 4, m)), 0.2)
    d["eco_niveau_valide_precedent"] = _with_missing(rng, _int_text(rng.integers(0, 4, m)), 0.3)

    # Vaccination.
    d["nb_rva_960"] = _with_missing(rng, _int_text(rng.poisson(40, m)), 0.1)
    d["nb_rva_750"] = _with_missing(rng, _int_text(rng.poisson(120, m)), 0.1)

    # Dépistage colorectal (kits réalisés ≤ kits remis).
    remis = rng.poisson(55, m)
    realises = rng.binomial(remis, 0.55)
    keep_remis = rng.random(m) >= 0.08
    d["nb_kits_remis"] = np.where(keep_remis, _int_text(remis), "").astype(object)
    # sans kits remis connus, on laisse aussi les kits réalisés vides (la règle inter-colonnes reste vraie)
    d["nb_kits_realises"] = np.where(keep_remis & (rng.random(m) >= 0.05), _int_text(realises), "").astype(object)
    d["nb_kits_remis_n_1"] = _with_missing(rng, _int_text(rng.poisson(50, m)), 0.2)
    d["installation_apres_2023"] = _bool_text(rng, 0.05, m, style, missing=0.5)

    # Dispensation à l'unité.
    d["nb_dispensations_unite"] = _with_missing(rng, _int_text(rng.poisson(150, m)), 0.3)

    # Dispositif exceptionnel 2024.
    d["nb_trod_angine"] = _with_missing(rng, _int_text(rng.poisson(12, m)), 0.3)
    d["locaux_trod_cystite"] = _bool_text(rng, 0.4, m, style)
    d["nb_entretiens_chroniques"] = _with_missing(rng, _int_text(rng.poisson(8, m)), 0.3)
    d["nb_accompagnements_grossesse"] = _with_missing(rng, _int_text(rng.poisson(2, m)), 0.3)
    d["substitution_hybride"] = _bool_text(rng, 0.5, m, style)
    d["substitution_biosimilaire"] = _bool_text(rng, 0.4, m, style)

    expected = [c.name for c in PHARMACY_COLUMNS]
    missing_cols = set(expected) - set(d)
    if missing_cols:  # le schéma a gagné une colonne : le banc doit la générer
        raise SystemExit(f"Erreur : colonnes non générées par le banc : {', '.join(sorted(missing_cols))}")
    pharmacies = pd.DataFrame({c: d[c] for c in expected})

    # Molécules ciblées : 2 à 4 molécules distinctes (≈ 3) par pharmacie, pour les exercices qui en ont.
    lists = {y: molecule_list(y) for y in EXERCICES}
    rows = []
    for p, y in zip(pid, year):
        names = lists[int(y)]
        if not names:
            continue
        k = min(len(names), int(rng.integers(2, 5)))
        for j in rng.choice(len(names), size=k, replace=False):
            rows.append((p, int(y), names[j]))
    k = len(rows)
    mol = pd.DataFrame(rows, columns=["pharmacie_id", "exercice", "molecule"]).astype({"exercice": str})
    # Quelques graphies différentes (majuscules, sans accents) : la lecture doit les reconnaître.
    shout = rng.random(k) < 0.1
    mol.loc[shout, "molecule"] = mol.loc[shout, "molecule"].str.upper()
    depart = np.clip(rng.normal(70, 15, k), 0, 100)
    arrivee = np.clip(depart + rng.normal(4, 6, k), 0, 100)
    # Boîtes par an et par molécule : ≈ 100 en médiane (antidiabétiques, inhalateurs…), quelques-unes pour les
    # traitements de spécialiste (injection mensuelle, sclérose en plaques).
    base = mol["molecule"].str.lower().map(_BOITES_MEDIANE).fillna(BOITES_MEDIANE_DEFAUT).to_numpy(dtype=float)
    mol["nb_boites"] = _with_missing(rng, _int_text(np.round(rng.lognormal(np.log(base), 0.7))), 0.02)
    mol["taux_depart_pct"] = _with_missing(rng, _rate_text(depart), 0.02)
    mol["taux_arrivee_pct"] = _with_missing(rng, _rate_text(arrivee), 0.02)
    return pharmacies, mol


def write_inputs(n: int, seed: int, toutes_annees: bool) -> tuple[Path, Path, int, int]:
    WORK.mkdir(parents=True, exist_ok=True)
    suffix = f"{n}_{seed}{'_toutes' if toutes_annees else ''}"
    ph_path = WORK / f"pharmacies_{suffix}.csv"
    mol_path = WORK / f"molecules_{suffix}.csv"
    pharmacies, mol = generate(n, seed, toutes_annees)
    pharmacies.to_csv(ph_path, sep=";", index=False, encoding="utf-8", lineterminator="\n")
    mol.to_csv(mol_path, sep=";", index=False, encoding="utf-8", lineterminator="\n")
    return ph_path, mol_path, len(pharmacies), len(mol)


# --------------------------------------------------------------------------------------------
# Mesures
# --------------------------------------------------------------------------------------------
def _read(ph_path: Path, mol_path: Path):
    pharmacies = read_pharmacies(ph_path)
    molecules = read_molecules(mol_path, pharmacies)
    return pharmacies, molecules


def _calc(pharmacies, molecules):
    params = parameters_for(pharmacies["exercice"].unique())
    lines = compute(pharmacies, molecules, params)
    tot = totals(lines, pharmacies)
    return lines, tot


def measure_in_process(ph_path: Path, mol_path: Path, reps: int) -> dict:
    """Temps mur (perf_counter) et temps CPU du processus (process_time) de chaque étape ; médianes."""
    keys = ("lecture", "parametres", "compute", "totals")
    wall = {k: [] for k in keys}
    cpu = {k: [] for k in keys}
    lines = tot = None
    for _ in range(reps):
        gc.collect()
        marks = [(time.perf_counter(), time.process_time())]
        pharmacies, molecules = _read(ph_path, mol_path)
        marks.append((time.perf_counter(), time.process_time()))
        params = parameters_for(pharmacies["exercice"].unique())
        marks.append((time.perf_counter(), time.process_time()))
        lines = compute(pharmacies, molecules, params)
        marks.append((time.perf_counter(), time.process_time()))
        tot = totals(lines, pharmacies)
        marks.append((time.perf_counter(), time.process_time()))
        for k, (w0, c0), (w1, c1) in zip(keys, marks, marks[1:]):
            wall[k].append(w1 - w0)
            cpu[k].append(c1 - c0)
    calc = [a + b + c for a, b, c in zip(wall["parametres"], wall["compute"], wall["totals"])]
    calc_cpu = [a + b + c for a, b, c in zip(cpu["parametres"], cpu["compute"], cpu["totals"])]
    out = {k: statistics.median(v) for k, v in wall.items()}
    out.update({f"{k}_cpu": statistics.median(v) for k, v in cpu.items()})
    out.update({
        "calcul": statistics.median(calc), "calcul_cpu": statistics.median(calc_cpu),
        "calcul_tous": calc, "lecture_tous": wall["lecture"],
        "n_lignes": len(lines), "n_totaux": len(tot), "total_cents": int(tot["total"].sum()),
    })
    return out


def measure_pandas_read(ph_path: Path, mol_path: Path, reps: int) -> tuple[float, float]:
    """(temps mur, temps CPU) médians de pandas seul lisant les mêmes fichiers, toutes cellules en texte."""
    walls, cpus = [], []
    for _ in range(reps):
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        for path in (ph_path, mol_path):
            pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


_PANDAS_COMMAND = """
import sys
import pandas as pd
for path in sys.argv[1:]:
    pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
"""


def _pandas_command_once(ph_path: Path, mol_path: Path) -> tuple[float, float]:
    """(temps mur, temps CPU) d'une commande qui ne fait que lire les deux fichiers avec pandas (`python -c "import
    pandas ; read_csv…"`) : interpréteur et import de pandas compris, comme la commande ; lancée comme elle."""
    import json

    result = WORK / "mesure_pandas.json"
    cmd = [sys.executable, "-c", _PANDAS_COMMAND, str(ph_path), str(mol_path)]
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", _LAUNCHER, str(result), *cmd], cwd=ROOT,
                          capture_output=True, text=True)
    m = json.loads(result.read_text()) if proc.returncode == 0 and result.exists() else {"code": proc.returncode}
    if m["code"] != 0:
        print(f"Erreur : la lecture par pandas a échoué : {proc.stderr}", file=sys.stderr)
        sys.exit(2)
    result.unlink()
    return m["wall"], m["cpu"]


def measure_memory_in_process(ph_path: Path, mol_path: Path) -> dict:
    """Pic tracemalloc (allocations Python et numpy) de lecture + calcul, en passe non chronométrée."""
    gc.collect()
    tracemalloc.start()
    pharmacies, molecules = _read(ph_path, mol_path)
    _, peak_read = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    lines, tot = _calc(pharmacies, molecules)
    _, peak_calc = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del pharmacies, molecules, lines, tot
    return {"tracemalloc_lecture_mo": peak_read / 2**20, "tracemalloc_calcul_mo": peak_calc / 2**20,
            "maxrss_self_mo": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _rosp_command() -> list[str]:
    exe = Path(sys.executable).parent / "rosp"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("rosp")
    if found:
        return [found]
    return [sys.executable, "-c", "from rosp_lib.cli import main; main()"]


# Lanceur minimal : la mémoire maximale d'un sous-processus lancé directement par ce banc serait
# faussée. Sous Linux, subprocess lance l'enfant par vfork + exec, et exec reporte dans le maxrss de
# l'enfant le pic de la mémoire qu'il abandonne, c'est-à-dire celle du banc (données générées, calculs
# en processus) ; RUSAGE_CHILDREN afficherait alors des centaines de Mo même pour /bin/true. Ce petit
# interpréteur (python -I -S, quelques Mo) lance donc la commande par fork + exec et renvoie, par
# wait4, le temps mur, le temps CPU (processus de travail compris : wait4 compte les enfants que la
# commande a attendus) et le maxrss de la seule commande.
#
# `rosp compute` calcule sur plusieurs processus : le maxrss d'un processus ne dit plus la mémoire de
# la commande. Le lanceur relève donc aussi, toutes les 50 ms, la mémoire de l'arbre des processus de
# la commande (trouvés par leur parent dans /proc/<pid>/stat) : la somme des RSS (une page partagée
# entre la commande et ses processus de travail, héritée par fork, y compte une fois par processus :
# majorant) et la somme des PSS (/proc/<pid>/smaps_rollup : une page partagée par n processus y compte
# pour 1/n dans chacun : la mémoire vraiment occupée). Un pic plus bref que 50 ms peut échapper au relevé.
_LAUNCHER = r"""
import json, os, resource, sys, time
out, argv = sys.argv[1], sys.argv[2:]

def tree(root):
    parent = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    parent[int(name)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    pids, todo = [], [root]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += [c for c, pp in parent.items() if pp == p]
    return pids

def memory(pid):
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss

t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(argv[0], argv)
peak_rss = peak_pss = peak_n = 0
while True:
    done, status, ru = os.wait4(pid, os.WNOHANG)
    if done:
        break
    pids = tree(pid)
    sizes = [memory(p) for p in pids]
    peak_rss = max(peak_rss, sum(r for r, _ in sizes))
    peak_pss = max(peak_pss, sum(p for _, p in sizes))
    peak_n = max(peak_n, len(pids))
    time.sleep(0.05)
wall = time.perf_counter() - t0
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(out, "w") as f:
    json.dump({"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "code": os.waitstatus_to_exitcode(status), "maxrss_kb": ru.ru_maxrss,
               "children_maxrss_kb": children, "arbre_rss_kb": peak_rss, "arbre_pss_kb": peak_pss, "processus": peak_n}, f)
"""


def measure_command(ph_path: Path, mol_path: Path, reps: int, variants: list[tuple[str, Path, list[str]]] | None = None,
                    pandas_min: int = 1) -> dict:
    """La commande complète, répétée ; avec plusieurs variantes (nom, racine d'un dépôt, options en plus), lancées en
    alternance (même charge pour chacune) : le dict de la première, avec « variantes » : nom → mesures de chacune.
    La commande pandas seule est lancée à chaque tour, et en tout au moins `pandas_min` fois (le grand fichier, une
    seule répétition de la commande : le rapport est alors celui des médianes)."""
    import filecmp
    import json

    variants = variants or [("branche", ROOT, [])]
    result = WORK / "mesure_commande.json"
    runs = {name: {"walls": [], "cpus": [], "rss": [], "rss_children": [], "arbre_rss": [], "arbre_pss": [],
                   "processus": [], "stdout": ""} for name, _, _ in variants}
    pandas_runs: list[tuple[float, float]] = []
    for _ in range(reps):
        pandas_runs.append(_pandas_command_once(ph_path, mol_path))  # in each round: the same load as the commands
        for i, (name, root, extra) in enumerate(variants):
            out_dir = WORK / ("sortie" if i == 0 else f"sortie_{i}")
            cmd = [*_rosp_command(), "compute", str(ph_path), "--molecules", str(mol_path), "-o", str(out_dir), *extra]
            env = {**os.environ, "PYTHONPATH": str(root)}  # le code de ce dépôt (ou du dépôt comparé)
            proc = subprocess.run([sys.executable, "-I", "-S", "-c", _LAUNCHER, str(result), *cmd], cwd=root,
                                  capture_output=True, text=True, env=env)
            m = json.loads(result.read_text()) if proc.returncode == 0 and result.exists() else {"code": proc.returncode}
            if m["code"] != 0:
                print(f"Erreur : la commande a échoué (code {m['code']}) : {' '.join(cmd)}\n{proc.stderr}",
                      file=sys.stderr)
                sys.exit(2)
            result.unlink()
            r = runs[name]
            r["walls"].append(m["wall"])
            r["cpus"].append(m["cpu"])
            r["rss"].append(m["maxrss_kb"] / 1024)
            r["rss_children"].append(m["children_maxrss_kb"] / 1024)
            r["arbre_rss"].append(m["arbre_rss_kb"] / 1024)
            r["arbre_pss"].append(m["arbre_pss_kb"] / 1024)
            r["processus"].append(m["processus"])
            r["stdout"] = proc.stdout
            r["out_dir"] = out_dir
    first = WORK / "sortie"
    stats = {}
    for name, _, _ in variants:
        r = runs[name]
        same = all(filecmp.cmp(first / f, r["out_dir"] / f, shallow=False) for f in ("lignes.csv", "totaux.csv"))
        stats[name] = {"commande": statistics.median(r["walls"]), "commande_cpu": statistics.median(r["cpus"]),
                       "commande_tous": r["walls"], "cpu_tous": r["cpus"], "maxrss_enfant_mo": max(r["rss"]),
                       "maxrss_children_mo": max(r["rss_children"]), "arbre_rss_mo": max(r["arbre_rss"]),
                       "arbre_pss_mo": max(r["arbre_pss"]), "processus": max(r["processus"]),
                       "stdout": r["stdout"], "memes_fichiers": same}
    n_out = sum(1 for _ in open(first / "totaux.csv", encoding="utf-8")) - 1
    name0 = variants[0][0]
    walls0, cpus0 = runs[name0]["walls"], runs[name0]["cpus"]
    paired = len(pandas_runs)
    while len(pandas_runs) < pandas_min:
        pandas_runs.append(_pandas_command_once(ph_path, mol_path))
    if len(pandas_runs) > paired:  # more pandas runs than rounds: the ratio of the medians
        walls0 = [statistics.median(walls0)] * len(pandas_runs)
        cpus0 = [statistics.median(cpus0)] * len(pandas_runs)
    pandas = {
        "pandas_cmd": statistics.median(w for w, _ in pandas_runs),
        "pandas_cmd_cpu": statistics.median(c for _, c in pandas_runs),
        "pandas_cmd_tous": [w for w, _ in pandas_runs],
        # the ratio of each round (the command and the pandas command one after the other), then the median
        "rapport_cmd": statistics.median(w / p for w, (p, _) in zip(walls0, pandas_runs)),
        "rapport_cmd_cpu": statistics.median(c / p for c, (_, p) in zip(cpus0, pandas_runs)),
        "rapports_cmd_tous": [w / p for w, (p, _) in zip(walls0, pandas_runs)],
    }
    return {**stats[name0], **pandas, "n_totaux_sortie": n_out, "variantes": stats}


def profile(ph_path: Path, mol_path: Path, top: int = 35) -> str:
    prof = cProfile.Profile()
    prof.enable()
    pharmacies, molecules = _read(ph_path, mol_path)
    _calc(pharmacies, molecules)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# Rapport
# --------------------------------------------------------------------------------------------
def _s(x: float) -> str:
    return f"{x:.2f} s".replace(".", ",")


def _mo(x: float) -> str:
    return f"{x:.0f} Mo"


def _x(x: float) -> str:
    return f"{x:.1f} ×".replace(".", ",")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Banc de performance de rosp compute.")
    parser.add_argument("--n", type=int, default=20000, help="nombre de pharmacies (défaut : 20000)")
    parser.add_argument("--seed", type=int, default=1, help="graine aléatoire (défaut : 1)")
    parser.add_argument("--repetitions", type=int, default=3, help="répétitions des mesures chronométrées (médiane)")
    parser.add_argument("--toutes-annees", action="store_true",
                        help="les cinq exercices 2022–2026 pour chaque pharmacie (5 N lignes) au lieu d'un seul")
    parser.add_argument("--profil", action="store_true", help="affiche en plus un profil cProfile de lecture + calcul")
    parser.add_argument("--grand", type=int, default=200_000,
                        help="pharmacies du grand fichier mesuré en plus (défaut : 200000 ; 0 : omis)")
    parser.add_argument("--un-processus", action="store_true",
                        help="mesure aussi, en alternance, la commande de ce dépôt avec --jobs 1 (un seul processus)")
    parser.add_argument("--comparer", action="append", default=[], metavar="DOSSIER",
                        help="mesure aussi, en alternance, la commande du dépôt DOSSIER (son rosp_lib par PYTHONPATH, "
                             "par exemple une copie de travail d'une autre branche) ; répétable")
    args = parser.parse_args(argv)
    variants = [("branche", ROOT, [])]
    if args.un_processus:
        variants.append(("branche --jobs 1", ROOT, ["--jobs", "1"]))
    variants += [(f"comparé : {Path(d).resolve()}", Path(d).resolve(), []) for d in args.comparer]
    # The bytecode of each measured rosp_lib written before the runs, as a first run writes it for a user: without
    # (PYTHONDONTWRITEBYTECODE set, or a copy just made), each command would compile again the modules changed since
    # their last .pyc — seen on this machine, where the variable is set: 23 modules of 67, up to ≈ 0,2 s per command,
    # and not the same for the two sides of a comparison.
    for root in dict.fromkeys(root for _, root, _ in variants):
        compileall.compile_dir(str(root / "rosp_lib"), quiet=1)

    load_before = os.getloadavg()
    t0 = time.perf_counter()
    ph_path, mol_path, n_rows, n_mol = write_inputs(args.n, args.seed, args.toutes_annees)
    t_gen = time.perf_counter() - t0
    print(f"Données générées en {_s(t_gen)} : {n_rows} lignes pharmacie × exercice ({args.n} pharmacies), "
          f"{n_mol} lignes de molécules")
    print(f"  {ph_path.relative_to(ROOT)}\n  {mol_path.relative_to(ROOT)}")

    try:
        inproc = measure_in_process(ph_path, mol_path, args.repetitions)
    except InputError as exc:
        print(f"Erreur : les données générées sont refusées par la validation (bogue du banc) :\n{exc}", file=sys.stderr)
        return 2
    mem = measure_memory_in_process(ph_path, mol_path)
    cmd = measure_command(ph_path, mol_path, args.repetitions, variants)
    lecture_pandas, lecture_pandas_cpu = measure_pandas_read(ph_path, mol_path, args.repetitions)
    rapport = cmd["commande"] / lecture_pandas
    rapport_cpu = cmd["commande_cpu"] / lecture_pandas_cpu
    grand = None
    if args.grand:
        g_ph, g_mol, g_rows, g_mol_rows = write_inputs(args.grand, args.seed, False)
        g_cmd = measure_command(g_ph, g_mol, 1, variants, pandas_min=3)
        g_pandas, g_pandas_cpu = measure_pandas_read(g_ph, g_mol, 3)
        grand = {"n": args.grand, "rows": g_rows, "mol": g_mol_rows, "commande": g_cmd["commande"],
                 "commande_cpu": g_cmd["commande_cpu"], "pandas": g_pandas, "pandas_cpu": g_pandas_cpu,
                 "rapport": g_cmd["commande"] / g_pandas, "rapport_cpu": g_cmd["commande_cpu"] / g_pandas_cpu,
                 "pandas_cmd": g_cmd["pandas_cmd"], "pandas_cmd_cpu": g_cmd["pandas_cmd_cpu"],
                 "rapport_cmd": g_cmd["rapport_cmd"], "rapport_cmd_cpu": g_cmd["rapport_cmd_cpu"],
                 "mo": g_cmd["arbre_rss_mo"], "pss": g_cmd["arbre_pss_mo"],
                 "n_totaux": g_cmd["n_totaux_sortie"], "variantes": g_cmd["variantes"]}

    checks = [
        ("Calcul (paramètres + compute + totals)", inproc["calcul"], OBJECTIF_CALCUL_S, _s),
        ("Commande rosp compute complète", cmd["commande"], OBJECTIF_COMMANDE_S, _s),
        ("Mémoire max. de la commande et de ses processus (somme des RSS)", cmd["arbre_rss_mo"], OBJECTIF_MEMOIRE_MO,
         _mo),
        ("Mémoire max. de la commande et de ses processus (somme des PSS)", cmd["arbre_pss_mo"], OBJECTIF_MEMOIRE_MO,
         _mo),
        ("Commande / commande pandas seule (lecture des mêmes fichiers)", cmd["rapport_cmd"], OBJECTIF_RAPPORT_PANDAS,
         _x),
    ]
    if grand:
        checks += [
            (f"Grand fichier ({grand['n']}) : commande / commande pandas seule", grand["rapport_cmd"],
             OBJECTIF_GRAND_RAPPORT_PANDAS, _x),
            (f"Grand fichier ({grand['n']}) : mémoire max. (somme des RSS)", grand["mo"], OBJECTIF_GRAND_MEMOIRE_MO, _mo),
            (f"Grand fichier ({grand['n']}) : mémoire max. (somme des PSS)", grand["pss"], OBJECTIF_GRAND_MEMOIRE_MO,
             _mo),
        ]
    def verdict(val, target):
        return "OK" if val <= target else "MANQUÉ"

    # (mesure, temps mur ou mémoire, temps CPU, objectif, verdict)
    rows = [
        ("Lecture + validation (pharmacies, molécules)", _s(inproc["lecture"]), _s(inproc["lecture_cpu"]), "—", "info"),
        (checks[0][0], _s(inproc["calcul"]), _s(inproc["calcul_cpu"]), f"< {_s(OBJECTIF_CALCUL_S)}",
         verdict(inproc["calcul"], OBJECTIF_CALCUL_S)),
        ("  dont paramètres (YAML)", _s(inproc["parametres"]), _s(inproc["parametres_cpu"]), "", ""),
        ("  dont compute", _s(inproc["compute"]), _s(inproc["compute_cpu"]), "", ""),
        ("  dont totals", _s(inproc["totals"]), _s(inproc["totals_cpu"]), "", ""),
        ("Lecture + calcul en processus", _s(inproc["lecture"] + inproc["calcul"]),
         _s(inproc["lecture_cpu"] + inproc["calcul_cpu"]), "—", "info"),
        (checks[1][0], _s(cmd["commande"]), _s(cmd["commande_cpu"]), f"< {_s(OBJECTIF_COMMANDE_S)}",
         verdict(cmd["commande"], OBJECTIF_COMMANDE_S)),
        (checks[2][0], _mo(cmd["arbre_rss_mo"]), "", f"< {_mo(OBJECTIF_MEMOIRE_MO)}",
         verdict(cmd["arbre_rss_mo"], OBJECTIF_MEMOIRE_MO)),
        (checks[3][0], _mo(cmd["arbre_pss_mo"]), "", f"< {_mo(OBJECTIF_MEMOIRE_MO)}",
         verdict(cmd["arbre_pss_mo"], OBJECTIF_MEMOIRE_MO)),
        ("  maxrss du seul processus de la commande", _mo(cmd["maxrss_enfant_mo"]), "", "—", "info"),
        ("Commande pandas seule (interpréteur, import, lecture)", _s(cmd["pandas_cmd"]), _s(cmd["pandas_cmd_cpu"]),
         "—", "info"),
        (checks[4][0], _x(cmd["rapport_cmd"]), _x(cmd["rapport_cmd_cpu"]), f"≤ {_x(OBJECTIF_RAPPORT_PANDAS)}",
         verdict(cmd["rapport_cmd"], OBJECTIF_RAPPORT_PANDAS)),
        ("Lecture des mêmes fichiers par pandas, en processus", _s(lecture_pandas), _s(lecture_pandas_cpu), "—", "info"),
        ("Commande / lecture pandas en processus", _x(rapport), _x(rapport_cpu), "—", "info"),
        *([
            (f"Grand fichier ({grand['n']}) : commande", _s(grand["commande"]), _s(grand["commande_cpu"]), "—", "info"),
            (f"Grand fichier ({grand['n']}) : commande pandas seule", _s(grand["pandas_cmd"]),
             _s(grand["pandas_cmd_cpu"]), "—", "info"),
            (checks[5][0], _x(grand["rapport_cmd"]), _x(grand["rapport_cmd_cpu"]),
             f"≤ {_x(OBJECTIF_GRAND_RAPPORT_PANDAS)}", verdict(grand["rapport_cmd"], OBJECTIF_GRAND_RAPPORT_PANDAS)),
            (f"Grand fichier ({grand['n']}) : lecture pandas en processus", _s(grand["pandas"]), _s(grand["pandas_cpu"]),
             "—", "info"),
            (f"Grand fichier ({grand['n']}) : commande / lecture pandas en processus", _x(grand["rapport"]),
             _x(grand["rapport_cpu"]), "—", "info"),
            (checks[6][0], _mo(grand["mo"]), "", f"< {_mo(OBJECTIF_GRAND_MEMOIRE_MO)}",
             verdict(grand["mo"], OBJECTIF_GRAND_MEMOIRE_MO)),
            (checks[7][0], _mo(grand["pss"]), "", f"< {_mo(OBJECTIF_GRAND_MEMOIRE_MO)}",
             verdict(grand["pss"], OBJECTIF_GRAND_MEMOIRE_MO)),
        ] if grand else []),
        ("Pic tracemalloc en processus : lecture", _mo(mem["tracemalloc_lecture_mo"]), "", "—", "info"),
        ("Pic tracemalloc en processus : calcul", _mo(mem["tracemalloc_calcul_mo"]), "", "—", "info"),
        ("maxrss du processus du banc (génération comprise)", _mo(mem["maxrss_self_mo"]), "", "—", "info"),
        ("RUSAGE_CHILDREN du lanceur (= commande)", _mo(cmd["maxrss_children_mo"]), "", "—", "info"),
    ]
    load_after = os.getloadavg()

    w = max(len(r[0]) for r in rows)
    print()
    print(f"Banc rosp compute — {args.n} pharmacies, {n_rows} lignes pharmacie × exercice, {n_mol} molécules, "
          f"{inproc['n_lignes']} lignes de résultat ; médiane de {args.repetitions} répétitions ; "
          f"{os.cpu_count()} cœur(s)")
    print(f"{'Mesure':<{w}}  {'Mur / mém.':>10}  {'CPU':>8}  {'Objectif':>9}  Verdict")
    print(f"{'-' * w}  {'-' * 10}  {'-' * 8}  {'-' * 9}  -------")
    for label, val, cpu, target, verd in rows:
        print(f"{label:<{w}}  {val:>10}  {cpu:>8}  {target:>9}  {verd}")
    print()
    print("Répétitions (temps mur) — calcul : " + ", ".join(_s(x) for x in inproc["calcul_tous"])
          + " ; lecture : " + ", ".join(_s(x) for x in inproc["lecture_tous"])
          + " ; commande : " + ", ".join(_s(x) for x in cmd["commande_tous"])
          + " ; commande pandas seule : " + ", ".join(_s(x) for x in cmd["pandas_cmd_tous"])
          + " ; rapport de chaque tour : " + ", ".join(_x(x) for x in cmd["rapports_cmd_tous"]))
    print(f"Charge de la machine (load average 1 min) : {load_before[0]:.2f} avant, {load_after[0]:.2f} après".replace(".", ","))
    different = []
    if len(variants) > 1:
        print()
        print("Côte à côte (lancées en alternance ; mur et CPU : médianes ; mémoire : maximum des répétitions) :")
        for title, runs in [(f"{args.n} pharmacies", cmd["variantes"])] + (
                [(f"{grand['n']} pharmacies", grand["variantes"])] if grand else []):
            for name, r in runs.items():
                print(f"  {title}, {name} : mur {_s(r['commande'])} ({', '.join(_s(x) for x in r['commande_tous'])}), "
                      f"CPU {_s(r['commande_cpu'])} ({', '.join(_s(x) for x in r['cpu_tous'])}), "
                      f"somme des RSS {_mo(r['arbre_rss_mo'])}, somme des PSS {_mo(r['arbre_pss_mo'])}, "
                      f"maxrss d'un processus {_mo(r['maxrss_enfant_mo'])}, {r['processus']} processus ; "
                      f"fichiers {'identiques' if r['memes_fichiers'] else 'DIFFÉRENTS'} à ceux de la branche")
                if not r["memes_fichiers"]:
                    different.append(f"{title}, {name}")
    if max(load_before[0], load_after[0]) > 0.5 * (os.cpu_count() or 1):
        print("Attention : la machine était chargée par d'autres processus ; les temps murs sont pessimistes "
              "(comparer aussi la colonne CPU).")
    if grand and grand["n_totaux"] != grand["rows"]:
        print(f"Erreur : grand fichier : totaux.csv a {grand['n_totaux']} lignes, attendu {grand['rows']}.", file=sys.stderr)
        return 2
    if different:
        print(f"Erreur : lignes.csv ou totaux.csv diffèrent de ceux de la branche : {' ; '.join(different)}.",
              file=sys.stderr)
        return 2
    if cmd["n_totaux_sortie"] != n_rows or inproc["n_totaux"] != n_rows:
        print(f"Erreur : totaux.csv a {cmd['n_totaux_sortie']} lignes, attendu {n_rows}.", file=sys.stderr)
        return 2
    print("Sortie de la commande :")
    print("".join(f"  | {line}\n" for line in cmd["stdout"].splitlines()), end="")

    if args.profil:
        print()
        print(profile(ph_path, mol_path))

    missed = [(label, fmt(val), fmt(target)) for label, val, target, fmt in checks if not val <= target]
    print()
    if missed:
        for label, val, target in missed:
            print(f"OBJECTIF MANQUÉ : {label} = {val} (objectif < {target})", file=sys.stderr)
        print("Relancer avec --profil pour voir où le temps est passé.", file=sys.stderr)
        return 1
    print("Tous les objectifs sont atteints.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
