import BangfuCore
import Testing

/// Amounts in Chinese capitals (issue 14.4), against a table written by hand from the People's
/// Bank's rules and their own examples (1,409.50; 6,007.14; 1,680.32; 107,000.53; 16,409.02; 325.04).
@Suite struct CapitalsTests {
    static let table: [(Int64, String)] = [
        (0, "零元整"), (1, "壹分"), (50, "伍角"), (500, "伍元整"), (1_000, "壹拾元整"),
        (500_000, "伍仟元整"), (123_456, "壹仟贰佰叁拾肆元伍角陆分"), (140_950, "壹仟肆佰零玖元伍角"),
        (600_714, "陆仟零柒元壹角肆分"), (168_032, "壹仟陆佰捌拾元叁角贰分"), (10_700_053, "壹拾万柒仟元伍角叁分"),
        (1_640_902, "壹万陆仟肆佰零玖元零贰分"), (32_504, "叁佰贰拾伍元零肆分"), (10_070_000, "壹拾万零柒佰元整"),
        (10_000_000_000, "壹亿元整"), (100_000_000_000, "壹拾亿元整"), (20_000_000_100, "贰亿零壹元整"),
        (1_001_000_000, "壹仟零壹万元整"), (3_000_010, "叁万元壹角"), (100_000_000, "壹佰万元整"),
        (11_000_000, "壹拾壹万元整"), (1_000_000, "壹万元整"), (101_000, "壹仟零壹拾元整"),
        (10_000_001_000, "壹亿零壹拾元整"), (99_999_999_999, "玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        (7, "柒分"), (1_005, "壹拾元零伍分"),
    ]

    @Test func everyRowOfTheTable() {
        for (fen, words) in Self.table {
            #expect(Money(fen: fen).capitals == words, "\(Money(fen: fen))")
        }
    }

    @Test func theLargestAmountBangfuHolds() {
        #expect(Money.maximum.capitals == "壹拾亿元整")
    }
}
