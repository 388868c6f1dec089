import ArgumentParser
import Foundation
import GenerativePrior
import ImageIO
import Networks
import LIPCore
import Store
import TensorKit

struct GANCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gan",
        abstract: "Train the generative prior: a DCGAN on Fashion-MNIST and the classifier that scores its samples.",
        subcommands: [Train.self, Classifier.self, Ticket.self])

    /// Options every `lip gan` command shares.
    struct DataOptions: ParsableArguments {
        @Option(help: "Folder with Fashion-MNIST's four .gz files (Debian's dataset-fashion-mnist).")
        var data: String = FashionMNIST.defaultDirectory

        func load(_ split: FashionMNIST.Split) throws -> FashionMNIST {
            do { return try FashionMNIST.load(split, directory: data) } catch { throw InputProblem("--data: \(error)") }
        }
    }

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a DCGAN generator and critic (non-saturating loss), resumable per epoch.",
            discussion: """
                Writes into --out after every epoch: checkpoint.safetensors (both networks and both Adam \
                states: rerunning the same command resumes, a larger --epochs extends a finished run), \
                generator.safetensors and critic.safetensors (each network alone, PyTorch state_dict names), \
                samples-epoch-NN.png \
                (64 samples of a fixed z) and metrics.json (losses, time, and with a classifier the Fréchet \
                distance of 2,000 samples to 2,000 test images in its feature space).
                """)

        @Option(parsing: .unconditional, help: "Epochs to train in total (a finished run resumes and extends).")
        var epochs: Int = 10
        @Option(parsing: .unconditional, help: "Seed of θ0, the batch order and every z.")
        var seed: UInt64 = 0
        @Option(parsing: .unconditional, help: "Channels of the generator's middle layer (w; the critic's widest).")
        var width: Int = 64
        @Option(parsing: .unconditional, help: "Dimension of z.")
        var latent: Int = 64
        @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Images per batch.")
        var batchSize: Int = 64
        @Option(parsing: .unconditional, help: "Train on the first N training images (default: all 60,000).")
        var images: Int?
        @Option(help: "A classifier from `lip gan classifier` to score samples every epoch.")
        var classifier: String?
        @OptionGroup var dataOptions: DataOptions
        @Option(help: "Output folder (new, empty, or one of this command's to resume).")
        var out: String

        func validate() throws {
            try Check.atLeast(epochs, 1, "--epochs")
            try Check.atLeast(batchSize, 2, "--batch-size")
            if width < 2 || width % 2 != 0 || width > 512 { throw ValidationError("--width must be an even number from 2 to 512, got \(width)") }
            if latent < 1 || latent > 1024 { throw ValidationError("--latent must be between 1 and 1024, got \(latent)") }
            if let images, images < batchSize { throw ValidationError("--images \(images) must be at least --batch-size \(batchSize)") }
            if let classifier, !FileManager.default.fileExists(atPath: classifier) {
                throw ValidationError("--classifier \(classifier): no such file (make one with `lip gan classifier`)")
            }
        }

        func run() throws {
            let settings = GANTrainingSettings(configuration: DCGANConfiguration(latentDimension: latent, width: width), seed: seed,
                                               batchSize: batchSize, trainingImages: images)
            try GANFolder.prepare(out, checkpoint: "checkpoint.safetensors")
            let scorer = try classifier.map { try loadClassifier($0) }
            let train = try dataOptions.load(.train)
            let test = scorer == nil ? nil : try dataOptions.load(.test)
            let checkpointPath = (out as NSString).appendingPathComponent("checkpoint.safetensors")
            let trainer: GANTrainer
            /// The commit the run started at, kept through resumes (the weights come from it).
            var startedAt: (commit: String, dirty: String)? = nil
            if FileManager.default.fileExists(atPath: checkpointPath) {
                let file = try SafeTensors.read(checkpointPath)
                trainer = try GANTrainer(resuming: file, settings: settings, source: checkpointPath)
                if let commit = file.metadata["git_commit"] { startedAt = (commit, file.metadata["git_dirty"] ?? "unknown") }
                print("resuming \(out) after epoch \(trainer.epochsDone)")
            } else {
                trainer = GANTrainer(settings: settings)
            }
            let provenance = Provenance.current()
            // Real-against-real distance: the floor a generator's Fréchet distance is read against.
            var realFloor: Double? = nil
            var reference: ClassifierReadout? = nil
            if let scorer, let test {
                let held = test.balancedIndices(perClass: 200)
                reference = ClassifierReadout(classifier: scorer, images: test.batch(held).data)
                let other = Array(train.balancedIndices(perClass: 200))
                realFloor = FrechetDistance.between(ClassifierReadout(classifier: scorer, images: train.batch(other).data).features,
                                                    reference!.features)
            }
            let gridZ = trainer.latents(64, stream: "sample-grid"), evaluationZ = trainer.latents(2000, stream: "evaluation")
            if trainer.epochsDone >= epochs {
                // A finished run: write its exports again from the checkpoint (the same bytes
                // but for the provenance), e.g. after an interrupted export.
                try save(trainer, provenance: provenance, startedAt: startedAt, realFloor: realFloor, grid: gridZ,
                         epoch: trainer.epochsDone, checkpoint: false)
                print("\(out) has \(trainer.epochsDone) epochs already; exports written again (a larger --epochs extends it)")
                return
            }
            for epoch in (trainer.epochsDone + 1)...epochs {
                let line = ProgressLine(total: 1, label: "epoch \(epoch)/\(epochs)")
                var record = trainer.trainEpoch(on: train) { done, total, g, d in
                    line.update(done * 1 / max(1, total), [String(format: "batch %d/%d  G %.3f  D %.3f", done, total, g, d)])
                }
                line.finish()
                if let scorer, let reference {
                    let readout = ClassifierReadout(classifier: scorer, images: trainer.samples(evaluationZ))
                    trainer.recordQuality(frechetDistance: FrechetDistance.between(readout.features, reference.features),
                                          sampleClassCounts: readout.classCounts)
                    record = trainer.history.last!
                }
                try save(trainer, provenance: provenance, startedAt: startedAt, realFloor: realFloor, grid: gridZ, epoch: epoch)
                print(String(format: "epoch %d/%d: G loss %.3f, D loss %.3f, D(real) %.2f, D(fake) %.2f, %@", epoch, epochs,
                             record.generatorLoss, record.criticLoss, record.criticOnReal, record.criticOnFake,
                             formatDuration(record.seconds))
                      + (record.frechetDistance.map { String(format: ", Fréchet distance %.2f (real vs real %.2f)", $0, realFloor ?? 0) } ?? ""))
            }
        }

        /// Writes the epoch's outputs. `git_commit` is the commit the run started at; a resume
        /// or a re-export at another commit adds `last_git_commit`.
        func save(_ trainer: GANTrainer, provenance: Provenance, startedAt: (commit: String, dirty: String)?, realFloor: Double?, grid: Tensor,
                  epoch: Int, checkpoint: Bool = true) throws {
            var metadata = [
                "git_commit": startedAt?.commit ?? provenance.gitCommit, "git_dirty": startedAt?.dirty ?? String(provenance.gitDirty),
                "toolchain": provenance.toolchain,
                "blas_core": provenance.blasCore, "threads": String(provenance.threads),
                "command": "lip gan train --epochs \(epochs) --seed \(seed) --width \(width) --latent \(latent) --batch-size \(batchSize)"
                    + (images.map { " --images \($0)" } ?? ""),
            ]
            if let startedAt, startedAt.commit != provenance.gitCommit || provenance.gitDirty {
                metadata["last_git_commit"] = provenance.gitCommit + (provenance.gitDirty ? " (dirty)" : "")
            }
            metadata["training_seconds"] = String(format: "%.1f", trainer.history.reduce(0) { $0 + $1.seconds })
            func path(_ name: String) -> String { (out as NSString).appendingPathComponent(name) }
            try PNG.write(sampleGrid(trainer.samples(grid), columns: 8), to: path(String(format: "samples-epoch-%02d.png", epoch)))
            // Each network alone, PyTorch state_dict names (the generator is the prior; the
            // critic is what a GAN lottery-ticket search fine-tunes with it).
            for (name, network) in [("generator", trainer.generator), ("critic", trainer.critic)] {
                var file = SafeTensors(entries: network.stateDict(), metadata: metadata)
                file.metadata["format"] = "lip-dcgan-\(name)/1"
                file.metadata["epoch"] = String(epoch)
                file.metadata["settings"] = String(decoding: try CanonicalJSON.encode(trainer.settings), as: UTF8.self)
                try file.write(to: path("\(name).safetensors"))
            }
            if checkpoint { try trainer.checkpoint(provenance: metadata).write(to: path("checkpoint.safetensors")) }
            let metrics = GANMetricsFile(settings: trainer.settings, provenance: provenance, realFrechetFloor: realFloor,
                                         classifier: classifier, epochs: trainer.history)
            try ResultJSON.write(metrics, to: path("metrics.json"))
        }
    }

    struct Classifier: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train the small Fashion-MNIST classifier whose features score generated samples.",
            discussion: "Writes --out/classifier.safetensors and --out/classifier.json (test accuracy per epoch, provenance).")

        @Option(parsing: .unconditional, help: "Epochs over the 60,000 training images.")
        var epochs: Int = 2
        @Option(parsing: .unconditional, help: "Seed of the initial weights and the batch order.")
        var seed: UInt64 = 0
        @OptionGroup var dataOptions: DataOptions
        @Option(help: "Output folder.")
        var out: String

        func validate() throws { try Check.atLeast(epochs, 1, "--epochs") }

        func run() throws {
            try OutputFolder.makeWritableFolder(out, flag: "--out")
            let train = try dataOptions.load(.train), test = try dataOptions.load(.test)
            var training = ClassifierTraining(seed: seed)
            var accuracies: [Double] = []
            let started = Date()
            for epoch in 1...epochs {
                let line = ProgressLine(total: 1, label: "epoch \(epoch)/\(epochs)")
                let loss = training.trainEpoch(on: train) { done, total, loss in
                    line.update(0, [String(format: "batch %d/%d  loss %.3f", done, total, loss)])
                }
                line.finish()
                let accuracy = ClassifierReadout(classifier: training.classifier, images: test.images).accuracy(labels: test.labels)
                accuracies.append(accuracy)
                print(String(format: "epoch %d/%d: training loss %.3f, test accuracy %.2f %%", epoch, epochs, loss, 100 * accuracy))
            }
            let provenance = Provenance.current()
            let seconds = Date().timeIntervalSince(started)
            var file = SafeTensors(entries: training.classifier.stateDict(), metadata: [
                "format": "lip-fashion-classifier/1", "git_commit": provenance.gitCommit,
                "command": "lip gan classifier --epochs \(epochs) --seed \(seed)",
                "test_accuracy": String(format: "%.4f", accuracies.last ?? 0), "training_seconds": String(format: "%.1f", seconds),
            ])
            file.metadata["toolchain"] = provenance.toolchain
            try file.write(to: (out as NSString).appendingPathComponent("classifier.safetensors"))
            try ResultJSON.write(ClassifierRecord(epochs: epochs, seed: seed, testAccuracy: accuracies, seconds: seconds,
                                                  provenance: provenance),
                                 to: (out as NSString).appendingPathComponent("classifier.json"))
        }
    }
}

