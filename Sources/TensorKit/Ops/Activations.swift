import Foundation

/// LeakyReLU with DIP's slope 0.2 by default: y = x for x > 0, slope * x otherwise.
public func leakyReLU(_ x: Tensor, slope: Float = 0.2) -> Tensor {
    // Explicit SIMD loops: the generic map helpers leave the closure call in the loop.
    var y = uninitializedFloats(x.count)
    x.data.withUnsafeBufferPointer { xb in
        y.withUnsafeMutableBufferPointer { yb in
            scaleNegative(xb.baseAddress!, by: xb.baseAddress!, slope: slope, into: yb.baseAddress!, count: x.count)
        }
    }
    return makeResult(shape: x.shape, data: y, inputs: [x]) { result in
        var dx = uninitializedFloats(x.count)
        result.gradient!.withUnsafeBufferPointer { gb in
            x.data.withUnsafeBufferPointer { xb in
                dx.withUnsafeMutableBufferPointer { db in
                    scaleNegative(gb.baseAddress!, by: xb.baseAddress!, slope: slope, into: db.baseAddress!, count: x.count)
                }
            }
        }
        x.accumulateGradient(dx)
    }
}

/// out[i] = values[i] where sign[i] > 0, else slope * values[i] (LeakyReLU forward with
/// values = sign = x, backward with values = dy, sign = x).
@inline(__always)
func scaleNegative(_ values: UnsafePointer<Float>, by sign: UnsafePointer<Float>, slope: Float,
                   into out: UnsafeMutablePointer<Float>, count: Int) {
    parallelChunks(count) { range in
        var i = range.lowerBound
        let zero = SIMD8<Float>(), factor = SIMD8<Float>(repeating: slope)
        while i &+ 8 <= range.upperBound {
            let v = UnsafeRawPointer(values + i).loadUnaligned(as: SIMD8<Float>.self)
            let s = UnsafeRawPointer(sign + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: v.replacing(with: v * factor, where: s .<= zero),
                                                        as: SIMD8<Float>.self)
            i &+= 8
        }
        while i < range.upperBound {
            out[i] = sign[i] > 0 ? values[i] : slope * values[i]
            i &+= 1
        }
    }
}

public func relu(_ x: Tensor) -> Tensor {
    let y = mapElements(x.data) { max($0, 0) }
    return makeResult(shape: x.shape, data: y, inputs: [x]) { result in
        x.accumulateGradient(zipElements(result.gradient!, x.data) { g, v in v > 0 ? g : 0 })
    }
}

public func sigmoid(_ x: Tensor) -> Tensor {
    let y = mapElements(x.data) { 1 / (1 + exp(-$0)) }
    return makeResult(shape: x.shape, data: y, inputs: [x]) { result in
        x.accumulateGradient(zipElements(result.gradient!, y) { g, s in g * s * (1 - s) })
    }
}

public func tanh(_ x: Tensor) -> Tensor {
    let y = mapElements(x.data) { Foundation.tanh($0) }
    return makeResult(shape: x.shape, data: y, inputs: [x]) { result in
        x.accumulateGradient(zipElements(result.gradient!, y) { g, t in g * (1 - t * t) })
    }
}
