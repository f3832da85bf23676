"""`per_distinct`: the same texts on a few rows (dictionary path) as on many rows (pandas path)."""

from decimal import Decimal

import numpy as np

from rosp_lib.lines.text import _SMALL, per_distinct


def _check(values_a, values_b):
    calls = []

    def fn(a, b):
        calls.append((a, b))
        return f"{a}|{b}"

    out = per_distinct(fn, values_a, values_b)
    assert list(out) == [f"{a}|{b}" for a, b in zip(values_a, values_b)]
    return out, calls


def test_few_rows_one_call_per_distinct_row_and_shared_results():
    a = np.array([1.0, -0.0, 0.0, 1.0, 1.0])
    b = np.array([True, False, False, True, False])
    out, calls = _check(a, b)
    # (1.0, True), (-0.0, False), (0.0, False), (1.0, False): -0.0 and 0.0 print differently, told apart
    assert len(calls) == 4
    assert list(out) == ["1.0|True", "-0.0|False", "0.0|False", "1.0|True", "1.0|False"]
    assert out[0] is out[3]


def test_objects_told_apart_by_identity_on_few_and_many_rows():
    zero, minus_zero = Decimal("0"), Decimal("-0")
    for n in (3, _SMALL + 5):  # dictionary path, then pandas path
        values = np.empty(n, dtype=object)
        values[:] = [zero if i % 2 else minus_zero for i in range(n)]
        out = per_distinct(str, values)
        assert list(out) == ["0" if i % 2 else "-0" for i in range(n)]
        assert out[0] is out[2]  # rows of the same object share one text


def test_one_row_and_no_row():
    assert list(per_distinct(lambda x: x * 2, np.array([21]))) == [42]
    assert per_distinct(lambda x: x, np.array([], dtype=float)).shape == (0,)
