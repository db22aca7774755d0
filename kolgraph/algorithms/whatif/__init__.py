"""What-if: simulate the brand partnering with a KOL (methods page, section 4).

The question: if the brand publicly partners with account ``k``, how does brand stance move, above
all among core fans, who turns, and what will the brand see in the first day? The model, per
Monte Carlo run ``r``:

1. **Exposure.** u sees the announcement with probability ``p_u = 1 - (1 - q_r)^m_u``, ``m_u`` the
   number of u's interactions (every kind, self-loops excluded) with brand accounts and with k.
2. **Attitude toward k.** ``a_uk``: u's own attitude where u has one, re-estimated with their
   community's view as the prior (``attitude_prior`` pseudo-rows instead of the analysis's shrinkage
   toward 0); otherwise ``rho`` (default 0.5) times u's community's shrunk mean attitude toward k
   (:mod:`.inputs`).
3. **Balance shock, amplified by attachment.** Attachment ``w_u`` in [0, 1] is the positive brand
   stance times the percentile of u's brand engagement among brand engagers. An exposed u gets
   ``delta_u = alpha * a_uk * (1 + gamma * w_u)`` when ``a_uk < 0`` (betrayal, strongest for the
   most attached) and ``beta * a_uk * (1 - s_u)`` when ``a_uk > 0``; ``s*_u = clip(s_u + delta_u, -1, 1)``.
   Brand accounts and k get no shock of their own. Personal reaction: in each run the shock is
   multiplied by a lognormal factor with mean 1 (``reaction_sd``; people differ in how hard the same
   news hits them, so who turns is spread rather than a single threshold on alpha).
4. **Propagation.** Friedkin-Johnsen (:mod:`kolgraph.algorithms.propagation`), W row-normalised
   over whom u listens to (``listen_kinds``, default reposts and replies), lambda the run's
   susceptibility; brand accounts are stubborn (lambda = 0) and users who listen to no one keep s*.
5. **Baseline.** The same propagation of the measured stances without the shock, on the same draws;
   the effect is scenario minus baseline, so no partnership is exactly zero.
6. **Uncertainty.** Monte Carlo over exposure draws and the priors alpha ~ U(alpha_range),
   beta ~ U(beta_range), gamma ~ U(gamma_range), q ~ U(q_range), lambda ~ Beta(susceptibility_beta)
   capped at ``susceptibility_max``. Every figure is a mean with a 90% interval (5th and 95th
   percentiles over runs) and the Monte Carlo standard error of the mean.

Modules: :mod:`.scenario` (priors, network), :mod:`.draws` (common random numbers),
:mod:`.inputs` (stance, attitudes, attachment, observables), :mod:`.simulate` (the simulation and the
sensitivity sweep), :mod:`.insights` (defectors, carriers, comment flood, friendly KOLs at risk,
safer alternatives, verdict, aftermath score), :mod:`.batch` (many candidates at once, for scoring),
:mod:`.backtest` (precision@k and interval coverage against known aftermaths), :mod:`.results`.
Running it over a workspace lives in :mod:`kolgraph.runs.whatif`.

Properties (tested): no partnership gives exactly zero shift; a candidate nobody dislikes lowers no
stance; the shift grows with antagonism and with attachment; stances stay in [-1, 1]; the same
seed gives the same numbers.
"""

from __future__ import annotations

from ...errors import AnalysisMissingError, WhatIfConvergenceError
from ..propagation import fj_effect
from .batch import BATCH_COLUMNS, core_fan_shift_runs, core_fan_shifts
from .draws import Draws, draw_runs, exposure_probability, exposure_uniforms, reaction_factors
from .inputs import Observables, attachment, candidate_attitudes, prepare
from .results import DEFINITIONS, CandidateOutcome, Estimate, WhatIfResult
from .scenario import SENSITIVITY_PARAMETERS, WhatIfNetwork, WhatIfScenario, as_network
from .simulate import METHOD, sensitivity, simulate_partnership, simulate_prepared

__all__ = [
    "WhatIfScenario",
    "WhatIfNetwork",
    "Observables",
    "Estimate",
    "CandidateOutcome",
    "WhatIfResult",
    "WhatIfConvergenceError",
    "AnalysisMissingError",
    "Draws",
    "DEFINITIONS",
    "METHOD",
    "BATCH_COLUMNS",
    "SENSITIVITY_PARAMETERS",
    "simulate_partnership",
    "simulate_prepared",
    "sensitivity",
    "core_fan_shifts",
    "core_fan_shift_runs",
    "fj_effect",
    "draw_runs",
    "exposure_uniforms",
    "reaction_factors",
    "exposure_probability",
    "attachment",
    "candidate_attitudes",
    "prepare",
    "as_network",
]
