import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writing a file so that readers see the old content or the new, never a part, and so
/// that a symbolic link planted at the path is replaced, not followed.
///
/// The bytes go to a fresh temporary file beside the target (created with `O_EXCL`, so
/// no existing file or link is opened), which is then renamed over the target.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): cannot write (\(reason))" }
    }

    /// Writes `data` to `path` atomically.
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { descriptor in
            try data.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw WriteError(path: path, reason: String(cString: strerror(errno)))
                    }
                    offset += written
                }
            }
        }
    }

    /// Writes `text` as UTF-8 to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Creates a temporary file beside `path`, lets `fill` write it through its descriptor,
    /// then renames it over `path`. On any failure the temporary file is removed.
    public static func write(to path: String, _ fill: (Int32) throws -> Void) throws {
        let temporary = temporaryPath(for: path)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        do {
            try fill(descriptor)
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        // On disk before it replaces the old file: a power loss leaves the old or the new.
        _ = fsync(descriptor)
        guard close(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw WriteError(path: path, reason: reason)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw WriteError(path: path, reason: reason)
        }
    }

    /// A name beside `path` unique to this process and call.
    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let name = ".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }
}
