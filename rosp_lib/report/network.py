"""The network overview: what the notebook `90_reseau` shows about a whole file of pharmacies.

Pure functions over the results of `rosp_lib.engine.compute` (the long-format lines) and
`rosp_lib.engine.totals` (one row per pharmacy × exercise, cents per theme). Nothing here computes a
rule or reads a `note`: an indicator is met when its line says `atteint = oui`, a theme's socles are met
when its lines list no `socles_non_atteints`, a line rests on a hypothesis when its `statut_regle` is
`hypothese` and its `hypotheses` cell names the keys. Themes, indicators and their order come from the
registry; amounts are formatted by `rosp_lib.lines.formatting`.

Every statistic is per exercise: the rules, and so the amounts, change from one exercise to the next.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from rosp_lib.engine import compute, parameters_for
from rosp_lib.engine import totals as engine_totals
from rosp_lib.inputs import PHARMACIE_ID_RE, read_inputs
from rosp_lib.parameters import Scenario
from rosp_lib.lines import money
from rosp_lib.lines.text import SEP
from rosp_lib.lines.formatting import agreed, counted, eur, french_list, french_ticks, num
from rosp_lib.lines.text import MANQUANT, NON, OUI
from rosp_lib.registry import INDICATORS, THEME_BY_CODE, THEME_CODES, THEMES
from rosp_lib.report.escape import escape_frame, escape_html_text
from rosp_lib.report.html import DOCUMENT_MIME
from rosp_lib.rulebook import hypothesis_label

RECORD_MIME = "application/vnd.rosp.reseau+json"
SYNTHESIS_STEM = "00_synthese"  # the per-pharmacy synthesis report (rosp report)
TOTAL = "total"
MEASURES: tuple[str, ...] = (*THEME_CODES, TOTAL)
QUANTILES: dict[str, float] = {"p10": 0.10, "p25": 0.25, "mediane": 0.50, "p75": 0.75, "p90": 0.90}
APPLICABLE = (OUI, NON, MANQUANT)  # an indicator that counts; neutralisé, sans objet… do not
COUNTED_TYPES = ("socle", "indicateur")
ROBUST_Z_THRESHOLD = 3.5  # Iglewicz & Hoaglin's cut-off for the modified z-score
RECORDED_OUTLIERS = 20  # the recorded key figures keep the first outliers (largest |z|) of each exercise
OUTLIER_MIN_GROUP = 5  # fewer pharmacies in an exercise: no median spread worth a score, no outlier flagged
_MAD_SCALE = 0.6745  # Φ⁻¹(3/4): MAD → standard deviation of a normal law
_MEAN_AD_SCALE = math.sqrt(math.pi / 2)  # mean absolute deviation → standard deviation (when the MAD is 0)
_ORDER = {i.code: k for k, i in enumerate(INDICATORS)}
SINGLE_VALUE_PAD = 0.10  # a histogram of equal amounts spans ± 10 % of the amount…
SINGLE_VALUE_MIN_PAD_EUR = 10.0  # … and at least ± 10 €
BOX_CAPTION = ("boîte : 1er quartile, médiane, 3e quartile ; moustaches : 1er et 9e déciles ; "
               "points : minimum et maximum, quand ils sont au-delà des moustaches (valeurs du tableau)")


def measure_title(code: str) -> str:
    """A theme's French title from the registry, or « Total » for the total."""
    return "Total ROSP" if code == TOTAL else THEME_BY_CODE[code].titre


@dataclass
class Network:
    """The whole file: its validated tables, the result lines of every pharmacy × exercise and their totals."""

    pharmacies: pd.DataFrame
    molecules: pd.DataFrame | None
    lines: pd.DataFrame
    totals: pd.DataFrame
    scenario: Scenario | None = None

    def names(self) -> dict[str, str]:
        """pharmacie_id → its name (the id when the name is empty)."""
        noms = self.pharmacies["nom"].fillna("") if "nom" in self.pharmacies else pd.Series("", self.pharmacies.index)
        return {p: (str(n) or p) for p, n in zip(self.pharmacies["pharmacie_id"], noms)}


def load_network(entree: str, molecules: str = "", parametres: str = "") -> Network:
    """Read and validate the whole file, then compute every pharmacy × exercise (InputError / ParameterError
    on a bad file, with their French messages)."""
    scenario = Scenario.read(parametres) if parametres else None
    pharmacies, mols = read_inputs(entree, molecules or None, scenario)
    lines = compute(pharmacies, mols, parameters_for(pharmacies["exercice"].unique(), scenario))
    return Network(pharmacies, mols, lines, engine_totals(lines, pharmacies), scenario)


# --------------------------------------------------------------------------------------------
# Distributions
# --------------------------------------------------------------------------------------------
def mean_cents(total: int, n: int) -> int:
    """total / n rounded to the cent by `money.round_ratio` (a negative sum: its magnitude, then the sign)."""
    magnitude = int(money.round_ratio(np.array([abs(int(total))]), np.array([int(n)]))[0])
    return -magnitude if total < 0 else magnitude


