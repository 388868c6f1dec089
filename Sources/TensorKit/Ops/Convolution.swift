import Foundation

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

/// Sizes of one convolution and its lowering.
struct ConvolutionGeometry {
    let batch, inChannels, height, width: Int
    let outChannels, kernelHeight, kernelWidth: Int
    let stride, padding: Int
    let mode: PaddingMode
    let paddedHeight, paddedWidth, outHeight, outWidth: Int
    var pattern: SparsityPattern? = nil
    var lowering = ConvolutionLowering.automatic

    init(input: [Int], weight: [Int], stride: Int, padding: Int, mode: PaddingMode) {
        require(input.count == 4, "conv2d input must be NCHW, got shape \(input)")
        require(weight.count == 4, "conv2d weight must be (out, in, kh, kw), got shape \(weight)")
        require(input[1] == weight[1],
                     "conv2d input has \(input[1]) channels, weight expects \(weight[1])")
        require(stride >= 1 && padding >= 0, "conv2d stride \(stride) / padding \(padding)")
        batch = input[0]; inChannels = input[1]; height = input[2]; width = input[3]
        outChannels = weight[0]; kernelHeight = weight[2]; kernelWidth = weight[3]
        self.stride = stride; self.padding = padding; self.mode = mode
        if mode == .reflection {
            require(padding < height && padding < width,
                         "reflection padding \(padding) needs an input larger than \(height)x\(width)")
        }
        paddedHeight = height + 2 * padding
        paddedWidth = width + 2 * padding
        require(paddedHeight >= kernelHeight && paddedWidth >= kernelWidth,
                     "conv2d kernel \(kernelHeight)x\(kernelWidth) larger than padded input \(paddedHeight)x\(paddedWidth)")
        outHeight = (paddedHeight - kernelHeight) / stride + 1
        outWidth = (paddedWidth - kernelWidth) / stride + 1
    }

    var taps: Int { kernelHeight * kernelWidth }

    /// The kernel and the lowering that runs it, for `OperationProfile`.
    var profileName: String {
        let path = pattern != nil ? "sparse" : usesWinograd ? "Winograd" : usesThinPointwise ? "GEMM, thin backward"
            : stride == 1 ? "shifted GEMMs" : "im2col"
        return "conv2d \(kernelHeight)x\(kernelWidth)/\(stride) \(inChannels)->\(outChannels) \(path)"
    }
    var paddedPlane: Int { paddedHeight * paddedWidth }
    var outPlane: Int { outHeight * outWidth }
    var isPointwise: Bool { kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padding == 0 }
    /// Columns of one shifted GEMM: all output rows at the padded width, minus the tail
    /// of the last row, so that no tap reads or writes past its channel plane.
    var wideColumns: Int { (outHeight - 1) * paddedWidth + outWidth }
    var wideStride: Int { outHeight * paddedWidth }

