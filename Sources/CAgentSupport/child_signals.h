#ifndef ROLLOUT_CAGENTSUPPORT_CHILD_SIGNALS_H
#define ROLLOUT_CAGENTSUPPORT_CHILD_SIGNALS_H

// Internal to CAgentSupport (not in the module header): shared by the forked children.

/// In a freshly forked child: every signal back to its default action, an empty signal mask.
/// Async-signal-safe.
void cas_child_reset_signals(void);

#endif
