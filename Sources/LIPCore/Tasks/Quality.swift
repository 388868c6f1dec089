import Foundation
import TensorKit
import ImageIO

/// The luma of ITU-R BT.601 as SR papers measure it: Y = (16 + 65.481 R + 128.553 G +
/// 24.966 B) / 255 for RGB in [0, 1] (MATLAB's rgb2ycbcr; the LIP eval script's OpenCV
/// YCrCb rescaled to [16/255, 235/255] is the same up to rounding of the coefficients).
public func lumaBT601(_ image: Image) -> [Float] {
    require(image.channels == 3, "luma needs an RGB image")
    let plane = image.height * image.width
    var y = [Float](repeating: 0, count: plane)
    for i in 0..<plane {
        let r = Double(image.pixels[i]), g = Double(image.pixels[plane + i]), b = Double(image.pixels[2 * plane + i])
        y[i] = Float((16 + 65.481 * r + 128.553 * g + 24.966 * b) / 255)
    }
    return y
}

/// PSNR on the BT.601 luma with `shave` pixels removed at every border, the SR convention
/// of the paper's Y-channel numbers (a gray image is used as is).
public func psnrY(_ x: Image, _ reference: Image, shave: Int = 4) -> Double {
    require(x.height == reference.height && x.width == reference.width, "PSNR of differently sized images")
    let a = x.channels == 3 ? lumaBT601(x) : x.pixels
    let b = reference.channels == 3 ? lumaBT601(reference) : reference.pixels
    var total = 0.0
    var count = 0
    for r in shave..<(x.height - shave) {
        for c in shave..<(x.width - shave) {
            let d = Double(a[r * x.width + c]) - Double(b[r * x.width + c])
            total += d * d
            count += 1
        }
    }
    return 10 * log10(1 / (total / Double(count)))
}

/// Structural similarity (Wang et al. 2004) as scikit-image's `structural_similarity`
/// with `gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1`:
/// an 11x11 Gaussian window (truncate 3.5), K1 0.01, K2 0.03, mean over the valid
/// interior (skimage crops (11-1)/2 = 5 pixels per side), averaged over channels.
public func ssim(_ x: Image, _ reference: Image) -> Double {
    require(x.channels == reference.channels && x.height == reference.height && x.width == reference.width,
                 "SSIM of differently shaped images")
    let radius = 5
    var kernel = (-radius...radius).map { exp(-Double($0 * $0) / (2 * 1.5 * 1.5)) }
    let total = kernel.reduce(0, +)
    kernel = kernel.map { $0 / total }
    let h = x.height, w = x.width, plane = h * w
    guard h > 2 * radius, w > 2 * radius else { return .nan }
    let c1 = 0.01 * 0.01, c2 = 0.03 * 0.03
    /// Separable Gaussian filter with scipy's 'reflect' border (edge sample repeated).
    func filter(_ values: [Double]) -> [Double] {
        func at(_ i: Int, _ n: Int) -> Int { i < 0 ? -i - 1 : (i >= n ? 2 * n - i - 1 : i) }
        var rows = [Double](repeating: 0, count: plane)
        for r in 0..<h {
            for c in 0..<w {
                var s = 0.0
                for k in -radius...radius { s += kernel[k + radius] * values[r * w + at(c + k, w)] }
                rows[r * w + c] = s
            }
        }
        var out = [Double](repeating: 0, count: plane)
        for r in 0..<h {
            for c in 0..<w {
                var s = 0.0
                for k in -radius...radius { s += kernel[k + radius] * rows[at(r + k, h) * w + c] }
                out[r * w + c] = s
            }
        }
        return out
    }
    var sum = 0.0
    for channel in 0..<x.channels {
        let a = x.pixels[(channel * plane)..<((channel + 1) * plane)].map(Double.init)
        let b = reference.pixels[(channel * plane)..<((channel + 1) * plane)].map(Double.init)
        let ma = filter(a), mb = filter(b)
        let aa = filter(a.map { $0 * $0 }), bb = filter(b.map { $0 * $0 }), ab = filter(zip(a, b).map(*))
        var channelSum = 0.0
        var count = 0
        for r in radius..<(h - radius) {
            for c in radius..<(w - radius) {
                let i = r * w + c
                let va = aa[i] - ma[i] * ma[i], vb = bb[i] - mb[i] * mb[i], cov = ab[i] - ma[i] * mb[i]
                channelSum += ((2 * ma[i] * mb[i] + c1) * (2 * cov + c2)) / ((ma[i] * ma[i] + mb[i] * mb[i] + c1) * (va + vb + c2))
                count += 1
            }
        }
        sum += channelSum / Double(count)
    }
    return sum / Double(x.channels)
}
