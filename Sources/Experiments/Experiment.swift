import Foundation
import Store
import ImageIO
import LIPCore
import Networks
import Evidence
import Plotting
import TensorKit

/// One restoration problem at one scale (an image, a crop, a step budget, a seed), with
/// the ticket searches and evaluations the notebooks run on it. Searches and evaluations
/// are stored in shared folders keyed by everything they depend on, so that the notebooks
/// that ask for the same run (Fig. 2's dense DIP and the sparsity curve's, say) compute it
/// once and a re-run finds it done.
public struct Experiment {
    public let benchmark: Benchmark
    public let problem: RestorationProblem
    public let imagePath: String
    public let imageName: String
    /// The task's DIP settings with this scale's steps and seed.
    public let settings: FitSettings
    public let seed: UInt64
    /// `problemKey` with the evaluation's step count: what keys an evaluation on this problem.
    public let key: String
    /// The same without the evaluation's step count, which neither a ticket search (it
    /// trains with its own steps, in its configuration) nor a deep-decoder fit (its own
    /// settings) reads: changing a profile's evaluation steps keeps its searches.
    public let problemKey: String
    /// Adam steps of each IMP round of this experiment's searches (nil: `settings.iterations`).
    public var searchIterations: Int?
    /// Adam steps of the deep decoders fitted here (nil: `settings.iterations`).
    public var deepDecoderIterations: Int?
    private let data: ImageData
    private let size: Int
    private let image: String?

    /// What this experiment was made from, for a unit's request file.
    public var specification: ExperimentSpecification {
        ExperimentSpecification(benchmark: benchmark.id, data: data, size: size, iterations: settings.iterations, seed: seed,
                                image: image, searchIterations: searchIterations, deepDecoderIterations: deepDecoderIterations)
    }

    /// The experiment a unit's request describes.
    public init(specification s: ExperimentSpecification) throws {
        try self.init(try Benchmark.named(s.benchmark), data: s.data, size: s.size, iterations: s.iterations, seed: s.seed,
                      image: s.image)
        searchIterations = s.searchIterations
        deepDecoderIterations = s.deepDecoderIterations
    }

