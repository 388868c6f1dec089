import Foundation
import ImageIO
import Testing

/// Pillow's LANCZOS resize reproduced to the bit, against files Pillow wrote
/// (`Fixtures/make-pillow-fixtures.py`, Pillow 13.0.0): reductions by 4 and 8 (how DIP
/// and LIP make super-resolution inputs), a non-integer reduction, and an enlargement.
struct PillowResizeTests {
    @Test(arguments: [(16, 16), (8, 8), (40, 24), (96, 80)])
    func matchesPillowSampleForSample(_ size: (Int, Int)) throws {
        let card = try PNG.read(fixtures.appendingPathComponent("card.png").path, color: .rgb)
        let expected = try PNG.read(fixtures.appendingPathComponent("card-lanczos-\(size.0)x\(size.1).png").path, color: .rgb)
        let resized = card.pillowLanczosResized(width: size.0, height: size.1)
        #expect(resized.width == size.0 && resized.height == size.1 && resized.channels == 3)
        let mismatches = zip(resized.quantized, expected.quantized).filter { $0 != $1 }.count
        #expect(mismatches == 0, "\(mismatches) of \(expected.pixels.count) samples differ from Pillow's")
    }

    @Test func tapsAreNormalizedAndAntialiased() {
        // Reducing by 4 stretches the Lanczos-3 window to 12 input pixels a side.
        let taps = PillowResize.taps(inputSize: 64, outputSize: 16)
        for weights in taps.weights {
            #expect(abs(weights.reduce(0, +) - (1 << 22)) <= weights.count)
        }
        #expect(taps.weights[8].count == 24 && taps.first[8] == 34 - 12 + 0)
        // A flat image stays flat.
        let flat = PillowResize.resize([UInt8](repeating: 77, count: 64 * 64), width: 64, height: 64, toWidth: 8, toHeight: 8)
        #expect(flat.allSatisfy { $0 == 77 })
    }
}
