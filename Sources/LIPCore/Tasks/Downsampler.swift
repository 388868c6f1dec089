import Foundation
import TensorKit

/// DIP's `Downsampler(factor, kernel_type='lanczos2', phase=0.5, preserve_size=True)`
/// (`models/downsampler.py`): a (4f)x(4f) Lanczos-2 kernel applied per channel with
/// stride f after replication padding of (4f - f)/2, so H x W maps to (H/f) x (W/f).
public struct LanczosDownsampler: Sendable {
    public let factor: Int
    public let support: Int
    /// The normalized separable 1-D taps (length 4f for Lanczos-2 with phase 0.5).
    public let taps: [Double]

    public init(factor: Int, support: Int = 2) {
        require(factor >= 2, "downsampling factor must be at least 2, got \(factor)")
        self.factor = factor
        self.support = support
        // kernel_width = 4f + 1 for lanczos2 (6f + 1 for lanczos3); phase 0.5 drops one tap.
        let width = 2 * support * factor + 1
        let size = width - 1
        let center = Double(width + 1) / 2
        var taps: [Double] = []
        for i in 1...size {
            let d = abs(Double(i) + 0.5 - center) / Double(factor)
            var value = 1.0
            if d != 0 {
                value = Double(support) * sin(Double.pi * d) * sin(Double.pi * d / Double(support)) / (Double.pi * Double.pi * d * d)
            }
            taps.append(value)
        }
        let total = taps.reduce(0, +)
        self.taps = taps.map { $0 / total }
    }

    public var kernelSize: Int { taps.count }
    public var padding: Int { (kernelSize - factor) / 2 }

    /// The conv weight: the outer product of the taps on the diagonal (channel i -> i).
    public func weight(channels: Int) -> Tensor {
        let k = kernelSize
        var data = [Float](repeating: 0, count: channels * channels * k * k)
        for c in 0..<channels {
            for r in 0..<k {
                for s in 0..<k { data[((c * channels + c) * k + r) * k + s] = Float(taps[r] * taps[s]) }
            }
        }
        return Tensor(shape: [channels, channels, k, k], data: data)
    }

    /// Downsamples an NCHW tensor (differentiable w.r.t. `input`).
    public func callAsFunction(_ input: Tensor) -> Tensor {
        conv2d(input, weight: weight(channels: input.shape[1]), stride: factor, padding: padding, paddingMode: .replicate)
    }
}
