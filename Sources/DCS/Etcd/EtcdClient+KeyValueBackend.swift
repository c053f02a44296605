import Foundation

/// The ``KeyValueBackend`` primitives as etcd v3 JSON gateway calls: standard padded base64 keys and values, int64
/// fields as strings, and fields at their default value omitted from answers.
extension EtcdClient: KeyValueBackend {
    func range(prefix: String) throws(DCSError) -> [(key: String, value: String)] {
        let answer = try call("/v3/kv/range", ["key": Self.base64(prefix), "range_end": Data(Self.prefixEnd(prefix)).base64EncodedString()])
        // An empty range has no `kvs` at all.
        let kvs = answer["kvs"] as? [[String: Any]] ?? []
        var pairs: [(key: String, value: String)] = []
        for kv in kvs {
            guard let key = Self.decode(kv["key"]) else {
                throw DCSError(.protocolError, "etcd answered a range with a key that is not base64")
            }
            pairs.append((key, Self.decode(kv["value"]) ?? ""))
        }
        return pairs
    }

    func grant(ttl: Duration) throws(DCSError) -> Int64 {
        let answer = try call("/v3/lease/grant", ["TTL": String(ttl.leaseSeconds)])
        guard let id = Self.int64(answer["ID"]), id != 0 else {
            throw DCSError(.protocolError, "etcd granted a lease without an ID: \(answer["error"] ?? "no error given")")
        }
        return id
    }

    func keepAlive(lease: Int64) throws(DCSError) -> Bool {
        do {
            let answer = try call("/v3/lease/keepalive", ["ID": String(lease)])
            // A lost lease answers 200 with no TTL (its default, 0, is omitted).
            let result = answer["result"] as? [String: Any] ?? answer
            return (Self.int64(result["TTL"]) ?? 0) > 0
        } catch  where Self.isLeaseNotFound(error) {
            return false
        }
    }

    func revoke(lease: Int64) throws(DCSError) {
        do {
            _ = try call("/v3/lease/revoke", ["ID": String(lease)])
        } catch  where Self.isLeaseNotFound(error) {
            return
        }
    }

    func txn(_ txn: KVTxn) throws(DCSError) -> KVTxn.Outcome {
        do {
            if txn.compares.isEmpty, txn.success.count == 1 {
                // A lone write goes to its own endpoint.
                switch txn.success[0] {
                case .put(let key, let value, let lease): _ = try call("/v3/kv/put", Self.put(key, value, lease))
                case .delete(let key): _ = try call("/v3/kv/deleterange", ["key": Self.base64(key)])
                }
                return .succeeded
            }
            let body: [String: Any] = [
                "compare": txn.compares.map(Self.compare),
                "success": txn.success.map { operation -> [String: Any] in
                    switch operation {
                    case .put(let key, let value, let lease): ["request_put": Self.put(key, value, lease)]
                    case .delete(let key): ["request_delete_range": ["key": Self.base64(key)]]
                    }
                },
            ]
            // A failed txn has no `succeeded` field (false is the default).
            return (try call("/v3/kv/txn", body)["succeeded"] as? Bool) == true ? .succeeded : .failed
        } catch  where Self.isLeaseNotFound(error) {
            return .leaseNotFound
        }
    }

    // MARK: Encoding

    private static func compare(_ compare: KVTxn.Compare) -> [String: Any] {
        switch compare {
        case .absent(let key):
            ["key": base64(key), "target": "CREATE", "result": "EQUAL", "create_revision": "0"]
        case .valueEquals(let key, let value):
            ["key": base64(key), "target": "VALUE", "result": "EQUAL", "value": base64(value)]
        }
    }

    private static func put(_ key: String, _ value: String, _ lease: Int64?) -> [String: Any] {
        var request: [String: Any] = ["key": base64(key), "value": base64(value)]
        if let lease { request["lease"] = String(lease) }
        return request
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    static func decode(_ field: Any?) -> String? {
        guard let encoded = field as? String, let data = Data(base64Encoded: encoded) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The smallest key greater than every key starting with `prefix` (etcd's prefix `range_end`).
    static func prefixEnd(_ prefix: String) -> [UInt8] {
        var bytes = Array(prefix.utf8)
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return bytes
            }
            bytes.removeLast()
        }
        return [0]  // every key
    }

    private static func int64(_ field: Any?) -> Int64? {
        if let text = field as? String { return Int64(text) }
        return (field as? NSNumber)?.int64Value
    }

    private static func isLeaseNotFound(_ error: DCSError) -> Bool {
        guard let refusal = error.cause as? Refusal else { return false }
        return refusal.status == 404 || refusal.grpcCode == 5 || refusal.message.contains("lease not found")
    }
}
