import Foundation

/// The mean of independent values (over seeds, images, or image-seed pairs) with its
/// two-sided Student t interval: what a plot's error bar and a table's mean show. For a
/// paired comparison of two arms, use `PairedComparison`, which works on the differences.
public struct MeanInterval: Equatable, Sendable {
    public var mean: Double
    /// Half-width of the interval at `level`: t_{n-1} quantile x s / √n (0 for one value).
    public var halfWidth: Double
    public var count: Int

    /// `values` must not be empty.
    public init(_ values: [Double], level: Double = 0.95) {
        precondition(!values.isEmpty, "the mean of no values")
        precondition(level > 0 && level < 1, "an interval's level is in (0, 1)")
        count = values.count
        mean = values.reduce(0, +) / Double(count)
        guard count > 1 else {
            halfWidth = 0
            return
        }
        let m = mean
        let std = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(count - 1)).squareRoot()
        halfWidth = StudentT(degreesOfFreedom: Double(count - 1)).quantile(0.5 + level / 2) * std / Double(count).squareRoot()
    }

    public var lower: Double { mean - halfWidth }
    public var upper: Double { mean + halfWidth }
}
