import Foundation
import Testing
@testable import GenerativePrior

struct IDXTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A gzip'd IDX file of three 2x3 images holding the bytes 0...17, made with Python's
    /// gzip and struct modules.
    @Test func readsAGzippedFixture() throws {
        let array = try IDXArray.read(Self.fixtures.appendingPathComponent("tiny-images-idx3-ubyte.gz").path)
        #expect(array.dimensions == [3, 2, 3])
        #expect(array.values == Array(0..<18))
    }

    @Test func aTruncatedGzipIsAClearError() {
        let path = Self.fixtures.appendingPathComponent("truncated-images-idx3-ubyte.gz").path
        #expect(throws: IDXArray.Failure.truncatedCompression(path: path)) { try IDXArray.read(path) }
        #expect("\(IDXArray.Failure.truncatedCompression(path: path))".contains("ends early"))
    }

    @Test func readsUncompressedIDXAndChecksTheHeader() throws {
        let header: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 4]
        #expect(try IDXArray.decode(Data(header + [9, 8, 7, 6])).values == [9, 8, 7, 6])
        #expect(throws: IDXArray.Failure.sizeMismatch(path: "<memory>", expected: 4, found: 3)) {
            try IDXArray.decode(Data(header + [9, 8, 7]))
        }
        #expect(throws: IDXArray.Failure.self) { try IDXArray.decode(Data([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0])) }
        #expect(throws: IDXArray.Failure.self) { try IDXArray.decode(Data([1, 2])) }
        #expect(throws: IDXArray.Failure.corruptCompression(path: "<memory>", reason: "unknown compression method")) {
            try IDXArray.decode(Data([0x1f, 0x8b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))
        }
    }

    @Test func aMissingDatasetNamesThePackage() {
        #expect {
            try FashionMNIST.load(.test, directory: "/nonexistent-folder")
        } throws: { error in
            "\(error)".contains("dataset-fashion-mnist") && "\(error)".contains("t10k-images-idx3-ubyte.gz")
        }
    }

    /// The real files, when Debian's package is installed (CI installs it).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory)))
    func readsTheTestSplit() throws {
        let test = try FashionMNIST.load(.test)
        #expect(test.count == 10_000)
        #expect(test.images.count == 10_000 * 784)
        #expect(test.images.min()! == -1 && test.images.max()! == 1)
        #expect(Set(test.labels) == Set(0..<10))
        #expect(test.balancedIndices(perClass: 3).count == 30)
    }
}
