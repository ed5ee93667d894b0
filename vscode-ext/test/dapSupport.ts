// Helpers of the DAP tests (test/dap.test.ts): building the adapter and the
// debuggees, one debug session over a real `ubpdbg dap`, and an event log that
// loses no event (DebugClient.waitForEvent only sees events that arrive after
// it is called, and in non-stop mode two stopped events can arrive together).

import * as assert from 'assert/strict';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { extensionRoot, fixturesDir } from './paths';

/** How long to wait for one event or one response. Generous: CI machines are small. */
export const EVENT_TIMEOUT = 20_000;

// ---------------------------------------------------------------------------
// Building

export interface Artifacts {
    dir: string;
    /** The ubpdbg binary under test. */
    ubpdbg: string;
    /** test/fixtures/mt.c compiled with gcc -g -O0 -pthread. */
    mt: string;
    mtSource: string;
    /** test/fixtures/gomain built with -gcflags=all=-N -l. */
    gomain: string;
    gomainSource: string;
}

let artifacts: Promise<Artifacts> | undefined;

/** Builds (once per test process) what the DAP tests need; fails with a message that says what is missing. */
export function buildArtifacts(): Promise<Artifacts> {
    artifacts ??= build();
    return artifacts;
}

function run(cmd: string, args: string[], cwd: string, what: string): void {
    const r = cp.spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000 });
    if (r.error) {
        throw new Error(`${what}: cannot run ${cmd}: ${r.error.message}`);
    }
    if (r.status !== 0) {
        throw new Error(`${what} failed (${cmd} ${args.join(' ')} in ${cwd}, exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
    }
}

async function build(): Promise<Artifacts> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ubpdbg-dap-'));
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    const root = extensionRoot();

    let ubpdbg = process.env.UBPDBG_BIN ?? '';
    if (ubpdbg !== '') {
        if (!path.isAbsolute(ubpdbg)) {
            throw new Error(`UBPDBG_BIN must be an absolute path, not "${ubpdbg}".`);
        }
        try {
            fs.accessSync(ubpdbg, fs.constants.X_OK);
        } catch {
            throw new Error(`UBPDBG_BIN is ${ubpdbg}, which is not an executable file.`);
        }
    } else {
        const cmdDir = path.resolve(root, '..', 'cmd', 'ubpdbg');
        if (!fs.existsSync(cmdDir)) {
            throw new Error(
                `The DAP tests need the ubpdbg debug adapter, but ${cmdDir} does not exist (yet), so there is nothing to build. ` +
                    'Write cmd/ubpdbg first, or set UBPDBG_BIN to the absolute path of a built ubpdbg binary. ' +
                    'These tests do not pass without an adapter.',
            );
        }
        ubpdbg = path.join(dir, 'ubpdbg');
        run('go', ['build', '-o', ubpdbg, '../cmd/ubpdbg'], root, 'building the adapter (go build ../cmd/ubpdbg)');
    }

    const mtSource = path.join(fixturesDir(), 'mt.c');
    const mt = path.join(dir, 'mt');
    run('gcc', ['-g', '-O0', '-pthread', '-o', mt, mtSource], dir, 'compiling test/fixtures/mt.c');

    const goDir = path.join(fixturesDir(), 'gomain');
    const gomain = path.join(dir, 'gomain');
    run('go', ['build', '-gcflags=all=-N -l', '-o', gomain, '.'], goDir, 'building test/fixtures/gomain');

    return { dir, ubpdbg, mt, mtSource, gomain, gomainSource: path.join(goDir, 'main.go') };
}

/** The 1-based line of the one line in file that ends with the comment marker BP:name. */
export function lineOf(file: string, name: string): number {
    const re = new RegExp(`(/\\*|//)\\s*BP:${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*(\\*/)?\\s*$`);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const hits = lines.flatMap((l, i) => (re.test(l) ? [i + 1] : []));
    if (hits.length !== 1) {
        throw new Error(`${file}: expected one line marked BP:${name}, found ${hits.length}`);
    }
    return hits[0];
}

// ---------------------------------------------------------------------------
// Events

type Event = DebugProtocol.Event;

/** Every event of a session, in order, and a way to wait for the next one that matches. */
export class EventLog {
    readonly all: Event[] = [];
    private unconsumed: Event[] = [];
    private waiters: { type: string; pred: (e: Event) => boolean; resolve: (e: Event) => void; reject: (err: Error) => void }[] = [];
    private aborted?: Error;

    constructor(emitter: NodeJS.EventEmitter) {
        for (const type of ['initialized', 'stopped', 'continued', 'exited', 'terminated', 'thread', 'output', 'breakpoint', 'module', 'loadedSource', 'process', 'capabilities', 'invalidated', 'memory', 'progressStart', 'progressUpdate', 'progressEnd']) {
            emitter.on(type, (e: Event) => this.add(e));
        }
    }

    private add(e: Event): void {
        this.all.push(e);
        const i = this.waiters.findIndex((w) => w.type === e.event && w.pred(e));
        if (i >= 0) {
            const [w] = this.waiters.splice(i, 1);
            w.resolve(e);
            return;
        }
        this.unconsumed.push(e);
    }

    /**
     * The first event of this type that matches pred and was not returned by
     * next before, waiting up to timeout ms for it.
     */
    next<T extends Event = Event>(type: string, pred: (e: T) => boolean = () => true, what = '', timeout = EVENT_TIMEOUT): Promise<T> {
        const i = this.unconsumed.findIndex((e) => e.event === type && pred(e as T));
        if (i >= 0) {
            return Promise.resolve(this.unconsumed.splice(i, 1)[0] as T);
        }
        if (this.aborted) {
            return Promise.reject(new Error(`no '${type}' event${what ? ` (${what})` : ''}: ${this.aborted.message}`));
        }
        return new Promise<T>((resolve, reject) => {
            const waiter = {
                type,
                pred: (e: Event) => pred(e as T),
                resolve: (e: Event) => {
                    clearTimeout(timer);
                    resolve(e as T);
                },
                reject: (err: Error) => {
                    clearTimeout(timer);
                    reject(new Error(`no '${type}' event${what ? ` (${what})` : ''}: ${err.message}`));
                },
            };
            const timer = setTimeout(() => {
                this.waiters = this.waiters.filter((w) => w !== waiter);
                const seen = this.all.filter((e) => e.event === type).slice(-5);
                reject(new Error(`no '${type}' event${what ? ` (${what})` : ''} within ${timeout} ms; the last ones were: ${JSON.stringify(seen.map((e) => e.body))}`));
            }, timeout);
            this.waiters.push(waiter);
        });
    }

    /** No more events will come (the adapter is gone): fail every wait that has nothing to return. */
    abort(err: Error): void {
        if (this.aborted) {
            return;
        }
        this.aborted = err;
        const waiters = this.waiters;
        this.waiters = [];
        for (const w of waiters) {
            w.reject(err);
        }
    }

    /** Every event of this type received so far that matches pred, consumed or not. */
    seen<T extends Event = Event>(type: string, pred: (e: T) => boolean = () => true): T[] {
        return this.all.filter((e) => e.event === type && pred(e as T)) as T[];
    }
}

// ---------------------------------------------------------------------------
// Sessions

/** DebugClient over a process or socket that we set up ourselves, so that we keep the adapter's stderr and our own timeouts. */
class AdapterClient extends DebugClient {
    use(readable: NodeJS.ReadableStream, writable: NodeJS.WritableStream): void {
        this.connect(readable as never, writable as never);
    }
}

export function within<T>(p: Promise<T>, what: string, ms = EVENT_TIMEOUT): Promise<T> {
    let timer: NodeJS.Timeout;
    return Promise.race([
        p.finally(() => clearTimeout(timer)),
        new Promise<T>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`${what}: no response within ${ms} ms`)), ms);
        }),
    ]);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Vars {
    /** name -> value, of every non-expensive scope of the frame except registers and globals. */
    values: Map<string, string>;
    scopes: string[];
}

