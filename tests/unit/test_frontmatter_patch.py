"""The byte-preserving frontmatter and state.json patcher (cockpit.text.frontmatter_patch).

Property-style: frontmatter is generated from a seeded random source (keys in odd orders,
comments, folded and quoted strings, block and flow lists, blank lines, CRLF), and every case
checks the same laws: wanting what the file holds changes no byte; setting, adding or removing
engine-owned keys leaves every other line and the body byte for byte, and the result reads back
with exactly the wanted values.
"""

from __future__ import annotations

import json
import random

import pytest
import yaml

from cockpit.text.frontmatter_patch import (
    MISSING,
    REMOVE,
    PatchError,
    Want,
    frontmatter_values,
    new_markdown,
    patch_json,
    patch_markdown,
)

UNKNOWN_FORMS = [
    "note: plain words here",
    "quoted: 'single: quoted'",
    'dq: "double \\"quoted\\""',
    "folded: >-\n  a long line folded\n  over two",
    "literal: |\n  keep\n    this\n",
    "flow: [a, b, 'c d']",
    "block:\n- x\n- y",
    "indented:\n  - x\n  - y",
    "nested:\n  inner: 1\n  deeper:\n    k: v",
    "when: 2026-04-14",
    "stamp: 2026-04-14T21:14:23Z",
    "nothing: null",
    "empty: ''",
    "flag: true",
    "# a comment line",
    "",
]
OWNED = {
    "status": ["pending", "active", "completed"],
    "hat": ["", "engineer", "reviewer"],
    "bolt": [0, 1, 2],
    "started_at": [None, "2026-05-01T09:00:00Z"],
    "iterations": [
        [],
        [{"hat": "engineer", "started_at": "2026-05-01T09:00:00Z", "completed_at": None, "result": None}],
    ],
    "depends_on": [[], ["unit-01-a", "unit-02-b"]],
}


def generated(rng: random.Random) -> tuple[str, dict[str, object], str]:
    """(file text, the owned keys it holds, its body)."""
    lines: list[str] = []
    held: dict[str, object] = {}
    owned = list(OWNED)
    rng.shuffle(owned)
    for n, key in enumerate(owned[: rng.randint(0, len(owned))]):
        held[key] = rng.choice(OWNED[key])
        for _ in range(rng.randint(0, 2)):
            form = rng.choice(UNKNOWN_FORMS)
            lines.append(form.replace(form.split(":")[0], f"{form.split(':')[0]}{n}", 1) if ":" in form else form)
        lines.append(yaml.safe_dump({key: held[key]}, sort_keys=False).rstrip("\n"))
    lines.append(rng.choice(UNKNOWN_FORMS[:3]).replace(":", "_tail:", 1))
    body = rng.choice(["", "\n# Heading\n\n- [ ] box\n", "Body text\nwith two lines\n", "\n\n  spaced  \n\n"])
    text = "---\n" + "\n".join(lines) + "\n---\n" + body
    if rng.random() < 0.2:
        text = text.replace("\n", "\r\n")
        body = body.replace("\n", "\r\n")
    return text, held, body


def other_lines(text: str, keys: set[str]) -> list[str]:
    """The frontmatter lines outside the blocks of `keys`, plus the body: what must not move."""
    out, skipping = [], False
    front_end = text.index("\n---", 3)
    for line in text[:front_end].split("\n")[1:]:
        bare = line.rstrip("\r")
        if bare and not bare[0].isspace() and not bare.startswith(("- ", "#")):
            skipping = bare.split(":")[0] in keys
        elif not bare.strip() or bare.startswith("#"):
            skipping = False
        if not skipping:
            out.append(line)
    return [*out, text[front_end:]]


@pytest.mark.parametrize("seed", range(200))
def test_wanting_what_the_file_holds_changes_no_byte(seed):
    text, held, body = generated(random.Random(seed))
    patched = patch_markdown(text, held, body=body)
    assert patched.text == text
    assert patched.changed == ()


@pytest.mark.parametrize("seed", range(200))
def test_set_add_remove_keep_every_other_byte(seed):
    rng = random.Random(1000 + seed)
    text, held, _ = generated(rng)
    wanted: dict[str, object] = {}
    for key, choices in OWNED.items():
        roll = rng.random()
        if roll < 0.3:
            wanted[key] = REMOVE
        elif roll < 0.8:
            wanted[key] = rng.choice(choices)
    patched = patch_markdown(text, wanted)
    before = yaml.safe_load(text.split("---")[1]) or {}
    after = yaml.safe_load(patched.text.split("---")[1]) or {}
    for key, value in wanted.items():
        if value is REMOVE:
            assert key not in after
        else:
            assert after[key] == value
    for key in before:
        if key not in wanted:
            assert after[key] == before[key]  # unknown keys read back the same
    assert list(after) == [k for k in before if k in after] + [k for k in after if k not in before]  # order kept
    touched = {k for k in wanted if k in held or k in after}
    assert other_lines(patched.text, touched) == other_lines(text, touched)
    expected_changed = [
        k for k, v in wanted.items() if (k in held) != (v is not REMOVE) or (v is not REMOVE and held[k] != v)
    ]
    assert list(patched.changed) == expected_changed


