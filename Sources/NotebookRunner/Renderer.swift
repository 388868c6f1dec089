import CSupport
import Foundation
import Store
import Ink
import NotebookRuntime
import Plotting

/// Everything a rendered notebook records about how it was made.
public struct NotebookProvenance: Codable {
    public var notebook: String
    public var title: String
    public var profile: String
    public var parameters: [String: String]
    public var seeds: [String: String]
    public var inputs: [String: String]
    public var librarySourceHash: String
    public var machine: Provenance
    public var chunkSeconds: [String: Double]
    public var compileSeconds: Double
    public var wallSeconds: Double
    public var cacheHits: Int
    public var cacheMisses: Int
    public var claims: [ClaimRecord]
    public var failure: String?
    /// The figures and tables the run showed, in order, with their files in the notebook's
    /// output folder (what `lip paper build` pulls in by label).
    public var figures: [OutputRecord]?
    public var tables: [OutputRecord]?
    /// SHA-256 of the notebook's source and of the numerical code's sources (`Toolchain.pageNumericsSourceHash`)
    /// at render time: `PageStatus` compares them with the checkout's (absent in pages
    /// rendered before they were recorded; then the page's commit is compared through git).
    public var sourceHash: String?
    public var numericsSourceHash: String?
    /// The `_project.yml` the notebook used (path as the run named it) and its SHA-256:
    /// shared parameters and profile options live there.
    public var projectFile: String?
    public var projectHash: String?
    /// The chunk a partial run stopped after (`--until`); nil for a whole run.
    public var until: String?
}

/// A figure or table of a rendered notebook.
public struct OutputRecord: Codable, Equatable {
    public var label: String
    public var caption: String
    public var number: Int
    /// File names in the notebook's output folder (PNG/SVG/PDF for figures, MD/CSV for tables).
    public var files: [String]
}

/// Renders a run to Markdown, a standalone HTML page and a provenance sidecar under
/// `<outputRoot>/<notebook>/`.
public enum Renderer {
    public struct Output {
        public var markdown: URL
        public var html: URL
        public var provenance: URL
        /// `@fig-...` / `@tbl-...` references that name nothing.
        public var unresolvedReferences: [String]
    }

