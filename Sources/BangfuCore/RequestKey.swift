import Foundation

/// A client's request id for a mutating call: a retry with the same id gets the first answer.
public struct RequestKey: Sendable, Hashable {
    /// Who sent it (the unix user), so ids of different callers never collide.
    public var principal: String
    public var id: String
    /// A hash of the method and parameters: the same id with other parameters is refused.
    public var paramsHash: String
    /// When the call came, on the daemon's clock: its reply expires `request_log.reply_days` after.
    public var at: Date

    public init(principal: String, id: String, paramsHash: String, at: Date) {
        self.principal = principal
        self.id = id
        self.paramsHash = paramsHash
        self.at = at
    }
}
