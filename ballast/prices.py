"""Driving mock price feeds on a local chain."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def restamp_and_update(oracle: Any, feeds_by_asset: Mapping[Any, Sequence[Any]], sender: Any) -> None:
    """Re-submit every feed's current answer (stamped now) and `update` every asset."""
    for asset, feeds in feeds_by_asset.items():
        for feed in feeds:
            feed.setAnswer(feed.answer(), sender=sender)
        oracle.update(asset, sender=sender)


def settle_prices(
    chain: Any, oracle: Any, feeds_by_asset: Mapping[Any, Sequence[Any]], twap_window: int, sender: Any
) -> None:
    """Let every TWAP catch up with the feeds' current answers, so statuses are back to `Ok`: update, wait one
    window, twice, then update at the final time."""
    for _ in range(2):
        restamp_and_update(oracle, feeds_by_asset, sender)
        chain.pending_timestamp += twap_window + 1
    restamp_and_update(oracle, feeds_by_asset, sender)
