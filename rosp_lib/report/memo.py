"""A small memo for a kept kernel: results remembered by a content key, each caller given its own copy.

    REMEMBERED = ContentMemo(size=16)
    value = REMEMBERED.get_or_make(key, lambda: compute(...))   # key None: computed, not remembered

The keys are digests of everything a result is made from (file contents, scenario, pharmacy, exercise), so a
remembered result is never stale; the copies keep what one notebook does to its result out of the next one's.
When full, the memo is emptied (a kernel makes one pharmacy-year at a time: no eviction order is needed)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class ContentMemo(Generic[T]):
    def __init__(self, size: int):
        self.size = size
        self._kept: dict[Hashable, T] = {}

    def get_or_make(self, key: Hashable | None, make: Callable[[], T]) -> T:
        if key is not None and key in self._kept:
            return copy.deepcopy(self._kept[key])
        value = make()
        if key is not None:
            if len(self._kept) >= self.size:
                self._kept.clear()
            self._kept[key] = copy.deepcopy(value)
        return value

    def clear(self) -> None:
        self._kept.clear()
