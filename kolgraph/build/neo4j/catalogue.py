"""The query catalogue: one Cypher statement per ``queries/NAME.cypher``, loaded by name, typed parameters.

Each file starts with a comment header: a description, ``@param NAME TYPE [= DEFAULT] description``
lines (DEFAULT as JSON), an ``@returns`` line, and ``@internal`` for the store's own statements
(push, pull, write-back). Values reach the server only as ``$parameters``; a file whose used and
declared parameters differ is refused when it is loaded.

Parameter values are checked before anything is sent: types, and the ranges the Bolt wire can carry
(integers are 64-bit on the wire, so ``limit=99999999999999999999999`` is refused here with a
one-line :class:`~kolgraph.errors.InputError` instead of failing deep inside the driver; floats
must be finite).
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
import re
from dataclasses import dataclass
from typing import Any, Mapping

from ...errors import InputError, KolgraphError

__all__ = ["QueryParam", "Query", "PARAM_TYPES", "INT64_MIN", "INT64_MAX", "parse_param_value", "parse_query",
           "list_queries", "load_query"]

#: The parameter types a query header may declare.
PARAM_TYPES = ("string", "int", "float", "bool", "list<string>", "list<int>", "list<map>", "pair")
#: Bolt (PackStream) integers are signed 64-bit.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

_PARAM_LINE = re.compile(r"^@param\s+(\w+)\s+(\S+)(?:\s*=\s*(\S+))?\s*(.*)$")


def _as_int(value: Any) -> int:
    """An integer parameter value within the 64-bit range the wire carries (ValueError otherwise)."""
    if isinstance(value, bool) or (isinstance(value, float) and not (math.isfinite(value) and value.is_integer())):
        raise ValueError
    if isinstance(value, str):
        value = value.strip()
    number = int(value)
    if not INT64_MIN <= number <= INT64_MAX:
        raise OverflowError
    return number


def _as_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError
    number = float(value)
    if not math.isfinite(number):
        raise ValueError
    return number


@dataclass(frozen=True)
class QueryParam:
    """A declared query parameter: name, type, default (JSON in the header) and description."""

    name: str
    type: str
    default: Any = None
    required: bool = True
    description: str = ""

    def coerce(self, value: Any, query: str) -> Any:
        """``value`` converted to the declared type (None allowed only where the default is null).

        Integers must fit in 64 bits and floats must be finite; anything else raises an
        :class:`InputError` naming the query and the parameter.
        """
        where = f"query {query}, parameter {self.name}"
        if value is None:
            if self.required or self.default is not None:
                raise InputError(where, "needs a value")
            return None
        try:
            if self.type == "string":
                if isinstance(value, (list, dict)):
                    raise ValueError
                return str(value)
            if self.type == "int":
                return _as_int(value)
            if self.type == "float":
                return _as_float(value)
            if self.type == "bool":
                if isinstance(value, str) and value.lower() in ("true", "false"):
                    return value.lower() == "true"
                if not isinstance(value, bool):
                    raise ValueError
                return value
            if self.type in ("list<string>", "list<int>"):
                items = value if isinstance(value, (list, tuple)) else [value]
                if any(isinstance(v, (list, dict)) for v in items):
                    raise ValueError
                return [str(v) for v in items] if self.type == "list<string>" else [_as_int(v) for v in items]
            if self.type == "pair" and (not isinstance(value, (list, tuple)) or len(value) != 2):
                raise ValueError
            return value
        except OverflowError:
            raise InputError(where, f"{value!r} is out of range: integers must lie between {INT64_MIN:,} and "
                                    f"{INT64_MAX:,} (64-bit)") from None
        except (TypeError, ValueError):
            raise InputError(where, f"expected {self.type}, got {value!r}") from None


@dataclass(frozen=True)
class Query:
    """One Cypher statement from ``queries/NAME.cypher`` with its header parsed.

    ``text`` is the statement without comment lines (what is sent: FalkorDB counts it against its
    4 KB message limit).
    """

    name: str
    text: str
    description: str
    params: tuple[QueryParam, ...]
    returns: str
    internal: bool

    def bind(self, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Parameters for a run: declared defaults filled in, types checked; unknown names refused."""
        values = dict(values or {})
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            accepted = ", ".join(known) or "none"
            raise InputError(f"query {self.name}", f"unknown parameter(s) {', '.join(unknown)}; "
                                                   f"it accepts: {accepted}")
        out = {}
        for name, param in known.items():
            if name in values:
                out[name] = param.coerce(values[name], self.name)
            elif param.required:
                raise InputError(f"query {self.name}", f"missing parameter {name} ({param.type}): {param.description}")
            else:
                out[name] = param.default
        return out

    def parse_cli(self, raw: Mapping[str, str]) -> dict[str, Any]:
        """Typed values from ``--param key=value`` text: strings kept verbatim, the rest parsed as JSON."""
        known = {p.name: p for p in self.params}
        out: dict[str, Any] = {}
        for key, text in raw.items():
            param = known.get(key)
            if param is not None and param.type == "string":
                out[key] = text
            elif param is not None and param.type == "list<string>":
                parsed = parse_param_value(text)
                out[key] = parsed if isinstance(parsed, list) else [text]
            else:
                out[key] = parse_param_value(text)
        return self.bind(out)

    def signature(self) -> str:
        """One line per parameter, for help texts and error messages."""
        lines = []
        for p in self.params:
            default = "required" if p.required else f"default {json.dumps(p.default)}"
            lines.append(f"{p.name} ({p.type}, {default}): {p.description}")
        return "\n".join(lines)


