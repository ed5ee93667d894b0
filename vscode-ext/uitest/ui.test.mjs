// The UI test: the packaged extension installed into a real VS Code
// (code-server) in Chromium, a non-stop session on a multithreaded C
// program driven through the UI as a user drives it, and what the page
// shows read back from it. Started by uitest/run.sh, which installs
// everything and sets the environment below. A screenshot of every step
// goes to $LOGDIR (NN-step.png), with code-server's output and ubpdbg's
// DAP log, so a failure can be looked at.
//
// Environment: CODE_SERVER, PLAYWRIGHT_CORE, CHROMIUM, UBPDBG_BIN, VSIX,
// LOGDIR.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const env = (name) => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set: run uitest/run.sh`);
    return v;
};
const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, '..', 'test', 'fixtures');
const LOGDIR = env('LOGDIR');
const { chromium } = createRequire(import.meta.url)(env('PLAYWRIGHT_CORE'));

// Bounds: one UI state must show within STEP ms; the whole test has
// run.sh's --test-timeout.
const STEP = 20_000;

let shot = 0;
async function screenshot(page, name) {
    shot++;
    const file = path.join(LOGDIR, `${String(shot).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file });
    return file;
}

function freePort() {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.listen(0, '127.0.0.1', () => {
            const port = s.address().port;
            s.close(() => resolve(port));
        });
        s.on('error', reject);
    });
}

async function waitHTTP(url, ms) {
    const end = Date.now() + ms;
    for (;;) {
        try {
            const r = await fetch(url);
            if (r.ok || r.status === 302) return;
        } catch {
            // not listening yet
        }
        if (Date.now() > end) throw new Error(`${url} did not answer within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 200));
    }
}

// lineOf finds the one line that ends in the marker comment BP:name (as
// test/dapSupport.ts does: a marker mentioned in other comments is not it).
function lineOf(file, name) {
    const re = new RegExp(`(/\\*|//)\\s*BP:${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*(\\*/)?\\s*$`);
    const hits = fs.readFileSync(file, 'utf8').split('\n').flatMap((l, i) => (re.test(l) ? [i + 1] : []));
    assert.equal(hits.length, 1, `${file}: lines marked BP:${name}: ${hits}`);
    return hits[0];
}

// wordBox finds the middle of the first `word` on the editor line that
// has `lineText` (tokens are spans that may hold several words).
async function wordBox(page, lineText, word) {
    const box = await page.evaluate(([lineText, word]) => {
        for (const line of document.querySelectorAll('.view-lines .view-line')) {
            if (!line.textContent.replaceAll('\u00a0', ' ').includes(lineText)) continue;
            const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                const i = n.textContent.replaceAll('\u00a0', ' ').search(new RegExp(`\\b${word}\\b`));
                if (i < 0) continue;
                const r = document.createRange();
                r.setStart(n, i);
                r.setEnd(n, i + word.length);
                const b = r.getBoundingClientRect();
                return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
            }
        }
        return null;
    }, [lineText, word]);
    assert.ok(box, `no ${word} on the line with ${lineText}`);
    return box;
}

// pids of processes whose command line has s (to see that nothing we
// started is left).
function processesWith(s) {
    const out = [];
    for (const d of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(d)) continue;
        try {
            const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' ');
            if (cmd.includes(s)) out.push(`${d}: ${cmd}`);
        } catch {
            // gone
        }
    }
    return out;
}

