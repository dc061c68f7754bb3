"""Positive formats: fake, format-valid secrets and personal data, by kind.

Each ``Fmt`` knows how to make one value (from a seeded RNG), the variable
names people give it, the prompt shapes it appears in and, for pairs such as an
AWS key id with its secret, which other formats are planted beside it.

Formats come from vendors' published facts (prefix, length, alphabet, checksum:
see ``peers-and-formats.md`` section 7 and the references in each rule pack),
never from another scanner's test data. Checksummed tokens (GitHub, npm,
Grafana, Atlassian, age, Luhn, IBAN mod-97, NHS mod-11) carry valid checksums.
"""

from __future__ import annotations

import random
import urllib.parse
from collections.abc import Callable
from collections.abc import Sequence
from typing import NamedTuple

import accuracy_shapes as sh
import accuracy_values as v
from accuracy_shapes import Item
from accuracy_shapes import Seg
from accuracy_shapes import Shape
from accuracy_shapes import Slot
from accuracy_values import ALNUM
from accuracy_values import B64
from accuracy_values import B64URL
from accuracy_values import DIGITS
from accuracy_values import HEX
from accuracy_values import LETTERS
from accuracy_values import UPPER
from accuracy_values import Value
from accuracy_values import inner
from accuracy_values import mixed
from accuracy_values import rand
from accuracy_values import whole

Maker = Callable[[random.Random], Value]


class Fmt(NamedTuple):
    id: str
    kind: str
    make: Maker
    names: tuple[str, ...]
    shapes: tuple[Shape, ...]
    label: str
    host: str = "api.example.com"
    header: str = "Authorization: Bearer"
    # Other format ids planted in the same sample (assignment shapes only).
    with_: tuple[str, ...] = ()
    n: int = 10  # samples to generate at scale 1


def _tok(prefix: str, n: int, alphabet: str = ALNUM, suffix: str = "") -> Maker:
    def make(rng: random.Random) -> Value:
        return whole(prefix + mixed(rng, n, alphabet) + suffix)

    return make


def _choice_len(prefix: str, lengths: Sequence[int], alphabet: str = ALNUM) -> Maker:
    def make(rng: random.Random) -> Value:
        return whole(prefix + mixed(rng, rng.choice(lengths), alphabet))

    return make


# ---------------------------------------------------------------- makers


def openai_key(prefix: str, seg: int, alphabet: str = B64URL) -> Maker:
    def make(rng: random.Random) -> Value:
        return whole(prefix + mixed(rng, seg, alphabet) + "T3BlbkFJ" + mixed(rng, seg, alphabet))

    return make


def aws_key_id(prefix: str) -> Maker:
    def make(rng: random.Random) -> Value:
        while True:
            key = prefix + mixed(rng, 16, v.BASE32_AWS)
            if "EXAMPLE" not in key:
                return whole(key)

    return make


def aws_session_token(rng: random.Random) -> Value:
    return whole("IQoJb3JpZ2luX2Vj" + rand(rng, rng.randint(560, 900), B64) + "==")


def google_refresh(rng: random.Random) -> Value:
    return whole("1//0" + mixed(rng, 99, B64URL))


def google_access(rng: random.Random) -> Value:
    return whole("ya29." + mixed(rng, rng.randint(150, 200), B64URL))


def azure_storage_conn(rng: random.Random) -> Value:
    account = rng.choice(("stprod", "stbackup", "mediastore", "logsarchive")) + rand(rng, 4, DIGITS)
    key = v.b64(v.rand_bytes(rng, 64))
    return inner(
        f"DefaultEndpointsProtocol=https;AccountName={account};AccountKey=",
        key,
        ";EndpointSuffix=core.windows.net",
    )


def azure_storage_key(rng: random.Random) -> Value:
    return whole(v.b64(v.rand_bytes(rng, 64)))


def azure_client_secret(rng: random.Random) -> Value:
    return whole(
        mixed(rng, 3) + rng.choice(DIGITS) + "Q~" + mixed(rng, 34, ALNUM + "_.~-")
    )


def azure_sas_url(rng: random.Random) -> Value:
    sig = urllib.parse.quote(v.b64(v.rand_bytes(rng, 32)), safe="")
    account = "st" + rand(rng, 10, "abcdefghijklmnopqrstuvwxyz0123456789")
    head = (
        f"https://{account}.blob.core.windows.net/exports/report-2024-05.csv?"
        "sv=2022-11-02&ss=b&srt=sco&sp=rwdlacx&se=2025-06-30T18:00:00Z"
        "&st=2024-05-20T10:00:00Z&spr=https&sig="
    )
    return inner(head, sig)


def github_token(prefix: str) -> Maker:
    def make(rng: random.Random) -> Value:
        return whole(v.crc32_base62_token(rng, prefix))

    return make


def github_fine_grained(rng: random.Random) -> Value:
    return whole("github_pat_11" + mixed(rng, 20, UPPER + DIGITS) + "_" + mixed(rng, 59))


def bitbucket_app_password(rng: random.Random) -> Value:
    import zlib

    body = "ATBB" + mixed(rng, 24)
    return whole(body + f"{zlib.crc32(body.encode()):08X}")


def pypi_token(rng: random.Random) -> Value:
    return whole("pypi-AgEIcHlwaS5vcmcCJ" + mixed(rng, rng.randint(150, 160), B64URL))


def stripe_key(prefix: str) -> Maker:
    def make(rng: random.Random) -> Value:
        if rng.random() < 0.5:
            return whole(prefix + mixed(rng, 24))
        return whole(prefix + "51" + mixed(rng, 97))

    return make


def braintree_token(rng: random.Random) -> Value:
    return whole(
        "access_token$production$" + rand(rng, 16, DIGITS + "abcdefghijklmnopqrstuvwxyz")
        + "$" + rand(rng, 32, HEX)
    )


