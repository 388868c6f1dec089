/// Running statistics of a batch norm layer, updated as `torch.nn.BatchNorm2d` does in
/// training mode (momentum 0.1, unbiased variance). DIP never switches to eval mode, so
/// they never affect an output; they are kept so checkpoints load into PyTorch as-is.
public final class RunningStatistics {
    public var mean: [Float]
    public var variance: [Float]
    public var batchesTracked: Int64 = 0
    public let momentum: Float

    public init(channels: Int, momentum: Float = 0.1) {
        mean = [Float](repeating: 0, count: channels)
        variance = [Float](repeating: 1, count: channels)
        self.momentum = momentum
    }

    func update(batchMean: [Float], batchVariance: [Float], count: Int) {
        let correction = count > 1 ? Float(count) / Float(count - 1) : 1
        for c in mean.indices {
            mean[c] = (1 - momentum) * mean[c] + momentum * batchMean[c]
            variance[c] = (1 - momentum) * variance[c] + momentum * batchVariance[c] * correction
        }
        batchesTracked += 1
    }
}

/// Batch normalization in training mode over an NCHW tensor: per channel, the mean and
/// biased variance over N, H, W; y = weight * (x - mean) / sqrt(var + eps) + bias.
///
/// With `leakySlope`, a LeakyReLU follows in the same pass (DIP's `bn()` then `act()`):
/// the normalized tensor is never stored, and the backward pass recomputes it from the
/// input. Forward values and every gradient equal those of `leakyReLU(batchNorm(x))` bit
/// for bit: the same expressions in the same summation order.
public func batchNorm(_ input: Tensor, weight: Tensor, bias: Tensor, epsilon: Float = 1e-5,
                      statistics: RunningStatistics? = nil, leakySlope: Float? = nil) -> Tensor {
    require(input.rank == 4, "batchNorm expects NCHW, got \(input.shape)")
    let batch = input.shape[0], channels = input.shape[1], plane = input.shape[2] * input.shape[3]
    require(weight.shape == [channels] && bias.shape == [channels],
                 "batchNorm over \(channels) channels got weight \(weight.shape), bias \(bias.shape)")
    let count = batch * plane
    var mean = [Float](repeating: 0, count: channels)
    var inverseStd = [Float](repeating: 0, count: channels)
    var variance = [Float](repeating: 0, count: channels)
    var output = uninitializedFloats(input.count)
    input.data.withUnsafeBufferPointer { xb in
        output.withUnsafeMutableBufferPointer { yb in
            mean.withUnsafeMutableBufferPointer { mb in
                variance.withUnsafeMutableBufferPointer { vb in
                    inverseStd.withUnsafeMutableBufferPointer { sb in
                        let x = xb.baseAddress!, y = yb.baseAddress!
                        // Channel by channel, statistics then output: the channel's planes
                        // (256 KiB at 256x256) are still in cache for the second pass, so the
                        // input crosses the memory bus once instead of twice.
                        parallelItems(channels, costPerItem: count) { c in
                            // Sums of (x - K) and (x - K)^2 with K the channel's first value.
                            // Shifting by a sample keeps var = E[(x-K)^2] - E[x-K]^2 free of
                            // cancellation on planes whose mean is large against their spread,
                            // as a pass over centerd values would, in one pass instead of two.
                            let shift = x[c * plane]
                            var total = 0.0, squares = 0.0
                            for n in 0..<batch {
                                let sums = shiftedSums(x + (n * channels + c) * plane, plane, shift: shift)
                                total += sums.sum
                                squares += sums.squares
                            }
                            let meanShift = total / Double(count)
                            mb[c] = Float(Double(shift) + meanShift)
                            vb[c] = Float(max(0, squares / Double(count) - meanShift * meanShift))
                            sb[c] = 1 / (vb[c] + epsilon).squareRoot()
                            let scale = weight.data[c] * sb[c]
                            let offset = bias.data[c] - mb[c] * scale
                            for n in 0..<batch {
                                let src = x + (n * channels + c) * plane, dst = y + (n * channels + c) * plane
                                if let leakySlope {
                                    normalizeLeaky(src, scale: scale, shift: offset, slope: leakySlope, into: dst,
                                                   count: plane)
                                } else {
                                    for i in 0..<plane { dst[i] = src[i] * scale + offset }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    statistics?.update(batchMean: mean, batchVariance: variance, count: count)
    return makeResult(shape: input.shape, data: output, inputs: [input, weight, bias]) { result in
        let dy = result.gradient!
        // Per channel: sums of dz and of dz * xhat give d(bias), d(weight) and dx, where
        // dz is the gradient at the normalized output (dy itself without an activation).
        // The input gradient of a channel follows its sums at once, while the channel's
        // planes of x and dy are still in cache: one pass over memory instead of two.
        var sumGradient = [Double](repeating: 0, count: channels)
        var sumGradientXhat = [Double](repeating: 0, count: channels)
        var dx = input.requiresGradient ? uninitializedFloats(input.count) : []
        input.data.withUnsafeBufferPointer { xb in
            dy.withUnsafeBufferPointer { db in
                dx.withUnsafeMutableBufferPointer { gb in
                    sumGradient.withUnsafeMutableBufferPointer { sg in
                        sumGradientXhat.withUnsafeMutableBufferPointer { sx in
                            let x = xb.baseAddress!, d = db.baseAddress!, g = gb.baseAddress
                            // Slope 1 is the identity (g * 1 == g exactly): plain batch norm.
                            let slope = leakySlope ?? 1
                            parallelItems(channels, costPerItem: count) { c in
                                let k = weight.data[c] * inverseStd[c]
                                let shift = bias.data[c] - mean[c] * k
                                var s = 0.0, sxy = 0.0
                                for n in 0..<batch {
                                    let offset = (n * channels + c) * plane
                                    let sums = gradientSums(d + offset, input: x + offset, scale: k, shift: shift,
                                                            slope: slope, count: plane)
                                    s += sums.gradient
                                    sxy += sums.gradientTimesInput
                                }
                                sg[c] = s
                                // sum(dz * xhat) = (sum(dz * x) - mean * sum(dz)) * invstd
                                sx[c] = (sxy - Double(mean[c]) * s) * Double(inverseStd[c])
                                guard let g else { return }
                                let meanGradient = Float(s / Double(count))
                                let meanGradientXhat = Float(sx[c] / Double(count))
                                for n in 0..<batch {
                                    let offset = (n * channels + c) * plane
                                    batchNormInputGradient(d + offset, input: x + offset, scale: k, shift: shift,
                                                           slope: slope, mean: mean[c], inverseStd: inverseStd[c],
                                                           meanGradient: meanGradient,
                                                           meanGradientXhat: meanGradientXhat,
                                                           into: g + offset, count: plane)
                                }
                            }
                        }
                    }
                }
            }
        }
        if bias.requiresGradient { bias.accumulateGradient(sumGradient.map { Float($0) }) }
        if weight.requiresGradient { weight.accumulateGradient(sumGradientXhat.map { Float($0) }) }
        if input.requiresGradient { input.accumulateGradient(dx) }
    }
}

/// dx = k * (dz - mean(dz) - xhat * mean(dz * xhat)) over one plane, with k = weight *
/// inverseStd, xhat = (x - mean) * inverseStd and dz as in `gradientSums`.
@inline(__always)
func batchNormInputGradient(_ dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, scale k: Float, shift: Float,
                            slope: Float, mean m: Float, inverseStd s: Float, meanGradient: Float,
                            meanGradientXhat: Float, into dx: UnsafeMutablePointer<Float>, count: Int) {
    let kv = SIMD8<Float>(repeating: k), shiftv = SIMD8<Float>(repeating: shift)
    let mv = SIMD8<Float>(repeating: m), sv = SIMD8<Float>(repeating: s)
    let mg = SIMD8<Float>(repeating: meanGradient), mgx = SIMD8<Float>(repeating: meanGradientXhat)
    let factor = SIMD8<Float>(repeating: slope), zero = SIMD8<Float>()
    var i = 0
    while i &+ 8 <= count {
        let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        let gv = UnsafeRawPointer(dy + i).loadUnaligned(as: SIMD8<Float>.self)
        let z = xv * kv + shiftv
        let dz = gv.replacing(with: gv * factor, where: z .<= zero)
        let xhat = (xv - mv) * sv
        UnsafeMutableRawPointer(dx + i).storeBytes(of: kv * (dz - mg - xhat * mgx), as: SIMD8<Float>.self)
        i &+= 8
    }
    while i < count {
        let z = x[i] * k + shift
        let dz = z > 0 ? dy[i] : slope * dy[i]
        let xhat = (x[i] - m) * s
        dx[i] = k * (dz - meanGradient - xhat * meanGradientXhat)
        i &+= 1
    }
}

/// out = LeakyReLU(x * scale + shift): the fused batch-norm output.
@inline(__always)
func normalizeLeaky(_ x: UnsafePointer<Float>, scale: Float, shift: Float, slope: Float,
                    into out: UnsafeMutablePointer<Float>, count: Int) {
    let a = SIMD8<Float>(repeating: scale), b = SIMD8<Float>(repeating: shift)
    let factor = SIMD8<Float>(repeating: slope), zero = SIMD8<Float>()
    var i = 0
    while i &+ 8 <= count {
        let z = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) * a + b
        UnsafeMutableRawPointer(out + i).storeBytes(of: z.replacing(with: z * factor, where: z .<= zero),
                                                    as: SIMD8<Float>.self)
        i &+= 8
    }
    while i < count {
        let z = x[i] * scale + shift
        out[i] = z > 0 ? z : slope * z
        i &+= 1
    }
}

/// Σ dz and Σ dz * x over one plane, where dz = dy where x * scale + shift > 0, else
/// slope * dy: LeakyReLU's backward at the batch-norm output, recomputed from the
/// batch-norm input (slope 1: dz = dy). One pass, with exactly the arithmetic of
/// `sum(dz)` and `dot(dz, x)` (the same blocks, lanes and fused multiply-adds), so the
/// fused operation matches the unfused ones bit for bit.
@inline(__always)
func gradientSums(_ dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, scale: Float, shift: Float,
                  slope: Float, count: Int) -> (gradient: Double, gradientTimesInput: Double) {
    let a = SIMD8<Float>(repeating: scale), b = SIMD8<Float>(repeating: shift)
    let factor = SIMD8<Float>(repeating: slope), zero = SIMD8<Float>()
    var gradientTotal = 0.0, productTotal = 0.0
    var i = 0
    while i < count {
        let blockEnd = min(count, i &+ 4096)
        var sums = SIMD8<Float>(), products = SIMD8<Float>()
        while i &+ 8 <= blockEnd {
            let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            let g = UnsafeRawPointer(dy + i).loadUnaligned(as: SIMD8<Float>.self)
            let z = xv * a + b
            let dz = g.replacing(with: g * factor, where: z .<= zero)
            sums += dz
            products.addProduct(dz, xv)
            i &+= 8
        }
        var tailSum: Float = 0, tailProduct: Float = 0
        while i < blockEnd {
            let z = x[i] * scale + shift
            let dz = z > 0 ? dy[i] : slope * dy[i]
            tailSum += dz
            tailProduct += dz * x[i]
            i &+= 1
        }
        gradientTotal += Double(sums.sum()) + Double(tailSum)
        productTotal += Double(products.sum()) + Double(tailProduct)
    }
    return (gradientTotal, productTotal)
}

/// Σ (x - shift) and Σ (x - shift)^2, SIMD8 lanes folded into Double per block of 4096.
@inline(__always)
func shiftedSums(_ x: UnsafePointer<Float>, _ count: Int, shift: Float) -> (sum: Double, squares: Double) {
    var total = 0.0, squares = 0.0
    var i = 0
    let k = SIMD8<Float>(repeating: shift)
    while i < count {
        let blockEnd = min(count, i &+ 4096)
        var s = SIMD8<Float>(), q = SIMD8<Float>()
        while i &+ 8 <= blockEnd {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - k
            s += v
            q.addProduct(v, v)
            i &+= 8
        }
        var tailSum: Float = 0, tailSquares: Float = 0
        while i < blockEnd {
            let v = x[i] - shift
            tailSum += v
            tailSquares += v * v
            i &+= 1
        }
        total += Double(s.sum()) + Double(tailSum)
        squares += Double(q.sum()) + Double(tailSquares)
    }
    return (total, squares)
}

/// Batch norm in evaluation mode: y = weight * (x - mean) * inverseStd + bias with fixed
/// statistics, i.e. a per-channel affine map (`scale`, `shift` precomputed from them).
/// Gradients flow to the input, the weight and the bias.
public func channelAffine(_ input: Tensor, scale: Tensor, shift: Tensor, weight: Tensor, bias: Tensor,
                          inverseStd: [Float], mean: [Float]) -> Tensor {
    let channels = input.shape[1], plane = input.shape[2] * input.shape[3], batch = input.shape[0]
    var output = uninitializedFloats(input.count)
    for n in 0..<batch {
        for c in 0..<channels {
            let base = (n * channels + c) * plane
            for i in 0..<plane { output[base + i] = input.data[base + i] * scale.data[c] + shift.data[c] }
        }
    }
    return makeResult(shape: input.shape, data: output, inputs: [input, weight, bias]) { result in
        let dy = result.gradient!
        var dx = [Float](repeating: 0, count: input.count)
        var dw = [Float](repeating: 0, count: channels), db = [Float](repeating: 0, count: channels)
        for n in 0..<batch {
            for c in 0..<channels {
                let base = (n * channels + c) * plane
                for i in 0..<plane {
                    dx[base + i] = dy[base + i] * scale.data[c]
                    db[c] += dy[base + i]
                    dw[c] += dy[base + i] * (input.data[base + i] - mean[c]) * inverseStd[c]
                }
            }
        }
        if input.requiresGradient { input.accumulateGradient(dx) }
        if weight.requiresGradient { weight.accumulateGradient(dw) }
        if bias.requiresGradient { bias.accumulateGradient(db) }
    }
}
