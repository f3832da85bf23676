"""The `versements` table: what the Assurance Maladie actually paid, as read on amelipro « Mes ROSP ».

One row per pharmacy × exercise × theme, or per indicator when the statement details it; several rows
for one key (an initial payment and its complement) add up. A theme row beside non-zero indicator rows of the
same pharmacy × exercise × theme is refused: the indicator rows may detail the theme's total (« dont », as a
statement prints them) or be payments on top of it, and the tool does not choose (indicator rows of 0 € read
the same both ways and are accepted). CSV or XLSX (sheet `versements`, else the only sheet with data), read
by `rosp_lib.inputs.raw.read_raw` as the other tables are: the same separators (`,`, `;`, tab, Excel's
« sep=; » line), encodings and shape checks (values beyond the header's columns, a column named twice, a title
line above the header). An amount may end with « € » (as a spreadsheet's currency format writes it), is at most
`MAX_AMOUNT` € in absolute value and has at most two decimals. Every problem is listed at once, in French, with
its line, column, value and what was expected; nothing is computed from an invalid table.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import pandas as pd

from ..inputs import InputError
from ..inputs.errors import MAX_PER_KIND, Problem, digits_hint, shown, thousands, with_decimal_comma
from ..lines.formatting import french_list
from ..inputs.molecules import pharmacy_hint
from ..inputs.parsing import DATE_EXPECTED, DATE_SHAPE, GROUP_SPACES, ambiguous_fix, date_of, iso_date
from ..inputs.raw import read_raw
from ..lines.formatting import MINUS, eur
from ..parameters import available_exercises
from ..parameters.errors import escaped_char
from ..parameters.scenario import MAX_AMOUNT
from ..registry import INDICATORS, THEMES, indicator, theme as theme_of

COLUMNS = ["pharmacie_id", "exercice", "theme", "indicateur", "montant_verse_eur", "date_versement", "libelle_releve"]
REQUIRED = ["pharmacie_id", "exercice", "theme", "montant_verse_eur"]
SHEET = "versements"

_S = f"[{GROUP_SPACES}]"  # the spaces that group thousands, as in the pharmacies table; digits: ASCII only
_AMOUNT_RE = re.compile(rf"[+-]?(?:\d{{1,3}}(?:{_S}\d{{3}})+|\d+)(?:[.,]\d{{1,2}})?", re.ASCII)
_EURO_SIGN = re.compile(rf"{_S}?€\Z")  # after the amount, as a currency format writes it: « 5 349,00 € »
# one « . » or « , » followed by exactly three digits: a thousands separator or three decimals?
_AMBIGUOUS_RE = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}", re.ASCII)
# thousands grouped by « . » or « , » and a decimal part after the other sign: « 5.349,00 », « 5,349.00 »
_GROUPED_BY_SIGN_RE = re.compile(r"[+-]?[1-9]\d{0,2}(?:([.,])\d{3})+(?:(?!\1)[.,]\d{1,2})?", re.ASCII)
_EURO_WORD = re.compile(rf"(.*?){_S}*(eur|euros?)", re.IGNORECASE)
_GENERIC = "un montant en euros, au plus deux décimales (820 ; 820,00 ; 820.00)"
# The days a payment of the ROSP can bear: from the first payment of the first exercise of the 2022 convention (the
# 2022 exercise, paid in 2023) to the end of the year after the payment year of the last exercise with parameters
# (exercise N is paid in N+1; a complement or a regularisation may come a year later). Outside, the date is not a
# payment: Excel's day zero (1899-12-30), a year mistyped (2099). No bound on the day the tool runs: a statement of an
# exercise not paid yet (the example's 2026 exercise) holds the dates announced, and a file must read the same
# whatever the day it is read (the reports are reproducible).
def first_payment() -> dt.date:
    return dt.date(min(available_exercises()) + 1, 1, 1)


def last_payment() -> dt.date:
    return dt.date(max(available_exercises()) + 2, 12, 31)


def dated_after(versements: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The statement's rows dated after `day` (rows without a date are not)."""
    if versements.empty or "date_versement" not in versements:
        return versements.iloc[:0]
    dates = pd.to_datetime(versements["date_versement"], format="%Y-%m-%d", errors="coerce")
    return versements[(dates > pd.Timestamp(day)).to_numpy()]


