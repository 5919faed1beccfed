"""Deployment manifests: `deployments/<network>.json`, written by `ape run deploy` and read by the console, the
keepers and integrators. Addresses by contract name, tokens by symbol, feeds per symbol, the deploy block, the hash
of the normalized config (and the config itself, to tell what changed), the chain id and the tool versions."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ape.managers.chain import ChainManager
from ape.managers.project import ProjectManager
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ballast.errors import ManifestError

#: The repository root (this file is ballast/manifest.py).
PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: Overrides where manifests are read and written (tests point it at a temporary directory).
DEPLOYMENTS_ENV = "BALLAST_DEPLOYMENTS_DIR"
SCHEMA_VERSION = 1

#: Every contract of a deployment, in deployment order.
CONTRACT_NAMES = (
    "OracleAggregator",
    "BallastTimelock",
    "Pool",
    "PoolExtension",
    "MarginEngine",
    "MarginEngineExtension",
    "MarginEngineGovernance",
    "Liquidator",
    "InsuranceFund",
    "AssetOnboarding",
)
#: Contracts a deployment holds when its config asks for them (the OptionsBook: the config's `options`).
OPTIONAL_CONTRACT_NAMES = ("OptionsBook",)


class FeedEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str  # mock | push | feed
    address: str
    decimals: int


class SeriesEntry(BaseModel):
    """An options series listed at deployment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int
    name: str  # e.g. WETH-20261214T0516-3000-C
    asset: str  # symbol
    strike: str  # USD
    expiry: int  # unix time
    type: str  # call | put


