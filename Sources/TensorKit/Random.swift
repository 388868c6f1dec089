import Foundation

/// A seeded generator (xoshiro256**, seeded through SplitMix64) with uniform and normal
/// samplers. Every random number in the project comes from one of these, so a run is
/// reproducible from its seed. Sampling is sequential, independent of thread count.
public struct RandomSource: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    /// Box–Muller yields normals in pairs; the second is kept for the next call.
    private var spareNormal: Float?

    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    @inline(__always) private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }

    /// Uniform in [0, 1) with 24 bits of precision (every Float in the range is reachable
    /// on a 2^-24 grid, and 1 is never returned).
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Standard normal N(0, 1) by the Box–Muller transform, computed in Double.
    public mutating func nextNormal() -> Float {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        var u1 = 0.0
        repeat { u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) } while u1 == 0
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let radius = (-2.0 * log(u1)).squareRoot()
        let angle = 2.0 * Double.pi * u2
        spareNormal = Float(radius * sin(angle))
        return Float(radius * cos(angle))
    }

    /// `count` values uniform in [low, high).
    public mutating func uniform(count: Int, low: Float = 0, high: Float = 1) -> [Float] {
        let scale = high - low
        return (0..<count).map { _ in low + scale * nextUniform() }
    }

    /// `count` values from N(mean, std^2).
    public mutating func normal(count: Int, mean: Float = 0, std: Float = 1) -> [Float] {
        (0..<count).map { _ in mean + std * nextNormal() }
    }

    /// Derives an independent generator for a named stream (noise, input, init, ...), so
    /// adding draws to one stream never shifts the numbers of another.
    public func derived(_ stream: String) -> RandomSource {
        var copy = self
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a
        for byte in stream.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return RandomSource(seed: copy.next() ^ hash)
    }
}

