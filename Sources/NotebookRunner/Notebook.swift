import Foundation

/// A parsed `.swiftmd` notebook: front matter, then prose and Swift chunks in order.
public struct Notebook: Equatable {
    public var path: String
    public var title: String
    public var parameters: [Parameter]
    /// Data files the notebook reads (their contents are part of every cache key).
    public var inputs: [String]
    public var blocks: [Block]

    /// File stem: the name of its output folder and cache namespace.
    public var name: String { URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent }

    public var chunks: [Chunk] {
        blocks.compactMap { if case .code(let chunk) = $0 { chunk } else { nil } }
    }

    public enum Block: Equatable {
        case prose(Prose)
        case code(Chunk)
    }
}

/// Markdown text with its first line number and the inline expressions in it.
public struct Prose: Equatable {
    public var text: String
    public var line: Int
    /// `{swift} expr` spans, numbered across the notebook.
    public var inlines: [InlineExpression]
}

public struct InlineExpression: Equatable {
    public var id: Int
    public var code: String
    public var line: Int
    /// The whole span as written, e.g. "`{swift} bestPSNR`".
    public var source: String
}

/// A fenced ```swift block.
public struct Chunk: Equatable {
    public var index: Int
    public var code: String
    /// Line of the first code line (after the option comments) in the notebook file.
    public var firstLine: Int
    /// Line of the opening fence.
    public var fenceLine: Int
    public var label: String
    public var caption: String
    public var echo: Bool
    public var cache: Bool
    public var width: Int
    public var height: Int
    /// `code-fold`: the code is shown open (`false`, the default), folded behind a
    /// "Code" disclosure (`true`) or in a disclosure that starts open (`show`), as in Quarto.
    public var codeFold: CodeFold = .none
    /// `output: false`: the chunk's printed text, figures and tables are left out of the
    /// page (its claims are still listed).
    public var showsOutput = true
    /// `include: false`: neither code nor output on the page; the chunk still runs.
    public var included = true
    /// `fig-alt`: the figures' alternative text for screen readers (default: the caption).
    public var figureAlt: String? = nil

    public enum CodeFold: String, Equatable, CaseIterable {
        case none = "false"
        case folded = "true"
        case show
    }

    public static let optionKeys = ["label", "caption", "echo", "cache", "width", "height", "code-fold", "output", "include", "fig-alt"]
}

/// A notebook parameter: a typed value that depends on the profile.
public struct Parameter: Equatable {
    public enum Kind: String, CaseIterable {
        case int = "Int"
        case double = "Double"
        case string = "String"
        case bool = "Bool"
    }

    public var name: String
    public var kind: Kind
    public var defaultValue: String?
    /// Values per profile ("smoke", "quick", "standard", "paper").
    public var profileValues: [String: String]
    public var help: String

    public func value(profile: String) -> String? { profileValues[profile] ?? defaultValue }

    /// Whether `text` is a valid literal of this parameter's type.
    public func accepts(_ text: String) -> Bool {
        switch kind {
        case .int: Int(text) != nil
        case .double: Double(text)?.isFinite == true
        case .bool: ["true", "false"].contains(text)
        case .string: true
        }
    }

    /// `text` as a Swift literal of the parameter's type.
    public func swiftLiteral(_ text: String) -> String {
        switch kind {
        case .int, .bool: text
        case .double: Double(text).map { "\($0)" } ?? text
        case .string: swiftStringLiteral(text)
        }
    }
}

func swiftStringLiteral(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// A notebook that cannot be read, with the file and line at fault.
public struct NotebookError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var line: Int?
    public var message: String

    public init(path: String, line: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        "\(path)\(line.map { ":\($0)" } ?? ""): \(message)"
    }
}