def _first_ones(items: list, separator: str = "") -> str:
    """The items as French lists them (« 2, 3 et 4 »; `separator`: between items holding commas), the first
    MAX_PER_KIND only, then « et N autres » (a statement of 100 000 lines made one message of 3,8 million characters:
    review)."""
    items = [str(i) for i in items]
    if len(items) <= MAX_PER_KIND:
        return separator.join(items) if separator else french_list(items)
    return (separator or ", ").join(items[:MAX_PER_KIND]) + f" et {thousands(len(items) - MAX_PER_KIND)} autres"


def future_payments(versements: pd.DataFrame, day: dt.date) -> list[str]:
    """The statement's rows dated after the reference date `day`: counted as paid, though they cannot have been yet
    (a date announced, or a mistyped year): said, by pharmacy, exercise and theme, the first MAX_PER_KIND (review: a
    payment of 15/04/2027 read « conforme » by a report judged on 03/12/2026)."""
    rows = dated_after(versements, day)
    later = [f"{pid} {int(year)} {th}{f' / {ind}' if ind else ''} ({dt.date.fromisoformat(when):%d/%m/%Y})"
             for pid, year, th, ind, when in zip(rows["pharmacie_id"], rows["exercice"], rows["theme"],
                                                 rows["indicateur"], rows["date_versement"])]
    if not later:
        return []
    listed = ", ".join(later[:MAX_PER_KIND]) + (f" et {thousands(len(later) - MAX_PER_KIND)} autres"
                                                if len(later) > MAX_PER_KIND else "")
    s = "s" if len(later) > 1 else ""
    return [f"{len(later)} ligne{s} du relevé datée{s} après le {day:%d/%m/%Y} (date de référence) : {listed} — "
            f"comptée{s} comme versée{s} ; une date annoncée n'est pas un versement reçu : refaites le rapprochement "
            "une fois le relevé à jour (ou vérifiez l'année)"]


