"""What the article advises for each cause, safety guidance first, and crisis resources.

The advice text lives in ``resources/advice.json`` (the project's own wording of the
article, as concrete steps). Crisis resources default to an international list and can
be replaced with :func:`set_crisis_resources` or the ``RELSIGNALS_RESOURCES``
environment variable (a path to a JSON list).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from functools import cache, lru_cache
from importlib import resources as _pkg_resources
from pathlib import Path
from typing import Any

from .errors import ConfigError, UnknownIdError
from .taxonomy import CAUSE_IDS, CAUSES, SAFETY_FLAGS

ADVICE_IDS: tuple[str, ...] = CAUSE_IDS + SAFETY_FLAGS
_RESOURCE_KEYS = ("name", "contact", "description")


@dataclass(frozen=True)
class Resource:
    """A crisis resource: who to contact, how, and for which safety flags."""

    name: str
    contact: str
    description: str
    flags: tuple[str, ...] = SAFETY_FLAGS
    region: str = "international"


@dataclass(frozen=True)
class Advice:
    """Advice for one cause, safety flag or coping strategy.

    ``kind`` is ``"safety"``, ``"cause"`` or ``"coping"``; ``section`` is the
    article section the advice comes from ("" for safety guidance, which is ours).
    """

    id: str
    kind: str
    title: str
    section: str
    summary: str
    steps: tuple[str, ...]
    coping: tuple[Advice, ...] = ()
    resources: tuple[Resource, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable dict (tuples become lists, as JSON would make them)."""
        return _plain(asdict(self))


def _plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    with _pkg_resources.files("relsignals").joinpath("resources/advice.json").open(encoding="utf-8") as fh:
        return json.load(fh)


_custom_resources: tuple[Resource, ...] | None = None


def _parse_resources(items: Any) -> tuple[Resource, ...]:
    if not isinstance(items, list) or not items:
        raise ConfigError("crisis resources must be a non-empty list of objects")
    parsed = []
    for i, item in enumerate(items):
        if isinstance(item, Resource):
            parsed.append(item)
            continue
        if not isinstance(item, dict) or any(not isinstance(item.get(k), str) for k in _RESOURCE_KEYS):
            raise ConfigError(f"crisis resource {i} needs string fields {', '.join(_RESOURCE_KEYS)}")
        flags = tuple(item.get("flags", SAFETY_FLAGS))
        if set(flags) - set(SAFETY_FLAGS):
            raise ConfigError(f"crisis resource {i} names unknown flags; valid: {', '.join(SAFETY_FLAGS)}")
        parsed.append(Resource(item["name"], item["contact"], item["description"], flags,
                               item.get("region", "")))
    return tuple(parsed)


def set_crisis_resources(items: list[dict[str, Any]] | list[Resource] | str | Path | None) -> None:
    """Replace the crisis resources shown with safety advice.

    Pass a list of dicts (``name``, ``contact``, ``description``, optional ``flags``
    and ``region``), a path to a JSON file holding such a list, or ``None`` to go back
    to the international default.
    """
    global _custom_resources
    if items is None:
        _custom_resources = None
        return
    if isinstance(items, (str, Path)):
        items = _read_resource_file(Path(items))
    _custom_resources = _parse_resources(items)


def _read_resource_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read crisis resources from {path}: {type(exc).__name__}") from None


def crisis_resources(flag: str | None = None) -> list[Resource]:
    """The crisis resources in use, optionally only those for one safety flag."""
    if _custom_resources is not None:
        chosen = _custom_resources
    elif os.environ.get("RELSIGNALS_RESOURCES"):
        chosen = _parse_resources(_read_resource_file(Path(os.environ["RELSIGNALS_RESOURCES"])))
    else:
        chosen = _default_resources()
    if flag is not None and flag not in SAFETY_FLAGS:
        raise UnknownIdError(flag, SAFETY_FLAGS)
    return [r for r in chosen if flag is None or flag in r.flags]


@cache
def _default_resources() -> tuple[Resource, ...]:
    """The international default list, parsed once (resources are frozen)."""
    return _parse_resources(_data()["resources"])


def _steps(entry: dict[str, Any], partner_work: bool) -> tuple[str, ...]:
    return tuple(s["text"] for s in entry["steps"] if partner_work or not s["with_partner"])


def _coping(coping_id: str, partner_work: bool) -> Advice:
    entry = _data()["coping"][coping_id]
    return Advice(coping_id, "coping", entry["title"], entry["section"], entry["summary"],
                  _steps(entry, partner_work))


def _safety(flag: str) -> Advice:
    return _safety_advice(flag, tuple(crisis_resources(flag)))


@lru_cache(maxsize=64)
def _safety_advice(flag: str, resources: tuple[Resource, ...]) -> Advice:
    """A flag's safety guidance with the given resources, built once per pair (both are frozen)."""
    entry = _data()["safety"][flag]
    return Advice(flag, "safety", entry["title"], "", entry["summary"], tuple(entry["steps"]), resources=resources)


def advice(cause_id: str, *, partner_work: bool = True) -> Advice:
    """What the article advises for a cause id (or the safety guidance for a safety flag).

    With ``partner_work=False`` (used when abuse is flagged) every step that asks the
    reader to work on the relationship with the partner is left out.

    >>> advice("stress").section
    '1.1'
    """
    if cause_id in SAFETY_FLAGS:
        return _safety(cause_id)
    if cause_id not in CAUSES:
        raise UnknownIdError(cause_id, ADVICE_IDS)
    return _cause_advice(cause_id, partner_work)


@cache
def _cause_advice(cause_id: str, partner_work: bool) -> Advice:
    """A cause's advice; it depends on nothing else, so each is built once (they are frozen)."""
    entry, cause = _data()["causes"][cause_id], CAUSES[cause_id]
    coping = tuple(
        _coping(c, partner_work) for c in entry["coping"] if partner_work or c != "rebuilding_trust"
    )
    return Advice(cause_id, "cause", cause.title, cause.number, entry["summary"],
                  _steps(entry, partner_work), coping)


def advice_for(labels: list[str], safety: list[str]) -> list[Advice]:
    """Advice for a classification: safety guidance first, then each cause in order."""
    partner_work = "abuse" not in safety
    return [_safety(f) for f in SAFETY_FLAGS if f in safety] + [
        advice(c, partner_work=partner_work) for c in labels
    ]
