import Foundation
import ImageIO
import TensorKit

/// The restoration tasks of the paper.
public enum RestorationTask: String, Codable, CaseIterable, Sendable {
    case denoise
    case inpaint
    case sr
}

/// What made the observation from the clean image: the forward operator of a task.
public enum Degradation: Sendable {
    /// Additive Gaussian noise of std sigma/255 (denoising).
    case noise(sigma: Float)
    /// Missing pixels: 1 where a pixel is known, 0 in the holes, per channel (inpainting).
    case missingPixels(mask: Image)
    /// Downsampling by an even factor (super-resolution).
    case downsampling(factor: Int)

    public var task: RestorationTask {
        switch self {
        case .noise: .denoise
        case .missingPixels: .inpaint
        case .downsampling: .sr
        }
    }
}

/// A degraded observation of a clean image, the forward operator that produced it, and
/// the data term a prior is fitted with.
public struct RestorationProblem {
    public var clean: Image
    /// What the prior is fitted to: the noisy image, the masked image, or the LR image.
    public var observation: Image
    public var degradation: Degradation
    /// A short description of the degradation ("σ 25", "text mask, 95.7 % known", "x4").
    public var degradationLabel: String

    public var task: RestorationTask { degradation.task }
    /// The noise level of a denoising problem.
    public var sigma: Float? { if case .noise(let sigma) = degradation { sigma } else { nil } }
    /// The known-pixel mask of an inpainting problem.
    public var mask: Image? { if case .missingPixels(let mask) = degradation { mask } else { nil } }
    /// The downsampling factor of a super-resolution problem.
    public var factor: Int? { if case .downsampling(let factor) = degradation { factor } else { nil } }

    // MARK: Construction

    /// Additive Gaussian noise of std sigma/255, clipped to [0, 1].
    public static func denoising(_ clean: Image, sigma: Float, seed: UInt64) -> RestorationProblem {
        let name = sigma.isFinite && sigma == sigma.rounded() ? "\(Int(sigma))" : String(format: "%g", Double(sigma))
        return RestorationProblem(clean: clean, observation: addGaussianNoise(to: clean, sigma: sigma, seed: seed),
                                  degradation: .noise(sigma: sigma), degradationLabel: "σ \(name)")
    }

    /// Inpainting with a mask image (white = known). A gray mask applies to every channel.
    public static func inpainting(_ clean: Image, mask: Image, maskName: String = "mask") throws -> RestorationProblem {
        guard mask.height == clean.height && mask.width == clean.width else {
            throw ProblemError.maskSize(mask: maskName, maskSize: "\(mask.width)x\(mask.height)",
                                        imageSize: "\(clean.width)x\(clean.height)")
        }
        var binary = mask.pixels.map { $0 > 0.5 ? Float(1) : 0 }
        if mask.channels == 1 && clean.channels > 1 {
            binary = Array(repeating: binary, count: clean.channels).flatMap { $0 }
        } else if mask.channels != clean.channels {
            binary = Array(binary[0..<(mask.height * mask.width)])
            binary = Array(repeating: binary, count: clean.channels).flatMap { $0 }
        }
        let m = Image(channels: clean.channels, height: clean.height, width: clean.width, pixels: binary)
        let known = Double(binary.reduce(0, +)) / Double(binary.count)
        guard known > 0 else { throw ProblemError.emptyMask(mask: maskName) }
        return RestorationProblem(clean: clean,
                                  observation: Image(channels: clean.channels, height: clean.height, width: clean.width,
                                                     pixels: zip(clean.pixels, binary).map(*)),
                                  degradation: .missingPixels(mask: m),
                                  degradationLabel: String(format: "%@, %.1f %% known", maskName, 100 * known))
    }

    /// Inpainting with a Bernoulli mask keeping each sample with probability `keep`,
    /// independently per channel (the LIP code's `get_bernoulli_mask(img, 0.5)`).
    public static func inpainting(_ clean: Image, keep: Double, seed: UInt64) throws -> RestorationProblem {
        guard keep > 0 && keep <= 1 else { throw ProblemError.keepRatio(keep) }
        var random = RandomSource(seed: seed).derived("bernoulli-mask")
        let pixels = (0..<clean.pixels.count).map { _ in Double(random.nextUniform()) < keep ? Float(1) : 0 }
        var problem = try inpainting(clean, mask: Image(channels: clean.channels, height: clean.height, width: clean.width,
                                                        pixels: pixels))
        problem.degradationLabel = String(format: "random mask, %.0f %% kept", 100 * keep)
        return problem
    }

