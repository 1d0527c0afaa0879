import Foundation

/// One row of a result: values by position, or by column name.
///
/// Reading a column as a type it does not hold stops the process, as GRDB's rows do: the schema
/// is bangfu's own on both engines, so a mismatch is a defect, never a caller's input.
public struct SQLRow: Sendable {
    /// The result's column names, shared by its rows.
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public subscript<Value: SQLValueConvertible>(_ index: Int) -> Value {
        Self.convert(values[index], column: columns[index])
    }

    public subscript<Value: SQLValueConvertible>(_ index: Int) -> Value? {
        let value = values[index]
        if value == .null { return nil }
        return Self.convert(value, column: columns[index]) as Value
    }

    public subscript<Value: SQLValueConvertible>(_ name: String) -> Value {
        self[position(of: name)]
    }

    public subscript<Value: SQLValueConvertible>(_ name: String) -> Value? {
        self[position(of: name)]
    }

    private func position(of name: String) -> Int {
        guard let index = columns.firstIndex(of: name) else {
            preconditionFailure("no column \(name) in the result (\(columns.joined(separator: ", ")))")
        }
        return index
    }

    private static func convert<Value: SQLValueConvertible>(_ value: SQLValue, column: String) -> Value {
        guard let converted = Value(sqlValue: value) else {
            // The class only: a value may be personal (an ID number) and must not reach a log.
            preconditionFailure("column \(column) holds \(value.storageClass), not \(Value.self)")
        }
        return converted
    }
}
