import BangfuLoad
import Foundation
import Testing

/// The README's first command as a Chinese-speaking root user runs it from a checkout other users
/// cannot enter (issue 13.13 and 13.18).
@Suite(.serialized) struct ChineseDemoTests {
    typealias D = LiveDaemon

    /// The demo runs from a private checkout (the repository bind-mounted inside a 0700 directory)
    /// and says everything in Chinese: no run of ASCII letters but archive and case numbers, fund
    /// ids, user names from the configuration, file paths and the audit chain's hex hashes.
    @Test func theDemoSpeaksChineseFromAPrivateCheckout() throws {
        let outer = "/tmp/bangfu-private-\(UUID().uuidString.prefix(8))"
        let checkout = outer + "/checkout"
        try FileManager.default.createDirectory(
            atPath: checkout, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: outer)
        defer { try? FileManager.default.removeItem(atPath: outer) }
        let (mounted, _, mountError) = try D.run(["/bin/mount"], ["--bind", D.root.path, checkout])
        try #require(mounted == 0, "cannot bind-mount the checkout (the tests run as root): \(mountError)")
        defer { _ = try? D.run(["/bin/umount"], [checkout]) }
        #expect(!OtherUsers.canReach(checkout + "/etc"), "the checkout must be closed to other users")

        let (code, out, err) = try D.run(
            ["/bin/bash"], [checkout + "/scripts/run-demo.sh"],
            env: ["LANG": "zh_CN.UTF-8", "LC_ALL": "", "BANGFU_BIN_DIR": checkout + "/.build/debug"])
        try #require(code == 0, "the demo failed (\(code)):\n\(out)\n\(err)")
        #expect(out.contains("校验通过") && out.contains("已办结"), "\(out)")
        // 13.19: the notice's period as a person reads it (five working days after the approval on
        // 2027-02-04, past the synthetic Spring Festival holiday and its make-up Sunday).
        #expect(out.contains("2027年2月14日至2月18日") && out.contains("2027年2月19日 00:00"), "\(out)")

        let configuration = try String(
            contentsOf: D.root.appendingPathComponent("etc/bangfu.example.yaml"), encoding: .utf8)
        let demo = try String(contentsOf: D.root.appendingPathComponent("scripts/run-demo.sh"), encoding: .utf8)
        let userNames = Set(Self.matches(#"user:\s*"?([a-z][a-z0-9_-]*)"#, in: configuration))
        let fundIds = Set(Self.matches(#"fund create ([a-z0-9-]+)"#, in: demo))
        #expect(userNames.contains("wangfang") && fundIds.contains("shinan-hardship"))
        let english = Self.asciiWords(out + err).filter { word in
            !(userNames.contains(word) || fundIds.contains(word) || word.contains("/")
                || word.wholeMatch(of: /(HA|BF)-\d{4}-\d{6}/) != nil
                || word.wholeMatch(of: /(\d+:)?[0-9a-f]{16,}/) != nil)
        }
        #expect(english.isEmpty, "English words in the Chinese demo: \(Set(english).sorted())\n\(out)\n\(err)")
    }

    /// What the test uids run is reached through `OtherUsers`: from a directory they cannot enter,
    /// bangfuctl fails with exit 126; the copy it answers runs.
    @Test func programsInAPrivateDirectoryRunFromACopy() throws {
        let closed = "/tmp/bangfu-closed-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(
            atPath: closed, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: closed) }
        try FileManager.default.copyItem(atPath: D.bin + "/bangfuctl", toPath: closed + "/bangfuctl")
        // As another user through a shell, as the demo's runuser does.
        let asOther = ["/usr/sbin/runuser", "-u", "nobody", "--"]
        #expect(try D.run(asOther + [closed + "/bangfuctl"], ["--version"]).0 != 0)
        #expect(!OtherUsers.canReach(closed + "/bangfuctl"))
        let reachable = OtherUsers.reachable(closed + "/bangfuctl")
        #expect(reachable != closed + "/bangfuctl" && OtherUsers.canReach(reachable))
        #expect(try D.run(asOther + [reachable], ["--version"]).0 == 0)
    }

    /// 13.19 and 13.20: amounts typed in yuan in forms too; a refusal names the role it needed.
    @Test func formsTakeYuanAndRefusalsNameTheRole() throws {
        let d = try LiveDaemon()
        let archiveNo = try #require(
            try d.ctlJSON(D.cw, ["archive", "create", "--file", try D.sampleArchive()])["archiveNo"]?.string)
        let filed = try d.ctlJSON(D.cw, ["case", "file", archiveNo, "medical-aid", "--form", "self_paid=1,234.50"])
        #expect(filed["form"]?["self_paid_fen"]?.int == 123_450, "\(filed)")
        let caseNo = try #require(filed["caseNo"]?.string)
        _ = try d.ctlJSON(D.cw, ["case", "submit", caseNo])
        let (code, _, refusal) = try d.ctl(D.cw, ["case", "pass", caseNo], lang: "zh_CN.UTF-8")
        #expect(code == 4 && refusal.contains("无权初审通过") && refusal.contains("初审人"), "\(refusal)")
        let (_, _, english) = try d.ctl(D.cw, ["case", "pass", caseNo])
        #expect(english.contains("reviewer"), "\(english)")
        // Not found reads as Chinese only.
        let (missing, _, said) = try d.ctl(D.au, ["case", "get", "BF-2027-999999"], lang: "zh_CN.UTF-8")
        #expect(missing == 5 && said.contains("案件 BF-2027-999999 不存在") && !said.contains("case"), "\(said)")
    }

    /// Runs of ASCII letters (with the digits, dots, dashes, slashes and colons around them), ANSI
    /// colour codes removed.
    static func asciiWords(_ text: String) -> [String] {
        let plain = text.replacing(/\u{1B}\[[0-9;]*m/, with: "")
        return plain.split { character in
            !(character.isASCII && (character.isLetter || character.isNumber || "-_./:".contains(character)))
        }.map(String.init).filter { word in word.contains { $0.isASCII && $0.isLetter } }
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
