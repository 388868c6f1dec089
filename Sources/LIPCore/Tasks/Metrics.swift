import Foundation
import TensorKit

/// Peak signal-to-noise ratio in dB for data range 1, over all channels:
/// 10 log10(1 / mean((x - reference)^2)), as skimage's `peak_signal_noise_ratio` (DIP's
/// `compare_psnr`) with float images. No clipping of `x`, as in the reference.
public func psnr(_ x: [Float], _ reference: [Float], dataRange: Double = 1) -> Double {
    require(x.count == reference.count && !x.isEmpty, "PSNR of \(x.count) vs \(reference.count) values")
    var total = 0.0
    for i in x.indices {
        let d = Double(x[i]) - Double(reference[i])
        total += d * d
    }
    let mse = total / Double(x.count)
    return 10 * log10(dataRange * dataRange / mse)
}
