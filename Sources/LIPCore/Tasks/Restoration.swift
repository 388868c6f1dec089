import Foundation
import ImageIO
import Networks
import TensorKit

/// The image prior being fitted.
public enum Prior: Codable, Equatable, Sendable {
    /// DIP's hourglass (optionally with a pruning mask: a LIP).
    case dip(SkipConfiguration)
    /// Heckel & Hand's deep decoder.
    case deepDecoder(DeepDecoderConfiguration)

    public var name: String {
        switch self {
        case .dip: "DIP"
        case .deepDecoder(let c): "deep decoder k=\(c.channels)"
        }
    }

    /// The network for an image with `channels` channels, initialized from `seed`.
    public func makeNetwork(channels: Int, seed: UInt64) -> Sequential {
        var weightSeeds = RandomSource(seed: seed).derived("weights")
        switch self {
        case .dip(var configuration):
            configuration.outputChannels = channels
            let network = makeSkipNetwork(configuration)
            network.initializeParameters(seed: weightSeeds.next())
            return network
        case .deepDecoder(var configuration):
            configuration.outputChannels = channels
            let network = makeDeepDecoder(configuration)
            network.initializeParameters(seed: weightSeeds.next())
            return network
        }
    }

    /// The fixed random input U[0, 0.1): DIP's 32 channels at full size, the deep
    /// decoder's k channels at H/2^layers.
    public func makeInput(height: Int, width: Int, seed: UInt64) throws -> Tensor {
        switch self {
        case .dip(let configuration):
            if let problem = configuration.problem(height: height, width: width) { throw InputError.imageTooSmall(problem) }
            return makeNetworkInput(depth: configuration.inputChannels, height: height, width: width, seed: seed)
        case .deepDecoder(let configuration):
            let scale = 1 << configuration.layers
            guard height % scale == 0, width % scale == 0 else {
                throw InputError.imageTooSmall("the deep decoder with \(configuration.layers) layers needs sides divisible by \(scale), got \(width)x\(height)")
            }
            return makeNetworkInput(depth: configuration.channels, height: height / scale, width: width / scale, seed: seed)
        }
    }

    /// The fitting settings this prior is used with: DIP's per task; the deep decoder's own
    /// (no input jitter, no backtracking, as its `fit()`).
    public func settings(for problem: RestorationProblem) -> FitSettings {
        var settings = problem.defaultSettings
        if case .deepDecoder = self {
            settings.inputNoiseStd = 0
            settings.backtracking = false
        }
        return settings
    }
}

/// What a restoration produced, as plain values (Codable, so notebooks can cache it).
public struct RestorationReport: Codable, Equatable {
    public var task: RestorationTask
    public var degradation: String
    public var prior: String
    public var clean: Image
    public var observation: Image
    /// The EMA of the outputs after the last step (DIP's smoothed result).
    public var restored: Image
    /// The last output.
    public var output: Image
    /// The EMA output at the step where the task's metric was best (oracle early stopping).
    public var bestRestored: Image
    /// The raw output at the step with the best task metric.
    public var bestOutput: Image
    /// The step the windowed-variance detector chose without looking at the clean image.
    public var detectedStep: Int?
    public var history: [IterationRecord]
    public var observationPSNR: Double
    /// Trainable parameters, not counting pruned weights.
    public var parameters: Int
    /// Fraction of convolution weights pruned.
    public var sparsity: Double
    public var ssimFinal: Double
    public var ssimBest: Double
    public var restorations: Int
    public var seconds: Double
    /// Outputs at the steps asked for (`restore(..., snapshotSteps:)`), in step order.
    public var snapshots: [RestorationSnapshot] = []

    public var final: IterationRecord { history.last! }

    /// Whether the task is scored on the moving average of the outputs. The LIP code
    /// scores denoising on the EMA output and inpainting and SR on the raw output.
    public var scoresAverage: Bool { task == .denoise }
    /// The task's metric of a step as LIP scores it (EMA or raw output, see `scoresAverage`).
    public func metric(_ record: IterationRecord) -> Double { scoresAverage ? record.scoreEMA : record.score }
    /// The output at the best step as LIP scores the task (`bestRestored` or `bestOutput`).
    public var bestScored: Image { scoresAverage ? bestRestored : bestOutput }
    public var bestPSNR: IterationRecord { history.max { $0.psnr < $1.psnr }! }
    public var bestEMAPSNR: IterationRecord { history.max { $0.psnrEMA < $1.psnrEMA }! }
    /// Best over iterations of the task's headline metric (Y-PSNR for SR) of the output.
    public var bestScore: IterationRecord { history.max { $0.score < $1.score }! }
    /// Best over iterations of the headline metric of the EMA output.
    public var bestScoreEMA: IterationRecord { history.max { $0.scoreEMA < $1.scoreEMA }! }

