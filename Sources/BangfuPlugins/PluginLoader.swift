import BangfuCore
import BangfuPluginKit
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A plugin file that could not be loaded, and why, in words an administrator can act on.
public struct PluginFailure: Sendable, Codable, Hashable {
    public var file: String
    public var reason: String
}

/// Finds and loads help-type plugins: `libbangfu-help-*.so` files in a directory.
///
/// Each file is opened with `RTLD_NOW | RTLD_LOCAL` and never closed (unloading a Swift library
/// crashes later). A bad file is listed as failed with its reason; the others still load.
public enum PluginLoader {
    /// The fixed file-name prefix; other files in the directory are ignored.
    public static let prefix = "libbangfu-help-"

    /// Loads every plugin file in `directory`, sorted by name.
    ///
    /// - Parameters:
    ///   - settings: configuration values per help-type id (`help_types:` in the configuration file).
    ///   - clock: the host's clock, shared with plugins.
    public static func load(
        directory: String, settings: [String: [String: FormValue]] = [:],
        clock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "bangfu.plugins")
    ) -> PluginRegistry {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".so") }.sorted()
        } catch {
            return PluginRegistry(
                loaded: [],
                failed: [
                    PluginFailure(
                        file: directory, reason: "cannot read the plugin directory: \(error.localizedDescription)")
                ])
        }
        return load(
            files: files.map { URL(fileURLWithPath: directory).appendingPathComponent($0).path },
            settings: settings, clock: clock, logger: logger)
    }

    /// Loads the given plugin files in order; a later file with an id already loaded fails as a duplicate.
    public static func load(
        files: [String], settings: [String: [String: FormValue]] = [:],
        clock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "bangfu.plugins")
    ) -> PluginRegistry {
        var loaded: [LoadedHelpType] = []
        var failed: [PluginFailure] = []
        for path in files {
            do {
                let p = try open(path, settings: settings, clock: clock, logger: logger)
                if let first = loaded.first(where: { $0.descriptor.id == p.descriptor.id }) {
                    throw PluginError(
                        code: "duplicate", zh: "帮扶项目 \(p.descriptor.id) 已由 \(first.file) 提供",
                        en: "help type \(p.descriptor.id) is already provided by \(first.file)")
                }
                loaded.append(p)
                logger.debug("loaded help type", metadata: ["HELP_TYPE": "\(p.descriptor.id)", "FILE": "\(path)"])
            } catch let e as PluginError {
                failed.append(PluginFailure(file: path, reason: e.en))
                if e.code == "untrusted" {
                    logger.error(
                        "plugin refused: \(e.en)", metadata: ["FILE": "\(path)", "SECURITY": "plugin_refused"])
                }
            } catch let e as BangfuError {
                failed.append(PluginFailure(file: path, reason: e.en))
            } catch {
                failed.append(PluginFailure(file: path, reason: "\(error)"))
            }
        }
        return PluginRegistry(loaded: loaded, failed: failed)
    }

    /// Libraries already opened in this process, by path: each is opened and initialised once.
    private static let opened = Mutex<[String: OpenedLibrary]>([:])

    /// A library's table and host services; both live as long as the process.
    final class OpenedLibrary: @unchecked Sendable {
        let table: UnsafePointer<bangfu_help_type>
        let services: HostServices
        init(table: UnsafePointer<bangfu_help_type>, services: HostServices) {
            self.table = table
            self.services = services
        }
    }

    static func open(
        _ path: String, settings: [String: [String: FormValue]], clock: @escaping @Sendable () -> Date,
        logger: Logger
    ) throws -> LoadedHelpType {
        func fail(_ en: String) -> PluginError { PluginError(code: "load_failed", zh: en, en: en) }
        // The id comes from the file name, so configuration can be served before the descriptor exists.
        let name = URL(fileURLWithPath: path).lastPathComponent
        let id = String(name.dropFirst(prefix.count).dropLast(3))
        let table: UnsafePointer<bangfu_help_type>
        if let known = opened.withLock({ $0[path] }) {
            known.services.update(settings: settings[id] ?? [:], clock: clock, logger: logger)
            table = known.table
        } else {
            table = try openLibrary(path, id: id, settings: settings[id] ?? [:], clock: clock, logger: logger)
        }
        let raw = try LoadedHelpType.invoke(table, file: path) { out in table.pointee.describe(out) }
        let descriptor: HelpTypeDescriptor
        do {
            descriptor = try JSONDecoder().decode(HelpTypeDescriptor.self, from: raw)
        } catch {
            throw fail("its descriptor is not valid JSON for ABI version 1: \(error)")
        }
        // Settings are checked against the declared keys first: a mistyped value explains a bad descriptor.
        let unknown = Set((settings[id] ?? [:]).keys).subtracting(descriptor.config.map(\.key))
        guard unknown.isEmpty else {
            throw fail(
                "configuration help_types.\(id) sets unknown keys \(unknown.sorted().joined(separator: ", ")); allowed: \(descriptor.config.map(\.key).joined(separator: ", "))"
            )
        }
        for (key, value) in settings[id] ?? [:] {
            let declared = descriptor.config.first { $0.key == key }!.defaultValue
            let same =
                switch (declared, value) {
                case (.integer, .integer), (.string, .string), (.bool, .bool): true
                default: false
                }
            guard same else {
                let kind =
                    switch declared {
                    case .integer: "an integer (money in fen)"
                    case .string: "text"
                    case .bool: "true or false"
                    }
                throw fail("configuration help_types.\(id).\(key) must be \(kind), not \(value)")
            }
        }
        do { try descriptor.validate() } catch let e as PluginError { throw fail("invalid descriptor: \(e.en)") }
        guard descriptor.id == id else {
            throw fail("the file is named for help type \(id) but the plugin says it is \(descriptor.id): rename one")
        }
        return LoadedHelpType(descriptor: descriptor, file: path, table: table)
    }

    /// dlopen, entry symbol, version and size checks, init: once per file and process.
    private static func openLibrary(
        _ path: String, id: String, settings: [String: FormValue], clock: @escaping @Sendable () -> Date,
        logger: Logger
    ) throws -> UnsafePointer<bangfu_help_type> {
        func fail(_ en: String) -> PluginError { PluginError(code: "load_failed", zh: en, en: en) }
        // The file checked is the file loaded: opened once without following links, checked through
        // its descriptor, and loaded through that same descriptor.
        // The descriptor stays open for the life of the process, like the library: the dynamic
        // linker knows a library by the name it was opened with, and a reused descriptor number
        // would make a later plugin's "/proc/self/fd/N" look like one already loaded.
        let descriptor = try openTrusted(path)
        guard let handle = dlopen("/proc/self/fd/\(descriptor)", RTLD_NOW | RTLD_LOCAL) else {
            close(descriptor)
            throw fail("cannot load: \(String(cString: dlerror()))")
        }
        // Never dlclose: see the type's documentation.
        guard let sym = dlsym(handle, BANGFU_HELP_TYPE_ENTRY) else {
            throw fail("no entry symbol \(BANGFU_HELP_TYPE_ENTRY): not a bangfu help-type plugin")
        }
        let entry = unsafeBitCast(sym, to: bangfu_help_type_entry_fn.self)
        guard let table = entry() else { throw fail("the entry symbol returned no table") }
        let version = table.pointee.abi_version
        guard version == BANGFU_PLUGIN_ABI_VERSION else {
            throw fail(
                "ABI version \(version), but this bangfud speaks version \(BANGFU_PLUGIN_ABI_VERSION): rebuild the plugin against this version"
            )
        }
        let needed = MemoryLayout<bangfu_help_type>.size
        guard Int(table.pointee.struct_size) >= needed else {
            throw fail("its table is \(table.pointee.struct_size) bytes, shorter than the \(needed) of ABI version 1")
        }
        guard let initFn = table.pointee.`init`, table.pointee.describe != nil, table.pointee.call != nil,
            table.pointee.free_buffer != nil
        else {
            throw fail("its table has an empty function pointer")
        }
        // The host table lives as long as the process, like the plugin.
        let services = HostServices(helpType: id, settings: settings, clock: clock, logger: logger)
        let host = HostServices.makeTable(services)
        guard initFn(host) == BANGFU_OK else { throw fail("its init call failed") }
        let library = OpenedLibrary(table: table, services: services)
        opened.withLock { $0[path] = library }
        return table
    }
}

