import Foundation
import LIPCore
import Networks
import Store
import TensorKit

extension Layer {
    /// The weights a GAN lottery ticket prunes: every convolution's and linear layer's
    /// weight (biases and batch norms stay dense), in module order.
    public var prunableWeights: [(path: String, weight: Tensor)] {
        namedModules().compactMap { module in
            if let conv = module.layer as? Conv2d { return (module.path, conv.weight) }
            if let dense = module.layer as? Linear { return (module.path, dense.weight) }
            return nil
        }
    }

    /// A mask keeping every prunable weight.
    public func denseMaskOverPrunableWeights() -> PruningMask {
        PruningMask(layers: prunableWeights.map {
            .init(name: $0.path, shape: $0.weight.shape, values: [Float](repeating: 1, count: $0.weight.count))
        })
    }

    /// The mask the prunable weights carry now (a layer without one counts as dense).
    public func currentPrunableMask() -> PruningMask {
        let modules = Dictionary(uniqueKeysWithValues: namedModules().map { ($0.path, $0.layer) })
        return PruningMask(layers: prunableWeights.map { entry in
            let mask = (modules[entry.path] as? Conv2d)?.mask ?? (modules[entry.path] as? Linear)?.mask
            return .init(name: entry.path, shape: entry.weight.shape,
                         values: mask ?? [Float](repeating: 1, count: entry.weight.count))
        })
    }

    /// The released evaluation's quirk, for the audit only: `Eval_sparse_PGAN_on_CS.py`
    /// and `Eval_sparse_PGAN_on_inpainting.py` load a round's sparse generator and then
    /// prune it again, `pruning_generate(netG, 0.2, 'random')`: 20 % of its weights at
    /// random, globally. Torch draws from all weights (the loaded zeros carry no mask), so
    /// in expectation 20 % of the remaining ones go; here exactly 20 % of the remaining.
    public func pruneRemainingAtRandom(fraction: Double = 0.2, random: inout RandomSource) throws {
        try applyPrunableMask(Pruner.randomStep(currentPrunableMask(), fraction: fraction, random: &random))
    }

    /// Masks the prunable weights (pruned entries become zero; `Adam.masks` keeps them there).
    public func applyPrunableMask(_ mask: PruningMask) throws {
        let modules = Dictionary(uniqueKeysWithValues: namedModules().map { ($0.path, $0.layer) })
        guard prunableWeights.map(\.path) == mask.layers.map(\.name) else {
            throw MaskError.layersDiffer(expected: prunableWeights.map(\.path), found: mask.layers.map(\.name))
        }
        for layer in mask.layers {
            if let conv = modules[layer.name] as? Conv2d { conv.mask = layer.values }
            if let dense = modules[layer.name] as? Linear { dense.mask = layer.values }
        }
    }
}

/// How GAN tickets are searched: IMP on the generator and on the critic, each pruned
/// globally within itself by magnitude (20 % of the remaining weights per round), each round
/// fine-tuning both from the *pretrained* weights under the current masks (the released
/// `Compressed_sensing_GAN` code's rewinding), or the random baseline pruning the same
/// counts uniformly at random.
public struct GANTicketSettings: Codable, Equatable, Sendable {
    public enum Method: String, Codable, Sendable, CaseIterable {
        case imp
        case random
    }

    public var method: Method
    public var rounds: Int
    /// Epochs of fine-tuning per round, over the first `fineTuneImages` training images.
    public var fineTuneEpochs: Int
    public var fineTuneImages: Int
    public var seed: UInt64
    /// The released code's quirk, for the audit only: its `prune_model_custom` re-masks
    /// G's layers and D's scale layers but not D's `fromRGB` convolutions, so D's input
    /// convolution fine-tunes dense in every round, while the next global ranking
    /// (`pruning_generate` over every conv) still counts all its weights. Here: the
    /// critic's first convolution is left unmasked while fine-tuning and its mask is reset
    /// to dense before each pruning step. Off in every main-path search.
    public var criticInputLayerDense: Bool

    public init(method: Method, rounds: Int, fineTuneEpochs: Int = 1, fineTuneImages: Int = 6400, seed: UInt64 = 0,
                criticInputLayerDense: Bool = false) {
        self.method = method
        self.rounds = rounds
        self.fineTuneEpochs = fineTuneEpochs
        self.fineTuneImages = fineTuneImages
        self.seed = seed
        self.criticInputLayerDense = criticInputLayerDense
    }

