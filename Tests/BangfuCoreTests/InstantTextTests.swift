import BangfuCore
import Foundation
import Testing

@Suite struct InstantTextTests {
    /// The arithmetic agrees with Foundation's formatter across zones (offsets from the system's
    /// database or from Foundation), leap days, centuries and negative times.
    @Test(arguments: ["Asia/Shanghai", "UTC", "America/New_York", "Asia/Kolkata", "America/St_Johns"])
    func agreesWithFoundation(zoneName: String) throws {
        let zone = try BusinessZone(identifier: zoneName)
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = try #require(TimeZone(identifier: zoneName))
        var g = SystemRandomNumberGenerator()
        var instants: [Double] = [
            0, -1, 951_782_400, 951_868_799, 1_803_427_200, -2_208_988_800, 4_102_444_800, 1_798_300_799.75,
        ]
        for _ in 0..<2000 { instants.append(Double(Int64.random(in: -3_000_000_000...5_000_000_000, using: &g))) }
        for t in instants {
            let d = Date(timeIntervalSince1970: t)
            #expect(InstantText.iso8601(d, zone: zone) == f.string(from: d), "\(t) in \(zoneName)")
        }
    }
}
