import BangfuConfig
import BangfuCore
import BangfuEvidence
import BangfuStore
import Crypto
import Foundation

/// bangfud's Ed25519 key for signed checkpoints: the secret `checkpoint-key` (a systemd credential,
/// else created in the state directory; see `StateSecret`). A key kept beside the data proves
/// nothing against someone who can write the data: `status` says so.
struct CheckpointKey: Sendable {
    /// The private key's 32 raw bytes (swift-crypto's key type is not `Sendable`; it is made per use).
    private let raw: Data
    let source: StateSecret.Source

    private init(key: Curve25519.Signing.PrivateKey, source: StateSecret.Source) {
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
        let secret = try StateSecret.load("checkpoint-key", stateDir: stateDir)
        return CheckpointKey(
            key: try Curve25519.Signing.PrivateKey(rawRepresentation: secret.bytes),
            source: secret.source)
    }

    /// The current head signed now.
    func checkpoint(_ head: AuditHead, at: String) throws -> Checkpoint {
        try Checkpoint.signed(head, at: at, key: key)
    }
}
