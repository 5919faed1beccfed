// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CONFIG_WORDS} from "../libraries/OracleConfigLib.sol";

/// @title OracleSourceSet
/// @notice One asset's oracle configuration, kept in contract code (immutables). The OracleAggregator deploys one
/// per `setAssetConfig` and reads it back with a single call, instead of two cold storage slots per source on every
/// `update` (see OracleConfigLib for the word layout).
contract OracleSourceSet {
    uint256 private immutable _w0;
    uint256 private immutable _w1;
    uint256 private immutable _w2;
    uint256 private immutable _w3;
    uint256 private immutable _w4;
    uint256 private immutable _w5;
    uint256 private immutable _w6;
    uint256 private immutable _w7;
    uint256 private immutable _w8;
    uint256 private immutable _w9;
    uint256 private immutable _w10;
    uint256 private immutable _w11;
    uint256 private immutable _w12;
    uint256 private immutable _w13;
    uint256 private immutable _w14;
    uint256 private immutable _w15;
    uint256 private immutable _w16;

    constructor(uint256[CONFIG_WORDS] memory w) {
        _w0 = w[0];
        _w1 = w[1];
        _w2 = w[2];
        _w3 = w[3];
        _w4 = w[4];
        _w5 = w[5];
        _w6 = w[6];
        _w7 = w[7];
        _w8 = w[8];
        _w9 = w[9];
        _w10 = w[10];
        _w11 = w[11];
        _w12 = w[12];
        _w13 = w[13];
        _w14 = w[14];
        _w15 = w[15];
        _w16 = w[16];
    }

    /// @notice The packed configuration: a header word, then two words per source.
    function words() external view returns (uint256[CONFIG_WORDS] memory w) {
        w[0] = _w0;
        w[1] = _w1;
        w[2] = _w2;
        w[3] = _w3;
        w[4] = _w4;
        w[5] = _w5;
        w[6] = _w6;
        w[7] = _w7;
        w[8] = _w8;
        w[9] = _w9;
        w[10] = _w10;
        w[11] = _w11;
        w[12] = _w12;
        w[13] = _w13;
        w[14] = _w14;
        w[15] = _w15;
        w[16] = _w16;
    }
}
