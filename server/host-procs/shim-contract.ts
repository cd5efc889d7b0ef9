// What every shim (the host process whose PID stands for a container process) promises, whatever
// its agent or proxy: the signals it forwards to the process, and the exit code it ends with when
// the process can no longer be reached (its proxy or VM is gone for good, or the agent forgot it).
export const EXIT_LOST = 255;

/**
 * Forwarded by every shim. SIGKILL and SIGSTOP cannot be caught; SIGWINCH is a window-size change,
 * not a signal, where the protocol has one (the ccShim); SIGTSTP only where the agent can deliver it.
 */
export const FORWARDED_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGCONT'] as const;
