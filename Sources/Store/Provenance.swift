import Foundation

/// Where a result came from: enough to rerun it and to tell two runs apart.
public struct Provenance: Codable, Equatable, Sendable {
    public var gitCommit: String
    public var gitDirty: Bool
    public var toolchain: String
    public var blasCore: String
    public var threads: Int
    public var host: String
    public var date: String

    /// Collects the facts now (runs `git` and `swiftc --version` once each).
    ///
    /// - Parameters:
    ///   - blasCore: OpenBLAS's kernel family (`Threads.blasCore` in the engine, which
    ///     supplies both engine facts through `Provenance.current(directory:)`).
    ///   - threads: the worker threads the computation uses.
    ///   - directory: the checkout whose commit is recorded.
    public static func current(blasCore: String, threads: Int,
                               directory: String = FileManager.default.currentDirectoryPath) -> Provenance {
        let commit = Subprocess.output("git", ["-C", directory, "rev-parse", "HEAD"])?.trimmed ?? "unknown"
        // Rendered outputs (figures/, paper/build/) change with every run; only changes to
        // what produced them make a tree "dirty".
        let status = Subprocess.output("git", ["-C", directory, "status", "--porcelain", "--untracked-files=no", "--",
                                               ".", ":(exclude)figures", ":(exclude)paper/build"])?.trimmed
        let toolchain = Subprocess.output("swiftc", ["--version"])?.trimmed
            .split(separator: "\n").first.map(String.init) ?? "unknown"
        let formatter = ISO8601DateFormatter()
        return Provenance(gitCommit: commit, gitDirty: !(status ?? "").isEmpty, toolchain: toolchain,
                          blasCore: blasCore, threads: threads,
                          host: ProcessInfo.processInfo.hostName, date: formatter.string(from: Date()))
    }
}

/// The worker threads a computation asks for: `LIP_THREADS`, or every core. The engine
/// configures itself from it; the notebook runner records it for the child it starts.
public enum ThreadSetting {
    public static var requested: Int {
        max(1, ProcessInfo.processInfo.environment["LIP_THREADS"].flatMap(Int.init) ?? ProcessInfo.processInfo.activeProcessorCount)
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
