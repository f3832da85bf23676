"""The error every parameter or scenario problem raises, in French, and how a message shows what a user wrote."""

from __future__ import annotations

import unicodedata

MAX_PER_KIND = 20  # messages of one kind of problem before « … et N autres »


def escaped_char(char: str) -> str:
    """A character as a message shows it: a control, format or bidirectional character (a terminal's escape sequence,
    U+202E, which turns the text after it around) written as its escape (« \\x1b », « \\u202e », « \\U000e0001 »,
    as Python writes them), the others as they are."""
    if char in "\t\n\r":
        return {"\t": "\\t", "\n": "\\n", "\r": "\\r"}[char]
    if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        code = ord(char)
        if code < 0x100:
            return f"\\x{code:02x}"
        return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"  # as Python writes it: never ambiguous
    return char


def visible(message: str) -> str:
    """A whole message with each character of `escaped_char` escaped, its own line breaks kept."""
    return "\n".join("".join(map(escaped_char, line)) for line in str(message).split("\n"))


def bounded(items: list[str], what: str = "problèmes") -> list[str]:
    """At most MAX_PER_KIND items, then « … et N autres <what> » in the list's style (« - … » when the items are).
    An item is one line: a line break in it (quoted from a key or a value of the file) is shown escaped, so that the
    file cannot add lines of its own to the list (review)."""
    items = ["".join(map(escaped_char, item)) for item in items]
    if len(items) <= MAX_PER_KIND:
        return items
    lead = items[0][: len(items[0]) - len(items[0].lstrip(" -"))]
    more = f"{len(items) - MAX_PER_KIND:,}".replace(",", "\u202f")  # grouped as the other messages (« 1 234 »)
    return items[:MAX_PER_KIND] + [f"{lead}… et {more} autres {what}"]


class ParameterError(Exception):
    """A parameter or scenario file that cannot be used; the message is in French. What it quotes of the file (a key,
    a value) is shown as `visible` writes it: a scenario's text cannot drive the terminal nor turn the message round."""

    def __init__(self, message: str = "", *args):
        super().__init__(visible(message), *args)
