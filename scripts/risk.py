"""`ape run risk`: risk parameters from data (off chain); see docs/risk-data.md.

ape run risk propose --csv WETH=data/crashes/eth_2022-11-09.csv [--csv WBTC=...] [--horizon 1h] [--depth WETH=5000]
    [--lambda 0.94] [--safety 1.25] [--buffer-k 2] [--stress-k 3] [--json proposals.json]
"""

from pathlib import Path

import click
from rich.console import Console

from ballast.cli import user_errors
from ballast.riskdata.proposals import Settings
from ballast.riskdata.report import parse_duration, print_proposals, propose_from_csv, write_json


@click.group(short_help="Risk parameters from price data (off chain)")
def cli() -> None:
    """Estimate volatility and worst moves from a price history and propose haircuts, margins, shocks and caps."""


@cli.command(name="propose", short_help="Propose an asset's risk parameters from a price CSV")
@click.option("--csv", "csv_specs", multiple=True, metavar="SYMBOL=PATH", help="A price history (repeatable)")
@click.option("--horizon", default="1h", show_default=True, help="The liquidation horizon (30m, 1h, 1d...)")
@click.option(
    "--depth", "depth_specs", multiple=True, metavar="SYMBOL=TOKENS",
    help="Tokens sellable within the liquidation penalty's price impact: proposes a supply cap of twice that",
)  # fmt: skip
@click.option("--lambda", "lam", type=float, default=0.94, show_default=True, help="EWMA decay (RiskMetrics)")
@click.option("--safety", type=float, default=1.25, show_default=True, help="Factor on the worst move")
@click.option("--buffer-k", type=float, default=2.0, show_default=True, help="Initial buffer, in sigma_h")
@click.option("--stress-k", type=float, default=3.0, show_default=True, help="Stress floor, in sigma_h")
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write them as JSON"
)
def propose(
    csv_specs: tuple[str, ...],
    horizon: str,
    depth_specs: tuple[str, ...],
    lam: float,
    safety: float,
    buffer_k: float,
    stress_k: float,
    json_path: Path | None,
) -> None:
    """Print each asset's proposal (value, method, inputs), and write them to --json when given."""
    console = Console()
    with user_errors():
        settings = Settings(parse_duration(horizon), lam, safety, buffer_k, stress_k)
        proposals = propose_from_csv(csv_specs, settings, depth_specs)
    print_proposals(proposals, console)
    if json_path is not None:
        console.print(f"proposals: {write_json(proposals, json_path)}")
