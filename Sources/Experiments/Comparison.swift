import Evidence
import Foundation

extension Evaluation: PairedArm {
    /// The metric at the step the windowed-variance detector chose, or at the last step
    /// when the run was too short for its window: a number chosen without the clean image.
    public var withoutOracle: Double { detected ?? final }
}
