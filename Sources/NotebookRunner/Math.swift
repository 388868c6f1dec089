import Foundation
import Plotting

/// Inline TeX (`$...$`) in prose. The page is standalone and offline, so no MathJax:
/// math spans are shielded from the Markdown parser (which would read `_` as emphasis) and
/// rendered as italic serif text, with the common commands turned into Unicode and `_x`,
/// `^x` into sub- and superscripts.
enum InlineMath {
    static let symbols: [(String, String)] = [
        ("\\theta", "θ"), ("\\sigma", "σ"), ("\\lambda", "λ"), ("\\alpha", "α"), ("\\beta", "β"), ("\\gamma", "γ"),
        ("\\delta", "δ"), ("\\epsilon", "ε"), ("\\eta", "η"), ("\\mu", "μ"), ("\\pi", "π"), ("\\tau", "τ"),
        ("\\phi", "φ"), ("\\psi", "ψ"), ("\\omega", "ω"), ("\\Theta", "Θ"), ("\\Sigma", "Σ"), ("\\sum", "∑"),
        ("\\|", "‖"), ("\\odot", "⊙"), ("\\geq", "≥"), ("\\leq", "≤"), ("\\ge", "≥"), ("\\le", "≤"),
        ("\\approx", "≈"), ("\\cdot", "·"), ("\\times", "×"), ("\\in", "∈"), ("\\to", "→"), ("\\infty", "∞"),
        ("\\min", "min"), ("\\max", "max"), ("\\log", "log"), ("\\arg", "arg"), ("\\,", " "), ("\\;", " "),
    ]

    /// Replaces math spans with placeholders; returns the text and the rendered HTML per placeholder.
    static func shield(_ text: String) -> (String, [String: String]) {
        var result = ""
        var rendered: [String: String] = [:]
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "$") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "$"), !after[..<close].contains("\n"), after.startIndex != close else {
                result += rest[...open]
                rest = after
                continue
            }
            result += rest[..<open]
            let token = "LIPMATH\(rendered.count)X"
            rendered[token] = "<span class=\"math\">\(html(String(after[..<close])))</span>"
            result += token
            rest = after[after.index(after: close)...]
        }
        return (result + rest, rendered)
    }

    static func html(_ tex: String) -> String {
        var text = tex
        for (command, symbol) in symbols { text = text.replacingOccurrences(of: command, with: symbol) }
        var out = ""
        var characters = Array(text)
        var i = 0
        func group() -> String {
            guard i < characters.count else { return "" }
            if characters[i] == "{" {
                var depth = 0
                var j = i
                var content = ""
                while j < characters.count {
                    if characters[j] == "{" { depth += 1; if depth == 1 { j += 1; continue } }
                    if characters[j] == "}" { depth -= 1; if depth == 0 { break } }
                    content.append(characters[j])
                    j += 1
                }
                i = j + 1
                return content
            }
            defer { i += 1 }
            return String(characters[i])
        }
        while i < characters.count {
            let c = characters[i]
            if c == "_" || c == "^" {
                i += 1
                let content = htmlEscaped(group())
                out += c == "_" ? "<sub>\(content)</sub>" : "<sup>\(content)</sup>"
            } else if c == "{" || c == "}" {
                i += 1
            } else {
                out += htmlEscaped(String(c))
                i += 1
            }
        }
        characters = []
        return out
    }

    static func restore(_ html: String, _ rendered: [String: String]) -> String {
        var out = html
        for (token, value) in rendered { out = out.replacingOccurrences(of: token, with: value) }
        return out
    }
}
