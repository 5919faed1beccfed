"""Attack suite fixtures: the whole core of tests/engine (its engine_fixtures and engine_setup, imported
rather than copied), a way to list extra tokens, and the Batcher helper contract (Batcher.sol here, compiled by the
suite with the project's solc) that runs many calls in one transaction."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "engine"))  # engine_setup, engine_fixtures

# Fixtures: pytest registers what a conftest imports.
from attack_fixtures import (  # noqa: F401
    attacker,
    batcher_type,
    big_calls,
    deploy_batcher,
    give,
    list_token,
)
from engine_fixtures import (  # noqa: F401
    core,
    engine,
    feeds,
    insurance,
    liquidator,
    move_price,
    oracle,
    pool,
    post,
    seeded,
    settle,
    tokens,
    trader,
    trader2,
)