def slack_token(prefix: str) -> Maker:
    def make(rng: random.Random) -> Value:
        a = rand(rng, rng.randint(10, 13), DIGITS)
        b = rand(rng, rng.randint(10, 13), DIGITS)
        if prefix == "xoxp-":
            c = rand(rng, rng.randint(10, 13), DIGITS)
            return whole(f"xoxp-{a}-{b}-{c}-{rand(rng, 32, HEX)}")
        return whole(f"{prefix}{a}-{b}-{mixed(rng, 24)}")

    return make


def slack_webhook(rng: random.Random) -> Value:
    return whole(
        f"https://hooks.slack.com/services/T{mixed(rng, 10, UPPER + DIGITS)}/"
        f"B{mixed(rng, 10, UPPER + DIGITS)}/{mixed(rng, 24)}"
    )


def slack_app_token(rng: random.Random) -> Value:
    return whole(
        f"xapp-1-A{mixed(rng, 10, UPPER + DIGITS)}-{rand(rng, 13, DIGITS)}-{rand(rng, 64, HEX)}"
    )


def discord_bot(rng: random.Random) -> Value:
    user_id = str(rng.randint(10**17, 10**19 - 1)).encode()
    head = v.b64(user_id).rstrip("=")
    return whole(f"{head}.{mixed(rng, 6, B64URL)}.{mixed(rng, rng.choice((27, 38)), B64URL)}")


def discord_webhook(rng: random.Random) -> Value:
    return whole(
        f"https://discord.com/api/webhooks/{rng.randint(10**17, 10**19 - 1)}/"
        f"{mixed(rng, 68, B64URL)}"
    )


def telegram_bot(rng: random.Random) -> Value:
    return whole(f"{rng.randint(10**8, 10**10 - 1)}:AA{mixed(rng, 33, B64URL)}")


def teams_webhook(rng: random.Random) -> Value:
    tenant = rng.choice(("contoso", "fabrikam", "northwind", "adatum"))
    return whole(
        f"https://{tenant}.webhook.office.com/webhookb2/{v.uuid4(rng)}@{v.uuid4(rng)}/"
        f"IncomingWebhook/{rand(rng, 32, HEX)}/{v.uuid4(rng)}"
    )


def sendgrid_key(rng: random.Random) -> Value:
    return whole(f"SG.{mixed(rng, 22, B64URL)}.{mixed(rng, 43, B64URL)}")


def jwt_maker(alg: str) -> Maker:
    def make(rng: random.Random) -> Value:
        iat = rng.randint(1_700_000_000, 1_760_000_000)
        claims: dict[str, object] = {
            "sub": v.uuid4(rng),
            "iss": rng.choice(("https://auth.example.com/", "orders-api", "https://login.example.org")),
            "aud": rng.choice(("orders", "api://default", "mobile-app")),
            "iat": iat,
            "exp": iat + rng.choice((900, 3600, 86400)),
            "scope": rng.choice(("read:orders write:orders", "openid profile", "admin")),
        }
        return whole(v.jwt_token(rng, alg=alg, claims=claims))

    return make


_URL_PW = ALNUM + "-_.~"
_SYMBOL_PW = ALNUM + "!@%^&*-_=+.~"
_WORDS = (
    "harbour", "copper", "violet", "glacier", "lantern", "orbit", "maple", "thunder",
    "pebble", "saffron", "falcon", "meadow", "quartz", "ember", "willow", "canyon",
)  # fmt: skip


def password_random(alphabet: str, lengths: tuple[int, int]) -> Maker:
    def make(rng: random.Random) -> Value:
        return whole(mixed(rng, rng.randint(*lengths), alphabet))

    return make


def password_passphrase(rng: random.Random) -> Value:
    words = [w.capitalize() for w in rng.sample(_WORDS, rng.randint(3, 4))]
    sep = rng.choice("-._")
    return whole(sep.join(words) + sep + rand(rng, rng.randint(2, 4), DIGITS))


def password_human(rng: random.Random) -> Value:
    word = rng.choice(_WORDS).capitalize()
    return whole(word + str(rng.randint(2015, 2025)) + rng.choice("!?#$*"))