    /// Loads the benchmark's image (or `image`, for transfer to another picture), crops its
    /// center to a `size`-pixel square (`size` 0 keeps the whole image) and to a multiple of
    /// 32 as the reference code does, and degrades it.
    public init(_ benchmark: Benchmark, data: ImageData, size: Int, iterations: Int, seed: UInt64,
                image: String? = nil) throws {
        self.benchmark = benchmark
        self.data = data
        self.size = size
        self.image = image
        let chosen = data.image(for: benchmark)
        imagePath = image ?? chosen.path
        imageName = image.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent } ?? chosen.name
        var clean = try PNG.read(imagePath, color: .rgb)
        let side = size > 0 ? min(size, clean.height, clean.width) : min(clean.height, clean.width)
        let minimum = SkipConfiguration.dip.minimumSide
        guard side >= minimum else { throw ExperimentError.tooSmall(imagePath, side: side, needed: minimum) }
        func crop(_ image: Image) -> Image {
            (size > 0 ? image.centerCropped(height: side, width: side) : image).centerCropped(toMultipleOf: 32)
        }
        clean = crop(clean)
        self.seed = seed
        switch benchmark.task {
        case .denoise:
            problem = .denoising(clean, sigma: Float(benchmark.sigma ?? 25), seed: seed)
        case .sr:
            problem = try .superResolution(clean, factor: benchmark.factor ?? 4)
        case .inpaint:
            if let maskPath = image == nil ? data.mask(for: benchmark) : nil {
                let mask = crop(try PNG.read(maskPath))
                // A small center crop of a sparse text mask can miss every letter: nothing to inpaint.
                guard mask.pixels.contains(where: { $0 <= 0.5 }) else {
                    throw ExperimentError.nothingToInpaint(maskPath, side: mask.width)
                }
                problem = try .inpainting(clean, mask: mask, maskName: "\(benchmark.paperImageName) text mask")
            } else {
                let mask = try TextMask.render(width: clean.width, height: clean.height, lines: max(3, clean.height / 16))
                problem = try .inpainting(clean, mask: mask, maskName: "text mask")
            }
        }
        var settings = problem.defaultSettings
        settings.iterations = iterations
        settings.seed = seed
        self.settings = settings
        var problemSettings = settings
        problemSettings.iterations = 0
        problemKey = try Self.digest(of: problem, settings: problemSettings)
        key = SHA256.hex("\(problemKey)|\(iterations) steps")
    }

    private static func digest(of problem: RestorationProblem, settings: FitSettings) throws -> String {
        var digest = SHA256()
        digest.update(problem.task.rawValue + problem.degradationLabel)
        for pixels in [problem.clean.pixels, problem.observation.pixels] {
            pixels.withUnsafeBytes { digest.update(Array($0)) }
        }
        digest.update(String(decoding: try JSONEncoder.sorted.encode(settings), as: UTF8.self))
        return digest.finalize()
    }

    /// "64x64 crop of astronaut, σ 25, 300 steps, seed 42": what every figure notes.
    public var scale: String {
        "\(problem.clean.width)x\(problem.clean.height) crop of \(imageName), \(problem.degradationLabel), \(settings.iterations) steps, seed \(seed)"
    }

    /// The observation at the clean image's size, for figures: SR's low-resolution image
    /// repeated by nearest neighbour, the others as they are.
    public var observationForDisplay: Image {
        guard let factor = problem.factor else { return problem.observation }
        return Image(GradientMode.withoutGradients { upsample(problem.observation.tensor, factor: factor, mode: .nearest) })
    }

    /// The task's metric of the displayed observation against the clean image.
    public var observationScore: Double {
        problem.psnrY(of: observationForDisplay.pixels) ?? problem.observationPSNR
    }

    // MARK: Tickets

    /// Runs (or finds done, or resumes) a ticket search on this problem's mask-finding
    /// objective and returns its folder in the shared result store.
    ///
    /// - Parameters:
    ///   - method: IMP or a baseline (random, layer-wise random, one-shot, SNIP, GraSP, SynFlow).
    ///   - rounds: the rounds to reach; mask k has nominal sparsity `IMP.nominalSparsity(round: k)`.
    ///     A deeper request extends a shallower search in the same folder.
    ///   - iterations: training steps per round (default: the profile's search steps).
    ///   - rewindIteration: late rewinding's step R (0: rewind to θ0).
    ///   - pruneFraction: the share of the remaining weights each round prunes.
    ///   - reference: for layer-wise random, the IMP ticket whose per-layer sparsities it copies.
    ///   - others: more images for multi-image IMP (one shared mask).
    ///   - onObservation: find denoising masks on the noisy observation, not the clean image.
    ///   - inputConvolutionsDenseInSearch: IMP as the released code runs it, the input
    ///     convolutions trained dense in every round but ranked with the others
    ///     (`TicketSearchConfiguration.inputConvolutionsDenseInSearch`).
    ///   - quiet: no progress lines.
    /// - Returns: the ticket folder (θ0, one mask per round, the manifest).
    /// - Complexity: IMP trains `rounds` times `iterations` steps; the baselines train at
    ///   most once (one-shot) or not at all; a finished search costs nothing.
    public func ticket(_ method: PruningMethod, rounds: Int, iterations: Int? = nil, rewindIteration: Int = 0,
                       pruneFraction: Double = IMP.pruneFraction, reference: String? = nil, alsoOn others: [Experiment] = [],
                       synflowIterations: Int = 100, onObservation: Bool = false, inputConvolutionsDenseInSearch: Bool = false,
                       quiet: Bool = false) throws -> String {
        var configuration = TicketSearchConfiguration(
            method: method, task: problem.task, images: [imagePath] + others.map(\.imagePath),
            degradation: problem.degradationLabel, rounds: rounds, iterations: iterations ?? searchIterations ?? settings.iterations,
            pruneFraction: pruneFraction, rewindIteration: rewindIteration, seed: seed, referenceTicket: reference)
        // Absent unless asked for: the keys of every other search stay as they were.
        configuration.inputConvolutionsDenseInSearch = inputConvolutionsDenseInSearch ? true : nil
        // Rounds are left out of the key: a longer search extends a shorter one.
        var keyed = configuration
        keyed.rounds = 0
        let synflow = method == .synflow ? "synflow \(synflowIterations)" : ""
        // Since θ_R is trained on the observation (not the clean image) for denoising.
        let rewind = rewindIteration > 0 ? "rewind weights from the observation" : ""
        let target = onObservation && problem.task == .denoise ? "masks found on the observation" : ""
        let folder = sharedFolder("ticket", key: keyed.canonicalDescription + synflow + rewind + target
                                  + ([self] + others).map(\.problemKey).joined())
        if SharedStore.isPlanning {
            Placeholder.tickets[folder] = configuration
            // Several notebooks share one search: it runs to the deepest round any asks for.
            let key = URL(fileURLWithPath: folder).lastPathComponent
            let deepest = max(rounds, SharedStore.requestedRounds(key) ?? 0)
            let request = WorkRequest.ticket(.init(
                experiment: specification, others: others.map(\.specification), method: method, rounds: deepest,
                iterations: iterations, rewindIteration: rewindIteration, pruneFraction: pruneFraction, reference: reference,
                synflowIterations: synflowIterations, onObservation: onObservation,
                inputConvolutionsDenseInSearch: inputConvolutionsDenseInSearch ? true : nil))
            let found = (try? TicketFolder(folder).manifest())?.rounds ?? []
            let reached = found.filter { $0.searchBestPSNR != nil }.map(\.round).max() ?? -1
            let training = method == .imp ? max(0, deepest - 1 - reached) : method == .oneshot && reached < 0 ? 1 : 0
            let dependencies = reference.map { [URL(fileURLWithPath: $0).lastPathComponent] } ?? []
            try SharedStore.record(WorkUnitRecord(
                kind: "ticket", key: key,
                label: "\(method.rawValue) on \(([self] + others).map(\.imageName).joined(separator: " + ")), \(problem.degradationLabel), \(deepest) rounds of \(configuration.iterations) steps, seed \(seed)",
                dependencies: dependencies, done: (found.map(\.round).max() ?? -1) >= deepest,
                steps: training * configuration.iterations + rewindIteration, pixels: problem.clean.width * problem.clean.height,
                network: "dip"), request: try JSONEncoder.sorted.encode(request), rounds: deepest)
            return folder
        }
        let start = Date()
        let reused = TicketFolder(folder).hasRound(rounds)
        try findTicket(configuration, problems: [problem] + others.map(\.problem), in: folder,
                       synflowIterations: synflowIterations, onObservation: onObservation) { line in
            if !quiet { progress("  \(method.rawValue) on \(imageName): \(line)") }
        }
        reportSharedResult(folder, label: "(\(method.rawValue) on \(imageName), \(rounds) rounds, seed \(seed))", reused: reused,
                           seconds: Date().timeIntervalSince(start))
        return folder
    }

    /// Mask `round` of a ticket, with the hourglass's layer names and shapes.
    public func mask(of ticket: String, round: Int) throws -> PruningMask {
        if SharedStore.isPlanning && !TicketFolder(ticket).hasRound(round) {
            return PruningMask.dense(for: Placeholder.network(channels: problem.clean.channels))
        }
        return try TicketFolder(ticket).mask(round: round, outputChannels: problem.clean.channels)
    }

    /// What a ticket search recorded per round (sparsity, search PSNR, seconds).
    public func manifest(of ticket: String) throws -> TicketManifest {
        if SharedStore.isPlanning, let configuration = Placeholder.tickets[ticket], (try? TicketFolder(ticket).manifest()) == nil {
            return TicketManifest(configuration: configuration, rounds: [], gitCommit: "", networkParameters: 0, convolutionWeights: 0)
        }
        return try TicketFolder(ticket).manifest()
    }

    // MARK: Evaluations

    /// Trains ticket `round` of `ticket` (θ0 masked; round 0 is the dense DIP) as a prior on
    /// this problem and returns its scores. Done once per ticket, round, problem and options
    /// (stored in the shared result store).
    ///
    /// - Parameters:
    ///   - ticket: a folder `ticket(_:rounds:)` returned.
    ///   - round: the mask to train.
    ///   - keepInputConvolutionsDense: the released code's quirk of leaving the input
    ///     convolutions unmasked.
    ///   - fromRewindPoint: start from θ_R (late rewinding) instead of θ0.
    ///   - label: how progress and `--explain` name it.
    /// - Returns: best-over-steps, final and detector-chosen scores with the run's curve.
    public func evaluate(_ ticket: String, round: Int, keepInputConvolutionsDense: Bool = false,
                         fromRewindPoint: Bool = false, label: String? = nil) throws -> Evaluation {
        let folder = evaluationFolder(ticket, round: round, keepInputConvolutionsDense: keepInputConvolutionsDense,
                                          fromRewindPoint: fromRewindPoint)
        let label = label ?? "round \(round) of \(URL(fileURLWithPath: ticket).lastPathComponent)"
        if SharedStore.isPlanning {
            let ticketKey = URL(fileURLWithPath: ticket).lastPathComponent
            let request = WorkRequest.evaluation(.init(experiment: specification, ticket: ticketKey, round: round,
                                                       keepInputConvolutionsDense: keepInputConvolutionsDense,
                                                       fromRewindPoint: fromRewindPoint, label: label))
            let fraction = Placeholder.tickets[ticket]?.pruneFraction ?? IMP.pruneFraction
            let nominal = Placeholder.parameters(round: round, fraction: fraction, channels: problem.clean.channels)
            return try planned(folder: folder, kind: "evaluation", label: "\(label) on \(imageName), seed \(seed)",
                               dependencies: [ticketKey], request: request, network: "dip", steps: settings.iterations) {
                Evaluation(prior: "DIP", round: round, sparsity: nominal.sparsity, parameters: nominal.parameters,
                           steps: settings.iterations)
            }
        }
        let ticketFolder = TicketFolder(ticket)
        return try stored(in: folder, round: round, label: label) {
            try evaluateTicket(ticketFolder, round: round, on: problem, settings: settings,
                               keepInputConvolutionsDense: keepInputConvolutionsDense, fromRewindPoint: fromRewindPoint)
                .report
        }
    }

    /// Where `evaluate` stores its result: keyed by the ticket search's key (which fixes
    /// θ0 and every mask: a search is deterministic for its key), the round, the options
    /// and this experiment, so that a planning run knows it before the search has run.
    public func evaluationFolder(_ ticket: String, round: Int, keepInputConvolutionsDense: Bool = false,
                                 fromRewindPoint: Bool = false) -> String {
        let ticketKey = URL(fileURLWithPath: ticket).lastPathComponent
        return sharedFolder("evaluation", key: "\(ticketKey)|\(round)|\(key)|\(keepInputConvolutionsDense)|\(fromRewindPoint)")
    }

    /// Fits a deep decoder with `channels` channels (the under-parameterized prior) with
    /// its own settings (no input jitter, no backtracking), `deepDecoderIterations` steps
    /// and this experiment's seed.
    ///
    /// - Parameter channels: the decoder's width k (its parameter count grows as k²).
    /// - Returns: its scores, stored once per width, problem and settings.
    public func deepDecoder(channels: Int) throws -> Evaluation {
        let (prior, settings) = deepDecoderPrior(channels: channels)
        let folder = try deepDecoderFolder(channels: channels)
        if SharedStore.isPlanning {
            let request = WorkRequest.deepDecoder(.init(experiment: specification, channels: channels))
            return try planned(folder: folder, kind: "deep-decoder", label: "deep decoder k=\(channels) on \(imageName), \(problem.degradationLabel), seed \(seed)",
                               dependencies: [], request: request, network: "deep-decoder", steps: settings.iterations) {
                Evaluation(prior: "deep decoder", round: -1, sparsity: 0,
                           parameters: DeepDecoderConfiguration(channels: channels, outputChannels: problem.clean.channels).parameterCount,
                           steps: settings.iterations)
            }
        }
        return try stored(in: folder, round: -1, label: "deep decoder k=\(channels)") {
            try restore(problem, prior: prior, settings: settings).report
        }
    }

    /// Where `deepDecoder(channels:)` stores its fit.
    public func deepDecoderFolder(channels: Int) throws -> String {
        let settings = deepDecoderPrior(channels: channels).settings
        return sharedFolder("deep-decoder", key: "deep-decoder|\(channels)|\(problemKey)|\(String(decoding: try JSONEncoder.sorted.encode(settings), as: UTF8.self))")
    }

    /// The deep decoder of width `channels` and its settings: its own (no jitter, no
    /// backtracking), this scale's deep-decoder steps and this experiment's seed.
    private func deepDecoderPrior(channels: Int) -> (prior: Prior, settings: FitSettings) {
        let prior = Prior.deepDecoder(DeepDecoderConfiguration(channels: channels))
        var settings = prior.settings(for: problem)
        settings.iterations = deepDecoderIterations ?? self.settings.iterations
        settings.seed = seed
        return (prior, settings)
    }

    /// In a planning run: the stored result when there is one, else a placeholder, and the
    /// unit recorded either way.
    private func planned(folder: String, kind: String, label: String, dependencies: [String], request: WorkRequest,
                         network: String, steps: Int, placeholder: () -> Evaluation) throws -> Evaluation {
        let found = storedEvaluation(in: folder)
        try SharedStore.record(WorkUnitRecord(
            kind: kind, key: URL(fileURLWithPath: folder).lastPathComponent, label: label, dependencies: dependencies,
            done: found != nil, steps: found != nil ? 0 : steps, pixels: problem.clean.width * problem.clean.height,
            network: network), request: try JSONEncoder.sorted.encode(request))
        return found ?? placeholder()
    }

    /// The finished evaluation in `folder`: its record and image must hash as its
    /// `integrity.json` (written last) says, or it is not there (and is computed again).
    private func storedEvaluation(in folder: String) -> Evaluation? {
        let url = URL(fileURLWithPath: folder)
        guard let integrity = try? Data(contentsOf: url.appendingPathComponent("integrity.json")),
              let hashes = try? JSONDecoder().decode([String: String].self, from: integrity),
              let data = try? Data(contentsOf: url.appendingPathComponent("evaluation.json")),
              hashes["evaluation.json"] == SHA256.hex(data),
              let found = try? JSONDecoder().decode(Evaluation.self, from: data),
              hashes["restored.png"] == SHA256.hex(fileAt: found.restoredURL(in: url).path) else { return nil }
        return found.located(in: url)
    }

    /// The evaluation stored in `folder`, or `run`'s, stored there (with its best image).
    private func stored(in path: String, round: Int, label: String, run: () throws -> RestorationReport) throws -> Evaluation {
        let folder = URL(fileURLWithPath: path)
        let record = folder.appendingPathComponent("evaluation.json")
        if let found = storedEvaluation(in: path) {
            reportSharedResult(path, label: "(\(label) on \(imageName), seed \(seed))", reused: true, seconds: 0)
            return found
        }
        let report = try run()
        let evaluation = Evaluation(report: report, round: round)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // The image, the record, then their hashes: a worker killed in between leaves a
        // folder that does not verify, and the next run computes it again.
        let image = evaluation.restoredURL(in: folder).path
        try PNG.write(report.bestScored.clipped(), to: image)
        let data = try JSONEncoder.sorted.encode(evaluation)
        try AtomicFile.write(data, to: record.path)
        let hashes = ["evaluation.json": SHA256.hex(data), "restored.png": SHA256.hex(fileAt: image) ?? ""]
        try AtomicFile.write(try JSONEncoder.sorted.encode(hashes), to: folder.appendingPathComponent("integrity.json").path)
        reportSharedResult(path, label: "(\(label) on \(imageName), seed \(seed))", reused: false, seconds: evaluation.seconds)
        progress(String(format: "  %@ on %@, seed %d: best %.2f dB at step %d of %d, final %.2f dB, sparsity %.1f %%, %.0f s", label, imageName,
                     Int(seed), evaluation.best, evaluation.bestStep, evaluation.steps, evaluation.final, 100 * evaluation.sparsity,
                     evaluation.seconds))
        return evaluation.located(in: folder)
    }
}

