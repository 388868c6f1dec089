import Foundation

/// One piece of the paper's Markdown source: prose, or a directive alone on its line.
///
/// - `{{figure NOTEBOOK/LABEL}}`: a notebook's figure, numbered in the paper;
/// - `{{table NOTEBOOK/LABEL}}`: a notebook's table, numbered likewise;
/// - `{{claims}}`: every claim check of every notebook (`ClaimsTable`), Holm-corrected;
/// - `{{runs}}`: which run of each notebook the page shows (profile, commit, time).
///
/// A line that looks like a directive but is not one (`{{figure x}}`) stays prose.
enum PaperPiece: Equatable {
    case prose(String)
    case figure(notebook: String, label: String)
    case table(notebook: String, label: String)
    case claims
    case runs

    /// Splits `text` into pieces; consecutive prose lines form one piece.
    static func parse(_ text: String) -> [PaperPiece] {
        var pieces: [PaperPiece] = []
        var prose: [Substring] = []
        func flush() {
            if !prose.isEmpty { pieces.append(.prose(prose.joined(separator: "\n"))) }
            prose = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard let directive = directive(line) else {
                prose.append(line)
                continue
            }
            flush()
            pieces.append(directive)
        }
        flush()
        return pieces
    }

    private static func directive(_ line: Substring) -> PaperPiece? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("{{") && trimmed.hasSuffix("}}") else { return nil }
        let words = trimmed.dropFirst(2).dropLast(2).split(separator: " ").map(String.init)
        switch (words.first, words.count) {
        case ("claims", 1): return .claims
        case ("runs", 1): return .runs
        case ("figure", 2), ("table", 2):
            let parts = words[1].split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            return words[0] == "figure" ? .figure(notebook: parts[0], label: parts[1]) : .table(notebook: parts[0], label: parts[1])
        default:
            return nil
        }
    }
}
