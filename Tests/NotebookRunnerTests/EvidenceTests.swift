import Evidence
import Foundation
import NotebookRunner
import NotebookRuntime
import Testing

/// The statistics behind claim verdicts, on synthetic numbers with known answers.
struct EvidenceTests {
    @Test(arguments: [
        // (degrees of freedom, p, t): tables of Student's t (R's qt()).
        (1.0, 0.975, 12.706204736174698), (2.0, 0.975, 4.302652729749464), (4.0, 0.975, 2.7764451051977934),
        (9.0, 0.975, 2.2621571628540993), (30.0, 0.975, 2.0422724563012373), (2.0, 0.95, 2.919985580355516),
        (7.0, 0.999, 4.78528963),
    ])
    func studentQuantilesMatchTables(_ case: (Double, Double, Double)) {
        let (df, p, expected) = `case`
        let t = StudentT(degreesOfFreedom: df)
        #expect(abs(t.quantile(p) - expected) < 1e-7 * expected)
        #expect(abs(t.quantile(1 - p) + expected) < 1e-7 * expected)
        #expect(abs(t.cdf(expected) - p) < 1e-10)
    }

    @Test func studentCDFIsSymmetricAndMonotone() {
        let t = StudentT(degreesOfFreedom: 3)
        #expect(t.cdf(0) == 0.5)
        var last = 0.0
        for x in stride(from: -20.0, through: 20, by: 0.25) {
            let p = t.cdf(x)
            #expect(p >= last)
            #expect(abs(p + t.cdf(-x) - 1) < 1e-12)
            last = p
        }
    }

    /// Differences 1, 2, 3: mean 2, sd 1, half-width t(0.975, 2) / √3 = 2.4841.
    @Test func intervalOfThreeSeeds() throws {
        let c = PairedComparison(a: [11, 12, 13], b: [10, 10, 10], seeds: [1, 2, 3], rule: .superiority)
        #expect(c.meanDifference == 2)
        #expect(abs((c.differenceStd ?? 0) - 1) < 1e-12)
        let interval = try #require(c.interval)
        #expect(abs(interval.lowerBound - (2 - 2.4841377)) < 1e-6)
        #expect(abs(interval.upperBound - (2 + 2.4841377)) < 1e-6)
        #expect(c.verdict == .inconclusive)
        #expect(c.bootstrapInterval == nil)
    }

    /// Mean 2, s = √(2/3), n = 4: the 95 % half-width is t_3(0.975) x s / 2, t_3(0.975) = 3.182446.
    @Test func meanIntervalOfFourValues() {
        let interval = MeanInterval([1, 2, 2, 3], level: 0.95)
        #expect(interval.mean == 2 && interval.count == 4)
        let s = (2.0 / 3).squareRoot()
        #expect(abs(interval.halfWidth - 3.182446 * s / 2) < 1e-5)
        #expect(MeanInterval([5]).halfWidth == 0 && MeanInterval([5]).mean == 5)
        #expect(MeanInterval([1, 2, 2, 3], level: 0.99).halfWidth > interval.halfWidth)
    }

    @Test func everyVerdictIsReachable() {
        let seeds: [UInt64] = [1, 2, 3, 4]
        let held = PairedComparison(a: [1.0, 1.1, 0.9, 1.05], b: [0, 0, 0, 0], seeds: seeds, rule: .superiority)
        #expect(held.verdict == .held && held.reason == nil)
        let failed = PairedComparison(a: [0, 0, 0, 0], b: [1.0, 1.1, 0.9, 1.05], seeds: seeds, rule: .superiority)
        #expect(failed.verdict == .failed)
        let inconclusive = PairedComparison(a: [1, -1, 0.5, -0.4], b: [0, 0, 0, 0], seeds: seeds, rule: .superiority)
        #expect(inconclusive.verdict == .inconclusive)
        let empty = PairedComparison(a: [], b: [], seeds: [], rule: .superiority)
        #expect(empty.verdict == .notChecked)
        let notReached = PairedComparison.notChecked(rule: .superiority, reason: "not reached at this scale")
        #expect(notReached.verdict == .notChecked && notReached.reason == "not reached at this scale")
    }

