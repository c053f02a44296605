import CCurl
import Foundation

/// One reusable libcurl easy handle (connections are kept alive between requests). Not thread-safe: its owner
/// uses it from one serial queue. C types stay inside this file.
final class CurlHandle {
    /// TLS material for every request of this handle.
    struct TLS {
        var caFile: String?
        var certFile: String?
        var keyFile: String?
    }

    /// A request that got no HTTP answer (refused, timed out, TLS failure...).
    struct Failure: Error, CustomStringConvertible {
        var code: Int
        var message: String
        var description: String { message }
    }

    /// `nil` once libcurl is loaded and initialised (on first use: sidecar does not link it), else why not.
    private static let loadFailure: String? = sidecar_curl_load().map { String(cString: $0) }

    private let handle: UnsafeMutableRawPointer
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init(tls: TLS) throws(DCSError) {
        if let failure = Self.loadFailure {
            throw DCSError(.configuration, "the etcd driver needs libcurl: \(failure); install libcurl4 (apt-get install libcurl4)")
        }
        guard let handle = sidecar_curl_easy_init() else {
            throw DCSError(.configuration, "libcurl could not make a handle (out of memory?)")
        }
        self.handle = handle
        sidecar_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        sidecar_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        sidecar_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        sidecar_curl_setopt_write_callback(handle) { pointer, size, count, context in
            guard let pointer, let context else { return 0 }
            let bytes = size * count
            Unmanaged<ResponseBody>.fromOpaque(context).takeUnretainedValue().data.append(
                UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self),
                count: bytes
            )
            return bytes
        }
        if let caFile = tls.caFile { sidecar_curl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
        if let certFile = tls.certFile { sidecar_curl_setopt_string(handle, CURLOPT_SSLCERT, certFile) }
        if let keyFile = tls.keyFile { sidecar_curl_setopt_string(handle, CURLOPT_SSLKEY, keyFile) }
    }

    deinit {
        sidecar_curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// POSTs `body` as JSON to `url`; returns the HTTP status and body, or a ``Failure`` when no answer came.
    func post(url: String, body: Data, headers: [String], timeout: Duration, connectTimeout: Duration) -> Result<(status: Int, body: Data), Failure> {
        let response = ResponseBody()
        let context = Unmanaged.passRetained(response)
        defer { context.release() }
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for header in ["Content-Type: application/json"] + headers { list = sidecar_curl_slist_append(list, header) }
        defer {
            sidecar_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, nil)
            sidecar_curl_slist_free_all(list)
        }

        sidecar_curl_setopt_string(handle, CURLOPT_URL, url)
        sidecar_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        sidecar_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context.toOpaque())
        sidecar_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout))
        sidecar_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(connectTimeout))
        errorBuffer[0] = 0
        let payload = body.isEmpty ? Data("{}".utf8) : body
        sidecar_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, payload.count)
        _ = payload.withUnsafeBytes { bytes in
            // COPYPOSTFIELDS copies the bytes: the pointer need not outlive this call.
            sidecar_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
        }
        let code = sidecar_curl_easy_perform(handle)
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let summary = String(cString: sidecar_curl_easy_strerror(code))
            return .failure(Failure(code: Int(code.rawValue), message: detail.isEmpty ? summary : "\(summary): \(detail)"))
        }
        var status = 0
        sidecar_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success((status, response.data))
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        max(1, Int((duration.secondsDouble * 1000).rounded(.up)))
    }
}

/// The buffer libcurl's write callback appends to.
private final class ResponseBody {
    var data = Data()
}
