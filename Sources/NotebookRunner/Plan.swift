import Foundation
import NotebookRuntime

/// Every expensive unit a set of notebooks needs at a profile: found by running each
/// notebook in planning mode (`RunOptions.planning`), where shared searches, evaluations
/// and fits are recorded (with their keys, dependencies and whether the store holds them)
/// and stand in with placeholders instead of being computed.
///
/// Units that depend on the *values* of others (a deep decoder sized to match a LIP's
/// parameter count) are planned from nominal placeholders; an executor plans again after
/// each batch, and the notebooks compute anything still missing when they render.
public struct Plan: Codable, Sendable {
    public struct Unit: Codable, Sendable {
        public var record: WorkUnitRecord
        /// Notebooks that ask for it.
        public var notebooks: [String]
        /// 0 for units without dependencies, else one more than the deepest dependency.
        public var level: Int
        /// Seconds on this machine's model (`StepTime`), 0 when done.
        public var estimatedSeconds: Double
    }

    public struct PlannedNotebook: Codable, Sendable {
        public var name: String
        public var units: Int
        /// Where planning stopped early and why (a notebook that trains a network itself
        /// stops at that chunk; its later units appear when the work before is done).
        public var stopped: String?
    }

    public var profile: String
    public var notebooks: [PlannedNotebook]
    public var units: [Unit]
    /// The pending units of the longest chain by estimated time, each after one it depends
    /// on (`longestChain(of:)`), and that chain's seconds: the least wall time the plan
    /// needs however many workers run at once.
    public var longestChain: [String]
    public var longestChainSeconds: Double

    public init(profile: String, notebooks: [PlannedNotebook], units: [Unit]) {
        self.profile = profile
        self.notebooks = notebooks
        self.units = units
        (longestChain, longestChainSeconds) = Self.longestChain(of: units)
    }

    /// The chain of units, each depending on the one before, whose estimated seconds sum
    /// highest (done units count 0 and are left out of the keys). No schedule finishes a
    /// plan sooner than this chain, whatever the number of workers (of the threads the
    /// estimates assume); with W workers none finishes sooner than the total over W either.
    public static func longestChain(of units: [Unit]) -> (keys: [String], seconds: Double) {
        let byKey = Dictionary(units.map { ($0.record.key, $0) }, uniquingKeysWith: { a, _ in a })
        var memo: [String: (keys: [String], seconds: Double)] = [:]
        func chain(ending key: String, _ seen: Set<String>) -> (keys: [String], seconds: Double) {
            if let known = memo[key] { return known }
            // A key outside the plan, or a cycle (which a plan should not hold), ends the chain.
            guard let unit = byKey[key], !seen.contains(key) else { return ([], 0) }
            let before = unit.record.dependencies.map { chain(ending: $0, seen.union([key])) }
                .max { $0.seconds < $1.seconds } ?? ([], 0)
            let result = unit.estimatedSeconds > 0
                ? (before.keys + [key], before.seconds + unit.estimatedSeconds) : before
            memo[key] = result
            return result
        }
        return units.map { chain(ending: $0.record.key, []) }.max { $0.seconds < $1.seconds } ?? ([], 0)
    }

    public var pending: [Unit] { units.filter { !$0.record.done } }
    public var estimatedSeconds: Double { units.reduce(0) { $0 + $1.estimatedSeconds } }
    public var unitsByKey: [String: Unit] { Dictionary(units.map { ($0.record.key, $0) }, uniquingKeysWith: { a, _ in a }) }

