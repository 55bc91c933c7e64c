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
            let label = step.phase.label
            for (i, action) in step.actions.enumerated() {
                // Most actions are one command: written straight out, with no string made for the line.
                if case .run(let command, let hook) = action {
                    out.write("  ")
                    out.write(i == 0 ? label : "         ")
                    out.write(" ")
                    if let hook {
                        out.write(hook.rawValue)
                        out.write(" hook: ")
                    }
                    command.writeTextLine(host: name, to: out)
                    out.write(byte: UInt8(ascii: "\n"))
                    continue
                }
                for (j, text) in action.textLines(host: name).enumerated() {
                    out.write("  ")
                    out.write(i == 0 && j == 0 ? label : "         ")
                    out.write(" ")
                    out.write(text)
                    out.write(byte: UInt8(ascii: "\n"))
                }
            }
        }
    }
}

extension PlanStep.Phase {
    /// The name padded to the width of the longest (9 columns).
    fileprivate var label: String { rawValue + String(repeating: " ", count: max(0, 9 - rawValue.utf8.count)) }
}
