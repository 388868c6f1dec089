import Foundation

/// A typed table rendered to Markdown, HTML and CSV with per-column number formatting.
public struct Table: Sendable, Equatable {
    public enum Cell: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByFloatLiteral,
                      ExpressibleByIntegerLiteral {
        case text(String)
        case number(Double)
        case integer(Int)
        case empty

        public init(stringLiteral value: String) { self = .text(value) }
        public init(floatLiteral value: Double) { self = .number(value) }
        public init(integerLiteral value: Int) { self = .integer(value) }
    }

    public struct Column: Sendable, Equatable {
        public var title: String
        /// printf-style format for `.number` cells, e.g. "%.2f".
        public var format: String
        public var alignRight: Bool
        public init(_ title: String, format: String = "%.2f", alignRight: Bool = true) {
            self.title = title
            self.format = format
            self.alignRight = alignRight
        }
    }

    public var columns: [Column]
    public var rows: [[Cell]]

    public init(columns: [Column], rows: [[Cell]] = []) {
        self.columns = columns
        self.rows = rows
        for row in rows { if !(row.count == columns.count) { fatalError("table row has \(row.count) cells for \(columns.count) columns") } }
    }

    public mutating func append(_ row: [Cell]) {
        if !(row.count == columns.count) { fatalError("table row has \(row.count) cells for \(columns.count) columns") }
        rows.append(row)
    }

    public func text(_ cell: Cell, column: Int) -> String {
        switch cell {
        case .text(let s): s
        case .number(let v): v.isFinite ? String(format: columns[column].format, v) : (v.isNaN ? "–" : (v > 0 ? "∞" : "-∞"))
        case .integer(let v): String(v)
        case .empty: ""
        }
    }

    public func markdown() -> String {
        func escape(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var lines = ["| " + columns.map { escape($0.title) }.joined(separator: " | ") + " |"]
        lines.append("|" + columns.map { $0.alignRight ? "---:" : ":---" }.joined(separator: "|") + "|")
        for row in rows {
            lines.append("| " + row.enumerated().map { escape(text($0.element, column: $0.offset)) }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public func html() -> String {
        var out = "<table>\n<thead><tr>"
        for column in columns {
            out += "<th style=\"text-align:\(column.alignRight ? "right" : "left")\">\(htmlEscaped(column.title))</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr>"
            for (i, cell) in row.enumerated() {
                out += "<td style=\"text-align:\(columns[i].alignRight ? "right" : "left")\">\(htmlEscaped(text(cell, column: i)))</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }

    /// RFC 4180 CSV; numbers at full precision so that scripts can reuse them.
    public func csv() -> String {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var lines = [columns.map { field($0.title) }.joined(separator: ",")]
        for row in rows {
            lines.append(row.map { cell in
                switch cell {
                case .number(let v): return String(v)
                case .integer(let v): return String(v)
                case .text(let s): return field(s)
                case .empty: return ""
                }
            }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

public func htmlEscaped(_ text: String) -> String {
    var out = ""
    for ch in text {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        default: out.append(ch)
        }
    }
    return out
}
