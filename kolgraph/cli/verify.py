"""kolgraph verify: check a workspace's files against its manifest and result stamps."""

from __future__ import annotations

from pathlib import Path

import click

from .common import handle_errors, main


@main.command("verify")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print what was checked as JSON.")
@handle_errors
def verify_command(workspace, as_json):
    """Check every table of WORKSPACE (sha256 against the manifest) and every committed result.

    Exit 0 when all match; otherwise a one-line error naming the file that is missing,
    truncated or changed (exit 2).

    \b
    Example:
      kolgraph verify ws
    """
    from .._io import dumps
    from ..build.workspace import open_workspace

    ws = open_workspace(workspace)
    checked = ws.verify()
    if as_json:
        click.echo(dumps({"workspace": str(ws.path), "ok": True, **checked}))
        return
    results = ", ".join(f"{k} (run {v})" for k, v in checked["results"].items()) or "none"
    click.echo(f"{ws.path}: ok: {checked['tables']} tables match the manifest; results checked: {results}")