    enum CodingKeys: String, CodingKey {
        case method, rounds, fineTuneEpochs, fineTuneImages, seed, criticInputLayerDense
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        method = try container.decode(Method.self, forKey: .method)
        rounds = try container.decode(Int.self, forKey: .rounds)
        fineTuneEpochs = try container.decode(Int.self, forKey: .fineTuneEpochs)
        fineTuneImages = try container.decode(Int.self, forKey: .fineTuneImages)
        seed = try container.decode(UInt64.self, forKey: .seed)
        criticInputLayerDense = try container.decodeIfPresent(Bool.self, forKey: .criticInputLayerDense) ?? false
    }

    /// The quirk's flag is written only when set, so that folders of main-path searches
    /// keep the identity they had before it existed.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(method, forKey: .method)
        try container.encode(rounds, forKey: .rounds)
        try container.encode(fineTuneEpochs, forKey: .fineTuneEpochs)
        try container.encode(fineTuneImages, forKey: .fineTuneImages)
        try container.encode(seed, forKey: .seed)
        if criticInputLayerDense { try container.encode(true, forKey: .criticInputLayerDense) }
    }
}

/// One round of a search: the fine-tuned, masked generator and its sparsity.
public struct GANTicketRound {
    public var round: Int
    /// Fraction of the generator's prunable weights pruned.
    public var generatorSparsity: Double
    public var criticSparsity: Double
    public var generator: Sequential
}

/// Searches GAN lottery tickets from a pretrained checkpoint (`lip gan train`), round
/// by round; a folder keeps each finished round so that a search resumes where it stopped.
/// Round 0 is the dense generator fine-tuned like every other round, so that every
/// round differs from it by the masks alone.
public struct GANTicketSearch {
    public let settings: GANTicketSettings
    public let training: GANTrainingSettings
    let pretrainedGenerator: SafeTensors
    let pretrainedCritic: SafeTensors
    public let folder: URL

    public static let format = "lip-gan-ticket-round/1"

    /// `generator` and `critic` are the `generator.safetensors` and `critic.safetensors`
    /// of a `lip gan train` run (its settings are in their metadata).
    public init(settings: GANTicketSettings, generator: SafeTensors, critic: SafeTensors, source: String, folder: URL) throws {
        guard let text = generator.metadata["settings"],
              let stored = try? JSONDecoder().decode(GANTrainingSettings.self, from: Data(text.utf8)) else {
            throw GANTrainingError.notACheckpoint(path: source, reason: "no training settings in its metadata")
        }
        var training = stored
        training.seed = settings.seed
        training.trainingImages = settings.fineTuneImages
        self.settings = settings
        self.training = training
        pretrainedGenerator = generator
        pretrainedCritic = critic
        self.folder = folder
    }

    func roundURL(_ round: Int) -> URL { folder.appendingPathComponent(String(format: "round-%02d.safetensors", round)) }

    /// A trainer holding the pretrained weights (Adam starts afresh).
    func pretrainedTrainer() throws -> GANTrainer {
        let trainer = GANTrainer(settings: training)
        try trainer.generator.loadStateDict(pretrainedGenerator, source: "the pretrained generator")
        try trainer.critic.loadStateDict(pretrainedCritic, source: "the pretrained critic")
        return trainer
    }

