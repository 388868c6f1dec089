/// Like `precondition`, but the message survives optimized builds (`-O` drops
/// precondition messages), so that a shape mismatch in notebook code says what was wrong
/// instead of only where.
@inline(__always)
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                    file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
