import Testing

@testable import rollout

@Suite struct CIJobTests {
    @Test func recognizesCIServices() {
        #expect(CIJob.detect([:]) == nil)
        #expect(CIJob.detect(["CI": "false"]) == nil)
        #expect(
            CIJob.detect([
                "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_RUN_ID": "9", "GITHUB_RUN_ATTEMPT": "1",
                "GITHUB_JOB": "deploy",
            ]) == "github:9/1/deploy")
        #expect(CIJob.detect(["GITLAB_CI": "true", "CI_JOB_ID": "555"]) == "gitlab:555")
        #expect(CIJob.detect(["BUILDKITE": "true", "BUILDKITE_JOB_ID": "0190-ab"]) == "buildkite:0190-ab")
        #expect(CIJob.detect(["JENKINS_URL": "http://j/", "BUILD_TAG": "jenkins-web-12"]) == "jenkins:jenkins-web-12")
        #expect(
            CIJob.detect(["JENKINS_URL": "http://j/", "JOB_NAME": "web", "BUILD_NUMBER": "12"]) == "jenkins:web/12")
        #expect(CIJob.detect(["CIRCLECI": "true", "CIRCLE_WORKFLOW_JOB_ID": "c-1"]) == "circleci:c-1")
        #expect(CIJob.detect(["TF_BUILD": "True", "BUILD_BUILDID": "3", "SYSTEM_JOBID": "j"]) == "azure:3/j")
        #expect(CIJob.detect(["CI": "true"]) == "ci")
    }
}
