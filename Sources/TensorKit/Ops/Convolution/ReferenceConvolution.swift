/// 2-D convolution as its definition: six nested loops over batch items, output channels,
/// output pixels, input channels and kernel taps, with each padded pixel looked up in the
/// input rather than padded out.
///
/// This is the definition that `conv2d`'s lowerings (shifted GEMMs, im2col, Winograd, the
/// sparse kernels) are tested against; it is written to be read and checked by eye, not
/// for speed, and records no gradient. It takes the same arguments as `conv2d` and agrees
/// with it up to floating-point summation order.
///
/// - Parameters:
///   - input: NCHW input.
///   - weight: Weight of shape (out channels, in channels, kernel height, kernel width).
///   - bias: One value per output channel, or nil.
///   - stride: Step between output pixels, in input pixels.
///   - padding: Pixels added on each side of the input.
///   - paddingMode: What the added pixels hold (zeros, the mirrored or the repeated edge).
/// - Returns: The output, of shape (batch, out channels, out height, out width) with
///   out height = (height + 2 * padding - kernel height) / stride + 1, and the same for the width.
public func referenceConv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1,
                            padding: Int = 0, paddingMode: PaddingMode = .zero) -> Tensor {
    require(input.shape.count == 4 && weight.shape.count == 4 && input.shape[1] == weight.shape[1],
            "reference conv2d of input \(input.shape) and weight \(weight.shape)")
    let (batch, inChannels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let (outChannels, kernelHeight, kernelWidth) = (weight.shape[0], weight.shape[2], weight.shape[3])
    let outHeight = (height + 2 * padding - kernelHeight) / stride + 1
    let outWidth = (width + 2 * padding - kernelWidth) / stride + 1
    let x = input.data, w = weight.data
    var y = [Float](repeating: 0, count: batch * outChannels * outHeight * outWidth)
    for n in 0..<batch {
        for o in 0..<outChannels {
            for r in 0..<outHeight {
                for q in 0..<outWidth {
                    var total = bias?.data[o] ?? 0
                    for i in 0..<inChannels {
                        for kh in 0..<kernelHeight {
                            for kw in 0..<kernelWidth {
                                let row = paddedSourcePixel(r * stride + kh - padding, size: height, mode: paddingMode)
                                let column = paddedSourcePixel(q * stride + kw - padding, size: width, mode: paddingMode)
                                if row < 0 || column < 0 { continue }  // a zero of the padding
                                total += w[((o * inChannels + i) * kernelHeight + kh) * kernelWidth + kw]
                                    * x[((n * inChannels + i) * height + row) * width + column]
                            }
                        }
                    }
                    y[((n * outChannels + o) * outHeight + r) * outWidth + q] = total
                }
            }
        }
    }
    return Tensor(shape: [batch, outChannels, outHeight, outWidth], data: y)
}

/// The input pixel that padded position `i` (counted from the input's first pixel, so
/// negative in the leading padding) holds along an axis of `size` pixels, or -1 for a
/// zero. Written from the padding modes' definitions, independently of `padPlanes`.
private func paddedSourcePixel(_ i: Int, size: Int, mode: PaddingMode) -> Int {
    if i >= 0 && i < size { return i }
    switch mode {
    case .zero: return -1
    case .replicate: return min(max(i, 0), size - 1)
    case .reflection: return i < 0 ? -i : 2 * (size - 1) - i  // mirror without repeating the edge
    }
}