def _quantile(sorted_cents: np.ndarray, q: float) -> int:
    """An observed value: the smallest whose cumulative share reaches q (no interpolation, no rounding)."""
    return int(np.quantile(sorted_cents, q, method="inverted_cdf"))


def themes_by_year(lines: pd.DataFrame) -> dict[int, tuple[str, ...]]:
    """The themes of each exercise of the lines, in the registry's order: those that have lines. A theme that does
    not exist that exercise (the vaccination in 2022, the dispositif 2024 in 2025) has none, and is not shown
    with amounts of zero."""
    present = set(zip(lines["exercice"].astype(int), lines["theme"].astype(str)))
    return {int(y): tuple(t for t in THEME_CODES if (int(y), t) in present)
            for y in sorted(lines["exercice"].astype(int).unique())}


def absent_themes_text(themes: dict[int, tuple[str, ...]], exercice: int) -> str:
    """The sentence that names the themes without object that exercise (empty when every theme exists)."""
    absent = [THEME_BY_CODE[t].titre for t in THEME_CODES if t not in themes.get(exercice, THEME_CODES)]
    if not absent:
        return ""
    exists = agreed(len(absent), "il n'existe", "ils n'existent")
    return (f"{agreed(len(absent), 'Thème', 'Thèmes')} sans objet pour l'exercice {exercice} "
            f"({exists} pas cette année-là) : {french_list(absent)}.")


def distributions(totals: pd.DataFrame, themes: dict[int, tuple[str, ...]] | None = None) -> pd.DataFrame:
    """Per exercise and per measure (each theme, then the total): n, sum, mean, min, quantiles, max, in cents.
    `themes` (`themes_by_year`): the themes of each exercise; the others have no row.

    Quantiles are observed amounts (`inverted_cdf`: for an even count the median is the lower middle one);
    the mean is the sum divided by n, rounded to the cent by `money.round_ratio`."""
    rows = []
    for year, group in totals.groupby("exercice", sort=True):
        n = len(group)
        for m in (MEASURES if themes is None else (*themes.get(int(year), ()), TOTAL)):
            cents = np.sort(group[m].to_numpy(dtype=np.int64))
            s = int(cents.sum())
            row = {"exercice": int(year), "mesure": m, "titre": measure_title(m), "nb": n, "somme_cents": s,
                   "moyenne_cents": mean_cents(s, n),
                   "min_cents": int(cents[0])}
            row.update({f"{k}_cents": _quantile(cents, q) for k, q in QUANTILES.items()})
            row["max_cents"] = int(cents[-1])
            rows.append(row)
    return pd.DataFrame(rows)


def distribution_table(dist: pd.DataFrame, exercice: int) -> pd.DataFrame:
    """One exercise's distributions as a French table (amounts in euros)."""
    d = dist[dist["exercice"] == exercice]
    out = pd.DataFrame({
        "Thème": d["titre"], "Officines": d["nb"].map(num), "Moyenne": d["moyenne_cents"].map(eur),
        "Minimum": d["min_cents"].map(eur), "1er décile": d["p10_cents"].map(eur),
        "1er quartile": d["p25_cents"].map(eur), "Médiane": d["mediane_cents"].map(eur),
        "3e quartile": d["p75_cents"].map(eur), "9e décile": d["p90_cents"].map(eur),
        "Maximum": d["max_cents"].map(eur), "Somme": d["somme_cents"].map(eur),
    })
    return out.reset_index(drop=True)


def _span(euros: np.ndarray) -> tuple[float, float] | None:
    """The range of a histogram of these amounts: theirs, or, when they are all equal, ± 10 % of the amount (at
    least ± 10 €), not numpy's ± 0,50 € (whose tick labels read 6 693,6 to 6 694,4)."""
    if not euros.size:
        return None
    if euros.min() == euros.max():
        pad = max(abs(float(euros[0])) * SINGLE_VALUE_PAD, SINGLE_VALUE_MIN_PAD_EUR)
        return (float(euros[0]) - pad, float(euros[0]) + pad)
    return (float(euros.min()), float(euros.max()))


def histogram(totals: pd.DataFrame, exercice: int, measure: str = TOTAL, bins: int = 20,
              span: tuple[float, float] | None = None) -> pd.DataFrame:
    """Chart data: counts of pharmacies per bin of euros (bin edges are chart positions, not amounts paid), over
    `span` (default: the exercise's own amounts, see `_span`) — the same span for every exercise puts their
    charts on one scale."""
    euros = totals.loc[totals["exercice"] == exercice, measure].to_numpy(dtype=np.int64) / 100
    counts, edges = np.histogram(euros, bins=bins, range=span or _span(euros))
    return pd.DataFrame({"de_eur": edges[:-1], "a_eur": edges[1:], "nb": counts})


