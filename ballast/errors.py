"""The errors ballast shows a person: each one is a user mistake or a state of the world (a bad config, a node that
is down, a missing manifest, a keeper's state file of another chain) that a command reports in one line and exits 1
for, without a traceback (`ballast.cli`).

    BallastError
    ├── ConfigError        a deployment config (or another settings file) is wrong; one line per bad field
    ├── ManifestError      a deployment manifest is missing, unreadable or of another chain
    ├── DeployError        a deployment cannot go on (the deployer, an existing contract, a contract's wiring)
    ├── NodeError          the node is down, unreachable or cannot be started
    ├── TestKeyRefused     a key of the public test mnemonic off a local network
    ├── KeeperError        a keeper's settings, inputs or wiring are unusable
    │   └── KeeperStateError   its state file is unreadable or belongs to another chain or engine
    ├── ScenarioError      a scenario cannot run
    │   ├── SeriesError        a price file that cannot be replayed
    │   └── DriverError        a transaction the scenario required failed, or the node refused a request
    ├── BenchError         the forge gas harness cannot be run or its output read
    ├── RiskDataError      risk parameters cannot be proposed from the data and settings given (`ballast.riskdata`)
    ├── CalibrationError   a Monte Carlo calibration's options, parameter sets or cluster are unusable
    └── AnalysisError      the static-analysis gate cannot run or its triage file is wrong

A bug (an assertion, a `TypeError`) is not a `BallastError`: it keeps its traceback. The keepers' internal signals
(`ballast.keepers.gas.GasError`, `ballast.reader.ParamsOutdated`) never leave the package.
"""

from __future__ import annotations


class BallastError(Exception):
    """A user-facing error: `str(error)` is what the command prints."""


class ConfigError(BallastError, ValueError):
    """A config that cannot be used; `issues` holds one line per bad field, each prefixed by `source` (the file)."""

    def __init__(self, source: str, issues: list[str]) -> None:
        self.source = source
        self.issues = issues
        super().__init__("\n".join(f"{source}: {issue}" for issue in issues))


class ManifestError(BallastError, ValueError):
    """A deployment manifest is missing, unreadable, or does not describe the connected chain."""


class DeployError(BallastError):
    """A deployment cannot go on: the deployer, an existing contract or token, a contract's wiring."""


class NodeError(BallastError, RuntimeError):
    """The node is down, unreachable, or could not be started."""


class TestKeyRefused(BallastError, ValueError):
    """A key of the public test mnemonic (or one of ape's test accounts) was given off a local network."""

    __test__ = False  # not a pytest test class despite the name


class KeeperError(BallastError):
    """A keeper cannot start or go on: its settings, inputs (price files), wiring or deployment."""


class KeeperStateError(KeeperError):
    """A keeper's state file is unreadable, or was written for another engine or chain."""


class ScenarioError(BallastError):
    """A scenario cannot run: a price series is unusable, or a transaction it must send failed."""


class SeriesError(ScenarioError, ValueError):
    """A price file that cannot be replayed; the message is one line naming the file."""


class DriverError(ScenarioError):
    """A transaction the caller required to succeed failed, or the node refused a request."""


class BenchError(BallastError):
    """The forge gas harness could not be run, or its output or the snapshot could not be read."""


class RiskDataError(BallastError, ValueError):
    """Risk parameters cannot be proposed: a setting, an option (`SYMBOL=PATH`) or the data given is unusable."""


class AnalysisError(BallastError):
    """The static-analysis gate cannot run: slither fails, or the triage file is missing or wrong."""


class CalibrationError(BallastError, ValueError):
    """A Monte Carlo calibration cannot run: an option, a parameter set, or the cluster it was to run on
    (`ballast.calibration`)."""
