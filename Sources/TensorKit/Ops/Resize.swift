/// Upsampling modes of `nn.Upsample`.
public enum UpsampleMode: String, Sendable, Codable, CaseIterable {
    /// `mode='nearest'`: each output pixel copies floor(dst / factor).
    case nearest
    /// `mode='bilinear', align_corners=False` (PyTorch's default since 0.4).
    case bilinear
}

/// Source rows (or columns) and weights of bilinear interpolation for one axis, as
/// PyTorch's `upsample_bilinear2d` computes them: src = max((dst + 0.5) / factor - 0.5, 0),
/// i0 = floor(src), i1 = i0 + 1 clamped to the border, weights (1 - l, l).
struct BilinearAxis {
    let low: [Int]
    let high: [Int]
    let highWeight: [Float]

    init(inputSize: Int, factor: Int) {
        let outputSize = inputSize * factor
        let scale = 1 / Float(factor)
        var low = [Int](), high = [Int](), weight = [Float]()
        for d in 0..<outputSize {
            let source = max(scale * (Float(d) + 0.5) - 0.5, 0)
            let i0 = Int(source)
            low.append(i0)
            high.append(i0 < inputSize - 1 ? i0 + 1 : i0)
            weight.append(source - Float(i0))
        }
        self.low = low
        self.high = high
        highWeight = weight
    }
}

/// Upsamples the two spatial axes of an NCHW tensor by an integer factor.
public func upsample(_ x: Tensor, factor: Int = 2, mode: UpsampleMode) -> Tensor {
    require(x.rank == 4 && factor >= 1, "upsample expects NCHW and factor >= 1, got \(x.shape), \(factor)")
    let planes = x.shape[0] * x.shape[1], height = x.shape[2], width = x.shape[3]
    let outHeight = height * factor, outWidth = width * factor
    let inPlane = height * width, outPlane = outHeight * outWidth
    var output = uninitializedFloats(planes * outPlane)
    switch mode {
    case .nearest:
        x.data.withUnsafeBufferPointer { xb in
            output.withUnsafeMutableBufferPointer { yb in
                let src = xb.baseAddress!, dst = yb.baseAddress!
                parallelItems(planes, costPerItem: outPlane) { p in
                    for r in 0..<outHeight {
                        let srcRow = src + p * inPlane + (r / factor) * width
                        let dstRow = dst + p * outPlane + r * outWidth
                        for c in 0..<outWidth { dstRow[c] = srcRow[c / factor] }
                    }
                }
            }
        }
        return makeResult(shape: [x.shape[0], x.shape[1], outHeight, outWidth], data: output, inputs: [x]) { result in
            var dx = [Float](repeating: 0, count: x.count)
            result.gradient!.withUnsafeBufferPointer { gb in
                dx.withUnsafeMutableBufferPointer { db in
                    let g = gb.baseAddress!, d = db.baseAddress!
                    parallelItems(planes, costPerItem: outPlane) { p in
                        for r in 0..<outHeight {
                            let gRow = g + p * outPlane + r * outWidth
                            let dRow = d + p * inPlane + (r / factor) * width
                            for c in 0..<outWidth { dRow[c / factor] += gRow[c] }
                        }
                    }
                }
            }
            x.accumulateGradient(dx)
        }
    case .bilinear:
        // Separable: each input row is interpolated horizontally once (every input row
        // serves up to 2 * factor output rows), then output rows mix two of those. The
        // expression is PyTorch's h0 * (w0 a + w1 b) + h1 * (w0 c + w1 d), term for term.
        let rows = BilinearAxis(inputSize: height, factor: factor)
        let cols = BilinearAxis(inputSize: width, factor: factor)
        x.data.withUnsafeBufferPointer { xb in
            output.withUnsafeMutableBufferPointer { yb in
                let src = xb.baseAddress!, dst = yb.baseAddress!
                parallelItems(planes, costPerItem: outPlane) { p in
                    var horizontal = uninitializedFloats(height * outWidth)
                    horizontal.withUnsafeMutableBufferPointer { hb in
                        let h = hb.baseAddress!
                        for i in 0..<height {
                            let row = src + p * inPlane + i * width, out = h + i * outWidth
                            for c in 0..<outWidth {
                                let w1 = cols.highWeight[c], w0 = 1 - w1
                                out[c] = w0 * row[cols.low[c]] + w1 * row[cols.high[c]]
                            }
                        }
                        for r in 0..<outHeight {
                            let h1 = rows.highWeight[r], h0 = 1 - h1
                            let top = h + rows.low[r] * outWidth, bottom = h + rows.high[r] * outWidth
                            let dstRow = dst + p * outPlane + r * outWidth
                            for c in 0..<outWidth { dstRow[c] = h0 * top[c] + h1 * bottom[c] }
                        }
                    }
                }
            }
        }
        return makeResult(shape: [x.shape[0], x.shape[1], outHeight, outWidth], data: output, inputs: [x]) { result in
            // The adjoint of the two passes: output rows into horizontally interpolated
            // rows, then those back onto input pixels.
            var dx = [Float](repeating: 0, count: x.count)
            result.gradient!.withUnsafeBufferPointer { gb in
                dx.withUnsafeMutableBufferPointer { db in
                    let g = gb.baseAddress!, d = db.baseAddress!
                    parallelItems(planes, costPerItem: outPlane) { p in
                        var horizontal = [Float](repeating: 0, count: height * outWidth)
                        horizontal.withUnsafeMutableBufferPointer { hb in
                            let h = hb.baseAddress!
                            for r in 0..<outHeight {
                                let h1 = rows.highWeight[r], h0 = 1 - h1
                                let top = h + rows.low[r] * outWidth, bottom = h + rows.high[r] * outWidth
                                let gRow = g + p * outPlane + r * outWidth
                                for c in 0..<outWidth {
                                    top[c] += h0 * gRow[c]
                                    bottom[c] += h1 * gRow[c]
                                }
                            }
                            for i in 0..<height {
                                let row = h + i * outWidth, out = d + p * inPlane + i * width
                                for c in 0..<outWidth {
                                    let w1 = cols.highWeight[c], w0 = 1 - w1
                                    out[cols.low[c]] += w0 * row[c]
                                    out[cols.high[c]] += w1 * row[c]
                                }
                            }
                        }
                    }
                }
            }
            x.accumulateGradient(dx)
        }
    }
}
