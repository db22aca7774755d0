"""What-if at scale: 200 Monte Carlo runs for one candidate on a 1M-user / 10M-interaction event.

Target (issue 6): under 60 s on the development machine (2 cores, 24 GiB).

How it is measured. The event is drawn with the seeded generator (``kolgraph.datasets``:
``plant_population`` + ``draw_interactions``, integer arrays, no text). The simulator's inputs are
made from the true tones the way the analysis would measure them: brand stance as the shrunk
mean ``sum(s) / (n + 2)`` over brand-directed rows, attitudes toward the candidate (the critic
KOL) as the shrunk mean over replies and mentions, core fans as planted. None of that is timed.
Timed: building the :class:`WhatIfNetwork` from edge arrays (reported separately) and
:func:`simulate_partnership` (the whole simulation: baseline, shock, propagation, every summary,
defectors, carriers, per-user table). Peak memory is the process's resident-set high-water mark
during the simulation (``VmHWM`` after resetting it via ``/proc/self/clear_refs``), next to the
resident size before it.

Method (why it is fast). All runs propagate at once as an n x R matrix. The shock splits into
its expectation over exposure (rank three per run: betrayal, attachment-amplified betrayal, warming; a power series of a few sparse matrix-vector
products, evaluated for every run by one dense product) and the exposure fluctuation (pushed
through ``(I - lambda W)^-1`` by a thresholded residual push that only touches rows above
``tol (1 - lambda) / lambda``). Every per-user stance is within ``tol`` (default 1e-3) of the exact
equilibrium; the bounds achieved are printed.

Baseline in the same run (architecture.md: report ratios): the brute-force alternative iterates
``S <- B + lambda W S`` on the full n x R matrix; one such iteration (one sparse x dense product
with R columns) is timed and the ratio simulation / one brute-force iteration is printed, next
to the iterations brute force would need for the same tolerance.

Calibration at a larger size (``--calibration``): events with known alpha = 0.7, beta = 0.3,
lambda = 0.5 (:func:`kolgraph.datasets.simulate_partnership_event`), fitted with
:func:`~kolgraph.algorithms.calibration.calibrate_event`, for both after-period modes: ``same``
(the same interactions one period later, brand-directed tones shifted, fresh tone noise) and
``redraw`` (a fresh draw of the whole period). Prints the estimates, their errors and intervals.

Run::

    python benchmarks/whatif_scale.py                      # 1,000,000 users, 10,000,000 interactions
    python benchmarks/whatif_scale.py --users 100000 --interactions 1000000 --runs 200
    python benchmarks/whatif_scale.py --calibration --users 50000 --interactions 1000000
    python benchmarks/whatif_scale.py --workspace /path/to/analysed/ws [--candidate ID]

With ``--workspace`` the inputs are an analysed workspace's own outputs (measured stance,
attitudes, core fans, communities, display names, brand-directed rates: what ``kolgraph whatif``
reads, :func:`kolgraph.runs.whatif.load_whatif_inputs`, timed separately and not part of the
simulation time); the workspace is only read. The candidate defaults to the critic KOL of the
generated event's ``truth.csv`` beside the workspace (``../event/truth.csv``), else the account
the most users have an attitude toward.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import time

import numpy as np
import pandas as pd

from kolgraph.algorithms.propagation import ListeningOperator
from kolgraph.algorithms.whatif import WhatIfNetwork, WhatIfScenario, simulate_partnership
from kolgraph.datasets import EventParams, draw_interactions, plant_population
from kolgraph.schema import DEFAULT_KIND_WEIGHTS, KINDS


def _rss_kib(field: str) -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def make_inputs(n_users: int, n_interactions: int, seed: int):
    """Event arrays -> (network, stance Series, attitudes frame, core fans, brand ids, candidate)."""
    params = EventParams()
    rng = np.random.default_rng(seed)
    pop = plant_population(n_users, params, rng)
    raw = draw_interactions(pop, params, n_interactions, rng)
    n = pop.n
    names = pd.Index(pop.user_ids.astype(str), dtype="str")
    src, dst, kind, tone = raw.src.astype(np.int64), raw.dst.astype(np.int64), raw.kind.astype(np.int64), raw.tone
    # collapse to one edge per (src, dst, kind) as the workspace does
    key = (src * n + dst) * 3 + kind
    uniq, inverse = np.unique(key, return_inverse=True)
    count = np.bincount(inverse).astype(np.float64)
    e_kind = uniq % 3
    pair = uniq // 3
    kw = np.array([DEFAULT_KIND_WEIGHTS[k] for k in KINDS])
    t0 = time.perf_counter()
    net = WhatIfNetwork.from_arrays(names, pair // n, pair % n, e_kind, kw[e_kind] * count, count)
    t_net = time.perf_counter() - t0
    b0, b1 = pop.group_slices["brand"]
    brand = np.arange(b0, b1)
    directed = (dst >= b0) & (dst < b1) & ~((src >= b0) & (src < b1))
    sup = np.bincount(src[directed], minlength=n)
    tot = np.bincount(src[directed], weights=tone[directed], minlength=n)
    stance = pd.Series(tot / (sup + 2.0), index=names)
    critic = pop.group_slices["critic_kol"][0]
    to_k = (dst == critic) & (kind >= 1) & (src != critic)
    asup = np.bincount(src[to_k], minlength=n)
    atot = np.bincount(src[to_k], weights=tone[to_k], minlength=n)
    who = np.flatnonzero(asup > 0)
    attitudes = pd.DataFrame({"src": names[who], "dst": names[critic], "attitude": atot[who] / (asup[who] + 2.0),
                              "support": asup[who]})
    core = names[np.arange(*pop.group_slices["core_fan"])]
    # planted communities (groups; ordinary users by circle), so the community-attitude path is timed too
    label = np.array(pop.group, dtype=np.int64)
    label = np.where(pop.circle >= 0, 100 + pop.circle, label)
    communities = pd.Series(label, index=names)
    return net, stance, attitudes, core, names[brand], str(names[critic]), t_net, raw, communities


def _rows(path: str) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


def workspace_inputs(path: str, candidate: str | None):
    """An analysed workspace's what-if inputs (read only) and the candidate to simulate."""
    from kolgraph.runs.whatif import load_whatif_inputs

    inp = load_whatif_inputs(path)
    if candidate is None:
        truth = os.path.join(os.path.dirname(os.path.abspath(path)), "event", "truth.csv")
        if os.path.isfile(truth):
            t = pd.read_csv(truth, usecols=["user_id", "is_critic_kol"])
            critic = t.loc[t["is_critic_kol"].astype(bool), "user_id"].astype(str)
            candidate = critic.iloc[0] if len(critic) else None
        if candidate is None:
            candidate = str(inp.attitudes["dst"].astype("str").value_counts().index[0])
    return (inp.network, inp.stance, inp.attitudes, inp.core_fans, inp.brand.accounts, str(candidate),
            inp.communities, inp.observables)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--interactions", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tol", type=float, default=1e-3)
    ap.add_argument("--json", action="store_true", help="print the measurements as JSON")
    ap.add_argument("--calibration", action="store_true", help="parameter recovery instead of the timing run")
    ap.add_argument("--workspace", default=None, help="an analysed workspace to read the inputs from (read only)")
    ap.add_argument("--candidate", default=None, help="candidate account with --workspace")
    args = ap.parse_args()
    if args.calibration:
        calibration_run(args)
        return

    t0 = time.perf_counter()
    observables = None
    if args.workspace:
        net, stance, attitudes, core, brand, critic, communities, observables = workspace_inputs(args.workspace,
                                                                                              args.candidate)
        t_net = float("nan")
        args.interactions = _rows(os.path.join(args.workspace, "interactions.parquet"))
    else:
        net, stance, attitudes, core, brand, critic, t_net, _, communities = make_inputs(args.users, args.interactions,
                                                                                       args.seed)
    t_gen = time.perf_counter() - t0
    scenario = WhatIfScenario(candidates=(critic,), runs=args.runs, seed=args.seed, tol=args.tol)

    rss_before = _rss_kib("VmRSS")
    peak_ok = _reset_peak()
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    c0 = time.process_time()
    result = simulate_partnership(net, stance, attitudes, core, brand, scenario, communities=communities,
                                  observables=observables, quiet=False)
    t_sim = time.perf_counter() - t0
    c_sim = time.process_time() - c0
    peak = _rss_kib("VmHWM") if peak_ok else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = result.outcomes[0]

    # brute-force baseline: one full-width iteration S <- B + lambda W S
    rng = np.random.default_rng(1)
    S = rng.random((net.n, args.runs), dtype=np.float32)
    W = ListeningOperator.build(net.listen, net.index_of(brand)).W.astype(np.float32)
    t0 = time.perf_counter()
    _ = W @ S
    t_iter = time.perf_counter() - t0
    del S, _
    lam_hi = float(result.draws["susceptibility"].max())
    brute_iters = math.ceil(math.log(args.tol * (1 - lam_hi) / 1.0) / math.log(lam_hi)) if lam_hi > 0 else 1

    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_1min_before": round(load_before, 2)},
        "inputs": f"workspace {args.workspace}" if args.workspace else "generated arrays (seed %d)" % args.seed,
        "users": net.n, "interactions": args.interactions, "listen_edges": int(net.listen.nnz),
        "candidate": critic, "users_with_attitude": out.attitudes["users"],
        "users_with_community_attitude": out.attitudes["from_community"], "runs": args.runs, "tol": args.tol,
        "seconds": {"inputs_untimed": round(t_gen, 1), "network_from_arrays": round(t_net, 2),
                    "simulate": round(t_sim, 2), "simulate_cpu_all_threads": round(c_sim, 2),
                    "one_bruteforce_iteration": round(t_iter, 2)},
        "ratio_simulate_to_one_bruteforce_iteration": round(t_sim / t_iter, 2),
        "bruteforce_iterations_needed": brute_iters,
        "memory_gib": {"rss_before": round(rss_before / 2**20, 2), "peak_during": round(peak / 2**20, 2)},
        "accuracy": out.accuracy,
        "core_fan_shift": out.core_fan_shift.to_dict(),
        "core_fans_turning_negative": out.core_fans_turning_negative.to_dict(),
        "target_met": t_sim < 60,
        "load_average_1min_after": round(os.getloadavg()[0], 2),
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")


