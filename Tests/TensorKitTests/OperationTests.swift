import Foundation
import Testing
import TensorKit

struct OperationTests {
    @Test func batchNormNormalizesEachChannel() {
        let x = randomTensor([2, 3, 4, 5], seed: 1, low: 2, high: 5, requiresGradient: false)
        let y = batchNorm(x, weight: Tensor(filling: 1, shape: [3]), bias: Tensor(zeros: [3]))
        for c in 0..<3 {
            var values: [Float] = []
            for n in 0..<2 { values += y.data[((n * 3 + c) * 20)..<((n * 3 + c) * 20 + 20)] }
            let mean = values.reduce(0, +) / Float(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count)
            #expect(abs(mean) < 1e-5)
            #expect(abs(variance - 1) < 1e-3)  // var / (var + eps)
        }
    }

    /// Statistics in one pass must not cancel on planes whose mean is large against their
    /// spread (a conv output with a large bias): compared with a Double two-pass reference.
    @Test func batchNormStatisticsHoldOnPlanesWithALargeMean() {
        var random = RandomSource(seed: 5)
        let offsets: [Float] = [1000, -300, 0.5]
        let plane = 64 * 48
        var data = [Float](repeating: 0, count: 2 * 3 * plane)
        for n in 0..<2 { for c in 0..<3 {
            let noise = random.uniform(count: plane, low: -0.05, high: 0.05)
            for i in 0..<plane { data[(n * 3 + c) * plane + i] = offsets[c] + noise[i] }
        } }
        let x = Tensor(shape: [2, 3, 64, 48], data: data)
        let statistics = RunningStatistics(channels: 3, momentum: 1)
        let y = batchNorm(x, weight: Tensor(filling: 1, shape: [3]), bias: Tensor(zeros: [3]), statistics: statistics)
        for c in 0..<3 {
            var values: [Double] = []
            for n in 0..<2 { values += data[((n * 3 + c) * plane)..<((n * 3 + c + 1) * plane)].map(Double.init) }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
            let unbiased = variance * Double(values.count) / Double(values.count - 1)
            #expect(abs(Double(statistics.variance[c]) - unbiased) < 1e-4 * unbiased, "channel \(c)")
            #expect(abs(Double(statistics.mean[c]) - mean) < 1e-6 * max(1, abs(mean)), "channel \(c)")
            for n in 0..<2 {
                for i in stride(from: 0, to: plane, by: 97) {
                    let value = Double(data[(n * 3 + c) * plane + i]), std = (variance + 1e-5).squareRoot()
                    // y = x * scale + shift rounds x * scale, which is large here: allow that.
                    let tolerance = 1e-4 + 4 * 6e-8 * abs(value) / std
                    #expect(abs(Double(y.data[(n * 3 + c) * plane + i]) - (value - mean) / std) < tolerance)
                }
            }
        }
    }

    @Test func batchNormGradients() {
        let x = randomTensor([2, 3, 3, 4], seed: 2)
        let weight = randomTensor([3], seed: 3, low: 0.5, high: 1.5)
        let bias = randomTensor([3], seed: 4)
        checkGradients([x, weight, bias], epsilon: 1e-2, tolerance: 3e-2) {
            batchNorm($0[0], weight: $0[1], bias: $0[2])
        }
    }

