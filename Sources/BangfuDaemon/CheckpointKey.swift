import BangfuConfig
import BangfuCore
import BangfuEvidence
import BangfuStore
import Crypto
import Foundation
import Synchronization

/// bangfud's Ed25519 key for signed checkpoints: the secret `checkpoint-key` (a systemd credential,
/// else created in the state directory; see `StateSecret`). A key kept beside the data proves
/// nothing against someone who can write the data: `status` says so.
struct CheckpointKey: Sendable {
    /// The key, derived from its seed once: deriving it again for each checkpoint cost as much as
    /// the signature (a scalar multiplication each). swift-crypto's key type is not `Sendable`,
    /// so it is kept behind a lock.
    private let key: KeptKey
    let source: StateSecret.Source
    /// The public key as the key file holds it (base64 of the raw bytes), for auditors.
    let publicKeyText: String

    private init(seed: Data, source: StateSecret.Source) throws {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        self.publicKeyText = key.publicKey.rawRepresentation.base64EncodedString()
        self.key = KeptKey(key)
        self.source = source
    }

    static func load(stateDir: String) throws -> CheckpointKey {
        let secret = try StateSecret.load("checkpoint-key", stateDir: stateDir)
        return try CheckpointKey(seed: secret.bytes, source: secret.source)
    }

    /// The current head signed now.
    func checkpoint(_ head: AuditHead, at: String) throws -> Checkpoint {
        try key.locked.withLock { key in try Checkpoint.signed(head, at: at, key: key) }
    }

    private final class KeptKey: Sendable {
        let locked: Mutex<Curve25519.Signing.PrivateKey>
        init(_ key: sending Curve25519.Signing.PrivateKey) { locked = Mutex(key) }
    }
}
