// Unit tests of src/config.ts: no VS Code, no adapter. Run: npm run test:unit

import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, it, before, after } from 'node:test';
import {
    defaultLaunchForFile,
    FileProbe,
    parseProcessId,
    parseServerAddress,
    platformProblem,
    resolveExecutable,
    UbpdbgConfiguration,
    validateConfiguration,
    withDefaults,
} from '../src/config';

/** A fake file system: path -> kind, and the set of executable paths. */
function fakeProbe(files: Record<string, 'file' | 'dir' | 'other'>, executable: string[] = []): FileProbe {
    return {
        kind: (p) => files[p],
        isExecutable: (p) => executable.includes(p),
    };
}

function message<T>(r: { ok: true; value: T } | { ok: false; message: string }): string {
    assert.equal(r.ok, false, `expected a failure, got ${JSON.stringify(r)}`);
    return (r as { message: string }).message;
}

function value<T>(r: { ok: true; value: T } | { ok: false; message: string }): T {
    if (!r.ok) {
        assert.fail(`expected success, got: ${r.message}`);
    }
    return r.value;
}

describe('resolveExecutable', () => {
    const probe = fakeProbe(
        {
            '/opt/a/ubpdbg': 'file', // not executable
            '/opt/b/ubpdbg': 'file',
            '/opt/c/ubpdbg': 'dir',
            '/home/me/bin/ubpdbg': 'file',
            '/ws/tools/ubpdbg': 'file',
            '/opt/b/other': 'file',
        },
        ['/opt/a/other', '/opt/b/ubpdbg', '/home/me/bin/ubpdbg', '/ws/tools/ubpdbg', '/opt/b/other'],
    );

    it('looks a bare name up in PATH, skipping non-executables and directories', () => {
        assert.equal(value(resolveExecutable('ubpdbg', { pathEnv: '/opt/c:/opt/a:/opt/b', probe })), '/opt/b/ubpdbg');
    });

    it('uses "ubpdbg" for an empty or blank setting', () => {
        assert.equal(value(resolveExecutable('', { pathEnv: '/opt/b', probe })), '/opt/b/ubpdbg');
        assert.equal(value(resolveExecutable('  ', { pathEnv: '/opt/b', probe })), '/opt/b/ubpdbg');
        assert.equal(value(resolveExecutable(undefined, { pathEnv: '/opt/b', probe })), '/opt/b/ubpdbg');
    });

    it('ignores empty PATH entries (no lookup in the current directory)', () => {
        const cwdProbe = fakeProbe({ [path.resolve('ubpdbg')]: 'file' }, [path.resolve('ubpdbg')]);
        const m = message(resolveExecutable('ubpdbg', { pathEnv: '::', probe: cwdProbe }));
        assert.match(m, /PATH is empty/);
    });

    it('says it was not found in PATH, lists PATH, and names the setting', () => {
        const m = message(resolveExecutable('ubpdbg', { pathEnv: '/opt/a:/opt/c', probe }));
        assert.match(m, /"ubpdbg" was not found/);
        assert.match(m, /\/opt\/a:\/opt\/c/);
        assert.match(m, /ubpdbg\.executablePath/);
    });

    it('takes an absolute path as is when it is an executable file', () => {
        assert.equal(value(resolveExecutable('/opt/b/ubpdbg', { pathEnv: '', probe })), '/opt/b/ubpdbg');
    });

    it('says why an absolute path is unusable: missing, a directory, not executable', () => {
        assert.match(message(resolveExecutable('/nope/ubpdbg', { probe })), /\/nope\/ubpdbg does not exist.*ubpdbg\.executablePath/);
        assert.match(message(resolveExecutable('/opt/c/ubpdbg', { probe })), /is a directory/);
        assert.match(message(resolveExecutable('/opt/a/ubpdbg', { probe })), /is not executable/);
    });

    it('expands ~ and resolves a relative path against the workspace folder', () => {
        assert.equal(value(resolveExecutable('~/bin/ubpdbg', { homeDir: '/home/me', probe })), '/home/me/bin/ubpdbg');
        assert.equal(value(resolveExecutable('tools/ubpdbg', { baseDir: '/ws', probe })), '/ws/tools/ubpdbg');
        assert.equal(value(resolveExecutable('./tools/ubpdbg', { baseDir: '/ws', probe })), '/ws/tools/ubpdbg');
    });

    describe('on the real file system', () => {
        let dir = '';
        before(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ubpdbg-config-'));
            fs.writeFileSync(path.join(dir, 'ubpdbg'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
            fs.writeFileSync(path.join(dir, 'plain'), 'not a program\n', { mode: 0o644 });
        });
        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        it('finds an executable in a PATH directory', () => {
            assert.equal(value(resolveExecutable('ubpdbg', { pathEnv: `/nonexistent:${dir}` })), path.join(dir, 'ubpdbg'));
        });

        it('rejects a file without the execute bit and a directory', () => {
            // Mode 0644: no execute bit at all, so access(X_OK) fails even for root.
            assert.match(message(resolveExecutable(path.join(dir, 'plain'))), /is not executable/);
            assert.match(message(resolveExecutable(dir + '/')), /is a directory/);
        });
    });
});

describe('parseServerAddress', () => {
    it('is undefined (start our own adapter) when empty', () => {
        assert.equal(value(parseServerAddress('')), undefined);
        assert.equal(value(parseServerAddress('   ')), undefined);
        assert.equal(value(parseServerAddress(undefined)), undefined);
    });

    it('parses host:port, [ipv6]:port, :port and a bare port', () => {
        assert.deepEqual(value(parseServerAddress('127.0.0.1:4711')), { host: '127.0.0.1', port: 4711 });
        assert.deepEqual(value(parseServerAddress('localhost:1')), { host: 'localhost', port: 1 });
        assert.deepEqual(value(parseServerAddress('debug-box.example:65535')), { host: 'debug-box.example', port: 65535 });
        assert.deepEqual(value(parseServerAddress('[::1]:4711')), { host: '::1', port: 4711 });
        assert.deepEqual(value(parseServerAddress(':4711')), { host: '127.0.0.1', port: 4711 });
        assert.deepEqual(value(parseServerAddress('4711')), { host: '127.0.0.1', port: 4711 });
        assert.deepEqual(value(parseServerAddress(' 10.0.0.2:99 ')), { host: '10.0.0.2', port: 99 });
    });

    it('rejects what is not host:port, with the setting named', () => {
        assert.match(message(parseServerAddress('localhost')), /ubpdbg\.server.*host:port/);
        assert.match(message(parseServerAddress('localhost:http')), /not a number/);
        assert.match(message(parseServerAddress('localhost:0')), /out of range/);
        assert.match(message(parseServerAddress('localhost:65536')), /out of range/);
        assert.match(message(parseServerAddress('::1:4711')), /brackets/);
        assert.match(message(parseServerAddress('[::1]')), /ubpdbg\.server/);
        assert.match(message(parseServerAddress('host:-1')), /not a number/);
    });
});

describe('defaultLaunchForFile', () => {
    it('guesses the program next to a C, C++ or Rust file', () => {
        assert.equal(defaultLaunchForFile('c', '/src/demo/mt.c')?.program, '/src/demo/mt');
        assert.equal(defaultLaunchForFile('cpp', '/src/x/main.cpp')?.program, '/src/x/main');
        assert.equal(defaultLaunchForFile('rust', '/src/r/main.rs')?.program, '/src/r/main');
    });

    it('guesses the go build output (the directory name) for a Go file', () => {
        const c = defaultLaunchForFile('go', '/src/gomain/main.go');
        assert.equal(c?.program, '/src/gomain/gomain');
        assert.equal(c?.cwd, '/src/gomain');
        assert.equal(c?.type, 'ubpdbg');
        assert.equal(c?.request, 'launch');
        assert.equal(c?.stopMode, 'thread');
    });

    it('has nothing for other languages', () => {
        assert.equal(defaultLaunchForFile('python', '/src/a.py'), undefined);
        assert.equal(defaultLaunchForFile('plaintext', '/src/a.txt'), undefined);
    });
});

describe('withDefaults', () => {
    it('defaults stopMode to thread and keeps an explicit one', () => {
        assert.equal(withDefaults({ type: 'ubpdbg', request: 'launch', name: 'x', program: '/p' }).stopMode, 'thread');
        assert.equal(withDefaults({ type: 'ubpdbg', request: 'launch', name: 'x', stopMode: 'all' }).stopMode, 'all');
    });

    it('asks for the process with the picker when an attach has no processId', () => {
        assert.equal(withDefaults({ type: 'ubpdbg', request: 'attach', name: 'x' }).processId, '${command:pickProcess}');
        assert.equal(withDefaults({ type: 'ubpdbg', request: 'attach', name: 'x', processId: 12 }).processId, 12);
    });

    it('makes the workspace folder the cwd of a launch that has none', () => {
        assert.equal(withDefaults({ type: 'ubpdbg', request: 'launch', name: 'x' }, '/ws').cwd, '/ws');
        assert.equal(withDefaults({ type: 'ubpdbg', request: 'launch', name: 'x', cwd: '/elsewhere' }, '/ws').cwd, '/elsewhere');
        assert.equal(withDefaults({ type: 'ubpdbg', request: 'launch', name: 'x' }).cwd, undefined);
        assert.equal(withDefaults({ type: 'ubpdbg', request: 'attach', name: 'x' }, '/ws').cwd, undefined);
    });

    it('does not change its argument', () => {
        const c: UbpdbgConfiguration = { type: 'ubpdbg', request: 'launch', name: 'x' };
        withDefaults(c);
        assert.equal(c.stopMode, undefined);
    });
});

describe('validateConfiguration', () => {
    const probe = fakeProbe(
        { '/bin/prog': 'file', '/bin/data': 'file', '/bin': 'dir', '/work': 'dir', '/proc/1234': 'dir' },
        ['/bin/prog'],
    );
    const launch = (extra: Partial<UbpdbgConfiguration>): UbpdbgConfiguration => ({
        type: 'ubpdbg',
        request: 'launch',
        name: 'Run it',
        program: '/bin/prog',
        ...extra,
    });
    const attach = (extra: Partial<UbpdbgConfiguration>): UbpdbgConfiguration => ({
        type: 'ubpdbg',
        request: 'attach',
        name: 'Attach',
        ...extra,
    });

    it('accepts a full launch configuration unchanged', () => {
        const c = launch({ args: ['-v', 'x'], cwd: '/work', env: { A: '1' }, stopOnEntry: true, stopMode: 'all' });
        assert.deepEqual(value(validateConfiguration(c, { probe })), c);
    });

    it('requires program for launch and explains what to put there', () => {
        for (const program of [undefined, '', '  ']) {
            const m = message(validateConfiguration(launch({ program }), { probe }));
            assert.match(m, /"Run it".*"program" is required for a launch/);
            assert.match(m, /-g/);
        }
    });

    it('checks an absolute program exists, is a file and is executable', () => {
        assert.match(message(validateConfiguration(launch({ program: '/bin/missing' }), { probe })), /\/bin\/missing does not exist/);
        assert.match(message(validateConfiguration(launch({ program: '/bin' }), { probe })), /is a directory/);
        assert.match(message(validateConfiguration(launch({ program: '/bin/data' }), { probe })), /is not executable/);
    });

    it('leaves a relative program to the adapter (it is relative to cwd there)', () => {
        assert.equal(value(validateConfiguration(launch({ program: 'build/prog' }), { probe })).program, 'build/prog');
    });

    it('checks the types of args, cwd, env, stopOnEntry and stopMode', () => {
        assert.match(message(validateConfiguration(launch({ args: 'a b' as unknown as string[] }), { probe })), /"args" must be an array of strings/);
        assert.match(message(validateConfiguration(launch({ args: [1] as unknown as string[] }), { probe })), /"args"/);
        assert.match(message(validateConfiguration(launch({ cwd: '/nowhere' }), { probe })), /"cwd" \/nowhere is not a directory/);
        assert.match(message(validateConfiguration(launch({ cwd: 7 as unknown as string }), { probe })), /"cwd" must be a string/);
        assert.match(message(validateConfiguration(launch({ env: ['A=1'] as unknown as Record<string, string> }), { probe })), /"env" must be an object/);
        assert.match(message(validateConfiguration(launch({ env: { A: 1 } as unknown as Record<string, string> }), { probe })), /"env" value of A must be a string/);
        assert.deepEqual(value(validateConfiguration(launch({ env: { A: 'x', HOME: null } }), { probe })).env, { A: 'x', HOME: null });
        assert.match(message(validateConfiguration(launch({ stopOnEntry: 'yes' as unknown as boolean }), { probe })), /"stopOnEntry" must be true or false/);
        const m = message(validateConfiguration(launch({ stopMode: 'some' as unknown as 'all' }), { probe }));
        assert.match(m, /"stopMode" must be "thread".*or "all"/);
    });

    it('rejects an unknown request', () => {
        assert.match(message(validateConfiguration(launch({ request: 'run' }), { probe })), /"request" must be "launch" or "attach"/);
    });

    it('requires processId for attach and turns the picker\'s string into a number', () => {
        assert.match(message(validateConfiguration(attach({}), { probe })), /"processId" is required for an attach/);
        assert.equal(value(validateConfiguration(attach({ processId: '1234' }), { probe })).processId, 1234);
        assert.equal(value(validateConfiguration(attach({ processId: 1234 }), { probe })).processId, 1234);
    });

    it('rejects a processId that is not a live process id', () => {
        assert.match(message(validateConfiguration(attach({ processId: 999999 }), { probe })), /no process with id 999999/);
        assert.match(message(validateConfiguration(attach({ processId: 'abc' }), { probe })), /positive integer/);
        assert.match(message(validateConfiguration(attach({ processId: '${command:pickProcess}' }), { probe })), /not substituted/);
        assert.match(message(validateConfiguration(attach({ processId: -3 }), { probe })), /positive integer/);
        assert.match(message(validateConfiguration(attach({ processId: 1.5 }), { probe })), /positive integer/);
    });

    it('accepts attaching to this very test process on the real /proc', () => {
        assert.equal(value(validateConfiguration(attach({ processId: String(process.pid) }))).processId, process.pid);
    });
});

describe('parseProcessId', () => {
    it('accepts numbers and decimal strings with blanks around', () => {
        assert.equal(value(parseProcessId(42)), 42);
        assert.equal(value(parseProcessId(' 42 ')), 42);
    });
    it('rejects zero, negatives, fractions and words', () => {
        for (const v of [0, -1, 2.5, 'x1', '0x10', true, {}]) {
            assert.equal(parseProcessId(v).ok, false, JSON.stringify(v));
        }
    });
});

describe('platformProblem', () => {
    it('is fine on linux/x64 only', () => {
        assert.equal(platformProblem('linux', 'x64'), undefined);
        assert.match(platformProblem('darwin', 'arm64') ?? '', /Linux x86-64.*ubpdbg\.server/);
        assert.match(platformProblem('linux', 'arm64') ?? '', /linux\/arm64/);
    });
});
