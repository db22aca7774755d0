"""Text-model throughput on 1M real-length posts: posts scored per second (sentiment and reply attitude).

The posts are real: Weibo posts (weibo2018/train.txt) and tweets (TweetEval), sampled with
replacement and each made distinct by a random hashtag id (analysis scores each distinct text
once, so duplicates would flatter the rate). Lengths are the corpora's own (Weibo posts average
about 70 characters, tweets about 100).

Timed (CPU time of this process), after loading the models once:

1. baseline: :func:`kolgraph.algorithms.sentiment.normalise_text` alone (the cheapest pass any
   text model must make over the texts);
2. :meth:`SentimentModel.score` with the shipped model (features, linear score, cue layer);
3. :func:`kolgraph.algorithms.attitude.reply_attitude` on a tenth of the posts (replies are a
   fraction of interactions; it includes a sentiment pass of its own).

Prints posts/second, the ratio of each step to the baseline, and the projected time for 10M
posts (the analyze budget is 3 minutes for 1M users / 10M interactions, of which the sentiment
step scores only brand-directed rows and replies/mentions, each distinct text once).
Writes ``benchmarks/results/sentiment_throughput.md`` with ``--write``.

    python benchmarks/sentiment_throughput.py            # 1M posts, about 1-2 minutes
    python benchmarks/sentiment_throughput.py --posts 100000
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))


def main(argv: list[str] | None = None) -> int:
    import sentiment_corpora as corpora

    from kolgraph._io import write_text
    from kolgraph.algorithms.attitude import load_default_attitude_model, reply_attitude
    from kolgraph.algorithms.sentiment import load_default_model, normalise_text

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=1_000_000)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--write", action="store_true", help="write benchmarks/results/sentiment_throughput.md")
    args = ap.parse_args(argv)
    d = args.data_dir or next(p for p in (REPO / ".." / "shared" / "data" / "external",
                                          REPO / ".." / ".." / "shared" / "data" / "external") if p.is_dir())
    zt, _ = corpora.weibo2018(d.resolve(), "train")
    et, _ = corpora.tweeteval(d.resolve())
    pool = np.r_[zt, et].astype(object)
    rng = np.random.default_rng(args.seed)
    pick = rng.integers(0, pool.size, args.posts)
    ids = rng.permutation(args.posts)
    texts = np.array([f"{t} #{i:07x}" for t, i in zip(pool[pick], ids)], dtype=object)
    mean_len = float(np.mean([len(t) for t in texts[:10000]]))
    model = load_default_model()
    att = load_default_attitude_model()
    model.score(texts[:100])
    reply_attitude(texts[:100], model=att)

    def timed(f):
        w0, c0 = time.perf_counter(), time.process_time()
        out = f()
        return out, time.perf_counter() - w0, time.process_time() - c0

    _, w_norm, t_norm = timed(lambda: normalise_text(texts))
    s, w_sent, t_sent = timed(lambda: model.score(texts))
    n_rep = args.posts // 10
    a, w_att, t_att = timed(lambda: reply_attitude(texts[:n_rep], model=att))
    assert np.isfinite(s).all() and np.isfinite(a).all()
    rate_norm, rate_sent, rate_att = args.posts / t_norm, args.posts / t_sent, n_rep / t_att
    lines = [
        "# Text-model throughput (benchmarks/sentiment_throughput.py)",
        "",
        f"`python benchmarks/sentiment_throughput.py --posts {args.posts}` on {platform.node() or 'this machine'} "
        f"({platform.processor() or platform.machine()}), {args.posts:,} distinct real posts "
        f"(Weibo + tweets), mean length {mean_len:.0f} characters.",
        "",
        "Times are CPU seconds of this process (all its threads; the machine is shared, so wall-clock",
        "time is shown too but depends on the other load).",
        "",
        "| step | posts | CPU seconds | wall seconds | posts per CPU second | time vs baseline | 10M posts (CPU) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| baseline: normalise_text | {args.posts:,} | {t_norm:.1f} | {w_norm:.1f} | {rate_norm:,.0f} | 1.0x | "
        f"{1e7 / rate_norm:.0f} s |",
        f"| sentiment (shipped model) | {args.posts:,} | {t_sent:.1f} | {w_sent:.1f} | {rate_sent:,.0f} | "
        f"{t_sent / t_norm:.1f}x | {1e7 / rate_sent:.0f} s |",
        f"| reply attitude (shipped model) | {n_rep:,} | {t_att:.1f} | {w_att:.1f} | {rate_att:,.0f} | "
        f"{(t_att / n_rep) / (t_norm / args.posts):.1f}x | {1e7 / rate_att:.0f} s |",
        "",
        "Analysis scores only the rows that need a text score (brand-directed rows, replies and",
        "mentions without an input sentiment), each distinct text once.",
    ]
    print("\n".join(lines))
    if args.write:
        write_text(REPO / "benchmarks" / "results" / "sentiment_throughput.md", "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
