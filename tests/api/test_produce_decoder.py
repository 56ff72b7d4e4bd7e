"""Produce bodies written in every way JSON allows (random whitespace, field order, escapes in
base64 strings and in field names, nulls for optional fields), seeded so a failure repeats: what
Kafka holds must equal what the body means, byte for byte (API.md section K "json embedded
format, stored bytes"; issue 4's single-pass produce-body decoder)."""

import base64
import random

import pytest

from conftest import BIN2, JSON2, assert_produced, post_records, read_topic

SEEDS = [1, 2, 3, 4]
WS = [" ", "\t", "\n", "\r\n", "  "]


def ws(rng):
    return "".join(rng.choice(WS) for _ in range(rng.choice([0, 0, 0, 1, 2])))


def esc_char(rng, ch):
    """One character of a JSON string, written plainly or escaped."""
    cp = ord(ch)
    short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if ch in short:
        if ch in ('"', "\\") or rng.random() < 0.7:
            return short[ch] if rng.random() < 0.7 else "\\u%04x" % cp
        return "\\u%04X" % cp
    if cp < 0x20:
        return "\\u%04x" % cp
    r = rng.random()
    if ch == "/" and r < 0.5:
        return "\\/"
    if r < 0.25:
        if cp > 0xFFFF:
            v = cp - 0x10000
            hi, lo = 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF)
            return ("\\u%04x\\u%04X" if rng.random() < 0.5 else "\\u%04X\\u%04x") % (hi, lo)
        return ("\\u%04x" if rng.random() < 0.5 else "\\u%04X") % cp
    return ch


def jstr(rng, s):
    return '"' + "".join(esc_char(rng, c) for c in s) + '"'


def canon_str(s):
    """How krest stores a string (and Jackson writes one): compact, UTF-8, only '"', '\\' and
    the short control escapes escaped ('/' not)."""
    short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return '"' + "".join(short.get(c, c) for c in s) + '"'


ALPHABET = "abcXYZ019 /\\\"'é€日\U0001F600\u2028\x7f\n\t\r\b\f{}[],:"


def rand_text(rng, n=None):
    n = rng.randint(0, 12) if n is None else n
    return "".join(rng.choice(ALPHABET) for _ in range(n))


NUMBERS = ["0", "-0", "1", "-1", "42", "1.50", "0.000", "-12.5e3", "1E+2", "2e-7", "9007199254740993",
           "18446744073709551615", "-9223372036854775808", "3.14159265358979323846264338327950288"]


def rand_json(rng, depth=0):
    """(text as a client might write it, the compact bytes krest must store)."""
    kind = rng.choice(["str", "num", "lit", "arr", "obj"] if depth < 5 else ["str", "num", "lit"])
    if kind == "str":
        s = rand_text(rng)
        return jstr(rng, s), canon_str(s)
    if kind == "num":
        n = rng.choice(NUMBERS)
        return n, n
    if kind == "lit":
        v = rng.choice(["true", "false", "null"])
        return v, v
    if kind == "arr":
        items = [rand_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
        text = "[" + ws(rng) + ("," + ws(rng)).join(t + ws(rng) for t, _ in items) + "]"
        return text, "[" + ",".join(c for _, c in items) + "]"
    keys = []
    while len(keys) < rng.randint(0, 4):
        k = rand_text(rng, rng.randint(0, 5))
        if k not in keys:
            keys.append(k)
    items = [(k, rand_json(rng, depth + 1)) for k in keys]
    text = "{" + ws(rng) + ("," + ws(rng)).join(
        jstr(rng, k) + ws(rng) + ":" + ws(rng) + t + ws(rng) for k, (t, _) in items
    ) + "}"
    return text, "{" + ",".join(canon_str(k) + ":" + c for k, (_, c) in items) + "}"


def field(rng, name):
    """A field name, sometimes with escapes (it must still be recognised)."""
    return jstr(rng, name)


def obj(rng, fields):
    rng.shuffle(fields)
    return "{" + ws(rng) + ("," + ws(rng)).join(
        field(rng, k) + ws(rng) + ":" + ws(rng) + v + ws(rng) for k, v in fields
    ) + "}"


def b64_text(rng, data):
    """Base64 of data as a JSON string, sometimes with characters escaped."""
    return jstr(rng, base64.b64encode(data).decode())


def rand_bytes(rng):
    return bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 2, 3, 4, 5, 17, 64, 300])))


