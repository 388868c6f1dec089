import Foundation
import Yams

/// YAML text as plain values (`[String: Any]`, `[Any]`, scalars as Yams resolves them), for
/// front matter and `_project.yml`.
///
/// Not `Yams.load`: its mapping constructor force-unwraps a key that is not hashable, so
/// `{a: 1, [2, 3]}` (a list as a key) traps the whole process; the fuzzer found it. Here
/// only scalar nodes go through Yams' constructors, and a key that is not text is an error.
enum YAMLValues {
    /// `what` names the text in the message of invalid YAML ("front matter").
    static func load(_ text: String, path: String, what: String = "the file") throws -> Any? {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw NotebookError(path: path, line: 1, message: "\(what) is not valid YAML: \(error)")
        }
        return try node.map { try plain($0, path: path) }
    }

    static func plain(_ node: Node, path: String) throws -> Any {
        switch node {
        case .scalar:
            return node.any
        case .sequence(let sequence):
            return try sequence.map { try plain($0, path: path) }
        case .mapping(let mapping):
            var result: [String: Any] = [:]
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key else {
                    let line = key.mark.map { " (line \($0.line) of the YAML)" } ?? ""
                    throw NotebookError(path: path, line: 1, message: "a key of a YAML mapping must be plain text, not a list or a mapping\(line)")
                }
                result[scalar.string] = try plain(value, path: path)
            }
            return result
        }
    }
}
