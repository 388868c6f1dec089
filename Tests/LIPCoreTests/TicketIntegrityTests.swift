import Foundation
import ImageIO
@testable import LIPCore
import Networks
import Testing
import TensorKit

/// A ticket folder is trusted only as far as its recorded specification and file hashes:
/// a resume with another problem is refused naming the difference, a damaged file is
/// never served and is recomputed to exactly what it was.
struct TicketIntegrityTests {
    func flipByte(_ url: URL, fromEnd offset: Int = 10) throws {
        var data = try Data(contentsOf: url)
        data[data.count - offset] ^= 0x01
        try data.write(to: url)
    }

    @Test func aDamagedMaskIsRefusedThenRecomputedToTheSameBytes() throws {
        let folder = ticketFolder("damaged")
        let intact = try search(.imp, rounds: 3, folder: folder)
        try flipByte(folder.maskURL(round: 2))
        #expect(throws: TicketError.self) { try folder.mask(round: 2, for: makeSkipNetwork(.dip)) }

        let repaired = try search(.imp, rounds: 3, folder: folder)
        #expect(repaired.files == intact.files)
        #expect(repaired.rounds.map(\.round) == intact.rounds.map(\.round))
        _ = try folder.mask(round: 2, for: makeSkipNetwork(.dip))
    }

    @Test func aTruncatedLastMaskIsNotReportedComplete() throws {
        let folder = ticketFolder("truncated")
        let intact = try search(.random, rounds: 3, folder: folder)
        let url = folder.maskURL(round: 3)
        try Data(try Data(contentsOf: url).prefix(100)).write(to: url)
        var messages: [String] = []
        let problem = RestorationProblem.denoising(gradientImage(side: 64), sigma: 25, seed: 1).maskFindingProblem
        var settings = problem.defaultSettings
        settings.iterations = 3
        var resumed = TicketSearch(configuration: intact.configuration, problems: [problem], folder: folder, settings: settings)
        resumed.progress = { messages.append($0) }
        let repaired = try resumed.run()
        #expect(messages.first?.contains("round-03.safetensors is damaged") == true, "\(messages)")
        #expect(!messages.contains { $0.hasPrefix("already complete") })
        #expect(repaired.files == intact.files)
    }

    @Test func aDamagedInitializationIsDrawnAgainFromTheSeed() throws {
        let folder = ticketFolder("theta0")
        let intact = try search(.imp, rounds: 1, folder: folder)
        try flipByte(folder.initialWeightsURL, fromEnd: 1000)
        #expect(throws: TicketError.self) { try folder.initialWeights() }
        let repaired = try search(.imp, rounds: 1, folder: folder)
        #expect(repaired.files == intact.files)
    }

    @Test func resumingWithAnotherImageContentIsRefusedNamingIt() throws {
        let folder = ticketFolder("other-image")
        _ = try search(.imp, rounds: 1, folder: folder)
        var other = gradientImage(side: 64)
        other.pixels[0] += 0.25
        let problem = RestorationProblem.denoising(other, sigma: 25, seed: 1).maskFindingProblem
        var settings = problem.defaultSettings
        settings.iterations = 3
        let configuration = try folder.manifest().configuration
        let search = TicketSearch(configuration: configuration, problems: [problem], folder: folder, settings: settings)
        do {
            _ = try search.run()
            Issue.record("a search over other pixels was resumed")
        } catch {
            #expect("\(error)".contains("has other pixels"), "\(error)")
        }
    }

    @Test func specificationsNameSizeAndSigmaDifferencesButNotThreads() {
        let small = RestorationProblem.denoising(gradientImage(side: 64), sigma: 25, seed: 1)
        let large = RestorationProblem.denoising(gradientImage(side: 96), sigma: 25.7, seed: 1)
        let a = TicketSpecification(problems: [small], paths: ["x.png"], threads: 2)
        let b = TicketSpecification(problems: [large], paths: ["x.png"], threads: 1)
        let differences = b.differences(from: a).joined(separator: "\n")
        #expect(differences.contains("96x96x3 after cropping here, 64x64x3 in the folder"))
        #expect(differences.contains("σ 25.7 here, 25.0 in the folder"))
        // Results do not depend on the thread count: a resume on another count is allowed.
        #expect(!differences.contains("thread"))
        #expect(a.differences(from: a).isEmpty)
    }

    @Test func anOldFormatFolderIsNotResumed() throws {
        let folder = ticketFolder("old-format")
        _ = try search(.imp, rounds: 1, folder: folder)
        var manifest = try folder.manifest()
        manifest.format = "lip-ticket/1"
        manifest.specification = nil
        manifest.files = nil
        try folder.write(manifest)
        #expect(throws: TicketError.self) { try search(.imp, rounds: 2, folder: folder) }
        // Reading it still works (nothing to verify against).
        _ = try folder.mask(round: 1, for: makeSkipNetwork(.dip))
    }
}
