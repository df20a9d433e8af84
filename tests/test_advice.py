import json

import pytest

import relsignals
from relsignals.advice import advice_for


@pytest.mark.parametrize("cause", relsignals.CAUSE_IDS)
def test_advice_every_cause_has_steps_and_its_section(cause):
    entry = relsignals.advice(cause)
    assert entry.kind == "cause"
    assert entry.section == relsignals.CAUSES[cause].number
    assert len(entry.steps) >= 3
    assert all(c.section.startswith("5.") for c in entry.coping)
    json.dumps(entry.to_dict())


def test_advice_unknown_id_lists_valid_ids():
    with pytest.raises(relsignals.UnknownIdError) as err:
        relsignals.advice("jealousy")
    message = str(err.value)
    assert "jealousy" in message
    assert all(c in message for c in relsignals.CAUSE_IDS + relsignals.SAFETY_FLAGS)


def test_advice_safety_comes_first_with_emergency_guidance():
    entries = advice_for(["stress"], ["self_harm", "abuse"])
    assert [e.id for e in entries] == ["abuse", "self_harm", "stress"]
    assert "emergency" in entries[0].steps[0].lower()
    assert entries[0].resources and entries[1].resources


def test_advice_never_suggests_partner_work_when_abuse_flagged():
    flagged = advice_for(list(relsignals.CAUSE_IDS), ["abuse"])
    normal = advice_for(list(relsignals.CAUSE_IDS), [])
    flagged_steps = {s for e in flagged[1:] for s in e.steps + tuple(x for c in e.coping for x in c.steps)}
    normal_steps = {s for e in normal for s in e.steps + tuple(x for c in e.coping for x in c.steps)}
    assert flagged_steps < normal_steps
    assert not any(c.id == "rebuilding_trust" for e in flagged for c in e.coping)
    assert not any("couples" in s.lower() or "talk" in s.lower() for e in flagged[1:] for s in e.steps)


def test_advice_crisis_resources_are_configurable(tmp_path, monkeypatch):
    custom = [{"name": "Test line", "contact": "000-TEST", "description": "test", "flags": ["abuse"]}]
    try:
        relsignals.set_crisis_resources(custom)
        assert [r.name for r in relsignals.advice("abuse").resources] == ["Test line"]
        assert relsignals.advice("self_harm").resources == ()
        path = tmp_path / "res.json"
        path.write_text(json.dumps(custom))
        relsignals.set_crisis_resources(None)
        monkeypatch.setenv("RELSIGNALS_RESOURCES", str(path))
        assert [r.name for r in relsignals.crisis_resources("abuse")] == ["Test line"]
    finally:
        relsignals.set_crisis_resources(None)


def test_advice_default_resources_are_international():
    resources = relsignals.crisis_resources()
    assert resources and all(r.region == "international" for r in resources)
    assert {f for r in resources for f in r.flags} == set(relsignals.SAFETY_FLAGS)


BAD_RESOURCES = [[], [{"name": "x"}], [{"name": "a", "contact": "b", "description": "c", "flags": ["x"]}]]


@pytest.mark.parametrize("bad", BAD_RESOURCES)
def test_advice_bad_resources_raise_config_error(bad):
    with pytest.raises(relsignals.ConfigError):
        relsignals.set_crisis_resources(bad)
    assert relsignals.crisis_resources()
