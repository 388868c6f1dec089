import Foundation
import NotebookRuntime

/// What `--executor slurm` submitted (`<cache>/slurm/last.json`): one job array per
/// dependency level, each task computing one unit, and the final job that renders.
public struct SlurmRecord: Codable, Sendable {
    public struct JobArray: Codable, Sendable {
        public var level: Int
        public var jobID: String
        /// Unit keys, task 1 first.
        public var keys: [String]
        public init(level: Int, jobID: String, keys: [String]) {
            self.level = level
            self.jobID = jobID
            self.keys = keys
        }
    }

    public var directory: String
    public var arrays: [JobArray]
    public var finalJobID: String?
    public var submitted: String

    public init(directory: String, arrays: [JobArray], finalJobID: String?, submitted: String) {
        self.directory = directory
        self.arrays = arrays
        self.finalJobID = finalJobID
        self.submitted = submitted
    }

    static func url(cache: String) -> URL { URL(fileURLWithPath: cache).appendingPathComponent("slurm/last.json") }

    public static func load(cache: String) -> SlurmRecord? {
        FileManager.default.contents(atPath: url(cache: cache).path).flatMap { try? JSONDecoder().decode(SlurmRecord.self, from: $0) }
    }

    public func save(cache: String) throws {
        try FileManager.default.createDirectory(at: Self.url(cache: cache).deletingLastPathComponent(), withIntermediateDirectories: true)
        try ResultJSON.write(self, to: Self.url(cache: cache).path)
    }
}
