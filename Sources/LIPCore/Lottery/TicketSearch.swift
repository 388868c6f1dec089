import Foundation
import ImageIO
import Store
import Networks
import TensorKit

/// Finds lottery image priors (and baseline masks at the same sparsities), writing every
/// finished round to a ticket folder so that a killed search resumes where it stopped
/// and ends with the same masks as an uninterrupted one.
public struct TicketSearch {
    public var configuration: TicketSearchConfiguration
    /// The mask-finding problems (one per image; several for multi-image IMP).
    public var problems: [RestorationProblem]
    public var folder: TicketFolder
    public var settings: FitSettings
    /// SynFlow's pruning steps per mask (the paper's 100).
    public var synflowIterations = 100
    public var progress: ((String) -> Void)?
    /// The problem late rewinding's θ_R is trained on, when it is not the mask-finding
    /// problem: denoising finds its masks on the clean image (the LIP protocol), but the
    /// weights it rewinds to must come from the noisy observation, or every later round
    /// starts from weights that have seen the ground truth. Nil: θ_R is captured while
    /// round 0 trains on the mask-finding problem.
    public var rewindProblem: RestorationProblem?

    public init(configuration: TicketSearchConfiguration, problems: [RestorationProblem], folder: TicketFolder,
                settings: FitSettings) {
        self.configuration = configuration
        self.problems = problems
        self.folder = folder
        self.settings = settings
    }

    /// Late rewinding on a search whose objective is not the observation (denoising's
    /// masks are found on the clean image) trains θ_R on the observation of `problems[0]`;
    /// a search that already trains on the observation captures θ_R during round 0.
    public mutating func trainRewindWeights(onObservationOf problems: [RestorationProblem]) {
        guard configuration.rewindIteration > 0, let first = problems.first, let searched = self.problems.first,
              searched.observation.pixels != first.observation.pixels else { return }
        rewindProblem = first
    }

    /// The seed of round k's input z and jitter (the LIP code draws a new z each round).
    public func roundSeed(_ round: Int) -> UInt64 {
        var random = RandomSource(seed: configuration.seed).derived("round-\(round)")
        return random.next()
    }

    func makeNetwork() -> Sequential {
        makeSkipNetwork(.dip(channels: problems[0].clean.channels))
    }

    /// The mask-finding loss on a network output: the sum over images of each problem's
    /// loss (one shared output, as the multi-image script).
    func loss(_ output: Tensor) -> Tensor {
        problems.dropFirst().reduce(problems[0].loss(output)) { $0 + $1.loss(output) }
    }

    @discardableResult
    public func run() throws -> TicketManifest {
        guard !problems.isEmpty else { throw TicketError.missing(folder.url.path, "no images to search on") }
        let size = (problems[0].clean.height, problems[0].clean.width)
        guard problems.allSatisfy({ ($0.clean.height, $0.clean.width) == size }) else {
            throw TicketError.incompatible(folder.url.path, "multi-image search needs images of one size; crop them alike (--crop)")
        }
        if configuration.rewindIteration > 0 && configuration.rewindIteration >= configuration.iterations {
            throw TicketError.incompatible(folder.url.path, "rewind iteration \(configuration.rewindIteration) must be below the \(configuration.iterations) training steps of a round")
        }
        try FileManager.default.createDirectory(at: folder.url, withIntermediateDirectories: true)
        let provenance = Provenance.current()
        let network = makeNetwork()
        let specification = TicketSpecification(problems: problems, paths: configuration.images)
        var manifest: TicketManifest
        if FileManager.default.fileExists(atPath: folder.manifestURL.path) {
            manifest = try folder.manifest()
            try checkResumable(manifest, specification: specification)
            manifest.configuration.rounds = configuration.rounds
            try repairDamagedFiles(&manifest, network: network)
            // The last mask of a finished search was written but not trained; extending
            // the search trains it now.
            if configuration.method == .imp, let last = manifest.rounds.last, last.searchBestPSNR == nil,
               last.round < configuration.rounds {
                manifest.rounds.removeLast()
            }
            let last = manifest.rounds.last?.round ?? -1
            progress?(last >= configuration.rounds ? "already complete (rounds 0-\(last))" : "resuming after round \(last)")
        } else {
            let dense = PruningMask.dense(for: network)
            manifest = TicketManifest(configuration: configuration, rounds: [], gitCommit: provenance.gitCommit,
                                      networkParameters: network.parameterCount, convolutionWeights: dense.count,
                                      specification: specification)
            try writeInitialWeights(network: network, manifest: &manifest)
            try folder.writeMask(dense, round: 0, configuration: configuration, commit: provenance.gitCommit,
                                 recordingIn: &manifest)
            try folder.write(manifest)
        }
        let theta0 = try folder.initialWeights()
        try network.loadStateDict(theta0, source: folder.initialWeightsURL.path)

        switch configuration.method {
        case .imp: try searchIterative(network: network, manifest: &manifest)
        default: try searchDirect(network: network, manifest: &manifest)
        }
        return manifest
    }

