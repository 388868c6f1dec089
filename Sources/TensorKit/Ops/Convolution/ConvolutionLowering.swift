import Foundation

/// Which lowering a dense convolution may use.
public enum ConvolutionLowering: String, Sendable {
    /// Winograd F(2x2, 3x3) for 3x3 stride-1 kernels whose output has at least
    /// `winogradMinimumPlane` pixels (unless the environment sets `LIP_WINOGRAD=0`), the
    /// direct GEMM lowerings otherwise.
    case automatic
    /// The direct GEMM lowerings only (shifted GEMMs, im2col): the reference that the
    /// Winograd path is tested against.
    case direct

    /// Output pixels from which a 3x3 stride-1 convolution uses Winograd: below 16x16 the
    /// transformed GEMMs (16 of them, one column per 2x2 tile) are too small to pay.
    public static let winogradMinimumPlane = 16 * 16
    /// `LIP_WINOGRAD=0` turns Winograd off for the whole process.
    public static let winogradEnabled = ProcessInfo.processInfo.environment["LIP_WINOGRAD"] != "0"

    /// Whether a dense convolution of these shapes runs Winograd with this lowering.
    public func usesWinograd(input: [Int], weight: [Int], stride: Int, padding: Int) -> Bool {
        var g = ConvolutionGeometry(input: input, weight: weight, stride: stride, padding: padding, mode: .zero)
        g.lowering = self
        return g.usesWinograd
    }
}

/// Which lowering runs a convolution, and the passes that dispatch to it.
extension ConvolutionGeometry {
    /// The kernel and the lowering that runs it, for `OperationProfile`.
    var profileName: String {
        let path = pattern != nil ? "sparse" : usesWinograd ? "Winograd" : usesThinPointwise ? "GEMM, thin backward"
            : stride == 1 ? "shifted GEMMs" : "im2col"
        return "conv2d \(kernelHeight)x\(kernelWidth)/\(stride) \(inChannels)->\(outChannels) \(path)"
    }

    /// Whether the forward pass adds the bias itself: Winograd's output transform does, the
    /// copy out of the wide layout (rows at the padded width) of the other stride-1 passes
    /// does, and dense GEMMs straight into the output start from it; else the caller adds it.
    var forwardAddsBias: Bool { usesWinograd || (stride == 1 && (paddedWidth != outWidth || pattern == nil)) }

    /// Whether the dense backward pass runs `ThinPointwise`: 1x1 convolutions with a
    /// handful of output channels.
    var usesThinPointwise: Bool {
        lowering == .automatic && pattern == nil && isPointwise && outChannels <= ThinPointwise.maximumOutputs
    }

    /// Whether the dense passes run Winograd F(2x2, 3x3) (see `ConvolutionLowering`).
    var usesWinograd: Bool {
        lowering == .automatic && ConvolutionLowering.winogradEnabled && pattern == nil && stride == 1
            && kernelHeight == 3 && kernelWidth == 3 && outPlane >= ConvolutionLowering.winogradMinimumPlane
    }

    /// Writes the convolution into `y`, with the bias when `forwardAddsBias`.
    func forward(padded xp: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: [Float]?,
                 output y: UnsafeMutablePointer<Float>) {
        if usesWinograd {
            forwardWinograd(padded: xp, weight: weight, bias: bias, output: y)
        } else if let pattern {
            forwardSparse(pattern, padded: xp, weight: weight, bias: bias, output: y)
        } else if stride == 1 {
            forwardShifted(padded: xp, weight: weight, bias: bias, output: y)
        } else {
            forwardIm2col(padded: xp, weight: weight, output: y)
        }
    }

    /// Adds the weight gradient into `dw` and puts the input gradient into `dx` (each when
    /// not nil; `dx` starts zeroed where `inputGradientNeedsZeros`), with the lowering
    /// that ran the forward pass.
    func backward(padded xp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                  outputGradient dy: UnsafePointer<Float>,
                  inputGradient dx: inout [Float]?, weightGradient dw: inout [Float]?) {
        if let pattern {
            backwardSparse(pattern, padded: xp, weight: weight, outputGradient: dy, inputGradient: &dx, weightGradient: &dw)
            return
        }
        if usesThinPointwise {
            for n in 0..<batch {
                withOptionalPointer(&dx) { g in
                    withOptionalPointer(&dw) { w in
                        ThinPointwise.backward(xp + n * inChannels * paddedPlane, weight: weight,
                                               outputGradient: dy + n * outChannels * outPlane, channels: inChannels,
                                               outputs: outChannels, plane: outPlane,
                                               inputGradient: g.map { $0 + n * inChannels * paddedPlane }, weightGradient: w)
                    }
                }
            }
            return
        }
        if usesWinograd {
            backwardWinograd(padded: xp, weight: weight, outputGradient: dy, inputGradient: &dx, weightGradient: &dw)
            return
        }
        let needInput = dx != nil
        var dxp = needInput && padding > 0 ? paddedGradientBuffer() : []
        // Gradient w.r.t. the padded input lands in dxp (or straight in dx when unpadded).
        func withPaddedGradient(_ body: (UnsafeMutablePointer<Float>) -> Void) {
            if padding > 0 {
                dxp.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
            } else {
                dx!.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
            }
        }
        // Shifted GEMMs for stride 1, im2col otherwise.
        let lowering = stride == 1
            ? backwardShifted(padded:weight:outputGradient:weightGradient:paddedInputGradient:)
            : backwardIm2col(padded:weight:outputGradient:weightGradient:paddedInputGradient:)
        if needInput {
            withPaddedGradient { g in lowering(xp, weight, dy, &dw, g) }
        } else {
            lowering(xp, weight, dy, &dw, nil)
        }
        if needInput && padding > 0 { foldPadding(dxp, into: &dx!) }
    }
}

/// Runs `body` with the array's base address, or nil when there is no array.
private func withOptionalPointer<R>(_ array: inout [Float]?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
    if array == nil { return body(nil) }
    return array!.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}