    /// Plans `files` (each compiled and run in planning mode).
    public static func make(_ files: [String], options: RunOptions,
                            estimate: (WorkUnitRecord) -> Double) throws -> Plan {
        var options = options
        options.planning = true
        var notebooks: [PlannedNotebook] = []
        var merged: [String: Unit] = [:]
        var order: [String] = []
        for file in files {
            let run = try NotebookRunner.run(file, options: options)
            try? FileManager.default.removeItem(at: run.stagingDirectory)
            var stopped: String? = nil
            if let failure = run.failure {
                let local = failure.message.contains("planning run: no training")
                stopped = "\(failure.chunkLabel.map { "chunk '\($0)'" } ?? "start"): "
                    + (local ? "trains a network itself (runs when the notebook renders)"
                             : (failure.message.split(separator: "\n").last.map(String.init) ?? failure.status))
            }
            notebooks.append(PlannedNotebook(name: run.notebook.name, units: Set(run.units.map(\.key)).count, stopped: stopped))
            for record in run.units {
                if var existing = merged[record.key] {
                    if !existing.notebooks.contains(run.notebook.name) { existing.notebooks.append(run.notebook.name) }
                    if record.steps > existing.record.steps { existing.record.steps = record.steps; existing.record.label = record.label }
                    existing.record.done = existing.record.done && record.done
                    merged[record.key] = existing
                } else {
                    merged[record.key] = Unit(record: record, notebooks: [run.notebook.name], level: 0, estimatedSeconds: 0)
                    order.append(record.key)
                }
            }
        }
        // Dependency levels, and the estimates of what is not done.
        func level(_ key: String, _ seen: Set<String>) -> Int {
            guard let unit = merged[key], !seen.contains(key) else { return -1 }
            return 1 + (unit.record.dependencies.map { level($0, seen.union([key])) }.max() ?? -1)
        }
        for key in order {
            merged[key]!.level = max(0, level(key, []))
            merged[key]!.estimatedSeconds = merged[key]!.record.done ? 0 : estimate(merged[key]!.record)
        }
        let units = order.map { merged[$0]! }.sorted { ($0.level, $0.record.kind) < ($1.level, $1.record.kind) }
        return Plan(profile: options.profile.rawValue, notebooks: notebooks, units: units)
    }

    /// The plan as a table: one line per unit, then the totals.
    public func table(threads: Int) -> String {
        var lines = ["key                          level  status   est.      label (notebooks)"]
        for unit in units {
            let status = unit.record.done ? "done" : "pending"
            lines.append(unit.record.key.padding(toLength: 29, withPad: " ", startingAt: 0)
                         + String(format: "%5d  ", unit.level) + status.padding(toLength: 9, withPad: " ", startingAt: 0)
                         + Self.duration(unit.estimatedSeconds).padding(toLength: 10, withPad: " ", startingAt: 0)
                         + unit.record.label + " (" + unit.notebooks.joined(separator: ", ") + ")"
                         + (unit.record.dependencies.isEmpty ? "" : " after " + unit.record.dependencies.joined(separator: ", ")))
        }
        lines.append("")
        for notebook in notebooks {
            lines.append("\(notebook.name): \(notebook.units) unit(s)" + (notebook.stopped.map { "; planning stopped at \($0)" } ?? ""))
        }
        let byKind = Dictionary(grouping: units, by: \.record.kind).sorted { $0.key < $1.key }
            .map { "\($0.value.count) \($0.key)" }.joined(separator: ", ")
        let seconds = estimatedSeconds
        lines.append("")
        lines.append("\(units.count) units (\(byKind)); \(units.count - pending.count) done, \(pending.count) to run")
        lines.append(String(format: "estimated: %@ on one process of %d threads here, %.1f CPU-hours (dense step times, an upper bound for sparse rounds)",
                            Self.duration(seconds), threads, seconds * Double(threads) / 3600))
        if longestChain.count > 0 {
            lines.append(String(format: "longest chain of dependent units: %@ (%d unit(s), %@ first): the least wall time with any number of such processes",
                                Self.duration(longestChainSeconds), longestChain.count, longestChain[0]))
        }
        return lines.joined(separator: "\n")
    }

    /// Seconds in the unit that reads best: "—" for none, then s, min, h, d.
    public static func duration(_ seconds: Double) -> String {
        if seconds <= 0 { return "—" }
        if seconds < 90 { return String(format: "%.0f s", seconds) }
        if seconds < 5400 { return String(format: "%.0f min", seconds / 60) }
        if seconds < 172_800 { return String(format: "%.1f h", seconds / 3600) }
        return String(format: "%.1f d", seconds / 86400)
    }
}