/// What a trained prior scored, as the LIP code scores each task: the EMA output for
/// denoising, the raw output for inpainting and SR (Y-PSNR for SR, PSNR otherwise). Best
/// over the steps is the paper's oracle number; `detected` is the number at the step a
/// detector chose without the clean image; the EMA numbers are kept as a second column.
public struct Evaluation: Codable, Sendable {
    public var prior: String
    /// The ticket's IMP round; -1 for a prior that is not a ticket (a deep decoder).
    public var round: Int
    public var sparsity: Double
    public var parameters: Int
    public var steps: Int
    public var best: Double
    public var bestStep: Int
    public var final: Double
    /// The best metric minus the best of the first 90 % of the steps: how much the run
    /// still gained at its end (≤ 0 when it peaked earlier).
    public var lateGain: Double
    /// The metric at the step the windowed-variance detector chose (no clean image seen).
    public var detected: Double?
    public var detectedStep: Int?
    /// The EMA output's metric, best over the steps (and where) and at the last step.
    public var bestEMA: Double
    public var bestEMAStep: Int
    public var finalEMA: Double
    public var ssimBest: Double
    public var ssimFinal: Double
    public var seconds: Double
    /// The metric every 10th step (as scored), for curves over the steps.
    public var curve: [Double]
    public var curveEvery: Int
    /// Where the best output (as scored) is stored (a PNG beside the record).
    public var restoredPath: String = ""

