"""The notebook helpers: loading one pharmacy, explanations from the structured columns, the range across
readings, applicability, charts read back from the figure, recorded values and the headless explorer."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from rosp_lib.engine import compute_file  # noqa: E402
from rosp_lib.report import notebook as nb  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _load(pid, year):
    return nb.load(pid, year, str(ROOT / "data/pharmacies.csv"), str(ROOT / "data/molecules.csv"))


@pytest.fixture(scope="module")
def gare():
    return _load("PH-GARE", 2024)


@pytest.fixture(scope="module")
def tilleuls():
    return _load("PH-TILLEULS", 2024)


def test_load_refuses_unknown_pharmacy_and_exercise(data_dir):
    with pytest.raises(nb.ReportError, match="pharmacie « PH-INCONNUE » absente"):
        nb.load("PH-INCONNUE", 2024, str(data_dir / "pharmacies.csv"))
    with pytest.raises(nb.ReportError, match="pharmacie « ph-tilleul » absente de pharmacies.csv ; vouliez-vous dire "
                                             "« PH-TILLEULS » ?"):  # a letter missing, capitals aside
        nb.load("ph-tilleul", 2024, str(data_dir / "pharmacies.csv"))
    with pytest.raises(nb.ReportError, match="n'a pas d'exercice 2022 .*exercices : 2024"):
        nb.load("PH-GARE", 2022, str(data_dir / "pharmacies.csv"))
    with pytest.raises(nb.ReportError, match="identifiant de pharmacie invalide"):
        nb.load("../etc", 2024, str(data_dir / "pharmacies.csv"))
    # an id with other capitals: the 8 examples may not show it (audit: « ph-tilleuls » got PH-CENTRE … PH-SEGUR)
    with pytest.raises(nb.ReportError) as info:
        nb.load("ph-tilleuls", 2024, str(data_dir / "pharmacies.csv"))
    assert "absente de pharmacies.csv ; vouliez-vous dire « PH-TILLEULS » ? (un identifiant s'écrit avec ses " \
           "majuscules) (exemples : " in str(info.value)


def test_report_lines_are_those_of_rosp_compute(gare, data_dir):
    _, lines, totals = compute_file(data_dir / "pharmacies.csv", data_dir / "molecules.csv")
    mine = lines[(lines["pharmacie_id"] == "PH-GARE") & (lines["exercice"] == 2024)]
    assert gare.lines["montant_cents"].tolist() == mine["montant_cents"].tolist()
    row = totals[(totals["pharmacie_id"] == "PH-GARE") & (totals["exercice"] == 2024)].iloc[0]
    assert gare.total_cents() == row["total"]


def test_malus_is_explained_with_its_arithmetic(gare):
    # PH-GARE 2024: FSE sécurisées 66 % vs cible 69 % (gap 3 → 4 pts), IRIS 2,5 % (3 pts), double paiement
    # 0,08 % (3 pts): score 10 → 20 % of the theme before malus.
    lines = gare.theme_lines("numerique")
    before = int(lines.loc[lines["type_ligne"] != "malus", "montant_cents"].sum())
    malus = -round(before * 20 / 100)
    text = nb.gate_and_malus_text(gare, lines)
    assert f"score 10 points → malus 20 % × {nb.eur(before)} = {nb.eur(-malus)}" in text
    assert "hypothèse" not in text  # hypotheses are shown from the `hypotheses` column, not repeated
    assert f"= **{nb.eur(before + malus)}**" in nb.sum_text(lines)
    assert "malus 20 %" in nb.theme_reason(gare, "numerique")


def test_largest_line_shows_its_inputs(tilleuls):
    # PH-TILLEULS 2024: 40 000 FSE at a 97 % SESAM-Vitale rate (≥ 95 %) → 0,070 € × 40 000 = 2 800,00 €.
    lines = tilleuls.lines
    big = lines.loc[lines["montant_cents"].idxmax()]
    assert big["indicateur"] == "fse"
    table = str(nb.indicator_table(tilleuls, tilleuls.theme_lines("numerique")))
    assert "nb_fse = 40\u202f000" in table
    calc = nb.calcul_text(tilleuls, big)
    # the input named in words in the « Calcul » (the « Données » column gives its column: nb_fse = 40 000); review:
    # « (nb_fse) » meant nothing to a titulaire
    assert calc == ("0,070\u00a0€ × 40\u202f000 (FSE transmises en SESAM-Vitale dans l'année) (taux ≥ seuil) = "
                    "2\u202f800,00\u00a0€")


def test_range_across_readings_and_stakes(tilleuls, gare):
    # PH-TILLEULS 2024, reference readings: REMU NUM 5 349,00 ; BUPS 100 + 101,99 (0,22565 € × 486 × 93 %)
    # + 53,48 (0,22565 € × 300 × 79 %) + 20,44 (0,22565 € × 120 × 75,5 %) + 400 + 100 + 200 = 975,91 ;
    # vaccination 156 ; colorectal 140 ; dispensation 320 ; dispositif 2024 950 → 7 890,91 €.
    # All alternative readings: the ordonnance numérique socle is required and PH-TILLEULS is below it → REMU NUM
    # 0 € ; molecules read as boxes gained at 2,6232 € (101,99 + 0 + 48,79) → BUPS 950,78 ; the other
    # alternatives do not touch this pharmacy → 2 516,78 €.
    assert (tilleuls.readings.reference_cents, tilleuls.readings.alternative_cents) == (789091, 251678)
    # Switched alone, the socle takes the whole REMU NUM theme (5 349,00 €): the largest stake, first.
    first = tilleuls.readings.moving[0]
    assert first.cle == "numerique.ordonnance_numerique_socle.etat"
    assert first.ecart_cents == -tilleuls.theme_total_cents("numerique") == -534900
    assert first.themes == ("numerique",)
    lecture = next(s for s in tilleuls.readings.moving if s.cle == "bups.molecules_ciblees.lecture")
    assert lecture.ecart_cents == 95078 - 97591  # 950,78 − 975,91
    text = nb.readings_text(tilleuls)
    assert "7\u202f890,91\u00a0€" in text and "2\u202f516,78\u00a0€" in text
    assert "le montant va de 2\u202f516,78\u00a0€ à 7\u202f890,91\u00a0€ parmi les lectures chiffrées" in text
    table = str(nb.stakes_table(gare))
    assert "−6\u202f108,00\u00a0€" in table  # the whole REMU NUM of PH-GARE


def test_a_total_no_alternative_reading_moves_is_not_said_to_lie_between_itself_and_itself():
    # PH-CENTRE 2025: every alternative reading together leaves its 6 353,00 € unchanged (écart 0,00 €)
    centre = _load("PH-CENTRE", 2025)
    assert centre.readings.reference_cents == centre.readings.alternative_cents == 635300
    text = nb.readings_text(centre)
    assert "entre" not in text
    assert text.endswith("Seules ou toutes ensemble, les lectures alternatives ne changent donc pas le montant.")


def test_the_range_holds_a_reading_that_alone_goes_beyond_all_of_them_together(gare):
    """PH-GARE 2024: all the alternatives together give 814,47 €, yet the molecules read as boxes gained add
    13,09 € alone (the other readings take the socle of REMU NUM and the lower stability step): the synthesis said
    « entre 814,47 € et 7 069,38 € », and the table beside it showed 7 082,47 €."""
    moving = {s.cle: s.ecart_cents for s in gare.readings.moving}
    assert moving["bups.molecules_ciblees.lecture"] == 13_09
    assert (gare.readings.reference_cents, gare.readings.alternative_cents) == (7_069_38, 814_47)
    # not a bound: a subset of the alternatives goes lower (801,38 €, reader's pass of 2026-12-03), and said so
    assert ("Selon la lecture des textes retenue, le montant va de 814,47\u00a0€ à 7\u202f082,47\u00a0€ parmi les "
            "lectures chiffrées ici (chaque lecture alternative seule, ou toutes ensemble) ; d'autres combinaisons de "
            "lectures peuvent sortir de cet intervalle.") in nb.readings_text(gare)
    assert "se situe donc entre" not in nb.readings_text(gare)


def test_the_molecule_reading_is_priced_the_same_in_the_bups_report_and_the_synthesis(tilleuls):
    # The prime par boîte substituée (hypothese) is replaced by the « progression » reading, chosen by another leaf of
    # its indicator (bups.molecules_ciblees.lecture). PH-TILLEULS 2024, boxes gained on the starting rate:
    # sitagliptine 486 × (93 − 85) % = 38,88 → 101,99 € ; Vildagliptine 300 × (79 − 80) % < 0 → 0 € ;
    # palipéridone 120 × (75,5 − 60) % = 18,6 → 48,79 € (at 2,6232 € a box gained) ; 150,78 € against 175,91 €.
    bups = nb.hypotheses_text(tilleuls, "bups")
    assert "non chiffrée" not in bups
    assert "−25,13\u00a0€" in bups and "2,6232\u00a0€" in bups
    # Said in words, not by the parameters' keys, and under the name the synthesis's table gives that reading.
    assert "clé " not in bups and "bups.molecules_ciblees" not in bups and "prime_par_boite_gagnee" not in bups
    assert "boîtes gagnées sur le taux de départ" in bups
    assert "(Prime par boîte gagnée (lecture « boîtes gagnées sur le taux de départ » seulement) : 2,6232\u00a0€)" in bups
    # The synthesis shows the value the écart rests on, so that it can be redone there too, and names the reading by
    # the hypothesis it stands for, as this report and the gains do (it said « Lecture du calcul par molécule »: one
    # hypothesis, two names on the synthesis, review)
    row = next(r for r in str(nb.stakes_table(tilleuls)).split("<tr>") if "−25,13" in r)
    assert "Prime par boîte gagnée" in row and "2,6232\u00a0€" in row
    assert "Prime par boîte substituée (toute molécule sans prime propre)" in row and "Lecture du calcul" not in row
    # with the value retained of that hypothesis, as this report says it (it showed « boîtes substituées »: review)
    assert "<td>0,22565\u00a0€</td>" in row and "boîtes substituées</td>" not in row
    assert "c'est la ligne" not in bups
    # … and it is not also listed among the alternatives the tool cannot price.
    assert "Prime par boîte substituée" not in nb.unquantified_text(tilleuls)


def test_no_moving_hypothesis_is_said_as_text_not_as_a_quoted_string():
    centre = _load("PH-CENTRE", 2025)  # no hypothesis changes its amount alone (its report says so)
    assert centre.readings.moving == []
    shown = nb.stakes_table(centre)
    assert shown._repr_html_() == ("<p>Aucune hypothèse, remplacée seule par son alternative, ne change le montant "
                                   "de cette officine.</p>")


def test_theme_at_zero_says_which_socle_was_lost():
    segur = _load("PH-SEGUR", 2026)
    assert segur.theme_total_cents("numerique") == 0
    reason = nb.theme_reason(segur, "numerique")
    assert "socle non atteint" in reason and "Ségur" in reason
    lines = segur.theme_lines("numerique")
    # the lines whose amount the gate voids: 820 + 2 800 + 100 + 100 + 240 + 50 + 50 + 1 189 = 5 349 € in 8 lines
    # (reader's pass, 2026-12-03: it said « 19 lignes concernées », every line of the theme)
    assert "Tout le thème est ramené à 0,00\u00a0€ (8 lignes perdent leur montant ; le détail" in \
        nb.gate_and_malus_text(segur, lines)
    voided = lines[lines["note"].str.contains("socle non atteint (", regex=False)]
    assert len(voided) == 8 and voided["note"].str.contains("non versés").all()


def test_theme_with_two_socles_lost_names_both(tmp_path):
    """Two BUPS socles lost: the lines listed them « a, b » while the report split the list at « ; » — the BUPS report
    and the synthesis of such a pharmacy failed with KeyError 'demarche_qualite, generiques_repertoire'."""
    path = tmp_path / "pharmacies.csv"
    path.write_text("pharmacie_id;exercice;dqo_autoevaluation;taux_generiques_repertoire_pct;taux_stabilite_75_pct\n"
                    "PH-A;2024;non;80;96\n", encoding="utf-8")
    rep = nb.load("PH-A", 2024, str(path))
    lines = rep.theme_lines("bups")
    assert set(lines.loc[lines["type_ligne"] != "malus", "socles_non_atteints"]) == {"demarche_qualite ; generiques_repertoire"}
    both = ("« Adhésion à la démarche qualité (HCQO) », « Pénétration des génériques sur le répertoire (socle) »")
    assert nb.theme_reason(rep, "bups") == f"socle non atteint ({both}) : tout le thème est ramené à 0,00\u00a0€."
    assert nb.gate_and_malus_text(rep, lines).startswith(f"**Socle non atteint** : {both}. Tout le thème est ramené")


def test_partial_year_is_named_with_its_days():
    cession = _load("PH-CESSION", 2025)
    # from 01/07/2025 to 31/12/2025: 184 days
    assert nb.partial_year(cession) == ("01/07/2025", "31/12/2025", 184)
    assert "184 jours" in nb.theme_reason(cession, "numerique")


def test_a_theme_absent_from_the_exercise_gives_no_instruction():
    later = _load("PH-TILLEULS", 2025)
    assert not later.applies("dispositif_2024")
    text = nb.declaration_text(later, "dispositif_2024")
    assert "n'existe pas pour l'exercice 2025" in text and "À déclarer" not in text
    assert "locaux" not in str(nb.calendar_table(later))
    port = _load("PH-PORT", 2022)  # the écoresponsable declaration exists from 2024 only
    assert "écoresponsable" not in nb.declaration_text(port, "bups")
    assert "écoresponsable" in nb.declaration_text(_load("PH-TILLEULS", 2024), "bups")


def test_rules_are_rendered_from_the_parameters(tilleuls):
    text = nb.rules_list(tilleuls, "vaccination")
    seuil = tilleuls.params.vaccination.bonus_prescription.seuil_part_pct.valeur
    assert f"dépasse {nb.num(seuil)} %" in text
    assert "kits_remis" not in nb.rules_list(tilleuls, "colorectal")  # absent since 2024


def test_a_rule_value_that_is_a_hypothesis_is_marked_in_the_rules_of_a_report(gare):
    # PH-GARE 2024, stabilité 75 ans : the lower step's 200 € is a hypothesis of the tool (the upper step's 400 € is
    # not) — marked ⚠ as the lines and the gains that rest on it, with the legend; so is the prime par boîte.
    p = gare.params.bups
    assert p.stabilite_75.montant_bas.statut == "hypothese" and p.stabilite_75.montant_haut.statut != "hypothese"
    text = nb.rules_list(gare, "bups")
    low, high = nb.eur(int(p.stabilite_75.montant_bas.valeur * 100)), nb.eur(int(p.stabilite_75.montant_haut.valeur * 100))
    assert f"{low}\u00a0⚠" in text and f"{high}\u00a0⚠" not in text and f"{high} ;" in text
    assert "0,22565\u00a0€\u00a0⚠ par boîte substituée" in text
    assert text.endswith("⚠ : valeur retenue par l'outil là où les sources se taisent ou divergent (une hypothèse de "
                         "lecture ; voir « Hypothèses et données manquantes »).")
    # a theme whose rules hold no hypothesis value: no mark, no legend
    assert "⚠" not in nb.rules_list(gare, "colorectal")


def test_the_rule_marks_follow_what_the_report_calls_a_hypothesis(tmp_path):
    # A scenario that writes the tool's own value again replaces nothing (the report's hypotheses section still
    # prices it): its rule value keeps its ⚠. One that changes it: no ⚠ (the scenario's value is the user's reading).
    same, other = tmp_path / "meme.yaml", tmp_path / "autre.yaml"
    same.write_text("bups:\n  stabilite_75:\n    montant_bas: 200\n", encoding="utf-8")
    other.write_text("bups:\n  stabilite_75:\n    montant_bas: 150\n", encoding="utf-8")
    args = ("PH-GARE", 2024, str(ROOT / "data/pharmacies.csv"), str(ROOT / "data/molecules.csv"))
    stability = next(line for line in nb.rules_list(nb.load(*args, str(same)), "bups").splitlines() if "75 ans" in line)
    assert stability.endswith("au moins 90 % → 200,00\u00a0€\u00a0⚠.")
    stability = next(line for line in nb.rules_list(nb.load(*args, str(other)), "bups").splitlines() if "75 ans" in line)
    assert stability.endswith("au moins 90 % → 150,00\u00a0€.")


def test_the_molecule_rule_gives_the_premium_of_each_reading():
    # Under the « progression » reading (lectures-alternatives.yaml) the lines pay 2,6232 € a box gained: the rule
    # says that value too (it said only the 0,22565 € a substituted box, then marked ⚠).
    scenario = ROOT / "parameters" / "scenarios" / "lectures-alternatives.yaml"
    rep = nb.load("PH-GARE", 2024, str(ROOT / "data/pharmacies.csv"), str(ROOT / "data/molecules.csv"), str(scenario))
    rule = next(line for line in nb.rules_list(rep, "bups").splitlines() if "molécules ciblées" in line)
    assert rule == ("- **Génériques, hybrides, biosimilaires : molécules ciblées** — Pour chaque molécule ciblée de "
                    "l'exercice (sitagliptine, vildagliptine, vildagliptine/metformine, sitagliptine/metformine, "
                    "palipéridone) : prime de 0,22565\u00a0€ par boîte substituée, ou de 2,6232\u00a0€\u00a0⚠ par boîte "
                    "gagnée en lecture « boîtes gagnées sur le taux de départ » (lecture retenue : boîtes gagnées sur "
                    "le taux de départ).")
    # without the scenario: the tool's reading, its premium marked, and the other reading's premium (a hypothesis too)
    rule = next(line for line in nb.rules_list(_load("PH-GARE", 2024), "bups").splitlines() if "molécules ciblées" in line)
    assert rule.endswith(": prime de 0,22565\u00a0€\u00a0⚠ par boîte substituée, ou de 2,6232\u00a0€\u00a0⚠ par boîte "
                         "gagnée en lecture « boîtes gagnées sur le taux de départ » (lecture retenue : boîtes "
                         "substituées).")


def test_the_legend_of_the_marks_does_not_send_to_an_empty_section():
    # PH-CENTRE 2025: the BUPS rules hold hypothesis values, yet no line of this pharmacy's BUPS rests on one.
    centre = _load("PH-CENTRE", 2025)
    assert nb.hypotheses_text(centre, "bups") == "Aucune ligne de ce thème ne repose sur une hypothèse de lecture."
    assert nb.rules_list(centre, "bups").endswith("(une hypothèse de lecture ; aucune ligne de ce thème n'en dépend "
                                                  "pour cette officine).")


def test_amount_chart_has_one_bar_per_line_labelled_with_its_own_amount(tilleuls):
    lines = tilleuls.theme_lines("bups")
    fig = nb.chart_amounts(lines)
    shown = lines[lines["type_ligne"] != "information"]
    read = nb.bar_labels(fig)
    assert len(read) == len(shown)
    expected = [(nb.line_label(l), nb.eur(int(l["montant_cents"]))) for _, l in shown.iterrows()]
    assert [(a.replace("- ", "-"), b) for a, b in read] == [(a.replace("- ", "-"), b) for a, b in expected]
    assert ("Génériques, hybrides, biosimilaires : molécules ciblées — sitagliptine", "101,99\u00a0€") in read
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Montant de chaque ligne"
    # nothing overlaps: each value label inside the plotting area, no two labels intersecting
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    area = ax.get_window_extent(renderer)
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert all(area.x0 <= b.x0 and b.x1 <= area.x1 and area.y0 <= b.y0 and b.y1 <= area.y1 for b in boxes)
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_a_malus_label_stays_inside_the_axes(gare):
    """PH-GARE 2024 numérique: the label of its malus (−1 527,00 €), written left of its bar, ran over the axis line
    and the tick labels (« ┼1 527,00 € », review)."""
    lines = gare.theme_lines("numerique")
    assert (lines["montant_cents"] < 0).any()
    fig = nb.chart_amounts(lines)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    area = ax.get_window_extent(renderer)
    malus = next(t for t in ax.texts if t.get_text().startswith("−"))
    assert malus.get_window_extent(renderer).x0 >= area.x0


def test_a_theme_whose_lines_are_all_zero_gets_a_sentence_not_bars_of_zero():
    # PH-CESSION 2025, vaccination: every line at 0 € (audit: a chart of empty bars labelled « 0,00 € »).
    lines = _load("PH-CESSION", 2025).theme_lines("vaccination")
    shown = lines[lines["type_ligne"] != "information"]
    assert len(shown) and (shown["montant_cents"] == 0).all()
    fig = nb.chart_amounts(lines)
    ax = fig.axes[0]
    assert not ax.patches and not ax.axison and nb.bar_labels(fig) == []
    assert [t.get_text() for t in ax.texts] == ["Toutes les lignes de ce thème valent 0,00\u00a0€ : aucune barre à tracer"]
    assert ax.get_title(loc="left") == "Montant de chaque ligne"
    # one line paid or docked: the bars again
    lines = lines.copy()
    lines.loc[shown.index[0], "montant_cents"] = -150
    assert len(nb.chart_amounts(lines).axes[0].patches) == len(shown)


@pytest.mark.parametrize("chart", ["amounts", "distances", "themes", "nothing"])
def test_chart_margins_hold_every_label_outside_the_axes(gare, chart):
    """The charts are laid out by nb._fit, not tight_layout: the tick labels, the axis label and the title each
    lie inside the figure, outside the plotting area, and the plotting area is not squeezed for nothing."""
    lines = gare.theme_lines("numerique")
    fig = {"amounts": lambda: nb.chart_amounts(lines),
           "distances": lambda: nb.chart_distances(nb.distances(gare, "numerique")),
           "themes": lambda: nb.chart_themes({t: gare.theme_total_cents(t) for t in nb.THEMES}),
           "nothing": lambda: nb.chart_distances(nb.distances(gare, "numerique").iloc[0:0])}[chart]()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    width, height = fig.canvas.get_width_height()
    area = ax.get_window_extent(renderer)
    title = [t for t in ax.get_children() if isinstance(t, matplotlib.text.Text) and t.get_text()
             in ("Montant de chaque ligne", "Distance au seuil (valeur − seuil)", "Montant par thème")]
    assert len(title) == 1
    outside = title + ([ax.xaxis.label] if ax.axison else [])
    if ax.axison:
        lo, hi = sorted(ax.get_xlim())
        shown = [t for t in ax.get_xticklabels() if lo <= t.get_position()[0] <= hi]  # those drawn
        outside += [t for t in ax.get_yticklabels() + shown if t.get_text()]
    assert len(outside) >= (1 if chart == "nothing" else 5)
    for text in outside:
        box = text.get_window_extent(renderer)
        assert 0 <= box.x0 and box.x1 <= width and 0 <= box.y0 and box.y1 <= height, text.get_text()
        assert not box.overlaps(area), text.get_text()
    # as close to the edges as tight_layout's pad (1,08 × 10 pt, in pixels at the chart's dpi), give or take one pixel
    pad = 10.8 * fig.dpi / 72
    top = max(t.get_window_extent(renderer).y1 for t in title)
    assert height - top == pytest.approx(pad, abs=1)
    if ax.axison:
        left = min(t.get_window_extent(renderer).x0 for t in ax.get_yticklabels() if t.get_text())
        assert left == pytest.approx(pad, abs=1)
        assert area.height > 0.5 * height
        # legible in the page (about 1 000 pixels wide): the smallest labels at least 10 pixels high (they were 8,
        # in a chart 540 pixels wide, at one pixel per point)
        assert min(t.get_window_extent(renderer).height for t in ax.get_yticklabels() if t.get_text()) >= 10
        assert width >= 700


def test_recorded_values_sum_the_lines_of_an_indicator_of_one_line_per_molecule(tilleuls):
    """The recorded `lignes` of the BUPS report kept the last molecule only (palipéridone, 20,44 €): keyed by
    indicator, each molecule line overwrote the one before, and `lignes` no longer added up to the total (audit)."""
    values = nb.recorded_values(tilleuls, "bups")
    # PH-TILLEULS 2024: 101,99 + 53,48 + 20,44 € (test_range_across_readings_and_stakes)
    assert values["lignes"]["bups.molecules_ciblees"] == 101_99 + 53_48 + 20_44
    assert sum(values["lignes"].values()) == values["total_cents"] == values["totaux_cents"]["bups"] == 975_91


def test_recorded_values_match_lines(gare):
    values = nb.recorded_values(gare, "vaccination")
    # 10 RVA at 9,60 € of 200: 5 % is not strictly above the 2024 threshold of 5 % → 0 €.
    assert values == {"pharmacie_id": "PH-GARE", "exercice": 2024, "theme": "vaccination",
                      "lignes": {"vaccination.bonus_prescription": 0}, "totaux_cents": {"vaccination": 0},
                      "total_cents": 0}
    assert "non atteint" in nb.theme_reason(gare, "vaccination")


def test_explorer_button_builds_the_controls_on_click_and_they_recompute(gare):
    """In a report, the explorer waits behind « Ouvrir l'explorateur »: no control exists before the click; after
    it, the theme's controls are in place of the button and recompute as the explorer does."""
    button = nb.ExplorerButton(gare, "vaccination")
    box = button.widget()
    assert button.explorer is None
    assert [type(c).__name__ for c in box.children] == ["HTML", "Button"]
    assert button.button.description == "Ouvrir l'explorateur"
    button.button.click()  # what the reader's click does in a live kernel
    ex = button.explorer
    assert ex is not None and len(box.children) == 1
    assert set(ex.controls) == {"nb_rva_960", "nb_rva_750"}
    ex.controls["nb_rva_960"].value = "11"  # 11 / 201 = 5,47 % > 5 % → 3 € × 11 (as in the test below)
    assert ex.total_cents == 3300
    assert button.open() is ex  # built once


