import Testing
import TensorKit

/// The padded input's source pixel, written independently of the library: -1 for zero.
func referenceSource(_ i: Int, size: Int, mode: PaddingMode) -> Int {
    if i >= 0 && i < size { return i }
    if mode == .zero { return -1 }
    if mode == .replicate { return min(max(i, 0), size - 1) }
    return i < 0 ? -i : 2 * (size - 1) - i
}

/// A direct (six nested loops) convolution to compare the GEMM lowerings against.
func referenceConvolution(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: Int, padding: Int,
                          mode: PaddingMode) -> [Float] {
    let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (o, k) = (w.shape[0], w.shape[2])
    let outH = (h + 2 * padding - k) / stride + 1, outW = (wd + 2 * padding - k) / stride + 1
    var y = [Float](repeating: 0, count: n * o * outH * outW)
    for b0 in 0..<n {
        for oc in 0..<o {
            for r in 0..<outH {
                for q in 0..<outW {
                    var total = b?.data[oc] ?? 0
                    for ic in 0..<c {
                        for kh in 0..<k {
                            for kw in 0..<k {
                                let sr = referenceSource(r * stride + kh - padding, size: h, mode: mode)
                                let sc = referenceSource(q * stride + kw - padding, size: wd, mode: mode)
                                if sr < 0 || sc < 0 { continue }
                                total += w.data[((oc * c + ic) * k + kh) * k + kw] * x.data[((b0 * c + ic) * h + sr) * wd + sc]
                            }
                        }
                    }
                    y[((b0 * o + oc) * outH + r) * outW + q] = total
                }
            }
        }
    }
    return y
}

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
        let expected = referenceConvolution(x, w, b, stride: c.stride, padding: c.padding, mode: c.mode)
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

    @Test func largeLayerUsesBlocksAndThreadsConsistently() {
        // Wide enough for several column blocks on each thread.
        let x = randomTensor([1, 8, 48, 40], seed: 7, requiresGradient: false)
        let w = randomTensor([6, 8, 3, 3], seed: 8, requiresGradient: false)
        let y = conv2d(x, weight: w, stride: 1, padding: 1, paddingMode: .reflection)
        let expected = referenceConvolution(x, w, nil, stride: 1, padding: 1, mode: .reflection)
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
        let expected = referenceConvolution(x, w, b, stride: 2, padding: 1, mode: .reflection)
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
