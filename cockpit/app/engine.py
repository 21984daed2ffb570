"""The engine: load an intent's facts, derive its position, apply one command.

This is what every caller holds (CLI, TUI, demo seeder, LLM tools). It composes the store, the
studio catalog and the pure walk; it adds no rules of its own.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
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
from cockpit.store import haiku_files, studio_pins

if TYPE_CHECKING:
    # Reads (`cockpit status`, the screens' first paint) need only the walk: the commands, and
    # through them every check, are imported by the first write (about 50 ms of start-up).
    from cockpit.app.haiku import IntentImport
    from cockpit.app.haiku_live import WriteBack
    from cockpit.checks.base import RunbookLookup
    from cockpit.domain.change import Change, Ctx
    from cockpit.domain.model import IntentFacts
    from cockpit.domain.studio import Studio
    from cockpit.domain.studio_upgrade import Drift, UpgradePlan
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
        # An intent linked to a H·AI·K·U project: what writing its files back did (None: not linked).
        self.written: WriteBack | None = None

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
        project: str | os.PathLike[str] | None = None,
    ) -> None:
        self.store = store
        # The H·AI·K·U project whose required discovery and outputs the commands look for (the
        # engine's artifact rule); None: none at hand, the rule is not applied.
        self.project = project
        self.catalog = catalog
        self.clock = clock
        self.actor = actor or default_actor()
        # What the checks consult for alert runbooks; None means "no library": those checks say so.
        self.runbooks = runbooks
        if threshold not in severity.RANK:
            raise CockpitError(f"unknown blocking threshold {threshold!r}: use one of {', '.join(severity.SEVERITIES)}")
        self.threshold = threshold
        # Told each write-back problem (the CLI prints it on stderr; the app reads Done.written).
        self.warn: Callable[[str], None] | None = None
        self._definitions: dict[str, Studio] = {}  # pinned definitions by digest, decoded once
        self._digests: dict[str, tuple[Studio, str]] = {}  # the catalog's studios' digests, by name

    # ------------------------------------------------------------ the definition an intent walks by

    def _walked_by(self, facts: IntentFacts, digest: str | None) -> Studio:
        """The pinned definition `digest`; an intent made before pins (None) walks by the files
        until its next write pins it. Inside the caller's snapshot or transaction."""
        if digest is None:
            return self.catalog.get(facts.intent.studio)
        studio = self._definitions.get(digest)
        if studio is None:
            studio = self._definitions[digest] = self._same_files(facts.intent.studio, digest) or self._decoded(
                facts, digest
            )
        return studio

    def _same_files(self, name: str, digest: str) -> Studio | None:
        """The catalog's studio when its files are the very files pinned (the same file digest): it is
        already parsed (and cached between runs), so the stored definition need not be decoded."""
        try:
            here = self.catalog.get(name)
        except NotFound:
            return None
        return here if here.digest and here.digest == digest else None

    def _decoded(self, facts: IntentFacts, digest: str) -> Studio:
        """The stored definition: the files changed (or no longer load) since the intent was pinned."""
        from cockpit.domain import studio_codec
        from cockpit.domain.studio_upgrade import short

        text = studio_pins.definition(self.store, digest)
        label = f"{facts.intent.slug}: its studio definition {short(digest)}"
        if text is None:
            raise CockpitError(f"{label} is missing from {self.store.path}")
        return studio_codec.loads(text, label)

    def _digest(self, studio: Studio) -> str:
        if studio.digest:  # the loader's file digest: most studios
            return studio.digest
        known = self._digests.get(studio.name)
        if known is None or known[0] is not studio:
            from cockpit.domain import studio_codec

            known = self._digests[studio.name] = (studio, studio_codec.digest_of(studio))
        return known[1]

    def _pin(self, intent_id: int, studio: Studio, *, event_id: int, at: str) -> str:
        """Inside `writing()`: keep `studio` (a catalog definition) and pin the intent to it."""
        digest = self._store_definition(studio, at)
        studio_pins.pin(self.store, intent_id=intent_id, digest=digest, event_id=event_id)
        return digest

    def _store_definition(self, studio: Studio, at: str) -> str:
        from cockpit.domain import studio_codec

        digest = self._digest(studio)
        stored = studio_codec.dumps(replace(studio, digest=digest))
        studio_pins.store_definition(
            self.store, digest=digest, studio=studio.name, source=studio.source, definition=stored, at=at
        )
        return digest

    def position(self, slug: str) -> Position:
        with self.store.snapshot():
            facts = self.store.facts(slug)
            digest = studio_pins.pinned(self.store, facts.intent.id)
            studio = self._walked_by(facts, digest)
        return derive(studio, facts, self.threshold)

    def positions(self) -> list[Position | CockpitError]:
        """Every intent; one whose studio cannot load is reported, the others still derive."""
        with self.store.snapshot():
            everything = self.store.all_facts()
            pins = studio_pins.all_pinned(self.store)
            studios = [self._studio_or_error(facts, pins.get(facts.intent.id)) for facts in everything]
        out: list[Position | CockpitError] = []
        for facts, studio in zip(everything, studios, strict=True):
            out.append(studio if isinstance(studio, CockpitError) else derive(studio, facts, self.threshold))
        return out

    def _studio_or_error(self, facts: IntentFacts, digest: str | None) -> Studio | CockpitError:
        try:
            return self._walked_by(facts, digest)
        except CockpitError as exc:  # unknown or broken studio, an unreadable stored definition
            return CockpitError(f"{facts.intent.slug}: {exc}")

    def overviews(self) -> list[Overview | CockpitError]:
        """Every intent as the all-intents list shows it (`positions()` reduced by walk.overview),
        read without the findings that cannot move a position (walk.deciding): those are only
        counted, by severity, in SQL. On 50,000 findings it reads a tenth of them."""
        with self.store.snapshot():
            counts = self.store.open_counts()
            everything = self.store.overview_facts(blocking_severities(self.threshold), CLEARING_RESOLUTION)
            pins = studio_pins.all_pinned(self.store)
            studios = [self._studio_or_error(facts, pins.get(facts.intent.id)) for facts in everything]
        out: list[Overview | CockpitError] = []
        for facts, studio in zip(everything, studios, strict=True):
            if isinstance(studio, CockpitError):
                out.append(studio)
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
            now = iso(self.clock())
            intent_id = self.store.create_intent(
                slug=final,
                title=title,
                studio=definition.name,
                description=description,
                at=now,
                actor=self.actor,
                stages=own,
                skip_stages=skipped,
            )
            # It walks by this definition from now on, whatever the folders hold later.
            self._pin(intent_id, definition, event_id=self.store.intent(final).event_id, at=now)
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
        now = iso(self.clock())
        with self.store.writing():
            facts = self.store.facts(slug)
            digest = studio_pins.pinned(self.store, facts.intent.id)
            studio = self._walked_by(facts, digest)
            on_disk = self.artifacts_on_disk(studio, facts.intent.slug)
            ctx = Ctx(now, self.actor, self.runbooks, on_disk, None if self.project is None else str(self.project))
            change = command(derive(studio, facts, self.threshold), ctx, *args, **kwargs)
            event_id = self.store.apply(facts.intent.id, change, at=ctx.now, actor=ctx.actor)
            if digest is None:  # made before pins: from its first command on, it keeps this definition
                self._pin(facts.intent.id, studio, event_id=event_id, at=ctx.now)
            link = haiku_files.link(self.store, facts.intent.id)
        done = Done(change.summary, event_id, self, slug)
        if link is not None:  # its files follow at once, whoever ran the command (cockpit.app.haiku_live)
            from cockpit.app.haiku_live import write_back

            done.written = write_back(self, slug, link)
            problem = done.written.problem if done.written else None
            if problem and self.warn is not None:
                self.warn(problem)
        return done

    def artifacts_on_disk(self, studio: Studio, slug: str) -> dict[str, bool] | None:
        """Which of the studio's required discovery and output locations exist in the project for
        intent `slug`; None without a project (the rule is then not applied)."""
        if self.project is None:  # most runs: and the artifact readers (checks) are not imported
            return None
        from cockpit.sources.artifacts import required_on_disk

        return required_on_disk(studio, slug, str(self.project))

    # ------------------------------------------------------------ the studio on disk vs the pinned one

    def studio_drift(self, slug: str) -> Drift | None:
        """Whether the studio's files no longer match the definition the intent walks by; None
        when they match or it is not pinned yet (it then walks by the files)."""
        from cockpit.domain.studio_upgrade import Drift

        with self.store.snapshot():
            intent = self.store.intent(slug)
            digest = studio_pins.pinned(self.store, intent.id)
        if digest is None:
            return None
        try:
            here = self.catalog.get(intent.studio)
        except NotFound as exc:  # gone, or broken: it still walks, by the pinned definition
            return Drift(slug, intent.studio, digest, None, str(exc))
        current = self._digest(here)
        if current == digest:
            return None
        with self.store.snapshot():
            pinned = self._walked_by(self.store.facts(slug), digest)
        return Drift(slug, intent.studio, digest, current, "", pinned.overlay, here.overlay)

    def studio_upgrade_plan(self, slug: str) -> UpgradePlan:
        """What moving the intent onto its studio's definition on disk changes, and which
        recorded facts it would orphan (cockpit.domain.studio_upgrade)."""
        from cockpit.domain.studio_upgrade import UpgradePlan, diff, orphans

        with self.store.snapshot():
            facts = self.store.facts(slug)
            digest = studio_pins.pinned(self.store, facts.intent.id)
            pinned = self._walked_by(facts, digest)
        try:
            new = self.catalog.get(facts.intent.studio)
        except NotFound as exc:
            raise CockpitError(f"{slug}: nothing to upgrade to ({exc}); it walks by its pinned definition") from None
        position = derive(pinned, facts, self.threshold)
        return UpgradePlan(
            slug, facts.intent.id, new.name, digest, self._digest(new), diff(pinned, new), orphans(position, new)
        )

    def upgrade_studio(self, slug: str, *, to: str) -> Done:
        """Pin the intent to its studio's definition on disk, whose digest must be `to` (the one
        whose changes the person saw); refused, writing nothing, when it would orphan facts."""
        from cockpit.domain.studio_upgrade import short

        with self.store.writing():
            plan = self.studio_upgrade_plan(slug)  # again, under the write lock: facts may have moved
            if plan.current != to:
                raise CockpitError(
                    f"the files of studio {plan.studio} changed again ({short(to)} → {short(plan.current)}) "
                    "since the changes were shown: nothing was changed, run the upgrade again"
                )
            if plan.orphans:
                raise CockpitError(
                    f"{slug} stays on studio {plan.studio} {short(plan.pinned or '')}: the upgrade would orphan "
                    "recorded facts: " + "; ".join(plan.orphans)
                )
            if plan.up_to_date:
                raise CockpitError(f"{slug} already walks by studio {plan.studio} {short(to)}: nothing to upgrade")
            now = iso(self.clock())
            self._store_definition(self.catalog.get(plan.studio), now)
            was = short(plan.pinned) if plan.pinned else "the files (not pinned)"
            message = f"studio {plan.studio}: {was} → {short(to)}"
            lines = plan.diff.lines() if plan.pinned else []
            data = {"studio": plan.studio, "from": plan.pinned, "to": to, "changes": lines}
            event_id = studio_pins.upgrade(
                self.store, intent_id=plan.intent_id, digest=to, at=now, actor=self.actor, message=message, data=data
            )
        return Done(f"{slug} now walks by {message}", event_id, self, slug)

    def import_haiku(
        self, path: str | os.PathLike[str], *, slugs: Sequence[str] = (), studio: str | None = None
    ) -> list[IntentImport]:
        """Import H·AI·K·U intent folders (cockpit.app.haiku): one transaction per intent."""
        from cockpit.app.haiku import import_haiku

        return import_haiku(self, path, slugs=slugs, studio=studio)

    def timeline(self, slug: str, limit: int | None = None) -> list[dict[str, Any]]:
        with self.store.snapshot():
            return self.store.timeline(self.store.intent(slug).id, limit)
