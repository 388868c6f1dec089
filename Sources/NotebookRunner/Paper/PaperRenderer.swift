import Foundation
import Store
import Ink
import NotebookRuntime
import Plotting

/// Renders each piece of the paper to Markdown and to HTML (images inlined), from the
/// rendered notebooks' provenance and files under the figures folder.
struct PaperRenderer {
    /// Markdown and HTML of some pieces, in order.
    struct Output {
        var markdown = ""
        var html = ""

        static func += (lhs: inout Output, rhs: Output) {
            lhs.markdown += rhs.markdown
            lhs.html += rhs.html
        }
    }

    let sourceName: String
    let figuresRoot: URL
    let outputFolder: URL
    let notebooks: [String: NotebookProvenance]
    let numbering: PaperNumbering
    /// Notebooks whose last run failed, with the first line of the reason.
    let failures: [String: String]
    private let parser = MarkdownParser()
    private let staleness = (try? Toolchain.locate()).map(StalenessChecker.init)

    init(sourceName: String, figuresRoot: URL, outputFolder: URL, notebooks: [String: NotebookProvenance],
         numbering: PaperNumbering, failures: [String: String]) {
        self.sourceName = sourceName
        self.figuresRoot = figuresRoot
        self.outputFolder = outputFolder
        self.notebooks = notebooks
        self.numbering = numbering
        self.failures = failures
    }

    /// Every claim of every notebook, notebooks in name order.
    var claims: [(notebook: String, record: ClaimRecord)] {
        notebooks.keys.sorted().flatMap { name in notebooks[name]!.claims.map { (notebook: name, record: $0) } }
    }

    /// Renders `piece`; what cannot be found is added to `problems`.
    func render(_ piece: PaperPiece, problems: inout [String]) -> Output {
        switch piece {
        case .prose(let raw): prose(raw, problems: &problems)
        case .figure(let notebook, let label): figure(notebook, label, problems: &problems)
        case .table(let notebook, let label): table(notebook, label, problems: &problems)
        case .claims: claimsTable()
        case .runs: runsTable()
        }
    }

    /// Prose with `@NOTEBOOK/LABEL` turned into links "Figure N" / "Table N".
    func prose(_ raw: String, problems: inout [String]) -> Output {
        var unresolved: [String] = []
        let prose = resolveReferences(raw, unresolved: &unresolved)
        problems += unresolved.map { "\(sourceName): @\($0) names no figure or table of the paper" }
        let (shielded, math) = InlineMath.shield(prose)
        return Output(markdown: prose + "\n", html: InlineMath.restore(parser.html(from: shielded), math) + "\n")
    }

    func figure(_ notebook: String, _ label: String, problems: inout [String]) -> Output {
        guard let record = notebooks[notebook]?.figures?.first(where: { $0.label == label }) else {
            return failurePlaceholder("Figure", notebook, label) ?? Output()
        }
        let caption = "Figure \(numbering["\(notebook)/\(label)"]!.number): \(record.caption)"
        guard let png = record.files.first(where: { $0.hasSuffix(".png") }),
              let data = try? Data(contentsOf: folder(notebook).appendingPathComponent(png)) else {
            problems.append("\(folder(notebook).path): the PNG of \(label) is missing; re-run notebooks/\(notebook).swiftmd")
            return Output()
        }
        let anchor = anchorName(notebook, label)
        let relative = relativePath(to: folder(notebook).appendingPathComponent(png))
        return Output(
            markdown: "<a id=\"\(anchor)\"></a>\n![\(caption)](\(relative))\n\n*\(caption)* (notebook `\(notebook)`)\n\n",
            html: "<figure id=\"\(anchor)\"><img src=\"data:image/png;base64,\(data.base64EncodedString())\" alt=\"\(htmlEscaped(caption))\"><figcaption>\(htmlEscaped(caption)) <span class=\"source\">[\(htmlEscaped(notebook))]</span></figcaption></figure>\n")
    }

