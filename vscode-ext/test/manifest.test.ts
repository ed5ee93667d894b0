// Checks of package.json as VS Code reads it: the debugger contribution, its
// schemas and the settings agree with what src/extension.ts does. Run: npm run test:unit

import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { describe, it } from 'node:test';
import { extensionRoot } from './paths';

/* eslint-disable @typescript-eslint/no-explicit-any */
const pkg: any = JSON.parse(fs.readFileSync(path.join(extensionRoot(), 'package.json'), 'utf8'));
const debuggers: any[] = pkg.contributes.debuggers;
const dbg = debuggers.find((d) => d.type === 'ubpdbg');

describe('package.json', () => {
    it('is a VS Code extension with a main that the compiler produces', () => {
        assert.equal(pkg.name, 'ubpdbg');
        assert.ok(pkg.publisher);
        assert.match(pkg.engines.vscode, /^\^1\.\d+\.\d+$/);
        assert.equal(pkg.main, './out/extension.js');
        assert.ok(fs.existsSync(path.join(extensionRoot(), 'src', 'extension.ts')));
        assert.ok(pkg.activationEvents.includes('onDebugResolve:ubpdbg'));
    });

    it('@types/vscode is not newer than engines.vscode (vsce refuses that)', () => {
        const engine = pkg.engines.vscode.replace(/^\^/, '').split('.').map(Number);
        const types = pkg.devDependencies['@types/vscode'].replace(/^[\^~]/, '').split('.').map(Number);
        assert.ok(types[0] < engine[0] || (types[0] === engine[0] && types[1] <= engine[1]), `${types} > ${engine}`);
    });

    it('contributes the ubpdbg debugger for C, C++, Go and Rust', () => {
        assert.ok(dbg, 'no debugger of type ubpdbg');
        assert.equal(dbg.label, 'ubpdbg (native, non-stop)');
        assert.deepEqual(dbg.languages, ['c', 'cpp', 'go', 'rust']);
        assert.deepEqual(pkg.contributes.breakpoints.map((b: any) => b.language), ['c', 'cpp', 'go', 'rust']);
    });

    it('launch schema: program required; args, cwd, env, stopOnEntry, stdin, stopMode typed', () => {
        const launch = dbg.configurationAttributes.launch;
        assert.deepEqual(launch.required, ['program']);
        const p = launch.properties;
        assert.equal(p.program.type, 'string');
        assert.deepEqual(p.args, { ...p.args, type: 'array', items: { type: 'string' } });
        assert.equal(p.cwd.type, 'string');
        assert.equal(p.env.type, 'object');
        assert.deepEqual(p.env.additionalProperties, { type: ['string', 'null'] });
        assert.equal(p.stopOnEntry.type, 'boolean');
        assert.equal(p.stdin.type, 'string');
        for (const [name, prop] of Object.entries<any>(p)) {
            assert.ok(typeof prop.description === 'string' && prop.description.length > 10, `${name} has no description`);
        }
    });

    it('stopMode is thread (default) or all, each described', () => {
        for (const req of ['launch', 'attach']) {
            const sm = dbg.configurationAttributes[req].properties.stopMode;
            assert.deepEqual(sm.enum, ['thread', 'all']);
            assert.equal(sm.default, 'thread');
            assert.equal(sm.enumDescriptions.length, 2);
            assert.match(sm.enumDescriptions[0], /keep running/);
        }
    });

    it('attach schema: processId required, defaulting to the process picker that the extension registers', () => {
        const attach = dbg.configurationAttributes.attach;
        assert.deepEqual(attach.required, ['processId']);
        assert.equal(attach.properties.processId.default, '${command:pickProcess}');
        assert.equal(dbg.variables.pickProcess, 'ubpdbg.pickProcess');
        const ext = fs.readFileSync(path.join(extensionRoot(), 'src', 'extension.ts'), 'utf8');
        assert.match(ext, /PICK_PROCESS_COMMAND = 'ubpdbg\.pickProcess'/);
        assert.ok(pkg.contributes.commands.some((c: any) => c.command === 'ubpdbg.pickProcess'));
    });

    it('initial configurations and snippets are ubpdbg launch/attach configurations', () => {
        assert.deepEqual(dbg.initialConfigurations.map((c: any) => c.request), ['launch', 'attach']);
        for (const c of dbg.initialConfigurations) {
            assert.equal(c.type, 'ubpdbg');
            assert.ok(c.name);
        }
        assert.ok(dbg.configurationSnippets.length >= 2);
        for (const s of dbg.configurationSnippets) {
            assert.equal(s.body.type, 'ubpdbg');
            assert.ok(['launch', 'attach'].includes(s.body.request));
            // Snippet bodies quote variables as ^"\${...}" so the snippet engine leaves them alone.
            for (const v of Object.values<any>(s.body)) {
                if (typeof v === 'string' && v.includes('${') && !/^\^"/.test(v)) {
                    assert.fail(`snippet ${s.label}: ${v} must be written as ^"\\\${...}"`);
                }
            }
        }
    });

    it('settings: ubpdbg.executablePath defaults to "ubpdbg", ubpdbg.server to empty', () => {
        const props = pkg.contributes.configuration.properties;
        assert.equal(props['ubpdbg.executablePath'].type, 'string');
        assert.equal(props['ubpdbg.executablePath'].default, 'ubpdbg');
        assert.equal(props['ubpdbg.server'].type, 'string');
        assert.equal(props['ubpdbg.server'].default, '');
        const re = new RegExp(props['ubpdbg.server'].pattern);
        for (const good of ['', '127.0.0.1:4711', 'localhost:1', '[::1]:4711', ':4711', '4711']) {
            assert.ok(re.test(good), `pattern rejects ${good}`);
        }
        for (const bad of ['localhost', 'a b:1', 'host:port']) {
            assert.ok(!re.test(bad), `pattern accepts ${bad}`);
        }
    });
});
