"""The forge differential fixture (tests/forge/math/OptionMathVectors.sol) is what tools/optionmath_vectors.py writes
from the current mirror: the Solidity is held to these vectors, so a stale fixture would test nothing."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_forge_vectors_are_current():
    spec = importlib.util.spec_from_file_location(
        "optionmath_vectors", ROOT / "tools" / "optionmath_vectors.py"
    )
    assert spec is not None and spec.loader is not None
    vectors = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(vectors)
    assert vectors.FIXTURE.read_text() == vectors.render(), "run python tools/optionmath_vectors.py"
