"""Build the labelled corpus (positives and hard negatives) and score findings on it.

Samples are generated, never stored: ``build(seed, scale)`` returns the same
texts for the same seed and code. Each format gets its own RNG seeded with
``"{seed}:{format id}"`` so adding a format does not change the others.

Scoring is by span: a planted secret counts as found when any finding's span
overlaps it; a planted look-alike counts as a false alarm when any finding
overlaps it. A negative sample with any finding at all counts toward the
whole-sample false alarm rate.
"""

from __future__ import annotations

import random
from collections import Counter
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import NamedTuple

import accuracy_formats
import accuracy_lookalikes
import accuracy_shapes as sh
from accuracy_formats import Fmt
from accuracy_shapes import Item
from accuracy_shapes import Slot


class Plant(NamedTuple):
    fmt: str
    kind: str
    start: int
    end: int


class Sample(NamedTuple):
    id: str
    positive: bool
    shape: str
    text: str
    plants: tuple[Plant, ...]


class Hit(NamedTuple):
    """A finding reduced to what scoring needs: a span and the rule that made it."""

    start: int
    end: int
    rule: str


def _item(fmt: Fmt, rng: random.Random) -> Item:
    return Item(fmt.id, fmt.kind, rng.choice(fmt.names), fmt.make(rng), fmt.label, fmt.host,
                fmt.header)


def render(fmt: Fmt, index: int, rng: random.Random, table: Mapping[str, Fmt],
           positive: bool) -> Sample:
    items = [_item(fmt, rng)] + [_item(table[other], rng) for other in fmt.with_]
    shape = rng.choice(fmt.shapes)
    parts: list[str] = []
    plants: list[Plant] = []
    pos = 0
    for seg in shape(rng, items):
        if isinstance(seg, Slot):
            item = items[seg.item]
            if seg.text is None:
                text = item.value.text
                start, end = item.value.span()
            else:
                text, start, end = seg.text, 0, len(seg.text)
            plants.append(Plant(item.fmt, item.kind, pos + start, pos + end))
        else:
            text = seg
        parts.append(text)
        pos += len(text)
    tag = "pos" if positive else "neg"
    return Sample(f"{tag}-{fmt.id}-{index:03d}", positive, shape.__name__, "".join(parts),
                  tuple(plants))


def build(seed: int, scale: float = 1.0) -> list[Sample]:
    samples = []
    tables = (
        (accuracy_formats.FORMATS, accuracy_formats.BY_ID, True),
        (accuracy_lookalikes.LOOKALIKES, accuracy_lookalikes.BY_ID, False),
    )
    for formats, table, positive in tables:
        for fmt in formats:
            rng = random.Random(f"{seed}:{fmt.id}")
            for i in range(max(1, round(fmt.n * scale))):
                samples.append(render(fmt, i, rng, table, positive))
    return samples


def kind_order() -> tuple[list[str], list[str]]:
    """Kinds in table order (positives, negatives)."""
    pos = list(dict.fromkeys(f.kind for f in accuracy_formats.FORMATS))
    neg = list(dict.fromkeys(f.kind for f in accuracy_lookalikes.LOOKALIKES))
    return pos, neg


# ---------------------------------------------------------------- scoring


def overlaps(hits: Iterable[Hit], start: int, end: int) -> list[Hit]:
    return [h for h in hits if h.start < end and start < h.end]


class Tally(NamedTuple):
    n: int
    hit: int  # positives found, or look-alikes flagged

    def rate(self) -> float:
        return self.hit / self.n if self.n else 0.0


class Score(NamedTuple):
    """One tool's results on the generated corpus."""

    pos_kind: dict[str, Tally]
    pos_fmt: dict[str, Tally]
    neg_kind: dict[str, Tally]
    neg_fmt: dict[str, Tally]
    neg_sample_kind: dict[str, Tally]  # negative samples with any finding at all
    pos_total: Tally
    neg_total: Tally
    neg_sample_total: Tally
    missed_shapes: dict[str, Counter[str]]  # format -> shapes of the misses
    fp_rules: dict[str, Counter[str]]  # negative format -> rules that flagged it
    found_rules: dict[str, Counter[str]]  # positive format -> rules that found it


def _tally(counts: Mapping[str, list[int]]) -> dict[str, Tally]:
    return {k: Tally(n, h) for k, (n, h) in counts.items()}


def score(samples: Sequence[Sample], hits: Mapping[str, Sequence[Hit]]) -> Score:
    """``hits`` maps sample id to that tool's hits on the sample's text."""
    pk: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    pf: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    nk: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    nf: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    nsk: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed: dict[str, Counter[str]] = defaultdict(Counter)
    fp_rules: dict[str, Counter[str]] = defaultdict(Counter)
    found_rules: dict[str, Counter[str]] = defaultdict(Counter)
    for sample in samples:
        sample_hits = hits.get(sample.id, ())
        if not sample.positive:
            kind = sample.plants[0].kind if sample.plants else "?"
            nsk[kind][0] += 1
            nsk[kind][1] += bool(sample_hits)
        for plant in sample.plants:
            over = overlaps(sample_hits, plant.start, plant.end)
            kinds, fmts = (pk, pf) if sample.positive else (nk, nf)
            for table, key in ((kinds, plant.kind), (fmts, plant.fmt)):
                table[key][0] += 1
                table[key][1] += bool(over)
            if sample.positive and not over:
                missed[plant.fmt][sample.shape] += 1
            elif sample.positive:
                found_rules[plant.fmt].update({h.rule for h in over})
            elif over:
                fp_rules[plant.fmt].update({h.rule for h in over})

    def total(table: Mapping[str, list[int]]) -> Tally:
        return Tally(sum(n for n, _ in table.values()), sum(h for _, h in table.values()))

    return Score(
        _tally(pk), _tally(pf), _tally(nk), _tally(nf), _tally(nsk), total(pk), total(nk),
        total(nsk), dict(missed), dict(fp_rules), dict(found_rules),
    )


def shape_names() -> list[str]:
    return sorted({s.__name__ for f in accuracy_formats.FORMATS for s in f.shapes}
                  | {s.__name__ for s in sh.ASSIGN})
