import Foundation
import Networks
import Store
import TensorKit

/// How a ticket was searched for (stored in `ticket.json`; a resumed search must match).
public struct TicketSearchConfiguration: Codable, Equatable, Sendable {
    public var method: PruningMethod
    public var task: RestorationTask
    /// Image paths; several for multi-image IMP (losses summed on one shared output).
    public var images: [String]
    public var degradation: String
    public var rounds: Int
    public var iterations: Int
    public var pruneFraction: Double
    /// 0 rewinds to the initialization θ0; r > 0 to the weights after r steps of the
    /// first (dense) round ("late rewinding").
    public var rewindIteration: Int
    public var seed: UInt64
    public var learningRate: Float
    /// For random-layerwise: the IMP ticket whose per-layer sparsities are matched.
    public var referenceTicket: String?
    /// IMP as the released LIP code runs it: the two input-facing convolutions train dense
    /// in every round (its `prune_model_custom` skips them) while its global ranking
    /// (`pruning_model`) still includes all of their weights, so each round prunes 20 %
    /// of the other layers' remaining weights plus the input convolutions' whole. nil or
    /// false: every convolution is masked, as the paper describes.
    public var inputConvolutionsDenseInSearch: Bool?

    public init(method: PruningMethod, task: RestorationTask, images: [String], degradation: String, rounds: Int,
                iterations: Int, pruneFraction: Double = IMP.pruneFraction, rewindIteration: Int = 0, seed: UInt64,
                learningRate: Float = 0.01, referenceTicket: String? = nil) {
        self.method = method
        self.task = task
        self.images = images
        self.degradation = degradation
        self.rounds = rounds
        self.iterations = iterations
        self.pruneFraction = pruneFraction
        self.rewindIteration = rewindIteration
        self.seed = seed
        self.learningRate = learningRate
        self.referenceTicket = referenceTicket
    }

    /// Equal apart from the number of rounds (which a resumed search may extend).
    func isCompatible(with other: TicketSearchConfiguration) -> Bool {
        var a = self, b = other
        a.rounds = 0
        b.rounds = 0
        return a == b
    }
}

/// What one round of a search recorded.
public struct TicketRound: Codable, Equatable, Sendable {
    /// The mask index: round k's mask has nominal sparsity 1 - 0.8^k.
    public var round: Int
    public var sparsity: Double
    public var remainingWeights: Int
    /// Training with mask `round` on the mask-finding objective (IMP and one-shot only):
    /// best-over-iterations and final PSNR of the EMA against the first clean image, and
    /// the task's headline metric (Y-PSNR for SR).
    public var searchBestPSNR: Double?
    public var searchFinalPSNR: Double?
    public var searchBestScore: Double?
    public var seconds: Double
}

/// The `ticket.json` of a ticket folder.
public struct TicketManifest: Codable, Equatable, Sendable {
    public var format = "lip-ticket/2"
    public var configuration: TicketSearchConfiguration
    /// Rounds whose masks exist: round-00 (dense) … round-KK.
    public var rounds: [TicketRound]
    public var gitCommit: String
    public var networkParameters: Int
    public var convolutionWeights: Int
    /// What the search was computed from (images' content, degradation, threads); nil in
    /// folders of format 1, which cannot be resumed safely.
    public var specification: TicketSpecification?
    /// SHA-256 of every file of the folder (`theta0.safetensors`, `round-KK.safetensors`,
    /// …), checked whenever one is read; nil in folders of format 1.
    public var files: [String: String]?

    public init(configuration: TicketSearchConfiguration, rounds: [TicketRound], gitCommit: String,
                networkParameters: Int, convolutionWeights: Int, specification: TicketSpecification? = nil,
                files: [String: String]? = [:]) {
        self.configuration = configuration
        self.rounds = rounds
        self.gitCommit = gitCommit
        self.networkParameters = networkParameters
        self.convolutionWeights = convolutionWeights
        self.specification = specification
        self.files = files
    }
}

/// A ticket folder: `ticket.json`, `theta0.safetensors` (the initial weights, PyTorch
/// `state_dict` names), optionally `theta-rewind.safetensors`, and `round-KK.safetensors`
/// with the masks as `<layer>.weight_mask` (round 0 is the dense network).
public struct TicketFolder {
    public let url: URL

    public init(_ path: String) { url = URL(fileURLWithPath: path) }

    public var manifestURL: URL { url.appendingPathComponent("ticket.json") }
    public var initialWeightsURL: URL { url.appendingPathComponent("theta0.safetensors") }
    public var rewindWeightsURL: URL { url.appendingPathComponent("theta-rewind.safetensors") }
    public func maskURL(round: Int) -> URL { url.appendingPathComponent(String(format: "round-%02d.safetensors", round)) }

    public func manifest() throws -> TicketManifest {
        guard let data = FileManager.default.contents(atPath: manifestURL.path) else {
            throw TicketError.missing(url.path, "no ticket.json; is this a folder written by `lip ticket find`?")
        }
        do {
            return try JSONDecoder().decode(TicketManifest.self, from: data)
        } catch {
            throw TicketError.corrupt(manifestURL.path, "\(error)")
        }
    }

