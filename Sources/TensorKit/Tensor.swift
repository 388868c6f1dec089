import Foundation

/// A dense Float32 tensor in row-major (NCHW for images) layout, and a node of the
/// reverse-mode autodiff graph.
///
/// Operations that read a tensor with `requiresGradient` record a `backward` closure on
/// their result; `backward()` on a scalar walks that graph in reverse topological order
/// and accumulates `gradient` on every tensor that requires one (parameters and inputs
/// alike, so a generator's input or a score can be optimized too).
public final class Tensor {
    public let shape: [Int]
    public var data: [Float]
    /// d(loss)/d(self), allocated on first accumulation.
    public var gradient: [Float]?
    public var requiresGradient: Bool
    /// Optional name, used for parameters (PyTorch `state_dict` key) and in error messages.
    public var name: String

    /// Inputs this tensor was computed from, and how to push its gradient into them.
    var parents: [Tensor] = []
    var backwardFunction: ((Tensor) -> Void)?
    /// The operation that made this tensor (its function's name), for `OperationProfile`.
    var operation = ""

    public init(shape: [Int], data: [Float], requiresGradient: Bool = false, name: String = "") {
        require(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        require(data.count == shape.reduce(1, *),
                     "tensor data has \(data.count) values, shape \(shape) needs \(shape.reduce(1, *))")
        self.shape = shape
        self.data = data
        self.requiresGradient = requiresGradient
        self.name = name
    }

    public convenience init(zeros shape: [Int], requiresGradient: Bool = false, name: String = "") {
        self.init(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)),
                  requiresGradient: requiresGradient, name: name)
    }

    public convenience init(filling value: Float, shape: [Int], requiresGradient: Bool = false,
                            name: String = "") {
        self.init(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)),
                  requiresGradient: requiresGradient, name: name)
    }

    public var count: Int { data.count }
    public var rank: Int { shape.count }

    /// The single value of a one-element tensor.
    public var scalar: Float {
        require(data.count == 1, "scalar of a tensor with shape \(shape)")
        return data[0]
    }

    /// A copy without graph history.
    public func detached() -> Tensor {
        Tensor(shape: shape, data: data, requiresGradient: false, name: name)
    }

    /// The same values with another shape of equal element count (a copy, kept in the graph).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        require(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        return makeResult(shape: newShape, data: data, inputs: [self]) { result in
            self.accumulateGradient(result.gradient!)
        }
    }

    public func zeroGradient() { gradient = nil }

    /// Adds `delta` into `gradient`, allocating it on first use.
    func accumulateGradient(_ delta: [Float]) {
        require(delta.count == count, "gradient of \(delta.count) values for a tensor of shape \(shape)")
        if gradient == nil {
            gradient = delta
        } else {
            gradient!.withUnsafeMutableBufferPointer { g in
                delta.withUnsafeBufferPointer { d in addInPlace(g.baseAddress!, d.baseAddress!, count) }
            }
        }
    }

    /// Runs `body` on the gradient buffer, allocating it (zeroed) first if needed.
    func withGradient(_ body: (UnsafeMutablePointer<Float>) -> Void) {
        if gradient == nil { gradient = [Float](repeating: 0, count: count) }
        gradient!.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = data.prefix(6).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor\(name.isEmpty ? "" : " \(name)")\(shape) [\(preview)\(count > 6 ? ", …" : "")]"
    }
}

/// Creates an operation's result: it joins the graph only when gradients are on and some
/// input needs one.
func makeResult(shape: [Int], data: [Float], inputs: [Tensor], operation: String = #function,
                backward: @escaping (Tensor) -> Void) -> Tensor {
    let needsGradient = GradientMode.isEnabled && inputs.contains { $0.requiresGradient }
    let result = Tensor(shape: shape, data: data, requiresGradient: needsGradient)
    if needsGradient {
        result.parents = inputs
        result.backwardFunction = backward
        if OperationProfile.isEnabled {
            result.operation = operation
            OperationProfile.recordForward(operation, shape: shape)
        }
    }
    return result
}
