import Foundation
import Store

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

extension NotebookSession: ResultStoreSession {
    public var storeLocation: SharedStore.Location {
        SharedStore.Location(cacheDirectory: settings.cacheDirectory,
                             numericsHash: settings.numericsHash ?? settings.chunkKeys.first?.library ?? "")
    }

    public func willUse(sharedFolder path: String, kind: String, key: String, location: SharedStore.Location) {
        sharedFolderRequests += 1
        if settings.force, settings.planning != true, settings.keepSharedResults != true,
           clearedSharedFolders.insert(path).inserted {
            try? FileManager.default.removeItem(atPath: path)
        }
        if !isPlanning, sharedRequestHistory[path] == nil {
            sharedRequestHistory[path] = SharedRequestHistory.update(kind: kind, key: key, numerics: location.numericsHash,
                                                                     cacheDirectory: location.cacheDirectory)
        }
    }

    public func recorded(_ unit: WorkUnitRecord) { emit(.unit(unit)) }

    /// A search or an evaluation is keyed by its request and the numerics hash only, so a
    /// change of plotting, prose or the runner reuses it.
    public func reportShared(folder: String, label: String, reused: Bool, seconds: Double) {
        guard !isPlanning, chunk >= 0 else { return }
        let numerics = String(storeLocation.numericsHash.prefix(12))
        let history = sharedRequestHistory[folder] ?? .new
        let reason = reused ? "in the store (same request; numerics \(numerics): engine, networks, core, experiments, compiler and BLAS unchanged)"
                            : history.reason(numerics: storeLocation.numericsHash)
        emit(.cache(CacheRecord(chunk: chunk, name: "\(URL(fileURLWithPath: folder).lastPathComponent) \(label)",
                                hit: reused, reason: reason, seconds: seconds)))
    }

    public func progress(_ line: String) { emit(.progress(text: line)) }
}
