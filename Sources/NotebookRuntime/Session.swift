import Foundation
import Store
import CSupport
import Plotting

/// The running notebook: which chunk is executing, where figures go, the result cache.
/// Created by the generated program from the settings its runner passes in
/// `LIP_NOTEBOOK_SESSION`; notebook code uses the free functions below.
public final class NotebookSession {
    nonisolated(unsafe) public static var current: NotebookSession?

    public let settings: SessionSettings
    public private(set) var chunk = -1
    private var chunkStart = Date()
    private var figuresInChunk = 0
    private var tablesInChunk = 0
    /// Shared folders already emptied by this `--force` run.
    var clearedSharedFolders = Set<String>()
    /// Per shared folder: what the store knew of its request before this run
    /// (`sharedFolder`), so that `--explain` can say why a result is computed.
    var sharedRequestHistory: [String: SharedRequestHistory] = [:]
    /// How many times this run asked the result store for a shared folder (a search, an
    /// evaluation, a fit): a value computed before any such request holds no placeholder.
    var sharedFolderRequests = 0
    /// How many planning-run stand-ins (claims not decided) this run handed out.
    var planningStandIns = 0

    init(settings: SessionSettings) {
        self.settings = settings
    }

    /// Starts the session from the environment (or a stand-alone default when the program
    /// runs without a runner, e.g. under a debugger).
    @discardableResult
    public static func start(notebook: String, chunkCount: Int) -> NotebookSession {
        // Die with the runner: a killed `lip` must not leave an IMP search running on.
        if let parent = ProcessInfo.processInfo.environment["LIP_PARENT_PID"].flatMap(Int32.init),
           lip_bind_to_parent(parent) != 0 {
            exit(137)
        }
        // Line-buffered stdout: output printed before a crash still reaches the runner.
        setvbuf(stdout, nil, _IOLBF, 0)
        var settings: SessionSettings
        if let path = ProcessInfo.processInfo.environment["LIP_NOTEBOOK_SESSION"],
           let data = FileManager.default.contents(atPath: path),
           let decoded = try? JSONDecoder().decode(SessionSettings.self, from: data) {
            settings = decoded
        } else {
            let empty = ChunkKey(code: "", parameters: [:], inputs: [:], library: "", toolchain: "", threads: 0)
            settings = SessionSettings(
                notebook: notebook, profile: "quick", outputDirectory: "figures/\(notebook)",
                cacheDirectory: ".lip-cache", force: true, chunkKeys: Array(repeating: empty, count: chunkCount),
                chunkLabels: (0..<chunkCount).map { "chunk-\($0 + 1)" }, chunkCaptions: Array(repeating: "", count: chunkCount),
                chunkWidths: Array(repeating: 720, count: chunkCount), chunkHeights: Array(repeating: 440, count: chunkCount),
                chunkCacheable: Array(repeating: false, count: chunkCount))
        }
        let session = NotebookSession(settings: settings)
        current = session
        SharedStore.session = session
        return session
    }

    func emit(_ event: NotebookEvent) {
        print(event.line)
        fflush(stdout)
    }

    public func begin(_ chunk: Int) {
        self.chunk = chunk
        figuresInChunk = 0
        tablesInChunk = 0
        chunkStart = Date()
        emit(.begin(chunk: chunk))
    }

    public func end(_ chunk: Int) {
        emit(.end(chunk: chunk, seconds: Date().timeIntervalSince(chunkStart)))
    }

    /// The value of an inline expression of the prose (`{swift} expr`).
    public func inline(_ id: Int, _ value: Any) {
        if isPlanning { return }
        let text: String
        switch value {
        case let v as Double: text = String(format: "%.2f", v)
        case let v as Float: text = String(format: "%.2f", Double(v))
        default: text = "\(value)"
        }
        emit(.inline(id: id, value: text))
    }

    public func finish() {
        emit(.finish)
    }

    var outputDirectory: URL { URL(fileURLWithPath: settings.outputDirectory) }

