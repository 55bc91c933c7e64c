import RolloutGateway
import Testing

/// Reading HAProxy's answers by column name, with text in the format HAProxy 2.6 prints.
@Suite struct HAProxyAnswerTests {
    @Test func serverStateColumnsAreFoundByNameInAnyOrder() throws {
        // The real header order, then the same data with the columns shuffled: both must read the same.
        let real = """
            1
            # be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight
            3 web 1 s1 127.0.0.1 2 8 1 1
            3 web 2 s2 127.0.0.1 2 0 1 1
            3 web 3 s3 127.0.0.1 0 1 1 1

            """
        let shuffled = """
            1
            # srv_admin_state srv_name be_name srv_op_state
            8 s1 web 2
            0 s2 web 2
            1 s3 web 0
            """
        for text in [real, shuffled] {
            let s1 = try #require(try HAProxyServerState.parse(text, backend: "web", server: "s1"))
            #expect(s1.state == .draining)
            #expect(s1.detail == "admin=drain op=running")
            #expect(try HAProxyServerState.parse(text, backend: "web", server: "s2")?.state == .inRotation)
            let s3 = try #require(try HAProxyServerState.parse(text, backend: "web", server: "s3"))
            #expect(s3.state == .out)
            #expect(s3.detail == "admin=maint op=stopped")
            #expect(try HAProxyServerState.parse(text, backend: "web", server: "s4") == nil)
            #expect(try HAProxyServerState.parse(text, backend: "api", server: "s1") == nil)
        }
        // Configured drain (`weight 0`) reads as draining too; configured maintenance as out.
        let configured = "1\n# be_name srv_name srv_op_state srv_admin_state\nweb s1 2 32\nweb s2 2 4\n"
        #expect(try HAProxyServerState.parse(configured, backend: "web", server: "s1")?.detail == "admin=drain(config) op=running")
        #expect(try HAProxyServerState.parse(configured, backend: "web", server: "s2")?.state == .out)
    }

    @Test func anErrorAnswerIsAnErrorNamingBackendAndServer() {
        let error = #expect(throws: GatewayError.self) {
            try HAProxyServerState.parse("Can't find backend.\n", backend: "api", server: "s1")
        }
        #expect(error?.code == .unknownServer)
        #expect(error?.message.contains("api/s1") == true)
    }
}
