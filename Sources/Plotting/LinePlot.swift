import Foundation

/// One curve of a line plot, with optional symmetric error bars (mean ± std).
public struct Series: Sendable {
    public enum Style: String, Sendable { case linesPoints, lines, points }
    public var title: String
    public var x: [Double]
    public var y: [Double]
    public var error: [Double]?
    public var style: Style
    public var dashed: Bool

    public init(_ title: String, x: [Double], y: [Double], error: [Double]? = nil, style: Style = .linesPoints,
                dashed: Bool = false) {
        if !(x.count == y.count) { fatalError("series \(title): \(x.count) x values, \(y.count) y values") }
        if let error { if !(error.count == y.count) { fatalError("series \(title): \(error.count) error values for \(y.count) points") } }
        self.title = title
        self.x = x
        self.y = y
        self.error = error
        self.style = style
        self.dashed = dashed
    }
}

/// A horizontal reference line (e.g. the dense DIP's PSNR).
public struct ReferenceLine: Sendable {
    public var value: Double
    public var title: String
    public init(_ title: String, at value: Double) {
        self.title = title
        self.value = value
    }
}

/// Line plot with several series, error bars, log axes, markers and a legend.
public struct LinePlot: Figure, Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var references: [ReferenceLine] = []
    public var logX = false
    public var logY = false
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    /// Small print in the corner (the scale of the experiment, for example).
    public var note: String?
    public var legend = "bottom right"

    public init(title: String = "", xLabel: String, yLabel: String, series: [Series],
                references: [ReferenceLine] = [], logX: Bool = false, logY: Bool = false, note: String? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.references = references
        self.logX = logX
        self.logY = logY
        self.note = note
    }

    public func gnuplotCommands(dataDirectory: URL) throws -> String {
        var lines: [String] = []
        if !title.isEmpty { lines.append("set title \(quoted(title))") }
        lines.append("set xlabel \(quoted(xLabel))")
        lines.append("set ylabel \(quoted(yLabel))")
        lines.append("set grid lc rgb '#dddddd'")
        lines.append("set key \(commandWords(legend)) box opaque")
        if logX { lines.append("set logscale x") }
        if logY { lines.append("set logscale y") }
        if let xRange { lines.append("set xrange [\(xRange.lowerBound):\(xRange.upperBound)]") }
        if let yRange { lines.append("set yrange [\(yRange.lowerBound):\(yRange.upperBound)]") }
        if let note { lines.append("set label 99 \(quoted(note)) at graph 0.01, graph 0.97 left font ',8' tc rgb '#555555'") }
        var plots: [String] = []
        for (index, s) in series.enumerated() {
            let name = "s\(index)"
            let rows = s.x.indices.map { i in [s.x[i], s.y[i]] + (s.error.map { [$0[i]] } ?? []) }
            lines.append(dataBlock(name, rows))
            let color = palette[index % palette.count]
            let dash = s.dashed ? " dt 2" : ""
            let style: String
            switch s.style {
            case .linesPoints: style = "linespoints pt \(7 + index % 6) ps 0.8"
            case .lines: style = "lines"
            case .points: style = "points pt \(7 + index % 6) ps 0.8"
            }
            plots.append("$\(name) using 1:2 with \(style) lw 2 lc rgb '\(color)'\(dash) title \(quoted(s.title))")
            if s.error != nil {
                plots.append("$\(name) using 1:2:3 with yerrorbars lc rgb '\(color)' pt -1 notitle")
            }
        }
        for (index, reference) in references.enumerated() {
            plots.append("\(reference.value) with lines lw 1.5 dt \(3 + index) lc rgb '#444444' title \(quoted(reference.title))")
        }
        guard !plots.isEmpty else { throw GnuplotError(message: "a line plot needs at least one series", script: "-") }
        lines.append("plot " + plots.joined(separator: ", \\\n     "))
        return lines.joined(separator: "\n")
    }
}

/// Colour-blind-safe palette (Okabe–Ito), dark enough on white.
let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
