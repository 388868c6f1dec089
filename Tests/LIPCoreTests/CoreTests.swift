import Foundation
import ImageIO
import LIPCore
import Networks
import Testing
import TensorKit

/// This test process's scratch folder, removed when the process exits (ticket searches
/// write tens of MB each, and a CI machine's disk may have little room).
let scratchRoot = FileManager.default.temporaryDirectory.appendingPathComponent("lip-core-tests-\(getpid())")
let scratchReady: Bool = {
    try? FileManager.default.createDirectory(at: scratchRoot, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: scratchRoot) }
    return true
}()

func temporaryFile(_ name: String) -> String {
    _ = scratchReady
    return scratchRoot.appendingPathComponent(name).path
}

func smallConfiguration() -> SkipConfiguration {
    var configuration = SkipConfiguration.dip
    configuration.channelsDown = [8, 8, 8]
    configuration.channelsUp = [8, 8, 8]
    configuration.channelsSkip = [2, 2, 2]
    return configuration
}

struct MetricTests {
    @Test func psnrOfKnownError() {
        // MSE 1/16 -> 10 log10(16) dB; MSE 1/1024 -> 10 log10(1024) dB (exact in Float).
        #expect(abs(psnr([0.5, 0.5], [0.25, 0.25]) - 12.041199826559248) < 1e-12)
        #expect(abs(psnr([0.53125, 0.46875], [0.5, 0.5]) - 30.102999566398122) < 1e-12)
    }

    @Test func gaussianNoiseHasTheRequestedStdAndIsClipped() {
        let image = Image(channels: 1, height: 200, width: 200, filling: 0.5)
        let noisy = addGaussianNoise(to: image, sigma: 25, seed: 1)
        let d = zip(noisy.pixels, image.pixels).map { Double($0 - $1) }
        let std = (d.map { $0 * $0 }.reduce(0, +) / Double(d.count)).squareRoot()
        #expect(abs(std - 25.0 / 255) < 0.002)
        let bright = addGaussianNoise(to: Image(channels: 1, height: 10, width: 10, filling: 1), sigma: 50, seed: 2)
        #expect(bright.pixels.allSatisfy { $0 <= 1 && $0 >= 0 })
        #expect(noisy == addGaussianNoise(to: image, sigma: 25, seed: 1))
    }
}

struct SafeTensorsTests {
    @Test func roundTrip() throws {
        let file = SafeTensors(entries: [
            .init(name: "a.weight", shape: [2, 3], values: .float32([1, 2, 3, 4, 5, -6.5])),
            .init(name: "a.num_batches_tracked", shape: [], values: .int64([42])),
        ], metadata: ["seed": "7", "note": "quote \" and \\ backslash"])
        let path = temporaryFile("roundtrip.safetensors")
        try file.write(to: path)
        let back = try SafeTensors.read(path)
        #expect(back == file)
    }

    @Test func layoutFollowsTheFormat() throws {
        let data = SafeTensors(entries: [.init(name: "x", shape: [1], values: .float32([1]))]).encoded()
        let length = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        #expect((8 + Int(length)) % 8 == 0)  // header padded to 8 bytes
        let header = String(decoding: data[8..<(8 + Int(length))], as: UTF8.self)
        #expect(header.hasPrefix("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"))
        #expect(Array(data.suffix(4)) == [0, 0, 0x80, 0x3F])  // 1.0f little-endian
    }

    @Test func truncatedFileIsRejected() throws {
        let data = SafeTensors(entries: [.init(name: "x", shape: [4], values: .float32([1, 2, 3, 4]))]).encoded()
        #expect(throws: SafeTensors.Failure.self) { try SafeTensors.decode(data.prefix(data.count - 3), path: "t") }
        #expect(throws: SafeTensors.Failure.self) { try SafeTensors.decode(Data([1, 2, 3]), path: "t") }
        #expect(throws: SafeTensors.Failure.self) { try SafeTensors.decode(Data(repeating: 0xFF, count: 64), path: "t") }
    }
}

struct CheckpointTests {
    @Test func stateDictRoundTripReproducesTheOutput() throws {
        let source = makeSkipNetwork(smallConfiguration())
        source.initializeParameters(seed: 1)
        let input = makeNetworkInput(depth: 32, height: 32, width: 32, seed: 2)
        _ = source(input)  // move the running statistics away from their defaults
        let path = temporaryFile("checkpoint.safetensors")
        try DIPCheckpoint.save(network: source, input: input, metadata: ["seed": "1"], to: path)

        let target = makeSkipNetwork(smallConfiguration())
        target.initializeParameters(seed: 99)
        let loaded = try DIPCheckpoint.load(path, into: target)
        #expect(loaded.input.data == input.data)
        #expect(loaded.metadata["seed"] == "1")
        #expect(loaded.metadata["format"] == DIPCheckpoint.format)
        #expect(target.evaluate(input).data == loaded.output!.data)
        #expect(target.stateDict() == source.stateDict())
        #expect(target.batchNorms[0].layer.statistics.batchesTracked == 1)
    }

    @Test func mismatchedNetworkIsReportedByName() throws {
        let small = makeSkipNetwork(smallConfiguration())
        let path = temporaryFile("small.safetensors")
        try SafeTensors(entries: small.stateDict()).write(to: path)
        let big = makeSkipNetwork(.dip)
        do {
            try big.loadStateDict(try SafeTensors.read(path), source: path)
            Issue.record("a small network's weights loaded into the DIP network")
        } catch let error as StateDictMismatch {
            #expect(error.description.contains(path))
            #expect(error.description.contains("1.1.1.1.weight"))
        }
    }
}

