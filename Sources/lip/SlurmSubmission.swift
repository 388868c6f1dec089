import ArgumentParser
import Foundation
import Store
import NotebookRunner
import NotebookRuntime
import TensorKit

/// `--executor slurm`: plans the notebooks, writes one job array per dependency level
/// (each task runs `lip work run KEY` for one unit, with `--requeue` and a signal before
/// its time limit so that a cut-short IMP search is requeued and resumes from its last
/// round), chains the levels with `--dependency=afterany`, and submits a final job that
/// runs what is left with the local executor, renders the notebooks and builds the paper.
struct SlurmSubmission {
    var options: ExecutorOptions
    var notebookOptions: NotebookCommand.Options
    var paths: [String]
    var command: [String]

    func submit(_ files: [String]) throws {
        guard options.dryRun || Subprocess.output("sbatch", ["--version"]) != nil else {
            throw InputProblem("--executor slurm needs sbatch on PATH (a Slurm login node; scripts/slurm-local up starts a one-node cluster here)")
        }
        let plan = try makePlan(files, options: notebookOptions)
        let root = FileManager.default.currentDirectoryPath
        let cache = absolute(notebookOptions.cache, root: root)
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let directory = URL(fileURLWithPath: cache).appendingPathComponent("slurm/\(stamp)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let lip = CommandLine.executablePath
        let levels = Dictionary(grouping: plan.pending, by: \.level).sorted { $0.key < $1.key }
        var arrays: [SlurmRecord.JobArray] = []
        var previous: String? = nil
        for (level, units) in levels {
            let keys = units.sorted { $0.estimatedSeconds > $1.estimatedSeconds }.map(\.record.key)
            let list = directory.appendingPathComponent("level-\(level).txt")
            try (keys.joined(separator: "\n") + "\n").write(to: list, atomically: true, encoding: .utf8)
            let script = directory.appendingPathComponent("level-\(level).sh")
            try unitScript(list: list.path, lip: lip, cache: cache, root: root).write(to: script, atomically: true, encoding: .utf8)
            var arguments = common(name: "lip-units-\(level)", logs: directory.appendingPathComponent("logs/level-\(level)-%A_%a.log").path)
            arguments += ["--array=1-\(keys.count)", "--requeue", "--signal=B:TERM@120"]
            if let previous { arguments.append("--dependency=afterany:\(previous)") }
            let id = try sbatch(arguments + [script.path])
            arrays.append(.init(level: level, jobID: id, keys: keys))
            previous = id
            print("level \(level): \(keys.count) unit(s) → job array \(id)")
        }
        let render = directory.appendingPathComponent("render.sh")
        try renderScript(lip: lip, cache: cache, root: root).write(to: render, atomically: true, encoding: .utf8)
        var arguments = common(name: "lip-render", logs: directory.appendingPathComponent("logs/render-%j.log").path)
        if let previous { arguments.append("--dependency=afterany:\(previous)") }
        let finalID = try sbatch(arguments + [render.path])
        print("render and paper: job \(finalID) (after every unit)")
        if !options.dryRun {
            try SlurmRecord(directory: directory.path, arrays: arrays, finalJobID: finalID,
                            submitted: ISO8601DateFormatter().string(from: Date())).save(cache: notebookOptions.cache)
        }
        print(String(format: "%d unit(s) to run (%d done), estimated %.1f CPU-hours, at least %@ of wall time (the longest chain of dependent units, at this machine's speed on %d threads); scripts and logs in %@",
                     plan.pending.count, plan.units.count - plan.pending.count,
                     plan.estimatedSeconds * Double(Threads.count) / 3600, Plan.duration(plan.longestChainSeconds),
                     Threads.count, directory.path))
        print("watch: lip notebook status \(paths.joined(separator: " ")) --profile \(notebookOptions.profile.rawValue) --cache \(notebookOptions.cache)")
    }

    func absolute(_ path: String, root: String) -> String {
        path.hasPrefix("/") ? path : (root as NSString).appendingPathComponent(path)
    }

    func common(name: String, logs: String) -> [String] {
        var arguments = ["--parsable", "--job-name=\(name)", "--cpus-per-task=\(options.cpusPerTask)", "--output=\(logs)",
                         "--open-mode=append"]
        if let partition = options.partition { arguments.append("--partition=\(partition)") }
        if let account = options.account { arguments.append("--account=\(account)") }
        if let time = options.time { arguments.append("--time=\(time)") }
        return arguments + options.sbatchArguments
    }

    /// Submits and returns the job id (or a placeholder under `--dry-run`).
    func sbatch(_ arguments: [String]) throws -> String {
        if options.dryRun {
            print("sbatch " + arguments.joined(separator: " "))
            return "DRYRUN"
        }
        guard let result = Subprocess.run("sbatch", arguments) else {
            throw InputProblem("sbatch cannot be started: is Slurm's client (slurm-client) installed and on PATH?")
        }
        guard result.succeeded,
              let id = result.output.split(separator: "\n").first?.split(separator: ";").first.map(String.init), !id.isEmpty else {
            throw InputProblem("sbatch \(arguments.joined(separator: " ")) failed (status \(result.status)): \(result.errors.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return id
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    func unitScript(list: String, lip: String, cache: String, root: String) -> String {
        """
        #!/usr/bin/env bash
        # One unit of the plan per array task: `lip work run KEY` into the shared store.
        # Slurm sends TERM 120 s before the time limit (and on pre-emption): the worker
        # stops, the task is requeued, and the search resumes from its last finished round.
        set -uo pipefail
        cd \(Self.quoted(root))
        key=$(sed -n "${SLURM_ARRAY_TASK_ID}p" \(Self.quoted(list)))
        export LIP_THREADS="${SLURM_CPUS_PER_TASK:-1}" CI=1
        \(Self.quoted(lip)) work run "$key" --cache \(Self.quoted(cache)) &
        child=$!
        trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"; exit 0' TERM
        wait "$child"
        """ + "\n"
    }

    func renderScript(lip: String, cache: String, root: String) -> String {
        let output = absolute(notebookOptions.output, root: root)
        var run = [lip] + command + paths + ["--profile", notebookOptions.profile.rawValue, "--cache", cache, "--output", output,
                                               "--executor", "local", "--jobs", "1"]
        for parameter in notebookOptions.parameters { run += ["--param", parameter] }
        if notebookOptions.check { run.append("--check") }
        if notebookOptions.explain { run.append("--explain") }
        // The committed paper/build only from the default figures/; any other output gets its own.
        let paper = [lip, "paper", "build", "--figures", output]
            + (notebookOptions.output == "figures" ? [] : ["--output", output + "-paper", "--no-pdf"])
        return """
        #!/usr/bin/env bash
        # After every unit: compute what the plan could not foresee, render the notebooks from
        # the store, then build the paper from what rendered.
        set -uo pipefail
        cd \(Self.quoted(root))
        export LIP_THREADS="${SLURM_CPUS_PER_TASK:-1}" CI=1
        status=0
        \(run.map(Self.quoted).joined(separator: " ")) || status=$?
        \(paper.map(Self.quoted).joined(separator: " ")) || status=$?
        exit $status
        """ + "\n"
    }
}
