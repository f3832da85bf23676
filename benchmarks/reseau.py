"""Vue réseau du fichier national synthétique, comparée aux chiffres publiés de la ROSP des officines.

Usage (depuis la racine du dépôt) :

    .venv/bin/python benchmarks/reseau.py [--n 20000] [--seed 1]

Le script génère N officines avec le générateur du banc de calcul (`bench_compute.generate`, les cinq
exercices pour chaque officine), garde les exercices qui ont des chiffres publiés, les écrit dans
benchmarks/_work/ (ignoré par git), les relit par la validation normale (`read_inputs`), calcule la ROSP et
compare, par exercice, la moyenne par officine et le total du réseau ramené au nombre d'officines publié.
Il affiche un tableau Markdown à reporter dans benchmarks/README.md (« Vue réseau et chiffres publiés »).

C'est un calibrage, pas un test : pytest ne le lance pas, et il ne modifie pas le générateur.
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_compute  # noqa: E402
from bench_compute import WORK  # noqa: E402

from rosp_lib.inputs import read_inputs  # noqa: E402
from rosp_lib.lines.formatting import eur, num  # noqa: E402
from rosp_lib.registry import THEME_CODES, indicators_of  # noqa: E402
from rosp_lib.report import network as rn  # noqa: E402
from rosp_lib.engine import compute, parameters_for, totals  # noqa: E402

# Chiffres publiés (bilans de la ROSP des officines ; ordres de grandeur repris par le dossier de l'issue) :
# moyenne par officine d'un thème, ou total versé au réseau, en euros ; nombre d'officines du réseau.
NB_OFFICINES_PUBLIE = 20_000
PUBLIE: dict[int, dict[str, int]] = {
    2022: {"numerique": 4_000, "bups": 371, "total_reseau": 86_900_000},
    2023: {"total_reseau": 91_600_000},
}


def generate(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The bench generator's tables (every exercise). A column of the schema that the generator does not make
    yet is added empty (a missing value) and named, so the comparison says what it lacks."""
    columns = bench_compute.PHARMACY_COLUMNS
    known = columns
    try:
        bench_compute.generate(1, seed, True)
    except SystemExit as exc:  # « colonnes non générées par le banc : a, b »
        lacking = {c.strip() for c in str(exc).rsplit(":", 1)[-1].split(",")}
        known = [c for c in columns if c.name not in lacking]
    bench_compute.PHARMACY_COLUMNS = known
    try:
        pharmacies, molecules = bench_compute.generate(n, seed, True)
    finally:
        bench_compute.PHARMACY_COLUMNS = columns
    added = [c.name for c in columns if c.name not in pharmacies.columns]
    for name in added:
        pharmacies[name] = ""
    return pharmacies[[c.name for c in columns]], molecules, added


def network_file(n: int, seed: int) -> tuple[Path, Path, list[str]]:
    pharmacies, molecules, added = generate(n, seed)
    years = {str(y) for y in PUBLIE}
    pharmacies = pharmacies[pharmacies["exercice"].isin(years)]
    molecules = molecules[molecules["exercice"].isin(years)]
    WORK.mkdir(parents=True, exist_ok=True)
    ph, mol = WORK / f"reseau_pharmacies_{n}_{seed}.csv", WORK / f"reseau_molecules_{n}_{seed}.csv"
    pharmacies.to_csv(ph, sep=";", index=False, encoding="utf-8", lineterminator="\n")
    molecules.to_csv(mol, sep=";", index=False, encoding="utf-8", lineterminator="\n")
    return ph, mol, added


