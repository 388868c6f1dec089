import Foundation
import ImageIO
import Testing

/// Every finding of the hostile-input review, as a run of the release `lip` (built by
/// `swift build -c release`, as the README's test command does first): the exit status,
/// the message, and that no file was lost or changed. Trainings are 2-3 steps at 64 px.
@Suite(.serialized)
struct HostileInputTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let lipPath = root.appendingPathComponent(".build/release/lip").path
    /// Removed when the last copy of this suite value goes: a ticket search writes about
    /// 120 MB, and a CI machine's disk may have little room.
    let scratch: ScratchFolder
    var folder: URL { scratch.url }

    init() throws {
        scratch = try ScratchFolder(prefix: "lip-hostile")
        try write(side: 96, "img96.png")
        try write(side: 40, "img40.png")
        try PNG.write(Image(channels: 1, height: 64, width: 64, pixels: [Float](repeating: 1, count: 64 * 64)), to: path("white64.png"))
        try PNG.write(Image(channels: 1, height: 64, width: 64, pixels: [Float](repeating: 0, count: 64 * 64)), to: path("black64.png"))
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func write(side: Int, _ name: String) throws {
        let pixels = (0..<(3 * side * side)).map { Float(($0 * 37) % 101) / 100 }
        try PNG.write(Image(channels: 3, height: side, width: side, pixels: pixels), to: path(name))
    }

    struct Result {
        var status: Int32
        var output: String
    }

    /// Runs `lip` in the test folder and returns its status and its standard output and
    /// error together.
    @discardableResult
    func lip(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        #expect(FileManager.default.isExecutableFile(atPath: Self.lipPath), "build lip first: swift build -c release")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.lipPath)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var env = ProcessInfo.processInfo.environment
        env["CI"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    func expectRefused(_ arguments: [String], environment: [String: String] = [:], saying message: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try lip(arguments, environment: environment)
        #expect(result.status != 0, "exit status 0 for \(arguments)", sourceLocation: sourceLocation)
        #expect(result.output.contains(message), "\(arguments): \(result.output)", sourceLocation: sourceLocation)
        #expect(!result.output.contains("Current stack trace") && !result.output.contains("Program crashed"),
                "a trap: \(result.output)", sourceLocation: sourceLocation)
    }

    let quick = ["--crop", "64", "--iterations", "2"]

    // MARK: 1. Orphaned notebook processes

    func writeLoopNotebook() throws -> String {
        let text = """
            ---
            title: Loop
            ---
            Spins until stopped.

            ```swift
            //| label: spin
            var x = 0
            while true { x &+= 1; if x == -1 { print(x) } }
            ```
            """
        try text.write(toFile: path("loop.swiftmd"), atomically: true, encoding: .utf8)
        return path("loop.swiftmd")
    }

    /// Live processes running a compiled notebook `needle` + its 16-digit key (not the
    /// compiler, whose arguments name the same folder).
    func processes(naming needle: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  let first = data.split(separator: 0).first else { return false }
            let program = String(decoding: first, as: UTF8.self)
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            let zombie = stat.split(separator: " ").dropFirst(2).first == "Z"
            return !zombie && program.hasPrefix(needle) && program.count == needle.count + 16
        }
    }

    func killDuringNotebook(signal: Int32) throws {
        let notebook = try writeLoopNotebook()
        let cache = path("cache-\(signal)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.lipPath)
        process.arguments = ["notebook", "run", notebook, "--output", path("figures"), "--cache", cache]
        process.currentDirectoryURL = folder
        FileManager.default.createFile(atPath: path("lip-\(signal).log"), contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: path("lip-\(signal).log")))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let needle = cache + "/bin/loop-"
        var child: [Int32] = []
        for _ in 0..<1200 where child.isEmpty {  // the first run compiles the notebook (up to 2 min)
            usleep(100_000)
            child = processes(naming: needle)
        }
        #expect(!child.isEmpty, "the notebook never started")
        usleep(300_000)
        kill(process.processIdentifier, signal)
        for _ in 0..<200 where process.isRunning { usleep(100_000) }
        if process.isRunning {
            Issue.record("lip did not stop within 20 s of signal \(signal)")
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        var left = processes(naming: needle)
        defer { for pid in processes(naming: needle) { kill(pid, SIGKILL) } }
        for _ in 0..<50 where !left.isEmpty {
            usleep(100_000)
            left = processes(naming: needle)
        }
        #expect(left.isEmpty, "signal \(signal) left the notebook running: \(left)")
        if signal != SIGKILL {
            let sessions = (try? FileManager.default.contentsOfDirectory(atPath: cache))?.filter { $0.hasPrefix("session-") } ?? []
            let said = (try? String(contentsOfFile: path("lip-\(signal).log"), encoding: .utf8)) ?? ""
            #expect(sessions.isEmpty, "session files left: \(sessions); lip said: \(said)")
            #expect(process.terminationStatus == 128 + signal)
        }
    }

    @Test func killNineOfLipLeavesNoNotebookRunning() throws { try killDuringNotebook(signal: SIGKILL) }
    @Test func sigtermOfLipStopsItsNotebook() throws { try killDuringNotebook(signal: SIGTERM) }
    @Test func sigintOfLipStopsItsNotebook() throws { try killDuringNotebook(signal: SIGINT) }

    @Test func aNotebookPastItsTimeoutIsStopped() throws {
        let notebook = try writeLoopNotebook()
        let result = try lip(["notebook", "run", notebook, "--output", path("figures"), "--cache", path("cache"), "--timeout", "3"])
        #expect(result.status == 1)
        #expect(result.output.contains("timed out after 3 s (--timeout)"), "\(result.output)")
    }

    // MARK: 2. Crashes

    @Test func oddSuperResolutionFactorsAreRefusedBeforeTraining() throws {
        try expectRefused(["restore", "--task", "sr", "--factor", "3", "--image", "img96.png"] + quick, saying: "--factor must be an even number")
        try expectRefused(["ticket", "eval", "--ticket", "t", "--round", "0", "--task", "sr", "--factor", "3", "--image", "img96.png"],
                          saying: "--factor must be an even number")
    }

    @Test func runsLargerThanMemoryAreRefusedWithTheEstimate() throws {
        try expectRefused(["restore", "--image", "img96.png", "--iterations", "1000000000"], saying: "needs about")
        try expectRefused(["restore", "--image", "img96.png", "--net", "deep-decoder", "--k", "1000000"], saying: "needs about")
    }

    @Test func nonFiniteSigmaIsRefused() throws {
        try expectRefused(["restore", "--image", "img96.png", "--sigma", "nan"], saying: "--sigma must be a positive finite number, got nan")
        try expectRefused(["restore", "--image", "img96.png", "--sigma", "inf"], saying: "--sigma must be a positive finite number, got inf")
        try expectRefused(["denoise", "--image", "img96.png", "--sigma", "nan"], saying: "--sigma must be a positive finite number")
    }

    // MARK: 3. Finished training is never thrown away

    @Test func anInfinitePSNRIsWrittenAsNullWithItsReason() throws {
        for extra in [["--keep", "1"], ["--mask", "white64.png"]] {
            let out = path("inf-\(extra[0].dropFirst(2))")
            let result = try lip(["restore", "--task", "inpaint", "--image", "img96.png", "--out", out] + quick + extra)
            #expect(result.status == 0, "\(result.output)")
            let summary = try String(contentsOfFile: out + "/summary.json", encoding: .utf8)
            #expect(summary.contains("\"observationPSNR\" : null"))
            #expect(summary.contains("\"nonFiniteValues\""))
        }
    }

    @Test func snapshotsAreTheOutputsAfterTheirStepsAndBadStepsAreRefused() throws {
        let out = path("snapshots")
        let result = try lip(["restore", "--image", "img96.png", "--crop", "64", "--iterations", "3", "--snapshots", "1,3", "--out", out])
        #expect(result.status == 0, "\(result.output)")
        let file = { (name: String) in FileManager.default.contents(atPath: out + "/" + name) }
        // The last step's snapshot is the final output and its EMA the restored image.
        #expect(file("snapshot-00003.png") != nil && file("snapshot-00003.png") == file("output.png"))
        #expect(file("snapshot-00003-ema.png") != nil && file("snapshot-00003-ema.png") == file("restored.png"))
        #expect(file("snapshot-00001.png") != nil && file("snapshot-00001.png") != file("output.png"))
        for bad in ["0", "4", "2,x", ""] {
            try expectRefused(["restore", "--image", "img96.png", "--crop", "64", "--iterations", "3", "--snapshots", bad, "--out", out],
                              saying: "--snapshots takes steps from 1 to 3")
        }
    }

    @Test func badInputNoiseIsRefusedBeforeTraining() throws {
        try expectRefused(["denoise", "--image", "img96.png", "--input-noise", "nan"], saying: "--input-noise must be a finite number of at least 0")
    }

    @Test func unwritableOutputsAreRefusedBeforeTraining() throws {
        try "x".write(toFile: path("a-file"), atomically: true, encoding: .utf8)
        try expectRefused(["restore", "--image", "img96.png", "--out", "a-file"] + quick, saying: "--out a-file is a file, not a folder")
        try expectRefused(["restore", "--image", "img96.png", "--out", "/proc/lip-out"] + quick, saying: "--out /proc/lip-out: cannot create")
        try expectRefused(["denoise", "--image", "img96.png", "--out", "a-file"] + quick, saying: "is a file, not a folder")
    }

    @Test func aRewindPastTheStepsIsRefusedBeforeRoundZero() throws {
        let start = Date()
        try expectRefused(["ticket", "find", "--image", "img96.png", "--rounds", "2", "--rewind", "5", "--out", "t-rewind"] + quick,
                          saying: "--rewind 5 must be below the 2 training steps")
        #expect(!FileManager.default.fileExists(atPath: path("t-rewind")))
        #expect(Date().timeIntervalSince(start) < 10)
        try expectRefused(["ticket", "find", "--image", "img96.png", "--prune", "random", "--released-code-quirk", "--out", "t-quirk"] + quick,
                          saying: "--released-code-quirk is a quirk of the released IMP search; --prune random")
        #expect(!FileManager.default.fileExists(atPath: path("t-quirk")))
    }

    // MARK: 4. Ticket resume never mixes problems

    @Test func aResumeWithAnotherCropOrSigmaIsRefused() throws {
        let first = try lip(["ticket", "find", "--image", "img96.png", "--rounds", "2", "--out", "t-mix"] + quick)
        #expect(first.status == 0, "\(first.output)")
        try expectRefused(["ticket", "find", "--image", "img96.png", "--rounds", "3", "--out", "t-mix", "--crop", "96", "--iterations", "2"],
                          saying: "96x96x3 after cropping here, 64x64x3 in the folder")
        try expectRefused(["ticket", "find", "--image", "img96.png", "--rounds", "3", "--out", "t-mix", "--sigma", "25.7"] + quick,
                          saying: "σ 25.7 here, 25.0 in the folder")
        // A replaced image under the same path.
        try write(side: 64, "img96.png")
        try expectRefused(["ticket", "find", "--image", "img96.png", "--rounds", "3", "--out", "t-mix"] + quick,
                          saying: "has other pixels")
    }

    // MARK: 5-7. The compiled-notebook cache, traps, the paper build

    func writeNotebook(_ name: String, _ body: String) throws -> String {
        try ("---\ntitle: \(name)\n---\nA notebook.\n\n" + body).write(toFile: path("\(name).swiftmd"), atomically: true, encoding: .utf8)
        return path("\(name).swiftmd")
    }

    @Test func partialRunsAndExportsRefuseWhatTheyCannotDo() throws {
        let notebook = try writeNotebook("partial", "```swift\n//| label: first\nprint(1)\n```\n\nAfter.\n\n```swift\n//| label: second\nprint(2)\n```\n")
        let folder = ["--output", "partial-figs", "--cache", "partial-cache", "--profile", "smoke"]
        try expectRefused(["notebook", "run", notebook, "--until", "third"] + folder,
                          saying: "--until third: no chunk has that label; labels: first, second")
        try expectRefused(["notebook", "run", notebook, notebook, "--until", "first"] + folder, saying: "--until first runs one notebook")
        try expectRefused(["notebook", "export", notebook, "--to", "pdf"] + folder, saying: "--to must be ipynb")
        try expectRefused(["notebook", "run", notebook, "--output", "partial-figs", "--profile", "fast"],
                          saying: "'fast' is invalid for '--profile")
        let listed = path("listed.swiftmd")
        try "---\nparams:\n  rounds: {type: \"[Int]\", min: 1, default: [4]}\n---\n```swift\nprint(params.rounds)\n```\n"
            .write(toFile: listed, atomically: true, encoding: .utf8)
        try expectRefused(["notebook", "run", listed, "--param", "rounds=4,0"] + folder,
                          saying: "--param rounds=4,0: 'rounds' is [Int], so its value must be whole numbers separated by commas (or nothing, the empty list), each at least 1")
        let partial = try lip(["notebook", "run", notebook, "--until", "first"] + folder)
        #expect(partial.status == 0, "\(partial.output)")
        let page = try String(contentsOfFile: path("partial-figs/partial/partial.md"), encoding: .utf8)
        #expect(page.contains("Partial run") && !page.contains("After."))
        let jupyter = try String(contentsOfFile: path("partial-figs/partial/partial.ipynb"), encoding: .utf8)
        #expect(jupyter.contains("Partial run") && !jupyter.contains("After."))
        let status = try lip(["notebook", "status", "--pages"] + folder)
        #expect(status.output.contains("stale: a partial run (--until first)"), "\(status.output)")
        let export = try lip(["notebook", "export", notebook, "--out", "partial.ipynb"] + folder)
        #expect(export.status == 0 && FileManager.default.fileExists(atPath: path("partial.ipynb")), "\(export.output)")
    }

    @Test func concurrentRunsAndATruncatedExecutableAreHandled() throws {
        let notebook = try writeNotebook("twice", "```swift\n//| label: one\nprint(\"ran\")\n```\n")
        let arguments = ["notebook", "run", notebook, "--output", path("figures-twice"), "--cache", path("cache-twice")]
        let group = DispatchGroup()
        let results = LockedResults()
        for _ in 0..<2 {
            DispatchQueue.global().async(group: group) {
                if let result = try? lip(arguments) { results.append(result) }
            }
        }
        group.wait()
        #expect(results.values.count == 2 && results.values.allSatisfy { $0.status == 0 }, "\(results.values.map(\.output))")
        // Truncate the cached executable: it must be recompiled, not run.
        let binaries = path("cache-twice/bin")
        let executable = try #require(try FileManager.default.contentsOfDirectory(atPath: binaries)
            .first { !$0.contains(".") && $0.hasPrefix("twice-") })
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: binaries + "/" + executable))
        try handle.truncate(atOffset: 1000)
        try handle.close()
        let again = try lip(arguments)
        #expect(again.status == 0, "\(again.output)")
        let forced = try lip(arguments + ["--force"])
        #expect(forced.status == 0)
        let provenance = try String(contentsOfFile: path("figures-twice/twice/provenance.json"), encoding: .utf8)
        #expect(provenance.contains("\"compileSeconds\""))
    }

    @Test func aTrapNamesTheNotebookLineAndTheReason() throws {
        let notebook = try writeNotebook("trap", """
            ```swift
            //| label: boom
            let table: [String: Int] = ["a": 1]
            let key = CommandLine.arguments.count > 5 ? "a" : "b"
            print("before the trap")
            print(table[key]!)
            ```
            """)
        let result = try lip(["notebook", "run", notebook, "--output", path("figures-trap"), "--cache", path("cache")])
        #expect(result.status == 1)
        let page = try String(contentsOfFile: path("figures-trap/trap/trap.md"), encoding: .utf8)
        #expect(page.contains("trap.swiftmd:11"), "\(page)")
        #expect(page.contains("Unexpectedly found nil while unwrapping an Optional value"), "\(page)")
        #expect(page.contains("before the trap"))

        // The paper build shows the failure and exits non-zero.
        try "# Paper\n\n{{claims}}\n\n{{runs}}\n".write(toFile: path("paper.md"), atomically: true, encoding: .utf8)
        let paper = try lip(["paper", "build", "--source", "paper.md", "--figures", "figures-trap", "--output", "paper-build", "--no-pdf"])
        #expect(paper.status != 0)
        #expect(paper.output.contains("whose last run failed: trap"), "\(paper.output)")
        let html = try String(contentsOfFile: path("paper-build/index.html"), encoding: .utf8)
        #expect(html.contains("FAILED"))
    }

    // MARK: 8. Ticket integrity

    @Test func aCorruptMaskIsNeverServedAndIsRecomputed() throws {
        let found = try lip(["ticket", "find", "--image", "img96.png", "--rounds", "2", "--out", "t-bytes"] + quick)
        #expect(found.status == 0, "\(found.output)")
        let mask = path("t-bytes/round-02.safetensors")
        var data = try Data(contentsOf: URL(fileURLWithPath: mask))
        data[data.count - 5] ^= 1
        try data.write(to: URL(fileURLWithPath: mask))
        try expectRefused(["ticket", "eval", "--ticket", "t-bytes", "--round", "2", "--image", "img96.png", "--out", "e"] + quick,
                          saying: "differs from the SHA-256 in ticket.json")
        let repaired = try lip(["ticket", "find", "--image", "img96.png", "--rounds", "2", "--out", "t-bytes"] + quick)
        #expect(repaired.status == 0)
        #expect(repaired.output.contains("round-02.safetensors is damaged"), "\(repaired.output)")
        #expect(!repaired.output.contains("already complete"))
        let evaluated = try lip(["ticket", "eval", "--ticket", "t-bytes", "--round", "2", "--image", "img96.png", "--out", "e"] + quick)
        #expect(evaluated.status == 0, "\(evaluated.output)")
    }

    // MARK: 9. gnuplot injection

    @Test func aLineBreakInTheOutputFolderIsRefused() throws {
        let notebook = try writeLoopNotebook()
        try expectRefused(["notebook", "run", notebook, "--output", "figs\nsystem('touch pwned')"],
                          saying: "must be a plain folder path")
        #expect(!FileManager.default.fileExists(atPath: path("pwned")))
    }

    // MARK: 10-11. Messages, and what was accepted silently

    @Test func messagesNameTheFlagTheValueAndWhatIsAllowed() throws {
        try expectRefused(["restore", "--image", "img40.png"], saying: "img40.png is 40x40; DIP needs at least 64 pixels a side")
        try expectRefused(["restore", "--image", "."], saying: ".: is a folder, not a PNG file")
        try expectRefused(["restore", "--image", "img96.png", "--sigma", "-5"], saying: "--sigma must be a positive finite number, got -5.0")
        try expectRefused(["restore", "--image", "img96.png", "--lr", "-1"], saying: "--lr must be a positive finite number, got -1.0")
        try expectRefused(["restore", "--image", "img96.png", "--round", "2"], saying: "--round selects a round of --ticket")
        try expectRefused(["info"], environment: ["LIP_THREADS": "abc"], saying: "LIP_THREADS must be a whole number from 1 to 4096, got 'abc'")
        try expectRefused(["restore", "--task", "inpaint", "--image", "img96.png", "--mask", "black64.png"] + quick,
                          saying: "has no known pixel")
        try expectRefused(["denoise", "--image", "img96.png", "--input-noise", "-1"], saying: "--input-noise must be a finite number of at least 0, got -1.0")
        let notebook = try writeNotebook("param", """
            ```swift
            //| label: one
            print("ok")
            ```
            """.replacingOccurrences(of: "A notebook.", with: ""))
        _ = notebook
        try ("---\ntitle: P\nparams:\n  sigma: {type: Double, default: 25}\n---\nText.\n\n```swift\n//| label: one\nprint(params.sigma)\n```\n")
            .write(toFile: path("param.swiftmd"), atomically: true, encoding: .utf8)
        try expectRefused(["notebook", "run", path("param.swiftmd"), "--param", "sigma=nan", "--cache", path("cache")],
                          saying: "--param sigma=nan: 'sigma' is Double, so its value must be a finite number")
    }

    // MARK: 12. Stale files

    /// `lip denoise` is `lip restore --task denoise`: the same files, byte for byte where
    /// no time or path is written, and other tasks refused by name.
    @Test func denoiseIsRestoreWithTheDenoisingTask() throws {
        let denoised = try lip(["denoise", "--image", "img96.png", "--out", "alias-denoise"] + quick)
        let restored = try lip(["restore", "--task", "denoise", "--image", "img96.png", "--out", "alias-restore"] + quick)
        #expect(denoised.status == 0 && restored.status == 0, "\(denoised.output)\(restored.output)")
        for file in ["observation.png", "restored.png", "output.png", "best.png", "history.csv"] {
            #expect(FileManager.default.contents(atPath: path("alias-denoise/\(file)"))
                    == FileManager.default.contents(atPath: path("alias-restore/\(file)")), "\(file)")
        }
        #expect(FileManager.default.fileExists(atPath: path("alias-denoise/checkpoint.safetensors")))
        try expectRefused(["denoise", "--task", "sr", "--image", "img96.png"] + quick,
                          saying: "lip denoise is lip restore --task denoise; for --task sr use lip restore")
    }

    @Test func reusedOutputFoldersHoldOnlyTheLastCommandsFiles() throws {
        let denoised = try lip(["denoise", "--image", "img96.png", "--out", "shared"] + quick)
        #expect(denoised.status == 0, "\(denoised.output)")
        #expect(FileManager.default.fileExists(atPath: path("shared/checkpoint.safetensors")))
        let restored = try lip(["restore", "--net", "deep-decoder", "--image", "img96.png", "--out", "shared"] + quick)
        #expect(restored.status == 0, "\(restored.output)")
        #expect(!FileManager.default.fileExists(atPath: path("shared/checkpoint.safetensors")))
        #expect(FileManager.default.fileExists(atPath: path("shared/best.png")))
        // A folder of someone else's files is refused.
        try FileManager.default.createDirectory(atPath: path("theirs"), withIntermediateDirectories: true)
        try "mine".write(toFile: path("theirs/notes.txt"), atomically: true, encoding: .utf8)
        try expectRefused(["restore", "--image", "img96.png", "--out", "theirs"] + quick, saying: "already holds files that lip did not write")
        #expect(try String(contentsOfFile: path("theirs/notes.txt"), encoding: .utf8) == "mine")
    }

    @Test func aPlantedSymlinkIsReplacedNotFollowed() throws {
        let first = try lip(["restore", "--image", "img96.png", "--out", "linked"] + quick)
        #expect(first.status == 0)
        try "precious".write(toFile: path("victim.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: path("linked/restored.png"))
        try FileManager.default.createSymbolicLink(atPath: path("linked/restored.png"), withDestinationPath: path("victim.txt"))
        let second = try lip(["restore", "--image", "img96.png", "--out", "linked"] + quick)
        #expect(second.status == 0, "\(second.output)")
        #expect(try String(contentsOfFile: path("victim.txt"), encoding: .utf8) == "precious")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: path("linked/restored.png"))) == nil)
    }

    @Test func aFailedRunLeavesNoEarlierFiguresBesideItsPage() throws {
        let good = """
            ```swift
            //| label: fig-line
            try show(LinePlot(xLabel: "x", yLabel: "y", series: [Series("s", x: [1, 2], y: [1, 2])]))
            ```
            """
        let notebook = try writeNotebook("stale", good)
        let arguments = ["notebook", "run", notebook, "--output", path("figures-stale"), "--cache", path("cache")]
        #expect(try lip(arguments).status == 0)
        #expect(FileManager.default.fileExists(atPath: path("figures-stale/stale/fig-line.png")))
        _ = try writeNotebook("stale", "```swift\n//| label: first\nlet values: [Int] = []\nprint(values[values.count])\n```\n\n" + good)
        #expect(try lip(arguments).status == 1)
        #expect(!FileManager.default.fileExists(atPath: path("figures-stale/stale/fig-line.png")))
        #expect(FileManager.default.fileExists(atPath: path("figures-stale/stale/stale.html")))
    }

    // MARK: The generative prior's commands

    @Test func ganCommandsRefuseBadInputBeforeTraining() throws {
        try expectRefused(["gan", "train", "--epochs", "0", "--out", path("gan")], saying: "--epochs")
        try expectRefused(["gan", "train", "--width", "7", "--out", path("gan")], saying: "--width must be an even number")
        try expectRefused(["gan", "train", "--classifier", path("none.safetensors"), "--out", path("gan")],
                          saying: "--classifier")
        try expectRefused(["gan", "train", "--data", path("no-such-folder"), "--out", path("gan")],
                          saying: "dataset-fashion-mnist")
        try expectRefused(["gan", "classifier", "--data", path("no-such-folder"), "--out", path("classifier")],
                          saying: "dataset-fashion-mnist")
        // A folder of foreign files is not trained into.
        try expectRefused(["gan", "train", "--out", folder.path], saying: "holds files but no checkpoint.safetensors")
        try expectRefused(["gan", "ticket", "--generator", path("img40.png"), "--critic", path("img40.png"), "--out", path("t")],
                          saying: "--generator")
        try expectRefused(["gan", "ticket", "--generator", path("g.safetensors"), "--critic", path("c.safetensors"),
                           "--out", path("t")], saying: "no such file")
    }

}

final class LockedResults: @unchecked Sendable {
    private var stored: [HostileInputTests.Result] = []
    private let lock = NSLock()
    func append(_ result: HostileInputTests.Result) { lock.lock(); stored.append(result); lock.unlock() }
    var values: [HostileInputTests.Result] { lock.lock(); defer { lock.unlock() }; return stored }
}
