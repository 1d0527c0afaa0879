import BangfuCore
import Testing

/// Synthetic numbers only: area codes 99xxxx and 98xxxx are registered to no one.
@Suite struct IDNumberTests {
    let today = LocalDate(year: 2026, month: 11, day: 29)!

    func make(_ first17: String) -> String { first17 + String(IDNumber.checkCharacter(for: first17)!) }

    @Test func validNumbersPass() throws {
        let text = make("99010119800101123")
        let id = try IDNumber(text, today: today)
        #expect(id.birthDate == LocalDate(year: 1980, month: 1, day: 1)!)
        #expect(id.sex == .male)  // the 17th digit, 3, is odd
        #expect(id.masked == "990*************" + String(text.suffix(2)))
        #expect("\(id)" == id.masked, "interpolation must never show the full number")
    }

    @Test func checkDigitX() throws {
        // Find a synthetic number whose check character is X, and accept it in lower case too.
        let first17 = (0..<1000).lazy.map {
            "98010119900101" + String(repeating: "0", count: 3 - String($0).count) + String($0)
        }
        .first { IDNumber.checkCharacter(for: $0) == "X" }!
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
        let full = text.count == 17 ? text + String(IDNumber.checkCharacter(for: text) ?? "0") : text
        #expect(throws: BangfuError.self, "\(label)") { try IDNumber(full, today: today) }
        do { _ = try IDNumber(full, today: today) } catch let e as BangfuError {
            #expect(e.code == .invalidIDNumber)
            #expect(!e.zh.contains(full) && !e.en.contains(full), "the number must not appear in the message")
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func wrongCheckDigitFails() {
        let good = make("99010119800101123")
        let bad = String(good.dropLast()) + (good.last == "0" ? "1" : "0")
        #expect(throws: BangfuError.self) { try IDNumber(bad, today: today) }
    }

    @Test func leapDay() throws {
        #expect(throws: Never.self) { try IDNumber(make("99010120000229123"), today: today) }
        #expect(throws: BangfuError.self) { try IDNumber(make("99010119000229123"), today: today) }
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