def parse_param_value(text: str) -> Any:
    """A ``--param`` value: JSON when it parses (numbers, lists, true/false/null), else the text.

    >>> parse_param_value("[1, 2]"), parse_param_value("7"), parse_param_value("brand_official")
    ([1, 2], 7, 'brand_official')
    """
    try:
        return json.loads(text)
    except (json.JSONDecodeError, ValueError, RecursionError):
        return text


def parse_query(name: str, text: str) -> Query:
    """Parse a query file's text (header and statement); a header that disagrees with the statement raises."""
    description, params, returns, internal = [], [], [], False
    section = "description"
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("//"):
            if stripped:
                break
            continue
        body = stripped[2:].strip()
        if body == "@internal":
            internal = True
            continue
        if body.startswith("@param"):
            match = _PARAM_LINE.match(body)
            if not match or match.group(2) not in PARAM_TYPES:
                raise KolgraphError(f"queries/{name}.cypher: bad parameter line {body!r} "
                                    f"(types: {', '.join(PARAM_TYPES)})")
            pname, ptype, default, desc = match.groups()
            params.append(QueryParam(pname, ptype, json.loads(default) if default is not None else None,
                                     default is None, desc.strip()))
            section = "param"
            continue
        if body.startswith("@returns"):
            returns.append(body[len("@returns"):].strip())
            section = "returns"
            continue
        if section == "description":
            description.append(body)
        elif section == "returns":
            returns.append(body)
        elif section == "param" and params and body:
            last = params[-1]
            params[-1] = QueryParam(last.name, last.type, last.default, last.required, f"{last.description} {body}")
    used = set(re.findall(r"\$(\w+)", text))
    declared = {p.name for p in params}
    if used != declared:
        raise KolgraphError(f"queries/{name}.cypher: parameters used {sorted(used)} but declared {sorted(declared)}")
    statement = "\n".join(line for line in text.splitlines() if line.strip() and not line.strip().startswith("//"))
    return Query(name=name, text=statement, description=" ".join(d for d in description if d).strip(),
                 params=tuple(params), returns=" ".join(returns).strip(), internal=internal)


def _query_files() -> dict[str, Any]:
    root = importlib.resources.files("kolgraph.queries")
    return {entry.name[: -len(".cypher")]: entry for entry in root.iterdir() if entry.name.endswith(".cypher")}


def list_queries(*, internal: bool = False) -> tuple[str, ...]:
    """Names of the shipped queries (the library ones; with ``internal=True`` also the store's own)."""
    return tuple(sorted(n for n in _query_files() if internal or not load_query(n).internal))


@functools.lru_cache(maxsize=None)
def load_query(name: str) -> Query:
    """The query ``queries/NAME.cypher`` (cached); an unknown name lists the available ones."""
    files = _query_files()
    if name not in files:
        raise InputError("query", f"unknown query {name!r}; available: {', '.join(list_queries())}")
    return parse_query(name, files[name].read_text(encoding="utf-8"))
