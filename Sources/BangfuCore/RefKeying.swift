import Foundation

/// What a store needs to key the refs stored in forms: the workflow knows forms and refs, the store
/// knows neither.
public struct RefKeying: Sendable {
    /// The fingerprint of the secret refs are made with (see `PersonRefs`).
    public var fingerprint: Int64
    /// The old ref -> new ref of each ID number an archive ever held.
    public var refsOf: @Sendable (_ archiveNo: String, _ idNumbers: [IDNumber]) -> [String: String]
    /// A form with its refs replaced, nil when none was in it.
    public var rewrite: @Sendable (_ formJSON: String, _ refs: [String: String]) throws -> String?

    public init(
        fingerprint: Int64, refsOf: @escaping @Sendable (String, [IDNumber]) -> [String: String],
        rewrite: @escaping @Sendable (String, [String: String]) throws -> String?
    ) {
        self.fingerprint = fingerprint
        self.refsOf = refsOf
        self.rewrite = rewrite
    }
}
