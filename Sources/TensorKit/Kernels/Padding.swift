/// How a convolution extends its input beyond the border.
public enum PaddingMode: String, Sendable, Codable, CaseIterable {
    /// Zeros outside the image (`Conv2d(padding=p)`).
    case zero
    /// Mirror without repeating the edge (`ReflectionPad2d`), as DIP's `pad='reflection'`.
    case reflection
    /// Repeat the edge pixel (`ReplicationPad2d`), as DIP's SR downsampler.
    case replicate
}

/// Index of the source pixel for padded position `i` (may be negative or >= size), or -1
/// for a zero.
@inline(__always)
func sourceIndex(_ i: Int, size: Int, mode: PaddingMode) -> Int {
    if i >= 0 && i < size { return i }
    switch mode {
    case .zero: return -1
    case .reflection: return i < 0 ? -i : 2 &* size &- 2 &- i
    case .replicate: return i < 0 ? 0 : size &- 1
    }
}

/// Pads `channels` planes of height x width by `pad` on every side into `destination`
/// (planes of (height+2pad) x (width+2pad)).
func padPlanes(_ source: UnsafePointer<Float>, channels: Int, height: Int, width: Int, pad: Int,
               mode: PaddingMode, into destination: UnsafeMutablePointer<Float>) {
    let paddedHeight = height &+ 2 &* pad, paddedWidth = width &+ 2 &* pad
    parallelItems(channels, costPerItem: paddedHeight &* paddedWidth) { c in
        let src = source + c &* height &* width
        let dst = destination + c &* paddedHeight &* paddedWidth
        for r in 0..<paddedHeight {
            let row = dst + r &* paddedWidth
            let sr = sourceIndex(r &- pad, size: height, mode: mode)
            if sr < 0 {
                row.update(repeating: 0, count: paddedWidth)
                continue
            }
            let srcRow = src + sr &* width
            for col in 0..<pad {
                let sc = sourceIndex(col &- pad, size: width, mode: mode)
                row[col] = sc < 0 ? 0 : srcRow[sc]
                let right = pad &+ width &+ col
                let sr2 = sourceIndex(right &- pad, size: width, mode: mode)
                row[right] = sr2 < 0 ? 0 : srcRow[sr2]
            }
            (row + pad).update(from: srcRow, count: width)
        }
    }
}

/// The adjoint of `padPlanes`, written (not accumulated) into `gradient`: each pixel gets
/// its padded position's gradient plus those of every border position copied from it
/// (reflected borders fold back into the interior). The interior is a plain row copy,
/// so no zero fill and no per-pixel index arithmetic outside the borders.
func foldPaddedPlanes(_ paddedGradient: UnsafePointer<Float>, channels: Int, height: Int,
                      width: Int, pad: Int, mode: PaddingMode,
                      into gradient: UnsafeMutablePointer<Float>) {
    let paddedHeight = height &+ 2 &* pad, paddedWidth = width &+ 2 &* pad
    parallelItems(channels, costPerItem: paddedHeight &* paddedWidth) { c in
        let src = paddedGradient + c &* paddedHeight &* paddedWidth
        let dst = gradient + c &* height &* width
        for r in 0..<height {
            let interior: Int = (r &+ pad) &* paddedWidth &+ pad
            (dst + r &* width).update(from: src + interior, count: width)
        }
        let firstImageRow = src + pad &* paddedWidth
        let below: Int = (pad &+ height) &* paddedWidth, rightColumn: Int = pad &+ width
        addPaddedBorder(PaddedBorder(top: src, bottom: src + below, left: firstImageRow,
                                     right: firstImageRow + rightColumn, sideStride: paddedWidth),
                        height: height, width: width, pad: pad, mode: mode, into: dst)
    }
}

/// Where the border of one padded plane (or of its gradient) lies: `top` and `bottom`
/// hold the `pad` rows above and below the image at the padded width; `left` and `right`
/// the `pad` values on either side of image row r, at `r * sideStride`.
struct PaddedBorder {
    let top, bottom, left, right: UnsafePointer<Float>
    let sideStride: Int
}

/// The border part of the padding's adjoint: adds every border position's gradient onto
/// the image pixel it was copied from (none for zero padding's zeros).
@inline(__always)
func addPaddedBorder(_ border: PaddedBorder, height: Int, width: Int, pad: Int, mode: PaddingMode,
                     into gradient: UnsafeMutablePointer<Float>) {
    let paddedWidth = width &+ 2 &* pad
    for r in 0..<height {
        let row = gradient + r &* width
        for col in 0..<pad {
            let left = sourceIndex(col &- pad, size: width, mode: mode)
            if left >= 0 { row[left] += border.left[r &* border.sideStride &+ col] }
            let right = sourceIndex(width &+ col, size: width, mode: mode)
            if right >= 0 { row[right] += border.right[r &* border.sideStride &+ col] }
        }
    }
    for k in 0..<(2 &* pad) {
        // Padded rows 0..<pad above the image, then pad+height..<pad+height+pad below it.
        let imageRow: Int = k < pad ? k &- pad : height &+ k &- pad
        let sr = sourceIndex(imageRow, size: height, mode: mode)
        if sr < 0 { continue }
        let values = k < pad ? border.top + k &* paddedWidth : border.bottom + ((k &- pad) &* paddedWidth)
        let row = gradient + sr &* width
        for col in 0..<paddedWidth {
            let sc = sourceIndex(col &- pad, size: width, mode: mode)
            if sc >= 0 { row[sc] += values[col] }
        }
    }
}
