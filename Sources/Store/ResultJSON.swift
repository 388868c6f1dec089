import Foundation

/// Results as JSON files people read: pretty, sorted keys, written atomically, and never
/// lost to a value JSON cannot hold.
///
/// JSON has no infinity or NaN, yet a PSNR of identical images is +∞ (inpainting with
/// every pixel known, say). Such values are written as `null`, and the object gains a
/// `nonFiniteValues` entry naming each field and what it held, so a finished run's
/// summary is always written and says why a number is missing.
public enum ResultJSON {
    static let positiveInfinity = "__lip_non_finite:+infinity__"
    static let negativeInfinity = "__lip_non_finite:-infinity__"
    static let notANumber = "__lip_non_finite:nan__"

    /// The encoded text (top-level objects get `nonFiniteValues` when needed).
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: positiveInfinity, negativeInfinity: negativeInfinity, nan: notANumber)
        var text = String(decoding: try encoder.encode(value), as: UTF8.self)
        var found: [(key: String, value: String)] = []
        var lastKey = "(value)"
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(line)
            if let key = keyOfLine(line) { lastKey = key }
            for (sentinel, name) in [(positiveInfinity, "+infinity"), (negativeInfinity, "-infinity"), (notANumber, "NaN")]
            where line.contains("\"\(sentinel)\"") {
                line = line.replacingOccurrences(of: "\"\(sentinel)\"", with: "null")
                found.append((lastKey, name))
            }
            lines.append(line)
        }
        text = lines.joined(separator: "\n")
        guard !found.isEmpty, text.hasPrefix("{"), let close = text.lastIndex(of: "}") else { return text }
        var seen: [String: Int] = [:]
        let notes = found.map { entry -> String in
            seen[entry.key, default: 0] += 1
            let key = seen[entry.key]! == 1 ? entry.key : "\(entry.key) #\(seen[entry.key]!)"
            return "    \"\(key)\" : \"\(entry.value), written as null (JSON has no such number)\""
        }
        let body = text[..<close].trimmingCharacters(in: .whitespacesAndNewlines)
        let separator = body == "{" ? "\n" : ",\n"
        return body + separator + "  \"nonFiniteValues\" : {\n" + notes.joined(separator: ",\n") + "\n  }\n}"
    }

    /// Writes `value` to `path` atomically (see `AtomicFile`).
    public static func write<T: Encodable>(_ value: T, to path: String) throws {
        try AtomicFile.write(try encode(value) + "\n", to: path)
    }

    /// Decodes what `encode` wrote: `null` reads back as nil for optional numbers.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }

    /// The key of a pretty-printed `"key" : value` line, if it has one.
    static func keyOfLine(_ line: String) -> String? {
        let trimmed = line.drop { $0 == " " }
        guard trimmed.first == "\"", let range = trimmed.range(of: "\" : ") else { return nil }
        return String(trimmed[trimmed.index(after: trimmed.startIndex)..<range.lowerBound])
    }
}
