import Foundation
import ImageIO
import Testing

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

func temporaryPath(_ name: String) -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lip-tests-\(getpid())")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent(name).path
}

struct PNGReadTests {
    @Test func sixteenBitGray() throws {
        let (image, info) = try PNG.readWithInfo(fixtures.appendingPathComponent("gray16.png").path)
        #expect(info.bitDepth == 16 && info.storedChannels == 1)
        #expect(image.channels == 1 && image.width == 3 && image.height == 2)
        let expected: [Float] = [0, 1000, 65535, 32768, 12345, 54321].map { Float($0) / 65535 }
        for (a, e) in zip(image.pixels, expected) { #expect(abs(a - e) < 1e-7) }
    }

    @Test func sixteenBitRGBIsPlanar() throws {
        let image = try PNG.read(fixtures.appendingPathComponent("rgb16.png").path)
        #expect(image.channels == 3 && image.width == 2 && image.height == 1)
        // Pixels (65535, 0, 256) and (1, 2, 3) stored as planes R, G, B.
        let expected: [Float] = [65535, 1, 0, 2, 256, 3].map { Float($0) / 65535 }
        for (a, e) in zip(image.pixels, expected) { #expect(abs(a - e) < 1e-7) }
    }

    @Test func alphaIsDropped() throws {
        let gray = try PNG.read(fixtures.appendingPathComponent("graya8.png").path)
        #expect(gray.channels == 1)
        let expectedGray: [Float] = [10, 200].map { $0 / 255 }
        #expect(gray.pixels == expectedGray)
        let rgba = try PNG.read(fixtures.appendingPathComponent("rgba8.png").path)
        #expect(rgba.channels == 3)
        let expectedRGB: [Float] = [255, 1, 0, 2, 0, 3].map { $0 / 255 }
        #expect(rgba.pixels == expectedRGB)
    }

    @Test func paletteIsExpandedToRGB() throws {
        let image = try PNG.read(fixtures.appendingPathComponent("palette8.png").path)
        // Indices 2, 1, 0 of the palette (0,0,0), (255,128,0), (10,20,30).
        #expect(image.channels == 3 && image.width == 3)
        let expected: [Float] = [10, 255, 0, 20, 128, 0, 30, 0, 0].map { $0 / 255 }
        #expect(image.pixels == expected)
    }

    @Test func lowBitDepthGrayIsScaled() throws {
        let image = try PNG.read(fixtures.appendingPathComponent("gray1.png").path)
        #expect(image.pixels == [1, 0, 1, 1, 0, 0, 1, 0])
    }

    @Test func grayExpandsToRGBOnRequest() throws {
        let image = try PNG.read(fixtures.appendingPathComponent("gray1.png").path, color: .rgb)
        #expect(image.channels == 3)
        #expect(Array(image.pixels[8..<16]) == Array(image.pixels[0..<8]))
    }
}

struct PNGWriteTests {
    @Test(arguments: [1, 3])
    func roundTripKeepsEightBitValues(channels: Int) throws {
        let pixels = (0..<(channels * 5 * 4)).map { Float(($0 * 37) % 256) / 255 }
        let image = Image(channels: channels, height: 4, width: 5, pixels: pixels)
        let path = temporaryPath("roundtrip\(channels).png")
        try PNG.write(image, to: path)
        let back = try PNG.read(path)
        #expect(back == image)
    }

    @Test func writingClipsAndRounds() throws {
        let image = Image(channels: 1, height: 1, width: 3, pixels: [-0.5, 0.5, 1.7])
        let path = temporaryPath("clip.png")
        try PNG.write(image, to: path)
        let expected: [Float] = [0, 128 / 255, 1]
        #expect(try PNG.read(path).pixels == expected)
    }

    @Test func cannotWriteTwoChannels() {
        let image = Image(channels: 2, height: 1, width: 1, pixels: [0, 0])
        #expect(throws: ImageError.self) { try PNG.write(image, to: temporaryPath("two.png")) }
    }

    @Test func unwritableFolderNamesThePath() {
        let path = "/nonexistent-folder/x.png"
        do {
            try PNG.write(Image(channels: 1, height: 1, width: 1, pixels: [0]), to: path)
            Issue.record("writing into a missing folder succeeded")
        } catch {
            #expect("\(error)".contains(path))
        }
    }
}

struct PNGErrorTests {
    @Test func missingFile() {
        #expect(throws: ImageError.notFound(path: "/no/such.png")) { try PNG.read("/no/such.png") }
    }

    @Test func notAPNG() throws {
        let path = temporaryPath("text.png")
        try "hello, not an image".write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try PNG.read(path)
            Issue.record("a text file decoded as PNG")
        } catch let error as ImageError {
            #expect(error.description.contains(path))
            #expect(error.description.contains("signature"))
        }
    }

    @Test func truncatedPNG() throws {
        let bytes = try Data(contentsOf: fixtures.appendingPathComponent("gray16.png"))
        let path = temporaryPath("truncated.png")
        try bytes.prefix(40).write(to: URL(fileURLWithPath: path))
        #expect(throws: ImageError.self) { try PNG.read(path) }
    }

    @Test func corruptCompressedData() throws {
        var bytes = [UInt8](try Data(contentsOf: fixtures.appendingPathComponent("gray16.png")))
        // Flip bytes inside the IDAT payload (after the 8-byte signature and 25-byte IHDR).
        for i in 45..<55 { bytes[i] ^= 0xFF }
        let path = temporaryPath("corrupt.png")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: ImageError.self) { try PNG.read(path) }
    }
}

struct ImageTests {
    @Test func centerCropToMultipleOf32() {
        let image = Image(channels: 1, height: 70, width: 100, pixels: (0..<7000).map(Float.init))
        let cropped = image.centerCropped(toMultipleOf: 32)
        #expect(cropped.height == 64 && cropped.width == 96)
        // offsets (70-64)/2 = 3 rows, (100-96)/2 = 2 columns
        #expect(cropped[0, 0, 0] == image[0, 3, 2])
    }

    @Test func centerCropToSize() {
        let image = Image(channels: 2, height: 5, width: 5, pixels: (0..<50).map(Float.init))
        let cropped = image.centerCropped(height: 3, width: 3)
        #expect(cropped[1, 0, 0] == image[1, 1, 1])
        #expect(cropped.pixels.count == 18)
    }
}
