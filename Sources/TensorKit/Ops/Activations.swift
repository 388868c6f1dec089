import Foundation

/// LeakyReLU with DIP's slope 0.2 by default: y = x for x > 0, slope * x otherwise.
public func leakyReLU(_ x: Tensor, slope: Float = 0.2) -> Tensor {
    let y = mapElements(x.data) { $0 > 0 ? $0 : slope * $0 }
    return makeResult(shape: x.shape, data: y, inputs: [x]) { result in
        x.accumulateGradient(zipElements(result.gradient!, x.data) { g, v in v > 0 ? g : slope * g })
    }
}

public func relu(_ x: Tensor) -> Tensor {
    let y = mapElements(x.data) { max($0, 0) }
    return makeResult(shape: x.shape, data: y, inputs: [x]) { result in
        x.accumulateGradient(zipElements(result.gradient!, x.data) { g, v in v > 0 ? g : 0 })
    }
}

public func sigmoid(_ x: Tensor) -> Tensor {
    let y = mapElements(x.data) { 1 / (1 + exp(-$0)) }
    return makeResult(shape: x.shape, data: y, inputs: [x]) { result in
        x.accumulateGradient(zipElements(result.gradient!, y) { g, s in g * s * (1 - s) })
    }
}

public func tanh(_ x: Tensor) -> Tensor {
    let y = mapElements(x.data) { Foundation.tanh($0) }
    return makeResult(shape: x.shape, data: y, inputs: [x]) { result in
        x.accumulateGradient(zipElements(result.gradient!, y) { g, t in g * (1 - t * t) })
    }
}
