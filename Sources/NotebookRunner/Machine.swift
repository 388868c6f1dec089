import CBLAS
import Store

/// The machine facts the runner records for the notebook process it starts (which
/// inherits `LIP_THREADS` and links the same OpenBLAS), read without loading the engine.
enum Machine {
    /// OpenBLAS's kernel family for this CPU (e.g. "Zen", "Haswell").
    static var blasCore: String { String(cString: openblas_get_corename()) }
    /// The worker threads the notebook process will use.
    static var threads: Int { ThreadSetting.requested }
    static func provenance() -> Provenance { .current(blasCore: blasCore, threads: threads) }
}
