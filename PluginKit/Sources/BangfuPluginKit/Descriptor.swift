import Foundation

/// A value in a form or configuration: text, an integer (money is integer fen) or a yes/no.
public enum FormValue: Codable, Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case integer(Int64)
    case bool(Bool)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) {
            self = .bool(b)
            return
        }
        if let i = try? c.decode(Int64.self) {
            self = .integer(i)
            return
        }
        if let s = try? c.decode(String.self) {
            self = .string(s)
            return
        }
        throw DecodingError.dataCorruptedError(
            in: c, debugDescription: "expected a string, an integer or a boolean (no fractions: money is integer fen)")
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .integer(let i): try c.encode(i)
        case .bool(let b): try c.encode(b)
        }
    }

    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var integer: Int64? { if case .integer(let i) = self { return i } else { return nil } }
    public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }

    public var description: String {
        switch self {
        case .string(let s): return s
        case .integer(let i): return String(i)
        case .bool(let b): return String(b)
        }
    }
}

/// How a help type pays out.
public enum PaymentKind: String, Codable, Sendable, CaseIterable {
    case oneOff = "one_off", monthly, loan
    case nonMonetary = "non_monetary"
}

/// The type of a form field.
public enum FieldType: String, Codable, Sendable, CaseIterable {
    case string, integer, money, choice, bool, date
}

/// One field of a help type's application form, with its validation.
public struct FormField: Codable, Sendable, Hashable {
    public var key: String
    public var labelZh: String
    public var labelEn: String
    public var type: FieldType
    public var required: Bool
    /// Inclusive bounds for integer and money (fen) fields.
    public var min: Int64?
    public var max: Int64?
    /// Allowed values for `choice` fields.
    public var options: [String]?
    /// The options as people read them, in the order of `options` (a form shows 大病, the form
    /// keeps `serious_illness`); absent, a client shows the codes.
    public var optionsZh: [String]?
    public var optionsEn: [String]?
    /// Longest allowed text, in characters.
    public var maxLength: Int?

    public init(
        key: String, labelZh: String, labelEn: String, type: FieldType, required: Bool = true, min: Int64? = nil,
        max: Int64? = nil, options: [String]? = nil, optionsZh: [String]? = nil, optionsEn: [String]? = nil,
        maxLength: Int? = nil
    ) {
        self.key = key
        self.labelZh = labelZh
        self.labelEn = labelEn
        self.type = type
        self.required = required
        self.min = min
        self.max = max
        self.options = options
        self.optionsZh = optionsZh
        self.optionsEn = optionsEn
        self.maxLength = maxLength
    }
}

/// A configuration key a help type reads, with the default used when the host's file does not set it.
public struct ConfigKey: Codable, Sendable, Hashable {
    public var key: String
    public var defaultValue: FormValue
    public var descriptionZh: String
    public var descriptionEn: String

    public init(key: String, defaultValue: FormValue, descriptionZh: String, descriptionEn: String) {
        self.key = key
        self.defaultValue = defaultValue
        self.descriptionZh = descriptionZh
        self.descriptionEn = descriptionEn
    }
}

/// What a help type declares about itself.
public struct HelpTypeDescriptor: Codable, Sendable, Hashable {
    /// Stable id, lower-case letters, digits and '-': `medical-aid`.
    public var id: String
    public var nameZh: String
    public var nameEn: String
    public var version: String
    public var paymentKind: PaymentKind
    public var fields: [FormField]
    /// Fund sources it may draw on (`fiscal`, `union_funds`, `party_dues`, `donation`, `named_donor`).
    public var fundSources: [String]
    /// Flags host-wide rules use, e.g. `temporary_aid`.
    public var flags: [String]
    public var config: [ConfigKey]
    /// The most one case may pay in total, in fen, under the current configuration (nil: no money).
    public var amountCapFen: Int64?

    public init(
        id: String, nameZh: String, nameEn: String, version: String, paymentKind: PaymentKind, fields: [FormField],
        fundSources: [String], flags: [String] = [], config: [ConfigKey] = [], amountCapFen: Int64?
    ) {
        self.id = id
        self.nameZh = nameZh
        self.nameEn = nameEn
        self.version = version
        self.paymentKind = paymentKind
        self.fields = fields
        self.fundSources = fundSources
        self.flags = flags
        self.config = config
        self.amountCapFen = amountCapFen
    }

    /// Flag for help types counted by the host's "temporary aid per year" rule.
    public static let temporaryAid = "temporary_aid"

    /// Checks the descriptor itself; the host refuses a plugin whose descriptor fails.
    public func validate() throws {
        func bad(_ zh: String, _ en: String) -> PluginError { PluginError(code: "invalid_descriptor", zh: zh, en: en) }
        guard !id.isEmpty, id.count <= 40,
            id.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" })
        else {
            throw bad(
                "帮扶项目代码“\(id)”无效：只能用小写字母、数字和 -，最长 40",
                "help type id \"\(id)\" is invalid: lower-case letters, digits and '-', at most 40")
        }
        for (name, text) in [("nameZh", nameZh), ("nameEn", nameEn), ("version", version)] {
            guard !text.isEmpty, text.count <= 60,
                !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else {
                throw bad("\(name) 为空、过长或含控制字符", "\(name) is empty, too long or has control characters")
            }
        }
        var keys = Set<String>()
        for f in fields {
            guard !f.key.isEmpty, keys.insert(f.key).inserted else {
                throw bad("表单字段“\(f.key)”为空或重复", "form field \"\(f.key)\" is empty or repeated")
            }
            if f.type == .choice && (f.options ?? []).isEmpty {
                throw bad("选择字段“\(f.key)”没有选项", "choice field \"\(f.key)\" has no options")
            }
            for words in [f.optionsZh, f.optionsEn].compactMap({ $0 }) {
                guard words.count == (f.options ?? []).count,
                    words.allSatisfy({ word in
                        !word.isEmpty && word.count <= 60
                            && !word.unicodeScalars.contains { $0.properties.generalCategory == .control }
                    })
                else {
                    throw bad(
                        "字段“\(f.key)”的选项文字与选项数目不符，或为空、过长",
                        "field \"\(f.key)\" has option words that do not match its options, or are empty or too long")
                }
            }
            if let lo = f.min, let hi = f.max, lo > hi {
                throw bad("字段“\(f.key)”的下限大于上限", "field \"\(f.key)\" has min above max")
            }
        }
        let sources = ["fiscal", "union_funds", "party_dues", "donation", "named_donor"]
        for s in fundSources where !sources.contains(s) { throw bad("未知资金来源“\(s)”", "unknown fund source \"\(s)\"") }
        if paymentKind != .nonMonetary && (amountCapFen ?? 0) <= 0 {
            throw bad("涉及资金的帮扶项目必须声明金额上限", "a help type that pays money must declare its amount cap")
        }
    }

