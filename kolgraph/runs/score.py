"""Score a candidate list over an analysed workspace: match handles, read the rows, compute, tier, write.

The workspace-facing half of scoring (methods page section 5; columns in docs/scoring.md). The
metrics and the tier rule are pure functions in :mod:`kolgraph.algorithms.scoring` and
:mod:`kolgraph.algorithms.risk`; this module reads what they need once, restricted to rows that
touch a candidate (filtered inside Arrow), calls them, and assembles one output row per input row.

Rows and order (:data:`~kolgraph.candidates.STATUSES`): exactly one row per input row. Rows with
status ``ok`` come first, ordered by tier (red, amber, grey, green), then predicted shift (most
negative first, missing last), then input order; then every other row (duplicate, ambiguous,
unknown, blank) in input order. A duplicate carries the scores of the first row naming the same
account. "Best" (``--top``): ``ok`` rows by tier (green, amber, grey, red), then reach (PageRank
percentile, highest first), then predicted shift (highest first), then input order; every red
row is listed after the best ones, whatever ``--top``.

A run is committed as a whole: the output file is written atomically, then the manifest's
``results.score`` records the parameters, counts and the ``analysis_run_id`` the scores came from.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..algorithms.risk import TIERS, ScoringParams, risk_tiers, tier_rank
from ..algorithms.scoring import (
    METRIC_COLUMNS,
    OUTPUT_COLUMNS,
    USER_COLUMNS,
    WHATIF_COLUMNS,
    ScoringInputs,
    WhatifFn,
    candidate_metrics,
    core_fan_shifts,
    typed_columns,
)
from ..candidates import STATUSES, CandidateTable, HandleIndex, did_you_mean, read_candidates, resolve_candidates
from ..config import KolgraphConfig, load_config, params_from_mapping
from ..errors import ConfigError, KolgraphError
from ..progress import progress
from ..schema import KINDS
from .outputs import AnalysisOutputs, role_column
from .score_output import ScoreResult, output_format, write_scores

__all__ = ["load_scoring_inputs", "score_candidates", "score_file", "ScoreResult"]

def _arrow_ids(values: Iterable[str]) -> pa.Array:
    return pa.array([str(v) for v in values], pa.string())


def _read_touching(path: Path, columns: Sequence[str], ids: pa.Array, on: Sequence[str]) -> pd.DataFrame:
    """Rows of a Parquet table whose ``on`` columns hold one of ``ids``.

    Reads the columns with the multi-threaded Parquet reader and filters with a hashed ``is_in``
    in Arrow, so only the matching rows ever become pandas objects.
    """
    table = _read_columns(path, columns)
    return _to_frame(table.filter(_touching(table, ids, on)))


def _read_columns(path: Path, columns: Sequence[str]) -> pa.Table:
    schema = pq.read_schema(path)
    missing = [c for c in columns if c not in schema.names]
    if missing:
        raise KolgraphError(f"{path}: missing column(s) {', '.join(missing)}; re-run `kolgraph analyze` "
                            "with this kolgraph version")
    return pq.read_table(path, columns=list(columns))


def _touching(table: pa.Table, ids: pa.Array, on: Sequence[str]) -> pa.ChunkedArray:
    """Row mask: any of the ``on`` columns holds one of ``ids`` (nulls never match)."""
    mask = None
    for col in on:
        values = table[col]
        if pa.types.is_dictionary(values.type):
            values = values.cast(values.type.value_type)
        hit = pc.fill_null(pc.is_in(values, value_set=ids.cast(values.type)), False)
        mask = hit if mask is None else pc.or_(mask, hit)
    return mask


def _to_frame(table: pa.Table) -> pd.DataFrame:
    frame = table.to_pandas()
    for col in ("src", "dst", "user_id", "kind"):
        if col in frame:
            frame[col] = frame[col].astype("str")
    return frame


def load_scoring_inputs(ws, user_ids: Sequence[str], analysis: AnalysisOutputs | None = None) -> ScoringInputs:
    """Read what scoring needs from an analysed workspace, restricted to rows touching ``user_ids``.

    The analysis comes through :class:`~kolgraph.runs.outputs.AnalysisOutputs` (users with their
    ``is_<tag>`` role columns, communities, attitudes, per-row sentiment; AnalysisMissingError when
    there is none); the workspace's ``edges.parquet`` / ``interactions.parquet`` give counts and
    timestamps. Every table is filtered inside Arrow before it becomes pandas objects.
    """
    out = analysis or AnalysisOutputs.load(ws)
    ids = _arrow_ids(dict.fromkeys(user_ids))
    users_path = out.file("users.parquet")
    have = set(pq.read_schema(users_path).names)
    flags = [role_column("core_fan"), role_column("brand_account")]
    if "user_id" not in have or not set(flags) <= have:
        raise KolgraphError(f"{users_path}: not an analysis users table (no user_id / is_<role> columns); "
                            "re-run `kolgraph analyze`")
    cols = [c for c in USER_COLUMNS if c in have]
    every = pq.read_table(users_path, columns=cols + flags)
    all_ids = every["user_id"].cast(pa.string())
    core_fans = pd.Index(pd.array(pc.filter(all_ids, every[flags[0]]), dtype="str"))
    tagged_brand = pc.filter(all_ids, every[flags[1]]).to_pylist()
    stance = pd.Series(every["stance"].to_numpy() if "stance" in have else np.zeros(len(all_ids)),
                       index=pd.Index(pd.array(all_ids, dtype="str"), dtype="str"), dtype="float64")
    users = _to_frame(every.select(cols).filter(_touching(every, ids, ["user_id"])))
    communities = (pd.Series(every["community"].to_pandas().to_numpy(), index=stance.index)
                   if "community" in cols else None)
    del every
    brand_accounts = tuple(dict.fromkeys([*[str(a) for a in out.brand.get("accounts", [])], *tagged_brand]))
    comms = out.communities
    brand_comms: tuple[int, ...] = ()
    if "is_brand_community" in comms:
        flag = comms["is_brand_community"].astype("str").str.lower().isin(["true", "1"])
        brand_comms = tuple(int(c) for c in comms.loc[flag.to_numpy(), "community"])
    edges = _read_touching(Path(ws.path) / "edges.parquet", ["src", "dst", "count"], ids, ["dst"])
    att_path = out.file("attitudes.parquet")
    att_cols = ["src", "dst", "attitude"] + (["support"] if "support" in pq.read_schema(att_path).names else [])
    att = _read_touching(att_path, att_cols, ids, ["src", "dst"])  # support: the what-if re-estimates own attitudes
    # One pass over the interaction rows: those touching a candidate give the active days, and
    # those into a candidate the reactions, with the sentiment the analysis used for that row.
    inter_path = Path(ws.path) / "interactions.parquet"
    has_ts = "timestamp" in pq.read_schema(inter_path).names
    inter = _read_columns(inter_path, ["src", "dst", "kind"] + (["timestamp"] if has_ts else []))
    touch = _touching(inter, ids, ["src", "dst"])
    sent_path = out.file("interaction_sentiment.parquet")
    sent = _read_columns(sent_path, ["row", "sentiment"])
    rows = sent["row"].to_numpy()
    if sent.num_rows != inter.num_rows or not np.array_equal(rows, np.arange(inter.num_rows)):
        raise KolgraphError(f"{sent_path}: does not match the workspace's interactions (rows differ); re-run "
                            f"`kolgraph analyze {ws.path}`")
    rows_touch = inter.append_column("sentiment", sent["sentiment"]).filter(touch)
    del inter, sent, touch
    activity = _to_frame(rows_touch.select(["src", "dst", "timestamp"])) if has_ts else None
    into = _touching(rows_touch, ids, ["dst"])
    reactions = _to_frame(rows_touch.select(["src", "dst", "kind", "sentiment"]).filter(into))
    return ScoringInputs(users=users, edges=edges, attitudes=att, reactions=reactions, activity=activity,
                         core_fans=core_fans, stance=stance, brand_communities=brand_comms,
                         brand_accounts=brand_accounts, communities=communities)


def _default_whatif(ws, user_ids: Sequence[str], *, runs: int, seed: int, interval: float, quiet: bool,
                    config: KolgraphConfig | None = None, inputs: "ScoringInputs | None" = None,
                    on_progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Core-fan shift per candidate on a workspace (:func:`core_fan_shifts`, ``[whatif]`` priors)."""
    from ..algorithms.whatif import WhatIfScenario

    scen_cfg = dict((config or KolgraphConfig()).section("whatif"))
    scen_cfg.pop("candidates", None)
    scenario = params_from_mapping(WhatIfScenario, scen_cfg, "whatif", runs=runs, seed=seed)
    network = _whatif_network(ws, scenario.listen_kinds)
    if inputs is None:
        inputs = load_scoring_inputs(ws, user_ids)
    return core_fan_shifts(network, inputs.stance, inputs.attitudes, inputs.core_fans, inputs.brand_accounts,
                           user_ids, scenario, communities=inputs.communities, interval=interval,
                           on_progress=on_progress)


