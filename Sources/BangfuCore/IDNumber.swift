/// A resident identity number (居民身份证号码, GB 11643-1999): 17 digits and a check character.
///
/// Validated on creation; its text never goes into logs or public notices (use `masked`).
public struct IDNumber: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The 18 characters, check character upper-cased.
    public let value: String

    private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let checkChars: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    /// Validates length, digits, the embedded birth date (real, not after `today`) and the check character.
    public init(_ text: String, today: LocalDate) throws {
        let s = text.uppercased()
        func bad(_ zh: String, _ en: String) -> BangfuError {
            // The number itself is not repeated in the message: it may end up in a log.
            BangfuError(.invalidIDNumber, zh: "身份证号码无效：\(zh)", en: "invalid ID number: \(en)")
        }
        guard s.count == 18 else { throw bad("应为 18 位，实际 \(s.count) 位", "it must have 18 characters, not \(s.count)") }
        let chars = Array(s)
        guard chars[0..<17].allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw bad("前 17 位必须是数字", "the first 17 characters must be digits")
        }
        guard chars[17].isASCII && (chars[17].isNumber || chars[17] == "X") else {
            throw bad("第 18 位必须是数字或 X", "the 18th character must be a digit or X")
        }
        let digits = chars[0..<17].map { Int(String($0))! }
        guard digits[0] != 0 else { throw bad("地区码不能以 0 开头", "the area code cannot start with 0") }
        let y = digits[6] * 1000 + digits[7] * 100 + digits[8] * 10 + digits[9]
        let m = digits[10] * 10 + digits[11]
        let d = digits[12] * 10 + digits[13]
        guard y >= 1900, let birth = LocalDate(year: y, month: m, day: d) else {
            throw bad("出生日期不存在", "the birth date does not exist")
        }
        guard birth <= today else { throw bad("出生日期在未来", "the birth date is in the future") }
        let sum = zip(digits, IDNumber.weights).reduce(0) { $0 + $1.0 * $1.1 }
        guard IDNumber.checkChars[sum % 11] == chars[17] else {
            throw bad("校验位不符（GB 11643），请核对号码", "the check character does not match (GB 11643); check the number")
        }
        value = s
    }

    /// The check character GB 11643 gives for 17 digits; used to make synthetic test numbers.
    public static func checkCharacter(for first17: String) -> Character? {
        let digits = first17.compactMap { $0.wholeNumberValue }
        guard digits.count == 17, first17.count == 17 else { return nil }
        let sum = zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return checkChars[sum % 11]
    }

    /// The embedded birth date.
    public var birthDate: LocalDate {
        let c = Array(value)
        return LocalDate(year: Int(String(c[6...9]))!, month: Int(String(c[10...11]))!, day: Int(String(c[12...13]))!)!
    }

    /// Sex from the 17th digit: odd male, even female.
    public var sex: Sex { (Array(value)[16].wholeNumberValue! % 2 == 1) ? .male : .female }

    /// Masked for roles that do not need the number: first 3 and last 2 characters kept.
    public var masked: String {
        let c = Array(value)
        return String(c[0..<3]) + String(repeating: "*", count: 13) + String(c[16..<18])
    }

    /// Masked on purpose, so that string interpolation into a log line cannot leak the number.
    public var description: String { masked }

    public init(from decoder: Decoder) throws {
        // Stored values were validated when written; decoding trusts the stored form.
        value = try decoder.singleValueContainer().decode(String.self)
    }

    /// A number read back from the store's own records (validated when it was written).
    public init(stored value: String) { self.value = value }

    /// What an erased archive holds instead of a number: area code 000000 (never valid, so never
    /// a real person's), a birth date and sex that the code reading them can still parse.
    public static let erased = IDNumber(stored: "000000190001010000")

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}

/// Sex as written on the archive form.
public enum Sex: String, Sendable, Codable, CaseIterable {
    case male, female
}

/// Masks a Chinese or Latin name for public notices: 张三 -> 张*, 张三明 -> 张*明, 欧阳小明 -> 欧**明.
public func maskedName(_ name: String) -> String {
    let c = Array(name)
    switch c.count {
    case 0: return ""
    case 1: return "*"
    case 2: return String(c[0]) + "*"
    default: return String(c[0]) + String(repeating: "*", count: c.count - 2) + String(c[c.count - 1])
    }
}

extension IDNumber {
    /// A valid-looking number for sample data and tests, unique per `index` below 20,000,000.
    ///
    /// Area code 99xxxx is assigned to no region, so these can never be a real person's number.
    public static func synthetic(index: Int) -> IDNumber {
        let birth = LocalDate(year: 1950, month: 1, day: 1)!.adding(days: (index / 1000) % 20000)
        let seq = index % 1000
        func pad(_ v: Int, _ w: Int) -> String {
            String(repeating: "0", count: max(0, w - String(v).count)) + String(v)
        }
        let first17 = "990101" + pad(birth.year, 4) + pad(birth.month, 2) + pad(birth.day, 2) + pad(seq, 3)
        return try! IDNumber(
            first17 + String(checkCharacter(for: first17)!), today: LocalDate(year: 9999, month: 12, day: 31)!)
    }
}
