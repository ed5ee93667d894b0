// The processes that can be attached to, read from /proc, for the
// "${command:pickProcess}" picker. No VS Code API here: unit-tested in
// test/processes.test.ts.

import * as fs from 'fs';
import * as path from 'path';

export interface ProcessInfo {
    pid: number;
    /** The short name (comm), like "mt" or "gomain". */
    name: string;
    /** The command line, arguments separated by spaces. */
    commandLine: string;
    /** The real user id of the process owner, or -1 if unknown. */
    uid: number;
}

/**
 * Lists the processes under procRoot, newest (highest pid) first. Kernel
 * threads (no command line) and processes that exit while we read are left
 * out, and so is the process with id `exclude` (the editor itself).
 */
export function listProcesses(procRoot = '/proc', exclude: number = process.pid): ProcessInfo[] {
    let entries: string[];
    try {
        entries = fs.readdirSync(procRoot);
    } catch {
        return [];
    }
    const out: ProcessInfo[] = [];
    for (const entry of entries) {
        if (!/^\d+$/.test(entry)) {
            continue;
        }
        const pid = Number(entry);
        if (pid === exclude) {
            continue;
        }
        const dir = path.join(procRoot, entry);
        const cmdline = readText(path.join(dir, 'cmdline'));
        if (cmdline === undefined || cmdline === '') {
            continue; // gone, or a kernel thread
        }
        const name = (readText(path.join(dir, 'comm')) ?? '').trim();
        out.push({
            pid,
            name: name !== '' ? name : path.basename(cmdline.split('\0')[0]),
            commandLine: cmdline.replace(/\0+$/, '').split('\0').join(' '),
            uid: parseUid(readText(path.join(dir, 'status'))),
        });
    }
    out.sort((a, b) => b.pid - a.pid);
    return out;
}

function readText(p: string): string | undefined {
    try {
        return fs.readFileSync(p, 'utf8');
    } catch {
        return undefined;
    }
}

/** The real uid from the "Uid:" line of /proc/PID/status. */
export function parseUid(status: string | undefined): number {
    const m = /^Uid:\s+(\d+)/m.exec(status ?? '');
    return m ? Number(m[1]) : -1;
}
