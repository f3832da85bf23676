"""Vue réseau du fichier national synthétique, comparée aux chiffres publiés de la ROSP des officines.

Usage (depuis la racine du dépôt) :

    .venv/bin/python benchmarks/reseau.py [--n 20000] [--seed 1]

Le script génère N officines avec le générateur du banc de calcul (`bench_compute.generate`, les cinq
exercices pour chaque officine), garde les exercices qui ont des chiffres publiés, les écrit dans
benchmarks/_work/ (ignoré par git), les relit par la validation normale (`read_inputs`), calcule la ROSP et
compare, par exercice, la moyenne par officine et le total du réseau ramené au nombre d'officines publié. Il
refait le calcul de 2023 avec l'alternative de l'hypothèse « exercice coordonné socle en 2023 » (socle non
exigé, comme en 2022), dont dépend tout le thème numérique de cet exercice.
Il affiche des tableaux Markdown à reporter dans benchmarks/README.md (« Vue réseau et chiffres publiés »).

C'est un calibrage, pas un test : pytest ne le lance pas, et il ne modifie pas le générateur.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_compute  # noqa: E402
from bench_compute import WORK  # noqa: E402

from rosp_lib.engine import compute, parameters_for, totals  # noqa: E402
from rosp_lib.inputs import read_inputs  # noqa: E402
from rosp_lib.lines.formatting import eur, num  # noqa: E402
from rosp_lib.parameters import Scenario  # noqa: E402
from rosp_lib.registry import THEME_CODES, indicators_of  # noqa: E402
from rosp_lib.report import network as rn  # noqa: E402

# Chiffres publiés de la ROSP des officines et leurs sources publiques.
SOURCES = {
    "moniteur": "« La Rosp et ses épines », Le Moniteur des pharmacies (article de 2024 ou après : il donne les "
                "montants de 2022 et de 2023 ; date non relevée), "
                "https://lemoniteurdespharmacies.fr/profession/socio-professionnel/la-rosp-et-ses-epines",
    "pharmacien_de_france": "« Rosp \"Numérique en santé\" : neutralisation d'une condition », Le Pharmacien de "
                            "France (lepharmaciendefrance.fr), début 2023 (déclarations 2022 avant le 23 février), "
                            "http://lepharmaciendefrance.fr/actualite-web/rosp-numerique-en-sante-neutralisation-dune-condition",
    "issue": "ordre de grandeur donné par la demande de calibrage ; source publique non retrouvée",
}
NB_OFFICINES_PUBLIE = 20_000  # ordre de grandeur du réseau (moins de 20 000 officines en métropole fin 2023)
NUMERIQUE_HORS_COORDONNE = "numerique_hors_exercice_coordonne"
# (exercice, mesure, montant publié en euros, portée : « réseau » = total versé au réseau, « officine » =
# moyenne par officine, clé de SOURCES). Une mesure est un thème, le total, un indicateur « thème.code », ou
# le thème numérique sans la ligne de l'exercice coordonné.
PUBLIE: list[tuple[int, str, int, str, str]] = [
    # « décrocher à 86,90 M€ en 2022 et à 91,60 M€ en 2023 »
    (2022, rn.TOTAL, 86_900_000, "réseau", "moniteur"),
    (2023, rn.TOTAL, 91_600_000, "réseau", "moniteur"),
    # « le montant généré en 2023 n'était que de 5,70 M€ » (molécules ciblées, FSPF)
    (2023, "bups.molecules_ciblees", 5_700_000, "réseau", "moniteur"),
    # sans exercice coordonné, « le reste du montant prévu, soit 3 000 euros en moyenne » (exercice 2022)
    (2022, NUMERIQUE_HORS_COORDONNE, 3_000, "officine", "pharmacien_de_france"),
    (2022, "numerique", 4_000, "officine", "issue"),
    (2022, "bups", 371, "officine", "issue"),
]
# L'hypothèse dont dépend le thème numérique de 2023, et son alternative (parameters/2023.yaml).
ALTERNATIVE_2023 = Scenario("alternative : exercice coordonné non exigé en 2023", {},
                            {2023: {"numerique": {"exercice_coordonne": {"etat": "non_exige"}}}})


def network_file(n: int, seed: int) -> tuple[Path, Path]:
    pharmacies, molecules = bench_compute.generate(n, seed, True)
    years = {str(y) for y, *_ in PUBLIE}
    pharmacies = pharmacies[pharmacies["exercice"].isin(years)]
    molecules = molecules[molecules["exercice"].isin(years)]
    WORK.mkdir(parents=True, exist_ok=True)
    ph, mol = WORK / f"reseau_pharmacies_{n}_{seed}.csv", WORK / f"reseau_molecules_{n}_{seed}.csv"
    pharmacies.to_csv(ph, sep=";", index=False, encoding="utf-8", lineterminator="\n")
    molecules.to_csv(mol, sep=";", index=False, encoding="utf-8", lineterminator="\n")
    return ph, mol


def empty_share(path: Path) -> float:
    """Part des cases vides du fichier écrit (hors identifiant, nom et exercice)."""
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    cells = frame.drop(columns=["pharmacie_id", "nom", "exercice"])
    return float((cells == "").to_numpy().mean())


def mean_by_measure(lines: pd.DataFrame, tot: pd.DataFrame, year: int, measure: str) -> int:
    """Moyenne par officine, en centimes, d'une mesure de PUBLIE pour un exercice."""
    mine = tot[tot["exercice"] == year]
    n = len(mine)
    if measure in mine.columns:
        return rn.mean_cents(int(mine[measure].sum()), n)
    lin = lines[lines["exercice"] == year]
    if measure == NUMERIQUE_HORS_COORDONNE:
        cents = int(mine["numerique"].sum()) - int(
            lin.loc[(lin["theme"] == "numerique") & (lin["indicateur"] == "exercice_coordonne"), "montant_cents"].sum())
    else:
        theme, code = measure.split(".")
        cents = int(lin.loc[(lin["theme"] == theme) & (lin["indicateur"] == code), "montant_cents"].sum())
    return rn.mean_cents(cents, n)


