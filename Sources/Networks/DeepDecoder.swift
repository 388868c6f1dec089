import TensorKit

/// The deep decoder of Heckel & Hand (2019), `decodernw` of reinhardh/supplement_deep_decoder:
/// (layers + 1) blocks of [1x1 conv k -> k without bias, bilinear x2 (not after the last
/// block), ReLU, batch norm], then a 1x1 conv k -> output channels without bias and a
/// sigmoid. Its input is a fixed random tensor of k channels at H/2^layers x W/2^layers.
/// Parameters: (layers+1) k^2 + 2k (layers+1) + output k; k = 64, 5 layers, RGB: 25,536.
public struct DeepDecoderConfiguration: Codable, Equatable, Sendable {
    public var channels: Int
    /// Number of upsampling layers (the reference's `len(num_channels_up)`, 5).
    public var layers: Int
    public var outputChannels: Int

    public init(channels: Int = 64, layers: Int = 5, outputChannels: Int = 3) {
        self.channels = channels
        self.layers = layers
        self.outputChannels = outputChannels
    }

    public var parameterCount: Int {
        (layers + 1) * channels * channels + 2 * channels * (layers + 1) + outputChannels * channels
    }

    /// The width whose parameter count is closest to `target` (for size-matched comparisons).
    public static func channels(matching target: Int, layers: Int = 5, outputChannels: Int = 3) -> Int {
        var best = 1
        for k in 1...2048 {
            let count = DeepDecoderConfiguration(channels: k, layers: layers, outputChannels: outputChannels).parameterCount
            let bestCount = DeepDecoderConfiguration(channels: best, layers: layers, outputChannels: outputChannels).parameterCount
            if abs(count - target) < abs(bestCount - target) { best = k }
            if count > target { break }
        }
        return best
    }
}

/// Builds the deep decoder with the reference's module names (DIP-style 1-based `add`;
/// each conv a Sequential of its reflection-pad slot and the Conv2d, as `conv()` builds it).
public func makeDeepDecoder(_ configuration: DeepDecoderConfiguration) -> Sequential {
    let k = configuration.channels
    let model = Sequential()
    func pointwise(_ inChannels: Int, _ outChannels: Int) -> any Layer {
        let block = Sequential()
        block.append(PaddingSlot(amount: 0))
        block.append(Conv2d(inChannels: inChannels, outChannels: outChannels, kernelSize: 1, bias: false))
        return block
    }
    for i in 0...configuration.layers {
        model.add(pointwise(k, k))
        if i != configuration.layers { model.add(Upsample(factor: 2, mode: .bilinear)) }
        model.add(Activation(.relu))
        model.add(BatchNorm2d(channels: k))
    }
    model.add(pointwise(k, configuration.outputChannels))
    model.add(Activation(.sigmoid))
    return model
}
