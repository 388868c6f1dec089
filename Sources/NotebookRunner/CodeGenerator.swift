import Foundation

/// Turns a notebook into one Swift program: the parameters as a typed struct, then the
/// chunks in order as top-level code (so later chunks see earlier declarations), each
/// framed by session calls and `#sourceLocation` directives that make compiler errors
/// and runtime traps point at the `.swiftmd` file and line.
public enum CodeGenerator {
    public static let imports = ["Evidence", "Experiments", "Foundation", "GenerativePrior", "ImageIO", "LIPCore", "Networks", "NotebookRuntime", "Plotting", "Store", "TensorKit"]

    public static func program(for notebook: Notebook, values: [String: String]) -> String {
        let path = URL(fileURLWithPath: notebook.path).standardizedFileURL.path
        var out = "// Generated from \(notebook.path) by `lip notebook run`. Do not edit: edit the notebook.\n"
        out += imports.map { "import \($0)\n" }.joined()
        out += "\n/// The notebook's parameters for this run (profile values and --param overrides).\n"
        out += "struct NotebookParameters {\n"
        for p in notebook.parameters {
            if !p.help.isEmpty { out += "    /// \(p.help)\n" }
            out += "    let \(p.name): \(p.kind.rawValue)\n"
        }
        out += "}\n"
        let arguments = notebook.parameters.map { "\($0.name): \($0.swiftLiteral(values[$0.name]!))" }
        out += "let params = NotebookParameters(\(arguments.joined(separator: ", ")))\n"
        out += "let __notebook = NotebookSession.start(notebook: \(swiftStringLiteral(notebook.name)), chunkCount: \(notebook.chunks.count))\n\n"
        for block in notebook.blocks {
            switch block {
            case .prose(let prose):
                for inline in prose.inlines {
                    out += "#sourceLocation(file: \(swiftStringLiteral(path)), line: \(inline.line))\n"
                    out += "__notebook.inline(\(inline.id), \(inline.code))\n"
                    out += "#sourceLocation()\n"
                }
            case .code(let chunk):
                out += "__notebook.begin(\(chunk.index))\n"
                out += "#sourceLocation(file: \(swiftStringLiteral(path)), line: \(chunk.firstLine))\n"
                out += chunk.code + "\n"
                out += "#sourceLocation()\n"
                out += "__notebook.end(\(chunk.index))\n\n"
            }
        }
        out += "__notebook.finish()\n"
        return out
    }
}
