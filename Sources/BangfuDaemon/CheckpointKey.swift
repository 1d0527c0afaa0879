import BangfuCore
import BangfuStore
import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// bangfud's Ed25519 key for signed checkpoints: from the systemd credential `checkpoint-key`
/// (`LoadCredential=`, base64 of the 32 raw bytes), else from `checkpoint-key` in the state
/// directory, created there 0600 on first start so that the demo works. A key kept beside the data
/// proves nothing against someone who can write the data: `status` says so.
struct CheckpointKey: Sendable {
    enum Source: String, Sendable {
        case credential
        case stateDirectory = "state_directory"
    }

    /// The private key's 32 raw bytes (swift-crypto's key type is not `Sendable`; it is made per use).
    private let raw: Data
    let source: Source

    private init(key: Curve25519.Signing.PrivateKey, source: Source) {
        self.raw = key.rawRepresentation
        self.source = source
    }

    private var key: Curve25519.Signing.PrivateKey {
        // The bytes were read from a valid key.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    }

    /// The public key as the key file holds it (base64 of the raw bytes), for auditors.
    var publicKeyText: String { key.publicKey.rawRepresentation.base64EncodedString() }

    static func load(stateDir: String) throws -> CheckpointKey {
        if let directory = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"] {
            let path = URL(fileURLWithPath: directory).appendingPathComponent("checkpoint-key").path
            if FileManager.default.fileExists(atPath: path) {
                return CheckpointKey(key: try read(path), source: .credential)
            }
        }
        let path = URL(fileURLWithPath: stateDir).appendingPathComponent("checkpoint-key").path
        if !FileManager.default.fileExists(atPath: path) {
            let fresh = Curve25519.Signing.PrivateKey()
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw unreadable(path) }
            let text = fresh.rawRepresentation.base64EncodedString() + "\n"
            let written = text.utf8CString.withUnsafeBufferPointer { bytes in
                write(descriptor, bytes.baseAddress, bytes.count - 1)
            }
            close(descriptor)
            guard written == text.utf8.count else { throw unreadable(path) }
        }
        return CheckpointKey(key: try read(path), source: .stateDirectory)
    }

    private static func read(_ path: String) throws -> Curve25519.Signing.PrivateKey {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw unreadable(path) }
        return key
    }

    private static func unreadable(_ path: String) -> BangfuError {
        BangfuError(
            .invalidConfig, zh: "检查点签名密钥 \(path) 无法读取或创建（应为 32 字节私钥的 base64）",
            en: "the checkpoint signing key \(path) cannot be read or created (base64 of a 32-byte private key)")
    }

    /// The current head signed now.
    func checkpoint(_ head: AuditHead, at: String) throws -> Checkpoint {
        try Checkpoint.signed(head, at: at, key: key)
    }
}
