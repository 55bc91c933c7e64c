import RolloutConfig
import RolloutText

extension Template {
    /// The template rendered in `scope`, its values in shell text quoted by `ShellQuote.quote` (each its own
    /// word; `{{ x | raw }}` inserted as is); see `Template.Context`. The plan and the gateway drivers both render
    /// through here, so the plan shows the command line that really runs.
    public func render(in scope: VariableScope) -> Result<String, UndefinedVariables> {
        render(in: scope, quotingWith: ShellQuote.quote)
    }
}