    @Test func oneSeedIsNeverHeld() {
        let c = PairedComparison(a: [40], b: [0], seeds: [7], rule: .superiority)
        #expect(c.verdict == .inconclusive)
        #expect(c.interval == nil && c.pValue == nil)
        #expect(c.meanDifference == 40)
    }

    @Test func marginsMoveTheBound() {
        let seeds: [UInt64] = [1, 2, 3, 4, 5]
        let a = [-0.10, -0.05, -0.12, -0.08, -0.06], b = [0.0, 0, 0, 0, 0]
        // Clearly a little worse: fails superiority, holds non-inferiority within 0.2 and
        // equivalence within 0.2, fails equivalence within 0.01.
        #expect(PairedComparison(a: a, b: b, seeds: seeds, rule: .superiority).verdict == .failed)
        #expect(PairedComparison(a: a, b: b, seeds: seeds, rule: .nonInferiority(margin: 0.2)).verdict == .held)
        #expect(PairedComparison(a: a, b: b, seeds: seeds, rule: .equivalence(margin: 0.2)).verdict == .held)
        #expect(PairedComparison(a: a, b: b, seeds: seeds, rule: .equivalence(margin: 0.01)).verdict == .failed)
        #expect(PairedComparison(a: a, b: b, seeds: seeds, rule: .nonInferiority(margin: 0.01)).verdict == .failed)
        // Beating by a margin: −0.082 clears −0.3 but not −0.05.
        #expect(PairedComparison(a: a, b: b, seeds: seeds, rule: .exceeds(by: -0.3)).verdict == .held)
        #expect(PairedComparison(a: a, b: b, seeds: seeds, rule: .exceeds(by: 0)).verdict == .failed)
    }

    @Test func unconvergedRunsMakeItInconclusive() {
        let runs = [RunConvergence(label: "dense seed 1", bestStep: 999, steps: 1000),
                    RunConvergence(label: "LIP seed 1", bestStep: 400, steps: 1000)]
        let c = PairedComparison(a: [1.0, 1.1, 0.9], b: [0, 0, 0], seeds: [1, 2, 3], rule: .superiority, runs: runs)
        #expect(c.verdict == .inconclusive)
        #expect(c.reason?.contains("dense seed 1 peaked at step 999 of 1000, late gain unknown") == true)
        #expect(!runs[0].converged && runs[1].converged)
        #expect(RunConvergence(label: "", bestStep: 898, steps: 1000).converged)
        #expect(!RunConvergence(label: "", bestStep: 900, steps: 1000).converged)
        // A plateau counts; a late climb does not.
        #expect(RunConvergence(label: "", bestStep: 999, steps: 1000, lateGain: 0.02).converged)
        #expect(!RunConvergence(label: "", bestStep: 999, steps: 1000, lateGain: 0.3).converged)
    }

    @Test func pValuesAgreeWithTheInterval() throws {
        // One-sided p < 0.025 exactly when the 95 % interval excludes the bound.
        for shift in stride(from: -1.0, through: 1.0, by: 0.05) {
            let a = [0.3, -0.2, 0.5, 0.1, 0.0].map { $0 + shift }
            let c = PairedComparison(a: a, b: [0, 0, 0, 0, 0], seeds: [1, 2, 3, 4, 5], rule: .superiority)
            let p = try #require(c.pValue)
            #expect((p < PairedComparison.alpha) == (c.verdict == .held))
        }
    }

    @Test func bootstrapFromEightSeedsIsDeterministic() throws {
        let a = [0.5, 0.7, 0.2, 0.9, 0.4, 0.6, 0.3, 0.8]
        let c1 = PairedComparison(a: a, b: Array(repeating: 0, count: 8), seeds: Array(1...8), rule: .superiority)
        let c2 = PairedComparison(a: a, b: Array(repeating: 0, count: 8), seeds: Array(1...8), rule: .superiority)
        let boot = try #require(c1.bootstrapInterval)
        #expect(boot == c2.bootstrapInterval)
        #expect(boot.lowerBound > 0.2 && boot.upperBound < 0.9 && boot.contains(0.55))
    }

