import ArgumentParser
import Foundation
import LIPCore
import Store

/// A command's output folder, checked before any work starts and owned by the command.
///
/// `prepare` refuses a path that is a file, cannot be created or is not writable, and a
/// folder holding files that `lip` did not write. `finish` records what the command
/// wrote in `.lip-output.json` and removes the outputs a previous command left there
/// that this one did not rewrite (a denoising checkpoint beside a later restoration's
/// images, say). An interrupted command leaves the previous outputs and their record
/// as they were.
struct OutputFolder {
    static let markerName = ".lip-output.json"

    struct Marker: Codable {
        var command: String
        var files: [String]
    }

    let path: String
    let flag: String
    let command: String
    let previous: Marker?

    /// Every file name a command of `lip` writes into an output folder (what an older
    /// `lip`, which kept no record, may have left).
    static let knownOutputs: Set<String> = Set(restorationOutputs + ["checkpoint.safetensors", "noisy.png"])  // noisy.png: older lip denoise

    /// Checks `path` (given as `flag`) and creates it. `files` are the outputs the command
    /// will write: they are recorded at once with the previous outputs, so an interrupted
    /// run leaves a folder the next run accepts and cleans.
    static func prepare(_ path: String, flag: String = "--out", command: String, files: [String]) throws -> OutputFolder {
        try makeWritableFolder(path, flag: flag)
        let markerPath = (path as NSString).appendingPathComponent(markerName)
        var previous: Marker? = nil
        if let data = FileManager.default.contents(atPath: markerPath) {
            guard let marker = try? JSONDecoder().decode(Marker.self, from: data) else {
                throw InputProblem("\(flag) \(path): \(markerName) is unreadable; remove it, or choose another folder")
            }
            previous = marker
        } else {
            let entries = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !isOwnLeftover($0) }.sorted()
            let foreign = entries.filter { !knownOutputs.contains($0) }
            if !foreign.isEmpty {
                let shown = foreign.prefix(5).joined(separator: ", ") + (foreign.count > 5 ? ", …" : "")
                throw InputProblem("\(flag) \(path) already holds files that lip did not write (\(shown)); choose an empty or new folder")
            }
            if !entries.isEmpty { previous = Marker(command: "an earlier lip", files: entries) }
        }
        let folder = OutputFolder(path: path, flag: flag, command: command, previous: previous)
        try folder.record(Set(files).union(previous?.files ?? []).sorted())
        return folder
    }

    /// A temporary file of an interrupted write, or a writability probe.
    static func isOwnLeftover(_ name: String) -> Bool {
        (name.hasPrefix(".") && name.hasSuffix(".tmp")) || name.hasPrefix(".lip-write-probe-")
    }

    func record(_ files: [String]) throws {
        try ResultJSON.write(Marker(command: command, files: files), to: file(Self.markerName))
    }

    /// The path of an output file in the folder.
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Records `written` as this command's outputs and removes the previous command's
    /// outputs that were not rewritten.
    func finish(written: [String]) throws {
        for stale in (previous?.files ?? []) where !written.contains(stale) && !stale.contains("/") && stale != ".." {
            unlink(file(stale))
        }
        try record(written.sorted())
    }

    /// Creates `path` and its parents, then proves it writable with a probe file.
    static func makeWritableFolder(_ path: String, flag: String) throws {
        guard !path.isEmpty else { throw InputProblem("\(flag) is empty; give a folder") }
        guard !path.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw InputProblem("\(flag) \(path.debugDescription) must be a plain folder path (no line breaks or control characters)")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw InputProblem("\(flag) \(path) is a file, not a folder; choose a folder") }
        } else {
            var partial = path.hasPrefix("/") ? "" : "."
            for component in path.split(separator: "/") {
                partial += "/" + component
                if mkdir(partial, 0o755) != 0 && errno != EEXIST {
                    throw InputProblem("\(flag) \(path): cannot create \(partial) (\(String(cString: strerror(errno))))")
                }
            }
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw InputProblem("\(flag) \(path): cannot create the folder (a part of the path is a file)")
            }
        }
        let probe = (path as NSString).appendingPathComponent(".lip-write-probe-\(getpid())")
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw InputProblem("\(flag) \(path) is not writable (\(String(cString: strerror(errno)))); choose a writable folder")
        }
        close(descriptor)
        unlink(probe)
    }
}

extension TicketFolder {
    /// Checks a `lip ticket find --out` folder before the search: creatable, writable, and
    /// either new, empty or a ticket folder (`ticket.json`) to resume.
    static func prepare(_ path: String) throws {
        try OutputFolder.makeWritableFolder(path, flag: "--out")
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        if !entries.isEmpty && !entries.contains("ticket.json") {
            let shown = entries.sorted().prefix(5).joined(separator: ", ")
            throw InputProblem("--out \(path) holds files but no ticket.json (\(shown)); choose an empty or new folder, or a ticket folder to resume")
        }
    }
}
