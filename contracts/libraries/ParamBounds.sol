// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IErrors} from "../../interfaces/IErrors.sol";

/// @title ParamBounds
/// @notice The one bounds check of governed parameters: a value outside [min, max] reverts `ParamOutOfBounds` with
/// the parameter's name (the field name of its struct, as in the deployment config), the value and the bounds.
library ParamBounds {
    function check(bytes32 name, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert IErrors.ParamOutOfBounds(name, value, min, max);
    }
}
