import Foundation
import ImageIO
import LIPCore
import Networks
import Testing
import TensorKit

func gradientImage(channels: Int = 3, side: Int = 64) -> Image {
    Image(channels: channels, height: side, width: side, pixels: (0..<(channels * side * side)).map { i in
        let c = i / (side * side), r = (i / side) % side, q = i % side
        return Float(0.5 + 0.4 * sin(Double(r) * 0.3 + Double(c)) * cos(Double(q) * 0.2))
    })
}

struct DownsamplerTests {
    /// Normalized 1-D taps computed from DIP's `downsampler.py` (reference digest).
    @Test func lanczosTapsMatchTheReference() {
        let x2 = LanczosDownsampler(factor: 2).taps
        let expected2 = [-0.00886333, -0.04194003, 0.11650009, 0.43430327, 0.43430327, 0.11650009, -0.04194003, -0.00886333]
        #expect(x2.count == 8)
        for (a, e) in zip(x2, expected2) { #expect(abs(a - e) < 1e-7) }
        let x4 = LanczosDownsampler(factor: 4).taps
        let expected4 = [-0.00106538, -0.0097517, -0.02038399, -0.01487789, 0.02459406, 0.0986585, 0.18311528, 0.23971112]
        #expect(x4.count == 16)
        for (a, e) in zip(x4, expected4) { #expect(abs(a - e) < 1e-7) }
        #expect(abs(x4[15] - expected4[0]) < 1e-7)  // symmetric
        let x8 = LanczosDownsampler(factor: 8).taps
        #expect(x8.count == 32)
        #expect(abs(x8[0] - -0.00012778) < 1e-7)
        #expect(abs(x8[15] - 0.12279667) < 1e-7)
        #expect(LanczosDownsampler(factor: 4).padding == 6)
        #expect(LanczosDownsampler(factor: 8).padding == 12)
    }

    @Test func downsamplingKeepsConstantsAndDividesTheSize() {
        let constant = Tensor(filling: 0.3, shape: [1, 3, 32, 48])
        let low = LanczosDownsampler(factor: 4)(constant)
        #expect(low.shape == [1, 3, 8, 12])
        #expect(low.data.allSatisfy { abs($0 - 0.3) < 1e-5 })
    }

    @Test func channelsDoNotMix() {
        var data = [Float](repeating: 0, count: 3 * 16 * 16)
        for i in 0..<256 { data[i] = 1 }  // red only
        let low = LanczosDownsampler(factor: 2)(Tensor(shape: [1, 3, 16, 16], data: data))
        #expect(low.data[64...].allSatisfy { $0 == 0 })
    }
}

struct QualityTests {
    @Test func bt601Luma() {
        let white = Image(channels: 3, height: 1, width: 1, pixels: [1, 1, 1])
        let black = Image(channels: 3, height: 1, width: 1, pixels: [0, 0, 0])
        #expect(abs(lumaBT601(white)[0] - 235.0 / 255) < 1e-5)
        #expect(abs(lumaBT601(black)[0] - 16.0 / 255) < 1e-6)
        let red = Image(channels: 3, height: 1, width: 1, pixels: [1, 0, 0])
        #expect(abs(lumaBT601(red)[0] - Float((16 + 65.481) / 255)) < 1e-6)
    }

    @Test func yPSNRShavesTheBorder() {
        let a = gradientImage(side: 16)
        var b = a
        for c in 0..<3 { b[c, 0, 0] += 0.5 }  // a change inside the 4-pixel border only
        #expect(psnrY(a, b).isInfinite)
        b[0, 8, 8] += 0.1
        #expect(psnrY(a, b).isFinite)
    }

    /// scikit-image 0.26 `structural_similarity(a, b, gaussian_weights=True, sigma=1.5,
    /// use_sample_covariance=False, data_range=1, channel_axis=0)` on these images: 0.7700112.
    @Test func ssimMatchesScikitImage() {
        let a = gradientImage(side: 32)
        var b = a
        for c in 0..<3 {
            for r in 0..<32 {
                for q in 0..<32 { b[c, r, q] = Float(Double(a[c, r, q]) + 0.1 * sin(Double(r) * 1.7 + Double(q) * 0.9 + Double(c))) }
            }
        }
        #expect(abs(ssim(a, b) - 0.7700112) < 1e-4)
    }

    @Test func ssimIsOneForIdenticalImagesAndFallsWithNoise() {
        let a = gradientImage(side: 32)
        #expect(abs(ssim(a, a) - 1) < 1e-12)
        let slightly = addGaussianNoise(to: a, sigma: 5, seed: 1)
        let very = addGaussianNoise(to: a, sigma: 50, seed: 1)
        #expect(ssim(slightly, a) < 1)
        #expect(ssim(very, a) < ssim(slightly, a))
        #expect(abs(ssim(slightly, a) - ssim(a, slightly)) < 1e-12)
    }
}

struct ProblemTests {
    @Test func bernoulliMaskKeepsTheRequestedFractionPerChannel() throws {
        let problem = try RestorationProblem.inpainting(gradientImage(side: 64), keep: 0.5, seed: 3)
        let mask = problem.mask!.pixels
        let kept = Double(mask.reduce(0, +)) / Double(mask.count)
        #expect(abs(kept - 0.5) < 0.02)
        // Independent per channel: the channel planes differ.
        #expect(Array(mask[0..<4096]) != Array(mask[4096..<8192]))
        #expect(zip(problem.observation.pixels, mask).allSatisfy { $1 == 1 || $0 == 0 })
    }

    @Test func grayMaskAppliesToEveryChannel() throws {
        let clean = gradientImage(side: 32)
        let gray = Image(channels: 1, height: 32, width: 32, pixels: (0..<1024).map { $0 % 3 == 0 ? 0 : 1 })
        let problem = try RestorationProblem.inpainting(clean, mask: gray)
        #expect(Array(problem.mask!.pixels[0..<1024]) == Array(problem.mask!.pixels[2048..<3072]))
    }

    @Test func maskOfTheWrongSizeIsRejectedWithBothSizes() {
        let clean = gradientImage(side: 64)
        let mask = Image(channels: 1, height: 32, width: 32, filling: 1)
        do {
            _ = try RestorationProblem.inpainting(clean, mask: mask, maskName: "kate_mask.png")
            Issue.record("a mismatched mask was accepted")
        } catch {
            #expect("\(error)".contains("kate_mask.png is 32x32 but the image is 64x64"))
        }
    }

    @Test func superResolutionNeedsADivisibleSize() throws {
        #expect(throws: ProblemError.self) { try RestorationProblem.superResolution(gradientImage(side: 36), factor: 8) }
        let problem = try RestorationProblem.superResolution(gradientImage(side: 64), factor: 4)
        #expect(problem.observation.height == 16)
        // Made as DIP and LIP make it: Pillow's Lanczos resize of the 8-bit image.
        #expect(problem.observation == gradientImage(side: 64).pillowLanczosResized(width: 16, height: 16))
        #expect(problem.observation.pixels.allSatisfy { abs(($0 * 255).rounded() - $0 * 255) < 1e-3 })
        #expect(problem.defaultSettings.iterations == 2000)
        #expect(problem.defaultSettings.inputNoiseStd == 0.03)
    }

    @Test func theDegradationSaysWhatTheProblemIs() throws {
        let clean = Image(channels: 3, height: 64, width: 64, pixels: (0..<(3 * 64 * 64)).map { Float($0 % 64) / 63 })
        let noisy = RestorationProblem.denoising(clean, sigma: 50, seed: 1)
        guard case .noise(let sigma) = noisy.degradation else { Issue.record("denoising is noise"); return }
        #expect(sigma == 50 && noisy.task == .denoise && noisy.sigma == 50 && noisy.mask == nil && noisy.factor == nil)
        #expect(noisy.degradationLabel == "σ 50")
        #expect(noisy.defaultSettings.inputNoiseStd == FitSettings.inputNoiseStd(forSigma: 50))
        #expect(FitSettings.inputNoiseStd(forSigma: 25) == 1.0 / 30.0 && FitSettings.inputNoiseStd(forSigma: 50) == 1.0 / 20.0)
        let low = try RestorationProblem.superResolution(clean, factor: 4)
        guard case .downsampling(let factor) = low.degradation else { Issue.record("SR is downsampling"); return }
        #expect(factor == 4 && low.task == .sr && low.factor == 4 && low.sigma == nil && low.degradationLabel == "x4")
        let holes = try RestorationProblem.inpainting(clean, keep: 0.5, seed: 1)
        guard case .missingPixels(let mask) = holes.degradation else { Issue.record("inpainting is missing pixels"); return }
        #expect(holes.task == .inpaint && holes.mask == mask && holes.factor == nil)
        #expect(holes.degradationLabel.hasPrefix("random mask"))
    }

    @Test func maskFindingUsesTheCleanImageForDenoisingOnly() throws {
        let clean = gradientImage(side: 64)
        let denoise = RestorationProblem.denoising(clean, sigma: 25, seed: 1)
        #expect(denoise.maskFindingProblem.observation == clean)
        let inpaint = try RestorationProblem.inpainting(clean, keep: 0.5, seed: 1)
        #expect(inpaint.maskFindingProblem.observation == inpaint.observation)
    }

    @Test(arguments: RestorationTask.allCases)
    func taskLossGradientsMatchFiniteDifferences(task: RestorationTask) throws {
        let clean = gradientImage(side: 16)
        let problem: RestorationProblem
        switch task {
        case .denoise: problem = .denoising(clean, sigma: 25, seed: 1)
        case .inpaint: problem = try .inpainting(clean, keep: 0.6, seed: 2)
        case .sr: problem = try .superResolution(clean, factor: 2)
        }
        var random = RandomSource(seed: 4)
        let output = Tensor(shape: [1, 3, 16, 16], data: random.uniform(count: 768), requiresGradient: true)
        problem.loss(output).backward()
        let analytic = output.gradient!
        for i in stride(from: 0, to: 768, by: 37) {
            let saved = output.data[i]
            output.data[i] = saved + 1e-2
            let plus = Double(GradientMode.withoutGradients { problem.loss(output).scalar })
            output.data[i] = saved - 1e-2
            let minus = Double(GradientMode.withoutGradients { problem.loss(output).scalar })
            output.data[i] = saved
            let numeric = (plus - minus) / 2e-2
            #expect(abs(numeric - Double(analytic[i])) < 1e-5 + 1e-2 * abs(numeric), "element \(i)")
        }
    }
}

struct DeepDecoderTests {
    @Test(arguments: [(64, 25_536), (128, 100_224), (32, 6_624)])
    func parameterCountFollowsTheFormula(channels: Int, expected: Int) {
        let configuration = DeepDecoderConfiguration(channels: channels)
        #expect(configuration.parameterCount == expected)
        #expect(makeDeepDecoder(configuration).parameterCount == expected)
    }

    @Test func outputSizeAndMatchingWidth() throws {
        let prior = Prior.deepDecoder(DeepDecoderConfiguration(channels: 8))
        let network = prior.makeNetwork(channels: 3, seed: 1)
        let input = try prior.makeInput(height: 64, width: 64, seed: 2)
        #expect(input.shape == [1, 8, 2, 2])
        #expect(network(input).shape == [1, 3, 64, 64])
        #expect(DeepDecoderConfiguration.channels(matching: 100_224) == 128)
    }
}
