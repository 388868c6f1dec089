import ArgumentParser
import Foundation
import ImageIO
import LIPCore
import Store
import Networks
import TensorKit

struct Denoise: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Denoise an image with a deep image prior (DIP's denoising protocol).",
        discussion: """
            Adds Gaussian noise of the given sigma (on the 0-255 scale) to the image, fits DIP's \
            2.2M-parameter hourglass to the noisy image and writes noisy.png, restored.png (EMA of the \
            outputs), output.png (last output), history.csv, summary.json and checkpoint.safetensors to --out.
            """)

    @Option(help: "PNG image to denoise (gray or RGB; alpha is dropped).")
    var image: String

    @Option(parsing: .unconditional, help: "Noise standard deviation on the 0-255 scale.")
    var sigma: Float = 25

    @Option(parsing: .unconditional, help: "Adam steps.")
    var iterations: Int = 3000

    @Option(parsing: .unconditional, help: "Centre-crop the image to SIZE x SIZE first (then to a multiple of 32).")
    var crop: Int?

    @Option(help: "Seed of the noise, the network input, the weights and the input jitter.")
    var seed: UInt64 = 42

    @Option(parsing: .unconditional, help: "Adam learning rate.")
    var lr: Float = 0.01

    @Option(parsing: .unconditional, help: "Std of the input jitter (default 1/30, or 1/20 for sigma >= 50; 0 turns it off).")
    var inputNoise: Float?

    @Flag(inversion: .prefixedNo, help: "DIP's backtracking safeguard.")
    var backtracking = true

    @Option(help: "Output folder (created if missing).")
    var out: String = "out/denoise"

    func validate() throws {
        try Check.positive(sigma, "--sigma", atMost: 255)
        try Check.atLeast(iterations, 1, "--iterations")
        try TaskOptions.checkCrop(crop)
        try Check.positive(lr, "--lr")
        if let inputNoise { try Check.nonNegative(inputNoise, "--input-noise") }
    }

    func run() throws {
        let start = Date()
        let clean = try TaskOptions.croppedImage(image, crop: crop, color: .original)
        if let problem = SkipConfiguration.dip.problem(height: clean.height, width: clean.width) {
            throw InputProblem("\(image) after cropping: \(problem)")
        }
        var settings = FitSettings()
        settings.iterations = iterations
        settings.learningRate = lr
        settings.seed = seed
        settings.backtracking = backtracking
        settings.inputNoiseStd = inputNoise ?? DenoisingRun.inputNoiseStd(forSigma: sigma)

        try Check.fitsInMemory(MemoryEstimate(prior: .dip(.dip), channels: clean.channels, height: clean.height,
                                              width: clean.width, iterations: iterations), what: "this denoising run")
        let folder = try OutputFolder.prepare(out, command: "denoise", files: denoiseOutputs)
        let progress = ProgressLine(total: iterations, label: "denoise")
        let run = try DenoisingRun.run(clean: clean, sigma: sigma, settings: settings) { record in
            progress.update(record.iteration + 1, [
                String(format: "loss %.5f", record.loss), String(format: "PSNR %.2f", record.psnr),
                String(format: "EMA %.2f dB", record.psnrEMA),
            ])
        }
        progress.finish()
        let result = run.result
        try PNG.write(run.noisy, to: folder.file("noisy.png"))
        try PNG.write(Image(result.averagedOutput), to: folder.file("restored.png"))
        try PNG.write(Image(result.output), to: folder.file("output.png"))
        try writeHistoryCSV(result.history, to: folder.file("history.csv"))

        let provenance = Provenance.current()
        let noisyPSNR = psnr(run.noisy.pixels, clean.pixels)
        try DIPCheckpoint.save(network: run.network, input: run.input, metadata: [
            "seed": String(seed), "image": image, "task": "denoise", "sigma": String(sigma),
            "iteration": String(iterations), "git_commit": provenance.gitCommit,
        ], to: folder.file("checkpoint.safetensors"))

        let summary = DenoiseSummary(
            image: image, height: clean.height, width: clean.width, channels: clean.channels, sigma: sigma,
            settings: settings, parameters: run.network.parameterCount, psnrNoisy: noisyPSNR,
            final: .init(psnr: result.final.psnr, psnrEMA: result.final.psnrEMA, iteration: result.final.iteration),
            bestOutput: .init(psnr: result.bestPSNR.psnr, iteration: result.bestPSNR.iteration),
            bestEMA: .init(psnr: result.bestEMAPSNR.psnrEMA, iteration: result.bestEMAPSNR.iteration),
            restorations: result.restorations, trainingSeconds: result.seconds,
            millisecondsPerStep: result.seconds * 1000 / Double(iterations),
            wallSeconds: Date().timeIntervalSince(start), provenance: provenance)
        try writeJSON(summary, to: folder.file("summary.json"))
        try folder.finish(written: denoiseOutputs)

        print("""
            \(image) \(clean.width)x\(clean.height), sigma \(sigma), \(iterations) iterations, seed \(seed)
              noisy input          \(String(format: "%6.2f dB", noisyPSNR))
              final output         \(String(format: "%6.2f dB", result.final.psnr))   EMA (restored.png) \(String(format: "%6.2f dB", result.final.psnrEMA))
              best over iterations \(String(format: "%6.2f dB", result.bestPSNR.psnr)) (step \(result.bestPSNR.iteration))   EMA \(String(format: "%6.2f dB", result.bestEMAPSNR.psnrEMA)) (step \(result.bestEMAPSNR.iteration)) [oracle: uses the clean image]
              backtracking restorations \(result.restorations)
              \(String(format: "%.1f s, %.0f ms per step", result.seconds, summary.millisecondsPerStep)); results in \(out)/
            """)
    }
}

/// The files `lip denoise` writes.
let denoiseOutputs = ["noisy.png", "restored.png", "output.png", "history.csv", "checkpoint.safetensors", "summary.json"]

struct DenoiseSummary: Codable {
    struct Final: Codable { var psnr: Double; var psnrEMA: Double; var iteration: Int }
    struct Best: Codable { var psnr: Double; var iteration: Int }
    var image: String
    var height: Int
    var width: Int
    var channels: Int
    var sigma: Float
    var settings: FitSettings
    var parameters: Int
    var psnrNoisy: Double
    /// PSNRs after the last step (what a user without the clean image gets).
    var final: Final
    /// Best over iterations: oracle early stopping, chosen with the clean image.
    var bestOutput: Best
    var bestEMA: Best
    var restorations: Int
    var trainingSeconds: Double
    var millisecondsPerStep: Double
    var wallSeconds: Double
    var provenance: Provenance
}

/// Writes a result as pretty JSON, atomically; infinite or NaN numbers (a PSNR of
/// identical images) become `null` with a note instead of failing the write.
func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
    try ResultJSON.write(value, to: path)
}
