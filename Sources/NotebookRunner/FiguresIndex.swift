import Foundation
import NotebookRuntime
import Plotting

/// `index.html` and `index.md` of a folder of rendered notebooks: every page with its
/// title, profile, run time, claim counts and whether it is current (`PageStatus`).
public enum FiguresIndex {
    public static func table(_ pages: [PageStatus], linkExtension: String) -> Table {
        var table = Table(columns: [.init("notebook", alignRight: false), .init("title", alignRight: false),
                                    .init("profile", alignRight: false), .init("render (s)", format: "%.1f"),
                                    .init("claims held / failed / inconclusive / not checked", alignRight: false),
                                    .init("rendered", alignRight: false), .init("status", alignRight: false)])
        for page in pages {
            let p = page.provenance
            let c = page.claims
            table.append([.text(page.name), .text(p.title), .text(p.profile), .number(p.wallSeconds),
                          .text(c == ClaimCounts([]) ? "–" : "\(c.held) / \(c.failed) / \(c.inconclusive) / \(c.notChecked)"),
                          .text("\(p.machine.gitCommit.prefix(10)), \(p.machine.date.prefix(10))"), .text(page.summary)])
        }
        return table
    }

    /// Writes `index.html` (links to each page) and `index.md` into `folder`.
    public static func write(_ pages: [PageStatus], to folder: URL) throws {
        let stale = pages.filter { !$0.isCurrent }.count
        let summary = stale == 0 ? "All \(pages.count) pages are current: each was rendered from this checkout's notebook, numerical code and inputs."
            : "\(stale) of \(pages.count) pages are stale: their notebook, the numerical code or an input changed after they were rendered. Re-run them (`lip notebook run notebooks/NAME.swiftmd`) to bring them up to date."
        var rows = ""
        for page in pages {
            let p = page.provenance
            let c = page.claims
            let claims = c == ClaimCounts([]) ? "–" : "\(c.held) held, \(c.failed) failed, \(c.inconclusive) inconclusive, \(c.notChecked) not checked"
            let status = page.isCurrent ? "<span class=\"current\">current</span>"
                : "<span class=\"stale-mark\">stale</span> <small>\(htmlEscaped(page.staleReasons.joined(separator: "; ")))</small>"
            rows += "<tr><td><a href=\"\(page.name)/\(page.name).html\">\(htmlEscaped(p.title))</a><br><small><code>\(htmlEscaped(page.name))</code></small></td>"
                + "<td>\(htmlEscaped(p.profile))</td><td style=\"text-align:right\">\(String(format: "%.1f s", p.wallSeconds))</td>"
                + "<td>\(claims)</td><td><small>\(htmlEscaped(String(p.machine.gitCommit.prefix(10))))<br>\(htmlEscaped(String(p.machine.date.prefix(10))))</small></td><td>\(status)</td></tr>\n"
        }
        let body = """
            <p>\(htmlEscaped(summary))</p>
            <table class="index"><thead><tr><th>notebook</th><th>profile</th><th>this render</th><th>claims</th><th>rendered</th><th>status</th></tr></thead>
            <tbody>
            \(rows)</tbody></table>
            <p><small>"This render" is the wall time of the run that wrote the page: seconds when it reused stored results, the whole computation when it did not (notebooks/README.md gives each notebook's cold time). The paper assembled from these pages: <code>paper/build/index.html</code>. A page is stale when its notebook, the numerical code (the sources that decide the numbers) or one of its input files changed after it was rendered; edits to plots, the runner or the renderer do not make it stale.</small></p>
            """
        let page = Renderer.htmlPage(title: "Rendered notebooks", body: body, provenance: nil, claims: [],
                                     extraStyle: "table.index td { vertical-align: top; } table.index td:nth-child(3) { white-space: nowrap; } .current { color: #2e9e55; font-weight: 600; } .stale-mark { color: #b8860b; font-weight: 600; }")
        try page.write(to: folder.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        let markdown = "# Rendered notebooks\n\n\(summary)\n\n" + table(pages, linkExtension: "md").markdown()
        try markdown.write(to: folder.appendingPathComponent("index.md"), atomically: true, encoding: .utf8)
    }
}
