import Evidence
import Foundation
import NotebookRuntime
import Plotting

/// The table of claims an auditor reads first: every claim of every notebook with its
/// source, the paper's number, ours (mean paired difference and 95 % interval), the seeds,
/// the verdict, the p-value before and after Holm's correction over all the claims of the
/// page, and whether every run behind it converged. The paper's claims come first (by
/// source), then the audit's own ("ours").
public struct ClaimsTable {
    public var claims: [(notebook: String, record: ClaimRecord)]

    public init(claims: [(notebook: String, record: ClaimRecord)]) {
        self.claims = claims
    }

    /// Sorted as the page shows them.
    public var rows: [(notebook: String, record: ClaimRecord)] {
        func rank(_ record: ClaimRecord) -> Int {
            switch record.source {
            case nil: 2
            case "ours": 1
            default: 0
            }
        }
        return claims.enumerated().sorted {
            let (a, b) = ($0.element.record, $1.element.record)
            if rank(a) != rank(b) { return rank(a) < rank(b) }
            if (a.source ?? "") != (b.source ?? "") {
                return (a.source ?? "").localizedStandardCompare(b.source ?? "") == .orderedAscending
            }
            return $0.offset < $1.offset
        }.map(\.element)
    }

    public var counts: ClaimCounts { ClaimCounts(claims.map(\.record)) }

    public func table(failures: [String: String] = [:]) -> Table {
        var table = Table(columns: [.init("claim", alignRight: false), .init("source", alignRight: false),
                                    .init("paper", alignRight: false), .init("ours", alignRight: false),
                                    .init("seeds", format: "%.0f"), .init("verdict", alignRight: false),
                                    .init("p (Holm)", alignRight: false), .init("converged?", alignRight: false),
                                    .init("notebook", alignRight: false)])
        let rows = self.rows
        let adjusted = holmAdjusted(rows.map { $0.record.evidence?.pValue })
        for ((notebook, claim), holm) in zip(rows, adjusted) {
            let evidence = claim.evidence
            var verdict = claim.outcome.word
            if let holm, claim.outcome == .held, holm >= PairedComparison.alpha { verdict += " (not after Holm)" }
            let p = evidence?.pValue.map { raw in
                String(format: "%.3g (%.3g)", raw, holm ?? raw)
            } ?? "–"
            let converged: String
            if let runs = evidence?.runs, !runs.isEmpty {
                let late = runs.filter { !$0.converged }.count
                converged = late == 0 ? "yes (\(runs.count) runs)" : "no (\(late) of \(runs.count) peaked last)"
            } else {
                converged = "–"
            }
            table.append([.text(claim.statement), .text(claim.source ?? "–"), .text(claim.paper ?? "–"),
                          .text(claim.comparison), evidence.map { .number(Double($0.count)) } ?? .text("–"),
                          .text(verdict), .text(p), .text(converged), .text(notebook)])
        }
        for (notebook, reason) in failures.sorted(by: { $0.key < $1.key }) {
            table.append([.text("(the claims after the failure)"), .text("–"), .text("–"), .text("notebook failed: \(reason)"),
                          .text("–"), .text(Verdict.notChecked.word), .text("–"), .text("–"), .text(notebook)])
        }
        return table
    }

    /// "Claims: 2 held (1 after Holm's correction over 9 tested), 1 failed, ...".
    public var summary: String {
        let adjusted = holmAdjusted(claims.map { $0.record.evidence?.pValue })
        let tested = adjusted.compactMap { $0 }.count
        let heldAfterHolm = zip(claims, adjusted).filter { $0.0.record.outcome == .held && ($0.1 ?? 1) < PairedComparison.alpha }.count
        return "Claims: \(counts.summary); \(heldAfterHolm) held after Holm's correction over the \(tested) tested with two or more seeds."
    }
}
