import Foundation
import NotebookRunner
import NotebookRuntime
import Testing

/// End-to-end runs: compile against the release build of the library (`swift build -c
/// release` must have run, as the README's test command does), execute, render.
@Suite(.serialized)
final class RunnerTests {
    let folder: URL

    init() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        setenv("LIP_ROOT", root.path, 1)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("lip-notebook-tests-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    var options: RunOptions {
        var options = RunOptions()
        options.profile = .smoke
        options.outputRoot = folder.appendingPathComponent("figures").path
        options.cacheRoot = folder.appendingPathComponent("cache").path
        return options
    }

    @Test func outputIsCapturedPerChunkAndRendered() throws {
        let path = try write("capture.swiftmd", """
            ---
            title: Capture
            params:
              n: {type: Int, smoke: 3, quick: 4}
            ---
            The answer is `{swift} params.n * 14`, see @tbl-t and @fig-f.

            ```swift
            //| label: one
            print("from one")
            ```

            ```swift
            //| label: tbl-t
            //| caption: A table.
            print("from two")
            var t = Table(columns: [.init("a", alignRight: false), .init("b")])
            t.append(["x", 1.5])
            try show(t)
            ```

            ```swift
            //| label: fig-f
            //| caption: A line.
            try show(LinePlot(xLabel: "x", yLabel: "y", series: [Series("s", x: [1, 2, 3], y: [1, 4, 9])]))
            claim("nine beats eight", source: "ours", a: [9, 9.1, 8.9], b: [8, 8, 8], seeds: [1, 2, 3], rule: .superiority)
            claim("two beats three", source: "ours", a: [2, 2.1, 1.9], b: [3, 3, 3], seeds: [1, 2, 3], rule: .superiority)
            claim("one seed decides nothing", source: "ours", a: [5], b: [1], seeds: [1], rule: .superiority)
            claimNotChecked("a scale not reached", source: "Fig. 2", reason: "not reached at this scale")
            ```
            """)
        let run = try NotebookRunner.run(path, options: options)
        #expect(run.failure == nil)
        #expect(run.chunks[0].output == "from one\n")
        #expect(run.chunks[1].output == "from two\n")
        #expect(run.inlineValues[0] == "42")
        #expect(run.claims.map(\.outcome) == [.held, .failed, .inconclusive, .notChecked])
        #expect(run.chunks[2].figures.first?.files.sorted() == ["fig-f.png", "fig-f.svg"])
        let output = try Renderer.render(run)
        #expect(output.unresolvedReferences.isEmpty)
        let markdown = try String(contentsOf: output.markdown, encoding: .utf8)
        #expect(markdown.contains("The answer is 42, see [Table 1](#tbl-t) and [Figure 1](#fig-f)."))
        #expect(markdown.contains("| x | 1.50 |"))
        #expect(markdown.contains("**FAILED**: two beats three"))
        #expect(markdown.contains("**INCONCLUSIVE**: one seed decides nothing"))
        let html = try String(contentsOf: output.html, encoding: .utf8)
        #expect(html.contains("<figcaption>Figure 1: A line.</figcaption>"))
        #expect(html.contains("data:image/png;base64,iVBOR"))
        #expect(html.contains("Claims: 1 held, 1 failed, 1 inconclusive, 1 not checked."))
        let provenance = try JSONDecoder().decode(NotebookProvenance.self, from: Data(contentsOf: output.provenance))
        #expect(provenance.parameters == ["n": "3"])
        #expect(provenance.chunkSeconds.keys.sorted() == ["fig-f", "one", "tbl-t"])
        #expect(html.contains("<pre class=\"code\"><code class=\"language-swift\">print(<span class=\"hl-string\">&quot;from two&quot;</span>)\n<span class=\"hl-keyword\">var</span> t = <span class=\"hl-type\">Table</span>"))
        let ipynb = output.html.deletingPathExtension().appendingPathExtension("ipynb")
        let jupyter = try JSONSerialization.jsonObject(with: Data(contentsOf: ipynb)) as! [String: Any]
        let cells = jupyter["cells"] as! [[String: Any]]
        #expect(cells.filter { $0["cell_type"] as? String == "code" }.count == 3)
        let figureOutputs = (cells.first { $0["id"] as? String == "fig-f" }?["outputs"] as? [[String: Any]]) ?? []
        #expect(figureOutputs.contains { (($0["data"] as? [String: Any])?["image/png"] as? String)?.hasPrefix("iVBOR") == true })
    }

