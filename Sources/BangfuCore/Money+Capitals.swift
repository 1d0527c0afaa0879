/// Amounts in Chinese capitals (大写金额), as the signature sheet and vouchers write them, after the
/// People's Bank's rules for filling in bills (正确填写票据和结算凭证的基本规定):
/// - a zero between figures is written 零, several zeros in a row once (陆仟零柒元);
/// - to the yuan, 整 follows (伍仟元整); after 角 no 整; nothing after 分;
/// - 角 zero and 分 not: 零 after 元 (叁佰贰拾伍元零肆分); 元 zero and 角 not: no 零 (捌拾元叁角);
/// - tens are written with their figure (壹拾元, 壹拾万元整).
extension Money {
    /// This amount in capitals: `Money(fen: 123_456)` is 壹仟贰佰叁拾肆元伍角陆分. Up to the
    /// largest amount bangfu holds (`Money.maximum`, 壹拾亿元整) and beyond, to 9,999 万亿.
    public var capitals: String {
        guard fen >= 0 else { return "负" + Money(fen: 0 - fen).capitals }
        let yuan = fen / 100
        let jiao = Int(fen / 10 % 10)
        let cents = Int(fen % 10)
        var text = yuan > 0 ? Self.integerCapitals(yuan) + "元" : ""
        switch (jiao, cents) {
        case (0, 0): return yuan > 0 ? text + "整" : "零元整"
        case (0, _): text += (yuan > 0 ? "零" : "") + Self.figures[cents] + "分"
        case (_, 0): text += Self.figures[jiao] + "角"
        default: text += Self.figures[jiao] + "角" + Self.figures[cents] + "分"
        }
        return text
    }

    private static let figures = ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"]
    private static let places = ["", "拾", "佰", "仟"]
    private static let sections = ["", "万", "亿", "万亿"]

    /// A whole number of yuan (above 0): sections of four figures, each named 万/亿 after it; one
    /// 零 for any run of zeros between figures, across sections too.
    private static func integerCapitals(_ number: Int64) -> String {
        var groups: [Int] = []
        var rest = number
        while rest > 0 {
            groups.append(Int(rest % 10_000))
            rest /= 10_000
        }
        var text = ""
        var zeroPending = false
        for index in stride(from: groups.count - 1, through: 0, by: -1) {
            let group = groups[index]
            guard group > 0 else {
                zeroPending = !text.isEmpty
                continue
            }
            // A section under 1,000 after a higher one starts with a zero (壹拾万零柒佰).
            if !text.isEmpty && (zeroPending || group < 1_000) { text += "零" }
            zeroPending = false
            text += groupCapitals(group) + sections[index]
        }
        return text
    }

    /// 1 to 9,999: 壹仟零贰拾, 壹拾.
    private static func groupCapitals(_ group: Int) -> String {
        let digits = [group / 1_000, group / 100 % 10, group / 10 % 10, group % 10]
        var text = ""
        var zero = false
        for (position, digit) in digits.enumerated() {
            if digit == 0 {
                zero = !text.isEmpty
                continue
            }
            if zero { text += "零" }
            zero = false
            text += figures[digit] + places[3 - position]
        }
        return text
    }
}