    /// θ0, drawn from the search's seed (so a damaged copy can be drawn again).
    func writeInitialWeights(network: Sequential, manifest: inout TicketManifest) throws {
        var weightSeeds = RandomSource(seed: configuration.seed).derived("weights")
        network.initializeParameters(seed: weightSeeds.next())
        try folder.write(SafeTensors(entries: network.stateDict(), metadata: [
            "format": "lip-theta0/1", "seed": String(configuration.seed),
        ]), name: folder.initialWeightsURL.lastPathComponent, recordingIn: &manifest)
    }

    /// Refuses to resume a folder searched with other settings, naming each difference.
    func checkResumable(_ manifest: TicketManifest, specification: TicketSpecification) throws {
        let stored = manifest.configuration
        var differences: [String] = []
        if !stored.isCompatible(with: configuration) {
            func settings(_ c: TicketSearchConfiguration) -> String {
                "\(c.method.rawValue) on \(c.task.rawValue), \(c.degradation), \(c.iterations) steps, seed \(c.seed), rewind \(c.rewindIteration), "
                    + "released-code quirk \(c.inputConvolutionsDenseInSearch == true ? "on" : "off"), images \(c.images.joined(separator: ", "))"
            }
            differences.append("the search settings differ (folder: \(settings(stored)); here: \(settings(configuration)))")
        }
        if let storedSpecification = manifest.specification {
            differences += specification.differences(from: storedSpecification)
        } else {
            differences.append("the folder was written by an older lip (\(manifest.format)) that did not record what it searched on, so a resume cannot be checked")
        }
        guard differences.isEmpty else {
            throw TicketError.incompatible(folder.url.path, "holds another search: " + differences.joined(separator: "; ") + ". Choose another --out, or remove the folder to start again")
        }
    }

    /// Checks every file of a folder being resumed against its recorded SHA-256. A
    /// damaged θ0 is drawn again from the seed (and must hash as recorded); a damaged
    /// mask, and every round after it, is recomputed from the last intact round. Nothing
    /// damaged is ever served.
    func repairDamagedFiles(_ manifest: inout TicketManifest, network: Sequential) throws {
        let theta0 = folder.initialWeightsURL.lastPathComponent
        if let problem = folder.integrityProblem(theta0, manifest: manifest) {
            let recorded = manifest.files?[theta0]
            try writeInitialWeights(network: network, manifest: &manifest)
            guard manifest.files?[theta0] == recorded else {
                throw TicketError.corrupt(folder.initialWeightsURL.path, "\(problem), and drawing it again from seed \(configuration.seed) gives other weights; remove the folder to start again")
            }
            progress?("\(problem): drawn again from seed \(configuration.seed), identical to the recorded one")
            try folder.write(manifest)
        }
        // Mask files present according to the manifest: IMP writes mask k+1 when round k
        // finishes; the baselines write mask k with round k.
        let lastMask = configuration.method == .imp ? (manifest.rounds.last.map { $0.searchBestPSNR == nil ? $0.round : $0.round + 1 } ?? 0)
                                                    : (manifest.rounds.last?.round ?? 0)
        var firstBad: (round: Int, why: String)? = nil
        if configuration.method == .imp && configuration.rewindIteration > 0 && !manifest.rounds.isEmpty,
           let problem = folder.integrityProblem(folder.rewindWeightsURL.lastPathComponent, manifest: manifest) {
            firstBad = (0, problem)
        }
        for round in 0...lastMask where firstBad == nil {
            if let problem = folder.integrityProblem(folder.maskURL(round: round).lastPathComponent, manifest: manifest) {
                firstBad = (round, problem)
            }
        }
        guard let (bad, why) = firstBad else { return }
        // IMP's mask k comes from training round k - 1 (mask 0 is the dense one, redrawn);
        // a baseline's mask k from round k itself.
        let keepRecords = configuration.method == .imp ? max(bad - 1, 0) : bad
        for round in bad...max(lastMask, bad) {
            let name = folder.maskURL(round: round).lastPathComponent
            unlink(folder.maskURL(round: round).path)
            manifest.files?[name] = nil
        }
        manifest.rounds = Array(manifest.rounds.prefix(keepRecords))
        if bad == 0 {
            try folder.writeMask(PruningMask.dense(for: network), round: 0, configuration: configuration,
                                 commit: manifest.gitCommit, recordingIn: &manifest)
        }
        try folder.write(manifest)
        progress?("\(why): recomputing from round \(keepRecords)")
    }

