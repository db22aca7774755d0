"""Importing platform exports vs the generic table of the same interactions, in the same run.

Two synthetic exports are written with the real tools' layouts (twarc2 pages: ``data`` +
``includes.users`` + ``includes.tweets``, 100 tweets a page; weibo-crawler: per-user ``<uid>.csv``
with Chinese headers, trailing-tab ids, ``//@`` chains and ``回复@``), together with a generic
``src,dst,kind,timestamp,text,post_id`` CSV holding exactly the interactions each export yields.
Each build (``build_workspace``: read, validate, resolve, dedup, collapse, write) runs in a fresh
subprocess; wall time and peak memory (VmHWM) are reported, with the speed ratio
generic_time / import_time (target: >= 0.5) and the memory ratio.

    python benchmarks/import_exports.py                      # 1M tweets and 1M Weibo rows
    python benchmarks/import_exports.py --tweets 100000 --weibo 100000
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEP = r"""
import json, sys, time
from kolgraph.build.workspace import build_workspace
t0 = time.perf_counter()
report = build_workspace(sys.argv[1:-1], sys.argv[-1], quiet=True)
t1 = time.perf_counter()
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
c = report.interactions.counts()
print(json.dumps({"seconds": t1 - t0, "kept": c["kept"], "read": c["read"], "edges": report.workspace.manifest["graph"]["edges"],
                  "hwm_mb": int(hwm) / 1024}))
