/// The period a report form covers, as unions report upward: a month (`2027-03`), a quarter
/// (`2027-Q1`) or a year (`2027`).
public struct ReportPeriod: Sendable, Hashable {
    public let from: LocalDate
    public let to: LocalDate
    /// As people say it: 2027年3月, 2027年第一季度, 2027年.
    public let nameZh: String

    public init(parsing text: String) throws {
        let parts = text.uppercased().split(separator: "-").map(String.init)
        func bad() -> BangfuError {
            BangfuError(
                .invalidInput, zh: "统计期“\(text)”无效：应写成 2027（年）、2027-Q1（季度）或 2027-03（月）",
                en: "period \"\(text)\" is invalid: write 2027 (a year), 2027-Q1 (a quarter) or 2027-03 (a month)")
        }
        guard let year = parts.first.flatMap({ Int($0) }), parts[0].count == 4, (1900...9999).contains(year) else {
            throw bad()
        }
        let quarters = ["一", "二", "三", "四"]
        switch parts.count {
        case 1:
            (from, to, nameZh) = (
                LocalDate(year: year, month: 1, day: 1)!, LocalDate(year: year, month: 12, day: 31)!, "\(year)年"
            )
        case 2 where parts[1].hasPrefix("Q"):
            guard let quarter = Int(parts[1].dropFirst()), (1...4).contains(quarter) else { throw bad() }
            let first = LocalDate(year: year, month: quarter * 3 - 2, day: 1)!
            (from, to, nameZh) = (
                first, first.adding(months: 3).adding(days: -1), "\(year)年第\(quarters[quarter - 1])季度"
            )
        case 2:
            guard let month = Int(parts[1]), parts[1].count == 2, (1...12).contains(month) else { throw bad() }
            let first = LocalDate(year: year, month: month, day: 1)!
            (from, to, nameZh) = (first, first.adding(months: 1).adding(days: -1), "\(year)年\(month)月")
        default:
            throw bad()
        }
    }
}
