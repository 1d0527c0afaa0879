/// The one pagination contract every listing shares: at most `limit` items (default 100, at most
/// 1,000) after an opaque cursor; a reply carries `next` when more follow. A listing is never built
/// whole in memory, whatever the store holds.
public struct Page: Sendable, Hashable {
    public static let defaultLimit = 100
    public static let maximumLimit = 1_000

    public var limit: Int
    /// The id of the last item of the previous page; nil for the first page.
    public var afterId: Int64?

    public init(limit: Int = Page.defaultLimit, afterId: Int64? = nil) {
        self.limit = limit
        self.afterId = afterId
    }

    /// Reads a page from a caller's `limit` and `after`, refusing what is out of range or not a cursor of ours.
    public init(limit: Int64?, after: String?) throws {
        let asked = limit ?? Int64(Page.defaultLimit)
        guard (1...Int64(Page.maximumLimit)).contains(asked) else {
            throw BangfuError(
                .invalidInput, zh: "limit 须在 1 到 \(Page.maximumLimit) 之间",
                en: "limit must be 1 to \(Page.maximumLimit)",
                context: ["field": "limit"])
        }
        self.limit = Int(asked)
        guard let after else {
            self.afterId = nil
            return
        }
        guard after.hasPrefix("p1."), let id = Int64(after.dropFirst(3), radix: 36), id >= 0 else {
            throw BangfuError(
                .invalidInput, zh: "after 不是有效的翻页标记：请使用上一页回复中的 next",
                en: "after is not a page cursor: pass the next of the previous reply",
                context: ["field": "after"])
        }
        self.afterId = id
    }

    /// The cursor that continues after `id`.
    public static func cursor(after id: Int64) -> String { "p1." + String(id, radix: 36) }

    /// Cuts what a store read (up to `limit + 1` items in id order) to the page, with the cursor of
    /// the next page when there is one.
    public func cut<Item>(_ items: [Item], id: (Item) -> Int64) -> (items: [Item], next: String?) {
        guard items.count > limit else { return (items, nil) }
        let page = Array(items.prefix(limit))
        return (page, page.last.map { Page.cursor(after: id($0)) })
    }
}
