import Testing

@testable import Sidecar

/// The status server's request reader (RFC 9112 framing within fixed limits): what it accepts, and the 4xx it answers
/// for everything else, so no malformed request goes unanswered and no client can make a connection hold more than
/// the limits.
struct HTTPRequestParserTests {
    static func parse(_ text: String, limits: HTTPRequestParser.Limits = .init()) -> HTTPRequestParser.Outcome {
        HTTPRequestParser.parse(Array(text.utf8), limits: limits)
    }

    static func refusal(_ text: String, limits: HTTPRequestParser.Limits = .init()) -> Int? {
        if case .refused(let status, _) = parse(text, limits: limits) { return status.code }
        return nil
    }

    @Test func aGetWithAQueryIsDecodedAndItsLengthCounted() throws {
        let text = "GET /jobs?state=failed&kind=re%70lica&note=a+b HTTP/1.1\r\nHost: x\r\nX-Empty:\r\n\r\nGET /next"
        guard case .request(let request, let consumed) = Self.parse(text) else {
            Issue.record("not a request: \(Self.parse(text))")
            return
        }
        #expect(request.method == "GET")
        #expect(request.path == "/jobs")
        #expect(request.query == [.init(name: "state", value: "failed"), .init(name: "kind", value: "replica"), .init(name: "note", value: "a b")])
        #expect(request.headers["host"] == "x")
        #expect(request.headers["X-EMPTY"] == "")
        #expect(request.keepAlive)
        #expect(consumed == text.utf8.count - "GET /next".utf8.count, "the next pipelined request is left in the buffer")
    }

    @Test func aBodyIsWaitedForUpToItsContentLength() {
        let head = "POST /reinit HTTP/1.1\r\nContent-Length: 21\r\n\r\n"
        guard case .incomplete = Self.parse(head + "{\"from_leader\"") else {
            Issue.record("a partial body must wait for more bytes")
            return
        }
        guard case .request(let request, let consumed) = Self.parse(head + "{\"from_leader\": true}") else {
            Issue.record("the whole body makes a request")
            return
        }
        #expect(String(decoding: request.body, as: UTF8.self) == "{\"from_leader\": true}")
        #expect(consumed == head.utf8.count + 21)
    }

    @Test func partialHeadsWaitAndLeadingEmptyLinesAreSkipped() {
        for partial in ["", "GE", "GET /health HTTP/1.1\r\n", "GET /health HTTP/1.1\r\nHost: x\r\n"] {
            guard case .incomplete = Self.parse(partial) else {
                Issue.record("'\(partial)' must wait for more bytes")
                continue
            }
        }
        guard case .request(let request, _) = Self.parse("\r\n\r\nGET /health HTTP/1.0\n\n") else {
            Issue.record("empty lines before the request line, LF line ends")
            return
        }
        #expect(request.path == "/health")
        #expect(!request.keepAlive, "HTTP/1.0 closes unless it asks for keep-alive")
    }

    @Test func anAbsoluteFormTargetIsItsPath() {
        guard case .request(let request, _) = Self.parse("GET http://node-b:8009/status?x=1 HTTP/1.1\r\n\r\n") else {
            Issue.record("absolute form")
            return
        }
        #expect(request.path == "/status")
        #expect(request.query == [.init(name: "x", value: "1")])
    }

