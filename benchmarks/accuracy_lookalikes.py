"""Hard negatives: values that look like secrets or personal data but are not.

Each entry plants one look-alike (sometimes a pair) in the same kind of prompt
text as the positives. By the development set's label policy these are benign:
hashes, ids, public keys, placeholders, environment references, redacted values,
published documentation examples, network test cards, values that fail their
checksum, and encrypted blobs.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import accuracy_shapes as sh
import accuracy_values as v
from accuracy_formats import Fmt
from accuracy_formats import Maker
from accuracy_shapes import Item
from accuracy_shapes import Seg
from accuracy_shapes import Slot
from accuracy_values import ALNUM
from accuracy_values import B64URL
from accuracy_values import DIGITS
from accuracy_values import HEX
from accuracy_values import UPPER
from accuracy_values import Value
from accuracy_values import mixed
from accuracy_values import rand
from accuracy_values import whole

_A = sh.ASSIGN


def pick(*options: str) -> Maker:
    def make(rng: random.Random) -> Value:
        return whole(rng.choice(options))

    return make


# ---------------------------------------------------------------- makers


def sha(n: int) -> Maker:
    def make(rng: random.Random) -> Value:
        return whole(rand(rng, n, HEX))

    return make


def uuid(rng: random.Random) -> Value:
    return whole(v.uuid4(rng))


def integrity_sha512(rng: random.Random) -> Value:
    return whole("sha512-" + v.b64(v.rand_bytes(rng, 64)))


def go_sum_hash(rng: random.Random) -> Value:
    return whole("h1:" + v.b64(v.rand_bytes(rng, 32)))


def png_data_uri(rng: random.Random) -> Value:
    header = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + v.rand_bytes(rng, 13)
    body = header + b"\x00\x00\x00\x00IDAT" + v.rand_bytes(rng, rng.randint(120, 1500))
    return whole("data:image/png;base64," + v.b64(body))


def woff_data_uri(rng: random.Random) -> Value:
    return whole("data:font/woff2;base64,d09GMgABAAAA" + v.b64(v.rand_bytes(rng, 900)))


def ssh_public(rng: random.Random) -> Value:
    return whole(v.ssh_public_line(rng, f"{rng.choice(sh.PEOPLE).lower()}@laptop"))


def jwks_modulus(rng: random.Random) -> Value:
    return whole(v.b64url(bytes([rng.randint(0xC0, 0xFF)]) + v.rand_bytes(rng, 255)))


def prefixed_placeholder(rng: random.Random) -> Value:
    prefix, n = rng.choice((
        ("ghp_", 36), ("sk_live_", 24), ("sk-ant-api03-", 95), ("sk-proj-", 40), ("AKIA", 16),
        ("xoxb-", 40), ("glpat-", 20), ("hf_", 34), ("SG.", 40), ("npm_", 36),
    ))
    return whole(prefix + rng.choice("xX*0") * n)


def masked_tail(rng: random.Random) -> Value:
    prefix = rng.choice(("sk-proj-", "sk-ant-api03-", "ghp_", "sk_live_", "xoxb-", "AKIA"))
    dots = rng.choice(("...", "…", "****", "************"))
    return whole(prefix + dots + mixed(rng, 4))


def test_card(rng: random.Random) -> Value:
    number = rng.choice(sorted(v.TEST_CARDS))
    if rng.random() < 0.5:
        return whole(number)
    sizes = (4, 6, 5) if len(number) == 15 else (4, 6, 4) if len(number) == 14 else (4, 4, 4, 4)
    return whole(v.group(number, sizes, " "))


def luhn_fail(rng: random.Random) -> Value:
    prefix = rng.choice(("4", "51", "55", "6011"))
    number = v.card_not_luhn(rng, prefix, 16)
    return whole(v.group(number, (4, 4, 4, 4), " ") if rng.random() < 0.5 else number)


def bad_ssn(rng: random.Random) -> Value:
    area = rng.choice(("000", "666", f"{rng.randint(1, 899):03d}"))
    grp = "00" if area not in ("000", "666") else f"{rng.randint(1, 99):02d}"
    return whole(f"{area}-{grp}-{rng.randint(1, 9999):04d}")


def bad_iban(rng: random.Random) -> Value:
    while True:
        bban = rand(rng, 18, DIGITS)
        check = f"{rng.randint(2, 98):02d}"
        number = "DE" + check + bban
        if not v.iban_valid(number):
            return whole(" ".join(number[i : i + 4] for i in range(0, len(number), 4)))


def bad_nhs(rng: random.Random) -> Value:
    return whole(v.group(v.nhs_number(rng, valid=False), (3, 3, 4), " "))


def public_ip(rng: random.Random) -> Value:
    return whole(rng.choice((
        f"8.8.{rng.choice((4, 8))}.{rng.choice((4, 8))}",
        f"172.{rng.randint(32, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        f"192.169.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        f"11.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        f"{rng.randint(23, 99)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
    )))


def isbn(rng: random.Random) -> Value:
    body = "978" + rand(rng, 9, DIGITS)
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    number = body + str((10 - total % 10) % 10)
    return whole(f"{number[:3]}-{number[3]}-{number[4:8]}-{number[8:12]}-{number[12]}")


def doc_email(rng: random.Random) -> Value:
    local = rng.choice(("jane.doe", "john", "user", "alice", "bob", "support", "noreply"))
    return whole(f"{local}@{rng.choice(('example.com', 'example.org', 'example.net'))}")


def doc_phone(rng: random.Random) -> Value:
    return whole(rng.choice((
        f"(555) 01{rand(rng, 2, DIGITS)}",
        f"+1 212-555-01{rand(rng, 2, DIGITS)}",
        f"07700 900{rand(rng, 3, DIGITS)}",
        f"+44 20 7946 0{rand(rng, 3, DIGITS)}",
    )))


def version(rng: random.Random) -> Value:
    a, b, c = rng.randint(0, 12), rng.randint(0, 40), rng.randint(0, 30)
    return whole(rng.choice((
        f"{a}.{b}.{c}", f"v{a}.{b}.{c}-rc.{rng.randint(1, 5)}",
        f"{a}.{b}.{c}+build.{rng.randint(100, 9999)}",
        f"10.0.{rng.randint(17000, 26000)}.{rng.randint(100, 4000)}",
        f"v1.{rng.randint(24, 31)}.{rng.randint(0, 12)}-eks-{rand(rng, 7, HEX)}",
        f"{a}.{b}.{c}-{rng.randint(1000, 1100)}-azure",
        f"3.{rng.randint(8, 13)}.{rng.randint(0, 12)}-slim-bookworm",
        f"v0.0.0-2024{rng.randint(1, 12):02d}{rng.randint(10, 28)}{rand(rng, 6, DIGITS)}-"
        f"{rand(rng, 12, HEX)}",
    )))


def timestamp(rng: random.Random) -> Value:
    epoch = rng.randint(1_600_000_000, 1_800_000_000)
    return whole(rng.choice((
        str(epoch), str(epoch * 1000 + rng.randint(0, 999)), sh.stamp(rng),
        f"2024{rng.randint(1, 12):02d}{rng.randint(10, 28)}T{rand(rng, 6, DIGITS)}Z",
        f"Mon, {rng.randint(10, 28)} May 2024 {rng.randint(10, 23)}:{rng.randint(10, 59)}:00 GMT",
    )))


def order_id(rng: random.Random) -> Value:
    return whole(rng.choice((
        f"ORD-2024-{rand(rng, 6, DIGITS)}", f"INV-{rand(rng, 5, DIGITS)}",
        f"cus_{mixed(rng, 14)}", f"pi_{mixed(rng, 24)}", f"ch_{mixed(rng, 24)}",
        f"sub_{mixed(rng, 14)}", f"in_{mixed(rng, 24)}", f"evt_{mixed(rng, 24)}",
        f"price_{mixed(rng, 24)}", f"gid://shopify/Order/{rand(rng, 13, DIGITS)}",
        f"{rand(rng, 3, DIGITS)}-{rand(rng, 7, DIGITS)}-{rand(rng, 7, DIGITS)}",
        f"PO{rand(rng, 10, DIGITS)}", f"{rand(rng, 8, UPPER + DIGITS)}",
    )))


def password_hash(rng: random.Random) -> Value:
    salt22 = rand(rng, 22, ALNUM + "./")
    return whole(rng.choice((
        f"$2b$12${salt22}{rand(rng, 31, ALNUM + './')}",
        f"pbkdf2_sha256$870000${mixed(rng, 22)}${v.b64(v.rand_bytes(rng, 32))}",
        f"$argon2id$v=19$m=65536,t=3,p=4${v.b64(v.rand_bytes(rng, 16)).rstrip('=')}$"
        f"{v.b64(v.rand_bytes(rng, 32)).rstrip('=')}",
        f"$6$rounds=5000${rand(rng, 16, ALNUM)}${rand(rng, 86, ALNUM + './')}",
        rand(rng, 64, HEX),
        "sha256$" + rand(rng, 12, ALNUM) + "$" + rand(rng, 64, HEX),
    )))


def random_id(rng: random.Random) -> Value:
    return whole(rng.choice((
        rand(rng, 32, HEX), rand(rng, 24, HEX), rand(rng, 16, HEX.upper()),
        v.b64(v.rand_bytes(rng, 57)), f"{rand(rng, 16, HEX)}-FRA",
        v.b64(v.rand_bytes(rng, 42)).replace("/", "_").replace("+", "-"),
        f"build-{rand(rng, 10, DIGITS)}", rand(rng, 40, HEX),
    )))


def pk_live(rng: random.Random) -> Value:
    prefix = rng.choice(("pk_live_", "pk_test_"))
    return whole(prefix + (mixed(rng, 24) if rng.random() < 0.5 else "51" + mixed(rng, 97)))


def mapbox_public(rng: random.Random) -> Value:
    user = rng.choice(("acme-maps", "northwind", "jdoe"))
    account = rand(rng, 25, "abcdefghijklmnopqrstuvwxyz0123456789")
    head = v.b64url(f'{{"u":"{user}","a":"{account}"}}'
                    .encode())
    return whole(f"pk.{head}.{mixed(rng, 22, B64URL)}")


def sentry_dsn(rng: random.Random) -> Value:
    return whole(
        f"https://{rand(rng, 32, HEX)}@o{rand(rng, 6, DIGITS)}.ingest.sentry.io/"
        f"{rand(rng, 7, DIGITS)}"
    )


def sops_value(rng: random.Random) -> Value:
    return whole(
        f"ENC[AES256_GCM,data:{v.b64(v.rand_bytes(rng, rng.randint(12, 40)))},"
        f"iv:{v.b64(v.rand_bytes(rng, 32))},tag:{v.b64(v.rand_bytes(rng, 16))},type:str]"
    )


def ansible_vault(rng: random.Random) -> Value:
    hexed = rand(rng, 80 * rng.randint(3, 6), HEX)
    return whole("$ANSIBLE_VAULT;1.1;AES256\n" + v.wrap(hexed, 80))


def sealed_secret(rng: random.Random) -> Value:
    return whole("AgB" + v.b64(v.rand_bytes(rng, rng.randint(300, 500))))


def minified_js(rng: random.Random) -> Value:
    names = "etnroaiscluf"
    parts = []
    for _ in range(rng.randint(12, 30)):
        a, b, c = (rng.choice(names) for _ in range(3))
        parts.append(rng.choice((
            f"var {a}={b}({rng.randint(0, 900)}),{c}={b}.n({a})",
            f"function {a}({b},{c}){{return {b}&&{b}.__esModule?{b}:{{default:{b}}}}}",
            f'{a}.exports=function({b}){{return"string"==typeof {b}&&/^[a-z0-9]+$/i.test({b})}}',
            f"{a}[{b}]=({c}<<5)-{c}+{a}.charCodeAt({b})|0",
            '"' + rand(rng, rng.randint(8, 30), names + "ABCDEFGHIJ0123456789") + '"',
            f"{a}.prototype.{rng.choice(('render', 'update', 'toJSON'))}=function(){{}}",
        )))
    return whole(";".join(parts) + ";")


# ---------------------------------------------------------------- special shapes


def git_log(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    return ["commit ", Slot(0), f"\nAuthor: {rng.choice(sh.PEOPLE)} <dev@example.com>\n"
            "Date:   Tue May 21 09:12:44 2024 +0100\n\n    fix: handle empty cart\n\n"
            "Can you explain what this commit changed?"]


def commit_url(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    return [rng.choice(("This regressed in ", "Fixed upstream in ", "See ")),
            "https://github.com/example/shop/commit/", Slot(0), " — can you backport it?"]


def sha_sums(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    name = rng.choice(("app-1.4.2-linux-amd64.tar.gz", "installer.msi", "model.safetensors"))
    return ["```\n$ sha256sum -c SHA256SUMS\n", Slot(0), f"  {name}\n```\n"
            f"{name}: FAILED — is my download corrupted?"]


def docker_digest(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    return ["image: ghcr.io/example/api@sha256:", Slot(0),
            "\n\nWhy does Kubernetes keep pulling this image?"]


def pip_hash(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    return ["# requirements.txt\nrequests==2.32.3 \\\n    --hash=sha256:", Slot(0),
            "\n\npip says THESE PACKAGES DO NOT MATCH THE HASHES — why?"]


def package_lock(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    pkg = rng.choice(("lodash", "express", "debug", "ms", "semver", "chalk"))
    ver = f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
    return [f'"node_modules/{pkg}": {{\n  "version": "{ver}",\n'
            f'  "resolved": "https://registry.npmjs.org/{pkg}/-/{pkg}-{ver}.tgz",\n'
            '  "integrity": "', Slot(0), '",\n  "license": "MIT"\n}']


def yarn_lock(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    pkg = rng.choice(("react", "webpack", "typescript", "jest"))
    ver = f"{rng.randint(1, 18)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}"
    return [f'{pkg}@^{ver}:\n  version "{ver}"\n  resolved "https://registry.yarnpkg.com/{pkg}/-/'
            f'{pkg}-{ver}.tgz#{rand(rng, 40, HEX)}"\n  integrity ', Slot(0), "\n"]


def sri_script(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    return ['<script src="https://cdn.example.com/lib.min.js"\n        integrity="', Slot(0),
            '"\n        crossorigin="anonymous"></script>']


def go_sum(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    mod = rng.choice(("github.com/stretchr/testify", "golang.org/x/net", "github.com/google/uuid"))
    ver = f"v{rng.randint(0, 1)}.{rng.randint(1, 30)}.{rng.randint(0, 9)}"
    return [f"{mod} {ver}/go.mod h1:{v.b64(v.rand_bytes(rng, 32))}\n{mod} {ver} ", Slot(0),
            "\n\ngo: verifying module: checksum mismatch — what now?"]


def cargo_lock(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    return ['[[package]]\nname = "serde"\nversion = "1.0.203"\n'
            'source = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "',
            Slot(0), '"\n']


def html_img(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    options: list[list[Seg]] = [
        ['<img alt="logo" width="32" src="', Slot(0), '" />\n\nWhy is this image blurry?'],
        [".icon {\n  background-image: url(", Slot(0), ");\n}\n"],
        ["![diagram](", Slot(0), ")\n\nCan you describe this diagram?"],
        ['@font-face {\n  font-family: "Inter";\n  src: url(', Slot(0), ') format("woff2");\n}'],
    ]
    return rng.choice(options)


def authorized_keys(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    options: list[list[Seg]] = [
        ["# ~/.ssh/authorized_keys\n", Slot(0), "\n\nI still get 'Permission denied (publickey)'."],
        ["Please add my public key to the bastion:\n\n", Slot(0), "\n"],
    ]
    return rng.choice(options)


def pem_paste(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    return [rng.choice(("Is this certificate expired?\n\n", "Our public key for webhooks:\n\n",
                        "nginx says 'no start line' for this file:\n\n")), Slot(0), "\n"]


def jwks(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    return ['{\n  "keys": [\n    {\n      "kty": "RSA",\n      "use": "sig",\n'
            f'      "kid": "{rand(rng, 16, HEX)}",\n      "alg": "RS256",\n      "n": "', Slot(0),
            '",\n      "e": "AQAB"\n    }\n  ]\n}']


def response_headers(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    return ["HTTP/1.1 200 OK\nContent-Type: application/json\nContent-Length: 1532\n"
            f"{sh.kebab(item.name).title()}: ", Slot(0),
            "\nDate: Tue, 21 May 2024 09:12:44 GMT\n\nWhy is this response slow?"]


def traceparent(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    return [f"{sh.stamp(rng)} INFO request completed status=200 traceparent=00-", Slot(0),
            f"-{rand(rng, 16, HEX)}-01 duration_ms={rng.randint(3, 900)}"]


def minified_chat(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    return ["This is from our production bundle and it throws 'e is undefined':\n\n```js\n",
            Slot(0), "\n```"]


def sops_yaml(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    return [f"# secrets.enc.yaml (sops)\n{sh.snake(item.name)}: ", Slot(0),
            "\nsops:\n  kms: []\n  age:\n    - recipient: "
            f"{v.bech32_encode('age', v.rand_bytes(rng, 32))}\n"
            '  lastmodified: "2024-05-21T09:12:44Z"\n  version: 3.8.1\n\n'
            "How do I add a new key to this file?"]


def vault_blob(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    return [f"{sh.snake(item.name)}: !vault |\n", Slot(0, sh.indent(item.value.text, "  ")),
            "\n"]


def sealed(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    return ["apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db\nspec:\n"
            f"  encryptedData:\n    {sh.snake(item.name)}: ", Slot(0), "\n"]


_ENV_REFS = (
    ("python", "{name} = os.environ[\"{NAME}\"]"),
    ("python", "{name} = os.getenv(\"{NAME}\", \"\")"),
    ("js", "const {camel} = process.env.{NAME};"),
    ("ruby", "{name} = ENV.fetch(\"{NAME}\")"),
    ("java", "String {camel} = System.getenv(\"{NAME}\");"),
    ("go", "{camel} := os.Getenv(\"{NAME}\")"),
    ("bash", "{NAME}=${{{NAME}}}"),
    ("bash", "curl -H \"Authorization: Bearer ${NAME}\" https://api.example.com/v1/me"),
    ("yaml", "{name}: ${{{NAME}}}"),
    ("yaml", "{name}: \"{{{{ .Values.{camel} }}}}\""),
    ("yaml", "        env:\n          {NAME}: ${{{{ secrets.{NAME} }}}}"),
    ("yaml", "{name}: \"{{{{ vault_{name} }}}}\""),
    ("hcl", "{name} = var.{name}"),
    ("hcl", "{name} = data.aws_secretsmanager_secret_version.app.secret_string"),
    ("php", "'{name}' => env('{NAME}'),"),
    ("ini", "{name} = %({NAME})s"),
    ("yaml", "{name}: '{{{{resolve:secretsmanager:prod/app:SecretString:{name}}}}}'"),
    ("bash", "export {NAME}=\"$(cat /run/secrets/{name})\""),
)


def env_reference(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    """The planted slot is the whole right-hand side (or command) referring to the secret."""
    item = items[0]
    lang, template = rng.choice(_ENV_REFS)
    line = template.format(name=sh.snake(item.name), NAME=sh.upper(item.name),
                           camel=sh.camel(item.name))
    # Plant the part after the assignment operator (or the whole line for a command).
    for op in (" = ", ": ", " := ", "=", " => "):
        at = line.find(op)
        if at > 0 and not line.startswith("curl"):
            head, tail = line[: at + len(op)], line[at + len(op) :]
            return [f"{rng.choice(sh.INTROS)}\n\n```{lang}\n{head}", Slot(0, tail),
                    f"\n```\n\n{rng.choice(sh.QUESTIONS)}"]
    return [f"```{lang}\n", Slot(0, line), f"\n```\n\n{rng.choice(sh.QUESTIONS)}"]


_IDENTIFIERS = (
    ("python", "{name} = get_secret_from_vault(secret_name)"),
    ("python", "{name} = settings.{NAME}"),
    ("python", "{name} = self._resolve_{name}(request.headers)"),
    ("js", "const {camel} = await secretsManager.getSecretValue({{ SecretId: secretArn }});"),
    ("js", "const {camel} = config.get('{camel}');"),
    ("js", "this.{camel} = {camel}InputElementRef.current.value;"),
    ("ts", "{camel}: {pascal}ProviderFactory,"),
    ("java", "String {camel} = credentialsProvider.get{pascal}ForServiceAccount(accountId);"),
    ("go", "{camel}, err := tokenSource.{pascal}FromContext(ctx)"),
    ("csharp", "var {camel} = await _keyVaultClient.GetSecretAsync(vaultUri, secretName);"),
    ("json", "\"{camel}\": \"{camel}ConfirmationFieldLabel\","),
    ("json", "\"{name}\": \"REFRESH_TOKEN_GRANT_TYPE_NOT_SUPPORTED\","),
    ("yaml", "{name}: secretKeyRef"),
    ("python", "{name}_field = forms.CharField(widget=forms.PasswordInput, label=_(\"{pascal}\"))"),
)


def identifier(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    lang, template = rng.choice(_IDENTIFIERS)
    line = template.format(name=sh.snake(item.name), NAME=sh.upper(item.name),
                           camel=sh.camel(item.name), pascal=sh.pascal(item.name))
    for op in (" = ", ": ", ", err := ", " := "):
        at = line.find(op)
        if at > 0:
            return [f"```{lang}\n{line[: at + len(op)]}", Slot(0, line[at + len(op) :]),
                    f"\n```\n\n{rng.choice(sh.QUESTIONS)}"]
    return [f"```{lang}\n", Slot(0, line), "\n```"]


def no_value(rng: random.Random) -> Value:
    """For shapes that write their own slot text (env references, identifiers)."""
    return whole("")


# ---------------------------------------------------------------- the table

_SECRET_NAMES = (
    "API_KEY", "OPENAI_API_KEY", "STRIPE_SECRET_KEY", "GITHUB_TOKEN", "DB_PASSWORD", "PASSWORD",
    "AWS_SECRET_ACCESS_KEY", "CLIENT_SECRET", "AUTH_TOKEN", "SLACK_BOT_TOKEN", "ANTHROPIC_API_KEY",
)  # fmt: skip
_PLACEHOLDER_VALUES = pick(
    "<your-api-key>", "YOUR_API_KEY", "your-api-key-here", "xxxxxxxxxxxxxxxxxxxxxxxx",
    "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "<token>", "<password>", "changeme", "REPLACE_ME",
    "TODO", "insert-your-token-here", "dummy", "sk-...", "your_secret_here", "<YOUR_TOKEN>",
    "example-password", "secret", "password", "foobar", "test", "placeholder",
    "00000000000000000000000000000000", "1234567890abcdef1234567890abcdef", "none",
)  # fmt: skip
_REDACTED_VALUES = pick(
    "****", "********", "[REDACTED]", "<redacted>", "REDACTED", "***hidden***", "[FILTERED]",
    "•••••••••••", "[MASKED]", "<hidden>", "(sensitive)",
)  # fmt: skip
_PII_REDACTED = pick(
    "XXXX-XXXX-XXXX-4821", "**** **** **** 1881", "***-**-6789", "XXX-XX-1234", "j***@g***.com",
    "+44 **** ***123", "GB** **** **** **** **** 32", "•••• 4242",
)  # fmt: skip


def _doc_aws(rng: random.Random) -> Value:
    return whole(rng.choice(("AKIAIOSFODNN7EXAMPLE", "AKIAI44QH8DHBEXAMPLE")))


def _doc_aws_secret(rng: random.Random) -> Value:
    return whole(rng.choice((
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    )))


# The sample token shown on jwt.io (HS256, "John Doe", secret "your-256-bit-secret").
_JWT_IO = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwia"
    "WF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
_DOC_PII = pick(
    "078-05-1120", "219-09-9999", "GB82 WEST 1234 5698 7654 32", "DE89 3704 0044 0532 0130 00",
    "GB82WEST12345698765432",
)  # fmt: skip

LOOKALIKES: tuple[Fmt, ...] = (
    Fmt("git-sha", "git-sha", sha(40), ("GIT_COMMIT", "COMMIT_SHA", "REVISION", "HEAD_SHA"),
        (*_A, git_log, git_log, commit_url, commit_url), "commit", n=60),
    Fmt("uuid", "uuid", uuid, ("REQUEST_ID", "CORRELATION_ID", "TENANT_ID", "ORDER_ID", "USER_ID",
                                "INSTALLATION_ID", "SUBSCRIPTION_ID"),
        (*_A, sh.log_lines, response_headers), "id", n=50),
    Fmt("sha256-hex", "hash-digest", sha(64), ("CHECKSUM", "SHA256", "FILE_HASH", "DIGEST"),
        (*_A, sha_sums, docker_digest, pip_hash, cargo_lock), "checksum", n=50),
    Fmt("sha512-hex", "hash-digest", sha(128), ("SHA512", "CHECKSUM"), (*_A, sha_sums),
        "checksum", n=15),
    Fmt("etag-md5-sha1", "hash-digest", lambda r: sha(r.choice((32, 40)))(r), ("ETAG",
        "CONTENT_MD5", "OBJECT_SHA1"), (*_A, response_headers), "etag", n=15),
    Fmt("npm-integrity", "integrity", integrity_sha512, ("INTEGRITY",),
        (package_lock, package_lock, yarn_lock), "integrity", n=45),
    Fmt("sri-integrity", "integrity", lambda r: whole("sha384-" + v.b64(v.rand_bytes(r, 48))),
        ("INTEGRITY",), (sri_script,), "integrity", n=15),
    Fmt("go-sum", "integrity", go_sum_hash, ("H1",), (go_sum,), "go.sum hash", n=25),
    Fmt("data-uri-image", "data-uri", png_data_uri, ("LOGO",), (html_img,), "image", n=40),
    Fmt("data-uri-font", "data-uri", woff_data_uri, ("FONT",), (html_img,), "font", n=10),
    Fmt("ssh-public-key", "public-key-cert", ssh_public, ("SSH_PUBLIC_KEY",),
        (authorized_keys, *_A[:6]), "public key", n=25),
    Fmt("public-key-pem", "public-key-cert", lambda r: whole(v.public_key_pem(r)),
        ("PUBLIC_KEY",), (pem_paste, sh.block_yaml, sh.block_json), "public key", n=15),
    Fmt("certificate-pem", "public-key-cert", lambda r: whole(v.certificate_pem(r)),
        ("TLS_CERT", "CA_CERT"), (pem_paste, sh.block_yaml, sh.block_json, sh.block_env),
        "certificate", n=20),
    Fmt("pgp-public-key", "public-key-cert", lambda r: whole(v.pgp_armor(r, "PUBLIC", 400)),
        ("GPG_PUBLIC_KEY",), (pem_paste,), "public key", n=10),
    Fmt("jwks-modulus", "public-key-cert", jwks_modulus, ("N",), (jwks,), "JWKS", n=10),
    Fmt("placeholder", "placeholder", _PLACEHOLDER_VALUES, _SECRET_NAMES,
        (*_A, sh.curl_bearer, sh.chat), "API key", n=60),
    Fmt("prefixed-placeholder", "placeholder", prefixed_placeholder, _SECRET_NAMES,
        (*_A, sh.curl_bearer, sh.markdown_note), "API key", n=30),
    Fmt("placeholder-url", "placeholder",
        pick("postgres://user:password@localhost:5432/mydb", "mysql://root:<password>@db:3306/app",
             "postgresql://USER:PASSWORD@HOST:5432/DATABASE", "redis://:changeme@localhost:6379",
             "mongodb+srv://<username>:<password>@cluster0.example.mongodb.net/",
             "amqp://guest:guest@localhost:5672/"),
        ("DATABASE_URL", "MONGO_URI", "REDIS_URL", "BROKER_URL"), _A, "database URL", n=25),
    Fmt("env-reference", "env-reference", no_value, _SECRET_NAMES, (env_reference,),
        "reference", n=70),
    Fmt("redacted", "redacted", _REDACTED_VALUES, _SECRET_NAMES,
        (*_A, sh.log_lines, sh.chat, sh.curl_bearer), "API key", n=45),
    Fmt("masked-prefix", "redacted", masked_tail, _SECRET_NAMES, (*_A, sh.chat, sh.log_lines),
        "API key", n=25),
    Fmt("masked-pii", "redacted", _PII_REDACTED, ("CARD_NUMBER", "SSN", "EMAIL", "PHONE", "IBAN"),
        sh.PII, "card number", n=25),
    Fmt("aws-doc-example-secret", "doc-example", _doc_aws_secret, ("AWS_SECRET_ACCESS_KEY",),
        _A, "AWS secret key", with_=("aws-doc-example-id",), n=15),
    Fmt("aws-doc-example-id", "doc-example", _doc_aws, ("AWS_ACCESS_KEY_ID",), sh.TOKEN_SHAPES,
        "AWS access key", n=15),
    Fmt("jwt-io-sample", "doc-example", pick(_JWT_IO), ("ACCESS_TOKEN", "JWT"),
        (*sh.HEADER, *_A[:8], sh.chat), "token", n=20),
    Fmt("doc-pii", "doc-example", _DOC_PII, ("SSN", "IBAN"), sh.PII, "reference", n=20),
    Fmt("doc-email", "doc-example", doc_email, ("EMAIL", "CONTACT_EMAIL"), sh.EMAIL_SHAPES,
        "email", n=25),
    Fmt("doc-phone", "doc-example", doc_phone, ("PHONE",), sh.PHONE_SHAPES, "phone number",
        n=25),
    Fmt("test-card", "test-card", test_card, ("CARD_NUMBER", "TEST_CARD"), sh.PII,
        "test card number", n=50),
    Fmt("luhn-fail", "checksum-fail", luhn_fail,
        ("TRACKING_NUMBER", "INVOICE_NUMBER", "SERIAL_NUMBER", "CARD_NUMBER"), sh.PII,
        "reference number", n=40),
    Fmt("bad-ssn", "checksum-fail", bad_ssn, ("REF", "SSN", "CASE_NUMBER"), sh.PII,
        "reference", n=20),
    Fmt("bad-iban", "checksum-fail", bad_iban, ("IBAN",), sh.PII, "IBAN", n=20),
    Fmt("bad-nhs", "checksum-fail", bad_nhs, ("NHS_NUMBER", "REFERENCE"), sh.PII,
        "reference", n=20),
    Fmt("public-ip", "ip-lookalike", public_ip, ("DNS_SERVER", "PUBLIC_IP", "HOST"),
        sh.IP_SHAPES, "address", n=30),
    Fmt("isbn", "ip-lookalike", isbn, ("ISBN",), (sh.pii_json, sh.pii_csv, sh.pii_chat),
        "ISBN", n=15),
    Fmt("version", "version", version, ("VERSION", "APP_VERSION", "IMAGE_TAG", "KERNEL"),
        (*_A, sh.chat, sh.log_lines), "version", n=40),
    Fmt("timestamp", "timestamp", timestamp, ("CREATED_AT", "EXPIRES_AT", "TIMESTAMP",
        "LAST_LOGIN"), (*_A, sh.log_lines), "timestamp", n=30),
    Fmt("order-id", "order-id", order_id, ("ORDER_ID", "CUSTOMER_ID", "PAYMENT_INTENT",
        "INVOICE_ID", "CHARGE_ID"), (*_A, *sh.PII, sh.log_lines), "order", n=50),
    Fmt("password-hash", "password-hash", password_hash, ("PASSWORD_HASH", "HASHED_PASSWORD",
        "API_KEY_HASH", "TOKEN_HASH", "SECRET_HASH", "PASSWORD_DIGEST"), _A, "hash", n=50),
    Fmt("identifier", "identifier", no_value, ("PASSWORD", "API_KEY", "ACCESS_TOKEN",
        "CLIENT_SECRET", "AUTH_TOKEN", "SECRET"), (identifier,), "identifier", n=60),
    Fmt("request-trace-id", "random-id", random_id, ("REQUEST_ID", "TRACE_ID", "SPAN_ID",
        "X_AMZ_REQUEST_ID", "X_AMZ_ID_2", "CF_RAY", "BUILD_ID", "OBJECT_ID", "MESSAGE_ID"),
        (*_A, response_headers, response_headers, sh.log_lines), "id", n=60),
    Fmt("traceparent", "random-id", sha(32), ("TRACE",), (traceparent,), "trace", n=15),
    Fmt("minified-js", "minified", minified_js, ("BUNDLE",), (minified_chat,), "bundle",
        n=30),
    Fmt("stripe-publishable-key", "publishable-key", pk_live,
        ("STRIPE_PUBLISHABLE_KEY", "NEXT_PUBLIC_STRIPE_KEY"), sh.TOKEN_SHAPES,
        "publishable key", n=20),
    Fmt("mapbox-public-token", "publishable-key", mapbox_public, ("MAPBOX_PUBLIC_TOKEN",),
        sh.TOKEN_SHAPES, "public token", n=10),
    Fmt("sentry-dsn", "publishable-key", sentry_dsn, ("SENTRY_DSN", "NEXT_PUBLIC_SENTRY_DSN"),
        sh.TOKEN_SHAPES, "DSN", n=10),
    Fmt("sops-encrypted", "encrypted", sops_value, ("DB_PASSWORD", "API_KEY"), (sops_yaml,),
        "encrypted value", n=15),
    Fmt("ansible-vault", "encrypted", ansible_vault, ("DB_PASSWORD",), (vault_blob,),
        "vault", n=10),
    Fmt("sealed-secret", "encrypted", sealed_secret, ("PASSWORD", "API_KEY"), (sealed,),
        "sealed secret", n=10),
)

BY_ID = {f.id: f for f in LOOKALIKES}
