"""Progress bars for long work (ingest, Monte Carlo, batch scoring), silenced by ``quiet``."""

from __future__ import annotations

from typing import Iterable, TypeVar

from tqdm.auto import tqdm

__all__ = ["progress"]

T = TypeVar("T")


def progress(iterable: Iterable[T] | None = None, *, quiet: bool = False, **kwargs) -> tqdm:
    """A tqdm bar on stderr; ``quiet=True`` disables it (the iterable still iterates).

    The bar only appears once the work has taken a second, so quick steps stay silent.
    """
    kwargs.setdefault("delay", 1.0)
    kwargs.setdefault("leave", False)
    kwargs.setdefault("dynamic_ncols", True)
    return tqdm(iterable, disable=quiet, **kwargs)
