@testable import NotebookRunner
import Store
import Testing

/// The plan's longest chain of dependent units: the least wall time of any schedule.
struct PlanTests {
    func unit(_ key: String, after dependencies: [String] = [], seconds: Double, done: Bool = false) -> Plan.Unit {
        Plan.Unit(record: WorkUnitRecord(kind: key.hasPrefix("ticket") ? "ticket" : "evaluation", key: key, label: key,
                                         dependencies: dependencies, done: done, steps: 1, pixels: 1, network: "dip"),
                  notebooks: ["n"], level: dependencies.isEmpty ? 0 : 1, estimatedSeconds: done ? 0 : seconds)
    }

    @Test func theLongestChainFollowsDependenciesAndSkipsDoneUnits() {
        // Two searches with their evaluations: the slower search's slowest evaluation is the
        // chain (3600 + 300), not the sum of all (10,000) nor the longest single unit alone.
        let units = [
            unit("ticket-a", seconds: 3600), unit("ticket-b", seconds: 3000),
            unit("evaluation-a1", after: ["ticket-a"], seconds: 200), unit("evaluation-a2", after: ["ticket-a"], seconds: 300),
            unit("evaluation-b1", after: ["ticket-b"], seconds: 2900),
        ]
        let plan = Plan(profile: "quick", notebooks: [], units: units)
        #expect(plan.longestChain == ["ticket-b", "evaluation-b1"])
        #expect(plan.longestChainSeconds == 5900)
        #expect(plan.estimatedSeconds == 10_000)
        #expect(plan.table(threads: 2).contains("longest chain of dependent units: 1.6 h (2 unit(s), ticket-b first)"))

        // A finished search leaves its evaluations, and a dependency outside the plan counts 0.
        let resumed = Plan(profile: "quick", notebooks: [], units: [
            unit("ticket-b", seconds: 3000, done: true), unit("evaluation-b1", after: ["ticket-b"], seconds: 2900),
            unit("evaluation-c", after: ["ticket-elsewhere"], seconds: 100),
        ])
        #expect(resumed.longestChain == ["evaluation-b1"])
        #expect(resumed.longestChainSeconds == 2900)

        let finished = Plan(profile: "quick", notebooks: [], units: [unit("ticket-b", seconds: 0, done: true)])
        #expect(finished.longestChain.isEmpty)
        #expect(!finished.table(threads: 2).contains("longest chain"))
    }
}
