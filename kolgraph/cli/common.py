"""The ``kolgraph`` command group and the helpers every command module shares.

Every command parses its options, calls one public function, writes outputs and maps
:class:`kolgraph.schema.KolgraphError` to a one-line message with a non-zero exit (no traceback).
"""

from __future__ import annotations

import functools

import click

from .. import __version__
from ..schema import KolgraphError

__all__ = ["main", "UserError", "handle_errors", "parse_key_values", "is_quiet", "quiet_option", "echo_err"]


class UserError(click.ClickException):
    """A one-line error a user can act on; exit code 2 (as click's usage errors)."""

    exit_code = 2


def handle_errors(func):
    """Turn known errors (bad input, config, unknown accounts, I/O) into click errors a user can act on."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except KolgraphError as exc:
            raise UserError(str(exc)) from None
        except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            name = exc.filename or ""
            raise UserError(f"{name}: {exc.strerror or exc}") from None

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


def set_quiet(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.find_root().ensure_object(dict)["quiet"] = True
    return value


#: ``--quiet`` on a subcommand, the same as ``kolgraph --quiet`` before it.
quiet_option = click.option("--quiet", "-q", is_flag=True, expose_value=False, callback=set_quiet,
                            help="No progress bars or status lines on stderr (same as kolgraph --quiet).")


def echo_err(ctx: click.Context, message: str) -> None:
    """A status line on stderr, unless --quiet."""
    if not is_quiet(ctx):
        click.echo(message, err=True)


