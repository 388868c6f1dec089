import Foundation
import Networks
import TensorKit

/// Hyper-parameters of fitting a deep image prior to one observation, as DIP's notebooks
/// and the LIP scripts set them.
public struct FitSettings: Codable, Equatable, Sendable {
    public var iterations = 3000
    public var learningRate: Float = 0.01
    /// Std of the fresh N(0, std^2) jitter added to the input z every step ("reg_noise_std").
    public var inputNoiseStd: Float = 1.0 / 30.0
    /// DIP's σ_reg for a noise level (its denoising notebook: 1/30 for σ 25, 1/20 for σ 50).
    public static func inputNoiseStd(forSigma sigma: Float) -> Float { sigma >= 50 ? 1.0 / 20.0 : 1.0 / 30.0 }
    /// Weight of the exponential moving average of outputs ("exp_weight").
    public var emaWeight: Float = 0.99
    /// DIP's backtracking: restore the last good weights when the PSNR against the
    /// observation drops by more than `backtrackingDrop` dB.
    public var backtracking = true
    public var backtrackingDrop = 5.0
    /// DIP checks on every step that is not a multiple of this ("if i % show_every").
    public var backtrackingPeriod = 100
    public var seed: UInt64 = 42

    public init() {}
}

/// What one step measured.
public struct IterationRecord: Codable, Equatable, Sendable {
    public var iteration: Int
    public var loss: Double
    /// PSNR(output, clean) of this step's output.
    public var psnr: Double
    /// PSNR(EMA of outputs, clean).
    public var psnrEMA: Double
    /// PSNR(output, observation), the quantity backtracking watches.
    public var psnrObserved: Double
    /// SR only: Y-channel PSNR (4-pixel shave) of the output and of the EMA.
    public var psnrY: Double? = nil
    public var psnrYEMA: Double? = nil

    /// The task's headline metric of the output: Y-PSNR for SR, PSNR otherwise.
    public var score: Double { psnrY ?? psnr }
    /// The same for the EMA of the outputs.
    public var scoreEMA: Double { psnrYEMA ?? psnrEMA }
}

/// The outcome of a fit, with both the final-iterate and the best-over-iterations
/// (oracle early stopping, as the LIP paper reports) PSNRs.
public struct FitResult {
    public var history: [IterationRecord]
    /// The output and the EMA output after the last step.
    public var output: Tensor
    public var averagedOutput: Tensor
    /// The EMA output at the step where its headline metric (`scoreEMA`) was best.
    public var bestAveragedOutput: Tensor
    /// The raw output at the step with the best task metric (the oracle choice for tasks
    /// scored on the raw output, inpainting and SR).
    public var bestOutput: Tensor
    /// The step the windowed-variance detector chose without the clean image (nil for a
    /// run shorter than its window).
    public var detectedStep: Int?
    public var restorations: Int
    public var seconds: Double
    /// The outputs after the steps asked for with `snapshotSteps`, in step order.
    public var snapshots: [FitSnapshot] = []

    public var final: IterationRecord { history.last! }
    public var bestPSNR: IterationRecord { history.max { $0.psnr < $1.psnr }! }
    public var bestEMAPSNR: IterationRecord { history.max { $0.psnrEMA < $1.psnrEMA }! }
}

/// Input that a task cannot use.
public enum InputError: Error, CustomStringConvertible {
    case imageTooSmall(String)

    public var description: String {
        switch self {
        case .imageTooSmall(let why): "image too small for the network: \(why)"
        }
    }
}

/// Why a fit stopped early.
public enum FitFailure: Error, CustomStringConvertible {
    case diverged(iteration: Int, loss: Float)

    public var description: String {
        switch self {
        case .diverged(let iteration, let loss):
            "training diverged at iteration \(iteration) (loss \(loss)). Lower the learning rate (--lr) or keep backtracking on."
        }
    }
}

/// The network's output after one step of a fit (1-based: step 50 is after 50 Adam steps).
public struct FitSnapshot {
    public var step: Int
    /// The raw output of that step.
    public var output: Tensor
    /// The EMA of the outputs up to that step.
    public var averagedOutput: Tensor
}

