"""Turn a workspace into answers: communities, centrality, brand stance, camps and roles with reasons.

:func:`analyze_workspace` runs every step of the methods page (sections 1-3) on a workspace made
by ``kolgraph build`` and writes, atomically, under ``WORKSPACE/analysis/``:

- ``users.parquet`` and ``users.csv``: one row per user, in vertex order. First the columns a
  strategist reads (user_id, display_name, community, community_confidence, pagerank,
  pagerank_pct, coreness, participation, betweenness, stance, stance_support, brand_affinity,
  roles, reasons), then the other metrics: camp, degree, brand_interactions, followers, verified,
  and every column of the centrality table (hub, authority, strengths per kind, counts,
  distinct_engagers).
- ``communities.csv``: community, size, stability, brand_engagement (interactions of non-brand
  members with brand accounts), brand_engagement_share, is_brand_community, mean_stance (mean over
  members with stance support > 0; NaN if none), stance_users (how many), core_fans, critics,
  top_members (the five highest-PageRank members' ids, "|"-joined) and top_member_names.
- ``attitudes.parquet``: the signed attitude table (src, dst, attitude, support).
- ``interaction_sentiment.parquet``: per kept interaction row: ``row`` (0-based row of the
  workspace's ``interactions.parquet``, to join on for src, dst, kind and text), ``post_id``
  (the post it comes from, where the input has one), sentiment used (NaN unknown),
  sentiment_source (input / model / none), attitude (the value the row adds to its pair's
  attitude, NaN none) and attitude_source (reply_model / sentiment / endorsement / none; see
  :func:`~kolgraph.algorithms.stance.interaction_attitude_values`) and brand_directed. The ids are not
  repeated here: at 10M rows they would cost more to write than everything else in this file.
- ``analysis.json``: parameters, brand, seed, the critic seeds used and why, summary counts and
  the time per step. The run is also recorded in the workspace manifest (``results.analysis``).

Camps: brand affinity comes from :func:`kolgraph.algorithms.camps.camp_affinity` over reposts,
seeded with the brand accounts on one side and critic seeds on the other. The critic seeds are
the accounts given by the user (``critic_accounts``, ``--critic-account``); when none are given,
the detected critic KOLs; when there are none, the (up to) ``AUTO_CRITIC_SEEDS`` critics with the
highest PageRank; when there are no critics either, no critic seeds (one-sided affinity: > 0 means
closer to the brand accounts than a random account is). Without brand accounts (keywords only),
camps are skipped and brand_affinity is NaN.

Parameters come from the config file's sections ``[brand]``, ``[stance]`` (:class:`StanceParams`),
``[communities]`` (:class:`CommunityParams`), ``[roles]`` (:class:`RoleParams`) and ``[camps]``
(:class:`CampParams`); keyword arguments (the CLI options) override them.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from .._io import to_jsonable
from ..algorithms.projection import edge_arrays_from
from ..algorithms.roles import ROLE_TAGS, RoleParams, assign_roles
from ..algorithms.stance import (
    StanceParams,
    attitudes,
    brand_directed,
    index_texts,
    attitude_rows,
    interaction_sentiment,
    kind_mask,
    user_stance,
)
from ..build.workspace import Workspace, as_workspace
from .outputs import write_analysis
from ..config import BrandConfig, KolgraphConfig, as_config, params_from_mapping, resolve_brand
from ..progress import progress
from ..errors import ConfigError, UnknownAccountError

__all__ = ["CommunityParams", "AnalysisResult", "analyze_workspace", "USER_COLUMNS", "COMMUNITY_COLUMNS",
           "AUTO_CRITIC_SEEDS", "COMMUNITY_METHODS"]

#: The leading columns of users.parquet / users.csv (more metric columns follow).
USER_COLUMNS: tuple[str, ...] = (
    "user_id", "display_name", "community", "community_confidence", "pagerank", "pagerank_pct", "coreness",
    "participation", "betweenness", "stance", "stance_support", "brand_affinity", "roles", "reasons",
)
COMMUNITY_COLUMNS: tuple[str, ...] = (
    "community", "size", "stability", "brand_engagement", "brand_engagement_share", "is_brand_community",
    "mean_stance", "stance_users", "core_fans", "critics", "top_members", "top_member_names",
)
#: Critic seeds picked automatically when the user gives none and no critic KOL is found.
AUTO_CRITIC_SEEDS = 5
COMMUNITY_METHODS = ("leiden", "louvain", "label_propagation")
_TOP_MEMBERS = 5
_STEPS = ("load", "sentiment", "stance", "communities", "centrality", "roles", "camps", "write")


@dataclass(frozen=True)
class CommunityParams:
    """Community detection for the analysis (config section ``[communities]``).

    ``method``: leiden (default), louvain or label_propagation, on the weighted undirected
    projection; ``resolution`` > 0 (modularity resolution); ``runs``: seeds of the consensus
    (>= 1; 1 means a single run, without confidence and stability). Left unset, ``runs`` is 10 on
    graphs of at most ``consensus_max_users`` users and 1 above: each run costs a full Leiden pass
    (about 30 s at 1M users on this project's 2-core machine), so the default keeps a 1M-user analysis
    within minutes; set ``runs`` to get confidence and stability at any size.
    """

    method: str = "leiden"
    resolution: float = 1.0
    runs: int | None = None
    consensus_max_users: int = 200_000

    def runs_for(self, n_users: int) -> int:
        """The number of runs used on a graph of ``n_users`` users."""
        if self.runs is not None:
            return self.runs
        return 10 if n_users <= self.consensus_max_users else 1

    def __post_init__(self) -> None:
        if self.method not in COMMUNITY_METHODS:
            raise ValueError(f"method must be one of {', '.join(COMMUNITY_METHODS)}, got {self.method!r}")
        if not (math.isfinite(float(self.resolution)) and float(self.resolution) > 0):
            raise ValueError(f"resolution must be > 0, got {self.resolution!r}")
        if self.runs is not None:
            if isinstance(self.runs, bool) or int(self.runs) != self.runs or self.runs < 1:
                raise ValueError(f"runs must be a positive integer, got {self.runs!r}")
            object.__setattr__(self, "runs", int(self.runs))
        object.__setattr__(self, "resolution", float(self.resolution))


@dataclass(frozen=True)
class AnalysisResult:
    """What :func:`analyze_workspace` computed and where it wrote it."""

    workspace: Path
    users: pd.DataFrame = field(repr=False)
    communities: pd.DataFrame = field(repr=False)
    attitudes: pd.DataFrame = field(repr=False)
    parameters: Mapping[str, Any] = field(repr=False)
    summary: Mapping[str, Any] = field(repr=False)
    files: Mapping[str, Path] = field(default_factory=dict)
    run_id: str | None = None

    def holders(self, tag: str) -> pd.DataFrame:
        """Users holding a role tag, highest PageRank first."""
        return self.users[self.users[f"is_{tag}"].to_numpy(dtype=bool)].sort_values(["pagerank", "user_id"],
                                                                          ascending=[False, True])

    def to_json(self, top: int = 10) -> dict[str, Any]:
        """What ``kolgraph analyze --json`` prints: run, parameters, summary, top holders per role, files."""
        def holders(tag: str) -> list[dict[str, Any]]:
            cols = ["user_id", "display_name", "pagerank_pct", "stance", "stance_support", "community", "reasons"]
            part = self.holders(tag).head(top)
            return to_jsonable(part[[c for c in cols if c in part]].astype(object)
                               .where(part[[c for c in cols if c in part]].notna(), None).to_dict("records"))

        return to_jsonable({
            "workspace": str(self.workspace), "run_id": self.run_id, "summary": dict(self.summary),
            "parameters": dict(self.parameters),
            "top": {tag: holders(tag) for tag in ("kol", "core_fan", "critic", "critic_kol", "bridge")},
            "brand_communities": self.communities[self.communities["is_brand_community"]]
            .astype(object).to_dict("records"),
            "files": {k: str(v) for k, v in self.files.items()},
        })

    def summary_lines(self, top: int = 5) -> list[str]:
        """A short plain-text summary: counts per role, top KOLs, core fans, critics, brand communities."""
        s = self.summary
        lines = [f"analysis of {self.workspace}: {s['users']:,} users, {s['communities']:,} communities "
                 f"(modularity {s['modularity']:.3f}), seed {self.parameters['seed']}"]
        lines.append("roles: " + ", ".join(f"{tag} {s['roles'][tag]:,}" for tag in ROLE_TAGS))
        lines += [f"  no {tag}: {why}" for tag, why in s.get("empty_roles", {}).items()]
        users = self.users

        def listing(tag: str, title: str) -> None:
            mask = users[f"is_{tag}"].to_numpy(dtype=bool)
            part = users[mask].sort_values(["pagerank", "user_id"], ascending=[False, True]).head(top)
            lines.append(f"{title} ({int(mask.sum()):,}):")
            if not len(part):
                lines.append("  (none)")
                return
            lines.append(f"  {'user_id':<22} {'display_name':<16} {'pagerank_pct':>12} {'stance':>7} "
                         f"{'support':>7} {'community':>9}")
            for row in part.itertuples(index=False):
                name = "" if pd.isna(row.display_name) else str(row.display_name)
                lines.append(f"  {str(row.user_id)[:22]:<22} {name[:16]:<16} {row.pagerank_pct:>12.2f} "
                             f"{row.stance:>7.2f} {int(row.stance_support):>7d} {int(row.community):>9d}")

        listing("kol", "top KOLs")
        listing("core_fan", "top core fans")
        listing("critic", "top critics")
        brand = self.communities[self.communities["is_brand_community"]]
        lines.append(f"brand communities ({len(brand)}):")
        for row in brand.itertuples(index=False):
            lines.append(f"  community {row.community}: {row.size:,} users, {row.brand_engagement_share:.0%} of "
                         f"brand engagement, mean stance {row.mean_stance:.2f}, top {row.top_members}")
        lines.append(f"outputs: {self.workspace / 'analysis'}")
        return lines


def _resolve_model(stance_model: Any) -> tuple[Any, dict[str, Any]]:
    """(model or None for the lazily loaded default, a description for analysis.json)."""
    if stance_model is None:
        return None, {"model": "default (kolgraph/models/sentiment_default.npz)"}
    if isinstance(stance_model, (str, os.PathLike)):
        from ..algorithms.sentiment import SentimentModel

        model = SentimentModel.load(stance_model)
        return model, {"model": str(stance_model), "corpus": getattr(model, "corpus", "")}
    return stance_model, {"model": type(stance_model).__name__}


def _check_accounts(names: pd.Index, accounts: Iterable[str], what: str, option: str) -> None:
    accounts = list(accounts)
    missing = [a for a in accounts if a not in set(names[names.isin(accounts)])]
    if not missing:
        return
    lower = pd.Series(names.str.lower(), index=names)
    hints = []
    for a in missing:  # bounded by the accounts named by the user, not by the graph
        close = lower.index[lower.to_numpy() == a.lower()]
        if len(close):
            hints.append(f"{a!r} -> did you mean {close[0]!r}?")
    hint = (" (" + "; ".join(hints) + ")") if hints else ""
    raise UnknownAccountError(f"{what} not in the graph: {', '.join(map(repr, missing))}{hint}; user ids are "
                              f"case-sensitive: check {option}")


# --------------------------------------------------------------------------- the analysis


def analyze_workspace(
    ws_or_path: Workspace | str | os.PathLike,
    brand: BrandConfig | Mapping[str, Any] | None = None,
    *,
    config: KolgraphConfig | str | os.PathLike | None = None,
    critic_accounts: Iterable[str] = (),
    stance_model: Any = None,
    seed: int = 0,
    resolution: float | None = None,
    runs: int | None = None,
    community_method: str | None = None,
    k0: float | None = None,
    role_params: RoleParams | None = None,
    write: bool = True,
    quiet: bool = True,
) -> AnalysisResult:
    """Analyse a workspace: sentiment, stance, attitudes, communities, centrality, roles, camps.

    ``brand`` adds accounts / keywords to the config file's ``[brand]``; a brand account missing
    from the graph raises :class:`~kolgraph.schema.UnknownAccountError`, no brand at all a
    :class:`~kolgraph.schema.ConfigError`. ``stance_model``: a model file path, a loaded model, or
    ``None`` for the shipped one (only loaded if some text needs scoring). ``seed`` drives every
    random step (communities, sampled betweenness, camps). Keyword arguments override the config
    file's sections. With ``write=False`` nothing is written (the tables are returned).

    Example::

        res = analyze_workspace("ws", BrandConfig(accounts=("lanyou_official",)), seed=0)
        print("\\n".join(res.summary_lines()))
    """
    if isinstance(seed, bool) or int(seed) != seed or seed < 0:
        raise ConfigError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    ws = as_workspace(ws_or_path)
    cfg = as_config(config)
    brand = resolve_brand(brand, cfg)
    stance_params = params_from_mapping(StanceParams, cfg.section("stance"), "stance", k0=k0)
    comm_params = params_from_mapping(CommunityParams, cfg.section("communities"), "communities",
                                      method=community_method, resolution=resolution, runs=runs)
    if role_params is None:
        role_params = params_from_mapping(RoleParams, cfg.section("roles"), "roles")
    from ..algorithms.camps import CampParams

    camp_params = params_from_mapping(CampParams, cfg.section("camps"), "camps")
    critic_accounts = tuple(dict.fromkeys(str(a).strip() for a in critic_accounts if str(a).strip()))
    model, model_info = _resolve_model(stance_model)

    timings: dict[str, float] = {}
    bar = progress(total=len(_STEPS), quiet=quiet, desc="analyze", unit="step")
    clock = [time.perf_counter()]

    def step(name: str) -> None:
        bar.set_postfix_str(name)

    def done(name: str) -> None:
        now = time.perf_counter()
        timings[name] = round(now - clock[0], 3)
        clock[0] = now
        bar.update()

    jobs: list[Any] = []  # work started in worker processes; stopped if the analysis fails first
    try:
        # ---- load
        step("load")
        vertices = ws.vertices()
        known_ids = pd.Index(vertices["user_id"].astype("str"))  # every user of a workspace (checked first: cheap)
        _check_accounts(known_ids, brand.accounts, "brand account(s)", "--brand-account or [brand] accounts")
        _check_accounts(known_ids, critic_accounts, "critic account(s)", "--critic-account")
        both = sorted(set(brand.accounts) & set(critic_accounts))
        if both:
            raise ConfigError(f"account(s) given both as brand and as critic: {', '.join(map(repr, both))}")
        # the graph steps run on the workspace's edge arrays (graph.npz): no igraph multigraph is built
        arrays = ws.graph_arrays()
        names = pd.Index(vertices["user_id"].astype("str"), dtype="str", name="user_id")
        cols = ["src", "dst", "kind", "text", "sentiment"]
        inter = ws.interactions(columns=cols + ["post_id"])  # post_id: trace each row's sentiment to its post
        codes = ws.interaction_codes()  # looked up at build time, in the rows' order
        e_src, e_dst = arrays["src"], arrays["dst"]
        edges = edge_arrays_from(arrays, names)  # one conversion; the graph steps share it and its projection
        tie_a, tie_b, tie_w = edges.undirected
        n = len(names)
        community_runs = comm_params.runs_for(n)
        # community detection (a single run) and betweenness need only the edge arrays: on large
        # graphs worker processes start them now and run them while sentiment and stance are
        # computed here; the communities and centrality steps collect them (the same values)
        from ..algorithms.betweenness import start_betweenness
        from ..algorithms.communities import consensus_communities, start_communities

        if community_runs == 1:
            jobs.append(start_communities(edges, method=comm_params.method, resolution=comm_params.resolution,
                                          seed=seed))
        jobs.append(start_betweenness(edges, seed=seed, quiet=quiet))
        community_job = jobs[0] if community_runs == 1 else None
        betweenness_job = jobs[-1]
        done("load")

        # ---- sentiment
        step("sentiment")
        text_index = index_texts(inter)
        directed = brand_directed(inter, brand, text_index=text_index, users=names, codes=codes)
        if len(inter) and not directed.any():
            raise ConfigError(
                "no interaction is brand-directed: "
                + (f"no one interacts with the brand account(s) {', '.join(brand.accounts)}" if brand.accounts
                   else "no brand account given")
                + (f" and no post text names {', '.join(map(repr, brand.keywords))}" if brand.keywords
                   else " and no brand keyword given")
                + "; check --brand-account / --brand-keyword (ids and keywords as they appear in the data)")
        need = directed | kind_mask(inter["kind"], stance_params.attitude_kinds)
        given = ~np.isnan(pd.to_numeric(inter["sentiment"], errors="coerce").to_numpy(dtype="float64",
                                                                                      na_value=np.nan))
        if model is None and (need & ~given & (text_index.codes >= 0)).any():
            from ..algorithms.sentiment import load_default_model

            model = load_default_model()
            meta = getattr(model, "metadata", {}) or {}
            model_info["corpus"] = meta.get("corpus", "")
        sentiment = interaction_sentiment(inter, model, mask=need, text_index=text_index, quiet=quiet)
        known = ~np.isnan(sentiment)
        source = np.where(given, 1, np.where(known, 2, 0)).astype(np.int8)
        model_info["rows_scored_by_model"] = int((source == 2).sum())
        reply_att, att_values, att_source, att_info = attitude_rows(inter, sentiment, stance_params,
                                                                    text_index=text_index, sentiment_model=model)
        model_info.update(att_info)
        done("sentiment")

        # ---- stance and attitudes
        step("stance")
        stance = user_stance(inter, sentiment, brand, k0=stance_params.k0, users=names, directed=directed,
                             exclude_brand_internal=stance_params.exclude_brand_internal, codes=codes,
                             repost_endorsement=stance_params.repost_endorsement,
                             hostile_below=stance_params.hostile_below, min_support=stance_params.min_support)
        att = attitudes(inter, sentiment, k0=stance_params.k0, kinds=stance_params.attitude_kinds, users=names,
                        codes=codes, attitude=reply_att, repost_endorsement=stance_params.repost_endorsement,
                        hostile_below=stance_params.hostile_below, attitude_source=att_info["attitude_source"])
        e_count = arrays["count"].astype("float64")
        brand_dst = np.zeros(n, dtype=bool)
        if brand.accounts:
            brand_dst[names.get_indexer(list(brand.accounts))] = True
        to_brand = brand_dst[e_dst] & (e_src != e_dst)
        brand_interactions = np.bincount(e_src[to_brand], weights=e_count[to_brand], minlength=n).astype(np.int64)
        degree = (np.bincount(tie_a, minlength=n) + np.bincount(tie_b, minlength=n)).astype(np.int64)
        done("stance")

        # ---- communities
        step("communities")
        if community_runs > 1:
            comm = consensus_communities(None, method=comm_params.method, runs=community_runs, seed=seed,
                                         resolution=comm_params.resolution, edges=edges)
            confidence = np.asarray(comm.confidence, dtype="float64")
            comm_frame = comm.community_frame()
            stability = pd.Series(comm_frame["stability"].to_numpy(dtype="float64"),
                                  index=comm_frame["community"].to_numpy())
        else:
            comm = community_job.result()  # detect_communities on the edges (see the load step)
            confidence = np.full(n, np.nan)
            stability = pd.Series(dtype="float64")
        membership = np.asarray(comm.membership, dtype=np.int64)
        done("communities")

        # ---- centrality
        step("centrality")
        from ..algorithms.centrality import centrality_table

        cent_result = centrality_table(None, membership=membership, seed=seed, quiet=quiet, edges=edges,
                                       betweenness_job=betweenness_job,
                                       coreness=community_job.coreness if community_job is not None else None)
        cent = cent_result.to_frame()
        cent = cent.set_index(cent["user_id"].astype("str")).reindex(names).reset_index(drop=True)
        cent = cent.drop(columns=["user_id"])
        edges.release_graph()  # the igraph projection served communities and coreness; free it
        done("centrality")

        # ---- roles
        step("roles")
        metrics = pd.DataFrame({"user_id": pd.array(names, dtype="str"), "community": membership,
                                "community_confidence": confidence})
        metrics = pd.concat([metrics, cent], axis=1)
        st = stance.to_frame()
        metrics["stance"] = st["stance"].to_numpy()
        metrics["stance_support"] = st["stance_support"].to_numpy()
        metrics["degree"] = degree
        metrics["brand_interactions"] = brand_interactions
        links = (tie_a[tie_w > 0], tie_b[tie_w > 0], tie_w[tie_w > 0])  # the projection: one tie per pair
        roles = assign_roles(metrics, brand_accounts=brand.accounts, params=role_params, links=links)
        done("roles")

        # ---- camps
        step("camps")
        critic_seeds, seed_rule = _critic_seeds(critic_accounts, roles, metrics)
        if brand.accounts:
            from ..algorithms.camps import camp_affinity

            camps = camp_affinity(None, brand.accounts, critic_seeds, kinds=("repost",), seed=seed, edges=edges,
                                  layout=membership,  # communities side by side: faster products
                                  **dataclasses.asdict(camp_params))
            camp_frame = camps.to_frame().reindex(names)
            affinity = camp_frame["affinity"].to_numpy(dtype="float64")
            camp = camp_frame["camp"].astype("str").to_numpy()
            camp_info = {"method": camps.method, "parameters": dict(camps.parameters),
                         "brand_seeds": list(camps.brand_seeds), "critic_seeds": list(camps.critic_seeds),
                         "critic_seed_rule": seed_rule, "contested_seeds": list(camps.contested_seeds)}
        else:
            affinity = np.full(n, np.nan)
            camp = np.full(n, "none", dtype=object)
            camp_info = {"skipped": "no brand accounts (keywords only): camps need brand accounts as seeds",
                         "critic_seed_rule": seed_rule}
        done("camps")

        # ---- tables
        step("write")
        users = _users_table(metrics, vertices, names, roles, affinity, camp)
        communities = _communities_table(users, roles, stability)
        sent_table = pd.DataFrame({
            "row": np.arange(len(inter), dtype=np.int64),
            "post_id": inter["post_id"].astype("str").reset_index(drop=True),
            "sentiment": sentiment,
            "sentiment_source": pd.Categorical.from_codes(source, categories=["none", "input", "model"]),
            "attitude": att_values,
            "attitude_source": att_source,
            "brand_directed": directed,
        })
        att_frame = att.to_frame()
        summary = {
            "users": int(n), "interactions": int(len(inter)), "edges": int(len(e_src)),
            "communities": int(len(communities)), "modularity": float(getattr(comm, "modularity", float("nan"))),
            "brand_communities": [int(c) for c in roles.brand_communities],
            "roles": {tag: int(v) for tag, v in roles.counts().items()},
            "empty_roles": dict(roles.empty_reasons),
            "brand_directed_interactions": int(directed.sum()),
            "sentiment_rows": {"input": int((source == 1).sum()), "model": int((source == 2).sum()),
                               "unknown": int((source == 0).sum())},
            "users_with_stance": int((stance.support > 0).sum()),
            "attitude_pairs": int(len(att_frame)),
            "camps": ({c: int(v) for c, v in pd.Series(camp).value_counts().sort_index().items()}),
        }
        parameters = {
            "seed": seed, "brand": brand.to_dict(), "critic_accounts": list(critic_accounts),
            "stance": {**dataclasses.asdict(stance_params), "attitude_kinds": list(stance_params.attitude_kinds),
                       **model_info},
            "communities": {**dataclasses.asdict(comm_params), "runs_used": community_runs,
                            "result_method": getattr(comm, "method", None),
                            "result_parameters": to_jsonable(getattr(comm, "parameters", {}))},
            "centrality": {"method": to_jsonable(getattr(cent_result, "method", None)),
                           "parameters": to_jsonable(getattr(cent_result, "parameters", {}))},
            "roles": to_jsonable(dict(roles.parameters)),
            "camps": to_jsonable(camp_info),
        }
        files: dict[str, Path] = {}
        run_id = None
        if write:
            info = {"parameters": parameters, "summary": summary, "timings_seconds": timings}
            run_id, files = write_analysis(ws, users=users, role_flags=roles.flags, communities=communities,
                                           attitudes=att_frame, interaction_sentiment=sent_table, info=info)
            ws.record_result("analysis", {**parameters, "summary": summary, "run_id": run_id,
                                          "files": {k: str(Path(v).relative_to(ws.path)) for k, v in files.items()}})
        done("write")
    finally:
        bar.close()
        for job in jobs:
            job.cancel()  # a no-op once collected
    flagged = users.assign(**{f"is_{tag}": np.asarray(roles.flags[tag], dtype=bool) for tag in ROLE_TAGS})
    return AnalysisResult(workspace=ws.path, users=flagged, communities=communities, attitudes=att_frame,
                          parameters={**parameters, "timings_seconds": timings}, summary=summary, files=files,
                          run_id=run_id)


def _critic_seeds(given: tuple[str, ...], roles, metrics: pd.DataFrame) -> tuple[tuple[str, ...], str]:
    """The critic seeds for camps and the rule that chose them (module docstring)."""
    if given:
        return given, "given by the user (--critic-account)"
    pr = metrics["pagerank"].to_numpy(dtype="float64")
    ids = metrics["user_id"].to_numpy()

    def by_pagerank(mask: np.ndarray, k: int | None = None) -> tuple[str, ...]:
        idx = np.flatnonzero(mask)
        idx = idx[np.lexsort((ids[idx].astype(str), -np.nan_to_num(pr[idx])))]
        return tuple(str(x) for x in ids[idx[:k] if k else idx])

    critic_kols = by_pagerank(roles.flags["critic_kol"])
    if critic_kols:
        return critic_kols, "the detected critic KOLs"
    critics = by_pagerank(roles.flags["critic"], AUTO_CRITIC_SEEDS)
    if critics:
        return critics, f"no critic KOL: the {len(critics)} critics with the highest PageRank"
    return (), "no critic found: one-sided affinity (brand seeds against a uniform reference)"


def _users_table(metrics: pd.DataFrame, vertices: pd.DataFrame, names: pd.Index, roles, affinity: np.ndarray,
                 camp: np.ndarray) -> pd.DataFrame:
    users = metrics.copy(deep=False)  # copy-on-write: the columns set below leave ``metrics`` as it is
    vt = vertices.set_index(vertices["user_id"].astype("str")).reindex(names)
    for col in ("display_name", "followers", "verified"):
        users[col] = vt[col].to_numpy() if col in vt else np.nan
    users["display_name"] = users["display_name"].astype("str")
    rf = roles.to_frame()
    users["roles"] = rf["roles"].to_numpy()
    users["reasons"] = rf["reasons"].to_numpy()
    users["roles"] = users["roles"].astype("str")
    users["reasons"] = users["reasons"].astype("str")
    users["brand_affinity"] = affinity
    users["camp"] = pd.array(camp, dtype="str")
    for col in USER_COLUMNS:
        if col not in users:
            users[col] = np.nan
    first = list(USER_COLUMNS) + ["camp", "degree", "brand_interactions", "followers", "verified"]
    rest = [c for c in users.columns if c not in first]
    return users[first + rest].reset_index(drop=True)


def _communities_table(users: pd.DataFrame, roles, stability: pd.Series) -> pd.DataFrame:
    comm = users["community"].to_numpy(dtype=np.int64)
    k = int(comm.max()) + 1 if len(comm) else 0
    ct = roles.communities.set_index("community").reindex(range(k))
    size = np.bincount(comm, minlength=k)
    has = users["stance_support"].to_numpy() > 0
    st_sum = np.bincount(comm[has], weights=users["stance"].to_numpy(dtype="float64")[has], minlength=k)
    st_n = np.bincount(comm[has], minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_stance = np.where(st_n > 0, st_sum / np.maximum(st_n, 1), np.nan)
    fans = np.bincount(comm, weights=roles.flags["core_fan"], minlength=k).astype(np.int64)
    critics = np.bincount(comm, weights=roles.flags["critic"], minlength=k).astype(np.int64)
    # top members: sort by (community, -pagerank, user_id), keep the first five per community
    order = np.lexsort((users["user_id"].to_numpy().astype(str), -users["pagerank"].to_numpy(dtype="float64"), comm))
    ranked = users.iloc[order]
    pos = ranked.groupby("community", sort=False).cumcount().to_numpy()
    top = ranked[pos < _TOP_MEMBERS]
    top_pos = pos[pos < _TOP_MEMBERS]
    names = top["display_name"].astype("str").fillna("")
    ids_wide = pd.DataFrame({"community": top["community"].to_numpy(), "pos": top_pos,
                             "id": top["user_id"].astype("str").to_numpy(), "name": names.to_numpy()})
    ids_p = ids_wide.pivot(index="community", columns="pos", values="id").reindex(range(k))
    names_p = ids_wide.pivot(index="community", columns="pos", values="name").reindex(range(k))

    def joined(p: pd.DataFrame) -> np.ndarray:
        import pyarrow as pa
        import pyarrow.compute as pc

        if p.shape[1] == 0:
            return np.full(k, "", dtype=object)
        arrays = [pa.array(p[c].astype(object).where(p[c].notna(), None).tolist(), pa.string()) for c in p.columns]
        lead = pa.array([""] * k, pa.string())
        out = pc.utf8_slice_codeunits(pc.binary_join_element_wise(lead, *arrays, "|", null_handling="skip"), 1)
        return np.asarray(out.to_pylist(), dtype=object)

    frame = pd.DataFrame({
        "community": np.arange(k, dtype=np.int64),
        "size": size.astype(np.int64),
        "stability": stability.reindex(range(k)).to_numpy(dtype="float64") if len(stability) else np.full(k, np.nan),
        "brand_engagement": ct["brand_engagement"].fillna(0).to_numpy(dtype=np.int64),
        "brand_engagement_share": ct["brand_engagement_share"].fillna(0.0).to_numpy(dtype="float64"),
        "is_brand_community": ct["is_brand"].fillna(False).to_numpy(dtype=bool),
        "mean_stance": mean_stance,
        "stance_users": st_n.astype(np.int64),
        "core_fans": fans,
        "critics": critics,
        "top_members": pd.array(joined(ids_p), dtype="str"),
        "top_member_names": pd.array(joined(names_p), dtype="str"),
    })
    return frame[frame["size"] > 0].reset_index(drop=True)[list(COMMUNITY_COLUMNS)]