    /// IMP (`iterativeMagnitudePruning`) around the ticket folder: resumes after the last
    /// recorded round, writes mask k+1 and round k's record when round k finishes, and
    /// records the last mask, which is written but never trained (as the LIP loop).
    func searchIterative(network: Sequential, manifest: inout TicketManifest) throws {
        let first = manifest.rounds.count
        guard first < configuration.rounds + 1 else { return }
        let trainedDense = configuration.inputConvolutionsDenseInSearch == true ? PruningMask.inputConvolutions : []
        let layers = Set(network.convolutions.map(\.path))
        guard trainedDense.isSubset(of: layers) else {
            throw TicketError.incompatible(folder.url.path, "the released-code quirk keeps the input convolutions \(trainedDense.sorted().joined(separator: ", ")) dense, and this network has no layer \(trainedDense.subtracting(layers).sorted().joined(separator: ", "))")
        }
        var roundStart = Date()
        let last = try iterativeMagnitudePruning(
            startingWith: try folder.mask(round: first, for: network), rounds: first..<configuration.rounds,
            fraction: configuration.pruneFraction,
            trainedDense: trainedDense,
            train: { round, mask in
                roundStart = Date()
                let result = try trainRound(round, mask: mask, network: network, manifest: &manifest)
                return (Pruner.weights(of: network), result)
            },
            finished: { round, mask, next, result in
                try folder.writeMask(next, round: round + 1, configuration: configuration, commit: manifest.gitCommit,
                                     recordingIn: &manifest)
                manifest.rounds.append(TicketRound(
                    round: round, sparsity: mask.sparsity, remainingWeights: mask.kept,
                    searchBestPSNR: result.bestEMAPSNR.psnrEMA, searchFinalPSNR: result.final.psnrEMA,
                    searchBestScore: result.history.max { $0.scoreEMA < $1.scoreEMA }!.scoreEMA,
                    seconds: Date().timeIntervalSince(roundStart)))
                try folder.write(manifest)
                progress?(String(format: "round %d: sparsity %.2f %%, best PSNR %.2f dB, %.0f s", round, 100 * mask.sparsity,
                                 result.bestEMAPSNR.psnrEMA, Date().timeIntervalSince(roundStart)))
            })
        // As every round's record: the sparsity the network has under the search's rule
        // (with the released code's quirk, the input convolutions dense; the mask file keeps
        // their computed masks).
        let trainable = last.keepingAll(of: trainedDense)
        manifest.rounds.append(TicketRound(round: configuration.rounds, sparsity: trainable.sparsity,
                                           remainingWeights: trainable.kept, seconds: 0))
        try folder.write(manifest)
    }

