"""The terminal-safe text function, and the input rules that keep control bytes out of names."""

from __future__ import annotations

import io
import json

import pytest
from hostile import LINE, SEQUENCES, raw_sequences

from cockpit.domain import commands
from cockpit.errors import CockpitError
from cockpit.text.terminal import SafeStream, control_chars, json_controls_escaped, safe, strip


@pytest.mark.parametrize("name,raw,marker", SEQUENCES, ids=[s[0] for s in SEQUENCES])
def test_every_sequence_becomes_visible_and_inert(name, raw, marker):
    shown = safe(f"before {raw}{marker} after")
    assert raw_sequences(shown) == []
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in shown)
    assert marker.rstrip("\x07\x1b\\\x9c") in shown  # the text around it is still there to read


def test_pictures_show_what_was_there():
    assert safe("\x1b]52;c;cm0=\x07") == "␛]52;c;cm0=␇"
    assert safe("make test\r\x1b[K") == "make test␍␛[K"
    assert safe("a\x9bb") == "a<U+009B>b"
    assert safe("\u202eevil") == "<U+202E>evil"


def test_layout_characters_stay_in_bodies_and_go_in_names():
    assert safe("one\n\ttwo\r\nthree") == "one\n\ttwo\nthree"
    assert safe("one\ntwo\tthree", one_line=True) == "one two three"
    assert safe("ad\u200bmin", one_line=True) == "ad<U+200B>min"  # a look-alike name is told apart
    assert safe("👩\u200d💻") == "👩\u200d💻"  # an emoji sequence in a body survives


def test_plain_text_is_returned_as_is():
    text = "Checkout 5xx after cert rotation — p99 ≥ 2 s · FB-001 [bold] (kept)"
    assert safe(text) is text and strip(text) is text


def test_strip_removes_whole_sequences_for_model_answers():
    assert strip("ok\x1b]52;c;cm0=\x07 done\x1b[2J\x1b[31mred\x1b[0m\r\nnext\x9b6n") == "ok donered\nnext"
    assert strip("unterminated \x1b]0;title") == "unterminated "
    assert raw_sequences(strip(LINE)) == []


def test_control_chars_name_each_offender():
    assert control_chars("make test\r\x1b[K rm -rf ~") == [(9, "␍"), (10, "␛")]
    assert control_chars("pytest -q\n\tmake lint") == []


def test_json_stays_exact_and_inert():
    value = {"title": "a\x9b2J\u202eb\x1b]0;t\x07"}
    text = json_controls_escaped(json.dumps(value, indent=2, ensure_ascii=False))
    assert json.loads(text) == value
    assert raw_sequences(text) == [] and "\x9b" not in text and "\u202e" not in text


def test_the_cli_stream_makes_everything_written_safe():
    under = io.StringIO()
    stream = SafeStream(under)
    print(LINE, file=stream)
    assert raw_sequences(under.getvalue()) == []
    assert stream.styled is under


def test_titles_are_one_line_of_plain_text():
    assert commands.check_title("  Checkout 5xx  ") == "Checkout 5xx"
    with pytest.raises(CockpitError, match=r"control characters \(␛ at 9"):
        commands.check_title("Checkout\x1b]0;x\x07")
    with pytest.raises(CockpitError, match="one line"):
        commands.check_title("two\nlines")
    with pytest.raises(CockpitError, match="at most 120"):
        commands.check_title("x" * 121)


def test_an_explicit_slug_is_used_as_given_or_refused():
    assert commands.check_slug("db-failover") == "db-failover"
    with pytest.raises(CockpitError, match=r"invalid slug '\.\./\.\./etc/passwd'.*'etc-passwd'"):
        commands.check_slug("../../etc/passwd")


def test_intent_titles_and_slugs_follow_the_same_rules(engine):
    with pytest.raises(CockpitError, match="control characters"):
        engine.create_intent(studio="incident-response", title="Outage\x1b[2J")
    with pytest.raises(CockpitError, match="at most 120"):
        engine.create_intent(studio="incident-response", title="x" * 200)
    with pytest.raises(CockpitError, match="invalid slug"):
        engine.create_intent(studio="incident-response", title="Outage", slug="../x")
    assert engine.store.slugs() == set()


def test_a_unit_slug_that_would_be_rewritten_is_refused(engine):
    slug = engine.create_intent(studio="incident-response", title="Outage")
    with pytest.raises(CockpitError, match="invalid slug"):
        engine.run(slug, commands.add_unit, title="Read the logs", unit="../../etc/passwd")
    assert not engine.position(slug).active.units


def test_the_screens_line_filter_shows_pictures_within_the_laid_out_width():
    """Layout counted each ESC as zero cells; its picture takes one. A line must not spill past its
    region (regression: a timeline row pushed a character over the scrollbar)."""
    from rich.segment import Segment
    from textual.color import Color

    from screens.terminal_safe import ControlPictures

    line = [Segment("ab\x1b]0;T\x07cd"), Segment("│")]  # text, then the widget's border
    width = Segment.get_line_length(line)
    shown = ControlPictures().apply(line, Color(0, 0, 0))
    assert Segment.get_line_length(shown) == width and shown[-1].text == "│"  # the border stays
    assert "".join(s.text for s in shown).startswith("ab␛]0;T") and "\x1b" not in "".join(s.text for s in shown)
    plain = [Segment("nothing to do")]
    assert ControlPictures().apply(plain, Color(0, 0, 0)) is plain
