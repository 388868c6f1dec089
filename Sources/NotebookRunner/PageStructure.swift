import Foundation
import Ink
import Plotting

/// Quarto's callout blocks in prose: `::: {.callout-note}` (or `-warning`, `-important`,
/// `-tip`, `-caution`, with an optional `title="…"`) up to a line `:::`.
struct Callout: Equatable {
    static let kinds = ["note", "warning", "important", "tip", "caution"]

    var kind: String
    var title: String?
    var body: String

    /// A prose text cut into plain Markdown and callouts, in order.
    enum Segment: Equatable {
        case markdown(String)
        case callout(Callout)
    }

    /// Cuts `text` into segments; an unknown callout kind or an unclosed block is an error
    /// naming the line (counted from `firstLine`).
    static func segments(of text: String, path: String, firstLine: Int) throws -> [Segment] {
        var segments: [Segment] = []
        var plain: [Substring] = []
        var open: (kind: String, title: String?, line: Int, body: [Substring])? = nil
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var current = open {
                if trimmed == ":::" {
                    segments.append(.callout(Callout(kind: current.kind, title: current.title, body: current.body.joined(separator: "\n"))))
                    open = nil
                } else {
                    current.body.append(line)
                    open = current
                }
                continue
            }
            guard trimmed.hasPrefix(":::"), trimmed.contains("{") else {
                plain.append(line)
                continue
            }
            let attributes = trimmed.drop { $0 == ":" || $0 == " " }
            guard attributes.hasPrefix("{.callout-"), attributes.hasSuffix("}") else {
                throw NotebookError(path: path, line: firstLine + offset, message: "'\(trimmed)': a fenced div must be a callout, ::: {.callout-note} (or warning, important, tip, caution)")
            }
            let inner = attributes.dropFirst("{.callout-".count).dropLast()
            let kind = String(inner.prefix { $0.isLetter })
            guard kinds.contains(kind) else {
                throw NotebookError(path: path, line: firstLine + offset, message: "unknown callout kind '\(kind)'; known kinds: \(kinds.joined(separator: ", "))")
            }
            var title: String? = nil
            if let start = inner.range(of: "title=\"") {
                title = String(inner[start.upperBound...].prefix { $0 != "\"" })
            }
            if !plain.isEmpty { segments.append(.markdown(plain.joined(separator: "\n"))) }
            plain = []
            open = (kind, title, firstLine + offset, [])
        }
        if let open {
            throw NotebookError(path: path, line: open.line, message: "callout ::: {.callout-\(open.kind)} is not closed by a line ':::'")
        }
        if !plain.isEmpty { segments.append(.markdown(plain.joined(separator: "\n"))) }
        return segments
    }

    var heading: String { title ?? kind.prefix(1).uppercased() + kind.dropFirst() }

    func html(body: String) -> String {
        "<div class=\"callout callout-\(kind)\"><div class=\"callout-title\">\(htmlEscaped(heading))</div>\(body)</div>\n"
    }

    /// GitHub's alert syntax, which code hosts render as a callout and other viewers as a quote.
    var markdown: String {
        let alert = ["note": "NOTE", "warning": "WARNING", "important": "IMPORTANT", "tip": "TIP", "caution": "CAUTION"][kind]!
        let lines = ["[!\(alert)]"] + (title.map { ["**\($0)**"] } ?? []) + body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return lines.map { $0.isEmpty ? ">" : "> \($0)" }.joined(separator: "\n")
    }
}

/// Section headings: ids (`{#sec-name}` as written, else a slug of the text), `@sec-`
/// cross-references, and the table of contents.
struct Sections {
    /// Titles of the `{#sec-…}` headings, by id.
    var titles: [String: String] = [:]

    init(_ notebook: Notebook) {
        for case .prose(let prose) in notebook.blocks {
            for line in prose.text.split(separator: "\n") where line.hasPrefix("#") {
                if let (title, id) = Self.explicitID(String(line.drop { $0 == "#" }).trimmingCharacters(in: .whitespaces)) {
                    titles[id] = title
                }
            }
        }
    }

