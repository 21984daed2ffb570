"""The studio codec (cockpit.domain.studio_codec): an intent pins a definition as JSON and walks by
what comes back, so the round trip must be exact, field by field (compare=False fields included),
and a stored definition that cannot be read must be refused, naming where."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from cockpit.domain import studio_codec as codec
from cockpit.domain.studio import Hat, ReviewAgent, Stage, Studio, Template


def same(a: Any, b: Any, where: str = "studio") -> None:
    """Equal field by field, every field of every dataclass (dataclass == skips compare=False ones),
    and of the same type all the way down (a tuple stays a tuple)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def test_every_bundled_studio_round_trips_exactly_through_json(catalog):
    for studio in catalog.studios.values():
        back = codec.loads(codec.dumps(studio))
        same(studio, back)
        assert back.stages[0].hat(back.stages[0].hats[0]) is not None  # hat_defs carried: mandates, checklists


def _rich_studio() -> Studio:
    """Every kind of value the dataclasses and YAML frontmatter hold, in every field."""
    meta = {
        "date": dt.date(2026, 1, 2),
        "when": dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC),
        "pair": (1, "two"),
        "tags": ["a", {"nested": [1.5, None, True]}],
        "$looks-like-a-tag": "data",
        7: "an int key",
        "bytes": b"\x00\x01",
        "set": {"x", "y"},
        "nan-free": float("inf"),
    }
    hat = Hat("maker", "Maker", "Do it.\n", ("item one", "item two"), "/x/hats/maker.md", meta)
    fixer = Hat("fixer", "Fixer", "Fix it.", (), "/x/fix-hats/fixer.md")
    agent = ReviewAgent("lens", "Lens", "Look.", ("check a",), ("misses b",), "/x/lens.md", "stage", {"k": 1})
    template = Template("report", "output", "Report", "## Report", "/x/report.md", {"required": True, "location": "x"})
    stage = Stage(
        name="build",
        description="Build it",
        hats=("maker",),
        fix_hats=("fixer",),
        gate=("ask", "external"),
        elaboration="collaborative",
        reviewers=(agent,),
        hat_defs={"maker": hat, "fixer": fixer},
        templates=(template,),
        inputs=({"stage": "plan", "discovery": "notes"},),
        checks=("ops.rollback",),
        phases={"elaboration": "# Elaborate\n", "execution": "# Execute\n"},
        body="stage body",
        path="/x/STAGE.md",
        meta={"review-agents-include": [{"stage": "plan", "agents": ["lens"]}]},
    )
    return Studio(
        name="demo",
        aliases=("d", "dm"),
        description="A studio",
        category="ops",
        stages=(stage,),
        reviewers=(replace(agent, scope="intent"),),
        slug=None,
        path="/x",
        meta=meta,
        digest="sha256:abc",
        source="bundled",
    )


def test_values_json_lacks_come_back_as_they_were():
    studio = _rich_studio()
    text = codec.dumps(studio)
    json.loads(text)  # plain JSON: no NaN or Infinity literals
    same(studio, codec.loads(text))


@dataclass(frozen=True)
class Extra:
    label: str
    weights: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Wider(Studio):
    """A Studio as it would be with two more fields."""

    extras: tuple[Extra, ...] = ()
    note: str | None = None


def test_a_new_field_is_carried_without_editing_the_codec():
    wide = Wider(**{f.name: getattr(_rich_studio(), f.name) for f in dataclasses.fields(Studio)})
    wide = replace(wide, extras=(Extra("e", {"a": 1}),), note="n")
    encoded = codec._encode(wide, Wider, "studio", keep=None)
    assert encoded["extras"] == [{"label": "e", "weights": {"a": 1}}]
    same(wide, codec._decode(json.loads(json.dumps(encoded)), Wider, "studio"))


def test_a_field_added_after_the_definition_was_stored_takes_its_default():
    document = codec.encode(_rich_studio())
    del document["studio"]["source"]
    del document["studio"]["stages"][0]["phases"]
    back = codec.decode(document)
    assert back.source == "" and back.stages[0].phases == {}


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda d: d["studio"]["stages"][0].__setitem__("hats", "maker"), "studio.stages[0].hats: expected a list"),
        (lambda d: d["studio"]["stages"][0]["hat_defs"]["maker"].pop("body"), "missing field 'body'"),
        (lambda d: d["studio"].__setitem__("colour", "red"), "unknown field 'colour' (written by a newer cockpit?)"),
        (lambda d: d["studio"]["stages"][0]["gate"].__setitem__(0, 3), "studio.stages[0].gate[0]: expected str"),
        (lambda d: d.__setitem__("format", 99), "format 99"),
        (lambda d: d["studio"]["meta"].__setitem__("x", {"$what": 1}), "unknown tag '$what'"),
        (lambda d: d["studio"]["meta"].__setitem__("x", {"$date": "not a date"}), "bad $date value"),
    ],
)
def test_a_definition_it_cannot_read_is_refused_saying_where(damage, says):
    document = json.loads(codec.dumps(_rich_studio()))
    damage(document)
    with pytest.raises(codec.StudioCodecError) as caught:
        codec.loads(json.dumps(document), "inc: its studio definition abc")
    assert str(caught.value).startswith("inc: its studio definition abc")
    assert says in str(caught.value)


def test_text_that_is_not_json_is_refused():
    with pytest.raises(codec.StudioCodecError, match="not JSON"):
        codec.loads("{", "x")
    with pytest.raises(codec.StudioCodecError, match="not a stored studio definition"):
        codec.loads("[1]", "x")


def test_a_value_it_cannot_store_is_refused_at_once():
    studio = replace(_rich_studio(), meta={"obj": object()})
    with pytest.raises(codec.StudioCodecError, match="studio.meta\\['obj'\\]: cannot store a value of type object"):
        codec.dumps(studio)


def test_the_content_digest_ignores_where_the_files_were_and_follows_what_they_say(catalog):
    studio = catalog.get("incident-response")
    moved = replace(studio, path="/elsewhere", source="/elsewhere", digest="")
    assert codec.content_digest(moved) == codec.content_digest(studio)
    stage = studio.stages[0]
    edited = replace(studio, stages=(replace(stage, gate=("ask",)), *studio.stages[1:]))
    assert codec.content_digest(edited) != codec.content_digest(studio)
    assert codec.digest_of(replace(studio, digest="sha256:files")) == "sha256:files"  # the loader's wins
    assert codec.digest_of(replace(studio, digest="")) == codec.content_digest(studio)
