import Foundation
import Testing

/// The install script into a DESTDIR, and the man page in step with the commands.
@Suite struct InstallTests {
    @Test func installIntoDestdir() throws {
        let dest = "/tmp/bangfu-install-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: dest) }
        let (code, out, err) = try LiveDaemon.run(
            ["/bin/bash"], [LiveDaemon.root.appendingPathComponent("scripts/install.sh").path],
            env: ["DESTDIR": dest, "PREFIX": "/opt/bangfu-test", "BANGFU_BIN_DIR": LiveDaemon.bin])
        #expect(code == 0, "\(out) \(err)")
        let p = dest + "/opt/bangfu-test"
        for f in [
            "bin/bangfud", "bin/bangfuctl", "bin/bangfu-render", "lib/bangfu/plugins/libbangfu-help-medical-aid.so",
            "lib/systemd/system/bangfud.service",
            "lib/systemd/system/bangfud.socket", "lib/sysusers.d/bangfu.conf", "lib/tmpfiles.d/bangfu.conf",
            "share/man/man1/bangfuctl.1", "share/cockpit/bangfu/manifest.json", "share/cockpit/bangfu/bangfu.js",
            "share/bash-completion/completions/bangfuctl", "lib/bangfu/swift/libswiftCore.so",
        ] {
            #expect(FileManager.default.fileExists(atPath: p + "/" + f), "missing \(f)")
        }
        #expect(FileManager.default.fileExists(atPath: dest + "/etc/bangfu/bangfu.yaml"))
        let unit = try String(contentsOfFile: p + "/lib/systemd/system/bangfud.service", encoding: .utf8)
        #expect(
            unit.contains("ExecStart=/opt/bangfu-test/bin/bangfud")
                && unit.contains("--plugin-dir /opt/bangfu-test/lib/bangfu/plugins"))
        // The installed programs find the Swift runtime beside them, not in the toolchain.
        let (_, ldd, _) = try LiveDaemon.run(["/usr/bin/ldd"], [p + "/bin/bangfud"])
        #expect(ldd.contains(p + "/bin/../lib/bangfu/swift/libswiftCore.so") && !ldd.contains("not found"))
        let declared = try String(
            contentsOfFile: LiveDaemon.root.path + "/Sources/BangfuCore/Version.swift", encoding: .utf8
        )
        .firstMatch(of: /"(\d+\.\d+\.\d+)"/).map { String($0.1) }
        let printed = try LiveDaemon.run([p + "/bin/bangfuctl"], ["--version"]).1
        #expect(declared != nil && printed.contains(declared ?? "?"), "\(printed)")
    }

    @Test func manPageListsEverySubcommand() throws {
        let page = try String(
            contentsOfFile: LiveDaemon.root.appendingPathComponent("docs/man/bangfuctl.1").path, encoding: .utf8)
        let (_, help, _) = try LiveDaemon.run([LiveDaemon.bin + "/bangfuctl"], ["--help"])
        // A subcommand's line is indented by two spaces; its wrapped description, by more.
        let subcommands = help.split(separator: "\n").drop { !$0.contains("SUBCOMMANDS") }.dropFirst()
            .filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") && !$0.contains("See '") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(subcommands.count >= 11, "\(subcommands)")
        for s in subcommands {
            // As an entry of the subcommand list, not merely a word somewhere in the page.
            #expect(
                page.contains("\n.It Em \(s)\n"),
                "docs/man/bangfuctl.1 lacks the subcommand \(s): run scripts/gen-man.sh")
        }
    }
}
