import Foundation
import Store
import NotebookRuntime

/// Which chunks a chunk depends on, found from the names each chunk declares at top level
/// and the identifiers each uses. Conservative by design: a name mentioned anywhere in a
/// chunk (even in a comment or string) counts as a use, so a change never fails to
/// invalidate what depends on it; at worst it re-runs a chunk that did not need it.
public struct DependencyGraph {
    /// For each chunk, the indices of the earlier chunks it depends on (transitively).
    public let dependencies: [[Int]]
    /// For each chunk, the parameters it or its dependencies mention as `params.name`.
    public let parameters: [Set<String>]

    public init(chunks: [Chunk], parameterNames: [String]) {
        let declared = chunks.map { Self.declaredNames(in: $0.code) }
        let used = chunks.map { Self.identifiers(in: $0.code) }
        var dependencies: [[Int]] = []
        var parameters: [Set<String>] = []
        for i in chunks.indices {
            var closure = Set<Int>()
            var frontier = [i]
            while let current = frontier.popLast() {
                // The most recent earlier declaration of each used name is what the code sees;
                // depending on every earlier declaration is simpler and only more cautious.
                for j in 0..<current where !closure.contains(j) && !declared[j].isDisjoint(with: used[current]) {
                    closure.insert(j)
                    frontier.append(j)
                }
            }
            let ordered = closure.sorted()
            dependencies.append(ordered)
            var mentioned = Set<String>()
            for k in ordered + [i] {
                for name in parameterNames where NotebookProject.mentions(chunks[k].code, name) { mentioned.insert(name) }
            }
            parameters.append(mentioned)
        }
        self.dependencies = dependencies
        self.parameters = parameters
    }

    /// Hash of a chunk's code and its dependencies' code, in notebook order.
    public func codeHash(of index: Int, chunks: [Chunk]) -> String {
        var hasher = SHA256()
        for k in dependencies[index] + [index] { hasher.update("\(chunks[k].code)\u{0}") }
        return hasher.finalize()
    }

    static func identifiers(in code: String) -> Set<String> {
        var result = Set<String>()
        var current = ""
        for ch in code {
            if ch.isLetter || ch.isNumber || ch == "_" {
                current.append(ch)
            } else {
                if let first = current.first, !first.isNumber { result.insert(current) }
                current = ""
            }
        }
        if let first = current.first, !first.isNumber { result.insert(current) }
        return result
    }

    /// Names introduced by top-level-looking declarations: `let x`, `var (a, b)`,
    /// `func f`, `struct S`, ... (nested ones are included too; harmless).
    static func declaredNames(in code: String) -> Set<String> {
        var result = Set<String>()
        let keywords: Set<String> = ["let", "var", "func", "struct", "class", "enum", "typealias", "actor", "protocol"]
        let tokens = tokenize(code)
        for (i, token) in tokens.enumerated() where keywords.contains(token) && i + 1 < tokens.count {
            if tokens[i + 1] == "(" {
                var j = i + 2
                while j < tokens.count && tokens[j] != ")" {
                    if tokens[j].first.map({ $0.isLetter || $0 == "_" }) == true { result.insert(tokens[j]) }
                    j += 1
                }
            } else if tokens[i + 1].first.map({ $0.isLetter || $0 == "_" }) == true {
                result.insert(tokens[i + 1])
            }
        }
        return result
    }

    static func tokenize(_ code: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        for ch in code {
            if ch.isLetter || ch.isNumber || ch == "_" {
                current.append(ch)
            } else {
                if !current.isEmpty { tokens.append(current) }
                current = ""
                if ch == "(" || ch == ")" { tokens.append(String(ch)) }
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }
}
