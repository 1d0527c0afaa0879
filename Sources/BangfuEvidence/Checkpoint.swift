import BangfuCore
import Crypto
import Foundation

/// A signed checkpoint: the audit head at a moment, signed with bangfud's Ed25519 key. An auditor
/// given it and the public key checks a copy of the database offline (`bangfu-db verify
/// --checkpoint FILE --public-key FILE`): the signature proves bangfud saw that head, and a copy
/// that no longer holds it was cut short or rewritten.
///
/// The file is text, one field a line, the signature over the lines before it:
///
///     bangfu checkpoint v1
///     seq: 42
///     head: 9f86d081…
///     at: 2027-02-19T09:00:00+08:00
///     signature: <base64>
public struct Checkpoint: Sendable, Hashable {
    public var head: AuditHead
    public var at: String
    public var signature: Data

    /// What is signed.
    public static func message(head: AuditHead, at: String) -> String {
        "bangfu checkpoint v1\nseq: \(head.seq)\nhead: \(head.hash)\nat: \(at)\n"
    }

    /// Signs `head` as of `at` with `key`.
    public static func signed(_ head: AuditHead, at: String, key: Curve25519.Signing.PrivateKey) throws -> Checkpoint {
        Checkpoint(head: head, at: at, signature: try key.signature(for: Data(message(head: head, at: at).utf8)))
    }

    public var text: String {
        Checkpoint.message(head: head, at: at) + "signature: \(signature.base64EncodedString())\n"
    }

    /// Reads a checkpoint file; nil when it is not one.
    public init?(parsing text: String) {
        var fields: [String: String] = [:]
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.first == "bangfu checkpoint v1" else { return nil }
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let seq = fields["seq"], let hash = fields["head"], let head = AuditHead(parsing: "\(seq):\(hash)"),
            let at = fields["at"], let signatureText = fields["signature"],
            let signature = Data(base64Encoded: signatureText)
        else { return nil }
        self.init(head: head, at: at, signature: signature)
    }

    public init(head: AuditHead, at: String, signature: Data) {
        self.head = head
        self.at = at
        self.signature = signature
    }

    /// Whether `publicKey` signed it.
    public func isSigned(by publicKey: Curve25519.Signing.PublicKey) -> Bool {
        publicKey.isValidSignature(signature, for: Data(Checkpoint.message(head: head, at: at).utf8))
    }

    /// A public key as the key file holds it: base64 of the 32 raw bytes, one line.
    public static func publicKey(parsing text: String) -> Curve25519.Signing.PublicKey? {
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        return try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
    }
}
