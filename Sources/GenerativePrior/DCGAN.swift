import Networks
import TensorKit

/// The sizes of the DCGAN-style generator and critic (Radford, Metz and Chintala 2016)
/// trained here on Fashion-MNIST, 28x28 grey.
///
/// Generator: z (latent) → Linear → 2w x 7 x 7 → BN, ReLU → ×2 → 3x3 conv to w → BN, ReLU
/// → ×2 → 3x3 conv to w/2 → BN, ReLU → 3x3 conv to 1 → tanh.
/// Upsampling is nearest-neighbour followed by a convolution, not a transposed
/// convolution: it has no checkerboard artefacts (Odena, Dumoulin and Olah 2016) and reuses
/// the engine's convolution, whose gradients are already checked.
///
/// Critic: 4x4 stride-2 conv to w/2 → LeakyReLU(0.2) → 4x4 stride-2 conv to w → BN,
/// LeakyReLU(0.2) → Linear to one logit.
public struct DCGANConfiguration: Codable, Equatable, Sendable {
    public var latentDimension: Int
    public var width: Int

    public init(latentDimension: Int = 64, width: Int = 64) {
        self.latentDimension = latentDimension
        self.width = width
    }

    public static let side = 28
    static let base = 7
}

public func makeGenerator(_ configuration: DCGANConfiguration) -> Sequential {
    let w = configuration.width, base = DCGANConfiguration.base
    return Sequential([
        ("0", Linear(inFeatures: configuration.latentDimension, outFeatures: 2 * w * base * base, bias: false)),
        ("1", Unflatten(channels: 2 * w, height: base, width: base)),
        ("2", BatchNorm2d(channels: 2 * w)),
        ("3", Activation(.relu)),
        ("4", Upsample(factor: 2, mode: .nearest)),
        ("5", Conv2d(inChannels: 2 * w, outChannels: w, kernelSize: 3, padding: 1, bias: false)),
        ("6", BatchNorm2d(channels: w)),
        ("7", Activation(.relu)),
        ("8", Upsample(factor: 2, mode: .nearest)),
        ("9", Conv2d(inChannels: w, outChannels: w / 2, kernelSize: 3, padding: 1, bias: false)),
        ("10", BatchNorm2d(channels: w / 2)),
        ("11", Activation(.relu)),
        ("12", Conv2d(inChannels: w / 2, outChannels: 1, kernelSize: 3, padding: 1)),
        ("13", Activation(.tanh)),
    ])
}

public func makeCritic(_ configuration: DCGANConfiguration) -> Sequential {
    let w = configuration.width, base = DCGANConfiguration.base
    return Sequential([
        ("0", Conv2d(inChannels: 1, outChannels: w / 2, kernelSize: 4, stride: 2, padding: 1)),
        ("1", Activation(.leakyReLU)),
        ("2", Conv2d(inChannels: w / 2, outChannels: w, kernelSize: 4, stride: 2, padding: 1, bias: false)),
        ("3", BatchNorm2d(channels: w)),
        ("4", Activation(.leakyReLU)),
        ("5", Flatten()),
        ("6", Linear(inFeatures: w * base * base, outFeatures: 1)),
    ])
}

/// DCGAN's initialization: conv and linear weights N(0, 0.02), biases 0, batch-norm
/// weights N(1, 0.02) and biases 0.
public func initializeDCGAN(_ network: any Layer, random: inout RandomSource) {
    for (_, module) in network.namedModules() {
        if let conv = module as? Conv2d {
            conv.weight.data = random.normal(count: conv.weight.count, std: 0.02)
            if let bias = conv.bias { bias.data = [Float](repeating: 0, count: bias.count) }
        } else if let dense = module as? Linear {
            dense.weight.data = random.normal(count: dense.weight.count, std: 0.02)
            if let bias = dense.bias { bias.data = [Float](repeating: 0, count: bias.count) }
        } else if let norm = module as? BatchNorm2d {
            norm.weight.data = random.normal(count: norm.channels, mean: 1, std: 0.02)
            norm.bias.data = [Float](repeating: 0, count: norm.channels)
        }
    }
}

extension Layer {
    /// Switches every batch norm to its running statistics (PyTorch's `eval()`), or back.
    public func setEvaluationMode(_ evaluating: Bool) {
        for (_, norm) in batchNorms { norm.usesRunningStatistics = evaluating }
    }
}