def _url_password(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return password_passphrase(rng).text
    return mixed(rng, rng.randint(12, 28), _URL_PW)


def conn_uri(scheme: str, user: str, host: str, tail: str) -> Maker:
    def make(rng: random.Random) -> Value:
        return inner(f"{scheme}://{user}:", _url_password(rng), f"@{host}{tail}")

    return make


def mongo_srv(rng: random.Random) -> Value:
    cluster = f"cluster0.{rand(rng, 5, 'abcdefghijklmnopqrstuvwxyz0123456789')}.mongodb.net"
    return inner("mongodb+srv://app:", _url_password(rng),
                 f"@{cluster}/orders?retryWrites=true&w=majority")


def redis_url(rng: random.Random) -> Value:
    return inner("redis://:", _url_password(rng), "@cache.internal:6379/0")


def mssql_ado(rng: random.Random) -> Value:
    pw = mixed(rng, rng.randint(12, 24), ALNUM + "!@%^*-_.")
    return inner(
        "Server=tcp:sql-prod.database.windows.net,1433;Initial Catalog=orders;"
        "User ID=app_admin;Password=", pw, ";Encrypt=True;Connection Timeout=30;",
    )


def jdbc_url(rng: random.Random) -> Value:
    return inner("jdbc:postgresql://db.internal:5432/orders?user=app&password=",
                 _url_password(rng), "&ssl=true")


def hex_token(n: int) -> Maker:
    def make(rng: random.Random) -> Value:
        return whole(rand(rng, n, HEX))

    return make


def b64_token(nbytes: int, url: bool = False) -> Maker:
    def make(rng: random.Random) -> Value:
        data = v.rand_bytes(rng, nbytes)
        return whole(v.b64url(data) if url else v.b64(data))

    return make


def django_secret(rng: random.Random) -> Value:
    return whole(mixed(rng, 50, "abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)"))


def uuid_token(rng: random.Random) -> Value:
    return whole(v.uuid4(rng))


def basic_auth(rng: random.Random) -> Value:
    user = rng.choice(("deploy", "svc-ci", "admin", "reporting", "api"))
    return whole(v.b64(f"{user}:{mixed(rng, rng.randint(12, 20), _URL_PW)}".encode()))


def vault_token(rng: random.Random) -> Value:
    return whole("hvs.CAESI" + mixed(rng, 86, B64URL))


def age_key(rng: random.Random) -> Value:
    return whole(v.age_secret_key(rng))


def kube_client_key(rng: random.Random) -> Value:
    return whole(v.b64(v.ec_private_pem(rng).encode() + b"\n"))


def onepassword_sa(rng: random.Random) -> Value:
    payload = (
        '{"signInAddress":"my.1password.com","userAuth":{"method":"SRPg-4096","alg":"PBES2g-HS256",'
        f'"iterations":650000,"salt":"{v.b64url(v.rand_bytes(rng, 16))}"}},"email":"'
        f'{rand(rng, 12, "abcdefghijklmnopqrstuvwxyz")}@1passwordserviceaccounts.com",'
        f'"srpX":"{rand(rng, 64, HEX)}","muk":{{"alg":"A256GCM","ext":true,'
        f'"k":"{v.b64url(v.rand_bytes(rng, 32))}","key_ops":["encrypt","decrypt"],"kty":"oct",'
        '"kid":"mp"},"secretKey":"A3-' + rand(rng, 6, UPPER + DIGITS) + "-"
        + rand(rng, 26, UPPER + DIGITS)
        + '","throttleSecret":{"seed":"' + rand(rng, 64, HEX) + '","deviceUuid":"'
        + rand(rng, 26, "abcdefghijklmnopqrstuvwxyz0123456789") + '"},"deviceUuid":"'
        + rand(rng, 26, "abcdefghijklmnopqrstuvwxyz0123456789") + '"}'
    )
    return whole("ops_" + v.b64url(payload.encode()))


def terraform_token(rng: random.Random) -> Value:
    return whole(f"{mixed(rng, 14)}.atlasv1.{mixed(rng, 67)}")


def grafana_cloud(rng: random.Random) -> Value:
    payload = (
        f'{{"o":"{rng.randint(100000, 999999)}","n":"stack-{rng.randint(100000, 999999)}-'
        f'hm-read-{rand(rng, 6, "abcdefghijklmnopqrstuvwxyz")}","k":"{mixed(rng, 24)}",'
        '"m":{"r":"prod-eu-west-2"}}'
    )
    return whole("glc_" + v.b64(payload.encode()))


def sentry_org_token(rng: random.Random) -> Value:
    payload = (
        f'{{"iat":{rng.randint(1_700_000_000, 1_760_000_000)}.{rng.randint(100000, 999999)},'
        '"url":"https://sentry.io","region_url":"https://us.sentry.io",'
        f'"org":"{rng.choice(("acme", "northwind", "globex"))}"}}'
    )
    return whole(f"sntrys_{v.b64(payload.encode()).rstrip('=')}_{mixed(rng, 43, B64)}")


def grafana_sa(rng: random.Random) -> Value:
    return whole(v.grafana_sa_token(rng))


def atlassian(rng: random.Random) -> Value:
    return whole(v.atlassian_token(rng))


def pem_maker(fn: Callable[[random.Random], str]) -> Maker:
    def make(rng: random.Random) -> Value:
        return whole(fn(rng))

    return make


def _comment(rng: random.Random) -> str:
    return f"{rng.choice(sh.PEOPLE).lower()}@{rng.choice(('laptop', 'build-01', 'bastion'))}"


# ---------------------------------------------------------------- personal data


def card(rng: random.Random) -> Value:
    prefix, length = rng.choice((
        ("4", 16), ("4", 16), ("51", 16), ("53", 16), ("55", 16), ("2221", 16), ("2720", 16),
        ("34", 15), ("37", 15), ("6011", 16), ("65", 16),
    ))
    number = v.card_number(rng, prefix, length)
    style = rng.random()
    if style < 0.4:
        return whole(number)
    sep = " " if style < 0.8 else "-"
    sizes = (4, 6, 5) if length == 15 else (4, 4, 4, 4)
    return whole(v.group(number, sizes, sep))


def ssn(rng: random.Random) -> Value:
    number = v.us_ssn(rng)
    style = rng.random()
    if style < 0.7:
        return whole(v.group(number, (3, 2, 4), "-"))
    if style < 0.85:
        return whole(v.group(number, (3, 2, 4), " "))
    return whole(number)


_IBAN_BBAN: tuple[tuple[str, Callable[[random.Random], str]], ...] = (
    ("DE", lambda r: rand(r, 18, DIGITS)),
    ("GB", lambda r: rand(r, 4, UPPER) + rand(r, 14, DIGITS)),
    ("FR", lambda r: rand(r, 10, DIGITS) + rand(r, 11, DIGITS + UPPER) + rand(r, 2, DIGITS)),
    ("NL", lambda r: rand(r, 4, UPPER) + rand(r, 10, DIGITS)),
    ("ES", lambda r: rand(r, 20, DIGITS)),
    ("IT", lambda r: rand(r, 1, UPPER) + rand(r, 10, DIGITS) + rand(r, 12, DIGITS + UPPER)),
    ("IE", lambda r: rand(r, 4, UPPER) + rand(r, 14, DIGITS)),
    ("PL", lambda r: rand(r, 24, DIGITS)),
)

_IBAN_DOC_EXAMPLES = frozenset(("GB82WEST12345698765432", "DE89370400440532013000"))


def iban(rng: random.Random) -> Value:
    while True:
        country, bban_fn = rng.choice(_IBAN_BBAN)
        bban = bban_fn(rng)
        number = country + v.iban_check(country, bban) + bban
        if number not in _IBAN_DOC_EXAMPLES:
            break
    if rng.random() < 0.5:
        return whole(number)
    return whole(" ".join(number[i : i + 4] for i in range(0, len(number), 4)))


_MAIL_DOMAINS = (
    "gmail.com", "outlook.com", "yahoo.co.uk", "protonmail.com", "northwind-logistics.com",
    "acmehealth.org", "fjordbank.no", "brightpath.io", "kaltenbach-gmbh.de", "icloud.com",
)  # fmt: skip


def email_addr(rng: random.Random) -> Value:
    first, last = rng.choice(sh.PEOPLE).lower(), rng.choice(sh.SURNAMES).lower()
    local = rng.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}{rng.randint(1, 99)}",
                        f"{first}_{last}"))
    return whole(f"{local}@{rng.choice(_MAIL_DOMAINS)}")


