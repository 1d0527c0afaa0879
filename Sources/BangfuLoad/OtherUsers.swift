import Foundation
import Synchronization

/// Programs the tests run as other users (bangfuctl as each role, the PyPI varlink client, bangfu-db
/// as a user's own account) must be where those users can reach them.
///
/// A checkout in a home other users cannot enter (root's is 0700 on Debian, the natural place for a
/// root user to clone) holds the build, and so every binary in it, out of their reach: run from
/// there they fail with "Permission denied" (exit 126). `reachable` answers a path they can use:
/// the original when they can, else a copy in a fresh directory under /tmp that they can enter.
/// `scripts/run-demo.sh` does the same for the demo (`scripts/reachable.sh`).
public enum OtherUsers {
    private static let copies = Mutex<[String: String]>([:])

    /// `path` (a file, or a directory such as a Python venv) if an unprivileged user can reach it;
    /// else a copy of it, made once per process, in a directory every user may enter and read.
    public static func reachable(_ path: String) -> String {
        if canReach(path) { return path }
        return copies.withLock { made in
            if let copy = made[path] { return copy }
            let directory = "/tmp/bangfu-reachable-\(UUID().uuidString.prefix(8))"
            let copy = directory + "/" + URL(fileURLWithPath: path).lastPathComponent
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
                // cp -a keeps a venv's symlinks (bin/python -> /usr/bin/python3) and modes.
                let copying = Process()
                copying.executableURL = URL(fileURLWithPath: "/bin/cp")
                copying.arguments = ["-a", path, copy]
                try copying.run()
                copying.waitUntilExit()
                guard copying.terminationStatus == 0 else { return path }
                let opening = Process()
                opening.executableURL = URL(fileURLWithPath: "/bin/chmod")
                opening.arguments = ["-R", "a+rX", copy]
                try opening.run()
                opening.waitUntilExit()
            } catch {
                return path
            }
            made[path] = copy
            return copy
        }
    }

    /// Whether uid 65534 (nobody), with no groups, can reach `path` (execute a file, enter a directory).
    public static func canReach(_ path: String) -> Bool {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        probe.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/test", "-x", path]
        probe.standardError = FileHandle.nullDevice
        do { try probe.run() } catch { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }
}
