import Testing

@testable import RolloutCore

/// The plain-URL fast path of the health URL check says exactly what the `URLComponents` check says.
@Suite struct HealthURLTests {
    static let plain = [
        "http://10.0.0.1:8080/health", "https://web-01.example.com/health?full=1&x=y", "http://h", "http://h/",
        "http://h:1", "http://h:0/", "http://h:65535/", "http://h:65536/", "http://h:99999/", "http://h:08080/x",
        "http://999.1.1.1/", "http://a1.b-c.d/x/y.z_~", "https://EXAMPLE.com/", "http://h?q",
    ]
    static let other = [
        "", "h", "ftp://h/", "HTTP://h/", "http://", "http:///x", "http://:80/", "http://h:/x", "http://h:123456/",
        "http://a..b/", "http://-a/", "http://a-/", "http://a--b/", "http://xn--nxasmq6b/", "http://xn--zz/",
        "http://h/a b", "http://h/%41", "http://h/%zz", "http://h#frag", "http://[::1]:8080/", "http://[::1/",
        "http://user@h/", "http://ü.example/", "http://h/ü", "http://h:8x/", "http://h./", "http://.h/",
        "http://{{ host.address }}/", "http://h/{{ x }}",
    ]

    @Test(arguments: plain)
    func plainURLsTakeTheFastPathWithTheSameVerdict(_ url: String) {
        #expect(HealthURL.simplePort(url) != nil)
        #expect(HealthURL.problem(url) == HealthURL.foundationProblem(url))
    }

    @Test(arguments: other)
    func otherURLsGetTheSameVerdict(_ url: String) {
        #expect(HealthURL.problem(url) == HealthURL.foundationProblem(url))
    }
}
