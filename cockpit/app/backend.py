"""The one door from the UI to the engine: every call runs under one lock, off the UI thread.

SQLite connections must not be used by two threads at once; workers call through here. The
engine itself is opened on first use, in a worker: importing the core, loading studios and
opening the database then happen after the first frame is on screen, not before it.

The screens reach the store, the runbook library and the assist ledger only through this class
(the import contracts in pyproject.toml hold them to it), and it returns data, never styled text:
nothing here imports Textual or Rich. The types the screens name are re-exported below.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from datetime import datetime

    from cockpit.app.engine import Done, Engine
    from cockpit.app.haiku_live import Location as Location
    from cockpit.app.haiku_live import Watcher
    from cockpit.app.steps import Plan, Recorded
    from cockpit.assist.types import Prompt, Reply
    from cockpit.domain.call import Call
    from cockpit.domain.finding_detail import FindingDetail
    from cockpit.domain.record import Digest
    from cockpit.domain.steps import Step
    from cockpit.domain.studio import Studio
    from cockpit.domain.studio_upgrade import Drift
    from cockpit.domain.walk import Overview, Position
    from cockpit.errors import CockpitError
    from cockpit.runbooks.doc import Link as Link  # the screens' names for what they show
    from cockpit.runbooks.index import IndexReport
    from cockpit.runbooks.library import Runbook as Runbook
    from cockpit.runbooks.relevance import RelevantRunbook
    from cockpit.store.runs import RunRecord as RunRecord
    from cockpit.text.redact import Redactor


@dataclass(frozen=True)
class RunbookRow:
    """One row of the runbook list, as data (the screen styles it). `kind`: a search `hit` (its
    best-matching column in `snippet`, as (text, is_match) pieces), a runbook `relevant` to the
    intent (why in `reason`; `starred` when linked or strongly matching), or `other` (the rest of
    the library)."""

    name: str
    title: str
    kind: Literal["hit", "relevant", "other"]
    reason: str = ""
    snippet: tuple[tuple[str, bool], ...] = ()
    starred: bool = False


class Backend:
    def __init__(self, engine: Engine | Callable[[], Engine]) -> None:
        """`engine` is an open Engine, or a function that opens one (called once, on first use)."""
        self._opener = engine if callable(engine) else None
        self._engine = None if callable(engine) else engine
        self._lock = threading.RLock()
        self._own_writes = 0  # SQLite's data_version does not move for this connection's own commits
        self._watcher: Watcher | None = None  # the H·AI·K·U projects opened with --haiku, once imported
        self._write_back_problems: dict[str, str] = {}  # slug -> the last write-back that failed

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                assert self._opener is not None  # __init__ keeps an opener whenever it got no engine
                self._engine = self._opener()  # a failure propagates and is retried on the next call
            return self._engine

    def now(self) -> datetime:
        """The time by the engine's clock: the session's one clock (injected into the engine), so
        what the screens show ages against is what the commands stamp."""
        return self.engine.clock()

    def position(self, slug: str) -> Position:
        with self._lock:
            return self.engine.position(slug)

    def studio_drift(self, slug: str) -> Drift | None:
        """Whether the studio's files differ from the definition the intent walks by (the header
        warns, naming `cockpit studio upgrade`); None when they match."""
        with self._lock:
            return self.engine.studio_drift(slug)

    def positions(self) -> list:
        with self._lock:
            return self.engine.positions()

    def overviews(self) -> list[Overview]:
        """Every intent in brief (slug, title, studio, where it stands), the cheap way: for pickers.
        An intent whose studio cannot load is left out (the intent list says why)."""
        from cockpit.domain.walk import Overview

        with self._lock:
            return [o for o in self.engine.overviews() if isinstance(o, Overview)]

    def studios(self) -> list[Studio]:
        """The loaded studios, by name: what a new intent can follow."""
        with self._lock:
            return sorted(self.engine.catalog.studios.values(), key=lambda studio: studio.name)

    def create_intent(self, studio: str, title: str) -> str:
        """Start an intent as `cockpit new` does (the same title and slug rules); its slug."""
        with self._lock:
            slug = self.engine.create_intent(studio=studio, title=title)
            self._own_writes += 1
            return slug

    def run(self, slug: str, command: Call) -> tuple[Done, Position]:
        """Apply `command` (a command of cockpit.domain.commands bound to its arguments:
        cockpit.domain.call.call) and read the new position, both before the UI says anything."""
        with self._lock:
            done = self.engine.run(slug, command)
            self._own_writes += 1
            problem = done.written.problem if done.written else None
            if problem:
                self._write_back_problems[slug] = problem
            else:
                self._write_back_problems.pop(slug, None)
            return done, done.position

    # ------------------------------------------------------------ H·AI·K·U projects, live

    def open_projects(self, paths: list[str]) -> list[str]:
        """Import the intents of each H·AI·K·U project (or intent folder) and start watching their
        files (`watch_projects` then re-reads what changes); what the imports have to say, one
        line each. The folders' picture is taken before the import: a change made meanwhile is
        seen by the first watch."""
        from cockpit.app.haiku_live import Watcher, import_lines
        from cockpit.errors import CockpitError

        watcher = Watcher(paths)
        watcher.prime()
        lines: list[str] = []
        for path in paths:
            try:
                with self._lock:
                    results = self.engine.import_haiku(path)
                    self._own_writes += 1
            except CockpitError as exc:
                lines.append(str(exc))
                continue
            lines += import_lines(results)
        self._watcher = watcher
        return lines

    def watch_projects(self) -> tuple[bool, list[str]]:
        """One look at the opened projects' files: re-import each intent whose files differ from
        what cockpit last read or wrote. (whether anything was imported, what it has to say)."""
        from cockpit.app.haiku_live import import_lines, refresh

        watcher = self._watcher
        if watcher is None:
            return False, []
        changes = watcher.changes()  # a stat of each file, outside the lock: the screens keep reading
        if not changes:
            return False, []
        with self._lock:  # digests and import under the lock: a write-back of ours is recorded by then
            results = refresh(self.engine, changes)
            changed = any(r.status in ("imported", "updated") for r in results)
            if changed:
                self._own_writes += 1
        return changed, import_lines(results)

    @property
    def projects_open(self) -> bool:
        return self._watcher is not None

    def location(self, slug: str) -> Location | None:
        """Where the intent lives (its project, branch, ahead/behind, the last sync, conflicts to
        resolve); None when it lives in the database only and no project is open (nothing to say)."""
        from cockpit.app.haiku_live import Location, kept_versions
        from cockpit.app.haiku_sync import sync_status
        from cockpit.store import haiku_files

        status = sync_status(self.engine, slug, guard=self._lock)  # git (local) answers outside the lock
        with self._lock:
            with self.engine.store.snapshot():
                link = haiku_files.link(self.engine.store, self.engine.store.intent(slug).id)
            problem = self._write_back_problems.get(slug)
        if status.project is None and not self.projects_open:
            return None
        pulled = tuple(c.file for c in status.conflicts if c.take is None)
        kept = kept_versions(link.folder) if link else ()
        return Location(
            status.project,
            status.branch,
            status.ahead,
            status.behind,
            status.last_sync_at,
            tuple(sorted({*pulled, *kept})),
            problem,
        )

    def data_version(self) -> int:
        """Changes whenever anything commits: another connection (a second cockpit, the CLI), or a
        command from any screen of this app (so a screen underneath sees a write made on top)."""
        with self._lock:
            return self.engine.store.data_version() + self._own_writes

    def network_warning(self) -> str | None:
        """What to tell the engineer when the database sits on a network file system (SQLite's
        locks are unreliable there); None on a local disk."""
        from cockpit.store.database import network_warning

        store = self.engine.store
        fs = store.network_filesystem()
        return network_warning(store.path, fs) if fs else None

    def check_integrity(self) -> CockpitError | None:
        """The database's damage, if any (it then refuses writes). On a connection of its own and
        without the lock: it reads the whole file, and the screens keep reading meanwhile."""
        return self.engine.store.check_integrity()

    def timeline(self, slug: str) -> list[dict[str, Any]]:
        with self._lock:
            return self.engine.timeline(slug)

    def star(self, slug: str, event_id: int, on: bool) -> Done:
        """Star (or unstar) a timeline event for the postmortem (cockpit.app.timeline.set_star)."""
        from cockpit.app.timeline import set_star

        with self._lock:
            done = set_star(self.engine, slug, event_id, on)
            self._own_writes += 1
            return done

    def since_you_left(self, slug: str) -> Digest | None:
        """What others did on `slug` since this session's actor last acted there, after a while away."""
        from cockpit.app.timeline import digest

        with self._lock:
            return digest(self.engine, slug)

    def run_of_event(self, slug: str, event_id: int) -> RunRecord | None:
        """The run a `runbook_run` event of `slug` records, its output redacted (None: not a run
        of this intent)."""
        from cockpit.app.steps import run_of_event

        with self._lock:
            record = run_of_event(self.engine, event_id)
        return record if record is not None and record.slug == slug else None

    def plan_step(self, name: str, block: int, slug: str | None) -> Plan:
        """The dry run of block `block` of runbook `name` (cockpit.app.steps.plan_step): nothing runs."""
        from cockpit.app.steps import plan_step

        with self._lock:
            return plan_step(self.engine, name, block, slug=slug)

    def run_planned(self, plan: Plan, on_line: Callable[[str], None], cancel: threading.Event) -> Recorded:
        """Run a confirmed plan (in a worker): the database under the lock, the step outside it."""
        from cockpit.app.steps import run_planned

        recorded = run_planned(self.engine, plan, on_line=on_line, cancel=cancel, guard=self._lock)
        with self._lock:
            self._own_writes += 1
        return recorded

    def step_choices(self, name: str) -> tuple[Step, ...]:
        """Every code block of runbook `name`, numbered as `runbooks show` numbers them."""
        from cockpit.app.steps import step_choices

        with self._lock:
            return step_choices(self.engine, name)

    def finding_detail(self, slug: str, ref: str) -> FindingDetail:
        """Everything known about one finding (body, origin, severity history, fix loop, escalation,
        closure); NotFound when the intent has no finding `ref` (FB-007, fb7, 7)."""
        from cockpit.domain.finding_detail import finding_detail

        with self._lock, self.engine.store.snapshot():  # the position and its events from one moment
            pos = self.engine.position(slug)
            events = self.engine.timeline(slug)
        return finding_detail(pos, ref, events)

    def check_reports(self, slug: str) -> list:
        """Every checked unit's results now (cockpit.domain.check_runs.UnitReport), against the indexed runbooks."""
        from cockpit.domain.check_runs import evaluate

        with self._lock:
            return evaluate(self.engine.position(slug), self.engine.runbooks)

    # ------------------------------------------------------------ LLM assist

    def assist_prompt(
        self,
        slug: str,
        task: str,
        *,
        redactor: Redactor,
        unit: str | None = None,
        ref: str | None = None,
        reviewer: str | None = None,
        question: str | None = None,
    ) -> Prompt:
        """The redacted request for one assist task, built as `cockpit assist preview` builds it:
        read under the lock, built outside it."""
        from cockpit.app.assist_context import prompt_for, read_context

        with self._lock:
            context = read_context(self.engine, slug)
        return prompt_for(context, task, redactor=redactor, unit=unit, ref=ref, reviewer=reviewer, question=question)

    def assist_sent_before(self, slug: str) -> bool:
        from cockpit.store.assist_ledger import has_requests

        with self._lock, self.engine.store.snapshot():  # the snapshot turns storage faults into StoreErrors
            return has_requests(self.engine.store, slug)

    def record_assist(self, prompt: Prompt, reply: Reply) -> dict[str, dict[str, Any]]:
        """Record one request in the ledger; the intent's and the day's totals after it."""
        from cockpit.clock import iso
        from cockpit.store.assist_ledger import record_request

        with self._lock:
            now = iso(self.engine.clock())
            if reply.sent:  # a refusal before sending is not a request
                record_request(self.engine.store, reply, prompt, now)
            return self.assist_totals(prompt.slug)

    def assist_totals(self, slug: str) -> dict[str, dict[str, Any]]:
        """Requests, tokens and cost so far: for the intent, and for today (every intent)."""
        from cockpit.clock import iso
        from cockpit.store.assist_ledger import usage_totals

        with self._lock, self.engine.store.snapshot():
            return usage_totals(self.engine.store, slug, iso(self.engine.clock())[:10])

    # ------------------------------------------------------------ runbooks

    def index_runbooks(self, roots: list[str]) -> IndexReport:
        """Index the runbook folders on a connection of its own, so a big library never holds
        the lock the screens read through."""
        from cockpit.runbooks.index import index_library, library_roots
        from cockpit.runbooks.lookup import library_lookup
        from cockpit.store.database import Store

        store = Store(self.engine.store.path)
        try:
            report = index_library(store, library_roots(roots), clock=self.engine.clock)
        finally:
            store.close()
        with self._lock:  # the engine opened before this index: let the checks see what it holds now
            self.engine.runbooks = library_lookup(self.engine.store)
        return report

    def relevant_runbooks(self, slug: str) -> list[RelevantRunbook]:
        from cockpit.runbooks.relevance import relevant_runbooks

        with self._lock:
            return relevant_runbooks(self.engine.store, self.engine.store.facts(slug), limit=8)

    def runbook_list(self, slug: str | None, query: str) -> tuple[list[RunbookRow], str]:
        """Rows for the runbook list (search hits for a query; else the intent's runbooks first,
        then the whole library), and the library's freshness line."""
        from cockpit.runbooks.library import library_freshness, list_runbooks
        from cockpit.runbooks.search import search_runbooks

        with self._lock:
            store = self.engine.store
            rows: list[RunbookRow] = []
            if query.strip():
                rows += [
                    RunbookRow(hit.name, hit.title, "hit", snippet=hit.snippet_spans)
                    for hit in search_runbooks(store, query, limit=50)
                ]
            else:
                first = self.relevant_runbooks(slug) if slug else []
                rows += [
                    RunbookRow(r.name, r.title, "relevant", reason=f"{r.reason}: {r.detail}", starred=r.starred)
                    for r in first
                ]
                seen = {r.name for r in first}
                rows += [RunbookRow(i.name, i.title, "other") for i in list_runbooks(store) if i.name not in seen]
            return rows, library_freshness(store, self.engine.clock())

    def runbook(self, name: str) -> Runbook:
        from cockpit.runbooks.library import get_runbook

        with self._lock:
            runbook = get_runbook(self.engine.store, name)
        _ = runbook.doc  # parse here, in the worker
        return runbook

    def follow_link(self, link: Link) -> Runbook | None:
        from cockpit.runbooks.library import follow_link

        with self._lock:
            return follow_link(self.engine.store, link)

    def lint_runbook(self, name: str) -> list:
        """Lint findings (cockpit.runbooks.lint.LintFinding) of one stored runbook, links resolved
        against the library."""
        from cockpit.runbooks.library import get_runbook
        from cockpit.runbooks.lint import library_resolver, lint_runbook

        with self._lock:
            store = self.engine.store
            return lint_runbook(get_runbook(store, name).doc, resolve=library_resolver(store))
