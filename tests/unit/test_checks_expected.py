"""A check that compares a unit against upstream text says what it expected (issue 13): the
resolve root-cause check quotes the investigate stage's root cause, trimmed and terminal-safe."""

from __future__ import annotations

from helpers import CHECK_FIXTURES as FX

from cockpit.checks import CHECKS, CheckContext
from cockpit.checks.base import FAIL
from cockpit.checks.resolve import EXPECTED_CHARS

REDIS = (FX / "investigate-root-cause.md").read_text()
CERT = (FX / "investigate-cert-chain.md").read_text()
REDIS_CAUSE = (
    "The API gateway keeps per-tenant rate-limit counters only in the Redis primary and treats a missing "
    "counter as zero, so every Redis failover resets all tenants to an empty quota."
)


def root_cause(body: str, *units: tuple[str, str], stage: str = "investigate") -> list[str]:
    context = CheckContext("fix", "resolve", ("fix",), {stage: units})
    result = CHECKS["resolve.root-cause"].run(body, context)
    assert result.status == FAIL
    return [p.message for p in result.problems]


def test_a_misquoted_root_cause_shows_the_investigate_root_cause_it_should_quote():
    [message] = root_cause((FX / "resolve" / "fail-root-cause.md").read_text(), ("redis-counter-loss", REDIS))
    assert message == (
        "the cited root cause does not match the investigate stage's output: \"A scheduled Redis failover wiped "
        'the rate-limit counters, so every tenant got…" is not in it; investigate/redis-counter-loss says '
        f'"{REDIS_CAUSE}" (quote the root cause verbatim)'
    )  # the unit's `## Root cause` section only, not the Trigger below it nor the title above


def test_citing_one_unit_shows_that_units_root_cause_only():
    body = "## Root cause (from investigate/cert-chain-pinning)\n> Redis lost every counter at once.\n\n## Fix\nx\n"
    [message] = root_cause(body, ("redis-counter-loss", REDIS), ("cert-chain-pinning", CERT))
    assert 'investigate/cert-chain-pinning says "checkout-api trusts only the CA bundle' in message
    assert "redis-counter-loss" not in message


def test_a_missing_root_cause_section_says_what_to_quote():
    [message] = root_cause("## Fix\nx\n", ("redis-counter-loss", REDIS))
    assert message == (
        "no `## Root cause` section: quote the investigate stage's root cause verbatim "
        f'(investigate/redis-counter-loss says "{REDIS_CAUSE}")'
    )


def test_the_expected_text_is_trimmed_one_line_and_terminal_safe():
    upstream = "## Root cause\nThe \x1b]52;c;aGk=\x07pool\nleaks " + "a connection on every retry " * 20
    body = "## Root cause\n> Something else entirely happened here.\n\n## Fix\nx\n"
    [message] = root_cause(body, ("pool", upstream), ("b", "## Root cause\nB went wrong."), ("c", "C went wrong."))
    quoted = message.split('investigate/pool says "')[1].split('"; investigate/b')[0]
    assert quoted.startswith("The ␛]52;c;aGk=␇pool leaks a connection") and quoted.endswith("…")
    assert len(quoted) <= EXPECTED_CHARS and "\n" not in message and "\x1b" not in message
    assert message.endswith('investigate/b says "B went wrong."; and 1 more unit (quote the root cause verbatim)')


def test_a_studio_without_investigate_names_the_earlier_units_plainly():
    [message] = root_cause("## Root cause\n> Nothing like the diagnosis at all.\n\n## Fix\nx\n", ("diag", REDIS),
                           stage="diagnose")  # fmt: skip
    assert f'diag says "{REDIS_CAUSE}"' in message and "the earlier stages' output" in message
