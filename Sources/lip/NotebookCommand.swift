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
        subcommands: [Run.self, RunAll.self, PlanCommand.self, Status.self, Watch.self, Export.self])

    struct Options: ParsableArguments {
        @Option(help: "Profile: smoke (seconds, for CI), quick (64 px, 3 seeds: about an hour on 2 cores), standard (128 px, 5 seeds, 24 rounds: days of CPU, for a cluster) or paper (the paper's settings).")
        var profile = Profile.quick

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

        @Option(help: ArgumentHelp("Run one notebook only up to and including the chunk with this label (the page ends there and says so).", valueName: "label"))
        var until: String?

        func run() throws {
            let files = try notebookFiles(paths)
            if let until {
                guard files.count == 1, executor.executor == "inline" else {
                    throw ValidationError("--until \(until) runs one notebook in this process; give one notebook and no --executor (got \(files.count) notebook(s), executor \(executor.executor))")
                }
                var runOptions = try options.runOptions()
                runOptions.until = until
                try runNotebooks(files, options: options, runOptions: runOptions)
                return
            }
            try executor.run(files, paths: paths, options: options, command: ["notebook", "run"])
        }
    }

    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a notebook, then run it again each time it is saved (Ctrl-C stops).",
            discussion: "Polls the file's modification time twice a second. Cached chunks are reused, so a re-run after a prose or plotting edit takes seconds; open the HTML page once and reload it after each run.")

        @Argument(help: "The notebook to watch.")
        var path: String

        @OptionGroup var options: Options

        @Option(parsing: .unconditional, help: "Seconds between checks of the file.")
        var interval: Double = 0.5

        func run() throws {
            let files = try notebookFiles([path])
            guard files.count == 1 else { throw ValidationError("watch takes one notebook, got the folder \(path) (\(files.count) notebooks)") }
            try Check.positive(interval, "--interval", atMost: 60)
            let runOptions = try options.runOptions()
            func modified() -> Date? { (try? FileManager.default.attributesOfItem(atPath: files[0]))?[.modificationDate] as? Date }
            var last = modified()
            while true {
                do {
                    try runNotebooks(files, options: options, runOptions: runOptions)
                } catch {
                    FileHandle.standardError.write(Data("\(error)\n".utf8))
                }
                FileHandle.standardError.write(Data("watching \(files[0]) (Ctrl-C stops)\n".utf8))
                while true {
                    Thread.sleep(forTimeInterval: interval)
                    let now = modified()
                    if now != last { last = now; break }
                }
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a notebook with its rendered outputs as a Jupyter notebook (.ipynb, nbformat 4.5).",
            discussion: "Runs the notebook (reusing cached results: seconds when it was run before) and writes prose as Markdown cells and chunks as Swift code cells with their text, figures (image/png) and tables (HTML) embedded, so that JupyterLab, nbviewer and code hosts show the results. The cells are for reading: they run under `lip notebook run`, not in a Jupyter kernel.")

        @Argument(help: "The notebook to export.")
        var path: String

        @Option(help: "Format: ipynb.")
        var to = "ipynb"

        @Option(name: .customLong("out"), help: "Where to write the file (default: beside the rendered page, <output>/<name>/<name>.ipynb).")
        var destination: String?

        @OptionGroup var options: Options

        func validate() throws {
            guard to == "ipynb" else { throw ValidationError("--to must be ipynb (the one format export writes), got '\(to)'") }
        }

        func run() throws {
            let files = try notebookFiles([path])
            guard files.count == 1 else { throw ValidationError("export takes one notebook, got the folder \(path) (\(files.count) notebooks)") }
            if let destination, FileManager.default.fileExists(atPath: destination + "/") {
                throw ValidationError("--out \(destination) is a folder; give a file name ending in .ipynb")
            }
            try runNotebooks(files, options: options)
            let name = URL(fileURLWithPath: files[0]).deletingPathExtension().lastPathComponent
            let written = URL(fileURLWithPath: options.output).appendingPathComponent(name).appendingPathComponent("\(name).ipynb")
            guard let destination else {
                print("wrote \(written.path)")
                return
            }
            let data = try Data(contentsOf: written)
            try AtomicFile.write(data, to: destination)
            print("wrote \(destination)")
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
                print(try ResultJSON.encode(plan))
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

        @Flag(help: "Also rewrite --output's index.md and index.html with these states (after a code change that left pages stale).")
        var updateIndex = false

        func run() throws {
            let toolchain = try Toolchain.locate()
            let statuses = StalenessChecker(toolchain: toolchain).pages(in: URL(fileURLWithPath: options.output))
            if updateIndex { try FiguresIndex.write(statuses, to: URL(fileURLWithPath: options.output)) }
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
        FileHandle.standardError.write(Data("▶ \(file) (\(runOptions.profile.rawValue))\n".utf8))
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

extension Profile: ExpressibleByArgument {}
