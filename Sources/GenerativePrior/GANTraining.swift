import Foundation
import LIPCore
import Networks
import Store
import TensorKit

/// How a generator is trained: the architecture, the seed that fixes θ0, the batch order
/// and every z, and the optimizer (Adam with DCGAN's lr 2e-4 and betas (0.5, 0.999)).
public struct GANTrainingSettings: Codable, Equatable, Sendable {
    public var configuration: DCGANConfiguration
    public var seed: UInt64
    public var batchSize: Int
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    /// Train on the first `trainingImages` of the training split (nil: all 60,000).
    public var trainingImages: Int?

    public init(configuration: DCGANConfiguration = DCGANConfiguration(), seed: UInt64 = 0, batchSize: Int = 64,
                learningRate: Float = 2e-4, beta1: Float = 0.5, beta2: Float = 0.999, trainingImages: Int? = nil) {
        self.configuration = configuration
        self.seed = seed
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.trainingImages = trainingImages
    }
}

/// What one epoch did.
public struct GANEpochRecord: Codable, Equatable, Sendable {
    public var epoch: Int
    /// Means over the epoch's batches of the non-saturating generator loss
    /// -log D(G(z)) and of the critic's logistic loss on real plus fake.
    public var generatorLoss: Double
    public var criticLoss: Double
    /// Mean of D's probability "real" on real and on generated batches.
    public var criticOnReal: Double
    public var criticOnFake: Double
    public var seconds: Double
    /// Sample quality in the classifier's feature space (nil without a classifier).
    public var frechetDistance: Double?
    /// How the classifier labels the evaluation samples, class by class.
    public var sampleClassCounts: [Int]?
}

/// A DCGAN trained with the non-saturating loss (Goodfellow et al. 2014): the critic
/// minimises BCE(D(x), 1) + BCE(D(G(z)), 0), the generator BCE(D(G(z)), 1). Every epoch
/// is fixed by the seed alone (its batch order and its z come from streams derived from
/// "epoch-k"), so training resumed from a checkpoint gives the same weights bit for bit.
///
/// WGAN-GP (the released code's loss) needs the gradient of a gradient norm; the engine
/// has no double backward, so this uses the loss DCGAN was published with.
public final class GANTrainer {
    public let settings: GANTrainingSettings
    public let generator: Sequential
    public let critic: Sequential
    let generatorOptimizer: Adam
    let criticOptimizer: Adam
    public private(set) var epochsDone = 0
    public private(set) var history: [GANEpochRecord] = []

    public init(settings: GANTrainingSettings) {
        self.settings = settings
        generator = makeGenerator(settings.configuration)
        critic = makeCritic(settings.configuration)
        let random = RandomSource(seed: settings.seed)
        var generatorRandom = random.derived("generator-init"), criticRandom = random.derived("critic-init")
        initializeDCGAN(generator, random: &generatorRandom)
        initializeDCGAN(critic, random: &criticRandom)
        generatorOptimizer = Adam(parameters: generator.parameters, learningRate: settings.learningRate,
                                  beta1: settings.beta1, beta2: settings.beta2)
        criticOptimizer = Adam(parameters: critic.parameters, learningRate: settings.learningRate,
                               beta1: settings.beta1, beta2: settings.beta2)
    }

    /// The order of the training images in epoch `epoch` (1-based).
    func order(epoch: Int, count: Int) -> [Int] {
        var random = RandomSource(seed: settings.seed).derived("epoch-\(epoch)-order")
        return random.permutation(count)
    }

    /// Trains one more epoch; `progress(batch, batches, generatorLoss, criticLoss)` after each batch.
    @discardableResult
    public func trainEpoch(on data: FashionMNIST, progress: (Int, Int, Double, Double) -> Void = { _, _, _, _ in })
        -> GANEpochRecord
    {
        let epoch = epochsDone + 1
        let started = Date()
        let count = min(settings.trainingImages ?? data.count, data.count)
        let indices = order(epoch: epoch, count: count)
        let batchSize = settings.batchSize, latent = settings.configuration.latentDimension
        let batches = count / batchSize  // the last partial batch is dropped, as `drop_last=True`
        var noise = RandomSource(seed: settings.seed).derived("epoch-\(epoch)-z")
        var sums = (generator: 0.0, critic: 0.0, real: 0.0, fake: 0.0)
        generator.setEvaluationMode(false)
        critic.setEvaluationMode(false)
        for b in 0..<batches {
            let real = data.batch(Array(indices[(b * batchSize)..<((b + 1) * batchSize)]))
            let z = Tensor(shape: [batchSize, latent], data: noise.normal(count: batchSize * latent))
            let fake = generator(z)

            criticOptimizer.zeroGradients()
            let realLogits = critic(real), fakeLogits = critic(fake.detached())
            let criticLoss = binaryCrossEntropy(logits: realLogits, label: 1) + binaryCrossEntropy(logits: fakeLogits, label: 0)
            criticLoss.backward()
            criticOptimizer.step()

            generatorOptimizer.zeroGradients()
            let generatorLoss = binaryCrossEntropy(logits: critic(fake), label: 1)
            generatorLoss.backward()
            generatorOptimizer.step()

            sums.generator += Double(generatorLoss.scalar)
            sums.critic += Double(criticLoss.scalar)
            sums.real += realLogits.data.reduce(0.0) { $0 + 1 / (1 + exp(-Double($1))) } / Double(batchSize)
            sums.fake += fakeLogits.data.reduce(0.0) { $0 + 1 / (1 + exp(-Double($1))) } / Double(batchSize)
            progress(b + 1, batches, sums.generator / Double(b + 1), sums.critic / Double(b + 1))
        }
        epochsDone = epoch
        let n = Double(max(1, batches))
        let record = GANEpochRecord(epoch: epoch, generatorLoss: sums.generator / n, criticLoss: sums.critic / n,
                                    criticOnReal: sums.real / n, criticOnFake: sums.fake / n,
                                    seconds: Date().timeIntervalSince(started))
        history.append(record)
        return record
    }

