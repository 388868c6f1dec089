import ArgumentParser
import Foundation

@main
struct LIPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lip",
        abstract: "Deep image priors and lottery image priors (LIP) on the CPU.",
        subcommands: [Denoise.self, Restore.self, TicketCommand.self, GANCommand.self, NotebookCommand.self, WorkCommand.self, PaperCommand.self, Info.self, Bench.self])

    /// Checks the environment variables the library reads before parsing anything: a
    /// bad `LIP_THREADS` must stop `lip` with a message, not be ignored.
    static func main() {
        // Line by line into a log file or a pipe too, so that a long run's progress (one
        // line per round or epoch) is visible while it runs.
        setvbuf(stdout, nil, _IOLBF, 0)
        do {
            try Check.environment()
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            Foundation.exit(64)
        }
        main(nil)
    }
}