export class Session {
    readonly dc: AdapterClient;
    readonly events: EventLog;
    capabilities: DebugProtocol.Capabilities = {};
    private adapter?: cp.ChildProcess;
    private socket?: net.Socket;
    private stderr = '';
    private disconnected = false;
    private closing = false;
    /** Rejects when the adapter process or connection goes away before close(). */
    private readonly gone: Promise<never>;
    private markGone: (why: string) => void = () => {};
    /** Processes to kill in close() if they are still there. */
    readonly debuggeePids: number[] = [];

    private constructor() {
        this.dc = new AdapterClient('unused', 'unused', 'ubpdbg');
        this.dc.defaultTimeout = EVENT_TIMEOUT; // for DebugClient's own waitForEvent and assertStoppedLocation
        this.events = new EventLog(this.dc);
        this.gone = new Promise<never>((_, reject) => {
            this.markGone = (why: string) => {
                if (!this.closing) {
                    const err = new Error(why);
                    this.events.abort(err);
                    reject(err);
                }
            };
        });
        this.gone.catch(() => {}); // observed through req() and the event log
    }

    /** A request's response, failing after a time-out or as soon as the adapter is gone. */
    req<T>(p: Promise<T>, what: string, ms = EVENT_TIMEOUT): Promise<T> {
        return Promise.race([within(p, what, ms), this.gone.catch((err: Error) => Promise.reject(new Error(`${what}: ${err.message}`)))]);
    }

