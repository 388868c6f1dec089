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
    /// Where `note` goes: `.above` puts it over the plot's top edge, where it hides no data.
    public var notePosition = NotePosition.topLeft
    /// gnuplot's key position ("bottom right", "top left", "below", "outside right top").
    /// A key below the plot gets no box: gnuplot draws that box over the x label.
    public var legend = "bottom right"

    /// Places for the note: a corner inside the plot, or above it.
    public enum NotePosition: Sendable { case topLeft, topRight, bottomLeft, bottomRight, above }

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
        lines += keyCommands(legend, entries: series.count + references.count)
        if logX { lines.append("set logscale x") }
        if logY { lines.append("set logscale y") }
        // A marker on the border is half hidden by it. With markers or error bars, an
        // axis not given a range ends a margin beyond the outermost point instead of at
        // the next tic: x 3 % of the data's span, set here so that reference lines (which
        // gnuplot samples over the data's span only) cross the whole plot; y 5 % of its
        // span, by gnuplot's offsets, which count error bars and reference lines.
        let padded = series.contains { $0.style != .lines || $0.error != nil }
        if let xRange = xRange ?? (padded ? paddedXRange(margin: 0.03) : nil) {
            lines.append("set xrange [\(xRange.lowerBound):\(xRange.upperBound)]")
        }
        if let yRange { lines.append("set yrange [\(yRange.lowerBound):\(yRange.upperBound)]") }
        if padded && yRange == nil {
            lines.append("set autoscale yfix")
            lines.append("set offsets 0, 0, graph 0.05, graph 0.05")
        }
        if let note {
            let place: String
            switch notePosition {
            case .topLeft: place = "at graph 0.01, graph 0.97 left"
            case .topRight: place = "at graph 0.99, graph 0.97 right"
            case .bottomLeft: place = "at graph 0.01, graph 0.03 left"
            case .bottomRight: place = "at graph 0.99, graph 0.03 right"
            case .above:
                // Room for one line of small print between the title (if any) and the plot.
                lines.append("set tmargin \(title.isEmpty ? 2 : 3.5)")
                place = "at graph 0, graph 1 left offset 0, char 0.7"
            }
            lines.append("set label 99 \(quoted(note)) \(place) font ',8' tc rgb '#555555'")
        }
        // Error bars go under every curve: drawn later, gnuplot's bars blank a hole where
        // the marker is.
        var errorBars: [String] = []
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
                errorBars.append("$\(name) using 1:2:3 with yerrorbars lc rgb '\(color)' pt -1 notitle")
            }
        }
        plots = errorBars + plots
        for (index, reference) in references.enumerated() {
            plots.append("\(reference.value) with lines lw 1.5 dt \(3 + index) lc rgb '#444444' title \(quoted(reference.title))")
        }
        guard !plots.isEmpty else { throw GnuplotError(message: "a line plot needs at least one series", script: "-") }
        lines.append("plot " + plots.joined(separator: ", \\\n     "))
        return lines.joined(separator: "\n")
    }

    /// The span of the series' x values widened by `margin` of it at each end, measured in
    /// decades on a log axis; a single value gets the larger of 1 % of itself and half a
    /// unit (half a decade) each side. Nil when there is no value to span.
    func paddedXRange(margin: Double) -> ClosedRange<Double>? {
        func toAxis(_ x: Double) -> Double { logX ? log10(x) : x }
        func fromAxis(_ a: Double) -> Double { logX ? pow(10, a) : a }
        let values = series.flatMap { $0.x }.filter { $0.isFinite && (!logX || $0 > 0) }.map(toAxis)
        guard let low = values.min(), let high = values.max() else { return nil }
        let pad = high > low ? margin * (high - low) : max(abs(low) * 0.01, 0.5)
        return fromAxis(low - pad)...fromAxis(high + pad)
    }
}

/// Color-blind-safe palette (Okabe–Ito), dark enough on white.
let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
