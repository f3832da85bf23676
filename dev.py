#!/usr/bin/env python3
"""Installation et lancement en une commande (Python 3.11+ et pip suffisent).

    python3 dev.py exemple   crée .venv si besoin, installe le projet, produit les résultats, les gains
                             encore possibles, le rapprochement avec les versements et les rapports
                             des pharmacies d'exemple dans outputs/
    python3 dev.py tests     crée .venv si besoin, installe le projet et lance toute la suite de tests

L'environnement virtuel est réinstallé quand pyproject.toml change (empreinte dans .venv/.rosp-install).
Seule la bibliothèque standard est utilisée ici : ce script tourne avant toute installation.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".rosp-install"


def say(msg: str) -> None:
    print(f"[dev.py] {msg}", flush=True)


def run(*args, **kw) -> None:
    code = subprocess.call([str(a) for a in args], cwd=ROOT, **kw)
    if code:
        sys.exit(code)


# JupyterLab of .venv in French (its language pack is a dependency), without its English pop-up asking to fetch the
# news from the Internet: the settings every user of this environment starts from (review: menus in English).
LAB_OVERRIDES = VENV / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
LAB_SETTINGS = {
    "@jupyterlab/translation-extension:plugin": {"locale": "fr_FR"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


def lab_in_french() -> None:
    import json

    text = json.dumps(LAB_SETTINGS, indent=2, ensure_ascii=False) + "\n"
    if not LAB_OVERRIDES.exists() or LAB_OVERRIDES.read_text(encoding="utf-8") != text:
        LAB_OVERRIDES.parent.mkdir(parents=True, exist_ok=True)
        LAB_OVERRIDES.write_text(text, encoding="utf-8")


def ensure_env() -> None:
    if sys.version_info < (3, 11):
        sys.exit("Python 3.11 ou plus récent est nécessaire (python3 --version).")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PY.exists() and STAMP.exists() and STAMP.read_text().strip() == digest:
        lab_in_french()
        return
    if not PY.exists():
        say("création de l'environnement virtuel .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    say("installation du projet et de ses dépendances (quelques minutes la première fois)")
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", ".[dev]")
    lab_in_french()
    STAMP.write_text(digest)


COMMANDS = ("exemple", "tests")


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        if argv and argv[0] in ("-h", "--help"):
            sys.exit(0)
        if argv:  # a command mistyped (« test »): named, with the nearest one
            close = difflib.get_close_matches(argv[0], COMMANDS, n=1)
            hint = f" ; vouliez-vous dire « {close[0]} » ?" if close else f" ; attendu : {' ou '.join(COMMANDS)}"
            print(f"[dev.py] commande inconnue « {argv[0]} »{hint}", file=sys.stderr)
        sys.exit(2)
    ensure_env()
    cmd, rest = argv[0], argv[1:]
    if cmd == "tests":
        run(PY, "-m", "pytest", *rest)
    else:
        rosp = BIN / "rosp"
        run(rosp, "compute", "data/pharmacies.csv", "--molecules", "data/molecules.csv", "-o", "outputs/", *rest)
        run(rosp, "gains", "data/pharmacies.csv", "--molecules", "data/molecules.csv", "-o", "outputs/")
        run(rosp, "rapprocher", "data/pharmacies.csv", "--versements", "data/versements.csv",
            "--molecules", "data/molecules.csv", "-o", "outputs/")
        reports_cmd = [rosp, "report", "data/pharmacies.csv", "--molecules", "data/molecules.csv", "--toutes",
                       "--versements", "data/versements.csv", "-o", "outputs/"]
        if subprocess.call([str(rosp), "report", "--help"], cwd=ROOT, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL) == 0:
            run(*reports_cmd)
            say("rapports : ouvrez outputs/index.html dans un navigateur")


if __name__ == "__main__":
    main(sys.argv[1:])
