"""Banc : le CPU ajouté à chaque rapport par « Ce que l'officine peut encore gagner » et « Ce qui a été versé ».

Pour chaque pharmacie × exercice de data/pharmacies.csv, mesure en temps CPU (time.process_time, le meilleur de
N répétitions) ce que coûtent, dans le noyau d'un rapport, les cellules de ces sections : calcul
(rosp_lib.report.gains.compute, rosp_lib.report.versements.compute) et rendu (tableaux HTML, textes).
Côte à côte, dans la même exécution : le chargement du rapport (rosp_lib.report.notebook.load, la première
cellule de chaque rapport), pour situer le surcoût.

    .venv/bin/python benchmarks/bench_sections.py [--repetitions 3]

Ce n'est pas un test : il affiche un tableau (médiane et maximum par sorte de rapport) et ne juge rien ;
les mesures sont reportées dans benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def best(fn, repetitions: int) -> float:
    times = []
    for _ in range(repetitions):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repetitions", type=int, default=3)
    args = ap.parse_args()

    from rosp_lib.inputs import read_inputs
    from rosp_lib.registry import THEME_CODES
    from rosp_lib.report import gains, notebook as nb, versements

    data = ROOT / "data"
    pharmacies, _ = read_inputs(data / "pharmacies.csv", data / "molecules.csv")
    day = dt.date(2024, 10, 1)
    rows = list(zip(pharmacies["pharmacie_id"], pharmacies["exercice"].astype(int)))
    load_t, theme_t, synth_t, rec_t = [], {t: [] for t in THEME_CODES}, [], []
    for pid, year in rows:
        def load():
            return nb.load(pid, year, str(data / "pharmacies.csv"), str(data / "molecules.csv"))

        load_t.append(best(load, args.repetitions))
        rep = load()
        for theme in THEME_CODES:
            if not rep.applies(theme):
                continue

            def section(theme=theme):
                g = gains.compute(rep, theme, day)
                gains.intro_text(rep, g, theme), str(gains.actions_table(rep, g, theme)), gains.reach_text(rep, g, theme)

            theme_t[theme].append(best(section, args.repetitions))

        def synthese():
            g = gains.compute(rep, None, day)
            gains.intro_text(rep, g), str(gains.actions_table(rep, g)), gains.reach_text(rep, g)

        synth_t.append(best(synthese, args.repetitions))

        def paid():
            r = versements.compute(rep, str(data / "versements.csv"))
            versements.section_text(rep, r), str(versements.table_html(rep, r))

        rec_t.append(best(paid, args.repetitions))

    def line(name, values):
        return f"| {name} | {len(values)} | {statistics.median(values):.3f} | {max(values):.3f} |"

    print(f"machine : {platform.node()}, {os.cpu_count()} cœurs, Python {platform.python_version()} ; "
          f"charge : {os.getloadavg()[0]:.2f} ; {dt.datetime.now():%Y-%m-%d %H:%M}")
    print("| mesure (CPU, s) | rapports | médiane | maximum |\n|---|---:|---:|---:|")
    print(line("chargement du rapport (nb.load, référence)", load_t))
    for theme, values in theme_t.items():
        if values:
            print(line(f"gains, rapport de thème {theme}", values))
    print(line("gains, synthèse (tous les thèmes)", synth_t))
    print(line("versements, synthèse (relevé data/versements.csv)", rec_t))
    every = [v for vs in theme_t.values() for v in vs]
    print(line("gains, tous les rapports de thème", every))


if __name__ == "__main__":
    main()