extension GANCommand {
    struct Ticket: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Search lottery tickets of a trained generator (and its critic): IMP or random pruning.",
            discussion: """
                Each round fine-tunes the generator and the critic from their pretrained weights under the \
                current masks (--fine-tune-epochs over the first --fine-tune-images training images), then prunes \
                20 % of each network's remaining conv and linear weights: the smallest by magnitude (imp) or at \
                random (random). Round 0 is the dense pair fine-tuned alike. Each round is saved as \
                round-NN.safetensors (generator., critic., generator_mask., critic_mask. tensors); rerunning the \
                same command resumes, a larger --rounds extends a finished search.
                """)

        @Option(help: "generator.safetensors of a `lip gan train` run.")
        var generator: String
        @Option(help: "critic.safetensors of the same run.")
        var critic: String
        @Option(help: "Pruning: imp or random.")
        var method: GANTicketSettings.Method = .imp
        @Option(parsing: .unconditional, help: "Pruning rounds (round K keeps 0.8^K of each network's weights).")
        var rounds: Int = 5
        @Option(name: .customLong("fine-tune-epochs"), parsing: .unconditional, help: "Fine-tuning epochs per round.")
        var fineTuneEpochs: Int = 1
        @Option(name: .customLong("fine-tune-images"), parsing: .unconditional, help: "Training images fine-tuned on.")
        var fineTuneImages: Int = 6400
        @Option(parsing: .unconditional, help: "Seed of the fine-tuning batches, its z and the random masks.")
        var seed: UInt64 = 0
        @OptionGroup var dataOptions: GANCommand.DataOptions
        @Option(help: "Output folder (new, empty, or this search's to resume).")
        var out: String

        func validate() throws {
            if rounds < 1 || rounds > 30 { throw ValidationError("--rounds must be between 1 and 30, got \(rounds)") }
            try Check.atLeast(fineTuneEpochs, 1, "--fine-tune-epochs")
            try Check.atLeast(fineTuneImages, 64, "--fine-tune-images")
            for (flag, path) in [("--generator", generator), ("--critic", critic)] where !FileManager.default.fileExists(atPath: path) {
                throw ValidationError("\(flag) \(path): no such file (make one with `lip gan train`)")
            }
        }

        func run() throws {
            func read(_ path: String, _ flag: String) throws -> SafeTensors {
                do { return try SafeTensors.read(path) } catch { throw InputProblem("\(flag): \(error)") }
            }
            try GANFolder.prepare(out, checkpoint: "round-00.safetensors")
            let settings = GANTicketSettings(method: method, rounds: rounds, fineTuneEpochs: fineTuneEpochs,
                                             fineTuneImages: fineTuneImages, seed: seed)
            let search: GANTicketSearch
            do {
                search = try GANTicketSearch(settings: settings, generator: try read(generator, "--generator"),
                                             critic: try read(critic, "--critic"), source: generator,
                                             folder: URL(fileURLWithPath: out))
            } catch let error as GANTrainingError { throw InputProblem("--generator: \(error)") }
            let train = try dataOptions.load(.train)
            let started = Date()
            _ = try search.run(data: train) { round, reused in
                print(String(format: "round %d%@: generator %.1f %% pruned, critic %.1f %% pruned, %@", round.round,
                             reused ? " (read back)" : "", 100 * round.generatorSparsity, 100 * round.criticSparsity,
                             formatDuration(Date().timeIntervalSince(started))))
            }
        }
    }
}

