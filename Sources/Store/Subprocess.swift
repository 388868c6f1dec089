import Foundation

/// Runs a short tool found on PATH (`git`, `pkg-config`, `sbatch`, a browser) to completion
/// and captures what it printed. Both pipes are drained at once, so a tool that writes
/// much to one of them while the other is read never blocks. Children that run long and
/// must be stopped with `lip` (notebooks, the compiler, workers) go through
/// `ChildProcesses` instead.
public enum Subprocess {
    public struct Result {
        public var status: Int32
        public var output: String
        public var errors: String
        public var succeeded: Bool { status == 0 }
    }

    /// The executable `tool` names: a path as given, or the first match on PATH.
    public static func locate(_ tool: String) -> String? {
        if tool.contains("/") { return FileManager.default.isExecutableFile(atPath: tool) ? tool : nil }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// nil when the tool cannot be started (not on PATH). With `discardingOutput`, what it
    /// prints goes to /dev/null (a browser's helpers may hold captured pipes open).
    public static func run(_ tool: String, _ arguments: [String], discardingOutput: Bool = false) -> Result? {
        guard let executable = locate(tool) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if discardingOutput {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return nil }
            process.waitUntilExit()
            return Result(status: process.terminationStatus, output: "", errors: "")
        }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        guard (try? process.run()) != nil else { return nil }
        let errorText = LockedText()
        let drained = DispatchGroup()
        drained.enter()
        DispatchQueue.global().async {
            errorText.append(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
            drained.leave()
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        drained.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: text, errors: errorText.value)
    }

    /// Standard output of a run that succeeded; nil when the tool is missing or fails.
    public static func output(_ tool: String, _ arguments: [String]) -> String? {
        run(tool, arguments).flatMap { $0.succeeded ? $0.output : nil }
    }
}

/// Text appended from another thread.
public final class LockedText: @unchecked Sendable {
    private var text = ""
    private let lock = NSLock()
    public init() {}
    public func append(_ more: String) { lock.lock(); text += more; lock.unlock() }
    public var value: String { lock.lock(); defer { lock.unlock() }; return text }
}