    @Test func pagesKnowWhetherTheyAreCurrent() throws {
        let image = folder.appendingPathComponent("input.txt")
        try "one".write(to: image, atomically: true, encoding: .utf8)
        let source = "---\ntitle: Fresh\ninputs:\n  - \(image.path)\n---\n\n## Part {#sec-part}\n\nSee @sec-part.\n\n```swift\n//| label: a\n//| code-fold: true\nprint(1)\n```\n"
        let path = try write("fresh.swiftmd", source)
        let output = try Renderer.render(try NotebookRunner.run(path, options: options))
        let html = try String(contentsOf: output.html, encoding: .utf8)
        #expect(html.contains("See <a href=\"#sec-part\">Part</a>."))
        #expect(html.contains("<details class=\"code-fold\"><summary>Code</summary>"))
        let checker = StalenessChecker(toolchain: try Toolchain.locate())
        let figures = URL(fileURLWithPath: options.outputRoot)
        func status() -> PageStatus? { checker.pages(in: figures).first { $0.name == "fresh" } }
        #expect(status()?.isCurrent == true, "\(status()?.summary ?? "no page")")
        try (source + "\nMore prose.\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(status()?.staleReasons == ["\(path) changed since the render"])
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        try "two".write(to: image, atomically: true, encoding: .utf8)
        #expect(status()?.staleReasons == ["input \(image.path) changed or is missing"])
        try FiguresIndex.write(checker.pages(in: figures), to: figures)
        let index = try String(contentsOf: figures.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(index.contains("<a href=\"fresh/fresh.html\">Fresh</a>") && index.contains("stale"))
    }

    @Test func compileErrorPointsAtTheNotebookLine() throws {
        let path = try write("broken.swiftmd", "Some prose.\n\n```swift\nlet a = 1\nlet b = a + undefinedName\n```\n")
        do {
            _ = try NotebookRunner.run(path, options: options)
            Issue.record("a broken notebook compiled")
        } catch let error as NotebookError {
            #expect(error.message.contains("broken.swiftmd:5:"))
            #expect(error.message.contains("undefinedName"))
        }
    }

    @Test func runtimeFailureNamesTheChunkAndKeepsEarlierOutput() throws {
        let path = try write("fails.swiftmd", """
            ```swift
            //| label: fine
            print("before the failure")
            ```

            ```swift
            //| label: boom
            struct Boom: Error, CustomStringConvertible { var description: String { "the model exploded" } }
            throw Boom()
            ```

            ```swift
            print("never")
            ```
            """)
        let run = try NotebookRunner.run(path, options: options)
        let failure = try #require(run.failure)
        #expect(failure.chunkLabel == "boom")
        #expect(failure.lines?.lowerBound == 8)  // the first code line after the options
        #expect(failure.message.contains("the model exploded"))
        #expect(run.chunks[0].output == "before the failure\n")
        #expect(run.chunks[2].seconds == nil)
        let output = try Renderer.render(run)
        #expect(try String(contentsOf: output.markdown, encoding: .utf8).contains("This chunk failed"))
    }

    @Test func cacheHitsMissesAndInvalidation() throws {
        let data = folder.appendingPathComponent("data.txt")
        try "1".write(to: data, atomically: true, encoding: .utf8)
        func notebook(_ extra: String) throws -> String {
            try write("cached.swiftmd", """
                ---
                params:
                  n: {type: Int, default: 2}
                  other: {type: Int, default: 0}
                inputs:
                  - \(data.path)
                ---
                ```swift
                //| label: work
                let value = try cached("double") { params.n * 2\(extra) }
                print(value)
                ```
                """)
        }
        var path = try notebook("")
        var run = try NotebookRunner.run(path, options: options)
        #expect(run.chunks[0].cache.map(\.hit) == [false])
        #expect(run.chunks[0].output == "4\n")
        run = try NotebookRunner.run(path, options: options)
        #expect(run.chunks[0].cache.first?.hit == true)
        #expect(run.chunks[0].output == "4\n")

        // A parameter the chunk does not mention changes nothing.
        var changed = options
        changed.overrides = ["other": "5"]
        #expect(try NotebookRunner.run(path, options: changed).chunks[0].cache.first?.hit == true)

        // A parameter it mentions re-runs it, and says why.
        changed.overrides = ["n": "3"]
        run = try NotebookRunner.run(path, options: changed)
        #expect(run.chunks[0].cache.first?.hit == false)
        #expect(run.chunks[0].cache.first?.reason.contains("parameter n: 2 → 3") == true)
        #expect(run.chunks[0].output == "6\n")

        // The input file's contents.
        try "2".write(to: data, atomically: true, encoding: .utf8)
        run = try NotebookRunner.run(path, options: options)
        #expect(run.chunks[0].cache.first?.reason.contains("input") == true)

        // The code.
        path = try notebook(" + 0")
        run = try NotebookRunner.run(path, options: options)
        #expect(run.chunks[0].cache.first?.reason.contains("code changed") == true)

        // --force.
        var forced = options
        forced.force = true
        #expect(try NotebookRunner.run(path, options: forced).chunks[0].cache.first?.hit == false)

        // A corrupt entry is detected and recomputed.
        let objects = URL(fileURLWithPath: options.cacheRoot).appendingPathComponent("objects")
        for file in try FileManager.default.contentsOfDirectory(atPath: objects.path) where !file.hasSuffix(".meta.json") {
            try "99".write(to: objects.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        run = try NotebookRunner.run(path, options: options)
        #expect(run.chunks[0].cache.first?.hit == false)
        #expect(run.chunks[0].cache.first?.reason.contains("unusable") == true)
        #expect(run.chunks[0].output == "4\n")
    }

    @Test func unresolvedReferenceIsReported() throws {
        let path = try write("refs.swiftmd", "See @fig-missing.\n\n```swift\nprint(1)\n```\n")
        let output = try Renderer.render(try NotebookRunner.run(path, options: options))
        #expect(output.unresolvedReferences == ["fig-missing"])
    }
}

/// Shared searches and evaluations are keyed by the numerical code: a change of
/// presentation keeps them, a change of the engine does not.
struct SourceHashTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("lip-hash-\(UUID().uuidString)")

    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func presentationChangesKeepTheNumericsHash() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        try write("Package.swift", "// package")
        try write("Sources/TensorKit/Ops.swift", "let a = 1")
        try write("Sources/Plotting/Style.swift", "let color = 1")
        let toolchain = Toolchain(root: root, products: root.appendingPathComponent(".build/release"))
        let library = toolchain.librarySourceHash(), numerics = toolchain.numericsHash(blasCore: "Zen")
        try write("Sources/Plotting/Style.swift", "let color = 2")
        #expect(toolchain.librarySourceHash() != library)
        #expect(toolchain.numericsHash(blasCore: "Zen") == numerics)
        #expect(toolchain.numericsHash(blasCore: "Haswell") != numerics)
        try write("Sources/TensorKit/Ops.swift", "let a = 2")
        #expect(toolchain.numericsHash(blasCore: "Zen") != numerics)
    }

    /// A profile's step budget keys its units through their requests: editing `Scale.swift`
    /// keeps every other unit, and makes the rendered pages stale.
    @Test func profileBudgetsAreNotNumericsButPagesSeeThem() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        try write("Package.swift", "// package")
        try write("Sources/Experiments/Scale.swift", "let steps = 800")
        try write("Sources/Experiments/Experiment.swift", "let a = 1")
        let toolchain = Toolchain(root: root, products: root.appendingPathComponent(".build/release"))
        let numerics = toolchain.numericsHash(blasCore: "Zen"), page = toolchain.pageNumericsSourceHash()
        try write("Sources/Experiments/Scale.swift", "let steps = 1000")
        #expect(toolchain.numericsHash(blasCore: "Zen") == numerics)
        #expect(toolchain.pageNumericsSourceHash() != page)
        try write("Sources/Experiments/Experiment.swift", "let a = 2")
        #expect(toolchain.numericsHash(blasCore: "Zen") != numerics)
    }

    /// Comments, blank lines, indentation and a file's folder are not numerics; its code is.
    @Test func commentsAndMovesKeepTheNumericsHashCodeDoesNot() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        try write("Package.swift", "// package")
        try write("Sources/TensorKit/Ops.swift", "func f() -> Int {\n    1\n}\n")
        let toolchain = Toolchain(root: root, products: root.appendingPathComponent(".build/release"))
        let numerics = toolchain.numericsHash(blasCore: "Zen"), library = toolchain.librarySourceHash()
        try write("Sources/TensorKit/Ops.swift", "/// Returns one.\n///\n/// - Returns: 1.\nfunc f() -> Int {\n\n  1 // the answer\n}\n")
        #expect(toolchain.numericsHash(blasCore: "Zen") != numerics, "a trailing comment is part of its code line")
        try write("Sources/TensorKit/Ops.swift", "/// Returns one.\n///\n/// - Returns: 1.\nfunc f() -> Int {\n\n  1\n}\n")
        #expect(toolchain.numericsHash(blasCore: "Zen") == numerics)
        #expect(toolchain.librarySourceHash() != library)
        try FileManager.default.removeItem(at: root.appendingPathComponent("Sources/TensorKit/Ops.swift"))
        try write("Sources/TensorKit/Ops/Moved.swift", "func f() -> Int {\n    1\n}\n")
        #expect(toolchain.numericsHash(blasCore: "Zen") == numerics)
        try write("Sources/TensorKit/Ops/Moved.swift", "func f() -> Int {\n    2\n}\n")
        #expect(toolchain.numericsHash(blasCore: "Zen") != numerics)
    }
}
