import Testing
import TensorKit

/// The sparse convolution paths against the dense path with the same (masked) weights.
struct SparseConvolutionTests {
    static let shapes: [(kernel: Int, stride: Int, padding: Int, mode: PaddingMode, size: Int)] = [
        (3, 1, 1, .reflection, 20), (1, 1, 0, .zero, 17), (3, 2, 1, .reflection, 18), (3, 1, 1, .zero, 9),
        (5, 1, 2, .reflection, 12),
        // Rows of 32 and more: the stride-1 passes gather row by row into the unpadded
        // output and input gradient, folding the border in separately.
        (3, 1, 1, .reflection, 33), (3, 1, 1, .zero, 32), (5, 1, 2, .replicate, 34), (3, 1, 0, .zero, 40),
        // Strided layers (im2col): odd and even padded sizes, wider rows, a 5x5 kernel, a
        // kernel no wider than the stride and a stride of 3.
        (3, 2, 1, .reflection, 66), (3, 2, 1, .zero, 64), (5, 2, 2, .replicate, 21), (1, 2, 0, .zero, 17),
        (3, 3, 1, .reflection, 14),
    ]

    func maskedWeight(_ shape: [Int], density: Double, seed: UInt64, emptyChannels: Bool) -> (Tensor, [Float]) {
        var random = RandomSource(seed: seed)
        var mask = (0..<shape.reduce(1, *)).map { _ in Double(random.nextUniform()) < density ? Float(1) : 0 }
        let perOutput = shape[1] * shape[2] * shape[3], taps = shape[2] * shape[3]
        if emptyChannels {
            for j in 0..<perOutput { mask[j] = 0 }  // output channel 0 pruned away
            for o in 0..<shape[0] { for t in 0..<taps { mask[o * perOutput + 1 * taps + t] = 0 } }  // input channel 1
        }
        let values = random.uniform(count: mask.count, low: -1, high: 1)
        return (Tensor(shape: shape, data: zip(values, mask).map(*), requiresGradient: true), mask)
    }

    @Test(arguments: Array(shapes.indices), [0.03, 0.11, 0.5, 1.0])
    func sparseMatchesDense(shapeIndex: Int, density: Double) {
        check(Self.shapes[shapeIndex], inChannels: 5, outChannels: 6, density: density, tolerance: 1e-4)
    }

    /// Enough channels that the gathers work through several channel groups (about 18
    /// input channels of a 3x3 kernel fit their L1 window): the groups must add up to the
    /// one-sweep result.
    @Test(arguments: [0, 2, 5, 7, 9], [0.11, 0.5])
    func sparseMatchesDenseAcrossChannelGroups(shapeIndex: Int, density: Double) {
        check(Self.shapes[shapeIndex], inChannels: 40, outChannels: 24, density: density, tolerance: 5e-4)
    }

    func check(_ s: (kernel: Int, stride: Int, padding: Int, mode: PaddingMode, size: Int), inChannels: Int,
               outChannels: Int, density: Double, tolerance: Float) {
        for emptyChannels in [false, true] {
            var random = RandomSource(seed: 3)
            let x = Tensor(shape: [2, inChannels, s.size, s.size + 3],
                           data: random.uniform(count: 2 * inChannels * s.size * (s.size + 3), low: -1, high: 1),
                           requiresGradient: true)
            let (w, mask) = maskedWeight([outChannels, inChannels, s.kernel, s.kernel], density: density, seed: 4,
                                         emptyChannels: emptyChannels)
            let b = Tensor(shape: [outChannels], data: random.uniform(count: outChannels), requiresGradient: true)
            let seed = random.uniform(count: 2 * outChannels * ((s.size + 2 * s.padding - s.kernel) / s.stride + 1)
                                      * ((s.size + 3 + 2 * s.padding - s.kernel) / s.stride + 1), low: -1, high: 1)
            let dense = conv2d(x, weight: w, bias: b, stride: s.stride, padding: s.padding, paddingMode: s.mode)
            dense.backward(seed: seed)
            let (dx, dw, db) = (x.gradient!, w.gradient!, b.gradient!)
            x.zeroGradient(); w.zeroGradient(); b.zeroGradient()
            let pattern = SparsityPattern(mask: mask, shape: w.shape)
            let sparse = conv2d(x, weight: w, bias: b, stride: s.stride, padding: s.padding, paddingMode: s.mode, pattern: pattern)
            #expect(sparse.shape == dense.shape)
            for (a, e) in zip(sparse.data, dense.data) { #expect(abs(a - e) < tolerance) }
            sparse.backward(seed: seed)
            for (a, e) in zip(x.gradient!, dx) { #expect(abs(a - e) < tolerance) }
            for (a, e) in zip(b.gradient!, db) { #expect(abs(a - e) < 10 * tolerance) }
            // Only kept weights get gradients on the sparse path; they match the dense ones.
            for (i, (a, e)) in zip(w.gradient!, dw).enumerated() { #expect(abs(a - (mask[i] == 0 ? 0 : e)) < 10 * tolerance) }
            x.zeroGradient(); w.zeroGradient(); b.zeroGradient()
        }
    }
}
