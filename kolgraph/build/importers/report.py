"""One-line descriptions of what ``kolgraph build`` detected and read, for the terminal."""

from __future__ import annotations

from ..readers import IngestResult

__all__ = ["describe_inputs", "warning_lines"]


def describe_inputs(result: IngestResult) -> list[str]:
    """``detected <path>: <format> (<why>)`` per input, with its record counts for exports.

    >>> from kolgraph.build.readers import FileCounts
    >>> r = IngestResult(frame=None, rejects=None, files=(FileCounts("a.jsonl", "", "twitter-v2", 3, 3, 0, 0,
    ...     encoding="utf-8", records=2, detail={"records_without_interactions": 1}),),
    ...     info={"detected": [{"path": "a.jsonl", "format": "twitter-v2", "why": "API pages", "timezone": "UTC"}]})
    >>> describe_inputs(r)
    ['detected a.jsonl: twitter-v2 (API pages; utf-8; times without offset in UTC): 2 records -> 3 rows; 1 record(s) without interactions']
    """
    by_path = {f.path: f for f in result.files}
    lines = []
    for item in result.info.get("detected", []):
        counts = by_path.get(item["path"])
        enc = f"; {counts.encoding}" if counts is not None and counts.encoding else ""
        line = f"detected {item['path']}: {item['format']} ({item['why']}{enc}; times without offset in {item['timezone']})"
        if counts is not None and counts.records is not None:
            line += f": {counts.records:,} records -> {counts.read:,} rows"
            for key, value in (counts.detail or {}).items():
                if value:
                    line += f"; {value:,} {key.replace('records_', 'record(s) ').replace('_', ' ')}"
        lines.append(line)
    return lines


def warning_lines(result: IngestResult) -> list[str]:
    """The result's warnings, each prefixed ``warning:``."""
    return [f"warning: {w}" for w in result.warnings]
