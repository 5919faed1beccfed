"""Driving the oracle: its asset configuration, updates, and mock price feeds on a local chain."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ape.api import AccountAPI
from ape.contracts import ContractInstance
from ape.managers.chain import ChainManager


def asset_config(sources: list[tuple[Any, int, int, int]], params: Any) -> tuple[Any, ...]:
    """An `IOracleAggregator.AssetConfig` tuple for `setAssetConfig`: `sources` as (feed, heartbeat, minAnswer,
    maxAnswer), the rest from `params` (quorum, max_dispersion_bps, max_deviation_bps, twap_window, max_price_age,
    buffer_size attributes)."""
    return (
        sources,
        params.quorum,
        params.max_dispersion_bps,
        params.max_deviation_bps,
        params.twap_window,
        params.max_price_age,
        params.buffer_size,
    )


#: Headroom on the node's gas estimate of `OracleAggregator.update`: the update calls every source inside a
#: try/catch with a gas cap, so an estimate (the least gas that does not revert) can leave too little for the
#: stores after the calls.
UPDATE_GAS_FACTOR_PCT = 150
UPDATE_GAS_EXTRA = 50_000


def update_oracle(oracle: ContractInstance, asset: Any, sender: AccountAPI) -> Any:
    """`oracle.update(asset)`; off local networks with a padded gas limit (local networks give the block limit)."""
    if oracle.provider.network.is_local:
        return oracle.update(asset, sender=sender)
    estimate = oracle.update.estimate_gas_cost(asset, sender=sender)
    gas_limit = estimate * UPDATE_GAS_FACTOR_PCT // 100 + UPDATE_GAS_EXTRA
    return oracle.update(asset, sender=sender, gas_limit=gas_limit)


def restamp_and_update(
    oracle: ContractInstance, feeds_by_asset: Mapping[Any, Sequence[Any]], sender: AccountAPI
) -> None:
    """Re-submit every feed's current answer (stamped now) and `update` every asset."""
    for asset, feeds in feeds_by_asset.items():
        for feed in feeds:
            feed.setAnswer(feed.answer(), sender=sender)
        oracle.update(asset, sender=sender)


def settle_prices(
    chain: ChainManager,
    oracle: ContractInstance,
    feeds_by_asset: Mapping[Any, Sequence[Any]],
    twap_window: int,
    sender: AccountAPI,
) -> None:
    """Let every TWAP catch up with the feeds' current answers, so statuses are back to `Ok`: update, wait one
    window, twice, then update at the final time."""
    for _ in range(2):
        restamp_and_update(oracle, feeds_by_asset, sender)
        chain.pending_timestamp += twap_window + 1
    restamp_and_update(oracle, feeds_by_asset, sender)
