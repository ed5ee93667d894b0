// DAP tests: @vscode/debugadapter-testsupport's DebugClient drives the real
// `ubpdbg dap` on a multithreaded C program (test/fixtures/mt.c) and a Go
// program (test/fixtures/gomain), the way VS Code does.
//
// The adapter comes from $UBPDBG_BIN (an absolute path) or is built from
// ../cmd/ubpdbg; without either these tests FAIL, they do not skip.
// Run: npm run test:dap   (or UBPDBG_BIN=/abs/ubpdbg npm run test:dap)

import * as assert from 'assert/strict';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { describe, it } from 'node:test';
import { DebugProtocol } from '@vscode/debugprotocol';
import {
    Artifacts,
    assertInt,
    assertNonStop,
    assertSamePath,
    buildArtifacts,
    intOf,
    isAlive,
    lineOf,
    procStatus,
    readPidFile,
    Session,
    sleep,
    waitFor,
    within,
} from './dapSupport';

type Stopped = DebugProtocol.StoppedEvent;
type Output = DebugProtocol.OutputEvent;

/**
 * A DAP test: builds what the tests need first (once; the first test pays for
 * `go build`), so that without an adapter every test fails with the reason.
 */
function test(name: string, body: () => Promise<void>): void {
    it(name, { timeout: 300_000 }, async () => {
        a = await buildArtifacts();
        await body();
    });
}

let a: Artifacts;
let pidFiles = 0;

/** Runs body on a session and always closes it; a failure carries the adapter's stderr. */
async function withSession(open: () => Session | Promise<Session>, body: (s: Session) => Promise<void>): Promise<void> {
    const s = await open();
    try {
        await body(s);
    } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        if (s.adapterStderr.trim() !== '') {
            e.message += `\n--- ubpdbg stderr (last lines) ---\n${s.adapterStderr.trim().split('\n').slice(-30).join('\n')}`;
        }
        throw e;
    } finally {
        await s.close();
    }
}

/** A fresh pid file path; the debuggees write their pid there (MT_PIDFILE / GOMAIN_PIDFILE). */
function newPidFile(): string {
    return path.join(a.dir, `debuggee-${process.pid}-${++pidFiles}.pid`);
}

function mtLaunch(pidFile: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        name: 'mt',
        type: 'ubpdbg',
        request: 'launch',
        program: a.mt,
        args: ['60'],
        cwd: a.dir,
        env: { MT_PIDFILE: pidFile },
        stopOnEntry: false,
        stopMode: 'thread',
        ...extra,
    };
}

async function stoppedAt(s: Session, e: Stopped, source: string, line: number, reason = 'breakpoint'): Promise<DebugProtocol.StackFrame> {
    assert.equal(e.body.reason, reason, `stopped reason: ${JSON.stringify(e.body)}`);
    assert.equal(typeof e.body.threadId, 'number', 'stopped event without threadId');
    const top = await s.top(e.body.threadId!);
    assertSamePath(top.source?.path, source, `thread ${e.body.threadId} stopped`);
    assert.equal(top.line, line, `thread ${e.body.threadId} stopped at line ${top.line} (${top.name}), expected ${line}`);
    return top;
}

async function assertTerminated(pidFile: string): Promise<void> {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    await waitFor(() => !isAlive(pid), `debuggee ${pid} to be gone after disconnect with terminateDebuggee: true`, 10_000);
}