    /** `ubpdbg dap` on stdin/stdout, as VS Code's DebugAdapterExecutable runs it. */
    static stdio(ubpdbg: string): Session {
        const s = new Session();
        const child = cp.spawn(ubpdbg, ['dap'], { stdio: ['pipe', 'pipe', 'pipe'] });
        s.adapter = child;
        child.stderr!.on('data', (d: Buffer) => {
            s.stderr = (s.stderr + d.toString()).slice(-8000);
        });
        child.on('error', (err) => {
            s.markGone(`cannot run ${ubpdbg} dap: ${err.message}`);
        });
        child.on('exit', (code, signal) => {
            s.markGone(`ubpdbg dap exited (${signal ?? `exit code ${code}`})`);
        });
        child.stdin!.on('error', (err) => {
            s.markGone(`writing to ubpdbg dap: ${err.message}`);
        });
        s.dc.use(child.stdout!, child.stdin!);
        return s;
    }

    /** A client connected to a `ubpdbg dap --listen` server, as VS Code's DebugAdapterServer does. */
    static async tcp(host: string, port: number): Promise<Session> {
        const s = new Session();
        const socket = net.createConnection({ host, port });
        await within(
            new Promise<void>((resolve, reject) => {
                socket.once('connect', () => resolve());
                socket.once('error', reject);
            }),
            `connecting to ${host}:${port}`,
        );
        s.socket = socket;
        socket.on('error', (err) => s.markGone(`connection to ${host}:${port}: ${err.message}`));
        socket.on('close', () => s.markGone(`the server at ${host}:${port} closed the connection`));
        s.dc.use(socket, socket);
        return s;
    }

    /** What the adapter wrote on stderr lately, for failure messages. */
    get adapterStderr(): string {
        return this.stderr;
    }

    async initialize(): Promise<DebugProtocol.Capabilities> {
        const r = await this.req(
            this.dc.initializeRequest({
                clientID: 'ubpdbg-tests',
                clientName: 'ubpdbg DAP tests',
                adapterID: 'ubpdbg',
                pathFormat: 'path',
                linesStartAt1: true,
                columnsStartAt1: true,
                supportsVariableType: true,
                supportsRunInTerminalRequest: false,
            }),
            'initialize',
        );
        this.capabilities = r.body ?? {};
        return this.capabilities;
    }

