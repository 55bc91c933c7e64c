/// Runs `body` for every element with at most `limit` running at once, and returns the results
/// in the order of `elements` (not of completion).
///
/// This is how the controller fans out over hosts (`--forks`): a slow host occupies one slot,
/// the others keep flowing. `body` does not throw; callers turn failures into result values so
/// that one host's failure never cancels the others.
public func boundedFanOut<Element: Sendable, Result: Sendable>(
    _ elements: [Element],
    limit: Int,
    _ body: @escaping @Sendable (Element) async -> Result
) async -> [Result] {
    precondition(limit > 0, "fan-out limit must be positive")
    return await withTaskGroup(of: (Int, Result).self) { group in
        var results = [Result?](repeating: nil, count: elements.count)
        var next = 0
        func startNext() {
            guard next < elements.count else { return }
            let index = next, element = elements[index]
            next += 1
            group.addTask { (index, await body(element)) }
        }
        for _ in 0..<min(limit, elements.count) { startNext() }
        while let (index, result) = await group.next() {
            results[index] = result
            startNext()
        }
        return results.map { $0! }
    }
}
