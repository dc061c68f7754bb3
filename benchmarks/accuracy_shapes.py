"""Prompt shapes: the text people paste into chats, with slots for planted values.

A shape is ``(rng, items) -> list[Seg]``: plain strings are filler, a ``Slot``
is where item ``i`` goes (``Slot(i)``). The builder joins the segments and records the span of
each planted value, so the label of every sample is exact by construction.

Filler is deliberately clean: no secrets, no personal data, only reserved
example domains (example.com/.org/.net), so a finding on a look-alike sample that
is *not* on the planted value shows up in the whole-sample rate, not as noise in
the look-alike rate.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from collections.abc import Sequence
from typing import NamedTuple

from accuracy_values import HEX
from accuracy_values import Value
from accuracy_values import rand


class Item(NamedTuple):
    """One planted value and what the shapes may say about it."""

    fmt: str  # format id, e.g. "anthropic-api-key"
    kind: str  # reporting group, e.g. "ai-provider"
    name: str  # canonical variable name, UPPER_SNAKE (e.g. ANTHROPIC_API_KEY)
    value: Value
    label: str = "API key"  # human words for it ("Anthropic API key")
    host: str = "api.example.com"  # where it would be sent
    header: str = "Authorization: Bearer"  # how an HTTP request would carry it


class Slot(NamedTuple):
    item: int
    # A shape that re-encodes the value (indents a PEM block, escapes it into
    # JSON) passes the new text; the planted span is then that whole text.
    text: str | None = None


Seg = str | Slot
Shape = Callable[[random.Random, Sequence[Item]], list[Seg]]


# ---------------------------------------------------------------- names


def words(name: str) -> list[str]:
    return [w for w in re.split(r"[^A-Za-z0-9]+", name) if w]


def snake(name: str) -> str:
    return "_".join(words(name)).lower()


def upper(name: str) -> str:
    return "_".join(words(name)).upper()


def camel(name: str) -> str:
    parts = [w.lower() for w in words(name)]
    return parts[0] + "".join(p.capitalize() for p in parts[1:])


def pascal(name: str) -> str:
    return "".join(w.lower().capitalize() for w in words(name))


def dotted(name: str) -> str:
    return ".".join(words(name)).lower()


def kebab(name: str) -> str:
    return "-".join(words(name)).lower()


def section(item: Item) -> str:
    """A config section name for the item's service ("anthropic", "database")."""
    parts = [w.lower() for w in words(item.name)]
    return parts[0] if parts else "service"


# ---------------------------------------------------------------- filler

PEOPLE = (
    "Priya", "Marcus", "Chen", "Sofia", "Tomasz", "Aisha", "Liam", "Yuki", "Fatima", "Diego",
    "Olga", "Kwame", "Hannah", "Ravi", "Elena", "Noah", "Ines", "Sven", "Amara", "Jonas",
)  # fmt: skip
SURNAMES = (
    "Patel", "Nguyen", "Kowalski", "Okafor", "Schmidt", "Rossi", "Tanaka", "Haddad", "Silva",
    "Johansson", "Murphy", "Novak", "Garcia", "Fischer", "Ahmed", "Dubois", "Kim", "Moreau",
)  # fmt: skip
CITIES = ("Leeds", "Austin", "Lyon", "Porto", "Gdansk", "Osaka", "Denver", "Cork", "Graz")
SERVICES = ("orders", "billing", "search", "notifications", "inventory", "auth", "reports")
ENV_FILLER = (
    "NODE_ENV=production", "PORT=8080", "LOG_LEVEL=info", "APP_NAME=orders-service",
    "TZ=UTC", "WORKERS=4", "FEATURE_NEW_CHECKOUT=true", "SENTRY_ENVIRONMENT=staging",
    "ALLOWED_HOSTS=app.example.com", "CACHE_TTL_SECONDS=300", "MAX_UPLOAD_MB=25",
    "PUBLIC_URL=https://app.example.com", "DEBUG=false", "REGION=eu-west-1",
    "QUEUE_NAME=jobs-default", "REQUEST_TIMEOUT=30", "DEFAULT_LOCALE=en-GB",
)  # fmt: skip
QUESTIONS = (
    "Can you tell me why this fails?",
    "What am I doing wrong here?",
    "Any idea how to fix this?",
    "Could you review this before I deploy it?",
    "Please help me debug this.",
    "Why does this return 401 Unauthorized?",
    "How do I convert this to the new config format?",
)  # fmt: skip
INTROS = (
    "Here's my config:",
    "This is what I have so far:",
    "I'm pasting the relevant part below.",
    "Relevant snippet:",
    "Our staging setup looks like this:",
    "",
)  # fmt: skip


