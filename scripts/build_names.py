"""Build ``relsignals/resources/first_names.txt``: first names the feature analyzers map to one token.

    pip install faker && python scripts/build_names.py

Names carry no cause, yet a model trained on a few hundred stories learns the
recurring ones ("Priya", "Jake") as features, so swapping a name could change a
label. The analyzers replace known first names with ``_name_``. The list is taken
once from Faker's person providers (MIT), all locales, and committed; Faker is not
needed at run time. Names that are also place, faith or everyday words are left
out: they carry meaning ("India", "Jesus", "hope"); so is every word the corpus
writes in lower case inside sentences more often than capitalised ("job", "will").
"""

from __future__ import annotations

import importlib
import json
import re
from collections import Counter
from pathlib import Path

ATTR_PREFIX = "first_name"
# Place, faith, month and everyday words that are also somebody's name somewhere.
EXCLUDE = set("""
    jesus christ allah buddha krishna shiva god india china israel georgia paris london sydney austin dallas
    houston phoenix orlando chelsea brooklyn florence asia africa america kenya egypt jordan ireland
    january february march april may june july august september october november december ramadan
    will hope grace faith joy mark bill rob sue pat nick don drew frank art rich sunny max chase guy dawn
    summer autumn winter rose lily ivy amber ruby pearl angel honey king sky ray jack hunter miles page cash
    lane reed wade buck gene carol penny holly iris daisy violet olive ginger brandy crystal destiny harmony
    heaven justice liberty mercy trinity unity royal prince duke earl major rusty dusty sandy stormy misty
    sage river rain storm ocean star sol luz patience charity peace comfort lucky queen harsh urban grant
    wage server yoga peer kick harm floor forum job lot else till pastor us min na theres bale canal
    jan son sun man can al ed bo jo lo li le la de del van von bin ali
    ties among raven blessing mats teddy karma jail gala marine gaman christian tao mercedes
    monday tuesday wednesday thursday friday saturday sunday easter christmas diwali eid hanukkah
    muslim islam christian catholic hindu jewish sikh buddhist mormon baptist orthodox saint bible
    german french english irish scottish indian chinese korean japanese filipino nigerian mexican italian
    texas florida berlin manila bali london sydney delhi lagos dubai
    sari orange pepper lemon candy branch hunt nail banks metro shade lavender fairy miracle dot rod lean
    windy kale marsh chin alto tutu greet steward unnamed bunk fed sincere dev
    """.split())


def faker_first_names() -> set[str]:
    """Every ASCII first name of every Faker locale (lowercased)."""
    import faker.config

    names: set[str] = set()
    for locale in faker.config.AVAILABLE_LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ModuleNotFoundError:
            continue
        for attr in dir(provider):
            values = getattr(provider, attr)
            if attr.startswith(ATTR_PREFIX) and isinstance(values, (dict, list, tuple)):
                names.update(n for n in values if isinstance(n, str))
    return {n.lower() for n in names if re.fullmatch(r"[A-Za-z]{3,}", n)}


def everyday_words(paths: list[Path]) -> set[str]:
    """Words the corpus writes in lower case inside sentences more often than capitalised."""
    low: Counter[str] = Counter()
    cap: Counter[str] = Counter()
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            for m in re.finditer(r"(?<=[a-z,;] )[A-Za-z]+\b(?!')", json.loads(line)["text"]):
                (cap if m.group(0)[0].isupper() else low)[m.group(0).lower()] += 1
    return {w for w, n in low.items() if n >= 2 and n > cap[w]}


def first_names() -> list[str]:
    data = Path(__file__).resolve().parents[1] / "data"
    words = everyday_words([data / "train.jsonl"])  # the test split stays unread
    return sorted(faker_first_names() - EXCLUDE - words)


if __name__ == "__main__":
    out = Path(__file__).resolve().parents[1] / "relsignals" / "resources" / "first_names.txt"
    names = first_names()
    out.write_text("\n".join(names) + "\n", encoding="utf-8")
    print(f"wrote {len(names)} names to {out}")
