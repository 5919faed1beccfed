// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BlackScholes} from "../../../contracts/libraries/BlackScholes.sol";
import {WadMath} from "../../../contracts/libraries/WadMath.sol";
import {GasMeter} from "../utils/GasMeter.sol";

/// @notice A consumer contract measuring `gasleft()` deltas around one call of the option math. The libraries'
/// functions are `internal`, so they run inside the caller's code, as they will in the options product: a delta is the
/// function's execution alone (no CALL, no ABI encoding), the figure a product pays per price.
contract OptionMathGasConsumer {
    /// @notice Gas of each BlackScholes function at one row: callPriceUp, callPriceDown, putPriceUp, putPriceDown,
    /// callDelta, vega.
    function gasOfOption(uint256 s, uint256 k, uint256 v, uint256 t) external view returns (uint256[6] memory gas) {
        uint256 before = gasleft();
        BlackScholes.callPriceUp(s, k, v, t);
        gas[0] = before - gasleft();
        before = gasleft();
        BlackScholes.callPriceDown(s, k, v, t);
        gas[1] = before - gasleft();
        before = gasleft();
        BlackScholes.putPriceUp(s, k, v, t);
        gas[2] = before - gasleft();
        before = gasleft();
        BlackScholes.putPriceDown(s, k, v, t);
        gas[3] = before - gasleft();
        before = gasleft();
        BlackScholes.callDelta(s, k, v, t);
        gas[4] = before - gasleft();
        before = gasleft();
        BlackScholes.vega(s, k, v, t);
        gas[5] = before - gasleft();
    }

    /// @notice Gas of WadMath function `f` (0 lnWad, 1 expWad, 2 sqrtWad, 3 normCdfWad) at x.
    function gasOfMath(uint256 f, int256 x) external view returns (uint256 gas) {
        uint256 before;
        if (f == 0) {
            before = gasleft();
            WadMath.lnWad(x);
        } else if (f == 1) {
            before = gasleft();
            WadMath.expWad(x);
        } else if (f == 2) {
            before = gasleft();
            WadMath.sqrtWad(uint256(x));
        } else {
            before = gasleft();
            WadMath.normCdfWad(x);
        }
        gas = before - gasleft();
    }

    /// @notice Gas of an empty measurement (the two `gasleft()` reads and the subtraction), to subtract.
    function gasOfNothing() external view returns (uint256 gas) {
        uint256 before = gasleft();
        gas = before - gasleft();
    }
}

/// @title OptionMathGasTest
/// @notice Gas per option-math function, measured from a consumer over rows that reach every branch (at the money, in
/// and out of it, the CDF's cut-off, the corners of the domain, expiry). Printed as a table with
/// `forge test --match-path tests/forge/math/OptionMathGas.t.sol -vv`; a price above 25,000 gas fails the test.
contract OptionMathGasTest is GasMeter {
    /// @notice The most a call or put price may cost.
    uint256 internal constant PRICE_BUDGET = 25_000;

    OptionMathGasConsumer internal consumer;

    function setUp() public {
        consumer = new OptionMathGasConsumer();
    }

    /// @notice Every price, delta and vega within budget; the table's rows are the worst over the inputs.
    function test_GasBlackScholes() public {
        uint256[4][7] memory rows = [
            [uint256(3000e18), 3000e18, 0.8e18, 30 days], // at the money
            [uint256(3000e18), 3500e18, 0.8e18, 7 days], // out of the money
            [uint256(60_000e18), 50_000e18, 0.6e18, 90 days], // in the money
            [uint256(1e30), 1e30, 10e18, 2 * 365 days], // the domain's top corner
            [uint256(1e18), 1e18, 0.01e18, 1], // sigma sqrt(t) at its smallest
            [uint256(1e12), 1e30, 0.01e18, 1 hours], // both CDF arguments past the cut-off
            [uint256(3100e18), 3000e18, 0.8e18, 0] // at expiry
        ];
        string[6] memory names = ["callPriceUp", "callPriceDown", "putPriceUp", "putPriceDown", "callDelta", "vega"];
        string[6] memory keys = [
            "option_call_price_up",
            "option_call_price_down",
            "option_put_price_up",
            "option_put_price_down",
            "option_call_delta",
            "option_vega"
        ];
        uint256 overhead = consumer.gasOfNothing();
        uint256[6] memory worst;
        for (uint256 r = 0; r < rows.length; ++r) {
            uint256[6] memory gas = consumer.gasOfOption(rows[r][0], rows[r][1], rows[r][2], rows[r][3]);
            for (uint256 f = 0; f < 6; ++f) {
                uint256 g = gas[f] - overhead;
                if (r == 0) emit log_named_uint(string.concat(names[f], ", at the money, 30 days"), g);
                if (g > worst[f]) worst[f] = g;
            }
        }
        for (uint256 f = 0; f < 6; ++f) {
            emit log_named_uint(string.concat(names[f], ", worst of 7 rows"), worst[f]);
            _recordInner(keys[f], worst[f]);
            if (f < 4) assertLe(worst[f], PRICE_BUDGET, names[f]);
        }
    }

    /// @notice The WadMath functions, each the worst over inputs across its domain.
    function test_GasWadMath() public {
        int256[5] memory xs = [int256(1), 0.5e18, 3e18, 100e18, 1e40];
        int256[5] memory es = [int256(-41e18), -1e18, 0.3e18, 10e18, 135e18];
        int256[5] memory ns = [int256(0), 0.2e18, -1e18, 3e18, 10.4e18];
        string[4] memory names = ["lnWad", "expWad", "sqrtWad", "normCdfWad"];
        string[4] memory keys = ["wad_ln", "wad_exp", "wad_sqrt", "wad_norm_cdf"];
        uint256 overhead = consumer.gasOfNothing();
        for (uint256 f = 0; f < 4; ++f) {
            uint256 worst;
            for (uint256 i = 0; i < 5; ++i) {
                int256 x = f == 1 ? es[i] : f == 3 ? ns[i] : xs[i];
                uint256 g = consumer.gasOfMath(f, x) - overhead;
                if (g > worst) worst = g;
            }
            emit log_named_uint(string.concat(names[f], ", worst of 5 inputs"), worst);
            _recordInner(keys[f], worst);
        }
    }
}