def _ratio(x: float, ref: float) -> str:
    return num(round(x / ref, 2)) + " ×"


def _label(measure: str) -> str:
    return "numerique sans la ligne exercice_coordonne" if measure == NUMERIQUE_HORS_COORDONNE else measure


def comparison_rows(lines, tot, suffix: str = "", years=None) -> list[str]:
    rows = []
    for year, measure, amount, scope, source in PUBLIE:
        if years is not None and year not in years:
            continue
        mean = mean_by_measure(lines, tot, year, measure)
        per_pharmacy = amount if scope == "officine" else amount / NB_OFFICINES_PUBLIE
        if scope == "réseau":
            synth = f"{num(round(mean / 100 * NB_OFFICINES_PUBLIE / 1e6, 1))} M€ ({eur(mean)} par officine)"
            pub = f"{num(round(amount / 1e6, 2))} M€ ({eur(rn.mean_cents(amount * 100, NB_OFFICINES_PUBLIE))} par officine)"
        else:
            synth, pub = eur(mean), f"≈ {eur(amount * 100)}"
        rows.append(f"| {year}{suffix} | {_label(measure)} | {synth} | {pub} | {_ratio(mean / 100, per_pharmacy)} | {source} |")
    return rows


def year_tables(lines, tot, year: int) -> None:
    dist = rn.distributions(tot).set_index(["exercice", "mesure"])
    socles = rn.socle_shares(lines)
    shares = rn.indicator_shares(lines)
    print("| mesure | moyenne | 1er décile | 1er quartile | médiane | 3e quartile | 9e décile | socles atteints |")
    print("|---|---|---|---|---|---|---|---|")
    for t in (*THEME_CODES, rn.TOTAL):
        d = dist.loc[(year, t)]
        s = socles[(socles["exercice"] == year) & (socles["theme"] == t)]
        part = rn.pct_text(float(s["part"].iloc[0])) if len(s) else "—"
        print(f"| {t} | {eur(int(d['moyenne_cents']))} | {eur(int(d['p10_cents']))} | "
              f"{eur(int(d['p25_cents']))} | {eur(int(d['mediane_cents']))} | {eur(int(d['p75_cents']))} | "
              f"{eur(int(d['p90_cents']))} | {part} |")
    hyp = rn.hypothesis_summary(lines).set_index("exercice").loc[year]
    out = rn.outliers(tot[tot["exercice"] == year])
    print(f"\nSur une hypothèse : {eur(int(hyp['primes_hypothese_cents']))} de primes "
          f"({rn.pct_text(float(hyp['part_primes']))} des primes versées) et {eur(int(hyp['malus_hypothese_cents']))} "
          f"de malus, solde {eur(int(hyp['montant_hypothese_cents']))} sur {eur(int(hyp['montant_total_cents']))} "
          f"(malus déduits). Totaux atypiques (|score z robuste| > "
          f"{num(rn.ROBUST_Z_THRESHOLD)}) : {num(len(out))}.")
    hist = rn.histogram(tot, year, bins=12)
    print("Répartition du total (officines par tranche) : " + " ; ".join(
        f"{num(round(a))}–{num(round(b))} € : {num(int(c))}" for a, b, c in hist.itertuples(index=False)) + ".\n")
    print("| indicateur (numérique, BUPS) | part atteinte | moyenne payée par officine |")
    print("|---|---|---|")
    mine = lines[lines["exercice"] == year]
    n = int((tot["exercice"] == year).sum())
    for t in ("numerique", "bups"):
        for ind in indicators_of(t):
            s = shares[(shares["exercice"] == year) & (shares["indicateur"] == ind.code)]
            cents = int(mine.loc[(mine["theme"] == t) & (mine["indicateur"] == ind.code), "montant_cents"].sum())
            if len(s) or cents:
                part = rn.pct_text(float(s["part_atteint"].iloc[0])) if len(s) else "—"
                print(f"| {t}.{ind.code} | {part} | {eur(rn.mean_cents(cents, n))} |")
    print()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Vue réseau du fichier synthétique et chiffres publiés.")
    ap.add_argument("--n", type=int, default=NB_OFFICINES_PUBLIE, help="nombre d'officines générées")
    ap.add_argument("--seed", type=int, default=1, help="graine du générateur")
    args = ap.parse_args(argv)

    load_before, t0, c0 = os.getloadavg()[0], time.perf_counter(), time.process_time()
    ph, mol = network_file(args.n, args.seed)
    pharmacies, molecules = read_inputs(ph, mol)
    exercises = pharmacies["exercice"].unique()
    lines = compute(pharmacies, molecules, parameters_for(exercises))
    tot = totals(lines, pharmacies)
    alt_lines = compute(pharmacies, molecules, parameters_for(exercises, ALTERNATIVE_2023))
    alt_tot = totals(alt_lines, pharmacies)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0

    print(f"Machine : {platform.machine()}, {platform.system()} {platform.release()}, Python {platform.python_version()}, "
          f"{os.cpu_count()} cœur(s) ; charge (1 min) {num(round(load_before, 2))} avant, "
          f"{num(round(os.getloadavg()[0], 2))} après ; {num(round(wall, 1))} s ({num(round(cpu, 1))} s de CPU)")
    years = sorted({y for y, *_ in PUBLIE})
    print(f"Fichier : {num(args.n)} officines, graine {args.seed}, exercices {', '.join(map(str, years))} ; "
          f"cases vides : {rn.pct_text(empty_share(ph))}")
    print()
    print("| exercice | mesure | synthétique | publié | synthétique / publié | source |")
    print("|---|---|---|---|---|---|")
    for row in comparison_rows(lines, tot):
        print(row)
    for row in comparison_rows(alt_lines, alt_tot, suffix=" (alternative)", years={2023}):
        print(row)
    print()
    for key, text in SOURCES.items():
        print(f"- {key} : {text}")
    print()
    for year in years:
        print(f"### {year}\n")
        year_tables(lines, tot, year)
    print(f"### 2023 — {ALTERNATIVE_2023.path}\n")
    year_tables(alt_lines, alt_tot, 2023)
    return 0


if __name__ == "__main__":
    sys.exit(main())
