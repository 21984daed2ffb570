"""Runbook steps (issue 16): numbering, fence attributes, the risk classifier, variables, the dry
run and the confirmation each tier needs. Each rule with a case it refuses and one it lets pass."""

from __future__ import annotations

import pytest

from cockpit.domain.step_risk import DESTRUCTIVE, READ, WRITE, classify, split_parts
from cockpit.domain.steps import (
    Step,
    Variable,
    attributes,
    confirmation,
    dry_run,
    language,
    looks_secret,
    referenced,
    target,
)
from cockpit.runbooks.doc import parse_runbook
from cockpit.runbooks.steps import step_of, steps_of

RUNBOOK = """\
# Orders

## Look

```sh
kubectl get pods -n $NAMESPACE
```

```yaml
replicas: 3
```

## Act

```sh {risk=destructive name=bounce}
echo restarting
```

~~~bash
kubectl delete pod ${POD} -n "$NAMESPACE"
~~~
"""


def step(command: str, info: str = "sh", number: int = 1) -> Step:
    return Step("svc", number, 3, language(info), info, command, "Look", attributes(info))


# ------------------------------------------------------------------ numbering and attributes


def test_blocks_are_numbered_from_one_in_document_order_every_fence_counted():
    steps = steps_of(parse_runbook(RUNBOOK, name="orders"))
    assert [(s.number, s.language, s.first_line()) for s in steps] == [
        (1, "sh", "kubectl get pods -n $NAMESPACE"),
        (2, "yaml", "replicas: 3"),
        (3, "sh", "echo restarting"),
        (4, "bash", 'kubectl delete pod ${POD} -n "$NAMESPACE"'),
    ]
    assert step_of(parse_runbook(RUNBOOK, name="orders"), 4).label == "orders#4"
    assert steps[2].heading == "Act"


def test_a_block_number_outside_the_runbook_is_refused_by_name():
    with pytest.raises(Exception, match="has no block 5 .it has blocks 1 to 4"):
        step_of(parse_runbook(RUNBOOK, name="orders"), 5)
    with pytest.raises(Exception, match="has no block 0"):
        step_of(parse_runbook(RUNBOOK, name="orders"), 0)


def test_fence_attributes_are_read_quoted_or_not():
    assert attributes("sh {risk=destructive}") == {"risk": "destructive"}
    assert attributes('bash { risk="write", name=failover }') == {"risk": "write", "name": "failover"}
    assert attributes("sh") == {}
    assert language("{risk=read}") == ""
    assert language("sh {risk=read}") == "sh"


def test_only_shell_blocks_run():
    steps = steps_of(parse_runbook(RUNBOOK, name="orders"))
    assert steps[1].refusal() == "block 2 is yaml, not a shell command"
    assert steps[0].refusal() is None
    assert step("echo \x1b]52;c;aGk=\x07 hi").refusal() is not None  # what is shown must be what runs


# ------------------------------------------------------------------ the classifier


@pytest.mark.parametrize(
    "command",
    [
        "kubectl get pods -n prod",
        "kubectl describe deploy/orders-api",
        "kubectl logs deploy/orders-api --since=10m | grep -c 'connection refused'",
        "systemctl status postgresql",
        'psql "host=db dbname=orders user=ro" -Atc "select now();"',
        "ssh db-1 df -h /var/lib/postgresql",
        "kubectl rollout status deploy/x",
        "grep kill /var/log/syslog",  # a read program's arguments are data
        "echo hi 2>&1 >/dev/null",
        "kubectl exec deploy/orders-api -- psql -c 'select 1'",
    ],
)
def test_read_only_commands(command):
    assert classify(command).risk == READ, classify(command)


@pytest.mark.parametrize(
    "command",
    [
        "kubectl scale deploy/orders-api --replicas=3",
        "kubectl apply -f deploy.yaml",
        "echo hi > /tmp/x",
        "sudo cat /etc/shadow",  # sudo: at least a write
        "some-tool --flag",  # unknown: never a read
        "psql -c 'update orders set x = 1'",
        "curl -X POST https://api/x",
        "sed -i s/a/b/ file",
    ],
)
def test_write_commands(command):
    assert classify(command).risk == WRITE, classify(command)


@pytest.mark.parametrize(
    "command",
    [
        "kubectl delete pod orders-1",
        "rm -rf /var/tmp/cache",
        "kubectl rollout restart deploy/orders-api",
        "patronictl -c /etc/p.yml failover orders --candidate replica-1 --force",
        "kubectl scale deploy/orders-api --replicas=0",
        "kubectl scale deploy/orders-api --replicas 0",
        "git push --force",
        "mysql -e 'DROP TABLE orders'",
        "ssh db-1 sudo systemctl restart postgresql",
        "kubectl get pods; kubectl delete pod x",  # a list: the strictest part
        "kubectl get pods && pkill -f worker",
        "kubectl get pods | xargs kill",
        "echo $(rm -rf /tmp/x)",  # a substitution runs too
        "curl -X DELETE https://api/x",
        "find /tmp -name '*.log' -delete",
        "redis-cli FLUSHALL",
    ],
)
def test_destructive_commands(command):
    assert classify(command).risk == DESTRUCTIVE, classify(command)