def box_stats(dist: pd.DataFrame, exercice: int, measures=THEME_CODES) -> list[dict]:
    """The boxes of `chart_themes`, from the distribution table itself (`distributions`, observed quantiles):
    box = 1er quartile, médiane, 3e quartile; whiskers = 1er and 9e déciles; points = minimum and maximum when
    they lie beyond the whiskers. In euros, in the order of `measures`; the dicts are those `Axes.bxp` draws."""
    d = dist[dist["exercice"] == exercice].set_index("mesure")
    out = []
    for m in measures:
        r = d.loc[m]
        e = {k: int(r[f"{k}_cents"]) / 100 for k in ("min", "p10", "p25", "mediane", "p75", "p90", "max")}
        out.append({"label": measure_title(m), "med": e["mediane"], "q1": e["p25"], "q3": e["p75"],
                    "whislo": e["p10"], "whishi": e["p90"], "mean": int(r["moyenne_cents"]) / 100,
                    "cilo": e["mediane"], "cihi": e["mediane"],
                    "fliers": np.array([v for v, beyond in ((e["min"], e["min"] < e["p10"]),
                                                              (e["max"], e["max"] > e["p90"])) if beyond])})
    return out


# --------------------------------------------------------------------------------------------
# Shares of pharmacies meeting each indicator, each socle, each theme's socles
# --------------------------------------------------------------------------------------------
def indicator_shares(lines: pd.DataFrame) -> pd.DataFrame:
    """Per exercise × indicator (socles and indicators, registry order): how many pharmacies meet it.

    A pharmacy meets an indicator when one of its lines for it says `oui`. The share is taken over the
    pharmacies for which the indicator counts (`oui`, `non`, `donnée manquante`); a neutralised or « sans
    objet » line is counted apart (`nb_hors`)."""
    sel = lines[lines["type_ligne"].isin(COUNTED_TYPES)]
    keys = ["exercice", "theme", "indicateur", "pharmacie_id"]
    per = sel.assign(_oui=sel["atteint"] == OUI, _app=sel["atteint"].isin(APPLICABLE),
                     _manq=sel["atteint"] == MANQUANT)
    per = per.groupby(keys, sort=False).agg(oui=("_oui", "any"), app=("_app", "any"), manq=("_manq", "any"),
                                            type_ligne=("type_ligne", "first"), libelle=("libelle", "first"))
    per = per.reset_index()
    out = per.groupby(["exercice", "theme", "indicateur"], sort=False).agg(
        type_ligne=("type_ligne", "first"), libelle=("libelle", "first"), nb_pharmacies=("pharmacie_id", "size"),
        nb_atteint=("oui", "sum"), nb_comptes=("app", "sum"), nb_manquant=("manq", "sum")).reset_index()
    for c in ("nb_pharmacies", "nb_atteint", "nb_comptes", "nb_manquant"):
        out[c] = out[c].astype(np.int64)
    out["nb_hors"] = out["nb_pharmacies"] - out["nb_comptes"]
    out["part_atteint"] = np.where(out["nb_comptes"] > 0, out["nb_atteint"] / out["nb_comptes"].where(out["nb_comptes"] > 0, 1),
                                   np.nan)
    out["_o"] = out["indicateur"].map(_ORDER)
    out = out.sort_values(["exercice", "_o"], kind="stable").drop(columns="_o")
    return out.reset_index(drop=True)


