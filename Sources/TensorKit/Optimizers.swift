import Foundation

/// A first-order optimizer over a fixed list of parameters.
public protocol Optimizer: AnyObject {
    var parameters: [Tensor] { get }
    /// Applies one update from the parameters' current gradients.
    func step()
}

extension Optimizer {
    public func zeroGradients() { for p in parameters { p.zeroGradient() } }
}

/// Adam with PyTorch's defaults and update rule (`torch.optim.Adam`, no weight decay,
/// no amsgrad): m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2,
/// p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
public final class Adam: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    public private(set) var stepCount = 0
    /// Optional per-parameter masks (1 keeps, 0 prunes): masked entries stay exactly zero.
    public var masks: [ObjectIdentifier: [Float]] = [:]
    private var firstMoments: [[Float]]
    private var secondMoments: [[Float]]

    public init(parameters: [Tensor], learningRate: Float = 0.01, beta1: Float = 0.9,
                beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoments = parameters.map { [Float](repeating: 0, count: $0.count) }
        secondMoments = parameters.map { [Float](repeating: 0, count: $0.count) }
    }

    public func step() {
        stepCount += 1
        let t = Float(stepCount)
        let correction1 = 1 - pow(beta1, t)
        let correction2Root = (1 - pow(beta2, t)).squareRoot()
        let stepSize = learningRate / correction1
        let b1 = beta1, b2 = beta2, eps = epsilon
        for (index, parameter) in parameters.enumerated() {
            guard let gradient = parameter.gradient else { continue }  // PyTorch skips grad=None
            let n = parameter.count
            // The mask is applied in the same pass as the update, not in a second one.
            let mask = masks[ObjectIdentifier(parameter)]
            if let mask { require(mask.count == n, "Adam mask of \(mask.count) values for a parameter of \(n)") }
            (mask ?? []).withUnsafeBufferPointer { maskBuffer in
            gradient.withUnsafeBufferPointer { gb in
                firstMoments[index].withUnsafeMutableBufferPointer { mb in
                    secondMoments[index].withUnsafeMutableBufferPointer { vb in
                        parameter.data.withUnsafeMutableBufferPointer { pb in
                            let g = gb.baseAddress!, m = mb.baseAddress!, v = vb.baseAddress!, p = pb.baseAddress!
                            let keep = mask == nil ? nil : maskBuffer.baseAddress
                            parallelChunks(n) { range in
                                // In SIMD lanes (IEEE square roots and quotients, so the same values
                                // as one at a time), with the mask applied in the same pass.
                                var i = range.lowerBound
                                while i &+ 8 <= range.upperBound {
                                    let gi = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self)
                                    let mi = b1 * UnsafeRawPointer(m + i).loadUnaligned(as: SIMD8<Float>.self) + (1 - b1) * gi
                                    let vi = b2 * UnsafeRawPointer(v + i).loadUnaligned(as: SIMD8<Float>.self)
                                        + (1 - b2) * gi * gi
                                    var pi = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
                                    pi -= stepSize * mi / (vi.squareRoot() / correction2Root + eps)
                                    if let keep { pi *= UnsafeRawPointer(keep + i).loadUnaligned(as: SIMD8<Float>.self) }
                                    UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: SIMD8<Float>.self)
                                    UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: SIMD8<Float>.self)
                                    UnsafeMutableRawPointer(p + i).storeBytes(of: pi, as: SIMD8<Float>.self)
                                    i &+= 8
                                }
                                while i < range.upperBound {
                                    let gi = g[i]
                                    m[i] = b1 * m[i] + (1 - b1) * gi
                                    v[i] = b2 * v[i] + (1 - b2) * gi * gi
                                    p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2Root + eps)
                                    if let keep { p[i] *= keep[i] }
                                    i &+= 1
                                }
                            }
                        }
                    }
                }
            }
            }
        }
    }

    /// Moments and step count, for checkpoints.
    public var state: (step: Int, first: [[Float]], second: [[Float]]) {
        (stepCount, firstMoments, secondMoments)
    }

    /// Continues from a checkpoint's `state`: the next `step()` is the one after `step`.
    public func restore(step: Int, first: [[Float]], second: [[Float]]) {
        require(step >= 0, "Adam state with a negative step count \(step)")
        require(first.map(\.count) == parameters.map(\.count) && second.map(\.count) == parameters.map(\.count),
                "Adam state does not match the parameters' sizes")
        stepCount = step
        firstMoments = first
        secondMoments = second
    }
}

/// Plain stochastic gradient descent with optional momentum (as `torch.optim.SGD`).
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public let momentum: Float
    private var velocities: [[Float]]

    public init(parameters: [Tensor], learningRate: Float, momentum: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        velocities = parameters.map { [Float](repeating: 0, count: $0.count) }
    }

    public func step() {
        for (index, parameter) in parameters.enumerated() {
            guard let gradient = parameter.gradient else { continue }
            var update = gradient
            if momentum != 0 {
                velocities[index] = zipElements(velocities[index], gradient) { [momentum] v, g in momentum * v + g }
                update = velocities[index]
            }
            let lr = learningRate
            parameter.data = zipElements(parameter.data, update) { p, u in p - lr * u }
        }
    }
}