def _whatif_network(ws, listen_kinds: Sequence[str]):
    """The simulator's sparse network from the workspace tables (Arrow hash look-ups, no per-edge loop)."""
    from ..build.graph import index_of
    from ..algorithms.whatif import WhatIfNetwork

    names = pd.Index(pd.read_parquet(Path(ws.path) / "vertices.parquet", columns=["user_id"])["user_id"].astype("str"),
                     dtype="str")
    edges = pd.read_parquet(Path(ws.path) / "edges.parquet", columns=["src", "dst", "kind", "count", "weight"])
    src, dst = index_of(names, edges["src"]), index_of(names, edges["dst"])
    if (src < 0).any() or (dst < 0).any():
        raise KolgraphError(f"{ws.path}: edges name users missing from vertices.parquet; rebuild the workspace")
    kind = np.asarray(pd.Categorical(edges["kind"].astype("str"), categories=list(KINDS)).codes, np.int64)
    return WhatIfNetwork.from_arrays(names, src, dst, kind, edges["weight"].to_numpy(dtype="float64"),
                                     edges["count"].to_numpy(dtype="float64"), listen_kinds=listen_kinds)


# --------------------------------------------------------------------------- orchestration


def _resolve_params(cfg: KolgraphConfig, params: ScoringParams | None, runs: int | None) -> ScoringParams:
    if params is not None:
        return params if runs is None else ScoringParams(**{**asdict(params), "whatif_runs": runs})
    return params_from_mapping(ScoringParams, cfg.section("scoring"), "scoring", whatif_runs=runs)


