import Foundation

/// Dispatches calls to interfaces and answers `org.varlink.service` itself (GetInfo, GetInterfaceDescription).
public struct VarlinkService: Sendable {
    public var vendor: String
    public var product: String
    public var version: String
    public var url: String
    public let interfaces: [String: VarlinkInterface]

    static let serviceIDL = """
        # The Varlink Service Interface is provided by every varlink service. It
        # describes the service and the interfaces it implements.
        interface org.varlink.service

        # Get a list of all the interfaces a service provides and information
        # about the implementation.
        method GetInfo() -> (
          vendor: string,
          product: string,
          version: string,
          url: string,
          interfaces: []string
        )

        # Get the description of an interface that is implemented by this service.
        method GetInterfaceDescription(interface: string) -> (description: string)

        # The requested interface was not found.
        error InterfaceNotFound (interface: string)

        # The requested method was not found
        error MethodNotFound (method: string)

        # The interface defines the requested method, but the service does not
        # implement it.
        error MethodNotImplemented (method: string)

        # One of the passed parameters is invalid.
        error InvalidParameter (parameter: string)

        # Client is denied access
        error PermissionDenied ()

        # Method is expected to be called with 'more' set to true, but wasn't
        error ExpectedMore ()
        """

    public init(vendor: String, product: String, version: String, url: String, interfaces: [VarlinkInterface]) {
        self.vendor = vendor
        self.product = product
        self.version = version
        self.url = url
        self.interfaces = Dictionary(uniqueKeysWithValues: interfaces.map { ($0.name, $0) })
    }

    /// Answers one call. Errors become error replies; nothing here throws.
    public func handle(_ request: VarlinkRequest) async -> [VarlinkReply] {
        do {
            switch try await dispatch(request) {
            case .reply(let p):
                return [VarlinkReply(parameters: p)]
            case .text(let text):
                return [VarlinkReply(parametersText: text)]
            case .stream(let items):
                // A listing streams one reply per item; an empty listing is one reply without parameters.
                guard request.wantsMore else { throw VarlinkError.expectedMore }
                if items.isEmpty { return [VarlinkReply(parameters: [:])] }
                return items.enumerated().map { i, p in
                    VarlinkReply(parameters: p, continues: i < items.count - 1 ? true : nil)
                }
            }
        } catch let e as VarlinkError {
            return [VarlinkReply(parameters: e.parameters, error: e.name)]
        } catch {
            return [
                VarlinkReply(
                    parameters: ["message": .string("\(error)")], error: "org.varlink.service.InvalidParameter")
            ]
        }
    }

    func dispatch(_ request: VarlinkRequest) async throws -> VarlinkResponse {
        let call = request.call
        if call.interface == "org.varlink.service" {
            switch call.member {
            case "GetInfo":
                return .reply([
                    "vendor": .string(vendor), "product": .string(product), "version": .string(version),
                    "url": .string(url),
                    "interfaces": .array((["org.varlink.service"] + interfaces.keys.sorted()).map { .string($0) }),
                ])
            case "GetInterfaceDescription":
                guard let name = call.parameters?["interface"]?.stringValue else {
                    throw VarlinkError.invalidParameter("interface")
                }
                if name == "org.varlink.service" { return .reply(["description": .string(Self.serviceIDL)]) }
                guard let i = interfaces[name] else { throw VarlinkError.interfaceNotFound(name) }
                return .reply(["description": .string(i.description)])
            default:
                throw VarlinkError.methodNotFound(call.method)
            }
        }
        let interface = call.interface
        guard let i = interfaces[interface] else { throw VarlinkError.interfaceNotFound(interface) }
        guard let m = i.methods[call.member] else { throw VarlinkError.methodNotFound(call.method) }
        return try await m(request)
    }
}
