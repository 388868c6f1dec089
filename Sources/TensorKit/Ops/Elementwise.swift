/// Elementwise arithmetic between tensors of the same shape, and with scalars.

public func + (a: Tensor, b: Tensor) -> Tensor {
    require(a.shape == b.shape, "add: shapes \(a.shape) and \(b.shape) differ")
    return makeResult(shape: a.shape, data: zipElements(a.data, b.data, +), inputs: [a, b]) { result in
        if a.requiresGradient { a.accumulateGradient(result.gradient!) }
        if b.requiresGradient { b.accumulateGradient(result.gradient!) }
    }
}

public func - (a: Tensor, b: Tensor) -> Tensor {
    require(a.shape == b.shape, "subtract: shapes \(a.shape) and \(b.shape) differ")
    return makeResult(shape: a.shape, data: zipElements(a.data, b.data, -), inputs: [a, b]) { result in
        if a.requiresGradient { a.accumulateGradient(result.gradient!) }
        if b.requiresGradient { b.accumulateGradient(mapElements(result.gradient!) { -$0 }) }
    }
}

public func * (a: Tensor, b: Tensor) -> Tensor {
    require(a.shape == b.shape, "multiply: shapes \(a.shape) and \(b.shape) differ")
    return makeResult(shape: a.shape, data: zipElements(a.data, b.data, *), inputs: [a, b]) { result in
        if a.requiresGradient { a.accumulateGradient(zipElements(result.gradient!, b.data, *)) }
        if b.requiresGradient { b.accumulateGradient(zipElements(result.gradient!, a.data, *)) }
    }
}

public func * (a: Tensor, scale: Float) -> Tensor {
    makeResult(shape: a.shape, data: mapElements(a.data) { $0 * scale }, inputs: [a]) { result in
        a.accumulateGradient(mapElements(result.gradient!) { $0 * scale })
    }
}

public func + (a: Tensor, offset: Float) -> Tensor {
    makeResult(shape: a.shape, data: mapElements(a.data) { $0 + offset }, inputs: [a]) { result in
        a.accumulateGradient(result.gradient!)
    }
}

extension Tensor {
    /// Sum of all elements, as a scalar tensor.
    public func sum() -> Tensor {
        let total = data.withUnsafeBufferPointer { TensorKit.sum($0.baseAddress!, count) }
        return makeResult(shape: [], data: [Float(total)], inputs: [self]) { result in
            self.accumulateGradient([Float](repeating: result.gradient![0], count: self.count))
        }
    }

    /// Mean of all elements, as a scalar tensor.
    public func mean() -> Tensor { sum() * (1 / Float(count)) }
}
