import Foundation

/// Reads the `.swiftmd` format (see notebooks/README.md): optional YAML front matter
/// between `---` lines, CommonMark prose, fenced ```swift chunks with `//| key: value`
/// option lines at their top. Other fences (any language, or longer fences that quote a
/// ```swift example) stay prose. CRLF and CR line ends are accepted.
public enum NotebookParser {
    public static func parse(contentsOf path: String) throws -> Notebook {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NotebookError(path: path, message: "cannot read the notebook")
        }
        var notebook = try parse(String(decoding: data, as: UTF8.self), path: path)
        try NotebookProject.load(besideNotebookAt: path)?.apply(to: &notebook)
        return notebook
    }

    public static func parse(_ source: String, path: String) throws -> Notebook {
        let normalized = source.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = normalized.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        var notebook = Notebook(path: path, title: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent,
                                parameters: [], inputs: [], blocks: [])
        var cursor = 0
        if lines.first?.trimmingCharacters(in: .whitespaces) == "---" {
            guard let end = lines.indices.dropFirst().first(where: { ["---", "..."].contains(lines[$0].trimmingCharacters(in: .whitespaces)) }) else {
                throw NotebookError(path: path, line: 1, message: "front matter opened with --- is never closed; end it with a line ---")
            }
            try readFrontMatter(lines[1..<end].joined(separator: "\n"), into: &notebook, path: path)
            cursor = end + 1
        }

        var prose: [String] = []
        var proseStart = cursor + 1
        var inlineCount = 0
        var labels: [String: Int] = [:]
        func flushProse() throws {
            let text = prose.joined(separator: "\n")
            if !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                let inlines = try inlineExpressions(in: prose, firstLine: proseStart, startingAt: inlineCount, path: path)
                inlineCount += inlines.count
                notebook.blocks.append(.prose(Prose(text: text, line: proseStart, inlines: inlines)))
            }
            prose = []
        }

        while cursor < lines.count {
            let line = lines[cursor]
            guard let fence = Fence(opening: line) else {
                if prose.isEmpty { proseStart = cursor + 1 }
                prose.append(line)
                cursor += 1
                continue
            }
            let openLine = cursor + 1
            guard let close = lines.indices.dropFirst(cursor + 1).first(where: { fence.isClosed(by: lines[$0]) }) else {
                throw NotebookError(path: path, line: openLine,
                                    message: "code fence \(fence.marker) opened here is never closed; add a line \(fence.marker) after the code")
            }
            let body = Array(lines[(cursor + 1)..<close])
            if fence.language == "swift" {
                try flushProse()
                var chunk = try makeChunk(body, fenceLine: openLine, index: notebook.chunks.count, path: path)
                if let previous = labels[chunk.label] {
                    throw NotebookError(path: path, line: openLine, message: "label '\(chunk.label)' is already used by the chunk at line \(previous)")
                }
                labels[chunk.label] = openLine
                chunk.index = notebook.chunks.count
                notebook.blocks.append(.code(chunk))
                proseStart = close + 2
            } else {
                if prose.isEmpty { proseStart = cursor + 1 }
                prose.append(contentsOf: lines[cursor...close])
            }
            cursor = close + 1
        }
        try flushProse()
        return notebook
    }

    /// An opening code fence: 3+ backticks or tildes, at most 3 spaces of indent.
    struct Fence {
        let character: Character
        let count: Int
        let language: String
        var marker: String { String(repeating: character, count: count) }

        init?(opening line: Substring) {
            let indent = line.prefix { $0 == " " }.count
            guard indent <= 3 else { return nil }
            let rest = line.dropFirst(indent)
            guard let first = rest.first, first == "`" || first == "~" else { return nil }
            let run = rest.prefix { $0 == first }.count
            guard run >= 3 else { return nil }
            let info = rest.dropFirst(run).trimmingCharacters(in: .whitespaces)
            if first == "`" && info.contains("`") { return nil }
            character = first
            count = run
            language = info.split(separator: " ").first.map { String($0).lowercased() } ?? ""
        }

        init?(opening line: String) { self.init(opening: Substring(line)) }

        func isClosed(by line: String) -> Bool {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let indent = line.prefix { $0 == " " }.count
            return indent <= 3 && trimmed.count >= count && trimmed.allSatisfy { $0 == character }
        }
    }

    static func makeChunk(_ body: [String], fenceLine: Int, index: Int, path: String) throws -> Chunk {
        var options: [String: String] = [:]
        var codeStart = 0
        for (offset, line) in body.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("//|") else { break }
            codeStart = offset + 1
            let option = trimmed.dropFirst(3)
            guard let colon = option.firstIndex(of: ":") else {
                throw NotebookError(path: path, line: fenceLine + 1 + offset, message: "chunk option '\(trimmed)' needs the form //| key: value")
            }
            let key = option[..<colon].trimmingCharacters(in: .whitespaces)
            var value = option[option.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.first == "\"", value.last == "\"" { value = String(value.dropFirst().dropLast()) }
            guard Chunk.optionKeys.contains(key) else {
                throw NotebookError(path: path, line: fenceLine + 1 + offset,
                                    message: "unknown chunk option '\(key)'; known options: \(Chunk.optionKeys.joined(separator: ", "))")
            }
            options[key] = value
        }
        func flag(_ key: String, default value: Bool) throws -> Bool {
            guard let text = options[key] else { return value }
            guard let parsed = Bool(text) else {
                throw NotebookError(path: path, line: fenceLine, message: "chunk option \(key) must be true or false, got '\(text)'")
            }
            return parsed
        }
        func size(_ key: String, default value: Int) throws -> Int {
            guard let text = options[key] else { return value }
            guard let parsed = Int(text), parsed >= 50, parsed <= 4000 else {
                throw NotebookError(path: path, line: fenceLine, message: "chunk option \(key) must be a pixel count between 50 and 4000, got '\(text)'")
            }
            return parsed
        }
        let label = options["label"] ?? "chunk-\(index + 1)"
        guard label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), !label.isEmpty else {
            throw NotebookError(path: path, line: fenceLine, message: "label '\(label)' may use letters, digits, - and _ only")
        }
        var codeFold = Chunk.CodeFold.none
        if let text = options["code-fold"] {
            guard let parsed = Chunk.CodeFold(rawValue: text) else {
                throw NotebookError(path: path, line: fenceLine, message: "chunk option code-fold must be true, false or show, got '\(text)'")
            }
            codeFold = parsed
        }
        return Chunk(index: index, code: body[codeStart...].joined(separator: "\n"), firstLine: fenceLine + 1 + codeStart,
                     fenceLine: fenceLine, label: label, caption: options["caption"] ?? "",
                     echo: try flag("echo", default: true), cache: try flag("cache", default: true),
                     width: try size("width", default: 720), height: try size("height", default: 440),
                     codeFold: codeFold, showsOutput: try flag("output", default: true),
                     included: try flag("include", default: true), figureAlt: options["fig-alt"])
    }

    /// `{swift} expr` spans inside inline code, outside fenced blocks.
    static func inlineExpressions(in lines: [String], firstLine: Int, startingAt first: Int, path: String) throws -> [InlineExpression] {
        var result: [InlineExpression] = []
        var insideFence: Fence? = nil
        for (offset, line) in lines.enumerated() {
            if let fence = insideFence {
                if fence.isClosed(by: line) { insideFence = nil }
                continue
            }
            if let fence = Fence(opening: line) {
                insideFence = fence
                continue
            }
            var rest = Substring(line)
            while let start = rest.range(of: "`{swift}") {
                guard let end = rest[start.upperBound...].firstIndex(of: "`") else {
                    throw NotebookError(path: path, line: firstLine + offset, message: "inline `{swift} ...` is not closed by a backtick on the same line")
                }
                let code = rest[start.upperBound..<end].trimmingCharacters(in: .whitespaces)
                guard !code.isEmpty else {
                    throw NotebookError(path: path, line: firstLine + offset, message: "inline `{swift}` has no expression")
                }
                result.append(InlineExpression(id: first + result.count, code: code, line: firstLine + offset,
                                               source: String(rest[start.lowerBound...end])))
                rest = rest[rest.index(after: end)...]
            }
        }
        return result
    }

    static func readFrontMatter(_ text: String, into notebook: inout Notebook, path: String) throws {
        let node = try YAMLValues.load(text, path: path, what: "front matter")
        guard let fields = node as? [String: Any] else {
            if node == nil { return }
            throw NotebookError(path: path, line: 1, message: "front matter must be a mapping of key: value lines")
        }
        let known = ["title", "params", "inputs", "description"]
        if let unknown = fields.keys.first(where: { !known.contains($0) }) {
            throw NotebookError(path: path, line: 1, message: "unknown front matter key '\(unknown)'; known keys: \(known.joined(separator: ", "))")
        }
        if let title = fields["title"] { notebook.title = "\(title)" }
        if let inputs = fields["inputs"] {
            guard let list = inputs as? [Any] else {
                throw NotebookError(path: path, line: 1, message: "inputs must be a list of file paths")
            }
            notebook.inputs = list.map { "\($0)" }
        }
        if let params = fields["params"], !(params is NSNull) {  // `params:` with nothing under it: none
            notebook.parameters = try readParameters(params, path: path)
        }
    }

    /// Reads a `params:` mapping: `name: {type: T, default: v, <profile>: v, help: "..."}`.
    static func readParameters(_ params: Any, path: String) throws -> [Parameter] {
        guard let mapping = params as? [String: Any] else {
            throw NotebookError(path: path, line: 1, message: "params must map names to {type: ..., default: ...}")
        }
        var parameters: [Parameter] = []
        for name in mapping.keys.sorted() {
            guard name.first.map({ $0.isLetter || $0 == "_" }) == true,
                  name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw NotebookError(path: path, line: 1, message: "parameter name '\(name)' is not a Swift identifier")
            }
            guard let spec = mapping[name] as? [String: Any], let typeName = spec["type"].map({ "\($0)" }),
                  let kind = Parameter.Kind(rawValue: typeName) else {
                throw NotebookError(path: path, line: 1,
                                    message: "parameter '\(name)' needs a type: one of \(Parameter.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            func value(_ raw: Any) throws -> String {
                if let list = raw as? [Any] {
                    guard kind.element != nil else {
                        throw NotebookError(path: path, line: 1, message: "parameter '\(name)' is \(typeName) but has a list as its value")
                    }
                    if let bad = list.map(yamlScalar).first(where: { $0.contains(",") || $0.isEmpty }) {
                        throw NotebookError(path: path, line: 1, message: "parameter '\(name)': the list element '\(bad)' is empty or holds a comma, which separates elements")
                    }
                }
                return yamlScalar(raw)
            }
            var parameter = Parameter(name: name, kind: kind, defaultValue: try spec["default"].map(value),
                                      profileValues: [:], help: spec["help"].map { "\($0)" } ?? "")
            for bound in ["min", "max"] {
                guard let raw = spec[bound] else { continue }
                guard [.int, .double, .intList, .doubleList].contains(kind), let number = Double(yamlScalar(raw)), number.isFinite else {
                    throw NotebookError(path: path, line: 1, message: "parameter '\(name)': \(bound) must be a number, for a number or a list of numbers")
                }
                if bound == "min" { parameter.minimum = number } else { parameter.maximum = number }
            }
            if let low = parameter.minimum, let high = parameter.maximum, low > high {
                throw NotebookError(path: path, line: 1, message: "parameter '\(name)': min \(Parameter.number(low)) is above max \(Parameter.number(high))")
            }
            for (key, raw) in spec where !["type", "default", "help", "min", "max"].contains(key) {
                guard let profile = Profile(rawValue: key) else {
                    throw NotebookError(path: path, line: 1, message: "parameter '\(name)' has a value for '\(key)', which is no profile; profiles: \(Profile.names) (and type, default, help, min, max)")
                }
                parameter.profileValues[profile] = try value(raw)
            }
            for value in [parameter.defaultValue].compactMap({ $0 }) + parameter.profileValues.values where !parameter.accepts(value) {
                throw NotebookError(path: path, line: 1, message: "parameter '\(name)' is \(typeName) but has the value '\(value)'; it must be \(parameter.allowed)")
            }
            if parameter.defaultValue == nil && parameter.profileValues.isEmpty {
                throw NotebookError(path: path, line: 1, message: "parameter '\(name)' has no value: give it a default or per-profile values")
            }
            parameters.append(parameter)
        }
        return parameters
    }

    /// A YAML value as parameter text; a sequence becomes its elements joined by commas.
    static func yamlScalar(_ value: Any) -> String {
        switch value {
        case let b as Bool: b ? "true" : "false"
        case let d as Double: String(d)
        case let list as [Any]: list.map(yamlScalar).joined(separator: ",")
        default: "\(value)"
        }
    }
}
