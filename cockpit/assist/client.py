"""The one door to the Anthropic API: stream a Prompt, get a Reply; never raise for API trouble.

The only module that imports `anthropic`, and only inside functions: the import costs hundreds of
milliseconds, so it happens on the first request, in a thread (`load_sdk`), never at start-up.

Every outcome is a `Reply`: whole, cut by an error (`reply.error`, with the partial text kept), or
refused before sending (no key, breaker open). Exceptions that escape: one raised by your own
`on_text` (a UI bug is not an API failure, so it neither becomes a Reply nor trips the breaker),
and `asyncio.CancelledError` (Esc cancels the app's worker): leaving the stream's context closes the
socket, the partial Reply (`cancelled=True`) is stored in `assistant.last_reply` and handed to the
call's `on_cancel`, then the cancellation propagates. Read it in your `except CancelledError:`
block, before any other await — or use `on_cancel`, which cannot be confused with a later call.

Retries: the SDK retries the opening request (429, 5xx, 529, connection, timeout) up to
`max_retries` times inside one call; a stream cut mid-way is never retried (kind `midstream`,
`retryable=True`: the app offers a retry). One call that fails counts once towards the breaker.

The API key is passed to the SDK and nowhere else; every message built here is scrubbed of it.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
import warnings
from collections.abc import Callable
from typing import Any

from cockpit.assist.settings import LLMSettings
from cockpit.assist.types import AssistError, Prompt, Reply, Usage
from cockpit.text.terminal import strip

DEFAULT_BASE_URL = "https://api.anthropic.com"

# Kinds that may heal by waiting, so they count towards opening the breaker. `auth` and
# `bad_request` never heal by waiting (a wrong key, a prompt too large): pausing would only hide
# the message the engineer must act on, so they neither trip nor reset it.
BREAKER_KINDS = frozenset({"connection", "timeout", "rate_limited", "overloaded", "api", "midstream"})
_MIDSTREAM_RETRYABLE = frozenset({"overloaded_error", "rate_limit_error", "api_error"})

_sdk: Any = None


def _import_sdk() -> Any:
    # Lazy for start-up time (hundreds of milliseconds), and written as a plain import so the
    # import-linter contract that only this module imports `anthropic` can see it.
    import anthropic

    return anthropic


async def load_sdk() -> Any:
    """The `anthropic` module, imported once, off the event loop."""
    global _sdk
    if _sdk is None:
        _sdk = await asyncio.to_thread(_import_sdk)
    return _sdk


class CircuitBreaker:
    """Stops asking after `failures` consecutive failed requests, for `cooldown` seconds.

    After the cooldown the next request is let through as a trial: success closes the breaker,
    failure re-opens it for another cooldown. Callers report only outcomes in BREAKER_KINDS.
    """

    def __init__(self, failures: int, cooldown: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.failures = failures
        self.cooldown = cooldown
        self.clock = clock
        self.consecutive = 0
        self.opened_at: float | None = None

    def allow(self) -> str | None:
        """None if a request may go out; otherwise why not, and for how long."""
        if self.opened_at is None:
            return None
        left = self.cooldown - (self.clock() - self.opened_at)
        if left <= 0:
            return None  # half-open: one trial request
        return f"assist paused after {self.consecutive} failed requests; trying again in {_duration(left)}"

    def success(self) -> None:
        self.consecutive = 0
        self.opened_at = None

    def failure(self) -> None:
        self.consecutive += 1
        if self.consecutive >= self.failures:
            self.opened_at = self.clock()


def _duration(seconds: float) -> str:
    whole = max(1, math.ceil(seconds))
    minutes, secs = divmod(whole, 60)
    if not minutes:
        return f"{secs}s"
    return f"{minutes}m {secs}s" if secs else f"{minutes}m"


def cost_usd(usage: Usage, price: tuple[float, float]) -> float:
    """Dollars for one request: 5-minute cache writes cost 1.25x input, cache reads 0.1x."""
    p_in, p_out = price
    return (
        usage.input_tokens * p_in
        + usage.cache_write_tokens * p_in * 1.25
        + usage.cache_read_tokens * p_in * 0.1
        + usage.output_tokens * p_out
    ) / 1e6


class Assistant:
    """Streams prompts to the API with the settings' model, limits, retries and breaker."""

    def __init__(
        self, settings: LLMSettings, breaker: CircuitBreaker | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self.breaker = breaker or CircuitBreaker(settings.breaker_failures, settings.breaker_cooldown, clock)
        self.clock = clock
        self.last_reply: Reply | None = None  # the latest call's Reply, whatever its outcome
        self.notice: str | None = None  # e.g. "The model '…' is deprecated and will reach end-of-life on …"
        self._client: Any = None

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def _client_for(self) -> Any:
        if self._client is None:
            sdk = await load_sdk()
            s = self.settings
            self._client = sdk.AsyncAnthropic(
                api_key=s.api_key,
                base_url=s.base_url,
                max_retries=s.max_retries,
                # `timeout` bounds each wait for bytes, not the whole answer: a long answer that keeps
                # streaming is fine, a stalled one is cut.
                timeout=sdk.Timeout(s.timeout, connect=s.connect_timeout),
            )
        return self._client

    async def stream(
        self,
        prompt: Prompt,
        on_text: Callable[[str], None] | None = None,
        *,
        on_cancel: Callable[[Reply], None] | None = None,
    ) -> Reply:
        """Send `prompt`; call `on_text(delta)` per text piece as it arrives; return the Reply."""
        self.last_reply = None
        reason = self.settings.disabled_reason()
        if reason:
            return self._done(Reply(prompt.task, error=AssistError("no_key", reason)))
        paused = self.breaker.allow()
        if paused:
            return self._done(Reply(prompt.task, error=AssistError("circuit_open", paused, retryable=True)))

        sdk: Any = None
        client: Any = None
        started = self.clock()
        parts: list[str] = []
        stream: Any = None

        def partial(**fields: Any) -> Reply:
            snapshot = _snapshot(stream)
            usage = _usage(getattr(snapshot, "usage", None))
            return Reply(
                prompt.task,
                text="".join(parts),
                model=getattr(snapshot, "model", None) or self.settings.model,
                request_id=fields.pop("request_id", None) or (stream.request_id if stream else None),
                usage=usage,
                latency_ms=self._ms(started),
                cost_usd=cost_usd(usage, self.settings.price()),
                **fields,
            )

        try:
            sdk = await load_sdk()
            client = await self._client_for()
            started = self.clock()  # the API's latency, not the first call's SDK import
            with warnings.catch_warnings(record=True) as caught:
                # The SDK warns (to stderr, which would scribble over the TUI) when the model is
                # deprecated; keep the words for the app to show instead. No await inside: safe.
                warnings.simplefilter("always", DeprecationWarning)
                manager = client.messages.stream(**self._request(prompt))
            self.notice = next((str(w.message).split("\n")[0] for w in caught), None)
            async with manager as stream:
                async for event in stream:
                    if event.type == "text":
                        piece = strip(event.text)  # a model's answer is data: no escape sequence is shown or kept
                        parts.append(piece)
                        if on_text is not None:
                            try:
                                on_text(piece)
                            except Exception as exc:  # the app's bug, not the API's: leave the breaker alone
                                raise _CallbackFailed from exc
                    # Events already buffered are parsed without ever suspending: yield once per
                    # event, or a fast stream holds the event loop (and the engineer's keys) for
                    # tens of milliseconds at a time.
                    await asyncio.sleep(0)
                final = await stream.get_final_message()
        except asyncio.CancelledError:
            reply = partial(cancelled=True)
            self._done(reply)
            if on_cancel is not None:
                on_cancel(reply)
            raise
        except _CallbackFailed as failed:  # the stream is closed by now
            raise failed.__cause__ from None  # type: ignore[misc]
        except Exception as exc:
            base_url = (
                str(client.base_url).rstrip("/") if client is not None else (self.settings.base_url or DEFAULT_BASE_URL)
            )
            error = self._scrub(_error_of(sdk, exc, base_url, bool(parts)))
            if error.kind in BREAKER_KINDS and sdk is not None:
                self.breaker.failure()
            return self._done(partial(error=error, request_id=error.request_id))

        self.breaker.success()
        usage = _usage(final.usage)
        return self._done(
            Reply(
                prompt.task,
                text="".join(parts),
                tool_calls=tuple(
                    {"id": b.id, "name": b.name, "input": _stripped(b.input)}
                    for b in final.content
                    if b.type == "tool_use"
                ),
                stop_reason=final.stop_reason,
                model=final.model,
                request_id=stream.request_id,
                usage=usage,
                latency_ms=self._ms(started),
                cost_usd=cost_usd(usage, self.settings.price()),
            )
        )

    def _request(self, prompt: Prompt) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": self.settings.model,
            "max_tokens": self.settings.max_tokens,
            "system": list(prompt.system),
            "messages": list(prompt.messages),
        }
        if prompt.tools:
            kwargs["tools"] = list(prompt.tools)
        if prompt.tool_choice is not None:
            kwargs["tool_choice"] = prompt.tool_choice
        return kwargs

    def _ms(self, started: float) -> int:
        return max(0, round((self.clock() - started) * 1000))

    def _done(self, reply: Reply) -> Reply:
        self.last_reply = reply
        return reply

    def _scrub(self, error: AssistError) -> AssistError:
        key = self.settings.api_key
        if key and key in error.message:
            return AssistError(error.kind, error.message.replace(key, "[api key]"), error.retryable, error.request_id)
        return error