/// Fits `network` so that `loss(network(z + jitter))` falls, DIP style: Adam, fresh
/// input jitter each step, an EMA of the outputs, optional backtracking.
///
/// - Parameters:
///   - loss: the task's data term on the network output.
///   - observedPSNR: PSNR of an output against the observation (for backtracking).
///   - clean: the ground truth, for the PSNR columns of the history.
///   - snapshotSteps: steps (1-based) after which the output and its EMA are kept, for
///     filmstrips of a fit; steps beyond `settings.iterations` are never reached.
public func fitDeepImagePrior(network: any Layer, input: Tensor, settings: FitSettings,
                              loss: (Tensor) -> Tensor, observedPSNR: (Tensor) -> Double,
                              clean: [Float], lumaPSNR: (([Float]) -> Double?)? = nil,
                              snapshotSteps: Set<Int> = [],
                              progress: ((IterationRecord) -> Void)? = nil) throws -> FitResult {
    if PlanningRun.isActive { throw PlanningRun.TrainingRefused() }
    let start = Date()
    let parameters = network.parameters
    let optimizer = Adam(parameters: parameters, learningRate: settings.learningRate)
    // Pruned weights stay exactly zero: Adam re-applies each convolution's mask.
    for (_, conv) in network.convolutions {
        if let mask = conv.mask { optimizer.masks[ObjectIdentifier(conv.weight)] = mask }
    }
    var bestAverage: [Float] = []
    var bestScore = -Double.infinity
    var bestRaw: [Float] = []
    var bestRawScore = -Double.infinity
    var detector = WindowedVarianceDetector()
    var jitterSource = RandomSource(seed: settings.seed).derived("input-jitter")
    var history: [IterationRecord] = []
    history.reserveCapacity(min(settings.iterations, 100_000))
    var average: [Float]? = nil
    var lastOutput: Tensor? = nil
    var savedParameters: [[Float]] = parameters.map(\.data)
    var backtracking = Backtracking(drop: settings.backtrackingDrop, period: settings.backtrackingPeriod)
    var restorations = 0
    var snapshots: [FitSnapshot] = []
    let ema = settings.emaWeight

    for iteration in 0..<settings.iterations {
        optimizer.zeroGradients()
        var jittered = input
        if settings.inputNoiseStd > 0 {
            let noise = jitterSource.normal(count: input.count, std: settings.inputNoiseStd)
            jittered = Tensor(shape: input.shape, data: zip(input.data, noise).map { $0 + $1 })
        }
        let output = network(jittered)
        let value = loss(output)
        value.backward()
        guard value.scalar.isFinite else { throw FitFailure.diverged(iteration: iteration, loss: value.scalar) }

        let result = output.detached()
        if let previous = average {
            average = zip(previous, result.data).map { $0 * ema + $1 * (1 - ema) }
        } else {
            average = result.data
        }
        let record = IterationRecord(iteration: iteration, loss: Double(value.scalar),
                                     psnr: psnr(result.data, clean), psnrEMA: psnr(average!, clean),
                                     psnrObserved: observedPSNR(result),
                                     psnrY: lumaPSNR?(result.data), psnrYEMA: lumaPSNR?(average!))
        history.append(record)
        if record.scoreEMA > bestScore {
            bestScore = record.scoreEMA
            bestAverage = average!
        }
        if record.score > bestRawScore {
            bestRawScore = record.score
            bestRaw = result.data
        }
        detector.observe(step: iteration, output: result.data)
        lastOutput = result
        if snapshotSteps.contains(iteration + 1) {
            snapshots.append(FitSnapshot(step: iteration + 1, output: result,
                                         averagedOutput: Tensor(shape: result.shape, data: average!)))
        }

        // On a drop the weights are restored, but the gradients already computed are
        // still applied by the optimizer step and Adam's moments are kept, as in DIP.
        if settings.backtracking {
            switch backtracking.verdict(iteration: iteration, observedPSNR: record.psnrObserved) {
            case .restore:
                for (parameter, saved) in zip(parameters, savedParameters) { parameter.data = saved }
                restorations += 1
            case .keep:
                savedParameters = parameters.map(\.data)
            case .notChecked:
                break
            }
        }
        optimizer.step()
        progress?(record)
    }
    return FitResult(history: history, output: lastOutput!,
                     averagedOutput: Tensor(shape: lastOutput!.shape, data: average!),
                     bestAveragedOutput: Tensor(shape: lastOutput!.shape, data: bestAverage),
                     bestOutput: Tensor(shape: lastOutput!.shape, data: bestRaw), detectedStep: detector.minimumStep,
                     restorations: restorations, seconds: Date().timeIntervalSince(start), snapshots: snapshots)
}

/// DIP's network input: 1 x depth x H x W filled with U[0, 1) * 0.1
/// (`get_noise(..., 'noise', 'u', var=1/10)`).
public func makeNetworkInput(depth: Int, height: Int, width: Int, seed: UInt64) -> Tensor {
    var random = RandomSource(seed: seed).derived("network-input")
    return Tensor(shape: [1, depth, height, width], data: random.uniform(count: depth * height * width, high: 0.1))
}

/// DIP's backtracking rule (denoising notebook, copied into the LIP scripts): on steps
/// with `iteration % period != 0`, a PSNR against the observation more than `drop` dB
/// below the last kept one means "restore the last kept weights"; otherwise the current
/// weights and PSNR become the kept ones. (DIP also skips its own step counter after a
/// restore; here every step counts, so the check schedule never shifts.)
public struct Backtracking: Sendable {
    public enum Verdict: Equatable, Sendable { case notChecked, keep, restore }

    public let drop: Double
    public let period: Int
    public private(set) var lastKeptPSNR = 0.0

    public init(drop: Double = 5, period: Int = 100) {
        self.drop = drop
        self.period = period
    }

    public mutating func verdict(iteration: Int, observedPSNR: Double) -> Verdict {
        guard iteration % period != 0 else { return .notChecked }
        if observedPSNR - lastKeptPSNR < -drop { return .restore }
        lastKeptPSNR = observedPSNR
        return .keep
    }
}

/// A planning run (`lip notebook plan`, `LIP_PLANNING=1`) lists the work notebooks need
/// without doing it: every training refuses to start, so that a notebook which trains a
/// network itself (not through a shared search or evaluation) stops there instead of
/// spending hours.
public enum PlanningRun {
    public static let isActive = ProcessInfo.processInfo.environment["LIP_PLANNING"] == "1"

    public struct TrainingRefused: Error, CustomStringConvertible {
        public static let marker = "planning run: no training"
        public var description: String {
            "\(Self.marker) (this notebook trains a network itself, not through a shared unit; that part runs when the notebook renders)"
        }
    }
}
