import relsignals
from relsignals.taxonomy import CAUSES, SECTIONS

GUIDE = {
    "stress": ("1.1", "emotional_connection"),
    "communication": ("1.2", "emotional_connection"),
    "emotional_baggage": ("1.3", "emotional_connection"),
    "personal_growth": ("2.1", "priorities_and_growth"),
    "shifting_priorities": ("2.2", "priorities_and_growth"),
    "relationship_trauma": ("3.1", "past_experiences"),
    "childhood_influences": ("3.2", "past_experiences"),
    "societal_expectations": ("4.1", "external_pressures"),
    "cultural_influences": ("4.2", "external_pressures"),
}


def test_taxonomy_matches_labeling_guide():
    assert {c: (v.number, v.section) for c, v in CAUSES.items()} == GUIDE
    assert list(relsignals.CAUSES) == list(GUIDE)
    assert set(SECTIONS) == {s for _, s in GUIDE.values()}


def test_taxonomy_categories_have_title_and_description():
    cats = relsignals.categories()
    assert [c["id"] for c in cats] == list(GUIDE)
    for c in cats:
        assert c["title"] and c["description"] and c["section_title"]
        assert c["number"].startswith(SECTIONS[c["section"]].number + ".")