    init(report: RestorationReport, round: Int) {
        prior = report.prior
        self.round = round
        sparsity = report.sparsity
        parameters = report.parameters
        steps = report.history.count
        let best = report.history.max { report.metric($0) < report.metric($1) }!
        self.best = report.metric(best)
        bestStep = best.iteration
        final = report.metric(report.final)
        lateGain = RunConvergence.lateGain(of: report.history.map(report.metric))
        if let step = report.detectedStep {
            detected = report.metric(report.history[step])
            detectedStep = step
        }
        let bestEMA = report.bestScoreEMA
        self.bestEMA = bestEMA.scoreEMA
        bestEMAStep = bestEMA.iteration
        finalEMA = report.final.scoreEMA
        ssimBest = report.ssimBest
        ssimFinal = report.ssimFinal
        seconds = report.seconds
        curveEvery = report.history.count > 300 ? 10 : 1
        curve = stride(from: 0, to: report.history.count, by: curveEvery).map { report.metric(report.history[$0]) }
    }

    /// A planning run's stand-in (`Placeholder`): the shape of a result, every score 0.
    init(prior: String, round: Int, sparsity: Double, parameters: Int, steps: Int) {
        self.prior = prior
        self.round = round
        self.sparsity = sparsity
        self.parameters = parameters
        self.steps = steps
        best = 0
        bestStep = 0
        final = 0
        lateGain = 0
        bestEMA = 0
        bestEMAStep = 0
        finalEMA = 0
        ssimBest = 0
        ssimFinal = 0
        seconds = 0
        curve = [0]
        curveEvery = 1
    }

    /// Whether this run peaked before its last 10 % of steps, for claims.
    public func convergence(_ label: String) -> RunConvergence {
        RunConvergence(label: label, bestStep: bestStep, steps: steps, lateGain: lateGain)
    }

    func restoredURL(in folder: URL) -> URL { folder.appendingPathComponent("restored.png") }

    func located(in folder: URL) -> Evaluation {
        var copy = self
        copy.restoredPath = restoredURL(in: folder).path
        return copy
    }

    /// The best output as scored (8-bit); a grey square for a planning run's placeholder.
    public func restored() throws -> Image {
        if restoredPath.isEmpty && SharedStore.isPlanning {
            return Image(channels: 3, height: 32, width: 32, pixels: [Float](repeating: 0.5, count: 3 * 32 * 32))
        }
        return try PNG.read(restoredPath)
    }
}
