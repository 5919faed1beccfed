"""The oracle keeper: pushes prices from a source (a price file, or a seeded random walk) into a
deployment's writable feeds and calls `OracleAggregator.update(asset)`, one step per interval.

Writable feeds are the PushFeeds the keeper's account reports into, and MockFeeds (open setters, test networks);
existing third-party feeds are read by the oracle but never written. Every step logs one JSON line per asset
(`ballast.keeper.oracle`); RPC failures are retried with exponential backoff; Ctrl-C (or SIGTERM) ends the run
after the current transaction, with a final `stopped` line.

Every transaction (each push, each `update`) gets its gas limit from the keepers' one gas model
(`ballast.keepers.gas`, `gas` in the config) and goes out through `ballast.keepers.sending`: one that reverts or runs
out of gas (retried once with a larger limit first) is logged (`push_failed`, `update_failed`), counted in the
asset's step result, and the keeper carries on with the next transaction and the next step.

The modules: `keeper` (the loop, retries, signals), `settings` (the YAML config and the command's options), `prices`
(the CSV and random-walk sources). A CSV is read by `ballast.series`, the reader of `ape run scenario replay`, with
the same options: a column (`PATH:COLUMN`, an OHLC file's low by default), the rows of the asset's symbol in a file
with an asset column, `absolute` (default) or `rescaled` prices, and a resampling (`worst` by default) when a step
covers several rows (`fileStep`).
"""

from ballast.errors import KeeperError
from ballast.keepers.common import stop_on_signals
from ballast.keepers.oracle.keeper import LOGGER_NAME, OracleKeeper, StepResult, with_retries
from ballast.keepers.oracle.prices import (
    csv_prices,
    random_walk,
    read_price_csv,
    replay_prices,
    source_prices,
)
from ballast.keepers.oracle.settings import (
    OracleKeeperConfig,
    PriceSourceConfig,
    WalkParams,
    config_from_options,
)

__all__ = [
    "LOGGER_NAME",
    "KeeperError",
    "OracleKeeper",
    "OracleKeeperConfig",
    "PriceSourceConfig",
    "StepResult",
    "WalkParams",
    "config_from_options",
    "csv_prices",
    "random_walk",
    "read_price_csv",
    "replay_prices",
    "source_prices",
    "stop_on_signals",
    "with_retries",
]