    /// Super-resolution by `factor`. The low-resolution input is made as DIP and LIP make
    /// it: Pillow's antialiased Lanczos-3 resize of the 8-bit image, rounded to 8 bits
    /// (`img_HR.resize(LR_size, Image.ANTIALIAS)`), not with the operator the loss uses
    /// (DIP's Lanczos-2 downsampler, which would make the inverse problem easier than the
    /// paper's: the model could explain its input exactly).
    ///
    /// The factor must be even: DIP's `Downsampler` (phase 0.5, `preserve_size`) pads by
    /// ⌊3f/2⌋ around a 4f-tap kernel, so an odd f yields H/f - 1 rows, not H/f (the
    /// reference has the same property; its scripts use 4 and 8 only).
    public static func superResolution(_ clean: Image, factor: Int) throws -> RestorationProblem {
        guard factor >= 2, factor % 2 == 0, clean.height % factor == 0, clean.width % factor == 0 else {
            throw ProblemError.factor(factor: factor, size: "\(clean.width)x\(clean.height)")
        }
        let low = clean.pillowLanczosResized(width: clean.width / factor, height: clean.height / factor)
        return RestorationProblem(clean: clean, observation: low, degradation: .downsampling(factor: factor),
                                  degradationLabel: "x\(factor)")
    }

    /// The objective IMP finds masks with, as the LIP code does: the clean image for
    /// denoising ("IMP uses clean target"), the degraded observation otherwise.
    public var maskFindingProblem: RestorationProblem {
        guard task == .denoise else { return self }
        var problem = self
        problem.observation = clean
        problem.degradationLabel = "clean target (mask finding)"
        return problem
    }

    // MARK: Data term and measurements

    /// The loss of a network output (1 x C x H x W): MSE(out, y), MSE(out ⊙ m, x ⊙ m), or
    /// MSE(down(out), y_LR).
    public func loss(_ output: Tensor) -> Tensor {
        let target = observation.tensor
        switch degradation {
        case .noise: return meanSquaredError(output, target)
        case .missingPixels(let mask): return meanSquaredError(output, target, mask: mask.tensor)
        case .downsampling(let factor): return meanSquaredError(LanczosDownsampler(factor: factor)(output), target)
        }
    }

    /// PSNR of an output against the observation (what backtracking watches).
    public func observedPSNR(_ output: Tensor) -> Double {
        switch degradation {
        case .noise: return psnr(output.data, observation.pixels)
        case .missingPixels(let mask): return psnr(zip(output.data, mask.pixels).map(*), observation.pixels)
        case .downsampling(let factor):
            let low = GradientMode.withoutGradients { LanczosDownsampler(factor: factor)(output) }
            return psnr(low.data, observation.pixels)
        }
    }

    /// PSNR of the observation itself against the clean image (the degraded baseline;
    /// for SR, the LR image upsampled by nearest neighbour).
    public var observationPSNR: Double {
        switch degradation {
        case .noise, .missingPixels: return psnr(observation.pixels, clean.pixels)
        case .downsampling(let factor):
            let up = GradientMode.withoutGradients { upsample(observation.tensor, factor: factor, mode: .nearest) }
            return psnr(up.data, clean.pixels)
        }
    }

    /// The paper's SR metric: Y-channel PSNR with a 4-pixel border shave (nil for other tasks).
    public func psnrY(of pixels: [Float]) -> Double? {
        guard task == .sr else { return nil }
        return LIPCore.psnrY(Image(channels: clean.channels, height: clean.height, width: clean.width, pixels: pixels), clean)
    }

    /// DIP's settings for the task: σ_reg 1/30 (1/20 for σ ≥ 50) and backtracking for
    /// denoising; σ_reg 0.03 for inpainting and SR, 2000 steps for SR, no backtracking there.
    public var defaultSettings: FitSettings {
        var settings = FitSettings()
        switch degradation {
        case .noise(let sigma):
            settings.inputNoiseStd = FitSettings.inputNoiseStd(forSigma: sigma)
        case .missingPixels:
            settings.inputNoiseStd = 0.03
        case .downsampling:
            settings.inputNoiseStd = 0.03
            settings.iterations = 2000
            settings.backtracking = false
        }
        return settings
    }
}

public enum ProblemError: Error, CustomStringConvertible {
    case maskSize(mask: String, maskSize: String, imageSize: String)
    case keepRatio(Double)
    case factor(factor: Int, size: String)
    case emptyMask(mask: String)

    public var description: String {
        switch self {
        case .maskSize(let mask, let maskSize, let imageSize):
            "mask \(mask) is \(maskSize) but the image is \(imageSize); crop the image to the mask's size (--crop) or use a mask of the image's size"
        case .keepRatio(let keep):
            "keep ratio \(keep) must be in (0, 1]"
        case .factor(let factor, let size) where factor < 2 || factor % 2 != 0:
            "SR factor \(factor) must be an even number of at least 2 (DIP's Lanczos downsampler loses a row for odd factors); the image is \(size)"
        case .factor(let factor, let size):
            "SR factor \(factor) must divide the image size \(size); crop the image to a multiple of \(max(factor, 32))"
        case .emptyMask(let mask):
            "mask \(mask) has no known pixel (it is all black, white = known): there is nothing to fit"
        }
    }
}
