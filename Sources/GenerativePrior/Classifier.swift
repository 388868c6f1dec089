import Foundation
import Networks
import TensorKit

/// A small convolutional classifier of Fashion-MNIST: 3x3 conv to 32 → ReLU → 4x4
/// stride-2 conv to 32 (14x14) → ReLU → 4x4 stride-2 conv to 64 (7x7) → ReLU → Linear to
/// 128 → ReLU → Linear to 10 classes. Its 128 penultimate activations are the feature
/// space in which generated samples are compared with real ones (`FrechetDistance`).
public func makeClassifier() -> Sequential {
    Sequential([
        ("0", Conv2d(inChannels: 1, outChannels: 32, kernelSize: 3, padding: 1)),
        ("1", Activation(.relu)),
        ("2", Conv2d(inChannels: 32, outChannels: 32, kernelSize: 4, stride: 2, padding: 1)),
        ("3", Activation(.relu)),
        ("4", Conv2d(inChannels: 32, outChannels: 64, kernelSize: 4, stride: 2, padding: 1)),
        ("5", Activation(.relu)),
        ("6", Flatten()),
        ("7", Linear(inFeatures: 64 * 7 * 7, outFeatures: 128)),
        ("8", Activation(.relu)),
        ("9", Linear(inFeatures: 128, outFeatures: 10)),
    ])
}

/// The number of the classifier's children that make its feature vector (all but the
/// last linear layer).
let classifierFeatureLayers = 9

extension Sequential {
    /// Applies the first `count` children only.
    public func prefix(_ count: Int, _ input: Tensor) -> Tensor {
        children.prefix(count).reduce(input) { $1.layer($0) }
    }
}

/// What a classifier says of a set of images, batch by batch without gradients: its
/// features, its predicted classes.
public struct ClassifierReadout {
    public var features: [[Double]] = []
    public var predictions: [Int] = []

    public init(classifier: Sequential, images: [Float], batchSize: Int = 250) {
        let side = FashionMNIST.side, pixels = FashionMNIST.pixels
        let count = images.count / pixels
        GradientMode.withoutGradients {
            var start = 0
            while start < count {
                let n = min(batchSize, count - start)
                let x = Tensor(shape: [n, 1, side, side], data: Array(images[(start * pixels)..<((start + n) * pixels)]))
                let f = classifier.prefix(classifierFeatureLayers, x)
                let logits = classifier.children[classifierFeatureLayers].layer(f)
                let width = f.shape[1], classes = logits.shape[1]
                for i in 0..<n {
                    features.append(f.data[(i * width)..<((i + 1) * width)].map(Double.init))
                    let row = logits.data[(i * classes)..<((i + 1) * classes)]
                    predictions.append(row.indices.max { row[$0] < row[$1] }! - row.startIndex)
                }
                start += n
            }
        }
    }

    /// The fraction of predictions equal to `labels`.
    public func accuracy(labels: [Int]) -> Double {
        Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(max(1, labels.count))
    }

    /// How many predictions fall in each of the ten classes.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: FashionMNIST.classNames.count)
        for p in predictions { counts[p] += 1 }
        return counts
    }
}