def _ratio(x: float, ref: float) -> str:
    return num(round(x / ref, 2)) + " ×"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Vue réseau du fichier synthétique et chiffres publiés.")
    ap.add_argument("--n", type=int, default=NB_OFFICINES_PUBLIE, help="nombre d'officines générées")
    ap.add_argument("--seed", type=int, default=1, help="graine du générateur")
    args = ap.parse_args(argv)

    ph, mol, added = network_file(args.n, args.seed)
    pharmacies, molecules = read_inputs(ph, mol)
    lines = compute(pharmacies, molecules, parameters_for(pharmacies["exercice"].unique()))
    tot = totals(lines, pharmacies)
    dist = rn.distributions(tot).set_index(["exercice", "mesure"])
    shares = rn.indicator_shares(lines)
    socles = rn.socle_shares(lines)
    hyp = rn.hypothesis_summary(lines).set_index("exercice")

    print(f"Machine : {platform.machine()}, {platform.system()} {platform.release()}, Python {platform.python_version()}")
    print(f"Fichier : {num(args.n)} officines, graine {args.seed}, exercices {', '.join(map(str, PUBLIE))}")
    if added:
        print(f"Colonnes que le générateur ne fait pas encore, laissées vides : {', '.join(added)}")
    print()
    print("| exercice | mesure | synthétique (moyenne par officine) | publié | rapport synthétique / publié |")
    print("|---|---|---|---|---|")
    for year, ref in PUBLIE.items():
        for m in ("numerique", "bups"):
            if m in ref:
                mean = dist.loc[(year, m), "moyenne_cents"] / 100
                print(f"| {year} | {m} | {eur(int(dist.loc[(year, m), 'moyenne_cents']))} | {eur(ref[m] * 100)} | "
                      f"{_ratio(mean, ref[m])} |")
        total_mean = dist.loc[(year, rn.TOTAL), "moyenne_cents"] / 100
        scaled = total_mean * NB_OFFICINES_PUBLIE
        print(f"| {year} | total × {num(NB_OFFICINES_PUBLIE)} officines | "
              f"{num(round(scaled / 1e6, 1))} M€ ({eur(int(dist.loc[(year, rn.TOTAL), 'moyenne_cents']))} par officine) | "
              f"{num(round(ref['total_reseau'] / 1e6, 1))} M€ ({eur(rn.mean_cents(ref['total_reseau'] * 100, NB_OFFICINES_PUBLIE))}"
              f" par officine) | {_ratio(scaled, ref['total_reseau'])} |")
    print()
    for year in PUBLIE:
        print(f"### {year}\n")
        print("| thème | moyenne | médiane | 1er quartile | 3e quartile | socles atteints |")
        print("|---|---|---|---|---|---|")
        for t in THEME_CODES:
            d = dist.loc[(year, t)]
            s = socles[(socles["exercice"] == year) & (socles["theme"] == t)]
            part = rn.pct_text(float(s["part"].iloc[0])) if len(s) else "—"
            print(f"| {t} | {eur(int(d['moyenne_cents']))} | {eur(int(d['mediane_cents']))} | "
                  f"{eur(int(d['p25_cents']))} | {eur(int(d['p75_cents']))} | {part} |")
        h = hyp.loc[year]
        print(f"\nSur une hypothèse : {eur(int(h['montant_hypothese_cents']))} sur {eur(int(h['montant_total_cents']))} "
              f"({rn.pct_text(float(h['part']))}).\n")
        print("| indicateur (numérique, BUPS) | part atteinte | moyenne payée par officine |")
        print("|---|---|---|")
        mine = lines[lines["exercice"] == year]
        n = int(dist.loc[(year, rn.TOTAL), "nb"])
        for t in ("numerique", "bups"):
            for ind in indicators_of(t):
                s = shares[(shares["exercice"] == year) & (shares["indicateur"] == ind.code)]
                cents = int(mine.loc[mine["indicateur"] == ind.code, "montant_cents"].sum())
                if len(s) or cents:
                    part = rn.pct_text(float(s["part_atteint"].iloc[0])) if len(s) else "—"
                    print(f"| {t}.{ind.code} | {part} | {eur(rn.mean_cents(cents, n))} |")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
