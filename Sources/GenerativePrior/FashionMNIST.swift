import Foundation
import TensorKit

/// Fashion-MNIST (Xiao, Rasul and Vollgraf 2017): 28x28 grey garments in ten classes,
/// 60,000 for training and 10,000 for testing, as Debian's `dataset-fashion-mnist`
/// installs them. Pixels are mapped from 0...255 to [-1, 1], the range of a tanh output.
public struct FashionMNIST: Sendable {
    public enum Split: String, Sendable, CaseIterable {
        case train
        case test = "t10k"
    }

    public static let side = 28
    public static let pixels = side * side
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    /// Where Debian's package puts the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"

    public let split: Split
    /// Image i is `images[i * 784 ..< (i + 1) * 784]`, row-major, in [-1, 1].
    public let images: [Float]
    public let labels: [Int]
    public var count: Int { labels.count }

    public enum Failure: Error, CustomStringConvertible {
        case missing(path: String)
        case unexpected(path: String, reason: String)

        public var description: String {
            switch self {
            case .missing(let path):
                "\(path): not found; Fashion-MNIST comes from Debian's dataset-fashion-mnist package "
                    + "(scripts/install-deps installs it), or pass the folder that holds its four .gz files"
            case .unexpected(let path, let reason): "\(path): \(reason)"
            }
        }
    }

    public init(split: Split, images: [Float], labels: [Int]) {
        self.split = split
        self.images = images
        self.labels = labels
    }

    /// Reads one split from `directory` (`train-images-idx3-ubyte.gz` and its labels).
    public static func load(_ split: Split, directory: String = defaultDirectory) throws -> FashionMNIST {
        let imagePath = (directory as NSString).appendingPathComponent("\(split.rawValue)-images-idx3-ubyte.gz")
        let labelPath = (directory as NSString).appendingPathComponent("\(split.rawValue)-labels-idx1-ubyte.gz")
        for path in [imagePath, labelPath] where !FileManager.default.fileExists(atPath: path) {
            throw Failure.missing(path: path)
        }
        let images = try IDXArray.read(imagePath), labels = try IDXArray.read(labelPath)
        guard images.dimensions.count == 3, images.dimensions[1] == side, images.dimensions[2] == side else {
            throw Failure.unexpected(path: imagePath, reason: "images of shape \(images.dimensions), expected [N, 28, 28]")
        }
        guard labels.dimensions == [images.dimensions[0]] else {
            throw Failure.unexpected(path: labelPath, reason: "\(labels.dimensions) labels for \(images.dimensions[0]) images")
        }
        if let bad = labels.values.first(where: { $0 >= 10 }) {
            throw Failure.unexpected(path: labelPath, reason: "label \(bad) outside 0...9")
        }
        return FashionMNIST(split: split, images: images.values.map { Float($0) / 127.5 - 1 },
                            labels: labels.values.map(Int.init))
    }

    /// Images `indices` as an [N, 1, 28, 28] tensor.
    public func batch(_ indices: [Int]) -> Tensor {
        var data = [Float]()
        data.reserveCapacity(indices.count * Self.pixels)
        for i in indices { data += images[(i * Self.pixels)..<((i + 1) * Self.pixels)] }
        return Tensor(shape: [indices.count, 1, Self.side, Self.side], data: data)
    }

    /// The first `count` images of each class, in index order (a fixed, balanced subset).
    public func balancedIndices(perClass count: Int) -> [Int] {
        var taken = [Int](repeating: 0, count: 10), result: [Int] = []
        for (i, label) in labels.enumerated() where taken[label] < count {
            taken[label] += 1
            result.append(i)
        }
        return result
    }
}
