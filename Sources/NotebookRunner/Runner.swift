import Foundation
import Store
import NotebookRuntime

/// How to run a notebook.
public struct RunOptions {
    public var profile = Profile.quick
    public var overrides: [String: String] = [:]
    /// Overrides a notebook may lack (a run of several notebooks, where each key was
    /// checked to be declared by at least one of them).
    public var overridesForSomeNotebooks = false
    public var force = false
    /// Where rendered notebooks go (`<outputRoot>/<notebook>/`).
    public var outputRoot = "figures"
    public var cacheRoot = ".lip-cache"
    /// Live chunk-by-chunk progress on standard error.
    public var showProgress = false
    /// Stop a notebook that runs longer than this (seconds; nil: no limit).
    public var timeout: Double?
    /// List the units the notebook needs instead of computing them (`lip notebook plan`).
    public var planning = false
    /// Under `force`, keep the shared searches and evaluations (an executor recomputed them).
    public var keepSharedResults = false
    /// Run the program only up to and including the chunk with this label (`--until`); the
    /// page ends there and says so.
    public var until: String? = nil

    public init() {}
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
    /// SHA-256 of the notebook's source file and of the numerical code's sources when it ran.
    public var sourceHash: String = ""
    public var numericsSourceHash: String = ""
    /// Where this run's figures and tables were written: a staging folder that
    /// `Renderer.render` moves into place, so a page never sits beside another run's files.
    public var stagingDirectory: URL

    /// The units a planning run reported, in the order asked for.
    public var units: [WorkUnitRecord] = []

    public var claims: [ClaimRecord] { chunks.flatMap(\.claims) }
    public var cacheHits: Int { chunks.flatMap(\.cache).filter(\.hit).count }
    public var cacheMisses: Int { chunks.flatMap(\.cache).filter { !$0.hit }.count }
}

public enum NotebookRunner {
    /// Parameter values for a profile, with overrides checked against the declarations.
    public static func parameterValues(for notebook: Notebook, options: RunOptions) throws -> [String: String] {
        var values: [String: String] = [:]
        for p in notebook.parameters {
            guard let value = p.value(profile: options.profile) else {
                throw NotebookError(path: notebook.path, message: "parameter '\(p.name)' has no value for profile '\(options.profile.rawValue)' and no default")
            }
            values[p.name] = value
        }
        for (key, value) in options.overrides {
            if options.overridesForSomeNotebooks && !notebook.parameters.contains(where: { $0.name == key }) { continue }
            guard let p = notebook.parameters.first(where: { $0.name == key }) else {
                let known = notebook.parameters.map(\.name)
                throw NotebookError(path: notebook.path, message: "unknown parameter '\(key)'; this notebook has \(known.isEmpty ? "no parameters" : known.joined(separator: ", "))")
            }
            guard p.accepts(value) else {
                throw NotebookError(path: notebook.path, message: "--param \(key)=\(value): '\(key)' is \(p.kind.rawValue), so its value must be \(p.allowed)")
            }
            // A list is kept as its elements joined by commas: "2, 8" and "2,8" are one value.
            values[key] = p.kind.element == nil ? value : Parameter.elements(value).joined(separator: ",")
        }
        return values
    }

    /// `record` as the profile's `claims: record` option leaves it: not checked, with
    /// what was measured kept in its comparison.
    public static func recorded(_ record: ClaimRecord, profile: Profile) -> ClaimRecord {
        var result = record
        if record.verdict != .notChecked {
            result.comparison = "recorded, not decided: the \(profile.rawValue) profile's claims are recorded only (\(NotebookProject.fileName)); measured: \(record.comparison)"
        }
        result.verdict = .notChecked
        result.held = false
        return result
    }

