// Regenerates src/api/schema.d.ts from the backend's OpenAPI document, so the web app never
// hand-writes request or response shapes.
//   node scripts/gen-api.mjs          write openapi.json and src/api/schema.d.ts
//   node scripts/gen-api.mjs --check  generate into a temp dir; fail if the committed file differs
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const webDir = dirname(dirname(fileURLToPath(import.meta.url)))
const python = process.env.BENCHSTUDIO_PYTHON ?? resolve(webDir, '../.venv/bin/python')
const openapiTypescript = join(webDir, 'node_modules/.bin/openapi-typescript')
const committedSchema = join(webDir, 'src/api/schema.d.ts')

/** @param {string} command @param {string[]} args */
function run(command, args) {
  const result = spawnSync(command, args, { cwd: webDir, stdio: 'inherit' })
  if (result.error) {
    console.error(`gen-api: could not run ${command}: ${result.error.message}`)
    process.exit(1)
  }
  if (result.status !== 0) {
    console.error(`gen-api: ${command} ${args.join(' ')} exited with ${result.status}`)
    process.exit(result.status ?? 1)
  }
}

/** @param {string} specPath @param {string} schemaPath */
function generate(specPath, schemaPath) {
  run(python, ['-m', 'benchstudio.openapi_export', specPath])
  run(openapiTypescript, [specPath, '-o', schemaPath, '--silent'])
}

/** @param {string} expected @param {string} actual */
function firstDifference(expected, actual) {
  const expectedLines = expected.split('\n')
  const actualLines = actual.split('\n')
  const length = Math.max(expectedLines.length, actualLines.length)
  for (let index = 0; index < length; index += 1) {
    if (expectedLines[index] !== actualLines[index]) {
      return `line ${index + 1}:\n  committed: ${expectedLines[index] ?? '<end of file>'}\n  backend:   ${actualLines[index] ?? '<end of file>'}`
    }
  }
  return ''
}

if (process.argv.includes('--check')) {
  const workDir = mkdtempSync(join(tmpdir(), 'benchstudio-gen-api-'))
  try {
    const freshSchema = join(workDir, 'schema.d.ts')
    generate(join(workDir, 'openapi.json'), freshSchema)
    const committed = readFileSync(committedSchema, 'utf8')
    const fresh = readFileSync(freshSchema, 'utf8')
    if (committed !== fresh) {
      console.error('src/api/schema.d.ts is out of date with the backend OpenAPI document.')
      console.error(firstDifference(committed, fresh))
      console.error('Run `npm run gen:api` in web/ and commit the result.')
      process.exitCode = 1
    } else {
      console.log('src/api/schema.d.ts matches the backend OpenAPI document.')
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true })
  }
} else {
  generate(join(webDir, 'openapi.json'), committedSchema)
  console.log('Wrote openapi.json and src/api/schema.d.ts')
}
