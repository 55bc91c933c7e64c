import RolloutModel
import RolloutText

extension HostPlan {
    /// The host's section of `Plan.text`: a blank line, the host's headline, then every step's actions, the phase
    /// named on its first line.
    func writeText(to out: OutputBuffer) {
        out.write(byte: UInt8(ascii: "\n"))
        out.write("Host ")
        out.write(name)
        out.write(" (")
        if let user {
            out.write(user)
            out.write("@")
        }
        out.write(address)
        out.write(":")
        out.write(String(port))
        out.write("), batch ")
        out.write(String(batch))
        out.write(", strategy ")
        out.write(strategy.rawValue)
        out.write(byte: UInt8(ascii: "\n"))
        for step in steps {
            var lines = StepTextLines(out, host: name, label: step.phase.label)
            for action in step.actions { action.writeText(to: &lines) }
        }
    }
}

extension Phase {
    /// The name padded to the width of the longest (9 columns).
    fileprivate var label: String { rawValue + String(repeating: " ", count: max(0, 9 - rawValue.utf8.count)) }
}
