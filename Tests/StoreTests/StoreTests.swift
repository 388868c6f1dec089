import Foundation
import XCTest
import Store

final class StoreTests: XCTestCase {
    /// FIPS 180-4 example vectors, plus lengths around the block and padding boundaries
    /// (checked against `sha256sum`).
    func testSHA256KnownVectors() {
        XCTAssertEqual(SHA256.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex(String(repeating: "a", count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        XCTAssertEqual(SHA256.hex(String(repeating: "a", count: 55)),
                       "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        XCTAssertEqual(SHA256.hex(String(repeating: "a", count: 64)),
                       "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }

    /// Feeding the bytes in pieces of any size gives the same digest as one call.
    func testSHA256IncrementalUpdatesAgree() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }
        let whole = SHA256.hex(Data(bytes))
        for piece in [1, 3, 63, 64, 65, 200] {
            var hasher = SHA256()
            var start = 0
            while start < bytes.count {
                hasher.update(bytes[start..<min(start + piece, bytes.count)])
                start += piece
            }
            XCTAssertEqual(hasher.finalize(), whole, "pieces of \(piece)")
        }
    }

    func testAtomicWriteReplacesASymlinkInsteadOfFollowingIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let victim = folder.appendingPathComponent("victim.txt").path
        try "precious".write(toFile: victim, atomically: false, encoding: .utf8)
        let link = folder.appendingPathComponent("out.txt").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)

        try AtomicFile.write("new", to: link)
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious")
        XCTAssertEqual(try String(contentsOfFile: link, encoding: .utf8), "new")
        XCTAssertNil(try? FileManager.default.destinationOfSymbolicLink(atPath: link), "the link itself was replaced")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [])
    }

    func testAtomicWriteIntoAMissingFolderFailsNamingThePath() {
        XCTAssertThrowsError(try AtomicFile.write("x", to: "/nonexistent-folder/file.txt")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent-folder/file.txt"), "\(error)")
        }
    }

    func testCanonicalJSONSortsKeys() throws {
        XCTAssertEqual(try CanonicalJSON.string(["b": 1, "a": 2]), #"{"a":2,"b":1}"#)
        XCTAssertEqual(try CanonicalJSON.string(["path": "a/b"]), #"{"path":"a/b"}"#)
    }
}

final class ResultJSONTests: XCTestCase {
    struct Summary: Codable {
        var observationPSNR: Double
        var finalPSNR: Double
        var ratio: Double?
        var name: String
    }

    func testNonFiniteNumbersBecomeNullWithTheirReason() throws {
        let text = try ResultJSON.encode(Summary(observationPSNR: .infinity, finalPSNR: 31.5, ratio: .nan, name: "a/b"))
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        XCTAssertTrue(object["observationPSNR"] is NSNull)
        XCTAssertTrue(object["ratio"] is NSNull)
        XCTAssertEqual(object["finalPSNR"] as? Double, 31.5)
        XCTAssertEqual(object["name"] as? String, "a/b")
        let notes = object["nonFiniteValues"] as! [String: String]
        XCTAssertEqual(Set(notes.keys), ["observationPSNR", "ratio"])
        XCTAssertTrue(notes["observationPSNR"]!.hasPrefix("+infinity"))
        XCTAssertTrue(notes["ratio"]!.hasPrefix("NaN"))
    }

    func testFiniteValuesAreWrittenAsUsual() throws {
        let text = try ResultJSON.encode(Summary(observationPSNR: 20, finalPSNR: 31.5, ratio: nil, name: "x"))
        XCTAssertFalse(text.contains("nonFiniteValues"))
        let decoded = try ResultJSON.decode(Summary.self, from: Data(text.utf8))
        XCTAssertEqual(decoded.finalPSNR, 31.5)
        XCTAssertNil(decoded.ratio)
    }
}
