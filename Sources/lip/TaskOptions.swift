import ArgumentParser
import Foundation
import ImageIO
import LIPCore
import Networks
import Store

extension RestorationTask: ExpressibleByArgument {}
extension PruningMethod: ExpressibleByArgument {}

/// The options that choose a task and build its problem from an image.
struct TaskOptions: ParsableArguments {
    @Option(help: "Task: denoise, inpaint or sr.")
    var task: RestorationTask = .denoise

    @Option(parsing: .unconditional, help: "Center-crop images to SIZE x SIZE first (then to a multiple of 32).")
    var crop: Int?

    @Option(parsing: .unconditional, help: "Denoising: noise std on the 0-255 scale.")
    var sigma: Float = 25

    @Option(help: "Inpainting: mask image (white = known pixel), of the (cropped) image's size.")
    var mask: String?

    @Option(parsing: .unconditional, help: "Inpainting without --mask: fraction of samples kept by a random mask (per channel).")
    var keep: Double = 0.5

    @Option(parsing: .unconditional, help: "Super-resolution factor (even: 2, 4, 8).")
    var factor: Int = 4

    @Option(help: "Seed of the degradation, the network input and jitter (and the weights where not given).")
    var seed: UInt64 = 42

    @Option(parsing: .unconditional, help: "Adam steps (default: 3000, or 2000 for sr).")
    var iterations: Int?

    @Option(parsing: .unconditional, help: "Adam learning rate.")
    var lr: Float = 0.01

    @Option(parsing: .unconditional, help: "Std of the input jitter σ_reg (default: 1/30, or 1/20 for sigma >= 50, when denoising; 0.03 otherwise; 0 turns it off).")
    var inputNoise: Float?

    @Flag(inversion: .prefixedNo, help: "DIP's backtracking safeguard (default: on when denoising, off otherwise).")
    var backtracking: Bool?

    /// The smallest image side DIP accepts once center-cropped to a multiple of 32.
    static var minimumImageSide: Int { (SkipConfiguration.dip.minimumSide + 31) / 32 * 32 }

    func validate() throws {
        try Check.positive(sigma, "--sigma", atMost: 255)
        guard keep.isFinite, keep > 0, keep <= 1 else { throw ValidationError("--keep must be in (0, 1], got \(keep)") }
        if factor < 2 || factor > 32 || factor % 2 != 0 {
            throw ValidationError("--factor must be an even number from 2 to 32 (DIP's Lanczos downsampler loses a row for odd factors), got \(factor)")
        }
        if let iterations { try Check.atLeast(iterations, 1, "--iterations") }
        try Check.positive(lr, "--lr")
        if let inputNoise { try Check.nonNegative(inputNoise, "--input-noise") }
        try Self.checkCrop(crop)
        if mask != nil && task != .inpaint { throw ValidationError("--mask is for --task inpaint") }
    }

    /// The steps a fit runs: `--iterations`, or the task's default.
    var steps: Int { iterations ?? (task == .sr ? 2000 : 3000) }

    /// `--crop` of `lip restore` (and its alias `lip denoise`) and `lip ticket`.
    static func checkCrop(_ crop: Int?) throws {
        if let crop, crop < minimumImageSide {
            throw ValidationError("--crop must be at least \(minimumImageSide) (images are center-cropped to a multiple of 32, and DIP's five scales need more than 32 pixels), got \(crop)")
        }
    }

    /// Reads and crops an image (always RGB: tickets and DIP's output are three channels).
    func image(_ path: String) throws -> Image {
        try Self.croppedImage(path, crop: crop, color: .rgb)
    }

    /// Reads `path`, center-crops it to `crop` and then to a multiple of 32, refusing
    /// images DIP cannot take.
    static func croppedImage(_ path: String, crop: Int?, color: ColorHandling) throws -> Image {
        var image = try PNG.read(path, color: color)
        if let crop {
            guard crop <= image.height && crop <= image.width else {
                throw InputProblem("--crop \(crop) is larger than \(path) (\(image.width)x\(image.height)); choose at most \(min(image.width, image.height))")
            }
            image = image.centerCropped(height: crop, width: crop)
        }
        guard image.height >= minimumImageSide && image.width >= minimumImageSide else {
            throw InputProblem("\(path) is \(image.width)x\(image.height)\(crop == nil ? "" : " after --crop"); DIP needs at least \(minimumImageSide) pixels a side (images are center-cropped to a multiple of 32)")
        }
        return image.centerCropped(toMultipleOf: 32)
    }

    func problem(for path: String) throws -> RestorationProblem {
        let clean = try image(path)
        switch task {
        case .denoise:
            return .denoising(clean, sigma: sigma, seed: seed)
        case .inpaint:
            if let mask {
                var maskImage = try PNG.read(mask)
                if let crop, maskImage.height > clean.height || maskImage.width > clean.width {
                    maskImage = maskImage.centerCropped(height: min(crop, maskImage.height), width: min(crop, maskImage.width))
                        .centerCropped(toMultipleOf: 32)
                }
                return try .inpainting(clean, mask: maskImage, maskName: URL(fileURLWithPath: mask).lastPathComponent)
            }
            return try .inpainting(clean, keep: keep, seed: seed)
        case .sr:
            return try .superResolution(clean, factor: factor)
        }
    }

    func settings(for problem: RestorationProblem, prior: Prior) -> FitSettings {
        var settings = prior.settings(for: problem)
        if let iterations { settings.iterations = iterations }
        settings.learningRate = lr
        settings.seed = seed
        if let inputNoise { settings.inputNoiseStd = inputNoise }
        if let backtracking { settings.backtracking = backtracking }
        return settings
    }
}