    /// The fused batch norm + LeakyReLU must equal the two operations bit for bit: the
    /// values, the running statistics and all three gradients. The plane (7x9) is not a
    /// multiple of the SIMD width, so the scalar tails run too.
    @Test func fusedBatchNormLeakyReLUEqualsTheTwoOperations() {
        func run(fused: Bool) -> (output: [Float], gradients: [[Float]], statistics: [Float]) {
            let x = randomTensor([2, 5, 7, 9], seed: 21, low: -2, high: 3)
            let weight = randomTensor([5], seed: 22, low: -1.5, high: 1.5)
            let bias = randomTensor([5], seed: 23)
            let probe = randomTensor([2, 5, 7, 9], seed: 24, requiresGradient: false)
            let statistics = RunningStatistics(channels: 5)
            let y = fused
                ? batchNorm(x, weight: weight, bias: bias, statistics: statistics, leakySlope: 0.2)
                : leakyReLU(batchNorm(x, weight: weight, bias: bias, statistics: statistics), slope: 0.2)
            (y * probe).sum().backward()
            return (y.data, [x.gradient!, weight.gradient!, bias.gradient!], statistics.mean + statistics.variance)
        }
        let fused = run(fused: true), separate = run(fused: false)
        #expect(fused.output == separate.output)
        #expect(fused.statistics == separate.statistics)
        for (a, b) in zip(fused.gradients, separate.gradients) { #expect(a == b) }
        #expect(fused.output.contains { $0 < 0 } && fused.output.contains { $0 > 0 })
    }

    @Test func fusedBatchNormLeakyReLUGradients() {
        let x = randomTensor([2, 3, 3, 4], seed: 25)
        let weight = randomTensor([3], seed: 26, low: 0.5, high: 1.5)
        let bias = randomTensor([3], seed: 27)
        checkGradients([x, weight, bias], epsilon: 1e-3, tolerance: 3e-2) {
            batchNorm($0[0], weight: $0[1], bias: $0[2], leakySlope: 0.2)
        }
    }

    @Test func batchNormRunningStatisticsFollowPyTorch() {
        let x = Tensor(shape: [1, 1, 1, 4], data: [1, 2, 3, 4])
        let statistics = RunningStatistics(channels: 1)
        _ = batchNorm(x, weight: Tensor(filling: 1, shape: [1]), bias: Tensor(zeros: [1]), statistics: statistics)
        #expect(abs(statistics.mean[0] - 0.25) < 1e-6)  // 0.9 * 0 + 0.1 * 2.5
        // unbiased variance 5/3: 0.9 * 1 + 0.1 * 5/3
        #expect(abs(statistics.variance[0] - (0.9 + 0.5 / 3)) < 1e-6)
        #expect(statistics.batchesTracked == 1)
    }

    @Test func activationsAndTheirGradients() {
        // Keep inputs away from the kinks of LeakyReLU and ReLU.
        let x = Tensor(shape: [1, 2, 2, 3], data: [-1.2, -0.7, -0.3, 0.4, 0.9, 1.6, -2, 2, -0.5, 0.5, -1, 1],
                       requiresGradient: true)
        #expect(leakyReLU(x).data[0] == Float(-1.2) * Float(0.2))
        #expect(leakyReLU(x).data[3] == 0.4)
        #expect(relu(x).data[0] == 0)
        #expect(abs(sigmoid(Tensor(shape: [1], data: [0])).data[0] - 0.5) < 1e-7)
        checkGradients([x], epsilon: 1e-3) { leakyReLU($0[0]) }
        checkGradients([x], epsilon: 1e-3) { relu($0[0]) }
        checkGradients([x], epsilon: 1e-3) { sigmoid($0[0]) }
        checkGradients([x], epsilon: 1e-3) { TensorKit.tanh($0[0]) }
    }

    @Test func bilinearUpsamplingMatchesPyTorch() {
        // torch.nn.functional.interpolate(x, scale_factor=2, mode='bilinear', align_corners=False)
        let x = Tensor(shape: [1, 1, 2, 2], data: [1, 2, 3, 4])
        let y = upsample(x, factor: 2, mode: .bilinear)
        let expected: [Float] = [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]
        #expect(y.shape == [1, 1, 4, 4])
        for (a, e) in zip(y.data, expected) { #expect(abs(a - e) < 1e-6) }
    }

    @Test func nearestUpsamplingRepeatsPixels() {
        let y = upsample(Tensor(shape: [1, 1, 1, 2], data: [5, 7]), factor: 2, mode: .nearest)
        #expect(y.data == [5, 5, 7, 7, 5, 5, 7, 7])
    }

    @Test(arguments: [UpsampleMode.bilinear, .nearest])
    func upsamplingGradients(mode: UpsampleMode) {
        let x = randomTensor([2, 2, 3, 5], seed: 5)
        checkGradients([x]) { upsample($0[0], factor: 2, mode: mode) }
    }

    /// Bilinear x2 against PyTorch's formula evaluated directly, on planes wide enough for
    /// the SIMD interior (and odd-sized, for its borders), then the backward pass against
    /// the adjoint identity <up(x), r> = <x, up^T(r)>.
    @Test(arguments: [(5, 37), (19, 24), (2, 2)])
    func bilinearUpsamplingByTwoMatchesPyTorchsFormula(height: Int, width: Int) {
        let x = randomTensor([2, 2, height, width], seed: 12)
        let y = upsample(x, factor: 2, mode: .bilinear)
        func source(_ d: Int, _ size: Int) -> (Int, Int, Double) {
            let s = max((Double(d) + 0.5) / 2 - 0.5, 0)
            let i0 = Int(s)
            return (i0, min(i0 + 1, size - 1), s - Double(i0))
        }
        for p in 0..<4 {
            for r in 0..<2 * height {
                let (r0, r1, v) = source(r, height)
                for c in 0..<2 * width {
                    let (c0, c1, u) = source(c, width)
                    func at(_ i: Int, _ j: Int) -> Double { Double(x.data[(p * height + i) * width + j]) }
                    let expected = (1 - v) * ((1 - u) * at(r0, c0) + u * at(r0, c1)) + v * ((1 - u) * at(r1, c0) + u * at(r1, c1))
                    let value = Double(y.data[(p * 2 * height + r) * 2 * width + c])
                    #expect(abs(value - expected) < 1e-6, "plane \(p) (\(r), \(c))")
                }
            }
        }
        let probe = randomTensor(y.shape, seed: 13, requiresGradient: false)
        y.backward(seed: probe.data)
        let lhs = zip(y.data, probe.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let rhs = zip(x.data, x.gradient!).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(lhs - rhs) < 1e-5 * max(1, abs(lhs)))
    }

    @Test func concatCenterCropsLargerInputs() {
        let a = Tensor(shape: [1, 1, 2, 2], data: [1, 2, 3, 4])
        let b = Tensor(shape: [1, 1, 4, 4], data: (0..<16).map(Float.init))
        let y = concatChannels([a, b])
        #expect(y.shape == [1, 2, 2, 2])
        // (4 - 2) / 2 = 1: rows 1-2, columns 1-2 of b.
        #expect(y.data == [1, 2, 3, 4, 5, 6, 9, 10])
        let c = randomTensor([2, 2, 3, 3], seed: 6)
        let d = randomTensor([2, 3, 4, 5], seed: 7)
        checkGradients([c, d]) { concatChannels($0) }
    }

    @Test func concatOfEqualSizesCopiesWholeBlocks() {
        // Large enough for the copies to be split over the cores; batch 2 interleaves blocks.
        let a = randomTensor([2, 8, 128, 128], seed: 8), b = randomTensor([2, 3, 128, 128], seed: 9)
        let y = concatChannels([a, b])
        #expect(y.shape == [2, 11, 128, 128])
        let plane = 128 * 128
        for n in 0..<2 {
            #expect(Array(y.data[(n * 11) * plane..<(n * 11 + 8) * plane]) == Array(a.data[n * 8 * plane..<(n + 1) * 8 * plane]))
            #expect(Array(y.data[(n * 11 + 8) * plane..<(n + 1) * 11 * plane]) == Array(b.data[n * 3 * plane..<(n + 1) * 3 * plane]))
        }
        let seed = (0..<y.count).map { Float($0 % 1000) }
        y.backward(seed: seed)
        for n in 0..<2 {
            #expect(Array(a.gradient![n * 8 * plane..<(n + 1) * 8 * plane]) == Array(seed[(n * 11) * plane..<(n * 11 + 8) * plane]))
            #expect(Array(b.gradient![n * 3 * plane..<(n + 1) * 3 * plane]) == Array(seed[(n * 11 + 8) * plane..<(n + 1) * 11 * plane]))
        }
    }

    @Test func meanSquaredErrorWithAndWithoutMask() {
        let p = Tensor(shape: [1, 1, 1, 4], data: [1, 2, 3, 4], requiresGradient: true)
        let t = Tensor(shape: [1, 1, 1, 4], data: [1, 1, 1, 1])
        #expect(abs(meanSquaredError(p, t).scalar - 3.5) < 1e-6)  // (0 + 1 + 4 + 9) / 4
        let mask = Tensor(shape: [1, 1, 1, 4], data: [1, 0, 1, 0])
        // DIP's inpainting loss: the mean still runs over all four elements.
        #expect(abs(meanSquaredError(p, t, mask: mask).scalar - 1) < 1e-6)
        let q = randomTensor([1, 2, 3, 3], seed: 8)
        let target = randomTensor([1, 2, 3, 3], seed: 9)
        let m = Tensor(shape: [1, 2, 3, 3], data: (0..<18).map { Float($0 % 3 == 0 ? 0 : 1) })
        checkGradients([q, target], epsilon: 1e-3) { meanSquaredError($0[0], $0[1], mask: m) }
    }

    @Test func elementwiseArithmetic() {
        let a = randomTensor([2, 3], seed: 10)
        let b = randomTensor([2, 3], seed: 11)
        #expect((a + b).data == zip(a.data, b.data).map(+))
        #expect((a * b).data == zip(a.data, b.data).map(*))
        checkGradients([a, b], epsilon: 1e-3) { $0[0] + $0[1] }
        checkGradients([a, b], epsilon: 1e-3) { $0[0] - $0[1] }
        checkGradients([a, b], epsilon: 1e-3) { $0[0] * $0[1] }
        checkGradients([a], epsilon: 1e-3) { $0[0] * 3 + 1 }
        checkGradients([a], epsilon: 1e-3) { $0[0].reshaped([3, 2]).mean() }
    }

    @Test func gradientAccumulatesOverSharedInputs() {
        let x = Tensor(shape: [2], data: [1, 2], requiresGradient: true)
        let y = (x * x + x).sum()  // dy/dx = 2x + 1
        y.backward()
        #expect(x.gradient == [3, 5])
    }

    /// `lip bench --profile`: each operation is charged to its name, lowering and output
    /// shape, once per call, forward and backward; nothing is recorded when it is off.
    @Test func operationProfileChargesEachOperation() {
        func step() {
            let x = randomTensor([1, 7, 5, 9], seed: 3, requiresGradient: true)
            let w = randomTensor([6, 7, 3, 3], seed: 4, requiresGradient: true)
            let y = conv2d(x, weight: w, padding: 1, paddingMode: .reflection)
            batchNorm(y, weight: Tensor(filling: 1, shape: [6], requiresGradient: true), bias: Tensor(zeros: [6]),
                      leakySlope: 0.2).sum().backward()
        }
        OperationProfile.reset()
        OperationProfile.isEnabled = true
        step()
        step()
        OperationProfile.isEnabled = false
        let conv = "conv2d 3x3/1 7->6 shifted GEMMs → 1x6x5x9", norm = "batchNorm → 1x6x5x9"
        for key in [conv, norm] {
            #expect(OperationProfile.forward[key]?.calls == 2, "forward \(key)")
            #expect(OperationProfile.backward[key]?.calls == 2, "backward \(key)")
            #expect((OperationProfile.backward[key]?.seconds ?? 0) > 0)
        }
        step()
        #expect(OperationProfile.forward[conv]?.calls == 2)
    }
}
