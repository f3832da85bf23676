"""The refusal of an input file: French problems, bounded per kind, values shown safely."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

from ..parameters.errors import MAX_PER_KIND, escaped_char  # noqa: F401 - MAX_PER_KIND is this module's too
MAX_SHOWN = 80  # characters of a value shown in a message


class InputError(Exception):
    """An invalid input file: every problem, in French, one per line (sorted by line, then column)."""

    def __init__(self, path: str, problems: list[str], total: int | None = None):
        self.path = path
        self.problems = problems
        self.total = len(problems) if total is None else total
        super().__init__(self.message())

    def message(self) -> str:
        n = self.total
        head = f"{self.path} : {thousands(n)} problème{'s' if n > 1 else ''} — rien n'a été calculé ni écrit."
        return head + "\n" + "\n".join(f"  - {p}" for p in self.problems)


class InputErrors(InputError):
    """Several invalid input files: the problems of each, one file after the other."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        InputError.__init__(self, ", ".join(e.path for e in errors), [p for e in errors for p in e.problems],
                            sum(e.total for e in errors))

    def message(self) -> str:
        return "\n".join(e.message() for e in self.errors)


@dataclass(frozen=True, order=True)
class Problem:
    line: int
    position: int
    text: str
    kind: str = field(default="", compare=False)  # problems of one kind are bounded together
    label: str = field(default="", compare=False)  # what « … et N autres » says they are


def shown(value) -> str:
    """A value as a message shows it: « … », shortened, control characters escaped; « vide » when empty."""
    value = str(value)
    if value == "":
        return "vide"
    if len(value) > MAX_SHOWN:
        value = value[: MAX_SHOWN - 1] + "…"
    value = "".join(map(escaped_char, value))
    return f"« {value} »"


def with_decimal_comma(text: str) -> str:
    """A number typed in a workbook (its text is « 975.91 », `xlsxread.cell_text`) with the decimal comma a French
    Excel shows it with: « 975,91 », for the messages (the value itself, not its cell's format: « 140,004 »)."""
    return str(text).replace(".", ",")


def same_but_case(wanted: str, known: Iterable[str]) -> list[str]:
    """The identifiers of `known` that are `wanted` written with other capitals (« ph-gare » for « PH-GARE »)."""
    return [k for k in known if k.casefold() == str(wanted).casefold()]


def case_hint(wanted: str, known: Iterable[str]) -> str:
    """« ; vouliez-vous dire « PH-GARE » ? … » when an unknown identifier is a known one with other capitals; else ''."""
    same = same_but_case(wanted, known)
    return f" ; vouliez-vous dire « {same[0]} » ? (un identifiant s'écrit avec ses majuscules)" if same else ""


def near_hint(wanted: str, known: Iterable[str]) -> str:
    """`case_hint`, else « ; vouliez-vous dire « PH-TILLEULS » ? » for a known identifier spelled alike, capitals aside
    (a letter missing or in excess: « PH-TILLEUL », « ph-tilleul »); else ''."""
    import difflib

    known = list(known)
    hint = case_hint(wanted, known)
    if hint:
        return hint
    by_folded = {k.casefold(): k for k in known}
    alike = difflib.get_close_matches(str(wanted).casefold(), list(by_folded), n=1, cutoff=0.8)
    return f" ; vouliez-vous dire « {by_folded[alike[0]]} » ?" if alike else ""


def letter(position: int) -> str:
    """Spreadsheet column letter of a 0-based position: 0 → A, 26 → AA."""
    out = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        out = chr(65 + rest) + out
    return out


def thousands(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


class Problems:
    """The problems of one file, at most MAX_PER_KIND of each kind, the others counted.

    `add_rows` is given every row of a kind of problem (an array of positions, in line order) and
    writes a message for the first MAX_PER_KIND only: a file of 200 000 faulty lines costs 20
    messages and a count."""

    def __init__(self) -> None:
        self.items: dict[str, list[Problem]] = {}
        self.total: dict[str, int] = {}
        self.labels: dict[str, str] = {}

    def add(self, problem: Problem) -> None:
        kind = problem.kind or problem.text
        self.items.setdefault(kind, []).append(problem)
        self.total[kind] = self.total.get(kind, 0) + 1
        self.labels.setdefault(kind, problem.label)

    def add_rows(self, kind: str, label: str, rows, make: Callable[[object], Problem]) -> None:
        """Every row of one kind of problem (a sequence in line order): messages for the first ones only."""
        for row in rows[:MAX_PER_KIND]:
            self.items.setdefault(kind, []).append(make(row))
        self.labels.setdefault(kind, label)
        self.total[kind] = self.total.get(kind, 0) + len(rows)

    def __bool__(self) -> bool:
        return any(self.total.values())

    def __len__(self) -> int:
        return sum(self.total.values())

    def texts(self) -> list[str]:
        out: list[tuple] = []
        for kind, items in self.items.items():
            kept = sorted(set(items))[:MAX_PER_KIND]
            out += [(p.line, p.position, 0, p.text) for p in kept]
            more = self.total[kind] - len(kept)
            if more > 0 and kept:
                last = kept[-1]
                label = self.labels.get(kind) or "problèmes du même type"
                out.append((last.line, last.position, 1, f"… et {thousands(more)} autres {label}"))
        return [t for *_, t in sorted(out)]


_ACCOUNTING_ZERO = re.compile("[-\u2212\u2013\u2014]")  # « - » (or a dash) alone: a spreadsheet's accounting zero


def accounting_zero_hint(text: str) -> str:
    """What to add to the refusal of a count or a rate written « - »: the zero of a spreadsheet's accounting format
    — or an unknown value (review: said for the statement of payments, not for the pharmacies)."""
    if not _ACCOUNTING_ZERO.fullmatch(str(text).strip()):
        return ""
    return (f" — « {str(text).strip()} » est le zéro du format comptable d'un tableur : écrivez 0, ou laissez la case "
            "vide si la valeur est inconnue")


def digits_hint(text: str) -> str:
    """What to add to the refusal of a value written with digits other than 0-9 (full-width « ２０２４ » typed
    with an Asian input method, Arabic-Indic…): they look like digits in the message, yet are not read as such."""
    other = next((ch for ch in str(text) if ch.isdigit() and not ch.isascii()), None)
    return f" — écrivez les chiffres 0 à 9 (« {other} » est un autre caractère)" if other else ""
