import Foundation

/// One expensive piece of work a notebook needs (an IMP search, an evaluation, a deep
/// decoder fit), as a planning run reports it. Its `key` names its folder in the result
/// store (`<cache>/shared/<key>`) and its request file (`<cache>/units/<key>.json`), from
/// which `lip work run KEY` computes it in a process of its own.
public struct WorkUnitRecord: Codable, Equatable, Sendable {
    /// "ticket", "evaluation" or "deep-decoder".
    public var kind: String
    /// `<kind>-<16 hex digits>`: the folder in `<cache>/shared`.
    public var key: String
    /// What it computes, in words ("IMP on astronaut, 4 rounds of 250 steps, seed 42").
    public var label: String
    /// Keys of the units that must be done first (an evaluation's ticket search).
    public var dependencies: [String]
    /// Whether the store already holds the finished result.
    public var done: Bool
    /// Adam steps still to run, and the image's pixels: what the cost estimate rests on.
    public var steps: Int
    public var pixels: Int
    /// The network trained (`dip` or `deep-decoder`), for the step-time model.
    public var network: String

    public init(kind: String, key: String, label: String, dependencies: [String], done: Bool, steps: Int, pixels: Int,
                network: String) {
        self.kind = kind
        self.key = key
        self.label = label
        self.dependencies = dependencies
        self.done = done
        self.steps = steps
        self.pixels = pixels
        self.network = network
    }
}

/// The request file of a unit: what `lip work run` needs to compute it without the
/// notebook, and the numerics it was keyed by (a worker built from other sources refuses).
public struct WorkUnitFile: Codable, Sendable {
    public var record: WorkUnitRecord
    /// Hash of the numerical code, compiler and BLAS core the key was made with.
    public var numerics: String
    /// The request itself, as Experiments encodes it (opaque here).
    public var request: Data
    /// A ticket search's rounds: the deepest any notebook asked for.
    public var roundsRequested: Int?

    public init(record: WorkUnitRecord, numerics: String, request: Data) {
        self.record = record
        self.numerics = numerics
        self.request = request
    }
}

/// Where results and unit requests live: `<cache>/shared/<key>` and `<cache>/units/<key>.json`.
/// A notebook session uses its own cache folder and numerics hash; a worker process (`lip
/// work run`) sets `SharedStore.worker` before computing.
public enum SharedStore {
    public struct Location: Sendable {
        public var cacheDirectory: String
        public var numericsHash: String
        public init(cacheDirectory: String, numericsHash: String) {
            self.cacheDirectory = cacheDirectory
            self.numericsHash = numericsHash
        }
    }

    /// Set by a worker process; nil in notebooks (the session decides) and stand-alone use.
    nonisolated(unsafe) public static var worker: Location?

    /// The running notebook's side of the store, registered by the notebook runtime when
    /// its session starts; nil in workers and stand-alone use.
    nonisolated(unsafe) public static var session: ResultStoreSession?

    /// The store this process writes to, if any.
    public static var current: Location? { worker ?? session?.storeLocation }

    /// The folder of unit `key`: `<cache>/shared/<key>` (the one folder rule of the store).
    public static func folderURL(_ key: String, cacheDirectory: String) -> URL {
        URL(fileURLWithPath: cacheDirectory).appendingPathComponent("shared/\(key)")
    }

    public static func unitURL(_ key: String, cacheDirectory: String) -> URL {
        URL(fileURLWithPath: cacheDirectory).appendingPathComponent("units/\(key).json")
    }

    /// Whether this process only plans (records units instead of computing them).
    public static var isPlanning: Bool { session?.isPlanning == true }

    /// Records a unit the notebook needs: writes its request file and tells the runner.
    public static func record(_ unit: WorkUnitRecord, request: Data, rounds: Int? = nil) throws {
        guard let location = current else { return }
        let url = unitURL(unit.key, cacheDirectory: location.cacheDirectory)
        var file = WorkUnitFile(record: unit, numerics: location.numericsHash, request: request)
        file.roundsRequested = rounds
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(try JSONEncoder.sorted.encode(file), to: url.path)
        session?.recorded(unit)
    }

