import Foundation
@testable import NotebookRunner
@testable import NotebookRuntime
import Testing

struct SwiftHighlighterTests {
    /// The highlighter only wraps spans: without its tags the page shows the code as written.
    func unwrapped(_ html: String) -> String {
        Sections.plainText(html)
    }

    @Test func everyTokenKindIsMarkedAndNoCharacterChanges() {
        let code = """
            // a comment with "quotes"
            let x: Int = 1...3 /* block /* nested */ */ + 0x1F
            print("a \\(x + f("in")) b", "<&>") @MainActor
            let s = \"\"\"
              multi "line"
              \"\"\"
            """
        let html = SwiftHighlighter.html(code)
        #expect(unwrapped(html) == code)
        #expect(html.contains("<span class=\"hl-comment\">// a comment with &quot;quotes&quot;</span>"))
        #expect(html.contains("<span class=\"hl-keyword\">let</span>"))
        #expect(html.contains("<span class=\"hl-type\">Int</span>"))
        #expect(html.contains("<span class=\"hl-number\">1</span>...<span class=\"hl-number\">3</span>"))
        #expect(html.contains("<span class=\"hl-comment\">/* block /* nested */ */</span>"))
        #expect(html.contains("<span class=\"hl-string\">&quot;a \\(x + f(&quot;in&quot;)) b&quot;</span>"))
        #expect(html.contains("<span class=\"hl-string\">&quot;&lt;&amp;&gt;&quot;</span>"))
        #expect(html.contains("<span class=\"hl-attribute\">@MainActor</span>"))
        #expect(html.contains("<span class=\"hl-string\">&quot;&quot;&quot;\n  multi &quot;line&quot;\n  &quot;&quot;&quot;</span>"))
        // A closure's $0 is a name; a member named like a keyword is not a keyword.
        #expect(SwiftHighlighter.html("xs.map { $0 + 1 }") == "xs.map { $0 + <span class=\"hl-number\">1</span> }")
        #expect(!SwiftHighlighter.html("a.default").contains("hl-keyword"))
        // An unclosed string or comment runs to its end without losing text.
        #expect(unwrapped(SwiftHighlighter.html("let a = \"open\nnext /* open")) == "let a = \"open\nnext /* open")
    }
}