describe('ubpdbg dap: C program with named threads (test/fixtures/mt.c)', () => {
    test('advertises the requests the extension relies on', async () => {
        await withSession(() => Session.stdio(a.ubpdbg), async (s) => {
            const caps = await s.initialize();
            assert.equal(caps.supportsConfigurationDoneRequest, true, 'supportsConfigurationDoneRequest');
            assert.equal(caps.supportsSingleThreadExecutionRequests, true, 'supportsSingleThreadExecutionRequests (non-stop continue/step of one thread)');
            assert.equal(caps.supportsConditionalBreakpoints, true, 'supportsConditionalBreakpoints');
            assert.equal(caps.supportsHitConditionalBreakpoints, true, 'supportsHitConditionalBreakpoints');
            assert.equal(caps.supportsLogPoints, true, 'supportsLogPoints');
            assert.equal(caps.supportsFunctionBreakpoints, true, 'supportsFunctionBreakpoints');
            assert.equal(caps.supportTerminateDebuggee, true, 'supportTerminateDebuggee');
        });
    });

    test('runs to the end: args, env and cwd reach the program; exited and terminated events', async () => {
        await withSession(() => Session.stdio(a.ubpdbg), async (s) => {
            const pidName = `relative-${process.pid}.pid`;
            fs.rmSync(path.join(a.dir, pidName), { force: true });
            // args ["1"]: the program ends after one second (without it, 60 s: the wait below would time out).
            // MT_PIDFILE is relative, so the pid file appears in cwd.
            await s.start('launch', mtLaunch(pidName, { args: ['1'] }));
            const exited = await s.events.next<DebugProtocol.ExitedEvent>('exited', () => true, 'the program ends after 1 s');
            assert.equal(exited.body.exitCode, 0);
            await s.events.next('terminated');
            assert.match(fs.readFileSync(path.join(a.dir, pidName), 'utf8'), /^\d+\n$/, 'env MT_PIDFILE (relative to cwd)');
            assert.equal(s.events.seen('stopped').length, 0, 'no breakpoints, no stops');
        });
    });

    test('stops at a line breakpoint: location, threads, stack, variables, evaluate; disconnect terminates', async () => {
        await withSession(() => Session.stdio(a.ubpdbg), async (s) => {
            const A = lineOf(a.mtSource, 'a');
            const pidFile = newPidFile();
            // DebugClient's own assertion; safe here because only one thread can hit BP:a.
            const located = s.dc.assertStoppedLocation('breakpoint', { path: a.mtSource, line: A });
            located.catch(() => {});
            await s.start('launch', mtLaunch(pidFile), async () => {
                await s.setBreakpoints(a.mtSource, [{ line: A }]);
            });
            const pid = await readPidFile(pidFile);
            s.debuggeePids.push(pid);
            const stopped = await s.events.next<Stopped>('stopped');
            assertNonStop(stopped);
            await s.req(located, 'assertStoppedLocation');
            const t = stopped.body.threadId!;

            // Threads: main, worker-a, worker-b and ticker, named (the fixture names them before any worker loops).
            const threads = await s.threads();
            assert.ok(threads.length >= 4, `expected at least 4 threads, got ${JSON.stringify(threads)}`);
            assert.equal(new Set(threads.map((x) => x.id)).size, threads.length, 'thread ids must be unique');
            for (const th of threads) {
                assert.ok(th.name.trim() !== '', `thread ${th.id} has no name`);
            }
            const names = threads.map((x) => x.name);
            for (const n of ['worker-a', 'worker-b', 'ticker']) {
                assert.ok(names.some((x) => x.includes(n)), `no thread named ${n} (pthread_setname_np) among ${JSON.stringify(names)}`);
            }
            assert.match(threads.find((x) => x.id === t)?.name ?? '', /worker-a/, 'the thread that stopped at BP:a is worker-a');

            // Stack: worker_a at BP:a, called by the thread start code.
            const frames = await s.stack(t);
            assert.match(frames[0].name, /worker_a/);
            assertSamePath(frames[0].source?.path, a.mtSource, 'top frame');
            assert.equal(frames[0].line, A);
            assert.ok(frames.length >= 2, `expected worker_a's caller below it, got ${JSON.stringify(frames.map((f) => f.name))}`);

            // Variables of the top frame: round 0, value = compute(1, 0) = 1000, tag = 42.
            const v = await s.vars(frames[0].id);
            assertInt(v, 'tag', 42);
            assertInt(v, 'round', 0);
            assertInt(v, 'value', 1000);
            assert.match(await s.evaluate('tag * 2', frames[0].id), /^84(?!\d)/);
            assert.match(await s.evaluate('value + round', frames[0].id), /^1000(?!\d)/);

            assert.ok(isAlive(pid));
            await s.disconnect(true);
            await assertTerminated(pidFile);
        });
    });

    test('function breakpoint on compute: stops in it with its caller below, for each thread that calls it', async () => {
        await withSession(() => Session.stdio(a.ubpdbg), async (s) => {
            const open = lineOf(a.mtSource, 'compute-open');
            const close = lineOf(a.mtSource, 'compute-close');
            const calls: Record<string, number> = { worker_a: lineOf(a.mtSource, 'call-a'), worker_b: lineOf(a.mtSource, 'call-b') };
            await s.start('launch', mtLaunch(newPidFile()), async () => {
                const r = await s.req(s.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'compute' }] }), 'setFunctionBreakpoints');
                assert.equal(r.body.breakpoints.length, 1);
                assert.equal(r.body.breakpoints[0].verified, true, `function breakpoint not verified: ${r.body.breakpoints[0].message ?? ''}`);
            });
            const callers = new Set<string>();
            const threads = new Set<number>();
            for (let i = 0; i < 2; i++) {
                const e = await s.events.next<Stopped>('stopped', (x) => !threads.has(x.body.threadId!), `compute called by a thread not seen yet`);
                assertNonStop(e);
                assert.ok(['function breakpoint', 'breakpoint'].includes(e.body.reason), `reason ${e.body.reason}`);
                threads.add(e.body.threadId!);
                const frames = await s.stack(e.body.threadId!);
                assert.match(frames[0].name, /compute/);
                assertSamePath(frames[0].source?.path, a.mtSource, 'compute frame');
                assert.ok(frames[0].line! > open && frames[0].line! < close, `stopped at line ${frames[0].line}, not in compute's body (${open}-${close})`);
                const caller = Object.keys(calls).find((c) => frames[1]?.name.includes(c));
                assert.ok(caller, `compute's caller is ${frames[1]?.name}, expected worker_a or worker_b`);
                assert.equal(frames[1].line, calls[caller], `${caller} called compute from line ${frames[1].line}`);
                callers.add(caller);
                const v = await s.vars(frames[0].id);
                assertInt(v, 'id', caller === 'worker_a' ? 1 : 2);
                assertInt(v, 'round', 0);
            }
            assert.deepEqual([...callers].sort(), ['worker_a', 'worker_b']);
            await s.disconnect(true);
        });
    });

    test('non-stop: a second thread stops while the first stays stopped; continue and pause one thread; a logpoint keeps printing', async () => {
        await withSession(() => Session.stdio(a.ubpdbg), async (s) => {
            const A = lineOf(a.mtSource, 'a');
            const B = lineOf(a.mtSource, 'b');
            const TICK = lineOf(a.mtSource, 'tick');
            const logpoint = { line: TICK, logMessage: 'tick {tick}' };
            const pidFile = newPidFile();
            await s.start('launch', mtLaunch(pidFile), async () => {
                await s.setBreakpoints(a.mtSource, [{ line: A }, { line: B }, logpoint]);
            });
            s.debuggeePids.push(await readPidFile(pidFile));
            const ticks = () =>
                s.events.seen<Output>('output', (e) => /tick \d+/.test(e.body.output)).map((e) => Number(/tick (\d+)/.exec(e.body.output)![1]));

            // Both workers stop, one after the other: the first one's stop does not hold the second back.
            const first = await s.events.next<Stopped>('stopped');
            assertNonStop(first);
            const second = await s.events.next<Stopped>('stopped', (e) => e.body.threadId !== first.body.threadId, 'the other worker, while the first stays stopped');
            assertNonStop(second);
            const lines = new Map<number, number>();
            for (const e of [first, second]) {
                assert.equal(e.body.reason, 'breakpoint');
                lines.set(e.body.threadId!, (await s.top(e.body.threadId!)).line);
            }
            const TA = [...lines].find(([, l]) => l === A)?.[0];
            const TB = [...lines].find(([, l]) => l === B)?.[0];
            assert.ok(TA !== undefined && TB !== undefined, `expected one thread at line ${A} and one at ${B}, got ${JSON.stringify([...lines])}`);
            const names = new Map((await s.threads()).map((t) => [t.id, t.name]));
            assert.match(names.get(TA) ?? '', /worker-a/);
            assert.match(names.get(TB) ?? '', /worker-b/);

            const roundA = intOf(await s.vars((await s.top(TA)).id), 'round');
            const roundB = intOf(await s.vars((await s.top(TB)).id), 'round');

            // Continue worker-a alone: it goes round its loop and stops at BP:a again; worker-b stays where it is.
            const cont = await s.continueThread(TA, true);
            assert.equal(cont.body?.allThreadsContinued, false, `continue with singleThread must answer allThreadsContinued: false, got ${JSON.stringify(cont.body)}`);
            const again = await s.events.next<Stopped>('stopped', (e) => e.body.threadId === TA, 'worker-a at BP:a again');
            assertNonStop(again);
            await stoppedAt(s, again, a.mtSource, A);
            assertInt(await s.vars((await s.top(TA)).id), 'round', roundA + 1);
            assert.equal(s.events.seen<Stopped>('stopped', (e) => e.body.threadId === TB).length, 1, 'worker-b must not have run on');
            const topB = await s.top(TB);
            assert.equal(topB.line, B, 'worker-b still at BP:b');
            assertInt(await s.vars(topB.id), 'round', roundB);

            // The logpoint: output events with the interpolated value, and the ticker never stops.
            await s.events.next<Output>('output', (e) => /tick \d+/.test(e.body.output), 'logpoint output');
            for (const e of s.events.seen<Output>('output', (x) => /tick \d+/.test(x.body.output))) {
                assert.ok(['console', 'stdout', undefined].includes(e.body.category), `logpoint output category ${e.body.category}`);
            }
            const tickThread = [...names].find(([, n]) => n.includes('ticker'))?.[0];
            assert.ok(tickThread !== undefined, `no ticker thread among ${JSON.stringify([...names])}`);
            assert.equal(s.events.seen<Stopped>('stopped', (e) => e.body.threadId === tickThread).length, 0, 'a logpoint must not stop its thread');

            // Take BP:a out and let worker-a run free, then pause it alone.
            await s.setBreakpoints(a.mtSource, [{ line: B }, logpoint]);
            const cont2 = await s.continueThread(TA, true);
            assert.equal(cont2.body?.allThreadsContinued, false);
            const stopsOfA = s.events.seen<Stopped>('stopped', (e) => e.body.threadId === TA).length;
            await sleep(300);
            assert.equal(s.events.seen<Stopped>('stopped', (e) => e.body.threadId === TA).length, stopsOfA, 'worker-a stopped although BP:a was removed');
            await s.req(s.dc.pauseRequest({ threadId: TA }), 'pause');
            const paused = await s.events.next<Stopped>('stopped', (e) => e.body.threadId === TA, 'worker-a paused');
            assert.equal(paused.body.reason, 'pause');
            assertNonStop(paused);
            const pausedFrames = await s.stack(TA);
            assert.ok(pausedFrames.some((f) => /worker_a/.test(f.name)), `paused worker-a's stack has no worker_a: ${JSON.stringify(pausedFrames.map((f) => f.name))}`);

            // worker-a paused and worker-b at its breakpoint: the ticker goes on logging all the same.
            const last = Math.max(...ticks());
            await s.events.next<Output>('output', (e) => Number(/tick (\d+)/.exec(e.body.output)?.[1] ?? -1) >= last + 3, 'more ticks while two threads are stopped');
            assert.equal((await s.top(TB)).line, B);
            assertInt(await s.vars((await s.top(TB)).id), 'round', roundB);

            await s.disconnect(true);
            await assertTerminated(pidFile);
        });
    });

    test('step in, step out and step over one thread while the others run', async () => {
        await withSession(() => Session.stdio(a.ubpdbg), async (s) => {
            const CALL = lineOf(a.mtSource, 'call-a');
            const A = lineOf(a.mtSource, 'a');
            const open = lineOf(a.mtSource, 'compute-open');
            const close = lineOf(a.mtSource, 'compute-close');
            const TICK = lineOf(a.mtSource, 'tick');
            await s.start('launch', mtLaunch(newPidFile()), async () => {
                await s.setBreakpoints(a.mtSource, [{ line: CALL }, { line: TICK, logMessage: 'tick {tick}' }]);
            });
            const hit = await s.events.next<Stopped>('stopped');
            assertNonStop(hit);
            await stoppedAt(s, hit, a.mtSource, CALL);
            const t = hit.body.threadId!;
            await s.setBreakpoints(a.mtSource, [{ line: TICK, logMessage: 'tick {tick}' }]);
            const outputsBefore = s.events.seen('output').length;

            await s.req(s.dc.stepInRequest({ threadId: t, singleThread: true }), 'stepIn');
            const inStep = await s.events.next<Stopped>('stopped', (e) => e.body.threadId === t, 'after stepIn');
            assertNonStop(inStep);
            assert.equal(inStep.body.reason, 'step');
            const inTop = await s.top(t);
            assert.match(inTop.name, /compute/, 'stepIn at the call enters compute');
            assert.ok(inTop.line > open && inTop.line < close, `stepIn stopped at line ${inTop.line}, not in compute's body`);

            await s.req(s.dc.stepOutRequest({ threadId: t, singleThread: true }), 'stepOut');
            const outStep = await s.events.next<Stopped>('stopped', (e) => e.body.threadId === t, 'after stepOut');
            assert.equal(outStep.body.reason, 'step');
            const outTop = await s.top(t);
            assert.match(outTop.name, /worker_a/, 'stepOut returns to worker_a');
            assert.equal(outTop.line, CALL, 'stepOut returns into the line of the call');

            await s.req(s.dc.nextRequest({ threadId: t, singleThread: true }), 'next');
            const overStep = await s.events.next<Stopped>('stopped', (e) => e.body.threadId === t, 'after next');
            assert.equal(overStep.body.reason, 'step');
            const overTop = await s.top(t);
            assert.equal(overTop.line, A, 'next goes to the following line');
            assertInt(await s.vars(overTop.id), 'value', 1000);

            await s.events.next<Output>('output', (e) => /tick/.test(e.body.output) && s.events.seen('output').indexOf(e) >= outputsBefore, 'the ticker logs while worker-a steps');
            assert.equal(s.events.seen('stopped').length, 4, 'only worker-a stopped: one breakpoint hit and three steps');
            await s.disconnect(true);
        });
    });

    test('condition and hit count decide which hit stops', async () => {
        await withSession(() => Session.stdio(a.ubpdbg), async (s) => {
            const A = lineOf(a.mtSource, 'a');
            const B = lineOf(a.mtSource, 'b');
            await s.start('launch', mtLaunch(newPidFile()), async () => {
                await s.setBreakpoints(a.mtSource, [
                    { line: A, hitCondition: '5' }, // the 5th hit: round 4
                    { line: B, condition: 'round == 3 && tag == 7' },
                ]);
            });
            const seen = new Map<number, number>(); // line -> round
            const stoppedThreads = new Set<number>();
            for (let i = 0; i < 2; i++) {
                const e = await s.events.next<Stopped>('stopped', (x) => !stoppedThreads.has(x.body.threadId!));
                stoppedThreads.add(e.body.threadId!);
                assertNonStop(e);
                assert.equal(e.body.reason, 'breakpoint');
                const top = await s.top(e.body.threadId!);
                const v = await s.vars(top.id);
                seen.set(top.line, intOf(v, 'round'));
                assertInt(v, 'value', (top.line === A ? 1000 : 2000) + intOf(v, 'round'));
            }
            assert.equal(seen.get(A), 4, `hitCondition "5" on BP:a must stop at round 4; stops: ${JSON.stringify([...seen])}`);
            assert.equal(seen.get(B), 3, `condition "round == 3" on BP:b must stop at round 3; stops: ${JSON.stringify([...seen])}`);
            await sleep(200);
            assert.equal(s.events.seen('stopped').length, 2, 'each breakpoint stops once: the stopped threads cannot hit again');
            await s.disconnect(true);
        });
    });

    test('data breakpoint on a local: the writing thread alone stops after the write, with old and new value', async () => {
        await withSession(() => Session.stdio(a.ubpdbg), async (s) => {
            const A = lineOf(a.mtSource, 'a');
            const pidFile = newPidFile();
            await s.start('launch', mtLaunch(pidFile), async () => {
                await s.setBreakpoints(a.mtSource, [{ line: A }]);
            });
            assert.equal(s.capabilities.supportsDataBreakpoints, true, 'supportsDataBreakpoints');
            s.debuggeePids.push(await readPidFile(pidFile));
            const stopped = await s.events.next<Stopped>('stopped');
            const t = stopped.body.threadId!;
            const top = await s.top(t);
            const scopes = (await s.req(s.dc.scopesRequest({ frameId: top.id }), 'scopes')).body.scopes;
            const locals = scopes.find((x) => /local/i.test(x.name))!;
            const info = (await s.req(s.dc.customRequest('dataBreakpointInfo', { variablesReference: locals.variablesReference, name: 'round' }), 'dataBreakpointInfo')).body;
            assert.ok(typeof info.dataId === 'string' && info.dataId !== '', `dataBreakpointInfo of round: ${JSON.stringify(info)}`);
            assert.ok(info.accessTypes.includes('write'), `access types ${JSON.stringify(info.accessTypes)}`);
            await s.setBreakpoints(a.mtSource, []);
            const set = (await s.req(s.dc.customRequest('setDataBreakpoints', { breakpoints: [{ dataId: info.dataId, accessType: 'write' }] }), 'setDataBreakpoints')).body.breakpoints;
            assert.equal(set.length, 1);
            assert.equal(set[0].verified, true, `data breakpoint: ${JSON.stringify(set[0])}`);
            const round = intOf(await s.vars(top.id), 'round');
            await s.continueThread(t, true);
            const hit = await s.events.next<Stopped>('stopped', (e) => e.body.reason === 'data breakpoint', 'the data breakpoint');
            assertNonStop(hit);
            assert.equal(hit.body.threadId, t, 'worker-a writes its own round');
            assert.deepEqual(hit.body.hitBreakpointIds, [set[0].id]);
            assert.match(hit.body.text ?? '', new RegExp(`Old value = ${round}\\nNew value = ${round + 1}`));
            assertInt(await s.vars((await s.top(t)).id), 'round', round + 1);
            await s.disconnect(true);
            await assertTerminated(pidFile);
        });
    });

    test('stopOnEntry stops before main; continue runs to a breakpoint', async () => {
        await withSession(() => Session.stdio(a.ubpdbg), async (s) => {
            const A = lineOf(a.mtSource, 'a');
            const pidFile = newPidFile();
            await s.start('launch', mtLaunch(pidFile, { stopOnEntry: true }), async () => {
                await s.setBreakpoints(a.mtSource, [{ line: A }]);
            });
            const entry = await s.events.next<Stopped>('stopped');
            assert.equal(entry.body.reason, 'entry');
            assert.equal(fs.existsSync(pidFile), false, 'the program ran past its entry point');
            await s.continueThread(entry.body.threadId!, false);
            const hit = await s.events.next<Stopped>('stopped', (e) => e.body.reason === 'breakpoint');
            await stoppedAt(s, hit, a.mtSource, A);
            await s.disconnect(true);
        });
    });

    test('stopMode "all": every thread stops with the one that hits, and continue resumes them all', async () => {
        await withSession(() => Session.stdio(a.ubpdbg), async (s) => {
            const A = lineOf(a.mtSource, 'a');
            const TICK = lineOf(a.mtSource, 'tick');
            await s.start('launch', mtLaunch(newPidFile(), { stopMode: 'all' }), async () => {
                await s.setBreakpoints(a.mtSource, [{ line: A }, { line: TICK, logMessage: 'tick {tick}' }]);
            });
            const e = await s.events.next<Stopped>('stopped');
            assert.equal(e.body.allThreadsStopped, true, `stopMode "all": stopped event must carry allThreadsStopped: true, got ${JSON.stringify(e.body)}`);
            await stoppedAt(s, e, a.mtSource, A);
            const ticksAtStop = s.events.seen('output').length;
            await sleep(500);
            assert.equal(s.events.seen('output').length, ticksAtStop, 'the ticker logged while all threads were stopped');
            const cont = await s.continueThread(e.body.threadId!, false);
            assert.notEqual(cont.body?.allThreadsContinued, false, 'continue in stopMode "all" resumes every thread');
            const again = await s.events.next<Stopped>('stopped');
            assert.equal(again.body.allThreadsStopped, true);
            assert.ok(s.events.seen('output').length > ticksAtStop, 'the ticker ran again after continue');
            await s.disconnect(true);
        });
    });

    test('attach to a running process; detach leaves it running and untraced', async () => {
        const pidFile = newPidFile();
        const child = cp.spawn(a.mt, ['30'], { env: { ...process.env, MT_PIDFILE: pidFile }, stdio: 'ignore' });
        try {
            const pid = await readPidFile(pidFile);
            assert.equal(pid, child.pid);
            await withSession(() => Session.stdio(a.ubpdbg), async (s) => {
                const B = lineOf(a.mtSource, 'b');
                await s.start('attach', { name: 'attach mt', type: 'ubpdbg', request: 'attach', processId: pid, stopMode: 'thread' }, async () => {
                    await s.setBreakpoints(a.mtSource, [{ line: B }]);
                });
                const e = await s.events.next<Stopped>('stopped', (x) => x.body.reason === 'breakpoint');
                assertNonStop(e);
                const top = await stoppedAt(s, e, a.mtSource, B);
                assertInt(await s.vars(top.id), 'tag', 7);
                assert.ok((await s.threads()).length >= 4, 'an attach sees the threads that were already running');
                await s.setBreakpoints(a.mtSource, []);
                await s.continueThread(e.body.threadId!, true);
                await s.disconnect(false);
            });
            await sleep(300);
            assert.ok(isAlive(pid), 'disconnect with terminateDebuggee: false must leave the process running');
            await waitFor(() => procStatus(pid, 'TracerPid') === '0', 'TracerPid 0 after detach', 5000);
            assert.doesNotMatch(procStatus(pid, 'State') ?? '', /t \(tracing stop\)|T \(stopped\)/);
        } finally {
            child.kill('SIGKILL');
        }
    });

    test('dap --listen: a client connects over TCP (the ubpdbg.server setting)', async () => {
        const server = cp.spawn(a.ubpdbg, ['dap', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let printed = '';
        const address = new Promise<{ host: string; port: number }>((resolve) => {
            const look = (d: Buffer) => {
                printed += d.toString();
                const m = /(\d+\.\d+\.\d+\.\d+|\[[0-9a-fA-F:]+\]|localhost):(\d+)/.exec(printed);
                if (m && Number(m[2]) !== 0) {
                    resolve({ host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) });
                }
            };
            server.stdout!.on('data', look);
            server.stderr!.on('data', look);
        });
        try {
            const { host, port } = await within(address, 'ubpdbg dap --listen 127.0.0.1:0 printing the address it listens on');
            await withSession(() => Session.tcp(host, port), async (s) => {
                const A = lineOf(a.mtSource, 'a');
                const pidFile = newPidFile();
                await s.start('launch', mtLaunch(pidFile), async () => {
                    await s.setBreakpoints(a.mtSource, [{ line: A }]);
                });
                s.debuggeePids.push(await readPidFile(pidFile));
                const e = await s.events.next<Stopped>('stopped');
                assertNonStop(e);
                const top = await stoppedAt(s, e, a.mtSource, A);
                assertInt(await s.vars(top.id), 'tag', 42);
                await s.disconnect(true);
                await assertTerminated(pidFile);
            });
        } catch (err) {
            if (err instanceof Error && printed.trim() !== '') {
                err.message += `\n--- ubpdbg dap --listen printed ---\n${printed.trim().slice(-3000)}`;
            }
            throw err;
        } finally {
            server.kill('SIGKILL');
        }
    });
});

