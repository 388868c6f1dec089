import Foundation
import ImageIO

/// An inpainting mask of rendered text, like DIP's `kate_mask.png`: white (1) where the
/// pixel is known, black (0) under the letters. gnuplot's cairo terminal draws the text,
/// so no font files ship with the project; the result is thresholded to a binary mask.
public enum TextMask {
    /// Lines of words laid over the whole image, about `lines` of them, each at a font
    /// size that fills the line spacing to about 60 %.
    public static func render(width: Int, height: Int, lines: Int = 8, scratch: URL? = nil) throws -> Image {
        let words = ["deep", "image", "prior", "lottery", "ticket", "sparse", "network", "between", "over", "under",
                     "parameterised", "pruning", "magnitude", "rewind", "hourglass", "decoder", "restore", "noise"]
        let count = max(1, lines)
        let spacing = Double(height) / Double(count)
        // pngcairo sizes fonts in points at 72 dpi on a 96 dpi raster.
        let points = max(4, Int(spacing * 0.6 * 72 / 96))
        var commands = ["unset border", "unset tics", "unset key", "set margins 0,0,0,0",
                        "set xrange [0:1]", "set yrange [0:1]"]
        for line in 0..<count {
            // A deterministic walk through the word list so that lines differ.
            let text = (0..<8).map { words[(line * 5 + $0 * 7) % words.count] }.joined(separator: " ")
            let y = 1 - (Double(line) + 0.65) / Double(count)
            // gnuplot drops a label whose anchor lies outside the canvas, so every line starts
            // inside it; the words differ from line to line instead.
            let x = line % 2 == 0 ? 0.01 : 0.03
            commands.append("set label \(line + 1) \(quoted(text)) at graph \(x), graph \(y) left font 'Sans,\(points)' textcolor rgb 'black'")
        }
        commands.append("plot -10 notitle")
        let folder = scratch ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("lip-text-mask-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        defer { if scratch == nil { try? FileManager.default.removeItem(at: folder) } }
        let base = folder.appendingPathComponent("text-mask")
        let figure = RawCommands(commands: commands.joined(separator: "\n"))
        try Gnuplot.render(figure, to: base, width: width, height: height, formats: [.png])
        let drawn = try PNG.read(base.appendingPathExtension("png").path)
        guard drawn.width == width && drawn.height == height else {
            throw GnuplotError(message: "text mask came out \(drawn.width)x\(drawn.height), expected \(width)x\(height)",
                               script: base.appendingPathExtension("gp").path)
        }
        return Image(channels: 1, height: height, width: width, pixels: drawn.pixels[0..<(width * height)].map { $0 > 0.5 ? 1 : 0 })
    }
}

/// gnuplot commands given as they are.
struct RawCommands: Figure {
    var commands: String
    func gnuplotCommands(dataDirectory: URL) throws -> String { commands }
}
