import CSupport
import Foundation

/// The runner owns the processes it starts. A compiled notebook runs in a process group
/// of its own and dies with `lip` even on SIGKILL (it sets `PR_SET_PDEATHSIG` when its
/// session starts, see `NotebookSession.start`); on SIGINT, SIGTERM or SIGHUP `lip`
/// stops every child it registered (the whole group: the notebook and its gnuplot or
/// compiler helpers), removes their temporary files and exits with 128 + the signal.
public enum ChildProcesses {
    struct Child {
        var pid: Int32
        var ownGroup: Bool
        var files: [URL]
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var children: [Int32: Child] = [:]
    nonisolated(unsafe) private static var installed = false
    /// Set once a signal arrived: a child registered after that is stopped at once (the
    /// main thread may start one while the handler is stopping the others).
    nonisolated(unsafe) private static var stopping = false

    /// Starts handling SIGINT, SIGTERM and SIGHUP (once per process). The C handler only
    /// writes the signal to a pipe; a thread reading it stops the children and exits.
    /// (Not SIG_IGN with a dispatch source: an ignored signal stays ignored in every
    /// program started afterwards, which could then not be stopped with SIGTERM.)
    public static func installSignalHandlers() {
        lock.lock()
        defer { lock.unlock() }
        guard !installed else { return }
        let descriptor = lip_signal_pipe_install()
        guard descriptor >= 0 else { return }
        installed = true
        let reader = Thread {
            var byte: UInt8 = 0
            while read(descriptor, &byte, 1) != 1 {}
            let signalNumber = Int32(byte)
            FileHandle.standardError.write(Data("\nlip: stopping on signal \(signalNumber); the notebook's finished results stay cached\n".utf8))
            stopAll()
            exit(128 + signalNumber)
        }
        reader.start()
    }

    /// Registers a started child; `files` are removed when it is stopped by a signal.
    static func register(_ pid: Int32, ownGroup: Bool, files: [URL] = []) {
        lock.lock()
        let child = Child(pid: pid, ownGroup: ownGroup, files: files)
        children[pid] = child
        let late = stopping
        lock.unlock()
        if late {
            terminate(child, signal: SIGKILL)
            for file in files { try? FileManager.default.removeItem(at: file) }
        }
    }

    static func unregister(_ pid: Int32) {
        lock.lock()
        children[pid] = nil
        lock.unlock()
    }

    /// SIGTERM to every child (its group where it has one), up to two seconds to exit,
    /// then SIGKILL; their files removed.
    static func stopAll() {
        lock.lock()
        stopping = true
        let all = Array(children.values)
        lock.unlock()
        stop(all, grace: 2)
        lock.lock()
        let everyone = Array(children.values)  // with any registered meanwhile
        lock.unlock()
        for child in everyone {
            terminate(child, signal: SIGKILL)
            for file in child.files { try? FileManager.default.removeItem(at: file) }
        }
    }

    static func terminate(_ child: Child, signal: Int32) {
        // The group exists once the child has called setpgid; before that, the child alone.
        if !child.ownGroup || kill(-child.pid, signal) != 0 { kill(child.pid, signal) }
    }

    /// Stops one child and its group (a notebook past its time limit).
    static func stop(_ pid: Int32, grace: TimeInterval = 5) {
        stop([Child(pid: pid, ownGroup: true, files: [])], grace: grace)
    }

    /// SIGTERM, up to `grace` seconds to exit, then SIGKILL to those still alive.
    static func stop(_ children: [Child], grace: TimeInterval) {
        for child in children { terminate(child, signal: SIGTERM) }
        let deadline = Date().addingTimeInterval(grace)
        while Date() < deadline && children.contains(where: { isAlive($0.pid) }) { usleep(20_000) }
        for child in children where isAlive(child.pid) { terminate(child, signal: SIGKILL) }
    }

    /// Whether a process exists and is not a zombie waiting to be reaped.
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(close, offsetBy: 2)] != "Z"
    }

    /// Removes the entries of `folder` whose runner is gone (a runner killed with SIGKILL
    /// cannot remove its own): `runner` reads a runner's pid from an entry's name, nil
    /// for entries that are not per-runner.
    static func removeLeftovers(in folder: URL, runner: (String) -> Int32?) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names {
            guard let pid = runner(name), pid != getpid(), !isAlive(pid) else { continue }
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// `session-<notebook>-<pid>.json` in the cache.
    static func removeStaleSessionFiles(in folder: URL) {
        removeLeftovers(in: folder) { name in
            guard name.hasPrefix("session-") && name.hasSuffix(".json") else { return nil }
            let stem = name.dropLast(".json".count)
            return stem.lastIndex(of: "-").flatMap { Int32(stem[stem.index(after: $0)...]) }
        }
    }
}
