"""End-to-end toolchain check: an OpenZeppelin-based contract compiles, deploys on anvil and answers."""


def test_provider__is_anvil(chain):
    assert chain.provider.name == "foundry"
    assert chain.provider.web3.client_version.startswith("anvil/")


def test_openzeppelin_token__deploys_and_answers(project, gov, lp):
    token = project.MockERC20.deploy("USD Coin", "USDC", 6, sender=gov)
    token.mint(lp, 1_000 * 10**6, sender=gov)

    assert token.symbol() == "USDC"
    assert token.decimals() == 6
    assert token.balanceOf(lp) == 1_000 * 10**6
    assert token.totalSupply() == 1_000 * 10**6
