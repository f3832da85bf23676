"""The report a kept kernel loads once per pharmacy-year (rosp_lib.report.notebook.load, readings):
remembered by content, never stale, never shared between callers."""

from __future__ import annotations

from pathlib import Path

from rosp_lib.report import notebook as nb

ROOT = Path(__file__).resolve().parent.parent


def _one_row(path: Path, fse_pct: str) -> Path:
    lines = (ROOT / "data" / "pharmacies.csv").read_text(encoding="utf-8").splitlines()
    header, row = lines[0], next(line for line in lines[1:] if line.startswith("PH-TILLEULS;") and ";2024;" in line)
    cells = row.split(";")
    cells[header.split(";").index("taux_fse_sesam_vitale_pct")] = fse_pct
    path.write_text(header + "\n" + ";".join(cells) + "\n", encoding="utf-8")
    return path


def test_a_remembered_report_is_a_copy_and_a_changed_file_is_read_again(tmp_path):
    entree = _one_row(tmp_path / "pharmacies.csv", "97")
    rep = nb.load("PH-TILLEULS", 2024, str(entree))
    # 40 000 FSE at ≥ 95 % in SESAM-Vitale: 0,070 € each = 2 800 €, in a theme of 5 349 €
    assert rep.theme_total_cents("numerique") == 534_900
    assert rep.readings.reference_cents == rep.total_cents()
    before = rep.readings.reference_cents
    rep.lines.loc[:, "montant_cents"] = 0  # what a notebook does to its copy stays there
    again = nb.load("PH-TILLEULS", 2024, str(entree))
    assert again.theme_total_cents("numerique") == 534_900
    assert again is not rep and again.lines is not rep.lines

    _one_row(entree, "90")  # same name, same size, maybe the same time: only the content differs
    changed = nb.load("PH-TILLEULS", 2024, str(entree))
    # below 95 %: 0,064 € per FSE = 2 560 €, 240 € less
    assert changed.theme_total_cents("numerique") == 534_900 - 24_000
    assert changed.readings.reference_cents == before - 24_000
