"""The model card's test-split figures are the ones recorded in the bundled model's metadata."""

import json

from conftest import ROOT

from relsignals.training.evaluate import summary_table


def test_model_card_figures_match_recorded_test_metrics():
    meta = json.loads((ROOT / "models" / "default" / "meta.json").read_text())
    card = (ROOT / "models" / "MODEL_CARD.md").read_text()
    recorded = meta["test_metrics"]
    for line in summary_table({"all": recorded["overall"], **recorded["by_source"]}):
        assert line in card
    assert meta["training_data"]["sha256"] in card


def test_model_card_comparison_table_is_the_committed_one():
    card = (ROOT / "models" / "MODEL_CARD.md").read_text()
    table = (ROOT / "models" / "comparison.md").read_text().strip()
    assert table in card


def test_readme_figures_match_recorded_test_metrics():
    meta = json.loads((ROOT / "models" / "default" / "meta.json").read_text())
    readme = (ROOT / "README.md").read_text()
    recorded = meta["test_metrics"]
    for line in summary_table({"all": recorded["overall"], **recorded["by_source"]}):
        assert line in readme


def test_model_card_sensitivity_table_is_the_committed_one():
    card = (ROOT / "models" / "MODEL_CARD.md").read_text()
    assert (ROOT / "models" / "sensitivity.md").read_text().strip() in card
