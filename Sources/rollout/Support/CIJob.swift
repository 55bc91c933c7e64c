/// Recognizes the CI job a command runs in from the variables CI services set, for the journal's
/// "who started it" and lock owners. Nil outside CI.
enum CIJob {
    /// `github:<run id>/<attempt>/<job>`, `gitlab:<job id>`, `jenkins:<build tag>`, `buildkite:<job id>`,
    /// `circleci:<job id>`, `azure:<build id>/<job id>`; `ci` for an unrecognized CI that sets `CI`.
    static func detect(_ environment: [String: String]) -> String? {
        func value(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        func job(_ provider: String, _ names: [String]) -> String {
            let parts = names.compactMap(value)
            return parts.isEmpty ? provider : provider + ":" + parts.joined(separator: "/")
        }
        if value("GITHUB_ACTIONS") == "true" {
            return job("github", ["GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT", "GITHUB_JOB"])
        }
        if value("GITLAB_CI") != nil { return job("gitlab", ["CI_JOB_ID"]) }
        if value("BUILDKITE") == "true" { return job("buildkite", ["BUILDKITE_JOB_ID"]) }
        if value("JENKINS_URL") != nil || value("JENKINS_HOME") != nil {
            return value("BUILD_TAG").map { "jenkins:" + $0 } ?? job("jenkins", ["JOB_NAME", "BUILD_NUMBER"])
        }
        if value("CIRCLECI") == "true" {
            return value("CIRCLE_WORKFLOW_JOB_ID").map { "circleci:" + $0 } ?? job("circleci", ["CIRCLE_BUILD_NUM"])
        }
        if value("TF_BUILD") != nil { return job("azure", ["BUILD_BUILDID", "SYSTEM_JOBID"]) }
        if let ci = value("CI"), ci != "false", ci != "0" { return "ci" }
        return nil
    }
}
