import Foundation

/// What a claim says about arm A against arm B, on the paired difference d = A - B.
public enum ComparisonRule: Codable, Equatable, Sendable, CustomStringConvertible {
    /// A > B.
    case superiority
    /// A > B + margin: A beats B by more than the margin.
    case exceeds(by: Double)
    /// A > B - margin: A is not worse than B by more than the margin.
    case nonInferiority(margin: Double)
    /// |A - B| < margin.
    case equivalence(margin: Double)

    public var description: String { statement(a: "A", b: "B") }

    /// The rule with the arms' names: "LIP > dense − 0.2".
    public func statement(a: String, b: String) -> String {
        switch self {
        case .superiority: "\(a) > \(b)"
        case .exceeds(let margin): "\(a) > \(b) + " + String(format: "%g", margin)
        case .nonInferiority(let margin): "\(a) > \(b) − " + String(format: "%g", margin)
        case .equivalence(let margin): "|\(a) − \(b)| < " + String(format: "%g", margin)
        }
    }
}

/// The outcome of a claim check.
public enum Verdict: String, Codable, Sendable, CaseIterable {
    /// The 95 % interval of the mean paired difference lies entirely on the claimed side.
    case held
    /// The interval lies entirely on the other side.
    case failed
    /// Neither: too few seeds, too much spread, or runs that had not converged.
    case inconclusive
    /// Nothing was compared: an empty set, or a scale the profile does not reach.
    case notChecked = "not checked"
}

/// A run behind a comparison: did it show its prior? A run converged when its metric
/// peaked before the last 10 % of its steps (DIP's peak and the overfitting after it are
/// inside the run), or when it plateaued: its best beats the best of its first 90 % of
/// steps by less than `plateauTolerance` (inpainting, whose observation has no noise to
/// overfit, rises and levels off). A run still improving at its end has not shown its
/// prior, so a comparison that includes one is inconclusive whatever its interval says.
public struct RunConvergence: Codable, Equatable, Sendable {
    public var label: String
    public var bestStep: Int
    public var steps: Int
    /// Best metric minus the best of the first 90 % of the steps (nil: not known).
    public var lateGain: Double?

    /// The largest late gain (dB) that still counts as a plateau.
    public static let plateauTolerance = 0.05

    /// A curve's late gain: its best minus the best of its first 90 % (≤ 0 when it peaked
    /// earlier; 0 for an empty curve).
    public static func lateGain(of curve: [Double]) -> Double {
        guard let best = curve.max() else { return 0 }
        return best - curve.prefix(max(1, curve.count * 9 / 10)).max()!
    }

    public init(label: String, bestStep: Int, steps: Int, lateGain: Double? = nil) {
        self.label = label
        self.bestStep = bestStep
        self.steps = steps
        self.lateGain = lateGain
    }

    /// The fraction of the run at which it peaked (0 = at the start, 1 = at its last step).
    public var peakFraction: Double { steps > 1 ? Double(bestStep) / Double(steps - 1) : 0 }
    public var peakedEarly: Bool { peakFraction < 0.9 }
    public var plateaued: Bool { (lateGain ?? .infinity) < Self.plateauTolerance }
    public var converged: Bool { peakedEarly || plateaued }

    /// "peaked at step 581 of 800", "plateaued (+0.02 dB in the last 10 %)", or why not.
    public var description: String {
        if peakedEarly { return "\(label) peaked at step \(bestStep) of \(steps)" }
        let gain = lateGain.map { String(format: "%+.2f dB in the last 10 %%", $0) } ?? "late gain unknown"
        return plateaued ? "\(label) plateaued (\(gain))" : "\(label) peaked at step \(bestStep) of \(steps), \(gain)"
    }
}

/// A paired comparison over seeds: per seed one value of A and one of B measured on the
/// same seed (same θ0, noise and input jitter where the design shares them), the mean
/// paired difference with its 95 % t-interval (and a percentile bootstrap interval from
/// 8 seeds on), a one-sided p-value for the claim being false, and the verdict.
public struct PairedComparison: Codable, Equatable, Sendable {
    public var rule: ComparisonRule
    public var seeds: [UInt64]
    public var a: [Double]
    public var b: [Double]
    public var count: Int
    public var meanDifference: Double?
    /// Sample standard deviation of the paired differences (n - 1).
    public var differenceStd: Double?
    /// 95 % t-interval of the mean paired difference (n ≥ 2).
    public var interval: ClosedRange<Double>?
    /// 95 % percentile bootstrap interval over seeds (n ≥ 8; 10,000 resamples, fixed seed).
    public var bootstrapInterval: ClosedRange<Double>?
    /// One-sided p-value of the t-test against the claim (for equivalence, the larger of
    /// the two one-sided tests); nil below two seeds. Holm's correction uses it.
    public var pValue: Double?
    public var verdict: Verdict
    /// Why the verdict is not held or failed, when it is not ("one seed", "not converged: ...").
    public var reason: String?
    public var runs: [RunConvergence]

    /// The one-sided level of each side of the 95 % interval.
    public static let alpha = 0.025

