import Foundation

/// A rendered notebook as a Jupyter notebook (nbformat 4.5): prose as Markdown cells,
/// chunks as Swift code cells with their outputs embedded (text as a stream, figures as
/// `image/png`, tables as HTML with a Markdown twin), so that the committed results open in
/// JupyterLab, nbviewer and code hosts' notebook views without running anything.
struct JupyterNotebook {
    private(set) var cells: [[String: Any]] = []
    private var ids: Set<String> = []
    private var executionCount = 0

    /// nbformat 4.5 cell ids: 1-64 of `[A-Za-z0-9_-]`, unique in the notebook.
    private mutating func cellID(_ base: String) -> String {
        var id = String(base.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" }.prefix(56))
        if id.isEmpty { id = "cell" }
        var unique = id
        var n = 2
        while ids.contains(unique) { unique = "\(id)-\(n)"; n += 1 }
        ids.insert(unique)
        return unique
    }

    /// Jupyter's multi-line strings: a list of lines, each but the last ending in "\n".
    static func lines(_ text: String) -> [String] {
        let parts = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return parts.enumerated().map { $0.offset < parts.count - 1 ? $0.element + "\n" : $0.element }.filter { !$0.isEmpty }
    }

    mutating func appendMarkdown(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .newlines)
        guard !trimmed.isEmpty else { return }
        cells.append(["cell_type": "markdown", "id": cellID("md-\(cells.count + 1)"), "metadata": [String: Any](),
                      "source": Self.lines(trimmed)])
    }

    /// A code cell; `outputs` made with the `…Output` helpers below.
    mutating func appendCode(_ code: String, label: String, outputs: [[String: Any]], hidden: Bool) {
        executionCount += 1
        var metadata: [String: Any] = ["tags": [label]]
        if hidden { metadata["jupyter"] = ["source_hidden": true] }
        cells.append(["cell_type": "code", "id": cellID(label), "metadata": metadata, "execution_count": executionCount,
                      "source": Self.lines(code), "outputs": outputs.map { output in
                          var numbered = output
                          if numbered["output_type"] as? String == "execute_result" { numbered["execution_count"] = executionCount }
                          return numbered
                      }])
    }

    static func streamOutput(_ text: String) -> [String: Any] {
        ["output_type": "stream", "name": "stdout", "text": lines(text)]
    }

    static func imageOutput(png: Data, caption: String, alt: String) -> [String: Any] {
        ["output_type": "display_data", "metadata": ["image/png": ["alt": alt]],
         "data": ["image/png": png.base64EncodedString(), "text/plain": [caption]]]
    }

    static func richOutput(html: String, markdown: String) -> [String: Any] {
        ["output_type": "display_data", "metadata": [String: Any](),
         "data": ["text/html": lines(html), "text/markdown": lines(markdown), "text/plain": lines(markdown)]]
    }

    /// The notebook's JSON (sorted keys, one-space indent as Jupyter writes it).
    func data(title: String, metadata extra: [String: Any]) throws -> Data {
        let notebook: [String: Any] = [
            "nbformat": 4, "nbformat_minor": 5,
            "metadata": [
                "kernelspec": ["name": "swift", "display_name": "Swift", "language": "swift"],
                "language_info": ["name": "swift", "file_extension": ".swift", "mimetype": "text/x-swift"],
                "title": title,
                "lip": extra,
            ] as [String: Any],
            "cells": cells,
        ]
        return try JSONSerialization.data(withJSONObject: notebook, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }
}