    @Test(arguments: [
        ("GARBAGE\r\n\r\n", 400),
        ("GET /status\r\n\r\n", 400),
        ("GET  /status HTTP/1.1\r\n\r\n", 400),
        ("G(T /status HTTP/1.1\r\n\r\n", 400),
        ("GET status HTTP/1.1\r\n\r\n", 400),
        ("GET /status FTP/1.1\r\n\r\n", 400),
        ("GET /status HTTP/2.0\r\n\r\n", 505),
        ("GET /st\u{00e9}tus HTTP/1.1\r\n\r\n", 400),
        ("GET /status HTTP/1.1\r\nno colon here\r\n\r\n", 400),
        ("GET /status HTTP/1.1\r\nBad Name: x\r\n\r\n", 400),
        ("GET /status HTTP/1.1\r\n: no name\r\n\r\n", 400),
        ("GET /status HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),
        ("GET /status HTTP/1.1\r\nX: a\u{01}b\r\n\r\n", 400),
        ("GET /status HTTP/1.1\r\nContent-Length: ten\r\n\r\n", 400),
        ("GET /status HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        ("GET /status HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400),
        ("GET /status HTTP/1.1\r\nContent-Length: 1000000000\r\n\r\n", 413),
        ("GET /status HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413),
        ("POST /reinit HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411),
        ("POST /reinit HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400),
        ("GET /jobs?state=%zz HTTP/1.1\r\n\r\n", 400),
        ("GET /jobs/%ff HTTP/1.1\r\n\r\n", 400),
    ])
    func malformedRequestsAreRefusedWithTheirStatus(text: String, status: Int) {
        #expect(Self.refusal(text) == status, "\(text.debugDescription)")
    }

    @Test func aHeadOverTheLimitIsRefusedWhetherOrNotItEverEnds() {
        let limits = HTTPRequestParser.Limits(maxHeadBytes: 1024, maxBodyBytes: 64)
        let endless = "GET /status HTTP/1.1\r\nX-Filler: " + String(repeating: "a", count: 2000)
        #expect(Self.refusal(endless, limits: limits) == 431, "a head that never ends is refused once it passes the limit")
        #expect(Self.refusal(endless + "\r\n\r\n", limits: limits) == 431)
        let longLine = "GET /" + String(repeating: "a", count: 2000)
        #expect(Self.refusal(longLine, limits: limits) == 431, "so is a request line without an end")
        guard case .incomplete = Self.parse("GET /status HTTP/1.1\r\nX: " + String(repeating: "a", count: 900), limits: limits) else {
            Issue.record("under the limit, a head waits for its end")
            return
        }
        #expect(Self.refusal("POST /reinit HTTP/1.1\r\nContent-Length: 65\r\n\r\n", limits: limits) == 413)
    }
}

// MARK: - HTTPRequestReader: a connection's bytes read as they arrive, each byte of a head scanned once and the head
// parsed once, whatever the pieces.

extension HTTPRequestParserTests {
    @Test func requestsSplitAnywhereReadAsIfWhole() {
        let text = "\r\nPOST /reinit HTTP/1.1\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhelloGET /health HTTP/1.1\nHost: x\n\n"
        let bytes = Array(text.utf8)
        for size in [1, 2, 3, 7, 13, bytes.count] {
            var reader = HTTPRequestReader()
            var requests: [HTTPRequest] = []
            var offset = 0
            while offset < bytes.count {
                reader.append(bytes[offset..<min(offset + size, bytes.count)])
                offset += size
                while case .request(let request, _) = reader.next() { requests.append(request) }
            }
            #expect(requests.map(\.path) == ["/reinit", "/health"], "pieces of \(size)")
            #expect(requests.first.map { String(decoding: $0.body, as: UTF8.self) } == "hello", "pieces of \(size)")
            #expect(requests.last?.headers["host"] == "x", "pieces of \(size)")
            #expect(reader.isEmpty, "pieces of \(size)")
        }
    }

    /// Re-parsing the head at every arriving byte made this take minutes (a 3000-field head ~1 ms a parse, 80,000 reads).
    @Test func aLargeHeadAndBodyByteByByteCostTimeInProportionToTheirSize() throws {
        let head = "POST /reinit HTTP/1.1\r\n" + String(repeating: "a:1\r\n", count: 3000) + "Content-Length: 65536\r\n\r\n"
        let body = [UInt8](repeating: 0x7b, count: 65536)
        let bytes = Array(head.utf8) + body
        var reader = HTTPRequestReader()
        var outcome = HTTPRequestParser.Outcome.incomplete
        let started = ContinuousClock.now
        for index in bytes.indices {
            reader.append(bytes[index...index])
            outcome = reader.next()
            if case .refused(let status, let reason) = outcome {
                Issue.record("refused at byte \(index): \(status.code) \(reason)")
                return
            }
            if index == head.utf8.count - 2 { #expect(reader.scanned == index + 1, "the scan resumes where it stopped") }
        }
        let elapsed = ContinuousClock.now - started
        guard case .request(let request, let consumed) = outcome else {
            Issue.record("not a request: \(outcome)")
            return
        }
        #expect(request.headers.values("a").count == 3000)
        #expect(request.body == body)
        #expect(consumed == bytes.count)
        #expect(elapsed < .seconds(5), "took \(elapsed)")
    }

    @Test func emptyLinesBeforeTheRequestLineCountTowardTheHeadLimit() {
        let limits = HTTPRequestParser.Limits(maxHeadBytes: 1024, maxBodyBytes: 64)
        var reader = HTTPRequestReader(limits: limits)
        var outcome = HTTPRequestParser.Outcome.incomplete
        var sent = 0
        while case .incomplete = outcome, sent < 100_000 {
            reader.append(Array("\r\n".utf8)[...])
            sent += 2
            outcome = reader.next()
        }
        guard case .refused(let status, _) = outcome else {
            Issue.record("an endless run of empty lines must be refused, not buffered: \(outcome)")
            return
        }
        #expect(status.code == 431)
        #expect(sent == 1024, "refused as soon as the limit is reached")
        #expect(reader.buffer.count <= 1024)
        let padded = String(repeating: "\r\n", count: 500) + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
        #expect(HTTPRequestParserTests.refusal(padded, limits: limits) == 431, "empty lines and a head over the limit together")
    }
}
