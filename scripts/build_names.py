"""Build ``relsignals/resources/first_names.txt``: first names the feature analyzers map to one token.

    pip install faker && python scripts/build_names.py

Names carry no cause, yet a model trained on a few hundred stories learns the
recurring ones ("Priya", "Jake") as features, so swapping a name could change a
label. The analyzers replace known first names with ``_name_``. The list is taken
once from Faker's person providers (MIT) for many locales and committed; Faker is
not needed at run time. Names that are also place, faith or everyday words are
left out: they carry meaning ("India", "Jesus", "hope").
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

LOCALES = ("en_US en_GB en_IN en_NG en_PH es_MX es_ES de_DE fr_FR it_IT pt_BR pl_PL tr_TR nl_NL sw vi_VN "
           "ko_KR ar_AA hi_IN zh_CN ja_JP ru_RU uk_UA el_GR he_IL fa_IR th_TH id_ID").split()
ATTRS = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary",
         "first_romanized_names", "first_names_male_romanized", "first_names_female_romanized")
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
    """.split())


def first_names() -> list[str]:
    names: set[str] = set()
    for locale in LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ModuleNotFoundError:
            continue
        for attr in ATTRS:
            values = getattr(provider, attr, None) or ()
            names.update(values.keys() if isinstance(values, dict) else values)
    return sorted({n.lower() for n in names if re.fullmatch(r"[A-Za-z]{3,}", n)} - EXCLUDE)


if __name__ == "__main__":
    out = Path(__file__).resolve().parents[1] / "relsignals" / "resources" / "first_names.txt"
    names = first_names()
    out.write_text("\n".join(names) + "\n", encoding="utf-8")
    print(f"wrote {len(names)} names to {out}")
