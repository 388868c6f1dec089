import Foundation
import Store

extension PaperBuilder {
    /// Writes `index.pdf` beside the page with headless Chromium, when one is installed.
    /// Returns nil when no converter is available.
    public func printPDF(_ html: URL) throws -> URL? {
        let candidates = ["chromium", "chromium-browser", "google-chrome"]
        guard let browser = candidates.lazy.compactMap(Subprocess.locate).first else { return nil }
        let pdf = html.deletingPathExtension().appendingPathExtension("pdf")
        let result = Subprocess.run(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                                              "--print-to-pdf=\(pdf.path)", html.absoluteURL.absoluteString], discardingOutput: true)
        let size = (try? FileManager.default.attributesOfItem(atPath: pdf.path)[.size] as? Int) ?? 0
        guard let result, result.succeeded, size > 0 else {
            throw Missing(problems: ["\(browser) could not print \(html.path) to PDF (exit \(result.map { String($0.status) } ?? "not started"))"])
        }
        return pdf
    }
}
