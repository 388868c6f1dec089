import Foundation
import Store
import NotebookRuntime

/// The numbers of the paper's figures and tables, in order of appearance ("Figure 3",
/// "Table 2"), keyed by `NOTEBOOK/LABEL`. A directive naming what no rendered page has is
/// a problem, unless its notebook failed in its last run (the page then shows the failure).
struct PaperNumbering {
    private(set) var numbers: [String: (kind: String, number: Int)] = [:]
    private(set) var figures = 0
    private(set) var tables = 0
    /// What the figures folder cannot satisfy, one sentence each.
    private(set) var problems: [String] = []

    init(_ pieces: [PaperPiece], notebooks: [String: NotebookProvenance], failures: [String: String], figuresRoot: URL) {
        for piece in pieces {
            switch piece {
            case .figure(let notebook, let label):
                guard notebooks[notebook]?.figures?.contains(where: { $0.label == label }) == true else {
                    if failures[notebook] == nil { problems.append(Self.missing("figure", notebook, label, notebooks, figuresRoot)) }
                    continue
                }
                figures += 1
                numbers["\(notebook)/\(label)"] = ("Figure", figures)
            case .table(let notebook, let label):
                guard notebooks[notebook]?.tables?.contains(where: { $0.label == label }) == true else {
                    if failures[notebook] == nil { problems.append(Self.missing("table", notebook, label, notebooks, figuresRoot)) }
                    continue
                }
                tables += 1
                numbers["\(notebook)/\(label)"] = ("Table", tables)
            case .prose, .claims, .runs:
                break
            }
        }
    }

    /// "Figure N" or "Table N" of `NOTEBOOK/LABEL`, if the paper shows it.
    subscript(_ reference: String) -> (kind: String, number: Int)? { numbers[reference] }

    private static func missing(_ kind: String, _ notebook: String, _ label: String,
                                _ notebooks: [String: NotebookProvenance], _ figuresRoot: URL) -> String {
        guard let found = notebooks[notebook] else {
            return "\(kind) \(notebook)/\(label): no rendered notebook '\(notebook)' under \(figuresRoot.path); run `lip notebook run notebooks/\(notebook).swiftmd`"
        }
        let labels = ((kind == "figure" ? found.figures : found.tables) ?? []).map(\.label)
        return "\(kind) \(notebook)/\(label): the notebook has no such \(kind) (it has \(labels.isEmpty ? "none" : labels.joined(separator: ", ")))"
    }
}