    /// Runs rounds 0...settings.rounds (those already in the folder are read back), calling
    /// `finished` after each. Returns every round.
    public func run(data: FashionMNIST, finished: (GANTicketRound, Bool) -> Void = { _, _ in }) throws -> [GANTicketRound] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var random = RandomSource(seed: settings.seed).derived("gan-ticket-\(settings.method.rawValue)")
        let template = try pretrainedTrainer()
        var generatorMask = template.generator.denseMaskOverPrunableWeights()
        var criticMask = template.critic.denseMaskOverPrunableWeights()
        var rounds: [GANTicketRound] = []
        for round in 0...settings.rounds {
            let trainer = try pretrainedTrainer()
            let url = roundURL(round)
            var reused = false
            if FileManager.default.fileExists(atPath: url.path) {
                let file = try SafeTensors.read(url.path)
                guard file.metadata["format"] == Self.format,
                      file.metadata["settings"] == String(decoding: try CanonicalJSON.encode(settings), as: UTF8.self) else {
                    throw GANTrainingError.notACheckpoint(path: url.path, reason: "a round of another search; use another folder")
                }
                generatorMask = try readMask(file, prefix: "generator_mask.", template: generatorMask, source: url.path)
                criticMask = try readMask(file, prefix: "critic_mask.", template: criticMask, source: url.path)
                try trainer.generator.loadStateDict(file.part("generator."), source: url.path)
                try trainer.critic.loadStateDict(file.part("critic."), source: url.path)
                try applyMasks(trainer, generator: generatorMask, critic: criticMask)
                reused = true
            } else {
                try applyMasks(trainer, generator: generatorMask, critic: criticMask)
                trainer.maskOptimizers()
                for _ in 0..<settings.fineTuneEpochs { trainer.trainEpoch(on: data) }
                var entries = trainer.generator.stateDict().prefixed("generator.")
                entries += trainer.critic.stateDict().prefixed("critic.")
                entries += generatorMask.layers.map { .init(name: "generator_mask.\($0.name)", shape: $0.shape, values: .float32($0.values)) }
                entries += criticMask.layers.map { .init(name: "critic_mask.\($0.name)", shape: $0.shape, values: .float32($0.values)) }
                try SafeTensors(entries: entries, metadata: [
                    "format": Self.format, "round": String(round),
                    "settings": String(decoding: try CanonicalJSON.encode(settings), as: UTF8.self),
                ]).write(to: url.path)
            }
            let criticSparsity = settings.criticInputLayerDense
                ? criticMask.effectiveSparsity(keepingDense: [criticMask.layers[0].name]) : criticMask.sparsity
            let result = GANTicketRound(round: round, generatorSparsity: generatorMask.sparsity,
                                        criticSparsity: criticSparsity, generator: trainer.generator)
            rounds.append(result)
            finished(result, reused)
            // The next round's masks: from this round's fine-tuned weights (IMP) or at random.
            criticMask = densifyingCriticInput(criticMask)
            switch settings.method {
            case .imp:
                generatorMask = Pruner.magnitudeStep(generatorMask, weights: trainer.generator.prunableWeights.map(\.weight.data))
                criticMask = Pruner.magnitudeStep(criticMask, weights: trainer.critic.prunableWeights.map(\.weight.data))
            case .random:
                generatorMask = Pruner.randomStep(generatorMask, random: &random)
                criticMask = Pruner.randomStep(criticMask, random: &random)
            }
        }
        return rounds
    }

    /// Masks both networks; with `criticInputLayerDense`, the critic's input convolution
    /// stays dense (its weights are the pretrained ones, never zeroed).
    private func applyMasks(_ trainer: GANTrainer, generator: PruningMask, critic: PruningMask) throws {
        try trainer.generator.applyPrunableMask(generator)
        try trainer.critic.applyPrunableMask(densifyingCriticInput(critic))
    }

    /// With `criticInputLayerDense`, `mask` with the critic's input convolution all kept
    /// (the released code never re-masks D's `fromRGB`); otherwise `mask` itself.
    private func densifyingCriticInput(_ mask: PruningMask) -> PruningMask {
        guard settings.criticInputLayerDense else { return mask }
        var mask = mask
        mask.layers[0].values = [Float](repeating: 1, count: mask.layers[0].count)
        return mask
    }

    private func readMask(_ file: SafeTensors, prefix: String, template: PruningMask, source: String) throws -> PruningMask {
        var mask = template
        for l in mask.layers.indices {
            guard let entry = file[prefix + mask.layers[l].name], entry.shape == mask.layers[l].shape else {
                throw GANTrainingError.notACheckpoint(path: source, reason: "missing or misshapen \(prefix)\(mask.layers[l].name)")
            }
            mask.layers[l].values = entry.floats
        }
        return mask
    }
}

extension GANTrainer {
    /// Keeps pruned weights at zero through training: each masked layer's mask goes to Adam.
    func maskOptimizers() {
        for (optimizer, network) in [(generatorOptimizer, generator), (criticOptimizer, critic)] {
            for module in network.namedModules() {
                if let conv = module.layer as? Conv2d, let mask = conv.mask { optimizer.masks[ObjectIdentifier(conv.weight)] = mask }
                if let dense = module.layer as? Linear, let mask = dense.mask { optimizer.masks[ObjectIdentifier(dense.weight)] = mask }
            }
        }
    }
}
