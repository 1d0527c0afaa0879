import BangfuCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A 32-byte secret of bangfud's: from the systemd credential of that name (`LoadCredential=`,
/// `$CREDENTIALS_DIRECTORY`, base64 of the bytes), else from the file of that name in the state
/// directory, created there 0600 on first use so that the demo works. A secret kept beside the data
/// protects nothing against someone who can read the state directory: `status` says where it came from.
public struct StateSecret: Sendable {
    public enum Source: String, Sendable {
        case credential
        case stateDirectory = "state_directory"
    }

    public let bytes: Data
    public let source: Source

    /// Loads `name` (creating it in `stateDir` when neither a credential nor the file exists).
    public static func load(_ name: String, stateDir: String) throws -> StateSecret {
        if let directory = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"] {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: path) {
                return StateSecret(bytes: try read(path, name: name), source: .credential)
            }
        }
        let path = URL(fileURLWithPath: stateDir).appendingPathComponent(name).path
        if !FileManager.default.fileExists(atPath: path) { try create(path, name: name) }
        return StateSecret(bytes: try read(path, name: name), source: .stateDirectory)
    }

    /// Writes 32 random bytes, base64, to a new file only its owner can read (never over an existing one).
    private static func create(_ path: String, name: String) throws {
        var generator = SystemRandomNumberGenerator()
        let fresh = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw unreadable(path, name: name) }
        let text = fresh.base64EncodedString() + "\n"
        let written = text.utf8CString.withUnsafeBufferPointer { bytes in
            write(descriptor, bytes.baseAddress, bytes.count - 1)
        }
        close(descriptor)
        guard written == text.utf8.count else { throw unreadable(path, name: name) }
    }

    private static func read(_ path: String, name: String) throws -> Data {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32
        else { throw unreadable(path, name: name) }
        return bytes
    }

    private static func unreadable(_ path: String, name: String) -> BangfuError {
        BangfuError(
            .invalidConfig, zh: "密钥 \(name)（\(path)）无法读取或创建：应为 32 字节的 base64",
            en: "the secret \(name) (\(path)) cannot be read or created: it must be base64 of 32 bytes")
    }
}
