"""The engine: load an intent's facts, derive its position, apply one command.

This is what every caller holds (CLI, TUI, demo seeder, LLM tools). It composes the store, the
studio catalog and the pure walk; it adds no rules of its own.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec

from cockpit import severity
from cockpit.clock import Clock, iso, system_clock
from cockpit.domain.walk import (
    CLEARING_RESOLUTION,
    Overview,
    Position,
    blocking_severities,
    derive,
    derive_overview,
)
from cockpit.errors import CockpitError, NotFound

if TYPE_CHECKING:
    # Reads (`cockpit status`, the screens' first paint) need only the walk: the commands, and
    # through them every check, are imported by the first write (about 50 ms of start-up).
    from cockpit.checks.base import RunbookLookup
    from cockpit.domain.change import Change, Ctx
    from cockpit.sources.studios import Catalog
    from cockpit.store.database import Store

MAX_SLUG = 60
P = ParamSpec("P")


def default_actor() -> str:
    try:
        return os.environ.get("COCKPIT_ACTOR") or getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return "unknown"


class Done:
    """What a command did: the line to show, its timeline event, and (on demand) the new position."""

    def __init__(self, summary: str, event_id: int, engine: Engine, slug: str) -> None:
        self.summary = summary
        self.event_id = event_id
        self._engine, self._slug = engine, slug

    @cached_property
    def position(self) -> Position:
        # Derived only when asked: bulk callers (the demo seed, imports) skip a second read.
        return self._engine.position(self._slug)


class Engine:
    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        *,
        clock: Clock = system_clock,
        actor: str | None = None,
        threshold: str = severity.DEFAULT_THRESHOLD,
        runbooks: RunbookLookup | None = None,
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.clock = clock
        self.actor = actor or default_actor()
        # What the checks consult for alert runbooks; None means "no library": those checks say so.
        self.runbooks = runbooks
        if threshold not in severity.RANK:
            raise CockpitError(f"unknown blocking threshold {threshold!r}: use one of {', '.join(severity.SEVERITIES)}")
        self.threshold = threshold

    def _derive(self, facts) -> Position:
        return derive(self.catalog.get(facts.intent.studio), facts, self.threshold)

    def position(self, slug: str) -> Position:
        with self.store.snapshot():
            facts = self.store.facts(slug)
        return self._derive(facts)

    def positions(self) -> list[Position | CockpitError]:
        """Every intent; one whose studio cannot load is reported, the others still derive."""
        with self.store.snapshot():
            everything = self.store.all_facts()
        out: list[Position | CockpitError] = []
        for facts in everything:
            try:
                out.append(self._derive(facts))
            except NotFound as exc:
                out.append(CockpitError(f"{facts.intent.slug}: {exc}"))
        return out

    def overviews(self) -> list[Overview | CockpitError]:
        """Every intent as the all-intents list shows it (`positions()` reduced by walk.overview),
        read without the findings that cannot move a position (walk.deciding): those are only
        counted, by severity, in SQL. On 50,000 findings it reads a tenth of them."""
        with self.store.snapshot():
            counts = self.store.open_counts()
            everything = self.store.overview_facts(blocking_severities(self.threshold), CLEARING_RESOLUTION)
        out: list[Overview | CockpitError] = []
        for facts in everything:
            try:
                studio = self.catalog.get(facts.intent.studio)
            except NotFound as exc:
                out.append(CockpitError(f"{facts.intent.slug}: {exc}"))
                continue
            out.append(derive_overview(studio, facts, counts.get(facts.intent.id, ()), self.threshold))
        return out

    def create_intent(
        self,
        *,
        studio: str,
        title: str,
        slug: str | None = None,
        description: str = "",
        stages: Sequence[str] | None = None,
        skip_stages: Sequence[str] = (),
    ) -> str:
        """`stages` (quick mode: the intent's own walk) and `skip_stages`: checked against the studio."""
        from cockpit.domain import commands
        from cockpit.domain.stage_list import check_walk

        definition = self.catalog.get(studio)
        own, skipped = check_walk(definition, stages, skip_stages)
        title = commands.check_title(title)  # the same rule as unit and finding titles
        wanted = commands.check_slug(slug, MAX_SLUG) if slug else commands.slugify(title, MAX_SLUG)
        with self.store.writing():
            taken = self.store.slugs()
            if slug and slug in taken:
                raise CockpitError(f"an intent {slug!r} already exists")
            final, n = wanted, 2
            while final in taken:
                final, n = f"{wanted[: MAX_SLUG - 4]}-{n}", n + 1
            self.store.create_intent(
                slug=final,
                title=title,
                studio=definition.name,
                description=description,
                at=iso(self.clock()),
                actor=self.actor,
                stages=own,
                skip_stages=skipped,
            )
        return final

    def run(
        self,
        slug: str,
        command: Callable[Concatenate[Position, Ctx, P], Change],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Done:
        """Apply one command atomically: read, decide and write under one write lock.

        `command` is the function itself (`engine.run(slug, commands.edit_unit, unit=..., body=...)`,
        its keywords checked against its signature by the type checker) or a bound
        cockpit.domain.call.Call; a name string is refused, never looked up."""
        from cockpit.domain.call import check_command
        from cockpit.domain.change import Ctx

        check_command(command)
        ctx = Ctx(iso(self.clock()), self.actor, self.runbooks)
        with self.store.writing():
            facts = self.store.facts(slug)
            change = command(self._derive(facts), ctx, *args, **kwargs)
            event_id = self.store.apply(facts.intent.id, change, at=ctx.now, actor=ctx.actor)
        return Done(change.summary, event_id, self, slug)

    def timeline(self, slug: str, limit: int | None = None) -> list[dict[str, Any]]:
        with self.store.snapshot():
            return self.store.timeline(self.store.intent(slug).id, limit)
