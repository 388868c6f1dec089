import Foundation
import Store
import LIPCore
import NotebookRuntime
import TensorKit

/// How to run a notebook.
public struct RunOptions {
    public var profile = "quick"
    public var overrides: [String: String] = [:]
    public var force = false
    /// Where rendered notebooks go (`<outputRoot>/<notebook>/`).
    public var outputRoot = "figures"
    public var cacheRoot = ".lip-cache"
    /// Live chunk-by-chunk progress on standard error.
    public var showProgress = false

    public init() {}

    public static let profiles = ["smoke", "quick", "paper"]
}

/// What one chunk did.
public struct ChunkRun {
    public var output = ""
    public var seconds: Double?
    public var figures: [FigureRecord] = []
    public var tables: [TableRecord] = []
    public var claims: [ClaimRecord] = []
    public var cache: [CacheRecord] = []
}

/// Why a notebook run stopped early.
public struct RunFailure: Error, CustomStringConvertible {
    public var notebook: String
    public var chunkLabel: String?
    public var lines: ClosedRange<Int>?
    public var status: String
    public var message: String

    public var description: String {
        var text = "\(notebook)"
        if let chunkLabel, let lines { text += ":\(lines.lowerBound): chunk '\(chunkLabel)' (lines \(lines.lowerBound)-\(lines.upperBound))" }
        return text + " failed (\(status))" + (message.isEmpty ? "" : ":\n" + message)
    }
}

/// A finished (or failed) run, ready to render.
public struct NotebookRun {
    public var notebook: Notebook
    public var options: RunOptions
    public var parameterValues: [String: String]
    public var chunks: [ChunkRun]
    public var inlineValues: [Int: String]
    public var failure: RunFailure?
    public var compileSeconds: Double
    public var compiledExecutableReused: Bool
    public var wallSeconds: Double
    public var inputHashes: [String: String]
    public var libraryHash: String

    public var claims: [ClaimRecord] { chunks.flatMap(\.claims) }
    public var cacheHits: Int { chunks.flatMap(\.cache).filter(\.hit).count }
    public var cacheMisses: Int { chunks.flatMap(\.cache).filter { !$0.hit }.count }
}

public enum NotebookRunner {
    /// Parameter values for a profile, with overrides checked against the declarations.
    public static func parameterValues(for notebook: Notebook, options: RunOptions) throws -> [String: String] {
        guard RunOptions.profiles.contains(options.profile) else {
            throw NotebookError(path: notebook.path, message: "unknown profile '\(options.profile)'; use one of \(RunOptions.profiles.joined(separator: ", "))")
        }
        var values: [String: String] = [:]
        for p in notebook.parameters {
            guard let value = p.value(profile: options.profile) else {
                throw NotebookError(path: notebook.path, message: "parameter '\(p.name)' has no value for profile '\(options.profile)' and no default")
            }
            values[p.name] = value
        }
        for (key, value) in options.overrides {
            guard let p = notebook.parameters.first(where: { $0.name == key }) else {
                let known = notebook.parameters.map(\.name)
                throw NotebookError(path: notebook.path, message: "unknown parameter '\(key)'; this notebook has \(known.isEmpty ? "no parameters" : known.joined(separator: ", "))")
            }
            guard p.accepts(value) else {
                let allowed = p.kind == .double ? "a finite number" : p.kind == .bool ? "true or false" : "a whole number"
                throw NotebookError(path: notebook.path, message: "--param \(key)=\(value): '\(key)' is \(p.kind.rawValue), so its value must be \(allowed)")
            }
            values[key] = value
        }
        return values
    }

    public static func run(_ path: String, options: RunOptions) throws -> NotebookRun {
        let start = Date()
        let notebook = try NotebookParser.parse(contentsOf: path)
        let values = try parameterValues(for: notebook, options: options)
        let toolchain = try Toolchain.locate()
        let cache = URL(fileURLWithPath: options.cacheRoot)
        let libraryHash = toolchain.librarySourceHash()

        // Inputs: declared files, and string parameters that name files.
        var inputHashes: [String: String] = [:]
        for input in notebook.inputs {
            guard let hash = SHA256.hex(fileAt: input) else {
                throw NotebookError(path: notebook.path, message: "input file '\(input)' (front matter) cannot be read; check the path, relative to \(FileManager.default.currentDirectoryPath)")
            }
            inputHashes[input] = hash
        }
        for p in notebook.parameters where p.kind == .string {
            if let value = values[p.name], let hash = SHA256.hex(fileAt: value) { inputHashes["params.\(p.name) = \(value)"] = hash }
        }

        let chunks = notebook.chunks
        let graph = DependencyGraph(chunks: chunks, parameterNames: notebook.parameters.map(\.name))
        let threads = Threads.count  // what the notebook process will use: it inherits LIP_THREADS
        let keys = chunks.indices.map { i in
            ChunkKey(code: graph.codeHash(of: i, chunks: chunks),
                     parameters: Dictionary(uniqueKeysWithValues: graph.parameters[i].map { ($0, values[$0]!) }),
                     inputs: inputHashes, library: libraryHash, toolchain: Toolchain.compilerVersion, threads: threads)
        }

        let program = CodeGenerator.program(for: notebook, values: values)
        let compiled = try toolchain.compile(program, name: notebook.name, notebookPath: notebook.path, cache: cache,
                                             libraryHash: libraryHash)

        let outputDirectory = URL(fileURLWithPath: options.outputRoot).appendingPathComponent(notebook.name)
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        let settings = SessionSettings(
            notebook: notebook.name, profile: options.profile, outputDirectory: outputDirectory.path,
            cacheDirectory: cache.path, force: options.force, chunkKeys: keys, chunkLabels: chunks.map(\.label),
            chunkCaptions: chunks.map(\.caption), chunkWidths: chunks.map(\.width), chunkHeights: chunks.map(\.height),
            chunkCacheable: chunks.map(\.cache))
        let settingsFile = cache.appendingPathComponent("session-\(notebook.name)-\(getpid()).json")
        try JSONEncoder().encode(settings).write(to: settingsFile)
        defer { try? FileManager.default.removeItem(at: settingsFile) }

        var run = NotebookRun(notebook: notebook, options: options, parameterValues: values,
                              chunks: Array(repeating: ChunkRun(), count: chunks.count), inlineValues: [:], failure: nil,
                              compileSeconds: compiled.seconds, compiledExecutableReused: compiled.reused, wallSeconds: 0,
                              inputHashes: inputHashes, libraryHash: libraryHash)
        try execute(compiled.executable, settingsFile: settingsFile, run: &run, showProgress: options.showProgress)
        run.wallSeconds = Date().timeIntervalSince(start)
        return run
    }

