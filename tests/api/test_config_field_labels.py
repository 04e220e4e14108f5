"""Every field of every configuration kind served by GET /api/config/_schemas has a label and a one-line help
in the console's `fields` catalogue area, found the way the editor looks it up (console/pages/admin/config/
labels.ts): field.<kind>.<path>, then field.<kind>.<name>, then field.<name>; a new field without one fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from blendcc.api.routes_widget import WEB

CATALOGUES = WEB / "i18n" / "console"


def catalogue(lang: str) -> dict[str, str]:
    out: dict[str, str] = json.loads((CATALOGUES / f"fields.{lang}.json").read_text(encoding="utf-8"))
    return out


def field_paths(root: dict[str, Any], s: dict[str, Any], path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Each property's path (names only: list items and map values add nothing), through $ref and unions."""
    for _ in range(16):
        if "$ref" not in s:
            break
        s = root["$defs"][s["$ref"].rsplit("/", 1)[-1]]
    for sub in [*s.get("anyOf", []), *s.get("oneOf", []), s.get("items"), s.get("additionalProperties")]:
        if isinstance(sub, dict):
            yield from field_paths(root, sub, path)
    for name, fs in (s.get("properties") or {}).items():
        yield (*path, name)
        if len(path) < 8:
            yield from field_paths(root, fs, (*path, name))


def label_key(cat: dict[str, str], kind: str, path: tuple[str, ...]) -> str | None:
    for k in (f"field.{kind}.{'.'.join(path)}", f"field.{kind}.{path[-1]}", f"field.{path[-1]}"):
        if k in cat:
            return k
    return None


def test_every_field_of_every_served_schema_has_a_label_and_a_help(centre: Any) -> None:
    kinds = centre.get("/api/config/_schemas", user="sup")["kinds"]
    en, fa = catalogue("en"), catalogue("fa")
    missing, seen = [], 0
    for kind, info in kinds.items():
        for path in set(field_paths(info["schema"], info["schema"])):
            seen += 1
            key = label_key(en, kind, path)
            if key is None or f"{key}.help" not in en:
                missing.append(f"{kind}: {'.'.join(path)}")
    assert not missing, f"fields without a label and help in web/i18n/console/fields.*.json: {sorted(missing)}"
    assert seen > 150  # the walk reaches nested fields (workflow targets, IVR nodes), not only the top level
    # the fields the brief names, with their real words (kind-specific first, shared names for the rest)
    assert label_key(en, "queues", ("wrap_up_s",)) == "field.queues.wrap_up_s"
    assert en["field.queues.sl_target"] == "Service level goal"
    assert fa["field.queues.long_wait_s"] == "انتظار طولانی (ثانیه)"
    assert label_key(en, "workflows", ("filters", "targets", "queue")) == "field.queue"
    assert label_key(en, "ivr_flows", ("nodes", "callback", "prompt", "text")) == "field.text"


def test_a_field_missing_from_the_catalogue_is_found_by_the_walk() -> None:
    schema = {"properties": {"known": {"$ref": "#/$defs/Inner"}},
              "$defs": {"Inner": {"properties": {"brand_new_s": {"type": "number"}}}}}
    paths = set(field_paths(schema, schema))
    assert paths == {("known",), ("known", "brand_new_s")}
    assert label_key(catalogue("en"), "queues", ("known", "brand_new_s")) is None
