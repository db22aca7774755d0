"""ForkedJob: a step in a forked worker gives its result, reports its failure, can be cancelled."""

from __future__ import annotations

import time

import numpy as np
import pytest

from kolgraph.algorithms.forked import ForkedJob, can_fork
from kolgraph.errors import KolgraphError

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs fork")


def _sum_of(values: np.ndarray, scale: float) -> float:
    return float(values.sum() * scale)


def _fails() -> None:
    raise ValueError("bad input in the worker")


def test_the_worker_returns_the_result_of_its_inherited_inputs():
    values = np.arange(1_000_000, dtype=np.float64)  # inherited through fork, not pickled
    job = ForkedJob(_sum_of, values, scale=2.0)
    assert job.running
    assert job.collect("the sum") == float(values.sum() * 2.0)
    assert not job.running
    with pytest.raises(KolgraphError, match="already collected"):
        job.collect("the sum")


def test_a_failure_in_the_worker_is_raised_here_with_its_name():
    with pytest.raises(KolgraphError, match=r"the step failed in its worker process: ValueError: bad input"):
        ForkedJob(_fails).collect("the step")


def test_cancel_stops_a_running_worker_at_once():
    job = ForkedJob(time.sleep, 60)
    started = time.monotonic()
    job.cancel()
    assert not job.running and time.monotonic() - started < 10