def score_candidates(workspace, candidates: CandidateTable | str | os.PathLike, *,
                     handle_column: str | None = None, config: KolgraphConfig | str | os.PathLike | None = None,
                     params: ScoringParams | None = None, runs: int | None = None, seed: int = 0,
                     whatif: bool | WhatifFn = True, quiet: bool = True) -> ScoreResult:
    """Score a candidate list against an analysed workspace (module docstring for every column and rule).

    ``candidates``: a :class:`~kolgraph.candidates.CandidateTable` or a file path (read with
    :func:`~kolgraph.candidates.read_candidates`). ``params`` (or the config's ``[scoring]``
    section, with ``runs`` overriding ``whatif_runs``) sets the thresholds. ``whatif=False`` skips
    the simulation (tiers then rest on the other signs); a callable replaces the simulator (tests).
    ``seed`` drives the what-if draws; the same inputs and seed give the same table.

    Example::

        res = score_candidates("ws", "candidates.csv", seed=0)
        print(res.summary_line()); print(res.top_table(10))
    """
    from ..build.workspace import Workspace, open_workspace

    if isinstance(seed, bool) or int(seed) != seed or seed < 0:
        raise ConfigError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
    cfg = config if isinstance(config, KolgraphConfig) else load_config(config)
    p = _resolve_params(cfg, params, runs)
    table = candidates if isinstance(candidates, CandidateTable) else read_candidates(candidates,
                                                                                      handle_column=handle_column)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    # ---- match handles against ids and display names (one index over all users)
    analysis = AnalysisOutputs.load(ws)
    users_path = analysis.file("users.parquet")
    names = set(pq.read_schema(users_path).names)
    lk = pq.read_table(users_path, columns=[c for c in ("user_id", "display_name", "pagerank") if c in names])
    lk = lk.to_pandas()
    rank = -pd.to_numeric(lk["pagerank"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan) \
        if "pagerank" in lk else None
    index = HandleIndex.from_users(lk["user_id"].astype("str"), lk["display_name"] if "display_name" in lk else None,
                                   rank=rank)
    del lk
    match = resolve_candidates(table.handles, index)
    timings["match"] = round(time.perf_counter() - clock, 3)
    clock = time.perf_counter()

    ok = (match["status"] == "ok").to_numpy()
    scored_ids = list(dict.fromkeys(match.loc[ok, "user_id"].astype("str")))
    bar = progress(total=len(scored_ids), quiet=quiet, desc="score", unit="candidate")
    try:
        inputs = load_scoring_inputs(ws, scored_ids, analysis)
        timings["load"] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()
        metrics = candidate_metrics(scored_ids, inputs, params=p)
        timings["metrics"] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()
        whatif_note = "not run"
        if whatif and scored_ids:
            brand = set(inputs.brand_accounts)
            sim_ids = [u for u in scored_ids if u not in brand]
            fn = whatif if callable(whatif) else _default_whatif
            shifts = fn(ws, sim_ids, runs=p.whatif_runs, seed=seed, interval=p.interval, quiet=True, config=cfg,
                        inputs=inputs, on_progress=bar.update) if sim_ids else \
                pd.DataFrame({c: [] for c in WHATIF_COLUMNS})
            sh = shifts.assign(user_id=shifts["user_id"].astype("str")).drop_duplicates("user_id").set_index("user_id")
            sh = sh.reindex(pd.Index(metrics["user_id"].astype("str")))
            for c in ("whatif_shift", "whatif_low", "whatif_high"):
                metrics[c] = pd.to_numeric(sh[c], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            metrics["whatif_runs"] = pd.to_numeric(sh["whatif_runs"], errors="coerce").fillna(0).to_numpy(
                dtype=np.int64)
            whatif_note = f"{p.whatif_runs} runs"
        bar.update(len(scored_ids) - bar.n)
        timings["whatif"] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()
    finally:
        bar.close()
    tier, reasons = risk_tiers(metrics, p)
    metrics["risk_tier"] = pd.array(tier, dtype="str")
    metrics["reasons"] = pd.array(reasons, dtype="str")
    brand = np.isin(metrics["user_id"].astype("str").to_numpy(), list(inputs.brand_accounts))
    if brand.any():
        note = "a brand account (no partnership to simulate)"
        metrics.loc[brand, "reasons"] = (note + "; " + metrics.loc[brand, "reasons"].astype("str")).to_numpy()
    if whatif is False and len(metrics):
        metrics["reasons"] = (metrics["reasons"].astype("str") + "; what-if not run").to_numpy()

    out = _assemble(table, match, metrics, p)
    _suggest(out, index)
    timings["tiers"] = round(time.perf_counter() - clock, 3)
    status_counts = out["status"].value_counts()
    counts = {s: int(status_counts.get(s, 0)) for s in STATUSES}
    tier_counts = out.loc[out["status"] == "ok", "risk_tier"].value_counts()
    counts.update({t: int(tier_counts.get(t, 0)) for t in TIERS})
    renamed = out.attrs.pop("renamed", {})
    parameters = {**p.to_dict(), "seed": seed, "whatif": bool(whatif) and bool(scored_ids),
                  "whatif_note": whatif_note, "workspace": str(ws.path), "candidates": table.path,
                  "handle_column": table.handle_column, "handle_source": table.handle_source,
                  "analysis_run_id": analysis.run_id, "timings_seconds": timings}
    return ScoreResult(table=out, parameters=parameters, counts=counts, handle_column=table.handle_column,
                       handle_source=table.handle_source, renamed=renamed, seed=seed)


def _assemble(table: CandidateTable, match: pd.DataFrame, metrics: pd.DataFrame, p: ScoringParams) -> pd.DataFrame:
    """One output row per input row: input columns, then status, tier, reasons, match and metrics; sorted."""
    n = len(table)
    inp = table.frame.copy()
    ours = set(OUTPUT_COLUMNS) | {"input_row"}
    renamed: dict[str, str] = {}
    for c in list(inp.columns):
        if c in ours:
            new = f"{c}_input"
            while new in inp.columns or new in ours:
                new += "_"
            renamed[c] = new
    inp = inp.rename(columns=renamed)
    has = match["user_id"].notna().to_numpy() & match["status"].isin(["ok", "duplicate"]).to_numpy()
    pos = pd.Index(metrics["user_id"].astype("str")).get_indexer(match["user_id"].fillna("").astype("str"))
    pos = np.where(has, pos, -1)
    joined = metrics.drop(columns=["user_id"]).reset_index(drop=True).reindex(pos).reset_index(drop=True)
    joined = typed_columns(joined)
    status = match["status"].astype("str")
    reasons = joined["reasons"].astype(object).to_numpy() if "reasons" in joined else np.full(n, None, object)
    reasons = np.array(reasons, dtype=object)
    dup = (status == "duplicate").to_numpy()
    dup_of = match["duplicate_of"].astype("Int64")
    if dup.any():
        prefix = ("same account as row " + dup_of[dup].astype("str")).to_numpy(dtype=object)
        base = np.where(pd.isna(reasons[dup]), "", "; " + reasons[dup].astype(str))
        base = np.where(match.loc[dup, "user_id"].isna().to_numpy(), "; not scored (" +
                        np.where(match.loc[dup, "match_candidates"].notna().to_numpy(), "ambiguous", "unknown")
                        + " handle)", base)
        reasons[dup] = prefix + base
    unk = (status == "unknown").to_numpy()
    reasons[unk] = "not in the graph: no user id or display name matches '" + match.loc[unk, "handle_key"].astype(
        "str").to_numpy(dtype=object) + "' (the analysed workspace has no interactions of this account)"
    amb = (status == "ambiguous").to_numpy()
    reasons[amb] = ("ambiguous: several users match by " + match.loc[amb, "match_method"].astype("str").str.replace(
        "_", " ").to_numpy(dtype=object) + " (" + match.loc[amb, "match_candidates"].astype("str").to_numpy(
        dtype=object) + "); give the user id instead")
    blank = (status == "blank").to_numpy()
    reasons[blank] = "blank handle: nothing to score"
    tier = joined["risk_tier"].astype(object).to_numpy() if "risk_tier" in joined else np.full(n, None, object)
    tier = np.where(status.isin(["ok", "duplicate"]).to_numpy(), tier, None)
    front = pd.DataFrame({
        "status": pd.array(status.to_numpy(), dtype="str"),
        "risk_tier": pd.array(tier, dtype="str"),
        "reasons": pd.array(reasons, dtype="str"),
        "user_id": pd.array(match["user_id"].astype(object).where(match["user_id"].notna(), None), dtype="str"),
        "match_method": pd.array(match["match_method"].astype(object).where(match["match_method"].notna(), None),
                                 dtype="str"),
        "match_candidates": pd.array(match["match_candidates"].astype(object).where(
            match["match_candidates"].notna(), None), dtype="str"),
        "duplicate_of": dup_of.to_numpy(),
        "handle_normalised": pd.array(match["handle_key"], dtype="str"),
    })
    front["duplicate_of"] = pd.array(front["duplicate_of"], dtype="Int64")
    body = joined[list(METRIC_COLUMNS)]
    lead = pd.DataFrame({"input_row": match["input_row"].to_numpy(dtype=np.int64)})
    out = pd.concat([lead, inp.reset_index(drop=True), front, body], axis=1)
    # ---- order: ok rows by tier, shift, input order; then the rest in input order
    is_ok = (out["status"] == "ok").to_numpy()
    ranks = tier_rank(out["risk_tier"].astype(object).to_numpy())
    shift = pd.to_numeric(out["whatif_shift"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    order = np.lexsort((out["input_row"].to_numpy(),
                        np.where(is_ok, np.nan_to_num(shift, nan=np.inf), 0.0),
                        np.where(is_ok, ranks, 0.0),
                        ~is_ok))
    out = out.iloc[order].reset_index(drop=True)
    out.attrs["renamed"] = renamed
    return out




#: At most this many distinct unknown handles get "did you mean" suggestions (each costs one scan).
MAX_SUGGESTED = 200


def _suggest(out: pd.DataFrame, index: HandleIndex) -> None:
    """Append "did you mean ..." to the reasons of unknown handles (the first MAX_SUGGESTED distinct ones)."""
    unknown = (out["status"] == "unknown").to_numpy()
    if not unknown.any():
        return
    keys = list(dict.fromkeys(out.loc[unknown, "handle_normalised"].astype(str)))[:MAX_SUGGESTED]
    cache: dict = {}  # substring scans shared by handles with a common prefix
    hints = {k: did_you_mean(k, index, cache=cache) for k in keys}
    reasons = np.array(out["reasons"].astype(object).to_numpy(), dtype=object)
    for i in np.flatnonzero(unknown):
        close = hints.get(str(out.at[i, "handle_normalised"]))
        if close:
            reasons[i] = f"{reasons[i]}; did you mean {', '.join(close)}?"
    out["reasons"] = pd.array(reasons, dtype="str")


def score_file(workspace, candidates: str | os.PathLike, out: str | os.PathLike, *,
               handle_column: str | None = None, config: KolgraphConfig | str | os.PathLike | None = None,
               params: ScoringParams | None = None, runs: int | None = None, seed: int = 0,
               whatif: bool = True, quiet: bool = True, excel: bool = False, stdout=None) -> ScoreResult:
    """Read a candidate list, score it (:func:`score_candidates`) and write the table to ``out``.

    The format follows the extension of ``out``: ``.csv``, ``.tsv``, ``.json``, ``.jsonl``,
    ``.parquet`` or ``.xlsx`` (text cells as text, ids never turned into numbers). ``out`` ``"-"``
    writes CSV to ``stdout`` (default ``sys.stdout``). ``excel`` puts a UTF-8 byte-order mark before
    CSV/TSV so Excel reads Chinese names right. CSV, TSV and XLSX cells starting with ``= + - @``,
    TAB or CR are neutralised (never read as formulas). The file is written atomically; the run
    is recorded in the manifest (``results.score``) with the analysis run id it used.
    """
    from ..build.workspace import Workspace, open_workspace

    fmt = output_format(out)  # fails before any work on an unknown extension
    if str(out) != "-":
        from ..build.workspace import check_not_an_input

        check_not_an_input(Path(out), [candidates], "-o", folder=False)
    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
    result = score_candidates(ws, candidates, handle_column=handle_column, config=config, params=params, runs=runs,
                              seed=seed, whatif=whatif, quiet=quiet)
    path = write_scores(result.table, out, fmt=fmt, excel=excel, stdout=stdout)
    try:
        recorded = {k: v for k, v in result.parameters.items() if k != "timings_seconds"}
        ws.record_result("score", {"output": str(out), "counts": dict(result.counts), "parameters": recorded,
                                   "analysis_run_id": result.parameters.get("analysis_run_id")})
    except OSError:
        pass  # a read-only workspace still scores; the output file is what matters
    return ScoreResult(table=result.table, parameters=result.parameters, counts=result.counts,
                       handle_column=result.handle_column, handle_source=result.handle_source,
                       renamed=result.renamed, seed=result.seed, path=path)
