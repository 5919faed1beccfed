"""An expiry keeper for a command or a bot: the OptionsBook of the network's deployment manifest (or an address given),
its oracle, and the keeper's settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ape.managers.project import ProjectManager
from eth_utils import is_address, to_checksum_address

from ballast.errors import KeeperError, ManifestError
from ballast.keepers.expiry.keeper import ExpiryKeeper
from ballast.keepers.expiry.settings import ExpiryBotSettings, ExpiryKeeperConfig
from ballast.manifest import load_manifest


def book_address(
    project: ProjectManager, network: str, book: str | None, deployments: Path | None = None
) -> str:
    """The OptionsBook to serve: `book`, else the manifest's; KeeperError when there is none."""
    if book is not None:
        if not is_address(book):
            raise KeeperError(f"--book: {book!r} is not an address")
        return to_checksum_address(book)
    try:
        manifest = load_manifest(network, deployments)
    except ManifestError as err:
        raise KeeperError(f"{err} (or give --book)") from None
    if manifest.options is None:
        raise KeeperError(f"the deployment on {network} has no OptionsBook (its config has no `options`)")
    return manifest.options.book


def build_expiry_keeper(project: ProjectManager, chain: Any, address: str, **settings: Any) -> ExpiryKeeper:
    """A keeper of the book at `address` with `settings` (`ExpiryKeeperConfig`'s fields, `sender` among them)."""
    if not len(bytes(chain.provider.get_code(address))):
        raise KeeperError(f"--book: no contract at {address} on this chain")
    book = project.OptionsBook.at(address)
    oracle = project.OracleAggregator.at(book.oracle())
    return ExpiryKeeper(book, oracle, ExpiryKeeperConfig(**settings), int(chain.chain_id))


def expiry_keeper_for_bot(
    project: ProjectManager, chain: Any, sender: Any, settings: ExpiryBotSettings
) -> ExpiryKeeper:
    address = book_address(project, chain.provider.network.name, settings.book)
    return build_expiry_keeper(
        project, chain, address, sender=sender, state_path=settings.state_path, grace=settings.grace,
        refresh_oracle=settings.refresh_oracle, gas=settings.gas,
    )  # fmt: skip
