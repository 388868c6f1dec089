/// The Winograd F(2x2, 3x3) lowering of dense 3x3 stride-1 convolutions with outputs of
/// at least 16x16 (`ConvolutionLowering`); the transforms and kernels are in
/// `Kernels/Winograd.swift`.
extension ConvolutionGeometry {
    /// The Winograd correlation of one batch item's padded input.
    var winograd: WinogradCorrelation {
        WinogradCorrelation(inChannels: inChannels, outChannels: outChannels,
                            inputHeight: paddedHeight, inputWidth: paddedWidth)
    }

    /// Winograd forward: each batch item's padded input correlated with the transformed
    /// filters; the output transform adds the bias.
    func forwardWinograd(padded xp: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: [Float]?,
                         output y: UnsafeMutablePointer<Float>) {
        let filters = WinogradCorrelation.filters(weight, outChannels: outChannels, inChannels: inChannels)
        filters.withUnsafeBufferPointer { u in
            for n in 0..<batch {
                winograd.correlate(xp + n * inChannels * paddedPlane, filters: u.baseAddress!, bias: bias,
                                   output: y + n * outChannels * outPlane)
            }
        }
    }

    /// Winograd backward: dW from the transformed input and output gradient; dX_padded is
    /// the correlation of dY, zero-padded by 2, with the flipped and transposed kernels
    /// (`WinogradCorrelation.filters(forInputGradient:)`), then the padding's adjoint.
    func backwardWinograd(padded xp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                          outputGradient dy: UnsafePointer<Float>,
                          inputGradient dx: inout [Float]?, weightGradient dw: inout [Float]?) {
        if dw != nil {
            dw!.withUnsafeMutableBufferPointer { g in
                for n in 0..<batch {
                    let du = winograd.filterGradient(xp + n * inChannels * paddedPlane,
                                                     outputGradient: dy + n * outChannels * outPlane)
                    du.withUnsafeBufferPointer {
                        WinogradCorrelation.accumulateFilterGradient($0.baseAddress!, outChannels: outChannels,
                                                                     inChannels: inChannels, into: g.baseAddress!)
                    }
                }
            }
        }
        guard dx != nil else { return }
        let adjoint = WinogradCorrelation(inChannels: outChannels, outChannels: inChannels,
                                          inputHeight: outHeight + 4, inputWidth: outWidth + 4)
        let filters = WinogradCorrelation.filters(weight, outChannels: outChannels, inChannels: inChannels,
                                                  forInputGradient: true)
        var dxp = padding > 0 ? paddedGradientBuffer() : []
        var spread = uninitializedFloats(outChannels * adjoint.inputPlane)
        filters.withUnsafeBufferPointer { u in
            spread.withUnsafeMutableBufferPointer { sp in
                for n in 0..<batch {
                    padPlanes(dy + n * outChannels * outPlane, channels: outChannels, height: outHeight,
                              width: outWidth, pad: 2, mode: .zero, into: sp.baseAddress!)
                    func write(_ target: UnsafeMutablePointer<Float>) {
                        adjoint.correlate(sp.baseAddress!, filters: u.baseAddress!, bias: nil,
                                          output: target + n * inChannels * paddedPlane)
                    }
                    if padding > 0 {
                        dxp.withUnsafeMutableBufferPointer { write($0.baseAddress!) }
                    } else {
                        dx!.withUnsafeMutableBufferPointer { write($0.baseAddress!) }
                    }
                }
            }
        }
        if padding > 0 { foldPadding(dxp, into: &dx!) }
    }
}
