import ImageIO
import TensorKit

extension Image {
    /// The image as a 1 x C x H x W tensor.
    public var tensor: Tensor { Tensor(shape: [1, channels, height, width], data: pixels) }

    /// An image from the first item of an N x C x H x W tensor.
    public init(_ tensor: Tensor) {
        require(tensor.rank == 4, "image from tensor of shape \(tensor.shape)")
        let c = tensor.shape[1], h = tensor.shape[2], w = tensor.shape[3]
        self.init(channels: c, height: h, width: w, pixels: Array(tensor.data[0..<(c * h * w)]))
    }
}