    /// Attaches quality figures to the last epoch's record.
    public func recordQuality(frechetDistance: Double, sampleClassCounts: [Int]) {
        guard !history.isEmpty else { return }
        history[history.count - 1].frechetDistance = frechetDistance
        history[history.count - 1].sampleClassCounts = sampleClassCounts
    }

    // MARK: Checkpoints

    public static let checkpointFormat = "lip-gan-checkpoint/1"

    /// Everything needed to continue: both networks, both optimizers' moments, the epoch
    /// count, the settings and the history, in one safetensors file.
    public func checkpoint(provenance: [String: String]) throws -> SafeTensors {
        var entries: [SafeTensors.Entry] = []
        entries += generator.stateDict().prefixed("generator.")
        entries += critic.stateDict().prefixed("critic.")
        for (name, optimizer, network) in [("generator", generatorOptimizer, generator), ("critic", criticOptimizer, critic)] {
            let state = optimizer.state
            for (index, (parameter, tensor)) in network.namedParameters().enumerated() {
                entries.append(.init(name: "optimizer.\(name).\(parameter).exp_avg", shape: tensor.shape,
                                     values: .float32(state.first[index])))
                entries.append(.init(name: "optimizer.\(name).\(parameter).exp_avg_sq", shape: tensor.shape,
                                     values: .float32(state.second[index])))
            }
            entries.append(.init(name: "optimizer.\(name).step", shape: [], values: .int64([Int64(state.step)])))
        }
        var metadata = provenance
        metadata["format"] = Self.checkpointFormat
        metadata["epoch"] = String(epochsDone)
        metadata["settings"] = String(decoding: try CanonicalJSON.encode(settings), as: UTF8.self)
        metadata["history"] = String(decoding: try JSONEncoder().encode(history), as: UTF8.self)
        return SafeTensors(entries: entries, metadata: metadata)
    }

    /// A trainer continued from `file`, which must have been written with `settings`.
    public convenience init(resuming file: SafeTensors, settings: GANTrainingSettings, source: String) throws {
        guard file.metadata["format"] == Self.checkpointFormat, let epochText = file.metadata["epoch"],
              let epoch = Int(epochText), let settingsText = file.metadata["settings"],
              let historyText = file.metadata["history"] else {
            throw GANTrainingError.notACheckpoint(path: source, reason: "its metadata is not that of \(Self.checkpointFormat)")
        }
        let stored = try JSONDecoder().decode(GANTrainingSettings.self, from: Data(settingsText.utf8))
        guard stored == settings else {
            throw GANTrainingError.settingsDiffer(path: source, stored: settingsText,
                                                  requested: String(decoding: try CanonicalJSON.encode(settings), as: UTF8.self))
        }
        self.init(settings: settings)
        try generator.loadStateDict(file.part("generator."), source: source)
        try critic.loadStateDict(file.part("critic."), source: source)
        for (name, optimizer, network) in [("generator", generatorOptimizer, generator), ("critic", criticOptimizer, critic)] {
            var first: [[Float]] = [], second: [[Float]] = []
            for (parameter, tensor) in network.namedParameters() {
                guard let m = file["optimizer.\(name).\(parameter).exp_avg"], let v = file["optimizer.\(name).\(parameter).exp_avg_sq"],
                      m.shape == tensor.shape, v.shape == tensor.shape else {
                    throw GANTrainingError.notACheckpoint(path: source, reason: "missing or misshapen Adam state of \(name).\(parameter)")
                }
                first.append(m.floats)
                second.append(v.floats)
            }
            guard let step = file["optimizer.\(name).step"], case .int64(let s) = step.values, let count = s.first else {
                throw GANTrainingError.notACheckpoint(path: source, reason: "missing optimizer.\(name).step")
            }
            optimizer.restore(step: Int(count), first: first, second: second)
        }
        epochsDone = epoch
        history = try JSONDecoder().decode([GANEpochRecord].self, from: Data(historyText.utf8))
    }

    // MARK: Samples

    /// Generated images for `z` ([N, latent]) in evaluation mode (running statistics), as
    /// a flat array of N 28x28 images in [-1, 1].
    public func samples(_ z: Tensor) -> [Float] {
        generator.setEvaluationMode(true)
        defer { generator.setEvaluationMode(false) }
        return GradientMode.withoutGradients { generator(z) }.data
    }

    /// `count` latent vectors from the stream `name` of this run's seed.
    public func latents(_ count: Int, stream: String) -> Tensor {
        var random = RandomSource(seed: settings.seed).derived(stream)
        let latent = settings.configuration.latentDimension
        return Tensor(shape: [count, latent], data: random.normal(count: count * latent))
    }
}

public enum GANTrainingError: Error, CustomStringConvertible {
    case settingsDiffer(path: String, stored: String, requested: String)
    case notACheckpoint(path: String, reason: String)

    public var description: String {
        switch self {
        case .notACheckpoint(let path, let reason): "\(path): not a GAN training checkpoint (\(reason))"
        case .settingsDiffer(let path, let stored, let requested):
            "\(path) was trained with other settings:\n  stored:    \(stored)\n  requested: \(requested)\n"
                + "Resume with the stored settings, or train into another --out folder."
        }
    }
}
