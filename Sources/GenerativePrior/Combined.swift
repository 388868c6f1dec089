import LIPCore
import Networks
import TensorKit

// Small helpers the GAN files share: one safetensors file holding several networks, and
// the seeded shuffles of training and of median-of-means.

extension SafeTensors {
    /// The entries whose names start with `prefix`, with it removed: one network's
    /// `state_dict` out of a file that holds several (`"generator."`, `"critic."`).
    func part(_ prefix: String) -> SafeTensors {
        SafeTensors(entries: entries.filter { $0.name.hasPrefix(prefix) }.map {
            Entry(name: String($0.name.dropFirst(prefix.count)), shape: $0.shape, values: $0.values)
        })
    }
}

extension Array where Element == SafeTensors.Entry {
    /// The same entries under `prefix` (the inverse of `SafeTensors.part`).
    func prefixed(_ prefix: String) -> [SafeTensors.Entry] {
        map { SafeTensors.Entry(name: prefix + $0.name, shape: $0.shape, values: $0.values) }
    }
}

extension RandomSource {
    /// A uniformly random order of 0..<count by Fisher-Yates, drawing `next() % (i + 1)`
    /// from the last index down. Training orders are made with it, so changing the draw
    /// would change every trained weight.
    mutating func permutation(_ count: Int) -> [Int] {
        var order = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, Int(next() % UInt64(i + 1))) }
        return order
    }
}