/// Live progress for a fit.
func fitProgress(_ total: Int, label: String) -> (ProgressLine, (IterationRecord) -> Void) {
    let line = ProgressLine(total: total, label: label)
    return (line, { record in
        var fields = [String(format: "loss %.5f", record.loss), String(format: "PSNR %.2f", record.psnr),
                      String(format: "EMA %.2f dB", record.psnrEMA)]
        if let y = record.psnrY { fields.append(String(format: "Y %.2f dB", y)) }
        line.update(record.iteration + 1, fields)
    })
}

func printReport(_ report: RestorationReport, label: String) {
    var lines = ["\(label): \(report.task.rawValue) (\(report.degradation)), \(report.prior), \(report.parameters) parameters, sparsity \(String(format: "%.2f", 100 * report.sparsity)) %",
                 String(format: "  observation          %6.2f dB", report.observationPSNR),
                 String(format: "  final output         %6.2f dB   EMA %6.2f dB   SSIM (EMA) %.4f", report.final.psnr, report.final.psnrEMA, report.ssimFinal),
                 String(format: "  best over iterations %6.2f dB (step %d)   EMA %6.2f dB (step %d)   SSIM %.4f [oracle]",
                        report.bestPSNR.psnr, report.bestPSNR.iteration, report.bestEMAPSNR.psnrEMA, report.bestEMAPSNR.iteration, report.ssimBest)]
    if let y = report.final.psnrY {
        lines.append(String(format: "  Y-PSNR (shave 4)     final %6.2f dB, best %6.2f dB (step %d)", y, report.bestScore.score, report.bestScore.iteration))
    }
    lines.append(String(format: "  %.1f s, %d backtracking restorations", report.seconds, report.restorations))
    print(lines.joined(separator: "\n"))
}

func writeHistoryCSV(_ history: [IterationRecord], to path: String) throws {
    var text = "iteration,loss,psnr,psnr_ema,psnr_observed,psnr_y,psnr_y_ema\n"
    for r in history {
        text += "\(r.iteration),\(r.loss),\(String(format: "%.4f", r.psnr)),\(String(format: "%.4f", r.psnrEMA)),\(String(format: "%.4f", r.psnrObserved)),\(r.psnrY.map { String(format: "%.4f", $0) } ?? ""),\(r.psnrYEMA.map { String(format: "%.4f", $0) } ?? "")\n"
    }
    try AtomicFile.write(text, to: path)
}

struct ReportSummary: Codable {
    var image: String
    var task: RestorationTask
    var degradation: String
    var prior: String
    var parameters: Int
    var sparsity: Double
    var observationPSNR: Double
    var finalPSNR: Double
    var finalEMAPSNR: Double
    var bestPSNR: Double
    var bestEMAPSNR: Double
    var bestEMAIteration: Int
    var finalPSNRY: Double?
    var bestPSNRY: Double?
    var ssimFinal: Double
    var ssimBest: Double
    var restorations: Int
    var seconds: Double
    var settings: FitSettings
    var ticket: String?
    var round: Int?
    var provenance: Provenance

    init(_ report: RestorationReport, image: String, settings: FitSettings, ticket: String? = nil, round: Int? = nil) {
        self.image = image
        task = report.task
        degradation = report.degradation
        prior = report.prior
        parameters = report.parameters
        sparsity = report.sparsity
        observationPSNR = report.observationPSNR
        finalPSNR = report.final.psnr
        finalEMAPSNR = report.final.psnrEMA
        bestPSNR = report.bestPSNR.psnr
        bestEMAPSNR = report.bestEMAPSNR.psnrEMA
        bestEMAIteration = report.bestEMAPSNR.iteration
        finalPSNRY = report.final.psnrY
        bestPSNRY = report.task == .sr ? report.bestScore.score : nil
        ssimFinal = report.ssimFinal
        ssimBest = report.ssimBest
        restorations = report.restorations
        seconds = report.seconds
        self.settings = settings
        self.ticket = ticket
        self.round = round
        provenance = Provenance.current()
    }
}

/// The files `writeOutputs` writes.
let restorationOutputs = ["observation.png", "restored.png", "output.png", "best.png", "history.csv", "summary.json"]

/// The snapshot images `writeOutputs` writes for `steps`: the raw output and its EMA.
func snapshotOutputs(_ steps: Set<Int>) -> [String] {
    steps.sorted().flatMap { [String(format: "snapshot-%05d.png", $0), String(format: "snapshot-%05d-ema.png", $0)] }
}

/// Writes the images, history and summary of a restoration into `folder` (prepared
/// before the training, so that it is known to be writable), and its snapshots.
func writeOutputs(_ report: RestorationReport, summary: ReportSummary, to folder: OutputFolder,
                  alsoWritten: [String] = []) throws {
    for snapshot in report.snapshots {
        try PNG.write(snapshot.output, to: folder.file(String(format: "snapshot-%05d.png", snapshot.step)))
        try PNG.write(snapshot.averaged, to: folder.file(String(format: "snapshot-%05d-ema.png", snapshot.step)))
    }
    try PNG.write(report.observation, to: folder.file("observation.png"))
    try PNG.write(report.restored, to: folder.file("restored.png"))
    try PNG.write(report.output, to: folder.file("output.png"))
    try PNG.write(report.bestRestored, to: folder.file("best.png"))
    try writeHistoryCSV(report.history, to: folder.file("history.csv"))
    try writeJSON(summary, to: folder.file("summary.json"))
    try folder.finish(written: restorationOutputs + alsoWritten + snapshotOutputs(Set(report.snapshots.map(\.step))))
}

/// Writes a result as pretty JSON, atomically; infinite or NaN numbers (a PSNR of
/// identical images) become `null` with a note instead of failing the write.
func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
    try ResultJSON.write(value, to: path)
}