describe('ubpdbg dap: Go program (test/fixtures/gomain)', () => {
    function goLaunch(pidFile: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
        return {
            name: 'gomain',
            type: 'ubpdbg',
            request: 'launch',
            program: a.gomain,
            args: ['60'],
            cwd: a.dir,
            // More Ps than threads the tests hold stopped, so the rest of the runtime always has one.
            env: { GOMAIN_PIDFILE: pidFile, GOMAXPROCS: '4' },
            stopMode: 'thread',
            ...extra,
        };
    }

    test('stops in a goroutine: location, threads, stack, variables, evaluate; a logpoint prints interpolated values', async () => {
        await withSession(() => Session.stdio(a.ubpdbg), async (s) => {
            const W = lineOf(a.gomainSource, 'go-worker');
            const C = lineOf(a.gomainSource, 'go-compute');
            const pidFile = newPidFile();
            await s.start('launch', goLaunch(pidFile), async () => {
                await s.setBreakpoints(a.gomainSource, [{ line: W }, { line: C, logMessage: 'compute {id} {round} -> {product}' }]);
            });
            s.debuggeePids.push(await readPidFile(pidFile));
            const e = await s.events.next<Stopped>('stopped');
            assertNonStop(e);
            const t = e.body.threadId!;
            const frames = await s.stack(t);
            assert.equal(e.body.reason, 'breakpoint');
            assert.match(frames[0].name, /main\.worker/);
            assertSamePath(frames[0].source?.path, a.gomainSource, 'top frame');
            assert.equal(frames[0].line, W);

            const threads = await s.threads();
            assert.ok(threads.length >= 2, `a Go program has several threads, got ${JSON.stringify(threads)}`);
            assert.ok(threads.some((x) => x.id === t), 'the stopped thread is listed');
            for (const th of threads) {
                assert.ok(th.name.trim() !== '', `thread ${th.id} has no name`);
            }

            const v = await s.vars(frames[0].id);
            const id = intOf(v, 'id');
            assert.ok(id === 1 || id === 2, `id = ${id}`);
            assertInt(v, 'tag', 40 + id);
            assertInt(v, 'round', 0);
            assertInt(v, 'value', id * 1000);
            assert.match(await s.evaluate('tag + 1', frames[0].id), new RegExp(`^${41 + id}(?!\\d)`));

            // The logpoint in compute ran before the worker reached its breakpoint.
            const out = await s.events.next<Output>('output', (x) => /compute \d+ \d+ -> \d+/.test(x.body.output), 'logpoint output');
            assert.ok(['console', 'stdout', undefined].includes(out.body.category), `category ${out.body.category}`);
            for (const o of s.events.seen<Output>('output', (x) => /compute \d+ \d+ -> \d+/.test(x.body.output))) {
                const [, i, r, p] = /compute (\d+) (\d+) -> (\d+)/.exec(o.body.output)!.map(Number);
                assert.equal(p, i * 1000 + r, `logpoint interpolation: ${o.body.output}`);
            }
            await s.disconnect(true);
            await assertTerminated(pidFile);
        });
    });

    test('non-stop: both goroutines\' threads stop on one breakpoint; continue one, pause one', async () => {
        await withSession(() => Session.stdio(a.ubpdbg), async (s) => {
            const W = lineOf(a.gomainSource, 'go-worker');
            const pidFile = newPidFile();
            await s.start('launch', goLaunch(pidFile), async () => {
                await s.setBreakpoints(a.gomainSource, [{ line: W }]);
            });
            s.debuggeePids.push(await readPidFile(pidFile));
            const first = await s.events.next<Stopped>('stopped');
            assertNonStop(first);
            const second = await s.events.next<Stopped>('stopped', (e) => e.body.threadId !== first.body.threadId, 'the other worker on its own thread');
            assertNonStop(second);
            const T1 = first.body.threadId!;
            const T2 = second.body.threadId!;
            await stoppedAt(s, first, a.gomainSource, W);
            await stoppedAt(s, second, a.gomainSource, W);
            const v1 = await s.vars((await s.top(T1)).id);
            const v2 = await s.vars((await s.top(T2)).id);
            assert.deepEqual([intOf(v1, 'id'), intOf(v2, 'id')].sort(), [1, 2], 'one stop per worker');
            const round1 = intOf(v1, 'round');
            const round2 = intOf(v2, 'round');

            const cont = await s.continueThread(T1, true);
            assert.equal(cont.body?.allThreadsContinued, false, `continue with singleThread must answer allThreadsContinued: false, got ${JSON.stringify(cont.body)}`);
            const again = await s.events.next<Stopped>('stopped', (e) => e.body.threadId === T1, 'the continued worker at the breakpoint again');
            assertNonStop(again);
            await stoppedAt(s, again, a.gomainSource, W);
            assertInt(await s.vars((await s.top(T1)).id), 'round', round1 + 1);
            assertInt(await s.vars((await s.top(T2)).id), 'round', round2);
            assert.equal(s.events.seen<Stopped>('stopped', (e) => e.body.threadId === T2).length, 1, 'the other worker must not have run on');

            await s.setBreakpoints(a.gomainSource, []);
            await s.continueThread(T1, true);
            await sleep(300);
            await s.req(s.dc.pauseRequest({ threadId: T1 }), 'pause');
            const paused = await s.events.next<Stopped>('stopped', (e) => e.body.threadId === T1 && e.body.reason === 'pause', 'the paused thread');
            assertNonStop(paused);
            await s.stack(T1);
            assert.equal((await s.top(T2)).line, W, 'the other worker is still at the breakpoint');

            await s.disconnect(true);
            await assertTerminated(pidFile);
        });
    });
});