def person(rng: random.Random) -> str:
    return f"{rng.choice(PEOPLE)} {rng.choice(SURNAMES)}"


def stamp(rng: random.Random) -> str:
    return (
        f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}."
        f"{rng.randint(0, 999):03d}Z"
    )


def env_filler(rng: random.Random, n: int) -> list[str]:
    return rng.sample(ENV_FILLER, n)


def _wrap_prompt(rng: random.Random, segs: list[Seg], fence: str = "") -> list[Seg]:
    """Usually surround a pasted block with the words people type around it."""
    if rng.random() < 0.35:
        return segs
    intro = rng.choice(INTROS)
    head = f"{intro}\n\n" if intro else ""
    if fence or rng.random() < 0.5:
        return [f"{head}```{fence}\n", *segs, f"\n```\n\n{rng.choice(QUESTIONS)}"]
    return [head, *segs, f"\n\n{rng.choice(QUESTIONS)}"]


def _interleave(rng: random.Random, filler: list[str], lines: list[list[Seg]]) -> list[Seg]:
    """Filler lines with the planted lines inserted at random positions."""
    rows: list[list[Seg]] = [[f] for f in filler]
    for line in lines:
        rows.insert(rng.randint(0, len(rows)), line)
    out: list[Seg] = []
    for i, row in enumerate(rows):
        if i:
            out.append("\n")
        out.extend(row)
    return out


# ---------------------------------------------------------------- assignment shapes


