"""Test data for the map and report tests: a small planted workspace with a fabricated analysis.

The workspace has three communities around three KOLs, a brand account, a critic KOL whose
display name is an XSS payload, and users whose names try the other ways out of HTML and script
contexts. The analysis table is fabricated here (PageRank from igraph, planted communities, roles
by simple rules) with the columns ``kolgraph analyze`` writes, so these tests do not depend on it.
"""

from __future__ import annotations

from pathlib import Path

import igraph as ig
import numpy as np
import pandas as pd

from kolgraph.build.workspace import build_workspace, open_workspace

#: The payloads: each must appear on pages as literal text and never run.
XSS_NAME = '<img src=x onerror="window.__kolgraph_pwned=1;alert(1)">'
SCRIPT_NAME = "</script><script>window.__kolgraph_pwned=2</script>"
COMMENT_NAME = "<!-- <script>window.__kolgraph_pwned=3</script>"
QUOTE_NAME = "\"'&amp; \u2028 老王说"
REASON_PAYLOAD = "<b>bold</b> & <svg onload=window.__kolgraph_pwned=4>"

COMMUNITY_SIZE = 40


def planted_event(seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Interactions and users of a small event with three communities and known special users."""
    rng = np.random.default_rng(seed)
    rows = []
    users = []
    kols = ["kol_a", "critic_kol", "kol_c"]
    for c, kol in enumerate(kols):
        members = [f"u{c}_{i}" for i in range(COMMUNITY_SIZE)]
        users += [(m, f"fan {c}-{i}", int(rng.integers(10, 5000))) for i, m in enumerate(members)]
        for m in members:
            rows += [(m, kol, "repost", rng.uniform(-0.2, 0.8))] * int(rng.integers(1, 4))
            for other in rng.choice(members, size=3, replace=False):
                if other != m:
                    rows.append((m, other, rng.choice(["repost", "reply", "mention"]), rng.uniform(-1, 1)))
            if c != 1:
                rows.append((m, "brand", "reply", rng.uniform(0.2, 1.0)))
            else:
                rows.append((m, "brand", "reply", rng.uniform(-1.0, -0.2)))
        rows.append((kol, "brand", "mention", 0.5 if c != 1 else -0.9))
    # A few bridges between communities.
    for i in range(5):
        rows += [(f"u0_{i}", "kol_c", "repost", 0.3), (f"u2_{i}", "kol_a", "repost", 0.4)]
    rows += [("u1_0", "kol_a", "reply", -0.8), ("kol_a", "kol_a", "repost", 0.0)]
    users += [("brand", "星澜 official", 4_200_000), ("kol_a", QUOTE_NAME, 900_000),
              ("critic_kol", XSS_NAME, 700_000), ("kol_c", SCRIPT_NAME, 650_000)]
    users = [(u, COMMENT_NAME if u == "u2_3" else name, f) for u, name, f in users]
    frame = pd.DataFrame(rows, columns=["src", "dst", "kind", "sentiment"])
    frame["timestamp"] = 1.7e9 + np.arange(len(frame), dtype="float64")
    return frame, pd.DataFrame(users, columns=["user_id", "display_name", "followers"])


def fabricate_analysis(ws) -> pd.DataFrame:
    """An analysis users table with the columns ``kolgraph analyze`` writes (planted, not inferred)."""
    g = ws.graph()
    names = np.asarray(g.vs["name"], dtype=object)
    g.delete_edges([e.index for e in g.es if e.source == e.target])
    pr = np.asarray(g.pagerank(weights="weight"))
    community = np.array([0 if n in ("kol_a", "brand") else 1 if n == "critic_kol" else 2 if n == "kol_c"
                          else int(n[1]) for n in names])
    rng = np.random.default_rng(3)
    stance = np.where(community == 1, rng.uniform(-0.9, -0.2, len(names)), rng.uniform(0.0, 0.9, len(names)))
    lukewarm = np.isin(names, [f"u0_{i}" for i in range(30, 35)])
    stance[lukewarm] = 0.03  # barely positive: a partnership with the critic KOL can turn them
    roles = np.full(len(names), "", dtype=object)
    order = np.argsort(-pr)
    roles[order[:4]] = "kol"
    roles[names == "brand"] = "brand_account"
    roles[names == "critic_kol"] = "critic_kol|critic"
    fans = (community != 1) & (stance > 0.5) & (roles == "")
    roles[fans] = "core_fan"
    critics = (community == 1) & (stance < -0.6) & (roles == "")
    roles[critics] = "critic"
    roles[np.isin(names, ["u0_0", "u2_0"])] = "brand_bridge|bridge"
    reasons = np.where(roles != "", "PageRank pct 99 >= 99; " + roles.astype(str), "").astype(object)
    reasons[names == "critic_kol"] = REASON_PAYLOAD
    ug = ig.Graph(n=g.vcount(), edges=g.get_edgelist(), directed=False)
    table = pd.DataFrame({
        "user_id": names.astype(str), "display_name": g.vs["display_name"], "community": community,
        "community_confidence": rng.uniform(0.6, 1.0, len(names)), "pagerank": pr,
        "pagerank_pct": pd.Series(pr).rank(pct=True).to_numpy() * 100, "coreness": ug.coreness(),
        "participation": rng.uniform(0, 0.6, len(names)), "betweenness": rng.uniform(0, 0.05, len(names)),
        "stance": stance, "stance_support": rng.integers(0, 8, len(names)).astype(float),
        "brand_affinity": rng.uniform(-1, 1, len(names)), "roles": roles, "reasons": reasons,
    })
    communities = (table.groupby("community")
                   .agg(size=("user_id", "size"), mean_stance=("stance", "mean"))
                   .reset_index())
    communities["stability"] = [0.95, 0.9, 0.85]
    communities["brand_engagement"] = [40, 41, 40]
    communities["brand_engagement_share"] = [0.5, 0.3, 0.2]
    communities["is_brand_community"] = [True, False, False]
    communities["core_fans"] = [int((roles[community == c] == "core_fan").sum()) for c in range(3)]
    communities["critics"] = [int(np.char.find(roles[community == c].astype(str), "critic").__ge__(0).sum())
                              for c in range(3)]
    communities["top_members"] = ["kol_a|brand", "critic_kol|u1_1", "kol_c|u2_1"]
    communities["top_member_names"] = [f"{QUOTE_NAME}|星澜 official", f"{XSS_NAME}|fan 1-1", f"{SCRIPT_NAME}|fan 2-1"]
    # Attitudes as the methods page defines them: shrunk mean sentiment of replies and mentions (k0 = 2).
    inter = ws.interactions(["src", "dst", "kind", "sentiment"])
    said = inter[inter["kind"].astype(str).isin(["reply", "mention"])].groupby(["src", "dst"], observed=True)
    attitudes = pd.DataFrame({"total": said["sentiment"].sum(), "support": said["sentiment"].count()}).reset_index()
    attitudes["attitude"] = attitudes["total"] / (attitudes["support"] + 2.0)
    attitudes = attitudes[["src", "dst", "attitude", "support"]].astype({"support": float})
    # Core fans of the brand community dislike the critic KOL (the what-if's betrayal case).
    fans = table.loc[((table["roles"] == "core_fan") & (table["community"] == 0)) | lukewarm, "user_id"]
    attitudes = pd.concat([attitudes, pd.DataFrame({"src": fans, "dst": "critic_kol", "attitude": -0.7,
                                                    "support": 3.0})], ignore_index=True)
    attitudes = attitudes.drop_duplicates(["src", "dst"], keep="last")
    # Committed the way `kolgraph analyze` commits (run id, file records): per-row sentiment and the
    # brand-directed flag, and the role flags as the typed is_<tag> columns.
    from kolgraph.algorithms.roles import ROLE_TAGS, has_role
    from kolgraph.runs.outputs import write_analysis

    inter_all = ws.interactions(["dst", "sentiment"])
    sentiment = pd.DataFrame({"row": np.arange(len(inter_all)), "sentiment": inter_all["sentiment"].astype(float),
                              "sentiment_source": np.where(np.isfinite(inter_all["sentiment"].astype(float)), "input",
                                                           "none"),
                              "brand_directed": (inter_all["dst"].astype(str) == "brand").to_numpy()})
    flags = {tag: np.asarray(has_role(table["roles"], tag), dtype=bool) for tag in ROLE_TAGS}
    run_id, _ = write_analysis(ws, users=table, role_flags=flags, communities=communities, attitudes=attitudes,
                   interaction_sentiment=sentiment, info={
                       "parameters": {"seed": 0, "brand": {"name": "星澜", "accounts": ["brand"], "keywords": ["星澜"]}},
                       "summary": {"users": len(table), "communities": 3, "modularity": 0.42, "brand_communities": [0]}})
    ws.record_result("analysis", {"run_id": run_id})
    return table


def make_workspace(root: Path, *, analysis: bool = True):
    interactions, users = planted_event()
    root.mkdir(parents=True, exist_ok=True)
    interactions.to_csv(root / "interactions.csv", index=False)
    users.to_csv(root / "users.csv", index=False)
    report = build_workspace([root / "interactions.csv"], root / "ws", users_path=root / "users.csv")
    ws = open_workspace(report.workspace.path)
    if analysis:
        fabricate_analysis(ws)
    return ws