def test_explorer_recomputes_when_a_control_changes(gare):
    ex = nb.Explorer(gare, "vaccination")
    assert set(ex.controls) == {"nb_rva_960", "nb_rva_750"}
    assert ex.total_cents == 0
    ex.controls["nb_rva_960"].value = "11"  # 11 / 201 = 5,47 % > 5 % → 3 € × 11
    assert ex.total_cents == 3300
    assert "33,00\xa0€" in ex.total_label.value  # babel: espace insécable avant €
    # the line table is updated, not only the total
    assert "33,00\xa0€" in ex.table.value


def test_explorer_labels_are_french_and_missing_values_stay_missing():
    nouvelle = _load("PH-NOUVELLE", 2024)  # nb_fse missing in the file
    ex = nb.Explorer(nouvelle, "numerique")
    fse = ex.controls["nb_fse"]
    assert fse.value == "" and fse.description == "FSE transmises en SESAM-Vitale dans l'année"
    # the whole label in the field's tooltip, with its column (a label cut « … » on screen could not be read: review)
    assert fse.tooltip == "FSE transmises en SESAM-Vitale dans l'année (nb_fse)"
    assert ex.controls["exercice_coordonne"].value in (True, False)
    # computed once the field is left (or Entrée), not at each key: typing « 40 000 » computed « 4 », « 40 », then
    # refused « 40 0 » on the way
    assert fse.continuous_update is False
    fse.value = "40 000"
    line = ex.lines.set_index("indicateur").loc["fse"]
    assert not line["donnee_manquante"] and int(line["montant_cents"]) > 0
    fse.value = ""  # back to missing: the line says so again
    assert bool(ex.lines.set_index("indicateur").loc["fse", "donnee_manquante"])
    # a yes/no left empty reads « non » (README), not « manquant » as its choice said (audit)
    coordonne = ex.controls["exercice_coordonne"]
    assert coordonne.options[0] == ("vide (lu « non »)", None)
    coordonne.value = None
    line = ex.lines.set_index("indicateur").loc["exercice_coordonne"]
    assert (line["valeur"], bool(line["donnee_manquante"]), int(line["montant_cents"])) == ("non", False, 0)


