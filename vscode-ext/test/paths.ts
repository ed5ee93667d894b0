// Where things are, for the tests, wherever tsc put the compiled test files.

import * as fs from 'fs';
import * as path from 'path';

/** The vscode-ext directory: the nearest parent of this file with our package.json. */
export function extensionRoot(): string {
    let dir = __dirname;
    for (;;) {
        const pkg = path.join(dir, 'package.json');
        if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'ubpdbg') {
            return dir;
        }
        const parent = path.dirname(dir);
        if (parent === dir) {
            throw new Error(`no ubpdbg package.json above ${__dirname}`);
        }
        dir = parent;
    }
}

/** test/fixtures in the source tree (the fixtures are not compiled). */
export function fixturesDir(): string {
    return path.join(extensionRoot(), 'test', 'fixtures');
}
