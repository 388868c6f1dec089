import TensorKit

/// Why a state dict does not fit a network.
public struct StateDictMismatch: Error, CustomStringConvertible {
    public var source: String
    public var problems: [String]
    public init(source: String, problems: [String]) {
        self.source = source
        self.problems = problems
    }
    public var description: String {
        "\(source) does not fit this network:\n  " + problems.prefix(12).joined(separator: "\n  ")
            + (problems.count > 12 ? "\n  … and \(problems.count - 12) more" : "")
            + "\nWas it saved from a network with the same configuration (see `lip info`)?"
    }
}

extension Layer {
    /// The PyTorch `state_dict` of this network: conv and linear weights and biases, batch-norm
    /// weight, bias, running_mean, running_var and num_batches_tracked (I64 scalar).
    public func stateDict() -> [SafeTensors.Entry] {
        var entries: [SafeTensors.Entry] = []
        for (path, module) in namedModules() {
            let prefix = path.isEmpty ? "" : path + "."
            if let conv = module as? Conv2d {
                entries.append(.init(name: prefix + "weight", shape: conv.weight.shape, values: .float32(conv.weight.data)))
                if let bias = conv.bias {
                    entries.append(.init(name: prefix + "bias", shape: bias.shape, values: .float32(bias.data)))
                }
            } else if let dense = module as? Linear {
                entries.append(.init(name: prefix + "weight", shape: dense.weight.shape, values: .float32(dense.weight.data)))
                if let bias = dense.bias {
                    entries.append(.init(name: prefix + "bias", shape: bias.shape, values: .float32(bias.data)))
                }
            } else if let norm = module as? BatchNorm2d {
                let shape = [norm.channels]
                entries.append(.init(name: prefix + "weight", shape: shape, values: .float32(norm.weight.data)))
                entries.append(.init(name: prefix + "bias", shape: shape, values: .float32(norm.bias.data)))
                entries.append(.init(name: prefix + "running_mean", shape: shape, values: .float32(norm.statistics.mean)))
                entries.append(.init(name: prefix + "running_var", shape: shape, values: .float32(norm.statistics.variance)))
                entries.append(.init(name: prefix + "num_batches_tracked", shape: [],
                                     values: .int64([norm.statistics.batchesTracked])))
            }
        }
        return entries
    }

    /// Loads every tensor of the network's state dict from `file` (strict: a missing
    /// key, or a shape that differs, is an error naming it; extra keys are allowed only
    /// from `allowedExtraKeys`).
    public func loadStateDict(_ file: SafeTensors, source: String, allowedExtraKeys: Set<String> = []) throws {
        let expected = stateDict()
        var problems: [String] = []
        for entry in expected {
            guard let stored = file[entry.name] else {
                problems.append("missing tensor '\(entry.name)' \(entry.shape)")
                continue
            }
            if stored.shape != entry.shape {
                problems.append("'\(entry.name)' has shape \(stored.shape), the network needs \(entry.shape)")
            }
        }
        let known = Set(expected.map(\.name)).union(allowedExtraKeys)
        for entry in file.entries where !known.contains(entry.name) {
            problems.append("unexpected tensor '\(entry.name)'")
        }
        guard problems.isEmpty else { throw StateDictMismatch(source: source, problems: problems) }
        for (path, module) in namedModules() {
            let prefix = path.isEmpty ? "" : path + "."
            if let conv = module as? Conv2d {
                conv.weight.data = file[prefix + "weight"]!.floats
                if let bias = conv.bias { bias.data = file[prefix + "bias"]!.floats }
            } else if let dense = module as? Linear {
                dense.weight.data = file[prefix + "weight"]!.floats
                if let bias = dense.bias { bias.data = file[prefix + "bias"]!.floats }
            } else if let norm = module as? BatchNorm2d {
                norm.weight.data = file[prefix + "weight"]!.floats
                norm.bias.data = file[prefix + "bias"]!.floats
                norm.statistics.mean = file[prefix + "running_mean"]!.floats
                norm.statistics.variance = file[prefix + "running_var"]!.floats
                if case .int64(let v) = file[prefix + "num_batches_tracked"]!.values {
                    norm.statistics.batchesTracked = v.first ?? 0
                }
            }
        }
    }
}
