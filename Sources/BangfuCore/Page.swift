/// The one pagination contract every listing shares: at most `limit` items (default 100, at most
/// 1,000) after an opaque cursor; a reply carries `next` when more follow. A listing is never built
/// whole in memory, whatever the store holds.
///
/// The cursor is the key of the last item of the previous page in the listing's order: its id for
/// most, several integers where the order is not the id's (households left out of a campaign,
/// deepest hardship first). It is opaque to callers: `p1.` and the key in base 36.
public struct Page: Sendable, Hashable {
    public static let defaultLimit = 100
    public static let maximumLimit = 1_000

    public var limit: Int
    /// The key of the last item of the previous page; nil for the first page.
    public var afterKey: [Int64]?

    /// The id of the last item of the previous page, for listings in id order; nil for the first page.
    public var afterId: Int64? { afterKey?.last }

    public init(limit: Int = Page.defaultLimit, afterId: Int64? = nil) {
        self.limit = limit
        self.afterKey = afterId.map { [$0] }
    }

    /// Reads a page from a caller's `limit` and `after`, refusing what is out of range or not a
    /// cursor of this listing (`keyLength` integers in its key).
    public init(limit: Int64?, after: String?, keyLength: Int = 1) throws {
        let asked = limit ?? Int64(Page.defaultLimit)
        guard (1...Int64(Page.maximumLimit)).contains(asked) else {
            throw BangfuError(
                .invalidInput, zh: "limit 须在 1 到 \(Page.maximumLimit) 之间",
                en: "limit must be 1 to \(Page.maximumLimit)",
                context: ["field": "limit"])
        }
        self.limit = Int(asked)
        guard let after else {
            self.afterKey = nil
            return
        }
        let parts = after.split(separator: ".", omittingEmptySubsequences: false)
        let key = parts.dropFirst().compactMap { part in Int64(part, radix: 36) }
        guard parts.first == "p1", key.count == keyLength, parts.count == keyLength + 1 else {
            throw BangfuError(
                .invalidInput, zh: "after 不是有效的翻页标记：请使用上一页回复中的 next",
                en: "after is not a page cursor: pass the next of the previous reply",
                context: ["field": "after"])
        }
        self.afterKey = key
    }

    /// The cursor that continues after the item with this key.
    public static func cursor(after key: [Int64]) -> String {
        (["p1"] + key.map { part in String(part, radix: 36) }).joined(separator: ".")
    }

    /// The cursor that continues after `id`.
    public static func cursor(after id: Int64) -> String { cursor(after: [id]) }

    /// Cuts what a store read (up to `limit + 1` items in id order) to the page, with the cursor of
    /// the next page when there is one.
    public func cut<Item>(_ items: [Item], id: (Item) -> Int64) -> (items: [Item], next: String?) {
        cut(items, key: { item in [id(item)] })
    }

    /// Cuts what a store read (up to `limit + 1` items in the listing's order) to the page.
    public func cut<Item>(_ items: [Item], key: (Item) -> [Int64]) -> (items: [Item], next: String?) {
        guard items.count > limit else { return (items, nil) }
        let page = Array(items.prefix(limit))
        return (page, page.last.map { item in Page.cursor(after: key(item)) })
    }

    /// Fills a page from a source in id order that is filtered after it is read (what SQL cannot
    /// decide, such as a loan's schedule): reads chunks after the cursor until `limit + 1` items
    /// pass `keep` or the source ends. Memory stays at a chunk and a page, whatever the source holds.
    public func fill<Raw, Item>(
        chunk: Int = 500, read: (_ afterId: Int64?, _ count: Int) async throws -> [Raw], id: (Raw) -> Int64,
        keep: (Raw) async throws -> Item?
    ) async throws -> (items: [Item], next: String?) {
        var kept: [(id: Int64, item: Item)] = []
        var after = afterId
        while kept.count <= limit {
            let raws = try await read(after, chunk)
            for raw in raws {
                if let item = try await keep(raw) { kept.append((id(raw), item)) }
                if kept.count > limit { break }
            }
            guard raws.count >= chunk, let last = raws.last else { break }
            after = id(last)
        }
        let (page, next) = cut(kept) { entry in entry.id }
        return (page.map(\.item), next)
    }
}
