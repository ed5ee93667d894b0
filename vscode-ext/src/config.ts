// Logic of the extension that does not need the VS Code API: finding the
// ubpdbg executable, parsing the ubpdbg.server setting, filling defaults into a
// debug configuration and checking it. Everything here is unit-tested under
// plain Node (test/config.test.ts); src/extension.ts only wires it to VS Code.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const DEBUG_TYPE = 'ubpdbg';
export const DEFAULT_EXECUTABLE = 'ubpdbg';
export const STOP_MODES = ['thread', 'all'] as const;
export type StopMode = (typeof STOP_MODES)[number];

/** A result that is either a value or a message for the user. */
export type Result<T> = { ok: true; value: T } | { ok: false; message: string };

function ok<T>(value: T): Result<T> {
    return { ok: true, value };
}

function fail<T>(message: string): Result<T> {
    return { ok: false, message };
}

/** The file system questions this module asks; tests substitute their own. */
export interface FileProbe {
    /** 'file', 'dir', 'other', or undefined if nothing is there. Follows symlinks. */
    kind(p: string): 'file' | 'dir' | 'other' | undefined;
    /** Whether the current user may execute p. */
    isExecutable(p: string): boolean;
}

export const nodeProbe: FileProbe = {
    kind(p: string) {
        try {
            const st = fs.statSync(p);
            return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
        } catch {
            return undefined;
        }
    },
    isExecutable(p: string) {
        try {
            fs.accessSync(p, fs.constants.X_OK);
            return true;
        } catch {
            return false;
        }
    },
};

const SETTING_HINT =
    'Install ubpdbg (go build -o ~/bin/ubpdbg ./cmd/ubpdbg in the ubpdbg repository) and put it in PATH, ' +
    'or set "ubpdbg.executablePath" in your settings to the absolute path of the ubpdbg binary.';

export interface ResolveOptions {
    /** PATH to search when the setting is a bare name; default process.env.PATH. */
    pathEnv?: string;
    /** Directory against which a relative path setting is resolved (the workspace folder). */
    baseDir?: string;
    /** Home directory for a leading ~; default os.homedir(). */
    homeDir?: string;
    probe?: FileProbe;
}

/**
 * Finds the ubpdbg executable named by the ubpdbg.executablePath setting.
 * A bare name ("ubpdbg") is looked up in PATH like a shell would; a name with
 * a slash is a path (a leading ~ is the home directory, a relative path is
 * taken from baseDir). The result is an absolute path to an executable
 * regular file, or a message that says what is wrong and how to fix it.
 */
export function resolveExecutable(setting: string | undefined, opts: ResolveOptions = {}): Result<string> {
    const probe = opts.probe ?? nodeProbe;
    let name = (setting ?? '').trim();
    if (name === '') {
        name = DEFAULT_EXECUTABLE;
    }
    if (name === '~' || name.startsWith('~/')) {
        name = path.join(opts.homeDir ?? os.homedir(), name.slice(1));
    }
    if (name.includes('/')) {
        const abs = path.resolve(opts.baseDir ?? process.cwd(), name);
        const problem = executableProblem(abs, probe);
        if (problem !== undefined) {
            return fail(`ubpdbg.executablePath is "${setting}", but ${problem}. ${SETTING_HINT}`);
        }
        return ok(abs);
    }
    const pathEnv = opts.pathEnv ?? process.env.PATH ?? '';
    // Empty PATH entries mean the current directory to a shell; we skip them:
    // the editor's current directory is no place to pick up a debugger from.
    const dirs = pathEnv.split(path.delimiter).filter((d) => d !== '');
    for (const dir of dirs) {
        const candidate = path.resolve(dir, name);
        if (executableProblem(candidate, probe) === undefined) {
            return ok(candidate);
        }
    }
    const where = dirs.length === 0 ? 'PATH is empty' : `not in any directory of PATH (${dirs.join(path.delimiter)})`;
    return fail(`The ubpdbg debug adapter "${name}" was not found: ${where}. ${SETTING_HINT}`);
}

/** Why abs is not a usable executable, or undefined if it is one. */
function executableProblem(abs: string, probe: FileProbe): string | undefined {
    const kind = probe.kind(abs);
    if (kind === undefined) {
        return `${abs} does not exist`;
    }
    if (kind !== 'file') {
        return `${abs} is ${kind === 'dir' ? 'a directory' : 'not a regular file'}`;
    }
    if (!probe.isExecutable(abs)) {
        return `${abs} is not executable (chmod +x it)`;
    }
    return undefined;
}

