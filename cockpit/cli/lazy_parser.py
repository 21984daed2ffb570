"""Subcommands whose parsers are built only when a command line reaches them.

`cockpit` has about forty subcommands, each with the common options; building all of their
argparse parsers cost more than the rest of `cockpit --help` (and of every `cockpit status`), yet
one run parses with one of them at most. `LazySubParsers.add_parser` lists the command in the
help at once and hands back a stand-in that records what is declared on it (`add_argument`,
`set_defaults`, groups, nested subcommands); the real parser is built, and the record replayed in
order, the first time anything else is asked of it: parsing its arguments, printing its help.
What a command line parses to, and every help text, is what the eager parser gives
(tests/cli/test_cli_parser.py compares them).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

TYPE_CHECKING = False  # not typing's: `cockpit --help` skips importing typing (~2 ms); mypy reads the name
if TYPE_CHECKING:
    from typing import Any

# What a stand-in records; anything else asked of it builds the real object first.
RECORDED = frozenset(
    {
        "add_argument",
        "add_argument_group",
        "add_mutually_exclusive_group",
        "set_defaults",
        "add_subparsers",
        "add_parser",
    }
)


class _Plan:
    """The calls declared on one deferred parser and on everything they returned, in order."""

    def __init__(self, build: Callable[[], argparse.ArgumentParser]) -> None:
        self.build: Callable[[], argparse.ArgumentParser] | None = build
        self.calls: list[tuple[Deferred, Deferred, str, tuple[Any, ...], dict[str, Any]]] = []
        self.real: dict[int, Any] = {}

    def materialize(self, node: Deferred) -> Any:
        if self.build is not None:
            build, self.build = self.build, None
            self.real[id(self.root)] = build()
            for result, target, method, args, kwargs in self.calls:
                self.real[id(result)] = getattr(self.real[id(target)], method)(*args, **kwargs)
            self.calls.clear()
        return self.real[id(node)]

    root: Deferred


class Deferred:
    """A stand-in for a parser (or a group, or a subparsers action) not built yet."""

    def __init__(self, plan: _Plan) -> None:
        object.__setattr__(self, "_plan", plan)

    def __getattr__(self, name: str) -> Any:
        plan: _Plan = object.__getattribute__(self, "_plan")
        if name in RECORDED and plan.build is not None:

            def record(*args: Any, **kwargs: Any) -> Deferred:
                result = Deferred(plan)
                plan.calls.append((result, self, name, args, kwargs))
                return result

            return record
        return getattr(plan.materialize(self), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(object.__getattribute__(self, "_plan").materialize(self), name, value)


class LazySubParsers(argparse._SubParsersAction):  # argparse's own subparsers action, one method changed
    """Register it on the top parser (`parser.register("action", "parsers", LazySubParsers)`)
    before `add_subparsers`."""

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if "help" in kwargs:  # listed in the top help now, as argparse does
            self._choices_actions.append(self._ChoicesPseudoAction(name, kwargs.get("aliases", ()), kwargs.pop("help")))
        eager = super().add_parser

        def build() -> argparse.ArgumentParser:
            for key in (name, *kwargs.get("aliases", ())):
                del self._name_parser_map[key]  # argparse refuses a name already taken
            return eager(name, **kwargs)  # and maps the names to the real parser

        plan = _Plan(build)
        plan.root = Deferred(plan)
        self._name_parser_map[name] = plan.root
        for alias in kwargs.get("aliases", ()):
            self._name_parser_map[alias] = plan.root
        return plan.root
