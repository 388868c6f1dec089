import TensorKit

/// `nn.Linear(inFeatures, outFeatures)`: y = x · weightᵀ + bias over [batch, features].
/// Like `Conv2d`, it can carry a pruning mask over its weight.
public final class Linear: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    /// Pruning mask over the weight (1 keeps, 0 prunes), or nil for a dense layer; the
    /// weight holds zeros where the mask does.
    public var mask: [Float]? {
        didSet {
            if let mask {
                require(mask.count == weight.count, "mask of \(mask.count) values for a weight of \(weight.count)")
                weight.data = zip(weight.data, mask).map(*)
            }
        }
    }

    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true) {
        weight = Tensor(zeros: [outFeatures, inFeatures], requiresGradient: true)
        self.bias = bias ? Tensor(zeros: [outFeatures], requiresGradient: true) : nil
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    public func callAsFunction(_ input: Tensor) -> Tensor { linear(input, weight: weight, bias: bias) }

    public var localParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// PyTorch's default init: weight and bias both U(-1/sqrt(in), 1/sqrt(in)).
    public func resetParameters(using random: inout RandomSource) {
        let bound = 1 / Float(inFeatures).squareRoot()
        weight.data = random.uniform(count: weight.count, low: -bound, high: bound)
        if let bias { bias.data = random.uniform(count: bias.count, low: -bound, high: bound) }
    }

    public var summary: String {
        "Linear(in_features=\(inFeatures), out_features=\(outFeatures), bias=\(bias == nil ? "False" : "True"))"
    }
}

/// `nn.Flatten()`: [N, C, H, W] → [N, C·H·W].
public final class Flatten: Layer {
    public init() {}
    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.reshaped([input.shape[0], input.count / max(1, input.shape[0])])
    }
    public var summary: String { "Flatten(start_dim=1, end_dim=-1)" }
}

/// `nn.Unflatten(1, (channels, height, width))`: [N, C·H·W] → [N, C, H, W].
public final class Unflatten: Layer {
    public let channels: Int, height: Int, width: Int
    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }
    public func callAsFunction(_ input: Tensor) -> Tensor {
        require(input.rank == 2 && input.shape[1] == channels * height * width,
                "Unflatten to (\(channels), \(height), \(width)) got \(input.shape)")
        return input.reshaped([input.shape[0], channels, height, width])
    }
    public var summary: String { "Unflatten(dim=1, unflattened_size=(\(channels), \(height), \(width)))" }
}

extension Layer {
    /// The fully connected layers, with their paths, in order.
    public var linears: [(path: String, layer: Linear)] {
        namedModules().compactMap { m in (m.layer as? Linear).map { (m.path, $0) } }
    }
}
