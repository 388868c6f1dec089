import ArgumentParser
import Foundation
import LIPCore
import Networks

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore an image (denoise, inpaint, super-resolve) with DIP, a deep decoder or a ticket.",
        discussion: RestoreOptions.outputsHelp)

    @OptionGroup var options: RestoreOptions

    func run() throws { try options.run(command: "restore") }
}

/// `lip denoise`: `lip restore --task denoise` under the name DIP's first example has.
struct Denoise: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Denoise an image with a deep image prior: lip restore --task denoise.",
        discussion: "Adds Gaussian noise of --sigma (0-255 scale) and fits DIP's 2.2M-parameter hourglass to the noisy image. " + RestoreOptions.outputsHelp)

    @OptionGroup var options: RestoreOptions

    func validate() throws {
        guard options.task.task == .denoise else {
            throw ValidationError("lip denoise is lip restore --task denoise; for --task \(options.task.task.rawValue) use lip restore")
        }
    }

    func run() throws { try options.run(command: "denoise") }
}

/// The options and the run of `lip restore` (and of its alias `lip denoise`).
struct RestoreOptions: ParsableArguments {
    static let outputsHelp = "Writes observation.png, restored.png (EMA after the last step), best.png (EMA at the best step, an oracle), output.png, history.csv and summary.json to --out, and for DIP checkpoint.safetensors (the PyTorch state_dict with the input z and the output); with --snapshots, snapshot-STEP.png (the output after that step) and snapshot-STEP-ema.png (its EMA)."

    @Option(help: "PNG image (the clean ground truth; the task degrades it).")
    var image: String

    @OptionGroup var task: TaskOptions

    @Option(help: "Prior: dip or deep-decoder.")
    var net: String = "dip"

    @Option(parsing: .unconditional, help: "Deep decoder width k.")
    var k: Int = 64

    @Option(help: "Train this ticket folder's round (θ0 masked) instead of a fresh network.")
    var ticket: String?

    @Option(parsing: .unconditional, help: "The ticket round to train (default: its last).")
    var round: Int?

    @Option(help: ArgumentHelp("Keep the output after these steps, e.g. 50,150,300 (1 to --iterations): a filmstrip of the fit.", valueName: "steps"))
    var snapshots: String?

    @Option(help: "Output folder (default: out/TASK).")
    var out: String?

    func validate() throws {
        guard ["dip", "deep-decoder"].contains(net) else { throw ValidationError("--net must be dip or deep-decoder, got \(net)") }
        if ticket != nil && net != "dip" { throw ValidationError("--ticket trains a DIP ticket; drop --net deep-decoder") }
        try Check.atLeast(k, 1, "--k")
        if round != nil && ticket == nil { throw ValidationError("--round selects a round of --ticket; give --ticket DIR too") }
        if let round { try Check.round(round) }
    }

    func run(command: String) throws {
        let out = self.out ?? "out/\(task.task.rawValue)"
        let problem = try task.problem(for: image)
        let prior: Prior = net == "dip" ? .dip(.dip) : .deepDecoder(DeepDecoderConfiguration(channels: k))
        let settings = task.settings(for: problem, prior: prior)
        let snapshotSteps = try Check.snapshotSteps(snapshots, iterations: settings.iterations)
        try Check.fitsInMemory(MemoryEstimate(prior: prior, channels: problem.clean.channels, height: problem.clean.height,
                                              width: problem.clean.width, iterations: settings.iterations),
                               what: "this restoration")
        _ = try prior.makeInput(height: problem.clean.height, width: problem.clean.width, seed: settings.seed)  // sizes it accepts
        let checkpoint = net == "dip" ? ["checkpoint.safetensors"] : []
        let folder = try OutputFolder.prepare(out, command: command,
                                              files: restorationOutputs + checkpoint + snapshotOutputs(snapshotSteps))
        let (line, progress) = fitProgress(settings.iterations, label: task.task.rawValue)
        let outcome: RestorationOutcome
        var trainedRound: Int? = nil
        if let ticket {
            let folder = TicketFolder(ticket)
            let round = try self.round ?? (folder.manifest().rounds.last?.round ?? 0)
            trainedRound = round
            outcome = try evaluateTicket(folder, round: round, on: problem, settings: settings,
                                         snapshotSteps: snapshotSteps, progress: progress)
        } else {
            outcome = try restore(problem, prior: prior, settings: settings, snapshotSteps: snapshotSteps, progress: progress)
        }
        line.finish()
        let summary = ReportSummary(outcome.report, image: image, settings: settings, ticket: ticket, round: trainedRound)
        if !checkpoint.isEmpty {
            var metadata = ["seed": String(settings.seed), "image": image, "task": task.task.rawValue,
                            "degradation": problem.degradationLabel, "iteration": String(settings.iterations),
                            "git_commit": summary.provenance.gitCommit]
            if let ticket, let trainedRound { metadata["ticket"] = ticket; metadata["round"] = String(trainedRound) }
            try DIPCheckpoint.save(network: outcome.network, input: outcome.input, metadata: metadata,
                                   to: folder.file("checkpoint.safetensors"))
        }
        try writeOutputs(outcome.report, summary: summary, to: folder, alsoWritten: checkpoint)
        printReport(outcome.report, label: image)
        print("results in \(out)/")
    }
}
