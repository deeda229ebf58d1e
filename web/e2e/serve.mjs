// Starts the real BenchStudio server for the browser tests, on a throwaway SQLite database and
// secrets file, and removes them when Playwright stops it.
import { spawn } from 'node:child_process'
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const webDir = dirname(dirname(fileURLToPath(import.meta.url)))
const repoDir = resolve(webDir, '..')
const port = process.env.BENCHSTUDIO_E2E_PORT ?? '8599'
const executable = process.env.BENCHSTUDIO_BIN ?? join(repoDir, '.venv/bin/benchstudio')
const workDir = mkdtempSync(join(tmpdir(), 'benchstudio-e2e-'))
// Dev-mode mail (password reset links) is printed to the server's console; the tests read it
// from this copy (see e2e/users.ts).
const serverLog = createWriteStream(join(tmpdir(), `benchstudio-e2e-${port}-server.log`))

const server = spawn(executable, ['serve', '--host', '127.0.0.1', '--port', port], {
  cwd: workDir,
  stdio: ['ignore', 'inherit', 'pipe'],
  env: {
    ...process.env,
    BENCHSTUDIO_ENV: 'dev',
    // The jobs flows drive the built-in demo job, off by default outside tests.
    BENCHSTUDIO_DEMO_JOBS: 'true',
    BENCHSTUDIO_DATABASE_URL: `sqlite+aiosqlite:///${join(workDir, 'benchstudio.db')}`,
    BENCHSTUDIO_SECRETS_FILE: join(workDir, 'secrets.env'),
    BENCHSTUDIO_WEB_DIST: join(repoDir, 'src/benchstudio/web_dist'),
    BENCHSTUDIO_LOG_LEVEL: 'WARNING',
    // The flows sign up several users; the first becomes admin.
    BENCHSTUDIO_SIGNUP_POLICY: 'open',
    // The built-in simulator, for onboarding and provider tests, on a port of its own.
    BENCHSTUDIO_DEMO_SIMULATOR: 'true',
    BENCHSTUDIO_DEMO_SIMULATOR_PORT: String(Number(port) + 1),
    BENCHSTUDIO_SCHEDULES_DISPATCH_INTERVAL_S: '1',
    // Cheap password hashing: the tests sign in dozens of times on a shared machine.
    BENCHSTUDIO_ARGON2_TIME_COST: '1',
    BENCHSTUDIO_ARGON2_MEMORY_KIB: '8192',
    // Every spec signs up its own users from 127.0.0.1: more than a real address's budget
    // (30 sign-ups and resets per 15 minutes). The throttle itself is tested in pytest.
    BENCHSTUDIO_ACCOUNT_ACTIONS_MAX_PER_IP: '1000',
  },
})

server.stderr.on('data', (chunk) => {
  process.stderr.write(chunk)
  serverLog.write(chunk)
})

let cleaned = false
function cleanUp() {
  if (cleaned) return
  cleaned = true
  rmSync(workDir, { recursive: true, force: true })
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.kill('SIGTERM')
  })
}

server.on('error', (error) => {
  console.error(`e2e: could not start ${executable}: ${error.message}`)
  cleanUp()
  process.exit(1)
})

server.on('exit', (code, signal) => {
  cleanUp()
  process.exit(code ?? (signal ? 0 : 1))
})
