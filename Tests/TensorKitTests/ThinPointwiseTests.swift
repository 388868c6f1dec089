import Testing
import TensorKit

/// 1x1 convolutions with at most 8 output channels run their backward pass as one sweep
/// over x (`ThinPointwise`) instead of two GEMMs; these compare them with the six-loop
/// reference and the direct GEMM lowering, over planes with partial spans and 8-pixel
/// blocks, planes split over both cores, a batch of two and the widest case of 8 outputs.
struct ThinPointwiseTests {
    static let cases: [(input: [Int], outChannels: Int)] = [
        ([2, 7, 5, 9], 3),
        ([1, 128, 96, 97], 3),
        ([1, 32, 64, 64], 4),
        ([1, 5, 3, 3], 8),
    ]

    @Test(arguments: cases.indices)
    func forwardMatchesDirectConvolution(caseIndex: Int) {
        let c = Self.cases[caseIndex]
        let x = randomTensor(c.input, seed: 60), w = randomTensor([c.outChannels, c.input[1], 1, 1], seed: 61)
        let b = randomTensor([c.outChannels], seed: 62)
        let y = GradientMode.withoutGradients { conv2d(x, weight: w, bias: b) }
        let expected = referenceConv2d(x, weight: w, bias: b, stride: 1, padding: 0, paddingMode: .zero).data
        #expect(y.data.count == expected.count)
        let worst = zip(y.data, expected).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-5 * Float(c.input[1]), "largest difference \(worst)")
    }

    @Test(arguments: cases.indices)
    func gradientsMatchTheDirectLowering(caseIndex: Int) {
        let c = Self.cases[caseIndex]
        let r = randomTensor([c.input[0], c.outChannels, c.input[2], c.input[3]], seed: 63, requiresGradient: false)
        func gradients(_ lowering: ConvolutionLowering) -> [[Float]] {
            let x = randomTensor(c.input, seed: 60), w = randomTensor([c.outChannels, c.input[1], 1, 1], seed: 61)
            let b = randomTensor([c.outChannels], seed: 62)
            let y = conv2d(x, weight: w, bias: b, lowering: lowering)
            y.backward(seed: r.data)
            return [x.gradient!, w.gradient!, b.gradient!]
        }
        let thin = gradients(.automatic), direct = gradients(.direct)
        expectGradientsAgree(thin, direct, names: ["input", "weight", "bias"], relative: 1e-5)
    }

    @Test func gradientsMatchFiniteDifferences() {
        let x = randomTensor([2, 6, 7, 11], seed: 64)
        let w = randomTensor([3, 6, 1, 1], seed: 65)
        let b = randomTensor([3], seed: 66)
        checkGradients([x, w, b]) { conv2d($0[0], weight: $0[1], bias: $0[2]) }
    }
}
