/// A role from `postgresql.authentication.{superuser,replication}`: name, password and the libpq ssl keys.
public struct RoleCredentials: Sendable, Equatable {
    /// The libpq keys carried into a connstring after `port`, in this order.
    public static let sslKeys = ["sslmode", "sslcert", "sslkey", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "gssencmode", "channel_binding"]

    public var username: String
    /// Never put on argv, in logs or in the job database: it goes into the pgpass file or a 0600 file only.
    public var password: String?
    /// Values for keys of ``sslKeys``; other keys are ignored. `sslpassword` is a secret and is never put in a connstring.
    public var ssl: [String: String]

    public init(username: String, password: String? = nil, ssl: [String: String] = [:]) {
        self.username = username
        self.password = password
        self.ssl = ssl
    }
}
