import Foundation

/// Counts of values in equal-width bins, drawn as boxes, with vertical marker lines (a
/// pruning threshold on a histogram of weight magnitudes, say).
public struct Histogram: Figure, Sendable {
    /// A vertical line at `x`, named in the key.
    public struct Marker: Sendable {
        public var title: String
        public var x: Double
        public init(_ title: String, at x: Double) {
            self.title = title
            self.x = x
        }
    }

    public var title: String
    public var xLabel: String
    /// The bins' lower edges (equal widths), their width and the counts.
    public var edges: [Double]
    public var width: Double
    public var counts: [Int]
    public var markers: [Marker]
    public var logY: Bool
    public var note: String?

    /// Bins `values` into `bins` equal bins over `range` (by default, from the smallest
    /// to the largest value); values outside it are counted in the first or last bin.
    public init(title: String = "", xLabel: String, values: [Double], bins: Int = 60, range: ClosedRange<Double>? = nil,
                markers: [Marker] = [], logY: Bool = false, note: String? = nil) {
        let finite = values.filter(\.isFinite)
        let low = range?.lowerBound ?? finite.min() ?? 0
        var high = range?.upperBound ?? finite.max() ?? 1
        if high <= low { high = low + 1 }
        let bins = max(bins, 1)
        let width = (high - low) / Double(bins)
        var counts = [Int](repeating: 0, count: bins)
        for value in finite {
            let bin = Int(((value - low) / width).rounded(.down))
            counts[min(max(bin, 0), bins - 1)] += 1
        }
        self.init(title: title, xLabel: xLabel, edges: (0..<bins).map { low + Double($0) * width }, width: width,
                  counts: finite.isEmpty ? [] : counts, markers: markers, logY: logY, note: note)
    }

    /// A histogram of counts already binned (equal bins of `width` from each lower edge).
    public init(title: String = "", xLabel: String, edges: [Double], width: Double, counts: [Int],
                markers: [Marker] = [], logY: Bool = false, note: String? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.edges = edges
        self.width = width
        self.counts = counts
        self.markers = markers
        self.logY = logY
        self.note = note
    }

    public func gnuplotCommands(dataDirectory: URL) throws -> String {
        guard !counts.isEmpty, counts.count == edges.count, width > 0 else {
            throw GnuplotError(message: "a histogram needs values, one count per bin and a positive bin width", script: "-")
        }
        var lines: [String] = []
        if !title.isEmpty { lines.append("set title \(quoted(title))") }
        lines.append("set xlabel \(quoted(xLabel))")
        lines.append("set ylabel 'count'")
        lines.append("set grid ytics lc rgb '#dddddd'")
        lines.append("set key top right box opaque")
        lines.append("set style fill solid 0.8 border lc rgb '#ffffff'")
        if logY {
            lines.append("set logscale y")
            lines.append("set yrange [0.8:*]")
        } else {
            lines.append("set yrange [0:*]")
        }
        if let note { lines.append("set label 99 \(quoted(note)) at graph 0.01, graph 0.97 left font ',8' tc rgb '#555555'") }
        // Zero-count bins are left out on a log axis (log 0 is undefined).
        let rows = zip(edges, counts).filter { !logY || $0.1 > 0 }.map { [$0.0 + width / 2, Double($0.1)] }
        lines.append(dataBlock("bins", rows))
        var plots = ["$bins using 1:2:(\(width)) with boxes lc rgb '\(palette[0])' title 'weights'"]
        for (index, marker) in markers.enumerated() {
            lines.append("set arrow \(index + 1) from first \(marker.x), graph 0 to first \(marker.x), graph 1 nohead front lw 2 dt 2 lc rgb '\(palette[(index + 1) % palette.count])'")
            // An empty plot that carries the marker's name into the key.
            plots.append("NaN with lines lw 2 dt 2 lc rgb '\(palette[(index + 1) % palette.count])' title \(quoted(marker.title))")
        }
        lines.append("plot " + plots.joined(separator: ", \\\n     "))
        return lines.joined(separator: "\n")
    }
}