// inVSCode prepares a project folder (prepare(work) writes its files and
// returns its launch configurations), installs the .vsix into a fresh
// code-server serving it, opens it in Chromium and runs body(page, work).
// Everything it started is ended after the test, whatever happened; on a
// failure the page's screenshot and HTML are kept.
async function inVSCode(t, name, prepare, body) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ubpdbg-ui-'));
    const userData = path.join(tmp, 'user-data');
    const extensions = path.join(tmp, 'extensions');
    const work = path.join(tmp, name);
    fs.mkdirSync(path.join(work, '.vscode'), { recursive: true });
    const configurations = prepare(work);
    fs.writeFileSync(path.join(work, '.vscode', 'launch.json'), JSON.stringify({ version: '0.2.0', configurations }, null, 2));
    // ubpdbg.executablePath has scope machine-overridable: under
    // code-server it is read from the Machine settings, not the User's.
    const dapLog = path.join(LOGDIR, `${name}-ubpdbg-dap.log`);
    const wrapper = path.join(tmp, 'ubpdbg-logged');
    fs.writeFileSync(wrapper, `#!/bin/sh\nexec "${env('UBPDBG_BIN')}" "$@" --log --log-dest "${dapLog}"\n`, { mode: 0o755 });
    fs.mkdirSync(path.join(userData, 'Machine'), { recursive: true });
    fs.writeFileSync(path.join(userData, 'Machine', 'settings.json'), JSON.stringify({ 'ubpdbg.executablePath': wrapper }));
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'extensions.ignoreRecommendations': true,
        'workbench.enableExperiments': false,
        'security.workspace.trust.enabled': false,
        'chat.disableAIFeatures': true,
        'editor.hover.delay': 100,
        'window.restoreWindows': 'none',
    }));
    // code-server's own config and data in the temp dir too.
    const csEnv = { ...process.env, XDG_CONFIG_HOME: path.join(tmp, 'config'), XDG_DATA_HOME: path.join(tmp, 'data') };
    const csArgs = ['--user-data-dir', userData, '--extensions-dir', extensions, '--config', path.join(tmp, 'config.yaml')];
    let cs, browser;
    t.after(async () => {
        if (browser) await browser.close().catch(() => {});
        // code-server and what it started (its extension host, ubpdbg,
        // the program) are one process group.
        if (cs) {
            try { process.kill(-cs.pid, 'SIGTERM'); } catch { /* gone */ }
            await new Promise((r) => setTimeout(r, 1000));
            try { process.kill(-cs.pid, 'SIGKILL'); } catch { /* gone */ }
        }
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    execFileSync(env('CODE_SERVER'), [...csArgs, '--install-extension', env('VSIX')], { env: csEnv, timeout: 120_000 });
    const installed = execFileSync(env('CODE_SERVER'), [...csArgs, '--list-extensions', '--show-versions'], { env: csEnv, timeout: 60_000 }).toString();
    assert.match(installed, /ubpdbg\.ubpdbg@/);

    const port = await freePort();
    const csLog = fs.openSync(path.join(LOGDIR, `${name}-code-server.log`), 'w');
    cs = spawn(env('CODE_SERVER'), [...csArgs, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
        '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', work],
    { env: csEnv, stdio: ['ignore', csLog, csLog], detached: true });
    await waitHTTP(`http://127.0.0.1:${port}/healthz`, 60_000);

    browser = await chromium.launchPersistentContext(path.join(tmp, 'chromium'), {
        executablePath: env('CHROMIUM'),
        headless: true,
        viewport: { width: 1600, height: 1000 },
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = browser.pages()[0] ?? await browser.newPage();
    page.setDefaultTimeout(STEP);
    try {
        await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(work)}`);
        await page.locator('.monaco-workbench').waitFor();
        await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
        await body(page, work);
    } catch (e) {
        // What the page showed when it went wrong.
        await screenshot(page, `${name}-failure`).catch(() => {});
        const html = await page.locator('.monaco-workbench').innerHTML().catch(() => '');
        fs.writeFileSync(path.join(LOGDIR, `${name}-failure.html`), html);
        throw e;
    }
}

// workbench gives the UI actions the tests share.
function workbench(page) {
    const w = {};
    w.openFile = async (name) => {
        await page.keyboard.press('Control+P');
        await page.keyboard.type(name);
        await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
        await page.keyboard.press('Enter');
        await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor();
        w.editor = page.locator('.editor-instance .monaco-editor').first();
        await w.editor.waitFor();
    };
    w.gotoLine = async (n) => {
        await page.keyboard.press('Control+G');
        await page.keyboard.type(String(n));
        await page.keyboard.press('Enter');
        await page.locator(`.margin-view-overlays .line-numbers:text-is("${n}")`).waitFor();
    };
    // The glyph margin is left of the line numbers: a click there toggles
    // a breakpoint.
    w.gutter = async (n, button = 'left') => {
        // Where the line is once the editor has stopped scrolling.
        const line = page.locator(`.margin-view-overlays .line-numbers:text-is("${n}")`);
        let box = await line.boundingBox();
        for (let i = 0; i < 50; i++) {
            await page.waitForTimeout(100);
            const again = await line.boundingBox();
            if (box && again && again.y === box.y) break;
            box = again;
        }
        assert.ok(box, `line ${n} is not on screen`);
        await page.mouse.click(box.x - 12, box.y + box.height / 2, { button });
    };
    w.breakpointGlyphs = () => page.locator('.margin-view-overlays .codicon-debug-breakpoint, .glyph-margin-widgets .codicon-debug-breakpoint');
    w.callStack = page.locator('.debug-call-stack');
    w.threadRow = (name) => w.callStack.locator('.monaco-list-row', { has: page.locator('.thread') }).filter({ hasText: name });
    w.threadStates = () => w.callStack.locator('.monaco-list-row .thread').allInnerTexts();
    // Continue and Pause of one thread: its inline action in the Call
    // Stack. The mouse then leaves the row, whose state label hides while
    // it is hovered.
    w.threadAction = async (name, action) => {
        await w.threadRow(name).hover(); // the actions show on hover
        await w.threadRow(name).locator(`.codicon-debug-${action}`).click();
        await page.mouse.move(700, 8);
    };
    // expand opens a thread's row as a user does (VS Code 1.139 leaves a
    // thread that stopped alone collapsed).
    w.expand = async (row) => {
        if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
    };
    w.variables = page.locator('.debug-variables');
    // locals opens the Locals scope if VS Code did not. VS Code expands the
    // first scope by itself a moment after it shows it, and a click in that
    // moment folds it again (it happened on a loaded CI machine): click only
    // when the scope stays folded for a second, and go on only once it is
    // open.
    w.locals = async () => {
        const locals = w.variables.locator('.monaco-list-row', { hasText: 'Locals' }).first();
        await locals.waitFor();
        const end = Date.now() + STEP;
        while ((await locals.getAttribute('aria-expanded')) !== 'true') {
            if (Date.now() > end) throw new Error('the Locals scope did not open');
            await page.waitForTimeout(1000);
            if ((await locals.getAttribute('aria-expanded')) === 'false') await locals.click();
        }
    };
    w.toasts = () => page.locator('.notifications-toasts .notification-toast').allInnerTexts();
    return w;
}

test('a non-stop session on a C program', async (t) => {
    let src;
    await inVSCode(t, 'mtproject', (work) => {
        src = path.join(work, 'mt.c');
        fs.copyFileSync(path.join(fixtures, 'mt.c'), src);
        execFileSync('gcc', ['-g', '-O0', '-pthread', '-o', path.join(work, 'mt'), src]);
        return [{
            type: 'ubpdbg', request: 'launch', name: 'mt', program: '${workspaceFolder}/mt',
            args: ['120'], cwd: '${workspaceFolder}', stopMode: 'thread',
        }];
    }, (page, work) => cSession(page, work, src));
});

test('a non-stop session on a Go program', async (t) => {
    let src;
    await inVSCode(t, 'goproject', (work) => {
        for (const f of ['go.mod', 'main.go']) fs.copyFileSync(path.join(fixtures, 'gomain', f), path.join(work, f));
        src = path.join(work, 'main.go');
        execFileSync('go', ['build', '-gcflags=all=-N -l', '-o', 'gomain', '.'], { cwd: work });
        return [{
            type: 'ubpdbg', request: 'launch', name: 'gomain', program: '${workspaceFolder}/gomain',
            args: ['120'], cwd: '${workspaceFolder}', stopMode: 'thread',
        }];
    }, async (page, work) => {
        const w = workbench(page);
        const bp = lineOf(src, 'go-worker');
        await w.openFile('main.go');
        await w.gotoLine(bp);
        await w.gutter(bp);
        await w.breakpointGlyphs().first().waitFor();
        await page.keyboard.press('F5');
        // Each worker goroutine (locked to its thread) stops at the
        // breakpoint on its own, the Go runtime's threads run on.
        const pausedRow = w.callStack.locator('.monaco-list-row', { has: page.locator('.thread .state', { hasText: /Paused on breakpoint/i }) });
        await pausedRow.nth(1).waitFor({ timeout: 60_000 });
        const states = await w.threadStates();
        assert.equal(states.filter((x) => /paused on breakpoint/i.test(x)).length, 2, `the two workers paused: ${JSON.stringify(states)}`);
        assert.equal(states.filter((x) => /paused/i.test(x)).length, 2, `only the workers paused: ${JSON.stringify(states)}`);
        assert.ok(states.filter((x) => /running/i.test(x)).length >= 1, `the others run: ${JSON.stringify(states)}`);
        await w.expand(pausedRow.first());
        await w.callStack.locator('.monaco-list-row', { hasText: 'main.worker' }).filter({ hasText: `${bp}:1` }).first().waitFor();
        await w.locals();
        await w.variables.locator('.monaco-list-row', { hasText: /tag\s*[:=]\s*4[12]\b/ }).waitFor();
        await w.variables.locator('.monaco-list-row', { hasText: /value\s*[:=]\s*[12]000\b/ }).waitFor();
        await screenshot(page, 'go-paused-on-breakpoint');
        await page.locator('.repl-input-wrapper .monaco-editor').click();
        await page.keyboard.type('id * 100 + tag');
        await page.keyboard.press('Enter');
        await page.locator('.repl .monaco-list-row', { hasText: /^\s*(141|242)\s*$/ }).first().waitFor();
        await screenshot(page, 'go-debug-console');
        assert.deepEqual(await w.toasts(), [], 'no notification');
        await page.keyboard.press('Shift+F5');
        await w.callStack.locator('.monaco-list-row .thread').first().waitFor({ state: 'detached' });
        const end = Date.now() + STEP;
        while (processesWith(path.join(work, 'gomain')).length > 0 && Date.now() < end) {
            await new Promise((r) => setTimeout(r, 200));
        }
        assert.deepEqual(processesWith(path.join(work, 'gomain')), [], 'the program is gone after Stop');
        await screenshot(page, 'go-stopped');
    });
});

async function cSession(page, work, src) {
    const w = workbench(page);
    const { openFile, gotoLine, gutter, breakpointGlyphs, callStack, threadRow, threadAction, variables } = w;
    await screenshot(page, 'workbench');

    // Open mt.c (Quick Open), go to the breakpoint's line.
    const bpA = lineOf(src, 'a');
    const bpB = lineOf(src, 'b'), tick = lineOf(src, 'tick');
    await openFile('mt.c');
    await gotoLine(bpA);
    await gutter(bpA);
    await breakpointGlyphs().first().waitFor();
    await screenshot(page, 'breakpoint-set');

    // F5: worker-a stops at the breakpoint, the other threads run.
    await page.keyboard.press('F5');
    await threadRow('worker-a').locator('.state', { hasText: /Paused on breakpoint/i }).waitFor({ timeout: 60_000 });
    for (const name of ['worker-b', 'ticker']) {
        await threadRow(name).locator('.state', { hasText: /Running/i }).waitFor();
    }
    const threadStates = await w.threadStates();
    await screenshot(page, 'paused-on-breakpoint');
    const paused = threadStates.filter((s) => /paused/i.test(s));
    assert.equal(paused.length, 1, `one thread paused: ${JSON.stringify(threadStates)}`);
    assert.ok(threadStates.filter((s) => /running/i.test(s)).length >= 3, `the others run: ${JSON.stringify(threadStates)}`);
    // worker-a's stack shows worker_a at the breakpoint's line.
    await w.expand(threadRow('worker-a'));
    await callStack.locator('.monaco-list-row', { hasText: `worker_a` }).filter({ hasText: `${bpA}:1` }).first().waitFor();

    // Variables: worker_a's locals (VS Code expands the first scope).
    await w.locals();
    await variables.locator('.monaco-list-row', { hasText: /tag\s*[:=]\s*42/ }).waitFor();
    await variables.locator('.monaco-list-row', { hasText: /value\s*[:=]\s*1000\b/ }).waitFor();
    await screenshot(page, 'variables');

    // A hover over `value` on the call line shows its value.
    const at = await wordBox(page, 'compute(1, round)', 'value');
    await page.mouse.move(at.x, at.y);
    await page.locator('.debug-hover-widget', { hasText: '1000' }).waitFor();
    await screenshot(page, 'hover');
    await page.keyboard.press('Escape');

    // The Debug Console evaluates in the focused frame.
    const replInput = page.locator('.repl-input-wrapper .monaco-editor');
    await replInput.click();
    await page.keyboard.type('tag * 2');
    await page.keyboard.press('Enter');
    await page.locator('.repl .monaco-list-row', { hasText: /^\s*84\s*$/ }).first().waitFor();
    await screenshot(page, 'debug-console');

    // Continue: worker-a runs and stops at the breakpoint again (next
    // round).
    await threadAction('worker-a', 'continue');
    await variables.locator('.monaco-list-row', { hasText: /value\s*[:=]\s*1001\b/ }).waitFor();
    await threadRow('worker-a').locator('.state', { hasText: /Paused on breakpoint/i }).waitFor();
    await screenshot(page, 'continued-and-hit-again');
    // Without the breakpoint, worker-a runs on.
    await gutter(bpA);
    await breakpointGlyphs().first().waitFor({ state: 'detached' });
    await threadAction('worker-a', 'continue');
    await threadRow('worker-a').locator('.state', { hasText: /Running/i }).waitFor();

    // Pause worker-b, which sleeps in libc's nanosleep: no error
    // notification, and the editor shows the program's own frame.
    await threadAction('worker-b', 'pause');
    await threadRow('worker-b').locator('.state', { hasText: /Paused/i }).waitFor();
    // VS Code focuses the first frame it has the source of, nap; libc's
    // frames above it are folded as the adapter's listings.
    await callStack.locator('.monaco-list-row', { hasText: 'nap' }).filter({ hasText: '28:1' }).first().waitFor();
    await page.locator('.view-lines .view-line', { hasText: 'nanosleep(&ts, NULL)' }).waitFor();
    await page.waitForTimeout(2000); // what would go wrong shows by then
    await screenshot(page, 'paused-in-libc');
    const toasts = await page.locator('.notifications-toasts .notification-toast').allInnerTexts();
    assert.deepEqual(toasts, [], 'no notification after a pause in libc');
    const tabs = await page.locator('.tabs-container .tab').allInnerTexts();
    assert.ok(!tabs.some((x) => /could not load|clock_nanosleep/i.test(x)), `editor tabs ${JSON.stringify(tabs)}`);
    const errorEditors = await page.locator('.monaco-editor-pane-placeholder, .editor-placeholder').allInnerTexts();
    assert.ok(!errorEditors.some((x) => /could not load/i.test(x)), `editor placeholders ${JSON.stringify(errorEditors)}`);
    const folded = callStack.locator('.monaco-list-row', { hasText: /Show \d+ More: no source on this machine/ }).first();
    await folded.click();
    const libcFrame = callStack.locator('.monaco-list-row', { hasText: /nanosleep/ }).first();
    await libcFrame.click();
    // The frame's listing: the source is not here, the disassembly is.
    await page.locator('.tabs-container .tab', { hasText: 'clock_nanosleep.c' }).waitFor();
    await page.locator('.view-lines .view-line', { hasText: 'syscall' }).filter({ hasText: /0x[0-9a-f]+\s<\+\d+>/ }).first().waitFor();
    await screenshot(page, 'libc-frame-listing');
    const toastsAfterListing = await page.locator('.notifications-toasts .notification-toast').allInnerTexts();
    assert.deepEqual(toastsAfterListing, [], 'no notification after opening a libc frame');
    await threadAction('worker-b', 'continue');
    await threadRow('worker-b').locator('.state', { hasText: /Running/i }).waitFor();
    await page.locator('.tabs-container .tab', { hasText: 'mt.c' }).first().click();

    // A conditional breakpoint, edited in the breakpoint widget.
    await w.editor.click();
    await gotoLine(bpB);
    // gutterMenu opens the gutter's context menu on line n and picks
    // item, until the breakpoint widget opens (a click while the menu
    // still settles can go nowhere).
    const gutterMenu = async (n, item) => {
        for (let i = 0; ; i++) {
            await gutter(n, 'right');
            const entry = page.locator('.context-view .action-label', { hasText: item });
            await entry.waitFor();
            await page.waitForTimeout(300);
            await entry.click();
            try {
                await page.locator('.breakpoint-widget .monaco-editor').waitFor({ timeout: 3000 });
                return;
            } catch (e) {
                if (i >= 3) throw e;
                await page.keyboard.press('Escape');
            }
        }
    };
    await gutterMenu(bpB, 'Add Conditional Breakpoint');
    // typeInWidget types into the breakpoint widget once it has the
    // focus, and checks that it shows what was typed before Enter.
    const typeInWidget = async (text) => {
        const w = page.locator('.breakpoint-widget .monaco-editor');
        await w.waitFor();
        await w.click();
        await page.locator('.breakpoint-widget .monaco-editor.focused').waitFor();
        await page.keyboard.type(text);
        await page.locator('.breakpoint-widget .view-line').filter({ hasText: text }).waitFor();
        await page.keyboard.press('Enter');
    };
    await typeInWidget('round % 10 == 3');
    await threadRow('worker-b').locator('.state', { hasText: /Paused on breakpoint/i }).waitFor();
    await variables.locator('.monaco-list-row', { hasText: /round\s*[:=]\s*\d*3\b/ }).waitFor();
    await screenshot(page, 'conditional-breakpoint');
    // Remove it again (a click on its glyph), and let worker-b run.
    await gutter(bpB);
    await threadAction('worker-b', 'continue');
    await threadRow('worker-b').locator('.state', { hasText: /Running/i }).waitFor();

    // A logpoint in the ticker: its messages in the Debug Console while
    // every thread runs.
    await w.editor.click();
    await gotoLine(tick);
    await gutterMenu(tick, 'Add Logpoint');
    await typeInWidget('tick is {tick}');
    await page.locator('.repl .monaco-list-row', { hasText: /tick is \d+/ }).nth(2).waitFor();
    const states = await callStack.locator('.monaco-list-row .thread').allInnerTexts();
    assert.ok(states.every((s) => /running/i.test(s)), `every thread runs: ${JSON.stringify(states)}`);
    await screenshot(page, 'logpoint');

    // Stop: the session ends, and ubpdbg and the program with it.
    await page.keyboard.press('Shift+F5');
    await callStack.locator('.monaco-list-row .thread').first().waitFor({ state: 'detached' });
    const end = Date.now() + STEP;
    while (processesWith(path.join(work, 'mt')).length > 0 && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(processesWith(path.join(work, 'mt')), [], 'the program is gone after Stop');
    await screenshot(page, 'stopped');
    const toastsAtEnd = await page.locator('.notifications-toasts .notification-toast').allInnerTexts();
    assert.deepEqual(toastsAtEnd, [], 'no notification at the end');
}