def test_parts_split_outside_quotes_only():
    assert split_parts("psql -c 'select 1; select 2' | wc -l") == ["psql -c 'select 1; select 2'", "wc -l"]
    assert split_parts("a \\\n  b && c # comment ; rm x") == ["a    b", "c"]


def test_the_stricter_of_declared_and_detected_wins():
    assert step("kubectl get pods", "sh {risk=destructive}").risk == DESTRUCTIVE
    assert step("kubectl delete pod x", "sh {risk=read}").risk == DESTRUCTIVE  # a fence cannot lower it
    assert step("kubectl get pods").risk == READ
    assert step("kubectl get pods", "sh {risk=bogus}").risk == DESTRUCTIVE  # unknown tier: the strictest


# ------------------------------------------------------------------ variables


def test_variables_referenced_and_not_set_by_the_block():
    assert referenced('kubectl get pods -n $NAMESPACE -l app=${SERVICE} "$NAMESPACE"') == ("NAMESPACE", "SERVICE")
    assert referenced("awk '{print $NF}' $FILE") == ("FILE",)  # single quotes: awk's, not ours
    assert referenced("X=1; echo $X ${Y:-default} $HOME $1") == ()
    assert referenced("for pod in a b; do echo $pod; done") == ()


def test_a_value_that_looks_like_a_secret_is_never_remembered():
    assert looks_secret("DB_PASSWORD", "hunter2")
    assert looks_secret("URL", "postgres://app:s3cretpw@db/orders")
    assert looks_secret("X", "ghp_" + "a1B2" * 9)
    assert not looks_secret("NAMESPACE", "production")
    assert not looks_secret("SERVICE", "orders-api")


# ------------------------------------------------------------------ dry run and confirmation


def test_the_dry_run_says_everything_escaped():
    s = step("kubectl get pods -n $NAMESPACE\necho \u202eevil")
    lines = dry_run(
        s,
        cwd="/srv/\x1b[2Jops",
        host="bastion",
        user="ada",
        variables=(Variable("NAMESPACE", "prod", "intent"), Variable("TOKEN", "ghp_" + "a1B2" * 9, "environment")),
        timeout=60,
    )
    text = "\n".join(lines)
    assert "\x1b" not in text and "\u202e" not in text and "␛[2J" in text
    assert "  kubectl get pods -n $NAMESPACE" in lines
    assert "cwd: /srv/␛[2Jops" in lines and "host: bastion" in lines and "user: ada" in lines
    assert "  NAMESPACE=prod (intent)" in lines
    assert "ghp_" not in text and "TOKEN=••••" in text
    assert "risk: read (classifier: read, kubectl get, echo)" in lines
    assert lines[-1] == "read-only step: press enter (or y) to run it"


def test_read_needs_one_key_and_a_script_needs_yes():
    rule = confirmation(step("kubectl get pods"), {})
    assert rule.kind == "key"
    assert rule.from_script(yes=False, confirm=None) is not None
    assert rule.from_script(yes=True, confirm=None) is None


def test_write_needs_a_confirmation():
    rule = confirmation(step("kubectl apply -f x.yaml"), {})
    assert rule.kind == "confirm"
    assert "pass --yes" in (rule.from_script(yes=False, confirm=None) or "")
    assert rule.from_script(yes=True, confirm=None) is None


def test_destructive_needs_the_target_typed_and_yes_alone_never_runs_it():
    s = step("kubectl delete pod $POD -n prod")
    rule = confirmation(s, {"POD": "orders-7d9"})
    assert rule.kind == "type" and rule.expected == ("orders-7d9", "svc#1")
    assert not rule.accepts("") and not rule.accepts("y") and not rule.accepts("orders")
    assert rule.accepts("orders-7d9") and rule.accepts(" svc#1 ")
    assert "--yes alone does not run a destructive step" in (rule.from_script(yes=True, confirm=None) or "")
    assert "does not name this step's target" in (rule.from_script(yes=True, confirm="prod") or "")
    assert rule.from_script(yes=False, confirm="orders-7d9") is None


def test_the_target_is_the_destructive_parts_last_word_or_the_blocks_name():
    assert target(step("kubectl get pods; rm -rf /tmp/cache"), {}) == "/tmp/cache"
    assert target(step("kubectl delete pod $POD"), {}) is None  # not given yet: the name is typed
    assert confirmation(step("kubectl delete pod $POD", "sh {name=bounce}"), {}).expected == ("bounce",)


@pytest.mark.parametrize(
    ("command", "aim"),
    [
        ("kubectl delete pod orders-7d9 -n prod", "orders-7d9"),
        ("patronictl -c /etc/p.yml failover orders --candidate replica-1 --force", "orders"),
        ("ssh db-1 sudo systemctl restart postgresql", "postgresql"),
        ("kubectl scale deploy/orders-api --replicas=0", "deploy/orders-api"),
    ],
)
def test_targets_of_common_destructive_steps(command, aim):
    assert target(step(command), {}) == aim


def test_shell_builtins_that_change_nothing_outside_the_step_read():
    assert classify('echo "hello $NAMESPACE"; exit 3').risk == READ
    assert classify("cd /tmp && ls").risk == READ
