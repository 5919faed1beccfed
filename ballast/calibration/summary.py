"""From the runs to a recommendation: per parameter set, the tails of its losses and the leverage it gives traders;
the set that meets the loss target with the most leverage.

Per set, over its runs that ran to the end (percentiles by numpy's linear interpolation between the closest ranks,
as the InsuranceFund's sizing):

- bad debt (every deficit of a run, USD): 95th and 99th percentile, maximum;
- LP loss (deficits socialized to LPs beyond the InsuranceFund, USD): 95th and 99th percentile;
- liquidations: mean and 95th percentile;
- leverage: the mean over its runs of the run's average allowed leverage (`ballast.riskdata.leverage`): notional a
  dollar of deposits may carry under the set's initial-margin and stress rules.

A set **meets the loss target** when every one of its runs ran to the end, its 99th percentile of bad debt is at
most the target (USD per run; by default the base config's InsuranceFund seed: the fund covers the bad debt of 99 %
of the runs), and its **liquidation buffer** is at least the minimum asked for. The buffer of a set is the smallest
gap between a market's initial and maintenance margins, bps: how far a position opened at the limit on cash can move
before it is liquidatable. The leverage figure does not see it, so without a floor the set that packs the most leverage is one
whose positions are liquidated by ordinary volatility. The **recommendation** is the set with the highest leverage
among those that meet the target (ties: the lower 99th percentile of bad debt, then the name); there is none when no
set meets it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ballast.calibration.tasks import TaskResult
from ballast.config.schema import DeploymentConfig
from ballast.errors import CalibrationError

#: The least liquidation buffer a recommended set may have (bps): the base config's own (`config/local.yaml`: 500).
DEFAULT_MIN_BUFFER_BPS = 500


@dataclass(frozen=True)
class SetSummary:
    candidate: str
    runs: int  # runs that ran to the end
    errors: int  # runs that did not
    bad_debt_p95: float
    bad_debt_p99: float
    bad_debt_max: float
    lp_loss_p95: float
    lp_loss_p99: float
    liquidations_mean: float
    liquidations_p95: float
    leverage: float
    meets_target: bool
    buffer_bps: int | None = None  # None: not known (no floor applied)


def liquidation_buffer_bps(config: DeploymentConfig) -> int:
    """The smallest initial - maintenance margin gap of `config`'s markets, bps (module docstring)."""
    gaps = [m.initial_margin_bps - m.maintenance_margin_bps for m in config.markets]
    if not gaps:
        raise CalibrationError("the parameter set lists no market")
    return min(gaps)


def percentile(values: Sequence[float], q: float) -> float:
    """numpy's linear-interpolation percentile `q` (0..100) of `values`; 0 for no values."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else 0.0


def summarize(
    results: Sequence[TaskResult],
    loss_target: float,
    buffers: Mapping[str, int] | None = None,
    min_buffer_bps: int = 0,
) -> list[SetSummary]:
    """One summary per candidate, in the order the candidates first appear in `results`. `buffers`: each candidate's
    liquidation buffer (bps); a set whose buffer is below `min_buffer_bps` does not meet the target."""
    if loss_target < 0:
        raise CalibrationError(f"--loss-target: {loss_target} is negative")
    if min_buffer_bps < 0:
        raise CalibrationError(f"--min-buffer-bps: {min_buffer_bps} is negative")
    buffers = buffers or {}
    order = list(dict.fromkeys(r.candidate for r in results))
    out = []
    for name in order:
        runs = [r for r in results if r.candidate == name]
        ok = [r for r in runs if r.ok]
        debts = [r.bad_debt for r in ok]
        losses = [r.lp_loss for r in ok]
        liquidations = [float(r.liquidations) for r in ok]
        p99 = percentile(debts, 99)
        errors = len(runs) - len(ok)
        out.append(
            SetSummary(
                candidate=name,
                runs=len(ok),
                errors=errors,
                bad_debt_p95=percentile(debts, 95),
                bad_debt_p99=p99,
                bad_debt_max=max(debts, default=0.0),
                lp_loss_p95=percentile(losses, 95),
                lp_loss_p99=percentile(losses, 99),
                liquidations_mean=float(np.mean(liquidations)) if ok else 0.0,
                liquidations_p95=percentile(liquidations, 95),
                leverage=float(np.mean([r.leverage for r in ok])) if ok else 0.0,
                meets_target=bool(ok)
                and errors == 0
                and p99 <= loss_target
                and buffers.get(name, min_buffer_bps) >= min_buffer_bps,
                buffer_bps=buffers.get(name),
            )
        )
    return out


def recommend(summaries: Sequence[SetSummary]) -> SetSummary | None:
    """The set meeting the target with the most leverage (module docstring); None when none meets it."""
    eligible = [s for s in summaries if s.meets_target]
    if not eligible:
        return None
    return min(eligible, key=lambda s: (-s.leverage, s.bad_debt_p99, s.candidate))


def frontier(summaries: Sequence[SetSummary]) -> list[SetSummary]:
    """The sets no other set beats on both counts (at least as much leverage and at most as much 99th-percentile bad
    debt, one of them strictly), by leverage."""
    ok = [s for s in summaries if s.runs]

    def beaten(s: SetSummary) -> bool:
        return any(
            o.leverage >= s.leverage
            and o.bad_debt_p99 <= s.bad_debt_p99
            and (o.leverage > s.leverage or o.bad_debt_p99 < s.bad_debt_p99)
            for o in ok
        )

    return sorted((s for s in ok if not beaten(s)), key=lambda s: s.leverage)
