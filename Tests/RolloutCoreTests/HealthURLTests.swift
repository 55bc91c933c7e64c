import Testing

@testable import RolloutCore

/// The plain-URL fast path of the health URL check says exactly what the `URLComponents` check says.
@Suite struct HealthURLTests {
    static let plain = [
        "http://10.0.0.1:8080/health", "http://web-01.example.com/health?full=1&x=y", "http://h", "http://h/",
        "http://h:1", "http://h:0/", "http://h:65535/", "http://h:65536/", "http://h:99999/", "http://h:08080/x",
        "http://999.1.1.1/", "http://a1.b-c.d/x/y.z_~", "http://EXAMPLE.com/", "http://h?q",
    ]
    static let other = [
        "", "h", "ftp://h/", "HTTP://h/", "http://", "http:///x", "http://:80/", "http://h:/x", "http://h:123456/",
        "http://a..b/", "http://-a/", "http://a-/", "http://a--b/", "http://xn--nxasmq6b/", "http://xn--zz/",
        "http://h/a b", "http://h/%41", "http://h/%zz", "http://h#frag", "http://[::1]:8080/", "http://[::1/",
        "http://user@h/", "http://ü.example/", "http://h/ü", "http://h:8x/", "http://h./", "http://.h/",
        "http://{{ host.address }}/", "http://h/{{ x }}", "https://web-01.example.com/health", "HTTPS://h/",
        "https://EXAMPLE.com/",
    ]

    @Test(arguments: plain)
    func plainURLsTakeTheFastPathWithTheSameVerdict(_ url: String) {
        #expect(HealthURL.simplePort(url) != nil)
        #expect(HealthURL.problem(url) == HealthURL.foundationProblem(url))
    }

    @Test("https, user information, a fragment and an uppercase scheme pass no check: the checker cannot send them")
    func unrequestableURLsAreRefused() {
        for url in ["https://h/health", "HTTPS://h:8443/", "https://10.0.0.1/"] {
            #expect(HealthURL.problem(url)?.contains("uses https") == true, "\(url)")
            #expect(HealthURL.problem(url)?.contains("type: command") == true, "\(url)")
        }
        #expect(HealthURL.problem("http://user@h/") != nil)
        #expect(HealthURL.problem("http://h/#top") != nil)
        #expect(HealthURL.problem("HTTP://h/") != nil)
        #expect(HealthURL.problem("http://h:8080/health?x=1") == nil)
    }

    @Test(arguments: other)
    func otherURLsGetTheSameVerdict(_ url: String) {
        #expect(HealthURL.problem(url) == HealthURL.foundationProblem(url))
    }
}
