import Foundation
import ImageIO
import Store
import TensorKit

/// What a ticket search was computed from, beyond its `TicketSearchConfiguration`: the
/// content of every image it fitted (after cropping), the degradation's parameters and
/// the thread count. A resumed search must match it exactly, or its rounds would mix
/// problems; `differences(from:)` names what changed.
public struct TicketSpecification: Codable, Equatable, Sendable {
    public struct ImageRecord: Codable, Equatable, Sendable {
        /// The path as given (informative: a moved file with the same content matches).
        public var path: String
        public var width: Int
        public var height: Int
        public var channels: Int
        /// SHA-256 of the cropped clean image's Float32 samples.
        public var contentSHA256: String
        /// SHA-256 of what the search fits (the clean image for denoising; the masked or
        /// low-resolution observation otherwise), which covers the mask and the factor.
        public var targetSHA256: String
    }

    public var task: RestorationTask
    public var images: [ImageRecord]
    public var sigma: Float?
    public var factor: Int?
    /// Inpainting: SHA-256 of the binary mask.
    public var maskSHA256: String?
    /// Threads the search started with, for the record only: results are bit-identical
    /// across thread counts (`Threads`), so a resume may use another count.
    public var threads: Int

    /// The specification of a search over `problems` (its mask-finding problems) with
    /// image paths `paths`, at the current thread count.
    public init(problems: [RestorationProblem], paths: [String], threads: Int = Threads.count) {
        task = problems.first?.task ?? .denoise
        images = zip(problems, paths).map { problem, path in
            ImageRecord(path: path, width: problem.clean.width, height: problem.clean.height,
                        channels: problem.clean.channels, contentSHA256: sha256(of: problem.clean.pixels),
                        targetSHA256: sha256(of: problem.observation.pixels))
        }
        sigma = problems.first?.sigma
        factor = problems.first?.factor
        maskSHA256 = problems.first?.mask.map { sha256(of: $0.pixels) }
        self.threads = threads
    }

    /// What differs between this specification (the new command) and `stored` (the
    /// folder's), in words; empty when they match.
    public func differences(from stored: TicketSpecification) -> [String] {
        var found: [String] = []
        if task != stored.task { found.append("task \(task.rawValue) here, \(stored.task.rawValue) in the folder") }
        if images.count != stored.images.count {
            found.append("\(images.count) image(s) here, \(stored.images.count) in the folder")
        }
        for (i, (new, old)) in zip(images, stored.images).enumerated() {
            let name = images.count > 1 ? "image \(i + 1) (\(new.path))" : "image \(new.path)"
            if (new.width, new.height, new.channels) != (old.width, old.height, old.channels) {
                found.append("\(name) is \(new.width)x\(new.height)x\(new.channels) after cropping here, \(old.width)x\(old.height)x\(old.channels) in the folder (another --crop or another image)")
            } else if new.contentSHA256 != old.contentSHA256 {
                found.append("\(name) has other pixels than the image the folder was searched on (\(old.path)): the file changed, or another image or crop")
            } else if new.targetSHA256 != old.targetSHA256 {
                found.append("\(name): the fitted observation differs (another mask, factor or seed)")
            }
        }
        if sigma != stored.sigma {
            found.append("σ \(sigma.map { "\($0)" } ?? "none") here, \(stored.sigma.map { "\($0)" } ?? "none") in the folder")
        }
        if factor != stored.factor {
            found.append("factor \(factor.map(String.init) ?? "none") here, \(stored.factor.map(String.init) ?? "none") in the folder")
        }
        if maskSHA256 != stored.maskSHA256 { found.append("the inpainting mask differs") }
        return found
    }
}

/// SHA-256 of Float32 samples as little-endian bytes.
func sha256(of samples: [Float]) -> String {
    var hasher = SHA256()
    samples.withUnsafeBytes { hasher.update($0) }
    return hasher.finalize()
}
