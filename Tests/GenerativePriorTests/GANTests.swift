import Foundation
import Testing
import LIPCore
import Networks
import TensorKit
@testable import GenerativePrior

struct FrechetDistanceTests {
    /// For diagonal covariances the distance is |μ1 - μ2|² + Σ (σ1 - σ2)².
    @Test func diagonalCovariancesHaveTheClosedForm() {
        let varianceA = [4.0, 1.0, 0.25], varianceB = [1.0, 9.0, 0.25]
        func diagonal(_ v: [Double]) -> [Double] {
            var m = [Double](repeating: 0, count: 9)
            for i in 0..<3 { m[i * 3 + i] = v[i] }
            return m
        }
        let distance = FrechetDistance.distance(meanA: [0, 1, 2], covarianceA: diagonal(varianceA),
                                                meanB: [1, 1, 0], covarianceB: diagonal(varianceB))
        let expected = (1.0 + 0 + 4) + (1.0 + 4 + 0)  // means, then (2-1)² + (1-3)² + 0
        #expect(abs(distance - expected) < 1e-9)
    }

    /// A full covariance against itself: zero, which needs (Σ Σ)^½ = Σ to hold.
    @Test func aGaussianIsAtZeroFromItself() {
        var random = RandomSource(seed: 3)
        let d = 6
        let factor = (0..<(d * d)).map { _ in Double(random.nextNormal()) }
        var covariance = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0..<d { for k in 0..<d { covariance[i * d + j] += factor[i * d + k] * factor[j * d + k] } } }
        let mean = (0..<d).map(Double.init)
        #expect(abs(FrechetDistance.distance(meanA: mean, covarianceA: covariance, meanB: mean, covarianceB: covariance)) < 1e-8)
        let root = FrechetDistance.symmetricSquareRoot(covariance, d)
        let square = FrechetDistance.multiply(root, root, d)
        #expect(zip(square, covariance).allSatisfy { abs($0 - $1) < 1e-9 * max(1, abs($1)) })
    }

    @Test func samplesFromTheSameSetAreCloserThanShiftedOnes() {
        var random = RandomSource(seed: 4)
        let a = (0..<400).map { _ in (0..<3).map { _ in Double(random.nextNormal()) } }
        let b = (0..<400).map { _ in (0..<3).map { _ in Double(random.nextNormal()) } }
        let shifted = b.map { $0.map { $0 + 1 } }
        let near = FrechetDistance.between(a, b), far = FrechetDistance.between(a, shifted)
        #expect(near < 0.1)
        // A shift by (1, 1, 1) leaves the covariances: only |μa - μb - 1|² changes.
        let meanA = (0..<3).map { j in a.reduce(0) { $0 + $1[j] } / 400 }, meanB = (0..<3).map { j in b.reduce(0) { $0 + $1[j] } / 400 }
        let expectedChange = (0..<3).reduce(0.0) { $0 + 1 + 2 * (meanB[$1] - meanA[$1]) }
        #expect(abs((far - near) - expectedChange) < 1e-9)
    }
}

struct GANTrainingTests {
    /// A tiny synthetic "dataset": 96 images of noise around a bright square.
    static let data: FashionMNIST = {
        var random = RandomSource(seed: 5)
        var images: [Float] = []
        for _ in 0..<96 {
            for i in 0..<28 { for j in 0..<28 {
                let inside = (8..<20).contains(i) && (8..<20).contains(j)
                images.append(max(-1, min(1, (inside ? 0.8 : -0.8) + 0.1 * random.nextNormal())))
            } }
        }
        return FashionMNIST(split: .train, images: images, labels: [Int](repeating: 0, count: 96))
    }()

    static let settings = GANTrainingSettings(configuration: DCGANConfiguration(latentDimension: 8, width: 4), seed: 11,
                                              batchSize: 32)

    /// Two epochs in one go, and one epoch, a checkpoint, a new trainer from it and one
    /// more epoch: the same weights bit for bit.
    @Test func resumingFromACheckpointGivesTheSameWeights() throws {
        let straight = GANTrainer(settings: Self.settings)
        straight.trainEpoch(on: Self.data)
        straight.trainEpoch(on: Self.data)

        let first = GANTrainer(settings: Self.settings)
        first.trainEpoch(on: Self.data)
        let file = try SafeTensors.decode(try first.checkpoint(provenance: [:]).encoded())
        let resumed = try GANTrainer(resuming: file, settings: Self.settings, source: "memory")
        #expect(resumed.epochsDone == 1)
        resumed.trainEpoch(on: Self.data)
        #expect(resumed.generator.parameters.map(\.data) == straight.generator.parameters.map(\.data))
        #expect(resumed.critic.parameters.map(\.data) == straight.critic.parameters.map(\.data))
        #expect(resumed.history.map(\.generatorLoss) == straight.history.map(\.generatorLoss))
    }

