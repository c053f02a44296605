extension EtcdDCS {
    /// Where etcd is and who this node is: Patroni's `etcd3:` section plus the node's identity and timings.
    public struct Configuration: Sendable {
        /// `host:port` entries (or full `http(s)://host:port` URLs), tried in turn on connection failure.
        public var hosts: [String]
        /// `http` or `https`, for hosts given without a scheme.
        public var `protocol`: String
        /// PEM file of the CA that signed etcd's certificate.
        public var cacert: String?
        /// PEM client certificate and its key, for etcd's `--client-cert-auth`.
        public var cert: String?
        public var key: String?
        /// Credentials for `/v3/auth/authenticate`; `nil` when etcd runs without auth.
        public var username: String?
        public var password: String?
        /// Key prefix (`/service/`).
        public var namespace: String
        public var scope: String
        /// This node's name.
        public var name: String
        /// Lifetime of the node's lease (member and leader keys) without a keepalive.
        public var ttl: Duration
        /// Deadline of every call, across all hosts.
        public var retryTimeout: Duration

        /// A configuration with Patroni's defaults (`/service/`, ttl 30 s, retry_timeout 10 s, plain http).
        public init(
            hosts: [String],
            protocol: String = "http",
            cacert: String? = nil,
            cert: String? = nil,
            key: String? = nil,
            username: String? = nil,
            password: String? = nil,
            namespace: String = "/service/",
            scope: String,
            name: String,
            ttl: Duration = .seconds(30),
            retryTimeout: Duration = .seconds(10)
        ) {
            self.hosts = hosts
            self.protocol = `protocol`
            self.cacert = cacert
            self.cert = cert
            self.key = key
            self.username = username
            self.password = password
            self.namespace = namespace
            self.scope = scope
            self.name = name
            self.ttl = ttl
            self.retryTimeout = retryTimeout
        }

        /// Splits Patroni's `hosts` string form (`"a:2379,b:2379"`, spaces allowed) into entries.
        public static func hosts(fromList list: String) -> [String] {
            list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }
}
