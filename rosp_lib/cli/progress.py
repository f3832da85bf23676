"""The progress bar of the long commands (`rosp report`, `rosp gains`), on the standard error: tqdm, in French.

Into a terminal, the bar redraws itself; into a file (cron, nohup, `2>journal`), one state per line, every
PROGRESS_TO_FILE_S seconds (`StatesByLine`).
"""

from __future__ import annotations

import re
import sys

# Into a file: one state every this many seconds, not one per step (review: 1 619 updates, 114 kB, for one run of
# 2 114 reports).
PROGRESS_TO_FILE_S = 30

_TIMES = re.compile(r"\s*\[[^\]]*\]$")  # the times at the end of a state of the bar (« [00:02<00:05] »)


def progress_bar(total: int, label: str, unit: str, stream=None):
    """A tqdm bar « <label> :  40 %|████      | 4/10 [00:02<00:03] » on `stream` (default: the standard error)."""
    from tqdm import tqdm

    stream = sys.stderr if stream is None else stream
    terminal = is_terminal(stream)
    return tqdm(total=total, unit=unit, file=stream if terminal else StatesByLine(stream),
                dynamic_ncols=terminal, ncols=None if terminal else 80,
                bar_format=label + " : {percentage:3.0f} %|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}]",
                mininterval=0.1 if terminal else PROGRESS_TO_FILE_S)


class StatesByLine:
    """The progress bar's stream into a file (cron, nohup, 2>journal): each state on a line of its own. tqdm rewrites
    its line with carriage returns, which a terminal shows as one line and a file keeps: a journal was one line of
    every state, unreadable with less or an editor (review). tqdm has no such option; its `tqdm.write` messages (each
    report's notice) go through here too, between its blank states, which are dropped."""

    def __init__(self, stream) -> None:
        self._stream = stream
        self._line_ended = True
        self._last_state = ""

    def write(self, text: str) -> None:
        if "\r" not in text:  # a message of tqdm.write, or a line end
            if not text or (text == "\n" and self._line_ended):
                return  # nothing, or the bar's closing line end after a state already ended
            self._stream.write(text)
            self._line_ended = text.endswith("\n")
            return
        for state in (p.rstrip() for p in text.split("\r")):  # « \r<state><spaces> »: tqdm's padding dropped
            progress = _TIMES.sub("", state)  # at close, tqdm draws its last state again, a second later (review)
            if state and progress != self._last_state:
                self._stream.write(state + "\n")
                self._last_state, self._line_ended = progress, True

    def flush(self) -> None:
        self._stream.flush()

    @property
    def encoding(self):  # what tqdm reads to draw its bar in Unicode blocks
        return getattr(self._stream, "encoding", None)


def is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a stream without a file (a test's), or closed
        return False
