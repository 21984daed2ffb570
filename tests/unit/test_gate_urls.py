"""An external gate decision is recorded with the URL of the decision: a URL, checked, and shown in
the timeline (a sentence typed in its place passed the postmortem gate on nothing anyone can open)."""

from __future__ import annotations

from datetime import datetime

import pytest
from helpers import new_incident, to_gate

from cockpit.app.timeline import timeline_text
from cockpit.domain import commands as c
from cockpit.errors import CockpitError


@pytest.mark.parametrize("url", ["not a url", "docs.example/pm/1", "ftp://docs.example/pm", "https://", "https://a b"])
def test_a_gate_refuses_what_is_not_the_url_of_a_decision(engine, url):
    slug = new_incident(engine, upto="postmortem")
    to_gate(engine, slug)
    with pytest.raises(CockpitError, match="is not the URL of a decision"):
        engine.run(slug, c.approve, external_url=url)
    assert not engine.position(slug).complete


def test_the_decisions_url_is_in_the_timeline(engine):
    slug = new_incident(engine, upto="postmortem")
    to_gate(engine, slug)
    done = engine.run(slug, c.approve, external_url="  https://docs.example/pm/1  ")
    assert done.position.complete
    assert done.position.stage("postmortem").gate.approval.url == "https://docs.example/pm/1"
    assert "https://docs.example/pm/1" in timeline_text(engine.timeline(slug), datetime.now().astimezone())
