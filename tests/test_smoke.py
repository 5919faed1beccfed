"""End-to-end toolchain check: an OpenZeppelin-based contract compiles, deploys on anvil and answers."""


def test_provider__is_anvil(chain):
    assert chain.provider.name == "foundry"
    assert chain.provider.web3.client_version.startswith("anvil/")


def test_openzeppelin_token__deploys_and_answers(project, deployer, alice):
    token = project.MockERC20.deploy("USD Coin", "USDC", 6, sender=deployer)
    token.mint(alice, 1_000 * 10**6, sender=deployer)

    assert token.symbol() == "USDC"
    assert token.decimals() == 6
    assert token.balanceOf(alice) == 1_000 * 10**6
    assert token.totalSupply() == 1_000 * 10**6
