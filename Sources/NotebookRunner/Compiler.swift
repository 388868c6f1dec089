import Foundation
import Store
import NotebookRuntime

/// Where the release build of the library lives, and how to compile a notebook against it.
public struct Toolchain {
    /// The package root (holds Package.swift and Sources/).
    public let root: URL
    /// SwiftPM's release products folder (libLIP.so, Modules/).
    public let products: URL

    public init(root: URL, products: URL) {
        self.root = root
        self.products = products
    }

    /// Finds the build from the running `lip` executable (…/.build/<triple>/release/lip),
    /// or from `LIP_ROOT`.
    public static func locate() throws -> Toolchain {
        var candidates: [URL] = []
        if let root = ProcessInfo.processInfo.environment["LIP_ROOT"] {
            candidates.append(URL(fileURLWithPath: root).appendingPathComponent(".build/release"))
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(executable.deletingLastPathComponent())
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/release"))
        for products in candidates {
            let library = products.appendingPathComponent("libLIP.so")
            guard FileManager.default.fileExists(atPath: library.path) else { continue }
            var root = products.resolvingSymlinksInPath()
            while root.path != "/" && !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
                root.deleteLastPathComponent()
            }
            if root.path != "/" { return Toolchain(root: root, products: products.resolvingSymlinksInPath()) }
        }
        throw NotebookError(path: "lip", message: "cannot find the release build of the library (libLIP.so); run `swift build -c release` in the package first")
    }

    /// `swiftc --version`, first line.
    public static let compilerVersion: String = {
        let text = Subprocess.run("swiftc", ["--version"])?.output ?? ""
        return text.split(separator: "\n").first.map(String.init) ?? "unknown"
    }()

    /// The targets linked into notebooks (the `LIP` library product and its C parts).
    public static let libraryTargets = ["CBLAS", "CLibPNG", "CSupport", "PNGShim", "Store", "Evidence", "TensorKit", "Networks", "ImageIO",
                                        "LIPCore", "Plotting", "NotebookRuntime", "Experiments", "CZlib", "GenerativePrior"]

    /// The targets whose code decides the numbers a search or an evaluation produces:
    /// everything below presentation (plots, the notebook runtime's rendering and claims,
    /// the runner, the command line).
    public static let numericalTargets = ["CBLAS", "CLibPNG", "CSupport", "PNGShim", "Store", "TensorKit", "Networks",
                                          "ImageIO", "LIPCore", "Experiments"]

    /// Hash of the library's sources: any change to them invalidates cached chunk results.
    /// The command-line tool and the runner are not part of it: editing them changes no result.
    public func librarySourceHash() -> String { sourceHash(of: Self.libraryTargets, codeOnly: false) }

    /// Hash of what decides the numbers of a shared search or evaluation: the numerical
    /// targets' sources, Package.swift (compiler flags), the compiler and the BLAS core.
    /// Editing a plot style, a claim's wording or the runner keeps every computed search.
    /// `numericsSource` is `numericsSourceHash()` when the caller has it already (each
    /// reads every numerical source file).
    public func numericsHash(blasCore: String, numericsSource: String? = nil) -> String {
        SHA256.hex("\(numericsSource ?? numericsSourceHash())\u{0}\(Self.compilerVersion)\u{0}\(blasCore)")
    }

    /// Hash of the numerical targets' sources and Package.swift, without the compiler or
    /// the BLAS core: what a shared unit's identity (`numericsHash`) is built on. The
    /// profiles' step budgets (`profileSources`) are left out: they reach a unit through its
    /// request, so changing one budget recomputes the units that use it and no other.
    public func numericsSourceHash() -> String {
        sourceHash(of: Self.numericalTargets, codeOnly: true, excluding: Self.profileSources)
    }

    /// Files of the numerical targets that only hold the profiles' parameters (crop sizes,
    /// seeds, step counts, rounds): every value in them is part of the requests that key a
    /// search, an evaluation or a deep-decoder fit, so they are not part of the numerics.
    /// A rendered page's hash (`pageNumericsSourceHash`) keeps them.
    public static let profileSources: Set<String> = ["Experiments/Scale.swift"]

    /// The generative prior's own numerical targets. They are not part of a unit's
    /// identity (no DIP search reads them), so a change there keeps every stored search.
    public static let generativeTargets = ["CZlib", "GenerativePrior"]

    /// Hash of every numerical target, the generative prior's included: what a rendered
    /// page is checked against to say whether it is still what its notebook would produce
    /// here (`PageStatus`). Any notebook may call either prior, so pages check both.
    public func pageNumericsSourceHash() -> String { sourceHash(of: Self.numericalTargets + Self.generativeTargets, codeOnly: true) }

    /// Hash of the targets' sources and Package.swift. With `codeOnly` (the numerics
    /// hashes) a file counts by its code alone, wherever it lives: blank lines and lines
    /// that are only a comment are dropped, and the files' hashes are combined in sorted
    /// order, not by path, so that a doc comment, a moved file or a renamed folder keeps
    /// every stored search. Byte-exact otherwise (the chunk caches).
    func sourceHash(of targets: [String], codeOnly: Bool, excluding excluded: Set<String> = []) -> String {
        let sources = root.appendingPathComponent("Sources")
        var files: [String] = []
        for target in targets {
            guard let walker = FileManager.default.enumerator(atPath: sources.appendingPathComponent(target).path) else { continue }
            for case let path as String in walker where [".swift", ".c", ".h", ".modulemap"].contains(where: path.hasSuffix) {
                if !excluded.contains("\(target)/\(path)") { files.append("\(target)/\(path)") }
            }
        }
        var hasher = SHA256()
        if codeOnly {
            let fileHashes = files.compactMap { path in
                FileManager.default.contents(atPath: sources.appendingPathComponent(path).path).map { Self.codeHash(of: $0) }
            }
            for hash in fileHashes.sorted() { hasher.update(hash + "\u{0}") }
        } else {
            for path in files.sorted() {
                hasher.update(path + "\u{0}")
                if let data = FileManager.default.contents(atPath: sources.appendingPathComponent(path).path) { hasher.update(data) }
            }
        }
        if let package = FileManager.default.contents(atPath: root.appendingPathComponent("Package.swift").path) {
            hasher.update(codeOnly ? Self.codeHash(of: package) : String(decoding: package, as: UTF8.self))
        }
        return hasher.finalize()
    }

