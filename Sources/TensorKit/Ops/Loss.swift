import Foundation

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

/// The logistic loss on logits, mean over every element (`nn.BCEWithLogitsLoss()`):
/// mean(max(x, 0) - x t + log(1 + exp(-|x|))), the numerically stable form of
/// -t log σ(x) - (1 - t) log(1 - σ(x)). Its gradient is (σ(x) - t) / count.
/// `targets` are probabilities in [0, 1] of the logits' shape, and constants.
public func binaryCrossEntropy(logits: Tensor, targets: Tensor) -> Tensor {
    require(logits.shape == targets.shape, "binaryCrossEntropy: logits \(logits.shape) and targets \(targets.shape) differ")
    let n = logits.count
    var total = 0.0
    for i in 0..<n {
        let x = logits.data[i], t = targets.data[i]
        total += Double(max(x, 0) - x * t + log1p(exp(-abs(x))))
    }
    return makeResult(shape: [], data: [Float(total / Double(n))], inputs: [logits]) { result in
        let scale = result.gradient![0] / Float(n)
        let gradient = zipElements(logits.data, targets.data) { x, t in (1 / (1 + exp(-x)) - t) * scale }
        logits.accumulateGradient(gradient)
    }
}

/// The logistic loss against one label for every logit (1 for "real", 0 for "fake").
public func binaryCrossEntropy(logits: Tensor, label: Float) -> Tensor {
    binaryCrossEntropy(logits: logits, targets: Tensor(filling: label, shape: logits.shape))
}

/// Softmax cross-entropy over classes, mean over the batch (`nn.CrossEntropyLoss()`):
/// for logits [N, C] and labels in 0..<C, mean_n (logsumexp(x_n) - x_n[label_n]).
/// Its gradient is (softmax(x_n) - onehot(label_n)) / N.
public func softmaxCrossEntropy(logits: Tensor, labels: [Int]) -> Tensor {
    require(logits.rank == 2, "softmaxCrossEntropy expects [batch, classes], got \(logits.shape)")
    let batch = logits.shape[0], classes = logits.shape[1]
    require(labels.count == batch, "softmaxCrossEntropy: \(labels.count) labels for a batch of \(batch)")
    require(labels.allSatisfy { (0..<classes).contains($0) },
            "softmaxCrossEntropy: labels must lie in 0..<\(classes)")
    var probabilities = [Float](repeating: 0, count: logits.count)
    var total = 0.0
    for n in 0..<batch {
        let row = logits.data[(n * classes)..<((n + 1) * classes)]
        let largest = row.max()!
        var normalizer = 0.0
        for (c, x) in row.enumerated() {
            let e = exp(Double(x - largest))
            probabilities[n * classes + c] = Float(e)
            normalizer += e
        }
        for c in 0..<classes { probabilities[n * classes + c] = Float(Double(probabilities[n * classes + c]) / normalizer) }
        total += log(normalizer) + Double(largest) - Double(row[row.startIndex + labels[n]])
    }
    return makeResult(shape: [], data: [Float(total / Double(batch))], inputs: [logits]) { result in
        let scale = result.gradient![0] / Float(batch)
        var gradient = probabilities
        for n in 0..<batch { gradient[n * classes + labels[n]] -= 1 }
        logits.accumulateGradient(gradient.map { $0 * scale })
    }
}
