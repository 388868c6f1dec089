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
    let digest = SHA256.hex("\(kind)\u{0}\(key)\u{0}\(location.numericsHash)")
    let path = SharedStore.folderURL("\(kind)-\(digest.prefix(16))", cacheDirectory: location.cacheDirectory).path
    if let session = NotebookSession.current, session.settings.force, session.settings.planning != true,
       session.settings.keepSharedResults != true,
       session.clearedSharedFolders.insert(path).inserted {
        try? FileManager.default.removeItem(atPath: path)
    }
    return path
}

/// Tells the runner (and so `--explain`) that the shared result in `folder` was reused
/// from the store or computed: a search or an evaluation is keyed by its request and the
/// numerics hash only, so a change of plotting, prose or the runner reuses it.
public func reportSharedResult(_ folder: String, label: String, reused: Bool, seconds: Double) {
    guard let session = NotebookSession.current, !session.isPlanning, session.chunk >= 0 else { return }
    let numerics = SharedStore.current.map { String($0.numericsHash.prefix(12)) } ?? ""
    let reason = reused ? "in the store (same request; numerics \(numerics): engine, networks, core, experiments, compiler and BLAS unchanged)"
                        : "not in the store (numerics \(numerics)), computed"
    session.emit(.cache(CacheRecord(chunk: session.chunk, name: "\(URL(fileURLWithPath: folder).lastPathComponent) \(label)",
                                    hit: reused, reason: reason, seconds: seconds)))
}
