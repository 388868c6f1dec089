/// Mean squared error, mean over every element (as `nn.MSELoss()`):
/// mean((prediction - target)^2), or mean(((prediction - target) * mask)^2) with a mask.
///
/// With a mask this is DIP's inpainting loss MSE(out * m, x * m): the mean still runs over
/// all elements, including the masked-out ones. The mask must have the target's shape.
public func meanSquaredError(_ prediction: Tensor, _ target: Tensor, mask: Tensor? = nil) -> Tensor {
    require(prediction.shape == target.shape,
                 "MSE: prediction \(prediction.shape) and target \(target.shape) differ")
    if let mask { require(mask.shape == target.shape, "MSE: mask \(mask.shape) vs target \(target.shape)") }
    let n = prediction.count
    var difference = zipElements(prediction.data, target.data, -)
    if let mask { difference = zipElements(difference, mask.data, *) }
    let total = difference.withUnsafeBufferPointer { dot($0.baseAddress!, $0.baseAddress!, n) }
    return makeResult(shape: [], data: [Float(total / Double(n))], inputs: [prediction, target]) { result in
        let scale = 2 * result.gradient![0] / Float(n)
        var gradient = mapElements(difference) { $0 * scale }
        if let mask { gradient = zipElements(gradient, mask.data, *) }
        if prediction.requiresGradient { prediction.accumulateGradient(gradient) }
        if target.requiresGradient { target.accumulateGradient(mapElements(gradient) { -$0 }) }
    }
}