def _nanp(rng: random.Random) -> tuple[str, str, str]:
    while True:
        area = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
        exch = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
        if area[1:] != "11" and exch[1:] != "11" and exch != "555" and area[1] != "9":
            return area, exch, rand(rng, 4, DIGITS)


def phone(rng: random.Random) -> Value:
    style = rng.randrange(7)
    if style == 0:
        a, e, n = _nanp(rng)
        return whole(f"+1 ({a}) {e}-{n}")
    if style == 1:
        a, e, n = _nanp(rng)
        return whole(f"({a}) {e}-{n}")
    if style == 2:
        a, e, n = _nanp(rng)
        return whole(f"+1-{a}-{e}-{n}")
    if style == 3:  # UK mobile, outside Ofcom's 07700 900xxx drama range
        return whole(f"+44 7{rng.choice('45789')}{rand(rng, 2, DIGITS)} {rand(rng, 6, DIGITS)}")
    if style == 4:
        return whole(f"+49 15{rng.choice('1279')} {rand(rng, 8, DIGITS)}")
    if style == 5:
        pairs = " ".join(rand(rng, 2, DIGITS) for _ in range(4))
        return whole(f"+33 6 {pairs}")
    return whole(f"+91 9{rand(rng, 4, DIGITS)} {rand(rng, 5, DIGITS)}")


def nhs(rng: random.Random) -> Value:
    number = v.nhs_number(rng)
    return whole(v.group(number, (3, 3, 4), " ") if rng.random() < 0.7 else number)


def nino(rng: random.Random) -> Value:
    number = v.uk_nino(rng)
    if rng.random() < 0.6:
        return whole(f"{number[:2]} {number[2:4]} {number[4:6]} {number[6:8]} {number[8]}")
    return whole(number)


def private_ip(rng: random.Random) -> Value:
    block = rng.randrange(3)
    if block == 0:
        return whole(f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}")
    if block == 1:
        return whole(f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}")
    return whole(f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}")


# ---------------------------------------------------------------- special shapes


