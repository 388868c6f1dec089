import Foundation
import Experiments
import ImageIO
import LIPCore
import Testing

/// The repository root (tests run from it under `swift test`; found from this file otherwise).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let astronaut = repositoryRoot.appendingPathComponent("data/astronaut.png").path

struct BenchmarkTests {
    @Test func paperSparsitiesMapToTheirIMPRounds() {
        // 1 - 0.8^k: the paper quotes these sparsities for rounds 4..11 and 24.
        let expected: [(Double, Int)] = [(0.59, 4), (0.67, 5), (0.74, 6), (0.79, 7), (0.83, 8), (0.865, 9), (0.89, 10),
                                         (0.914, 11), (0.9953, 24)]
        for (sparsity, round) in expected {
            #expect(PaperPoint(sparsity: sparsity, psnr: 0).round == round, "sparsity \(sparsity)")
        }
    }

    @Test func figureTwoRowsCarryThePaperNumbers() throws {
        #expect(Benchmark.figureTwo.map(\.id) == ["inpainting", "sr-x4", "sr-x8", "denoising"])
        let denoising = try Benchmark.named("denoising")
        #expect(denoising.paperDense == 31.07 && denoising.paperLIPs.map(\.round) == [4, 5, 6])
        #expect(try Benchmark.named("sr-x8").factor == 8 && Benchmark.superResolutionX4.metric == "Y-PSNR")
        #expect(Benchmark.inpainting.metric == "PSNR")
        for benchmark in Benchmark.figureTwo {
            #expect(FileManager.default.fileExists(atPath: repositoryRoot.appendingPathComponent(benchmark.standIn).path),
                    "stand-in \(benchmark.standIn) is shipped")
        }
    }

    @Test func unknownNamesListTheKnownOnes() {
        do {
            _ = try Benchmark.named("deblurring")
            Issue.record("an unknown benchmark was accepted")
        } catch {
            #expect("\(error)".contains("deblurring") && "\(error)".contains("sr-x4"))
        }
    }
}

struct ImageDataTests {
    @Test func namesParseAndMissingDirectoriesSayWhatToDo() throws {
        #expect(try ImageData.named("embedded") == .embedded)
        let folder = FileManager.default.temporaryDirectory.path
        #expect(try ImageData.named(folder) == .paper(directory: folder))
        do {
            _ = try ImageData.named("/no/such/folder")
            Issue.record("a missing folder was accepted")
        } catch {
            #expect("\(error)".contains("/no/such/folder") && "\(error)".contains("LIP_PAPER_DATA"))
        }
        let paper = ImageData.paper(directory: "/papers")
        #expect(paper.image(for: .denoising).path == "/papers/Set5/baby_x4_GT.png")
        #expect(paper.mask(for: .inpainting) == "/papers/masks/kate_mask.png")
        #expect(ImageData.embedded.mask(for: .inpainting) == nil)
        #expect(ImageData.embedded.image(for: .superResolutionX4).name == "grass")
    }
}

struct ExperimentTests {
    @Test func problemsAreCroppedDegradedAndKeyedByContent() throws {
        let a = try Experiment(.denoising, data: .embedded, size: 64, iterations: 10, seed: 7, image: astronaut)
        let b = try Experiment(.denoising, data: .embedded, size: 64, iterations: 10, seed: 7, image: astronaut)
        let c = try Experiment(.denoising, data: .embedded, size: 64, iterations: 10, seed: 8, image: astronaut)
        #expect(a.problem.clean.width == 64 && a.problem.clean.height == 64 && a.problem.clean.channels == 3)
        #expect(a.key == b.key && a.key != c.key)
        // An evaluation's step count keys the evaluation, not the searches or decoder fits.
        let longer = try Experiment(.denoising, data: .embedded, size: 64, iterations: 20, seed: 7, image: astronaut)
        #expect(longer.key != a.key && longer.problemKey == a.problemKey && c.problemKey != a.problemKey)
        #expect(a.settings.iterations == 10 && a.settings.seed == 7)
        #expect(a.scale.contains("64x64 crop of astronaut") && a.scale.contains("10 steps"))

        let sr = try Experiment(.superResolutionX8, data: .embedded, size: 64, iterations: 10, seed: 7, image: astronaut)
        #expect(sr.problem.observation.width == 8 && sr.observationForDisplay.width == 64)
        // The displayed LR image is scored with the SR metric (Y-PSNR), not RGB PSNR.
        #expect(sr.observationScore == sr.problem.psnrY(of: sr.observationForDisplay.pixels))
    }