def socle_shares(lines: pd.DataFrame) -> pd.DataFrame:
    """Per exercise × theme with socles: the pharmacies whose lines list no socle not met (`socles_non_atteints`
    empty on every line of the theme), i.e. whose theme is not voided by its socles."""
    socle_themes = lines.loc[lines["type_ligne"] == "socle", ["exercice", "theme"]].drop_duplicates()
    sel = lines.merge(socle_themes, on=["exercice", "theme"])
    per = sel.assign(_ok=sel["socles_non_atteints"].fillna("") == "").groupby(
        ["exercice", "theme", "pharmacie_id"], sort=False)["_ok"].all().reset_index()
    out = per.groupby(["exercice", "theme"], sort=False).agg(nb_pharmacies=("pharmacie_id", "size"),
                                                             nb_socles_atteints=("_ok", "sum")).reset_index()
    out["nb_socles_atteints"] = out["nb_socles_atteints"].astype(np.int64)
    out["part"] = out["nb_socles_atteints"] / out["nb_pharmacies"]
    out["titre"] = out["theme"].map(measure_title)
    out["_o"] = out["theme"].map(THEME_CODES.index)
    return out.sort_values(["exercice", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)


def show(frame: pd.DataFrame):
    """A left-aligned table without the row numbers, for the rendered page (a fixed id: reproducible HTML). Every text
    cell is escaped (`escape_frame`: HTML, and math for JupyterLab): a pharmacy's name comes from the input file, and
    the Styler writes cells as they are."""
    return (escape_frame(frame).style.set_uuid("reseau").hide(axis="index")
            .set_properties(**{"text-align": "left", "vertical-align": "top"})
            .set_table_styles([{"selector": "th", "props": [("text-align", "left")]}]))


def pct_text(share: float) -> str:
    """A share (0–1) as a French percentage: a whole percentage as it is (« 50 % »), any other with one decimal, kept
    when it is 0 (« 53,0 % » for 52,97 %: rounded, where « 53 % » would read as exact beside « 77,9 % »); « — » when it
    does not apply."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    percent = 100 * float(share)
    if abs(percent - round(percent)) < 1e-9:
        return num(round(percent)) + " %"
    return f"{round(percent, 1):.1f}".replace(".", ",") + " %"


def shares_table(shares: pd.DataFrame, exercice: int) -> pd.DataFrame:
    d = shares[shares["exercice"] == exercice]
    out = pd.DataFrame({
        "Thème": d["theme"].map(measure_title), "Indicateur": d["libelle"],
        "Type": d["type_ligne"], "Officines concernées": d["nb_comptes"].map(num),
        "Atteint": d["nb_atteint"].map(num), "Part atteinte": d["part_atteint"].map(pct_text),
        "dont donnée manquante": d["nb_manquant"].map(num), "Neutralisé ou sans objet": d["nb_hors"].map(num),
    })
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Euros resting on hypotheses
# --------------------------------------------------------------------------------------------
def hypothesis_summary(lines: pd.DataFrame) -> pd.DataFrame:
    """Per exercise: the euros of all the lines and of the lines whose `statut_regle` is `hypothese`, the
    primes (positive lines) and the malus (negative lines, counted negative) apart, and how many lines and
    pharmacies they are.

    `montant_hypothese_cents` is the net amount, malus deducted (primes + malus); `part` is that net amount over
    the net total of the lines; `part_primes` the primes on a hypothesis over all the primes paid."""
    rows = []
    for year, group in lines.groupby("exercice", sort=True):
        hyp = group[group["statut_regle"] == "hypothese"]
        cents, hyp_cents = group["montant_cents"], hyp["montant_cents"]
        total, on_hyp = int(cents.sum()), int(hyp_cents.sum())
        primes_total = int(cents[cents > 0].sum())
        primes, malus = int(hyp_cents[hyp_cents > 0].sum()), int(hyp_cents[hyp_cents < 0].sum())
        rows.append({"exercice": int(year), "montant_total_cents": total, "primes_total_cents": primes_total,
                     "primes_hypothese_cents": primes, "malus_hypothese_cents": malus,
                     "montant_hypothese_cents": on_hyp,
                     "nb_lignes_hypothese": len(hyp), "nb_lignes_hypothese_payantes": int((hyp_cents != 0).sum()),
                     "nb_lignes_malus_hypothese": int((hyp_cents < 0).sum()),
                     "nb_pharmacies_hypothese": int(hyp.loc[hyp_cents != 0, "pharmacie_id"].nunique()),
                     "nb_pharmacies": int(group["pharmacie_id"].nunique()),
                     "part": on_hyp / total if total else float("nan"),
                     "part_primes": primes / primes_total if primes_total else float("nan")})
    return pd.DataFrame(rows)


def hypothesis_labels(keys: pd.DataFrame, scenario: Scenario | None = None) -> list[str]:
    """The hypotheses of `hypothesis_keys` named for a reader, each in its exercise's parameters: the indicator's title
    then the parameter's label (`rulebook.hypothesis_label`, as the reports name them), not the key."""
    if keys.empty:
        return []
    params = parameters_for(keys["exercice"].unique(), scenario)
    return [hypothesis_label(k, params[int(y)]) for y, k in zip(keys["exercice"], keys["hypothese"])]


def hypothesis_keys(lines: pd.DataFrame) -> pd.DataFrame:
    """Per exercise × hypothesis key (as the `hypotheses` cells name them): the primes (positive lines) and the
    malus (negative lines, counted negative) of the lines that depend on it, their net amount (`montant_cents`
    = primes + malus), the number of those lines and of the pharmacies they pay or dock. A line resting on two
    hypotheses counts under both keys (so the keys' euros do not add up to the summary's)."""
    cols = ["exercice", "hypothese", "primes_cents", "malus_cents", "montant_cents", "nb_lignes", "nb_pharmacies"]
    sel = lines.loc[lines["hypotheses"].fillna("") != "", ["exercice", "pharmacie_id", "montant_cents", "hypotheses"]]
    if sel.empty:
        return pd.DataFrame(columns=cols)
    sel = sel.assign(hypothese=sel["hypotheses"].str.split(SEP, regex=False)).explode("hypothese")
    sel["hypothese"] = sel["hypothese"].str.strip()
    sel = sel[sel["hypothese"] != ""]
    paying = sel["montant_cents"] != 0
    sel = sel.assign(_p=sel["pharmacie_id"].where(paying), _plus=sel["montant_cents"].clip(lower=0),
                     _moins=sel["montant_cents"].clip(upper=0))
    out = sel.groupby(["exercice", "hypothese"], sort=True).agg(
        primes_cents=("_plus", "sum"), malus_cents=("_moins", "sum"), montant_cents=("montant_cents", "sum"),
        nb_lignes=("montant_cents", "size"), nb_pharmacies=("_p", "nunique")).reset_index()
    for c in ("primes_cents", "malus_cents", "montant_cents"):
        out[c] = out[c].astype(np.int64)
    out = out.sort_values(["exercice", "primes_cents", "malus_cents", "hypothese"],
                          ascending=[True, False, True, True], kind="stable")
    return out[cols].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Outliers
# --------------------------------------------------------------------------------------------
def robust_z(values) -> np.ndarray:
    """Modified z-score (Iglewicz & Hoaglin): 0,6745 × (x − médiane) / MAD. When the MAD is 0 (more than half
    the values equal), the mean absolute deviation × √(π/2) stands for the spread; when it is 0 too, every
    value equals the median and every score is 0."""
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return x
    med = float(np.median(x))
    dev = np.abs(x - med)
    mad = float(np.median(dev))
    if mad > 0:
        return _MAD_SCALE * (x - med) / mad
    mean_ad = float(dev.mean())
    if mean_ad > 0:
        return (x - med) / (_MEAN_AD_SCALE * mean_ad)
    return np.zeros_like(x)


def outliers(totals: pd.DataFrame, measure: str = TOTAL, threshold: float = ROBUST_Z_THRESHOLD,
             min_group: int = OUTLIER_MIN_GROUP) -> pd.DataFrame:
    """The pharmacies whose amount (total by default) is far from the others of the same exercise:
    |score z robuste| > threshold, largest first. An exercise with fewer than `min_group` pharmacies is
    not scored."""
    parts = []
    for year, group in totals.groupby("exercice", sort=True):
        if len(group) < min_group:
            continue
        cents = group[measure].to_numpy(dtype=np.int64)
        z = robust_z(cents)
        parts.append(pd.DataFrame({
            "exercice": int(year), "pharmacie_id": group["pharmacie_id"].to_numpy(), "montant_cents": cents,
            "mediane_cents": float(np.median(cents)), "z": z}))
    if not parts:
        return pd.DataFrame(columns=["exercice", "pharmacie_id", "montant_cents", "mediane_cents", "z"])
    out = pd.concat(parts, ignore_index=True)
    out = out[out["z"].abs() > threshold]
    out = out.assign(_a=-out["z"].abs()).sort_values(["exercice", "_a", "pharmacie_id"], kind="stable")
    return out.drop(columns="_a").reset_index(drop=True)


def outliers_table(out: pd.DataFrame, names: dict | None = None) -> pd.DataFrame:
    names = names or {}
    return pd.DataFrame({
        "Exercice": out["exercice"].astype(str), "Officine": out["pharmacie_id"].map(lambda p: names.get(p, p)),
        "Identifiant": out["pharmacie_id"], "Montant": out["montant_cents"].map(eur),
        "Médiane de l'exercice": out["mediane_cents"].map(lambda c: eur(int(round(c))) if float(c).is_integer()
                                                             else num(c / 100, 3) + " €"),
        "Score z robuste": out["z"].map(lambda z: num(round(float(z), 1))),
    }).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Links into each pharmacy's reports
# --------------------------------------------------------------------------------------------
def report_path(exercice: int, pharmacie_id: str, stem: str = SYNTHESIS_STEM) -> str:
    """The relative path of a report from the folder `rosp report` writes into: `<exercice>/<id>/<stem>.html`."""
    if not isinstance(pharmacie_id, str) or not re.fullmatch(PHARMACIE_ID_RE, pharmacie_id):
        raise ValueError(f"identifiant de pharmacie invalide : {pharmacie_id!r}")
    return f"{int(exercice)}/{pharmacie_id}/{stem}.html"


ABSENT_REPORT = "rapport absent de ce dossier"
INDEX_PAGE = "index.html"  # the list of every pharmacy's reports that `rosp report` writes at the root of its folder


def navigation(index: str = INDEX_PAGE) -> str:
    """The way back to the list of every report (`index`: its path relative to the page; `rosp report` writes it
    beside this page, after it): the page had none (review)."""
    return (f'<nav class="rosp-nav" aria-label="Rapports"><a href="{html.escape(index, quote=True)}">'
            "Toutes les pharmacies</a></nav>")


def links_html(totals: pd.DataFrame, names: dict | None = None, base: str = "", first=(), limit: int = 0,
               root: Path | str | None = None) -> str:
    """An HTML table, one row per pharmacy × exercise: the pharmacy's name linked to its synthesis, its total and
    a link to each theme report (numbered in the registry's order, the legend above the table); relative
    paths, `base` prefixed ("" when the overview sits at the root of the reports folder). The pharmacies of
    `first` (ids) come first; `limit` > 0 keeps that many rows and points to the index page for the others.
    `root`: the folder the paths are relative to (the page's); a report absent from it (not made yet, made
    by a narrower run, or failed) is then shown without a link, and said once. Every shown text is escaped."""
    names = names or {}
    themes = sorted(THEMES, key=lambda t: t.ordre)
    rows = totals[["pharmacie_id", "exercice", TOTAL]]
    if len(first):
        rank = {p: k for k, p in enumerate(first)}
        rows = rows.assign(_r=rows["pharmacie_id"].map(rank).fillna(len(rank))).sort_values("_r", kind="stable")
    shown = rows if limit <= 0 else rows.head(limit)
    legend = " ; ".join(f"{t.ordre} : {html.escape(t.titre)}" for t in themes)
    head = "".join(f"<th>{h}</th>" for h in ("Exercice", "Officine (synthèse)", "Total", "Rapports par thème"))
    out = []
    absent = 0

    def link(path: str, text: str) -> str:
        nonlocal absent
        if root is not None and not (Path(root) / path).is_file():
            absent += 1
            return f'<span class="rosp-absent" title="{ABSENT_REPORT}">{text}</span>'
        return f'<a href="{html.escape(path, quote=True)}">{text}</a>'

    for pid, year, total in zip(shown["pharmacie_id"], shown["exercice"], shown[TOTAL]):
        links = " ".join(link(base + report_path(year, pid, t.notebook), str(t.ordre)) for t in themes)
        out.append(f"<tr><td>{int(year)}</td><td>{link(base + report_path(year, pid), escape_html_text(names.get(pid, pid)))}"
                   f" <code>{html.escape(pid)}</code></td>"
                   f"<td>{html.escape(eur(int(total)))}</td><td>{links}</td></tr>")
    said = ""
    if absent:
        said = (f"<p>Un nom ou un numéro sans lien : {ABSENT_REPORT}, pas encore produit ou en échec (voir "
                f"rapports.csv) ; {html.escape(num(absent))} dans ce tableau.</p>")
    more = ""
    if len(shown) < len(rows):
        more = (f'<p>{html.escape(counted(len(rows) - len(shown), "autre ligne", "autres lignes"))} officine × exercice : voir '
                f'<a href="{html.escape(base + INDEX_PAGE, quote=True)}">la liste de tous les rapports</a>.</p>')
    return (f"<p>Thèmes : {legend}.</p>{said}"
            f'<table class="rosp-reseau"><thead><tr>{head}</tr></thead><tbody>{"".join(out)}</tbody></table>{more}')


# --------------------------------------------------------------------------------------------
# Largest gains within reach (rosp gains)
# --------------------------------------------------------------------------------------------
def gains_available() -> bool:
    """Whether `rosp_lib.counterfactual.gains` (the `rosp gains` command) is installed in this version."""
    import importlib.util

    try:
        return importlib.util.find_spec("rosp_lib.counterfactual.gains") is not None
    except ModuleNotFoundError:
        return False


def largest_gains(pharmacies: pd.DataFrame, molecules: pd.DataFrame | None, top: int = 20, date=None,
                  scenario=None) -> pd.DataFrame | None:
    """HOOK for « les plus gros gains à portée »: the `top` largest actions of the whole file still possible at
    `date`, from `rosp_lib.counterfactual.gains.gains_table`; None while that module is not in this version."""
    if not gains_available():
        return None
    from rosp_lib.counterfactual.gains import gains_table

    from rosp_lib.counterfactual.gains import priced_readings
    from rosp_lib.report.readings import alternative_parameters

    table = gains_table(pharmacies, molecules, date=date, scenario=scenario)  # API of the gains branch (i10)
    possible = table[table["encore_possible"] == "oui"]
    largest = possible.sort_values(["gain_cents", "pharmacie_id", "exercice"], ascending=[False, True, True],
                                   kind="stable").head(top).reset_index(drop=True)
    # each named only with the readings that change it, as the reports name it (priced: `top` actions only)
    return priced_readings(pharmacies, molecules, largest, alternative_parameters(scenario),
                           parameters_for(largest["exercice"].unique(), scenario) if len(largest) else {})


# The notebook's numeric parameters: (name, smallest value, integer only). papermill passes a value it cannot read as a
# number as a text (`-p nb_gains abc`: a TypeError traceback), and took -1 or 0 (« ceux d'au moins 0 officines »).
# An integer parameter is an int: `-p nb_gains 20.0` (a float) passed, then `head(20.0)` failed (review).
NUMERIC_PARAMETERS = (("seuil_atypique", 0, False), ("min_atypique", 2, True), ("nb_gains", 0, True),
                      ("nb_atypiques_max", 1, True), ("nb_liens_max", 0, True), ("gains_max_lignes", 0, True))


def check_parameters(**values) -> None:
    """The numeric parameters of the network notebook, each a number of its kind at least its smallest value (the
    outlier threshold strictly above it); a French refusal naming the parameter otherwise."""
    from rosp_lib.inputs.errors import shown
    from rosp_lib.report.notebook import ReportError

    for name, low, integer in NUMERIC_PARAMETERS:
        if name not in values:
            continue
        v = values[name]
        number = isinstance(v, int if integer else (int, float)) and not isinstance(v, bool)
        if not number or (v <= low if name == "seuil_atypique" else v < low) or v != v:
            kind = "un nombre entier" if integer else "un nombre"
            bound = f"supérieur à {num(low)}" if name == "seuil_atypique" else f"d'au moins {num(low)}"
            raise ReportError(f"paramètre {name} : {shown(v)} ; attendu : {kind} {bound} (voir la cellule des paramètres)")


def gains_date(text) -> dt.date:
    """The notebook's `date_gains` parameter: AAAA-MM-JJ or JJ/MM/AAAA (as `date_reference` of the pharmacy reports,
    the same reader), today when empty; a French refusal otherwise."""
    from rosp_lib.report.gains import reference_date

    return reference_date(text, "date_gains")


def gains_date_text(day) -> str:
    """The reference date the gains were judged at (« encore possible »), for the reader (Markdown)."""
    return (f"Actions encore possibles au **{day.strftime('%d/%m/%Y')}**, la date de référence (paramètre "
            "`date_gains` de ce notebook, option `--date` de `rosp report` ; aujourd'hui par défaut) : une action dont l'échéance est passée à cette date n'est "
            "pas comptée.")


def gains_frame(gains: pd.DataFrame, molecules: pd.DataFrame | None, names: dict | None = None,
                scenario: Scenario | None = None) -> pd.DataFrame:
    """The largest gains as a French table, each action worded as the reports' « Ce que l'officine peut encore
    gagner » words it (`report.gains.change_words`, `indicator_words`: the data, from → to; the indicator's title),
    with what its gain depends on."""
    from rosp_lib.report.gains import change_words, gain_text, indicator_words, remark_text

    names = names or {}
    params = parameters_for(gains["exercice"].unique(), scenario) if len(gains) else {}
    return pd.DataFrame({
        "Officine": [names.get(p, p) for p in gains["pharmacie_id"]],
        "Exercice": gains["exercice"].astype(str).tolist(),
        "Indicateur": [indicator_words(params[int(y)], c) for y, c in zip(gains["exercice"], gains["indicateur"])],
        "Ce qu'il faut changer": [change_words(molecules, ch, a, c) for ch, a, c in
                                  zip(gains["changements"], gains["valeur_actuelle"], gains["valeur_cible"])],
        "Gain": [gain_text(c, s) for c, s in zip(gains["gain_cents"], gains["statut_regle"])],
        "Ce qu'il faut savoir": [remark_text(r, s, h, params[int(y)], o) for r, s, h, y, o in
                                  zip(gains["remarque"], gains["statut_regle"], gains["hypotheses"], gains["exercice"],
                                      gains.get("autres_lectures", pd.Series([()] * len(gains))))],
    })


# --------------------------------------------------------------------------------------------
# Charts (matplotlib; French titles)
# --------------------------------------------------------------------------------------------
def _wrap(text: str, width: int = 38) -> str:
    return textwrap.fill(text, width)


def chart_totals(totals: pd.DataFrame, bins: int = 20):
    """One histogram of the totals per exercise (whole numbers of pharmacies on the y axis), all on the same
    scale of euros and with the same bins, so that the exercises compare at a glance."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    years = sorted(int(y) for y in totals["exercice"].unique())
    span = _span(totals[TOTAL].to_numpy(dtype=np.int64) / 100)
    fig, axes = plt.subplots(len(years), 1, figsize=(8, 2.2 * len(years) + 0.8), squeeze=False, sharex=True)
    for ax, year in zip(axes[:, 0], years):
        h = histogram(totals, year, TOTAL, bins, span)
        ax.bar(h["de_eur"], h["nb"], width=h["a_eur"] - h["de_eur"], align="edge", color="#2e86c1",
               edgecolor="white")
        ax.set_xlim(float(h["de_eur"].iloc[0]), float(h["a_eur"].iloc[-1]))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(f"Exercice {year}", fontsize=10)
        ax.set_ylabel("officines")
    axes[-1, 0].set_xlabel("total ROSP de l'officine (euros)")
    for ax in axes[:, 0]:
        french_ticks(ax.xaxis)
    fig.suptitle("Répartition des totaux ROSP par exercice")
    fig.tight_layout()
    return fig


def chart_themes(totals: pd.DataFrame, exercice: int, themes: dict[int, tuple[str, ...]] | None = None):
    """One exercise: a box plot of each theme's amounts across the pharmacies, drawn from the same observed
    quantiles as the distribution table (`box_stats`; matplotlib's own would interpolate); `themes`
    (`themes_by_year`): only the themes of the exercise. Each box's artists carry a gid « <thème>:<rôle> »
    (mediane, boite, moustache_basse, moustache_haute, points)."""
    import matplotlib.pyplot as plt

    codes = list(THEME_CODES if themes is None else themes.get(exercice, ()))
    stats = box_stats(distributions(totals[totals["exercice"] == exercice]), exercice, codes)[::-1]
    codes = codes[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.75 * len(codes) + 1.5))
    art = ax.bxp(stats, orientation="horizontal", widths=0.6, showfliers=True,
                 flierprops={"marker": "o", "markersize": 4})
    for k, code in enumerate(codes):
        art["medians"][k].set_gid(f"{code}:mediane")
        art["boxes"][k].set_gid(f"{code}:boite")
        art["whiskers"][2 * k].set_gid(f"{code}:moustache_basse")
        art["whiskers"][2 * k + 1].set_gid(f"{code}:moustache_haute")
        art["fliers"][k].set_gid(f"{code}:points")
    ax.set_yticks(range(1, len(codes) + 1), [_wrap(measure_title(t), 52) for t in codes], fontsize=8)
    ax.set_xlabel("euros par officine\n" + _wrap(BOX_CAPTION, 64), fontsize=9)
    ax.set_title(f"Montants par thème — exercice {exercice}")
    french_ticks(ax.xaxis)
    fig.tight_layout()
    return fig


def chart_shares(shares: pd.DataFrame, exercice: int):
    """One exercise: the share of pharmacies meeting each socle and indicator that counts."""
    import matplotlib.pyplot as plt

    d = shares[(shares["exercice"] == exercice) & (shares["nb_comptes"] > 0)]
    fig, ax = plt.subplots(figsize=(9, 0.42 * max(len(d), 2) + 1.2))
    labels = [_wrap(("[socle] " if t == "socle" else "") + l, 60) for l, t in zip(d["libelle"], d["type_ligne"])][::-1]
    vals = (100 * d["part_atteint"].to_numpy(dtype=float))[::-1]
    colors = ["#8e44ad" if t == "socle" else "#27ae60" for t in d["type_ligne"]][::-1]
    ax.barh(range(len(vals)), vals, color=colors)
    ax.set_yticks(range(len(vals)), labels, fontsize=7)
    for y, v in enumerate(vals):
        ax.text(v, y, " " + pct_text(v / 100), va="center", fontsize=7)
    ax.set_xlim(0, 115)
    ax.set_xlabel("part des officines concernées qui atteignent l'indicateur (%)")
    ax.set_title(f"Indicateurs atteints — exercice {exercice}")
    french_ticks(ax.xaxis)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# Recorded key figures (read back by tests and by whoever aggregates overviews)
# --------------------------------------------------------------------------------------------
def key_figures(lines: pd.DataFrame, totals: pd.DataFrame, threshold: float = ROBUST_Z_THRESHOLD,
                min_group: int = OUTLIER_MIN_GROUP) -> dict:
    dist = distributions(totals)
    hyp = hypothesis_summary(lines).set_index("exercice")
    out_z = outliers(totals, TOTAL, threshold, min_group)
    per_year = {}
    for year in sorted(int(y) for y in totals["exercice"].unique()):
        d = dist[dist["exercice"] == year].set_index("mesure")
        per_year[str(year)] = {
            "nb_officines": int(d.loc[TOTAL, "nb"]),
            "total_cents": int(d.loc[TOTAL, "somme_cents"]),
            "moyenne_cents": int(d.loc[TOTAL, "moyenne_cents"]),
            "mediane_cents": int(d.loc[TOTAL, "mediane_cents"]),
            "themes_cents": {t: int(d.loc[t, "somme_cents"]) for t in THEME_CODES},
            "hypothese_cents": int(hyp.loc[year, "montant_hypothese_cents"]) if year in hyp.index else 0,  # net
            "hypothese_primes_cents": int(hyp.loc[year, "primes_hypothese_cents"]) if year in hyp.index else 0,
            "hypothese_malus_cents": int(hyp.loc[year, "malus_hypothese_cents"]) if year in hyp.index else 0,
            "nb_atypiques": int((out_z["exercice"] == year).sum()),
            "atypiques": out_z.loc[out_z["exercice"] == year, "pharmacie_id"].head(RECORDED_OUTLIERS).tolist(),
        }
    return {"nb_lignes_entree": int(len(totals)), "exercices": per_year}


def record(values: dict) -> dict:
    """Display the key figures as a machine-readable output of the notebook."""
    from IPython.display import display

    n = values["nb_lignes_entree"]
    display({RECORD_MIME: values, "text/plain": f"chiffres clés enregistrés : {counted(n, 'officine', 'officines')} × exercice"},
            raw=True)
    return values


def scenario_banner(network: Network) -> str:
    """The banner of the pharmacy reports (`notebook.scenario_banner_of`), for the page of a network computed under a
    scenario: its file and each value it replaced, exercise by exercise; "" without a scenario."""
    from rosp_lib.report.notebook import leaf_changes, scenario_banner_of

    if network.scenario is None:
        return ""
    years = sorted({int(y) for y in network.pharmacies["exercice"].unique()})
    params = parameters_for(years, network.scenario)
    return scenario_banner_of(network.scenario, {y: leaf_changes(params[y], y) for y in years}, "cette page")


def document_title(exercices, scenario: Scenario | None = None) -> str:
    """The page's title: the network view and its exercise(s) (and the scenario, if any)."""
    years = sorted({int(y) for y in exercices})
    if len(years) == 1:
        what = f"exercice {years[0]}"
    elif years == list(range(years[0], years[-1] + 1)):
        what = f"exercices {years[0]} à {years[-1]}"
    else:
        what = "exercices " + ", ".join(map(str, years[:-1])) + f" et {years[-1]}"
    return f"Vue réseau de la ROSP — {what}" + (f" — scénario {Path(scenario.path).stem}" if scenario else "")


def document(exercices, scenario: Scenario | None = None) -> dict:
    """Display the document record the HTML export reads its `<title>` from (a technical cell, hidden)."""
    from IPython.display import display

    record = {"titre": document_title(exercices, scenario), "exercices": sorted({int(y) for y in exercices})}
    display({DOCUMENT_MIME: record, "text/plain": record["titre"]}, raw=True)
    return record


def read_recorded(notebook_path: str | Path) -> list[dict]:
    nb = json.loads(Path(notebook_path).read_text(encoding="utf-8"))
    return [o["data"][RECORD_MIME] for c in nb.get("cells", []) for o in c.get("outputs", [])
            if RECORD_MIME in o.get("data", {})]
