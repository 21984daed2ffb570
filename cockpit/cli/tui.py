"""The cockpit screen: `cockpit` with no command opens it, `cockpit demo` seeds sample incidents
and opens it on them. Imported by every `cockpit` run: keep it to the standard library at import time;
the UI itself is imported (through cli.ui) only when the screen opens."""

from __future__ import annotations

import sys
from collections.abc import Callable

from cockpit.cli.common import cli_config, engine_for

TYPE_CHECKING = False  # not typing's: `cockpit --help` skips importing typing (~2 ms); mypy reads the name
if TYPE_CHECKING:
    from typing import Any

    from screens.app import CockpitApp  # at run time through cockpit.cli.ui: installed, it is cockpit.screens

DEMO_INCIDENT = "checkout-5xx-cert-rotation"  # demo.INCIDENT, named here so the screen opens before the core loads


def register(sub: Any, cmd: Callable[..., Any]) -> None:
    """Add this module's subcommands to the top-level parser (`cmd` as in cli.build_parser)."""
    p = cmd(
        "demo",
        "Seed sample incidents and runbooks (idempotent) into the demo database and open the cockpit on them.",
        _demo,
    )
    p.add_argument("--no-tui", action="store_true", help="only seed and print the slugs")
    p.add_argument(
        "--reset",
        action="store_true",
        help="first put the demo database back to its seeded state (the demo's own database only)",
    )


def _demo(args) -> int:
    from cockpit.app.config import default_db_path

    default = str(default_db_path().with_name("demo.db"))
    _refuse_a_users_database(args.db or default)
    if not args.no_tui:
        _need_terminal()  # before a reset: the screen it was asked for cannot open
    if args.no_tui or args.reset:
        from cockpit.app import demo
        from cockpit.runbooks.index import library_roots

        roots = library_roots(cli_config().runbooks, args.runbook_dirs or [])
        engine = engine_for(args, default_db=default, read_only=False)  # seeding writes, whatever --read-only says
        if args.reset:
            print(demo.reset(engine, default=args.db is None, roots=roots).summary())
            if not args.no_tui:
                return _launch(lambda: engine, args, open_slug=DEMO_INCIDENT)
        else:
            demo.claim(engine, default=args.db is None)
            for slug, created in demo.seed(engine):
                print(f"{slug}\t{'seeded' if created else 'already there'}")
            print(f"runbooks: {demo.sample_library(engine.store, engine.clock, roots).summary()}")
        print(f"database: {engine.store.path}  (try: cockpit status --db {engine.store.path})")
        return 0

    def open_seeded():
        from cockpit.app import demo

        # Opened writable to seed; --read-only then holds in the screen.
        engine = engine_for(args, default_db=default, read_only=False, warn=False)
        demo.claim(engine, default=args.db is None)  # the screen indexes the library, samples included
        demo.seed(engine)
        return engine

    return _launch(open_seeded, args, open_slug=DEMO_INCIDENT)


def _refuse_a_users_database(path: str) -> None:
    """The demo never seeds, indexes samples into, or resets the database cockpit opens for real
    work ($COCKPIT_DB, the config's `db`, or the default), even when --db names it."""
    import os

    from cockpit.app.config import default_db_path
    from cockpit.errors import CockpitError

    users = [os.environ.get("COCKPIT_DB"), cli_config().db, str(default_db_path())]
    real = os.path.realpath(os.path.expanduser(path))
    if any(u and os.path.realpath(os.path.expanduser(u)) == real for u in users):
        raise CockpitError(
            f"{path} is the database cockpit opens for your own work: the demo keeps to a file of its own "
            "(leave out --db, or give it another file)"
        )


def open_cockpit(args) -> int:
    """`cockpit` with no command: the cockpit screen on the chosen database."""
    haiku = [*cli_config().haiku, *(getattr(args, "haiku", None) or [])]
    return _launch(lambda: engine_for(args, warn=False), args, haiku=haiku)


def _need_terminal() -> None:
    from cockpit.errors import CockpitError

    if not sys.stdout.isatty() or not sys.stdin.isatty():
        raise CockpitError("the cockpit screen needs a terminal; for scripts use a command (cockpit --help)")


def _launch(open_engine: Callable[[], Any], args, open_slug: str | None = None, haiku: list[str] | None = None) -> int:
    """Open the cockpit screen at once; the engine opens in a worker after the first frame."""
    _need_terminal()
    config = cli_config()
    # Importing Textual and composing the first screen allocate a great many long-lived objects and
    # few cycles: the collector's passes over them are wasted start-up time. CockpitApp.run freezes
    # what is alive by then and turns collection back on (bench/tui_bench.py).
    import gc

    gc.disable()
    from cockpit.cli.ui import ui_module  # the UI is imported only here

    if config.keys:  # a typo in [keys] is said at start, not found when the key does nothing
        from cockpit.app.config import check_keys

        check_keys(config, ui_module("keymap").binding_ids())
    cockpit_app: type[CockpitApp] = ui_module("app").CockpitApp

    runbook_dirs = [*config.runbooks, *(args.runbook_dirs or [])]
    app = cockpit_app(
        open_engine,
        read_only=args.read_only,
        open_slug=open_slug,
        keymap=dict(config.keys),
        runbook_dirs=runbook_dirs,
        theme=config.theme,
        haiku=haiku or [],
    )
    app.run()
    if app.startup_error is not None:
        raise app.startup_error
    if app.crash_line is not None:  # a bug ended the app: its traceback is in the log
        print(app.crash_line, file=sys.stderr)
        from cockpit.errors import EX_SOFTWARE

        return EX_SOFTWARE
    return app.return_code or 0
