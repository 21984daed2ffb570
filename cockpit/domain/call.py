"""A command with its arguments, not yet applied: what a key press or a dialog's answer asks for.

Commands are called as typed functions, never looked up by a name string. `call(advance_hat,
unit="fix")` is checked by the type checker against advance_hat's own keywords, so a renamed
command or a wrong keyword fails the check, not the engineer; the engine applies the call later,
inside its one write transaction, to the position it reads there (`Engine.run(slug, a_call)`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec

if TYPE_CHECKING:
    from cockpit.domain.change import Change, Ctx
    from cockpit.domain.walk import Position

P = ParamSpec("P")


def check_command(command: object) -> None:
    """Refuse anything but a command function: a name string is not looked up."""
    if isinstance(command, str) or not callable(command):
        raise TypeError(
            f"a command is a function of cockpit.domain.commands (or a Call), not {command!r}: "
            "commands are not looked up by name"
        )


@dataclass(frozen=True)
class Call:
    """One command and its keyword arguments; calling it with a position and a Ctx applies it."""

    command: Callable[..., Change]
    kwargs: Mapping[str, Any]

    @property
    def name(self) -> str:
        return self.command.__name__

    def __call__(self, pos: Position, ctx: Ctx) -> Change:
        return self.command(pos, ctx, **self.kwargs)


def call(command: Callable[Concatenate[Position, Ctx, P], Change], *args: P.args, **kwargs: P.kwargs) -> Call:
    """Bind a command's arguments (keywords only: every command takes them so) for later."""
    check_command(command)
    if args:
        raise TypeError(f"{command.__name__} takes keyword arguments only")
    return Call(command, MappingProxyType(dict(kwargs)))
