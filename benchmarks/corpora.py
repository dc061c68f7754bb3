"""Benchmark inputs, built at run time under ``benchmarks/.work/``.

- the CPython standard library sources of the running interpreter, as one
  concatenated text file (about 31 MB on 3.11) and, optionally, as a tree;
- a realistic ~2 KB prompt with exactly one planted fake AWS access key id;
- a 1 GiB file made by repeating the stdlib text (only for ``--big``).
"""

from __future__ import annotations

import io
import shutil
import sysconfig
import tokenize
from pathlib import Path
from typing import NamedTuple

from peers import fake_aws_key_id


class Corpus(NamedTuple):
    path: Path
    size: int
    files: int


class Prompt(NamedTuple):
    path: Path
    size: int
    secret: str


def stdlib_sources() -> tuple[Path, list[Path]]:
    """All ``*.py`` under the stdlib, sorted by relative path, without site-packages."""
    root = Path(sysconfig.get_paths()["stdlib"])
    found = [
        path
        for path in root.rglob("*.py")
        if path.is_file()
        and not {"site-packages", "dist-packages"} & set(path.relative_to(root).parts)
    ]
    return root, sorted(found, key=lambda p: p.relative_to(root).as_posix())


def source_text(path: Path) -> bytes:
    """A source file as UTF-8 text ending in a newline.

    Four 3.11 stdlib files are not UTF-8 (tests of PEP 263 encodings). Left as they
    are, they make the concatenation invalid UTF-8, and detect-secrets then skips the
    whole 31 MB file in 0.2 s without a word. So each file is decoded with its declared
    encoding (or, if that fails, as UTF-8 with replacement characters) and re-encoded.
    """
    raw = path.read_bytes()
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        text = raw.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        text = raw.decode("utf-8", errors="replace")
    if not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8")


def build_stdlib_file(work: Path) -> Corpus:
    _, sources = stdlib_sources()
    target = work / "stdlib.py.txt"
    size = 0
    with open(target, "wb") as out:
        for source in sources:
            data = source_text(source)
            out.write(data)
            size += len(data)
    return Corpus(target, size, len(sources))


def build_stdlib_tree(work: Path) -> Corpus:
    """The same sources as a directory tree, for scanners that are better at many files."""
    root, sources = stdlib_sources()
    target = work / "stdlib-tree"
    if target.exists():
        shutil.rmtree(target)
    size = 0
    for source in sources:
        dest = target / source.relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        data = source_text(source)
        dest.write_bytes(data)
        size += len(data)
    return Corpus(target, size, len(sources))


_PROMPT = """\
Hi! I'm stuck on a bug in our nightly export job and could use a second pair of eyes.

The job reads an ini file, opens an S3 client and uploads yesterday's CSV reports. Since we
moved it to the new CI runner it fails on the first upload with

    botocore.exceptions.ClientError: An error occurred (SignatureDoesNotMatch) when calling
    the PutObject operation: The request signature we calculated does not match the
    signature you provided. Check your key and signing method.

Here is the relevant part of exporter.py:

    def make_client(cfg: configparser.ConfigParser) -> S3Client:
        section = cfg["s3"]
        return boto3.client(
            "s3",
            region_name=section.get("region", "eu-west-1"),
            endpoint_url=section.get("endpoint_url"),
            aws_access_key_id=section["aws_access_key_id"],
            aws_secret_access_key=os.environ["EXPORT_AWS_SECRET"],
        )

    def upload_reports(client: S3Client, bucket: str, day: date) -> int:
        count = 0
        for path in sorted(REPORT_DIR.glob(f"{day:%Y-%m-%d}-*.csv")):
            key = f"reports/{day:%Y/%m/%d}/{path.name}"
            client.upload_file(str(path), bucket, key)
            count += 1
        return count

And this is the config the runner uses, copied straight from the box:

    [s3]
    bucket = acme-nightly-exports
    region = eu-west-1
    endpoint_url = https://s3.eu-central-1.amazonaws.com
    aws_access_key_id = {key}
    multipart_threshold_mb = 64

    [export]
    report_dir = /srv/exports/reports
    retention_days = 30

What I already checked: the runner's clock is in sync (chronyc reports an offset under 5 ms),
the bucket policy allows s3:PutObject for this IAM user, and the same code works from my
laptop with my personal profile. The secret comes from the runner's environment and I
verified it is set (40 characters, no trailing newline).

Could the regional endpoint_url be the problem, or the mismatch between region and endpoint?
What would you change, and how do I make botocore log the canonical request so that I can
compare the two signatures? Thanks!
"""


def build_prompt(work: Path) -> Prompt:
    """The ~2 KB prompt with one fresh fake key id (a new one every run)."""
    key = fake_aws_key_id()
    target = work / "prompt.txt"
    data = _PROMPT.replace("{key}", key).encode()
    target.write_bytes(data)
    return Prompt(target, len(data), key)


def build_big_file(work: Path, source: Path, size: int) -> Corpus:
    """``size`` bytes made of whole copies of ``source`` plus a cut at a line end."""
    chunk = source.read_bytes()
    target = work / "big.txt"
    written = 0
    copies = 0
    with open(target, "wb") as out:
        while written + len(chunk) <= size:
            out.write(chunk)
            written += len(chunk)
            copies += 1
        rest = chunk[: size - written]
        rest = rest[: rest.rfind(b"\n") + 1]
        out.write(rest)
        written += len(rest)
    return Corpus(target, written, copies)
