import BangfuCore
import Crypto
import Foundation

/// Opaque references to the people of an archive, which forms use to name a student or a job
/// seeker: HMAC-SHA256 of archive number and ID number under bangfud's secret `ref-key`, cut to 64
/// bits. Without the secret a ref cannot be recomputed, so the few hundred thousand ID numbers
/// possible for a birth date cannot be tried against a masked ID shown beside it.
public struct PersonRefs: Sendable {
    /// The secret's bytes (swift-crypto's key type is not `Sendable`; it is made per use).
    private let secret: Data

    public init(secret: Data) { self.secret = secret }

    private var key: SymmetricKey { SymmetricKey(data: secret) }

    /// The reference of one person in one archive.
    public func ref(_ archiveNo: String, _ id: IDNumber) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data("\(archiveNo)\u{1F}\(id.value)".utf8), using: key))
            .prefix(8).hexString
    }

    /// Names the secret without revealing it: the refs stored in forms were made with the secret
    /// whose fingerprint the database keeps, and another secret would silently break them.
    public var fingerprint: Int64 {
        let code = Data(HMAC<SHA256>.authenticationCode(for: Data("bangfu ref-key fingerprint".utf8), using: key))
        return code.prefix(8).reduce(Int64(0)) { value, byte in (value << 8) | Int64(byte) } & Int64.max
    }

    /// The unkeyed formula of versions before 0.7, kept only to find such refs in stored forms.
    public static func unkeyed(_ archiveNo: String, _ id: IDNumber) -> String {
        SHA256.hash(data: Data("\(archiveNo)\u{1F}\(id.value)".utf8)).prefix(8).hexString
    }
}

extension Workflow {
    /// Keys the refs stored in forms with this workflow's secret (once; see the store's `keyRefs`).
    public static func keying(_ refs: PersonRefs) -> RefKeying {
        RefKeying(
            fingerprint: refs.fingerprint,
            refsOf: { archiveNo, idNumbers in
                Dictionary(
                    idNumbers.map { id in (PersonRefs.unkeyed(archiveNo, id), refs.ref(archiveNo, id)) },
                    uniquingKeysWith: { first, _ in first })
            },
            rewrite: { formJSON, replacements in
                var form = try Workflow.form(formJSON)
                var changed = false
                for (field, value) in form {
                    guard let text = value.string, let keyed = replacements[text] else { continue }
                    form[field] = .string(keyed)
                    changed = true
                }
                return changed ? try Workflow.canonical(form) : nil
            })
    }
}
