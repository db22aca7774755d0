"""Close matches for a mistyped handle ("did you mean"), fast over tens of thousands of keys.

:func:`close_matches` ranks keys by :mod:`difflib` similarity to a handle, as
``difflib.get_close_matches`` would (cutoff 0.6), but first drops every key whose
:func:`quick_ratio` bound (characters in common) is below the cutoff, computed in Arrow for all
keys at once; the handle is indexed once as the matcher's second sequence. Used by
:func:`kolgraph.candidates.did_you_mean`.

>>> import pyarrow as pa
>>> close_matches("laozhong_zhenhau", ["a", "b"], pa.array(["laozhong_zhenhua", "huisheng_tech"]),
...               pa.array(["老钟说真话", None]))
['a']
"""

from __future__ import annotations

import difflib
from typing import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["quick_ratio", "close_matches"]


def quick_ratio(keys: pa.Array | pa.ChunkedArray, key: str) -> np.ndarray:
    """``difflib.SequenceMatcher.quick_ratio`` of ``key`` against every string of ``keys``, vectorised.

    ``2 * (characters in common, with multiplicity) / (total length)`` in [0, 1]: an upper bound of
    the similarity ratio, so a key below a cutoff here is below it in difflib too. Nulls give 0.
    """
    common = np.zeros(len(keys))
    for ch in set(key):
        cnt = pc.fill_null(pc.count_substring(keys, ch), 0).to_numpy(zero_copy_only=False)
        common += np.minimum(cnt, key.count(ch))
    lengths = pc.fill_null(pc.utf8_length(keys), 0).to_numpy(zero_copy_only=False) + len(key)
    return np.divide(2.0 * common, lengths, out=np.zeros(len(keys)), where=lengths > 0)


def close_matches(key: str, ids: Sequence[str], id_keys: pa.Array | pa.ChunkedArray,
                  name_keys: pa.Array | pa.ChunkedArray, *, n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to ``n`` of ``ids`` whose id key or name key is most similar to ``key`` (ratio >= ``cutoff``).

    ``id_keys`` / ``name_keys`` are aligned with ``ids`` (names may be null). Ties go to the smaller id.
    """
    near = (quick_ratio(id_keys, key) >= cutoff) | (quick_ratio(name_keys, key) >= cutoff)
    keep = pa.array(near)
    ids = [str(x) for x in np.asarray(ids, dtype=object)[near]]  # the near ones only: no loop over every id
    sm = difflib.SequenceMatcher(None)
    sm.set_seq2(key)

    def ratio(text: str | None) -> float:
        if not text:
            return 0.0
        sm.set_seq1(text)
        if sm.real_quick_ratio() < cutoff or sm.quick_ratio() < cutoff:
            return 0.0
        return sm.ratio()

    scored = []
    for uid, a, b in zip(ids, id_keys.filter(keep).to_pylist(), name_keys.filter(keep).to_pylist()):
        best = max(ratio(a), ratio(b))
        if best >= cutoff:
            scored.append((-best, uid))
    return [uid for _, uid in sorted(scored)[:n]]
