import BangfuCore
import BangfuEvidence
import BangfuWire
import Foundation

/// Why bangfud wrote a head line: the journal field `AUDIT_HEAD_REASON`.
enum CheckpointReason: String, Sendable {
    case start, write, notice, backup, export, timer
}

extension Runtime {
    /// Signs the current audit head now, writes it to the journal and keeps it as the latest
    /// checkpoint: at start, after writes (at most once a second), when a notice is published,
    /// at a backup or an export, and every `audit.checkpoint_minutes`. Nil while the chain is empty.
    @discardableResult
    func checkpoint(_ why: CheckpointReason) async -> Checkpoint? {
        guard let head = try? await store.auditHead() else { return nil }
        return checkpoint(head, why: why)
    }

    /// Signs and writes `head` (see `checkpoint(_:)`).
    @discardableResult
    func checkpoint(_ head: AuditHead, why: CheckpointReason) -> Checkpoint? {
        let at = Wire.time(clock.now())
        guard let signed = try? checkpointKey.checkpoint(head, at: at) else {
            logger.error("audit head \(head.seq) could not be signed")
            return nil
        }
        latestCheckpoint.withLock { $0 = signed }
        logger.notice(
            "audit head \(head.seq)",
            metadata: [
                "MESSAGE_ID": "\(AuditHead.journalMessageID)", "AUDIT_SEQ": "\(head.seq)", "AUDIT_HASH": "\(head.hash)",
                "AUDIT_AT": "\(at)", "AUDIT_SIGNATURE": "\(signed.signature.base64EncodedString())",
                "AUDIT_HEAD_REASON": "\(why.rawValue)",
            ])
        return signed
    }
}