struct PageStructureTests {
    @Test func calloutsAreCutOutOfTheProse() throws {
        let text = "Before.\n\n::: {.callout-warning title=\"One seed\"}\nWithin *noise*.\n:::\n\nAfter."
        let segments = try Callout.segments(of: text, path: "n.swiftmd", firstLine: 10)
        #expect(segments == [.markdown("Before.\n"), .callout(Callout(kind: "warning", title: "One seed", body: "Within *noise*.")),
                             .markdown("\nAfter.")])
        #expect(Callout(kind: "note", title: nil, body: "a\n\nb").markdown == "> [!NOTE]\n> a\n>\n> b")
        #expect(throws: NotebookError(path: "n.swiftmd", line: 11, message: "unknown callout kind 'danger'; known kinds: note, warning, important, tip, caution")) {
            try Callout.segments(of: "x\n::: {.callout-danger}\ny\n:::", path: "n.swiftmd", firstLine: 10)
        }
        #expect(throws: NotebookError(path: "n.swiftmd", line: 10, message: "callout ::: {.callout-note} is not closed by a line ':::'")) {
            try Callout.segments(of: "::: {.callout-note}\ny", path: "n.swiftmd", firstLine: 10)
        }
    }

    @Test func headingsGetIdsAndATableOfContents() {
        let (html, entries) = Sections.anchorHeadings("<h1>T</h1><h2>Setup &amp; data</h2><p>x</p><h3>Why {#sec-why}</h3><h2>Setup &amp; data</h2>")
        #expect(entries == [.init(level: 2, id: "setup-data", title: "Setup & data"), .init(level: 3, id: "sec-why", title: "Why"),
                            .init(level: 2, id: "setup-data-2", title: "Setup & data")])
        #expect(html.contains("<h3 id=\"sec-why\">Why<a class=\"anchor\" href=\"#sec-why\""))
        #expect(html.hasPrefix("<h1>T</h1>"))
        let toc = Sections.tableOfContents(entries)
        #expect(toc.contains("<li class=\"toc-3\"><a href=\"#sec-why\">Why</a></li>"))
        #expect(Sections.tableOfContents(Array(entries.prefix(1))).isEmpty)
    }

    @Test func sectionReferencesLinkToTheirHeading() throws {
        let notebook = try NotebookParser.parse("## The method {#sec-method}\n\nSee @sec-method and @sec-none.\n", path: "n.swiftmd")
        var unresolved: [String] = []
        let text = Sections(notebook).resolve("See @sec-method and @sec-none.", unresolved: &unresolved)
        #expect(text == "See [The method](#sec-method) and **@sec-none?**.")
        #expect(unresolved == ["sec-none"])
        #expect(Sections.markdownAnchors("## The method {#sec-method}") == "<a id=\"sec-method\"></a>\n## The method")
    }

    @Test func chunkOptionsForReading() throws {
        let notebook = try NotebookParser.parse("""
            ```swift
            //| label: a
            //| code-fold: true
            //| output: false
            //| fig-alt: "Two lines crossing"
            let a = 1
            ```

            ```swift
            //| label: b
            //| code-fold: show
            //| include: false
            let b = 2
            ```
            """, path: "n.swiftmd")
        let (a, b) = (notebook.chunks[0], notebook.chunks[1])
        #expect(a.codeFold == .folded && !a.showsOutput && a.included && a.figureAlt == "Two lines crossing")
        #expect(b.codeFold == .show && b.showsOutput && !b.included && b.figureAlt == nil)
        #expect(throws: NotebookError(path: "n.swiftmd", line: 1, message: "chunk option code-fold must be true, false or show, got 'maybe'")) {
            try NotebookParser.parse("```swift\n//| code-fold: maybe\nlet a = 1\n```\n", path: "n.swiftmd")
        }
    }

    @Test func jupyterCellsFollowNbformat() throws {
        var notebook = JupyterNotebook()
        notebook.appendMarkdown("# T\n\nText.")
        notebook.appendCode("let a = 1\nprint(a)", label: "fig a", outputs: [JupyterNotebook.streamOutput("1\n")], hidden: true)
        notebook.appendCode("let b = 2", label: "fig a", outputs: [], hidden: false)
        let json = try JSONSerialization.jsonObject(with: notebook.data(title: "T", metadata: [:])) as! [String: Any]
        #expect(json["nbformat"] as? Int == 4 && json["nbformat_minor"] as? Int == 5)
        let cells = json["cells"] as! [[String: Any]]
        #expect(cells.map { $0["id"] as! String } == ["md-1", "fig-a", "fig-a-2"])
        #expect(cells[0]["source"] as! [String] == ["# T\n", "\n", "Text."])
        #expect(cells[1]["execution_count"] as? Int == 1 && cells[2]["execution_count"] as? Int == 2)
        #expect((cells[1]["metadata"] as! [String: Any])["jupyter"] as? [String: Bool] == ["source_hidden": true])
        #expect(((cells[1]["outputs"] as! [[String: Any]])[0]["text"] as! [String]) == ["1\n"])
    }
}

struct SharedRequestHistoryTests {
    @Test func theStoreRemembersUnderWhichNumericsARequestWasAsked() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("lip-requests-\(getpid())-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: cache) }
        typealias History = SharedRequestHistory
        #expect(History.update(kind: "ticket", key: "k", numerics: "aaaa", cacheDirectory: cache) == .new)
        #expect(History.update(kind: "ticket", key: "k", numerics: "aaaa", cacheDirectory: cache) == .sameNumerics)
        #expect(History.update(kind: "ticket", key: "k", numerics: "bbbb", cacheDirectory: cache) == .otherNumerics("aaaa"))
        #expect(History.update(kind: "evaluation", key: "k", numerics: "bbbb", cacheDirectory: cache) == .new)
        #expect(History.otherNumerics("aaaa").reason(numerics: "bbbb").contains("numerics aaaa → bbbb"))
    }
}
