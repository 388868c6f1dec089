/// Sizes of one convolution and its lowering, and what every lowering shares: the padded
/// input and the padding's adjoint, taps and their offsets, the wide layout (output rows
/// at the padded width). Which lowering runs is decided in `ConvolutionLowering.swift`;
/// each lowering has its own file.
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
}
