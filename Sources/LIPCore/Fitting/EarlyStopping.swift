import Foundation

/// A stopping rule that never looks at the clean image: the windowed moving variance
/// (WMV) detector of Wang, Li, Zhuang, Chen, Liang and Sun, "Early Stopping for Deep Image
/// Prior" (TMLR 2023). DIP's outputs settle while the network fits the image's structure
/// and start to drift again when it begins to fit the noise; the detector watches
///
///     VAR(t) = 1/W · Σ_{w=0}^{W-1} ‖x_{t-w} − x̄_t‖²,   x̄_t = 1/W · Σ_w x_{t-w},
///
/// over the last W raw outputs x, and stops when VAR has not reached a new minimum for
/// `patience` steps; the restoration it reports is the output at that minimum. The
/// paper's defaults are W = 100 and patience 1000. A run that ends before the patience
/// runs out reports the minimum so far (the detector would have stopped later).
///
/// The sum is kept as running per-pixel sums of x and x² (in Double, so that the
/// difference Q/W − (S/W)² does not cancel), updated in O(pixels) per step.
public struct WindowedVarianceDetector: Sendable {
    public let window: Int
    public let patience: Int
    private var buffer: [[Float]] = []
    private var next = 0
    private var sums: [Double] = []
    private var squares: [Double] = []
    /// The step with the smallest windowed variance so far, and the variance.
    public private(set) var minimumStep: Int?
    public private(set) var minimumVariance = Double.infinity
    /// The step at which the patience ran out, if it did.
    public private(set) var stoppedAt: Int?

    public init(window: Int = 100, patience: Int = 1000) {
        precondition(window >= 2 && patience >= 1, "the detector needs a window of 2 or more and a patience of 1 or more")
        self.window = window
        self.patience = patience
    }

    /// Adds the raw output of `step` (steps come in order).
    public mutating func observe(step: Int, output: [Float]) {
        if sums.isEmpty {
            sums = [Double](repeating: 0, count: output.count)
            squares = sums
        }
        if buffer.count == window {
            let leaving = buffer[next]
            for i in 0..<leaving.count {
                let x = Double(leaving[i])
                sums[i] -= x
                squares[i] -= x * x
            }
            buffer[next] = output
            next = (next + 1) % window
        } else {
            buffer.append(output)
        }
        for i in 0..<output.count {
            let x = Double(output[i])
            sums[i] += x
            squares[i] += x * x
        }
        guard buffer.count == window, stoppedAt == nil else { return }
        let w = Double(window)
        var variance = 0.0
        for i in 0..<sums.count {
            let mean = sums[i] / w
            variance += max(0, squares[i] / w - mean * mean)
        }
        if variance < minimumVariance {
            minimumVariance = variance
            minimumStep = step
        } else if let minimumStep, step - minimumStep >= patience {
            stoppedAt = step
        }
    }
}
