"""The step runner on real commands of this machine (issue 16): capture and exit codes, redaction
of everything kept or streamed, the whole process group killed on timeout and on cancel, the output
cap on 100 MB with bounded memory."""

from __future__ import annotations

import os
import threading
import time
import tracemalloc

from cockpit.sources.step_runner import CANCELLED, EXITED, NOT_STARTED, TIMEOUT, run_step


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose: it runs nothing.
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().split(") ", 1)[1][0] != "Z"


def _wait_dead(pid: int, seconds: float = 3.0) -> bool:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if not _alive(pid):
            return True
        time.sleep(0.02)
    return False


def test_echo_is_captured_and_streamed_with_its_exit_status(tmp_path):
    lines: list[str] = []
    run = run_step("echo hello; echo oops >&2; exit 3", cwd=str(tmp_path), timeout=10, on_line=lines.append)
    assert run.outcome == EXITED and run.exit_code == 3
    assert run.output == "hello\noops\n"
    assert lines == ["hello", "oops"]
    assert run.output_bytes == len(b"hello\noops\n") and not run.truncated
    assert run.cwd == str(tmp_path) and run.host and run.user
    assert 0 <= run.duration_ms < 5000


def test_variables_reach_the_step_in_its_environment_not_its_text(tmp_path):
    run = run_step('echo "ns=$NAMESPACE"', cwd=str(tmp_path), env={"NAMESPACE": "prod; rm -rf /"}, timeout=10)
    assert run.output == "ns=prod; rm -rf /\n"  # a value is data: nothing of it ran


def test_secrets_printed_by_a_step_are_redacted_in_what_is_kept_and_streamed(tmp_path):
    script = tmp_path / "leak.sh"
    script.write_text(
        "echo 'password=hunter2hunter2'\n"
        "echo 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE'\n"
        'echo "given: $DB_PW"\n'
        "echo 'plain line'\n"
    )
    lines: list[str] = []
    run = run_step(
        f"sh {script}",
        cwd=str(tmp_path),
        env={"DB_PW": "s3cr3t-value-9"},
        secrets={"DB_PW": "s3cr3t-value-9"},
        timeout=10,
        on_line=lines.append,
    )
    for text in (run.output, "\n".join(lines)):
        assert "hunter2hunter2" not in text and "AKIAIOSFODNN7EXAMPLE" not in text and "s3cr3t-value-9" not in text
        assert "plain line" in text and "[DB_PW]" in text


def test_a_timeout_kills_the_whole_group_children_included(tmp_path):
    pidfile = tmp_path / "child.pid"
    started = time.monotonic()
    run = run_step(f"sleep 300 & echo $! > {pidfile}; echo started; wait", cwd=str(tmp_path), timeout=1)
    assert run.outcome == TIMEOUT and run.exit_code is None
    assert time.monotonic() - started < 5
    assert run.output == "started\n"
    assert _wait_dead(int(pidfile.read_text()))


def test_cancel_kills_a_step_that_never_ends(tmp_path):
    cancel = threading.Event()
    pidfile = tmp_path / "child.pid"
    threading.Timer(0.5, cancel.set).start()
    run = run_step(
        f"sh -c 'sleep 300' & echo $! > {pidfile}; while :; do sleep 1; done",
        cwd=str(tmp_path),
        timeout=60,
        cancel=cancel,
    )
    assert run.outcome == CANCELLED and run.exit_code is None
    assert run.duration_ms < 5000
    assert _wait_dead(int(pidfile.read_text()))


def test_background_children_left_behind_are_killed_when_the_shell_exits(tmp_path):
    pidfile = tmp_path / "child.pid"
    run = run_step(f"sleep 300 & echo $! > {pidfile}; echo done", cwd=str(tmp_path), timeout=10)
    assert run.outcome == EXITED and run.exit_code == 0 and run.output == "done\n"
    assert _wait_dead(int(pidfile.read_text()))


def test_a_missing_directory_is_not_started(tmp_path):
    run = run_step("echo hi", cwd=str(tmp_path / "nope"), timeout=10)
    assert run.outcome == NOT_STARTED and run.error and "no directory" in run.error


def test_100_mb_of_output_keeps_the_cap_in_bounded_memory_and_quickly(tmp_path):
    cap = 64 * 1024
    lines: list[str] = []
    tracemalloc.start()
    started = time.monotonic()
    run = run_step(
        "yes 'line of output' | head -c 100000000; echo; echo the-end",
        cwd=str(tmp_path),
        timeout=60,
        cap=cap,
        on_line=lines.append,
    )
    seconds = time.monotonic() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert run.outcome == EXITED and run.exit_code == 0
    assert run.output_bytes == 100_000_000 + len("\nthe-end\n")
    assert run.truncated and len(run.output) < cap + 200
    assert run.output.startswith("line of output\n") and run.output.endswith("the-end\n")
    assert "bytes left out" in run.output
    assert peak < 8 * 1024 * 1024, peak  # the cap, a few chunks and the streamed lines, not 100 MB
    assert len(lines) < 2100 and "not shown live" in lines[-1]
    assert seconds < 20, seconds