    /// "Title {#sec-x}" → ("Title", "sec-x").
    static func explicitID(_ heading: String) -> (String, String)? {
        guard heading.hasSuffix("}"), let open = heading.range(of: "{#", options: .backwards) else { return nil }
        let id = String(heading[open.upperBound...].dropLast())
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else { return nil }
        return (heading[..<open.lowerBound].trimmingCharacters(in: .whitespaces), id)
    }

    /// Replaces `@sec-name` with a link to the section, titled as it is.
    func resolve(_ text: String, unresolved: inout [String]) -> String {
        replacingReferences(in: text, nameCharacters: "-_", isReference: { $0.hasPrefix("sec-") },
                            link: { id in titles[id].map { "[\($0)](#\(id))" } }, unresolved: &unresolved)
    }

    /// Markdown with `{#sec-x}` attributes turned into anchors GitHub keeps.
    static func markdownAnchors(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("#"), let (title, id) = explicitID(String(line.drop { $0 == "#" }).trimmingCharacters(in: .whitespaces)) else {
                return String(line)
            }
            return "<a id=\"\(id)\"></a>\n" + line.prefix { $0 == "#" } + " " + title
        }.joined(separator: "\n")
    }

    struct Entry: Equatable {
        var level: Int
        var id: String
        var title: String
    }

    /// Gives every `<h2>`–`<h4>` of `html` an id (its `{#…}` or a unique slug) and returns
    /// the page with the headings' entries, in order.
    static func anchorHeadings(_ html: String) -> (String, [Entry]) {
        var result = ""
        var entries: [Entry] = []
        var used: Set<String> = []
        var rest = Substring(html)
        while let open = rest.range(of: "<h") {
            // Only "<h2>" to "<h4>" with their closing tag; anything else passes through.
            let tag = rest[open.upperBound...].prefix(2)
            guard tag.count == 2, let level = Int(String(tag.first!)), (2...4).contains(level), tag.last == ">",
                  let close = rest.range(of: "</h\(level)>", range: open.upperBound..<rest.endIndex) else {
                result += rest[..<open.upperBound]
                rest = rest[open.upperBound...]
                continue
            }
            result += rest[..<open.lowerBound]
            var inner = String(rest[rest.index(open.upperBound, offsetBy: 2)..<close.lowerBound])
            var id: String
            if let (title, explicit) = explicitID(inner) {
                inner = title
                id = explicit
            } else {
                id = slug(plainText(inner))
            }
            var unique = id
            var n = 2
            while used.contains(unique) { unique = "\(id)-\(n)"; n += 1 }
            used.insert(unique)
            entries.append(Entry(level: level, id: unique, title: plainText(inner)))
            result += "<h\(level) id=\"\(unique)\">\(inner)<a class=\"anchor\" href=\"#\(unique)\" aria-label=\"link to this section\">#</a></h\(level)>"
            rest = rest[close.upperBound...]
        }
        return (result + rest, entries)
    }

    /// The table of contents as a `<nav>` (empty for fewer than two sections).
    static func tableOfContents(_ entries: [Entry]) -> String {
        guard entries.count >= 2 else { return "" }
        let items = entries.map { "<li class=\"toc-\($0.level)\"><a href=\"#\($0.id)\">\(htmlEscaped($0.title))</a></li>" }
        return "<nav class=\"toc\" aria-label=\"contents\"><div class=\"toc-title\">Contents</div><ul>\(items.joined())</ul></nav>\n"
    }

    static func plainText(_ html: String) -> String {
        var text = ""
        var inTag = false
        for c in html {
            if c == "<" { inTag = true } else if c == ">" { inTag = false } else if !inTag { text.append(c) }
        }
        return text.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
    }

    static func slug(_ text: String) -> String {
        var slug = ""
        for c in text.lowercased() {
            if c.isLetter || c.isNumber { slug.append(c) } else if !slug.hasSuffix("-") { slug.append("-") }
        }
        let trimmed = slug.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return trimmed.isEmpty ? "section" : trimmed
    }
}