    /// Denoising names, for readability in notebooks.
    public var noisy: Image { observation }
    public var noisyPSNR: Double { observationPSNR }
}

/// A finished restoration: the report, and the trained network with its input.
/// The output of a fit after one step, and its EMA, as images.
public struct RestorationSnapshot: Codable, Equatable, Sendable {
    public var step: Int
    public var output: Image
    public var averaged: Image
}

public struct RestorationOutcome {
    public var report: RestorationReport
    public var network: Sequential
    public var input: Tensor
    public var result: FitResult
}

/// Fits `prior` to `problem.observation` with the task's data term and returns the
/// restored image with its metrics.
///
/// - Parameters:
///   - problem: the clean image, its observation and the degradation.
///   - prior: DIP's hourglass (default) or a deep decoder.
///   - settings: steps, learning rate, seed, σ_reg, EMA, backtracking (default: the
///     prior's for the task, `Prior.settings(for:)`).
///   - initialWeights: a state dict to start from (a ticket's θ0) instead of a fresh
///     initialization drawn from `settings.seed`.
///   - mask: prunes the network (a lottery image prior); Adam keeps pruned weights at zero.
///   - keepDense: layers the mask leaves whole.
///   - snapshotSteps: keeps the output after these steps (1-based) in `report.snapshots`.
///   - progress: called after every step.
/// - Returns: the report (images, PSNR curves, best and final scores) with the trained
///   network, its input z and the raw fit result.
/// - Complexity: `settings.iterations` forward and backward passes; at 64² a DIP step
///   takes tens of milliseconds on two cores.
public func restore(_ problem: RestorationProblem, prior: Prior = .dip(.dip), settings: FitSettings? = nil,
                    initialWeights: SafeTensors? = nil, mask: PruningMask? = nil,
                    keepDense: Set<String> = [], snapshotSteps: Set<Int> = [],
                    progress: ((IterationRecord) -> Void)? = nil) throws -> RestorationOutcome {
    let settings = settings ?? prior.settings(for: problem)
    let clean = problem.clean
    let network = prior.makeNetwork(channels: clean.channels, seed: settings.seed)
    if let initialWeights { try network.loadStateDict(initialWeights, source: "initial weights") }
    if let mask { try mask.apply(to: network, keepingDense: keepDense) }
    let input = try prior.makeInput(height: clean.height, width: clean.width, seed: settings.seed)
    let result = try fitDeepImagePrior(
        network: network, input: input, settings: settings,
        loss: { problem.loss($0) }, observedPSNR: { problem.observedPSNR($0) },
        clean: clean.pixels, lumaPSNR: problem.task == .sr ? { problem.psnrY(of: $0) } : nil,
        snapshotSteps: snapshotSteps, progress: progress)
    let restored = Image(result.averagedOutput)
    let best = Image(result.bestAveragedOutput)
    let convolutions = network.convolutions
    let total = convolutions.reduce(0) { $0 + $1.layer.weight.count }
    let pruned = convolutions.reduce(0) { $0 + ($1.layer.mask?.filter { $0 == 0 }.count ?? 0) }
    var report = RestorationReport(
        task: problem.task, degradation: problem.degradationLabel, prior: prior.name, clean: clean,
        observation: problem.observation, restored: restored, output: Image(result.output), bestRestored: best,
        bestOutput: Image(result.bestOutput), detectedStep: result.detectedStep,
        history: result.history, observationPSNR: problem.observationPSNR, parameters: network.parameterCount - pruned,
        sparsity: total > 0 ? Double(pruned) / Double(total) : 0, ssimFinal: ssim(restored, clean), ssimBest: 0,
        restorations: result.restorations, seconds: result.seconds)
    report.ssimBest = ssim(report.bestScored, clean)
    report.snapshots = result.snapshots.map {
        RestorationSnapshot(step: $0.step, output: Image($0.output), averaged: Image($0.averagedOutput))
    }
    return RestorationOutcome(report: report, network: network, input: input, result: result)
}
