"""The JSON Lines block reader: line counts and eligibility in one pass, and the file hash taken
while the file streams (so a large export is read once)."""

from __future__ import annotations

import hashlib
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from kolgraph.build.readers import json_blocks, source
from kolgraph.build.readers.json_blocks import _scan, block_eligible, iter_json_blocks
from kolgraph.build.importers.twitter_columns import V1_SCHEMA


def _reference(block: bytes) -> tuple[int, bool]:
    """The plain-bytes definition: lines = newlines (+1 for a last line without one); eligible =
    every line starts with '{' and the block is UTF-8."""
    n_lines = block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
    ok = bool(block) and all(line.startswith(b"{") for line in block.split(b"\n")[:n_lines])
    try:
        block.decode("utf-8")
    except UnicodeDecodeError:
        ok = False
    return n_lines, ok


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b'{"a": 1}', b"", b" {}", b"null", b"[1]", b'{"b": "\xc3\xa9"}', b'{"c": "\xff"}',
                                 b"{", b"x{"]), min_size=1, max_size=8), st.booleans())
def test_scan_matches_the_plain_definition(lines, final_newline):
    block = b"\n".join(lines) + (b"\n" if final_newline else b"")
    if not block:
        return
    default = json_blocks._SCAN_STEP
    for step in (1, 3, default):  # the scan goes in slices: across slice edges too
        json_blocks._SCAN_STEP = step
        try:
            assert _scan(block) == _reference(block)
            assert block_eligible(block) == _reference(block)[1]
        finally:
            json_blocks._SCAN_STEP = default


def _v1_lines(n: int) -> bytes:
    return b"".join(b'{"id_str": "%d", "user": {"id_str": "7"}, "text": "hi"}\n' % i for i in range(n))


def test_streamed_file_hash_is_the_file_hash_and_read_once(tmp_path, monkeypatch):
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + _v1_lines(500) + b'{"id_str": "x"}')  # BOM, last line without newline
    monkeypatch.setattr(json_blocks, "PREFETCH", 0)
    blocks = list(iter_json_blocks(path, False, "utf-8-sig", V1_SCHEMA, block_bytes=1 << 10))
    assert sum(b.table.num_rows if b.table is not None else len(b.lines) for b in blocks) == 501
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    reads = []
    real_open = type(path).open
    monkeypatch.setattr(type(path), "open", lambda self, *a, **k: reads.append(self) or real_open(self, *a, **k))
    assert source.sha256_of(path) == expected and not reads  # from the stream: no second read
    assert source.sha256_of(path) == expected and reads  # asked again: read (the digest is used once)


def test_edited_file_is_hashed_again(tmp_path, monkeypatch):
    path = tmp_path / "t.jsonl"
    path.write_bytes(_v1_lines(50))
    monkeypatch.setattr(json_blocks, "PREFETCH", 0)
    list(iter_json_blocks(path, False, "utf-8", V1_SCHEMA))
    path.write_bytes(_v1_lines(51))  # edited after it was read: another size (and mtime)
    os.utime(path, ns=(1, 1))
    assert source.sha256_of(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_build_manifest_records_the_export_hash(tmp_path):
    from kolgraph.build.workspace import build_workspace

    path = tmp_path / "t.jsonl"
    path.write_bytes(b"".join(b'{"id_str": "%d", "user": {"id_str": "7"}, "text": "@b hi", "in_reply_to_user_id_str": '
                              b'"8", "in_reply_to_screen_name": "b", "created_at": "Wed Jan 07 11:06:08 +0000 2015"}\n'
                              % i for i in range(20)))
    report = build_workspace([str(path)], str(tmp_path / "ws"), quiet=True)
    (entry,) = [f for f in report.interactions.files if f.path == str(path)]
    assert entry.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() and entry.kept == 20
