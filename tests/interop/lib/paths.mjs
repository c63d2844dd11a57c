// Where the built binaries are: $WABOT_BUILD_DIR, else <repo>/build.
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const buildDir = () => resolve(process.env.WABOT_BUILD_DIR || join(repoRoot, 'build'))

function built (rel) {
  const p = join(buildDir(), rel)
  if (!existsSync(p)) throw new Error(`${p} is missing: build first (scripts/build)`)
  return p
}

export const helperPath = () => built('tests/wb_interop_helper')
export const wabotPath = () => built('wabot')
export const echoServerPath = () => built('tests/wb_echo_server')
