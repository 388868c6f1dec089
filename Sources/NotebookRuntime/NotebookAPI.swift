import Foundation
import Plotting

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
/// files, the library sources, the toolchain, the thread count); otherwise computes and
/// stores it. Output printed inside `compute` is not replayed on a hit: print outside.
public func cached<T: Codable>(_ name: String, _ compute: () throws -> T) throws -> T {
    try session.cached(name, compute)
}

/// Checks a statement of the paper against a measurement: held when
/// |measured - expected| <= tolerance.
@discardableResult
public func claim(_ statement: String, measured: Double, expected: Double, tolerance: Double,
                  unit: String = "") -> Bool {
    let held = abs(measured - expected) <= tolerance
    let comparison = String(format: "%.3g%@ vs %.3g%@ (± %.3g)", measured, unit, expected, unit, tolerance)
    session.record(ClaimRecord(chunk: session.chunk, statement: statement, comparison: comparison,
                               measured: measured, expected: expected, held: held))
    return held
}

/// Checks that `measured` is at least `threshold`.
@discardableResult
public func claim(_ statement: String, measured: Double, atLeast threshold: Double, unit: String = "") -> Bool {
    let held = measured >= threshold
    let comparison = String(format: "%.4g%@ %@ %.4g%@", measured, unit, held ? "≥" : "<", threshold, unit)
    session.record(ClaimRecord(chunk: session.chunk, statement: statement, comparison: comparison,
                               measured: measured, expected: threshold, held: held))
    return held
}

/// Checks that `measured` is at most `threshold`.
@discardableResult
public func claim(_ statement: String, measured: Double, atMost threshold: Double, unit: String = "") -> Bool {
    let held = measured <= threshold
    let comparison = String(format: "%.4g%@ %@ %.4g%@", measured, unit, held ? "≤" : ">", threshold, unit)
    session.record(ClaimRecord(chunk: session.chunk, statement: statement, comparison: comparison,
                               measured: measured, expected: threshold, held: held))
    return held
}

/// A statement checked by arbitrary code, with the evidence in words.
@discardableResult
public func claim(_ statement: String, holds: Bool, evidence: String) -> Bool {
    session.record(ClaimRecord(chunk: session.chunk, statement: statement, comparison: evidence,
                               measured: nil, expected: nil, held: holds))
    return holds
}
