import Foundation
import ImageIO

/// Grouped bar chart: one cluster per category, one bar per group, optional error bars.
public struct BarChart: Figure, Sendable {
    public struct Group: Sendable {
        public var title: String
        public var values: [Double]
        public var errors: [Double]?
        public init(_ title: String, values: [Double], errors: [Double]? = nil) {
            self.title = title
            self.values = values
            self.errors = errors
        }
    }

    public var title: String
    public var categories: [String]
    public var groups: [Group]
    public var yLabel: String
    public var yRange: ClosedRange<Double>?
    public var note: String?
    /// A printf format: each bar's value printed at its end (beyond its error bar); nil: none.
    /// For bars too alike in height to tell apart by eye (PSNRs of 27.6 and 27.9 dB).
    public var valueFormat: String?

    public init(title: String = "", categories: [String], groups: [Group], yLabel: String,
                yRange: ClosedRange<Double>? = nil, note: String? = nil, valueFormat: String? = nil) {
        self.title = title
        self.categories = categories
        self.groups = groups
        self.yLabel = yLabel
        self.yRange = yRange
        self.note = note
        self.valueFormat = valueFormat
    }

    public func gnuplotCommands(dataDirectory: URL) throws -> String {
        guard !groups.isEmpty, groups.allSatisfy({ $0.values.count == categories.count }) else {
            throw GnuplotError(message: "every bar group needs one value per category (\(categories.count))", script: "-")
        }
        var lines = [String]()
        if !title.isEmpty { lines.append("set title \(quoted(title))") }
        lines.append("set ylabel \(quoted(yLabel))")
        lines.append("set style data histogram")
        let withErrors = groups.contains { $0.errors != nil }
        lines.append(withErrors ? "set style histogram errorbars gap 1 lw 1" : "set style histogram clustered gap 1")
        lines.append("set style fill solid 0.85 border -1")
        lines.append("set boxwidth 0.9")
        lines.append("set grid ytics lc rgb '#dddddd'")
        lines.append("set key top left box opaque")
        // Many categories: vertical labels, so that they do not run into each other.
        lines.append(categories.count > 8 ? "set xtics rotate by 90 right font ',8'" : "set xtics rotate by -20")
        // Bars grow from zero: the axis includes it, below it too when a value is negative.
        let negative = groups.contains { $0.values.contains { $0 < 0 } }
        if let yRange { lines.append("set yrange [\(yRange.lowerBound):\(yRange.upperBound)]") } else { lines.append(negative ? "set yrange [*:*]" : "set yrange [0:*]") }
        if let note { lines.append("set label 99 \(quoted(note)) at graph 0.99, graph 0.97 right font ',8' tc rgb '#555555'") }
        var rows = "$bars << EOD\n"
        for (i, category) in categories.enumerated() {
            var fields = [quotedData(category)]
            for g in groups {
                fields.append(String(g.values[i]))
                if withErrors { fields.append(String(g.errors?[i] ?? 0)) }
            }
            rows += fields.joined(separator: " ") + "\n"
        }
        lines.append(rows + "EOD")
        let stride = withErrors ? 2 : 1
        var plots = groups.enumerated().map { index, g in
            let column = 2 + index * stride
            let using = withErrors ? "\(column):\(column + 1):xtic(1)" : "\(column):xtic(1)"
            return "$bars using \(using) lc rgb '\(palette[index % palette.count])' title \(quoted(g.title))"
        }
        if let valueFormat {
            // Cluster k is centerd on x = k; its n bars (gap 1) are 1 / (n + 1) apart.
            for index in groups.indices {
                let column = 2 + index * stride
                let x = "($0 + \((Double(index) - Double(groups.count - 1) / 2) / Double(groups.count + 1)))"
                let end = withErrors ? "($\(column) + ($\(column) < 0 ? -1 : 1) * $\(column + 1))" : "$\(column)"
                let text = "(sprintf(\(quoted(valueFormat)), $\(column)))"
                plots.append("$bars using \(x):($\(column) >= 0 ? \(end) : NaN):\(text) with labels offset 0,0.7 font ',8' notitle")
                plots.append("$bars using \(x):($\(column) < 0 ? \(end) : NaN):\(text) with labels offset 0,-0.7 font ',8' notitle")
            }
        }
        lines.append("plot " + plots.joined(separator: ", \\\n     "))
        return lines.joined(separator: "\n")
    }
}

/// A matrix of values as colored cells with the values printed (e.g. transfer matrices).
public struct HeatMap: Figure, Sendable {
    public var title: String
    public var rowLabels: [String]
    public var columnLabels: [String]
    public var values: [[Double]]
    public var xLabel: String
    public var yLabel: String
    public var valueFormat: String
    public var colorLabel: String
    /// Column labels written upwards, so that long ones do not run into each other; nil:
    /// when they are long together (over 80 characters, layer names say).
    public var verticalColumnLabels: Bool? = nil
    /// What a cell without a value (NaN: not measured) shows.
    public var missingText = "–"

    public init(title: String = "", rowLabels: [String], columnLabels: [String], values: [[Double]],
                xLabel: String = "", yLabel: String = "", valueFormat: String = "%.2f", colorLabel: String = "") {
        self.title = title
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.valueFormat = valueFormat
        self.colorLabel = colorLabel
    }

