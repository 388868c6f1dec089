import Foundation

/// Mean and spread of a metric over seeds (the paper averages three initializations).
public struct SeedStatistics: Codable, Equatable, Sendable {
    public var mean: Double
    /// Sample standard deviation (n - 1), 0 for a single value.
    public var std: Double
    public var count: Int

    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "statistics of no values")
        count = values.count
        mean = values.reduce(0, +) / Double(values.count)
        let m = mean
        std = values.count > 1 ? (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot() : 0
    }

    /// "31.07 ± 0.12" (or "31.07" for one value).
    public func formatted(_ format: String = "%.2f") -> String {
        count > 1 ? String(format: "\(format) ± \(format)", mean, std) : String(format: format, mean)
    }
}
