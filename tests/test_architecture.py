"""The house rules of ARCHITECTURE.md, checked by walking the package's source (no imports executed).

- Algorithms are pure: no module under ``kolgraph/algorithms/`` imports the workspace, the runs
  layer, the generator, the viz or CLI layers, or the atomic-file helpers, and none reads or writes
  files (the shipped model loader is the one named exception).
- No ``_``-prefixed name is imported from another module of the package.
- No module of the package is over 600 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "kolgraph"
MAX_LINES = 600
#: Modules of kolgraph.algorithms allowed to touch files: loading and saving the shipped text models.
MODEL_IO_MODULES = {"algorithms/sentiment/model_io.py", "algorithms/sentiment/io.py", "algorithms/attitude/io.py"}
FORBIDDEN_FOR_ALGORITHMS = ("kolgraph.build.workspace", "kolgraph.runs", "kolgraph.datasets", "kolgraph.viz",
                            "kolgraph.cli", "kolgraph._io", "kolgraph.build.neo4j")
FILE_CALLS = {"open", "read_text", "write_text", "read_bytes", "write_bytes", "read_parquet", "to_parquet",
              "read_csv", "to_csv", "savez", "savez_compressed", "load", "save", "mkdir", "unlink"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _dotted(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    is_package = False
    # a relative import inside a package's __init__ starts from the package itself
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(path: Path) -> list[tuple[str, str | None, int]]:
    """(imported module, imported name or None, line) for every import in ``path``."""
    module = _dotted(path)
    if path.name == "__init__.py":
        module = module + ".__init__"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, None, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            out += [(target, alias.name, node.lineno) for alias in node.names]
    return out


def test_no_module_is_over_600_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"split these modules along their jobs: {long}"


def test_no_private_name_is_imported_across_modules():
    bad = []
    for path in _modules():
        for target, name, line in _imports(path):
            if target.startswith("kolgraph") and name and name.startswith("_") and not name.startswith("__"):
                bad.append(f"{path.relative_to(PACKAGE)}:{line} imports {name} from {target}")
    assert not bad, "\n".join(bad)


def test_algorithms_are_pure():
    bad = []
    for path in sorted((PACKAGE / "algorithms").rglob("*.py")):
        rel = str(path.relative_to(PACKAGE))
        for target, name, line in _imports(path):
            full = f"{target}.{name}" if name else target
            if any(full == f or full.startswith(f + ".") or target == f or target.startswith(f + ".")
                   for f in FORBIDDEN_FOR_ALGORITHMS):
                bad.append(f"{rel}:{line} imports {full}")
        if rel in MODEL_IO_MODULES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                owner = getattr(func.value, "id", None) if isinstance(func, ast.Attribute) else None
                if name in FILE_CALLS and not (name in ("load", "save") and owner not in ("np", "numpy", "json",
                                                                                          "pickle")):
                    bad.append(f"{rel}:{node.lineno} calls {name}() (file I/O)")
    assert not bad, "algorithms must not touch the workspace or files:\n" + "\n".join(bad)


def test_the_walker_sees_violations(tmp_path, monkeypatch):
    """The checks above can fail: a planted private import and a planted file read are found."""
    fake = tmp_path / "kolgraph"
    (fake / "algorithms").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "algorithms" / "__init__.py").write_text("")
    (fake / "algorithms" / "bad.py").write_text(
        "from ..build.workspace import open_workspace\nfrom .other import _secret\n"
        "import pandas as pd\n\ndef f(p):\n    return pd.read_parquet(p)\n" + "x = 1\n" * 600)
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake, raising=False)
    globals()["PACKAGE"] = fake
    try:
        with pytest.raises(AssertionError, match="bad.py"):
            test_no_module_is_over_600_lines()
        with pytest.raises(AssertionError, match="imports _secret from kolgraph.algorithms.other"):
            test_no_private_name_is_imported_across_modules()
        with pytest.raises(AssertionError, match=r"imports kolgraph\.build\.workspace\.open_workspace"):
            test_algorithms_are_pure()
        with pytest.raises(AssertionError, match=r"calls read_parquet\(\)"):
            test_algorithms_are_pure()
    finally:
        globals()["PACKAGE"] = Path(__file__).resolve().parents[1] / "kolgraph"
