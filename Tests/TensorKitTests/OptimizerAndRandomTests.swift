import Foundation
import Testing
import TensorKit

struct OptimizerTests {
    /// PyTorch's Adam update written out in Double.
    func referenceAdam(parameter: [Double], gradients: [[Double]], lr: Double) -> [Double] {
        var p = parameter
        var m = [Double](repeating: 0, count: p.count), v = m
        for (t, g) in gradients.enumerated() {
            let step = Double(t + 1)
            for i in p.indices {
                m[i] = 0.9 * m[i] + 0.1 * g[i]
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
                let denominator = v[i].squareRoot() / (1 - pow(0.999, step)).squareRoot() + 1e-8
                p[i] -= lr / (1 - pow(0.9, step)) * m[i] / denominator
            }
        }
        return p
    }

    @Test func adamFollowsPyTorchsUpdate() {
        let parameter = Tensor(shape: [3], data: [0.5, -1, 2], requiresGradient: true)
        let adam = Adam(parameters: [parameter], learningRate: 0.01)
        let gradients: [[Float]] = [[0.1, -0.2, 3], [0.05, 0.4, -1], [-0.3, 0.1, 0.2]]
        for g in gradients {
            parameter.gradient = g
            adam.step()
        }
        let expected = referenceAdam(parameter: [0.5, -1, 2], gradients: gradients.map { $0.map(Double.init) }, lr: 0.01)
        for (a, e) in zip(parameter.data, expected) { #expect(abs(Double(a) - e) < 1e-6) }
        #expect(adam.stepCount == 3)
    }

    /// Parameters of 8 values and more update in SIMD lanes, the rest one by one: 19
    /// values cover two lane blocks and a tail, with and without a mask.
    @Test func adamInLanesFollowsPyTorchsUpdate() {
        var random = RandomSource(seed: 8)
        let start = random.uniform(count: 19, low: -2, high: 2)
        let gradients = (0..<4).map { _ in random.uniform(count: 19, low: -1, high: 1) }
        let mask: [Float] = (0..<19).map { $0 % 3 == 1 ? 0 : 1 }
        for masked in [false, true] {
            let parameter = Tensor(shape: [19], data: start.enumerated().map { masked ? $1 * mask[$0] : $1 },
                                   requiresGradient: true)
            let adam = Adam(parameters: [parameter], learningRate: 0.01)
            if masked { adam.masks[ObjectIdentifier(parameter)] = mask }
            for g in gradients {
                parameter.gradient = g
                adam.step()
            }
            let expected = referenceAdam(parameter: start.map(Double.init), gradients: gradients.map { $0.map(Double.init) },
                                         lr: 0.01)
            for (i, (a, e)) in zip(parameter.data, expected).enumerated() {
                #expect(abs(Double(a) - (masked ? e * Double(mask[i]) : e)) < 1e-6, "value \(i), masked: \(masked)")
            }
        }
    }

    @Test func adamKeepsMaskedWeightsAtZero() {
        let parameter = Tensor(shape: [4], data: [1, 0, 3, 0], requiresGradient: true)
        let adam = Adam(parameters: [parameter], learningRate: 0.1)
        adam.masks[ObjectIdentifier(parameter)] = [1, 0, 1, 0]
        for _ in 0..<5 {
            parameter.gradient = [1, 1, -1, -1]
            adam.step()
        }
        #expect(parameter.data[1] == 0 && parameter.data[3] == 0)
        #expect(parameter.data[0] < 1 && parameter.data[2] > 3)
    }

    @Test func sgdWithMomentum() {
        let parameter = Tensor(shape: [1], data: [1], requiresGradient: true)
        let sgd = SGD(parameters: [parameter], learningRate: 0.1, momentum: 0.9)
        parameter.gradient = [1]
        sgd.step()  // v = 1, p = 0.9
        parameter.gradient = [1]
        sgd.step()  // v = 1.9, p = 0.71
        #expect(abs(parameter.data[0] - 0.71) < 1e-6)
    }

    @Test func minimisesAQuadratic() {
        let x = Tensor(shape: [2], data: [3, -4], requiresGradient: true)
        let adam = Adam(parameters: [x], learningRate: 0.1)
        for _ in 0..<300 {
            adam.zeroGradients()
            (x * x).sum().backward()
            adam.step()
        }
        #expect(x.data.allSatisfy { abs($0) < 1e-2 })
    }
}

struct RandomTests {
    @Test func sameSeedSameNumbers() {
        var a = RandomSource(seed: 7), b = RandomSource(seed: 7), c = RandomSource(seed: 8)
        let x = a.normal(count: 100), y = b.normal(count: 100), z = c.normal(count: 100)
        #expect(x == y)
        #expect(x != z)
    }

    @Test func uniformAndNormalMoments() {
        var random = RandomSource(seed: 1)
        let u = random.uniform(count: 100_000, low: 0, high: 0.1)
        #expect(u.allSatisfy { $0 >= 0 && $0 < 0.1 })
        #expect(abs(u.reduce(0, +) / 100_000 - 0.05) < 1e-3)
        let n = random.normal(count: 100_000, mean: 1, std: 2)
        let mean = n.reduce(0, +) / 100_000
        let std = (n.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 100_000).squareRoot()
        #expect(abs(mean - 1) < 0.03)
        #expect(abs(std - 2) < 0.03)
    }

    @Test func derivedStreamsAreIndependentOfEachOther() {
        let base = RandomSource(seed: 5)
        var a = base.derived("noise"), b = base.derived("input"), a2 = base.derived("noise")
        #expect(a.next() == a2.next())
        #expect(a.next() != b.next())
    }
}
