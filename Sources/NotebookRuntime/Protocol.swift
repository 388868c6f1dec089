import Evidence
import Foundation
@_exported import Store

/// What a compiled notebook tells its runner, one JSON object per marker line on standard
/// output. Lines without the marker prefix are the chunks' own output.
public enum NotebookEvent: Codable, Equatable, Sendable {
    case begin(chunk: Int)
    case end(chunk: Int, seconds: Double)
    case inline(id: Int, value: String)
    case figure(FigureRecord)
    case table(TableRecord)
    case claim(ClaimRecord)
    case cache(CacheRecord)
    /// A planning run's unit (`SessionSettings.planning`).
    case unit(WorkUnitRecord)
    /// A progress line (a search's rounds, a fit's result): shown on the terminal while the
    /// notebook runs, never on the rendered page.
    case progress(text: String)
    case finish

    /// Marker prefix: a control character no chunk prints by accident.
    public static let prefix = "\u{1}LIP-EVENT "

    public var line: String {
        // A claim measured as NaN or infinity must reach the runner (and fail), not vanish.
        let encoder = JSONEncoder.keepingNonFiniteNumbers()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return Self.prefix + json
    }

    public static func parse(_ line: Substring) -> NotebookEvent? {
        guard line.hasPrefix(prefix) else { return nil }
        return try? JSONDecoder.keepingNonFiniteNumbers().decode(NotebookEvent.self, from: Data(line.dropFirst(prefix.count).utf8))
    }
}

public struct FigureRecord: Codable, Equatable, Sendable {
    public var chunk: Int
    public var label: String
    public var caption: String
    /// Paths relative to the notebook's output folder.
    public var files: [String]
}

public struct TableRecord: Codable, Equatable, Sendable {
    public var chunk: Int
    public var label: String
    public var caption: String
    public var markdown: String
    public var html: String
    public var files: [String]
}

public struct ClaimRecord: Codable, Equatable, Sendable {
    public var chunk: Int
    public var statement: String
    /// What was measured and what it was compared with, in words
    /// ("LIP − dense: +0.41 dB [−0.12, +0.94], n 3, sd 0.21").
    public var comparison: String
    public var measured: Double?
    public var expected: Double?
    public var held: Bool
    /// Where the claim comes from: the paper's section or figure, "DIP paper", or "ours"
    /// for the audit's own hypotheses. Nil in records written before claims had sources.
    public var source: String?
    /// The paper's number for it, in words ("+1.20 dB at 79 %"), where it reports one.
    public var paper: String?
    /// The paired comparison over seeds behind the verdict.
    public var evidence: PairedComparison?
    /// Nil in records written before there were four verdicts (then `held` decides).
    public var verdict: Verdict?
    /// The same comparison on numbers chosen without the clean image (the step a
    /// stopping rule picked), beside the oracle's; reported, not part of the verdict.
    public var withoutOracle: PairedComparison?

    public init(chunk: Int, statement: String, comparison: String, measured: Double? = nil, expected: Double? = nil,
                source: String? = nil, paper: String? = nil, evidence: PairedComparison? = nil, verdict: Verdict,
                withoutOracle: PairedComparison? = nil) {
        self.chunk = chunk
        self.statement = statement
        self.comparison = comparison
        self.measured = measured
        self.expected = expected
        self.held = verdict == .held
        self.source = source
        self.paper = paper
        self.evidence = evidence
        self.verdict = verdict
        self.withoutOracle = withoutOracle
    }

    /// The verdict, also for old records (held or failed).
    public var outcome: Verdict { verdict ?? (held ? .held : .failed) }
}

public struct CacheRecord: Codable, Equatable, Sendable {
    public var chunk: Int
    public var name: String
    public var hit: Bool
    public var reason: String
    public var seconds: Double
}

/// Settings the runner hands the compiled notebook (as JSON in `LIP_NOTEBOOK_SESSION`).
public struct SessionSettings: Codable, Sendable {
    public var notebook: String
    public var profile: String
    public var outputDirectory: String
    public var cacheDirectory: String
    public var force: Bool
    public var chunkKeys: [ChunkKey]
    public var chunkLabels: [String]
    public var chunkCaptions: [String]
    public var chunkWidths: [Int]
    public var chunkHeights: [Int]
    public var chunkCacheable: [Bool]
    /// What shared searches and evaluations are keyed by besides their own description:
    /// the hash of the numerical code, the compiler and the BLAS core (nil: the library hash).
    public var numericsHash: String?
    /// A planning run: shared searches, evaluations and fits are recorded as units (and
    /// stand in with placeholders) instead of computed; nothing is drawn or stored.
    public var planning: Bool?
    /// Under `force`, keep the shared searches and evaluations: an executor has just
    /// recomputed them.
    public var keepSharedResults: Bool?

    public init(notebook: String, profile: String, outputDirectory: String, cacheDirectory: String, force: Bool,
                chunkKeys: [ChunkKey], chunkLabels: [String], chunkCaptions: [String], chunkWidths: [Int],
                chunkHeights: [Int], chunkCacheable: [Bool], numericsHash: String? = nil) {
        self.numericsHash = numericsHash
        self.notebook = notebook
        self.profile = profile
        self.outputDirectory = outputDirectory
        self.cacheDirectory = cacheDirectory
        self.force = force
        self.chunkKeys = chunkKeys
        self.chunkLabels = chunkLabels
        self.chunkCaptions = chunkCaptions
        self.chunkWidths = chunkWidths
        self.chunkHeights = chunkHeights
        self.chunkCacheable = chunkCacheable
    }
}

extension JSONEncoder {
    /// Writes infinities and NaN as the strings "inf", "-inf" and "nan" (event lines and
    /// cached values round-trip them; `ResultJSON` is for files people read).
    static func keepingNonFiniteNumbers() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }
}

extension JSONDecoder {
    /// Reads what `JSONEncoder.keepingNonFiniteNumbers()` wrote.
    static func keepingNonFiniteNumbers() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}
