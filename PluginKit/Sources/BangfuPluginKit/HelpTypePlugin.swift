@_exported import CBangfuPluginABI
import Foundation

/// What a plugin author implements: one Swift type per help type.
public protocol HelpTypePlugin: Sendable {
    /// The descriptor, given the host's configuration (amount caps may depend on it).
    func descriptor(_ context: PluginContext) -> HelpTypeDescriptor
    /// Assesses a batch of households; one result per request, in order. The host has already
    /// checked each form against the declared fields.
    func assess(_ requests: [AssessmentRequest], _ context: PluginContext) throws -> [Assessment]
    /// Configuration keys and their defaults (also part of the descriptor).
    var configKeys: [ConfigKey] { get }
}

/// Host services as a plugin sees them: configuration with declared defaults, logging, the clock.
// The host table is immutable and valid for the life of the process, so sharing its pointer is safe.
public struct PluginContext: @unchecked Sendable {
    let host: UnsafePointer<bangfu_host>?
    let defaults: [String: FormValue]

    /// A context without a host, for unit tests of a plugin's rules: defaults and `overrides` only.
    public static func standalone(defaults: [ConfigKey], overrides: [String: FormValue] = [:]) -> PluginContext {
        var d = Dictionary(uniqueKeysWithValues: defaults.map { ($0.key, $0.defaultValue) })
        d.merge(overrides) { $1 }
        return PluginContext(host: nil, defaults: d)
    }

    /// The configured value for `key`, or the declared default.
    public func value(_ key: String) -> FormValue? {
        if let host, host.pointee.struct_size >= UInt32(MemoryLayout<bangfu_host>.size),
            let get = host.pointee.config_get
        {
            var out = bangfu_buffer(data: nil, len: 0)
            let rc = Array(key.utf8).withUnsafeBufferPointer {
                get(host.pointee.context, $0.baseAddress, $0.count, &out)
            }
            if rc == BANGFU_OK {
                defer { host.pointee.free_buffer?(host.pointee.context, out) }
                if let data = out.data,
                    let v = try? JSONDecoder().decode(FormValue.self, from: Data(bytes: data, count: out.len))
                {
                    return v
                }
            }
        }
        return defaults[key]
    }

    /// An integer setting (amounts are integer fen); falls back to 0 when unset and undeclared.
    public func integer(_ key: String) -> Int64 { value(key)?.integer ?? 0 }

    /// The host's clock.
    public var now: Date {
        guard let host, let f = host.pointee.now_unix_ms else { return Date() }
        return Date(timeIntervalSince1970: Double(f(host.pointee.context)) / 1000)
    }

    /// A log line through the host (never personal data).
    public func log(_ level: Int32 = BANGFU_LOG_INFO, _ message: String) {
        guard let host, let f = host.pointee.log else { return }
        Array(message.utf8).withUnsafeBufferPointer { f(host.pointee.context, level, $0.baseAddress, $0.count) }
    }
}

/// Turns a `HelpTypePlugin` into the C table the host loads. Export it in one line:
///
/// ```swift
/// @_cdecl("bangfu_help_type_v1") public func entry() -> UnsafeRawPointer { BangfuPluginExport.entry(MyHelpType()) }
/// ```
public enum BangfuPluginExport {
    final class State: @unchecked Sendable {
        let lock = NSLock()
        var plugin: (any HelpTypePlugin)?
        var host: UnsafePointer<bangfu_host>?
        var table: UnsafeMutablePointer<bangfu_help_type>?
        var context: PluginContext {
            PluginContext(
                host: host,
                defaults: Dictionary(uniqueKeysWithValues: (plugin?.configKeys ?? []).map { ($0.key, $0.defaultValue) })
            )
        }
    }

    // Each plugin library links its own copy of this SDK, so this state is per plugin.
    static let state = State()

    /// The table for `plugin`; the first call wins, later calls return the same table.
    public static func entry(_ plugin: @autoclosure () -> any HelpTypePlugin) -> UnsafeRawPointer {
        state.lock.lock()
        defer { state.lock.unlock() }
        if let t = state.table { return UnsafeRawPointer(t) }
        state.plugin = plugin()
        let t = UnsafeMutablePointer<bangfu_help_type>.allocate(capacity: 1)
        t.initialize(
            to: bangfu_help_type(
                abi_version: BANGFU_PLUGIN_ABI_VERSION,
                struct_size: UInt32(MemoryLayout<bangfu_help_type>.size),
                init: { host in
                    BangfuPluginExport.state.lock.lock()
                    BangfuPluginExport.state.host = host
                    BangfuPluginExport.state.lock.unlock()
                    return BANGFU_OK
                },
                describe: { out in
                    BangfuPluginExport.respond(out) {
                        let s = BangfuPluginExport.state
                        guard let p = s.plugin else {
                            throw PluginError(code: "not_ready", zh: "插件未初始化", en: "plugin not initialised")
                        }
                        var d = p.descriptor(s.context)
                        d.config = p.configKeys
                        return d
                    }
                },
                call: { method, methodLen, request, requestLen, out in
                    let name =
                        method.map { String(decoding: UnsafeBufferPointer(start: $0, count: methodLen), as: UTF8.self) }
                        ?? ""
                    let body = request.map { Data(bytes: $0, count: requestLen) } ?? Data()
                    return BangfuPluginExport.respond(out) { () throws -> AssessResults in
                        let s = BangfuPluginExport.state
                        guard let p = s.plugin else {
                            throw PluginError(code: "not_ready", zh: "插件未初始化", en: "plugin not initialised")
                        }
                        guard name == "assess" else {
                            throw PluginError(code: "unknown_method", zh: "未知方法 \(name)", en: "unknown method \(name)")
                        }
                        let batch: AssessBatch
                        do { batch = try JSONDecoder().decode(AssessBatch.self, from: body) } catch {
                            throw PluginError(
                                code: "bad_request", zh: "请求无法解析：\(error)", en: "cannot decode the request: \(error)")
                        }
                        let results = try p.assess(batch.requests, s.context)
                        guard results.count == batch.requests.count else {
                            throw PluginError(
                                code: "bad_result", zh: "结果数与请求数不符", en: "result count differs from request count")
                        }
                        return AssessResults(results: results)
                    }
                },
                free_buffer: { buffer in free(buffer.data) }
            ))
        state.table = t
        return UnsafeRawPointer(t)
    }

    /// Encodes a result (or the error) into a malloc'd buffer.
    static func respond<T: Encodable>(_ out: UnsafeMutablePointer<bangfu_buffer>?, _ body: () throws -> T) -> Int32 {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        var rc = BANGFU_OK
        let data: Data
        do {
            data = try enc.encode(try body())
        } catch let e as PluginError {
            rc = BANGFU_ERROR
            data = (try? enc.encode(e)) ?? Data()
        } catch {
            rc = BANGFU_ERROR
            data =
                (try? enc.encode(PluginError(code: "plugin_error", zh: "插件出错：\(error)", en: "plugin failed: \(error)")))
                ?? Data()
        }
        guard let out else { return BANGFU_ERROR }
        let p = malloc(max(data.count, 1))!.assumingMemoryBound(to: UInt8.self)
        data.copyBytes(to: p, count: data.count)
        out.pointee = bangfu_buffer(data: p, len: data.count)
        return Int32(rc)
    }
}
