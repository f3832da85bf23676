"""French formatting equals babel's own formatters, value for value — but for the minus sign, U+2212 (typographic)
where babel's fr_FR writes the keyboard's hyphen-minus."""

from __future__ import annotations

import random
from decimal import Decimal

import numpy as np
from babel.numbers import format_currency, format_decimal

from rosp_lib.lines.formatting import decimal_text, eur, eur_signed, eur_value, num, num_exact, pct


def test_examples_of_the_reports():
    assert eur(118900) == "1\u202f189,00\u00a0€"
    assert eur(-151100) == "\u22121\u202f511,00\u00a0€"  # the sign of eur_signed (« −160,00 € »)
    assert eur(5) == "0,05\u00a0€"
    assert eur_value(Decimal("0.064")) == "0,064\u00a0€"
    assert eur_value(Decimal("2.6232")) == "2,6232\u00a0€"
    assert eur_value(820) == "820,00\u00a0€"
    assert num(95.0) == "95" and num(99.5) == "99,5" and num(12345) == "12\u202f345"
    assert num(None) == "" and num(float("nan")) == "" and num(True) == "oui"
    assert pct(0.08) == "0,08 %" and pct(None) == ""
    assert num(np.float64(95.5)) == "95,5" and num(np.int64(12)) == "12" and num(np.float64("nan")) == ""
    assert num(np.bool_(False)) == "non"


def test_same_as_babel_on_many_values():
    rng = random.Random(7)
    cents = [0, 1, 99, 100, 999_99, 1_000_00, -1, -100_000_00] + [rng.randint(-10**9, 10**9) for _ in range(3000)]
    for c in cents:
        assert eur(c) == format_currency(Decimal(c) / 100, "EUR", locale="fr_FR").replace("-", "\u2212"), c
    amounts = [Decimal("0.070"), Decimal("2.10"), Decimal("418.60"), Decimal("1225"), Decimal("2.6232"), Decimal("0.5")]
    for a in amounts:
        places = max(2, -a.as_tuple().exponent)
        expected = format_currency(a, "EUR", locale="fr_FR", format="#,##0." + "0" * places + "\xa0¤", currency_digits=False)
        assert eur_value(a) == expected, a
    floats = [95.0, 99.5, 0.06, 0.1, 84.99, 94.99, 2.5, 1e-05, 38.88, 12345.6789, 0.00005, 5.47263681592] + \
             [round(rng.uniform(0, 100), rng.randint(0, 6)) for _ in range(3000)]
    for f in floats:
        assert num(f) == format_decimal(f, locale="fr_FR", format="#,##0.####"), f
    for i in [0, 7, 1000, 123456789]:
        assert num(i) == format_decimal(i, locale="fr_FR", format="#,##0.####"), i


def test_eur_signed_writes_a_difference_with_its_sign():
    assert eur_signed(26000) == "+260,00\u00a0€"
    assert eur_signed(-123456) == "−1\u202f234,56\u00a0€"  # U+2212, the typographic minus sign
    assert eur_signed(0) == "0,00\u00a0€"


def test_num_exact_writes_every_digit_the_user_typed():
    """A rate typed « 84,99999999999999999 » was shown « 85 » (num rounds to 4 decimals) beside « non atteint »."""
    assert num(Decimal("84.99999999999999999")) == "85"
    assert num_exact(Decimal("84.99999999999999999")) == "84,99999999999999999"
    assert num_exact(Decimal("1234.50")) == "1\u202f234,5" and num_exact(Decimal("85.000")) == "85"
    assert num_exact(84.99995) == "84,99995" and num_exact(92.0) == "92" and num_exact(99.5) == "99,5"
    assert num_exact(None) == "" and num_exact(float("nan")) == "" and num_exact(np.bool_(True)) == "oui"
    assert num_exact(np.int64(40000)) == "40\u202f000"


def test_num_exact_same_as_babel_on_many_values():
    rng = random.Random(11)
    values = [Decimal("84.99999999999999999"), Decimal("0.0000001000000000000000001"), Decimal("100"),
              Decimal("70.50"), Decimal("0"), 84.99995, 1e-05, 12345.6789, 0.1, 5.47263681592]
    # up to 26 significant digits: babel computes within Decimal's default precision (28 digits)
    values += [Decimal(rng.randint(0, 10 ** rng.randint(1, 26))).scaleb(-rng.randint(0, 24)) for _ in range(3000)]
    values += [round(rng.uniform(0, 100), rng.randint(0, 12)) for _ in range(1000)]
    for v in values:
        assert num_exact(v) == format_decimal(v, locale="fr_FR", format="#,##0.#", decimal_quantization=False), v


def test_decimal_text_is_the_csv_number_without_exponent():
    assert decimal_text(Decimal("84.99999999999999999")) == "84.99999999999999999"
    assert decimal_text(Decimal("84.999999999999999990")) == "84.99999999999999999"
    assert str(Decimal("0.0000001000000000000000001")) == "1.000000000000000001E-7"
    assert decimal_text(Decimal("0.0000001000000000000000001")) == "0.0000001000000000000000001"
    assert decimal_text(Decimal("1234.5")) == "1234.5" and decimal_text(Decimal("100")) == "100"
