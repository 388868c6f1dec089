import Foundation
import ImageIO
import Plotting
import Testing

let scratch: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("lip-plot-tests-\(getpid())")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}()

struct TableTests {
    let table = Table(columns: [.init("name", alignRight: false), .init("PSNR", format: "%.2f"), .init("n", format: "%.0f")],
                      rows: [["a|b", .number(31.0712), .integer(3)], ["c, \"d\"", .number(.nan), .empty]])

    @Test func markdown() {
        #expect(table.markdown() == """
            | name | PSNR | n |
            |:---|---:|---:|
            | a\\|b | 31.07 | 3 |
            | c, "d" | – |  |

            """)
    }

    @Test func csvKeepsFullPrecisionAndQuotes() {
        #expect(table.csv() == "name,PSNR,n\na|b,31.0712,3\n\"c, \"\"d\"\"\",nan,\n")
    }

    @Test func htmlEscapes() {
        let html = Table(columns: [.init("x")], rows: [["<b>"]]).html()
        #expect(html.contains("<td style=\"text-align:right\">&lt;b&gt;</td>"))
    }
}

struct GnuplotTests {
    func isPNG(_ url: URL) -> Bool {
        (try? Data(contentsOf: url).prefix(8)) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    /// Text reaches gnuplot only inside single-quoted strings, which substitute nothing;
    /// a line break (which would end the string's command and start another) is blanked.
    @Test func textCannotLeaveItsGnuplotString() throws {
        let victim = scratch.appendingPathComponent("injected-\(UUID().uuidString)")
        let attack = "x'\nsystem('touch \(victim.path)')\nprint '`touch \(victim.path)`' @x"
        #expect(!quoted(attack).contains("\n"))
        var plot = LinePlot(title: attack, xLabel: attack, yLabel: "y", series: [Series(attack, x: [1, 2], y: [1, 2])])
        #expect(isPNG(try Gnuplot.render(plot, to: scratch.appendingPathComponent("attack"), formats: [.png])[0]))
        _ = try? Gnuplot.render(plot, to: scratch.appendingPathComponent("evil\nsystem('touch \(victim.path)')"), formats: [.png])
        plot.legend = "top left\nsystem('touch \(victim.path)')"
        _ = try? Gnuplot.render(plot, to: scratch.appendingPathComponent("legend"), formats: [.png])
        #expect(!FileManager.default.fileExists(atPath: victim.path))
        // The script names its output relative to its own folder: it redraws from there.
        let script = try String(contentsOf: scratch.appendingPathComponent("attack.gp"), encoding: .utf8)
        #expect(script.contains("set output 'attack.png'"))
    }

    /// The kept script and its data redraw the PNG from the figure's folder, wherever
    /// that folder is moved.
    @Test func aKeptScriptRedrawsItsFigureFromItsFolder() throws {
        let original = scratch.appendingPathComponent("redraw-\(UUID().uuidString.prefix(8))")
        let cell = ImageGrid.Cell(Image(channels: 3, height: 4, width: 4, pixels: (0..<48).map { Float($0) / 48 }), caption: "a")
        try Gnuplot.render(ImageGrid(rows: [[cell, cell]]), to: original.appendingPathComponent("fig-grid"), formats: [.png, .svg])
        let moved = scratch.appendingPathComponent("moved-\(UUID().uuidString.prefix(8))")
        try FileManager.default.moveItem(at: original, to: moved)
        let png = moved.appendingPathComponent("fig-grid.png")
        try FileManager.default.removeItem(at: png)
        let script = try String(contentsOf: moved.appendingPathComponent("fig-grid.gp"), encoding: .utf8)
        #expect(script.contains("pngcairo") && !script.contains(scratch.path))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gnuplot", "fig-grid.gp"]
        process.currentDirectoryURL = moved
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(isPNG(png))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: moved.path))?.contains { $0.hasPrefix(".") } == false)
    }

    @Test func linePlotWithErrorBarsAndLogAxis() throws {
        let plot = LinePlot(xLabel: "parameters", yLabel: "PSNR", series: [
            Series("LIP", x: [1e4, 1e5, 1e6], y: [29, 31, 31.2], error: [0.2, 0.1, 0.1]),
            Series("random", x: [1e4, 1e5, 1e6], y: [27, 30, 31], dashed: true),
        ], references: [ReferenceLine("dense", at: 31.07)], logX: true, note: "64x64, 3 seeds")
        let outputs = try Gnuplot.render(plot, to: scratch.appendingPathComponent("line"), formats: [.png, .svg, .pdf])
        #expect(outputs.count == 3)
        #expect(isPNG(outputs[0]))
        #expect(try String(contentsOf: outputs[1], encoding: .utf8).contains("<svg"))
        #expect(try Data(contentsOf: outputs[2]).prefix(4) == Data("%PDF".utf8))
    }

    @Test func heatMapBarChartAndImageGrid() throws {
        let heat = HeatMap(rowLabels: ["a", "b"], columnLabels: ["x", "y", "z"], values: [[1, 2, 3], [4, 5, 6]])
        #expect(isPNG(try Gnuplot.render(heat, to: scratch.appendingPathComponent("heat"), formats: [.png])[0]))
        let bars = BarChart(categories: ["denoise", "SR"], groups: [.init("LIP", values: [31, 25], errors: [0.1, 0.2]),
                                                                  .init("DD", values: [29, 24], errors: [0.3, 0.1])],
                            yLabel: "PSNR")
        #expect(isPNG(try Gnuplot.render(bars, to: scratch.appendingPathComponent("bars"), formats: [.png])[0]))
        let image = Image(channels: 3, height: 8, width: 8, pixels: (0..<192).map { Float($0) / 192 })
        let grid = ImageGrid(rows: [[.init(image, caption: "79 % · 34.52 dB"), .init(image, caption: "dense")]])
        #expect(isPNG(try Gnuplot.render(grid, to: scratch.appendingPathComponent("grid"), formats: [.png])[0]))
    }

    @Test func histogramCountsEveryValueOnceAndDrawsItsMarkers() throws {
        let histogram = Histogram(xLabel: "|w|", values: [0, 0.1, 0.25, 0.5, 0.99, 1, 7, -3], bins: 4, range: 0...1,
                                  markers: [.init("20 % cut", at: 0.3)], logY: true)
        #expect(histogram.edges == [0, 0.25, 0.5, 0.75] && histogram.width == 0.25)
        #expect(histogram.counts == [3, 1, 1, 3])  // -3 and 7 fall into the first and last bins; 1 is the last bin's
        #expect(isPNG(try Gnuplot.render(histogram, to: scratch.appendingPathComponent("histogram"), formats: [.png])[0]))
        #expect(throws: GnuplotError.self) { try Gnuplot.render(Histogram(xLabel: "x", values: []), to: scratch.appendingPathComponent("empty")) }
    }

    @Test func aCollapsingCurveGetsItsOwnPanelAndBadBandsAreRefused() throws {
        let x: [Double] = [20, 59, 89]
        var plot = BandPlot(xLabel: "sparsity (%)", yLabel: "PSNR (dB)", bands: [
            .init("IMP", x: x, mean: [28.1, 28.3, 27.9], spread: [0.2, 0.3, 0.2]),
            .init("random", x: x, mean: [27.9, 27.5, 26.8], spread: [0.2, 0.2, 0.4]),
            .init("SNIP", x: x, mean: [27.0, 18.0, 12.0], spread: [0.5, 1.0, 2.0]),
        ], references: [ReferenceLine("dense", at: 28.0)], spreadTitle: "± one std over 3 seeds")
        #expect(plot.offScale == [2])
        #expect(isPNG(try Gnuplot.render(plot, to: scratch.appendingPathComponent("bands"), formats: [.png])[0]))
        plot.offScaleFactor = nil
        #expect(plot.offScale.isEmpty)
        let bad = BandPlot(xLabel: "x", yLabel: "y", bands: [.init("short", x: [1, 2], mean: [1])])
        #expect(throws: GnuplotError.self) { try Gnuplot.render(bad, to: scratch.appendingPathComponent("bad-bands")) }
    }

    struct Broken: Figure {
        func gnuplotCommands(dataDirectory: URL) throws -> String { "plot sin(x) with linez" }
    }

    @Test func gnuplotErrorsCarryItsMessageAndLeaveNoFile() throws {
        let base = scratch.appendingPathComponent("broken")
        do {
            try Gnuplot.render(Broken(), to: base, formats: [.png])
            Issue.record("a broken script rendered")
        } catch let error as GnuplotError {
            #expect(error.message.contains("linez") || error.message.lowercased().contains("unrecognized")
                    || error.message.lowercased().contains("expecting"))
        }
        #expect(!FileManager.default.fileExists(atPath: base.appendingPathExtension("png").path))
    }

    @Test func barsBelowZeroAreOnTheAxis() throws {
        // The default axis started at 0, so negative bars drew nothing and gnuplot failed.
        let bars = BarChart(categories: ["a", "b"], groups: [.init("gain", values: [0.6, -0.3])], yLabel: "dB")
        let base = scratch.appendingPathComponent("negative")
        #expect(isPNG(try Gnuplot.render(bars, to: base, formats: [.png])[0]))
        #expect(try String(contentsOf: base.appendingPathExtension("gp"), encoding: .utf8).contains("set yrange [*:*]"))
    }

    @Test func percentSignsInTicLabelsAreLiteral() throws {
        // gnuplot reads explicit tic labels as formats; "73.8%)" used to fail to render.
        let heat = HeatMap(rowLabels: ["denoising (73.8%)", "100 %"], columnLabels: ["1", "2"], values: [[1, 2], [3, 4]])
        let base = scratch.appendingPathComponent("percent")
        #expect(isPNG(try Gnuplot.render(heat, to: base, formats: [.png])[0]))
        #expect(try String(contentsOf: base.appendingPathExtension("gp"), encoding: .utf8).contains("'denoising (73.8%%)' 0"))
    }

    @Test func textMaskIsBinaryMostlyKnownAndHasText() throws {
        let mask = try TextMask.render(width: 96, height: 64, lines: 4, scratch: scratch.appendingPathComponent("mask"))
        #expect(mask.channels == 1 && mask.width == 96 && mask.height == 64)
        #expect(mask.pixels.allSatisfy { $0 == 0 || $0 == 1 })
        let known = Double(mask.pixels.reduce(0, +)) / Double(mask.pixels.count)
        // Letters cover some pixels on every line, but most stay known.
        #expect(known > 0.6 && known < 0.98)
        for line in 0..<4 {
            let rows = (line * 16)..<((line + 1) * 16)
            let holes = rows.reduce(0) { sum, row in sum + (0..<96).filter { mask.pixels[row * 96 + $0] == 0 }.count }
            #expect(holes > 0, "line \(line) has no text")
        }
    }

    @Test func mismatchedDataIsAnError() {
        let heat = HeatMap(rowLabels: ["a"], columnLabels: ["x", "y"], values: [[1]])
        #expect(throws: GnuplotError.self) { try Gnuplot.render(heat, to: scratch.appendingPathComponent("bad"), formats: [.png]) }
    }
}
