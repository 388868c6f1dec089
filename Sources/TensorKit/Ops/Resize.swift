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
        // The adjoint's gather form: for each source index, the destinations that read it
        // and with what weight (both taps' weights summed where they read the same index).
        var readers = [[(destination: Int, weight: Float)]](repeating: [], count: inputSize)
        for d in 0..<outputSize {
            let w1 = weight[d], w0 = 1 - w1
            readers[low[d]].append((d, w0))
            if high[d] == low[d] {
                readers[low[d]][readers[low[d]].count - 1].weight = w0 + w1
            } else {
                readers[high[d]].append((d, w1))
            }
        }
        self.readers = readers
    }

    /// For each source index, (destination, weight) of every destination that reads it.
    let readers: [[(destination: Int, weight: Float)]]

    /// out[d] = (1 - w1) * row[low[d]] + w1 * row[high[d]] for d in `range`.
    @inline(__always)
    func interpolate(_ row: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        for d in range {
            let w1 = highWeight[d], w0 = 1 - w1
            out[d] = w0 * row[low[d]] + w1 * row[high[d]]
        }
    }
}

/// Factor 2 on one row, the interior in SIMD lanes: out[2k] = 0.25 row[k-1] + 0.75 row[k],
/// out[2k+1] = 0.75 row[k] + 0.25 row[k+1] (the weights `BilinearAxis` gives for factor 2,
/// exactly, with its expression and order); the borders through the tables.
@inline(__always)
func interpolateByTwo(_ row: UnsafePointer<Float>, width: Int, axis: BilinearAxis, into out: UnsafeMutablePointer<Float>) {
    let quarter = SIMD8<Float>(repeating: 0.25), threeQuarters = SIMD8<Float>(repeating: 0.75)
    // Lanes k..<k+8 read row[k-1 ..< k+9]: from k = 1 while k + 8 <= width - 1.
    var k = 1
    while k &+ 9 <= width {
        let left = UnsafeRawPointer(row + (k &- 1)).loadUnaligned(as: SIMD8<Float>.self)
        let center = UnsafeRawPointer(row + k).loadUnaligned(as: SIMD8<Float>.self)
        let right = UnsafeRawPointer(row + (k &+ 1)).loadUnaligned(as: SIMD8<Float>.self)
        var pair = SIMD16<Float>()
        pair.evenHalf = quarter * left + threeQuarters * center
        pair.oddHalf = threeQuarters * center + quarter * right
        UnsafeMutableRawPointer(out + 2 &* k).storeBytes(of: pair, as: SIMD16<Float>.self)
        k &+= 8
    }
    axis.interpolate(row, into: out, 0..<2)
    axis.interpolate(row, into: out, 2 &* k..<2 &* width)
}

/// The adjoint of `interpolateByTwo` as a gather: source[k] = Σ over the destinations
/// that read k of weight * gradient, the interior in SIMD lanes (weights 0.25, 0.75, 0.75,
/// 0.25 on 2k-1 ... 2k+2), the borders through `readers`.
@inline(__always)
func gatherByTwo(_ gradient: UnsafePointer<Float>, width: Int, axis: BilinearAxis, into out: UnsafeMutablePointer<Float>) {
    let quarter = SIMD8<Float>(repeating: 0.25), threeQuarters = SIMD8<Float>(repeating: 0.75)
    // Lanes k..<k+8 read gradient[2k-1 ..< 2k+17]: from k = 1 while 2k + 17 <= 2 width.
    var k = 1
    while 2 &* k &+ 17 <= 2 &* width {
        let first = UnsafeRawPointer(gradient + (2 &* k &- 1)).loadUnaligned(as: SIMD16<Float>.self)
        let second = UnsafeRawPointer(gradient + (2 &* k &+ 1)).loadUnaligned(as: SIMD16<Float>.self)
        let sum = (quarter * first.evenHalf + threeQuarters * first.oddHalf)
            + (threeQuarters * second.evenHalf + quarter * second.oddHalf)
        UnsafeMutableRawPointer(out + k).storeBytes(of: sum, as: SIMD8<Float>.self)
        k &+= 8
    }
    axis.gather(gradient, into: out, 0..<min(1, width))
    axis.gather(gradient, into: out, k..<width)
}

extension BilinearAxis {
    /// out[i] = Σ weight * gradient[destination] over `readers[i]`, for i in `range`.
    @inline(__always)
    func gather(_ gradient: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        for i in range {
            var total: Float = 0
            for reader in readers[i] { total += reader.weight * gradient[reader.destination] }
            out[i] = total
        }
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
                            if factor == 2 {
                                interpolateByTwo(row, width: width, axis: cols, into: out)
                            } else {
                                cols.interpolate(row, into: out, 0..<outWidth)
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
            // The adjoint of the two passes, each as a gather (every entry written once, no
            // zero fill, no scattered adds): horizontally interpolated rows from the output
            // rows that read them, then input pixels from those.
            var dx = uninitializedFloats(x.count)
            result.gradient!.withUnsafeBufferPointer { gb in
                dx.withUnsafeMutableBufferPointer { db in
                    let g = gb.baseAddress!, d = db.baseAddress!
                    parallelItems(planes, costPerItem: outPlane) { p in
                        var horizontal = uninitializedFloats(height * outWidth)
                        horizontal.withUnsafeMutableBufferPointer { hb in
                            let h = hb.baseAddress!
                            for i in 0..<height {
                                let out = h + i * outWidth
                                for (index, reader) in rows.readers[i].enumerated() {
                                    let gRow = g + p * outPlane + reader.destination * outWidth, a = reader.weight
                                    if index == 0 {
                                        for c in 0..<outWidth { out[c] = a * gRow[c] }
                                    } else {
                                        for c in 0..<outWidth { out[c] += a * gRow[c] }
                                    }
                                }
                            }
                            for i in 0..<height {
                                let row = h + i * outWidth, out = d + p * inPlane + i * width
                                if factor == 2 {
                                    gatherByTwo(row, width: width, axis: cols, into: out)
                                } else {
                                    cols.gather(row, into: out, 0..<width)
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
