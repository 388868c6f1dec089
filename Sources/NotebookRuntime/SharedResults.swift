import Foundation
import Store

/// A folder under the cache for a long computation that several notebooks share (a
/// ticket search, say), named by a hash of `key` and of the numerical code (the engine,
/// the networks, the core and the experiments, the compiler and the BLAS core; not
/// plotting, rendering, claims or the runner): notebooks that describe the same search get
/// the same folder, the search's own resume logic makes the second one a no-op, and a
/// change of presentation keeps every computed search. Under `--force` the folder is
/// emptied first, once per run.
public func sharedFolder(_ kind: String, key: String) -> String {
    guard let session = NotebookSession.current else { fatalError("sharedFolder needs a running notebook session") }
    let numerics = session.settings.numericsHash ?? session.settings.chunkKeys.first?.library ?? ""
    let digest = SHA256.hex("\(kind)\u{0}\(key)\u{0}\(numerics)")
    let path = URL(fileURLWithPath: session.settings.cacheDirectory)
        .appendingPathComponent("shared/\(kind)-\(digest.prefix(16))").path
    if session.settings.force && session.clearedSharedFolders.insert(path).inserted {
        try? FileManager.default.removeItem(atPath: path)
    }
    return path
}