    /// One IMP round: rewinds (θ0 in round 0, θ_R after), applies the mask and trains on
    /// the mask-finding loss with the round's own z and jitter. Round 0 of late rewinding
    /// also captures θ_R and writes it to the folder.
    func trainRound(_ round: Int, mask: PruningMask, network: Sequential, manifest: inout TicketManifest) throws -> FitResult {
        let startWeights = round == 0 ? try folder.initialWeights() : try folder.rewindWeights()
        try network.loadStateDict(startWeights, source: "rewind weights")
        try mask.apply(to: network)
        var roundSettings = settings
        roundSettings.iterations = configuration.iterations
        roundSettings.learningRate = configuration.learningRate
        roundSettings.seed = roundSeed(round)
        let input = makeNetworkInput(depth: SkipConfiguration.dip.inputChannels, height: problems[0].clean.height, width: problems[0].clean.width,
                                     seed: roundSettings.seed)
        var rewind: [SafeTensors.Entry]? = nil
        let rewindAt = configuration.rewindIteration
        if round == 0 && rewindAt > 0, let rewindProblem {
            rewind = try rewindWeights(on: rewindProblem, from: startWeights, steps: rewindAt, seed: roundSettings.seed)
        }
        let result = try fitDeepImagePrior(
            network: network, input: input, settings: roundSettings, loss: loss,
            observedPSNR: { problems[0].observedPSNR($0) }, clean: problems[0].clean.pixels,
            lumaPSNR: problems[0].task == .sr ? { problems[0].psnrY(of: $0) } : nil,
            progress: { record in
                if round == 0 && rewindAt > 0 && rewindProblem == nil && record.iteration + 1 == rewindAt {
                    rewind = network.stateDict()
                }
            })
        if round == 0 && rewindAt > 0 {
            guard let rewind else { fatalError("rewind iteration \(rewindAt) was checked to be below the steps") }
            try folder.write(SafeTensors(entries: rewind, metadata: ["format": "lip-theta-rewind/1", "iteration": String(rewindAt)]),
                             name: folder.rewindWeightsURL.lastPathComponent, recordingIn: &manifest)
        }
        return result
    }

    /// θ_R for late rewinding: the dense network trained from θ0 for `steps` steps on
    /// `problem` (the observation), with round 0's input z and jitter.
    func rewindWeights(on problem: RestorationProblem, from initial: SafeTensors, steps: Int,
                       seed: UInt64) throws -> [SafeTensors.Entry] {
        let network = makeNetwork()
        try network.loadStateDict(initial, source: "initial weights")
        var settings = problem.defaultSettings
        settings.iterations = steps
        settings.learningRate = configuration.learningRate
        settings.seed = seed
        let input = makeNetworkInput(depth: SkipConfiguration.dip.inputChannels, height: problem.clean.height, width: problem.clean.width, seed: seed)
        _ = try fitDeepImagePrior(network: network, input: input, settings: settings, loss: { problem.loss($0) },
                                  observedPSNR: { problem.observedPSNR($0) }, clean: problem.clean.pixels)
        return network.stateDict()
    }

    /// Baselines whose masks need no per-round training: each round's mask is made
    /// directly at IMP's sparsity for that round.
    func searchDirect(network: Sequential, manifest: inout TicketManifest) throws {
        let dense = PruningMask.dense(for: network)
        let input = makeNetworkInput(depth: SkipConfiguration.dip.inputChannels, height: problems[0].clean.height, width: problems[0].clean.width,
                                     seed: roundSeed(0))
        var scores: [[Float]]? = nil
        if manifest.rounds.isEmpty {
            manifest.rounds.append(TicketRound(round: 0, sparsity: 0, remainingWeights: dense.count, seconds: 0))
            try folder.write(manifest)
        }
        var previous = try folder.mask(round: manifest.rounds.count - 1, for: network)
        var reference: TicketFolder? = nil
        if configuration.method == .randomLayerwise {
            guard let path = configuration.referenceTicket else {
                throw PruningError.needsReference("random-layerwise pruning needs --reference DIR, an IMP ticket whose per-layer sparsities it matches")
            }
            reference = TicketFolder(path)
        }
        let first = manifest.rounds.count
        // A finished search is found, not redone: one-shot's scores cost a full training.
        guard first <= configuration.rounds else { return }
        if configuration.method == .oneshot || configuration.method == .snip || configuration.method == .grasp {
            scores = try scoresAtStart(network: network, input: input)
        }
        for round in first...configuration.rounds {
            let start = Date()
            let keep = IMP.remaining(dense.count, afterRounds: round, fraction: configuration.pruneFraction)
            var random = RandomSource(seed: configuration.seed).derived("mask-round-\(round)")
            let mask: PruningMask
            switch configuration.method {
            case .random:
                mask = Pruner.randomStep(previous, fraction: configuration.pruneFraction, random: &random)
            case .randomLayerwise:
                let target = try reference!.mask(round: round, for: network)
                mask = Pruner.randomLayerwise(dense, keptPerLayer: target.layers.map(\.kept), random: &random)
            case .oneshot, .snip, .grasp:
                mask = Pruner.keepHighest(dense, scores: scores!, keep: keep)
            case .synflow:
                try network.loadStateDict(try folder.initialWeights(), source: "theta0")
                // An all-ones input of the image's size, as Synaptic-Flow scores with one of the data's.
                let image = problems[0].clean
                mask = try Pruner.synflowMask(network: network, template: dense, inputShape: [1, SkipConfiguration.dip.inputChannels, image.height, image.width], keep: keep,
                                              iterations: synflowIterations)
            case .imp:
                fatalError("IMP is iterative")
            }
            try folder.writeMask(mask, round: round, configuration: configuration, commit: manifest.gitCommit,
                                 recordingIn: &manifest)
            manifest.rounds.append(TicketRound(round: round, sparsity: mask.sparsity, remainingWeights: mask.kept,
                                               seconds: Date().timeIntervalSince(start)))
            try folder.write(manifest)
            previous = mask
            progress?(String(format: "round %d: sparsity %.2f %%", round, 100 * mask.sparsity))
        }
    }

