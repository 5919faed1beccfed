// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title MedianLib
/// @notice Median and dispersion of up to 8 prices held in memory.
library MedianLib {
    /// @notice Sort the first `n` entries of `values` in place, ascending (insertion sort: n <= 8).
    function sortAscending(uint256[8] memory values, uint256 n) internal pure {
        for (uint256 i = 1; i < n; ++i) {
            uint256 key = values[i];
            uint256 j = i;
            while (j > 0 && values[j - 1] > key) {
                values[j] = values[j - 1];
                --j;
            }
            values[j] = key;
        }
    }

    /// @notice Median of the first `n` (>= 1) entries of an ascending array; the mean of the middle two,
    /// rounded down, when `n` is even.
    function medianOfSorted(uint256[8] memory sorted, uint256 n) internal pure returns (uint256) {
        uint256 mid = n / 2;
        if (n % 2 == 1) return sorted[mid];
        return (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// @notice Whether (max - min) / reference exceeds `maxBps` basis points; `sorted` is ascending with n >= 1.
    function exceedsSpreadBps(uint256[8] memory sorted, uint256 n, uint256 ref, uint256 maxBps)
        internal
        pure
        returns (bool)
    {
        return (sorted[n - 1] - sorted[0]) * 10_000 > maxBps * ref;
    }

    /// @notice Whether |a - b| / b exceeds `maxBps` basis points.
    function deviatesBps(uint256 a, uint256 b, uint256 maxBps) internal pure returns (bool) {
        uint256 diff = a > b ? a - b : b - a;
        return diff * 10_000 > maxBps * b;
    }
}
