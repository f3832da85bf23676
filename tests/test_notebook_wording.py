"""What a reader of a notebook reads: the notebook's own parameters named (and the option of `rosp report`, who
made the report), never a command-line option alone; a network view computed under a scenario says so in its body,
with the banner of the pharmacy reports."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from rosp_lib.report import network as rn
from rosp_lib.report import notebook as nb
from rosp_lib.report import versements as report_versements

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DATA = ROOT / "data"
SCENARIO = ROOT / "parameters/scenarios/lectures-alternatives.yaml"


def test_the_synthesis_without_statement_names_the_notebook_parameter_and_the_option():
    rep = nb.load("PH-TILLEULS", 2024, str(DATA / "pharmacies.csv"), str(DATA / "molecules.csv"))
    text = report_versements.section_text(rep, None)
    assert "relancez" not in text
    assert text.endswith("donnez le relevé « Mes ROSP » d'amelipro (une ligne par thème ou par indicateur) : "
                         "paramètre `versements` de ce notebook, ou option `--versements FICHIER` de `rosp report`.")


def test_the_network_view_names_its_parameters():
    source = "\n".join(c.source for c in nbformat.read(NOTEBOOKS / "90_reseau.ipynb", as_version=4).cells)
    assert "qu'un scénario `--parametres` permet" not in source
    assert ("qu'un scénario permet de choisir (paramètre `parametres` de ce notebook, option `--parametres` de "
            "`rosp report`)") in source
    assert "(paramètre `date_gains` de ce notebook, option `--date` de `rosp report` ; aujourd'hui par défaut)" in \
        rn.gains_date_text(rn.gains_date("2024-10-01"))


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_the_injected_cell_speaks_of_the_parameters_the_notebook_has(name):
    book = nbformat.read(NOTEBOOKS / name, as_version=4)
    (cell,) = [c for c in book.cells if "injected-parameters" in c.metadata.get("tags", [])]
    declared = book.cells[[i for i, c in enumerate(book.cells) if "parameters" in c.metadata.get("tags", [])][0]]
    assert ("relevé" in cell.source) == ("versements:" in declared.source)  # « sans relevé » only with one
    assert ("build_reseau.py" if name == "90_reseau.ipynb" else "build_notebooks.py") in cell.source


def test_the_network_banner_is_the_reports_banner_exercise_by_exercise():
    network = rn.load_network(str(DATA / "pharmacies.csv"), str(DATA / "molecules.csv"), str(SCENARIO))
    banner = rn.scenario_banner(network)
    assert banner.startswith('<div class="rosp-banniere" role="note"><strong>Scénario « lectures-alternatives.yaml »'
                             "</strong> (Lectures alternatives des hypothèses de lecture) : cette page n'est pas le "
                             "calcul de référence. Valeurs remplacées :<ul><li>exercice 2022 :<ul>")
    assert [int(y) for y in sorted(network.pharmacies["exercice"].unique())] == [2022, 2023, 2024, 2025, 2026]
    assert [banner.count(f"<li>exercice {y} :") for y in range(2022, 2027)] == [1, 1, 1, 1, 1]
    in_2024 = banner.split("<li>exercice 2024 :")[1].split("<li>exercice 2025 :")[0]
    assert ("(<code>numerique.ordonnance_numerique_socle.etat</code>) : neutralisé → <strong>actif</strong>"
            in in_2024)
    # a pharmacy report of one exercise: the same function, the same items, without the exercise heading
    rep = nb.load("PH-TILLEULS", 2024, str(DATA / "pharmacies.csv"), str(DATA / "molecules.csv"), str(SCENARIO))
    items = nb.scenario_banner(rep).split("Valeurs remplacées :<ul>")[1][:-len("</ul></div>")]
    assert in_2024.startswith("<ul>" + items + "</ul>")
    assert rn.scenario_banner(rn.load_network(str(DATA / "pharmacies.csv"))) == ""


def test_the_network_page_shows_the_scenario_banner_in_its_body(tmp_path):
    pm = pytest.importorskip("papermill")
    out = tmp_path / "90_reseau.ipynb"
    pm.execute_notebook(str(NOTEBOOKS / "90_reseau.ipynb"), str(out), cwd=str(NOTEBOOKS), kernel_name="python3",
                        progress_bar=False, parameters={"parametres": str(SCENARIO), "nb_gains": 0})
    book = nbformat.read(out, as_version=4)
    shown = [o["data"]["text/html"] for c in book.cells for o in c.get("outputs", [])
             if "text/html" in o.get("data", {}) and "rosp-banniere" in o["data"]["text/html"]]
    network = rn.load_network(str(DATA / "pharmacies.csv"), str(DATA / "molecules.csv"), str(SCENARIO))
    assert shown == [rn.scenario_banner(network)]


def test_a_theme_header_speaks_of_its_malus_only_for_an_exercise_that_has_one():
    """The 2022 numérique page said « un malus « qualité de la facturation » peut réduire l'ensemble » and « malus
    mesuré du 4e trimestre N-1 au 3e trimestre N », while 2022 has no billing malus (numerique.malus_qualite_facturation
    absent that exercise, docs/regles.md) and the page showed none (review)."""
    from pathlib import Path

    from rosp_lib.report import notebook as nb

    root = Path(__file__).resolve().parents[1]
    texts = {y: nb.header_text(nb.load("PH-HALLES", y, str(root / "data/pharmacies.csv"),
                                       str(root / "data/molecules.csv")), "numerique") for y in (2022, 2023)}
    assert nb.load("PH-HALLES", 2022, str(root / "data/pharmacies.csv")).params.numerique.malus_qualite_facturation \
        .etat.valeur == "absent"
    assert "peut réduire l'ensemble" not in texts[2022] and "Malus mesuré" not in texts[2022]
    # that 2022 has none is a reading of the tool's (no published target), which no line shows: the header says it
    assert "Pas de malus « qualité de la facturation » cet exercice (lecture de l'outil,\u00a0⚠ hypothèse ; " \
           "alternative : « actif &#58; malus appliqué dès 2022 &#40;aucune cible connue&#41; »)." in texts[2022]
    assert "Pas de malus" not in texts[2023]
    assert "Un malus « qualité de la facturation » peut réduire l'ensemble." in texts[2023]
    # its period in the exercise's years, not « N-1 » and « N » (review)
    assert "Malus mesuré du 4e trimestre 2022 au 3e trimestre 2023." in texts[2023]
