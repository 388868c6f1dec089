import CZlib
import Foundation

/// An array in the IDX format of MNIST and Fashion-MNIST (LeCun's `idx3-ubyte`,
/// `idx1-ubyte`): a big-endian header (two zero bytes, a type code, the rank, then one
/// 32-bit size per dimension) followed by the values in row-major order. Only unsigned
/// bytes (type 0x08) are read: every file of both datasets uses them.
public struct IDXArray: Equatable, Sendable {
    public let dimensions: [Int]
    public let values: [UInt8]

    public init(dimensions: [Int], values: [UInt8]) {
        self.dimensions = dimensions
        self.values = values
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case unreadable(path: String, reason: String)
        case truncatedCompression(path: String)
        case corruptCompression(path: String, reason: String)
        case badHeader(path: String, reason: String)
        case sizeMismatch(path: String, expected: Int, found: Int)

        public var description: String {
            switch self {
            case .unreadable(let path, let reason): "\(path): \(reason)"
            case .truncatedCompression(let path): "\(path): the gzip stream ends early (a truncated download?)"
            case .corruptCompression(let path, let reason): "\(path): not a valid gzip stream (\(reason))"
            case .badHeader(let path, let reason): "\(path): not an IDX file of unsigned bytes: \(reason)"
            case .sizeMismatch(let path, let expected, let found):
                "\(path): the header promises \(expected) values, the file holds \(found)"
            }
        }
    }

    /// Reads an IDX file, gzip-compressed (`.gz`, recognized by its magic bytes) or not.
    public static func read(_ path: String) throws -> IDXArray {
        guard FileManager.default.fileExists(atPath: path) else { throw Failure.unreadable(path: path, reason: "no such file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure.unreadable(path: path, reason: "cannot be read")
        }
        return try decode(data, path: path)
    }

    public static func decode(_ data: Data, path: String = "<memory>") throws -> IDXArray {
        let bytes = data.starts(with: [0x1f, 0x8b]) ? try gunzip(data, path: path) : [UInt8](data)
        guard bytes.count >= 4 else { throw Failure.badHeader(path: path, reason: "\(bytes.count) bytes, shorter than a header") }
        guard bytes[0] == 0, bytes[1] == 0 else { throw Failure.badHeader(path: path, reason: "it does not start with two zero bytes") }
        guard bytes[2] == 0x08 else {
            throw Failure.badHeader(path: path, reason: String(format: "value type 0x%02x, only 0x08 (unsigned byte) is read", bytes[2]))
        }
        let rank = Int(bytes[3])
        guard (1...4).contains(rank) else { throw Failure.badHeader(path: path, reason: "rank \(rank), expected 1 to 4") }
        guard bytes.count >= 4 + 4 * rank else { throw Failure.badHeader(path: path, reason: "the dimensions are cut off") }
        var dimensions: [Int] = []
        for d in 0..<rank {
            let at = 4 + 4 * d
            dimensions.append(bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) })
        }
        // Each dimension is below 2^32, the product of four could overflow: check in Double.
        let expected = dimensions.reduce(1.0) { $0 * Double($1) }
        let found = bytes.count - 4 - 4 * rank
        guard expected == Double(found) else {
            throw Failure.sizeMismatch(path: path, expected: Int(min(expected, Double(Int.max))), found: found)
        }
        return IDXArray(dimensions: dimensions, values: Array(bytes[(4 + 4 * rank)...]))
    }

    /// Inflates a whole gzip stream with zlib (window bits 15 + 16: gzip header and trailer).
    static func gunzip(_ data: Data, path: String) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, MAX_WBITS + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure.corruptCompression(path: path, reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var status: Int32 = Z_OK
        var input = [UInt8](data)
        input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while status == Z_OK {
                chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    output.append(contentsOf: target[0..<(target.count - Int(stream.avail_out))])
                }
                // Z_BUF_ERROR with input left to read cannot happen with a fresh output
                // buffer; with none left it means the stream stopped before its end.
                if status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0 { status = Z_BUF_ERROR }
            }
        }
        switch status {
        case Z_STREAM_END: return output
        case Z_BUF_ERROR: throw Failure.truncatedCompression(path: path)
        default:
            let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
            throw Failure.corruptCompression(path: path, reason: message)
        }
    }
}