    /**
     * initialize, launch or attach, then configure (set breakpoints) after the
     * 'initialized' event, configurationDone, and the launch/attach response:
     * the order VS Code uses.
     */
    async start(request: 'launch' | 'attach', args: Record<string, unknown>, configure: () => Promise<void> = async () => {}): Promise<void> {
        await this.initialize();
        const started = request === 'launch' ? this.dc.launchRequest(args as DebugProtocol.LaunchRequestArguments) : this.dc.attachRequest(args as DebugProtocol.AttachRequestArguments);
        started.catch(() => {}); // awaited below; a failure must not be an unhandled rejection meanwhile
        // If the launch fails, it fails before 'initialized'; report its message rather than a time-out.
        await Promise.race([this.events.next('initialized', () => true, `after ${request}`), this.req(started, request).then(() => new Promise<never>(() => {}))]);
        await configure();
        if (this.capabilities.supportsConfigurationDoneRequest) {
            await this.req(this.dc.configurationDoneRequest(), 'configurationDone');
        }
        await this.req(started, request);
    }

    async setBreakpoints(source: string, bps: DebugProtocol.SourceBreakpoint[]): Promise<DebugProtocol.Breakpoint[]> {
        const r = await this.req(this.dc.setBreakpointsRequest({ source: { path: source }, breakpoints: bps, lines: bps.map((b) => b.line) }), 'setBreakpoints');
        const got = r.body.breakpoints;
        assert.equal(got.length, bps.length, 'setBreakpoints must answer one breakpoint per requested one');
        got.forEach((b, i) => {
            assert.equal(b.verified, true, `breakpoint at ${path.basename(source)}:${bps[i].line} not verified: ${b.message ?? ''}`);
            if (b.line !== undefined) {
                assert.equal(b.line, bps[i].line, `breakpoint at line ${bps[i].line} moved to ${b.line}`);
            }
        });
        return got;
    }

    async stack(threadId: number): Promise<DebugProtocol.StackFrame[]> {
        const r = await this.req(this.dc.stackTraceRequest({ threadId, startFrame: 0, levels: 20 }), `stackTrace of thread ${threadId}`);
        assert.ok(r.body.stackFrames.length >= 1, `thread ${threadId} has no stack frames`);
        return r.body.stackFrames;
    }

    async top(threadId: number): Promise<DebugProtocol.StackFrame> {
        return (await this.stack(threadId))[0];
    }

    async vars(frameId: number): Promise<Vars> {
        const scopes = (await this.req(this.dc.scopesRequest({ frameId }), 'scopes')).body.scopes;
        const values = new Map<string, string>();
        for (const sc of scopes) {
            if (sc.expensive || /regist|global/i.test(sc.name)) {
                continue;
            }
            const vs = (await this.req(this.dc.variablesRequest({ variablesReference: sc.variablesReference }), `variables of ${sc.name}`)).body.variables;
            for (const v of vs) {
                if (!values.has(v.name)) {
                    values.set(v.name, v.value);
                }
            }
        }
        return { values, scopes: scopes.map((s) => s.name) };
    }

    async threads(): Promise<DebugProtocol.Thread[]> {
        return (await this.req(this.dc.threadsRequest(), 'threads')).body.threads;
    }

    async evaluate(expression: string, frameId: number): Promise<string> {
        return (await this.req(this.dc.evaluateRequest({ expression, frameId, context: 'watch' }), `evaluate ${expression}`)).body.result;
    }

    async continueThread(threadId: number, singleThread: boolean): Promise<DebugProtocol.ContinueResponse> {
        return this.req(this.dc.continueRequest({ threadId, singleThread }), `continue thread ${threadId}`);
    }

