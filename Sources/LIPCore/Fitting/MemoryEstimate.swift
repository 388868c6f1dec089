import Foundation
import Networks

/// A run's memory need, estimated before it starts so that a run too large for the
/// machine is refused with the estimate instead of failing an allocation (or swapping)
/// part way. Saturates instead of overflowing for absurd sizes.
public struct MemoryEstimate: Equatable, Sendable {
    /// The per-step history (one `IterationRecord` per step, kept for the CSV and the
    /// best-step choice).
    public var history: Int
    /// Weights, gradients, Adam's two moments and backtracking's saved copy.
    public var parameters: Int
    /// Activations and their gradients for one step, plus the EMA and best outputs.
    public var activations: Int

    public var total: Int { saturatingSum([history, parameters, activations]) }

    /// DIP's hourglass: activations measured with `benchmarks/peak-memory` (1916 MiB peak
    /// RSS at 512 x 512, about 7.5 KiB per pixel) rounded up to 8 KiB per pixel. The deep
    /// decoder: about eight k-channel tensors per block (convolution, upsampling, ReLU,
    /// batch norm and their gradients) over planes that sum to 4/3 of the image.
    public init(prior: Prior, channels: Int, height: Int, width: Int, iterations: Int) {
        let pixels = saturatingProduct([max(height, 0), max(width, 0)])
        history = saturatingProduct([max(iterations, 0), MemoryLayout<IterationRecord>.stride])
        let parameterCount: Int
        switch prior {
        case .dip(var configuration):
            configuration.outputChannels = channels
            parameterCount = SkipConfiguration.dipParameterCount(configuration)
            activations = saturatingProduct([pixels, 8 * 1024])
        case .deepDecoder(var configuration):
            configuration.outputChannels = channels
            parameterCount = configuration.parameterCountSaturating
            activations = saturatingProduct([configuration.channels, pixels, 4, 8 * 4]) / 3
        }
        parameters = saturatingProduct([parameterCount, 4, 5])
    }

    /// Memory this process may use in bytes: the machine's, or the container's limit
    /// (cgroup v2 `memory.max`) where that is lower.
    public static var physicalMemory: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        let machine = pages > 0 && size > 0 ? saturatingProduct([pages, size]) : Int.max
        let limit = (try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? Int.max
        return min(machine, limit)
    }

    /// Why the run cannot fit in `available` bytes, or nil.
    public func problem(available: Int = MemoryEstimate.physicalMemory) -> String? {
        guard total > available else { return nil }
        return "needs about \(Self.gibibytes(total)) of memory (history \(Self.gibibytes(history)), parameters and optimizer state \(Self.gibibytes(parameters)), activations \(Self.gibibytes(activations))) but this machine has \(Self.gibibytes(available))"
    }

    static func gibibytes(_ bytes: Int) -> String {
        bytes == Int.max ? "more than 8 EiB" : String(format: "%.1f GiB", Double(bytes) / Double(1 << 30))
    }
}

func saturatingProduct(_ values: [Int]) -> Int {
    values.reduce(1) { product, value in
        let (result, overflow) = product.multipliedReportingOverflow(by: value)
        return overflow ? Int.max : result
    }
}

func saturatingSum(_ values: [Int]) -> Int {
    values.reduce(0) { sum, value in
        let (result, overflow) = sum.addingReportingOverflow(value)
        return overflow ? Int.max : result
    }
}

extension DeepDecoderConfiguration {
    /// `parameterCount` without overflow for absurd widths.
    var parameterCountSaturating: Int {
        saturatingSum([saturatingProduct([layers + 1, channels, channels]), saturatingProduct([2, channels, layers + 1]),
                       saturatingProduct([outputChannels, channels])])
    }
}

extension SkipConfiguration {
    /// Parameters of the hourglass (2,217,831 for DIP's RGB network), counted on a built
    /// network: the layer builder is the one definition of its shapes.
    static func dipParameterCount(_ configuration: SkipConfiguration) -> Int {
        makeSkipNetwork(configuration).parameterCount
    }
}
