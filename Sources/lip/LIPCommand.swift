import ArgumentParser

@main
struct LIPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lip",
        abstract: "Deep image priors and lottery image priors (LIP) on the CPU.",
        subcommands: [Denoise.self, Restore.self, TicketCommand.self, NotebookCommand.self, PaperCommand.self, Info.self, Bench.self])
}
