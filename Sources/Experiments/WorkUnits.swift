import Foundation
import Store
import LIPCore
import Networks

/// What a shared unit was asked for with, so that a worker process (`lip work run KEY`)
/// can rebuild it without the notebook: the experiment it runs on and the call's options.
public struct ExperimentSpecification: Codable, Sendable, Hashable {
    public var benchmark: String
    public var data: ImageData
    public var size: Int
    public var iterations: Int
    public var seed: UInt64
    public var image: String?
    public var searchIterations: Int?
    public var deepDecoderIterations: Int?
}

/// A unit's request: one of `Experiment`'s three expensive calls with its arguments.
public enum WorkRequest: Codable, Sendable {
    case ticket(TicketRequest)
    case evaluation(EvaluationRequest)
    case deepDecoder(DeepDecoderRequest)

    public struct TicketRequest: Codable, Sendable {
        public var experiment: ExperimentSpecification
        public var others: [ExperimentSpecification]
        public var method: PruningMethod
        public var rounds: Int
        public var iterations: Int?
        public var rewindIteration: Int
        public var pruneFraction: Double
        public var reference: String?
        public var synflowIterations: Int
        public var onObservation: Bool
        public var inputConvolutionsDenseInSearch: Bool?
    }

    public struct EvaluationRequest: Codable, Sendable {
        public var experiment: ExperimentSpecification
        /// The ticket search's unit key (its folder in the store).
        public var ticket: String
        public var round: Int
        public var keepInputConvolutionsDense: Bool
        public var fromRewindPoint: Bool
        public var label: String?
    }

    public struct DeepDecoderRequest: Codable, Sendable {
        public var experiment: ExperimentSpecification
        public var channels: Int
    }
}

/// Runs unit `key` from its request file in `cacheDirectory` into the store: the worker
/// side of `lip work run`. A ticket search resumes from its last finished round; an
/// evaluation or a fit is written atomically when it ends, so a killed worker leaves
/// either nothing or the whole result, and a re-run ends with the same bits.
public func runWorkUnit(_ key: String, cacheDirectory: String, numericsHash: String) throws {
    let file = try SharedStore.unitFile(key, cacheDirectory: cacheDirectory)
    guard file.numerics == numericsHash else {
        throw WorkUnitError("unit \(key) was planned with other numerical code (numerics \(file.numerics.prefix(12)), this lip \(numericsHash.prefix(12))): its key would not name this build's result; plan again with this build")
    }
    SharedStore.worker = SharedStore.Location(cacheDirectory: cacheDirectory, numericsHash: numericsHash)
    defer { SharedStore.worker = nil }
    let request = try JSONDecoder().decode(WorkRequest.self, from: file.request)
    let folder: String
    switch request {
    case .ticket(let r):
        let experiment = try Experiment(specification: r.experiment)
        let others = try r.others.map(Experiment.init(specification:))
        folder = try experiment.ticket(r.method, rounds: max(r.rounds, file.roundsRequested ?? 0), iterations: r.iterations,
                                       rewindIteration: r.rewindIteration, pruneFraction: r.pruneFraction, reference: r.reference,
                                       alsoOn: others, synflowIterations: r.synflowIterations, onObservation: r.onObservation,
                                       inputConvolutionsDenseInSearch: r.inputConvolutionsDenseInSearch ?? false)
    case .evaluation(let r):
        let experiment = try Experiment(specification: r.experiment)
        let ticket = SharedStore.folderURL(r.ticket, cacheDirectory: cacheDirectory).path
        let dependency = try SharedStore.unitFile(r.ticket, cacheDirectory: cacheDirectory)
        guard TicketFolder(ticket).hasRound(r.round) else {
            throw WorkUnitError("unit \(key) needs round \(r.round) of ticket search \(r.ticket) (\(dependency.record.label)), which is not done; run that unit first")
        }
        folder = experiment.evaluationFolder(ticket, round: r.round, keepInputConvolutionsDense: r.keepInputConvolutionsDense,
                                                 fromRewindPoint: r.fromRewindPoint)
        _ = try experiment.evaluate(ticket, round: r.round, keepInputConvolutionsDense: r.keepInputConvolutionsDense,
                                    fromRewindPoint: r.fromRewindPoint, label: r.label)
    case .deepDecoder(let r):
        let experiment = try Experiment(specification: r.experiment)
        folder = try experiment.deepDecoderFolder(channels: r.channels)
        _ = try experiment.deepDecoder(channels: r.channels)
    }
    guard URL(fileURLWithPath: folder).lastPathComponent == key else {
        throw WorkUnitError("unit \(key) computed into \(folder): its key does not match (the request was edited, or the image paths resolve differently here)")
    }
}