def env_file(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    lines: list[list[Seg]] = []
    for i, item in enumerate(items):
        q = rng.choice(("", "", '"', "'"))
        lines.append([f"{upper(item.name)}={q}", Slot(i), q])
    segs = _interleave(rng, env_filler(rng, rng.randint(2, 6)), lines)
    return _wrap_prompt(rng, ["# .env\n", *segs], "bash")


def shell_export(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    lines: list[list[Seg]] = [
        [f"export {upper(item.name)}=\"", Slot(i), '"'] for i, item in enumerate(items)
    ]
    body = _interleave(rng, ["export APP_ENV=staging", "export LOG_LEVEL=debug"], lines)
    tail = f"\npython -m {rng.choice(SERVICES)}.worker --once\n"
    return _wrap_prompt(rng, ["#!/usr/bin/env bash\nset -euo pipefail\n", *body, tail], "bash")


def yaml_config(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = [
        f"app:\n  name: {rng.choice(SERVICES)}\n  replicas: {rng.randint(1, 6)}\n"
        "  log_level: info\n"
    ]
    for i, item in enumerate(items):
        q = rng.choice(("", '"', "'"))
        segs += [f"{section(item)}:\n  timeout: 30\n  {snake(item.name)}: {q}", Slot(i), f"{q}\n"]
    segs.append("features:\n  - search\n  - exports\n")
    return _wrap_prompt(rng, segs, "yaml")


def json_config(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    style = rng.choice((camel, snake))
    segs: list[Seg] = [f'{{\n  "service": "{rng.choice(SERVICES)}",\n  "retries": 3,\n']
    for i, item in enumerate(items):
        segs += [f'  "{style(item.name)}": "', Slot(i), '",\n']
    segs.append('  "region": "eu-west-1"\n}')
    return _wrap_prompt(rng, segs, "json")


def toml_config(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = [f'[app]\nname = "{rng.choice(SERVICES)}"\nworkers = 4\n\n']
    for i, item in enumerate(items):
        segs += [f"[{section(item)}]\n{snake(item.name)} = \"", Slot(i), '"\nretries = 2\n\n']
    return _wrap_prompt(rng, segs, "toml")


def ini_config(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = ["[general]\ndebug = false\nlog_file = /var/log/app.log\n\n"]
    for i, item in enumerate(items):
        segs += [f"[{section(item)}]\n{snake(item.name)} = ", Slot(i), "\ntimeout = 15\n\n"]
    return _wrap_prompt(rng, segs, "ini")


def python_code(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = ["import logging\n\nimport requests\n\nlog = logging.getLogger(__name__)\n"]
    for i, item in enumerate(items):
        if rng.random() < 0.5:
            segs += [f'{upper(item.name)} = "', Slot(i), '"\n']
        else:
            cls = pascal(section(item))
            segs += [f"client = {cls}Client({snake(item.name)}=\"", Slot(i), '")\n']
    segs.append(
        "\n\ndef fetch(path: str) -> dict:\n"
        "    resp = requests.get(f\"https://api.example.com/{path}\", timeout=10)\n"
        "    resp.raise_for_status()\n    return resp.json()\n"
    )
    return _wrap_prompt(rng, segs, "python")


def js_code(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = ["import express from 'express';\n\nconst app = express();\n"]
    for i, item in enumerate(items):
        if rng.random() < 0.5:
            segs += [f"const {camel(item.name)} = '", Slot(i), "';\n"]
        else:
            cls = pascal(section(item))
            segs += [f"const client = new {cls}({{ {camel(item.name)}: \"", Slot(i), '" });\n']
    segs.append("\napp.listen(3000, () => console.log('listening on 3000'));\n")
    return _wrap_prompt(rng, segs, rng.choice(("js", "ts", "javascript")))


def go_code(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = ['package main\n\nimport (\n\t"fmt"\n\t"net/http"\n)\n\nfunc main() {\n']
    for i, item in enumerate(items):
        segs += [f'\t{camel(item.name)} := "', Slot(i), '"\n']
    segs.append('\tresp, err := http.Get("https://api.example.com/v1/status")\n'
                '\tif err != nil {\n\t\tpanic(err)\n\t}\n\tfmt.Println(resp.Status)\n}\n')
    return _wrap_prompt(rng, segs, "go")


def java_code(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = ["public class ApiConfig {\n"]
    for i, item in enumerate(items):
        segs += [f'    private static final String {upper(item.name)} = "', Slot(i), '";\n']
    segs.append("\n    public static void main(String[] args) {\n"
                "        System.out.println(\"starting\");\n    }\n}\n")
    return _wrap_prompt(rng, segs, "java")


def csharp_code(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = ["using System.Net.Http;\n\nvar http = new HttpClient();\n"]
    for i, item in enumerate(items):
        segs += [f'var {camel(item.name)} = "', Slot(i), '";\n']
    segs.append('var res = await http.GetAsync("https://api.example.com/health");\n')
    return _wrap_prompt(rng, segs, "csharp")


def ruby_code(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = [f"{pascal(section(items[0]))}.configure do |config|\n"]
    for i, item in enumerate(items):
        segs += [f"  config.{snake(item.name)} = '", Slot(i), "'\n"]
    segs.append("  config.timeout = 10\nend\n")
    return _wrap_prompt(rng, segs, "ruby")


def php_code(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = ["<?php\n\n"]
    for i, item in enumerate(items):
        if rng.random() < 0.5:
            segs += [f"define('{upper(item.name)}', '", Slot(i), "');\n"]
        else:
            segs += [f"${camel(item.name)} = '", Slot(i), "';\n"]
    segs.append("$client = new GuzzleHttp\\Client(['timeout' => 5]);\n")
    return _wrap_prompt(rng, segs, "php")


def rust_code(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = ["use reqwest::blocking::Client;\n\nfn main() {\n"]
    for i, item in enumerate(items):
        segs += [f'    let {snake(item.name)} = "', Slot(i), '";\n']
    segs.append('    let client = Client::new();\n    println!("ready");\n}\n')
    return _wrap_prompt(rng, segs, "rust")


def compose_file(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    svc = rng.choice(SERVICES)
    segs: list[Seg] = [
        f"services:\n  {svc}:\n    image: ghcr.io/example/{svc}:1.4.2\n"
        "    ports:\n      - \"8080:8080\"\n    environment:\n      - LOG_LEVEL=info\n"
    ]
    for i, item in enumerate(items):
        segs += [f"      - {upper(item.name)}=", Slot(i), "\n"]
    return _wrap_prompt(rng, segs, "yaml")


def k8s_manifest(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    svc = rng.choice(SERVICES)
    segs: list[Seg] = [
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {svc}\nspec:\n"
        f"  template:\n    spec:\n      containers:\n        - name: {svc}\n"
        f"          image: registry.example.com/{svc}:2.3.0\n          env:\n"
        "            - name: LOG_LEVEL\n              value: info\n"
    ]
    for i, item in enumerate(items):
        segs += [f"            - name: {upper(item.name)}\n              value: \"", Slot(i), '"\n']
    return _wrap_prompt(rng, segs, "yaml")


def gha_workflow(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = [
        "name: deploy\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n"
        "    runs-on: ubuntu-latest\n    env:\n"
    ]
    for i, item in enumerate(items):
        segs += [f"      {upper(item.name)}: ", Slot(i), "\n"]
    segs.append("    steps:\n      - uses: actions/checkout@v4\n      - run: make deploy\n")
    return _wrap_prompt(rng, segs, "yaml")


def dockerfile(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = ["FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"]
    for i, item in enumerate(items):
        segs += [f"ENV {upper(item.name)}=", Slot(i), "\n"]
    segs.append('RUN pip install -r requirements.txt\nCMD ["python", "-m", "app"]\n')
    return _wrap_prompt(rng, segs, "dockerfile")


def terraform(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = [f'provider "{section(items[0])}" {{\n  region = "eu-west-1"\n']
    for i, item in enumerate(items):
        segs += [f'  {snake(item.name)} = "', Slot(i), '"\n']
    segs.append("}\n")
    return _wrap_prompt(rng, segs, "hcl")


def xml_config(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = ['<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n  <appSettings>\n']
    for i, item in enumerate(items):
        if rng.random() < 0.5:
            segs += [f'    <add key="{pascal(item.name)}" value="', Slot(i), '" />\n']
        else:
            segs += [f"    <{camel(item.name)}>", Slot(i), f"</{camel(item.name)}>\n"]
    segs.append('    <add key="Environment" value="Staging" />\n  </appSettings>\n</configuration>')
    return _wrap_prompt(rng, segs, "xml")


def properties(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = ["server.port=8080\nspring.application.name=orders\n"]
    for i, item in enumerate(items):
        segs += [f"{dotted(item.name)}=", Slot(i), "\n"]
    segs.append("logging.level.root=INFO\n")
    return _wrap_prompt(rng, segs, "properties")


def sql_update(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = ["BEGIN;\n"]
    for i, item in enumerate(items):
        segs += ["UPDATE integration_settings SET value = '", Slot(i),
                 f"' WHERE name = '{snake(item.name)}';\n"]
    segs.append("COMMIT;\n")
    return _wrap_prompt(rng, segs, "sql")


ASSIGN: tuple[Shape, ...] = (
    env_file, shell_export, yaml_config, json_config, toml_config, ini_config, python_code,
    js_code, go_code, java_code, csharp_code, ruby_code, php_code, rust_code, compose_file,
    k8s_manifest, gha_workflow, dockerfile, terraform, xml_config, properties, sql_update,
)  # fmt: skip


# ---------------------------------------------------------------- free-text shapes


def chat(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    opener = rng.choice((
        f"hey, I'm calling the {item.label} endpoint at {item.host} and keep getting 401. "
        "this is what I'm sending: ",
        f"Can you check if this {item.label} has the right format? ",
        f"My teammate sent me this {item.label}: ",
        "why doesn't this work?? ",
        f"I rotated the {item.label} yesterday, new one is ",
    ))
    return [opener, Slot(0), rng.choice((" — thanks!", "\nany ideas?", "", ". what's wrong?"))]


def log_lines(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    svc = rng.choice(SERVICES)
    pre = [
        f"{stamp(rng)} INFO  [{svc}] starting worker pid={rng.randint(1000, 60000)}",
        f"{stamp(rng)} INFO  [{svc}] loaded 42 routes",
    ]
    line: list[Seg] = [
        f"{stamp(rng)} DEBUG [{svc}] " + rng.choice((
            f"POST https://{item.host}/v1/messages using key ",
            "client configured with credentials ",
            f"{snake(item.name)}=",
            "retrying request with token ",
        )),
        Slot(0),
    ]
    post = f"\n{stamp(rng)} ERROR [{svc}] request failed: 401 Unauthorized (attempt 3/3)"
    return _wrap_prompt(rng, ["\n".join(pre) + "\n", *line, post], "text")


def traceback(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    mod = section(item)
    if rng.random() < 0.5:
        segs: list[Seg] = [
            "Traceback (most recent call last):\n"
            f'  File "/srv/app/{rng.choice(SERVICES)}/tasks.py", line {rng.randint(20, 300)}, '
            "in run\n"
            f"    client.send(payload)\n"
            f'  File "/usr/lib/python3.11/site-packages/{mod}/client.py", line 88, in send\n'
            "    raise AuthenticationError(f'rejected credentials {self._key!r}')\n"
            f"{mod}.errors.AuthenticationError: rejected credentials '",
            Slot(0),
            "'",
        ]
    else:
        segs = [
            f"Exception in thread \"main\" com.example.{mod}.AuthException: invalid token ",
            Slot(0),
            f" for host {item.host}\n"
            f"\tat com.example.{mod}.Client.authenticate(Client.java:{rng.randint(40, 400)})\n"
            "\tat com.example.app.Main.main(Main.java:17)",
        ]
    return _wrap_prompt(rng, segs, "text")


def email(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    sender = rng.choice(PEOPLE)
    return [
        f"From: {sender} <{sender.lower()}@example.com>\nTo: platform-team@example.com\n"
        f"Subject: new {item.label} for staging\n\nHi all,\n\n"
        f"I rotated the {item.label} this morning. The new value is:\n\n",
        Slot(0),
        f"\n\nPlease update the staging environment before Friday.\n\nThanks,\n{sender}",
    ]


def curl_bearer(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    header = rng.choice(("Authorization: Bearer ", "x-api-key: ", "Authorization: Token "))
    return _wrap_prompt(rng, [
        f"curl -sS -X POST https://{item.host}/v1/jobs \\\n  -H \"{header}",
        Slot(0),
        "\" \\\n  -H \"Content-Type: application/json\" \\\n  -d '{\"name\": \"nightly\"}'",
    ], "bash")


def cli_flag(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    tool = section(item)
    flag = rng.choice(("--token", "--api-key", "--auth-token"))
    return _wrap_prompt(rng, [f"$ {tool} login {flag} ", Slot(0),
                              "\nError: could not reach server (timeout after 30s)"], "console")


def markdown_note(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    return [
        f"## Setup\n\n1. Install the CLI.\n2. Use this {item.label} for the shared sandbox:\n\n"
        "   `",
        Slot(0),
        "`\n\n3. Run `make bootstrap`.\n",
    ]


def sql_insert(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    return _wrap_prompt(rng, [
        "INSERT INTO integrations (provider, api_key, created_at)\n"
        f"VALUES ('{section(item)}', '",
        Slot(0),
        "', NOW());",
    ], "sql")


FREE: tuple[Shape, ...] = (
    chat, log_lines, traceback, email, curl_bearer, cli_flag, markdown_note, sql_insert,
)
TOKEN_SHAPES = ASSIGN + FREE  # prefixed tokens: any context at all


# ---------------------------------------------------------------- header shapes


def header_parts(label: str) -> tuple[str, str]:
    """("Authorization: Bearer") -> ("Authorization", "Bearer "); ("X-API-Key:") -> (.., "")."""
    name, _, prefix = label.partition(":")
    prefix = prefix.strip()
    return name.strip(), f"{prefix} " if prefix else ""


def http_dump(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    return _wrap_prompt(rng, [
        f"GET /v2/accounts/{rng.randint(1000, 9999)} HTTP/1.1\nHost: {item.host}\n"
        "User-Agent: python-requests/2.32.3\nAccept: */*\n" + item.header + " ",
        Slot(0),
        "\n\nHTTP/1.1 403 Forbidden\nContent-Type: application/json\n\n"
        '{"error": "insufficient_scope"}',
    ], "http")


def header_curl(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    return _wrap_prompt(rng, [
        f"curl -v https://{item.host}/api/v1/projects -H '{item.header} ",
        Slot(0),
        "' -H 'Accept: application/json'\n< HTTP/2 401",
    ], "bash")


def header_requests(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    name, prefix = header_parts(item.header)
    return _wrap_prompt(rng, [
        f'headers = {{"{name}": "{prefix}',
        Slot(0),
        f'", "Accept": "application/json"}}\nr = requests.get("https://{item.host}/me", '
        "headers=headers, timeout=5)\nprint(r.status_code, r.text)",
    ], "python")


def header_fetch(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    name, prefix = header_parts(item.header)
    return _wrap_prompt(rng, [
        f"const res = await fetch('https://{item.host}/graphql', {{\n  method: 'POST',\n"
        f"  headers: {{\n    '{name}': '{prefix}",
        Slot(0),
        "',\n    'Content-Type': 'application/json',\n  },\n  body: JSON.stringify({ query }),\n"
        "});",
    ], "js")


def header_log(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    name, prefix = header_parts(item.header)
    return _wrap_prompt(rng, [
        f"{stamp(rng)} WARN gateway upstream=https://{item.host} status=401 "
        f"request_headers={{'{name}': '{prefix}",
        Slot(0),
        "', 'Accept-Encoding': 'gzip'}",
    ], "text")


HEADER: tuple[Shape, ...] = (http_dump, header_curl, header_requests, header_fetch, header_log)


# ---------------------------------------------------------------- multi-line blocks (PEM)


def indent(text: str, pad: str) -> str:
    return "\n".join(pad + line if line else line for line in text.split("\n"))


def block_chat(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    return [
        rng.choice((
            f"I generated this {item.label} but ssh/openssl says the format is invalid:\n\n",
            f"Why does my server reject this {item.label}?\n\n",
            f"Here's the {item.label} from the old box, can you convert it?\n\n",
        )),
        Slot(0),
        "\n\nThanks!",
    ]


def block_fenced(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    return [f"Contents of `{rng.choice(('id_ed25519', 'server.key', 'deploy.pem', 'key.pem'))}`:"
            "\n\n```\n", Slot(0), "\n```\n\nIs it the right format for nginx?"]


def block_yaml(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    text = indent(item.value.text, "    ")
    return _wrap_prompt(rng, [
        f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {rng.choice(SERVICES)}-tls\n"
        f"type: Opaque\nstringData:\n  {snake(item.name)}: |\n",
        Slot(0, text),
        "\n",
    ], "yaml")


def block_json(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    text = item.value.text.replace("\n", "\\n") + "\\n"
    return _wrap_prompt(rng, [
        f'{{\n  "name": "{rng.choice(SERVICES)}",\n  "{snake(item.name)}": "',
        Slot(0, text),
        '",\n  "enabled": true\n}',
    ], "json")


def block_env(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    return _wrap_prompt(rng, [f"PORT=8080\n{upper(item.name)}=\"", Slot(0), '"\nDEBUG=false'],
                        "bash")


def block_python(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    return _wrap_prompt(rng, [f'{upper(item.name)} = """', Slot(0),
                              '"""\n\nsigner = load_signer(' + upper(item.name) + ")"], "python")


BLOCK: tuple[Shape, ...] = (block_chat, block_fenced, block_yaml, block_json, block_env,
                            block_python)


# ---------------------------------------------------------------- personal data


def _pii_field(item: Item, style: Callable[[str], str] = snake) -> str:
    return style(item.name)


def pii_json(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = [f'{{\n  "id": {rng.randint(1000, 99999)},\n  "name": "{person(rng)}",\n']
    for i, item in enumerate(items):
        segs += [f'  "{_pii_field(item, rng.choice((snake, camel)))}": "', Slot(i), '",\n']
    segs.append(f'  "city": "{rng.choice(CITIES)}"\n}}')
    return _wrap_prompt(rng, segs, "json")


def pii_csv(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    head = ",".join(["id", "name", "city", *(_pii_field(it) for it in items)])
    segs: list[Seg] = [f"{head}\n"]
    for _ in range(rng.randint(0, 2)):
        segs.append(f"{rng.randint(100, 999)},{person(rng)},{rng.choice(CITIES)}"
                    + "," * len(items) + "\n")
    segs.append(f"{rng.randint(100, 999)},{person(rng)},{rng.choice(CITIES)}")
    for i in range(len(items)):
        segs += [",", Slot(i)]
    return _wrap_prompt(rng, [*segs, "\n"], "csv")


def pii_sql(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    cols = ", ".join(_pii_field(it) for it in items)
    segs: list[Seg] = [f"INSERT INTO customers (id, full_name, {cols})\nVALUES "
                       f"({rng.randint(1, 9999)}, '{person(rng)}'"]
    for i in range(len(items)):
        segs += [", '", Slot(i), "'"]
    return _wrap_prompt(rng, [*segs, ");"], "sql")


def pii_log(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = [f"{stamp(rng)} INFO  [{rng.choice(SERVICES)}] profile updated "
                       f"user_id={rng.randint(1000, 99999)}"]
    for i, item in enumerate(items):
        segs += [f" {_pii_field(item)}=", Slot(i)]
    return _wrap_prompt(rng, [*segs, " source=web"], "text")


def pii_form(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = [f"Name: {person(rng)}\nCity: {rng.choice(CITIES)}\n"]
    for i, item in enumerate(items):
        segs += [f"{item.label[:1].upper() + item.label[1:]}: ", Slot(i), "\n"]
    return [
        "Please fill in the claim letter template with these details:\n\n", *segs,
        "\nKeep the tone formal.",
    ]


def pii_chat(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    return [
        rng.choice((
            f"Write a short email to my bank. My name is {person(rng)} and my {item.label} is ",
            f"Can you check this {item.label} for typos? ",
            f"The customer gave us their {item.label} over the phone: ",
            f"Translate to German: 'Please confirm your {item.label}, ",
        )),
        Slot(0),
        rng.choice((". Thanks.", "", "'", " - is that right?")),
    ]


def pii_yaml(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    segs: list[Seg] = [f"- id: {rng.randint(1, 500)}\n  name: {person(rng)}\n"]
    for i, item in enumerate(items):
        segs += [f"  {_pii_field(item)}: ", Slot(i), "\n"]
    return _wrap_prompt(rng, ["# fixtures/customers.yaml\n", *segs], "yaml")


PII: tuple[Shape, ...] = (pii_json, pii_csv, pii_sql, pii_log, pii_form, pii_chat, pii_yaml)


def email_header(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    who = person(rng)
    return [f"From: {who} <", Slot(0), ">\nTo: support@example.com\nSubject: refund request\n\n"
            "Hello, I was charged twice for order 4471. Please refund one of them.\n\n"
            f"Regards,\n{who}"]


def git_author(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    return [f"commit {rand(rng, 40, HEX)}\nAuthor: {person(rng)} <", Slot(0),
            ">\nDate:   Mon May 20 13:45:12 2024 +0200\n\n    fix: retry on 503\n\n"
            "Why does this commit break the build?"]


def signature(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    item = items[0]
    return [f"Thanks for the quick reply!\n\nBest,\n{person(rng)}\nHead of Operations\n"
            f"{item.label.capitalize()}: ", Slot(0), "\n\nCan you summarise this thread for me?"]


EMAIL_SHAPES = (*PII, email_header, git_author, signature)
PHONE_SHAPES = (*PII, signature)


# ---------------------------------------------------------------- internal addresses


def ip_config(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    options: list[list[Seg]] = [
        ["DB_HOST=", Slot(0), "\nDB_PORT=5432\nDB_NAME=orders"],
        ["database:\n  host: ", Slot(0), "\n  port: 5432\n"],
        ['{"upstream": "', Slot(0), '", "port": 8080}'],
    ]
    return _wrap_prompt(rng, rng.choice(options), "")


def ip_log(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    return _wrap_prompt(rng, [
        f"{stamp(rng)} sshd[{rng.randint(100, 9999)}]: Accepted publickey for deploy from ",
        Slot(0),
        f" port {rng.randint(30000, 65000)} ssh2",
    ], "text")


def ip_nginx(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    return _wrap_prompt(rng, ["upstream backend {\n    server ", Slot(0),
                              ":8080 max_fails=3;\n}\n"], "nginx")


def ip_hosts(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    return ["# /etc/hosts\n127.0.0.1   localhost\n", Slot(0),
            f"   {rng.choice(SERVICES)}-db.internal\n\nwhy can't my container resolve this?"]


def ip_trace(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    return _wrap_prompt(rng, [
        "psycopg2.OperationalError: connection to server at \"", Slot(0),
        "\", port 5432 failed: Connection refused\n\tIs the server running on that host "
        "and accepting TCP/IP connections?",
    ], "text")


def ip_chat(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    return [rng.choice(("the box at ", "I can ping ", "after the deploy, ")), Slot(0),
            rng.choice((" stopped answering on 443", " but curl times out", " is unreachable"))]


def ip_kubectl(rng: random.Random, items: Sequence[Item]) -> list[Seg]:
    pod = f"{rng.choice(SERVICES)}-{rand(rng, 9, 'bcdfghjklmnpqrstvwxz2456789')}"
    return _wrap_prompt(rng, [
        "NAME                       READY   STATUS             RESTARTS   AGE   IP\n"
        f"{pod}-x7k2p   0/1     CrashLoopBackOff   14         3h    ",
        Slot(0),
        "\n",
    ], "text")


IP_SHAPES: tuple[Shape, ...] = (ip_config, ip_log, ip_nginx, ip_hosts, ip_trace, ip_chat,
                                ip_kubectl)
