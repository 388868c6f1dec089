import ArgumentParser
import Foundation
import Experiments
import NotebookRunner
import NotebookRuntime
import TensorKit

/// Where the notebooks' shared units (IMP searches, evaluations, deep-decoder fits) run.
struct ExecutorOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Where shared units run: inline (inside each notebook, one after another), local (parallel `lip work run` workers on this machine, then the notebooks render from the store) or slurm (sbatch job arrays; the store, --cache, must be on a filesystem every node sees).",
        valueName: "inline|local|slurm"))
    var executor = "inline"

    @Option(help: "local: worker processes at once.")
    var jobs = 1

    @Option(help: "local: threads per worker (default: this machine's cores shared out over --jobs).")
    var threadsPerJob: Int?

    @Option(help: "slurm: partition (sbatch --partition).")
    var partition: String?

    @Option(help: "slurm: account (sbatch --account).")
    var account: String?

    @Option(help: "slurm: time limit of each unit's job (sbatch --time); an IMP search cut short resumes from its last round when requeued.")
    var time: String?

    @Option(help: "slurm: CPUs per unit (sbatch --cpus-per-task; the worker's threads).")
    var cpusPerTask = 2

    @Option(name: .customLong("sbatch-arg"), parsing: .unconditionalSingleValue, help: ArgumentHelp("slurm: one more sbatch argument (repeatable), e.g. --sbatch-arg=--mem=8G.", valueName: "arg"))
    var sbatchArguments: [String] = []

    @Flag(help: "slurm: write the job scripts and print what would be submitted, without submitting.")
    var dryRun = false

    func validate() throws {
        guard ["inline", "local", "slurm"].contains(executor) else {
            throw ValidationError("--executor must be inline, local or slurm, got '\(executor)'")
        }
        try Check.atLeast(jobs, 1, "--jobs")
        if let threadsPerJob { try Check.atLeast(threadsPerJob, 1, "--threads-per-job") }
        try Check.atLeast(cpusPerTask, 1, "--cpus-per-task")
        if executor != "local" && (jobs != 1 || threadsPerJob != nil) {
            throw ValidationError("--jobs and --threads-per-job apply to --executor local only")
        }
        if executor != "slurm" && (partition != nil || account != nil || time != nil || !sbatchArguments.isEmpty || dryRun) {
            throw ValidationError("--partition, --account, --time, --sbatch-arg and --dry-run apply to --executor slurm only")
        }
    }

    /// Runs `files` with this executor. `paths` and `command` are what the final Slurm job
    /// runs again to render.
    func run(_ files: [String], paths: [String], options: NotebookCommand.Options, command: [String]) throws {
        switch executor {
        case "local":
            var runOptions = try options.runOptions()
            try runOptions.checkOverrides(against: files)
            let threads = threadsPerJob ?? max(1, ProcessInfo.processInfo.activeProcessorCount / jobs)
            let executor = LocalExecutor(
                lipPath: CommandLine.executablePath, jobs: jobs, threadsPerJob: threads, options: runOptions,
                estimate: { StepTime.estimate(steps: $0.steps, pixels: $0.pixels, network: $0.network) },
                log: { FileHandle.standardError.write(Data("\($0)\n".utf8)) })
            let summary = try executor.run(files)
            print(String(format: "units: %d computed by %d worker(s) of %d thread(s) in %.1f s (%d plan pass(es))%@",
                         summary.computed, jobs, threads, summary.seconds, summary.passes,
                         summary.failed.isEmpty ? "" : ", \(summary.failed.count) failed"))
            // The notebooks render from the store; `--force` already recomputed the units.
            runOptions.keepSharedResults = true
            try runNotebooks(files, options: options, runOptions: runOptions)
        case "slurm":
            let submission = SlurmSubmission(options: self, notebookOptions: options, paths: paths, command: command)
            try submission.submit(files)
        default:
            try runNotebooks(files, options: options)
        }
    }
}

extension CommandLine {
    /// This `lip`'s own executable, for the workers it starts.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? arguments[0]
    }
}
