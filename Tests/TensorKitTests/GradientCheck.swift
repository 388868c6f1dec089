import Testing
import TensorKit

/// Central finite differences of a scalar function of `inputs`, compared with the
/// gradients that `backward()` accumulates. The loss is sum(f(inputs) * R) for a fixed
/// random R, so every output element contributes with its own weight.
func checkGradients(_ inputs: [Tensor], epsilon: Float = 1e-2, tolerance: Float = 2e-2,
                    sourceLocation: SourceLocation = #_sourceLocation,
                    _ function: ([Tensor]) -> Tensor) {
    var random = RandomSource(seed: 99)
    let probe = function(inputs)
    let weights = random.uniform(count: probe.count, low: -1, high: 1)
    func loss() -> Double {
        let out = GradientMode.withoutGradients { function(inputs) }
        return zip(out.data, weights).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    for t in inputs { t.zeroGradient() }
    let out = function(inputs)
    let weighted = (out * Tensor(shape: out.shape, data: weights)).sum()
    weighted.backward()
    for (index, tensor) in inputs.enumerated() where tensor.requiresGradient {
        let analytic = tensor.gradient ?? [Float](repeating: 0, count: tensor.count)
        // Check every element of small tensors, a spread of elements of larger ones.
        let step = max(1, tensor.count / 40)
        for i in stride(from: 0, to: tensor.count, by: step) {
            let saved = tensor.data[i]
            tensor.data[i] = saved + epsilon
            let plus = loss()
            tensor.data[i] = saved - epsilon
            let minus = loss()
            tensor.data[i] = saved
            let numeric = Float((plus - minus) / Double(2 * epsilon))
            let scale = max(1, abs(numeric), abs(analytic[i]))
            #expect(abs(numeric - analytic[i]) <= tolerance * scale,
                    "input \(index) element \(i): numeric \(numeric), analytic \(analytic[i])",
                    sourceLocation: sourceLocation)
        }
    }
}

func randomTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1,
                  requiresGradient: Bool = true) -> Tensor {
    var random = RandomSource(seed: seed)
    return Tensor(shape: shape, data: random.uniform(count: shape.reduce(1, *), low: low, high: high),
                  requiresGradient: requiresGradient)
}

/// Expects each of `actual`'s tensors within `relative` of `expected`'s, relative to the
/// larger of 1 and the expected tensor's largest magnitude (a lowering against another).
func expectGradientsAgree(_ actual: [[Float]], _ expected: [[Float]], names: [String], relative: Float,
                          sourceLocation: SourceLocation = #_sourceLocation) {
    for (name, (a, e)) in zip(names, zip(actual, expected)) {
        let scale = max(1, e.map(abs).max()!)
        let worst = zip(a, e).map { abs($0 - $1) }.max()!
        #expect(worst < relative * scale, "\(name) gradient: largest difference \(worst) at scale \(scale)",
                sourceLocation: sourceLocation)
    }
}
