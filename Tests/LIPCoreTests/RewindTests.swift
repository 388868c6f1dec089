import Foundation
import ImageIO
import LIPCore
import Networks
import Testing
import TensorKit

/// Late rewinding must not leak the ground truth: denoising finds its masks on the clean
/// image, but the weights θ_R every later round starts from are trained on the noisy
/// observation.
struct RewindTests {
    @Test func denoisingRewindWeightsComeFromTheObservation() throws {
        let problem = RestorationProblem.denoising(gradientImage(side: 64), sigma: 25, seed: 1)
        let folder = ticketFolder("rewind-observation")
        let configuration = TicketSearchConfiguration(method: .imp, task: .denoise, images: ["gradient"],
                                                      degradation: problem.degradationLabel, rounds: 1, iterations: 3,
                                                      rewindIteration: 2, seed: 5)
        try findTicket(configuration, problems: [problem], in: folder.url.path)
        let stored = try folder.rewindWeights()

        /// θ0 trained two steps on `target` with round 0's input and jitter.
        func trained(on target: RestorationProblem) throws -> [SafeTensors.Entry] {
            var skip = SkipConfiguration.dip
            skip.outputChannels = 3
            let network = makeSkipNetwork(skip)
            try network.loadStateDict(try folder.initialWeights(), source: "θ0")
            let seed = TicketSearch(configuration: configuration, problems: [target], folder: folder,
                                    settings: FitSettings()).roundSeed(0)
            var settings = target.defaultSettings
            settings.iterations = 2
            settings.learningRate = configuration.learningRate
            settings.seed = seed
            let input = makeNetworkInput(depth: 32, height: 64, width: 64, seed: seed)
            _ = try fitDeepImagePrior(network: network, input: input, settings: settings, loss: { target.loss($0) },
                                      observedPSNR: { target.observedPSNR($0) }, clean: target.clean.pixels)
            return network.stateDict()
        }
        let onObservation = try trained(on: problem)
        let onClean = try trained(on: problem.maskFindingProblem)
        #expect(stored.entries == onObservation)
        #expect(stored.entries != onClean)
    }

    @Test func otherTasksCaptureRewindWeightsDuringRoundZero() throws {
        let clean = gradientImage(side: 64)
        let problem = try RestorationProblem.superResolution(clean, factor: 4)
        let configuration = TicketSearchConfiguration(method: .imp, task: .sr, images: ["gradient"],
                                                      degradation: problem.degradationLabel, rounds: 1, iterations: 3,
                                                      rewindIteration: 2, seed: 5)
        var search = TicketSearch(configuration: configuration, problems: [problem.maskFindingProblem],
                                  folder: ticketFolder("rewind-sr"), settings: problem.defaultSettings)
        search.trainRewindWeights(onObservationOf: [problem])
        #expect(search.rewindProblem == nil)
    }
}
