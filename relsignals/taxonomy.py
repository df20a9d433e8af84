"""The label contract: nine cause ids, their four article sections, two safety flags.

The ids are fixed by the labeling guide (``labeling-guide.md``); other code and data
depend on them, so they are data here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """A parent section of the article (sections 1 to 4)."""

    id: str
    number: str
    title: str


@dataclass(frozen=True)
class Cause:
    """One cause from the article, with where it lives and what it means."""

    id: str
    section: str
    number: str
    title: str
    description: str


SECTIONS: dict[str, Section] = {
    s.id: s
    for s in (
        Section("emotional_connection", "1", "The dynamics of emotional connection"),
        Section("priorities_and_growth", "2", "Changes in priorities and personal growth"),
        Section("past_experiences", "3", "Emotional baggage and past experiences"),
        Section("external_pressures", "4", "External influences and societal pressures"),
    )
}

CAUSES: dict[str, Cause] = {
    c.id: c
    for c in (
        Cause("stress", "emotional_connection", "1.1", "Stress",
              "Load from work, money, study, family duties or illness leaves no room for closeness."),
        Cause("communication", "emotional_connection", "1.2", "Communication breakdown",
              "The couple cannot talk things through: unresolved fights, silence, feelings held back."),
        Cause("emotional_baggage", "emotional_connection", "1.3", "Individual emotional struggles",
              "An unresolved inner struggle (grief, depression, low self-worth) blocks closeness."),
        Cause("personal_growth", "priorities_and_growth", "2.1", "Personal growth and independence",
              "The partner is changing: new interests, friends, studies or a need for independence."),
        Cause("shifting_priorities", "priorities_and_growth", "2.2", "Shifting relationship priorities",
              "The partner's view of the relationship is changing: doubts about commitment or the future."),
        Cause("relationship_trauma", "past_experiences", "3.1", "Relationship trauma",
              "Hurt from an earlier relationship (betrayal, heartbreak) makes letting someone in feel unsafe."),
        Cause("childhood_influences", "past_experiences", "3.2", "Childhood influences",
              "How the partner was raised shapes how they attach: a cold home, divorce, neglect."),
        Cause("societal_expectations", "external_pressures", "4.1", "Societal expectations",
              "Pressure to meet norms: provider roles, milestones by a certain age, peers' judgment."),
        Cause("cultural_influences", "external_pressures", "4.2", "Cultural influences",
              "Cultural, religious or family traditions shape the relationship or clash with it."),
    )
}

CAUSE_IDS: tuple[str, ...] = tuple(CAUSES)
SAFETY_FLAGS: tuple[str, ...] = ("abuse", "self_harm")


def section_of(cause_id: str) -> str:
    """Parent section id of a cause id."""
    return CAUSES[cause_id].section


def categories() -> list[dict[str, str]]:
    """The nine causes as plain dicts (id, section, number, title, description), in article order."""
    return [
        {"id": c.id, "section": c.section, "section_title": SECTIONS[c.section].title,
         "number": c.number, "title": c.title, "description": c.description}
        for c in CAUSES.values()
    ]
