"""`cockpit runbooks ...` from the shell: output, --json, exit status, lazy imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO

FIXTURES = Path(__file__).parents[1] / "fixtures" / "runbooks"


def test_index_reports_counts_then_only_changes(cli, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "mine.md").write_text("# Mine\n\nText.\n")
    code, out, err = cli("runbooks", "index", "--runbooks", str(lib))
    assert code == 0 and err == ""
    assert ": 1 added, 0 changed, 0 unchanged, 0 gone" in out and "mine" in out  # no bundled sample
    (lib / "mine.md").write_text("# Mine\n\nChanged.\n")
    code, out, _ = cli("runbooks", "index", str(lib), "--json")
    data = json.loads(out)
    assert (data["changed"], data["unchanged"], data["added"]) == (["mine"], [], [])


def test_index_reads_folders_from_the_config_file(cli, tmp_path):
    lib = tmp_path / "team"
    lib.mkdir()
    (lib / "team-runbook.md").write_text("# Team\n")
    (tmp_path / "config" / "cockpit").mkdir(parents=True)
    (tmp_path / "config" / "cockpit" / "config.toml").write_text(f'runbooks = "{lib}"\n')
    _, out, _ = cli("runbooks", "index", "--json")
    assert "team-runbook" in json.loads(out)["added"]


def test_index_with_bad_files_reports_them_and_exits_1(cli, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "bad.md").write_bytes(b"\xc3\x28")
    code, out, err = cli("runbooks", "index", str(lib))
    assert code == 1 and "0 added" in out
    assert err.strip() == f"cockpit: {lib / 'bad.md'}: not UTF-8 text (invalid continuation byte at byte 0)"


def test_search_text_and_json(cli):
    cli("demo", "--no-tui")  # the demo database holds the bundled samples
    code, out, _ = cli("runbooks", "search", "certificate", "rotation")
    assert code == 0 and out.splitlines()[0].startswith("certificate-rotation  Certificate rotation")
    assert "[" in out.splitlines()[1]  # the snippet marks the match
    _, out, _ = cli("runbooks", "search", "patronictl", "--json", "--limit", "1")
    hits = json.loads(out)["hits"]
    assert [h["name"] for h in hits] == ["database-failover"] and "[patronictl]" in hits[0]["snippet"]


@pytest.mark.parametrize("query", ['foo-bar "', "AND", "NEAR(", "*"])
def test_search_never_crashes_on_fts_syntax(cli, query):
    cli("runbooks", "index")
    code, _out, err = cli("runbooks", "search", query)
    assert code == 0 and err == ""


def test_show_prints_raw_markdown_when_piped_and_rendered_on_a_terminal(cli, monkeypatch, tmp_path):
    """Regression: the header wrapped when the runbook's path was long (an installed package),
    pushing the freshness off the first line."""
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 6)
    deep.mkdir(parents=True)
    (deep / "service-restart.md").write_text((REPO / "runbooks" / "service-restart.md").read_text())
    cli("runbooks", "index", str(deep))
    code, out, _ = cli("runbooks", "show", "service-restart")
    assert code == 0 and out.startswith("---\nshape: alert") and "# Service restart: graceful and forced" in out
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "100")
    code, out, _ = cli("runbooks", "show", "service-restart")
    assert code == 0 and "Service restart: graceful and forced" in out
    assert "# Service restart" not in out and "indexed just now" in out.splitlines()[0]
    assert "shape: alert" not in out  # the frontmatter is not shown as text
    code, out, _ = cli("runbooks", "show", "service-restart", "--raw")
    assert "# Service restart: graceful and forced" in out


def test_show_an_unknown_name_is_one_line_with_close_matches(cli):
    cli("demo", "--no-tui")
    code, out, err = cli("runbooks", "show", "databse-failover")
    assert code == 1 and out == ""
    assert err == "cockpit: no runbook 'databse-failover' (did you mean: database-failover?)\n"


def test_list_shows_freshness(cli):
    _, out, _ = cli("runbooks", "list")
    assert "no runbooks yet" in out
    cli("demo", "--no-tui")
    _code, out, _ = cli("runbooks", "list")
    assert out.splitlines()[0] == "last indexed just now" and "certificate-rotation" in out
    data = json.loads(cli("runbooks", "list", "--json")[1])
    assert len(data["runbooks"]) == 5 and data["runbooks"][0]["freshness"] == "indexed just now"


def test_lint_exit_status_follows_error_findings(cli):
    code, out, _ = cli("runbooks", "lint", str(FIXTURES / "good"))
    assert (code, out.strip()) == (0, "0 errors, 0 warnings")
    code, out, _ = cli("runbooks", "lint", str(FIXTURES / "broken"), "--json")
    data = json.loads(out)
    assert code == 1 and data["errors"] > 0 and data["warnings"] == 2
    assert {f["rule"] for f in data["findings"]} >= {"missing-section", "broken-link", "placeholder"}
    code, out, _ = cli("runbooks", "lint", str(FIXTURES / "broken" / "nope"))
    assert code == 1


def test_lint_without_a_folder_lints_the_library(cli):
    code, _, err = cli("runbooks", "lint")
    assert code == 1 and "library is empty" in err
    cli("demo", "--no-tui")  # the demo's samples lint clean
    code, out, _ = cli("runbooks", "lint")
    assert (code, out.strip()) == (0, "0 errors, 0 warnings")


def test_relevant_runbooks_for_the_demo_incident(cli):
    assert cli("demo", "--no-tui")[0] == 0
    cli("runbooks", "index")  # on the demo database, indexing keeps the samples
    code, out, _ = cli("runbooks", "relevant", "checkout-5xx-cert-rotation", "--json")
    found = json.loads(out)["runbooks"]
    assert code == 0
    assert [(r["name"], r["reason"], r["starred"]) for r in found] == [
        ("certificate-rotation", "strong", True),  # its title names payments, gateway, certificate, rotation
        ("upstream-dependency-failure", "weak", False),  # names payments, gateway only
    ]  # the other three samples matched on a word or two (`runbook`, `api`, `window`): not listed
    assert found[0]["detail"] == "names payments, gateway, certificate, rotation; mentions 5xx"
    _, out, _ = cli("runbooks", "relevant", "orders-api-pool-limits")
    assert "★" not in out  # no sample is about connection-pool limits


def test_a_search_hit_does_not_repeat_its_title(cli):
    cli("demo", "--no-tui")
    _, out, _ = cli("runbooks", "search", "certificate", "rotation")
    title, snippet = out.splitlines()[:2]
    assert title == "certificate-rotation  Certificate rotation: TLS handshake failures to the payments gateway"
    assert "TLS handshake failures to the payments" not in snippet


def test_sync_failure_exits_1_with_the_reason(cli):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, _out, err = cli("runbooks", "sync", f"http://127.0.0.1:{port}/x.md", "--retries", "0")
    assert code == 1 and "connection failed" in err and "no copy stored" in err


def test_runbooks_help_imports_nothing_heavy():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    code = (
        "from cockpit.cli.main import build_parser\ntry:\n    build_parser().parse_args(['runbooks', 'sync', '--help'])\n"
        "except SystemExit:\n    pass\nimport sys; print(' '.join(sys.modules))"
    )
    loaded = set(
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout.split()
    )
    assert not {
        m for m in loaded if m.split(".")[0] in {"sqlite_utils", "yaml", "rich", "httpx", "textual", "anthropic"}
    }


def test_sync_of_a_malformed_or_refused_url_is_one_line_and_exit_1(cli):
    code, out, err = cli("runbooks", "sync", "http://[::1", "file:///etc/passwd")
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "cockpit: http://[::1: not a valid URL (Invalid IPv6 URL)",
        "cockpit: file:///etc/passwd: only http and https URLs are synced, not file:",
    ]


def test_sync_deadline_comes_from_the_flag_or_the_config(cli, tmp_path):
    from runbook_server import Trickler

    trickler = Trickler("headers")
    try:
        code, _, err = cli("runbooks", "sync", trickler.url(), "--deadline", "0.3")
        assert code == 1 and "no complete answer within the 0.3 s deadline" in err
        (tmp_path / "config" / "cockpit").mkdir(parents=True)
        (tmp_path / "config" / "cockpit" / "config.toml").write_text("[runbook_sync]\ndeadline = 0.2\n")
        code, _, err = cli("runbooks", "sync", trickler.url())
        assert code == 1 and "within the 0.2 s deadline" in err
    finally:
        trickler.close()
    (tmp_path / "config" / "cockpit" / "config.toml").write_text('[runbook_sync]\ndeadline = "soon"\n')
    code, _, err = cli("runbooks", "sync", "http://127.0.0.1:9/x.md")
    assert code == 1 and err.strip().endswith(
        "[runbook_sync] deadline must be a positive number of seconds, not 'soon'"
    )
    code, _, err = cli("runbooks", "sync", "http://127.0.0.1:9/x.md", "--deadline", "0")
    assert code == 1 and err.strip() == "cockpit: --deadline must be a positive number of seconds, not 0.0"


def test_sync_allow_redirect_host_flag(cli):
    from runbook_server import Reply, Server

    server = Server()
    try:
        port = server.httpd.server_address[1]
        server.script["/moved.md"] = [Reply(302, headers={"Location": f"http://LOCALHOST.:{port}/there.md"})]
        server.script["/there.md"] = [Reply()]
        code, _, err = cli("runbooks", "sync", server.url("/moved.md"))
        assert code == 1 and "redirected from 127.0.0.1 to another host, localhost: refused" in err
        code, out, _ = cli("runbooks", "sync", server.url("/moved.md"), "--allow-redirect-host", "localhost")
        assert code == 0 and out.startswith("added      moved: added (Failover drill)")
    finally:
        server.close()


def test_sync_summary_lines_show_network_text_inert(tmp_path, monkeypatch, capsys):
    """The handler itself makes the title and reason phrase safe, not only the CLI's stdout wrapper."""
    from runbook_server import Reply, Server

    from cockpit.cli import runbooks as cli_runbooks
    from cockpit.cli.main import build_parser

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    server = Server()
    try:
        server.script["/evil.md"] = [Reply(body=b"# Restart \x1b]52;c;cm0gLXJmIH4=\x07now\x1b[2J\n\nText.\n")]
        server.script["/gone.md"] = [Reply(404, b"x")]
        args = build_parser().parse_args(
            [
                "runbooks",
                "sync",
                server.url("/evil.md"),
                server.url("/gone.md"),
                "--retries",
                "0",
                "--db",
                str(tmp_path / "c.db"),
            ]
        )
        assert cli_runbooks._sync(args) == 1
    finally:
        server.close()
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert out == "added      evil: added (Restart ␛]52;c;cm0gLXJmIH4=␇now␛[2J)\n"