    /// A planning run draws, shows and stores nothing (its values are placeholders).
    public var isPlanning: Bool { settings.planning == true }

    var label: String {
        chunk >= 0 && chunk < settings.chunkLabels.count ? settings.chunkLabels[chunk] : "chunk"
    }

    // MARK: Figures and tables

    func show(_ figure: Figure, label explicitLabel: String?, caption: String?, width: Int?, height: Int?) throws {
        if isPlanning { return }
        figuresInChunk += 1
        let label = explicitLabel ?? (figuresInChunk == 1 ? self.label : "\(self.label)-\(figuresInChunk)")
        let base = outputDirectory.appendingPathComponent(label)
        let outputs = try Gnuplot.render(figure, to: base, width: width ?? settings.chunkWidths[chunk],
                                         height: height ?? settings.chunkHeights[chunk], formats: [.png, .svg])
        emit(.figure(FigureRecord(chunk: chunk, label: label, caption: caption ?? settings.chunkCaptions[chunk],
                                  files: outputs.map(\.lastPathComponent))))
    }

    func show(_ table: Table, label explicitLabel: String?, caption: String?) throws {
        if isPlanning { return }
        tablesInChunk += 1
        let label = explicitLabel ?? (tablesInChunk == 1 ? self.label : "\(self.label)-\(tablesInChunk)")
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        let markdown = table.markdown()
        try markdown.write(to: outputDirectory.appendingPathComponent("\(label).md"), atomically: true, encoding: .utf8)
        try table.csv().write(to: outputDirectory.appendingPathComponent("\(label).csv"), atomically: true, encoding: .utf8)
        emit(.table(TableRecord(chunk: chunk, label: label, caption: caption ?? settings.chunkCaptions[chunk],
                                markdown: markdown, html: table.html(), files: ["\(label).md", "\(label).csv"])))
    }

    func record(_ claim: ClaimRecord) {
        if !isPlanning { emit(.claim(claim)) }
    }

    // MARK: Cache

    var chunkKey: ChunkKey { settings.chunkKeys[chunk] }

    func cached<T: Codable>(_ name: String, _ compute: () throws -> T) throws -> T {
        let start = Date()
        let key = chunkKey
        var hasher = SHA256()
        hasher.update("\(key.digest)/\(name)")
        let digest = hasher.finalize()
        let cache = ResultCache(root: URL(fileURLWithPath: settings.cacheDirectory))
        let indexEntry = cache.indexURL(notebook: settings.notebook, chunk: label, name: name)
        let requestsBefore = sharedFolderRequests
        if isPlanning {
            return try plannedValue(compute, digest: digest, key: key, index: indexEntry, cache: cache)
        }
        var reason: String
        if settings.force {
            reason = "--force"
        } else if !settings.chunkCacheable[chunk] {
            reason = "the chunk says cache: false"
        } else {
            switch cache.load(T.self, digest: digest) {
            case .hit(let value):
                emit(.cache(CacheRecord(chunk: chunk, name: name, hit: true, reason: "unchanged",
                                        seconds: Date().timeIntervalSince(start))))
                return value
            case .corrupt(let why):
                reason = "cache entry unusable (\(why)), recomputed"
            case .missing:
                if let previous = cache.previousKey(at: indexEntry) {
                    let differences = key.differences(from: previous)
                    reason = differences.isEmpty ? "no entry (evicted?)" : differences.joined(separator: "; ")
                } else {
                    reason = "first run"
                }
            }
        }
        let value = try compute()
        try cache.store(value, digest: digest, key: key, index: indexEntry,
                        asksForUnits: sharedFolderRequests > requestsBefore)
        emit(.cache(CacheRecord(chunk: chunk, name: name, hit: false, reason: reason,
                                seconds: Date().timeIntervalSince(start))))
        return value
    }

