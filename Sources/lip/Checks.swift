import ArgumentParser
import Foundation
import LIPCore

/// Argument checks shared by the commands: each names the flag, the value and what is
/// allowed, and runs before any work starts.
enum Check {
    static func positive<T: BinaryFloatingPoint>(_ value: T, _ flag: String, atMost limit: T? = nil) throws {
        guard value.isFinite, value > 0 else {
            throw ValidationError("\(flag) must be a positive finite number, got \(value)")
        }
        if let limit, value > limit { throw ValidationError("\(flag) must be at most \(limit), got \(value)") }
    }

    static func nonNegative<T: BinaryFloatingPoint>(_ value: T, _ flag: String) throws {
        guard value.isFinite, value >= 0 else {
            throw ValidationError("\(flag) must be a finite number of at least 0, got \(value)")
        }
    }

    static func atLeast(_ value: Int, _ minimum: Int, _ flag: String) throws {
        guard value >= minimum else { throw ValidationError("\(flag) must be at least \(minimum), got \(value)") }
    }

    /// A ticket round: 0 (the dense network) to 60, the most `lip ticket find --rounds` makes.
    static func round(_ round: Int, _ flag: String = "--round") throws {
        guard (0...60).contains(round) else { throw ValidationError("\(flag) must be from 0 to 60, got \(round)") }
    }

    /// `--snapshots`: comma-separated steps from 1 to `iterations`, as a set.
    static func snapshotSteps(_ text: String?, iterations: Int, flag: String = "--snapshots") throws -> Set<Int> {
        guard let text else { return [] }
        var steps: Set<Int> = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            guard let step = Int(trimmed), (1...iterations).contains(step) else {
                throw InputProblem("\(flag) takes steps from 1 to \(iterations) (the run's --iterations), separated by commas; got '\(trimmed)' in '\(text)'")
            }
            steps.insert(step)
        }
        return steps
    }

    /// Refuses a run whose estimated memory exceeds the machine's.
    static func fitsInMemory(_ estimate: MemoryEstimate, what: String,
                             hint: String = "lower --iterations, --crop or --k") throws {
        if let problem = estimate.problem() {
            throw InputProblem("\(what) \(problem); \(hint)")
        }
    }

    /// The environment variables `lip` and its notebooks read.
    static func environment(_ variables: [String: String] = ProcessInfo.processInfo.environment) throws {
        if let text = variables["LIP_THREADS"] {
            guard let count = Int(text), (1...4096).contains(count) else {
                throw InputProblem("LIP_THREADS must be a whole number from 1 to 4096, got '\(text)'; unset it to use every core")
            }
        }
        if let text = variables["LIP_SPARSE_DENSITY"] {
            guard let density = Double(text), density.isFinite, (0...1).contains(density) else {
                throw InputProblem("LIP_SPARSE_DENSITY must be a kept fraction from 0 to 1 (0 keeps the dense path), got '\(text)'")
            }
        }
        for name in ["LIP_WINOGRAD", "LIP_CHECK_FINITE", "LIP_PORTABLE"] {
            if let text = variables[name], !["0", "1"].contains(text) {
                throw InputProblem("\(name) must be 0 or 1, got '\(text)'")
            }
        }
    }
}

/// Bad input found once the command runs (an image too small, an output folder that is
/// a file): printed as `Error: <message>` without the usage text, exit status 1.
struct InputProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