struct FittingTests {
    func fit(iterations: Int, learningRate: Float = 0.01, backtracking: Bool = true) throws -> FitResult {
        let clean = Image(channels: 3, height: 32, width: 32,
                          pixels: (0..<3072).map { Float(($0 / 32) % 32) / 31 * 0.8 + 0.1 })
        var settings = FitSettings()
        settings.iterations = iterations
        settings.learningRate = learningRate
        settings.backtracking = backtracking
        return try restore(.denoising(clean, sigma: 25, seed: settings.seed), prior: .dip(smallConfiguration()),
                           settings: settings).result
    }

    @Test func lossFallsAndTheHistoryIsComplete() throws {
        let result = try fit(iterations: 60)
        #expect(result.history.count == 60)
        #expect(result.history.last!.loss < result.history.first!.loss * 0.5)
        #expect(result.bestEMAPSNR.psnrEMA >= result.final.psnrEMA)
        #expect(result.averagedOutput.shape == [1, 3, 32, 32])
    }

    @Test func runsAreDeterministic() throws {
        let a = try fit(iterations: 8), b = try fit(iterations: 8)
        #expect(a.history == b.history)
        #expect(a.output.data == b.output.data)
    }

    @Test func backtrackingRule() {
        var rule = Backtracking(drop: 5, period: 100)
        #expect(rule.verdict(iteration: 0, observedPSNR: 10) == .notChecked)  // 0 % 100 == 0
        #expect(rule.verdict(iteration: 1, observedPSNR: 20) == .keep)
        #expect(rule.verdict(iteration: 2, observedPSNR: 15.5) == .keep)  // a 4.5 dB drop is tolerated
        #expect(rule.verdict(iteration: 3, observedPSNR: 10) == .restore)  // 5.5 dB below 15.5
        #expect(rule.lastKeptPSNR == 15.5)
        #expect(rule.verdict(iteration: 100, observedPSNR: 0) == .notChecked)
        #expect(rule.verdict(iteration: 101, observedPSNR: 16) == .keep)
    }

    @Test func backtrackingRestoresTheKeptWeights() throws {
        // A scripted PSNR against the observation: a collapse at step 3.
        let script = [0.0, 20, 21, 9, 21, 22]
        func run(backtracking: Bool) throws -> (FitResult, [[Float]]) {
            let network = makeSkipNetwork(smallConfiguration())
            network.initializeParameters(seed: 3)
            let input = makeNetworkInput(depth: 32, height: 32, width: 32, seed: 4)
            let target = Tensor(filling: 0.5, shape: [1, 3, 32, 32])
            var settings = FitSettings()
            settings.iterations = script.count
            settings.backtracking = backtracking
            var weightsSeen: [[Float]] = []
            let result = try fitDeepImagePrior(
                network: network, input: input, settings: settings,
                loss: { meanSquaredError($0, target) },
                observedPSNR: { _ in
                    weightsSeen.append(network.parameters[0].data)
                    return script[weightsSeen.count - 1]
                },
                clean: target.data)
            return (result, weightsSeen)
        }
        let (guarded, guardedWeights) = try run(backtracking: true)
        let (unguarded, unguardedWeights) = try run(backtracking: false)
        #expect(guarded.restorations == 1)
        #expect(unguarded.restorations == 0)
        // Same trajectory up to the collapse, then the restore sends it elsewhere.
        #expect(Array(guardedWeights[0...3]) == Array(unguardedWeights[0...3]))
        #expect(guardedWeights[4] != unguardedWeights[4])
    }
}

/// The windowed moving variance detector (Wang et al., TMLR 2023) on outputs whose
/// spread is known: quiet around step 300, noisier before and after.
struct EarlyStoppingTests {
    @Test func detectorFindsTheQuietestWindowAndStopsAfterItsPatience() {
        var detector = WindowedVarianceDetector(window: 20, patience: 100)
        var random = RandomSource(seed: 11)
        for step in 0..<600 {
            let amplitude = Float(0.01 + abs(Double(step) - 300) / 300)
            let output = random.normal(count: 16, std: 1).map { 0.5 + amplitude * $0 }
            detector.observe(step: step, output: output)
        }
        let found = try! #require(detector.minimumStep)
        // The window ending at the minimum straddles step 300 (window 20).
        #expect(abs(found - 310) <= 25)
        #expect(detector.stoppedAt == found + 100)
    }

    @Test func varianceOfAConstantWindowIsZero() {
        var detector = WindowedVarianceDetector(window: 3, patience: 5)
        for step in 0..<3 { detector.observe(step: step, output: [0.25, 0.75]) }
        #expect(detector.minimumStep == 2 && detector.minimumVariance == 0)
        #expect(detector.stoppedAt == nil)
        // The running sums drop what leaves the window: back to constant, back to zero.
        for step in 3..<12 { detector.observe(step: step, output: step < 5 ? [1, 0] : [0.25, 0.75]) }
        #expect(detector.minimumVariance == 0 && detector.minimumStep == 2)
        #expect(detector.stoppedAt == 7)
    }
}
