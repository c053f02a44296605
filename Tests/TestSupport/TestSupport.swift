/// Test harnesses live in this target, one file per concern (PostgreSQL, etcd, ports, temp dirs, the sidecar binary).
public enum TestSupport {}
