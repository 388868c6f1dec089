import ArgumentParser
import Experiments
import Foundation
import NotebookRunner
import NotebookRuntime
import TensorKit

struct NotebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notebook",
        abstract: "Run literate .swiftmd notebooks: compile, execute, cache and render them.",
        subcommands: [Run.self, RunAll.self, PlanCommand.self, Status.self])

    struct Options: ParsableArguments {
        @Option(help: "Profile: smoke (seconds, for CI), quick (64 px, 3 seeds: about an hour on 2 cores), standard (128 px, 5 seeds, 24 rounds: days of CPU, for a cluster) or paper (the paper's settings).")
        var profile = "quick"

        @Option(name: .customLong("param"), help: ArgumentHelp("Override a parameter.", valueName: "key=value"))
        var parameters: [String] = []

        @Flag(help: "Ignore cached results and recompute everything.")
        var force = false

        @Flag(help: "Print why each cached result was reused or recomputed.")
        var explain = false

        @Flag(help: "Exit non-zero when a claim of the paper fails.")
        var check = false

        @Option(help: "Folder for rendered notebooks and figures.")
        var output = "figures"

        @Option(help: "Folder for cached results and compiled notebooks.")
        var cache = ".lip-cache"

        @Option(parsing: .unconditional, help: "Stop a notebook that runs longer than this many seconds (default: no limit).")
        var timeout: Double?

        func validate() throws {
            guard RunOptions.profiles.contains(profile) else {
                throw ValidationError("--profile must be one of \(RunOptions.profiles.joined(separator: ", ")), got '\(profile)'")
            }
            if let timeout { try Check.positive(timeout, "--timeout") }
        }

        func runOptions() throws -> RunOptions {
            try OutputFolder.makeWritableFolder(output, flag: "--output")
            try OutputFolder.makeWritableFolder(cache, flag: "--cache")
            ChildProcesses.installSignalHandlers()
            var options = RunOptions()
            options.timeout = timeout
            options.profile = profile
            options.force = force
            options.outputRoot = output
            options.cacheRoot = cache
            options.showProgress = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["CI"] == nil
            for item in parameters {
                guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                    throw ValidationError("--param needs key=value, got '\(item)'")
                }
                options.overrides[String(item[..<equals])] = String(item[item.index(after: equals)...])
            }
            return options
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run notebooks (files, or every .swiftmd in a folder).")

        @Argument(help: "Notebook files or folders.")
        var paths: [String]

        @OptionGroup var options: Options
        @OptionGroup var executor: ExecutorOptions

        func run() throws {
            let files = try notebookFiles(paths)
            try executor.run(files, paths: paths, options: options, command: ["notebook", "run"])
        }
    }

    struct RunAll: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run-all", abstract: "Run every notebook in a folder (default: notebooks/).")

        @Argument(help: "Folder of notebooks.")
        var folder = "notebooks"

        @OptionGroup var options: Options
        @OptionGroup var executor: ExecutorOptions

        func run() throws {
            try executor.run(try notebookFiles([folder]), paths: [folder], options: options, command: ["notebook", "run-all"])
        }
    }

    struct PlanCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "List the expensive units (IMP searches, evaluations, deep-decoder fits) the notebooks need, their keys, dependencies, state and estimated cost.",
            discussion: """
            Each notebook runs in planning mode: shared searches, evaluations and fits are recorded \
            instead of computed (their request files go to <cache>/units/ for `lip work run KEY`), \
            and nothing is drawn or stored. Estimates use dense step times measured on a 2-core \
            Zen 2 (see `StepTime`).
            """)

        @Argument(help: "Notebook files or folders (default: notebooks/).")
        var paths: [String] = ["notebooks"]

        @OptionGroup var options: Options

        @Flag(help: "Print the plan as JSON.")
        var json = false

        func run() throws {
            let plan = try makePlan(try notebookFiles(paths), options: options)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(plan), as: UTF8.self))
            } else {
                print(plan.table(threads: Threads.count))
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show whether the rendered pages are current, and which units of the notebooks' plan are done, running, pending or failed, with an ETA.",
            discussion: "A page is stale when its notebook, the numerical code or an input file changed after it was rendered (plots and the runner do not count).")

        @Argument(help: "Notebook files or folders (default: notebooks/).")
        var paths: [String] = ["notebooks"]

        @OptionGroup var options: Options

        @Flag(help: "Only the pages in --output (fast: runs no notebook).")
        var pages = false

        func run() throws {
            let toolchain = try Toolchain.locate()
            let statuses = StalenessChecker(toolchain: toolchain).pages(in: URL(fileURLWithPath: options.output))
            print(FiguresIndex.table(statuses, linkExtension: "html").markdown())
            let stale = statuses.filter { !$0.isCurrent }
            print(stale.isEmpty ? "pages: all \(statuses.count) in \(options.output) are current"
                  : "pages: \(stale.count) of \(statuses.count) in \(options.output) are stale (\(stale.map(\.name).joined(separator: ", ")))")
            if pages { return }
            print("")
            let plan = try makePlan(try notebookFiles(paths), options: options)
            print(WorkStatus(plan: plan, cache: options.cache).report(threads: Threads.count))
        }
    }
}

