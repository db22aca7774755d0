"""Scale run: Leiden + centrality_table on a synthetic 1M-user / ~10M-edge graph with the kolgraph schema.

Run: python benchmarks/network_core.py [n_users] [n_rows]
"""
import sys, time
import numpy as np
from _synth import synthetic_graph
from kolgraph.algorithms.communities import detect_communities
from kolgraph.algorithms.centrality import centrality_table

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
m = int(sys.argv[2]) if len(sys.argv) > 2 else 10_800_000
t = time.perf_counter(); g, planted = synthetic_graph(n, m); print(f"build graph {time.perf_counter()-t:.1f}s  users={g.vcount()} edges={g.ecount()}", flush=True)
t0 = time.perf_counter(); c0 = time.process_time()
comm = detect_communities(g, seed=1)
t1 = time.perf_counter(); c1 = time.process_time()
print(f"leiden wall {t1-t0:.1f}s cpu {c1-c0:.1f}s  k={comm.n_communities} modularity={comm.modularity:.4f} iterations={comm.parameters['iterations']}", flush=True)
from sklearn.metrics import normalized_mutual_info_score
print(f"  NMI vs planted communities {normalized_mutual_info_score(planted, comm.membership):.3f}")
res = centrality_table(g, membership=comm, seed=1, quiet=True)
t2 = time.perf_counter(); c2 = time.process_time()
print(f"centrality_table wall {t2-t1:.1f}s cpu {c2-c1:.1f}s  betweenness={res.betweenness_info}  pagerank_it={res.parameters['pagerank_iterations']} hits_it={res.parameters['hits_iterations']}")
print(f"total leiden + centrality wall {t2-t0:.1f}s cpu {c2-c0:.1f}s")
f = res.to_frame()
print(f.nlargest(5, "betweenness")[["user_id", "pagerank_pct", "distinct_engagers", "coreness", "participation", "betweenness"]])

import os
if os.environ.get("CONSENSUS_RUNS"):
    from kolgraph.algorithms.communities import consensus_communities
    runs = int(os.environ["CONSENSUS_RUNS"])
    t, c = time.perf_counter(), time.process_time()
    cons = consensus_communities(g, runs=runs, seed=1)
    print(f"consensus runs={runs} wall {time.perf_counter()-t:.1f}s cpu {time.process_time()-c:.1f}s "
          f"k={cons.n_communities} Q={cons.modularity:.4f} mean confidence {cons.confidence.mean():.3f} "
          f"NMI vs planted {normalized_mutual_info_score(planted, cons.membership):.3f}")
