// Unit tests of src/processes.ts on a fake /proc and on the real one. Run: npm run test:unit

import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, it, before, after } from 'node:test';
import { listProcesses, parseUid } from '../src/processes';

describe('listProcesses', () => {
    let root = '';
    before(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), 'ubpdbg-proc-'));
        const proc = (pid: string, files: Record<string, string>) => {
            fs.mkdirSync(path.join(root, pid));
            for (const [name, text] of Object.entries(files)) {
                fs.writeFileSync(path.join(root, pid, name), text);
            }
        };
        proc('1', { cmdline: '/sbin/init\0splash\0', comm: 'systemd\n', status: 'Name:\tsystemd\nUid:\t0\t0\t0\t0\n' });
        proc('2', { cmdline: '', comm: 'kthreadd\n', status: 'Uid:\t0\t0\t0\t0\n' }); // kernel thread
        proc('4321', { cmdline: './mt\x0030\0', comm: 'mt\n', status: 'Uid:\t1000\t1000\t1000\t1000\n' });
        proc('77', { cmdline: '/usr/bin/gomain\0', status: 'Uid:\t1000\t1000\t1000\t1000\n' }); // no comm
        proc('500', { cmdline: '/self\0', comm: 'self\n' });
        fs.mkdirSync(path.join(root, 'self-not-a-pid'));
        fs.writeFileSync(path.join(root, 'uptime'), '1 2\n');
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it('lists user processes newest first, without kernel threads or the excluded pid', () => {
        const list = listProcesses(root, 500);
        assert.deepEqual(list, [
            { pid: 4321, name: 'mt', commandLine: './mt 30', uid: 1000 },
            { pid: 77, name: 'gomain', commandLine: '/usr/bin/gomain', uid: 1000 },
            { pid: 1, name: 'systemd', commandLine: '/sbin/init splash', uid: 0 },
        ]);
    });

    it('is empty when the proc root cannot be read', () => {
        assert.deepEqual(listProcesses(path.join(root, 'missing')), []);
    });

    it('finds a real child process with its command line on /proc', async () => {
        const { spawn } = await import('child_process');
        const child = spawn('sleep', ['30'], { stdio: 'ignore' });
        try {
            await new Promise((r) => setTimeout(r, 100));
            const me = listProcesses('/proc', -1).find((p) => p.pid === child.pid);
            assert.ok(me, `pid ${child.pid} not listed`);
            assert.equal(me.name, 'sleep');
            assert.equal(me.commandLine, 'sleep 30');
            assert.equal(me.uid, process.getuid?.() ?? me.uid);
            assert.equal(listProcesses('/proc', child.pid ?? -1).some((p) => p.pid === child.pid), false);
        } finally {
            child.kill('SIGKILL');
        }
    });
});

describe('parseUid', () => {
    it('reads the real uid from a status file', () => {
        assert.equal(parseUid('Name:\tx\nUid:\t1000\t0\t0\t0\nGid:\t5\n'), 1000);
        assert.equal(parseUid('Name:\tx\n'), -1);
        assert.equal(parseUid(undefined), -1);
    });
});
