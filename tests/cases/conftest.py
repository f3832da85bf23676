"""Collector of the YAML rule cases (OpenFisca style): `tests/cases/<theme>/*.yaml`.

A file holds one case or a list of cases. A case is a mapping:

    name: text shown in the test id and in the failure message (unique in its file)
    description: optional free text (how the expected figures were worked out)
    exercice: 2024
    theme: numerique            # optional: defaults to the folder name
    input: {column: value}      # pharmacies columns, written as in the user's CSV
                                # (booleans may be YAML true/false, empty = null)
    molecules:                  # optional rows of the molecules table (pharmacie_id and exercice
      - {molecule: sitagliptine, nb_boites: 486, taux_depart_pct: 85, taux_arrivee_pct: 93}
    parametres: {...}           # optional scenario override, the same shape as a user scenario file
                                # (e.g. {numerique: {teleconsultation: {tranches: complete}}}; a year
                                # key such as 2025: {...} limits it to that exercise)
    expected:                   # indicator code -> amount in euros
      fse: "0.070 * 40000"      # a number or an arithmetic string (+ - * / parentheses)
      eprescription: 0
      bonus_prescription: absent   # the indicator must have no line at all
    total: "820 + 0.070 * 40000"   # optional: the theme total
    donnee_manquante: [dmp]     # optional: indicators that must be flagged "donnée manquante"
    atteint: {dmp: neutralisé}  # optional: expected `atteint` label per indicator

The arithmetic is evaluated exactly (fractions) and rounded to the cent, half up — or half to even
when the case's `parametres` select `general.arrondi: demi_pair`. Several lines of one indicator
(one per molecule) are summed. Expected amounts are worked out by hand from the rule book (docs/regles.md).
YAML anchors and merge keys (`input: &base {...}` then `<<: *base`) keep the cases of a file short.

Run: `pytest tests/cases` (or one file, or `-k "malus"`). The arithmetic evaluator and the table
helpers live in tests/helpers_rules.py.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest
import yaml

if str(Path(__file__).resolve().parent.parent) not in sys.path:  # tests/, for helpers_rules
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers_rules import ExpressionError, cents_text, evaluate, to_cents, write_csv

from rosp_lib.registry import THEME_CODES as THEMES  # noqa: E402
CASE_KEYS = {"name", "exercice", "theme", "input", "molecules", "parametres", "expected", "total",
             "donnee_manquante", "atteint", "description", "statut_regle", "hypotheses", "scenario"}
TRACED = ("statut_regle", "hypotheses", "scenario")  # expected per indicator: the traced columns of its line
ABSENT = "absent"


# ----------------------------------------------------------------------------------------------
# Running a case: its tables written as a user would, read by the project's readers
# ----------------------------------------------------------------------------------------------
_PARAMETERS_CACHE: dict = {}  # (exercice, scenario text) -> parameters: loading is the slow part


def run_case(case: dict, workdir: Path):
    """The lines of the case's pharmacy (all themes) and the totals row, in cents."""
    from rosp_lib.engine import compute, parameters_for, totals
    from rosp_lib.inputs import read_molecules, read_pharmacies
    from rosp_lib.parameters import Scenario

    pid = case["input"].get("pharmacie_id", "CAS") if case.get("input") else "CAS"
    row = {"pharmacie_id": pid, "exercice": case["exercice"], **(case.get("input") or {})}
    ph_path = workdir / "pharmacies.csv"
    write_csv(ph_path, [row])
    pharmacies = read_pharmacies(ph_path)
    molecules = None
    if case.get("molecules"):
        mol_rows = [{"pharmacie_id": pid, "exercice": case["exercice"], **m} for m in case["molecules"]]
        mol_path = workdir / "molecules.csv"
        write_csv(mol_path, mol_rows)
        molecules = read_molecules(mol_path, pharmacies)
    scenario_text = yaml.safe_dump(case["parametres"], allow_unicode=True) if case.get("parametres") else ""
    key = (int(case["exercice"]), scenario_text)
    if key not in _PARAMETERS_CACHE:
        scenario = None
        if scenario_text:
            sc_path = workdir / "scenario.yaml"
            sc_path.write_text(scenario_text, encoding="utf-8")
            scenario = Scenario.read(sc_path)
        _PARAMETERS_CACHE[key] = parameters_for([key[0]], scenario)
    params = _PARAMETERS_CACHE[key]
    lines = compute(pharmacies, molecules, params)
    return lines, totals(lines, pharmacies)


def rounding_mode(case: dict) -> str:
    p = case.get("parametres") or {}
    general = p.get("general") or {}
    mode = general.get("arrondi", "demi_haut")
    if isinstance(mode, dict):
        mode = mode.get("valeur", "demi_haut")
    per_year = p.get(case["exercice"]) or {}
    mode = ((per_year.get("general") or {}).get("arrondi")) or mode
    return mode


