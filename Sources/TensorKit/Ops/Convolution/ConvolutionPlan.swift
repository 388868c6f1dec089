import Foundation

/// How a network's layers choose among the engine's kernels: when a pruned convolution
/// runs the sparse kernels (only the kept multiply-adds) instead of its dense lowering,
/// and whether a batch norm followed by a LeakyReLU runs as one fused operation.
///
/// A value, so that a network (or one layer) can carry its own; every layer starts with
/// `standard`. Choices here change the speed, not the result beyond floating-point
/// summation order (the sparse kernels) or not at all (the fusion).
public struct ConvolutionPlan: Sendable, Equatable {
    /// Patterns at or below this density (kept fraction) run sparse kernels where the
    /// dense path is a direct GEMM lowering. Measured with `lip bench --layers`: below
    /// about a third kept, skipping the pruned multiply-adds beats dense GEMM.
    public var sparseDensityThreshold: Double
    /// The same where the dense path is Winograd (3x3, stride 1, outputs from 16x16), which
    /// needs 2.25x fewer multiply-adds: forward + backward, the sparse kernels win below
    /// about a quarter kept (`lip bench --layers`: at 128 and 256 the crossover of the two
    /// 3x3 shapes lies between 20 % and 30 % kept, about 25 %).
    public var sparseDensityThresholdAgainstWinograd: Double
    /// Whether a batch norm in training mode directly followed by a LeakyReLU runs as one
    /// operation (same values and gradients, bit for bit; one pass less and no stored
    /// normalized tensor), as `Sequential` applies DIP's `bn()` then `act()`.
    public var fusesBatchNormAndLeakyReLU: Bool

    /// A plan with the given thresholds (kept fractions from 0, which keeps every layer
    /// dense, to 1) and fusion.
    public init(sparseDensityThreshold: Double = 0.35, sparseDensityThresholdAgainstWinograd: Double = 0.25,
                fusesBatchNormAndLeakyReLU: Bool = true) {
        self.sparseDensityThreshold = sparseDensityThreshold
        self.sparseDensityThresholdAgainstWinograd = sparseDensityThresholdAgainstWinograd
        self.fusesBatchNormAndLeakyReLU = fusesBatchNormAndLeakyReLU
    }

    /// The measured thresholds, both replaced by `LIP_SPARSE_DENSITY` when the environment
    /// sets it (read once per process; 0 keeps the dense path), and the fusion on.
    public static let standard: ConvolutionPlan = {
        guard let density = ProcessInfo.processInfo.environment["LIP_SPARSE_DENSITY"].flatMap(Double.init) else {
            return ConvolutionPlan()
        }
        return ConvolutionPlan(sparseDensityThreshold: density, sparseDensityThresholdAgainstWinograd: density)
    }()

    /// Whether a pattern of this density can run sparse kernels against some dense
    /// lowering: a layer keeps its pattern only then.
    public func admitsSparseKernels(density: Double) -> Bool {
        density <= max(sparseDensityThreshold, sparseDensityThresholdAgainstWinograd)
    }

    /// Whether a convolution of these shapes with a sparsity pattern of this density runs
    /// the sparse kernels rather than the dense lowering `conv2d` would pick
    /// (`ConvolutionLowering.automatic`).
    ///
    /// - Parameters:
    ///   - input: NCHW input shape.
    ///   - weight: Weight shape (out, in, kernel height, kernel width).
    ///   - stride: The convolution's stride.
    ///   - padding: The convolution's padding.
    ///   - density: Kept fraction of the weight (`SparsityPattern.density`).
    ///   - forced: Whether the caller forces the sparse kernels (then they run whatever
    ///     the density).
    public func usesSparseKernels(input: [Int], weight: [Int], stride: Int, padding: Int, density: Double,
                                  forced: Bool = false) -> Bool {
        if forced { return true }
        let againstWinograd = ConvolutionLowering.automatic.usesWinograd(input: input, weight: weight,
                                                                        stride: stride, padding: padding)
        let threshold = againstWinograd ? sparseDensityThresholdAgainstWinograd : sparseDensityThreshold
        return density <= threshold
    }
}
