"""README's 15-minute path, step 3, run: every line of its console block in order against a fresh deployment of
config/local.yaml, as `ape console` would; none may fail, and the account ends where the block leaves it."""

import re

import ape

from support.deploy import ROOT

README = ROOT / "README.md"


def console_block() -> list[str]:
    """The statements of README's first ```python block (step 3), comments dropped."""
    block = re.search(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert block is not None, "README has no python block"
    lines = [line.split("  #")[0].strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def test_readme_console_block__every_line_runs_and_leaves_the_trader_as_it_says(names, traces_off):
    statements = console_block()
    assert any(s.startswith("open_position(") for s in statements)
    namespace = {**names, "accounts": ape.accounts}
    for statement in statements:
        exec(compile(statement, "<README>", "exec"), namespace)  # a failure fails the test with its error
    d = names["deployment"]
    trader = namespace["trader"]
    # Closed the perp, kept the two written calls of series 1, healthy after WETH fell to 2,300.
    assert int(d.engine.position(trader, 0).size) == 0
    assert int(names["options_book"].positionOf(trader, 1)) == -2 * 10**18
    assert not d.engine.health(trader).liquidatable