    @Test func aCheckpointOfOtherSettingsIsRefused() throws {
        let trainer = GANTrainer(settings: Self.settings)
        let file = try trainer.checkpoint(provenance: [:])
        var other = Self.settings
        other.seed = 12
        #expect { try GANTrainer(resuming: file, settings: other, source: "run/checkpoint.safetensors") } throws: { error in
            "\(error)".contains("run/checkpoint.safetensors was trained with other settings")
        }
        #expect(throws: GANTrainingError.self) {
            try GANTrainer(resuming: SafeTensors(entries: [], metadata: [:]), settings: Self.settings, source: "x")
        }
    }

    /// The generator maps [N, latent] to [N, 1, 28, 28] in [-1, 1]; the critic maps images
    /// to one logit each; training lowers the critic's loss on this easy set.
    @Test func shapesAndALearningCritic() {
        let trainer = GANTrainer(settings: Self.settings)
        let z = trainer.latents(5, stream: "test")
        let images = trainer.samples(z)
        #expect(images.count == 5 * 784)
        #expect(images.allSatisfy { abs($0) <= 1 })
        #expect(trainer.critic(Self.data.batch([0, 1, 2])).shape == [3, 1])
        let before = trainer.trainEpoch(on: Self.data).criticLoss
        var after = before
        for _ in 0..<4 { after = trainer.trainEpoch(on: Self.data).criticLoss }
        #expect(after < before)
    }

    @Test func aSampleGridPlacesEachImage() {
        let images = [Float](repeating: -1, count: 784) + [Float](repeating: 1, count: 784)
        let grid = sampleGrid(images, columns: 2, gap: 1, scale: 1)
        #expect(grid.width == 2 * 29 + 1 && grid.height == 29 + 1)
        #expect(grid.pixels[1 * grid.width + 1] == 0)       // first cell: black
        #expect(grid.pixels[1 * grid.width + 30] == 1)      // second cell: white
        #expect(grid.pixels[0] == 1)                        // the gap
    }
}

struct GANTicketTests {
    /// Pretrained weights from one epoch on the synthetic set, as `lip gan train` exports them.
    static func pretrained() throws -> (generator: SafeTensors, critic: SafeTensors) {
        let trainer = GANTrainer(settings: GANTrainingTests.settings)
        trainer.trainEpoch(on: GANTrainingTests.data)
        let settings = String(decoding: try CanonicalJSONForTests.encode(trainer.settings), as: UTF8.self)
        return (SafeTensors(entries: trainer.generator.stateDict(), metadata: ["settings": settings]),
                SafeTensors(entries: trainer.critic.stateDict(), metadata: ["settings": settings]))
    }

    /// Two IMP rounds: each network loses 20 % of its remaining weights per round, pruned
    /// weights stay zero through fine-tuning, and a second run over the same folder reads
    /// every round back with the same weights.
    @Test func impPrunesTwentyPercentPerRoundAndResumes() throws {
        let (generator, critic) = try Self.pretrained()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gan-ticket-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let settings = GANTicketSettings(method: .imp, rounds: 2, fineTuneEpochs: 1, fineTuneImages: 64, seed: 3)
        let search = try GANTicketSearch(settings: settings, generator: generator, critic: critic, source: "test", folder: folder)
        let rounds = try search.run(data: GANTrainingTests.data)
        #expect(rounds.map(\.round) == [0, 1, 2])
        #expect(abs(rounds[1].generatorSparsity - 0.2) < 0.001 && abs(rounds[2].generatorSparsity - 0.36) < 0.001)
        #expect(abs(rounds[2].criticSparsity - 0.36) < 0.001)
        // Pruned weights are exactly zero after fine-tuning.
        let last = rounds[2].generator
        let zeros = last.prunableWeights.reduce(0) { $0 + $1.weight.data.filter { $0 == 0 }.count }
        let total = last.prunableWeights.reduce(0) { $0 + $1.weight.count }
        #expect(Double(zeros) / Double(total) >= 0.36 - 0.001)

        var readBack: [Bool] = []
        let again = try search.run(data: GANTrainingTests.data) { readBack.append($1) }
        #expect(readBack == [true, true, true])
        #expect(again[2].generator.parameters.map(\.data) == last.parameters.map(\.data))
    }

