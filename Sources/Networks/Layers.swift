import Foundation
import TensorKit

/// `nn.Conv2d` with square kernels. Padding is done inside the convolution; DIP's
/// separate `ReflectionPad2d` module is kept as a `PaddingSlot` so that names match.
public final class Conv2d: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int
    public let padding: Int
    public let paddingMode: PaddingMode
    /// Pruning mask over the weight (1 keeps, 0 prunes), or nil for a dense layer. The
    /// weight itself holds zeros where the mask does; optimizers keep them there.
    public var mask: [Float]? {
        didSet {
            pattern = nil
            forcedSparseKernels = nil
            if let mask {
                require(mask.count == weight.count, "mask of \(mask.count) values for a weight of \(weight.count)")
                weight.data = zip(weight.data, mask).map(*)
                choosePattern()
            }
        }
    }

    /// How this layer chooses between its sparse and dense kernels (`ConvolutionPlan.standard`
    /// unless set, e.g. for a whole network by `Layer.setPlan(_:)`). Setting it decides
    /// again whether a masked layer keeps its pattern, unless `useSparseKernels(_:)` forced
    /// the choice.
    public var plan: ConvolutionPlan = .standard {
        didSet { if mask != nil && forcedSparseKernels == nil { choosePattern() } }
    }

    /// Keeps the mask's pattern when the plan admits sparse kernels at its density.
    private func choosePattern() {
        guard let mask else { return }
        let candidate = SparsityPattern(mask: mask, shape: weight.shape)
        pattern = plan.admitsSparseKernels(density: candidate.density) ? candidate : nil
    }

    /// The kept entries when the layer may run sparse kernels, else nil. Whether a call
    /// does depends on the dense lowering it competes with (`sparsePattern(for:)`).
    public private(set) var pattern: SparsityPattern?
    /// Set by `useSparseKernels(_:)`: true runs the pattern whatever the density, false
    /// leaves no pattern; nil (a new mask) lets the plan decide.
    private var forcedSparseKernels: Bool?

    /// Forces the sparse kernels on or off for this masked layer (the dense path with
    /// masked weights stays available as the reference).
    public func useSparseKernels(_ enabled: Bool) {
        forcedSparseKernels = enabled
        pattern = enabled ? mask.map { SparsityPattern(mask: $0, shape: weight.shape) } : nil
    }

    /// The pattern to run with this input, or nil for the dense path (`ConvolutionPlan.usesSparseKernels`).
    public func sparsePattern(for input: Tensor) -> SparsityPattern? {
        guard let pattern else { return nil }
        return plan.usesSparseKernels(input: input.shape, weight: weight.shape, stride: stride, padding: padding,
                                      density: pattern.density, forced: forcedSparseKernels == true) ? pattern : nil
    }

    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                paddingMode: PaddingMode = .zero, bias: Bool = true) {
        weight = Tensor(zeros: [outChannels, inChannels, kernelSize, kernelSize], requiresGradient: true)
        self.bias = bias ? Tensor(zeros: [outChannels], requiresGradient: true) : nil
        self.stride = stride
        self.padding = padding
        self.paddingMode = paddingMode
    }

    public var inChannels: Int { weight.shape[1] }
    public var outChannels: Int { weight.shape[0] }
    public var kernelSize: Int { weight.shape[2] }
    public var fanIn: Int { weight.shape[1] * weight.shape[2] * weight.shape[3] }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding, paddingMode: paddingMode,
               pattern: sparsePattern(for: input))
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// PyTorch's default init (`kaiming_uniform_(a=sqrt(5))`): weight and bias both
    /// U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    public func resetParameters(using random: inout RandomSource) {
        let bound = 1 / Float(fanIn).squareRoot()
        weight.data = random.uniform(count: weight.count, low: -bound, high: bound)
        if let bias { bias.data = random.uniform(count: bias.count, low: -bound, high: bound) }
    }

    public var summary: String {
        "Conv2d(\(inChannels), \(outChannels), kernel_size=(\(kernelSize), \(kernelSize)), stride=(\(stride), \(stride))"
            + (padding > 0 ? ", padding=\(padding) [\(paddingMode.rawValue)]" : "") + (bias == nil ? ", bias=False)" : ")")
    }
}

/// Marks where the reference has a `ReflectionPad2d` module (identity here: the padding
/// is fused into the next convolution).
public final class PaddingSlot: Layer {
    public let amount: Int
    public init(amount: Int) { self.amount = amount }
    public func callAsFunction(_ input: Tensor) -> Tensor { input }
    public var summary: String { "ReflectionPad2d(\(amount)) (fused into the next Conv2d)" }
}

/// How batch-norm weights start. PyTorch >= 1.2 uses ones; 0.4 (DIP's pinned version)
/// drew U(0, 1).
public enum BatchNormInit: String, Sendable, Codable, CaseIterable {
    case ones
    case uniform
}

/// `nn.BatchNorm2d(channels)` in training mode (eps 1e-5, momentum 0.1, affine).
public final class BatchNorm2d: Layer {
    public let weight: Tensor
    public let bias: Tensor
    public let statistics: RunningStatistics
    public let epsilon: Float = 1e-5

    public init(channels: Int) {
        weight = Tensor(filling: 1, shape: [channels], requiresGradient: true)
        bias = Tensor(zeros: [channels], requiresGradient: true)
        statistics = RunningStatistics(channels: channels)
    }

