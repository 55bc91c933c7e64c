import RolloutConfig
import Testing

@testable import RolloutCore

/// Batch sizes as Ansible's `_get_serialized_batches` computes them (`pct_to_int`: `int((pct / 100.0) * total)`,
/// at least 1; the last item of the list repeats; the last batch takes what is left).
@Suite struct BatchingTests {
    let ramp: [Quantity] = [.count(1), .count(5), .percent(25)]

    @Test func rampOverThreeHostsStopsWhenHostsRunOut() {
        #expect(Batching.serialSizes(count: 3, serial: ramp) == [1, 2])
    }

    @Test func rampOverTenHostsRepeatsTheLastItem() {
        // 25% of 10 is int(2.5) = 2.
        #expect(Batching.serialSizes(count: 10, serial: ramp) == [1, 5, 2, 2])
    }

    @Test func rampOverAThousandHosts() {
        #expect(Batching.serialSizes(count: 1000, serial: ramp) == [1, 5, 250, 250, 250, 244])
    }

    @Test func percentagesRoundDownButNeverToZero() {
        #expect(Batching.serialSizes(count: 3, serial: [.percent(25)]) == [1, 1, 1])
        #expect(Batching.serialSizes(count: 7, serial: [.percent(30)]) == [2, 2, 2, 1])
        #expect(Batching.serialSizes(count: 5, serial: [.percent(100)]) == [5])
    }

    /// Values printed by Python 3 for `int((pct / 100.0) * total)`: floating point, as Ansible computes them.
    @Test func percentagesUseAnsiblesFloatingPointArithmetic() {
        #expect(Quantity.percent(29).absolute(of: 100) == 28)  // 28.999999999999996
        #expect(Quantity.percent(57).absolute(of: 100) == 56)  // 56.99999999999999
        #expect(Quantity.percent(58).absolute(of: 100) == 57)  // 57.99999999999999
        #expect(Quantity.percent(7).absolute(of: 100) == 7)  // 7.000000000000001
        #expect(Quantity.percent(14).absolute(of: 50) == 7)  // 7.000000000000001
        #expect(Quantity.percent(10).absolute(of: 15, minimum: 0) == 1)
        #expect(Batching.serialSizes(count: 100, serial: [.percent(29)]) == [28, 28, 28, 16])
    }

    @Test func aRampLongerThanTheHostListIsCutShort() {
        #expect(Batching.serialSizes(count: 4, serial: [.count(1), .count(5), .count(10), .count(20)]) == [1, 3])
        #expect(Batching.serialSizes(count: 1, serial: ramp) == [1])
    }

    @Test func maxUnavailableCapsEveryBatch() {
        #expect(
            Batching.serialSizes(count: 1000, serial: ramp, ceiling: 100) == [1, 5] + Array(repeating: 100, count: 9)
                + [94])
    }

    @Test func failureBudgetOfTenPercentOverFifteenHostsIsOne() {
        let budget = FailureBudget(.percent(10), totalHosts: 15)
        #expect(budget.maxFailures == 1)
        #expect(!budget.isExceeded(failed: 1))
        #expect(budget.isExceeded(failed: 2))
        #expect(budget.rule == "the rollout stops when more than 1 host failed (at the 2nd failure)")
        #expect(FailureBudget(.percent(5), totalHosts: 15).maxFailures == 0)
        #expect(FailureBudget(.count(3), totalHosts: 15).maxFailures == 3)
    }

    @Test func theFailureBudgetInAPlanIsAbsolute() throws {
        let plan = try PlanFixtures.plan("max_failures: \"10%\"\n", hosts: 15)
        #expect(plan.failureBudget.maxFailures == 1)
        #expect(plan.jsonText.contains("\"absolute\": 1"))
    }
}
