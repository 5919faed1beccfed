"""Silverback bot running the oracle keeper on a schedule (the logic is ballast/keepers/oracle/):

    silverback run oracle --network ethereum:ballast-testnet:node --account <alias>

Settings come from the environment:

- `BALLAST_ORACLE_KEEPER`: the keeper config (YAML, `OracleKeeperConfig`), default `config/keeper-oracle.yaml`; a
  CSV source takes the reader options of `ape run keeper oracle` (`column`, `asset`, `prices`, `resample`,
  `fileStep`: `PriceSourceConfig`);
- `BALLAST_ORACLE_CRON`: when to push (cron syntax, UTC), default every minute;
- `BALLAST_DEPLOYMENTS_DIR`: where the deployment manifests are (default `deployments/`);
- `APE_ACCOUNTS_<alias>_PASSPHRASE`: unlocks the signer without a prompt.

The signer must be a reporter of the deployment's push feeds (`roles.keeper` of the deployment config).
"""

import os
from typing import Any

from silverback import StateSnapshot

from ballast.accounts import quiet_cached_key_warnings, refuse_test_key_off_local
from ballast.cli import bot_startup, silverback_bot, stop_promptly
from ballast.keepers.oracle import OracleKeeper, OracleKeeperConfig
from ballast.manifest import Deployment

KEEPER_CONFIG = os.environ.get("BALLAST_ORACLE_KEEPER", "config/keeper-oracle.yaml")
SCHEDULE = os.environ.get("BALLAST_ORACLE_CRON", "* * * * *")

bot = silverback_bot(signer_required=True)
stop_promptly(bot, "oracle keeper")


@bot.on_startup()
@bot_startup
def load_keeper(startup_state: StateSnapshot) -> None:
    # Before anything is signed: a test key never runs a keeper off local networks.
    refuse_test_key_off_local(bot.signer, bot.provider.network, what="run the keeper", provider=bot.provider)
    deployment = Deployment.load(bot.local_project, bot.provider.network.name, chain=bot.chain_manager)
    config = OracleKeeperConfig.from_yaml(KEEPER_CONFIG)
    quiet_cached_key_warnings()
    bot.state.keeper = OracleKeeper(deployment, bot.signer, config, chain=bot.chain_manager)


@bot.cron(SCHEDULE)
def push_prices(time: Any) -> dict[str, float]:
    """One keeper step: a price per asset into its feeds, then `update`. Returns Silverback metrics: each asset's
    pushed price and stored median (USD), whether its status is Ok, and how many of its transactions failed."""
    results = bot.state.keeper.step()
    if results is None:
        return {"exhausted": 1.0}  # a CSV has run out: nothing more to push
    metrics = {}
    for r in results:
        metrics[f"{r.symbol}_price"] = float(r.price)
        metrics[f"{r.symbol}_median"] = r.median / 1e18
        metrics[f"{r.symbol}_ok"] = float(r.status == "Ok")
        metrics[f"{r.symbol}_failed"] = float(len(r.failed))
    return metrics
