import Foundation
import ImageIO
import Networks
import TensorKit

/// Additive white Gaussian noise: y = clip(x + N(0, (sigma/255)^2), 0, 1), kept in float
/// (not re-quantised), as DIP's `get_noisy_image`.
public func addGaussianNoise(to image: Image, sigma: Float, seed: UInt64) -> Image {
    var random = RandomSource(seed: seed).derived("observation-noise")
    let noise = random.normal(count: image.pixels.count, std: sigma / 255)
    return Image(channels: image.channels, height: image.height, width: image.width,
                 pixels: zip(image.pixels, noise).map { min(max($0 + $1, 0), 1) })
}

/// Denoising reports are restoration reports.
public typealias DenoisingReport = RestorationReport

/// A denoising run with DIP: the image, its noisy observation, the network and its input.
public struct DenoisingRun {
    public var clean: Image
    public var noisy: Image
    public var sigma: Float
    public var settings: FitSettings
    public var network: Sequential
    public var input: Tensor
    public var result: FitResult
    public var report: RestorationReport

    /// The standard choice of sigma_reg for a noise level (the DIP notebook's comment:
    /// 1/30 for sigma 25, 1/20 for sigma 50).
    public static func inputNoiseStd(forSigma sigma: Float) -> Float { sigma >= 50 ? 1.0 / 20.0 : 1.0 / 30.0 }

    /// Denoises `clean + noise` with a freshly initialised DIP (`configuration`).
    public static func run(clean: Image, sigma: Float, settings: FitSettings,
                           configuration: SkipConfiguration = .dip,
                           progress: ((IterationRecord) -> Void)? = nil) throws -> DenoisingRun {
        let problem = RestorationProblem.denoising(clean, sigma: sigma, seed: settings.seed)
        let outcome = try restore(problem, prior: .dip(configuration), settings: settings, progress: progress)
        return DenoisingRun(clean: clean, noisy: problem.observation, sigma: sigma, settings: settings,
                            network: outcome.network, input: outcome.input, result: outcome.result, report: outcome.report)
    }
}