# ----------------------------------------------------------------------------------------------
# pytest plumbing
# ----------------------------------------------------------------------------------------------
def pytest_collect_file(parent, file_path: Path):
    if file_path.suffix in (".yaml", ".yml") and file_path.parent.parent == Path(__file__).parent:
        return RuleCaseFile.from_parent(parent, path=file_path)
    return None


class CaseFailure(Exception):
    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


class CaseFormatError(Exception):
    """A malformed case file or case: reported as such, not as a rule failure."""


class RuleCaseFile(pytest.File):
    def collect(self):
        with open(self.path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        cases = data if isinstance(data, list) else [data]
        seen = set()
        for i, case in enumerate(cases):
            if not isinstance(case, dict) or "name" not in case:
                raise CaseFormatError(f"{self.path} : cas n° {i + 1} sans « name »")
            name = str(case["name"])
            if name in seen:
                raise CaseFormatError(f"{self.path} : nom de cas en double « {name} »")
            seen.add(name)
            yield RuleCaseItem.from_parent(self, name=name, case=case)


class RuleCaseItem(pytest.Item):
    def __init__(self, *, case: dict, **kwargs):
        super().__init__(**kwargs)
        self.case = case

    def runtest(self):
        case = self.case
        unknown = set(case) - CASE_KEYS
        if unknown:
            raise CaseFormatError(f"clés inconnues dans le cas : {', '.join(sorted(unknown))}")
        for key in ("exercice", "input"):
            if key not in case:
                raise CaseFormatError(f"clé « {key} » manquante")
        if not any(k in case for k in ("expected", "total", "donnee_manquante", "atteint", *TRACED)):
            raise CaseFormatError("le cas n'attend rien (expected, total, donnee_manquante ou atteint)")
        theme = case.get("theme", self.path.parent.name)
        if theme not in THEMES:
            raise CaseFormatError(f"thème inconnu « {theme} »")
        mode = rounding_mode(case)
        with tempfile.TemporaryDirectory() as tmp:
            lines, tot = run_case(case, Path(tmp))
        mine = lines[lines["theme"] == theme]
        rows, ok = [], True
        for code, value in (case.get("expected") or {}).items():
            sel = mine[mine["indicateur"] == code]
            if isinstance(value, str) and value.strip() == ABSENT:
                good = sel.empty
                rows.append((code, ABSENT, ABSENT if sel.empty else cents_text(int(sel["montant_cents"].sum())), good))
            else:
                want = to_cents(evaluate(value), mode)
                got = None if sel.empty else int(sel["montant_cents"].sum())
                good = got == want
                rows.append((code, cents_text(want), "pas de ligne" if got is None else cents_text(got), good))
            ok &= good
        if "total" in case:
            want = to_cents(evaluate(case["total"]), mode)
            got = int(tot[theme].iloc[0])
            good = got == want
            rows.append((f"TOTAL {theme}", cents_text(want), cents_text(got), good))
            ok &= good
        for code in case.get("donnee_manquante") or []:
            sel = mine[mine["indicateur"] == code]
            good = not sel.empty and bool(sel["donnee_manquante"].astype(bool).all())
            rows.append((f"{code} [donnée manquante]", "oui", "pas de ligne" if sel.empty else
                         ("oui" if good else "non"), good))
            ok &= good
        for code, label in (case.get("atteint") or {}).items():
            sel = mine[mine["indicateur"] == code]
            got = "pas de ligne" if sel.empty else ", ".join(map(str, sel["atteint"].unique()))
            good = got == str(label)
            rows.append((f"{code} [atteint]", str(label), got, good))
            ok &= good
        for column in TRACED:  # hypotheses and scenario: the set of keys, in any order
            for code, want in (case.get(column) or {}).items():
                sel = mine[mine["indicateur"] == code]
                got = "pas de ligne" if sel.empty else str(sel[column].iloc[0])
                if column == "statut_regle":
                    good = got == str(want)
                else:
                    want_keys = set(want or [])
                    good = not sel.empty and set(k for k in got.split(" ; ") if k) == want_keys
                    want = " ; ".join(sorted(want_keys)) or "(aucune)"
                rows.append((f"{code} [{column}]", str(want), got, good))
                ok &= good
        if not ok:
            width = max(len(r[0]) for r in rows)
            text = [f"cas « {case['name']} » ({self.path.name}, exercice {case['exercice']}, thème {theme}) :",
                    f"  {'indicateur':<{width}}  {'attendu':>12}  {'obtenu':>12}"]
            for code, want, got, good in rows:
                text.append(f"  {code:<{width}}  {want:>12}  {got:>12}  {'' if good else '<-- différent'}")
            text.append("  lignes calculées du thème :")
            for r in mine.itertuples():
                text.append(f"    {r.indicateur:<32} {cents_text(int(r.montant_cents)):>10}  {r.atteint}  {r.note}")
            raise CaseFailure("\n".join(text))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CaseFailure):
            return str(excinfo.value)
        if isinstance(excinfo.value, (CaseFormatError, ExpressionError)):
            return f"cas « {self.case.get('name')} » ({self.path.name}) mal écrit : {excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, 0, f"cas : {self.name}"
