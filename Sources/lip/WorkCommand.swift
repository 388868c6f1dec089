import ArgumentParser
import CSupport
import Experiments
import Foundation
import NotebookRunner
import NotebookRuntime
import TensorKit

/// `lip work run KEY`: computes one unit of a plan into the result store, in a process of
/// its own (what the local and Slurm executors start).
struct WorkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "work",
        abstract: "Compute one unit of a notebook plan (an IMP search, an evaluation, a deep-decoder fit) into the result store.",
        subcommands: [Run.self])

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compute unit KEY (as `lip notebook plan` lists it) into the store.",
            discussion: """
            The unit's request was written to <cache>/units/KEY.json by the plan. A ticket search \
            resumes from its last finished round, so a killed or pre-empted worker loses at most one \
            round; an evaluation is written when it ends. Running a unit that is done is a no-op.
            """)

        @Argument(help: "The unit's key, e.g. ticket-0123456789abcdef.")
        var key: String

        @Option(help: "The result store (the notebooks' cache folder; shared by every worker).")
        var cache = ".lip-cache"

        func validate() throws {
            let kinds = ["ticket-", "evaluation-", "deep-decoder-"]
            guard let kind = kinds.first(where: key.hasPrefix), key.dropFirst(kind.count).count == 16,
                  key.dropFirst(kind.count).allSatisfy(\.isHexDigit) else {
                throw ValidationError("KEY must be ticket-, evaluation- or deep-decoder- and 16 hex digits (as `lip notebook plan` prints), got '\(key)'")
            }
        }

        func run() throws {
            // Started by an executor: die with it, in a process group of its own.
            if let parent = ProcessInfo.processInfo.environment["LIP_PARENT_PID"].flatMap(Int32.init),
               lip_bind_to_parent(parent) != 0 {
                Foundation.exit(137)
            }
            setvbuf(stdout, nil, _IOLBF, 0)
            let toolchain = try Toolchain.locate()
            let numerics = toolchain.numericsHash(blasCore: Threads.blasCore)
            let start = Date()
            do {
                try runWorkUnit(key, cacheDirectory: cache, numericsHash: numerics)
            } catch let error as WorkUnitError {
                throw InputProblem(error.description)
            }
            print(String(format: "%@ done in %.1f s (%d threads)", key, Date().timeIntervalSince(start), Threads.count))
        }
    }
}
