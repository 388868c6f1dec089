import Foundation

/// Student's t distribution: the distribution of a mean paired difference over n seeds,
/// standardised by its estimated standard error, with n - 1 degrees of freedom.
///
/// The CDF goes through the regularised incomplete beta function,
/// P(T ≤ t) = 1 - I_x(ν/2, 1/2) / 2 for t ≥ 0, x = ν / (ν + t²) (Abramowitz & Stegun
/// 26.5.27 and 26.7.1), evaluated by its continued fraction (modified Lentz); the
/// quantile inverts the CDF by bisection (monotone, so it always converges).
public struct StudentT: Sendable {
    public let degreesOfFreedom: Double

    public init(degreesOfFreedom: Double) {
        precondition(degreesOfFreedom > 0, "degrees of freedom must be positive")
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// P(T ≤ t).
    public func cdf(_ t: Double) -> Double {
        if t.isNaN { return .nan }
        if t == .infinity { return 1 }
        if t == -.infinity { return 0 }
        let v = degreesOfFreedom
        let tail = 0.5 * regularizedIncompleteBeta(v / (v + t * t), a: v / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The t with P(T ≤ t) = p, for 0 < p < 1.
    public func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "a quantile's probability is in (0, 1)")
        if p == 0.5 { return 0 }
        if p < 0.5 { return -quantile(1 - p) }
        var low = 0.0, high = 1.0
        while cdf(high) < p { low = high; high *= 2 }
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if cdf(middle) < p { low = middle } else { high = middle }
            if high - low <= 1e-12 * max(1, high) { break }
        }
        return (low + high) / 2
    }
}

/// I_x(a, b), the regularised incomplete beta function, for 0 ≤ x ≤ 1 and a, b > 0.
func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let logBeta: Double = lgamma(a) + lgamma(b) - lgamma(a + b)
    let logPowers: Double = a * log(x) + b * log(1 - x)
    let logFront = logPowers - logBeta
    // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the
    // symmetry I_x(a, b) = 1 - I_{1-x}(b, a) on the other side.
    if x < (a + 1) / (a + b + 2) {
        return exp(logFront) * betaContinuedFraction(x, a: a, b: b) / a
    }
    return 1 - exp(logFront) * betaContinuedFraction(1 - x, a: b, b: a) / b
}

/// The continued fraction of I_x(a, b) (Numerical Recipes' `betacf` recurrence, written
/// from the formula: d_{2m} = m(b-m)x / ((a+2m-1)(a+2m)), d_{2m+1} = -(a+m)(a+b+m)x /
/// ((a+2m)(a+2m+1))), by the modified Lentz method.
private func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
    let tiny = 1e-300
    var c = 1.0
    var d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var result = d
    for m in 1...400 {
        let m = Double(m)
        let even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1 + even * d
        if abs(d) < tiny { d = tiny }
        c = 1 + even / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        result *= d * c
        let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1 + odd * d
        if abs(d) < tiny { d = tiny }
        c = 1 + odd / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        let step = d * c
        result *= step
        if abs(step - 1) < 1e-15 { break }
    }
    return result
}