    public static func run(_ path: String, options: RunOptions) throws -> NotebookRun {
        let start = Date()
        let sourceHash = SHA256.hex(fileAt: path) ?? ""  // before parsing: the text this run compiles
        var notebook = try NotebookParser.parse(contentsOf: path)
        if let until = options.until {
            guard let last = notebook.blocks.lastIndex(where: { if case .code(let c) = $0 { c.label == until } else { false } }) else {
                throw NotebookError(path: path, message: "--until \(until): no chunk has that label; labels: \(notebook.chunks.map(\.label).joined(separator: ", "))")
            }
            notebook.blocks = Array(notebook.blocks[...last])
        }
        let values = try parameterValues(for: notebook, options: options)
        let toolchain = try Toolchain.locate()
        let cache = URL(fileURLWithPath: options.cacheRoot)
        let libraryHash = toolchain.librarySourceHash()
        let numericsSource = toolchain.numericsSourceHash()  // before the run, as the notebook's own hash
        let pageNumericsSource = toolchain.pageNumericsSourceHash()

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
        let threads = Machine.threads  // what the notebook process will use: it inherits LIP_THREADS
        let keys = chunks.indices.map { i in
            ChunkKey(code: graph.codeHash(of: i, chunks: chunks),
                     parameters: Dictionary(uniqueKeysWithValues: graph.parameters[i].map { ($0, values[$0]!) }),
                     inputs: inputHashes, library: libraryHash, toolchain: Toolchain.compilerVersion, threads: threads)
        }

        let program = CodeGenerator.program(for: notebook, values: values)
        let compiled = try toolchain.compile(program, name: notebook.name, notebookPath: notebook.path, cache: cache,
                                             libraryHash: libraryHash, force: options.force)

        let outputRoot = URL(fileURLWithPath: options.outputRoot)
        removeStaleStagingFolders(in: outputRoot)
        let staging = outputRoot.appendingPathComponent(".\(notebook.name).staging-\(getpid())")
        try? FileManager.default.removeItem(at: staging)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        var settings = SessionSettings(
            notebook: notebook.name, profile: options.profile.rawValue, outputDirectory: staging.path,
            cacheDirectory: cache.path, force: options.force, chunkKeys: keys, chunkLabels: chunks.map(\.label),
            chunkCaptions: chunks.map(\.caption), chunkWidths: chunks.map(\.width), chunkHeights: chunks.map(\.height),
            chunkCacheable: chunks.map(\.cache), numericsHash: toolchain.numericsHash(blasCore: Machine.blasCore, numericsSource: numericsSource))
        settings.planning = options.planning ? true : nil
        settings.keepSharedResults = options.keepSharedResults ? true : nil
        ChildProcesses.removeStaleSessionFiles(in: cache)
        let settingsFile = cache.appendingPathComponent("session-\(notebook.name)-\(getpid()).json")
        try AtomicFile.write(try JSONEncoder().encode(settings), to: settingsFile.path)
        defer { try? FileManager.default.removeItem(at: settingsFile) }

        var run = NotebookRun(notebook: notebook, options: options, parameterValues: values,
                              chunks: Array(repeating: ChunkRun(), count: chunks.count), inlineValues: [:], failure: nil,
                              compileSeconds: compiled.seconds, compiledExecutableReused: compiled.reused, wallSeconds: 0,
                              inputHashes: inputHashes, libraryHash: libraryHash, stagingDirectory: staging)
        try execute(compiled.executable, settingsFile: settingsFile, run: &run, showProgress: options.showProgress,
                    timeout: options.timeout, planning: options.planning,
                    recordingClaimsOf: notebook.profileOptions[options.profile]?.claims == .record ? options.profile : nil)
        run.sourceHash = sourceHash
        run.numericsSourceHash = pageNumericsSource
        run.wallSeconds = Date().timeIntervalSince(start)
        return run
    }

    /// Runs the compiled notebook, splitting its standard output into chunks by the
    /// session's event lines.
    /// With `recordingClaimsOf` (a profile whose claims are only recorded), every claim is
    /// kept with its numbers and marked not checked.
    static func execute(_ executable: URL, settingsFile: URL, run: inout NotebookRun, showProgress: Bool,
                        timeout: Double? = nil, planning: Bool = false, recordingClaimsOf: Profile? = nil) throws {
        let chunks = run.notebook.chunks
        let process = Process()
        process.executableURL = executable
        var environment = ProcessInfo.processInfo.environment
        environment["LIP_NOTEBOOK_SESSION"] = settingsFile.path
        environment["LIP_PARENT_PID"] = String(getpid())
        environment["LIP_PLANNING"] = planning ? "1" : nil
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
        let pid = process.processIdentifier
        ChildProcesses.register(pid, ownGroup: true, files: [settingsFile, run.stagingDirectory])
        defer { ChildProcesses.unregister(pid) }
        let timedOut = LockedFlag()
        if let timeout {
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                guard process.isRunning else { return }
                timedOut.set()
                ChildProcesses.stop(pid)
            }
        }
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
                case .claim(let record):
                    run.chunks[record.chunk].claims.append(recordingClaimsOf.map { Self.recorded(record, profile: $0) } ?? record)
                case .cache(let record):
                    run.chunks[record.chunk].cache.append(record)
                    if showProgress {
                        FileHandle.standardError.write(Data("        cache \(record.hit ? "hit" : "miss"): \(record.name) (\(record.reason))\n".utf8))
                    }
                case .unit(let record): run.units.append(record)
                case .progress(let text):
                    if showProgress { FileHandle.standardError.write(Data("        \(text)\n".utf8)) }
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
            var status = process.terminationReason == .uncaughtSignal
                ? "crashed with signal \(process.terminationStatus)" : "exit status \(process.terminationStatus)"
            if timedOut.isSet, let timeout { status = String(format: "timed out after %g s (--timeout)", timeout) }
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

