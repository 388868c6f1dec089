import Foundation

/// Pillow's `Image.resize(size, Image.LANCZOS)` on 8-bit samples, to the bit: how DIP and
/// LIP make the low-resolution input of super-resolution (`img.resize(LR_size,
/// Image.ANTIALIAS)` on the 8-bit image, read back as k/255).
///
/// Written from the algorithm of Pillow's `libImaging/Resample.c`: separable, a horizontal
/// pass into an 8-bit intermediate image (only the rows the vertical pass reads), then a
/// vertical pass. Each output sample's taps are the Lanczos-3 window
/// sinc(x)·sinc(x/3) on |x| < 3, stretched by the scale when reducing (antialiasing),
/// centerd at (i + 0.5)·scale, normalized to sum 1, and rounded to fixed point with 22
/// fractional bits; a sum starts at half an output step and is clipped to 0…255.
public enum PillowResize {
    static let precisionBits = 32 - 8 - 2

    /// The taps of one pass: for each output index, the first input index and its weights
    /// (fixed point, 22 fractional bits).
    public struct Taps {
        public var first: [Int]
        public var weights: [[Int]]
    }

    static func lanczos(_ x: Double) -> Double {
        func sinc(_ x: Double) -> Double {
            if x == 0 { return 1 }
            let y = x * Double.pi
            return sin(y) / y
        }
        return (-3.0 <= x && x < 3.0) ? sinc(x) * sinc(x / 3) : 0
    }

    /// Pillow's `precompute_coeffs` and `normalize_coeffs_8bpc` for the whole input range.
    public static func taps(inputSize: Int, outputSize: Int) -> Taps {
        let scale = Double(inputSize) / Double(outputSize)
        let filterScale = max(scale, 1)
        let support = 3.0 * filterScale
        var first: [Int] = [], weights: [[Int]] = []
        for output in 0..<outputSize {
            let center = (Double(output) + 0.5) * scale
            let low = max(0, Int(center - support + 0.5))
            let high = min(inputSize, Int(center + support + 0.5))
            var taps = (low..<high).map { lanczos((Double($0) - center + 0.5) / filterScale) }
            let sum = taps.reduce(0, +)
            if sum != 0 { taps = taps.map { $0 / sum } }
            let unit = Double(1 << precisionBits)
            first.append(low)
            weights.append(taps.map { $0 < 0 ? Int(-0.5 + $0 * unit) : Int(0.5 + $0 * unit) })
        }
        return Taps(first: first, weights: weights)
    }

    static func clip8(_ sum: Int) -> UInt8 {
        if sum >= (1 << precisionBits) << 8 { return 255 }
        if sum <= 0 { return 0 }
        return UInt8(sum >> precisionBits)
    }

    /// Resizes one plane of 8-bit samples (row-major, `width` x `height`).
    public static func resize(_ plane: [UInt8], width: Int, height: Int, toWidth: Int, toHeight: Int) -> [UInt8] {
        precondition(plane.count == width * height && toWidth > 0 && toHeight > 0, "resize: bad sizes")
        let horizontal = taps(inputSize: width, outputSize: toWidth)
        let vertical = taps(inputSize: height, outputSize: toHeight)
        let half = 1 << (precisionBits - 1)
        // The rows of the input the vertical pass reads.
        let firstRow = vertical.first[0]
        let lastRow = vertical.first[toHeight - 1] + vertical.weights[toHeight - 1].count
        var rows = plane
        var rowWidth = width
        var rowOffset = 0
        if toWidth != width {
            rows = [UInt8](repeating: 0, count: toWidth * (lastRow - firstRow))
            for y in firstRow..<lastRow {
                for x in 0..<toWidth {
                    var sum = half
                    for (i, w) in horizontal.weights[x].enumerated() {
                        sum += Int(plane[y * width + horizontal.first[x] + i]) * w
                    }
                    rows[(y - firstRow) * toWidth + x] = clip8(sum)
                }
            }
            rowWidth = toWidth
            rowOffset = firstRow
        }
        guard toHeight != height else {
            return rowOffset == 0 && rows.count == toWidth * toHeight ? rows : Array(rows.prefix(toWidth * toHeight))
        }
        var result = [UInt8](repeating: 0, count: toWidth * toHeight)
        for y in 0..<toHeight {
            for x in 0..<toWidth {
                var sum = half
                for (i, w) in vertical.weights[y].enumerated() {
                    sum += Int(rows[(vertical.first[y] + i - rowOffset) * rowWidth + x]) * w
                }
                result[y * toWidth + x] = clip8(sum)
            }
        }
        return result
    }
}

extension Image {
    /// The image as 8-bit samples would store it (round(255·x), clipped).
    public var quantized: [UInt8] { pixels.map { UInt8((min(max($0, 0), 1) * 255).rounded()) } }

    /// Resized as Pillow's `Image.resize(size, Image.LANCZOS)` resizes the 8-bit image, and
    /// read back as k/255 (see `PillowResize`).
    public func pillowLanczosResized(width newWidth: Int, height newHeight: Int) -> Image {
        let samples = quantized
        var pixels: [Float] = []
        pixels.reserveCapacity(channels * newWidth * newHeight)
        for c in 0..<channels {
            let plane = Array(samples[(c * height * width)..<((c + 1) * height * width)])
            pixels += PillowResize.resize(plane, width: width, height: height, toWidth: newWidth, toHeight: newHeight)
                .map { Float($0) / 255 }
        }
        return Image(channels: channels, height: newHeight, width: newWidth, pixels: pixels)
    }
}