def npmrc(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    return ["# ~/.npmrc\nregistry=https://registry.npmjs.org/\n"
            "//registry.npmjs.org/:_authToken=", Slot(0), "\nsave-exact=true\n\n"
            "npm publish fails with E401, what's wrong with this?"]


def gcp_sa_json(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    project = f"{rng.choice(sh.SERVICES)}-{rng.randint(100000, 999999)}"
    text = items[0].value.text.replace("\n", "\\n") + "\\n"
    return [
        "My service account file (key.json) is below; gcloud says the key is invalid.\n\n"
        f'{{\n  "type": "service_account",\n  "project_id": "{project}",\n'
        f'  "private_key_id": "{rand(rng, 40, HEX)}",\n  "private_key": "',
        Slot(0, text),
        f'",\n  "client_email": "deployer@{project}.iam.gserviceaccount.com",\n'
        f'  "client_id": "{rand(rng, 21, DIGITS)}",\n'
        '  "auth_uri": "https://accounts.google.com/o/oauth2/auth",\n'
        '  "token_uri": "https://oauth2.googleapis.com/token"\n}',
    ]


def kubeconfig(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    cluster = rng.choice(("prod-eu", "staging", "dev-k3s"))
    return [
        "kubectl keeps saying 'Unauthorized' with this kubeconfig:\n\n```yaml\n"
        f"apiVersion: v1\nkind: Config\nclusters:\n- name: {cluster}\n  cluster:\n"
        f"    server: https://{cluster}.k8s.example.com:6443\nusers:\n- name: admin\n  user:\n"
        "    client-key-data: ",
        Slot(0),
        f"\ncontexts:\n- name: {cluster}\n  context:\n    cluster: {cluster}\n    user: admin\n"
        f"current-context: {cluster}\n```",
    ]


def cli_password(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    q = rng.choice(("'", '"', ""))
    options: list[list[Seg]] = [
        [f"$ mysql -h db.internal -u root -p{q}", Slot(0), f"{q} orders\n"
         "ERROR 2003 (HY000): Can't connect to MySQL server"],
        [f"$ PGPASSWORD={q}", Slot(0), f"{q} psql -h db.internal -U app orders\n"
         "psql: error: connection refused"],
        [f"$ sshpass -p {q}", Slot(0), f"{q} ssh deploy@bastion.example.com\n"
         "Permission denied, please try again."],
        [f"$ ./manage.py createsuperuser --username admin --password={q}", Slot(0), q],
        [f"docker login registry.example.com -u ci-bot --password {q}", Slot(0), q],
    ]
    return rng.choice(options)


def curl_user(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    user = rng.choice(("admin", "deploy", "jenkins", "svc-report"))
    return ["curl -u ", f"{user}:", Slot(0),
            " https://jenkins.example.com/job/deploy/build -X POST\n\nreturns 403, why?"]


# ---------------------------------------------------------------- the table

_T = sh.TOKEN_SHAPES
_A = sh.ASSIGN
_H = sh.HEADER
_BLOCK = sh.BLOCK
_CONN = (*sh.ASSIGN, sh.chat, sh.log_lines, sh.traceback, sh.email, sh.markdown_note)
_PW = (*sh.ASSIGN, cli_password)


FORMATS: tuple[Fmt, ...] = (
    # -- AI providers
    Fmt("anthropic-api-key", "ai-provider", _tok("sk-ant-api03-", 93, B64URL, "AA"),
        ("ANTHROPIC_API_KEY", "CLAUDE_API_KEY"), _T, "Anthropic API key", "api.anthropic.com"),
    Fmt("anthropic-admin-key", "ai-provider", _tok("sk-ant-admin01-", 93, B64URL, "AA"),
        ("ANTHROPIC_ADMIN_KEY",), _T, "Anthropic admin key", "api.anthropic.com", n=5),
    Fmt("openai-project-key", "ai-provider", openai_key("sk-proj-", 74),
        ("OPENAI_API_KEY",), _T, "OpenAI API key", "api.openai.com"),
    Fmt("openai-service-account-key", "ai-provider", openai_key("sk-svcacct-", 74),
        ("OPENAI_API_KEY",), _T, "OpenAI service account key", "api.openai.com", n=5),
    Fmt("openai-legacy-key", "ai-provider", openai_key("sk-", 20, ALNUM),
        ("OPENAI_API_KEY",), _T, "OpenAI key", "api.openai.com", n=5),
    Fmt("huggingface-token", "ai-provider", _tok("hf_", 34, LETTERS),
        ("HF_TOKEN", "HUGGINGFACE_HUB_TOKEN"), _T, "Hugging Face token", "huggingface.co"),
    Fmt("groq-api-key", "ai-provider", _tok("gsk_", 52), ("GROQ_API_KEY",), _T,
        "Groq API key", "api.groq.com"),
    Fmt("openrouter-api-key", "ai-provider", _tok("sk-or-v1-", 64, HEX),
        ("OPENROUTER_API_KEY",), _T, "OpenRouter key", "openrouter.ai"),
    Fmt("perplexity-api-key", "ai-provider", _tok("pplx-", 48), ("PERPLEXITY_API_KEY",), _T,
        "Perplexity API key", "api.perplexity.ai"),
    Fmt("xai-api-key", "ai-provider", _tok("xai-", 80), ("XAI_API_KEY",), _T, "xAI API key",
        "api.x.ai"),
    Fmt("replicate-api-token", "ai-provider", _tok("r8_", 37), ("REPLICATE_API_TOKEN",), _T,
        "Replicate token", "api.replicate.com"),
    Fmt("together-api-key", "ai-provider", _tok("tgp_v1_", 43, B64URL), ("TOGETHER_API_KEY",),
        _T, "Together AI key", "api.together.xyz"),
    Fmt("mistral-api-key", "ai-provider", _tok("", 32), ("MISTRAL_API_KEY",), _A,
        "Mistral API key", "api.mistral.ai"),
    Fmt("deepseek-api-key", "ai-provider", _tok("sk-", 32, HEX), ("DEEPSEEK_API_KEY",), _A,
        "DeepSeek API key", "api.deepseek.com"),
    Fmt("cohere-api-key", "ai-provider", _tok("", 40), ("COHERE_API_KEY", "CO_API_KEY"), _A,
        "Cohere API key", "api.cohere.com"),
    # -- AWS
    Fmt("aws-access-key-id", "aws", aws_key_id("AKIA"), ("AWS_ACCESS_KEY_ID",), _T,
        "AWS access key", "s3.amazonaws.com", n=20),
    Fmt("aws-secret-access-key", "aws", _tok("", 40, B64), ("AWS_SECRET_ACCESS_KEY",), _A,
        "AWS secret key", "s3.amazonaws.com", with_=("aws-access-key-id",), n=25),
    Fmt("aws-temporary-access-key-id", "aws", aws_key_id("ASIA"), ("AWS_ACCESS_KEY_ID",), _T,
        "AWS temporary key", "sts.amazonaws.com", n=10),
    Fmt("aws-session-token", "aws", aws_session_token, ("AWS_SESSION_TOKEN",), _A,
        "AWS session token", "sts.amazonaws.com", with_=("aws-temporary-access-key-id",)),
    # -- Google Cloud
    Fmt("google-api-key", "gcp", _tok("AIza", 35, B64URL),
        ("GOOGLE_API_KEY", "GEMINI_API_KEY", "MAPS_API_KEY"), _T, "Google API key",
        "generativelanguage.googleapis.com", n=20),
    Fmt("gcp-service-account-key", "gcp", pem_maker(v.pkcs8_private_pem), ("PRIVATE_KEY",),
        (gcp_sa_json,), "service account key", n=15),
    Fmt("google-oauth-client-secret", "gcp", _tok("GOCSPX-", 28, B64URL),
        ("GOOGLE_CLIENT_SECRET",), _T, "Google OAuth client secret", "oauth2.googleapis.com"),
    Fmt("google-oauth-refresh-token", "gcp", google_refresh, ("GOOGLE_REFRESH_TOKEN",), _A,
        "Google refresh token", "oauth2.googleapis.com"),
    Fmt("google-oauth-access-token", "gcp", google_access, ("GOOGLE_ACCESS_TOKEN",), _T,
        "Google access token", "www.googleapis.com"),
    # -- Azure
    Fmt("azure-storage-connection-string", "azure", azure_storage_conn,
        ("AZURE_STORAGE_CONNECTION_STRING",), _T, "storage connection string",
        "blob.core.windows.net", n=15),
    Fmt("azure-storage-account-key", "azure", azure_storage_key,
        ("AZURE_STORAGE_KEY", "AZURE_STORAGE_ACCOUNT_KEY"), _A, "storage key",
        "blob.core.windows.net"),
    Fmt("azure-entra-client-secret", "azure", azure_client_secret,
        ("AZURE_CLIENT_SECRET",), _T, "Azure AD client secret", "login.microsoftonline.com",
        n=15),
    Fmt("azure-sas-token", "azure", azure_sas_url, ("AZURE_BLOB_SAS_URL",), _T, "SAS URL",
        "blob.core.windows.net"),
    Fmt("azure-openai-api-key", "azure", hex_token(32), ("AZURE_OPENAI_API_KEY",), _A,
        "Azure OpenAI key", "contoso.openai.azure.com"),
    # -- other clouds
    Fmt("digitalocean-token", "cloud-other", _tok("dop_v1_", 64, HEX),
        ("DIGITALOCEAN_TOKEN",), _T, "DigitalOcean token", "api.digitalocean.com"),
    Fmt("heroku-api-key", "cloud-other", _tok("HRKU-AA", 58, B64URL), ("HEROKU_API_KEY",), _T,
        "Heroku API key", "api.heroku.com"),
    Fmt("cloudflare-api-token", "cloud-other", _tok("", 40, B64URL),
        ("CLOUDFLARE_API_TOKEN", "CF_API_TOKEN"), _A, "Cloudflare token", "api.cloudflare.com"),
    Fmt("alibaba-access-key-id", "cloud-other", _tok("LTAI", 20),
        ("ALIBABA_CLOUD_ACCESS_KEY_ID",), _A, "Alibaba Cloud key", "ecs.aliyuncs.com"),
    # -- VCS and CI
    Fmt("github-personal-access-token", "vcs-ci", github_token("ghp_"),
        ("GITHUB_TOKEN", "GH_TOKEN"), _T, "GitHub token", "api.github.com", n=20),
    Fmt("github-oauth-token", "vcs-ci", github_token("gho_"), ("GITHUB_OAUTH_TOKEN",), _T,
        "GitHub OAuth token", "api.github.com"),
    Fmt("github-app-token", "vcs-ci", github_token("ghs_"), ("GITHUB_APP_TOKEN",), _T,
        "GitHub app token", "api.github.com"),
    Fmt("github-fine-grained-pat", "vcs-ci", github_fine_grained, ("GITHUB_TOKEN",), _T,
        "GitHub fine-grained token", "api.github.com"),
    Fmt("gitlab-personal-access-token", "vcs-ci", _tok("glpat-", 20, B64URL),
        ("GITLAB_TOKEN", "CI_JOB_TOKEN_OVERRIDE"), _T, "GitLab token", "gitlab.com", n=15),
    Fmt("atlassian-api-token", "vcs-ci", atlassian, ("JIRA_API_TOKEN", "ATLASSIAN_API_TOKEN"),
        _T, "Atlassian API token", "example.atlassian.net"),
    Fmt("bitbucket-app-password", "vcs-ci", bitbucket_app_password,
        ("BITBUCKET_APP_PASSWORD",), _T, "Bitbucket app password", "api.bitbucket.org"),
    Fmt("azure-devops-pat", "vcs-ci", _tok("", 52, "abcdefghijklmnopqrstuvwxyz234567"),
        ("AZURE_DEVOPS_PAT", "AZURE_DEVOPS_EXT_PAT"), _A, "Azure DevOps PAT", "dev.azure.com"),
    # -- package registries
    Fmt("npm-access-token", "registry", github_token("npm_"), ("NPM_TOKEN",), (*_T, npmrc),
        "npm token", "registry.npmjs.org", n=15),
    Fmt("pypi-upload-token", "registry", pypi_token, ("PYPI_TOKEN", "TWINE_PASSWORD"), _T,
        "PyPI token", "upload.pypi.org"),
    Fmt("docker-hub-pat", "registry", _tok("dckr_pat_", 27, B64URL), ("DOCKERHUB_TOKEN",), _T,
        "Docker Hub token", "hub.docker.com"),
    Fmt("rubygems-api-key", "registry", _tok("rubygems_", 48, HEX), ("GEM_HOST_API_KEY",), _T,
        "RubyGems key", "rubygems.org"),
    Fmt("nuget-api-key", "registry", _tok("oy2", 43, "abcdefghijklmnopqrstuvwxyz0123456789"),
        ("NUGET_API_KEY",), _T, "NuGet key", "api.nuget.org"),
    # -- payments
    Fmt("stripe-live-secret-key", "payment", stripe_key("sk_live_"), ("STRIPE_SECRET_KEY",), _T,
        "Stripe secret key", "api.stripe.com", n=20),
    Fmt("stripe-test-secret-key", "payment", stripe_key("sk_test_"), ("STRIPE_SECRET_KEY",), _T,
        "Stripe test key", "api.stripe.com"),
    Fmt("stripe-restricted-key", "payment", stripe_key("rk_live_"), ("STRIPE_RESTRICTED_KEY",),
        _T, "Stripe restricted key", "api.stripe.com"),
    Fmt("stripe-webhook-secret", "payment", _tok("whsec_", 32), ("STRIPE_WEBHOOK_SECRET",), _T,
        "Stripe webhook secret", "api.stripe.com"),
    Fmt("square-access-token", "payment", _tok("EAAA", 60, B64URL), ("SQUARE_ACCESS_TOKEN",),
        _T, "Square token", "connect.squareup.com"),
    Fmt("square-application-secret", "payment", _tok("sq0csp-", 43, B64URL),
        ("SQUARE_APPLICATION_SECRET",), _T, "Square secret", "connect.squareup.com"),
    Fmt("shopify-access-token", "payment", _tok("shpat_", 32, HEX), ("SHOPIFY_ACCESS_TOKEN",),
        _T, "Shopify token", "example.myshopify.com"),
    Fmt("braintree-access-token", "payment", braintree_token, ("BRAINTREE_ACCESS_TOKEN",), _T,
        "Braintree token", "api.braintreegateway.com"),
    Fmt("paypal-client-secret", "payment", _tok("E", 79, B64URL), ("PAYPAL_CLIENT_SECRET",), _A,
        "PayPal client secret", "api-m.paypal.com"),
    # -- messaging
    Fmt("slack-bot-token", "messaging", slack_token("xoxb-"), ("SLACK_BOT_TOKEN",), _T,
        "Slack bot token", "slack.com", n=15),
    Fmt("slack-user-token", "messaging", slack_token("xoxp-"), ("SLACK_USER_TOKEN",), _T,
        "Slack user token", "slack.com"),
    Fmt("slack-app-token", "messaging", slack_app_token, ("SLACK_APP_TOKEN",), _T,
        "Slack app token", "slack.com", n=5),
    Fmt("slack-webhook-url", "messaging", slack_webhook, ("SLACK_WEBHOOK_URL",), _T,
        "Slack webhook", "hooks.slack.com", n=15),
    Fmt("discord-bot-token", "messaging", discord_bot, ("DISCORD_TOKEN", "DISCORD_BOT_TOKEN"),
        _T, "Discord bot token", "discord.com", n=15),
    Fmt("discord-webhook-url", "messaging", discord_webhook, ("DISCORD_WEBHOOK_URL",), _T,
        "Discord webhook", "discord.com"),
    Fmt("telegram-bot-token", "messaging", telegram_bot, ("TELEGRAM_BOT_TOKEN",), _T,
        "Telegram bot token", "api.telegram.org"),
    Fmt("teams-incoming-webhook", "messaging", teams_webhook, ("TEAMS_WEBHOOK_URL",), _T,
        "Teams webhook", "outlook.office.com", n=5),
    Fmt("twilio-api-key", "messaging", _tok("SK", 32, HEX), ("TWILIO_API_KEY",), _T,
        "Twilio API key", "api.twilio.com"),
    Fmt("twilio-auth-token", "messaging", hex_token(32), ("TWILIO_AUTH_TOKEN",), _A,
        "Twilio auth token", "api.twilio.com"),
    Fmt("sendgrid-api-key", "messaging", sendgrid_key, ("SENDGRID_API_KEY",), _T,
        "SendGrid key", "api.sendgrid.com"),
    Fmt("mailgun-api-key", "messaging", _tok("key-", 32, HEX), ("MAILGUN_API_KEY",), _T,
        "Mailgun key", "api.mailgun.net"),
    # -- private keys
    Fmt("private-key-rsa", "private-key", pem_maker(v.rsa_private_pem), ("TLS_KEY",), _BLOCK,
        "RSA private key", n=20),
    Fmt("private-key-pkcs8", "private-key", pem_maker(v.pkcs8_private_pem), ("PRIVATE_KEY",),
        _BLOCK, "private key", n=15),
    Fmt("private-key-ec", "private-key", pem_maker(v.ec_private_pem), ("SIGNING_KEY",), _BLOCK,
        "EC private key", n=15),
    Fmt("private-key-openssh", "private-key",
        lambda r: whole(v.openssh_ed25519_pem(r, _comment(r))), ("SSH_PRIVATE_KEY",), _BLOCK,
        "SSH key", n=20),
    Fmt("private-key-pgp", "private-key", pem_maker(lambda r: v.pgp_armor(r, "PRIVATE", 900)),
        ("GPG_PRIVATE_KEY",), _BLOCK, "PGP private key"),
    Fmt("private-key-putty", "private-key", lambda r: whole(v.putty_ppk(r, _comment(r))),
        ("PPK",), (sh.block_chat, sh.block_fenced), "PuTTY key", n=5),
    # -- JWTs
    Fmt("jwt-hs256", "jwt", jwt_maker("HS256"), ("ACCESS_TOKEN", "JWT", "ID_TOKEN"),
        (*_H, *_A, sh.chat, sh.log_lines), "access token", n=30),
    Fmt("jwt-rs256", "jwt", jwt_maker("RS256"), ("ACCESS_TOKEN", "SESSION_TOKEN"),
        (*_H, *_A, sh.chat, sh.log_lines), "session token", n=20),
    # -- connection strings (the planted secret is the password inside)
    Fmt("postgres-uri", "connection-string",
        conn_uri("postgresql", "app", "db.internal:5432", "/orders?sslmode=require"),
        ("DATABASE_URL",), _CONN, "database URL", n=20),
    Fmt("mysql-uri", "connection-string",
        conn_uri("mysql+pymysql", "orders", "mysql.internal:3306", "/orders"),
        ("SQLALCHEMY_DATABASE_URI", "DATABASE_URL"), _CONN, "database URL", n=15),
    Fmt("mongodb-srv-uri", "connection-string", mongo_srv, ("MONGODB_URI", "MONGO_URL"), _CONN,
        "MongoDB URI", n=15),
    Fmt("redis-uri", "connection-string", redis_url, ("REDIS_URL",), _CONN, "Redis URL"),
    Fmt("amqp-uri", "connection-string",
        conn_uri("amqps", "worker", "mq.internal:5671", "/jobs"), ("BROKER_URL", "AMQP_URL"),
        _CONN, "broker URL"),
    Fmt("mssql-connection-string", "connection-string", mssql_ado,
        ("ConnectionStrings__Default", "SQL_CONNECTION_STRING"), _CONN, "connection string"),
    Fmt("jdbc-url-password", "connection-string", jdbc_url, ("SPRING_DATASOURCE_URL",), _CONN,
        "JDBC URL"),
    # -- generic passwords and tokens assigned to names
    Fmt("password-random", "generic-password", password_random(_SYMBOL_PW, (14, 24)),
        ("DB_PASSWORD", "PASSWORD", "ADMIN_PASSWORD", "SMTP_PASSWORD", "MYSQL_ROOT_PASSWORD",
         "POSTGRES_PASSWORD", "REDIS_PASSWORD", "LDAP_BIND_PASSWORD", "KEYSTORE_PASSWORD"),
        _PW, "password", n=60),
    Fmt("password-alnum", "generic-password", password_random(ALNUM, (12, 20)),
        ("DB_PASS", "PASSWD", "PWD", "ADMIN_PASS", "RABBITMQ_DEFAULT_PASS", "DB_PASSWORD"),
        _PW, "password", n=40),
    Fmt("password-passphrase", "generic-password", password_passphrase,
        ("PASSWORD", "DB_PASSWORD", "VAULT_PASSWORD", "SFTP_PASSWORD"), _PW, "password",
        n=25),
    Fmt("password-human", "generic-password", password_human,
        ("PASSWORD", "ADMIN_PASSWORD", "DB_PASSWORD"), _PW, "password", n=25),
    Fmt("token-hex", "generic-token", lambda r: hex_token(r.choice((32, 40, 64)))(r),
        ("API_TOKEN", "AUTH_TOKEN", "WEBHOOK_SECRET", "API_SECRET", "CLIENT_SECRET",
         "SIGNING_SECRET"), _A, "token", n=40),
    Fmt("token-base64", "generic-token", lambda r: b64_token(32, r.random() < 0.5)(r),
        ("JWT_SECRET", "SESSION_SECRET", "ENCRYPTION_KEY", "SECRET_KEY_BASE", "APP_KEY"),
        _A, "secret", n=40),
    Fmt("token-alnum", "generic-token", password_random(ALNUM, (32, 48)),
        ("ACCESS_TOKEN", "API_KEY", "SERVICE_TOKEN", "PARTNER_API_KEY", "CLIENT_SECRET"),
        _A, "API key", n=40),
    Fmt("django-secret-key", "generic-token", django_secret, ("SECRET_KEY", "DJANGO_SECRET_KEY"),
        _A, "secret key", n=15),
    Fmt("token-uuid", "generic-token", uuid_token,
        ("HEROKU_API_KEY", "API_KEY", "LICENSE_KEY", "PARTNER_API_TOKEN"), _A, "API key",
        n=15),
    # -- auth headers (the planted secret is the credential after the scheme)
    Fmt("bearer-opaque", "auth-header", lambda r: whole(mixed(r, r.choice((32, 40, 43)),
        ALNUM + "-_")), ("TOKEN",), _H, "bearer token", n=25),
    Fmt("basic-auth", "auth-header", basic_auth, ("AUTH",), _H, "credentials",
        header="Authorization: Basic", n=25),
    Fmt("x-api-key-header", "auth-header", hex_token(32), ("API_KEY",), _H, "API key",
        header="X-API-Key:", n=20),
    Fmt("token-scheme-header", "auth-header", hex_token(40), ("TOKEN",), _H, "API token",
        header="Authorization: Token", n=15),
    Fmt("curl-user-password", "auth-header", password_random(_URL_PW, (12, 20)),
        ("PASSWORD",), (curl_user,), "password", n=15),
    # -- secrets infrastructure
    Fmt("vault-service-token", "infrastructure", vault_token, ("VAULT_TOKEN",), _T,
        "Vault token", "vault.example.com", n=15),
    Fmt("age-secret-key", "infrastructure", age_key, ("SOPS_AGE_KEY",), _T, "age key", n=10),
    Fmt("kubeconfig-client-key", "infrastructure", kube_client_key, ("KEY",), (kubeconfig,),
        "client key", n=10),
    Fmt("doppler-token", "infrastructure", _tok("dp.pt.", 43), ("DOPPLER_TOKEN",), _T,
        "Doppler token", "api.doppler.com"),
    Fmt("onepassword-service-account", "infrastructure", onepassword_sa,
        ("OP_SERVICE_ACCOUNT_TOKEN",), _T, "1Password service account token", n=5),
    Fmt("tailscale-auth-key", "infrastructure",
        lambda r: whole(f"tskey-auth-{mixed(r, 16)}-{mixed(r, 32)}"), ("TS_AUTHKEY",), _T,
        "Tailscale auth key", "api.tailscale.com"),
    Fmt("terraform-cloud-token", "infrastructure", terraform_token, ("TFE_TOKEN",), _T,
        "Terraform Cloud token", "app.terraform.io"),
    # -- observability
    Fmt("datadog-api-key", "observability", hex_token(32), ("DD_API_KEY", "DATADOG_API_KEY"),
        _A, "Datadog API key", "api.datadoghq.com"),
    Fmt("datadog-app-key", "observability", hex_token(40), ("DD_APP_KEY",), _A,
        "Datadog application key", "api.datadoghq.com"),
    Fmt("grafana-service-account-token", "observability", grafana_sa, ("GRAFANA_TOKEN",), _T,
        "Grafana token", "grafana.example.com"),
    Fmt("grafana-cloud-token", "observability", grafana_cloud, ("GRAFANA_CLOUD_TOKEN",), _T,
        "Grafana Cloud token", "grafana.net"),
    Fmt("sentry-org-token", "observability", sentry_org_token, ("SENTRY_AUTH_TOKEN",), _T,
        "Sentry auth token", "sentry.io"),
    Fmt("newrelic-user-key", "observability", _tok("NRAK-", 27, UPPER + DIGITS),
        ("NEW_RELIC_API_KEY",), _T, "New Relic key", "api.newrelic.com"),
    # -- personal data
    Fmt("card-number", "card", card, ("CARD_NUMBER", "CC_NUMBER"), sh.PII, "card number",
        n=60),
    Fmt("us-ssn", "ssn", ssn, ("SSN", "SOCIAL_SECURITY_NUMBER"), sh.PII,
        "Social Security number", n=50),
    Fmt("iban", "iban", iban, ("IBAN", "BANK_IBAN"), sh.PII, "IBAN", n=50),
    Fmt("email-address", "email", email_addr, ("EMAIL", "CONTACT_EMAIL"), sh.EMAIL_SHAPES,
        "email", n=50),
    Fmt("phone-number", "phone", phone, ("PHONE", "MOBILE"), sh.PHONE_SHAPES, "phone number",
        n=50),
    Fmt("uk-nhs-number", "uk-nhs-ni", nhs, ("NHS_NUMBER",), sh.PII, "NHS number", n=25),
    Fmt("uk-ni-number", "uk-nhs-ni", nino, ("NI_NUMBER", "NATIONAL_INSURANCE_NUMBER"), sh.PII,
        "National Insurance number", n=25),
    Fmt("private-ipv4", "private-ip", private_ip, ("DB_HOST",), sh.IP_SHAPES,
        "internal address", n=50),
)

BY_ID = {f.id: f for f in FORMATS}
# Kinds of personal data (the peers are secret scanners and detect none of these).
PII_KINDS = frozenset(("card", "ssn", "iban", "email", "phone", "uk-nhs-ni", "private-ip"))