def fold(text: str) -> str:
    """Lower case, without accents, spaces collapsed: how a theme's name is matched."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().replace("’", "'").split())


def theme_names() -> dict[str, str]:
    """Every accepted spelling of a theme → its code: its code, its French title and the short title the reports
    show, each also without its closing parenthesis (« Bon usage des produits de santé », « Numérique »). A
    spelling two themes would share is left out."""
    names: dict[str, str] = {}
    shared: set[str] = set()
    for t in THEMES:
        for name in (t.code, t.titre, t.titre_court, *t.releve):
            # also the name in its closing parenthesis alone: « REMU NUM », the statement's own name of the numérique
            # theme (docs/regles.md; it was refused: review)
            inner = re.search(r"\(([^()]*)\)\s*$", name)
            alone = fold(inner.group(1).strip("«» \u00a0")) if inner else ""
            for spelling in {fold(name), fold(re.sub(r"\s*\([^()]*\)\s*$", "", name)), alone}:
                if names.get(spelling, t.code) != t.code:
                    shared.add(spelling)
                names[spelling] = t.code
    return {k: v for k, v in names.items() if k and k not in shared}


def _themes_expected(written: str = "") -> str:
    """The themes, by code and short title; with the closest accepted spelling of `written`, and for an indicator's
    code written as a theme, the theme it belongs to (« asafo » → bups, the column indicateur)."""
    out = "un thème, par son code ou son titre : " + " ; ".join(f"{t.code} ({t.titre_court})" for t in THEMES)
    folded = fold(written).replace(" ", "_")
    by_code = {i.code: i for i in INDICATORS}
    if folded in by_code:
        return out + (f" — « {written} » est un indicateur du thème {by_code[folded].theme} : écrivez le thème dans "
                      "la colonne theme et l'indicateur dans la colonne indicateur")
    names = theme_names()
    alike = difflib.get_close_matches(fold(written), list(names), n=1, cutoff=0.75)
    return out + (f" ; vouliez-vous dire « {names[alike[0]]} » ?" if alike else "")


def _amount(text: str, typed: bool = False) -> tuple[int | None, str]:
    """The cents a cell writes, or None and what was expected (with the fix when the text says more than
    « not an amount »). `typed`: a number of a workbook, which has no thousands separator (140.004 is 140,004 €)."""
    number = _EURO_SIGN.sub("", text)
    if number[:1] == MINUS:  # the minus sign the tool's reports write (« −107,22 € »): the keyboard's, read alike
        number = "-" + number[1:]
    if typed and _AMBIGUOUS_RE.fullmatch(number):
        return None, f"{_GENERIC} — {number.replace('.', ',')} € a trois décimales"
    if _AMOUNT_RE.fullmatch(number):
        cents = int(Decimal(re.sub(_S, "", number).replace(",", ".")) * 100)
        if abs(cents) > MAX_AMOUNT * 100:  # a mistyped amount, and beyond the int64 of the frame
            ceiling = f"{MAX_AMOUNT:,}".replace(",", " ")
            return None, f"un montant plausible, au plus {ceiling} € (en valeur absolue)"
        return cents, ""
    if _AMBIGUOUS_RE.fullmatch(number):  # the same words as a count of the pharmacies table (« 40.000 »)
        return None, f"un montant en euros — {ambiguous_fix(number)} (un montant a au plus deux décimales)"
    grouped = _GROUPED_BY_SIGN_RE.fullmatch(number)
    if grouped:
        whole, _, cents_text = number.replace(grouped.group(1), "").replace(".", ",").partition(",")
        decimals = f",{cents_text}" if cents_text else ""
        spaced = f"{int(whole):,}".replace(",", " ")
        return None, (f"un montant en euros sans « {grouped.group(1)} » entre les milliers : écrivez {whole}{decimals} "
                      f"ou {spaced}{decimals}")
    word = _EURO_WORD.fullmatch(number)
    if word and _AMOUNT_RE.fullmatch(word.group(1)):
        return None, f"{_GENERIC} — sans « {word.group(2)} » : écrivez {word.group(1)} ou {word.group(1)} €"
    signless = text.strip("–()").strip()  # a dash of a word processor, an accounting format's brackets
    if text[:1] in "–(" and (_AMOUNT_RE.fullmatch(signless) or _AMOUNT_RE.fullmatch(_EURO_SIGN.sub("", signless))):
        return None, f"{_GENERIC} — un montant négatif s'écrit avec le signe « - » du clavier : -{signless}"
    spaced_sign = re.fullmatch(rf"[-{MINUS}]{_S}+(.*)", number.strip())
    if spaced_sign and _AMOUNT_RE.fullmatch(spaced_sign.group(1)):  # « - 300 € »: the € was right, the space not
        return None, f"{_GENERIC} — sans espace après le signe moins : -{spaced_sign.group(1)}"
    if re.fullmatch(rf"[-{MINUS}–]{_S}*€?", text.strip()):  # « - € »: the zero of a spreadsheet's accounting format
        return None, f"{_GENERIC} — « {text.strip()} » est le zéro du format comptable d'un tableur : écrivez 0"
    if "€" in text:
        return None, f"{_GENERIC} — le signe € après le montant (5 349,00 €) ou pas de signe"
    if text.endswith("%"):  # a cell of a workbook shown as a percentage (8,2 shown « 820,00 % »: 8,20 € or 820 € ?)
        return None, f"{_GENERIC} — un montant, pas un pourcentage (dans un tableur : format de cellule « Monétaire »)"
    return None, _GENERIC


def _theme_and_detail(records: list[dict]) -> list[str]:
    """The pharmacy × exercise × theme keys with a whole-theme row and non-zero indicator rows: ambiguous (the
    indicator rows may be the detail of the theme's total, or payments on top of it), one problem per key with
    both readings and the fix. Rows already refused for another reason are left out."""
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        if r["pharmacie_id"] and r["exercice"] is not None and r["theme"] is not None and r["montant_cents"] is not None:
            groups.setdefault((r["pharmacie_id"], r["exercice"], r["theme"]), []).append(r)
    problems = []
    for (pid, year, theme), rows in groups.items():
        whole = [r for r in rows if not r["indicateur"]]
        detail = [r for r in rows if r["indicateur"] and r["montant_cents"] != 0]
        if not whole or not detail:
            continue
        total = sum(r["montant_cents"] for r in whole)
        extra = sum(r["montant_cents"] for r in detail)
        lines = sorted(r["ligne"] for r in whole + detail)
        whole_text = _first_ones([f"ligne {r['ligne']} : {eur(r['montant_cents'])}" for r in whole], " ; ")
        detail_text = _first_ones([f"ligne {r['ligne']}, {''.join(map(escaped_char, r['indicateur']))} : "
                                   f"{eur(r['montant_cents'])}" for r in detail],
                                  " ; ")
        problems.append(
            f"lignes {_first_ones(lines)}, pharmacie {shown(pid)}, exercice {year}, thème {theme} : une ligne pour tout le "
            f"thème ({whole_text}) et des lignes par indicateur ({detail_text}) ; ambigu : les lignes par indicateur "
            f"peuvent détailler le total (« dont », comme un relevé les imprime : {eur(total)} versés en tout) ou être "
            f"des versements en plus ({eur(total + extra)} en tout) ; attendu : pour un détail (« dont ») du total, "
            "gardez la seule ligne du thème ; pour un versement en plus, écrivez-le sur une ligne du thème")
    return problems


def _indicator_expected(ind: str, theme_code: str, by_theme: dict, paid_by_theme: dict) -> str:
    """What a statement row's `indicateur` should be, and why this one is refused: a line shown for information (an act
    billed outside the ROSP, a sub-indicator that scores malus points: review, a 3 €/kit act put on the colorectal row
    was called an unexplained overpayment), or an unknown code, with the closest one (by its code, or by its title
    written as a code: « Exercice coordonné » → exercice_coordonne)."""
    paid = sorted(paid_by_theme[theme_code])
    listed = f"vide (tout le thème) ou un indicateur payé du thème {theme_code} : {', '.join(paid)}"
    if ind in by_theme[theme_code]:
        malus = theme_of(theme_code).malus
        if malus is not None:
            return (f"{listed} — « {ind} » est un sous-indicateur du malus, qui compte des points sans montant : "
                    f"écrivez la déduction du malus sur l'indicateur {malus[0]}")
        return (f"{listed} — « {ind} » est facturé à l'acte, hors ROSP (montré pour information) : retirez cette "
                "ligne du relevé de la ROSP")
    as_code = re.sub(r"[\s'’/-]+", "_", unicodedata.normalize("NFKD", ind).encode("ascii", "ignore").decode().lower())
    elsewhere = next((i.theme for i in INDICATORS if i.code == as_code.strip("_") and i.theme != theme_code), None)
    if elsewhere is not None:  # « asafo » on a numérique row: said where it belongs (review)
        return listed + f" — « {ind} » est un indicateur du thème {elsewhere} : écrivez-le sur une ligne de ce thème"
    alike = difflib.get_close_matches(as_code.strip("_"), paid, n=1, cutoff=0.75)
    return listed + (f" ; vouliez-vous dire « {alike[0]} » ?" if alike else "")


def read_versements(path: str | Path, pharmacies: pd.DataFrame, pharmacie_id: str | None = None) -> pd.DataFrame:
    """The validated payments: pharmacie_id, exercice (int), theme (code), indicateur ("" = the whole theme),
    montant_cents (int), date_versement (text, may be empty), libelle_releve, ligne (line in the file).
    Raises InputError listing every problem; `attrs["avertissements"]`: what was read but looks wrong. pharmacie_id: read only this pharmacy's rows (a report given the
    whole statement, `pharmacies` holding only that pharmacy); the other rows are skipped."""
    # The shared reading (separator, encoding, « sep=; » line, Excel sheet) and its shape checks: values beyond
    # the header's columns (their rows are left out of the frame), a column named twice, a title line above.
    # An amount cut in two by a decimal comma (« 975,91 » read 975 € and a label « 91 ») is refused: no row of a
    # statement holds one or two digits after a whole amount, and an amount read wrong becomes a claim.
    table = read_raw(path, SHEET, refuse_split=True)
    shape = table.problems
    head_line = table.header_line
    frame = table.frame
    pos: dict[str, str] = {}  # statement column → the column of the frame
    header_problems = False
    present = {fold(raw).replace(" ", "_") for raw in table.positions}  # a guess never names a column the file has
    for raw_name, j in sorted(table.positions.items(), key=lambda item: item[1]):
        name = fold(raw_name).replace(" ", "_")  # « Thème » is « theme »
        if name in pos:  # read_raw compares names in lower case only: « theme » and « thème »
            shape.add(Problem(head_line, j, (
                f"ligne {head_line} (en-tête), colonne {shown(raw_name)} : colonne en double (déjà {shown(pos[name])}) ; "
                "attendu : une seule colonne de ce nom"), kind="colonne en double", label="colonnes en double"))
        elif name not in COLUMNS:
            header_problems = True
            # the name shown with its invisible characters escaped (« montant_verse_eur\u200b »: else the message
            # read « colonne « montant_verse_eur » : colonne inconnue » beside « colonne obligatoire … absente »)
            missing = [c for c in COLUMNS if c not in present]
            # a spelling alike, or the start of a column's name (« montant » for montant_verse_eur: review)
            guess = (difflib.get_close_matches(name, missing, n=1, cutoff=0.6)
                     or [c for c in missing if c.startswith(name + "_")][:1])
            said = (f"— vouliez-vous dire « {guess[0]} » ? (colonnes possibles : {', '.join(COLUMNS)})" if guess else
                    f"; attendu : une des colonnes {', '.join(COLUMNS)}")
            shape.add(Problem(head_line, j, f"ligne {head_line} (en-tête), colonne {shown(raw_name)} : colonne inconnue "
                                            + said,
                              kind="colonne inconnue", label="colonnes inconnues"))
        else:
            pos[name] = raw_name
    for k, name in enumerate(REQUIRED):
        if name not in pos:
            header_problems = True
            shape.add(Problem(head_line, len(table.positions) + k, f"ligne {head_line} (en-tête) : colonne obligatoire "
                                                              f"« {name} » absente ; attendu : une colonne « {name} »"))
    if header_problems:
        raise InputError(str(path), shape.texts(), len(shape))
    position = {name: table.positions[raw_name] for name, raw_name in pos.items()}
    cells = {name: frame[raw_name].to_numpy(dtype=object) for name, raw_name in pos.items()}
    typed_amounts = table.typed_numbers.get(pos.get("montant_verse_eur", ""))
    themes = theme_names()
    by_theme = {t.code: {i.code for i in INDICATORS if i.theme == t.code} for t in THEMES}
    # a line shown for information pays nothing by any rule: no statement row can be for it
    paid_by_theme = {t: {c for c in codes if indicator(c).type_ligne != "information"} for t, codes in by_theme.items()}
    known = set(zip(pharmacies["pharmacie_id"].astype(str), pharmacies["exercice"].astype(int)))
    years_of: dict[str, list[int]] = {}
    for known_pid, known_year in sorted(known):
        years_of.setdefault(known_pid, []).append(known_year)
    problems: list[Problem] = []
    records = []
    early: list[str] = []  # payments dated within (or before) the exercise they pay
    elsewhere: list[str] = []  # payments whose label names another exercise
    first, last = first_payment(), last_payment()
    for k, i in enumerate(frame.index.to_numpy().tolist()):  # i: the line a spreadsheet shows
        get = {name: str(column[k]) for name, column in cells.items()}
        pid = get.get("pharmacie_id", "")
        if pharmacie_id is not None and pid != pharmacie_id:
            continue
        who = f", pharmacie {shown(pid)}" if pid else ""

        def bad(column: str, value: str, expected: str) -> None:
            typed = table.typed_numbers.get(pos.get(column, ""))
            if typed is not None and typed[k]:
                value = with_decimal_comma(value)
            text = shown(value) if value != "" else "(vide)"  # control characters escaped, long values cut
            problems.append(Problem(i, position.get(column, 0),  # at most 20 per column, then « … et N autres »
                                    f"ligne {i}{who}, colonne {column} : valeur {text} ; attendu : {expected}",
                                    kind=f"colonne {column}", label=f"valeurs refusées dans la colonne {column}"))

        if not pid:
            bad("pharmacie_id", pid, "l'identifiant d'une pharmacie du fichier des pharmacies")
        year_text = get.get("exercice", "")
        year = int(year_text) if re.fullmatch(r"\d{4}", year_text, re.ASCII) else None
        if year is None:
            bad("exercice", year_text, "une année sur quatre chiffres (l'exercice payé, pas l'année du versement)"
                + digits_hint(year_text))
        elif pid and (pid, year) not in known:
            bad("pharmacie_id", pid, f"une pharmacie présente dans le fichier des pharmacies pour l'exercice {year}"
                                     + pharmacy_hint(pid, years_of))
        theme_text = get.get("theme", "")
        theme = themes.get(fold(theme_text)) or themes.get(fold(theme_text.strip("«»\"' \u00a0\u202f")))  # « REMU NUM »
        if theme is None:
            bad("theme", theme_text, _themes_expected(theme_text))
        ind = get.get("indicateur", "")
        if ind and theme is not None:  # the code whatever its case (« TROD_angine »), as a theme's name
            ind = {code.lower(): code for code in by_theme[theme]}.get(ind.lower(), ind)
        if ind and theme is not None and ind not in paid_by_theme[theme]:
            bad("indicateur", ind, _indicator_expected(ind, theme, by_theme, paid_by_theme))
        amount_text = get.get("montant_verse_eur", "")
        cents, expected = _amount(amount_text, bool(typed_amounts is not None and typed_amounts[k]))
        if cents is None:
            bad("montant_verse_eur", amount_text, expected + digits_hint(amount_text))
        written = get.get("date_versement", "")
        day = date_of(written) if written else None  # « 15/04/2025 » as French Excel writes it: 2025-04-15
        if written and day is None:
            bad("date_versement", written, f"vide ou {DATE_EXPECTED}"
                + (" — cette date n'existe pas" if DATE_SHAPE.fullmatch(iso_date(written)) else ""))
        elif day is not None and not first <= day <= last:
            bad("date_versement", written, f"vide ou une date de versement, du {first:%d/%m/%Y} (premier versement, de "
                f"l'exercice {first.year - 1}) au {last:%d/%m/%Y} (le dernier exercice connu, {last.year - 2}, est "
                f"versé en {last.year - 1})")
        elif day is not None and year is not None and day.year <= year:
            early.append(_early(i, who, day, year))
        label = get.get("libelle_releve", "")
        if year is not None and (named := other_exercise(label, year)) is not None:
            elsewhere.append(_other_exercise(i, who, label, named, year))
        date_text = day.isoformat() if day is not None else written
        records.append({"pharmacie_id": pid, "exercice": year, "theme": theme, "indicateur": ind,
                        "montant_cents": cents, "date_versement": date_text,
                        "libelle_releve": get.get("libelle_releve", ""), "ligne": i})
    for problem in problems:  # with the shape problems, by line then column
        shape.add(problem)
    ambiguous = _theme_and_detail(records)  # after them: they name several lines
    if shape or ambiguous:
        said = ambiguous[:MAX_PER_KIND] + ([f"… et {thousands(len(ambiguous) - MAX_PER_KIND)} autres thèmes payés à la "
                                            "fois en entier et par indicateur"] if len(ambiguous) > MAX_PER_KIND else [])
        raise InputError(str(path), shape.texts() + said, len(shape) + len(ambiguous))
    out = pd.DataFrame.from_records(records, columns=["pharmacie_id", "exercice", "theme", "indicateur",
                                                      "montant_cents", "date_versement", "libelle_releve", "ligne"])
    out = out.astype({"exercice": "int64", "montant_cents": "int64"}) if len(out) else out
    # What the shared reader read as written but says (a decimal comma possibly cutting an amount in two in a
    # comma-separated file): shown by the commands as the other tables' warnings (`inputs.warnings_of`).
    if len(early) > MAX_PER_KIND:
        early = early[:MAX_PER_KIND] + [f"… et {thousands(len(early) - MAX_PER_KIND)} autres versements datés avant la "
                                        "fin de l'exercice qu'ils paieraient"]
    if len(elsewhere) > MAX_PER_KIND:
        elsewhere = elsewhere[:MAX_PER_KIND] + [f"… et {thousands(len(elsewhere) - MAX_PER_KIND)} autres lignes dont le "
                                                "libellé nomme un autre exercice que la colonne exercice"]
    out.attrs["avertissements"] = [f"{path} : {w}" for w in
                                   getattr(table, "warnings", []) + early + elsewhere + _copies(out)]
    return out


def _early(line, who: str, day: dt.date, year: int) -> str:
    where = f"ligne {line}{who}" if line is not None else who.lstrip(", ")
    return (f"{where} : versement daté du {day:%d/%m/%Y}, avant la fin de l'exercice {year} qu'il paierait : la "
            "ROSP d'un exercice est versée l'année suivante ; vérifiez la colonne exercice (l'exercice payé, non l'année "
            "du versement)")


# « Rappel exercice 2024 », « ROSP 2024 – solde » : the exercise a statement's label names (a year of 20xx after the word)
_LABEL_EXERCISE = re.compile(r"\b(?:exercices?|rosp)\s*[:.]?\s*(20\d\d)\b", re.IGNORECASE)


def other_exercise(label: str, year: int) -> int | None:
    """The exercise the statement's label names when it is not the row's (a payment of 2024 « Rappel exercice 2024 »
    copied from the 2025 statement under 2025: it would be reconciled with 2025, claimed in 2024); None when the label
    names none, or names the row's."""
    named = {int(y) for y in _LABEL_EXERCISE.findall(label)}
    return min(named) if named and year not in named else None