    /// SHA-256 of a source file's code lines: each line with its surrounding white space
    /// trimmed, blank lines and lines that start with `//` left out.
    static func codeHash(of data: Data) -> String {
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("//") }
        return SHA256.hex(lines.joined(separator: "\n"))
    }

    var moduleMaps: [String] {
        ["Sources/CBLAS/module.modulemap", "Sources/CLibPNG/module.modulemap", "Sources/CZlib/module.modulemap",
         "Sources/PNGShim/include/module.modulemap", "Sources/CSupport/include/module.modulemap"]
            .map { root.appendingPathComponent($0).path }
    }

    func arguments(source: URL, output: URL, moduleCache: URL) -> [String] {
        // -g: line tables, so that a trap names the notebook's own .swiftmd line.
        var arguments = ["swiftc", "-O", "-g", "-module-name", "Notebook", source.path, "-o", output.path,
                         "-I", products.appendingPathComponent("Modules").path, "-L", products.path, "-lLIP",
                         "-Xlinker", "-rpath", "-Xlinker", products.path, "-module-cache-path", moduleCache.path]
        if ProcessInfo.processInfo.environment["LIP_PORTABLE"] != "1" { arguments += ["-target-cpu", "native"] }
        for map in moduleMaps { arguments += ["-Xcc", "-fmodule-map-file=\(map)"] }
        for flag in pkgConfigIncludes { arguments += ["-Xcc", flag] }
        return arguments
    }

    var pkgConfigIncludes: [String] {
        let text = Subprocess.run("pkg-config", ["--cflags-only-I", "openblas", "libpng", "zlib"])?.output ?? ""
        return text.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// Compiles `program` unless an executable for exactly this source, library and
    /// compiler exists already and still hashes as it did when it was made (`force`
    /// always compiles). Returns the executable and whether it was reused.
    ///
    /// Each compile writes to a name of its own process and is renamed into place, so
    /// concurrent runs of one notebook never collide, and an interrupted or truncated
    /// executable is never run: its SHA-256 (kept beside it) would not match.
    func compile(_ program: String, name: String, notebookPath: String, cache: URL,
                 libraryHash: String, force: Bool = false) throws -> (executable: URL, reused: Bool, seconds: Double) {
        let start = Date()
        let binaries = cache.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: binaries, withIntermediateDirectories: true)
        let key = SHA256.hex(program + libraryHash + Self.compilerVersion)
        let executable = binaries.appendingPathComponent("\(name)-\(key.prefix(16))")
        let checksum = binaries.appendingPathComponent("\(name)-\(key.prefix(16)).sha256")
        if !force, FileManager.default.isExecutableFile(atPath: executable.path),
           let recorded = try? String(contentsOf: checksum, encoding: .utf8),
           SHA256.hex(fileAt: executable.path) == recorded.trimmingCharacters(in: .whitespacesAndNewlines) {
            return (executable, true, Date().timeIntervalSince(start))
        }
        let unique = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let source = binaries.appendingPathComponent("\(name)-\(key.prefix(16))-\(unique)-main.swift")
        try AtomicFile.write(program, to: source.path)
        defer { try? FileManager.default.removeItem(at: source) }
        // Compile to a temporary name: an interrupted compile never leaves a usable-looking binary.
        let partial = binaries.appendingPathComponent("\(name)-\(key.prefix(16)).partial-\(unique)")
        defer { try? FileManager.default.removeItem(at: partial) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments(source: source, output: partial,
                                      moduleCache: cache.appendingPathComponent("module-cache"))
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = errors
        try process.run()
        // Foundation starts it in a process group of its own: stopping the group stops
        // the compiler's frontend and linker too.
        ChildProcesses.register(process.processIdentifier, ownGroup: true, files: [partial, source])
        defer { ChildProcesses.unregister(process.processIdentifier) }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NotebookError(path: notebookPath, message: "does not compile:\n" + Self.compilerMessages(message))
        }
        guard let digest = SHA256.hex(fileAt: partial.path) else {
            throw NotebookError(path: notebookPath, message: "the compiler wrote no executable at \(partial.path)")
        }
        // The checksum first: a reader that sees the new executable finds its hash, or an
        // older one that does not match and recompiles.
        try AtomicFile.write(digest + "\n", to: checksum.path)
        guard rename(partial.path, executable.path) == 0 else {
            throw NotebookError(path: notebookPath, message: "cannot move the compiled notebook into place at \(executable.path): \(String(cString: strerror(errno)))")
        }
        return (executable, false, Date().timeIntervalSince(start))
    }

    /// The compiler's diagnostics that point into notebooks (the generated framing is
    /// never the user's fault), falling back to everything it said.
    static func compilerMessages(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let relevant = lines.filter { $0.contains(".swiftmd:") && ($0.contains("error:") || $0.contains("warning:")) }
        return (relevant.isEmpty ? lines : relevant).joined(separator: "\n")
    }
}
