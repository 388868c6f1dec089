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
        let rows = BilinearAxis(inputSize: height, factor: factor)
        let cols = BilinearAxis(inputSize: width, factor: factor)
        x.data.withUnsafeBufferPointer { xb in
            output.withUnsafeMutableBufferPointer { yb in
                let src = xb.baseAddress!, dst = yb.baseAddress!
                parallelItems(planes, costPerItem: outPlane) { p in
                    let plane = src + p * inPlane
                    for r in 0..<outHeight {
                        let h1 = rows.highWeight[r], h0 = 1 - h1
                        let top = plane + rows.low[r] * width, bottom = plane + rows.high[r] * width
                        let dstRow = dst + p * outPlane + r * outWidth
                        for c in 0..<outWidth {
                            let w1 = cols.highWeight[c], w0 = 1 - w1
                            let c0 = cols.low[c], c1 = cols.high[c]
                            dstRow[c] = h0 * (w0 * top[c0] + w1 * top[c1]) + h1 * (w0 * bottom[c0] + w1 * bottom[c1])
                        }
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
                        let plane = d + p * inPlane
                        for r in 0..<outHeight {
                            let h1 = rows.highWeight[r], h0 = 1 - h1
                            let top = plane + rows.low[r] * width, bottom = plane + rows.high[r] * width
                            let gRow = g + p * outPlane + r * outWidth
                            for c in 0..<outWidth {
                                let w1 = cols.highWeight[c], w0 = 1 - w1
                                let c0 = cols.low[c], c1 = cols.high[c]
                                let v = gRow[c]
                                top[c0] += h0 * w0 * v
                                top[c1] += h0 * w1 * v
                                bottom[c0] += h1 * w0 * v
                                bottom[c1] += h1 * w1 * v
                            }
                        }
                    }
                }
            }
            x.accumulateGradient(dx)
        }
    }
}
