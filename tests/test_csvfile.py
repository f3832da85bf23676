"""`rosp_lib.lines.csvfile.write_csv` writes what `DataFrame.to_csv(index=False, lineterminator="\\n")` writes."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rosp_lib.lines.csvfile import write_csv


def written(frame: pd.DataFrame, chunk_rows: int = 25_000, numbers=()) -> bytes:
    fh = io.BytesIO()
    write_csv(frame, fh, chunk_rows=chunk_rows, numbers=numbers)
    return fh.getvalue()


def _plain_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return value.strip() == value and "e" not in value.lower() and value.lower().lstrip("+-") not in (
        "inf", "nan", "infinity")


def owasp(value, number: bool = False):
    """The reference rule, cell by cell, written apart from the library's: a text starting with = + - @ tab or CR
    (apostrophes before it included) gets a ' in front; so does each piece after a `,`, `;` or tab that starts,
    past its spaces, with = + - @ (a spreadsheet opening the file with another separator makes it a cell); in an
    amount column (`number`), a plain number is kept."""
    if not isinstance(value, str) or (number and _plain_number(value)):
        return value
    pieces = re.split(r"([,;\t])", value)
    out = [pieces[0]]
    for sep, piece in zip(pieces[1::2], pieces[2::2]):
        rest = piece.lstrip(" ")
        bare = rest.lstrip("'")
        if bare[:1] in ("=", "+", "-", "@"):
            piece = piece[: len(piece) - len(rest)] + "'" + rest
        out += [sep, piece]
    text = "".join(out)
    return "'" + text if value.lstrip("'")[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def by_pandas(frame: pd.DataFrame, numbers=()) -> bytes:
    """What pandas writes for the table with its text cells neutralised (OWASP)."""
    safe = frame.copy()
    for c in safe.columns:
        if safe[c].dtype == object:
            safe[c] = pd.Series([owasp(v, c in numbers) for v in safe[c]], index=safe.index, dtype=object)
    return safe.to_csv(index=False, lineterminator="\n").encode("utf-8")


def test_quoting_missing_values_and_types_written_by_hand():
    frame = pd.DataFrame({
        "pharmacie_id": ["PH-1", "PH-1", "PH-2", "PH-3"],
        "libelle": ['Taux « ≥ 95 % », FSE', 'dit "oui"', "deux\nlignes", ""],
        "valeur": pd.Series([35, 35.0, True, None], dtype=object),
        "montant_eur": ["820.00", "-12.50", "0.00", "1189.00"],
        "n": np.array([1, -2, 0, 3], dtype=np.int64),
        "ok": [True, False, True, False],
    })
    assert written(frame, numbers=("montant_eur",)) == (
        "pharmacie_id,libelle,valeur,montant_eur,n,ok\n"
        'PH-1,"Taux « ≥ 95 % », FSE",35,820.00,1,True\n'
        'PH-1,"dit ""oui""",35.0,-12.50,-2,False\n'
        'PH-2,"deux\nlignes",True,0.00,0,True\n'
        "PH-3,,,1189.00,3,False\n"
    ).encode("utf-8")


def test_a_carriage_return_is_quoted_and_reads_back():
    # csv on Python 3.11 leaves a lone "\r" unquoted when the line ends with "\n"; a spreadsheet
    # would cut the line there. It is quoted here, and the csv module reads the cell back.
    frame = pd.DataFrame({"a": ["x\ry", "z"], "b": [1, 2]})
    data = written(frame)
    assert data == b'a,b\n"x\ry",1\nz,2\n'
    assert list(csv.reader(io.StringIO(data.decode(), newline=""))) == [["a", "b"], ["x\ry", "1"], ["z", "2"]]


def test_a_lone_empty_cell_is_quoted_as_pandas_does():
    frame = pd.DataFrame({"a": ["", None, "x"]})
    assert written(frame) == b'a\n""\n""\nx\n' == by_pandas(frame)


def test_floats_keep_their_sign_and_shortest_form():
    frame = pd.DataFrame({"f": [-0.0, 0.0, 1e16, 0.1, np.nan, np.inf], "g": range(6)})
    assert written(frame) == b"f,g\n-0.0,0\n0.0,1\n1e+16,2\n0.1,3\n,4\ninf,5\n" == by_pandas(frame)


def test_equal_values_of_other_types_keep_their_own_text():
    # 1 == 1.0 == True: a table keyed by value would write the three cells alike.
    one, one_f, true = 1, 1.0, True
    frame = pd.DataFrame({"v": pd.Series([one, one_f, true] * 20, dtype=object), "k": ["a"] * 60})
    assert written(frame, chunk_rows=7) == b"v,k\n" + b"1,a\n1.0,a\nTrue,a\n" * 20


def test_pandas_string_and_categorical_columns_are_written_as_their_texts():
    frame = pd.DataFrame({"s": pd.Series(["a,b", None, "c"], dtype="string"),
                          "c": pd.Categorical(["x", "y", "x"]), "n": [1, 2, 3]})
    assert written(frame) == b's,c,n\n"a,b",x,1\n,y,2\nc,x,3\n' == by_pandas(frame)


def test_a_date_column_is_refused_rather_than_written_differently():
    frame = pd.DataFrame({"d": pd.to_datetime(["2024-01-01"]), "n": [1]})
    with pytest.raises(TypeError, match="colonne « d »"):
        written(frame)


def test_an_empty_table_is_its_header():
    frame = pd.DataFrame({"a": pd.Series(dtype=object), "b": pd.Series(dtype=np.int64)})
    assert written(frame) == b"a,b\n" == by_pandas(frame)


