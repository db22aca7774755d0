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


def _set_quiet(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.find_root().ensure_object(dict)["quiet"] = True
    return value


#: ``--quiet`` on a subcommand, the same as ``kolgraph --quiet`` before it.
quiet_option = click.option("--quiet", "-q", is_flag=True, expose_value=False, callback=_set_quiet,
                            help="No progress bars or status lines on stderr (same as kolgraph --quiet).")


def echo_err(ctx: click.Context, message: str) -> None:
    """A status line on stderr, unless --quiet."""
    if not is_quiet(ctx):
        click.echo(message, err=True)


# ---- section: build / demo (lead) ----


@main.command("build")
@click.argument("interactions", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Workspace folder to write (replaced if it is already a workspace).")
@click.option("--users", "users", type=click.Path(dir_okay=False, path_type=Path),
              help="Users table: user_id, display_name, followers, verified.")
@click.option("--column", "columns", multiple=True, metavar="CANONICAL=FILE_COLUMN",
              help="Rename an interactions column, e.g. --column src=uid (repeatable).")
@click.option("--user-column", "user_columns", multiple=True, metavar="CANONICAL=FILE_COLUMN",
              help="Rename a users-table column, e.g. --user-column user_id=uid.")
@click.option("--kind-weight", "kind_weights", multiple=True, metavar="KIND=WEIGHT",
              help="Influence weight of a kind (defaults: repost=1.0, reply=0.5, mention=0.3).")
@click.option("--strict", is_flag=True, help="Stop at the first bad row instead of rejecting it.")
@click.option("--rejects", "rejects", type=click.Path(dir_okay=False, path_type=Path),
              help="Also copy the rejects table here (it is always in WORKSPACE/rejects.csv).")
@quiet_option
@click.pass_context
@handle_errors
def build_command(ctx, interactions, out, users, columns, user_columns, kind_weights, strict, rejects):
    """Validate interaction files and build a workspace (tables, graph, manifest).

    INTERACTIONS are CSV, TSV, JSONL or Parquet files (optionally .gz) with columns src, dst, kind
    and optionally timestamp, text, sentiment, post_id, weight. Bad rows are written to
    WORKSPACE/rejects.csv with file, row and reason; the build succeeds on the good rows unless --strict.

    \b
    Example:
      kolgraph build data/sample/interactions.csv --users data/sample/users.csv -o ws
      kolgraph build weibo.jsonl.gz --column src=uid --column dst=target_uid -o ws
    """
    from .build.workspace import build_workspace

    try:
        weights = {k: float(v) for k, v in parse_key_values(kind_weights, "--kind-weight").items()}
    except ValueError:
        raise click.BadParameter("weights must be numbers", param_hint="--kind-weight") from None
    report = build_workspace(list(interactions), out, users_path=users, column_map=list(columns) or None,
                             user_column_map=list(user_columns) or None, strict=strict,
                             kind_weights=weights or None, rejects_path=rejects, quiet=is_quiet(ctx))
    echo_err(ctx, report.summary())
    click.echo(str(report.workspace.path))


@main.command("demo")
@click.option("-o", "--out", "out", default="kolgraph-demo", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder for the demo's outputs.")
@quiet_option
@click.pass_context
@handle_errors
def demo_command(ctx, out):
    """Run every analysis on the shipped sample event and print where the outputs are.

    \b
    Example:
      kolgraph demo -o kolgraph-demo
    """
    from .demo import run_demo

    result = run_demo(out, quiet=is_quiet(ctx))
    for line in result.summary_lines():
        click.echo(line)

# ---- section: generate (datasets) ----


@main.command("generate")
@click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the event into (created if missing; files in it are replaced).")
@click.option("--users", "n_users", default=3000, show_default=True, type=click.IntRange(min=300),
              help="Number of users.")
@click.option("--interactions", "n_interactions", type=click.IntRange(min=1),
              help="Number of interactions (default: 10 per user).")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Random seed.")
@click.option("--format", "fmt", default="csv", show_default=True, type=click.Choice(["csv", "parquet"]),
              help="File format of the interactions table.")
@click.option("--with-sentiment", is_flag=True,
              help="Add a 'sentiment' column with the true tone in [-1, 1] (otherwise stance must come from text).")
@quiet_option
@click.pass_context
@handle_errors
def generate_command(ctx, out, n_users, n_interactions, seed, fmt, with_sentiment):
    """Generate a fictional Weibo-style brand event with planted KOLs, fans, critics and bridges.

    Writes interactions.csv (or .parquet), users.csv, truth.csv (the planted roles, communities and
    stances), kolgraph.toml (the brand's accounts and keywords) and event.json (how it was made).
    The same options and seed always give the same files.

    \b
    Example:
      kolgraph generate -o data/sample --users 3000 --interactions 30000 --seed 0
      kolgraph generate -o big --users 1000000 --format parquet --with-sentiment
    """
    from .datasets import generate_event, write_event

    quiet = is_quiet(ctx)
    echo_err(ctx, f"generating {n_users} users, {n_interactions or 'about 10 per user'} interactions (seed {seed})")
    event = generate_event(n_users, n_interactions, seed=seed, with_sentiment=with_sentiment, quiet=quiet)
    paths = write_event(event, out, format=fmt, quiet=quiet)
    roles = event.summary()["roles"]
    echo_err(ctx, f"wrote {len(event.interactions)} interactions and {len(event.users)} users to {out}; planted: "
             + ", ".join(f"{k} {v}" for k, v in roles.items()))
    click.echo(str(paths["interactions"].parent))


# ---- section: stance (sentiment model) ----


_STANCE_FORMATS = ["auto", "csv", "tsv", "jsonl", "json", "parquet", "mid-label-text"]


def _labelled_file_options(func):
    """--format, --text-column, --label-column and --target-column, shared by stance evaluate/train."""
    func = click.option("--target-column", default=None, metavar="C",
                        help="Column naming each row's stance target (one sub-model per target).")(func)
    func = click.option("--label-column", default=None, metavar="C",
                        help="Label column (default: first of label, stance, sentiment, polarity).")(func)
    func = click.option("--text-column", default=None, metavar="C",
                        help="Text column (default: first of text, review, content, sentence).")(func)
    func = click.option("--format", "fmt", default="auto", show_default=True, type=click.Choice(_STANCE_FORMATS),
                        help="File format; 'auto' uses the extension and the first line "
                             "(headerless 'mid,label,text' is 'mid-label-text').")(func)
    return func


@main.group("stance")
def stance_group() -> None:
    """The text sentiment / stance model: score texts, evaluate on labelled data, train your own.

    Sentiment is in [-1, 1]: 2 * P(positive) - 1 for a binary model, P(positive) - P(negative)
    for a three-class one. Labels are read as 1/0, -1/0/1, pos/neg/neutral or FAVOR/AGAINST/NONE.

    \b
    Example:
      kolgraph stance score "太棒了[赞]" "worst company ever"
      kolgraph stance evaluate ../shared/data/external/weibo2018/test.txt
    """


@stance_group.command("evaluate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--stance-model", "model_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Model file written by 'kolgraph stance train' (default: the shipped model).")
@_labelled_file_options
@click.option("--json", "as_json", is_flag=True, help="Print the evaluation as JSON.")
@handle_errors
def stance_evaluate_command(file, model_path, fmt, text_column, label_column, target_column, as_json):
    """Accuracy, macro-F1 and per-label F1 of a sentiment model on a labelled FILE.

    FILE is CSV, TSV, JSONL or Parquet (optionally .gz) with a header, or the headerless
    'mid,label,text' lines of weibo2018 (recognised automatically).

    \b
    Example:
      kolgraph stance evaluate ../shared/data/external/weibo2018/test.txt
      kolgraph stance evaluate labelled.csv --text-column review --label-column label --json
      kolgraph stance evaluate evasampledata4-TaskAA.txt --stance-model stance.npz \\
          --text-column TEXT --label-column STANCE --target-column TARGET
    """
    import json as _json

    from .algorithms.sentiment import evaluate_file

    ev = evaluate_file(file, model=model_path, fmt=fmt, text_column=text_column,
                       label_column=label_column, target_column=target_column)
    if as_json:
        click.echo(_json.dumps(ev.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{file}: {ev.n} rows")
    click.echo(f"accuracy  {ev.accuracy:.4f}")
    click.echo(f"macro-F1  {ev.macro_f1:.4f}")
    for name, f1 in ev.per_label_f1.items():
        click.echo(f"F1 {name:<9} {f1:.4f}")
    click.echo("confusion (rows true, columns predicted: " + ", ".join(ev.labels) + ")")
    for name, row in zip(ev.labels, ev.confusion):
        click.echo(f"  {name:<9} " + " ".join(f"{v:>6}" for v in row))


@stance_group.command("train")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Model file to write (.npz).")
@_labelled_file_options
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Random seed.")
@quiet_option
@click.pass_context
@handle_errors
def stance_train_command(ctx, file, out, fmt, text_column, label_column, target_column, seed):
    """Train a sentiment or stance model on your labelled FILE and save it to OUT.

    Two labels give a binary model, three (e.g. FAVOR/AGAINST/NONE) a three-class one. With
    --target-column, one sub-model is fitted per target (as in NLPCC 2016 stance) plus a pooled
    one for targets it has not seen. Rows with an empty label are skipped.

    \b
    Example:
      kolgraph stance train my_labels.csv -o my_model.npz
      kolgraph stance train evasampledata4-TaskAA.txt -o stance.npz \\
          --text-column TEXT --label-column STANCE --target-column TARGET
      kolgraph stance score --stance-model stance.npz --target IphoneSE "苹果SE真香"
    """
    from .algorithms.sentiment import train_file

    model = train_file(file, fmt=fmt, text_column=text_column, label_column=label_column,
                       target_column=target_column, seed=seed, quiet=is_quiet(ctx))
    model.save(out)
    meta = model.metadata
    echo_err(ctx, f"trained on {meta['corpus']}: labels {', '.join(model.labels)}; "
             f"{len(model.targets)} target sub-model(s); {meta['n_features']} features")
    click.echo(str(out))


@stance_group.command("score")
@click.argument("texts", nargs=-1, required=True)
@click.option("--stance-model", "model_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Model file written by 'kolgraph stance train' (default: the shipped model).")
@click.option("--target", default=None, help="Stance target, for a per-target model.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON records {text, sentiment}.")
@handle_errors
def stance_score_command(texts, model_path, target, as_json):
    """Score TEXTS: sentiment in [-1, 1], one line per text (NaN for an empty text).

    \b
    Example:
      kolgraph stance score "太棒了[赞]" "客服太差了[怒]" "love this phone" "worst company ever"
    """
    import json as _json

    from .algorithms.sentiment import score_texts

    scores = score_texts(list(texts), model=model_path, target=target)
    if as_json:
        rows = [{"text": t, "sentiment": None if s != s else round(float(s), 6)} for t, s in zip(texts, scores)]
        click.echo(_json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for t, s in zip(texts, scores):
        click.echo(f"{s:+.3f}\t{t}")


# ---- section: analyze ----


@main.command("analyze")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--brand-account", "brand_accounts", multiple=True, metavar="ID",
              help="A brand account's user id (repeatable); adds to the config's [brand] accounts.")
@click.option("--brand-keyword", "brand_keywords", multiple=True, metavar="K",
              help="A word naming the brand in post texts, case-insensitive (repeatable).")
@click.option("--critic-account", "critic_accounts", multiple=True, metavar="ID",
              help="A known critic account, seed of the critic camp (repeatable); default: detected critic KOLs.")
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML file with [brand], [stance], [communities], [roles], [camps] sections.")
@click.option("--stance-model", "stance_model", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Sentiment model file (from `kolgraph stance train`); default: the shipped model.")
@click.option("--seed", "seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of every random step (communities, sampled betweenness).")
@click.option("--resolution", "resolution", type=float, default=None,
              help="Community resolution (> 0; larger gives more, smaller communities). Default 1.0.")
@click.option("--runs", "runs", type=click.IntRange(min=1), default=None,
              help="Community detection runs in the consensus (1 = a single run). Default: 10 up to 200,000 users, 1 above.")
@quiet_option
@click.pass_context
@handle_errors
def analyze_command(ctx, workspace, brand_accounts, brand_keywords, critic_accounts, config, stance_model, seed,
                    resolution, runs):
    """Find the brand's KOLs, core fans, critics, bridges and amplifiers, with reasons.

    Writes WORKSPACE/analysis/: users.parquet and users.csv (one row per user: community,
    centrality, brand stance, brand affinity, roles and the reasons for each role),
    communities.csv, attitudes.parquet, interaction_sentiment.parquet and analysis.json, and
    prints a summary. The brand comes from --brand-account / --brand-keyword and the config
    file's [brand] section (both are used).

    \b
    Example:
      kolgraph analyze ws --config data/sample/kolgraph.toml
      kolgraph analyze ws --brand-account lanyou_official --brand-keyword 岚柚 --seed 1 --runs 5
    """
    from .analysis import analyze_workspace
    from .config import BrandConfig

    result = analyze_workspace(workspace, BrandConfig(accounts=brand_accounts, keywords=brand_keywords),
                               config=config, critic_accounts=critic_accounts, stance_model=stance_model,
                               seed=seed, resolution=resolution, runs=runs, quiet=is_quiet(ctx))
    for line in result.summary_lines():
        click.echo(line)

# ---- section: neo4j ----


@main.group("neo4j")
def neo4j_group():
    """Push workspaces to Neo4j (or FalkorDB) over Bolt, pull them back, run the query library.

    Connection: --uri (or NEO4J_URI), --user (or NEO4J_USER), --database (or NEO4J_DATABASE);
    the password comes from the variable named by --password-env, else NEO4J_PASSWORD, else a
    hidden prompt. It is never echoed or logged.

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
        click.option("--retries", type=click.IntRange(min=0), default=5, show_default=True,
                     help="Retries of a batch after a lost connection or transient error (backoff 0.5 s, doubling)."),
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


def _neo4j_store_args(uri, user, database, password_env, dialect, batch_rows, batch_bytes, retries):
    """The driver (created here, never at import) and the store options from the shared options."""
    from .build.neo4j import make_driver

    driver = make_driver(uri, user, _neo4j_password(password_env))
    return driver, {"database": database, "dialect": None if dialect == "auto" else dialect,
                    "batch_rows": batch_rows, "batch_bytes": batch_bytes, "retries": retries}


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
    from .build.neo4j import push_workspace

    driver, kwargs = _neo4j_store_args(**connection)
    with driver:
        report = push_workspace(driver, workspace, with_analysis=with_analysis, replace=replace,
                                quiet=is_quiet(ctx), **kwargs)
    click.echo(report.summary())


@neo4j_group.command("pull")
@click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Workspace folder to write (replaced if it is already a workspace).")
@click.option("--since", default=None, help="Only interactions overlapping the window from this time "
                                            "(epoch seconds or ISO 8601, e.g. 2026-01-05T00:00:00Z).")
@click.option("--until", default=None, help="... up to this time (epoch seconds or ISO 8601).")
@click.option("--account", "accounts", multiple=True, metavar="ID",
              help="Only the neighbourhood of this account (repeatable).")
@click.option("--hops", type=click.IntRange(min=0), default=1, show_default=True,
              help="Neighbourhood radius in hops (either direction) around --account.")
@click.option("--page-rows", "page_rows", type=click.IntRange(min=4), default=10_000, show_default=True,
              help="Rows per read page.")
@_neo4j_options
@quiet_option
@click.pass_context
@handle_errors
def neo4j_pull_command(ctx, out, since, until, accounts, hops, page_rows, **connection):
    """Build a workspace from the database: all of it, a time window, or a neighbourhood.

    \b
    Example:
      kolgraph neo4j pull -o ws_db
      kolgraph neo4j pull -o ws_day --since 2026-01-05 --until 2026-01-06
      kolgraph neo4j pull -o ws_ego --account brand_official --hops 2
    """
    from .build.neo4j import parse_epoch, pull_workspace

    since_s, until_s = parse_epoch(since), parse_epoch(until)
    driver, kwargs = _neo4j_store_args(**connection)
    with driver:
        report = pull_workspace(driver, out, since=since_s, until=until_s, accounts=accounts, hops=hops,
                                page_rows=page_rows, quiet=is_quiet(ctx), **kwargs)
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
    import json as _json

    from .build.neo4j import list_queries, load_query, run_named_query

    if list_only or not name:
        for qname in list_queries():
            query = load_query(qname)
            click.echo(f"{qname}: {query.description}")
            for line in query.signature().splitlines():
                click.echo(f"    {line}")
        return
    values = load_query(name).parse_cli(parse_key_values(params, "--param"))
    driver, kwargs = _neo4j_store_args(**connection)
    with driver:
        frame = run_named_query(driver, name, values, database=kwargs["database"], dialect=kwargs["dialect"],
                                retries=kwargs["retries"])
    if fmt == "json":
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        click.echo(_json.dumps(records, ensure_ascii=False, indent=2, default=str))
    elif fmt == "csv":
        flat = frame.apply(lambda col: col.map(lambda v: "|".join(map(str, v)) if isinstance(v, list) else v))
        click.echo(flat.to_csv(index=False), nl=False)
    elif frame.empty:
        echo_err(ctx, "(no rows)")
    else:
        click.echo(frame.to_string(index=False))


# ---- section: whatif ----


class _WhatifGroup(click.Group):
    """``kolgraph whatif WORKSPACE ...`` runs the simulation (the ``run`` subcommand); other names are subcommands."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@main.group("whatif", cls=_WhatifGroup)
def whatif_group() -> None:
    """Simulate partnering with a KOL: core-fan stance shift, defectors, backlash carriers.

    `kolgraph whatif WORKSPACE --kol ID` is short for `kolgraph whatif run WORKSPACE --kol ID`.
    The model is methods.md section 4 (exposure, balance shock, Friedkin-Johnsen propagation,
    baseline on the same draws, Monte Carlo over exposure and priors). Needs `kolgraph analyze`.

    \b
    Example:
      kolgraph whatif ws --kol laozhong_zhenhua --kol u33373623 --runs 200 --seed 0
      kolgraph whatif calibrate before_ws after_ws --kol laozhong_zhenhua --write-config fitted.toml
      kolgraph whatif sensitivity ws --kol laozhong_zhenhua
    """


def _whatif_table(result) -> str:
    rows = []
    for o in result.outcomes:
        aud = o.audience.get("shift")
        rows.append({
            "candidate": o.candidate,
            "core-fan shift [90%]": o.core_fan_shift.text(),
            "core fans turning negative [90%]": o.core_fans_turning_negative.text(percent=True),
            "all users": f"{o.overall_shift.mean:+.4f}",
            "own audience (n, shift)": f"{o.audience.get('users', 0)}, {aud.mean:+.3f}" if aud is not None
            and aud.mean == aud.mean else f"{o.audience.get('users', 0)}, n/a",
            "top defectors": ", ".join(o.defectors["user_id"].head(3).astype(str)) or "-",
            "top carriers": ", ".join(o.carriers["user_id"].head(3).astype(str)) or "-",
        })
    import pandas as pd

    return pd.DataFrame(rows).to_string(index=False)


@whatif_group.command("run")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--kol", "kols", multiple=True, required=True, metavar="ID",
              help="Candidate account id to partner with (repeatable; candidates share the random draws).")
@click.option("--runs", "runs", type=click.IntRange(min=1), default=None,
              help="Monte Carlo runs (default 200, or [whatif] runs).")
@click.option("--seed", "seed", type=click.IntRange(min=0), default=None, help="Seed of the draws (default 0).")
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML file whose [whatif] section sets priors, q, runs, tol (see WhatIfScenario).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON instead of a table.")
@click.option("--no-write", "no_write", is_flag=True, help="Do not write WORKSPACE/whatif/.")
@quiet_option
@click.pass_context
@handle_errors
def whatif_run_command(ctx, workspace, kols, runs, seed, config, as_json, no_write):
    """Simulate partnering with each --kol and compare them side by side.

    Prints, per candidate, the core-fan mean stance shift and the share of core fans turning
    negative (means with 90% intervals over the runs), the shift over all users and in the
    candidate's own audience, the top defectors and the accounts carrying the backlash. Writes
    WORKSPACE/whatif/: users.parquet (per user and candidate), summary.json (the JSON below),
    runs.csv, communities.csv, defectors.csv, carriers.csv.

    \b
    Example:
      kolgraph whatif ws --kol laozhong_zhenhua --runs 200 --seed 0
      kolgraph whatif ws --kol laozhong_zhenhua --kol u33373623 --json > whatif.json
    """
    import json

    from .algorithms.whatif import whatif_workspace

    quiet = is_quiet(ctx)
    run = whatif_workspace(workspace, list(kols), config=config, runs=runs, seed=seed, quiet=quiet,
                           write=not no_write)
    if as_json:
        click.echo(json.dumps(run.result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(_whatif_table(run.result))
    if not quiet and run.files:
        click.echo(f"per-user results and summaries: {Path(run.files['summary']).parent}", err=True)


@whatif_group.command("calibrate")
@click.argument("before", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("after", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--kol", "kol", required=True, metavar="ID", help="The account the brand partnered with.")
@click.option("--cutoff", "cutoff", metavar="TIME",
              help="With one workspace: the partnership time (ISO date/time, UTC if no zone, or epoch seconds).")
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML file with [brand] (else the before workspace's analysis), [whatif] q, [calibration].")
@click.option("--seed", "seed", type=click.IntRange(min=0), default=None, help="Bootstrap seed (default 0).")
@click.option("--bootstrap", "bootstrap", type=click.IntRange(min=0), default=None,
              help="Bootstrap replicates for the uncertainty (default 200; 0 skips it).")
@click.option("--write-config", "write_config", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the fitted priors as a [whatif] TOML section to this (new) file.")
@click.option("--json", "as_json", is_flag=True, help="Print the fit as JSON.")
@quiet_option
@click.pass_context
@handle_errors
def whatif_calibrate_command(ctx, before, after, kol, cutoff, config, seed, bootstrap, write_config, as_json):
    """Fit alpha, beta and susceptibility from a past partnership.

    Give two workspaces (built from the periods before and after the partnership with --kol) or
    one workspace and --cutoff. Stance is measured per period as a plain mean of brand-directed
    sentiment; lambda is profiled on a grid and (drift, alpha, beta) solved by weighted least
    squares; uncertainty from a bootstrap over users.

    \b
    Example:
      kolgraph whatif calibrate before_ws after_ws --kol laozhong_zhenhua --config kolgraph.toml
      kolgraph whatif calibrate ws --cutoff 2026-02-02T00:00:00Z --kol laozhong_zhenhua --write-config fitted.toml
    """
    import json

    from ._io import write_text
    from .algorithms.calibration import calibrate_cutoff, calibrate_workspaces

    quiet = is_quiet(ctx)
    if (after is None) == (cutoff is None):
        raise click.UsageError("give either AFTER (a second workspace) or --cutoff TIME, not both or neither")
    if write_config is not None and write_config.exists():
        raise click.ClickException(f"{write_config}: exists; choose a new file (or merge the section by hand)")
    if after is not None:
        result = calibrate_workspaces(before, after, kol, config=config, seed=seed, bootstrap=bootstrap, quiet=quiet)
        source = f"{before} -> {after}"
    else:
        result = calibrate_cutoff(before, cutoff, kol, config=config, seed=seed, bootstrap=bootstrap, quiet=quiet)
        source = f"{before} cut at {cutoff}"
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        for line in result.summary_lines():
            click.echo(line)
    if write_config is not None:
        write_text(write_config, result.to_toml(source))
        if not quiet:
            click.echo(f"fitted [whatif] section written to {write_config}", err=True)


@whatif_group.command("sensitivity")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--kol", "kols", multiple=True, required=True, metavar="ID", help="Candidate account id (repeatable).")
@click.option("--runs", "runs", type=click.IntRange(min=1), default=None,
              help="Monte Carlo runs per setting (default 200, or [whatif] runs).")
@click.option("--seed", "seed", type=click.IntRange(min=0), default=None, help="Seed of the draws (default 0).")
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML file whose [whatif] section sets the priors and ranges swept.")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON records.")
@quiet_option
@click.pass_context
@handle_errors
def whatif_sensitivity_command(ctx, workspace, kols, runs, seed, config, as_json):
    """One-at-a-time sweep: alpha, beta, susceptibility and q at low / mid / high of their ranges.

    Each row fixes one parameter and keeps the others' priors, under the same draws, so the
    change from the reference row is that parameter's doing. Writes WORKSPACE/whatif/sensitivity.csv.

    \b
    Example:
      kolgraph whatif sensitivity ws --kol laozhong_zhenhua --runs 100
    """
    from .algorithms.whatif import sensitivity_workspace

    quiet = is_quiet(ctx)
    table, path = sensitivity_workspace(workspace, list(kols), config=config, runs=runs, seed=seed, quiet=quiet)
    if as_json:
        click.echo(table.to_json(orient="records", force_ascii=False, indent=2))
    else:
        show = table.copy()
        for col in ("value", "core_fan_shift", "core_fan_shift_p05", "core_fan_shift_p95",
                    "core_fans_turning_negative", "overall_shift"):
            show[col] = show[col].map(lambda v: "" if v != v else f"{v:+.4f}" if col != "value" else f"{v:.3f}")
        click.echo(show.to_string(index=False))
    if not quiet and path is not None:
        click.echo(f"written to {path}", err=True)


# ---- section: score ----


@main.command("score")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("candidates", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Output table; format by extension: .csv, .tsv, .json, .jsonl or .parquet.")
@click.option("--handle-column", "handle_column", metavar="C",
              help="Column holding the handles (default: the first of user_id, id, handle, account, username, "
                   "screen_name, ... present; a one-column file uses its column).")
@click.option("--top", "top", type=click.IntRange(min=0), default=0, show_default=True,
              help="Print the best N candidates as a table (lowest risk, then highest PageRank percentile).")
@click.option("--runs", "runs", type=click.IntRange(min=1), default=None,
              help="What-if Monte Carlo runs per candidate (default 50, or [scoring] whatif_runs).")
@click.option("--seed", "seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the what-if draws (all candidates share them).")
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML file whose [scoring] section sets the tier thresholds.")
@click.option("--no-whatif", "no_whatif", is_flag=True,
              help="Skip the what-if simulation (faster; tiers rest on the other signs).")
@quiet_option
@click.pass_context
@handle_errors
def score_command(ctx, workspace, candidates, out, handle_column, top, runs, seed, config, no_whatif):
    """Score a list of candidate KOLs: reach, audience, stance, antagonism, what-if and a risk tier.

    CANDIDATES is CSV, TSV, JSONL/JSON, Parquet or plain text (one handle a line). Handles are
    matched to user ids and display names (leading @, case, spaces and full-width forms ignored).
    The output has one row per input row, with every input column kept, a status (ok, duplicate,
    ambiguous, unknown, blank), a risk tier (red, amber, green) and the reasons that set it.
    Needs `kolgraph analyze WORKSPACE` first.

    \b
    Example:
      kolgraph score ws candidates.csv -o scored.csv --top 10
      kolgraph score ws handles.txt -o scored.parquet --no-whatif
      kolgraph score ws agency.csv --handle-column 微博ID -o scored.json --runs 200 --seed 1
    """
    from .algorithms.scoring import score_file

    quiet = is_quiet(ctx)
    result = score_file(workspace, candidates, out, handle_column=handle_column, config=config, runs=runs, seed=seed,
                        whatif=not no_whatif, quiet=quiet)
    if not quiet:
        click.echo(f"handles: {result.handle_source}", err=True)
        if result.renamed:
            click.echo("input columns renamed (scoring writes columns of that name): "
                       + ", ".join(f"{a} -> {b}" for a, b in result.renamed.items()), err=True)
        click.echo(result.summary_line(), err=True)
    if top:
        click.echo(result.top_table(top))
    click.echo(str(result.path))


# ---- section: map / report ----


@main.command("map")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write: an HTML page (default) or, with --format gexf or a .gexf name, GEXF.")
@click.option("--communities", is_flag=True,
              help="One node per community (size, mean stance, brand share) with weighted links.")
@click.option("--focus", "focus", metavar="ID",
              help="Draw the ego network of this account (user id or unique display name).")
@click.option("--hops", default=1, show_default=True, type=click.IntRange(min=1),
              help="With --focus: steps from the account, following edges in either direction.")
@click.option("--max-nodes", default=1000, show_default=True, type=click.IntRange(min=1),
              help="At most this many nodes (browsers freeze above about a thousand).")
@click.option("--max-edges", default=5000, show_default=True, type=click.IntRange(min=0),
              help="At most this many edges among them (the heaviest are kept).")
@click.option("--format", "fmt", type=click.Choice(["html", "gexf"]), default=None,
              help="html: interactive page; gexf: the full graph with all attributes for Gephi. "
                   "Default: from the -o extension (.gexf), else html.")
@click.option("--title", default=None, help="Page title (default: the view's name).")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Seed of the initial layout.")
@quiet_option
@click.pass_context
@handle_errors
def map_command(ctx, workspace, out, communities, focus, hops, max_nodes, max_edges, fmt, title, seed):
    """Draw an interactive network map (self-contained HTML, works offline) or export GEXF.

    By default draws the influence backbone: brand accounts, critic KOLs, each large community's
    top members, KOLs and the highest PageRank, at most --max-nodes, and says on the page what
    was left out. Nodes are coloured by community, shaped by role and sized by PageRank; hover for
    metrics, roles and reasons. Uses WORKSPACE/analysis/ from `kolgraph analyze`; without it the
    backbone and --focus maps draw the raw graph sized by PageRank (no roles), --communities stops.

    \b
    Example:
      kolgraph map ws -o map.html
      kolgraph map ws --communities -o communities.html
      kolgraph map ws --focus kol_0001 --hops 2 -o kol_0001.html
      kolgraph map ws -o graph.gexf
    """
    from .viz.maps import write_map

    fmt = fmt or ("gexf" if out.suffix.lower() == ".gexf" else "html")
    result = write_map(workspace, out, communities=communities, focus=focus, hops=hops, max_nodes=max_nodes,
                       max_edges=max_edges, format=fmt, title=title, seed=seed, quiet=is_quiet(ctx))
    echo_err(ctx, result.summary())
    if result.data is not None:
        for note in result.data.notes:
            echo_err(ctx, f"  {note}")
    click.echo(str(result.path))


@main.command("report")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write (one self-contained page).")
@click.option("--top", default=15, show_default=True, type=click.IntRange(min=1),
              help="Rows per role table (KOLs, core fans, critics, bridges).")
@click.option("--map-max-nodes", default=500, show_default=True, type=click.IntRange(min=1),
              help="Nodes in the embedded backbone map.")
@click.option("--no-map", is_flag=True, help="Do not embed the map (a smaller page).")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Seed of the map's layout.")
@quiet_option
@click.pass_context
@handle_errors
def report_command(ctx, workspace, out, top, map_max_nodes, no_map, seed):
    """Write an HTML report of an analysed workspace: figures, roles, communities, plots, map.

    Needs `kolgraph analyze` first. Includes what-if results and sensitivity tables when
    WORKSPACE/whatif/ holds them. No external requests: plots are inline images, scripts inline.

    \b
    Example:
      kolgraph report ws -o report.html
      kolgraph report ws -o report.html --top 30 --no-map
    """
    from .viz.report import write_report

    result = write_report(workspace, out, top=top, embed_map=not no_map, map_max_nodes=map_max_nodes, seed=seed,
                          quiet=is_quiet(ctx))
    echo_err(ctx, result.summary())
    click.echo(str(result.path))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