    @Test func inpaintingOnEmbeddedDataGetsATextMask() throws {
        let e = try Experiment(.inpainting, data: .embedded, size: 64, iterations: 10, seed: 1, image: astronaut)
        let mask = try #require(e.problem.mask)
        let known = Double(mask.pixels.reduce(0, +)) / Double(mask.pixels.count)
        #expect(known > 0.5 && known < 0.99)
        #expect(e.problem.degradationLabel.hasPrefix("text mask"))
    }

    @Test func aMaskCropWithoutHolesIsRefused() throws {
        // A paper-data folder whose kate mask is all white: nothing would be inpainted.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lip-paper-data-\(UUID().uuidString)")
        for sub in ["inpainting", "masks"] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(atPath: astronaut, toPath: folder.appendingPathComponent("inpainting/kate.png").path)
        try PNG.write(Image(channels: 1, height: 96, width: 96, filling: 1), to: folder.appendingPathComponent("masks/kate_mask.png").path)
        do {
            _ = try Experiment(.inpainting, data: .paper(directory: folder.path), size: 64, iterations: 10, seed: 1)
            Issue.record("a mask without holes was accepted")
        } catch {
            #expect("\(error)".contains("kate_mask.png") && "\(error)".contains("nothing to inpaint"))
        }
    }

    @Test func tooSmallCropsAreRefused() {
        do {
            _ = try Experiment(.denoising, data: .embedded, size: 16, iterations: 10, seed: 1, image: astronaut)
            Issue.record("a 16-pixel crop was accepted")
        } catch {
            #expect("\(error)".contains("16-pixel crop") && "\(error)".contains("at least"))
        }
    }
}

struct ScaleTests {
    @Test func profilesHaveTheirScales() throws {
        #expect(try Scale.named("quick") == .quick)
        #expect(try Scale.named("smoke") == .smoke)
        #expect(try Scale.named("paper") == .paper)
        #expect(throws: ExperimentError.self) { try Scale.named("huge") }
        // Paired claims need seeds: every profile that decides claims runs at least three.
        #expect(Scale.quick.seeds.count >= 3 && Scale.paper.seeds.count >= 3)
        for scale in Scale.all {
            for benchmark in Benchmark.figureTwo {
                #expect(scale.steps(for: benchmark) > 0 && scale.searchSteps(for: benchmark) > 0)
            }
        }
        // The paper's step counts: 3000 (2000 for SR), searches as long as evaluations.
        #expect(Scale.paper.steps(for: .denoising) == 3000 && Scale.paper.steps(for: .superResolutionX8) == 2000)
        #expect(Scale.paper.searchSteps(for: .inpainting) == Scale.paper.steps(for: .inpainting))
    }

    @Test func claimsAreCheckedAtTheNearestReachableRound() {
        #expect(Scale.paper.round(nearest: 0.79) == 7 && Scale.paper.round(nearest: 0.9953) == 24)
        #expect(Scale.quick.round(nearest: 0.79) == Scale.quick.rounds)
        #expect(Scale.quick.round(nearest: 0.2) == 1)
        #expect(Scale.quick.round(nearest: 0.9953, reachable: 14) == 14)
    }

    @Test func experimentsCarryTheScalesStepCounts() throws {
        let e = try Scale.quick.experiment(.denoising, data: .embedded, seed: 7, image: astronaut)
        #expect(e.settings.iterations == 1100 && e.searchIterations == 250 && e.deepDecoderIterations == 3000)
        #expect(e.problem.clean.width == 64)
        let whole = try Scale.quick.experiment(.denoising, data: .embedded, seed: 7, image: astronaut, size: 96)
        #expect(whole.problem.clean.width == 96)
    }
}

/// Evaluations score each task as the LIP code does, and record where each run peaked.
struct EvaluationTests {
    @Test func inpaintingIsScoredOnTheRawOutputAndDenoisingOnTheAverage() throws {
        for benchmark in [Benchmark.inpainting, .denoising] {
            var e = try Experiment(benchmark, data: .embedded, size: 64, iterations: 30, seed: 3, image: astronaut)
            e.deepDecoderIterations = 30
            let v = try e.deepDecoder(channels: 8)
            #expect(v.steps == 30)
            #expect(v.best >= v.final && v.best >= v.curve.max()! - 1e-12)
            #expect(v.curve.count == 30 && v.curve[v.bestStep] == v.best)
            if benchmark == .denoising {
                #expect(v.best == v.bestEMA && v.bestStep == v.bestEMAStep)
            }
            // Short runs are shorter than the variance detector's window: it reports nothing.
            #expect(v.detected == nil && v.withoutOracle == v.final)
            let convergence = v.convergence("decoder")
            #expect(convergence.steps == 30 && convergence.bestStep == v.bestStep)
            #expect(v.lateGain >= 0 && (v.lateGain == 0) == (v.bestStep < 27))
        }
    }
}
