import BangfuCore
import Testing

/// Synthetic numbers only: area codes 99xxxx and 98xxxx are registered to no one.
@Suite struct IDNumberTests {
    let today = LocalDate(year: 2026, month: 11, day: 29)!

    /// Check characters worked out by hand (GB 11643: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2,
    /// the sum mod 11 indexes "10X98765432"), never by the code under test.
    static let handChecked: [(first17: String, weightedSum: Int, check: Character)] = [
        ("99010119800101123", 248, "6"),  // 248 = 22 x 11 + 6
        ("37020219800101001", 177, "0"),  // 177 = 16 x 11 + 1
        ("37020220100101001", 128, "5"),  // 128 = 11 x 11 + 7
        ("98010119900101005", 233, "X"),  // 233 = 21 x 11 + 2
        ("99010120000229123", 262, "3"),  // 262 = 23 x 11 + 9
        ("99010119500101000", 208, "2"),  // 208 = 18 x 11 + 10
    ]

    @Test func checkCharactersAreTheStandardsWorkedByHand() {
        for (first17, _, check) in Self.handChecked {
            #expect(IDNumber.checkCharacter(for: first17) == check, "\(first17)")
        }
    }

    @Test func validNumbersPass() throws {
        let text = "990101198001011236"
        let id = try IDNumber(text, today: today)
        #expect(id.birthDate == LocalDate(year: 1980, month: 1, day: 1)!)
        #expect(id.sex == .male)  // the 17th digit, 3, is odd
        #expect(id.masked == "990*************" + String(text.suffix(2)))
        #expect("\(id)" == id.masked, "interpolation must never show the full number")
    }

    @Test func checkDigitX() throws {
        // Its check character is X (worked by hand above); accepted in lower case too.
        let first17 = "98010119900101005"
        let id = try IDNumber(first17 + "x", today: today)
        #expect(id.value.hasSuffix("X"))
        #expect(throws: BangfuError.self) { try IDNumber(first17 + "1", today: today) }
    }

    @Test(arguments: [
        ("wrong length", "9901011980010112"),
        ("a letter", "99010119A0010112" + "34"),
        ("30 February", "99010119800230123"),
        ("future birth date", "99010120991231123"),
        ("month 13", "99010119801301123"),
        ("leading zero area", "09010119800101123"),
    ])
    func invalidNumbersFail(label: String, text: String) {
        // The 17-digit ones get a check character that is right for them whatever else is wrong.
        let full = text.count == 17 ? text + String(IDNumber.checkCharacter(for: text) ?? "0") : text
        #expect(throws: BangfuError.self, "\(label)") { try IDNumber(full, today: today) }
        do { _ = try IDNumber(full, today: today) } catch let e as BangfuError {
            #expect(e.code == .invalidIDNumber)
            #expect(!e.zh.contains(full) && !e.en.contains(full), "the number must not appear in the message")
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func wrongCheckDigitFails() {
        let bad = "990101198001011230"  // its check character is 6
        #expect(throws: BangfuError.self) { try IDNumber(bad, today: today) }
    }

    @Test func leapDay() throws {
        #expect(throws: Never.self) { try IDNumber("990101200002291233", today: today) }
        // 1900 was no leap year; 7 is this number's right check character (269 = 24 x 11 + 5).
        #expect(throws: BangfuError.self) { try IDNumber("990101190002291237", today: today) }
    }

    /// The test data's numbers: birth day 1950-01-01 plus index / 1000 days, sequence index % 1000,
    /// and a check character worked by hand.
    @Test func syntheticNumbersAreTheOnesWorkedByHand() {
        #expect(IDNumber.synthetic(index: 0).value == "990101195001010002")
        #expect(IDNumber.synthetic(index: 1_234_567).value == "990101195305195675")  // 381 = 34 x 11 + 7
        #expect(IDNumber.synthetic(index: 30_000_001).value == "990101197705190012")  // 329 = 29 x 11 + 10
    }

    @Test func syntheticNumbersAreValidAndDistinct() throws {
        let ids = (0..<5000).map { IDNumber.synthetic(index: $0 * 37) }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(100) { _ = try IDNumber(id.value, today: today) }
    }

    @Test func maskedNames() {
        #expect(maskedName("张三明") == "张*明")
        #expect(maskedName("张三") == "张*")
        #expect(maskedName("欧阳小明") == "欧**明")
    }
}
