import Foundation

/// Curves of means with the spread over seeds shaded around each (mean ± one standard
/// deviation, say), compared on one x axis: PSNR against sparsity per pruning method.
///
/// A curve that alone stretches the y range the others need by more than `offScaleFactor`
/// (a method that collapses far below the rest) would flatten their differences: it is drawn
/// in a small panel of its own under the main one, on its own y scale and the same x scale,
/// and named in the main key. A curve of a single point is a point with an error bar,
/// shifted sideways a little so that curves measured at the same x do not hide each other.
public struct BandPlot: Figure, Sendable {
    /// One curve: its mean at each x and, optionally, the half-width of its band there
    /// (drawn from mean − spread to mean + spread; nil: a bare line, as with one seed).
    public struct Band: Sendable {
        public var title: String
        public var x: [Double]
        public var mean: [Double]
        public var spread: [Double]?

        /// `x`, `mean` and `spread` must have one value per point (checked when drawn).
        public init(_ title: String, x: [Double], mean: [Double], spread: [Double]? = nil) {
            self.title = title
            self.x = x
            self.mean = mean
            self.spread = spread
        }

        /// What is wrong with the band's arrays, if anything.
        var problem: String? {
            if x.count != mean.count { return "band '\(title)' has \(x.count) x values and \(mean.count) means" }
            if let spread, spread.count != mean.count { return "band '\(title)' has \(spread.count) spreads for \(mean.count) means" }
            return nil
        }

