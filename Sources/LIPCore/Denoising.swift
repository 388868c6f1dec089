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

/// What a denoising run produced, as plain values (Codable, so notebooks can cache it).
public struct DenoisingReport: Codable, Equatable {
    public var clean: Image
    public var noisy: Image
    /// The EMA of the outputs after the last step (DIP's smoothed result).
    public var restored: Image
    /// The last output.
    public var output: Image
    public var history: [IterationRecord]
    public var noisyPSNR: Double
    public var restorations: Int
    public var seconds: Double

    public var final: IterationRecord { history.last! }
    public var bestPSNR: IterationRecord { history.max { $0.psnr < $1.psnr }! }
    public var bestEMAPSNR: IterationRecord { history.max { $0.psnrEMA < $1.psnrEMA }! }
}

extension DenoisingRun {
    public var report: DenoisingReport {
        DenoisingReport(clean: clean, noisy: noisy, restored: Image(result.averagedOutput), output: Image(result.output),
                        history: result.history, noisyPSNR: psnr(noisy.pixels, clean.pixels),
                        restorations: result.restorations, seconds: result.seconds)
    }
}

/// A denoising run: the image, its noisy observation, the network and its input.
public struct DenoisingRun {
    public var clean: Image
    public var noisy: Image
    public var sigma: Float
    public var settings: FitSettings
    public var network: Sequential
    public var input: Tensor
    public var result: FitResult

    /// The standard choice of sigma_reg for a noise level (the DIP notebook's comment:
    /// 1/30 for sigma 25, 1/20 for sigma 50).
    public static func inputNoiseStd(forSigma sigma: Float) -> Float { sigma >= 50 ? 1.0 / 20.0 : 1.0 / 30.0 }

    /// Denoises `clean + noise` with a freshly initialised DIP (`configuration`).
    public static func run(clean: Image, sigma: Float, settings: FitSettings,
                           configuration: SkipConfiguration = .dip,
                           progress: ((IterationRecord) -> Void)? = nil) throws -> DenoisingRun {
        var configuration = configuration
        configuration.outputChannels = clean.channels
        if let problem = configuration.problem(height: clean.height, width: clean.width) {
            throw InputError.imageTooSmall(problem)
        }
        let network = makeSkipNetwork(configuration)
        var weightSeeds = RandomSource(seed: settings.seed).derived("weights")
        network.initializeParameters(seed: weightSeeds.next())
        let noisy = addGaussianNoise(to: clean, sigma: sigma, seed: settings.seed)
        let input = makeNetworkInput(depth: configuration.inputChannels, height: clean.height, width: clean.width,
                                     seed: settings.seed)
        let target = noisy.tensor
        let result = try fitDeepImagePrior(
            network: network, input: input, settings: settings,
            loss: { meanSquaredError($0, target) },
            observedPSNR: { psnr($0.data, noisy.pixels) },
            clean: clean.pixels, progress: progress)
        return DenoisingRun(clean: clean, noisy: noisy, sigma: sigma, settings: settings, network: network,
                            input: input, result: result)
    }
}
