import numpy as np
from hypothesis import given, strategies as st

from kolgraph._arrays import unique_sorted


@given(st.lists(st.integers(min_value=-2**62, max_value=2**62), max_size=200))
def test_unique_sorted_matches_numpy(values):
    a = np.asarray(values, dtype=np.int64)
    got = unique_sorted(a)
    assert got.dtype == a.dtype
    np.testing.assert_array_equal(got, np.unique(a))


def test_unique_sorted_leaves_input_unchanged():
    a = np.array([5, 1, 5, 3, 1], dtype=np.int64)
    unique_sorted(a)
    np.testing.assert_array_equal(a, [5, 1, 5, 3, 1])