class OptionsEntry(BaseModel):
    """The OptionsBook of a deployment: its margin product number in the MarginEngine and the series it listed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    book: str
    product: int
    series: list[SeriesEntry]

    def series_id(self, ref: int | str) -> int:
        """A series by id or by name."""
        if isinstance(ref, int):
            return ref
        for entry in self.series:
            if entry.name == ref:
                return entry.id
        if ref.isdigit():
            return int(ref)
        raise ManifestError(
            f"no options series named {ref!r} (series: {', '.join(s.name for s in self.series)})"
        )


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = SCHEMA_VERSION
    network: str  # ape network name, e.g. local, ballast-testnet, sepolia
    ecosystem: str
    chain_id: int
    block: int  # the block of the deployment's first transaction
    deployer: str
    config_path: str
    config_hash: str
    config: dict[str, Any]  # the normalized config the hash covers
    contracts: dict[str, str]  # contract name -> address
    tokens: dict[str, str]  # symbol -> address
    feeds: dict[str, list[FeedEntry]]  # symbol -> the oracle's sources, in configured order
    markets: dict[str, int]  # market name -> market id
    roles: dict[str, str | list[str]]  # resolved addresses
    tools: dict[str, str]  # versions of ape, ape-solidity, ape-foundry, solc, the node
    deployed_at: str  # ISO 8601, UTC
    tx_count: int = Field(ge=0)  # transactions the deployment sent
    options: OptionsEntry | None = None  # the OptionsBook, when the config has `options`

    @property
    def settlement_symbol(self) -> str:
        return str(self.config["settlementAsset"])

    def all_addresses(self) -> dict[str, str]:
        """Every address the deployment relies on, labelled (contracts, tokens, feeds)."""
        labelled = dict(self.contracts)
        labelled.update({f"token {symbol}": address for symbol, address in self.tokens.items()})
        for symbol, feeds in self.feeds.items():
            labelled.update({f"feed {symbol} #{i}": feed.address for i, feed in enumerate(feeds)})
        return labelled


def deployments_dir(root: Path | str | None = None) -> Path:
    """Where manifests live: `root`, else $BALLAST_DEPLOYMENTS_DIR, else <project>/deployments."""
    if root is not None:
        return Path(root)
    if env := os.environ.get(DEPLOYMENTS_ENV):
        return Path(env)
    return PROJECT_ROOT / "deployments"


def manifest_path(network_name: str, root: Path | str | None = None) -> Path:
    return deployments_dir(root) / f"{network_name}.json"


def load_manifest(network_name: str, root: Path | str | None = None, provider: Any = None) -> Manifest:
    """The manifest of `network_name` (e.g. `local`); ManifestError if there is none (saying what to run, see
    `how_to_deploy`; `provider` is the connected one, when known) or it is unreadable."""
    path = manifest_path(network_name, root)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ManifestError(
            f"no deployment manifest for network {network_name!r} ({path}): {how_to_deploy(network_name, provider)}"
        ) from None
    except (OSError, json.JSONDecodeError) as err:
        raise ManifestError(f"{path}: not a readable manifest ({err})") from None
    try:
        return Manifest.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ManifestError(f"{path}: {where}: {first['msg']}") from None


def write_manifest(manifest: Manifest, root: Path | str | None = None) -> Path:
    path = manifest_path(manifest.network, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    exclude = (
        {"options"} if manifest.options is None else None
    )  # a deployment without options reads as before
    path.write_text(json.dumps(manifest.model_dump(mode="json", exclude=exclude), indent=2) + "\n")
    return path


def code_at(chain: ChainManager, address: str) -> bool:
    return len(bytes(chain.provider.get_code(address))) > 0


def missing_code(chain: ChainManager, manifest: Manifest, contracts_only: bool = False) -> list[str]:
    """Labels of the manifest's addresses (or only its contracts') that hold no code on the connected chain."""
    addresses = manifest.contracts if contracts_only else manifest.all_addresses()
    return [label for label, address in addresses.items() if not code_at(chain, address)]


def how_to_deploy(network_name: str, provider: Any = None) -> str:
    """What to run to get a deployment on `network_name`, as one clause. On the local network that is `make node`'s
    node: `make deploy`, or, for a command connected to an anvil that ape started for it alone (`provider` has a
    process: gone when the command ends), the way to that node."""
    if network_name == "local":
        if getattr(provider, "process", None) is not None:
            from ballast.cli import node_uri

            return (
                "this anvil was started for this command and ends with it: keep the project's node running with "
                f"`make node`, run `make deploy`, then connect with `APE_FOUNDRY_HOST={node_uri()} ape console "
                "--network ethereum:local`"
            )
        return "run `make deploy` (it deploys to the `make node` node)"
    if network_name == "custom":
        return "deploy with `ape run deploy --network <this node's URI>`"
    config = Path("config") / f"{network_name}.yaml"
    with_config = f" --config {config}" if (PROJECT_ROOT / config).exists() else ""
    return f"deploy with `ape run deploy --network ethereum:{network_name}{with_config} --account <alias>`"


def require_code(chain: ChainManager, manifest: Manifest, path: Path | str) -> None:
    """ManifestError unless every contract of `manifest` has code on the connected chain."""
    missing = missing_code(chain, manifest, contracts_only=True)
    if missing:
        raise ManifestError(
            f"{path}: no code at {', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''} on this chain "
            f"(the manifest is of another chain: a node restarted without its state?): "
            f"{how_to_deploy(manifest.network, chain.provider)}"
        )


# ---------------------------------------------------------------------------------------------------- instances


def contract(project: ProjectManager, manifest: Manifest, name: str) -> Any:
    """The deployed `name` (a key of `manifest.contracts`) as an ape contract instance; the Pool and the MarginEngine
    come with their whole API (ballast.system.pool_at, ballast.system.margin_engine_at)."""
    from ballast.system import margin_engine_at, pool_at

    address = manifest.contracts[name]
    if name == "MarginEngine":
        return margin_engine_at(project, address)
    if name == "Pool":
        return pool_at(project, address)
    return getattr(project, name).at(address)


def token(project: ProjectManager, manifest: Manifest, symbol: str) -> Any:
    """A token by symbol, with the ABI of its mock (the no-return one for USDT-style tokens, else MockERC20: the
    ERC20 views and transfers work for any token)."""
    kind = manifest.config["tokens"][symbol]["kind"]
    contract_type = project.MockNoReturnToken if kind == "mock-no-return" else project.MockERC20
    return contract_type.at(manifest.tokens[symbol])


def feed(project: ProjectManager, entry: FeedEntry) -> Any:
    """A feed as a PushFeed (push), MockFeed (mock) or a plain AggregatorV3Interface (feed)."""
    name = {"push": "PushFeed", "mock": "MockFeed"}.get(entry.kind, "AggregatorV3Interface")
    return getattr(project, name).at(entry.address)


class Deployment:
    """A manifest with its contracts as ape instances."""

    def __init__(self, project: ProjectManager, manifest: Manifest) -> None:
        self.manifest = manifest
        self.project = project
        self.oracle = contract(project, manifest, "OracleAggregator")
        self.pool = contract(project, manifest, "Pool")
        self.engine = contract(project, manifest, "MarginEngine")
        self.liquidator = contract(project, manifest, "Liquidator")
        self.insurance = contract(project, manifest, "InsuranceFund")
        #: The shared reentrancy lock (`IProtocolLock`): the Pool holds it.
        self.lock = self.pool
        self.timelock = contract(project, manifest, "BallastTimelock")
        #: The AssetOnboarding, or None when the manifest lists none.
        self.onboarding = (
            contract(project, manifest, "AssetOnboarding")
            if "AssetOnboarding" in manifest.contracts
            else None
        )
        #: The OptionsBook, or None when the deployment has none.
        self.options = (
            contract(project, manifest, "OptionsBook") if "OptionsBook" in manifest.contracts else None
        )
        self.tokens = {symbol: token(project, manifest, symbol) for symbol in manifest.tokens}
        self.feeds = {
            symbol: [feed(project, e) for e in entries] for symbol, entries in manifest.feeds.items()
        }

    @classmethod
    def load(
        cls,
        project: ProjectManager,
        network_name: str,
        root: Path | str | None = None,
        chain: ChainManager | None = None,
    ) -> Deployment:
        """The deployment of `network_name`; with `chain`, also checks that its contracts are on that chain."""
        manifest = load_manifest(network_name, root, chain.provider if chain is not None else None)
        if chain is not None:
            require_code(chain, manifest, manifest_path(network_name, root))
        return cls(project, manifest)

    def symbol_of(self, address: str) -> str:
        for symbol, token_address in self.manifest.tokens.items():
            if token_address.lower() == str(address).lower():
                return symbol
        return str(address)
