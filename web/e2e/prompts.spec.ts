// The prompt library (issue 19): a prompt is created, a second version saved with a note, the
// two versions compared side by side and unified, and a built-in judge prompt copied into an
// editable prompt of the user's, its rubric's placeholders highlighted.
import { expect, saveScreenshot, test } from './fixtures'
import { newUser, register, signInQuietly } from './users'

test('create a prompt, save a second version, compare them, copy a built-in judge prompt', async ({
  page,
  request,
}) => {
  test.setTimeout(90_000)
  const user = newUser('prompts')
  await register(request, user)
  await signInQuietly(page, user)

  await page.goto('/')
  await page.getByRole('navigation').getByRole('link', { name: 'Prompt library' }).click()
  await expect(page).toHaveURL('/prompts')
  await expect(page.getByTestId('library-intro')).toBeVisible()
  // The built-ins are there for everyone.
  await expect(page.getByRole('link', { name: 'Judge: per-case verdict' })).toBeVisible()
  await saveScreenshot(page, 'prompts-library-empty')

  await page.getByTestId('new-prompt').click()
  const dialog = page.getByRole('dialog')
  await dialog.getByTestId('prompt-kind').selectOption('system')
  await dialog.getByTestId('prompt-name').fill('Terse assistant')
  await dialog.getByTestId('prompt-tags').fill('style, Tone')
  await dialog.getByTestId('prompt-body').fill('You are terse.\nAnswer in {language}.')
  await dialog.getByRole('button', { name: 'Create prompt' }).click()
  await expect(page.getByTestId('prompt-title')).toHaveText('Terse assistant')
  await expect(page.getByTestId('prompt-version')).toHaveText('Version 1')
  await expect(page.getByTestId('placeholder')).toHaveText(['{language}'])

  await page.getByTestId('edit-prompt').click()
  const form = page.getByTestId('version-form')
  await expect(form.getByTestId('prompt-body')).toHaveValue('You are terse.\nAnswer in {language}.')
  await form
    .getByTestId('prompt-body')
    .fill('You are terse.\nAnswer in {language}.\nNever use lists.')
  await form.getByTestId('prompt-note').fill('No lists')
  await form.getByTestId('save-version').click()
  await expect(page.getByTestId('prompt-version')).toHaveText('Version 2')
  await expect(page.getByTestId('versions-table').getByRole('row')).toHaveCount(3)
  await expect(page.getByTestId('versions-table')).toContainText('No lists')

  const diff = page.getByTestId('prompt-diff')
  await expect(page.getByTestId('diff-summary')).toContainText('Version 1 → 2: 1 added, 0 removed')
  await expect(diff.getByRole('cell', { name: 'Never use lists.' })).toBeVisible()
  await saveScreenshot(page, 'prompts-diff-split')
  await page.getByTestId('diff-unified').check()
  await expect(diff.locator('tr[data-op="insert"]')).toHaveCount(1)
  await expect(diff.locator('tr[data-op="insert"]')).toContainText('Never use lists.')
  // Any two versions: the same one twice has no changes.
  await page.getByTestId('diff-from').selectOption('2')
  await expect(page.getByTestId('diff-summary')).toHaveText('Versions 2 and 2 have the same text.')

  // The library lists it, and its tags filter.
  await page.goto('/prompts')
  await page.getByRole('button', { name: 'Show prompts tagged tone' }).click()
  await expect(page).toHaveURL('/prompts?tag=tone')
  await expect(page.getByTestId('prompt-card')).toHaveCount(1)
  await page.getByTestId('kind-filter').selectOption('judge')
  await expect(page.getByText('No prompts match')).toBeVisible()
  await page.getByRole('button', { name: 'Clear filters' }).click()
  await expect(page.getByTestId('prompt-card')).toHaveCount(4)
  await saveScreenshot(page, 'prompts-library')

  // A built-in judge prompt: read-only, its rubric shown with placeholders; copied to edit.
  await page.getByRole('link', { name: 'Judge: per-case verdict' }).click()
  await expect(page.getByText('Built-in prompts are read-only')).toBeVisible()
  await expect(page.getByTestId('edit-prompt')).toHaveCount(0)
  await expect(page.getByTestId('prompt-text')).toContainText('pass: score 4 or 5')
  await expect(page.getByTestId('placeholder-list')).toContainText('{transcript}')
  await saveScreenshot(page, 'prompts-builtin-judge')
  await page.getByTestId('copy-prompt').click()
  await expect(page.getByTestId('prompt-title')).toHaveText('Copy of Judge: per-case verdict')
  await expect(page.getByRole('link', { name: 'builtin-judge-verdict' })).toBeVisible()
  await expect(page.getByTestId('edit-prompt')).toBeVisible()
  await expect(page.getByTestId('prompt-text')).toContainText('judge_verdict')
})
