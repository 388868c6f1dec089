import Foundation

/// A figure that gnuplot can draw: it writes its data under `dataDirectory` (or inline)
/// and returns the plotting commands, without `set terminal` / `set output`. gnuplot runs
/// in the folder that holds `dataDirectory`: name data files relative to it
/// (`relativePath(of:in:)`), so that the kept script redraws the figure wherever the
/// folder is.
public protocol Figure {
    func gnuplotCommands(dataDirectory: URL) throws -> String
}

/// Output formats of a rendered figure.
public enum FigureFormat: String, CaseIterable, Sendable {
    case png
    case svg
    case pdf

    func terminal(width: Int, height: Int) -> String {
        switch self {
        case .png: "set terminal pngcairo enhanced font 'Sans,10' size \(width),\(height)"
        case .svg: "set terminal svg enhanced font 'Sans,10' size \(width),\(height) background '#ffffff'"
        // pdfcairo sizes are inches; 96 px per inch keeps the PNG's proportions.
        case .pdf: String(format: "set terminal pdfcairo enhanced font 'Sans,8' size %.2fin,%.2fin",
                          Double(width) / 96, Double(height) / 96)
        }
    }
}

/// gnuplot failed: its own message, and the script it was given (kept beside the figure).
public struct GnuplotError: Error, CustomStringConvertible {
    public var message: String
    public var script: String
    public var description: String { "gnuplot failed on \(script):\n\(message)" }
}

public enum Gnuplot {
    /// The gnuplot executable (`GNUPLOT` overrides the one on PATH).
    public static var executable: String {
        ProcessInfo.processInfo.environment["GNUPLOT"] ?? "gnuplot"
    }

    /// Renders `figure` to `base.png` (and the other formats), keeping the script of the
    /// first format as `base.gp` and the data files it reads in `base-data/` (removed when
    /// the figure has none): `cd` into the folder and `gnuplot base.gp` redraws it. gnuplot
    /// exits 1 and leaves an empty file on a script error; both are turned into a
    /// `GnuplotError` carrying gnuplot's message, and the empty file removed.
    @discardableResult
    public static func render(_ figure: Figure, to base: URL, width: Int = 720, height: Int = 440,
                              formats: [FigureFormat] = [.png, .svg]) throws -> [URL] {
        let folder = base.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let dataDirectory = folder.appendingPathComponent("\(base.lastPathComponent)-data")
        try? FileManager.default.removeItem(at: dataDirectory)
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        defer {
            if (try? FileManager.default.contentsOfDirectory(atPath: dataDirectory.path))?.isEmpty ?? true {
                try? FileManager.default.removeItem(at: dataDirectory)
            }
        }
        let commands = try figure.gnuplotCommands(dataDirectory: dataDirectory)
        var outputs: [URL] = []
        for (index, format) in formats.enumerated() {
            let scriptURL = index == 0 ? base.appendingPathExtension("gp")
                : folder.appendingPathComponent(".\(base.lastPathComponent).\(format.rawValue).gp")
            defer { if index > 0 { try? FileManager.default.removeItem(at: scriptURL) } }
            let output = base.appendingPathExtension(format.rawValue)
            // The output is named relative to the figure's folder, where gnuplot runs: the
            // script carries no machine's path and redraws wherever the folder is.
            let script = """
                \(format.terminal(width: width, height: height))
                set output \(quoted(output.lastPathComponent))
                \(commands)
                unset output
                """
            try script.write(to: scriptURL, atomically: true, encoding: .utf8)
            try run(script: scriptURL, output: output)
            outputs.append(output)
        }
        return outputs
    }

    static func run(script: URL, output: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable, script.lastPathComponent]
        process.currentDirectoryURL = script.deletingLastPathComponent()
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw GnuplotError(message: "cannot start gnuplot (\(error)); install it with `apt-get install gnuplot-nox`",
                               script: script.path)
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let size = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? Int) ?? 0
        if process.terminationStatus != 0 || size == 0 {
            try? FileManager.default.removeItem(at: output)
            let text = message.trimmingCharacters(in: .whitespacesAndNewlines)
            throw GnuplotError(message: text.isEmpty ? "exit status \(process.terminationStatus), no output written" : text,
                               script: script.path)
        }
    }
}

/// `file` (inside `dataDirectory`) as gnuplot names it from the figure's folder.
public func relativePath(of file: URL, in dataDirectory: URL) -> String {
    dataDirectory.lastPathComponent + "/" + file.lastPathComponent
}

/// A gnuplot string literal: single quotes, in which gnuplot substitutes nothing (no
/// backquoted commands, no `@` macros, no backslash escapes) and a quote is doubled.
/// A line break would end the command and start another (`system(...)`, say), so every
/// control character becomes a space: the text can never leave its string.
public func quoted(_ text: String) -> String {
    let safe = String(String.UnicodeScalarView(text.unicodeScalars.map {
        $0.properties.generalCategory == .control || $0.properties.generalCategory == .lineSeparator
            || $0.properties.generalCategory == .paragraphSeparator ? " " : $0
    }))
    return "'" + safe.replacingOccurrences(of: "'", with: "''") + "'"
}

/// Words placed into a gnuplot command outside a string (a key position such as
/// "bottom right"): letters, digits and `,.:-+` pass, anything else becomes a space.
func commandWords(_ text: String) -> String {
    String(text.unicodeScalars.map { scalar -> Character in
        scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || ",.:-+".unicodeScalars.contains(scalar)
            ? Character(scalar) : " "
    })
}

/// `set key` for a key position ("bottom right", "below", …) and `entries` lines of key.
/// A key below the plot gets no box (gnuplot draws that box over the x label) and a bottom
/// margin that holds the x label and the key's rows (two columns), which gnuplot 5.4
/// otherwise lets overlap.
func keyCommands(_ legend: String, entries: Int) -> [String] {
    let key = commandWords(legend)
    guard key.split(separator: " ").contains(where: { $0 == "below" || $0 == "bmargin" }) else {
        return ["set key \(key) box opaque"]
    }
    return ["set key \(key)", "set bmargin \(4 + (entries + 1) / 2)"]
}

/// Inline data block `$name << EOD ... EOD` from rows of numbers (NaN written as NaN).
func dataBlock(_ name: String, _ rows: [[Double]]) -> String {
    var text = "$\(name) << EOD\n"
    for row in rows {
        text += row.map { $0.isFinite ? String($0) : "NaN" }.joined(separator: " ") + "\n"
    }
    return text + "EOD\n"
}
