import Foundation

/// One JSON encoding for everything that is hashed or compared: sorted keys, no
/// whitespace, slashes unescaped. Two equal values always give the same bytes.
public enum CanonicalJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// The canonical bytes as text (for keys and messages).
    public static func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }

    /// SHA-256 of the canonical encoding.
    public static func digest<T: Encodable>(_ value: T) throws -> String {
        SHA256.hex(try encode(value))
    }
}
