"""The what-if over a workspace: read the analysis, simulate, write ``WORKSPACE/whatif/`` as one set.

- :func:`load_whatif_inputs`: the network, stance, attitudes, core fans, brand, communities and the
  observables (display names, KOLs, critics, per-user daily brand-directed rates, hostile volume
  per brand account in the workspace's period).
- :func:`whatif_workspace`: simulate the candidates (ids or display names) and write
  ``users.parquet``, ``summary.json`` (the output contract, with ``analysis_run_id``), ``runs.csv``,
  ``communities.csv``, ``defectors.csv``, ``carriers.csv``, ``alternatives.csv`` and the stamp
  ``whatif.json``: committed as a whole (:func:`kolgraph.runs.results.commit_result`: temporary
  folder, stamp, rename), so a reader never sees half a what-if. ``sensitivity.csv`` is written
  into the committed folder afterwards (a later what-if replaces the folder and drops it).
- :func:`sensitivity_workspace`, :func:`calibrate_workspaces`, :func:`calibrate_cutoff`.
- :func:`resolve_accounts`: ids or display names -> ids, with an ambiguity report and "did you mean".
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .._io import write_json, write_table
from ..algorithms.calibration import CalibrationParams, CalibrationResult, calibrate, measure_period
from ..algorithms.stance import kind_mask
from ..algorithms.whatif import (Observables, WhatIfNetwork, WhatIfResult, WhatIfScenario, sensitivity,
                                 simulate_partnership)
from ..config import BrandConfig, KolgraphConfig, load_config, params_from_mapping
from ..errors import ConfigError, InputError, UnknownAccountError
from ..schema import KINDS
from ..times import parse_time
from .outputs import AnalysisOutputs, role_column
from .limits import check_runs_fit
from .results import commit_result

__all__ = ["WhatIfInputs", "WhatIfRun", "load_whatif_inputs", "whatif_workspace", "sensitivity_workspace",
           "calibrate_workspaces", "calibrate_cutoff", "resolve_accounts", "read_aftermath"]


def _open(ws):
    from ..build.workspace import as_workspace

    return as_workspace(ws)


def _roles_mask(users: pd.DataFrame, tag: str) -> np.ndarray:
    col = role_column(tag)
    if col in users:
        return users[col].fillna(False).to_numpy(dtype=bool)
    if "roles" in users:
        return users["roles"].fillna("").astype("str").str.split("|").map(lambda t: tag in t).to_numpy(dtype=bool)
    return np.zeros(len(users), dtype=bool)


@dataclass(frozen=True, eq=False)
class WhatIfInputs:
    """What the simulator reads from a workspace's analysis outputs."""

    network: WhatIfNetwork
    stance: pd.Series
    attitudes: pd.DataFrame
    core_fans: tuple[str, ...]
    brand: BrandConfig
    communities: pd.Series | None
    observables: Observables
    users: pd.DataFrame
    analysis_run_id: str | None
    measured_k0: float | None = None     # the prior strength the analysis shrank attitudes with


def _analysis(ws) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any], pd.DataFrame | None, str | None]:
    """users, attitudes, analysis.json info, interaction sentiment, run id (through AnalysisOutputs)."""
    out = AnalysisOutputs.load(ws)
    sent = out.interaction_sentiment(["row", "sentiment"])
    return out.users, out.attitudes, dict(out.info), sent, out.run_id


