import Foundation

/// Where a training step's time goes, by operation and output shape, forward and backward.
///
/// Off by default (one branch per operation when off). When on, every operation that
/// joins the graph is charged the wall time since the previous one finished (the forward
/// pass runs operations one after another, so that is the operation's own time), and the
/// backward pass times each node's backward function. `lip bench --profile` prints it.
/// Recording takes a lock: while one caller profiles, others may run operations on other
/// threads (tests run in parallel), and their charges must not corrupt the tables.
public enum OperationProfile {
    public struct Entry {
        public var seconds = 0.0
        public var calls = 0

        public init(seconds: Double = 0, calls: Int = 0) {
            self.seconds = seconds
            self.calls = calls
        }
    }

    nonisolated(unsafe) public static var isEnabled = false
    nonisolated(unsafe) public private(set) static var forward: [String: Entry] = [:]
    nonisolated(unsafe) public private(set) static var backward: [String: Entry] = [:]
    nonisolated(unsafe) private static var lastMark: UInt64 = 0
    private static let lock = NSLock()

    /// Starts the forward clock: call right before a forward pass.
    public static func mark() { lock.withLock { lastMark = DispatchTime.now().uptimeNanoseconds } }

    public static func reset() {
        lock.withLock {
            forward = [:]
            backward = [:]
            lastMark = DispatchTime.now().uptimeNanoseconds
        }
    }

    static func recordForward(_ operation: String, shape: [Int]) {
        let key = key(operation, shape)
        lock.withLock {
            let now = DispatchTime.now().uptimeNanoseconds
            forward[key, default: Entry()].add(Double(now &- lastMark) / 1e9)
            lastMark = now
        }
    }

    static func recordBackward(_ operation: String, shape: [Int], seconds: Double) {
        let key = key(operation, shape)
        lock.withLock { backward[key, default: Entry()].add(seconds) }
    }

    private static func key(_ operation: String, _ shape: [Int]) -> String {
        let name = operation.prefix { $0 != "(" }
        return "\(name) → \(shape.map(String.init).joined(separator: "x"))"
    }
}

extension OperationProfile.Entry {
    mutating func add(_ time: Double) {
        seconds += time
        calls += 1
    }
}