export interface ServerAddress {
    host: string;
    port: number;
}

/**
 * Parses the ubpdbg.server setting: "host:port", "[ipv6]:port", ":port" or
 * "port" (the last two mean 127.0.0.1). An empty setting is ok(undefined):
 * the extension then starts its own `ubpdbg dap`.
 */
export function parseServerAddress(setting: string | undefined): Result<ServerAddress | undefined> {
    const s = (setting ?? '').trim();
    if (s === '') {
        return ok(undefined);
    }
    let host: string;
    let portText: string;
    const bracketed = /^\[([^\]]+)\]:(.*)$/.exec(s);
    if (bracketed) {
        host = bracketed[1];
        portText = bracketed[2];
    } else if (/^\d+$/.test(s)) {
        host = '';
        portText = s;
    } else {
        const colon = s.lastIndexOf(':');
        if (colon < 0) {
            return fail(`ubpdbg.server is "${s}": expected host:port (for example 127.0.0.1:4711), as printed by \`ubpdbg dap --listen\`.`);
        }
        host = s.slice(0, colon);
        portText = s.slice(colon + 1);
        if (host.includes(':')) {
            return fail(`ubpdbg.server is "${s}": write an IPv6 host in brackets, like [::1]:4711.`);
        }
    }
    if (!/^\d+$/.test(portText)) {
        return fail(`ubpdbg.server is "${s}": the port "${portText}" is not a number.`);
    }
    const port = Number(portText);
    if (port < 1 || port > 65535) {
        return fail(`ubpdbg.server is "${s}": the port ${port} is out of range 1-65535.`);
    }
    return ok({ host: host === '' ? '127.0.0.1' : host, port });
}

/** The fields of a ubpdbg debug configuration (launch.json) that we know. */
export interface UbpdbgConfiguration {
    type: string;
    request: string;
    name: string;
    program?: string;
    args?: string[];
    cwd?: string;
    /** Variables for the program; null removes one from the inherited environment. */
    env?: Record<string, string | null>;
    stopOnEntry?: boolean;
    stopMode?: StopMode;
    processId?: number | string;
    [key: string]: unknown;
}

/**
 * The launch configuration to use when F5 is pressed without a launch.json,
 * guessed from the active editor's file; undefined if its language is not one
 * we debug. C, C++ and Rust: the file name without extension, next to the file
 * (what `gcc -g foo.c -o foo` makes). Go: the package directory's name inside
 * it (what `go build` makes there).
 */
export function defaultLaunchForFile(languageId: string, filePath: string): UbpdbgConfiguration | undefined {
    const dir = path.dirname(filePath);
    let program: string;
    switch (languageId) {
        case 'c':
        case 'cpp':
        case 'rust':
            program = path.join(dir, path.basename(filePath, path.extname(filePath)));
            break;
        case 'go':
            program = path.join(dir, path.basename(dir));
            break;
        default:
            return undefined;
    }
    return {
        type: DEBUG_TYPE,
        request: 'launch',
        name: `ubpdbg: ${path.basename(program)}`,
        program,
        args: [],
        cwd: dir,
        stopMode: 'thread',
    };
}

/**
 * Fills the defaults that do not need variables substituted. Does not check
 * anything (that comes after VS Code has substituted ${...}): see
 * validateConfiguration. folderPath is the workspace folder, the default cwd
 * of a launch (otherwise the program would inherit whatever directory the
 * adapter was started in).
 */
export function withDefaults(config: UbpdbgConfiguration, folderPath?: string): UbpdbgConfiguration {
    const out: UbpdbgConfiguration = { ...config };
    if (out.stopMode === undefined) {
        out.stopMode = 'thread';
    }
    if (out.request === 'launch' && out.cwd === undefined && folderPath !== undefined) {
        out.cwd = folderPath;
    }
    if (out.request === 'attach' && out.processId === undefined) {
        out.processId = '${command:pickProcess}';
    }
    return out;
}

export interface ValidateOptions {
    probe?: FileProbe;
    /** Directory under which /proc is mounted; tests substitute their own. */
    procRoot?: string;
}

/**
 * Checks a configuration whose ${...} variables VS Code has already
 * substituted, and normalises it (processId becomes a number). Fails with a
 * message that names the attribute and says what to write instead.
 */
