"""What every command group of the CLI shares: the config file, the engine on the chosen
database, running a domain command on an intent, JSON output.

Public so that `cli.main` and every command group (`cli.intents`, `cli.units`, `cli.baton`,
`cli.feedback`, `cli.gates`, `cli.tui`, `cli.checks`, `cli.runbooks`, `cli.assist`) import it from
here and none reaches into another's private names. Imported by every `cockpit` run: keep it to the
standard library at import time; each helper imports what it needs when called.
"""

from __future__ import annotations

import argparse
import os
import sys
from functools import lru_cache

TYPE_CHECKING = False  # not typing's: `cockpit --help` skips importing typing (~2 ms); mypy reads the name
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Concatenate, ParamSpec

    from cockpit.app.config import Config
    from cockpit.app.engine import Engine
    from cockpit.domain.change import Change, Ctx
    from cockpit.domain.walk import Position

    P = ParamSpec("P")  # annotations only (postponed): never evaluated at run time


@lru_cache(maxsize=1)
def cli_config() -> Config:
    """The config file, read once per invocation of main()
    (`cli_config.cache_clear()` there)."""
    from cockpit.app.config import load_config

    return load_config()


def engine_for(
    args: argparse.Namespace, default_db: str | None = None, *, read_only: bool | None = None, warn: bool = True
) -> Engine:
    """The engine on the chosen database. `read_only` defaults to
    --read-only; `warn`: print the network file system warning on stderr (not under the TUI, which
    notifies instead)."""
    from cockpit.app.config import default_db_path
    from cockpit.app.engine import Engine
    from cockpit.sources.studios import load_catalog
    from cockpit.store.database import Store, network_warning

    config = cli_config()
    # Flags, then environment, then the config file. The demo never falls back to $COCKPIT_DB:
    # sample incidents must not land in the real database.
    path = args.db or default_db or os.environ.get("COCKPIT_DB") or config.db or str(default_db_path())
    catalog = load_catalog([*config.studios, *(args.studios or [])])
    actor = args.actor or os.environ.get("COCKPIT_ACTOR") or config.actor
    store = Store(path, read_only=args.read_only if read_only is None else read_only)
    if warn and (fs := store.network_filesystem()):
        print(f"cockpit: warning: {network_warning(store.path, fs)}", file=sys.stderr)
    from cockpit.runbooks.lookup import library_lookup  # what ops.alert-runbooks looks names up in
    from cockpit.sources.project import project_root  # `--root`, or the .haiku project we run in

    engine = Engine(
        store,
        catalog,
        actor=actor,
        threshold=config.threshold,
        runbooks=library_lookup(store),
        project=project_root(getattr(args, "root", None)),
    )
    if warn:  # a linked intent's files not written after a command (a conflict, a refused write)
        engine.warn = lambda problem: print(f"cockpit: warning: {problem}", file=sys.stderr)
    return engine


def add_root_argument(p: Any) -> None:
    """`--root DIR`: the project whose required discovery and outputs the engine's rule looks for."""
    p.add_argument(
        "--root",
        metavar="DIR",
        help="H·AI·K·U project to find required discovery and outputs in (default: the nearest folder at or above here holding .haiku/)",
    )


def run_command(
    args: argparse.Namespace, command: Callable[Concatenate[Position, Ctx, P], Change], *a: P.args, **kwargs: P.kwargs
) -> int:
    """Apply `command` (a function of cockpit.domain.commands, its keywords checked by the type
    checker) to the intent `args.slug` and say what it did and what comes next."""
    done = engine_for(args).run(args.slug, command, *a, **kwargs)
    print(done.summary)
    print(f"next: {done.position.next.text}")
    return 0


def print_json(value: Any) -> None:
    """`value` as indented JSON on stdout, control characters escaped (a terminal never acts on them)."""
    import json

    from cockpit.text.terminal import json_controls_escaped

    print(json_controls_escaped(json.dumps(value, indent=2, ensure_ascii=False)))
