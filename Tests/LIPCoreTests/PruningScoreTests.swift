import Foundation
import LIPCore
import Networks
import Testing
import TensorKit

/// SNIP, GraSP and SynFlow scores against PyTorch's, on one θ0 of a small hourglass at
/// 64x64 (`Fixtures/make-pruning-score-fixtures.py` says how each is computed there).
struct PruningScoreTests {
    let fixture: SafeTensors
    let network: Sequential
    let input: Tensor
    let target: Tensor

    init() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/pruning-scores.safetensors").path
        fixture = try SafeTensors.read(path)
        var configuration = SkipConfiguration.dip
        configuration.inputChannels = 4
        configuration.channelsDown = [8, 8, 8, 8, 8]
        configuration.channelsUp = [8, 8, 8, 8, 8]
        network = makeSkipNetwork(configuration)
        let extra = Set(fixture.entries.map(\.name).filter { $0.hasPrefix("input.") || $0.hasPrefix("snip.")
            || $0.hasPrefix("grasp.") || $0.hasPrefix("synflow.") })
        try network.loadStateDict(fixture, source: "fixture", allowedExtraKeys: extra)
        input = try Self.tensor("input.z", in: fixture)
        target = try Self.tensor("input.target", in: fixture)
    }

    static func tensor(_ name: String, in fixture: SafeTensors) throws -> Tensor {
        let entry = try #require(fixture.entries.first { $0.name == name })
        return Tensor(shape: entry.shape, data: entry.floats)
    }

    /// The reference scores, layer by layer in the network's order.
    func reference(_ method: String) throws -> [[Float]] {
        try network.convolutions.map { conv in
            try #require(fixture.entries.first { $0.name == "\(method).\(conv.path).weight" }).floats
        }
    }

    /// ‖ours − reference‖ / ‖reference‖ over all weights, and the overlap of the top 20 %.
    func agreement(_ ours: [[Float]], _ reference: [[Float]]) -> (relativeError: Double, topOverlap: Double) {
        let a = ours.flatMap { $0 }, b = reference.flatMap { $0 }
        let difference = zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
        let norm = b.reduce(0.0) { $0 + Double($1) * Double($1) }
        let k = b.count / 5
        func top(_ values: [Float]) -> Set<Int> { Set(values.indices.sorted { values[$0] > values[$1] }.prefix(k)) }
        return ((difference / norm).squareRoot(), Double(top(a).intersection(top(b)).count) / Double(k))
    }

    func loss(_ output: Tensor) -> Tensor { meanSquaredError(output, target) }

    @Test func snipMatchesPyTorch() throws {
        let ours = Pruner.snipScores(network: network, input: input, loss: loss)
        let (error, overlap) = agreement(ours, try reference("snip"))
        #expect(error < 1e-4, "relative error \(error)")
        #expect(overlap > 0.995, "top-20 % overlap \(overlap)")
    }

    @Test func synflowMatchesPyTorch() throws {
        let ours = Pruner.synflowScores(network: network, inputShape: [1, 4, 64, 64])
        let (error, overlap) = agreement(ours, try reference("synflow"))
        #expect(error < 1e-4, "relative error \(error)")
        #expect(overlap > 0.995, "top-20 % overlap \(overlap)")
        // Scoring leaves the network as it was.
        let again = Pruner.snipScores(network: network, input: input, loss: loss)
        #expect(agreement(again, try reference("snip")).relativeError < 1e-4)
    }

    /// GraSP's Hessian-gradient product: central differences of the gradient on the
    /// network linearized at θ0 (LeakyReLU slopes held) against PyTorch's double backward.
    /// (Without the held slopes the differences crossed LeakyReLU's kinks: 148 % off.)
    @Test func graspMatchesPyTorch() throws {
        let ours = Pruner.graspScores(network: network, input: input, loss: loss)
        let (error, overlap) = agreement(ours, try reference("grasp"))
        // Measured: 4.6e-4 and 1.0.
        #expect(error < 5e-3, "relative error \(error)")
        #expect(overlap > 0.99, "top-20 % overlap \(overlap)")
        // Scoring leaves the network as it was: plain LeakyReLUs, θ0's weights.
        #expect(network.namedModules().compactMap { $0.layer as? Activation }.allSatisfy { $0.linearization == nil })
        #expect(agreement(Pruner.snipScores(network: network, input: input, loss: loss), try reference("snip")).relativeError < 1e-4)
    }
}
