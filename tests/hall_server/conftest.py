"""Hypothesis for the server tests: deterministic (derandomize) and no deadline on a
shared 2-core machine. Its failure-patch helper imports libcst, whose deprecation
warning would turn a clear failure into a pytest INTERNALERROR under ``-W error``:
import it once here with that warning silenced."""
from __future__ import annotations

import warnings

from hypothesis import settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import hypothesis.extra._patching  # noqa: F401
    except ImportError:  # libcst absent: hypothesis then skips the patch quietly
        pass

settings.register_profile("hall", derandomize=True, deadline=None, database=None)
settings.load_profile("hall")
