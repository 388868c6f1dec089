import Foundation

// Result identity: what a stored result is keyed by. A notebook chunk's cached value is
// keyed by a `ChunkKey` (its code, parameters, inputs and the library's sources); a
// shared unit (an IMP search, an evaluation, a deep-decoder fit) by its full request and
// the hash of the numerical code only (`SharedResultName`), so presentation edits keep
// computed searches. Neither depends on the thread count (see `Threads` in the engine).

/// Everything a notebook's cached results depend on besides their own name, computed by
/// the runner per chunk (so that a change re-runs exactly the chunks that depend on it).
public struct ChunkKey: Codable, Equatable, Sendable {
    /// Hash of the chunk's code and of the code of the chunks it depends on.
    public var code: String
    /// Values of the parameters the chunk (or its dependencies) mentions.
    public var parameters: [String: String]
    /// Content hashes of the input files.
    public var inputs: [String: String]
    /// Hash of the library's sources.
    public var library: String
    public var toolchain: String
    /// The notebook process's thread count, for the record: results do not depend on it
    /// (`Threads`), so it is not part of the digest.
    public var threads: Int

    public init(code: String, parameters: [String: String], inputs: [String: String], library: String,
                toolchain: String, threads: Int) {
        self.code = code
        self.parameters = parameters
        self.inputs = inputs
        self.library = library
        self.toolchain = toolchain
        self.threads = threads
    }

    public var digest: String {
        var hasher = SHA256()
        hasher.update(code)
        for (k, v) in parameters.sorted(by: { $0.key < $1.key }) { hasher.update("p\(k)=\(v);") }
        for (k, v) in inputs.sorted(by: { $0.key < $1.key }) { hasher.update("i\(k)=\(v);") }
        hasher.update("l\(library);t\(toolchain)")
        return hasher.finalize()
    }

    /// Why `self` differs from an earlier key, in words.
    public func differences(from old: ChunkKey) -> [String] {
        var reasons: [String] = []
        if code != old.code { reasons.append("code changed (this chunk or one it depends on)") }
        for key in Set(parameters.keys).union(old.parameters.keys).sorted() where parameters[key] != old.parameters[key] {
            reasons.append("parameter \(key): \(old.parameters[key] ?? "unset") → \(parameters[key] ?? "unset")")
        }
        for key in Set(inputs.keys).union(old.inputs.keys).sorted() where inputs[key] != old.inputs[key] {
            reasons.append("input \(key) changed")
        }
        if library != old.library { reasons.append("library sources changed") }
        if toolchain != old.toolchain { reasons.append("toolchain changed") }
        return reasons
    }
}

/// The folder name of a shared unit: its kind and 16 hex digits of SHA-256 over the kind,
/// the request's canonical text and the numerics hash (engine, networks, core,
/// experiments, compiler, BLAS core). The rounds of an IMP search are not part of its
/// request: a deeper search extends a shallower one in the same folder.
public enum SharedResultName {
    public static func folder(kind: String, key: String, numericsHash: String) -> String {
        "\(kind)-\(SHA256.hex("\(kind)\u{0}\(key)\u{0}\(numericsHash)").prefix(16))"
    }
}