    async disconnect(terminateDebuggee: boolean): Promise<void> {
        this.disconnected = true;
        await this.req(this.dc.disconnectRequest({ terminateDebuggee, restart: false }), 'disconnect');
    }

    /** Ends everything this session started, whatever state it is in. Never throws. */
    async close(): Promise<void> {
        if (!this.disconnected && !this.closing) {
            try {
                await this.req(this.dc.disconnectRequest({ terminateDebuggee: true }), 'disconnect', 3000);
            } catch {
                // the adapter is gone or stuck
            }
        }
        this.closing = true;
        if (this.adapter && this.adapter.exitCode === null && this.adapter.signalCode === null) {
            const exited = new Promise((r) => this.adapter!.once('exit', r));
            this.adapter.kill('SIGTERM');
            if ((await Promise.race([exited.then(() => true), sleep(2000).then(() => false)])) === false) {
                this.adapter.kill('SIGKILL');
            }
        }
        this.socket?.destroy();
        for (const pid of this.debuggeePids) {
            if (isAlive(pid)) {
                try {
                    process.kill(pid, 'SIGKILL');
                } catch {
                    // gone meanwhile
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Processes

/** Whether pid names a process that has not exited (a zombie counts as exited). */
export function isAlive(pid: number): boolean {
    let stat: string;
    try {
        stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
        return false;
    }
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
}

/** A field of /proc/PID/status, like "TracerPid" or "State". */
export function procStatus(pid: number, field: string): string | undefined {
    try {
        const m = new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
        return m?.[1];
    } catch {
        return undefined;
    }
}

export async function waitFor(cond: () => boolean, what: string, ms = EVENT_TIMEOUT): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
        if (Date.now() > end) {
            throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        }
        await sleep(50);
    }
}

/** Reads a pid that a debuggee wrote to its pid file, waiting for the file. */
export async function readPidFile(file: string): Promise<number> {
    await waitFor(() => fs.existsSync(file) && /^\d+\n/.test(fs.readFileSync(file, 'utf8')), `pid file ${file}`);
    return Number(fs.readFileSync(file, 'utf8').trim());
}

// ---------------------------------------------------------------------------
// Assertions

/** The same file, whether the adapter reports it through a symlink or not. */
export function assertSamePath(actual: string | undefined, expected: string, what: string): void {
    assert.ok(actual, `${what}: no source path`);
    const real = (p: string) => (fs.existsSync(p) ? fs.realpathSync(p) : path.resolve(p));
    assert.equal(real(actual), real(expected), `${what}: source path`);
}

/** A variable's value is this integer (the value may go on after a blank, like "42 (0x2a)"). */
export function assertInt(vars: Vars, name: string, expected: number): void {
    const v = vars.values.get(name);
    assert.ok(v !== undefined, `no variable "${name}" among ${JSON.stringify([...vars.values.keys()])} (scopes ${vars.scopes.join(', ')})`);
    assert.match(v, new RegExp(`^${expected}(?![\\d.])`), `variable ${name}`);
}

export function intOf(vars: Vars, name: string): number {
    const v = vars.values.get(name);
    assert.ok(v !== undefined, `no variable "${name}" among ${JSON.stringify([...vars.values.keys()])}`);
    const m = /^-?\d+/.exec(v);
    assert.ok(m, `variable ${name} = ${v} is not an integer`);
    return Number(m[0]);
}

/** stopMode "thread": the stopped event must say that the other threads did not stop. */
// DAP: "If the attribute is missing or false, only the thread with the given
// threadId can be expanded", so missing counts as false here (go-dap omits a
// false allThreadsStopped). For the continue response it is the other way
// round (missing means all continued), so the tests check that one strictly.
export function assertNonStop(e: DebugProtocol.StoppedEvent): void {
    assert.notEqual(e.body.allThreadsStopped, true, `stopped event of thread ${e.body.threadId} in stopMode "thread" must not say allThreadsStopped: true, got ${JSON.stringify(e.body)}`);
}
