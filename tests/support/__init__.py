"""Test support shared by the pytest suites: constants, models and helpers (`core`, `pool`, `attacks`, `deploy`),
the fixtures of the whole deployed core (`core_fixtures`, imported by the conftests of the suites that use it) and
the fixtures that pick an account or a core contract (`fixtures`).

Importable as `support` because pytest puts the directory of the root `tests/conftest.py` on `sys.path` (its default
`prepend` import mode for a conftest outside a package)."""
