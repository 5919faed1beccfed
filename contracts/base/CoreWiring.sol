// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICoreWiring} from "../../interfaces/ICoreWiring.sol";
import {IOracleAggregator} from "../../interfaces/IOracleAggregator.sol";

/// @title CoreWiring
/// @notice The wiring the Pool and the MarginEngine share, as immutables of each half (the contract and the extension
/// it delegates to are given the same values).
abstract contract CoreWiring {
    IOracleAggregator internal immutable _oracle;
    address internal immutable _settlementAsset;
    address internal immutable _liquidator;
    address internal immutable _insuranceFund;

    constructor(IOracleAggregator oracle_, address settlementAsset_, address liquidator_, address insuranceFund_) {
        (_oracle, _settlementAsset, _liquidator, _insuranceFund) =
        (oracle_, settlementAsset_, liquidator_, insuranceFund_);
    }
}

/// @title CoreWiringViews
/// @notice The wiring's getters, served by the extensions (the contracts' own code stays within the size limit).
abstract contract CoreWiringViews is CoreWiring, ICoreWiring {
    /// @inheritdoc ICoreWiring
    function oracle() external view returns (address) {
        return address(_oracle);
    }

    /// @inheritdoc ICoreWiring
    function liquidator() external view returns (address) {
        return _liquidator;
    }

    /// @inheritdoc ICoreWiring
    function insuranceFund() external view returns (address) {
        return _insuranceFund;
    }

    /// @inheritdoc ICoreWiring
    function settlementAsset() external view returns (address) {
        return _settlementAsset;
    }
}
