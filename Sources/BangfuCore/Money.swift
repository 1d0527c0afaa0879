/// An amount of money in integer fen (1/100 yuan). Never floating point.
public struct Money: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The amount in fen; negative for debits in the ledger.
    public let fen: Int64

    public init(fen: Int64) { self.fen = fen }

    /// Whole yuan, for literals in configuration and tests.
    public init(yuan: Int64) { self.fen = yuan * 100 }  // literals only: traps past Int64.max / 100

    public static let zero = Money(fen: 0)

    /// The largest single amount bangfu accepts anywhere (an income, a deposit, a payment, a
    /// budget): ¥1,000,000,000.00. Sums of such amounts stay far below `Int64.max`, and every
    /// computation on money is checked all the same.
    public static let maximum = Money(fen: 100_000_000_000)

    /// The largest balance a fund may hold (¥10,000,000,000,000.00): a deposit or a repayment that
    /// would pass it is refused, so a kept balance can never overflow.
    public static let maximumBalance = Money(fen: 1_000_000_000_000_000)

    /// An amount taken from untrusted input: refused with `invalid_input` naming `field` unless it
    /// lies in `minimum...Money.maximum` (1 fen by default: payments, deposits and transfers are positive).
    public static func bounded(fen: Int64, field: String, minimum: Int64 = 1) throws -> Money {
        guard fen >= minimum, fen <= Money.maximum.fen else {
            throw BangfuError(
                .invalidInput,
                zh:
                    "\(Words.archiveField(field, .zh))的金额 \(Money(fen: fen)) 超出范围：应在 \(Money(fen: minimum)) 至 \(Money.maximum) 之间",
                en:
                    "\(field): \(fen) fen is out of range; it must be between \(Money(fen: minimum)) and \(Money.maximum)",
                context: ["field": field])
        }
        return Money(fen: fen)
    }

    /// Checks that an amount already in hand lies in `minimum...Money.maximum` (see `bounded(fen:field:minimum:)`).
    public func bounded(field: String, minimum: Int64) throws -> Money {
        try Money.bounded(fen: fen, field: field, minimum: minimum)
    }

    /// The error every overflowing computation on money throws: a value, never a trap.
    public static func overflow(_ what: String) -> BangfuError {
        BangfuError(
            .invalidInput, zh: "金额计算超出范围（\(what)）：请检查输入的金额",
            en: "an amount is out of range (\(what)): check the amounts entered",
            context: ["field": what])
    }

    /// `self + other`, or `invalid_input` when it would overflow.
    public func adding(_ other: Money, _ what: String = "sum") throws -> Money {
        let (sum, overflow) = fen.addingReportingOverflow(other.fen)
        if overflow { throw Money.overflow(what) }
        return Money(fen: sum)
    }

    /// `self - other`, or `invalid_input` when it would overflow.
    public func subtracting(_ other: Money, _ what: String = "difference") throws -> Money {
        let (difference, overflow) = fen.subtractingReportingOverflow(other.fen)
        if overflow { throw Money.overflow(what) }
        return Money(fen: difference)
    }

    /// `self × factor`, or `invalid_input` when it would overflow.
    public func multiplied(by factor: Int64, _ what: String = "product") throws -> Money {
        Money(fen: try Money.product(fen, factor, what))
    }

    /// `percent`% of the amount, rounded down to the fen; `invalid_input` when it would overflow.
    public func percent(_ percent: Int64, _ what: String = "percentage") throws -> Money {
        Money(fen: try Money.product(fen, percent, what) / 100)
    }

    /// The sum of amounts, or `invalid_input` when it would overflow.
    public static func sum<S: Sequence>(_ amounts: S, _ what: String = "sum") throws -> Money where S.Element == Money {
        try amounts.reduce(Money.zero) { total, amount in try total.adding(amount, what) }
    }

    /// `a × b` in integers, or `invalid_input` naming `what` when it would overflow.
    public static func product(_ a: Int64, _ b: Int64, _ what: String) throws -> Int64 {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        if overflow { throw Money.overflow(what) }
        return product
    }

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
        if s.hasPrefix("-") {
            negative = true
            s = s.dropFirst()
        }
        if s.hasPrefix("¥") || s.hasPrefix("￥") { s = s.dropFirst() }
        let cleaned = s.filter { $0 != "," }
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        func bad() -> BangfuError {
            BangfuError(
                .invalidMoney,
                zh: "金额“\(text)”无效：请写成元，最多两位小数，例如 1234.56",
                en: "invalid amount \"\(text)\": write yuan with at most two decimals, e.g. 1234.56")
        }
        guard parts.count == 1 || parts.count == 2,
            let whole = parts.first, !whole.isEmpty, whole.count <= 13,
            whole.allSatisfy({ $0.isASCII && $0.isNumber })
        else { throw bad() }
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