extension PluginLoader {
    /// Opens a plugin file for loading, refusing what another user could have changed: the file and
    /// its directory must be owned by root (or by bangfud's own user) and not writable by group or others, the file must be a
    /// regular file and not a symbolic link. A writable plugin directory would be code execution as
    /// the service.
    static func openTrusted(_ path: String) throws -> Int32 {
        func refuse(_ en: String) -> PluginError { PluginError(code: "untrusted", zh: en, en: en) }
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let directoryDescriptor = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryDescriptor >= 0 else {
            throw refuse("cannot open its directory \(directory): \(String(cString: strerror(errno)))")
        }
        defer { close(directoryDescriptor) }
        var status = stat()
        guard fstat(directoryDescriptor, &status) == 0 else {
            throw refuse("cannot inspect its directory \(directory)")
        }
        if let problem = untrusted(status) { throw refuse("its directory \(directory) \(problem)") }
        let fileDescriptor = openat(directoryDescriptor, url.lastPathComponent, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fileDescriptor >= 0 else {
            let reason =
                errno == ELOOP
                ? "is a symbolic link (plugins are loaded only from real files)" : String(cString: strerror(errno))
            throw refuse("cannot open: \(reason)")
        }
        guard fstat(fileDescriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(fileDescriptor)
            throw refuse("is not a regular file")
        }
        if let problem = untrusted(status) {
            close(fileDescriptor)
            throw refuse("the file \(problem)")
        }
        return fileDescriptor
    }

    /// What makes a file or directory untrusted for plugins, in words, or nil.
    static func untrusted(_ status: stat) -> String? {
        // Root, or the user bangfud itself runs as (a developer's own build): another user's file
        // would be that user's code running as the service.
        if status.st_uid != 0 && status.st_uid != geteuid() {
            return "is owned by uid \(status.st_uid), not root: chown root:root it"
        }
        if status.st_mode & (S_IWGRP | S_IWOTH) != 0 {
            return "is writable by group or others (mode \(String(status.st_mode & 0o7777, radix: 8))): chmod go-w it"
        }
        return nil
    }
}

/// The loaded help types and the files that failed.
public struct PluginRegistry: Sendable {
    public let loaded: [LoadedHelpType]
    public let failed: [PluginFailure]

    public init(loaded: [LoadedHelpType], failed: [PluginFailure]) {
        self.loaded = loaded
        self.failed = failed
    }

    /// The help type with this id, or `not_found` naming the ids that are loaded.
    /// The help type's Chinese name as printed on notices and sheets; the id itself when it is
    /// not loaded (a case filed under a help type since removed).
    public func nameZh(of id: String) -> String { (try? helpType(id).descriptor.nameZh) ?? id }

    public func helpType(_ id: String) throws -> LoadedHelpType {
        guard let p = loaded.first(where: { $0.descriptor.id == id }) else {
            let ids = loaded.map(\.descriptor.id).joined(separator: ", ")
            throw BangfuError(
                .notFound, zh: "未加载帮扶项目“\(id)”（已加载：\(ids)）", en: "help type \"\(id)\" is not loaded (loaded: \(ids))")
        }
        return p
    }
}
