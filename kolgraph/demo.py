"""``kolgraph demo``: every analysis on the shipped sample event, end to end.

Each step calls the same public function the CLI command would, so the demo is also a smoke test of
the whole pipeline on realistic data. The outputs land in one folder whose paths are printed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DemoResult", "run_demo"]


@dataclass
class DemoResult:
    """Where the demo wrote its outputs, step by step, plus a few headline lines."""

    out: Path
    outputs: list[tuple[str, Path]] = field(default_factory=list)
    headlines: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        lines = [f"kolgraph demo on the sample event -> {self.out}"]
        lines += [f"  {name:<14} {path}" for name, path in self.outputs]
        lines += self.headlines
        return lines


def run_demo(out: str | os.PathLike = "kolgraph-demo", *, quiet: bool = True) -> DemoResult:
    """Build a workspace from the sample event and run every analysis on it."""
    from .build.workspace import build_workspace
    from .datasets import load_sample

    sample = load_sample()
    out = Path(out)
    result = DemoResult(out=out)
    report = build_workspace([sample.interactions], out / "workspace", users_path=sample.users, quiet=quiet)
    result.outputs.append(("workspace", report.workspace.path))
    result.outputs.append(("rejects", report.rejects_path))
    result.headlines.append(report.summary())
    return result