    /// The released code's fromRGB quirk: the critic's input convolution fine-tunes dense
    /// while the others are masked, and the flag leaves the identity of main-path searches
    /// (their settings' JSON) as it was.
    @Test func theCriticInputQuirkKeepsItsFirstConvolutionDense() throws {
        let (generator, critic) = try Self.pretrained()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gan-ticket-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let quirk = GANTicketSettings(method: .imp, rounds: 2, fineTuneImages: 64, criticInputLayerDense: true)
        let search = try GANTicketSearch(settings: quirk, generator: generator, critic: critic, source: "t", folder: folder)
        let rounds = try search.run(data: GANTrainingTests.data)
        // Read the last round's critic back from its file: its first convolution has no zero.
        let file = try SafeTensors.read(folder.appendingPathComponent("round-02.safetensors").path)
        let network = makeCritic(GANTrainingTests.settings.configuration)
        try network.loadStateDict(file.part("critic."), source: "t")
        let weights = network.prunableWeights
        #expect(!weights[0].weight.data.contains(0))
        #expect(weights[1].weight.data.contains(0))
        #expect(rounds[2].criticSparsity < 0.36 && rounds[2].criticSparsity > 0.3)
        #expect(abs(rounds[2].generatorSparsity - 0.36) < 0.001)

        let plain = GANTicketSettings(method: .imp, rounds: 2)
        #expect(!String(decoding: try CanonicalJSONForTests.encode(plain), as: UTF8.self).contains("criticInputLayerDense"))
        let decoded = try JSONDecoder().decode(GANTicketSettings.self, from: try CanonicalJSONForTests.encode(quirk))
        #expect(decoded == quirk)
    }

    /// The released evaluation's extra prune takes 20 % of the remaining weights at random.
    @Test func theEvaluationQuirkPrunesTwentyPercentOfTheRemainingWeights() throws {
        let (generatorFile, _) = try Self.pretrained()
        let generator = makeGenerator(GANTrainingTests.settings.configuration)
        try generator.loadStateDict(generatorFile, source: "t")
        var random = RandomSource(seed: 8)
        try generator.applyPrunableMask(Pruner.randomStep(generator.denseMaskOverPrunableWeights(), fraction: 0.5, random: &random))
        try generator.pruneRemainingAtRandom(random: &random)
        let mask = generator.currentPrunableMask()
        #expect(abs(mask.sparsity - 0.6) < 0.001)
        let zeros = generator.prunableWeights.reduce(0) { $0 + $1.weight.data.filter { $0 == 0 }.count }
        #expect(zeros >= mask.count - mask.kept)
    }

    @Test func randomPruningKeepsTheSameCountsElsewhere() throws {
        let (generator, critic) = try Self.pretrained()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gan-ticket-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let imp = GANTicketSettings(method: .imp, rounds: 1, fineTuneImages: 64)
        let random = GANTicketSettings(method: .random, rounds: 1, fineTuneImages: 64)
        let a = try GANTicketSearch(settings: imp, generator: generator, critic: critic, source: "t",
                                    folder: folder.appendingPathComponent("imp")).run(data: GANTrainingTests.data)
        let b = try GANTicketSearch(settings: random, generator: generator, critic: critic, source: "t",
                                    folder: folder.appendingPathComponent("random")).run(data: GANTrainingTests.data)
        #expect(a[1].generatorSparsity == b[1].generatorSparsity)
        let zerosA = a[1].generator.prunableWeights.map { $0.weight.data.map { $0 == 0 } }
        let zerosB = b[1].generator.prunableWeights.map { $0.weight.data.map { $0 == 0 } }
        #expect(zerosA != zerosB)
        // A folder of another search is refused.
        #expect(throws: GANTrainingError.self) {
            try GANTicketSearch(settings: random, generator: generator, critic: critic, source: "t",
                                folder: folder.appendingPathComponent("imp")).run(data: GANTrainingTests.data)
        }
    }
}

import Store
typealias CanonicalJSONForTests = CanonicalJSON
