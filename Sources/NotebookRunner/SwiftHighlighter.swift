import Plotting

/// Swift source as HTML with `<span class="…">` around keywords, types, strings, numbers,
/// comments and attributes: enough for a reader to see the shape of a chunk. A lexer, not a
/// parser (no well-kept Swift package highlights without pulling in SwiftSyntax, whose
/// build would double this project's): it never changes a character, only wraps spans, so
/// the worst a misread token does is take the wrong color.
public enum SwiftHighlighter {
    static let keywords: Set<String> = [
        "actor", "any", "as", "associatedtype", "async", "await", "break", "case", "catch", "class", "continue",
        "default", "defer", "deinit", "do", "else", "enum", "extension", "fallthrough", "false", "fileprivate",
        "for", "func", "guard", "if", "import", "in", "init", "inout", "internal", "is", "let", "mutating",
        "nil", "nonisolated", "open", "operator", "private", "protocol", "public", "repeat", "rethrows",
        "return", "self", "Self", "some", "static", "struct", "subscript", "super", "switch", "throw", "throws",
        "true", "try", "typealias", "var", "where", "while",
    ]

    /// The highlighted HTML of `code` (escaped; no enclosing element).
    public static func html(_ code: String) -> String {
        let characters = Array(code)
        var out = ""
        var i = 0
        func span(_ kind: String, _ text: String) { out += "<span class=\"hl-\(kind)\">\(htmlEscaped(text))</span>" }
        func take(while condition: (Character) -> Bool, from start: Int) -> Int {
            var j = start
            while j < characters.count && condition(characters[j]) { j += 1 }
            return j
        }
        while i < characters.count {
            let c = characters[i]
            let next: Character? = i + 1 < characters.count ? characters[i + 1] : nil
            if c == "/" && next == "/" {
                let end = take(while: { $0 != "\n" }, from: i)
                span("comment", String(characters[i..<end]))
                i = end
            } else if c == "/" && next == "*" {
                var end = i + 2
                var depth = 1
                while end < characters.count && depth > 0 {
                    if characters[end] == "/" && end + 1 < characters.count && characters[end + 1] == "*" { depth += 1; end += 1 }
                    else if characters[end] == "*" && end + 1 < characters.count && characters[end + 1] == "/" { depth -= 1; end += 1 }
                    end += 1
                }
                span("comment", String(characters[i..<min(end, characters.count)]))
                i = min(end, characters.count)
            } else if c == "\"" {
                let end = stringEnd(characters, from: i)
                span("string", String(characters[i..<end]))
                i = end
            } else if c == "$" && (next?.isNumber ?? false) {
                // A closure's anonymous argument ($0) is a name, not a number.
                let end = take(while: { $0.isNumber }, from: i + 1)
                out += htmlEscaped(String(characters[i..<end]))
                i = end
            } else if c.isNumber {
                let end = take(while: { $0.isNumber || $0.isLetter || $0 == "_" || $0 == "." }, from: i)
                // "1...n" is a number and a range operator, not one token.
                var stop = end
                if let dots = String(characters[i..<end]).range(of: "..") {
                    stop = i + String(characters[i..<end])[..<dots.lowerBound].count
                }
                span("number", String(characters[i..<stop]))
                i = stop
            } else if c == "@" && (next?.isLetter ?? false) {
                let end = take(while: { $0.isLetter || $0.isNumber || $0 == "_" }, from: i + 1)
                span("attribute", String(characters[i..<end]))
                i = end
            } else if c.isLetter || c == "_" {
                let end = take(while: { $0.isLetter || $0.isNumber || $0 == "_" }, from: i)
                let word = String(characters[i..<end])
                let afterDot = i > 0 && characters[i - 1] == "."
                if keywords.contains(word) && !afterDot {
                    span("keyword", word)
                } else if word.first!.isUppercase {
                    span("type", word)
                } else {
                    out += htmlEscaped(word)
                }
                i = end
            } else {
                out += htmlEscaped(String(c))
                i += 1
            }
        }
        return out
    }

    /// The index after the string literal that opens at `start` (plain or multi-line),
    /// skipping escapes and the parentheses of interpolations.
    static func stringEnd(_ characters: [Character], from start: Int) -> Int {
        let triple = start + 2 < characters.count && characters[start + 1] == "\"" && characters[start + 2] == "\""
        var j = start + (triple ? 3 : 1)
        while j < characters.count {
            let c = characters[j]
            if c == "\\" {
                if j + 1 < characters.count && characters[j + 1] == "(" {
                    // An interpolation: skip to its closing parenthesis.
                    var depth = 0
                    j += 1
                    while j < characters.count {
                        if characters[j] == "(" { depth += 1 }
                        if characters[j] == ")" { depth -= 1; if depth == 0 { break } }
                        if characters[j] == "\"" { j = stringEnd(characters, from: j) - 1 }
                        j += 1
                    }
                    j += 1
                } else {
                    j += 2
                }
                continue
            }
            if c == "\n" && !triple { return j }
            if c == "\"" {
                if !triple { return j + 1 }
                if j + 2 < characters.count && characters[j + 1] == "\"" && characters[j + 2] == "\"" { return j + 3 }
            }
            j += 1
        }
        return characters.count
    }
}
