"""The expiry keeper: settles every expired series of a deployment's OptionsBook as soon as it can.

A series settles at the oracle's TWAP over the book's settlement window ending at expiry, once an oracle update at or
after expiry closed that window (`OracleAggregator.twapEndingAt` reports it complete and observed). At every new
block the keeper reads the book's live series; for each expired one it checks that window, calls `oracle.update`
(permissionless) when no update closed it yet, and then sends `OptionsBook.settle`. A series whose window is still
open `grace` seconds after expiry (the oracle's sources stale, say) is settled anyway with the book's fallback rule
(logged as a warning), so that no series stays open.

Every transaction gets its gas limit from the keepers' gas model (`ballast.keepers.gas`) and goes out through
`ballast.keepers.sending`: one that fails is logged and counted, and the keeper carries on. RPC failures are retried
with exponential backoff. The modules: `keeper` (the loop), `settings`, `state` (the series it settled), `wiring`
(a keeper for a command or a bot from a deployment).
"""

from ballast.keepers.expiry.keeper import ExpiryKeeper, ExpiryReport
from ballast.keepers.expiry.settings import LOGGER_NAME, ExpiryBotSettings, ExpiryKeeperConfig
from ballast.keepers.expiry.state import ExpiryState
from ballast.keepers.expiry.wiring import build_expiry_keeper, expiry_keeper_for_bot

__all__ = [
    "LOGGER_NAME",
    "ExpiryBotSettings",
    "ExpiryKeeper",
    "ExpiryKeeperConfig",
    "ExpiryReport",
    "ExpiryState",
    "build_expiry_keeper",
    "expiry_keeper_for_bot",
]
