import Evidence

/// How many claims came out each way.
public struct ClaimCounts: Equatable, Sendable {
    public var held = 0
    public var failed = 0
    public var inconclusive = 0
    public var notChecked = 0

    public init(_ claims: [ClaimRecord]) {
        for claim in claims {
            switch claim.outcome {
            case .held: held += 1
            case .failed: failed += 1
            case .inconclusive: inconclusive += 1
            case .notChecked: notChecked += 1
            }
        }
    }

    public static func + (lhs: ClaimCounts, rhs: ClaimCounts) -> ClaimCounts {
        var sum = lhs
        sum.held += rhs.held
        sum.failed += rhs.failed
        sum.inconclusive += rhs.inconclusive
        sum.notChecked += rhs.notChecked
        return sum
    }

    public var total: Int { held + failed + inconclusive + notChecked }

    /// "2 held, 1 failed, 3 inconclusive, 1 not checked".
    public var summary: String {
        "\(held) held, \(failed) failed, \(inconclusive) inconclusive, \(notChecked) not checked"
    }
}

extension Verdict {
    /// The CSS class and the word a page shows.
    public var word: String { rawValue }
    public var cssClass: String { self == .notChecked ? "notchecked" : rawValue }
}
