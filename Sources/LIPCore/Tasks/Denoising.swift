import Foundation
import ImageIO
import TensorKit

/// Additive white Gaussian noise: y = clip(x + N(0, (sigma/255)^2), 0, 1), kept in float
/// (not re-quantised), as DIP's `get_noisy_image`.
public func addGaussianNoise(to image: Image, sigma: Float, seed: UInt64) -> Image {
    var random = RandomSource(seed: seed).derived("observation-noise")
    let noise = random.normal(count: image.pixels.count, std: sigma / 255)
    return Image(channels: image.channels, height: image.height, width: image.width,
                 pixels: zip(image.pixels, noise).map { min(max($0 + $1, 0), 1) })
}