export function validateConfiguration(config: UbpdbgConfiguration, opts: ValidateOptions = {}): Result<UbpdbgConfiguration> {
    const probe = opts.probe ?? nodeProbe;
    const out: UbpdbgConfiguration = { ...config };
    const where = config.name ? `Debug configuration "${config.name}"` : 'The debug configuration';

    if (out.request !== 'launch' && out.request !== 'attach') {
        return fail(`${where}: "request" must be "launch" or "attach", not ${JSON.stringify(out.request)}.`);
    }
    if (out.stopMode !== undefined && !(STOP_MODES as readonly unknown[]).includes(out.stopMode)) {
        return fail(`${where}: "stopMode" must be "thread" (only the thread that stops is stopped; the default) or "all" (every thread stops), not ${JSON.stringify(out.stopMode)}.`);
    }

    if (out.request === 'attach') {
        const pid = parseProcessId(out.processId);
        if (!pid.ok) {
            return fail(`${where}: ${pid.message}`);
        }
        const procDir = path.join(opts.procRoot ?? '/proc', String(pid.value));
        if (probe.kind(procDir) !== 'dir') {
            return fail(`${where}: there is no process with id ${pid.value} ("processId").`);
        }
        out.processId = pid.value;
        return ok(out);
    }

    // launch
    if (typeof out.program !== 'string' || out.program.trim() === '') {
        return fail(`${where}: "program" is required for a launch: the path of the executable to debug, built with debug info (gcc/clang -g; go build -gcflags=all="-N -l"). For example "program": "\${workspaceFolder}/a.out".`);
    }
    if (path.isAbsolute(out.program)) {
        const kind = probe.kind(out.program);
        if (kind === undefined) {
            return fail(`${where}: "program" ${out.program} does not exist. Build it first (with -g), or fix the path.`);
        }
        if (kind !== 'file') {
            return fail(`${where}: "program" ${out.program} is ${kind === 'dir' ? 'a directory' : 'not a regular file'}; name the executable itself.`);
        }
        if (!probe.isExecutable(out.program)) {
            return fail(`${where}: "program" ${out.program} is not executable.`);
        }
    }
    if (out.args !== undefined && !(Array.isArray(out.args) && out.args.every((a) => typeof a === 'string'))) {
        return fail(`${where}: "args" must be an array of strings, like ["--verbose", "input.txt"].`);
    }
    if (out.cwd !== undefined) {
        if (typeof out.cwd !== 'string') {
            return fail(`${where}: "cwd" must be a string (a directory).`);
        }
        if (path.isAbsolute(out.cwd) && probe.kind(out.cwd) !== 'dir') {
            return fail(`${where}: "cwd" ${out.cwd} is not a directory.`);
        }
    }
    if (out.env !== undefined) {
        if (typeof out.env !== 'object' || out.env === null || Array.isArray(out.env)) {
            return fail(`${where}: "env" must be an object of names to string values, like {"GOMAXPROCS": "2"}.`);
        }
        for (const [k, v] of Object.entries(out.env)) {
            if (typeof v !== 'string' && v !== null) {
                return fail(`${where}: "env" value of ${k} must be a string (or null to remove the variable), not ${JSON.stringify(v)}.`);
            }
        }
    }
    if (out.stopOnEntry !== undefined && typeof out.stopOnEntry !== 'boolean') {
        return fail(`${where}: "stopOnEntry" must be true or false.`);
    }
    return ok(out);
}

/** A processId from launch.json: a positive integer, or its decimal text (what the process picker returns). */
export function parseProcessId(value: unknown): Result<number> {
    if (value === undefined || value === null || value === '') {
        return fail('"processId" is required for an attach: the id of the process to attach to, or "${command:pickProcess}" to choose one from a list.');
    }
    if (typeof value === 'string' && value.includes('${')) {
        return fail(`"processId" is ${JSON.stringify(value)}, a variable that was not substituted.`);
    }
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n <= 0) {
        return fail(`"processId" must be a positive integer process id, not ${JSON.stringify(value)}.`);
    }
    return ok(n);
}

/** ubpdbg debugs Linux x86-64 programs; a message if this host cannot run the adapter itself. */
export function platformProblem(platform: string, arch: string): string | undefined {
    if (platform === 'linux' && arch === 'x64') {
        return undefined;
    }
    return `ubpdbg debugs Linux x86-64 programs and runs only there (this is ${platform}/${arch}). Use VS Code Remote on a Linux x86-64 machine, or set "ubpdbg.server" to a \`ubpdbg dap --listen\` server running on one.`;
}
