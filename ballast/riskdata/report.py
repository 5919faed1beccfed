"""`ape run risk propose`'s work: read the `SYMBOL=PATH` and `SYMBOL=TOKENS` options, propose each asset's
parameters (`ballast.riskdata.proposals`), print them as a table (value, method, inputs) and write them as JSON."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ballast.errors import RiskDataError
from ballast.riskdata.history import load_csv
from ballast.riskdata.proposals import Figure, Proposal, Settings, propose

DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3_600, "d": 86_400}


def parse_duration(text: str, option: str = "--horizon") -> int:
    """Seconds of `30m`, `1h`, `1.5d`, `900s`; `RiskDataError` (naming `option`) otherwise."""
    match = DURATION.match(text)
    seconds = float(match.group(1)) * UNIT_SECONDS[match.group(2)] if match else 0.0
    if seconds < 1:
        raise RiskDataError(f"{option}: {text!r} is not a duration such as 30m, 1h or 1d")
    return round(seconds)


def parse_pairs(specs: Sequence[str], option: str) -> dict[str, str]:
    """`SYMBOL=VALUE` options by symbol; `RiskDataError` for a malformed or repeated one."""
    pairs: dict[str, str] = {}
    for spec in specs:
        symbol, sep, value = spec.partition("=")
        if not sep or not symbol.strip() or not value.strip():
            raise RiskDataError(f"{option}: {spec!r} is not SYMBOL=VALUE")
        if symbol.strip() in pairs:
            raise RiskDataError(f"{option}: {symbol.strip()} given twice")
        pairs[symbol.strip()] = value.strip()
    return pairs


def parse_depths(specs: Sequence[str]) -> dict[str, float]:
    """`--depth SYMBOL=TOKENS` by symbol (positive numbers)."""
    depths = {}
    for symbol, text in parse_pairs(specs, "--depth").items():
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise RiskDataError(f"--depth: {symbol}={text} is not a positive number of tokens")
        depths[symbol] = value
    return depths


def propose_from_csv(
    csv_specs: Sequence[str], settings: Settings, depth_specs: Sequence[str] = ()
) -> list[Proposal]:
    """One proposal per `--csv SYMBOL=PATH`, in the order given; a depth for a symbol without a CSV is refused."""
    files = parse_pairs(csv_specs, "--csv")
    if not files:
        raise RiskDataError("--csv: give at least one SYMBOL=PATH")
    depths = parse_depths(depth_specs)
    unknown = sorted(set(depths) - set(files))
    if unknown:
        raise RiskDataError(f"--depth: {', '.join(unknown)} has no --csv")
    return [
        propose(load_csv(Path(path), symbol), settings, depths.get(symbol)) for symbol, path in files.items()
    ]


def _number(value: float | int | str) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _inputs(figure: Figure) -> str:
    return ", ".join(f"{k}={_number(v)}" for k, v in figure.inputs.items())


def _time(stamp: int) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M")


def proposal_table(proposal: Proposal) -> Table:
    """One asset's proposal: a row per parameter with its value, method and inputs; the caption gives the
    series and the estimates."""
    e, s = proposal.estimates, proposal.settings
    table = Table(
        title=f"{proposal.asset}: proposed risk parameters",
        caption=(
            f"{proposal.source}: {e.observations} prices {_time(e.first_timestamp)} .. {_time(e.last_timestamp)} "
            f"UTC, period {e.period_seconds:g} s ({e.periods_per_year:g} per 365-day year); horizon "
            f"{s.horizon_seconds} s = {e.horizon_periods} periods; realised vol {e.realised_vol_annual:.2%}/yr, "
            f"EWMA vol (lambda {e.lam:g}) {e.ewma_vol_annual:.2%}/yr; worst fall {e.worst_down:.2%}, "
            f"worst rise {e.worst_up:.2%} within the horizon"
        ),
    )
    table.add_column("parameter", no_wrap=True)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("method")
    table.add_column("inputs")
    for name, figure in proposal.figures().items():
        value = "-" if figure.value is None else f"{figure.value} {figure.unit}"
        table.add_row(name, value, figure.method, _inputs(figure))
    return table


def print_proposals(proposals: Sequence[Proposal], console: Console) -> None:
    for proposal in proposals:
        console.print(proposal_table(proposal))


def write_json(proposals: Sequence[Proposal], path: Path) -> Path:
    """The proposals as a JSON list (one object per asset: settings, estimates, figures)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([p.to_json() for p in proposals], indent=2) + "\n")
    return path
