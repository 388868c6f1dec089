import Foundation

/// Where a notebook's images come from: the free images shipped in `data/` (the default),
/// or the paper's own test images in a directory the user points to.
public enum ImageData: Codable, Hashable, Sendable {
    case embedded
    case paper(directory: String)

    /// The default place of the paper's images, relative to the project root.
    public static let defaultPaperDirectory = "../shared/data/paper"

    /// Parses the notebooks' `data` parameter: `embedded`, `paper` (the directory in
    /// `LIP_PAPER_DATA`, else `../shared/data/paper`), or a directory path.
    public static func named(_ parameter: String) throws -> ImageData {
        let directory: String
        switch parameter {
        case "embedded", "": return .embedded
        case "paper": directory = ProcessInfo.processInfo.environment["LIP_PAPER_DATA"] ?? defaultPaperDirectory
        default: directory = parameter
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ExperimentError.missingPaperData(directory)
        }
        return .paper(directory: directory)
    }

    /// The image a benchmark uses under this choice, and its short name.
    public func image(for benchmark: Benchmark) -> (path: String, name: String) {
        switch self {
        case .embedded:
            return (benchmark.standIn, URL(fileURLWithPath: benchmark.standIn).deletingPathExtension().lastPathComponent)
        case .paper(let directory):
            return ((directory as NSString).appendingPathComponent(benchmark.paperImage), benchmark.paperImageName)
        }
    }

    /// The inpainting mask file, when the paper's data provides one (the embedded data
    /// renders a text mask instead).
    public func mask(for benchmark: Benchmark) -> String? {
        guard case .paper(let directory) = self, let mask = benchmark.paperMask else { return nil }
        return (directory as NSString).appendingPathComponent(mask)
    }

    public var isPaper: Bool { self != .embedded }
}
