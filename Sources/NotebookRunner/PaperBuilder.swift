import Foundation
import Ink
import NotebookRuntime
import Plotting

/// Builds the reconstructed paper: a Markdown source whose directives pull figures,
/// tables and claim checks out of the rendered notebooks (`figures/<notebook>/`), into one
/// standalone HTML page (images inlined) and a Markdown copy.
///
/// Directives, each alone on a line:
/// - `{{figure NOTEBOOK/LABEL}}`: the figure, numbered in the paper, with its caption;
/// - `{{table NOTEBOOK/LABEL}}`: the table;
/// - `{{claims}}`: every claim check of every notebook (`ClaimsTable`), Holm-corrected;
/// - `{{runs}}`: which run of each notebook the page shows (profile, commit, time).
/// In the prose, `@NOTEBOOK/LABEL` becomes a link "Figure N" / "Table N".
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

    enum Piece {
        case prose(String)
        case figure(notebook: String, label: String)
        case table(notebook: String, label: String)
        case claims
        case runs
    }

    public func build() throws -> Result {
        guard let text = try? String(contentsOf: source, encoding: .utf8) else {
            throw Missing(problems: ["\(source.path): cannot read the paper's source"])
        }
        let pieces = parse(text)
        let notebooks = try loadNotebooks()
        var problems: [String] = []

        // A failed notebook's page exists but its later figures do not: the paper shows the
        // failure in their place (and the build exits non-zero) instead of refusing to build.
        let failures = notebooks.compactMapValues { $0.failure.map { $0.split(separator: "\n").first.map(String.init) ?? $0 } }
        func failedPlaceholder(_ kind: String, _ notebook: String, _ label: String) -> (markdown: String, html: String)? {
            guard let reason = failures[notebook] else { return nil }
            let text = "\(kind) \(notebook)/\(label) is missing: the notebook failed in its last run (\(reason)). Re-run notebooks/\(notebook).swiftmd."
            return ("> **\(text)**\n\n", "<div class=\"failure\">\(htmlEscaped(text))</div>\n")
        }

        // Number figures and tables in order of appearance.
        var numbers: [String: (kind: String, number: Int)] = [:]
        var figureCount = 0, tableCount = 0
        for piece in pieces {
            switch piece {
            case .figure(let notebook, let label):
                guard notebooks[notebook]?.figures?.contains(where: { $0.label == label }) == true else {
                    if failures[notebook] == nil { problems.append(missing("figure", notebook, label, notebooks)) }
                    continue
                }
                figureCount += 1
                numbers["\(notebook)/\(label)"] = ("Figure", figureCount)
            case .table(let notebook, let label):
                guard notebooks[notebook]?.tables?.contains(where: { $0.label == label }) == true else {
                    if failures[notebook] == nil { problems.append(missing("table", notebook, label, notebooks)) }
                    continue
                }
                tableCount += 1
                numbers["\(notebook)/\(label)"] = ("Table", tableCount)
            default: break
            }
        }
        guard problems.isEmpty else { throw Missing(problems: problems) }

        let parser = MarkdownParser()
        var html = ""
        var markdown = ""
        var title = "Paper"
        let staleness = (try? Toolchain.locate()).map(StalenessChecker.init)
        let claims = notebooks.keys.sorted().flatMap { name in (notebooks[name]!.claims).map { (name, $0) } }
        for piece in pieces {
            switch piece {
            case .prose(let raw):
                var unresolved: [String] = []
                let prose = resolveReferences(raw, numbers: numbers, unresolved: &unresolved)
                problems += unresolved.map { "\(source.lastPathComponent): @\($0) names no figure or table of the paper" }
                if let heading = prose.split(separator: "\n").first(where: { $0.hasPrefix("# ") }) {
                    title = String(heading.dropFirst(2))
                }
                markdown += prose + "\n"
                let (shielded, math) = InlineMath.shield(prose)
                html += InlineMath.restore(parser.html(from: shielded), math) + "\n"
            case .figure(let notebook, let label):
                guard let record = notebooks[notebook]?.figures?.first(where: { $0.label == label }) else {
                    if let placeholder = failedPlaceholder("Figure", notebook, label) {
                        markdown += placeholder.markdown
                        html += placeholder.html
                    }
                    continue
                }
                let caption = "Figure \(numbers["\(notebook)/\(label)"]!.number): \(record.caption)"
                guard let png = record.files.first(where: { $0.hasSuffix(".png") }),
                      let data = try? Data(contentsOf: folder(notebook).appendingPathComponent(png)) else {
                    problems.append("\(folder(notebook).path): the PNG of \(label) is missing; re-run notebooks/\(notebook).swiftmd")
                    continue
                }
                let anchor = anchorName(notebook, label)
                let relative = relativePath(to: folder(notebook).appendingPathComponent(png))
                markdown += "<a id=\"\(anchor)\"></a>\n![\(caption)](\(relative))\n\n*\(caption)* (notebook `\(notebook)`)\n\n"
                html += "<figure id=\"\(anchor)\"><img src=\"data:image/png;base64,\(data.base64EncodedString())\" alt=\"\(htmlEscaped(caption))\"><figcaption>\(htmlEscaped(caption)) <span class=\"source\">[\(htmlEscaped(notebook))]</span></figcaption></figure>\n"
            case .table(let notebook, let label):
                guard let record = notebooks[notebook]?.tables?.first(where: { $0.label == label }) else {
                    if let placeholder = failedPlaceholder("Table", notebook, label) {
                        markdown += placeholder.markdown
                        html += placeholder.html
                    }
                    continue
                }
                let caption = "Table \(numbers["\(notebook)/\(label)"]!.number): \(record.caption)"
                guard let file = record.files.first(where: { $0.hasSuffix(".md") }),
                      let body = try? String(contentsOf: folder(notebook).appendingPathComponent(file), encoding: .utf8) else {
                    problems.append("\(folder(notebook).path): the table \(label) is missing; re-run notebooks/\(notebook).swiftmd")
                    continue
                }
                let anchor = anchorName(notebook, label)
                markdown += "<a id=\"\(anchor)\"></a>\n*\(caption)* (notebook `\(notebook)`)\n\n\(body)\n"
                html += "<div class=\"table\" id=\"\(anchor)\"><div class=\"caption\">\(htmlEscaped(caption)) <span class=\"source\">[\(htmlEscaped(notebook))]</span></div>\(parser.html(from: body))</div>\n"
            case .claims:
                let claimsTable = ClaimsTable(claims: claims.map { (notebook: $0.0, record: $0.1) })
                let table = claimsTable.table(failures: failures)
                let summary = claimsTable.summary
                markdown += table.markdown() + "\n" + summary + "\n\n"
                html += "<div class=\"claims\">" + table.html() + "<p>\(htmlEscaped(summary))</p></div>\n"
            case .runs:
                var table = Table(columns: [.init("notebook", alignRight: false), .init("profile", alignRight: false),
                                            .init("commit", alignRight: false), .init("this render (s)", format: "%.0f"),
                                            .init("claims held / failed / inconclusive / not checked", alignRight: false), .init("date", alignRight: false),
                                            .init("status", alignRight: false)])
                for name in notebooks.keys.sorted() {
                    let p = notebooks[name]!
                    table.append([.text(name), .text(p.profile), .text(String(p.machine.gitCommit.prefix(10)) + (p.machine.gitDirty ? "+" : "")),
                                  .number(p.wallSeconds), .text({ let c = ClaimCounts(p.claims); return "\(c.held) / \(c.failed) / \(c.inconclusive) / \(c.notChecked)" }()),
                                  .text(String(p.machine.date.prefix(16)).replacingOccurrences(of: "T", with: " ")),
                                  .text(failures[name].map { "FAILED: \($0)" } ?? staleness.map { $0.status(of: p, name: name).summary } ?? "ok")])
                }
                let total = notebooks.values.reduce(0) { $0 + $1.wallSeconds }
                let note = String(format: "Rendering these pages took %.0f s (%.1f min) on %@, %d threads; a render that reuses cached results takes seconds, a cold one the full computation.", total, total / 60,
                                  notebooks.values.first?.machine.blasCore ?? "?", notebooks.values.first?.machine.threads ?? 0)
                markdown += table.markdown() + "\n" + note + "\n\n"
                html += table.html() + "<p>\(htmlEscaped(note))</p>\n"
            }
        }
        guard problems.isEmpty else { throw Missing(problems: problems) }
        if !failures.isEmpty {
            let list = failures.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: "; ")
            let text = "\(failures.count) notebook(s) failed in their last run: \(list). Their figures, tables and claims after the failure are missing from this page."
            markdown = "> **\(text)**\n\n" + markdown
            html = "<div class=\"failure\">\(htmlEscaped(text))</div>\n" + html
        }

        try FileManager.default.createDirectory(at: outputFolder, withIntermediateDirectories: true)
        let htmlURL = outputFolder.appendingPathComponent("index.html")
        let markdownURL = outputFolder.appendingPathComponent("paper.md")
        // Section anchors and a table of contents, placed under the paper's own title.
        let (anchored, outline) = Sections.anchorHeadings(html)
        html = anchored
        let contents = Sections.tableOfContents(outline)
        if let titleEnd = html.range(of: "</h1>") {
            html.insert(contentsOf: "\n" + contents, at: titleEnd.upperBound)
        } else {
            html = contents + html
        }
        // The source's own "# title" is the heading; its claims and runs sections replace
        // a notebook page's summary and provenance.
        let page = Renderer.htmlPage(title: title, body: html, provenance: nil, claims: [], heading: false, extraStyle: """
            .source { color: #888; font-style: normal; font-size: .8rem; }
            .claims td:last-child { font-weight: 600; }
            """)
        try page.write(to: htmlURL, atomically: true, encoding: .utf8)
        try markdown.write(to: markdownURL, atomically: true, encoding: .utf8)
        return Result(html: htmlURL, markdown: markdownURL, figures: figureCount, tables: tableCount, claims: ClaimCounts(claims.map(\.1)), notebooks: notebooks.keys.sorted(), failedNotebooks: failures)
    }

    /// Writes `index.pdf` beside the page with headless Chromium, when one is installed.
    /// Returns nil when no converter is available.
    public func printPDF(_ html: URL) throws -> URL? {
        let candidates = ["chromium", "chromium-browser", "google-chrome"]
        guard let browser = candidates.lazy.compactMap(Self.which).first else { return nil }
        let pdf = html.deletingPathExtension().appendingPathExtension("pdf")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                             "--print-to-pdf=\(pdf.path)", html.absoluteURL.absoluteString]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let size = (try? FileManager.default.attributesOfItem(atPath: pdf.path)[.size] as? Int) ?? 0
        guard process.terminationStatus == 0, size > 0 else {
            throw Missing(problems: ["\(browser) could not print \(html.path) to PDF (exit \(process.terminationStatus))"])
        }
        return pdf
    }

    static func which(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    // MARK: Parts

    func parse(_ text: String) -> [Piece] {
        var pieces: [Piece] = []
        var prose: [Substring] = []
        func flush() {
            if !prose.isEmpty { pieces.append(.prose(prose.joined(separator: "\n"))) }
            prose = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("{{") && trimmed.hasSuffix("}}") else {
                prose.append(line)
                continue
            }
            let words = trimmed.dropFirst(2).dropLast(2).split(separator: " ").map(String.init)
            flush()
            switch (words.first, words.count) {
            case ("claims", 1): pieces.append(.claims)
            case ("runs", 1): pieces.append(.runs)
            case ("figure", 2), ("table", 2):
                let parts = words[1].split(separator: "/", maxSplits: 1).map(String.init)
                if parts.count == 2 {
                    pieces.append(words[0] == "figure" ? .figure(notebook: parts[0], label: parts[1])
                                                       : .table(notebook: parts[0], label: parts[1]))
                } else {
                    prose.append(line)
                }
            default:
                prose.append(line)
            }
        }
        flush()
        return pieces
    }

    func folder(_ notebook: String) -> URL { figuresRoot.appendingPathComponent(notebook) }

    /// The provenance of every rendered notebook under the figures folder.
    func loadNotebooks() throws -> [String: NotebookProvenance] {
        var result: [String: NotebookProvenance] = [:]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: figuresRoot.path)) ?? []
        for name in names.sorted() {
            let file = folder(name).appendingPathComponent("provenance.json")
            guard let data = try? Data(contentsOf: file) else { continue }
            do {
                result[name] = try JSONDecoder().decode(NotebookProvenance.self, from: data)
            } catch {
                throw Missing(problems: ["\(file.path): unreadable provenance (\(error)); re-run notebooks/\(name).swiftmd"])
            }
        }
        return result
    }

    func missing(_ kind: String, _ notebook: String, _ label: String, _ notebooks: [String: NotebookProvenance]) -> String {
        guard let found = notebooks[notebook] else {
            return "\(kind) \(notebook)/\(label): no rendered notebook '\(notebook)' under \(figuresRoot.path); run `lip notebook run notebooks/\(notebook).swiftmd`"
        }
        let labels = ((kind == "figure" ? found.figures : found.tables) ?? []).map(\.label)
        return "\(kind) \(notebook)/\(label): the notebook has no such \(kind) (it has \(labels.isEmpty ? "none" : labels.joined(separator: ", ")))"
    }

    func anchorName(_ notebook: String, _ label: String) -> String { "\(notebook)--\(label)" }

    func resolveReferences(_ text: String, numbers: [String: (kind: String, number: Int)], unresolved: inout [String]) -> String {
        replacingReferences(in: text, nameCharacters: "-_/", isReference: { $0.contains("/") }, link: { name in
            guard let target = numbers[name] else { return nil }
            let parts = name.split(separator: "/", maxSplits: 1)
            return "[\(target.kind) \(target.number)](#\(anchorName(String(parts[0]), String(parts[1]))))"
        }, unresolved: &unresolved)
    }

    func relativePath(to file: URL) -> String {
        let from = outputFolder.standardizedFileURL.pathComponents
        let to = file.standardizedFileURL.pathComponents
        var common = 0
        while common < min(from.count, to.count) && from[common] == to[common] { common += 1 }
        return (Array(repeating: "..", count: from.count - common) + to[common...]).joined(separator: "/")
    }
}