    /// The input padded once (the input itself when there is no padding).
    func padded(_ input: [Float]) -> [Float] {
        guard padding > 0 else { return input }
        var result = uninitializedFloats(batch * inChannels * paddedPlane)
        input.withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { xp in
                padPlanes(x.baseAddress!, channels: batch * inChannels, height: height, width: width,
                          pad: padding, mode: mode, into: xp.baseAddress!)
            }
        }
        return result
    }

    /// Weights regrouped per tap as [taps, out, in] so that each tap is a GEMM operand.
    func weightsByTap(_ weight: UnsafePointer<Float>) -> [Float] {
        var result = [Float](repeating: 0, count: taps * outChannels * inChannels)
        for o in 0..<outChannels {
            for i in 0..<inChannels {
                let src = weight + (o * inChannels + i) * taps
                for t in 0..<taps { result[(t * outChannels + o) * inChannels + i] = src[t] }
            }
        }
        return result
    }

    func tapOffset(_ tap: Int) -> Int { (tap / kernelWidth) * paddedWidth + tap % kernelWidth }

    /// Output columns per GEMM block: small enough that a block of the shifted input and
    /// of the accumulating output stay in cache across the kernel taps.
    static let columnBlock = 768
    /// Reduction length per GEMM block in the weight gradient.
    static let reductionBlock = 2048

    /// Offset of the last tap: the zero margin that the input-gradient pass needs in
    /// front of the output gradient.
    var margin: Int { tapOffset(taps - 1) }

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

    /// The Winograd correlation of one batch item's padded input.
    var winograd: WinogradCorrelation {
        WinogradCorrelation(inChannels: inChannels, outChannels: outChannels,
                            inputHeight: paddedHeight, inputWidth: paddedWidth)
    }

    /// Writes the convolution into `y`, with the bias when `forwardAddsBias`.
    func forward(padded xp: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: [Float]?,
                 output y: UnsafeMutablePointer<Float>) {
        if usesWinograd {
            let filters = WinogradCorrelation.filters(weight, outChannels: outChannels, inChannels: inChannels)
            filters.withUnsafeBufferPointer { u in
                for n in 0..<batch {
                    winograd.correlate(xp + n * inChannels * paddedPlane, filters: u.baseAddress!, bias: bias,
                                       output: y + n * outChannels * outPlane)
                }
            }
        } else if let pattern {
            forwardSparse(pattern, padded: xp, weight: weight, bias: bias, output: y)
        } else if stride == 1 {
            forwardShifted(padded: xp, weight: weight, bias: bias, output: y)
        } else {
            var columns = uninitializedFloats(inChannels * taps * outPlane)
            columns.withUnsafeMutableBufferPointer { cb in
                for n in 0..<batch {
                    im2col(xp + n * inChannels * paddedPlane, into: cb.baseAddress!)
                    gemm(m: outChannels, n: outPlane, k: inChannels * taps, a: weight, lda: inChannels * taps,
                         b: cb.baseAddress!, ldb: outPlane, beta: 0,
                         c: y + n * outChannels * outPlane, ldc: outPlane)
                }
            }
        }
    }

    /// Copies the output rows out of the wide layout (rows at the padded width), adding
    /// the bias on the way when there is one.
    func copyFromWide(_ wide: UnsafePointer<Float>, bias: [Float]?, into out: UnsafeMutablePointer<Float>) {
        parallelItems(outChannels, costPerItem: outPlane) { o in
            for r in 0..<outHeight {
                let source = wide + o * wideStride + r * paddedWidth, destination = out + o * outPlane + r * outWidth
                if let bias {
                    let b = bias[o]
                    for q in 0..<outWidth { destination[q] = source[q] + b }
                } else {
                    destination.update(from: source, count: outWidth)
                }
            }
        }
    }

    /// Stride 1: for each block of output columns, accumulate the taps' GEMMs
    /// Y_wide[:, block] += W_tap * X_padded[:, block + offset(tap)]. Tiles of output rows
    /// and column blocks are spread over the cores (`parallelTiles`); each tile's GEMMs run
    /// single-threaded.
    private func forwardShifted(padded xp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                bias: [Float]?, output y: UnsafeMutablePointer<Float>) {
        let byTap = taps == 1 ? [] : weightsByTap(weight)
        // With a one-column kernel the wide layout is the output layout itself.
        let direct = paddedWidth == outWidth
        var wide = direct ? [] : uninitializedFloats(outChannels * wideStride)
        GemmCounter.flops += 2 * Double(batch * outChannels * inChannels * taps * wideColumns)
        byTap.withUnsafeBufferPointer { wt in
            wide.withUnsafeMutableBufferPointer { wb in
                let w = taps == 1 ? weight : UnsafePointer(wt.baseAddress!)
                for n in 0..<batch {
                    let x = xp + n * inChannels * paddedPlane
                    let out = y + n * outChannels * outPlane
                    let target = direct ? out : wb.baseAddress!
                    parallelTiles(rows: outChannels, columns: wideColumns, columnBlock: Self.columnBlock) { rows, range in
                        var j = range.lowerBound
                        while j < range.upperBound {
                            let width = min(Self.columnBlock, range.upperBound - j)
                            // Straight into the output: the block starts as the bias (it is in
                            // cache for the GEMM next) rather than zeroed by BLAS and biased later.
                            let startsWithBias = direct && bias != nil
                            if startsWithBias {
                                for o in rows {
                                    (target + o * wideStride + j).update(repeating: bias![o], count: width)
                                }
                            }
                            for t in 0..<taps {
                                serialGemm(m: rows.count, n: width, k: inChannels,
                                           a: w + t * outChannels * inChannels + rows.lowerBound * inChannels, lda: inChannels,
                                           b: x + tapOffset(t) + j, ldb: paddedPlane, beta: t == 0 && !startsWithBias ? 0 : 1,
                                           c: target + rows.lowerBound * wideStride + j, ldc: wideStride)
                            }
                            j += width
                        }
                    }
                    if !direct { copyFromWide(wb.baseAddress!, bias: bias, into: out) }
                }
            }
        }
    }

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
        let needInput = dx != nil, needWeight = dw != nil
        var dxp = needInput && padding > 0 ? paddedGradientBuffer() : []
        // Gradient w.r.t. the padded input lands in dxp (or straight in dx when unpadded).
        func withPaddedGradient(_ body: (UnsafeMutablePointer<Float>) -> Void) {
            if padding > 0 {
                dxp.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
            } else {
                dx!.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
            }
        }
        if stride == 1 {
            if needInput {
                withPaddedGradient { g in
                    backwardShifted(padded: xp, weight: weight, outputGradient: dy, weightGradient: &dw,
                                    paddedInputGradient: g)
                }
            } else {
                backwardShifted(padded: xp, weight: weight, outputGradient: dy, weightGradient: &dw,
                                paddedInputGradient: nil)
            }
        } else {
            var columns = uninitializedFloats(inChannels * taps * outPlane)
            columns.withUnsafeMutableBufferPointer { cb in
                let cols = cb.baseAddress!
                for n in 0..<batch {
                    let d = dy + n * outChannels * outPlane
                    if needWeight {
                        im2col(xp + n * inChannels * paddedPlane, into: cols)
                        dw!.withUnsafeMutableBufferPointer { g in
                            gemm(transposeB: true, m: outChannels, n: inChannels * taps, k: outPlane,
                                 a: d, lda: outPlane, b: cols, ldb: outPlane, beta: 1,
                                 c: g.baseAddress!, ldc: inChannels * taps)
                        }
                    }
                    if needInput {
                        gemm(transposeA: true, m: inChannels * taps, n: outPlane, k: outChannels,
                             a: weight, lda: inChannels * taps, b: d, ldb: outPlane, beta: 0, c: cols, ldc: outPlane)
                        withPaddedGradient { g in col2im(cols, into: g + n * inChannels * paddedPlane) }
                    }
                }
            }
        }
        if needInput && padding > 0 { foldPadding(dxp, into: &dx!) }
    }

    /// Stride-1 backward over the output gradient laid out at the padded width, with a
    /// zero margin in front of each channel row:
    /// - dW_tap = dY_wide * X_shifted(tap)^T, output-channel rows spread over the cores,
    ///   the reduction in blocks;
    /// - dX_padded[:, p] = sum_tap W_tap^T * dY_wide[:, p - offset(tap)], i.e. a forward
    ///   pass of the transposed taps over the margin-padded gradient; blocks of p are
    ///   independent, so they are spread over the cores without write conflicts.
    private func backwardShifted(padded xp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                 outputGradient dy: UnsafePointer<Float>, weightGradient dw: inout [Float]?,
                                 paddedInputGradient: UnsafeMutablePointer<Float>?) {
        let byTap = taps == 1 ? [] : weightsByTap(weight)
        let margin = self.margin
        let direct = margin == 0 && paddedWidth == outWidth && paddedHeight == outHeight
        let rowLength = direct ? outPlane : margin + paddedPlane
        var buffer = direct ? [] : uninitializedFloats(outChannels * rowLength)
        var weightByTapGradient = [Float](repeating: 0, count: dw != nil && taps > 1 ? taps * outChannels * inChannels : 0)
        let needWeight = dw != nil
        GemmCounter.flops += 2 * Double(batch * outChannels * inChannels * taps)
            * (Double(needWeight ? wideColumns : 0) + Double(paddedInputGradient != nil ? paddedPlane : 0))
        byTap.withUnsafeBufferPointer { wt in
            buffer.withUnsafeMutableBufferPointer { bb in
                let w = taps == 1 ? weight : UnsafePointer(wt.baseAddress!)
                for n in 0..<batch {
                    let d = dy + n * outChannels * outPlane
                    let rows: UnsafePointer<Float>
                    if direct {
                        rows = d
                    } else {
                        let b = bb.baseAddress!
                        spreadOutputGradient(d, into: b)
                        rows = UnsafePointer(b)
                    }
                    let x = xp + n * inChannels * paddedPlane
                    if needWeight {
                        func accumulate(into g: UnsafeMutablePointer<Float>) {
                            parallelRanges(outChannels, granularity: 8) { channels in
                                var q = 0
                                while q < wideColumns {
                                    let length = min(Self.reductionBlock, wideColumns - q)
                                    for t in 0..<taps {
                                        serialGemm(transposeB: true, m: channels.count, n: inChannels, k: length,
                                                   a: rows + channels.lowerBound * rowLength + margin + q, lda: rowLength,
                                                   b: x + tapOffset(t) + q, ldb: paddedPlane, beta: 1,
                                                   c: g + t * outChannels * inChannels + channels.lowerBound * inChannels,
                                                   ldc: inChannels)
                                    }
                                    q += length
                                }
                            }
                        }
                        if taps == 1 {
                            dw!.withUnsafeMutableBufferPointer { accumulate(into: $0.baseAddress!) }
                        } else {
                            weightByTapGradient.withUnsafeMutableBufferPointer { accumulate(into: $0.baseAddress!) }
                        }
                    }
                    if let g = paddedInputGradient {
                        let target = g + n * inChannels * paddedPlane
                        parallelTiles(rows: inChannels, columns: paddedPlane, columnBlock: Self.columnBlock) { channels, range in
                            var p = range.lowerBound
                            while p < range.upperBound {
                                let width = min(Self.columnBlock, range.upperBound - p)
                                for t in 0..<taps {
                                    serialGemm(transposeA: true, m: channels.count, n: width, k: outChannels,
                                               a: w + t * outChannels * inChannels + channels.lowerBound, lda: inChannels,
                                               b: rows + margin - tapOffset(t) + p, ldb: rowLength,
                                               beta: t == 0 ? 0 : 1, c: target + channels.lowerBound * paddedPlane + p,
                                               ldc: paddedPlane)
                                }
                                p += width
                            }
                        }
                    }
                }
            }
        }
        if needWeight && taps > 1 {
            for o in 0..<outChannels {
                for i in 0..<inChannels {
                    for t in 0..<taps {
                        dw![(o * inChannels + i) * taps + t] += weightByTapGradient[(t * outChannels + o) * inChannels + i]
                    }
                }
            }
        }
    }

    /// Winograd backward: dW from the transformed input and output gradient; dX_padded is
    /// the correlation of dY, zero-padded by 2, with the flipped and transposed kernels
    /// (`WinogradCorrelation.filters(forInputGradient:)`), then the padding's adjoint.
    private func backwardWinograd(padded xp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                  outputGradient dy: UnsafePointer<Float>,
                                  inputGradient dx: inout [Float]?, weightGradient dw: inout [Float]?) {
        if dw != nil {
            dw!.withUnsafeMutableBufferPointer { g in
                for n in 0..<batch {
                    let du = winograd.filterGradient(xp + n * inChannels * paddedPlane,
                                                     outputGradient: dy + n * outChannels * outPlane)
                    du.withUnsafeBufferPointer {
                        WinogradCorrelation.accumulateFilterGradient($0.baseAddress!, outChannels: outChannels,
                                                                     inChannels: inChannels, into: g.baseAddress!)
                    }
                }
            }
        }
        guard dx != nil else { return }
        let adjoint = WinogradCorrelation(inChannels: outChannels, outChannels: inChannels,
                                          inputHeight: outHeight + 4, inputWidth: outWidth + 4)
        let filters = WinogradCorrelation.filters(weight, outChannels: outChannels, inChannels: inChannels,
                                                  forInputGradient: true)
        var dxp = padding > 0 ? paddedGradientBuffer() : []
        var spread = uninitializedFloats(outChannels * adjoint.inputPlane)
        filters.withUnsafeBufferPointer { u in
            spread.withUnsafeMutableBufferPointer { sp in
                for n in 0..<batch {
                    padPlanes(dy + n * outChannels * outPlane, channels: outChannels, height: outHeight,
                              width: outWidth, pad: 2, mode: .zero, into: sp.baseAddress!)
                    func write(_ target: UnsafeMutablePointer<Float>) {
                        adjoint.correlate(sp.baseAddress!, filters: u.baseAddress!, bias: nil,
                                          output: target + n * inChannels * paddedPlane)
                    }
                    if padding > 0 {
                        dxp.withUnsafeMutableBufferPointer { write($0.baseAddress!) }
                    } else {
                        dx!.withUnsafeMutableBufferPointer { write($0.baseAddress!) }
                    }
                }
            }
        }
        if padding > 0 { foldPadding(dxp, into: &dx!) }
    }

    /// Lays one batch item's output gradient out as the stride-1 backward passes read it:
    /// per channel a row of `margin + paddedPlane`, zeros in front, then the output rows at
    /// the padded width with zeros in the extra columns and rows. Every entry is written
    /// (no zero fill of the whole buffer first: at the top scale it is tens of MiB).
    func spreadOutputGradient(_ d: UnsafePointer<Float>, into buffer: UnsafeMutablePointer<Float>) {
        let rowLength = margin + paddedPlane, gap = paddedWidth - outWidth
        parallelItems(outChannels, costPerItem: outPlane) { o in
            let row = buffer + o * rowLength
            row.update(repeating: 0, count: margin)
            for r in 0..<outHeight {
                let target = row + margin + r * paddedWidth
                target.update(from: d + o * outPlane + r * outWidth, count: outWidth)
                (target + outWidth).update(repeating: 0, count: gap)
            }
            (row + margin + outHeight * paddedWidth).update(repeating: 0, count: (paddedHeight - outHeight) * paddedWidth)
        }
    }

    /// Writes the input's gradient from the gradient w.r.t. the padded input (the
    /// padding's adjoint).
    func foldPadding(_ paddedGradient: [Float], into gradient: inout [Float]) {
        paddedGradient.withUnsafeBufferPointer { gp in
            gradient.withUnsafeMutableBufferPointer { g in
                foldPaddedPlanes(gp.baseAddress!, channels: batch * inChannels, height: height,
                                 width: width, pad: padding, mode: mode, into: g.baseAddress!)
            }
        }
    }

    /// Whether the backward pass adds into the input gradient rather than writing every
    /// entry: only im2col's adjoint (strides above 1) accumulates, straight into the
    /// input's gradient when there is no padding, else into the padded one.
    var inputGradientNeedsZeros: Bool { stride != 1 && padding == 0 }
    var paddedGradientNeedsZeros: Bool { stride != 1 }

    func paddedGradientBuffer() -> [Float] {
        let count = batch * inChannels * paddedPlane
        return paddedGradientNeedsZeros ? [Float](repeating: 0, count: count) : uninitializedFloats(count)
    }

    /// columns[(c, kh, kw), (r, q)] = padded[c, r*stride + kh, q*stride + kw]
    func im2col(_ xp: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>) {
        parallelItems(inChannels * taps, costPerItem: outPlane) { row in
            let c = row / taps, t = row % taps
            let kh = t / kernelWidth, kw = t % kernelWidth
            let src = xp + c * paddedPlane
            let dst = columns + row * outPlane
            for r in 0..<outHeight {
                let srcRow = src + (r * stride + kh) * paddedWidth + kw
                let dstRow = dst + r * outWidth
                var q = 0
                if stride == 2 {
                    // 8 outputs from one 16-wide load (its even lanes) while it stays in the row.
                    while kw &+ 2 &* q &+ 16 <= paddedWidth && q &+ 8 <= outWidth {
                        let pair = UnsafeRawPointer(srcRow + 2 &* q).loadUnaligned(as: SIMD16<Float>.self)
                        UnsafeMutableRawPointer(dstRow + q).storeBytes(of: pair.evenHalf, as: SIMD8<Float>.self)
                        q &+= 8
                    }
                }
                while q < outWidth {
                    dstRow[q] = srcRow[q * stride]
                    q &+= 1
                }
            }
        }
    }

    /// The adjoint of im2col: adds each column entry back to its padded position.
    func col2im(_ columns: UnsafePointer<Float>, into xp: UnsafeMutablePointer<Float>) {
        // Parallel over channels only: taps of one channel write overlapping positions.
        parallelItems(inChannels, costPerItem: taps * outPlane) { c in
            let dst = xp + c * paddedPlane
            for t in 0..<taps {
                let kh = t / kernelWidth, kw = t % kernelWidth
                let src = columns + (c * taps + t) * outPlane
                for r in 0..<outHeight {
                    let dstRow = dst + (r * stride + kh) * paddedWidth + kw
                    let srcRow = src + r * outWidth
                    var q = 0
                    if stride == 2 {
                        // Add 8 values to the even lanes of a 16-wide window (the odd lanes are
                        // written back unchanged; this channel's plane belongs to this thread).
                        while kw &+ 2 &* q &+ 16 <= paddedWidth && q &+ 8 <= outWidth {
                            let target = UnsafeMutableRawPointer(dstRow + 2 &* q)
                            var pair = target.loadUnaligned(as: SIMD16<Float>.self)
                            pair.evenHalf += UnsafeRawPointer(srcRow + q).loadUnaligned(as: SIMD8<Float>.self)
                            target.storeBytes(of: pair, as: SIMD16<Float>.self)
                            q &+= 8
                        }
                    }
                    while q < outWidth {
                        dstRow[q * stride] += srcRow[q]
                        q &+= 1
                    }
                }
            }
        }
    }
}