# A few values drawn from small pools (neighbouring columns then have few combinations and are
# joined once per combination), texts with every character that needs quoting but "\r".
TEXT = st.text(alphabet=st.sampled_from(list('ab ,;"\n€≥éà—0123.-=+@\'\t')), max_size=8)
OBJECT = st.one_of(
    TEXT, st.none(), st.integers(-3, 3), st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True, width=64), st.just(-0.0), st.just(float("nan")),
)


@st.composite
def frames(draw):
    n = draw(st.integers(0, 120))
    columns = {}
    for i in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["text", "object", "int", "bool", "float"]))
        pool_size = draw(st.integers(1, 5))
        if kind == "text":
            pool = draw(st.lists(TEXT, min_size=pool_size, max_size=pool_size))
            values = pd.Series([pool[j] for j in draw(st.lists(st.integers(0, pool_size - 1), min_size=n, max_size=n))],
                               dtype=object)
        elif kind == "object":
            pool = draw(st.lists(OBJECT, min_size=pool_size, max_size=pool_size))
            values = pd.Series([pool[j] for j in draw(st.lists(st.integers(0, pool_size - 1), min_size=n, max_size=n))],
                               dtype=object)
        elif kind == "int":
            values = pd.Series(draw(st.lists(st.integers(-10**12, 10**12), min_size=n, max_size=n)), dtype=np.int64)
        elif kind == "bool":
            values = pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
        else:
            values = pd.Series(draw(st.lists(st.floats(width=64), min_size=n, max_size=n)), dtype=np.float64)
        columns[f"c{i},{kind}" if i % 3 == 2 else f"c{i}"] = values
    return pd.DataFrame(columns)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frames(), chunk_rows=st.integers(1, 50), amounts=st.integers(0, 6))
def test_same_bytes_as_pandas(frame, chunk_rows, amounts):
    numbers = list(frame.columns[:amounts])  # the first columns taken as amount columns
    assert written(frame, chunk_rows, numbers) == by_pandas(frame, numbers)


def test_the_lines_of_a_computed_file_are_written_as_pandas_writes_them(tmp_path):
    from rosp_lib.engine import TOTAL_AMOUNTS, compute_file, lines_for_output, totals_for_output
    from rosp_lib.lines.assemble import LINE_AMOUNTS

    data = __import__("pathlib").Path(__file__).resolve().parent.parent / "data"
    _, lines, tot = compute_file(data / "pharmacies.csv", data / "molecules.csv")
    for frame, numbers in ((lines_for_output(lines), LINE_AMOUNTS), (totals_for_output(tot), TOTAL_AMOUNTS)):
        assert written(frame, chunk_rows=17, numbers=numbers) == by_pandas(frame, numbers)


@pytest.mark.parametrize("cell,expected", [
    ("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""),
    ("+1+2", "'+1+2"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "\"'\rx\""),
    ("sitagliptine", "sitagliptine"), ("a=b", "a=b"),
    # a number in a text column (a name « -534.90 ») would become a number in a spreadsheet: only the amount
    # columns named by the caller keep their plain numbers (the reviewer's case; they were all kept)
    ("-12.50", "'-12.50"), ("+3", "'+3"),
    # a formula start after a separator: French Excel opens a .csv with « ; » and makes a cell of what follows
    ("x;=cmd|' /C calc'!A0", "x;'=cmd|' /C calc'!A0"), ("sitagliptine;-2+3", "sitagliptine;'-2+3"),
    ("a, @SUM(A1)", "\"a, '@SUM(A1)\""), ("a\t+1", "a\t'+1"), ("x;'=c", "x;''=c"), ("a ; b", "a ; b"),
    ("taux=99,56 ; nb=-3", "\"taux=99,56 ; nb=-3\""),
])
def test_text_cells_a_spreadsheet_would_run_are_neutralised(cell, expected):
    frame = pd.DataFrame({"valeur": pd.Series([cell], dtype=object), "montant_eur": ["-820.00"],
                          "n": np.array([-3], dtype=np.int64)})
    assert written(frame, numbers=("montant_eur",)) == f"valeur,montant_eur,n\n{expected},-820.00,-3\n".encode("utf-8")
    assert written(frame).endswith(b",'-820.00,-3\n")  # not named an amount column: a text like any other


def test_a_molecule_named_like_a_formula_is_neutralised_in_lignes_csv(tmp_path):
    from rosp_lib.cli import main
    from click.testing import CliRunner

    ph = tmp_path / "ph.csv"
    ph.write_text("pharmacie_id;exercice\nPH-A;2024\n", encoding="utf-8")
    mol = tmp_path / "mol.csv"
    mol.write_text("pharmacie_id;exercice;molecule;nb_boites;taux_depart_pct;taux_arrivee_pct\n"
                   "PH-A;2024;=cmd|' /C calc'!A0;10;50;60\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["compute", str(ph), "--molecules", str(mol), "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO((tmp_path / "o" / "lignes.csv").read_text(encoding="utf-8"), newline="")))
    cells = [c for row in rows for c in row]
    assert not any(c.startswith(("=", "@", "\t", "\r")) for c in cells)
    assert any(c.startswith("'=cmd|") for c in cells)
    montants = [row[rows[0].index("montant_eur")] for row in rows[1:]]
    assert all(m.lstrip("-").replace(".", "").isdigit() for m in montants)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("ab ,;\t'=+-@\r\"é")), max_size=14))
def test_a_neutralised_text_reads_back_as_it_was(text):
    """`rapports.csv`'s names are neutralised at their start and after each separator, and read back by the index:
    `prefix_removed(…, inner=True)` takes away exactly what `neutralised` added, whatever apostrophes were typed."""
    from rosp_lib.lines.csvfile import neutralised, prefix_removed

    assert prefix_removed(neutralised(text), inner=True) == text
    assert prefix_removed(neutralised(text, inner=False)) == text
