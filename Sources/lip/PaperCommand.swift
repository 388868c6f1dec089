import ArgumentParser
import Foundation
import NotebookRunner
import NotebookRuntime

struct PaperCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paper",
        abstract: "Assemble the reconstructed paper from the rendered notebooks.",
        subcommands: [Build.self])

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build paper/paper.md into a standalone HTML page (and a PDF where Chromium is installed).")

        @Option(help: "The paper's Markdown source with {{figure NOTEBOOK/LABEL}}, {{table ...}}, {{claims}} and {{runs}} directives.")
        var source = "paper/paper.md"

        @Option(help: "Folder of rendered notebooks (what `lip notebook run` wrote).")
        var figures = "figures"

        @Option(help: "Output folder.")
        var output = "paper/build"

        @Flag(inversion: .prefixedNo, help: "Also print the page to index.pdf with headless Chromium when it is installed.")
        var pdf = true

        func run() throws {
            let builder = PaperBuilder(source: source, figures: figures, output: output)
            let result = try builder.build()
            print("\(result.html.path): \(result.figures) figures, \(result.tables) tables from \(result.notebooks.count) notebooks; claims \(result.claims.summary)")
            print("\(result.markdown.path)")
            if pdf {
                if let file = try builder.printPDF(result.html) {
                    print(file.path)
                } else {
                    print("no PDF: install chromium for one (the HTML page is complete without it)")
                }
            }
            if !result.failedNotebooks.isEmpty {
                throw InputProblem("the paper includes \(result.failedNotebooks.count) notebook(s) whose last run failed: "
                                   + result.failedNotebooks.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: "; ")
                                   + "; the page shows each failure. Re-run them with `lip notebook run`")
            }
        }
    }
}