        /// The lowest and highest y the band reaches (its finite values), nil when it has none.
        var extent: ClosedRange<Double>? {
            guard problem == nil else { return nil }
            let edges = mean.indices.flatMap { i -> [Double] in
                let s = spread?[i] ?? 0
                return [mean[i] - s, mean[i] + s]
            }.filter(\.isFinite)
            guard let low = edges.min(), let high = edges.max() else { return nil }
            return low...high
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var bands: [Band]
    /// Horizontal lines in the main panel (the dense DIP's PSNR).
    public var references: [ReferenceLine]
    /// Half-widths of grey bands around the references, in their order (the dense DIP's
    /// spread over seeds); a reference past the end of the list has none.
    public var referenceSpreads: [Double] = []
    /// Small print in the main panel's corner (the scale of the experiment, for example).
    public var note: String?
    /// What the shading is, for the key ("± one std over 3 seeds"); nil: not in the key.
    public var spreadTitle: String?
    public var legend = "outside right top"
    public var xRange: ClosedRange<Double>?
    /// A curve goes to the lower panel when the y range of all curves (and references) is
    /// more than this many times the range without it; nil: one panel, whatever the values.
    public var offScaleFactor: Double? = 2.5

    public init(title: String = "", xLabel: String, yLabel: String, bands: [Band], references: [ReferenceLine] = [],
                note: String? = nil, spreadTitle: String? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.bands = bands
        self.references = references
        self.note = note
        self.spreadTitle = spreadTitle
    }

    /// The y range each reference covers with its band (references of finite value).
    var referenceExtents: [ClosedRange<Double>] {
        references.enumerated().compactMap { index, reference -> ClosedRange<Double>? in
            guard reference.value.isFinite else { return nil }
            let spread = index < referenceSpreads.count && referenceSpreads[index].isFinite ? abs(referenceSpreads[index]) : 0
            return (reference.value - spread)...(reference.value + spread)
        }
    }

    /// The indices of the curves drawn in the lower panel: greedily, the curve whose removal
    /// shrinks the y range most, while that shrinks it by more than `offScaleFactor`, and
    /// never more than half of the curves.
    public var offScale: [Int] {
        guard let factor = offScaleFactor else { return [] }
        var kept = bands.indices.filter { bands[$0].extent != nil }
        var apart: [Int] = []
        func span(_ indices: [Int]) -> Double {
            let ranges = indices.compactMap { bands[$0].extent } + referenceExtents
            guard let low = ranges.map(\.lowerBound).min(), let high = ranges.map(\.upperBound).max() else { return 0 }
            return high - low
        }
        while kept.count > 1, apart.count + 1 <= bands.count / 2 {
            let whole = span(kept)
            let spans = kept.map { i in (index: i, without: span(kept.filter { $0 != i })) }
            guard let best = spans.min(by: { $0.without < $1.without }), whole > factor * best.without else { break }
            kept.removeAll { $0 == best.index }
            apart.append(best.index)
        }
        return apart.sorted()
    }

    public func gnuplotCommands(dataDirectory: URL) throws -> String {
        if let problem = bands.lazy.compactMap(\.problem).first { throw GnuplotError(message: problem, script: "-") }
        guard bands.contains(where: { $0.extent != nil }) else {
            throw GnuplotError(message: "a band plot needs at least one curve with a finite value", script: "-")
        }
        let apart = offScale
        let main = bands.indices.filter { !apart.contains($0) }
        let xs = dodgedX()
        var lines: [String] = []
        lines.append("set grid lc rgb '#dddddd'")
        lines.append("set style fill transparent solid 0.2 noborder")
        if let range = xRange ?? xExtent(xs) { lines.append("set xrange [\(range.lowerBound):\(range.upperBound)]") }
        for (index, band) in bands.enumerated() {
            let rows = band.x.indices.map { [xs[index][$0], band.mean[$0], band.spread?[$0] ?? 0] }
            lines.append(dataBlock("b\(index)", rows))
        }
        let top = title.isEmpty ? 0.95 : 0.90
        let right = legend.contains("outside") ? 0.64 : 0.96
        if apart.isEmpty {
            if !title.isEmpty { lines.append("set title \(quoted(title))") }
            lines.append("set xlabel \(quoted(xLabel))")
        } else {
            // Both panels share fixed left and right edges, so that their x axes line up.
            lines.append("set multiplot" + (title.isEmpty ? "" : " title \(quoted(title))"))
            lines.append("set lmargin at screen 0.09")
            lines.append("set rmargin at screen \(right)")
            lines.append("set tmargin at screen \(top)")
            lines.append("set bmargin at screen 0.38")
            lines.append("set format x ''")
        }
        lines.append("set ylabel \(quoted(yLabel))")
        lines += keyCommands(legend, entries: bands.count + references.count + (spreadTitle == nil ? 0 : 1))
        if let range = yExtent(main, withReferences: true, headroom: 0.16) {
            lines.append("set yrange [\(range.lowerBound):\(range.upperBound)]")
        }
        if let note { lines.append("set label 99 \(quoted(note)) at graph 0.01, graph 0.96 left font ',8' tc rgb '#555555'") }
        for (index, extent) in referenceExtents.enumerated() where extent.upperBound > extent.lowerBound {
            lines.append("set object \(index + 1) rect from graph 0, first \(extent.lowerBound) to graph 1, first \(extent.upperBound) behind fc rgb '#444444' fs transparent solid 0.1 noborder")
        }
        var plots = main.compactMap { shading($0) } + main.map { curve($0, titled: true) }
        plots += apart.map { "NaN with \(style($0)) title \(quoted(bands[$0].title + " (panel below)"))" }
        for (index, reference) in references.enumerated() where reference.value.isFinite {
            plots.append("\(reference.value) with lines lw 1.5 dt \(3 + index) lc rgb '#444444' title \(quoted(reference.title))")
        }
        if let spreadTitle { plots.append("NaN with filledcurves lc rgb '#888888' title \(quoted(spreadTitle))") }
        lines.append("plot " + plots.joined(separator: ", \\\n     "))
        guard !apart.isEmpty else { return lines.joined(separator: "\n") }

        // The lower panel: the curves off the main panel's scale, on their own y scale.
        lines.append("unset label 99")
        for index in referenceExtents.indices { lines.append("unset object \(index + 1)") }
        lines.append("unset key")
        lines.append("set tmargin at screen 0.30")
        lines.append("set bmargin at screen 0.11")
        lines.append("set format x '% h'")
        lines.append("set xlabel \(quoted(xLabel))")
        lines.append("set ylabel ''")
        if let range = yExtent(apart, withReferences: false, headroom: 0.25) {
            lines.append("set yrange [\(range.lowerBound):\(range.upperBound)]")
            lines.append("set ytics \(niceStep((range.upperBound - range.lowerBound) / 3))")
        }
        let names = apart.map { bands[$0].title }.joined(separator: ", ")
        lines.append("set label 98 \(quoted("\(names): far below the others, own y scale")) at graph 0, graph 1.06 left font ',8' tc rgb '#555555'")
        let lower = apart.compactMap { shading($0) } + apart.map { curve($0, titled: false) }
        lines.append("plot " + lower.joined(separator: ", \\\n     "))
        lines.append("unset multiplot")
        return lines.joined(separator: "\n")
    }

    func color(_ index: Int) -> String { palette[index % palette.count] }

    func style(_ index: Int) -> String {
        let points = bands[index].x.count == 1 ? "points" : "linespoints"
        return "\(points) pt \(7 + index % 6) ps 0.8 lw 2 lc rgb '\(color(index))'"
    }

    /// The band of curve `index` (filled when it has several points), nil without a spread.
    func shading(_ index: Int) -> String? {
        guard bands[index].spread != nil else { return nil }
        if bands[index].x.count == 1 {
            return "$b\(index) using 1:2:3 with yerrorbars lc rgb '\(color(index))' pt -1 lw 1.5 notitle"
        }
        return "$b\(index) using 1:($2-$3):($2+$3) with filledcurves lc rgb '\(color(index))' notitle"
    }

    func curve(_ index: Int, titled: Bool) -> String {
        "$b\(index) using 1:2 with \(style(index)) " + (titled ? "title \(quoted(bands[index].title))" : "notitle")
    }

    /// Each curve's x, single-point curves shifted apart by a small step around their x.
    func dodgedX() -> [[Double]] {
        let single = bands.indices.filter { bands[$0].x.count == 1 }
        let all = bands.flatMap(\.x).filter(\.isFinite)
        let width = (all.max() ?? 0) - (all.min() ?? 0)
        let step = 0.015 * (width > 0 ? width : max(abs(all.first ?? 1), 1))
        return bands.indices.map { index in
            guard let position = single.firstIndex(of: index), single.count > 1 else { return bands[index].x }
            return [bands[index].x[0] + (Double(position) - Double(single.count - 1) / 2) * step]
        }
    }

    /// The x range of every point (shifted or not), with a margin set by the points' own
    /// x values (a wide one around a single x, so that the shifts look as small as they are).
    func xExtent(_ xs: [[Double]]) -> ClosedRange<Double>? {
        let measured = bands.flatMap(\.x).filter(\.isFinite)
        let all = measured + xs.flatMap { $0 }.filter(\.isFinite)
        guard let low = all.min(), let high = all.max(), let first = measured.min(), let last = measured.max() else { return nil }
        let margin = last > first ? 0.04 * (last - first) : 0.15 * max(abs(first), 1)
        return (low - margin)...(high + margin)
    }

    /// The y range of curves `indices` (and the references), with room at the top for the note.
    func yExtent(_ indices: [Int], withReferences: Bool, headroom: Double) -> ClosedRange<Double>? {
        let ranges = indices.compactMap { bands[$0].extent } + (withReferences ? referenceExtents : [])
        guard let low = ranges.map(\.lowerBound).min(), let high = ranges.map(\.upperBound).max() else { return nil }
        let span = high > low ? high - low : max(abs(high), 1) * 0.05
        return (low - 0.06 * span)...(high + headroom * span)
    }
}

/// A round tic step near `value`: 1, 2 or 5 times a power of ten.
func niceStep(_ value: Double) -> Double {
    guard value > 0, value.isFinite else { return 1 }
    let power = pow(10, (log10(value)).rounded(.down))
    let fraction = value / power
    return (fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10) * power
}
