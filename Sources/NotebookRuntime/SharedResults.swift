import Foundation
import Store

/// A folder under the cache for a long computation that several notebooks share (a
/// ticket search, say), named `<kind>-<16 hex>` by a hash of `key` and of the numerical
/// code (the engine, the networks, the core and the experiments, the compiler and the
/// BLAS core; not plotting, rendering, claims or the runner): notebooks that describe the
/// same search get the same folder, the search's own resume logic makes the second one a
/// no-op, and a change of presentation keeps every computed search. Under `--force` the
/// folder is emptied first, once per run. Outside a session and a worker, results go to
/// `.lip-cache/shared`.
public func sharedFolder(_ kind: String, key: String) -> String {
    let location = SharedStore.current ?? SharedStore.Location(cacheDirectory: ".lip-cache", numericsHash: "")
    let name = SharedResultName.folder(kind: kind, key: key, numericsHash: location.numericsHash)
    let path = SharedStore.folderURL(name, cacheDirectory: location.cacheDirectory).path
    if let session = NotebookSession.current, session.settings.force, session.settings.planning != true,
       session.settings.keepSharedResults != true,
       session.clearedSharedFolders.insert(path).inserted {
        try? FileManager.default.removeItem(atPath: path)
    }
    if let session = NotebookSession.current, !session.isPlanning, session.sharedRequestHistory[path] == nil {
        session.sharedRequestHistory[path] = SharedRequestHistory.update(kind: kind, key: key, numerics: location.numericsHash,
                                                                         cacheDirectory: location.cacheDirectory)
    }
    return path
}

/// What the store knew of a request (its kind and key, without the numerics) before a
/// run asked for it: the numerics hash of its last result, if any.
enum SharedRequestHistory: Equatable {
    case new
    case sameNumerics
    case otherNumerics(String)

    /// Reads and then records `<cache>/shared-requests/<kind>-<hash>`: the numerics hash
    /// the request was last asked under.
    static func update(kind: String, key: String, numerics: String, cacheDirectory: String) -> SharedRequestHistory {
        let folder = URL(fileURLWithPath: cacheDirectory).appendingPathComponent("shared-requests")
        let file = folder.appendingPathComponent("\(kind)-\(SHA256.hex("\(kind)\u{0}\(key)").prefix(16))").path
        let previous = FileManager.default.contents(atPath: file).map { String(decoding: $0, as: UTF8.self) }
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if previous != numerics { try? AtomicFile.write(Data(numerics.utf8), to: file) }
        guard let previous else { return .new }
        return previous == numerics ? .sameNumerics : .otherNumerics(previous)
    }

    /// Why a result of this request is computed, in words.
    func reason(numerics: String) -> String {
        switch self {
        case .new:
            return "a request not asked before (no stored result for these parameters, images, seeds and steps), computed"
        case .sameNumerics:
            return "asked before under the same numerics \(numerics.prefix(12)); its stored result was removed, damaged or cleared by --force: computed"
        case .otherNumerics(let previous):
            return "the numerical code changed since this request's last result (numerics \(previous.prefix(12)) → \(numerics.prefix(12)): engine, networks, core, experiments, compiler or BLAS): computed"
        }
    }
}

/// Tells the runner (and so `--explain`) that the shared result in `folder` was reused
/// from the store or computed: a search or an evaluation is keyed by its request and the
/// numerics hash only, so a change of plotting, prose or the runner reuses it.
public func reportSharedResult(_ folder: String, label: String, reused: Bool, seconds: Double) {
    guard let session = NotebookSession.current, !session.isPlanning, session.chunk >= 0 else { return }
    let numerics = SharedStore.current.map { String($0.numericsHash.prefix(12)) } ?? ""
    let history = session.sharedRequestHistory[folder] ?? .new
    let reason = reused ? "in the store (same request; numerics \(numerics): engine, networks, core, experiments, compiler and BLAS unchanged)"
                        : history.reason(numerics: SharedStore.current?.numericsHash ?? "")
    session.emit(.cache(CacheRecord(chunk: session.chunk, name: "\(URL(fileURLWithPath: folder).lastPathComponent) \(label)",
                                    hit: reused, reason: reason, seconds: seconds)))
}