    public static func render(_ run: NotebookRun) throws -> Output {
        let destination = URL(fileURLWithPath: run.options.outputRoot).appendingPathComponent(run.notebook.name)
        let folder = run.stagingDirectory
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let numbering = Numbering(run)
        var unresolved: [String] = []
        let machine = Machine.provenance()
        let provenance = NotebookProvenance(
            notebook: run.notebook.path, title: run.notebook.title, profile: run.options.profile.rawValue,
            parameters: run.parameterValues, seeds: run.parameterValues.filter { $0.key.lowercased().contains("seed") },
            inputs: run.inputHashes, librarySourceHash: run.libraryHash, machine: machine,
            chunkSeconds: Dictionary(uniqueKeysWithValues: run.notebook.chunks.compactMap { c in run.chunks[c.index].seconds.map { (c.label, $0) } }),
            compileSeconds: run.compileSeconds, wallSeconds: run.wallSeconds, cacheHits: run.cacheHits,
            cacheMisses: run.cacheMisses, claims: run.claims, failure: run.failure?.description,
            figures: run.chunks.flatMap(\.figures).map {
                OutputRecord(label: $0.label, caption: $0.caption, number: numbering.figures[$0.label] ?? 0, files: $0.files)
            },
            tables: run.chunks.flatMap(\.tables).map {
                OutputRecord(label: $0.label, caption: $0.caption, number: numbering.tables[$0.label] ?? 0, files: $0.files)
            },
            sourceHash: run.sourceHash.isEmpty ? nil : run.sourceHash,
            numericsSourceHash: run.numericsSourceHash.isEmpty ? nil : run.numericsSourceHash,
            projectFile: run.notebook.projectFile, projectHash: run.notebook.projectHash,
            until: run.options.until)
        let sections = Sections(run.notebook)

        // Markdown
        var md = "# \(run.notebook.title)\n\n"
        var html = ""
        var jupyter = JupyterNotebook()
        var cellMarkdown = md  // prose waiting for its Markdown cell
        let parser = MarkdownParser()
        for block in run.notebook.blocks {
            switch block {
            case .prose(let prose):
                let text = sections.resolve(numbering.resolve(substituteInlines(prose, run.inlineValues), unresolved: &unresolved),
                                            unresolved: &unresolved).trimmingCharacters(in: .newlines)
                for segment in try Callout.segments(of: text, path: run.notebook.path, firstLine: prose.line) {
                    switch segment {
                    case .markdown(let markdown):
                        let anchored = Sections.markdownAnchors(markdown) + "\n\n"
                        md += anchored
                        cellMarkdown += anchored
                        html += markdownHTML(markdown, parser: parser) + "\n"
                    case .callout(let callout):
                        md += callout.markdown + "\n\n"
                        cellMarkdown += callout.markdown + "\n\n"
                        html += callout.html(body: markdownHTML(callout.body, parser: parser))
                    }
                }
            case .code(let chunk):
                let result = run.chunks[chunk.index]
                jupyter.appendMarkdown(cellMarkdown)
                cellMarkdown = ""
                var outputs: [[String: Any]] = []
                defer {
                    jupyter.appendCode(chunk.code, label: chunk.label, outputs: outputs,
                                       hidden: !chunk.included || !chunk.echo || chunk.codeFold == .folded)
                }
                if chunk.included && chunk.echo {
                    md += "```swift\n\(chunk.code)\n```\n\n"
                    let code = "<pre class=\"code\"><code class=\"language-swift\">\(SwiftHighlighter.html(chunk.code))</code></pre>"
                    switch chunk.codeFold {
                    case .none: html += code + "\n"
                    case .folded: html += "<details class=\"code-fold\"><summary>Code</summary>\(code)</details>\n"
                    case .show: html += "<details class=\"code-fold\" open><summary>Code</summary>\(code)</details>\n"
                    }
                }
                let showsOutput = chunk.included && chunk.showsOutput
                let output = result.output.trimmingCharacters(in: .newlines)
                if showsOutput && !output.isEmpty {
                    md += "```text\n\(output)\n```\n\n"
                    outputs.append(JupyterNotebook.streamOutput(output + "\n"))
                    html += "<pre class=\"output\">\(htmlEscaped(output))</pre>\n"
                }
                for figure in result.figures where showsOutput {
                    let caption = "Figure \(numbering.figures[figure.label] ?? 0): \(figure.caption)"
                    let alt = chunk.figureAlt ?? caption
                    if let png = figure.files.first(where: { $0.hasSuffix(".png") }) {
                        md += "<a id=\"\(figure.label)\"></a>\n![\(alt.replacingOccurrences(of: "]", with: ")"))](\(png))\n\n*\(caption)*\n\n"
                        let bytes = (try? Data(contentsOf: folder.appendingPathComponent(png))) ?? Data()
                        let data = bytes.base64EncodedString()
                        outputs.append(JupyterNotebook.imageOutput(png: bytes, caption: caption, alt: alt))
                        outputs.append(JupyterNotebook.richOutput(html: "<p><em>\(htmlEscaped(caption))</em></p>", markdown: "*\(caption)*"))
                        html += "<figure id=\"\(figure.label)\"><img src=\"data:image/png;base64,\(data)\" alt=\"\(htmlEscaped(alt))\"><figcaption>\(htmlEscaped(caption))</figcaption></figure>\n"
                    }
                }
                for table in result.tables where showsOutput {
                    let caption = "Table \(numbering.tables[table.label] ?? 0): \(table.caption)"
                    md += "<a id=\"\(table.label)\"></a>\n*\(caption)*\n\n\(table.markdown)\n"
                    outputs.append(JupyterNotebook.richOutput(html: "<p><em>\(htmlEscaped(caption))</em></p>\(table.html)",
                                                              markdown: "*\(caption)*\n\n\(table.markdown)"))
                    html += "<div class=\"table\" id=\"\(table.label)\"><div class=\"caption\">\(htmlEscaped(caption))</div>\(table.html)</div>\n"
                }
                if !result.claims.isEmpty {
                    // One line and one list item per claim, for the page, the Markdown and the Jupyter cell.
                    let lines = result.claims.map { "- **\($0.outcome.word.uppercased())**: \($0.statement) — \($0.comparison)" }
                    let items = result.claims.map {
                        (css: $0.outcome.cssClass, body: "<b>\($0.outcome.word)</b> \(htmlEscaped($0.statement)) <span>\(htmlEscaped($0.comparison))</span>")
                    }
                    md += lines.joined(separator: "\n") + "\n\n"
                    outputs.append(JupyterNotebook.richOutput(html: "<ul>" + items.map { "<li>\($0.body)</li>" }.joined() + "</ul>",
                                                              markdown: lines.joined(separator: "\n")))
                    html += "<ul class=\"claims\">" + items.map { "<li class=\"\($0.css)\">\($0.body)</li>" }.joined() + "</ul>\n"
                }
                if let failure = run.failure, failure.chunkLabel == chunk.label {
                    md += "> **This chunk failed** (\(failure.status)):\n>\n> ```\n" + failure.message.split(separator: "\n").map { "> \($0)" }.joined(separator: "\n") + "\n> ```\n\n"
                    outputs.append(["output_type": "stream", "name": "stderr", "text": JupyterNotebook.lines("This chunk failed (\(failure.status)):\n\(failure.message)\n")])
                    html += "<div class=\"failure\"><b>This chunk failed</b> (\(htmlEscaped(failure.status)))<pre>\(htmlEscaped(failure.message))</pre></div>\n"
                }
            }
        }
        if let until = run.options.until {
            let text = "This page is partial: the run stopped after the chunk `\(until)` (`--until`). Run the notebook without `--until` for the whole page."
            let callout = Callout(kind: "warning", title: "Partial run", body: text)
            md += callout.markdown + "\n\n"
            cellMarkdown += callout.markdown + "\n\n"
            html += callout.html(body: markdownHTML(text, parser: parser))
        }
        let (anchored, outline) = Sections.anchorHeadings(html)
        html = Sections.tableOfContents(outline) + anchored
        let claims = run.claims
        let provenanceTable = provenanceRows(provenance)
        md += "---\n\n## Provenance\n\n" + provenanceTable.markdown() + "\n"
        if !claims.isEmpty {
            md += "Claims: \(ClaimCounts(claims).summary).\n"
        }
        let page = htmlPage(title: run.notebook.title, body: html, provenance: provenanceTable.html(), claims: claims)
        jupyter.appendMarkdown(cellMarkdown + "---\n\n## Provenance\n\n" + provenanceTable.markdown()
                               + (claims.isEmpty ? "" : "\nClaims: \(ClaimCounts(claims).summary).\n"))
        let notebookURL = folder.appendingPathComponent("\(run.notebook.name).ipynb")
        try jupyter.data(title: run.notebook.title, metadata: [
            "source": run.notebook.path, "profile": run.options.profile.rawValue, "commit": machine.gitCommit,
            "rendered": machine.date, "note": "Outputs come from `lip notebook run`; the cells are Swift for the lip runner, not a Jupyter kernel.",
        ]).write(to: notebookURL, options: .atomic)

        let markdownURL = folder.appendingPathComponent("\(run.notebook.name).md")
        let htmlURL = folder.appendingPathComponent("\(run.notebook.name).html")
        let provenanceURL = folder.appendingPathComponent("provenance.json")
        try md.write(to: markdownURL, atomically: true, encoding: .utf8)
        try page.write(to: htmlURL, atomically: true, encoding: .utf8)
        // Not ResultJSON: its nulls for non-finite numbers would make the page unreadable
        // later; a non-finite number in a page's record fails the render here instead.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(provenance).write(to: provenanceURL, options: .atomic)
        try publish(folder, to: destination)
        return Output(markdown: destination.appendingPathComponent(markdownURL.lastPathComponent),
                      html: destination.appendingPathComponent(htmlURL.lastPathComponent),
                      provenance: destination.appendingPathComponent(provenanceURL.lastPathComponent),
                      unresolvedReferences: unresolved)
    }

    /// Replaces `destination` with the finished `staging` folder in one step (an atomic
    /// exchange of the two, or a rename where there was none): the previous run's files go
    /// with it, so a failed run's page never sits beside an older run's figures, and a
    /// reader or a concurrent run always finds a whole folder.
    static func publish(_ staging: URL, to destination: URL) throws {
        if rename(staging.path, destination.path) == 0 { return }  // no previous folder
        guard errno == EEXIST || errno == ENOTEMPTY else {
            throw NotebookError(path: destination.path, message: "cannot move the rendered notebook into place: \(String(cString: strerror(errno)))")
        }
        guard lip_exchange_paths(staging.path, destination.path) == 0 else {
            throw NotebookError(path: destination.path, message: "cannot replace the previous rendering: \(String(cString: strerror(errno)))")
        }
        try? FileManager.default.removeItem(at: staging)  // now the previous rendering
    }

    /// Markdown to HTML through Ink, with inline math shielded from it.
    static func markdownHTML(_ markdown: String, parser: MarkdownParser) -> String {
        let (shielded, math) = InlineMath.shield(markdown)
        return InlineMath.restore(parser.html(from: shielded), math)
    }

    static func substituteInlines(_ prose: Prose, _ values: [Int: String]) -> String {
        var text = prose.text
        for inline in prose.inlines {
            if let range = text.range(of: inline.source) {
                text.replaceSubrange(range, with: values[inline.id] ?? "(not computed)")
            }
        }
        return text
    }

    static func provenanceRows(_ p: NotebookProvenance) -> Table {
        var table = Table(columns: [.init("item", alignRight: false), .init("value", alignRight: false)])
        table.append(["git commit", .text(p.machine.gitCommit + (p.machine.gitDirty ? " (uncommitted changes)" : ""))])
        table.append(["toolchain", .text(p.machine.toolchain)])
        table.append(["BLAS core, threads", .text("\(p.machine.blasCore), \(p.machine.threads)")])
        table.append(["profile", .text(p.profile)])
        table.append(["parameters", .text(p.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))])
        table.append(["inputs", .text(p.inputs.sorted { $0.key < $1.key }.map { "\($0.key) (sha256 \($0.value.prefix(12)))" }.joined(separator: ", "))])
        table.append(["library sources", .text("sha256 \(p.librarySourceHash.prefix(16))")])
        table.append(["chunk times", .text(p.chunkSeconds.sorted { $0.key < $1.key }.map { String(format: "%@ %.2fs", $0.key, $0.value) }.joined(separator: ", "))])
        table.append(["cache", .text("\(p.cacheHits) hits, \(p.cacheMisses) misses")])
        table.append(["wall time", .text(String(format: "%.1f s (compile %.2f s)", p.wallSeconds, p.compileSeconds))])
        table.append(["date, host", .text("\(p.machine.date), \(p.machine.host)")])
        return table
    }

    /// A standalone page. `heading` puts the title in an `<h1>` (the paper brings its own);
    /// `provenance` (a table) closes the page when given; `extraStyle` adds CSS rules.
    static func htmlPage(title: String, body: String, provenance: String?, claims: [ClaimRecord], heading: Bool = true,
                         extraStyle: String = "") -> String {
        let summary = claims.isEmpty ? "" : "<p class=\"claimsummary\">Claims: \(ClaimCounts(claims).summary).</p>"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(htmlEscaped(title))</title>
            <style>
            body { font: 16px/1.55 -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; }
            h1 { font-size: 1.9rem; border-bottom: 1px solid #ddd; padding-bottom: .3rem; }
            pre { padding: .7rem .9rem; border-radius: 6px; overflow-x: auto; font: 13px/1.45 "DejaVu Sans Mono", monospace; }
            pre.code { background: #f6f8fa; border: 1px solid #e1e4e8; }
            pre.output { background: #fffdf2; border-left: 3px solid #e0c060; }
            figure { margin: 1.2rem 0; text-align: center; }
            figure img { max-width: 100%; border: 1px solid #eee; }
            figcaption, .caption { font-size: .92rem; color: #444; margin: .4rem 0; font-style: italic; }
            table { border-collapse: collapse; margin: .6rem auto; font-size: .92rem; }
            th, td { border-bottom: 1px solid #ddd; padding: .25rem .7rem; }
            th { border-bottom: 2px solid #999; }
            ul.claims { list-style: none; padding-left: 0; }
            ul.claims li { padding: .35rem .6rem; margin: .3rem 0; border-radius: 5px; }
            ul.claims li.held { background: #eaf7ee; border-left: 4px solid #2e9e55; }
            ul.claims li.failed { background: #fdecec; border-left: 4px solid #c0392b; }
            ul.claims li.inconclusive { background: #fdf6e3; border-left: 4px solid #d4a017; }
            ul.claims li.notchecked { background: #f2f2f2; border-left: 4px solid #999; }
            ul.claims li span { color: #555; font-size: .9rem; margin-left: .4rem; }
            .math { font-family: "DejaVu Serif", Georgia, serif; font-style: italic; white-space: nowrap; }
            .failure { background: #fdecec; border: 1px solid #c0392b; padding: .6rem; border-radius: 6px; }
            .provenance { margin-top: 2.5rem; font-size: .85rem; color: #444; }
            nav.toc { border: 1px solid #e1e4e8; border-radius: 6px; padding: .5rem 1rem; margin: 1rem 0 1.5rem; font-size: .92rem; background: #fafbfc; }
            nav.toc .toc-title { font-weight: 600; margin-bottom: .2rem; }
            nav.toc ul { list-style: none; padding-left: 0; margin: 0; }
            nav.toc li.toc-3 { padding-left: 1.2rem; }
            nav.toc li.toc-4 { padding-left: 2.4rem; }
            @media (min-width: 84rem) { nav.toc { position: fixed; top: 2rem; left: calc(50% + 27rem); width: 14rem; max-height: 85vh; overflow-y: auto; } }
            h2, h3, h4 { scroll-margin-top: 1rem; }
            a.anchor { margin-left: .4rem; color: #bbb; text-decoration: none; font-weight: 400; visibility: hidden; }
            h2:hover a.anchor, h3:hover a.anchor, h4:hover a.anchor { visibility: visible; }
            details.code-fold { margin: .6rem 0; }
            details.code-fold > summary { cursor: pointer; color: #555; font-size: .9rem; }
            .hl-keyword { color: #a626a4; font-weight: 600; }
            .hl-type { color: #0b61a4; }
            .hl-string { color: #50a14f; }
            .hl-number { color: #b76b01; }
            .hl-comment { color: #8a8f98; font-style: italic; }
            .hl-attribute { color: #c18401; }
            .callout { border-left: 4px solid #0072B2; background: #f3f8fc; padding: .5rem .9rem; margin: 1rem 0; border-radius: 5px; }
            .callout > p:first-of-type { margin-top: .3rem; }
            .callout .callout-title { font-weight: 600; }
            .callout-warning { border-color: #d4a017; background: #fdf8e8; }
            .callout-caution, .callout-important { border-color: #c0392b; background: #fdf0ee; }
            .callout-tip { border-color: #2e9e55; background: #eef8f1; }
            .provenance table { margin: 0; }
            \(extraStyle)
            </style></head>
            <body>
            \(heading ? "<h1>\(htmlEscaped(title))</h1>" : "")
            \(summary)
            \(body)
            \(provenance.map { "<section class=\"provenance\"><h2>Provenance</h2>\($0)</section>" } ?? "")
            </body></html>
            """
    }
}

/// Figure and table numbers in order of appearance, and `@label` cross-references.
struct Numbering {
    var figures: [String: Int] = [:]
    var tables: [String: Int] = [:]

    init(_ run: NotebookRun) {
        for chunk in run.chunks {
            for f in chunk.figures where figures[f.label] == nil { figures[f.label] = figures.count + 1 }
            for t in chunk.tables where tables[t.label] == nil { tables[t.label] = tables.count + 1 }
        }
    }

    /// Replaces `@label` with "Figure N" / "Table N" links; records labels that resolve to nothing.
    func resolve(_ text: String, unresolved: inout [String]) -> String {
        replacingReferences(in: text, nameCharacters: "-_", isReference: { $0.hasPrefix("fig-") || $0.hasPrefix("tbl-") },
                            link: { label in
                                if let n = figures[label] { return "[Figure \(n)](#\(label))" }
                                return tables[label].map { "[Table \($0)](#\(label))" }
                            }, unresolved: &unresolved)
    }
}

/// Replaces every `@name` that `isReference` accepts with `link(name)`; a name it accepts
/// but cannot link is recorded in `unresolved` and marked "**@name?**". A name runs over
/// letters, digits and `nameCharacters`, less those characters at its ends (so "@fig-a."
/// or "see @fig-a-" end where the prose goes on). Other `@` stay as they are.
func replacingReferences(in text: String, nameCharacters: String, isReference: (String) -> Bool,
                         link: (String) -> String?, unresolved: inout [String]) -> String {
    var result = ""
    var rest = Substring(text)
    while let at = rest.firstIndex(of: "@") {
        result += rest[..<at]
        let after = rest[rest.index(after: at)...]
        let name = after.prefix { $0.isLetter || $0.isNumber || nameCharacters.contains($0) }
        let trimmed = String(name).trimmingCharacters(in: CharacterSet(charactersIn: nameCharacters))
        if isReference(trimmed) {
            if let linked = link(trimmed) {
                result += linked
            } else {
                unresolved.append(trimmed)
                result += "**@\(trimmed)?**"
            }
            rest = after[after.index(after.startIndex, offsetBy: trimmed.count)...]
        } else {
            result += "@"
            rest = after
        }
    }
    return result + rest
}