def _other_exercise(line, who: str, label: str, named: int, year: int) -> str:
    where = f"ligne {line}{who}" if line is not None else who.lstrip(", ")
    return (f"{where} : le libellé {shown(label)} nomme l'exercice {named}, la colonne exercice dit {year} ; la colonne "
            f"exercice est l'exercice payé, pas celui du relevé où figure la ligne : si ce versement paie {named} (un "
            f"rappel), écrivez {named}, sinon il est rapproché de ce qui est dû pour {year}")


def statement_doubts(paid: pd.DataFrame) -> list[str]:
    """What `read_versements` says of these rows of its table on the console — lines copied twice, payments dated
    before the end of the exercise they pay — for a report to say it too (review: only the console said it, and the
    synthesis called an exact double payment an unexplained overpayment)."""
    early = [_early(None, f", pharmacie {shown(pid)}", dt.date.fromisoformat(d), int(year))
             for pid, d, year in zip(paid["pharmacie_id"], paid["date_versement"], paid["exercice"])
             if d and dt.date.fromisoformat(d).year <= int(year)]
    elsewhere = [_other_exercise(None, f", pharmacie {shown(pid)}", label, named, int(year))
                 for pid, label, year in zip(paid["pharmacie_id"], paid["libelle_releve"], paid["exercice"])
                 if (named := other_exercise(label, int(year))) is not None]
    # without the lines' numbers: a report reads its folder's copy of the statement, whose lines are not the user's
    # file's (review: « lignes 6 et 8 » for lines 35 and 37)
    return _copies(paid, numbered=False) + early[:MAX_PER_KIND] + elsewhere[:MAX_PER_KIND]


