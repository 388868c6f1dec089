import Foundation
import Store
import NotebookRuntime
import Plotting

/// Builds the reconstructed paper: a Markdown source whose directives (`PaperPiece`) pull
/// figures, tables and claim checks out of the rendered notebooks (`figures/<notebook>/`),
/// into one standalone HTML page (images inlined) and a Markdown copy.
///
/// The build reads the source and every page's provenance, numbers the figures and
/// tables (`PaperNumbering`), renders each piece (`PaperRenderer`), and writes the two
/// files. In the prose, `@NOTEBOOK/LABEL` becomes a link "Figure N" / "Table N".
public struct PaperBuilder {
    public var source: URL
    public var figuresRoot: URL
    public var outputFolder: URL

    public init(source: String, figures: String, output: String) {
        self.source = URL(fileURLWithPath: source)
        figuresRoot = URL(fileURLWithPath: figures)
        outputFolder = URL(fileURLWithPath: output)
    }

    public struct Result {
        public var html: URL
        public var markdown: URL
        public var figures: Int
        public var tables: Int
        /// The claims of the page by verdict.
        public var claims: ClaimCounts
        /// Notebooks whose results are shown, by name.
        public var notebooks: [String]
        /// Notebooks whose last run failed (the page shows each failure), with the reason.
        public var failedNotebooks: [String: String] = [:]
    }

    /// A reference in the source the figures folder cannot satisfy.
    public struct Missing: Error, CustomStringConvertible {
        public var problems: [String]
        public var description: String {
            "the paper cannot be built:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    public func build() throws -> Result {
        guard let text = try? String(contentsOf: source, encoding: .utf8) else {
            throw Missing(problems: ["\(source.path): cannot read the paper's source"])
        }
        let pieces = PaperPiece.parse(text)
        let notebooks = try loadNotebooks()
        // A failed notebook's figures after the failure are missing: shown as failures, and
        // the build still exits non-zero through the command.
        let failures = notebooks.compactMapValues { $0.failure.map { $0.split(separator: "\n").first.map(String.init) ?? $0 } }
        let numbering = PaperNumbering(pieces, notebooks: notebooks, failures: failures, figuresRoot: figuresRoot)
        guard numbering.problems.isEmpty else { throw Missing(problems: numbering.problems) }

        let renderer = PaperRenderer(sourceName: source.lastPathComponent, figuresRoot: figuresRoot, outputFolder: outputFolder,
                                     notebooks: notebooks, numbering: numbering, failures: failures)
        var page = PaperRenderer.Output()
        var problems: [String] = []
        for piece in pieces { page += renderer.render(piece, problems: &problems) }
        guard problems.isEmpty else { throw Missing(problems: problems) }
        if !failures.isEmpty {
            let list = failures.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: "; ")
            let text = "\(failures.count) notebook(s) failed in their last run: \(list). Their figures, tables and claims after the failure are missing from this page."
            page.markdown = "> **\(text)**\n\n" + page.markdown
            page.html = "<div class=\"failure\">\(htmlEscaped(text))</div>\n" + page.html
        }
        let (htmlURL, markdownURL) = try write(page, title: title(of: pieces))
        return Result(html: htmlURL, markdown: markdownURL, figures: numbering.figures, tables: numbering.tables,
                      claims: ClaimCounts(renderer.claims.map(\.record)), notebooks: notebooks.keys.sorted(),
                      failedNotebooks: failures)
    }

    /// The source's own "# title" (the level-1 heading of the last prose piece that has
    /// one, as before references are resolved), or "Paper".
    func title(of pieces: [PaperPiece]) -> String {
        var title = "Paper"
        for case .prose(let text) in pieces {
            if let heading = text.split(separator: "\n").first(where: { $0.hasPrefix("# ") }) { title = String(heading.dropFirst(2)) }
        }
        return title
    }

    /// Writes `index.html` (section anchors and a table of contents under the title, the
    /// source's claims and runs sections in place of a page's summary and provenance) and
    /// `paper.md`.
    func write(_ page: PaperRenderer.Output, title: String) throws -> (html: URL, markdown: URL) {
        try FileManager.default.createDirectory(at: outputFolder, withIntermediateDirectories: true)
        let htmlURL = outputFolder.appendingPathComponent("index.html")
        let markdownURL = outputFolder.appendingPathComponent("paper.md")
        let (anchored, outline) = Sections.anchorHeadings(page.html)
        var html = anchored
        let contents = Sections.tableOfContents(outline)
        if let titleEnd = html.range(of: "</h1>") {
            html.insert(contentsOf: "\n" + contents, at: titleEnd.upperBound)
        } else {
            html = contents + html
        }
        let document = Renderer.htmlPage(title: title, body: html, provenance: nil, claims: [], heading: false, extraStyle: """
            .source { color: #888; font-style: normal; font-size: .8rem; }
            .claims td:last-child { font-weight: 600; }
            """)
        try document.write(to: htmlURL, atomically: true, encoding: .utf8)
        try page.markdown.write(to: markdownURL, atomically: true, encoding: .utf8)
        return (htmlURL, markdownURL)
    }

    /// The provenance of every rendered notebook under the figures folder.
    func loadNotebooks() throws -> [String: NotebookProvenance] {
        var result: [String: NotebookProvenance] = [:]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: figuresRoot.path)) ?? []
        for name in names.sorted() {
            let file = figuresRoot.appendingPathComponent(name).appendingPathComponent("provenance.json")
            guard let data = try? Data(contentsOf: file) else { continue }
            do {
                result[name] = try JSONDecoder().decode(NotebookProvenance.self, from: data)
            } catch {
                throw Missing(problems: ["\(file.path): unreadable provenance (\(error)); re-run notebooks/\(name).swiftmd"])
            }
        }
        return result
    }
}
