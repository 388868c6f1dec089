import Foundation
import Store
import TensorKit

/// Reads and writes the safetensors format (8-byte little-endian header length, a JSON
/// header naming each tensor's dtype, shape and byte range, then the raw little-endian
/// data), so that checkpoints load with `safetensors.torch.load_file` into PyTorch.
public struct SafeTensors: Equatable {
    public enum Values: Equatable {
        case float32([Float])
        case int64([Int64])

        var dtype: String {
            switch self {
            case .float32: "F32"
            case .int64: "I64"
            }
        }

        var count: Int {
            switch self {
            case .float32(let v): v.count
            case .int64(let v): v.count
            }
        }
    }

    public struct Entry: Equatable {
        public var name: String
        public var shape: [Int]
        public var values: Values

        public init(name: String, shape: [Int], values: Values) {
            require(values.count == shape.reduce(1, *), "\(name): \(values.count) values for shape \(shape)")
            self.name = name
            self.shape = shape
            self.values = values
        }

        /// The values as Float (I64 converted), for loading into a tensor.
        public var floats: [Float] {
            switch values {
            case .float32(let v): v
            case .int64(let v): v.map { Float($0) }
            }
        }
    }

    public var entries: [Entry]
    public var metadata: [String: String]

    public init(entries: [Entry] = [], metadata: [String: String] = [:]) {
        self.entries = entries
        self.metadata = metadata
    }

    public subscript(name: String) -> Entry? { entries.first { $0.name == name } }

    public enum Failure: Error, CustomStringConvertible {
        case malformed(path: String, reason: String)
        case unsupportedType(path: String, tensor: String, dtype: String)

        public var description: String {
            switch self {
            case .malformed(let path, let reason):
                "\(path): not a valid safetensors file (\(reason)). Was it truncated or written by another tool?"
            case .unsupportedType(let path, let tensor, let dtype):
                "\(path): tensor '\(tensor)' has dtype \(dtype); only F32, F64 and I64 are supported. Convert it with `tensor.float()` before saving."
            }
        }
    }

    // MARK: Writing

    public func encoded() -> Data {
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            parts.append("\"__metadata__\":{\(fields.joined(separator: ","))}")
        }
        var offset = 0
        for entry in entries {
            let bytes = entry.values.count * (entry.values.dtype == "F32" ? 4 : 8)
            parts.append("\(jsonString(entry.name)):{\"dtype\":\"\(entry.values.dtype)\",\"shape\":[\(entry.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        header += parts.joined(separator: ",") + "}"
        // Pad the header with spaces to a multiple of 8 so the data is aligned.
        while (header.utf8.count % 8) != 0 { header += " " }
        var data = Data()
        var length = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        data.reserveCapacity(data.count + offset)
        for entry in entries {
            switch entry.values {
            case .float32(let v): v.withUnsafeBytes { data.append(contentsOf: $0) }
            case .int64(let v): v.withUnsafeBytes { data.append(contentsOf: $0) }
            }
        }
        return data
    }

    /// Writes atomically (a temporary file renamed into place), so an interrupted save
    /// never leaves a half-written checkpoint under the final name.
    public func write(to path: String) throws {
        try AtomicFile.write(encoded(), to: path)
    }

    // MARK: Reading

    public static func read(_ path: String) throws -> SafeTensors {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure.malformed(path: path, reason: "cannot read the file")
        }
        return try decode(data, path: path)
    }

    public static func decode(_ data: Data, path: String = "<memory>") throws -> SafeTensors {
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw Failure.malformed(path: path, reason: "shorter than the 8-byte header length") }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw Failure.malformed(path: path, reason: "header length \(headerLength) exceeds the file size \(bytes.count)")
        }
        let headerEnd = 8 + Int(headerLength)
        guard let json = try? JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])),
              let header = json as? [String: Any] else {
            throw Failure.malformed(path: path, reason: "header is not a JSON object")
        }
        let dataLength = bytes.count - headerEnd
        var result = SafeTensors()
        if let metadata = header["__metadata__"] as? [String: Any] {
            for (key, value) in metadata { result.metadata[key] = "\(value)" }
        }
        var ranges: [(Int, Int, Entry)] = []
        for (name, value) in header where name != "__metadata__" {
            guard let description = value as? [String: Any], let dtype = description["dtype"] as? String,
                  let shape = description["shape"] as? [Int], let offsets = description["data_offsets"] as? [Int],
                  offsets.count == 2 else {
                throw Failure.malformed(path: path, reason: "tensor '\(name)' lacks dtype, shape or data_offsets")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard shape.allSatisfy({ $0 >= 0 }), let count = shape.reduce(Optional(1), { product, dimension in
                product.flatMap { let (value, overflow) = $0.multipliedReportingOverflow(by: dimension); return overflow ? nil : value }
            }) else {
                throw Failure.malformed(path: path, reason: "tensor '\(name)' has shape \(shape): dimensions must be non-negative and their product must fit")
            }
            let width: Int
            switch dtype {
            case "F32": width = 4
            case "F64", "I64": width = 8
            default: throw Failure.unsupportedType(path: path, tensor: name, dtype: dtype)
            }
            let (byteCount, overflow) = count.multipliedReportingOverflow(by: width)
            guard !overflow, begin >= 0, begin <= end, end <= dataLength, end - begin == byteCount else {
                throw Failure.malformed(path: path, reason: "tensor '\(name)' has byte range \(begin)..<\(end) for \(count) \(dtype) values in \(dataLength) data bytes")
            }
            let raw = Array(bytes[(headerEnd + begin)..<(headerEnd + end)])
            let values: Values
            switch dtype {
            case "F32":
                values = .float32(raw.withUnsafeBytes { buffer in (0..<count).map { Float(bitPattern: UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) } })
            case "F64":
                values = .float32(raw.withUnsafeBytes { buffer in (0..<count).map { Float(Double(bitPattern: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)))) } })
            default:
                values = .int64(raw.withUnsafeBytes { buffer in (0..<count).map { Int64(littleEndian: buffer.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) } })
            }
            ranges.append((begin, end, Entry(name: name, shape: shape, values: values)))
        }
        // Keep file order, so a round trip preserves the state_dict order.
        result.entries = ranges.sorted { $0.0 < $1.0 }.map(\.2)
        return result
    }
}

/// A JSON string literal for `text`.
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                out += String(format: "\\u%04x", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
