"""How risky a shell command is: read, write or destructive, decided by rules, never by a model.

A runbook step is classified before it may run, and the tier decides how it is confirmed
(cockpit.domain.steps). The rules are deliberately small and conservative: a command the rules do
not know is a write, never a read; a pipeline, a `;` / `&&` / `||` list or a `$( )` substitution
is as risky as its riskiest part; `sudo` makes a part at least a write; `ssh HOST CMD`,
`kubectl exec … -- CMD` and wrappers such as `timeout` or `env` are judged by the command they run.

Pure: the text of the command only (no PATH lookup, no shell).
"""

from __future__ import annotations

import itertools
import re
import shlex
from dataclasses import dataclass

READ, WRITE, DESTRUCTIVE = "read", "write", "destructive"
RISKS = (READ, WRITE, DESTRUCTIVE)  # in order: the later is the stricter
_RANK = {risk: rank for rank, risk in enumerate(RISKS)}

# Words that make a part destructive wherever they appear as a word (verbs of kubectl, systemctl,
# patronictl, redis-cli, SQL, git and the coreutils that remove things).
DESTRUCTIVE_WORDS = frozenset(
    [
        "delete",
        "drop",
        "rm",
        "rmdir",
        "unlink",
        "shred",
        "kill",
        "pkill",
        "killall",
        "restart",
        "failover",
        "switchover",
        "reinit",
        "truncate",
        "destroy",
        "purge",
        "wipe",
        "shutdown",
        "reboot",
        "halt",
        "poweroff",
        "drain",
        "evict",
        "terminate",
        "mkfs",
        "dd",
        "flushall",
        "flushdb",
        "del",
        "uninstall",
        "prune",
    ]
)
DESTRUCTIVE_FLAGS = frozenset({"--force", "--hard", "--grace-period=0", "--now", "--purge", "--prune", "--cascade"})
WRITE_WORDS = frozenset(
    [
        "apply",
        "create",
        "set",
        "patch",
        "scale",
        "undo",
        "pause",
        "resume",
        "edit",
        "annotate",
        "label",
        "cordon",
        "uncordon",
        "taint",
        "start",
        "stop",
        "enable",
        "disable",
        "reload",
        "promote",
        "update",
        "insert",
        "alter",
        "grant",
        "revoke",
        "push",
        "commit",
        "merge",
        "rebase",
        "reset",
        "install",
        "upgrade",
        "mv",
        "cp",
        "mkdir",
        "touch",
        "chmod",
        "chown",
        "ln",
        "tee",
        "put",
        "post",
        "send",
        "publish",
        "exec",
        "run",
        "cp",
        "sync",
        "write",
    ]
)
READ_WORDS = frozenset(
    [
        "get",
        "describe",
        "logs",
        "log",
        "status",
        "list",
        "ls",
        "show",
        "top",
        "history",
        "explain",
        "version",
        "info",
        "inspect",
        "diff",
        "check",
        "events",
        "cat",
        "view",
        "search",
        "health",
        "ping",
        "whoami",
        "config-view",
        "lag",
        "count",
        "select",
        "keys",
        "scan",
        "ttl",
        "type",
    ]
)
# Programs that only read or print whatever their arguments say (the arguments are data: `grep
# kill` is a search for a word, not a kill), except for the flags in _WRITING_FLAGS.
READ_PROGRAMS = frozenset(
    [
        # shell builtins that change nothing outside the step
        "exit",
        "return",
        "wait",
        "cd",
        "export",
        "false",
        ":",
        "[",
        "cat",
        "less",
        "more",
        "head",
        "tail",
        "grep",
        "egrep",
        "fgrep",
        "rg",
        "zgrep",
        "wc",
        "sort",
        "uniq",
        "cut",
        "tr",
        "jq",
        "yq",
        "awk",
        "sed",
        "column",
        "echo",
        "printf",
        "date",
        "uptime",
        "df",
        "du",
        "free",
        "ps",
        "pgrep",
        "top",
        "htop",
        "vmstat",
        "iostat",
        "ss",
        "netstat",
        "lsof",
        "dig",
        "nslookup",
        "host",
        "ping",
        "traceroute",
        "mtr",
        "curl",
        "wget",
        "pg_isready",
        "hostname",
        "whoami",
        "id",
        "uname",
        "env",
        "printenv",
        "true",
        "test",
        "which",
        "stat",
        "file",
        "ls",
        "find",
        "tree",
        "nc",
        "openssl",
        "base64",
        "md5sum",
        "sha256sum",
        "diff",
        "cmp",
        "watch",
        "sleep",
        "journalctl",
        "dmesg",
    ]
)
_WRITING_FLAGS = {
    "sed": {"-i", "--in-place"},
    "curl": {"-d", "--data", "--data-raw", "--data-binary", "-F", "--form", "-T", "--upload-file", "-o", "-O"},
    "wget": {"--post-data", "--post-file"},
    "find": {"-exec", "-execdir", "-ok"},
}
_SQL_CLIENTS = frozenset({"psql", "mysql", "mariadb", "sqlite3", "clickhouse-client", "cqlsh", "cockroach", "snowsql"})
_SQL_READ = frozenset({"select", "show", "explain", "describe", "desc", "with", "values", "table", "pragma"})
_SQL_DESTRUCTIVE = frozenset({"delete", "drop", "truncate"})
_SQL_WORDS = (
    _SQL_READ | _SQL_DESTRUCTIVE | {"insert", "update", "alter", "create", "grant", "revoke", "vacuum", "reindex"}
)
# Prefixes that run the command after them: judged by that command.
_WRAPPERS = frozenset({"timeout", "nice", "nohup", "time", "stdbuf", "ionice", "command", "exec", "xargs", "watch"})
_SSH_VALUE_OPTIONS = frozenset(
    [
        "-b",
        "-c",
        "-D",
        "-E",
        "-e",
        "-F",
        "-I",
        "-i",
        "-J",
        "-L",
        "-l",
        "-m",
        "-O",
        "-o",
        "-p",
        "-Q",
        "-R",
        "-S",
        "-W",
        "-w",
    ]
)
_HTTP_DESTRUCTIVE = frozenset({"delete"})
_HTTP_WRITE = frozenset({"post", "put", "patch"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_WORD = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Verdict:
    """The tier and why: the words that decided it, for the dry run."""

    risk: str
    reasons: tuple[str, ...] = ()


def stricter(a: str, b: str) -> str:
    return a if _RANK[a] >= _RANK[b] else b


def rank(risk: str) -> int:
    return _RANK[risk]


def classify(command: str) -> Verdict:
    """The tier of a whole command (every line, every part of every pipeline and list)."""
    parts = split_parts(command)
    if not parts:
        return Verdict(READ, ("nothing to run",))
    verdicts = [_part(part) for part in parts]
    worst = max(verdicts, key=lambda v: _RANK[v.risk]).risk
    reasons: list[str] = []
    for verdict in verdicts:
        if verdict.risk == worst:
            reasons += [r for r in verdict.reasons if r not in reasons]
    return Verdict(worst, tuple(reasons))


def split_parts(command: str) -> list[str]:
    """The simple commands of `command`: split on newlines, `|`, `||`, `&&`, `;` and `&` outside
    quotes, with `$( … )` and backquoted substitutions as parts of their own. Line continuations
    are joined; comments dropped."""
    text = re.sub(r"\\\r?\n", " ", command)
    parts: list[str] = []
    current: list[str] = []
    quote: str | None = None
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            current.append(ch)
            if ch == quote:
                quote = None
            elif ch == "\\" and quote == '"' and i + 1 < len(text):
                current.append(text[i + 1])
                i += 1
            elif quote == '"' and text.startswith("$(", i):  # a substitution runs even inside double quotes
                inner, i = _substitution(text, i + 2)
                parts += split_parts(inner)
                current.append("…)")
            i += 1
            continue
        if ch in "'\"":
            quote = ch
            current.append(ch)
        elif ch == "#" and (not current or current[-1].isspace()):
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        elif text.startswith("$(", i) and not text.startswith("$((", i):
            inner, i = _substitution(text, i + 2)
            parts += split_parts(inner)
            current.append("SUBST")
        elif ch == "`":
            end = text.find("`", i + 1)
            end = len(text) if end < 0 else end
            parts += split_parts(text[i + 1 : end])
            current.append("SUBST")
            i = end
        elif ch in "\n;|&" and not (ch == "&" and text[i - 1 : i] in (">", "<")) and not text.startswith("&>", i):
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _substitution(text: str, start: int) -> tuple[str, int]:
    """The text of a `$( … )` starting at `start` (after the opening), and the index of its `)`."""
    depth, i = 1, start
    while i < len(text):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return text[start:i], i
        i += 1
    return text[start:], len(text)


def words(part: str) -> list[str]:
    """The shell words of one simple command (quotes removed); a part shlex cannot read (an
    unclosed quote) is split on whitespace."""
    try:
        return shlex.split(part, comments=False, posix=True)
    except ValueError:
        return part.split()


def _part(part: str) -> Verdict:
    tokens = words(part)
    risk, reasons = READ, []
    if _writes_file(part):
        risk, reasons = WRITE, ["writes a file (>)"]
    verdict = _program(tokens)
    if _RANK[verdict.risk] > _RANK[risk]:
        return verdict
    if verdict.risk == risk:
        reasons += list(verdict.reasons)
    return Verdict(risk, tuple(reasons))


def _writes_file(part: str) -> bool:
    """A redirection into a file (`>`, `>>`) outside quotes; `>/dev/null` and `2>&1` write nothing."""
    unquoted = re.sub(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"", "''", part)
    for match in re.finditer(r"(?<![<>&0-9])[0-9]?>>?\s*(&?\S*)", unquoted):
        target = match.group(1)
        if not target.startswith("&") and target not in ("/dev/null", "/dev/stdout", "/dev/stderr"):
            return True
    return False


def _program(tokens: list[str]) -> Verdict:
    """The tier of one simple command's words."""
    while tokens and _ASSIGNMENT.match(tokens[0]):  # NAME=value before the command
        tokens = tokens[1:]
    if not tokens:
        return Verdict(READ)
    program = tokens[0].rsplit("/", 1)[-1]
    rest = tokens[1:]
    if program == "sudo":
        inner = _program(_after_options(rest, {"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"}))
        return Verdict(stricter(WRITE, inner.risk), ("sudo", *inner.reasons))
    if program in _WRAPPERS or program == "env":
        skipped = _after_options(rest, {"-k", "-s", "-n", "-u", "-C", "-S"})
        while skipped and (_ASSIGNMENT.match(skipped[0]) or re.fullmatch(r"[0-9.]+[smhd]?", skipped[0])):
            skipped = skipped[1:]  # `timeout 30s cmd`, `env A=b cmd`
        if skipped:
            return _program(skipped)
        return Verdict(READ)
    if program == "ssh":
        remote = _after_options(rest, _SSH_VALUE_OPTIONS)[1:]  # the host, then the remote command
        if not remote:
            return Verdict(WRITE, ("ssh with no command (an interactive shell)",))
        inner = classify(" ".join(remote))
        return Verdict(inner.risk, inner.reasons)
    if "--" in rest and program in ("kubectl", "oc", "docker", "podman"):  # `kubectl exec … -- CMD`
        at = rest.index("--")
        outer = _tool(program, rest[:at])  # `exec` only carries the command: unless the outer part destroys
        return outer if outer.risk == DESTRUCTIVE else _program(rest[at + 1 :])
    if program in READ_PROGRAMS:
        return _read_program(program, rest)
    if program in _SQL_CLIENTS:
        return _sql_client(program, rest)
    return _tool(program, rest)


def _after_options(tokens: list[str], with_value: frozenset[str] | set[str]) -> list[str]:
    """`tokens` from the first one that is not an option (or an option's value)."""
    i = 0
    while i < len(tokens) and tokens[i].startswith("-"):
        i += 2 if tokens[i] in with_value else 1
    return tokens[i:]


def _read_program(program: str, rest: list[str]) -> Verdict:
    flags = _WRITING_FLAGS.get(program, set())
    found = [t for t in rest if t in flags or any(t.startswith(f + "=") for f in flags if f.startswith("--"))]
    if program == "find" and "-delete" in rest:
        return Verdict(DESTRUCTIVE, ("find -delete",))
    if program in ("curl", "wget"):
        method = _http_method(rest)
        if method in _HTTP_DESTRUCTIVE:
            return Verdict(DESTRUCTIVE, (f"{program} -X {method.upper()}",))
        if method in _HTTP_WRITE:
            return Verdict(WRITE, (f"{program} -X {method.upper()}",))
    if program == "watch":
        return _program(rest)
    if found:
        return Verdict(WRITE, tuple(f"{program} {flag}" for flag in found))
    return Verdict(READ, (program,))


def _http_method(rest: list[str]) -> str | None:
    for i, token in enumerate(rest):
        if token in ("-X", "--request") and i + 1 < len(rest):
            return rest[i + 1].lower()
        if token.startswith("--request="):
            return token.split("=", 1)[1].lower()
        if token.startswith("-X") and len(token) > 2:
            return token[2:].lower()
    return None


def _sql_client(program: str, rest: list[str]) -> Verdict:
    """A database client is as risky as the statements it is given (-c, -e, or a quoted argument);
    with none it would read statements from its input, which is closed: a write, to be safe."""
    statements = [rest[i + 1] for i, t in enumerate(rest[:-1]) if _statement_flag(t)]
    if not statements:  # `sqlite3 db.sqlite "select …"`: a positional argument that reads as SQL
        statements = [t for t in rest if t.split(None, 1)[:1] and t.split(None, 1)[0].lower() in _SQL_WORDS]
    if not statements:
        return Verdict(WRITE, (f"{program} with no statement",))
    verdict = Verdict(READ, ())
    for text in statements:
        for statement in filter(None, (s.strip() for s in text.split(";"))):
            first = statement.split(None, 1)[0].lower()
            if first.startswith("\\"):  # psql meta-commands such as \d: descriptions
                continue
            if first in _SQL_DESTRUCTIVE:
                tier, why = DESTRUCTIVE, f"SQL {first.upper()}"
            elif first in _SQL_READ:
                tier, why = READ, f"SQL {first.upper()}"
            else:
                tier, why = WRITE, f"SQL {first.upper()}"
            if _RANK[tier] > _RANK[verdict.risk]:
                verdict = Verdict(tier, (why,))
            elif tier == verdict.risk and why not in verdict.reasons:
                verdict = Verdict(tier, (*verdict.reasons, why))
    return verdict


def _statement_flag(token: str) -> bool:
    """`-c`, `-e`, `--command`, `--execute`, or short flags bundled before one (`psql -Atc`)."""
    if token in ("--command", "--execute"):
        return True
    return token.startswith("-") and not token.startswith("--") and token[-1:] in ("c", "e") and token[1:].isalpha()


def _tool(program: str, rest: list[str]) -> Verdict:
    """Any other program: its words decide (a destructive word or flag anywhere, else a write
    verb, else a read verb); a program with none of them is a write."""
    lowered = [t.lower() for t in rest]
    flags = [t for t in lowered if t.split("=", 1)[0] in DESTRUCTIVE_FLAGS or t in DESTRUCTIVE_FLAGS]
    scale_to_zero = any(re.fullmatch(r"--replicas(=|\s*)0", t) for t in lowered) or any(
        t == "--replicas" and n == "0" for t, n in itertools.pairwise(lowered)
    )
    found = [w for t in [program, *lowered] if not t.startswith("-") for w in _WORD.findall(t)]
    destructive = [w for w in found if w in DESTRUCTIVE_WORDS]
    if destructive or flags or scale_to_zero:
        return Verdict(
            DESTRUCTIVE, tuple(dict.fromkeys([*destructive, *flags, *(["scale to 0"] if scale_to_zero else [])]))
        )
    writes = [w for w in found if w in WRITE_WORDS]
    if writes:
        return Verdict(WRITE, tuple(dict.fromkeys(writes)))
    reads = [w for w in found if w in READ_WORDS]
    if reads:
        return Verdict(READ, (f"{program} {reads[0]}",))
    return Verdict(WRITE, (f"{program}: not known to only read",))
