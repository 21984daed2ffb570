"""One rule for template slots, shared by the unit-body checks and the runbook lint."""

from __future__ import annotations

import pytest

from cockpit.checks import markdown
from cockpit.checks.base import CheckContext
from cockpit.checks.body import placeholders
from cockpit.text.slots import template_slots


@pytest.mark.parametrize("text", ["<service-name>", "<dashboard link>", "see <alert name> first"])
def test_a_slot_is_found(text):
    assert [m.group(1) for m in template_slots(text)] == [text[text.index("<") + 1 : text.index(">")]]


@pytest.mark.parametrize(
    "text",
    [
        "<br>",
        "<br/>",
        "</details>",
        "<summary>",
        '<img src="x.png">',
        "<https://example.com/a>",
        "<oncall@example.com>",
        "<h2>",
        "<dd>",
        '<span class="x">',
    ],
)
def test_html_autolinks_and_emails_are_not_slots(text):
    assert list(template_slots(text)) == []


def test_the_body_check_knows_the_same_html_tags_as_the_runbook_lint():
    """Regression: the body check called `<h2>` and `<dd>` slots; the lint (with the longer tag list) did not."""
    body = "## Notes\n\nSee <h2> and <dd> in the page; fill <service-name>.\n"
    problems, _ = placeholders(body, markdown.sections(body), CheckContext(unit="u"))
    assert [p.message for p in problems] == ["unfilled template slot `<service-name>`"]
