import Testing
import TensorKit

struct ConvolutionTests {
    static let cases: [(kernel: Int, stride: Int, padding: Int, mode: PaddingMode)] = [
        (1, 1, 0, .zero), (3, 1, 1, .reflection), (3, 1, 1, .zero), (3, 2, 1, .reflection),
        (3, 2, 1, .zero), (5, 1, 2, .reflection), (3, 1, 0, .zero), (1, 2, 0, .zero),
        (4, 2, 3, .replicate), (3, 1, 2, .replicate),
    ]

    @Test(arguments: cases.indices)
    func forwardMatchesDirectConvolution(caseIndex: Int) {
        let c = Self.cases[caseIndex]
        let x = randomTensor([2, 3, 7, 6], seed: 1, requiresGradient: false)
        let w = randomTensor([4, 3, c.kernel, c.kernel], seed: 2, requiresGradient: false)
        let b = randomTensor([4], seed: 3, requiresGradient: false)
        let y = conv2d(x, weight: w, bias: b, stride: c.stride, padding: c.padding, paddingMode: c.mode)
        let expected = referenceConv2d(x, weight: w, bias: b, stride: c.stride, padding: c.padding, paddingMode: c.mode).data
        #expect(y.data.count == expected.count)
        for (a, e) in zip(y.data, expected) { #expect(abs(a - e) < 1e-4) }
    }

    @Test(arguments: cases.indices)
    func gradientsMatchFiniteDifferences(caseIndex: Int) {
        let c = Self.cases[caseIndex]
        let x = randomTensor([2, 3, 6, 7], seed: 4)
        let w = randomTensor([4, 3, c.kernel, c.kernel], seed: 5)
        let b = randomTensor([4], seed: 6)
        checkGradients([x, w, b]) {
            conv2d($0[0], weight: $0[1], bias: $0[2], stride: c.stride, padding: c.padding, paddingMode: c.mode)
        }
    }

    /// The library's reference convolution against sums worked out by hand: a 3x3 kernel
    /// of ones over a 2x3 image (1...6) padded by 1 in each mode.
    @Test(arguments: [(PaddingMode.zero, [Float]([12, 21, 16, 12, 21, 16])),
                      (.replicate, [21, 27, 33, 30, 36, 42]), (.reflection, [33, 36, 39, 24, 27, 30])])
    func referenceConvolutionMatchesHandComputedSums(mode: PaddingMode, expected: [Float]) {
        let x = Tensor(shape: [1, 1, 2, 3], data: [1, 2, 3, 4, 5, 6])
        let w = Tensor(filling: 1, shape: [1, 1, 3, 3])
        let y = referenceConv2d(x, weight: w, padding: 1, paddingMode: mode)
        #expect(y.shape == [1, 1, 2, 3])
        #expect(y.data == expected)
        let b = Tensor(shape: [1], data: [0.5])
        #expect(referenceConv2d(x, weight: w, bias: b, stride: 2, padding: 1, paddingMode: mode).data
                == [expected[0] + 0.5, expected[2] + 0.5])
    }

    @Test func largeLayerUsesBlocksAndThreadsConsistently() {
        // Wide enough for several column blocks on each thread.
        let x = randomTensor([1, 8, 48, 40], seed: 7, requiresGradient: false)
        let w = randomTensor([6, 8, 3, 3], seed: 8, requiresGradient: false)
        let y = conv2d(x, weight: w, stride: 1, padding: 1, paddingMode: .reflection)
        let expected = referenceConv2d(x, weight: w, stride: 1, padding: 1, paddingMode: .reflection).data
        for (a, e) in zip(y.data, expected) { #expect(abs(a - e) < 1e-4) }
    }

    /// Stride 2 on rows wide enough for im2col's and col2im's 16-wide loads, with an odd
    /// padded width so that the last loads stop short of the row's end.
    @Test(arguments: [(40, 37), (33, 36)])
    func strideTwoOnWideRowsMatchesDirectConvolution(height: Int, width: Int) {
        let x = randomTensor([1, 3, height, width], seed: 14)
        let w = randomTensor([4, 3, 3, 3], seed: 15)
        let b = randomTensor([4], seed: 16)
        let y = conv2d(x, weight: w, bias: b, stride: 2, padding: 1, paddingMode: .reflection)
        let expected = referenceConv2d(x, weight: w, bias: b, stride: 2, padding: 1, paddingMode: .reflection).data
        for (a, e) in zip(y.data, expected) { #expect(abs(a - e) < 1e-4) }
        checkGradients([x, w, b]) {
            conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1, paddingMode: .reflection)
        }
    }

    @Test func inputGradientOfLargeLayerMatchesAdjoint() {
        // <conv(x), r> = <x, conv^T(r)>: checks the blocked input-gradient pass at size.
        let x = randomTensor([1, 5, 40, 36], seed: 9)
        let w = randomTensor([7, 5, 3, 3], seed: 10, requiresGradient: false)
        let r = randomTensor([1, 7, 40, 36], seed: 11, requiresGradient: false)
        let y = conv2d(x, weight: w, stride: 1, padding: 1, paddingMode: .zero)
        let lhs = zip(y.data, r.data).reduce(0.0) { $0 + Double($1.0 * $1.1) }
        y.backward(seed: r.data)
        let rhs = zip(x.data, x.gradient!).reduce(0.0) { $0 + Double($1.0 * $1.1) }
        #expect(abs(lhs - rhs) < 1e-3 * max(1, abs(lhs)))
    }
}
