import BangfuPlugins
import Foundation
import Testing

/// A writable plugin directory would be code execution as the service: plugins load only from
/// files and directories no other user can change, and never through a symbolic link.
@Suite struct PluginTrustTests {
    /// A copy of a built-in plugin in a fresh directory, with `setUp` applied before loading.
    func load(_ setUp: (_ dir: URL, _ file: URL) throws -> Void) throws -> PluginRegistry {
        let dir = URL(fileURLWithPath: "/tmp/bangfu-trust-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(
            at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(at: dir) }
        // Each test copies under its own name so that the process loads each file once.
        let file = dir.appendingPathComponent("libbangfu-help-legal-aid.so")
        try FileManager.default.copyItem(
            atPath: PluginFixtures.pluginDir + "/libbangfu-help-legal-aid.so", toPath: file.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        try setUp(dir, file)
        return PluginLoader.load(directory: dir.path)
    }

    @Test(.enabled(if: geteuid() == 0, "needs root to give files to another user"))
    func filesAnotherUserCouldChangeAreRefused() throws {
        let groupWritable = try load { _, file in
            try FileManager.default.setAttributes([.posixPermissions: 0o775], ofItemAtPath: file.path)
        }
        #expect(groupWritable.loaded.isEmpty)
        #expect(
            groupWritable.failed.first?.reason.contains("writable by group or others") == true,
            "\(groupWritable.failed)")

        let openDirectory = try load { dir, _ in
            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dir.path)
        }
        #expect(openDirectory.loaded.isEmpty)
        #expect(openDirectory.failed.first?.reason.contains("its directory") == true, "\(openDirectory.failed)")

        let otherOwner = try load { _, file in
            try FileManager.default.setAttributes([.ownerAccountID: 61001], ofItemAtPath: file.path)
        }
        #expect(otherOwner.loaded.isEmpty)
        #expect(otherOwner.failed.first?.reason.contains("owned by uid 61001") == true, "\(otherOwner.failed)")

        let link = try load { dir, file in
            let real = dir.appendingPathComponent("real.so")
            try FileManager.default.moveItem(at: file, to: real)
            try FileManager.default.createSymbolicLink(at: file, withDestinationURL: real)
        }
        #expect(link.loaded.isEmpty)
        #expect(link.failed.first?.reason.contains("symbolic link") == true, "\(link.failed)")
    }
}
