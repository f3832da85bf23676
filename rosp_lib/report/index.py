"""Index pages of a report run: `<sortie>/index.html` and `<sortie>/pharmacies/<pharmacie_id>.html`.

    write_indexes(out_dir, manifest, lines, names)

`manifest`: the rows of `rapports.csv` (pharmacie_id, exercice, theme, statut, chemin — the path of the
HTML relative to out_dir); `lines`: the result lines of the run (`engine.compute`, in cents) for the
totals; `names`: pharmacie_id → name, or (pharmacie_id, exercice) → that exercise's name. One row per pharmacy × exercise: name, total, per-theme amounts,
status of its reports and links to them. Everything written is escaped; links are relative, so a
whole output folder can be moved or zipped. The pages are written together by `lines.atomic.write_together`:
exclusive temporary files renamed over their names (a symlink planted at a page's name is replaced, the
file it points to never written), all or none; `OutputError` (French) when they cannot be.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from rosp_lib.lines.atomic import OutputError, reason, subfolder, write_together
from rosp_lib.lines.formatting import counted, eur, french_list
from rosp_lib.lines.money import str_to_cents
from rosp_lib.registry import REPORT_NOTEBOOKS, SYNTHESIS, THEMES, THEME_CODES, theme as theme_of
from rosp_lib.report import narrative
from rosp_lib.report.html import CSS, french_quotes

SYNTHESE = SYNTHESIS
# The index table has a column per theme: their titles wrap (the amounts do not), so that the table fits the page.
INDEX_CSS = ("\nth.montant { white-space: normal; }\ntbody td:first-child { white-space: nowrap; }\n"
             # an identifier too long for one line (up to 64 characters) is cut anywhere, not past the window's edge
             "tbody td.long { white-space: normal; overflow-wrap: anywhere; min-width: 10em; }\n"
             # the totals of each exercise, under the rows (`_exercise_totals`)
             "tfoot tr > * { background: #eef2f6; white-space: nowrap; }\n"
             "tfoot tr:first-child > * { border-top: 2px solid #b8c4d0; }\n")
LONG_ID = 20  # characters: beyond, an identifier (or a word of a name) may be cut over several lines
DONE = ("ok", "deja_fait")
_ABSENT_TITLE = "thème sans objet pour l'exercice {year}"


def _esc(text) -> str:
    """Text for these static pages (no math typesetting), in an attribute as in an element."""
    from rosp_lib.report.escape import escape_html

    return escape_html(text)


def _page(title: str, body: str) -> str:
    body = french_quotes(body)  # as in the reports: « x » with no-break spaces inside
    return ("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{french_quotes(_esc(title))}</title>\n<style>{CSS}{INDEX_CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n")


def _reports(manifest: pd.DataFrame, pid: str, year: int) -> dict[str, dict]:
    mine = manifest[(manifest["pharmacie_id"] == pid) & (manifest["exercice"].astype(int) == int(year))]
    return {str(r["theme"]): dict(r) for _, r in mine.iterrows()}


def _rel(target: str, start_dir: Path, out_dir: Path) -> str:
    return Path(os.path.relpath(out_dir / target, start_dir)).as_posix()


def _claim(reports: dict[str, dict], out_dir: Path, pid: str, year: int) -> str | None:
    """The claim draft written beside the pharmacy-year's synthesis (`rosp report --versements`), if any:
    its path relative to out_dir."""
    from rosp_lib.report.versements import claim_file_name

    r = reports.get(SYNTHESE)
    if r is None or r["statut"] not in DONE or not _report_path(r):
        return None
    claim = Path(_report_path(r)).parent / claim_file_name(pid, year)
    return claim.as_posix() if (out_dir / claim).is_file() else None


_REPORT_PATH = re.compile(r"[0-9]{4}/[A-Za-z0-9][A-Za-z0-9_-]*/[0-9]{2}_[a-z0-9_]+\.html")


def _report_path(row: dict) -> str | None:
    """The report's path from a row of rapports.csv, if it is one the command writes (<exercice>/<id>/<NN_theme>.html,
    relative): the file may have been edited, and its text becomes a link (`javascript:…` was linked as is)."""
    path = str(row.get("chemin") or "").replace("\\", "/")
    return path if _REPORT_PATH.fullmatch(path) else None


STALE = "à refaire"
STALE_LEGEND = (f"« {STALE} » : rapport fait sur d'autres données ou d'autres réglages que le dernier lancement (le "
                "fichier d'entrée, le relevé des versements, le scénario, la date de référence, le notebook ou la version "
                "de l'outil ont changé depuis, et ce lancement, limité ou interrompu, ne l'a pas refait) ; les montants "
                "de la ligne sont ceux du fichier d'entrée : relancez rosp report sur cette pharmacie et cet exercice.")


def _stale(r: dict, due: int | None) -> bool:
    """Whether a report made says another amount than the input's (`due`, in cents: its theme's, the exercise's for the
    synthesis): made from other data, by a run that did not redo it since (limited by --themes, interrupted)."""
    recorded = str(r.get("montant_eur") or "").strip()
    if not recorded or due is None:  # unknown (a summary of an earlier version, a report that records nothing)
        return False
    try:
        return str_to_cents(recorded) != due
    except ValueError:  # not the tool's amount (a summary edited by hand: « abc », « NaN », « 12.505 »)
        return False


def _report_links(reports: dict[str, dict], start_dir: Path, out_dir: Path, claim: str | None = None,
                  due: Mapping[str, int | None] | None = None, outdated: Iterable[str] = (),
                  absent: Iterable[str] = ()) -> tuple[str, str]:
    """(links, status) of one pharmacy-year's reports; `claim`: its claim draft, linked after them; `due`: the amount
    each report should say (theme code, or the synthesis, → cents) — a report that says another is « à refaire »."""
    links, failed, stale = [], [], []
    for code in (SYNTHESE, *THEME_CODES):
        r = reports.get(code)
        label = "Synthèse" if code == SYNTHESE else theme_of(code).titre_court
        if r is None:
            continue
        if code in absent and r["statut"] in DONE:  # a theme that does not exist that exercise: its page only says so
            continue  # (review: the « 6 » of the dispositif 2024 led to an empty page in 2025)
        if r["statut"] in DONE and _report_path(r):
            # Compact: the synthesis by name, each theme by its number (its title on hover and in the legend).
            short = label if code == SYNTHESE else f"{theme_of(code).ordre}"
            old = code in outdated or (due is not None and _stale(r, due.get(code)))
            if old:
                stale.append(label)
            links.append(f'<a href="{_esc(_rel(_report_path(r), start_dir, out_dir))}" title="{_esc(label)}'
                         + (f" : fait sur d&#x27;autres données, {STALE}" if old else "") + f'">{_esc(short)}</a>'
                         + (f" ({STALE})" if old else ""))
        else:
            failed.append(label)
            links.append(f"<span>{_esc(label)} (échec)</span>")
    if claim:
        links.append(f'<a href="{_esc(_rel(claim, start_dir, out_dir))}" title="Projet de réclamation : '
                     'écart entre l&#x27;attendu et le versé">réclamation</a>')
    expected = 1 + len(THEME_CODES)  # the synthesis and one report per theme
    if not reports:
        status = "à faire"
    elif stale:  # the amounts of this row are those of the input, not of these reports: they must be redone
        status = f"{counted(len(stale), 'rapport', 'rapports')} {STALE} ({', '.join(stale)})"
    elif failed:
        status = counted(len(failed), "rapport en échec", "rapports en échec")
    elif len(reports) < expected:  # a run limited by --themes: not « complet »
        status = f"{counted(len(reports), 'rapport', 'rapports')} sur {expected}"
    else:
        status = "complet"
    return " · ".join(links), status


class _Unrecorded:
    """The amount of a theme that exists that exercise but that no report of a row outside the input recorded (a run
    limited by --themes): shown « ? », never counted as zero."""

    def __repr__(self) -> str:
        return "?"


UNRECORDED = _Unrecorded()
UNRECORDED_TITLE = "montant inconnu : aucun rapport de ce thème n'a été fait pour cette ligne"
OUTSIDE = "hors du fichier d'entrée"
OUTSIDE_LEGEND = (f"« {OUTSIDE} » : pharmacie × exercice absente du fichier d'entrée du dernier passage (un rapport "
                  "refait depuis les fichiers de son dossier, un fichier plus petit) : ses montants sont ceux que ses "
                  "rapports ont enregistrés dans rapports.csv, sans comparaison possible avec un fichier d'entrée.")


def _sum(values) -> int | _Unrecorded:
    """The sum of the amounts known, or UNRECORDED when one is not (a total of a row outside the input)."""
    values = [c for c in values if c is not None]
    return UNRECORDED if any(c is UNRECORDED for c in values) else sum(values)


def _amount_cell(cents, year: int, strong: bool = False) -> str:
    if cents is None:
        return f'<td class="montant" title="{_esc(_ABSENT_TITLE.format(year=year))}">—</td>'
    if cents is UNRECORDED:
        return f'<td class="montant" title="{_esc(UNRECORDED_TITLE)}">?</td>'
    return f'<td class="montant"><strong>{eur(cents)}</strong></td>' if strong else f'<td class="montant">{eur(cents)}</td>'


def _recorded(reports: dict[str, dict], year: int) -> dict:
    """The amounts of a row outside the input (no line of it computed): those its reports recorded in rapports.csv;
    None for a theme that does not exist that exercise, UNRECORDED for one no report recorded."""
    from rosp_lib.parameters import load_parameters

    params = load_parameters(int(year))
    per_theme = {}
    for t in THEME_CODES:
        if theme_of(t).payment_leaf(params) is None:
            per_theme[t] = None
            continue
        r = reports.get(t)
        try:
            ok = r is not None and r["statut"] in DONE and str(r.get("montant_eur") or "").strip()
            per_theme[t] = str_to_cents(str(r["montant_eur"]).strip()) if ok else UNRECORDED
        except ValueError:  # not the tool's amount (a summary edited by hand)
            per_theme[t] = UNRECORDED
    return per_theme


def _rows(manifest: pd.DataFrame, lines: pd.DataFrame, names: Mapping, outside: set | None = None):
    """(pharmacie_id, exercice, nom, per-theme cents) of each row of the manifest; a row the lines do not have (absent
    from the input) takes the amounts its reports recorded (`_recorded`) and is added to `outside`."""
    keys = manifest[["pharmacie_id", "exercice"]].drop_duplicates()
    totals = lines.pivot_table(index=["pharmacie_id", "exercice"], columns="theme", values="montant_cents",
                               aggfunc="sum", fill_value=0)
    # The themes of a pharmacy-year are those its lines have: a theme that does not exist that exercise (the
    # dispositif 2024 in 2025, the vaccination in 2022) has no line, and its cell says « — », not an amount of zero.
    present = set(zip(lines["pharmacie_id"].astype(str), lines["exercice"].astype(int), lines["theme"].astype(str)))
    computed = {(p, y) for p, y, _ in present}
    from rosp_lib.lines.csvfile import prefix_removed

    recorded_names = ({(str(p), int(y)): prefix_removed(str(n), inner=True) for p, y, n in
                       zip(manifest["pharmacie_id"], manifest["exercice"], manifest["nom"]) if str(n or "").strip()}
                      if "nom" in manifest else {})
    for pid, year in sorted((str(p), int(y)) for p, y in keys.itertuples(index=False)):
        if (pid, year) in computed:
            per_theme = {t: int(totals.loc[(pid, year), t]) if (pid, year, t) in present else None for t in THEME_CODES}
        else:  # review: rerun from a report folder's own entree.csv, the other rows of the index read zero euros
            per_theme = _recorded(_reports(manifest, pid, year), year)
            if outside is not None:
                outside.add((pid, year))
        # each exercise's own name (a pharmacy renamed, or sold, from one year to the next: the index showed the last
        # name on every row, its reports each their own, audit)
        nom = names[(pid, year)] if (pid, year) in names else names.get(pid) or recorded_names.get((pid, year), pid)
        yield pid, year, nom, per_theme


def _table(rows, manifest, out_dir: Path, start_dir: Path, with_name: bool, outside: set = frozenset(),
           outdated: Mapping[tuple[str, int], set] | None = None) -> str:
    head = (["Pharmacie", "Nom"] if with_name else []) + ["Exercice", "Total"] + \
        [theme_of(t).titre_court for t in THEME_CODES] + ["État", "Rapports"]
    out = ["<table><thead><tr>" + "".join(
        f'<th{" class=montant" if h not in ("Pharmacie", "Nom", "Exercice", "État", "Rapports") else ""}>{_esc(h)}</th>'
        for h in head) + "</tr></thead><tbody>"]
    stale_rows = outside_rows = False
    for pid, year, nom, per_theme in rows:
        reports = _reports(manifest, pid, year)
        total = _sum(per_theme.values())
        away = (pid, year) in outside  # its amounts are the reports' own: nothing to compare them to
        links, status = _report_links(reports, start_dir, out_dir, _claim(reports, out_dir, pid, year),
                                      None if away else {SYNTHESE: total, **per_theme},
                                      (outdated or {}).get((pid, year), ()),
                                      [t for t in THEME_CODES if per_theme[t] is None])
        if away:
            status = f"{status}, {OUTSIDE}"
        cells = []
        if with_name:
            page = _rel(f"pharmacies/{pid}.html", start_dir, out_dir)
            cells += [f'<td{" class=long" if len(pid) > LONG_ID else ""}><a href="{_esc(page)}">{_esc(pid)}</a></td>',
                      f'<td{" class=long" if max(map(len, str(nom).split()), default=0) > LONG_ID else ""}>'
                      f"{_esc(nom)}</td>"]
        cells += [f"<td>{year}</td>", _amount_cell(total, year, strong=True)]
        cells += [_amount_cell(per_theme[t], year) for t in THEME_CODES]
        cells += [f"<td>{_esc(status)}</td>", f"<td>{links}</td>"]
        out.append("<tr>" + "".join(cells) + "</tr>")
        stale_rows = stale_rows or STALE in status
        outside_rows = outside_rows or away
    out.append("</tbody>" + (_exercise_totals(rows) if with_name else "") + "</table>")
    if stale_rows:
        out.append(f"<p>{_esc(STALE_LEGEND)}</p>")
    if outside_rows:
        out.append(f"<p>{_esc(OUTSIDE_LEGEND)}</p>")
    return "".join(out)


def _rows_per_year(rows) -> list[int]:
    years: dict[int, int] = {}
    for _, year, _, _ in rows:
        years[int(year)] = years.get(int(year), 0) + 1
    return list(years.values())


def _exercise_totals(rows) -> str:
    """The foot of the index table: for each exercise of more than one row, the sums of its rows (the total and each
    theme's: what a groupement expects for its network that year), « — » for a theme no row of it has."""
    by_year: dict[int, list[dict]] = {}
    for _, year, _, per_theme in rows:
        by_year.setdefault(int(year), []).append(per_theme)
    foot = []
    for year, themes in sorted(by_year.items()):
        if len(themes) < 2:
            continue
        sums = {t: None if all(p[t] is None for p in themes) else _sum(p[t] for p in themes) for t in THEME_CODES}
        total = _sum(sums.values())
        cells = [f"<th>Total {year}</th>", f"<td>{counted(len(themes), 'ligne', 'lignes')}</td>", f"<td>{year}</td>",
                 _amount_cell(total, year, strong=True)]
        cells += [_amount_cell(sums[t], year) for t in THEME_CODES]
        cells += ["<td></td>", "<td></td>"]
        foot.append('<tr class="total">' + "".join(cells) + "</tr>")
    return "<tfoot>" + "".join(foot) + "</tfoot>" if foot else ""


def network_made(out_dir: Path) -> str | None:
    """When the network view of the folder was written (« 03/12/2026 à 13:20 », the machine's local time), or None
    without one: a run interrupted, or whose network view failed, leaves an older one in place, and the index links
    it (audit) — its date tells the reader which run it shows."""
    import datetime as dt

    try:
        mtime = (Path(out_dir) / "90_reseau.html").stat().st_mtime
    except OSError:
        return None
    made = dt.datetime.fromtimestamp(mtime)
    return f"{made:%d/%m/%Y} à {made:%H}\u00a0h\u00a0{made:%M}"  # French style: « 10 h 05 », never cut


def _absent_legend(rows) -> str:
    """The legend of « — », when a row has a theme that does not exist that exercise."""
    if not any(c is None for *_, per_theme in rows for c in per_theme.values()):
        return ""
    return f"<p>{narrative.ABSENT_LEGEND}</p>"


def missing_report_pages(out_dir: Path, manifest: pd.DataFrame, years: Mapping[str, Iterable[int]]
                         ) -> dict[Path, str]:
    """A page for each report that the navigation of a report of this folder links to but that is not there:
    the other reports of its pharmacy-year, and the same report for the pharmacy's other exercises (`years`:
    the exercises of each pharmacy in the input file, as the navigation lists them). A run limited by
    --exercice or --themes, or a report that failed, would otherwise leave links to missing files. The page
    says why and how to make the report; the report, once made, replaces it."""
    made = manifest[manifest["statut"].isin(DONE)]
    codes = (SYNTHESE, *THEME_CODES)
    targets: set[tuple[str, int, str]] = set()
    for pid, year, code in made[["pharmacie_id", "exercice", "theme"]].itertuples(index=False):
        targets |= {(pid, int(year), c) for c in codes}
        targets |= {(pid, int(y), code) for y in years.get(pid, (year,))}
    pages: dict[Path, str] = {}
    for pid, year, code in sorted(targets):
        path = out_dir / str(year) / pid / f"{REPORT_NOTEBOOKS[code]}.html"
        if path.exists():
            continue
        label = "Synthèse" if code == SYNTHESE else theme_of(code).titre_court
        folder = path.parent
        nav = (f'<nav class="rosp-nav"><a href="{_esc(_rel("index.html", folder, out_dir))}">Toutes les pharmacies</a> '
               f'<a href="{_esc(_rel(f"pharmacies/{pid}.html", folder, out_dir))}">Cette pharmacie</a></nav>')
        body = (nav + f"<h1>{_esc(label)} — exercice {year} : rapport non produit</h1>"
                f"<p>Ce dossier ne contient pas ce rapport de la pharmacie <code>{_esc(pid)}</code> : aucune exécution "
                "de <code>rosp report</code> dans ce dossier ne l'a demandé (options <code>--exercice</code> ou "
                "<code>--themes</code>), ou il a échoué (voir <code>rapports.csv</code>).</p>"
                "<p>Pour le produire, sur le même fichier d'entrée et vers le même dossier de sortie : "
                f"<code>rosp report ENTREE --pharmacie {_esc(pid)} --exercice {year} --themes {_esc(code)} "
                "-o SORTIE</code>, avec les mêmes options <code>--molecules</code>, <code>--versements</code> et "
                "<code>--parametres</code> que les autres rapports de ce dossier s'ils en avaient (sans la table des "
                "molécules, leur prime ne serait pas comptée ; sans le relevé, la synthèse ne rapprocherait rien). "
                "Le rapport remplacera alors cette page.</p>")
        pages[path] = _page(f"ROSP {year} — {pid} — {label} : rapport non produit", body)
    return pages


def _unlisted_notice(unlisted: int) -> str:
    """What the index says of the input's pharmacy-years that have no report yet (`write_indexes`)."""
    if not unlisted:
        return ""
    has, is_ = ("n'a", "elle n'est") if unlisted < 2 else ("n'ont", "elles ne sont")
    return (f"<p><strong>{counted(unlisted, 'ligne', 'lignes')} pharmacie × exercice du fichier d'entrée {has} encore "
            "aucun rapport</strong> (lancement interrompu, ou limité à une pharmacie, un exercice ou des thèmes) : "
            f"{is_} ni dans ce tableau ni dans ses sommes. Relancez <code>rosp report … --toutes</code> pour les "
            "faire.</p>")


def write_indexes(out_dir: Path | str, manifest: pd.DataFrame | Iterable[Mapping], lines: pd.DataFrame,
                  names: Mapping | None = None, titre: str = "Rapports ROSP",
                  years: Mapping[str, Iterable[int]] | None = None,
                  outdated: Iterable[tuple[str, int, str]] = (), unlisted: int = 0) -> list[Path]:
    """Write the run's index page, one page per pharmacy and, with `years` (the exercises of each pharmacy in
    the input file), a page for each report the reports' navigation links to but that is missing
    (`missing_report_pages`), all or none; return their paths. `unlisted`: the pharmacy-years of the input file
    that have no report in the folder yet (said above the table, whose sums leave them out). Raises OutputError
    (French) when they cannot be written (the old pages are then intact)."""
    out_dir = Path(out_dir)
    manifest = manifest if isinstance(manifest, pd.DataFrame) else pd.DataFrame(list(manifest))
    manifest = manifest.assign(pharmacie_id=manifest["pharmacie_id"].astype(str),
                               exercice=manifest["exercice"].astype(int))
    names = dict(names or {})
    outside: set = set()
    rows = list(_rows(manifest, lines, names, outside))
    redo: dict[tuple[str, int], set] = {}  # the reports an identical run would redo (their content key changed)
    for pid, year, theme in outdated:
        redo.setdefault((str(pid), int(year)), set()).add(theme)
    pages: dict[Path, str] = {}

    made = network_made(out_dir)
    network = ("<p><a href=\"90_reseau.html\">Vue d'ensemble du réseau</a> (distributions, indicateurs atteints, "
               "euros reposant sur des hypothèses, atypiques, gains à portée"
               + (f" ; produite le {made}, sur tout le fichier d'entrée de ce passage-là" if made else "") + ").</p>"
               if made or (out_dir / "90_reseau.ipynb").exists() else "")
    exercises = sorted({int(r[1]) for r in rows})
    which = (f" (exercice{'s' if len(exercises) > 1 else ''} {_esc(french_list(exercises))})" if exercises else "")
    body = (f"<h1>{_esc(titre)}</h1><p>{counted(len({r[0] for r in rows}), 'pharmacie', 'pharmacies')}, "
            f"{counted(len(rows), 'ligne', 'lignes')} pharmacie × "
            f"exercice{which}. "
            "Montants de la ROSP par thème ; chaque ligne mène à la synthèse et aux rapports des thèmes"
            + (" ; en pied de tableau, les sommes de chaque exercice qui a plusieurs lignes" if any(n > 1 for n in _rows_per_year(rows)) else "")
            + ".</p>" + _unlisted_notice(unlisted)
            + network + "<p>Rapports : " + " ; ".join(f"{t.ordre} = {_esc(t.titre_court)}" for t in THEMES)
            + " ; « réclamation » = projet de réclamation écrit quand un thème a été versé en dessous de l'attendu (un trop-versé est signalé dans la synthèse, sans réclamation ; option "
            "<code>--versements</code>).</p>" + _absent_legend(rows)
            + _table(rows, manifest, out_dir, out_dir, with_name=True, outside=outside, outdated=redo))
    pages[out_dir / "index.html"] = _page(titre, body)

    folder = out_dir / "pharmacies"
    for pid in sorted({r[0] for r in rows}):
        mine = [r for r in rows if r[0] == pid]
        nom = mine[-1][2]  # its latest name (each row says its own)
        back = _rel("index.html", folder, out_dir)
        body = (f'<nav class="rosp-nav"><a href="{_esc(back)}">Toutes les pharmacies</a></nav>'
                f"<h1>{_esc(nom)}</h1><p><code>{_esc(pid)}</code> — {counted(len(mine), 'exercice', 'exercices')}.</p>"
                + _absent_legend(mine) + _table(mine, manifest, out_dir, folder, with_name=False, outside=outside,
                                                outdated=redo))
        pages[folder / f"{pid}.html"] = _page(f"ROSP — {nom}", body)
    missing = missing_report_pages(out_dir, manifest, years) if years is not None else {}
    pages.update(missing)
    for made, levels in [(folder, 1), *((f, 2) for f in sorted({p.parent for p in missing}))]:
        try:
            subfolder(made, levels)  # pharmacies/, <exercice>/<pharmacie_id>/: never a planted link to elsewhere
        except OSError as exc:
            raise OutputError(f"impossible de créer le dossier {made} : {reason(exc)} ; aucune page d'index "
                              "n'a été remplacée (les anciennes sont intactes)") from None
    write_together({path: (lambda fh, text=text: fh.write(text.encode("utf-8"))) for path, text in pages.items()},
                   sync=False)
    return list(pages)
