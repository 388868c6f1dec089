import Foundation
import Networks
import TensorKit

/// Which convolution weights a lottery ticket keeps (1) or prunes (0), layer by layer in
/// network order. Biases and batch norms are never pruned; sparsity counts conv weights.
public struct PruningMask: Equatable, Sendable {
    public struct LayerMask: Equatable, Sendable {
        /// The convolution's module path, e.g. "1.1.1.1".
        public var name: String
        public var shape: [Int]
        public var values: [Float]

        public init(name: String, shape: [Int], values: [Float]) {
            self.name = name
            self.shape = shape
            self.values = values
        }

        public var count: Int { values.count }
        public var kept: Int { values.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
        public var sparsity: Double { 1 - Double(kept) / Double(count) }
    }

    public var layers: [LayerMask]

    public init(layers: [LayerMask]) { self.layers = layers }

    /// Keeps everything.
    public static func dense(for network: any Layer) -> PruningMask {
        PruningMask(layers: network.convolutions.map {
            LayerMask(name: $0.path, shape: $0.layer.weight.shape, values: [Float](repeating: 1, count: $0.layer.weight.count))
        })
    }

    /// The names of the two convolutions that read DIP's input (scale-0 skip and down):
    /// the released LIP code leaves them dense when it re-applies a mask.
    public static let inputConvolutions: Set<String> = ["1.0.1.1", "1.1.1.1"]

    public var count: Int { layers.reduce(0) { $0 + $1.count } }
    public var kept: Int { layers.reduce(0) { $0 + $1.kept } }
    public var sparsity: Double { 1 - Double(kept) / Double(count) }

    /// This mask with the layers named in `dense` all kept.
    public func keepingAll(of dense: Set<String>) -> PruningMask {
        var mask = self
        for l in mask.layers.indices where dense.contains(mask.layers[l].name) {
            mask.layers[l].values = [Float](repeating: 1, count: mask.layers[l].count)
        }
        return mask
    }

    /// Sparsity of the network this mask gives when `dense` layers are left unmasked.
    public func effectiveSparsity(keepingDense dense: Set<String>) -> Double {
        let kept = layers.reduce(0) { $0 + (dense.contains($1.name) ? $1.count : $1.kept) }
        return 1 - Double(kept) / Double(count)
    }

    /// Masks `network`'s convolutions (weights at pruned positions become zero and stay
    /// there through training). Layers named in `keepingDense` stay dense.
    public func apply(to network: any Layer, keepingDense: Set<String> = []) throws {
        let convolutions = network.convolutions
        guard convolutions.map(\.path) == layers.map(\.name) else {
            throw MaskError.layersDiffer(expected: convolutions.map(\.path), found: layers.map(\.name))
        }
        for ((path, conv), layer) in zip(convolutions, layers) {
            guard conv.weight.shape == layer.shape else {
                throw MaskError.shapeDiffers(layer: path, expected: conv.weight.shape, found: layer.shape)
            }
            conv.mask = keepingDense.contains(path) ? nil : layer.values
        }
    }

    /// The masks as PyTorch's pruning utilities name them: `<layer>.weight_mask`.
    public var stateDictEntries: [SafeTensors.Entry] {
        layers.map { .init(name: "\($0.name).weight_mask", shape: $0.shape, values: .float32($0.values)) }
    }

    /// Reads `<layer>.weight_mask` tensors for every convolution of `network`.
    public static func from(_ file: SafeTensors, for network: any Layer, source: String) throws -> PruningMask {
        var layers: [LayerMask] = []
        for (path, conv) in network.convolutions {
            guard let entry = file["\(path).weight_mask"] else {
                throw StateDictMismatch(source: source, problems: ["missing mask '\(path).weight_mask'"])
            }
            guard entry.shape == conv.weight.shape else {
                throw MaskError.shapeDiffers(layer: path, expected: conv.weight.shape, found: entry.shape)
            }
            layers.append(LayerMask(name: path, shape: entry.shape, values: entry.floats.map { $0 != 0 ? 1 : 0 }))
        }
        return PruningMask(layers: layers)
    }

    /// Per-layer sparsity as a table row set: (layer, weights, kept, sparsity).
    public var layerSummary: [(name: String, weights: Int, kept: Int, sparsity: Double)] {
        layers.map { ($0.name, $0.count, $0.kept, $0.sparsity) }
    }
}

public enum MaskError: Error, CustomStringConvertible {
    case layersDiffer(expected: [String], found: [String])
    case shapeDiffers(layer: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .layersDiffer(let expected, let found):
            "the mask's layers (\(found.count): \(found.prefix(3).joined(separator: ", "))…) are not the network's (\(expected.count): \(expected.prefix(3).joined(separator: ", "))…); was the ticket found on another network?"
        case .shapeDiffers(let layer, let expected, let found):
            "mask of layer \(layer) has shape \(found), the network's weight is \(expected)"
        }
    }
}
