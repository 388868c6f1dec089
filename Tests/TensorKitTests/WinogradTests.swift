import Testing
import TensorKit

/// Winograd F(2x2, 3x3) runs by default for 3x3 stride-1 layers with outputs of at least
/// 16x16; these shapes cover odd sizes (partial tiles at the right and bottom), groups of
/// 8 tiles that are full and partial, and every padding mode.
struct WinogradTests {
    static let cases: [(input: [Int], outChannels: Int, padding: Int, mode: PaddingMode)] = [
        ([2, 3, 17, 23], 4, 1, .reflection),
        ([1, 4, 20, 19], 5, 0, .zero),
        ([1, 9, 32, 40], 6, 1, .zero),
        ([1, 3, 16, 16], 2, 1, .replicate),
    ]

    func layer(_ index: Int, seed: UInt64) -> (x: Tensor, w: Tensor, b: Tensor) {
        let c = Self.cases[index]
        return (randomTensor(c.input, seed: seed),
                randomTensor([c.outChannels, c.input[1], 3, 3], seed: seed + 1),
                randomTensor([c.outChannels], seed: seed + 2))
    }

    @Test(arguments: cases.indices)
    func forwardMatchesDirectConvolution(caseIndex: Int) {
        let c = Self.cases[caseIndex]
        let (x, w, b) = layer(caseIndex, seed: 20)
        #expect(ConvolutionLowering.automatic.usesWinograd(input: x.shape, weight: w.shape, stride: 1, padding: c.padding))
        #expect(!ConvolutionLowering.direct.usesWinograd(input: x.shape, weight: w.shape, stride: 1, padding: c.padding))
        let y = GradientMode.withoutGradients {
            conv2d(x, weight: w, bias: b, stride: 1, padding: c.padding, paddingMode: c.mode)
        }
        let expected = referenceConv2d(x, weight: w, bias: b, stride: 1, padding: c.padding, paddingMode: c.mode).data
        #expect(y.data.count == expected.count)
        let worst = zip(y.data, expected).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-5 * 30, "largest difference \(worst)")
    }

    @Test(arguments: cases.indices)
    func gradientsMatchTheDirectLowering(caseIndex: Int) {
        let c = Self.cases[caseIndex]
        let r = randomTensor([c.input[0], c.outChannels, c.input[2] + 2 * c.padding - 2, c.input[3] + 2 * c.padding - 2],
                             seed: 30, requiresGradient: false)
        func gradients(_ lowering: ConvolutionLowering) -> [[Float]] {
            let (x, w, b) = layer(caseIndex, seed: 20)
            let y = conv2d(x, weight: w, bias: b, stride: 1, padding: c.padding, paddingMode: c.mode, lowering: lowering)
            y.backward(seed: r.data)
            return [x.gradient!, w.gradient!, b.gradient!]
        }
        let winograd = gradients(.automatic), direct = gradients(.direct)
        expectGradientsAgree(winograd, direct, names: ["input", "weight", "bias"], relative: 2e-6 * 30)
    }

    /// At DIP's scale (132 input channels, kaiming-uniform weights as PyTorch draws them)
    /// the Winograd outputs and gradients stay within 1e-5 of the direct lowering's,
    /// relative to each tensor's largest magnitude.
    @Test func agreesWithTheDirectLoweringAtDIPScale() {
        let bound = 1 / Float(132 * 9).squareRoot()
        let r = randomTensor([1, 128, 48, 40], seed: 52, requiresGradient: false)
        func run(_ lowering: ConvolutionLowering) -> [[Float]] {
            let x = randomTensor([1, 132, 48, 40], seed: 50)
            let w = randomTensor([128, 132, 3, 3], seed: 51, low: -bound, high: bound)
            let y = conv2d(x, weight: w, stride: 1, padding: 1, paddingMode: .reflection, lowering: lowering)
            y.backward(seed: r.data)
            return [y.data, x.gradient!, w.gradient!]
        }
        let winograd = run(.automatic), direct = run(.direct)
        for (name, (a, e)) in zip(["output", "input gradient", "weight gradient"], zip(winograd, direct)) {
            let scale = e.map(abs).max()!
            let worst = zip(a, e).map { abs($0 - $1) }.max()!
            #expect(worst <= 1e-5 * scale, "\(name): largest difference \(worst) at scale \(scale)")
        }
    }

    @Test func gradientsMatchFiniteDifferences() {
        let x = randomTensor([1, 2, 16, 17], seed: 40)
        let w = randomTensor([3, 2, 3, 3], seed: 41)
        let b = randomTensor([3], seed: 42)
        #expect(ConvolutionLowering.automatic.usesWinograd(input: x.shape, weight: w.shape, stride: 1, padding: 1))
        checkGradients([x, w, b]) {
            conv2d($0[0], weight: $0[1], bias: $0[2], stride: 1, padding: 1, paddingMode: .reflection)
        }
    }

    @Test func smallOutputsAndOtherKernelsStayDirect() {
        #expect(!ConvolutionLowering.automatic.usesWinograd(input: [1, 8, 8, 8], weight: [8, 8, 3, 3], stride: 1, padding: 1))
        #expect(!ConvolutionLowering.automatic.usesWinograd(input: [1, 8, 64, 64], weight: [8, 8, 3, 3], stride: 2, padding: 1))
        #expect(!ConvolutionLowering.automatic.usesWinograd(input: [1, 8, 64, 64], weight: [8, 8, 1, 1], stride: 1, padding: 0))
        #expect(!ConvolutionLowering.automatic.usesWinograd(input: [1, 8, 64, 64], weight: [8, 8, 5, 5], stride: 1, padding: 2))
    }
}
