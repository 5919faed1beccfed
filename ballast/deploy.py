"""Deploying ballast from a config (ballast.config) and keeping `deployments/<network>.json` honest.

`run_deploy` decides what a run does:

- no manifest for the network: deploy everything, check the wiring, write the manifest;
- a manifest whose contracts are all on the chain and whose config hash equals the config's: verify and stop
  (nothing is sent);
- a manifest with a different config hash: refuse, showing which fields changed;
- a manifest whose contracts are not on the chain (a fresh anvil): deploy again on local networks, refuse elsewhere.

The deployment itself: mock tokens and feeds where the config asks for them, the OracleAggregator with every asset's
sources, the BallastTimelock, the core through `ballast.system.deploy_core` (addresses predicted from the deployer's
nonce), the listings (pool assets, collateral, markets), the OptionsBook when the config has `options` (margin product
0 of the MarginEngine, its implied volatilities and series), the AssetOnboarding (the timelock's proposer and
canceller, the config's risk committee), then the timelock takes the admin role of every contract and the deployer
renounces its own. Every immutable, role and parameter is read back and compared.

Off local networks the deployer and every role must be real keys: accounts of the public test mnemonic are refused.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from ape.api import AccountAPI
from ape.contracts import ContractInstance
from ape.managers.chain import ChainManager
from ape.managers.project import ProjectManager
from pydantic.alias_generators import to_camel
from rich.console import Console
from rich.table import Table

from ballast.accounts import is_local_network, is_test_account, refuse_test_key_off_local
from ballast.config import BPS, NO_LIQUIDITY_CAP, DeploymentConfig, diff_configs, display_path, load_config
from ballast.config.schema import plain
from ballast.errors import ConfigError, DeployError, ManifestError, TestKeyRefused
from ballast.governance import deploy_onboarding, deploy_timelock
from ballast.manifest import (
    FeedEntry,
    Manifest,
    OptionsEntry,
    SeriesEntry,
    code_at,
    load_manifest,
    manifest_path,
    missing_code,
    write_manifest,
)
from ballast.mocks import NO_TERMS, MockAsset, Source, deploy_mocks, deploy_token
from ballast.oracle_adapters import adapter_maker
from ballast.params import (
    ADMIN_ROLE,
    answer_bounds,
    collateral_params,
    core_params,
    implied_vol_wad,
    liveness_params,
    margin_engine_caps,
    market_params,
    onboarding_params,
    options_risk_params,
    pool_asset_params,
    series_args,
    to_units,
)
from ballast.system import Roles, deploy_core, deploy_options_book, list_options_book
from ballast.verify import verify_settings, verify_wiring


@dataclass(frozen=True)
class ResolvedRoles:
    deployer: str
    risk_manager: str
    guardian: str
    keeper: str
    proposers: tuple[str, ...]
    executors: tuple[str, ...]
    risk_committee: str = ""

    def as_dict(self, timelock: str) -> dict[str, str | list[str]]:
        return {
            "admin": timelock,
            "deployer": self.deployer,
            "riskManager": self.risk_manager,
            "guardian": self.guardian,
            "keeper": self.keeper,
            "riskCommittee": self.risk_committee or self.risk_manager,
            "proposers": list(self.proposers),
            "executors": list(self.executors),
        }


@dataclass
class DeployContext:
    """What a deployment needs from ape (the CLI passes its context's managers; tests pass fixtures)."""

    project: ProjectManager
    chain: ChainManager
    accounts: Any  # ape's account manager (for test accounts)
    deployer: AccountAPI
    config_manager: Any = None  # for the project's test mnemonic
    console: Console = field(default_factory=Console)

    @property
    def network(self) -> Any:
        return self.chain.provider.network

    @property
    def is_local(self) -> bool:
        return is_local_network(self.network, getattr(self.chain, "provider", None))

    @property
    def test_config(self) -> Any:
        if self.config_manager is None:
            return None
        return self.config_manager.get_config("test")


@dataclass(frozen=True)
class DeployOutcome:
    action: str  # "deployed" | "redeployed" | "verified"
    manifest: Manifest
    path: Path
    notes: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------------- roles


def resolve_roles(ctx: DeployContext, config: DeploymentConfig) -> ResolvedRoles:
    """Addresses of every role; `test:N` only on local networks; off local, no role may be a test key."""
    deployer = str(ctx.deployer.address)
    from eth_utils import to_checksum_address

    def resolve(ref: str, where: str) -> str:
        if ref == "deployer":
            address = deployer
        elif ref.startswith("test:"):
            if not ctx.is_local:
                raise DeployError(
                    f"{where}: {ref} is a test account; test accounts hold roles only on local networks "
                    f"(this is {ctx.network.name})"
                )
            index = int(ref.split(":")[1])
            test_accounts = ctx.accounts.test_accounts
            if index >= len(test_accounts):
                raise DeployError(f"{where}: {ref}: there are only {len(test_accounts)} test accounts")
            address = str(test_accounts[index].address)
        else:
            address = to_checksum_address(ref)
        if not ctx.is_local and is_test_account(address, ctx.test_config):
            raise DeployError(
                f"{where}: {address} is derived from the public test mnemonic; anyone can sign for it "
                f"(refused on {ctx.network.name})"
            )
        return address

    r = config.roles
    return ResolvedRoles(
        deployer=deployer,
        risk_manager=resolve(r.risk_manager, "roles.riskManager"),
        guardian=resolve(r.guardian, "roles.guardian"),
        keeper=resolve(r.keeper, "roles.keeper"),
        proposers=tuple(
            resolve(p, f"roles.timelock.proposers[{i}]") for i, p in enumerate(r.timelock.proposers)
        ),
        executors=tuple(
            resolve(e, f"roles.timelock.executors[{i}]") for i, e in enumerate(r.timelock.executors)
        ),
        risk_committee=resolve(r.risk_committee or r.risk_manager, "roles.riskCommittee"),
    )


def check_deployer(ctx: DeployContext) -> None:
    """Off local networks, refuse ape's test accounts and anything derived from a test mnemonic."""
    try:
        refuse_test_key_off_local(
            ctx.deployer, ctx.network, ctx.test_config, "deploy", provider=ctx.chain.provider
        )
    except TestKeyRefused as err:
        raise DeployError(str(err)) from None


# ---------------------------------------------------------------------------------------------------- deploying


def oracle_asset(
    ctx: DeployContext,
    config: DeploymentConfig,
    symbol: str,
    keeper: str,
    tokens: dict[str, Any] | None = None,
) -> MockAsset:
    """An oracle asset of the config for `deploy_mocks`: each source a mock feed, a push feed (reported into by
    `keeper`), an existing feed or an adapter (`ballast.oracle_adapters`; `tokens`: the deployed tokens by symbol),
    bounded by the asset's USD band in the feed's decimals."""
    asset = config.oracle.assets[symbol]
    params = config.oracle_params(symbol)
    sources = []
    for i, source in enumerate(asset.sources):
        label = f"{symbol} / USD #{i + 1}"
        make: Callable[[], Any] | None = None
        heartbeat = source.heartbeat or params.heartbeat
        if source.is_adapter:
            make = adapter_maker(
                ctx.project,
                ctx.chain,
                ctx.deployer,
                source,
                f"oracle.assets.{symbol}.sources[{i}]",
                label,
                partial(_token_of, tokens, symbol),
            )
        elif source.kind == "push":
            make = partial(_deploy_push_feed, ctx, source.decimals, source.answer, label, keeper)
        elif source.kind == "feed":
            assert source.address is not None  # the config checks it
            where = f"oracle.assets.{symbol}.sources[{i}]"
            make = partial(
                _existing, ctx, where, source.address, ctx.project.AggregatorV3Interface, source.decimals
            )
        answer = (
            to_units(source.answer, source.decimals)
            if source.kind == "mock" and source.answer is not None
            else 0
        )
        bounds = answer_bounds(asset, source.decimals)
        sources.append(Source(source.decimals, answer, label, heartbeat, bounds, make))
    return MockAsset(symbol, config.decimals(symbol), tuple(sources), params)


def _token_of(tokens: dict[str, Any] | None, symbol: str) -> Any:
    if tokens is None or symbol not in tokens:
        raise DeployError(
            f"oracle.assets.{symbol}: the token is not deployed yet (a Uniswap source's default base)"
        )
    return tokens[symbol]


def tool_versions(project: ProjectManager, chain: ChainManager) -> dict[str, str]:
    versions = {name: importlib.metadata.version(name) for name in ("eth-ape", "ape-solidity", "ape-foundry")}
    compilers = project.manifest.compilers or []
    solc = next((c.version for c in compilers if c.name == "solidity"), None)
    versions["solc"] = str(solc or project.config.solidity.version)
    try:
        versions["node"] = str(chain.provider.web3.client_version)
    except Exception:  # a node that does not say is fine
        versions["node"] = "unknown"
    return versions


def _existing(ctx: DeployContext, what: str, address: str, contract_type: Any, decimals: int) -> Any:
    if not code_at(ctx.chain, address):
        raise DeployError(f"{what}: no contract at {address} on {ctx.network.name}")
    instance = contract_type.at(address)
    actual = int(instance.decimals())
    if actual != decimals:
        raise DeployError(f"{what}: {address} reports {actual} decimals, the config says {decimals}")
    return instance


def seed_insurance(
    config: DeploymentConfig, settlement: ContractInstance, insurance: ContractInstance, sender: AccountAPI
) -> None:
    """Put `insurance.seed` settlement tokens into the InsuranceFund from the deployer (minted first for a mock
    token); a deployer holding too little is one line."""
    amount = config.units(config.settlement_asset, config.insurance.seed)
    if amount == 0:
        return
    if config.tokens[config.settlement_asset].kind == "mock":
        settlement.mint(sender, amount, sender=sender)
    held = int(settlement.balanceOf(sender))
    if held < amount:
        raise DeployError(
            f"insurance.seed: the deployer holds {held} units of {config.settlement_asset}, the seed needs {amount}"
        )
    settlement.approve(insurance, amount, sender=sender)
    insurance.fund(amount, b"seed".ljust(32, b"\0"), sender=sender)


def deploy_system(
    ctx: DeployContext, config: DeploymentConfig, roles: ResolvedRoles, config_path: str
) -> Manifest:
    """Send every transaction of a deployment and return its manifest (not yet written)."""
    project, sender, console = ctx.project, ctx.deployer, ctx.console
    start_nonce = sender.nonce
    start_block = ctx.chain.blocks.height + 1

    console.rule("deploy: tokens")
    tokens: dict[str, Any] = {}
    for symbol, spec in config.tokens.items():
        if spec.kind == "existing":
            assert spec.address is not None  # the config checks it
            tokens[symbol] = _existing(
                ctx, f"tokens.{symbol}", spec.address, project.MockERC20, spec.decimals
            )
        else:
            tokens[symbol] = deploy_token(
                project, sender, MockAsset(symbol, spec.decimals, (), NO_TERMS, spec.name, spec.kind)
            )

    def new_oracle() -> Any:
        console.rule("deploy: OracleAggregator")
        return project.OracleAggregator.deploy(
            sender, roles.guardian, config.oracle.min_twap_window, sender=sender
        )

    console.rule("deploy: oracle sources")
    assets = [oracle_asset(ctx, config, symbol, roles.keeper, tokens) for symbol in config.oracle.assets]
    mocks = deploy_mocks(project, sender, assets, new_oracle=new_oracle, tokens=tokens)
    oracle = mocks.oracle
    feeds = {
        symbol: [
            FeedEntry(kind=source.kind, address=str(feed.address), decimals=source.decimals)
            for source, feed in zip(config.oracle.assets[symbol].sources, mocks.feeds[symbol], strict=True)
        ]
        for symbol in config.oracle.assets
    }
    oracle.setLivenessParams(liveness_params(config), sender=sender)
    oracle.grantRole(oracle.RISK_COMMITTEE_ROLE(), roles.risk_committee or roles.risk_manager, sender=sender)

    console.rule("deploy: timelock and core")
    # The deployer administers the timelock only until it granted the AssetOnboarding its roles (below).
    timelock = deploy_timelock(
        project,
        sender,
        config.roles.timelock.min_delay,
        list(roles.proposers),
        list(roles.executors),
        admin=sender,
    )
    settlement = tokens[config.settlement_asset]
    core = deploy_core(
        project,
        sender,
        oracle,
        settlement,
        Roles(sender, roles.risk_manager, roles.guardian),
        core_params(config),
    )

    console.rule("deploy: listings")
    for symbol in config.pool.assets:
        core.pool.listAsset(tokens[symbol], pool_asset_params(config, symbol), sender=sender)
    engine_caps = margin_engine_caps(config)
    if engine_caps != (NO_LIQUIDITY_CAP, BPS):  # the MarginEngine starts with no cap
        core.pool.setProductCaps(core.engine, engine_caps, sender=sender)
    for symbol, collateral in config.collateral.items():
        core.engine.listCollateral(tokens[symbol], collateral_params(config, symbol), sender=sender)
        if collateral.debt_ceiling_usd:
            core.engine.setCollateralIsolation(
                tokens[symbol], collateral.debt_ceiling_usd * 10**18, sender=sender
            )
    if config.roles.timelock.ramp_duration != core.engine.rampDuration():
        core.engine.setRampDuration(config.roles.timelock.ramp_duration, sender=sender)
    markets: dict[str, int] = {}
    for i, market in enumerate(config.markets):
        core.engine.listMarket(market_params(config, i, tokens[market.asset].address), sender=sender)
        markets[market.name] = i
    seed_insurance(config, settlement, core.insurance, sender)

    governed = [oracle, core.pool, core.engine, core.liquidator, core.insurance]
    options: OptionsEntry | None = None
    book: Any = None
    if config.options is not None:
        console.rule("deploy: options")
        book, options = deploy_options(ctx, config, core.engine, tokens, roles)
        governed.append(book)

    console.rule("deploy: asset onboarding")
    onboarding = deploy_onboarding(
        project,
        sender,
        timelock,
        (settlement, oracle, core.pool, core.engine),
        roles.risk_committee or roles.risk_manager,
        onboarding_params(config),
    )

    console.rule("deploy: the timelock becomes admin")
    for contract in governed:
        contract.grantRole(ADMIN_ROLE, timelock, sender=sender)
    for contract in governed:
        contract.renounceRole(ADMIN_ROLE, sender, sender=sender)

    contracts = {
        "OracleAggregator": oracle.address,
        "BallastTimelock": timelock.address,
        **{name: c.address for name, c in core.by_name().items()},
        "MarginEngineExtension": core.engine.extension(),
        "MarginEngineGovernance": project.MarginEngineExtension.at(core.engine.extension()).governance(),
        "PoolExtension": core.pool.extension(),
        "AssetOnboarding": onboarding.address,
        **({"OptionsBook": book.address} if book is not None else {}),
    }
    network = ctx.network
    return Manifest(
        network=network.name,
        ecosystem=network.ecosystem.name,
        chain_id=int(ctx.chain.chain_id),
        block=start_block,
        deployer=roles.deployer,
        config_path=config_path,
        config_hash=config.config_hash(),
        config=config.normalized(),
        contracts={name: str(address) for name, address in contracts.items()},
        tokens={symbol: str(t.address) for symbol, t in tokens.items()},
        feeds=feeds,
        markets=markets,
        roles=roles.as_dict(str(timelock.address)),
        tools=tool_versions(project, ctx.chain),
        deployed_at=datetime.now(UTC).isoformat(timespec="seconds"),
        tx_count=sender.nonce - start_nonce,
        options=options,
    )


def series_name(symbol: str, strike: Decimal, expiry: int, is_call: bool) -> str:
    """A series' name: asset, expiry (UTC), strike and C or P, e.g. `WETH-20261214T0516-3000-C`."""
    when = datetime.fromtimestamp(expiry, UTC).strftime("%Y%m%dT%H%M")
    return f"{symbol}-{when}-{plain(strike)}-{'C' if is_call else 'P'}"


def deploy_options(
    ctx: DeployContext,
    config: DeploymentConfig,
    engine: ContractInstance,
    tokens: dict[str, Any],
    roles: ResolvedRoles,
) -> tuple[ContractInstance, OptionsEntry]:
    """The OptionsBook of `config.options`: deployed with the deployer as its admin and risk manager, listed as the
    engine's next margin product, its implied volatilities set and its series listed; then the risk manager role goes
    to the config's holder (the caller hands the admin role to the timelock with the other contracts')."""
    assert config.options is not None
    o, project, sender = config.options, ctx.project, ctx.deployer
    book = deploy_options_book(
        project, sender, engine, sender, sender, options_risk_params(config), o.settlement_window
    )
    product = list_options_book(engine, book, sender)
    for symbol in o.implied_vol:
        book.setImpliedVol(tokens[symbol], implied_vol_wad(config, symbol), sender=sender)
    listed = []
    now = int(ctx.chain.pending_timestamp)  # one time for all: series of one tenor share their expiry
    for series in o.series:
        args = series_args(series, tokens[series.asset].address, now)
        book.listSeries(*args, sender=sender)
        series_id = int(book.seriesCount())
        name = series_name(series.asset, series.strike, args[2], series.is_call)
        listed.append(
            SeriesEntry(
                id=series_id,
                name=name,
                asset=series.asset,
                strike=plain(series.strike),
                expiry=args[2],
                type=series.type,
            )
        )
    risk_role = book.RISK_MANAGER_ROLE()
    if roles.risk_manager.lower() != roles.deployer.lower():
        book.grantRole(risk_role, roles.risk_manager, sender=sender)
        book.renounceRole(risk_role, sender, sender=sender)
    return book, OptionsEntry(book=str(book.address), product=product, series=listed)


def _deploy_push_feed(
    ctx: DeployContext, decimals: int, answer: Decimal | None, label: str, keeper: str
) -> Any:
    """A PushFeed owned by the deployer with the keeper as reporter; its first answer, if any, from the deployer."""
    sender = ctx.deployer
    feed = ctx.project.PushFeed.deploy(sender, decimals, label, sender=sender)
    keeper_is_sender = keeper.lower() == str(sender.address).lower()
    if answer is not None:
        feed.setReporter(sender, True, sender=sender)
        feed.submit(to_units(answer, decimals), sender=sender)
        if not keeper_is_sender:
            feed.setReporter(sender, False, sender=sender)
    if not keeper_is_sender or answer is None:
        feed.setReporter(keeper, True, sender=sender)
    return feed


# ---------------------------------------------------------------------------------------------------- one run


def _stale_reason(chain: ChainManager, previous: Manifest, chain_id: int) -> str | None:
    """Why `previous` does not describe the connected chain, or None if all its addresses hold code."""
    if previous.chain_id != chain_id:
        return f"is for chain {previous.chain_id}, connected to chain {chain_id}"
    missing = missing_code(chain, previous)
    if not missing:
        return None
    more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
    return f"lists contracts with no code on this chain ({', '.join(missing[:3])}{more})"


#: The fields of an oracle source that name a contract already on the chain.
SOURCE_ADDRESS_FIELDS = ("address", "underlying", "base", "quote_feed")


def check_source_code(chain: ChainManager, config: DeploymentConfig) -> None:
    """Every contract an oracle source names holds code, before anything is deployed: a wrong address is one line
    and leaves the chain as it was."""
    for symbol, asset in config.oracle.assets.items():
        for i, source in enumerate(asset.sources):
            for name in SOURCE_ADDRESS_FIELDS:
                address = getattr(source, name)
                if address is not None and not code_at(chain, address):
                    raise DeployError(
                        f"oracle.assets.{symbol}.sources[{i}].{to_camel(name)}: no contract at {address}"
                    )


def run_deploy(ctx: DeployContext, config_path: Path | str, root: Path | str | None = None) -> DeployOutcome:
    """Deploy, or verify an existing deployment, per the module docstring. Raises DeployError for the user."""
    config_path = Path(config_path)
    try:
        config = load_config(config_path)
    except ConfigError as err:
        raise DeployError(str(err)) from None
    shown_path = display_path(config_path)
    network = ctx.network
    check_deployer(ctx)
    roles = resolve_roles(ctx, config)
    check_source_code(ctx.chain, config)
    path = manifest_path(network.name, root)
    chain_id = int(ctx.chain.chain_id)

    notes: list[str] = []
    action = "deployed"
    if path.exists():
        try:
            previous = load_manifest(network.name, root)
        except ManifestError as err:
            raise DeployError(f"{err}; move it away to deploy again") from None
        why = _stale_reason(ctx.chain, previous, chain_id)
        if why is not None:
            if not ctx.is_local:
                raise DeployError(
                    f"{display_path(path)} {why}; refusing to deploy over it on {network.name} "
                    "(move the manifest away if a new deployment is what you want)"
                )
            notes.append(f"{display_path(path)} {why} (a fresh local chain?): deploying again")
            action = "redeployed"
        else:
            if previous.config_hash != config.config_hash():
                changes = diff_configs(previous.config, config.normalized())
                lines = "\n".join(f"  {line}" for line in changes)
                raise DeployError(
                    f"{shown_path} differs from the config deployed on {network.name} "
                    f"({display_path(path)}); changed fields:\n{lines}\n"
                    "A deployed system changes through governance (the timelock), not by deploying again."
                )
            problems = verify_wiring(ctx.project, previous)
            if problems:
                raise DeployError(
                    f"{display_path(path)} does not match the contracts on {network.name}: "
                    + "; ".join(problems)
                )
            drift = verify_settings(ctx.project, previous, config)
            notes.extend(f"changed since deployment (governance?): {p}" for p in drift)
            return DeployOutcome("verified", previous, path, tuple(notes))

    for note in notes:
        ctx.console.print(f"[yellow]{note}[/yellow]")
    manifest = deploy_system(ctx, config, roles, shown_path)
    problems = verify_wiring(ctx.project, manifest) + verify_settings(ctx.project, manifest, config)
    if problems:
        raise DeployError("the deployment does not read back as configured: " + "; ".join(problems))
    written = write_manifest(manifest, root)
    return DeployOutcome(action, manifest, written, tuple(notes))


def print_outcome(outcome: DeployOutcome, console: Console) -> None:
    m = outcome.manifest
    if outcome.action == "verified":
        console.print(
            f"{display_path(outcome.path)}: deployment verified on {m.network} (chain {m.chain_id}): code at "
            f"{len(m.all_addresses())} addresses, config hash {m.config_hash[:19]}..., wiring as deployed; "
            "nothing sent"
        )
        for note in outcome.notes:
            console.print(f"[yellow]{note}[/yellow]")
        return
    table = Table(
        title=f"ballast deployed on {m.network} (chain {m.chain_id}, block {m.block}, {m.tx_count} txs)"
    )
    table.add_column("name")
    table.add_column("address", no_wrap=True)
    for name, address in m.contracts.items():
        table.add_row(name, address)
    for symbol, address in m.tokens.items():
        table.add_row(f"token {symbol}", address)
    for entry in m.options.series if m.options is not None else ():
        table.add_row(f"series {entry.id}", entry.name)
    console.print(table)
    console.print(f"manifest: {display_path(outcome.path)} (config hash {m.config_hash})")
