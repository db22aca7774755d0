"""The ``kolgraph`` command line: a thin layer over the Python API.

Every command parses its options, calls one public function, writes outputs and maps
:class:`kolgraph.schema.KolgraphError` to a one-line message with a non-zero exit (no traceback).
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from . import __version__
from .schema import KolgraphError

__all__ = ["main"]


def handle_errors(func):
    """Turn known errors (bad input, config, unknown accounts, I/O) into click errors a user can act on."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except KolgraphError as exc:
            raise click.ClickException(str(exc)) from None
        except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            name = exc.filename or ""
            raise click.ClickException(f"{name}: {exc.strerror or exc}") from None

    return wrapper


def parse_key_values(pairs: tuple[str, ...], option: str) -> dict[str, str]:
    """Parse repeated ``key=value`` options into a dict, with an error naming the option."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected key=value, got {pair!r}", param_hint=option)
        out[key.strip()] = value.strip()
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="kolgraph")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars or summaries on stderr.")
@click.pass_context
def main(ctx: click.Context, quiet: bool) -> None:
    """Influence networks around a brand: KOLs, core fans, bridges, critics, and what-ifs.

    \b
    Example:
      kolgraph build data/sample/interactions.csv --users data/sample/users.csv -o ws
      kolgraph analyze ws --config data/sample/kolgraph.toml
    """
    ctx.ensure_object(dict)
    ctx.obj["quiet"] = quiet


def is_quiet(ctx: click.Context) -> bool:
    return bool((ctx.find_root().obj or {}).get("quiet"))


def echo_err(ctx: click.Context, message: str) -> None:
    """A status line on stderr, unless --quiet."""
    if not is_quiet(ctx):
        click.echo(message, err=True)


# ---- section: build / demo (lead) ----

# ---- section: generate (datasets) ----

# ---- section: stance (sentiment model) ----

# ---- section: analyze ----

# ---- section: neo4j ----

# ---- section: whatif ----

# ---- section: score ----

# ---- section: map / report ----


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
