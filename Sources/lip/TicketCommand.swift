import ArgumentParser
import Foundation
import LIPCore
import Networks

struct TicketCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ticket",
        abstract: "Find, evaluate and inspect lottery image priors (LIP) and baseline masks.",
        subcommands: [Find.self, Evaluate.self, Show.self])

    struct Find: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Search for masks: IMP with rewinding (the LIP) or a baseline at IMP's sparsities.",
            discussion: """
                IMP trains T steps on the mask-finding objective (the clean image for denoising, the degraded \
                observation for inpainting and SR; with several --image, the losses are summed on one shared \
                output), prunes 20 % of the remaining conv weights globally by magnitude, rewinds every parameter \
                to θ0 (or to the weights after --rewind steps) and repeats. Each finished round is saved; rerunning \
                the same command resumes, and a larger --rounds extends a finished search.
                """)

        @Option(parsing: .singleValue, help: "Image(s) to search on (several: multi-image IMP).")
        var image: [String]

        @OptionGroup var task: TaskOptions

        @Option(parsing: .unconditional, help: "Pruning rounds K (mask K has sparsity 1 - 0.8^K).")
        var rounds: Int = 10

        @Option(help: "Pruning method: imp, random, random-layerwise, oneshot, snip, grasp, synflow.")
        var prune: PruningMethod = .imp

        @Option(parsing: .unconditional, help: "Late rewinding: rewind to the weights after this many steps of the dense round (0: θ0).")
        var rewind: Int = 0

        @Option(help: "random-layerwise: the IMP ticket whose per-layer sparsities to match.")
        var reference: String?

        @Flag(help: "IMP as the released LIP code runs it: the two input convolutions train dense in every round, ranked with the others (`ticket eval` then keeps them dense too).")
        var releasedCodeQuirk = false

        @Option(help: "Output ticket folder.")
        var out: String

        func validate() throws {
            if releasedCodeQuirk && prune != .imp {
                throw ValidationError("--released-code-quirk is a quirk of the released IMP search; --prune \(prune.rawValue) does not have it")
            }
            if rounds < 1 || rounds > 60 { throw ValidationError("--rounds must be between 1 and 60, got \(rounds)") }
            try Check.atLeast(rewind, 0, "--rewind")
            if rewind >= task.steps {
                throw ValidationError("--rewind \(rewind) must be below the \(task.steps) training steps of a round (--iterations)")
            }
            if prune == .randomLayerwise && reference == nil {
                throw ValidationError("--prune random-layerwise needs --reference DIR (an IMP ticket)")
            }
        }

        func run() throws {
            let problems = try image.map { try task.problem(for: $0) }
            let prior = Prior.dip(.dip)
            var settings = task.settings(for: problems[0].maskFindingProblem, prior: prior)
            settings.iterations = task.steps
            try Check.fitsInMemory(MemoryEstimate(prior: prior, channels: problems[0].clean.channels,
                                                  height: problems[0].clean.height, width: problems[0].clean.width,
                                                  iterations: settings.iterations), what: "each round of this search")
            try TicketFolder.prepare(out)
            var configuration = TicketSearchConfiguration(
                method: prune, task: task.task, images: image, degradation: problems[0].degradationLabel, rounds: rounds,
                iterations: settings.iterations, rewindIteration: rewind, seed: task.seed, learningRate: task.lr,
                referenceTicket: reference)
            configuration.inputConvolutionsDenseInSearch = releasedCodeQuirk ? true : nil
            var search = TicketSearch(configuration: configuration, problems: problems.map(\.maskFindingProblem),
                                      folder: TicketFolder(out), settings: settings)
            search.progress = { print($0) }
            search.trainRewindWeights(onObservationOf: problems)
            let manifest = try search.run()
            print("ticket in \(out)/: rounds 0-\(manifest.rounds.last?.round ?? 0), final sparsity \(String(format: "%.2f", 100 * (manifest.rounds.last?.sparsity ?? 0))) %")
        }
    }

    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "eval",
            abstract: "Train a ticket round (θ0 masked) on a task and image: the same, another image, or another task.")

        @Option(help: "Ticket folder.")
        var ticket: String

        @Option(parsing: .unconditional, help: "Round (mask index; 0 is the dense network).")
        var round: Int

        @Option(help: "PNG image.")
        var image: String

        @OptionGroup var task: TaskOptions

        @Flag(help: "Leave the two input convolutions dense, as the released LIP code does.")
        var releasedCodeQuirk = false

        @Option(help: "Output folder.")
        var out: String = "out/ticket-eval"

        func validate() throws {
            try Check.round(round)
        }

        func run() throws {
            let problem = try task.problem(for: image)
            let settings = task.settings(for: problem, prior: .dip(.dip))
            try Check.fitsInMemory(MemoryEstimate(prior: .dip(.dip), channels: problem.clean.channels, height: problem.clean.height,
                                                  width: problem.clean.width, iterations: settings.iterations),
                                   what: "this evaluation")
            _ = try TicketFolder(ticket).mask(round: round, outputChannels: problem.clean.channels)  // exists and intact
            let folder = try OutputFolder.prepare(out, command: "ticket eval", files: restorationOutputs)
            let (line, progress) = fitProgress(settings.iterations, label: "round \(round)")
            let outcome = try evaluateTicket(TicketFolder(ticket), round: round, on: problem, settings: settings,
                                             keepInputConvolutionsDense: releasedCodeQuirk, progress: progress)
            line.finish()
            try writeOutputs(outcome.report, summary: ReportSummary(outcome.report, image: image, settings: settings,
                                                                    ticket: ticket, round: round), to: folder)
            printReport(outcome.report, label: "\(ticket) round \(round) on \(image)")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Per-round sparsity and search PSNRs, and a round's per-layer sparsity.")

        @Argument(help: "Ticket folder.")
        var folder: String

        @Option(parsing: .unconditional, help: "Round whose per-layer sparsity to list (default: the last).")
        var round: Int?

        @Flag(help: "Print CSV instead of a table.")
        var csv = false

        func run() throws {
            let ticket = TicketFolder(folder)
            let manifest = try ticket.manifest()
            let c = manifest.configuration
            print("\(folder): \(c.method.rawValue) on \(c.task.rawValue) (\(c.degradation)), images \(c.images.joined(separator: ", ")), \(c.iterations) steps/round, seed \(c.seed)\(c.rewindIteration > 0 ? ", rewind to step \(c.rewindIteration)" : "")")
            print(csv ? "round,sparsity,remaining,search_best_psnr,search_final_psnr,seconds" : "round  sparsity %  remaining   search best  search final   seconds")
            for r in manifest.rounds {
                let best = r.searchBestPSNR.map { String(format: "%.2f", $0) } ?? "-"
                let final = r.searchFinalPSNR.map { String(format: "%.2f", $0) } ?? "-"
                print(csv ? "\(r.round),\(r.sparsity),\(r.remainingWeights),\(best),\(final),\(r.seconds)"
                          : String(format: "%5d  %10.2f  %9d   %11@  %12@  %8.0f", r.round, 100 * r.sparsity, r.remainingWeights,
                                   best, final, r.seconds))
            }
            let chosen = round ?? manifest.rounds.last?.round ?? 0
            let mask = try ticket.mask(round: chosen, for: makeSkipNetwork(.dip))
            print("")
            print("round \(chosen), per layer:")
            print(csv ? "layer,weights,kept,sparsity" : "layer                                     weights      kept   sparsity %")
            for layer in mask.layerSummary {
                print(csv ? "\(layer.name),\(layer.weights),\(layer.kept),\(layer.sparsity)"
                          : layer.name.padding(toLength: 40, withPad: " ", startingAt: 0)
                          + String(format: " %8d  %8d  %10.2f", layer.weights, layer.kept, 100 * layer.sparsity))
            }
        }
    }
}
