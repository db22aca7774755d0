"""kolgraph neo4j: push, pull, query over Bolt."""

from __future__ import annotations

import contextlib
import logging
import re
from pathlib import Path

import click

from .common import echo_err, handle_errors, is_quiet, main, parse_key_values, quiet_option

_RETRY_MESSAGE = re.compile(r"^Transaction failed and will be retried in ([0-9.]+)s \((.*)\)$", re.S)


class _DriverLogLine(logging.Handler):
    """The driver's retry warnings as one short line each on stderr (nothing under --quiet)."""

    def __init__(self, quiet: bool):
        super().__init__(logging.WARNING)
        self.quiet = quiet

    def emit(self, record: logging.LogRecord) -> None:
        if self.quiet or record.levelno < logging.WARNING:
            return
        message = record.getMessage()
        match = _RETRY_MESSAGE.match(message)
        if match:
            reason = " ".join(match.group(2).split())
            click.echo(f"graph server: retrying in {float(match.group(1)):.1f} s after: {reason[:160]}", err=True)


@contextlib.contextmanager
def _driver_logging(ctx: click.Context):
    """Route the ``neo4j`` driver's log records through :class:`_DriverLogLine` for one command."""
    logger = logging.getLogger("neo4j")
    handler = _DriverLogLine(is_quiet(ctx))
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


@main.group("neo4j")
def neo4j_group():
    """Push workspaces to Neo4j (or FalkorDB) over Bolt, pull them back, run the query library.

    Connection: --uri (or NEO4J_URI), --user (or NEO4J_USER), --database (or NEO4J_DATABASE);
    the password comes from the variable named by --password-env, else NEO4J_PASSWORD, else a
    hidden prompt. It is never echoed or logged. Nothing waits for ever: --connect-timeout,
    --read-timeout and --retry-time bound opening a connection, each answer, and the driver's
    retries of transient failures (see docs/neo4j.md).

    \b
    Example:
      export NEO4J_URI=bolt://localhost:7687 NEO4J_USER=neo4j NEO4J_PASSWORD=...
      kolgraph neo4j push ws --with-analysis
      kolgraph neo4j query core_fans --param limit=20
      kolgraph neo4j pull -o ws2 --since 2026-01-05 --until 2026-01-06
    """