    /// Compares `a` with `b` (one value per seed, same order as `seeds`) under `rule`.
    /// `runs` are the runs behind the values: one that peaked in its last 10 % makes the
    /// comparison inconclusive.
    public init(a: [Double], b: [Double], seeds: [UInt64], rule: ComparisonRule, runs: [RunConvergence] = []) {
        precondition(a.count == b.count && a.count == seeds.count,
                     "a paired comparison needs one value of A and one of B per seed (\(a.count), \(b.count), \(seeds.count))")
        self.rule = rule
        self.seeds = seeds
        self.a = a
        self.b = b
        self.runs = runs
        count = a.count
        let differences = zip(a, b).map { $0 - $1 }
        guard !differences.isEmpty else {
            verdict = .notChecked
            reason = "nothing to compare"
            return
        }
        if differences.contains(where: { !$0.isFinite }) {
            verdict = .notChecked
            reason = "a measurement is not a finite number"
            return
        }
        let n = Double(differences.count)
        let mean = differences.reduce(0, +) / n
        meanDifference = mean
        guard differences.count >= 2 else {
            verdict = .inconclusive
            reason = "one seed: no interval"
            return
        }
        let std = (differences.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot()
        differenceStd = std
        let standardError = std / n.squareRoot()
        let t = StudentT(degreesOfFreedom: n - 1)
        let halfWidth = t.quantile(1 - Self.alpha) * standardError
        let interval = (mean - halfWidth)...(mean + halfWidth)
        self.interval = interval
        if differences.count >= 8 { bootstrapInterval = Self.bootstrap(differences) }
        /// P(a mean this far on the claimed side of `bound` | the true mean is at `bound`).
        func pAbove(_ bound: Double) -> Double {
            standardError > 0 ? 1 - t.cdf((mean - bound) / standardError) : (mean > bound ? 0 : 1)
        }
        func pBelow(_ bound: Double) -> Double {
            standardError > 0 ? t.cdf((mean - bound) / standardError) : (mean < bound ? 0 : 1)
        }
        let held: Bool, failed: Bool
        switch rule {
        case .superiority:
            held = interval.lowerBound > 0
            failed = interval.upperBound < 0
            pValue = pAbove(0)
        case .exceeds(let margin):
            held = interval.lowerBound > margin
            failed = interval.upperBound < margin
            pValue = pAbove(margin)
        case .nonInferiority(let margin):
            held = interval.lowerBound > -margin
            failed = interval.upperBound < -margin
            pValue = pAbove(-margin)
        case .equivalence(let margin):
            held = interval.lowerBound > -margin && interval.upperBound < margin
            failed = interval.lowerBound > margin || interval.upperBound < -margin
            pValue = max(pAbove(-margin), pBelow(margin))
        }
        let unconverged = runs.filter { !$0.converged }
        if !unconverged.isEmpty {
            verdict = .inconclusive
            reason = "not converged: " + unconverged.map(\.description).joined(separator: "; ")
        } else if held {
            verdict = .held
        } else if failed {
            verdict = .failed
        } else {
            verdict = .inconclusive
            reason = "the interval straddles the claim's bound"
        }
    }

    /// The claim not compared at all (an empty set; a scale the profile does not reach).
    public static func notChecked(rule: ComparisonRule, reason: String) -> PairedComparison {
        var comparison = PairedComparison(a: [], b: [], seeds: [], rule: rule)
        comparison.reason = reason
        return comparison
    }

    /// "+0.41 dB [−0.12, +0.94], n 3, sd 0.21".
    public func summary(unit: String = "") -> String {
        guard let mean = meanDifference else { return "–" }
        var text = String(format: "%+.2f%@", mean, unit)
        if let interval { text += String(format: " [%+.2f, %+.2f]", interval.lowerBound, interval.upperBound) }
        text += ", n \(count)"
        if let differenceStd { text += String(format: ", sd %.2f", differenceStd) }
        return text
    }

    /// The 2.5 % and 97.5 % percentiles of the mean of `differences` resampled with
    /// replacement (SplitMix64 with a fixed seed: the same numbers give the same interval).
    static func bootstrap(_ differences: [Double], resamples: Int = 10_000) -> ClosedRange<Double> {
        var state: UInt64 = 0x5EED_B007
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let n = differences.count
        var means = [Double](repeating: 0, count: resamples)
        for r in 0..<resamples {
            var sum = 0.0
            for _ in 0..<n { sum += differences[Int(next() % UInt64(n))] }
            means[r] = sum / Double(n)
        }
        means.sort()
        let low = means[Int((Double(resamples) * alpha).rounded(.down))]
        let high = means[min(resamples - 1, Int((Double(resamples) * (1 - alpha)).rounded(.down)))]
        return low...high
    }
}

/// Holm's step-down correction: p-values adjusted for testing them together, in the
/// input's order (nil stays nil and does not count as a test). A claim held after the
/// correction has adjusted p < `PairedComparison.alpha`.
public func holmAdjusted(_ pValues: [Double?]) -> [Double?] {
    let tested = pValues.enumerated().compactMap { index, p in p.map { (index, $0) } }.sorted { $0.1 < $1.1 }
    var adjusted = [Double?](repeating: nil, count: pValues.count)
    var running = 0.0
    for (rank, (index, p)) in tested.enumerated() {
        running = max(running, min(1, Double(tested.count - rank) * p))
        adjusted[index] = running
    }
    return adjusted
}

/// One arm's run in a paired comparison: its oracle (best-over-steps) metric, the metric
/// at a step chosen without the clean image, and where it peaked.
public protocol PairedArm {
    var best: Double { get }
    var withoutOracle: Double { get }
    func convergence(_ label: String) -> RunConvergence
}
