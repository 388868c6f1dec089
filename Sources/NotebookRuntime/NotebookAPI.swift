import Foundation
import Evidence
import Plotting
import Store

// The functions notebook code calls. They act on the running session.

private var session: NotebookSession {
    guard let current = NotebookSession.current else {
        fatalError("notebook functions need a running session (compile the notebook with `lip notebook run`)")
    }
    return current
}

/// The profile the notebook runs under ("smoke", "quick" or "paper").
public var profile: String { session.settings.profile }

/// Draws `figure` with gnuplot into the notebook's output folder and places it here.
/// Label, caption and size default to the chunk's options.
public func show(_ figure: Figure, label: String? = nil, caption: String? = nil, width: Int? = nil,
                 height: Int? = nil) throws {
    try session.show(figure, label: label, caption: caption, width: width, height: height)
}

/// Places `table` here (and writes it as Markdown and CSV beside the figures).
public func show(_ table: Table, label: String? = nil, caption: String? = nil) throws {
    try session.show(table, label: label, caption: caption)
}

/// Reuses the result of `compute` from an earlier run when nothing it depends on changed
/// (this chunk's code and the code it depends on, the parameters they mention, the input
/// files, the library sources, the toolchain); otherwise computes and
/// stores it. Output printed inside `compute` is not replayed on a hit: print outside.
///
/// - Parameters:
///   - name: unique within the chunk.
///   - compute: the work; its value must round-trip through JSON.
/// - Returns: the stored or the freshly computed value.
public func cached<T: Codable>(_ name: String, _ compute: () throws -> T) throws -> T {
    try session.cached(name, compute)
}

/// Checks a claim on paired measurements over seeds: `a[i]` and `b[i]` were measured on
/// `seeds[i]` (same θ0, noise and jitter where the design shares them). The verdict is
/// held when the 95 % interval of the mean difference A − B lies entirely on the claimed
/// side of `rule`, failed when entirely on the other, inconclusive otherwise (always with
/// one seed, or when one of `runs` peaked in its last 10 % of steps), and not checked when
/// there is nothing to compare. `source` says whose claim it is: the paper's section or
/// figure ("Fig. 2"), "DIP paper", or "ours"; `paper` the paper's own number.
/// `withoutOracle` gives the same arms measured at a step chosen without the clean image,
/// reported beside the verdict (which stays the oracle comparison the paper makes).
///
/// - Parameters:
///   - statement: the claim in words, as the page shows it.
///   - a: arm A's measurement per seed.
///   - b: arm B's measurement on the same seeds.
///   - seeds: the seeds, in the order of `a` and `b`.
///   - rule: superiority, non-inferiority with a margin, equivalence, or "exceeds by".
///   - arms: the arms' names.
///   - runs: the runs behind the numbers, for the convergence check.
/// - Returns: held, failed, inconclusive or not checked (the decision rule is
///   `PairedComparison`, in `Evidence/`).
@discardableResult
public func claim(_ statement: String, source: String, paper: String? = nil, a: [Double], b: [Double],
                  seeds: [UInt64], rule: ComparisonRule, arms: (a: String, b: String) = ("A", "B"),
                  unit: String = " dB", runs: [RunConvergence] = [],
                  withoutOracle: (a: [Double], b: [Double])? = nil) -> Verdict {
    // A planning run's numbers are placeholders: nothing to decide.
    if let current = NotebookSession.current, current.isPlanning {
        current.planningStandIns += 1
        return .notChecked
    }
    let evidence = PairedComparison(a: a, b: b, seeds: seeds, rule: rule, runs: runs)
    let unbiased = withoutOracle.map { PairedComparison(a: $0.a, b: $0.b, seeds: seeds, rule: rule) }
    var comparison = "\(arms.a) − \(arms.b): \(evidence.summary(unit: unit)); claim \(rule.statement(a: arms.a, b: arms.b))"
    if let reason = evidence.reason { comparison += " (\(reason))" }
    if let unbiased { comparison += "; without the oracle: \(unbiased.summary(unit: unit))" }
    session.record(ClaimRecord(chunk: session.chunk, statement: statement, comparison: comparison,
                               measured: evidence.meanDifference, source: source, paper: paper, evidence: evidence,
                               verdict: evidence.verdict, withoutOracle: unbiased))
    return evidence.verdict
}

/// Records a claim this run does not test, and why: an empty comparison set, or a scale
/// the profile does not reach ("not reached at this scale: the sparsest LIP is 73.8 %").
/// It is never held.
@discardableResult
public func claimNotChecked(_ statement: String, source: String, paper: String? = nil, reason: String) -> Verdict {
    session.record(ClaimRecord(chunk: session.chunk, statement: statement, comparison: reason, source: source,
                               paper: paper, evidence: nil, verdict: .notChecked))
    return .notChecked
}

/// Checks a claim on two arms evaluated on the same seeds (`a[i]` and `b[i]` on
/// `seeds[i]`). The verdict compares the best-over-steps metric (the paper's oracle
/// number); the number at the step the variance detector chose is reported beside it.
/// Every run enters the convergence check: one that peaked in its last 10 % of steps
/// makes the claim inconclusive.
@discardableResult
public func compare<Arm: PairedArm>(_ statement: String, source: String, paper: String? = nil, _ a: [Arm], _ b: [Arm],
                                    seeds: [UInt64], rule: ComparisonRule, arms: (a: String, b: String)) -> Verdict {
    let runs = zip(seeds, a).map { $1.convergence("\(arms.a), seed \($0)") }
        + zip(seeds, b).map { $1.convergence("\(arms.b), seed \($0)") }
    return claim(statement, source: source, paper: paper, a: a.map(\.best), b: b.map(\.best), seeds: seeds, rule: rule,
                 arms: arms, runs: runs, withoutOracle: (a.map(\.withoutOracle), b.map(\.withoutOracle)))
}
