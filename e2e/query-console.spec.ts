import { expect, runInEditor, test } from './fixtures';

test.describe('query console', () => {
  test('runs a typed query with the keyboard and shows its rows, names and types', async ({ app }, testInfo) => {
    await runInEditor(app, "select 42 as answer, 'x' as s");
    const status = app.getByTestId('query-status');
    await expect(status).toContainText('1 row · 2 columns');
    await expect(app.getByRole('columnheader').filter({ hasText: 'answer' })).toContainText('INTEGER');
    await expect(app.locator('[data-row="0"] [role="gridcell"]').first()).toHaveText('42');
    await expect(app.locator('[data-row="0"] [role="gridcell"]').nth(1)).toHaveText('x');
    await app.screenshot({ path: testInfo.outputPath('01-rows.png') });
  });

  test('scrolls ten million rows to the last one while holding only a few thousand', async ({ app }, testInfo) => {
    await runInEditor(app, 'SELECT * FROM range(10000000)');
    await expect(app.getByTestId('query-status')).toContainText('10,000,000 rows');
    const grid = app.getByRole('grid');
    await expect(grid.locator('[data-row="0"] [role="gridcell"]').first()).toHaveText('0');
    await grid.focus();
    await app.keyboard.press('ControlOrMeta+End');
    const last = grid.locator('[data-row="9999999"]');
    await expect(last.locator('[role="gridcell"]').first()).toHaveText('9999999');
    await expect(last.locator('[role="rowheader"]')).toHaveText('10000000');
    // Scroll through the middle with the scrollbar too, then check the renderer's row budget.
    await grid.evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    await expect(grid.locator('[role="gridcell"]').first()).not.toHaveText('…');
    await grid.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect(last.locator('[role="gridcell"]').first()).toHaveText('9999999');
    const cached = Number(await grid.getAttribute('data-cached-rows'));
    expect(cached).toBeGreaterThan(0);
    expect(cached).toBeLessThanOrEqual(5000);
    await app.screenshot({ path: testInfo.outputPath('02-last-row.png') });
  });

  test('cancels a long-running query and stays usable', async ({ app }, testInfo) => {
    await runInEditor(app, 'select count(*) from range(1000000000000) a');
    await expect(app.getByTestId('query-status')).toContainText('Running');
    await app.screenshot({ path: testInfo.outputPath('03-running.png') });
    await app.getByRole('button', { name: /Cancel/ }).click();
    await expect(app.getByTestId('query-status')).toHaveText('Cancelled');
    await app.screenshot({ path: testInfo.outputPath('04-cancelled.png') });
    await runInEditor(app, 'select 7 as seven');
    await expect(app.locator('[data-row="0"] [role="gridcell"]').first()).toHaveText('7');
  });

  test('shows an SQL error and marks its position in the editor', async ({ app }, testInfo) => {
    await runInEditor(app, 'select 1 as ok,\n  nope\nfrom range(3)');
    const error = app.getByTestId('query-error');
    await expect(error).toContainText('Binder error');
    await expect(error).toContainText('line 2, column 3');
    const marker = app.locator('.monaco-editor .squiggly-error');
    await expect(marker).toBeVisible();
    await app.screenshot({ path: testInfo.outputPath('05-sql-error.png') });
  });

  test('switches between light and dark themes', async ({ app }, testInfo) => {
    const html = app.locator('html');
    const before = await html.getAttribute('data-theme');
    await app.getByRole('button', { name: 'Toggle light and dark theme' }).click();
    await expect(html).not.toHaveAttribute('data-theme', before ?? '');
    await expect(app.locator('.monaco-editor')).toHaveClass(/vs-dark|vs(\s|$)/);
    await app.screenshot({ path: testInfo.outputPath('06-theme.png') });
  });
});
