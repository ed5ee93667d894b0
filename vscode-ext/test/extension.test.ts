// Tests of src/extension.ts's wiring against a fake `vscode` module
// (test/fakeVscode.ts): what the adapter factory returns, and that a missing
// executable or a bad configuration aborts the session with a clear message.
// Run: npm run test:unit

import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn } from 'child_process';
import { describe, it, before, after, beforeEach } from 'node:test';
import * as fakeVscode from './fakeVscode';

fakeVscode.install();
// Loaded only now, so that its require('vscode') gets the fake.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ext = require('../src/extension') as typeof import('../src/extension');

const { state } = fakeVscode;

interface Provider {
    resolveDebugConfiguration(folder: unknown, config: Record<string, unknown>): unknown;
    resolveDebugConfigurationWithSubstitutedVariables(folder: unknown, config: Record<string, unknown>): Promise<unknown>;
}
interface Factory {
    createDebugAdapterDescriptor(session: unknown): unknown;
}

describe('extension (with a fake vscode module)', () => {
    let dir = '';
    let exe = '';
    let provider: Provider;
    let factory: Factory;
    const session = { workspaceFolder: undefined, configuration: {} };

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ubpdbg-ext-'));
        exe = path.join(dir, 'ubpdbg');
        fs.writeFileSync(exe, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
        fs.writeFileSync(path.join(dir, 'prog'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
        const context = { subscriptions: [] as unknown[] };
        ext.activate(context as never);
        assert.equal(context.subscriptions.length, 3);
        provider = state.configProviders.get('ubpdbg') as Provider;
        factory = state.factories.get('ubpdbg') as Factory;
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    beforeEach(() => fakeVscode.reset());

    it('registers a configuration provider, an adapter factory and the process picker', () => {
        assert.ok(provider, 'no configuration provider for ubpdbg');
        assert.ok(factory, 'no adapter factory for ubpdbg');
        assert.ok(state.commands.has('ubpdbg.pickProcess'));
    });

    it('starts `<executablePath> dap` by default', () => {
        state.settings['ubpdbg.executablePath'] = exe;
        const d = factory.createDebugAdapterDescriptor(session);
        assert.ok(d instanceof fakeVscode.DebugAdapterExecutable);
        assert.equal(d.command, exe);
        assert.deepEqual(d.args, ['dap']);
    });

    it('connects to ubpdbg.server when it is set, without needing the executable', () => {
        state.settings['ubpdbg.executablePath'] = '/nonexistent/ubpdbg';
        state.settings['ubpdbg.server'] = 'localhost:4711';
        const d = factory.createDebugAdapterDescriptor(session);
        assert.ok(d instanceof fakeVscode.DebugAdapterServer);
        assert.equal(d.port, 4711);
        assert.equal(d.host, 'localhost');
    });

    it('throws a clear error from the factory when the executable is missing', () => {
        state.settings['ubpdbg.executablePath'] = '/nonexistent/ubpdbg';
        assert.throws(() => factory.createDebugAdapterDescriptor(session), /\/nonexistent\/ubpdbg does not exist.*ubpdbg\.executablePath/);
    });

    it('aborts the session with an error message and an Open Settings button when ubpdbg is not in PATH', async () => {
        state.settings['ubpdbg.executablePath'] = 'ubpdbg-surely-not-installed';
        state.errorAnswer = 'Open Settings';
        const config = { type: 'ubpdbg', request: 'launch', name: 'L', program: path.join(dir, 'prog') };
        const r = await provider.resolveDebugConfigurationWithSubstitutedVariables(undefined, config);
        assert.equal(r, undefined, 'the session must be aborted');
        assert.equal(state.errors.length, 1);
        assert.match(state.errors[0].message, /"ubpdbg-surely-not-installed" was not found.*PATH.*ubpdbg\.executablePath/);
        assert.deepEqual(state.errors[0].items, ['Open Settings']);
        await new Promise((r) => setImmediate(r));
        assert.deepEqual(state.executed, [{ command: 'workbench.action.openSettings', args: ['ubpdbg.executablePath'] }]);
    });

    it('points at ubpdbg.server when that setting is malformed', async () => {
        state.settings['ubpdbg.server'] = 'localhost';
        state.errorAnswer = 'Open Settings';
        const r = await provider.resolveDebugConfigurationWithSubstitutedVariables(undefined, {
            type: 'ubpdbg', request: 'attach', name: 'A', processId: process.pid,
        });
        assert.equal(r, undefined);
        assert.match(state.errors[0].message, /ubpdbg\.server/);
        await new Promise((r) => setImmediate(r));
        assert.deepEqual(state.executed, [{ command: 'workbench.action.openSettings', args: ['ubpdbg.server'] }]);
    });

    it('aborts a launch without program, saying so', async () => {
        state.settings['ubpdbg.executablePath'] = exe;
        const r = await provider.resolveDebugConfigurationWithSubstitutedVariables(undefined, { type: 'ubpdbg', request: 'launch', name: 'L' });
        assert.equal(r, undefined);
        assert.match(state.errors[0].message, /"program" is required/);
    });

    it('passes a good attach on with processId as a number', async () => {
        state.settings['ubpdbg.executablePath'] = exe;
        const r = await provider.resolveDebugConfigurationWithSubstitutedVariables(undefined, {
            type: 'ubpdbg', request: 'attach', name: 'A', processId: String(process.pid), stopMode: 'thread',
        });
        assert.deepEqual(r, { type: 'ubpdbg', request: 'attach', name: 'A', processId: process.pid, stopMode: 'thread' });
        assert.deepEqual(state.errors, []);
    });

    it('fills stopMode and the process picker before substitution', () => {
        assert.deepEqual(provider.resolveDebugConfiguration(undefined, { type: 'ubpdbg', request: 'attach', name: 'A' }), {
            type: 'ubpdbg', request: 'attach', name: 'A', stopMode: 'thread', processId: '${command:pickProcess}',
        });
    });

    it('makes a launch configuration from the active C file when there is no launch.json', () => {
        state.activeEditor = { document: { languageId: 'c', uri: { fsPath: '/src/demo/mt.c' } } };
        const r = provider.resolveDebugConfiguration(undefined, {}) as Record<string, unknown>;
        assert.equal(r.type, 'ubpdbg');
        assert.equal(r.request, 'launch');
        assert.equal(r.program, '/src/demo/mt');
        assert.equal(r.stopMode, 'thread');
    });

    it('says what to do when there is no launch.json and no C/C++/Go/Rust file open', async () => {
        state.activeEditor = { document: { languageId: 'markdown', uri: { fsPath: '/src/README.md' } } };
        assert.equal(provider.resolveDebugConfiguration(undefined, {}), undefined);
        await new Promise((r) => setImmediate(r));
        assert.match(state.errors[0].message, /launch\.json/);
    });

    it('pickProcess offers running processes and returns the chosen pid as a string', async () => {
        const child = spawn('sleep', ['30'], { stdio: 'ignore' });
        try {
            await new Promise((r) => setTimeout(r, 100));
            state.quickPickAnswer = (items) => (items as { pid: number }[]).find((i) => i.pid === child.pid);
            const picked = await (state.commands.get('ubpdbg.pickProcess') as () => Promise<string | undefined>)();
            assert.equal(picked, String(child.pid));
            const item = (state.quickPickItems as { pid: number; label: string; detail: string }[]).find((i) => i.pid === child.pid);
            assert.equal(item?.label, 'sleep');
            assert.equal(item?.detail, 'sleep 30');
            state.quickPickAnswer = undefined;
            assert.equal(await (state.commands.get('ubpdbg.pickProcess') as () => Promise<string | undefined>)(), undefined, 'dismissing the picker cancels');
        } finally {
            child.kill('SIGKILL');
        }
    });
});
