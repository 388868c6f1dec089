import Foundation
import Networks
import Testing
import TensorKit

/// DIP's configuration at a test's scale: `scales` scales of `channels` channels (down and
/// up) and `skip` skip channels.
func smallDIP(scales: Int, channels: Int, skip: Int, inputChannels: Int = SkipConfiguration.dip.inputChannels)
    -> SkipConfiguration {
    var configuration = SkipConfiguration.dip
    configuration.channelsDown = Array(repeating: channels, count: scales)
    configuration.channelsUp = Array(repeating: channels, count: scales)
    configuration.channelsSkip = Array(repeating: skip, count: scales)
    configuration.inputChannels = inputChannels
    return configuration
}

struct SkipNetworkTests {
    @Test func dipConfigurationHasTheReferenceParameterCount() {
        let network = makeSkipNetwork(.dip)
        #expect(network.parameterCount == 2_217_831)
        #expect(network.convolutions.count == 26)
        #expect(network.batchNorms.count == 30)
        #expect(network.convolutions.reduce(0) { $0 + $1.layer.weight.count } == 2_208_768)
    }

    /// The state_dict keys and shapes of the PyTorch reference (`skip()` with the DIP
    /// configuration), in order, from the fixture listing.
    @Test func parameterNamesAndShapesMatchThePyTorchStateDict() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/dip-skip-state-dict.tsv")
        let rows = try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: "\t").map(String.init) }
        let trainable = rows.filter { $0[2] != "bn" || $0[0].hasSuffix(".weight") || $0[0].hasSuffix(".bias") }
        let network = makeSkipNetwork(.dip)
        let names = network.namedParameters()
        #expect(names.map(\.name) == trainable.map { $0[0] })
        for (parameter, row) in zip(names, trainable) {
            #expect(parameter.tensor.shape.map(String.init).joined(separator: "x") == row[1], "\(row[0])")
        }
    }

    @Test func layerRolesFollowTheConvolutionsInOrder() {
        let convolutions = makeSkipNetwork(.dip).convolutions
        let roles = skipNetworkLayerRoles(.dip)
        #expect(roles.count == convolutions.count)
        #expect(Array(roles.prefix(4)) == ["skip1", "down1.conv1", "down1.conv2", "skip2"])
        #expect(Array(roles.suffix(3)) == ["up1.conv", "up1.conv1x1", "output"])
        for (role, (path, conv)) in zip(roles, convolutions) {
            let kernel = conv.weight.shape[2]
            #expect(kernel == (role.hasPrefix("skip") || role.hasSuffix("1x1") || role == "output" ? 1 : 3), "\(role) at \(path)")
            #expect(role.hasPrefix("skip") == (conv.weight.shape[0] == 4), "\(role) at \(path)")
            #expect((role.hasSuffix("conv1")) == (conv.stride == 2), "\(role) at \(path)")
        }
        var noOneByOne = SkipConfiguration.dip
        noOneByOne.need1x1Up = false
        #expect(skipNetworkLayerRoles(noOneByOne).count == makeSkipNetwork(noOneByOne).convolutions.count)
    }

    @Test func zeroPaddingPutsTheConvolutionAtIndexZero() {
        var configuration = SkipConfiguration.dip
        configuration.padding = .zero
        let names = makeSkipNetwork(configuration).namedParameters().map(\.name)
        #expect(names.first == "1.0.1.0.weight")
        #expect(names.last == "9.0.bias")
    }

    @Test func defaultInitializationBounds() {
        let network = makeSkipNetwork(.dip)
        network.initializeParameters(seed: 3)
        for (_, conv) in network.convolutions {
            let bound = 1 / Float(conv.fanIn).squareRoot()
            #expect(conv.weight.data.allSatisfy { abs($0) <= bound })
            #expect(conv.bias!.data.allSatisfy { abs($0) <= bound })
            // Not all zero: the weights were drawn.
            #expect(conv.weight.data.contains { $0 != 0 })
        }
        for (_, norm) in network.batchNorms {
            #expect(norm.weight.data.allSatisfy { $0 == 1 })
            #expect(norm.bias.data.allSatisfy { $0 == 0 })
        }
    }

    @Test func sizesThatAreNotMultiplesOfThirtyTwoAreCropped() {
        let configuration = smallDIP(scales: 2, channels: 4, skip: 2, inputChannels: 2)
        let network = makeSkipNetwork(configuration)
        network.initializeParameters(seed: 1)
        var random = RandomSource(seed: 2)
        let input = Tensor(shape: [1, 2, 10, 14], data: random.uniform(count: 280))
        let output = network(input)
        // Two stride-2 scales: 10 -> 5 -> 3 -> (up) 6 -> crop 5 -> (up) 10.
        #expect(output.shape == [1, 3, 10, 14])
        #expect(output.data.allSatisfy { $0 > 0 && $0 < 1 })  // sigmoid
    }

    /// Finite differences through a whole small hourglass (every layer type in one
    /// graph). tanh replaces LeakyReLU so that perturbations cross no kink.
    @Test func gradientsThroughASmallHourglass() {
        var configuration = smallDIP(scales: 2, channels: 3, skip: 1, inputChannels: 2)
        configuration.activation = .tanh
        let network = makeSkipNetwork(configuration)
        network.initializeParameters(seed: 4)
        var random = RandomSource(seed: 5)
        let input = Tensor(shape: [1, 2, 8, 8], data: random.uniform(count: 128), requiresGradient: true)
        let probe = Tensor(shape: [1, 3, 8, 8], data: random.uniform(count: 192, low: -1, high: 1))
        let checked = [input, network.convolutions[1].layer.weight, network.batchNorms[2].layer.weight,
                       network.convolutions.last!.layer.bias!]
        func loss() -> Double {
            let out = GradientMode.withoutGradients { network(input) }
            return zip(out.data, probe.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        (network(input) * probe).sum().backward()
        for tensor in checked {
            let analytic = tensor.gradient!
            for i in stride(from: 0, to: tensor.count, by: max(1, tensor.count / 12)) {
                let saved = tensor.data[i]
                tensor.data[i] = saved + 1e-3
                let plus = loss()
                tensor.data[i] = saved - 1e-3
                let minus = loss()
                tensor.data[i] = saved
                let numeric = Float((plus - minus) / 2e-3)
                #expect(abs(numeric - analytic[i]) <= 2e-2 * max(abs(numeric), 0.05),
                        "element \(i): numeric \(numeric) analytic \(analytic[i])")
            }
        }
    }

    /// `Sequential` runs each batch norm + LeakyReLU pair as one fused operation; applying
    /// every module on its own must give the same output and gradients, bit for bit.
    @Test func fusedBatchNormActivationMatchesModuleByModule() {
        func moduleByModule(_ layer: any Layer, _ x: Tensor) -> Tensor {
            switch layer {
            case let sequential as Sequential: sequential.children.reduce(x) { moduleByModule($1.layer, $0) }
            case let concat as Concat: concatChannels(concat.children.map { moduleByModule($0.layer, x) })
            default: layer(x)
            }
        }
        func run(fused: Bool, plan: ConvolutionPlan = .standard) -> [[Float]] {
            let configuration = smallDIP(scales: 2, channels: 6, skip: 2, inputChannels: 4)
            let network = makeSkipNetwork(configuration)
            network.initializeParameters(seed: 31, batchNorm: .uniform)
            network.setPlan(plan)
            var random = RandomSource(seed: 32)
            let input = Tensor(shape: [1, 4, 12, 12], data: random.uniform(count: 576))
            let probe = Tensor(shape: [1, 3, 12, 12], data: random.uniform(count: 432, low: -1, high: 1))
            let output = fused ? network(input) : moduleByModule(network, input)
            (output * probe).sum().backward()
            return [output.data] + network.parameters.map { $0.gradient! }
        }
        let fused = run(fused: true), separate = run(fused: false)
        #expect(fused.count == separate.count)
        for (a, b) in zip(fused, separate) { #expect(a == b) }
        // A plan without the fusion makes `Sequential` itself run the modules one by one.
        let unfused = run(fused: true, plan: ConvolutionPlan(fusesBatchNormAndLeakyReLU: false))
        for (a, b) in zip(unfused, separate) { #expect(a == b) }
    }

    /// A 3x3 layer at 30 % density runs sparse against the direct GEMM lowering (small
    /// outputs) but dense against Winograd (outputs from 16x16); at 20 % it runs sparse
    /// either way; forcing overrides both.
    @Test func sparseKernelsAreChosenAgainstTheDenseLoweringTheyReplace() {
        let conv = Conv2d(inChannels: 10, outChannels: 10, kernelSize: 3, padding: 1, paddingMode: .reflection)
        func mask(keeping density: Double) -> [Float] {
            (0..<conv.weight.count).map { Double($0 % 10) < density * 10 ? 1 : 0 }
        }
        let small = Tensor(zeros: [1, 10, 8, 8]), large = Tensor(zeros: [1, 10, 32, 32])
        conv.mask = mask(keeping: 0.3)
        #expect(conv.sparsePattern(for: small) != nil)
        #expect(conv.sparsePattern(for: large) == nil)
        conv.mask = mask(keeping: 0.2)
        #expect(conv.sparsePattern(for: small) != nil)
        #expect(conv.sparsePattern(for: large) != nil)
        conv.mask = mask(keeping: 0.5)
        #expect(conv.sparsePattern(for: small) == nil)
        conv.useSparseKernels(true)
        #expect(conv.sparsePattern(for: large) != nil)
        conv.useSparseKernels(false)
        #expect(conv.sparsePattern(for: small) == nil)
    }

    /// A plan's thresholds decide for every layer it is set on, and setting a plan decides
    /// again whether a masked layer keeps its pattern.
    @Test func planThresholdsDecideTheSparseKernels() {
        let network = Sequential([("0", Conv2d(inChannels: 10, outChannels: 10, kernelSize: 3, padding: 1)),
                                  ("1", Sequential([("0", Conv2d(inChannels: 10, outChannels: 10, kernelSize: 1))]))])
        let convolutions = network.convolutions.map(\.layer)
        #expect(convolutions.count == 2)
        for conv in convolutions {
            conv.mask = (0..<conv.weight.count).map { $0 % 10 < 3 ? 1 : 0 }  // 30 % kept
        }
        let small = Tensor(zeros: [1, 10, 8, 8]), large = Tensor(zeros: [1, 10, 32, 32])
        #expect(convolutions.allSatisfy { $0.sparsePattern(for: small) != nil })
        network.setPlan(ConvolutionPlan(sparseDensityThreshold: 0.2, sparseDensityThresholdAgainstWinograd: 0.2))
        #expect(convolutions.allSatisfy { $0.pattern == nil && $0.sparsePattern(for: small) == nil })
        network.setPlan(ConvolutionPlan(sparseDensityThreshold: 0.3, sparseDensityThresholdAgainstWinograd: 0.3))
        #expect(convolutions.allSatisfy { $0.sparsePattern(for: small) != nil && $0.sparsePattern(for: large) != nil })
        network.setPlan(.standard)
        #expect(convolutions[0].sparsePattern(for: large) == nil)  // against Winograd: 0.25
        #expect(convolutions[1].sparsePattern(for: large) != nil)
        #expect(ConvolutionPlan.standard.usesSparseKernels(input: [1, 10, 32, 32], weight: [10, 10, 3, 3], stride: 1,
                                                            padding: 1, density: 0.3, forced: true))
    }

    @Test func trainingIsDeterministic() {
        func run() -> [Float] {
            let configuration = smallDIP(scales: 3, channels: 8, skip: 2)
            let network = makeSkipNetwork(configuration)
            network.initializeParameters(seed: 11)
            var random = RandomSource(seed: 12)
            let input = Tensor(shape: [1, 32, 32, 32], data: random.uniform(count: 32 * 32 * 32, high: 0.1))
            let target = Tensor(shape: [1, 3, 32, 32], data: random.uniform(count: 3 * 32 * 32))
            let adam = Adam(parameters: network.parameters, learningRate: 0.01)
            for _ in 0..<5 {
                adam.zeroGradients()
                meanSquaredError(network(input), target).backward()
                adam.step()
            }
            return network.parameters.flatMap(\.data)
        }
        #expect(run() == run())
    }
}
