import Foundation
import PNGShim
import Store

/// Why an image could not be read or written. Every case names the file.
public enum ImageError: Error, CustomStringConvertible, Equatable {
    case notFound(path: String)
    case unreadable(path: String, reason: String)
    case unwritable(path: String, reason: String)
    case unsupported(path: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let path):
            "\(path): no such file. Check the path, or list the embedded images with `ls data/`."
        case .unreadable(let path, let reason):
            "\(path): cannot read as PNG (\(reason)). Re-export the image as an 8- or 16-bit PNG."
        case .unwritable(let path, let reason):
            "\(path): cannot write PNG (\(reason)). Check that the folder exists and is writable."
        case .unsupported(let path, let reason):
            "\(path): \(reason)"
        }
    }
}

/// What to do with the color channels of a file.
public enum ColorHandling: Sendable {
    /// Gray stays one channel, color three; alpha is dropped.
    case original
    /// Gray is repeated into three channels; alpha is dropped.
    case rgb
}

/// Metadata of a decoded file, as stored (before alpha removal or gray expansion).
public struct PNGInfo: Equatable, Sendable {
    public var bitDepth: Int
    /// Channels after palette expansion: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
    public var storedChannels: Int
}

public enum PNG {
    /// Reads 8- or 16-bit gray, gray+alpha, RGB, RGBA or palette PNGs into [0, 1] samples.
    public static func read(_ path: String, color: ColorHandling = .original) throws -> Image {
        try readWithInfo(path, color: color).image
    }

    public static func readWithInfo(_ path: String, color: ColorHandling = .original) throws -> (image: Image, info: PNGInfo) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ImageError.notFound(path: path) }
        guard !isDirectory.boolValue else { throw ImageError.unsupported(path: path, reason: "is a folder, not a PNG file") }
        var decoded = lip_png_image()
        var message = [CChar](repeating: 0, count: 512)
        let status = lip_png_read(path, &decoded, &message, message.count)
        guard status == 0 else {
            throw ImageError.unreadable(path: path, reason: String(cString: message))
        }
        defer { lip_png_free(&decoded) }
        let width = Int(decoded.width), height = Int(decoded.height), stored = Int(decoded.channels)
        let kept = stored >= 3 ? 3 : 1  // drop alpha
        var pixels = [Float](repeating: 0, count: kept * width * height)
        let samples = decoded.samples!
        for y in 0..<height {
            for x in 0..<width {
                let source = (y * width + x) * stored
                for c in 0..<kept { pixels[(c * height + y) * width + x] = samples[source + c] }
            }
        }
        var image = Image(channels: kept, height: height, width: width, pixels: pixels)
        if color == .rgb { image = image.expandedToRGB() }
        return (image, PNGInfo(bitDepth: Int(decoded.bit_depth), storedChannels: stored))
    }

    /// Writes an 8-bit gray (1 channel) or RGB (3 channels) PNG; samples are clipped to
    /// [0, 1] and rounded to the nearest of 256 levels. The file is written under a fresh
    /// temporary name and renamed over `path`: readers never see half a file, and a
    /// symbolic link at `path` is replaced, not followed.
    public static func write(_ image: Image, to path: String) throws {
        guard image.channels == 1 || image.channels == 3 else {
            throw ImageError.unsupported(path: path, reason: "can write gray or RGB images only, not \(image.channels) channels")
        }
        var bytes = [UInt8](repeating: 0, count: image.pixels.count)
        let plane = image.height * image.width
        for c in 0..<image.channels {
            for i in 0..<plane {
                let v = min(max(image.pixels[c * plane + i], 0), 1)
                bytes[i * image.channels + c] = UInt8((v * 255).rounded())
            }
        }
        do {
            try AtomicFile.write(to: path) { descriptor in
                var message = [CChar](repeating: 0, count: 512)
                let status = lip_png_write(descriptor, bytes, UInt32(image.width), UInt32(image.height),
                                           Int32(image.channels), &message, message.count)
                guard status == 0 else { throw ImageError.unwritable(path: path, reason: String(cString: message)) }
            }
        } catch let error as AtomicFile.WriteError {
            throw ImageError.unwritable(path: path, reason: error.reason)
        }
    }
}
