import Foundation
import ImageIO
import LIPCore
import Networks
import TensorKit

/// The scale of each profile of the generative-prior notebooks: how many test images and
/// seeds, which measurement counts, how long each latent search runs, how many pruning
/// rounds and how much fine-tuning per round.
public struct GANScale: Codable, Equatable, Sendable {
    public var name: String
    /// Test images per class (the first of each class in Fashion-MNIST's test split).
    public var imagesPerClass: Int
    /// Seeds of A, the noise and the starts of z; claims pair over images x seeds.
    public var seeds: [UInt64]
    public var measurementCounts: [Int]
    /// The m at which the pruned generators are compared.
    public var sparsityMeasurements: Int
    public var search: LatentSearchSettings
    public var rounds: Int
    public var fineTuneImages: Int
    public var fineTuneEpochs: Int
    /// Generated samples per Fréchet distance.
    public var frechetSamples: Int

    public static let smoke = GANScale(
        name: "smoke", imagesPerClass: 1, seeds: [1], measurementCounts: [50, 200], sparsityMeasurements: 100,
        search: LatentSearchSettings(steps: 5, restarts: 1), rounds: 1, fineTuneImages: 128, fineTuneEpochs: 1,
        frechetSamples: 100)
    public static let quick = GANScale(
        name: "quick", imagesPerClass: 1, seeds: [1], measurementCounts: [25, 50, 100, 200, 400, 600], sparsityMeasurements: 100,
        search: LatentSearchSettings(steps: 200, restarts: 2), rounds: 5, fineTuneImages: 3200, fineTuneEpochs: 1,
        frechetSamples: 1000)
    public static let standard = GANScale(
        name: "standard", imagesPerClass: 2, seeds: [1, 2], measurementCounts: [10, 25, 50, 100, 200, 400, 600],
        sparsityMeasurements: 100, search: LatentSearchSettings(steps: 500, restarts: 3), rounds: 8,
        fineTuneImages: 12_800, fineTuneEpochs: 1, frechetSamples: 2000)
    /// The released code's search length (1,500 Adam steps on z); its fine-tuning (30
    /// epochs of WGAN-GP on 40 % of CelebA-HQ per round) is out of reach: one epoch of all
    /// 60,000 images instead.
    public static let paper = GANScale(
        name: "paper", imagesPerClass: 5, seeds: [1, 2, 3], measurementCounts: [10, 25, 50, 100, 200, 400, 600],
        sparsityMeasurements: 100, search: LatentSearchSettings(steps: 1500, restarts: 3), rounds: 10,
        fineTuneImages: 60_000, fineTuneEpochs: 1, frechetSamples: 2000)

    public static let all = [smoke, quick, standard, paper]

    public static func named(_ name: String) throws -> GANScale {
        guard let scale = all.first(where: { $0.name == name }) else {
            throw GANExperimentError("unknown scale '\(name)'; one of \(all.map(\.name).joined(separator: ", "))")
        }
        return scale
    }
}

public struct GANExperimentError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The trained generator and critic a notebook uses: `generator.safetensors` and
/// `critic.safetensors` of a `lip gan train` folder (the committed one is
/// `data/generative`).
public struct PretrainedGAN {
    public let configuration: DCGANConfiguration
    public let generatorFile: SafeTensors
    public let criticFile: SafeTensors
    public let folder: String

    public init(folder: String) throws {
        let generatorPath = (folder as NSString).appendingPathComponent("generator.safetensors")
        let criticPath = (folder as NSString).appendingPathComponent("critic.safetensors")
        generatorFile = try SafeTensors.read(generatorPath)
        criticFile = try SafeTensors.read(criticPath)
        guard let text = generatorFile.metadata["settings"],
              let settings = try? JSONDecoder().decode(GANTrainingSettings.self, from: Data(text.utf8)) else {
            throw GANTrainingError.notACheckpoint(path: generatorPath, reason: "no training settings in its metadata")
        }
        configuration = settings.configuration
        self.folder = folder
    }

    /// A fresh generator with the pretrained weights.
    public func generator() throws -> Sequential {
        let network = makeGenerator(configuration)
        try network.loadStateDict(generatorFile, source: "generator.safetensors")
        return network
    }

    /// Searches tickets (IMP or random) from these weights in a scratch folder and returns
    /// every round's generator (round 0: dense, fine-tuned alike). `criticInputLayerDense`
    /// reproduces the released code's unmasked `fromRGB` (the audit only).
    public func tickets(_ method: GANTicketSettings.Method, scale: GANScale, data: FashionMNIST, seed: UInt64 = 0,
                        criticInputLayerDense: Bool = false,
                        finished: (GANTicketRound) -> Void = { _ in }) throws -> [GANTicketRound] {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("lip-gan-tickets-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let settings = GANTicketSettings(method: method, rounds: scale.rounds, fineTuneEpochs: scale.fineTuneEpochs,
                                         fineTuneImages: scale.fineTuneImages, seed: seed,
                                         criticInputLayerDense: criticInputLayerDense)
        let search = try GANTicketSearch(settings: settings, generator: generatorFile, critic: criticFile,
                                         source: folder.path, folder: folder)
        return try search.run(data: data) { round, _ in finished(round) }
    }
}