def calibration_run(args) -> None:
    from kolgraph.algorithms.calibration import CalibrationParams, calibrate_event
    from kolgraph.datasets import simulate_partnership_event

    truth = {"alpha": 0.7, "beta": 0.3, "susceptibility": 0.5}
    rows = []
    for mode in ("same", "redraw"):
        t0 = time.perf_counter()
        ev = simulate_partnership_event(args.users, args.interactions // 1, seed=args.seed, after_mode=mode, **truth)
        t_gen = time.perf_counter() - t0
        t0 = time.perf_counter()
        res = calibrate_event(ev, params=CalibrationParams(bootstrap=200, seed=args.seed))
        t_fit = time.perf_counter() - t0
        row = {"after_mode": mode, "users": args.users, "interactions_per_period": args.interactions,
               "fit_users": res.users, "seconds_generate": round(t_gen, 1), "seconds_fit": round(t_fit, 1)}
        for name in ("alpha", "beta", "susceptibility"):
            est = getattr(res, name)
            row[name] = f"{est.value:.3f} (se {est.se:.3f}, 90% [{est.ci90[0]:.3f}, {est.ci90[1]:.3f}]), " \
                        f"error {100 * (est.value / truth[name] - 1):+.1f}%"
        rows.append(row)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            for key, value in row.items():
                print(f"{key}: {value}")
            print()


if __name__ == "__main__":
    main()
