import Foundation
import NotebookRuntime

/// `_project.yml` beside the notebooks: the parameters several notebooks share, declared
/// once, and what each profile changes about a run.
///
/// ```yaml
/// params:                 # as in a notebook's front matter
///   scale: {type: String, smoke: smoke, quick: quick, standard: standard, paper: paper}
///   seeds: {type: "[Int]", default: [], help: "..."}
/// profiles:
///   smoke: {claims: record}
/// ```
///
/// A notebook gets a shared parameter when its code mentions `params.NAME` and its own
/// front matter does not declare NAME (its own declaration wins, whole). Profile options
/// apply to every notebook of the folder.
public struct NotebookProject: Equatable {
    public static let fileName = "_project.yml"

    public var path: String
    public var parameters: [Parameter]
    public var profiles: [Profile: ProfileOptions]
    /// SHA-256 of the file's bytes as read (nil for text parsed from memory).
    public var hash: String? = nil

    /// The project file of the folder holding `notebookPath`, if there is one (its path
    /// relative as the notebook's is: pages record it).
    public static func load(besideNotebookAt notebookPath: String) throws -> NotebookProject? {
        let path = ((notebookPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var project = try parse(String(decoding: data, as: UTF8.self), path: path)
        project.hash = SHA256.hex(data)
        return project
    }

    public static func parse(_ text: String, path: String) throws -> NotebookProject {
        let node = try YAMLValues.load(text, path: path)
        guard let fields = node as? [String: Any] else {
            throw NotebookError(path: path, message: "must be a mapping with params: and profiles:")
        }
        if let unknown = fields.keys.sorted().first(where: { !["params", "profiles"].contains($0) }) {
            throw NotebookError(path: path, message: "unknown key '\(unknown)'; known keys: params, profiles")
        }
        var project = NotebookProject(path: path, parameters: [], profiles: [:])
        if let params = fields["params"] { project.parameters = try NotebookParser.readParameters(params, path: path) }
        if let profiles = fields["profiles"] {
            guard let mapping = profiles as? [String: Any] else {
                throw NotebookError(path: path, message: "profiles must map a profile to its options, e.g. smoke: {claims: record}")
            }
            for (name, raw) in mapping {
                guard let profile = Profile(rawValue: name) else {
                    throw NotebookError(path: path, message: "profiles: '\(name)' is no profile; profiles: \(Profile.names)")
                }
                guard let options = raw as? [String: Any] else {
                    throw NotebookError(path: path, message: "profiles: \(name) must map options to values, e.g. {claims: record}")
                }
                var result = ProfileOptions()
                for (key, value) in options {
                    guard key == "claims" else {
                        throw NotebookError(path: path, message: "profiles: \(name): unknown option '\(key)'; known: claims")
                    }
                    guard let claims = ProfileOptions.Claims(rawValue: "\(value)") else {
                        throw NotebookError(path: path, message: "profiles: \(name): claims is '\(value)'; one of \(ProfileOptions.Claims.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    result.claims = claims
                }
                project.profiles[profile] = result
            }
        }
        return project
    }

    /// Adds to `notebook` the shared parameters its code uses and does not declare, and
    /// the profile options.
    public func apply(to notebook: inout Notebook) {
        let code = notebook.chunks.map(\.code) + notebook.blocks.flatMap { block -> [String] in
            if case .prose(let prose) = block { prose.inlines.map(\.code) } else { [] }
        }
        let declared = Set(notebook.parameters.map(\.name))
        let used = parameters.filter { p in !declared.contains(p.name) && code.contains { Self.mentions($0, p.name) } }
        notebook.parameters = (notebook.parameters + used).sorted { $0.name < $1.name }
        notebook.profileOptions = profiles
        notebook.projectFile = path
        notebook.projectHash = hash
    }

    /// Whether `code` reads `params.NAME` (not merely a longer name starting with NAME).
    static func mentions(_ code: String, _ name: String) -> Bool {
        var rest = code[...]
        while let range = rest.range(of: "params.\(name)") {
            let next = rest[range.upperBound...].first
            if next.map({ !($0.isLetter || $0.isNumber || $0 == "_") }) ?? true { return true }
            rest = rest[range.upperBound...]
        }
        return false
    }
}