def _brand_rates(ws, names: pd.Index, brand_ids: Sequence[str], sentiment: pd.DataFrame | None,
                 hostile_below: float) -> tuple[pd.DataFrame, dict[str, float], float]:
    """Per (user, brand account) replies and mentions per day, hostile ones per account per day, days.

    Rates and the period come from the edge arrays (one row per (src, dst, kind) with its count and
    first and last time); the hostile volume from the interactions' sentiment, looked up through
    their stored vertex codes (:meth:`Workspace.interaction_codes`): no id of the 10M rows is hashed."""
    arrays = ws.graph_arrays()
    first, last = arrays["first_ts"], arrays["last_ts"]
    lo, hi = (np.nanmin(first), np.nanmax(last)) if np.isfinite(first).any() else (np.nan, np.nan)
    days = max(1.0, float(hi - lo) / 86400.0) if np.isfinite(lo) and np.isfinite(hi) else 1.0
    bpos = names.get_indexer(pd.Index(list(brand_ids), dtype="str"))
    is_brand = np.zeros(len(names), dtype=bool)
    is_brand[bpos[bpos >= 0]] = True
    talk = np.isin(arrays["kind"], [KINDS.index("reply"), KINDS.index("mention")])
    src, dst = arrays["src"], arrays["dst"]
    edge = is_brand[dst] & talk & (src != dst)
    pair = src[edge] * len(names) + dst[edge]
    keys, inverse = np.unique(pair, return_inverse=True)
    count = np.bincount(inverse, weights=arrays["count"][edge], minlength=keys.size).astype(np.int64)
    rates = pd.DataFrame({"user_id": pd.array(names[keys // len(names)], dtype="str"),
                          "account": pd.array(names[keys % len(names)], dtype="str"), "count": count})
    rates = rates.sort_values(["user_id", "account"], kind="stable").reset_index(drop=True)
    rates["per_day"] = rates["count"] / days
    hostile: dict[str, float] = {a: 0.0 for a in brand_ids}
    if sentiment is not None and {"row", "sentiment"} <= set(sentiment.columns):
        rows = sentiment["row"].to_numpy(dtype=np.int64)
        value = pd.to_numeric(sentiment["sentiment"], errors="coerce").to_numpy(dtype=np.float64)
        isrc, idst = ws.interaction_codes()
        rows = rows[(rows >= 0) & (rows < isrc.size) & (value < hostile_below)]
        kind = ws.interactions(columns=["kind"])["kind"]
        rows = rows[kind_mask(kind, ["reply", "mention"])[rows] & is_brand[idst[rows]] & (isrc[rows] != idst[rows])]
        per_account = np.bincount(idst[rows], minlength=len(names))
        for at in np.flatnonzero(per_account):
            hostile[str(names[at])] = float(per_account[at]) / days
    return rates, hostile, days


def load_whatif_inputs(ws, *, listen_kinds: Sequence[str] = ("repost", "reply"), hostile_below: float = -0.3,
                       founder: str = "") -> WhatIfInputs:
    """Read the graph and the analysis outputs of a workspace (path or :class:`Workspace`).

    Raises :class:`AnalysisMissingError` when ``kolgraph analyze`` has not been run.
    """
    ws = _open(ws)
    users, att, info, sent, run_id = _analysis(ws)
    brand_raw = info.get("brand") or info.get("parameters", {}).get("brand") or {}
    for col in ("user_id", "stance"):
        if col not in users:
            raise InputError(str(ws.result_path("analysis", "users.parquet")), f"missing column {col!r}; "
                             "re-run `kolgraph analyze`")
    ids = users["user_id"].astype("str")
    brand_ids = list(dict.fromkeys(list(brand_raw.get("accounts", [])) + ids[_roles_mask(users, "brand_account")].tolist()))
    brand = BrandConfig(accounts=tuple(brand_ids), keywords=tuple(brand_raw.get("keywords", [])),
                        name=str(brand_raw.get("name", "")))
    core = tuple(ids[_roles_mask(users, "core_fan")])
    stance = pd.Series(pd.to_numeric(users["stance"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan),
                       index=pd.Index(ids, dtype="str"))
    communities = (pd.Series(users["community"].to_numpy(), index=pd.Index(ids, dtype="str"))
                   if "community" in users else None)
    vertex_ids = pd.Index(ws.vertices()["user_id"].astype("str"), dtype="str")
    arrays = ws.graph_arrays()  # the edges over vertex positions: no id lookup
    net = WhatIfNetwork.from_arrays(vertex_ids, arrays["src"], arrays["dst"], arrays["kind"], arrays["weight"],
                                    arrays["count"], listen_kinds=listen_kinds)
    names = (pd.Series(users["display_name"].astype("str").to_numpy(), index=pd.Index(ids, dtype="str"))
             if "display_name" in users else None)
    rates, hostile, days = _brand_rates(ws, vertex_ids, brand_ids, sent, hostile_below)
    critics = tuple(ids[_roles_mask(users, "critic") | _roles_mask(users, "critic_kol")])
    support = (pd.Series(pd.to_numeric(users["stance_support"], errors="coerce").to_numpy(), index=pd.Index(ids, dtype="str"))
               if "stance_support" in users else None)
    obs = Observables(display_names=names, kols=tuple(ids[_roles_mask(users, "kol")]), critics=critics,
                      founder=founder or None, brand_rates=rates, hostile_per_day=hostile, stance_support=support)
    return WhatIfInputs(network=net, stance=stance, attitudes=att, core_fans=core, brand=brand,
                        communities=communities, observables=obs, users=users, analysis_run_id=run_id,
                        measured_k0=_measured_k0(info))


def _measured_k0(info: Mapping[str, Any]) -> float | None:
    """The analysis's attitude shrinkage k0 (``parameters.stance.k0`` of analysis.json), None if not recorded."""
    try:
        value = float(info.get("parameters", {}).get("stance", {}).get("k0"))
    except (TypeError, ValueError, AttributeError):
        return None
    return value if value >= 0 else None


def resolve_accounts(queries: Sequence[str], users: pd.DataFrame) -> list[str]:
    """User ids for ids or display names. Exact id first, then exact display name; a display name
    held by several users is an error listing them; an unknown one suggests the closest names."""
    ids = users["user_id"].astype("str")
    names = users["display_name"].astype("str") if "display_name" in users else pd.Series("", index=users.index)
    id_set = set(ids)
    by_name: dict[str, list[str]] = {}
    for i, nm in zip(ids, names):
        by_name.setdefault(nm, []).append(i)
    out = []
    for q in queries:
        q = str(q).strip()
        if q in id_set:
            out.append(q)
            continue
        hits = by_name.get(q, [])
        if len(hits) == 1:
            out.append(hits[0])
            continue
        if len(hits) > 1:
            raise UnknownAccountError(f"{q!r} is ambiguous: {len(hits)} users have that display name "
                                      f"({', '.join(hits[:10])}); pass the user id")
        close = difflib.get_close_matches(q, list(id_set) + list(by_name), n=3, cutoff=0.6)
        hint = ("; did you mean " + ", ".join(f"{c!r}" + (f" ({by_name[c][0]})" if c in by_name and c not in id_set
                                                        else "") for c in close) + "?") if close else ""
        raise UnknownAccountError(f"unknown candidate account {q!r}: not a user id or display name in the "
                                  f"workspace ({len(id_set):,} users){hint}")
    return out


def read_aftermath(path: str | os.PathLike) -> pd.DataFrame:
    """A known after-slice's true outcome: user_id, stance_before, stance_after[, candidate].

    Also reads a generated event's truth.csv (stance -> stance_before, aftermath_candidate -> candidate).
    """
    from .._io import read_table

    frame = read_table(path)
    if "stance_before" not in frame and "stance" in frame and "stance_after" in frame:
        frame = frame.rename(columns={"stance": "stance_before"})
    if "candidate" not in frame and "aftermath_candidate" in frame:
        frame = frame.rename(columns={"aftermath_candidate": "candidate"})
    missing = {"user_id", "stance_before", "stance_after"} - set(frame.columns)
    if missing:
        raise InputError(str(path), f"missing column(s) {', '.join(sorted(missing))}")
    frame["user_id"] = frame["user_id"].astype("str")
    return frame


@dataclass(frozen=True)
class WhatIfRun:
    """A workspace what-if: the result, the files written (empty when ``write=False``), the run id read."""

    result: WhatIfResult
    files: Mapping[str, Path]
    analysis_run_id: str | None = None

    def summary(self) -> dict[str, Any]:
        return {"analysis_run_id": self.analysis_run_id, **self.result.to_dict()}


def scenario_for(candidates: Sequence[str], config: KolgraphConfig | str | os.PathLike | None,
                 scenario: WhatIfScenario | None, **overrides: Any) -> WhatIfScenario:
    """The scenario: ``scenario``, else the config's ``[whatif]`` section, with overrides (None ignored)."""
    if scenario is not None:
        extra = {k: v for k, v in overrides.items() if v is not None}
        if candidates:
            extra["candidates"] = tuple(candidates)
        return dataclasses.replace(scenario, **extra) if extra else scenario
    cfg = config if isinstance(config, KolgraphConfig) else load_config(config)
    return params_from_mapping(WhatIfScenario, cfg.section("whatif"), "whatif",
                               candidates=tuple(candidates) if candidates else None, **overrides)


def whatif_workspace(ws, candidates: Sequence[str], *, scenario: WhatIfScenario | None = None,
                     config: KolgraphConfig | str | os.PathLike | None = None, runs: int | None = None,
                     seed: int | None = None, quiet: bool = True, write: bool = True,
                     aftermath: pd.DataFrame | str | os.PathLike | None = None) -> WhatIfRun:
    """Run the what-if on a workspace's analysis and write ``WORKSPACE/whatif/`` (module docstring).

    ``candidates``: user ids or display names. Parameters come from ``scenario``, else the config
    file's ``[whatif]`` section, with ``runs`` and ``seed`` overriding. ``aftermath``: a known
    after-slice's truth (frame or file) to score the prediction against.
    """
    ws = _open(ws)
    base = scenario_for((), config, scenario, runs=runs, seed=seed)
    inputs = load_whatif_inputs(ws, listen_kinds=base.listen_kinds, hostile_below=base.hostile_below,
                                founder=base.founder)
    if not candidates:
        raise ConfigError("no candidate given: name the KOL to partner with (--kol ID or display name)")
    scen = dataclasses.replace(base, candidates=tuple(resolve_accounts(candidates, inputs.users)))
    if inputs.measured_k0 is not None:
        scen = dataclasses.replace(scen, measured_k0=inputs.measured_k0)
    check_runs_fit(scen.runs, len(inputs.users))
    obs = inputs.observables
    if aftermath is not None:
        truth = aftermath if isinstance(aftermath, pd.DataFrame) else read_aftermath(aftermath)
        obs = dataclasses.replace(obs, aftermath=truth)
    result = simulate_partnership(inputs.network, inputs.stance, inputs.attitudes, inputs.core_fans, inputs.brand,
                                  scen, communities=inputs.communities, observables=obs, quiet=quiet)
    run = WhatIfRun(result=result, files={}, analysis_run_id=inputs.analysis_run_id)
    if not write:
        return run

    def build(out) -> dict[str, Path]:
        files: dict[str, Path] = {}
        per_user = result.to_frame()
        if "community" in per_user:
            per_user["community"] = per_user["community"].astype("str").where(per_user["community"].notna(), None)
        files["users"] = write_table(per_user, out.file("users.parquet", rows=len(per_user)))
        files["summary"] = write_json(out.file("summary.json"), {**run.summary(), "run_id": out.run_id})
        runs_frame = result.runs_frame()
        files["runs"] = write_table(runs_frame, out.file("runs.csv", rows=len(runs_frame)))
        for name in ("communities", "defectors", "carriers"):
            frame = pd.concat([getattr(o, name).assign(candidate=o.candidate) for o in result.outcomes],
                              ignore_index=True)
            files[name] = write_table(frame, out.file(f"{name}.csv", rows=len(frame)))
        alt = [dict(a, candidate=o.candidate, core_fans_turning_share=a["core_fans_turning_share"]["mean"],
                    reasons="; ".join(a["reasons"])) for o in result.outcomes for a in o.safer_alternatives]
        alt_frame = pd.DataFrame(alt, columns=["candidate", "user_id", "display_name", "reach_overlap",
                                               "core_fans_turning_share", "tier", "reasons"])
        files["alternatives"] = write_table(alt_frame[["candidate", "user_id", "display_name", "reach_overlap",
                                                       "core_fans_turning_share", "tier", "reasons"]],
                                            out.file("alternatives.csv", rows=len(alt_frame)))
        return files

    target = ws.path / "whatif"
    info = {"analysis_run_id": inputs.analysis_run_id, "candidates": list(result.candidates), "seed": result.seed,
            "runs": scen.runs}
    with commit_result(target, "whatif.json", info) as out:
        written = build(out)
    files = {k: target / Path(v).name for k, v in written.items()}
    ws.record_result("whatif", {"candidates": list(result.candidates), "seed": result.seed, "runs": scen.runs,
                                "analysis_run_id": inputs.analysis_run_id,
                                "files": {k: str(Path(v).relative_to(ws.path)) for k, v in files.items()}})
    return dataclasses.replace(run, files=files)


def sensitivity_workspace(ws, candidates: Sequence[str], *, scenario: WhatIfScenario | None = None,
                          config: KolgraphConfig | str | os.PathLike | None = None, runs: int | None = None,
                          seed: int | None = None, quiet: bool = True,
                          write: bool = True) -> tuple[pd.DataFrame, Path | None]:
    """:func:`~kolgraph.algorithms.whatif.sensitivity` on a workspace; writes ``WORKSPACE/whatif/sensitivity.csv``."""
    ws = _open(ws)
    base = scenario_for((), config, scenario, runs=runs, seed=seed)
    inputs = load_whatif_inputs(ws, listen_kinds=base.listen_kinds, hostile_below=base.hostile_below)
    scen = dataclasses.replace(base, candidates=tuple(resolve_accounts(candidates, inputs.users)))
    if inputs.measured_k0 is not None:
        scen = dataclasses.replace(scen, measured_k0=inputs.measured_k0)
    table = sensitivity(inputs.network, inputs.stance, inputs.attitudes, inputs.core_fans, inputs.brand, scen,
                        communities=inputs.communities, quiet=quiet)
    path = write_table(table, ws.path / "whatif" / "sensitivity.csv") if write else None
    return table, path


# --------------------------------------------------------------------------- calibration


def _resolve_brand(brand: BrandConfig | None, config: KolgraphConfig | str | os.PathLike | None, ws=None) -> BrandConfig:
    if brand is not None and (brand.accounts or brand.keywords):
        return brand
    cfg = config if isinstance(config, KolgraphConfig) else load_config(config)
    if cfg.brand.accounts or cfg.brand.keywords:
        return cfg.brand
    if ws is not None and AnalysisOutputs.exists(ws):
        raw = dict(AnalysisOutputs.load(ws).brand)
        if raw.get("accounts") or raw.get("keywords"):
            return BrandConfig(tuple(raw.get("accounts", ())), tuple(raw.get("keywords", ())), str(raw.get("name", "")))
    raise ConfigError("no brand given: pass a config file with a [brand] section (--config), or run "
                      "`kolgraph analyze` on the before workspace first")


def _calibration_params(config, params: CalibrationParams | None, **overrides: Any) -> CalibrationParams:
    if params is not None:
        extra = {k: v for k, v in overrides.items() if v is not None}
        return dataclasses.replace(params, **extra) if extra else params
    cfg = config if isinstance(config, KolgraphConfig) else load_config(config)
    whatif = cfg.section("whatif")
    q = overrides.pop("q", None) or whatif.get("q")
    return params_from_mapping(CalibrationParams, cfg.section("calibration"), "calibration", q=q, **overrides)


def calibrate_workspaces(before_ws, after_ws, candidate: str, *, brand: BrandConfig | None = None,
                         config: KolgraphConfig | str | os.PathLike | None = None,
                         params: CalibrationParams | None = None, model: Any = None, seed: int | None = None,
                         bootstrap: int | None = None, quiet: bool = True) -> CalibrationResult:
    """Calibrate from two workspaces: one built before and one after a known partnership with ``candidate``.

    The before workspace gives the graph, exposure and attitudes; stance is measured in each.
    The brand comes from ``brand``, else the config's ``[brand]``, else the before workspace's analysis.
    """
    bw, aw = _open(before_ws), _open(after_ws)
    brand = _resolve_brand(brand, config, bw)
    cp = _calibration_params(config, params, seed=seed, bootstrap=bootstrap)
    names = pd.Index(bw.vertices()["user_id"].astype("str"), dtype="str")
    net = WhatIfNetwork.from_edges(bw.edges(), names, listen_kinds=cp.listen_kinds)
    if net.index_of([candidate])[0] < 0:
        raise UnknownAccountError(f"unknown candidate account {candidate!r}: not a user in {bw.path}")
    s0, att = measure_period(bw.interactions(), brand, candidate, model=model, users=names, quiet=quiet)
    s1, _ = measure_period(aw.interactions(), brand, None, model=model, quiet=quiet)
    return calibrate(net, s0, s1, att, brand, candidate, params=cp)


def calibrate_cutoff(ws, cutoff: Any, candidate: str, *, brand: BrandConfig | None = None,
                     config: KolgraphConfig | str | os.PathLike | None = None,
                     params: CalibrationParams | None = None, model: Any = None, seed: int | None = None,
                     bootstrap: int | None = None, quiet: bool = True) -> CalibrationResult:
    """Calibrate from one workspace split at ``cutoff`` (epoch seconds or an ISO date/time, UTC if no zone).

    Rows before the cut-off make the before period (graph, exposure, attitudes, stance), rows at or
    after it the after period. Rows without a timestamp are left out (counted in the parameters).
    """
    from ..build.graph import collapse_interactions

    ws = _open(ws)
    brand = _resolve_brand(brand, config, ws)
    cp = _calibration_params(config, params, seed=seed, bootstrap=bootstrap)
    t = parse_time(cutoff, what="--cutoff")
    inter = ws.interactions()
    ts = inter["timestamp"].to_numpy(dtype=np.float64, na_value=np.nan)
    known = np.isfinite(ts)
    before = inter[known & (ts < t)].reset_index(drop=True)
    after = inter[known & (ts >= t)].reset_index(drop=True)
    if not len(before) or not len(after):
        raise ConfigError(f"cut-off {cutoff!r} leaves {len(before)} rows before and {len(after)} after; "
                          "choose a time inside the workspace's time range")
    names = pd.Index(ws.vertices()["user_id"].astype("str"), dtype="str")
    edges = collapse_interactions(before, names=names, kind_weights=ws.kind_weights)
    net = WhatIfNetwork.from_edges(edges, names, listen_kinds=cp.listen_kinds)
    if net.index_of([candidate])[0] < 0:
        raise UnknownAccountError(f"unknown candidate account {candidate!r}: not a user in {ws.path}")
    s0, att = measure_period(before, brand, candidate, model=model, users=names, quiet=quiet)
    s1, _ = measure_period(after, brand, None, model=model, quiet=quiet)
    res = calibrate(net, s0, s1, att, brand, candidate, params=cp)
    extra = {"cutoff_epoch": t, "rows_before": int(len(before)), "rows_after": int(len(after)),
             "rows_without_timestamp": int((~known).sum())}
    return dataclasses.replace(res, parameters={**res.parameters, **extra})
