import Dispatch

/// The backward pass of 1x1 convolutions with few output channels (DIP's last layer,
/// 128 -> 3, and its skip convolutions, -> 4), one image at a time, x as [channels, plane].
///
/// As GEMMs, the input gradient has K = 3 (OpenBLAS runs such shapes far below its
/// speed) and the weight gradient streams x a second time; both are memory-bound. Here
/// one sweep reads x once and writes the input gradient once, computing both gradients
/// (at 256x256, 128 -> 3: 7.4-9.2 ms against 12.3-13.7 ms for the two GEMMs, alternating
/// runs). The sweep goes over spans of 1024 pixels, channel by channel within a span, so
/// that each channel's row is read as 4 KiB in order, which the prefetchers follow, while
/// the span of the few output-gradient rows stays in cache. (The forward pass stays a
/// GEMM: the same sweep with the outputs accumulated in L1 was 1.2-1.6x slower than
/// OpenBLAS, whose packing reads x in longer runs.)
enum ThinPointwise {
    /// Output channels up to which these kernels replace the GEMMs.
    static let maximumOutputs = 8
    static let span = 1024

    /// Pixel ranges, shared out over the cores: fixed by the plane alone, so the weight
    /// gradient's partial sums combine in the same order on any number of cores.
    static func chunks(_ plane: Int) -> [Range<Int>] {
        let count = min(16, max(1, plane / 4096))
        let size = (plane / count + span - 1) / span * span
        return (0..<count).map { min(plane, $0 * size)..<min(plane, ($0 + 1) * size) }
    }

    /// dx[c, p] = Σ_o weight[o, c] dy[o, p] (written) and dw[o, c] += Σ_p dy[o, p] x[c, p],
    /// either of them optional.
    static func backward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                         channels: Int, outputs: Int, plane: Int, inputGradient dx: UnsafeMutablePointer<Float>?,
                         weightGradient dw: UnsafeMutablePointer<Float>?) {
        let ranges = chunks(plane)
        // Per chunk, the weight gradient in SIMD lanes and a scalar tail: [chunk][o * channels + c].
        let perChunk = outputs * channels
        var lanes = [SIMD8<Float>](repeating: SIMD8(), count: dw == nil ? 0 : ranges.count * perChunk)
        var tails = [Float](repeating: 0, count: dw == nil ? 0 : ranges.count * perChunk)
        lanes.withUnsafeMutableBufferPointer { lb in
            tails.withUnsafeMutableBufferPointer { tb in
                let laneBase = lb.baseAddress, tailBase = tb.baseAddress
                forEachPart(ranges.count) { chunk in
                    let range = ranges[chunk]
                    let partial = laneBase.map { $0 + chunk * perChunk }
                    let tail = tailBase.map { $0 + chunk * perChunk }
                    var p = range.lowerBound
                    while p < range.upperBound {
                        let width = min(span, range.upperBound - p)
                        let vectorWidth = width & ~7
                        for c in 0..<channels {
                            let row = x + (c &* plane &+ p)
                            let gradientRow = dx.map { $0 + (c &* plane &+ p) }
                            var q = 0
                            while q < vectorWidth {
                                let v = UnsafeRawPointer(row + q).loadUnaligned(as: SIMD8<Float>.self)
                                var g = SIMD8<Float>()
                                for o in 0..<outputs {
                                    let d = UnsafeRawPointer(dy + (o &* plane &+ p &+ q)).loadUnaligned(as: SIMD8<Float>.self)
                                    g.addProduct(SIMD8(repeating: weight[o &* channels &+ c]), d)
                                    partial?[o &* channels &+ c].addProduct(d, v)
                                }
                                gradientRow.map { UnsafeMutableRawPointer($0 + q).storeBytes(of: g, as: SIMD8<Float>.self) }
                                q &+= 8
                            }
                            while q < width {
                                var g: Float = 0
                                for o in 0..<outputs {
                                    let d = dy[o &* plane &+ p &+ q]
                                    g += weight[o &* channels &+ c] * d
                                    tail?[o &* channels &+ c] += d * row[q]
                                }
                                gradientRow?[q] = g
                                q &+= 1
                            }
                        }
                        p &+= width
                    }
                }
                guard let dw, let laneBase, let tailBase else { return }
                for chunk in 0..<ranges.count {
                    for j in 0..<perChunk {
                        dw[j] += laneBase[chunk * perChunk + j].sum() + tailBase[chunk * perChunk + j]
                    }
                }
            }
        }
    }
}