"""

HEADERS = ["id", "bid", "正文", "头条文章url", "原始图片url", "视频url", "Live Photo视频url", "位置", "日期", "工具", "点赞数",
           "评论数", "转发数", "话题", "@用户", "完整日期", "是否编辑过", "编辑次数"]


def write_twarc(n: int, folder: Path, rng: random.Random) -> tuple[Path, Path]:
    users = [str(10_000_000 + i) for i in range(max(1000, n // 20))]
    pages = folder / "tweets.jsonl"
    generic = folder / "tweets_generic.csv"
    with pages.open("w") as out, generic.open("w", newline="") as gout:
        writer = csv.writer(gout)
        writer.writerow(["src", "dst", "kind", "timestamp", "text", "post_id"])
        for start in range(0, n, 100):
            data, inc_tweets, seen = [], [], set()
            for i in range(start, min(n, start + 100)):
                author, target = rng.choice(users), rng.choice(users)
                tid, ref = str(1_500_000_000_000_000_000 + i), str(1_400_000_000_000_000_000 + i)
                ts = f"2026-01-05T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}.000Z"
                roll = rng.random()
                tweet = {"id": tid, "author_id": author, "created_at": ts, "lang": "en",
                         "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0}}
                if roll < 0.5:
                    tweet["text"] = f"RT @u{target}: something about the brand {i}"
                    tweet["referenced_tweets"] = [{"type": "retweeted", "id": ref}]
                    tweet["entities"] = {"mentions": [{"start": 3, "end": 12, "username": f"u{target}", "id": target}]}
                    inc_tweets.append({"id": ref, "author_id": target, "text": "original"})
                    rows = [(author, target, "repost")]
                elif roll < 0.7:
                    tweet["text"] = f"@u{target} I disagree {i}"
                    tweet["in_reply_to_user_id"] = target
                    tweet["referenced_tweets"] = [{"type": "replied_to", "id": ref}]
                    tweet["entities"] = {"mentions": [{"start": 0, "end": 9, "username": f"u{target}", "id": target}]}
                    inc_tweets.append({"id": ref, "author_id": target, "text": "original"})
                    rows = [(author, target, "reply")]
                elif roll < 0.8:
                    tweet["text"] = f"look at this {i}"
                    tweet["referenced_tweets"] = [{"type": "quoted", "id": ref}]
                    inc_tweets.append({"id": ref, "author_id": target, "text": "original"})
                    rows = [(author, target, "repost")]
                else:
                    tweet["text"] = f"hello @u{target} {i}"
                    tweet["entities"] = {"mentions": [{"start": 6, "end": 15, "username": f"u{target}", "id": target}]}
                    rows = [(author, target, "mention")]
                data.append(tweet)
                for who in (author, target):
                    seen.add(who)
                for src, dst, kind in rows:
                    writer.writerow([src, dst, kind, ts, tweet["text"], tid])
            inc_users = [{"id": u, "username": f"u{u}", "name": f"User {u}", "verified": False,
                          "public_metrics": {"followers_count": 10}} for u in sorted(seen)]
            out.write(json.dumps({"data": data, "includes": {"users": inc_users, "tweets": inc_tweets},
                                  "meta": {"result_count": len(data)}}) + "\n")
    return pages, generic


def write_v1(n: int, folder: Path, rng: random.Random) -> tuple[Path, Path]:
    """Twitter API v1.1 JSONL (one status a line, ``user`` embedded, ``retweeted_status`` /
    ``quoted_status`` with their users, ``entities.user_mentions``) and the same interactions as a
    generic table."""
    users = [str(10_000_000 + i) for i in range(max(1000, n // 20))]
    months = ["Jan", "Feb"]

    def user(uid: str) -> dict:
        return {"id": int(uid), "id_str": uid, "name": f"User {uid}", "screen_name": f"u{uid}", "followers_count": 10,
                "friends_count": 5, "verified": False, "description": "", "location": "", "lang": "en"}

    lines = folder / "tweets.jsonl"
    generic = folder / "tweets_generic.csv"
    with lines.open("w") as out, generic.open("w", newline="") as gout:
        writer = csv.writer(gout)
        writer.writerow(["src", "dst", "kind", "timestamp", "text", "post_id"])
        for i in range(n):
            author, target = rng.choice(users), rng.choice(users)
            tid, ref = str(1_500_000_000_000_000_000 + i), str(1_400_000_000_000_000_000 + i)
            hh, mm, ss = (i // 3600) % 24, (i // 60) % 60, i % 60
            created = f"Mon {months[0]} 05 {hh:02d}:{mm:02d}:{ss:02d} +0000 2026"
            iso = f"2026-01-05T{hh:02d}:{mm:02d}:{ss:02d}+00:00"
            tweet = {"created_at": created, "id": int(tid), "id_str": tid, "user": user(author), "lang": "en",
                     "retweet_count": 0, "favorite_count": 0, "in_reply_to_status_id_str": None,
                     "in_reply_to_user_id_str": None, "in_reply_to_screen_name": None}
            roll = rng.random()
            original = {"created_at": created, "id_str": ref, "text": "original", "user": user(target),
                        "entities": {"user_mentions": []}}
            if roll < 0.5:
                tweet["text"] = f"RT @u{target}: something about the brand {i}"
                tweet["retweeted_status"] = original
                tweet["entities"] = {"user_mentions": [{"id_str": target, "screen_name": f"u{target}",
                                                        "name": f"User {target}", "indices": [3, 12]}]}
                rows = [(author, target, "repost")]
            elif roll < 0.7:
                tweet["text"] = f"@u{target} I disagree {i}"
                tweet.update(in_reply_to_status_id_str=ref, in_reply_to_user_id_str=target,
                             in_reply_to_screen_name=f"u{target}")
                tweet["entities"] = {"user_mentions": [{"id_str": target, "screen_name": f"u{target}",
                                                        "name": f"User {target}", "indices": [0, 9]}]}
                rows = [(author, target, "reply")]
            elif roll < 0.8:
                tweet["text"] = f"look at this {i}"
                tweet["quoted_status"] = original
                tweet["entities"] = {"user_mentions": []}
                rows = [(author, target, "repost")]
            else:
                tweet["text"] = f"hello @u{target} {i}"
                tweet["entities"] = {"user_mentions": [{"id_str": target, "screen_name": f"u{target}",
                                                        "name": f"User {target}", "indices": [6, 15]}]}
                rows = [(author, target, "mention")]
            out.write(json.dumps(tweet) + "\n")
            for src, dst, kind in rows:
                writer.writerow([src, dst, kind, iso, tweet["text"], tid])
    return lines, generic


def write_weibo(n: int, folder: Path, rng: random.Random) -> tuple[list[Path], Path]:
    authors = [str(1_600_000_000 + i) for i in range(20)]
    names = {str(2_000_000_000 + i): f"网友{i}" for i in range(max(1000, n // 20))}
    ids = list(names)
    generic = folder / "weibo_generic.csv"
    files = []
    per = (n + len(authors) - 1) // len(authors)
    with generic.open("w", newline="", encoding="utf-8") as gout:
        gw = csv.writer(gout)
        gw.writerow(["src", "dst", "kind", "timestamp", "text", "post_id"])
        row = 0
        for author in authors:
            path = folder / f"{author}.csv"
            files.append(path)
            with path.open("w", newline="", encoding="utf-8-sig") as out:
                writer = csv.writer(out)
                writer.writerow(HEADERS + ["是否原创", "源用户id", "源用户昵称"] + ["源微博" + h for h in HEADERS])
                for _ in range(per):
                    if row >= n:
                        break
                    row += 1
                    pid = str(5_000_000_000_000_000 + row)
                    when = f"2026-01-05 {(row // 3600) % 24:02d}:{(row // 60) % 60:02d}:{row % 60:02d}"
                    iso = when.replace(" ", "T") + "+08:00"
                    roll = rng.random()
                    src_user = src_name = ""
                    original = True
                    if roll < 0.5:
                        hops = rng.sample(ids, rng.randint(0, 2))
                        orig = rng.choice(ids)
                        text = "转发理由" + "".join(f" //@{names[h]}: 评论{k}" for k, h in enumerate(hops))
                        original, src_user, src_name = False, orig, names[orig]
                        chain = [author] + hops + [orig]
                        comments = ["转发理由"] + [f"评论{k}" for k in range(len(hops))]
                        for k, (a, b) in enumerate(zip(chain, chain[1:])):
                            first = k == 0
                            gw.writerow([a, b, "repost", iso if first else "", comments[k], pid if first else ""])
                    elif roll < 0.7:
                        target = rng.choice(ids)
                        text = f"回复@{names[target]}:说得对"
                        gw.writerow([author, target, "reply", iso, "说得对", pid])
                    else:
                        target = rng.choice(ids)
                        text = f"新品 @{names[target]} 来看"
                        gw.writerow([author, target, "mention", iso, text, pid])
                    own = [f"{pid}\t", "B", text, "", "", "", "", "", when[:10], "iPhone", 0, 0, 0, "", "", when, False, 0]
                    writer.writerow(own + [original, src_user, src_name] + ([""] * len(HEADERS) if original else
                                    [f"{5_100_000_000_000_000 + row}\t"] + [""] * (len(HEADERS) - 1)))
    users = folder / "users.csv"
    with users.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(["用户id", "昵称", "粉丝数", "是否认证"])
        for uid, name in names.items():
            writer.writerow([uid, name, 10, False])
    return files + [users], generic


def run(paths: list[Path], out: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", STEP, *map(str, paths), str(out)], capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tweets", type=int, default=1_000_000)
    parser.add_argument("--v1", type=int, default=1_000_000, help="Twitter v1.1 statuses (JSONL)")
    parser.add_argument("--weibo", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2, help="alternating runs of each build (best is kept)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "import_exports.md"))
    args = parser.parse_args()
    rng = random.Random(7)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for label, n, writer in (("twarc2 pages", args.tweets, write_twarc), ("Twitter v1.1 JSONL", args.v1, write_v1),
                                 ("weibo-crawler CSV", args.weibo, write_weibo)):
            if n <= 0:
                continue
            folder = tmp / label.split()[0].replace("/", "_")
            folder.mkdir()
            t0 = time.perf_counter()
            export, generic = writer(n, folder, rng)
            export = export if isinstance(export, list) else [export]
            print(f"{label}: wrote {n:,} records in {time.perf_counter() - t0:.1f} s", flush=True)
            # alternate the two builds and keep each one's best of ``--repeat``: the machine is shared,
            # so a single pair of runs can differ by 2x for reasons that have nothing to do with either
            runs_imp, runs_gen = [], []
            load = [os.getloadavg()[0]]
            for _ in range(args.repeat):
                runs_imp.append(run(export, folder / "ws_import"))
                runs_gen.append(run([generic], folder / "ws_generic"))
            load.append(os.getloadavg()[0])
            imp = min(runs_imp, key=lambda r: r["seconds"])
            gen = min(runs_gen, key=lambda r: r["seconds"])
            imp["all"] = [round(r["seconds"], 1) for r in runs_imp]
            gen["all"] = [round(r["seconds"], 1) for r in runs_gen]
            size = sum(p.stat().st_size for p in export) / 2**20
            imp["load"] = load
            rows.append((label, n, size, imp, gen))
            print(label, imp, gen, flush=True)
    lines = ["# Importing exports vs the generic table of the same interactions", "",
             f"`python benchmarks/import_exports.py --tweets {args.tweets} --v1 {args.v1} --weibo {args.weibo} "
             f"--repeat {args.repeat}` "
             "(build_workspace end to end, each build in a fresh subprocess, the two builds alternated and the best "
             "of each kept; 2-core machine shared with other jobs, so single runs vary).", "",
             "| export | records | export MB | kept rows (import / generic) | edges (import / generic) | "
             "import s | generic s | speed ratio generic/import | import peak MB | generic peak MB |",
             "| --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for label, n, size, imp, gen in rows:
        lines.append(f"| {label} | {n:,} | {size:,.0f} | {imp['kept']:,} / {gen['kept']:,} | {imp['edges']:,} / "
                     f"{gen['edges']:,} | {imp['seconds']:.1f} | {gen['seconds']:.1f} | "
                     f"{gen['seconds'] / imp['seconds']:.2f} | {imp['hwm_mb']:,.0f} | {gen['hwm_mb']:,.0f} |")
    lines += ["", "All runs (s): " + "; ".join(f"{label}: import {imp['all']}, generic {gen['all']}"
                                             for label, _, _, imp, gen in rows)]
    lines += ["", "1-minute load average before / after each pair of builds: " + "; ".join(
        f"{label}: {imp['load'][0]:.1f} / {imp['load'][1]:.1f}" for label, _, _, imp, _ in rows)]
    lines += ["", "Target: speed ratio >= 0.5 (an import no slower than twice the generic table of the same "
              "interactions). Kept rows and edges must agree: the generic tables hold exactly what each export yields."]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