// MARK: Sparse passes

extension ConvolutionGeometry {
    /// Offsets of the kept entries (by output channel) into the padded input (stride 1)
    /// or into the im2col columns (other strides), and their current weight values.
    func outputEntries(_ pattern: SparsityPattern, weight: UnsafePointer<Float>) -> (offsets: [Int], values: [Float]) {
        let indices = pattern.byOutput.weightIndex
        let perOutput = inChannels * taps
        var offsets = [Int](repeating: 0, count: indices.count), values = [Float](repeating: 0, count: indices.count)
        for (k, w) in indices.enumerated() {
            let j = w % perOutput
            offsets[k] = stride == 1 ? (j / taps) * paddedPlane + tapOffset(j % taps) : j * outPlane
            values[k] = weight[w]
        }
        return (offsets, values)
    }

    func forwardSparse(_ pattern: SparsityPattern, padded xp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                       bias: [Float]?, output y: UnsafeMutablePointer<Float>) {
        let (offsets, values) = outputEntries(pattern, weight: weight)
        GemmCounter.flops += 2 * Double(batch * pattern.kept * (stride == 1 ? wideColumns : outPlane))
        let rowStart = pattern.byOutput.rowStart
        if stride == 1 && gathersByRow {
            // Row by row straight into the output, starting from the bias.
            let rows = GatherColumns(segments: outHeight, length: outWidth, sourceStride: paddedWidth, outputStride: outWidth)
            let initial = bias ?? [Float](repeating: 0, count: outChannels)
            initial.withUnsafeBufferPointer { b in
                for n in 0..<batch {
                    gatherRows(rowStart: rowStart, offsets: offsets, values: values, rows: outChannels,
                               source: xp + n * inChannels * paddedPlane, columns: rows,
                               output: y + n * outChannels * outPlane, outStride: outPlane, initial: b.baseAddress!,
                               channels: GatherChannels(stride: paddedPlane, rows: kernelHeight))
                }
            }
        } else if stride == 1 {
            let direct = paddedWidth == outWidth
            var wide = direct ? [] : uninitializedFloats(outChannels * wideStride)
            wide.withUnsafeMutableBufferPointer { wb in
                for n in 0..<batch {
                    let out = y + n * outChannels * outPlane
                    let target = direct ? out : wb.baseAddress!
                    gatherRows(rowStart: rowStart, offsets: offsets, values: values, rows: outChannels,
                               source: xp + n * inChannels * paddedPlane, columns: .contiguous(wideColumns),
                               output: target, outStride: wideStride,
                               channels: GatherChannels(stride: paddedPlane, rows: kernelHeight))
                    if !direct { copyFromWide(wb.baseAddress!, bias: bias, into: out) }
                }
            }
        } else {
            var columns = uninitializedFloats(inChannels * taps * outPlane)
            columns.withUnsafeMutableBufferPointer { cb in
                for n in 0..<batch {
                    im2col(xp + n * inChannels * paddedPlane, into: cb.baseAddress!)
                    gatherRows(rowStart: rowStart, offsets: offsets, values: values, rows: outChannels,
                               source: cb.baseAddress!, columns: .contiguous(outPlane), output: y + n * outChannels * outPlane,
                               outStride: outPlane, channels: GatherChannels(stride: outPlane, rows: 1))
                }
            }
        }
    }