    public func gnuplotCommands(dataDirectory: URL) throws -> String {
        guard values.count == rowLabels.count, values.allSatisfy({ $0.count == columnLabels.count }) else {
            throw GnuplotError(message: "heat map needs \(rowLabels.count) rows of \(columnLabels.count) values", script: "-")
        }
        var lines = [String]()
        if !title.isEmpty { lines.append("set title \(quoted(title))") }
        lines.append("set xlabel \(quoted(xLabel))")
        lines.append("set ylabel \(quoted(yLabel))")
        // Moved right, clear of the color box's tic labels (gnuplot sets it over them).
        lines.append("set cblabel \(quoted(colorLabel)) offset 2,0")
        lines.append("set palette defined (0 '#f7fbff', 0.5 '#6baed6', 1 '#08306b')")
        lines.append("set xrange [-0.5:\(Double(columnLabels.count) - 0.5)]")
        lines.append("set yrange [\(Double(rowLabels.count) - 0.5):-0.5]")
        lines.append("set xtics (" + columnLabels.enumerated().map { "\(ticLabel($0.element)) \($0.offset)" }.joined(separator: ", ") + ")")
        lines.append("set ytics (" + rowLabels.enumerated().map { "\(ticLabel($0.element)) \($0.offset)" }.joined(separator: ", ") + ")")
        let vertical = verticalColumnLabels ?? (columnLabels.reduce(0) { $0 + $1.count + 1 } > 80)
        if vertical { lines.append("set xtics rotate by 90 right") }
        lines.append("set tics scale 0")
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        let low = finite.min() ?? 0, high = finite.max() ?? 1
        let middle = (low + high) / 2
        var rows: [[Double]] = []
        for (r, row) in values.enumerated() {
            for (c, value) in row.enumerated() { rows.append([Double(c), Double(r), value]) }
        }
        lines.append(dataBlock("cells", rows))
        // A cell without a value (NaN) is left blank by the image and says so in grey; the
        // values are printed from the finite cells only (gnuplot would print "NaN").
        let missing = rows.filter { !$0[2].isFinite }.map { [$0[0], $0[1]] }
        lines.append(dataBlock("values", rows.filter { $0[2].isFinite }))
        if !missing.isEmpty { lines.append(dataBlock("missing", missing)) }
        // Light text on dark cells.
        var plots = ["$cells using 1:2:3 with image notitle",
                     "$values using 1:2:(sprintf(\(quoted(valueFormat)), $3)):($3 > \(middle) ? 0xffffff : 0x000000) with labels tc rgb variable font ',9' notitle"]
        if !missing.isEmpty {
            plots.append("$missing using 1:2:(\(quoted(missingText))) with labels tc rgb '#999999' font ',9' notitle")
        }
        lines.append("plot " + plots.joined(separator: ", \\\n     "))
        return lines.joined(separator: "\n")
    }
}

/// Rows of images, each with a caption under it (e.g. "79 % · 34.52 dB"): how the paper
/// shows its visual results.
public struct ImageGrid: Figure {
    public struct Cell {
        public var image: Image
        public var caption: String
        public init(_ image: Image, caption: String) {
            self.image = image
            self.caption = caption
        }
    }

    public var rows: [[Cell]]
    public var rowLabels: [String]?
    public var title: String
    /// Point size of the captions (the title is one point larger): raise it for a grid
    /// that is scaled down into a page.
    public var captionFontSize: Int

    public init(rows: [[Cell]], rowLabels: [String]? = nil, title: String = "", captionFontSize: Int = 9) {
        self.rows = rows
        self.rowLabels = rowLabels
        self.title = title
        self.captionFontSize = captionFontSize
    }

    public func gnuplotCommands(dataDirectory: URL) throws -> String {
        let columns = rows.map(\.count).max() ?? 0
        guard columns > 0 else { throw GnuplotError(message: "an image grid needs at least one image", script: "-") }
        var lines = ["set multiplot layout \(rows.count),\(columns)"
                        + (title.isEmpty ? "" : " title \(quoted(title)) font ',\(captionFontSize + 1)'"),
                     "unset border", "unset tics", "unset key", "set size ratio -1",
                     "set lmargin 0.5", "set rmargin 0.5", "set tmargin 0.5", "set bmargin 2.4"]
        for (r, row) in rows.enumerated() {
            for c in 0..<columns {
                guard c < row.count else {
                    lines.append("set multiplot next")
                    continue
                }
                let cell = row[c]
                let file = dataDirectory.appendingPathComponent("r\(r)c\(c).rgb")
                try rgbBytes(cell.image).write(to: file)
                var label = cell.caption
                if c == 0, let rowLabels, r < rowLabels.count { label = rowLabels[r] + ": " + label }
                lines.append("set xlabel \(quoted(label)) offset 0,0.2 font ',\(captionFontSize)'")
                lines.append("plot \(quoted(relativePath(of: file, in: dataDirectory))) binary array=(\(cell.image.width),\(cell.image.height)) flipy format='%uchar' with rgbimage")
            }
        }
        lines.append("unset multiplot")
        return lines.joined(separator: "\n")
    }

    /// Interleaved 8-bit RGB, gray repeated.
    func rgbBytes(_ image: Image) -> Data {
        let rgb = image.expandedToRGB()
        let plane = rgb.height * rgb.width
        var bytes = [UInt8](repeating: 0, count: plane * 3)
        for i in 0..<plane {
            for c in 0..<3 {
                bytes[i * 3 + c] = UInt8((min(max(rgb.pixels[c * plane + i], 0), 1) * 255).rounded())
            }
        }
        return Data(bytes)
    }
}

/// An explicit tic label: gnuplot reads it as a format for the tic's position, so a
/// literal percent sign must be doubled.
func ticLabel(_ text: String) -> String {
    quoted(text.replacingOccurrences(of: "%", with: "%%"))
}

/// A data-file string field for gnuplot (double-quoted).
func quotedData(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\"", with: "'") + "\""
}