    /// The deepest rounds any notebook asked of ticket search `key` (its request file), so
    /// that a notebook asking for fewer plans the same unit, not a smaller one.
    public static func requestedRounds(_ key: String) -> Int? {
        guard let location = current,
              let data = FileManager.default.contents(atPath: unitURL(key, cacheDirectory: location.cacheDirectory).path),
              let file = try? JSONDecoder().decode(WorkUnitFile.self, from: data), file.numerics == location.numericsHash else {
            return nil
        }
        return file.roundsRequested
    }

    /// The request file of unit `key`, with a message naming the key and the folder when
    /// there is none.
    public static func unitFile(_ key: String, cacheDirectory: String) throws -> WorkUnitFile {
        let url = unitURL(key, cacheDirectory: cacheDirectory)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw WorkUnitError("no unit '\(key)' in \(cacheDirectory)/units; plan first (lip notebook plan NOTEBOOKS --cache \(cacheDirectory))")
        }
        do {
            return try JSONDecoder().decode(WorkUnitFile.self, from: data)
        } catch {
            throw WorkUnitError("\(url.path) is not a unit request (\(error)); plan again")
        }
    }
}

/// A unit request that cannot be run, in words.
public struct WorkUnitError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Thrown in a planning run where a notebook computes something itself (not through a
/// shared search or evaluation): the rest of that notebook is planned once it renders.
public struct PlanningStop: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension JSONEncoder {
    /// Sorted keys (slashes escaped, as the stored requests and keys were first written):
    /// the encoding of unit requests, of stored evaluations and of the parts of keys that
    /// are JSON. `CanonicalJSON` is the one for new hashes.
    public static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

/// What the notebook runtime's session does for the store: where it lives, whether the
/// run only plans, and what the runner hears (units, reuse, progress). The store calls
/// it; the runtime implements it, so that the experiments need the store only.
public protocol ResultStoreSession: AnyObject {
    var storeLocation: SharedStore.Location { get }
    var isPlanning: Bool { get }
    /// A run asks for the shared folder `path` of request (`kind`, `key`): empty it under
    /// `--force` (once), and remember what the store knew of the request.
    func willUse(sharedFolder path: String, kind: String, key: String, location: SharedStore.Location)
    /// A planning run recorded `unit`.
    func recorded(_ unit: WorkUnitRecord)
    /// The shared result in `folder` was reused or computed.
    func reportShared(folder: String, label: String, reused: Bool, seconds: Double)
    /// A progress line for the terminal.
    func progress(_ line: String)
}

/// A folder under the cache for a long computation that several notebooks share (a
/// ticket search, say), named `<kind>-<16 hex>` (`SharedResultName`) by a hash of `key`
/// and of the numerical code: notebooks that describe the same search get the same
/// folder, the search's own resume logic makes the second one a no-op, and a change of
/// presentation keeps every computed search. Under `--force` the session empties the
/// folder first, once per run. Outside a session and a worker, results go to
/// `.lip-cache/shared`.
public func sharedFolder(_ kind: String, key: String) -> String {
    let location = SharedStore.current ?? SharedStore.Location(cacheDirectory: ".lip-cache", numericsHash: "")
    let name = SharedResultName.folder(kind: kind, key: key, numericsHash: location.numericsHash)
    let path = SharedStore.folderURL(name, cacheDirectory: location.cacheDirectory).path
    SharedStore.session?.willUse(sharedFolder: path, kind: kind, key: key, location: location)
    return path
}

/// Tells the runner (and so `--explain`) that the shared result in `folder` was reused
/// from the store or computed.
public func reportSharedResult(_ folder: String, label: String, reused: Bool, seconds: Double) {
    SharedStore.session?.reportShared(folder: folder, label: label, reused: reused, seconds: seconds)
}

/// Reports a progress line: on the terminal while a notebook runs (`lip notebook run`
/// without `--quiet`), never in the chunk's output on the page. Outside a notebook (in
/// `lip`, a worker, a test) it goes to standard error.
public func progress(_ line: String) {
    if let session = SharedStore.session {
        session.progress(line)
    } else {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
