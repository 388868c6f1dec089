import Foundation
import Store

/// A folder under the cache for a long computation that several notebooks share (a
/// ticket search, say), named by a hash of `key` and of the library sources: notebooks
/// that describe the same search get the same folder, and the search's own resume logic
/// makes the second one a no-op. Under `--force` the folder is emptied first, once per run.
public func sharedFolder(_ kind: String, key: String) -> String {
    guard let session = NotebookSession.current else { fatalError("sharedFolder needs a running notebook session") }
    let library = session.settings.chunkKeys.first?.library ?? ""
    let digest = SHA256.hex("\(kind)\u{0}\(key)\u{0}\(library)")
    let path = URL(fileURLWithPath: session.settings.cacheDirectory)
        .appendingPathComponent("shared/\(kind)-\(digest.prefix(16))").path
    if session.settings.force && session.clearedSharedFolders.insert(path).inserted {
        try? FileManager.default.removeItem(atPath: path)
    }
    return path
}
