"""Hat hand-off items and reviewer checks from real-format bodies (bold labels) and from our heading
form. Fixtures are written in our own words in the bold-label shape of the public H·AI·K·U studios."""

from __future__ import annotations

from studio_fixtures import CHECKER_HAT, GUARD_AGENT, MAKER_HAT

from cockpit.sources import studio_items
from cockpit.text import frontmatter


def _body(text: str) -> str:
    return frontmatter.parse("x.md", text).body


def test_a_real_format_hat_yields_what_it_produces_and_its_anti_patterns_as_checks():
    items = studio_items.hat_checklist(_body(MAKER_HAT))
    assert items == (
        "Produced: A change on the branch that passes the suite, with its files named in the unit.",
        "Did not start before reading the unit's criteria",
        "Did not silence a failing check to get green",
        "Did leave each step committed so nothing is lost on a reset",  # a wrapped item is one line
        "Did split a step that grows: by file; by behaviour (should)",  # nested items join their parent
    )
    # Focus and Reads are the mandate, not boxes; the paragraph after the list is not an item
    assert not any("plan" in i or "blocked" in i for i in items)


def test_a_numbered_produces_list_gives_one_item_each():
    assert studio_items.hat_checklist(_body(CHECKER_HAT)) == (
        "Produced: A verdict: pass or send back",
        "Produced: The list of gaps, if any",
        "Did not pass work it did not run",
    )


def test_a_real_format_reviewer_yields_its_checks_and_failure_modes():
    body = _body(GUARD_AGENT)
    assert studio_items.reviewer_checks(body) == (
        "Verify that every input from outside is validated",
        "Verify that no credential is written to a log",
        "Do not accept a claim of safety without evidence",  # emphasis and links stripped
    )
    assert studio_items.reviewer_failure_modes(body) == ("Do not file style remarks as findings",)


def test_a_mandate_given_as_a_list_is_checks_but_an_inline_mandate_is_not():
    listed = "**Mandate:**\n- The agent **MUST** read the whole diff\n- Confirm the rollback works\n"
    assert studio_items.reviewer_checks(listed) == ("Read the whole diff", "Confirm the rollback works")
    assert studio_items.reviewer_checks("**Mandate:** The agent **MUST** be careful.\n") == ()


def test_the_colon_may_sit_outside_the_bold_and_a_bare_label_may_have_an_introduction():
    body = "**Check**:\n\nFor each point:\n\n- First point\n- Second point\n\nClosing words.\n"
    assert studio_items.reviewer_checks(body) == ("First point", "Second point")


def test_our_heading_form_still_works_and_an_explicit_checklist_wins():
    body = (
        "# Hat\n\n**Produces:** A note.\n\n## Hand-off checklist\n\n- [ ] The note is filed.\n"
        "- [x] The owner is named.\n\n## Anti-patterns\n\n- The hat MUST NOT guess.\n"
    )
    assert studio_items.hat_checklist(body) == ("The note is filed.", "The owner is named.")
    assert studio_items.reviewer_checks("## Check\n\n- One\n- Two\n") == ("One", "Two")


def test_items_are_one_line_and_capped():
    long = "word " * 100
    [item] = studio_items.reviewer_checks(f"**Check:**\n- {long}\n")
    assert len(item) <= studio_items.MAX_ITEM and item.endswith("…") and "\n" not in item


def test_lists_inside_code_fences_are_not_items():
    body = "**Check:**\n- Real\n\n```\n- not an item\n```\n"
    assert studio_items.reviewer_checks(body) == ("Real",)
