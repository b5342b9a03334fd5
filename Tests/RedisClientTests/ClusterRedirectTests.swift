import RedisClient
import RedisTestSupport
import Testing

/// A Redis Cluster node answers a key it does not own with MOVED (or ASK while a slot
/// migrates). The client does not follow redirects yet; it must say so, and never hand the
/// redirect back as if it were the command's answer.
@Suite struct ClusterRedirectTests {
    static func clusterNode(_ redirect: String) throws -> FakeRedisServer {
        try FakeRedisServer { command in
            switch command.first?.uppercased() {
            case "PING": return .reply(.simpleString("PONG"))
            case "SET", "INCR": return .reply(.simpleString("OK"))
            default: return .reply(.error(redirect))
            }
        }
    }

    @Test(arguments: ["MOVED 3999 127.0.0.1:6381", "ASK 3999 10.0.0.7:7002"])
    func redirectIsAClearError(redirect: String) throws {
        let node = try Self.clusterNode(redirect)
        let client = try RedisClient(configuration: RedisConfiguration(host: "127.0.0.1", port: node.port))
        let error = #expect(throws: RedisError.self) { try client.get("{session}:data") }
        #expect(error == .clusterRedirect(redirect))
        #expect("\(error!)" == "Redis Cluster mode is not supported yet: the server redirected the command (\(redirect))")
        #expect(error?.isTransient == false)
    }

    @Test func redirectInAPipelineFailsTheWholePipeline() throws {
        let node = try Self.clusterNode("MOVED 12182 127.0.0.1:6382")
        let client = try RedisClient(configuration: RedisConfiguration(host: "127.0.0.1", port: node.port))
        #expect(throws: RedisError.clusterRedirect("MOVED 12182 127.0.0.1:6382")) {
            try client.pipeline([RedisCommand("SET", "a", "1"), RedisCommand("GET", "b"), RedisCommand("INCR", "c")])
        }
        // The connection itself is fine (the replies were complete) and is reused.
        try client.ping()
        #expect(node.connectionCount == 1)
    }

    @Test func redirectOfAScriptIsNotTakenForNOSCRIPT() throws {
        let node = try Self.clusterNode("MOVED 1 127.0.0.1:6383")
        let client = try RedisClient(configuration: RedisConfiguration(host: "127.0.0.1", port: node.port))
        #expect(throws: RedisError.clusterRedirect("MOVED 1 127.0.0.1:6383")) {
            try client.evaluate(RedisScript("return 1"), keys: ["{s}:a"])
        }
        #expect(!node.commands.contains { $0.first == "EVAL" })
    }
}
