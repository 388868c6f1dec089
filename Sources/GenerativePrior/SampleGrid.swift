import ImageIO

/// Lays out 28x28 images (flat, in [-1, 1]) as a grey grid with `gap` white pixels
/// between cells, each pixel drawn `scale` times in each direction.
public func sampleGrid(_ images: [Float], columns: Int, gap: Int = 2, scale: Int = 2) -> Image {
    let side = FashionMNIST.side, pixels = FashionMNIST.pixels
    let count = images.count / pixels
    let rows = (count + columns - 1) / columns
    let cell = side * scale + gap
    let width = columns * cell + gap, height = rows * cell + gap
    var grid = Image(channels: 1, height: height, width: width, filling: 1)
    for k in 0..<count {
        let top = gap + (k / columns) * cell, left = gap + (k % columns) * cell
        for i in 0..<(side * scale) {
            for j in 0..<(side * scale) {
                let value = images[k * pixels + (i / scale) * side + j / scale]
                grid.pixels[(top + i) * width + left + j] = (value + 1) / 2
            }
        }
    }
    return grid
}
