"""A corpus of fake secrets in realistic context, and look-alikes that must survive redaction.

Every token body is generated at import time from a seeded generator, and every vendor prefix is
split in the source, so the repository never holds a string that a secret scanner (or push
protection) would take for a live credential, while each sample keeps the real format: the right
prefix, length and alphabet. The values are fake: none was ever issued by anyone.

`SECRETS` lists (kind, context, values): redaction of `context` must leave none of `values`.
`LOOK_ALIKES` lists (kind, context): redaction must leave `context` unchanged.
Shared by tests/unit/test_redact_corpus.py, the egress and CLI tests, and bench/redaction_corpus.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
from dataclasses import dataclass

UPPER_DIGITS = string.ascii_uppercase + string.digits
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"


def gen(seed: str, n: int, alphabet: str = ALNUM) -> str:
    """A deterministic pseudo-random string: the same seed gives the same fake token on every run."""
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(n))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def b64url_json(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode().rstrip("=")


@dataclass(frozen=True)
class Secret:
    kind: str
    context: str  # the realistic line(s) the secret sits in
    values: tuple[str, ...]  # every piece that must not survive redaction


@dataclass(frozen=True)
class LookAlike:
    kind: str
    context: str  # must come out of redaction byte for byte


def _s(kind: str, context: str, *values: str) -> Secret:
    assert values and all(v in context for v in values), (kind, values)
    return Secret(kind, context, values)


# ------------------------------------------------------------------ the pieces

AKIA, ASIA = "AK" + "IA", "AS" + "IA"
AWS_ID = [
    AKIA + gen("aws-id-1", 16, UPPER_DIGITS),
    ASIA + gen("aws-id-2", 16, UPPER_DIGITS),
    AKIA + gen("aws-id-3", 16, UPPER_DIGITS),
]
AWS_SECRET = [gen(f"aws-secret-{i}", 40, B64) for i in range(4)]
AZURE_KEY = [b64(gen(f"azure-{i}", 64).encode())[:86] + "==" for i in range(2)]
PEM_BODY = [b64(gen(f"pem-{i}", 48).encode()) for i in range(8)]
GH = "gh"
JWT_HEAD = b64url_json({"alg": "RS256", "typ": "JWT", "kid": "k1"})


def _jwt(seed: str, sub: str) -> str:
    body = b64url_json({"sub": sub, "iss": "https://auth.example.test", "exp": 1795000000, "scope": "orders:write"})
    return f"{JWT_HEAD}.{body}.{gen(seed, 43, B64URL)}"


JWTS = [
    _jwt("jwt-1", "svc-checkout"),
    _jwt("jwt-2", "svc-payments"),
    _jwt("jwt-3", "system:serviceaccount:ops:deployer"),
    _jwt("jwt-4", "oncall"),
]
PW = [gen(f"pw-{i}", 14, ALNUM) + "!" + str(i) for i in range(20)]  # generated passwords, mixed classes
SPLIT_AT = 60


def _basic(user: str, password: str) -> str:
    return b64(f"{user}:{password}".encode())


def _k8s_b64(value: str) -> str:
    return b64(value.encode())


SECRETS: list[Secret] = [
    # ---- cloud keys and connection strings
    _s("aws-access-key-id", f"aws_access_key_id = {AWS_ID[0]}", AWS_ID[0]),
    _s(
        "aws-access-key-id",
        f"2026-11-20T02:14:07Z botocore.credentials INFO Found credentials: AccessKeyId={AWS_ID[1]}",
        AWS_ID[1],
    ),
    _s("aws-access-key-id", f"  AWS_ACCESS_KEY_ID: {AWS_ID[2]}", AWS_ID[2]),
    _s("aws-secret-access-key", f"aws_secret_access_key = {AWS_SECRET[0]}", AWS_SECRET[0]),
    _s(
        "aws-secret-access-key",
        f"[default]\naws_access_key_id={AWS_ID[0]}\n{AWS_SECRET[1]}\n",
        AWS_ID[0],
        AWS_SECRET[1],
    ),
    _s("aws-secret-access-key", f'export AWS_SECRET_ACCESS_KEY="{AWS_SECRET[2]}"', AWS_SECRET[2]),
    _s(
        "aws-secret-access-key",
        f"Access key ID,Secret access key\n{AWS_ID[1]},{AWS_SECRET[3]}",
        AWS_ID[1],
        AWS_SECRET[3],
    ),
    _s(
        "azure-storage-key",
        "AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;AccountName=ordersprod;"
        f"AccountKey={AZURE_KEY[0]};EndpointSuffix=core.windows.net",
        AZURE_KEY[0],
    ),
    _s("azure-storage-key", f'  "connectionString": "AccountName=ckstate;AccountKey={AZURE_KEY[1]}"', AZURE_KEY[1]),
    _s(
        "azure-sas",
        f"GET https://ordersprod.blob.core.windows.net/exports/day.csv?sv=2022-11-02&ss=b&sp=r&se=2026-12-01"
        f"&sig={gen('sas', 43, B64).replace('/', '%2F').replace('+', '%2B')}%3D",
        gen("sas", 43, B64).replace("/", "%2F").replace("+", "%2B"),
    ),
    _s(
        "azure-client-secret",
        f"AZURE_CLIENT_SECRET={gen('azcs', 3)}8Q~{gen('azcs2', 34, ALNUM + '~._-')}",
        f"{gen('azcs', 3)}8Q~{gen('azcs2', 34, ALNUM + '~._-')}",
    ),
    _s(
        "gcp-service-account",
        '  "private_key": "-----BEGIN '
        + "PRIVATE KEY-----\\n"
        + PEM_BODY[0]
        + "\\n"
        + PEM_BODY[1]
        + '\\n-----END PRIVATE KEY-----\\n",',
        PEM_BODY[0],
        PEM_BODY[1],
    ),
    _s(
        "gcp-api-key",
        "curl 'https://maps.example.test/geocode?address=x&key=" + "AI" + "za" + gen("gcp", 35, B64URL) + "'",
        "AI" + "za" + gen("gcp", 35, B64URL),
    ),
    _s(
        "gcp-oauth-secret",
        "GOOGLE_OAUTH_CLIENT_SECRET=" + "GOC" + "SPX-" + gen("gocspx", 28, B64URL),
        "GOC" + "SPX-" + gen("gocspx", 28, B64URL),
    ),
    # ---- VCS and CI tokens
    _s(
        "github-token",
        f"remote: https://{GH}p_{gen('ghp', 36)}@github.com/acme/checkout.git",
        f"{GH}p_{gen('ghp', 36)}",
    ),
    _s("github-token", f"GITHUB_TOKEN: {GH}o_{gen('gho', 36)}", f"{GH}o_{gen('gho', 36)}"),
    _s(
        "github-token",
        'gh auth login --with-token <<< "github_' + "pat_" + gen("ghpat", 22) + "_" + gen("ghpat2", 59) + '"',
        "github_" + "pat_" + gen("ghpat", 22) + "_" + gen("ghpat2", 59),
    ),
    _s(
        "gitlab-token",
        f"git clone https://oauth2:glpat-{gen('glpat', 20, B64URL)}@gitlab.example.test/ops/runbooks.git",
        f"glpat-{gen('glpat', 20, B64URL)}",
    ),
    _s(
        "gitlab-token",
        f'curl --header "PRIVATE-TOKEN: glpat-{gen("glpat2", 20, B64URL)}" https://gitlab.example.test/api/v4/projects',
        f"glpat-{gen('glpat2', 20, B64URL)}",
    ),
    _s("circleci-token", f"export CIRCLECI_TOKEN={gen('circle', 40, HEX)}", gen("circle", 40, HEX)),
    _s(
        "circleci-token",
        f"curl -H 'Circle-Token: CCIPAT_{gen('ccipat', 22)}_{gen('ccipat2', 40, HEX)}' https://circleci.com/api/v2/me",
        f"CCIPAT_{gen('ccipat', 22)}_{gen('ccipat2', 40, HEX)}",
    ),
    _s("npm-token", f"//registry.npmjs.org/:_authToken=npm_{gen('npm', 36)}", f"npm_{gen('npm', 36)}"),
    _s("npm-token", f"NPM_TOKEN=npm_{gen('npm2', 36)} npm publish --access public", f"npm_{gen('npm2', 36)}"),
    _s(
        "pypi-token",
        "[pypi]\n  username = __token__\n  password = " + "py" + "pi-AgEIcHlwaS5vcmc" + gen("pypi", 70, B64URL),
        "py" + "pi-AgEIcHlwaS5vcmc" + gen("pypi", 70, B64URL),
    ),
    _s(
        "pypi-token",
        "TWINE_PASSWORD=" + "py" + "pi-AgENdGVzdC5weXBpLm9yZw" + gen("pypi2", 60, B64URL) + " twine upload dist/*",
        "py" + "pi-AgENdGVzdC5weXBpLm9yZw" + gen("pypi2", 60, B64URL),
    ),
    # ---- chat and payment vendors
    _s(
        "slack-token",
        "SLACK_BOT_TOKEN="
        + "xo"
        + "xb-"
        + gen("xoxb1", 12, string.digits)
        + "-"
        + gen("xoxb2", 13, string.digits)
        + "-"
        + gen("xoxb3", 24),
        "xo" + "xb-" + gen("xoxb1", 12, string.digits) + "-" + gen("xoxb2", 13, string.digits) + "-" + gen("xoxb3", 24),
    ),
    _s(
        "slack-token",
        "user token: "
        + "xo"
        + "xp-"
        + gen("xoxp1", 12, string.digits)
        + "-"
        + gen("xoxp2", 12, string.digits)
        + "-"
        + gen("xoxp3", 13, string.digits)
        + "-"
        + gen("xoxp4", 32, HEX),
        "xo"
        + "xp-"
        + gen("xoxp1", 12, string.digits)
        + "-"
        + gen("xoxp2", 12, string.digits)
        + "-"
        + gen("xoxp3", 13, string.digits)
        + "-"
        + gen("xoxp4", 32, HEX),
    ),
    _s(
        "slack-app-token",
        "SLACK_APP_TOKEN="
        + "xa"
        + "pp-1-A"
        + gen("xapp1", 10, UPPER_DIGITS)
        + "-"
        + gen("xapp2", 13, string.digits)
        + "-"
        + gen("xapp3", 64, HEX),
        "xa"
        + "pp-1-A"
        + gen("xapp1", 10, UPPER_DIGITS)
        + "-"
        + gen("xapp2", 13, string.digits)
        + "-"
        + gen("xapp3", 64, HEX),
    ),
    _s(
        "slack-app-token",
        "socket mode: connecting with "
        + "xa"
        + "pp-1-A"
        + gen("xapp4", 10, UPPER_DIGITS)
        + "-"
        + gen("xapp5", 13, string.digits)
        + "-"
        + gen("xapp6", 64, HEX),
        "xa"
        + "pp-1-A"
        + gen("xapp4", 10, UPPER_DIGITS)
        + "-"
        + gen("xapp5", 13, string.digits)
        + "-"
        + gen("xapp6", 64, HEX),
    ),
    _s(
        "slack-webhook",
        "alertmanager: slack_api_url: https://hooks.slack.com/services/T"
        + gen("sw1", 8, UPPER_DIGITS)
        + "/B"
        + gen("sw2", 8, UPPER_DIGITS)
        + "/"
        + gen("sw3", 24),
        gen("sw3", 24),
    ),
    _s(
        "discord-webhook",
        "DISCORD_WEBHOOK=https://discord.com/api/webhooks/"
        + gen("dw1", 18, string.digits)
        + "/"
        + gen("dw2", 68, B64URL),
        gen("dw2", 68, B64URL),
    ),
    _s(
        "discord-bot-token",
        "bot.run('M" + gen("db1", 25) + "." + gen("db2", 6, B64URL) + "." + gen("db3", 38, B64URL) + "')",
        "M" + gen("db1", 25) + "." + gen("db2", 6, B64URL) + "." + gen("db3", 38, B64URL),
    ),
    _s("stripe-key", "STRIPE_SECRET_KEY=" + "sk" + "_live_" + gen("sk", 99), "sk" + "_live_" + gen("sk", 99)),
    _s("stripe-key", "stripe.api_key = '" + "rk" + "_live_" + gen("rk", 24) + "'", "rk" + "_live_" + gen("rk", 24)),
    _s("stripe-key", "Webhook signing secret: " + "wh" + "sec_" + gen("whsec", 32), "wh" + "sec_" + gen("whsec", 32)),
    _s(
        "twilio-api-key",
        "twilio api:core:messages:create --api-key "
        + "S"
        + "K"
        + gen("twsk", 32, HEX)
        + " --api-secret "
        + gen("twsec", 32),
        "S" + "K" + gen("twsk", 32, HEX),
        gen("twsec", 32),
    ),
    _s(
        "twilio-auth-token",
        "TWILIO_ACCOUNT_SID=AC" + gen("twsid", 32, HEX) + "\nTWILIO_AUTH_TOKEN=" + gen("twtok", 32, HEX),
        gen("twtok", 32, HEX),
    ),
    _s(
        "twilio-api-key",
        "  twilio: {sid: " + "S" + "K" + gen("twsk2", 32, HEX) + "}",
        "S" + "K" + gen("twsk2", 32, HEX),
    ),
    _s(
        "sendgrid-key",
        "SENDGRID_API_KEY=" + "S" + "G." + gen("sg1", 22, B64URL) + "." + gen("sg2", 43, B64URL),
        "S" + "G." + gen("sg1", 22, B64URL) + "." + gen("sg2", 43, B64URL),
    ),
    _s(
        "sendgrid-key",
        "smtp relay login apikey / " + "S" + "G." + gen("sg3", 22, B64URL) + "." + gen("sg4", 43, B64URL),
        "S" + "G." + gen("sg3", 22, B64URL) + "." + gen("sg4", 43, B64URL),
    ),
    _s(
        "mailgun-key",
        "curl -s --user 'api:"
        + "ke"
        + "y-"
        + gen("mg", 32, HEX)
        + "' https://api.mailgun.net/v3/mg.example.test/messages",
        "ke" + "y-" + gen("mg", 32, HEX),
    ),
    _s(
        "mailgun-key",
        "MAILGUN_API_KEY=" + gen("mg2", 32, HEX) + "-" + gen("mg3", 8, HEX) + "-" + gen("mg4", 8, HEX),
        gen("mg2", 32, HEX) + "-" + gen("mg3", 8, HEX) + "-" + gen("mg4", 8, HEX),
    ),
    # ---- database URLs and CLI password flags
    _s("postgres-url", f"DATABASE_URL=postgres://orders:{PW[0]}@db.internal:5432/orders?sslmode=require", PW[0]),
    _s(
        "postgres-url",
        f"sqlalchemy.url = postgresql+psycopg://app:{PW[1][:6]}/{PW[1][6:]}@pg-primary/app",
        f"{PW[1][:6]}/{PW[1][6:]}",
    ),
    _s("mysql-url", f"  dsn: mysql://root:{PW[2]}@mysql-0.mysql:3306/checkout", PW[2]),
    _s("mongodb-url", f"MONGO_URI=mongodb+srv://svc:{PW[3]}@cluster0.ab1cd.mongodb.net/orders?retryWrites=true", PW[3]),
    _s("redis-url", f"cache url redis://:{PW[4]}@redis-master.cache:6379/0", PW[4]),
    _s("redis-url", f"CELERY_BROKER_URL=rediss://default:{PW[5]}@redis.example.test:6380", PW[5]),
    _s("amqp-url", f"amqp://guest:{PW[6]}@rabbit.internal:5672/%2f", PW[6]),
    _s("mysql-cli", f"$ mysql -h db.internal -u root -p{PW[7]} checkout -e 'show processlist'", PW[7]),
    _s("mysql-cli", f"mysqldump --user=backup --password={PW[8]} --single-transaction orders > orders.sql", PW[8]),
    _s("psql-password", f"PGPASSWORD={PW[9]} psql -h pg-primary -U app -d orders -c 'select 1'", PW[9]),
    _s("cli-password-flag", f"docker login registry.example.test -u ci --password {PW[10]}", PW[10]),
    _s(
        "cli-password-flag",
        f"helm repo add internal https://charts.example.test --username ci --password={PW[11]}",
        PW[11],
    ),
    _s("cli-password-flag", f"docker login -u deploy -p {PW[12]} registry.example.test", PW[12]),
    _s("cli-password-flag", f"redis-cli -h redis-master -a {PW[13]} info replication", PW[13]),
    _s("cli-password-flag", f"sshpass -p '{PW[14]}' ssh admin@10.0.4.12", PW[14]),
    # ---- shell exports
    _s("shell-export", f"export DB_PASS={PW[15]}", PW[15]),
    _s(
        "shell-export",
        f"export SENTRY_AUTH_TOKEN=sntrys_{gen('sentry', 60, B64URL)}",
        f"sntrys_{gen('sentry', 60, B64URL)}",
    ),
    _s("shell-export", f"  512  export ORDERS_API_KEY='{gen('ordkey', 32)}'", gen("ordkey", 32)),
    _s("shell-export", f"export X_TOKEN={gen('xtok', 24)}", gen("xtok", 24)),
    # ---- .netrc, docker, kubernetes
    _s("netrc", f"machine api.example.test login deploy password {PW[16]}", PW[16]),
    _s("netrc", f"machine git.example.test\n  login ci-bot\n  password {PW[17]}", PW[17]),
    _s(
        "docker-config",
        '{"auths": {"registry.example.test": {"auth": "' + _basic("ci", PW[18]) + '"}}}',
        _basic("ci", PW[18]),
    ),
    _s("docker-config", '      "identitytoken": "' + gen("dockid", 64, B64URL) + '"', gen("dockid", 64, B64URL)),
    _s(
        "k8s-secret",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: orders-db\ntype: Opaque\ndata:\n  username: "
        + _k8s_b64("orders")
        + "\n  password: "
        + _k8s_b64(PW[19])
        + "\n  api-token: "
        + _k8s_b64(gen("k8stok", 30))
        + "\n",
        _k8s_b64(PW[19]),
        _k8s_b64(gen("k8stok", 30)),
    ),
    _s(
        "k8s-secret",
        "kind: Secret\ndata:\n  tls.key: " + b64(gen("tlskey", 60).encode()) + "\n  ca.crt: LS0tLS1CRUdJTg==\n",
        b64(gen("tlskey", 60).encode()),
    ),
    _s("kubeconfig", "users:\n- name: deployer\n  user:\n    token: " + JWTS[2], JWTS[2]),
    _s(
        "kubeconfig",
        "    client-key-data: " + b64(("-----BEGIN " + "EC PRIVATE KEY-----\n" + PEM_BODY[2]).encode()),
        b64(("-----BEGIN " + "EC PRIVATE KEY-----\n" + PEM_BODY[2]).encode()),
    ),
    # ---- private key blocks
    _s(
        "private-key-rsa",
        "-----BEGIN " + f"RSA PRIVATE KEY-----\n{PEM_BODY[3]}\n{PEM_BODY[4]}\n-----END RSA PRIVATE KEY-----",
        PEM_BODY[3],
        PEM_BODY[4],
    ),
    _s(
        "private-key-ec",
        "cat key.pem\n-----BEGIN " + f"EC PRIVATE KEY-----\n{PEM_BODY[5]}\n-----END EC PRIVATE KEY-----\n",
        PEM_BODY[5],
    ),
    _s(
        "private-key-openssh",
        "-----BEGIN " + f"OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA{PEM_BODY[6]}\n"
        "-----END OPENSSH PRIVATE KEY-----",
        PEM_BODY[6],
    ),
    _s(
        "private-key-pgp",
        "-----BEGIN "
        + f"PGP PRIVATE KEY BLOCK-----\n\nlQOYBF{PEM_BODY[7]}\n=a1B2\n-----END PGP PRIVATE KEY BLOCK-----",
        PEM_BODY[7],
    ),
    # ---- JWTs, also split over lines
    _s("jwt", f"2026-11-20 02:14:07 WARN auth: rejected token {JWTS[0]} (expired)", JWTS[0]),
    _s("jwt", f"id_token={JWTS[1]}&state=af0ifjsldkj", JWTS[1]),
    _s("jwt-split", f"token: {JWTS[3][:SPLIT_AT]}\n{JWTS[3][SPLIT_AT:]}\n", JWTS[3][:SPLIT_AT], JWTS[3][SPLIT_AT:]),
    _s(
        "jwt-split",
        f"Authorization: Bearer {JWTS[0][:SPLIT_AT]}\\\n  {JWTS[0][SPLIT_AT:]}",
        JWTS[0][:SPLIT_AT],
        JWTS[0][SPLIT_AT:],
    ),
    # ---- basic auth, cookies, session headers
    _s("basic-auth", f"Authorization: Basic {_basic('admin', PW[0])}", _basic("admin", PW[0])),
    _s("curl-user", f"curl -u admin:{PW[1]} https://grafana.internal/api/health", PW[1]),
    _s("curl-user", f"curl --user 'svc-ci:{PW[2]}' -X POST https://jenkins.internal/job/deploy/build", PW[2]),
    _s(
        "cookie",
        f"Cookie: session={gen('sess', 32, B64URL)}; csrftoken={gen('csrf', 32)}",
        gen("sess", 32, B64URL),
        gen("csrf", 32),
    ),
    _s("cookie", f"< Set-Cookie: sessionid={gen('sessid', 40)}; Path=/; HttpOnly; Secure", gen("sessid", 40)),
    _s(
        "cookie",
        f"curl --cookie 'JSESSIONID={gen('jsess', 32, HEX).upper()}' https://shop.internal/cart",
        gen("jsess", 32, HEX).upper(),
    ),
    _s("bearer", f"Authorization: Bearer {gen('bearer', 40, B64URL)}", gen("bearer", 40, B64URL)),
    _s("bearer", f"requests.get(url, headers={{'Authorization': 'Bearer {gen('bearer2', 32)}'}})", gen("bearer2", 32)),
    _s(
        "api-key-header",
        f"curl -H 'X-API-Key: {gen('xapikey', 32)}' https://api.internal/v1/orders",
        gen("xapikey", 32),
    ),
    # ---- secret stores, model vendors, ops SaaS
    _s(
        "vault-token",
        "export VAULT_TOKEN=" + "hv" + "s." + gen("hvs", 90, B64URL),
        "hv" + "s." + gen("hvs", 90, B64URL),
    ),
    _s("vault-token", "X-Vault-Token: " + "hv" + "s." + gen("hvs2", 24), "hv" + "s." + gen("hvs2", 24)),
    _s("vault-token", "vault login " + "hv" + "b." + gen("hvb", 120, B64URL), "hv" + "b." + gen("hvb", 120, B64URL)),
    _s(
        "anthropic-key",
        "ANTHROPIC_API_KEY=" + "sk-" + "ant-" + "api03-" + gen("ant", 93, B64URL) + "AA",
        "sk-" + "ant-" + "api03-" + gen("ant", 93, B64URL) + "AA",
    ),
    _s(
        "openai-key",
        'client = OpenAI(api_key="' + "sk-" + "proj-" + gen("oai", 74, B64URL) + '")',
        "sk-" + "proj-" + gen("oai", 74, B64URL),
    ),
    _s(
        "openai-key",
        "OPENAI_API_KEY=" + "sk-" + gen("oai2", 20) + "T3Blbk" + "FJ" + gen("oai3", 20),
        "sk-" + gen("oai2", 20) + "T3Blbk" + "FJ" + gen("oai3", 20),
    ),
    _s(
        "heroku-key",
        "HEROKU_API_KEY=" + str(__import__("uuid").UUID(gen("heroku", 32, HEX))),
        str(__import__("uuid").UUID(gen("heroku", 32, HEX))),
    ),
    _s(
        "heroku-key",
        "heroku authorizations:create -> Token: " + "HR" + "KU-" + gen("hrku", 60, B64URL),
        "HR" + "KU-" + gen("hrku", 60, B64URL),
    ),
    _s("datadog-key", f"DD_API_KEY={gen('ddapi', 32, HEX)}", gen("ddapi", 32, HEX)),
    _s(
        "datadog-key",
        f"curl -H 'DD-APPLICATION-KEY: {gen('ddapp', 40, HEX)}' https://api.datadoghq.eu/api/v1/monitor",
        gen("ddapp", 40, HEX),
    ),
    _s("datadog-key", f"  DD_APP_KEY: {gen('ddapp2', 40, HEX)}", gen("ddapp2", 40, HEX)),
    _s(
        "telegram-bot-token",
        f"TELEGRAM_BOT_TOKEN={gen('tg1', 10, string.digits)}:AA{gen('tg2', 33, B64URL)}",
        f"{gen('tg1', 10, string.digits)}:AA{gen('tg2', 33, B64URL)}",
    ),
    _s(
        "digitalocean-token",
        "doctl auth init -t " + "dop" + "_v1_" + gen("dop", 64, HEX),
        "dop" + "_v1_" + gen("dop", 64, HEX),
    ),
    _s(
        "shopify-token",
        "X-Shopify-Access-Token: " + "shp" + "at_" + gen("shp", 32, HEX),
        "shp" + "at_" + gen("shp", 32, HEX),
    ),
    _s(
        "grafana-token",
        "GF_TOKEN=" + "gl" + "sa_" + gen("glsa", 32) + "_" + gen("glsa2", 8, HEX),
        "gl" + "sa_" + gen("glsa", 32) + "_" + gen("glsa2", 8, HEX),
    ),
    # ---- prose and nested config
    _s("prose-password", f"FYI the password is {PW[3]} until we rotate it", PW[3]),
    _s("prose-password", f"new root pw: {PW[4]} (set by the DBA during the incident)", PW[4]),
    _s("nested-yaml", f"redis:\n  host: redis-master.cache\n  port: 6379\n  pass: {PW[5]}\n", PW[5]),
    _s("nested-yaml", f"smtp:\n    auth:\n        user: alerts\n        pass: '{PW[6]}'\n", PW[6]),
    _s("nested-yaml", f"ldap:\n  bind_dn: cn=svc,dc=example,dc=test\n  bind_credential: {PW[7]}\n", PW[7]),
    _s("cli-password-flag", f"./migrate --db-host pg --password {PW[8]} --dry-run", PW[8]),
    _s("cli-password-flag", f"wget --user=ci --http-password={PW[9]} https://artifacts.internal/orders.jar", PW[9]),
]

_DIGEST = hashlib.sha256(b"checkout:2.14.3").hexdigest()
_SHA1 = hashlib.sha1(b"fix: pin truststore").hexdigest()
_PNG = b64(hashlib.sha512(b"a tiny png").digest() * 2)
_CERT = [b64(hashlib.sha384(f"cert-{i}".encode()).digest()) for i in range(3)]

LOOK_ALIKES: list[LookAlike] = [
    LookAlike("git-sha", f"commit {_SHA1}\nAuthor: CI <ci>"),
    LookAlike("git-sha", f"{_SHA1[:7]} fix: pin truststore (#4121)"),
    LookAlike("git-sha", f"deployed checkout@{_SHA1[:12]} to prod-eu"),
    LookAlike("git-sha", f"ref: refs/heads/main\n{_SHA1}"),
    LookAlike("uuid", "request_id=123e4567-e89b-12d3-a456-426614174000 status=502 upstream=orders"),
    LookAlike("uuid", '{"order_id": "9b2f0c1e-7d3a-4c55-9e1f-0a6b8c2d4e6f", "state": "pending"}'),
    LookAlike("lockfile-hash", f'  "integrity": "sha512-{b64(hashlib.sha512(b"left-pad").digest())}"'),
    LookAlike("lockfile-hash", f"  integrity sha1-{b64(hashlib.sha1(b'lodash').digest())}"),
    LookAlike("lockfile-hash", f"  checksum: {hashlib.sha512(b'react').hexdigest()}"),
    LookAlike("base64-image", f'<img src="data:image/png;base64,{_PNG}" alt="p95 latency">'),
    LookAlike("resource-name", "arn:aws:iam::123456789012:role/checkout-deployer"),
    LookAlike("resource-name", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/db-AbCdEf"),
    LookAlike("resource-name", "pod/checkout-api-7d9f8b6c5d-x2k4p restarted 3 times (CrashLoopBackOff)"),
    LookAlike("resource-name", "projects/acme-prod/locations/europe-west1/clusters/payments-gke-01"),
    LookAlike("timestamp", "2026-11-20T02:14:07.123456Z orders-api 502 Bad Gateway"),
    LookAlike("timestamp", "Nov 20 02:14:07 bastion-01 sshd[21344]: session opened"),
    LookAlike("image-digest", f"image: registry.example.test/checkout@sha256:{_DIGEST}"),
    LookAlike("image-digest", f"sha256:{_DIGEST}  checkout-2.14.3.tar.gz"),
    LookAlike("semver", "upgraded orders-api v2.14.3-rc.1+build.5 -> v2.14.4"),
    LookAlike("trace-id", "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
    LookAlike("trace-id", "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7"),
    LookAlike("empty-password", 'password: ""'),
    LookAlike("templated-password", "password: ${DB_PASSWORD}"),
    LookAlike("masked-password", "password: <redacted>"),
    LookAlike("templated-password", 'api_key: "{{ vault_orders_api_key }}"'),
    LookAlike("templated-password", "token: ${{ secrets.DEPLOY_TOKEN }}"),
    LookAlike("placeholder", "token: [GITHUB_TOKEN_1] was rotated"),
    LookAlike("secret-ref", "valueFrom:\n  secretKeyRef:\n    name: orders-db\n    key: password"),
    LookAlike("prose", "the password is rotated every 90 days by the vault job"),
    LookAlike("prose", "token bucket refill rate: 500/s per client"),
    LookAlike("cli-flag", "mysql -h db.internal -u app -p orders"),
    LookAlike("cli-flag", "ssh -p 2222 bastion.example.test"),
    LookAlike("cli-flag", "psql -h pg-primary -p 5432 -U app orders"),
    LookAlike("cli-flag", "docker run -p 8080:80 nginx:1.27"),
    LookAlike("env-ref", 'curl -u "$API_USER:$API_PASS" https://grafana.internal/api/health'),
    LookAlike("url", "redis://redis-master.cache:6379/0"),
    LookAlike(
        "ssh-public-key",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + b64(hashlib.sha256(b"oncall").digest())[:43] + " oncall",
    ),
    LookAlike("certificate", "-----BEGIN CERTIFICATE-----\n" + "\n".join(_CERT) + "\n-----END CERTIFICATE-----"),
    LookAlike("configmap", "kind: ConfigMap\ndata:\n  LOG_LEVEL: debug\n  FEATURE_FLAGS: checkout-v2,fast-pay\n"),
    LookAlike("azure-no-key", "AccountName=ordersprod;EndpointSuffix=core.windows.net"),
    LookAlike("slack-ids", "posted to channel C04ABCD1234 by U02XYZ7890"),
    LookAlike("password-policy", "password_expiry_days: 90"),
    LookAlike("checksum", f"{_DIGEST}  /var/lib/artifacts/orders.jar"),
]
