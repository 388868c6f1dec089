/// Elementwise kernels on raw buffers. Written with SIMD8 so that `-target-cpu native`
/// turns them into AVX2/FMA code, and split over the cores for large arrays.

@inline(__always)
func addInPlace(_ destination: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, _ count: Int) {
    parallelChunks(count) { range in
        var i = range.lowerBound
        let end = range.upperBound
        while i &+ 8 <= end {
            let d = UnsafeMutableRawPointer(destination + i)
            let s = UnsafeRawPointer(source + i)
            d.storeBytes(of: d.loadUnaligned(as: SIMD8<Float>.self) + s.loadUnaligned(as: SIMD8<Float>.self),
                         as: SIMD8<Float>.self)
            i &+= 8
        }
        while i < end {
            destination[i] += source[i]
            i &+= 1
        }
    }
}

/// A large copy split over the cores (one core does not saturate memory bandwidth).
func copyInParallel(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
    parallelChunks(count, minimumChunk: 65_536) { range in
        (destination + range.lowerBound).update(from: source + range.lowerBound, count: range.count)
    }
}

/// Maps `output[i] = transform(input[i])` in parallel chunks.
@inline(__always)
func mapElements(_ input: [Float], _ transform: (Float) -> Float) -> [Float] {
    var output = uninitializedFloats(input.count)
    input.withUnsafeBufferPointer { x in
        output.withUnsafeMutableBufferPointer { y in
            let xp = x.baseAddress!, yp = y.baseAddress!
            parallelChunks(input.count) { range in
                for i in range { yp[i] = transform(xp[i]) }
            }
        }
    }
    return output
}

/// Maps two equally long arrays to one: `output[i] = combine(a[i], b[i])`.
@inline(__always)
func zipElements(_ a: [Float], _ b: [Float], _ combine: (Float, Float) -> Float) -> [Float] {
    require(a.count == b.count, "elementwise operands of \(a.count) and \(b.count) values")
    var output = uninitializedFloats(a.count)
    a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
            output.withUnsafeMutableBufferPointer { y in
                let x0 = ap.baseAddress!, x1 = bp.baseAddress!, yp = y.baseAddress!
                parallelChunks(a.count) { range in
                    for i in range { yp[i] = combine(x0[i], x1[i]) }
                }
            }
        }
    }
    return output
}

/// Sum of `count` floats (SIMD8 lanes, blocks folded into Double).
@inline(__always)
func sum(_ x: UnsafePointer<Float>, _ count: Int) -> Double {
    var total = 0.0
    var i = 0
    while i < count {
        let blockEnd = min(count, i &+ 4096)
        var s = SIMD8<Float>()
        while i &+ 8 <= blockEnd {
            s += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            i &+= 8
        }
        var tail: Float = 0
        while i < blockEnd {
            tail += x[i]
            i &+= 1
        }
        total += Double(s.sum()) + Double(tail)
    }
    return total
}

/// Sum of x[i] * y[i] (SIMD8 lanes, blocks folded into Double).
@inline(__always)
func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int) -> Double {
    var total = 0.0
    var i = 0
    while i < count {
        let blockEnd = min(count, i &+ 4096)
        var s = SIMD8<Float>()
        while i &+ 8 <= blockEnd {
            s.addProduct(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self),
                         UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self))
            i &+= 8
        }
        var tail: Float = 0
        while i < blockEnd {
            tail += x[i] * y[i]
            i &+= 1
        }
        total += Double(s.sum()) + Double(tail)
    }
    return total
}

/// An array whose every element the caller overwrites before reading: skips the zero
/// fill (a full extra pass over memory for every activation).
@inline(__always)
func uninitializedFloats(_ count: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
}
