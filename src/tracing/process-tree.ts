import { readdirSync, readFileSync } from 'node:fs'

/**
 * Every live descendant of `root` (not `root` itself), read from /proc: the traced command and whatever it
 * started, so a signal meant for "the command" reaches all of it, as a terminal's Ctrl-C reaches its whole
 * foreground process group.
 */
export function descendants(root: number, proc = '/proc'): number[] {
  const children = new Map<number, number[]>()
  let entries: string[]
  try {
    entries = readdirSync(proc)
  } catch {
    return []
  }
  for (const entry of entries) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid <= 0) continue
    const ppid = parentOf(pid, proc)
    if (ppid === null) continue
    const list = children.get(ppid)
    if (list === undefined) children.set(ppid, [pid])
    else list.push(pid)
  }
  const out: number[] = []
  const queue = [...(children.get(root) ?? [])]
  while (queue.length > 0) {
    const pid = queue.shift()!
    out.push(pid)
    queue.push(...(children.get(pid) ?? []))
  }
  return out
}

/** Field 4 of /proc/PID/stat; the command name before it is in parentheses and may hold spaces or ')'. */
function parentOf(pid: number, proc: string): number | null {
  try {
    const stat = readFileSync(`${proc}/${pid}/stat`, 'latin1')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ppid = Number(fields[1])
    return Number.isInteger(ppid) ? ppid : null
  } catch {
    return null // gone meanwhile
  }
}
