"""Old name of :mod:`kolgraph.viz.safe_html` (kept so callers not yet moved keep working; import safe_html)."""

from .safe_html import *  # noqa: F401,F403
from .safe_html import __all__  # noqa: F401
