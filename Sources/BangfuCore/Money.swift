/// An amount of money in integer fen (1/100 yuan). Never floating point.
public struct Money: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The amount in fen; negative for debits in the ledger.
    public let fen: Int64

    public init(fen: Int64) { self.fen = fen }

    /// Whole yuan, for literals in configuration and tests.
    public init(yuan: Int64) { self.fen = yuan * 100 }

    public static let zero = Money(fen: 0)

    /// Encoded as a bare integer number of fen, in the store and on the wire.
    public init(from decoder: Decoder) throws {
        fen = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(fen)
    }

    public static func < (a: Money, b: Money) -> Bool { a.fen < b.fen }
    public static func + (a: Money, b: Money) -> Money { Money(fen: a.fen + b.fen) }
    public static func - (a: Money, b: Money) -> Money { Money(fen: a.fen - b.fen) }
    public static prefix func - (a: Money) -> Money { Money(fen: -a.fen) }

    /// Parses "1234.56", "1,234.5", "¥1234" or "-12.30" exactly; at most two decimals.
    public init(parsing text: String) throws {
        var s = Substring(text.trimmingCharacters(in: [" "]))
        var negative = false
        if s.hasPrefix("-") { negative = true; s = s.dropFirst() }
        if s.hasPrefix("¥") || s.hasPrefix("￥") { s = s.dropFirst() }
        let cleaned = s.filter { $0 != "," }
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        func bad() -> BangfuError {
            BangfuError(.invalidMoney,
                        zh: "金额“\(text)”无效：请写成元，最多两位小数，例如 1234.56",
                        en: "invalid amount \"\(text)\": write yuan with at most two decimals, e.g. 1234.56")
        }
        guard parts.count == 1 || parts.count == 2,
              let whole = parts.first, !whole.isEmpty, whole.count <= 13,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw bad() }
        var fen = Int64(whole)! * 100
        if parts.count == 2 {
            let frac = parts[1]
            guard !frac.isEmpty, frac.count <= 2, frac.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw bad() }
            let f = Int64(frac)!
            fen += frac.count == 1 ? f * 10 : f
        }
        self.fen = negative ? -fen : fen
    }

    /// Display form, `¥1,234.56`.
    public var description: String {
        let sign = fen < 0 ? "-" : ""
        let a = fen.magnitude
        let yuan = String(a / 100)
        var grouped = ""
        for (i, ch) in yuan.enumerated() {
            if i > 0 && (yuan.count - i) % 3 == 0 { grouped.append(",") }
            grouped.append(ch)
        }
        let cents = a % 100
        return "\(sign)¥\(grouped).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// Plain decimal yuan without symbol or grouping, for machine output: `1234.56`.
    public var plain: String {
        let sign = fen < 0 ? "-" : ""
        let a = fen.magnitude
        let cents = a % 100
        return "\(sign)\(a / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}