extension TicketFolder {
    /// Whether mask `round` exists (the search reached it).
    public func hasRound(_ round: Int) -> Bool {
        guard let manifest = try? manifest() else { return false }
        return (manifest.rounds.map(\.round).max() ?? -1) >= round
    }
}

// MARK: Placeholders of a planning run

/// Stand-ins a planning run hands the notebook for results not yet computed: shaped like
/// the real ones (a ticket round's nominal parameter count, a mask of the right layers)
/// so that the notebook runs on and asks for everything else it needs; never stored.
enum Placeholder {
    nonisolated(unsafe) private static var networks: [Int: Sequential] = [:]
    /// Ticket folders this planning run asked for, with their configurations.
    nonisolated(unsafe) static var tickets: [String: TicketSearchConfiguration] = [:]

    static func network(channels: Int) -> Sequential {
        if let network = networks[channels] { return network }
        let network = makeSkipNetwork(.dip(channels: channels))
        networks[channels] = network
        return network
    }

    /// Round `round`'s trainable parameters when each round prunes `fraction` of the
    /// remaining convolution weights (exact for IMP and the global baselines).
    static func parameters(round: Int, fraction: Double, channels: Int) -> (parameters: Int, sparsity: Double) {
        let network = network(channels: channels)
        let weights = PruningMask.dense(for: network).count
        var kept = weights
        for _ in 0..<max(0, round) { kept -= Int((fraction * Double(kept)).rounded(.toNearestOrEven)) }
        return (network.parameterCount - (weights - kept), Double(weights - kept) / Double(weights))
    }
}

// MARK: Cost

/// Seconds per Adam step of DIP's hourglass by image side, dense, measured with `lip
/// bench` on a 2-core Zen 2 (2 threads; 1 thread is 1.6x slower): the cost model of `lip
/// notebook plan`. Sparse rounds run faster (up to 3x at 95 %), so estimates are upper
/// bounds for deep rounds; the deep decoder costs about a tenth of a DIP step.
public enum StepTime {
    static let measured: [(side: Double, seconds: Double)] = [(64, 0.051), (128, 0.146), (256, 0.62), (512, 2.6)]

    /// Seconds of `steps` steps of `network` ("dip" or "deep-decoder") on `pixels` pixels.
    public static func estimate(steps: Int, pixels: Int, network: String) -> Double {
        guard steps > 0, pixels > 0 else { return 0 }
        let side = Double(pixels).squareRoot()
        var perStep: Double
        if side <= measured[0].side {
            perStep = measured[0].seconds * max(0.25, side * side / (measured[0].side * measured[0].side))
        } else if let upper = measured.firstIndex(where: { $0.side >= side }) {
            let (a, b) = (measured[upper - 1], measured[upper])
            let t = (side * side - a.side * a.side) / (b.side * b.side - a.side * a.side)
            perStep = a.seconds + t * (b.seconds - a.seconds)
        } else {
            let last = measured[measured.count - 1]
            perStep = last.seconds * side * side / (last.side * last.side)
        }
        if network == "deep-decoder" { perStep *= 0.1 }
        return perStep * Double(steps)
    }
}
