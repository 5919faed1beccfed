"""Run a block of a test on a snapshot of the chain."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def isolated(chain: Any) -> Iterator[None]:
    """Snapshot the chain, run the block, then restore the snapshot and the pending timestamp; every exception raised
    in the block, a failed assertion included, propagates.

    ape's own `chain.isolate()` (ape 0.8) catches and drops any exception raised in its block, so an assertion inside
    it can never fail a test: the suites use this instead (`tests/test_isolation.py` pins both behaviours)."""
    snapshot = chain.snapshot()
    pending = chain.pending_timestamp
    try:
        yield
    finally:
        chain.restore(snapshot)
        chain.pending_timestamp = pending