@pytest.mark.parametrize("seed", SEEDS)
def test_binary_bodies_any_json_spelling(krest, new_topic, seed):
    rng = random.Random(seed)
    t = new_topic(partitions=2)
    records, want = [], []
    for i in range(80):
        fields = []
        key = rng.choice([None, "absent", rand_bytes(rng)])
        value = rng.choice([None, rand_bytes(rng), rand_bytes(rng)])
        if key == "absent":
            key = None
        elif key is None:
            fields.append(("key", "null"))
        else:
            fields.append(("key", b64_text(rng, key)))
        if value is None and rng.random() < 0.5:
            fields.append(("value", "null"))
        elif value is not None:
            fields.append(("value", b64_text(rng, value)))
        part = i % 2
        fields.append(("partition", str(part)))
        headers = []
        if rng.random() < 0.4:
            for _ in range(rng.randint(0, 3)):
                hv = rng.choice([None, rand_bytes(rng)])
                hn = rand_text(rng, rng.randint(1, 6))
                headers.append((hn, hv))
            hs = [
                obj(rng, [(rng.choice(["name", "key"]), jstr(rng, hn)), ("value", "null" if hv is None else b64_text(rng, hv))])
                for hn, hv in headers
            ]
            fields.append(("headers", "[" + ws(rng) + ("," + ws(rng)).join(hs) + "]"))
        elif rng.random() < 0.3:
            fields.append(("headers", "null"))
        if rng.random() < 0.2:
            fields.append(("timestamp", "null"))
        records.append(obj(rng, fields))
        want.append((part, key, value, headers or None))
    top = [("records", "[" + ws(rng) + ("," + ws(rng)).join(records) + ws(rng) + "]")]
    if rng.random() < 0.5:
        top.append(("value_schema_id", "null"))
    body = ws(rng) + obj(rng, top) + ws(rng)
    r = post_records(krest, t, body.encode(), ctype=BIN2)
    pos = assert_produced(r, len(want))
    assert [p for p, _ in pos] == [w[0] for w in want]
    got = {(x.partition, x.offset): x for x in read_topic(t)}
    for (p, o), (_, key, value, headers) in zip(pos, want):
        rec = got[(p, o)]
        assert (rec.key, rec.value) == (key, value), (seed, p, o, rec)
        assert rec.headers == headers, (seed, p, o, rec)


@pytest.mark.parametrize("seed", SEEDS)
def test_json_bodies_stored_compact(krest, new_topic, seed):
    rng = random.Random(1000 + seed)
    t = new_topic()
    records, want = [], []
    for _ in range(60):
        kt, kc = rand_json(rng)
        vt, vc = rand_json(rng)
        fields = [("key", kt), ("value", vt)]
        if rng.random() < 0.3:
            fields.append(("partition", rng.choice(["0", "null"])))
        records.append(obj(rng, fields))
        want.append((None if kc == "null" else kc.encode(), None if vc == "null" else vc.encode()))
    body = obj(rng, [("records", "[" + ws(rng) + ("," + ws(rng)).join(records) + "]")])
    r = post_records(krest, t, body.encode(), ctype=JSON2)
    assert assert_produced(r, len(want)) == [(0, i) for i in range(len(want))]
    got = [(x.key, x.value) for x in read_topic(t)]
    wrong = [(i, w, g) for i, (w, g) in enumerate(zip(want, got)) if w != g]
    assert not wrong, f"seed {seed}: (record, expected (key, value), stored): {wrong[:3]}"
