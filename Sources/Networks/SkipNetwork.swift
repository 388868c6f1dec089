import TensorKit

/// The arguments of DIP's `skip()` builder (`models/skip.py`).
public struct SkipConfiguration: Sendable, Codable, Equatable {
    public var inputChannels = 32
    public var outputChannels = 3
    public var channelsDown = [128, 128, 128, 128, 128]
    public var channelsUp = [128, 128, 128, 128, 128]
    public var channelsSkip = [4, 4, 4, 4, 4]
    public var filterSizeDown = 3
    public var filterSizeUp = 3
    public var filterSizeSkip = 1
    public var needSigmoid = true
    public var needBias = true
    public var padding = PaddingMode.reflection
    public var upsampleMode = UpsampleMode.bilinear
    public var activation = ActivationKind.leakyReLU
    public var need1x1Up = true

    /// The configuration of DIP's denoising and super-resolution notebooks and of every
    /// LIP script: `get_net(32, 'skip', 'reflection', 'bilinear', skip_n33d=128,
    /// skip_n33u=128, skip_n11=4, num_scales=5)`, 2,217,831 parameters.
    public static let dip = SkipConfiguration()

    /// DIP's configuration for an image with `channels` channels (gray 1, color 3).
    public static func dip(channels: Int) -> SkipConfiguration {
        var configuration = dip
        configuration.outputChannels = channels
        return configuration
    }

    public init() {}

    public var scales: Int { channelsDown.count }

    /// Why the configuration cannot be built, or nil.
    public var problem: String? {
        if channelsUp.count != scales || channelsSkip.count != scales {
            return "channelsDown, channelsUp and channelsSkip need one entry per scale (got \(channelsDown.count), \(channelsUp.count), \(channelsSkip.count))"
        }
        if inputChannels < 1 || outputChannels < 1 { return "input and output channels must be positive" }
        if [filterSizeDown, filterSizeUp, filterSizeSkip].contains(where: { $0 < 1 || $0 % 2 == 0 }) {
            return "filter sizes must be odd and positive"
        }
        return nil
    }

    /// Why an input of `height` x `width` cannot pass through the network, or nil. Each
    /// scale halves the size with a stride-2 convolution; reflection padding of p needs
    /// planes larger than p (PyTorch refuses the same inputs).
    public func problem(height: Int, width: Int) -> String? {
        var sizes = (height, width)
        let pad = (filterSizeDown - 1) / 2
        for scale in 0..<scales {
            if padding == .reflection && (sizes.0 <= pad || sizes.1 <= pad) {
                return "a \(height)x\(width) input is \(sizes.0)x\(sizes.1) at scale \(scale), too small for reflection padding \(pad); use at least \(minimumSide) pixels a side"
            }
            sizes = ((sizes.0 + 2 * pad - filterSizeDown) / 2 + 1, (sizes.1 + 2 * pad - filterSizeDown) / 2 + 1)
            if sizes.0 < 1 || sizes.1 < 1 || (padding == .reflection && (sizes.0 <= pad || sizes.1 <= pad)) {
                return "a \(height)x\(width) input is \(max(sizes.0, 0))x\(max(sizes.1, 0)) after scale \(scale + 1), too small for the next convolution; use at least \(minimumSide) pixels a side"
            }
        }
        return nil
    }

    /// The smallest square side (multiple of 32 not required) the network accepts.
    public var minimumSide: Int {
        var side = 1
        while problemIgnoringMinimum(side) { side += 1 }
        return side
    }

    private func problemIgnoringMinimum(_ side: Int) -> Bool {
        var size = side
        let pad = (filterSizeDown - 1) / 2
        for _ in 0..<scales {
            if padding == .reflection && size <= pad { return true }
            size = (size + 2 * pad - filterSizeDown) / 2 + 1
            if size < 1 || (padding == .reflection && size <= pad) { return true }
        }
        return false
    }
}