class _CallbackFailed(Exception):
    """Carries an exception raised by `on_text` past the API-error handling."""


def _snapshot(stream: Any) -> Any:
    try:
        return stream.current_message_snapshot if stream is not None else None
    except Exception:
        return None


def _usage(u: Any) -> Usage:
    if u is None:
        return Usage()
    return Usage(
        input_tokens=u.input_tokens or 0,
        output_tokens=u.output_tokens or 0,
        cache_write_tokens=getattr(u, "cache_creation_input_tokens", None) or 0,
        cache_read_tokens=getattr(u, "cache_read_input_tokens", None) or 0,
    )


def _root_cause(exc: BaseException) -> str:
    """The socket-level reason ("Connection refused") under the SDK's and httpx's wrappers."""
    why, seen = exc.message if hasattr(exc, "message") else str(exc), set()
    cause = exc.__cause__ or exc.__context__
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, OSError) and cause.errno:
            return os.strerror(cause.errno)
        why = str(cause) or why
        cause = cause.__cause__ or cause.__context__
    return why


def _error_of(sdk: Any, exc: Exception, base_url: str, had_text: bool) -> AssistError:
    """An SDK exception in words an engineer can act on."""
    if sdk is None:  # the import itself failed
        return AssistError("api", f"cannot load the anthropic SDK: {type(exc).__name__}: {exc}")
    if isinstance(exc, sdk.APITimeoutError):
        return AssistError(
            "timeout",
            f"no answer from {base_url} in time (request timed out; raise [llm] timeout if answers are slow)",
            retryable=True,
        )
    if isinstance(exc, sdk.APIConnectionError):
        return AssistError("connection", f"cannot reach {base_url}: {_root_cause(exc)}", retryable=True)
    if not isinstance(exc, sdk.APIStatusError):
        return AssistError(
            "api", f"unexpected failure talking to {base_url}: {type(exc).__name__}: {exc}", retryable=True
        )
    rid = exc.request_id
    status, etype = exc.status_code, exc.type or "error"
    detail = exc.api_message or etype.replace("_", " ")
    tail = f" (request {rid})" if rid else ""
    if status == 200:  # an `event: error` mid-stream: the SDK never retries these
        kept = "; the text so far is kept" if had_text else ""
        retry = etype in _MIDSTREAM_RETRYABLE
        return AssistError(
            "midstream", f"the answer was cut off ({detail}){kept}{tail}", retryable=retry, request_id=rid
        )
    if status == 429 or etype == "rate_limit_error":
        wait = exc.response.headers.get("retry-after")
        hint = f"; the API asks to wait {wait}s" if wait else ""
        return AssistError(
            "rate_limited", f"rate limited by the API (429: {detail}){hint}{tail}", retryable=True, request_id=rid
        )
    if status == 529 or etype == "overloaded_error":
        return AssistError(
            "overloaded",
            f"the API is overloaded ({status}: {detail}); try again shortly{tail}",
            retryable=True,
            request_id=rid,
        )
    if status in (401, 403):
        return AssistError(
            "auth",
            f"the API refused the key ({status} {etype}: {detail}); check ANTHROPIC_API_KEY or [llm] api_key{tail}",
            request_id=rid,
        )
    if status in (400, 404, 413, 422):
        return AssistError(
            "bad_request", f"the API rejected the request ({status} {etype}: {detail}){tail}", request_id=rid
        )
    return AssistError(
        "api",
        f"the API failed ({status} {etype}: {detail}){tail}",
        retryable=status >= 500 or status in (408, 409),
        request_id=rid,
    )


def _stripped(value: Any) -> Any:
    """A tool call's input with control characters gone from every string in it (proposals' titles,
    bodies and reasons are shown and may be stored)."""
    if isinstance(value, str):
        return strip(value)
    if isinstance(value, list):
        return [_stripped(v) for v in value]
    if isinstance(value, dict):
        return {k: _stripped(v) for k, v in value.items()}
    return value