/// A classifier from `lip gan classifier`, or a clear error naming the flag.
func loadClassifier(_ path: String) throws -> Sequential {
    let network = makeClassifier()
    do {
        try network.loadStateDict(try SafeTensors.read(path), source: path)
    } catch {
        throw InputProblem("--classifier: \(error)")
    }
    return network
}

struct GANMetricsFile: Codable {
    var settings: GANTrainingSettings
    var provenance: Provenance
    var realFrechetFloor: Double?
    var classifier: String?
    var epochs: [GANEpochRecord]
}

struct ClassifierRecord: Codable {
    var epochs: Int
    var seed: UInt64
    var testAccuracy: [Double]
    var seconds: Double
    var provenance: Provenance
}

enum GANFolder {
    /// Checks a `--out` folder before training: creatable, writable, and either new, empty
    /// or one holding `checkpoint` to resume.
    static func prepare(_ path: String, checkpoint: String) throws {
        try OutputFolder.makeWritableFolder(path, flag: "--out")
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        if !entries.isEmpty && !entries.contains(checkpoint) {
            let shown = entries.sorted().prefix(5).joined(separator: ", ")
            throw InputProblem("--out \(path) holds files but no \(checkpoint) (\(shown)); choose an empty or new folder, or a training folder to resume")
        }
    }
}

extension GANTicketSettings.Method: ExpressibleByArgument {}