func notebookFiles(_ paths: [String]) throws -> [String] {
    var files: [String] = []
    for path in paths {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ValidationError("\(path): no such notebook or folder")
        }
        if isDirectory.boolValue {
            let entries = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".swiftmd") }.sorted()
            // Keep the path as given (relative stays relative): it is recorded in provenance.
            files += entries.map { (path as NSString).appendingPathComponent($0) }
        } else {
            guard path.hasSuffix(".swiftmd") else { throw ValidationError("\(path): not a .swiftmd notebook") }
            files.append(path)
        }
    }
    guard !files.isEmpty else { throw ValidationError("no .swiftmd notebooks in \(paths.joined(separator: ", "))") }
    return files
}

struct NotebooksFailed: Error, CustomStringConvertible {
    var description: String
}

func runNotebooks(_ files: [String], options: NotebookCommand.Options, runOptions: RunOptions? = nil) throws {
    var runOptions = try runOptions ?? options.runOptions()
    try runOptions.checkOverrides(against: files)
    var rows: [(name: String, seconds: Double, hits: Int, misses: Int, claims: ClaimCounts, status: String)] = []
    var problems: [String] = []
    for file in files {
        FileHandle.standardError.write(Data("▶ \(file) (\(runOptions.profile))\n".utf8))
        let run: NotebookRun
        do {
            run = try NotebookRunner.run(file, options: runOptions)
        } catch {
            problems.append("\(error)")
            rows.append((URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent, 0, 0, 0, ClaimCounts([]), "error"))
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            continue
        }
        let output = try Renderer.render(run)
        if options.explain {
            for chunk in run.notebook.chunks {
                let result = run.chunks[chunk.index]
                let time = result.seconds.map { String(format: "%.2fs", $0) } ?? "not run"
                print("  \(chunk.label) (\(time))")
                for record in result.cache {
                    print("    \(record.hit ? "reused" : "computed") \(record.name): \(record.reason)")
                }
            }
        }
        var status = "ok"
        if let failure = run.failure {
            status = "failed"
            problems.append(failure.description)
            FileHandle.standardError.write(Data("\(failure)\n".utf8))
        } else if !output.unresolvedReferences.isEmpty {
            status = "bad refs"
            problems.append("\(file): unresolved cross-references: \(output.unresolvedReferences.map { "@\($0)" }.joined(separator: ", "))")
        }
        let claims = run.claims
        let counts = ClaimCounts(claims)
        // Only a claim the evidence contradicts fails a checked run; inconclusive and
        // unchecked claims are reported, not failed.
        let failedClaims = claims.filter { $0.outcome == .failed }
        if options.check && !failedClaims.isEmpty {
            problems.append("\(file): \(failedClaims.count) claim(s) failed: " + failedClaims.map(\.statement).joined(separator: "; "))
        }
        rows.append((run.notebook.name, run.wallSeconds, run.cacheHits, run.cacheMisses, counts, status))
        print("\(run.notebook.name): \(status), \(String(format: "%.1f", run.wallSeconds)) s, cache \(run.cacheHits) hit / \(run.cacheMisses) miss, claims \(counts.summary) → \(output.html.path)")
    }
    if files.count > 1 {
        print("")
        print("notebook".padding(toLength: 28, withPad: " ", startingAt: 0) + "    time   cache hit/miss   claims held/failed/inconclusive/not checked   status")
        for r in rows {
            let c = r.claims
            print(r.name.padding(toLength: 28, withPad: " ", startingAt: 0)
                  + String(format: "%7.1fs   %5d / %-5d     %3d / %3d / %3d / %3d                    ", r.seconds, r.hits, r.misses,
                           c.held, c.failed, c.inconclusive, c.notChecked) + r.status)
        }
        let total = rows.reduce(0) { $0 + $1.seconds }
        let all = rows.reduce(ClaimCounts([])) { $0 + $1.claims }
        print(String(format: "total %.1f s; claims ", total) + all.summary)
    }
    // The folder's index lists every page in it (this run's and earlier ones) with its state.
    if !runOptions.planning, let toolchain = try? Toolchain.locate() {
        let outputRoot = URL(fileURLWithPath: runOptions.outputRoot)
        try FiguresIndex.write(StalenessChecker(toolchain: toolchain).pages(in: outputRoot), to: outputRoot)
    }
    if !problems.isEmpty {
        // Failures were printed as they happened; end with a short list.
        throw NotebooksFailed(description: "\(problems.count) problem(s):\n" + problems.map { "  " + ($0.split(separator: "\n").first.map(String.init) ?? $0) }.joined(separator: "\n"))
    }
}

/// The plan of `files` under `options`, with this machine's step-time model.
func makePlan(_ files: [String], options: NotebookCommand.Options) throws -> Plan {
    var runOptions = try options.runOptions()
    runOptions.showProgress = false
    try runOptions.checkOverrides(against: files)
    return try Plan.make(files, options: runOptions) {
        StepTime.estimate(steps: $0.steps, pixels: $0.pixels, network: $0.network)
    }
}
