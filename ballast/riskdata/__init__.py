"""Risk parameters from data (off chain): a price history (`history`: a CSV of the repository's formats, or the
OracleAggregator's `PriceUpdated` events), estimators on it (`estimators`: log returns, realised and EWMA volatility,
the worst move over a horizon), and proposals of the engine's risk parameters with the method and inputs of each
number (`proposals`); `ape run risk propose` prints them (`report`). See docs/risk-data.md."""
