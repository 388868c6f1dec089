import Foundation
import NotebookRuntime

extension Evaluation {
    /// The metric at the step the windowed-variance detector chose, or at the last step
    /// when the run was too short for its window: a number chosen without the clean image.
    public var withoutOracle: Double { detected ?? final }
}

/// Checks a claim on two arms evaluated on the same seeds (`a[i]` and `b[i]` on
/// `seeds[i]`). The verdict compares the best-over-steps metric (the paper's oracle
/// number); the number at the step the variance detector chose is reported beside it.
/// Every run enters the convergence check: one that peaked in its last 10 % of steps
/// makes the claim inconclusive.
@discardableResult
public func compare(_ statement: String, source: String, paper: String? = nil, _ a: [Evaluation], _ b: [Evaluation],
                    seeds: [UInt64], rule: ComparisonRule, arms: (a: String, b: String)) -> Verdict {
    let runs = zip(seeds, a).map { $1.convergence("\(arms.a), seed \($0)") }
        + zip(seeds, b).map { $1.convergence("\(arms.b), seed \($0)") }
    return claim(statement, source: source, paper: paper, a: a.map(\.best), b: b.map(\.best), seeds: seeds, rule: rule,
                 arms: arms, runs: runs, withoutOracle: (a.map(\.withoutOracle), b.map(\.withoutOracle)))
}