    /// A cached value in a planning run. Planning must see every unit a chunk asks for, so
    /// a value is computed again (from the store's results and the placeholders of units
    /// not yet done) unless it is known to ask for none: a stored value whose computation
    /// made no request of the result store is reused. A value computed here before this
    /// run made any such request holds no placeholder, so it is stored for the render (a
    /// notebook without units, as the GAN pages, is then not computed twice).
    private func plannedValue<T: Codable>(_ compute: () throws -> T, digest: String, key: ChunkKey, index: URL,
                                          cache: ResultCache) throws -> T {
        let cacheable = !settings.force && settings.chunkCacheable[chunk]
        if cacheable, cache.asksForNoUnits(digest: digest), case .hit(let value) = cache.load(T.self, digest: digest) {
            return value
        }
        let value = try compute()
        if cacheable && sharedFolderRequests == 0 && planningStandIns == 0 {
            try cache.store(value, digest: digest, key: key, index: index, asksForUnits: false)
        }
        return value
    }
}

/// Content-addressed storage of JSON-encoded results with an integrity hash beside each.
struct ResultCache {
    let root: URL

    enum Lookup<T> {
        case hit(T)
        case missing
        case corrupt(String)
    }

    struct Meta: Codable {
        var payloadSHA256: String
        var key: ChunkKey
        var created: String
        /// Whether computing the value asked the result store for a shared folder (nil in
        /// entries written before this was recorded: treated as yes).
        var asksForUnits: Bool?
    }

    func objectURL(_ digest: String) -> URL { root.appendingPathComponent("objects/\(digest).json") }
    func metaURL(_ digest: String) -> URL { root.appendingPathComponent("objects/\(digest).meta.json") }

    func indexURL(notebook: String, chunk: String, name: String) -> URL {
        let safe = name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        return root.appendingPathComponent("index/\(notebook)/\(chunk)/\(String(safe)).json")
    }

    func load<T: Decodable>(_ type: T.Type, digest: String) -> Lookup<T> {
        guard let payload = FileManager.default.contents(atPath: objectURL(digest).path) else { return .missing }
        guard let metaData = FileManager.default.contents(atPath: metaURL(digest).path),
              let meta = try? JSONDecoder().decode(Meta.self, from: metaData) else {
            return .corrupt("no integrity record")
        }
        guard SHA256.hex(payload) == meta.payloadSHA256 else { return .corrupt("content hash mismatch") }
        do {
            return .hit(try decoder().decode(T.self, from: payload))
        } catch {
            return .corrupt("does not decode as \(T.self)")
        }
    }

    func previousKey(at index: URL) -> ChunkKey? {
        FileManager.default.contents(atPath: index.path).flatMap { try? JSONDecoder().decode(ChunkKey.self, from: $0) }
    }

    /// Whether the entry's computation is recorded as having asked for no shared unit.
    func asksForNoUnits(digest: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: metaURL(digest).path),
              let meta = try? JSONDecoder().decode(Meta.self, from: data) else { return false }
        return meta.asksForUnits == false
    }

    /// Payload first, then its integrity record, both atomically: a crash in between
    /// leaves an entry without a record, which `load` treats as corrupt.
    func store<T: Encodable>(_ value: T, digest: String, key: ChunkKey, index: URL, asksForUnits: Bool) throws {
        try FileManager.default.createDirectory(at: root.appendingPathComponent("objects"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: index.deletingLastPathComponent(), withIntermediateDirectories: true)
        let payload = try JSONEncoder.keepingNonFiniteNumbers().encode(value)
        try payload.write(to: objectURL(digest), options: .atomic)
        let meta = Meta(payloadSHA256: SHA256.hex(payload), key: key, created: ISO8601DateFormatter().string(from: Date()),
                        asksForUnits: asksForUnits)
        try JSONEncoder().encode(meta).write(to: metaURL(digest), options: .atomic)
        try JSONEncoder().encode(key).write(to: index, options: .atomic)
    }

    func decoder() -> JSONDecoder { JSONDecoder.keepingNonFiniteNumbers() }
}