def test_a_changed_key_keeps_the_comments_and_blank_lines_around_it():
    text = "---\ntitle: x\n# who owns this\nstatus: pending\n\n# next\nbolt: 1\n---\nbody\n"
    assert patch_markdown(text, {"status": "completed"}).text == text.replace("pending", "completed")
    assert (
        patch_markdown(text, {"bolt": REMOVE}).text
        == "---\ntitle: x\n# who owns this\nstatus: pending\n\n# next\n---\nbody\n"
    )


def test_yaml_dates_and_folded_titles_count_as_their_strings():
    text = "---\ntitle: >-\n  A title folded\n  on two lines\ncreated_at: 2026-04-14\nat: 2026-04-14T21:14:23Z\n---\n"
    wanted = {"title": "A title folded on two lines", "created_at": "2026-04-14", "at": "2026-04-14T21:14:23Z"}
    assert patch_markdown(text, wanted).text == text


def test_types_differ_from_their_spelling():
    text = "---\nbolt: '1'\nflag: 1\n---\n"
    assert patch_markdown(text, {"bolt": 1, "flag": True}).changed == ("bolt", "flag")


def test_want_keeps_an_equivalent_value_or_an_absent_key():
    text = "---\nstatus: complete\n---\n"
    legacy = Want("completed", same=lambda old, new: old in ("complete", new))
    assert patch_markdown(text, {"status": legacy}).text == text
    absent_is_empty = Want([], same=lambda old, new: old is MISSING)
    assert patch_markdown(text, {"depends_on": absent_is_empty}).text == text
    assert "depends_on" in patch_markdown(text, {"depends_on": ["a"]}).text


def test_duplicate_keys_patch_the_last_one_the_engine_reads():
    text = "---\nstatus: a\nstatus: b\n---\n"
    assert patch_markdown(text, {"status": "b"}).text == text
    assert patch_markdown(text, {"status": "c"}).text == "---\nstatus: a\nstatus: c\n---\n"


def test_body_is_replaced_only_when_it_differs_once_trimmed():
    text = "---\ntitle: t\n---\n\n  Body\n\n"
    assert patch_markdown(text, {}, body="Body").text == text
    assert patch_markdown(text, {}, body="New body").text == "---\ntitle: t\n---\n\nNew body\n"


def test_a_file_without_frontmatter_gets_one_only_to_add_keys():
    assert patch_markdown("plain\n", {"a": REMOVE}).text == "plain\n"
    assert patch_markdown("plain\n", {"a": 1}).text == "---\na: 1\n---\nplain\n"


def test_new_files_are_in_the_engine_shape():
    text = new_markdown({"title": "Fix: the pool", "bolt": 1, "depends_on": ["unit-01-a"], "sealed_at": None}, "Body")
    assert text == "---\ntitle: 'Fix: the pool'\nbolt: 1\ndepends_on:\n  - unit-01-a\nsealed_at: null\n---\n\nBody\n"
    assert frontmatter_values(text)["depends_on"] == ["unit-01-a"]


def test_unsafe_frontmatter_is_refused_not_guessed():
    with pytest.raises(PatchError):
        patch_markdown("---\ntitle: x\n", {"title": "y"})
    with pytest.raises(PatchError):
        patch_markdown("---\nstatus: [a,\n---\n", {"status": "b"})


@pytest.mark.parametrize("seed", range(50))
def test_json_keeps_key_order_and_unchanged_files(seed):
    rng = random.Random(seed)
    keys = ["stage", "status", "phase", "started_at", "elaboration_turns", "design_direction", "iterations"]
    rng.shuffle(keys)
    values = {"stage": "design", "status": "active", "phase": "execute", "started_at": None}
    values |= {"elaboration_turns": 3, "design_direction": {"archetype": "x"}, "iterations": []}
    state = {k: values[k] for k in keys}
    text = json.dumps(state, indent=rng.choice([2, 4]))  # someone else's layout
    assert patch_json(text, {"status": "active", "phase": "execute"}).text == text
    patched = patch_json(text, {"phase": "gate", "gate_outcome": None, "elaboration_turns": REMOVE})
    assert list(json.loads(patched.text)) == [k for k in keys if k != "elaboration_turns"] + ["gate_outcome"]
    assert patched.text.endswith("}\n") and patched.text.startswith('{\n  "')
    assert patched.changed == ("phase", "gate_outcome", "elaboration_turns")


def test_json_new_file_is_two_space_indented_with_one_newline():
    assert patch_json(None, {"stage": "x", "iterations": []}).text == '{\n  "stage": "x",\n  "iterations": []\n}\n'