/// PSNR in dB of per-pixel MSEs on the [0, 1] scale.
public func psnr(meanSquaredError: Double) -> Double { 10 * log10(1 / max(meanSquaredError, 1e-12)) }

/// PSNRs in dB of per-pixel MSEs on the [0, 1] scale, one per value.
public func psnrs(_ meanSquaredErrors: [Double]) -> [Double] { meanSquaredErrors.map { psnr(meanSquaredError: $0) } }

/// Compressed-sensing reconstructions of `images` ([count, 784] in [-1, 1]) for one design
/// and seed, by the generator (latent search) and by the baselines.
public enum CompressedSensingRun {
    /// The generator's reconstructions and their per-image MSE.
    public static func generator(_ generator: Sequential, latentDimension: Int, images: [Float],
                                 design: MeasurementDesign, search: LatentSearchSettings, seed: UInt64)
        -> (images: [Float], mse: [Double])
    {
        var random = RandomSource(seed: seed).derived("measurements-\(design.measurements)-\(design.outliers)")
        let measured = MeasuredImages(design: design, images: images, random: &random)
        var starts = RandomSource(seed: seed).derived("latent-starts")
        let result = reconstruct(with: generator, latentDimension: latentDimension, observation: .linear(measured),
                                 settings: search, random: &starts)
        return (result.images, meanSquaredErrors(result.images, truth: images))
    }

    /// Lasso in the DCT basis (each penalty of `penalties`) and the least-norm solution,
    /// on the same A, noise and images as `generator(...)` with the same design and seed.
    /// Outputs are clipped to [-1, 1], the images' range.
    public static func baselines(images: [Float], design: MeasurementDesign, seed: UInt64, lassoPenalties: [Double],
                                 lassoIterations: Int = 500) -> (lasso: [[Float]], leastNorm: [Float])
    {
        var random = RandomSource(seed: seed).derived("measurements-\(design.measurements)-\(design.outliers)")
        let measured = MeasuredImages(design: design, images: images, random: &random)
        let m = design.measurements, n = FashionMNIST.pixels
        let lassoSolver = SparseRecovery.LassoDCT(matrix: measured.matrix.data, rows: m, side: FashionMNIST.side)
        let leastNormSolver = SparseRecovery.LeastNorm(matrix: measured.matrix.data, rows: m, columns: n)
        var lasso = [[Float]](repeating: [], count: lassoPenalties.count), leastNorm: [Float] = []
        for i in 0..<measured.count {
            let y = Array(measured.observations.data[(i * m)..<((i + 1) * m)])
            for (k, penalty) in lassoPenalties.enumerated() {
                lasso[k] += lassoSolver.solve(y, penalty: penalty, iterations: lassoIterations).map { min(1, max(-1, $0)) }
            }
            leastNorm += leastNormSolver.solve(y).map { min(1, max(-1, $0)) }
        }
        return (lasso, leastNorm)
    }

    /// The Lasso penalty among `candidates` with the lowest mean MSE on `validation`
    /// images (from the training split, never the test images).
    public static func chooseLassoPenalty(validation: [Float], design: MeasurementDesign, seed: UInt64,
                                          candidates: [Double] = [1e-4, 1e-3, 1e-2, 1e-1]) -> Double {
        let runs = baselines(images: validation, design: design, seed: seed, lassoPenalties: candidates).lasso
        let errors = runs.map { meanSquaredErrors($0, truth: validation).reduce(0, +) }
        return candidates[errors.indices.min { errors[$0] < errors[$1] }!]
    }
}

/// Binary masks for GAN inpainting at 28x28 (1 = known pixel).
public enum InpaintingMasks {
    /// Each pixel missing with probability `missing`, from `seed`.
    public static func random(missing: Double, seed: UInt64) -> [Float] {
        var random = RandomSource(seed: seed).derived("random-mask")
        return (0..<FashionMNIST.pixels).map { _ in Double(random.nextUniform()) < missing ? 0 : 1 }
    }

    /// A text mask drawn at `factor` x 28 pixels (e.g. `TextMask.render`) reduced to 28x28
    /// by blocks: a pixel is known when at least 3/4 of its block is (thin strokes would
    /// vanish under a majority rule).
    public static func reduced(_ image: Image, factor: Int) -> [Float] {
        let side = FashionMNIST.side
        precondition(image.width == side * factor && image.height == side * factor, "a \(side * factor) px mask is needed")
        return (0..<(side * side)).map { p in
            let (i, j) = (p / side, p % side)
            var known: Float = 0
            for di in 0..<factor { for dj in 0..<factor { known += image.pixels[(i * factor + di) * image.width + j * factor + dj] } }
            return known / Float(factor * factor) >= 0.75 ? 1 : 0
        }
    }
}
