// Packaging test: `vsce package` must build a .vsix that VS Code can install,
// holding the manifest with the ubpdbg debugger and the compiled extension,
// and none of the sources, tests or node_modules. Run: npm run test:package

import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { describe, it, before, after } from 'node:test';
import { extensionRoot } from './paths';
import { zipEntries, zipRead, ZipEntry } from './zip';

describe('vsce package', () => {
    let dir = '';
    let vsix = '';
    let zip: Buffer;
    let entries: ZipEntry[] = [];

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ubpdbg-vsix-'));
        vsix = path.join(dir, 'ubpdbg-test.vsix');
        // stdin closed: vsce must not stop to ask anything (it asks when the manifest lacks repository or LICENSE).
        execFileSync('npx', ['@vscode/vsce', 'package', '--no-dependencies', '-o', vsix], {
            cwd: extensionRoot(),
            stdio: ['ignore', 'pipe', 'pipe'],
            timeout: 180_000,
        });
        zip = fs.readFileSync(vsix);
        entries = zipEntries(zip);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const names = () => entries.map((e) => e.name);
    const read = (name: string) => {
        const e = entries.find((x) => x.name === name);
        assert.ok(e, `${name} is not in the .vsix; it has: ${names().join(', ')}`);
        return zipRead(zip, e).toString('utf8');
    };

    it('has the VSIX manifest and extension/package.json naming the ubpdbg debugger', () => {
        assert.ok(names().includes('extension.vsixmanifest'));
        const pkg = JSON.parse(read('extension/package.json'));
        assert.equal(pkg.main, './out/extension.js');
        assert.ok(pkg.contributes.debuggers.some((d: { type: string }) => d.type === 'ubpdbg'));
        assert.match(read('extension.vsixmanifest'), /Identity[^>]*Id="ubpdbg"[^>]*Publisher="ubpdbg"/s);
    });

    it('has the compiled extension and its modules', () => {
        const js = read('extension/out/extension.js');
        assert.match(js, /registerDebugAdapterDescriptorFactory/);
        assert.match(js, /require\("\.\/config"\)/);
        assert.ok(names().includes('extension/out/config.js'));
        assert.ok(names().includes('extension/out/processes.js'));
    });

    it('has the README and the LICENSE', () => {
        assert.match(read('extension/readme.md'), /ubpdbg/);
        assert.match(read('extension/LICENSE.txt'), /MIT License[\s\S]*The ubpdbg authors/);
    });

    it('leaves out sources, tests, source maps and node_modules', () => {
        const unwanted = names().filter((n) => /^extension\/(src|test|uitest|node_modules|out\/test-build)\/|\.map$|\.ts$|tsconfig/.test(n));
        assert.deepEqual(unwanted, []);
    });
});
