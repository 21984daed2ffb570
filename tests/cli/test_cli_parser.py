"""The lazily built subcommand parsers (cockpit/cli/lazy_parser.py) parse and explain every command
line exactly as the eagerly built ones do, and build only the subcommand a command line reaches."""

from __future__ import annotations

import argparse
import contextlib
import io

import pytest

from cockpit.cli.lazy_parser import Deferred
from cockpit.cli.main import build_parser


def _command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                paths += _command_paths(sub, (*prefix, name))
    return paths


EVERY_PATH = _command_paths(build_parser(lazy=False))


def _outcome(argv: list[str], lazy: bool) -> tuple[object, int | None, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code, parsed = None, None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            parsed = vars(build_parser(lazy=lazy).parse_args(argv))
        except SystemExit as exc:
            code = exc.code
    return parsed, code, out.getvalue(), err.getvalue()


def test_every_command_has_a_path():
    assert len(EVERY_PATH) > 30 and ("feedback", "close") in EVERY_PATH and ("status",) in EVERY_PATH


@pytest.mark.parametrize("path", EVERY_PATH, ids=lambda p: " ".join(p) or "top")
def test_help_of_every_command_is_the_same(path):
    assert _outcome([*path, "--help"], lazy=True) == _outcome([*path, "--help"], lazy=False)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["status"],
        ["status", "checkout-5xx", "--json", "--db", "x.db"],
        ["--db", "x.db", "--read-only", "status", "--json"],
        ["feedback", "close", "s", "FB-001", "--reply", "done", "--actor", "me"],
        ["feedback", "close", "s", "FB-001"],  # one of --reply / --non-actionable is required
        ["feedback", "add", "s", "--title", "t", "--severity", "urgent"],  # not a severity
        ["unit", "add", "s", "--title", "t", "--depends-on", "a", "--depends-on", "b"],
        ["unit"],
        ["runbooks", "sync", "--help"],
        ["stauts"],  # not a command: the error lists the commands
        ["status", "--no-such-flag"],
        ["--studios", "a", "status", "--studios", "b"],
    ],
)
def test_command_lines_parse_the_same(argv):
    assert _outcome(argv, lazy=True) == _outcome(argv, lazy=False)


def test_only_the_command_reached_is_built():
    parser = build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert all(isinstance(p, Deferred) for p in sub.choices.values())
    parser.parse_args(["status", "--json"])
    built = [name for name, p in sub.choices.items() if not isinstance(p, Deferred)]
    assert built == ["status"]