def _copies(paid: pd.DataFrame, numbered: bool = True) -> list[str]:
    """Rows alike in every column (pharmacy, exercise, theme, indicator, amount, date, label): added up as two
    payments, as an initial payment and its complement are — but likely a line copied twice. Said, at most
    MAX_PER_KIND times."""
    if paid.empty:
        return []
    keys = ["pharmacie_id", "exercice", "theme", "indicateur", "montant_cents", "date_versement", "libelle_releve"]
    same = paid[paid.duplicated(keys, keep=False)]
    said = []
    for _, group in same.groupby(keys, sort=False):
        lines = _first_ones([str(n) for n in group["ligne"]])
        r = group.iloc[0]
        same = french_list([w for w, v in (("même date", r["date_versement"]), ("même libellé", r["libelle_releve"]))
                            if v])
        where = f"lignes {lines}, " if numbered else ""
        said.append(f"{where}pharmacie {shown(r['pharmacie_id'])}, exercice {r['exercice']}, thème {r['theme']} : "
                    f"{'' if numbered else f'{len(group)} '}lignes identiques ({eur(int(r['montant_cents']))} chacune{', ' + same if same else ''}), "
                    "additionnées comme autant de versements — une ligne copiée deux fois ? Supprimez la copie s'il "
                    "n'y a eu qu'un versement")
    if len(said) > MAX_PER_KIND:
        said = said[:MAX_PER_KIND] + [f"… et {len(said) - MAX_PER_KIND} autres groupes de lignes identiques"]
    return said
