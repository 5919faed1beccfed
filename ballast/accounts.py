"""Accounts for deployments and keepers: telling test keys apart, and unlocking a keyfile account for unattended
signing."""

from __future__ import annotations

import logging
import os
from functools import cache
from typing import Any
from urllib.parse import urlparse

import click
from ape.api import ProviderAPI
from ape.api.accounts import TestAccountAPI
from ape.utils.testing import DEFAULT_TEST_HD_PATH, DEFAULT_TEST_MNEMONIC, generate_dev_accounts

from ballast.errors import TestKeyRefused

#: How many accounts of each known test mnemonic count as test accounts.
TEST_ACCOUNTS_CHECKED = 20


@cache
def _mnemonic_addresses(mnemonic: str, hd_path: str, count: int) -> frozenset[str]:
    return frozenset(a.address.lower() for a in generate_dev_accounts(mnemonic, count, hd_path))


def known_test_addresses(test_config: Any = None) -> frozenset[str]:
    """Addresses derived from the public test mnemonic ("test test ... junk") and from the project's configured
    test mnemonic (ape-config.yaml `test:`): anyone can sign for them."""
    addresses = _mnemonic_addresses(DEFAULT_TEST_MNEMONIC, DEFAULT_TEST_HD_PATH, TEST_ACCOUNTS_CHECKED)
    if test_config is not None:
        mnemonic = getattr(test_config, "mnemonic", None) or DEFAULT_TEST_MNEMONIC
        hd_path = getattr(test_config, "hd_path", None) or DEFAULT_TEST_HD_PATH
        count = max(TEST_ACCOUNTS_CHECKED, int(getattr(test_config, "number_of_accounts", 0) or 0))
        addresses |= _mnemonic_addresses(mnemonic, hd_path, count)
    return addresses


def is_test_account(account: Any, test_config: Any = None) -> bool:
    """Whether `account` (an ape account or an address) is a test account or derived from a test mnemonic."""
    if isinstance(account, TestAccountAPI):
        return True
    address = str(getattr(account, "address", account)).lower()
    return address in known_test_addresses(test_config)


#: Chain ids of development nodes (anvil and hardhat use 31337, ganache and geth --dev 1337).
DEV_CHAIN_IDS = frozenset({1337, 31337})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def is_local_network(network: Any, provider: ProviderAPI | None = None) -> bool:
    """Whether transactions go to a throwaway development chain: ape's local network, or a node reached by URI
    (ape names it `custom`) on this machine's loopback with a development chain id. The stand-in test network
    (`ballast-testnet`, chain 31338) is not local: it plays a public one."""
    if getattr(network, "is_local", False):
        return True
    if provider is None:
        return False
    host = urlparse(str(getattr(provider, "uri", "") or "")).hostname
    return host in LOOPBACK_HOSTS and getattr(provider, "chain_id", None) in DEV_CHAIN_IDS


def refuse_test_key_off_local(
    account: Any,
    network: Any,
    test_config: Any = None,
    what: str = "sign",
    provider: ProviderAPI | None = None,
) -> None:
    """Raise `TestKeyRefused` when `account` is a test key (see `is_test_account`) and the network is not local
    (see `is_local_network`): anyone can sign for such a key, so it must never send a transaction there."""
    if is_local_network(network, provider) or not is_test_account(account, test_config):
        return
    raise TestKeyRefused(
        f"refusing to {what} on {network.name} from {getattr(account, 'address', account)}: it is a test account "
        "(from the public test mnemonic, anyone can sign for it); pass --account with a key of your own"
    )


def enable_autosign(account: Any) -> None:
    """Let a keyfile account sign a run of transactions without a prompt for each: the passphrase comes from
    $APE_ACCOUNTS_<alias>_PASSPHRASE, or is asked once. Test and other accounts are left as they are."""
    set_autosign = getattr(account, "set_autosign", None)
    alias = getattr(account, "alias", None)
    if set_autosign is None or alias is None or isinstance(account, TestAccountAPI):
        return
    passphrase = os.environ.get(f"APE_ACCOUNTS_{alias}_PASSPHRASE")
    set_autosign(True, passphrase=passphrase)
    quiet_cached_key_warnings()


def keeper_signer(cli_ctx: Any, account: Any, default: str | None = None) -> Any:
    """The account a keeper command signs with: `account` (from `--account`); on a local network without one, the
    test account at `default` (an address) or the first; never a test key off local networks (`TestKeyRefused`).
    Ready to sign a run of transactions (`enable_autosign`)."""
    network = cli_ctx.network_manager.network
    if account is None:
        if not network.is_local:
            raise click.UsageError(
                "--account is required off local networks (an alias from `ape accounts list`)"
            )
        test_accounts = cli_ctx.account_manager.test_accounts
        wanted = (default or "").lower()
        account = next((a for a in test_accounts if a.address.lower() == wanted), test_accounts[0])
    refuse_test_key_off_local(
        account,
        network,
        cli_ctx.config_manager.get_config("test"),
        "run the keeper",
        provider=cli_ctx.provider,
    )
    enable_autosign(account)
    return account


def quiet_cached_key_warnings() -> None:
    """ape warns "Using cached key for <alias>" at every signature of an unlocked account; the unlock already
    warned once ("Danger! This account will now sign any transaction")."""
    ape_logger = logging.getLogger("ape")
    if not any(isinstance(f, _CachedKeyWarningFilter) for f in ape_logger.filters):
        ape_logger.addFilter(_CachedKeyWarningFilter())


class _CachedKeyWarningFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Using cached key for")
