"""MarginEngine and Liquidator fixtures: the whole core (see core_fixtures, shared with tests/attacks)."""

from core_fixtures import (  # noqa: F401  (fixtures: pytest registers what a conftest imports)
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
