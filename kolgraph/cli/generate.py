"""kolgraph generate: seeded synthetic brand events."""

from __future__ import annotations

from pathlib import Path

import click

from .common import echo_err, handle_errors, is_quiet, main, quiet_option




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
@click.option("--aftermath", "aftermath", metavar="CANDIDATE",
              help="Also simulate the aftermath of announcing a partnership with CANDIDATE (critic, tech or a "
                   "user id) by an agent-based process: truth.csv gains stance_after, aware, revolted, "
                   "turned_against; aftermath.csv holds the first day after the announcement.")
@quiet_option
@click.pass_context
@handle_errors
def generate_command(ctx, out, n_users, n_interactions, seed, fmt, with_sentiment, aftermath):
    """Generate a fictional Weibo-style brand event with planted KOLs, fans, critics and bridges.

    Writes interactions.csv (or .parquet), users.csv, truth.csv (the planted roles, communities and
    stances), kolgraph.toml (the brand's accounts and keywords) and event.json (how it was made).
    The same options and seed always give the same files.

    \b
    Example:
      kolgraph generate -o data/sample --users 3000 --interactions 30000 --seed 0 --aftermath critic
      kolgraph generate -o big --users 1000000 --format parquet --with-sentiment
    """
    from ..datasets import generate_event, write_event

    quiet = is_quiet(ctx)
    echo_err(ctx, f"generating {n_users} users, {n_interactions or 'about 10 per user'} interactions (seed {seed})")
    event = generate_event(n_users, n_interactions, seed=seed, with_sentiment=with_sentiment, quiet=quiet,
                           aftermath=aftermath)
    paths = write_event(event, out, format=fmt, quiet=quiet)
    roles = event.summary()["roles"]
    echo_err(ctx, f"wrote {len(event.interactions)} interactions and {len(event.users)} users to {out}; planted: "
             + ", ".join(f"{k} {v}" for k, v in roles.items()))
    if event.aftermath is not None:
        s = event.aftermath.summary()
        echo_err(ctx, f"aftermath of partnering with {s['candidate']}: {s['revolted']} revolted, {s['turned']} turned "
                      f"against the brand ({s['core_fans_turned_share']:.0%} of planted core fans); "
                      f"{s['first_day_rows']} first-day interactions")
    click.echo(str(paths["interactions"].parent))


