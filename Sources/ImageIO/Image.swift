/// A planar (channels, height, width) Float32 image with samples in [0, 1], the layout
/// DIP's `pil_to_np` produces.
public struct Image: Equatable, Sendable, Codable {
    public var channels: Int
    public var height: Int
    public var width: Int
    public var pixels: [Float]

    public init(channels: Int, height: Int, width: Int, pixels: [Float]) {
        if !(pixels.count == channels * height * width) { fatalError("image of \(channels)x\(height)x\(width) needs \(channels * height * width) samples, got \(pixels.count)") }
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
    }

    public init(channels: Int, height: Int, width: Int, filling value: Float = 0) {
        self.init(channels: channels, height: height, width: width,
                  pixels: [Float](repeating: value, count: channels * height * width))
    }

    public subscript(channel: Int, row: Int, column: Int) -> Float {
        get { pixels[(channel * height + row) * width + column] }
        set { pixels[(channel * height + row) * width + column] = newValue }
    }

    /// The window of `height` x `width` pixels whose top-left corner is (top, left).
    public func cropped(top: Int, left: Int, height newHeight: Int, width newWidth: Int) -> Image {
        if !(top >= 0 && left >= 0 && top + newHeight <= height && left + newWidth <= width) { fatalError("crop \(newHeight)x\(newWidth) at (\(top), \(left)) outside a \(height)x\(width) image") }
        var result = Image(channels: channels, height: newHeight, width: newWidth)
        for c in 0..<channels {
            for r in 0..<newHeight {
                let source = (c * height + top + r) * width + left
                let destination = (c * newHeight + r) * newWidth
                result.pixels.replaceSubrange(destination..<destination + newWidth,
                                              with: pixels[source..<source + newWidth])
            }
        }
        return result
    }

    /// Center crop to the largest size whose sides are multiples of `divisor`, as DIP's
    /// `crop_image(img, d)` (offsets (size - new) / 2, truncated).
    public func centerCropped(toMultipleOf divisor: Int) -> Image {
        let newHeight = height - height % divisor, newWidth = width - width % divisor
        return cropped(top: (height - newHeight) / 2, left: (width - newWidth) / 2,
                       height: newHeight, width: newWidth)
    }

    /// Center crop to `height` x `width` (each no larger than the image).
    public func centerCropped(height newHeight: Int, width newWidth: Int) -> Image {
        cropped(top: (height - newHeight) / 2, left: (width - newWidth) / 2, height: newHeight, width: newWidth)
    }

    /// Gray images repeated into three channels; RGB unchanged.
    public func expandedToRGB() -> Image {
        guard channels == 1 else { return self }
        return Image(channels: 3, height: height, width: width, pixels: pixels + pixels + pixels)
    }

    /// Samples clipped to [0, 1].
    public func clipped() -> Image {
        Image(channels: channels, height: height, width: width, pixels: pixels.map { min(max($0, 0), 1) })
    }
}