/// Builds DIP's hourglass `skip` network, module for module as `models/skip.py` does
/// (outside-in recursion, BN right after the concat, upsampling inside the deeper branch),
/// so that every parameter's path equals its PyTorch `state_dict` key.
public func makeSkipNetwork(_ configuration: SkipConfiguration = .dip) -> Sequential {
    require(configuration.problem == nil, configuration.problem ?? "")
    let c = configuration
    let model = Sequential()
    var current = model
    var inputDepth = c.inputChannels
    let last = c.scales - 1

    /// DIP's `conv()`: Sequential(ReflectionPad2d, Conv2d) with pad='reflection', else a
    /// single Conv2d with zero padding (then the conv is child 0).
    func convolution(_ inChannels: Int, _ outChannels: Int, _ kernel: Int, stride: Int = 1) -> any Layer {
        let pad = (kernel - 1) / 2
        let block = Sequential()
        if c.padding == .reflection { block.append(PaddingSlot(amount: pad)) }
        block.append(Conv2d(inChannels: inChannels, outChannels: outChannels, kernelSize: kernel, stride: stride,
                            padding: pad, paddingMode: c.padding, bias: c.needBias))
        return block
    }

    for i in 0..<c.scales {
        let deeper = Sequential()
        let skip = Sequential()
        if c.channelsSkip[i] != 0 {
            current.add(Concat([skip, deeper]))
        } else {
            current.add(deeper)
        }
        current.add(BatchNorm2d(channels: c.channelsSkip[i] + (i < last ? c.channelsUp[i + 1] : c.channelsDown[i])))

        if c.channelsSkip[i] != 0 {
            skip.add(convolution(inputDepth, c.channelsSkip[i], c.filterSizeSkip))
            skip.add(BatchNorm2d(channels: c.channelsSkip[i]))
            skip.add(Activation(c.activation))
        }
        deeper.add(convolution(inputDepth, c.channelsDown[i], c.filterSizeDown, stride: 2))
        deeper.add(BatchNorm2d(channels: c.channelsDown[i]))
        deeper.add(Activation(c.activation))
        deeper.add(convolution(c.channelsDown[i], c.channelsDown[i], c.filterSizeDown))
        deeper.add(BatchNorm2d(channels: c.channelsDown[i]))
        deeper.add(Activation(c.activation))

        let deeperMain = Sequential()
        let k: Int
        if i == last {
            k = c.channelsDown[i]
        } else {
            deeper.add(deeperMain)
            k = c.channelsUp[i + 1]
        }
        deeper.add(Upsample(factor: 2, mode: c.upsampleMode))

        current.add(convolution(c.channelsSkip[i] + k, c.channelsUp[i], c.filterSizeUp))
        current.add(BatchNorm2d(channels: c.channelsUp[i]))
        current.add(Activation(c.activation))
        if c.need1x1Up {
            current.add(convolution(c.channelsUp[i], c.channelsUp[i], 1))
            current.add(BatchNorm2d(channels: c.channelsUp[i]))
            current.add(Activation(c.activation))
        }
        inputDepth = c.channelsDown[i]
        current = deeperMain
    }
    model.add(convolution(c.channelsUp[0], c.outputChannels, 1))
    if c.needSigmoid { model.add(Activation(.sigmoid)) }
    return model
}

/// The hourglass's convolutions named by their role, in module order (the order of
/// `convolutions`, of masks and of `state_dict` weights): `skip1`, `down1.conv1`,
/// `down1.conv2`, `skip2`, … down to the deepest scale, then `up5.conv`, `up5.conv1x1`, …
/// `up1.conv1x1` on the way back, and `output`. Scale 1 is the finest. The `state_dict`
/// paths (`1.1.7.1.1.4.1`) say where a layer sits in `skip.py`'s nesting, not what it does.
public func skipNetworkLayerRoles(_ configuration: SkipConfiguration = .dip) -> [String] {
    let c = configuration
    var names: [String] = []
    func scale(_ i: Int) {
        if c.channelsSkip[i] != 0 { names.append("skip\(i + 1)") }
        names += ["down\(i + 1).conv1", "down\(i + 1).conv2"]
        if i < c.scales - 1 { scale(i + 1) }
        names.append("up\(i + 1).conv")
        if c.need1x1Up { names.append("up\(i + 1).conv1x1") }
    }
    scale(0)
    return names + ["output"]
}

extension Layer {
    /// Initializes every convolution and batch norm as PyTorch's defaults do, drawing from
    /// `random` in module order.
    public func initializeParameters(seed: UInt64, batchNorm: BatchNormInit = .ones) {
        var random = RandomSource(seed: seed)
        for (_, module) in namedModules() {
            if let conv = module as? Conv2d { conv.resetParameters(using: &random) }
            if let norm = module as? BatchNorm2d { norm.resetParameters(initialization: batchNorm, using: &random) }
        }
    }
}