    /// Checks a form against the declared fields: unknown keys, required fields, types, ranges, options.
    public func validate(form: [String: FormValue]) throws {
        func bad(_ zh: String, _ en: String) -> PluginError { PluginError(code: "invalid_form", zh: zh, en: en) }
        for key in form.keys where !fields.contains(where: { $0.key == key }) {
            throw bad("表单中有未知字段“\(key)”", "the form has an unknown field \"\(key)\"")
        }
        for f in fields {
            guard let v = form[f.key] else {
                if f.required {
                    throw bad("缺少必填项“\(f.labelZh)”(\(f.key))", "missing required field \(f.key) (\(f.labelEn))")
                }
                continue
            }
            switch (f.type, v) {
            case (.integer, .integer(let i)), (.money, .integer(let i)):
                if f.type == .money, !(0...Fen.maximum).contains(i) {
                    throw bad("“\(f.labelZh)”须在 0 到 \(Fen.maximum) 分之间", "\(f.key) must be 0 to \(Fen.maximum) fen")
                }
                if let lo = f.min, i < lo { throw bad("“\(f.labelZh)”不能小于 \(lo)", "\(f.key) must be at least \(lo)") }
                if let hi = f.max, i > hi { throw bad("“\(f.labelZh)”不能大于 \(hi)", "\(f.key) must be at most \(hi)") }
            case (.choice, .string(let s)):
                guard f.options?.contains(s) == true else {
                    throw bad(
                        "“\(f.labelZh)”只能是：\((f.options ?? []).joined(separator: ", "))",
                        "\(f.key) must be one of: \((f.options ?? []).joined(separator: ", "))")
                }
            case (.string, .string(let s)):
                if let n = f.maxLength, s.count > n {
                    throw bad("“\(f.labelZh)”最长 \(n) 字", "\(f.key) is longer than \(n) characters")
                }
            case (.date, .string(let s)):
                let p = s.split(separator: "-")
                guard s.count == 10, p.count == 3, p.allSatisfy({ $0.allSatisfy(\.isNumber) }) else {
                    throw bad("“\(f.labelZh)”应写成 YYYY-MM-DD", "\(f.key) must be a date YYYY-MM-DD")
                }
            case (.bool, .bool):
                break
            default:
                let kinds: [FieldType: String] = [
                    .string: "文字", .integer: "整数", .money: "金额", .choice: "选项之一", .bool: "是或否", .date: "日期",
                ]
                throw bad(
                    "“\(f.labelZh)”类型不对，应为\(kinds[f.type] ?? "")", "\(f.key) must be of type \(f.type.rawValue)")
            }
        }
    }
}

/// A typed error crossing the ABI: stable code and messages in both languages.
public struct PluginError: Error, Codable, Sendable, Hashable, CustomStringConvertible {
    public var code: String
    public var zh: String
    public var en: String

    public init(code: String, zh: String, en: String) {
        self.code = code
        self.zh = zh
        self.en = en
    }

    public var description: String { "\(code): \(en)" }
}

/// Checked arithmetic on amounts in fen, for plugins: the host's money range, and every sum,
/// product and percentage refused instead of trapping (a trap would stop the daemon).
public enum Fen {
    /// The largest single amount anywhere in bangfu: ¥1,000,000,000.00.
    public static let maximum: Int64 = 100_000_000_000

    /// The error every overflowing computation throws.
    public static func outOfRange(_ what: String) -> PluginError {
        PluginError(code: "amount_out_of_range", zh: "金额计算超出范围（\(what)）", en: "an amount is out of range (\(what))")
    }

    public static func sum<S: Sequence>(_ amounts: S, _ what: String = "sum") throws -> Int64 where S.Element == Int64 {
        try amounts.reduce(0) { total, amount in
            let (result, overflow) = total.addingReportingOverflow(amount)
            if overflow { throw outOfRange(what) }
            return result
        }
    }

    public static func product(_ a: Int64, _ b: Int64, _ what: String = "product") throws -> Int64 {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        if overflow { throw outOfRange(what) }
        return result
    }

    /// `percent`% of `amount`, rounded down to the fen.
    public static func percent(_ amount: Int64, _ percent: Int64, _ what: String = "percentage") throws -> Int64 {
        try product(amount, percent, what) / 100
    }

    public static func difference(_ a: Int64, _ b: Int64, _ what: String = "difference") throws -> Int64 {
        let (result, overflow) = a.subtractingReportingOverflow(b)
        if overflow { throw outOfRange(what) }
        return result
    }
}
