import Foundation

// This folder holds one job per file: the op and its gradients (here), the sizes and
// layouts (`ConvolutionGeometry.swift`), the choice of lowering (`ConvolutionLowering.swift`),
// one file per lowering (`ShiftedGEMM.swift`, `Im2col.swift`, `WinogradLowering.swift`,
// `SparseLowering.swift`), when layers run sparse kernels (`ConvolutionPlan.swift`) and the
// nested-loop definition the lowerings are tested against (`ReferenceConvolution.swift`).

/// 2-D convolution (cross-correlation, as `torch.nn.Conv2d`) on NCHW tensors.
///
/// Three lowerings onto OpenBLAS sgemm, all over an input padded once:
/// - 3x3, stride 1, outputs of at least 16x16: Winograd F(2x2, 3x3) (`WinogradCorrelation`),
///   16 GEMMs over transformed tiles with 2.25x fewer multiply-adds, in all three passes;
/// - other stride-1 kernels: one GEMM per kernel tap over the padded input shifted by that tap ("shifted
///   GEMMs"). Each output row is computed at the padded width, so a tap's input view is a
///   plain strided matrix; the (kernel-1) extra columns per row are discarded. No im2col
///   buffer, and ~2x faster than im2col on this class of CPU.
/// - other strides: im2col followed by one GEMM.
/// Backward passes use the same views: dW per tap = dY_wide * X_shifted^T, and
/// dX_padded += W_tap^T * dY_wide, then the padding's adjoint folds borders back.
///
/// With a `pattern` (the kept entries of a pruned weight; pruned weights must be zero)
/// the passes run sparse kernels that skip the pruned multiply-adds; the results equal
/// the dense path's up to floating-point summation order.
public func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1,
                   padding: Int = 0, paddingMode: PaddingMode = .zero, pattern: SparsityPattern? = nil,
                   lowering: ConvolutionLowering = .automatic) -> Tensor {
    var g = ConvolutionGeometry(input: input.shape, weight: weight.shape, stride: stride,
                                padding: padding, mode: paddingMode)
    g.lowering = lowering
    if let pattern {
        require(pattern.outChannels == g.outChannels && pattern.inChannels == g.inChannels
                     && pattern.kernelHeight == g.kernelHeight, "sparsity pattern does not fit weight \(weight.shape)")
        g.pattern = pattern
    }
    if let bias { require(bias.shape == [g.outChannels], "conv bias shape \(bias.shape), expected [\(g.outChannels)]") }
    var output = uninitializedFloats(g.batch * g.outChannels * g.outHeight * g.outWidth)
    let padded = g.padded(input.data)
    padded.withUnsafeBufferPointer { xp in
        weight.data.withUnsafeBufferPointer { w in
            output.withUnsafeMutableBufferPointer { y in
                g.forward(padded: xp.baseAddress!, weight: w.baseAddress!, bias: bias?.data, output: y.baseAddress!)
            }
        }
    }
    if let bias, !g.forwardAddsBias {
        addChannelBias(&output, bias.data, channels: g.outChannels, plane: g.outHeight * g.outWidth)
    }
    var inputs = [input, weight]
    if let bias { inputs.append(bias) }
    // Sparse layers keep their padded input for the backward pass; dense ones pad again
    // there (below). Sparse passes are mostly memory traffic, so the copy saved is a
    // large part of them (at 256x256, 97 % pruned: ~3 ms of a ~16 ms backward pass), while
    // the dense DIP's peak memory, which is PyTorch's yardstick, does not change.
    let savedPadded = g.pattern != nil && g.padding > 0 && GradientMode.isEnabled
        && (input.requiresGradient || weight.requiresGradient) ? padded : nil
    return makeResult(shape: [g.batch, g.outChannels, g.outHeight, g.outWidth], data: output,
                      inputs: inputs, operation: OperationProfile.isEnabled ? g.profileName : "") { result in
        let dy = result.gradient!
        if let bias, bias.requiresGradient {
            bias.withGradient { db in
                dy.withUnsafeBufferPointer { d in
                    let plane = g.outHeight * g.outWidth
                    parallelItems(g.outChannels, costPerItem: g.batch * plane) { c in
                        for n in 0..<g.batch {
                            db[c] += Float(sum(d.baseAddress! + (n * g.outChannels + c) * plane, plane))
                        }
                    }
                }
            }
        }
        guard weight.requiresGradient || input.requiresGradient else { return }
        // Dense layers pad again rather than keep the forward pass's copy: a copy of every
        // padded activation would stay alive until the backward pass for a few ms of work.
        let padded = savedPadded ?? g.padded(input.data)
        padded.withUnsafeBufferPointer { xp in
            weight.data.withUnsafeBufferPointer { w in
                dy.withUnsafeBufferPointer { d in
                    var dx: [Float]? = !input.requiresGradient ? nil
                        : g.inputGradientNeedsZeros ? [Float](repeating: 0, count: input.count) : uninitializedFloats(input.count)
                    var dw: [Float]? = weight.requiresGradient ? [Float](repeating: 0, count: weight.count) : nil
                    g.backward(padded: xp.baseAddress!, weight: w.baseAddress!, outputGradient: d.baseAddress!,
                               inputGradient: &dx, weightGradient: &dw)
                    if let dx { input.accumulateGradient(dx) }
                    if let dw { weight.accumulateGradient(dw) }
                }
            }
        }
    }
}

/// Adds each channel's bias to its planes (the passes whose output the bias does not start from).
func addChannelBias(_ data: inout [Float], _ bias: [Float], channels: Int, plane: Int) {
    let batch = data.count / (channels * plane)
    data.withUnsafeMutableBufferPointer { y in
        let base = y.baseAddress!
        parallelItems(batch * channels, costPerItem: plane) { item in
            let b = bias[item % channels]
            let p = base + item * plane
            for i in 0..<plane { p[i] += b }
        }
    }
}