    @Test func holmStepsDown() {
        let adjusted = holmAdjusted([0.01, nil, 0.04, 0.03, 0.005])
        // Sorted 0.005, 0.01, 0.03, 0.04 over 4 tests: 0.02, 0.03, 0.06, max(0.06, 0.04) = 0.06.
        let expected: [Double?] = [0.03, nil, 0.06, 0.06, 0.02]
        for (x, y) in zip(adjusted, expected) {
            if let y { #expect(abs((x ?? -1) - y) < 1e-12) } else { #expect(x == nil) }
        }
        #expect(holmAdjusted([0.9, 0.8]).allSatisfy { ($0 ?? 0) <= 1 })
    }

    @Test func countsKeepTheFourVerdictsApart() {
        func record(_ verdict: Verdict) -> ClaimRecord {
            ClaimRecord(chunk: 0, statement: "s", comparison: "c", verdict: verdict)
        }
        let counts = ClaimCounts([record(.held), record(.failed), record(.inconclusive), record(.inconclusive), record(.notChecked)])
        #expect(counts == { var c = ClaimCounts([]); c.held = 1; c.failed = 1; c.inconclusive = 2; c.notChecked = 1; return c }())
        #expect(counts.summary == "1 held, 1 failed, 2 inconclusive, 1 not checked")
        // A record from before the four verdicts still reads as held or failed.
        let old = try! JSONDecoder().decode(ClaimRecord.self, from: Data(#"{"chunk":1,"statement":"s","comparison":"c","held":false}"#.utf8))
        #expect(old.outcome == .failed)
    }
}

/// The claims table of the paper: the paper's claims first, p-values before and after
/// Holm's correction, convergence.
struct ClaimsTableTests {
    @Test func sortsBySourceAndCorrectsForMultipleClaims() {
        func record(_ statement: String, source: String?, a: [Double], runs: [RunConvergence] = []) -> ClaimRecord {
            let evidence = PairedComparison(a: a, b: Array(repeating: 0, count: a.count), seeds: Array(1...UInt64(a.count)),
                                            rule: .superiority, runs: runs)
            return ClaimRecord(chunk: 0, statement: statement, comparison: evidence.summary(unit: " dB"), source: source,
                               paper: source == "ours" ? nil : "+1.2 dB", evidence: evidence, verdict: evidence.verdict)
        }
        let late = [RunConvergence(label: "dense", bestStep: 99, steps: 100)]
        let claims: [(notebook: String, record: ClaimRecord)] = [
            ("audit", record("ours: strong", source: "ours", a: [1, 1.1, 0.9, 1.05])),
            ("old", ClaimRecord(chunk: 0, statement: "old style", comparison: "0.5 ≥ 0", verdict: .held)),
            ("fig2", record("paper: unconverged", source: "Fig. 2", a: [1, 1.1, 0.9], runs: late)),
            ("fig1", record("paper: one seed", source: "abstract (claim 2)", a: [3])),
        ]
        let table = ClaimsTable(claims: claims)
        #expect(table.rows.map(\.record.statement) == ["paper: one seed", "paper: unconverged", "ours: strong", "old style"])
        let markdown = table.table().markdown()
        #expect(markdown.contains("| p (Holm) |") && markdown.contains("converged?"))
        #expect(markdown.contains("no (1 of 1 peaked last)"))
        #expect(table.counts == { var c = ClaimCounts([]); c.held = 2; c.inconclusive = 2; return c }())
        // Two tested claims (two or more seeds); the strong one survives the correction.
        #expect(table.summary.contains("1 held after Holm's correction over the 2 tested"))
    }
}

struct ComparisonRuleTests {
    @Test func statementsNameTheArms() {
        // Arm names may contain the letters the generic form uses.
        #expect(ComparisonRule.nonInferiority(margin: 0.2).statement(a: "Bach", b: "Abel") == "Bach > Abel − 0.2")
        #expect(ComparisonRule.equivalence(margin: 0.2).statement(a: "A1", b: "B1") == "|A1 − B1| < 0.2")
        #expect(ComparisonRule.exceeds(by: 3).description == "A > B + 3")
        #expect(ComparisonRule.superiority.description == "A > B")
    }
}

struct SeedStatisticsTests {
    @Test func meanAndSampleStandardDeviation() {
        let s = SeedStatistics([31, 32, 33])
        #expect(s.mean == 32)
        #expect(s.std == 1)
        #expect(s.formatted() == "32.00 ± 1.00")
        #expect(SeedStatistics([5]).formatted() == "5.00")
    }
}