def test_explorer_reads_a_decimal_comma_and_refuses_out_of_range(gare):
    ex = nb.Explorer(gare, "numerique")
    before = ex.total_cents
    ex.controls["taux_dmp_pct"].value = "89,5"  # below the 90 % threshold, whatever the browser's locale
    dmp = ex.lines.set_index("indicateur").loc["dmp"]
    assert dmp["atteint"] == "non" and ex.values["taux_dmp_pct"] == 89.5
    after = ex.total_cents
    ex.controls["taux_dmp_pct"].value = "150"
    assert "hors limites" in ex.message.value and ex.total_cents == after
    assert nb.parse_number("1 234,5", "rate", None) == (None, "« 1 234,5 » hors limites (attendu : de 0 à 100)")
    assert nb.parse_number("97.5", "rate", None) == (97.5, "")
    assert before != after


def test_explorer_bounds_a_count_as_the_input_file_does(gare):
    """5 000 000 000 FSE showed « 320 002 549,00 € » where the file refuses any count above 999 999 999, and
    9 223 372 036 854 775 808 stopped the explorer's callback, the total left as it was without a word (review)."""
    from rosp_lib.inputs import MAX_COUNT

    assert nb.parse_number("999 999 999", "int", None) == (MAX_COUNT, "")
    assert nb.parse_number("1 000 000 000", "int", None) == (
        None, "« 1 000 000 000 » hors limites (attendu : de 0 à 999\u202f999\u202f999)")
    ex = nb.Explorer(gare, "numerique")
    before, values = ex.total_cents, dict(ex.values)
    for typed in ("5000000000", "9223372036854775808"):
        ex.controls["nb_fse"].value = typed
        assert "hors limites" in ex.message.value and ex.total_cents == before and ex.values == values


