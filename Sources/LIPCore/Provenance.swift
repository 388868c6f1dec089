import Foundation
import TensorKit

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
    public static func current(directory: String = FileManager.default.currentDirectoryPath) -> Provenance {
        let commit = run("/usr/bin/env", ["git", "-C", directory, "rev-parse", "HEAD"]) ?? "unknown"
        // Rendered outputs (figures/, paper/build/) change with every run; only changes to
        // what produced them make a tree "dirty".
        let status = run("/usr/bin/env", ["git", "-C", directory, "status", "--porcelain", "--untracked-files=no", "--",
                                          ".", ":(exclude)figures", ":(exclude)paper/build"])
        let toolchain = run("/usr/bin/env", ["swiftc", "--version"])?
            .split(separator: "\n").first.map(String.init) ?? "unknown"
        let formatter = ISO8601DateFormatter()
        return Provenance(gitCommit: commit, gitDirty: !(status ?? "").isEmpty, toolchain: toolchain,
                          blasCore: Threads.blasCore, threads: Threads.count,
                          host: ProcessInfo.processInfo.hostName, date: formatter.string(from: Date()))
    }

    /// Output of a command, trimmed, or nil when it fails.
    static func run(_ executable: String, _ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
