import Foundation

/// A one-line live progress display for terminals; silent when standard error is not a
/// terminal (CI, pipes) or `CI` is set.
public final class ProgressLine {
    public let total: Int
    public let label: String
    private let start = Date()
    private let enabled: Bool
    private var lastDraw = Date.distantPast

    public init(total: Int, label: String, enabled: Bool? = nil) {
        self.total = total
        self.label = label
        self.enabled = enabled ?? (isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["CI"] == nil)
    }

    /// Redraws at most 10 times a second; `fields` are already formatted ("loss 0.0123").
    public func update(_ done: Int, _ fields: [String]) {
        guard enabled else { return }
        let now = Date()
        guard done == total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let line = "\(label) \(done)/\(total)  " + fields.joined(separator: "  ")
            + "  \(formatDuration(elapsed)) elapsed, ETA \(formatDuration(eta))"
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    public func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}

public func formatDuration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
    if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return String(format: "%.1fs", seconds)
}
