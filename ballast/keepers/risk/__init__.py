"""The risk keeper: steps a deployment's risk parameters toward data-driven proposals, within the risk manager's
bounded steps.

Every step reads each collateral asset's and market's parameters, builds each asset's price history (the
OracleAggregator's `PriceUpdated` events over a trailing window, or a CSV), proposes its parameters
(`ballast.riskdata.proposals`: haircuts, margins, stress shock, supply cap from the worst move and the EWMA
volatility), and plans the next step of each parameter (`policy`: toward the proposal by at most 3 % of today's value,
within the engine's MAX_RISK_STEP_BPS and bounds, keeping its orderings, skipping a change within a dead band, and no
tightening within RISK_STEP_INTERVAL of the subject's last). It sends the steps from the risk manager's account
(`setCollateralParams`, `setMarketParams`); one that fails is logged and counted, and the keeper carries on. A dry run
plans and logs without sending. The modules: `policy` (pure), `keeper` (the loop), `settings`, `state` (tightening
times and the last step of each subject), `wiring` (a keeper for a command or a bot from a deployment).
"""

from ballast.keepers.risk.keeper import RiskKeeper, RiskReport
from ballast.keepers.risk.policy import (
    CollateralState,
    MarketState,
    ParamStep,
    PolicySettings,
    SubjectPlan,
    plan,
    plan_collateral,
    plan_market,
)
from ballast.keepers.risk.settings import LOGGER_NAME, RiskBotSettings, RiskKeeperConfig
from ballast.keepers.risk.state import RiskState
from ballast.keepers.risk.wiring import build_risk_keeper, engine_address, risk_keeper_for_bot

__all__ = [
    "LOGGER_NAME",
    "CollateralState",
    "MarketState",
    "ParamStep",
    "PolicySettings",
    "RiskBotSettings",
    "RiskKeeper",
    "RiskKeeperConfig",
    "RiskReport",
    "RiskState",
    "SubjectPlan",
    "build_risk_keeper",
    "engine_address",
    "plan",
    "plan_collateral",
    "plan_market",
    "risk_keeper_for_bot",
]
