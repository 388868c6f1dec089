import Foundation
import NotebookRuntime
import Store

/// Whether a rendered page is still what its notebook would produce in this checkout: its
/// notebook source, the numerical code and its input files, each against what the page
/// recorded when it was rendered. Presentation code (plots, the runner, prose elsewhere)
/// does not make a page stale: it changes how results look, not what they are.
public struct PageStatus {
    public var name: String
    public var provenance: NotebookProvenance
    /// Why the page is not current; empty when it is.
    public var staleReasons: [String]

    public var isCurrent: Bool { staleReasons.isEmpty }
    public var title: String { provenance.title }
    public var claims: ClaimCounts { ClaimCounts(provenance.claims) }

    /// One line: "current" or "stale: reason; reason".
    public var summary: String { isCurrent ? "current" : "stale: " + staleReasons.joined(separator: "; ") }
}

/// Checks pages against a checkout (`root`: the package root, holding `notebooks/`,
/// `Sources/` and the inputs the notebooks name).
public struct StalenessChecker {
    public let root: URL
    let numericsSourceHash: String

    public init(toolchain: Toolchain) {
        root = toolchain.root
        numericsSourceHash = toolchain.pageNumericsSourceHash()
    }

    /// Every rendered page under `outputRoot` (a folder with a `provenance.json`), by name.
    public func pages(in outputRoot: URL) -> [PageStatus] {
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: outputRoot.path)) ?? []
        return folders.sorted().compactMap { name in
            let file = outputRoot.appendingPathComponent(name).appendingPathComponent("provenance.json")
            guard let data = FileManager.default.contents(atPath: file.path),
                  let provenance = try? JSONDecoder().decode(NotebookProvenance.self, from: data) else { return nil }
            return status(of: provenance, name: name)
        }
    }

    public func status(of p: NotebookProvenance, name: String) -> PageStatus {
        var reasons: [String] = []
        let commit = String(p.machine.gitCommit.prefix(10))
        let notebook = p.notebook.hasPrefix("/") ? p.notebook : root.appendingPathComponent(p.notebook).path
        if let recorded = p.sourceHash {
            if let current = SHA256.hex(fileAt: notebook) {
                if current != recorded { reasons.append("\(p.notebook) changed since the render") }
            } else {
                reasons.append("\(p.notebook) is gone")
            }
        } else if gitChanged(since: p.machine.gitCommit, paths: [p.notebook]) != false {
            reasons.append("\(p.notebook) changed since \(commit) (or that commit is unknown here)")
        }
        if let project = p.projectFile, let recorded = p.projectHash {
            let url = project.hasPrefix("/") ? URL(fileURLWithPath: project) : root.appendingPathComponent(project)
            if SHA256.hex(fileAt: url.path) != recorded { reasons.append("\(project) (shared parameters) changed since the render, or is missing") }
        }
        if let recorded = p.numericsSourceHash {
            if recorded != numericsSourceHash { reasons.append("the numerical code changed since the render") }
        } else if gitChanged(since: p.machine.gitCommit,
                             paths: (Toolchain.numericalTargets + Toolchain.generativeTargets).map { "Sources/\($0)" }
                                 + ["Package.swift"]) != false {
            reasons.append("the numerical code changed since \(commit) (or that commit is unknown here)")
        }
        for (key, recorded) in p.inputs.sorted(by: { $0.key < $1.key }) {
            // "data/x.png", or "params.image = data/x.png" for a parameter naming a file.
            let path = key.range(of: " = ").map { String(key[$0.upperBound...]) } ?? key
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
            if SHA256.hex(fileAt: url.path) != recorded, !reasons.contains(where: { $0.hasPrefix("input \(path)") }) {
                reasons.append("input \(path) changed or is missing")
            }
        }
        if let until = p.until { reasons.append("a partial run (--until \(until))") }
        if let failure = p.failure { reasons.append("its run failed (\(failure.split(separator: "\n").first ?? ""))") }
        if p.machine.gitDirty && p.sourceHash == nil { reasons.append("rendered from uncommitted changes at \(commit)") }
        return PageStatus(name: name, provenance: p, staleReasons: reasons)
    }

    /// Whether `paths` differ between `commit` and the working tree (nil: git cannot tell).
    func gitChanged(since commit: String, paths: [String]) -> Bool? {
        guard !commit.isEmpty, commit != "unknown" else { return nil }
        switch Subprocess.run("git", ["-C", root.path, "diff", "--quiet", commit, "--"] + paths)?.status {
        case 0: return false
        case 1: return true
        default: return nil
        }
    }
}