    /// Runs the compiled notebook, splitting its standard output into chunks by the
    /// session's event lines.
    static func execute(_ executable: URL, settingsFile: URL, run: inout NotebookRun, showProgress: Bool) throws {
        let chunks = run.notebook.chunks
        let process = Process()
        process.executableURL = executable
        var environment = ProcessInfo.processInfo.environment
        environment["LIP_NOTEBOOK_SESSION"] = settingsFile.path
        // A short backtrace on a crash: enough to find the notebook line, no register dump.
        environment["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,color=no,limit=24,top=6,registers=none,images=none,sanitize=yes"
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let errorText = LockedText()
        errors.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { errorText.append(String(decoding: data, as: UTF8.self)) }
        }
        try process.run()
        var current: Int? = nil
        var finished = false
        var pending = Data()
        func consume(_ line: Substring) {
            if let event = NotebookEvent.parse(line) {
                switch event {
                case .begin(let chunk):
                    current = chunk
                    if showProgress {
                        FileHandle.standardError.write(Data("  [\(chunk + 1)/\(chunks.count)] \(chunks[chunk].label)\n".utf8))
                    }
                case .end(let chunk, let seconds): run.chunks[chunk].seconds = seconds
                case .inline(let id, let value): run.inlineValues[id] = value
                case .figure(let record): run.chunks[record.chunk].figures.append(record)
                case .table(let record): run.chunks[record.chunk].tables.append(record)
                case .claim(let record): run.chunks[record.chunk].claims.append(record)
                case .cache(let record):
                    run.chunks[record.chunk].cache.append(record)
                    if showProgress {
                        FileHandle.standardError.write(Data("        cache \(record.hit ? "hit" : "miss"): \(record.name) (\(record.reason))\n".utf8))
                    }
                case .finish: finished = true
                }
            } else if let chunk = current {
                run.chunks[chunk].output += line + "\n"
            }
        }
        let handle = output.fileHandleForReading
        while true {
            let data = handle.availableData
            if data.isEmpty { break }
            pending.append(data)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                consume(Substring(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)))
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        if !pending.isEmpty { consume(Substring(String(decoding: pending, as: UTF8.self))) }
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil
        let remaining = errors.fileHandleForReading.readDataToEndOfFile()
        if !remaining.isEmpty { errorText.append(String(decoding: remaining, as: UTF8.self)) }

        let ok = process.terminationReason == .exit && process.terminationStatus == 0 && finished
        if !ok {
            let status = process.terminationReason == .uncaughtSignal
                ? "crashed with signal \(process.terminationStatus)" : "exit status \(process.terminationStatus)"
            var label: String? = nil
            var lines: ClosedRange<Int>? = nil
            if let chunk = current, run.chunks[chunk].seconds == nil {
                label = chunks[chunk].label
                let count = chunks[chunk].code.split(separator: "\n", omittingEmptySubsequences: false).count
                lines = chunks[chunk].firstLine...(chunks[chunk].firstLine + max(0, count - 1))
            }
            run.failure = RunFailure(notebook: run.notebook.path, chunkLabel: label, lines: lines, status: status,
                                     message: Self.relevantErrors(errorText.value))
        }
    }

    /// The end of what the program wrote to standard error (where Swift reports traps and
    /// uncaught errors), without the backtracer's long thread dumps.
    static func relevantErrors(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let crash = lines.firstIndex(where: { $0.hasPrefix("*** Signal") || $0.contains("Program crashed") }) {
            // Keep the program's own messages, the failure reason, the innermost frames and
            // every frame in the notebook itself.
            let backtrace = lines[crash...]
            var kept = backtrace.filter { $0.hasPrefix("*** Swift runtime failure") || $0.contains("Fatal error") }
            if let top = backtrace.firstIndex(where: { $0.hasSuffix("crashed:") }) {
                kept += backtrace[(top + 1)...].prefix(while: { !$0.isEmpty }).prefix(3)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
            }
            kept += backtrace.filter { $0.contains(".swiftmd:") }.map { $0.trimmingCharacters(in: .whitespaces) }
            lines = Array(lines[..<crash]) + kept
        }
        return lines.suffix(30).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Text appended from another thread.
final class LockedText: @unchecked Sendable {
    private var text = ""
    private let lock = NSLock()
    func append(_ more: String) { lock.lock(); text += more; lock.unlock() }
    var value: String { lock.lock(); defer { lock.unlock() }; return text }
}
