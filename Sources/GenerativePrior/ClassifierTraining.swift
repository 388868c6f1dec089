import Foundation
import LIPCore
import Networks
import TensorKit

/// Trains `makeClassifier()` on Fashion-MNIST's training split with softmax cross-entropy
/// and Adam (lr 1e-3), batches of 64 in an order fixed by the seed; PyTorch's default
/// initialization from the seed.
public struct ClassifierTraining {
    public let classifier: Sequential
    public let seed: UInt64
    let optimizer: Adam
    public private(set) var epochsDone = 0
    public static let batchSize = 64

    public init(seed: UInt64, learningRate: Float = 1e-3) {
        self.seed = seed
        classifier = makeClassifier()
        var random = RandomSource(seed: seed).derived("classifier-init")
        for (_, module) in classifier.namedModules() {
            if let conv = module as? Conv2d { conv.resetParameters(using: &random) }
            if let dense = module as? Linear { dense.resetParameters(using: &random) }
        }
        optimizer = Adam(parameters: classifier.parameters, learningRate: learningRate)
    }

    /// One epoch over `data`; `progress(batch, batches, meanLoss)` after each batch.
    /// Returns the epoch's mean training loss.
    @discardableResult
    public mutating func trainEpoch(on data: FashionMNIST, progress: (Int, Int, Double) -> Void = { _, _, _ in }) -> Double {
        epochsDone += 1
        var random = RandomSource(seed: seed).derived("classifier-epoch-\(epochsDone)")
        let order = random.permutation(data.count)
        let batches = data.count / Self.batchSize
        var total = 0.0
        for b in 0..<batches {
            let indices = Array(order[(b * Self.batchSize)..<((b + 1) * Self.batchSize)])
            optimizer.zeroGradients()
            let loss = softmaxCrossEntropy(logits: classifier(data.batch(indices)), labels: indices.map { data.labels[$0] })
            loss.backward()
            optimizer.step()
            total += Double(loss.scalar)
            progress(b + 1, batches, total / Double(b + 1))
        }
        return total / Double(max(1, batches))
    }
}