    public var channels: Int { weight.count }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        if usesRunningStatistics {
            // Evaluation mode: a per-channel affine map with the running statistics.
            let scale = zip(weight.data, statistics.variance).map { $0 / ($1 + epsilon).squareRoot() }
            let shift = zip(zip(bias.data, statistics.mean), scale).map { $0.0 - $0.1 * $1 }
            return channelAffine(input, scale: Tensor(shape: [channels], data: scale), shift: Tensor(shape: [channels], data: shift),
                                 weight: weight, bias: bias, inverseStd: statistics.variance.map { 1 / ($0 + epsilon).squareRoot() },
                                 mean: statistics.mean)
        }
        return batchNorm(input, weight: weight, bias: bias, epsilon: epsilon,
                         statistics: GradientMode.isEnabled || updatesStatisticsWithoutGradients ? statistics : nil)
    }

    /// This batch norm and the LeakyReLU after it as one operation (same values and
    /// gradients, one pass less and no stored normalized tensor), or nil in evaluation
    /// mode, where the unfused path applies.
    public func normalizedThenLeakyReLU(_ input: Tensor, slope: Float) -> Tensor? {
        guard !usesRunningStatistics else { return nil }
        return batchNorm(input, weight: weight, bias: bias, epsilon: epsilon,
                         statistics: GradientMode.isEnabled || updatesStatisticsWithoutGradients ? statistics : nil,
                         leakySlope: slope)
    }

    /// Use the running statistics instead of batch statistics (`eval()` mode). DIP never
    /// does; SynFlow's data-free scoring needs it.
    public var usesRunningStatistics = false

    /// PyTorch updates running statistics on every train-mode forward, even under
    /// no_grad; evaluation passes that must not disturb a checkpoint turn this off.
    public var updatesStatisticsWithoutGradients = true

    public var localParameters: [(name: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }

    public func resetParameters(initialization: BatchNormInit, using random: inout RandomSource) {
        switch initialization {
        case .ones: weight.data = [Float](repeating: 1, count: channels)
        case .uniform: weight.data = random.uniform(count: channels)
        }
        bias.data = [Float](repeating: 0, count: channels)
        statistics.mean = [Float](repeating: 0, count: channels)
        statistics.variance = [Float](repeating: 1, count: channels)
        statistics.batchesTracked = 0
    }

    public var summary: String { "BatchNorm2d(\(channels), eps=1e-05, momentum=0.1, affine=True)" }
}

/// Pointwise nonlinearities of DIP's `act()` and the output sigmoid.
public enum ActivationKind: String, Sendable, Codable, CaseIterable {
    case leakyReLU = "LeakyReLU"
    case relu = "ReLU"
    case sigmoid = "Sigmoid"
    case tanh = "Tanh"
    case none = "none"
}

public final class Activation: Layer {
    public let kind: ActivationKind
    public init(_ kind: ActivationKind) { self.kind = kind }

    /// DIP's LeakyReLU slope (`nn.LeakyReLU(0.2)`).
    public static let leakySlope: Float = 0.2

    /// A LeakyReLU (or ReLU) linearized at one point: the slope each element took there (1 or 0.2; 1 or 0),
    /// held while the weights move. LeakyReLU is piecewise linear, so its second derivative
    /// is zero wherever it exists: with the slopes held, the network's loss has the Hessian
    /// of the original at that point (what double backward computes), but no kinks for a
    /// finite-difference step to cross. GraSP's Hessian-gradient product uses it
    /// (`Pruner.graspScores`).
    public enum Linearization {
        /// The next forward pass records each element's slope (and computes as usual).
        case recording
        /// Forward and backward use these slopes, one per element of the input.
        case held([Float])
    }

    /// Held slopes (LeakyReLU and ReLU); nil: the plain activation.
    public var linearization: Linearization?

    public func callAsFunction(_ input: Tensor) -> Tensor {
        switch kind {
        case .leakyReLU where linearization != nil, .relu where linearization != nil: linearized(input)
        case .leakyReLU: leakyReLU(input, slope: Activation.leakySlope)
        case .relu: relu(input)
        case .sigmoid: sigmoid(input)
        case .tanh: TensorKit.tanh(input)
        case .none: input
        }
    }

    public var summary: String { kind == .leakyReLU ? "LeakyReLU(negative_slope=0.2)" : kind.rawValue }

    /// x ⊙ slopes: the activation's values and gradient at the point the slopes were
    /// recorded at (same products as `leakyReLU`: x · 1 and 0.2 · x; ReLU's 0 · x is 0).
    private func linearized(_ input: Tensor) -> Tensor {
        let slopes: [Float]
        switch linearization {
        case .held(let held):
            precondition(held.count == input.count, "held LeakyReLU slopes for \(held.count) elements, input has \(input.count)")
            slopes = held
        default:
            let negative: Float = kind == .relu ? 0 : Activation.leakySlope
            slopes = input.data.map { $0 > 0 ? 1 : negative }
            linearization = .held(slopes)
        }
        return input * Tensor(shape: input.shape, data: slopes)
    }
}

/// `nn.Upsample(scale_factor=factor, mode=...)`.
public final class Upsample: Layer {
    public let factor: Int
    public let mode: UpsampleMode
    public init(factor: Int = 2, mode: UpsampleMode) {
        self.factor = factor
        self.mode = mode
    }
    public func callAsFunction(_ input: Tensor) -> Tensor { upsample(input, factor: factor, mode: mode) }
    public var summary: String { "Upsample(scale_factor=\(factor), mode='\(mode.rawValue)')" }
}

extension Conv2d {
    /// Fraction of weights that are exactly zero in the mask (0 when unmasked).
    public var maskSparsity: Double {
        guard let mask else { return 0 }
        return Double(mask.filter { $0 == 0 }.count) / Double(mask.count)
    }
}