    func table(_ notebook: String, _ label: String, problems: inout [String]) -> Output {
        guard let record = notebooks[notebook]?.tables?.first(where: { $0.label == label }) else {
            return failurePlaceholder("Table", notebook, label) ?? Output()
        }
        let caption = "Table \(numbering["\(notebook)/\(label)"]!.number): \(record.caption)"
        guard let file = record.files.first(where: { $0.hasSuffix(".md") }),
              let body = try? String(contentsOf: folder(notebook).appendingPathComponent(file), encoding: .utf8) else {
            problems.append("\(folder(notebook).path): the table \(label) is missing; re-run notebooks/\(notebook).swiftmd")
            return Output()
        }
        let anchor = anchorName(notebook, label)
        return Output(
            markdown: "<a id=\"\(anchor)\"></a>\n*\(caption)* (notebook `\(notebook)`)\n\n\(body)\n",
            html: "<div class=\"table\" id=\"\(anchor)\"><div class=\"caption\">\(htmlEscaped(caption)) <span class=\"source\">[\(htmlEscaped(notebook))]</span></div>\(parser.html(from: body))</div>\n")
    }

    func claimsTable() -> Output {
        let claimsTable = ClaimsTable(claims: claims)
        let table = claimsTable.table(failures: failures)
        let summary = claimsTable.summary
        return Output(markdown: table.markdown() + "\n" + summary + "\n\n",
                      html: "<div class=\"claims\">" + table.html() + "<p>\(htmlEscaped(summary))</p></div>\n")
    }

    /// Which run of each notebook the page shows, and whether it is still current.
    func runsTable() -> Output {
        var table = Table(columns: [.init("notebook", alignRight: false), .init("profile", alignRight: false),
                                    .init("commit", alignRight: false), .init("this render (s)", format: "%.0f"),
                                    .init("claims held / failed / inconclusive / not checked", alignRight: false),
                                    .init("date", alignRight: false), .init("status", alignRight: false)])
        for name in notebooks.keys.sorted() {
            let p = notebooks[name]!
            let counts = ClaimCounts(p.claims)
            table.append([.text(name), .text(p.profile), .text(String(p.machine.gitCommit.prefix(10)) + (p.machine.gitDirty ? "+" : "")),
                          .number(p.wallSeconds),
                          .text("\(counts.held) / \(counts.failed) / \(counts.inconclusive) / \(counts.notChecked)"),
                          .text(String(p.machine.date.prefix(16)).replacingOccurrences(of: "T", with: " ")),
                          .text(failures[name].map { "FAILED: \($0)" } ?? staleness.map { $0.status(of: p, name: name).summary } ?? "ok")])
        }
        let total = notebooks.values.reduce(0) { $0 + $1.wallSeconds }
        let note = String(format: "Rendering these pages took %.0f s (%.1f min) on %@, %d threads; a render that reuses cached results takes seconds, a cold one the full computation.",
                          total, total / 60, notebooks.values.first?.machine.blasCore ?? "?", notebooks.values.first?.machine.threads ?? 0)
        return Output(markdown: table.markdown() + "\n" + note + "\n\n", html: table.html() + "<p>\(htmlEscaped(note))</p>\n")
    }

    /// A failed notebook's page exists but its later figures do not: the paper shows the
    /// failure in their place instead of refusing to build.
    func failurePlaceholder(_ kind: String, _ notebook: String, _ label: String) -> Output? {
        guard let reason = failures[notebook] else { return nil }
        let text = "\(kind) \(notebook)/\(label) is missing: the notebook failed in its last run (\(reason)). Re-run notebooks/\(notebook).swiftmd."
        return Output(markdown: "> **\(text)**\n\n", html: "<div class=\"failure\">\(htmlEscaped(text))</div>\n")
    }

    func folder(_ notebook: String) -> URL { figuresRoot.appendingPathComponent(notebook) }

    func anchorName(_ notebook: String, _ label: String) -> String { "\(notebook)--\(label)" }

    func resolveReferences(_ text: String, unresolved: inout [String]) -> String {
        replacingReferences(in: text, nameCharacters: "-_/", isReference: { $0.contains("/") }, link: { name in
            guard let target = numbering[name] else { return nil }
            let parts = name.split(separator: "/", maxSplits: 1)
            return "[\(target.kind) \(target.number)](#\(anchorName(String(parts[0]), String(parts[1]))))"
        }, unresolved: &unresolved)
    }

    /// The path of `file` relative to the output folder (the Markdown copy links images).
    func relativePath(to file: URL) -> String {
        let from = outputFolder.standardizedFileURL.pathComponents
        let to = file.standardizedFileURL.pathComponents
        var common = 0
        while common < min(from.count, to.count) && from[common] == to[common] { common += 1 }
        return (Array(repeating: "..", count: from.count - common) + to[common...]).joined(separator: "/")
    }
}
