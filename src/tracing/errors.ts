/** Errors of the tracing stage. Each carries the exit code the CLI returns for it (documented in docs/cli.md). */

export abstract class TraceError extends Error {
  abstract readonly code: string
  abstract readonly exitCode: number
}

export class StraceNotFound extends TraceError {
  override readonly name = 'StraceNotFound'
  readonly code = 'StraceNotFound'
  readonly exitCode = 69
  constructor(readonly searched: string) {
    super(
      `strace is not installed (looked for it in ${searched}). Install it: sudo apt-get install -y strace ` +
        `(Debian/Ubuntu), sudo dnf install -y strace (Fedora), apk add strace (Alpine).`
    )
  }
}

export class CommandNotFound extends TraceError {
  override readonly name = 'CommandNotFound'
  readonly code = 'CommandNotFound'
  /** As a shell does. */
  readonly exitCode = 127
  constructor(readonly command: string) {
    super(
      `${command}: command not found. Check the spelling and PATH, or run it through a shell: -- sh -c '...'`
    )
  }
}

export class PtraceRefused extends TraceError {
  override readonly name = 'PtraceRefused'
  readonly code = 'PtraceRefused'
  readonly exitCode = 77
  constructor(readonly detail: string) {
    super(
      `strace may not trace here: ptrace was refused (${detail}). In a container, allow it (docker run ` +
        `--cap-add=SYS_PTRACE, or a seccomp profile that permits ptrace); on a host, check ` +
        `/proc/sys/kernel/yama/ptrace_scope.`
    )
  }
}

export class StraceFailed extends TraceError {
  override readonly name = 'StraceFailed'
  readonly code = 'StraceFailed'
  readonly exitCode = 70
  constructor(detail: string) {
    super(`strace failed before tracing anything: ${detail}`)
  }
}