    func backwardSparse(_ pattern: SparsityPattern, padded xp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                        outputGradient dy: UnsafePointer<Float>,
                        inputGradient dx: inout [Float]?, weightGradient dw: inout [Float]?) {
        let needInput = dx != nil, needWeight = dw != nil
        let (offsets, _) = outputEntries(pattern, weight: weight)
        let perOutput = inChannels * taps
        // Input-gradient entries: by (input channel, tap), pointing into the gradient rows.
        let inputIndices = pattern.byInput.weightIndex
        var inputValues = [Float](repeating: 0, count: inputIndices.count)
        for (k, w) in inputIndices.enumerated() { inputValues[k] = weight[w] }
        // Row by row straight into dx, or through a padded gradient that is folded at the end.
        let inputGradientByRow = needInput && padding > 0 && stride == 1 && gathersByRow
        var dxp = needInput && padding > 0 && !inputGradientByRow ? paddedGradientBuffer() : []
        let margin = self.margin
        let rowLength = margin + paddedPlane
        if stride == 1 {
            var buffer = uninitializedFloats(outChannels * rowLength)
            var inputOffsets = [Int](repeating: 0, count: inputIndices.count)
            for (k, w) in inputIndices.enumerated() {
                inputOffsets[k] = (w / perOutput) * rowLength + margin - tapOffset(w % taps)
            }
            let byChannel = (0...inChannels).map { pattern.byInput.rowStart[$0 * taps] }
            // The input gradient's entries read the output gradient's channels (rows of `buffer`).
            let gradientChannels = GatherChannels(stride: rowLength, rows: kernelHeight)
            GemmCounter.flops += 2 * Double(batch * pattern.kept)
                * (Double(needWeight ? wideColumns : 0) + Double(needInput ? paddedPlane : 0))
            buffer.withUnsafeMutableBufferPointer { bb in
                let b = bb.baseAddress!
                for n in 0..<batch {
                    let d = dy + n * outChannels * outPlane
                    spreadOutputGradient(d, into: b)
                    let x = xp + n * inChannels * paddedPlane
                    if needWeight {
                        dw!.withUnsafeMutableBufferPointer { g in
                            gatherRowDots(rowStart: pattern.byOutput.rowStart, offsets: offsets, indices: pattern.byOutput.weightIndex,
                                          rows: outChannels, dy: b + margin, dyStride: rowLength, source: x,
                                          columns: wideColumns, gradient: g.baseAddress!)
                        }
                    }
                    if inputGradientByRow {
                        // The interior rows straight into dx; the border (unless zero-padded, where
                        // it is dropped) into a thin frame that is then folded in.
                        dx!.withUnsafeMutableBufferPointer { g in
                            let target = g.baseAddress! + n * inChannels * height * width
                            let interior = GatherColumns(segments: height, length: width, sourceStride: paddedWidth,
                                                         outputStride: width)
                            gatherRows(rowStart: byChannel, offsets: inputOffsets, values: inputValues, rows: inChannels,
                                       source: b + padding * paddedWidth + padding, columns: interior, output: target,
                                       outStride: height * width, channels: gradientChannels)
                            if mode != .zero {
                                gatherAndFoldBorder(rowStart: byChannel, offsets: inputOffsets, values: inputValues,
                                                    source: b, into: target)
                            }
                        }
                    } else if needInput {
                        func write(_ target: UnsafeMutablePointer<Float>) {
                            gatherRows(rowStart: byChannel, offsets: inputOffsets, values: inputValues, rows: inChannels,
                                       source: b, columns: .contiguous(paddedPlane), output: target, outStride: paddedPlane,
                                       channels: gradientChannels)
                        }
                        if padding > 0 {
                            dxp.withUnsafeMutableBufferPointer { write($0.baseAddress! + n * inChannels * paddedPlane) }
                        } else {
                            dx!.withUnsafeMutableBufferPointer { write($0.baseAddress! + n * inChannels * paddedPlane) }
                        }
                    }
                }
            }
        } else {
            var columns = uninitializedFloats(inChannels * taps * outPlane)
            var inputOffsets = [Int](repeating: 0, count: inputIndices.count)
            for (k, w) in inputIndices.enumerated() { inputOffsets[k] = (w / perOutput) * outPlane }
            GemmCounter.flops += 2 * Double(batch * pattern.kept * outPlane) * Double((needWeight ? 1 : 0) + (needInput ? 1 : 0))
            columns.withUnsafeMutableBufferPointer { cb in
                let cols = cb.baseAddress!
                for n in 0..<batch {
                    let d = dy + n * outChannels * outPlane
                    if needWeight {
                        im2col(xp + n * inChannels * paddedPlane, into: cols)
                        dw!.withUnsafeMutableBufferPointer { g in
                            gatherRowDots(rowStart: pattern.byOutput.rowStart, offsets: offsets, indices: pattern.byOutput.weightIndex,
                                          rows: outChannels, dy: d, dyStride: outPlane, source: cols, columns: outPlane,
                                          gradient: g.baseAddress!)
                        }
                    }
                    if needInput {
                        gatherRows(rowStart: pattern.byInput.rowStart, offsets: inputOffsets, values: inputValues,
                                   rows: inChannels * taps, source: d, columns: .contiguous(outPlane), output: cols,
                                   outStride: outPlane, channels: GatherChannels(stride: outPlane, rows: 1))
                        if padding > 0 {
                            dxp.withUnsafeMutableBufferPointer { col2im(cols, into: $0.baseAddress! + n * inChannels * paddedPlane) }
                        } else {
                            dx!.withUnsafeMutableBufferPointer { col2im(cols, into: $0.baseAddress! + n * inChannels * paddedPlane) }
                        }
                    }
                }
            }
        }
        if needInput && padding > 0 && !inputGradientByRow { foldPadding(dxp, into: &dx!) }
    }