    /// One-shot: |w| after training the dense network; SNIP and GraSP: at θ0.
    func scoresAtStart(network: Sequential, input: Tensor) throws -> [[Float]] {
        try network.loadStateDict(try folder.initialWeights(), source: "theta0")
        switch configuration.method {
        case .oneshot:
            var trainSettings = settings
            trainSettings.iterations = configuration.iterations
            trainSettings.learningRate = configuration.learningRate
            trainSettings.seed = roundSeed(0)
            _ = try fitDeepImagePrior(network: network, input: input, settings: trainSettings, loss: loss,
                                      observedPSNR: { problems[0].observedPSNR($0) }, clean: problems[0].clean.pixels)
            return Pruner.weights(of: network).map { $0.map(abs) }
        case .snip:
            return Pruner.snipScores(network: network, input: input, loss: loss)
        case .grasp:
            return Pruner.graspScores(network: network, input: input, loss: loss)
        default:
            fatalError("no start scores for \(configuration.method)")
        }
    }
}

/// Trains ticket round `round` (θ0 masked; round 0 is the dense DIP) on `problem`: on the
/// image it was found on, another image, or another task (transfer). With
/// `fromRewindPoint` a late-rewinding ticket starts from the weights it was rewound to
/// (θ_k) instead of θ0, as its search did.
public func evaluateTicket(_ folder: TicketFolder, round: Int, on problem: RestorationProblem,
                           settings: FitSettings? = nil, keepInputConvolutionsDense: Bool = false,
                           fromRewindPoint: Bool = false, snapshotSteps: Set<Int> = [],
                           progress: ((IterationRecord) -> Void)? = nil) throws -> RestorationOutcome {
    let mask = try folder.mask(round: round, outputChannels: problem.clean.channels)
    let start = fromRewindPoint ? try folder.rewindWeights() : try folder.initialWeights()
    // A search run with the released code's quirk never trained its input convolutions
    // masked: its tickets are evaluated as the released code evaluates them.
    let searchedAsReleased = try folder.manifest().configuration.inputConvolutionsDenseInSearch == true
    return try restore(problem, prior: .dip(.dip), settings: settings, initialWeights: start, mask: mask,
                       keepDense: keepInputConvolutionsDense || searchedAsReleased ? PruningMask.inputConvolutions : [],
                       snapshotSteps: snapshotSteps, progress: progress)
}

extension TicketSearchConfiguration {
    /// A stable text form of the configuration (canonical JSON), for naming shared searches.
    public var canonicalDescription: String {
        (try? CanonicalJSON.string(self)) ?? "\(self)"
    }
}

/// Runs (or resumes, or finds finished) a ticket search on `problems` in `folder` and
/// returns its manifest: the one-call form notebooks use.
///
/// `onObservation` finds the masks on the degraded observations themselves, also for
/// denoising (whose protocol finds them on the clean image): the audit of what the clean
/// image is worth to a mask.
@discardableResult
public func findTicket(_ configuration: TicketSearchConfiguration, problems: [RestorationProblem], in folder: String,
                       synflowIterations: Int = 100, onObservation: Bool = false,
                       progress: ((String) -> Void)? = nil) throws -> TicketManifest {
    var settings = problems[0].defaultSettings
    settings.iterations = configuration.iterations
    settings.learningRate = configuration.learningRate
    var search = TicketSearch(configuration: configuration,
                              problems: onObservation ? problems : problems.map(\.maskFindingProblem),
                              folder: TicketFolder(folder), settings: settings)
    search.progress = progress
    search.synflowIterations = synflowIterations
    search.trainRewindWeights(onObservationOf: problems)
    return try search.run()
}
