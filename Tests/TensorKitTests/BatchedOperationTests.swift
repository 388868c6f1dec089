import Foundation
import Testing
import TensorKit

/// The operations a generator, a critic and a classifier use, over batches of more than
/// one image: gradients against finite differences, values against hand computations.
struct BatchedOperationTests {
    @Test(arguments: [ConvolutionLowering.automatic, .direct])
    func convolutionGradientsOverABatch(lowering: ConvolutionLowering) {
        // 18x18 output, so that the automatic lowering takes Winograd on a batch of 3.
        let x = randomTensor([3, 2, 18, 18], seed: 11)
        let w = randomTensor([4, 2, 3, 3], seed: 12)
        let b = randomTensor([4], seed: 13)
        checkGradients([x, w, b], tolerance: 3e-2) {
            conv2d($0[0], weight: $0[1], bias: $0[2], padding: 1, lowering: lowering)
        }
    }

    @Test func stridedConvolutionGradientsOverABatch() {
        let x = randomTensor([2, 3, 8, 8], seed: 14)
        let w = randomTensor([5, 3, 4, 4], seed: 15)
        let b = randomTensor([5], seed: 16)
        checkGradients([x, w, b], tolerance: 3e-2) { conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1) }
    }

    /// Each image of a batch is convolved on its own: the batch's outputs equal the
    /// single-image outputs stacked.
    @Test func aBatchConvolvesEachImageOnItsOwn() {
        let x = randomTensor([2, 3, 9, 9], seed: 17, requiresGradient: false)
        let w = randomTensor([4, 3, 3, 3], seed: 18, requiresGradient: false)
        let both = conv2d(x, weight: w, stride: 2, padding: 1)
        let plane = 3 * 81
        for n in 0..<2 {
            let one = Tensor(shape: [1, 3, 9, 9], data: Array(x.data[(n * plane)..<((n + 1) * plane)]))
            let single = conv2d(one, weight: w, stride: 2, padding: 1)
            let out = single.count
            #expect(zip(single.data, both.data[(n * out)..<((n + 1) * out)]).allSatisfy { abs($0 - $1) < 1e-5 })
        }
    }

    @Test func batchNormAndUpsamplingGradientsOverABatch() {
        let x = randomTensor([4, 3, 2, 2], seed: 19)
        let weight = randomTensor([3], seed: 20, low: 0.5, high: 1.5)
        let bias = randomTensor([3], seed: 21)
        checkGradients([x, weight, bias], tolerance: 3e-2) {
            upsample(batchNorm($0[0], weight: $0[1], bias: $0[2]), factor: 2, mode: .nearest)
        }
    }

    @Test func linearMatchesAHandComputation() {
        let x = Tensor(shape: [2, 3], data: [1, 2, 3, -1, 0, 2])
        let w = Tensor(shape: [2, 3], data: [1, 0, -1, 0.5, 2, 1])
        let b = Tensor(shape: [2], data: [0.25, -1])
        let y = linear(x, weight: w, bias: b)
        #expect(y.shape == [2, 2])
        let expected: [Float] = [-1.75, 6.5, -2.75, 0.5]  // by hand: x · wᵀ + b
        #expect(y.data == expected)
    }

    @Test func linearGradients() {
        let x = randomTensor([5, 7], seed: 22)
        let w = randomTensor([3, 7], seed: 23)
        let b = randomTensor([3], seed: 24)
        checkGradients([x, w, b]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        checkGradients([x, w]) { linear($0[0], weight: $0[1]) }
    }

    @Test func linearThenReshapeThenTanhGradients() {
        let z = randomTensor([2, 4], seed: 25)
        let w = randomTensor([2 * 2 * 3, 4], seed: 26)
        checkGradients([z, w]) { tanh(linear($0[0], weight: $0[1]).reshaped([2, 3, 2, 2])) }
    }

    /// log(1 + e^-|x|) + max(x, 0) - x t against the textbook form, including logits far
    /// from zero, where the textbook form overflows (-200 below).
    @Test func binaryCrossEntropyIsTheLogisticLoss() {
        let logits = Tensor(shape: [4], data: [0, 2, -3, 9])
        let targets = Tensor(shape: [4], data: [1, 0, 0.25, 1])
        func textbook(_ x: Double, _ t: Double) -> Double {
            let s = 1 / (1 + exp(-x))
            return -(t * log(s) + (1 - t) * log1p(-s))
        }
        let expected = zip(logits.data, targets.data).map { textbook(Double($0), Double($1)) }.reduce(0, +) / 4
        let loss = binaryCrossEntropy(logits: logits, targets: targets).scalar
        #expect(abs(Double(loss) - expected) < 1e-6)
        #expect(binaryCrossEntropy(logits: Tensor(shape: [1], data: [-200]), label: 1).scalar == 200)
    }

    @Test func binaryCrossEntropyGradients() {
        let logits = randomTensor([3, 5], seed: 27, low: -4, high: 4)
        let targets = randomTensor([3, 5], seed: 28, low: 0, high: 1, requiresGradient: false)
        checkGradients([logits]) { binaryCrossEntropy(logits: $0[0], targets: targets) }
    }

    @Test func softmaxCrossEntropyValueAndGradients() {
        let logits = Tensor(shape: [2, 3], data: [1, 2, 3, 1000, 0, -1000])
        let expected = ((log(exp(1.0) + exp(2.0) + exp(3.0)) - 1) + 0) / 2
        #expect(abs(Double(softmaxCrossEntropy(logits: logits, labels: [0, 0]).scalar) - expected) < 1e-5)
        let random = randomTensor([4, 6], seed: 29, low: -3, high: 3)
        checkGradients([random]) { softmaxCrossEntropy(logits: $0[0], labels: [0, 5, 2, 2]) }
    }

    /// An Adam restored from another's state continues exactly as the original does.
    @Test func adamContinuesFromItsState() {
        func gradientStep(_ p: Tensor, _ adam: Adam) {
            adam.zeroGradients()
            let loss = (p * p).sum() + (p * 3).sum()
            loss.backward()
            adam.step()
        }
        let original = randomTensor([10], seed: 30)
        let adam = Adam(parameters: [original], learningRate: 0.05, beta1: 0, beta2: 0.99)
        for _ in 0..<3 { gradientStep(original, adam) }
        let copy = Tensor(shape: original.shape, data: original.data, requiresGradient: true)
        let resumed = Adam(parameters: [copy], learningRate: 0.05, beta1: 0, beta2: 0.99)
        let state = adam.state
        resumed.restore(step: state.step, first: state.first, second: state.second)
        for _ in 0..<3 {
            gradientStep(original, adam)
            gradientStep(copy, resumed)
        }
        #expect(copy.data == original.data)
        #expect(resumed.stepCount == 6)
    }
}
