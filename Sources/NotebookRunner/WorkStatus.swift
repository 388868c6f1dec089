import Foundation
import Store
import NotebookRuntime

/// Which units of a plan are done, running, pending or failed: from the store, the local
/// executor's running markers (`<cache>/running/<key>`, holding the worker's pid) and,
/// after a Slurm submission, `squeue` and `sacct`.
public struct WorkStatus {
    public var plan: Plan
    public var cache: String

    public init(plan: Plan, cache: String) {
        self.plan = plan
        self.cache = cache
    }

    static func runningURL(_ key: String, cache: String) -> URL {
        URL(fileURLWithPath: cache).appendingPathComponent("running/\(key)")
    }

    static func markRunning(_ key: String, pid: Int32, cache: String) {
        let url = runningURL(key, cache: cache)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? "\(pid)\n".write(to: url, atomically: true, encoding: .utf8)
    }

    static func markStopped(_ key: String, cache: String) {
        try? FileManager.default.removeItem(at: runningURL(key, cache: cache))
    }

    /// Units a live local worker is computing.
    func runningLocally() -> Set<String> {
        let folder = URL(fileURLWithPath: cache).appendingPathComponent("running")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return Set(names.filter { name in
            guard let text = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8),
                  let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return false }
            return ChildProcesses.isAlive(pid)
        })
    }

    /// Slurm's view of the last submission: unit key → state (RUNNING, PENDING, FAILED, …).
    func slurmStates() -> [String: String] {
        guard let submission = SlurmRecord.load(cache: cache) else { return [:] }
        var states: [String: String] = [:]
        let ids = submission.arrays.map(\.jobID)
        // sacct knows finished tasks; squeue the live ones (it wins where both answer).
        for (tool, arguments) in [("sacct", ["-n", "-X", "-P", "-o", "JobID,State", "-j", ids.joined(separator: ",")]),
                                  ("squeue", ["-h", "-r", "-o", "%i|%T", "-j", ids.joined(separator: ",")])] {
            guard let output = Subprocess.output(tool, arguments) else { continue }
            for line in output.split(separator: "\n") {
                let parts = line.split(separator: "|").map(String.init)
                guard parts.count >= 2, let underscore = parts[0].firstIndex(of: "_"),
                      let array = submission.arrays.first(where: { $0.jobID == String(parts[0][..<underscore]) }),
                      let task = Int(parts[0][parts[0].index(after: underscore)...]), task >= 1, task <= array.keys.count else { continue }
                states[array.keys[task - 1]] = parts[1].split(separator: " ").first.map(String.init) ?? parts[1]
            }
        }
        return states
    }

    public func report(threads: Int) -> String {
        let local = runningLocally()
        let slurm = slurmStates()
        var counts: [String: Int] = [:]
        var remaining = 0.0
        var lines: [String] = []
        for unit in plan.units {
            let key = unit.record.key
            let state: String
            if unit.record.done {
                state = "done"
            } else if local.contains(key) {
                state = "running"
            } else if let slurmState = slurm[key] {
                switch slurmState {
                case "RUNNING", "COMPLETING": state = "running"
                case "PENDING", "REQUEUED", "CONFIGURING": state = "pending"
                case "COMPLETED": state = "done"
                default: state = "failed (\(slurmState.lowercased()))"
                }
            } else {
                state = "pending"
            }
            counts[state.hasPrefix("failed") ? "failed" : state, default: 0] += 1
            if !unit.record.done { remaining += unit.estimatedSeconds }
            if state != "done" {
                lines.append(key.padding(toLength: 29, withPad: " ", startingAt: 0) + state.padding(toLength: 18, withPad: " ", startingAt: 0)
                             + Plan.duration(unit.estimatedSeconds).padding(toLength: 10, withPad: " ", startingAt: 0) + unit.record.label)
            }
        }
        let running = max(1, counts["running"] ?? 0)
        lines.append("")
        lines.append(["done", "running", "pending", "failed"].map { "\(counts[$0] ?? 0) \($0)" }.joined(separator: ", ")
                     + " of \(plan.units.count) units")
        lines.append(String(format: "remaining: %@ of work on one process of %d threads; ETA %@ at %d at a time",
                            Plan.duration(remaining), threads, Plan.duration(remaining / Double(running)), running))
        return lines.joined(separator: "\n")
    }
}
