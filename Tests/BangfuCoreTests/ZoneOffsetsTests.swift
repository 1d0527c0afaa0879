@testable import BangfuCore
import Foundation
import Testing

/// Business dates from the system's time zone database agree with Foundation's calendar (ICU),
/// and a zone name or file from outside is refused without harm.
@Suite struct ZoneOffsetsTests {
    /// Zones whose offset no longer changes, some with many changes before (Casablanca's Ramadan
    /// hours run to 2087 in the table), and UTC.
    static let fixedZones = [
        "Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Kolkata", "Africa/Casablanca", "UTC",
    ]

    @Test(arguments: fixedZones)
    func readFromTheSystemDatabase(zoneName: String) {
        #expect(ZoneOffsets.system(zoneName) != nil, "tzdata has \(zoneName)")
    }

    /// Every day from 1950 to 2150: its first instant and the date of instants around it, as
    /// Foundation's Gregorian calendar in the same zone answers.
    @Test(arguments: fixedZones + ["America/New_York"])
    func datesAgreeWithFoundation(zoneName: String) throws {
        let zone = try BusinessZone(identifier: zoneName)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: zoneName))
        var day = try #require(LocalDate(year: 1950, month: 1, day: 1))
        var mismatches: [String] = []
        while day.year <= 2150, mismatches.count < 5 {
            let expected = try #require(
                calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day)))
            let start = zone.startOfDay(day)
            if start != expected { mismatches.append("\(day) starts at \(start), Foundation \(expected)") }
            for instant in [expected.addingTimeInterval(-1), expected, expected.addingTimeInterval(13 * 3600)] {
                let parts = calendar.dateComponents([.year, .month, .day], from: instant)
                let foundationDate = LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)
                if zone.date(of: instant) != foundationDate {
                    mismatches.append("\(instant) is \(zone.date(of: instant))")
                }
            }
            day = day.adding(days: 1)
        }
        #expect(mismatches.isEmpty, "\(zoneName): \(mismatches)")
    }

    /// An instant far out of range, infinite or not a number gives some date, never a trap.
    @Test(arguments: ["Asia/Shanghai", "America/New_York"])
    func instantsOutOfRangeDoNotTrap(zoneName: String) throws {
        let zone = try BusinessZone(identifier: zoneName)
        for seconds in [1e300, -1e300, Double.infinity, -Double.infinity, Double.nan, 9.3e18, -9.3e18] {
            let instant = Date(timeIntervalSince1970: seconds)
            _ = zone.date(of: instant)
            #expect(!InstantText.iso8601(instant, zone: zone).isEmpty)
        }
        #expect(BusinessZone.seconds(Date(timeIntervalSince1970: 1e300)) == 1 << 53)
        #expect(BusinessZone.seconds(Date(timeIntervalSince1970: -1.5)) == -2)
    }

    /// A zone that still changes by a rule is left to Foundation (and still answers).
    @Test func daylightSavingZonesAreLeftToFoundation() throws {
        #expect(ZoneOffsets.system("America/New_York") == nil)
        #expect(
            try BusinessZone(identifier: "America/New_York").secondsFromGMT(
                for: Date(timeIntervalSince1970: 1_783_000_000)) == -4 * 3600)
    }

    /// Names that are not plain zone paths never reach the file system, and are refused.
    @Test(arguments: [
        "../../etc/passwd", "/etc/passwd", "Asia/../../../etc/passwd", "", "Asia/", "Asia//Shanghai", ".",
        "Asia/Shang hai",
    ])
    func namesOutsideTheDatabaseAreRefused(name: String) {
        #expect(ZoneOffsets.system(name) == nil)
        #expect(throws: BangfuError.self) { try BusinessZone(identifier: name) }
    }

    /// A damaged file (cut anywhere, or counts made huge) is refused, never read past its end.
    @Test func damagedFilesAreRefused() throws {
        let bytes = try #require(FileManager.default.contents(atPath: "/usr/share/zoneinfo/Asia/Shanghai")).map { $0 }
        #expect(ZoneOffsets(tzif: bytes) != nil)
        for length in 0..<bytes.count - 1 {
            #expect(ZoneOffsets(tzif: Array(bytes[0..<length])) == nil, "cut at \(length)")
        }
        for countAt in stride(from: 20, to: 44, by: 4) {
            var huge = bytes
            huge[countAt] = 0xFF
            #expect(ZoneOffsets(tzif: huge) == nil, "count at \(countAt)")
        }
        // The footer with a daylight-saving rule: left to Foundation.
        var ruled = bytes
        let footer = Array("\nCST-8\n".utf8)
        let at = try #require(
            (0...(ruled.count - footer.count)).last { Array(ruled[$0..<$0 + footer.count]) == footer })
        ruled.replaceSubrange(at..<at + footer.count, with: Array("\nCST-8CDT,M4.2.0,M9.2.0\n".utf8))
        #expect(ZoneOffsets(tzif: ruled) == nil)
    }
}
