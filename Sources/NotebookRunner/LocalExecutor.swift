import Foundation
import NotebookRuntime

/// Runs a plan's units as parallel worker processes on this machine (`lip work run KEY`),
/// each as soon as its dependencies are done, longest first; plans again when the pool
/// drains (units planned from placeholders may change once real values exist) and stops
/// when a plan has nothing left to run. The notebooks then render from the store.
public struct LocalExecutor {
    /// The `lip` executable the workers run.
    public var lipPath: String
    public var jobs: Int
    /// Threads of each worker (`LIP_THREADS`).
    public var threadsPerJob: Int
    public var options: RunOptions
    public var estimate: (WorkUnitRecord) -> Double
    public var log: (String) -> Void

    public init(lipPath: String, jobs: Int, threadsPerJob: Int, options: RunOptions,
                estimate: @escaping (WorkUnitRecord) -> Double, log: @escaping (String) -> Void) {
        self.lipPath = lipPath
        self.jobs = jobs
        self.threadsPerJob = threadsPerJob
        self.options = options
        self.estimate = estimate
        self.log = log
    }

    public struct Summary {
        public var computed = 0
        public var failed: [String: String] = [:]
        public var passes = 0
        public var seconds = 0.0
    }

    public func run(_ files: [String]) throws -> Summary {
        let start = Date()
        var summary = Summary()
        var options = self.options
        options.showProgress = false
        while true {
            summary.passes += 1
            let plan = try Plan.make(files, options: options, estimate: estimate)
            if options.force {
                // `--force`: every unit of the plan is computed again, once.
                for unit in plan.units { try? FileManager.default.removeItem(at: SharedStore.folderURL(unit.record.key, cacheDirectory: options.cacheRoot)) }
                options.force = false
                log("plan \(summary.passes): --force: removed the \(plan.units.count) planned units' results")
                continue
            }
            let runnable = plan.pending.filter { summary.failed[$0.record.key] == nil }
            log("plan \(summary.passes): \(plan.units.count) units, \(plan.pending.count) to run")
            if runnable.isEmpty { break }
            let computed = try runPool(plan, summary: &summary)
            if computed == 0 { break }
        }
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    /// Runs every unit of `plan` whose dependencies are done (or become done in the
    /// meantime) on `jobs` workers; returns how many finished.
    func runPool(_ plan: Plan, summary: inout Summary) throws -> Int {
        let units = plan.unitsByKey
        var done = Set(plan.units.filter(\.record.done).map(\.record.key))
        var waiting = plan.pending.filter { summary.failed[$0.record.key] == nil }
            .sorted { $0.estimatedSeconds > $1.estimatedSeconds }
        var running: [Int32: (unit: Plan.Unit, process: Process, started: Date)] = [:]
        var finished = 0
        let logs = URL(fileURLWithPath: options.cacheRoot).appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let total = waiting.count
        func ready(_ unit: Plan.Unit) -> Bool {
            unit.record.dependencies.allSatisfy { done.contains($0) || units[$0] == nil }
        }
        let exits = ExitQueue()
        while !waiting.isEmpty || !running.isEmpty {
            while running.count < jobs, let index = waiting.firstIndex(where: ready) {
                let unit = waiting.remove(at: index)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: lipPath)
                process.arguments = ["work", "run", unit.record.key, "--cache", options.cacheRoot]
                var environment = ProcessInfo.processInfo.environment
                environment["LIP_THREADS"] = String(threadsPerJob)
                environment["LIP_PARENT_PID"] = String(getpid())
                process.environment = environment
                let logURL = logs.appendingPathComponent("\(unit.record.key).log")
                _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
                let handle = try FileHandle(forWritingTo: logURL)
                process.standardOutput = handle
                process.standardError = handle
                process.terminationHandler = { exits.push($0.processIdentifier) }
                try process.run()
                try? handle.close()
                WorkStatus.markRunning(unit.record.key, pid: process.processIdentifier, cache: options.cacheRoot)
                ChildProcesses.register(process.processIdentifier, ownGroup: true)
                running[process.processIdentifier] = (unit, process, Date())
                log("  start \(unit.record.key): \(unit.record.label) (est. \(Plan.duration(unit.estimatedSeconds)))")
            }
            if running.isEmpty {
                // What is left waits on units that failed.
                for unit in waiting { summary.failed[unit.record.key] = "a dependency failed" }
                break
            }
            let pid = exits.pop()
            guard let entry = running.removeValue(forKey: pid) else { continue }
            ChildProcesses.unregister(pid)
            WorkStatus.markStopped(entry.unit.record.key, cache: options.cacheRoot)
            let seconds = Date().timeIntervalSince(entry.started)
            if entry.process.terminationReason == .exit && entry.process.terminationStatus == 0 {
                done.insert(entry.unit.record.key)
                finished += 1
                summary.computed += 1
                log(String(format: "  [%d/%d] done %@ in %@", finished, total, entry.unit.record.key, Plan.duration(seconds)))
            } else {
                let logURL = logs.appendingPathComponent("\(entry.unit.record.key).log")
                let tail = (try? String(contentsOf: logURL, encoding: .utf8))?.split(separator: "\n").suffix(3).joined(separator: "\n") ?? ""
                summary.failed[entry.unit.record.key] = tail
                log("  FAILED \(entry.unit.record.key) (status \(entry.process.terminationStatus)); log \(logURL.path):\n\(tail)")
            }
        }
        return finished
    }
}

/// Process exits reported from termination handlers, taken one at a time.
final class ExitQueue: @unchecked Sendable {
    private var pids: [Int32] = []
    private let condition = NSCondition()

    func push(_ pid: Int32) {
        condition.lock()
        pids.append(pid)
        condition.signal()
        condition.unlock()
    }

    func pop() -> Int32 {
        condition.lock()
        defer { condition.unlock() }
        while pids.isEmpty { condition.wait() }
        return pids.removeFirst()
    }
}