    /// Whether the stride-1 sparse passes gather image row by image row (straight into
    /// the output, and into the unpadded input gradient) rather than over the wide layout
    /// followed by a copy: rows of at least 32 columns fill the kernel's SIMD blocks.
    var gathersByRow: Bool { width >= 32 && outWidth >= 32 && paddedWidth != outWidth }

    /// The padded border of the input gradient, gathered into a thin frame per channel
    /// (top and bottom padding rows, then the left and right padding columns of the image
    /// rows) and folded onto the pixels it was copied from (the padding's adjoint).
    func gatherAndFoldBorder(rowStart: [Int], offsets: [Int], values: [Float], source: UnsafePointer<Float>,
                             into dx: UnsafeMutablePointer<Float>) {
        let band = padding * paddedWidth, side = height * padding
        let frameSize = 2 * band + 2 * side
        var frame = uninitializedFloats(inChannels * frameSize)
        frame.withUnsafeMutableBufferPointer { fb in
            let f = fb.baseAddress!
            let columns = GatherColumns(segments: height, length: padding, sourceStride: paddedWidth, outputStride: padding)
            for (start, layout, offset) in [(0, GatherColumns.contiguous(band), 0),
                                            ((padding + height) * paddedWidth, .contiguous(band), band),
                                            (padding * paddedWidth, columns, 2 * band),
                                            (padding * paddedWidth + padding + width, columns, 2 * band + side)] {
                gatherRows(rowStart: rowStart, offsets: offsets, values: values, rows: inChannels, source: source + start,
                           columns: layout, output: f + offset, outStride: frameSize)
            }
            parallelItems(inChannels, costPerItem: frameSize) { c in
                let frame = f + c * frameSize
                addPaddedBorder(PaddedBorder(top: frame, bottom: frame + band, left: frame + 2 * band,
                                             right: frame + 2 * band + side, sideStride: padding),
                                height: height, width: width, pad: padding, mode: mode, into: dx + c * height * width)
            }
        }
    }
}

/// Runs `body` with the array's base address, or nil when there is no array.
private func withOptionalPointer<R>(_ array: inout [Float]?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
    if array == nil { return body(nil) }
    return array!.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}
