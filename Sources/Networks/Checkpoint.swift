import Foundation
import TensorKit

extension Layer {
    /// The network's output for `input` without recording gradients and without touching
    /// batch-norm running statistics (still train-mode batch statistics, as DIP uses).
    public func evaluate(_ input: Tensor) -> Tensor {
        let norms = batchNorms.map(\.layer)
        let saved = norms.map(\.updatesStatisticsWithoutGradients)
        norms.forEach { $0.updatesStatisticsWithoutGradients = false }
        defer { zip(norms, saved).forEach { $0.updatesStatisticsWithoutGradients = $1 } }
        return GradientMode.withoutGradients { self(input) }
    }
}

/// A DIP checkpoint: the PyTorch `state_dict` of the network, plus `input` (the fixed
/// network input z, 1 x depth x H x W) and `output` (the network's output for `input`
/// with these weights, train-mode batch norm, no jitter). Metadata records how it was made.
public enum DIPCheckpoint {
    public static let format = "lip-dip-checkpoint/1"
    static let extraKeys: Set<String> = ["input", "output"]

    public static func save(network: any Layer, input: Tensor, metadata: [String: String], to path: String) throws {
        let output = network.evaluate(input)
        var file = SafeTensors(entries: network.stateDict(), metadata: metadata)
        file.metadata["format"] = format
        file.entries.append(.init(name: "input", shape: input.shape, values: .float32(input.data)))
        file.entries.append(.init(name: "output", shape: output.shape, values: .float32(output.data)))
        try file.write(to: path)
    }

    /// Loads the weights into `network` and returns the stored input, output and metadata.
    public static func load(_ path: String, into network: any Layer) throws
        -> (input: Tensor, output: Tensor?, metadata: [String: String])
    {
        let file = try SafeTensors.read(path)
        try network.loadStateDict(file, source: path, allowedExtraKeys: extraKeys)
        guard let input = file["input"] else {
            throw StateDictMismatch(source: path, problems: ["missing tensor 'input' (the network input z)"])
        }
        let output = file["output"].map { Tensor(shape: $0.shape, data: $0.floats) }
        return (Tensor(shape: input.shape, data: input.floats), output, file.metadata)
    }
}
