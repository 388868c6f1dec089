import Foundation
import LIPCore

/// A PSNR the paper reports for a LIP at one sparsity.
public struct PaperPoint: Codable, Sendable, Hashable {
    public var sparsity: Double
    public var psnr: Double

    public init(sparsity: Double, psnr: Double) {
        self.sparsity = sparsity
        self.psnr = psnr
    }

    /// The IMP round whose nominal sparsity is closest to this point's.
    public var round: Int { IMP.round(for: sparsity) }
}

/// One restoration setting of the paper (a row of its Fig. 2): the task, the paper's
/// image, a free stand-in shipped in `data/`, and the PSNRs the paper reports.
public struct Benchmark: Codable, Sendable, Hashable {
    /// Short name used in parameters and file names ("denoising", "sr-x4", ...).
    public var id: String
    public var title: String
    public var task: RestorationTask
    /// The paper's image, relative to the paper-data directory, and its name.
    public var paperImage: String
    public var paperImageName: String
    /// The paper's inpainting mask (white = known), relative to the paper-data directory.
    public var paperMask: String?
    /// The free image used instead when the paper's images are not asked for, and why it
    /// stands in for the paper's.
    public var standIn: String
    public var standInReason: String
    public var sigma: Double?
    public var factor: Int?
    /// Fig. 2: the dense DIP, three LIPs, and the extreme-sparsity LIP (99.53 %).
    public var paperDense: Double
    public var paperLIPs: [PaperPoint]
    public var paperExtreme: PaperPoint

    /// The paper's metric: Y-channel PSNR (4-pixel shave) for SR, RGB PSNR otherwise.
    public var metric: String { task == .sr ? "Y-PSNR" : "PSNR" }

    public static let inpainting = Benchmark(
        id: "inpainting", title: "inpainting, text mask", task: .inpaint,
        paperImage: "inpainting/kate.png", paperImageName: "kate", paperMask: "masks/kate_mask.png",
        standIn: "data/chelsea.png", standInReason: "a portrait-like photograph (a cat's face) under a rendered text mask",
        paperDense: 33.32, paperLIPs: [PaperPoint(sparsity: 0.79, psnr: 34.52), PaperPoint(sparsity: 0.83, psnr: 34.42),
                                       PaperPoint(sparsity: 0.914, psnr: 33.83)],
        paperExtreme: PaperPoint(sparsity: 0.9953, psnr: 29.67))

    public static let superResolutionX4 = Benchmark(
        id: "sr-x4", title: "super-resolution x4", task: .sr,
        paperImage: "Set14/zebra_x4_GT.png", paperImageName: "zebra", paperMask: nil,
        standIn: "data/grass.png", standInReason: "dense thin strokes at every scale, as the zebra's stripes (a 64 px center crop of brick is flat grey)",
        factor: 4,
        paperDense: 25.59, paperLIPs: [PaperPoint(sparsity: 0.83, psnr: 25.75), PaperPoint(sparsity: 0.865, psnr: 25.73),
                                       PaperPoint(sparsity: 0.914, psnr: 25.63)],
        paperExtreme: PaperPoint(sparsity: 0.9953, psnr: 23.72))

    public static let superResolutionX8 = Benchmark(
        id: "sr-x8", title: "super-resolution x8", task: .sr,
        paperImage: "Set14/pepper_x4_GT.png", paperImageName: "pepper", paperMask: nil,
        standIn: "data/coffee.png", standInReason: "smooth colored objects with clear edges, as the peppers",
        factor: 8,
        paperDense: 28.73, paperLIPs: [PaperPoint(sparsity: 0.67, psnr: 28.86), PaperPoint(sparsity: 0.83, psnr: 28.95),
                                       PaperPoint(sparsity: 0.89, psnr: 28.81)],
        paperExtreme: PaperPoint(sparsity: 0.9953, psnr: 27.36))

    public static let denoising = Benchmark(
        id: "denoising", title: "denoising, σ 25", task: .denoise,
        paperImage: "Set5/baby_x4_GT.png", paperImageName: "baby", paperMask: nil,
        standIn: "data/astronaut.png", standInReason: "a portrait photograph, as the baby",
        sigma: 25,
        paperDense: 31.07, paperLIPs: [PaperPoint(sparsity: 0.59, psnr: 31.17), PaperPoint(sparsity: 0.67, psnr: 31.24),
                                       PaperPoint(sparsity: 0.74, psnr: 31.13)],
        paperExtreme: PaperPoint(sparsity: 0.9953, psnr: 29.02))

    /// The rows of the paper's Fig. 2, top to bottom.
    public static let figureTwo = [inpainting, superResolutionX4, superResolutionX8, denoising]

    public static func named(_ id: String) throws -> Benchmark {
        guard let found = figureTwo.first(where: { $0.id == id }) else {
            throw ExperimentError.unknownBenchmark(id, known: figureTwo.map(\.id))
        }
        return found
    }
}

public enum ExperimentError: Error, CustomStringConvertible {
    case unknownBenchmark(String, known: [String])
    case missingPaperData(String)
    case tooSmall(String, side: Int, needed: Int)
    case nothingToInpaint(String, side: Int)

    public var description: String {
        switch self {
        case .unknownBenchmark(let id, let known):
            "unknown benchmark '\(id)'; choose one of \(known.joined(separator: ", "))"
        case .missingPaperData(let path):
            "the paper's images are not at \(path); pass --param data=DIR with the folder that holds Set5/, Set14/, inpainting/ and masks/, or set LIP_PAPER_DATA"
        case .nothingToInpaint(let mask, let side):
            "\(mask): its \(side)x\(side) center crop has no unknown pixels, so there is nothing to inpaint; use a larger crop (--param size=256, or 0 for the whole image)"
        case .tooSmall(let image, let side, let needed):
            "\(image): a \(side)-pixel crop is too small; the hourglass needs at least \(needed) pixels a side"
        }
    }
}
