/// One connection's request reading (RFC 9112 framing within ``HTTPRequestParser/Limits``), incremental so that a
/// request arriving in small pieces costs time in proportion to its size: the end of the head is found by a scan that
/// resumes where it stopped (each byte is looked at once), the head is parsed once, and the body is then only waited
/// for until `Content-Length` bytes are there.
struct HTTPRequestReader {
    let limits: HTTPRequestParser.Limits
    /// The bytes received and not yet taken by a request (at most the head limit, or a head and its body, plus one read).
    private(set) var buffer: [UInt8] = []
    /// How many bytes of the current request the end-of-head scan has looked at.
    private(set) var scanned = 0
    /// Where the request line starts, after the empty lines a client may send first (RFC 9112 §2.2; they count toward
    /// the head limit); `nil` until a byte other than CR or LF arrives.
    private var requestStart: Int?
    private var lineStart = 0
    /// The request whose head is read and whose body is awaited, with the body's range in ``buffer``.
    private var pending: (request: HTTPRequest, body: Range<Int>)?

    init(limits: HTTPRequestParser.Limits = HTTPRequestParser.Limits()) {
        self.limits = limits
    }

    /// Whether nothing of a next request has arrived.
    var isEmpty: Bool { buffer.isEmpty }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next request once all of its bytes are here (removed from ``buffer``), `.incomplete` until then, or why it is
    /// refused (the connection is then closed: the reader is not used again).
    mutating func next() -> HTTPRequestParser.Outcome {
        if pending == nil {
            switch scanHead() {
            case .none:
                return .incomplete
            case .some(.failure(let refusal)):
                return .refused(refusal.status, refusal.reason)
            case .some(.success(let headEnd)):
                switch HTTPRequestParser.head(buffer[(requestStart ?? 0)..<headEnd], limits: limits) {
                case .failure(let refusal):
                    return .refused(refusal.status, refusal.reason)
                case .success(let request):
                    let length = Int(request.headers["Content-Length"] ?? "0") ?? 0
                    pending = (request, headEnd..<(headEnd + length))
                }
            }
        }
        guard let (head, body) = pending, buffer.count >= body.upperBound else { return .incomplete }
        var request = head
        request.body = Array(buffer[body])
        buffer.removeFirst(body.upperBound)
        pending = nil
        requestStart = nil
        scanned = 0
        lineStart = 0
        return .request(request, consumed: body.upperBound)
    }

    /// Scans the bytes that arrived since the last call for the empty line ending the head: where the head ends, `nil`
    /// while it has not ended, or a refusal once the head limit is passed (whether or not the head would ever end).
    private mutating func scanHead() -> Result<Int, HTTPRequestParser.Refusal>? {
        let end = min(buffer.count, limits.maxHeadBytes)
        while scanned < end {
            let index = scanned
            scanned += 1
            let byte = buffer[index]
            guard requestStart != nil else {
                if byte != 0x0d, byte != 0x0a {
                    requestStart = index
                    lineStart = index
                }
                continue
            }
            guard byte == 0x0a else { continue }
            let lineEnd = index > lineStart && buffer[index - 1] == 0x0d ? index - 1 : index
            if lineEnd == lineStart { return .success(scanned) }
            lineStart = scanned
        }
        guard scanned >= limits.maxHeadBytes else { return nil }
        return .failure(
            HTTPRequestParser.Refusal(.headerFieldsTooLarge, "the request line and headers exceed \(limits.maxHeadBytes) bytes"))
    }
}