def _neo4j_options(func):
    """The connection and batching options shared by every `kolgraph neo4j` command."""
    options = [
        click.option("--uri", envvar="NEO4J_URI", default="bolt://localhost:7687", show_default=True,
                     help="Bolt URI of the server (env NEO4J_URI)."),
        click.option("--user", envvar="NEO4J_USER", default="neo4j", show_default=True,
                     help="User name (env NEO4J_USER)."),
        click.option("--database", envvar="NEO4J_DATABASE", default=None,
                     help="Database name (env NEO4J_DATABASE; default: the server's default)."),
        click.option("--password-env", "password_env", metavar="VAR",
                     help="Read the password from this environment variable (default NEO4J_PASSWORD, else prompt)."),
        click.option("--dialect", type=click.Choice(["auto", "neo4j", "falkordb"]), default="auto", show_default=True,
                     help="Server kind; auto asks the server."),
        click.option("--batch-rows", "batch_rows", type=click.IntRange(min=1), default=None,
                     help="Rows per write batch at most (default 5,000)."),
        click.option("--batch-bytes", "batch_bytes", type=click.IntRange(min=1), default=None,
                     help="Encoded bytes per write batch at most (default 1 MB; 3,500 on FalkorDB)."),
        click.option("--connect-timeout", "connect_timeout", type=click.FloatRange(min=0, min_open=True),
                     default=10.0, show_default=True, metavar="SECONDS",
                     help="Give up opening a connection (TCP, Bolt handshake, login) after this long."),
        click.option("--read-timeout", "read_timeout", type=click.FloatRange(min=0, min_open=True),
                     default=60.0, show_default=True, metavar="SECONDS",
                     help="Give up on a statement whose answer has not arrived after this long "
                          "(the server stopped answering)."),
        click.option("--retry-time", "retry_time", type=click.FloatRange(min=0), default=30.0, show_default=True,
                     metavar="SECONDS",
                     help="Retry lost connections and transient errors for at most this long "
                          "(driver-managed transactions, backoff from 1 s, doubling); 0: no retries."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _neo4j_password(password_env: str | None) -> str:
    import os

    if password_env:
        if password_env not in os.environ:
            raise click.BadParameter(f"environment variable {password_env} is not set", param_hint="--password-env")
        return os.environ[password_env]
    if "NEO4J_PASSWORD" in os.environ:
        return os.environ["NEO4J_PASSWORD"]
    return click.prompt("Password", hide_input=True, default="", show_default=False, err=True)


def _neo4j_store_args(uri, user, database, password_env, dialect, batch_rows, batch_bytes, connect_timeout,
                      read_timeout, retry_time):
    """The driver (created here, never at import) and the store options from the shared options."""
    from ..build.neo4j import make_driver

    driver = make_driver(uri, user, _neo4j_password(password_env), connect_timeout=connect_timeout,
                         read_timeout=read_timeout)
    return driver, {"database": database, "dialect": None if dialect == "auto" else dialect,
                    "batch_rows": batch_rows, "batch_bytes": batch_bytes, "read_timeout": read_timeout,
                    "retry_time": retry_time, "connect_timeout": connect_timeout}


@neo4j_group.command("push")
@click.argument("workspace", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--with-analysis", is_flag=True,
              help="Also write WORKSPACE/analysis results: user properties, Community nodes, MEMBER_OF.")
@click.option("--replace", is_flag=True, help="Delete all User and Community nodes first (default: merge).")
@_neo4j_options
@quiet_option
@click.pass_context
@handle_errors
def neo4j_push_command(ctx, workspace, with_analysis, replace, **connection):
    """Push a workspace's users and interactions (idempotent MERGE; run again after an interruption).

    \b
    Example:
      kolgraph neo4j push ws --uri bolt://localhost:7687 --user neo4j --password-env NEO4J_PASSWORD
      kolgraph neo4j push ws --with-analysis --batch-rows 2000
    """
    from ..build.neo4j import push_workspace

    driver, kwargs = _neo4j_store_args(**connection)
    with driver, _driver_logging(ctx):
        report = push_workspace(driver, workspace, with_analysis=with_analysis, replace=replace,
                                quiet=is_quiet(ctx), **kwargs)
    click.echo(report.summary())


@neo4j_group.command("pull")
@click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Workspace folder to write (replaced only if it is a kolgraph workspace holding nothing else).")
@click.option("--since", default=None, help="Only interactions overlapping the window from this time "
                                            "(epoch seconds or ISO 8601, e.g. 2026-01-05T00:00:00Z).")
@click.option("--until", default=None, help="... up to this time (epoch seconds or ISO 8601).")
@click.option("--account", "accounts", multiple=True, metavar="ID",
              help="Only the neighbourhood of this account (repeatable).")
@click.option("--hops", type=click.IntRange(min=0), default=1, show_default=True,
              help="Neighbourhood radius in hops (either direction) around --account.")
@click.option("--page-rows", "page_rows", type=click.IntRange(min=4), default=10_000, show_default=True,
              help="Rows per read page.")
@click.option("--force", is_flag=True, help="Also replace a kolgraph workspace of another format version "
                                            "(never a folder holding other files).")
@_neo4j_options
@quiet_option
@click.pass_context
@handle_errors
def neo4j_pull_command(ctx, out, since, until, accounts, hops, page_rows, force, **connection):
    """Build a workspace from the database: all of it, a time window, or a neighbourhood.

    \b
    Example:
      kolgraph neo4j pull -o ws_db
      kolgraph neo4j pull -o ws_day --since 2026-01-05 --until 2026-01-06
      kolgraph neo4j pull -o ws_ego --account brand_official --hops 2
    """
    from ..build.neo4j import pull_workspace
    from ..times import parse_time

    since_s, until_s = parse_time(since, what="--since"), parse_time(until, what="--until")
    driver, kwargs = _neo4j_store_args(**connection)
    with driver, _driver_logging(ctx):
        report = pull_workspace(driver, out, since=since_s, until=until_s, accounts=accounts, hops=hops,
                                page_rows=page_rows, force=force, quiet=is_quiet(ctx), **kwargs)
    echo_err(ctx, report.summary())
    click.echo(str(report.workspace.path))


@neo4j_group.command("query")
@click.argument("name", required=False)
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A query parameter (repeatable); values are parsed as JSON where they parse "
                   "(numbers, [lists]), text otherwise; text parameters are taken verbatim.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--list", "list_only", is_flag=True, help="List the queries with their parameters.")
@_neo4j_options
@quiet_option
@click.pass_context
@handle_errors
def neo4j_query_command(ctx, name, params, fmt, list_only, **connection):
    """Run a query from the library (queries/*.cypher) and print its rows.

    \b
    Example:
      kolgraph neo4j query --list
      kolgraph neo4j query critics_reach --param limit=10 --format csv
      kolgraph neo4j query bridges --param community_a=0 --param community_b=3
      kolgraph neo4j query hostile_replies --param since=1767571200 --param 'brand_accounts=["brand"]'
    """
    import json

    from .._io import json_default, spreadsheet_safe
    from ..build.neo4j import list_queries, load_query, run_named_query

    if list_only or not name:
        for qname in list_queries():
            query = load_query(qname)
            click.echo(f"{qname}: {query.description}")
            for line in query.signature().splitlines():
                click.echo(f"    {line}")
        return
    values = load_query(name).parse_cli(parse_key_values(params, "--param"))
    driver, kwargs = _neo4j_store_args(**connection)
    with driver, _driver_logging(ctx):
        frame = run_named_query(driver, name, values, database=kwargs["database"], dialect=kwargs["dialect"],
                                read_timeout=kwargs["read_timeout"], retry_time=kwargs["retry_time"],
                                connect_timeout=kwargs["connect_timeout"])
    if fmt == "json":
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        click.echo(json.dumps(records, ensure_ascii=False, indent=2, default=json_default))
    elif fmt == "csv":  # for people: lists "|"-joined, formula-like text cells neutralised (OWASP)
        flat = frame.apply(lambda col: col.map(lambda v: "|".join(map(str, v)) if isinstance(v, list) else v))
        # RFC 4180 line ends, so that a CR or LF inside a value is quoted and cannot split a row
        click.echo(spreadsheet_safe(flat).to_csv(index=False, lineterminator="\r\n"), nl=False)
    elif frame.empty:
        echo_err(ctx, "(no rows)")
    else:
        click.echo(frame.to_string(index=False))


