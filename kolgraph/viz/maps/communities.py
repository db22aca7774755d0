"""The communities view: one node per community, links summing the interactions between them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..safe_html import fmt_int
from ...errors import AnalysisMissingError
from ...schema import KINDS
from .inputs import MapInputs
from .style import SIGN_COLOURS, SIGN_THRESHOLD, community_colour
from .tables import MapData, cap_edges, fmt_signed, tooltip_rows

__all__ = ["community_map"]


def community_map(inputs: MapInputs, *, max_nodes: int = 1000, max_edges: int = 5000) -> MapData:
    """One node per community (the ``max_nodes`` largest) and weighted links between communities.

    A link c -> d (per kind) sums the weights and counts of the edges from members of c to members
    of d; its sentiment is the count-weighted mean of the known edge sentiments. Node tooltips give
    size, stability, mean stance, brand-engagement share, internal share of weight and top members.
    """
    users = inputs.users
    community = users["community"].to_numpy()
    if not inputs.analysis or not (community >= 0).any():
        raise AnalysisMissingError("the communities map needs communities: run `kolgraph analyze WORKSPACE` first")
    k = int(community.max()) + 1
    sizes = np.bincount(community[community >= 0], minlength=k)
    stance = users["stance"].to_numpy(dtype="float64")
    known = (community >= 0) & np.isfinite(stance)
    stance_sum = np.bincount(community[known], weights=stance[known], minlength=k)
    stance_n = np.bincount(community[known], minlength=k)
    table = pd.DataFrame({"community": np.arange(k), "size": sizes})
    with np.errstate(invalid="ignore", divide="ignore"):
        table["mean_stance"] = np.where(stance_n > 0, stance_sum / np.maximum(stance_n, 1), np.nan)
    pr = users["pagerank"].fillna(0).to_numpy()
    table["pagerank"] = np.bincount(community[community >= 0], weights=pr[community >= 0], minlength=k)
    if inputs.communities is not None and "community" in inputs.communities:
        given = inputs.communities.copy()
        given["community"] = pd.to_numeric(given["community"], errors="coerce")
        given = given.dropna(subset=["community"]).astype({"community": np.int64})
        keep = [c for c in ("stability", "brand_engagement_share", "mean_stance", "top_members", "top_member_names")
                if c in given]
        table = table.drop(columns=[c for c in keep if c in table]).merge(given[["community", *keep]], on="community", how="left")
        if "top_member_names" in table:  # analysis writes "|"-joined ids and names
            table["top_members"] = table.pop("top_member_names")
        if "top_members" in table:
            members = table["top_members"].astype(object)
            table["top_members"] = members.where(members.notna(), "").astype(str).str.replace("|", ", ", regex=False)
    for column in ("stability", "brand_engagement_share"):
        if column not in table:
            table[column] = np.nan
    if "top_members" not in table:
        top = (users.loc[community >= 0].assign(_pr=pr[community >= 0]).sort_values("_pr", ascending=False)
               .groupby("community").head(3))
        names = top["display_name"].astype(object).where(top["display_name"].notna(), top["user_id"]).astype(str)
        table = table.merge(names.groupby(top["community"]).agg(", ".join).rename("top_members"),
                            left_on="community", right_index=True, how="left")
    # Internal share of interaction weight per community.
    src, dst = inputs.edges["src"].to_numpy(), inputs.edges["dst"].to_numpy()
    cs, cd = community[src], community[dst]
    w = inputs.edges["weight"].to_numpy()
    valid = (cs >= 0) & (cd >= 0)
    internal = np.bincount(cs[valid & (cs == cd)], weights=w[valid & (cs == cd)], minlength=k)
    touching = (np.bincount(cs[valid], weights=w[valid], minlength=k)
                + np.bincount(cd[valid & (cs != cd)], weights=w[valid & (cs != cd)], minlength=k))
    with np.errstate(invalid="ignore", divide="ignore"):
        table["internal_share"] = np.where(touching > 0, internal / np.maximum(touching, 1e-300), np.nan)
    order = np.argsort(-table["size"].to_numpy(), kind="stable")[:max_nodes]
    shown = table.iloc[order].reset_index(drop=True)
    chosen = np.zeros(k, dtype=bool)
    chosen[shown["community"].to_numpy()] = True
    # Links between drawn communities, per kind (groupby over integer keys: vectorised).
    between = valid & (cs != cd)
    between[between] = chosen[cs[between]] & chosen[cd[between]]
    kind_code = pd.Categorical(inputs.edges["kind"], categories=list(KINDS)).codes.astype(np.int64)
    sentiment = inputs.edges["sentiment"].to_numpy()
    count = inputs.edges["count"].to_numpy(dtype="float64")
    has_s = np.isfinite(sentiment)
    links = pd.DataFrame({"key": (cs[between] * k + cd[between]) * len(KINDS) + kind_code[between],
                          "weight": w[between], "count": count[between],
                          "s_sum": np.where(has_s, sentiment * count, 0.0)[between],
                          "s_n": np.where(has_s, count, 0.0)[between]}).groupby("key", sort=True).sum()
    key = links.index.to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        link_sentiment = np.where(links["s_n"] > 0, links["s_sum"] / np.maximum(links["s_n"], 1e-300), np.nan)
    link_table = pd.DataFrame({"src": "c" + pd.Series(key // len(KINDS) // k).astype(str),
                               "dst": "c" + pd.Series(key // len(KINDS) % k).astype(str),
                               "kind": np.array(KINDS, dtype=object)[key % len(KINDS)],
                               "count": links["count"].to_numpy().astype(np.int64),
                               "weight": links["weight"].to_numpy(), "sentiment": link_sentiment})
    total_links = len(link_table)
    link_table = cap_edges(link_table, max_edges).reset_index(drop=True)
    nodes = pd.DataFrame({"id": "c" + shown["community"].astype(str)})
    nodes["community"] = shown["community"].to_numpy()
    nodes["name"] = "Community " + shown["community"].astype(str)
    nodes["label"] = ("C" + shown["community"].astype(str) + " · " + shown["size"].map(fmt_int)).to_numpy()
    for column in ("size", "mean_stance", "stability", "brand_engagement_share", "internal_share", "top_members", "pagerank"):
        nodes[column] = shown[column].to_numpy()
    nodes["pagerank_pct"] = np.nan
    nodes["roles"] = ""
    nodes["role"] = ""
    nodes["shape"] = "dot"
    nodes["thick"] = False
    nodes["colour"] = community_colour(nodes["community"].to_numpy())
    sizes_shown = nodes["size"].to_numpy(dtype="float64")
    nodes["size_score"] = np.sqrt(sizes_shown / sizes_shown.max()) if len(nodes) else np.zeros(0)
    stance_text = nodes["mean_stance"].map(lambda v: "" if pd.isna(v) else f"stance {float(v):+.2f}")
    brand_text = nodes["brand_engagement_share"].map(lambda v: "" if pd.isna(v) else f"brand {100 * float(v):.0f}%")
    second_line = (stance_text + np.where((stance_text != "") & (brand_text != ""), " · ", "") + brand_text)
    nodes["label"] = nodes["label"] + np.where(second_line != "", "\n" + second_line, "")
    mean_stance = nodes["mean_stance"].to_numpy(dtype="float64")
    nodes["ring"] = np.where(mean_stance >= SIGN_THRESHOLD, SIGN_COLOURS["positive"],
                             np.where(mean_stance <= -SIGN_THRESHOLD, SIGN_COLOURS["negative"], "#ffffff"))
    share = lambda v: "" if pd.isna(v) else f"{100 * float(v):.1f}%"  # noqa: E731
    nodes["tooltip"] = tooltip_rows(nodes, [
        ("users", "size", fmt_int),
        ("mean brand stance", "mean_stance", fmt_signed),
        ("brand-engagement share", "brand_engagement_share", share),
        ("stability", "stability", lambda v: "" if pd.isna(v) else f"{float(v):.2f}"),
        ("share of weight inside", "internal_share", share),
        ("summed PageRank", "pagerank", lambda v: "" if pd.isna(v) else f"{float(v):.3g}"),
        ("top members", "top_members", None),
    ])
    notes = (f"Communities: {len(nodes):,} of {k:,} (the largest), {len(link_table):,} of {total_links:,} "
             "links between them (interactions summed per direction and kind; width = weight).",
             f"Left out: {k - len(nodes):,} smaller communities, {total_links - len(link_table):,} lighter links; "
             "links inside a community are not drawn (see each node's share of weight inside).")
    return MapData(mode="communities", nodes=nodes, edges=link_table, total_nodes=k, total_edges=total_links,
                   analysis=True, parameters={"max_nodes": max_nodes, "max_edges": max_edges}, notes=notes)

