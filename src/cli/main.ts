export async function main(argv: string[]): Promise<number> {
  await Promise.resolve()
  process.stderr.write(`renacer-action: not wired yet (${argv.length} args)\n`)
  return 0
}
