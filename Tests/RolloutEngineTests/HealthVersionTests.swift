import RolloutJSON
import Testing

@testable import RolloutEngine

/// `version_json_key`: the member of the health endpoint's JSON body that names the version, read through the one
/// JSON parser.
@Suite struct HealthVersionTests {
    @Test func theVersionMemberAsText() throws {
        let body = try JSONValue(parsing: #"{"version": "v2", "build": 41, "ratio": 0.5, "canary": true, "x": null}"#)
        #expect(body["version"].flatMap(HealthVerifier.versionText) == "v2")
        #expect(body["build"].flatMap(HealthVerifier.versionText) == "41")
        #expect(body["ratio"].flatMap(HealthVerifier.versionText) == "0.5")
        #expect(body["canary"].flatMap(HealthVerifier.versionText) == "true")
        #expect(body["x"].flatMap(HealthVerifier.versionText) == nil)
        #expect(body["missing"].flatMap(HealthVerifier.versionText) == nil)
    }
}
