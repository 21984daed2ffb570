"""The egress redaction function: one sample per kind masked, look-alikes untouched, stable typed
placeholders, counts, idempotence. Token-shaped samples are assembled at run time so the repository
never holds a string a secret scanner would flag."""

from __future__ import annotations

import base64
import json

import pytest

from cockpit.text.redact import Redactor, find_secrets, redact


def _b64(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


AWS_KEY = "AK" + "IA" + "QX7Z2LMN4PRS8TUV"
AWS_SECRET = "wJalrXUtnFEMI" + "/K7MDENG/bPxRfiCYz" + "Q2Lm9Ks0A"
JWT = _b64({"alg": "HS256", "typ": "JWT"}) + "." + _b64({"sub": "tenant-42"}) + "." + "c2lnbmF0dXJlLW5vdC1yZWFs"

SAMPLES = [  # (kind, text, the secret that must disappear)
    ("AWS_KEY", f"aws_access_key_id = {AWS_KEY}", AWS_KEY),
    ("AWS_SECRET", f"aws_secret_access_key={AWS_SECRET}", AWS_SECRET),
    ("AUTH_HEADER", "Authorization: Bearer " + "tok" + "0123456789abcdefXYZ", "tok0123456789abcdefXYZ"),
    ("AUTH_HEADER", "curl -H 'Authorization: Basic " + "dXNlcjpw" + "YXNzd29yZA==" + "'", "dXNlcjpwYXNzd29yZA=="),
    ("BEARER", "the client sent bearer " + "q8Zr" + "Tn2vLw5Yk9Hc3Jm7Pd", "q8ZrTn2vLw5Yk9Hc3Jm7Pd"),
    (
        "PRIVATE_KEY",
        "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nq9s\n-----END RSA PRIVATE KEY-----",
        "MIIEowIBAAKCAQEA7",
    ),
    ("URL_PASSWORD", "DATABASE_URL=postgres://app:" + "s3cr3t-pw" + "@db.internal:5432/orders", "s3cr3t-pw"),
    ("JWT", f"token {JWT} expired", JWT),
    (
        "GITHUB_TOKEN",
        "export GH_TOKEN=" + "gh" + "p_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
        "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
    ),
    ("SLACK_TOKEN", "slack: " + "xo" + "xb-" + "2048-4096-Zq8rLw", "2048-4096-Zq8rLw"),
    ("STRIPE_KEY", "STRIPE=" + "sk" + "_live_" + "51HbQx2eZvKYlo2C8Nw", "51HbQx2eZvKYlo2C8Nw"),
    ("ANTHROPIC_KEY", "key " + "sk-" + "ant-" + "api03-" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3", "api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3"),
    (
        "GOOGLE_KEY",
        "maps key " + "AI" + "za" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
        "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
    ),
    ("SECRET", "password=" + "hunter2x", "hunter2x"),
    ("SECRET", 'db_password: "' + "Corr3ct-Horse" + '"', "Corr3ct-Horse"),
    ("SECRET", "client_secret := " + "v9Qm2Lx7Rt", "v9Qm2Lx7Rt"),
    ("EMAIL", "page priya.n@example.com if it recurs", "priya.n@example.com"),
]


@pytest.mark.parametrize("kind, text, secret", SAMPLES, ids=[f"{k}-{i}" for i, (k, _t, _s) in enumerate(SAMPLES)])
def test_each_kind_is_masked_with_a_typed_placeholder(kind, text, secret):
    result = redact(text)
    assert secret not in result.text
    assert f"[{kind}_1]" in result.text
    assert result.counts == {kind: 1}


@pytest.mark.parametrize(
    "text",
    [
        "commit 3f2a9c1e0b7d4a6f8e5c2b1a0f9e8d7c6b5a4f3e fixed it",  # a git SHA: 40 hex
        "request 123e4567-e89b-12d3-a456-426614174000 failed",  # a UUID
        'password: ""',  # an empty value
        "password: '' # set by the operator",
        "DB password: read from Vault at `secret/orders/db`",  # prose after a keyword
        "token: rotated yesterday",
        "api_key: ${ORDERS_API_KEY}",  # a reference, not a value
        "password = os.environ['DB_PASSWORD']",
        "secret: <from vault>",
        "aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNlNjQ=",  # ordinary base64 with no keyword
        "sha256:9d4b6e2a51c07f3e8a2d9c1b4f6e0a7d3c5b8e1f2a4d6c9b0e3f5a7c1d2e4b6a",
        "git clone git@github.com:org/repo.git",
        "the Authorization header carries the token",
        "eyJub3QiOiJhIGp3dCJ9 alone is not a token",
    ],
)
def test_look_alikes_are_left_alone(text):
    result = redact(text)
    assert (result.text, dict(result.counts)) == (text, {})


def test_the_same_value_keeps_its_placeholder_and_different_values_are_numbered():
    other = "AK" + "IA" + "ZZZZ2LMN4PRS8TUV"
    text = f"primary {AWS_KEY}\nbackup {other}\nprimary again {AWS_KEY}\nmail ops@example.com and ops@example.com"
    result = redact(text)
    assert result.text == (
        "primary [AWS_KEY_1]\nbackup [AWS_KEY_2]\nprimary again [AWS_KEY_1]\nmail [EMAIL_1] and [EMAIL_1]"
    )
    assert result.counts == {"AWS_KEY": 3, "EMAIL": 2}
    assert result.total == 5


def test_counts_cover_a_mixed_log():
    log = "\n".join(text for _kind, text, _secret in SAMPLES)
    result = redact(log)
    assert sum(result.counts.values()) == len(SAMPLES)
    for _kind, _text, secret in SAMPLES:
        assert secret not in result.text


def test_redaction_is_idempotent():
    log = "\n".join(text for _kind, text, _secret in SAMPLES)
    once = redact(log)
    twice = redact(once.text)
    assert twice.text == once.text
    assert dict(twice.counts) == {}


def test_the_specific_pattern_wins_over_the_generic_assignment():
    assert redact(f"aws_access_key = {AWS_KEY}").counts == {"AWS_KEY": 1}  # not SECRET


def test_a_private_key_block_is_masked_whole_and_the_text_after_survives():
    text = (
        "before\n-----BEGIN "
        + "OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\nAAAA\n-----END OPENSSH PRIVATE KEY-----\nafter"
    )
    assert redact(text).text == "before\n[PRIVATE_KEY_1]\nafter"


def test_a_redactor_keeps_placeholders_stable_across_calls():
    session = Redactor()
    first = session.redact(f"key {AWS_KEY}")
    second = session.redact(f"again {AWS_KEY} and {'AK' + 'IA' + 'YYYY2LMN4PRS8TUV'}")
    assert first.text == "key [AWS_KEY_1]"
    assert second.text == "again [AWS_KEY_1] and [AWS_KEY_2]"


def test_find_secrets_reports_kind_and_line_and_marks_emails_as_not_secret():
    hits = find_secrets(f"line one\nkey {AWS_KEY}\nmail a.b@example.org")
    assert [(h.kind, h.line, h.secret) for h in hits] == [("AWS_KEY", 2, True), ("EMAIL", 3, False)]


def test_a_new_secret_never_takes_the_name_of_a_placeholder_already_in_the_text():
    # A model answer echoes [AWS_KEY_1] from the prompt and adds a key of its own: a fresh redaction
    # (as the commands do before storing) must not call the new key [AWS_KEY_1] too.
    out = redact(f"rotate [AWS_KEY_1], then use {AWS_KEY}")
    assert out.text == "rotate [AWS_KEY_1], then use [AWS_KEY_2]"


def test_a_masked_value_inside_a_json_string_is_not_masked_again():
    once = redact(
        '  "private_key": "-----BEGIN ' + 'PRIVATE KEY-----\\nMIIEvQIBADANBg\\n-----END PRIVATE KEY-----\\n",'
    ).text
    assert once == '  "private_key": "[PRIVATE_KEY_1]\\n",'
    assert redact(once).text == once


def test_a_cookie_header_after_a_label_is_masked_but_prose_about_cookies_is_not():
    session = "s" + "Q9xL2vR7kT4mW8zP1nB6"
    assert session not in redact(f"- engineer → advance: Cookie: session={session}").text
    assert redact("we cleared the cookie: it was stale").text == "we cleared the cookie: it was stale"


@pytest.mark.parametrize(
    "text, secret",
    [
        # Entropy near a key-like name that no listed word covers: the value is random, whatever the vendor.
        (
            "NEW_RELIC_LICENSE_KEY=" + "a1cceb" + "e3616f88ae461a3444f3b26e123dc6NRAL",
            "e3616f88ae461a3444f3b26e123dc6NRAL",
        ),
        ("  signing.key: " + "Zk3qP9" + "wLm2Xv7RtB4nYc8H", "wLm2Xv7RtB4nYc8H"),
        # Prose with a word between the name and the verb, and "is now" read whole.
        ("root password for bastion-02 is now " + "7oqMOJ" + "aOpOAC#4", "aOpOAC#4"),
        ("the pw is now " + "Hunter" + "22x", "Hunter22x"),
    ],
)
def test_generic_places_catch_formats_no_list_names(text, secret):
    assert secret not in redact(text).text


@pytest.mark.parametrize(
    "text",
    [
        "key: password",
        "sort key = created_at",
        "primary_key = order_id_2026",
        "auth: required",
        "the password is rotated every 90 days",
    ],
)
def test_key_like_names_with_ordinary_values_are_left_alone(text):
    assert redact(text).text == text
