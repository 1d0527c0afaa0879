import BangfuCLIKit
import BangfuCore
import Testing

@Suite struct MoneyAndTextTests {
    @Test(
        arguments: [("1234.56", 123456), ("1,234.5", 123450), ("¥3000", 300000), ("-12.30", -1230), ("0.01", 1)]
            as [(String, Int64)])
    func parses(text: String, fen: Int64) throws {
        #expect(try Money(parsing: text).fen == fen)
    }

    @Test(arguments: ["", "1.234", "abc", "1.2.3", "--1", "12a", ".5", "99999999999999"])
    func refuses(text: String) {
        #expect(throws: BangfuError.self) { try Money(parsing: text) }
    }

    @Test func formats() {
        #expect(Money(fen: 123456789).description == "¥1,234,567.89")
        #expect(Money(fen: -5).description == "-¥0.05")
        #expect(Money(fen: 100).plain == "1.00")
    }

    @Test func displayWidthCountsCJKAsTwo() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("张三明") == 6)
        #expect(DisplayWidth.of("¥1,000.00") == 9)
        var t = TextTable(headers: ["姓名", "amount"], rightAligned: [1])
        t.add(["张*明", "¥3,000.00"])
        t.add(["Li", "¥5.00"])
        let lines = t.render().split(separator: "\n").map(String.init)
        #expect(Set(lines.map(DisplayWidth.of)).count == 1, "every line has the same display width: \(lines)")
    }

    @Test func languageFromLocale() {
        #expect(Language(locale: "en_US.UTF-8") == .en)
        #expect(Language(locale: "zh_CN.UTF-8") == .zh)
        #expect(Language(locale: nil) == .zh)
    }

    @Test func localDateArithmetic() throws {
        let d = try LocalDate(parsing: "2027-02-06")
        #expect(d.isoWeekday == 6)
        #expect(LocalDate(dayNumber: d.dayNumber) == d)
        #expect(try LocalDate(parsing: "2024-01-31").adding(months: 1) == LocalDate(year: 2024, month: 2, day: 29)!)
        #expect(throws: BangfuError.self) { try LocalDate(parsing: "2027-02-30") }
        #expect(try LocalDate(parsing: "0001-12-31") == LocalDate(year: 1, month: 12, day: 31)!)
        for bad in [
            "2027-2-06", "2027-02-6", "27-02-06", "2027/02/06", "2027-02-06 ", " 2027-02-06", "2027-0a-06",
            "２０２７-02-06", "2027-02-0６", "+027-02-06", "2027--2-06", "2027-13-01", "2027-00-10", "", "2027-02-060",
        ] {
            #expect(throws: BangfuError.self, "\(bad)") { try LocalDate(parsing: bad) }
        }
    }
}

/// Money at the edges: every computation refused with a typed error instead of a trap.
@Suite struct BoundedMoneyTests {
    @Test func overflowingArithmeticThrows() throws {
        #expect(throws: BangfuError.self) { try Money(fen: Int64.max).adding(Money(fen: 1)) }
        #expect(throws: BangfuError.self) { try Money(fen: Int64.min).subtracting(Money(fen: 1)) }
        #expect(throws: BangfuError.self) { try Money(fen: 100_000_000_000_000_000).multiplied(by: 100) }
        #expect(throws: BangfuError.self) { try Money(fen: Int64.max).percent(80) }
        #expect(throws: BangfuError.self) {
            try Money.sum([Money(fen: 9_000_000_000_000_000_000), Money(fen: 9_000_000_000_000_000_000)])
        }
        #expect(try Money(fen: 150).percent(33) == Money(fen: 49))
    }

    @Test func boundsNameTheField() throws {
        #expect(throws: BangfuError.self) { try Money.bounded(fen: 0, field: "amount") }
        #expect(throws: BangfuError.self) { try Money.bounded(fen: 100_000_000_001, field: "amount") }
        #expect(try Money.bounded(fen: 100_000_000_000, field: "amount") == Money(yuan: 1_000_000_000))
        do {
            _ = try Money.bounded(fen: Int64.max, field: "annualIncome")
            Issue.record("Int64.max fen accepted")
        } catch let error as BangfuError {
            #expect(
                error.code == .invalidInput && error.context["field"] == "annualIncome"
                    && error.en.contains("annualIncome"))
        }
    }
}

@Suite struct CategoryAtTheEdgesTests {
    /// The call that stopped bangfud: an income of 10^17 fen made `net * 100` trap.
    @Test func aHugeIncomeIsAnErrorNotATrap() throws {
        let rules = CategoryRules(dibao: [
            DibaoStandard(
                region: "370200", effective: LocalDate(year: 2020, month: 1, day: 1)!,
                monthly: Money(yuan: 1_000))
        ])
        let input = ArchiveInput(
            unitId: "b1", region: "370202",
            head: Person(name: "张三", idNumber: .synthetic(index: 1), workStatus: .laidOff),
            annualIncome: Money(fen: 100_000_000_000_000_000), mainCause: "laid_off")
        #expect(throws: BangfuError.self) { try rules.assess(input, on: LocalDate(year: 2027, month: 1, day: 1)!) }
        #expect(throws: BangfuError.self) {
            try input.validate(causes: ["laid_off"], today: LocalDate(year: 2027, month: 1, day: 1)!)
        }
    }
}

/// The page cursor: what it accepts, what it refuses, and a filtered listing filled page by page.
@Suite struct PageTests {
    @Test func aCursorCarriesItsKeyAndRefusesAnotherListings() throws {
        #expect(Page.cursor(after: [0, -250, 35]) == "p1.0.-6y.z")
        #expect(try Page(limit: 5, after: "p1.0.-6y.z", keyLength: 3).afterKey == [0, -250, 35])
        #expect(try Page(limit: nil, after: "p1.z").afterId == 35)
        for forged in ["p1.z", "p1.0.1", "p1.0.1.2.3", "p1..1.2", "p2.0.1.2", "0.1.2", "p1.0.!.2"] {
            #expect(throws: BangfuError.self, "\(forged)") { try Page(limit: nil, after: forged, keyLength: 3) }
        }
        for limit: Int64 in [0, -1, 1_001, .max] {
            #expect(throws: BangfuError.self) { try Page(limit: limit, after: nil) }
        }
    }

    /// Ids 1...25, keeping the multiples of 3: pages of 4 from chunks of 5 read 3,6,9,12 / 15,18,21,24.
    @Test func aFilteredListingFillsEachPage() async throws {
        var page = Page(limit: 4)
        var kept: [[Int64]] = []
        var reads = 0
        while true {
            let (items, next) = try await page.fill(
                chunk: 5,
                read: { afterId, count in
                    reads += 1
                    let start = (afterId ?? 0) + 1
                    return start <= 25 ? Array(start...min(25, start + Int64(count) - 1)) : []
                }, id: { $0 }, keep: { $0 % 3 == 0 ? $0 : nil })
            kept.append(items)
            guard let next else { break }
            page = try Page(limit: 4, after: next)
        }
        #expect(kept == [[3, 6, 9, 12], [15, 18, 21, 24]], "\(kept)")
        #expect(reads <= 10)
    }
}
