"""The Anthropic client, through the real SDK against a fake API on loopback (never the network)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import pytest
from fake_anthropic import FakeAnthropic, closed_port_url
from helpers import REPO

from cockpit.assist.client import Assistant, CircuitBreaker, cost_usd
from cockpit.assist.settings import LLMSettings
from cockpit.assist.types import Prompt, Usage

pytestmark = pytest.mark.anyio
KEY = "sk-ant-test-PLANTED-KEY-0001"
PROMPT = Prompt(
    task="ask",
    slug="inc",
    system=({"type": "text", "text": "You help on-call engineers."},),
    messages=({"role": "user", "content": "What broke?"},),
)


@pytest.fixture(autouse=True)
def no_anthropic_env(monkeypatch):
    # The SDK reads ANTHROPIC_* (keys, base URL, profiles); a developer's shell must not leak in.
    for name in list(os.environ):
        if name.startswith("ANTHROPIC_"):
            monkeypatch.delenv(name)


@pytest.fixture
def fake():
    with FakeAnthropic() as server:
        yield server


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def settings_for(url: str, **overrides) -> LLMSettings:
    return LLMSettings(**{"api_key": KEY, "base_url": url, "max_retries": 0, **overrides})


async def test_text_streams_in_order_with_usage_cost_and_request_id(fake):
    chunks = ["Checkout ", "5xx started ", "at 02:14 ", "after the deploy."]
    fake.text(chunks, input_tokens=100, cache_write=200, cache_read=1000)
    seen: list[str] = []
    reply = await Assistant(settings_for(fake.url)).stream(PROMPT, seen.append)

    assert reply.ok and seen == chunks
    assert reply.text == "".join(chunks)
    assert (reply.stop_reason, reply.request_id, reply.model) == ("end_turn", "req_fake_0001", "claude-sonnet-4-6")
    assert reply.usage == Usage(input_tokens=100, output_tokens=4, cache_write_tokens=200, cache_read_tokens=1000)
    # Sonnet: $3 in, $15 out per MTok; cache write 1.25x, read 0.1x.
    assert reply.cost_usd == pytest.approx((100 * 3 + 200 * 3.75 + 1000 * 0.3 + 4 * 15) / 1e6)
    sent = fake.requests[0]
    assert sent.path == "/v1/messages" and sent.body["stream"] is True
    assert sent.body["model"] == "claude-sonnet-4-6" and sent.body["max_tokens"] == 2048
    assert sent.body["system"] == list(PROMPT.system) and sent.body["messages"] == list(PROMPT.messages)
    assert "tools" not in sent.body and "tool_choice" not in sent.body
    assert KEY in sent.headers.get("authorization", "") + sent.headers.get("x-api-key", "")
    fake.assert_never_received(KEY)


async def test_latency_comes_from_the_injected_clock(fake):
    fake.text(["ok"])
    clock = Clock()

    def on_text(piece: str) -> None:
        clock.now += 0.75  # the answer took 750 ms to arrive

    reply = await Assistant(settings_for(fake.url), clock=clock).stream(PROMPT, on_text)
    assert reply.latency_ms == 750


async def test_a_max_tokens_stop_is_reported(fake):
    fake.text(["The first half of a long"], stop_reason="max_tokens")
    reply = await Assistant(settings_for(fake.url, max_tokens=5)).stream(PROMPT)
    assert reply.ok and reply.stop_reason == "max_tokens" and reply.text == "The first half of a long"
    assert fake.requests[0].body["max_tokens"] == 5


async def test_a_tool_use_answer_is_parsed_from_streamed_json(fake):
    tool = {
        "name": "set_severity",
        "description": "Set a finding's severity",
        "input_schema": {"type": "object", "properties": {"ref": {"type": "string"}}},
    }
    prompt = Prompt(
        task="classify",
        slug="inc",
        system=PROMPT.system,
        messages=PROMPT.messages,
        tools=(tool,),
        tool_choice={"type": "tool", "name": "set_severity"},
        ref="F3",
    )
    fake.tool_use(
        "set_severity",
        {"ref": "F3", "severity": "high", "why": 'checkout is down for "all" users'},
        preface_text="Classifying.",
    )
    seen: list[str] = []
    reply = await Assistant(settings_for(fake.url)).stream(prompt, seen.append)

    assert reply.ok and reply.stop_reason == "tool_use" and reply.text == "Classifying." == "".join(seen)
    assert [(c["name"], c["input"]) for c in reply.tool_calls] == [
        ("set_severity", {"ref": "F3", "severity": "high", "why": 'checkout is down for "all" users'})
    ]
    body = fake.requests[0].body
    assert body["tools"] == [tool] and body["tool_choice"] == {"type": "tool", "name": "set_severity"}


async def test_a_429_is_retried_by_the_sdk_then_succeeds(fake):
    fake.status(429, "rate_limit_error", retry_after=0.01)
    fake.text(["fine now"])
    reply = await Assistant(settings_for(fake.url, max_retries=2)).stream(PROMPT)
    assert reply.ok and reply.text == "fine now" and reply.request_id == "req_fake_0002"
    assert fake.request_count == 2
    assert [r.headers.get("x-stainless-retry-count") for r in fake.requests] == ["0", "1"]


async def test_a_429_with_no_retries_left_is_rate_limited(fake):
    fake.status(429, "rate_limit_error", retry_after=30)
    reply = await Assistant(settings_for(fake.url)).stream(PROMPT)
    assert reply.error.kind == "rate_limited" and reply.error.retryable
    assert "wait 30s" in reply.error.message and "req_fake_0001" in reply.error.message


async def test_a_529_without_retries_is_overloaded_with_its_request_id(fake):
    fake.status(529, "overloaded_error")
    reply = await Assistant(settings_for(fake.url, max_retries=0)).stream(PROMPT)
    assert not reply.ok and reply.error.kind == "overloaded" and reply.error.retryable
    assert reply.error.request_id == reply.request_id == "req_fake_0001"
    assert "req_fake_0001" in reply.error.message
    assert fake.request_count == 1


@pytest.mark.parametrize(
    ("code", "etype", "kind"),
    [
        (401, "authentication_error", "auth"),
        (403, "permission_error", "auth"),
        (400, "invalid_request_error", "bad_request"),
        (413, "request_too_large", "bad_request"),
        (500, "api_error", "api"),
    ],
)
async def test_status_errors_map_to_kinds(fake, code, etype, kind):
    fake.status(code, etype)
    reply = await Assistant(settings_for(fake.url)).stream(PROMPT)
    assert reply.error.kind == kind and str(code) in reply.error.message


async def test_the_key_never_appears_in_an_error_message(fake):
    fake.status(401, "authentication_error", message=f"invalid x-api-key: {KEY}")
    reply = await Assistant(settings_for(fake.url)).stream(PROMPT)
    assert reply.error.kind == "auth" and KEY not in repr(reply) and "[api key]" in reply.error.message


async def test_an_error_event_mid_stream_keeps_the_partial_text_and_is_retryable(fake):
    fake.midstream_error(["The deploy at ", "02:10 "], error_type="overloaded_error")
    seen: list[str] = []
    reply = await Assistant(settings_for(fake.url, max_retries=2)).stream(PROMPT, seen.append)
    assert reply.error.kind == "midstream" and reply.error.retryable
    assert reply.text == "The deploy at 02:10 " == "".join(seen)
    assert "cut off (overloaded error)" in reply.error.message and reply.request_id == "req_fake_0001"
    assert reply.usage.input_tokens == 12  # message_start arrived: those tokens were billed
    assert fake.request_count == 1  # the SDK never retries a stream that already started


async def test_cancelling_mid_stream_closes_the_socket_and_keeps_the_partial_text(fake):
    fake.slow([f"w{i} " for i in range(200)], delay=0.02)
    assistant = Assistant(settings_for(fake.url))
    seen: list[str] = []
    three = asyncio.Event()
    handed: list = []

    def on_text(piece: str) -> None:
        seen.append(piece)
        if len(seen) == 3:
            three.set()

    task = asyncio.create_task(assistant.stream(PROMPT, on_text, on_cancel=handed.append))
    await asyncio.wait_for(three.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    partial = assistant.last_reply
    assert partial is not None and partial.cancelled and not partial.ok and partial.error is None
    assert partial.text == "".join(seen) and len(seen) >= 3 and len(seen) < 200
    assert partial.request_id == "req_fake_0001" and handed == [partial]
    assert await asyncio.to_thread(fake.disconnected.wait, 5), "the server never saw the client go"


async def test_a_refused_connection_names_the_url(fake):
    url = closed_port_url()
    reply = await Assistant(settings_for(url)).stream(PROMPT)
    assert reply.error.kind == "connection" and reply.error.retryable
    assert reply.error.message.startswith(f"cannot reach {url}") and "refused" in reply.error.message.lower()


async def test_a_silent_server_times_out(fake):
    fake.hang(10)
    started = time.monotonic()
    reply = await Assistant(settings_for(fake.url, timeout=0.3)).stream(PROMPT)
    assert reply.error.kind == "timeout" and fake.url in reply.error.message
    assert time.monotonic() - started < 5


async def test_the_breaker_opens_after_n_failures_then_lets_a_trial_through(fake):
    clock = Clock()
    assistant = Assistant(settings_for(fake.url), breaker=CircuitBreaker(3, 120, clock=clock), clock=clock)
    for _ in range(3):
        fake.status(500, "api_error")
    for _ in range(3):
        assert (await assistant.stream(PROMPT)).error.kind == "api"
    assert fake.request_count == 3

    paused = await assistant.stream(PROMPT)
    assert paused.error.kind == "circuit_open"
    assert paused.error.message == "assist paused after 3 failed requests; trying again in 2m"
    clock.now += 20
    assert (await assistant.stream(PROMPT)).error.message.endswith("trying again in 1m 40s")
    assert fake.request_count == 3  # nothing was sent while open

    clock.now += 100
    fake.text(["back"])
    reply = await assistant.stream(PROMPT)
    assert reply.ok and reply.text == "back" and fake.request_count == 4
    assert assistant.breaker.allow() is None and assistant.breaker.consecutive == 0


async def test_a_failed_trial_reopens_the_breaker(fake):
    clock = Clock()
    assistant = Assistant(settings_for(fake.url), breaker=CircuitBreaker(1, 60, clock=clock), clock=clock)
    fake.status(529, "overloaded_error").status(529, "overloaded_error")
    assert (await assistant.stream(PROMPT)).error.kind == "overloaded"
    clock.now += 61
    assert (await assistant.stream(PROMPT)).error.kind == "overloaded"
    assert (await assistant.stream(PROMPT)).error.kind == "circuit_open"
    assert fake.request_count == 2


async def test_auth_and_bad_request_errors_do_not_trip_the_breaker(fake):
    assistant = Assistant(settings_for(fake.url, breaker_failures=2))
    fake.status(401, "authentication_error").status(400, "invalid_request_error").status(401, "authentication_error")
    kinds = [(await assistant.stream(PROMPT)).error.kind for _ in range(3)]
    assert kinds == ["auth", "bad_request", "auth"] and fake.request_count == 3


def test_breaker_wording():
    clock = Clock()
    breaker = CircuitBreaker(2, 120, clock=clock)
    breaker.failure()
    assert breaker.allow() is None
    breaker.failure()
    assert breaker.allow() == "assist paused after 2 failed requests; trying again in 2m"
    clock.now += 119.5
    assert breaker.allow() == "assist paused after 2 failed requests; trying again in 1s"
    breaker.success()
    assert breaker.allow() is None


def test_cost_formula():
    usage = Usage(
        input_tokens=1_000_000, output_tokens=1_000_000, cache_write_tokens=1_000_000, cache_read_tokens=1_000_000
    )
    assert cost_usd(usage, (3.0, 15.0)) == pytest.approx(3 + 3.75 + 0.3 + 15)


async def test_no_key_answers_without_sending_anything(fake):
    reply = await Assistant(LLMSettings(base_url=fake.url)).stream(PROMPT)
    assert reply.error.kind == "no_key" and "ANTHROPIC_API_KEY" in reply.error.message
    assert "chmod 600" in reply.error.message and fake.request_count == 0


def run_python(code: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_the_client_does_not_import_the_sdk():
    out = run_python(
        "import sys, cockpit.assist.client, cockpit.assist.settings, cockpit.store.assist_ledger\n"
        "print('anthropic' in sys.modules, 'httpx2' in sys.modules)"
    )
    assert out == "False False"


def test_no_key_never_imports_the_sdk():
    out = run_python(
        "import asyncio, sys\n"
        "from cockpit.assist.client import Assistant\n"
        "from cockpit.assist.settings import LLMSettings\n"
        "from cockpit.assist.types import Prompt\n"
        "reply = asyncio.run(Assistant(LLMSettings()).stream(Prompt('ask', 'inc', (), ())))\n"
        "print(reply.error.kind, 'anthropic' in sys.modules)"
    )
    assert out == "no_key False"


async def test_cancelling_before_the_first_byte_still_leaves_a_cancelled_reply(fake):
    fake.hang(10)
    assistant = Assistant(settings_for(fake.url))
    task = asyncio.create_task(assistant.stream(PROMPT))
    while fake.request_count == 0:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert assistant.last_reply.cancelled and assistant.last_reply.text == ""


async def test_a_failing_on_text_callback_propagates_and_does_not_trip_the_breaker(fake):
    fake.text(["a", "b"])
    assistant = Assistant(settings_for(fake.url, breaker_failures=1))

    def broken(piece: str) -> None:
        raise KeyError("widget gone")

    with pytest.raises(KeyError, match="widget gone"):
        await assistant.stream(PROMPT, broken)
    assert assistant.breaker.consecutive == 0 and assistant.breaker.allow() is None


async def test_a_deprecated_model_becomes_a_notice_not_a_stderr_warning(fake, monkeypatch):
    """The SDK warns when a request names a model it lists as deprecated. Which models it lists
    changes with every release, so the warning is raised here, where the SDK raises it: when the
    request is made. The test holds whatever the SDK's own table says."""
    import warnings

    from anthropic.resources.messages import AsyncMessages

    real_stream = AsyncMessages.stream

    def stream_warning_for_old(self, **kwargs):
        if kwargs.get("model") == "claude-retired-test":
            warnings.warn(
                f"The model '{kwargs['model']}' is deprecated and will reach end-of-life on 2026-01-01.\n"
                "Please migrate to a newer model.",
                DeprecationWarning,
                stacklevel=2,
            )
        return real_stream(self, **kwargs)

    monkeypatch.setattr(AsyncMessages, "stream", stream_warning_for_old)
    fake.text(["ok"]).text(["ok"])
    assistant = Assistant(settings_for(fake.url, model="claude-retired-test"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert (await assistant.stream(PROMPT)).ok
    assert not [w for w in caught if "deprecated" in str(w.message)]
    assert assistant.notice == "The model 'claude-retired-test' is deprecated and will reach end-of-life on 2026-01-01."
    assistant.settings = settings_for(fake.url, model="claude-haiku-4-5")
    assert (await assistant.stream(PROMPT)).ok and assistant.notice is None


async def test_a_fast_stream_leaves_the_event_loop_free_between_events(fake):
    """Buffered SSE events parse without suspending; the client yields per event so the app's
    keys get a turn (bench/assist_pane_bench.py measures the effect on key latency)."""
    import asyncio

    fake.text([f"t{i} " for i in range(500)])
    turns = 0
    done = asyncio.Event()

    async def other_task() -> None:  # stands in for the app's key handling
        nonlocal turns
        while not done.is_set():
            turns += 1
            await asyncio.sleep(0)

    ticker = asyncio.ensure_future(other_task())
    at_delta: list[int] = []  # the other task's turns so far, at each delta
    reply = await Assistant(settings_for(fake.url)).stream(PROMPT, lambda _: at_delta.append(turns))
    done.set()
    await ticker
    assert reply.ok and len(at_delta) == 500
    assert at_delta[-1] - at_delta[0] >= 499  # a turn between any two events, not one per network read