def test_explorer_switches_a_hypothesis_of_the_theme(tilleuls):
    ex = nb.Explorer(tilleuls, "numerique")
    key = "numerique.ordonnance_numerique_socle.etat"
    assert key in ex.switches
    ex.switches[key].value = True  # the socle becomes required; PH-TILLEULS is below it → theme at 0 €
    assert ex.total_cents == 0
    ex.switches[key].value = False
    assert ex.total_cents == tilleuls.theme_total_cents("numerique")


def test_explorer_on_a_rate_and_a_flag(gare):
    ex = nb.Explorer(gare, "dispensation_unite")
    ex.controls["nb_dispensations_unite"].value = "600"  # capped at 500 €
    assert ex.total_cents == 50000
    ex = nb.Explorer(gare, "bups")
    base = ex.total_cents
    ex.controls["taux_generiques_repertoire_pct"].value = "84,99"  # socle lost → theme at 0 €
    assert base > 0 and ex.total_cents == 0


def test_distances_show_gap_to_threshold(gare):
    d = nb.distances(gare, "numerique").set_index("indicateur")
    assert d.loc["fse", "ecart"] == pytest.approx(2.0)  # 97 % vs ≥ 95 %
    assert "eprescription" not in d.index  # neutralised in 2024


def test_input_strings_are_escaped():
    assert nb.esc("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
    assert "*" not in nb.md("*a* [l](u)") and "[" not in nb.md("*a* [l](u)")


PROSE = ["rosp_lib/report/notebook.py", "rosp_lib/report/narrative.py", "rosp_lib/report/readings.py",
         "rosp_lib/report/index.py", "notebooks/build_notebooks.py"]


@pytest.mark.parametrize("path", PROSE)
def test_no_amount_or_percentage_typed_in_report_prose(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    found = re.findall(r"\d[\d\s\u202f]*(?:,\d+)?\s?(?:€|%)", text)
    assert not found, f"{path} : montant ou pourcentage écrit en dur : {found}"


def test_scenario_report_names_its_scenario_and_changed_values():
    scen = ROOT / "parameters/scenarios/lectures-alternatives.yaml"
    rep = nb.load("PH-TILLEULS", 2024, str(ROOT / "data/pharmacies.csv"), str(ROOT / "data/molecules.csv"), str(scen))
    assert nb.document_title(rep, "numerique").endswith("— scénario lectures-alternatives")
    changes = {k: (old, new) for k, _, old, new in nb.scenario_changes(rep)}
    assert changes["numerique.ordonnance_numerique_socle.etat"] == ("neutralisé", "actif")
    banner = nb.scenario_banner(rep)
    assert "lectures-alternatives.yaml" in banner and "neutralisé → <strong>actif</strong>" in banner
    assert str(scen.parent) not in banner  # the file's name, not a local path
    # under the scenario, the « reference » total is the scenario's: 2 516,78 € (see the test above)
    assert rep.total_cents() == rep.readings.reference_cents == 251678


def test_calculation_column_never_repeats_the_hypotheses():
    """The « Calcul » column drops the hypothesis texts (shown from the `hypotheses` column) on every line of
    the examples, the alternative-readings scenario included (whose notes also name the scenario)."""
    scen = str(ROOT / "parameters/scenarios/lectures-alternatives.yaml")
    for pid, year in [("PH-GARE", 2024), ("PH-PORT", 2022), ("PH-CESSION", 2025)]:
        for parametres in ("", scen):
            rep = nb.load(pid, year, str(ROOT / "data/pharmacies.csv"), str(ROOT / "data/molecules.csv"), parametres)
            for _, line in rep.lines.iterrows():
                text = nb.calcul_text(rep, line)
                assert "hypothèse" not in text and "valeur du scénario" not in text, (pid, line["indicateur"], text)


def test_declaration_window_comes_from_the_parameters():
    later = _load("PH-TILLEULS", 2025)
    # the amelipro guide for exercise 2025: « du 1er décembre 2025 au 27 février 2026 inclus » (the first day, a
    # parameter too, was left out: audit)
    assert nb.declaration_window(later) == "du 01/12/2025 au 27/02/2026 inclus"
    assert "⚠ hypothèse" in nb.declaration_window(_load("PH-TILLEULS", 2024))  # no published window for 2024


@pytest.mark.parametrize("valeur,shown", [(40000, "40\u202f000 ; seuil : "), (92.5, "92,5 ; seuil : "),
                                          ("oui", "oui ; seuil : "), (None, "seuil : ")])
def test_the_value_before_a_missed_threshold_is_a_french_number(valeur, shown):
    """A whole count (an integer in the lines) was shown « 40000 » where a float showed « 40 000 »."""
    import pandas as pd
    assert nb._value_for(pd.Series({"valeur": valeur})) == shown


@pytest.mark.parametrize("name", ["$$x$$", "$x$", "prix $ 5", "\\$"])
def test_a_molecule_name_with_dollars_is_drawn_as_written(tilleuls, name):
    """matplotlib reads `$…$` as mathematics: a molecule « $$x$$ » made the BUPS report fail (audit), « $x$ » was
    drawn in italics as a formula."""
    import io

    lines = tilleuls.theme_lines("bups").copy()
    mol = lines["entrees"].str.contains("molecule=", regex=False)
    lines.loc[mol, "entrees"] = lines.loc[mol, "entrees"].str.replace("sitagliptine", name, regex=False)
    fig = nb.chart_amounts(lines)
    fig.savefig(io.BytesIO(), format="png")  # drawn: raised ValueError (mathtext ParseException)
    labels = [label for label, _ in nb.bar_labels(fig)]
    assert f"Génériques, hybrides, biosimilaires : molécules ciblées — {name}" in labels
    assert all(t.get_text().count("$") == t.get_text().count(r"\$") for t in fig.axes[0].get_yticklabels())  # all escaped


def test_missing_data_says_what_each_line_did_of_it():
    # PH-HALLES 2022: FSE rate missing → the lower of the two amounts is paid (hypothesis
    # general.donnee_manquante_montant_bas): 0,064 € × 30 000 FSE = 1 920,00 € ; readers missing beside a borne →
    # the borne's amount alone, 689,00 €. Neither is « compté non atteint ».
    halles = _load("PH-HALLES", 2022)
    text = nb.missing_text(halles, halles.lines, "cet exercice")
    assert "non atteint" not in text and "non atteinte" not in nb.theme_reason(halles, "numerique")
    assert "tarif bas versé, 0,064\u00a0€ × 30\u202f000" in text and "1\u202f920,00\u00a0€" in text
    assert "montant de la borne seul versé &#40;689,00\u00a0€&#41;" in text


def test_rule_texts_say_only_what_the_exercise_defines():
    # 2022: the molecules are neutralised, nothing defines their premium: the rule is named, not garbled.
    halles = _load("PH-HALLES", 2022)
    assert "sans objet" not in nb.rules_list(halles, "bups")
    # 2023 (docs/regles.md): 2,30 € a box above an arrival rate of 72 %, palipéridone at 20 € a box with no floor.
    mairie = _load("PH-MAIRIE", 2023)
    rule = next(r for r in nb.rules_list(mairie, "bups").splitlines() if "molécules ciblées" in r)
    assert "2,30\u00a0€\u00a0⚠ par boîte substituée" in rule and "dépasse 72 %" in rule
    assert "palipéridone : 20,00\u00a0€" in rule and "sans plancher : palipéridone" in rule
    # 2024 kits: the reference of a pharmacy installed after 1 January 2023 is 50 kits, said with its condition.
    gare = _load("PH-GARE", 2024)
    kits = next(r for r in nb.rules_list(gare, "dispositif_2024").splitlines() if "Kits remis" in r)
    assert "installée après le 1er janvier 2023 : 50 kits" in kits and "depuis)" not in kits


def test_a_comparison_gives_its_amount_it_does_not_equal_it(tilleuls):
    # PH-TILLEULS 2024: 120 kits against 100 → 120 ≥ 1,1 × 100 = 110 pays 250 € (it is not « 110 = 250,00 € »).
    lines = tilleuls.lines.set_index("indicateur")
    assert nb.calcul_text(tilleuls, lines.loc["kits_colorectal_progression"]) == \
        "120 ≥ 1,1 × 100 = 110 → 250,00\u00a0€"
    # A remark in parentheses is not the comparison: 0,070 € × 40 000 is 2 800,00 €.
    assert nb.calcul_text(tilleuls, lines.loc["fse"]).endswith("(taux ≥ seuil) = 2\u202f800,00\u00a0€")


def test_charts_speak_french_to_the_eye_and_to_a_screen_reader(tilleuls):
    fig = nb.chart_amounts(tilleuls.theme_lines("numerique"))
    ticks = fig.axes[0].xaxis.get_major_formatter()
    assert (ticks(1000.0, 0), ticks(0.5, 0), ticks(-0.0, 0)) == ("1\u202f000", "0,5", "0")
    image = nb.png(fig)
    assert image.metadata == {"alt": "Graphique : Montant de chaque ligne"}


def test_a_neutralised_line_shows_the_inputs_its_alternative_reads(tilleuls):
    # PH-HALLES 2022: e-prescription is neutralised; its alternative reading (active) pays on taux_eprescription_pct,
    # 40 in data/pharmacies.csv. PH-TILLEULS 2024: the ordonnance numérique socle's alternative needs its rate, empty.
    def shown(rep):
        return str(nb.indicator_table(rep, rep.theme_lines("numerique"))).replace("&#95;", "_").replace("&#61;", "=")

    halles = _load("PH-HALLES", 2022)
    assert "non lu cet exercice : taux_eprescription_pct = 40" in shown(halles)
    table = shown(tilleuls)
    assert "taux_ordonnance_numerique_pct = vide" in table.replace("&#95;", "_").replace("&#61;", "=")
    # PH-PORT 2022: the molecules are neutralised; the molecule line keeps its values, marked as not read.
    port = _load("PH-PORT", 2022)
    bups = str(nb.indicator_table(port, port.theme_lines("bups"))).replace("&#95;", "_").replace("&#61;", "=")
    assert "non lu cet exercice : molecule = sitagliptine ; nb_boites = 100" in bups.replace("&#59;", ";")


def test_the_count_of_paid_lines_matches_the_table_it_sits_above(tilleuls):
    # PH-TILLEULS 2024, REMU NUM: 20 lines in the table = 11 indicators + 5 socles + 1 malus + 3 for information;
    # 8 of the 16 indicator and socle lines pay. Of the 8 others, 5 never pay (« 8 sur 16 » read as 8 payments
    # missed): the socles Ségur and fraude pay nothing of their own, and the LAD, the ordonnance numérique socle
    # and the e-prescription are neutralised in 2024 (parameters/2024.yaml): 8 of 11.
    assert len(tilleuls.theme_lines("numerique")) == 20
    assert nb.theme_reason(tilleuls, "numerique").startswith(
        "8 lignes d'indicateur payées sur 11 (hors 2 socles atteints sans montant propre et 3 indicateurs neutralisés "
        "cet exercice) ; le tableau des lignes compte aussi 1 ligne de malus et 3 lignes pour information")
    # one line: the singular (French: 0 and 1)
    assert nb.theme_reason(tilleuls, "vaccination").startswith("1 ligne d'indicateur payée sur 1")


def test_counts_agree_in_number():
    from rosp_lib.lines.formatting import counted

    assert [counted(n, "ligne payée", "lignes payées") for n in (0, 1, 2, 1500)] == [
        "0 ligne payée", "1 ligne payée", "2 lignes payées", "1\u202f500 lignes payées"]


def test_an_indicator_absent_by_hypothesis_is_named_though_no_line_reads_it():
    # docs/regles.md: no billing-quality malus in 2022 is a reading (hypothese), and the malus has no line that year.
    halles = _load("PH-HALLES", 2022)
    assert "Malus « qualité de la facturation » : État de l'indicateur pour l'exercice** — lecture retenue : absent" \
        in nb.hypotheses_text(halles, "numerique")
    assert "Malus « qualité de la facturation »" in nb.unquantified_text(halles)
    mairie = _load("PH-MAIRIE", 2023)  # from 2023 the malus applies: no such mention
    assert "lecture retenue : absent" not in nb.hypotheses_text(mairie, "numerique")


def test_a_tiered_rate_is_measured_against_the_tier_that_pays(tilleuls, gare):
    # Stabilité 75 ans et plus, 2024 tiers 90 % (200 €) and 95 % (400 €): PH-TILLEULS at 96 % is paid the 95 % tier,
    # +1 point; PH-GARE at 91 % the 90 % tier, +1 point.
    rows = {pid: nb.distances(rep, "bups").set_index("indicateur").loc["stabilite_75"]
            for pid, rep in (("PH-TILLEULS", tilleuls), ("PH-GARE", gare))}
    assert (rows["PH-TILLEULS"]["seuil"], rows["PH-TILLEULS"]["ecart"]) == (95.0, 1.0)
    assert (rows["PH-GARE"]["seuil"], rows["PH-GARE"]["ecart"]) == (90.0, 1.0)


def test_a_theme_with_one_paying_line_is_not_added_up(tilleuls):
    # PH-TILLEULS 2024, colorectal: 70 kits réalisés × 2,00 € = 140,00 €, the only paying line.
    assert nb.sum_text(tilleuls.theme_lines("colorectal")) == "Total du thème : **140,00\u00a0€** (une seule ligne paie)."


def test_a_lost_socle_is_named_by_its_title_in_the_calculation():
    # PH-MAIRIE 2023: démarche qualité not declared → the BUPS socle is lost; the stabilité line (400 €) is not paid.
    mairie = _load("PH-MAIRIE", 2023)
    texts = [nb.calcul_text(mairie, l) for _, l in mairie.theme_lines("bups").iterrows()]
    lost = [t for t in texts if "socle non atteint" in t]
    assert lost and all("(demarche_qualite)" not in t for t in lost)
    assert "socle non atteint (« Adhésion à la démarche qualité (HCQO) ») : 400,00\u00a0€ non versés" in " ".join(lost)


@pytest.mark.parametrize("value, seuil", [(89.99, 90), (90, 90), (94.99, 90), (95, 95), (95.01, 95)])
def test_the_tier_a_stabilite_rate_is_measured_against(gare, value, seuil):
    # 2024 tiers ≥ 90 % (200 €) and ≥ 95 % (400 €): below 90 the first tier to reach; at 90 and up to 95 excluded, the
    # 90 % tier that pays; from 95 the 95 % tier.
    assert nb._threshold(gare, "stabilite_75", value).valeur == seuil


def test_explorer_keeps_saying_a_refused_value_while_the_field_shows_it(gare):
    """A refused text stays in its field: the message says so until the field is corrected, even when another
    field changes meanwhile (the total is computed with the last accepted value, never with the text shown)."""
    ex = nb.Explorer(gare, "vaccination")
    ex.controls["nb_rva_960"].value = "11"  # 11 / 201 = 5,47 % > 5 % → 3 € × 11
    assert ex.total_cents == 3300 and ex.message.value == ""
    ex.controls["nb_rva_960"].value = "abc"
    assert "« abc » n&#x27;est pas un nombre" in ex.message.value and ex.total_cents == 3300
    ex.controls["nb_rva_750"].value = "2"  # another field: recomputed with 11, not with « abc »
    assert ex.controls["nb_rva_960"].value == "abc"
    assert "« abc » n&#x27;est pas un nombre" in ex.message.value and "valeur refusée" in ex.message.value
    assert ex.values == {"nb_rva_960": 11, "nb_rva_750": 2}
    ex.controls["nb_rva_960"].value = "12"  # corrected: the message goes
    assert ex.message.value == "" and ex.values["nb_rva_960"] == 12


def test_a_hypothesis_the_scenario_replaced_is_said_against_the_reference(tmp_path):
    """Under a scenario that switches a hypothesis to its alternative, the report said « lecture retenue : actif ;
    remplacée par « actif », elle ne change rien » and « autre lecture : 2025-01-31 » beside the scenario's own
    31/01/2025: the other reading is then the tool's reference one."""
    scenario = tmp_path / "alt.yaml"
    scenario.write_text("2024:\n  numerique:\n    ordonnance_numerique_socle:\n      etat: actif\n"
                        "  calendrier:\n    fin_declaration: '2025-01-31'\n", encoding="utf-8")
    data = ROOT / "data"
    rep = nb.load("PH-GARE", 2024, str(data / "pharmacies.csv"), str(data / "molecules.csv"), str(scenario))
    text = nb.hypotheses_text(rep, "numerique")
    assert ("**Ordonnance numérique pour au moins 70 % des délivrances (socle) : État de l'indicateur pour "
            "l'exercice** — lecture du scénario : actif ; lecture retenue par l'outil : neutralisé") in text
    assert "remplacée par « actif »" not in text
    assert nb.declaration_window(rep) == "jusqu'au 31/01/2025 inclus (date du scénario ; celle de l'outil : 27/02/2025)"
    reference = nb.load("PH-GARE", 2024, str(data / "pharmacies.csv"), str(data / "molecules.csv"))
    # without a scenario: the file's alternative, its date written as dates are (it was « 2025-01-31 »)
    assert "autre lecture : 31/01/2025 : fenêtre plus courte" in nb.declaration_window(reference)


def test_a_scenario_that_writes_the_reference_value_again_replaces_nothing(tmp_path):
    """A scenario writing a hypothesis's own value (« etat: neutralise », the tool's reading in 2024) hid its stake:
    « lecture du scénario : neutralisé ; lecture retenue par l'outil : neutralisé »; the same for the date."""
    scenario = tmp_path / "meme.yaml"
    scenario.write_text("2024:\n  numerique:\n    ordonnance_numerique_socle:\n      etat: neutralise\n"
                        "  calendrier:\n    fin_declaration: '2025-02-27'\n", encoding="utf-8")
    data = ROOT / "data"
    same = nb.load("PH-GARE", 2024, str(data / "pharmacies.csv"), str(data / "molecules.csv"), str(scenario))
    reference = nb.load("PH-GARE", 2024, str(data / "pharmacies.csv"), str(data / "molecules.csv"))
    assert nb.hypotheses_text(same, "numerique") == nb.hypotheses_text(reference, "numerique")
    assert "lecture du scénario" not in nb.hypotheses_text(same, "numerique")
    assert nb.declaration_window(same) == nb.declaration_window(reference)


@pytest.mark.parametrize("typed,expected", [
    ("40.000", "« 40.000 » : séparateur de milliers ambigu (40 ou 40 000 ?) : écrivez 40000 ou 40 000"),
    ("1,000", "« 1,000 » : séparateur de milliers ambigu (1 ou 1 000 ?) : écrivez 1000 ou 1 000"),
    ("40 0", "« 40 0 » n'est pas un nombre"),
    ("4 0000", "« 4 0000 » n'est pas un nombre"),
])
def test_the_explorer_reads_a_count_as_a_file_does(typed, expected):
    from html import unescape

    """The explorer had its own reading: « 40.000 » FSE was read 40 (the misreading the input files refuse), « 40 0 »
    400 and « 4 0000 » 40 000 (spaces dropped). It reads a typed count as the same cell of a file is read."""
    nouvelle = _load("PH-NOUVELLE", 2024)
    ex = nb.Explorer(nouvelle, "numerique")
    ex.controls["nb_fse"].value = "40 000"
    assert ex.values["nb_fse"] == 40000
    ex.controls["nb_fse"].value = typed
    assert expected in unescape(ex.message.value) and ex.values["nb_fse"] == 40000  # refused: the last value kept


@pytest.mark.parametrize("title", ["Montant par thème\nexercice 2024 — PH-0001", "Montant $x_2$ par thème"])
def test_a_title_of_several_lines_or_with_math_keeps_its_margin(title):
    """The room above the axes is the title's height above its last baseline: a second line was not counted (its top
    was cut off at 281 pixels in a figure of 280), a « $…$ » was measured as plain text (review)."""
    fig = nb.chart_themes({"numerique": 610800, "bups": 42888}, title=title)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    shown = [t for t in (ax.title, ax._left_title, ax._right_title) if t.get_text()]
    assert len(shown) == 1
    box = shown[0].get_window_extent(renderer)
    _, height = fig.canvas.get_width_height()
    assert height - box.y1 == pytest.approx(10.8 * fig.dpi / 72, abs=1)  # tight_layout's pad, as the other charts
    assert not box.overlaps(ax.get_window_extent(renderer))


def test_a_pharmacy_without_molecule_lines_is_told_its_premium_counts_nothing():
    """The targeted-molecule premium has one line per molecule: a pharmacy with none in the table (or a table with its
    header alone) had no line and no word in its reports. PH-NOUVELLE 2024: the premium is in force in 2024, the
    example table has no line of it → said, with 0,00 €, in the BUPS page and the synthesis."""
    data = Path(__file__).resolve().parent.parent / "data"
    nouvelle = nb.load("PH-NOUVELLE", 2024, str(data / "pharmacies.csv"), str(data / "molecules.csv"), "")
    said = ("la table des molécules ciblées n'a aucune ligne de cette officine pour l'exercice 2024 ; leur prime "
            "compte 0,00\u00a0€")  # a no-break space before the euro sign, as every amount
    assert said in nb.missing_text(nouvelle, nouvelle.theme_lines("bups"))
    assert said in nb.missing_text(nouvelle, nouvelle.lines, "cet exercice")
    assert "molecules_ciblees" not in set(nouvelle.theme_lines("bups")["indicateur"])
    # not said: a pharmacy with molecule lines; no table at all (the warning banner says it); 2022, no such premium
    gare = nb.load("PH-GARE", 2024, str(data / "pharmacies.csv"), str(data / "molecules.csv"), "")
    without = nb.load("PH-NOUVELLE", 2024, str(data / "pharmacies.csv"), "", "")
    halles = nb.load("PH-HALLES", 2022, str(data / "pharmacies.csv"), str(data / "molecules.csv"), "")
    assert halles.params.bups.molecules_ciblees.etat.valeur != "actif"
    for rep in (gare, without, halles):
        assert "aucune ligne de cette officine" not in nb.missing_text(rep, rep.lines, "cet exercice")
    assert any("aucune table des molécules ciblées" in w for w in without.warnings)


def test_the_tools_own_rule_book_is_not_listed_among_the_public_documents(tilleuls):
    """A theme report listed the project's rule book as the first of « Les documents publics d'où viennent … »: the
    tool's own reading, where the texts are silent, is said apart (audit)."""
    text = nb.sources_text(tilleuls, tilleuls.theme_lines("numerique"))
    public, rest = text.split("Choix propres à l'outil, là où ces documents se taisent (ce ne sont pas des sources "
                              "publiques) : ")
    assert "Règles de calcul du projet ROSP" not in public
    assert rest.startswith("Règles de calcul du projet ROSP, livre des règles livré avec l")
    assert public.startswith("Les documents publics d'où viennent") and "\n1. " in public


def test_under_a_scenario_the_range_says_the_total_of_the_tools_own_readings(tmp_path):
    """With the README's scenario (the lower stability step pays 0 €), the synthesis said the amount lay « entre
    5 623,15 € et 6 084,93 € » while the tool's own readings give 6 284,93 €, outside it, and said so nowhere (audit)."""
    scenario = tmp_path / "palier.yaml"
    scenario.write_text("2025:\n  bups:\n    stabilite_75:\n      montant_bas: 0\n", encoding="utf-8")
    reference = _load("PH-TILLEULS", 2025)
    rep = nb.load("PH-TILLEULS", 2025, str(ROOT / "data/pharmacies.csv"), str(ROOT / "data/molecules.csv"),
                  str(scenario))
    # PH-TILLEULS 2025 is on the lower step (200 €, parameters/2025.yaml): the scenario takes them off
    assert reference.total_cents() - rep.total_cents() == 200_00
    assert rep.readings.outil_cents == reference.total_cents() == 6_284_93
    text = nb.readings_text(rep)
    # the hypothesis the scenario switched has the tool's reading as its other one (review): priced, +200,00 €, it
    # bounds the range above, at the tool's total; below, the double-payment threshold at 0,01 %: the malus of 534,90 €
    assert "le montant va de 5\u202f550,03\u00a0€ à 6\u202f284,93\u00a0€ parmi les lectures chiffrées ici" in text
    assert text.endswith("Les lectures « retenues » ici sont celles du scénario palier.yaml ; sans ce scénario, avec "
                         "les lectures retenues par l'outil, le total est de 6\u202f284,93\u00a0€.")
    assert reference.readings.outil_cents is None and "scénario" not in nb.readings_text(reference)
    # a scenario changing a value that is no hypothesis (the exercice coordonné paid 500 € instead of 820 €): no reading
    # brings the 288 € back, the tool's total lies above the range (its top: + 73,12 € of the « progression » reading)
    amount = tmp_path / "montant.yaml"
    amount.write_text("2025:\n  numerique:\n    exercice_coordonne:\n      montant: 500\n", encoding="utf-8")
    rep = nb.load("PH-TILLEULS", 2025, str(ROOT / "data/pharmacies.csv"), str(ROOT / "data/molecules.csv"), str(amount))
    assert reference.total_cents() - rep.total_cents() == 288_00  # 320 € less the theme's 10 % malus of facturation
    assert nb.readings_text(rep).endswith("le total est de 6\u202f284,93\u00a0€ (hors de cet intervalle).")


def test_a_theme_with_nothing_to_declare_says_it_once():
    # PH-CESSION 2025 vaccination read « rien — entièrement automatique : rien à déclarer. »
    text = nb.declaration_text(_load("PH-CESSION", 2025), "vaccination")
    assert text == "**À déclarer sur amelipro** : rien — le thème est entièrement automatique."


def test_the_other_exercises_are_compared_from_the_earlier_to_the_later():
    """PH-CENTRE 2025 beside 2026: BUPS 400,00 € then 800,00 € read « écart 2025 − 2026 : −400,00 € », a rise shown
    as a fall. Now « évolution 2025 → 2026 : +400,00 € », in the 2025 report as in the 2026 one."""
    for year in (2025, 2026):
        rep = _load("PH-CENTRE", year)
        bups = {y: int(rep.all_lines.loc[(rep.all_lines["exercice"] == y) & (rep.all_lines["theme"] == "bups"),
                                         "montant_cents"].sum()) for y in (2025, 2026)}
        assert bups == {2025: 400_00, 2026: 800_00}  # the example's BUPS of PH-CENTRE (data/pharmacies.csv)
        html = str(nb.comparison_table(rep))
        assert '<th class="montant">évolution 2025 → 2026</th>' in html
        row = next(r for r in html.split("<tr>") if r.startswith("<td>Bon usage"))
        assert row.endswith('<td class="montant">+400,00\u00a0€</td></tr>')


def test_the_lead_in_of_the_stakes_is_said_only_above_their_table(tilleuls):
    """PH-CENTRE 2025 read « Chaque hypothèse qui change le montant … : » then « Aucune hypothèse … »."""
    lead = ("<p>Chaque hypothèse qui change le montant quand elle seule est remplacée par sa lecture alternative, de la "
            "plus lourde à la plus légère :</p><table>")
    assert str(nb.stakes_table(tilleuls)).startswith(lead)
    assert "Chaque hypothèse" not in str(nb.stakes_table(_load("PH-CENTRE", 2025)))
    template = (ROOT / "notebooks" / "build_notebooks.py").read_text(encoding="utf-8")
    assert "Chaque hypothèse qui change" not in template


def test_the_explorer_refuses_more_kits_tested_than_handed_out(gare):
    """The explorer computed 100 kits tested out of 7 handed out (210,00 €), which a file refuses (« les kits réalisés
    font partie des kits remis »): refused in the field, the total kept; a field refused for the other's value is taken
    once that one makes room for it. PH-GARE 2024 is in a DROM: 2,10 € per kit tested (spec §4), 40 handed out, 25
    tested."""
    ex = nb.Explorer(gare, "colorectal")
    assert ex.total_cents == 25 * 210
    ex.controls["nb_kits_realises"].value = "100"
    assert ex.refused["nb_kits_realises"].startswith("« 100 » : au plus kits remis")
    assert "(« 40 ») : les kits réalisés font partie des kits remis" in ex.refused["nb_kits_realises"]
    assert ex.total_cents == 25 * 210
    ex.controls["nb_kits_remis"].value = "7"  # below the 25 tested still counted
    assert ex.refused["nb_kits_remis"].startswith("« 7 » : au moins kits remis dont le test a été réalisé (« 25 »)")
    ex.controls["nb_kits_realises"].value = "5"  # 5 ≤ 7: both fields taken
    assert ex.refused == {} and ex.values == {"nb_kits_realises": 5, "nb_kits_remis": 7}
    assert ex.total_cents == 5 * 210
    ex.controls["nb_kits_realises"].value = "7"  # at the bound: allowed
    assert ex.refused == {} and ex.total_cents == 7 * 210


def test_under_the_alternative_readings_the_explorer_switches_back_to_the_tools_reading():
    """With the file of alternative readings as the scenario, each « lecture alternative » box set the value the
    scenario had already set: ticking it changed nothing. Its other reading is then the tool's: PH-TILLEULS 2024,
    stabilité at 92 % (the lower tier: 0 € under the scenario, 200 € under the tool's reading, spec §2)."""
    data = ROOT / "data"
    rep = nb.load("PH-TILLEULS", 2024, str(data / "pharmacies.csv"), str(data / "molecules.csv"),
                  str(ROOT / "parameters/scenarios/lectures-alternatives.yaml"))
    ex = nb.Explorer(rep, "bups")
    ex.controls["taux_stabilite_75_pct"].value = "92"
    before = ex.total_cents
    ex.switches["bups.stabilite_75.montant_bas"].value = True
    assert ex.total_cents - before == 20000


def test_a_hypothesis_without_a_priced_alternative_stays_said_under_a_scenario(tmp_path):
    """The molecule premiums of their own (no alternative value known) were tied to the molecule reading's switch by a
    rule on their node: the synthesis no longer said them unpriced, and their gains lost their ⚠ (review)."""
    scenario = tmp_path / "prime.yaml"
    scenario.write_text("2024:\n  bups:\n    molecules_ciblees:\n      primes_par_molecule:\n        valeur:\n"
                        "          sitagliptine: 3\n", encoding="utf-8")
    rep = nb.load("PH-TILLEULS", 2024, str(ROOT / "data/pharmacies.csv"), str(ROOT / "data/molecules.csv"), str(scenario))
    assert nb.stake_for(rep, "bups.molecules_ciblees.primes_par_molecule") is None
    assert ("Primes propres à une molécule (remplacent la prime par défaut) — alternative : primes publiées par molécule "
            "quand elles seront connues") in nb.unquantified_text(rep)


def test_the_explorer_names_the_tools_reading_as_such_under_a_scenario():
    """Under the file of alternative readings, each box set the tool's value while saying « lecture alternative »."""
    data = ROOT / "data"
    rep = nb.load("PH-TILLEULS", 2024, str(data / "pharmacies.csv"), str(data / "molecules.csv"),
                  str(ROOT / "parameters/scenarios/lectures-alternatives.yaml"))
    assert nb.Explorer(rep, "bups").switches["bups.stabilite_75.montant_bas"].description.startswith(
        "lecture de l'outil — ")
    reference = nb.Explorer(_load("PH-TILLEULS", 2024), "bups")
    assert reference.switches["bups.stabilite_75.montant_bas"].description.startswith("lecture alternative — ")


def test_the_explorer_bounds_a_count_by_a_column_of_another_theme(gare):
    """In the dispositif 2024 explorer, kits handed out set to 3 were taken though 25 were tested (a column of the
    colorectal theme, no field here): a file would be refused."""
    ex = nb.Explorer(gare, "dispositif_2024")
    assert "nb_kits_realises" not in ex.controls
    ex.controls["nb_kits_remis"].value = "3"
    assert ex.refused["nb_kits_remis"].startswith("« 3 » : au moins kits remis dont le test a été réalisé (« 25 »)")


def test_a_report_says_a_value_of_its_pharmacy_maybe_cut_by_a_decimal_comma(tmp_path):
    """A comma-separated file where « 96,2 » % was written unquoted reads 96 % and a name « 2 »: the console said it,
    the pharmacy's report (the page a titulaire reads) did not."""
    path = tmp_path / "pharmacies.csv"
    path.write_text("pharmacie_id,exercice,taux_mss_pct,nom\nPH-A,2024,96,2\nPH-B,2024,50,Pharmacie B\n",
                    encoding="utf-8")
    cut = ("exercice 2024, colonnes taux_mss_pct et nom : lues « 96 » et « 2 » ; si vous vouliez « 96,2 » (virgule "
           "décimale), mettez la valeur entre guillemets ou utilisez « ; » comme séparateur — les montants sont calculés "
           "sur les valeurs telles que lues")
    assert cut in nb.load("PH-A", 2024, str(path), "", "").warnings
    assert not [w for w in nb.load("PH-B", 2024, str(path), "", "").warnings if "virgule" in w]


def test_the_navigation_does_not_link_a_theme_absent_that_exercise():
    """A 2025 report linked « Dispositif 2024 », whose page only says it does not exist that year (review)."""
    later = str(nb.navigation(_load("PH-TILLEULS", 2025), "numerique"))
    assert 'href="06_dispositif_2024.html"' not in later and "Dispositif 2024 (sans objet)</span>" in later
    assert 'href="05_dispensation_unite.html"' in later
    assert 'href="06_dispositif_2024.html"' in str(nb.navigation(_load("PH-TILLEULS", 2024), "numerique"))


def test_the_explorer_offers_a_general_reading_only_where_the_theme_depends_on_it():
    """The BUPS explorer offered the carte Vitale's prorata, which no BUPS rule reads: switching it changed nothing
    (review). PH-CESSION 2025 (184 days): the forfaits' prorata moves the numérique and the BUPS, the carte Vitale's
    the numérique only; the rounding moves neither."""
    cession = _load("PH-CESSION", 2025)
    bups = nb.Explorer(cession, "bups").switches
    numerique = nb.Explorer(cession, "numerique").switches
    assert "general.prorata_forfaits" in bups and "general.prorata_carte_vitale_dispositif_2024" not in bups
    assert {"general.prorata_forfaits", "general.prorata_carte_vitale_dispositif_2024"} <= set(numerique)
    assert "general.arrondi" not in bups and "general.arrondi" not in numerique
    ex = nb.Explorer(cession, "numerique")
    # its carte Vitale equipment (borne + 2 lecteurs: 689 + 2 × 250 = 1 189 €) paid whole instead of 1 189 × 184/365
    # = 599,39 €, under the malus of 30 %: (1 189 − 599,39) × 0,70 = 412,727 → +412,73 €
    ex.switches["general.prorata_carte_vitale_dispositif_2024"].value = True
    assert ex.total_cents - cession.theme_total_cents("numerique") == 41273


def test_a_line_at_zero_with_no_arithmetic_says_what_its_amount_means(tilleuls):
    """The « Calcul » cell was empty on a socle met (Ségur, fraud: no amount of their own), a declaration « non » and
    « pas de malus » (review): each says what its 0,00 € means."""
    texts = {}
    for theme in ("numerique", "bups"):
        for _, l in tilleuls.theme_lines(theme).iterrows():
            texts[(l["indicateur"], l["atteint"])] = nb.calcul_text(tilleuls, l)
    assert texts[("logiciel_segur", "oui")] == "socle atteint : sans montant propre, il conditionne le versement du thème"
    assert texts[("absence_fraude", "oui")] == texts[("logiciel_segur", "oui")]
    assert texts[("teleconsultation_equipement", "non")] == "non → 0,00\u00a0€"
    assert texts[("malus_urgence", "pas de malus")] == "pas de malus"
    assert all(texts.values()), [k for k, v in texts.items() if not v]  # no empty cell on the two themes' pages
    import pandas as pd

    from rosp_lib.report.calculation import calculation

    missed = pd.Series({"note": "", "hypotheses": "", "scenario": "", "entrees": "condamnation_fraude=oui",
                        "montant_cents": 0, "atteint": "non", "type_ligne": "socle"})
    assert calculation(missed, {}, tilleuls.params) == "socle non atteint : aucun montant du thème n'est versé"


def test_under_a_scenario_reading_boxes_gained_the_synthesis_names_that_reading_retained():
    """Under lectures-alternatives.yaml (the molecules read as boxes gained), the synthesis said « Prime par boîte
    substituée » retained at 0,22565 €, the premium of the reading the scenario does not use, beside the alternative
    « boîtes substituées » (review; the BUPS report said it right). The retained reading is the scenario's."""
    import html
    import re

    root = Path(__file__).resolve().parent.parent
    rep = nb.load("PH-TILLEULS", 2024, str(root / "data" / "pharmacies.csv"), str(root / "data" / "molecules.csv"),
                  str(root / "parameters" / "scenarios" / "lectures-alternatives.yaml"))
    rows = [[html.unescape(re.sub("<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", str(nb.stakes_table(rep)), re.S)]
    molecules = next(r for r in rows if r and "Génériques, hybrides, biosimilaires" in r[0])
    assert "Lecture du calcul par molécule" in molecules[0] and "Prime par boîte substituée" not in molecules[0]
    assert molecules[1] == "boîtes gagnées sur le taux de départ"
    assert molecules[2].startswith("boîtes substituées (Prime par boîte substituée")


def test_a_saved_explorer_says_in_french_how_to_open_it(tilleuls):
    """A saved theme notebook just opened in JupyterLab showed « VBox(children=(HTML(value="<b>Explorer : … » where no
    live kernel draws the button (review): the widget's text fallback is a French sentence."""
    data = nb.ExplorerButton(tilleuls, "numerique")._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/plain"].startswith("Explorer : ") and data["text/plain"].endswith(
        "exécutez le notebook (Exécuter › Exécuter toutes les cellules), puis cliquez sur « Ouvrir l'explorateur ».")
    import json

    saved = json.loads((Path(__file__).resolve().parent.parent / "notebooks" / "01_numerique.ipynb").read_text("utf-8"))
    shown = [o["data"]["text/plain"] for c in saved["cells"] for o in c.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert shown and all("VBox(" not in "".join(t) for t in shown)
