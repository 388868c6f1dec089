import Foundation

/// A parsed `.swiftmd` notebook: front matter, then prose and Swift chunks in order.
public struct Notebook: Equatable {
    public var path: String
    public var title: String
    public var parameters: [Parameter]
    /// Data files the notebook reads (their contents are part of every cache key).
    public var inputs: [String]
    public var blocks: [Block]
    /// What each profile changes about a run besides parameter values (`_project.yml`).
    public var profileOptions: [Profile: ProfileOptions] = [:]
    /// The `_project.yml` whose shared parameters or profile options this notebook uses.
    public var projectFile: String? = nil
    /// SHA-256 of that file as it was read: what a page records to notice it changing.
    public var projectHash: String? = nil

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
///
/// Values are kept as text: scalars as written, lists as their elements joined by commas
/// ("4,14"; "" is the empty list), which is also how `--param name=4,14` gives them and
/// how they enter a chunk's cache key.
public struct Parameter: Equatable {
    public enum Kind: String, CaseIterable {
        case int = "Int"
        case double = "Double"
        case string = "String"
        case bool = "Bool"
        case intList = "[Int]"
        case doubleList = "[Double]"
        case stringList = "[String]"

        /// The element type of a list kind; nil for a scalar.
        public var element: Kind? {
            switch self {
            case .intList: .int
            case .doubleList: .double
            case .stringList: .string
            case .int, .double, .string, .bool: nil
            }
        }

        /// What a value of this kind must look like, for error messages.
        public var allowed: String {
            switch self {
            case .int: "a whole number"
            case .double: "a finite number"
            case .bool: "true or false"
            case .string: "any text"
            case .intList: "whole numbers separated by commas (or nothing, the empty list)"
            case .doubleList: "finite numbers separated by commas (or nothing, the empty list)"
            case .stringList: "texts separated by commas (or nothing, the empty list)"
            }
        }
    }

    public var name: String
    public var kind: Kind
    public var defaultValue: String?
    /// Values per profile.
    public var profileValues: [Profile: String]
    public var help: String
    /// Bounds of a number or of every number in a list (`min:` and `max:` in the spec).
    public var minimum: Double? = nil
    public var maximum: Double? = nil

    public func value(profile: Profile) -> String? { profileValues[profile] ?? defaultValue }

    /// What a value must look like, bounds included, for error messages.
    public var allowed: String {
        let bounds = [minimum.map { "at least \(Self.number($0))" }, maximum.map { "at most \(Self.number($0))" }].compactMap { $0 }
        return kind.allowed + (bounds.isEmpty ? "" : ", each " + bounds.joined(separator: " and "))
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// The elements of a list value ("4, 14" → ["4", "14"]; "" → []).
    public static func elements(_ text: String) -> [String] {
        text.trimmingCharacters(in: .whitespaces).isEmpty
            ? [] : text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Whether `text` is a valid literal of this parameter's type.
    public func accepts(_ text: String) -> Bool {
        if let element = kind.element {
            let item = Parameter(name: name, kind: element, defaultValue: nil, profileValues: [:], help: "",
                                 minimum: minimum, maximum: maximum)
            return Self.elements(text).allSatisfy { !$0.isEmpty && item.accepts($0) }
        }
        func inBounds(_ value: Double) -> Bool { value >= (minimum ?? -.infinity) && value <= (maximum ?? .infinity) }
        switch kind {
        case .int: return Int(text).map { inBounds(Double($0)) } ?? false
        case .double: return Double(text).map { $0.isFinite && inBounds($0) } ?? false
        case .bool: return ["true", "false"].contains(text)
        case .string, .intList, .doubleList, .stringList: return true
        }
    }

    /// `text` as a Swift literal of the parameter's type.
    public func swiftLiteral(_ text: String) -> String {
        if let element = kind.element {
            let item = Parameter(name: name, kind: element, defaultValue: nil, profileValues: [:], help: "")
            return "[" + Self.elements(text).map(item.swiftLiteral).joined(separator: ", ") + "]"
        }
        switch kind {
        case .int, .bool: return text
        case .double: return Double(text).map { "\($0)" } ?? text
        case .string, .intList, .doubleList, .stringList: return swiftStringLiteral(text)
        }
    }
}

/// The scale a notebook runs at: the parameters' values and `ProfileOptions` depend on it.
public enum Profile: String, CaseIterable, Codable, Sendable {
    /// Seconds per notebook: that every notebook runs (CI). Its claims are not decided.
    case smoke
    /// 64 px crops and three seeds: about an hour for every notebook on two cores.
    case quick
    /// 128 px crops, five seeds, 24 rounds: days of CPU, for a cluster.
    case standard
    /// The paper's own settings: months of one machine's CPU.
    case paper

    /// "smoke, quick, standard, paper", for messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// What a profile changes about a run besides the parameters' values.
public struct ProfileOptions: Equatable {
    /// `decide`: claims get their verdict from the evidence. `record`: claims are recorded
    /// with their numbers but marked not checked (the smoke profile runs too little to
    /// decide anything; its pages exist to show that the notebook runs).
    public enum Claims: String, CaseIterable {
        case decide
        case record
    }

    public var claims: Claims = .decide

    public init(claims: Claims = .decide) { self.claims = claims }
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