    func write(_ manifest: TicketManifest) throws {
        try ResultJSON.write(manifest, to: manifestURL.path)
    }

    /// Writes `file` as `name` in the folder and records its SHA-256 in `manifest` (the
    /// caller writes the manifest after it: a file without a record is not trusted).
    func write(_ file: SafeTensors, name: String, recordingIn manifest: inout TicketManifest) throws {
        let data = file.encoded()
        try AtomicFile.write(data, to: url.appendingPathComponent(name).path)
        manifest.files = (manifest.files ?? [:]).merging([name: SHA256.hex(data)]) { $1 }
    }

    /// A folder file checked against the SHA-256 `ticket.json` records for it.
    enum FileCheck {
        case intact(Data)
        case missing
        /// No hash recorded: a write the search did not finish.
        case unrecorded
        case damaged
    }

    /// Reads `name` and checks it against `files` (nil: a format-1 folder, nothing to
    /// check against).
    func check(_ name: String, against files: [String: String]?) -> FileCheck {
        guard let data = FileManager.default.contents(atPath: url.appendingPathComponent(name).path) else { return .missing }
        guard let files else { return .intact(data) }
        guard let expected = files[name] else { return .unrecorded }
        return SHA256.hex(data) == expected ? .intact(data) : .damaged
    }

    /// Reads `name`, checking it against the SHA-256 that `ticket.json` records for it.
    func readVerified(_ name: String, manifest: TicketManifest? = nil) throws -> SafeTensors {
        let path = url.appendingPathComponent(name).path
        let recompute = "rerun the same `lip ticket find` command to recompute it"
        switch check(name, against: try (manifest ?? self.manifest()).files) {
        case .intact(let data): return try SafeTensors.decode(data, path: path)
        case .missing: throw TicketError.missing(path, "cannot read the file")
        case .unrecorded:
            throw TicketError.corrupt(path, "ticket.json records no SHA-256 for it (a write the search did not finish); \(recompute)")
        case .damaged:
            throw TicketError.corrupt(path, "its content differs from the SHA-256 in ticket.json: the file was changed or damaged; \(recompute)")
        }
    }

    /// Why `name` cannot be trusted (missing, damaged or unrecorded), or nil.
    func integrityProblem(_ name: String, manifest: TicketManifest) -> String? {
        switch check(name, against: manifest.files ?? [:]) {
        case .intact: nil
        case .missing: "\(name) is missing"
        case .unrecorded: "\(name) has no SHA-256 in ticket.json"
        case .damaged: "\(name) is damaged (its SHA-256 differs from ticket.json)"
        }
    }

    public func initialWeights() throws -> SafeTensors { try readVerified(initialWeightsURL.lastPathComponent) }

    /// The weights a round's training starts from: θ_r for late rewinding, else θ0.
    public func rewindWeights() throws -> SafeTensors {
        FileManager.default.fileExists(atPath: rewindWeightsURL.path)
            ? try readVerified(rewindWeightsURL.lastPathComponent) : try initialWeights()
    }

    public func mask(round: Int, for network: any Layer) throws -> PruningMask {
        let path = maskURL(round: round).path
        guard FileManager.default.fileExists(atPath: path) else {
            let available = (try? manifest().rounds.map(\.round).map(String.init).joined(separator: ", ")) ?? "none"
            throw TicketError.missing(path, "round \(round) was not found (rounds available: \(available))")
        }
        return try PruningMask.from(try readVerified(maskURL(round: round).lastPathComponent), for: network, source: path)
    }

    /// Mask `round` for DIP's hourglass with `outputChannels` outputs (the network every
    /// ticket of this project is a mask of), read against its layer names and shapes.
    public func mask(round: Int, outputChannels: Int) throws -> PruningMask {
        try mask(round: round, for: makeSkipNetwork(.dip(channels: outputChannels)))
    }

    func writeMask(_ mask: PruningMask, round: Int, configuration: TicketSearchConfiguration, commit: String,
                   recordingIn manifest: inout TicketManifest) throws {
        let layers = mask.layers.map { "\"\($0.name)\": \(String(format: "%.6f", $0.sparsity))" }.joined(separator: ", ")
        let file = SafeTensors(entries: mask.stateDictEntries, metadata: [
            "format": "lip-ticket-mask/1", "round": String(round), "sparsity": String(format: "%.6f", mask.sparsity),
            "layer_sparsity": "{\(layers)}", "task": configuration.task.rawValue,
            "images": configuration.images.joined(separator: ";"), "method": configuration.method.rawValue,
            "seed": String(configuration.seed), "git_commit": commit,
        ])
        try write(file, name: maskURL(round: round).lastPathComponent, recordingIn: &manifest)
    }
}

public enum TicketError: Error, CustomStringConvertible {
    case missing(String, String)
    case corrupt(String, String)
    case incompatible(String, String)

    public var description: String {
        switch self {
        case .missing(let path, let why): "\(path): \(why)"
        case .corrupt(let path, let why): "\(path): unreadable (\(why))"
        case .incompatible(let path, let why): "\(path): \(why)"
        }
    }
}