    /// `.<notebook>.staging-<pid>` folders under the output root.
    static func removeStaleStagingFolders(in root: URL) {
        ChildProcesses.removeLeftovers(in: root) { name in
            guard name.hasPrefix("."), let marker = name.range(of: ".staging-") else { return nil }
            return Int32(name[marker.upperBound...])
        }
    }

    /// The end of what the program wrote to standard error (where Swift reports traps and
    /// uncaught errors), with a crash reduced to what locates it: the reason, the crashed
    /// thread's innermost frames and every frame in the notebook itself (compiled with
    /// `-g`, so they name `.swiftmd` lines), without addresses or other threads.
    static func relevantErrors(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeAll { $0.hasPrefix("swift-runtime: failed to suspend thread") }
        if let crash = lines.firstIndex(where: { $0.hasPrefix("*** Signal") || $0.contains("Program crashed") }) {
            let backtrace = Array(lines[crash...])
            var kept: [String] = []
            if let reason = backtrace.first(where: { $0.contains("Program crashed:") }) {
                var text = reason.replacingOccurrences(of: "*** ", with: "").replacingOccurrences(of: " ***", with: "")
                if let at = text.range(of: " at 0x") { text = String(text[..<at.lowerBound]) }
                if text.contains("Illegal instruction") { text += " (a Swift runtime check failed)" }
                kept.append(text)
            }
            kept += backtrace.filter { $0.contains("Fatal error") }
            var frames: [String] = []
            if let top = backtrace.firstIndex(where: { $0.hasSuffix("crashed:") }) {
                frames = backtrace[(top + 1)...].drop { $0.trimmingCharacters(in: .whitespaces).isEmpty }
                    .prefix { !$0.trimmingCharacters(in: .whitespaces).isEmpty && $0.trimmingCharacters(in: .whitespaces) != "..." }
                    .prefix(6).map(Self.simplifiedFrame)
            }
            for frame in backtrace.filter({ $0.contains(".swiftmd:") }).map(Self.simplifiedFrame) where !frames.contains(frame) {
                frames.append(frame)
            }
            if let failure = frames.first(where: { $0.contains("Swift runtime failure: ") }),
               let range = failure.range(of: "Swift runtime failure: ") {
                var reason = String(failure[range.upperBound...])
                if let at = reason.range(of: " at ") { reason = String(reason[..<at.lowerBound]) }
                kept.append("Reason: " + reason)
            }
            if !frames.isEmpty { kept.append("Frames (innermost first):") }
            kept += frames.map { "  " + $0 }
            lines = Array(lines[..<crash]) + kept
        }
        return lines.suffix(30).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// "  1 [inlined]   0x55… main + 360 in exe at /x/y.swiftmd:10:17" → "main at /x/y.swiftmd:10:17".
    static func simplifiedFrame(_ line: String) -> String {
        var words = line.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if let first = words.first, Int(first) != nil { words.removeFirst() }
        var inlined = false
        while let first = words.first, first.hasPrefix("[") || first.hasPrefix("0x") {
            if first == "[inlined]" { inlined = true }
            words.removeFirst()
        }
        var text = words.joined(separator: " ")
        if let plus = text.range(of: #" \+ [0-9]+ in [^ ]+"#, options: .regularExpression) {
            text.removeSubrange(plus)
        } else if let inBinary = text.range(of: #" in [^ ]+ at "#, options: .regularExpression) {
            text.replaceSubrange(inBinary, with: " at ")
        }
        return text + (inlined ? " (inlined)" : "")
    }
}

/// A flag raised from another thread.
final class LockedFlag: @unchecked Sendable {
    private var raised = false
    private let lock = NSLock()
    func set() { lock.lock(); raised = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return raised }
}

extension RunOptions {
    /// For a run of several notebooks: every `--param` key must be declared by at least one
    /// of them (a typo is still an error); a notebook without it runs without it
    /// (`--param data=paper` across notebooks of which the teaching one has no data).
    public mutating func checkOverrides(against files: [String]) throws {
        guard files.count > 1, !overrides.isEmpty else { return }
        let declared = Set(try files.flatMap { try NotebookParser.parse(contentsOf: $0).parameters.map(\.name) })
        for key in overrides.keys.sorted() where !declared.contains(key) {
            throw NotebookError(path: "\(files.count) notebooks", message: "unknown parameter '\(key)'; none of these notebooks declares it (they have \(declared.sorted().joined(separator: ", ")))")
        }
        overridesForSomeNotebooks = true
    }
}
